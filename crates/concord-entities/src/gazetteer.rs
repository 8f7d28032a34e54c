//! Gazetteers: plain TSV name lists, merged and compiled to one Aho-Corasick automaton.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
use concord_core::EntityKind;

/// Why a gazetteer could not be read or compiled.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    /// A line is malformed.
    #[error("{origin}:{line}: {message}")]
    Parse {
        /// File (or other origin) of the text.
        origin: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The automaton could not be built (too many or too long patterns).
    #[error("cannot compile gazetteer: {0}")]
    Build(String),
}

/// One gazetteer entry: a canonical name, its kind and its aliases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GazEntry {
    /// Canonical name.
    pub name: String,
    /// Entity kind.
    pub kind: EntityKind,
    /// Other names of the same entity.
    pub aliases: Vec<String>,
    /// Optional stable id (e.g. `iso:UKR`).
    pub id: Option<String>,
    /// Optional URL.
    pub url: Option<String>,
}

/// A set of named entities with aliases, read from TSV files (see the crate docs for the format).
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    entries: Vec<GazEntry>,
    /// (kind, lower-cased name) -> entry index, for merging.
    index: BTreeMap<(EntityKind, String), usize>,
}

/// The files of the default gazetteer, compiled into the crate.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("countries.tsv", include_str!("../../../config/gazetteers/countries.tsv")),
    ("places.tsv", include_str!("../../../config/gazetteers/places.tsv")),
    ("regions.tsv", include_str!("../../../config/gazetteers/regions.tsv")),
    ("organisations.tsv", include_str!("../../../config/gazetteers/organisations.tsv")),
    ("people.tsv", include_str!("../../../config/gazetteers/people.tsv")),
];

impl Gazetteer {
    /// An empty gazetteer.
    pub fn new() -> Gazetteer {
        Gazetteer::default()
    }

    /// The default gazetteer shipped with concord (`config/gazetteers/*.tsv`).
    pub fn builtin() -> Gazetteer {
        let mut g = Gazetteer::new();
        for (name, text) in BUILTIN_FILES {
            // The builtin files are tested to parse; a failure here would be a build defect.
            if let Ok(part) = Gazetteer::parse(text, name) {
                g.merge(part);
            }
        }
        g
    }

