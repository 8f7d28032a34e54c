//! # concord-entities: who and what each article is about
//!
//! The `entities` stage of concord. Per article, [`Tagger`] (a [`DocStage`](concord_core::DocStage)) finds entity
//! mentions and resolves them within the article; over the corpus, [`Resolver`] (a
//! [`CorpusStage`](concord_core::CorpusStage)) merges them across articles. Mentions come from three sources, longest
//! first and, at equal length, in this order of trust:
//!
//! 1. **Gazetteers** ([`Gazetteer`], compiled to one Aho-Corasick automaton by
//!    [`Gazetteer::compile`]): whole-word, leftmost-longest matches of every name and alias;
//!    an upper-case letter of a name must be upper-case in the text (so `US` never matches
//!    "us", `Chad` never "chad"); a possessive `'s`/`’s` is left out of the span.
//! 2. **Cue-based discovery** of names no list holds: titles and roles inside or before a
//!    capitalised sequence ("Foreign Minister Sergey Lavrov", "envoy Steve Witkoff"),
//!    appositions and speech verbs ("Hugh Hill, a doctor,", "Kimberly Halkett reported"),
//!    organisation heads ("... News", "... Court", "Ministry of ..."), place words ("Joint
//!    Base ..."), datelines and place cues ("in Anchorage").
//! 3. **A small averaged perceptron** ([`Model`], greedy BIO tagging over hashed word,
//!    shape, context, gazetteer and document-capitalisation features) trained on CoNLL-2003
//!    `train.txt` by [`eval::train`] and shipped as `model/ner.bin.gz`.
//!
//! Sentence-initial words are not names unless evidence says so: a capitalised first word
//! that the article also writes in lower case, or an `-ly`/`-ing`/`-ed` word never seen
//! capitalised elsewhere ("Unusually", "Chuckling"), is dropped. Headings keep only names
//! confirmed in the story. Within an article a surname or short form links to the full name
//! (Trump → Donald Trump, ICC → International Criminal Court), and the title seen with a
//! person is kept on each mention ([`concord_core::Mention::role`]).
//!
//! Across articles ([`Resolver`]) entities merge on gazetteer ids, canonical names,
//! multi-word and gazetteer aliases, names with titles stripped and a conservative
//! transliteration rule ([`translit_key`]: doubled letters, `-iy`/`-yy`/`-yi` endings, so
//! Zelensky, Zelenskyy and Zelenskiy meet); a one-word person merges into the only person
//! whose full name ends with it. Output: `corpus.entities` (stable ids from
//! [`concord_core::text::stable_id`]) and `corpus.entity_links`.
//!
//! ## Gazetteer format
//!
//! UTF-8 text, one entry per line, TAB-separated: `name`, `kind` (`PERSON`, `ORG`, `LOC` or
//! `MISC`), then optionally `aliases` separated by `|`, an `id` and a `url`. Lines starting
//! with `#` and blank lines are ignored. Entries with the same kind and name merge. The
//! default gazetteer (`config/gazetteers/*.tsv`: countries and demonyms, capitals and major
//! cities, regions, international organisations and news outlets, a few world leaders) is
//! compiled in; users add files with the `gazetteers` option.
//!
//! ## Example
//!
//! ```
//! use concord_core::{Article, Document, DocStage, EntityKind, Sentence, Span};
//! use concord_entities::{EntityOptions, Tagger};
//!
//! let tagger = Tagger::new(&EntityOptions::default()).unwrap();
//! let text = "Unusually, Foreign Minister Sergey Lavrov flew to Kiev. Lavrov’s aide said so.";
//! let mut doc = Document::new(Article { id: "a".into(), body: text.into(), ..Default::default() });
//! doc.sentences = vec![
//!     Sentence { span: Span::new(0, 55), ..Default::default() },
//!     Sentence { span: Span::new(56, text.len()), ..Default::default() },
//! ];
//! tagger.process(&mut doc).unwrap();
//! let lavrov = doc.entities.iter().position(|e| e.name == "Sergey Lavrov").unwrap();
//! assert_eq!(doc.entities[lavrov].kind, EntityKind::Person);
//! assert_eq!(doc.mentions.iter().filter(|m| m.entity == lavrov).count(), 2);
//! assert_eq!(doc.mentions[0].role.as_deref(), Some("Foreign Minister"));
//! assert!(doc.entities.iter().any(|e| e.name == "Kyiv" && e.aliases == ["Kiev"]));
//! assert!(!doc.mentions.iter().any(|m| m.surface == "Unusually"));
//! ```
//!
//! Evaluation: [`eval::conll`] scores the tagger on a CoNLL-2003 file (entity-level exact
//! match, as `conlleval`) and writes `token gold predicted` lines.
//!
//! Not here: coreference of pronouns, nested entities, entity linking to external
//! knowledge bases, languages other than English, and any network access.
#![deny(missing_docs)]

mod cues;
pub mod eval;
pub mod gazetteer;
pub mod model;
pub mod resolver;
pub mod tagger;
pub mod tokens;

use std::path::{Path, PathBuf};

