//! # concord-core: the vocabulary every concord crate shares
//!
//! concord turns news articles from many outlets into a map of what they agree on. This
//! crate holds what its stages have in common and nothing else (no I/O, no config files):
//!
//! - the per-article model: [`Article`] (as ingested, with its [`Source`]), [`Document`]
//!   (the article as stages enrich it: text with an [`OffsetMap`] back to source bytes,
//!   [`Sentence`]s, [`Mention`]s, [`Quote`]s, [`ClaimUnit`]s);
//! - the corpus model: [`Corpus`] with [`Entity`], [`Cluster`], [`CopyGroup`] and the
//!   per-input [`ArticleRecord`]s that reports are made of; long lists a stage keeps out of
//!   memory are [`Spooled`] (replayed in order on demand);
//! - the two stage traits, [`DocStage`] (per article, run in parallel) and [`CorpusStage`]
//!   (observe compact records, then finish once), and the [`Registry`] through which stage
//!   crates plug in without depending on the runner;
//! - shared text helpers: [`text::matching_key`] and specified, seeded hashes.
//!
//! Every span in a [`Document`] is a byte range of its text; [`Document::source_span`]
//! turns it into a byte range of the source, so every reported item keeps provenance.
//!
//! ```
//! use concord_core::{Article, Built, DocStage, Document, Registry, StageDef, StageError};
//!
//! /// A plugin stage that counts words into the document's metadata.
//! struct WordCount;
//! impl DocStage for WordCount {
//!     fn process(&self, doc: &mut Document) -> Result<(), StageError> {
//!         let n = doc.text.split_whitespace().count();
//!         doc.meta.insert("words".into(), (n.to_string(), Default::default()));
//!         Ok(())
//!     }
//! }
//!
//! let mut registry = Registry::new();
//! registry.register(
//!     StageDef { kind: "wordcount", description: "counts words", needs: &[], provides: &[], option_help: &[] },
//!     |_: toml::Table, _| Ok(Built::doc(WordCount)),
//! );
//! let stage = registry.get("wordcount").unwrap().build(&toml::Table::new(), &Default::default()).unwrap();
//! let mut doc = Document::new(Article { body: "Next time in Moscow.".into(), ..Default::default() });
//! stage.doc.unwrap().process(&mut doc).unwrap();
//! assert_eq!(doc.meta["words"].0, "4");
//! ```
//!
//! Not here: reading files (concord-ingest), configuration (concord-pipeline), writing
//! reports (concord-report).
#![deny(missing_docs)]

pub mod chunks;
pub mod corpus;
pub mod error;
pub mod model;
pub mod order;
pub mod span;
pub mod stage;
pub mod table;
pub mod text;

pub use corpus::{
    ArticleRecord, Cluster, CopyGroup, Corpus, Entity, Member, SingleSource, Spooled, StageStats, Stats, Status,
};
pub use error::DataError;
pub use model::{
    Article, ClaimUnit, Document, EntityKind, Extensions, LocalEntity, Mention, OutletFrom, Quote, Removed, Sentence,
    SentenceKind, Source, Speaker, UnitKind,
};
pub use span::{OffsetMap, Span};
pub use stage::{
    BuildContext, BuildError, Built, CorpusStage, DocStage, OptionInfo, Registration, Registry, StageDef, StageError,
};
pub use toml;
