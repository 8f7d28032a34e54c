//! Ingest throughput: JSONL (plain and gzipped) and a folder of Markdown files with front
//! matter, generated in a temporary folder. Each iteration checks the article count.

use std::io::Write;

use concord_ingest::{discover, read_file, InputOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ARTICLES: usize = 2_000;

fn body(i: usize) -> String {
    format!(
        "WASHINGTON (Reuters) - Officials said on day {i} that talks would resume. \"We are close,\" one said.\n\n{}",
        "The summit in Alaska ended without a ceasefire agreement, according to both delegations. ".repeat(20)
    )
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut jsonl = String::new();
    for i in 0..ARTICLES {
        let line = serde_json::json!({"id": i, "text": body(i), "title": format!("Story {i}"), "source": "Wire"});
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
    }
    let plain = dir.path().join("feed.jsonl");
    std::fs::write(&plain, &jsonl).expect("write");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(jsonl.as_bytes()).expect("gzip");
    let gz = dir.path().join("feed.jsonl.gz");
    std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
    let md_dir = dir.path().join("md");
    std::fs::create_dir_all(&md_dir).expect("mkdir");
    let mut md_bytes = 0;
    for i in 0..ARTICLES / 4 {
        let text =
            format!("---\ntitle: \"Story {i}\"\ndate: 2025-08-16\ntags: [News, World]\noutlet: Wire\n---\n{}", body(i));
        md_bytes += text.len();
        std::fs::write(md_dir.join(format!("{i:05}.md")), text).expect("write");
    }

    let opts = InputOptions::default();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    for (name, path) in [("jsonl", &plain), ("jsonl.gz", &gz)] {
        group.throughput(Throughput::Bytes(jsonl.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let files = discover(std::slice::from_ref(path)).expect("discover");
                let n = files.iter().flat_map(|f| read_file(f, &opts)).filter(|r| r.is_ok()).count();
                assert_eq!(n, ARTICLES);
            })
        });
    }
    group.throughput(Throughput::Bytes(md_bytes as u64));
    group.bench_function("md-folder", |b| {
        b.iter(|| {
            let files = discover(std::slice::from_ref(&md_dir)).expect("discover");
            let n = files
                .iter()
                .flat_map(|f| read_file(f, &opts))
                .filter(|r| r.as_ref().is_ok_and(|a| a.title.is_some()))
                .count();
            assert_eq!(n, ARTICLES / 4);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
