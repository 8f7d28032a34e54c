//! Evaluation on public data: the clustering decision on MRPC sentence pairs, and quote
//! extraction and speaker attribution on BASIL.
//!
//! Both read their data by path and return typed errors with the path at fault; callers
//! (the `concord eval` command) decide what to do when the data is absent.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use concord_core::{Article, Document, Sentence, SentenceKind, Span, UnitKind};

use crate::cluster::{Bands, Verifier};
use crate::key;
use crate::quotes::QuoteExtractor;
use crate::store::Store;
use crate::ClaimOptions;

/// Why an evaluation could not run: a data file that could not be read or parsed.
pub use concord_core::DataError as EvalError;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EvalError + '_ {
    move |source| EvalError::Io { path: path.to_path_buf(), source }
}

/// Pair classification scores: would the clustering put the two sentences in one cluster?
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairReport {
    /// Pairs read.
    pub pairs: usize,
    /// Paraphrases predicted together.
    pub tp: usize,
    /// Non-paraphrases predicted together (false merges).
    pub fp: usize,
    /// Paraphrases kept apart (misses).
    pub fn_: usize,
    /// Non-paraphrases kept apart.
    pub tn: usize,
    /// Pairs that LSH made candidates.
    pub candidates: usize,
}

impl PairReport {
    /// tp / (tp + fp).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// tp / (tp + fn).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// (tp + tn) / pairs.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.pairs)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl fmt::Display for PairReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pairs       {}", self.pairs)?;
        writeln!(f, "candidates  {} (LSH)", self.candidates)?;
        writeln!(f, "tp {}  fp {}  fn {}  tn {}", self.tp, self.fp, self.fn_, self.tn)?;
        writeln!(f, "precision   {:.3}", self.precision())?;
        writeln!(f, "recall      {:.3}", self.recall())?;
        writeln!(f, "f1          {:.3}", self.f1())?;
        write!(f, "accuracy    {:.3}", self.accuracy())
    }
}

/// Claim sentences packed as the [`crate::Clusterer`] packs its units, so that a pair
/// decision is exactly the clusterer's: LSH candidate (a shared band key) and verified
/// (similarity, with IDF over every sentence given, at or above the threshold).
pub struct PairJudge {
    store: Store,
    clustered: Vec<bool>,
    opts: ClaimOptions,
}

impl PairJudge {
    /// Packs `sentences` (each a claim sentence) with the options' rules.
    pub fn new<'a>(sentences: impl IntoIterator<Item = &'a str>, opts: &ClaimOptions) -> PairJudge {
        let mut store = Store::without_texts();
        let mut clustered = Vec::new();
        let mut bufs = key::TokenBuffers::default();
        let mut seq = Vec::new();
        for s in sentences {
            seq.clear();
            let words = key::content_tokens_into(s, &[], true, &mut bufs, &mut seq);
            let set = key::token_set(&seq);
            clustered.push(words >= opts.min_claim_words && set.len() >= opts.min_content_words);
            let span = Span::new(0, s.len());
            store
                .push(0, UnitKind::Claim, &set, words as u32, span, span, None, &[], ("", None, None))
                .expect("a store without texts writes no file");
        }
        PairJudge { store, clustered, opts: opts.clone() }
    }

    /// `(candidate, similarity, together)` for sentences `a` and `b` (indices in the order
    /// given): candidate means both are clustered and share an LSH band; together means
    /// candidate and verified at or above the threshold (with two units, star clustering
    /// joins exactly those).
    pub fn decide(&self, a: usize, b: usize) -> (bool, f64, bool) {
        self.decide_all(&[(a, b)])[0]
    }

    /// [`PairJudge::decide`] for many pairs, sharing the IDF weights and band keys.
    pub fn decide_all(&self, pairs: &[(usize, usize)]) -> Vec<(bool, f64, bool)> {
        let bands = Bands::new(&self.store, &self.opts);
        let mut keys: Vec<Vec<u32>> = vec![Vec::new(); self.clustered.len()];
        for &u in pairs.iter().flat_map(|(a, b)| [a, b]) {
            if keys[u].is_empty() {
                keys[u] = vec![0u32; self.opts.bands];
                bands.keys(u, 0, &mut keys[u]);
            }
        }
        let verifier = Verifier::new(&self.store, &self.opts);
        pairs
            .iter()
            .map(|&(a, b)| {
                let candidate =
                    self.clustered[a] && self.clustered[b] && keys[a].iter().zip(&keys[b]).any(|(x, y)| x == y);
                let sim = verifier.similarity(a, b);
                (candidate, sim, candidate && sim >= self.opts.threshold)
            })
            .collect()
    }
}

