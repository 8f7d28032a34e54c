//! A small averaged-perceptron sequence tagger (greedy, BIO labels, hashed features).
//!
//! Trained by [`train`] on CoNLL-2003 `train.txt`; the trained weights ship as
//! `model/ner.bin.gz` (regenerate with
//! `cargo run --release -p concord-entities --example train -- <train.txt> crates/concord-entities/model/ner.bin.gz <valid.txt> 8`).

use std::collections::HashSet;
use std::io::{Read, Write};

use concord_core::text::{fnv1a64, mix64};
use concord_core::EntityKind;

use crate::tokens::{case_of, shape, Case};

/// The labels: `O`, then `B-`/`I-` for PER, ORG, LOC, MISC.
pub const LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
const NL: usize = LABELS.len();
const MAGIC: &[u8; 6] = b"CNER1\n";

/// Label index of `B-` (`inside = false`) or `I-` of a kind.
pub fn label_of(kind: EntityKind, inside: bool) -> usize {
    let k = match kind {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Loc => 2,
        EntityKind::Misc => 3,
    };
    1 + 2 * k + usize::from(inside)
}

/// Kind of a non-`O` label.
pub fn kind_of(label: usize) -> Option<EntityKind> {
    match label {
        1 | 2 => Some(EntityKind::Person),
        3 | 4 => Some(EntityKind::Org),
        5 | 6 => Some(EntityKind::Loc),
        7 | 8 => Some(EntityKind::Misc),
        _ => None,
    }
}

/// Parses a CoNLL label (`B-PER`, `I-LOC`, `O`; IOB1 `I-` handled by the caller).
pub fn parse_label(s: &str) -> Option<usize> {
    LABELS.iter().position(|l| *l == s)
}

/// Document-level evidence about words (capitalisation habits), shared by all sentences.
#[derive(Debug, Default)]
pub struct DocWords {
    /// Words (lower-cased) seen written in lower case.
    pub lower: HashSet<String>,
    /// Words seen capitalised away from the start of a sentence.
    pub cap_mid: HashSet<String>,
}

impl DocWords {
    /// Collects evidence from sentences given as word lists.
    pub fn add_sentence(&mut self, words: &[&str]) {
        let caps = mostly_upper(words);
        for (i, w) in words.iter().enumerate() {
            match case_of(w) {
                Case::Lower => {
                    self.lower.insert(w.to_lowercase());
                }
                Case::Title | Case::Upper if i > 0 && !caps && !is_opening(words[i - 1]) => {
                    self.cap_mid.insert(w.to_string());
                }
                _ => {}
            }
        }
    }
}

fn is_opening(w: &str) -> bool {
    matches!(w, "\"" | "“" | "'" | "‘" | "(" | "[" | "-" | "–" | "—" | ":" | "*" | "•")
}

/// True when most letters of the sentence are upper-case (a wire headline).
pub fn mostly_upper(words: &[&str]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for w in words {
        for c in w.chars() {
            if c.is_uppercase() {
                up += 1;
            } else if c.is_lowercase() {
                low += 1;
            }
        }
    }
    up > 3 && up > 2 * low
}

/// One sentence to tag: its words and, per word, the gazetteer tag (0 = none, else
/// `1 + label_of(kind, inside)`).
pub struct SentenceInput<'a> {
    /// The words.
    pub words: Vec<&'a str>,
    /// Gazetteer tag per word.
    pub gaz: Vec<u8>,
}

/// Index of the word that starts the sentence proper (after opening punctuation).
fn first_word(words: &[&str]) -> usize {
    words.iter().position(|w| !is_opening(w)).unwrap_or(0)
}

