//! The version-1 report model: what `report.json` holds, mapped from a [`Corpus`].
//!
//! The field order of these structs is the key order of the JSON (serde writes struct
//! fields in declaration order) and every map is a `BTreeMap`, so the same corpus always
//! gives byte-identical JSON.
//!
//! Mapped from a corpus, the model borrows the corpus's text ([`Cow::Borrowed`]): writing a
//! report copies no string before serialising it. Read back from JSON, it owns its text.

use std::borrow::Cow;
use std::collections::BTreeSet;

use concord_core::{ArticleRecord, Cluster, Corpus, Entity, Member, SingleSource, Status, UnitKind};
use serde::{Deserialize, Serialize};

/// The version of the report contract this crate writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole `report.json` (version 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report<'a> {
    /// Always [`SCHEMA_VERSION`]; first key of the file.
    pub schema_version: u32,
    /// Headline figures.
    pub summary: Summary<'a>,
    /// Every input item, processed or rejected, sorted by id (the corpus's own records:
    /// their JSON is the row format).
    pub articles: Cow<'a, [ArticleRecord]>,
    /// Entities across the corpus (the corpus's own).
    pub entities: Cow<'a, [Entity]>,
    /// Claim and quote clusters, in rank order (most corroborated first).
    pub clusters: Vec<ClusterOut<'a>>,
    /// Near-copy article groups.
    pub copies: Vec<CopyOut<'a>>,
    /// Claims and quotes that only one outlet reports.
    pub single_source: Vec<SingleSourceOut<'a>>,
    /// Run statistics.
    pub stats: StatsOut<'a>,
}

/// Headline figures of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary<'a> {
    /// Input items (processed and rejected).
    pub articles: u64,
    /// Articles processed by every stage.
    pub ok: u64,
    /// Input items rejected.
    pub rejected: u64,
    /// Articles that are near-copies of another.
    pub copies: u64,
    /// Distinct outlets of the processed articles, sorted.
    pub outlets: Vec<Cow<'a, str>>,
    /// Earliest `published` value among processed articles (ISO-like dates compared as text).
    pub first_published: Option<Cow<'a, str>>,
    /// Latest `published` value among processed articles.
    pub last_published: Option<Cow<'a, str>>,
    /// Number of entities.
    pub entities: u64,
    /// Number of clusters.
    pub clusters: u64,
    /// Clusters reported by at least two distinct outlets.
    pub corroborated: u64,
    /// Number of single-source items.
    pub single_source: u64,
}

/// One `clusters[]` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterOut<'a> {
    /// Stable cluster id.
    pub id: Cow<'a, str>,
    /// 1-based rank (position in the corpus's ranking).
    pub rank: u64,
    /// `quote` or `claim`.
    pub kind: Cow<'a, str>,
    /// Representative text.
    pub text: Cow<'a, str>,
    /// Speaker entity id, or null.
    pub speaker: Option<Cow<'a, str>>,
    /// Speaker name, when known.
    pub speaker_name: Option<Cow<'a, str>>,
    /// Number of distinct outlets (copies count once).
    pub corroboration: u64,
    /// Distinct article ids, sorted.
    pub articles: Cow<'a, [String]>,
    /// Distinct outlets, sorted.
    pub outlets: Cow<'a, [String]>,
    /// Entity ids its members mention, sorted.
    pub entities: Cow<'a, [String]>,
    /// Occurrences, with provenance.
    pub members: Cow<'a, [Member]>,
}

/// One occurrence of a claim or quote, with byte offsets into the article's source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOut<'a> {
    /// Article id.
    pub article: Cow<'a, str>,
    /// Outlet of the article.
    pub outlet: Cow<'a, str>,
    /// Start byte in the article's source (file bytes, or the JSON text field).
    pub start: u64,
    /// End byte in the article's source.
    pub end: u64,
    /// The member's text.
    pub text: Cow<'a, str>,
    /// Speaker entity id, if resolved.
    pub speaker: Option<Cow<'a, str>>,
    /// Start byte of the enclosing sentence in the source.
    pub sentence_start: u64,
    /// End byte of the enclosing sentence in the source.
    pub sentence_end: u64,
    /// Enclosing sentence text (quotes), or null (claims: equals `text`).
    pub context: Option<Cow<'a, str>>,
}

/// One `copies[]` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyOut<'a> {
    /// The article kept as the original.
    pub original: Cow<'a, str>,
    /// The copies, sorted.
    pub copies: Cow<'a, [String]>,
    /// Lowest estimated Jaccard similarity of a copy to the original.
    pub similarity: f64,
}

/// One `single_source[]` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleSourceOut<'a> {
    /// `quote` or `claim`.
    pub kind: Cow<'a, str>,
    /// Cluster id, if it was clustered with same-outlet members.
    pub cluster: Option<Cow<'a, str>>,
    /// The occurrence shown.
    pub member: MemberOut<'a>,
}

/// Per-stage counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageOut<'a> {
    /// Stage kind.
    pub kind: Cow<'a, str>,
    /// Articles handed to it.
    pub articles_in: u64,
    /// Articles it passed on.
    pub articles_out: u64,
    /// Articles it rejected.
    pub errors: u64,
}

