//! The version-1 report model: what `report.json` holds, mapped from a [`Corpus`].
//!
//! The field order of these structs is the key order of the JSON (serde writes struct
//! fields in declaration order) and every map is a `BTreeMap`, so the same corpus always
//! gives byte-identical JSON.

use std::collections::{BTreeMap, BTreeSet};

use concord_core::{ArticleRecord, Cluster, Corpus, Entity, Member, Status, UnitKind};
use serde::{Deserialize, Serialize};

/// The version of the report contract this crate writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole `report.json` (version 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`]; first key of the file.
    pub schema_version: u32,
    /// Headline figures.
    pub summary: Summary,
    /// Every input item, processed or rejected, sorted by id.
    pub articles: Vec<ArticleOut>,
    /// Entities across the corpus.
    pub entities: Vec<EntityOut>,
    /// Claim and quote clusters, in rank order (most corroborated first).
    pub clusters: Vec<ClusterOut>,
    /// Near-copy article groups.
    pub copies: Vec<CopyOut>,
    /// Claims and quotes that only one outlet reports.
    pub single_source: Vec<SingleSourceOut>,
    /// Run statistics.
    pub stats: StatsOut,
}

/// Headline figures of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Input items (processed and rejected).
    pub articles: u64,
    /// Articles processed by every stage.
    pub ok: u64,
    /// Input items rejected.
    pub rejected: u64,
    /// Articles that are near-copies of another.
    pub copies: u64,
    /// Distinct outlets of the processed articles, sorted.
    pub outlets: Vec<String>,
    /// Earliest `published` value among processed articles (ISO-like dates compared as text).
    pub first_published: Option<String>,
    /// Latest `published` value among processed articles.
    pub last_published: Option<String>,
    /// Number of entities.
    pub entities: u64,
    /// Number of clusters.
    pub clusters: u64,
    /// Clusters reported by at least two distinct outlets.
    pub corroborated: u64,
    /// Number of single-source items.
    pub single_source: u64,
}

/// One `articles[]` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleOut {
    /// Stable article id.
    pub id: String,
    /// Input file path.
    pub path: String,
    /// 1-based line for line-oriented inputs.
    pub line: Option<u64>,
    /// Title, if known.
    pub title: Option<String>,
    /// Outlet, if known.
    pub outlet: Option<String>,
    /// Where the outlet came from: `metadata`, `config` or `filename`.
    pub outlet_from: Option<String>,
    /// Publication date as given.
    pub published: Option<String>,
    /// URL, if given.
    pub url: Option<String>,
    /// `ok` or `rejected`.
    pub status: String,
    /// Why it was rejected.
    pub error: Option<String>,
    /// Non-fatal problems.
    pub warnings: Vec<String>,
    /// Id of the article this one is a near-copy of.
    pub copy_of: Option<String>,
}

/// One `entities[]` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityOut {
    /// Stable entity id.
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// `PERSON`, `ORG`, `LOC` or `MISC`.
    pub kind: String,
    /// Other surface forms, sorted.
    pub aliases: Vec<String>,
    /// Ids of the articles that mention it, sorted.
    pub articles: Vec<String>,
    /// Total number of mentions.
    pub mentions: u64,
    /// Mentions per article id.
    pub mention_counts: BTreeMap<String, u64>,
    /// Roles seen with it, per article id.
    pub roles: BTreeMap<String, Vec<String>>,
    /// Gazetteer id, if any.
    pub gazetteer_id: Option<String>,
}

/// One `clusters[]` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterOut {
    /// Stable cluster id.
    pub id: String,
    /// 1-based rank (position in the corpus's ranking).
    pub rank: u64,
    /// `quote` or `claim`.
    pub kind: String,
    /// Representative text.
    pub text: String,
    /// Speaker entity id, or null.
    pub speaker: Option<String>,
    /// Speaker name, when known.
    pub speaker_name: Option<String>,
    /// Number of distinct outlets (copies count once).
    pub corroboration: u64,
    /// Distinct article ids, sorted.
    pub articles: Vec<String>,
    /// Distinct outlets, sorted.
    pub outlets: Vec<String>,
    /// Entity ids its members mention, sorted.
    pub entities: Vec<String>,
    /// Occurrences, with provenance.
    pub members: Vec<MemberOut>,
}

/// One occurrence of a claim or quote, with byte offsets into the article's source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOut {
    /// Article id.
    pub article: String,
    /// Outlet of the article.
    pub outlet: String,
    /// Start byte in the article's source (file bytes, or the JSON text field).
    pub start: u64,
    /// End byte in the article's source.
    pub end: u64,
    /// The member's text.
    pub text: String,
    /// Speaker entity id, if resolved.
    pub speaker: Option<String>,
    /// Start byte of the enclosing sentence in the source.
    pub sentence_start: u64,
    /// End byte of the enclosing sentence in the source.
    pub sentence_end: u64,
    /// Enclosing sentence text (quotes), or null (claims: equals `text`).
    pub context: Option<String>,
}

/// One `copies[]` row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyOut {
    /// The article kept as the original.
    pub original: String,
    /// The copies, sorted.
    pub copies: Vec<String>,
    /// Lowest estimated Jaccard similarity of a copy to the original.
    pub similarity: f64,
}

/// One `single_source[]` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleSourceOut {
    /// `quote` or `claim`.
    pub kind: String,
    /// Cluster id, if it was clustered with same-outlet members.
    pub cluster: Option<String>,
    /// The occurrence shown.
    pub member: MemberOut,
}

/// Per-stage counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageOut {
    /// Stage kind.
    pub kind: String,
    /// Articles handed to it.
    pub articles_in: u64,
    /// Articles it passed on.
    pub articles_out: u64,
    /// Articles it rejected.
    pub errors: u64,
}

