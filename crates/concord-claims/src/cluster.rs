//! The corpus part: candidate pairs by LSH, verification, core-based clustering, copy
//! detection, corroboration by distinct outlet, ranking and single-source listing.
//!
//! Everything is sorted before anything order-sensitive happens (articles by id, units by
//! article then position, pairs by index), hashes are the fixed-seed ones of
//! `concord_core::text`, and cluster ids come from the members' content, so the output does
//! not depend on input order or thread scheduling.
//!
//! Memory: units are kept packed (see the `store` module); their texts wait in a temporary
//! file until the clusters are known, and are then read back a batch at a time (cluster
//! members, scattered over that file, are first copied batch after batch to a new one in
//! one pass, so that each batch is one sequential read). Clusters are ranked before they
//! are built; those past [`Corpus::cluster_limit`] and single-source items past
//! [`Corpus::single_source_limit`] go to temporary files in report order
//! ([`Corpus::clusters_rest`], [`Corpus::single_source_rest`]), written from borrowed views
//! of the texts, so the corpus holds only what the HTML and Markdown reports show and
//! `report.json` embeds.
//!
//! Copy detection keeps 16 band keys an article in memory and its full signature in a
//! temporary file: candidate pairs that share too few band keys to reach the threshold
//! are dropped before any estimate (see `CopyFilter`), and only the rest read their
//! signatures back.
//!
//! Before verification, LSH drops the candidate pairs that a veto would reject anyway
//! (numbers or names both sides lack, a lone negation, a claim much longer than the
//! other), tested on 64-bit sketches of the units' words as pairs are found: on corpora
//! with many templated sentences that differ in their figures, most candidates are such. LSH runs one band at a time, so only one column of
//! band keys (8 bytes a unit) exists at once; each band's keys are computed from the
//! unit's content-word set with that band's MinHash functions only, in parallel.
//!
//! Units with the same kind and word set are one node of all that follows, weighted by
//! their number (syndicated copies repeat sentences by the thousand): each distinct set
//! is hashed, compared and verified once.
//!
//! Clustering is *star* clustering around cores: units are taken in order of how many
//! verified neighbours they have (ties by summed similarity, then position); an unassigned
//! unit becomes a core and takes its unassigned verified neighbours. Every member is
//! therefore verified against the core itself, and a chain A~B~C never puts A and C
//! together unless both match the core.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::sync::Arc;

use concord_core::text::{fnv1a64, mix64};
use concord_core::{CopyGroup, Corpus, CorpusStage, Document, Spooled, StageError, UnitKind};
use rayon::prelude::*;

use crate::key::{self, MinHasher, Weights};
use crate::spool::{self, ClusterRef, Fields, MemberRef, Recorded, SingleRef, SpoolWriter};
use crate::stage::{kind_salt, ClaimRecord, UNIT_FAMILY};
use crate::store::{self, Arena, Packed, SignatureSpill, Signatures, Store, Texts, TextsRef, ID_MASK};
use crate::ClaimOptions;

/// One observed article.
struct Entry {
    id: String,
    outlet: u32,
    /// Its arrival index: its run of `copy_keys` and record of `signatures` (both empty when
    /// it has no words).
    sig: u32,
}

/// The corpus part of the `claims` stage (see the module docs).
pub struct Clusterer {
    opts: ClaimOptions,
    entries: Vec<Entry>,
    outlets: Vec<String>,
    outlet_ids: HashMap<String, u32>,
    /// The LSH band keys of the articles' signatures, in arrival order (pages never copied
    /// as they grow): what finding copy candidates reads.
    copy_keys: Arena,
    /// The article signatures, in a temporary file: only candidate pairs read them back.
    signatures: SignatureSpill,
    store: Store,
}

/// Candidate pairs `(i, j)`, `i < j`, of `n` items sharing an LSH band key, sorted and
/// deduplicated. `keys(first, count)` gives the keys of bands `first..first + count` of
/// every item, item-major (`keys[item * count + band - first]`); it is asked for at most
/// [`BAND_GROUP`] bands at a time, so memory holds that many keys an item, not all.
/// Within a bucket, items in item order, each item is paired with at most `max_bucket`
/// following items, which keeps a bucket of very common keys linear. A pair that already
/// met in a fully compared bucket of an earlier band of the same group is not emitted
/// again (near-duplicates meet in most bands).
pub fn lsh_candidates(
    n: usize,
    num_bands: usize,
    max_bucket: usize,
    keys: impl FnMut(usize, usize) -> Vec<u32>,
) -> Vec<(u32, u32)> {
    lsh_candidates_where(n, num_bands, max_bucket, keys, |_, _| true)
}

/// [`lsh_candidates`] without the pairs `(i, j)` for which `keep(i, j)` is false (a cheap
/// test of pairs that could never pass verification, applied as pairs are found, so they
/// are neither stored nor sorted).
pub fn lsh_candidates_where(
    n: usize,
    num_bands: usize,
    max_bucket: usize,
    mut keys: impl FnMut(usize, usize) -> Vec<u32>,
    keep: impl Fn(u32, u32) -> bool + Sync,
) -> Vec<(u32, u32)> {
    let mut pairs: Vec<u64> = Vec::new();
    let mut first = 0;
    // Bands of a group are sorted, and their pairs emitted, as many at a time as there are
    // threads (one sorted column each in memory).
    let at_once = rayon::current_num_threads().clamp(1, BAND_GROUP);
    while first < num_bands {
        let count = BAND_GROUP.min(num_bands - first);
        let ks = keys(first, count);
        // Bit `band` of an item: its bucket in that band was compared in full, so every
        // pair of that bucket was emitted there. A band's bits depend on that band alone.
        let mut full = vec![0u16; n];
        let mut band0 = 0;
        while band0 < count {
            let bands: Vec<usize> = (band0..count.min(band0 + at_once)).collect();
            let cols: Vec<Vec<(u32, u32)>> = bands
                .par_iter()
                .map(|&band| sort_by_key((0..n).map(|k| (ks[k * count + band], k as u32)).collect()))
                .collect();
            for (&band, col) in bands.iter().zip(&cols) {
                for_each_bucket(col, |b| {
                    if b.len() <= max_bucket + 1 {
                        for &(_, i) in b {
                            full[i as usize] |= 1 << band;
                        }
                    }
                });
            }
            let (full, ks, keep) = (&full, &ks, &keep);
            let emitted: Vec<Vec<u64>> = bands
                .par_iter()
                .zip(&cols)
                .map(|(&band, col)| {
                    let mut out = Vec::new();
                    for_each_bucket(col, |b| {
                        for i in 0..b.len() {
                            let x = b[i].1 as usize;
                            for &(_, y) in &b[i + 1..b.len().min(i + 1 + max_bucket)] {
                                let y = y as usize;
                                let met = (0..band)
                                    .any(|e| full[x] & (1 << e) != 0 && ks[x * count + e] == ks[y * count + e]);
                                if !met && keep(x as u32, y as u32) {
                                    out.push((x as u64) << 32 | y as u64);
                                }
                            }
                        }
                    });
                    out
                })
                .collect();
            drop(cols);
            for e in emitted {
                pairs.extend(e);
            }
            band0 += bands.len();
        }
        // Keep memory bounded on big corpora: deduplicate as we go.
        if pairs.len() > 1 << 23 {
            pairs.par_sort_unstable();
            pairs.dedup();
        }
        first += count;
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs.into_iter().map(|p| ((p >> 32) as u32, p as u32)).collect()
}

/// Calls `f` with each run of equal keys of a sorted column.
fn for_each_bucket(col: &[(u32, u32)], mut f: impl FnMut(&[(u32, u32)])) {
    let mut start = 0;
    while start < col.len() {
        let mut end = start + 1;
        while end < col.len() && col[end].0 == col[start].0 {
            end += 1;
        }
        f(&col[start..end]);
        start = end;
    }
}

/// `(key, item)` pairs sorted by key then item, for pairs that come in item order (as
/// LSH columns do): a stable radix sort on the key, three passes of 11, 11 and 10 bits
/// (their counts taken in one read of the column), linear in the column; small columns
/// are sorted directly.
pub(crate) fn sort_by_key(mut col: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    if col.len() < 1 << 12 || !col.windows(2).all(|w| w[0].1 <= w[1].1) {
        col.sort_unstable();
        return col;
    }
    const BITS: u32 = 11;
    const DIGITS: usize = 1 << BITS;
    let digit = |k: u32, pass: usize| ((k >> (pass as u32 * BITS)) as usize) & (DIGITS - 1);
    // Per pass, the start of each digit's run in the output of that pass.
    let mut start = vec![[0u32; DIGITS]; 3];
    for &(k, _) in &col {
        for (pass, counts) in start.iter_mut().enumerate() {
            counts[digit(k, pass)] += 1;
        }
    }
    for counts in &mut start {
        let mut acc = 0;
        for c in counts.iter_mut() {
            (*c, acc) = (acc, acc + *c);
        }
    }
    let mut buf = vec![(0u32, 0u32); col.len()];
    for (pass, next) in start.iter_mut().enumerate() {
        for &x in &col {
            let d = digit(x.0, pass);
            buf[next[d] as usize] = x;
            next[d] += 1;
        }
        std::mem::swap(&mut col, &mut buf);
    }
    col
}

/// Star clustering over verified edges `(i, j, similarity)` of `n` nodes; returns clusters
/// as node lists, cores first in each, the rest sorted, clusters in core order.
pub fn star_clusters(n: usize, edges: &[(u32, u32, f64)]) -> Vec<Vec<u32>> {
    star_clusters_weighted(&vec![1; n], edges)
}

/// [`star_clusters`] where node `i` stands for `weights[i]` identical units: its degree
/// counts the units of its neighbours and its own copies, as star clustering of the
/// units themselves would (identical units are neighbours at similarity 1).
pub fn star_clusters_weighted(weights: &[u32], edges: &[(u32, u32, f64)]) -> Vec<Vec<u32>> {
    let (members, ends) = star_clusters_flat(weights, edges);
    let mut at = 0;
    ends.iter()
        .map(|&end| {
            let c = members[at..end as usize].to_vec();
            at = end as usize;
            c
        })
        .collect()
}

/// [`star_clusters_weighted`] as one list of every node, cluster after cluster, and the end
/// of each cluster in it (no allocation per cluster: most are single nodes).
fn star_clusters_flat(weights: &[u32], edges: &[(u32, u32, f64)]) -> (Vec<u32>, Vec<u32>) {
    let n = weights.len();
    // Adjacency in one flat array (offsets per node), not a Vec per node.
    let mut count = vec![0u32; n];
    let mut deg: Vec<u64> = weights.iter().map(|&w| w.saturating_sub(1) as u64).collect();
    let mut strength: Vec<f64> = deg.iter().map(|&d| d as f64).collect();
    for &(i, j, s) in edges {
        let (i, j) = (i as usize, j as usize);
        count[i] += 1;
        count[j] += 1;
        deg[i] += weights[j] as u64;
        deg[j] += weights[i] as u64;
        strength[i] += s * weights[j] as f64;
        strength[j] += s * weights[i] as f64;
    }
    let mut offsets = Vec::with_capacity(n + 1);
    let mut acc = 0u32;
    for c in &count {
        offsets.push(acc);
        acc += c;
    }
    offsets.push(acc);
    let mut fill = offsets.clone();
    let mut adj = vec![0u32; acc as usize];
    for &(i, j, _) in edges {
        adj[fill[i as usize] as usize] = j;
        fill[i as usize] += 1;
        adj[fill[j as usize] as usize] = i;
        fill[j as usize] += 1;
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        deg[b as usize]
            .cmp(&deg[a as usize])
            .then(strength[b as usize].total_cmp(&strength[a as usize]))
            .then(a.cmp(&b))
    });
    let mut assigned = vec![false; n];
    let (mut members, mut ends) = (Vec::with_capacity(n), Vec::new());
    for core in order {
        if assigned[core as usize] {
            continue;
        }
        assigned[core as usize] = true;
        members.push(core);
        let nb = &mut adj[offsets[core as usize] as usize..offsets[core as usize + 1] as usize];
        nb.sort_unstable();
        for &m in nb.iter() {
            if !assigned[m as usize] {
                assigned[m as usize] = true;
                members.push(m);
            }
        }
        ends.push(members.len() as u32);
    }
    (members, ends)
}

