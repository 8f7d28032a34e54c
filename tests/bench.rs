//! `concord bench`: builds a corpus from the sources it is given and measures a run.

use crate::util::*;

#[test]
fn bench_builds_a_corpus_of_the_asked_size_and_reports_throughput_memory_and_shares() {
    let o = concord(&["bench", "--source", "seeds", "--size", "40KB", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("bench --json prints JSON");
    assert_eq!(r["size"], "40KB");
    assert!(r["bytes"].as_u64().unwrap() >= 40_000, "{r}");
    assert!(r["articles"].as_u64().unwrap() > 5, "copies of the five seeds: {r}");
    assert!(r["mb_per_second"].as_f64().unwrap() > 0.0);
    assert!(r["peak_rss_bytes"].as_u64().unwrap() > 0);
    let shares: Vec<(String, f64)> = r["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_string(), s["share"].as_f64().unwrap()))
        .collect();
    let kinds: Vec<&str> = shares.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["ingest", "normalize", "entities", "claims", "report"]);
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    assert!((total - 1.0).abs() < 1e-6, "shares add up to the whole: {total}");
    let phases: Vec<&str> = r["peak_rss_by_phase"].as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
    assert_eq!(phases, ["articles", "finish entities", "finish claims", "records", "reports"]);
    // Phase times: the same phases, each a part of the run's wall and CPU time.
    let timed = r["phases"].as_array().unwrap();
    let names: Vec<&str> = timed.iter().map(|p| p["phase"].as_str().unwrap()).collect();
    assert_eq!(names, phases);
    let part = |k: &str| timed.iter().map(|p| p[k].as_f64().unwrap()).inspect(|&x| assert!(x >= 0.0)).sum::<f64>();
    let (wall, cpu) = (r["wall_seconds"].as_f64().unwrap(), r["cpu_seconds"].as_f64().unwrap());
    assert!(part("wall_seconds") <= wall + 1e-6, "phases longer than the run");
    assert!(part("cpu_seconds") <= cpu + 1e-6 && cpu > 0.0, "phases' CPU over the run's");
}
