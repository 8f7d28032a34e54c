//! The matching key of a unit: stemmed content tokens, MinHash signatures, LSH band keys,
//! and the verification similarity.
//!
//! # Why this similarity
//!
//! Candidates come from MinHash + LSH over the set of the key's words (never all pairs); each
//! candidate is then verified with a *weighted Jaccard over stemmed content words*
//! (stop words dropped, negations kept as `not`, numbers kept). Names (capitalised words
//! not at the start of a sentence) and numbers weigh more than ordinary words, because they
//! carry the checkable content of a news claim. On top of that, a hard veto rejects a pair
//! when *both* sides carry a number the other lacks (`$2.5 billion` / `$1.8 billion`,
//! `1995` / `1998`), the classic false merge of word-overlap measures. A milder rule does
//! the same for names. Quote variants ("There's no deal until there's a deal" / "No deal
//! until there is a deal") reduce to the same content words and score 1.
//!
//! LSH reads the same word set that verification scores (not word n-grams), so candidates
//! approximate the very similarity that decides, and the corpus part keeps no word order.

use concord_core::text::{fnv1a64, mix64};

/// Flag: the token is a number (digits or a number word).
pub const NUMBER: u8 = 1;
/// Flag: the token was capitalised away from the start of its sentence (a name).
pub const NAME: u8 = 2;

/// One content token of a key: its hash (of the stem) and flags. Packed (9 bytes, not 16):
/// the corpus part keeps one per content word of every unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(C, packed)]
pub struct Token {
    /// `fnv1a64` of the stem.
    pub hash: u64,
    /// [`NUMBER`], [`NAME`].
    pub flags: u8,
}

const STOP: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "each",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "of",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "said",
    "same",
    "says",
    "say",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "mr",
    "mrs",
    "ms",
    "s",
    "t",
    "ca",
    "wo",
    "may",
    "might",
    "must",
    "shall",
    "us",
    "one's",
    "yet",
    "per",
    "via",
    "upon",
    "within",
    "according",
    "told",
    "added",
    "new",
];

const NUMBER_WORDS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "billion", "trillion", "percent", "half",
    "first", "second", "third",
];

const NEGATIONS: &[&str] = &["no", "not", "never", "nor", "none", "nothing", "neither", "without"];

const IS_STOP: u32 = 1;
const IS_NUMBER: u32 = 2;
const IS_NEGATION: u32 = 4;

/// Fixed word lists in one open-addressing table keyed by the word's `fnv1a64`
/// (confirmed by string comparison): one probe per word instead of a search per list.
/// Each word maps to the bits of the lists that hold it.
#[derive(Debug)]
pub(crate) struct WordTable {
    slots: Vec<Option<(u64, &'static str, u32)>>,
}

impl WordTable {
    /// The table of `lists`, each with its bit (bits of a word in several lists are or-ed).
    pub(crate) fn new(lists: &[(&[&'static str], u32)]) -> WordTable {
        let n: usize = lists.iter().map(|l| l.0.len()).sum();
        let size = (n * 4).next_power_of_two().max(16);
        let mut slots: Vec<Option<(u64, &'static str, u32)>> = vec![None; size];
        for &(words, kind) in lists {
            for &w in words {
                let h = fnv1a64(w.as_bytes());
                let mut i = h as usize & (size - 1);
                loop {
                    match &mut slots[i] {
                        Some((hh, ww, k)) if *hh == h && *ww == w => {
                            *k |= kind;
                            break;
                        }
                        Some(_) => i = (i + 1) & (size - 1),
                        empty @ None => {
                            *empty = Some((h, w, kind));
                            break;
                        }
                    }
                }
            }
        }
        WordTable { slots }
    }

    /// The bits of the lists holding `w`, whose hash is `hash` (0: none).
    pub(crate) fn kinds(&self, w: &str, hash: u64) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            match &self.slots[i] {
                None => return 0,
                Some((h, ww, k)) if *h == hash && *ww == w => return *k,
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// The bits of the lists holding `w` (0: none).
    pub(crate) fn get(&self, w: &str) -> u32 {
        self.kinds(w, fnv1a64(w.as_bytes()))
    }
}

fn tables() -> &'static WordTable {
    static T: std::sync::OnceLock<WordTable> = std::sync::OnceLock::new();
    T.get_or_init(|| WordTable::new(&[(STOP, IS_STOP), (NUMBER_WORDS, IS_NUMBER), (NEGATIONS, IS_NEGATION)]))
}

/// A light suffix stemmer (plural, `-ing`, `-ed`, `-ly`, final `e`), consistent rather
/// than linguistically exact: it only has to map variants of a word to one key.
pub fn stem(w: &str) -> String {
    let mut s = String::new();
    stem_into(w, &mut s);
    s
}

/// [`stem`] into a reused buffer (cleared first).
pub fn stem_into(w: &str, s: &mut String) {
    s.clear();
    s.push_str(w);
    if !s.is_ascii() || s.len() <= 3 || s.bytes().any(|b| b.is_ascii_digit()) {
        return;
    }
    if s.ends_with("ies") && s.len() > 4 {
        s.truncate(s.len() - 3);
        s.push('y');
    } else if s.ends_with("sses") {
        s.truncate(s.len() - 2);
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s.pop();
    }
    let mut stripped = false;
    for suf in ["ingly", "edly", "ing", "ed", "ly"] {
        if s.ends_with(suf) && s.len() >= suf.len() + 3 {
            s.truncate(s.len() - suf.len());
            stripped = true;
            break;
        }
    }
    if stripped {
        let b = s.as_bytes();
        let n = b.len();
        if n >= 2 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'z') {
            s.pop();
        }
    }
    if !stripped && s.len() > 3 && s.ends_with('e') {
        s.pop();
    }
    if s.len() > 3 && s.ends_with('i') {
        s.pop();
        s.push('y');
    }
}

/// Longest word [`stem_ascii`] takes (longer ones go through [`stem_into`]).
const STEM_MAX: usize = 48;

/// [`stem_into`] of an ASCII word of at most [`STEM_MAX`] bytes (`digit`: whether it has
/// an ASCII digit), without building it: every rule cuts the word or makes its last letter
/// `y`, so the stem is `w[..n]` with, when the flag is set, a `y` for its last byte. The same
/// rules step by step, read through that view.
fn stem_ascii(w: &[u8], digit: bool) -> (usize, bool) {
    let mut n = w.len();
    if n <= 3 || digit {
        return (n, false);
    }
    // Whether the last byte reads `y` whatever `w` holds there.
    let mut y = false;
    let at = |i: usize, n: usize, y: bool| if y && i == n - 1 { b'y' } else { w[i] };
    let ends =
        |suf: &[u8], n: usize, y: bool| n >= suf.len() && (0..suf.len()).all(|k| at(n - suf.len() + k, n, y) == suf[k]);
    if w[n - 1] == b's' {
        if ends(b"ies", n, y) && n > 4 {
            n -= 2;
            y = true;
        } else if ends(b"sses", n, y) {
            n -= 2;
        } else if !ends(b"ss", n, y) && !ends(b"us", n, y) && !ends(b"is", n, y) {
            n -= 1;
        }
    }
    // The first of `ingly`, `edly`, `ing`, `ed`, `ly` that ends the word and leaves three
    // letters (told apart by the last letter).
    let cut = match at(n - 1, n, y) {
        b'y' if ends(b"ingly", n, y) && n >= 8 => 5,
        b'y' if ends(b"edly", n, y) && n >= 7 => 4,
        b'y' if ends(b"ly", n, y) && n >= 5 => 2,
        b'g' if ends(b"ing", n, y) && n >= 6 => 3,
        b'd' if ends(b"ed", n, y) && n >= 5 => 2,
        _ => 0,
    };
    let stripped = cut > 0;
    if stripped {
        n -= cut;
        y = false;
        if n >= 2 && w[n - 1] == w[n - 2] && !matches!(w[n - 1], b'l' | b's' | b'z') {
            n -= 1;
        }
    }
    if !stripped && n > 3 && at(n - 1, n, y) == b'e' {
        n -= 1;
        y = false;
    }
    if n > 3 && at(n - 1, n, y) == b'i' {
        y = true;
    }
    (n, y)
}

#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        Some(b as char)
    } else {
        text.get(i..).and_then(|t| t.chars().next())
    }
}

/// Iterator over the words of a text (see [`words`]), allocation-free.
#[derive(Clone, Debug)]
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Words<'a> {
    /// Words of `text`.
    pub fn new(text: &'a str) -> Words<'a> {
        Words { text, pos: 0 }
    }
}

/// Byte classes of the word scan: ASCII letters and digits, other ASCII, and bytes of
/// non-ASCII characters (decoded and tested as characters).
const ALNUM: u8 = 0;
const PUNCT: u8 = 1;
const WIDE: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut t = [PUNCT; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c >= 0x80 {
            t[b] = WIDE;
        } else if c.is_ascii_alphanumeric() {
            t[b] = ALNUM;
        }
        b += 1;
    }
    t
};

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        let t = self.text;
        let bytes = t.as_bytes();
        let n = bytes.len();
        let mut pos = self.pos;
        // Skip to the next alphanumeric character (ASCII by table).
        let c = loop {
            if pos >= n {
                self.pos = pos;
                return None;
            }
            let b = bytes[pos];
            match BYTE_CLASS[b as usize] {
                ALNUM => break b as char,
                PUNCT => pos += 1,
                _ => {
                    let c = char_at(t, pos)?;
                    if c.is_alphanumeric() {
                        break c;
                    }
                    pos += c.len_utf8();
                }
            }
        };
        let start = pos;
        let mut end = start + c.len_utf8();
        let mut prev = c;
        loop {
            let run = end;
            while end < n && BYTE_CLASS[bytes[end] as usize] == ALNUM {
                end += 1;
            }
            if end > run {
                prev = bytes[end - 1] as char;
            }
            if end >= n {
                break;
            }
            let b = bytes[end];
            // An ASCII byte that is not a letter or digit ends the word unless it is an inner
            // apostrophe, point or comma.
            if b < 0x80 && !matches!(b, b'\'' | b'.' | b',') {
                break;
            }
            let Some(d) = char_at(t, end) else { break };
            if !d.is_ascii() && d.is_alphanumeric() {
                end += d.len_utf8();
                prev = d;
                continue;
            }
            let inner_ok = matches!(d, '\'' | '\u{2019}') && prev.is_alphabetic()
                || matches!(d, '.' | ',') && prev.is_ascii_digit();
            if inner_ok {
                let follows = match char_at(t, end + d.len_utf8()) {
                    Some(n) if matches!(d, '.' | ',') => n.is_ascii_digit(),
                    Some(n) => n.is_alphabetic(),
                    None => false,
                };
                if follows {
                    end += d.len_utf8();
                    prev = d;
                    continue;
                }
            }
            break;
        }
        self.pos = end;
        Some((start, end))
    }
}

