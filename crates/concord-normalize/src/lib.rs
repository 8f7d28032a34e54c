//! # concord-normalize: clean text with exact provenance, drop boilerplate, find sentences
//!
//! The first per-article stage of concord (kind `normalize`, needs `text`, provides
//! `normalized` and `sentences`). For each [`Document`] it:
//!
//! 1. **cleans** the text — Unicode NFC, whitespace runs and odd spaces (NBSP, thin spaces)
//!    folded to one space, zero-width characters, soft hyphens and control characters dropped,
//!    HTML entities decoded — while building a new [`OffsetMap`] composed with the document's
//!    old one, so every span of the new text converts to the exact source bytes;
//! 2. **removes boilerplate** with named rules ([`RULES`]: `related-links`, `social-embed`,
//!    `social-attribution`, `widget`, `byline`, `empty-lines`, `repeated-paragraph`, plus
//!    user rules from the stage options), recording every removed **source** span and its rule
//!    in `doc.removed`;
//! 3. **marks structure**: paragraphs are kept (separated by `"\n\n"` in the text), headings
//!    and list labels ("No Deal Yet:") become [`SentenceKind::Heading`], bullet items
//!    [`SentenceKind::List`], and a dateline prefix ("ANCHORAGE, ALASKA –") is recorded as
//!    `doc.meta["dateline"]` (the place and its source span). The dateline stays in the text
//!    (provenance is untouched and nothing is listed as removed) but outside the first
//!    sentence's span;
//! 4. **segments sentences** with [`Segmenter`], rules made for news: abbreviations and
//!    titles, initials, decimals and money, ellipses, terminal punctuation inside closing
//!    quotes followed by an attribution ("…soon.” Putin said" stays one sentence), in-paragraph
//!    list items.
//!
//! The matching key (case-folded, quotes, dashes and ellipses unified) is
//! [`concord_core::text::matching_key`], re-exported here as [`matching_key`].
//!
//! ```
//! use concord_core::{Article, DocStage, Document, SentenceKind};
//! use concord_normalize::{NormalizeOptions, Normalizer};
//!
//! let body = "By Monitoring Desk\nKey Takeaways\nTrump met Putin.  It was \u{201C}long overdue.\u{201D} Putin said.\nALSO READ: More news\n";
//! let mut doc = Document::new(Article { body: body.into(), ..Default::default() });
//! Normalizer::new(NormalizeOptions::default()).unwrap().process(&mut doc).unwrap();
//! let got: Vec<_> = doc.sentences.iter().map(|s| (s.kind, doc.slice(s.span))).collect();
//! assert_eq!(got, vec![
//!     (SentenceKind::Heading, "Key Takeaways"),
//!     (SentenceKind::Story, "Trump met Putin."),
//!     (SentenceKind::Story, "It was \u{201C}long overdue.\u{201D} Putin said."),
//! ]);
//! let rules: Vec<_> = doc.removed.iter().map(|r| r.rule.as_str()).collect();
//! assert_eq!(rules, vec!["byline", "related-links"]);
//! // Spans convert to source bytes.
//! let s = doc.source_span(doc.sentences[1].span);
//! assert_eq!(&body[s.start..s.end], "Trump met Putin.");
//! ```
//!
//! Evaluation against public data lives in [`eval`] (`concord eval segment` calls it).
//!
//! Not here: reading files and front matter (concord-ingest; title and excerpt are already
//! in `doc.article`), entity and quote extraction (the later stages), language detection.
//! The segmenter is tuned for English news; other scripts are cleaned and aligned exactly but
//! split only at their own full stops.
#![deny(missing_docs)]

mod clean;
pub mod eval;
mod rules;
mod segment;

use concord_core::{
    BuildError, Built, DocStage, Document, OffsetMap, Registry, Removed, Sentence, SentenceKind, Span, StageDef,
    StageError,
};
use serde::{Deserialize, Serialize};

pub use concord_core::text::matching_key;
pub use rules::RULES;
pub use segment::Segmenter;

