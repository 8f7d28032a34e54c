//! The corpus part's compact store of clustered units.
//!
//! What clustering reads stays in memory, packed: per unit a 48-byte row (article,
//! kind, source spans, word count, speaker) and its content words as interned `u32` ids
//! (with the number and name flags in the top two bits) in one flat arena. What only the
//! report reads (the unit's text, its sentence, its speaker's name) is written to a
//! temporary file as it arrives and read back unit by unit at the end. Document
//! frequencies are counted per id as units arrive (an associative merge), so IDF weights
//! need no second pass over the tokens. Units with the same packed tokens (syndicated
//! copies of a sentence) share one run of the arena.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufWriter, Write};

use concord_core::text::mix64;
use concord_core::{Span, UnitKind};

use crate::key::{self, Token, Weights};

/// Bits of a packed token that hold its vocabulary id.
pub(crate) const ID_MASK: u32 = (1 << 30) - 1;
pub(crate) const NUMBER_BIT: u32 = 1 << 30;
pub(crate) const NAME_BIT: u32 = 1 << 31;

/// Hashes a `u64` that is already a good hash (token hashes are FNV-1a of the stem) with
/// one mixing step, instead of SipHash.
#[derive(Default)]
pub(crate) struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix64(self.0 ^ b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = mix64(x);
    }
}

/// A byte range of an article's source in 32 bits a bound (an article's source is under
/// 4 GiB), half a [`Span`]'s size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One clustered unit, without its texts (48 bytes).
#[derive(Clone, Debug)]
pub(crate) struct Unit {
    /// Source span of the unit.
    pub src: Span32,
    /// Source span of its sentence(s).
    pub sentence_src: Span32,
    /// Its packed tokens: `tokens[tok.0..tok.1]`, sorted by id.
    pub tok: (u32, u32),
    /// Local entity indices it mentions: `entities[ent.0..ent.1]`.
    pub ent: (u32, u32),
    /// Index of its article in the clusterer.
    pub article: u32,
    /// Words of the unit (stop words included).
    pub words: u32,
    /// Local entity index of the speaker, or `u32::MAX`.
    pub speaker: u32,
    /// Sentence or quote.
    pub kind: UnitKind,
}

/// The texts of a unit, as written to the spill file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct UnitTexts {
    pub text: String,
    pub context: Option<String>,
    pub speaker_name: Option<String>,
}

/// Units, their tokens and entities, the vocabulary with document frequencies, and the
/// spilled texts.
pub(crate) struct Store {
    vocab: Vocab,
    /// Token runs already stored, by a hash of the run: a unit whose packed tokens equal
    /// an earlier unit's shares its run (syndicated copies repeat sentences by the
    /// thousand). Values: `(start, end)` in `tokens`.
    runs: HashMap<u64, (u32, u32), BuildHasherDefault<MixHasher>>,
    /// Per vocabulary id: `mix64` of the token hash (what MinHash functions read).
    pub mixed: Vec<u64>,
    /// The units, in arrival order.
    pub units: Vec<Unit>,
    /// Packed tokens of every unit.
    pub tokens: Vec<u32>,
    /// Local entity indices of every unit.
    pub entities: Vec<u32>,
    spill: Option<Spill>,
}

impl Store {
    /// An empty store (the spill file is created on the first unit).
    pub fn new() -> Store {
        Store {
            vocab: Vocab::default(),
            runs: HashMap::default(),
            mixed: Vec::new(),
            units: Vec::new(),
            tokens: Vec::new(),
            entities: Vec::new(),
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
        let t0 = self.tokens.len() as u32;
        self.vocab.touch(tokens.iter().map(|t| t.hash));
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
            self.tokens.push(packed);
        }
        self.tokens[t0 as usize..].sort_unstable_by_key(|p| p & ID_MASK);
        let mut tok = (t0, self.tokens.len() as u32);
        let run = &self.tokens[t0 as usize..];
        let h = run.iter().fold(0x5eed_u64, |h, &p| mix64(h ^ p as u64));
        match self.runs.get(&h) {
            Some(&(a, b)) if self.tokens[a as usize..b as usize] == *run => {
                self.tokens.truncate(t0 as usize);
                tok = (a, b);
            }
            Some(_) => {}
            None => {
                self.runs.insert(h, tok);
            }
        }
        let e0 = self.entities.len() as u32;
        self.entities.extend(entities.iter().map(|&e| e as u32));
        if let Some(spill) = self.spill.as_mut() {
            spill.write(texts)?;
        }
        self.units.push(Unit {
            src,
            sentence_src,
            tok,
            ent: (e0, self.entities.len() as u32),
            article,
            words,
            speaker: speaker.map_or(u32::MAX, |s| s as u32),
            kind,
        });
        Ok(())
    }

    /// The packed tokens of unit `u`.
    pub fn tokens_of(&self, u: usize) -> &[u32] {
        let (a, b) = self.units[u].tok;
        &self.tokens[a as usize..b as usize]
    }

    /// The local entity indices unit `u` mentions.
    pub fn entities_of(&self, u: usize) -> &[u32] {
        let (a, b) = self.units[u].ent;
        &self.entities[a as usize..b as usize]
    }

    /// The vocabulary id of a token hash, if any unit has it.
    pub fn id_of(&self, hash: u64) -> Option<u32> {
        self.vocab.get(hash)
    }

