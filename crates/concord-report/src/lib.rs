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
mod json;
mod link;
mod markdown;
mod model;
mod rows;
mod schema;
mod sections;

use std::path::{Path, PathBuf};

use io::{jsonl_written, Written};

use concord_core::Corpus;
use serde::{Deserialize, Serialize};

pub use html::{report_html, HtmlLimits};
pub use io::{write_atomic, write_jsonl, AtomicFile, JsonlWriter};
pub use markdown::report_markdown;
pub use model::{
    report_json, ClusterOut, CopyOut, MemberOut, Report, SingleSourceOut, StageOut, StatsOut, Summary, SCHEMA_VERSION,
};
pub use rows::{
    article_rows, cluster_rows, link_mention, mention_rows, quote_rows, quote_rows_from_clusters, write_mention_lines,
    write_quote_lines, ClusterRow, MentionRow, QuoteRow,
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
    /// In a pipeline run, the items past this number wait in a temporary file instead of
    /// memory. 0 embeds all (and keeps all in memory). Default 10000.
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
    /// stays flat however many rows there are. A line as serde_json writes the row type
    /// (compact) has its ids spliced in and is otherwise copied as it is; any other line is
    /// parsed and written again. The file is left for the caller to remove.
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
///
/// The files are independent: called inside a rayon pool ([`rayon::ThreadPool::install`]),
/// they are written in parallel on that pool's threads; called outside any pool, one after
/// another on the calling thread. Their bytes are the same either way.
pub fn write_reports(corpus: &Corpus, opts: &OutputOptions, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    write_reports_with(&ReportInput::new(corpus), opts, dir)
}

/// Writing one output file (or a piece of one), given its path: the file written, not yet
/// synced nor renamed (`None`: nothing to commit, e.g. a piece another job joins).
type Job<'a> = Box<dyn FnOnce(&Path) -> Result<Option<Written>, ReportError> + Send + 'a>;

/// Like [`write_reports`], with the mention and quote rows the pipeline collected.
pub fn write_reports_with(
    input: &ReportInput<'_>,
    opts: &OutputOptions,
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    let corpus = input.corpus;
    std::fs::create_dir_all(dir).map_err(|e| ReportError::Io { path: dir.to_path_buf(), source: e })?;
    // report.json embeds the first `max_single_source` items; single_source.jsonl has all.
    let embedded = if opts.max_single_source > 0 { opts.max_single_source } else { usize::MAX };
    // Embedded items a stage spooled (when it kept fewer in memory than are embedded).
    let mut more = Vec::new();
    if let (Some(rest), true) = (&corpus.single_source_rest, embedded > corpus.single_source.len()) {
        let want = embedded - corpus.single_source.len();
        let stop = || std::io::Error::other("enough");
        let r = rest.replay(&mut |s| {
            more.push(s);
            if more.len() < want {
                Ok(())
            } else {
                Err(stop())
            }
        });
        if more.len() < want.min(rest.len()) {
            if let Err(e) = r {
                return Err(ReportError::Io { path: PathBuf::from("(spooled single-source items)"), source: e });
            }
        }
    }
    let spool_error = |what: &str, e| ReportError::Io { path: PathBuf::from(format!("(spooled {what})")), source: e };
    // Reading the spooled clusters back costs about as much as writing a big file: one
    // pass counts the corroborated ones for the summary and, when quotes.jsonl needs it,
    // makes the quote cluster index; it writes clusters.jsonl too when that is wanted.
    // That pass is the first job; the jobs needing what it found wait for it.
    let quotes_linked = opts.wants(Format::Jsonl) && matches!(input.quotes, Rows::Given(_) | Rows::Spilled(_));
    let pass = &ClusterPass::new();
    let spooled = corpus.clusters_rest.as_deref();
    if spooled.is_none() {
        pass.publish(0, quotes_linked.then(|| rows::QuoteIndex::in_memory(corpus)));
    }
    // Its summary counts the corroborated clusters in memory only: see `ClusterPass`.
    let report = &Report::from_corpus_embedding(corpus, &more, embedded, 0);
    // With several threads, report.json (the biggest file by far) is written in pieces.
    let threads = if rayon::current_thread_index().is_some() { rayon::current_num_threads() } else { 1 };
    let sections = (opts.wants(Format::Json) && threads > 1)
        .then(|| sections::Sections::new(report, corpus, pass, sections::plan(report, corpus, threads)));
    let mut written = Vec::new();
    // In the order of `written`, except that the slowest to write go first (they bound the
    // time when written in parallel), by the estimates of `cost`.
    let mut jobs: Vec<(u64, PathBuf, Job<'_>)> = Vec::new();
    let mut add = |path: PathBuf, weight: u64, job| {
        if written.last() != Some(&path) {
            written.push(path.clone());
        }
        jobs.push((weight, path, job));
    };
    if let Some(sections) = &sections {
        for _ in 0..sections.len() {
            add(dir.join("report.json"), 0, Box::new(move |path| sections.write(path)));
        }
    } else if opts.wants(Format::Json) {
        add(
            dir.join("report.json"),
            0,
            Box::new(|path| {
                // Streamed to disk: never a second copy of the whole report as one string.
                let report = &pass.complete(report);
                let mut file = AtomicFile::create(path)?;
                json::to_writer_pretty(&mut file, &model::ReportStream::new(report, corpus)).map_err(|e| match e {
                    json::Error::Io(e) => ReportError::Io { path: path.to_path_buf(), source: e },
                    e => ReportError::Json { path: path.to_path_buf(), message: e.to_string() },
                })?;
                std::io::Write::write_all(&mut file, b"\n")
                    .map_err(|e| ReportError::Io { path: path.to_path_buf(), source: e })?;
                file.written().map(Some)
            }),
        );
    }
    if opts.wants(Format::Jsonl) {
        add(
            dir.join("articles.jsonl"),
            cost::per(corpus.articles.len(), cost::ARTICLE_ROW),
            one(|path| jsonl_written(path, article_rows(report))),
        );
        add(
            dir.join("entities.jsonl"),
            cost::per(corpus.entities.len(), cost::ENTITY_ROW),
            one(|path| jsonl_written(path, report.entities.iter())),
        );
        let mentions: Option<Job<'_>> = match input.mentions {
            Rows::Derive => Some(one(|path| jsonl_written(path, std::iter::empty::<MentionRow>()))),
            Rows::Given(rows) => {
                Some(one(move |path| jsonl_written(path, rows.iter().map(|r| link_mention(corpus, r)))))
            }
            Rows::Spilled(spill) => Some(one(move |path| {
                let mut linker = link::MentionLinker::new(corpus);
                link_spilled(spill, path, |l, out| linker.patch(l, out), |r: MentionRow| link_mention(corpus, &r))
            })),
            Rows::Streamed => None,
        };
        if let Some(job) = mentions {
            add(dir.join("mentions.jsonl"), cost::rows(&input.mentions), job);
        }
        let quotes: Option<Job<'_>> = match input.quotes {
            Rows::Derive => Some(one(move |path| {
                let rows = quote_rows_from_clusters(corpus).map_err(|e| spool_error("clusters", e))?;
                jsonl_written(path, rows)
            })),
            Rows::Given(rows) => Some(one(move |path| {
                let index = pass.index().ok_or_else(|| spool_error("clusters", pass_failed()))?;
                jsonl_written(path, rows.iter().map(|r| rows::link_quote(corpus, &index, r)))
            })),
            Rows::Spilled(spill) => Some(one(move |path| {
                let index = pass.index().ok_or_else(|| spool_error("clusters", pass_failed()))?;
                let linker = link::QuoteLinker::new(corpus, index);
                link_spilled(
                    spill,
                    path,
                    |l, out| linker.patch(l, out),
                    |r: QuoteRow| rows::link_quote(corpus, linker.index(), &r),
                )
            })),
            Rows::Streamed => None,
        };
        if let Some(job) = quotes {
            add(dir.join("quotes.jsonl"), cost::rows(&input.quotes), job);
        }
        add(
            dir.join("clusters.jsonl"),
            cost::per(corpus.cluster_count(), cost::CLUSTER_ROW),
            one(move |path| {
                // The report's clusters, then the spooled ones as they are read back (the
                // pass over them, when there are some).
                let mut w = JsonlWriter::<ClusterRow<'_>>::create(path)?;
                for row in cluster_rows(report) {
                    w.push(&row)?;
                }
                if let Some(rest) = spooled {
                    let mut found = Found::new(pass, quotes_linked.then(|| rows::QuoteIndex::in_memory(corpus)));
                    let mut rank = report.clusters.len();
                    let replay = |f: &mut dyn FnMut(_) -> _| rest.replay(f);
                    push_replayed(&mut w, "clusters", replay, |c: &concord_core::Cluster, w| {
                        found.add(c);
                        rank += 1;
                        w.push_row(&rows::cluster_row(&model::cluster_out(rank - 1, c)))
                    })?;
                    found.publish();
                }
                w.written()
            }),
        );
        add(
            dir.join("single_source.jsonl"),
            cost::per(corpus.single_source_count(), cost::SINGLE_ROW),
            one(|path| {
                // Items in memory, then the spooled ones as they are read back.
                let mut w = JsonlWriter::<SingleSourceOut<'_>>::create(path)?;
                for s in &corpus.single_source {
                    w.push(&model::single_source_out(s))?;
                }
                if let Some(rest) = &corpus.single_source_rest {
                    let replay = |f: &mut dyn FnMut(_) -> _| rest.replay(f);
                    push_replayed(&mut w, "single-source items", replay, |s: &concord_core::SingleSource, w| {
                        w.push_row(&model::single_source_out(s))
                    })?;
                }
                w.written()
            }),
        );
    }
    if opts.wants(Format::Md) {
        add(
            dir.join("report.md"),
            cost::MD,
            one(|path| {
                let mut file = AtomicFile::create(path)?;
                let md = markdown::render(&pass.complete(report), corpus, opts.top, opts.max_entities);
                std::io::Write::write_all(&mut file, md.as_bytes())
                    .map_err(|e| ReportError::Io { path: path.to_path_buf(), source: e })?;
                file.written()
            }),
        );
    }
    if opts.wants(Format::Html) {
        let limits =
            HtmlLimits { clusters: opts.html_clusters, entities: opts.max_entities, single_source: opts.top.max(50) };
        add(
            dir.join("report.html"),
            cost::HTML + cost::per(corpus.articles.len(), cost::ARTICLE_HTML),
            one(move |path| {
                let mut file = AtomicFile::create(path)?;
                html::render_to(&pass.complete(report), corpus, limits, &mut file)?;
                file.written()
            }),
        );
    }
    // report.json first, whole or in pieces: its file, the biggest, is then synced to disk
    // while the others are written (its pieces are joined when the last one is done).
    let json = dir.join("report.json");
    jobs.sort_by_key(|(weight, path, _)| (*path != json, std::cmp::Reverse(*weight)));
    // Before all, the pass over the spooled clusters (which waits for nothing): a job that
    // waits for it never waits for a job not yet started.
    if let Some(rest) = spooled {
        let clusters = dir.join("clusters.jsonl");
        if let Some(k) = jobs.iter().position(|j| j.1 == clusters) {
            let job = jobs.remove(k);
            jobs.insert(0, job);
        } else {
            let count: Job<'_> = Box::new(move |_| {
                let mut found = Found::new(pass, None);
                rest.replay(&mut |c| {
                    found.add(&c);
                    Ok(())
                })
                .map_err(|e| spool_error("clusters", e))?;
                found.publish();
                Ok(None)
            });
            jobs.insert(0, (0, PathBuf::from("(spooled clusters)"), count));
        }
    }
    run_jobs(jobs.into_iter().map(|(_, path, job)| (path, job)).collect())?;
    Ok(written)
}

