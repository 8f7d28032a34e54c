//! CoNLL-2003 evaluation (entity-level, exact span and type, as `conlleval`) and training.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

use concord_core::{Article, DataError, Document, EntityKind, Sentence, SentenceKind, Span};

use crate::model::{self, train as train_model, Model, TrainSentence, LABELS};
use crate::tagger::{gaz_spans, sentence_ranges, tokenize_doc};
use crate::{EntityOptions, Tagger};

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A data file could not be read or parsed.
    #[error(transparent)]
    Data(#[from] concord_core::DataError),
    /// The tagger could not be built.
    #[error(transparent)]
    Tagger(#[from] crate::EntityError),
}

/// One CoNLL document: sentences of (token, gold label).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConllDoc {
    /// Sentences, each a list of (token, IOB2 label).
    pub sentences: Vec<Vec<(String, String)>>,
}

/// Reads a CoNLL-2003 file (first column token, last column label; IOB1 labels are
/// converted to IOB2).
pub fn read_conll(path: &Path) -> Result<Vec<ConllDoc>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::from(DataError::io(path, source)))?;
    let mut docs = vec![ConllDoc::default()];
    let mut sent: Vec<(String, String)> = Vec::new();
    fn flush(docs: &mut [ConllDoc], sent: &mut Vec<(String, String)>) {
        if !sent.is_empty() {
            if let Some(d) = docs.last_mut() {
                d.sentences.push(iob2(std::mem::take(sent)));
            }
        }
    }
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            flush(&mut docs, &mut sent);
            continue;
        }
        if cols[0] == "-DOCSTART-" {
            flush(&mut docs, &mut sent);
            if docs.last().is_some_and(|d| !d.sentences.is_empty()) {
                docs.push(ConllDoc::default());
            }
            continue;
        }
        let label = cols[cols.len() - 1];
        if cols.len() < 2 || !(label == "O" || model::parse_label(label).is_some()) {
            return Err(EvalError::from(DataError::Format {
                path: path.to_path_buf(),
                line: i + 1,
                message: format!("expected `token ... label` with label O, B-/I-PER/ORG/LOC/MISC, found {line:?}"),
            }));
        }
        sent.push((cols[0].to_string(), label.to_string()));
    }
    flush(&mut docs, &mut sent);
    docs.retain(|d| !d.sentences.is_empty());
    Ok(docs)
}

fn iob2(mut s: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut prev = "O".to_string();
    for (_, l) in s.iter_mut() {
        if let Some(t) = l.strip_prefix("I-") {
            if prev == "O" || &prev[2..] != t {
                *l = format!("B-{t}");
            }
        }
        prev = l.clone();
    }
    s
}

/// A CoNLL document rejoined into a [`Document`]: tokens separated by spaces, sentences
/// by newlines; returns the document and each token's span.
pub fn conll_document(doc: &ConllDoc, id: &str) -> (Document, Vec<Vec<Span>>) {
    let mut text = String::new();
    let mut spans = Vec::with_capacity(doc.sentences.len());
    let mut sentences = Vec::with_capacity(doc.sentences.len());
    for s in &doc.sentences {
        let start = text.len();
        let mut v = Vec::with_capacity(s.len());
        for (k, (tok, _)) in s.iter().enumerate() {
            if k > 0 {
                text.push(' ');
            }
            let a = text.len();
            text.push_str(tok);
            v.push(Span::new(a, text.len()));
        }
        sentences.push(Sentence { span: Span::new(start, text.len()), kind: SentenceKind::Story, paragraph: 0 });
        spans.push(v);
        text.push('\n');
    }
    let mut d = Document::new(Article { id: id.to_string(), body: text, ..Default::default() });
    d.sentences = sentences;
    (d, spans)
}

fn conll_type(k: EntityKind) -> &'static str {
    match k {
        EntityKind::Person => "PER",
        EntityKind::Org => "ORG",
        EntityKind::Loc => "LOC",
        EntityKind::Misc => "MISC",
    }
}

/// Counts of one entity type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted chunks that match a gold chunk exactly.
    pub correct: usize,
    /// Predicted chunks.
    pub predicted: usize,
    /// Gold chunks.
    pub gold: usize,
}

impl Counts {
    /// Precision.
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            0.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }
    /// Recall.
    pub fn recall(&self) -> f64 {
        if self.gold == 0 {
            0.0
        } else {
            self.correct as f64 / self.gold as f64
        }
    }
    /// F1.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// Entity-level scores of a tagging run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NerReport {
    /// Documents.
    pub documents: usize,
    /// Sentences.
    pub sentences: usize,
    /// Tokens.
    pub tokens: usize,
    /// Counts per CoNLL type (`LOC`, `MISC`, `ORG`, `PER`).
    pub per_type: BTreeMap<String, Counts>,
    /// Counts over all types.
    pub overall: Counts,
}

