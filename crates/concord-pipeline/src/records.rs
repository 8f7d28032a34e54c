//! Article records kept out of memory from the moment they are made until the reports.
//!
//! A run makes one [`ArticleRecord`] per input (224 bytes each beside their strings: about
//! 300 MB at a million articles), and nothing before the reports reads them but the
//! runner's duplicate-id check. So each record goes, as it is made, to an anonymous
//! temporary file in a compact binary form ([`RecordLog`]); memory keeps its id, path and
//! line (for that check and for sorting), and from the end of the per-article phase only
//! the sorted order. The records come back, in that order and with their paths and
//! outlets shared again, after the corpus stages' finish.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::sync::Arc;

use concord_core::order::apply_permutation;
use concord_core::{ArticleRecord, OutletFrom, Status};
use rayon::prelude::*;

/// Records appended to a temporary file as they are made, with what the runner reads of
/// them before the reports (id, path, line) kept in memory.
pub(crate) struct RecordLog {
    out: BufWriter<File>,
    /// The record being written, and its length's bytes.
    buf: Vec<u8>,
    head: Vec<u8>,
    paths: Table,
    outlets: Table,
    /// The records' ids, back to back; record `i`'s ends at `id_ends[i]`.
    ids: String,
    id_ends: Vec<u64>,
    /// Per record: its path's index, and its line plus one (0: none).
    path_of: Vec<u32>,
    line_of: Vec<u64>,
}

/// The distinct strings of a table (paths, outlets), by index and by content.
#[derive(Default)]
struct Table {
    items: Vec<Arc<str>>,
    index: HashMap<Arc<str>, u32>,
}

impl Table {
    fn id(&mut self, s: &Arc<str>) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.items.len() as u32;
        self.items.push(s.clone());
        self.index.insert(s.clone(), i);
        i
    }
}

impl RecordLog {
    /// An empty log (its temporary file is created now).
    pub fn new() -> io::Result<RecordLog> {
        Ok(RecordLog {
            out: BufWriter::with_capacity(1 << 17, tempfile::tempfile()?),
            buf: Vec::with_capacity(512),
            head: Vec::with_capacity(10),
            paths: Table::default(),
            outlets: Table::default(),
            ids: String::new(),
            id_ends: Vec::new(),
            path_of: Vec::new(),
            line_of: Vec::new(),
        })
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    /// Record `i`'s id.
    pub fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] as usize };
        &self.ids[start..self.id_ends[i] as usize]
    }

    /// Record `i`'s path.
    pub fn path(&self, i: usize) -> &str {
        &self.paths.items[self.path_of[i] as usize]
    }

    /// Record `i`'s line.
    pub fn line(&self, i: usize) -> Option<u64> {
        self.line_of[i].checked_sub(1)
    }

    /// Appends a record.
    pub fn push(&mut self, r: &ArticleRecord) -> io::Result<()> {
        let path = self.paths.id(&r.path);
        self.ids.push_str(&r.id);
        self.id_ends.push(self.ids.len() as u64);
        self.path_of.push(path);
        self.line_of.push(r.line.map_or(0, |l| l.saturating_add(1)));
        self.buf.clear();
        let mut p = Packer(&mut self.buf);
        p.str(&r.id);
        p.num(path as u64);
        p.opt_num(r.line);
        p.opt_str(r.title.as_deref());
        p.opt_num(r.outlet.as_ref().map(|o| self.outlets.id(o) as u64));
        p.num(match r.outlet_from {
            None => 0,
            Some(OutletFrom::Metadata) => 1,
            Some(OutletFrom::Config) => 2,
            Some(OutletFrom::Filename) => 3,
        });
        p.opt_str(r.published.as_deref());
        p.opt_str(r.url.as_deref());
        p.num(match r.status {
            Status::Ok => 0,
            Status::Rejected => 1,
        });
        p.opt_str(r.error.as_deref());
        p.num(r.warnings.len() as u64);
        for x in &r.warnings {
            p.str(x);
        }
        p.opt_str(r.copy_of.as_deref());
        // Each record after its length, so that it can be read back alone.
        self.head.clear();
        Packer(&mut self.head).num(self.buf.len() as u64);
        self.out.write_all(&self.head)?;
        self.out.write_all(&self.buf)
    }

    /// Ends the log: the records' order by id, then path, then line (ties in arrival
    /// order) is computed (in parallel), and memory keeps only that.
    pub fn close(self) -> io::Result<PackedRecords> {
        let n = u32::try_from(self.len()).map_err(|_| io::Error::other("2^32 article records or more"))?;
        let mut order: Vec<u32> = (0..n).collect();
        let key = |i: u32| (self.id(i as usize), self.path(i as usize), self.line(i as usize));
        order.par_sort_unstable_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(PackedRecords { file, order, paths: self.paths.items, outlets: self.outlets.items })
    }
}

