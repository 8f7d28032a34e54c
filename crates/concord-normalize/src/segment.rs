//! Rule-based sentence segmentation for news text.
//!
//! A single left-to-right scan looks at each run of terminal punctuation (`.`, `!`, `?`, `…`,
//! spaced ellipses, CJK full stops) with the closing quotes and brackets after it, and decides
//! from the word before (abbreviations, titles, initials, numbers) and the word after (case,
//! sentence starters, an attribution such as `Putin said`) whether a sentence ends there.
//! Enumerated and bulleted list items inside one paragraph are split first. Every look-around
//! is bounded, so the whole is linear in the text's length.

use concord_core::Span;

/// Titles before a name: never the end of a sentence.
const TITLES: &[&str] = &[
    "adm", "atty", "capt", "cdr", "cmdr", "col", "cpl", "det", "dr", "ft", "gen", "gov", "hon", "insp", "lt", "maj",
    "messrs", "mlle", "mme", "mr", "mrs", "ms", "mt", "pres", "prof", "pvt", "rep", "reps", "rev", "sen", "sens",
    "sgt", "st", "supt",
];

/// Abbreviations that may also end a sentence (then the next word starts a sentence).
const ENDERS: &[&str] = &[
    "al", "approx", "assn", "ave", "blvd", "bros", "co", "corp", "dept", "esp", "est", "etc", "govt", "inc", "jr",
    "llc", "ltd", "plc", "rd", "sr", "univ", "vs",
];

/// Month abbreviations: no end before a number ("Jan. 5").
const MONTHS: &[&str] = &["apr", "aug", "dec", "feb", "jan", "jul", "jun", "mar", "nov", "oct", "sep", "sept"];

/// Abbreviations that come before a number ("No. 10", "p. 55").
const NUMERIC: &[&str] = &[
    "art", "c", "ca", "ch", "ext", "fig", "figs", "no", "nos", "nr", "n°", "op", "p", "para", "pp", "sec", "tel",
    "vol", "vols",
];

/// Words that commonly start a sentence (lower case).
const STARTERS: &[&str] = &[
    "a",
    "according",
    "after",
    "all",
    "also",
    "although",
    "an",
    "and",
    "are",
    "as",
    "at",
    "because",
    "before",
    "both",
    "but",
    "by",
    "can",
    "could",
    "despite",
    "did",
    "do",
    "does",
    "during",
    "each",
    "even",
    "every",
    "for",
    "from",
    "he",
    "her",
    "here",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "instead",
    "is",
    "it",
    "its",
    "last",
    "many",
    "meanwhile",
    "more",
    "most",
    "my",
    "next",
    "no",
    "not",
    "now",
    "of",
    "on",
    "once",
    "one",
    "only",
    "our",
    "please",
    "several",
    "she",
    "should",
    "since",
    "so",
    "some",
    "still",
    "such",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "to",
    "today",
    "under",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "yesterday",
    "yet",
    "you",
    "your",
];

/// Speech verbs of an attribution after a closing quote.
const SPEECH_VERBS: &[&str] = &[
    "acknowledged",
    "added",
    "adds",
    "admitted",
    "announced",
    "argued",
    "asked",
    "asks",
    "claimed",
    "conceded",
    "confirmed",
    "continued",
    "countered",
    "declared",
    "emphasised",
    "emphasized",
    "explained",
    "insisted",
    "joked",
    "noted",
    "notes",
    "observed",
    "quipped",
    "recalled",
    "remarked",
    "replied",
    "responded",
    "said",
    "says",
    "stated",
    "stressed",
    "suggested",
    "tells",
    "told",
    "tweeted",
    "warned",
    "writes",
    "wrote",
];

const PRONOUNS: &[&str] = &["he", "i", "it", "she", "they", "we", "you"];

