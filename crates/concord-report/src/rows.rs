//! Flat rows of the JSON Lines exports, and how to get them from documents and the corpus.

use std::borrow::Cow;
use std::collections::BTreeMap;

use concord_core::{Corpus, Document, UnitKind};
use serde::{Deserialize, Serialize};

use crate::model::Report;

/// One entity mention: a `mentions.jsonl` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentionRow {
    /// Article id.
    pub article: String,
    /// Global entity id; when `None` at write time it is looked up from `local_entity`
    /// through `Corpus::entity_links`.
    pub entity: Option<String>,
    /// Index of the entity in the article's own entity list.
    pub local_entity: usize,
    /// `PERSON`, `ORG`, `LOC` or `MISC`.
    pub kind: String,
    /// Start byte in the article's source.
    pub start: u64,
    /// End byte in the article's source.
    pub end: u64,
    /// The text as written.
    pub surface: String,
    /// Title or role seen with the mention.
    pub role: Option<String>,
}

/// One direct quotation: a `quotes.jsonl` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRow {
    /// Article id.
    pub article: String,
    /// Start byte of the quoted words in the article's source.
    pub start: u64,
    /// End byte in the article's source.
    pub end: u64,
    /// The quoted words.
    pub text: String,
    /// Speaker entity id; when `None` at write time it is looked up from `speaker_local`.
    pub speaker: Option<String>,
    /// Index of the speaker in the article's own entity list, if the speaker is an entity.
    pub speaker_local: Option<usize>,
    /// Speaker name, or `None` when unattributed.
    pub speaker_name: Option<String>,
    /// Speech verb ("said"), if any.
    pub verb: Option<String>,
    /// Id of the cluster holding this quote; when `None` at write time it is looked up from
    /// the corpus's quote clusters by article and offsets.
    pub cluster: Option<String>,
}

/// One cluster: a `clusters.jsonl` row (members are in `report.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRow<'a> {
    /// Cluster id.
    pub id: Cow<'a, str>,
    /// 1-based rank.
    pub rank: u64,
    /// `quote` or `claim`.
    pub kind: Cow<'a, str>,
    /// Representative text.
    pub text: Cow<'a, str>,
    /// Speaker entity id.
    pub speaker: Option<Cow<'a, str>>,
    /// Speaker name.
    pub speaker_name: Option<Cow<'a, str>>,
    /// Number of distinct outlets.
    pub corroboration: u64,
    /// Number of member occurrences.
    pub members: u64,
    /// Distinct outlets, sorted.
    pub outlets: Cow<'a, [String]>,
    /// Distinct article ids, sorted.
    pub articles: Cow<'a, [String]>,
}

/// The mention rows of one processed document, with source offsets (entity ids unresolved:
/// they are filled from the corpus when the report is written).
pub fn mention_rows(doc: &Document) -> Vec<MentionRow> {
    doc.mentions
        .iter()
        .map(|m| {
            let s = doc.source_span(m.span);
            MentionRow {
                article: doc.article.id.clone(),
                entity: None,
                local_entity: m.entity,
                kind: m.kind.as_str().to_string(),
                start: s.start as u64,
                end: s.end as u64,
                surface: m.surface.clone(),
                role: m.role.clone(),
            }
        })
        .collect()
}

/// The quote rows of one processed document, with source offsets (speaker and cluster ids
/// are filled from the corpus when the report is written).
pub fn quote_rows(doc: &Document) -> Vec<QuoteRow> {
    doc.quotes
        .iter()
        .map(|q| {
            let s = doc.source_span(q.span);
            QuoteRow {
                article: doc.article.id.clone(),
                start: s.start as u64,
                end: s.end as u64,
                text: doc.slice(q.span).to_string(),
                speaker: None,
                speaker_local: q.speaker.as_ref().and_then(|sp| sp.entity),
                speaker_name: q.speaker.as_ref().map(|sp| sp.name.clone()),
                verb: q.verb.clone(),
                cluster: None,
            }
        })
        .collect()
}

/// Looks up quote cluster ids by (article, start, end) of their members, over every
/// cluster (the spooled ones read back once, their keys kept).
pub(crate) struct QuoteIndex<'a> {
    ids: Vec<Cow<'a, str>>,
    /// Per article: (start, end, index in `ids`) of quote cluster members, in rank order.
    by_article: BTreeMap<Cow<'a, str>, Vec<(u64, u64, u32)>>,
}