/// Words of `text` as `(start, end)` byte ranges: alphanumeric runs with inner
/// apostrophes, and numbers with inner `.`/`,` (`2.5`, `1,000`).
pub fn words(text: &str) -> Vec<(usize, usize)> {
    // About one word per six bytes of news text: one allocation for most articles.
    let mut out = Vec::with_capacity(text.len() / 5 + 4);
    out.extend(Words::new(text));
    out
}

/// The [`words`] of `text[a..b]`, as byte ranges of `text`, read off `all` (the words of
/// the whole of `text`) instead of scanning again: the words inside the range as they are,
/// and only a word cut by either end scanned anew. Empty when `a..b` is not a range of
/// `text` (as `text.get(a..b)` is `None`).
pub fn words_between(text: &str, all: &[(usize, usize)], a: usize, b: usize) -> Vec<(usize, usize)> {
    let near = &all[overlapping(all, a, b)];
    let mut out = Vec::with_capacity(near.len());
    each_word_between(text, near, a, b, |w| out.push(w));
    out
}

/// Indices in `all` of the words overlapping `a..b` (what [`each_word_between`] reads).
pub(crate) fn overlapping(all: &[(usize, usize)], a: usize, b: usize) -> std::ops::Range<usize> {
    let lo = all.partition_point(|w| w.1 <= a);
    lo..lo + all[lo..].partition_point(|w| w.0 < b)
}

/// [`words_between`] handed to `f` one by one, in order, given `near`: the words of the
/// text that overlap `a..b` (`&all[overlapping(all, a, b)]`).
pub(crate) fn each_word_between(
    text: &str,
    near: &[(usize, usize)],
    a: usize,
    b: usize,
    mut f: impl FnMut((usize, usize)),
) {
    if a >= b || text.get(a..b).is_none() {
        return;
    }
    for (k, &(s, e)) in near.iter().enumerate() {
        if (k == 0 && s < a) || e > b {
            // A word cut by an end of the range: scanned anew inside it.
            let (x, y) = (s.max(a), e.min(b));
            Words::new(&text[x..y]).for_each(|(s, e)| f((x + s, x + e)));
        } else {
            f((s, e));
        }
    }
}

/// Number of [`words`] of `text`.
pub fn word_count(text: &str) -> usize {
    Words::new(text).count()
}

/// Lower-cases `raw` into `buf` (cleared first), with `’` as `'`.
pub fn lower_into(raw: &str, buf: &mut String) {
    buf.clear();
    if raw.is_ascii() {
        buf.push_str(raw);
        buf.make_ascii_lowercase();
        return;
    }
    for c in raw.chars().flat_map(char::to_lowercase) {
        buf.push(if c == '\u{2019}' { '\'' } else { c });
    }
}