/// The indices of the items whose article indices (each under `articles`) `article_of`
/// iterates, by article then index: what a stable sort of `0..n` by article gives, in a
/// counting sort (linear; `article_of` is iterated twice).
fn by_article<I: Iterator<Item = u32>>(article_of: impl Fn() -> I, articles: usize) -> Vec<u32> {
    let mut next = vec![0u32; articles + 1];
    let mut n = 0;
    for a in article_of() {
        next[a as usize + 1] += 1;
        n += 1;
    }
    for a in 0..articles {
        next[a + 1] += next[a];
    }
    let mut seq = vec![0u32; n];
    for (u, a) in article_of().enumerate() {
        seq[next[a as usize] as usize] = u as u32;
        next[a as usize] += 1;
    }
    seq
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// An exact filter of candidate near-copy pairs by their article band keys, before any
/// estimate. A pair of signatures of `len` values passes at `copy_threshold` t with at
/// least `need` equal values (the least count with `need / len >= t`, the test of
/// [`key::estimate`]), so with at most `m = len - need` unequal ones. Bands cover disjoint
/// positions, so an unequal value breaks at most one band: a passing pair has at least
/// `bands - m` intact bands, hence at least as many equal keys (equal keys may also be a
/// hash collision, which only keeps more pairs). Pairs with fewer equal keys are dropped;
/// none of them would pass.
struct CopyFilter {
    bands: usize,
    threshold: f64,
    /// The usual signature length (`copy_num_hashes`) and its [`CopyFilter::min_shared`].
    len: usize,
    shared: Option<usize>,
}

impl CopyFilter {
    fn new(opts: &ClaimOptions) -> CopyFilter {
        let (bands, threshold, len) = (opts.copy_bands.max(1), opts.copy_threshold, opts.copy_num_hashes);
        CopyFilter { bands, threshold, len, shared: min_shared_bands(len, bands, threshold) }
    }

    /// The equal band keys a passing pair of signatures of `len` values has at least, when
    /// over 1 (every candidate shares a key: the filter would drop nothing).
    fn min_shared(&self, len: usize) -> Option<usize> {
        if len == self.len {
            self.shared
        } else {
            min_shared_bands(len, self.bands, self.threshold)
        }
    }

    /// False when two articles with these band keys and signature lengths certainly
    /// estimate below the threshold.
    fn may_pass(&self, (a, a_len): (&[u32], usize), (b, b_len): (&[u32], usize)) -> bool {
        if a_len != b_len {
            // Signatures of different lengths estimate 0.
            return 0.0 >= self.threshold;
        }
        match self.min_shared(a_len) {
            Some(need) => a.iter().zip(b).filter(|(x, y)| x == y).count() >= need,
            None => true,
        }
    }
}

/// See [`CopyFilter`]: the fewest equal keys among `bands` band keys of two signatures of
/// `len` values estimated at `threshold` or more (more than `bands` when no pair can reach
/// it), or `None` when that is at most 1.
fn min_shared_bands(len: usize, bands: usize, threshold: f64) -> Option<usize> {
    if len == 0 {
        // Empty signatures estimate 0.
        return (0.0 < threshold).then_some(bands + 1);
    }
    let Some(need) = (0..=len).find(|&c| c as f64 / len as f64 >= threshold) else {
        return Some(bands + 1);
    };
    Some(bands.saturating_sub(len - need)).filter(|&s| s > 1)
}

/// The verification of candidate pairs over a [`Store`]: the weighted similarity of
/// [`key::similarity_of`] with IDF over the store's units, plus the length veto of claims.
pub(crate) struct Verifier<'a> {
    store: &'a Store,
    idf: Vec<f32>,
    weights: Weights,
    not_key: u64,
    max_length_ratio: f64,
}

impl<'a> Verifier<'a> {
    pub fn new(store: &'a Store, opts: &ClaimOptions) -> Verifier<'a> {
        Verifier {
            store,
            idf: store::idf_weights(&store.df(), store.units.len()),
            weights: opts.weights(),
            not_key: store.id_of(fnv1a64(b"not")).map_or(u64::MAX, u64::from),
            max_length_ratio: opts.max_length_ratio,
        }
    }

    /// What [`Verifier::surely_vetoed`] reads of unit `u`.
    pub fn sketch(&self, u: usize) -> Sketch {
        let unit = &self.store.units[u];
        let mut sk = Sketch { all: 0, numbers: 0, names: 0, not: false, words: unit.words(), kind: unit.kind() };
        for &p in self.store.tokens_of(u) {
            let id = p & ID_MASK;
            let bit = 1u64 << (concord_core::text::mix64(id as u64) & 63);
            sk.all |= bit;
            if p & store::NUMBER_BIT != 0 {
                sk.numbers |= bit;
            } else if p & store::NAME_BIT != 0 {
                sk.names |= bit;
            }
            sk.not |= id as u64 == self.not_key;
        }
        sk
    }

    /// True when a veto of [`Verifier::similarity`] certainly applies to two units with
    /// these sketches (false when it may not: the sketches' bit sets only prove that a
    /// side has a token the other lacks, never that it has none).
    pub fn surely_vetoed(&self, a: &Sketch, b: &Sketch) -> bool {
        if a.kind != b.kind || (a.kind == UnitKind::Claim && self.too_long(a.words, b.words)) {
            return true;
        }
        let w = &self.weights;
        // A word counts as shared whatever its flags on either side, so "lacks" is tested
        // against all of the other side's words.
        let (na, nb) = (a.numbers & !b.all, b.numbers & !a.all);
        if w.number_veto && na != 0 && nb != 0 {
            return true;
        }
        if w.extra_number_veto > 0 && (na.count_ones().max(nb.count_ones()) as usize) >= w.extra_number_veto {
            return true;
        }
        let (ma, mb) = ((a.names & !b.all).count_ones() as usize, (b.names & !a.all).count_ones() as usize);
        if w.name_veto > 0 && ma >= w.name_veto && mb >= w.name_veto {
            return true;
        }
        w.negation_veto && a.not != b.not
    }

    /// The length veto of claims: one has more than `max_length_ratio` times the other's words.
    fn too_long(&self, a: u32, b: u32) -> bool {
        let (lo, hi) = (a.min(b).max(1) as f64, a.max(b) as f64);
        self.max_length_ratio > 0.0 && hi > lo * self.max_length_ratio
    }

    /// The similarity of units `a` and `b` (0 when a veto applies).
    pub fn similarity(&self, a: usize, b: usize) -> f64 {
        let (ua, ub) = (&self.store.units[a], &self.store.units[b]);
        // A sentence with an extra clause is a larger claim, not the same one (a quote and
        // a fragment of it are still the same quote).
        if ua.kind() == UnitKind::Claim && self.too_long(ua.words(), ub.words()) {
            return 0.0;
        }
        let side = |u: usize| Packed { tokens: self.store.tokens_of(u), idf: &self.idf, weights: &self.weights };
        key::similarity_of(&side(a), &side(b), &self.weights, self.not_key)
    }
}

/// Bits of a unit's tokens, of its number tokens and of its other name tokens (one of 64
/// per token), whether it has `not`, its words and kind: enough to see that most
/// verification vetoes apply to a pair.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sketch {
    all: u64,
    numbers: u64,
    names: u64,
    not: bool,
    words: u32,
    kind: UnitKind,
}

