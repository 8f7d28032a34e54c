//! Streaming JSONL: one article object a line, read with a bounded line buffer.

use std::io::{BufRead, ErrorKind};

use concord_core::Article;

use crate::json;
use crate::read::{too_large, utf16_reason, Ctx};
use crate::Rejected;

/// Bytes at the start of a JSONL stream checked for binary data.
const SNIFF_BYTES: usize = 8 * 1024;

pub(crate) struct JsonlReader {
    reader: Box<dyn BufRead + Send>,
    pub(crate) ctx: Ctx,
    gz: bool,
    /// 1-based number of the last line read.
    line: u64,
    /// Decompressed bytes consumed so far.
    bytes: u64,
    buf: Vec<u8>,
    started: bool,
    done: bool,
    /// Items yielded (articles or rejections), to report an empty file.
    yielded: u64,
}

enum LineRead {
    Eof,
    Line,
    TooLong(u64),
}

impl JsonlReader {
    pub(crate) fn new(reader: Box<dyn BufRead + Send>, ctx: Ctx, gz: bool) -> JsonlReader {
        JsonlReader { reader, ctx, gz, line: 0, bytes: 0, buf: Vec::new(), started: false, done: false, yielded: 0 }
    }

    fn file_reject(&mut self, reason: String) -> Option<Result<Article, Rejected>> {
        self.done = true;
        self.yielded += 1;
        Some(Err(self.ctx.reject(self.ctx.id_base.clone(), None, reason)))
    }

    fn read_error(&self, e: &std::io::Error) -> String {
        let at = format!(
            "at line {} (after {} {}bytes; the lines before it were read)",
            self.line + 1,
            self.bytes,
            if self.gz { "decompressed " } else { "" }
        );
        if self.gz {
            format!("corrupt gzip stream {at}: {e}")
        } else {
            format!("read error {at}: {e}")
        }
    }

    /// Reads one line (without `\n`) into `buf`, keeping at most `limit` bytes.
    fn read_line(&mut self, limit: u64) -> std::io::Result<LineRead> {
        self.buf.clear();
        let mut total: u64 = 0;
        let mut any = false;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(match (any, total > limit) {
                    (false, _) => LineRead::Eof,
                    (true, true) => LineRead::TooLong(total),
                    (true, false) => LineRead::Line,
                });
            }
            any = true;
            let (chunk, used, ends) = match memchr::memchr(b'\n', avail) {
                Some(i) => (&avail[..i], i + 1, true),
                None => (avail, avail.len(), false),
            };
            total += chunk.len() as u64;
            if total <= limit {
                self.buf.extend_from_slice(chunk);
            } else if !self.buf.is_empty() {
                self.buf = Vec::new(); // drop what was kept of an oversized line
            }
            self.reader.consume(used);
            self.bytes += used as u64;
            if ends {
                return Ok(if total > limit { LineRead::TooLong(total) } else { LineRead::Line });
            }
        }
    }

    fn line_item(&mut self) -> Option<Result<Article, Rejected>> {
        let line = self.line;
        let default_id = format!("{}:{line}", self.ctx.id_base);
        let mut bytes = std::mem::take(&mut self.buf);
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        if line == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return None; // blank lines are skipped, not rejected
        }
        let (text, mut warnings) = match self.ctx.decode(bytes, "line") {
            Ok(x) => x,
            Err(reason) => return Some(Err(self.ctx.reject(default_id, Some(line), reason))),
        };
        let (value, repaired) = match json::parse(&text) {
            Ok(x) => x,
            Err(reason) => return Some(Err(self.ctx.reject(default_id, Some(line), reason))),
        };
        if repaired {
            warnings.push(json::SURROGATE_WARNING.to_string());
        }
        Some(json::article(&value, &self.ctx, default_id, Some(line), None, warnings))
    }
}

/// Where a JSONL stream looks binary: a NUL byte in its first bytes when it does not even
/// start like JSON (then the whole file is rejected once, not line by line).
fn binary_at(head: &[u8]) -> Option<usize> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let starts_like_json = body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'{' || *b == b'[');
    if starts_like_json {
        None
    } else {
        memchr::memchr(0, head)
    }
}

impl Iterator for JsonlReader {
    type Item = Result<Article, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            let sniff = match self.reader.fill_buf() {
                Ok(b) => Ok((utf16_reason(b), binary_at(b))),
                Err(e) => Err(self.read_error(&e)),
            };
            match sniff {
                Err(reason) => return self.file_reject(reason),
                Ok((Some(reason), _)) => return self.file_reject(reason),
                Ok((None, Some(at))) => return self.file_reject(format!("binary data: NUL byte at offset {at}")),
                Ok((None, None)) => {}
            }
        }
        let limit = self.ctx.max_bytes;
        loop {
            let read = match self.read_line(limit) {
                Ok(r) => r,
                Err(e) => {
                    let reason = self.read_error(&e);
                    self.done = true;
                    self.yielded += 1;
                    let line = self.line + 1;
                    return Some(Err(self.ctx.reject(format!("{}:{line}", self.ctx.id_base), Some(line), reason)));
                }
            };
            match read {
                LineRead::Eof => {
                    self.done = true;
                    if self.yielded == 0 {
                        let reason = "no articles: the JSONL file has no non-blank line".to_string();
                        return Some(Err(self.ctx.reject(self.ctx.id_base.clone(), None, reason)));
                    }
                    return None;
                }
                LineRead::TooLong(len) => {
                    self.line += 1;
                    self.yielded += 1;
                    let line = self.line;
                    let reason = too_large(len, limit, "line");
                    return Some(Err(self.ctx.reject(format!("{}:{line}", self.ctx.id_base), Some(line), reason)));
                }
                LineRead::Line => {
                    self.line += 1;
                    if let Some(item) = self.line_item() {
                        self.yielded += 1;
                        return Some(item);
                    }
                }
            }
        }
    }
}
