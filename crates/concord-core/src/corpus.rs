//! Corpus-level results: what corpus stages compute once over all articles, and what the
//! report is made of.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{EntityKind, OutletFrom, UnitKind};

/// Whether an article made it through the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Processed by every stage.
    #[default]
    Ok,
    /// Rejected by ingest or by a stage; `error` says why.
    Rejected,
}

/// One input item of the run, processed or rejected: the report's `articles[]` row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRecord {
    /// Stable article id (for rejected inputs: derived from path and line).
    pub id: String,
    /// Input file path (the records of one file share one allocation).
    pub path: Arc<str>,
    /// 1-based line for line-oriented inputs.
    pub line: Option<u64>,
    /// Title, if known.
    pub title: Option<String>,
    /// Outlet, if known (the records of one outlet share one allocation).
    pub outlet: Option<Arc<str>>,
    /// Where the outlet came from.
    pub outlet_from: Option<OutletFrom>,
    /// Publication date as given.
    pub published: Option<String>,
    /// URL, if given.
    pub url: Option<String>,
    /// Ok or rejected.
    pub status: Status,
    /// Why it was rejected (`stage: reason` for stage failures).
    pub error: Option<String>,
    /// Non-fatal problems.
    pub warnings: Vec<String>,
    /// Id of the article this one is a near-copy of (syndicated or re-posted text).
    pub copy_of: Option<String>,
}

/// An entity resolved across the corpus.
///
/// Its JSON (the `entities[]` row) has `mention_counts` as an object keyed by article id;
/// in memory the counts are a list beside `articles` (4 bytes per article instead of a map
/// entry).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "EntityRow")]
pub struct Entity {
    /// Stable id (derived from kind and canonical name).
    pub id: String,
    /// Canonical name.
    pub name: String,
    /// Entity type.
    pub kind: EntityKind,
    /// Every other surface form merged into it, sorted.
    pub aliases: Vec<String>,
    /// Ids of the articles that mention it, sorted. Shared strings: an article's id is one
    /// allocation however many entities it mentions.
    pub articles: Vec<Arc<str>>,
    /// Total number of mentions.
    pub mentions: usize,
    /// Mentions in each article of `articles`, in the same order ([`Entity::mention_count`]
    /// looks one up by article id).
    pub mention_counts: Vec<u32>,
    /// Roles seen with it, per article id ("Senator", "US Secretary of State").
    pub roles: BTreeMap<Arc<str>, Vec<String>>,
    /// Gazetteer id, if it came from a gazetteer.
    pub gazetteer_id: Option<String>,
}

impl Entity {
    /// Its mentions in article `article`, if it is mentioned there.
    pub fn mention_count(&self, article: &str) -> Option<usize> {
        let i = self.articles.binary_search_by(|a| (**a).cmp(article)).ok()?;
        self.mention_counts.get(i).map(|&n| n as usize)
    }
}

impl Serialize for Entity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        /// `mention_counts` as the row's object keyed by article id.
        struct Counts<'a>(&'a Entity);
        impl Serialize for Counts<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.articles.len()))?;
                for (a, n) in self.0.articles.iter().zip(&self.0.mention_counts) {
                    m.serialize_entry(&**a, n)?;
                }
                m.end()
            }
        }
        let mut st = s.serialize_struct("Entity", 9)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("aliases", &self.aliases)?;
        st.serialize_field("articles", &self.articles)?;
        st.serialize_field("mentions", &self.mentions)?;
        st.serialize_field("mention_counts", &Counts(self))?;
        st.serialize_field("roles", &self.roles)?;
        st.serialize_field("gazetteer_id", &self.gazetteer_id)?;
        st.end()
    }
}

/// An `entities[]` row as JSON has it (what [`Entity`] is read from).
#[derive(Deserialize)]
struct EntityRow {
    id: String,
    name: String,
    kind: EntityKind,
    aliases: Vec<String>,
    articles: Vec<Arc<str>>,
    mentions: usize,
    mention_counts: BTreeMap<Arc<str>, u32>,
    roles: BTreeMap<Arc<str>, Vec<String>>,
    gazetteer_id: Option<String>,
}

impl From<EntityRow> for Entity {
    fn from(r: EntityRow) -> Entity {
        let mention_counts = r.articles.iter().map(|a| r.mention_counts.get(a).copied().unwrap_or(0)).collect();
        Entity {
            id: r.id,
            name: r.name,
            kind: r.kind,
            aliases: r.aliases,
            articles: r.articles,
            mentions: r.mentions,
            mention_counts,
            roles: r.roles,
            gazetteer_id: r.gazetteer_id,
        }
    }
}

