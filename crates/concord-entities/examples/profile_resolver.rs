//! Times the corpus part of the entity stage ([`Resolver`]'s `finish`) on BBC News files
//! tagged once and observed `COPIES` times under different article ids, on a rayon pool of
//! `THREADS` threads; prints a digest of the output (equal whatever the thread count).
//!
//! ```text
//! cargo run --release -p concord-entities --example profile_resolver -- [COPIES] [THREADS]
//! ```
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use concord_core::{Article, Corpus, CorpusStage, DocStage, Document, Sentence, Span};
use concord_entities::{EntityOptions, Resolver, Tagger};

fn data_dir() -> PathBuf {
    std::env::var_os("CONCORD_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

/// Naive sentences: one per line (enough for the corpus part).
fn document(id: String, body: String) -> Document {
    let mut doc = Document::new(Article { id, body, ..Default::default() });
    let mut pos = 0;
    for (para, line) in doc.text.split('\n').enumerate() {
        if !line.is_empty() {
            let span = Span::new(pos, pos + line.len());
            doc.sentences.push(Sentence { span, paragraph: para as u32, ..Default::default() });
        }
        pos += line.len() + 1;
    }
    doc
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let copies: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(6);
    let threads: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1);
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
    let tagger = match Tagger::new(&EntityOptions::default()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return;
        }
    };
    let mut docs: Vec<Document> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok().map(|t| document(f.display().to_string(), t)))
        .collect();
    for d in docs.iter_mut() {
        if let Err(e) = tagger.process(d) {
            eprintln!("error: {e}");
        }
    }
    let mut resolver = Resolver::new(true);
    for c in 0..copies {
        for d in docs.iter_mut() {
            let id = d.article.id.rsplit('/').take(2).collect::<Vec<_>>().join("/");
            d.article.id = format!("r{c}/{id}");
            if let Err(e) = resolver.observe(d) {
                eprintln!("error: {e}");
            }
        }
    }
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return;
        }
    };
    let mut corpus = Corpus::default();
    let t = std::time::Instant::now();
    if let Err(e) = pool.install(|| resolver.finish(&mut corpus)) {
        eprintln!("error: {e}");
    }
    let secs = t.elapsed().as_secs_f64();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{:?}{:?}", corpus.entities, corpus.entity_links).hash(&mut h);
    println!(
        "{} articles, {} entities, threads {threads}: finish {secs:.3} s (digest {:016x})",
        docs.len() * copies,
        corpus.entities.len(),
        h.finish()
    );
}
