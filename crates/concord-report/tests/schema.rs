//! report.json validates against the shipped JSON Schema, and is deterministic.
//!
//! The checker (`concord_report::check_against`) is a small, strict subset of JSON Schema
//! 2020-12: it reports any keyword it does not know, so the schema cannot silently rely on an
//! unchecked feature.

mod common;

use concord_report::{check_against, report_json, validate_report, Report, SCHEMA, SCHEMA_VERSION};
use serde_json::Value;

fn errors_of(doc: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    check_against(&schema, doc).err().unwrap_or_default()
}

#[test]
fn realistic_report_validates() {
    for hostile in [false, true] {
        let json = report_json(&common::corpus(hostile));
        let doc: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(errors_of(&doc), Vec::<String>::new());
        assert_eq!(validate_report(&json), Ok(()));
        assert_eq!(doc["schema_version"], SCHEMA_VERSION);
        assert_eq!(doc["clusters"][0]["members"][0]["start"], 120);
    }
}

#[test]
fn empty_corpus_has_every_section() {
    let doc: Value = serde_json::from_str(&report_json(&Default::default())).unwrap();
    assert_eq!(errors_of(&doc), Vec::<String>::new());
    for key in ["articles", "entities", "clusters", "copies", "single_source"] {
        assert_eq!(doc[key], Value::Array(vec![]), "{key}");
    }
}

#[test]
fn validator_catches_drift() {
    let mut doc: Value = serde_json::from_str(&report_json(&common::corpus(false))).unwrap();
    doc["clusters"][0]["kind"] = "rumour".into();
    doc["articles"][0].as_object_mut().unwrap().remove("status");
    doc["stats"]["extra"] = 1.into();
    doc["entities"][0]["mentions"] = (-1).into();
    let errors = errors_of(&doc);
    assert_eq!(errors.len(), 4, "{errors:#?}");
}

#[test]
fn json_is_deterministic_pretty_and_ordered() {
    let c = common::corpus(true);
    let a = report_json(&c);
    assert_eq!(a, report_json(&c.clone()));
    assert!(a.starts_with("{\n  \"schema_version\": 1,\n"));
    assert!(a.ends_with("}\n"));
    // Round-trips through the typed model.
    let r: Report = serde_json::from_str(&a).unwrap();
    assert_eq!(r, Report::from_corpus(&c));
    assert_eq!(r.summary.outlets, ["BBC", "CNN", "Evil <b>Outlet</b>", "Fox News", "The Guardian"]);
    assert_eq!(r.summary.first_published.as_deref(), Some("2025-08-15"));
    assert_eq!(r.summary.last_published.as_deref(), Some("2025-08-18"));
    assert_eq!(r.summary.corroborated, 3);
    assert_eq!(r.clusters[0].corroboration, 4);
}

#[test]
fn checker_reports_unsupported_keywords() {
    let schema: Value = serde_json::from_str(r#"{"type": "object", "patternProperties": {}}"#).unwrap();
    let errors = check_against(&schema, &Value::Object(Default::default())).unwrap_err();
    assert_eq!(errors, [": schema keyword \"patternProperties\" is not supported by this checker"]);
    assert!(validate_report("not json").unwrap_err()[0].starts_with("report is not JSON"));
}
