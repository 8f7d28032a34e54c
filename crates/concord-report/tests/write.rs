//! Writing every format: files present, atomic, deterministic, JSONL rows linked.

mod common;

use concord_core::{Article, Document, EntityKind, LocalEntity, Mention, Quote, Source, Span, Speaker};
use concord_report::{
    mention_rows, quote_rows, report_html, report_markdown, write_atomic, write_reports, write_reports_with, Format,
    HtmlLimits, JsonlWriter, MentionRow, OutputOptions, ReportInput, Rows,
};
use serde_json::Value;

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn writes_all_formats_deterministically() {
    let corpus = common::corpus(true);
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let opts = OutputOptions::default();
    let wa = write_reports(&corpus, &opts, &a.path().join("out")).unwrap();
    let wb = write_reports(&corpus, &opts, b.path()).unwrap();
    let names: Vec<String> = wa.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(
        names,
        [
            "report.json",
            "articles.jsonl",
            "entities.jsonl",
            "mentions.jsonl",
            "quotes.jsonl",
            "clusters.jsonl",
            "single_source.jsonl",
            "report.md",
            "report.html"
        ]
    );
    for (x, y) in wa.iter().zip(&wb) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{}", x.display());
    }
    // No temporary files left behind.
    let left: Vec<_> = std::fs::read_dir(a.path().join("out")).unwrap().filter_map(Result::ok).collect();
    assert_eq!(left.len(), names.len());

    let articles = lines(&a.path().join("out/articles.jsonl"));
    assert_eq!(articles.len(), corpus.articles.len());
    assert!(articles.iter().any(|r| r["status"] == "rejected" && r["line"] == 3));
    let clusters = lines(&a.path().join("out/clusters.jsonl"));
    assert_eq!(clusters[0]["id"], "c_moscow");
    assert_eq!(clusters[0]["corroboration"], 4);
    // Quotes derived from the quote clusters: 4 + 2 + 1 members.
    let quotes = lines(&a.path().join("out/quotes.jsonl"));
    assert_eq!(quotes.len(), 7);
    assert!(quotes.iter().all(|q| q["cluster"].is_string()));
    assert_eq!(std::fs::read_to_string(a.path().join("out/mentions.jsonl")).unwrap(), "");
}

#[test]
fn parallel_writing_gives_the_same_bytes() {
    let corpus = common::corpus(true);
    let opts = OutputOptions::default();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let wa = write_reports(&corpus, &opts, a.path()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let wb = pool.install(|| write_reports(&corpus, &opts, b.path())).unwrap();
    assert_eq!(
        wa.iter().map(|p| p.file_name()).collect::<Vec<_>>(),
        wb.iter().map(|p| p.file_name()).collect::<Vec<_>>()
    );
    for (x, y) in wa.iter().zip(&wb) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{}", x.display());
    }
}

#[test]
fn only_requested_formats() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OutputOptions { formats: vec![Format::Md], ..Default::default() };
    let w = write_reports(&common::corpus(false), &opts, dir.path()).unwrap();
    assert_eq!(w, [dir.path().join("report.md")]);
}

#[test]
fn options_parse_strictly() {
    let o: OutputOptions = toml::from_str("dir = \"x\"\nformats = [\"json\", \"html\"]").unwrap();
    assert_eq!(o.formats, [Format::Json, Format::Html]);
    assert_eq!(o.top, 20);
    assert!(toml::from_str::<OutputOptions>("formats = [\"pdf\"]").is_err());
    assert!(toml::from_str::<OutputOptions>("dri = \"x\"").is_err());
    assert_eq!(toml::from_str::<OutputOptions>("").unwrap(), OutputOptions::default());
}

