//! JSON article objects: parsing (with lone-surrogate repair) and field mapping.

use concord_core::{Article, Source};
use serde_json::Value;

use crate::read::Ctx;
use crate::Rejected;

/// Parses JSON text. Lone UTF-16 surrogate escapes (`"\ud800"`), which serde_json refuses,
/// are replaced by U+FFFD and the second value says so.
pub(crate) fn parse(text: &str) -> Result<(Value, bool), String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok((v, false)),
        Err(e) => match repair_surrogates(text) {
            Some(fixed) => {
                serde_json::from_str::<Value>(&fixed).map(|v| (v, true)).map_err(|e| format!("malformed JSON: {e}"))
            }
            None => Err(format!("malformed JSON: {e}")),
        },
    }
}

/// Replaces `\uXXXX` escapes of unpaired surrogates by `\uFFFD`; `None` when there are none.
fn repair_surrogates(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let hex_at = |i: usize| -> Option<u32> {
        let h = b.get(i..i + 4)?;
        let s = std::str::from_utf8(h).ok()?;
        u32::from_str_radix(s, 16).ok()
    };
    let escape_at = |i: usize| -> Option<u32> {
        if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
            hex_at(i + 2)
        } else {
            None
        }
    };
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match escape_at(i) {
            Some(0xD800..=0xDBFF) => {
                if matches!(escape_at(i + 6), Some(0xDC00..=0xDFFF)) {
                    out.extend_from_slice(&b[i..i + 12]);
                    i += 12;
                } else {
                    out.extend_from_slice(b"\\uFFFD");
                    changed = true;
                    i += 6;
                }
            }
            Some(0xDC00..=0xDFFF) => {
                out.extend_from_slice(b"\\uFFFD");
                changed = true;
                i += 6;
            }
            Some(_) => {
                out.extend_from_slice(&b[i..i + 6]);
                i += 6;
            }
            None => {
                // Any other escape: copy the backslash and the escaped byte together.
                let end = (i + 2).min(b.len());
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
        }
    }
    // Only ASCII sequences were replaced by ASCII, so the bytes stay valid UTF-8.
    if changed {
        String::from_utf8(out).ok()
    } else {
        None
    }
}

fn field<'v>(v: &'v Value, name: &str) -> Option<&'v Value> {
    let found = if name.starts_with('/') { v.pointer(name) } else { v.get(name) };
    found.filter(|v| !v.is_null())
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A scalar, or a list of scalars joined by `join`; blank values are absent.
fn text_value(v: &Value, join: &str) -> Option<String> {
    let s = match v {
        Value::Array(items) => items.iter().filter_map(scalar).collect::<Vec<_>>().join(join),
        other => scalar(other)?,
    };
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The article of one JSON value (an object), or why it is rejected.
///
/// `default_id` is used when the id field is absent; `line`/`index` locate it in the file.
pub(crate) fn article(
    v: &Value,
    ctx: &Ctx,
    default_id: String,
    line: Option<u64>,
    index: Option<u64>,
    mut warnings: Vec<String>,
) -> Result<Article, Rejected> {
    let f = &ctx.fields;
    let id = field(v, &f.id).and_then(scalar).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let id = id.unwrap_or(default_id);
    let where_ = match (line, index) {
        (Some(_), _) => "line".to_string(),
        (None, Some(i)) => format!("array element {i}"),
        (None, None) => "JSON value".to_string(),
    };
    if !v.is_object() {
        return Err(ctx.reject(id, line, format!("{where_} is not a JSON object (found {})", kind(v))));
    }
    let body = match field(v, &f.text) {
        None => return Err(ctx.reject(id, line, format!("no text: field `{}` is missing", f.text))),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if ctx.text_join.is_some() => {
            let parts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            match (parts, &ctx.text_join) {
                (Some(parts), Some(sep)) => parts.join(sep),
                _ => {
                    let reason = format!("field `{}` is not a string nor an array of strings", f.text);
                    return Err(ctx.reject(id, line, reason));
                }
            }
        }
        Some(other) => {
            return Err(ctx.reject(id, line, format!("field `{}` is not a string (found {})", f.text, kind(other))))
        }
    };
    if body.trim().is_empty() {
        return Err(ctx.reject(id, line, format!("empty text: field `{}` is blank", f.text)));
    }
    let (outlet, outlet_from) = ctx.outlet(field(v, &f.source).and_then(|v| text_value(v, ", ")));
    let tags = match field(v, &f.tags) {
        Some(Value::Array(items)) => {
            items.iter().filter_map(scalar).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        }
        Some(Value::String(s)) => s.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
        _ => Vec::new(),
    };
    warnings.retain(|w| !w.is_empty());
    Ok(Article {
        id,
        source: Source { path: ctx.path.clone(), line, index, body_offset: 0, format: ctx.format.clone() },
        outlet,
        outlet_from,
        title: field(v, &f.title).and_then(|v| text_value(v, " ")),
        published: field(v, &f.date).and_then(|v| text_value(v, ", ")),
        url: field(v, &f.url).and_then(|v| text_value(v, " ")),
        author: field(v, &f.author).and_then(|v| text_value(v, ", ")),
        tags,
        excerpt: field(v, &f.excerpt).and_then(|v| text_value(v, " ")),
        body,
        warnings,
    })
}

/// The warning added to articles parsed after surrogate repair.
pub(crate) const SURROGATE_WARNING: &str = "lone UTF-16 surrogate escape(s) in JSON replaced with U+FFFD";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogates_are_repaired_and_pairs_kept() {
        let (v, repaired) = parse(r#"{"text": "a\ud800b \udc00 \ud83d\ude00 \\ud800 \"x"}"#).unwrap();
        assert!(repaired);
        assert_eq!(v["text"], "a\u{FFFD}b \u{FFFD} 😀 \\ud800 \"x");
        let (v, repaired) = parse(r#"{"text": "\ud83d\ude00"}"#).unwrap();
        assert!(!repaired);
        assert_eq!(v["text"], "😀");
        let (_, repaired) = parse(r#"{"text": "end\ud800"}"#).unwrap();
        assert!(repaired);
        assert!(parse(r#"{"text": "a""#).unwrap_err().contains("malformed JSON"));
        assert!(parse(r#"{"text": "\ud800"#).unwrap_err().contains("malformed JSON"));
    }
}
