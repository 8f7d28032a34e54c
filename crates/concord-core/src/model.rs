//! The per-article data model: what ingest produces and per-article stages enrich.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::span::{OffsetMap, Span};

/// Where an article's bytes came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Path of the input file as given (relative to the working directory or absolute).
    pub path: String,
    /// 1-based line for line-oriented inputs (JSONL); `None` for whole files.
    pub line: Option<u64>,
    /// 0-based index inside a JSON array input.
    pub index: Option<u64>,
    /// Byte offset of the article body inside the source: the file's (decompressed) bytes
    /// for text and Markdown, the decoded text field for JSON and JSONL.
    pub body_offset: usize,
    /// Input format that read it: `txt`, `md`, `json`, `jsonl` (with `+gz` when compressed).
    pub format: String,
}

/// Where an article's outlet name was taken from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutletFrom {
    /// The article's own metadata (front matter or a JSON field).
    Metadata,
    /// The `[input] outlet` setting.
    Config,
    /// The input file's name.
    #[default]
    Filename,
}

/// One ingested article: metadata plus its body text, before any processing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id derived from the input (path and line, or an id field), never from
    /// processing order.
    pub id: String,
    /// Provenance of the body bytes.
    pub source: Source,
    /// The outlet (publisher) this article counts for.
    pub outlet: String,
    /// Where `outlet` came from.
    pub outlet_from: OutletFrom,
    /// Title from metadata, if any (plain text never promotes its first line).
    pub title: Option<String>,
    /// Publication date or timestamp as given.
    pub published: Option<String>,
    /// Canonical URL, if given.
    pub url: Option<String>,
    /// Author or byline from metadata.
    pub author: Option<String>,
    /// Tags or categories from metadata.
    pub tags: Vec<String>,
    /// Excerpt or summary from metadata.
    pub excerpt: Option<String>,
    /// The body text.
    pub body: String,
    /// Non-fatal problems met while reading (lossy UTF-8 decoding, ...).
    pub warnings: Vec<String>,
}

/// What a sentence-like line of the text is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// A sentence of the story.
    #[default]
    Story,
    /// A heading or section title (not a claim).
    Heading,
    /// A bullet or numbered list item.
    List,
}

/// A sentence (or heading, or list item) of the normalised text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Span in `Document::text`.
    pub span: Span,
    /// Story sentence, heading or list item.
    pub kind: SentenceKind,
    /// 0-based paragraph number, for quotes that run over paragraphs.
    pub paragraph: u32,
}

/// A span of the source dropped from the text, and the rule that dropped it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// Source span (see [`Source`]), not a text span: removed bytes are not in the text.
    pub span: Span,
    /// Name of the rule (e.g. `related-links`, `social-embed`, `byline`).
    pub rule: String,
}

/// Entity type, in the four CoNLL classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityKind {
    /// A person.
    Person,
    /// An organisation.
    Org,
    /// A location.
    Loc,
    /// Anything else named (nationalities, events, ...).
    Misc,
}

impl EntityKind {
    /// The upper-case name used in files and reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntityKind::Person => "PERSON",
            EntityKind::Org => "ORG",
            EntityKind::Loc => "LOC",
            EntityKind::Misc => "MISC",
        }
    }

    /// Parses `PERSON`/`PER`, `ORG`, `LOC`, `MISC` (any case).
    pub fn parse(s: &str) -> Option<EntityKind> {
        match s.trim().to_ascii_uppercase().as_str() {
            "PERSON" | "PER" => Some(EntityKind::Person),
            "ORG" | "ORGANIZATION" | "ORGANISATION" => Some(EntityKind::Org),
            "LOC" | "LOCATION" | "GPE" => Some(EntityKind::Loc),
            "MISC" => Some(EntityKind::Misc),
            _ => None,
        }
    }
}

/// An entity as resolved inside one article (the target of its mentions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalEntity {
    /// Canonical name (the fullest form seen, or the gazetteer's name).
    pub name: String,
    /// Entity type.
    pub kind: EntityKind,
    /// Other surface forms seen in this article.
    pub aliases: Vec<String>,
    /// Gazetteer id, when the entity came from a gazetteer.
    pub gazetteer_id: Option<String>,
}

/// One occurrence of an entity in the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Span in `Document::text` (without a possessive `'s`).
    pub span: Span,
    /// Index into `Document::entities`.
    pub entity: usize,
    /// Entity type.
    pub kind: EntityKind,
    /// The text as written.
    pub surface: String,
    /// Title or role seen with the mention ("Senator", "US Secretary of State").
    pub role: Option<String>,
}

/// Who a quote is attributed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// Name as resolved (the entity's canonical name, or the surface form).
    pub name: String,
    /// Index into `Document::entities`, when the speaker is a known entity.
    pub entity: Option<usize>,
    /// Index into `Document::mentions` of the mention that named the speaker, if any.
    pub mention: Option<usize>,
    /// The attribution pattern that found it (`X said`, `according to X`, `pronoun`, ...).
    pub rule: String,
}

