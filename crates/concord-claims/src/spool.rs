//! Single-source items and clusters beyond what the corpus keeps in memory: records in an
//! anonymous temporary file, written in report order and replayed in that order
//! ([`concord_core::Spooled`]).
//!
//! A record is its length, the length of its text, the text (the bytes of all its strings
//! one after another) and then its head (numbers and string lengths, in field order): a
//! replay checks a record's UTF-8 once, not string by string (the report replays the
//! spools several times, and most fields are short).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::marker::PhantomData;

use concord_core::{Cluster, Member, SingleSource, Spooled, UnitKind};

use crate::store::{At, Reader, Record};

/// A value kept as a temporary-file record: written from a view of borrowed strings
/// ([`MemberRef`], [`SingleRef`], [`ClusterRef`]: `put`), read back owned.
pub(crate) trait Recorded: Sized {
    /// Reads the value's fields back, in the order they were put.
    fn get(r: &mut FieldReader<'_>) -> io::Result<Self>;
}

/// Where records' fields are written: numbers and string lengths to the head, strings'
/// bytes to the text.
pub(crate) struct Fields<'a> {
    head: Record<'a>,
    text: &'a mut Vec<u8>,
}

impl Fields<'_> {
    /// Appends an optional string.
    pub fn str(&mut self, s: Option<&str>) -> io::Result<()> {
        // Its length (`u32::MAX`: none) in the head, its bytes in the text.
        match s {
            Some(s) => {
                let n = u32::try_from(s.len()).ok().filter(|&n| n != u32::MAX);
                self.head.u32(n.ok_or_else(|| io::Error::other("text over 4 GiB"))?);
                self.text.extend_from_slice(s.as_bytes());
            }
            None => self.head.u32(u32::MAX),
        }
        Ok(())
    }

    /// Appends a number.
    pub fn num(&mut self, x: u64) {
        self.head.num(x);
    }
}

/// Reads the fields [`Fields`] wrote, in the same order.
pub(crate) struct FieldReader<'a> {
    head: Reader<'a>,
    /// The strings not read yet (checked as UTF-8 as a whole).
    text: &'a str,
}

