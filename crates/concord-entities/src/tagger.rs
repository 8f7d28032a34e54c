//! The per-article part: gazetteer matching, the perceptron tagger, cue-based discovery,
//! in-article alias resolution and roles.

use std::cell::Cell;
use std::ops::Range;
use std::sync::Arc;

use concord_core::text::{fnv1a64, mix64};
use concord_core::{DocStage, Document, EntityKind, LocalEntity, Mention, SentenceKind, Span, StageError};

use crate::cues::{bit, CueTables};
use crate::gazetteer::{GazMatch, Matcher};
use crate::model::{kind_of, label_of, mostly_upper_ascii, mostly_upper_text, DocWords, Model, Scratch, Window};
use crate::tokens::{tokenize_ascii, tokenize_with, word_facts, Case, Token, WordFacts};

/// The entity kinds in their order (`kind as usize` indexes this).
const KINDS: [EntityKind; 4] = [EntityKind::Person, EntityKind::Org, EntityKind::Loc, EntityKind::Misc];

/// Where a mention came from, in order of trust when two candidates have the same length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Src {
    Gaz,
    Rule,
    Model,
    Weak,
    Alias,
}

#[derive(Clone, Debug)]
struct Cand {
    a: usize,
    b: usize,
    kind: EntityKind,
    src: Src,
    entry: Option<usize>,
}

/// Record the tagger leaves in `doc.ext` for the corpus part: which local entities came
/// from the gazetteer (their canonical names are authoritative).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaggerRecord {
    /// Per local entity: true when its name is a gazetteer's canonical name.
    pub from_gazetteer: Vec<bool>,
}

/// The per-article entity tagger (a [`DocStage`]).
#[derive(Clone, Debug)]
pub struct Tagger {
    matcher: Arc<Matcher>,
    model: Option<Arc<Model>>,
    discovery: bool,
    /// Skip the model on sentences where nothing it finds would be kept ([`plain_sentence`]);
    /// off only in tests comparing with the full run.
    skip_plain: bool,
}

/// A sentence of the document as the tagger sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SentRange {
    pub span: Span,
    pub kind: SentenceKind,
    pub para_start: bool,
}

/// Tokens of a document, by sentence.
pub(crate) struct Tokenized<'t> {
    pub toks: Vec<Token>,
    pub words: Vec<&'t str>,
    /// (first token, end token, sentence) per sentence.
    pub sents: Vec<(usize, usize, SentRange)>,
    /// Per sentence: mostly upper-case (a wire headline).
    pub caps: Vec<bool>,
    /// Per token: its case and hashes.
    pub facts: Vec<WordFacts>,
    /// Per token: its [`crate::cues::cue_bits`], looked up on first use ([`NOT_YET`] until
    /// then): most words are never asked about.
    pub cues: Vec<Cell<u16>>,
    tables: &'static CueTables,
    /// Scratch of the general tokenizer.
    chars: Vec<(usize, char)>,
}

/// The buffers of a [`Tokenized`], kept between documents (see [`Tokenized::into_bufs`]) so
/// that tokenizing reuses their allocations.
#[derive(Default)]
pub(crate) struct TokBufs {
    toks: Vec<Token>,
    /// Always empty here: it holds no word, only room for them.
    words: Vec<&'static str>,
    sents: Vec<(usize, usize, SentRange)>,
    caps: Vec<bool>,
    facts: Vec<WordFacts>,
    cues: Vec<Cell<u16>>,
    chars: Vec<(usize, char)>,
}

/// An empty vector of borrowed words with the allocation of `v` (emptied first; the
/// element type is the same but for the lifetime, so the allocation is reused in place).
fn relabel<'a, 'b>(mut v: Vec<&'a str>) -> Vec<&'b str> {
    v.clear();
    v.into_iter().map(|w| -> &'b str { unreachable!("emptied: {w}") }).collect()
}

/// A cue entry not looked up yet (no word has every bit).
const NOT_YET: u16 = u16::MAX;

impl Tokenized<'_> {
    /// True when token `i` is in the cue lists of `bits` (the check of a token looked up
    /// before is inlined, the first lookup is not).
    #[inline(always)]
    fn is(&self, i: usize, bits: u16) -> bool {
        let mut c = self.cues[i].get();
        if c == NOT_YET {
            c = self.look_up_cues(i);
        }
        c & bits != 0
    }

    /// Looks up and keeps the cue bits of token `i`.
    #[inline(never)]
    fn look_up_cues(&self, i: usize) -> u16 {
        let c = self.tables.bits(self.words[i], &self.facts[i]);
        self.cues[i].set(c);
        c
    }

    /// The capitalisation class of token `i`.
    #[inline]
    pub fn case(&self, i: usize) -> Case {
        self.facts[i].case
    }

    /// True for a capitalised token ([`Case::Title`] or [`Case::Upper`]).
    #[inline]
    pub fn cap(&self, i: usize) -> bool {
        self.facts[i].is_cap()
    }

    /// True for a capitalised token that may be part of a name (not in [`crate::cues::CAP_STOP`]).
    fn capw(&self, i: usize) -> bool {
        self.cap(i) && !self.is(i, bit::CAP_STOP)
    }

    /// Gives the buffers back for the next document.
    pub fn into_bufs(self) -> TokBufs {
        let Tokenized { toks, words, sents, caps, facts, cues, chars, .. } = self;
        TokBufs { toks, words: relabel(words), sents, caps, facts, cues, chars }
    }
}

pub(crate) fn tokenize_doc<'t>(text: &'t str, ranges: &[SentRange]) -> Tokenized<'t> {
    tokenize_doc_in(text, ranges, TokBufs::default())
}

