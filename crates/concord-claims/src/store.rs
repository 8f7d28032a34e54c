//! The corpus part's compact store of clustered units.
//!
//! What clustering reads stays in memory, packed: per unit a 20-byte row (article, kind,
//! source span, word count, token run) in fixed-size chunks that are never copied, and per
//! distinct token run its content words as interned `u32` ids (with the number and name
//! flags in the top two bits) in pages of one arena. Units with the same packed tokens
//! (syndicated copies of a sentence) share one run, found through a compact hash table of
//! run ids. What only the report reads (the unit's text, its sentence and the sentence's
//! span, its speaker, the entities it mentions) is written to a temporary file as it
//! arrives and read back unit by unit at the end; memory keeps 4 bytes a unit to find it.
//! Document frequencies are counted per id as units arrive (an associative merge), so IDF
//! weights need no second pass over the tokens.
//!
//! Article signatures (for copy detection) go to a temporary file of their own in the same
//! way ([`SignatureSpill`]): only the candidate pairs' signatures are read back.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use concord_core::chunks::Chunks;
use concord_core::table::IdTable;
use concord_core::text::mix64;
use concord_core::{Span, UnitKind};
use rayon::prelude::*;

use crate::key::{self, Token, Weights};

/// Bits of a packed token that hold its vocabulary id.
pub(crate) const ID_MASK: u32 = (1 << 30) - 1;
pub(crate) const NUMBER_BIT: u32 = 1 << 30;
pub(crate) const NAME_BIT: u32 = 1 << 31;

/// A byte range of an article's source in 32 bits a bound (an article's source is under
/// 4 GiB), half a [`Span`]'s size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span32 {
    pub start: u32,
    pub end: u32,
}

impl Span32 {
    fn of(s: Span) -> io::Result<Span32> {
        let n = |x: usize| u32::try_from(x).map_err(|_| io::Error::other("source offset over 4 GiB"));
        Ok(Span32 { start: n(s.start)?, end: n(s.end)? })
    }

    /// True when the two ranges share a byte.
    pub fn overlaps(self, o: Span32) -> bool {
        self.start < o.end && o.start < self.end
    }
}

/// Top bit of [`Unit::meta`]: the unit is a quote.
const QUOTE_BIT: u32 = 1 << 31;

/// One clustered unit as clustering reads it (20 bytes).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unit {
    /// Source span of the unit.
    pub src: Span32,
    /// Index of its article in the clusterer.
    pub article: u32,
    /// Its token run (shared by units with the same packed tokens).
    pub run: u32,
    /// Words of the unit (stop words included; 31 bits), plus [`QUOTE_BIT`].
    meta: u32,
}

impl Unit {
    /// Sentence or quote.
    pub fn kind(&self) -> UnitKind {
        if self.meta & QUOTE_BIT != 0 {
            UnitKind::Quote
        } else {
            UnitKind::Claim
        }
    }

    /// Words of the unit (stop words included), for the length-ratio veto of claims.
    pub fn words(&self) -> u32 {
        self.meta & !QUOTE_BIT
    }
}

/// What only the report reads of a unit, as written to the spill file (owned: what tests
/// compare; the corpus part reads [`TextsRef`]s).
#[cfg(test)]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct UnitTexts {
    pub text: String,
    pub context: Option<String>,
    pub speaker_name: Option<String>,
    /// Source span of its sentence(s).
    pub sentence_src: Span32,
    /// Local entity index of the speaker.
    pub speaker: Option<u32>,
    /// Local entity indices it mentions.
    pub entities: Vec<u32>,
}

/// Units, their token runs, the vocabulary with document frequencies, and the spilled
/// texts.
pub(crate) struct Store {
    vocab: Vocab,
    /// Distinct token runs, by content: a unit whose packed tokens equal an earlier unit's
    /// shares its run (syndicated copies repeat sentences by the thousand), so two units
    /// have the same run exactly when they have the same packed tokens.
    table: IdTable,
    /// The packed tokens of the unit being added.
    scratch: Vec<u32>,
    /// Per vocabulary id: `mix64` of the token hash (what MinHash functions read).
    pub mixed: Vec<u64>,
    /// The units, in arrival order.
    pub units: Chunks<Unit>,
    runs: Arena,
    spill: Option<Spill>,
}

impl Store {
    /// An empty store (the spill file is created on the first unit).
    pub fn new() -> Store {
        Store {
            vocab: Vocab::default(),
            table: IdTable::default(),
            scratch: Vec::new(),
            mixed: Vec::new(),
            units: Chunks::default(),
            runs: Arena::default(),
            spill: Some(Spill::default()),
        }
    }

    /// An empty store that drops the texts it is given (no file is written, so
    /// [`Store::push`] cannot fail).
    pub fn without_texts() -> Store {
        Store { spill: None, ..Store::new() }
    }