use clean::{clean_line, Op};
use rules::Patterns;

/// A user boilerplate rule: a cleaned line in which `pattern` matches is removed as `name`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserRule {
    /// The rule's name, recorded with each span it removes.
    pub name: String,
    /// A regular expression (Rust `regex` syntax, linear time) searched in each cleaned line;
    /// anchor it with `^`/`$` to match whole lines.
    pub pattern: String,
}

/// Options of the `normalize` stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeOptions {
    /// Built-in boilerplate rules to turn off, by name (see [`RULES`]).
    pub disable: Vec<String>,
    /// Extra boilerplate rules, tried after the built-in ones.
    pub rules: Vec<UserRule>,
    /// Extra abbreviations (without the final dot, any case) after which a sentence never ends.
    pub abbreviations: Vec<String>,
    /// Record a dateline prefix ("ANCHORAGE, ALASKA –") as `dateline` metadata.
    pub dateline: bool,
    /// Mark headings, section titles and list labels as headings.
    pub headings: bool,
    /// Longest heading, in words.
    pub max_heading_words: usize,
    /// Shortest paragraph, in bytes, that the `repeated-paragraph` rule may drop.
    pub min_repeat_len: usize,
    /// Join a line that continues the previous one (hard-wrapped text) into its paragraph.
    pub join_wrapped_lines: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            disable: Vec::new(),
            rules: Vec::new(),
            abbreviations: Vec::new(),
            dateline: true,
            headings: true,
            max_heading_words: 14,
            min_repeat_len: 20,
            join_wrapped_lines: true,
        }
    }
}

/// Help for each option, as `concord stages` lists it.
const OPTION_HELP: &[(&str, &str)] = &[
    ("disable", "built-in rules to turn off: social-embed, social-attribution, related-links, widget, byline, empty-lines, repeated-paragraph"),
    ("rules", "extra rules, [[stages.rules]] with name and pattern (a regex searched in each cleaned line)"),
    ("abbreviations", "extra abbreviations (no final dot) after which a sentence never ends"),
    ("dateline", "record a dateline prefix (\"ANCHORAGE, ALASKA –\") as metadata"),
    ("headings", "mark headings, section titles and list labels"),
    ("max_heading_words", "longest heading, in words"),
    ("min_repeat_len", "shortest paragraph (bytes) the repeated-paragraph rule may drop"),
    ("join_wrapped_lines", "join hard-wrapped lines into one paragraph"),
];

/// Registers the `normalize` stage kind.
pub fn register(registry: &mut Registry) {
    let def = StageDef {
        kind: "normalize",
        description: "cleans text with exact provenance, removes boilerplate, marks headings and splits sentences",
        needs: &["text"],
        provides: &["normalized", "sentences"],
        option_help: OPTION_HELP,
    };
    registry.register(def, |opts: NormalizeOptions, _cx| Ok(Built::doc(Normalizer::new(opts)?)));
}

/// Sentences of a plain text with the default [`Segmenter`] (blank lines separate paragraphs).
///
/// ```
/// let t = "At 5 a.m. Mr. Smith left. He said: “I live in the U.S. now.” Then he slept.";
/// let s: Vec<_> = concord_normalize::segment(t).iter().map(|s| s.slice(t)).collect();
/// assert_eq!(s, ["At 5 a.m. Mr. Smith left.", "He said: “I live in the U.S. now.”", "Then he slept."]);
/// ```
pub fn segment(text: &str) -> Vec<Span> {
    Segmenter::default().segment(text)
}

/// The cleaned form of a text taken as one line (line breaks are spaces): NFC, whitespace
/// folded and trimmed, invisible and control characters dropped, HTML entities decoded.
///
/// This is exactly what the stage does to each line, so the source slice of any sentence,
/// cleaned, is that sentence's text.
///
/// ```
/// assert_eq!(concord_normalize::clean_text("  Caf\u{65}\u{301}\u{A0}&amp;\n soft\u{AD}ware "), "Café & software");
/// ```
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    clean_line(s, 0, s.len(), &mut out, &mut Vec::new(), &mut String::new());
    out
}