impl<'a> FieldReader<'a> {
    /// A reader of `record` (as [`encode`] wrote it, without its length).
    fn new(record: &'a [u8]) -> io::Result<FieldReader<'a>> {
        let mut r = Reader(record);
        let n = r.u32()? as usize;
        if r.0.len() < n {
            return Err(invalid("truncated record in a temporary file"));
        }
        let (text, head) = r.0.split_at(n);
        let text = std::str::from_utf8(text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(FieldReader { head: Reader(head), text })
    }

    /// Reads an optional string.
    pub fn str(&mut self) -> io::Result<Option<String>> {
        let n = self.head.u32()?;
        if n == u32::MAX {
            return Ok(None);
        }
        // Not past the end, nor inside a character.
        let s = self.text.get(..n as usize).ok_or_else(|| invalid("a string out of its record"))?;
        self.text = &self.text[n as usize..];
        Ok(Some(s.to_string()))
    }

    /// Reads a number.
    pub fn num(&mut self) -> io::Result<u64> {
        self.head.num()
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

/// Appends the record of the fields `put` writes (its length first) to `out`; `scratch`
/// holds its head meanwhile (reused from record to record: no allocation a record; the
/// strings are copied once, into `out`).
pub(crate) fn encode(
    put: impl FnOnce(&mut Fields<'_>) -> io::Result<()>,
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    let at = out.len();
    out.extend_from_slice(&[0; 8]);
    scratch.clear();
    put(&mut Fields { head: Record(scratch), text: out })?;
    let text = u32::try_from(out.len() - at - 8).map_err(|_| io::Error::other("record over 4 GiB"))?;
    out.extend_from_slice(scratch);
    let len = u32::try_from(out.len() - at - 4).map_err(|_| io::Error::other("record over 4 GiB"))?;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    out[at + 4..at + 8].copy_from_slice(&text.to_le_bytes());
    Ok(())
}

/// The value of a record (as [`encode`] wrote it, without its length).
fn decode<T: Recorded>(record: &[u8]) -> io::Result<T> {
    let mut r = FieldReader::new(record)?;
    let x = T::get(&mut r)?;
    if !r.head.0.is_empty() || !r.text.is_empty() {
        return Err(invalid("a record longer than its fields"));
    }
    Ok(x)
}

fn put_kind(r: &mut Fields<'_>, kind: UnitKind) {
    r.num(match kind {
        UnitKind::Claim => 0,
        UnitKind::Quote => 1,
    });
}

fn get_kind(r: &mut FieldReader<'_>) -> io::Result<UnitKind> {
    Ok(if r.num()? == 1 { UnitKind::Quote } else { UnitKind::Claim })
}

fn put_strs(r: &mut Fields<'_>, v: &[&str]) -> io::Result<()> {
    r.num(v.len() as u64);
    v.iter().try_for_each(|s| r.str(Some(s)))
}

/// At most this many elements of a list are allocated for before they are read (a corrupt
/// count fails reading, not allocating).
fn capacity(n: usize, r: &FieldReader<'_>) -> usize {
    n.min(r.head.0.len() / 4)
}

fn get_strs(r: &mut FieldReader<'_>) -> io::Result<Vec<String>> {
    let n = r.num()? as usize;
    let mut v = Vec::with_capacity(capacity(n, r));
    for _ in 0..n {
        v.push(r.str()?.unwrap_or_default());
    }
    Ok(v)
}

/// A [`Member`] of borrowed strings: its record is written from these without building
/// the member (clusters and single-source items past what memory keeps are only written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemberRef<'a> {
    pub article: &'a str,
    pub outlet: &'a str,
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub speaker: Option<&'a str>,
    pub sentence_start: usize,
    pub sentence_end: usize,
    pub context: Option<&'a str>,
}

impl<'a> MemberRef<'a> {
    #[cfg(test)]
    fn of(m: &'a Member) -> MemberRef<'a> {
        let Member { article, outlet, start, end, text, speaker, sentence_start, sentence_end, context } = m;
        MemberRef {
            article,
            outlet,
            start: *start,
            end: *end,
            text,
            speaker: speaker.as_deref(),
            sentence_start: *sentence_start,
            sentence_end: *sentence_end,
            context: context.as_deref(),
        }
    }

    /// The member, owning its strings.
    pub fn to_member(self) -> Member {
        Member {
            article: self.article.to_string(),
            outlet: self.outlet.to_string(),
            start: self.start,
            end: self.end,
            text: self.text.to_string(),
            speaker: self.speaker.map(str::to_string),
            sentence_start: self.sentence_start,
            sentence_end: self.sentence_end,
            context: self.context.map(str::to_string),
        }
    }

    /// Appends the fields of the member's record.
    pub fn put(&self, r: &mut Fields<'_>) -> io::Result<()> {
        r.str(Some(self.article))?;
        r.str(Some(self.outlet))?;
        for x in [self.start, self.end, self.sentence_start, self.sentence_end] {
            r.num(x as u64);
        }
        r.str(Some(self.text))?;
        r.str(self.speaker)?;
        r.str(self.context)
    }
}

impl Recorded for Member {
    fn get(r: &mut FieldReader<'_>) -> io::Result<Member> {
        let article = r.str()?.unwrap_or_default();
        let outlet = r.str()?.unwrap_or_default();
        let (start, end, sentence_start, sentence_end) =
            (r.num()? as usize, r.num()? as usize, r.num()? as usize, r.num()? as usize);
        let text = r.str()?.unwrap_or_default();
        let speaker = r.str()?;
        let context = r.str()?;
        Ok(Member { article, outlet, start, end, text, speaker, sentence_start, sentence_end, context })
    }
}

/// A [`SingleSource`] of borrowed strings (see [`MemberRef`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SingleRef<'a> {
    pub kind: UnitKind,
    pub cluster: Option<&'a str>,
    pub member: MemberRef<'a>,
}

impl SingleRef<'_> {
    /// The item, owning its strings.
    pub fn to_single(self) -> SingleSource {
        SingleSource { kind: self.kind, cluster: self.cluster.map(str::to_string), member: self.member.to_member() }
    }

    /// Appends the fields of the item's record.
    pub fn put(&self, r: &mut Fields<'_>) -> io::Result<()> {
        put_kind(r, self.kind);
        r.str(self.cluster)?;
        self.member.put(r)
    }
}

impl Recorded for SingleSource {
    fn get(r: &mut FieldReader<'_>) -> io::Result<SingleSource> {
        Ok(SingleSource { kind: get_kind(r)?, cluster: r.str()?, member: Member::get(r)? })
    }
}

/// A [`Cluster`] of borrowed strings (see [`MemberRef`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClusterRef<'a> {
    pub id: &'a str,
    pub kind: UnitKind,
    pub text: &'a str,
    pub speaker: Option<&'a str>,
    pub speaker_name: Option<&'a str>,
    pub articles: Vec<&'a str>,
    pub outlets: Vec<&'a str>,
    pub entities: Vec<&'a str>,
    pub members: Vec<MemberRef<'a>>,
}

impl ClusterRef<'_> {
    /// The cluster, owning its strings.
    pub fn to_cluster(&self) -> Cluster {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Cluster {
            id: self.id.to_string(),
            kind: self.kind,
            text: self.text.to_string(),
            speaker: self.speaker.map(str::to_string),
            speaker_name: self.speaker_name.map(str::to_string),
            articles: owned(&self.articles),
            outlets: owned(&self.outlets),
            entities: owned(&self.entities),
            members: self.members.iter().map(|m| m.to_member()).collect(),
        }
    }

    /// Appends the fields of the cluster's record.
    pub fn put(&self, r: &mut Fields<'_>) -> io::Result<()> {
        r.str(Some(self.id))?;
        put_kind(r, self.kind);
        r.str(Some(self.text))?;
        r.str(self.speaker)?;
        r.str(self.speaker_name)?;
        put_strs(r, &self.articles)?;
        put_strs(r, &self.outlets)?;
        put_strs(r, &self.entities)?;
        r.num(self.members.len() as u64);
        self.members.iter().try_for_each(|m| m.put(r))
    }
}

impl Recorded for Cluster {
    fn get(r: &mut FieldReader<'_>) -> io::Result<Cluster> {
        let id = r.str()?.unwrap_or_default();
        let kind = get_kind(r)?;
        let text = r.str()?.unwrap_or_default();
        let (speaker, speaker_name) = (r.str()?, r.str()?);
        let (articles, outlets, entities) = (get_strs(r)?, get_strs(r)?, get_strs(r)?);
        let n = r.num()? as usize;
        let mut members = Vec::with_capacity(capacity(n, r) / 8);
        for _ in 0..n {
            members.push(Member::get(r)?);
        }
        Ok(Cluster { id, kind, text, speaker, speaker_name, articles, outlets, entities, members })
    }
}

/// Writes values to a temporary file, one length-prefixed record each.
pub(crate) struct SpoolWriter<T> {
    file: BufWriter<File>,
    count: usize,
    _item: PhantomData<fn(&T)>,
}

impl<T: Recorded> SpoolWriter<T> {
    /// A writer over a new anonymous temporary file.
    pub fn new() -> io::Result<SpoolWriter<T>> {
        Ok(SpoolWriter { file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?), count: 0, _item: PhantomData })
    }