    /// Adds a unit of article `article`; its tokens must be a token set ([`key::token_set`]).
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        article: u32,
        kind: UnitKind,
        tokens: &[Token],
        words: u32,
        src: Span,
        sentence_src: Span,
        speaker: Option<usize>,
        entities: &[usize],
        texts: (&str, Option<&str>, Option<&str>),
    ) -> io::Result<()> {
        let (src, sentence_src) = (Span32::of(src)?, Span32::of(sentence_src)?);
        self.vocab.touch(tokens.iter().map(|t| t.hash));
        self.scratch.clear();
        for t in tokens {
            let (id, new) = self.vocab.count(t.hash);
            if new {
                self.mixed.push(mix64(t.hash));
            }
            let mut packed = id;
            if t.flags & key::NUMBER != 0 {
                packed |= NUMBER_BIT;
            }
            if t.flags & key::NAME != 0 {
                packed |= NAME_BIT;
            }
            self.scratch.push(packed);
        }
        self.scratch.sort_unstable_by_key(|p| p & ID_MASK);
        let h = self.scratch.iter().fold(0x5eed_u64, |h, &p| mix64(h ^ p as u64));
        let (runs, scratch) = (&self.runs, &self.scratch);
        let next = runs.len() as u32;
        let run = self.table.get_or_insert(h, next, |r| runs.get(r as usize) == scratch.as_slice());
        if run == next {
            self.runs.push(&self.scratch)?;
        }
        if let Some(spill) = self.spill.as_mut() {
            let speaker = speaker.map(|s| s as u32);
            spill.write(texts, sentence_src, speaker, entities)?;
        }
        let kind_bit = if kind == UnitKind::Quote { QUOTE_BIT } else { 0 };
        self.units.push(Unit { src, article, run, meta: words.min(!QUOTE_BIT) | kind_bit });
        Ok(())
    }

    /// The packed tokens of unit `u`, sorted by id.
    pub fn tokens_of(&self, u: usize) -> &[u32] {
        self.runs.get(self.units[u].run as usize)
    }

    /// Number of distinct token runs (one more than the largest [`Unit::run`]).
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// The vocabulary id of a token hash, if any unit has it.
    pub fn id_of(&self, hash: u64) -> Option<u32> {
        self.vocab.get(hash)
    }

    /// Per vocabulary id: the clustered units containing it.
    pub fn df(&self) -> Vec<u32> {
        self.vocab.df()
    }

    /// The spilled texts, for reading back unit by unit. The store takes no more units
    /// after this: it keeps no texts, and frees what only adding units needs.
    pub fn take_texts(&mut self) -> io::Result<Texts> {
        self.table = IdTable::default();
        self.scratch = Vec::new();
        match self.spill.replace(Spill::default()) {
            Some(spill) => spill.finish(self.units.len()),
            None => Ok(Texts::default()),
        }
    }
}

/// Runs of `u32` (token runs, article signatures) one after another in pages of
/// [`Arena::PAGE`] values (a longer run has a page of its own), which are never copied as
/// the arena grows; a run never straddles two pages.
#[derive(Default)]
pub(crate) struct Arena {
    pages: Vec<Vec<u32>>,
    /// Per run: its page (high 16 bits) and its start in the page (low 16 bits). A run ends
    /// where the next one starts when that one is on the same page, else at the page's end.
    starts: Chunks<u32>,
}

impl Arena {
    /// Tokens a page holds.
    const PAGE: usize = 1 << 16;

    /// Number of runs.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Run `r`.
    pub fn get(&self, r: usize) -> &[u32] {
        let s = self.starts[r];
        let page = &self.pages[(s >> 16) as usize];
        let end = match self.starts.get(r + 1) {
            Some(&n) if n >> 16 == s >> 16 => (n & 0xffff) as usize,
            _ => page.len(),
        };
        &page[(s & 0xffff) as usize..end]
    }

    /// Appends a run (an error past 2^32 values).
    pub fn push(&mut self, run: &[u32]) -> io::Result<()> {
        let fits = self.pages.last().is_some_and(|p| p.len() + run.len() <= Self::PAGE && p.len() < Self::PAGE);
        if !fits {
            if self.pages.len() == 1 << 16 {
                return Err(io::Error::other("over 2^32 values in one arena"));
            }
            self.pages.push(Vec::with_capacity(run.len().max(Self::PAGE)));
        }
        let page = self.pages.len() - 1;
        let last = &mut self.pages[page];
        self.starts.push((page as u32) << 16 | last.len() as u32);
        last.extend_from_slice(run);
        Ok(())
    }
}

/// The vocabulary: token hash to `(id, document frequency)`, ids in order of first
/// arrival. Open addressing with linear probing over one array of 16-byte slots, so that
/// finding a token and counting it touch one cache line (the vocabulary outgrows the
/// caches, and every content word of every unit is counted).
#[derive(Default)]
struct Vocab {
    /// A power of two long (or empty).
    slots: Vec<VocabSlot>,
    len: u32,
}

#[derive(Clone, Copy, Default)]
struct VocabSlot {
    hash: u64,
    /// The id plus one; 0: an empty slot.
    id1: u32,
    df: u32,
}

