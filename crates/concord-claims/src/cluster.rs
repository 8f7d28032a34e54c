//! The corpus part: candidate pairs by LSH, verification, core-based clustering, copy
//! detection, corroboration by distinct outlet, ranking and single-source listing.
//!
//! Everything is sorted before anything order-sensitive happens (articles by id, units by
//! article then position, pairs by index), hashes are the fixed-seed ones of
//! `concord_core::text`, and cluster ids come from the members' content, so the output does
//! not depend on input order or thread scheduling.
//!
//! Clustering is *star* clustering around cores: units are taken in order of how many
//! verified neighbours they have (ties by position); an unassigned unit becomes a core and
//! takes its unassigned verified neighbours. Every member is therefore verified against the
//! core itself, and a chain A~B~C never puts A and C together unless both match the core.

use std::collections::BTreeMap;

use concord_core::text::stable_id;
use concord_core::{Cluster, CopyGroup, Corpus, CorpusStage, Document, Member, SingleSource, StageError, UnitKind};
use rayon::prelude::*;

use crate::key::{self, Weights};
use crate::stage::{ClaimRecord, UnitRecord};
use crate::ClaimOptions;

struct Entry {
    id: String,
    outlet: String,
    record: ClaimRecord,
}

/// The corpus part of the `claims` stage (see the module docs).
pub struct Clusterer {
    opts: ClaimOptions,
    entries: Vec<Entry>,
}

