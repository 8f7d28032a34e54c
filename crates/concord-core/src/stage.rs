//! The two stage traits and the registry through which stage crates plug in.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::corpus::Corpus;
use crate::model::Document;

/// Why a stage failed on one article (the article is rejected, the run goes on), or why
/// a corpus stage failed (the run fails).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StageError(pub String);

impl StageError {
    /// A stage error with this message.
    pub fn new(msg: impl Into<String>) -> StageError {
        StageError(msg.into())
    }
}

/// A per-article stage: a pure function of one document.
///
/// Implementations hold no shared mutable state, so the runner calls `process` from
/// many threads at once. An error (or a panic) rejects that article only.
pub trait DocStage: Send + Sync {
    /// Enriches or rewrites one document.
    fn process(&self, doc: &mut Document) -> Result<(), StageError>;
}

impl<T: DocStage + ?Sized> DocStage for &T {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        (**self).process(doc)
    }
}

impl<T: DocStage + ?Sized> DocStage for Box<T> {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        (**self).process(doc)
    }
}

/// A corpus stage: observes compact records of every processed document, then runs once.
///
/// `observe` is called once per successfully processed article, in a deterministic order
/// (input order), after the per-article stages; it should copy out only what `finish`
/// needs (the text of a chunk is dropped afterwards). `finish` runs once, in pipeline
/// order, and writes its results into the [`Corpus`] (where later corpus stages see them).
/// The runner fills `corpus.articles` only after the last `finish` (until then the records
/// wait outside memory, where the run's memory peaks): what a stage needs of each article it
/// takes in `observe`.
pub trait CorpusStage: Send {
    /// Takes what this stage needs from one processed document.
    fn observe(&mut self, doc: &Document) -> Result<(), StageError>;
    /// Computes the corpus-level result.
    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError>;
}

impl<T: CorpusStage + ?Sized> CorpusStage for Box<T> {
    fn observe(&mut self, doc: &Document) -> Result<(), StageError> {
        (**self).observe(doc)
    }
    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        (**self).finish(corpus)
    }
}

/// What a configured `[[stages]]` entry builds: a per-article part, a corpus part, or both.
#[derive(Default)]
pub struct Built {
    /// The per-article part.
    pub doc: Option<Box<dyn DocStage>>,
    /// The corpus part.
    pub corpus: Option<Box<dyn CorpusStage>>,
}

impl Built {
    /// Only a per-article part.
    pub fn doc(stage: impl DocStage + 'static) -> Built {
        Built { doc: Some(Box::new(stage)), corpus: None }
    }

    /// Only a corpus part.
    pub fn corpus(stage: impl CorpusStage + 'static) -> Built {
        Built { doc: None, corpus: Some(Box::new(stage)) }
    }

    /// Both parts.
    pub fn both(doc: impl DocStage + 'static, corpus: impl CorpusStage + 'static) -> Built {
        Built { doc: Some(Box::new(doc)), corpus: Some(Box::new(corpus)) }
    }
}

/// Context for building a stage: where relative paths in its options start.
#[derive(Clone, Debug, Default)]
pub struct BuildContext {
    /// Folder of the config file; relative paths in options are resolved against it.
    pub base_dir: PathBuf,
}

impl BuildContext {
    /// Resolves a path from the options against the config's folder.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        let p = path.as_ref();
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
}

/// Why a stage could not be built from its options.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The options did not deserialize: `path` is the key path inside the stage table
    /// (e.g. `["rules", "2", "pattern"]`; empty for the table itself).
    #[error("{message}")]
    Options {
        /// Key path inside the stage's table.
        path: Vec<String>,
        /// What was wrong and what is allowed.
        message: String,
    },
    /// An option has a valid type but an invalid value (a missing file, a bad pattern).
    #[error("{message}")]
    Invalid {
        /// The option at fault, if one is.
        key: Option<String>,
        /// What was wrong and what is allowed.
        message: String,
    },
}

impl BuildError {
    /// An invalid value for option `key`.
    pub fn invalid(key: &str, message: impl Into<String>) -> BuildError {
        BuildError::Invalid { key: Some(key.to_string()), message: message.into() }
    }
}

/// Documentation of one option of a stage, as `concord stages` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionInfo {
    /// Key name.
    pub name: String,
    /// Type, as a TOML reader would say it (`string`, `integer`, `array of strings`, ...).
    pub ty: String,
    /// Default value, in TOML syntax (`none` when unset).
    pub default: String,
    /// One line of help.
    pub help: String,
}

/// What a stage kind declares when it registers.
#[derive(Clone, Debug)]
pub struct StageDef {
    /// The name used as `kind = "..."` in the config.
    pub kind: &'static str,
    /// One line saying what it does.
    pub description: &'static str,
    /// Capabilities that an earlier stage must provide (`sentences`, `mentions`, ...).
    pub needs: &'static [&'static str],
    /// Capabilities it provides to later stages.
    pub provides: &'static [&'static str],
    /// Help for each option: `(name, help)`; names, types and defaults come from the
    /// options type itself.
    pub option_help: &'static [(&'static str, &'static str)],
}

type Ctor = Box<dyn Fn(&toml::Table, &BuildContext) -> Result<Built, BuildError> + Send + Sync>;

/// One registered stage kind.
pub struct Registration {
    /// Its declaration.
    pub def: StageDef,
    /// Its options, documented.
    pub options: Vec<OptionInfo>,
    ctor: Ctor,
}

impl Registration {
    /// Builds the stage from the options table of its `[[stages]]` entry (without `kind`).
    pub fn build(&self, options: &toml::Table, cx: &BuildContext) -> Result<Built, BuildError> {
        (self.ctor)(options, cx)
    }
}

