//! A small word tokenizer with byte offsets, and token shape helpers.

/// A token: a byte range of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '\u{2019}' | '.' | '&')
}

/// Appends the tokens of `text[start..end]` to `out`.
///
/// A word is a run of letters and digits, joined through `-`, `'`, `’`, `.` and `&` when a
/// letter or digit follows (`Elmendorf-Richardson`, `O'Brien`, `U.S.`); a possessive `'s`
/// is split off (`Putin` `’s`). Any other non-space character is a token of its own.
pub fn tokenize(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    tokenize_with(text, start, end, out, &mut Vec::new());
}

/// [`tokenize`] with a reusable scratch buffer (no allocation per call once it has grown).
pub(crate) fn tokenize_with(
    text: &str,
    start: usize,
    end: usize,
    out: &mut Vec<Token>,
    chars: &mut Vec<(usize, char)>,
) {
    let end = end.min(text.len());
    let Some(s) = text.get(start..end) else { return };
    if s.is_ascii() {
        // one byte per char: no decoding, no buffer
        tokenize_ascii(s.as_bytes(), start, out, |_, _| {});
    } else {
        chars.clear();
        chars.extend(s.char_indices());
        let chars = &chars[..];
        tokenize_chars(s, start, chars.len(), |k| chars.get(k).copied(), out);
    }
}

/// True for the bytes `char::is_whitespace` accepts among ASCII (`\t`, `\n`, VT, FF, `\r`, space).
#[inline(always)]
const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Byte classes of the ASCII tokenizer ([`CLASS`]).
const ALNUM: u8 = 1;
const SPACE: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
const JOINER: u8 = 16;