/// A word of at most 15 bytes as a number that orders as the word does: its bytes
/// big-endian from the top, zero-padded, and its length in the lowest byte (so that equal
/// keys are equal words, NUL bytes or not). `None` for a longer word, which no list holds.
#[inline]
const fn word_key(w: &[u8]) -> Option<u128> {
    if w.len() > 15 {
        return None;
    }
    let mut k = 0u128;
    let mut i = 0;
    while i < 15 {
        let b = if i < w.len() { w[i] } else { 0 };
        k = k << 8 | b as u128;
        i += 1;
    }
    Some(k << 8 | w.len() as u128)
}

/// The [`word_key`]s of a list, in its (sorted) order.
const fn word_keys<const N: usize>(list: &[&str]) -> [u128; N] {
    let mut out = [0u128; N];
    let mut i = 0;
    while i < N {
        out[i] = match word_key(list[i].as_bytes()) {
            Some(k) => k,
            None => panic!("a listed word is longer than 15 bytes"),
        };
        i += 1;
    }
    out
}

/// A word list as sorted [`word_key`]s: membership is a binary search over numbers.
struct WordSet<const N: usize>([u128; N]);

impl<const N: usize> WordSet<N> {
    /// The set of a sorted `list` of `N` words.
    const fn new(list: &[&str]) -> WordSet<N> {
        WordSet(word_keys(list))
    }

    /// True when the word of key `k` ([`word_key`]) is in the set.
    fn has(&self, k: Option<u128>) -> bool {
        k.is_some_and(|k| self.0.binary_search(&k).is_ok())
    }
}

const TITLE_SET: WordSet<{ TITLES.len() }> = WordSet::new(TITLES);
const ENDER_SET: WordSet<{ ENDERS.len() }> = WordSet::new(ENDERS);
const MONTH_SET: WordSet<{ MONTHS.len() }> = WordSet::new(MONTHS);
const NUMERIC_SET: WordSet<{ NUMERIC.len() }> = WordSet::new(NUMERIC);
const STARTER_SET: WordSet<{ STARTERS.len() }> = WordSet::new(STARTERS);
const SPEECH_VERB_SET: WordSet<{ SPEECH_VERBS.len() }> = WordSet::new(SPEECH_VERBS);
const PRONOUN_SET: WordSet<{ PRONOUNS.len() }> = WordSet::new(PRONOUNS);

/// A sentence segmenter (the default one is what [`crate::segment`] uses).
#[derive(Clone, Debug, Default)]
pub struct Segmenter {
    extra: Vec<String>,
}

impl Segmenter {
    /// A segmenter that also treats `abbreviations` (without their final dot, any case) as
    /// words after which a sentence never ends.
    pub fn new<S: AsRef<str>>(abbreviations: &[S]) -> Segmenter {
        let mut extra: Vec<String> = abbreviations
            .iter()
            .map(|a| a.as_ref().trim().trim_end_matches('.').to_lowercase())
            .filter(|a| !a.is_empty())
            .collect();
        extra.sort();
        extra.dedup();
        Segmenter { extra }
    }