fn h(tag: u64, s: &str) -> u64 {
    mix64(fnv1a64(s.as_bytes()) ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn h2(tag: u64, a: &str, b: &str) -> u64 {
    mix64(h(tag, a) ^ fnv1a64(b.as_bytes()))
}

/// Static features of each word (independent of earlier labels).
fn static_features(s: &SentenceInput, doc: &DocWords) -> Vec<Vec<u64>> {
    let n = s.words.len();
    let lower: Vec<String> = s.words.iter().map(|w| w.to_lowercase()).collect();
    let mut shapes = Vec::with_capacity(n);
    let mut buf = String::new();
    for w in &s.words {
        shape(w, &mut buf);
        shapes.push(buf.clone());
    }
    let caps = mostly_upper(&s.words);
    let first = first_word(&s.words);
    let get = |v: &[String], i: isize| -> String {
        if i < 0 {
            "<s>".into()
        } else {
            v.get(i as usize).cloned().unwrap_or_else(|| "</s>".into())
        }
    };
    let gz = |i: isize| -> String {
        if i < 0 || i as usize >= n {
            "-".into()
        } else {
            s.gaz[i as usize].to_string()
        }
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let w = s.words[i];
        let lw = &lower[i];
        let sh = &shapes[i];
        let ii = i as isize;
        let mut f = Vec::with_capacity(28);
        f.push(h(1, ""));
        f.push(h(2, lw));
        f.push(h(3, w));
        f.push(h(4, sh));
        let chars: Vec<char> = lw.chars().collect();
        let suf = |k: usize| chars[chars.len().saturating_sub(k)..].iter().collect::<String>();
        let pre = |k: usize| chars[..k.min(chars.len())].iter().collect::<String>();
        f.push(h(5, &suf(3)));
        f.push(h(6, &suf(2)));
        f.push(h(7, &pre(3)));
        f.push(h(8, &get(&lower, ii - 1)));
        f.push(h(9, &get(&lower, ii + 1)));
        f.push(h(10, &get(&lower, ii - 2)));
        f.push(h(11, &get(&lower, ii + 2)));
        f.push(h(12, &get(&shapes, ii - 1)));
        f.push(h(13, &get(&shapes, ii + 1)));
        f.push(h2(14, &get(&lower, ii - 1), lw));
        f.push(h2(15, lw, &get(&lower, ii + 1)));
        f.push(h(16, &gz(ii)));
        f.push(h(17, &gz(ii - 1)));
        f.push(h(18, &gz(ii + 1)));
        f.push(h2(19, &gz(ii), sh));
        if i == first {
            f.push(h(20, sh));
            f.push(h(21, lw));
        }
        if caps {
            f.push(h(22, sh));
            f.push(h(23, lw));
        }
        let case = case_of(w);
        if matches!(case, Case::Title | Case::Upper) {
            let seen_lower = doc.lower.contains(lw.as_str());
            let seen_mid = doc.cap_mid.contains(w);
            f.push(h(24, &format!("{}{}{}", u8::from(seen_lower), u8::from(seen_mid), u8::from(i == first))));
        }
        f.push(h(25, &format!("{}", chars.len().min(12))));
        out.push(f);
    }
    out
}

fn dyn_features(prev: usize, prev2: usize, shape_feat: u64, out: &mut [u64; 3]) {
    out[0] = mix64(0x51 ^ prev as u64);
    out[1] = mix64(0x52 ^ ((prev as u64) << 8) ^ shape_feat);
    out[2] = mix64(0x53 ^ ((prev as u64) << 8) ^ ((prev2 as u64) << 16));
}

fn allowed(prev: usize, label: usize) -> bool {
    // I-X only after B-X or I-X
    if label == 0 || label % 2 == 1 {
        return true;
    }
    prev == label || prev + 1 == label
}

/// Averaged-perceptron weights over hashed features.
#[derive(Clone, Debug)]
pub struct Model {
    bits: u32,
    weights: Vec<f32>,
}

/// Why a model file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Not a model file or a truncated one.
    #[error("invalid model data: {0}")]
    Format(String),
    /// I/O error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

static BUILTIN: &[u8] = include_bytes!("../model/ner.bin.gz");

impl Model {
    /// An untrained model with `2^bits` feature buckets.
    pub fn new(bits: u32) -> Model {
        Model { bits, weights: vec![0.0; (1usize << bits) * NL] }
    }

    /// The model trained on CoNLL-2003 that ships with the crate, if it was built in.
    pub fn builtin() -> Option<Model> {
        if BUILTIN.is_empty() {
            return None;
        }
        Model::from_bytes(BUILTIN).ok()
    }

    fn row(&self, f: u64) -> usize {
        ((f >> 7) as usize & ((1usize << self.bits) - 1)) * NL
    }

    fn score(&self, feats: &[u64], dynf: &[u64; 3], out: &mut [f32; NL]) {
        *out = [0.0; NL];
        for &f in feats.iter().chain(dynf.iter()) {
            let r = self.row(f);
            for (o, w) in out.iter_mut().zip(&self.weights[r..r + NL]) {
                *o += *w;
            }
        }
    }

    /// Greedy left-to-right decoding: one label index per word.
    pub fn predict(&self, s: &SentenceInput, doc: &DocWords) -> Vec<usize> {
        let feats = static_features(s, doc);
        let mut labels = Vec::with_capacity(feats.len());
        let (mut prev, mut prev2) = (0usize, 0usize);
        let mut scores = [0.0f32; NL];
        let mut d = [0u64; 3];
        for f in &feats {
            dyn_features(prev, prev2, f[3], &mut d);
            self.score(f, &d, &mut scores);
            let best = best_allowed(&scores, prev);
            labels.push(best);
            prev2 = prev;
            prev = best;
        }
        labels
    }

    /// Serialises to gzip-compressed bytes (weights quantised to 16 bits).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let max = self.weights.iter().fold(0.0f32, |m, w| m.max(w.abs())).max(1e-9);
        let scale = 32767.0 / max;
        let mut raw = Vec::with_capacity(16 + self.weights.len() * 2);
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&scale.to_le_bytes());
        for w in &self.weights {
            raw.extend_from_slice(&((w * scale).round() as i16).to_le_bytes());
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&raw)?;
        Ok(enc.finish()?)
    }

    /// Reads what [`Model::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw)?;
        if raw.len() < 14 || &raw[..6] != MAGIC {
            return Err(ModelError::Format("bad header".into()));
        }
        let bits = u32::from_le_bytes([raw[6], raw[7], raw[8], raw[9]]);
        let scale = f32::from_le_bytes([raw[10], raw[11], raw[12], raw[13]]);
        if !(8..=24).contains(&bits) || scale <= 0.0 {
            return Err(ModelError::Format(format!("bad parameters: bits {bits}, scale {scale}")));
        }
        let n = (1usize << bits) * NL;
        let body = &raw[14..];
        if body.len() != n * 2 {
            return Err(ModelError::Format(format!("expected {} weight bytes, found {}", n * 2, body.len())));
        }
        let weights = body.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 / scale).collect();
        Ok(Model { bits, weights })
    }
}