/// The class bits of every byte: one load instead of range tests.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            ALNUM | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM | LOWER
        } else if c.is_ascii_digit() {
            ALNUM
        } else if is_ascii_space(c) {
            SPACE
        } else if matches!(c, b'-' | b'\'' | b'.' | b'&') {
            JOINER
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The tokenizer on an ASCII sentence `b` (at `start` in the text), byte by byte: the same
/// tokens as the general code. `word` is called with each token's bytes and their
/// [`WordFacts`] (computed in the same pass) right after the token is pushed.
#[inline(always)]
pub(crate) fn tokenize_ascii(b: &[u8], start: usize, out: &mut Vec<Token>, mut word: impl FnMut(&[u8], WordFacts)) {
    let n = b.len();
    let class = |k: usize| if k < n { CLASS[b[k] as usize] } else { 0 };
    // a possessive 's / 'S at k: quote, s, then no word character
    let poss = |k: usize| b[k] == b'\'' && k + 1 < n && matches!(b[k + 1], b's' | b'S') && class(k + 2) & ALNUM == 0;
    let fnv = |h: u64, c: u8| (h ^ c as u64).wrapping_mul(FNV_PRIME);
    let mut i = 0;
    while i < n {
        let c = b[i];
        let k = CLASS[c as usize];
        if k & ALNUM != 0 {
            let mut j = i + 1;
            let mut dots = false;
            let mut exact = fnv(FNV_OFFSET, c);
            let mut seen = k;
            while j < n {
                let c = b[j];
                let k = CLASS[c as usize];
                if k & ALNUM != 0 {
                    exact = fnv(exact, c);
                    seen |= k;
                    j += 1;
                } else if k & JOINER != 0 && class(j + 1) & ALNUM != 0 && !poss(j) {
                    dots |= c == b'.';
                    exact = fnv(fnv(exact, c), b[j + 1]);
                    seen |= CLASS[b[j + 1] as usize];
                    j += 2;
                } else {
                    break;
                }
            }
            // acronym with a final dot: U.S. / U.N.
            if dots && j < n && b[j] == b'.' && b[i..j].split(|&x| x == b'.').all(|p| p.len() == 1) {
                exact = fnv(exact, b'.');
                j += 1;
            }
            out.push(Token { start: start + i, end: start + j });
            let w = &b[i..j];
            let case = if k & LOWER != 0 {
                Case::Lower
            } else if k & UPPER == 0 {
                Case::Other
            } else if seen & LOWER != 0 {
                Case::Title
            } else {
                Case::Upper
            };
            // most words have no capital: lower-casing changes nothing
            let lower = if seen & UPPER != 0 {
                w.iter().fold(FNV_OFFSET, |h, &c| fnv(h, c.to_ascii_lowercase()))
            } else {
                exact
            };
            word(w, WordFacts { case, lower, exact });
            i = j;
        } else if k & SPACE != 0 {
            i += 1;
        } else {
            let e = if poss(i) { i + 2 } else { i + 1 };
            out.push(Token { start: start + i, end: start + e });
            word(&b[i..e], word_facts_ascii(&b[i..e]));
            i = e;
        }
    }
}

/// The tokenizer over `s` (at `start` in the text) given its `n` chars as (offset, char).
#[inline(always)]
fn tokenize_chars(s: &str, start: usize, n: usize, at: impl Fn(usize) -> Option<(usize, char)>, out: &mut Vec<Token>) {
    let mut i = 0;
    while i < n {
        let Some((off, c)) = at(i) else { break };
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            // a split-off possessive 's stays one token
            let poss = matches!(c, '\'' | '\u{2019}')
                && matches!(at(i + 1), Some((_, 's' | 'S')))
                && !at(i + 2).is_some_and(|x| x.1.is_alphanumeric());
            if poss {
                let next = at(i + 2).map(|x| x.0).unwrap_or(s.len());
                out.push(Token { start: start + off, end: start + next });
                i += 2;
                continue;
            }
            let next = at(i + 1).map(|x| x.0).unwrap_or(s.len());
            out.push(Token { start: start + off, end: start + next });
            i += 1;
            continue;
        }
        let mut j = i + 1;
        loop {
            match at(j) {
                Some((_, c)) if c.is_alphanumeric() => j += 1,
                Some((_, c)) if is_joiner(c) && at(j + 1).is_some_and(|x| x.1.is_alphanumeric()) => {
                    // possessive: ’s / 's followed by a non-word character
                    if matches!(c, '\'' | '\u{2019}')
                        && matches!(at(j + 1), Some((_, 's' | 'S')))
                        && !at(j + 2).is_some_and(|x| x.1.is_alphanumeric())
                    {
                        break;
                    }
                    j += 2;
                }
                _ => break,
            }
        }
        // acronym with a final dot: U.S. / U.N.
        let word_end = at(j).map(|x| x.0).unwrap_or(s.len());
        let word = &s[off..word_end];
        if at(j).is_some_and(|x| x.1 == '.') && word.contains('.') && word.split('.').all(|p| p.chars().count() == 1) {
            j += 1;
        }
        let e = at(j).map(|x| x.0).unwrap_or(s.len());
        out.push(Token { start: start + off, end: start + e });
        i = j;
    }
}

/// Capitalisation class of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Starts with an upper-case letter, has lower-case letters.
    Title,
    /// Only upper-case letters (at least one).
    Upper,
    /// Starts with a lower-case letter.
    Lower,
    /// Anything else (digits, punctuation).
    Other,
}