/// What the pass over the spooled clusters finds that other jobs need: how many are
/// reported by two outlets or more (for the summary), and the quote index (for
/// quotes.jsonl). Published once; the jobs needing it wait.
pub(crate) struct ClusterPass<'a> {
    found: std::sync::Mutex<Option<(u64, Option<rows::QuoteIndex<'a>>)>>,
    ready: std::sync::Condvar,
}

impl<'a> ClusterPass<'a> {
    fn new() -> ClusterPass<'a> {
        ClusterPass { found: std::sync::Mutex::new(None), ready: std::sync::Condvar::new() }
    }

    /// Publishes what the pass found (only the first time).
    fn publish(&self, corroborated: u64, index: Option<rows::QuoteIndex<'a>>) {
        let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        if found.is_none() {
            *found = Some((corroborated, index));
            self.ready.notify_all();
        }
    }

    /// True once published.
    pub(crate) fn ready(&self) -> bool {
        self.found.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// Waits for the pass's findings.
    fn wait(&self) -> std::sync::MutexGuard<'_, Option<(u64, Option<rows::QuoteIndex<'a>>)>> {
        let found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        self.ready.wait_while(found, |f| f.is_none()).unwrap_or_else(|p| p.into_inner())
    }

    /// `report` with its summary counting the spooled corroborated clusters too (waits
    /// for the pass; a copy only when there are some).
    pub(crate) fn complete<'x, 'r>(&self, report: &'x Report<'r>) -> std::borrow::Cow<'x, Report<'r>> {
        let spooled = self.wait().as_ref().map_or(0, |f| f.0);
        if spooled == 0 {
            return std::borrow::Cow::Borrowed(report);
        }
        let mut complete = report.clone();
        complete.summary.corroborated += spooled;
        std::borrow::Cow::Owned(complete)
    }

    /// The quote index (waits for the pass; `None` if the pass failed, or had no index
    /// to make); only the first call gets it.
    fn index(&self) -> Option<rows::QuoteIndex<'a>> {
        self.wait().as_mut().and_then(|f| f.1.take())
    }
}