impl fmt::Display for NerReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} documents, {} sentences, {} tokens", self.documents, self.sentences, self.tokens)?;
        writeln!(
            f,
            "{:<8} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7}",
            "type", "precision", "recall", "F1", "gold", "pred", "correct"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, c: &Counts| {
            writeln!(
                f,
                "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>7} {:>7} {:>7}",
                name,
                c.precision(),
                c.recall(),
                c.f1(),
                c.gold,
                c.predicted,
                c.correct
            )
        };
        for (t, c) in &self.per_type {
            row(f, t, c)?;
        }
        row(f, "overall", &self.overall)
    }
}

/// Chunks (start, end, type) of an IOB2 label sequence, as conlleval reads them.
pub fn chunks(labels: &[&str]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, l) in labels.iter().enumerate() {
        let (tag, ty) = match l.split_once('-') {
            Some((t, ty)) => (t, ty),
            None => ("O", ""),
        };
        let continues = tag == "I" && cur.as_ref().is_some_and(|(_, t)| t == ty);
        if !continues {
            if let Some((s, t)) = cur.take() {
                out.push((s, i, t));
            }
            if tag == "B" || tag == "I" {
                cur = Some((i, ty.to_string()));
            }
        }
    }
    if let Some((s, t)) = cur {
        out.push((s, labels.len(), t));
    }
    out
}

/// Tags a CoNLL file with the default tagger (built-in gazetteer and model, discovery on),
/// scores it, and writes `token gold predicted` lines to `predictions` when given.
pub fn conll(path: &Path, predictions: Option<&Path>) -> Result<NerReport, EvalError> {
    let tagger = Tagger::new(&EntityOptions::default())?;
    conll_with(&tagger, path, predictions)
}

/// [`conll`] with a given tagger.
pub fn conll_with(tagger: &Tagger, path: &Path, predictions: Option<&Path>) -> Result<NerReport, EvalError> {
    let docs = read_conll(path)?;
    let mut report = NerReport { documents: docs.len(), ..Default::default() };
    let mut out = Vec::new();
    for t in ["LOC", "MISC", "ORG", "PER"] {
        report.per_type.insert(t.to_string(), Counts::default());
    }
    for (di, cd) in docs.iter().enumerate() {
        let (mut doc, spans) = conll_document(cd, &format!("conll-{di}"));
        tagger.tag(&mut doc);
        // token labels from mention spans
        for (si, sent) in cd.sentences.iter().enumerate() {
            let sp = &spans[si];
            let mut pred = vec!["O".to_string(); sent.len()];
            let (ss, se) = (sp.first().map(|s| s.start).unwrap_or(0), sp.last().map(|s| s.end).unwrap_or(0));
            for m in doc.mentions.iter().filter(|m| m.span.start < se && m.span.end > ss) {
                let mut first = true;
                for (k, t) in sp.iter().enumerate() {
                    if t.overlaps(m.span) {
                        let ty = conll_type(m.kind);
                        pred[k] = format!("{}-{ty}", if first { "B" } else { "I" });
                        first = false;
                    }
                }
            }
            let gold: Vec<&str> = sent.iter().map(|(_, l)| l.as_str()).collect();
            let predl: Vec<&str> = pred.iter().map(String::as_str).collect();
            let g = chunks(&gold);
            let p = chunks(&predl);
            for (_, _, t) in &g {
                report.per_type.entry(t.clone()).or_default().gold += 1;
            }
            for c in &p {
                let e = report.per_type.entry(c.2.clone()).or_default();
                e.predicted += 1;
                if g.contains(c) {
                    e.correct += 1;
                }
            }
            report.sentences += 1;
            report.tokens += sent.len();
            if predictions.is_some() {
                for ((tok, gl), pl) in sent.iter().zip(&pred) {
                    let _ = writeln!(out, "{tok} {gl} {pl}");
                }
                out.push(b'\n');
            }
        }
    }
    for c in report.per_type.values() {
        report.overall.correct += c.correct;
        report.overall.predicted += c.predicted;
        report.overall.gold += c.gold;
    }
    if let Some(p) = predictions {
        std::fs::write(p, &out).map_err(|source| EvalError::from(DataError::io(p, source)))?;
    }
    Ok(report)
}

