//! The per-article part: quotes, claim units and the compact record the corpus part reads.

use concord_core::{ClaimUnit, DocStage, Document, SentenceKind, Span, StageError, UnitKind};

use crate::key::{self, Token};
use crate::quotes::QuoteExtractor;
use crate::ClaimOptions;

/// Salt of unit band keys per kind (quotes and claims never share a bucket).
pub(crate) fn kind_salt(kind: UnitKind) -> u64 {
    match kind {
        UnitKind::Claim => 0xc1a1,
        UnitKind::Quote => 0x9007e,
    }
}

/// MinHash family of unit signatures (computed by the corpus part, one band at a time).
pub(crate) const UNIT_FAMILY: u64 = 0x0001_c0de;
/// MinHash family of article signatures.
pub(crate) const ARTICLE_FAMILY: u64 = 0x0002_c0de;

/// What the corpus part keeps of one claim unit.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRecord {
    /// Sentence or quote.
    pub kind: UnitKind,
    /// The unit's text (for joined quotes: the parts joined by a space).
    pub text: String,
    /// The enclosing sentence(s), for quotes.
    pub context: Option<String>,
    /// Source span of the unit.
    pub src: Span,
    /// Source span of the enclosing sentence(s).
    pub sentence_src: Span,
    /// Stemmed content words, as a sorted set (see [`key::token_set`]).
    pub tokens: Vec<Token>,
    /// Words of the unit (stop words included), for the length-ratio veto of claims.
    pub words: u32,
    /// Whether the unit is clustered at all (false: too short, a scare quote).
    pub clustered: bool,
    /// Local entity index of the speaker (quotes).
    pub speaker: Option<usize>,
    /// Speaker name as attributed (quotes).
    pub speaker_name: Option<String>,
    /// Local entity indices mentioned inside the unit, sorted.
    pub entities: Vec<usize>,
}

/// The compact per-article record [`ClaimStage`] stores in `doc.ext` for the
/// [`crate::Clusterer`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimRecord {
    /// Units in text order.
    pub units: Vec<UnitRecord>,
    /// MinHash signature of the whole text (word shingles), for copy detection; empty when
    /// the text has no words.
    pub signature: Vec<u32>,
}

/// The per-article part of the `claims` stage: fills `doc.quotes` and `doc.units` and stores
/// a [`ClaimRecord`] in `doc.ext`.
#[derive(Clone, Debug)]
pub struct ClaimStage {
    opts: ClaimOptions,
    quotes: QuoteExtractor,
}

/// The words of a text (from [`key::words`] of the whole text) that lie inside `span`.
fn words_in(words: &[(usize, usize)], span: Span) -> &[(usize, usize)] {
    &words[word_range(words, span)]
}

/// Indices in `words` of [`words_in`].
fn word_range(words: &[(usize, usize)], span: Span) -> std::ops::Range<usize> {
    let lo = words.partition_point(|w| w.0 < span.start);
    let hi = lo + words[lo..].partition_point(|w| w.1 <= span.end);
    lo..hi
}

impl ClaimStage {
    /// The stage with these options.
    pub fn new(opts: &ClaimOptions) -> ClaimStage {
        ClaimStage { opts: opts.clone(), quotes: QuoteExtractor::new(opts.max_quote_bytes) }
    }