/// `fnv1a64` of the lower-cased word `raw` (as [`lower_into`] gives it), without a copy
/// for ASCII words; `buf` is scratch space for the others.
pub fn lower_hash(raw: &str, buf: &mut String) -> u64 {
    if raw.is_ascii() {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in raw.as_bytes() {
            h ^= b.to_ascii_lowercase() as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    } else {
        lower_into(raw, buf);
        fnv1a64(buf.as_bytes())
    }
}

/// Byte classes of a word, or-ed by [`classes_and_hash`].
const C_UPPER: u8 = 1;
const C_WIDE: u8 = 2;
const C_MARK: u8 = 4;
const C_DIGIT: u8 = 8;
const WORD_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c >= 0x80 {
            C_WIDE
        } else if c.is_ascii_uppercase() {
            C_UPPER
        } else if c == b',' || c == b'\'' {
            C_MARK
        } else if c.is_ascii_digit() {
            C_DIGIT
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The `C_*` classes of the bytes of `w`, or-ed, and `fnv1a64(w)`, in one pass.
#[inline]
fn classes_and_hash(w: &[u8]) -> (u8, u64) {
    let mut cls = 0;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in w {
        cls |= WORD_CLASS[b as usize];
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (cls, h)
}

/// Reusable buffers of [`content_tokens_into`].
#[derive(Clone, Debug, Default)]
pub struct TokenBuffers {
    lower: String,
    clean: String,
    stem: String,
}

/// The content tokens of `text`, skipping words inside any of `skip` (byte ranges of
/// `text`), in text order (duplicates kept).
///
/// `sentence_start` says whether `text` begins a sentence (its first word is then not
/// taken as a name just for being capitalised).
pub fn content_tokens(text: &str, skip: &[(usize, usize)], sentence_start: bool) -> Vec<Token> {
    let mut out = Vec::new();
    content_tokens_into(text, skip, sentence_start, &mut TokenBuffers::default(), &mut out);
    out
}

/// [`content_tokens`] appending to `out`, with reused buffers; returns the number of
/// words of `text` (skipped ones included, as [`word_count`]).
pub fn content_tokens_into(
    text: &str,
    skip: &[(usize, usize)],
    sentence_start: bool,
    bufs: &mut TokenBuffers,
    out: &mut Vec<Token>,
) -> usize {
    content_tokens_of_words(text, Words::new(text), skip, sentence_start, bufs, out)
}

/// [`content_tokens_into`] over words already found: `words` are the [`Words`] of `text`
/// as byte ranges of `text` (a caller that split a whole article once passes each
/// sentence's share, shifted to the sentence's start).
pub fn content_tokens_of_words(
    text: &str,
    words: impl Iterator<Item = (usize, usize)>,
    skip: &[(usize, usize)],
    sentence_start: bool,
    bufs: &mut TokenBuffers,
    out: &mut Vec<Token>,
) -> usize {
    content_tokens_hashing(text, words, skip, sentence_start, bufs, out, None)
}

/// [`content_tokens_of_words`] that also appends to `lower`, when given, the
/// [`lower_hash`] of every word (skipped ones included), in order: the hashes an article
/// signature reads, for the price of the hashing the tokens need anyway.
pub fn content_tokens_hashing(
    text: &str,
    words: impl Iterator<Item = (usize, usize)>,
    skip: &[(usize, usize)],
    sentence_start: bool,
    bufs: &mut TokenBuffers,
    out: &mut Vec<Token>,
    mut lower: Option<&mut Vec<u64>>,
) -> usize {
    let t = tables();
    let not_hash = fnv1a64(b"not");
    let mut first = sentence_start;
    let mut count = 0;
    for (s, e) in words {
        count += 1;
        let raw = &text[s..e];
        if skip.iter().any(|&(a, b)| s >= a && e <= b) {
            if let Some(l) = lower.as_deref_mut() {
                l.push(lower_hash(raw, &mut bufs.lower));
            }
            continue;
        }
        let was_first = first;
        first = false;
        let capital = match raw.as_bytes()[0] {
            b if b < 0x80 => b.is_ascii_uppercase(),
            _ => raw.chars().next().is_some_and(char::is_uppercase),
        };
        // One pass over the word: its byte classes and its hash. Most words are lower-case
        // ASCII already: read in place, that hash is the lower-cased word's.
        let (mut cls, mut lower_h) = classes_and_hash(raw.as_bytes());
        let mut word = raw;
        if cls & (C_UPPER | C_WIDE) != 0 {
            lower_into(raw, &mut bufs.lower);
            word = bufs.lower.as_str();
            (cls, lower_h) = classes_and_hash(word.as_bytes());
        }
        let mut negated = false;
        // Most words have neither an apostrophe nor a comma: nothing to strip or clean.
        let marked = cls & C_MARK != 0;
        // `lower_h`, the hash of the lower-cased word, is its `lower_hash`, and the key of
        // an unmarked one. (Stripping and cleaning below remove ASCII letters and marks
        // only: the word keeps its digits and its non-ASCII characters.)
        if let Some(l) = lower.as_deref_mut() {
            l.push(lower_h);
        }
        if marked {
            if let Some(base) = word.strip_suffix("n't") {
                word = base;
                negated = true;
            } else if let Some(p) = word.rfind('\'') {
                let suffix = &word[p + 1..];
                if matches!(suffix, "s" | "re" | "ve" | "ll" | "d" | "m") {
                    word = &word[..p];
                }
            }
        }
        let word: &str = if marked && word.bytes().any(|b| b == b',' || b == b'\'') {
            bufs.clean.clear();
            bufs.clean.extend(word.chars().filter(|&c| c != ',' && c != '\''));
            &bufs.clean
        } else {
            word
        };
        if !word.is_empty() {
            let wh = if marked { fnv1a64(word.as_bytes()) } else { lower_h };
            let kinds = t.kinds(word, wh);
            if kinds & IS_STOP == 0 {
                let mut flags = 0;
                let digit = cls & C_DIGIT != 0;
                if digit || kinds & IS_NUMBER != 0 {
                    flags |= NUMBER;
                }
                if capital && !was_first && !digit {
                    flags |= NAME;
                }
                let hash = if kinds & IS_NEGATION != 0 {
                    not_hash
                } else if word.len() <= STEM_MAX && cls & C_WIDE == 0 {
                    let w = word.as_bytes();
                    match stem_ascii(w, digit) {
                        (n, false) if n == w.len() => wh,
                        (n, false) => fnv1a64(&w[..n]),
                        // `fnv1a64` of `w[..n - 1]` and a `y`.
                        (n, true) => (fnv1a64(&w[..n - 1]) ^ b'y' as u64).wrapping_mul(0x0100_0000_01b3),
                    }
                } else {
                    stem_into(word, &mut bufs.stem);
                    if bufs.stem == word {
                        wh
                    } else {
                        fnv1a64(bufs.stem.as_bytes())
                    }
                };
                out.push(Token { hash, flags });
            }
        }
        if negated {
            out.push(Token { hash: not_hash, flags: 0 });
        }
    }
    count
}

/// Seed of the `i`-th hash function of a MinHash family.
fn seed(family: u64, i: usize) -> u64 {
    mix64(family ^ mix64(i as u64 + 0x5eed))
}

/// A MinHash family with precomputed parameters: each shingle is mixed once, then the
/// `i`-th hash function is the multiply-add-shift `(a_i * x + b_i mod 2^64) >> 32`
/// (`a_i` odd), which is far cheaper than re-mixing the shingle per function.
#[derive(Clone, Debug)]
pub struct MinHasher {
    mul: Vec<u64>,
    add: Vec<u64>,
    /// `mul` and `add` cut in 32-bit halves (see [`min_hashes_avx2`]), each padded
    /// with [`LANES`] zeros so that any run of functions can be read in whole lanes.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    halves: Halves,
    /// Whether [`MinHasher::band_keys_into`] may run its AVX2 loop (detected once).
    avx2: bool,
}

/// Low and high halves of the multipliers, then of the addends.
type Halves = [Vec<u32>; 4];

/// Functions evaluated together by [`min_hashes_avx2`] (one 256-bit register of `u32`).
const LANES: usize = 8;

impl MinHasher {
    /// `num_hashes` functions of the family `family`.
    pub fn new(num_hashes: usize, family: u64) -> MinHasher {
        let mul: Vec<u64> = (0..num_hashes).map(|i| seed(family, i) | 1).collect();
        let add: Vec<u64> = (0..num_hashes).map(|i| seed(family ^ 0xadd, i)).collect();
        let cut =
            |v: &[u64], shift: u32| -> Vec<u32> { v.iter().map(|&x| (x >> shift) as u32).chain([0; LANES]).collect() };
        let halves = [cut(&mul, 0), cut(&mul, 32), cut(&add, 0), cut(&add, 32)];
        MinHasher { mul, add, halves, avx2: avx2_available() }
    }

    /// Number of hash functions.
    pub fn len(&self) -> usize {
        self.mul.len()
    }

    /// True when the family has no function.
    pub fn is_empty(&self) -> bool {
        self.mul.is_empty()
    }

    /// Signature of a shingle set (`u32` per hash function; empty set gives all max).
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut sig = Vec::new();
        self.signature_into(shingles, &mut sig);
        sig
    }

    /// [`MinHasher::signature`] into a reused buffer.
    pub fn signature_into(&self, shingles: &[u64], sig: &mut Vec<u32>) {
        sig.clear();
        sig.resize(self.mul.len(), u32::MAX);
        for &s in shingles {
            let x = mix64(s);
            for ((slot, &a), &b) in sig.iter_mut().zip(&self.mul).zip(&self.add) {
                let v = (x.wrapping_mul(a).wrapping_add(b) >> 32) as u32;
                *slot = (*slot).min(v);
            }
        }
    }
}

impl MinHasher {
    /// The LSH keys of bands `first..first + out.len()` (`rows` functions a band, band `b`
    /// from function `b * rows`) of a set whose elements are already mixed (`mix64` of
    /// each element, as [`MinHasher::signature`] does): each band's MinHash values hashed
    /// together with `salt`. Equal to those [`band_keys`] of the full signature, without
    /// computing the other bands; one pass over the set for all of them.
    pub fn band_keys_into(
        &self,
        mixed: impl Iterator<Item = u64>,
        first: usize,
        rows: usize,
        salt: u64,
        out: &mut [u32],
    ) {
        let seeds: Vec<u64> = (first..first + out.len()).map(|b| band_seed(salt, b)).collect();
        self.band_keys_seeded(mixed, first, rows, &seeds, out)
    }

    /// [`MinHasher::band_keys_into`] given the bands' [`band_seed`]s (`seeds[i]` that of
    /// band `first + i`), which a caller keying many sets computes once.
    pub fn band_keys_seeded(
        &self,
        mixed: impl Iterator<Item = u64>,
        first: usize,
        rows: usize,
        seeds: &[u64],
        out: &mut [u32],
    ) {
        let lo = (first * rows).min(self.mul.len());
        let hi = ((first + out.len()) * rows).min(self.mul.len());
        // Whole lanes: the padding functions' minima are computed and ignored.
        let padded = (hi - lo).div_ceil(LANES) * LANES;
        let mut mins = [u32::MAX; 64];
        let mut extra: Vec<u32> = Vec::new();
        let slots: &mut [u32] = if padded <= mins.len() {
            &mut mins[..padded]
        } else {
            extra.resize(padded, u32::MAX);
            &mut extra
        };
        if self.avx2 {
            #[cfg(target_arch = "x86_64")]
            self.min_hashes_simd(mixed, lo, slots);
        } else {
            min_hashes(mixed, &self.mul[lo..hi], &self.add[lo..hi], &mut slots[..hi - lo]);
        }
        let slots = &slots[..hi - lo];
        // Bands keyed four at a time with AVX2; the others (and all without it) below.
        #[cfg(target_arch = "x86_64")]
        let done = if self.avx2 {
            // SAFETY: `avx2` is set only when the CPU has AVX2 (`avx2_available`).
            unsafe { band_keys_avx2(slots, rows, seeds, out) }
        } else {
            0
        };
        #[cfg(not(target_arch = "x86_64"))]
        let done = 0;
        for (i, key) in out.iter_mut().enumerate().skip(done) {
            // The band's functions (fewer, or none, past the family's last).
            let start = (i * rows).min(slots.len());
            let mut h = seeds[i];
            for &v in &slots[start..(start + rows).min(slots.len())] {
                h = mix64(h ^ v as u64);
            }
            *key = (h >> 32) as u32;
        }
    }
}

impl MinHasher {
    /// [`min_hashes`] of functions `lo..lo + slots.len()` with [`min_hashes_avx2`]
    /// (`slots.len()` a multiple of [`LANES`]); only when `self.avx2`.
    #[cfg(target_arch = "x86_64")]
    fn min_hashes_simd(&self, mixed: impl Iterator<Item = u64>, lo: usize, slots: &mut [u32]) {
        assert!(self.avx2);
        let h = |k: usize| &self.halves[k][lo..lo + slots.len()];
        let halves = [h(0), h(1), h(2), h(3)];
        // SAFETY: `avx2` is set only when the CPU has AVX2 (`avx2_available`).
        let mut flush = |batch: &[[u32; 2]]| unsafe { min_hashes_avx2(batch, halves, slots) };
        // The set in batches on the stack, each read once per eight functions.
        let mut batch = [[0u32; 2]; 64];
        let mut len = 0;
        for x in mixed {
            batch[len] = [x as u32, (x >> 32) as u32];
            len += 1;
            if len == batch.len() {
                flush(&batch);
                len = 0;
            }
        }
        flush(&batch[..len]);
    }
}

/// Lowers each `slots[i]` to the minimum over `mixed` of `(mul[i] * x + add[i]) >> 32`
/// (mod 2^64): the MinHash values of functions `mul`, `add`.
fn min_hashes(mixed: impl Iterator<Item = u64>, mul: &[u64], add: &[u64], slots: &mut [u32]) {
    for x in mixed {
        for ((slot, &a), &b) in slots.iter_mut().zip(mul).zip(add) {
            *slot = (*slot).min((x.wrapping_mul(a).wrapping_add(b) >> 32) as u32);
        }
    }
}

/// [`min_hashes`] with AVX2, eight functions a register, in 32-bit arithmetic: with
/// `x = xh 2^32 + xl`, `a = ah 2^32 + al`, `b = bh 2^32 + bl` and `p = xl al + bl` (exact
/// in 64 bits), the top half of `a x + b mod 2^64` is `(p >> 32) + xh al + xl ah + bh
/// mod 2^32`. `halves` are `al`, `ah`, `bl`, `bh` of the functions, each as long as
/// `slots`, a multiple of [`LANES`]; each element of `mixed` is given as `[xl, xh]`.
///
/// # Safety
/// The CPU must have AVX2 ([`avx2_available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn min_hashes_avx2(mixed: &[[u32; 2]], halves: [&[u32]; 4], slots: &mut [u32]) {
    use std::arch::x86_64::*;
    let n = slots.len() / LANES * LANES;
    let load = |v: &[u32], c: usize| {
        let lane: &[u32; LANES] = v[c..c + LANES].try_into().expect("a lane");
        _mm256_loadu_si256(lane.as_ptr().cast())
    };
    let [al, ah, bl, bh] = halves;
    // Eight functions at a time over the whole set: their minima stay in one register.
    for c in (0..n).step_by(LANES) {
        let (a_lo, a_hi, b_lo, b_hi) = (load(al, c), load(ah, c), load(bl, c), load(bh, c));
        // 32x32-bit products read the even 32-bit lanes: functions 0, 2, 4, 6 as they are,
        // 1, 3, 5, 7 shifted down.
        let (a_even, a_odd) = (a_lo, _mm256_srli_epi64::<32>(a_lo));
        let (b_even, b_odd) =
            (_mm256_and_si256(b_lo, _mm256_set1_epi64x(u32::MAX as i64)), _mm256_srli_epi64::<32>(b_lo));
        let mut m = load(slots, c);
        for &[xl, xh] in mixed {
            let (xl, xh) = (_mm256_set1_epi32(xl as i32), _mm256_set1_epi32(xh as i32));
            let p_even = _mm256_add_epi64(_mm256_mul_epu32(xl, a_even), b_even);
            let p_odd = _mm256_add_epi64(_mm256_mul_epu32(xl, a_odd), b_odd);
            // `p >> 32` of every function, in function order.
            let top = _mm256_blend_epi32::<0b1010_1010>(_mm256_srli_epi64::<32>(p_even), p_odd);
            let cross = _mm256_add_epi32(_mm256_mullo_epi32(xh, a_lo), _mm256_mullo_epi32(xl, a_hi));
            m = _mm256_min_epu32(m, _mm256_add_epi32(top, _mm256_add_epi32(cross, b_hi)));
        }
        let out: &mut [u32; LANES] = (&mut slots[c..c + LANES]).try_into().expect("a lane");
        _mm256_storeu_si256(out.as_mut_ptr().cast(), m);
    }
}

/// The keys of [`MinHasher::band_keys_seeded`] from the band minima `slots`, four bands at
/// a time (one [`mix64`] chain a 64-bit lane), for the first bands that have all their
/// `rows` values and come in fours: their number.
///
/// # Safety
/// The CPU must have AVX2 ([`avx2_available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn band_keys_avx2(slots: &[u32], rows: usize, seeds: &[u64], out: &mut [u32]) -> usize {
    use std::arch::x86_64::*;
    let full = out.len().min(slots.len() / rows.max(1)) / 4 * 4;
    for g in (0..full).step_by(4) {
        let s: &[u64; 4] = seeds[g..g + 4].try_into().expect("four seeds");
        let mut h = _mm256_loadu_si256(s.as_ptr().cast());
        for r in 0..rows {
            let v = |k: usize| slots[(g + k) * rows + r] as i64;
            h = mix64_avx2(_mm256_xor_si256(h, _mm256_set_epi64x(v(3), v(2), v(1), v(0))));
        }
        let mut keys = [0u64; 4];
        _mm256_storeu_si256(keys.as_mut_ptr().cast(), h);
        for (key, h) in out[g..g + 4].iter_mut().zip(keys) {
            *key = (h >> 32) as u32;
        }
    }
    full
}