/// One occurrence of a claim or quote in an article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Article id.
    pub article: String,
    /// Outlet of the article.
    pub outlet: String,
    /// Start byte in the article's source.
    pub start: usize,
    /// End byte in the article's source.
    pub end: usize,
    /// The member's text.
    pub text: String,
    /// Speaker entity id (quotes), if resolved.
    pub speaker: Option<String>,
    /// Start of the enclosing sentence in the source (for showing context).
    pub sentence_start: usize,
    /// End of the enclosing sentence in the source.
    pub sentence_end: usize,
    /// Text of the enclosing sentence, for quotes (so a report can show the quote in
    /// context without reading the source back); `None` for claims (it equals `text`).
    pub context: Option<String>,
}

/// A group of units that state the same thing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable id (derived from the content, not from processing order).
    pub id: String,
    /// Quote or claim.
    pub kind: UnitKind,
    /// Representative text (the most complete member).
    pub text: String,
    /// Speaker entity id, for quotes whose members agree on one.
    pub speaker: Option<String>,
    /// Speaker name, when known.
    pub speaker_name: Option<String>,
    /// Distinct article ids, sorted.
    pub articles: Vec<String>,
    /// Distinct outlets, sorted; copies count once.
    pub outlets: Vec<String>,
    /// Entity ids its members mention, sorted.
    pub entities: Vec<String>,
    /// Members, in article id then position order.
    pub members: Vec<Member>,
}

/// Articles whose text is a near-copy of another's (syndication, re-posts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyGroup {
    /// The article kept as the original (the smallest id).
    pub original: String,
    /// The copies, sorted.
    pub copies: Vec<String>,
    /// Estimated Jaccard similarity of the copies' text to the original (lowest in group).
    pub similarity: f64,
}

/// A claim or quote that only one outlet reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleSource {
    /// Quote or claim.
    pub kind: UnitKind,
    /// The cluster it belongs to, if it was clustered with same-outlet members.
    pub cluster: Option<String>,
    /// The one occurrence shown.
    pub member: Member,
}

/// Counts for one stage of the run (deterministic: no timings).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStats {
    /// The stage kind.
    pub kind: String,
    /// Articles handed to it.
    pub articles_in: u64,
    /// Articles it passed on.
    pub articles_out: u64,
    /// Articles it rejected.
    pub errors: u64,
}

/// Run statistics recorded in the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Inputs found (articles read plus inputs rejected by ingest).
    pub found: u64,
    /// Articles processed by every stage.
    pub ok: u64,
    /// Inputs rejected (by ingest or by a stage).
    pub rejected: u64,
    /// Source bytes of the processed articles.
    pub bytes: u64,
    /// Distinct outlets among processed articles.
    pub outlets: u64,
    /// Per-stage counts, in pipeline order.
    pub stages: Vec<StageStats>,
    /// Run-level warnings.
    pub warnings: Vec<String>,
}

/// Everything the run knows at the end: the report's content.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Corpus {
    /// Every input item, processed or rejected, sorted by id (filled by the runner after the
    /// corpus stages' `finish`, see [`crate::CorpusStage`]).
    pub articles: Vec<ArticleRecord>,
    /// Entities across the corpus.
    pub entities: Vec<Entity>,
    /// For each article id, the index in [`Corpus::entities`] of each of its local entities
    /// (position = `Document::entities` index; `u32::MAX` when unlinked). Filled by the
    /// entity corpus stage; read it through [`Corpus::entity_id`]. Indices, not ids: one
    /// `u32` a local entity instead of an id string, for every article of the corpus.
    pub entity_links: BTreeMap<Arc<str>, Vec<u32>>,
    /// Claim and quote clusters, ranked: all of them, or the first ones when the rest are
    /// in [`Corpus::clusters_rest`]. Read the whole list with [`Corpus::for_each_cluster`].
    pub clusters: Vec<Cluster>,
    /// The clusters after [`Corpus::clusters`] in rank order, kept out of memory by the
    /// corpus stage that made them. `None`: all in memory. Not serialised.
    #[serde(skip)]
    pub clusters_rest: Option<Arc<dyn Spooled<Cluster>>>,
    /// How many clusters a corpus stage should keep in memory before it spools the rest
    /// ([`Corpus::clusters_rest`]); `None`: all in memory. The runner sets it to what the
    /// HTML and Markdown reports show.
    #[serde(skip)]
    pub cluster_limit: Option<usize>,
    /// Near-copy article groups.
    pub copies: Vec<CopyGroup>,
    /// Claims and quotes only one outlet reports, in order (article id, start, kind): all of
    /// them, or the first ones when the rest are in [`Corpus::single_source_rest`]. Read
    /// the whole list with [`Corpus::for_each_single_source`].
    pub single_source: Vec<SingleSource>,
    /// The single-source items after [`Corpus::single_source`], kept out of memory by the
    /// corpus stage that made them (on a large corpus nearly every sentence is reported by
    /// one outlet only). `None`: the list is all in memory. Not serialised.
    #[serde(skip)]
    pub single_source_rest: Option<Arc<dyn Spooled<SingleSource>>>,
    /// How many single-source items a corpus stage should keep in memory before it spools
    /// the rest ([`Corpus::single_source_rest`]); `None`: all in memory. The runner sets it
    /// to what the report embeds.
    #[serde(skip)]
    pub single_source_limit: Option<usize>,
    /// Run statistics.
    pub stats: Stats,
}

