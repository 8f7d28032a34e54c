//! Per-article throughput of `ClaimStage` on BBC News, single thread, fixed work (for
//! `perf stat`): `cargo run --release -p concord-claims --example throughput [DATA_DIR] [ROUNDS]`.
//! The entity tagger runs first (untimed), as in the pipeline, so quote attribution and the
//! units' entities take the path they take there.
use std::path::PathBuf;
use std::time::Instant;

use concord_claims::{ClaimOptions, ClaimStage};
use concord_core::{Article, DocStage, Document, Sentence, SentenceKind, Span};

fn make_doc(id: &str, body: &str) -> Document {
    let mut doc =
        Document::new(Article { id: id.into(), outlet: "bbc".into(), body: body.into(), ..Default::default() });
    let mut pos = 0;
    for (para, line) in body.split_inclusive('\n').enumerate() {
        let base = pos;
        pos += line.len();
        let content = line.trim_end();
        if content.is_empty() {
            continue;
        }
        let b = content.as_bytes();
        let mut start = 0;
        for i in 0..b.len() {
            if matches!(b[i], b'.' | b'?' | b'!')
                && i + 2 < b.len()
                && b[i + 1] == b' '
                && b[i + 2].is_ascii_uppercase()
            {
                let span = Span::new(base + start, base + i + 1);
                doc.sentences.push(Sentence { span, kind: SentenceKind::Story, paragraph: para as u32 });
                start = i + 2;
            }
        }
        let heading = para == 0 && !content.ends_with(['.', '"', '?', '!']);
        let kind = if heading { SentenceKind::Heading } else { SentenceKind::Story };
        let span = Span::new(base + start, base + content.len());
        doc.sentences.push(Sentence { span, kind, paragraph: para as u32 });
    }
    doc
}

fn main() {
    let data = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let rounds: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let root = data.join("bbc-news/bbc");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&root) {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .flat_map(|c| std::fs::read_dir(c).into_iter().flatten().filter_map(|e| e.ok().map(|e| e.path())))
            .collect(),
        Err(_) => {
            println!("skipped: {} not found", root.display());
            return;
        }
    };
    files.sort();
    let bodies: Vec<String> =
        files.iter().filter_map(|f| std::fs::read(f).ok()).map(|b| String::from_utf8_lossy(&b).into_owned()).collect();
    let bytes: usize = bodies.iter().map(String::len).sum();
    let stage = ClaimStage::new(&ClaimOptions::default());
    let tagger = concord_entities::Tagger::new(&concord_entities::EntityOptions::default()).expect("built-in tagger");
    let mut secs = 0.0;
    let mut units = 0;
    let (mut all, mut kept) = (0usize, 0usize);
    for _ in 0..rounds {
        let mut docs: Vec<Document> = bodies.iter().enumerate().map(|(i, b)| make_doc(&i.to_string(), b)).collect();
        for d in &mut docs {
            tagger.process(d).expect("tag");
        }
        let t = Instant::now();
        for d in &mut docs {
            stage.process(d).expect("process");
            units += d.units.len();
        }
        secs += t.elapsed().as_secs_f64();
        if all == 0 {
            // What the corpus part keeps: the clustered units, packed.
            let mut clusterer = concord_claims::Clusterer::new(&ClaimOptions::default());
            for d in &docs {
                if let Some(r) = d.ext.get::<concord_claims::ClaimRecord>() {
                    all += r.units.len();
                    clusterer.add(&d.article.id, "bbc", r).expect("spill");
                }
            }
            kept = clusterer.units();
        }
    }
    println!("corpus records: {kept} of {all} units kept");
    println!(
        "{} articles, {bytes} bytes, {units} units over {rounds} rounds: {:.1} MB/s",
        bodies.len(),
        (bytes * rounds) as f64 / secs / 1e6
    );
}
