//! The runner: streams inputs in chunks through the per-article stages in parallel, feeds
//! compact records to the corpus stages in input order, then writes the reports.

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use concord_core::{Article, ArticleRecord, Corpus, CorpusStage, DocStage, Document, StageStats, Status};
use concord_ingest::{InputFile, Rejected};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::records::RecordLog;

/// How progress is shown on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Progress {
    /// A progress bar when stderr is a terminal, plain log lines otherwise.
    #[default]
    Auto,
    /// Plain log lines.
    Plain,
    /// Nothing.
    Quiet,
}

/// Options of one run that are not in the config file.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Overrides `[runtime] threads` (0: one per core).
    pub threads: Option<usize>,
    /// Overrides `[output] dir`.
    pub out: Option<PathBuf>,
    /// Overrides `[input] paths` (files, folders or globs).
    pub inputs: Option<Vec<PathBuf>>,
    /// Progress display.
    pub progress: Progress,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The inputs could not be found (a usage error: nothing was processed).
    #[error("{0}")]
    Input(#[from] concord_ingest::IngestError),
    /// A corpus stage failed.
    #[error("stage `{kind}` failed: {message}")]
    Stage {
        /// The stage kind.
        kind: String,
        /// What went wrong.
        message: String,
    },
    /// Reports could not be written.
    #[error("writing reports: {0}")]
    Report(#[from] concord_report::ReportError),
    /// The temporary spill files for the JSONL exports failed.
    #[error("temporary files: {0}")]
    Spill(std::io::Error),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Pool(String),
}

/// Wall and CPU time of one stage.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StageTiming {
    /// Stage kind.
    pub kind: String,
    /// Time in the per-article part, summed over threads.
    pub doc_seconds: f64,
    /// Time in the corpus part (observe and finish).
    pub corpus_seconds: f64,
    /// The part of `corpus_seconds` spent observing documents (a task of the run's pool
    /// that takes each chunk's results while the workers process the next chunk).
    pub observe_seconds: f64,
}

/// Wall and CPU time of one phase of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PhaseTiming {
    /// `articles` (reading, the per-article stages, observing, sorting the records),
    /// `finish <stage>`, or `reports`.
    pub phase: String,
    /// Wall time.
    pub wall_seconds: f64,
    /// CPU time of the process in the phase (user and system, every thread).
    pub cpu_seconds: Option<f64>,
}

/// Measures a phase: started at creation, ended by [`PhaseClock::end`].
struct PhaseClock {
    wall: Instant,
    cpu: Option<u64>,
}

impl PhaseClock {
    fn start() -> PhaseClock {
        PhaseClock { wall: Instant::now(), cpu: cpu_ticks() }
    }

    fn end(self, phase: impl Into<String>) -> PhaseTiming {
        PhaseTiming {
            phase: phase.into(),
            wall_seconds: self.wall.elapsed().as_secs_f64(),
            cpu_seconds: cpu_ticks().zip(self.cpu).map(|(now, then)| now.saturating_sub(then) as f64 / 100.0),
        }
    }
}

/// User plus system CPU time of this process so far (all threads), where the platform
/// tells it (Linux: `/proc/self/stat`, in the kernel's fixed 100 ticks a second).
pub fn cpu_seconds() -> Option<f64> {
    cpu_ticks().map(|t| t as f64 / 100.0)
}

fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces):
    // utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut f = rest.split_whitespace().skip(11);
    let (user, system): (u64, u64) = (f.next()?.parse().ok()?, f.next()?.parse().ok()?);
    Some(user + system)
}

