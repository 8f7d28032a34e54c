//! The corpus part: merges the local entities of all articles into corpus entities.

use std::collections::BTreeMap;

use concord_core::text::stable_id;
use concord_core::{Corpus, CorpusStage, Document, Entity, EntityKind, StageError};

use crate::cues;
use crate::tagger::TaggerRecord;

/// What the resolver keeps of one local entity (compact: no text).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Local {
    name: String,
    kind: EntityKind,
    aliases: Vec<String>,
    gazetteer_id: Option<String>,
    from_gazetteer: bool,
    mentions: usize,
    roles: Vec<String>,
}

/// The corpus part of the `entities` stage (a [`CorpusStage`]): merges entities across
/// articles on gazetteer ids, canonical names, multi-word aliases, transliteration
/// variants (Zelensky/Zelenskyy/Zelenskiy) and names with titles stripped, then fills
/// `corpus.entities` and `corpus.entity_links`.
#[derive(Debug, Default)]
pub struct Resolver {
    /// Whether transliteration variants merge.
    transliteration: bool,
    articles: Vec<(String, Vec<Local>)>,
}

impl Resolver {
    /// A resolver; `transliteration` turns the variant rule on.
    pub fn new(transliteration: bool) -> Resolver {
        Resolver { transliteration, articles: Vec::new() }
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
        let mut locals: Vec<Local> = doc
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| Local {
                name: e.name.clone(),
                kind: e.kind,
                aliases: e.aliases.clone(),
                gazetteer_id: e.gazetteer_id.clone(),
                from_gazetteer: gaz.and_then(|g| g.from_gazetteer.get(i)).copied().unwrap_or(false),
                mentions: 0,
                roles: Vec::new(),
            })
            .collect();
        for m in &doc.mentions {
            let Some(l) = locals.get_mut(m.entity) else {
                return Err(StageError::new(format!("mention {:?} points to missing entity {}", m.surface, m.entity)));
            };
            l.mentions += 1;
            if let Some(r) = &m.role {
                if !l.roles.contains(r) {
                    l.roles.push(r.clone());
                }
            }
        }
        self.articles.push((doc.article.id.clone(), locals));
        Ok(())
    }

    fn finish(&mut self, corpus: &mut Corpus) -> Result<(), StageError> {
        let mut articles = std::mem::take(&mut self.articles);
        articles.sort_by(|a, b| a.0.cmp(&b.0));
        let nodes: Vec<(&str, usize, &Local)> =
            articles.iter().flat_map(|(id, ls)| ls.iter().enumerate().map(move |(i, l)| (id.as_str(), i, l))).collect();
        let mut parent: Vec<usize> = (0..nodes.len()).collect();
        let mut keys: BTreeMap<String, usize> = BTreeMap::new();
        for (n, (_, _, l)) in nodes.iter().enumerate() {
            let mut ks = Vec::new();
            if let Some(g) = &l.gazetteer_id {
                ks.push(format!("id\t{g}"));
            }
            ks.push(format!("{}\t{}", l.kind.as_str(), self.name_key(&l.name)));
            for a in &l.aliases {
                // single-word aliases (surnames) are too ambiguous to merge on, unless curated
                if l.from_gazetteer || a.split_whitespace().count() > 1 {
                    ks.push(format!("{}\t{}", l.kind.as_str(), self.name_key(a)));
                }
            }
            for k in ks {
                match keys.get(&k) {
                    Some(&m) => union(&mut parent, m, n),
                    None => {
                        keys.insert(k, n);
                    }
                }
            }
        }
        // A person named by one word only merges into the one group whose full name ends with it.
        let mut last_words: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (n, (_, _, l)) in nodes.iter().enumerate() {
            if l.kind == EntityKind::Person && l.name.split_whitespace().count() > 1 {
                let last = l.name.split_whitespace().last().unwrap_or("");
                let root = find(&mut parent, n);
                let v = last_words.entry(self.name_key(last)).or_default();
                if !v.contains(&root) {
                    v.push(root);
                }
            }
        }
        for (n, (_, _, l)) in nodes.iter().enumerate() {
            if l.kind == EntityKind::Person && l.name.split_whitespace().count() == 1 {
                if let Some(roots) = last_words.get(&self.name_key(&l.name)) {
                    let distinct: Vec<usize> = {
                        let mut r: Vec<usize> = roots.iter().map(|&x| find(&mut parent, x)).collect();
                        r.sort_unstable();
                        r.dedup();
                        r
                    };
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
        let mut links: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, ls) in &articles {
            links.insert(id.clone(), vec![String::new(); ls.len()]);
        }
        for members in groups.values() {
            // canonical name: a gazetteer's, else the fullest, most mentioned, smallest
            let mut counts: BTreeMap<(bool, usize, &str), usize> = BTreeMap::new();
            let mut kinds: BTreeMap<EntityKind, usize> = BTreeMap::new();
            for &n in members {
                let l = nodes[n].2;
                *counts.entry((l.from_gazetteer, l.name.split_whitespace().count(), l.name.as_str())).or_default() +=
                    l.mentions.max(1);
                *kinds.entry(l.kind).or_default() += l.mentions.max(1);
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
            let mut aliases: Vec<String> = Vec::new();
            let mut mention_counts: BTreeMap<String, usize> = BTreeMap::new();
            let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut gazetteer_id = None;
            for &n in members {
                let (art, _, l) = nodes[n];
                for a in std::iter::once(&l.name).chain(&l.aliases) {
                    if !a.eq_ignore_ascii_case(&name) {
                        aliases.push(a.clone());
                    }
                }
                *mention_counts.entry(art.to_string()).or_default() += l.mentions;
                if !l.roles.is_empty() {
                    let r = roles.entry(art.to_string()).or_default();
                    r.extend(l.roles.iter().cloned());
                    r.sort();
                    r.dedup();
                }
                if gazetteer_id.is_none() {
                    gazetteer_id = l.gazetteer_id.clone();
                }
            }
            aliases.sort();
            aliases.dedup();
            let id = stable_id("ent-", &[kind.as_str(), &name]);
            for &n in members {
                let (art, i, _) = nodes[n];
                if let Some(v) = links.get_mut(art) {
                    v[i] = id.clone();
                }
            }
            let articles: Vec<String> = mention_counts.keys().cloned().collect();
            entities.push(Entity {
                id,
                name,
                kind,
                aliases,
                articles,
                mentions: mention_counts.values().sum(),
                mention_counts,
                roles,
                gazetteer_id,
            });
        }
        entities.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.kind.cmp(&b.kind)).then(a.name.cmp(&b.name)));
        corpus.entities = entities;
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
