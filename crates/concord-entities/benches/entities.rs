//! Throughput of the entity tagger on BBC News articles, and gazetteer build and matching
//! speed with generated gazetteers of 10^5 and 10^6 names.
//!
//! Data: `CONCORD_DATA` (default `../shared/data` next to the project); the BBC part is
//! skipped with a message when absent.

use std::hint::black_box;
use std::path::PathBuf;

use concord_core::text::mix64;
use concord_core::{Article, DocStage, Document, EntityKind};
use concord_entities::{EntityOptions, GazEntry, Gazetteer, Tagger};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn data_dir() -> PathBuf {
    std::env::var_os("CONCORD_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

/// Naive sentences (the normalize stage's job), see [`Document::split_naively`].
fn document(id: String, body: String) -> Document {
    let mut doc = Document::new(Article { id, body, ..Default::default() });
    doc.split_naively();
    doc
}

fn bbc_articles(limit: usize) -> Option<Vec<(String, String)>> {
    let root = data_dir().join("bbc-news/bbc");
    let mut files = Vec::new();
    for cat in std::fs::read_dir(&root).ok()? {
        let Ok(cat) = cat else { continue };
        let Ok(dir) = std::fs::read_dir(cat.path()) else { continue }; // README.TXT
        for f in dir.flatten() {
            files.push(f.path());
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files.into_iter().take(limit) {
        if let Ok(text) = std::fs::read_to_string(&f) {
            out.push((f.display().to_string(), text));
        }
    }
    Some(out)
}

fn tagger(c: &mut Criterion) {
    let Some(articles) = bbc_articles(400) else {
        println!("skipped: bbc-news not found under {}", data_dir().display());
        return;
    };
    let bytes: usize = articles.iter().map(|a| a.1.len()).sum();
    let docs: Vec<Document> = articles.iter().map(|(id, t)| document(id.clone(), t.clone())).collect();
    let mut g = c.benchmark_group("tagger");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    for (label, opts) in
        [("default", EntityOptions::default()), ("no model", EntityOptions { model: false, ..Default::default() })]
    {
        let tagger = Tagger::new(&opts).expect("tagger");
        g.bench_function(format!("{label}, bbc {} articles", docs.len()), |b| {
            b.iter_batched(
                || docs.iter().map(|d| document(d.article.id.clone(), d.article.body.clone())).collect::<Vec<_>>(),
                |mut docs| {
                    let mut mentions = 0;
                    for d in docs.iter_mut() {
                        tagger.process(d).expect("tagging never fails");
                        mentions += d.mentions.len();
                    }
                    assert!(mentions > docs.len(), "too few mentions: {mentions}");
                    black_box(mentions)
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

const SYL: &[&str] =
    &["ka", "lo", "mi", "ra", "ten", "vor", "sul", "dan", "pe", "zin", "gor", "ba", "li", "nu", "shi", "wex"];

fn word(mut x: u64) -> String {
    let mut w = String::new();
    for _ in 0..(2 + (x % 3)) {
        x = mix64(x);
        w.push_str(SYL[(x % SYL.len() as u64) as usize]);
    }
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => w,
    }
}

fn generated(n: usize) -> Gazetteer {
    let mut g = Gazetteer::new();
    for i in 0..n as u64 {
        let name = format!("{} {}", word(i * 2 + 1), word(i * 2 + 2));
        let alias = word(i ^ 0xabcdef);
        g.add(GazEntry { name, kind: EntityKind::Person, aliases: vec![alias], id: None, url: None });
    }
    g
}

fn gazetteer(c: &mut Criterion) {
    // text: generated names inside filler, about 1 MB
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 1 << 20 {
        text.push_str("The minister said on Tuesday that ");
        text.push_str(&format!("{} {}", word(i * 2 + 1), word(i * 2 + 2)));
        text.push_str(" would travel to the capital next week. ");
        i += 7919;
    }
    for n in [100_000usize, 1_000_000] {
        let g = generated(n);
        let mut grp = c.benchmark_group(format!("gazetteer {n} names"));
        grp.sample_size(10);
        if n <= 100_000 {
            grp.bench_function("compile", |b| b.iter(|| black_box(g.compile().expect("compiles"))));
        }
        // 10^6 names: one timed build (criterion's ten samples would take minutes)
        let t = std::time::Instant::now();
        let m = g.compile().expect("compiles");
        println!("gazetteer {n} names: compiled once in {:.2} s", t.elapsed().as_secs_f64());
        grp.throughput(Throughput::Bytes(text.len() as u64));
        grp.bench_function("match 1 MB", |b| {
            b.iter(|| {
                let hits = m.find(&text);
                assert!(hits.len() > 1000, "{}", hits.len());
                black_box(hits.len())
            })
        });
        grp.finish();
    }
}

criterion_group!(benches, tagger, gazetteer);
criterion_main!(benches);