impl Vocab {
    /// The slot holding `hash`, or the empty one where it would go (`slots` not empty).
    #[inline]
    fn find(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = Self::home(hash) & mask;
        loop {
            let s = &self.slots[i];
            if s.id1 == 0 || s.hash == hash {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// Reads the first slot of each of `hashes`: independent loads, whose cache misses
    /// overlap, before the lookups that depend on them (the table outgrows the caches).
    #[inline]
    fn touch(&self, hashes: impl Iterator<Item = u64>) {
        if let Some(mask) = self.slots.len().checked_sub(1) {
            let seen = hashes.fold(0, |acc, h| acc | self.slots[Self::home(h) & mask].id1);
            std::hint::black_box(seen);
        }
    }

    /// Where the probe for `hash` starts (before masking to the table).
    #[inline]
    fn home(hash: u64) -> usize {
        // Fibonacci hashing: the top bits of the product, spread over the table.
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize
    }

    /// The id of `hash`, if it has one.
    fn get(&self, hash: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let s = &self.slots[self.find(hash)];
        (s.id1 != 0).then(|| s.id1 - 1)
    }

    /// Counts one more unit with `hash`: its id, and whether it is new (the next id).
    #[inline]
    fn count(&mut self, hash: u64) -> (u32, bool) {
        // At most 3/4 full, so that probe runs stay short.
        if (self.len as usize + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = self.find(hash);
        let s = &mut self.slots[i];
        let new = s.id1 == 0;
        if new {
            self.len += 1;
            *s = VocabSlot { hash, id1: self.len, df: 0 };
        }
        s.df += 1;
        (s.id1 - 1, new)
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1 << 10);
        let old = std::mem::replace(&mut self.slots, vec![VocabSlot::default(); size]);
        for s in old.into_iter().filter(|s| s.id1 != 0) {
            let i = self.find(s.hash);
            self.slots[i] = s;
        }
    }

    /// Per id: its document frequency.
    fn df(&self) -> Vec<u32> {
        let mut df = vec![0; self.len as usize];
        for s in self.slots.iter().filter(|s| s.id1 != 0) {
            df[s.id1 as usize - 1] = s.df;
        }
        df
    }
}

/// IDF weights per vocabulary id: `ln((n + 1) / (df + 1)) + 1` over `n` units, so that
/// words every outlet repeats (the protagonists' names) weigh less than the words that
/// make one claim differ from another.
pub(crate) fn idf_weights(df: &[u32], n: usize) -> Vec<f32> {
    df.iter().map(|&d| (((n as f64 + 1.0) / (d as f64 + 1.0)).ln() + 1.0) as f32).collect()
}

/// A packed unit as one side of the verification similarity.
pub(crate) struct Packed<'a> {
    pub tokens: &'a [u32],
    pub idf: &'a [f32],
    pub weights: &'a Weights,
}

impl key::TokenSide for Packed<'_> {
    fn len(&self) -> usize {
        self.tokens.len()
    }
    fn key(&self, i: usize) -> u64 {
        (self.tokens[i] & ID_MASK) as u64
    }
    fn flags(&self, i: usize) -> u8 {
        let p = self.tokens[i];
        ((p & NUMBER_BIT != 0) as u8 * key::NUMBER) | ((p & NAME_BIT != 0) as u8 * key::NAME)
    }
    fn weight(&self, i: usize) -> f64 {
        key::class_weight(self.flags(i), self.weights) * self.idf[(self.tokens[i] & ID_MASK) as usize] as f64
    }
}

/// Texts written as they arrive, one record a unit (see [`Record`]), in arrival order, in
/// an anonymous temporary file; read back in batches of units, in any order, once the
/// clusters are known.
#[derive(Default)]
struct Spill {
    records: RecordWriter,
    buf: Vec<u8>,
}

impl Spill {
    fn write(
        &mut self,
        (text, context, speaker_name): (&str, Option<&str>, Option<&str>),
        sentence_src: Span32,
        speaker: Option<u32>,
        entities: &[usize],
    ) -> io::Result<()> {
        self.buf.clear();
        let mut r = Record(&mut self.buf);
        r.str(Some(text))?;
        r.str(context)?;
        r.str(speaker_name)?;
        r.u32(sentence_src.start);
        r.u32(sentence_src.end);
        r.u32(speaker.unwrap_or(NONE));
        let n = u32::try_from(entities.len()).map_err(|_| io::Error::other("over 2^32 entities in a unit"))?;
        r.u32(n);
        for &e in entities {
            r.u32(u32::try_from(e).map_err(|_| io::Error::other("entity index over 2^32"))?);
        }
        self.records.push(&self.buf)
    }

    fn finish(self, count: usize) -> io::Result<Texts> {
        let records = self.records.finish()?;
        debug_assert!(records.file.is_none() || records.index.len() == count);
        Ok(Texts { records })
    }
}

/// Records of bytes written back to back to an anonymous temporary file (created with the
/// first non-empty record), and where each starts.
#[derive(Default)]
struct RecordWriter {
    file: Option<BufWriter<File>>,
    index: RecordIndex,
}

impl RecordWriter {
    /// Appends a record.
    fn push(&mut self, record: &[u8]) -> io::Result<()> {
        if !record.is_empty() {
            if self.file.is_none() {
                self.file = Some(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?));
            }
            self.file.as_mut().expect("the record file is open").write_all(record)?;
        }
        self.index.push(record.len())
    }

    /// The records written, for reading back.
    fn finish(self) -> io::Result<Records> {
        let file = match self.file {
            Some(w) => Some(w.into_inner().map_err(|e| e.into_error())?),
            None => None,
        };
        Ok(Records { file, index: self.index })
    }
}

/// Where each record of a file of records written back to back starts: its length (4
/// bytes a record), plus the start of every [`RecordIndex::GROUP`]-th record.
#[derive(Default)]
struct RecordIndex {
    lens: Chunks<u32>,
    /// Start of records `0, GROUP, 2 * GROUP, …`.
    bases: Vec<u64>,
    /// End of the last record.
    end: u64,
}

impl RecordIndex {
    /// Records a group holds (one base each).
    const GROUP: usize = 64;

    /// Appends a record of `len` bytes.
    fn push(&mut self, len: usize) -> io::Result<()> {
        let len32 = u32::try_from(len).map_err(|_| io::Error::other("a record over 4 GiB"))?;
        if self.lens.len() % Self::GROUP == 0 {
            self.bases.push(self.end);
        }
        self.lens.push(len32);
        self.end += len as u64;
        Ok(())
    }

    /// Number of records.
    fn len(&self) -> usize {
        self.lens.len()
    }

