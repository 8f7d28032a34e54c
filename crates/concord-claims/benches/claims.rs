//! Throughput of the claims stage on BBC News (units/s, MB/s), and how the corpus part
//! scales from 10^3 to 10^5 articles (synthetic articles made from BBC words and sentences).
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

/// Synthetic article `i` of the scaling run: 8 paragraphs; about one in five is a real BBC
/// sentence with one word dropped, shared by the five articles of its story (so true
/// matches exist in a fixed number per unit), the others are 12 to 24 words drawn from the BBC word stream
/// (realistic word frequencies, so LSH meets realistic accidental collisions).
fn synthetic(i: u64, pool: &[&str], sentences: &[&str]) -> String {
    let mut out = String::new();
    for k in 0..8u64 {
        let h = mix64(i.wrapping_mul(0x9e37) ^ k);
        // Articles come in stories of five (five outlets): a story's articles share its
        // real sentences, so the number of true matches per unit does not grow with n.
        let story = mix64((i / 5).wrapping_mul(0x51ed) ^ k);
        if story % 5 == 0 {
            let s = sentences[(story >> 8) as usize % sentences.len()];
            let words: Vec<&str> = s.split(' ').collect();
            let drop = (h >> 40) as usize % words.len().max(1);
            let kept: Vec<&str> = words.iter().enumerate().filter(|(j, _)| *j != drop).map(|(_, w)| *w).collect();
            out.push_str(&kept.join(" "));
        } else {
            let n = 12 + (h >> 8) as usize % 13;
            for j in 0..n {
                let w = pool[mix64(h ^ j as u64) as usize % pool.len()];
                if j > 0 {
                    out.push(' ');
                }
                out.push_str(w);
            }
            out.push('.');
        }
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
    let pool: Vec<&str> = bbc.iter().flat_map(|x| x.2.split_whitespace()).collect();
    let sentences: Vec<&str> = bbc
        .iter()
        .flat_map(|x| x.2.lines().skip(1))
        .flat_map(|l| l.split(". "))
        .filter(|s| s.split(' ').count() >= 8)
        .collect();
    let mut n = 1000;
    let mut rows = Vec::new();
    while n <= max {
        let t0 = Instant::now();
        let docs: Vec<Document> = (0..n)
            .map(|i| {
                let body = synthetic(i as u64, &pool, &sentences);
                let mut d = make_doc(&format!("{i:06}"), &format!("outlet-{}", i % 97), &body);
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
    // CONCORD_BENCH_OPTIONS: TOML overrides of the stage options (`num_hashes = 120`).
    let opts: ClaimOptions = std::env::var("CONCORD_BENCH_OPTIONS")
        .ok()
        .and_then(|t| toml::from_str(&t.replace(';', "\n")).ok())
        .unwrap_or_default();
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