/// LSH band keys of units: band `b` of unit `u` from the MinHash functions of that band
/// over the unit's content words (salted by kind: quotes and claims never share a bucket).
pub(crate) struct Bands<'a> {
    store: &'a Store,
    hasher: MinHasher,
    rows: usize,
    /// [`key::band_seed`] of every band, for claims and for quotes.
    seeds: [Vec<u64>; 2],
}

impl<'a> Bands<'a> {
    pub fn new(store: &'a Store, opts: &ClaimOptions) -> Bands<'a> {
        let seeds = |kind| (0..opts.bands).map(|b| key::band_seed(kind_salt(kind), b)).collect();
        Bands {
            store,
            hasher: MinHasher::new(opts.num_hashes, UNIT_FAMILY),
            rows: (opts.num_hashes / opts.bands.max(1)).max(1),
            seeds: [seeds(UnitKind::Claim), seeds(UnitKind::Quote)],
        }
    }

    /// The keys of unit `u` in bands `first..first + out.len()`.
    pub fn keys(&self, u: usize, first: usize, out: &mut [u32]) {
        let mixed = self.store.tokens_of(u).iter().map(|&p| self.store.mixed[(p & ID_MASK) as usize]);
        let seeds = &self.seeds[(self.store.units[u].kind() == UnitKind::Quote) as usize];
        self.hasher.band_keys_seeded(mixed, first, self.rows, &seeds[first..first + out.len()], out)
    }

    /// The keys of bands `first..first + count` of units `seq`, item-major (item `k` is
    /// unit `seq[k]`; see [`lsh_candidates`]), computed in parallel: one pass over each
    /// unit's words for all of them.
    pub fn group(&self, seq: &[u32], first: usize, count: usize) -> Vec<u32> {
        // One allocation of the known size, each unit writing its own keys in place.
        let mut keys = vec![0u32; seq.len() * count];
        if count > 0 {
            keys.par_chunks_mut(count)
                .zip(seq.par_iter())
                .with_min_len(64)
                .for_each(|(out, &u)| self.keys(u as usize, first, out));
        }
        keys
    }
}

/// Salt of the LSH band keys of article signatures.
const COPY_SALT: u64 = 0xa271;

/// Article pairs estimated at most in one batch (their signatures in memory at once: at
/// most 2 × 256 bytes a pair at 64 values).
const BATCH_PAIRS: usize = 1 << 15;

/// Bands whose keys are computed and kept together (4 bytes an item each; at most 16).
pub const BAND_GROUP: usize = 10;

impl Clusterer {
    /// The corpus part with these options.
    pub fn new(opts: &ClaimOptions) -> Clusterer {
        Clusterer {
            opts: opts.clone(),
            entries: Vec::new(),
            outlets: Vec::new(),
            outlet_ids: HashMap::new(),
            copy_keys: Arena::default(),
            signatures: SignatureSpill::default(),
            store: Store::new(),
        }
    }

    /// Number of articles observed so far.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no article was observed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of clustered units kept so far.
    pub fn units(&self) -> usize {
        self.store.units.len()
    }

    /// Adds an article's record directly (what `observe` does with `doc.ext`); units that
    /// are not clustered are dropped, the others packed (their texts go to a temporary file:
    /// an error writing it is the error returned).
    pub fn add(&mut self, id: &str, outlet: &str, record: &ClaimRecord) -> Result<(), StageError> {
        let article = self.entries.len() as u32;
        let outlet = match self.outlet_ids.get(outlet) {
            Some(&o) => o,
            None => {
                let o = self.outlets.len() as u32;
                self.outlets.push(outlet.to_string());
                self.outlet_ids.insert(outlet.to_string(), o);
                o
            }
        };
        let sig = self.copy_keys.len() as u32;
        let keys = match record.signature.is_empty() {
            true => Vec::new(),
            false => key::band_keys(&record.signature, self.opts.copy_bands, COPY_SALT),
        };
        self.copy_keys.push(&keys).map_err(|e| StageError::new(format!("cannot keep article band keys: {e}")))?;
        self.signatures
            .push(&record.signature)
            .map_err(|e| StageError::new(format!("cannot write article signatures to a temporary file: {e}")))?;
        self.entries.push(Entry { id: id.to_string(), outlet, sig });
        for u in record.units.iter().filter(|u| u.clustered) {
            self.store
                .push(
                    article,
                    u.kind,
                    &u.tokens,
                    u.words,
                    u.src,
                    u.sentence_src,
                    u.speaker,
                    &u.entities,
                    (&u.text, u.context.as_deref(), u.speaker_name.as_deref()),
                )
                .map_err(|e| StageError::new(format!("cannot write unit texts to a temporary file: {e}")))?;
        }
        Ok(())
    }

    /// What copy detection reads, taken from the clusterer: the articles' band keys and
    /// their signatures, written out.
    fn take_copy_input(&mut self) -> Result<(Arena, Signatures), StageError> {
        let sigs = std::mem::take(&mut self.signatures).finish().map_err(signature_error)?;
        Ok((std::mem::take(&mut self.copy_keys), sigs))
    }

