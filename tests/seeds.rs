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

#[test]
fn a_syndicated_copy_counts_once_and_single_source_claims_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for e in std::fs::read_dir(root().join("seeds")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, input.join(p.file_name().unwrap())).unwrap();
    }
    // Seed 003 again under another name: another "outlet" re-posting the same text.
    std::fs::copy(root().join("seeds/003_20802599ec7217eb.txt"), input.join("repost.txt")).unwrap();
    let out = dir.path().join("out");
    let o = concord(&["run", "--quiet", "--input", input.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = report(&out);
    let copies = r["copies"].as_array().unwrap();
    assert!(
        copies.iter().any(|c| c["original"] == "003_20802599ec7217eb"
            && c["copies"].as_array().unwrap().iter().any(|x| x == "repost")),
        "repost not detected as a copy of 003: {copies:#?}"
    );
    let repost = r["articles"].as_array().unwrap().iter().find(|a| a["id"] == "repost").unwrap();
    assert_eq!(repost["copy_of"], "003_20802599ec7217eb");
    let clusters = r["clusters"].as_array().unwrap();
    let no_deal = clusters
        .iter()
        .find(|c| c["text"].as_str().unwrap().to_lowercase().replace('’', "'").contains("no deal until there"))
        .expect("the no-deal quote cluster");
    let outlets: Vec<&str> = no_deal["outlets"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
    assert_eq!(
        outlets,
        ["002_afcfc646e43ddad3", "003_20802599ec7217eb", "004_1b719ca6769c3a3b"],
        "the copy counts once"
    );
    assert!(clusters.iter().all(|c| !c["outlets"].as_array().unwrap().iter().any(|o| o == "repost")));
    // Claims only one outlet reports are listed as single-source.
    let single: Vec<String> =
        r["single_source"].as_array().unwrap().iter().map(|s| s["member"]["text"].to_string()).collect();
    assert!(single.iter().any(|t| t.contains("China-Taiwan")), "China-Taiwan comparison (001) not single-source");
    assert!(single.iter().any(|t| t.contains("ICC warrant")), "ICC warrant (003) not single-source");
    // Boilerplate never reaches a cluster.
    for c in clusters {
        for m in c["members"].as_array().unwrap() {
            let t = m["text"].as_str().unwrap();
            assert!(
                !t.contains("ALSO READ") && !t.contains("pic.twitter.com") && !t.contains("Monitoring Desk"),
                "{t}"
            );
        }
    }
}

#[test]
fn top_clusters_are_the_corroborated_quotes_with_their_speakers() {
    let (_out, r) = run_seeds("2");
    let clusters = r["clusters"].as_array().unwrap();
    let entity = |name: &str| {
        r["entities"].as_array().unwrap().iter().find(|e| e["name"] == name).map(|e| e["id"].clone()).expect(name)
    };
    let (trump, putin) = (entity("Donald Trump"), entity("Vladimir Putin"));
    let find = |needle: &str| {
        clusters
            .iter()
            .position(|c| {
                let text = c["text"].as_str().unwrap().to_lowercase().replace('’', "'").replace(',', "");
                text.contains(needle)
            })
            .unwrap_or_else(|| panic!("no cluster with {needle:?}"))
    };
    let ids = |c: &serde_json::Value| -> Vec<String> {
        c["articles"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()[..3].to_string()).collect()
    };
    let moscow = &clusters[find("next time in moscow")];
    assert_eq!(ids(moscow), ["000", "002", "004"]);
    assert_eq!(moscow["speaker"], putin);
    let deal = &clusters[find("no deal until there")];
    assert_eq!(ids(deal), ["002", "003", "004"]);
    assert_eq!(deal["speaker"], trump);
    let chance = &clusters[find("very good chance of getting there")];
    assert_eq!(ids(chance), ["000", "001"]);
    assert_eq!(chance["speaker"], trump);
    // Ranked by distinct outlets: the three-outlet quotes lead.
    assert!(find("no deal until there") < 2 && find("next time") < 2);
}