/// [`tokenize_doc`] into the buffers of an earlier document.
pub(crate) fn tokenize_doc_in<'t>(text: &'t str, ranges: &[SentRange], bufs: TokBufs) -> Tokenized<'t> {
    let TokBufs { mut toks, words, mut sents, mut caps, mut facts, mut cues, mut chars } = bufs;
    let room = text.len() / 4 + 16;
    toks.clear();
    toks.reserve(room);
    facts.clear();
    facts.reserve(room);
    cues.clear();
    sents.clear();
    caps.clear();
    for r in ranges {
        let a = toks.len();
        let s = text.get(r.span.start..r.span.end.min(text.len()));
        match s {
            // ASCII sentences: tokens and their facts in one pass
            Some(s) if s.is_ascii() => {
                caps.push(mostly_upper_ascii(s.as_bytes()));
                tokenize_ascii(s.as_bytes(), r.span.start, &mut toks, |_, f| facts.push(f));
            }
            _ => {
                caps.push(s.is_some_and(mostly_upper_text));
                tokenize_with(text, r.span.start, r.span.end, &mut toks, &mut chars);
                facts.extend(toks[a..].iter().map(|t| word_facts(text.get(t.start..t.end).unwrap_or(""))));
            }
        }
        sents.push((a, toks.len(), *r));
    }
    let mut words = relabel(words);
    words.reserve(toks.len());
    words.extend(toks.iter().map(|t| text.get(t.start..t.end).unwrap_or("")));
    cues.resize(toks.len(), Cell::new(NOT_YET));
    Tokenized { toks, words, sents, caps, facts, cues, tables: CueTables::get(), chars }
}

/// Gazetteer matches aligned to tokens, as (first token, end token, entry), and a per-token tag.
pub(crate) fn gaz_spans(matcher: &Matcher, text: &str, tk: &Tokenized) -> (Vec<(usize, usize, usize)>, Vec<u8>) {
    let mut g = GazBufs::default();
    gaz_spans_into(matcher, text, tk, &mut g);
    (g.spans, g.tags)
}

/// Buffers of [`gaz_spans_into`].
#[derive(Default)]
pub(crate) struct GazBufs {
    hits: Vec<GazMatch>,
    /// (first token, end token, entry) per match.
    spans: Vec<(usize, usize, usize)>,
    /// Per token: 0, or `1 + label_of(kind, inside)` of the match holding it.
    tags: Vec<u8>,
}

/// [`gaz_spans`] into reused buffers.
fn gaz_spans_into(matcher: &Matcher, text: &str, tk: &Tokenized, g: &mut GazBufs) {
    let GazBufs { hits, spans, tags } = g;
    hits.clear();
    for (_, _, s) in &tk.sents {
        matcher.find_in(text, s.span.start..s.span.end, hits);
    }
    spans.clear();
    tags.clear();
    tags.resize(tk.toks.len(), 0);
    for m in hits.iter() {
        let a = tk.toks.partition_point(|t| t.start < m.start);
        if a >= tk.toks.len() || tk.toks[a].start != m.start {
            continue;
        }
        let b = tk.toks.partition_point(|t| t.end <= m.end);
        if b <= a || tk.toks[b - 1].end != m.end {
            continue;
        }
        let kind = matcher.entries()[m.entry].kind;
        for (i, t) in tags[a..b].iter_mut().enumerate() {
            *t = 1 + label_of(kind, i > 0) as u8;
        }
        spans.push((a, b, m.entry));
    }
}

/// What [`Tagger::analyse`] keeps from document to document on a thread: buffers whose
/// allocations are reused (their contents are rebuilt for every document).
#[derive(Default)]
struct TagScratch {
    tok: TokBufs,
    gaz: GazBufs,
    /// The document's word sets.
    words: DocWords,
    model: Scratch,
    labels: Vec<usize>,
    cands: Vec<Cand>,
    chosen: Vec<Cand>,
    taken: Vec<bool>,
    /// Per chosen candidate: in a heading.
    heading: Vec<bool>,
    /// In-article resolution's keys.
    keys: EntityKeys,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<TagScratch> = std::cell::RefCell::new(TagScratch::default());
}

pub(crate) fn sentence_ranges(doc: &Document) -> Vec<SentRange> {
    if !doc.sentences.is_empty() {
        let mut last_para = u32::MAX;
        return doc
            .sentences
            .iter()
            .map(|s| {
                let para_start = s.paragraph != last_para;
                last_para = s.paragraph;
                SentRange { span: s.span, kind: s.kind, para_start }
            })
            .collect();
    }
    // No sentences: one range per paragraph.
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in doc.text.match_indices("\n\n").chain(std::iter::once((doc.text.len(), ""))) {
        if i > start {
            out.push(SentRange { span: Span::new(start, i), kind: SentenceKind::Story, para_start: true });
        }
        start = (i + 2).min(doc.text.len());
    }
    out
}

impl Tagger {
    /// A tagger from a compiled gazetteer and an optional model; `discovery` turns the
    /// cue-based proper-name rules on.
    pub fn from_parts(matcher: Matcher, model: Option<Model>, discovery: bool) -> Tagger {
        Tagger { matcher: Arc::new(matcher), model: model.map(Arc::new), discovery, skip_plain: true }
    }

    /// The compiled gazetteer.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Finds the mentions of a document and resolves them to local entities (the
    /// [`DocStage`] body). Existing mentions and entities are replaced.
    pub fn tag(&self, doc: &mut Document) {
        let ranges = sentence_ranges(doc);
        let (entities, mentions, from_gaz) = self.analyse(&doc.text, &ranges);
        doc.entities = entities;
        doc.mentions = mentions;
        doc.ext.insert(TaggerRecord { from_gazetteer: from_gaz });
    }

    fn analyse(&self, text: &str, ranges: &[SentRange]) -> (Vec<LocalEntity>, Vec<Mention>, Vec<bool>) {
        // taken for the document (a nested call would start from empty buffers)
        let mut sc = SCRATCH.with(|c| std::mem::take(&mut *c.borrow_mut()));
        let out = self.analyse_with(text, ranges, &mut sc);
        SCRATCH.with(|c| *c.borrow_mut() = sc);
        out
    }

