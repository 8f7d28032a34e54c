//! The corpus part: merges the local entities of all articles into corpus entities.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use concord_core::text::stable_id;
use concord_core::{Corpus, CorpusStage, Document, Entity, EntityKind, StageError};

use crate::cues;
use crate::tagger::TaggerRecord;

/// Strings kept once, named by index (names, aliases, roles and ids repeat across articles).
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Arc<str>, u32>,
    strs: Vec<Arc<str>>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let a: Arc<str> = s.into();
        let i = self.strs.len() as u32;
        self.ids.insert(a.clone(), i);
        self.strs.push(a);
        i
    }

    fn get(&self, i: u32) -> &str {
        &self.strs[i as usize]
    }
}

/// What the resolver keeps of one local entity (compact: interned strings, ranges into
/// shared lists).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Local {
    name: u32,
    kind: EntityKind,
    /// Into [`Resolver::lists`]: the aliases, then the roles.
    aliases: Range<u32>,
    roles: Range<u32>,
    gazetteer_id: Option<u32>,
    from_gazetteer: bool,
    mentions: u32,
}

/// The corpus part of the `entities` stage (a [`CorpusStage`]): merges entities across
/// articles on gazetteer ids, canonical names, multi-word aliases, transliteration
/// variants (Zelensky/Zelenskyy/Zelenskiy) and names with titles stripped, then fills
/// `corpus.entities` and `corpus.entity_links`.
#[derive(Debug, Default)]
pub struct Resolver {
    /// Whether transliteration variants merge.
    transliteration: bool,
    strings: Interner,
    /// Interned alias and role ids of all locals.
    lists: Vec<u32>,
    locals: Vec<Local>,
    /// Per article: its id and its locals' range in `locals`.
    articles: Vec<(u32, Range<usize>)>,
}

impl Resolver {
    /// A resolver; `transliteration` turns the variant rule on.
    pub fn new(transliteration: bool) -> Resolver {
        Resolver { transliteration, ..Default::default() }
    }