/// Timings and throughput of a run: not part of the deterministic report, written to
/// `run.json` beside it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunTimings {
    /// concord version.
    pub version: String,
    /// Threads used: the run's pool, which reads, processes and observes the articles (so
    /// a run keeps at most this many cores busy).
    pub threads: usize,
    /// Wall time of the whole run.
    pub wall_seconds: f64,
    /// Time reading inputs (a task of the run's pool, beside the chunk in process).
    pub ingest_seconds: f64,
    /// Wall time writing reports.
    pub report_seconds: f64,
    /// Articles processed.
    pub articles: u64,
    /// Body bytes processed.
    pub bytes: u64,
    /// Articles per second of wall time.
    pub articles_per_second: f64,
    /// Megabytes (10^6 bytes) per second of wall time.
    pub mb_per_second: f64,
    /// Peak resident memory in bytes, where the platform tells it.
    pub peak_rss_bytes: Option<u64>,
    /// The peak resident memory reached by the end of each phase of the run (`articles`:
    /// the per-article stages and corpus observation; `finish <stage>`; `records`: the
    /// article records read back from their temporary file; `reports`), so a
    /// rise shows which phase made it.
    pub peak_rss_by_phase: Vec<(String, Option<u64>)>,
    /// Wall and CPU time of each phase, in the order and with the names of
    /// `peak_rss_by_phase`: what a thread count speeds up shows here (the per-stage times
    /// sum over threads), and CPU over wall is how many cores a phase kept busy.
    pub phases: Vec<PhaseTiming>,
    /// CPU time of the whole run (user and system, every thread), where the platform tells
    /// it.
    pub cpu_seconds: Option<f64>,
    /// Per-stage times.
    pub stages: Vec<StageTiming>,
}

/// The result of a run.
pub struct RunSummary {
    /// Everything the report is made of.
    pub corpus: Corpus,
    /// Timings (also written to `run.json`).
    pub timings: RunTimings,
    /// Files written.
    pub outputs: Vec<PathBuf>,
}

/// One input item in flight.
enum Item {
    Article(Box<Article>),
    Rejected(Rejected),
}

/// The outcome of the per-article stages on one item.
enum Outcome {
    /// Processed, with its serialized mention and quote rows when they are exported.
    Ok(Box<Document>, Option<Box<(Vec<u8>, Vec<u8>)>>),
    Failed {
        record: Box<ArticleRecord>,
        stage: Option<usize>,
    },
}

/// Runs the configured pipeline over its inputs and writes the reports.
pub fn run(config: &mut Config, opts: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let dir = opts.out.clone().unwrap_or_else(|| PathBuf::from(&config.output.dir));
    let mut spill = if config.output.wants(concord_report::Format::Jsonl) { Some(Spill::new()?) } else { None };
    // Single-source items beyond what report.json embeds, and clusters beyond what the
    // HTML and Markdown reports show, wait in temporary files (the JSON and JSONL writers
    // read them back as they write).
    let o = &config.output;
    let limits = Limits {
        single_source: Some(o.max_single_source).filter(|&n| n > 0),
        clusters: Some(CLUSTERS_IN_MEMORY.max(o.html_clusters).max(o.top)),
    };
    let (corpus, mut timings) = process_with(config, opts, spill.as_mut(), limits)?;
    let t = Instant::now();
    let clock = PhaseClock::start();
    let mut input = concord_report::ReportInput::new(&corpus);
    if let Some(s) = spill.as_mut() {
        s.flush()?;
        input.mentions = concord_report::Rows::Spilled(&s.mentions_path);
        input.quotes = concord_report::Rows::Spilled(&s.quotes_path);
    }
    // Output files are independent jobs: written on the run's threads.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(timings.threads)
        .build()
        .map_err(|e| RunError::Pool(e.to_string()))?;
    let mut outputs = pool.install(|| concord_report::write_reports_with(&input, &config.output, &dir))?;
    timings.report_seconds = t.elapsed().as_secs_f64();
    timings.peak_rss_by_phase.push(("reports".into(), peak_rss()));
    timings.phases.push(clock.end("reports"));
    timings.cpu_seconds = cpu_seconds();
    timings.wall_seconds = started.elapsed().as_secs_f64();
    finish_timings(&mut timings);
    let run_json = dir.join("run.json");
    let mut text = serde_json::to_string_pretty(&timings).unwrap_or_default();
    text.push('\n');
    concord_report::write_atomic(&run_json, text.as_bytes())?;
    outputs.push(run_json);
    Ok(RunSummary { corpus, timings, outputs })
}

