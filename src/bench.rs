//! `concord bench`: end-to-end throughput on a corpus of a requested size built from real
//! articles, measured in a child `concord run` so that its peak memory is its own.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::Args;
use concord_core::text::{fnv1a64, mix64};
use concord_pipeline::ingest::{self, InputOptions};
use concord_pipeline::Registry;
use serde::Serialize;

/// Arguments of `concord bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// The config whose stages to run (its inputs are replaced by the generated corpus).
    #[arg(long, default_value = "config/default.toml")]
    pub config: PathBuf,
    /// Real articles to build the corpus from (folders, files, JSONL); default: BBC News and
    /// Reuters-21578 under $CONCORD_DATA (or ../shared/data).
    #[arg(long = "source")]
    pub sources: Vec<PathBuf>,
    /// Corpus sizes to measure, e.g. `30MB` or `10MB,100MB,1GB`.
    #[arg(long, default_value = "30MB", value_delimiter = ',')]
    pub size: Vec<String>,
    /// Worker threads of the measured run.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Keep the corpus and outputs in this folder (default: a temporary folder, removed).
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One source article of the pool.
struct PoolArticle {
    id: String,
    title: Option<String>,
    text: String,
}

/// One measured run, as printed.
#[derive(Serialize)]
struct BenchRun {
    size: String,
    bytes: u64,
    articles: u64,
    threads: usize,
    wall_seconds: f64,
    articles_per_second: f64,
    mb_per_second: f64,
    peak_rss_bytes: Option<u64>,
    /// Peak RSS reached by the end of each phase (see `run.json`).
    peak_rss_by_phase: serde_json::Value,
    /// CPU time of the run (all threads).
    cpu_seconds: Option<f64>,
    /// Wall and CPU time of each phase (see `run.json`).
    phases: serde_json::Value,
    stages: Vec<StageShare>,
}

#[derive(Serialize)]
struct StageShare {
    kind: String,
    seconds: f64,
    share: f64,
}

/// Runs the benchmark.
pub fn run(_registry: &Registry, args: BenchArgs) -> ExitCode {
    match bench(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn bench(args: BenchArgs) -> Result<ExitCode, String> {
    let sizes: Vec<(String, u64)> =
        args.size.iter().map(|s| parse_size(s).map(|n| (s.clone(), n))).collect::<Result<_, _>>()?;
    let sources = if args.sources.is_empty() {
        let data = crate::data_dir();
        let defaults = [data.join("bbc-news/bbc"), data.join("reuters21578/reuters21578.jsonl")];
        let found: Vec<PathBuf> = defaults.into_iter().filter(|p| p.exists()).collect();
        if found.is_empty() {
            println!("skipped: no source corpus under {} (set CONCORD_DATA or pass --source)", data.display());
            return Ok(ExitCode::SUCCESS);
        }
        found
    } else {
        args.sources.clone()
    };
    let pool = load_pool(&sources)?;
    if pool.is_empty() {
        return Err("the sources hold no readable article".into());
    }
    let pool_bytes: usize = pool.iter().map(|a| a.text.len()).sum();
    eprintln!("bench: pool of {} articles ({:.1} MB) from {}", pool.len(), pool_bytes as f64 / 1e6, show(&sources));

    let temp;
    let work = match &args.keep {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
            d.clone()
        }
        None => {
            temp = tempfile::tempdir().map_err(|e| e.to_string())?;
            temp.path().to_path_buf()
        }
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    for (label, size) in &sizes {
        let corpus =
            work.join(if sizes.len() == 1 { "corpus.jsonl".to_string() } else { format!("corpus-{label}.jsonl") });
        let (articles, bytes) = write_corpus(&pool, *size, &corpus)?;
        eprintln!("bench: {label}: {articles} articles, {:.1} MB of text; running", bytes as f64 / 1e6);
        let out = work.join(format!("out-{label}"));
        let status = Command::new(&exe)
            .arg("run")
            .arg(&args.config)
            .arg("--input")
            .arg(&corpus)
            .arg("--out")
            .arg(&out)
            .arg("--threads")
            .arg(args.threads.to_string())
            .arg("--quiet")
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("the measured run failed ({status})"));
        }
        let timing: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).map_err(|e| format!("run.json: {e}"))?)
                .map_err(|e| e.to_string())?;
        runs.push(summarise(label, args.threads, &timing));
    }
    if args.json {
        let text = if runs.len() == 1 {
            serde_json::to_string_pretty(&runs[0])
        } else {
            serde_json::to_string_pretty(&serde_json::json!({ "runs": runs }))
        };
        println!("{}", text.map_err(|e| e.to_string())?);
    } else {
        print_table(&runs);
    }
    Ok(ExitCode::SUCCESS)
}