/// The records of a closed [`RecordLog`]: in its file, with their sorted order.
pub(crate) struct PackedRecords {
    file: File,
    /// Arrival index of each record in sorted order.
    order: Vec<u32>,
    paths: Vec<Arc<str>>,
    outlets: Vec<Arc<str>>,
}

impl PackedRecords {
    /// Reads the records back, sorted by id, then path, then line (the file a record at a
    /// time: memory holds the records, not their bytes too).
    pub fn unpack(self) -> io::Result<Vec<ArticleRecord>> {
        let PackedRecords { file, order, paths, outlets } = self;
        let mut file = BufReader::with_capacity(1 << 17, file);
        let mut bytes = Vec::new();
        let mut records = Vec::with_capacity(order.len());
        let shared = |table: &[Arc<str>], i: u64| {
            table.get(i as usize).cloned().ok_or_else(|| bad("a string index out of range"))
        };
        for _ in 0..order.len() {
            let len = read_num(&mut file)?;
            bytes.clear();
            // (`take`: a damaged length cannot make it allocate more than the file holds)
            if (&mut file).take(len).read_to_end(&mut bytes)? as u64 != len {
                return Err(bad("a truncated record"));
            }
            let mut u = Unpacker(&bytes);
            let id = u.str()?;
            let path = shared(&paths, u.num()?)?;
            let line = u.opt_num()?;
            let title = u.opt_str()?;
            let outlet = u.opt_num()?.map(|i| shared(&outlets, i)).transpose()?;
            let outlet_from = match u.num()? {
                0 => None,
                1 => Some(OutletFrom::Metadata),
                2 => Some(OutletFrom::Config),
                3 => Some(OutletFrom::Filename),
                _ => return Err(bad("an unknown outlet source")),
            };
            let published = u.opt_str()?;
            let url = u.opt_str()?;
            let status = match u.num()? {
                0 => Status::Ok,
                1 => Status::Rejected,
                _ => return Err(bad("an unknown status")),
            };
            let error = u.opt_str()?;
            let warnings = (0..u.num()?).map(|_| u.str()).collect::<io::Result<_>>()?;
            let copy_of = u.opt_str()?;
            records.push(ArticleRecord {
                id,
                path,
                line,
                title,
                outlet,
                outlet_from,
                published,
                url,
                status,
                error,
                warnings,
                copy_of,
            });
            if !u.0.is_empty() {
                return Err(bad("bytes after a record's fields"));
            }
        }
        if !file.fill_buf()?.is_empty() {
            return Err(bad("bytes after the last record"));
        }
        apply_permutation(&mut records, &order);
        Ok(records)
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("packed article records: {what}"))
}

/// A LEB128 number read from `r` (what [`Packer::num`] wrote; a byte slice advances).
fn read_num(r: &mut impl Read) -> io::Result<u64> {
    let mut x = 0u64;
    for shift in (0..64).step_by(7) {
        let mut b = [0u8];
        r.read_exact(&mut b).map_err(|_| bad("a truncated number"))?;
        x |= ((b[0] & 0x7f) as u64) << shift;
        if b[0] < 0x80 {
            return Ok(x);
        }
    }
    Err(bad("a number over 64 bits"))
}

/// Appends LEB128 numbers and length-prefixed strings.
struct Packer<'a>(&'a mut Vec<u8>);

impl Packer<'_> {
    fn num(&mut self, mut x: u64) {
        while x >= 0x80 {
            self.0.push(x as u8 | 0x80);
            x >>= 7;
        }
        self.0.push(x as u8);
    }

    /// `None` as 0, a number as itself plus one.
    fn opt_num(&mut self, x: Option<u64>) {
        // (a line number never reaches u64::MAX; saturating keeps the encoding total)
        self.num(x.map_or(0, |x| x.saturating_add(1)));
    }

    fn str(&mut self, s: &str) {
        self.num(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    /// `None` as length 0, a string as its length plus one, then its bytes.
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.num(0),
            Some(s) => {
                self.num(s.len() as u64 + 1);
                self.0.extend_from_slice(s.as_bytes());
            }
        }
    }
}

/// Reads what [`Packer`] wrote, in the same order.
struct Unpacker<'a>(&'a [u8]);