    /// [`Tagger::analyse`] with the buffers of `sc`.
    fn analyse_with(
        &self,
        text: &str,
        ranges: &[SentRange],
        sc: &mut TagScratch,
    ) -> (Vec<LocalEntity>, Vec<Mention>, Vec<bool>) {
        let tk = tokenize_doc_in(text, ranges, std::mem::take(&mut sc.tok));
        gaz_spans_into(&self.matcher, text, &tk, &mut sc.gaz);
        let (gaz, gaz_tags) = (&sc.gaz.spans, &sc.gaz.tags[..]);
        let dw = &mut sc.words;
        dw.reset(tk.words.len());
        for (k, &(a, b, _)) in tk.sents.iter().enumerate() {
            dw.add_words(&tk.words[a..b], &tk.facts[a..b], tk.caps[k]);
        }
        let dw = &sc.words;
        let cands = &mut sc.cands;
        cands.clear();
        cands.extend(gaz.iter().map(|&(a, b, e)| Cand {
            a,
            b,
            kind: self.matcher.entries()[e].kind,
            src: Src::Gaz,
            entry: Some(e),
        }));
        if let Some(model) = &self.model {
            let (scratch, labels) = (&mut sc.model, &mut sc.labels);
            for (k, &(a, b, _)) in tk.sents.iter().enumerate() {
                // nothing capitalised and no gazetteer hit: every word is `O` without scoring
                if a == b || !(a..b).any(|i| tk.cap(i) || gaz_tags[i] != 0) {
                    continue;
                }
                if self.skip_plain && plain_sentence(&tk, a, b, tk.caps[k], gaz_tags, dw) {
                    continue;
                }
                let input =
                    Window { words: &tk.words[a..b], facts: &tk.facts[a..b], gaz: &gaz_tags[a..b], caps: tk.caps[k] };
                labels.clear();
                model.predict_into(&input, dw, scratch, labels);
                let mut i = 0;
                while i < labels.len() {
                    let Some(kind) = kind_of(labels[i]) else {
                        i += 1;
                        continue;
                    };
                    let mut j = i + 1;
                    while j < labels.len() && labels[j] == label_of(kind, true) {
                        j += 1;
                    }
                    cands.push(Cand { a: a + i, b: a + j, kind, src: Src::Model, entry: None });
                    i = j;
                }
            }
        }
        if self.discovery {
            for (k, &(a, b, s)) in tk.sents.iter().enumerate() {
                if !tk.caps[k] {
                    discover(&tk, a, b, s.para_start, gaz_tags, cands);
                }
            }
        }
        cands.retain_mut(|c| c.src == Src::Gaz || clean(c, &tk, dw, gaz_tags));
        // Longest first; on equal length the more trusted source wins.
        cands.sort_by_key(|c| (std::cmp::Reverse(c.b - c.a), c.src, c.a));
        let taken = &mut sc.taken;
        taken.clear();
        taken.resize(tk.toks.len(), false);
        let chosen = &mut sc.chosen;
        chosen.clear();
        for c in cands.drain(..) {
            if taken[c.a..c.b].iter().any(|&t| t) {
                continue;
            }
            taken[c.a..c.b].iter_mut().for_each(|t| *t = true);
            chosen.push(c);
        }
        chosen.sort_by_key(|c| c.a);
        // Headings (often Title Case) keep only names confirmed elsewhere in the article.
        let surface = |c: &Cand| text.get(tk.toks[c.a].start..tk.toks[c.b - 1].end).unwrap_or("");
        // Per candidate: in a heading. The candidates are in text order: their sentences are
        // found walking the sentences once, and only sentences holding one are looked at.
        let heading = &mut sc.heading;
        heading.clear();
        // (the sentence index, as `partition_point(|s| s.1 <= c.a)` finds it, and its flag)
        let (mut k, mut last): (usize, Option<(usize, bool)>) = (0, None);
        for c in chosen.iter() {
            while k < tk.sents.len() && tk.sents[k].1 <= c.a {
                k += 1;
            }
            let h = match last {
                Some((lk, h)) if lk == k => h,
                _ => tk.sents.get(k).is_some_and(|&(a, b, s)| {
                    s.kind == SentenceKind::Heading || title_case(&tk.words[a..b], &tk.facts[a..b])
                }),
            };
            last = Some((k, h));
            heading.push(h);
        }
        let heading = &heading[..];
        // A name is confirmed by a candidate outside the headings with that surface, or by a
        // person's whose last word it is. Few candidates are in headings: each is compared
        // with the others.
        if chosen.iter().zip(heading).any(|(c, &h)| h && c.src != Src::Gaz) {
            let confirms =
                |d: &Cand, s: &str| surface(d) == s || (d.kind == EntityKind::Person && tk.words[d.b - 1] == s);
            let keep: Vec<bool> = chosen
                .iter()
                .zip(heading)
                .map(|(c, &h)| {
                    !h || c.src == Src::Gaz || {
                        let s = surface(c);
                        chosen.iter().zip(heading).any(|(d, &hd)| !hd && confirms(d, s))
                    }
                })
                .collect();
            // retain visits the candidates once, in order
            let mut keep = keep.into_iter();
            chosen.retain(|_| keep.next().unwrap_or(true));
        }
        // Surnames of people named in full are mentions wherever they appear capitalised
        // (looked up by the exact hash of their word, then compared).
        let mut surnames: Vec<(u64, &str)> = chosen
            .iter()
            .filter(|c| c.kind == EntityKind::Person && c.b - c.a >= 2)
            .map(|c| (tk.facts[c.b - 1].exact, tk.words[c.b - 1]))
            .collect();
        surnames.sort_unstable();
        surnames.dedup();
        if !surnames.is_empty() {
            taken.fill(false);
            for c in chosen.iter() {
                taken[c.a..c.b].iter_mut().for_each(|t| *t = true);
            }
            for (i, (f, t)) in tk.facts.iter().zip(taken.iter()).enumerate() {
                if f.case == Case::Title && !t {
                    let k = surnames.partition_point(|s| s.0 < f.exact);
                    if surnames[k..].iter().take_while(|s| s.0 == f.exact).any(|s| s.1 == tk.words[i]) {
                        chosen.push(Cand { a: i, b: i + 1, kind: EntityKind::Person, src: Src::Alias, entry: None });
                    }
                }
            }
        }
        chosen.sort_by_key(|c| c.a);
        let out = self.resolve(text, &tk, chosen, &mut sc.keys);
        sc.tok = tk.into_bufs();
        out
    }

