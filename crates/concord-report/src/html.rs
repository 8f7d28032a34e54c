//! `report.html`: one self-contained page (inline CSS and JS, no network), rendered with
//! minijinja, which HTML-escapes every value unless the template says otherwise.

use std::collections::{BTreeMap, BTreeSet};

use concord_core::{ArticleRecord, Corpus, Status};
use minijinja::{AutoEscape, Environment, Value};
use serde::Serialize;

use crate::markdown::clip;
use crate::model::{Report, StatsOut, Summary, SCHEMA_VERSION};
use crate::ReportError;

const TEMPLATE: &str = include_str!("../templates/report.html");
/// The page's only script; the Content-Security-Policy allows exactly this text (by hash),
/// so even a markup injection that escaped escaping could not run code.
const SCRIPT: &str = include_str!("../templates/report.js");

#[derive(Serialize)]
struct RowView<'a> {
    id: &'a str,
    rank: u64,
    kind: &'a str,
    text: &'a str,
    short: String,
    speaker_name: Option<&'a str>,
    corroboration: u64,
    /// The row's matrix cells, rendered (escaped) HTML.
    cells: Value,
    /// The cluster's members, rendered (escaped) HTML: one `<li>` each.
    members: Value,
    member_count: usize,
}

#[derive(Serialize)]
struct QuoteView<'a> {
    id: &'a str,
    text: &'a str,
    corroboration: u64,
    outlets: &'a [String],
    linked: bool,
}

#[derive(Serialize)]
struct SpeakerView<'a> {
    name: &'a str,
    quotes: Vec<QuoteView<'a>>,
}

#[derive(Serialize)]
struct SingleView<'a> {
    kind: &'a str,
    text: &'a str,
    outlet: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct CopyView {
    original: String,
    copies: Vec<String>,
    similarity: String,
}

#[derive(Serialize)]
struct Page<'a> {
    schema_version: u32,
    script_hash: String,
    script: &'static str,
    summary: &'a Summary<'a>,
    outlets: Vec<&'a str>,
    matrix: Vec<RowView<'a>>,
    matrix_hidden: usize,
    /// When the speakers list covers only the clusters in memory: how many those are.
    quotes_from_top: usize,
    speakers: Vec<SpeakerView<'a>>,
    /// The entities table's rows, rendered (escaped) HTML.
    entities: Value,
    entities_hidden: usize,
    single_source: Vec<SingleView<'a>>,
    single_hidden: usize,
    /// The articles table's rows, rendered (escaped) HTML.
    articles: Value,
    copies: Vec<CopyView>,
    stats: &'a StatsOut<'a>,
}

/// Splits `context` around the first occurrence of `text` (for highlighting); when `text`
/// is not inside it, the whole text is the highlight.
fn split_context<'a>(context: Option<&'a str>, text: &'a str) -> (&'a str, &'a str, &'a str) {
    match context {
        Some(ctx) if !text.is_empty() => match ctx.find(text) {
            Some(i) => (&ctx[..i], text, &ctx[i + text.len()..]),
            None => ("", text, ""),
        },
        _ => ("", text, ""),
    }
}

/// Appends an article's label: "title (outlet)", or whichever of the two it has, else its id.
fn push_label(out: &mut String, id: &str, record: Option<&ArticleRecord>) {
    match record.map(|a| (a.title.as_deref(), a.outlet.as_deref())) {
        Some((Some(t), Some(o))) => {
            out.push_str(t);
            out.push_str(" (");
            out.push_str(o);
            out.push(')');
        }
        Some((Some(t), None)) => out.push_str(t),
        Some((None, Some(o))) => {
            out.push_str(id);
            out.push_str(" (");
            out.push_str(o);
            out.push(')');
        }
        _ => out.push_str(id),
    }
}

fn label(corpus: &Corpus, id: &str) -> String {
    let mut out = String::new();
    push_label(&mut out, id, corpus.article(id));
    out
}