/// The pass over the spooled clusters under way; dropped unpublished (the pass failed),
/// it publishes nothing found, so that no job waits for ever.
struct Found<'p, 'a> {
    pass: &'p ClusterPass<'a>,
    corroborated: u64,
    index: Option<rows::QuoteIndex<'a>>,
    published: bool,
}

impl<'p, 'a> Found<'p, 'a> {
    /// A pass that makes the quote index when given one to fill (with the clusters in memory).
    fn new(pass: &'p ClusterPass<'a>, index: Option<rows::QuoteIndex<'a>>) -> Found<'p, 'a> {
        Found { pass, corroborated: 0, index, published: false }
    }

    /// The next spooled cluster.
    fn add(&mut self, c: &concord_core::Cluster) {
        self.corroborated += u64::from(c.outlets.len() >= 2);
        if let Some(index) = &mut self.index {
            index.add_spooled(c);
        }
    }

    /// The pass is done.
    fn publish(mut self) {
        self.published = true;
        self.pass.publish(self.corroborated, self.index.take());
    }
}

impl Drop for Found<'_, '_> {
    fn drop(&mut self) {
        if !self.published {
            self.pass.publish(0, None);
        }
    }
}

/// Why quotes.jsonl has no quote index: the pass over the spooled clusters failed (and
/// reports why).
fn pass_failed() -> std::io::Error {
    std::io::Error::other("the pass over the spooled clusters failed")
}