/// [`mix64`] of each 64-bit lane.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn mix64_avx2(x: std::arch::x86_64::__m256i) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    // The low 64 bits of `x * c`: `lo(x) lo(c) + (hi(x) lo(c) + lo(x) hi(c)) << 32`.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn mul(x: __m256i, c: u64) -> __m256i {
        let (lo, hi) = (_mm256_set1_epi64x(c as u32 as i64), _mm256_set1_epi64x((c >> 32) as i64));
        let cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64::<32>(x), lo), _mm256_mul_epu32(x, hi));
        _mm256_add_epi64(_mm256_mul_epu32(x, lo), _mm256_slli_epi64::<32>(cross))
    }
    let x = _mm256_add_epi64(x, _mm256_set1_epi64x(0x9e37_79b9_7f4a_7c15_u64 as i64));
    let x = mul(_mm256_xor_si256(x, _mm256_srli_epi64::<30>(x)), 0xbf58_476d_1ce4_e5b9);
    let x = mul(_mm256_xor_si256(x, _mm256_srli_epi64::<27>(x)), 0x94d0_49bb_1331_11eb);
    _mm256_xor_si256(x, _mm256_srli_epi64::<31>(x))
}

/// The hash of each window of `k >= 1` consecutive `words` (a [`mix64`] chain from 0 over
/// the window), in order: `words.windows(k)` folded, four windows at a time with AVX2 when the
/// CPU has it (consecutive windows are consecutive lanes of one load).
pub fn window_hashes(words: &[u64], k: usize) -> Vec<u64> {
    assert!(k > 0, "windows of at least one word");
    let fold = |w: &[u64]| w.iter().fold(0, |h, &x| mix64(h ^ x));
    if words.len() < k {
        return Vec::new();
    }
    let n = words.len() + 1 - k;
    let mut out = Vec::with_capacity(n);
    #[cfg(target_arch = "x86_64")]
    if avx2_available() {
        // SAFETY: the CPU has AVX2.
        unsafe { window_hashes_avx2(words, k, &mut out) };
    }
    let done = out.len();
    out.extend(words[done..].windows(k).map(fold));
    out
}