    fn entities_in(doc: &Document, span: Span) -> Vec<usize> {
        // Mentions are in text order: only those starting inside the span can be in it.
        let lo = doc.mentions.partition_point(|m| m.span.start < span.start);
        let mut v: Vec<usize> = doc.mentions[lo..]
            .iter()
            .take_while(|m| m.span.start < span.end)
            .filter(|m| span.contains(m.span))
            .map(|m| m.entity)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn sentence_index(doc: &Document, pos: usize) -> Option<usize> {
        let i = doc.sentences.partition_point(|s| s.span.end <= pos);
        doc.sentences.get(i).filter(|s| s.span.start <= pos).map(|_| i)
    }

    /// Runs the stage on one document.
    pub fn run(&self, doc: &mut Document) {
        // The text's words, once: quote attribution and the article signature read them.
        let text_words = key::words(&doc.text);
        doc.quotes = self.quotes.extract_with_words(doc, &text_words);
        let mut units: Vec<(ClaimUnit, UnitRecord)> = Vec::new();
        let mut bufs = key::TokenBuffers::default();
        // `lower_hash` of each word of the text, in order, for the article signature: the
        // claim sentences' token scans give most of them (`lowered[i]` is that of word `i`).
        let mut lowered: Vec<u64> = Vec::with_capacity(text_words.len());
        let mut lower = String::new();
        let mut tokens_seq: Vec<Token> = Vec::new();

        // Quote units, joining consecutive quotes of one speaker.
        struct Group {
            first: usize,
            last: usize,
            sentence: usize,
            last_sentence: usize,
            text: String,
            /// The words of `text`, as byte ranges of `doc.text` (those of the parts: the
            /// space that joins two parts separates their words).
            words: Vec<(usize, usize)>,
        }
        let mut groups: Vec<Group> = Vec::new();
        for (qi, q) in doc.quotes.iter().enumerate() {
            let si = Self::sentence_index(doc, q.outer.start);
            if si.is_some_and(|i| doc.sentences[i].kind == SentenceKind::Heading) {
                continue;
            }
            let si_end = Self::sentence_index(doc, q.outer.end.saturating_sub(1)).or(si);
            let text = doc.slice(q.span).to_string();
            let q_words = key::words_between(&doc.text, &text_words, q.span.start, q.span.end);
            if self.opts.join_adjacent_quotes {
                if let Some(g) = groups.last_mut() {
                    let prev = &doc.quotes[g.last];
                    let same = match (&prev.speaker, &q.speaker) {
                        (Some(a), Some(b)) => match (a.entity, b.entity) {
                            (Some(x), Some(y)) => x == y,
                            (None, None) => a.name == b.name,
                            _ => false,
                        },
                        _ => false,
                    };
                    let near =
                        q.outer.start >= prev.outer.end && q.outer.start - prev.outer.end <= self.opts.join_max_gap;
                    let adjacent = match (si, Some(g.last_sentence)) {
                        (Some(a), Some(b)) => a <= b + 1,
                        _ => true,
                    };
                    let long = g.words.len() >= self.opts.min_quote_words && q_words.len() >= self.opts.min_quote_words;
                    // Only attribution between the two ("…," he admitted. He added: "…").
                    let gap_words =
                        key::words_between(&doc.text, &text_words, prev.outer.end, q.outer.start.max(prev.outer.end));
                    let attribution_only = gap_words.len() <= 10
                        && gap_words.iter().any(|&(a, b)| crate::quotes::is_speech_verb(&doc.text[a..b]));
                    let long = long && attribution_only;
                    if same && near && adjacent && long {
                        g.last = qi;
                        g.last_sentence = si_end.unwrap_or(g.last_sentence);
                        g.text.push(' ');
                        g.text.push_str(&text);
                        g.words.extend(q_words);
                        continue;
                    }
                }
            }
            let s = si.unwrap_or(usize::MAX);
            groups.push(Group {
                first: qi,
                last: qi,
                sentence: s,
                last_sentence: si_end.unwrap_or(s),
                text,
                words: q_words,
            });
        }
        for g in groups {
            let first = &doc.quotes[g.first];
            let last = &doc.quotes[g.last];
            let span = Span::new(first.span.start, last.span.end.max(first.span.start));
            let sent_span = match (doc.sentences.get(g.sentence), doc.sentences.get(g.last_sentence)) {
                (Some(a), Some(b)) => Span::new(a.span.start.min(first.outer.start), b.span.end.max(last.outer.end)),
                _ => crate::quotes::sentence_at(doc, first.outer.start),
            };
            tokens_seq.clear();
            let gw = g.words.iter().copied();
            let nwords = key::content_tokens_of_words(&doc.text, gw, &[], true, &mut bufs, &mut tokens_seq);
            let tokens = key::token_set_sorting(&mut tokens_seq);
            let clustered = nwords >= self.opts.min_quote_words && tokens.len() >= self.opts.min_content_words;
            let speaker = first.speaker.as_ref();
            let unit = ClaimUnit {
                span,
                kind: UnitKind::Quote,
                sentence: if g.sentence == usize::MAX { 0 } else { g.sentence },
                quote: Some(g.first),
            };
            let rec = UnitRecord {
                kind: UnitKind::Quote,
                text: g.text,
                context: Some(doc.slice(sent_span).to_string()),
                src: doc.source_span(span),
                sentence_src: doc.source_span(sent_span),
                tokens,
                words: nwords as u32,
                clustered,
                speaker: speaker.and_then(|s| s.entity),
                speaker_name: speaker.map(|s| s.name.clone()),
                entities: Self::entities_in(doc, span),
            };
            units.push((unit, rec));
        }

        // Claim units: every story sentence and list item; the words of clustered quotes
        // are left out of its key (the quote is its own unit).
        for (si, s) in doc.sentences.iter().enumerate() {
            if s.kind == SentenceKind::Heading {
                continue;
            }
            let text = doc.slice(s.span);
            let skip: Vec<(usize, usize)> = doc
                .quotes
                .iter()
                .filter(|q| s.span.overlaps(q.span) && words_in(&text_words, q.span).len() >= self.opts.min_quote_words)
                .map(|q| (q.span.start.saturating_sub(s.span.start), q.span.end.min(s.span.end) - s.span.start))
                .collect();
            tokens_seq.clear();
            let range = word_range(&text_words, s.span);
            // Words before this sentence's not hashed yet (headings, text between sentences).
            let in_order = range.start >= lowered.len();
            if in_order {
                let gap = &text_words[lowered.len()..range.start];
                lowered.extend(gap.iter().map(|&(a, b)| key::lower_hash(&doc.text[a..b], &mut lower)));
            }
            let sw = text_words[range].iter().map(|&(a, b)| (a - s.span.start, b - s.span.start));
            let hashes = if in_order { Some(&mut lowered) } else { None };
            let nwords = key::content_tokens_hashing(text, sw, &skip, true, &mut bufs, &mut tokens_seq, hashes);
            let tokens = key::token_set_sorting(&mut tokens_seq);
            let clustered = nwords >= self.opts.min_claim_words && tokens.len() >= self.opts.min_content_words;
            let src = doc.source_span(s.span);
            let unit = ClaimUnit { span: s.span, kind: UnitKind::Claim, sentence: si, quote: None };
            let rec = UnitRecord {
                kind: UnitKind::Claim,
                text: text.to_string(),
                context: None,
                src,
                sentence_src: src,
                tokens,
                words: nwords as u32,
                clustered,
                speaker: None,
                speaker_name: None,
                entities: Self::entities_in(doc, s.span),
            };
            units.push((unit, rec));
        }
        units.sort_by_key(|(u, _)| (u.span.start, u.kind, u.span.end));

        // Article signature for copy detection: shingles of consecutive words.
        let rest = &text_words[lowered.len()..];
        lowered.extend(rest.iter().map(|&(s, e)| key::lower_hash(&doc.text[s..e], &mut lower)));
        debug_assert_eq!(lowered.len(), text_words.len());
        let k = self.opts.copy_shingle_size.max(1);
        let sh: Vec<u64> = if lowered.len() < k && !lowered.is_empty() {
            vec![lowered.iter().fold(0, |h, &x| concord_core::text::mix64(h ^ x))]
        } else {
            key::window_hashes(&lowered, k)
        };
        // No sort and dedup: each bin keeps a minimum, which repeated shingles leave as it is.
        let signature = key::one_permutation_minhash(&sh, self.opts.copy_num_hashes, ARTICLE_FAMILY);

        let (units, records): (Vec<ClaimUnit>, Vec<UnitRecord>) = units.into_iter().unzip();
        doc.units = units;
        doc.ext.insert(ClaimRecord { units: records, signature });
    }
}

impl DocStage for ClaimStage {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        self.run(doc);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_quote_tokens_from_the_article_words_are_those_of_the_joined_text() {
        let text = "“It's 2.5,” he said. “Don’t go it'” she added, ‘rock’n’roll 1,000’ end";
        let all = key::words(text);
        let parts = [Span::new(3, 11), Span::new(27, 40), Span::new(55, 72), Span::new(60, 62)];
        for a in parts {
            for b in parts {
                let joined = format!("{} {}", a.slice(text), b.slice(text));
                let mut ws = key::words_between(text, &all, a.start, a.end);
                ws.extend(key::words_between(text, &all, b.start, b.end));
                let mut bufs = key::TokenBuffers::default();
                let (mut x, mut y) = (Vec::new(), Vec::new());
                let n = key::content_tokens_of_words(text, ws.iter().copied(), &[], true, &mut bufs, &mut x);
                assert_eq!(n, key::content_tokens_into(&joined, &[], true, &mut bufs, &mut y), "{joined:?}");
                assert_eq!(n, key::word_count(&joined));
                assert_eq!(x, y, "{joined:?}");
            }
        }
    }

    #[test]
    fn sentence_tokens_from_the_article_words_are_the_sentence_tokens() {
        let text = "Mr. Hill, 54, said: \u{201c}We can’t pay $2.5 billion.\u{201d} Prices rose 1,000 times.\n\nÉmigrés’ café closed.";
        let words = key::words(text);
        let spans = [Span::new(0, 54), Span::new(55, 79), Span::new(81, text.len())];
        let mut bufs = key::TokenBuffers::default();
        for span in spans {
            let sentence = span.slice(text);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let shifted = words_in(&words, span).iter().map(|&(s, e)| (s - span.start, e - span.start));
            let n = key::content_tokens_of_words(sentence, shifted, &[], true, &mut bufs, &mut a);
            assert_eq!(n, key::content_tokens_into(sentence, &[], true, &mut bufs, &mut b), "{sentence:?}");
            assert_eq!(a, b, "{sentence:?}");
            assert!(!a.is_empty());
        }
    }
}
