//! Integration tests of concord-normalize: seeds, evaluation floors, properties, hostile text.

mod util {
    use concord_core::{Article, DocStage, Document, Source};
    use concord_normalize::{NormalizeOptions, Normalizer};
    use std::path::PathBuf;

    pub fn data_dir() -> PathBuf {
        std::env::var_os("CONCORD_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
    }

    pub fn seed_path(prefix: &str) -> PathBuf {
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"));
        let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        names.into_iter().find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix)).unwrap()
    }

    /// The file's bytes and the body offset (after a `---` front matter block, as ingest does).
    pub fn read_seed(prefix: &str) -> (String, usize) {
        let file = std::fs::read_to_string(seed_path(prefix)).unwrap();
        let off = match file.strip_prefix("---\n") {
            Some(rest) => rest.find("\n---\n").unwrap() + 4 + 5,
            None => 0,
        };
        (file, off)
    }

    pub fn doc_for(file: &str, off: usize) -> Document {
        let article = Article {
            body: file[off..].to_string(),
            source: Source { body_offset: off, ..Default::default() },
            ..Default::default()
        };
        let mut doc = Document::new(article);
        Normalizer::new(NormalizeOptions::default()).unwrap().process(&mut doc).unwrap();
        doc
    }

    pub fn fold(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

mod seeds {
    use super::util::*;
    use concord_core::SentenceKind;

    fn removed_lines(file: &str, doc: &concord_core::Document, rule: &str) -> Vec<String> {
        doc.removed.iter().filter(|r| r.rule == rule).map(|r| r.span.slice(file).trim().to_string()).collect()
    }

    #[test]
    fn sentence_spans_cut_from_the_file_are_the_sentences() {
        for p in ["000", "001", "002", "003", "004"] {
            let (file, off) = read_seed(p);
            let doc = doc_for(&file, off);
            assert!(doc.sentences.len() > 10, "{p}: {}", doc.sentences.len());
            for s in &doc.sentences {
                let src = doc.source_span(s.span);
                assert_eq!(fold(src.slice(&file)), doc.slice(s.span), "{p}");
                assert!(!doc.slice(s.span).is_empty());
            }
            // Removed spans never overlap a sentence.
            for r in &doc.removed {
                for s in &doc.sentences {
                    assert!(!r.span.overlaps(doc.source_span(s.span)), "{p}: {} overlaps a sentence", r.rule);
                }
            }
        }
    }

    #[test]
    fn boilerplate_of_the_seeds_is_removed_with_its_rule() {
        let (f1, o1) = read_seed("001");
        let d1 = doc_for(&f1, o1);
        let emb = removed_lines(&f1, &d1, "social-embed");
        assert_eq!(emb.len(), 2, "{emb:?}");
        assert!(emb.iter().all(|l| l.contains("pic.twitter.com/")));
        let att = removed_lines(&f1, &d1, "social-attribution");
        assert_eq!(
            att,
            vec![
                "— Margo Martin (@MargoMartin47) August 15, 2025",
                "— Rapid Response 47 (@RapidResponse47) August 15, 2025"
            ]
        );
        assert_eq!(removed_lines(&f1, &d1, "widget"), vec!["Comments"]);
        assert_eq!(removed_lines(&f1, &d1, "empty-lines").len(), 1);
        assert!(
            !d1.text.contains("pic.twitter") && !d1.text.contains("@MargoMartin47") && !d1.text.ends_with("Comments")
        );

        let (f3, o3) = read_seed("003");
        let d3 = doc_for(&f3, o3);
        let also = removed_lines(&f3, &d3, "related-links");
        assert_eq!(also.len(), 3);
        assert!(also.iter().all(|l| l.starts_with("ALSO READ:")));
        assert!(!d3.text.contains("ALSO READ"));

        let (f4, o4) = read_seed("004");
        let d4 = doc_for(&f4, o4);
        assert_eq!(removed_lines(&f4, &d4, "byline"), vec!["By Monitoring Desk"]);
        let (place, span) = &d4.meta["dateline"];
        assert_eq!(place, "ANCHORAGE, ALASKA");
        assert_eq!(span.slice(&f4), "ANCHORAGE, ALASKA");
        assert!(d4.slice(d4.sentences[0].span).starts_with("A highly anticipated summit"));

        let (f2, o2) = read_seed("002");
        let d2 = doc_for(&f2, o2);
        assert_eq!(removed_lines(&f2, &d2, "empty-lines").len(), 1);
        let (f0, o0) = read_seed("000");
        let d0 = doc_for(&f0, o0);
        assert!(d0.removed.iter().all(|r| r.rule == "empty-lines"), "{:?}", d0.removed);
    }

    #[test]
    fn no_story_sentence_is_lost() {
        // Every line of each seed that no rule removed is in the text, whole.
        for p in ["000", "001", "002", "003", "004"] {
            let (file, off) = read_seed(p);
            let doc = doc_for(&file, off);
            let mut line_start = off;
            for line in file[off..].split('\n') {
                let span = concord_core::Span::new(line_start, line_start + line.len());
                line_start += line.len() + 1;
                let t = fold(line);
                if t.is_empty() || doc.removed.iter().any(|r| r.span.contains(span)) {
                    continue;
                }
                assert!(doc.text.contains(&t), "{p}: lost {t:?}");
            }
            // Story sentences end like sentences.
            for s in doc.sentences.iter().filter(|s| s.kind == SentenceKind::Story) {
                let t = doc.slice(s.span);
                assert!(t.len() > 15, "{p}: suspicious sentence {t:?}");
            }
        }
        let (f4, o4) = read_seed("004");
        let d4 = doc_for(&f4, o4);
        let texts: Vec<&str> = d4.sentences.iter().map(|s| d4.slice(s.span)).collect();
        assert!(texts.contains(&"As the talks unfolded, Ukraine came under renewed Russian attacks, with eastern regions under air raid sirens and Russian governors reporting Ukrainian drone strikes."));
        assert!(texts.iter().any(|t| t.starts_with(
            "The meeting, held at a U.S. airbase in Anchorage, marked Putin’s first step on Western soil"
        )));
    }

    #[test]
    fn headings_of_seed_002_are_marked() {
        let (file, off) = read_seed("002");
        let doc = doc_for(&file, off);
        let heads: Vec<&str> =
            doc.sentences.iter().filter(|s| s.kind == SentenceKind::Heading).map(|s| doc.slice(s.span)).collect();
        for h in [
            "A Historic Summit in Alaska: Setting the Stage for Talks",
            "Key Takeaways: What the Alaska Summit Means Going Forward",
            "No Deal Yet:",
            "Putin’s Narrative:",
            "Invitation to Moscow:",
            "Exclusion of Europe and Ukraine:",
            "Peace vs. Concessions:",
            "A Step Toward Dialogue, But the Road Remains Long",
        ] {
            assert!(heads.contains(&h), "{h} not in {heads:?}");
        }
        assert_eq!(heads.len(), 11, "{heads:?}");
        let story = doc.sentences.iter().find(|s| doc.slice(s.span).starts_with("Trump emphasized that")).unwrap();
        assert_eq!(story.kind, SentenceKind::Story);
    }

    #[test]
    fn bullets_of_seed_001_are_list_items() {
        let (file, off) = read_seed("001");
        let doc = doc_for(&file, off);
        let items: Vec<&str> =
            doc.sentences.iter().filter(|s| s.kind == SentenceKind::List).map(|s| doc.slice(s.span)).collect();
        assert!(items.contains(&"Gratitude to the US for respecting the memory of Soviet soldiers buried in Alaska."));
        assert!(items.len() >= 11, "{items:?}");
        assert!(items.iter().all(|t| !t.starts_with("- ")));
        let paras: std::collections::BTreeSet<u32> = doc.sentences.iter().map(|s| s.paragraph).collect();
        assert!(paras.len() > 15);
    }
}

mod eval {
    use super::util::data_dir;

    #[test]
    fn golden_rules_floor() {
        let path = data_dir().join("golden-rules-en/golden_rules_en.json");
        if !path.exists() {
            println!("skipped: {} not found", path.display());
            return;
        }
        let r = concord_normalize::eval::golden_rules(&path).unwrap();
        println!("{r}");
        assert!(r.exact >= 48, "{r}");
    }
}

mod props {
    use concord_core::{Article, DocStage, Document, Source};
    use concord_normalize::{clean_text, NormalizeOptions, Normalizer};
    use proptest::prelude::*;

    /// Runs the stage on `file[off..]` and checks every sentence against the file.
    pub fn check(file: &str, off: usize) -> Document {
        check_runs(file, off, 2)
    }

    /// [`check`] with the stage run `runs` times (1 or 2).
    pub fn check_runs(file: &str, off: usize, runs: usize) -> Document {
        let article = Article {
            body: file[off..].to_string(),
            source: Source { body_offset: off, ..Default::default() },
            ..Default::default()
        };
        let mut doc = Document::new(article);
        static STAGE: std::sync::OnceLock<Normalizer> = std::sync::OnceLock::new();
        let n = STAGE.get_or_init(|| Normalizer::new(NormalizeOptions::default()).unwrap());
        n.process(&mut doc).unwrap();
        check_doc(file, off, &doc);
        if runs > 1 {
            // Normalising again composes with the first map and keeps provenance exact.
            n.process(&mut doc).unwrap();
            check_doc(file, off, &doc);
        }
        doc
    }

    fn check_doc(file: &str, off: usize, doc: &Document) {
        assert_eq!(doc.offsets.text_len(), doc.text.len());
        for s in &doc.sentences {
            assert!(s.span.start < s.span.end && s.span.end <= doc.text.len(), "{:?}", s.span);
            assert!(doc.text.is_char_boundary(s.span.start) && doc.text.is_char_boundary(s.span.end));
            let src = doc.source_span(s.span);
            assert!(off <= src.start && src.start <= src.end && src.end <= file.len(), "{src:?}");
            assert!(file.is_char_boundary(src.start) && file.is_char_boundary(src.end));
            assert_eq!(clean_text(src.slice(file)), doc.slice(s.span), "source {:?}", src.slice(file));
        }
        for r in &doc.removed {
            assert!(off <= r.span.start && r.span.end <= file.len());
            assert!(file.is_char_boundary(r.span.start) && file.is_char_boundary(r.span.end));
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-zA-Z]{1,8}",
            3 => Just(" ".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\n\n".to_string()),
            2 => prop::sample::select(vec![
                ".", "!", "?", "…", "...", ". . .", "“", "”", "‘", "’", "\"", "'", "(", ")", "Mr.", "U.S.", "$1.13bn",
                "é", "e\u{301}", "a\u{301}\u{301}", "\u{A0}", "\u{2009}", "\u{200B}", "\u{AD}", "\u{0}", "\r\n", "\t",
                "&amp;", "&#8217;", "&nbsp;", "&#x301;", "&bogus;", "中文。", "مرحبا", "שלום", "\u{200F}", "\u{FFFD}",
                "- ", "• ", "1. ", "By Jane Doe\n", "ALSO READ: x\n", "Comments\n", "— A (@a) August 15, 2025\n",
                "ANCHORAGE, ALASKA – ", "No Deal Yet: ", "\u{1F600}", "\u{0915}\u{094D}\u{0937}", "ᄀ\u{1161}",
            ]).prop_map(str::to_string),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn spans_map_exactly_on_arbitrary_text(pieces in prop::collection::vec(piece(), 0..60), pre in "[a-zé]{0,3}") {
            let body: String = pieces.concat();
            let file = format!("{pre}{body}");
            check(&file, pre.len());
        }
    }
}

mod hostile {
    use super::props::{check, check_runs};
    use concord_core::SentenceKind;
    use std::time::Instant;

    #[test]
    fn all_whitespace() {
        let doc = check(" \n\n\t \u{A0}\u{3000}\n\r\n   \n", 0);
        assert!(doc.sentences.is_empty());
        assert!(doc.text.is_empty());
        let doc = check("", 0);
        assert!(doc.sentences.is_empty());
    }

    #[test]
    fn one_ten_megabyte_line() {
        let unit = "The talks in Anchorage went on for hours, officials said. ";
        let line = unit.repeat(10_000_000 / unit.len());
        let t = Instant::now();
        let doc = check_runs(&line, 0, 1);
        assert_eq!(doc.sentences.len(), 10_000_000 / unit.len());
        assert!(t.elapsed().as_secs() < 60, "{:?}", t.elapsed());
        // One 10 MB word with no space or terminal at all.
        let word = "x".repeat(10_000_000);
        let doc = check_runs(&word, 0, 1);
        assert_eq!(doc.sentences.len(), 1);
        assert_eq!(doc.sentences[0].kind, SentenceKind::Story);
    }

    #[test]
    fn mixed_scripts_combining_marks_rtl() {
        let file = "Putin met Трамп in 東京。 他说：“好。” Then he left.\n\nمرحبا بالعالم. هذا نص عربي.\n\nשלום עולם. Cafe\u{301} A\u{30A}ngstro\u{308}m o\u{323}\u{302}k. \u{301}\u{301}\u{301} Lone marks.\n\nक्षत्रिय नमस्ते। \u{FFFD} replacement.\n";
        let doc = check(file, 0);
        let texts: Vec<&str> = doc.sentences.iter().map(|s| doc.slice(s.span)).collect();
        assert!(texts.contains(&"Café Ångström ộk."), "{texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("مرحبا بالعالم")));
        assert!(texts.contains(&"Then he left."), "{texts:?}");
    }

    #[test]
    fn crlf_and_entities() {
        let file = "Tom &amp; Jerry&#8217;s long-running cartoon show\r\nended.\r\n\r\nIt was&nbsp;&nbsp;fine &hellip; Really.\r\n";
        let doc = check(file, 0);
        let texts: Vec<&str> = doc.sentences.iter().map(|s| doc.slice(s.span)).collect();
        assert_eq!(texts, vec!["Tom & Jerry’s long-running cartoon show ended.", "It was fine … Really."]);
    }
}