/// Quotations that run over several paragraphs by the news convention: each paragraph of the
/// quote opens with a quotation mark and only the last one closes it. Returns, for each such
/// quotation, its span in `doc.text` from the first opening mark to the final closing mark
/// (single-paragraph quotations are not listed). Uses `doc.sentences` for paragraph numbers.
///
/// ```
/// use concord_core::{Article, DocStage, Document};
/// let body = "He said:\n\n“We will go.\n\n“We will win,” he added.\n";
/// let mut doc = Document::new(Article { body: body.into(), ..Default::default() });
/// concord_normalize::Normalizer::new(Default::default()).unwrap().process(&mut doc).unwrap();
/// let q = concord_normalize::multi_paragraph_quotes(&doc);
/// assert_eq!(q.len(), 1);
/// assert_eq!(doc.slice(q[0]), "“We will go.\n\n“We will win,”");
/// ```
pub fn multi_paragraph_quotes(doc: &Document) -> Vec<Span> {
    // Paragraph spans from the sentences.
    let mut paras: Vec<Span> = Vec::new();
    let mut last = u32::MAX;
    for s in &doc.sentences {
        match paras.last_mut() {
            Some(p) if s.paragraph == last => p.end = s.span.end,
            _ => paras.push(s.span),
        }
        last = s.paragraph;
    }
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for p in &paras {
        let t = doc.slice(*p);
        let starts = t.starts_with(['“', '"']);
        // Balance of curly marks, and whether the paragraph is left open.
        let mut depth = 0i32;
        let mut last_close = None;
        for (k, c) in t.char_indices() {
            match c {
                '“' => depth += 1,
                '”' => {
                    depth -= 1;
                    last_close = Some(k + c.len_utf8());
                }
                _ => {}
            }
        }
        match open {
            Some(o) if starts => {
                if depth <= 0 {
                    if let Some(e) = last_close {
                        out.push(Span::new(o, p.start + e));
                    }
                    open = None;
                }
            }
            _ => open = None,
        }
        if open.is_none() && depth > 0 {
            // Opened in this paragraph and not closed: it may continue in the next one.
            open = t.find('“').map(|k| p.start + k);
        }
    }
    out
}

/// A word-at-a-time hash of `t` starting from `h` (the key of the repeated-paragraph rule:
/// paragraphs are compared as cleaned, so whitespace and invisible differences do not count).
fn para_hash(mut h: u64, t: &str) -> u64 {
    let mut chunks = t.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = concord_core::text::mix64(h ^ u64::from_le_bytes(w));
    }
    for &b in chunks.remainder() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    concord_core::text::mix64(h ^ 0x20)
}

/// A rule that removed something: built-in (by name) or user (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Builtin(&'static str),
    User(usize),
}

/// The `normalize` stage, built from [`NormalizeOptions`].
#[derive(Debug, Clone)]
pub struct Normalizer {
    opts: NormalizeOptions,
    user: Vec<(String, regex::Regex)>,
    patterns: Patterns,
    segmenter: Segmenter,
}

