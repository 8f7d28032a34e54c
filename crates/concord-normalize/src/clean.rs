//! Cleaning of one line with exact alignment: NFC, odd spaces, invisible and control
//! characters, HTML entities, whitespace folding.
//!
//! The cleaner appends the cleaned text of a line to a buffer and records [`Op`]s saying which
//! bytes of the input produced which bytes of the output. Everything is linear in the line's
//! length; NFC is applied only to the short runs (a base character and its combining marks)
//! that may change under it.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// One piece of the alignment of cleaned text with the input text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Op {
    /// First input byte.
    pub old_start: usize,
    /// One past the last input byte.
    pub old_end: usize,
    /// Bytes of cleaned text produced.
    pub text_len: usize,
    /// True when the text is a byte-for-byte copy of the input range.
    pub copy: bool,
}

/// True for characters folded into a single space.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{180E}'
}

/// True for characters dropped from the text (invisible format characters and controls).
pub(crate) fn is_dropped(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}') || (c.is_control() && !is_space(c))
}

/// True when `c` may change, or make its predecessor change, under NFC.
fn is_composing(c: char) -> bool {
    !c.is_ascii() && (canonical_combining_class(c) != 0 || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes)
}

/// The output side of the cleaner for one line.
struct Sink<'a> {
    src: &'a str,
    out: &'a mut String,
    ops: &'a mut Vec<Op>,
    ops_from: usize,
    text_from: usize,
}

impl Sink<'_> {
    fn copy(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        self.out.push_str(&self.src[start..end]);
        if self.ops.len() > self.ops_from {
            if let Some(last) = self.ops.last_mut() {
                if last.copy && last.old_end == start {
                    last.old_end = end;
                    last.text_len += end - start;
                    return;
                }
            }
        }
        self.ops.push(Op { old_start: start, old_end: end, text_len: end - start, copy: true });
    }

    fn replace(&mut self, start: usize, end: usize, s: &str) {
        if s.is_empty() {
            return;
        }
        self.out.push_str(s);
        self.ops.push(Op { old_start: start, old_end: end, text_len: s.len(), copy: false });
    }

    /// Takes back the text from `text_start` (the last unit emitted: the tail of a copy op or
    /// a whole replace op) and returns it.
    fn retract(&mut self, text_start: usize) -> Option<String> {
        let n = self.out.len().checked_sub(text_start).filter(|&n| n > 0)?;
        if self.ops.len() <= self.ops_from {
            return None;
        }
        let last = self.ops.last_mut()?;
        if last.copy {
            if last.text_len < n {
                return None;
            }
            last.old_end -= n;
            last.text_len -= n;
            if last.text_len == 0 {
                self.ops.pop();
            }
        } else {
            if last.text_len != n {
                return None;
            }
            self.ops.pop();
        }
        let t = self.out[text_start..].to_string();
        self.out.truncate(text_start);
        Some(t)
    }

    fn is_empty(&self) -> bool {
        self.out.len() == self.text_from
    }
}

/// The searcher for two spaces, built once (`memmem::find` builds one per call, which cost
/// more than the search on a short line).
fn double_space_finder() -> &'static memchr::memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| memchr::memmem::Finder::new(b"  "))
}

