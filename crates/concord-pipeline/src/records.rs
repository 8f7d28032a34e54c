//! Article records kept out of memory while the corpus stages finish.
//!
//! At the end of the per-article phase the runner holds one [`ArticleRecord`] per input
//! (224 bytes each beside their strings: about 300 MB at a million articles), and the
//! corpus stages' finish, where a run's memory peaks, does not read them. So the sorted
//! records go to an anonymous temporary file in a compact binary form, and come back,
//! their paths and outlets shared again, once the stages are done.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::sync::Arc;

use concord_core::{ArticleRecord, OutletFrom, Status};

/// Records written to a temporary file, in order, to be read back once.
pub(crate) struct PackedRecords {
    file: File,
    count: usize,
    /// The distinct paths and outlets, by index (records name them by index).
    paths: Vec<Arc<str>>,
    outlets: Vec<Arc<str>>,
}

/// Indices of the distinct strings of a table, by content.
struct Table<'a> {
    index: HashMap<Arc<str>, u32>,
    items: &'a mut Vec<Arc<str>>,
}

impl Table<'_> {
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

impl PackedRecords {
    /// Writes `records` (consumed, each freed once written) to a temporary file.
    pub fn pack(records: Vec<ArticleRecord>) -> io::Result<PackedRecords> {
        let count = records.len();
        let (mut paths, mut outlets) = (Vec::new(), Vec::new());
        let mut path_ids = Table { index: HashMap::new(), items: &mut paths };
        let mut outlet_ids = Table { index: HashMap::new(), items: &mut outlets };
        let mut w = BufWriter::with_capacity(1 << 17, tempfile::tempfile()?);
        let mut buf = Vec::with_capacity(512);
        for r in records {
            buf.clear();
            let mut p = Packer(&mut buf);
            p.str(&r.id);
            p.num(path_ids.id(&r.path) as u64);
            p.opt_num(r.line);
            p.opt_str(r.title.as_deref());
            p.opt_num(r.outlet.as_ref().map(|o| outlet_ids.id(o) as u64));
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
            w.write_all(&buf)?;
        }
        let mut file = w.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(PackedRecords { file, count, paths, outlets })
    }

    /// Reads the records back, in the order they were packed.
    pub fn unpack(self) -> io::Result<Vec<ArticleRecord>> {
        let PackedRecords { file, count, paths, outlets } = self;
        let mut bytes = Vec::new();
        BufReader::new(file).read_to_end(&mut bytes)?;
        let mut u = Unpacker(&bytes);
        let mut records = Vec::with_capacity(count);
        let shared = |table: &[Arc<str>], i: u64| {
            table.get(i as usize).cloned().ok_or_else(|| bad("a string index out of range"))
        };
        for _ in 0..count {
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
        }
        if !u.0.is_empty() {
            return Err(bad("bytes after the last record"));
        }
        Ok(records)
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("packed article records: {what}"))
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
        let mut x = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first().ok_or_else(|| bad("a truncated number"))?;
            self.0 = rest;
            x |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(x);
            }
        }
        Err(bad("a number over 64 bits"))
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

    #[test]
    fn records_come_back_as_they_went_in_with_paths_and_outlets_shared() {
        let v = records();
        let back = PackedRecords::pack(v.clone()).unwrap().unpack().unwrap();
        assert_eq!(back, v);
        assert!(Arc::ptr_eq(&back[0].path, &back[2].path), "one allocation per path");
        assert!(Arc::ptr_eq(back[0].outlet.as_ref().unwrap(), back[3].outlet.as_ref().unwrap()));
        assert!(PackedRecords::pack(Vec::new()).unwrap().unpack().unwrap().is_empty());
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let v = records();
        let mut bytes = Vec::new();
        let packed = PackedRecords::pack(v).unwrap();
        BufReader::new(&packed.file).read_to_end(&mut bytes).unwrap();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(&bytes[..cut]).unwrap();
            file.rewind().unwrap();
            let p = PackedRecords {
                file,
                count: packed.count,
                paths: packed.paths.clone(),
                outlets: packed.outlets.clone(),
            };
            assert!(p.unpack().is_err(), "cut at {cut}");
        }
    }
}