/// Run statistics (counts only: no timings, so reports stay byte-identical).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsOut {
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
    pub stages: Vec<StageOut>,
    /// Run-level warnings.
    pub warnings: Vec<String>,
}

fn kind_str(k: UnitKind) -> String {
    match k {
        UnitKind::Claim => "claim".into(),
        UnitKind::Quote => "quote".into(),
    }
}

fn n(x: usize) -> u64 {
    x as u64
}

fn article_out(a: &ArticleRecord) -> ArticleOut {
    ArticleOut {
        id: a.id.clone(),
        path: a.path.clone(),
        line: a.line,
        title: a.title.clone(),
        outlet: a.outlet.clone(),
        outlet_from: a.outlet_from.map(|o| {
            match o {
                concord_core::OutletFrom::Metadata => "metadata",
                concord_core::OutletFrom::Config => "config",
                concord_core::OutletFrom::Filename => "filename",
            }
            .to_string()
        }),
        published: a.published.clone(),
        url: a.url.clone(),
        status: match a.status {
            Status::Ok => "ok".into(),
            Status::Rejected => "rejected".into(),
        },
        error: a.error.clone(),
        warnings: a.warnings.clone(),
        copy_of: a.copy_of.clone(),
    }
}

fn entity_out(e: &Entity) -> EntityOut {
    EntityOut {
        id: e.id.clone(),
        name: e.name.clone(),
        kind: e.kind.as_str().to_string(),
        aliases: e.aliases.clone(),
        articles: e.articles.clone(),
        mentions: n(e.mentions),
        mention_counts: e.mention_counts.iter().map(|(k, v)| (k.clone(), n(*v))).collect(),
        roles: e.roles.clone(),
        gazetteer_id: e.gazetteer_id.clone(),
    }
}

/// Maps one cluster member.
pub(crate) fn member_out(m: &Member) -> MemberOut {
    MemberOut {
        article: m.article.clone(),
        outlet: m.outlet.clone(),
        start: n(m.start),
        end: n(m.end),
        text: m.text.clone(),
        speaker: m.speaker.clone(),
        sentence_start: n(m.sentence_start),
        sentence_end: n(m.sentence_end),
        context: m.context.clone(),
    }
}

fn cluster_out(rank: usize, c: &Cluster) -> ClusterOut {
    ClusterOut {
        id: c.id.clone(),
        rank: n(rank + 1),
        kind: kind_str(c.kind),
        text: c.text.clone(),
        speaker: c.speaker.clone(),
        speaker_name: c.speaker_name.clone(),
        corroboration: n(c.outlets.len()),
        articles: c.articles.clone(),
        outlets: c.outlets.clone(),
        entities: c.entities.clone(),
        members: c.members.iter().map(member_out).collect(),
    }
}

/// True when `s` starts like an ISO date (`YYYY-`), so text order is time order.
fn iso_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

impl Report {
    /// Maps a corpus to the version-1 report (pure and deterministic).
    pub fn from_corpus(corpus: &Corpus) -> Report {
        let ok: Vec<&ArticleRecord> = corpus.articles.iter().filter(|a| a.status == Status::Ok).collect();
        let outlets: BTreeSet<&str> = ok.iter().filter_map(|a| a.outlet.as_deref()).collect();
        let dates: BTreeSet<&str> = ok.iter().filter_map(|a| a.published.as_deref()).filter(|d| iso_like(d)).collect();
        let summary = Summary {
            articles: n(corpus.articles.len()),
            ok: n(ok.len()),
            rejected: n(corpus.articles.len() - ok.len()),
            copies: n(corpus.articles.iter().filter(|a| a.copy_of.is_some()).count()),
            outlets: outlets.iter().map(|s| s.to_string()).collect(),
            first_published: dates.first().map(|s| s.to_string()),
            last_published: dates.last().map(|s| s.to_string()),
            entities: n(corpus.entities.len()),
            clusters: n(corpus.clusters.len()),
            corroborated: n(corpus.clusters.iter().filter(|c| c.outlets.len() >= 2).count()),
            single_source: n(corpus.single_source.len()),
        };
        let s = &corpus.stats;
        Report {
            schema_version: SCHEMA_VERSION,
            summary,
            articles: corpus.articles.iter().map(article_out).collect(),
            entities: corpus.entities.iter().map(entity_out).collect(),
            clusters: corpus.clusters.iter().enumerate().map(|(i, c)| cluster_out(i, c)).collect(),
            copies: corpus
                .copies
                .iter()
                .map(|g| CopyOut { original: g.original.clone(), copies: g.copies.clone(), similarity: g.similarity })
                .collect(),
            single_source: corpus
                .single_source
                .iter()
                .map(|x| SingleSourceOut {
                    kind: kind_str(x.kind),
                    cluster: x.cluster.clone(),
                    member: member_out(&x.member),
                })
                .collect(),
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
                        kind: st.kind.clone(),
                        articles_in: st.articles_in,
                        articles_out: st.articles_out,
                        errors: st.errors,
                    })
                    .collect(),
                warnings: s.warnings.clone(),
            },
        }
    }
}

/// The version-1 JSON text of a corpus: pretty-printed, deterministic, with a trailing newline.
pub fn report_json(corpus: &Corpus) -> String {
    Report::from_corpus(corpus).to_json()
}

impl Report {
    /// The pretty-printed JSON text of this report, with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serialising plain structs, strings, integers and finite floats cannot fail; a
        // non-finite similarity serialises as null.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            serde_json::json!({ "schema_version": SCHEMA_VERSION, "error": e.to_string() }).to_string()
        });
        s.push('\n');
        s
    }
}
