//! The JSONL exports load in DuckDB (the `duckdb` CLI, or the Python package). Skips when
//! neither is installed.

mod common;

use std::process::Command;

use concord_report::{write_reports, Format, OutputOptions};

/// Runs `select count(*)` on `file` with whichever DuckDB is available.
fn duckdb_count(dir: &std::path::Path, file: &str) -> Option<Result<u64, String>> {
    let sql = format!("select count(*) from '{file}'");
    let cli = Command::new("duckdb").current_dir(dir).args(["-csv", "-noheader", "-c", &sql]).output();
    let out = match cli {
        Ok(o) => o,
        Err(_) => {
            let probe = Command::new("python3").args(["-c", "import duckdb"]).output().ok()?;
            if !probe.status.success() {
                return None;
            }
            let code = format!("import duckdb; print(duckdb.sql(\"{sql}\").fetchall()[0][0])");
            Command::new("python3").current_dir(dir).args(["-c", &code]).output().ok()?
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    Some(if out.status.success() {
        text.trim().parse().map_err(|_| format!("unexpected output {text:?}"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

#[test]
fn exports_load_in_duckdb() {
    let corpus = common::corpus(true);
    let dir = tempfile::tempdir().unwrap();
    let opts = OutputOptions { formats: vec![Format::Jsonl], ..Default::default() };
    write_reports(&corpus, &opts, dir.path()).unwrap();
    let expected = [
        ("articles.jsonl", corpus.articles.len() as u64),
        ("entities.jsonl", corpus.entities.len() as u64),
        ("quotes.jsonl", 7),
        ("clusters.jsonl", corpus.clusters.len() as u64),
    ];
    for (file, n) in expected {
        match duckdb_count(dir.path(), file) {
            None => {
                println!("skipped: duckdb (CLI or Python package) not found");
                return;
            }
            Some(got) => assert_eq!(got, Ok(n), "{file}"),
        }
    }
}
