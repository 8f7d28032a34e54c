//! The default pipeline on the five seed articles.

use crate::util::*;

fn run_seeds(threads: &str) -> (tempfile::TempDir, serde_json::Value) {
    let out = tempfile::tempdir().unwrap();
    let o = concord(&[
        "run",
        "config/default.toml",
        "--quiet",
        "--threads",
        threads,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    let r = report(out.path());
    (out, r)
}

#[test]
fn default_pipeline_reports_all_five_seeds_ok() {
    let (out, r) = run_seeds("2");
    assert_eq!(r["schema_version"], 1);
    let articles = r["articles"].as_array().unwrap();
    let ids: Vec<&str> = articles.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "000_9a8c5db4834b4168",
            "001_dd1f7725e41c831a",
            "002_afcfc646e43ddad3",
            "003_20802599ec7217eb",
            "004_1b719ca6769c3a3b"
        ]
    );
    assert!(articles.iter().all(|a| a["status"] == "ok"), "{articles:#?}");
    assert_eq!(
        articles[0]["title"],
        "Update: 'Next time in Moscow?' - Five takeaways after Trump and Putin's Alaska summit"
    );
    for section in ["entities", "clusters"] {
        assert!(r[section].is_array(), "{section} missing");
    }
    assert!(r["stats"].is_object());
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.contains("Next time"), "report.md lacks the top quote");
}

#[test]
fn thread_counts_give_byte_identical_outputs() {
    let (a, _) = run_seeds("1");
    let (b, _) = run_seeds("2");
    let mut names: Vec<_> = std::fs::read_dir(a.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.iter().any(|n| n == "report.json"));
    for name in names {
        if name == "run.json" {
            continue; // timings, by design not deterministic
        }
        let x = std::fs::read(a.path().join(&name)).unwrap();
        let y = std::fs::read(b.path().join(&name)).unwrap();
        assert!(x == y, "{name:?} differs between 1 and 2 threads");
    }
}

#[test]
fn cluster_members_point_at_their_source_bytes() {
    let (_out, r) = run_seeds("2");
    let clusters = r["clusters"].as_array().unwrap();
    assert!(!clusters.is_empty());
    let articles = r["articles"].as_array().unwrap();
    for c in clusters {
        for m in c["members"].as_array().unwrap() {
            let a = articles.iter().find(|a| a["id"] == m["article"]).unwrap();
            let src = std::fs::read(root().join(a["path"].as_str().unwrap()).canonicalize().unwrap_or_else(|_| {
                root().join("seeds").join(std::path::Path::new(a["path"].as_str().unwrap()).file_name().unwrap())
            }))
            .unwrap();
            let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
            let cut = String::from_utf8_lossy(&src[s..e]);
            // The member's words appear in order in the source bytes it points at (a quote
            // joined from adjacent fragments spans the attribution between them).
            let words = |t: &str| -> Vec<String> {
                t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
            };
            let (have, want) = (words(&cut), words(m["text"].as_str().unwrap()));
            let mut it = have.iter();
            assert!(
                want.iter().all(|w| it.any(|h| h == w)),
                "member of {} in {}: {:?} not within {:?}",
                c["id"],
                m["article"],
                m["text"],
                cut
            );
            assert!(!want.is_empty() && have.first() == want.first() && have.last() == want.last(), "{cut:?}");
        }
    }
}
