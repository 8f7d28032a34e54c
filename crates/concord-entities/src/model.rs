//! A small averaged-perceptron sequence tagger (greedy, BIO labels, hashed features).
//!
//! Trained by [`train`] on CoNLL-2003 `train.txt`; the trained weights ship as
//! `model/ner.bin.gz` (regenerate with
//! `cargo run --release -p concord-entities --example train -- <train.txt> crates/concord-entities/model/ner.bin.gz <valid.txt> 8`).

use std::io::{Read, Write};

use concord_core::text::{fnv1a64, mix64};
use concord_core::EntityKind;

use crate::tokens::{case_of, lower_hash, shape_class, word_facts, Case, WordFacts};

/// The labels: `O`, then `B-`/`I-` for PER, ORG, LOC, MISC.
pub const LABELS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];
const NL: usize = LABELS.len();
const MAGIC: &[u8; 6] = b"CNER1\n";

/// Label index of `B-` (`inside = false`) or `I-` of a kind.
pub fn label_of(kind: EntityKind, inside: bool) -> usize {
    let k = match kind {
        EntityKind::Person => 0,
        EntityKind::Org => 1,
        EntityKind::Loc => 2,
        EntityKind::Misc => 3,
    };
    1 + 2 * k + usize::from(inside)
}

/// Kind of a non-`O` label.
pub fn kind_of(label: usize) -> Option<EntityKind> {
    match label {
        1 | 2 => Some(EntityKind::Person),
        3 | 4 => Some(EntityKind::Org),
        5 | 6 => Some(EntityKind::Loc),
        7 | 8 => Some(EntityKind::Misc),
        _ => None,
    }
}

/// Parses a CoNLL label (`B-PER`, `I-LOC`, `O`; IOB1 `I-` handled by the caller).
pub fn parse_label(s: &str) -> Option<usize> {
    LABELS.iter().position(|l| *l == s)
}

/// Document-level evidence about words (capitalisation habits), shared by all sentences.
/// Words are kept as 64-bit hashes in flat sets (membership only; nothing is iterated).
#[derive(Debug, Default)]
pub struct DocWords {
    lower: HashSet64,
    cap_mid: HashSet64,
}

/// A set of 64-bit hashes: open addressing with linear probing in a power-of-two table
/// (0 marks an empty slot, so the hash 0 is kept aside).
#[derive(Debug, Default)]
struct HashSet64 {
    slots: Vec<u64>,
    len: usize,
    zero: bool,
    /// The slots in use (so that [`HashSet64::clear`] costs what was inserted, not the table).
    filled: Vec<u32>,
}

impl HashSet64 {
    /// An empty set with room for `n` hashes before it grows.
    #[cfg(test)]
    fn with_room(n: usize) -> HashSet64 {
        HashSet64 { slots: vec![0; Self::room(n)], len: 0, zero: false, filled: Vec::new() }
    }

    /// The table size [`HashSet64::with_room`] gives for `n` hashes.
    fn room(n: usize) -> usize {
        (2 * n + 2).next_power_of_two().max(256)
    }

    /// Empties the set, keeping its table (grown to room for `n` hashes when smaller).
    fn clear(&mut self, n: usize) {
        if self.filled.len() * 8 < self.slots.len() {
            for &i in &self.filled {
                self.slots[i as usize] = 0;
            }
        } else {
            self.slots.fill(0);
        }
        if self.slots.len() < Self::room(n) {
            self.slots = vec![0; Self::room(n)];
        }
        self.filled.clear();
        self.len = 0;
        self.zero = false;
    }

