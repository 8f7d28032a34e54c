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

/// One content token of a key: its hash (of the stem) and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

fn is_stop(w: &str) -> bool {
    static SORTED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v = STOP.to_vec();
        v.sort_unstable();
        v
    });
    sorted.binary_search(&w).is_ok()
}

/// A light suffix stemmer (plural, `-ing`, `-ed`, `-ly`, final `e`), consistent rather
/// than linguistically exact: it only has to map variants of a word to one key.
pub fn stem(w: &str) -> String {
    let mut s = w.to_string();
    if !s.is_ascii() || s.len() <= 3 || s.bytes().any(|b| b.is_ascii_digit()) {
        return s;
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
    s
}

/// Words of `text` as `(start, end)` byte ranges: alphanumeric runs with inner
/// apostrophes, and numbers with inner `.`/`,` (`2.5`, `1,000`).
pub fn words(text: &str) -> Vec<(usize, usize)> {
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
                let next = text[j + d.len_utf8()..].chars().next();
                let follows = match next {
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

/// The content tokens of `text`, skipping words inside any of `skip` (byte ranges of
/// `text`), in text order (duplicates kept).
///
/// `sentence_start` says whether `text` begins a sentence (its first word is then not
/// taken as a name just for being capitalised).
pub fn content_tokens(text: &str, skip: &[(usize, usize)], sentence_start: bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut first = sentence_start;
    for (s, e) in words(text) {
        if skip.iter().any(|&(a, b)| s >= a && e <= b) {
            continue;
        }
        let raw = &text[s..e];
        let was_first = first;
        first = false;
        let capital = raw.chars().next().is_some_and(char::is_uppercase);
        let lower: String =
            raw.chars().flat_map(char::to_lowercase).map(|c| if c == '\u{2019}' { '\'' } else { c }).collect();
        let mut word = lower.as_str();
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
        let word = word.replace([',', '\''], "");
        if !word.is_empty() && !is_stop(&word) {
            let mut flags = 0;
            let digit = word.bytes().any(|b| b.is_ascii_digit());
            if digit || NUMBER_WORDS.contains(&word.as_str()) {
                flags |= NUMBER;
            }
            if capital && !was_first && !digit {
                flags |= NAME;
            }
            let stemmed = if NEGATIONS.contains(&word.as_str()) { "not".to_string() } else { stem(&word) };
            out.push(Token { hash: fnv1a64(stemmed.as_bytes()), flags });
        }
        if negated {
            out.push(Token { hash: fnv1a64(b"not"), flags: 0 });
        }
    }
    out
}

/// Shingle hashes of a token sequence: every n-gram for n in `1..=size`.
pub fn shingles(tokens: &[Token], size: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len() * size.max(1));
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
    out
}

/// Seed of the `i`-th hash function of a MinHash family.
fn seed(family: u64, i: usize) -> u64 {
    mix64(family ^ mix64(i as u64 + 0x5eed))
}

/// MinHash signature of a shingle set (`u32` per hash function; empty set gives all max).
pub fn minhash(shingles: &[u64], num_hashes: usize, family: u64) -> Vec<u32> {
    let seeds: Vec<u64> = (0..num_hashes).map(|i| seed(family, i)).collect();
    let mut sig = vec![u32::MAX; num_hashes];
    for &s in shingles {
        for (slot, &sd) in sig.iter_mut().zip(&seeds) {
            let v = (mix64(s ^ sd) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
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
    let weight = |t: &Token, w: &Weights| weight(t, w) * idf.map_or(1.0, |x| x.weight(t.hash));
    let (mut i, mut j) = (0, 0);
    let (mut inter, mut union) = (0.0, 0.0);
    let (mut num_a, mut num_b, mut name_a, mut name_b) = (0, 0, 0, 0);
    while i < a.len() || j < b.len() {
        let ord = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.hash.cmp(&y.hash),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match ord {
            std::cmp::Ordering::Equal => {
                let wt = weight(&a[i], w).max(weight(&b[j], w));
                inter += wt;
                union += wt;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                let t = &a[i];
                union += weight(t, w);
                num_a += (t.flags & NUMBER != 0) as usize;
                name_a += (t.flags & NAME != 0 && t.flags & NUMBER == 0) as usize;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let t = &b[j];
                union += weight(t, w);
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
    inter / union
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Vec<Token> {
        token_set(&content_tokens(s, &[], true))
    }

    const W: Weights = Weights { name: 1.5, number: 2.0, number_veto: true, name_veto: 2 };

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
}
