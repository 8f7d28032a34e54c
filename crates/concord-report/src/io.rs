//! Atomic file writes: a temporary file in the destination folder, then a rename.

use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tempfile::NamedTempFile;

use crate::ReportError;

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn io_err(path: &Path, source: std::io::Error) -> ReportError {
    ReportError::Io { path: path.to_path_buf(), source }
}

/// Writes `bytes` to `path` atomically: readers see the old file or the whole new one, never
/// a half-written file (temporary file in the same folder, flushed, then renamed over).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let mut w = AtomicFile::create(path)?;
    w.write_all(bytes).map_err(|e| io_err(path, e))?;
    w.commit()
}

/// A file being written that appears at its path only when committed.
///
/// Dropped without [`AtomicFile::commit`], the temporary file is removed and `path` is left
/// as it was.
pub struct AtomicFile {
    path: PathBuf,
    out: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `path` (its folder must exist).
    pub fn create(path: &Path) -> Result<AtomicFile, ReportError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".concord-").suffix(".tmp");
        // Reports are for reading: rw-r--r-- rather than the temporary file's private mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let tmp = builder.tempfile_in(parent_of(path)).map_err(|e| io_err(path, e))?;
        Ok(AtomicFile { path: path.to_path_buf(), out: BufWriter::with_capacity(1 << 16, tmp) })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the temporary file over the final path.
    pub fn commit(self) -> Result<(), ReportError> {
        self.written()?.commit()
    }

    /// Appends the whole of `part` (from its start) to the file: in the kernel, where the
    /// file system can (`copy_file_range`).
    pub(crate) fn append(&mut self, part: &mut std::fs::File) -> std::io::Result<u64> {
        use std::io::Seek;
        self.out.flush()?;
        part.seek(std::io::SeekFrom::Start(0))?;
        std::io::copy(part, self.out.get_mut().as_file_mut())
    }

    /// Flushes the file, leaving the sync and the rename to [`Written::commit`] (which
    /// waits for the disk, so another thread can do it while this one works on).
    pub(crate) fn written(self) -> Result<Written, ReportError> {
        let path = self.path;
        let tmp = self.out.into_inner().map_err(|e| io_err(&path, e.into_error()))?;
        Ok(Written { path, tmp })
    }
}

/// A file written in full, not yet synced nor renamed over its path (dropped, it is
/// removed and the path left as it was).
#[derive(Debug)]
pub(crate) struct Written {
    path: PathBuf,
    tmp: NamedTempFile,
}

impl Written {
    /// Syncs the file and renames it over its path.
    pub(crate) fn commit(self) -> Result<(), ReportError> {
        let Written { path, tmp } = self;
        tmp.as_file().sync_all().map_err(|e| io_err(&path, e))?;
        tmp.persist(&path).map_err(|e| io_err(&path, e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    // Serialisers write many small pieces: go straight to the buffer's fast path rather
    // than the default loop over `write`.
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Streams rows of type `T` into a JSON Lines file, one compact JSON object a line, written
/// atomically when [`JsonlWriter::finish`] is called.
///
/// Rows never need to be held in memory together: a pipeline can push them as articles
/// finish.
///
/// ```
/// use concord_report::{JsonlWriter, MentionRow};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("mentions.jsonl");
/// let mut w = JsonlWriter::<MentionRow>::create(&path).unwrap();
/// w.push(&MentionRow { article: "a1".into(), entity: Some("e1".into()), local_entity: 0, kind: "PERSON".into(),
///     start: 0, end: 5, surface: "Trump".into(), role: None }).unwrap();
/// assert_eq!(w.finish().unwrap(), 1);
/// assert!(std::fs::read_to_string(&path).unwrap().starts_with("{\"article\":\"a1\""));
/// ```
pub struct JsonlWriter<T> {
    file: AtomicFile,
    /// Rows not yet handed to the file (handed over in pieces of [`JSONL_CHUNK`] bytes, which
    /// the file's buffer passes straight through).
    buf: Vec<u8>,
    rows: u64,
    _row: PhantomData<fn(&T)>,
}

/// Bytes of rows gathered before a JSONL writer writes them out.
const JSONL_CHUNK: usize = 1 << 17;

impl<T: Serialize> JsonlWriter<T> {
    /// Starts a JSONL file at `path` (its folder must exist).
    pub fn create(path: &Path) -> Result<JsonlWriter<T>, ReportError> {
        let buf = Vec::with_capacity(JSONL_CHUNK + (JSONL_CHUNK >> 2));
        Ok(JsonlWriter { file: AtomicFile::create(path)?, buf, rows: 0, _row: PhantomData })
    }

    /// Appends one row.
    pub fn push(&mut self, row: &T) -> Result<(), ReportError> {
        self.push_row(row)
    }

    /// Appends one row of any type (serialised as serde_json writes it, compact).
    pub(crate) fn push_row<R: Serialize + ?Sized>(&mut self, row: &R) -> Result<(), ReportError> {
        let at = self.buf.len();
        if let Err(e) = crate::json::write_compact(&mut self.buf, row) {
            self.buf.truncate(at);
            return Err(ReportError::Json { path: self.file.path().to_path_buf(), message: e.to_string() });
        }
        self.end_row()
    }

    /// Appends one row that `write` appends to the buffer it is given (one compact JSON
    /// object, without the newline); when it returns `false`, whatever it appended is
    /// dropped and no row is added. Returns what `write` returned.
    pub(crate) fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>) -> bool) -> Result<bool, ReportError> {
        let at = self.buf.len();
        if !write(&mut self.buf) {
            self.buf.truncate(at);
            return Ok(false);
        }
        self.end_row()?;
        Ok(true)
    }

    #[inline]
    fn end_row(&mut self) -> Result<(), ReportError> {
        self.buf.push(b'\n');
        self.rows += 1;
        if self.buf.len() >= JSONL_CHUNK {
            self.write_out()?;
        }
        Ok(())
    }

    fn write_out(&mut self) -> Result<(), ReportError> {
        self.file.write_all(&self.buf).map_err(|e| io_err(self.file.path(), e))?;
        self.buf.clear();
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Commits the file; returns the number of rows.
    pub fn finish(self) -> Result<u64, ReportError> {
        let rows = self.rows;
        self.written()?.commit()?;
        Ok(rows)
    }

    /// Writes out the last rows, leaving the sync and rename to [`Written::commit`].
    pub(crate) fn written(mut self) -> Result<Written, ReportError> {
        self.write_out()?;
        self.file.written()
    }
}

/// Writes all `rows` (values or references) to a JSONL file atomically; returns the number
/// of rows.
pub fn write_jsonl<T: Serialize>(path: &Path, rows: impl IntoIterator<Item = T>) -> Result<u64, ReportError> {
    let mut w = JsonlWriter::create(path)?;
    for r in rows {
        w.push(&r)?;
    }
    w.finish()
}

/// Like [`write_jsonl`], leaving the sync and rename to [`Written::commit`].
pub(crate) fn jsonl_written<T: Serialize>(
    path: &Path,
    rows: impl IntoIterator<Item = T>,
) -> Result<Written, ReportError> {
    let mut w = JsonlWriter::create(path)?;
    for r in rows {
        w.push(&r)?;
    }
    w.written()
}