/// The records of `ids` (as [`Corpus::article`] finds them). For sorted ids, as entities
/// list them, the search walks forward through the sorted articles, galloping, so a long
/// list costs little more than its length; an id out of order starts the walk over.
fn records<'a, S: AsRef<str>>(
    corpus: &'a Corpus,
    ids: &'a [S],
) -> impl Iterator<Item = (&'a str, Option<&'a ArticleRecord>)> {
    let all = &corpus.articles;
    let mut from = 0;
    ids.iter().map(move |id| {
        let id = id.as_ref();
        if from > 0 && all[from - 1].id.as_str() >= id {
            from = 0;
        }
        let rest = &all[from..];
        let mut hi = 1;
        while hi < rest.len() && rest[hi - 1].id.as_str() < id {
            hi *= 2;
        }
        from += rest[..hi.min(rest.len())].partition_point(|a| a.id.as_str() < id);
        let found = all.get(from).filter(|a| a.id == id);
        from += usize::from(found.is_some());
        (id, found)
    })
}

/// The labels of `ids`, joined with "; ".
fn joined_labels<S: AsRef<str>>(corpus: &Corpus, ids: &[S]) -> String {
    let mut out = String::new();
    for (k, (id, record)) in records(corpus, ids).enumerate() {
        if k > 0 {
            out.push_str("; ");
        }
        push_label(&mut out, id, record);
    }
    out
}

/// Appends `s` HTML-escaped exactly as the template engine's auto-escaping writes a value
/// (minijinja: `<`, `>`, `&`, `"`, `'` and `/`).
fn push_escaped(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'/' => "&#x2f;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(with);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_number(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

// The page's big loops are rendered here rather than by the template engine (which costs
// far more per value): each function writes what the loop it replaces wrote, byte for byte
// (the tests render the original loops to check).

/// A matrix row's cells: one per outlet of `outlets` (`titles`: the same, escaped), on when
/// the cluster's sorted `have` has it.
fn cells_html(outlets: &[&str], titles: &[String], have: &[String]) -> String {
    let mut out = String::new();
    let sorted = have.windows(2).all(|w| w[0] <= w[1]);
    for (o, title) in outlets.iter().zip(titles) {
        let on =
            if sorted { have.binary_search_by(|h| h.as_str().cmp(o)).is_ok() } else { have.iter().any(|h| h == o) };
        out.push_str(if on { "<td class=\"cell on\" title=\"" } else { "<td class=\"cell\" title=\"" });
        out.push_str(title);
        out.push_str(if on { ": reports it\"></td>" } else { "\"></td>" });
    }
    out
}

/// A cluster's members: source line and the sentence with the member highlighted.
fn members_html<'a>(members: &'a [concord_core::Member], title_of: impl Fn(&'a str) -> &'a str) -> String {
    let mut out = String::new();
    for m in members {
        let (before, hit, after) = split_context(m.context.as_deref(), &m.text);
        out.push_str("<li><span class=\"src\"><b>");
        push_escaped(&mut out, &m.outlet);
        out.push_str("</b> · ");
        push_escaped(&mut out, title_of(&m.article));
        out.push_str(" · bytes ");
        push_number(&mut out, m.start as u64);
        out.push('–');
        push_number(&mut out, m.end as u64);
        out.push_str("</span><blockquote>");
        push_escaped(&mut out, before);
        out.push_str("<mark>");
        push_escaped(&mut out, hit);
        out.push_str("</mark>");
        push_escaped(&mut out, after);
        out.push_str("</blockquote></li>\n");
    }
    out
}

/// The entities table's rows.
fn entity_rows_html(corpus: &Corpus, entities: &[&concord_core::Entity]) -> String {
    let mut out = String::new();
    for e in entities {
        out.push_str("<tr><td>");
        push_escaped(&mut out, &e.name);
        out.push_str("</td><td>");
        push_escaped(&mut out, e.kind.as_str());
        out.push_str("</td><td class=\"num\">");
        push_number(&mut out, e.mentions as u64);
        out.push_str("</td><td class=\"hide-sm\">");
        for (k, alias) in e.aliases.iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            push_escaped(&mut out, alias);
        }
        out.push_str("</td><td>");
        push_escaped(&mut out, &joined_labels(corpus, &e.articles));
        out.push_str("</td></tr>\n");
    }
    out
}