fn show(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

fn summarise(label: &str, threads: usize, t: &serde_json::Value) -> BenchRun {
    let f = |k: &str| t[k].as_f64().unwrap_or(0.0);
    let stage_total: f64 = t["stages"].as_array().map(|a| a.iter().map(stage_seconds).sum()).unwrap_or(0.0)
        + f("ingest_seconds")
        + f("report_seconds");
    let mut stages: Vec<StageShare> = t["stages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| StageShare {
                    kind: s["kind"].as_str().unwrap_or("?").to_string(),
                    seconds: stage_seconds(s),
                    share: stage_seconds(s) / stage_total.max(1e-9),
                })
                .collect()
        })
        .unwrap_or_default();
    stages.insert(
        0,
        StageShare {
            kind: "ingest".into(),
            seconds: f("ingest_seconds"),
            share: f("ingest_seconds") / stage_total.max(1e-9),
        },
    );
    stages.push(StageShare {
        kind: "report".into(),
        seconds: f("report_seconds"),
        share: f("report_seconds") / stage_total.max(1e-9),
    });
    BenchRun {
        size: label.to_string(),
        bytes: t["bytes"].as_u64().unwrap_or(0),
        articles: t["articles"].as_u64().unwrap_or(0),
        threads,
        wall_seconds: f("wall_seconds"),
        articles_per_second: f("articles_per_second"),
        mb_per_second: f("mb_per_second"),
        peak_rss_bytes: t["peak_rss_bytes"].as_u64(),
        peak_rss_by_phase: t["peak_rss_by_phase"].clone(),
        cpu_seconds: t["cpu_seconds"].as_f64(),
        phases: t["phases"].clone(),
        stages,
    }
}

fn stage_seconds(s: &serde_json::Value) -> f64 {
    s["doc_seconds"].as_f64().unwrap_or(0.0) + s["corpus_seconds"].as_f64().unwrap_or(0.0)
}

fn print_table(runs: &[BenchRun]) {
    println!(
        "{:>8} {:>9} {:>9} {:>10} {:>8} {:>9} {:>6}  per-stage share",
        "size", "articles", "wall s", "articles/s", "MB/s", "peak RSS", "cores"
    );
    for r in runs {
        let shares: Vec<String> = r.stages.iter().map(|s| format!("{} {:.0}%", s.kind, s.share * 100.0)).collect();
        let rss = r.peak_rss_bytes.map(|b| format!("{:.0} MB", b as f64 / 1e6)).unwrap_or_else(|| "?".into());
        // Cores kept busy on average: CPU time over wall time.
        let cores = r.cpu_seconds.map(|c| format!("{:.2}", c / r.wall_seconds.max(1e-9))).unwrap_or_else(|| "?".into());
        println!(
            "{:>8} {:>9} {:>9.2} {:>10.0} {:>8.1} {:>9} {:>6}  {}",
            r.size,
            r.articles,
            r.wall_seconds,
            r.articles_per_second,
            r.mb_per_second,
            rss,
            cores,
            shares.join(", ")
        );
    }
    println!("(threads: {}; machine: {} cores)", runs.first().map_or(1, |r| r.threads), num_cpus());
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Parses `30MB`, `1GB`, `500KB` or a plain number of bytes (decimal units).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let (num, mult) = if let Some(n) = t.strip_suffix("GB") {
        (n, 1e9)
    } else if let Some(n) = t.strip_suffix("MB") {
        (n, 1e6)
    } else if let Some(n) = t.strip_suffix("KB") {
        (n, 1e3)
    } else {
        (t.strip_suffix('B').unwrap_or(&t), 1.0)
    };
    let n: f64 = num.trim().parse().map_err(|_| format!("bad size `{s}` (try 30MB, 1GB)"))?;
    Ok((n * mult) as u64)
}

