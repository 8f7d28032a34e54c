//! `report.json` written in pieces on several threads, then joined in order.
//!
//! The report's top-level fields are independent, and so are the elements of its big
//! arrays: the document is cut into pieces (the head, runs of entities, runs of the
//! clusters in memory, the spooled clusters, the tail), each written with the separators,
//! newlines and indents the whole document has around it, so that their bytes in order
//! are those of the document written in one go ([`crate::model::ReportStream`]).
//!
//! The first job at work writes pieces from the front, in order, straight into the final
//! file; the others each take the last piece not yet taken and write it into an unnamed
//! temporary file next to the report. When the two ends meet, the job that finishes last
//! appends those files, in order, to the final file (`copy_file_range` on Linux): only the
//! pieces written behind the front are copied. Memory stays bounded: every piece goes to
//! disk as it is written.

use std::path::Path;
use std::sync::Mutex;

use concord_core::Corpus;
use serde::Serialize;

use crate::io::{AtomicFile, Written};
use crate::json::{self, PrettySink};
use crate::model::{replay_ranked, Report};
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

/// The pieces for `threads` threads, in document order.
pub(crate) fn plan(report: &Report<'_>, corpus: &Corpus, threads: usize) -> Vec<Piece> {
    // Runs of the arrays: several per thread, so that the two ends meet near the middle
    // of the work.
    let cut = 4 * threads;
    let mut pieces = vec![Piece::Head];
    pieces.extend(runs(report.entities.len(), cut).map(|(lo, hi)| Piece::Entities { lo, hi }));
    pieces.extend(runs(report.clusters.len(), cut).map(|(lo, hi)| Piece::Clusters { lo, hi }));
    if corpus.clusters_rest.is_some() {
        pieces.push(Piece::Spooled);
    }
    pieces.push(Piece::Tail);
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
            let next = replay_ranked(&**rest, report.clusters.len(), |rank, c| element(w, rank, c))?
                .map_err(|e| json::Error::Message(format!("reading spooled clusters: {e}")))?;
            close(w, next > 0);
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

/// What the jobs have done so far.
struct State {
    /// A job writes from the front.
    front_taken: bool,
    /// The next piece from the front, and one past the last piece not yet taken.
    front: usize,
    back: usize,
    /// Pieces written.
    done: usize,
    /// A piece failed: its job reports the error, and nothing is joined.
    failed: bool,
    /// The final file, once the front has stopped.
    first: Option<AtomicFile>,
    /// The pieces written behind the front.
    parts: Vec<Option<std::fs::File>>,
}

impl<'r, 'a> Sections<'r, 'a> {
    /// `report.json` in these pieces (in document order, [`Piece::Head`] first); the head's
    /// summary waits for `pass` (see [`ClusterPass`]).
    pub(crate) fn new(
        report: &'r Report<'a>,
        corpus: &'r Corpus,
        pass: &'r ClusterPass<'a>,
        pieces: Vec<Piece>,
    ) -> Sections<'r, 'a> {
        let n = pieces.len();
        let state = State {
            front_taken: false,
            front: 0,
            back: n,
            done: 0,
            failed: false,
            first: None,
            parts: (0..n).map(|_| None).collect(),
        };
        Sections { report, corpus, pass, pieces, state: Mutex::new(state) }
    }

    /// Number of pieces (as many jobs as pieces may be given [`Sections::write`]).
    pub(crate) fn len(&self) -> usize {
        self.pieces.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One job's share of the file at `path`: the pieces from the front (the first job
    /// called once the head can be written), else the last piece not yet taken (if any). The job that finishes the
    /// last piece joins them and returns the file; the others return `None`.
    pub(crate) fn write(&self, path: &Path) -> Result<Option<Written>, ReportError> {
        let mut state = self.lock();
        // The head waits for the pass over the spooled clusters: until it is done, take
        // from the back while there is more than the head left.
        if !state.front_taken && (state.back <= 1 || self.pass.ready()) {
            state.front_taken = true;
            drop(state);
            return self.write_front(path);
        }
        if state.front >= state.back || state.failed {
            return Ok(None);
        }
        state.back -= 1;
        let i = state.back;
        drop(state);
        let written = self.write_part(i, path);
        let mut state = self.lock();
        match written {
            Ok(part) => {
                state.parts[i] = Some(part);
                state.done += 1;
                self.join(state, path)
            }
            Err(e) => {
                state.failed = true;
                Err(e)
            }
        }
    }

    /// Writes pieces from the front into the final file until it meets the back.
    fn write_front(&self, path: &Path) -> Result<Option<Written>, ReportError> {
        let failed = |e| {
            self.lock().failed = true;
            e
        };
        let mut file = AtomicFile::create(path).map_err(failed)?;
        let mut state = self.lock();
        while state.front < state.back && !state.failed {
            let i = state.front;
            state.front += 1;
            drop(state);
            self.write_to(i, &mut file, path).map_err(failed)?;
            state = self.lock();
            state.done += 1;
        }
        if state.failed {
            return Ok(None);
        }
        state.first = Some(file);
        self.join(state, path)
    }

    /// When every piece is written: appends the parts to the final file and returns it.
    fn join(&self, mut state: std::sync::MutexGuard<'_, State>, path: &Path) -> Result<Option<Written>, ReportError> {
        if state.done < self.pieces.len() || state.failed {
            return Ok(None);
        }
        let Some(mut file) = state.first.take() else { return Ok(None) };
        let parts = std::mem::take(&mut state.parts);
        drop(state);
        for mut part in parts.into_iter().flatten() {
            file.append(&mut part).map_err(|e| ReportError::Io { path: path.to_path_buf(), source: e })?;
        }
        file.written().map(Some)
    }

    /// Writes piece `i` to `out`.
    fn write_to(&self, i: usize, out: &mut dyn std::io::Write, path: &Path) -> Result<(), ReportError> {
        let piece = self.pieces[i];
        // The head has the complete summary.
        let complete;
        let report = if piece == Piece::Head {
            complete = self.pass.complete(self.report);
            &complete
        } else {
            self.report
        };
        let mut w = PrettySink::new(out);
        write_piece(&mut w, piece, report, self.corpus).and_then(|()| w.finish()).map_err(|e| match e {
            json::Error::Io(e) => ReportError::Io { path: path.to_path_buf(), source: e },
            e => ReportError::Json { path: path.to_path_buf(), message: e.to_string() },
        })
    }

    /// Writes piece `i` into an unnamed temporary file next to `path` (removed when closed).
    fn write_part(&self, i: usize, path: &Path) -> Result<std::fs::File, ReportError> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut part =
            tempfile::tempfile_in(dir).map_err(|e| ReportError::Io { path: path.to_path_buf(), source: e })?;
        self.write_to(i, &mut part, path)?;
        Ok(part)
    }
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