impl Normalizer {
    /// Builds the stage, checking rule names and compiling user patterns.
    pub fn new(opts: NormalizeOptions) -> Result<Normalizer, BuildError> {
        for d in &opts.disable {
            if !RULES.contains(&d.as_str()) {
                return Err(BuildError::invalid(
                    "disable",
                    format!("unknown rule `{d}`; built-in rules are: {}", RULES.join(", ")),
                ));
            }
        }
        let mut user = Vec::new();
        for (k, r) in opts.rules.iter().enumerate() {
            if r.name.trim().is_empty() {
                return Err(BuildError::invalid("rules", format!("rule {} has an empty name", k + 1)));
            }
            let re = regex::RegexBuilder::new(&r.pattern)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| BuildError::invalid("rules", format!("rule `{}`: bad pattern: {e}", r.name)))?;
            user.push((r.name.clone(), re));
        }
        if opts.max_heading_words == 0 {
            return Err(BuildError::invalid("max_heading_words", "must be at least 1"));
        }
        let segmenter = Segmenter::new(&opts.abbreviations);
        Ok(Normalizer { opts, user, patterns: Patterns::new(), segmenter })
    }

    fn enabled(&self, rule: &str) -> bool {
        !self.opts.disable.iter().any(|d| d == rule)
    }

    fn rule_name(&self, r: Rule) -> String {
        match r {
            Rule::Builtin(n) => n.to_string(),
            Rule::User(k) => self.user[k].0.clone(),
        }
    }

    fn classify(&self, t: &str) -> Option<Rule> {
        if let Some(r) = self.patterns.line_rule(t, |r| self.enabled(r)) {
            return Some(Rule::Builtin(r));
        }
        self.user.iter().position(|(_, re)| re.is_match(t)).map(Rule::User)
    }
}

/// One line of the input text and its cleaned form.
struct Line {
    start: usize,
    end: usize,
    text: std::ops::Range<usize>,
    ops: std::ops::Range<usize>,
    class: Class,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Blank,
    Removed(Rule),
    Content,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Story,
    Heading,
    List(usize),
    Labelled(usize),
}

/// A paragraph: consecutive content lines.
struct Para {
    lines: std::ops::Range<usize>,
    kind: Kind,
    removed: bool,
    /// Byte offset after a dateline where the story starts.
    dateline: Option<(std::ops::Range<usize>, usize)>,
}

/// Turns positions of the old text into source spans and old alignment ops into new ones.
struct Composer<'a> {
    old: &'a OffsetMap,
    old_text: &'a str,
    base: Option<usize>,
}

impl Composer<'_> {
    fn src(&self, a: usize, b: usize) -> Span {
        match self.base {
            Some(x) => Span::new(x + a, x + b.max(a)),
            None => self.old.to_source(Span::new(a, b.max(a))),
        }
    }

    fn push(&self, map: &mut OffsetMap, op: &Op) {
        match (op.copy, self.base) {
            (true, Some(x)) => map.push_copy(x + op.old_start, op.text_len),
            (false, _) => map.push_replace(self.src(op.old_start, op.old_end), op.text_len),
            (true, None) => {
                for (k, ch) in self.old_text[op.old_start..op.old_end].char_indices() {
                    let p = op.old_start + k;
                    let l = ch.len_utf8();
                    let s = self.old.source_start(p);
                    let e = self.old.source_end(p + l).max(s);
                    if e - s == l {
                        map.push_copy(s, l);
                    } else {
                        map.push_replace(Span::new(s, e), l);
                    }
                }
            }
        }
    }
}

impl DocStage for Normalizer {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let old_text = std::mem::take(&mut doc.text);
        let old_map = std::mem::take(&mut doc.offsets);
        let base0 = old_map.source_start(0);
        let identity = old_map == OffsetMap::identity(base0, old_text.len());
        let cx = Composer { old: &old_map, old_text: &old_text, base: identity.then_some(base0) };

        // Pass 1: clean every line.
        let mut buf = String::with_capacity(old_text.len());
        let mut ops: Vec<Op> = Vec::new();
        let mut scratch = String::new();
        let b = old_text.as_bytes();
        let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', b).count() + 1);
        let mut s = 0;
        loop {
            let e = memchr::memchr(b'\n', &b[s..]).map_or(b.len(), |k| s + k);
            let (t0, o0) = (buf.len(), ops.len());
            clean_line(&old_text, s, e, &mut buf, &mut ops, &mut scratch);
            lines.push(Line { start: s, end: e, text: t0..buf.len(), ops: o0..ops.len(), class: Class::Blank });
            if e >= b.len() {
                break;
            }
            s = e + 1;
        }
        // A final empty line after a trailing newline is not a line.
        if lines.len() > 1 && lines.last().is_some_and(|l| l.start == l.end && l.start == b.len()) {
            lines.pop();
        }