    fn slot(h: u64, mask: usize) -> usize {
        (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
    }

    #[inline]
    fn insert(&mut self, h: u64) {
        if h == 0 {
            self.zero = true;
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::slot(h, mask);
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = h;
                    self.len += 1;
                    self.filled.push(i as u32);
                    return;
                }
                x if x == h => return,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Doubles the table (at least 256 slots), inserting what it held again.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(256);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        self.len = 0;
        self.filled.clear();
        for x in old.into_iter().filter(|&x| x != 0) {
            self.insert(x);
        }
    }

    #[inline]
    fn contains(&self, h: u64) -> bool {
        if h == 0 {
            return self.zero;
        }
        if self.slots.is_empty() {
            return false;
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::slot(h, mask);
        loop {
            match self.slots[i] {
                0 => return false,
                x if x == h => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }
}

impl DocWords {
    /// Empties the sets for a document of `words` words, keeping their tables.
    pub(crate) fn reset(&mut self, words: usize) {
        self.lower.clear(words);
        self.cap_mid.clear(words / 4);
    }

    /// Collects evidence from sentences given as word lists.
    pub fn add_sentence(&mut self, words: &[&str]) {
        self.add_sentence_with(words, mostly_upper(words));
    }

    /// [`DocWords::add_sentence`] when [`mostly_upper`] is already known.
    pub fn add_sentence_with(&mut self, words: &[&str], caps: bool) {
        let facts: Vec<WordFacts> = words.iter().map(|w| word_facts(w)).collect();
        self.add_words(words, &facts, caps);
    }

    /// [`DocWords::add_sentence_with`] when the [`WordFacts`] of each word are already known.
    pub(crate) fn add_words(&mut self, words: &[&str], facts: &[WordFacts], caps: bool) {
        for (i, f) in facts.iter().enumerate() {
            match f.case {
                Case::Lower => self.lower.insert(f.lower),
                Case::Title | Case::Upper if i > 0 && !caps && !is_opening(words[i - 1]) => {
                    self.cap_mid.insert(f.exact)
                }
                _ => {}
            }
        }
    }

    /// True when the article writes the word of [`lower_hash`] `h` in lower case somewhere.
    pub(crate) fn has_lower_hash(&self, h: u64) -> bool {
        self.lower.contains(h)
    }

    /// True when the article writes the word of [`fnv1a64`] `h` (as is) capitalised away
    /// from a sentence start.
    pub(crate) fn has_cap_mid_hash(&self, h: u64) -> bool {
        self.cap_mid.contains(h)
    }

    /// True when the article writes `w` in lower case somewhere.
    pub fn seen_lower(&self, w: &str) -> bool {
        self.has_lower_hash(lower_hash(w))
    }

    /// True when the article writes `w` (as is) capitalised away from a sentence start.
    pub fn seen_cap_mid(&self, w: &str) -> bool {
        self.has_cap_mid_hash(fnv1a64(w.as_bytes()))
    }
}

fn is_opening(w: &str) -> bool {
    // every opening is one character; the multi-byte ones start with 0xE2
    let quick = match w.as_bytes() {
        [b] => matches!(b, b'"' | b'\'' | b'(' | b'[' | b'-' | b':' | b'*'),
        [0xE2, _, _] => true,
        _ => false,
    };
    quick && matches!(w, "\"" | "“" | "'" | "‘" | "(" | "[" | "-" | "–" | "—" | ":" | "*" | "•")
}

/// True when most letters of the sentence are upper-case (a wire headline).
pub fn mostly_upper(words: &[&str]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    for w in words {
        if w.is_ascii() {
            for b in w.bytes() {
                up += usize::from(b.is_ascii_uppercase());
                low += usize::from(b.is_ascii_lowercase());
            }
            continue;
        }
        for c in w.chars() {
            if c.is_uppercase() {
                up += 1;
            } else if c.is_lowercase() {
                low += 1;
            }
        }
    }
    up > 3 && up > 2 * low
}

/// [`mostly_upper`] of the words of a sentence, counted on its text: tokens hold every
/// non-space character of it and spaces are neither upper- nor lower-case, so the counts agree.
pub(crate) fn mostly_upper_text(s: &str) -> bool {
    if s.is_ascii() {
        return mostly_upper_ascii(s.as_bytes());
    }
    let (mut up, mut low) = (0usize, 0usize);
    for c in s.chars() {
        if c.is_uppercase() {
            up += 1;
        } else if c.is_lowercase() {
            low += 1;
        }
    }
    up > 3 && up > 2 * low
}

/// [`mostly_upper_text`] of an ASCII sentence.
pub(crate) fn mostly_upper_ascii(s: &[u8]) -> bool {
    let (mut up, mut low) = (0usize, 0usize);
    // two simple counting passes (vectorised) beat one branchy pass
    for chunk in s.chunks(255) {
        let (u, l) = chunk
            .iter()
            .fold((0u8, 0u8), |(u, l), b| (u + u8::from(b.is_ascii_uppercase()), l + u8::from(b.is_ascii_lowercase())));
        up += usize::from(u);
        low += usize::from(l);
    }
    up > 3 && up > 2 * low
}

/// One sentence to tag: its words and, per word, the gazetteer tag (0 = none, else
/// `1 + label_of(kind, inside)`).
pub struct SentenceInput<'a> {
    /// The words.
    pub words: Vec<&'a str>,
    /// Gazetteer tag per word.
    pub gaz: Vec<u8>,
}

/// A sentence to tag, borrowed: words, their facts, gazetteer tags and whether the sentence
/// is [`mostly_upper`].
pub(crate) struct Window<'a, 'w> {
    pub words: &'a [&'w str],
    pub facts: &'a [WordFacts],
    pub gaz: &'a [u8],
    pub caps: bool,
}

/// Reusable buffers of [`Model::predict_into`].
#[derive(Default)]
pub(crate) struct Scratch {
    /// Per word: its shape hash, once `done`.
    shapes: Vec<u64>,
    done: Vec<bool>,
    words: WordCache,
}

/// Longest word [`WordCache`] keeps.
const CACHED_LEN: usize = 15;

/// The [`WordInfo`] and [`own_features`] of a word, as [`WordCache`] keeps them.
#[derive(Clone, Copy, Default)]
struct Cached {
    /// The word's length (0: an empty slot) and bytes.
    len: u8,
    bytes: [u8; CACHED_LEN],
    info: WordInfo,
    own: [u64; 7],
}

/// The words scored lately (direct-mapped by their hash, compared byte for byte): their
/// info and own features cost a lookup instead of a dozen hashes when they come again, as
/// names do from article to article.
#[derive(Default)]
struct WordCache {
    slots: Vec<Cached>,
    /// What [`WordCache::get`] gives for a word too long to keep.
    spare: Cached,
}

/// Slots of a [`WordCache`].
const CACHE_SLOTS: usize = 2048;

impl WordCache {
    /// The info and own features of `w` (whose [`lower_hash`] and [`fnv1a64`] are given),
    /// computed unless cached.
    #[inline]
    fn get(&mut self, w: &str, lower: u64, exact: u64, consts: &ConstFeats) -> &Cached {
        let b = w.as_bytes();
        if b.len() > CACHED_LEN || b.is_empty() {
            let info = word_info_with(w, lower, exact);
            self.spare.info = info;
            self.spare.own = own_features(&info, consts);
            return &self.spare;
        }
        if self.slots.is_empty() {
            self.slots = vec![Cached::default(); CACHE_SLOTS];
        }
        let slot = &mut self.slots[(exact >> 40) as usize & (CACHE_SLOTS - 1)];
        if slot.len as usize != b.len() || slot.bytes[..b.len()] != *b {
            let info = word_info_with(w, lower, exact);
            slot.len = b.len() as u8;
            slot.bytes[..b.len()].copy_from_slice(b);
            slot.info = info;
            slot.own = own_features(&info, consts);
        }
        slot
    }
}

/// Index of the word that starts the sentence proper (after opening punctuation).
fn first_word(words: &[&str]) -> usize {
    words.iter().position(|w| !is_opening(w)).unwrap_or(0)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv_push(mut h: u64, c: char) -> u64 {
    let mut buf = [0u8; 4];
    for &b in c.encode_utf8(&mut buf).as_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Hashes of what features use about one word.
#[derive(Clone, Copy, Debug, Default)]
struct WordInfo {
    lower: u64,
    exact: u64,
    shape: u64,
    suf3: u64,
    suf2: u64,
    pre3: u64,
    len: u64,
    cap: bool,
}

fn word_info(w: &str) -> WordInfo {
    word_info_with(w, lower_hash(w), fnv1a64(w.as_bytes()))
}

/// [`word_info`] given the word's [`lower_hash`] and [`fnv1a64`].
fn word_info_with(w: &str, lower: u64, exact: u64) -> WordInfo {
    if w.is_ascii() {
        word_info_ascii(w, lower, exact)
    } else {
        word_info_chars(w, lower, exact)
    }
}

/// The general, char by char [`word_info_with`] (the ASCII fast path must agree with it).
fn word_info_chars(w: &str, lower: u64, exact: u64) -> WordInfo {
    let mut pre3 = FNV_OFFSET;
    let mut last: [char; 3] = ['\0'; 3];
    let mut n = 0u64;
    for c in w.chars() {
        for l in c.to_lowercase() {
            if n < 3 {
                pre3 = fnv_push(pre3, l);
            }
            last = [last[1], last[2], l];
            n += 1;
        }
    }
    let suf = |k: usize| {
        last[3 - k.min(n as usize)..].iter().filter(|c| **c != '\0').fold(FNV_OFFSET, |h, &c| fnv_push(h, c))
    };
    WordInfo {
        lower,
        exact,
        shape: shape_hash_chars(w),
        suf3: suf(3),
        suf2: suf(2),
        pre3,
        len: n.min(12),
        cap: matches!(case_of(w), Case::Title | Case::Upper),
    }
}

/// The `shape` of [`word_info`] alone: byte by byte while the word is ASCII, char by char
/// from the start when it is not.
fn shape_hash(w: &str) -> u64 {
    let mut shape = FNV_OFFSET;
    let mut last_shape = 0u8;
    for &c in w.as_bytes() {
        let k = ASCII_SHAPE[c as usize];
        if k == NOT_ASCII {
            return shape_hash_chars(w);
        }
        if k != last_shape {
            shape = (shape ^ k as u64).wrapping_mul(0x0100_0000_01b3);
            last_shape = k;
        }
    }
    shape
}

/// [`shape_hash`] char by char (the general code).
#[inline(never)]
fn shape_hash_chars(w: &str) -> u64 {
    let mut shape = FNV_OFFSET;
    let mut last_shape = '\0';
    for c in w.chars() {
        let k = shape_class(c);
        if k != last_shape {
            shape = fnv_push(shape, k);
            last_shape = k;
        }
    }
    shape
}

/// [`ASCII_SHAPE`] of the bytes of non-ASCII characters (no ASCII shape is).
const NOT_ASCII: u8 = 0xFF;

/// [`ascii_shape`] of every ASCII byte (one load instead of three range tests), and
/// [`NOT_ASCII`] for the others.
static ASCII_SHAPE: [u8; 256] = {
    let mut t = [NOT_ASCII; 256];
    let mut c = 0;
    while c < 128 {
        t[c] = ascii_shape(c as u8);
        c += 1;
    }
    t
};

/// [`shape_class`] of an ASCII byte.
#[inline(always)]
const fn ascii_shape(c: u8) -> u8 {
    if c.is_ascii_uppercase() {
        b'X'
    } else if c.is_ascii_lowercase() {
        b'x'
    } else if c.is_ascii_digit() {
        b'd'
    } else {
        c
    }
}

/// [`word_info_with`] for an ASCII word: the same hashes, byte by byte.
fn word_info_ascii(w: &str, lower: u64, exact: u64) -> WordInfo {
    let push = |h: u64, b: u8| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    let bytes = w.as_bytes();
    let mut shape = FNV_OFFSET;
    let mut last_shape = 0u8;
    for &c in bytes {
        let k = ASCII_SHAPE[c as usize];
        if k != last_shape {
            shape = push(shape, k);
            last_shape = k;
        }
    }
    let n = bytes.len();
    // NUL bytes are left out of the suffixes (as the general code's padding is)
    let low = |c: u8| c.to_ascii_lowercase();
    let pre3 = bytes[..n.min(3)].iter().fold(FNV_OFFSET, |h, &c| push(h, low(c)));
    let (suf2, suf3) = match *bytes {
        [.., a, b, c] if a != 0 && b != 0 && c != 0 => {
            let s2 = push(push(FNV_OFFSET, low(b)), low(c));
            (s2, push(push(push(FNV_OFFSET, low(a)), low(b)), low(c)))
        }
        _ => {
            let suf =
                |k: usize| bytes[n - k.min(n)..].iter().filter(|&&c| c != 0).fold(FNV_OFFSET, |h, &c| push(h, low(c)));
            (suf(2), suf(3))
        }
    };
    let cap = bytes.first().is_some_and(u8::is_ascii_uppercase);
    WordInfo { lower, exact, shape, suf3, suf2, pre3, len: (n as u64).min(12), cap }
}

fn f(tag: u64, x: u64) -> u64 {
    mix64(x ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn f2(tag: u64, a: u64, b: u64) -> u64 {
    mix64(f(tag, a) ^ b.rotate_left(17))
}

const BOS: u64 = 0x5bd1_e995;
const EOS: u64 = 0x1b87_3593;

/// Where [`token_features`] writes: a `Vec` (training) or a fixed array (tagging).
trait FeatSink {
    fn put(&mut self, x: u64);
}

impl FeatSink for Vec<u64> {
    fn put(&mut self, x: u64) {
        self.push(x);
    }
}

/// Most features of one word: [`token_features`] writes at most 25.
const MAX_FEATS: usize = 32;

/// The static features of one word in a fixed array (no capacity checks, no allocation).
struct Feats {
    v: [u64; MAX_FEATS],
    n: usize,
}

impl FeatSink for Feats {
    #[inline(always)]
    fn put(&mut self, x: u64) {
        self.v[self.n] = x;
        self.n += 1;
    }
}

impl Feats {
    fn as_slice(&self) -> &[u64] {
        &self.v[..self.n]
    }
}

/// Features of the few values they can take, computed once: `f(1, 0)`, the gazetteer tag
/// features (tags 0..=9 and 99 outside the sentence), the capitalisation evidence (0..8) and
/// the lengths (0..=12).
struct ConstFeats {
    bias: u64,
    /// Per tag index ([`gz_index`]): `f(16..=19, tag)`.
    gz: [[u64; 11]; 4],
    evidence: [u64; 8],
    len: [u64; 13],
    /// Per label before: `mix64(0x51 ^ prev)` ([`dyn_features`]).
    prev: [u64; NL],
    /// Per two labels before: `mix64(0x53 ^ prev << 8 ^ prev2 << 16)`.
    prev2: [[u64; NL]; NL],
}

/// Index of a gazetteer tag value in [`ConstFeats::gz`] (`None` for a value outside the table).
#[inline(always)]
fn gz_index(g: u64) -> Option<usize> {
    match g {
        0..=9 => Some(g as usize),
        99 => Some(10),
        _ => None,
    }
}

fn const_feats() -> &'static ConstFeats {
    static CONST: std::sync::OnceLock<ConstFeats> = std::sync::OnceLock::new();
    CONST.get_or_init(|| {
        let g = |k: usize| if k == 10 { 99 } else { k as u64 };
        ConstFeats {
            bias: f(1, 0),
            gz: [16u64, 17, 18, 19].map(|tag| std::array::from_fn(|k| f(tag, g(k)))),
            evidence: std::array::from_fn(|k| f(24, k as u64)),
            len: std::array::from_fn(|k| f(25, k as u64)),
            prev: std::array::from_fn(|p| mix64(0x51 ^ p as u64)),
            prev2: std::array::from_fn(|p| {
                std::array::from_fn(|q| mix64(0x53 ^ ((p as u64) << 8) ^ ((q as u64) << 16)))
            }),
        }
    })
}

impl ConstFeats {
    /// `f(16 + which, g)`.
    #[inline(always)]
    fn gz(&self, which: usize, g: u64) -> u64 {
        match gz_index(g) {
            Some(k) => self.gz[which][k],
            None => f(16 + which as u64, g),
        }
    }
}

/// What [`token_features`] needs of a sentence and its document.
#[derive(Clone, Copy)]
struct SentFeats<'a> {
    gaz: &'a [u8],
    /// Index of the first word proper ([`first_word`]).
    first: usize,
    /// The sentence is [`mostly_upper`].
    caps: bool,
    doc: &'a DocWords,
    consts: &'a ConstFeats,
}

/// What [`token_features`] reads of the words around the one it describes.
trait Context {
    /// Number of words in the sentence.
    fn count(&self) -> usize;
    /// The [`lower_hash`] of word `j`.
    fn lower(&self, j: usize) -> u64;
    /// The shape hash of word `j` (only asked for the neighbours of the word described).
    fn shape(&self, j: usize) -> u64;
}

impl Context for [WordInfo] {
    fn count(&self) -> usize {
        self.len()
    }
    fn lower(&self, j: usize) -> u64 {
        self[j].lower
    }
    fn shape(&self, j: usize) -> u64 {
        self[j].shape
    }
}

/// The context when tagging: lower-case hashes from the word facts, shapes computed for the
/// words that need them.
struct Tagging<'a> {
    facts: &'a [WordFacts],
    shapes: &'a [u64],
}

impl Context for Tagging<'_> {
    #[inline(always)]
    fn count(&self) -> usize {
        self.facts.len()
    }
    #[inline(always)]
    fn lower(&self, j: usize) -> u64 {
        self.facts[j].lower
    }
    #[inline(always)]
    fn shape(&self, j: usize) -> u64 {
        self.shapes[j]
    }
}

/// A field of word `j` of the sentence, or the boundary markers outside it.
#[inline(always)]
fn word_at<C: Context + ?Sized>(cx: &C, j: isize, field: impl Fn(&C, usize) -> u64) -> u64 {
    if j < 0 {
        BOS
    } else if j as usize >= cx.count() {
        EOS
    } else {
        field(cx, j as usize)
    }
}

/// The features of a word on its own: `f(2..=7, ...)` of its hashes and the length feature.
#[inline(always)]
fn own_features(w: &WordInfo, c: &ConstFeats) -> [u64; 7] {
    let len = match w.len {
        l @ 0..=12 => c.len[l as usize],
        l => f(25, l),
    };
    [f(2, w.lower), f(3, w.exact), f(4, w.shape), f(5, w.suf3), f(6, w.suf2), f(7, w.pre3), len]
}

/// Static features of word `i` (independent of earlier labels), `w` being its info and `own`
/// its [`own_features`], appended to `out`.
#[inline(always)]
fn token_features<C: Context + ?Sized>(
    s: &SentFeats,
    cx: &C,
    w: &WordInfo,
    own: &[u64; 7],
    i: usize,
    out: &mut impl FeatSink,
) {
    let SentFeats { gaz, first, caps, doc, consts: c } = *s;
    let n = cx.count();
    let lower = |j: isize| word_at(cx, j, C::lower);
    let shape = |j: isize| word_at(cx, j, C::shape);
    let gz = |j: isize| -> u64 {
        if j < 0 || j as usize >= n {
            99
        } else {
            gaz[j as usize] as u64
        }
    };
    let ii = i as isize;
    out.put(c.bias);
    for &x in &own[..6] {
        out.put(x);
    }
    let (prev, next) = (lower(ii - 1), lower(ii + 1));
    out.put(f(8, prev));
    out.put(f(9, next));
    out.put(f(10, lower(ii - 2)));
    out.put(f(11, lower(ii + 2)));
    out.put(f(12, shape(ii - 1)));
    out.put(f(13, shape(ii + 1)));
    out.put(f2(14, prev, w.lower));
    out.put(f2(15, w.lower, next));
    let g = gz(ii);
    out.put(c.gz(0, g));
    out.put(c.gz(1, gz(ii - 1)));
    out.put(c.gz(2, gz(ii + 1)));
    // f2(19, g, shape)
    out.put(mix64(c.gz(3, g) ^ w.shape.rotate_left(17)));
    if i == first {
        out.put(f(20, w.shape));
        out.put(f(21, w.lower));
    }
    if caps {
        out.put(f(22, w.shape));
        out.put(f(23, w.lower));
    }
    if w.cap {
        let seen_lower = doc.has_lower_hash(w.lower);
        let seen_mid = doc.has_cap_mid_hash(w.exact);
        out.put(c.evidence[usize::from(seen_lower) | usize::from(seen_mid) << 1 | usize::from(i == first) << 2]);
    }
    out.put(own[6]);
}

/// Whether word `i` needs scoring: capitalised or numeric-free words after an `O` are `O`.
fn needs_scoring(w: &WordInfo, prev: usize, gaz: u8) -> bool {
    w.cap || prev != 0 || gaz != 0
}

/// The features of the labels before a word: `mix64(0x51 ^ prev)`, `mix64(0x52 ^ prev << 8 ^
/// shape_feat)` and `mix64(0x53 ^ prev << 8 ^ prev2 << 16)`, the first and last from
/// [`ConstFeats`].
#[inline(always)]
fn dyn_features(c: &ConstFeats, prev: usize, prev2: usize, shape_feat: u64, out: &mut [u64; 3]) {
    out[0] = c.prev[prev];
    out[1] = mix64(0x52 ^ ((prev as u64) << 8) ^ shape_feat);
    out[2] = c.prev2[prev][prev2];
}

fn allowed(prev: usize, label: usize) -> bool {
    // I-X only after B-X or I-X
    if label == 0 || label % 2 == 1 {
        return true;
    }
    prev == label || prev + 1 == label
}

/// The weights of one feature bucket: one per label, padded to a cache line so that a
/// feature costs one line fetch and a few vector additions.
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(64))]
struct Row([f32; 16]);

