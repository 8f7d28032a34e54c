//! # concord-claims: what is said, by whom, and how many independent outlets report it
//!
//! This crate is the heart of concord. It has two parts, like every concord stage:
//!
//! - a per-article part, [`ClaimStage`] (a [`DocStage`]): finds direct quotations with
//!   their speakers ([`QuoteExtractor`], usable alone), turns each story sentence and each
//!   quote into a claim unit (`doc.quotes`, `doc.units`), and keeps a compact private record
//!   per article in `doc.ext` (unit texts, source spans, stemmed content words, word
//!   counts, the speaker's local entity, and a one-permutation MinHash signature of the
//!   whole article for copy detection);
//! - a corpus part, [`Clusterer`] (a [`CorpusStage`]): packs the clustered units of those
//!   records in `observe` (content words as interned ids, texts spilled to a temporary
//!   file), and in `finish` generates candidate pairs with MinHash + LSH banding over each
//!   unit's content-word set, one band at a time and in parallel (never all pairs),
//!   verifies them (see [`key`] for the similarity and why), clusters around cores so
//!   chains never join unrelated units, finds near-copy articles (syndication, re-posts)
//!   and counts them once, counts corroboration by distinct outlet, ranks the clusters,
//!   and lists single-source claims and quotes.
//!
//! [`ClaimOptions`] holds every parameter (the `[[stages]]` table of kind `claims`);
//! [`register`] adds the stage kind to a [`concord_core::Registry`]; [`eval`] measures the
//! clustering decision on MRPC and quote extraction and attribution on BASIL.
//!
//! ```
//! use concord_claims::{ClaimOptions, ClaimStage, Clusterer};
//! use concord_core::{Article, ArticleRecord, Corpus, CorpusStage, DocStage, Document, Sentence, Span};
//!
//! let bodies = [("a", "wire", "\"There's no deal until there's a deal,\" Trump said on Friday."),
//!               ("b", "daily", "Trump said: “No deal until there is a deal.”")];
//! let opts = ClaimOptions::default();
//! let stage = ClaimStage::new(&opts);
//! let mut clusterer = Clusterer::new(&opts);
//! let mut corpus = Corpus::default();
//! for (id, outlet, body) in bodies {
//!     let mut doc = Document::new(Article { id: id.into(), outlet: outlet.into(), body: body.into(), ..Default::default() });
//!     doc.sentences.push(Sentence { span: Span::new(0, body.len()), ..Default::default() });
//!     stage.process(&mut doc).unwrap();
//!     clusterer.observe(&doc).unwrap();
//!     corpus.articles.push(ArticleRecord { id: id.into(), ..Default::default() });
//! }
//! clusterer.finish(&mut corpus).unwrap();
//! let top = &corpus.clusters[0];
//! assert_eq!(top.outlets, vec!["daily".to_string(), "wire".to_string()]);
//! assert_eq!(top.speaker_name.as_deref(), Some("Trump"));
//! ```
//!
//! ## Measured (defaults; `cargo run --release -p concord-claims --example eval`)
//!
//! - MRPC train (4,076 pairs), "would the two land in one cluster" (LSH candidate and
//!   verified, [`eval::PairJudge`]): precision 0.885, recall 0.560, F1 0.69 (unigram
//!   Jaccard >= 0.5 gives 0.82 / 0.65). The length veto (`max_length_ratio = 1.4`: a
//!   sentence with 40% more words than the other is a larger claim) moved the curve:
//!   without it 0.873 / 0.565 at the same threshold, and no threshold reached 0.88 at
//!   recall 0.55; on three folds of the file, picking threshold and ratio on two thirds,
//!   the held-out third scored 0.875-0.889 precision at 0.55-0.57 recall.
//! - BASIL (210 annotated articles, 497 annotated quotes; `concord eval quotes`): quote
//!   recall 0.960; speaker accuracy on found quotes whose annotated speaker is a named
//!   person 0.928 (181 of 195) with the entity tagger run first, as in the pipeline, and
//!   0.897 (175 of 195) with names from the attribution patterns alone.
//! - `cargo bench -p concord-claims` on BBC News (2,225 articles, 5.0 MB, 42,393 units;
//!   2-core VM, other builds running): per-article part 10.8 MiB/s, corpus part 178k
//!   units/s. Corpus time per article on synthetic corpora (BBC words, stories of five
//!   articles sharing sentences): 23 us at 10^3 articles, 35 us at 10^4, 48 us at 10^5.
//!   It grows because LSH candidates per distinct unit do (0.25, 0.9, 4.6: with a fixed
//!   chance of an accidental band collision per pair, more units meet by chance); the
//!   rest is linear. Timings move by a third from run to run on this machine; in one
//!   back-to-back pair of runs the defaults gave 29, 50 and 64 us and `num_hashes = 150`
//!   (5 rows a band: fewer accidental candidates) 30, 38 and 53 us, at MRPC recall 0.53
//!   instead of 0.56: worth it from about 10^6 articles.
//! - Memory: a clustered unit costs a 20-byte row and 4 bytes to find its record in a
//!   temporary file (its texts, sentence span, speaker and entities), plus 4 bytes a
//!   content word of each distinct word set. LSH holds ten band keys a unit at a time.
//!   Identical units (same kind and word set) are one node: on the `concord bench` corpus
//!   of 100 MB (perturbed copies of BBC and Reuters) the corpus part went from 17.8 s to
//!   7.1 s with it.
//!
//! Deliberately not here: sentence splitting and boilerplate removal (concord-normalize),
//! entity tagging and cross-article entity linking (concord-entities; this crate only maps
//! local speaker entities to their global ids through [`concord_core::Corpus::entity_id`]),
//! indirect speech ("Trump said that …" without quote marks is a claim, not a quote), and
//! stance or truth of claims.
#![deny(missing_docs)]