fn doc() -> Document {
    // Source: a 10-byte header, then the body.
    let body = "Putin said \"Next time in Moscow\" to Trump.";
    let article = Article {
        id: "a_bbc".into(),
        source: Source { path: "x.md".into(), body_offset: 10, format: "md".into(), ..Default::default() },
        body: body.into(),
        ..Default::default()
    };
    let mut d = Document::new(article);
    d.entities = vec![
        LocalEntity { name: "Donald Trump".into(), kind: EntityKind::Person, aliases: vec![], gazetteer_id: None },
        LocalEntity { name: "Vladimir Putin".into(), kind: EntityKind::Person, aliases: vec![], gazetteer_id: None },
    ];
    d.mentions = vec![
        Mention { span: Span::new(0, 5), entity: 1, kind: EntityKind::Person, surface: "Putin".into(), role: None },
        Mention { span: Span::new(36, 41), entity: 0, kind: EntityKind::Person, surface: "Trump".into(), role: None },
    ];
    d.quotes = vec![Quote {
        span: Span::new(12, 31),
        outer: Span::new(11, 32),
        speaker: Some(Speaker {
            name: "Vladimir Putin".into(),
            entity: Some(1),
            mention: Some(0),
            rule: "X said".into(),
        }),
        verb: Some("said".into()),
    }];
    d
}

#[test]
fn given_rows_are_linked_to_corpus_ids() {
    let corpus = common::corpus(false);
    let d = doc();
    let mentions = mention_rows(&d);
    assert_eq!((mentions[0].start, mentions[0].end), (10, 15));
    let mut quotes = quote_rows(&d);
    assert_eq!(quotes[0].text, "Next time in Moscow");
    // Make it coincide with the corpus's member for the same quote.
    quotes[0].start = 120;
    quotes[0].end = 139;
    let input = ReportInput { corpus: &corpus, mentions: Rows::Given(&mentions), quotes: Rows::Given(&quotes) };
    let dir = tempfile::tempdir().unwrap();
    let opts = OutputOptions { formats: vec![Format::Jsonl], ..Default::default() };
    write_reports_with(&input, &opts, dir.path()).unwrap();
    let m = lines(&dir.path().join("mentions.jsonl"));
    assert_eq!(m[0]["entity"], "e_putin");
    assert_eq!(m[1]["entity"], "e_trump");
    assert_eq!(m[1]["surface"], "Trump");
    let q = lines(&dir.path().join("quotes.jsonl"));
    assert_eq!(q[0]["speaker"], "e_putin");
    assert_eq!(q[0]["speaker_name"], "Vladimir Putin");
    assert_eq!(q[0]["cluster"], "c_moscow");

    // Spilled as the pipeline spills them (plus a line in another shape), the same bytes.
    let spill = tempfile::tempdir().unwrap();
    let to_lines = |rows: Vec<Vec<u8>>| rows.join(&b'\n').into_iter().chain([b'\n']).collect::<Vec<u8>>();
    let mut m_lines = to_lines(mentions.iter().map(|r| serde_json::to_vec(r).unwrap()).collect());
    // A spaced-out line with an escaped character takes the general path.
    m_lines.extend_from_slice(
        br#"{ "article": "x", "entity": null, "local_entity": 0, "kind": "LOC", "start": 1, "end": 2, "surface": "\u00e9", "role": null }"#,
    );
    m_lines.push(b'\n');
    std::fs::write(spill.path().join("m.jsonl"), m_lines).unwrap();
    let q_lines = to_lines(quotes.iter().map(|r| serde_json::to_vec(r).unwrap()).collect());
    std::fs::write(spill.path().join("q.jsonl"), q_lines).unwrap();
    let (m_path, q_path) = (spill.path().join("m.jsonl"), spill.path().join("q.jsonl"));
    let input = ReportInput { corpus: &corpus, mentions: Rows::Spilled(&m_path), quotes: Rows::Spilled(&q_path) };
    let dir2 = tempfile::tempdir().unwrap();
    write_reports_with(&input, &opts, dir2.path()).unwrap();
    let mentions_file = std::fs::read_to_string(dir2.path().join("mentions.jsonl")).unwrap();
    let (given, extra) = mentions_file.split_at(std::fs::read(dir.path().join("mentions.jsonl")).unwrap().len());
    assert_eq!(given, std::fs::read_to_string(dir.path().join("mentions.jsonl")).unwrap());
    assert_eq!(extra, "{\"article\":\"x\",\"entity\":null,\"local_entity\":0,\"kind\":\"LOC\",\"start\":1,\"end\":2,\"surface\":\"é\",\"role\":null}\n");
    assert_eq!(
        std::fs::read(dir2.path().join("quotes.jsonl")).unwrap(),
        std::fs::read(dir.path().join("quotes.jsonl")).unwrap()
    );
}

