//! Prints the sentences and removed spans of one text file: `cargo run --example dump FILE`.
use concord_core::{Article, DocStage, Document, Source};
fn main() {
    let Some(path) = std::env::args().nth(1) else { return eprintln!("usage: dump FILE") };
    let file = match std::fs::read_to_string(&path) {
        Ok(f) => f,
        Err(e) => return eprintln!("{path}: {e}"),
    };
    let off = file.strip_prefix("---\n").and_then(|rest| rest.find("\n---\n")).map_or(0, |e| e + 9);
    let article = Article {
        body: file[off..].to_string(),
        source: Source { body_offset: off, ..Default::default() },
        ..Default::default()
    };
    let mut doc = Document::new(article);
    let n = concord_normalize::Normalizer::new(Default::default()).expect("default options");
    if let Err(e) = n.process(&mut doc) {
        return eprintln!("{e}");
    }
    for s in &doc.sentences {
        println!("{:>3} {:?} {}", s.paragraph, s.kind, doc.slice(s.span));
    }
    for r in &doc.removed {
        println!("REMOVED {} {:?}", r.rule, r.span.slice(&file));
    }
    for (k, v) in &doc.meta {
        println!("META {k} {v:?}");
    }
}