/// Candidate pairs `(i, j)`, `i < j`, of items sharing an LSH band key: for each band the
/// items are sorted by key; within a bucket each item is paired with at most `max_bucket`
/// following items. Sorted and deduplicated.
///
/// A pair that already met in an earlier band whose bucket was compared in full is not
/// emitted again, so near-duplicates (which share most bands) cost one pair, not one per
/// band, and the pair list stays the size of its distinct pairs.
pub fn lsh_candidates(bands: &[&[u32]], num_bands: usize, max_bucket: usize) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut col: Vec<(u32, u32)> = Vec::with_capacity(bands.len());
    // Bit b: the item's bucket in band b (b < 64) was compared in full.
    let mut full: Vec<u64> = vec![0; bands.len()];
    for b in 0..num_bands {
        col.clear();
        col.extend(bands.iter().enumerate().filter_map(|(i, k)| k.get(b).map(|&key| (key, i as u32))));
        col.sort_unstable();
        let mut start = 0;
        while start < col.len() {
            let mut end = start + 1;
            while end < col.len() && col[end].0 == col[start].0 {
                end += 1;
            }
            let complete = end - start <= max_bucket + 1;
            for i in start..end {
                let x = col[i].1 as usize;
                for j in i + 1..end.min(i + 1 + max_bucket) {
                    let y = col[j].1 as usize;
                    let mask = full[x];
                    let seen = (0..b.min(64)).any(|e| {
                        mask & (1 << e) != 0 && bands[x].get(e).is_some() && bands[x].get(e) == bands[y].get(e)
                    });
                    if !seen {
                        pairs.push((col[i].1, col[j].1));
                    }
                }
            }
            if complete && b < 64 {
                for &(_, i) in &col[start..end] {
                    full[i as usize] |= 1 << b;
                }
            }
            start = end;
        }
        // Keep memory bounded on big corpora: deduplicate as we go.
        if pairs.len() > 1 << 22 {
            pairs.sort_unstable();
            pairs.dedup();
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Star clustering over verified edges `(i, j, similarity)` of `n` nodes; returns clusters
/// as sorted node lists, cores first in each, clusters in core order.
pub fn star_clusters(n: usize, edges: &[(u32, u32, f64)]) -> Vec<Vec<u32>> {
    let mut adj: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for &(i, j, s) in edges {
        adj[i as usize].push((j, s));
        adj[j as usize].push((i, s));
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    let strength = |i: u32| -> f64 { adj[i as usize].iter().map(|x| x.1).sum() };
    order.sort_by(|&a, &b| {
        adj[b as usize].len().cmp(&adj[a as usize].len()).then(strength(b).total_cmp(&strength(a))).then(a.cmp(&b))
    });
    let mut assigned = vec![false; n];
    let mut out = Vec::new();
    for core in order {
        if assigned[core as usize] {
            continue;
        }
        assigned[core as usize] = true;
        let mut members = vec![core];
        let mut nb: Vec<u32> = adj[core as usize].iter().map(|x| x.0).collect();
        nb.sort_unstable();
        for m in nb {
            if !assigned[m as usize] {
                assigned[m as usize] = true;
                members.push(m);
            }
        }
        out.push(members);
    }
    out
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

impl Clusterer {
    /// The corpus part with these options.
    pub fn new(opts: &ClaimOptions) -> Clusterer {
        Clusterer { opts: opts.clone(), entries: Vec::new() }
    }

    /// Number of articles observed so far.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no article was observed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds an article's record directly (what `observe` does with `doc.ext`); units
    /// without band keys (never clustered) are dropped.
    pub fn add(&mut self, id: &str, outlet: &str, mut record: ClaimRecord) {
        record.units.retain(|u| !u.bands.is_empty());
        record.units.shrink_to_fit();
        self.entries.push(Entry { id: id.to_string(), outlet: outlet.to_string(), record });
    }

    /// Near-copy groups over the observed articles (entries must be sorted by id):
    /// `(group root per entry, groups)`.
    fn copies(&self) -> (Vec<usize>, Vec<CopyGroup>) {
        let n = self.entries.len();
        let sigs: Vec<Vec<u32>> = self
            .entries
            .iter()
            .map(|e| {
                if e.record.signature.is_empty() {
                    Vec::new()
                } else {
                    key::band_keys(&e.record.signature, self.opts.copy_bands, 0xa271)
                }
            })
            .collect();
        let refs: Vec<&[u32]> = sigs.iter().map(Vec::as_slice).collect();
        let cands = lsh_candidates(&refs, self.opts.copy_bands, self.opts.max_bucket);
        let mut parent: Vec<usize> = (0..n).collect();
        for (i, j) in cands {
            let (a, b) = (&self.entries[i as usize].record.signature, &self.entries[j as usize].record.signature);
            if key::estimate(a, b) >= self.opts.copy_threshold {
                let (ri, rj) = (find(&mut parent, i as usize), find(&mut parent, j as usize));
                if ri != rj {
                    // The smaller index (smaller id) stays the root.
                    let (lo, hi) = (ri.min(rj), ri.max(rj));
                    parent[hi] = lo;
                }
            }
        }
        let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, &r) in roots.iter().enumerate() {
            if r != i {
                groups.entry(r).or_default().push(i);
            }
        }
        let out = groups
            .into_iter()
            .map(|(r, copies)| {
                let sim = copies
                    .iter()
                    .map(|&c| key::estimate(&self.entries[r].record.signature, &self.entries[c].record.signature))
                    .fold(1.0, f64::min);
                CopyGroup {
                    original: self.entries[r].id.clone(),
                    copies: copies.iter().map(|&c| self.entries[c].id.clone()).collect(),
                    similarity: sim,
                }
            })
            .collect();
        (roots, out)
    }

    /// Runs the corpus computation and writes it into `corpus`.
    pub fn run(&mut self, corpus: &mut Corpus) {
        self.entries.sort_by(|a, b| a.id.cmp(&b.id));
        let this: &Clusterer = self;
        this.compute(corpus);
    }

    fn compute(&self, corpus: &mut Corpus) {
        let (roots, copies) = self.copies();
        for g in &copies {
            for c in &g.copies {
                if let Ok(i) = corpus.articles.binary_search_by(|a| a.id.as_str().cmp(c)) {
                    corpus.articles[i].copy_of = Some(g.original.clone());
                }
            }
        }
        corpus.copies = copies;

        // Every unit, by article id then position.
        let units: Vec<(usize, &UnitRecord)> =
            self.entries.iter().enumerate().flat_map(|(a, e)| e.record.units.iter().map(move |u| (a, u))).collect();
        let clusterable: Vec<u32> =
            (0..units.len() as u32).filter(|&i| !units[i as usize].1.bands.is_empty()).collect();
        let bands: Vec<&[u32]> = clusterable.iter().map(|&i| units[i as usize].1.bands.as_slice()).collect();
        let cands = lsh_candidates(&bands, self.opts.bands, self.opts.max_bucket);
        let weights: Weights = self.opts.weights();
        let idf = key::Idf::new(clusterable.iter().map(|&i| units[i as usize].1.tokens.as_slice()));
        let threshold = self.opts.threshold;
        // Token weights (class weight times IDF) once per unit, flat: no IDF look-up per pair.
        let mut offsets: Vec<usize> = Vec::with_capacity(clusterable.len() + 1);
        offsets.push(0);
        let mut tw: Vec<f32> = Vec::new();
        for &i in &clusterable {
            tw.extend(key::token_weights(&units[i as usize].1.tokens, &weights, Some(&idf)));
            offsets.push(tw.len());
        }
        let wts = |k: u32| &tw[offsets[k as usize]..offsets[k as usize + 1]];
        let edges: Vec<(u32, u32, f64)> = cands
            .par_iter()
            .filter_map(|&(i, j)| {
                let (ai, ua) = units[clusterable[i as usize] as usize];
                let (aj, ub) = units[clusterable[j as usize] as usize];
                if ua.kind != ub.kind || (ai == aj && ua.src.overlaps(ub.src)) {
                    return None;
                }
                let s = key::similarity_weighted(&ua.tokens, wts(i), &ub.tokens, wts(j), &weights);
                (s >= threshold).then_some((i, j, s))
            })
            .collect();
        let groups = star_clusters(clusterable.len(), &edges);

        let corpus_ro: &Corpus = corpus;
        let entity_name = |id: &str| corpus_ro.entities.iter().find(|e| e.id == id).map(|e| e.name.clone());
        let mut clusters: Vec<(Cluster, (String, usize))> = Vec::new();
        let mut single: Vec<SingleSource> = Vec::new();
        for g in groups {
            let mut idx: Vec<usize> = g.iter().map(|&i| clusterable[i as usize] as usize).collect();
            idx.sort_unstable();
            let members: Vec<Member> = idx
                .iter()
                .map(|&u| {
                    let (a, r) = units[u];
                    let e = &self.entries[a];
                    Member {
                        article: e.id.clone(),
                        outlet: e.outlet.clone(),
                        start: r.src.start,
                        end: r.src.end,
                        text: r.text.clone(),
                        speaker: r.speaker.and_then(|l| corpus_ro.entity_id(&e.id, l)).map(str::to_string),
                        sentence_start: r.sentence_src.start,
                        sentence_end: r.sentence_src.end,
                        context: r.context.clone(),
                    }
                })
                .collect();
            let mut outlets: Vec<String> =
                idx.iter().map(|&u| self.entries[roots[units[u].0]].outlet.clone()).collect();
            outlets.sort();
            outlets.dedup();
            let kind = units[idx[0]].1.kind;
            if members.len() == 1 {
                single.push(SingleSource {
                    kind,
                    cluster: None,
                    member: members.into_iter().next().expect("one member"),
                });
                continue;
            }
            let mut articles: Vec<String> = members.iter().map(|m| m.article.clone()).collect();
            articles.dedup();
            let mut entities: Vec<String> = Vec::new();
            for &u in &idx {
                let (a, r) = units[u];
                for &l in &r.entities {
                    if let Some(id) = corpus_ro.entity_id(&self.entries[a].id, l) {
                        entities.push(id.to_string());
                    }
                }
            }
            entities.sort();
            entities.dedup();
            // Representative: the most complete member (most content words, then longest).
            let rep = idx
                .iter()
                .enumerate()
                .max_by(|(x, &a), (y, &b)| {
                    let (ra, rb) = (units[a].1, units[b].1);
                    ra.tokens.len().cmp(&rb.tokens.len()).then(ra.text.len().cmp(&rb.text.len())).then(y.cmp(x))
                })
                .map_or(0, |(k, _)| k);
            let (speaker, speaker_name) = if kind == UnitKind::Quote {
                let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
                for m in &members {
                    if let Some(s) = &m.speaker {
                        *votes.entry(s.as_str()).or_default() += 1;
                    }
                }
                let total: usize = votes.values().sum();
                let best =
                    votes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(k, v)| (k.to_string(), *v));
                match best {
                    Some((id, v)) if v * 2 > total => {
                        let name = entity_name(&id).or_else(|| {
                            idx.iter()
                                .zip(&members)
                                .find(|(_, m)| m.speaker.as_deref() == Some(id.as_str()))
                                .and_then(|(&u, _)| units[u].1.speaker_name.clone())
                        });
                        (Some(id), name)
                    }
                    _ => {
                        let mut names: BTreeMap<&str, usize> = BTreeMap::new();
                        for &u in &idx {
                            if let Some(n) = &units[u].1.speaker_name {
                                *names.entry(n.as_str()).or_default() += 1;
                            }
                        }
                        let total: usize = names.values().sum();
                        let best = names.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
                        (None, best.filter(|(_, &v)| v * 2 > total).map(|(k, _)| k.to_string()))
                    }
                }
            } else {
                (None, None)
            };
            let keys: Vec<String> = members.iter().map(|m| format!("{}:{}:{}", m.article, m.start, m.end)).collect();
            let mut parts: Vec<&str> = vec![if kind == UnitKind::Quote { "quote" } else { "claim" }];
            parts.extend(keys.iter().map(String::as_str));
            let id = stable_id("c", &parts);
            let first = (members[0].article.clone(), members[0].start);
            let cluster = Cluster {
                id,
                kind,
                text: members[rep].text.clone(),
                speaker,
                speaker_name,
                articles,
                outlets,
                entities,
                members,
            };
            if cluster.outlets.len() == 1 {
                single.push(SingleSource {
                    kind,
                    cluster: Some(cluster.id.clone()),
                    member: cluster.members[0].clone(),
                });
            }
            clusters.push((cluster, first));
        }
        clusters.sort_by(|(a, fa), (b, fb)| {
            b.outlets
                .len()
                .cmp(&a.outlets.len())
                .then(b.members.len().cmp(&a.members.len()))
                .then(fa.cmp(fb))
                .then(a.id.cmp(&b.id))
        });
        single.sort_by(|a, b| {
            (a.member.article.as_str(), a.member.start, a.kind).cmp(&(
                b.member.article.as_str(),
                b.member.start,
                b.kind,
            ))
        });
        corpus.clusters = clusters.into_iter().map(|(c, _)| c).collect();
        corpus.single_source = single;
    }
}

/// The part of a record the corpus computation reads: clustered units only (units without
/// band keys never reach a cluster or the single-source list), with exact-size buffers.
pub fn compact(record: &ClaimRecord) -> ClaimRecord {
    ClaimRecord {
        units: record.units.iter().filter(|u| !u.bands.is_empty()).cloned().collect(),
        signature: record.signature.clone(),
    }
}

impl CorpusStage for Clusterer {
    fn observe(&mut self, doc: &Document) -> Result<(), StageError> {
        let record = doc.ext.get::<ClaimRecord>().map(compact).unwrap_or_default();
        self.add(&doc.article.id, &doc.article.outlet, record);
        Ok(())
    }

    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        self.run(corpus);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::text::mix64;

    #[test]
    fn star_clusters_do_not_chain() {
        // 0-1, 1-2, 2-3: a chain; 1 and 2 have degree 2. Core 1 takes 0 and 2; 3 stays alone.
        let edges = vec![(0, 1, 0.9), (1, 2, 0.6), (2, 3, 0.9)];
        let c = star_clusters(4, &edges);
        assert_eq!(c, vec![vec![1, 0, 2], vec![3]]);
    }

    #[test]
    fn lsh_pairs_match_the_plain_definition() {
        // Random small keys: many collisions, some buckets over the cap.
        let items: Vec<Vec<u32>> =
            (0..60u64).map(|i| (0..6u64).map(|b| (mix64(i * 7 + b) % 5) as u32 + b as u32 * 10).collect()).collect();
        let refs: Vec<&[u32]> = items.iter().map(Vec::as_slice).collect();
        for cap in [1, 3, 100] {
            let mut plain = Vec::new();
            for b in 0..6 {
                let mut col: Vec<(u32, u32)> = refs.iter().enumerate().map(|(i, k)| (k[b], i as u32)).collect();
                col.sort_unstable();
                for (x, &(k, i)) in col.iter().enumerate() {
                    for &(k2, j) in col[x + 1..].iter().take(cap) {
                        if k2 == k {
                            plain.push((i, j));
                        }
                    }
                }
            }
            plain.sort_unstable();
            plain.dedup();
            assert_eq!(lsh_candidates(&refs, 6, cap), plain, "cap {cap}");
        }
    }

    #[test]
    fn lsh_pairs_share_a_band() {
        let a = [1u32, 2, 3];
        let b = [9u32, 2, 8];
        let c = [7u32, 7, 7];
        let p = lsh_candidates(&[&a, &b, &c], 3, 10);
        assert_eq!(p, vec![(0, 1)]);
    }
}
