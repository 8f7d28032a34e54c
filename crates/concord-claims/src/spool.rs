//! Single-source items and clusters beyond what the corpus keeps in memory: records in an
//! anonymous temporary file, written in report order and replayed in that order
//! ([`concord_core::Spooled`]).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::marker::PhantomData;

use concord_core::{Cluster, Member, SingleSource, Spooled, UnitKind};

use crate::store::{At, Reader, Record};

/// A value kept as a temporary-file record.
pub(crate) trait Recorded: Sized {
    /// Appends the value's fields.
    fn put(&self, r: &mut Record<'_>) -> io::Result<()>;
    /// Reads them back, in the same order.
    fn get(r: &mut Reader<'_>) -> io::Result<Self>;
}

/// Appends the record of `x` (its length first) to `out`.
pub(crate) fn encode<T: Recorded>(x: &T, out: &mut Vec<u8>) -> io::Result<()> {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    x.put(&mut Record(out))?;
    let len = u32::try_from(out.len() - at - 4).map_err(|_| io::Error::other("record over 4 GiB"))?;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

fn put_kind(r: &mut Record<'_>, kind: UnitKind) {
    r.num(match kind {
        UnitKind::Claim => 0,
        UnitKind::Quote => 1,
    });
}

fn get_kind(r: &mut Reader<'_>) -> io::Result<UnitKind> {
    Ok(if r.num()? == 1 { UnitKind::Quote } else { UnitKind::Claim })
}

fn put_strs(r: &mut Record<'_>, v: &[String]) -> io::Result<()> {
    r.num(v.len() as u64);
    v.iter().try_for_each(|s| r.str(Some(s)))
}

fn get_strs(r: &mut Reader<'_>) -> io::Result<Vec<String>> {
    let n = r.num()? as usize;
    (0..n).map(|_| Ok(r.str()?.unwrap_or_default())).collect()
}

impl Recorded for Member {
    fn put(&self, r: &mut Record<'_>) -> io::Result<()> {
        r.str(Some(&self.article))?;
        r.str(Some(&self.outlet))?;
        for x in [self.start, self.end, self.sentence_start, self.sentence_end] {
            r.num(x as u64);
        }
        r.str(Some(&self.text))?;
        r.str(self.speaker.as_deref())?;
        r.str(self.context.as_deref())
    }

    fn get(r: &mut Reader<'_>) -> io::Result<Member> {
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

impl Recorded for SingleSource {
    fn put(&self, r: &mut Record<'_>) -> io::Result<()> {
        put_kind(r, self.kind);
        r.str(self.cluster.as_deref())?;
        self.member.put(r)
    }

    fn get(r: &mut Reader<'_>) -> io::Result<SingleSource> {
        Ok(SingleSource { kind: get_kind(r)?, cluster: r.str()?, member: Member::get(r)? })
    }
}

impl Recorded for Cluster {
    fn put(&self, r: &mut Record<'_>) -> io::Result<()> {
        r.str(Some(&self.id))?;
        put_kind(r, self.kind);
        r.str(Some(&self.text))?;
        r.str(self.speaker.as_deref())?;
        r.str(self.speaker_name.as_deref())?;
        put_strs(r, &self.articles)?;
        put_strs(r, &self.outlets)?;
        put_strs(r, &self.entities)?;
        r.num(self.members.len() as u64);
        self.members.iter().try_for_each(|m| m.put(r))
    }

    fn get(r: &mut Reader<'_>) -> io::Result<Cluster> {
        let id = r.str()?.unwrap_or_default();
        let kind = get_kind(r)?;
        let text = r.str()?.unwrap_or_default();
        let (speaker, speaker_name) = (r.str()?, r.str()?);
        let (articles, outlets, entities) = (get_strs(r)?, get_strs(r)?, get_strs(r)?);
        let n = r.num()? as usize;
        let members = (0..n).map(|_| Member::get(r)).collect::<io::Result<_>>()?;
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

    /// Appends one value.
    #[cfg(test)]
    pub fn push(&mut self, x: &T) -> io::Result<()> {
        let mut buf = Vec::new();
        encode(x, &mut buf)?;
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
            let mut len = [0u8; 4];
            r.read_exact(&mut len)?;
            buf.resize(u32::from_le_bytes(len) as usize, 0);
            r.read_exact(&mut buf)?;
            f(T::get(&mut Reader(&buf))?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
