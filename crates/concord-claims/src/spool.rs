//! Single-source items beyond what the corpus keeps in memory: records in an anonymous
//! temporary file, written in report order and replayed in that order
//! ([`concord_core::Spooled`]).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};

use concord_core::{Member, SingleSource, Spooled, UnitKind};

use crate::store::{Reader, Record};

/// Writes single-source items to a temporary file, one length-prefixed record each.
pub(crate) struct SpoolWriter {
    file: BufWriter<File>,
    count: usize,
}

impl SpoolWriter {
    /// A writer over a new anonymous temporary file.
    pub fn new() -> io::Result<SpoolWriter> {
        Ok(SpoolWriter { file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?), count: 0 })
    }

    /// Appends one encoded item (see [`encode`]).
    pub fn push_encoded(&mut self, record: &[u8]) -> io::Result<()> {
        self.file.write_all(record)?;
        self.count += 1;
        Ok(())
    }

    /// Appends one item.
    #[cfg(test)]
    pub fn push(&mut self, s: &SingleSource) -> io::Result<()> {
        let mut buf = Vec::new();
        encode(s, &mut buf)?;
        self.push_encoded(&buf)
    }

    /// The items written, ready to replay.
    pub fn finish(self) -> io::Result<SingleSourceSpool> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok(SingleSourceSpool { file, count: self.count })
    }
}

/// Appends the record of `s` (its length first) to `out`.
pub(crate) fn encode(s: &SingleSource, out: &mut Vec<u8>) -> io::Result<()> {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    let mut r = Record(out);
    r.num(match s.kind {
        UnitKind::Claim => 0,
        UnitKind::Quote => 1,
    });
    r.str(s.cluster.as_deref())?;
    let m = &s.member;
    r.str(Some(&m.article))?;
    r.str(Some(&m.outlet))?;
    for x in [m.start, m.end, m.sentence_start, m.sentence_end] {
        r.num(x as u64);
    }
    r.str(Some(&m.text))?;
    r.str(m.speaker.as_deref())?;
    r.str(m.context.as_deref())?;
    let len = u32::try_from(out.len() - at - 4).map_err(|_| io::Error::other("record over 4 GiB"))?;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

fn decode(buf: &[u8]) -> io::Result<SingleSource> {
    let mut r = Reader(buf);
    let kind = if r.num()? == 1 { UnitKind::Quote } else { UnitKind::Claim };
    let cluster = r.str()?;
    let article = r.str()?.unwrap_or_default();
    let outlet = r.str()?.unwrap_or_default();
    let (start, end, sentence_start, sentence_end) =
        (r.num()? as usize, r.num()? as usize, r.num()? as usize, r.num()? as usize);
    let text = r.str()?.unwrap_or_default();
    let speaker = r.str()?;
    let context = r.str()?;
    Ok(SingleSource {
        kind,
        cluster,
        member: Member { article, outlet, start, end, text, speaker, sentence_start, sentence_end, context },
    })
}

/// Single-source items in a temporary file (removed when the last reference goes).
#[derive(Debug)]
pub struct SingleSourceSpool {
    file: File,
    count: usize,
}

/// Reads a file from a position without moving its shared cursor, so replays can overlap.
struct At<'a> {
    file: &'a File,
    pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Spooled<SingleSource> for SingleSourceSpool {
    fn len(&self) -> usize {
        self.count
    }

    fn replay(&self, f: &mut dyn FnMut(SingleSource) -> io::Result<()>) -> io::Result<()> {
        let mut r = BufReader::with_capacity(1 << 16, At { file: &self.file, pos: 0 });
        let mut buf = Vec::new();
        for _ in 0..self.count {
            let mut len = [0u8; 4];
            r.read_exact(&mut len)?;
            buf.resize(u32::from_le_bytes(len) as usize, 0);
            r.read_exact(&mut buf)?;
            f(decode(&buf)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_replay_as_written_in_order_and_more_than_once() {
        let m = |a: &str, text: &str| Member {
            article: a.into(),
            outlet: "bbc".into(),
            start: 3,
            end: 9,
            text: text.into(),
            speaker: Some("e_x".into()),
            sentence_start: 1,
            sentence_end: 12,
            context: Some("«ctx»".into()),
        };
        let items = vec![
            SingleSource {
                kind: UnitKind::Quote,
                cluster: Some("c_1".into()),
                member: m("a1", "Next time, in Moscow."),
            },
            SingleSource {
                kind: UnitKind::Claim,
                cluster: None,
                member: Member { speaker: None, context: None, ..m("a2", "") },
            },
        ];
        let mut w = SpoolWriter::new().unwrap();
        for s in &items {
            w.push(s).unwrap();
        }
        let spool = w.finish().unwrap();
        assert_eq!(spool.len(), 2);
        for _ in 0..2 {
            let mut back = Vec::new();
            spool
                .replay(&mut |s| {
                    back.push(s);
                    Ok(())
                })
                .unwrap();
            assert_eq!(back, items);
        }
        let mut seen = 0;
        let err = spool.replay(&mut |_| {
            seen += 1;
            Err(io::Error::other("stop"))
        });
        assert!(err.is_err() && seen == 1, "the first error stops the replay");
    }
}