pub mod cluster;
pub mod eval;
pub mod key;
pub mod quotes;
mod spool;
pub mod stage;
mod store;

pub use cluster::Clusterer;
pub use quotes::QuoteExtractor;
pub use stage::{ClaimRecord, ClaimStage, UnitRecord};

use concord_core::{BuildError, Built, CorpusStage, DocStage, Registry, StageDef};
use serde::{Deserialize, Serialize};

/// Options of the `claims` stage: every parameter of extraction, clustering and copy
/// detection. Defaults work on the seed articles and on MRPC (see the crate's README note).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimOptions {
    /// Number of MinHash functions per unit signature (over the unit's content-word set).
    pub num_hashes: usize,
    /// Number of LSH bands (`num_hashes / bands` rows each); more bands find more candidates.
    pub bands: usize,
    /// Largest LSH bucket compared in full; in bigger buckets each unit is compared with
    /// this many neighbours only (keeps time linear on very common shingles).
    pub max_bucket: usize,
    /// Verification similarity at or above which two units are the same claim.
    pub threshold: f64,
    /// Weight of a name (capitalised word) in the similarity.
    pub name_weight: f64,
    /// Weight of a number in the similarity.
    pub number_weight: f64,
    /// Veto a pair when both sides carry a number the other lacks.
    pub number_veto: bool,
    /// Veto a pair when both sides carry at least this many names the other lacks (0 = off).
    pub name_veto: usize,
    /// Veto a pair when only one side is negated (`not`, `never`, `no`, `n't`).
    pub negation_veto: bool,
    /// Veto a pair when one side carries at least this many numbers the other lacks (0 = off).
    pub extra_number_veto: usize,
    /// Mix, in `[0, 1]`, of the weighted Jaccard with the share of the larger side the other
    /// covers (favours two rephrasings over a sentence plus an extra clause; 0 = off).
    pub balance: f64,
    /// Veto a pair of claim sentences when one has more than this many times the words of
    /// the other: a sentence plus an extra clause is a larger claim (0 = off; quotes and
    /// their fragments are exempt).
    pub max_length_ratio: f64,
    /// Quotes with fewer words than this are kept as quotes but not clustered on their own
    /// (scare quotes such as "constructive").
    pub min_quote_words: usize,
    /// Sentences with fewer words than this are not claim units worth clustering.
    pub min_claim_words: usize,
    /// Units with fewer content words than this are not clustered.
    pub min_content_words: usize,
    /// Join consecutive quotes of the same speaker in one sentence or adjacent sentences
    /// into one quote unit (`"We didn't get there," he admitted. He added: "But …"`).
    pub join_adjacent_quotes: bool,
    /// Longest gap in bytes between two quotes joined by `join_adjacent_quotes`.
    pub join_max_gap: usize,
    /// Longest quote in bytes (longer spans are taken as unmatched marks).
    pub max_quote_bytes: usize,
    /// Words per shingle of the article-level signature used for copy detection.
    pub copy_shingle_size: usize,
    /// MinHash functions of the article-level signature.
    pub copy_num_hashes: usize,
    /// LSH bands of the article-level signature.
    pub copy_bands: usize,
    /// Estimated Jaccard similarity of two articles' texts at or above which one is a
    /// near-copy of the other (it then counts once).
    pub copy_threshold: f64,
}

