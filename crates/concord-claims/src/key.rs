//! The matching key of a unit: stemmed content tokens, shingles, MinHash signatures, LSH
//! band keys, and the verification similarity.
//!
//! # Why this similarity
//!
//! Candidates come from MinHash + LSH over shingles of the key (never all pairs); each
//! candidate is then verified with a *weighted Jaccard over stemmed content words*
//! (stop words dropped, negations kept as `not`, numbers kept). Names (capitalised words
//! not at the start of a sentence) and numbers weigh more than ordinary words, because they
//! carry the checkable content of a news claim. On top of that, a hard veto rejects a pair
//! when *both* sides carry a number the other lacks (`$2.5 billion` / `$1.8 billion`,
//! `1995` / `1998`), the classic false merge of word-overlap measures. A milder rule does
//! the same for names. Quote variants ("There's no deal until there's a deal" / "No deal
//! until there is a deal") reduce to the same content words and score 1.

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

const IS_STOP: u8 = 1;
const IS_NUMBER: u8 = 2;
const IS_NEGATION: u8 = 4;

/// The fixed word lists in one open-addressing table keyed by the word's `fnv1a64`
/// (confirmed by string comparison): one probe per word instead of three searches.
struct WordTable {
    slots: Vec<Option<(u64, &'static str, u8)>>,
}

impl WordTable {
    fn new(lists: &[(&[&'static str], u8)]) -> WordTable {
        let n: usize = lists.iter().map(|l| l.0.len()).sum();
        let size = (n * 4).next_power_of_two().max(16);
        let mut slots: Vec<Option<(u64, &'static str, u8)>> = vec![None; size];
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

    /// The lists (`IS_*` bits) holding `w`, whose hash is `hash`.
    fn kinds(&self, w: &str, hash: u64) -> u8 {
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

#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 {
        Some(b as char)
    } else {
        text.get(i..).and_then(|t| t.chars().next())
    }
}

#[inline]
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
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

impl Iterator for Words<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let t = self.text;
        let bytes = t.as_bytes();
        // Skip to the next alphanumeric character (ASCII fast path).
        let c = loop {
            let b = *bytes.get(self.pos)?;
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    break b as char;
                }
                self.pos += 1;
            } else {
                let c = char_at(t, self.pos)?;
                if c.is_alphanumeric() {
                    break c;
                }
                self.pos += c.len_utf8();
            }
        };
        let start = self.pos;
        let mut end = start + c.len_utf8();
        let mut prev = c;
        loop {
            while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                end += 1;
                prev = bytes[end - 1] as char;
            }
            let Some(d) = char_at(t, end) else { break };
            if is_alnum(d) {
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
    Words::new(text).collect()
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
    let t = tables();
    let not_hash = fnv1a64(b"not");
    let mut first = sentence_start;
    let mut count = 0;
    for (s, e) in Words::new(text) {
        count += 1;
        if skip.iter().any(|&(a, b)| s >= a && e <= b) {
            continue;
        }
        let raw = &text[s..e];
        let was_first = first;
        first = false;
        let capital = raw.chars().next().is_some_and(char::is_uppercase);
        lower_into(raw, &mut bufs.lower);
        let mut word = bufs.lower.as_str();
        let mut negated = false;
        if let Some(base) = word.strip_suffix("n't") {
            word = base;
            negated = true;
        } else if let Some(p) = word.rfind('\'') {
            let suffix = &word[p + 1..];
            if matches!(suffix, "s" | "re" | "ve" | "ll" | "d" | "m") {
                word = &word[..p];
            }
        }
        let word: &str = if word.bytes().any(|b| b == b',' || b == b'\'') {
            bufs.clean.clear();
            bufs.clean.extend(word.chars().filter(|&c| c != ',' && c != '\''));
            &bufs.clean
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

/// Shingle hashes of a token sequence: every n-gram for n in `1..=size`.
pub fn shingles(tokens: &[Token], size: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len() * size.max(1));
    shingles_into(tokens, size, &mut out);
    out
}

/// [`shingles`] into a reused buffer (cleared first).
pub fn shingles_into(tokens: &[Token], size: usize, out: &mut Vec<u64>) {
    out.clear();
    for n in 1..=size.max(1) {
        for w in tokens.windows(n) {
            let mut h = n as u64;
            for t in w {
                h = mix64(h ^ t.hash);
            }
            out.push(h);
        }
    }
    out.sort_unstable();
    out.dedup();
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
}

impl MinHasher {
    /// `num_hashes` functions of the family `family`.
    pub fn new(num_hashes: usize, family: u64) -> MinHasher {
        MinHasher {
            mul: (0..num_hashes).map(|i| seed(family, i) | 1).collect(),
            add: (0..num_hashes).map(|i| seed(family ^ 0xadd, i)).collect(),
        }
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
            let mut h = mix64(salt ^ b as u64);
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
    let mut v = tokens.to_vec();
    v.sort_unstable_by_key(|t| t.hash);
    let mut out: Vec<Token> = Vec::with_capacity(v.len());
    for t in v {
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

fn weight(t: &Token, w: &Weights) -> f64 {
    if t.flags & NUMBER != 0 {
        w.number
    } else if t.flags & NAME != 0 {
        w.name
    } else {
        1.0
    }
}

/// Verification similarity of two token sets (from [`token_set`]): weighted Jaccard in
/// `[0, 1]`, or 0 when a veto applies (see the module docs).
pub fn similarity(a: &[Token], b: &[Token], w: &Weights) -> f64 {
    similarity_idf(a, b, w, None)
}

/// Document frequencies of tokens over a set of units, for inverse-document-frequency
/// weights: words every outlet repeats (the names of the story's protagonists) weigh less
/// than the words that make one claim differ from another.
#[derive(Clone, Debug, Default)]
pub struct Idf {
    table: Vec<(u64, u32)>,
    n: u32,
}

impl Idf {
    /// Counts each token once per set.
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a [Token]>) -> Idf {
        let mut all: Vec<u64> = Vec::new();
        let mut n = 0u32;
        for s in sets {
            n += 1;
            all.extend(s.iter().map(|t| t.hash));
        }
        all.sort_unstable();
        let mut table: Vec<(u64, u32)> = Vec::new();
        for h in all {
            match table.last_mut() {
                Some(last) if last.0 == h => last.1 += 1,
                _ => table.push((h, 1)),
            }
        }
        Idf { table, n }
    }

    /// `ln((n + 1) / (df + 1)) + 1`.
    pub fn weight(&self, hash: u64) -> f64 {
        let df = self.table.binary_search_by_key(&hash, |x| x.0).map_or(0, |i| self.table[i].1);
        ((self.n as f64 + 1.0) / (df as f64 + 1.0)).ln() + 1.0
    }
}

/// [`similarity`] with each token's weight multiplied by its IDF weight, when given.
pub fn similarity_idf(a: &[Token], b: &[Token], w: &Weights, idf: Option<&Idf>) -> f64 {
    let weight = |t: &Token| weight(t, w) * idf.map_or(1.0, |x| x.weight(t.hash));
    similarity_with(a, b, w, |i| weight(&a[i]), |j| weight(&b[j]))
}

/// The full weight of each token of a set ([`Weights`] times IDF), for
/// [`similarity_weighted`]; computing it once per unit keeps IDF look-ups out of the
/// per-pair verification.
pub fn token_weights<'a>(set: &'a [Token], w: &Weights, idf: Option<&'a Idf>) -> impl Iterator<Item = f32> + 'a {
    let w = *w;
    set.iter().map(move |t| (weight(t, &w) * idf.map_or(1.0, |x| x.weight(t.hash))) as f32)
}

/// [`similarity_idf`] with precomputed token weights (from [`token_weights`]).
pub fn similarity_weighted(a: &[Token], wa: &[f32], b: &[Token], wb: &[f32], w: &Weights) -> f64 {
    similarity_with(a, b, w, |i| wa.get(i).copied().unwrap_or(0.0) as f64, |j| wb.get(j).copied().unwrap_or(0.0) as f64)
}

fn similarity_with(a: &[Token], b: &[Token], w: &Weights, wa: impl Fn(usize) -> f64, wb: impl Fn(usize) -> f64) -> f64 {
    let (mut i, mut j) = (0, 0);
    let (mut inter, mut union) = (0.0, 0.0);
    let (mut only_a, mut only_b) = (0.0, 0.0);
    let (mut num_a, mut num_b, mut name_a, mut name_b) = (0, 0, 0, 0);
    let not_hash = fnv1a64(b"not");
    let mut lone_not = false;
    while i < a.len() || j < b.len() {
        let ord = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => {
                let (hx, hy) = (x.hash, y.hash);
                hx.cmp(&hy)
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match ord {
            std::cmp::Ordering::Equal => {
                let wt = wa(i).max(wb(j));
                inter += wt;
                union += wt;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                let t = &a[i];
                union += wa(i);
                only_a += wa(i);
                lone_not |= t.hash == not_hash;
                num_a += (t.flags & NUMBER != 0) as usize;
                name_a += (t.flags & NAME != 0 && t.flags & NUMBER == 0) as usize;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let t = &b[j];
                union += wb(j);
                only_b += wb(j);
                lone_not |= t.hash == not_hash;
                num_b += (t.flags & NUMBER != 0) as usize;
                name_b += (t.flags & NAME != 0 && t.flags & NUMBER == 0) as usize;
                j += 1;
            }
        }
    }
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
    fn minhash_estimates_jaccard() {
        let a = shingles(&content_tokens("alpha beta gamma delta epsilon zeta eta theta", &[], true), 1);
        let b = shingles(&content_tokens("alpha beta gamma delta epsilon zeta eta iota", &[], true), 1);
        let (sa, sb) = (minhash(&a, 256, 1), minhash(&b, 256, 1));
        let e = estimate(&sa, &sb);
        assert!((e - 7.0 / 9.0).abs() < 0.12, "{e}");
        assert_eq!(band_keys(&sa, 32, 0), band_keys(&minhash(&a, 256, 1), 32, 0));
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
    }

    #[test]
    fn precomputed_weights_give_the_same_similarity() {
        let a = set("Yucaipa sold the chain to Safeway in 1998 for the Stars.");
        let b = set("Yucaipa sold its chain to Safeway in 1998, the Stars said.");
        let idf = Idf::new([a.as_slice(), b.as_slice(), set("chain stores in Safeway").as_slice()]);
        let (wa, wb): (Vec<f32>, Vec<f32>) =
            (token_weights(&a, &W, Some(&idf)).collect(), token_weights(&b, &W, Some(&idf)).collect());
        let x = similarity_weighted(&a, &wa, &b, &wb, &W);
        assert!((x - similarity_idf(&a, &b, &W, Some(&idf))).abs() < 1e-6);
    }
}