/// Estimates of the time the jobs take, for scheduling them: nanoseconds per item, from
/// single-thread timings on a 30 MB corpus (rough: only their order matters).
mod cost {
    /// An article in `report.html` (its row), plus a fixed part.
    pub(crate) const ARTICLE_HTML: u64 = 3_000;
    pub(crate) const HTML: u64 = 40_000_000;
    /// `report.md`.
    pub(crate) const MD: u64 = 30_000_000;
    /// A byte of a spilled mention or quote row.
    pub(crate) const SPILLED_BYTE: u64 = 4;
    /// A mention or quote row in memory.
    pub(crate) const ROW: u64 = 400;
    /// A row of `articles.jsonl`, `entities.jsonl`, `single_source.jsonl`, `clusters.jsonl`.
    pub(crate) const ARTICLE_ROW: u64 = 600;
    pub(crate) const ENTITY_ROW: u64 = 2_500;
    pub(crate) const SINGLE_ROW: u64 = 1_400;
    pub(crate) const CLUSTER_ROW: u64 = 2_900;

    /// `n` items at `each`.
    pub(crate) fn per(n: usize, each: u64) -> u64 {
        (n as u64).saturating_mul(each)
    }

    /// Rows given, or spilled to a file (by its size).
    pub(crate) fn rows<T>(rows: &super::Rows<'_, T>) -> u64 {
        match rows {
            super::Rows::Given(r) => per(r.len(), ROW),
            super::Rows::Spilled(p) => std::fs::metadata(p).map_or(0, |m| m.len().saturating_mul(SPILLED_BYTE)),
            _ => 0,
        }
    }
}