/// Cleans `src[start..end]` (one line, without its newline), appending the text to `out`
/// and its alignment to `ops`. `scratch` is a reusable buffer.
pub(crate) fn clean_line(
    src: &str,
    start: usize,
    end: usize,
    out: &mut String,
    ops: &mut Vec<Op>,
    scratch: &mut String,
) {
    let text_from = out.len();
    let ops_from = ops.len();
    let mut sink = Sink { src, out, ops, ops_from, text_from };
    let b = src.as_bytes();
    let mut i = start;
    let mut pending: Option<(usize, usize)> = None;
    // The last unit emitted (its input start and its text start), which a following
    // combining mark may compose with; only dropped characters may lie between.
    let mut unit: Option<(usize, usize)> = None;
    let mut run_end = 0;
    let mut double_space: Option<usize> = None;

    let flush_space = |sink: &mut Sink<'_>, pending: &mut Option<(usize, usize)>| {
        if let Some((s, e)) = pending.take() {
            if !sink.is_empty() {
                if e - s == 1 && b[s] == b' ' {
                    sink.copy(s, e);
                } else {
                    sink.replace(s, e, " ");
                }
            }
        }
    };

    while i < end {
        let c0 = b[i];
        if c0 < 0x80 {
            match c0 {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => {
                    pending = Some((pending.map_or(i, |p| p.0), i + 1));
                    i += 1;
                    unit = None;
                    continue;
                }
                0..=0x1f | 0x7f => {
                    i += 1;
                    continue;
                }
                b'&' => {
                    // Entities that decode to combining characters stay as written.
                    if let Some((ch, len)) = entity(&src[i..end]).filter(|(c, _)| !is_composing(*c)) {
                        if is_space(ch) {
                            pending = Some((pending.map_or(i, |p| p.0), i + len));
                            unit = None;
                        } else if !is_dropped(ch) {
                            flush_space(&mut sink, &mut pending);
                            let t = sink.out.len();
                            let mut buf = [0u8; 4];
                            sink.replace(i, i + len, ch.encode_utf8(&mut buf));
                            unit = Some((i, t));
                        }
                        i += len;
                        continue;
                    }
                }
                _ => {}
            }
            // A run of plain ASCII, single spaces between words included (both look-aheads
            // are cached, so the scan stays linear).
            let s = i;
            if run_end <= i {
                run_end = plain_run_end(b, i, end);
            }
            let dbl = match double_space {
                Some(d) if d >= i => d,
                _ => double_space_finder().find(&b[i..end]).map_or(end, |k| i + k),
            };
            double_space = Some(dbl);
            i = run_end.min(dbl).max(s + 1);
            if b[i - 1] == b' ' {
                i -= 1;
            }
            flush_space(&mut sink, &mut pending);
            sink.copy(s, i);
            unit = Some((i - 1, sink.out.len() - 1));
            continue;
        }
        let Some(ch) = src[i..end].chars().next() else { break };
        let len = ch.len_utf8();
        if is_space(ch) {
            pending = Some((pending.map_or(i, |p| p.0), i + len));
            i += len;
            unit = None;
            continue;
        }
        if is_dropped(ch) {
            i += len;
            continue;
        }
        let composing = is_composing(ch);
        let mut j = i + len;
        while j < end && b[j] >= 0x80 {
            let Some(d) = src[j..end].chars().next() else { break };
            if is_space(d) || is_dropped(d) || !is_composing(d) {
                break;
            }
            j += d.len_utf8();
        }
        flush_space(&mut sink, &mut pending);
        if !composing && j == i + len {
            let t = sink.out.len();
            sink.copy(i, j);
            unit = Some((i, t));
            i = j;
            continue;
        }
        // A base character (or the unit before) with combining marks: compose.
        let prev = match unit {
            Some((u, t)) if composing => sink.retract(t).map(|p| (u, t, p)),
            _ => None,
        };
        scratch.clear();
        match &prev {
            Some((u, _, p)) => {
                let mut input = String::with_capacity(p.len() + j - i);
                input.push_str(p);
                input.push_str(&src[i..j]);
                scratch.extend(input.nfc());
                if *scratch == input && u + p.len() == i && &src[*u..i] == p.as_str() {
                    sink.copy(*u, j);
                } else {
                    sink.replace(*u, j, scratch);
                }
            }
            None => {
                scratch.extend(src[i..j].nfc());
                if scratch.as_str() == &src[i..j] {
                    sink.copy(i, j);
                } else {
                    sink.replace(i, j, scratch);
                }
            }
        }
        unit = Some(match prev {
            Some((u, t, _)) => (u, t),
            None => (i, sink.out.len() - scratch.len()),
        });
        i = j;
    }
}

/// End of the run of plain ASCII bytes and spaces starting at `i` (eight bytes at a time).
fn plain_run_end(b: &[u8], mut i: usize, end: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    while i + 8 <= end {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(w);
        let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
        if (x & HI) | below_space | has_zero(x ^ (LO * b'&' as u64)) | has_zero(x ^ (LO * 0x7f)) != 0 {
            break;
        }
        i += 8;
    }
    while i < end && (is_plain_ascii(b[i]) || b[i] == b' ') {
        i += 1;
    }
    i
}

#[inline(always)]
fn is_plain_ascii(b: u8) -> bool {
    PLAIN[b as usize]
}

/// Bytes copied as they are: printable ASCII but space and `&`.
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b' ' + 1;
    while b < 0x7f {
        t[b as usize] = b != b'&';
        b += 1;
    }
    t
};