/// Reads the source articles through concord's own readers.
fn load_pool(sources: &[PathBuf]) -> Result<Vec<PoolArticle>, String> {
    let files = ingest::discover(sources).map_err(|e| e.to_string())?;
    let mut pool = Vec::new();
    for f in &files {
        let mut opts = InputOptions::default();
        if f.path.extension().is_some_and(|e| e == "jsonl") && is_reuters(&f.path) {
            opts.fields.text = "body".into();
            opts.fields.id = "newid".into();
        }
        for a in ingest::read_file(f, &opts).flatten() {
            pool.push(PoolArticle { id: a.id, title: a.title, text: a.body });
        }
    }
    Ok(pool)
}

/// Whether a JSONL file has Reuters-21578's field names (`body`, `newid`).
fn is_reuters(path: &Path) -> bool {
    use std::io::BufRead;
    std::fs::File::open(path)
        .ok()
        .and_then(|f| std::io::BufReader::new(f).lines().next())
        .and_then(Result::ok)
        .is_some_and(|l| l.contains("\"newid\"") && l.contains("\"body\""))
}

/// Writes copies of the pool until `size` bytes of text: round 0 as is, later rounds with
/// light, seeded perturbations (words swapped, numbers changed) and distinct ids and outlets,
/// so that near-duplicates exist as in real syndicated news but copies are not all exact.
fn write_corpus(pool: &[PoolArticle], size: u64, path: &Path) -> Result<(u64, u64), String> {
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = BufWriter::new(file);
    let (mut articles, mut bytes) = (0u64, 0u64);
    let mut round = 0u64;
    'outer: loop {
        for a in pool {
            if bytes >= size {
                break 'outer;
            }
            let seed = mix64(fnv1a64(a.id.as_bytes()) ^ round);
            let text = if round == 0 { a.text.clone() } else { perturb(&a.text, seed) };
            let outlet = format!("outlet-{:02}", seed % 40);
            let row = serde_json::json!({ "id": format!("r{round}/{}", a.id), "title": a.title, "text": text, "source": outlet });
            writeln!(w, "{row}").map_err(|e| e.to_string())?;
            articles += 1;
            bytes += text.len() as u64;
        }
        round += 1;
    }
    w.flush().map_err(|e| e.to_string())?;
    Ok((articles, bytes))
}

/// Swaps about one word pair in twenty and shifts about one digit in three.
fn perturb(text: &str, seed: u64) -> String {
    let mut words: Vec<&str> = text.split(' ').collect();
    let n = words.len();
    for i in 0..n.saturating_sub(1) {
        if mix64(seed ^ i as u64) % 20 == 0 && !words[i].contains('\n') && !words[i + 1].contains('\n') {
            words.swap(i, i + 1);
        }
    }
    let joined = words.join(" ");
    joined
        .chars()
        .enumerate()
        .map(|(i, c)| match c.to_digit(10) {
            Some(d) if mix64(seed ^ (i as u64) << 1) % 3 == 0 => char::from_digit((d + 1) % 10, 10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_decimal_units() {
        assert_eq!(parse_size("30MB").unwrap(), 30_000_000);
        assert_eq!(parse_size("1gb").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn perturbation_is_light_seeded_and_keeps_length() {
        let text = "In 2024 the 12 ministers met in Brussels and agreed on 3 points after a long night of talks";
        let a = perturb(text, 7);
        assert_eq!(a, perturb(text, 7));
        assert_ne!(a, perturb(text, 8));
        assert_eq!(a.len(), text.len());
        let mut x: Vec<&str> = a.split(' ').collect();
        let mut y: Vec<&str> = text.split(' ').collect();
        x.sort();
        y.sort();
        assert_eq!(x.len(), y.len());
    }
}