    #[inline(never)]
    fn resolve(
        &self,
        text: &str,
        tk: &Tokenized,
        chosen: &[Cand],
        keys: &mut EntityKeys,
    ) -> (Vec<LocalEntity>, Vec<Mention>, Vec<bool>) {
        // names and surfaces borrow from the text and the gazetteer until the output is built
        struct Ent<'a> {
            name: &'a str,
            /// [`last_word`] of the name.
            last: &'a str,
            tokens: usize,
            /// Mentions per kind, in [`KINDS`] order.
            kinds: [usize; 4],
            first_kind: EntityKind,
            /// Its first and last surface in `surfaces`, where each links to the next.
            surfaces: (u32, u32),
            gaz: Option<usize>,
            first_pos: usize,
            /// Of an organisation (the only kind a short form links to by initials): a range
            /// of `inits`.
            initials: Range<usize>,
        }
        let span_of = |c: &Cand| Span::new(tk.toks[c.a].start, tk.toks[c.b - 1].end);
        let mut ents: Vec<Ent> = Vec::with_capacity(chosen.len());
        // every entity's surfaces, each once: (surface, the entity's next one or NO_NEXT)
        let mut surfaces: Vec<(&str, u32)> = Vec::with_capacity(chosen.len());
        let mut inits = String::new();
        keys.clear();
        // per candidate: its entity and role
        let mut ent_of = vec![0usize; chosen.len()];
        let mut roles: Vec<Option<String>> = Vec::with_capacity(chosen.len());
        roles.resize_with(chosen.len(), || None);
        // Full names first, so that a short form can link to one written later too.
        let order = (0..chosen.len())
            .filter(|&k| chosen[k].entry.is_some() || chosen[k].b - chosen[k].a > 1)
            .chain((0..chosen.len()).filter(|&k| chosen[k].entry.is_none() && chosen[k].b - chosen[k].a == 1));
        for k in order {
            let c = &chosen[k];
            let span = span_of(c);
            let surface = text.get(span.start..span.end).unwrap_or("");
            let n = c.b - c.a;
            let (key, found) = match c.entry {
                Some(e) => keys.entry(e),
                None => keys.surface(surface),
            };
            let mut idx = found;
            let known = idx.is_some();
            if idx.is_none() && n == 1 {
                // surname or short form -> the nearest earlier (else the first later) entity
                // whose name ends with it (people), or whose initials it spells (organisations)
                let fits = |e: &Ent| {
                    e.tokens >= 2
                        && ((e.first_kind == EntityKind::Person && e.last == surface)
                            || (e.first_kind == EntityKind::Org
                                && surface.len() >= 2
                                && inits[e.initials.clone()] == *surface))
                };
                idx = nearest_before_else_first(ents.iter().map(|e| fits(e).then_some(e.first_pos)), c.a);
            }
            let i = match idx {
                Some(i) => i,
                None => {
                    let name = match c.entry {
                        Some(e) => self.matcher.entries()[e].name.as_str(),
                        None => surface,
                    };
                    ents.push(Ent {
                        tokens: word_count(name),
                        initials: if c.kind == EntityKind::Org { push_initials(name, &mut inits) } else { 0..0 },
                        name,
                        last: last_word(name),
                        kinds: [0; 4],
                        first_kind: c.kind,
                        surfaces: (NO_NEXT, NO_NEXT),
                        gaz: c.entry,
                        first_pos: c.a,
                    });
                    ents.len() - 1
                }
            };
            if !known {
                keys.set(key, i);
            }
            let e = &mut ents[i];
            e.first_pos = e.first_pos.min(c.a);
            e.kinds[c.kind as usize] += 1;
            let mut s = e.surfaces.0;
            while s != NO_NEXT && surfaces[s as usize].0 != surface {
                s = surfaces[s as usize].1;
            }
            if s == NO_NEXT {
                let new = surfaces.len() as u32;
                surfaces.push((surface, NO_NEXT));
                match e.surfaces.1 {
                    NO_NEXT => e.surfaces.0 = new,
                    last => surfaces[last as usize].1 = new,
                }
                e.surfaces.1 = new;
            }
            if e.gaz.is_none() && n > e.tokens {
                e.name = surface;
                e.last = last_word(surface);
                if e.first_kind == EntityKind::Org {
                    e.initials = push_initials(e.name, &mut inits);
                }
                e.tokens = n;
            }
            if c.kind == EntityKind::Person || e.first_kind == EntityKind::Person {
                roles[k] = role_before(text, tk, c.a).or_else(|| role_after(tk, c.b));
            }
            ent_of[k] = i;
        }
        let mut locals = Vec::with_capacity(ents.len());
        let mut from_gaz = Vec::with_capacity(ents.len());
        let mut kinds = Vec::with_capacity(ents.len());
        for e in &ents {
            // majority kind; ties go to the gazetteer's or the first mention's kind
            let kind = match e.gaz {
                Some(g) => self.matcher.entries()[g].kind,
                None => {
                    let best = e.kinds.iter().copied().max().unwrap_or(0);
                    if e.kinds[e.first_kind as usize] == best {
                        e.first_kind
                    } else {
                        KINDS.into_iter().find(|&k| e.kinds[k as usize] == best).unwrap_or(e.first_kind)
                    }
                }
            };
            kinds.push(kind);
            let mut aliases = Vec::new();
            let mut s = e.surfaces.0;
            while s != NO_NEXT {
                let (surface, next) = surfaces[s as usize];
                if !surface.eq_ignore_ascii_case(e.name) {
                    aliases.push(surface.to_string());
                }
                s = next;
            }
            let gazetteer_id = e.gaz.and_then(|g| self.matcher.entries()[g].id.clone());
            locals.push(LocalEntity { name: e.name.to_string(), kind, aliases, gazetteer_id });
            from_gaz.push(e.gaz.is_some());
        }
        // the candidates are in text order and apart, so their mentions are in span order
        let mentions = chosen
            .iter()
            .zip(ent_of)
            .zip(roles)
            .map(|((c, entity), role)| {
                let span = span_of(c);
                Mention {
                    span,
                    entity,
                    kind: kinds[entity],
                    surface: text.get(span.start..span.end).unwrap_or("").to_string(),
                    role,
                }
            })
            .collect();
        (locals, mentions, from_gaz)
    }
}