    /// Near-copy groups over the observed articles (entries must be sorted by id), from
    /// their band keys (consumed) and signatures: `(group root per entry, groups)`.
    fn copies(&self, copy_keys: Arena, sigs: &Signatures) -> Result<(Vec<usize>, Vec<CopyGroup>), StageError> {
        let n = self.entries.len();
        // Articles without words have no signature and are nobody's copy.
        let with: Vec<u32> =
            (0..n as u32).filter(|&i| sigs.len_of(self.entries[i as usize].sig as usize) > 0).collect();
        // Their band keys, article after article, and signature lengths, in `with` order.
        let b = self.opts.copy_bands.max(1);
        let mut keys = vec![0u32; with.len() * b];
        keys.par_chunks_mut(b)
            .zip(&with)
            .with_min_len(64)
            .for_each(|(out, &i)| out.copy_from_slice(copy_keys.get(self.entries[i as usize].sig as usize)));
        drop(copy_keys);
        let lens: Vec<usize> = with.iter().map(|&i| sigs.len_of(self.entries[i as usize].sig as usize)).collect();
        let filter = CopyFilter::new(&self.opts);
        let of = |x: u32| (&keys[x as usize * b..][..b], lens[x as usize]);
        let cands: Vec<(u32, u32)> = lsh_candidates_where(
            with.len(),
            self.opts.copy_bands,
            self.opts.max_bucket,
            |first, count| keys.chunks_exact(b).flat_map(|k| k[first..first + count].iter().copied()).collect(),
            |x, y| filter.may_pass(of(x), of(y)),
        )
        .into_iter()
        .map(|(i, j)| (with[i as usize], with[j as usize]))
        .collect();
        drop((keys, lens));
        // The groups are the components of the passing pairs, whatever the order of union:
        // the estimates first, then the union in order.
        let estimates = self.estimates(sigs, &cands)?;
        let mut parent: Vec<usize> = (0..n).collect();
        for (&(i, j), &e) in cands.iter().zip(&estimates) {
            if e >= self.opts.copy_threshold {
                let (ri, rj) = (find(&mut parent, i as usize), find(&mut parent, j as usize));
                // The smaller index (smaller id) stays the root.
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
        drop((cands, estimates));
        let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, &r) in roots.iter().enumerate() {
            if r != i {
                groups.entry(r).or_default().push(i);
            }
        }
        // A group's similarity: the least estimate of a copy against the original.
        let to_root: Vec<(u32, u32)> =
            groups.iter().flat_map(|(&r, copies)| copies.iter().map(move |&c| (r as u32, c as u32))).collect();
        let mut estimates = self.estimates(sigs, &to_root)?.into_iter();
        let out = groups
            .into_iter()
            .map(|(r, copies)| CopyGroup {
                original: self.entries[r].id.clone(),
                similarity: estimates.by_ref().take(copies.len()).fold(1.0, f64::min),
                copies: copies.iter().map(|&c| self.entries[c].id.clone()).collect(),
            })
            .collect();
        Ok((roots, out))
    }

    /// [`key::estimate`] of each pair of articles (entry indices), in order: the signatures
    /// of a batch of [`BATCH_PAIRS`] pairs are read back together in file order, in parallel
    /// pieces, then estimated in parallel.
    fn estimates(&self, sigs: &Signatures, pairs: &[(u32, u32)]) -> Result<Vec<f64>, StageError> {
        let mut out = Vec::with_capacity(pairs.len());
        for batch in pairs.chunks(BATCH_PAIRS) {
            let arrival = |i: u32| self.entries[i as usize].sig;
            let mut want: Vec<u32> = batch.iter().flat_map(|&(i, j)| [arrival(i), arrival(j)]).collect();
            want.par_sort_unstable();
            want.dedup();
            // Signature `want[k]` is `values[starts[k]..starts[k + 1]]`.
            let mut starts = Vec::with_capacity(want.len() + 1);
            let mut total = 0;
            for &a in &want {
                starts.push(total);
                total += sigs.len_of(a as usize);
            }
            starts.push(total);
            let mut values = vec![0u32; total];
            let piece = (want.len() / (4 * rayon::current_num_threads())).max(1 << 9);
            par_fill(&want, &starts, &mut values, piece, |items, out| sigs.read_sorted(items, out))
                .map_err(signature_error)?;
            let sig = |i: u32| {
                let k = want.binary_search(&arrival(i)).expect("a wanted signature");
                &values[starts[k]..starts[k + 1]]
            };
            out.par_extend(batch.par_iter().with_min_len(256).map(|&(i, j)| key::estimate(sig(i), sig(j))));
        }
        Ok(out)
    }

    /// Sorts the articles by id (units keep pointing at theirs).
    fn sort_articles(&mut self) {
        let mut perm: Vec<u32> = (0..self.entries.len() as u32).collect();
        perm.par_sort_by(|&a, &b| self.entries[a as usize].id.cmp(&self.entries[b as usize].id));
        let mut rank = vec![0u32; perm.len()];
        for (new, &old) in perm.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        concord_core::order::apply_permutation(&mut self.entries, &perm);
        for u in self.store.units.iter_mut() {
            u.article = rank[u.article as usize];
        }
    }

    /// Runs the corpus computation and writes it into `corpus`; the observed records are
    /// consumed (the clusterer is empty afterwards).
    pub fn run(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        self.sort_articles();
        let texts = self.store.take_texts().map_err(read_error)?;
        let (copy_keys, sigs) = self.take_copy_input()?;
        self.compute(corpus, &texts, copy_keys, &sigs)?;
        // The records are spent: free them before the report is written.
        *self = Clusterer::new(&self.opts);
        Ok(())
    }

    fn compute(
        &self,
        corpus: &mut Corpus,
        texts: &Texts,
        copy_keys: Arena,
        sigs: &Signatures,
    ) -> Result<(), StageError> {
        let (roots, copies) = self.copies(copy_keys, sigs)?;
        corpus.copies = copies;
        corpus.mark_copies();

        // Every unit, by article id then position: `seq[k]` is the store index of unit k.
        let units = &self.store.units;
        let store = &self.store;
        let seq = by_article(|| units.iter().map(|r| r.article), self.entries.len());
        // Units with the same kind and word set (syndicated sentences, repeated quotes) are
        // one node: LSH, verification and clustering see each distinct set once, with its
        // copies as its weight. Units have the same word set exactly when they share a token
        // run. Nodes are numbered in item order of their first item (so ties break by
        // position); node d's items (positions in `seq`, smallest first) are
        // `by_set[ends[d - 1]..ends[d]]`.
        let (nodes, weights, by_set, ends) = {
            let mut node_of_set = vec![u32::MAX; 2 * store.run_count()];
            let mut node_of: Vec<u32> = Vec::with_capacity(seq.len());
            let (mut nodes, mut weights): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
            for &u in &seq {
                let r = &units[u as usize];
                let d = &mut node_of_set[2 * r.run as usize + (r.kind() == UnitKind::Quote) as usize];
                if *d == u32::MAX {
                    *d = nodes.len() as u32;
                    nodes.push(u);
                    weights.push(0);
                }
                weights[*d as usize] += 1;
                node_of.push(*d);
            }
            drop(node_of_set);
            // A counting sort of the items by node: `next[d]` starts at node d's first
            // place and ends at its end.
            let mut next: Vec<u32> = weights
                .iter()
                .scan(0u32, |acc, &w| {
                    *acc += w;
                    Some(*acc - w)
                })
                .collect();
            let mut by_set = vec![0u32; seq.len()];
            for (k, &d) in node_of.iter().enumerate() {
                by_set[next[d as usize] as usize] = k as u32;
                next[d as usize] += 1;
            }
            (nodes, weights, by_set, next)
        };
        let items = |d: usize| &by_set[if d == 0 { 0 } else { ends[d - 1] as usize }..ends[d] as usize];
        let bands = Bands::new(store, &self.opts);
        let verifier = Verifier::new(store, &self.opts);
        let sketches: Vec<Sketch> = nodes.par_iter().map(|&u| verifier.sketch(u as usize)).collect();
        let cands = lsh_candidates_where(
            nodes.len(),
            self.opts.bands,
            self.opts.max_bucket,
            |first, count| bands.group(&nodes, first, count),
            // (At threshold 0 even a vetoed pair, similarity 0, is an edge.)
            |i, j| self.opts.threshold <= 0.0 || !verifier.surely_vetoed(&sketches[i as usize], &sketches[j as usize]),
        );
        drop(sketches);
        let threshold = self.opts.threshold;
        let edges: Vec<(u32, u32, f64)> = cands
            .par_iter()
            .filter_map(|&(i, j)| {
                let (a, b) = (nodes[i as usize] as usize, nodes[j as usize] as usize);
                let (ua, ub) = (&units[a], &units[b]);
                if ua.kind() != ub.kind() || (ua.article == ub.article && ua.src.overlaps(ub.src)) {
                    return None;
                }
                let s = verifier.similarity(a, b);
                (s >= threshold).then_some((i, j, s))
            })
            .collect();
        drop(cands);
        drop((bands, verifier));
        // The groups of units, one after another: group g is `members[group_ends[g - 1]..
        // group_ends[g]]`, its core's units first.
        let (members, group_ends) = {
            let (node_members, node_ends) = star_clusters_flat(&weights, &edges);
            drop(edges);
            // Where each node's units go: after those of the nodes before it.
            let mut at_node = Vec::with_capacity(node_members.len() + 1);
            let mut total = 0;
            for &d in &node_members {
                at_node.push(total);
                total += weights[d as usize] as usize;
            }
            at_node.push(total);
            drop(weights);
            let group_ends: Vec<u32> = node_ends.iter().map(|&e| at_node[e as usize] as u32).collect();
            let mut members = vec![0u32; total];
            par_fill(&node_members, &at_node, &mut members, 1 << 14, |nodes, out| {
                let units = nodes.iter().flat_map(|&d| items(d as usize)).map(|&k| seq[k as usize]);
                out.iter_mut().zip(units).for_each(|(o, u)| *o = u);
                Ok::<(), ()>(())
            })
            .expect("filling members cannot fail");
            (members, group_ends)
        };
        drop((seq, nodes, by_set, ends));
        let group = |g: usize| &members[if g == 0 { 0 } else { group_ends[g - 1] as usize }..group_ends[g] as usize];

        let corpus_ro: &Corpus = corpus;
        let maker = Maker::new(self, corpus_ro, &roots);
        // Each group is a cluster or a single-source unit; single-outlet clusters also list
        // their first member as a single-source item. Clusters are ranked from their packed
        // units alone, then built (members read back from the texts file) in rank order, so
        // that only the first ones need be in memory at once.
        let multi: Vec<u32> = (0..group_ends.len() as u32).filter(|&g| group(g as usize).len() > 1).collect();
        let mut plans: Vec<Planned> = multi
            .par_iter()
            .with_max_len(64)
            .map(|&g| {
                let mut idx: Vec<u32> = group(g as usize).to_vec();
                idx.sort_unstable_by_key(|&u| (units[u as usize].article, u));
                // Distinct outlets by index: as many as distinct outlet names.
                let mut outlets: Vec<u32> = idx.iter().map(|&u| maker.outlet_of(u)).collect();
                outlets.sort_unstable();
                outlets.dedup();
                let kind = units[idx[0] as usize].kind();
                // `stable_id("c", [kind, "{article}:{start}:{end}" per member])`.
                let mut id = StableId::default();
                id.part(&[if kind == UnitKind::Quote { b"quote" } else { b"claim" }]);
                for &u in &idx {
                    let r = &units[u as usize];
                    id.member(&self.entries[r.article as usize].id, r.src.start, r.src.end);
                }
                let first = &units[idx[0] as usize];
                Planned {
                    id: id.finish("c"),
                    outlets: outlets.len() as u32,
                    first: (first.article, first.src.start),
                    idx,
                }
            })
            .collect();
        drop(multi);
        // Single-source items in group order: a lone unit, or the first member of a
        // single-outlet cluster, with that cluster's id in `single_ids` (else `u32::MAX`).
        let lone = group_ends.len() - plans.len();
        let mut single: Vec<(u32, u32)> = Vec::with_capacity(lone + plans.iter().filter(|c| c.outlets == 1).count());
        let mut single_ids: Vec<String> = Vec::new();
        let mut next_plan = plans.iter();
        for g in 0..group_ends.len() {
            let m = group(g);
            if m.len() == 1 {
                single.push((m[0], u32::MAX));
                continue;
            }
            let c = next_plan.next().expect("a plan per cluster");
            if c.outlets == 1 {
                single.push((c.idx[0], single_ids.len() as u32));
                single_ids.push(c.id.clone());
            }
        }
        drop((members, group_ends));
        // Rank: most outlets, then most members, then first member's position, then id.
        plans.par_sort_by(|a, b| {
            b.outlets
                .cmp(&a.outlets)
                .then(b.idx.len().cmp(&a.idx.len()))
                .then(a.first.cmp(&b.first))
                .then(a.id.cmp(&b.id))
        });
        let (clusters, clusters_rest) = keep_or_spool(
            &plans,
            corpus_ro.cluster_limit,
            texts,
            true,
            |p| &p.idx,
            |p, t| maker.cluster(p, t).to_cluster(),
            |p, t, r| maker.cluster(p, t).put(r),
            "clusters",
        )?;
        drop(plans);
        // Report order: article id (units' article indices are in id order), start, kind.
        single.par_sort_by_key(|&(u, _)| {
            let r = &units[u as usize];
            (r.article, r.src.start, r.kind())
        });
        let (kept, rest) = keep_or_spool(
            &single,
            corpus_ro.single_source_limit,
            texts,
            false,
            single_unit,
            |&s, t| maker.single(s, &single_ids, t).to_single(),
            |&s, t, r| maker.single(s, &single_ids, t).put(r),
            "single-source items",
        )?;
        drop(maker);
        corpus.clusters = clusters;
        corpus.clusters_rest = clusters_rest;
        corpus.single_source = kept;
        corpus.single_source_rest = rest;
        Ok(())
    }
}

/// [`concord_core::text::stable_id`] fed part by part, each part in pieces of bytes: the
/// same id without building each part as a string.
#[derive(Default)]
struct StableId(u64);

impl StableId {
    /// Adds the part made of `pieces` one after another.
    fn part(&mut self, pieces: &[&[u8]]) {
        // FNV-1a (as `fnv1a64`) over the pieces in turn.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in pieces.iter().flat_map(|p| p.iter()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = mix64(self.0 ^ h);
    }