fn finish_timings(t: &mut RunTimings) {
    let wall = t.wall_seconds.max(1e-9);
    t.articles_per_second = t.articles as f64 / wall;
    t.mb_per_second = t.bytes as f64 / 1e6 / wall;
    t.peak_rss_bytes = peak_rss();
}

/// Peak resident set size of this process (Linux: `VmHWM` in /proc/self/status).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Mention and quote rows spilled to temporary files during a run, so that the JSONL
/// exports never hold every row in memory.
struct Spill {
    _dir: tempfile::TempDir,
    mentions_path: PathBuf,
    quotes_path: PathBuf,
    mentions: std::io::BufWriter<std::fs::File>,
    quotes: std::io::BufWriter<std::fs::File>,
}

impl Spill {
    fn new() -> Result<Spill, RunError> {
        let dir = tempfile::Builder::new().prefix("concord-spill").tempdir().map_err(RunError::Spill)?;
        let mentions_path = dir.path().join("mentions.jsonl");
        let quotes_path = dir.path().join("quotes.jsonl");
        let open = |p: &Path| std::fs::File::create(p).map(std::io::BufWriter::new).map_err(RunError::Spill);
        Ok(Spill {
            mentions: open(&mentions_path)?,
            quotes: open(&quotes_path)?,
            _dir: dir,
            mentions_path,
            quotes_path,
        })
    }

    fn push(&mut self, rows: &(Vec<u8>, Vec<u8>)) -> Result<(), RunError> {
        use std::io::Write;
        self.mentions.write_all(&rows.0).map_err(RunError::Spill)?;
        self.quotes.write_all(&rows.1).map_err(RunError::Spill)
    }

    fn flush(&mut self) -> Result<(), RunError> {
        use std::io::Write;
        self.mentions.flush().map_err(RunError::Spill)?;
        self.quotes.flush().map_err(RunError::Spill)
    }
}

/// One document's mention and quote rows, one JSON object a line.
fn rows_of(doc: &Document) -> (Vec<u8>, Vec<u8>) {
    let (mut mentions, mut quotes) = (Vec::new(), Vec::new());
    concord_report::write_mention_lines(doc, &mut mentions);
    concord_report::write_quote_lines(doc, &mut quotes);
    (mentions, quotes)
}

/// Runs the pipeline without writing anything: the corpus and the timings.
pub fn process(config: &mut Config, opts: &RunOptions) -> Result<(Corpus, RunTimings), RunError> {
    process_with(config, opts, None, Limits::default())
}

/// Clusters a run keeps in memory at least (more when the HTML report shows more).
const CLUSTERS_IN_MEMORY: usize = 10_000;

/// How much of the corpus's long lists a run keeps in memory (`None`: all).
#[derive(Clone, Copy, Debug, Default)]
struct Limits {
    single_source: Option<usize>,
    clusters: Option<usize>,
}

