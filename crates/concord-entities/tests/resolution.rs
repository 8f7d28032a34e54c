//! Tagging details and cross-article resolution on small hand-made articles.

use concord_core::{Article, Corpus, CorpusStage, DocStage, Document, EntityKind, Sentence, SentenceKind, Span};
use concord_entities::{EntityOptions, Gazetteer, Resolver, Tagger};

fn doc(id: &str, sentences: &[(&str, SentenceKind)]) -> Document {
    let mut text = String::new();
    let mut spans = Vec::new();
    for (i, (s, kind)) in sentences.iter().enumerate() {
        if i > 0 {
            text.push_str("\n\n");
        }
        let a = text.len();
        text.push_str(s);
        spans.push(Sentence { span: Span::new(a, text.len()), kind: *kind, paragraph: i as u32 });
    }
    let mut d = Document::new(Article { id: id.into(), body: text, ..Default::default() });
    d.sentences = spans;
    d
}

fn story(id: &str, sentences: &[&str]) -> Document {
    doc(id, &sentences.iter().map(|s| (*s, SentenceKind::Story)).collect::<Vec<_>>())
}

/// No statistical model: gazetteer and cue rules only, so every result below comes from a rule.
fn rules_only() -> Tagger {
    Tagger::new(&EntityOptions { model: false, ..Default::default() }).unwrap()
}

fn names(d: &Document) -> Vec<(String, EntityKind)> {
    d.entities.iter().map(|e| (e.name.clone(), e.kind)).collect()
}

#[test]
fn discovery_cues_find_people_orgs_and_places() {
    let mut d = story(
        "a",
        &[
            "Hugh Hill, a doctor, treated patients at Mercy General Hospital near Odessa.",
            "The Ministry of Coastal Affairs said Hill was right.",
            "Speaking later, special envoy Dana Orlov told reporters in Bremerton that Orlov's plan stood.",
            "Chuckling, Hill left.",
        ],
    );
    rules_only().process(&mut d).unwrap();
    let n = names(&d);
    assert!(n.contains(&("Hugh Hill".into(), EntityKind::Person)), "{n:?}");
    assert!(n.contains(&("Mercy General Hospital".into(), EntityKind::Org)), "{n:?}");
    assert!(n.contains(&("Ministry of Coastal Affairs".into(), EntityKind::Org)), "{n:?}");
    assert!(n.contains(&("Dana Orlov".into(), EntityKind::Person)), "{n:?}");
    assert!(n.contains(&("Bremerton".into(), EntityKind::Loc)), "{n:?}");
    assert!(n.contains(&("Odesa".into(), EntityKind::Loc)), "{n:?}");
    assert!(!n.iter().any(|(s, _)| s.contains("Chuckling") || s.contains("Speaking")), "{n:?}");
    let hill = d.entities.iter().position(|e| e.name == "Hugh Hill").unwrap();
    let hill_mentions: Vec<_> = d.mentions.iter().filter(|m| m.entity == hill).collect();
    assert_eq!(hill_mentions.len(), 3, "{hill_mentions:?}");
    assert_eq!(hill_mentions[0].role.as_deref(), Some("doctor"));
    let orlov: Vec<_> = d.mentions.iter().filter(|m| m.surface.starts_with("Orlov")).collect();
    assert_eq!(orlov.len(), 1);
    assert_eq!(d.slice(orlov[0].span), "Orlov", "possessive left out of the span");
    let dana = d.mentions.iter().find(|m| m.surface == "Dana Orlov").unwrap();
    assert_eq!(dana.role.as_deref(), Some("special envoy"));
}

#[test]
fn headings_keep_only_confirmed_names() {
    let mut d = doc(
        "h",
        &[
            ("Big Questions Remain For Ambassador Pella Strand", SentenceKind::Heading),
            ("Officials met in Paris on Monday.", SentenceKind::Story),
        ],
    );
    rules_only().process(&mut d).unwrap();
    assert_eq!(names(&d), vec![("Paris".to_string(), EntityKind::Loc)]);
    let mut d = doc(
        "h2",
        &[
            ("Ambassador Pella Strand Speaks", SentenceKind::Heading),
            ("Ambassador Pella Strand said the talks in Paris failed.", SentenceKind::Story),
        ],
    );
    rules_only().process(&mut d).unwrap();
    let strand = d.entities.iter().position(|e| e.name == "Pella Strand").unwrap();
    assert_eq!(d.mentions.iter().filter(|m| m.entity == strand).count(), 2);
}