#[test]
fn streamed_rows_are_left_alone() {
    let corpus = common::corpus(false);
    let dir = tempfile::tempdir().unwrap();
    let mut w = JsonlWriter::<MentionRow>::create(&dir.path().join("mentions.jsonl")).unwrap();
    for r in mention_rows(&doc()) {
        w.push(&r).unwrap();
    }
    assert_eq!(w.finish().unwrap(), 2);
    let input = ReportInput { corpus: &corpus, mentions: Rows::Streamed, quotes: Rows::Derive };
    let opts = OutputOptions { formats: vec![Format::Jsonl], ..Default::default() };
    let written = write_reports_with(&input, &opts, dir.path()).unwrap();
    assert!(!written.contains(&dir.path().join("mentions.jsonl")));
    assert_eq!(lines(&dir.path().join("mentions.jsonl")).len(), 2);
}

#[test]
fn unfinished_writer_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quotes.jsonl");
    write_atomic(&path, b"old\n").unwrap();
    {
        let mut w = JsonlWriter::<u32>::create(&path).unwrap();
        w.push(&1).unwrap();
        // dropped without finish: a crash mid-write
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn write_atomic_reports_the_path_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir/report.json");
    let e = write_atomic(&path, b"{}").unwrap_err().to_string();
    assert!(e.contains("missing-dir"), "{e}");
}

#[test]
fn markdown_has_every_section_and_escapes() {
    let md = report_markdown(&common::corpus(true), 20, 100);
    for h in [
        "# concord report",
        "## Most corroborated claims and quotes",
        "## Single-source claims and quotes",
        "## Entities",
        "## Rejected inputs",
        "## Near-copies",
        "## Run",
    ] {
        assert!(md.contains(h), "missing {h}");
    }
    assert!(md.contains("**6 articles** from **5 outlets**, published 2025-08-15 to 2025-08-18"), "{md}");
    assert!(md.contains(
        "1. “Next time in Moscow” — **Vladimir Putin** (quote) · 4 outlets: BBC, CNN, Fox News, The Guardian"
    ));
    assert!(md.contains("| inputs/feed.jsonl | 3 | malformed JSON"));
    assert!(!md.contains("<script>"));
    assert!(!md.contains("<img"));
    // Empty corpus still renders every section.
    let empty = report_markdown(&Default::default(), 20, 100);
    assert!(empty.contains("No claim or quote is reported by more than one outlet."));
}