    /// The merge key of a name: titles stripped, lower-cased, and (with `translit`) each word
    /// folded by [`translit_key`].
    pub fn name_key(&self, name: &str) -> String {
        let words: Vec<&str> = name.split_whitespace().collect();
        let skip = if words.len() > 1 { words.iter().take_while(|w| cues::is_role_word(w)).count() } else { 0 };
        let words = if skip < words.len() { &words[skip..] } else { &words[..] };
        words
            .iter()
            .map(|w| if self.transliteration { translit_key(w) } else { w.to_lowercase() })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A conservative transliteration key of one word: lower-cased, doubled letters folded and
/// the endings `-iy`, `-yy`, `-yi`, `-ij` made `-y` (Zelensky, Zelenskyy, Zelenskiy → `zelensky`).
pub fn translit_key(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        if !c.is_alphanumeric() {
            out.push(c);
            continue;
        }
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    for end in ["iy", "yi", "ij"] {
        if out.len() > 4 && out.ends_with(end) {
            out.truncate(out.len() - 2);
            out.push('y');
            break;
        }
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

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    // the smaller index is the root: results do not depend on union order
    if ra < rb {
        parent[rb] = ra;
    } else if rb < ra {
        parent[ra] = rb;
    }
}

impl CorpusStage for Resolver {
    fn observe(&mut self, doc: &Document) -> Result<(), StageError> {
        let gaz = doc.ext.get::<TaggerRecord>();
        let first = self.locals.len();
        for (i, e) in doc.entities.iter().enumerate() {
            let start = self.lists.len() as u32;
            for a in &e.aliases {
                let id = self.strings.id(a);
                self.lists.push(id);
            }
            let end = self.lists.len() as u32;
            self.locals.push(Local {
                name: self.strings.id(&e.name),
                kind: e.kind,
                aliases: start..end,
                roles: end..end,
                gazetteer_id: e.gazetteer_id.as_deref().map(|g| self.strings.id(g)),
                from_gazetteer: gaz.and_then(|g| g.from_gazetteer.get(i)).copied().unwrap_or(false),
                mentions: 0,
            });
        }
        let locals = &mut self.locals[first..];
        // roles of each local in first-seen order, appended after all the aliases
        let mut roles: Vec<Vec<u32>> = vec![Vec::new(); locals.len()];
        for m in &doc.mentions {
            let Some(l) = locals.get_mut(m.entity) else {
                return Err(StageError::new(format!("mention {:?} points to missing entity {}", m.surface, m.entity)));
            };
            l.mentions += 1;
            if let Some(r) = &m.role {
                let r = self.strings.id(r);
                if !roles[m.entity].contains(&r) {
                    roles[m.entity].push(r);
                }
            }
        }
        for (l, rs) in locals.iter_mut().zip(roles) {
            let start = self.lists.len() as u32;
            self.lists.extend(rs);
            l.roles = start..self.lists.len() as u32;
        }
        let id = self.strings.id(&doc.article.id);
        self.articles.push((id, first..self.locals.len()));
        Ok(())
    }

    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        let mut articles = std::mem::take(&mut self.articles);
        let locals = std::mem::take(&mut self.locals);
        let lists = std::mem::take(&mut self.lists);
        let strings = std::mem::take(&mut self.strings);
        let s = |i: u32| strings.get(i);
        let list = |r: &Range<u32>| &lists[r.start as usize..r.end as usize];
        articles.sort_by(|a, b| s(a.0).cmp(s(b.0)));
        let nodes: Vec<(&str, usize, &Local)> = articles
            .iter()
            .flat_map(|(id, r)| locals[r.clone()].iter().enumerate().map(move |(i, l)| (s(*id), i, l)))
            .collect();
        // merge keys, computed once per distinct string: (kind, name key) and gazetteer ids
        let mut key_ids = Interner::default();
        let mut keys_of: HashMap<u32, u32> = HashMap::new();
        let mut key = |i: u32, key_ids: &mut Interner| {
            *keys_of.entry(i).or_insert_with(|| key_ids.id(&self.name_key(strings.get(i))))
        };
        let mut parent: Vec<usize> = (0..nodes.len()).collect();
        let mut by_id: HashMap<u32, usize> = HashMap::new();
        let mut by_key: HashMap<(EntityKind, u32), usize> = HashMap::new();
        for (n, (_, _, l)) in nodes.iter().enumerate() {
            if let Some(g) = l.gazetteer_id {
                match by_id.entry(g) {
                    Entry::Occupied(m) => union(&mut parent, *m.get(), n),
                    Entry::Vacant(v) => {
                        v.insert(n);
                    }
                }
            }
            // single-word aliases (surnames) are too ambiguous to merge on, unless curated
            let aliases = list(&l.aliases).iter().filter(|&&a| l.from_gazetteer || s(a).split_whitespace().count() > 1);
            for &k in std::iter::once(&l.name).chain(aliases) {
                match by_key.entry((l.kind, key(k, &mut key_ids))) {
                    Entry::Occupied(m) => union(&mut parent, *m.get(), n),
                    Entry::Vacant(v) => {
                        v.insert(n);
                    }
                }
            }
        }
        // A person named by one word only merges into the one group whose full name ends with it.
        let mut last_words: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut last_keys: HashMap<u32, u32> = HashMap::new();
        for (n, (_, _, l)) in nodes.iter().enumerate() {
            let name = s(l.name);
            if l.kind == EntityKind::Person && name.split_whitespace().count() > 1 {
                let k = *last_keys.entry(l.name).or_insert_with(|| {
                    let last = name.split_whitespace().last().unwrap_or("");
                    key_ids.id(&self.name_key(last))
                });
                let root = find(&mut parent, n);
                let v = last_words.entry(k).or_default();
                if !v.contains(&root) {
                    v.push(root);
                }
            }
        }
        for (n, (_, _, l)) in nodes.iter().enumerate() {
            if l.kind == EntityKind::Person && s(l.name).split_whitespace().count() == 1 {
                if let Some(roots) = last_words.get(&key(l.name, &mut key_ids)) {
                    let mut distinct: Vec<usize> = roots.iter().map(|&x| find(&mut parent, x)).collect();
                    distinct.sort_unstable();
                    distinct.dedup();
                    if distinct.len() == 1 {
                        union(&mut parent, distinct[0], n);
                    }
                }
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for n in 0..nodes.len() {
            let r = find(&mut parent, n);
            groups.entry(r).or_default().push(n);
        }
        let mut entities = Vec::new();
        let mut links: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (id, r) in &articles {
            links.insert(s(*id).to_string(), vec![u32::MAX; r.len()]);
        }
        for members in groups.values() {
            // canonical name: a gazetteer's, else the fullest, most mentioned, smallest
            let mut counts: BTreeMap<(bool, usize, &str), usize> = BTreeMap::new();
            let mut kinds: BTreeMap<EntityKind, usize> = BTreeMap::new();
            for &n in members {
                let l = nodes[n].2;
                let name = s(l.name);
                *counts.entry((l.from_gazetteer, name.split_whitespace().count(), name)).or_default() +=
                    l.mentions.max(1) as usize;
                *kinds.entry(l.kind).or_default() += l.mentions.max(1) as usize;
            }
            let name = counts
                .iter()
                .max_by(|a, b| (a.0 .0, a.0 .1, a.1).cmp(&(b.0 .0, b.0 .1, b.1)).then(b.0 .2.cmp(a.0 .2)))
                .map(|(k, _)| k.2.to_string())
                .unwrap_or_default();
            let kind = kinds
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(k, _)| *k)
                .unwrap_or(EntityKind::Misc);
            let mut aliases: Vec<&str> = Vec::new();
            let mut mention_counts: BTreeMap<&str, usize> = BTreeMap::new();
            let mut roles: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            let mut gazetteer_id = None;
            for &n in members {
                let (art, _, l) = nodes[n];
                for a in std::iter::once(&l.name).chain(list(&l.aliases)).map(|&a| s(a)) {
                    if !a.eq_ignore_ascii_case(&name) {
                        aliases.push(a);
                    }
                }
                *mention_counts.entry(art).or_default() += l.mentions as usize;
                if !l.roles.is_empty() {
                    let r = roles.entry(art).or_default();
                    r.extend(list(&l.roles).iter().map(|&x| s(x)));
                    r.sort_unstable();
                    r.dedup();
                }
                if gazetteer_id.is_none() {
                    gazetteer_id = l.gazetteer_id.map(|g| s(g).to_string());
                }
            }
            aliases.sort_unstable();
            aliases.dedup();
            let id = stable_id("ent-", &[kind.as_str(), &name]);
            // The entity's index before the final sort; remapped below.
            let index = entities.len() as u32;
            for &n in members {
                let (art, i, _) = nodes[n];
                if let Some(v) = links.get_mut(art) {
                    v[i] = index;
                }
            }
            let mention_counts: BTreeMap<String, usize> =
                mention_counts.into_iter().map(|(a, c)| (a.to_string(), c)).collect();
            entities.push(Entity {
                id,
                name,
                kind,
                aliases: aliases.into_iter().map(str::to_string).collect(),
                articles: mention_counts.keys().cloned().collect(),
                mentions: mention_counts.values().sum(),
                mention_counts,
                roles: roles
                    .into_iter()
                    .map(|(a, r)| (a.to_string(), r.into_iter().map(str::to_string).collect()))
                    .collect(),
                gazetteer_id,
            });
        }
        let mut order: Vec<u32> = (0..entities.len() as u32).collect();
        order.sort_by(|&x, &y| {
            let (a, b): (&Entity, &Entity) = (&entities[x as usize], &entities[y as usize]);
            b.mentions.cmp(&a.mentions).then(a.kind.cmp(&b.kind)).then(a.name.cmp(&b.name))
        });
        let mut rank = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        for v in links.values_mut() {
            for i in v.iter_mut().filter(|i| **i != u32::MAX) {
                *i = rank[*i as usize];
            }
        }
        let mut slots: Vec<Option<Entity>> = entities.into_iter().map(Some).collect();
        corpus.entities = order.iter().map(|&i| slots[i as usize].take().expect("each entity once")).collect();
        corpus.entity_links = links;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliteration_is_conservative() {
        assert_eq!(translit_key("Zelensky"), "zelensky");
        assert_eq!(translit_key("Zelenskyy"), "zelensky");
        assert_eq!(translit_key("Zelenskiy"), "zelensky");
        assert_ne!(translit_key("Kiev"), translit_key("Kyiv"));
        assert_ne!(translit_key("Putin"), translit_key("Patin"));
    }

    #[test]
    fn titles_are_stripped() {
        let r = Resolver::new(true);
        assert_eq!(r.name_key("President Vladimir Putin"), r.name_key("Vladimir Putin"));
        assert_eq!(r.name_key("Senator"), "senator");
    }
}