/// Run statistics (counts only: no timings, so reports stay byte-identical).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsOut<'a> {
    /// Inputs found.
    pub found: u64,
    /// Articles processed by every stage.
    pub ok: u64,
    /// Inputs rejected.
    pub rejected: u64,
    /// Source bytes of the processed articles.
    pub bytes: u64,
    /// Distinct outlets among processed articles.
    pub outlets: u64,
    /// Per-stage counts, in pipeline order.
    pub stages: Vec<StageOut<'a>>,
    /// Run-level warnings.
    pub warnings: Cow<'a, [String]>,
}

fn kind_str(k: UnitKind) -> Cow<'static, str> {
    Cow::Borrowed(match k {
        UnitKind::Claim => "claim",
        UnitKind::Quote => "quote",
    })
}

fn n(x: usize) -> u64 {
    x as u64
}

fn text(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

fn opt(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

/// Maps one cluster member.
pub(crate) fn member_out(m: &Member) -> MemberOut<'_> {
    MemberOut {
        article: text(&m.article),
        outlet: text(&m.outlet),
        start: n(m.start),
        end: n(m.end),
        text: text(&m.text),
        speaker: opt(&m.speaker),
        sentence_start: n(m.sentence_start),
        sentence_end: n(m.sentence_end),
        context: opt(&m.context),
    }
}

/// Maps one single-source item.
pub(crate) fn single_source_out(x: &SingleSource) -> SingleSourceOut<'_> {
    SingleSourceOut { kind: kind_str(x.kind), cluster: opt(&x.cluster), member: member_out(&x.member) }
}

/// Calls `f` with each spooled cluster as its report row and its 0-based rank (the first
/// is `first`): `Err` is `f`'s first error, `Ok` what reading the spool gave (the next
/// rank, or why it stopped).
pub(crate) fn replay_ranked<E>(
    rest: &dyn concord_core::Spooled<Cluster>,
    first: usize,
    mut f: impl FnMut(usize, &ClusterOut<'_>) -> Result<(), E>,
) -> Result<std::io::Result<usize>, E> {
    let mut rank = first;
    let mut failed = None;
    let read = rest.replay(&mut |c| {
        let r = f(rank, &cluster_out(rank, &c));
        rank += 1;
        r.map_err(|e| {
            failed = Some(e);
            std::io::Error::other("serialising a cluster failed")
        })
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(read.map(|()| rank)),
    }
}

pub(crate) fn cluster_out(rank: usize, c: &Cluster) -> ClusterOut<'_> {
    ClusterOut {
        id: text(&c.id),
        rank: n(rank + 1),
        kind: kind_str(c.kind),
        text: text(&c.text),
        speaker: opt(&c.speaker),
        speaker_name: opt(&c.speaker_name),
        corroboration: n(c.outlets.len()),
        articles: Cow::Borrowed(&c.articles),
        outlets: Cow::Borrowed(&c.outlets),
        entities: Cow::Borrowed(&c.entities),
        members: Cow::Borrowed(&c.members),
    }
}

/// True when `s` starts like an ISO date (`YYYY-`), so text order is time order.
fn iso_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

impl<'a> Report<'a> {
    /// Maps a corpus to the version-1 report (pure and deterministic), borrowing its text.
    /// Its `single_source` list has the items in memory ([`Corpus::single_source`]), not
    /// the ones a stage spooled ([`Corpus::single_source_rest`]; [`crate::write_reports`]
    /// reads those); `summary.single_source` counts both.
    ///
    /// Likewise its `clusters` are those in memory ([`Corpus::clusters`]); `summary`
    /// counts the spooled ones too ([`Corpus::clusters_rest`], read for the count: should
    /// reading fail, `corroborated` counts only what was read; [`crate::write_reports`]
    /// reports such errors).
    pub fn from_corpus(corpus: &'a Corpus) -> Report<'a> {
        let rest = spooled_corroborated(corpus).unwrap_or_else(|(n, _)| n);
        Report::from_corpus_embedding(corpus, &[], usize::MAX, rest)
    }

    /// Like [`Report::from_corpus`], with only the first `embedded` single-source items
    /// (`summary.single_source` still counts them all): those in memory, then from `more`
    /// (the spooled items that follow them, as far as the caller read them).
    /// `corroborated_rest` counts the spooled clusters with two outlets or more.
    pub(crate) fn from_corpus_embedding(
        corpus: &'a Corpus,
        more: &'a [SingleSource],
        embedded: usize,
        corroborated_rest: u64,
    ) -> Report<'a> {
        let ok: Vec<&ArticleRecord> = corpus.articles.iter().filter(|a| a.status == Status::Ok).collect();
        let outlets: BTreeSet<&str> = ok.iter().filter_map(|a| a.outlet.as_deref()).collect();
        let dates: BTreeSet<&str> = ok.iter().filter_map(|a| a.published.as_deref()).filter(|d| iso_like(d)).collect();
        let summary = Summary {
            articles: n(corpus.articles.len()),
            ok: n(ok.len()),
            rejected: n(corpus.articles.len() - ok.len()),
            copies: n(corpus.articles.iter().filter(|a| a.copy_of.is_some()).count()),
            outlets: outlets.into_iter().map(Cow::Borrowed).collect(),
            first_published: dates.first().copied().map(Cow::Borrowed),
            last_published: dates.last().copied().map(Cow::Borrowed),
            entities: n(corpus.entities.len()),
            clusters: n(corpus.cluster_count()),
            corroborated: n(corpus.clusters.iter().filter(|c| c.outlets.len() >= 2).count()) + corroborated_rest,
            single_source: n(corpus.single_source_count()),
        };
        let s = &corpus.stats;
        Report {
            schema_version: SCHEMA_VERSION,
            summary,
            articles: Cow::Borrowed(&corpus.articles),
            entities: Cow::Borrowed(&corpus.entities),
            clusters: corpus.clusters.iter().enumerate().map(|(i, c)| cluster_out(i, c)).collect(),
            copies: corpus
                .copies
                .iter()
                .map(|g| CopyOut {
                    original: text(&g.original),
                    copies: Cow::Borrowed(&g.copies),
                    similarity: g.similarity,
                })
                .collect(),
            single_source: corpus.single_source.iter().chain(more).take(embedded).map(single_source_out).collect(),
            stats: StatsOut {
                found: s.found,
                ok: s.ok,
                rejected: s.rejected,
                bytes: s.bytes,
                outlets: s.outlets,
                stages: s
                    .stages
                    .iter()
                    .map(|st| StageOut {
                        kind: text(&st.kind),
                        articles_in: st.articles_in,
                        articles_out: st.articles_out,
                        errors: st.errors,
                    })
                    .collect(),
                warnings: Cow::Borrowed(&s.warnings),
            },
        }
    }
}

/// The version-1 JSON text of a corpus: pretty-printed, deterministic, with a trailing newline.
pub fn report_json(corpus: &Corpus) -> String {
    Report::from_corpus(corpus).to_json()
}

impl Report<'_> {
    /// The pretty-printed JSON text of this report, with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serialising plain structs, strings, integers and finite floats cannot fail; a
        // non-finite similarity serialises as null.
        let mut out = Vec::new();
        let mut s = match crate::json::write_pretty(&mut out, self, 0) {
            // The writer writes UTF-8 only (it copies `str`s and ASCII).
            Ok(()) => String::from_utf8(out).expect("the JSON writer writes UTF-8"),
            Err(e) => serde_json::json!({ "schema_version": SCHEMA_VERSION, "error": e.to_string() }).to_string(),
        };
        s.push('\n');
        s
    }
}

