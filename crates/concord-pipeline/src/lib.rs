//! # concord-pipeline: configuration, stage registry and runner
//!
//! Reads a TOML config ([`Config`]), validates all of it before any work (every error at
//! once, each with file, line and column and, for unknown names, the closest valid one),
//! builds the configured stages through a [`Registry`], and runs them ([`run`]): inputs are
//! streamed in chunks, per-article stages run in parallel with rayon, corpus stages see
//! compact records in input order, reports are written atomically. The runner knows no
//! stage by name: [`default_registry`] is the one place that lists the built-in stage
//! crates, and a user's own stage crate registers into the same [`Registry`].
//!
//! ```no_run
//! use concord_pipeline::{default_registry, run, Config, RunOptions};
//!
//! let registry = default_registry();
//! let mut config = Config::load("config/default.toml".as_ref(), &registry).expect("valid config");
//! let summary = run(&mut config, &RunOptions::default()).expect("run");
//! println!("{} clusters", summary.corpus.clusters.len());
//! ```
//!
//! Not here: the stages themselves (the stage crates), reading formats (concord-ingest),
//! report formats (concord-report), command-line parsing (the `concord` binary).
#![deny(missing_docs)]

pub mod config;
pub mod inspect;
mod records;
pub mod runner;

pub use concord_core::Registry;
pub use config::{closest, Config, ConfigError, ConfigErrors, RuntimeOptions, StageConfig};
pub use inspect::{document_json, inspect, InspectError};
pub use runner::{
    cpu_seconds, process, run, PhaseTiming, Progress, RunError, RunOptions, RunSummary, RunTimings, StageTiming,
};

/// The stage crates, re-exported for the CLI's `eval` commands and for library users.
pub mod stages {
    pub use concord_claims as claims;
    pub use concord_entities as entities;
    pub use concord_normalize as normalize;
}
pub use concord_ingest as ingest;
pub use concord_report as report;

/// A registry holding every built-in stage kind.
pub fn default_registry() -> Registry {
    let mut registry = Registry::new();
    concord_normalize::register(&mut registry);
    concord_entities::register(&mut registry);
    concord_claims::register(&mut registry);
    registry
}