        // Pass 2: boilerplate lines.
        for k in 0..lines.len() {
            let t = &buf[lines[k].text.clone()];
            lines[k].class =
                if t.is_empty() { Class::Blank } else { self.classify(t).map_or(Class::Content, Class::Removed) };
            // The text line of an embedded post that ends in a link, just before its attribution.
            if lines[k].class == Class::Removed(Rule::Builtin("social-attribution")) && k > 0 {
                let prev = &lines[k - 1];
                let pt = &buf[prev.text.clone()];
                let link = pt.rsplit(' ').next().is_some_and(|w| w.starts_with("http"));
                if prev.class == Class::Content && link && self.enabled("social-embed") {
                    lines[k - 1].class = Class::Removed(Rule::Builtin("social-embed"));
                }
            }
        }

        // Pass 3: paragraphs, blank runs and removed lines.
        let mut removed: Vec<(Span, Rule)> = Vec::new();
        let mut paras: Vec<Para> = Vec::with_capacity(lines.len());
        let mut k = 0;
        while k < lines.len() {
            match lines[k].class {
                Class::Blank => {
                    let from = k;
                    while k < lines.len() && lines[k].class == Class::Blank {
                        k += 1;
                    }
                    let run = k - from;
                    // One blank line separates paragraphs; a longer run is layout noise.
                    if run >= 2 && self.enabled("empty-lines") {
                        let start = lines[from].start;
                        let end = (lines[k - 1].end + 1).min(old_text.len());
                        removed.push((cx.src(start, end), Rule::Builtin("empty-lines")));
                    }
                    continue;
                }
                Class::Removed(r) => {
                    removed.push((cx.src(lines[k].start, lines[k].end), r));
                }
                Class::Content => {
                    let joins = self.opts.join_wrapped_lines
                        && k > 0
                        && lines[k - 1].class == Class::Content
                        && paras.last().is_some_and(|p| p.lines.end == k)
                        && {
                            let prev = &buf[lines[k - 1].text.clone()];
                            let cur = &buf[lines[k].text.clone()];
                            !rules::ends_terminal(prev)
                                && rules::list_marker(prev).is_none()
                                && prev.len() >= 30
                                && cur.chars().next().is_some_and(char::is_lowercase)
                        };
                    match paras.last_mut() {
                        Some(p) if joins => p.lines.end = k + 1,
                        _ => paras.push(Para { lines: k..k + 1, kind: Kind::Story, removed: false, dateline: None }),
                    }
                }
            }
            k += 1;
        }

        // Repeated paragraphs, by a hash of their cleaned text.
        if self.enabled("repeated-paragraph") {
            let mut seen = std::collections::BTreeSet::new();
            let mut joined = String::new();
            for p in paras.iter_mut() {
                let ls = &lines[p.lines.clone()];
                let len: usize = ls.iter().map(|l| l.text.len() + 1).sum::<usize>() - 1;
                if len < self.opts.min_repeat_len {
                    continue;
                }
                let h = if ls.len() == 1 {
                    para_hash(0, &buf[ls[0].text.clone()])
                } else {
                    joined.clear();
                    for l in ls {
                        if !joined.is_empty() {
                            joined.push(' ');
                        }
                        joined.push_str(&buf[l.text.clone()]);
                    }
                    para_hash(0, &joined)
                };
                if !seen.insert(h) {
                    p.removed = true;
                    let (a, z) = (&ls[0], &ls[ls.len() - 1]);
                    removed.push((cx.src(a.start, z.end), Rule::Builtin("repeated-paragraph")));
                }
            }
        }
        paras.retain(|p| !p.removed);

