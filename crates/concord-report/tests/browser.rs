//! report.html in a real browser (headless Chromium): the matrix has a row per cluster and a
//! column per outlet, the page's own script runs, and a hostile article's markup runs nothing.
//! Skips when no `chromium` is on PATH.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concord_report::{write_reports, Format, OutputOptions};

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs headless Chromium on `html` and returns the DOM after scripts ran.
fn dump_dom(chromium: &Path, html: &Path, profile: &Path) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn matrix_renders_and_hostile_article_runs_nothing() {
    let Some(chromium) = find_chromium() else {
        println!("skipped: chromium not found");
        return;
    };
    let corpus = common::corpus(true);
    let dir = tempfile::tempdir().unwrap();
    let opts = OutputOptions { formats: vec![Format::Html], ..Default::default() };
    let written = write_reports(&corpus, &opts, dir.path()).unwrap();
    let dom = dump_dom(&chromium, &written[0], &dir.path().join("profile"));
    assert!(dom.contains("id=\"matrix\""), "no matrix in the DOM:\n{dom}");

    // The page's own script ran (so the CSP hash matches it) ...
    assert!(dom.contains("<html lang=\"en\" class=\"js\">"), "page script did not run");
    // ... and the hostile one did not: title unchanged, no injected element.
    assert!(dom.contains("<title>concord report</title>"), "title changed");
    assert!(!dom.contains("pwned</title>") && !dom.contains("pwned2</title>"));
    // The page has no images of its own: any <img> element would be the injected one.
    assert!(!dom.contains("<img"), "injected element exists");
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), "hostile text not shown as text");

    // A row per cluster, a column per outlet.
    let table = &dom[dom.find("id=\"matrix\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("class=\"cluster-row\"").count(), corpus.clusters.len());
    let outlets: std::collections::BTreeSet<&str> =
        corpus.clusters.iter().flat_map(|c| c.outlets.iter().map(String::as_str)).collect();
    assert_eq!(outlets.len(), 5);
    assert_eq!(table.matches("class=\"outlet\"").count(), outlets.len());
    for c in &corpus.clusters {
        let row_start = table.find(&format!("data-cluster=\"{}\"", c.id)).expect("row of cluster");
        let row = &table[row_start..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert_eq!(row.matches("class=\"cell on\"").count(), c.outlets.len(), "cells of {}", c.id);
    }
}