    /// The byte range of record `i`.
    fn range(&self, i: usize) -> (u64, u64) {
        let g = i / Self::GROUP;
        let start = self.bases[g] + (g * Self::GROUP..i).map(|k| self.lens[k] as u64).sum::<u64>();
        (start, start + self.lens[i] as u64)
    }

    /// The byte ranges of records `items` (ascending): a record of the group of the one
    /// before starts from that one's start, so that runs of near records cost a length each.
    fn ranges(&self, items: &[u32]) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(items.len());
        let mut last: Option<(usize, u64)> = None;
        for &i in items {
            let i = i as usize;
            let start = match last {
                Some((j, start)) if j <= i && j / Self::GROUP == i / Self::GROUP => {
                    start + (j..i).map(|k| self.lens[k] as u64).sum::<u64>()
                }
                _ => self.range(i).0,
            };
            out.push((start, start + self.lens[i] as u64));
            last = Some((i, start));
        }
        out
    }
}

/// The records of a [`RecordWriter`], read back in batches in file order (from any thread).
#[derive(Default)]
struct Records {
    /// None when no record has a byte.
    file: Option<File>,
    index: RecordIndex,
}

/// Wanted records at most this far apart are read together (one read costs about as much as
/// copying a few pages more).
const GAP: u64 = 1 << 12;

/// Bytes read at most at once when reading a batch (a larger record is read alone).
const SPAN: u64 = 1 << 18;

impl Records {
    /// Calls `each` with records `items` (ascending), in that order: the file is read in
    /// few large pieces, records less than [`GAP`] apart in one read of at most [`SPAN`]
    /// bytes (wanted records are scattered over the file: one read each would cost a
    /// system call each). Without a file (no record has a byte) nothing is called.
    fn read_sorted(&self, items: &[u32], mut each: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        debug_assert!(items.windows(2).all(|w| w[0] <= w[1]));
        let ranges = self.index.ranges(items);
        let mut buf = Vec::new();
        let mut k = 0;
        while k < ranges.len() {
            let (a, mut b) = ranges[k];
            let mut end = k + 1;
            while let Some(&(c, d)) = ranges.get(end) {
                if c > b + GAP || d - a > SPAN {
                    break;
                }
                b = b.max(d);
                end += 1;
            }
            // The buffer only grows (zeroing it for every read would cost a pass over it).
            let n = (b - a) as usize;
            if buf.len() < n {
                buf.resize(n, 0);
            }
            read_exact_at(file, &mut buf[..n], a)?;
            for &(c, d) in &ranges[k..end] {
                each(&buf[(c - a) as usize..(d - a) as usize])?;
            }
            k = end;
        }
        Ok(())
    }
}

/// The spilled texts of every unit, read back in batches of units in file order (from any
/// thread).
#[derive(Default)]
pub(crate) struct Texts {
    records: Records,
}

impl Texts {
    /// The records of `units` (ascending), read as [`Records::read_sorted`] reads
    /// (clusters' members are scattered over the file) and appended to `bytes`: the range
    /// of each in `bytes`, in order (see [`TextsRef::decode`]). A store without texts gives
    /// empty records (empty texts).
    pub fn read_records(&self, units: &[u32], bytes: &mut Vec<u8>) -> io::Result<Vec<(usize, usize)>> {
        if self.records.file.is_none() {
            return Ok(vec![(bytes.len(), bytes.len()); units.len()]);
        }
        let mut ranges = Vec::with_capacity(units.len());
        self.records.read_sorted(units, |r| {
            ranges.push((bytes.len(), bytes.len() + r.len()));
            bytes.extend_from_slice(r);
            Ok(())
        })?;
        Ok(ranges)
    }

    /// The texts of `units` (ascending) into `out` (as long), in that order.
    #[cfg(test)]
    pub fn read_sorted(&self, units: &[u32], out: &mut [UnitTexts]) -> io::Result<()> {
        assert_eq!(units.len(), out.len(), "one place per unit");
        let mut bytes = Vec::new();
        for (&(a, b), o) in self.read_records(units, &mut bytes)?.iter().zip(out) {
            *o = TextsRef::decode(&bytes[a..b])?.to_owned();
        }
        Ok(())
    }