fn process_with(
    config: &mut Config,
    opts: &RunOptions,
    spill: Option<&mut Spill>,
    limits: Limits,
) -> Result<(Corpus, RunTimings), RunError> {
    let started = Instant::now();
    let articles_clock = PhaseClock::start();
    let paths: Vec<PathBuf> = match &opts.inputs {
        Some(p) => p.clone(),
        None => config.input.paths.iter().map(PathBuf::from).collect(),
    };
    let files = concord_ingest::discover(&paths)?;
    let threads = match opts.threads.unwrap_or(config.runtime.threads) {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        n => n,
    };
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| RunError::Pool(e.to_string()))?;

    let kinds: Vec<String> = config.stages.iter().map(|s| s.kind.clone()).collect();
    let mut doc_stages: Vec<(usize, &dyn DocStage)> = Vec::new();
    let mut corpus_stages: Vec<(usize, &mut Box<dyn CorpusStage>)> = Vec::new();
    for (i, stage) in config.stages.iter_mut().enumerate() {
        let concord_core::Built { doc, corpus } = &mut stage.built;
        let doc: &Option<Box<dyn DocStage>> = doc;
        if let Some(d) = doc.as_deref() {
            doc_stages.push((i, d));
        }
        if let Some(c) = corpus.as_mut() {
            corpus_stages.push((i, c));
        }
    }
    let doc_nanos: Vec<AtomicU64> = kinds.iter().map(|_| AtomicU64::new(0)).collect();
    let total_bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(&f.path).ok()).map(|m| m.len()).sum();
    let want_rows = spill.is_some();
    let mut collector = Collector {
        kinds: &kinds,
        doc_stage_ids: doc_stages.iter().map(|(i, _)| *i).collect(),
        corpus_stages,
        corpus_nanos: vec![0u64; kinds.len()],
        stage_stats: kinds.iter().map(|k| StageStats { kind: k.clone(), ..StageStats::default() }).collect(),
        corpus: Corpus {
            single_source_limit: limits.single_source,
            cluster_limit: limits.clusters,
            ..Corpus::default()
        },
        records: RecordLog::new().map_err(RunError::Spill)?,
        seen: HashMap::new(),
        clashes: HashMap::new(),
        outlets: BTreeSet::new(),
        bytes: 0,
        spill,
        progress: Reporter::new(opts.progress, total_bytes),
    };
    let mut ingest_time = Duration::ZERO;
    let chunk_size = config.runtime.chunk_size.max(1);

    let mut input = InputStream { files: files.iter(), current: None, done_bytes: 0, config: &config.input };
    // The outcomes of the previous chunk are consumed (corpus stages observe them, in input
    // order) while the workers process the next chunk, and the chunk after that is read
    // meanwhile: all three are tasks of the run's pool, so `threads` bounds the cores a run
    // keeps busy (one thread does them one after another; with more, idle workers take the
    // reading and the consuming first, then help with the chunk).
    let mut previous: Option<(Vec<Outcome>, u64)> = None;
    let t = Instant::now();
    let mut next = input.chunk(chunk_size);
    ingest_time += t.elapsed();
    loop {
        if next.is_empty() {
            if let Some((outcomes, floor)) = previous.take() {
                pool.install(|| collector.consume(outcomes, floor))?;
            }
            break;
        }
        let chunk = std::mem::take(&mut next);
        let floor = input.done_bytes;
        let consume = previous.take();
        let (collector, input) = (&mut collector, &mut input);
        let ((outcomes, consumed), read) = pool.install(|| {
            rayon::join(
                || {
                    rayon::join(
                        || {
                            chunk
                                .into_par_iter()
                                .map(|item| run_doc_stages(item, &doc_stages, &kinds, &doc_nanos, want_rows))
                                .collect::<Vec<Outcome>>()
                        },
                        || match consume {
                            Some((outcomes, floor)) => {
                                catch_unwind(AssertUnwindSafe(|| collector.consume(outcomes, floor))).unwrap_or_else(
                                    |p| {
                                        Err(RunError::Stage {
                                            kind: "runner".into(),
                                            message: format!("panicked: {}", panic_text(&p)),
                                        })
                                    },
                                )
                            }
                            None => Ok(()),
                        },
                    )
                },
                || {
                    catch_unwind(AssertUnwindSafe(|| {
                        let t = Instant::now();
                        let items = input.chunk(chunk_size);
                        (items, t.elapsed())
                    }))
                },
            )
        });
        consumed?;
        let (items, took) = read.map_err(|p| RunError::Stage {
            kind: "runner".into(),
            message: format!("reading inputs panicked: {}", panic_text(&p)),
        })?;
        next = items;
        ingest_time += took;
        previous = Some((outcomes, floor));
    }
    let Collector {
        mut corpus,
        records,
        mut corpus_stages,
        mut corpus_nanos,
        stage_stats,
        outlets,
        bytes,
        mut progress,
        seen,
        clashes,
        ..
    } = collector;
    // (The id table holds an entry an article: freed now, not at the end of the run.)
    drop((seen, clashes));
    progress.finish();
    let mut peak_rss_by_phase = vec![("articles".to_string(), peak_rss())];
    let observe_nanos = corpus_nanos.clone();

    // The records wait in their temporary file until the corpus stages have finished
    // (where a run's memory peaks): memory keeps their sorted order.
    let packed = pool.install(|| records.close()).map_err(RunError::Spill)?;
    // (The articles phase ends with the records' order known.)
    let mut phases = vec![articles_clock.end("articles")];
    for (i, stage) in corpus_stages.iter_mut() {
        let t = Instant::now();
        let clock = PhaseClock::start();
        // In the run's pool: a corpus part that uses rayon gets the configured threads.
        let r = pool.install(|| catch_unwind(AssertUnwindSafe(|| stage.finish(&mut corpus))));
        corpus_nanos[*i] += t.elapsed().as_nanos() as u64;
        peak_rss_by_phase.push((format!("finish {}", kinds[*i]), peak_rss()));
        phases.push(clock.end(format!("finish {}", kinds[*i])));
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(RunError::Stage { kind: kinds[*i].clone(), message: e.to_string() }),
            Err(p) => {
                return Err(RunError::Stage {
                    kind: kinds[*i].clone(),
                    message: format!("panicked: {}", panic_text(&p)),
                })
            }
        }
    }

    let clock = PhaseClock::start();
    corpus.articles = packed.unpack().map_err(RunError::Spill)?;
    corpus.mark_copies();
    peak_rss_by_phase.push(("records".to_string(), peak_rss()));
    phases.push(clock.end("records"));
    let ok = corpus.articles.iter().filter(|a| a.status == Status::Ok).count() as u64;
    let found = corpus.articles.len() as u64;
    corpus.stats.found = found;
    corpus.stats.ok = ok;
    corpus.stats.rejected = found - ok;
    corpus.stats.bytes = bytes;
    corpus.stats.outlets = outlets.len() as u64;
    corpus.stats.stages = stage_stats;

    let timings = RunTimings {
        version: env!("CARGO_PKG_VERSION").to_string(),
        threads,
        wall_seconds: started.elapsed().as_secs_f64(),
        ingest_seconds: ingest_time.as_secs_f64(),
        articles: ok,
        bytes,
        stages: kinds
            .iter()
            .enumerate()
            .map(|(i, k)| StageTiming {
                kind: k.clone(),
                doc_seconds: doc_nanos[i].load(Ordering::Relaxed) as f64 / 1e9,
                corpus_seconds: corpus_nanos[i] as f64 / 1e9,
                observe_seconds: observe_nanos[i] as f64 / 1e9,
            })
            .collect(),
        peak_rss_by_phase,
        phases,
        ..RunTimings::default()
    };
    Ok((corpus, timings))
}