    /// Sentences of a plain text, as trimmed byte spans. Blank lines separate paragraphs (a
    /// sentence never crosses one); single line breaks are ordinary spaces.
    pub fn segment(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let b = text.as_bytes();
        let mut para_start = 0;
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\n' {
                // A blank line: a newline, optional spaces, another newline.
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r') {
                    j += 1;
                }
                if j < b.len() && b[j] == b'\n' {
                    self.split_paragraph(&text[para_start..i], para_start, &mut out);
                    while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
                        j += 1;
                    }
                    para_start = j;
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
        self.split_paragraph(&text[para_start..], para_start, &mut out);
        out
    }

    /// Appends the sentences of one paragraph `p` (which starts at `base`) to `out`.
    pub fn split_paragraph(&self, p: &str, base: usize, out: &mut Vec<Span>) {
        let (breaks, ignore) = list_items(p);
        let mut from = 0;
        for &brk in breaks.iter().chain(std::iter::once(&p.len())) {
            self.split_chunk(p, from, brk, &ignore, base, out);
            from = brk;
        }
    }

    fn split_chunk(&self, p: &str, cs: usize, ce: usize, ignore: &[usize], base: usize, out: &mut Vec<Span>) {
        let b = p.as_bytes();
        let mut start = skip_ws(p, cs, ce);
        let mut i = start;
        // Next candidate positions: ASCII terminals, and lead bytes of non-ASCII ones.
        let mut next_ascii = 0;
        let mut next_wide = 0;
        while i < ce {
            if next_ascii < i {
                next_ascii = memchr::memchr3(b'.', b'!', b'?', &b[i..ce]).map_or(ce, |k| i + k);
            }
            if next_wide < i {
                next_wide = memchr::memchr3(0xE2, 0xE3, 0xEF, &b[i..ce]).map_or(ce, |k| i + k);
            }
            i = next_ascii.min(next_wide);
            if i >= ce {
                break;
            }
            let t = terminal_len(b, i);
            if t == 0 || ignore.binary_search(&i).is_ok() {
                i += 1;
                continue;
            }
            let cl_start = i;
            let attached = cl_start > cs && !is_ws_before(p, cl_start);
            let mut j = i;
            let mut dots = 0usize;
            let mut bang = false;
            let mut cjk = false;
            let mut spaced = false;
            loop {
                let t = if j < ce { terminal_len(b, j) } else { 0 };
                if t > 0 && j + t <= ce {
                    match b[j] {
                        b'.' => dots += 1,
                        b'!' | b'?' => bang = true,
                        _ => {
                            if b[j] == 0xE2 && b[j + 1] == 0x80 && b[j + 2] == 0xA6 {
                                dots += 3;
                            } else if b[j] == 0xE2 {
                                bang = true;
                            } else {
                                cjk = true;
                            }
                        }
                    }
                    j += t;
                    continue;
                }
                if dots > 0 && j + 1 < ce && b[j] == b' ' && b[j + 1] == b'.' {
                    spaced = true;
                    j += 1;
                    continue;
                }
                break;
            }
            // "compounds. . . . The": the first dot ends the sentence, the ellipsis opens the next.
            if spaced
                && attached
                && b[cl_start] == b'.'
                && b[cl_start + 1] == b' '
                && dots >= 4
                && !p[cl_start..j].contains("..")
            {
                let k = skip_closers(p, j, ce);
                let n0 = skip_ws(p, k, ce);
                if n0 < ce && n0 > k && next_word_is_upper(p, n0, ce) {
                    push(out, p, start, cl_start + 1, base);
                    start = cl_start + 2;
                }
                i = k.max(j);
                continue;
            }
            let k = skip_closers(p, j, ce);
            if k >= ce {
                i = ce;
                continue;
            }
            if !cjk && !is_ws_at(p, k) {
                i = k.max(cl_start + 1);
                continue;
            }
            let n0 = skip_ws(p, k, ce);
            if n0 >= ce {
                i = ce;
                continue;
            }
            let closers = &p[j..k];
            let brk = cjk || self.decide(p, cs, start, cl_start, dots, bang, spaced, attached, closers, n0, ce);
            if brk {
                push(out, p, start, k, base);
                start = n0;
            }
            i = k.max(cl_start + 1);
        }
        push(out, p, start, ce, base);
    }

    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        p: &str,
        cs: usize,
        start: usize,
        cl_start: usize,
        dots: usize,
        bang: bool,
        spaced: bool,
        attached: bool,
        closers: &str,
        n0: usize,
        ce: usize,
    ) -> bool {
        let (nw, opens) = next_word_start(p, n0, ce);
        let first = nw.and_then(|w| p[w..ce].chars().next());
        if first.is_some_and(|c| c.is_lowercase()) {
            return false;
        }
        let upper = first.is_some_and(|c| c.is_uppercase());
        let digit = first.is_some_and(|c| c.is_ascii_digit());
        let quoted = closers.chars().any(|c| matches!(c, '"' | '\'' | '”' | '’' | '»' | '›'));
        let brk = if bang && dots == 0 {
            true
        } else if dots >= 2 {
            let before = p[cs..cl_start].chars().next_back();
            if matches!(before, Some('[') | Some('(')) {
                false
            } else if spaced && !attached {
                dots >= 4 && (upper || digit || opens)
            } else if !attached {
                false
            } else {
                upper || digit || opens
            }
        } else {
            self.decide_period(p, cs, start, cl_start, closers, nw, ce, upper, digit)
        };
        if brk && quoted && nw.is_some_and(|w| is_attribution(p, w, ce)) {
            return false;
        }
        brk
    }

    #[allow(clippy::too_many_arguments)]
    fn decide_period(
        &self,
        p: &str,
        cs: usize,
        start: usize,
        cl_start: usize,
        closers: &str,
        nw: Option<usize>,
        ce: usize,
        upper: bool,
        digit: bool,
    ) -> bool {
        let tok = prev_token(p, cs, cl_start);
        // Every listed abbreviation is short; longer tokens matter only when dotted ("U.S.A").
        if closers.is_empty() && !tok.is_empty() && (tok.len() <= 8 || tok.contains('.') || !self.extra.is_empty()) {
            let mut buf = [0u8; 24];
            if let Some(low) = lower(tok, &mut buf) {
                let k = word_key(low);
                if self.extra.binary_search_by(|e| e.as_bytes().cmp(low)).is_ok() || TITLE_SET.has(k) {
                    return false;
                }
                if digit && (NUMERIC_SET.has(k) || MONTH_SET.has(k)) {
                    return false;
                }
                let starter = || nw.is_some_and(|w| is_starter(p, w, ce));
                let single_upper = tok.len() == 1 && tok.as_bytes()[0].is_ascii_uppercase();
                if single_upper {
                    return starter();
                }
                if low == b"a.m" || low == b"p.m" {
                    return upper && (starter() || words_before(p, start, cl_start) >= 4);
                }
                if ENDER_SET.has(k) || MONTH_SET.has(k) || is_dotted(low) {
                    return starter();
                }
            }
        }
        true
    }
}

