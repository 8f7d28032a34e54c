//! Acceptance on the five seed articles, with naive sentence splitting and hand-made person
//! mentions standing in for the normalize and entities stages.

use concord_claims::{ClaimOptions, ClaimStage, Clusterer};
use concord_core::{
    Article, ArticleRecord, Corpus, CorpusStage, DocStage, Document, Entity, EntityKind, LocalEntity, Mention,
    OffsetMap, Sentence, SentenceKind, Span, UnitKind,
};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");

const PEOPLE: &[(&str, &[&str])] = &[
    ("Donald Trump", &["Donald Trump", "Trump"]),
    ("Vladimir Putin", &["Vladimir Putin", "Putin"]),
    ("Volodymyr Zelenskyy", &["Volodymyr Zelenskyy", "Zelenskyy", "Zelensky"]),
];

fn gid(local: usize) -> String {
    format!("e-{}", PEOPLE[local].0.split(' ').next_back().unwrap().to_lowercase())
}

fn is_boilerplate(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.contains("pic.twitter.com") || t.starts_with('—') || t == "Comments" || t.starts_with("By ")
}

/// Splits a line into sentences after `.`, `?`, `!` (and closing quotes) followed by a
/// space and an upper-case letter or an opening quote.
fn split_sentences(line: &str, base: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for k in 0..chars.len() {
        let (i, c) = chars[k];
        if !matches!(c, '.' | '?' | '!') {
            continue;
        }
        let mut m = k + 1;
        while m < chars.len() && matches!(chars[m].1, '”' | '"' | '’') {
            m += 1;
        }
        if m < chars.len() && chars[m].1 == ' ' {
            if let Some(&(_, n)) = chars.get(m + 1) {
                if n.is_uppercase() || matches!(n, '“' | '"') {
                    let end = if m < chars.len() { chars[m].0 } else { line.len() };
                    let _ = i;
                    out.push(Span::new(base + start, base + end));
                    start = chars[m + 1].0;
                }
            }
        }
    }
    if start < line.trim_end().len() {
        out.push(Span::new(base + start, base + line.trim_end().len()));
    }
    out
}

/// A document as normalize + entities would hand it over (roughly).
fn seed_doc(id: &str, outlet: &str, source: &str) -> Document {
    let mut body_offset = 0;
    if let Some(rest) = source.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            body_offset = 4 + end + 5;
        }
    }
    let body = &source[body_offset..];
    let article = Article { id: id.into(), outlet: outlet.into(), body: body.into(), ..Default::default() };
    let mut doc = Document::new(article);
    let mut text = String::new();
    let mut offsets = OffsetMap::default();
    let mut sentences = Vec::new();
    let mut pos = 0;
    let mut para = 0;
    for line in body.split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let content = line.trim_end();
        if is_boilerplate(content) {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
            offsets.push_replace(Span::new(line_start, line_start), 2);
        }
        let base = text.len();
        text.push_str(content);
        offsets.push_copy(body_offset + line_start, content.len());
        let heading =
            !content.ends_with(['.', '!', '?', '”', '"', '’', '…']) && content.split_whitespace().count() <= 14;
        for span in split_sentences(content, base) {
            let kind = if heading { SentenceKind::Heading } else { SentenceKind::Story };
            sentences.push(Sentence { span, kind, paragraph: para });
        }
        para += 1;
    }
    doc.text = text;
    doc.offsets = offsets;
    doc.sentences = sentences;
    // Person mentions: longest surface first, no overlaps.
    for (e, (name, _)) in PEOPLE.iter().enumerate() {
        doc.entities.push(LocalEntity {
            name: name.to_string(),
            kind: EntityKind::Person,
            aliases: vec![],
            gazetteer_id: None,
        });
        let _ = e;
    }
    let mut mentions: Vec<Mention> = Vec::new();
    for (e, (_, surfaces)) in PEOPLE.iter().enumerate() {
        for s in *surfaces {
            for (p, _) in doc.text.match_indices(s) {
                let span = Span::new(p, p + s.len());
                let bounded = doc.text[span.end..].chars().next().map_or(true, |c| !c.is_alphanumeric());
                if !bounded || mentions.iter().any(|m| m.span.overlaps(span)) {
                    continue;
                }
                let mut b = p.saturating_sub(20);
                while !doc.text.is_char_boundary(b) {
                    b += 1;
                }
                let before = &doc.text[b..p];
                let role = ["Russian President ", "US President ", "U.S. President ", "Ukrainian President "]
                    .iter()
                    .find(|r| before.ends_with(*r))
                    .map(|r| r.trim().to_string());
                mentions.push(Mention { span, entity: e, kind: EntityKind::Person, surface: s.to_string(), role });
            }
        }
    }
    mentions.sort_by_key(|m| m.span);
    doc.mentions = mentions;
    doc
}