/// The capitalisation class of `w`.
pub fn case_of(w: &str) -> Case {
    let b = w.as_bytes();
    if let Some(&f) = b.first() {
        // ASCII fast path (same answers as the general code below)
        if f.is_ascii() {
            if f.is_ascii_lowercase() {
                return Case::Lower;
            }
            if !f.is_ascii_uppercase() {
                return Case::Other;
            }
            if b[1..].iter().any(u8::is_ascii_lowercase) {
                return Case::Title;
            }
            if b.is_ascii() {
                return Case::Upper;
            }
        }
    }
    let Some(first) = w.chars().next() else { return Case::Other };
    if first.is_lowercase() {
        return Case::Lower;
    }
    if !first.is_uppercase() {
        return Case::Other;
    }
    if w.chars().any(char::is_lowercase) {
        Case::Title
    } else {
        Case::Upper
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a of the lower-cased word (char by char), without allocating.
pub fn lower_hash(w: &str) -> u64 {
    if w.is_ascii() {
        return w.bytes().fold(FNV_OFFSET, |h, b| (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(FNV_PRIME));
    }
    let mut buf = [0u8; 4];
    w.chars()
        .flat_map(char::to_lowercase)
        .fold(FNV_OFFSET, |h, c| c.encode_utf8(&mut buf).bytes().fold(h, |h, b| (h ^ b as u64).wrapping_mul(FNV_PRIME)))
}

/// What the tagger needs of every word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordFacts {
    /// Its capitalisation class.
    pub case: Case,
    /// Its [`lower_hash`].
    pub lower: u64,
    /// The FNV-1a of its bytes ([`concord_core::text::fnv1a64`]).
    pub exact: u64,
}

impl WordFacts {
    /// True for a capitalised word ([`Case::Title`] or [`Case::Upper`]).
    #[inline(always)]
    pub fn is_cap(&self) -> bool {
        matches!(self.case, Case::Title | Case::Upper)
    }
}

/// The [`WordFacts`] of `w`, in one pass over an ASCII word without capitals.
pub fn word_facts(w: &str) -> WordFacts {
    let mut exact = FNV_OFFSET;
    let (mut low, mut up, mut wide) = (false, false, false);
    for b in w.bytes() {
        low |= b.is_ascii_lowercase();
        up |= b.is_ascii_uppercase();
        wide |= !b.is_ascii();
        exact = (exact ^ b as u64).wrapping_mul(FNV_PRIME);
    }
    if wide {
        return WordFacts { case: case_of(w), lower: lower_hash(w), exact };
    }
    // most words have no capital: lower-casing changes nothing
    let lower = if up { lower_hash(w) } else { exact };
    WordFacts { case: ascii_case(w.as_bytes().first(), low), lower, exact }
}

/// [`word_facts`] of an ASCII word, in one pass over its bytes.
#[inline(always)]
pub(crate) fn word_facts_ascii(w: &[u8]) -> WordFacts {
    let mut exact = FNV_OFFSET;
    let (mut low, mut up) = (false, false);
    for &b in w {
        up |= b.is_ascii_uppercase();
        low |= b.is_ascii_lowercase();
        exact = (exact ^ b as u64).wrapping_mul(FNV_PRIME);
    }
    // most words have no capital: lower-casing changes nothing
    let lower = if up {
        w.iter().fold(FNV_OFFSET, |h, &b| (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(FNV_PRIME))
    } else {
        exact
    };
    WordFacts { case: ascii_case(w.first(), low), lower, exact }
}

/// The case of an ASCII word from its first byte and whether it has a lower-case letter.
#[inline(always)]
fn ascii_case(first: Option<&u8>, low: bool) -> Case {
    match first {
        Some(f) if f.is_ascii_lowercase() => Case::Lower,
        Some(f) if f.is_ascii_uppercase() && low => Case::Title,
        Some(f) if f.is_ascii_uppercase() => Case::Upper,
        _ => Case::Other,
    }
}

/// True for a word that starts with an upper-case letter.
pub fn is_cap(w: &str) -> bool {
    matches!(case_of(w), Case::Title | Case::Upper)
}

/// The shape class of a character: `X` upper, `x` lower, `d` digit, else the character.
pub fn shape_class(c: char) -> char {
    if c.is_uppercase() {
        'X'
    } else if c.is_lowercase() {
        'x'
    } else if c.is_numeric() {
        'd'
    } else {
        c
    }
}

/// A compact word shape: `Xx`, `X`, `x`, `d`, with runs folded (`McCain` → `XxXx`, `U.S.` → `X.X.`).
pub fn shape(w: &str, out: &mut String) {
    out.clear();
    let mut last = '\0';
    for c in w.chars() {
        let k = shape_class(c);
        if k != last {
            out.push(k);
            last = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        let mut v = Vec::new();
        tokenize(s, 0, s.len(), &mut v);
        v.iter().map(|t| &s[t.start..t.end]).collect()
    }

    #[test]
    fn splits_words_possessives_acronyms() {
        assert_eq!(
            toks("Putin’s aide, O'Brien's U.S. trip."),
            vec!["Putin", "’s", "aide", ",", "O'Brien", "'s", "U.S.", "trip", "."]
        );
        assert_eq!(
            toks("Joint Base Elmendorf-Richardson — “yes”"),
            vec!["Joint", "Base", "Elmendorf-Richardson", "—", "“", "yes", "”"]
        );
        assert_eq!(toks("3-0 win"), vec!["3-0", "win"]);
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        // the same text with one non-ASCII character appended takes the general path
        for s in ["Putin's aide, O'Brien's U.S. trip.", "3-0 win & A.B. at U.N. - x.y", "Ms. Ann's 'quote' end'"] {
            let uni = format!("{s} é");
            let (a, b) = (toks(s), toks(&uni));
            assert_eq!(a[..], b[..b.len() - 1], "{s:?}");
        }
        for w in ["", "a", "Ab", "AB", "A1", "1a", "É", "Éa", "ÉA", "aÉ", "A-É", "Aé", "-", "A\u{e9}B"] {
            let general = {
                let first = w.chars().next();
                match first {
                    None => Case::Other,
                    Some(f) if f.is_lowercase() => Case::Lower,
                    Some(f) if !f.is_uppercase() => Case::Other,
                    _ if w.chars().any(char::is_lowercase) => Case::Title,
                    _ => Case::Upper,
                }
            };
            assert_eq!(case_of(w), general, "{w:?}");
        }
    }

    /// Pseudo-random ASCII strings over the characters the tokenizer treats specially.
    fn random_ascii(seed: u64, n: usize) -> String {
        const ALPHA: &[u8] = b"aAsSzZ09 .-'&,.SU.\t\n\x0b\x0c\r\x1f()$s";
        (0..n)
            .map(|i| {
                ALPHA[(concord_core::text::mix64(seed * 1_000_003 + i as u64) % ALPHA.len() as u64) as usize] as char
            })
            .collect()
    }

    #[test]
    fn ascii_tokenizer_agrees_with_the_general_code() {
        for seed in 0..3000u64 {
            let s = random_ascii(seed, (seed % 40) as usize);
            let mut fast = Vec::new();
            let mut facts = Vec::new();
            tokenize_ascii(s.as_bytes(), 3, &mut fast, |w, f| {
                assert_eq!(f, word_facts_ascii(w));
                facts.push(f)
            });
            let mut general = Vec::new();
            let chars: Vec<(usize, char)> = s.char_indices().collect();
            tokenize_chars(&s, 3, chars.len(), |k| chars.get(k).copied(), &mut general);
            assert_eq!(fast, general, "{s:?}");
            for (t, f) in fast.iter().zip(&facts) {
                let w = &s[t.start - 3..t.end - 3];
                assert_eq!(*f, word_facts(w), "{w:?}");
            }
        }
    }

    #[test]
    fn word_facts_agree_with_the_general_code() {
        let words = [
            "",
            "a",
            "abc",
            "iPhone",
            "a-b",
            "Ab",
            "AB",
            "A1",
            "1a",
            "É",
            "Éa",
            "ÉA",
            "aÉ",
            "McCain",
            "U.S.",
            "ΣΑΣ",
            "\u{212a}ing",
            "x\0y",
        ];
        for w in words {
            let general =
                WordFacts { case: case_of(w), lower: lower_hash(w), exact: concord_core::text::fnv1a64(w.as_bytes()) };
            assert_eq!(word_facts(w), general, "{w:?}");
        }
        assert_eq!(lower_hash("NATO"), lower_hash("nato"));
        assert_eq!(lower_hash("Élysée"), lower_hash("élysée"));
        assert_eq!(lower_hash("\u{212a}ing"), lower_hash("king"));
    }

    #[test]
    fn shapes_and_cases() {
        let mut s = String::new();
        shape("McCain", &mut s);
        assert_eq!(s, "XxXx");
        shape("1996", &mut s);
        assert_eq!(s, "d");
        assert_eq!(case_of("NATO"), Case::Upper);
        assert_eq!(case_of("Kyiv"), Case::Title);
        assert_eq!(case_of("envoy"), Case::Lower);
        assert_eq!(case_of("1"), Case::Other);
    }
}