/// Averaged-perceptron weights over hashed features.
#[derive(Clone, Debug)]
pub struct Model {
    bits: u32,
    /// `2^bits` rows; lanes past [`NL`] stay zero.
    rows: Vec<Row>,
}

/// Why a model file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Not a model file or a truncated one.
    #[error("invalid model data: {0}")]
    Format(String),
    /// I/O error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

static BUILTIN: &[u8] = include_bytes!("../model/ner.bin.gz");

impl Model {
    /// An untrained model with `2^bits` feature buckets.
    pub fn new(bits: u32) -> Model {
        Model { bits, rows: vec![Row::default(); 1usize << bits] }
    }

    /// The model trained on CoNLL-2003 that ships with the crate, if it was built in.
    pub fn builtin() -> Option<Model> {
        if BUILTIN.is_empty() {
            return None;
        }
        Model::from_bytes(BUILTIN).ok()
    }

    fn row(&self, f: u64) -> usize {
        (f >> 7) as usize & ((1usize << self.bits) - 1)
    }

    /// The label scores: per label, the weights of the features summed in order.
    fn score(&self, feats: &[u64], dynf: &[u64; 3], out: &mut [f32; NL]) {
        let mut sum = [0.0f32; 16];
        // `row` as a mask of the table's length (a power of two): provably in bounds
        let mask = self.rows.len() - 1;
        debug_assert_eq!(mask, (1usize << self.bits) - 1);
        let mut add = |f: u64| {
            let w = &self.rows[(f >> 7) as usize & mask].0;
            for (o, w) in sum.iter_mut().zip(w) {
                *o += *w;
            }
        };
        for &f in feats {
            add(f);
        }
        for &f in dynf {
            add(f);
        }
        out.copy_from_slice(&sum[..NL]);
    }

