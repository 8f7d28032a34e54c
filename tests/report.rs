//! The seeds' reports: the JSON contract holds, the HTML report works in a real browser.

use crate::util::*;

fn seeds_out() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = concord(&["run", "--quiet", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn seeds_report_matches_the_json_schema() {
    let out = seeds_out();
    let text = std::fs::read_to_string(out.path().join("report.json")).unwrap();
    if let Err(errors) = concord_pipeline::report::validate_report(&text) {
        panic!("report.json breaks its schema:\n{}", errors.join("\n"));
    }
    // Every JSONL export is there, one JSON object a line.
    for name in ["articles", "entities", "mentions", "quotes", "clusters", "single_source"] {
        let rows = std::fs::read_to_string(out.path().join(format!("{name}.jsonl"))).unwrap();
        assert!(rows.lines().count() > 0, "{name}.jsonl is empty");
        for line in rows.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{name}.jsonl: {e}: {line}"));
        }
    }
}

#[test]
fn seeds_html_shows_the_coverage_matrix_in_a_browser() {
    let Some(chromium) = chromium() else {
        println!("skipped: chromium not found");
        return;
    };
    let out = seeds_out();
    let r = report(out.path());
    let dom = dump_dom(&chromium, &out.path().join("report.html"), &out.path().join("profile"));
    assert!(dom.contains("<table id=\"matrix\""), "no matrix:\n{dom}");
    let rows = dom.matches("class=\"cluster-row\"").count();
    assert_eq!(rows, r["clusters"].as_array().unwrap().len(), "a row per cluster");
    let outlets: std::collections::BTreeSet<&str> =
        r["articles"].as_array().unwrap().iter().filter_map(|a| a["outlet"].as_str()).collect();
    let matrix = &dom[dom.find("<table id=\"matrix\"").unwrap()..];
    let head = &matrix[..matrix.find("</thead>").unwrap()];
    assert_eq!(head.matches("class=\"outlet\"").count(), outlets.len(), "a column per outlet");
    // "Next time in Moscow" is among the top rows.
    let body = &matrix[matrix.find("<tbody>").unwrap()..];
    let top: Vec<&str> = body.split("class=\"cluster-row\"").skip(1).take(3).collect();
    assert!(top.iter().any(|row| row.contains("Next time")), "Next time in Moscow not in the top 3 rows");
}

#[test]
fn single_source_items_past_the_embedded_limit_still_reach_the_jsonl_export() {
    let full = seeds_out();
    let dir = tempfile::tempdir().unwrap();
    let seeds = root().join("seeds");
    let config = write_config(
        dir.path(),
        &format!(
            "[input]\npaths = [{:?}]\n[[stages]]\nkind = \"normalize\"\n[[stages]]\nkind = \"entities\"\n\
             [[stages]]\nkind = \"claims\"\n[output]\ndir = \"out\"\nmax_single_source = 2\n",
            seeds.to_str().unwrap()
        ),
    );
    let o = concord(&["run", "--quiet", config.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    let read = |d: &std::path::Path| std::fs::read_to_string(d.join("single_source.jsonl")).unwrap();
    let (all, capped) = (read(full.path()), read(&out));
    assert!(all.lines().count() > 2);
    assert_eq!(capped, all, "every single-source item is exported, in the same order, with its text");
    let r = report(&out);
    assert_eq!(r["single_source"].as_array().unwrap().len(), 2);
    assert_eq!(r["summary"]["single_source"].as_u64().unwrap() as usize, all.lines().count());
}