/// A job writing one whole file.
fn one<'a>(job: impl FnOnce(&Path) -> Result<Written, ReportError> + Send + 'a) -> Job<'a> {
    Box::new(move |path| job(path).map(Some))
}

/// Appends to `w` a row for each item `replay` reads back (spooled items, as the corpus
/// holds them), written by `push`; a failed write wins over the read error it causes.
fn push_replayed<T: Serialize, I>(
    w: &mut JsonlWriter<T>,
    what: &str,
    replay: impl FnOnce(&mut dyn FnMut(I) -> std::io::Result<()>) -> std::io::Result<()>,
    mut push: impl FnMut(&I, &mut JsonlWriter<T>) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let mut failed = None;
    let r = replay(&mut |item| {
        push(&item, w).map_err(|e| {
            failed = Some(e);
            std::io::Error::other("write failed")
        })
    });
    if let Some(e) = failed {
        return Err(e);
    }
    r.map_err(|e| ReportError::Io { path: PathBuf::from(format!("(spooled {what})")), source: e })
}

/// Runs `jobs` on the current rayon pool's threads, or in turn outside any pool; the first
/// error in job order wins.
///
/// In a pool, each thread takes the next job not yet started, in order, as soon as it is
/// free (longest first, as the caller sorts them, is the classic greedy schedule): unlike
/// splitting the list in halves, a thread never waits with a queue of jobs behind it while
/// another is idle.
///
/// Each file written is synced and renamed on a thread of its own, which mostly waits for
/// the disk: the pool's threads go on to the next job meanwhile (the disk writes one file
/// while the next is made), and this returns once every file is committed.
fn run_jobs(jobs: Vec<(PathBuf, Job<'_>)>) -> Result<(), ReportError> {
    let n = jobs.len();
    std::thread::scope(|commits| {
        let results = std::sync::Mutex::new(Vec::with_capacity(n));
        // A job's outcome: its error, or its file handed to a thread to commit.
        let finish = |i: usize, r: Result<Option<Written>, ReportError>| {
            let r = r.map(|file| file.map(|file| commits.spawn(move || file.commit())));
            if let Ok(mut d) = results.lock() {
                d.push((i, r));
            }
        };
        if rayon::current_thread_index().is_none() {
            for (i, (path, job)) in jobs.into_iter().enumerate() {
                let r = job(&path);
                let failed = r.is_err();
                finish(i, r);
                if failed {
                    break;
                }
            }
        } else {
            let workers = rayon::current_num_threads().min(n);
            let queue = std::sync::Mutex::new(jobs.into_iter().enumerate());
            rayon::scope(|s| {
                for _ in 0..workers {
                    s.spawn(|_| loop {
                        // A poisoned lock: a job panicked; the scope passes the panic on.
                        let Some((i, (path, job))) = queue.lock().ok().and_then(|mut q| q.next()) else { break };
                        finish(i, job(&path));
                    });
                }
            });
        }
        let mut done = results.into_inner().unwrap_or_default();
        done.sort_by_key(|(i, _)| *i);
        // Every commit is waited for, then the first error in job order is returned (a
        // commit thread that panicked passes its panic on).
        let done: Vec<_> = done
            .into_iter()
            .map(|(_, r)| {
                r.and_then(|h| h.map_or(Ok(()), |h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))))
            })
            .collect();
        done.into_iter().collect::<Result<(), ReportError>>()
    })
}