fn push(out: &mut Vec<Span>, p: &str, s: usize, e: usize, base: usize) {
    let seg = &p[s..e];
    let lead = seg.len() - seg.trim_start().len();
    let trail = seg.len() - seg.trim_end().len();
    if lead + trail < seg.len() {
        out.push(Span::new(base + s + lead, base + e - trail));
    }
}

/// Byte length of the terminal punctuation at `i` (0 if none).
fn terminal_len(b: &[u8], i: usize) -> usize {
    match b[i] {
        b'.' | b'!' | b'?' => 1,
        0xE2 if i + 2 < b.len() => match (b[i + 1], b[i + 2]) {
            (0x80, 0xA6) | (0x80, 0xBC) | (0x81, 0x87) | (0x81, 0x88) | (0x81, 0x89) => 3, // … ‼ ⁇ ⁈ ⁉
            _ => 0,
        },
        0xE3 if i + 2 < b.len() && b[i + 1] == 0x80 && b[i + 2] == 0x82 => 3, // 。
        0xEF if i + 2 < b.len() && b[i + 1] == 0xBC && (b[i + 2] == 0x81 || b[i + 2] == 0x9F) => 3, // ！ ？
        _ => 0,
    }
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | '›' | ')' | ']' | '}')
}

fn is_opener(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘' | '«' | '‹' | '(' | '[' | '¿' | '¡' | '„')
}

fn skip_closers(p: &str, mut k: usize, ce: usize) -> usize {
    while k < ce {
        match p[k..ce].chars().next() {
            Some(c) if is_closer(c) => k += c.len_utf8(),
            _ => break,
        }
    }
    k
}

fn is_ws_at(p: &str, k: usize) -> bool {
    p[k..].chars().next().is_some_and(char::is_whitespace)
}

fn is_ws_before(p: &str, k: usize) -> bool {
    p[..k].chars().next_back().is_some_and(char::is_whitespace)
}

fn skip_ws(p: &str, mut k: usize, ce: usize) -> usize {
    while k < ce {
        match p[k..ce].chars().next() {
            Some(c) if c.is_whitespace() => k += c.len_utf8(),
            _ => break,
        }
    }
    k
}

/// Position of the first alphanumeric character of the next word (skipping opening quotes
/// and brackets), and whether any opener was skipped.
fn next_word_start(p: &str, n0: usize, ce: usize) -> (Option<usize>, bool) {
    let mut k = n0;
    let mut opens = false;
    for _ in 0..4 {
        match p[k..ce].chars().next() {
            Some(c) if is_opener(c) => {
                opens = true;
                k += c.len_utf8();
            }
            Some(c) if c.is_alphanumeric() => return (Some(k), opens),
            _ => return (None, opens),
        }
    }
    (None, opens)
}

fn next_word_is_upper(p: &str, n0: usize, ce: usize) -> bool {
    next_word_start(p, n0, ce).0.and_then(|w| p[w..ce].chars().next()).is_some_and(|c| c.is_uppercase())
}

/// The word before the terminal at `end`: back to the previous space (at most 32 bytes),
/// without opening quotes or brackets.
fn prev_token(p: &str, cs: usize, end: usize) -> &str {
    let b = p.as_bytes();
    let mut s = end;
    while s > cs && end - s < 32 && !b[s - 1].is_ascii_whitespace() {
        s -= 1;
    }
    if s > cs && !b[s - 1].is_ascii_whitespace() {
        return ""; // too long to be an abbreviation
    }
    while !p.is_char_boundary(s) {
        s += 1;
    }
    p[s..end].trim_start_matches(is_opener)
}

/// ASCII-lower-cased copy of a short token, as bytes (None when longer than the buffer).
fn lower<'b>(tok: &str, buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    let n = tok.len();
    if n > buf.len() {
        return None;
    }
    buf[..n].copy_from_slice(tok.as_bytes());
    buf[..n].make_ascii_lowercase();
    Some(&buf[..n])
}

/// Letters separated by dots: "u.s", "a.m", "d.c".
fn is_dotted(b: &[u8]) -> bool {
    b.len() >= 3
        && b.len() % 2 == 1
        && b.iter().enumerate().all(|(k, &c)| if k % 2 == 0 { c.is_ascii_alphabetic() } else { c == b'.' })
}

/// The next word (letters only), lower-cased, is a common sentence starter.
fn is_starter(p: &str, w: usize, ce: usize) -> bool {
    let b = p.as_bytes();
    let mut e = w;
    while e < ce && e - w < 16 && b[e].is_ascii_alphabetic() {
        e += 1;
    }
    if e == w || (e < ce && (b[e].is_ascii_alphabetic() || b[e] >= 0x80 && !p[e..].starts_with('’'))) {
        return false;
    }
    let mut buf = [0u8; 24];
    lower(&p[w..e], &mut buf).is_some_and(|l| STARTER_SET.has(word_key(l)))
}

/// Up to six capitalised words or a pronoun, then a speech verb ("Putin said", "he added").
fn is_attribution(p: &str, w: usize, ce: usize) -> bool {
    let mut end = (w + 120).min(ce);
    while !p.is_char_boundary(end) {
        end -= 1;
    }
    let mut words = p[w..end].split(' ');
    for n in 0..5 {
        let Some(raw) = words.next() else { return false };
        let word = raw.trim_end_matches([',', ';', '.', ':']);
        let mut buf = [0u8; 24];
        let Some(low) = lower(word, &mut buf) else { return false };
        let k = word_key(low);
        if n > 0 && SPEECH_VERB_SET.has(k) {
            // Only a bare attribution ("Putin said." / "Putin said,"): "He said the talks
            // failed" is a sentence of its own.
            return raw.len() > word.len() || w + raw.len() >= ce;
        }
        let cap = word.chars().next().is_some_and(char::is_uppercase);
        if !(cap || PRONOUN_SET.has(k)) {
            return false;
        }
    }
    false
}

/// Number of words between `start` and `end` (capped: a long stretch counts as many).
fn words_before(p: &str, start: usize, end: usize) -> usize {
    if end - start > 200 {
        return 99;
    }
    p[start..end].split_whitespace().count()
}

/// List items inside one paragraph: where each item after the first starts, and the
/// positions of enumerator dots ("1." "a.") that end no sentence.
fn list_items(p: &str) -> (Vec<usize>, Vec<usize>) {
    let mut breaks = Vec::new();
    let mut ignore = Vec::new();
    let s = skip_ws(p, 0, p.len());
    let Some(first) = item_marker(p, s) else { return (breaks, ignore) };
    if let Some(d) = first.dot {
        ignore.push(d);
    }
    if let Some(bullet) = first.bullet {
        let mut from = s + bullet.len_utf8();
        while let Some(off) = p[from..].find(bullet) {
            let at = from + off;
            if is_ws_before(p, at) {
                breaks.push(at);
                if let Some(m) = item_marker(p, at) {
                    if let Some(d) = m.dot {
                        ignore.push(d);
                    }
                }
            }
            from = at + bullet.len_utf8();
        }
    } else if let Some((mut value, style)) = first.enumerator {
        let mut from = first.end;
        loop {
            value += 1;
            let label = match first.alpha {
                true => match char::from_u32(value) {
                    Some(c) if c.is_ascii_lowercase() => c.to_string(),
                    _ => break,
                },
                false => value.to_string(),
            };
            let needle = format!(" {label}{style} ");
            let Some(off) = p[from..].find(&needle) else { break };
            let at = from + off + 1;
            breaks.push(at);
            if style.starts_with('.') {
                ignore.push(at + label.len());
            }
            from = at + needle.len() - 2;
        }
    }
    ignore.sort_unstable();
    (breaks, ignore)
}

struct Marker {
    bullet: Option<char>,
    enumerator: Option<(u32, &'static str)>,
    alpha: bool,
    dot: Option<usize>,
    end: usize,
}

/// An item marker at `at`: a bullet (•, ⁃, ...) and/or an enumerator ("1.", "2.)", "3)", "a.").
fn item_marker(p: &str, at: usize) -> Option<Marker> {
    let mut k = at;
    let mut bullet = None;
    if let Some(c) = p[k..].chars().next() {
        if matches!(c, '•' | '⁃' | '▪' | '◦' | '‣') {
            bullet = Some(c);
            k += c.len_utf8();
            k = skip_ws(p, k, p.len());
        }
    }
    let b = p.as_bytes();
    let ds = k;
    while k < b.len() && k - ds < 3 && b[k].is_ascii_digit() {
        k += 1;
    }
    let (value, alpha) = if k > ds {
        (p[ds..k].parse::<u32>().ok(), false)
    } else if k < b.len() && b[k].is_ascii_lowercase() && bullet.is_none() {
        k += 1;
        (Some(b[ds] as u32), true)
    } else {
        (None, false)
    };
    let mut enumerator = None;
    let mut dot = None;
    if let Some(v) = value {
        let style = if p[k..].starts_with(".)") {
            ".)"
        } else if p[k..].starts_with('.') {
            "."
        } else if p[k..].starts_with(')') {
            ")"
        } else {
            ""
        };
        if !style.is_empty() && p[k + style.len()..].starts_with(' ') {
            if style.starts_with('.') {
                dot = Some(k);
            }
            enumerator = Some((v, style));
            k += style.len();
        } else if bullet.is_none() {
            return None;
        } else {
            k = ds;
        }
    }
    if bullet.is_none() && enumerator.is_none() {
        return None;
    }
    Some(Marker { bullet, enumerator, alpha, dot, end: k })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        Segmenter::default().segment(t).iter().map(|s| s.slice(t)).collect()
    }

    #[test]
    fn lists_are_sorted() {
        for l in [TITLES, ENDERS, MONTHS, NUMERIC, STARTERS, SPEECH_VERBS, PRONOUNS] {
            assert!(l.windows(2).all(|w| w[0] < w[1]), "{:?}", l);
        }
    }

    #[test]
    fn word_sets_hold_what_their_lists_hold() {
        type Has = fn(Option<u128>) -> bool;
        let sets: [(&[&str], Has); 7] = [
            (TITLES, |k| TITLE_SET.has(k)),
            (ENDERS, |k| ENDER_SET.has(k)),
            (MONTHS, |k| MONTH_SET.has(k)),
            (NUMERIC, |k| NUMERIC_SET.has(k)),
            (STARTERS, |k| STARTER_SET.has(k)),
            (SPEECH_VERBS, |k| SPEECH_VERB_SET.has(k)),
            (PRONOUNS, |k| PRONOUN_SET.has(k)),
        ];
        // every listed word, its neighbours by a byte, and words no list holds
        let mut words: Vec<String> = ["", "\0", "mr\0", "n", "n°x", "yesterdayy", "acknowledgedx", "abcdefghijklmnop"]
            .map(String::from)
            .to_vec();
        for (list, _) in &sets {
            for w in list.iter() {
                words.push(w.to_string());
                words.push(format!("{w}s"));
                words.push(format!("{w}\0"));
                let mut short = w.chars();
                short.next_back();
                words.push(short.as_str().to_string());
                words.push(format!("a{w}"));
            }
        }
        for (list, has) in &sets {
            for w in &words {
                assert_eq!(has(word_key(w.as_bytes())), list.binary_search(&w.as_str()).is_ok(), "{w:?}");
            }
        }
        // the keys order as the words do (what the binary search relies on)
        let keyed: Vec<(u128, &String)> = words.iter().filter_map(|w| Some((word_key(w.as_bytes())?, w))).collect();
        assert!(keyed.len() + 1 == words.len() && word_key(b"abcdefghijklmnop").is_none());
        for (ka, a) in &keyed {
            for (kb, b) in &keyed {
                assert_eq!(ka.cmp(kb), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn news_cases() {
        assert_eq!(sents("Sen. Lindsey Graham spoke. He left."), vec!["Sen. Lindsey Graham spoke.", "He left."]);
        assert_eq!(sents("It cost $1.13bn. Shares fell."), vec!["It cost $1.13bn.", "Shares fell."]);
        assert_eq!(
            sents("“See you very soon.” Putin said. He left."),
            vec!["“See you very soon.” Putin said.", "He left."]
        );
        assert_eq!(sents("“Soon.” He said the talks failed."), vec!["“Soon.”", "He said the talks failed."]);
        assert_eq!(
            sents("It is going to hell. ... The world laughs."),
            vec!["It is going to hell. ...", "The world laughs."]
        );
        assert_eq!(sents("“Great.” She held the book."), vec!["“Great.”", "She held the book."]);
        assert_eq!(
            sents("J. R. R. Tolkien wrote it. On Jan. 5 it sold."),
            vec!["J. R. R. Tolkien wrote it.", "On Jan. 5 it sold."]
        );
        assert_eq!(sents("Para one.\n\nPara two"), vec!["Para one.", "Para two"]);
        assert_eq!(sents("那是我的。你好！"), vec!["那是我的。", "你好！"]);
    }
}