impl Default for ClaimOptions {
    fn default() -> Self {
        ClaimOptions {
            num_hashes: 120,
            bands: 30,
            max_bucket: 50,
            threshold: 0.52,
            name_weight: 1.0,
            number_weight: 3.0,
            number_veto: true,
            name_veto: 2,
            negation_veto: true,
            extra_number_veto: 0,
            balance: 0.0,
            max_length_ratio: 1.4,
            min_quote_words: 4,
            min_claim_words: 5,
            min_content_words: 3,
            join_adjacent_quotes: true,
            join_max_gap: 200,
            max_quote_bytes: 3000,
            copy_shingle_size: 5,
            copy_num_hashes: 64,
            copy_bands: 16,
            copy_threshold: 0.8,
        }
    }
}

impl ClaimOptions {
    /// Checks the values (positive sizes, thresholds in `[0, 1]`, bands dividing hashes).
    pub fn validate(&self) -> Result<(), BuildError> {
        let positive = [
            ("num_hashes", self.num_hashes),
            ("bands", self.bands),
            ("max_bucket", self.max_bucket),
            ("copy_shingle_size", self.copy_shingle_size),
            ("copy_num_hashes", self.copy_num_hashes),
            ("copy_bands", self.copy_bands),
            ("max_quote_bytes", self.max_quote_bytes),
        ];
        for (k, v) in positive {
            if v == 0 {
                return Err(BuildError::invalid(k, "must be at least 1"));
            }
        }
        if self.num_hashes % self.bands != 0 {
            return Err(BuildError::invalid("bands", format!("must divide num_hashes ({})", self.num_hashes)));
        }
        if self.copy_num_hashes % self.copy_bands != 0 {
            return Err(BuildError::invalid(
                "copy_bands",
                format!("must divide copy_num_hashes ({})", self.copy_num_hashes),
            ));
        }
        for (k, v) in
            [("threshold", self.threshold), ("copy_threshold", self.copy_threshold), ("balance", self.balance)]
        {
            if !(0.0..=1.0).contains(&v) {
                return Err(BuildError::invalid(k, "must be between 0 and 1"));
            }
        }
        if !(self.max_length_ratio == 0.0 || self.max_length_ratio >= 1.0 && self.max_length_ratio.is_finite()) {
            return Err(BuildError::invalid("max_length_ratio", "must be 0 (off) or a number of at least 1"));
        }
        for (k, v) in [("name_weight", self.name_weight), ("number_weight", self.number_weight)] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(BuildError::invalid(k, "must be a positive number"));
            }
        }
        Ok(())
    }

    /// The similarity weights these options select.
    pub fn weights(&self) -> key::Weights {
        key::Weights {
            name: self.name_weight,
            number: self.number_weight,
            number_veto: self.number_veto,
            name_veto: self.name_veto,
            negation_veto: self.negation_veto,
            extra_number_veto: self.extra_number_veto,
            balance: self.balance,
        }
    }
}