    /// Parses TSV text; `origin` names it in errors (a file name).
    pub fn parse(text: &str, origin: &str) -> Result<Gazetteer, GazetteerError> {
        let mut g = Gazetteer::new();
        let err = |line: usize, message: String| GazetteerError::Parse { origin: origin.to_string(), line, message };
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
            if cols.len() < 2 {
                return Err(err(i + 1, "expected at least 2 TAB-separated columns: name, kind".into()));
            }
            if cols.len() > 5 {
                return Err(err(i + 1, format!("expected at most 5 columns, found {}", cols.len())));
            }
            if cols[0].is_empty() {
                return Err(err(i + 1, "empty name".into()));
            }
            let kind = EntityKind::parse(cols[1])
                .ok_or_else(|| err(i + 1, format!("unknown kind {:?} (expected PERSON, ORG, LOC or MISC)", cols[1])))?;
            let aliases = cols
                .get(2)
                .map(|a| a.split('|').map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect())
                .unwrap_or_default();
            let opt = |k: usize| cols.get(k).filter(|s| !s.is_empty()).map(|s| s.to_string());
            g.add(GazEntry { name: cols[0].to_string(), kind, aliases, id: opt(3), url: opt(4) });
        }
        Ok(g)
    }

    /// Reads and parses a TSV file.
    pub fn load(path: &Path) -> Result<Gazetteer, GazetteerError> {
        let bytes = std::fs::read(path).map_err(|source| GazetteerError::Io { path: path.to_path_buf(), source })?;
        let text = String::from_utf8(bytes).map_err(|e| GazetteerError::Parse {
            origin: path.display().to_string(),
            line: 0,
            message: format!("not UTF-8: {e}"),
        })?;
        Gazetteer::parse(&text, &path.display().to_string())
    }

    /// Adds one entry, merging it into an existing entry of the same kind and name.
    pub fn add(&mut self, entry: GazEntry) {
        let key = (entry.kind, entry.name.to_lowercase());
        match self.index.get(&key) {
            Some(&i) => {
                let e = &mut self.entries[i];
                for a in entry.aliases {
                    if !e.aliases.contains(&a) && a != e.name {
                        e.aliases.push(a);
                    }
                }
                if e.id.is_none() {
                    e.id = entry.id;
                }
                if e.url.is_none() {
                    e.url = entry.url;
                }
            }
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// Merges another gazetteer into this one (same kind and name: aliases united).
    pub fn merge(&mut self, other: Gazetteer) {
        for e in other.entries {
            self.add(e);
        }
    }

    /// The entries, in insertion order.
    pub fn entries(&self) -> &[GazEntry] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Compiles every name and alias into one automaton.
    pub fn compile(&self) -> Result<Matcher, GazetteerError> {
        // membership only (nothing iterates it), so a hash set cannot change the result
        let mut seen: HashSet<&str> = HashSet::with_capacity(self.entries.len() * 2);
        let mut patterns: Vec<&str> = Vec::new();
        let mut targets: Vec<u32> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            for name in std::iter::once(&e.name).chain(e.aliases.iter()) {
                // The first entry to claim a surface form keeps it (deterministic).
                if seen.insert(name.as_str()) {
                    patterns.push(name);
                    targets.push(i as u32);
                }
            }
        }
        // A DFA is fastest to search; past a few thousand names its build time and memory
        // grow too much, and the automatic choice (a contiguous NFA) is better.
        let kind = if patterns.len() <= 20_000 { Some(AhoCorasickKind::DFA) } else { None };
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .start_kind(StartKind::Anchored)
            .kind(kind)
            .build(&patterns)
            .map_err(|e| GazetteerError::Build(e.to_string()))?;
        let mut starts = [false; 256];
        for p in &patterns {
            let Some(&b) = p.as_bytes().first() else { continue };
            // an upper-case first letter only matches upper case; anything else matches as is
            // or, for a lower-case letter, in either case
            starts[b as usize] = true;
            if b.is_ascii_lowercase() {
                starts[b.to_ascii_uppercase() as usize] = true;
            }
        }
        let mut pairs = Box::new([0u64; 1024]);
        for p in &patterns {
            let b = p.as_bytes();
            let Some(&p0) = b.first() else { continue };
            let seconds: Vec<u8> = match b.get(1) {
                Some(&p1) => fitting(p1).collect(),
                None => (0..=255).collect(),
            };
            for t0 in fitting(p0) {
                for &t1 in &seconds {
                    let k = usize::from(t0) << 8 | usize::from(t1);
                    pairs[k / 64] |= 1 << (k % 64);
                }
            }
        }
        let upper: Vec<Box<[u8]>> = patterns.iter().map(|p| p.as_bytes().into()).collect();
        Ok(Matcher { ac, targets, patterns: upper, starts, pairs, entries: self.entries.clone() })
    }
}

/// A gazetteer hit in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GazMatch {
    /// First byte.
    pub start: usize,
    /// One past the last byte (a possessive `'s` is not included).
    pub end: usize,
    /// Index into [`Matcher::entries`].
    pub entry: usize,
}

/// A compiled gazetteer: one Aho-Corasick automaton over all names and aliases, searched
/// anchored at the places where an accepted match can start.
#[derive(Clone, Debug)]
pub struct Matcher {
    ac: AhoCorasick,
    targets: Vec<u32>,
    patterns: Vec<Box<[u8]>>,
    /// Per text byte: whether a match starting on it can pass the case check.
    starts: [bool; 256],
    /// Per two text bytes (as bits of `first << 8 | second`): whether a match starting on
    /// them can pass the case check (a one-byte name allows any second byte).
    pairs: Box<[u64; 1024]>,
    entries: Vec<GazEntry>,
}

impl Matcher {
    /// The entries matches point to.
    pub fn entries(&self) -> &[GazEntry] {
        &self.entries
    }