    /// Adds the part `"{article}:{start}:{end}"`.
    fn member(&mut self, article: &str, start: u32, end: u32) {
        let (mut a, mut b) = ([0; 10], [0; 10]);
        self.part(&[article.as_bytes(), b":", decimal(start, &mut a), b":", decimal(end, &mut b)]);
    }

    /// The id: `prefix` and 12 hex digits.
    fn finish(&self, prefix: &str) -> String {
        format!("{prefix}{:012x}", self.0 >> 16)
    }
}

/// The decimal digits of `x`, written at the end of `buf`.
fn decimal(mut x: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            return &buf[at..];
        }
    }
}

/// A cluster as ranked: its id, outlet count, first member (article index, start) and
/// units (by article, then arrival).
struct Planned {
    id: String,
    outlets: u32,
    first: (u32, u32),
    idx: Vec<u32>,
}

/// The unit of a single-source item `(unit, cluster)`.
fn single_unit(item: &(u32, u32)) -> &[u32] {
    std::slice::from_ref(&item.0)
}

/// The items kept in memory and the spooled rest.
type Kept<T> = (Vec<T>, Option<Arc<dyn Spooled<T>>>);

/// Units whose texts are read back together at most (a batch of items is read in file
/// order, then made; memory holds a batch's texts at once).
const BATCH_UNITS: usize = 1 << 13;

/// Bytes of the buffers spooled records are encoded into (one record may make one larger).
const SPOOL_CHUNK: usize = 1 << 20;

/// Items made at most in one batch (as many encoded records wait in memory at once).
const BATCH_ITEMS: usize = 1 << 12;

/// Makes `items` in order with `make` from the texts of their units (`units_of`), in
/// parallel: the first `limit` (all when `None`) in memory, the rest encoded into a
/// temporary file a batch at a time (as `put` writes their fields: no value is built), so
/// memory holds a batch of them at once. Each batch's
/// texts are read in file order first (see [`Texts::read_records`]), not unit by unit.
/// With `stage`, the texts of all batches are first copied batch after batch to a new file
/// in one pass over the texts in file order ([`Texts::stage`]), so that each batch is then
/// one sequential read: for items whose units are scattered over the texts file (cluster
/// members), where each batch would otherwise read a unit at a time from all over it.
#[allow(clippy::too_many_arguments)]
fn keep_or_spool<P: Sync, T: Send + Recorded + 'static>(
    items: &[P],
    limit: Option<usize>,
    texts: &Texts,
    stage: bool,
    units_of: impl Fn(&P) -> &[u32] + Sync,
    make: impl Fn(&P, &[TextsRef<'_>]) -> T + Sync + Send,
    put: impl Fn(&P, &[TextsRef<'_>], &mut Fields<'_>) -> io::Result<()> + Sync + Send,
    what: &str,
) -> Result<Kept<T>, StageError> {
    let keep = limit.unwrap_or(usize::MAX).min(items.len());
    let (kept_cuts, rest_cuts): (Vec<&[P]>, Vec<&[P]>) =
        (batches(&items[..keep], &units_of).collect(), batches(&items[keep..], &units_of).collect());
    let staged = match stage {
        true => Some(stage_texts(texts, kept_cuts.iter().chain(&rest_cuts), &units_of).map_err(read_error)?),
        false => None,
    };
    // The batches' texts in turn (from the staged copy: the records after the last batch's).
    let mut next = 0u32;
    let mut read = |batch: &[P]| -> Result<BatchTexts, StageError> {
        let got = match &staged {
            Some(staged) => batch_texts(staged, batch, &units_of, Some(next)),
            None => batch_texts(texts, batch, &units_of, None),
        };
        let got = got.map_err(read_error)?;
        next += got.records.len() as u32;
        Ok(got)
    };
    let mut kept: Vec<T> = Vec::with_capacity(keep);
    for batch in kept_cuts {
        let got = read(batch)?;
        let views = got.views().map_err(read_error)?;
        kept.par_extend(batch.par_iter().zip(got.parts(&views)).map(|(p, t)| make(p, t)));
    }
    if keep == items.len() {
        return Ok((kept, None));
    }
    let spill_error = |e: io::Error| StageError::new(format!("cannot write {what} to a temporary file: {e}"));
    let mut w = SpoolWriter::<T>::new().map_err(spill_error)?;
    for batch in rest_cuts {
        let got = read(batch)?;
        let views = got.views().map_err(read_error)?;
        let parts = got.parts(&views);
        // Records encoded back to back into chunks of about [`SPOOL_CHUNK`] bytes (each with
        // its record count), per piece of the batch a thread takes, pieces in order: no
        // allocation per record, and no buffer copied as it grows.
        type Chunked = (Vec<(Vec<u8>, usize)>, Vec<u8>);
        let pieces: Vec<Vec<(Vec<u8>, usize)>> = batch
            .par_iter()
            .zip(parts)
            .with_min_len(64)
            .fold(
                || Ok((Vec::new(), Vec::new())),
                |acc: io::Result<Chunked>, (p, t)| {
                    let (mut chunks, mut scratch) = acc?;
                    if !matches!(chunks.last(), Some((c, _)) if c.len() < SPOOL_CHUNK * 3 / 4) {
                        chunks.push((Vec::with_capacity(SPOOL_CHUNK), 0));
                    }
                    let (chunk, n) = chunks.last_mut().expect("a chunk");
                    spool::encode(|r| put(p, t, r), chunk, &mut scratch)?;
                    *n += 1;
                    Ok((chunks, scratch))
                },
            )
            .map(|piece| piece.map(|(chunks, _)| chunks))
            .collect::<io::Result<_>>()
            .map_err(spill_error)?;
        for (records, n) in pieces.iter().flatten() {
            w.push_encoded(records, *n).map_err(spill_error)?;
        }
    }
    let spool: Arc<dyn Spooled<T>> = Arc::new(w.finish().map_err(spill_error)?);
    Ok((kept, Some(spool)))
}

/// The texts of the units of `cuts` copied batch after batch (each batch's units in file
/// order, as [`batch_texts`] reads them) to a new file (see [`Texts::stage`]).
fn stage_texts<'a, P: 'a + Sync>(
    texts: &Texts,
    cuts: impl Iterator<Item = &'a &'a [P]>,
    units_of: &impl Fn(&P) -> &[u32],
) -> io::Result<Texts> {
    let (mut units, mut runs) = (Vec::new(), vec![0]);
    for batch in cuts {
        let start = units.len();
        units.extend(batch.iter().flat_map(|p| units_of(p).iter().copied()));
        units[start..].sort_unstable();
        runs.push(units.len());
    }
    texts.stage(&units, &runs)
}

/// `items` in consecutive batches of at most [`BATCH_ITEMS`] items and [`BATCH_UNITS`] units
/// (an item with more units is a batch of its own).
fn batches<'a, P>(items: &'a [P], units_of: &'a impl Fn(&P) -> &[u32]) -> impl Iterator<Item = &'a [P]> + 'a {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (mut n, mut units) = (0, 0);
        while n < rest.len() && n < BATCH_ITEMS && (n == 0 || units + units_of(&rest[n]).len() <= BATCH_UNITS) {
            units += units_of(&rest[n]).len();
            n += 1;
        }
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        Some(batch)
    })
}

