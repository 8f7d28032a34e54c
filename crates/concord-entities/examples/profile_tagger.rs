//! Times the per-article tagger on BBC News files (for profiling, e.g. under `perf` or
//! `valgrind --tool=callgrind`).
//!
//! ```text
//! cargo run --release -p concord-entities --example profile_tagger -- [FILES] [ROUNDS] [no-model] [dump=PATH]
//! ```
use std::path::PathBuf;

use concord_core::{Article, DocStage, Document};
use concord_entities::{EntityOptions, Tagger};

fn data_dir() -> PathBuf {
    std::env::var_os("CONCORD_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

/// Naive sentences (as the bench does), see [`Document::split_naively`].
fn document(id: String, body: String) -> Document {
    let mut doc = Document::new(Article { id, body, ..Default::default() });
    doc.split_naively();
    doc
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let limit: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let rounds: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let model = !args.iter().any(|a| a == "no-model");
    let dump = args.iter().find_map(|a| a.strip_prefix("dump="));
    let root = data_dir().join("bbc-news/bbc");
    let mut files = Vec::new();
    for cat in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(cat.path()).into_iter().flatten().flatten() {
            files.push(f.path());
        }
    }
    if files.is_empty() {
        println!("skipped: bbc-news not found under {}", root.display());
        return;
    }
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .take(limit)
        .filter_map(|f| std::fs::read_to_string(f).ok().map(|t| (f.display().to_string(), t)))
        .collect();
    let bytes: usize = texts.iter().map(|t| t.1.len()).sum();
    let tagger = match Tagger::new(&EntityOptions { model, ..Default::default() }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return;
        }
    };
    let mut docs: Vec<Document> = texts.iter().map(|(id, t)| document(id.clone(), t.clone())).collect();
    let (mut mentions, mut secs) = (0usize, 0.0f64);
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        for d in docs.iter_mut() {
            if let Err(e) = tagger.process(d) {
                eprintln!("error: {e}");
            }
            mentions += d.mentions.len();
        }
        secs += t.elapsed().as_secs_f64();
    }
    if let Some(path) = dump {
        use std::fmt::Write;
        let mut out = String::new();
        for d in &docs {
            for m in &d.mentions {
                let e = &d.entities[m.entity];
                let _ = writeln!(
                    out,
                    "{}\t{:?}\t{:?}\t{:?}\t{}\t{:?}",
                    d.article.id, m.span, m.surface, m.role, e.name, e.kind
                );
            }
        }
        if let Err(e) = std::fs::write(path, out) {
            eprintln!("error: {path}: {e}");
        }
    }
    let mb = (bytes * rounds) as f64 / 1e6;
    println!("{} docs x {rounds}: {mb:.1} MB in {secs:.3} s = {:.1} MB/s ({mentions} mentions)", docs.len(), mb / secs);
}
