//! `concord`: map what news outlets agree on.
//!
//! The command-line face of the workspace: argument parsing and exit codes only; the work
//! is in `concord-pipeline` and the stage crates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use concord_pipeline::stages::{claims, entities, normalize};
use concord_pipeline::{default_registry, Config, Progress, Registry, RunError, RunOptions};

mod bench;

/// The binary allocates many small short-lived strings and vectors per article on several
/// threads; mimalloc serves them at about half glibc malloc's cost (see the README's
/// throughput figures). Libraries leave the allocator to their users. Without the default
/// `mimalloc` feature the system allocator serves, for heap profilers.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code of a run that failed after starting.
const FAILED: u8 = 1;
/// Exit code of bad usage or a bad config (nothing was processed).
const USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "concord",
    version,
    about = "Map what news outlets agree on: entities, claims, quotes, corroboration."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a pipeline and write its reports (the default command).
    Run(RunArgs),
    /// Check a config file without running it.
    Validate {
        /// The config file.
        #[arg(default_value = "config/default.toml")]
        config: PathBuf,
    },
    /// List every registered stage with its options.
    Stages,
    /// Print one input's articles as JSON after a stage, with source byte offsets.
    Inspect {
        /// The input file.
        path: PathBuf,
        /// The config whose stages and input options to use.
        #[arg(long, default_value = "config/default.toml")]
        config: PathBuf,
        /// Stop after the first stage of this kind (`ingest` for none).
        #[arg(long)]
        until: Option<String>,
    },
    /// Score a stage against a gold set.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure end-to-end throughput on a corpus built from real articles.
    Bench(bench::BenchArgs),
}

