//! Throughput of the `normalize` stage (MB/s) on the seeds, on BBC News articles (one line
//! a paragraph) and on Reuters-21578 articles (hard-wrapped at ~70 columns, a dateline each:
//! the line rules and the dateline run far more often per byte).
//!
//! `cargo bench -p concord-normalize`; the data sets are read from `$CONCORD_DATA`
//! (`bbc-news/bbc`, `reuters21578/reuters21578.jsonl`; default `../../../shared/data`) and
//! skipped with a message when absent.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use concord_core::{Article, DocStage, Document};
use concord_normalize::{NormalizeOptions, Normalizer};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn read_dir_texts(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_dir_texts(&p, out);
        } else if p.extension().is_some_and(|e| e == "txt") {
            if let Ok(bytes) = std::fs::read(&p) {
                out.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
}

/// The `body` of each JSON line of `path` (Reuters-21578 as JSON Lines).
fn read_jsonl_bodies(path: &Path, out: &mut Vec<String>) {
    let Ok(text) = std::fs::read_to_string(path) else { return };
    for line in text.lines() {
        if let Ok(serde_json::Value::Object(mut o)) = serde_json::from_str(line) {
            if let Some(serde_json::Value::String(body)) = o.remove("body") {
                out.push(body);
            }
        }
    }
}

fn run(n: &Normalizer, texts: &[String]) -> usize {
    let mut sentences = 0;
    for t in texts {
        let mut doc = Document::new(Article { body: t.clone(), ..Default::default() });
        n.process(&mut doc).expect("normalize never fails");
        sentences += doc.sentences.len();
    }
    sentences
}

fn bench(c: &mut Criterion) {
    let n = Normalizer::new(NormalizeOptions::default()).expect("default options");
    let mut group = c.benchmark_group("normalize");
    let mut seeds = Vec::new();
    read_dir_texts(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds")), &mut seeds);
    let data = std::env::var_os("CONCORD_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let mut bbc = Vec::new();
    read_dir_texts(&data.join("bbc-news/bbc"), &mut bbc);
    if bbc.is_empty() {
        eprintln!("skipped bbc: {} not found", data.join("bbc-news/bbc").display());
    }
    let mut reuters = Vec::new();
    read_jsonl_bodies(&data.join("reuters21578/reuters21578.jsonl"), &mut reuters);
    if reuters.is_empty() {
        eprintln!("skipped reuters: {} not found", data.join("reuters21578/reuters21578.jsonl").display());
    }
    for (name, texts) in [("seeds", &seeds), ("bbc", &bbc), ("reuters", &reuters)] {
        if texts.is_empty() {
            continue;
        }
        let bytes: usize = texts.iter().map(String::len).sum();
        let expected = run(&n, texts);
        assert!(expected > 0);
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let got = run(&n, black_box(texts));
                assert_eq!(got, expected);
                got
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