/// The decision the clustering makes for two claim sentences on their own (IDF over the
/// two): `(candidate, similarity, together)`, as [`PairJudge::decide`].
pub fn pair_decision(a: &str, b: &str, opts: &ClaimOptions) -> (bool, f64, bool) {
    PairJudge::new([a, b], opts).decide(0, 1)
}

/// Scores the clustering decision on a Microsoft Research Paraphrase file (tab-separated,
/// header line, optional UTF-8 BOM: `Quality`, `#1 ID`, `#2 ID`, `#1 String`, `#2 String`).
/// With `predictions`, writes one line per pair: ids, gold, predicted 0/1, similarity.
pub fn mrpc(path: &Path, predictions: Option<&Path>, opts: &ClaimOptions) -> Result<PairReport, EvalError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut out = match predictions {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p).map_err(io(p))?)),
        None => None,
    };
    let mut r = PairReport::default();
    // Every sentence of the file packed together: IDF over all of them, as the clusterer
    // computes it over its units.
    let rows: Vec<(usize, &str)> = text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()).collect();
    let mut fields: Vec<Vec<&str>> = Vec::with_capacity(rows.len());
    for &(n, line) in &rows {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 5 {
            return Err(EvalError::Format {
                path: path.into(),
                line: n + 1,
                message: format!("expected 5 tab-separated fields, found {}", f.len()),
            });
        }
        fields.push(f);
    }
    let judge = PairJudge::new(fields.iter().flat_map(|f| [f[3], f[4]]), opts);
    let pairs: Vec<(usize, usize)> = (0..fields.len()).map(|i| (2 * i, 2 * i + 1)).collect();
    let decisions = judge.decide_all(&pairs);
    for ((&(n, _), f), &(cand, sim, pred)) in rows.iter().zip(&fields).zip(&decisions) {
        let gold = match f[0].trim() {
            "1" => true,
            "0" => false,
            other => {
                return Err(EvalError::Format {
                    path: path.into(),
                    line: n + 1,
                    message: format!("label {other:?} is not 0 or 1"),
                })
            }
        };
        r.pairs += 1;
        r.candidates += cand as usize;
        match (gold, pred) {
            (true, true) => r.tp += 1,
            (false, true) => r.fp += 1,
            (true, false) => r.fn_ += 1,
            (false, false) => r.tn += 1,
        }
        if let (Some(w), Some(p)) = (out.as_mut(), predictions) {
            writeln!(w, "{}\t{}\t{}\t{}\t{:.4}", f[1], f[2], gold as u8, pred as u8, sim).map_err(io(p))?;
        }
    }
    if let (Some(mut w), Some(p)) = (out, predictions) {
        w.flush().map_err(io(p))?;
    }
    Ok(r)
}

/// Quote extraction and attribution scores on BASIL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuoteReport {
    /// Articles read.
    pub articles: usize,
    /// Quotes extracted.
    pub extracted: usize,
    /// Of those, how many got a speaker.
    pub attributed: usize,
    /// Annotated quotes (body sentences only; title quotes are left out).
    pub annotated: usize,
    /// Annotated quotes covered by an extracted quote (at least half of the annotated span).
    pub found: usize,
    /// Found annotated quotes whose annotated speaker is a named person.
    pub named: usize,
    /// Of those, how many got that person as speaker (same last name).
    pub speaker_correct: usize,
    /// Of those, how many got no speaker at all.
    pub speaker_none: usize,
}

impl QuoteReport {
    /// found / annotated.
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.annotated)
    }
    /// speaker_correct / named.
    pub fn speaker_accuracy(&self) -> f64 {
        ratio(self.speaker_correct, self.named)
    }
}