#[derive(Args, Default)]
struct RunArgs {
    /// The config file.
    #[arg(default_value = "config/default.toml")]
    config: PathBuf,
    /// Write reports here instead of the config's output folder.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Read these inputs (files, folders, globs) instead of the config's.
    #[arg(long, num_args = 1..)]
    input: Option<Vec<PathBuf>>,
    /// Worker threads (default: the config's, else one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Exit with code 1 when any input was rejected.
    #[arg(long)]
    strict: bool,
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Sentence segmentation: English Golden Rules (exact match) and BASIL (boundary recall).
    Segment {
        /// golden_rules_en.json (default: $CONCORD_DATA/golden-rules-en/golden_rules_en.json).
        #[arg(long)]
        golden: Option<PathBuf>,
        /// BASIL articles folder (default: $CONCORD_DATA/basil/articles).
        #[arg(long)]
        basil: Option<PathBuf>,
    },
    /// Entity tagging on a CoNLL-2003 file: entity-level precision, recall, F1.
    Ner {
        /// The CoNLL file (default: $CONCORD_DATA/conll2003-en/valid.txt).
        #[arg(long)]
        conll: Option<PathBuf>,
        /// Write `token gold predicted` lines here.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Claim matching on MRPC sentence pairs: precision, recall, F1, accuracy.
    Pairs {
        /// The MRPC file (default: $CONCORD_DATA/mrpc/msr_paraphrase_train.txt).
        #[arg(long)]
        mrpc: Option<PathBuf>,
        /// Write one tab-separated line per pair here.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Quote extraction and speaker attribution on BASIL, without and with the entity tagger.
    Quotes {
        /// The BASIL folder (default: $CONCORD_DATA/basil).
        #[arg(long)]
        basil: Option<PathBuf>,
        /// Write one line per named-person quote (file, sentence, verdict, gold speaker,
        /// predicted speaker, rule, quote) to `<PATH>.raw.tsv` and `<PATH>.tagged.tsv`.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let registry = default_registry();
    match cli.command.unwrap_or(Command::Run(RunArgs { config: "config/default.toml".into(), ..RunArgs::default() })) {
        Command::Run(args) => run(&registry, args),
        Command::Validate { config } => match load(&config, &registry) {
            Ok(c) => {
                let kinds: Vec<_> = c.stages.iter().map(|s| s.kind.as_str()).collect();
                println!("{}: ok ({} stages: {})", config.display(), kinds.len(), kinds.join(" → "));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Stages => {
            print_stages(&registry);
            ExitCode::SUCCESS
        }
        Command::Inspect { path, config, until } => {
            let config = match load(&config, &registry) {
                Ok(c) => c,
                Err(code) => return code,
            };
            match concord_pipeline::inspect(&config, &path, until.as_deref()) {
                Ok(docs) => {
                    for d in docs {
                        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(USAGE)
                }
            }
        }
        Command::Eval(cmd) => eval(cmd),
        Command::Bench(args) => bench::run(&registry, args),
    }
}

/// Loads and validates a config, printing every error; the exit code on failure.
fn load(path: &Path, registry: &Registry) -> Result<Config, ExitCode> {
    Config::load(path, registry).map_err(|errors| {
        eprintln!("{errors}");
        eprintln!("{} error{} in {}", errors.0.len(), if errors.0.len() == 1 { "" } else { "s" }, path.display());
        ExitCode::from(USAGE)
    })
}

fn run(registry: &Registry, args: RunArgs) -> ExitCode {
    let mut config = match load(&args.config, registry) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let opts = RunOptions {
        threads: args.threads,
        out: args.out.clone(),
        inputs: args.input.clone(),
        progress: if args.quiet { Progress::Quiet } else { Progress::Auto },
    };
    match concord_pipeline::run(&mut config, &opts) {
        Ok(summary) => {
            let s = &summary.corpus.stats;
            if !args.quiet {
                for a in summary.corpus.articles.iter().filter(|a| a.error.is_some()) {
                    let at = a.line.map(|l| format!("{}:{l}", a.path)).unwrap_or_else(|| a.path.to_string());
                    eprintln!("rejected: {at}: {}", a.error.as_deref().unwrap_or(""));
                }
                let dir = summary.outputs.first().and_then(|p| p.parent()).map(|p| p.display().to_string());
                println!(
                    "{} articles found: {} ok, {} rejected; {} outlets, {} entities, {} clusters; reports in {}",
                    s.found,
                    s.ok,
                    s.rejected,
                    s.outlets,
                    summary.corpus.entities.len(),
                    summary.corpus.cluster_count(),
                    dir.unwrap_or_default()
                );
            }
            if args.strict && s.rejected > 0 {
                eprintln!("error: {} input(s) rejected (--strict)", s.rejected);
                return ExitCode::from(FAILED);
            }
            ExitCode::SUCCESS
        }
        Err(e @ RunError::Input(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(USAGE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(FAILED)
        }
    }
}

fn print_stages(registry: &Registry) {
    for reg in registry.iter() {
        let d = &reg.def;
        println!("{:<12} {}", d.kind, d.description);
        println!("{:<12} needs: {}; provides: {}", "", list(d.needs), list(d.provides));
        for o in &reg.options {
            println!(
                "{:<14}{} ({}, default {}){}",
                "",
                o.name,
                o.ty,
                o.default,
                if o.help.is_empty() { String::new() } else { format!(": {}", o.help) }
            );
        }
        println!();
    }
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// Where evaluation data lives: `$CONCORD_DATA`, else `../shared/data`.
pub(crate) fn data_dir() -> PathBuf {
    std::env::var_os("CONCORD_DATA").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("../shared/data"))
}

/// The given path, or the default under the data folder; `None` (with a message) when absent.
pub(crate) fn data_path(given: Option<PathBuf>, default: &str, what: &str) -> Option<PathBuf> {
    let p = given.unwrap_or_else(|| data_dir().join(default));
    if p.exists() {
        Some(p)
    } else {
        println!("skipped: {what}: {} not found (set CONCORD_DATA or pass the path)", p.display());
        None
    }
}

/// BASIL quotes twice: with the patterns' own names only, then after the `entities` stage
/// (default options, as `concord run` builds it) has tagged each document.
fn eval_quotes(dir: &Path, predictions: Option<&Path>) -> Result<(), String> {
    let opts = claims::ClaimOptions::default();
    let listing = |tag: &str| predictions.map(|p| p.with_extension(format!("{tag}.tsv")));
    let raw = listing("raw");
    let r = claims::eval::basil_quotes_with(dir, &opts, &|_| {}, raw.as_deref()).map_err(|e| e.to_string())?;
    println!("without entity tagger:\n{r}");
    let registry = default_registry();
    let built = registry
        .get("entities")
        .ok_or("no entities stage registered")?
        .build(&concord_core::toml::Table::new(), &concord_core::BuildContext::default())
        .map_err(|e| format!("entities stage: {e}"))?;
    let tagger = built.doc.ok_or("the entities stage has no per-article part")?;
    let failed = std::cell::Cell::new(None);
    let prepare = |doc: &mut concord_core::Document| {
        if let Err(e) = concord_core::DocStage::process(&*tagger, doc) {
            failed.set(Some(e.to_string()));
        }
    };
    let tagged = listing("tagged");
    let r = claims::eval::basil_quotes_with(dir, &opts, &prepare, tagged.as_deref()).map_err(|e| e.to_string())?;
    if let Some(e) = failed.take() {
        return Err(format!("entities stage: {e}"));
    }
    println!("\nwith entity tagger (entities stage, default options):\n{r}");
    Ok(())
}

fn eval(cmd: EvalCommand) -> ExitCode {
    let result: Result<(), String> = match cmd {
        EvalCommand::Segment { golden, basil } => {
            let mut r = Ok(());
            if let Some(p) = data_path(golden, "golden-rules-en/golden_rules_en.json", "golden rules") {
                match normalize::eval::golden_rules(&p) {
                    Ok(rep) => println!("{rep}"),
                    Err(e) => r = Err(e.to_string()),
                }
            }
            if let Some(p) = data_path(basil, "basil/articles", "BASIL") {
                match normalize::eval::basil(&p) {
                    Ok(rep) => println!("{rep}"),
                    Err(e) => r = Err(e.to_string()),
                }
            }
            r
        }
        EvalCommand::Ner { conll, predictions } => match data_path(conll, "conll2003-en/valid.txt", "CoNLL-2003") {
            Some(p) => {
                entities::eval::conll(&p, predictions.as_deref()).map(|r| println!("{r}")).map_err(|e| e.to_string())
            }
            None => Ok(()),
        },
        EvalCommand::Pairs { mrpc, predictions } => match data_path(mrpc, "mrpc/msr_paraphrase_train.txt", "MRPC") {
            Some(p) => claims::eval::mrpc(&p, predictions.as_deref(), &claims::ClaimOptions::default())
                .map(|r| println!("{r}"))
                .map_err(|e| e.to_string()),
            None => Ok(()),
        },
        EvalCommand::Quotes { basil, predictions } => match data_path(basil, "basil", "BASIL") {
            Some(p) => eval_quotes(&p, predictions.as_deref()),
            None => Ok(()),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(FAILED)
        }
    }
}