/// True for a sentence written in Title Case (a headline or a link line), where
/// capitalisation says nothing about names.
fn title_case(words: &[&str], facts: &[WordFacts]) -> bool {
    let mut title = 0usize;
    for (w, case) in words.iter().zip(facts.iter().map(|f| f.case)) {
        if w.bytes().any(|c| c.is_ascii_digit()) {
            return false; // results tables, scores, dates
        }
        match case {
            Case::Title => title += 1,
            // one long lower-case word settles it
            Case::Lower if w.len() > 3 && (w.is_ascii() || w.chars().count() > 3) => return false,
            _ => {}
        }
    }
    title >= 4
}

/// True for a sentence whose model candidates [`clean`] would all drop, so that the model
/// need not run on it: not [mostly upper-case](crate::model::mostly_upper), no gazetteer hit,
/// and no capitalised word but the first, which the article also writes in lower case ("The",
/// "But"). A candidate there holds only words that are not capitalised (trimmed as stop
/// words) and perhaps that first word (trimmed as a sentence-initial common word).
fn plain_sentence(tk: &Tokenized, a: usize, b: usize, caps: bool, gaz: &[u8], dw: &DocWords) -> bool {
    // (an OR of every tag: no early exit, but vectorised, and most sentences have no hit)
    if caps || gaz[a..b].iter().fold(0, |x, &g| x | g) != 0 {
        return false;
    }
    let first = (a..b).find(|&i| !is_opening(tk.words[i])).unwrap_or(a);
    if (a..b).any(|i| tk.cap(i) && i != first) {
        return false;
    }
    !tk.cap(first) || dw.has_lower_hash(tk.facts[first].lower)
}

/// Trims titles, determiners and sentence-initial common words from a discovered or
/// predicted candidate; false when nothing name-like is left.
fn clean(c: &mut Cand, tk: &Tokenized, dw: &DocWords, gaz: &[u8]) -> bool {
    let si = tk.sents.partition_point(|s| s.1 <= c.a);
    let Some(&(sa, sb, _)) = tk.sents.get(si) else { return false };
    let first = (sa..sb).find(|&i| !is_opening(tk.words[i])).unwrap_or(sa);
    let caps = tk.caps.get(si).copied().unwrap_or(false);
    // titles: "Senator Marco Rubio" -> "Marco Rubio" (a person)
    let mut k = c.a;
    let mut after_head = None;
    while k < c.b && (tk.is(k, bit::ROLE_WORD) || gaz[k] != 0) {
        if tk.is(k, bit::ROLE_HEAD) {
            after_head = Some(k + 1);
        }
        k += 1;
    }
    if let Some(h) = after_head {
        if h >= c.b {
            return false;
        }
        c.a = h;
        c.kind = EntityKind::Person;
    }
    while c.a < c.b {
        let (w, f) = (tk.words[c.a], &tk.facts[c.a]);
        let stop = !tk.capw(c.a);
        let initial_common = c.a == first
            && !caps
            && (dw.has_lower_hash(f.lower)
                || (c.b - c.a == 1
                    && ((c.src != Src::Model && !dw.has_cap_mid_hash(f.exact))
                        || lower_ends_with_any(w, &["ly", "ing", "ed"]))));
        if stop || initial_common {
            c.a += 1;
        } else {
            break;
        }
    }
    while c.b > c.a && !tk.cap(c.b - 1) {
        c.b -= 1;
    }
    c.a < c.b && !(c.a..c.b).all(|i| tk.is(i, bit::ROLE_WORD))
}

/// True when `w` lower-cased ends with one of the (lower-case ASCII) `suffixes`; an ASCII
/// word is compared in place.
fn lower_ends_with_any(w: &str, suffixes: &[&str]) -> bool {
    if w.is_ascii() {
        let b = w.as_bytes();
        return suffixes
            .iter()
            .any(|x| b.len() >= x.len() && b[b.len() - x.len()..].eq_ignore_ascii_case(x.as_bytes()));
    }
    let lw = w.to_lowercase();
    suffixes.iter().any(|x| lw.ends_with(x))
}

/// True when `w` lower-cased is one of the (lower-case ASCII) `words`; an ASCII word is
/// compared in place.
fn lower_is_any(w: &str, words: &[&str]) -> bool {
    if w.is_ascii() {
        return words.iter().any(|x| w.eq_ignore_ascii_case(x));
    }
    let lw = w.to_lowercase();
    words.iter().any(|x| lw == *x)
}

fn is_opening(w: &str) -> bool {
    // every opening is one character; the multi-byte ones start with 0xE2
    let quick = match w.as_bytes() {
        [b] => matches!(b, b'"' | b'\'' | b'(' | b'[' | b'-' | b':' | b'*'),
        [0xE2, _, _] => true,
        _ => false,
    };
    quick && matches!(w, "\"" | "“" | "'" | "‘" | "(" | "[" | "-" | "–" | "—" | ":" | "*" | "•")
}

/// Of the items given as `Some(position)`: the index of the one nearest before `a` (on a tie
/// the last), else that of the first of the smallest position.
fn nearest_before_else_first(items: impl Iterator<Item = Option<usize>>, a: usize) -> Option<usize> {
    // (index, position) of the best so far
    let mut before: Option<(usize, usize)> = None;
    let mut first: Option<(usize, usize)> = None;
    for (i, p) in items.enumerate() {
        let Some(p) = p else { continue };
        if p < a && before.map_or(true, |(_, q)| p >= q) {
            before = Some((i, p));
        }
        if first.map_or(true, |(_, q)| p < q) {
            first = Some((i, p));
        }
    }
    before.or(first).map(|(i, _)| i)
}

