//! # concord-report: the report contract and its writers
//!
//! The last step of a concord run: it turns the run's [`concord_core::Corpus`] into the files
//! people and tools read, all written atomically (temporary file, then rename):
//!
//! - `report.json`: the versioned contract ([`SCHEMA_VERSION`] 1, JSON Schema in [`SCHEMA`]),
//!   made by [`report_json`] from the [`Report`] model; byte-identical for the same corpus;
//!   [`validate_report`] checks a report against the schema (for end-to-end tests);
//! - JSON Lines exports for data tools (`articles.jsonl`, `mentions.jsonl`, `quotes.jsonl`,
//!   `clusters.jsonl`, `entities.jsonl`), one flat row per item ([`MentionRow`], [`QuoteRow`],
//!   [`ClusterRow`], ...), streamable with [`JsonlWriter`];
//! - `report.md`: a summary for a terminal or a repository ([`report_markdown`]);
//! - `report.html`: one self-contained page ([`report_html`]): a coverage matrix (clusters ×
//!   outlets, sortable), expandable clusters showing each source sentence with the quote
//!   highlighted, quotes by speaker, entities, single-source items, rejects and copies, run
//!   statistics. Every value is HTML-escaped by the template engine and a
//!   Content-Security-Policy lets only the page's own script run.
//!
//! The main entry points are [`write_reports`] (what the config's `[output]` section, an
//! [`OutputOptions`], asks for) and [`write_reports_with`] (the same, with the mention and
//! quote rows the pipeline collects, see [`ReportInput`]).
//!
//! ```
//! use concord_core::{ArticleRecord, Corpus};
//! use concord_report::{report_json, write_reports, Format, OutputOptions};
//!
//! let corpus = Corpus {
//!     articles: vec![ArticleRecord { id: "a1".into(), path: "seeds/a.txt".into(), ..Default::default() }],
//!     ..Default::default()
//! };
//! let json = report_json(&corpus);
//! assert!(json.starts_with("{\n  \"schema_version\": 1,"));
//!
//! let dir = tempfile::tempdir().unwrap();
//! let opts = OutputOptions { formats: vec![Format::Json, Format::Md], ..Default::default() };
//! let written = write_reports(&corpus, &opts, dir.path()).unwrap();
//! assert_eq!(written.len(), 2);
//! assert_eq!(std::fs::read_to_string(&written[0]).unwrap(), json);
//! ```
//!
//! Not here: running stages, reading inputs, or resolving the output folder against the
//! config file (the pipeline does that and passes `dir`). Reports hold no timings, so two
//! runs on the same input give byte-identical files.
#![deny(missing_docs)]

mod html;
mod io;
mod markdown;
mod model;
mod rows;
mod schema;

use std::path::{Path, PathBuf};

use concord_core::Corpus;
use serde::{Deserialize, Serialize};

pub use html::{report_html, HtmlLimits};
pub use io::{write_atomic, write_jsonl, AtomicFile, JsonlWriter};
pub use markdown::report_markdown;
pub use model::{
    report_json, ArticleOut, ClusterOut, CopyOut, EntityOut, MemberOut, Report, SingleSourceOut, StageOut, StatsOut,
    Summary, SCHEMA_VERSION,
};
pub use rows::{
    article_rows, cluster_rows, link_mention, mention_rows, quote_rows, quote_rows_from_clusters, ClusterRow,
    MentionRow, QuoteRow,
};
pub use schema::{check_against, validate_report};

/// The JSON Schema (draft 2020-12) of `report.json` version 1.
pub const SCHEMA: &str = include_str!("../schema/report-v1.schema.json");

/// Why writing a report failed.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be created, written or renamed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A row could not be serialised.
    #[error("{}: cannot serialise a row: {message}", path.display())]
    Json {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The HTML template failed to render.
    #[error("report.html: template error: {0}")]
    Template(String),
}