    /// Every whole-word match in `text[range]`, leftmost-longest, with case checked: an upper-case
    /// letter of the name must be upper-case in the text.
    ///
    /// The result is that of scanning from the start of the range: take the leftmost-longest
    /// match; keep it and go on after it when it is a whole word with the case right, else go
    /// on one character after its start. As a rejected match only moves the scan on, this
    /// searches anchored (longest match) only where a match could be kept: after a
    /// non-alphanumeric character, on a byte that some name can start with in that case.
    pub fn find_in(&self, text: &str, range: std::ops::Range<usize>, out: &mut Vec<GazMatch>) {
        let bytes = text.as_bytes();
        let end = range.end.min(bytes.len());
        let mut pos = range.start.min(end);
        while pos < end {
            if !self.starts[bytes[pos] as usize]
                || (pos > 0 && is_word_byte_before(text, pos))
                || !self.may_start(bytes, pos, end)
            {
                pos += 1;
                continue;
            }
            let input = Input::new(bytes).span(pos..end).anchored(Anchored::Yes);
            let Some(m) = self.ac.find(input) else {
                pos += 1;
                continue;
            };
            let pat = &self.patterns[m.pattern().as_usize()];
            let after_ok = m.end() >= bytes.len() || !is_word_byte_after(text, m.end());
            let case_ok = case_fits(pat, &bytes[m.start()..m.end()]);
            if after_ok && case_ok {
                out.push(GazMatch {
                    start: m.start(),
                    end: m.end(),
                    entry: self.targets[m.pattern().as_usize()] as usize,
                });
                pos = m.end();
            } else {
                pos += 1;
            }
        }
    }

    /// False when no name can match with its case right at `pos` (before `end`), judged by
    /// the first two bytes (the first one alone at the end).
    #[inline(always)]
    fn may_start(&self, bytes: &[u8], pos: usize, end: usize) -> bool {
        if pos + 1 >= end {
            return self.starts[bytes[pos] as usize];
        }
        let k = usize::from(bytes[pos]) << 8 | usize::from(bytes[pos + 1]);
        self.pairs[k / 64] & (1 << (k % 64)) != 0
    }

    /// Every match in the whole text.
    pub fn find(&self, text: &str) -> Vec<GazMatch> {
        let mut out = Vec::new();
        self.find_in(text, 0..text.len(), &mut out);
        out
    }
}

/// The text bytes that can stand for name byte `p` in a match kept: a lower-case ASCII letter
/// matches either case, a capital only a capital (see [`case_fits`]), another byte itself.
fn fitting(p: u8) -> impl Iterator<Item = u8> {
    std::iter::once(p).chain(p.is_ascii_lowercase().then(|| p.to_ascii_uppercase()))
}

/// Case rule of a match: every capital of the name's pattern is a capital in the text.
fn case_fits(pattern: &[u8], text: &[u8]) -> bool {
    pattern.iter().zip(text).all(|(p, t)| !p.is_ascii_uppercase() || t.is_ascii_uppercase())
}

fn is_word_byte_before(text: &str, pos: usize) -> bool {
    match text.as_bytes().get(pos.wrapping_sub(1)) {
        Some(b) if b.is_ascii() => b.is_ascii_alphanumeric(),
        _ => text.get(..pos).and_then(|s| s.chars().next_back()).is_some_and(char::is_alphanumeric),
    }
}