/// Maps stage kinds to their constructors. Stage crates add themselves with their
/// `register` function; the runner looks kinds up here and knows none by name.
#[derive(Default)]
pub struct Registry {
    stages: Vec<Registration>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers a stage kind whose options deserialize into `O` (use
    /// `#[serde(default, deny_unknown_fields)]` on it) and are turned into the running stage
    /// by `build`. Registering a kind twice replaces the earlier registration.
    pub fn register<O, F>(&mut self, def: StageDef, build: F)
    where
        O: DeserializeOwned + Serialize + Default + 'static,
        F: Fn(O, &BuildContext) -> Result<Built, BuildError> + Send + Sync + 'static,
    {
        let options = describe_options::<O>(def.option_help);
        let ctor: Ctor = Box::new(move |table, cx| {
            let value = toml::Value::Table(table.clone());
            let opts: O = serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().iter().map(|s| s.to_string()).collect();
                BuildError::Options { path, message: e.into_inner().to_string() }
            })?;
            build(opts, cx)
        });
        self.stages.retain(|r| r.def.kind != def.kind);
        self.stages.push(Registration { def, options, ctor });
    }

    /// The registration of `kind`, if any.
    pub fn get(&self, kind: &str) -> Option<&Registration> {
        self.stages.iter().find(|r| r.def.kind == kind)
    }

    /// Every registration, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &Registration> {
        self.stages.iter()
    }

    /// Every registered kind, in registration order.
    pub fn kinds(&self) -> Vec<&'static str> {
        self.stages.iter().map(|r| r.def.kind).collect()
    }
}

/// Names, types and defaults of an options type, read off its serialized default.
fn describe_options<O: Serialize + Default>(help: &[(&str, &str)]) -> Vec<OptionInfo> {
    let mut out = Vec::new();
    let table = toml::Value::try_from(O::default()).ok().and_then(|v| v.as_table().cloned()).unwrap_or_default();
    for (name, value) in &table {
        let help = help.iter().find(|(n, _)| n == name).map(|(_, h)| h.to_string()).unwrap_or_default();
        out.push(OptionInfo { name: name.clone(), ty: type_name(value), default: value.to_string(), help });
    }
    // Options that default to nothing are absent from the serialized default.
    for (name, h) in help {
        if !table.contains_key(*name) {
            out.push(OptionInfo {
                name: name.to_string(),
                ty: "optional".into(),
                default: "none".into(),
                help: h.to_string(),
            });
        }
    }
    out
}

fn type_name(v: &toml::Value) -> String {
    match v {
        toml::Value::String(_) => "string".into(),
        toml::Value::Integer(_) => "integer".into(),
        toml::Value::Float(_) => "float".into(),
        toml::Value::Boolean(_) => "boolean".into(),
        toml::Value::Datetime(_) => "datetime".into(),
        toml::Value::Array(a) => match a.first() {
            Some(first) => format!("array of {}s", type_name(first)),
            None => "array".into(),
        },
        toml::Value::Table(_) => "table".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    struct Opts {
        threshold: f64,
        words: Vec<String>,
        label: Option<String>,
    }

    impl Default for Opts {
        fn default() -> Self {
            Opts { threshold: 0.5, words: vec!["a".into()], label: None }
        }
    }

    struct Upper;
    impl DocStage for Upper {
        fn process(&self, doc: &mut Document) -> Result<(), StageError> {
            doc.text = doc.text.to_uppercase();
            Ok(())
        }
    }

    fn registry() -> Registry {
        let mut r = Registry::new();
        let def = StageDef {
            kind: "upper",
            description: "upper-cases text",
            needs: &[],
            provides: &["text"],
            option_help: &[("threshold", "a number"), ("label", "a label")],
        };
        r.register(def, |o: Opts, _| {
            if o.threshold > 1.0 {
                return Err(BuildError::invalid("threshold", "must be at most 1"));
            }
            Ok(Built::doc(Upper))
        });
        r
    }

    #[test]
    fn options_are_described_from_defaults() {
        let r = registry();
        let opts = &r.get("upper").unwrap().options;
        let names: Vec<_> = opts.iter().map(|o| (o.name.as_str(), o.ty.as_str(), o.default.as_str())).collect();
        assert_eq!(
            names,
            vec![
                ("threshold", "float", "0.5"),
                ("words", "array of strings", "[\"a\"]"),
                ("label", "optional", "none")
            ]
        );
    }

    #[test]
    fn bad_options_carry_their_path() {
        let r = registry();
        let t: toml::Table = toml::from_str("threshold = \"high\"").unwrap();
        match r.get("upper").unwrap().build(&t, &BuildContext::default()) {
            Err(BuildError::Options { path, message }) => {
                assert_eq!(path, vec!["threshold"]);
                assert!(message.contains("expected f64"), "{message}");
            }
            _ => panic!("expected an options error"),
        }
        let t: toml::Table = toml::from_str("treshold = 0.3").unwrap();
        let err = r.get("upper").unwrap().build(&t, &BuildContext::default()).err().unwrap();
        assert!(err.to_string().contains("unknown field `treshold`"), "{err}");
        let t: toml::Table = toml::from_str("threshold = 3.0").unwrap();
        let err = r.get("upper").unwrap().build(&t, &BuildContext::default()).err().unwrap();
        assert_eq!(err, BuildError::invalid("threshold", "must be at most 1"));
    }

    #[test]
    fn built_stage_runs() {
        let r = registry();
        let built = r.get("upper").unwrap().build(&toml::Table::new(), &BuildContext::default()).unwrap();
        let mut doc = Document::new(crate::Article { body: "abc".into(), ..Default::default() });
        built.doc.unwrap().process(&mut doc).unwrap();
        assert_eq!(doc.text, "ABC");
    }
}