const OPTION_HELP: &[(&str, &str)] = &[
    ("num_hashes", "MinHash functions per unit (over its set of stemmed content words)"),
    ("bands", "LSH bands (must divide num_hashes); more bands, more candidate pairs"),
    ("max_bucket", "LSH buckets larger than this compare each unit with this many neighbours only"),
    ("threshold", "verification similarity (weighted Jaccard of content words) to join a cluster core"),
    ("name_weight", "weight of capitalised words (names) in the similarity"),
    ("number_weight", "weight of numbers in the similarity"),
    ("number_veto", "reject pairs where both sides have a number the other lacks"),
    ("name_veto", "reject pairs where both sides have this many names the other lacks (0 = off)"),
    ("negation_veto", "reject pairs where only one side is negated"),
    ("extra_number_veto", "reject pairs where one side has this many numbers the other lacks (0 = off)"),
    ("balance", "mix of weighted Jaccard with the share of the larger side covered (0 = plain Jaccard)"),
    (
        "max_length_ratio",
        "reject claim pairs where one sentence has more than this many times the other's words (0 = off)",
    ),
    ("min_quote_words", "shorter quotes are kept but not clustered on their own"),
    ("min_claim_words", "shorter sentences are not clustered"),
    ("min_content_words", "units with fewer content words are not clustered"),
    ("join_adjacent_quotes", "join consecutive quotes of one speaker into one quote unit"),
    ("join_max_gap", "longest gap in bytes between two joined quotes"),
    ("max_quote_bytes", "longest quote in bytes"),
    ("copy_shingle_size", "words per shingle of the article signature (copy detection)"),
    ("copy_num_hashes", "MinHash functions of the article signature"),
    ("copy_bands", "LSH bands of the article signature"),
    ("copy_threshold", "estimated text Jaccard at which an article is a near-copy of another"),
];

/// Registers the `claims` stage kind: per-article [`ClaimStage`] plus corpus [`Clusterer`].
pub fn register(registry: &mut Registry) {
    let def = StageDef {
        kind: "claims",
        description: "quotes with speakers, claim units, clustering by MinHash/LSH, copies, corroboration by outlet",
        needs: &["sentences", "mentions"],
        provides: &["quotes", "units", "clusters"],
        option_help: OPTION_HELP,
    };
    registry.register(def, |opts: ClaimOptions, _cx| {
        opts.validate()?;
        let doc: Box<dyn DocStage> = Box::new(ClaimStage::new(&opts));
        let corpus: Box<dyn CorpusStage> = Box::new(Clusterer::new(&opts));
        Ok(Built { doc: Some(doc), corpus: Some(corpus) })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::BuildContext;

    #[test]
    fn registers_with_checked_options() {
        let mut r = Registry::new();
        register(&mut r);
        let reg = r.get("claims").unwrap();
        assert!(reg.options.iter().any(|o| o.name == "threshold" && o.default == "0.52"));
        let built = reg.build(&toml::Table::new(), &BuildContext::default()).unwrap();
        assert!(built.doc.is_some() && built.corpus.is_some());
        let t: toml::Table = toml::from_str("bands = 7").unwrap();
        assert_eq!(
            reg.build(&t, &BuildContext::default()).err().unwrap(),
            BuildError::invalid("bands", "must divide num_hashes (120)")
        );
        let t: toml::Table = toml::from_str("treshold = 0.4").unwrap();
        assert!(reg.build(&t, &BuildContext::default()).is_err());
    }
}