/// The inputs as a stream of items, a chunk at a time.
struct InputStream<'a> {
    files: std::slice::Iter<'a, InputFile>,
    current: Option<(u64, concord_ingest::Articles)>,
    /// Bytes of the input files read to their end.
    done_bytes: u64,
    config: &'a concord_ingest::InputOptions,
}

impl InputStream<'_> {
    /// The next `size` items (fewer at the end of the inputs, none after it).
    fn chunk(&mut self, size: usize) -> Vec<Item> {
        let mut items = Vec::with_capacity(size);
        while items.len() < size {
            if self.current.is_none() {
                match self.files.next() {
                    Some(f) => {
                        let len = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
                        self.current = Some((len, concord_ingest::read_file(f, self.config)));
                    }
                    None => break,
                }
            }
            let (len, reader) = self.current.as_mut().expect("a reader is open");
            match reader.next() {
                Some(Ok(a)) => items.push(Item::Article(Box::new(a))),
                Some(Err(r)) => items.push(Item::Rejected(r)),
                None => {
                    self.done_bytes += *len;
                    self.current = None;
                }
            }
        }
        items
    }
}

/// The sequential side of a run: takes each chunk's outcomes in input order, feeds the
/// corpus stages, records every article, spills export rows.
struct Collector<'a> {
    kinds: &'a [String],
    doc_stage_ids: Vec<usize>,
    corpus_stages: Vec<(usize, &'a mut Box<dyn CorpusStage>)>,
    corpus_nanos: Vec<u64>,
    stage_stats: Vec<StageStats>,
    corpus: Corpus,
    /// Every input's record, in arrival order, in a temporary file (`corpus.articles` at
    /// the end).
    records: RecordLog,
    /// Article ids seen, by hash: the index of the first record with that id (ids whose
    /// hash an earlier, different id has are in `clashes`). No id string is kept twice.
    seen: HashMap<u64, u32>,
    clashes: HashMap<String, u32>,
    /// Outlets of the articles processed (for the stats).
    outlets: BTreeSet<Arc<str>>,
    bytes: u64,
    spill: Option<&'a mut Spill>,
    progress: Reporter,
}