/// A direct quotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Span of the quoted words in `Document::text`, without the quotation marks.
    pub span: Span,
    /// Span including the quotation marks.
    pub outer: Span,
    /// The speaker, or `None` when no attribution was found (never guessed).
    pub speaker: Option<Speaker>,
    /// The speech verb of the attribution ("said", "added"), if any.
    pub verb: Option<String>,
}

/// Whether a claim unit is a whole sentence or a quotation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// A story sentence.
    #[default]
    Claim,
    /// A direct quotation.
    Quote,
}

/// A unit that claim clustering compares across articles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimUnit {
    /// Span in `Document::text`.
    pub span: Span,
    /// Sentence or quote.
    pub kind: UnitKind,
    /// Index into `Document::sentences` of the sentence it comes from.
    pub sentence: usize,
    /// Index into `Document::quotes` for quote units.
    pub quote: Option<usize>,
}

/// Typed per-article records a stage keeps for its own corpus part (keyed by type).
///
/// A stage crate defines its own record type, inserts it in its per-article part and
/// takes it back in its corpus part's `observe`; no other crate needs to know the type.
#[derive(Default)]
pub struct Extensions {
    map: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl Extensions {
    /// Stores `value`, replacing any earlier value of the same type.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.map.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// The stored value of type `T`, if any.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.map.get(&TypeId::of::<T>()).and_then(|b| b.downcast_ref())
    }

    /// The stored value of type `T`, mutably.
    pub fn get_mut<T: Any + Send + Sync>(&mut self) -> Option<&mut T> {
        self.map.get_mut(&TypeId::of::<T>()).and_then(|b| b.downcast_mut())
    }

    /// Removes and returns the stored value of type `T`.
    pub fn remove<T: Any + Send + Sync>(&mut self) -> Option<T> {
        self.map.remove(&TypeId::of::<T>()).and_then(|b| b.downcast().ok()).map(|b| *b)
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({} records)", self.map.len())
    }
}

/// An article as it flows through the per-article stages.
///
/// All spans inside (sentences, mentions, quotes, units) are over `text`; convert them to
/// source bytes with [`Document::source_span`].
#[derive(Debug, Default)]
pub struct Document {
    /// The article as ingested.
    pub article: Article,
    /// The working text: the body until a normalisation stage rewrites it.
    pub text: String,
    /// Alignment of `text` with source bytes.
    pub offsets: OffsetMap,
    /// Sentences, headings and list items, in text order.
    pub sentences: Vec<Sentence>,
    /// Source spans dropped from the text, with the rule that dropped each.
    pub removed: Vec<Removed>,
    /// Metadata found in the text (e.g. `dateline`), with its source span.
    pub meta: BTreeMap<String, (String, Span)>,
    /// Entities resolved within this article.
    pub entities: Vec<LocalEntity>,
    /// Entity mentions, in text order.
    pub mentions: Vec<Mention>,
    /// Direct quotations, in text order.
    pub quotes: Vec<Quote>,
    /// Claim units, in text order.
    pub units: Vec<ClaimUnit>,
    /// Private per-article records of stages, for their corpus parts.
    pub ext: Extensions,
}

impl Document {
    /// Replaces the sentences with naive ones: pieces of a line ending in `. `, `? ` or
    /// `! `, and the rest of each line, one paragraph a line. A stand-in for the normalize
    /// stage in tests and benchmarks of the stages after it, not a sentence splitter.
    pub fn split_naively(&mut self) {
        let mut sentences = Vec::new();
        let mut pos = 0;
        for (para, line) in self.text.split('\n').enumerate() {
            let start = pos;
            pos += line.len() + 1;
            let b = line.as_bytes();
            let mut s = start;
            for i in 0..b.len() {
                if matches!(b[i], b'.' | b'?' | b'!') && b.get(i + 1) == Some(&b' ') {
                    let span = Span::new(s, start + i + 1);
                    sentences.push(Sentence { span, paragraph: para as u32, ..Default::default() });
                    s = start + i + 2;
                }
            }
            if s < start + line.len() {
                let span = Span::new(s, start + line.len());
                sentences.push(Sentence { span, paragraph: para as u32, ..Default::default() });
            }
        }
        self.sentences = sentences;
    }

    /// A document whose text is the article body, aligned one to one with the source.
    pub fn new(article: Article) -> Document {
        let offsets = OffsetMap::identity(article.source.body_offset, article.body.len());
        Document { text: article.body.clone(), offsets, article, ..Document::default() }
    }

    /// The source span (see [`Source`]) of a span of `text`.
    pub fn source_span(&self, span: Span) -> Span {
        self.offsets.to_source(span)
    }

    /// The text a span of `text` covers.
    pub fn slice(&self, span: Span) -> &str {
        span.slice(&self.text)
    }
}