    /// The texts of `units` copied to a new temporary file, record `k` of the copy being
    /// those of `units[k]`. `runs` cuts `units` into runs (the start of each, ascending from
    /// 0, then `units.len()`), each in ascending order: a run's texts, scattered over this
    /// file, are then read back together in one sequential read (see
    /// [`Texts::read_records`]). The copy reads this file in file order once, in large
    /// reads (one piece of it a thread), and writes each run's texts through a buffer of
    /// its own, at most [`STAGE_BUFFERS`] bytes of them at once.
    pub fn stage(&self, units: &[u32], runs: &[usize]) -> io::Result<Texts> {
        if self.records.file.is_none() || units.is_empty() {
            return Ok(Texts::default());
        }
        let lens = &self.records.index.lens;
        // The copy's index, and where each run starts in it.
        let mut index = RecordIndex::default();
        let mut run_starts = Vec::with_capacity(runs.len());
        for w in runs.windows(2) {
            run_starts.push(index.end);
            for &u in &units[w[0]..w[1]] {
                index.push(lens[u as usize] as usize)?;
            }
        }
        // Every record to copy, with its run, in file order.
        let mut by_unit: Vec<(u32, u32)> = Vec::with_capacity(units.len());
        for (r, w) in runs.windows(2).enumerate() {
            by_unit.extend(units[w[0]..w[1]].iter().map(|&u| (u, r as u32)));
        }
        // (Runs come in order: the radix sort of LSH columns applies.)
        let by_unit = crate::cluster::sort_by_key(by_unit);
        // One piece a thread; where each run's records of a piece start: a run's records are
        // in file order in the copy too, so those of a piece follow those of the ones before.
        let threads = rayon::current_num_threads();
        let piece = by_unit.len().div_ceil(threads).max(1);
        let mut starts: Vec<Vec<u64>> = Vec::with_capacity(threads);
        let mut at = run_starts.clone();
        for p in by_unit.chunks(piece) {
            starts.push(at.clone());
            for &(u, r) in p {
                at[r as usize] += lens[u as usize] as u64;
            }
        }
        let file = tempfile::tempfile()?;
        let cap = (STAGE_BUFFERS / (run_starts.len().max(1) * threads)).clamp(1 << 12, 1 << 18);
        by_unit.par_chunks(piece).zip(starts).try_for_each(|(piece, starts)| {
            // Per run: where its buffered bytes go, and the bytes.
            let mut bufs: Vec<(u64, Vec<u8>)> = starts.into_iter().map(|at| (at, Vec::new())).collect();
            let flush = |(at, buf): &mut (u64, Vec<u8>)| -> io::Result<()> {
                write_all_at(&file, buf, *at)?;
                *at += buf.len() as u64;
                buf.clear();
                Ok(())
            };
            // In parts, so that the ranges `read_sorted` computes stay small.
            for part in piece.chunks(1 << 16) {
                let sorted: Vec<u32> = part.iter().map(|p| p.0).collect();
                let mut runs = part.iter().map(|p| p.1 as usize);
                self.records.read_sorted(&sorted, |record| {
                    let buf = &mut bufs[runs.next().expect("a run a record")];
                    buf.1.extend_from_slice(record);
                    if buf.1.len() >= cap {
                        flush(buf)?;
                    }
                    Ok(())
                })?;
            }
            bufs.iter_mut().filter(|b| !b.1.is_empty()).try_for_each(flush)
        })?;
        Ok(Texts { records: Records { file: Some(file), index } })
    }
}

/// Bytes that [`Texts::stage`] keeps buffered at most (all threads together, unless each
/// run's buffer of at least 4 KiB needs more).
const STAGE_BUFFERS: usize = 1 << 22;

/// Article signatures written to an anonymous temporary file as they arrive, one record
/// each (little-endian values; an empty signature writes nothing), in arrival order, and
/// read back in batches once the candidate pairs are known: memory keeps 4 bytes an
/// article to find them (the file takes 256 bytes an article at 64 values).
#[derive(Default)]
pub(crate) struct SignatureSpill {
    records: RecordWriter,
    buf: Vec<u8>,
}

impl SignatureSpill {
    /// Appends the signature of the next article.
    pub fn push(&mut self, sig: &[u32]) -> io::Result<()> {
        self.buf.clear();
        for &v in sig {
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
        self.records.push(&self.buf)
    }

    /// The signatures written, for reading back.
    pub fn finish(self) -> io::Result<Signatures> {
        Ok(Signatures { records: self.records.finish()? })
    }
}

/// The spilled article signatures, read back in batches in file order (from any thread).
#[derive(Default)]
pub(crate) struct Signatures {
    records: Records,
}

impl Signatures {
    /// Values of signature `i` (0 when it is empty).
    pub fn len_of(&self, i: usize) -> usize {
        self.records.index.lens[i] as usize / 4
    }

    /// Cuts the file to `len` bytes, to test what a failed read gives.
    #[cfg(test)]
    pub fn truncate(&self, len: u64) -> io::Result<()> {
        self.records.file.as_ref().map_or(Ok(()), |f| f.set_len(len))
    }

    /// The values of signatures `items` (ascending), one after another, into `out` (exactly
    /// as long as they are together).
    pub fn read_sorted(&self, items: &[u32], out: &mut [u32]) -> io::Result<()> {
        let mut at = 0;
        self.records.read_sorted(items, |r| {
            let values = out.get_mut(at..at + r.len() / 4).ok_or_else(|| io::Error::other("signatures overflow"))?;
            for (v, b) in values.iter_mut().zip(r.chunks_exact(4)) {
                *v = u32::from_le_bytes(b.try_into().expect("4 bytes"));
            }
            at += values.len();
            Ok(())
        })?;
        if at != out.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "article signatures missing from a temporary file",
            ));
        }
        Ok(())
    }
}

/// What only the report reads of a unit, borrowed from its record's bytes (as
/// [`Spill::write`] wrote it): the strings are checked as UTF-8, not copied.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TextsRef<'a> {
    pub text: &'a str,
    pub context: Option<&'a str>,
    pub speaker_name: Option<&'a str>,
    /// Source span of its sentence(s).
    pub sentence_src: Span32,
    /// Local entity index of the speaker.
    pub speaker: Option<u32>,
    /// The local entity indices it mentions, as little-endian `u32`s.
    entities: &'a [u8],
}