    /// Appends `count` values already encoded back to back (see [`encode`]).
    pub fn push_encoded(&mut self, records: &[u8], count: usize) -> io::Result<()> {
        self.file.write_all(records)?;
        self.count += count;
        Ok(())
    }

    /// Appends one value (through its view, as records are written).
    #[cfg(test)]
    pub fn push(&mut self, x: &T) -> io::Result<()>
    where
        T: tests::Put,
    {
        let mut buf = Vec::new();
        encode(|r| x.put(r), &mut buf, &mut Vec::new())?;
        self.push_encoded(&buf, 1)
    }

    /// The values written, ready to replay.
    pub fn finish(self) -> io::Result<Spool<T>> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok(Spool { file, count: self.count, _item: PhantomData })
    }
}

/// Values in a temporary file (removed when the last reference goes).
pub struct Spool<T> {
    file: File,
    count: usize,
    _item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Spool<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spool({} records)", self.count)
    }
}

impl<T: Recorded> Spooled<T> for Spool<T> {
    fn len(&self) -> usize {
        self.count
    }

    fn replay(&self, f: &mut dyn FnMut(T) -> io::Result<()>) -> io::Result<()> {
        let mut r = BufReader::with_capacity(1 << 16, At { file: &self.file, pos: 0 });
        let mut buf = Vec::new();
        for _ in 0..self.count {
            // A record wholly in the reader's buffer is decoded there; one across its end
            // is copied out first.
            let ready = r.fill_buf()?;
            let len = ready.get(..4).map(|l| u32::from_le_bytes(l.try_into().expect("4 bytes")) as usize);
            let x = match len {
                Some(len) if ready.len() - 4 >= len => {
                    let x = decode(&ready[4..4 + len])?;
                    r.consume(4 + len);
                    x
                }
                _ => {
                    let mut len = [0u8; 4];
                    r.read_exact(&mut len)?;
                    buf.resize(u32::from_le_bytes(len) as usize, 0);
                    r.read_exact(&mut buf)?;
                    decode(&buf)?
                }
            };
            f(x)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owned value written through its view.
    pub(crate) trait Put {
        fn put(&self, r: &mut Fields<'_>) -> io::Result<()>;
    }

    /// The view of an item (what the corpus part writes it from).
    fn single_view(s: &SingleSource) -> SingleRef<'_> {
        SingleRef { kind: s.kind, cluster: s.cluster.as_deref(), member: MemberRef::of(&s.member) }
    }

    /// The view of a cluster.
    fn cluster_view(c: &Cluster) -> ClusterRef<'_> {
        fn strs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        ClusterRef {
            id: &c.id,
            kind: c.kind,
            text: &c.text,
            speaker: c.speaker.as_deref(),
            speaker_name: c.speaker_name.as_deref(),
            articles: strs(&c.articles),
            outlets: strs(&c.outlets),
            entities: strs(&c.entities),
            members: c.members.iter().map(MemberRef::of).collect(),
        }
    }

    impl Put for SingleSource {
        fn put(&self, r: &mut Fields<'_>) -> io::Result<()> {
            single_view(self).put(r)
        }
    }

    impl Put for Cluster {
        fn put(&self, r: &mut Fields<'_>) -> io::Result<()> {
            cluster_view(self).put(r)
        }
    }

    fn member(a: &str, text: &str) -> Member {
        Member {
            article: a.into(),
            outlet: "bbc".into(),
            start: 3,
            end: 9,
            text: text.into(),
            speaker: Some("e_x".into()),
            sentence_start: 1,
            sentence_end: 12,
            context: Some("«ctx»".into()),
        }
    }

    fn replayed<T: Recorded>(spool: &Spool<T>) -> Vec<T> {
        let mut back = Vec::new();
        spool
            .replay(&mut |s| {
                back.push(s);
                Ok(())
            })
            .unwrap();
        back
    }

    #[test]
    fn items_replay_as_written_in_order_and_more_than_once() {
        let items = vec![
            SingleSource { kind: UnitKind::Quote, cluster: Some("c_1".into()), member: member("a1", "Next time.") },
            SingleSource {
                kind: UnitKind::Claim,
                cluster: None,
                member: Member { speaker: None, context: None, ..member("a2", "") },
            },
        ];
        let mut w = SpoolWriter::new().unwrap();
        for s in &items {
            w.push(s).unwrap();
        }
        let spool = w.finish().unwrap();
        assert_eq!(spool.len(), 2);
        assert_eq!(replayed(&spool), items);
        assert_eq!(replayed(&spool), items, "a second replay reads the same");
        let mut seen = 0;
        let err = spool.replay(&mut |_| {
            seen += 1;
            Err(io::Error::other("stop"))
        });
        assert!(err.is_err() && seen == 1, "the first error stops the replay");
    }

    /// Strings a record must carry unchanged: empty, multi-byte, NUL and control
    /// characters, what looks like a length or the no-string marker, long ones.
    fn hostile(k: usize) -> String {
        match k % 6 {
            0 => String::new(),
            1 => "é€𝄞\u{0}\n\u{7f}".repeat(k),
            2 => "\u{ff}\u{ff}\u{ff}\u{ff}\u{ffff}".to_string(),
            3 => String::from_utf8(u32::MAX.to_le_bytes().map(|_| b'x').to_vec()).unwrap(),
            4 => "«quoted» \"text\" \\ ".repeat(3000),
            _ => format!("a{k}"),
        }
    }

    #[test]
    fn hostile_texts_round_trip_in_every_field() {
        let m = |k: usize| Member {
            article: hostile(k),
            outlet: hostile(k + 1),
            start: k,
            end: usize::MAX - k,
            text: hostile(k + 2),
            speaker: (k % 2 == 0).then(|| hostile(k + 3)),
            sentence_start: 0,
            sentence_end: 1 << 40,
            context: (k % 3 != 0).then(|| hostile(k + 4)),
        };
        let clusters: Vec<Cluster> = (0..12)
            .map(|k| Cluster {
                id: hostile(k),
                kind: if k % 2 == 0 { UnitKind::Quote } else { UnitKind::Claim },
                text: hostile(k + 5),
                speaker: (k % 3 == 0).then(|| hostile(k + 1)),
                speaker_name: (k % 4 == 0).then(|| hostile(k + 2)),
                articles: (0..k % 4).map(hostile).collect(),
                outlets: (0..k % 3).map(|j| hostile(j + k)).collect(),
                entities: vec![hostile(k); k % 2],
                members: (0..k % 5).map(|j| m(j + k)).collect(),
            })
            .collect();
        let mut w = SpoolWriter::new().unwrap();
        clusters.iter().try_for_each(|c| w.push(c)).unwrap();
        assert_eq!(replayed(&w.finish().unwrap()), clusters);
        // A view made owned (a kept cluster) is what its record replays as (a spooled one).
        assert!(clusters.iter().all(|c| cluster_view(c).to_cluster() == *c));
        let items: Vec<SingleSource> = (0..12)
            .map(|k| SingleSource {
                kind: if k % 2 == 0 { UnitKind::Quote } else { UnitKind::Claim },
                cluster: (k % 3 == 0).then(|| hostile(k)),
                member: m(k),
            })
            .collect();
        let mut w = SpoolWriter::new().unwrap();
        items.iter().try_for_each(|s| w.push(s)).unwrap();
        assert_eq!(replayed(&w.finish().unwrap()), items);
        assert!(items.iter().all(|s| single_view(s).to_single() == *s));
    }

    #[test]
    fn corrupt_records_are_errors() {
        let s = SingleSource { kind: UnitKind::Quote, cluster: Some("c_é".into()), member: member("a1", "€ x") };
        let mut rec = Vec::new();
        encode(|r| s.put(r), &mut rec, &mut Vec::new()).unwrap();
        let body = &rec[4..];
        assert_eq!(decode::<SingleSource>(body).unwrap(), s);
        // Cut short anywhere, one byte too many, or a string cut inside a character.
        for n in 0..body.len() {
            assert!(decode::<SingleSource>(&body[..n]).is_err(), "cut at {n}");
        }
        assert!(decode::<SingleSource>(&[body, &[0]].concat()).is_err());
        let text = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
        let mut bad = body.to_vec();
        // The cluster id's length (after the kind's 8 bytes) one byte short: "c_" and half "é".
        bad[4 + text + 8] -= 1;
        assert!(decode::<SingleSource>(&bad).is_err());
        let mut bad = body.to_vec();
        bad[4] = 0xff;
        assert!(decode::<SingleSource>(&bad).is_err(), "invalid UTF-8");
    }

    #[test]
    fn clusters_replay_with_every_field() {
        let c = Cluster {
            id: "c_9".into(),
            kind: UnitKind::Quote,
            text: "Next time, in Moscow.".into(),
            speaker: Some("e-putin".into()),
            speaker_name: None,
            articles: vec!["a1".into(), "a2".into()],
            outlets: vec!["bbc".into(), "cnn".into()],
            entities: vec![],
            members: vec![member("a1", "x"), member("a2", "y")],
        };
        let mut w = SpoolWriter::new().unwrap();
        w.push(&c).unwrap();
        w.push(&Cluster { members: vec![], ..c.clone() }).unwrap();
        let back = replayed(&w.finish().unwrap());
        assert_eq!(back[0], c);
        assert!(back[1].members.is_empty());
    }
}