/// Calls `f` with the items in memory, then the spooled ones.
fn for_each<T: Clone>(
    in_memory: &[T],
    rest: Option<&dyn Spooled<T>>,
    mut f: impl FnMut(std::borrow::Cow<'_, T>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    for x in in_memory {
        f(std::borrow::Cow::Borrowed(x))?;
    }
    match rest {
        Some(rest) => rest.replay(&mut |x| f(std::borrow::Cow::Owned(x))),
        None => Ok(()),
    }
}

/// Items a corpus stage keeps out of memory (e.g. in a temporary file) and replays in
/// their order on demand.
pub trait Spooled<T>: Send + Sync + std::fmt::Debug {
    /// Number of items.
    fn len(&self) -> usize;
    /// True when there is none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Calls `f` with each item, in order; stops at the first error (`f`'s or reading's).
    fn replay(&self, f: &mut dyn FnMut(T) -> std::io::Result<()>) -> std::io::Result<()>;
}

impl Corpus {
    /// The global entity id of local entity `local` of article `article`, if linked.
    pub fn entity_id(&self, article: &str, local: usize) -> Option<&str> {
        let i = *self.entity_links.get(article)?.get(local)?;
        self.entities.get(i as usize).map(|e| e.id.as_str())
    }

    /// Number of clusters, in memory and spooled.
    pub fn cluster_count(&self) -> usize {
        self.clusters.len() + self.clusters_rest.as_ref().map_or(0, |r| r.len())
    }

    /// Calls `f` with every cluster in rank order: the ones in memory, then the spooled
    /// ones; stops at the first error.
    pub fn for_each_cluster(
        &self,
        f: impl FnMut(std::borrow::Cow<'_, Cluster>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        for_each(&self.clusters, self.clusters_rest.as_deref(), f)
    }

    /// Number of single-source items, in memory and spooled.
    pub fn single_source_count(&self) -> usize {
        self.single_source.len() + self.single_source_rest.as_ref().map_or(0, |r| r.len())
    }

    /// Calls `f` with every single-source item in order: the ones in memory, then the
    /// spooled ones; stops at the first error.
    pub fn for_each_single_source(
        &self,
        f: impl FnMut(std::borrow::Cow<'_, SingleSource>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        for_each(&self.single_source, self.single_source_rest.as_deref(), f)
    }

    /// The record of article `id`, if any.
    pub fn article(&self, id: &str) -> Option<&ArticleRecord> {
        self.articles.binary_search_by(|a| a.id.as_str().cmp(id)).ok().map(|i| &self.articles[i])
    }

    /// Sets `copy_of` on the record of every copy in [`Corpus::copies`] (to its group's
    /// original); records must be sorted by id, and copies without a record are skipped.
    pub fn mark_copies(&mut self) {
        for g in &self.copies {
            for c in &g.copies {
                if let Ok(i) = self.articles.binary_search_by(|a| a.id.as_str().cmp(c)) {
                    self.articles[i].copy_of = Some(g.original.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity() -> Entity {
        Entity {
            id: "ent-1".into(),
            name: "Tallinn".into(),
            kind: EntityKind::Loc,
            aliases: vec![],
            articles: vec!["a".into(), "b".into()],
            mentions: 5,
            mention_counts: vec![2, 3],
            roles: BTreeMap::from([("b".into(), vec!["capital".to_string()])]),
            gazetteer_id: None,
        }
    }

    #[test]
    fn mention_counts_are_an_object_keyed_by_article_in_json() {
        let e = entity();
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(r#""articles":["a","b"],"mentions":5,"mention_counts":{"a":2,"b":3},"roles""#), "{json}");
        let back: Entity = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn mention_count_finds_an_article() {
        let e = entity();
        assert_eq!(e.mention_count("a"), Some(2));
        assert_eq!(e.mention_count("b"), Some(3));
        assert_eq!(e.mention_count("c"), None);
    }
}