        // Structure.
        let single = |p: &Para| p.lines.len() == 1;
        let first_text = |p: &Para| &buf[lines[p.lines.start].text.clone()];
        let labels: Vec<bool> = paras.iter().map(|p| single(p) && rules::label_len(first_text(p)).is_some()).collect();
        for i in 0..paras.len() {
            let t = first_text(&paras[i]);
            let kind = if let Some(m) = rules::list_marker(t) {
                Kind::List(m)
            } else if self.opts.headings && single(&paras[i]) && rules::is_heading(t, self.opts.max_heading_words) {
                Kind::Heading
            } else if self.opts.headings && labels[i] && {
                let prev_colon = i > 0 && first_text(&paras[i - 1]).trim_end().ends_with(':');
                prev_colon || (i > 0 && labels[i - 1]) || labels.get(i + 1).copied().unwrap_or(false)
            } {
                Kind::Labelled(rules::label_len(t).unwrap_or(0))
            } else {
                Kind::Story
            };
            paras[i].kind = kind;
        }
        if self.opts.dateline {
            if let Some(i) = paras.iter().take(3).position(|p| p.kind == Kind::Story) {
                paras[i].dateline = self.patterns.dateline(first_text(&paras[i]));
            }
        }

        // Pass 4: emit text, alignment and sentences.
        // Cleaned lines, a space for each joined line, "\n\n" between paragraphs.
        let mut text = String::with_capacity(buf.len() + lines.len() + 2 * paras.len());
        let mut map = OffsetMap::default();
        let mut sentences = Vec::new();
        let mut dateline_meta = None;
        let mut spans = Vec::new();
        for (pi, p) in paras.iter().enumerate() {
            let first = &lines[p.lines.start];
            if pi > 0 {
                let nl = first.start.saturating_sub(1);
                text.push_str("\n\n");
                map.push_replace(cx.src(nl, first.start), 2);
            }
            let pstart = text.len();
            for (j, l) in lines[p.lines.clone()].iter().enumerate() {
                if j > 0 {
                    let prev = &lines[p.lines.start + j - 1];
                    text.push(' ');
                    map.push_replace(cx.src(prev.end, l.start), 1);
                }
                text.push_str(&buf[l.text.clone()]);
                for op in &ops[l.ops.clone()] {
                    cx.push(&mut map, op);
                }
            }
            let pend = text.len();
            let para = pi as u32;
            let mut add = |spans: &mut Vec<Span>, kind| {
                sentences.extend(spans.drain(..).map(|span| Sentence { span, kind, paragraph: para }));
            };
            match p.kind {
                Kind::Heading => sentences.push(Sentence {
                    span: Span::new(pstart, pend),
                    kind: SentenceKind::Heading,
                    paragraph: para,
                }),
                Kind::List(m) => {
                    self.segmenter.split_paragraph(&text[pstart + m..pend], pstart + m, &mut spans);
                    add(&mut spans, SentenceKind::List);
                }
                Kind::Labelled(n) => {
                    spans.push(Span::new(pstart, pstart + n));
                    add(&mut spans, SentenceKind::Heading);
                    self.segmenter.split_paragraph(&text[pstart + n..pend], pstart + n, &mut spans);
                    add(&mut spans, SentenceKind::Story);
                }
                Kind::Story => {
                    let mut from = pstart;
                    if let Some((place, story)) = &p.dateline {
                        dateline_meta = Some((
                            text[pstart + place.start..pstart + place.end].to_string(),
                            Span::new(pstart + place.start, pstart + place.end),
                        ));
                        from = pstart + story;
                    }
                    self.segmenter.split_paragraph(&text[from..pend], from, &mut spans);
                    add(&mut spans, SentenceKind::Story);
                }
            }
        }

        removed.sort_by_key(|(s, _)| (s.start, s.end));
        doc.removed.extend(removed.into_iter().map(|(span, r)| Removed { span, rule: self.rule_name(r) }));
        if let Some((place, span)) = dateline_meta {
            doc.meta.insert("dateline".into(), (place, map.to_source(span)));
        }
        doc.text = text;
        doc.offsets = map;
        doc.sentences = sentences;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::Article;

    fn run(body: &str) -> Document {
        let mut doc = Document::new(Article { body: body.into(), ..Default::default() });
        Normalizer::new(NormalizeOptions::default()).unwrap().process(&mut doc).unwrap();
        doc
    }