/// One output format of the `[output] formats` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `report.json`, the versioned contract.
    Json,
    /// The JSON Lines exports (`articles`, `mentions`, `quotes`, `clusters`, `entities`).
    Jsonl,
    /// `report.md`.
    Md,
    /// `report.html`.
    Html,
}

/// The config's `[output]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputOptions {
    /// Output folder, relative to the config file (the pipeline resolves it). Default `out`.
    pub dir: String,
    /// Formats to write: any of `json`, `jsonl`, `md`, `html`. Default: all four.
    pub formats: Vec<Format>,
    /// Most corroborated and single-source items listed in `report.md`. Default 20.
    pub top: usize,
    /// Clusters shown in the HTML coverage matrix and cluster list (most corroborated
    /// first; `report.json` always has all). Default 500.
    pub html_clusters: usize,
    /// Rows of the entities tables in `report.md` and `report.html`. Default 200.
    pub max_entities: usize,
    /// Single-source items embedded in `report.json` (in article order). On a large corpus
    /// almost every sentence is single-source, so the complete list goes to
    /// `single_source.jsonl` (with `jsonl`) and `summary.single_source` counts them all.
    /// 0 embeds all. Default 10000.
    pub max_single_source: usize,
}

impl Default for OutputOptions {
    fn default() -> OutputOptions {
        OutputOptions {
            dir: "out".into(),
            formats: vec![Format::Json, Format::Jsonl, Format::Md, Format::Html],
            top: 20,
            html_clusters: 500,
            max_entities: 200,
            max_single_source: 10_000,
        }
    }
}

impl OutputOptions {
    /// True when `f` is among the formats to write.
    pub fn wants(&self, f: Format) -> bool {
        self.formats.contains(&f)
    }
}

/// Where a JSONL export's rows come from.
#[derive(Clone, Debug, Default)]
pub enum Rows<'a, T> {
    /// Derive them from the corpus alone: quotes from the quote clusters' members; mentions
    /// cannot be derived (the corpus keeps only per-article counts), so the file is empty.
    #[default]
    Derive,
    /// These rows (ids still `None` in them are filled from the corpus when written).
    Given(&'a [T]),
    /// Rows stored one JSON object a line in this file (as the pipeline spills them during
    /// a run, ids not yet linked): read back as a stream, linked and written, so memory
    /// stays flat however many rows there are. The file is left for the caller to remove.
    Spilled(&'a Path),
    /// The caller has written the file itself (e.g. with a [`JsonlWriter`]); leave it alone.
    Streamed,
}

/// Everything a report is made of: the corpus plus per-item rows only the pipeline sees.
#[derive(Clone, Debug)]
pub struct ReportInput<'a> {
    /// The run's corpus.
    pub corpus: &'a Corpus,
    /// Rows of `mentions.jsonl` (see [`mention_rows`]).
    pub mentions: Rows<'a, MentionRow>,
    /// Rows of `quotes.jsonl` (see [`quote_rows`]).
    pub quotes: Rows<'a, QuoteRow>,
}