/// `name.split_whitespace().count()`, byte by byte for an ASCII name.
fn word_count(name: &str) -> usize {
    if !name.is_ascii() {
        return name.split_whitespace().count();
    }
    // the ASCII characters `char::is_whitespace` accepts: TAB to CR, and space
    let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
    let mut prev_space = true;
    let mut n = 0;
    for &b in name.as_bytes() {
        let sp = space(b);
        n += usize::from(prev_space && !sp);
        prev_space = sp;
    }
    n
}

/// What follows the last space of `name` (`name.rsplit(' ').next()`).
fn last_word(name: &str) -> &str {
    match name.rfind(' ') {
        Some(k) => &name[k + 1..],
        None => name,
    }
}

/// Appends the initials of `name` (the upper-case first letters of its words) to `out`;
/// their range in it.
fn push_initials(name: &str, out: &mut String) -> Range<usize> {
    let start = out.len();
    out.extend(name.split_whitespace().filter_map(|w| w.chars().next()).filter(|c| c.is_uppercase()));
    start..out.len()
}

/// The end of a list of surfaces in [`Tagger::resolve`].
const NO_NEXT: u32 = u32::MAX;

/// What in-article resolution finds entities by: gazetteer entries, and the lower-cased
/// surfaces of mentions without one. Each key names one entity, the one it was first
/// given to; equal keys are found by comparison (hashes only narrow the search). Kept per
/// thread and [cleared](EntityKeys::clear) for each article.
#[derive(Default)]
struct EntityKeys {
    /// Per slot: a key id plus one (0: empty); a power of two long (or empty), at most
    /// half full.
    slots: Vec<u32>,
    keys: Vec<KeyRec>,
    /// The lower-cased surfaces, one after the other.
    lower: String,
}

struct KeyRec {
    hash: u64,
    key: Key,
    /// Its entity ([`EntityKeys::set`] right after the key is added).
    ent: usize,
    /// Where it is in [`EntityKeys::slots`].
    slot: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Entry(usize),
    /// A range of [`EntityKeys::lower`].
    Surface(Range<usize>),
}

impl EntityKeys {
    /// Forgets every key (their slots only are emptied).
    fn clear(&mut self) {
        for k in &self.keys {
            self.slots[k.slot] = 0;
        }
        self.keys.clear();
        self.lower.clear();
    }

    /// The id of the key of gazetteer entry `e`, and its entity unless the key is new.
    fn entry(&mut self, e: usize) -> (usize, Option<usize>) {
        self.reserve_one();
        let hash = mix64(e as u64);
        let found = self.probe(hash, |k| *k == Key::Entry(e));
        self.found_or_added(found, hash, Key::Entry(e))
    }

    /// The id of the key of `surface` lower-cased, and its entity unless the key is new.
    fn surface(&mut self, surface: &str) -> (usize, Option<usize>) {
        self.reserve_one();
        let start = self.lower.len();
        if surface.is_ascii() {
            self.lower.push_str(surface);
            self.lower[start..].make_ascii_lowercase();
        } else {
            self.lower.push_str(&surface.to_lowercase());
        }
        let lower = &self.lower;
        let new = &lower[start..];
        let hash = fnv1a64(new.as_bytes());
        let found = self.probe(hash, |k| matches!(k, Key::Surface(r) if lower[r.clone()] == *new));
        if found.is_ok() {
            self.lower.truncate(start);
        }
        let end = self.lower.len();
        self.found_or_added(found, hash, Key::Surface(start..end))
    }

    /// Room for one more key.
    fn reserve_one(&mut self) {
        if (self.keys.len() + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            self.slots.clear();
            self.slots.resize(size, 0);
            for id in 0..self.keys.len() {
                let Err(slot) = self.probe(self.keys[id].hash, |_| false) else { unreachable!("no key is equal") };
                self.slots[slot] = id as u32 + 1;
                self.keys[id].slot = slot;
            }
        }
    }

