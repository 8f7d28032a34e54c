//! `inspect`: one input's articles as JSON after a chosen stage, with every span given as
//! byte offsets into the source, for when a result surprises you.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use concord_core::{Document, Span};
use serde_json::{json, Value};

use crate::config::Config;
use crate::runner::{panic_text, RunError};

/// Why `inspect` could not run.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// `--until` names no stage of the config.
    #[error("no stage `{0}` in the config; stages: {1}")]
    UnknownStage(String, String),
    /// The input could not be found.
    #[error("{0}")]
    Run(#[from] RunError),
}

/// Runs the per-article stages of `config` up to and including the first stage of kind
/// `until` (all of them when `None`; none for `"ingest"`) on every article of `path`, and
/// returns one JSON object per article (or per rejected input).
pub fn inspect(config: &Config, path: &Path, until: Option<&str>) -> Result<Vec<Value>, InspectError> {
    let last = match until {
        None => config.stages.len(),
        Some("ingest") => 0,
        Some(kind) => match config.stages.iter().position(|s| s.kind == kind) {
            Some(i) => i + 1,
            None => {
                let mut kinds: Vec<&str> = vec!["ingest"];
                kinds.extend(config.stages.iter().map(|s| s.kind.as_str()));
                return Err(InspectError::UnknownStage(kind.to_string(), kinds.join(", ")));
            }
        },
    };
    let files = crate::runner::discover(&[path.to_path_buf()])?;
    let mut out = Vec::new();
    for file in &files {
        for item in concord_ingest::read_file(file, &config.input) {
            let article = match item {
                Ok(a) => a,
                Err(r) => {
                    out.push(
                        json!({"id": r.id, "path": r.path, "line": r.line, "status": "rejected", "error": r.reason}),
                    );
                    continue;
                }
            };
            let mut doc = Document::new(article);
            let mut error = None;
            for stage in &config.stages[..last] {
                if let Some(s) = stage.built.doc.as_deref() {
                    match catch_unwind(AssertUnwindSafe(|| s.process(&mut doc))) {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => error = Some(format!("stage `{}`: {e}", stage.kind)),
                        Err(p) => error = Some(format!("stage `{}` panicked: {}", stage.kind, panic_text(&p))),
                    }
                    if error.is_some() {
                        break;
                    }
                }
            }
            out.push(document_json(&doc, error));
        }
    }
    Ok(out)
}

/// A document as JSON: metadata, text, and every span as source byte offsets.
pub fn document_json(doc: &Document, error: Option<String>) -> Value {
    let a = &doc.article;
    let src = |span: Span| doc.source_span(span);
    let body_slice = |span: Span| -> String {
        let off = a.source.body_offset;
        let (s, e) = (span.start.saturating_sub(off), span.end.saturating_sub(off));
        a.body.get(s..e).unwrap_or("").to_string()
    };
    let sentences: Vec<Value> = doc
        .sentences
        .iter()
        .map(|s| {
            let sp = src(s.span);
            json!({"start": sp.start, "end": sp.end, "kind": s.kind, "paragraph": s.paragraph, "text": doc.slice(s.span)})
        })
        .collect();
    let removed: Vec<Value> = doc
        .removed
        .iter()
        .map(|r| json!({"start": r.span.start, "end": r.span.end, "rule": r.rule, "text": body_slice(r.span)}))
        .collect();
    let meta: serde_json::Map<String, Value> = doc
        .meta
        .iter()
        .map(|(k, (v, span))| (k.clone(), json!({"value": v, "start": span.start, "end": span.end})))
        .collect();
    let mentions: Vec<Value> = doc
        .mentions
        .iter()
        .map(|m| {
            let sp = src(m.span);
            let entity = doc.entities.get(m.entity).map(|e| e.name.as_str());
            json!({"start": sp.start, "end": sp.end, "surface": m.surface, "kind": m.kind, "entity": entity, "role": m.role})
        })
        .collect();
    let quotes: Vec<Value> = doc
        .quotes
        .iter()
        .map(|q| {
            let sp = src(q.span);
            json!({
                "start": sp.start, "end": sp.end, "text": doc.slice(q.span),
                "speaker": q.speaker.as_ref().map(|s| json!({"name": s.name, "rule": s.rule})),
                "verb": q.verb,
            })
        })
        .collect();
    let units: Vec<Value> = doc
        .units
        .iter()
        .map(|u| {
            let sp = src(u.span);
            json!({"start": sp.start, "end": sp.end, "kind": u.kind, "text": doc.slice(u.span)})
        })
        .collect();
    json!({
        "id": a.id,
        "path": a.source.path,
        "line": a.source.line,
        "format": a.source.format,
        "status": if error.is_some() { "rejected" } else { "ok" },
        "error": error,
        "outlet": a.outlet,
        "outlet_from": a.outlet_from,
        "title": a.title,
        "published": a.published,
        "url": a.url,
        "author": a.author,
        "warnings": a.warnings,
        "body_offset": a.source.body_offset,
        "text": doc.text,
        "meta": meta,
        "sentences": sentences,
        "removed": removed,
        "entities": doc.entities,
        "mentions": mentions,
        "quotes": quotes,
        "units": units,
    })
}