/// The texts of the units of a batch: their records' bytes, in pieces, and item after item
/// the piece and range of each unit's record (item `k`'s are `records[starts[k]..
/// starts[k + 1]]`).
struct BatchTexts {
    bytes: Vec<Vec<u8>>,
    records: Vec<(u32, usize, usize)>,
    starts: Vec<usize>,
}

impl BatchTexts {
    /// The texts of every unit, in item order, decoded in parallel.
    fn views(&self) -> io::Result<Vec<TextsRef<'_>>> {
        self.records
            .par_iter()
            .with_min_len(256)
            .map(|&(p, a, b)| TextsRef::decode(&self.bytes[p as usize][a..b]))
            .collect()
    }

    /// `views` cut item by item.
    fn parts<'v, 't>(&self, views: &'v [TextsRef<'t>]) -> Vec<&'v [TextsRef<'t>]> {
        self.starts.windows(2).map(|w| &views[w[0]..w[1]]).collect()
    }
}

/// The texts of the units of `batch`, read in file order in parallel pieces: records of
/// its units, or, from a staged copy ([`stage_texts`]), its records from `first` on.
fn batch_texts<P: Sync>(
    texts: &Texts,
    batch: &[P],
    units_of: &(impl Fn(&P) -> &[u32] + Sync),
    first: Option<u32>,
) -> io::Result<BatchTexts> {
    let mut starts = Vec::with_capacity(batch.len() + 1);
    let mut want: Vec<(u32, u32)> = Vec::new();
    for p in batch {
        starts.push(want.len());
        for &u in units_of(p) {
            want.push((u, want.len() as u32));
        }
    }
    starts.push(want.len());
    // (Slots come in order: the radix sort of LSH columns applies.)
    let want = sort_by_key(want);
    let sorted: Vec<u32> = match first {
        Some(first) => (first..first + want.len() as u32).collect(),
        None => want.iter().map(|w| w.0).collect(),
    };
    // Read in file order, piece by piece: the records of `sorted[k]`, in turn.
    let piece = (sorted.len() / (4 * rayon::current_num_threads())).max(1 << 9);
    // A piece's records' bytes, and the range of each.
    type Piece = (Vec<u8>, Vec<(usize, usize)>);
    let pieces: Vec<Piece> = sorted
        .par_chunks(piece)
        .map(|units| {
            let mut bytes = Vec::new();
            let ranges = texts.read_records(units, &mut bytes)?;
            Ok((bytes, ranges))
        })
        .collect::<io::Result<_>>()?;
    // Then in item order: the record of place `slot` where `want` puts it.
    let mut records = vec![(0, 0, 0); want.len()];
    let mut slots = want.iter().map(|w| w.1 as usize);
    for (p, (_, ranges)) in pieces.iter().enumerate() {
        for &(a, b) in ranges {
            records[slots.next().expect("a record a unit")] = (p as u32, a, b);
        }
    }
    Ok(BatchTexts { bytes: pieces.into_iter().map(|(b, _)| b).collect(), records, starts })
}

/// Fills `out` from `items` in parallel, `piece` items at a time: item `k`'s output is
/// `out[starts[k]..starts[k + 1]]` (`starts` ascending, one more than `items`, ending at
/// `out.len()`), and `fill` writes a piece's items' outputs one after another.
fn par_fill<I: Sync, T: Send, E: Send>(
    items: &[I],
    starts: &[usize],
    out: &mut [T],
    piece: usize,
    fill: impl Fn(&[I], &mut [T]) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let bounds: Vec<usize> = (0..items.len()).step_by(piece).chain([items.len()]).map(|k| starts[k]).collect();
    split_by(out, &bounds).into_par_iter().zip(items.par_chunks(piece)).try_for_each(|(out, items)| fill(items, out))
}

/// `v` cut at `starts` (ascending, from 0 to `v.len()`): `v[starts[k]..starts[k + 1]]` each.
fn split_by<'a, T>(v: &'a mut [T], starts: &[usize]) -> Vec<&'a mut [T]> {
    let mut rest = v;
    let mut parts = Vec::with_capacity(starts.len().saturating_sub(1));
    for w in starts.windows(2) {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
        parts.push(part);
        rest = tail;
    }
    parts
}

fn signature_error(e: io::Error) -> StageError {
    StageError::new(format!("cannot read article signatures back from a temporary file: {e}"))
}

fn read_error(e: io::Error) -> StageError {
    StageError::new(format!("cannot read unit texts back from a temporary file: {e}"))
}

/// The speaker of a quote cluster: the entity most members name, when a majority does;
/// else the attributed name a majority gives; else none.
fn cluster_speaker<'a>(
    members: &[MemberRef<'a>],
    names: &[Option<&'a str>],
    entity_names: &HashMap<&str, &'a str>,
) -> (Option<&'a str>, Option<&'a str>) {
    fn majority<'a>(votes: impl Iterator<Item = &'a str>) -> Option<&'a str> {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for v in votes {
            *count.entry(v).or_default() += 1;
        }
        let total: usize = count.values().sum();
        let best = count.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        (best.1 * 2 > total).then_some(*best.0)
    }
    if let Some(id) = majority(members.iter().filter_map(|m| m.speaker)) {
        let name = entity_names
            .get(id)
            .copied()
            .or_else(|| members.iter().zip(names).find(|(m, _)| m.speaker == Some(id)).and_then(|(_, n)| *n));
        return (Some(id), name);
    }
    (None, majority(names.iter().filter_map(|n| *n)))
}

/// What makes clusters and single-source items from the units and their texts, as views
/// of borrowed strings ([`ClusterRef`], [`SingleRef`]): encoded as they are when spooled,
/// made owned when kept.
struct Maker<'a> {
    clusterer: &'a Clusterer,
    corpus: &'a Corpus,
    /// The copy-group root of each entry (a copy counts as its original's outlet).
    roots: &'a [usize],
    /// Each article's entity links (entries and links are both in id order), so that a
    /// local entity's global id is two index lookups (what `Corpus::entity_id` gives).
    links: Vec<&'a [u32]>,
    entity_names: HashMap<&'a str, &'a str>,
}

impl<'a> Maker<'a> {
    fn new(clusterer: &'a Clusterer, corpus: &'a Corpus, roots: &'a [usize]) -> Maker<'a> {
        let mut it = corpus.entity_links.iter().peekable();
        let links = clusterer
            .entries
            .iter()
            .map(|e| {
                while it.next_if(|(k, _)| &***k < e.id.as_str()).is_some() {}
                match it.peek() {
                    Some((k, v)) if ***k == *e.id => v.as_slice(),
                    _ => &[],
                }
            })
            .collect();
        let entity_names = corpus.entities.iter().map(|e| (e.id.as_str(), e.name.as_str())).collect();
        Maker { clusterer, corpus, roots, links, entity_names }
    }

    /// An article's local entity: its index in the corpus.
    fn entity_index(&self, article: u32, local: u32) -> Option<u32> {
        let i = *self.links[article as usize].get(local as usize)?;
        (self.corpus.entities.len() > i as usize).then_some(i)
    }

    /// The outlet (index) unit `u` counts for.
    fn outlet_of(&self, u: u32) -> u32 {
        let c = self.clusterer;
        c.entries[self.roots[c.store.units[u as usize].article as usize]].outlet
    }

    /// Unit `u` as a member, with its texts `t`.
    fn member<'t>(&'t self, u: usize, t: &TextsRef<'t>) -> MemberRef<'t> {
        let c = self.clusterer;
        let r = &c.store.units[u];
        let e = &c.entries[r.article as usize];
        MemberRef {
            article: &e.id,
            outlet: &c.outlets[e.outlet as usize],
            start: r.src.start as usize,
            end: r.src.end as usize,
            text: t.text,
            speaker: t
                .speaker
                .and_then(|s| self.entity_index(r.article, s))
                .map(|i| self.corpus.entities[i as usize].id.as_str()),
            sentence_start: t.sentence_src.start as usize,
            sentence_end: t.sentence_src.end as usize,
            context: t.context,
        }
    }

    /// The cluster of plan `p`, with its units' texts.
    fn cluster<'t>(&'t self, p: &'t Planned, texts: &[TextsRef<'t>]) -> ClusterRef<'t> {
        let c = self.clusterer;
        let units = &c.store.units;
        let idx: Vec<usize> = p.idx.iter().map(|&u| u as usize).collect();
        let members: Vec<MemberRef<'t>> = idx.iter().zip(texts).map(|(&u, t)| self.member(u, t)).collect();
        let mut entities: Vec<u32> = idx
            .iter()
            .zip(texts)
            .flat_map(|(&u, t)| t.entities().filter_map(move |l| self.entity_index(units[u].article, l)))
            .collect();
        let kind = units[idx[0]].kind();
        let mut outlets: Vec<&str> = p.idx.iter().map(|&u| c.outlets[self.outlet_of(u) as usize].as_str()).collect();
        outlets.sort_unstable();
        outlets.dedup();
        let mut articles: Vec<&str> = members.iter().map(|m| m.article).collect();
        articles.dedup();
        // The distinct entities by index, then their ids sorted (an index is read once).
        entities.sort_unstable();
        entities.dedup();
        let mut entities: Vec<&str> = entities.iter().map(|&i| self.corpus.entities[i as usize].id.as_str()).collect();
        entities.sort_unstable();
        entities.dedup();
        // Representative: the most complete member (most content words, then longest).
        let content = |u: usize| c.store.tokens_of(u).len();
        let rep = (0..idx.len())
            .max_by(|&x, &y| {
                content(idx[x])
                    .cmp(&content(idx[y]))
                    .then(members[x].text.len().cmp(&members[y].text.len()))
                    .then(y.cmp(&x))
            })
            .unwrap_or(0);
        let (speaker, speaker_name) = if kind == UnitKind::Quote {
            let names: Vec<Option<&str>> = texts.iter().map(|t| t.speaker_name).collect();
            cluster_speaker(&members, &names, &self.entity_names)
        } else {
            (None, None)
        };
        ClusterRef {
            id: &p.id,
            kind,
            text: members[rep].text,
            speaker,
            speaker_name,
            articles,
            outlets,
            entities,
            members,
        }
    }

    /// The single-source item `(unit, cluster)` (a cluster id of `single_ids`, or none),
    /// with its unit's texts.
    fn single<'t>(
        &'t self,
        (u, cluster): (u32, u32),
        single_ids: &'t [String],
        texts: &[TextsRef<'t>],
    ) -> SingleRef<'t> {
        SingleRef {
            kind: self.clusterer.store.units[u as usize].kind(),
            cluster: single_ids.get(cluster as usize).map(String::as_str),
            member: self.member(u as usize, &texts[0]),
        }
    }
}