/// The articles table's rows: every input item.
fn article_rows_html(corpus: &Corpus) -> String {
    let mut out = String::new();
    let mut copy_label = String::new();
    for a in &corpus.articles {
        out.push_str("<tr><td>");
        push_escaped(&mut out, a.title.as_deref().unwrap_or(&a.id));
        out.push_str("<span class=\"src\">");
        push_escaped(&mut out, &a.path);
        // (A line 0 is false to the template's `if`.)
        if let Some(line) = a.line.filter(|&l| l != 0) {
            out.push(':');
            push_number(&mut out, line);
        }
        out.push_str("</span></td><td>");
        push_escaped(&mut out, a.outlet.as_deref().unwrap_or_default());
        out.push_str("</td><td class=\"hide-sm\">");
        push_escaped(&mut out, a.published.as_deref().unwrap_or_default());
        out.push_str("</td><td>");
        if a.status == Status::Ok {
            out.push_str("ok");
        } else {
            out.push_str("<span class=\"warn\">rejected: ");
            push_escaped(&mut out, a.error.as_deref().unwrap_or_default());
            out.push_str("</span>");
        }
        if let Some(c) = a.copy_of.as_deref() {
            copy_label.clear();
            push_label(&mut copy_label, c, corpus.article(c));
            // (An empty text is false to the template's `if`.)
            if !copy_label.is_empty() {
                out.push_str(" <span class=\"muted\">copy of ");
                push_escaped(&mut out, &copy_label);
                out.push_str("</span>");
            }
        }
        for w in &a.warnings {
            out.push_str("<span class=\"src warn\">");
            push_escaped(&mut out, w);
            out.push_str("</span>");
        }
        out.push_str("</td></tr>\n");
    }
    out
}

/// Limits of the HTML page.
#[derive(Clone, Copy, Debug)]
pub struct HtmlLimits {
    /// Clusters shown in the matrix and the cluster list.
    pub clusters: usize,
    /// Rows of the entities table.
    pub entities: usize,
    /// Single-source items listed.
    pub single_source: usize,
}

fn page<'a>(r: &'a Report<'a>, corpus: &'a Corpus, limits: HtmlLimits) -> Page<'a> {
    let title_of = |id: &'a str| corpus.article(id).and_then(|a| a.title.as_deref()).unwrap_or(id);
    // Columns: every outlet of a processed article or of a cluster member.
    let mut outlet_set: BTreeSet<&str> = r.summary.outlets.iter().map(|o| o.as_ref()).collect();
    outlet_set.extend(r.clusters.iter().flat_map(|c| c.outlets.iter().map(String::as_str)));
    let outlets: Vec<&str> = outlet_set.into_iter().collect();

    // The outlets as they appear in the cells' titles, escaped once.
    let outlet_titles: Vec<String> = outlets.iter().map(|o| escaped(o)).collect();
    let matrix: Vec<RowView> = r
        .clusters
        .iter()
        .take(limits.clusters)
        .map(|c| RowView {
            id: &c.id,
            rank: c.rank,
            kind: &c.kind,
            text: &c.text,
            short: clip(&c.text, 160),
            speaker_name: c.speaker_name.as_deref(),
            corroboration: c.corroboration,
            cells: Value::from_safe_string(cells_html(&outlets, &outlet_titles, &c.outlets)),
            members: Value::from_safe_string(members_html(&c.members, title_of)),
            member_count: c.members.len(),
        })
        .collect();
    let shown: BTreeSet<&str> = matrix.iter().map(|m| m.id).collect();

    let mut by_speaker: BTreeMap<(bool, &str), Vec<QuoteView>> = BTreeMap::new();
    for c in r.clusters.iter().filter(|c| c.kind == "quote") {
        let key = match &c.speaker_name {
            Some(n) => (false, n.as_ref()),
            None => (true, "Unattributed"),
        };
        by_speaker.entry(key).or_default().push(QuoteView {
            id: &c.id,
            text: &c.text,
            corroboration: c.corroboration,
            outlets: &c.outlets,
            linked: shown.contains(c.id.as_ref()),
        });
    }
    let speakers = by_speaker.into_iter().map(|((_, name), quotes)| SpeakerView { name, quotes }).collect();

    let mut ents: Vec<_> = r.entities.iter().collect();
    ents.sort_by(|a, b| b.mentions.cmp(&a.mentions).then(a.name.cmp(&b.name)).then(a.id.cmp(&b.id)));
    let entities_hidden = ents.len().saturating_sub(limits.entities);
    let entities = entity_rows_html(corpus, &ents[..ents.len().min(limits.entities)]);

    let single_hidden =
        (r.summary.single_source as usize).saturating_sub(r.single_source.len().min(limits.single_source));
    let single_source = r
        .single_source
        .iter()
        .take(limits.single_source)
        .map(|s| SingleView {
            kind: &s.kind,
            text: &s.member.text,
            outlet: &s.member.outlet,
            title: title_of(&s.member.article),
        })
        .collect();

    let copies = r
        .copies
        .iter()
        .map(|g| CopyView {
            original: label(corpus, &g.original),
            copies: g.copies.iter().map(|c| label(corpus, c)).collect(),
            similarity: format!("{:.2}", g.similarity),
        })
        .collect();

    Page {
        schema_version: SCHEMA_VERSION,
        script_hash: format!("sha256-{}", base64(&sha256(SCRIPT.as_bytes()))),
        script: SCRIPT,
        summary: &r.summary,
        outlets,
        matrix_hidden: (r.summary.clusters as usize).saturating_sub(limits.clusters),
        quotes_from_top: if corpus.clusters_rest.is_some() { r.clusters.len() } else { 0 },
        matrix,
        speakers,
        entities: Value::from_safe_string(entities),
        entities_hidden,
        single_source,
        single_hidden,
        articles: Value::from_safe_string(article_rows_html(corpus)),
        copies,
        stats: &r.stats,
    }
}

