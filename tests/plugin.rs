//! A user's own stage, defined here, registered beside the built-in ones and run from TOML:
//! what a plugin crate does.

use concord_core::{BuildError, Built, Corpus, CorpusStage, DocStage, Document, StageDef, StageError};
use concord_pipeline::{default_registry, run, Config, Progress, RunOptions};
use serde::{Deserialize, Serialize};

/// Rejects articles that mention a banned word; counts the words of the others.
#[derive(Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct BanOptions {
    word: String,
}

impl Default for BanOptions {
    fn default() -> Self {
        BanOptions { word: "forbidden".into() }
    }
}

struct Ban {
    word: String,
}

impl DocStage for Ban {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        if doc.text.contains(&self.word) {
            return Err(StageError::new(format!("mentions `{}`", self.word)));
        }
        Ok(())
    }
}

#[derive(Default)]
struct WordTotal(usize);

impl CorpusStage for WordTotal {
    fn observe(&mut self, doc: &Document) -> Result<(), StageError> {
        self.0 += doc.text.split_whitespace().count();
        Ok(())
    }
    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        corpus.stats.warnings.push(format!("ban: {} words in kept articles", self.0));
        Ok(())
    }
}

fn registry() -> concord_core::Registry {
    let mut r = default_registry();
    let def = StageDef {
        kind: "ban",
        description: "rejects articles that mention a word",
        needs: &["text"],
        provides: &[],
        option_help: &[("word", "the banned word")],
    };
    r.register(def, |o: BanOptions, _| {
        if o.word.is_empty() {
            return Err(BuildError::invalid("word", "must not be empty"));
        }
        Ok(Built::both(Ban { word: o.word }, WordTotal::default()))
    });
    r
}

#[test]
fn a_custom_stage_runs_from_toml() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = concord_pipeline::config::clean(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"));
    let text = format!(
        "[input]\npaths = [{:?}]\n\n[[stages]]\nkind = \"ban\"\nword = \"Elmendorf\"\n\n[output]\ndir = \"out\"\nformats = [\"json\"]\n",
        seeds.to_str().unwrap()
    );
    let path = dir.path().join("c.toml");
    std::fs::write(&path, &text).unwrap();
    let mut config = Config::load(&path, &registry()).expect("config with a plugin stage validates");
    let summary = run(&mut config, &RunOptions { progress: Progress::Quiet, ..RunOptions::default() }).unwrap();
    let c = &summary.corpus;
    // Seeds 000 and 002 name Joint Base Elmendorf-Richardson.
    let rejected: Vec<_> = c.articles.iter().filter(|a| a.error.is_some()).map(|a| a.id.as_str()).collect();
    assert_eq!(rejected, ["000_9a8c5db4834b4168", "002_afcfc646e43ddad3"]);
    assert!(c.articles[0].error.as_deref().unwrap().contains("stage `ban`: mentions `Elmendorf`"));
    assert_eq!(c.stats.ok, 3);
    assert!(c.stats.warnings.iter().any(|w| w.starts_with("ban: ") && !w.starts_with("ban: 0 ")));
    assert!(dir.path().join("out/report.json").exists());

    // Its options are validated like any built-in stage's.
    std::fs::write(&path, text.replace("word = \"Elmendorf\"", "word = \"\"")).unwrap();
    let err = Config::load(&path, &registry()).err().expect("empty word is invalid");
    assert_eq!(err.0.len(), 1);
    assert_eq!((err.0[0].line, err.0[0].column), (6, 8));
    assert!(err.0[0].message.contains("stage `ban` `word`: must not be empty"), "{}", err.0[0].message);
}