/// The first windows of [`window_hashes`], in fours, appended to `out` (empty).
///
/// # Safety
/// The CPU must have AVX2 ([`avx2_available`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn window_hashes_avx2(words: &[u64], k: usize, out: &mut Vec<u64>) {
    use std::arch::x86_64::*;
    let n = words.len() + 1 - k;
    for i in (0..n / 4 * 4).step_by(4) {
        let mut h = _mm256_setzero_si256();
        for j in 0..k {
            let x: &[u64; 4] = words[i + j..i + j + 4].try_into().expect("four words");
            h = mix64_avx2(_mm256_xor_si256(h, _mm256_loadu_si256(x.as_ptr().cast())));
        }
        let mut four = [0u64; 4];
        _mm256_storeu_si256(four.as_mut_ptr().cast(), h);
        out.extend_from_slice(&four);
    }
}

/// Whether this CPU runs [`min_hashes_avx2`].
fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The start of the hash chain of band `band`'s key under `salt` (see [`band_keys`]).
pub fn band_seed(salt: u64, band: usize) -> u64 {
    mix64(salt ^ band as u64)
}

/// MinHash signature of a shingle set (`u32` per hash function; empty set gives all max).
pub fn minhash(shingles: &[u64], num_hashes: usize, family: u64) -> Vec<u32> {
    MinHasher::new(num_hashes, family).signature(shingles)
}

/// One-permutation MinHash: each shingle is hashed once and falls in one of `bins` bins,
/// each keeping its minimum; empty bins borrow the value of the next non-empty bin
/// (circularly, salted with the distance) so that two signatures agree on a bin with
/// probability close to the Jaccard similarity of the sets. Costs one hash per shingle
/// instead of one per shingle and function; used for whole-article signatures, whose
/// shingle sets are much larger than the number of bins. Empty set gives an empty vector.
pub fn one_permutation_minhash(shingles: &[u64], bins: usize, family: u64) -> Vec<u32> {
    if shingles.is_empty() || bins == 0 {
        return Vec::new();
    }
    let mut sig: Vec<Option<u32>> = vec![None; bins];
    for &s in shingles {
        let x = mix64(s ^ family);
        let bin = (((x >> 32) * bins as u64) >> 32) as usize;
        let v = x as u32;
        let slot = &mut sig[bin];
        *slot = Some(slot.map_or(v, |old| old.min(v)));
    }
    (0..bins)
        .map(|i| {
            (0..bins).find_map(|d| sig[(i + d) % bins].map(|v| (d, v))).map_or(u32::MAX, |(d, v)| {
                if d == 0 {
                    v
                } else {
                    (mix64(v as u64 ^ ((d as u64) << 32)) >> 32) as u32
                }
            })
        })
        .collect()
}

/// LSH band keys of a signature: `bands` keys, each a hash of `rows` consecutive values
/// (and of `salt`, so units of different kinds never share a bucket).
pub fn band_keys(sig: &[u32], bands: usize, salt: u64) -> Vec<u32> {
    let bands = bands.max(1);
    let rows = (sig.len() / bands).max(1);
    (0..bands)
        .map(|b| {
            let mut h = band_seed(salt, b);
            for v in sig.iter().skip(b * rows).take(rows) {
                h = mix64(h ^ *v as u64);
            }
            (h >> 32) as u32
        })
        .collect()
}