#[test]
fn html_escapes_article_text() {
    let limits = HtmlLimits { clusters: 100, entities: 100, single_source: 100 };
    let html = report_html(&common::corpus(true), limits).unwrap();
    assert!(!html.contains("<script>document"));
    assert!(!html.contains("<img id"));
    assert!(!html.contains("<b>Outlet"));
    assert!(html.contains("&lt;script&gt;document.title="));
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");
    assert!(html.contains("<mark>Next time in Moscow</mark>"));
    assert!(html.contains("script-src 'sha256-"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no network references");
    assert_eq!(html, report_html(&common::corpus(true), limits).unwrap());
    // Limits hold.
    let small = report_html(&common::corpus(true), HtmlLimits { clusters: 2, entities: 1, single_source: 1 }).unwrap();
    assert_eq!(small.matches("class=\"cluster-row\"").count(), 2);
    assert!(small.contains("Showing the top 2 of 5 clusters."));
}

#[test]
fn single_source_list_is_capped_in_json_and_complete_in_jsonl() {
    let corpus = common::corpus(true);
    let all = corpus.single_source.len();
    assert!(all >= 2, "the test corpus needs single-source items");
    let dir = tempfile::tempdir().unwrap();
    let opts = OutputOptions { formats: vec![Format::Json, Format::Jsonl], max_single_source: 1, ..Default::default() };
    let written = write_reports(&corpus, &opts, dir.path()).unwrap();
    assert!(written.iter().any(|p| p.ends_with("single_source.jsonl")));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["single_source"].as_array().unwrap().len(), 1);
    assert_eq!(report["summary"]["single_source"].as_u64().unwrap() as usize, all);
    let rows = lines(&dir.path().join("single_source.jsonl"));
    assert_eq!(rows.len(), all);
    assert_eq!(rows[0], report["single_source"][0], "the embedded item is the first of the full list");
    // 0 embeds all.
    let opts = OutputOptions { max_single_source: 0, ..opts };
    write_reports(&corpus, &opts, dir.path()).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["single_source"].as_array().unwrap().len(), all);
}

/// Items a stage keeps out of memory, here simply a list.
#[derive(Debug)]
struct Listed<T>(Vec<T>);

impl<T: Clone + Send + Sync + std::fmt::Debug> concord_core::Spooled<T> for Listed<T> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn replay(&self, f: &mut dyn FnMut(T) -> std::io::Result<()>) -> std::io::Result<()> {
        self.0.iter().cloned().try_for_each(f)
    }
}

#[test]
fn spooled_single_source_items_are_written_and_embedded_like_items_in_memory() {
    let whole = common::corpus(true);
    let dir = tempfile::tempdir().unwrap();
    let opts = OutputOptions { formats: vec![Format::Json, Format::Jsonl, Format::Md], ..Default::default() };
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    write_reports(&whole, &opts, dir.path()).unwrap();
    let want: Vec<Vec<u8>> = ["report.json", "single_source.jsonl", "report.md"].map(read).to_vec();
    // One item in memory, the rest spooled; the report still embeds up to its limit, so
    // some embedded items come from the spool.
    let mut split = whole.clone();
    let rest = split.single_source.split_off(1);
    split.single_source_rest = Some(std::sync::Arc::new(Listed(rest)));
    assert_eq!(split.single_source_count(), whole.single_source.len());
    write_reports(&split, &opts, dir.path()).unwrap();
    let got: Vec<Vec<u8>> = ["report.json", "single_source.jsonl", "report.md"].map(read).to_vec();
    assert!(got == want, "byte-identical files whether items are in memory or spooled");
}

