//! Bad input never crashes a run and never vanishes: every input is processed or listed as
//! rejected with its path (and line) and a reason.

use std::io::Write;

use crate::util::*;

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn hostile_inputs_are_all_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(input.join(name), bytes).unwrap();
    // Good articles, including awkward text.
    w("good.txt", "Putin said the talks were \"constructive\". Trump agreed.\n".as_bytes());
    w("mixed.txt", "Москва and 東京 met Αθήνα. مرحبا بالعالم said someone. e\u{301}e\u{301}\u{200F}!\n".as_bytes());
    w("big-line.txt", "word ".repeat(200_000).as_bytes()); // one 1 MB line
    w("latin1.txt", b"Caf\xe9 owners said prices rose.\n"); // invalid UTF-8: lossy by default
    w("front.md", b"---\ntitle: \"A title\"\noutlet: Example Times\n---\nBody text of the story.\n");
    let good_jsonl = "{\"id\": \"j1\", \"text\": \"First line story.\", \"source\": \"Wire\"}\n";
    w("lines.jsonl", format!("{good_jsonl}{{not json\n{{\"id\": \"j3\", \"text\": \"Third \\ud800 story.\"}}\n{{\"id\": \"j4\", \"title\": \"no text\"}}\n").as_bytes());
    w("packed.txt.gz", &gz(b"Compressed story text that reads fine.\n"));
    // Bad inputs.
    w("empty.txt", b"");
    w("blank.txt", b"   \n\t\n  ");
    w("binary.txt", b"ab\x00\x01\x02cd");
    w("badfront.md", b"---\ntitle: \"unterminated\nno closing fence here\n");
    let mut corrupt = gz(b"This stream will be cut short before its end, so gzip must fail.\n".repeat(50).as_slice());
    corrupt.truncate(corrupt.len() / 2);
    w("corrupt.txt.gz", &corrupt);
    w("huge.txt", "y".repeat(1_200_000).as_bytes()); // over the limit set below
    std::os::unix::fs::symlink(input.join("does-not-exist"), input.join("dangling.txt")).unwrap();

    let cfg = write_config(
        dir.path(),
        "[input]\npaths = [\"in\"]\nmax_file_bytes = 1100000\n\n[[stages]]\nkind = \"normalize\"\n\n[[stages]]\nkind = \"entities\"\n\n[[stages]]\nkind = \"claims\"\n\n[output]\ndir = \"out\"\n",
    );
    let o = concord(&["run", cfg.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    let r = report(&dir.path().join("out"));
    let articles = r["articles"].as_array().unwrap();
    let stats = &r["stats"];
    assert_eq!(stats["found"].as_u64().unwrap(), articles.len() as u64);
    assert_eq!(stats["ok"].as_u64().unwrap() + stats["rejected"].as_u64().unwrap(), stats["found"].as_u64().unwrap());
    let status = |id_part: &str| -> Vec<(String, String)> {
        articles
            .iter()
            .filter(|a| {
                let file = std::path::Path::new(a["path"].as_str().unwrap()).file_name().unwrap().to_str().unwrap();
                a["id"] == id_part || file.split('.').next() == Some(id_part)
            })
            .map(|a| (a["status"].as_str().unwrap().to_string(), a["error"].as_str().unwrap_or("").to_string()))
            .collect()
    };
    for ok in ["good", "mixed", "big-line", "latin1", "front", "packed", "j1"] {
        let s = status(ok);
        assert!(!s.is_empty() && s.iter().all(|(st, _)| st == "ok"), "{ok}: {s:?}");
    }
    for bad in ["empty", "blank", "binary", "badfront", "corrupt", "huge", "dangling"] {
        let s = status(bad);
        assert!(!s.is_empty() && s.iter().all(|(st, e)| st == "rejected" && !e.is_empty()), "{bad}: {s:?}");
    }
    // The malformed JSONL line is rejected with its line number; the others are kept.
    let line2 = articles.iter().find(|a| a["path"].as_str().unwrap().ends_with("lines.jsonl") && a["line"] == 2);
    assert!(line2.is_some_and(|a| a["status"] == "rejected"), "{articles:#?}");
    let j4 = articles.iter().find(|a| a["path"].as_str().unwrap().ends_with("lines.jsonl") && a["line"] == 4);
    assert!(j4.is_some_and(|a| a["status"] == "rejected"), "JSON without text is rejected");
    // Nothing panicked, and the lossy decode is a warning, not a loss.
    assert!(articles.iter().all(|a| !a["error"].as_str().unwrap_or("").contains("panicked")));
    let latin = articles.iter().find(|a| a["path"].as_str().unwrap().ends_with("latin1.txt")).unwrap();
    assert!(!latin["warnings"].as_array().unwrap().is_empty(), "lossy decoding warns");

    // --strict turns rejections into a failing exit code, with the same report.
    let o = concord(&["run", cfg.to_str().unwrap(), "--quiet", "--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_reused_article_id_is_rejected_with_where_it_was_first_used() {
    let dir = tempfile::tempdir().unwrap();
    let lines = "{\"id\": \"a1\", \"text\": \"First story about the talks.\"}\n\
                 {\"id\": \"a2\", \"text\": \"Second story.\"}\n\
                 {\"id\": \"a1\", \"text\": \"Another story under the same id.\"}\n";
    std::fs::write(dir.path().join("in.jsonl"), lines).unwrap();
    let cfg = write_config(
        dir.path(),
        "[input]\npaths = [\"in.jsonl\"]\n[[stages]]\nkind = \"normalize\"\n[output]\ndir = \"out\"\nformats = [\"json\"]\n",
    );
    let o = concord(&["run", "--quiet", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = report(&dir.path().join("out"));
    let rejected: Vec<&serde_json::Value> =
        r["articles"].as_array().unwrap().iter().filter(|a| a["status"] == "rejected").collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["line"], 3);
    let first = format!("{}:1", dir.path().join("in.jsonl").display());
    assert_eq!(rejected[0]["error"].as_str().unwrap(), format!("duplicate article id `a1` (first used by {first})"));
    assert_eq!(r["summary"]["ok"], 2);
}