/// Named HTML entities decoded in text (the ones news pages leave behind).
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("AMP", '&'),
    ("lt", '<'),
    ("LT", '<'),
    ("gt", '>'),
    ("GT", '>'),
    ("quot", '"'),
    ("QUOT", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("shy", '\u{AD}'),
    ("zwj", '\u{200D}'),
    ("zwnj", '\u{200C}'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("minus", '−'),
    ("hellip", '…'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("lsaquo", '‹'),
    ("rsaquo", '›'),
    ("prime", '′'),
    ("Prime", '″'),
    ("bull", '•'),
    ("middot", '·'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("deg", '°'),
    ("euro", '€'),
    ("pound", '£'),
    ("yen", '¥'),
    ("cent", '¢'),
    ("sect", '§'),
    ("para", '¶'),
    ("times", '×'),
    ("divide", '÷'),
    ("frac12", '½'),
    ("frac14", '¼'),
    ("frac34", '¾'),
    ("iexcl", '¡'),
    ("iquest", '¿'),
    ("aacute", 'á'),
    ("agrave", 'à'),
    ("acirc", 'â'),
    ("auml", 'ä'),
    ("atilde", 'ã'),
    ("aring", 'å'),
    ("ccedil", 'ç'),
    ("eacute", 'é'),
    ("Eacute", 'É'),
    ("egrave", 'è'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("iacute", 'í'),
    ("iuml", 'ï'),
    ("ntilde", 'ñ'),
    ("oacute", 'ó'),
    ("ocirc", 'ô'),
    ("ouml", 'ö'),
    ("oslash", 'ø'),
    ("uacute", 'ú'),
    ("uuml", 'ü'),
    ("Ouml", 'Ö'),
    ("Uuml", 'Ü'),
    ("Auml", 'Ä'),
    ("szlig", 'ß'),
];

/// Decodes the entity `s` starts with (`s` begins with `&`): the character and the entity's
/// length in bytes, or `None` when it is not a well-formed known entity.
pub(crate) fn entity(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    let lim = b.len().min(12);
    let semi = b[1..lim].iter().position(|&c| c == b';')? + 1;
    let name = &s[1..semi];
    let len = semi + 1;
    if let Some(num) = name.strip_prefix('#') {
        let v = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()?
        } else {
            if num.is_empty() || !num.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()?
        };
        // Windows-1252 punctuation written as numeric references (common in old pages).
        let c = match v {
            0 => return None,
            133 => '…',
            145 => '‘',
            146 => '’',
            147 => '“',
            148 => '”',
            150 => '–',
            151 => '—',
            _ => char::from_u32(v)?,
        };
        return Some((c, len));
    }
    ENTITIES.iter().find(|(n, _)| *n == name).map(|&(_, c)| (c, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> (String, Vec<Op>) {
        let mut out = String::new();
        let mut ops = Vec::new();
        clean_line(s, 0, s.len(), &mut out, &mut ops, &mut String::new());
        (out, ops)
    }

    #[test]
    fn folds_spaces_and_drops_invisibles() {
        let (t, ops) = clean("  a\u{A0}\u{A0}b\tc soft\u{AD}ware\u{200B} \u{7}end  ");
        assert_eq!(t, "a b c software end");
        assert_eq!(ops.iter().map(|o| o.text_len).sum::<usize>(), t.len());
        assert_eq!(ops[0], Op { old_start: 2, old_end: 3, text_len: 1, copy: true });
    }

    #[test]
    fn decodes_entities() {
        let (t, _) = clean("Tom &amp; Jerry&#8217;s &#x201C;x&#151; &bogus; &#0; &");
        assert_eq!(t, "Tom & Jerry’s “x— &bogus; &#0; &");
    }

    #[test]
    fn composes_to_nfc_with_the_base_character() {
        let s = "Cafe\u{301} and A\u{30A}ngstro\u{308}m";
        let (t, ops) = clean(s);
        assert_eq!(t, "Café and Ångström");
        let e = ops.iter().find(|o| !o.copy).unwrap();
        assert_eq!(&s[e.old_start..e.old_end], "e\u{301}");
    }

    #[test]
    fn lone_marks_and_rtl_survive() {
        let (t, _) = clean("\u{301}\u{301} مرحبا بالعالم");
        assert!(t.ends_with("مرحبا بالعالم"));
    }
}