impl<'a> TextsRef<'a> {
    /// The texts of a record (an empty record: empty texts, what a store without texts
    /// gives).
    pub fn decode(record: &'a [u8]) -> io::Result<TextsRef<'a>> {
        if record.is_empty() {
            return Ok(TextsRef::default());
        }
        let mut r = Reader(record);
        let (text, context, speaker_name) = (r.str_ref()?.unwrap_or_default(), r.str_ref()?, r.str_ref()?);
        let sentence_src = Span32 { start: r.u32()?, end: r.u32()? };
        let speaker = Some(r.u32()?).filter(|&s| s != NONE);
        let n = r.u32()? as usize;
        let entities = r.take(n.checked_mul(4).ok_or_else(|| io::Error::other("entity count overflows"))?)?;
        Ok(TextsRef { text, context, speaker_name, sentence_src, speaker, entities })
    }

    /// The local entity indices it mentions.
    pub fn entities(&self) -> impl Iterator<Item = u32> + 'a {
        self.entities.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    /// The texts, owned.
    #[cfg(test)]
    pub fn to_owned(self) -> UnitTexts {
        UnitTexts {
            text: self.text.to_string(),
            context: self.context.map(str::to_string),
            speaker_name: self.speaker_name.map(str::to_string),
            sentence_src: self.sentence_src,
            speaker: self.speaker,
            entities: self.entities().collect(),
        }
    }
}

/// Writes all of `buf` into `file` at offset `at` (without moving its shared cursor, so that
/// several threads can write one file at once).
fn write_all_at(file: &File, buf: &[u8], at: u64) -> io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::write_all_at(file, buf, at);
    #[cfg(windows)]
    {
        let (mut buf, mut at) = (buf, at);
        while !buf.is_empty() {
            let n = std::os::windows::fs::FileExt::seek_write(file, buf, at)?;
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero));
            }
            (buf, at) = (&buf[n..], at + n as u64);
        }
        Ok(())
    }
}

/// Reads `buf.len()` bytes of `file` from offset `at`.
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    io::Read::read_exact(&mut At { file, pos: at }, buf)
}

/// Reads a file from a position without moving its shared cursor, so that several threads
/// (and replays) can read one temporary file at once.
pub(crate) struct At<'a> {
    pub file: &'a File,
    pub pos: u64,
}

impl io::Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

const NONE: u32 = u32::MAX;

/// Writes the fields of one temporary-file record: strings length-prefixed (`u32`, little
/// endian, `u32::MAX` for none), numbers as little-endian `u64`.
pub(crate) struct Record<'a>(pub &'a mut Vec<u8>);

impl Record<'_> {
    /// Appends an optional string.
    pub fn str(&mut self, s: Option<&str>) -> io::Result<()> {
        match s {
            Some(s) => {
                let n = u32::try_from(s.len())
                    .ok()
                    .filter(|&n| n != NONE)
                    .ok_or_else(|| io::Error::other("text over 4 GiB"))?;
                self.0.extend_from_slice(&n.to_le_bytes());
                self.0.extend_from_slice(s.as_bytes());
            }
            None => self.0.extend_from_slice(&NONE.to_le_bytes()),
        }
        Ok(())
    }

    /// Appends a number.
    pub fn num(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    /// Appends a 32-bit number.
    pub fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
}