    /// Per vocabulary id: the clustered units containing it.
    pub fn df(&self) -> Vec<u32> {
        self.vocab.df()
    }

    /// The spilled texts, for reading back unit by unit; the store keeps no texts after
    /// this (a store without texts gives empty ones).
    pub fn take_texts(&mut self) -> io::Result<Texts> {
        match self.spill.replace(Spill::default()) {
            Some(spill) => spill.finish(self.units.len()),
            None => Ok(Texts { file: None, offsets: Vec::new() }),
        }
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
/// an anonymous temporary file; read back one unit at a time, in any order, once the
/// clusters are known.
#[derive(Default)]
struct Spill {
    file: Option<BufWriter<File>>,
    /// Start of each unit's record; one more entry than records (the end).
    offsets: Vec<u64>,
    buf: Vec<u8>,
}

impl Spill {
    fn write(&mut self, (text, context, speaker): (&str, Option<&str>, Option<&str>)) -> io::Result<()> {
        if self.file.is_none() {
            self.file = Some(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?));
            self.offsets.push(0);
        }
        self.buf.clear();
        let mut r = Record(&mut self.buf);
        r.str(Some(text))?;
        r.str(context)?;
        r.str(speaker)?;
        self.file.as_mut().expect("spill file is open").write_all(&self.buf)?;
        let end = self.offsets.last().copied().unwrap_or(0) + self.buf.len() as u64;
        self.offsets.push(end);
        Ok(())
    }

    fn finish(self, count: usize) -> io::Result<Texts> {
        let file = match self.file {
            Some(w) => Some(w.into_inner().map_err(|e| e.into_error())?),
            None => None,
        };
        debug_assert!(file.is_none() || self.offsets.len() == count + 1);
        Ok(Texts { file, offsets: self.offsets })
    }
}

/// The spilled texts of every unit, read one unit at a time (from any thread).
pub(crate) struct Texts {
    file: Option<File>,
    offsets: Vec<u64>,
}

impl Texts {
    /// A reader of units' texts (one per thread).
    pub fn reader(&self) -> TextReader<'_> {
        TextReader { texts: self, window: Vec::new(), at: 0, last: usize::MAX }
    }
}

/// Reads units' texts through a window of the file: units read in order a few apart (one
/// article's) cost one read of the file together; a unit far from the last one read is
/// read alone (cluster members are scattered over the file).
pub(crate) struct TextReader<'a> {
    texts: &'a Texts,
    window: Vec<u8>,
    /// File offset of `window[0]`.
    at: u64,
    /// The unit read last.
    last: usize,
}

/// Units ahead of the last one read that count as reading in order.
const NEAR: usize = 64;

/// Bytes read at once when a unit is outside the window.
const WINDOW: u64 = 1 << 15;

impl TextReader<'_> {
    /// The texts of unit `u` (empty ones for a store without texts).
    pub fn get(&mut self, u: usize) -> io::Result<UnitTexts> {
        let Some(file) = &self.texts.file else { return Ok(UnitTexts::default()) };
        let offsets = &self.texts.offsets;
        let (a, b) = (offsets[u], offsets[u + 1]);
        let in_order = u > self.last && u - self.last <= NEAR;
        self.last = u;
        if a < self.at || b > self.at + self.window.len() as u64 {
            let end = if in_order { offsets[offsets.len() - 1].min(a + WINDOW.max(b - a)) } else { b };
            self.window.resize((end - a) as usize, 0);
            read_exact_at(file, &mut self.window, a)?;
            self.at = a;
        }
        let mut r = Reader(&self.window[(a - self.at) as usize..(b - self.at) as usize]);
        Ok(UnitTexts { text: r.str()?.unwrap_or_default(), context: r.str()?, speaker_name: r.str()? })
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
}

/// Reads the fields [`Record`] wrote, in the same order.
pub(crate) struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "truncated record in a temporary file"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    /// Reads an optional string.
    pub fn str(&mut self) -> io::Result<Option<String>> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes"));
        if n == NONE {
            return Ok(None);
        }
        let bytes = self.take(n as usize)?.to_vec();
        String::from_utf8(bytes).map(Some).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Reads a number.
    pub fn num(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(s.entities_of(0), &[2]);
        assert_eq!(s.units[1].speaker, 1);
        assert_eq!(s.id_of(3), Some(1));
        let texts = s.take_texts().unwrap();
        let mut texts = texts.reader();
        assert_eq!(texts.get(1).unwrap().speaker_name.as_deref(), Some("Ann"), "any order");
        assert_eq!(texts.get(0).unwrap(), UnitTexts { text: "first é".into(), context: None, speaker_name: None });
        assert_eq!(
            texts.get(1).unwrap(),
            UnitTexts { text: String::new(), context: Some("ctx".into()), speaker_name: Some("Ann".into()) }
        );
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
    fn a_unit_row_is_48_bytes() {
        assert_eq!(std::mem::size_of::<Unit>(), 48);
    }

    #[test]
    fn a_repeated_token_set_is_stored_once() {
        let mut s = Store::without_texts();
        let t = |h: u64| Token { hash: h, flags: 0 };
        let span = Span::default();
        for set in [&[t(1), t(2)][..], &[t(2), t(1)], &[t(1)], &[t(1), t(2)]] {
            s.push(0, UnitKind::Claim, set, 2, span, span, None, &[], ("", None, None)).unwrap();
        }
        assert_eq!(s.tokens.len(), 3, "two runs: [1, 2] once and [1]");
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