/// Streams a spill file (one JSON object a line) into the JSONL file at `path`, linking each
/// row: `patch` appends a linked line's bytes to the buffer it is given (false when the line
/// needs the general path), `link` links a parsed row.
fn link_spilled<T: Serialize + serde::de::DeserializeOwned>(
    spill: &Path,
    path: &Path,
    mut patch: impl FnMut(&[u8], &mut Vec<u8>) -> bool,
    link: impl Fn(T) -> T,
) -> Result<Written, ReportError> {
    let io = |e: std::io::Error| ReportError::Io { path: spill.to_path_buf(), source: e };
    let mut w = JsonlWriter::<T>::create(path)?;
    let mut one = |l: &[u8]| -> Result<(), ReportError> {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if l.is_empty() || w.push_with(|out| patch(l, out))? {
            return Ok(());
        }
        let row: T = serde_json::from_slice(l)
            .map_err(|e| ReportError::Json { path: spill.to_path_buf(), message: e.to_string() })?;
        w.push(&link(row))
    };
    for_each_line(&mut std::fs::File::open(spill).map_err(io)?, &mut one, io)?;
    w.written()
}

/// Calls `f` with each line of `file` (without its `\n`), read in large blocks: no copy
/// of a line unless it straddles two blocks.
fn for_each_line(
    file: &mut impl std::io::Read,
    f: &mut dyn FnMut(&[u8]) -> Result<(), ReportError>,
    io: impl Fn(std::io::Error) -> ReportError,
) -> Result<(), ReportError> {
    let mut block = vec![0u8; 1 << 17];
    let mut filled = 0;
    loop {
        if filled == block.len() {
            // A line longer than the block: make room for it.
            block.resize(block.len() * 2, 0);
        }
        let n = loop {
            match file.read(&mut block[filled..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => break r.map_err(&io)?,
            }
        };
        let end = filled + n;
        let mut start = 0;
        // Only the new bytes can hold a newline: the carried-over part has none.
        for nl in memchr::memchr_iter(b'\n', &block[filled..end]) {
            f(&block[start..filled + nl])?;
            start = filled + nl + 1;
        }
        if n == 0 {
            // End of file: the last line may lack its newline.
            if start < end {
                f(&block[start..end])?;
            }
            return Ok(());
        }
        block.copy_within(start..end, 0);
        filled = end - start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes a read, to make lines straddle blocks anywhere.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn lines_of(data: &[u8], step: usize) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        let io = |e| ReportError::Io { path: PathBuf::new(), source: e };
        let mut keep = |l: &[u8]| {
            got.push(l.to_vec());
            Ok(())
        };
        for_each_line(&mut Trickle { data, step }, &mut keep, io).unwrap();
        got
    }

    #[test]
    fn for_each_line_gives_every_line_whatever_the_blocks() {
        let mut data = Vec::new();
        for i in 0..5000 {
            data.extend_from_slice(format!("{{\"row\":{i},\"pad\":\"{}\"}}\n", "x".repeat(i % 97)).as_bytes());
            if i % 1000 == 0 {
                data.extend_from_slice(b"\n\r\n");
            }
        }
        // A line longer than a block, then a last line without its newline.
        data.extend_from_slice(&vec![b'y'; 300_000]);
        data.extend_from_slice(b"\nlast");
        let mut want: Vec<Vec<u8>> = data.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        for step in [usize::MAX, 1 << 17, 4096, 777] {
            assert_eq!(lines_of(&data, step), want, "step {step}");
        }
        // With a final newline, no empty line after it.
        data.push(b'\n');
        assert_eq!(lines_of(&data, 1000), want);
        want.clear();
        assert_eq!(lines_of(b"", 10), want);
    }
}