fn load(extra_copy: bool) -> Vec<(String, String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(SEEDS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut out: Vec<(String, String, String)> = files
        .iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            (stem[..3].to_string(), stem, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    if extra_copy {
        let copy = out[2].2.clone();
        out.push(("005".into(), "syndicated_copy".into(), copy));
    }
    out
}

fn run(inputs: &[(String, String, String)], reverse: bool) -> Corpus {
    run_keeping(inputs, reverse, None)
}

/// [`run`], keeping at most `limit` single-source items and clusters in memory.
fn run_keeping(inputs: &[(String, String, String)], reverse: bool, limit: Option<usize>) -> Corpus {
    let opts = ClaimOptions::default();
    let stage = ClaimStage::new(&opts);
    let mut clusterer = Clusterer::new(&opts);
    let mut corpus = Corpus { single_source_limit: limit, cluster_limit: limit, ..Corpus::default() };
    let mut docs: Vec<Document> = inputs
        .iter()
        .map(|(id, outlet, src)| {
            let mut d = seed_doc(id, outlet, src);
            stage.process(&mut d).unwrap();
            d
        })
        .collect();
    if reverse {
        docs.reverse();
    }
    for d in &docs {
        clusterer.observe(d).unwrap();
    }
    for (id, outlet, _) in inputs {
        corpus.articles.push(ArticleRecord {
            id: id.clone(),
            outlet: Some(outlet.as_str().into()),
            ..Default::default()
        });
        corpus.entity_links.insert(id.as_str().into(), (0..PEOPLE.len() as u32).collect());
    }
    for (e, (name, _)) in PEOPLE.iter().enumerate() {
        corpus.entities.push(Entity {
            id: gid(e),
            name: name.to_string(),
            kind: EntityKind::Person,
            aliases: vec![],
            articles: vec![],
            mentions: 0,
            mention_counts: Default::default(),
            roles: Default::default(),
            gazetteer_id: None,
        });
    }
    clusterer.finish(&mut corpus).unwrap();
    corpus
}

fn find<'a>(c: &'a Corpus, kind: UnitKind, words: &str) -> &'a concord_core::Cluster {
    let pos = c
        .clusters
        .iter()
        .position(|cl| cl.kind == kind && cl.members.iter().any(|m| m.text.to_lowercase().contains(words)))
        .unwrap_or_else(|| panic!("no cluster with {words:?}"));
    assert!(pos < 8, "cluster {words:?} ranks {pos}");
    &c.clusters[pos]
}

fn has(cl: &concord_core::Cluster, ids: &[&str]) -> bool {
    ids.iter().all(|id| cl.articles.iter().any(|a| a == id))
}