#[test]
fn spooled_clusters_are_written_ranked_and_linked_like_clusters_in_memory() {
    let whole = common::corpus(true);
    assert!(whole.clusters.len() >= 3);
    // (report.md and report.html show the clusters in memory: a run keeps at least as
    // many as they show; their summary counts the spooled ones.)
    let all = vec![Format::Json, Format::Jsonl, Format::Md];
    for formats in [all, vec![Format::Json], vec![Format::Md, Format::Html], vec![Format::Json, Format::Md]] {
        let opts = OutputOptions { formats: formats.clone(), ..Default::default() };
        let want = written_files(&whole, &opts, 0);
        for keep in [0, 1] {
            let mut split = whole.clone();
            let rest = split.clusters.split_off(keep);
            split.clusters_rest = Some(std::sync::Arc::new(Listed(rest)));
            assert_eq!(split.cluster_count(), whole.clusters.len());
            for threads in [0, 1, 2, 3] {
                let got = written_files(&split, &opts, threads);
                assert_eq!(got.len(), want.len());
                for ((name, a), (_, b)) in got.iter().zip(&want) {
                    if name == "report.html" || name == "report.md" {
                        // The page and the summary show the clusters in memory; their
                        // headline counts all.
                        let n = whole.clusters.iter().filter(|c| c.outlets.len() >= 2).count();
                        let line = if name == "report.md" {
                            format!(" clusters of claims and quotes, {n} reported by two or more outlets;")
                        } else {
                            format!("<b>{n}</b>corroborated")
                        };
                        let count = |h: &[u8]| String::from_utf8_lossy(h).contains(&line);
                        assert!(count(a) && count(b), "{name}: {formats:?}, {keep} kept, {threads} threads");
                        continue;
                    }
                    assert!(a == b, "{name} is byte-identical whether clusters are in memory or spooled ({formats:?}, {keep} kept, {threads} threads)");
                }
                if let Some((_, quotes)) = got.iter().find(|(name, _)| name == "quotes.jsonl") {
                    // Quotes linked to spooled clusters still name them.
                    let quotes = String::from_utf8(quotes.clone()).unwrap();
                    assert!(whole.clusters[1..].iter().any(|c| quotes.contains(&format!("\"cluster\":\"{}\"", c.id))));
                }
            }
        }
    }
}

#[test]
fn report_json_as_written_is_the_models_pretty_json() {
    for hostile in [false, true] {
        let corpus = common::corpus(hostile);
        let dir = tempfile::tempdir().unwrap();
        let opts = OutputOptions { formats: vec![Format::Json], max_single_source: 0, ..Default::default() };
        write_reports(&corpus, &opts, dir.path()).unwrap();
        let written = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
        assert_eq!(written, concord_report::report_json(&corpus), "hostile: {hostile}");
    }
    let empty = concord_core::Corpus::default();
    let dir = tempfile::tempdir().unwrap();
    write_reports(&empty, &OutputOptions { formats: vec![Format::Json], ..Default::default() }, dir.path()).unwrap();
    assert_eq!(std::fs::read_to_string(dir.path().join("report.json")).unwrap(), concord_report::report_json(&empty));
}

/// Every file `write_reports` writes into a fresh folder, by name, written in a pool of
/// `threads` threads (0: outside any pool, one file after another); checks that nothing
/// else is left in the folder.
fn written_files(corpus: &concord_core::Corpus, opts: &OutputOptions, threads: usize) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let written = if threads == 0 {
        write_reports(corpus, opts, dir.path()).unwrap()
    } else {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| write_reports(corpus, opts, dir.path())).unwrap()
    };
    let left = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(left, written.len(), "no temporary file left behind ({threads} threads)");
    written.iter().map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(p).unwrap())).collect()
}

#[test]
fn report_json_written_in_pieces_is_the_whole_writers_bytes() {
    let mut corpora = vec![concord_core::Corpus::default(), common::corpus(false), common::corpus(true)];
    // Spooled clusters after none, one or two in memory; spooled single-source items.
    for keep in [0, 1, 2] {
        let mut c = common::corpus(true);
        let rest = c.clusters.split_off(keep);
        c.clusters_rest = Some(std::sync::Arc::new(Listed(rest)));
        let rest = c.single_source.split_off(1);
        c.single_source_rest = Some(std::sync::Arc::new(Listed(rest)));
        corpora.push(c);
    }
    // No entity, no cluster in memory and an empty spool.
    let mut c = common::corpus(false);
    c.entities.clear();
    c.clusters.clear();
    c.clusters_rest = Some(std::sync::Arc::new(Listed(Vec::new())));
    corpora.push(c);
    for (k, corpus) in corpora.iter().enumerate() {
        for max_single_source in [0, 1, 10_000] {
            let opts = OutputOptions { max_single_source, ..Default::default() };
            let want = written_files(corpus, &opts, 0);
            let json = &want.iter().find(|(name, _)| name == "report.json").unwrap().1;
            if corpus.clusters_rest.is_none() && corpus.single_source_rest.is_none() && max_single_source == 0 {
                assert_eq!(std::str::from_utf8(json).unwrap(), concord_report::report_json(corpus));
            }
            for threads in [1, 2, 3, 4, 8] {
                let got = written_files(corpus, &opts, threads);
                assert_eq!(got.len(), want.len());
                for ((name, a), (_, b)) in got.iter().zip(&want) {
                    assert!(a == b, "corpus {k}, {threads} threads, max_single_source {max_single_source}: {name}");
                }
            }
        }
    }
}