impl fmt::Display for QuoteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "articles          {}", self.articles)?;
        writeln!(f, "quotes extracted  {} ({} with a speaker)", self.extracted, self.attributed)?;
        writeln!(f, "annotated quotes  {}", self.annotated)?;
        writeln!(f, "quote recall      {:.3} ({}/{})", self.recall(), self.found, self.annotated)?;
        write!(
            f,
            "speaker accuracy  {:.3} ({}/{} named-person quotes found; {} without speaker)",
            self.speaker_accuracy(),
            self.speaker_correct,
            self.named,
            self.speaker_none
        )
    }
}

const ORG_WORDS: &[&str] = &[
    "party",
    "democrats",
    "republicans",
    "naacp",
    "house",
    "senate",
    "gop",
    "committee",
    "administration",
    "department",
    "court",
    "campaign",
    "news",
    "times",
    "post",
    "association",
    "council",
    "union",
    "coalition",
    "office",
    "agency",
    "white",
    "states",
    "government",
    "police",
    "obamacare",
    "congress",
    "media",
    "group",
    "anti",
    "pro",
    "supporters",
    "lawmakers",
    "democratic",
    "republican",
    "america",
    "now",
    "secure",
    "members",
    "leaders",
    "officials",
];

/// A BASIL speaker label that names a person (`Michael_Steele`): its last name, lower-cased.
fn named_person(label: &str) -> Option<String> {
    let parts: Vec<&str> = label.split('_').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 || parts.len() > 4 {
        return None;
    }
    if !parts.iter().all(|p| p.chars().next().is_some_and(char::is_uppercase)) {
        return None;
    }
    if parts.iter().any(|p| ORG_WORDS.contains(&p.to_lowercase().as_str())) {
        return None;
    }
    parts.last().map(|p| p.to_lowercase())
}

/// True when a word of the predicted speaker `name` is the label's last name `last` (from
/// [`named_person`]). BASIL's labels are ASCII and stop where the name has its first other
/// character (`Felipe_Calder` for Felipe Calderón), so a word cut there matches too.
fn speaker_matches(name: &str, last: &str) -> bool {
    name.split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'').any(|w| {
        let w = w.to_lowercase();
        w == last || w.find(|c: char| !c.is_ascii()).is_some_and(|i| i > 0 && w[..i] == *last)
    })
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, EvalError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(io(&d))? {
            let p = e.map_err(io(&d))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read_json(path: &Path) -> Result<serde_json::Value, EvalError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|e| EvalError::Format {
        path: path.into(),
        line: e.line(),
        message: e.to_string(),
    })
}

/// Byte offset of char offset `c` in `s` (clamped).
fn char_to_byte(s: &str, c: usize) -> usize {
    s.char_indices().nth(c).map_or(s.len(), |(b, _)| b)
}

/// Builds the document of a BASIL article (paragraphs joined by a blank line, sentences
/// by a space) and the byte start of each flattened sentence.
pub fn basil_document(article: &serde_json::Value) -> (Document, Vec<(usize, String)>) {
    let mut text = String::new();
    let mut sentences = Vec::new();
    let mut spans = Vec::new();
    let paras = article.get("body-paragraphs").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    for (pi, p) in paras.iter().enumerate() {
        let Some(sents) = p.as_array() else { continue };
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let mut first = true;
        for s in sents {
            let s = s.as_str().unwrap_or("");
            if !first {
                text.push(' ');
            }
            first = false;
            let start = text.len();
            text.push_str(s);
            spans.push(Sentence {
                span: Span::new(start, text.len()),
                kind: SentenceKind::Story,
                paragraph: pi as u32,
            });
            sentences.push((start, s.to_string()));
        }
    }
    let mut doc = Document::new(Article { body: text, ..Default::default() });
    doc.sentences = spans.into_iter().filter(|s| !s.span.is_empty()).collect();
    (doc, sentences)
}

/// Scores quote extraction (recall of annotated quotes) and speaker attribution (on quotes
/// whose annotated speaker is a named person) on the BASIL folder (`articles/`,
/// `annotations/`). No entity tagger runs here: speakers come from the attribution
/// patterns' own names ([`basil_quotes_with`] runs a tagger first).
pub fn basil_quotes(dir: &Path, opts: &ClaimOptions) -> Result<QuoteReport, EvalError> {
    basil_quotes_with(dir, opts, &|_| {}, None)
}

