//! Checking a report against [`crate::SCHEMA`] without a JSON Schema library.
//!
//! A small, strict subset of JSON Schema 2020-12: `type`, `const`, `enum`, `required`,
//! `properties`, `additionalProperties`, `items`, `minimum` and local `$ref`s; annotations
//! (`$schema`, `$id`, `title`, `description`, `$defs`) are ignored. Any other keyword is
//! reported as an error, so the schema cannot silently rely on an unchecked feature.

use serde_json::Value;

const ANNOTATIONS: &[&str] = &["$schema", "$id", "title", "description", "$defs"];

fn type_ok(t: &str, v: &Value) -> Option<bool> {
    Some(match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => return None,
    })
}

fn check(root: &Value, schema: &Value, v: &Value, at: &str, depth: usize, errors: &mut Vec<String>) {
    let Some(s) = schema.as_object() else {
        errors.push(format!("{at}: schema is not an object"));
        return;
    };
    if depth > 64 {
        errors.push(format!("{at}: schema nests too deep (recursive $ref?)"));
        return;
    }
    for (k, rule) in s {
        match k.as_str() {
            "$ref" => match rule.as_str().and_then(|r| r.strip_prefix('#')).and_then(|p| root.pointer(p)) {
                Some(target) => check(root, target, v, at, depth + 1, errors),
                None => errors.push(format!("{at}: unresolvable $ref {rule}")),
            },
            "type" => {
                let names: Vec<&str> = match rule {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                let mut ok = false;
                for t in &names {
                    match type_ok(t, v) {
                        Some(b) => ok |= b,
                        None => errors.push(format!("{at}: unknown type {t:?} in schema")),
                    }
                }
                if !ok {
                    errors.push(format!("{at}: expected type {rule}, found {v}"));
                }
            }
            "const" if rule != v => errors.push(format!("{at}: expected {rule}, found {v}")),
            "const" => {}
            "enum" => {
                if !rule.as_array().is_some_and(|a| a.contains(v)) {
                    errors.push(format!("{at}: {v} is not one of {rule}"));
                }
            }
            "minimum" => {
                if let (Some(x), Some(min)) = (v.as_f64(), rule.as_f64()) {
                    if x < min {
                        errors.push(format!("{at}: {v} is below the minimum {rule}"));
                    }
                }
            }
            "required" => {
                if let (Some(o), Some(keys)) = (v.as_object(), rule.as_array()) {
                    for key in keys.iter().filter_map(Value::as_str) {
                        if !o.contains_key(key) {
                            errors.push(format!("{at}: missing required key {key:?}"));
                        }
                    }
                }
            }
            "properties" => {
                if let (Some(o), Some(props)) = (v.as_object(), rule.as_object()) {
                    for (key, sub) in props {
                        if let Some(x) = o.get(key) {
                            check(root, sub, x, &format!("{at}/{key}"), depth + 1, errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(o) = v.as_object() {
                    let known = s.get("properties").and_then(Value::as_object);
                    for (key, x) in o {
                        if known.is_some_and(|p| p.contains_key(key)) {
                            continue;
                        }
                        match rule {
                            Value::Bool(false) => errors.push(format!("{at}: unexpected key {key:?}")),
                            Value::Bool(true) => {}
                            sub => check(root, sub, x, &format!("{at}/{key}"), depth + 1, errors),
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        check(root, rule, x, &format!("{at}/{i}"), depth + 1, errors);
                    }
                }
            }
            k if ANNOTATIONS.contains(&k) => {}
            other => errors.push(format!("{at}: schema keyword {other:?} is not supported by this checker")),
        }
    }
}

/// Checks a JSON value against a JSON Schema (the subset described in this module); returns
/// every violation, each prefixed with its JSON pointer.
pub fn check_against(schema: &Value, doc: &Value) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    check(schema, schema, doc, "", 0, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks the text of a `report.json` against the version-1 schema ([`crate::SCHEMA`]).
///
/// ```
/// let json = concord_report::report_json(&Default::default());
/// assert_eq!(concord_report::validate_report(&json), Ok(()));
/// assert!(concord_report::validate_report("{\"schema_version\": 2}").is_err());
/// ```
pub fn validate_report(report_json: &str) -> Result<(), Vec<String>> {
    let schema: Value = serde_json::from_str(crate::SCHEMA).map_err(|e| vec![format!("schema: {e}")])?;
    let doc: Value = serde_json::from_str(report_json).map_err(|e| vec![format!("report is not JSON: {e}")])?;
    check_against(&schema, &doc)
}