/// The spooled clusters ([`Corpus::clusters_rest`]) reported by two outlets or more; on a
/// read error, the count so far and the error.
pub(crate) fn spooled_corroborated(corpus: &Corpus) -> Result<u64, (u64, std::io::Error)> {
    let Some(rest) = &corpus.clusters_rest else { return Ok(0) };
    let mut count = 0;
    match rest.replay(&mut |c| {
        count += (c.outlets.len() >= 2) as u64;
        Ok(())
    }) {
        Ok(()) => Ok(count),
        Err(e) => Err((count, e)),
    }
}

/// `report.json` as written: the [`Report`] model, with the spooled clusters streamed
/// after the ones in memory (same keys, same order, so the same JSON as the model would
/// give with every cluster in it).
#[derive(Serialize)]
pub(crate) struct ReportStream<'r, 'a> {
    schema_version: u32,
    summary: &'r Summary<'a>,
    articles: &'r [ArticleRecord],
    entities: &'r [Entity],
    clusters: ClusterStream<'r, 'a>,
    copies: &'r [CopyOut<'a>],
    single_source: &'r [SingleSourceOut<'a>],
    stats: &'r StatsOut<'a>,
}

impl<'r, 'a> ReportStream<'r, 'a> {
    /// The report `report` of `corpus`, with `corpus`'s spooled clusters.
    pub(crate) fn new(report: &'r Report<'a>, corpus: &'r Corpus) -> ReportStream<'r, 'a> {
        ReportStream {
            schema_version: report.schema_version,
            summary: &report.summary,
            articles: &report.articles,
            entities: &report.entities,
            clusters: ClusterStream { report, corpus },
            copies: &report.copies,
            single_source: &report.single_source,
            stats: &report.stats,
        }
    }
}

/// Every cluster in rank order: the report's, then the corpus's spooled ones.
pub(crate) struct ClusterStream<'r, 'a> {
    report: &'r Report<'a>,
    corpus: &'r Corpus,
}

impl Serialize for ClusterStream<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(None)?;
        for c in &self.report.clusters {
            seq.serialize_element(c)?;
        }
        if let Some(rest) = &self.corpus.clusters_rest {
            replay_ranked(&**rest, self.report.clusters.len(), |_, c| seq.serialize_element(c))?
                .map_err(|e| S::Error::custom(format!("reading spooled clusters: {e}")))?;
        }
        seq.end()
    }
}