/// [`basil_quotes`], with `prepare` run on each BASIL document before quote extraction
/// (e.g. the entity tagger, so that speakers resolve to mentions as in a pipeline run).
/// With `predictions`, writes one tab-separated line per found quote whose annotated
/// speaker is a named person (`ok`/`wrong`/`none`), and one per other found quote
/// (`other`): file, sentence id, verdict, gold label, predicted speaker, rule, the quote's
/// first 100 characters.
pub fn basil_quotes_with(
    dir: &Path,
    opts: &ClaimOptions,
    prepare: &dyn Fn(&mut Document),
    predictions: Option<&Path>,
) -> Result<QuoteReport, EvalError> {
    let extractor = QuoteExtractor::new(opts.max_quote_bytes);
    let mut out = match predictions {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p).map_err(io(p))?)),
        None => None,
    };
    let mut r = QuoteReport::default();
    let art_dir = dir.join("articles");
    for path in json_files(&art_dir)? {
        let rel = path.strip_prefix(&art_dir).unwrap_or(&path).to_path_buf();
        let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let ann_path =
            dir.join("annotations").join(rel.parent().unwrap_or(Path::new(""))).join(format!("{stem}_ann.json"));
        if !ann_path.exists() {
            continue;
        }
        let article = read_json(&path)?;
        let ann = read_json(&ann_path)?;
        let (mut doc, sentences) = basil_document(&article);
        prepare(&mut doc);
        let quotes = extractor.extract(&doc);
        r.articles += 1;
        r.extracted += quotes.len();
        r.attributed += quotes.iter().filter(|q| q.speaker.is_some()).count();
        let anns = ann.get("phrase-level-annotations").and_then(|v| v.as_array()).cloned().unwrap_or_default();
        for a in anns {
            if a.get("quote").and_then(|v| v.as_str()) != Some("yes") {
                continue;
            }
            let id = a.get("id").and_then(|v| v.as_str()).unwrap_or("");
            let Some(k) = id.strip_prefix('p').and_then(|n| n.parse::<usize>().ok()) else { continue };
            let Some((s0, sent)) = sentences.get(k) else { continue };
            let cs = a.get("start").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            let ce = a.get("end").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            let span = Span::new(s0 + char_to_byte(sent, cs), s0 + char_to_byte(sent, ce.max(cs)));
            if span.is_empty() {
                continue;
            }
            r.annotated += 1;
            let best = quotes
                .iter()
                .map(|q| {
                    let ov = q.outer.end.min(span.end).saturating_sub(q.outer.start.max(span.start));
                    (ov, q)
                })
                .max_by_key(|(ov, q)| (*ov, std::cmp::Reverse(q.outer.start)));
            let Some((ov, q)) = best else { continue };
            if ov * 2 < span.len() {
                continue;
            }
            r.found += 1;
            let label = a.get("speaker").and_then(|v| v.as_str()).unwrap_or("");
            let Some(last) = named_person(label) else {
                if let (Some(w), Some(p)) = (out.as_mut(), predictions) {
                    let (name, rule) = q.speaker.as_ref().map_or(("", ""), |s| (s.name.as_str(), s.rule.as_str()));
                    let text: String =
                        doc.slice(q.span).chars().take(100).map(|c| if c == '\t' { ' ' } else { c }).collect();
                    writeln!(w, "{}\t{id}\tother\t{label}\t{name}\t{rule}\t{text}", rel.display()).map_err(io(p))?;
                }
                continue;
            };
            {
                r.named += 1;
                let verdict = match &q.speaker {
                    Some(s) => {
                        let ok = speaker_matches(&s.name, &last);
                        r.speaker_correct += ok as usize;
                        if ok {
                            "ok"
                        } else {
                            "wrong"
                        }
                    }
                    None => {
                        r.speaker_none += 1;
                        "none"
                    }
                };
                if let (Some(w), Some(p)) = (out.as_mut(), predictions) {
                    let text: String =
                        doc.slice(q.span).chars().take(100).map(|c| if c == '\t' { ' ' } else { c }).collect();
                    let (name, rule) = q.speaker.as_ref().map_or(("", ""), |s| (s.name.as_str(), s.rule.as_str()));
                    writeln!(w, "{}\t{id}\t{verdict}\t{label}\t{name}\t{rule}\t{text}", rel.display())
                        .map_err(io(p))?;
                }
            }
        }
    }
    if let (Some(mut w), Some(p)) = (out, predictions) {
        w.flush().map_err(io(p))?;
    }
    if r.articles == 0 {
        return Err(EvalError::Format {
            path: dir.into(),
            line: 0,
            message: "no BASIL article with annotations found".into(),
        });
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> PathBuf {
        std::env::var_os("CONCORD_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
    }

    #[test]
    fn mrpc_file_scores_and_writes_predictions() {
        let dir = std::env::temp_dir().join(format!("concord-claims-mrpc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("pairs.txt");
        std::fs::write(
            &f,
            "\u{feff}Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n\
             1\t1\t2\tThe company said profits rose sharply in the third quarter.\tProfits rose sharply in the third quarter, the company said.\n\
             0\t3\t4\tYucaipa sold the chain to Safeway in 1998 for $2.5 billion.\tYucaipa sold the chain to Safeway in 1995 for $1.8 billion.\n",
        )
        .unwrap();
        let out = dir.join("pred.tsv");
        let r = mrpc(&f, Some(&out), &ClaimOptions::default()).unwrap();
        assert_eq!((r.pairs, r.tp, r.tn), (2, 1, 1));
        let pred = std::fs::read_to_string(&out).unwrap();
        assert!(pred.starts_with("1\t2\t1\t1\t"), "{pred}");
        std::fs::write(&f, "h\n1\tonly\n").unwrap();
        assert!(matches!(mrpc(&f, None, &ClaimOptions::default()), Err(EvalError::Format { line: 2, .. })));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn named_person_labels() {
        assert_eq!(named_person("Michael_Steele").as_deref(), Some("steele"));
        assert_eq!(named_person("Tea_Party"), None);
        assert_eq!(named_person("other_anti"), None);
        assert!(speaker_matches("Felipe Calderón", "calder"));
        assert!(speaker_matches("Mr. Steele", "steele"));
        assert!(!speaker_matches("Calder Smith", "calderon"));
        assert!(!speaker_matches("Calderwood", "calder"));
    }

    #[test]
    fn a_sentence_with_an_extra_clause_is_a_larger_claim() {
        let a = "The board of Safeway approved the merger with Kroger on Monday.";
        let b = "The board of Safeway approved the merger with Kroger on Monday, despite strong protests \
                 from unions over closed stores.";
        let opts = ClaimOptions { threshold: 0.3, ..ClaimOptions::default() };
        let off = ClaimOptions { max_length_ratio: 0.0, ..opts.clone() };
        assert!(pair_decision(a, b, &off).2, "without the veto the pair is merged");
        assert_eq!(pair_decision(a, b, &opts), (true, 0.0, false));
        // A rephrasing of the same length is not vetoed.
        let c = "On Monday the Safeway board approved its merger with Kroger.";
        assert!(pair_decision(a, c, &opts).2);
    }

    #[test]
    fn mrpc_scores_if_present() {
        let f = data().join("mrpc/msr_paraphrase_train.txt");
        if !f.exists() {
            println!("skipped: {} not found", f.display());
            return;
        }
        let r = mrpc(&f, None, &ClaimOptions::default()).unwrap();
        println!("{r}");
        assert_eq!(r.pairs, 4076);
        assert!(r.precision() >= 0.88 && r.recall() >= 0.55, "{r}");
    }

    #[test]
    fn basil_quote_scores_if_present() {
        let dir = data().join("basil");
        if !dir.join("articles").exists() {
            println!("skipped: {} not found", dir.display());
            return;
        }
        let r = basil_quotes(&dir, &ClaimOptions::default()).unwrap();
        println!("{r}");
        assert!(r.articles >= 100 && r.annotated > 300);
        assert!(r.recall() > 0.9 && r.speaker_accuracy() > 0.85, "{r}");
    }
}