fn is_word_byte_after(text: &str, pos: usize) -> bool {
    text.get(pos..).and_then(|s| s.chars().next()).is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_lines() {
        let g = Gazetteer::parse("# c\nKyiv\tLOC\tKiev|Kiyv\tq1\n\nNATO\tORG\n", "t.tsv").unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g.entries()[0].aliases, vec!["Kiev", "Kiyv"]);
        assert_eq!(g.entries()[0].id.as_deref(), Some("q1"));
        let e = Gazetteer::parse("A\tLOC\nB\tPLACE\n", "x.tsv").unwrap_err();
        assert_eq!(e.to_string(), "x.tsv:2: unknown kind \"PLACE\" (expected PERSON, ORG, LOC or MISC)");
        let e = Gazetteer::parse("lonely\n", "y.tsv").unwrap_err();
        assert!(e.to_string().starts_with("y.tsv:1:"), "{e}");
    }

    #[test]
    fn merge_unites_aliases() {
        let mut a = Gazetteer::parse("Kyiv\tLOC\tKiev\n", "a").unwrap();
        a.merge(Gazetteer::parse("Kyiv\tLOC\tKyjiw\nKyiv\tPERSON\n", "b").unwrap());
        assert_eq!(a.len(), 2);
        assert_eq!(a.entries()[0].aliases, vec!["Kiev", "Kyjiw"]);
    }

    #[test]
    fn matches_whole_words_longest_with_case() {
        let g = Gazetteer::parse("United States\tLOC\tUS\nUnited\tORG\nPutin\tPERSON\nChad\tLOC\n", "t").unwrap();
        let m = g.compile().unwrap();
        let text = "The United States told us. Putin's and Putin’s aides; Putinism; chad in Chad. US";
        let hits: Vec<&str> = m.find(text).iter().map(|h| &text[h.start..h.end]).collect();
        assert_eq!(hits, vec!["United States", "Putin", "Putin", "Chad", "US"]);
    }

    /// The scan [`Matcher::find_in`] stands for, with an unanchored automaton: leftmost-longest
    /// match, kept or skipped by one character.
    fn find_unanchored(m: &Matcher, text: &str, range: std::ops::Range<usize>) -> Vec<GazMatch> {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&m.patterns)
            .unwrap();
        let (bytes, mut out) = (text.as_bytes(), Vec::new());
        let end = range.end.min(bytes.len());
        let mut pos = range.start.min(end);
        while let Some(h) = ac.find(Input::new(bytes).span(pos..end)) {
            let pat = &m.patterns[h.pattern().as_usize()];
            let before_ok = h.start() == 0 || !is_word_byte_before(text, h.start());
            let after_ok = h.end() >= bytes.len() || !is_word_byte_after(text, h.end());
            let case_ok = case_fits(pat, &bytes[h.start()..]);
            if before_ok && after_ok && case_ok {
                out.push(GazMatch {
                    start: h.start(),
                    end: h.end(),
                    entry: m.targets[h.pattern().as_usize()] as usize,
                });
                pos = h.end();
            } else {
                pos = h.start() + text[h.start()..].chars().next().map_or(1, char::len_utf8);
            }
            if pos >= end {
                break;
            }
        }
        out
    }

    #[test]
    fn anchored_scan_matches_the_unanchored_one() {
        let tsv = "United States\tLOC\tUS|U.S.|the States\nUnited\tORG\nIran\tLOC\nIran Air\tORG\nus\tMISC\n\
                   al-Qaeda\tORG\tal Qaeda\nde Gaulle\tPERSON\nZürich\tLOC\tZurich\nÎle-de-France\tLOC\n\
                   AT&T\tORG\nG7\tORG\n's-Hertogenbosch\tLOC\n\u{212a}elvin\tMISC\nSt. Louis\tLOC\n";
        let m = Gazetteer::parse(tsv, "t").unwrap().compile().unwrap();
        let pool: Vec<&str> = "United|States|united|states|US|us|U.S.|the|States'|Iran|Iranian|Air|air|al-Qaeda|Al|\
                               Qaeda|de|Gaulle|Zürich|ZÜRICH|Zurich|Île-de-France|île|AT&T|G7|G77|'s-Hertogenbosch|\
                               \u{212a}elvin|kelvin|St.|Louis|é|’s|'s|-|.|,| | | |\n|x|1|—|“|because"
            .split('|')
            .collect();
        let (mut x, mut found) = (7u64, 0);
        for _ in 0..400 {
            let mut text = String::new();
            for _ in 0..40 {
                x = concord_core::text::mix64(x);
                text.push_str(pool[(x % pool.len() as u64) as usize]);
                if x >> 60 < 9 {
                    text.push(' ');
                }
            }
            let cut = text.char_indices().map(|(i, _)| i).nth(text.chars().count() / 3).unwrap_or(0);
            for range in [0..text.len(), cut..text.len(), 0..cut, cut..cut + 9] {
                let mut got = Vec::new();
                m.find_in(&text, range.clone(), &mut got);
                assert_eq!(got, find_unanchored(&m, &text, range.clone()), "{text:?} {range:?}");
                found += got.len();
            }
        }
        assert!(found > 2000, "{found}");
    }

    #[test]
    fn builtin_parses() {
        for (name, text) in BUILTIN_FILES {
            Gazetteer::parse(text, name).unwrap();
        }
        let g = Gazetteer::builtin();
        assert!(g.len() > 500, "{}", g.len());
        let m = g.compile().unwrap();
        let t = "Talks in Kiev and Kyiv with NATO and the ICC.";
        let kinds: Vec<_> =
            m.find(t).iter().map(|h| (m.entries()[h.entry].name.as_str(), m.entries()[h.entry].kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("Kyiv", EntityKind::Loc),
                ("Kyiv", EntityKind::Loc),
                ("NATO", EntityKind::Org),
                ("International Criminal Court", EntityKind::Org)
            ]
        );
    }
}
