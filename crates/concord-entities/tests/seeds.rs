//! The acceptance list over the five seed articles.

use std::collections::BTreeSet;

use concord_core::{Article, Corpus, CorpusStage, DocStage, Document, EntityKind, Sentence, SentenceKind, Span};
use concord_entities::{EntityOptions, Resolver, Tagger};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");

/// Naive preparation standing in for the normalize stage: drop front matter, split
/// paragraphs on blank lines (or lines), sentences after `.`, `?`, `!` and a space.
fn document(id: &str, raw: &str) -> Document {
    let mut body = raw;
    if let Some(rest) = raw.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            body = &rest[end + 5..];
        }
    }
    let mut doc = Document::new(Article { id: id.into(), body: body.to_string(), ..Default::default() });
    let text = doc.text.clone();
    let mut sentences = Vec::new();
    let mut pos = 0;
    for (para, line) in text.split('\n').enumerate() {
        let start = pos;
        pos += line.len() + 1;
        let trimmed = line.trim_end();
        if trimmed.trim().is_empty() {
            continue;
        }
        let kind = if !trimmed.ends_with(['.', '?', '!', '"', '”', ':']) && trimmed.split(' ').count() < 12 {
            SentenceKind::Heading
        } else {
            SentenceKind::Story
        };
        let mut s = start;
        let bytes = trimmed.as_bytes();
        for i in 0..bytes.len() {
            if matches!(bytes[i], b'.' | b'?' | b'!') && bytes.get(i + 1) == Some(&b' ') {
                sentences.push(Sentence { span: Span::new(s, start + i + 1), kind, paragraph: para as u32 });
                s = start + i + 2;
            }
        }
        if s < start + trimmed.len() {
            sentences.push(Sentence { span: Span::new(s, start + trimmed.len()), kind, paragraph: para as u32 });
        }
    }
    doc.sentences = sentences;
    doc
}

fn words_contain(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back().map_or(true, |c| !c.is_alphanumeric());
        let after = text[i + word.len()..].chars().next().map_or(true, |c| !c.is_alphanumeric());
        before && after
    })
}

#[test]
fn acceptance_on_the_seeds() {
    let Ok(dir) = std::fs::read_dir(SEEDS) else {
        println!("skipped: seeds not found at {SEEDS}");
        return;
    };
    let mut files: Vec<_> =
        dir.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let tagger = Tagger::new(&EntityOptions::default()).unwrap();
    let mut resolver = Resolver::new(true);
    let mut texts = Vec::new();
    for f in &files {
        let id = f.file_stem().unwrap().to_string_lossy().to_string();
        let raw = std::fs::read_to_string(f).unwrap();
        let mut doc = document(&id, &raw);
        tagger.process(&mut doc).unwrap();
        for m in &doc.mentions {
            assert_eq!(doc.slice(m.span), m.surface);
            for bad in ["Unusually", "Extraordinarily", "Chuckling"] {
                assert!(!m.surface.contains(bad), "{id}: {m:?}");
            }
        }
        resolver.observe(&doc).unwrap();
        texts.push((id, doc.text.clone()));
    }
    let mut corpus = Corpus::default();
    resolver.finish(&mut corpus).unwrap();
    use EntityKind::*;
    let expected: &[(&str, EntityKind, &[&str])] = &[
        ("Donald Trump", Person, &["Trump"]),
        ("Vladimir Putin", Person, &["Putin"]),
        ("Volodymyr Zelenskyy", Person, &["Zelenskyy", "Zelensky"]),
        ("Marco Rubio", Person, &["Rubio"]),
        ("Steve Witkoff", Person, &["Witkoff"]),
        ("Sergey Lavrov", Person, &["Lavrov"]),
        ("Yuri Ushakov", Person, &["Ushakov"]),
        ("Hillary Clinton", Person, &["Hillary Clinton"]),
        ("Kimberly Halkett", Person, &["Halkett"]),
        ("NATO", Org, &["NATO"]),
        ("Fox News", Org, &["Fox News"]),
        ("Al Jazeera", Org, &["Al Jazeera"]),
        ("International Criminal Court", Org, &["International Criminal Court", "ICC"]),
        ("Alaska", Loc, &["Alaska"]),
        ("Anchorage", Loc, &["Anchorage"]),
        ("Moscow", Loc, &["Moscow"]),
        ("Kyiv", Loc, &["Kyiv", "Kiev"]),
        ("Ukraine", Loc, &["Ukraine"]),
        ("Crimea", Loc, &["Crimea"]),
        ("Donetsk", Loc, &["Donetsk"]),
        ("Luhansk", Loc, &["Luhansk"]),
        ("Zaporizhzhia", Loc, &["Zaporizhzhia"]),
        ("Kherson", Loc, &["Kherson"]),
        ("Joint Base Elmendorf-Richardson", Loc, &["Elmendorf-Richardson"]),
    ];
    let mut failures = Vec::new();
    for (name, kind, surfaces) in expected {
        let want: BTreeSet<&str> = texts
            .iter()
            .filter(|(_, t)| surfaces.iter().any(|s| words_contain(t, s)))
            .map(|(id, _)| id.as_str())
            .collect();
        assert!(!want.is_empty(), "{name} is in no seed");
        let Some(e) = corpus.entities.iter().find(|e| e.name == *name) else {
            failures.push(format!("{name}: not found"));
            continue;
        };
        if e.kind != *kind {
            failures.push(format!("{name}: kind {:?}, want {kind:?}", e.kind));
        }
        let got: BTreeSet<&str> = e.articles.iter().map(|a| a.as_ref()).collect();
        if got != want {
            failures.push(format!("{name}: articles {got:?}, want {want:?}"));
        }
        let others: Vec<_> =
            corpus.entities.iter().filter(|o| o.id != e.id && o.kind == *kind && o.name.contains(last(name))).collect();
        if !others.is_empty() {
            failures.push(format!("{name}: not merged with {:?}", others.iter().map(|o| &o.name).collect::<Vec<_>>()));
        }
    }
    for e in &corpus.entities {
        println!("{:<8} {:<40} {:?} {:?} {:?}", e.kind.as_str(), e.name, e.aliases, e.articles, e.roles);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let zel = corpus.entities.iter().find(|e| e.name == "Volodymyr Zelenskyy").unwrap();
    assert!(zel.aliases.iter().any(|a| a.contains("Zelensky") && !a.contains("Zelenskyy")), "{:?}", zel.aliases);
    let kyiv = corpus.entities.iter().find(|e| e.name == "Kyiv").unwrap();
    assert!(kyiv.aliases.iter().any(|a| a == "Kiev"), "{:?}", kyiv.aliases);
    let rubio = corpus.entities.iter().find(|e| e.name == "Marco Rubio").unwrap();
    let roles: BTreeSet<&str> = rubio.roles.values().flatten().map(String::as_str).collect();
    assert!(roles.contains("Senator") && roles.contains("US Secretary of State"), "{roles:?}");
    for e in &corpus.entities {
        for bad in ["Unusually", "Extraordinarily", "Chuckling"] {
            assert!(!e.name.contains(bad) && !e.aliases.iter().any(|a| a.contains(bad)), "{e:?}");
        }
        for (art, locals) in &corpus.entity_links {
            assert!(locals.iter().all(|&l| (l as usize) < corpus.entities.len()), "{art}");
        }
    }
}

fn last(name: &str) -> &str {
    name.rsplit([' ', '-']).next().unwrap_or(name)
}
