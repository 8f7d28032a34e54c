//! Throughput of the claims stage on BBC News (units/s, MB/s), and how the corpus part
//! scales from 10^3 to 10^5 articles (perturbed copies of BBC articles).
//!
//! Data: `$CONCORD_DATA/bbc-news/bbc` (default `../../../shared/data`); skipped when absent.
//! `CONCORD_BENCH_SCALE` sets the largest scaling size (default 100000; 0 skips it).

use std::path::PathBuf;
use std::time::Instant;

use concord_claims::{ClaimOptions, ClaimStage, Clusterer};
use concord_core::text::mix64;
use concord_core::{Article, ArticleRecord, Corpus, CorpusStage, DocStage, Document, Sentence, SentenceKind, Span};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn data_dir() -> PathBuf {
    std::env::var_os("CONCORD_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

fn load_bbc() -> Option<Vec<(String, String, String)>> {
    let root = data_dir().join("bbc-news/bbc");
    let mut out = Vec::new();
    let mut cats: Vec<_> = std::fs::read_dir(&root).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    cats.sort();
    for c in cats.iter().filter(|c| c.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(c).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let Ok(bytes) = std::fs::read(&f) else { continue };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let cat = c.file_name().and_then(|s| s.to_str()).unwrap_or("bbc").to_string();
            let id = format!("{cat}/{}", f.file_name().and_then(|s| s.to_str()).unwrap_or(""));
            out.push((id, cat, text));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A document with naive sentences: lines are paragraphs, split after `. ` + capital.
fn make_doc(id: &str, outlet: &str, body: &str) -> Document {
    let mut doc =
        Document::new(Article { id: id.into(), outlet: outlet.into(), body: body.into(), ..Default::default() });
    let mut pos = 0;
    for (para, line) in body.split_inclusive('\n').enumerate() {
        let base = pos;
        pos += line.len();
        let content = line.trim_end();
        if content.is_empty() {
            continue;
        }
        let heading = para == 0 && !content.ends_with(['.', '"', '?', '!']);
        let mut start = 0;
        let b = content.as_bytes();
        for i in 0..b.len() {
            if matches!(b[i], b'.' | b'?' | b'!')
                && i + 2 < b.len()
                && b[i + 1] == b' '
                && b[i + 2].is_ascii_uppercase()
            {
                doc.sentences.push(Sentence {
                    span: Span::new(base + start, base + i + 1),
                    kind: SentenceKind::Story,
                    paragraph: para as u32,
                });
                start = i + 2;
            }
        }
        let kind = if heading { SentenceKind::Heading } else { SentenceKind::Story };
        doc.sentences.push(Sentence {
            span: Span::new(base + start, base + content.len()),
            kind,
            paragraph: para as u32,
        });
    }
    doc
}

/// A perturbed copy of `body`'s first `max_lines` lines: one word of each line dropped,
/// chosen by a seeded hash, so copies are near-duplicates but not identical.
fn perturb(body: &str, seed: u64, max_lines: usize) -> String {
    let mut out = String::new();
    for (k, line) in body.lines().filter(|l| !l.trim().is_empty()).take(max_lines).enumerate() {
        let words: Vec<&str> = line.split(' ').collect();
        let drop = (mix64(seed ^ k as u64) % words.len().max(1) as u64) as usize;
        let kept: Vec<&str> =
            words.iter().enumerate().filter(|(i, _)| *i != drop || words.len() < 6).map(|(_, w)| *w).collect();
        out.push_str(&kept.join(" "));
        out.push_str("\n\n");
    }
    out
}

fn run_corpus(docs: &[Document], opts: &ClaimOptions) -> Corpus {
    let mut c = Clusterer::new(opts);
    let mut corpus = Corpus::default();
    for d in docs {
        c.observe(d).unwrap();
        corpus.articles.push(ArticleRecord { id: d.article.id.clone(), ..Default::default() });
    }
    corpus.articles.sort_by(|a, b| a.id.cmp(&b.id));
    c.finish(&mut corpus).unwrap();
    corpus
}

fn scaling(bbc: &[(String, String, String)], opts: &ClaimOptions) {
    let max: usize = std::env::var("CONCORD_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let stage = ClaimStage::new(opts);
    let mut n = 1000;
    let mut rows = Vec::new();
    while n <= max {
        let t0 = Instant::now();
        let docs: Vec<Document> = (0..n)
            .map(|i| {
                let (_, cat, body) = &bbc[i % bbc.len()];
                let body = perturb(body, i as u64, 8);
                let mut d = make_doc(&format!("{i:06}"), &format!("{cat}-{}", i % 97), &body);
                stage.process(&mut d).unwrap();
                d.text = String::new(); // the runner drops text after observe; keep memory honest
                d
            })
            .collect();
        let t1 = Instant::now();
        let units: usize = docs.iter().map(|d| d.units.len()).sum();
        let corpus = run_corpus(&docs, opts);
        let t2 = Instant::now();
        let per = (t2 - t1).as_secs_f64() / n as f64 * 1e6;
        println!(
            "scaling: {n:>7} articles {units:>8} units: per-article {:>7.2}s, corpus {:>7.2}s ({per:.1} us/article), {} clusters",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            corpus.clusters.len()
        );
        rows.push((n, per));
        n *= 10;
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        println!(
            "scaling: corpus time per article grows {:.2}x from {} to {} articles",
            last.1 / first.1,
            first.0,
            last.0
        );
    }
}

fn bench(c: &mut Criterion) {
    let Some(bbc) = load_bbc() else {
        println!("skipped: {} not found", data_dir().join("bbc-news/bbc").display());
        return;
    };
    let opts = ClaimOptions::default();
    let stage = ClaimStage::new(&opts);
    let docs: Vec<Document> = bbc.iter().map(|(id, cat, body)| make_doc(id, cat, body)).collect();
    let bytes: u64 = bbc.iter().map(|x| x.2.len() as u64).sum();
    let mut probe: Vec<Document> = bbc.iter().map(|(id, cat, body)| make_doc(id, cat, body)).collect();
    for d in &mut probe {
        stage.process(d).unwrap();
    }
    let units: u64 = probe.iter().map(|d| d.units.len() as u64).sum();
    println!("bbc: {} articles, {} bytes, {} units", docs.len(), bytes, units);

    let mut g = c.benchmark_group("claims");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("per_article_bytes", |b| {
        b.iter_batched(
            || docs.iter().map(|d| make_doc(&d.article.id, &d.article.outlet, &d.article.body)).collect::<Vec<_>>(),
            |mut ds| {
                let mut n = 0;
                for d in &mut ds {
                    stage.process(d).unwrap();
                    n += d.units.len() as u64;
                }
                assert_eq!(n, units);
                ds
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.throughput(Throughput::Elements(units));
    g.bench_function("corpus_units", |b| {
        b.iter(|| {
            let corpus = run_corpus(&probe, &opts);
            assert!(!corpus.copies.is_empty(), "BBC has exact duplicates");
            corpus
        })
    });
    g.finish();
    scaling(&bbc, &opts);
}

criterion_group!(benches, bench);
criterion_main!(benches);
