//! Linking spilled mention and quote rows by patching their bytes.
//!
//! The pipeline spills rows as serde_json writes them (compact, fields in declaration
//! order), with the ids only the corpus knows still `null`. Parsing every row back into a
//! struct, linking it and serialising it again costs more than writing it; instead the fast
//! path here finds the few fields it needs in the line and splices the ids in, copying
//! everything else as it is. For a line serde_json wrote from the same row type, that is
//! exactly the bytes the parse-link-serialise path gives (serde_json's output is canonical:
//! reading it back and writing it again gives the same bytes). A line the fast path does not
//! recognise (escaped article id, nested value, unexpected number) returns `false`, and the
//! caller takes the general path.

use std::ops::Range;

use concord_core::Corpus;

use crate::rows::QuoteIndex;

/// The top-level fields of one compact JSON object: raw key bytes (no escapes expected)
/// and the byte range of each value. Strings, numbers, `true`, `false` and `null` only.
struct Fields<'l> {
    line: &'l [u8],
    pos: usize,
}

impl<'l> Fields<'l> {
    fn new(line: &'l [u8]) -> Option<Fields<'l>> {
        (line.first() == Some(&b'{') && line.last() == Some(&b'}')).then_some(Fields { line, pos: 1 })
    }

    /// The end of the string starting at `at` (a `"`), past its closing quote, and whether
    /// it has escapes.
    #[inline]
    fn string_end(&self, at: usize) -> Option<(usize, bool)> {
        let mut k = at + 1;
        let mut escaped = false;
        loop {
            k = quote_or_backslash(self.line, k)?;
            if self.line[k] == b'"' {
                return Some((k + 1, escaped));
            }
            escaped = true;
            k += 2;
        }
    }

    /// True when every field has been read.
    fn at_end(&self) -> bool {
        self.pos + 1 >= self.line.len()
    }

    /// The next field's raw key and value range; `None` when the line is not in the
    /// handled shape.
    fn next_field(&mut self) -> Option<(&'l [u8], Range<usize>)> {
        let b = self.line;
        if b[self.pos] != b'"' {
            return None;
        }
        let (key_end, escaped) = self.string_end(self.pos)?;
        let key = &b[self.pos + 1..key_end - 1];
        if escaped || b.get(key_end) != Some(&b':') {
            return None;
        }
        let v = key_end + 1;
        let end = match *b.get(v)? {
            b'"' => self.string_end(v)?.0,
            b'{' | b'[' => return None,
            _ => v + b[v..].iter().position(|&c| c == b',' || c == b'}')?,
        };
        self.pos = match b.get(end)? {
            b',' => end + 1,
            b'}' if end + 1 == b.len() => end,
            _ => return None,
        };
        Some((key, v..end))
    }
}

/// The first `"` or `\` in `b` at or after `from`: eight bytes at a time (ids and field
/// names are short, too short for `memchr2` to pay for its set-up).
#[inline]
fn quote_or_backslash(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let m = crate::json::byte_mask(w, b'"') | crate::json::byte_mask(w, b'\\');
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?.iter().position(|&c| c == b'"' || c == b'\\').map(|k| i + k)
}

/// The fields of `line` named in `names`, by position in `names`; `None` when the line is
/// not in the handled shape or a named field is missing. The scan stops once every named
/// field is found: the rest of the line is copied unread.
fn find<const N: usize>(line: &[u8], names: [&[u8]; N]) -> Option<[Range<usize>; N]> {
    let mut found: [Range<usize>; N] = std::array::from_fn(|_| 0..0);
    let mut seen = [false; N];
    let mut left = N;
    let mut fields = Fields::new(line)?;
    while left > 0 && !fields.at_end() {
        let (key, value) = fields.next_field()?;
        if let Some(i) = names.iter().position(|n| *n == key).filter(|&i| !seen[i]) {
            (found[i], seen[i]) = (value, true);
            left -= 1;
        }
    }
    (left == 0).then_some(found)
}

/// A string value without escapes, as text.
fn plain_str(raw: &[u8]) -> Option<&str> {
    let inner = raw.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if inner.contains(&b'\\') {
        return None;
    }
    std::str::from_utf8(inner).ok()
}

/// A non-negative integer value.
fn number(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || !raw.iter().all(u8::is_ascii_digit) || (raw[0] == b'0' && raw.len() > 1) {
        return None;
    }
    Some(raw.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// Appends `line` to `out` with the given value ranges replaced: by the JSON string of
/// the id, or `null` when there is none. `patches` must be in line order.
fn splice(line: &[u8], patches: &[(Range<usize>, Option<&str>)], out: &mut Vec<u8>) {
    let mut at = 0;
    for (range, id) in patches {
        out.extend_from_slice(&line[at..range.start]);
        match id {
            Some(id) => crate::json::write_str(out, id),
            None => out.extend_from_slice(b"null"),
        }
        at = range.end;
    }
    out.extend_from_slice(&line[at..]);
}

/// Links spilled mention rows: the entity id from the article's entity links.
pub(crate) struct MentionLinker<'a> {
    corpus: &'a Corpus,
    /// The last article looked up and its links (rows come grouped by article).
    last: Option<(&'a str, Option<&'a [u32]>)>,
}

impl<'a> MentionLinker<'a> {
    pub(crate) fn new(corpus: &'a Corpus) -> MentionLinker<'a> {
        MentionLinker { corpus, last: None }
    }

    /// Appends the linked `line` to `out`; `false` (and nothing appended) when the line
    /// needs the general path.
    pub(crate) fn patch(&mut self, line: &[u8], out: &mut Vec<u8>) -> bool {
        let Some([article, entity, local]) = find(line, [b"article", b"entity", b"local_entity"]) else {
            return false;
        };
        let Some(local) = number(&line[local]) else {
            return false;
        };
        let raw = &line[article];
        if &line[entity.clone()] != b"null" {
            if plain_str(raw).is_none() {
                return false;
            }
            out.extend_from_slice(line);
            return true;
        }
        let links = match self.last {
            // Rows come grouped by article: most lines are of the article before.
            Some((a, links))
                if raw.len() == a.len() + 2
                    && raw[0] == b'"'
                    && raw.ends_with(b"\"")
                    && &raw[1..raw.len() - 1] == a.as_bytes() =>
            {
                links
            }
            _ => {
                let Some(article) = plain_str(raw) else {
                    return false;
                };
                let found = self.corpus.entity_links.get_key_value(article);
                let links = found.map(|(_, v)| v.as_slice());
                if let Some((a, _)) = found {
                    self.last = Some((a, links));
                }
                links
            }
        };
        let id = links
            .and_then(|l| l.get(usize::try_from(local).ok()?))
            .and_then(|&i| self.corpus.entities.get(i as usize))
            .map(|e| e.id.as_str());
        splice(line, &[(entity, id)], out);
        true
    }
}

/// Links spilled quote rows: the speaker id from the article's entity links, the cluster
/// id from the quote clusters' members.
pub(crate) struct QuoteLinker<'a> {
    corpus: &'a Corpus,
    index: QuoteIndex<'a>,
}

impl<'a> QuoteLinker<'a> {
    /// A linker looking cluster ids up in `index` (see [`QuoteIndex::in_memory`] and [`QuoteIndex::add_spooled`]).
    pub(crate) fn new(corpus: &'a Corpus, index: QuoteIndex<'a>) -> QuoteLinker<'a> {
        QuoteLinker { corpus, index }
    }

    /// The cluster index, for the general path.
    pub(crate) fn index(&self) -> &QuoteIndex<'a> {
        &self.index
    }