impl Unpacker<'_> {
    fn num(&mut self) -> io::Result<u64> {
        read_num(&mut self.0)
    }

    fn opt_num(&mut self) -> io::Result<Option<u64>> {
        Ok(self.num()?.checked_sub(1))
    }

    fn bytes(&mut self, n: u64) -> io::Result<String> {
        let n = usize::try_from(n).ok().filter(|&n| n <= self.0.len()).ok_or_else(|| bad("a truncated string"))?;
        let (s, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(s.to_vec()).map_err(|_| bad("a string that is not UTF-8"))
    }

    fn str(&mut self) -> io::Result<String> {
        let n = self.num()?;
        self.bytes(n)
    }

    fn opt_str(&mut self) -> io::Result<Option<String>> {
        match self.num()? {
            0 => Ok(None),
            n => self.bytes(n - 1).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<ArticleRecord> {
        let (p1, p2): (Arc<str>, Arc<str>) = ("corpus/a.jsonl".into(), "b/é 🎉.md".into());
        let outlet: Arc<str> = "Reuters".into();
        let full = ArticleRecord {
            id: "id-\u{0}-\"x\"".into(),
            path: p1.clone(),
            line: Some(u64::MAX - 1),
            title: Some(String::new()),
            outlet: Some(outlet.clone()),
            outlet_from: Some(OutletFrom::Config),
            published: Some("2026-12-01".into()),
            url: Some("https://example.org/ü?a=1&b=2".into()),
            status: Status::Rejected,
            error: Some("stage `x`: bad\nthing".into()),
            warnings: vec!["one".into(), String::new(), "thrée".into()],
            copy_of: Some("orig".into()),
        };
        let empty = ArticleRecord { path: p2.clone(), ..ArticleRecord::default() };
        let mut v = vec![full.clone(), empty];
        for (i, from) in [OutletFrom::Metadata, OutletFrom::Filename].into_iter().enumerate() {
            v.push(ArticleRecord {
                id: format!("a{i}"),
                path: if i == 0 { p1.clone() } else { p2.clone() },
                line: Some(i as u64),
                outlet: Some(outlet.clone()),
                outlet_from: Some(from),
                ..ArticleRecord::default()
            });
        }
        v.push(ArticleRecord { line: Some(0), outlet: Some("".into()), ..full });
        v
    }

    fn log_of(v: &[ArticleRecord]) -> RecordLog {
        let mut log = RecordLog::new().unwrap();
        for r in v {
            log.push(r).unwrap();
        }
        log
    }

    #[test]
    fn records_come_back_sorted_with_paths_and_outlets_shared() {
        let v = records();
        let log = log_of(&v);
        assert_eq!(log.len(), v.len());
        for (i, r) in v.iter().enumerate() {
            assert_eq!((log.id(i), log.path(i), log.line(i)), (r.id.as_str(), &*r.path, r.line));
        }
        let mut want = v.clone();
        want.sort_by(|a, b| (&a.id, &a.path, a.line).cmp(&(&b.id, &b.path, b.line)));
        let back = log.close().unwrap().unpack().unwrap();
        assert_eq!(back, want);
        let at = |id: &str| back.iter().position(|r| r.id == id).unwrap();
        assert!(Arc::ptr_eq(&back[at("a0")].path, &back[at("id-\u{0}-\"x\"")].path), "one allocation per path");
        let outlet = |id: &str| back[at(id)].outlet.clone().unwrap();
        assert!(Arc::ptr_eq(&outlet("a0"), &outlet("a1")));
        assert!(RecordLog::new().unwrap().close().unwrap().unpack().unwrap().is_empty());
    }

    #[test]
    fn equal_keys_keep_their_arrival_order() {
        let path: Arc<str> = "p".into();
        let v: Vec<ArticleRecord> = (0..300u64)
            .map(|i| ArticleRecord {
                id: format!("{}", (i * 7919) % 5),
                path: path.clone(),
                line: Some(i % 3),
                title: Some(i.to_string()),
                ..ArticleRecord::default()
            })
            .collect();
        let mut want = v.clone();
        want.sort_by(|a, b| (&a.id, &a.path, a.line).cmp(&(&b.id, &b.path, b.line)));
        assert_eq!(log_of(&v).close().unwrap().unpack().unwrap(), want);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let v = records();
        let packed = log_of(&v).close().unwrap();
        let mut bytes = Vec::new();
        BufReader::new(&packed.file).read_to_end(&mut bytes).unwrap();
        // Cut short, one byte too many, and a first record claiming more bytes than exist
        // (9 bytes of 0xff then 1: a length near 2^64, which must not be allocated).
        let mut huge = vec![0xff; 9];
        huge.push(1);
        huge.extend_from_slice(&bytes);
        let mut longer = bytes.clone();
        longer.push(0);
        let damaged = [0, 1, bytes.len() / 2, bytes.len() - 1].map(|cut| bytes[..cut].to_vec());
        for (k, bad) in damaged.into_iter().chain([longer, huge]).enumerate() {
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(&bad).unwrap();
            file.rewind().unwrap();
            let p = PackedRecords {
                file,
                order: packed.order.clone(),
                paths: packed.paths.clone(),
                outlets: packed.outlets.clone(),
            };
            assert!(p.unpack().is_err(), "damage {k}");
        }
    }
}