/// Clusters a stage spooled that can be read back once only.
#[derive(Debug)]
struct ReadOnce(Vec<concord_core::Cluster>, std::sync::atomic::AtomicUsize);

impl concord_core::Spooled<concord_core::Cluster> for ReadOnce {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn replay(&self, f: &mut dyn FnMut(concord_core::Cluster) -> std::io::Result<()>) -> std::io::Result<()> {
        if self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0 {
            f(self.0[0].clone())?;
            return Err(std::io::Error::other("spool gone"));
        }
        self.0.iter().cloned().try_for_each(f)
    }
}

#[test]
fn a_piece_that_fails_fails_the_report_and_leaves_nothing() {
    let corpus = |_| {
        let mut c = common::corpus(true);
        let rest = c.clusters.split_off(1);
        c.clusters_rest = Some(std::sync::Arc::new(ReadOnce(rest, Default::default())));
        c
    };
    let opts = OutputOptions { formats: vec![Format::Json, Format::Md], ..Default::default() };
    let mut errors = Vec::new();
    for threads in [0, 1, 2, 3] {
        let corpus = corpus(threads);
        let dir = tempfile::tempdir().unwrap();
        let r = write_on(threads, &corpus, &opts, dir.path());
        let e = r.unwrap_err().to_string();
        assert!(e.contains("report.json") && e.contains("reading spooled clusters: spool gone"), "{e}");
        errors.push(e.replace(&dir.path().display().to_string(), "DIR"));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.iter().all(|n| n == "report.md"), "{threads} threads: left {left:?}");
    }
    assert!(errors.windows(2).all(|w| w[0] == w[1]), "{errors:?}");
}

/// `write_reports` outside any pool (`threads` 0) or in a pool of `threads` threads.
fn write_on(
    threads: usize,
    corpus: &concord_core::Corpus,
    opts: &OutputOptions,
    dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, concord_report::ReportError> {
    if threads == 0 {
        return write_reports(corpus, opts, dir);
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| write_reports(corpus, opts, dir))
}

/// Clusters a stage spooled that cannot be read back.
#[derive(Debug)]
struct Unreadable(usize);

impl concord_core::Spooled<concord_core::Cluster> for Unreadable {
    fn len(&self) -> usize {
        self.0
    }
    fn replay(&self, _f: &mut dyn FnMut(concord_core::Cluster) -> std::io::Result<()>) -> std::io::Result<()> {
        Err(std::io::Error::other("unreadable"))
    }
}

#[test]
fn unreadable_spooled_clusters_fail_the_report_and_no_job_waits_for_ever() {
    let mut corpus = common::corpus(true);
    corpus.clusters.truncate(1);
    corpus.clusters_rest = Some(std::sync::Arc::new(Unreadable(3)));
    for formats in [vec![Format::Json, Format::Jsonl, Format::Md, Format::Html], vec![Format::Md]] {
        let opts = OutputOptions { formats, ..Default::default() };
        for threads in [0, 1, 2, 3] {
            let dir = tempfile::tempdir().unwrap();
            let r = write_on(threads, &corpus, &opts, dir.path());
            let e = r.unwrap_err().to_string();
            assert_eq!(e, "(spooled clusters): unreadable", "{threads} threads");
        }
    }
}
