//! Reads inputs and prints what ingest made of them: articles, rejections by reason, outlets
//! and throughput.
//!
//! `cargo run --release -p concord-ingest --example ingest_stats -- [--text FIELD] [--format F] PATH...`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use concord_ingest::{discover, read_file, Format, InputOptions};

fn main() {
    let mut opts = InputOptions::default();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--text" => opts.fields.text = args.next().unwrap_or_default(),
            "--format" => {
                let f = args.next().unwrap_or_default();
                opts.format = serde_json::from_value(serde_json::Value::String(f)).unwrap_or(Format::Auto);
            }
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let start = Instant::now();
    let files = match discover(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let (mut ok, mut bytes, mut warned) = (0u64, 0u64, 0u64);
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut outlets: BTreeMap<String, u64> = BTreeMap::new();
    for file in &files {
        for item in read_file(file, &opts) {
            match item {
                Ok(a) => {
                    ok += 1;
                    bytes += a.body.len() as u64;
                    warned += u64::from(!a.warnings.is_empty());
                    *outlets.entry(a.outlet).or_default() += 1;
                }
                Err(r) => {
                    let short: String = r.reason.chars().take(60).collect();
                    if reasons.len() < 20 || reasons.contains_key(&short) {
                        *reasons.entry(short).or_default() += 1;
                    }
                    eprintln!("rejected: {r}");
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "files {}, articles {ok}, with warnings {warned}, rejected {}",
        files.len(),
        reasons.values().sum::<u64>()
    );
    println!("body bytes {bytes}, {secs:.3} s, {:.1} MB/s", bytes as f64 / 1e6 / secs.max(1e-9));
    println!("outlets {}", outlets.len());
    for (r, n) in reasons {
        println!("  {n:6}  {r}");
    }
}
