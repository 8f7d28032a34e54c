//! Byte spans and the alignment between normalised text and source bytes.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)`.
///
/// Inside a [`crate::Document`] a span is over `doc.text`; in reports it is over the
/// article's source (see [`crate::Source`]). Convert with [`OffsetMap::to_source`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; panics in debug builds if `end < start`.
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span {start}..{end} is reversed");
        Span { start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The text this span covers in `s` (empty if out of range or not on char boundaries).
    pub fn slice<'a>(&self, s: &'a str) -> &'a str {
        s.get(self.start..self.end).unwrap_or("")
    }

    /// True when `other` lies inside this span.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// One piece of the alignment: `text_len` bytes of text made from `src_len` source bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Segment {
    text: usize,
    src: usize,
    text_len: usize,
    src_len: usize,
    /// Copied byte for byte (so positions inside map one to one).
    copy: bool,
}

/// Maps byte positions of a normalised text back to byte positions of its source.
///
/// Built piece by piece while text is rewritten (the habit of HF tokenizers'
/// `NormalizedString`): copied runs map one to one; a replaced run (an entity decoded, a
/// whitespace run folded) maps as a whole to the source bytes it came from; source bytes
/// that produced no text (removed boilerplate, dropped control characters) are simply
/// skipped. Any span of the text therefore converts to the exact source range that
/// produced it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetMap {
    segments: Vec<Segment>,
    text_len: usize,
}

impl OffsetMap {
    /// The map of a text that is an unchanged copy of `len` source bytes starting at `base`.
    pub fn identity(base: usize, len: usize) -> OffsetMap {
        let mut m = OffsetMap::default();
        m.push_copy(base, len);
        m
    }

    /// Length of the text this map covers.
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    /// Appends `len` text bytes copied from source bytes `src..src + len`.
    pub fn push_copy(&mut self, src: usize, len: usize) {
        if len == 0 {
            return;
        }
        if let Some(last) = self.segments.last_mut() {
            if last.copy && last.src + last.src_len == src && last.text + last.text_len == self.text_len {
                last.text_len += len;
                last.src_len += len;
                self.text_len += len;
                return;
            }
        }
        self.segments.push(Segment { text: self.text_len, src, text_len: len, src_len: len, copy: true });
        self.text_len += len;
    }

    /// Appends `text_len` text bytes that replace source bytes `src.start..src.end`
    /// (an inserted separator has an empty source range).
    pub fn push_replace(&mut self, src: Span, text_len: usize) {
        if text_len == 0 {
            return;
        }
        self.segments.push(Segment { text: self.text_len, src: src.start, text_len, src_len: src.len(), copy: false });
        self.text_len += text_len;
    }

    /// Source position of text position `pos` taken as the start of a span.
    pub fn source_start(&self, pos: usize) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        // The segment holding byte `pos` (the last one whose start is <= pos).
        let i = self.segments.partition_point(|s| s.text <= pos).saturating_sub(1);
        let s = self.segments[i];
        if pos >= s.text + s.text_len {
            return s.src + s.src_len; // at or past the end of the text
        }
        if s.copy {
            s.src + (pos - s.text)
        } else {
            s.src
        }
    }

    /// Source position of text position `pos` taken as the end of a span.
    pub fn source_end(&self, pos: usize) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        if pos == 0 {
            return self.segments[0].src;
        }
        // The segment holding byte `pos - 1`.
        let i = self.segments.partition_point(|s| s.text < pos).saturating_sub(1);
        let s = self.segments[i];
        if s.copy {
            s.src + (pos - s.text).min(s.text_len)
        } else {
            s.src + s.src_len
        }
    }

    /// Converts a span of the text into the source range that produced it.
    pub fn to_source(&self, span: Span) -> Span {
        if span.is_empty() {
            let p = self.source_start(span.start);
            return Span::new(p, p);
        }
        let start = self.source_start(span.start);
        let end = self.source_end(span.end).max(start);
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_offsets_by_base() {
        let m = OffsetMap::identity(10, 5);
        assert_eq!(m.to_source(Span::new(1, 3)), Span::new(11, 13));
        assert_eq!(m.to_source(Span::new(0, 5)), Span::new(10, 15));
    }

    #[test]
    fn replaced_and_skipped_runs_map_to_whole_source() {
        // source: "a&amp;b<junk>c"; text: "a&bc"
        let mut m = OffsetMap::default();
        m.push_copy(0, 1); // a
        m.push_replace(Span::new(1, 6), 1); // &amp; -> &
        m.push_copy(6, 1); // b
        m.push_copy(13, 1); // c (junk skipped)
        assert_eq!(m.text_len(), 4);
        assert_eq!(m.to_source(Span::new(1, 2)), Span::new(1, 6));
        assert_eq!(m.to_source(Span::new(0, 3)), Span::new(0, 7));
        assert_eq!(m.to_source(Span::new(3, 4)), Span::new(13, 14));
        assert_eq!(m.to_source(Span::new(2, 4)), Span::new(6, 14));
    }

    #[test]
    fn adjacent_copies_merge() {
        let mut m = OffsetMap::default();
        m.push_copy(0, 3);
        m.push_copy(3, 3);
        assert_eq!(m.segments.len(), 1);
        assert_eq!(m.to_source(Span::new(2, 5)), Span::new(2, 5));
    }
}