impl CorpusStage for Clusterer {
    fn observe(&mut self, doc: &Document) -> Result<(), StageError> {
        match doc.ext.get::<ClaimRecord>() {
            Some(record) => self.add(&doc.article.id, &doc.article.outlet, record),
            None => self.add(&doc.article.id, &doc.article.outlet, &ClaimRecord::default()),
        }
    }

    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        self.run(corpus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::text::mix64;

    #[test]
    fn pairs_the_sketch_rules_out_are_pairs_verification_vetoes() {
        let sents = [
            "Shares of Acme rose 4 percent to 31 dollars on Monday.",
            "Shares of Acme rose 5 percent to 31 dollars on Monday.",
            "Shares of Acme rose 4 percent to 31 dollars on Monday, traders said in London.",
            "Shares of Acme did not rise on Monday.",
            "Shares of Acme did rise on Monday.",
            "Paris and Berlin signed the treaty with Madrid.",
            "Rome and Vienna signed the treaty with Lisbon.",
            "Paris and Berlin signed the treaty.",
            "Shares of Acme rose 4 percent in dollars on Monday.",
            "The 1998 sale of the chain to Safeway for 200 million.",
        ];
        let mut store = Store::without_texts();
        for (k, text) in sents.iter().enumerate() {
            let set = key::token_set(&key::content_tokens(text, &[], true));
            let words = text.split_whitespace().count() as u32;
            let kind = if k == 9 { UnitKind::Quote } else { UnitKind::Claim };
            let span = concord_core::Span::default();
            store.push(k as u32, kind, &set, words, span, span, None, &[], ("", None, None)).unwrap();
        }
        let opts = ClaimOptions::default();
        let v = Verifier::new(&store, &opts);
        let mut vetoed = 0;
        for a in 0..sents.len() {
            for b in 0..sents.len() {
                if a != b && v.surely_vetoed(&v.sketch(a), &v.sketch(b)) {
                    vetoed += 1;
                    assert_eq!(v.similarity(a, b), 0.0, "{:?} / {:?}", sents[a], sents[b]);
                }
            }
        }
        assert!(vetoed >= 10, "the sketch should rule out numbers, names, negation, length: {vetoed}");
        assert!(!v.surely_vetoed(&v.sketch(0), &v.sketch(8)), "a subset of the numbers is no veto");
    }

    #[test]
    fn unit_band_keys_with_precomputed_seeds_are_the_salted_band_keys() {
        let mut store = Store::without_texts();
        let span = concord_core::Span::default();
        for (k, text) in
            ["Shares of Acme rose 4 percent on Monday.", "Paris and Berlin signed the treaty."].iter().enumerate()
        {
            let set = key::token_set(&key::content_tokens(text, &[], true));
            let kind = if k == 1 { UnitKind::Quote } else { UnitKind::Claim };
            store.push(k as u32, kind, &set, 7, span, span, None, &[], ("", None, None)).unwrap();
        }
        let opts = ClaimOptions::default();
        let bands = Bands::new(&store, &opts);
        let rows = opts.num_hashes / opts.bands;
        for u in 0..2 {
            let mixed = || store.tokens_of(u).iter().map(|&p| store.mixed[(p & ID_MASK) as usize]);
            let salt = kind_salt(store.units[u].kind());
            for first in [0, 7, opts.bands - 3] {
                let (mut a, mut b) = ([0u32; 3], [0u32; 3]);
                bands.keys(u, first, &mut a);
                bands.hasher.band_keys_into(mixed(), first, rows, salt, &mut b);
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn counting_sort_by_article_is_the_stable_sort() {
        for n in [0u64, 1, 7, 5000] {
            let articles = 1 + (n as usize) / 3;
            let article_of: Vec<u32> = (0..n).map(|u| (mix64(u) % articles as u64) as u32).collect();
            let mut plain: Vec<u32> = (0..n as u32).collect();
            plain.sort_by_key(|&u| article_of[u as usize]);
            assert_eq!(by_article(|| article_of.iter().copied(), articles), plain, "{n} units");
        }
    }

    /// A random signature of `len` values, and copies of it with `changed` values replaced
    /// (at random positions, by random values).
    fn signature(seed: u64, len: usize) -> Vec<u32> {
        (0..len as u64).map(|k| (mix64(seed ^ k << 20) >> 40) as u32).collect()
    }

    fn changed(sig: &[u32], changed: usize, seed: u64) -> Vec<u32> {
        let mut s = sig.to_vec();
        for k in 0..changed as u64 {
            let at = (mix64(seed ^ k) % s.len() as u64) as usize;
            s[at] = (mix64(seed ^ k ^ 0xdead) >> 48) as u32;
        }
        s
    }

    #[test]
    fn the_copy_filter_drops_only_pairs_that_estimate_below_the_threshold() {
        // Lengths that bands divide and lengths they do not; thresholds at the edges.
        for (len, bands, threshold) in
            [(64, 16, 0.8), (64, 16, 0.5), (64, 8, 0.9), (64, 16, 1.0), (64, 16, 0.0), (60, 16, 0.85), (10, 16, 0.7)]
        {
            let opts = ClaimOptions {
                copy_num_hashes: len,
                copy_bands: bands,
                copy_threshold: threshold,
                ..Default::default()
            };
            let filter = CopyFilter::new(&opts);
            let (mut dropped, mut kept) = (0, 0);
            for pair in 0..3000u64 {
                let a = signature(pair, len);
                let b = changed(&a, (pair % (len as u64 + 1)) as usize, pair ^ 77);
                let (ka, kb) = (key::band_keys(&a, bands, COPY_SALT), key::band_keys(&b, bands, COPY_SALT));
                let passes = key::estimate(&a, &b) >= threshold;
                if filter.may_pass((&ka, a.len()), (&kb, b.len())) {
                    kept += 1;
                } else {
                    assert!(!passes, "{len} values, {bands} bands, t {threshold}: pair {pair} dropped");
                    dropped += 1;
                }
                // Signatures of another length estimate 0.
                let short = &a[..len - 1];
                let ks = key::band_keys(short, bands, COPY_SALT);
                let may = filter.may_pass((&ka, a.len()), (&ks, short.len()));
                assert!(may || key::estimate(&a, short) < threshold);
            }
            assert!(kept > 0);
            if (len, bands, threshold) == (64, 16, 0.8) {
                assert_eq!(min_shared_bands(64, 16, 0.8), Some(4), "need 52 of 64: 12 broken bands at most");
                assert!(dropped > 1000, "most pairs far below the threshold are dropped: {dropped}");
            }
        }
        assert_eq!(min_shared_bands(64, 16, 0.0), None, "every pair passes");
        assert_eq!(min_shared_bands(64, 16, 0.5), None, "32 broken bands: no bound");
        assert_eq!(min_shared_bands(0, 16, 0.5), Some(17), "empty signatures never pass");
    }

    #[test]
    fn copy_groups_are_the_components_of_the_passing_candidates() {
        // Families of near-copies: some just above the threshold, some far below (the
        // re-edits of a developing story), and unrelated articles.
        let opts = ClaimOptions::default();
        let mut sigs: Vec<Vec<u32>> = Vec::new();
        for family in 0..12u64 {
            let base = signature(family, opts.copy_num_hashes);
            for copy in 0..9u64 {
                let changes = [0, 3, 8, 11, 13, 20, 30, 40, 64][copy as usize];
                sigs.push(changed(&base, changes, family * 100 + copy));
            }
        }
        sigs.push(Vec::new());
        let mut c = Clusterer::new(&opts);
        for (k, sig) in sigs.iter().enumerate() {
            let record = ClaimRecord { units: Vec::new(), signature: sig.clone() };
            c.add(&format!("a{k:04}"), &format!("o{}", k % 3), &record).unwrap();
        }
        let (keys, spilled) = c.take_copy_input().unwrap();
        let (roots, groups) = c.copies(keys, &spilled).unwrap();
        // The reference: every pair sharing a band key (no bucket reaches the cap), estimated.
        let n = sigs.len();
        let keys: Vec<Vec<u32>> = sigs.iter().map(|s| key::band_keys(s, opts.copy_bands, COPY_SALT)).collect();
        let mut parent: Vec<usize> = (0..n).collect();
        for i in 0..n {
            for j in i + 1..n {
                let share = !sigs[i].is_empty() && keys[i].iter().zip(&keys[j]).any(|(x, y)| x == y);
                if share && key::estimate(&sigs[i], &sigs[j]) >= opts.copy_threshold {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    parent[ri.max(rj)] = ri.min(rj);
                }
            }
        }
        let want: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
        assert_eq!(roots, want);
        assert!(groups.len() >= 12, "every family has copies: {}", groups.len());
        for g in &groups {
            let r: usize = g.original[1..].parse().unwrap();
            let copies: Vec<usize> = (0..n).filter(|&i| i != r && want[i] == r).collect();
            assert_eq!(g.copies, copies.iter().map(|i| format!("a{i:04}")).collect::<Vec<_>>());
            let low = copies.iter().map(|&i| key::estimate(&sigs[r], &sigs[i])).fold(1.0, f64::min);
            assert_eq!(g.similarity, low);
        }
    }

    #[test]
    fn a_failed_signature_read_is_a_stage_error() {
        let opts = ClaimOptions::default();
        let mut c = Clusterer::new(&opts);
        let base = signature(1, opts.copy_num_hashes);
        for (k, changes) in [0, 2, 5].into_iter().enumerate() {
            let record = ClaimRecord { units: Vec::new(), signature: changed(&base, changes, k as u64) };
            c.add(&format!("a{k}"), "o", &record).unwrap();
        }
        let (keys, sigs) = c.take_copy_input().unwrap();
        sigs.truncate(10).unwrap();
        let err = c.copies(keys, &sigs).unwrap_err();
        assert!(err.0.starts_with("cannot read article signatures back from a temporary file"), "{}", err.0);
    }

    #[test]
    fn cluster_ids_fed_in_pieces_are_the_stable_ids() {
        use concord_core::text::stable_id;
        let long = "x".repeat(300);
        let ids = ["", "a", "r3/10000", "1:2:3", ":", "é€𝄞\u{0}", &long, "0", "id with spaces"];
        let spans = [(0, 0), (0, 1), (9, 10), (99, 100), (1_000_000, 4_294_967_295), (u32::MAX, u32::MAX)];
        for kind in ["claim", "quote"] {
            for n in 0..5 {
                let members: Vec<(&str, u32, u32)> = (0..n)
                    .map(|k| {
                        let (s, e) = spans[(k * 5 + n) % spans.len()];
                        (ids[(k * 7 + n) % ids.len()], s, e)
                    })
                    .collect();
                let keys: Vec<String> = members.iter().map(|(a, s, e)| format!("{a}:{s}:{e}")).collect();
                let mut parts = vec![kind];
                parts.extend(keys.iter().map(String::as_str));
                let mut id = StableId::default();
                id.part(&[kind.as_bytes()]);
                for &(a, s, e) in &members {
                    id.member(a, s, e);
                }
                assert_eq!(id.finish("c"), stable_id("c", &parts), "{parts:?}");
            }
        }
        // A member's pieces hash as one string: "a:1:23" is neither "a:12:3" nor "a1:2:3".
        let one = |a: &str, s: u32, e: u32| {
            let mut id = StableId::default();
            id.member(a, s, e);
            id.finish("c")
        };
        assert_eq!(one("a", 1, 23), stable_id("c", &["a:1:23"]));
        assert_ne!(one("a", 1, 23), one("a", 12, 3));
        for x in [0, 7, 10, 4_294_967_295] {
            assert_eq!(decimal(x, &mut [0; 10]), x.to_string().as_bytes());
        }
    }

    #[test]
    fn star_clusters_do_not_chain() {
        // 0-1, 1-2, 2-3: a chain; 1 and 2 have degree 2. Core 1 takes 0 and 2; 3 stays alone.
        let edges = vec![(0, 1, 0.9), (1, 2, 0.6), (2, 3, 0.9)];
        let c = star_clusters(4, &edges);
        assert_eq!(c, vec![vec![1, 0, 2], vec![3]]);
    }

    #[test]
    fn identical_copies_weigh_in_star_clustering() {
        // Alone, 0 and 1 tie and the first becomes the core; when 1 stands for three
        // identical units it is the core, and is taken before 2.
        let edges = vec![(0, 1, 0.6), (2, 3, 0.9), (2, 4, 0.9)];
        assert_eq!(star_clusters(5, &edges), vec![vec![2, 3, 4], vec![0, 1]]);
        assert_eq!(star_clusters_weighted(&[1, 3, 1, 1, 1], &edges), vec![vec![1, 0], vec![2, 3, 4]]);
    }

    #[test]
    fn lsh_pairs_match_the_plain_definition() {
        // Random small keys: many collisions, some buckets over the cap, more bands than
        // one group.
        let bands = BAND_GROUP + 3;
        let items: Vec<Vec<u32>> = (0..60u64)
            .map(|i| (0..bands as u64).map(|b| (mix64(i * 7 + b) % 5) as u32 + b as u32 * 10).collect())
            .collect();
        let keys = |first: usize, count: usize| -> Vec<u32> {
            items.iter().flat_map(|k| k[first..first + count].iter().copied()).collect()
        };
        for cap in [1, 3, 100] {
            let mut plain = Vec::new();
            for b in 0..bands {
                let mut col: Vec<(u32, u32)> = items.iter().enumerate().map(|(i, k)| (k[b], i as u32)).collect();
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
            assert_eq!(lsh_candidates(items.len(), bands, cap, keys), plain, "cap {cap}");
        }
    }

    #[test]
    fn radix_sort_matches_a_plain_sort() {
        let col: Vec<(u32, u32)> = (0..10_000u32).map(|i| ((mix64(i as u64 % 3000) >> 40) as u32, i)).collect();
        let mut plain = col.clone();
        plain.sort_unstable();
        assert_eq!(sort_by_key(col), plain);
        // Keys of all 32 bits, with repeats.
        let col: Vec<(u32, u32)> = (0..20_000u32).map(|i| ((mix64(i as u64 % 7000) >> 32) as u32, i)).collect();
        let mut plain = col.clone();
        plain.sort_unstable();
        assert_eq!(sort_by_key(col), plain);
        let small = vec![(5, 2), (1, 9), (5, 1)];
        assert_eq!(sort_by_key(small), vec![(1, 9), (5, 1), (5, 2)]);
    }

    #[test]
    fn lsh_pairs_share_a_band() {
        let keys = [[1u32, 2, 3], [9, 2, 8], [7, 7, 7]];
        let p = lsh_candidates(3, 3, 10, |first, count| {
            keys.iter().flat_map(|k| k[first..first + count].iter().copied()).collect()
        });
        assert_eq!(p, vec![(0, 1)]);
    }

    #[test]
    fn speaker_needs_a_majority() {
        let m = |s: Option<&'static str>| MemberRef {
            article: "a",
            outlet: "o",
            start: 0,
            end: 0,
            text: "",
            speaker: s,
            sentence_start: 0,
            sentence_end: 0,
            context: None,
        };
        let names: HashMap<&str, &str> = [("e1", "Vladimir Putin")].into_iter().collect();
        let members = [m(Some("e1")), m(Some("e1")), m(None)];
        let n = [Some("Putin"), Some("Putin"), Some("he")];
        assert_eq!(cluster_speaker(&members, &n, &names), (Some("e1"), Some("Vladimir Putin")));
        let members = [m(Some("e1")), m(Some("e2"))];
        assert_eq!(cluster_speaker(&members, &[Some("Putin"), Some("Trump")], &names), (None, None));
        assert_eq!(cluster_speaker(&members, &[Some("Trump"), Some("Trump")], &names), (None, Some("Trump")));
        // An entity without a name takes the name its first member attributes to it.
        let members = [m(Some("e2")), m(Some("e2"))];
        assert_eq!(cluster_speaker(&members, &[Some("Trump"), Some("Donald")], &names), (Some("e2"), Some("Trump")));
    }
}