    /// Greedy left-to-right decoding: one label index per word. Lower-case words after an
    /// `O` are `O` without scoring (entities start with a capital in news English).
    pub fn predict(&self, s: &SentenceInput, doc: &DocWords) -> Vec<usize> {
        let facts: Vec<WordFacts> = s.words.iter().map(|w| word_facts(w)).collect();
        let mut labels = Vec::with_capacity(s.words.len());
        let input = Window { words: &s.words, facts: &facts, gaz: &s.gaz, caps: mostly_upper(&s.words) };
        self.predict_into(&input, doc, &mut Scratch::default(), &mut labels);
        labels
    }

    /// [`Model::predict`] on borrowed slices with reusable buffers; labels are appended to
    /// `labels`.
    pub(crate) fn predict_into(&self, s: &Window, doc: &DocWords, scratch: &mut Scratch, labels: &mut Vec<usize>) {
        let n = s.words.len();
        // the lower-case hashes come with the facts; the other hashes are computed only for
        // the words that get scored, and the shapes of their next neighbours
        let Scratch { shapes, done, words: cache } = scratch;
        shapes.clear();
        shapes.resize(n, 0);
        done.clear();
        done.resize(n, false);
        let first = first_word(s.words);
        let (mut prev, mut prev2) = (0usize, 0usize);
        let mut scores = [0.0f32; NL];
        let mut d = [0u64; 3];
        let mut feats = Feats { v: [0; MAX_FEATS], n: 0 };
        let sf = SentFeats { gaz: s.gaz, first, caps: s.caps, doc, consts: const_feats() };
        let base = labels.len();
        labels.resize(base + n, 0);
        let out = &mut labels[base..];
        let scored = |i: usize| s.facts[i].is_cap() || s.gaz[i] != 0;
        let mut i = 0;
        while i < n {
            if prev == 0 && !scored(i) {
                // `O`, as is every word up to the next capitalised or gazetteer one
                i += 1;
                while i < n && !scored(i) {
                    i += 1;
                }
                (prev, prev2) = (0, 0);
                continue;
            }
            let best = {
                let Cached { info: w, own, .. } = cache.get(s.words[i], s.facts[i].lower, s.facts[i].exact, sf.consts);
                shapes[i] = w.shape;
                done[i] = true;
                for j in [i.wrapping_sub(1), i + 1] {
                    if j < n && !done[j] {
                        shapes[j] = shape_hash(s.words[j]);
                        done[j] = true;
                    }
                }
                feats.n = 0;
                token_features(&sf, &Tagging { facts: s.facts, shapes }, w, own, i, &mut feats);
                dyn_features(sf.consts, prev, prev2, feats.v[3], &mut d);
                self.score(feats.as_slice(), &d, &mut scores);
                best_allowed(&scores, prev)
            };
            out[i] = best;
            prev2 = prev;
            prev = best;
            i += 1;
        }
    }