/// Estimated Jaccard similarity of two MinHash signatures.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// A token set ready for verification: sorted, deduplicated by hash (flags or-ed).
pub fn token_set(tokens: &[Token]) -> Vec<Token> {
    token_set_sorting(&mut tokens.to_vec())
}

/// [`token_set`] of `tokens`, sorting them in place (no copy; their order is lost).
pub fn token_set_sorting(tokens: &mut [Token]) -> Vec<Token> {
    tokens.sort_unstable_by_key(|t| t.hash);
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for &t in tokens.iter() {
        match out.last_mut() {
            Some(last) if last.hash == t.hash => last.flags |= t.flags,
            _ => out.push(t),
        }
    }
    out
}

/// Weights used by [`similarity`].
#[derive(Clone, Copy, Debug)]
pub struct Weights {
    /// Weight of a name token.
    pub name: f64,
    /// Weight of a number token.
    pub number: f64,
    /// Veto when both sides have a number the other lacks.
    pub number_veto: bool,
    /// Veto when both sides have at least this many names the other lacks (0 = never).
    pub name_veto: usize,
    /// Veto when only one side is negated (has a `not` token the other lacks).
    pub negation_veto: bool,
    /// Veto when one side has at least this many numbers the other lacks (0 = never); the
    /// both-sides rule is [`Weights::number_veto`].
    pub extra_number_veto: usize,
    /// Mix, in `[0, 1]`, of the weighted Jaccard with the share of the larger side that the
    /// other covers (0 = plain weighted Jaccard).
    pub balance: f64,
}

/// One side of a verification: a set of tokens sorted by key, each with its flags and its
/// full weight. Token sets ([`token_set`]) and the corpus part's packed units both are.
pub trait TokenSide {
    /// Number of tokens.
    fn len(&self) -> usize;
    /// True when there is no token.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Sort key of token `i` (equal keys are the same token).
    fn key(&self, i: usize) -> u64;
    /// [`NUMBER`], [`NAME`] flags of token `i`.
    fn flags(&self, i: usize) -> u8;
    /// Full weight of token `i` (class weight times IDF, when there is one).
    fn weight(&self, i: usize) -> f64;
}

/// A token set with class weights only (no IDF).
struct Plain<'a>(&'a [Token], &'a Weights);

impl TokenSide for Plain<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn key(&self, i: usize) -> u64 {
        self.0[i].hash
    }
    fn flags(&self, i: usize) -> u8 {
        self.0[i].flags
    }
    fn weight(&self, i: usize) -> f64 {
        class_weight(self.0[i].flags, self.1)
    }
}

/// The weight of a token's class: numbers, names, other words.
pub fn class_weight(flags: u8, w: &Weights) -> f64 {
    if flags & NUMBER != 0 {
        w.number
    } else if flags & NAME != 0 {
        w.name
    } else {
        1.0
    }
}

/// Verification similarity of two token sets (from [`token_set`]): weighted Jaccard in
/// `[0, 1]`, or 0 when a veto applies (see the module docs).
pub fn similarity(a: &[Token], b: &[Token], w: &Weights) -> f64 {
    similarity_of(&Plain(a, w), &Plain(b, w), w, fnv1a64(b"not"))
}

