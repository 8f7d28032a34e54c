//! `report.md`: a summary for a reader in a terminal or a repository.

use std::fmt::Write;

use concord_core::{Corpus, Status};

use crate::model::Report;

/// Makes text safe inside one Markdown line or table cell: whitespace folded, Markdown and
/// HTML syntax escaped (an article cannot inject markup or break a table).
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Cuts `s` to at most `max` characters, adding an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

fn title_of(corpus: &Corpus, id: &str) -> String {
    corpus.article(id).and_then(|a| a.title.clone()).unwrap_or_else(|| id.to_string())
}

/// "*title* (outlet)" of an article, escaped.
fn article_label(corpus: &Corpus, id: &str) -> String {
    match corpus.article(id).and_then(|a| a.outlet.as_deref()) {
        Some(o) => format!("*{}* ({})", md(&clip(&title_of(corpus, id), 120)), md(o)),
        None => format!("*{}*", md(&clip(&title_of(corpus, id), 120))),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders `report.md`; `top` bounds the claim lists, `max_entities` the entities table.
pub fn report_markdown(corpus: &Corpus, top: usize, max_entities: usize) -> String {
    render(&Report::from_corpus(corpus), corpus, top, max_entities)
}

/// Renders `report.md` from an already mapped report.
pub(crate) fn render(r: &Report, corpus: &Corpus, top: usize, max_entities: usize) -> String {
    let s = &r.summary;
    let mut o = String::new();
    let _ = writeln!(o, "# concord report\n");
    let range = match (&s.first_published, &s.last_published) {
        (Some(a), Some(b)) if a == b => format!(", published {}", md(a)),
        (Some(a), Some(b)) => format!(", published {} to {}", md(a), md(b)),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "**{}** from **{}**{range}; {} rejected, {}.  ",
        plural(s.ok, "article", "articles"),
        plural(s.outlets.len() as u64, "outlet", "outlets"),
        s.rejected,
        plural(s.copies, "near-copy", "near-copies")
    );
    let _ = writeln!(
        o,
        "{} clusters of claims and quotes, {} reported by two or more outlets; {} single-source items; {} entities.\n",
        s.clusters, s.corroborated, s.single_source, s.entities
    );
    if !s.outlets.is_empty() {
        let outlets: Vec<String> = s.outlets.iter().map(|x| md(x)).collect();
        let _ = writeln!(o, "Outlets: {}\n", outlets.join(", "));
    }

    let _ = writeln!(o, "## Most corroborated claims and quotes\n");
    let corroborated: Vec<_> = r.clusters.iter().filter(|c| c.corroboration >= 2).take(top).collect();
    if corroborated.is_empty() {
        let _ = writeln!(o, "No claim or quote is reported by more than one outlet.\n");
    }
    for (i, c) in corroborated.iter().enumerate() {
        let speaker = match &c.speaker_name {
            Some(n) => format!(" — **{}**", md(n)),
            None => String::new(),
        };
        let outlets: Vec<String> = c.outlets.iter().map(|x| md(x)).collect();
        let _ = writeln!(
            o,
            "{}. “{}”{speaker} ({}) · {} outlets: {}",
            i + 1,
            md(&clip(&c.text, 300)),
            c.kind,
            c.corroboration,
            outlets.join(", ")
        );
    }
    if !corroborated.is_empty() {
        o.push('\n');
    }

    let _ = writeln!(o, "## Single-source claims and quotes\n");
    if r.single_source.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        for x in r.single_source.iter().take(top) {
            let m = &x.member;
            let _ = writeln!(o, "- “{}” ({}) — {}", md(&clip(&m.text, 300)), x.kind, article_label(corpus, &m.article));
        }
        // The summary counts them all; report.json may embed only the first ones.
        let total = (r.summary.single_source as usize).max(r.single_source.len());
        if total > top.min(r.single_source.len()) {
            let shown = top.min(r.single_source.len());
            let _ = writeln!(o, "- … and {} more (all in single_source.jsonl)", total - shown);
        }
        o.push('\n');
    }

    let _ = writeln!(o, "## Entities\n");
    if r.entities.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let mut ents: Vec<_> = r.entities.iter().collect();
        ents.sort_by(|a, b| {
            b.mentions.cmp(&a.mentions).then(b.articles.len().cmp(&a.articles.len())).then(a.name.cmp(&b.name))
        });
        let _ = writeln!(o, "| Entity | Kind | Mentions | Articles | Aliases |\n| --- | --- | ---: | ---: | --- |");
        for e in ents.iter().take(max_entities) {
            let aliases: Vec<String> = e.aliases.iter().map(|a| md(a)).collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                md(&e.name),
                e.kind.as_str(),
                e.mentions,
                e.articles.len(),
                aliases.join(", ")
            );
        }
        if ents.len() > max_entities {
            let _ = writeln!(o, "\n… and {} more entities (all in entities.jsonl).", ents.len() - max_entities);
        }
        o.push('\n');
    }

    let _ = writeln!(o, "## Rejected inputs\n");
    let rejected: Vec<_> = corpus.articles.iter().filter(|a| a.status == Status::Rejected).collect();
    if rejected.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let _ = writeln!(o, "| Input | Line | Reason |\n| --- | ---: | --- |");
        for a in &rejected {
            let line = a.line.map(|l| l.to_string()).unwrap_or_default();
            let _ = writeln!(o, "| {} | {} | {} |", md(&a.path), line, md(a.error.as_deref().unwrap_or("")));
        }
        o.push('\n');
    }

    if !r.copies.is_empty() {
        let _ = writeln!(o, "## Near-copies\n");
        for g in &r.copies {
            let copies: Vec<String> = g.copies.iter().map(|c| article_label(corpus, c)).collect();
            let _ = writeln!(
                o,
                "- {} is repeated by {} (similarity ≥ {:.2})",
                article_label(corpus, &g.original),
                copies.join(", "),
                g.similarity
            );
        }
        o.push('\n');
    }

    let _ = writeln!(o, "## Run\n");
    let st = &r.stats;
    let _ =
        writeln!(o, "{} inputs found, {} ok, {} rejected, {} source bytes.\n", st.found, st.ok, st.rejected, st.bytes);
    if !st.stages.is_empty() {
        let _ = writeln!(o, "| Stage | In | Out | Errors |\n| --- | ---: | ---: | ---: |");
        for x in &st.stages {
            let _ = writeln!(o, "| {} | {} | {} | {} |", md(&x.kind), x.articles_in, x.articles_out, x.errors);
        }
        o.push('\n');
    }
    for w in st.warnings.iter() {
        let _ = writeln!(o, "- warning: {}", md(w));
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_escapes_markup_and_folds_whitespace() {
        assert_eq!(md("a |b|\n\n *c* <script>"), "a \\|b\\| \\*c\\* &lt;script&gt;");
        assert_eq!(md("  x  "), "x");
    }

    #[test]
    fn clip_cuts_on_char_boundaries() {
        assert_eq!(clip("héllo wörld", 7), "héllo w…");
        assert_eq!(clip("short", 10), "short");
    }
}
