//! `report.json` written in pieces on several threads, then joined in order.
//!
//! The report's top-level fields are independent, and so are the elements of its big
//! arrays: each piece (the head, a run of entities, a run of clusters, the spooled
//! clusters, the tail) is written by a job of its own into a temporary file, with the
//! separators, newlines and indents the whole document has around it. The job that
//! finishes last appends the pieces in order to the first one, which is the final file
//! being written: the bytes are those of the document written in one go
//! ([`crate::model::ReportStream`]). Memory stays bounded: each piece goes to disk as it is
//! written.

use std::path::Path;
use std::sync::Mutex;

use concord_core::Corpus;
use serde::Serialize;

use crate::io::{AtomicFile, Written};
use crate::json::{self, PrettySink};
use crate::model::{cluster_out, Report};
use crate::{ClusterPass, ReportError};

/// One piece of `report.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// `{`, `schema_version`, `summary` and `articles`.
    Head,
    /// Entities `lo..hi` (the first piece opens the array, the one ending at the last
    /// entity closes it).
    Entities { lo: usize, hi: usize },
    /// The clusters in memory `lo..hi` (the first opens the array; the last closes it when
    /// no cluster is spooled).
    Clusters { lo: usize, hi: usize },
    /// The spooled clusters (closes the array).
    Spooled,
    /// `copies`, `single_source`, `stats`, `}` and the final newline.
    Tail,
}

/// `0..n` cut into `parts` runs as even as can be (at least one run, maybe empty).
fn runs(n: usize, parts: usize) -> impl Iterator<Item = (usize, usize)> {
    let parts = parts.clamp(1, n.max(1));
    (0..parts).map(move |k| (n * k / parts, n * (k + 1) / parts))
}

/// The pieces for `threads` threads, in document order, each with an estimate of the time
/// it takes to write (in nanoseconds, roughly: see [`crate::cost`]), for scheduling.
pub(crate) fn plan(report: &Report<'_>, corpus: &Corpus, threads: usize) -> Vec<(Piece, u64)> {
    use crate::cost::{per, ARTICLE_JSON, CLUSTER_JSON, ENTITY_JSON, SINGLE_JSON, SPOOLED_CLUSTER_JSON};
    // Runs of the arrays: a few per thread, so that the pieces even out between threads.
    let cut = 2 * threads;
    let mut pieces = vec![(Piece::Head, per(report.articles.len(), ARTICLE_JSON))];
    let n = report.entities.len();
    pieces.extend(runs(n, cut).map(|(lo, hi)| (Piece::Entities { lo, hi }, per(hi - lo, ENTITY_JSON))));
    let n = report.clusters.len();
    pieces.extend(runs(n, cut).map(|(lo, hi)| (Piece::Clusters { lo, hi }, per(hi - lo, CLUSTER_JSON))));
    if let Some(rest) = &corpus.clusters_rest {
        pieces.push((Piece::Spooled, per(rest.len(), SPOOLED_CLUSTER_JSON)));
    }
    // The tail's job is usually the last to finish, and joins the pieces: copying the
    // bytes costs about a quarter of writing them.
    let join = pieces[1..].iter().map(|p| p.1).sum::<u64>() / 4;
    pieces.push((Piece::Tail, per(report.single_source.len(), SINGLE_JSON) + join));
    pieces
}

/// Writes `piece` of the report.
fn write_piece(w: &mut PrettySink<'_>, piece: Piece, report: &Report<'_>, corpus: &Corpus) -> Result<(), json::Error> {
    match piece {
        Piece::Head => {
            w.raw(b"{");
            w.newline(1);
            w.raw(b"\"schema_version\": ");
            w.value(&report.schema_version, 1)?;
            field(w, "summary");
            w.value(&report.summary, 1)?;
            field(w, "articles");
            w.value(&report.articles, 1)?;
        }
        Piece::Entities { lo, hi } => elements(w, "entities", &report.entities, lo, hi, true)?,
        Piece::Clusters { lo, hi } => {
            elements(w, "clusters", &report.clusters, lo, hi, corpus.clusters_rest.is_none())?
        }
        Piece::Spooled => {
            let Some(rest) = &corpus.clusters_rest else { return Ok(()) };
            let mut rank = report.clusters.len();
            let mut failed = None;
            let read = rest.replay(&mut |c| {
                let r = element(w, rank, &cluster_out(rank, &c));
                rank += 1;
                r.map_err(|e| {
                    failed = Some(e);
                    std::io::Error::other("serialising a cluster failed")
                })
            });
            if let Some(e) = failed {
                return Err(e);
            }
            read.map_err(|e| json::Error::Message(format!("reading spooled clusters: {e}")))?;
            close(w, rank > 0);
        }
        Piece::Tail => {
            field(w, "copies");
            w.value(&report.copies, 1)?;
            field(w, "single_source");
            w.value(&report.single_source, 1)?;
            field(w, "stats");
            w.value(&report.stats, 1)?;
            w.newline(0);
            w.raw(b"}\n");
        }
    }
    Ok(())
}

/// Starts a top-level field after another: `,`, newline, indent, key.
fn field(w: &mut PrettySink<'_>, name: &str) {
    w.raw(b",");
    w.newline(1);
    w.raw(b"\"");
    w.raw(name.as_bytes());
    w.raw(b"\": ");
}