    /// Appends the linked `line` to `out`; `false` (and nothing appended) when the line
    /// needs the general path.
    pub(crate) fn patch(&self, line: &[u8], out: &mut Vec<u8>) -> bool {
        let names: [&[u8]; 6] = [b"article", b"start", b"end", b"speaker", b"speaker_local", b"cluster"];
        let Some([article, start, end, speaker, local, cluster]) = find(line, names) else {
            return false;
        };
        let (Some(article), Some(start), Some(end)) =
            (plain_str(&line[article]), number(&line[start]), number(&line[end]))
        else {
            return false;
        };
        let local = match &line[local] {
            b"null" => None,
            raw => match number(raw).and_then(|n| usize::try_from(n).ok()) {
                Some(n) => Some(n),
                None => return false,
            },
        };
        let mut patches = Vec::with_capacity(2);
        if &line[speaker.clone()] == b"null" {
            patches.push((speaker, local.and_then(|l| self.corpus.entity_id(article, l))));
        }
        if &line[cluster.clone()] == b"null" {
            patches.push((cluster, self.index.cluster(article, start, end)));
        }
        patches.sort_by_key(|(r, _)| r.start);
        splice(line, &patches, out);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{link_mention, link_quote, MentionRow, QuoteRow};
    use concord_core::{Cluster, Member, UnitKind};

    fn corpus() -> Corpus {
        let mut c = Corpus::default();
        for id in ["e-putin", "e-\"odd\"\\id", "e-trump"] {
            c.entities.push(concord_core::Entity {
                id: id.into(),
                name: id.into(),
                kind: concord_core::EntityKind::Person,
                aliases: Vec::new(),
                articles: Vec::new(),
                mentions: 0,
                mention_counts: Default::default(),
                roles: Default::default(),
                gazetteer_id: None,
            });
        }
        c.entity_links.insert("a1".into(), vec![0, 1]);
        c.entity_links.insert("a2".into(), vec![2]);
        let member = |article: &str, start, end| Member {
            article: article.into(),
            outlet: "BBC".into(),
            start,
            end,
            text: "x".into(),
            speaker: None,
            sentence_start: start,
            sentence_end: end,
            context: None,
        };
        c.clusters.push(Cluster {
            id: "q-1".into(),
            kind: UnitKind::Quote,
            text: "x".into(),
            speaker: None,
            speaker_name: None,
            articles: vec!["a1".into(), "a2".into()],
            outlets: vec!["BBC".into()],
            entities: vec![],
            members: vec![member("a1", 10, 20), member("a2", 5, 9)],
        });
        c
    }

    fn mentions() -> Vec<MentionRow> {
        let m = |article: &str, entity: Option<&str>, local, surface: &str, role: Option<&str>| MentionRow {
            article: article.into(),
            entity: entity.map(Into::into),
            local_entity: local,
            kind: "PERSON".into(),
            start: 3,
            end: 8,
            surface: surface.into(),
            role: role.map(Into::into),
        };
        vec![
            m("a1", None, 0, "Putin", None),
            m("a1", None, 1, "“Odd” \"one\"\n\\ é \u{1}", Some("Sen.")),
            m("a1", None, 7, "out of range", None),
            m("a2", None, 0, "Trump", Some("President")),
            m("a2", Some("e-given"), 0, "Trump", None),
            m("a3", None, 0, "unlinked article", None),
            m("a2", None, 0, "back to a2 after an unknown article", None),
            m("a-much-longer-article-id-than-eight-bytes", None, 0, "unknown", None),
            m("a1", None, 1, "a1 again, \"quoted\" \\ and \u{1f980}", None),
            m("a\"q", None, 0, "escaped article id", None),
        ]
    }

    fn quotes() -> Vec<QuoteRow> {
        let q = |article: &str, start, end, text: &str, local: Option<usize>, cluster: Option<&str>| QuoteRow {
            article: article.into(),
            start,
            end,
            text: text.into(),
            speaker: None,
            speaker_local: local,
            speaker_name: local.map(|_| "Putin".into()),
            verb: Some("said".into()),
            cluster: cluster.map(Into::into),
        };
        vec![
            q("a1", 10, 20, "Next time in \"Moscow\", \\ ok", Some(1), None),
            q("a1", 10, 25, "same start", Some(0), None),
            q("a2", 5, 9, "{\"not\": [a, nested] value}", None, None),
            q("a2", 50, 60, "no cluster", Some(3), Some("q-given")),
            q("a9", 0, 1, "nobody", None, None),
        ]
    }

    fn line<T: serde::Serialize>(row: &T) -> Vec<u8> {
        serde_json::to_vec(row).unwrap()
    }

    #[test]
    fn mention_fast_path_matches_the_general_path() {
        let c = corpus();
        let mut linker = MentionLinker::new(&c);
        let mut out = Vec::new();
        let mut patched = 0;
        for row in mentions() {
            let l = line(&row);
            out.clear();
            if linker.patch(&l, &mut out) {
                patched += 1;
                assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&line(&link_mention(&c, &row))));
            }
        }
        // All but the escaped article id.
        assert_eq!(patched, 9);
    }

    #[test]
    fn quote_fast_path_matches_the_general_path() {
        let c = corpus();
        let linker = QuoteLinker::new(&c, QuoteIndex::in_memory(&c));
        let mut out = Vec::new();
        for row in quotes() {
            let l = line(&row);
            out.clear();
            assert!(linker.patch(&l, &mut out), "{}", String::from_utf8_lossy(&l));
            let want = line(&link_quote(&c, linker.index(), &row));
            assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&want));
        }
    }

    #[test]
    fn unexpected_shapes_take_the_general_path() {
        let c = corpus();
        let mut m = MentionLinker::new(&c);
        let mut out = Vec::new();
        for l in [
            &br#"{"article":"a1","entity":null}"#[..],
            br#"{"article":"a1","entity":null,"local_entity":-1}"#,
            br#"{"article":"a1","entity":null,"local_entity":1.5}"#,
            br#"{"x":[1],"article":"a1","entity":null,"local_entity":0}"#,
            br#"{"article":"a1" ,"entity":null,"local_entity":0}"#,
            br#"{"article":"a1","entity":null,"local_entity":0"#,
            br#"{"article":"a1","entity":null,"local_entity":0}x"#,
            br#"{"article":"a1","entity":"unterminated"#,
            b"",
        ] {
            assert!(!m.patch(l, &mut out), "{}", String::from_utf8_lossy(l));
            assert!(out.is_empty());
        }
        assert!(
            !QuoteLinker::new(&c, QuoteIndex::in_memory(&c)).patch(br#"{"article":"a1","start":1,"end":2}"#, &mut out)
        );
        assert!(out.is_empty());
    }
}