impl<'a> QuoteIndex<'a> {
    /// The index of the clusters in memory (to which [`QuoteIndex::add_spooled`] adds the
    /// spooled ones, in rank order).
    pub(crate) fn in_memory(corpus: &'a Corpus) -> QuoteIndex<'a> {
        let mut index = QuoteIndex { ids: Vec::new(), by_article: BTreeMap::new() };
        for c in corpus.clusters.iter().filter(|c| c.kind == UnitKind::Quote) {
            index.add(Cow::Borrowed(&c.id), c.members.iter().map(|m| (Cow::Borrowed(m.article.as_str()), m)));
        }
        index
    }

    /// Adds a spooled cluster (the next in rank order), if a quote cluster.
    pub(crate) fn add_spooled(&mut self, c: &concord_core::Cluster) {
        if c.kind == UnitKind::Quote {
            let members = c.members.iter().map(|m| (Cow::Owned(m.article.clone()), m));
            self.add(Cow::Owned(c.id.clone()), members);
        }
    }

    fn add<'m>(&mut self, id: Cow<'a, str>, members: impl Iterator<Item = (Cow<'a, str>, &'m concord_core::Member)>) {
        let i = self.ids.len() as u32;
        self.ids.push(id);
        for (article, m) in members {
            self.by_article.entry(article).or_default().push((m.start as u64, m.end as u64, i));
        }
    }

    /// The first cluster (in rank order) with a member at exactly these offsets, else the
    /// first with a member starting there.
    pub(crate) fn cluster(&self, article: &str, start: u64, end: u64) -> Option<&str> {
        let v = self.by_article.get(article)?;
        let hit = v.iter().find(|m| (m.0, m.1) == (start, end)).or_else(|| v.iter().find(|m| m.0 == start))?;
        Some(&self.ids[hit.2 as usize])
    }
}

/// Fills a mention row's entity id from the corpus's links.
pub fn link_mention(corpus: &Corpus, row: &MentionRow) -> MentionRow {
    let mut r = row.clone();
    if r.entity.is_none() {
        r.entity = corpus.entity_id(&r.article, r.local_entity).map(str::to_string);
    }
    r
}

/// Fills a quote row's speaker id and cluster id from the corpus.
pub(crate) fn link_quote(corpus: &Corpus, index: &QuoteIndex<'_>, row: &QuoteRow) -> QuoteRow {
    let mut r = row.clone();
    if r.speaker.is_none() {
        r.speaker = r.speaker_local.and_then(|l| corpus.entity_id(&r.article, l)).map(str::to_string);
    }
    if r.cluster.is_none() {
        r.cluster = index.cluster(&r.article, r.start, r.end).map(str::to_string);
    }
    r
}

/// Quote rows derived from the corpus's quote clusters (spooled ones included), for when
/// the pipeline hands none; fails only if spooled clusters cannot be read back.
pub fn quote_rows_from_clusters(corpus: &Corpus) -> std::io::Result<Vec<QuoteRow>> {
    let mut rows: Vec<QuoteRow> = Vec::new();
    corpus.for_each_cluster(|c| {
        if c.kind == UnitKind::Quote {
            rows.extend(c.members.iter().map(|m| QuoteRow {
                article: m.article.clone(),
                start: m.start as u64,
                end: m.end as u64,
                text: m.text.clone(),
                speaker: m.speaker.clone().or_else(|| c.speaker.clone()),
                speaker_local: None,
                speaker_name: c.speaker_name.clone(),
                verb: None,
                cluster: Some(c.id.clone()),
            }));
        }
        Ok(())
    })?;
    rows.sort_by(|a, b| (&a.article, a.start, a.end).cmp(&(&b.article, b.start, b.end)));
    Ok(rows)
}

/// The `articles.jsonl` rows (the report's article records).
pub fn article_rows<'r>(report: &'r Report<'_>) -> &'r [concord_core::ArticleRecord] {
    &report.articles
}

/// The `clusters.jsonl` rows of the report's clusters (those in memory; [`crate::write_reports`]
/// adds the corpus's spooled ones), borrowing the report's text.
pub fn cluster_rows<'r>(report: &'r Report<'_>) -> impl Iterator<Item = ClusterRow<'r>> {
    report.clusters.iter().map(cluster_row)
}

/// The `clusters.jsonl` row of one cluster of the report.
pub(crate) fn cluster_row<'r>(c: &'r crate::model::ClusterOut<'_>) -> ClusterRow<'r> {
    ClusterRow {
        id: Cow::Borrowed(&c.id),
        rank: c.rank,
        kind: Cow::Borrowed(&c.kind),
        text: Cow::Borrowed(&c.text),
        speaker: c.speaker.as_deref().map(Cow::Borrowed),
        speaker_name: c.speaker_name.as_deref().map(Cow::Borrowed),
        corroboration: c.corroboration,
        members: c.members.len() as u64,
        outlets: Cow::Borrowed(&c.outlets),
        articles: Cow::Borrowed(&c.articles),
    }
}