    /// The id of the key of hash `hash` that `same` accepts, or the empty slot where it goes.
    fn probe(&self, hash: u64, same: impl Fn(&Key) -> bool) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask;
        loop {
            match self.slots[i] {
                0 => return Err(i),
                id1 => {
                    let k = &self.keys[id1 as usize - 1];
                    if k.hash == hash && same(&k.key) {
                        return Ok(id1 as usize - 1);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn found_or_added(&mut self, found: Result<usize, usize>, hash: u64, key: Key) -> (usize, Option<usize>) {
        match found {
            Ok(id) => (id, Some(self.keys[id].ent)),
            Err(slot) => {
                let id = self.keys.len();
                self.slots[slot] = id as u32 + 1;
                self.keys.push(KeyRec { hash, key, ent: usize::MAX, slot });
                (id, None)
            }
        }
    }

    /// Gives the new key `id` its entity.
    fn set(&mut self, id: usize, ent: usize) {
        self.keys[id].ent = ent;
    }
}

/// The title phrase right before token `a` ("US Secretary of State", "Kremlin aide").
fn role_before(text: &str, tk: &Tokenized, a: usize) -> Option<String> {
    let si = tk.sents.partition_point(|s| s.1 <= a);
    let sa = tk.sents.get(si)?.0;
    if a == sa || !tk.is(a - 1, bit::ROLE_HEAD) {
        return None;
    }
    let mut s = a - 1;
    let limit = a.saturating_sub(6).max(sa);
    while s > limit {
        if tk.is(s - 1, bit::ROLE_WORD) || (tk.capw(s - 1) && tk.words[s - 1].len() > 1 && s - 1 > sa) {
            s -= 1;
        } else {
            break;
        }
    }
    // never start on a connector
    while s < a - 1 && lower_is_any(tk.words[s], &["of", "the", "and", "for", "-"]) {
        s += 1;
    }
    text.get(tk.toks[s].start..tk.toks[a - 1].end).map(str::to_string)
}

/// An apposition right after a name: ", a doctor," → "doctor".
fn role_after(tk: &Tokenized, b: usize) -> Option<String> {
    let si = tk.sents.partition_point(|s| s.1 <= b.saturating_sub(1));
    let sb = tk.sents.get(si)?.1;
    if b + 2 >= sb || tk.words[b] != "," || !matches!(tk.words[b + 1], "a" | "an" | "the") {
        return None;
    }
    let limit = sb.min(b + 6);
    let end = (b + 2..limit).find(|&i| tk.case(i) != Case::Lower).unwrap_or(limit);
    if end > b + 2 && tk.is(end - 1, bit::ROLE_HEAD) {
        Some(tk.words[b + 2..end].join(" "))
    } else {
        None
    }
}

/// Cue-based discovery of names in one sentence.
fn discover(tk: &Tokenized, a: usize, b: usize, para_start: bool, gaz: &[u8], out: &mut Vec<Cand>) {
    if a == b {
        return;
    }
    let words = &tk.words;
    let first = (a..b).find(|&i| !is_opening(words[i])).unwrap_or(a);
    let capw = |i: usize| tk.capw(i);
    let mut i = a;
    while i < b {
        if !capw(i) {
            i += 1;
            continue;
        }
        let s = i;
        let mut e = i + 1;
        while e < b {
            if capw(e) {
                e += 1;
            } else if tk.is(e, bit::CONNECTOR) && e + 1 < b && capw(e + 1) {
                e += 2;
            } else {
                break;
            }
        }
        i = e;
        let seq = &words[s..e];
        let all_title = tk.facts[s..e].iter().all(|f| f.case == Case::Title);
        let mut push = |a: usize, b: usize, kind: EntityKind, src: Src| out.push(Cand { a, b, kind, src, entry: None });
        // 1. titles inside the sequence: "Foreign Minister Sergey Lavrov"
        let mut k = s;
        let mut after_head = None;
        while k < e && (tk.is(k, bit::ROLE_WORD) || gaz[k] != 0) {
            if tk.is(k, bit::ROLE_HEAD) {
                after_head = Some(k + 1);
            }
            k += 1;
        }
        if let Some(h) = after_head {
            let rest = h.min(e)..e;
            if h < e
                && rest.len() <= 4
                && rest.clone().all(|i| tk.cap(i))
                && !rest.clone().any(|i| tk.is(i, bit::ORG_HEAD | bit::LOC_WORD | bit::ROLE_WORD))
            {
                push(h, e, EntityKind::Person, Src::Rule);
            }
            continue;
        }
        if tk.is(e - 1, bit::ORG_HEAD) || (seq.len() >= 3 && tk.is(s, bit::ORG_FIRST_OF) && seq[1] == "of") {
            push(s, e, EntityKind::Org, Src::Rule);
            continue;
        }
        if seq.len() >= 2 && (s..e).any(|i| tk.is(i, bit::LOC_WORD)) {
            push(s, e, EntityKind::Loc, Src::Rule);
            continue;
        }
        let name_like = all_title && seq.len() <= 4 && seq.iter().all(|w| w.chars().nth(1).is_some());
        // 2. a role word before: "envoy Steve Witkoff", "aide Yuri Ushakov"
        if name_like && s > a && tk.case(s - 1) == Case::Lower && tk.is(s - 1, bit::ROLE_HEAD) {
            push(s, e, EntityKind::Person, Src::Rule);
            continue;
        }
        // 3. what follows: a speech verb, ", who", ", a doctor,"
        if name_like && (2..=3).contains(&seq.len()) && e < b {
            let next = words[e];
            let appos = next == ","
                && e + 1 < b
                && (words[e + 1] == "who"
                    || (matches!(words[e + 1], "a" | "an" | "the")
                        && ((e + 2).min(b)..(e + 6).min(b)).any(|i| tk.is(i, bit::ROLE_HEAD))));
            if tk.is(e, bit::SPEECH_VERB) || appos {
                push(s, e, EntityKind::Person, Src::Rule);
                continue;
            }
        }
        // 4. datelines: "MOSCOW (Reuters) -", "KYIV, Ukraine —"
        if s == first
            && para_start
            && (s..e).all(|i| tk.case(i) == Case::Upper && words[i].len() > 2)
            && e < b
            && matches!(words[e], "(" | "," | "-" | "–" | "—")
        {
            push(s, e, EntityKind::Loc, Src::Rule);
            continue;
        }
        // 5. place cues: "in Anchorage"
        if name_like && seq.len() <= 3 && s > a && tk.is(s - 1, bit::PLACE_CUE) && words[s - 1] != "to" {
            push(s, e, EntityKind::Loc, Src::Weak);
        }
    }
}

impl DocStage for Tagger {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        self.tag(doc);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Naive sentences and paragraphs ([`Document::split_naively`]).
    fn document(body: &str) -> Document {
        let mut doc = Document::new(concord_core::Article { id: "t".into(), body: body.into(), ..Default::default() });
        doc.split_naively();
        doc
    }

    #[test]
    fn skipping_plain_sentences_changes_nothing() {
        let fast = Tagger::new(&crate::EntityOptions::default()).unwrap();
        let full = Tagger { skip_plain: false, ..fast.clone() };
        let mut texts: Vec<String> = vec![
            "The talks ended. But the envoy said so. He went home. Yesterday it rained in Kyiv.\nThe end. the end."
                .into(),
            "Unusually, nothing happened. Chuckling, she left. The the. (The) \"But\" he said. IT WAS LATE.".into(),
            "Reuters reported it. Google said it. Later, officials from Nato said it. later on, the US said.".into(),
        ];
        // BBC News, when the data is there
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bbc-news/bbc"));
        for cat in std::fs::read_dir(root).into_iter().flatten().flatten() {
            let mut files: Vec<_> =
                std::fs::read_dir(cat.path()).into_iter().flatten().flatten().map(|f| f.path()).collect();
            files.sort();
            texts.extend(files.iter().take(40).filter_map(|f| std::fs::read_to_string(f).ok()));
        }
        for t in &texts {
            let (mut a, mut b) = (document(t), document(t));
            fast.tag(&mut a);
            full.tag(&mut b);
            assert_eq!(a.mentions, b.mentions, "{t}");
            assert_eq!(a.entities, b.entities, "{t}");
        }
    }

    #[test]
    fn reused_buffers_give_what_fresh_ones_do() {
        let tagger = Tagger::new(&crate::EntityOptions::default()).unwrap();
        let big = "Foreign Minister Sergey Lavrov met NATO envoy Steve Witkoff in Kyiv. Lavrov said so.\n\n".repeat(40);
        let texts = ["President Joe Biden spoke in Paris.", &big, "Ms Ann Lee, a doctor, left. Lee said.", ""];
        let mut sc = TagScratch::default();
        for t in texts.iter().chain(texts.iter().rev()) {
            let doc = document(t);
            let ranges = sentence_ranges(&doc);
            let reused = tagger.analyse_with(&doc.text, &ranges, &mut sc);
            let fresh = tagger.analyse_with(&doc.text, &ranges, &mut TagScratch::default());
            assert_eq!(reused, fresh, "{t}");
        }
        let v = relabel(vec!["a", "b"]);
        assert!(v.is_empty() && v.capacity() >= 2);
    }

    #[test]
    fn cues_looked_up_late_are_the_cue_bits() {
        let text = "Foreign Minister Sergey Lavrov said, in Kyiv, that the envoy of NATO News met Dr. Ann's aide.";
        let ranges = [SentRange { span: Span::new(0, text.len()), kind: SentenceKind::Story, para_start: true }];
        let tk = tokenize_doc(text, &ranges);
        assert!(tk.cues.iter().all(|c| c.get() == NOT_YET));
        for i in (0..tk.words.len()).rev() {
            let want = crate::cues::cue_bits(tk.words[i]);
            for b in 0..9 {
                assert_eq!(tk.is(i, 1 << b), want & (1 << b) != 0, "{:?}", tk.words[i]);
            }
        }
        assert!(tk.is(0, bit::ROLE_WORD) && tk.is(4, bit::SPEECH_VERB));
    }

    #[test]
    fn nearest_before_else_first_is_the_two_searches() {
        let lists: [&[Option<usize>]; 5] = [
            &[],
            &[None, Some(4), Some(9), None, Some(2), Some(9), Some(4)],
            &[Some(7), Some(8), Some(7)],
            &[None, None],
            &[Some(1), Some(1), Some(0), Some(0)],
        ];
        for l in lists {
            for a in 0..11 {
                let fits = |i: usize| l[i].is_some();
                let pos = |i: usize| l[i].unwrap_or(0);
                let before = (0..l.len()).filter(|&i| fits(i) && pos(i) < a).max_by_key(|&i| pos(i));
                let want = before.or_else(|| (0..l.len()).filter(|&i| fits(i)).min_by_key(|&i| pos(i)));
                assert_eq!(nearest_before_else_first(l.iter().copied(), a), want, "{l:?} {a}");
            }
        }
    }

    #[test]
    fn lower_case_tests_are_those_of_the_lower_cased_word() {
        let words = [
            "Slowly",
            "SLOWLY",
            "ly",
            "y",
            "",
            "Running",
            "ed",
            "Ed",
            "Zoë",
            "ÉMILY",
            "\u{212a}ing",
            "Of",
            "THE",
            "-",
            "of-",
        ];
        for w in words {
            let lw = w.to_lowercase();
            let sfx = ["ly", "ing", "ed"];
            assert_eq!(lower_ends_with_any(w, &sfx), sfx.iter().any(|x| lw.ends_with(x)), "{w:?}");
            let cs = ["of", "the", "and", "for", "-"];
            assert_eq!(lower_is_any(w, &cs), cs.contains(&lw.as_str()), "{w:?}");
        }
    }

    #[test]
    fn entity_keys_find_exactly_the_equal_key() {
        // against a map, over articles (clears) with enough keys to grow the table
        let mut keys = EntityKeys::default();
        let surfaces = ["Kyiv", "KYIV", "kyiv", "Zoë", "ZOË", "Lee", "lee ", "ΣΑΣ", "", "NATO", "Nato"];
        for round in 0..3usize {
            keys.clear();
            let mut want: std::collections::HashMap<(Option<usize>, String), usize> = Default::default();
            for k in 0..(40 + 300 * round) {
                let x = mix64((k * 7 + round) as u64) as usize;
                let (key, found) = if x % 3 == 0 {
                    let e = x % 50;
                    (keys.entry(e), (Some(e), String::new()))
                } else {
                    let s = format!("{}{}", surfaces[x % surfaces.len()], x % 60);
                    (keys.surface(&s), (None, s.to_lowercase()))
                };
                let (id, got) = key;
                assert_eq!(got, want.get(&found).copied(), "round {round} step {k}");
                if got.is_none() {
                    keys.set(id, k);
                    want.insert(found, k);
                }
            }
        }
        for w in ["", " ", "a", "a b", "Joe  Biden ", "x\u{a0}y z"] {
            assert_eq!(last_word(w), w.rsplit(' ').next().unwrap_or(w), "{w:?}");
        }
        let mut out = String::from("x");
        assert_eq!(push_initials("International Criminal Court of Justice", &mut out), 1..5);
        assert_eq!(out, "xICCJ");
    }

    #[test]
    fn word_count_is_that_of_split_whitespace() {
        let names =
            ["", " ", "Joe", "Joe Biden", "  Joe \t Biden\n", "a\x0bb", "a\x0cb\rc", "Zoë Ball", "x\u{a0}y", "-"];
        for n in names {
            assert_eq!(word_count(n), n.split_whitespace().count(), "{n:?}");
        }
    }

    #[test]
    fn kinds_are_indexed_in_their_order() {
        for (i, k) in KINDS.iter().enumerate() {
            assert_eq!(*k as usize, i);
        }
        assert!(KINDS.windows(2).all(|w| w[0] < w[1]), "the order ties are broken in");
    }
}