use concord_core::{BuildContext, BuildError, Built, Registry, StageDef};
use serde::{Deserialize, Serialize};

pub use gazetteer::{GazEntry, Gazetteer, GazetteerError, Matcher};
pub use model::Model;
pub use resolver::{translit_key, Resolver};
pub use tagger::{Tagger, TaggerRecord};

/// Feature buckets of the model are `2^MODEL_BITS`.
pub const MODEL_BITS: u32 = 18;

/// Options of the `entities` stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EntityOptions {
    /// Use the default gazetteer compiled into concord.
    pub builtin: bool,
    /// Extra gazetteer files (TSV), relative to the config file.
    pub gazetteers: Vec<String>,
    /// Find names no gazetteer holds, with the cues of news writing.
    pub discovery: bool,
    /// Use the statistical tagger (trained on CoNLL-2003).
    pub model: bool,
    /// A model file to use instead of the built-in one.
    pub model_path: Option<String>,
    /// Merge transliteration variants across articles (Zelensky/Zelenskyy).
    pub transliteration: bool,
}

impl Default for EntityOptions {
    fn default() -> Self {
        EntityOptions {
            builtin: true,
            gazetteers: Vec::new(),
            discovery: true,
            model: true,
            model_path: None,
            transliteration: true,
        }
    }
}

/// Why the entity stage could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EntityError {
    /// A gazetteer file is bad.
    #[error(transparent)]
    Gazetteer(#[from] GazetteerError),
    /// The model file is bad.
    #[error("model {path}: {source}")]
    Model {
        /// The model file (`<builtin>` for the compiled-in one).
        path: PathBuf,
        /// What is wrong.
        source: model::ModelError,
    },
}

impl Tagger {
    /// Builds the tagger from options, resolving relative paths against the working directory.
    pub fn new(opts: &EntityOptions) -> Result<Tagger, EntityError> {
        Tagger::build(opts, &BuildContext::default())
    }

    /// Builds the tagger from options, resolving relative paths with `cx`.
    pub fn build(opts: &EntityOptions, cx: &BuildContext) -> Result<Tagger, EntityError> {
        let mut g = if opts.builtin { Gazetteer::builtin() } else { Gazetteer::new() };
        for p in &opts.gazetteers {
            g.merge(Gazetteer::load(&cx.resolve(p))?);
        }
        let matcher = g.compile()?;
        let model = if !opts.model {
            None
        } else if let Some(p) = &opts.model_path {
            let path = cx.resolve(p);
            let bytes = std::fs::read(&path)
                .map_err(|e| EntityError::Model { path: path.clone(), source: model::ModelError::Io(e) })?;
            Some(Model::from_bytes(&bytes).map_err(|source| EntityError::Model { path, source })?)
        } else {
            Model::builtin()
        };
        Ok(Tagger::from_parts(matcher, model, opts.discovery))
    }
}

/// The path of the default gazetteer folder inside the source tree (for tools and tests).
pub fn gazetteer_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/gazetteers"))
}

/// Registers the `entities` stage kind.
pub fn register(registry: &mut Registry) {
    let def = StageDef {
        kind: "entities",
        description:
            "entity mentions (gazetteers, name discovery, CoNLL-trained tagger) and cross-article alias resolution",
        needs: &["sentences"],
        provides: &["mentions", "entities"],
        option_help: &[
            ("builtin", "use the default gazetteer (countries, places, organisations, outlets, leaders)"),
            ("gazetteers", "extra gazetteer files (TSV: name, kind, aliases|..., id, url), relative to the config"),
            ("discovery", "find names no gazetteer holds, from titles, appositions, org heads and place cues"),
            ("model", "use the statistical tagger trained on CoNLL-2003"),
            ("model_path", "a model file to use instead of the built-in one"),
            ("transliteration", "merge transliteration variants across articles (Zelensky/Zelenskyy)"),
        ],
    };
    registry.register(def, |opts: EntityOptions, cx| {
        let tagger = Tagger::build(&opts, cx).map_err(|e| {
            let key = match &e {
                EntityError::Gazetteer(_) => "gazetteers",
                EntityError::Model { .. } => "model_path",
            };
            BuildError::invalid(key, e.to_string())
        })?;
        Ok(Built::both(tagger, Resolver::new(opts.transliteration)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_builds() {
        let mut r = Registry::new();
        register(&mut r);
        let reg = r.get("entities").unwrap();
        assert_eq!(reg.def.needs, &["sentences"]);
        let built = reg.build(&toml::Table::new(), &BuildContext::default()).unwrap();
        assert!(built.doc.is_some() && built.corpus.is_some());
        let t: toml::Table = toml::from_str("gazetteers = [\"nope.tsv\"]").unwrap();
        let err = reg.build(&t, &BuildContext::default()).err().unwrap();
        assert!(matches!(&err, BuildError::Invalid { key: Some(k), .. } if k == "gazetteers"), "{err}");
        let t: toml::Table = toml::from_str("discovery = \"yes\"").unwrap();
        assert!(reg.build(&t, &BuildContext::default()).is_err());
        assert!(reg.options.iter().any(|o| o.name == "model_path" && o.default == "none"));
    }
}