/// Reads the fields [`Record`] wrote, in the same order.
pub(crate) struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "truncated record in a temporary file"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    /// Reads an optional string, borrowed.
    pub fn str_ref(&mut self) -> io::Result<Option<&'a str>> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        if n == NONE {
            return Ok(None);
        }
        let bytes = self.take(n as usize)?;
        std::str::from_utf8(bytes).map(Some).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Reads a number.
    pub fn num(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    /// Reads a 32-bit number.
    pub fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of unit `u` alone.
    fn one(texts: &Texts, u: usize) -> UnitTexts {
        let mut t = vec![UnitTexts::default()];
        texts.read_sorted(&[u as u32], &mut t).unwrap();
        t.pop().unwrap()
    }

    #[test]
    fn units_pack_tokens_and_read_their_texts_back() {
        let mut s = Store::new();
        let t = |h: u64, flags: u8| Token { hash: h, flags };
        let (a, b) = (Span::new(0, 5), Span::new(0, 9));
        s.push(0, UnitKind::Claim, &[t(9, key::NAME), t(3, 0)], 5, a, b, None, &[2], ("first é", None, None)).unwrap();
        s.push(1, UnitKind::Quote, &[t(3, key::NUMBER)], 4, a, b, Some(1), &[], ("", Some("ctx"), Some("Ann")))
            .unwrap();
        assert_eq!(s.mixed.len(), 2);
        assert_eq!(s.df(), vec![1, 2]);
        // Sorted by id: hash 9 got id 0, hash 3 id 1; flags survive packing.
        assert_eq!(s.tokens_of(0), &[NAME_BIT, 1]);
        assert_eq!(s.tokens_of(1), &[1 | NUMBER_BIT]);
        assert_eq!((s.units[0].kind(), s.units[0].words()), (UnitKind::Claim, 5));
        assert_eq!((s.units[1].kind(), s.units[1].words(), s.units[1].article), (UnitKind::Quote, 4, 1));
        assert_eq!(s.id_of(3), Some(1));
        let texts = s.take_texts().unwrap();
        let second = UnitTexts {
            text: String::new(),
            context: Some("ctx".into()),
            speaker_name: Some("Ann".into()),
            sentence_src: Span32 { start: 0, end: 9 },
            speaker: Some(1),
            entities: Vec::new(),
        };
        assert_eq!(one(&texts, 1), second, "any order");
        let first = UnitTexts { text: "first é".into(), speaker: None, entities: vec![2], ..second.clone() };
        assert_eq!(one(&texts, 0), UnitTexts { context: None, speaker_name: None, ..first });
        assert_eq!(one(&texts, 1), second);
    }

    #[test]
    fn texts_of_many_units_read_back_in_and_out_of_order() {
        let mut s = Store::new();
        let span = Span::new(3, 7);
        let text = |u: usize| "word ".repeat(u % 300);
        let n = 3 * RecordIndex::GROUP + 5;
        for u in 0..n {
            let ents: Vec<usize> = (0..u % 4).collect();
            s.push(u as u32, UnitKind::Claim, &[], 1, span, span, None, &ents, (&text(u), None, None)).unwrap();
        }
        let texts = s.take_texts().unwrap();
        for u in (0..n).chain((0..n).rev()).chain((0..n).step_by(37)) {
            let t = one(&texts, u);
            assert_eq!((t.text, t.entities.len(), t.sentence_src), (text(u), u % 4, Span32 { start: 3, end: 7 }));
        }
    }

    /// A store of `n` units with hostile texts (empty, multi-byte and control characters, the
    /// `NONE` length's bytes, records longer than a read's span and than the gap between
    /// wanted records), and the texts pushed.
    fn hostile(n: usize) -> (Store, Vec<UnitTexts>) {
        let mut s = Store::new();
        let mut pushed = Vec::new();
        let text = |u: usize| match u % 7 {
            0 => String::new(),
            1 => "é€𝄞\u{0}\u{ffff}".repeat(u % 50),
            2 => "\u{ff}\u{ff}\u{ff}\u{ff}".to_string(),
            3 if u % 3 == 0 => "x".repeat(SPAN as usize + 17),
            4 => "y".repeat(GAP as usize * 2 + u),
            _ => format!("unit {u} said \"{}\"", "z".repeat(u % 97)),
        };
        for u in 0..n {
            let span = Span::new(u, u + 3);
            let ents: Vec<usize> = (0..u % 5).map(|e| e * 31).collect();
            let ctx = (u % 2 == 0).then(|| text(u + 1));
            let speaker = (u % 3 == 0).then_some(u % 4);
            let name = (u % 5 == 1).then_some("Ann «B»");
            s.push(u as u32, UnitKind::Quote, &[], 1, span, span, speaker, &ents, (&text(u), ctx.as_deref(), name))
                .unwrap();
            pushed.push(UnitTexts {
                text: text(u),
                context: ctx,
                speaker_name: name.map(str::to_string),
                sentence_src: Span32 { start: u as u32, end: u as u32 + 3 },
                speaker: speaker.map(|x| x as u32),
                entities: ents.iter().map(|&e| e as u32).collect(),
            });
        }
        (s, pushed)
    }

    #[test]
    fn batched_reads_give_what_unit_at_a_time_reads_give() {
        let n = 5 * RecordIndex::GROUP + 11;
        let (mut s, pushed) = hostile(n);
        let texts = s.take_texts().unwrap();
        let subsets: Vec<Vec<u32>> = vec![
            (0..n as u32).collect(),
            (0..n as u32).step_by(3).collect(),
            (0..n as u32).filter(|&u| mix64(u as u64) % 5 == 0).collect(),
            vec![n as u32 - 1],
            Vec::new(),
        ];
        for units in subsets {
            let mut got = vec![UnitTexts::default(); units.len()];
            texts.read_sorted(&units, &mut got).unwrap();
            for (&u, t) in units.iter().zip(&got) {
                assert_eq!(*t, one(&texts, u as usize), "unit {u}");
                assert_eq!(*t, pushed[u as usize], "unit {u} as pushed");
            }
        }
        let mut none = vec![UnitTexts::default(); 2];
        Texts::default().read_sorted(&[0, 1], &mut none).unwrap();
        assert_eq!(none, vec![UnitTexts::default(); 2], "a store without texts gives empty ones");
    }

    #[test]
    fn ranges_of_sorted_records_are_their_ranges() {
        let mut index = RecordIndex::default();
        for i in 0..5 * RecordIndex::GROUP as u64 {
            index.push((mix64(i) % 300) as usize).unwrap();
        }
        let n = index.len() as u32;
        for items in [(0..n).collect(), (0..n).step_by(7).collect(), vec![3, 3, 64, 65, 200], vec![n - 1], vec![]] {
            let each: Vec<(u64, u64)> = items.iter().map(|&i| index.range(i as usize)).collect();
            assert_eq!(index.ranges(&items), each, "{items:?}");
        }
    }

    #[test]
    fn staged_texts_are_the_runs_texts_in_order() {
        let n = 7 * RecordIndex::GROUP + 3;
        let (mut s, pushed) = hostile(n);
        let texts = s.take_texts().unwrap();
        // Runs of scattered units, each ascending: every third unit, a unit twice in
        // different runs, a run of one, an empty run, the rest in runs of 50.
        let mut runs: Vec<Vec<u32>> = vec![(0..n as u32).step_by(3).collect(), vec![4], vec![], vec![4, 5, 6]];
        let rest: Vec<u32> = (0..n as u32).filter(|u| u % 3 != 0 && !(4..=6).contains(u)).collect();
        runs.extend(rest.chunks(50).map(|c| c.to_vec()));
        let units: Vec<u32> = runs.concat();
        let mut cuts = vec![0];
        for r in &runs {
            cuts.push(cuts[cuts.len() - 1] + r.len());
        }
        let staged = texts.stage(&units, &cuts).unwrap();
        let mut first = 0u32;
        for run in &runs {
            let records: Vec<u32> = (first..first + run.len() as u32).collect();
            let mut got = vec![UnitTexts::default(); run.len()];
            staged.read_sorted(&records, &mut got).unwrap();
            for (&u, t) in run.iter().zip(&got) {
                assert_eq!(*t, pushed[u as usize], "unit {u}");
            }
            first += run.len() as u32;
        }
        assert_eq!(first as usize, staged.records.index.len());
        let none = Texts::default().stage(&[0, 1], &[0, 2]).unwrap();
        assert_eq!(none.records.index.len(), 0, "a store without texts stages none");
    }

    #[test]
    fn signatures_read_back_in_batches_as_pushed() {
        let mut spill = SignatureSpill::default();
        // Empty ones (articles without words), the usual length, others, values with every byte.
        let sig = |i: usize| -> Vec<u32> {
            match i % 5 {
                0 => Vec::new(),
                1 => vec![u32::MAX, 0, 0x0102_0304],
                _ => (0..64).map(|k| (mix64((i * 64 + k) as u64) >> 32) as u32).collect(),
            }
        };
        let n = 3 * RecordIndex::GROUP + 7;
        for i in 0..n {
            spill.push(&sig(i)).unwrap();
        }
        let sigs = spill.finish().unwrap();
        for items in [(0..n as u32).collect::<Vec<_>>(), (0..n as u32).step_by(7).collect(), vec![n as u32 - 1], vec![]]
        {
            let want: Vec<u32> = items.iter().flat_map(|&i| sig(i as usize)).collect();
            assert_eq!(items.iter().map(|&i| sigs.len_of(i as usize)).sum::<usize>(), want.len());
            let mut got = vec![0; want.len()];
            sigs.read_sorted(&items, &mut got).unwrap();
            assert_eq!(got, want, "{} signatures", items.len());
        }
        // A place too short or too long is an error, not a panic.
        assert!(sigs.read_sorted(&[2], &mut [0; 63]).is_err());
        assert!(sigs.read_sorted(&[2], &mut [0; 65]).is_err());
        // So is a file cut short.
        sigs.truncate(100).unwrap();
        let err = sigs.read_sorted(&[2, 3], &mut [0; 128]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let none = SignatureSpill::default();
        assert!(none.finish().unwrap().read_sorted(&[], &mut []).is_ok());
    }

    #[test]
    fn vocabulary_ids_come_in_arrival_order_with_their_counts() {
        let mut v = Vocab::default();
        assert_eq!(v.get(5), None);
        // Enough words to grow the table several times; hashes that share low and high bits.
        let hash = |k: u64| if k % 3 == 0 { k << 40 } else { mix64(k) };
        for round in 0..3u64 {
            for k in 0..5000u64 {
                if k % (round + 1) == 0 {
                    assert_eq!(v.count(hash(k)), (k as u32, round == 0));
                }
            }
        }
        assert_eq!(v.get(hash(4999)), Some(4999));
        assert_eq!(v.get(hash(5000)), None);
        let df = v.df();
        assert_eq!(df.len(), 5000);
        assert_eq!((df[0], df[1], df[2], df[3], df[5]), (3, 1, 2, 2, 1));
    }

    #[test]
    fn a_unit_row_is_20_bytes() {
        assert_eq!(std::mem::size_of::<Unit>(), 20);
    }

    #[test]
    fn arena_runs_never_straddle_pages() {
        let mut a = Arena::default();
        let runs: Vec<Vec<u32>> = (0..40u32)
            .map(|k| match k {
                7 => (0..Arena::PAGE as u32 + 3).collect(),
                8 | 9 => Vec::new(),
                _ => (0..(mix64(k as u64) % 9000) as u32).map(|i| i ^ k).collect(),
            })
            .collect();
        for r in &runs {
            a.push(r).unwrap();
        }
        assert_eq!(a.len(), runs.len());
        for (k, r) in runs.iter().enumerate() {
            assert_eq!(a.get(k), r.as_slice(), "run {k}");
        }
        assert!(a.pages.iter().all(|page| page.len() <= Arena::PAGE || page.len() == runs[7].len()));
    }

    #[test]
    fn a_repeated_token_set_is_stored_once() {
        let mut s = Store::without_texts();
        let t = |h: u64| Token { hash: h, flags: 0 };
        let span = Span::default();
        for set in [&[t(1), t(2)][..], &[t(2), t(1)], &[t(1)], &[t(1), t(2)]] {
            s.push(0, UnitKind::Claim, set, 2, span, span, None, &[], ("", None, None)).unwrap();
        }
        assert_eq!(s.runs.len(), 2, "two runs: [1, 2] once and [1]");
        assert_eq!(s.tokens_of(0), s.tokens_of(3));
        assert_eq!(s.tokens_of(1), s.tokens_of(0), "the same set in another order is the same run");
        assert_eq!(s.tokens_of(2).len(), 1);
        assert_eq!(s.df(), vec![4, 3], "document frequencies still count every unit");
    }

    #[test]
    fn packed_side_gives_the_token_set_similarity() {
        let w = Weights {
            name: 1.5,
            number: 2.0,
            number_veto: true,
            name_veto: 2,
            negation_veto: true,
            extra_number_veto: 0,
            balance: 0.0,
        };
        let sents =
            ["Yucaipa sold the chain to Safeway in 1998.", "Yucaipa sold its chain to Safeway in 1998, he said."];
        let sets: Vec<Vec<Token>> = sents.iter().map(|s| key::token_set(&key::content_tokens(s, &[], true))).collect();
        let mut s = Store::without_texts();
        for set in &sets {
            s.push(0, UnitKind::Claim, set, 8, Span::default(), Span::default(), None, &[], ("", None, None)).unwrap();
        }
        let ones = vec![1.0f32; s.mixed.len()];
        let side = |u: usize| Packed { tokens: s.tokens_of(u), idf: &ones, weights: &w };
        let not = s.id_of(concord_core::text::fnv1a64(b"not")).map_or(u64::MAX, u64::from);
        let packed = key::similarity_of(&side(0), &side(1), &w, not);
        assert!((packed - key::similarity(&sets[0], &sets[1], &w)).abs() < 1e-9);
        assert!(packed > 0.5);
    }
}