    /// Serialises to gzip-compressed bytes (weights quantised to 16 bits).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let weights = || self.rows.iter().flat_map(|r| &r.0[..NL]);
        let max = weights().fold(0.0f32, |m, w| m.max(w.abs())).max(1e-9);
        let scale = 32767.0 / max;
        let mut raw = Vec::with_capacity(16 + self.rows.len() * NL * 2);
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&scale.to_le_bytes());
        for w in weights() {
            raw.extend_from_slice(&((w * scale).round() as i16).to_le_bytes());
        }
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&raw)?;
        Ok(enc.finish()?)
    }

    /// Reads what [`Model::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw)?;
        if raw.len() < 14 || &raw[..6] != MAGIC {
            return Err(ModelError::Format("bad header".into()));
        }
        let bits = u32::from_le_bytes([raw[6], raw[7], raw[8], raw[9]]);
        let scale = f32::from_le_bytes([raw[10], raw[11], raw[12], raw[13]]);
        if !(8..=24).contains(&bits) || scale <= 0.0 {
            return Err(ModelError::Format(format!("bad parameters: bits {bits}, scale {scale}")));
        }
        let n = (1usize << bits) * NL;
        let body = &raw[14..];
        if body.len() != n * 2 {
            return Err(ModelError::Format(format!("expected {} weight bytes, found {}", n * 2, body.len())));
        }
        let mut rows = vec![Row::default(); 1usize << bits];
        for (row, ws) in rows.iter_mut().zip(body.chunks_exact(2 * NL)) {
            for (w, c) in row.0.iter_mut().zip(ws.chunks_exact(2)) {
                *w = i16::from_le_bytes([c[0], c[1]]) as f32 / scale;
            }
        }
        Ok(Model { bits, rows })
    }
}