impl Collector<'_> {
    fn consume(&mut self, outcomes: Vec<Outcome>, floor: u64) -> Result<(), RunError> {
        for outcome in outcomes {
            match outcome {
                Outcome::Ok(doc, rows) => self.accept(&doc, rows.as_deref())?,
                Outcome::Failed { record, stage } => {
                    if stage.is_some() {
                        count_passes(&mut self.stage_stats, &self.doc_stage_ids, stage);
                    }
                    self.push(&record)?;
                }
            }
        }
        self.progress.set_floor(floor);
        self.progress.tick();
        Ok(())
    }

    /// Adds an input's record to the corpus, and to the progress counts.
    fn push(&mut self, record: &ArticleRecord) -> Result<(), RunError> {
        self.progress.record(record.status == Status::Ok);
        self.records.push(record).map_err(RunError::Spill)
    }

    fn accept(&mut self, doc: &Document, rows: Option<&(Vec<u8>, Vec<u8>)>) -> Result<(), RunError> {
        let id = doc.article.id.as_str();
        count_passes(&mut self.stage_stats, &self.doc_stage_ids, None);
        let mut record = record_of(&doc.article);
        let h = concord_core::text::fnv1a64(id.as_bytes());
        let first = match self.seen.get(&h) {
            Some(&i) if self.records.id(i as usize) == id => Some(i),
            Some(_) => self.clashes.get(id).copied(),
            None => None,
        };
        if let Some(first) = first {
            let first = first as usize;
            let at = where_of(self.records.path(first), self.records.line(first));
            record.status = Status::Rejected;
            record.error = Some(format!("duplicate article id `{id}` (first used by {at})"));
            self.push(&record)?;
            return Ok(());
        }
        // This article's record is the next one pushed (at the end of this call).
        let index = self.records.len() as u32;
        match self.seen.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.clashes.insert(id.to_string(), index);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(index);
            }
        }
        let mut failure = None;
        for (i, stage) in self.corpus_stages.iter_mut() {
            let t = Instant::now();
            let r = catch_unwind(AssertUnwindSafe(|| stage.observe(doc)));
            self.corpus_nanos[*i] += t.elapsed().as_nanos() as u64;
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failure = Some(format!("stage `{}`: {e}", self.kinds[*i])),
                Err(p) => failure = Some(format!("stage `{}` panicked: {}", self.kinds[*i], panic_text(&p))),
            }
            if failure.is_some() {
                self.stage_stats[*i].errors += 1;
                break;
            }
        }
        if let Some(reason) = failure {
            record.status = Status::Rejected;
            record.error = Some(reason);
        } else {
            if let (Some(s), Some(rows)) = (self.spill.as_deref_mut(), rows) {
                s.push(rows)?;
            }
            self.bytes += doc.article.body.len() as u64;
            if let Some(o) = &record.outlet {
                self.outlets.insert(o.clone());
            }
        }
        self.progress.advance(doc.article.body.len() as u64);
        self.push(&record)?;
        Ok(())
    }
}

/// Counts an article through the per-article stages: all of them, or up to `failed_at`
/// (a config index) where it was rejected.
fn count_passes(stats: &mut [StageStats], doc_stages: &[usize], failed_at: Option<usize>) {
    for i in doc_stages {
        stats[*i].articles_in += 1;
        if Some(*i) == failed_at {
            stats[*i].errors += 1;
            return;
        }
        stats[*i].articles_out += 1;
    }
}

fn where_of(path: &str, line: Option<u64>) -> String {
    match line {
        Some(l) => format!("{path}:{l}"),
        None => path.to_string(),
    }
}