/// The verification similarity of two sides (see [`similarity`]); `not_key` is the key of
/// the negation token `not` in both sides.
pub fn similarity_of(a: &impl TokenSide, b: &impl TokenSide, w: &Weights, not_key: u64) -> f64 {
    /// What one side has that the other lacks.
    #[derive(Default)]
    struct Only {
        weight: f64,
        numbers: usize,
        names: usize,
        not: bool,
    }
    impl Only {
        fn add(&mut self, side: &impl TokenSide, i: usize, not_key: u64) -> f64 {
            let (wt, f) = (side.weight(i), side.flags(i));
            self.weight += wt;
            self.numbers += (f & NUMBER != 0) as usize;
            self.names += (f & NAME != 0 && f & NUMBER == 0) as usize;
            self.not |= side.key(i) == not_key;
            wt
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut inter, mut union) = (0.0, 0.0);
    let (mut oa, mut ob) = (Only::default(), Only::default());
    let (na, nb) = (a.len(), b.len());
    while i < na || j < nb {
        let ord = if i < na && j < nb {
            a.key(i).cmp(&b.key(j))
        } else if i < na {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        };
        match ord {
            std::cmp::Ordering::Equal => {
                let wt = a.weight(i).max(b.weight(j));
                inter += wt;
                union += wt;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                union += oa.add(a, i, not_key);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                union += ob.add(b, j, not_key);
                j += 1;
            }
        }
    }
    let (only_a, only_b, lone_not) = (oa.weight, ob.weight, oa.not || ob.not);
    let (num_a, num_b, name_a, name_b) = (oa.numbers, ob.numbers, oa.names, ob.names);
    if union == 0.0 {
        return 0.0;
    }
    if w.number_veto && num_a > 0 && num_b > 0 {
        return 0.0;
    }
    if w.name_veto > 0 && name_a >= w.name_veto && name_b >= w.name_veto {
        return 0.0;
    }
    if w.negation_veto && lone_not {
        return 0.0;
    }
    if w.extra_number_veto > 0 && num_a.max(num_b) >= w.extra_number_veto {
        return 0.0;
    }
    let jaccard = inter / union;
    if w.balance > 0.0 {
        // Share of the larger side that the other covers: a sentence plus an extra clause
        // scores lower than two sentences each rephrasing a little.
        let cover = inter / (inter + f64::max(only_a, only_b));
        return (1.0 - w.balance) * jaccard + w.balance * cover;
    }
    jaccard
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Vec<Token> {
        token_set(&content_tokens(s, &[], true))
    }

    const W: Weights = Weights {
        name: 1.5,
        number: 2.0,
        number_veto: true,
        name_veto: 2,
        negation_veto: false,
        extra_number_veto: 0,
        balance: 0.0,
    };

    #[test]
    fn quote_variants_share_a_key() {
        assert_eq!(set("There's no deal until there's a deal"), set("No deal until there is a deal."));
        assert_eq!(set("“Next time, in Moscow.”"), set("Next time in Moscow"));
        assert!(similarity(&set("We didn't get there"), &set("We did not get there!"), &W) > 0.99);
    }

    #[test]
    fn ascii_stems_are_the_stems() {
        let mut words: Vec<String> = [
            "supplies",
            "ies",
            "ties",
            "classes",
            "bus",
            "this",
            "is",
            "hopping",
            "hopped",
            "falling",
            "buzzing",
            "agreed",
            "agree",
            "exceedingly",
            "markedly",
            "sadly",
            "tree",
            "taxi",
            "skiing",
            "dies",
            "ringing",
            "1990s",
            "a1b2",
            "seeing",
            "ceased",
            "fully",
            "stressed",
            "fizzed",
            "sses",
            "nes",
            "ingly",
            "edly",
            "alibi",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        let stems = ["", "a", "ab", "abc", "abcd", "hop", "fall", "sti", "ree", "bee", "ss", "s", "ie", "ll", "zz"];
        let ends =
            ["", "s", "es", "ies", "sses", "ss", "us", "is", "ing", "ingly", "ed", "edly", "ly", "e", "i", "ings"];
        for st in stems {
            for e in ends {
                for e2 in ends {
                    words.push(format!("{st}{e}{e2}"));
                }
            }
        }
        for w in &words {
            let digit = w.bytes().any(|b| b.is_ascii_digit());
            let (n, y) = stem_ascii(w.as_bytes(), digit);
            let got = if y { format!("{}y", &w[..n - 1]) } else { w[..n].to_string() };
            assert_eq!(got, stem(w), "{w:?}");
            let h = match (n, y) {
                (n, true) => (fnv1a64(&w.as_bytes()[..n - 1]) ^ b'y' as u64).wrapping_mul(0x0100_0000_01b3),
                (n, false) => fnv1a64(&w.as_bytes()[..n]),
            };
            assert_eq!(h, fnv1a64(stem(w).as_bytes()));
        }
    }

    #[test]
    fn stems_fold_variants() {
        assert_eq!(stem("getting"), stem("get"));
        assert_eq!(stem("agreed"), stem("agree"));
        assert_eq!(stem("talks"), stem("talk"));
        assert_eq!(stem("policies"), stem("policy"));
    }

    #[test]
    fn numbers_veto_merges() {
        let a = set("Yucaipa sold the chain to Safeway in 1998 for $2.5 billion.");
        let b = set("Yucaipa sold the chain to Safeway in 1998 for $1.8 billion.");
        assert_eq!(similarity(&a, &b, &W), 0.0);
        let c = set("Yucaipa sold the chain to Safeway for $2.5 billion in 1998.");
        assert!(similarity(&a, &c, &W) > 0.99);
    }

    #[test]
    fn optional_vetoes() {
        let a = set("The board approved the merger of the two banks on Monday.");
        let b = set("The board did not approve the merger of the two banks on Monday.");
        let c = set("The board approved the merger of the two banks on Monday for 300 dollars.");
        assert!(similarity(&a, &b, &W) > 0.5);
        let neg = Weights { negation_veto: true, ..W };
        assert_eq!(similarity(&a, &b, &neg), 0.0);
        assert!(similarity(&a, &a, &neg) > 0.99);
        assert!(similarity(&a, &c, &W) > 0.5);
        let num = Weights { extra_number_veto: 1, ..W };
        assert_eq!(similarity(&a, &c, &num), 0.0);
        assert!(similarity(&c, &c, &num) > 0.99);
    }

    /// The content tokens as first written (a pass per check, `stem_into`), as a reference
    /// for the one-pass scan.
    fn content_tokens_reference(text: &str, skip: &[(usize, usize)], sentence_start: bool) -> (Vec<Token>, usize) {
        let t = tables();
        let not_hash = fnv1a64(b"not");
        let (mut first, mut count, mut out) = (sentence_start, 0, Vec::new());
        let (mut lower, mut clean, mut st) = (String::new(), String::new(), String::new());
        for (s, e) in Words::new(text) {
            count += 1;
            if skip.iter().any(|&(a, b)| s >= a && e <= b) {
                continue;
            }
            let raw = &text[s..e];
            let was_first = first;
            first = false;
            let capital = raw.chars().next().is_some_and(char::is_uppercase);
            lower_into(raw, &mut lower);
            let mut word = lower.as_str();
            let mut negated = false;
            if let Some(base) = word.strip_suffix("n't") {
                word = base;
                negated = true;
            } else if let Some(p) = word.rfind('\'') {
                if matches!(&word[p + 1..], "s" | "re" | "ve" | "ll" | "d" | "m") {
                    word = &word[..p];
                }
            }
            let word: &str = if word.bytes().any(|b| b == b',' || b == b'\'') {
                clean.clear();
                clean.extend(word.chars().filter(|&c| c != ',' && c != '\''));
                &clean
            } else {
                word
            };
            if !word.is_empty() {
                let wh = fnv1a64(word.as_bytes());
                let kinds = t.kinds(word, wh);
                if kinds & IS_STOP == 0 {
                    let mut flags = 0;
                    let digit = word.bytes().any(|b| b.is_ascii_digit());
                    if digit || kinds & IS_NUMBER != 0 {
                        flags |= NUMBER;
                    }
                    if capital && !was_first && !digit {
                        flags |= NAME;
                    }
                    let hash = if kinds & IS_NEGATION != 0 {
                        not_hash
                    } else {
                        stem_into(word, &mut st);
                        if st == word {
                            wh
                        } else {
                            fnv1a64(st.as_bytes())
                        }
                    };
                    out.push(Token { hash, flags });
                }
            }
            if negated {
                out.push(Token { hash: not_hash, flags: 0 });
            }
        }
        (out, count)
    }

    #[test]
    fn one_pass_tokens_match_the_reference() {
        let texts = [
            "“Don’t,” said Zoë Müller; It's $2.5 billion, 1,000 PEOPLE’s rock’n’roll won't I'm X.",
            "The TAXIS of Élysée were agreed upon in 1990's: Nobody NEVER hopped, 3RD-rate İstanbul \u{212a}ing",
            "they're we've I'll he'd O'Neill's McDonald’s Ministries classes buses studies skiing ÉMIGRÉS’ café",
            "",
            "a",
        ];
        let mut bufs = TokenBuffers::default();
        for text in texts {
            for skip in [vec![], vec![(0, 12)], vec![(5, 30), (40, 60)]] {
                let mut got = Vec::new();
                let n = content_tokens_into(text, &skip, true, &mut bufs, &mut got);
                assert_eq!((got, n), content_tokens_reference(text, &skip, true), "{text:?} {skip:?}");
                let mut got = Vec::new();
                let n = content_tokens_into(text, &skip, false, &mut bufs, &mut got);
                assert_eq!((got, n), content_tokens_reference(text, &skip, false), "{text:?} {skip:?}");
            }
        }
    }

    #[test]
    fn hashing_tokens_are_the_tokens_and_the_lower_hashes() {
        let text = "“Don’t,” said Zoë; It's $2.5 billion, 1,000 PEOPLE’s rock’n’roll won't I'm X";
        let all = words(text);
        for skip in [vec![], vec![(0, 14)], vec![(20, 40), (50, 60)]] {
            let mut bufs = TokenBuffers::default();
            let (mut a, mut b, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
            let n =
                content_tokens_hashing(text, all.iter().copied(), &skip, true, &mut bufs, &mut a, Some(&mut hashes));
            assert_eq!(n, content_tokens_into(text, &skip, true, &mut bufs, &mut b));
            assert_eq!(a, b);
            let mut buf = String::new();
            let want: Vec<u64> = all.iter().map(|&(s, e)| lower_hash(&text[s..e], &mut buf)).collect();
            assert_eq!(hashes, want);
        }
    }

    #[test]
    fn lower_hash_is_the_hash_of_the_lowered_word() {
        let mut buf = String::new();
        for w in ["Safeway", "ÉMIGRÉ", "don’t", "abc"] {
            let mut l = String::new();
            lower_into(w, &mut l);
            assert_eq!(lower_hash(w, &mut buf), fnv1a64(l.as_bytes()), "{w}");
        }
    }

    #[test]
    fn words_keep_numbers_and_apostrophes() {
        let t = "It's $2.5 billion, 1,000 people.";
        let w: Vec<&str> = words(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(w, vec!["It's", "2.5", "billion", "1,000", "people"]);
    }

    #[test]
    fn avx2_mix64_is_mix64() {
        #[cfg(target_arch = "x86_64")]
        if avx2_available() {
            use std::arch::x86_64::*;
            for k in 0..1000u64 {
                let xs = [mix64(k), k, u64::MAX - k, k << 60];
                let mut got = [0u64; 4];
                // SAFETY: the CPU has AVX2.
                unsafe {
                    let v = mix64_avx2(_mm256_loadu_si256(xs.as_ptr().cast()));
                    _mm256_storeu_si256(got.as_mut_ptr().cast(), v);
                }
                assert_eq!(got, xs.map(mix64));
            }
        }
    }

    #[test]
    fn window_hashes_are_the_folded_windows() {
        let words: Vec<u64> = (0..23u64).map(|i| mix64(i * 31)).collect();
        for len in [0, 1, 3, 4, 5, 8, 9, 23] {
            for k in 1..7 {
                let w = &words[..len];
                let plain: Vec<u64> = w.windows(k).map(|w| w.iter().fold(0, |h, &x| mix64(h ^ x))).collect();
                assert_eq!(window_hashes(w, k), plain, "{len} words, windows of {k}");
            }
        }
    }

    #[test]
    fn minhash_estimates_jaccard() {
        let hashes =
            |s: &str| -> Vec<u64> { token_set(&content_tokens(s, &[], true)).iter().map(|t| t.hash).collect() };
        let a = hashes("alpha beta gamma delta epsilon zeta eta theta");
        let b = hashes("alpha beta gamma delta epsilon zeta eta iota");
        let (sa, sb) = (minhash(&a, 256, 1), minhash(&b, 256, 1));
        let e = estimate(&sa, &sb);
        assert!((e - 7.0 / 9.0).abs() < 0.12, "{e}");
        // Band keys computed one band at a time are those of the whole signature.
        let h = MinHasher::new(256, 1);
        let mixed: Vec<u64> = a.iter().map(|&x| mix64(x)).collect();
        let mut keys = vec![0u32; 32];
        for first in (0..32).step_by(6) {
            let end = (first + 6).min(32);
            h.band_keys_into(mixed.iter().copied(), first, 8, 5, &mut keys[first..end]);
        }
        assert_eq!(keys, band_keys(&sa, 32, 5));
    }

    #[test]
    fn avx2_min_hashes_are_the_min_hashes() {
        let h = MinHasher::new(45, 7);
        let xs: Vec<u64> =
            (0..150u64).map(|i| mix64(i ^ 0xfeed)).chain([0, u64::MAX, 1 << 32, u32::MAX as u64]).collect();
        for take in [0, 1, 5, 64, 65, 130, xs.len()] {
            let mixed = || xs.iter().copied().take(take);
            let mut plain = vec![u32::MAX; 45];
            min_hashes(mixed(), &h.mul, &h.add, &mut plain);
            let halves = |k: usize| &h.halves[k][..48];
            let set: Vec<[u32; 2]> = mixed().map(|x| [x as u32, (x >> 32) as u32]).collect();
            #[cfg(target_arch = "x86_64")]
            if avx2_available() {
                let mut fast = vec![u32::MAX; 48];
                // SAFETY: the CPU has AVX2.
                unsafe { min_hashes_avx2(&set, [halves(0), halves(1), halves(2), halves(3)], &mut fast) };
                assert_eq!(fast[..45], plain[..], "{take} elements");
            }
        }
        // Band keys the same either way, for runs of functions that are not whole lanes.
        let plain = MinHasher { avx2: false, ..h.clone() };
        for take in [0, 3, 64, 100, xs.len()] {
            for (first, count, rows) in [(0, 9, 5), (1, 4, 3), (2, 20, 2), (0, 45, 1), (0, 12, 4), (3, 20, 3)] {
                let (mut a, mut b) = (vec![0u32; count], vec![0u32; count]);
                h.band_keys_into(xs.iter().copied().take(take), first, rows, 3, &mut a);
                plain.band_keys_into(xs.iter().copied().take(take), first, rows, 3, &mut b);
                assert_eq!(a, b, "bands {first}+{count} of {rows} rows, {take} elements");
            }
        }
    }

    /// The original `char_indices` tokenizer, as a reference for the fast one.
    fn words_reference(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut it = text.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let mut end = i + c.len_utf8();
            let mut prev = c;
            while let Some(&(j, d)) = it.peek() {
                if d.is_alphanumeric() {
                    end = j + d.len_utf8();
                    prev = d;
                    it.next();
                    continue;
                }
                let inner_ok = matches!(d, '\'' | '\u{2019}') && prev.is_alphabetic()
                    || matches!(d, '.' | ',') && prev.is_ascii_digit();
                if inner_ok {
                    let follows = match text[j + d.len_utf8()..].chars().next() {
                        Some(n) if matches!(d, '.' | ',') => n.is_ascii_digit(),
                        Some(n) => n.is_alphabetic(),
                        None => false,
                    };
                    if follows {
                        it.next();
                        prev = d;
                        continue;
                    }
                }
                break;
            }
            out.push((i, end));
        }
        out
    }

    #[test]
    fn fast_words_match_the_reference() {
        let samples = [
            "It's $2.5 billion, 1,000 people.",
            "“Don’t,” said Zoë Müller-Lüdenscheidt; 3.14. 1,2, x'y' 'quoted' ’tis rock’n’roll",
            "Ελληνικά κείμενα, 中文字符 and émigrés’ café… 1.5e3 a.b.c 7’s",
            "",
            "  ...  ",
            "end'",
            "9,",
            "ab\u{2019}",
        ];
        for s in samples {
            assert_eq!(words(s), words_reference(s), "{s:?}");
            assert_eq!(word_count(s), words_reference(s).len());
        }
    }

    #[test]
    fn words_between_are_the_words_of_the_range() {
        let samples = [
            "It's $2.5 billion, 1,000 people.",
            "“Don’t,” said Zoë Müller-Lüdenscheidt; 3.14. 1,2, x'y' 'quoted' ’tis rock’n’roll",
            "Ελληνικά κείμενα, 中文字符 and émigrés’ café… 1.5e3 a.b.c 7’s end'",
        ];
        for text in samples {
            let all = words(text);
            for a in 0..=text.len() {
                for b in a..=text.len() + 1 {
                    let want: Vec<(usize, usize)> = match text.get(a..b) {
                        Some(t) => words(t).into_iter().map(|(s, e)| (a + s, a + e)).collect(),
                        None => Vec::new(),
                    };
                    assert_eq!(words_between(text, &all, a, b), want, "{text:?} {a}..{b}");
                }
            }
        }
    }

    #[test]
    fn one_permutation_minhash_estimates_jaccard() {
        let a: Vec<u64> = (0..400u64).map(mix64).collect();
        let b: Vec<u64> = (100..500u64).map(mix64).collect();
        let (sa, sb) = (one_permutation_minhash(&a, 64, 7), one_permutation_minhash(&b, 64, 7));
        let e = estimate(&sa, &sb);
        assert!((e - 300.0 / 500.0).abs() < 0.15, "{e}");
        assert_eq!(estimate(&sa, &one_permutation_minhash(&a, 64, 7)), 1.0);
        // Few shingles: empty bins are filled, the estimate stays meaningful.
        let (c, d) = (one_permutation_minhash(&a[..5], 64, 7), one_permutation_minhash(&b[..5], 64, 7));
        assert!(estimate(&c, &d) < 0.5);
        assert!(one_permutation_minhash(&[], 64, 7).is_empty());
        // Repeated shingles do not change a signature (the stage passes them unsorted).
        let mut twice: Vec<u64> = a.iter().chain(&a[..50]).rev().copied().collect();
        assert_eq!(one_permutation_minhash(&twice, 64, 7), sa);
        twice.sort_unstable();
        twice.dedup();
        assert_eq!(twice.len(), a.len());
    }
}