fn best_allowed(scores: &[f32; NL], prev: usize) -> usize {
    let mut best = 0;
    let mut bs = f32::NEG_INFINITY;
    for (l, &s) in scores.iter().enumerate() {
        if allowed(prev, l) && s > bs {
            bs = s;
            best = l;
        }
    }
    best
}

/// One training sentence: words, gazetteer tags and gold labels.
pub struct TrainSentence {
    /// Words.
    pub words: Vec<String>,
    /// Gazetteer tag per word (see [`SentenceInput`]).
    pub gaz: Vec<u8>,
    /// Gold label per word.
    pub gold: Vec<usize>,
}

/// Trains an averaged perceptron over documents (lists of sentences), `epochs` passes in a
/// fixed pseudo-random order (seeded: the result is reproducible).
pub fn train(docs: &[Vec<TrainSentence>], bits: u32, epochs: usize) -> Model {
    let mut model = Model::new(bits);
    let mut acc = vec![Row::default(); model.rows.len()];
    let mut c: f32 = 1.0;
    // precompute features
    struct Item<'a> {
        feats: Vec<Vec<u64>>,
        info: Vec<WordInfo>,
        gaz: &'a [u8],
        gold: &'a [usize],
    }
    let mut items: Vec<Item> = Vec::new();
    for doc in docs {
        let mut dw = DocWords::default();
        for s in doc {
            let w: Vec<&str> = s.words.iter().map(String::as_str).collect();
            dw.add_sentence(&w);
        }
        for s in doc {
            let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
            let info: Vec<WordInfo> = words.iter().map(|w| word_info(w)).collect();
            let caps = mostly_upper(&words);
            let first = first_word(&words);
            let feats = (0..info.len())
                .map(|i| {
                    let mut v = Vec::with_capacity(32);
                    let sf = SentFeats { gaz: &s.gaz, first, caps, doc: &dw, consts: const_feats() };
                    token_features(&sf, &info[..], &info[i], &own_features(&info[i], sf.consts), i, &mut v);
                    v
                })
                .collect();
            items.push(Item { feats, info, gaz: &s.gaz, gold: &s.gold });
        }
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut scores = [0.0f32; NL];
    let mut d = [0u64; 3];
    let consts = const_feats();
    for epoch in 0..epochs {
        order.sort_by_key(|&i| mix64(i as u64 ^ mix64(epoch as u64 + 1)));
        for &k in &order {
            let it = &items[k];
            let (mut prev, mut prev2) = (0usize, 0usize);
            for (i, (f, &g)) in it.feats.iter().zip(it.gold.iter()).enumerate() {
                if !needs_scoring(&it.info[i], prev, it.gaz[i]) {
                    // decoding will say O here; nothing to learn
                    prev2 = prev;
                    prev = 0;
                    c += 1.0;
                    continue;
                }
                dyn_features(consts, prev, prev2, f[3], &mut d);
                model.score(f, &d, &mut scores);
                let guess = best_allowed(&scores, prev);
                if guess != g {
                    for &x in f.iter().chain(d.iter()) {
                        let r = model.row(x);
                        model.rows[r].0[g] += 1.0;
                        model.rows[r].0[guess] -= 1.0;
                        acc[r].0[g] += c;
                        acc[r].0[guess] -= c;
                    }
                }
                c += 1.0;
                prev2 = prev;
                prev = guess;
            }
        }
    }
    for (w, a) in model.rows.iter_mut().zip(&acc) {
        for (w, a) in w.0.iter_mut().zip(&a.0) {
            *w -= a / c;
        }
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(words: &str, gold: &str) -> TrainSentence {
        let words: Vec<String> = words.split(' ').map(String::from).collect();
        let gold = gold.split(' ').map(|l| parse_label(l).unwrap()).collect();
        TrainSentence { gaz: vec![0; words.len()], words, gold }
    }

    #[test]
    fn learns_a_toy_pattern_and_round_trips() {
        let docs = vec![vec![
            sent("Mr Abel Brown went to Paris .", "O B-PER I-PER O O B-LOC O"),
            sent("Mr Carl Dunn flew to Rome .", "O B-PER I-PER O O B-LOC O"),
            sent("the cat went to Oslo .", "O O O O B-LOC O"),
        ]];
        let m = train(&docs, 12, 8);
        let input = SentenceInput { words: "Mr Abel Dunn went to Rome .".split(' ').collect(), gaz: vec![0; 7] };
        let labels = m.predict(&input, &DocWords::default());
        let names: Vec<&str> = labels.iter().map(|&l| LABELS[l]).collect();
        assert_eq!(names, vec!["O", "B-PER", "I-PER", "O", "O", "B-LOC", "O"]);
        let back = Model::from_bytes(&m.to_bytes().unwrap()).unwrap();
        assert_eq!(back.predict(&input, &DocWords::default()), labels);
        assert!(Model::from_bytes(b"nonsense").is_err());
    }

    #[test]
    fn fast_paths_agree_with_the_general_code() {
        let words = [
            "", "a", "Ab", "McCain", "U.S.", "NATO", "3-0", "O'Brien", "x\0y", "1996", "ab-CD", "Zz9", "a\0bc", "ab\0",
            "\0ab", "abc\0d", "\0\0\0", "ABC", "aB",
        ];
        for w in words {
            let (a, b) = (word_info(w), word_info_chars(w, lower_hash(w), fnv1a64(w.as_bytes())));
            let key = |i: &WordInfo| (i.lower, i.exact, i.shape, i.suf3, i.suf2, i.pre3, i.len, i.cap);
            assert_eq!(key(&a), key(&b), "{w:?}");
        }
        for w in words.iter().copied().chain(["Élysée", "ÉA", "\u{212a}ing", "ΣΑΣ", "ab-Élysée", "Ab1É", "x\0É"])
        {
            assert_eq!(shape_hash(w), word_info(w).shape, "{w:?}");
            assert_eq!(shape_hash(w), word_info_chars(w, 0, 0).shape, "{w:?}");
        }
        let c = const_feats();
        assert_eq!(c.bias, f(1, 0));
        for g in (0..=12).chain([99, 1000]) {
            for which in 0..4 {
                assert_eq!(c.gz(which, g), f(16 + which as u64, g), "{which} {g}");
            }
            assert_eq!(mix64(c.gz(3, g) ^ 5u64.rotate_left(17)), f2(19, g, 5));
        }
        assert!((0..8).all(|k| c.evidence[k] == f(24, k as u64)) && (0..13).all(|k| c.len[k] == f(25, k as u64)));
        for (p, q) in (0..NL).flat_map(|p| (0..NL).map(move |q| (p, q))) {
            let mut d = [0u64; 3];
            dyn_features(c, p, q, 77, &mut d);
            let (p, q) = (p as u64, q as u64);
            assert_eq!(d, [mix64(0x51 ^ p), mix64(0x52 ^ (p << 8) ^ 77), mix64(0x53 ^ (p << 8) ^ (q << 16))]);
        }
        let long = ["NEWS ".repeat(300), format!("{}{}", "Ab ".repeat(200), "CDEFG ".repeat(70))];
        let short = ["BREAKING NEWS TODAY", "Mr Abel Brown went", "ÉTAT DE L'UNION", "Ça va", "", "AB CD e"];
        for s in long.iter().map(String::as_str).chain(short) {
            let words: Vec<&str> = s.split(' ').collect();
            assert_eq!(mostly_upper_text(s), mostly_upper(&words), "{s:?}");
        }
        assert!(mostly_upper_text(&long[0]) && !mostly_upper_text(short[1]));
    }

    #[test]
    fn cached_words_are_what_is_computed() {
        let c = const_feats();
        let key = |i: &WordInfo| (i.lower, i.exact, i.shape, i.suf3, i.suf2, i.pre3, i.len, i.cap);
        let mut words: Vec<String> = [
            "Putin",
            "putin",
            "PUTIN",
            "",
            "a",
            "Élysée",
            "Elmendorf-Richardson",
            "exactly15bytes!",
            "exactly16bytes!!",
        ]
        .map(String::from)
        .to_vec();
        // enough words that many share a slot
        words.extend((0..3 * CACHE_SLOTS).map(|i| format!("W{i}")));
        let mut cache = WordCache::default();
        for round in 0..2 {
            for w in words.iter().chain(words.iter().rev()) {
                let (lower, exact) = (lower_hash(w), fnv1a64(w.as_bytes()));
                let got = cache.get(w, lower, exact, c);
                let want = word_info(w);
                assert_eq!(key(&got.info), key(&want), "{w:?} {round}");
                assert_eq!(got.own, own_features(&want, c), "{w:?} {round}");
            }
        }
    }

    #[test]
    fn hash_set_holds_what_was_inserted() {
        let mut set = HashSet64::default();
        assert!(!set.contains(7) && !set.contains(0));
        for x in (0..2000u64).map(|i| mix64(i) & !0xff) {
            set.insert(x);
            set.insert(x);
        }
        assert!((0..2000u64).all(|i| set.contains(mix64(i) & !0xff)));
        assert!(!set.contains(0) && !set.contains(1));
        set.insert(0);
        assert!(set.contains(0));
        let mut dw = DocWords::default();
        dw.add_sentence(&["Trump", "met", "the", "Pope", "in", "Rome"]);
        assert!(dw.seen_lower("The") && dw.seen_lower("met") && !dw.seen_lower("Rome"));
        assert!(dw.seen_cap_mid("Pope") && !dw.seen_cap_mid("Trump") && !dw.seen_cap_mid("pope"));
    }

    #[test]
    fn reset_sets_hold_only_what_was_inserted_since() {
        let mut set = HashSet64::with_room(10);
        for round in 0..4u64 {
            let n = [10usize, 3000, 5, 400][round as usize];
            set.clear(n);
            let xs: Vec<u64> = (0..n as u64).map(|i| mix64(i * 31 + round) | 1).collect();
            for &x in &xs {
                set.insert(x);
            }
            assert!(xs.iter().all(|&x| set.contains(x)));
            let stale: Vec<u64> = (0..3000u64).map(|i| mix64(i * 31 + round + 1) | 1).collect();
            let hits = stale.iter().filter(|&&x| set.contains(x) && !xs.contains(&x)).count();
            assert_eq!(hits, 0, "round {round}");
            assert!(!set.contains(0));
        }
        for w in ["\"", "“", "'", "‘", "(", "[", "-", "–", "—", ":", "*", "•", "a", "", "--", "€", "’", "((", "\u{e2}"]
        {
            let general = matches!(w, "\"" | "“" | "'" | "‘" | "(" | "[" | "-" | "–" | "—" | ":" | "*" | "•");
            assert_eq!(is_opening(w), general, "{w:?}");
        }
    }

    #[test]
    fn bio_constraint_holds() {
        assert!(allowed(1, 2));
        assert!(!allowed(0, 2));
        assert!(!allowed(3, 2));
        assert!(allowed(2, 2));
    }
}