fn record_of(a: &Article) -> ArticleRecord {
    ArticleRecord {
        id: a.id.clone(),
        path: a.source.path.as_str().into(),
        line: a.source.line,
        title: a.title.clone(),
        outlet: Some(a.outlet.as_str().into()),
        outlet_from: Some(a.outlet_from),
        published: a.published.clone(),
        url: a.url.clone(),
        status: Status::Ok,
        error: None,
        warnings: a.warnings.clone(),
        copy_of: None,
    }
}

fn rejected_record(r: &Rejected) -> ArticleRecord {
    ArticleRecord {
        id: r.id.clone(),
        path: r.path.as_str().into(),
        line: r.line,
        status: Status::Rejected,
        error: Some(r.reason.clone()),
        ..ArticleRecord::default()
    }
}

fn run_doc_stages(
    item: Item,
    stages: &[(usize, &dyn DocStage)],
    kinds: &[String],
    nanos: &[AtomicU64],
    want_rows: bool,
) -> Outcome {
    let article = match item {
        Item::Article(a) => a,
        Item::Rejected(r) => return Outcome::Failed { record: Box::new(rejected_record(&r)), stage: None },
    };
    let mut doc = Document::new(*article);
    for (i, stage) in stages {
        let t = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| stage.process(&mut doc)));
        nanos[*i].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        let reason = match r {
            Ok(Ok(())) => continue,
            Ok(Err(e)) => format!("stage `{}`: {e}", kinds[*i]),
            Err(p) => format!("stage `{}` panicked: {}", kinds[*i], panic_text(&p)),
        };
        let mut record = record_of(&doc.article);
        record.status = Status::Rejected;
        record.error = Some(reason);
        return Outcome::Failed { record: Box::new(record), stage: Some(*i) };
    }
    let rows = want_rows.then(|| Box::new(rows_of(&doc)));
    Outcome::Ok(Box::new(doc), rows)
}

/// The message of a caught panic.
pub fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Progress on stderr: an indicatif bar on a terminal, plain lines otherwise.
struct Reporter {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    started: Instant,
    last: Instant,
    pos: u64,
    ok: u64,
    rejected: u64,
}

impl Reporter {
    fn new(mode: Progress, total: u64) -> Reporter {
        let terminal = std::io::stderr().is_terminal();
        let (bar, plain) = match mode {
            Progress::Quiet => (None, false),
            Progress::Plain => (None, true),
            Progress::Auto if terminal => {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                (Some(bar), false)
            }
            Progress::Auto => (None, true),
        };
        Reporter { bar, plain, started: Instant::now(), last: Instant::now(), pos: 0, ok: 0, rejected: 0 }
    }

    fn advance(&mut self, bytes: u64) {
        self.pos += bytes;
        if let Some(bar) = &self.bar {
            bar.set_position(self.pos.min(bar.length().unwrap_or(u64::MAX)));
        }
    }

    fn set_floor(&mut self, bytes: u64) {
        if bytes > self.pos {
            self.pos = bytes;
            if let Some(bar) = &self.bar {
                bar.set_position(bytes);
            }
        }
    }

    /// Records one finished input (kept as counters: recounting the records at every tick
    /// would make progress quadratic in the number of articles).
    fn record(&mut self, ok: bool) {
        if ok {
            self.ok += 1;
        } else {
            self.rejected += 1;
        }
    }

    fn tick(&mut self) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} ok, {} rejected", self.ok, self.rejected));
        } else if self.plain && self.last.elapsed() >= Duration::from_secs(2) {
            self.last = Instant::now();
            self.line("progress");
        }
    }

    fn line(&self, what: &str) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "concord: {what}: {} articles ok, {} rejected, {:.1} MB in {secs:.1}s ({:.1} MB/s)",
            self.ok,
            self.rejected,
            self.pos as f64 / 1e6,
            self.pos as f64 / 1e6 / secs
        );
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            self.line("done");
        } else if self.plain {
            self.line("done");
        }
    }
}

/// Files that a set of input paths names (for `inspect`).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<InputFile>, RunError> {
    Ok(concord_ingest::discover(paths)?)
}