impl<'a> ReportInput<'a> {
    /// Input with only a corpus (rows derived as far as possible).
    pub fn new(corpus: &'a Corpus) -> ReportInput<'a> {
        ReportInput { corpus, mentions: Rows::Derive, quotes: Rows::Derive }
    }
}

/// Writes the formats `opts` asks for into `dir` (created if missing); returns the files
/// written, in a fixed order (json, jsonl exports, md, html).
pub fn write_reports(corpus: &Corpus, opts: &OutputOptions, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_reports_with(&ReportInput::new(corpus), opts, dir)
}

/// Like [`write_reports`], with the mention and quote rows the pipeline collected.
pub fn write_reports_with(
    input: &ReportInput<'_>,
    opts: &OutputOptions,
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let corpus = input.corpus;
    std::fs::create_dir_all(dir).map_err(|e| ReportError::Io { path: dir.to_path_buf(), source: e })?;
    let mut written = Vec::new();
    let mut report = Report::from_corpus(corpus);
    // The complete single-source list, before report.json keeps only its first part.
    let single_source_path = dir.join("single_source.jsonl");
    if opts.wants(Format::Jsonl) {
        write_jsonl(&single_source_path, &report.single_source)?;
    }
    if opts.max_single_source > 0 {
        report.single_source.truncate(opts.max_single_source);
    }
    if opts.wants(Format::Json) {
        // Streamed to disk: never a second copy of the whole report as one string.
        let path = dir.join("report.json");
        let mut file = AtomicFile::create(&path)?;
        serde_json::to_writer_pretty(&mut file, &report)
            .map_err(|e| ReportError::Json { path: path.clone(), message: e.to_string() })?;
        std::io::Write::write_all(&mut file, b"\n").map_err(|e| ReportError::Io { path: path.clone(), source: e })?;
        file.commit()?;
        written.push(path);
    }
    if opts.wants(Format::Jsonl) {
        let path = dir.join("articles.jsonl");
        write_jsonl(&path, article_rows(&report))?;
        written.push(path);

        let path = dir.join("entities.jsonl");
        write_jsonl(&path, &report.entities)?;
        written.push(path);

        let path = dir.join("mentions.jsonl");
        match input.mentions {
            Rows::Derive => {
                write_jsonl::<MentionRow>(&path, &[])?;
                written.push(path);
            }
            Rows::Given(rows) => {
                let mut w = JsonlWriter::create(&path)?;
                for r in rows {
                    w.push(&link_mention(corpus, r))?;
                }
                w.finish()?;
                written.push(path);
            }
            Rows::Spilled(spill) => {
                let mut w = JsonlWriter::create(&path)?;
                for_each_spilled::<MentionRow>(spill, |r| w.push(&link_mention(corpus, &r)))?;
                w.finish()?;
                written.push(path);
            }
            Rows::Streamed => {}
        }

        let path = dir.join("quotes.jsonl");
        match input.quotes {
            Rows::Derive => {
                write_jsonl(&path, &quote_rows_from_clusters(corpus))?;
                written.push(path);
            }
            Rows::Given(rows) => {
                let index = rows::QuoteIndex::new(corpus);
                let mut w = JsonlWriter::create(&path)?;
                for r in rows {
                    w.push(&rows::link_quote(corpus, &index, r))?;
                }
                w.finish()?;
                written.push(path);
            }
            Rows::Spilled(spill) => {
                let index = rows::QuoteIndex::new(corpus);
                let mut w = JsonlWriter::create(&path)?;
                for_each_spilled::<QuoteRow>(spill, |r| w.push(&rows::link_quote(corpus, &index, &r)))?;
                w.finish()?;
                written.push(path);
            }
            Rows::Streamed => {}
        }

        let path = dir.join("clusters.jsonl");
        write_jsonl(&path, &cluster_rows(&report))?;
        written.push(path);
        written.push(single_source_path);
    }
    if opts.wants(Format::Md) {
        let path = dir.join("report.md");
        write_atomic(&path, markdown::render(&report, corpus, opts.top, opts.max_entities).as_bytes())?;
        written.push(path);
    }
    if opts.wants(Format::Html) {
        let path = dir.join("report.html");
        let limits =
            HtmlLimits { clusters: opts.html_clusters, entities: opts.max_entities, single_source: opts.top.max(50) };
        write_atomic(&path, html::render(&report, corpus, limits)?.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// Streams the rows of a spill file (one JSON object a line) into `f`.
fn for_each_spilled<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut f: impl FnMut(T) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    use std::io::BufRead;
    let io = |e: std::io::Error| ReportError::Io { path: path.to_path_buf(), source: e };
    let file = std::fs::File::open(path).map_err(io)?;
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(io)?;
        if line.is_empty() {
            continue;
        }
        let row: T = serde_json::from_str(&line)
            .map_err(|e| ReportError::Json { path: path.to_path_buf(), message: e.to_string() })?;
        f(row)?;
    }
    Ok(())
}