#[test]
fn seed_acceptance() {
    let inputs = load(false);
    let c = run(&inputs, false);
    for cl in c.clusters.iter().take(12) {
        eprintln!("{} {:?} {:?} {:?} {}", cl.outlets.len(), cl.kind, cl.articles, cl.speaker, cl.text);
        for m in &cl.members {
            eprintln!("     {} {:?}", m.article, m.text);
        }
    }
    if std::env::var_os("SHOW_QUOTES").is_some() {
        let stage = ClaimStage::new(&ClaimOptions::default());
        for (id, outlet, src) in &inputs {
            let mut d = seed_doc(id, outlet, src);
            stage.process(&mut d).unwrap();
            for q in &d.quotes {
                eprintln!("{id} Q {:?} <- {:?}", d.slice(q.span), q.speaker.as_ref().map(|s| (&s.name, &s.rule)));
            }
        }
    }
    let moscow = find(&c, UnitKind::Quote, "next time");
    assert!(has(moscow, &["000", "002", "004"]), "{moscow:?}");
    assert_eq!(moscow.speaker.as_deref(), Some("e-putin"));
    assert_eq!(moscow.speaker_name.as_deref(), Some("Vladimir Putin"));
    let deal = find(&c, UnitKind::Quote, "until there");
    assert!(has(deal, &["002", "003", "004"]), "{deal:?}");
    assert_eq!(deal.speaker.as_deref(), Some("e-trump"));
    let there = find(&c, UnitKind::Quote, "very good chance of getting there");
    assert!(has(there, &["000", "001"]), "{there:?}");
    assert_eq!(there.speaker.as_deref(), Some("e-trump"));
    // Ranked by distinct outlets first.
    assert!(c.clusters.windows(2).all(|w| w[0].outlets.len() >= w[1].outlets.len()));
    // Single-source claims.
    let single = |words: &str| c.single_source.iter().any(|s| s.member.text.contains(words));
    assert!(single("China-Taiwan"), "China-Taiwan comparison not single-source");
    assert!(single("ICC warrant"), "ICC warrant not single-source");
    // No boilerplate, no heading in any cluster.
    for cl in &c.clusters {
        for m in &cl.members {
            assert!(!m.text.contains("pic.twitter") && !m.text.starts_with("By Monitoring"), "{m:?}");
            assert!(m.end > m.start);
        }
    }
    // Provenance: member offsets are source bytes.
    for cl in &c.clusters {
        for m in &cl.members {
            let src = &inputs.iter().find(|i| i.0 == m.article).unwrap().2;
            let slice = &src[m.start..m.end];
            if cl.kind == UnitKind::Claim {
                assert_eq!(slice, m.text);
            } else {
                assert!(m.text.starts_with(&slice[..slice.len().min(10)]), "{slice:?} vs {:?}", m.text);
                assert!(m.context.as_deref().is_some_and(|ctx| ctx.contains(&m.text[..m.text.len().min(10)])));
            }
        }
    }
}

#[test]
fn syndicated_copy_counts_once_and_output_is_deterministic() {
    let inputs = load(true);
    let c = run(&inputs, false);
    assert_eq!(c.copies.len(), 1);
    assert_eq!(c.copies[0].original, "002");
    assert_eq!(c.copies[0].copies, vec!["005".to_string()]);
    assert!(c.copies[0].similarity > 0.99);
    assert_eq!(c.article("005").unwrap().copy_of.as_deref(), Some("002"));
    assert_eq!(c.article("002").unwrap().copy_of, None);
    let deal = find(&c, UnitKind::Quote, "until there");
    assert!(has(deal, &["002", "003", "004", "005"]), "{deal:?}");
    let plain = run(&load(false), false);
    let deal_plain = find(&plain, UnitKind::Quote, "until there");
    assert_eq!(deal.outlets, deal_plain.outlets, "a copy must not add an outlet");
    // Same result whatever the observation order.
    let rev = run(&inputs, true);
    assert_eq!(serde_json::to_string(&c).unwrap(), serde_json::to_string(&rev).unwrap());
}

#[test]
fn single_source_items_and_clusters_past_the_limit_are_spooled_and_replay_in_order() {
    let inputs = load(false);
    let all = run(&inputs, false);
    assert!(all.single_source_rest.is_none(), "no limit: everything in memory");
    let n = all.single_source.len();
    assert!(n > 10, "{n}");
    let kept = run_keeping(&inputs, true, Some(3));
    assert_eq!(kept.single_source.len(), 3);
    assert_eq!(kept.single_source_count(), n);
    let mut replayed = Vec::new();
    kept.for_each_single_source(|s| {
        replayed.push(s.into_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(replayed, all.single_source, "same items, same order, texts read back intact");
    assert_eq!(kept.clusters.len(), 3);
    assert_eq!(kept.cluster_count(), all.clusters.len());
    let mut clusters = Vec::new();
    kept.for_each_cluster(|c| {
        clusters.push(c.into_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(clusters, all.clusters, "same clusters, same rank order");
}