#[test]
fn user_gazetteers_and_case_rule() {
    let dir = std::env::temp_dir().join(format!("concord-entities-gz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("extra.tsv");
    std::fs::write(&f, "# test\nAcme Widgets\tORG\tAcme\tq42\nSnow\tLOC\n").unwrap();
    let tagger =
        Tagger::new(&EntityOptions { model: false, gazetteers: vec![f.display().to_string()], ..Default::default() })
            .unwrap();
    let mut d = story("g", &["Acme said snow fell on Snow and on Acme Widgets’ plant."]);
    tagger.process(&mut d).unwrap();
    let surfaces: Vec<&str> = d.mentions.iter().map(|m| m.surface.as_str()).collect();
    assert_eq!(surfaces, vec!["Acme", "Snow", "Acme Widgets"]);
    assert_eq!(d.entities[0].gazetteer_id.as_deref(), Some("q42"));
    assert_eq!(d.entities[0].aliases, vec!["Acme"]);
    std::fs::write(&f, "Acme\tCOMPANY\n").unwrap();
    let err =
        Tagger::new(&EntityOptions { gazetteers: vec![f.display().to_string()], ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("extra.tsv:1:"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
    assert!(Gazetteer::load(&dir.join("missing.tsv")).is_err());
}

fn resolve(docs: Vec<Document>) -> Corpus {
    let mut r = Resolver::new(true);
    for d in &docs {
        r.observe(d).unwrap();
    }
    let mut c = Corpus::default();
    r.finish(&mut c).unwrap();
    c
}

#[test]
fn merges_across_articles_deterministically() {
    let t = rules_only();
    let texts = [
        ("b", "Senator Ivan Sobolevskiy said the vote in Tallinn failed."),
        ("a", "Ivan Sobolevsky, a lawyer, said so. Sobolevsky left Tallinn and Tallinn."),
        ("c", "The envoy Sobolevskyy told Reuters the vote would be held again."),
        ("d", "Minister Olga Sobolevsky said she disagreed."),
    ];
    let mut docs = Vec::new();
    for (id, text) in texts {
        let mut d = story(id, &[text]);
        t.process(&mut d).unwrap();
        docs.push(d);
    }
    let c = resolve(docs);
    let ivan: Vec<_> = c.entities.iter().filter(|e| e.name.starts_with("Ivan")).collect();
    assert_eq!(ivan.len(), 1, "{:?}", c.entities);
    assert_eq!(article_ids(ivan[0]), vec!["a", "b"]);
    assert_eq!(ivan[0].roles.get("b").unwrap(), &vec!["Senator".to_string()]);
    assert!(ivan[0].aliases.contains(&"Ivan Sobolevskiy".to_string()), "{:?}", ivan[0]);
    // "Sobolevskyy" alone is ambiguous (Ivan and Olga): it stays on its own
    assert!(c.entities.iter().any(|e| e.name == "Sobolevskyy" && article_ids(e) == ["c"]), "{:?}", c.entities);
    let tallinn = c.entities.iter().find(|e| e.name == "Tallinn").unwrap();
    assert_eq!(tallinn.mention_count("a"), Some(2));
    assert_eq!(article_ids(tallinn), vec!["a", "b"]);
    for (art, ids) in &c.entity_links {
        assert!(ids.iter().all(|&i| (i as usize) < c.entities.len()), "{art}");
    }
    // the same articles observed in another order give the same corpus
    let mut docs2 = Vec::new();
    for (id, text) in texts.iter().rev() {
        let mut d = story(id, &[text]);
        t.process(&mut d).unwrap();
        docs2.push(d);
    }
    let c2 = resolve(docs2);
    assert_eq!(c.entities, c2.entities);
    assert_eq!(c.entity_links, c2.entity_links);
}

#[test]
fn odd_input_never_panics() {
    let tagger = Tagger::new(&EntityOptions::default()).unwrap();
    let pieces = [
        "Putin’s",
        "’s",
        "'s",
        "U.S.",
        "Zürich",
        "É",
        "ß",
        "—",
        "“",
        "”",
        " ",
        "\n\n",
        "\t",
        "NATO",
        "of",
        "Mr.",
        "-",
        "(",
        ")",
        ",",
        "Kiev",
        "Ω",
        "日本",
        "Al-",
        "x",
        "A",
        "said",
        "envoy",
        "President",
        "😀",
        "Base",
        "News",
        "in",
        ".",
    ];
    let mut x = 7u64;
    for round in 0..200 {
        let mut text = String::new();
        for _ in 0..(round % 40) {
            x = concord_core::text::mix64(x);
            text.push_str(pieces[(x % pieces.len() as u64) as usize]);
            if x & 1 == 0 {
                text.push(' ');
            }
        }
        // sentences on arbitrary char boundaries, some out of order-free but overlapping ends
        let mut d = Document::new(Article { id: format!("r{round}"), body: text.clone(), ..Default::default() });
        let cut = text.char_indices().map(|(i, _)| i).nth(text.chars().count() / 2).unwrap_or(0);
        d.sentences = vec![
            Sentence { span: Span::new(0, cut), ..Default::default() },
            Sentence { span: Span::new(cut, text.len()), kind: SentenceKind::Heading, paragraph: 1 },
        ];
        tagger.process(&mut d).unwrap();
        for m in &d.mentions {
            assert_eq!(d.slice(m.span), m.surface);
            assert!(m.entity < d.entities.len());
        }
        let mut empty = Document::new(Article { id: "e".into(), body: text, ..Default::default() });
        tagger.process(&mut empty).unwrap();
    }
}

#[test]
fn conll_dev_beats_the_reference() {
    let data = std::env::var("CONCORD_DATA")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").into());
    let valid = std::path::Path::new(&data).join("conll2003-en/valid.txt");
    if !valid.exists() {
        println!("skipped: {} not found", valid.display());
        return;
    }
    let r = concord_entities::eval::conll(&valid, None).unwrap();
    println!("{r}");
    assert_eq!(r.overall.gold, 5942);
    // spaCy en_core_web_sm scores 0.64 here
    assert!(r.overall.f1() > 0.80, "{r}");
}

#[test]
fn finish_is_the_same_on_any_thread_count() {
    let tagger = Tagger::new(&EntityOptions::default()).unwrap();
    let texts = [
        "President Volodymyr Zelensky met Foreign Minister Sergey Lavrov in Geneva. Zelensky said no.",
        "Volodymyr Zelenskyy, the president, spoke to Reuters. Kyiv was quiet. Lavrov told the BBC so.",
        "Ukraine's Zelenskiy and Russia's Vladimir Putin met in Anchorage. Putin said the talks went well.",
        "The International Criminal Court (ICC) ruled. The ICC said Donald Trump and Trump's aide disagreed.",
        "Kiev and Kyiv are one city. Envoy Steve Witkoff flew to Moscow, where Witkoff met Putin.",
    ];
    let run = |threads: usize| {
        let mut resolver = Resolver::new(true);
        for copy in 0..7 {
            for (i, t) in texts.iter().enumerate() {
                // articles arrive out of id order, some twice as long
                let id = format!("art-{}-{copy}", (i * 7 + copy * 3) % 11);
                let body = if copy % 2 == 0 { t.to_string() } else { format!("{t} {t}") };
                let mut d = story(&id, &[&body]);
                tagger.process(&mut d).unwrap();
                resolver.observe(&d).unwrap();
            }
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut corpus = Corpus::default();
        pool.install(|| resolver.finish(&mut corpus)).unwrap();
        corpus
    };
    let one = run(1);
    assert!(one.entities.iter().any(|e| e.name.starts_with("Volodymyr Zelensk") && e.mentions > 7));
    for threads in [2, 3] {
        let many = run(threads);
        assert_eq!(one.entities, many.entities);
        assert_eq!(one.entity_links, many.entity_links);
    }
}

/// The ids of the articles that mention `e`.
fn article_ids(e: &concord_core::Entity) -> Vec<&str> {
    e.articles.iter().map(|a| a.as_ref()).collect()
}

#[test]
fn a_mention_of_a_missing_entity_fails_that_article_only() {
    let tagger = rules_only();
    let mut good = story("a", &["The Ministry of Coastal Affairs met in Tallinn."]);
    tagger.process(&mut good).unwrap();
    let mut bad = story("b", &["The Ministry of Coastal Affairs met in Tallinn."]);
    tagger.process(&mut bad).unwrap();
    let mut m = bad.mentions[0].clone();
    m.entity = bad.entities.len();
    bad.mentions.push(m);

    let mut r = Resolver::new(true);
    r.observe(&good).unwrap();
    let err = r.observe(&bad).unwrap_err().to_string();
    assert!(err.contains("points to missing entity"), "{err}");
    // the failed article leaves nothing behind: the corpus is the good article's alone
    let mut c = Corpus::default();
    r.finish(&mut c).unwrap();
    assert!(c.entity_links.contains_key("a") && !c.entity_links.contains_key("b"), "{:?}", c.entity_links);
    assert!(c.entities.iter().all(|e| e.articles.iter().all(|x| &**x == "a")));
}