fn best_allowed(scores: &[f32; NL], prev: usize) -> usize {
    let mut best = 0;
    let mut bs = f32::NEG_INFINITY;
    for (l, &s) in scores.iter().enumerate() {
        if allowed(prev, l) && s > bs {
            bs = s;
            best = l;
        }
    }
    best
}

/// One training sentence: words, gazetteer tags and gold labels.
pub struct TrainSentence {
    /// Words.
    pub words: Vec<String>,
    /// Gazetteer tag per word (see [`SentenceInput`]).
    pub gaz: Vec<u8>,
    /// Gold label per word.
    pub gold: Vec<usize>,
}

/// Trains an averaged perceptron over documents (lists of sentences), `epochs` passes in a
/// fixed pseudo-random order (seeded: the result is reproducible).
pub fn train(docs: &[Vec<TrainSentence>], bits: u32, epochs: usize) -> Model {
    let mut model = Model::new(bits);
    let mut acc = vec![0.0f32; model.weights.len()];
    let mut c: f32 = 1.0;
    // precompute features
    let mut items: Vec<(Vec<Vec<u64>>, &Vec<usize>)> = Vec::new();
    for doc in docs {
        let mut dw = DocWords::default();
        for s in doc {
            let w: Vec<&str> = s.words.iter().map(String::as_str).collect();
            dw.add_sentence(&w);
        }
        for s in doc {
            let input = SentenceInput { words: s.words.iter().map(String::as_str).collect(), gaz: s.gaz.clone() };
            items.push((static_features(&input, &dw), &s.gold));
        }
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut scores = [0.0f32; NL];
    let mut d = [0u64; 3];
    for epoch in 0..epochs {
        order.sort_by_key(|&i| mix64(i as u64 ^ mix64(epoch as u64 + 1)));
        for &k in &order {
            let (feats, gold) = &items[k];
            let (mut prev, mut prev2) = (0usize, 0usize);
            for (f, &g) in feats.iter().zip(gold.iter()) {
                dyn_features(prev, prev2, f[3], &mut d);
                model.score(f, &d, &mut scores);
                let guess = best_allowed(&scores, prev);
                if guess != g {
                    for &x in f.iter().chain(d.iter()) {
                        let r = model.row(x);
                        model.weights[r + g] += 1.0;
                        model.weights[r + guess] -= 1.0;
                        acc[r + g] += c;
                        acc[r + guess] -= c;
                    }
                }
                c += 1.0;
                prev2 = prev;
                prev = guess;
            }
        }
    }
    for (w, a) in model.weights.iter_mut().zip(&acc) {
        *w -= a / c;
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(words: &str, gold: &str) -> TrainSentence {
        let words: Vec<String> = words.split(' ').map(String::from).collect();
        let gold = gold.split(' ').map(|l| parse_label(l).unwrap()).collect();
        TrainSentence { gaz: vec![0; words.len()], words, gold }
    }

    #[test]
    fn learns_a_toy_pattern_and_round_trips() {
        let docs = vec![vec![
            sent("Mr Abel Brown went to Paris .", "O B-PER I-PER O O B-LOC O"),
            sent("Mr Carl Dunn flew to Rome .", "O B-PER I-PER O O B-LOC O"),
            sent("the cat went to Oslo .", "O O O O B-LOC O"),
        ]];
        let m = train(&docs, 12, 8);
        let input = SentenceInput { words: "Mr Abel Dunn went to Rome .".split(' ').collect(), gaz: vec![0; 7] };
        let labels = m.predict(&input, &DocWords::default());
        let names: Vec<&str> = labels.iter().map(|&l| LABELS[l]).collect();
        assert_eq!(names, vec!["O", "B-PER", "I-PER", "O", "O", "B-LOC", "O"]);
        let back = Model::from_bytes(&m.to_bytes().unwrap()).unwrap();
        assert_eq!(back.predict(&input, &DocWords::default()), labels);
        assert!(Model::from_bytes(b"nonsense").is_err());
    }

    #[test]
    fn bio_constraint_holds() {
        assert!(allowed(1, 2));
        assert!(!allowed(0, 2));
        assert!(!allowed(3, 2));
        assert!(allowed(2, 2));
    }
}