/// Appends one document's [`mention_rows`] to `out` as JSON lines, byte for byte what
/// serde_json writes for each row, without building the rows (no allocation a mention):
/// what a run spills as it goes.
pub fn write_mention_lines(doc: &Document, out: &mut Vec<u8>) {
    use crate::json::write_str;
    let mut n = itoa::Buffer::new();
    for m in &doc.mentions {
        let s = doc.source_span(m.span);
        out.extend_from_slice(b"{\"article\":");
        write_str(out, &doc.article.id);
        out.extend_from_slice(b",\"entity\":null,\"local_entity\":");
        out.extend_from_slice(n.format(m.entity).as_bytes());
        out.extend_from_slice(b",\"kind\":");
        write_str(out, m.kind.as_str());
        out.extend_from_slice(b",\"start\":");
        out.extend_from_slice(n.format(s.start as u64).as_bytes());
        out.extend_from_slice(b",\"end\":");
        out.extend_from_slice(n.format(s.end as u64).as_bytes());
        out.extend_from_slice(b",\"surface\":");
        write_str(out, &m.surface);
        out.extend_from_slice(b",\"role\":");
        write_opt_str(out, m.role.as_deref());
        out.extend_from_slice(b"}\n");
    }
}

/// Appends one document's [`quote_rows`] to `out` as JSON lines, as
/// [`write_mention_lines`] does mentions.
pub fn write_quote_lines(doc: &Document, out: &mut Vec<u8>) {
    use crate::json::write_str;
    let mut n = itoa::Buffer::new();
    for q in &doc.quotes {
        let s = doc.source_span(q.span);
        out.extend_from_slice(b"{\"article\":");
        write_str(out, &doc.article.id);
        out.extend_from_slice(b",\"start\":");
        out.extend_from_slice(n.format(s.start as u64).as_bytes());
        out.extend_from_slice(b",\"end\":");
        out.extend_from_slice(n.format(s.end as u64).as_bytes());
        out.extend_from_slice(b",\"text\":");
        write_str(out, doc.slice(q.span));
        out.extend_from_slice(b",\"speaker\":null,\"speaker_local\":");
        match q.speaker.as_ref().and_then(|sp| sp.entity) {
            Some(e) => out.extend_from_slice(n.format(e).as_bytes()),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"speaker_name\":");
        write_opt_str(out, q.speaker.as_ref().map(|sp| sp.name.as_str()));
        out.extend_from_slice(b",\"verb\":");
        write_opt_str(out, q.verb.as_deref());
        out.extend_from_slice(b",\"cluster\":null}\n");
    }
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => crate::json::write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;
    use concord_core::{Article, EntityKind, Mention, Quote, Span, Speaker};

    /// serde_json's lines for rows.
    fn serde_lines<T: Serialize>(rows: &[T]) -> Vec<u8> {
        let mut out = Vec::new();
        for r in rows {
            serde_json::to_writer(&mut out, r).unwrap();
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn direct_lines_are_what_serde_json_writes_for_the_rows() {
        let text = "He said \"a \\ b\u{1}\tc\" — ünïcode 🎉 \"x\" end.";
        let mut article = Article { id: "a\"1\\\n".into(), body: text.into(), ..Default::default() };
        // Source offsets are the text's shifted by the body's place in the file.
        article.source.body_offset = 17;
        let mut doc = Document::new(article);
        let all = Span { start: 0, end: text.len() };
        let kinds = [EntityKind::Person, EntityKind::Org, EntityKind::Loc, EntityKind::Misc];
        for (i, k) in kinds.into_iter().enumerate() {
            doc.mentions.push(Mention {
                span: Span { start: i, end: i + 3 },
                surface: format!("s\u{7f}\"{i}\u{1f}é"),
                kind: k,
                entity: i * 1000,
                role: (i % 2 == 0).then(|| format!("r\\{i}\r")),
            });
        }
        let speaker = |name: &str, entity| Speaker { name: name.into(), entity, mention: None, rule: "X said".into() };
        doc.quotes.push(Quote {
            span: Span { start: 9, end: 17 },
            outer: Span { start: 8, end: 21 },
            speaker: Some(speaker("N \"q\"", Some(7))),
            verb: Some("said".into()),
        });
        doc.quotes.push(Quote { span: all, outer: all, speaker: None, verb: None });
        doc.quotes.push(Quote {
            span: Span { start: 0, end: 2 },
            outer: all,
            speaker: Some(speaker("", None)),
            verb: None,
        });
        let mut m = Vec::new();
        write_mention_lines(&doc, &mut m);
        assert_eq!(String::from_utf8(m).unwrap(), String::from_utf8(serde_lines(&mention_rows(&doc))).unwrap());
        let mut q = Vec::new();
        write_quote_lines(&doc, &mut q);
        assert_eq!(String::from_utf8(q).unwrap(), String::from_utf8(serde_lines(&quote_rows(&doc))).unwrap());
        // No mentions or quotes: nothing.
        let empty = Document::new(Article::default());
        let mut e = Vec::new();
        write_mention_lines(&empty, &mut e);
        write_quote_lines(&empty, &mut e);
        assert!(e.is_empty());
    }
}