/// Element `at` of a top-level array.
fn element<T: Serialize>(w: &mut PrettySink<'_>, at: usize, value: &T) -> Result<(), json::Error> {
    if at > 0 {
        w.raw(b",");
    }
    w.newline(2);
    w.value(value, 2)
}

/// Closes a top-level array (`any`: it has an element).
fn close(w: &mut PrettySink<'_>, any: bool) {
    if any {
        w.newline(1);
    }
    w.raw(b"]");
}

/// Elements `lo..hi` of the top-level array `name` holding `items` (and, when not
/// `last`, more after them): opened if `lo` is 0, closed if `hi` ends it and `last`.
fn elements<T: Serialize>(
    w: &mut PrettySink<'_>,
    name: &str,
    items: &[T],
    lo: usize,
    hi: usize,
    last: bool,
) -> Result<(), json::Error> {
    if lo == 0 {
        field(w, name);
        w.raw(b"[");
    }
    for (at, item) in items.iter().enumerate().take(hi).skip(lo) {
        element(w, at, item)?;
    }
    if last && hi == items.len() {
        close(w, !items.is_empty());
    }
    Ok(())
}

/// The pieces of one `report.json` being written, and the join.
pub(crate) struct Sections<'r, 'a> {
    report: &'r Report<'a>,
    corpus: &'r Corpus,
    pass: &'r ClusterPass<'a>,
    pieces: Vec<Piece>,
    state: Mutex<State>,
}

/// What the pieces' jobs have done so far.
struct State {
    /// Pieces not yet finished.
    left: usize,
    /// A piece failed: its job reports the error, and nothing is joined.
    failed: bool,
    /// The first piece: the final file, being written.
    first: Option<AtomicFile>,
    /// The other pieces, once written.
    parts: Vec<Option<std::fs::File>>,
}

impl<'r, 'a> Sections<'r, 'a> {
    /// `report.json` in these pieces (in document order, [`Piece::Head`] first).
    /// The head's summary waits for `pass` (see [`ClusterPass`]).
    pub(crate) fn new(
        report: &'r Report<'a>,
        corpus: &'r Corpus,
        pass: &'r ClusterPass<'a>,
        pieces: Vec<Piece>,
    ) -> Sections<'r, 'a> {
        let state = State { left: pieces.len(), failed: false, first: None, parts: Vec::new() };
        Sections { report, corpus, pass, pieces, state: Mutex::new(state) }
    }

    /// Writes piece `i` of the file at `path`; the last piece to finish joins them and
    /// returns the file (`None` from the others, and from it when a piece failed).
    pub(crate) fn write(&self, i: usize, path: &Path) -> Result<Option<Written>, ReportError> {
        let written = self.write_one(i, path);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.left -= 1;
        match written {
            Ok(Out::First(file)) => state.first = Some(file),
            Ok(Out::Part(file)) => {
                if state.parts.len() < self.pieces.len() {
                    state.parts.resize_with(self.pieces.len(), || None);
                }
                state.parts[i] = Some(file);
            }
            Err(e) => {
                state.failed = true;
                // Nothing will be joined: let go of what was written.
                state.first = None;
                state.parts.clear();
                return Err(e);
            }
        }
        if state.left > 0 || state.failed {
            return Ok(None);
        }
        let mut file = state.first.take().expect("the first piece is written");
        let parts = std::mem::take(&mut state.parts);
        drop(state);
        for mut part in parts.into_iter().flatten() {
            file.append(&mut part).map_err(|e| ReportError::Io { path: path.to_path_buf(), source: e })?;
        }
        file.written().map(Some)
    }

    fn write_one(&self, i: usize, path: &Path) -> Result<Out, ReportError> {
        let piece = self.pieces[i];
        let json_err = |e| match e {
            json::Error::Io(e) => ReportError::Io { path: path.to_path_buf(), source: e },
            e => ReportError::Json { path: path.to_path_buf(), message: e.to_string() },
        };
        if i == 0 {
            // The head, with the complete summary.
            let report = &self.pass.complete(self.report);
            let mut file = AtomicFile::create(path)?;
            let mut w = PrettySink::new(&mut file);
            write_piece(&mut w, piece, report, self.corpus).and_then(|()| w.finish()).map_err(json_err)?;
            return Ok(Out::First(file));
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // An unnamed temporary file (removed when closed), next to the report.
        let mut part =
            tempfile::tempfile_in(dir).map_err(|e| ReportError::Io { path: path.to_path_buf(), source: e })?;
        let mut w = PrettySink::new(&mut part);
        write_piece(&mut w, piece, self.report, self.corpus).and_then(|()| w.finish()).map_err(json_err)?;
        Ok(Out::Part(part))
    }
}

/// A piece written.
enum Out {
    First(AtomicFile),
    Part(std::fs::File),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_the_range_in_order() {
        for n in [0, 1, 2, 5, 100] {
            for parts in [1, 2, 3, 7] {
                let r: Vec<_> = runs(n, parts).collect();
                assert!(!r.is_empty());
                assert_eq!(r[0].0, 0);
                assert_eq!(r.last().unwrap().1, n);
                assert!(r.windows(2).all(|w| w[0].1 == w[1].0));
            }
        }
    }
}