    #[test]
    fn composes_with_an_earlier_map() {
        let body = "xx Hello  world.\n\nBye.";
        let mut doc = Document::new(Article { body: body.into(), ..Default::default() });
        // An earlier stage dropped "xx " from the text.
        doc.text = body[3..].to_string();
        let mut m = OffsetMap::default();
        m.push_copy(3, body.len() - 3);
        doc.offsets = m;
        Normalizer::new(NormalizeOptions::default()).unwrap().process(&mut doc).unwrap();
        assert_eq!(doc.text, "Hello world.\n\nBye.");
        let s = doc.source_span(doc.sentences[0].span);
        assert_eq!(&body[s.start..s.end], "Hello  world.");
        let s = doc.source_span(doc.sentences[1].span);
        assert_eq!(&body[s.start..s.end], "Bye.");
    }

    #[test]
    fn repeated_paragraphs_and_wrapped_lines() {
        let doc = run("The talks ended without a deal on Friday\nafternoon in Alaska.\n\nThe talks ended without a deal on Friday afternoon in Alaska.\n");
        assert_eq!(doc.text, "The talks ended without a deal on Friday afternoon in Alaska.");
        assert_eq!(doc.removed.len(), 1);
        assert_eq!(doc.removed[0].rule, "repeated-paragraph");
    }

    #[test]
    fn registers_and_builds_from_toml() {
        let mut r = Registry::new();
        register(&mut r);
        let reg = r.get("normalize").unwrap();
        assert_eq!(reg.def.needs, &["text"]);
        assert_eq!(reg.def.provides, &["normalized", "sentences"]);
        assert!(reg.options.iter().all(|o| !o.help.is_empty()), "{:?}", reg.options);
        let t: concord_core::toml::Table = concord_core::toml::from_str(
            "disable = [\"widget\"]\nabbreviations = [\"Approx\"]\n[[rules]]\nname = \"promo\"\npattern = \"^Subscribe\"\n",
        )
        .unwrap();
        let built = reg.build(&t, &Default::default()).unwrap();
        let mut doc = Document::new(Article { body: "Subscribe now\nIt is approx. ten.".into(), ..Default::default() });
        built.doc.unwrap().process(&mut doc).unwrap();
        assert_eq!(doc.removed[0].rule, "promo");
        assert_eq!(doc.sentences.len(), 1);
        let t: concord_core::toml::Table =
            concord_core::toml::from_str("[[rules]]\nname = \"x\"\npatern = \"y\"").unwrap();
        match reg.build(&t, &Default::default()) {
            Err(BuildError::Options { path, message }) => {
                assert_eq!(path, vec!["rules", "[0]", "patern"]);
                assert!(message.contains("unknown field `patern`"), "{message}");
            }
            _ => panic!("expected an options error"),
        }
    }

    #[test]
    fn options_are_checked() {
        let bad = NormalizeOptions { disable: vec!["nope".into()], ..Default::default() };
        assert!(Normalizer::new(bad).unwrap_err().to_string().contains("unknown rule `nope`"));
        let bad =
            NormalizeOptions { rules: vec![UserRule { name: "x".into(), pattern: "(".into() }], ..Default::default() };
        assert!(Normalizer::new(bad).unwrap_err().to_string().contains("rule `x`: bad pattern"));
    }

    #[test]
    fn user_rules_remove_lines() {
        let opts = NormalizeOptions {
            rules: vec![UserRule { name: "promo".into(), pattern: "^Download our app".into() }],
            disable: vec!["widget".into()],
            ..Default::default()
        };
        let mut doc = Document::new(Article {
            body: "Story here.\nDownload our app now!\nComments".into(),
            ..Default::default()
        });
        Normalizer::new(opts).unwrap().process(&mut doc).unwrap();
        assert_eq!(doc.text, "Story here.\n\nComments");
        assert_eq!(doc.removed, vec![Removed { span: Span::new(12, 33), rule: "promo".into() }]);
    }
}