/// Scores a predictions file of `token gold predicted` lines (what [`conll`] writes, or any
/// conlleval-style file: the last two columns are gold and predicted).
pub fn score_predictions(path: &Path) -> Result<NerReport, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::from(DataError::io(path, source)))?;
    let mut report = NerReport { documents: 1, ..Default::default() };
    let mut gold: Vec<String> = Vec::new();
    let mut pred: Vec<String> = Vec::new();
    let flush = |gold: &mut Vec<String>, pred: &mut Vec<String>, r: &mut NerReport| {
        if gold.is_empty() {
            return;
        }
        let g = chunks(&gold.iter().map(String::as_str).collect::<Vec<_>>());
        let p = chunks(&pred.iter().map(String::as_str).collect::<Vec<_>>());
        for (_, _, t) in &g {
            r.per_type.entry(t.clone()).or_default().gold += 1;
        }
        for c in &p {
            let e = r.per_type.entry(c.2.clone()).or_default();
            e.predicted += 1;
            if g.contains(c) {
                e.correct += 1;
            }
        }
        r.sentences += 1;
        r.tokens += gold.len();
        gold.clear();
        pred.clear();
    };
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            flush(&mut gold, &mut pred, &mut report);
            continue;
        }
        if cols.len() < 3 {
            return Err(EvalError::from(DataError::Format {
                path: path.to_path_buf(),
                line: i + 1,
                message: "expected 3 columns".into(),
            }));
        }
        gold.push(cols[cols.len() - 2].to_string());
        pred.push(cols[cols.len() - 1].to_string());
    }
    flush(&mut gold, &mut pred, &mut report);
    for c in report.per_type.values() {
        report.overall.correct += c.correct;
        report.overall.predicted += c.predicted;
        report.overall.gold += c.gold;
    }
    Ok(report)
}

/// Builds perceptron training data from a CoNLL file: the same text rebuilding,
/// tokenisation and gazetteer tags as tagging uses, gold labels projected onto tokens.
pub fn training_data(path: &Path, tagger: &Tagger) -> Result<Vec<Vec<TrainSentence>>, EvalError> {
    let docs = read_conll(path)?;
    let mut out = Vec::with_capacity(docs.len());
    for (di, cd) in docs.iter().enumerate() {
        let (doc, spans) = conll_document(cd, &format!("train-{di}"));
        let ranges = sentence_ranges(&doc);
        let tk = tokenize_doc(&doc.text, &ranges);
        let (_, tags) = gaz_spans(tagger.matcher(), &doc.text, &tk);
        let mut sents = Vec::with_capacity(cd.sentences.len());
        for (si, &(a, b, _)) in tk.sents.iter().enumerate() {
            let sp = &spans[si];
            let gold_s = &cd.sentences[si];
            let mut gold = Vec::with_capacity(b - a);
            for t in &tk.toks[a..b] {
                // the CoNLL token holding this token
                let k = sp.partition_point(|s| s.end <= t.start).min(sp.len().saturating_sub(1));
                let g = gold_s.get(k).map(|x| x.1.as_str()).unwrap_or("O");
                let first = sp.get(k).is_some_and(|s| s.start == t.start);
                let lab = match g.split_once('-') {
                    Some(("B", ty)) if first => format!("B-{ty}"),
                    Some((_, ty)) => format!("I-{ty}"),
                    None => "O".into(),
                };
                gold.push(LABELS.iter().position(|l| *l == lab).unwrap_or(0));
            }
            let words = tk.words[a..b].iter().map(|w| w.to_string()).collect();
            sents.push(TrainSentence { words, gaz: tags[a..b].to_vec(), gold });
        }
        out.push(sents);
    }
    Ok(out)
}

/// Trains the perceptron model on a CoNLL file (the built-in gazetteer supplies features).
pub fn train(path: &Path, epochs: usize) -> Result<Model, EvalError> {
    let tagger = Tagger::new(&EntityOptions { model: false, ..Default::default() })?;
    let data = training_data(path, &tagger)?;
    Ok(train_model(&data, crate::MODEL_BITS, epochs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_follow_conlleval() {
        let c = chunks(&["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]);
        assert_eq!(c, vec![(0, 2, "PER".into()), (3, 4, "LOC".into()), (4, 5, "LOC".into()), (5, 6, "ORG".into())]);
    }

    #[test]
    fn reads_and_scores_a_small_file() {
        let dir = std::env::temp_dir().join(format!("concord-entities-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("t.txt");
        std::fs::write(
            &f,
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n\n\
             Peter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\nsaid VBD O O\nin IN O O\nMoscow NNP O B-LOC\n. . O O\n",
        )
        .unwrap();
        let docs = read_conll(&f).unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].sentences.len(), 2);
        let pred = dir.join("p.txt");
        let tagger = Tagger::new(&EntityOptions { model: false, ..Default::default() }).unwrap();
        let r = conll_with(&tagger, &f, Some(&pred)).unwrap();
        assert_eq!(r.overall.gold, 4);
        assert_eq!(r.tokens, 10);
        // the gazetteer alone finds EU, German and Moscow; discovery finds Peter Blackburn (said)
        assert_eq!(r.overall.correct, 4, "{r}");
        let again = score_predictions(&pred).unwrap();
        assert_eq!(again.overall, r.overall);
        assert_eq!(again.per_type, r.per_type);
        std::fs::write(&f, "EU NNP B-NP B-ORGX\n").unwrap();
        assert!(read_conll(&f).unwrap_err().to_string().contains(":1:"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
