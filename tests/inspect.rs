//! `concord inspect`: one article as JSON, every span as source byte offsets.

use crate::util::*;

#[test]
fn inspect_after_normalize_gives_source_exact_sentences() {
    let path = "seeds/004_1b719ca6769c3a3b.txt";
    let o = concord(&["inspect", path, "--until", "normalize"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("one JSON document");
    let src = std::fs::read(root().join(path)).unwrap();
    let sentences = doc["sentences"].as_array().unwrap();
    assert!(sentences.len() >= 12, "{} sentences", sentences.len());
    for s in sentences {
        let (a, b) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
        let cut = std::str::from_utf8(&src[a..b]).expect("span on char boundaries");
        let fold = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(fold(cut), fold(s["text"].as_str().unwrap()));
    }
    // The desk byline is boilerplate, removed with its rule; the story is not.
    let removed = doc["removed"].as_array().unwrap();
    assert!(removed.iter().any(|r| r["text"].as_str().unwrap().contains("By Monitoring Desk")), "{removed:#?}");
    assert!(sentences.iter().any(|s| s["text"].as_str().unwrap().contains("Next time, in Moscow")));
    // Not run past the named stage.
    assert!(doc["mentions"].as_array().unwrap().is_empty());
}

#[test]
fn inspect_unknown_stage_is_a_usage_error() {
    let o = concord(&["inspect", "seeds/004_1b719ca6769c3a3b.txt", "--until", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("normalize"), "{}", stderr(&o));
}