/// Renders `report.html`.
pub fn report_html(corpus: &Corpus, limits: HtmlLimits) -> Result<String, ReportError> {
    let mut out = Vec::new();
    render_to(&Report::from_corpus(corpus), corpus, limits, &mut out)?;
    // The template and every value are UTF-8.
    Ok(String::from_utf8(out).expect("the page is UTF-8"))
}

/// Renders `report.html` from an already mapped report into `out`, as it is produced.
pub(crate) fn render_to(
    r: &Report<'_>,
    corpus: &Corpus,
    limits: HtmlLimits,
    out: &mut impl std::io::Write,
) -> Result<(), ReportError> {
    let mut env = Environment::new();
    // Escape every value, whatever the template's name.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    let tmpl_err = |e: minijinja::Error| ReportError::Template(e.to_string());
    env.add_template("report.html", TEMPLATE).map_err(tmpl_err)?;
    let t = env.get_template("report.html").map_err(tmpl_err)?;
    t.render_captured_to(page(r, corpus, limits), out).map(drop).map_err(tmpl_err)
}

/// SHA-256 (FIPS 180-4), for the Content-Security-Policy hash of the inline script.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with padding.
pub(crate) fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(v >> 18) as usize & 63] as char);
        out.push(A[(v >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(v >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[v as usize & 63] as char } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(base64(&sha256(b"")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert_eq!(base64(&sha256(b"abc")), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
        let long = vec![b'a'; 1000];
        assert_eq!(base64(&sha256(&long)), "Qe3s5C1j6Nm/UVqbppMuHCDLyfWl0TRkWttdsblzfqM=");
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn context_split_highlights_the_quote() {
        assert_eq!(
            split_context(Some("He said \"no deal\" today."), "no deal"),
            ("He said \"", "no deal", "\" today.")
        );
        assert_eq!(split_context(None, "A claim."), ("", "A claim.", ""));
    }

    #[test]
    fn sorted_lookup_finds_what_binary_search_finds() {
        let record = |id: &str, title: Option<&str>, outlet: Option<&str>| ArticleRecord {
            id: id.into(),
            title: title.map(Into::into),
            outlet: outlet.map(Into::into),
            ..Default::default()
        };
        let corpus = Corpus {
            articles: (0..40)
                .map(|i| record(&format!("a{i:02}"), (i % 3 != 0).then_some("T <b>"), (i % 2 == 0).then_some("O")))
                .collect(),
            ..Default::default()
        };
        let ids: Vec<String> = ["a00", "a01", "a05", "a05", "a06", "a07", "a20", "a39", "a40", "zz", "a03", "a", "a38"]
            .map(String::from)
            .to_vec();
        let mut want = String::new();
        for (k, id) in ids.iter().enumerate() {
            let r = corpus.article(id);
            assert_eq!(records(&corpus, &ids).nth(k).unwrap().1.map(|a| &a.id), r.map(|a| &a.id), "{id}");
            if k > 0 {
                want.push_str("; ");
            }
            want.push_str(&label(&corpus, id));
        }
        assert_eq!(joined_labels(&corpus, &ids), want);
        assert_eq!(want, "a00 (O); T <b>; T <b>; T <b>; a06 (O); T <b>; T <b> (O); a39; a40; zz; a03; a; T <b> (O)");
    }
    /// Renders `tmpl` as the page is rendered (every value HTML-escaped).
    fn render(tmpl: &str, ctx: impl Serialize) -> String {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_template("t.html", tmpl).unwrap();
        env.get_template("t.html").unwrap().render(ctx).unwrap()
    }

    const HOSTILE: [&str; 6] =
        ["", "plain", "<script>alert(\"x\")</script>", "a & b's /path/", "“é” 🦀 &amp;", "</td><td>"];

    fn hostile(i: usize) -> String {
        HOSTILE[i % HOSTILE.len()].to_string()
    }

    fn corpus() -> Corpus {
        let articles = (0..24)
            .map(|i| ArticleRecord {
                id: format!("a{i:02}{}", hostile(i)),
                path: format!("in/{}.txt", hostile(i + 1)).into(),
                line: [None, Some(0), Some(7), Some(12345)][i % 4],
                title: (i % 3 != 0).then(|| hostile(i + 2)),
                outlet: (i % 5 != 0).then(|| hostile(i + 3).into()),
                published: (i % 2 == 0).then(|| hostile(i + 4)),
                status: if i % 4 == 3 { Status::Rejected } else { Status::Ok },
                error: (i % 8 == 3).then(|| hostile(i + 5)),
                copy_of: [None, Some("a01plain".to_string()), Some("missing <id>".into()), Some(String::new())][i % 4]
                    .clone(),
                warnings: (0..i % 3).map(|k| hostile(i + k)).collect(),
                ..Default::default()
            })
            .collect();
        Corpus { articles, ..Default::default() }
    }

    #[test]
    fn escaping_is_the_template_engines() {
        for s in HOSTILE.iter().copied().chain(["'\"<>&/", "x/y", "&#x27;"]) {
            assert_eq!(escaped(s), render("{{ s }}", minijinja::context! { s }), "{s}");
        }
    }

    #[test]
    fn article_rows_are_what_the_template_loop_wrote() {
        #[derive(Serialize)]
        struct ArticleView<'a> {
            title: &'a str,
            path: &'a str,
            line: Option<u64>,
            outlet: &'a str,
            published: &'a str,
            status: &'static str,
            error: &'a str,
            copy_of: Option<String>,
            warnings: &'a [String],
        }
        let corpus = corpus();
        let articles: Vec<ArticleView> = corpus
            .articles
            .iter()
            .map(|a| ArticleView {
                title: a.title.as_deref().unwrap_or(&a.id),
                path: &a.path,
                line: a.line,
                outlet: a.outlet.as_deref().unwrap_or_default(),
                published: a.published.as_deref().unwrap_or_default(),
                status: if a.status == Status::Ok { "ok" } else { "rejected" },
                error: a.error.as_deref().unwrap_or_default(),
                copy_of: a.copy_of.as_deref().map(|c| label(&corpus, c)),
                warnings: &a.warnings,
            })
            .collect();
        let tmpl = r#"{% for a in articles %}<tr><td>{{ a.title }}<span class="src">{{ a.path }}{% if a.line %}:{{ a.line }}{% endif %}</span></td><td>{{ a.outlet }}</td><td class="hide-sm">{{ a.published }}</td><td>{% if a.status == "ok" %}ok{% else %}<span class="warn">rejected: {{ a.error }}</span>{% endif %}{% if a.copy_of %} <span class="muted">copy of {{ a.copy_of }}</span>{% endif %}{% for w in a.warnings %}<span class="src warn">{{ w }}</span>{% endfor %}</td></tr>
{% endfor %}"#;
        assert_eq!(article_rows_html(&corpus), render(tmpl, minijinja::context! { articles }));
    }

    #[test]
    fn entity_rows_are_what_the_template_loop_wrote() {
        #[derive(Serialize)]
        struct EntityView<'a> {
            name: &'a str,
            kind: &'a str,
            mentions: u64,
            aliases: &'a [String],
            articles: String,
        }
        let corpus = corpus();
        let entities: Vec<concord_core::Entity> = (0..8)
            .map(|i| concord_core::Entity {
                id: format!("e{i}"),
                name: hostile(i),
                kind: [concord_core::EntityKind::Person, concord_core::EntityKind::Org][i % 2],
                aliases: (0..i % 3).map(|k| hostile(i + k + 1)).collect(),
                articles: corpus.articles.iter().skip(i).step_by(3).map(|a| a.id.as_str().into()).collect(),
                mentions: i * 7,
                mention_counts: Vec::new(),
                roles: Default::default(),
                gazetteer_id: None,
            })
            .collect();
        let refs: Vec<&concord_core::Entity> = entities.iter().collect();
        let views: Vec<EntityView> = entities
            .iter()
            .map(|e| EntityView {
                name: &e.name,
                kind: e.kind.as_str(),
                mentions: e.mentions as u64,
                aliases: &e.aliases,
                articles: joined_labels(&corpus, &e.articles),
            })
            .collect();
        let tmpl = r#"{% for e in entities %}<tr><td>{{ e.name }}</td><td>{{ e.kind }}</td><td class="num">{{ e.mentions }}</td><td class="hide-sm">{{ e.aliases|join(", ") }}</td><td>{{ e.articles }}</td></tr>
{% endfor %}"#;
        assert_eq!(entity_rows_html(&corpus, &refs), render(tmpl, minijinja::context! { entities => views }));
    }

    #[test]
    fn cells_and_members_are_what_the_template_loops_wrote() {
        let outlets: Vec<&str> = HOSTILE.to_vec();
        let titles: Vec<String> = outlets.iter().map(|o| escaped(o)).collect();
        let tmpl = r#"{% for on in cells %}<td class="cell{% if on %} on{% endif %}" title="{{ outlets[loop.index0] }}{% if on %}: reports it{% endif %}"></td>{% endfor %}"#;
        for have in [vec![], vec!["plain"], vec!["", "</td><td>", "a & b's /path/"], vec!["plain", ""]] {
            let have: Vec<String> = have.into_iter().map(String::from).collect();
            let cells: Vec<bool> = outlets.iter().map(|o| have.iter().any(|h| h == o)).collect();
            let want = render(tmpl, minijinja::context! { cells, outlets });
            assert_eq!(cells_html(&outlets, &titles, &have), want, "{have:?}");
        }

        #[derive(Serialize)]
        struct MemberView<'a> {
            outlet: &'a str,
            title: &'a str,
            start: u64,
            end: u64,
            before: &'a str,
            hit: &'a str,
            after: &'a str,
        }
        let corpus = corpus();
        let members: Vec<concord_core::Member> = (0..12)
            .map(|i| concord_core::Member {
                article: corpus.articles[i].id.clone(),
                outlet: hostile(i),
                start: i * 10,
                end: i * 10 + 5,
                text: ["x", "<b>", "", "said"][i % 4].into(),
                speaker: None,
                sentence_start: 0,
                sentence_end: 0,
                context: [None, Some(format!("He said <b> & x{}", hostile(i)))][i % 2].clone(),
            })
            .collect();
        let title_of = |id: &str| corpus.article(id).and_then(|a| a.title.as_deref()).unwrap_or("?");
        let views: Vec<MemberView> = members
            .iter()
            .map(|m| {
                let (before, hit, after) = split_context(m.context.as_deref(), &m.text);
                MemberView {
                    outlet: &m.outlet,
                    title: title_of(&m.article),
                    start: m.start as u64,
                    end: m.end as u64,
                    before,
                    hit,
                    after,
                }
            })
            .collect();
        let tmpl = r#"{% for m in members %}<li><span class="src"><b>{{ m.outlet }}</b> · {{ m.title }} · bytes {{ m.start }}–{{ m.end }}</span><blockquote>{{ m.before }}<mark>{{ m.hit }}</mark>{{ m.after }}</blockquote></li>
{% endfor %}"#;
        assert_eq!(members_html(&members, title_of), render(tmpl, minijinja::context! { members => views }));
    }
}
