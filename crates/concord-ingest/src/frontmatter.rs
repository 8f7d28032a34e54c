//! Front matter: finding a leading `---` (YAML) or `+++` (TOML) block, a small flat-YAML
//! reader, and mapping the keys to article metadata.

use std::collections::BTreeMap;

/// A front matter value: a scalar, a list of scalars, or null.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FmValue {
    Null,
    Str(String),
    List(Vec<String>),
}

/// Parsed front matter keys (lower-cased).
pub(crate) type FrontMatter = BTreeMap<String, FmValue>;

/// A front matter problem, with the 1-based line of the file it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FmError {
    pub line: u64,
    pub reason: String,
}

/// A located front matter block.
#[derive(Debug)]
pub(crate) struct Block<'a> {
    /// `---` (YAML) or `+++` (TOML).
    pub toml: bool,
    /// The text between the delimiter lines.
    pub inner: &'a str,
    /// 1-based file line of the first inner line (counting lines before `text` in `first_line`).
    pub first_line: u64,
    /// Byte offset in `text` right after the closing delimiter line.
    pub body_start: usize,
}

/// The lines of `s` with their start offsets, each without its `\n` (and `\r`).
fn lines_with_offsets(s: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= s.len() {
            return None;
        }
        let start = pos;
        let (line, next) = match memchr::memchr(b'\n', &s.as_bytes()[pos..]) {
            Some(i) => (&s[pos..pos + i], pos + i + 1),
            None => (&s[pos..], s.len()),
        };
        pos = next;
        Some((start, line.strip_suffix('\r').unwrap_or(line), next))
    })
}

/// Whether `text` opens with a front matter delimiter line, and which kind (`true` = TOML).
pub(crate) fn opener(text: &str) -> Option<bool> {
    let (_, first, _) = lines_with_offsets(text).next()?;
    match first.trim_end() {
        "---" => Some(false),
        "+++" => Some(true),
        _ => None,
    }
}

/// Finds the block opened on the first line of `text` and closed by a delimiter line within
/// `max_lines` lines (`None` for no limit).
///
/// # Errors
/// When the block is not closed (within the limit).
pub(crate) fn find_block(text: &str, max_lines: Option<usize>) -> Result<Block<'_>, FmError> {
    let toml = opener(text).ok_or(FmError { line: 1, reason: "no front matter delimiter".into() })?;
    let mut lines = lines_with_offsets(text);
    let (_, _, inner_start) = lines.next().ok_or(FmError { line: 1, reason: "empty".into() })?;
    for (n, (start, line, next)) in lines.enumerate() {
        if max_lines.is_some_and(|m| n + 1 >= m) {
            break;
        }
        let t = line.trim_end();
        let closes = if toml { t == "+++" } else { t == "---" || t == "..." };
        if closes {
            return Ok(Block { toml, inner: &text[inner_start..start], first_line: 2, body_start: next });
        }
    }
    let delim = if toml { "+++" } else { "---" };
    let within = max_lines.map(|m| format!(" within the first {m} lines")).unwrap_or_default();
    Err(FmError { line: 1, reason: format!("unterminated front matter: no closing `{delim}` line{within}") })
}

/// Parses a block's contents.
pub(crate) fn parse_block(block: &Block<'_>) -> Result<FrontMatter, FmError> {
    if block.toml {
        parse_toml(block.inner, block.first_line)
    } else {
        parse_yaml(block.inner, block.first_line)
    }
}

fn parse_toml(s: &str, first_line: u64) -> Result<FrontMatter, FmError> {
    let table: toml::Table = toml::from_str(s).map_err(|e| {
        let line = e.span().map(|sp| s[..sp.start.min(s.len())].matches('\n').count() as u64).unwrap_or(0);
        FmError { line: first_line + line, reason: format!("malformed TOML front matter: {}", e.message()) }
    })?;
    let mut out = FrontMatter::new();
    for (k, v) in table {
        let value = match v {
            toml::Value::Array(items) => FmValue::List(items.iter().filter_map(toml_scalar).collect()),
            other => match toml_scalar(&other) {
                Some(s) => FmValue::Str(s),
                None => continue, // tables: not flat metadata
            },
        };
        out.insert(k.to_lowercase(), value);
    }
    Ok(out)
}

fn toml_scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// Reads flat YAML: `key: value` lines (plain, single- or double-quoted scalars, `[a, b]`
/// inline lists, `|`/`>` block scalars), `- item` lists under a key with no value, nested
/// `key: value` lines under such a key (flattened as `parent.key`), indented continuation
/// lines of plain scalars, blank lines and `#` comments. Anything else is an error.
pub(crate) fn parse_yaml(s: &str, first_line: u64) -> Result<FrontMatter, FmError> {
    let mut out = FrontMatter::new();
    // The key whose value is still open to `- item` lines and nested keys.
    let mut open: Option<(String, usize)> = None;
    // The key of the last plain scalar, which indented lines may continue.
    let mut continuing: Option<String> = None;
    let lines: Vec<&str> = s.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let lineno = first_line + i as u64;
        i += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let err = |reason: String| FmError { line: lineno, reason };
        if trimmed == "-" || trimmed.starts_with("- ") {
            let Some((key, _)) = &open else {
                return Err(err(format!("malformed front matter: list item outside a key: `{trimmed}`")));
            };
            let item = parse_scalar(trimmed[1..].trim()).map_err(|e| err(format!("malformed front matter: {e}")))?;
            let entry = out.entry(key.clone()).or_insert(FmValue::Null);
            if !matches!(entry, FmValue::List(_)) {
                *entry = FmValue::List(Vec::new());
            }
            if let FmValue::List(items) = entry {
                match item {
                    FmValue::Str(s) => items.push(s),
                    FmValue::List(l) => items.extend(l),
                    FmValue::Null => {}
                }
            }
            continuing = None;
            continue;
        }
        let Some((raw_key, rest)) = split_key(trimmed) else {
            if indent > 0 {
                if let Some(key) = &continuing {
                    if let Some(FmValue::Str(v)) = out.get_mut(key) {
                        v.push(' ');
                        v.push_str(trimmed);
                        continue;
                    }
                }
            }
            return Err(err(format!("malformed front matter: line is not `key: value`: `{}`", clip(trimmed))));
        };
        let mut key = raw_key.to_lowercase();
        match &open {
            Some((parent, parent_indent)) if indent > *parent_indent => key = format!("{parent}.{key}"),
            _ => open = None,
        }
        continuing = None;
        let rest = rest.trim();
        if rest.is_empty() || rest.starts_with('#') {
            out.insert(key.clone(), FmValue::Null);
            if !key.contains('.') {
                open = Some((key, indent));
            }
            continue;
        }
        if let Some(style) = rest.strip_prefix(['|', '>']) {
            if style.trim_start_matches(['-', '+', '1', '2', '3', '4', '5', '6', '7', '8', '9']).trim().is_empty() {
                let folded = rest.starts_with('>');
                let mut block = Vec::new();
                while i < lines.len() {
                    let l = lines[i];
                    let l_indent = l.len() - l.trim_start().len();
                    if !l.trim().is_empty() && l_indent <= indent {
                        break;
                    }
                    block.push(l);
                    i += 1;
                }
                out.insert(key, FmValue::Str(block_scalar(&block, folded)));
                continue;
            }
        }
        let value = parse_scalar(rest).map_err(|e| err(format!("malformed front matter: {e}")))?;
        if is_plain(rest) {
            continuing = Some(key.clone());
        }
        out.insert(key, value);
    }
    Ok(out)
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn is_plain(v: &str) -> bool {
    !v.starts_with(['"', '\'', '[', '{'])
}

/// Splits `key: value` (key plain or quoted; the colon followed by a space or the end).
fn split_key(line: &str) -> Option<(String, &str)> {
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let (key, used) = parse_quoted(line, q).ok()?;
        let rest = line[used..].trim_start();
        let rest = rest.strip_prefix(':')?;
        return (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some((key, rest));
    }
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memchr(b':', &bytes[i..]) {
        let at = i + off;
        let after = bytes.get(at + 1);
        if after.is_none() || after == Some(&b' ') || after == Some(&b'\t') {
            let key = line[..at].trim_end();
            let ok = !key.is_empty() && !key.contains(" #") && !key.starts_with(['-', '[', '{', '#', '!', '&', '*']);
            return ok.then(|| (key.to_string(), &line[at + 1..]));
        }
        i = at + 1;
    }
    None
}

/// Parses a scalar or an inline list, with an optional trailing comment.
fn parse_scalar(v: &str) -> Result<FmValue, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(FmValue::Null);
    }
    let first = v.chars().next().unwrap_or(' ');
    if first == '"' || first == '\'' {
        let (s, used) = parse_quoted(v, first)?;
        expect_end(&v[used..])?;
        return Ok(FmValue::Str(s));
    }
    if first == '[' {
        return parse_inline_list(v).map(FmValue::List);
    }
    let s = strip_comment(v);
    if matches!(s, "~" | "null" | "Null" | "NULL") {
        return Ok(FmValue::Null);
    }
    Ok(FmValue::Str(s.to_string()))
}

fn strip_comment(v: &str) -> &str {
    match v.find(" #").or_else(|| v.find("\t#")) {
        Some(i) => v[..i].trim_end(),
        None => v.trim_end(),
    }
}

fn expect_end(rest: &str) -> Result<(), String> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!("unexpected text after a quoted string: `{}`", clip(rest)))
    }
}

/// Parses a quoted string starting at `s[0] == quote`; returns it and the bytes used.
fn parse_quoted(s: &str, quote: char) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if quote == '\'' && chars.peek().map(|p| p.1) == Some('\'') {
                chars.next();
                out.push('\'');
                continue;
            }
            return Ok((out, i + c.len_utf8()));
        }
        if c == '\\' && quote == '"' {
            let Some((_, e)) = chars.next() else { break };
            let hex_len = match e {
                'x' => 2,
                'u' => 4,
                'U' => 8,
                _ => 0,
            };
            if hex_len > 0 {
                let mut code = String::new();
                for _ in 0..hex_len {
                    match chars.next() {
                        Some((_, h)) if h.is_ascii_hexdigit() => code.push(h),
                        _ => return Err(format!("bad `\\{e}` escape in a quoted string")),
                    }
                }
                let n = u32::from_str_radix(&code, 16).map_err(|_| format!("bad `\\{e}` escape"))?;
                out.push(char::from_u32(n).unwrap_or('\u{FFFD}'));
                continue;
            }
            out.push(match e {
                'n' => '\n',
                't' | '\t' => '\t',
                'r' => '\r',
                '0' => '\0',
                'a' => '\u{7}',
                'b' => '\u{8}',
                'e' => '\u{1b}',
                'f' => '\u{c}',
                'v' => '\u{b}',
                ' ' => ' ',
                '/' => '/',
                '\\' => '\\',
                '"' => '"',
                'N' => '\u{85}',
                '_' => '\u{a0}',
                'L' => '\u{2028}',
                'P' => '\u{2029}',
                other => return Err(format!("unknown escape `\\{other}` in a quoted string")),
            });
            continue;
        }
        out.push(c);
    }
    Err(format!("unterminated quoted string: `{}`", clip(s)))
}

/// Parses `[a, "b, c", 'd']` (flat; nested lists are an error).
fn parse_inline_list(v: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut rest = v[1..].trim_start();
    loop {
        if let Some(after) = rest.strip_prefix(']') {
            expect_end(after)?;
            return Ok(items);
        }
        let first = rest.chars().next().ok_or_else(|| format!("unterminated inline list: `{}`", clip(v)))?;
        let item_end;
        if first == '"' || first == '\'' {
            let (s, used) = parse_quoted(rest, first)?;
            items.push(s);
            item_end = used;
        } else if first == '[' || first == '{' {
            return Err(format!("nested collections are not supported in front matter: `{}`", clip(v)));
        } else {
            let end = rest.find([',', ']']).ok_or_else(|| format!("unterminated inline list: `{}`", clip(v)))?;
            let item = rest[..end].trim();
            if !item.is_empty() {
                items.push(item.to_string());
            }
            item_end = end;
        }
        rest = rest[item_end..].trim_start();
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start();
        } else if !rest.starts_with(']') {
            return Err(format!("expected `,` or `]` in inline list: `{}`", clip(v)));
        }
    }
}

/// Joins the lines of a `|` (literal) or `>` (folded) block scalar.
fn block_scalar(lines: &[&str], folded: bool) -> String {
    let indent =
        lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let body: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start())).collect();
    let mut s = if folded {
        let mut out = String::new();
        for l in &body {
            if l.is_empty() {
                out.push('\n');
            } else {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push(' ');
                }
                out.push_str(l);
            }
        }
        out
    } else {
        body.join("\n")
    };
    while s.ends_with('\n') {
        s.pop();
    }
    s
}

/// Article metadata taken from front matter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub published: Option<String>,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub tags: Vec<String>,
    pub excerpt: Option<String>,
}

fn first_str(fm: &FrontMatter, keys: &[&str], join: &str) -> Option<String> {
    keys.iter().find_map(|k| match fm.get(*k)? {
        FmValue::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        FmValue::List(l) if !l.is_empty() => Some(l.join(join)),
        _ => None,
    })
}

/// Maps front matter keys to article metadata.
pub(crate) fn meta(fm: &FrontMatter) -> Meta {
    let mut tags: Vec<String> = Vec::new();
    for key in ["tags", "categories", "category", "keywords"] {
        let items = match fm.get(key) {
            Some(FmValue::List(l)) => l.clone(),
            Some(FmValue::Str(s)) => s.split(',').map(|t| t.trim().to_string()).collect(),
            _ => Vec::new(),
        };
        for t in items {
            if !t.is_empty() && !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    Meta {
        title: first_str(fm, &["title", "headline"], " "),
        published: first_str(fm, &["date", "published", "pubdate", "publish_date", "published_at"], ", "),
        author: first_str(fm, &["author", "authors", "byline"], ", "),
        outlet: first_str(fm, &["outlet", "source", "publisher"], ", "),
        url: first_str(fm, &["url", "link", "canonical_url", "canonical"], " "),
        tags,
        excerpt: first_str(fm, &["excerpt", "description", "summary"], " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Result<FrontMatter, FmError> {
        parse_yaml(s, 2)
    }

    fn st(s: &str) -> FmValue {
        FmValue::Str(s.into())
    }

    #[test]
    fn flat_yaml_scalars_quotes_lists_and_comments() {
        let fm = yaml(concat!(
            "# a comment\n",
            "title: \"Update: 'Next time' \\\"in\\\" Moscow\\u00e9\"\n",
            "Author: 'O''Brien'\n",
            "date: 2025-08-16T05:01:19 # trailing comment\n",
            "tags: [News, \"a, b\", 'c']\n",
            "empty: []\n",
            "categories:\n",
            "  - World\n",
            "  - \"Politics\"\n",
            "\n",
            "url: https://x.example/a#frag\n",
            "nothing: ~\n",
        ))
        .unwrap();
        assert_eq!(fm["title"], st("Update: 'Next time' \"in\" Moscowé"));
        assert_eq!(fm["author"], st("O'Brien"));
        assert_eq!(fm["date"], st("2025-08-16T05:01:19"));
        assert_eq!(fm["tags"], FmValue::List(vec!["News".into(), "a, b".into(), "c".into()]));
        assert_eq!(fm["empty"], FmValue::List(vec![]));
        assert_eq!(fm["categories"], FmValue::List(vec!["World".into(), "Politics".into()]));
        assert_eq!(fm["url"], st("https://x.example/a#frag"));
        assert_eq!(fm["nothing"], FmValue::Null);
        let m = meta(&fm);
        assert_eq!(m.tags, vec!["News", "a, b", "c", "World", "Politics"]);
        assert_eq!(m.author.as_deref(), Some("O'Brien"));
    }

    #[test]
    fn nested_block_and_continuation_values() {
        let fm = yaml("image:\n  path: a.jpg\n  alt: x\nexcerpt: a long\n  line continued\nbody: |\n  one\n  two\nfold: >-\n  a\n  b\nnext: 1\n")
            .unwrap();
        assert_eq!(fm["image.path"], st("a.jpg"));
        assert_eq!(fm["excerpt"], st("a long line continued"));
        assert_eq!(fm["body"], st("one\ntwo"));
        assert_eq!(fm["fold"], st("a b"));
        assert_eq!(fm["next"], st("1"));
        let fm = yaml("k: |\n  a\n\u{3000}b\n").unwrap();
        assert_eq!(fm["k"], st("a\nb"));
    }

    #[test]
    fn malformed_yaml_is_located() {
        let e = yaml("title: ok\njust some words\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("not `key: value`"), "{}", e.reason);
        let e = yaml("title: \"unterminated\n").unwrap_err();
        assert!(e.reason.contains("unterminated"), "{}", e.reason);
        let e = yaml("- item\n").unwrap_err();
        assert!(e.reason.contains("list item"), "{}", e.reason);
        let e = yaml("tags: [a, [b]]\n").unwrap_err();
        assert!(e.reason.contains("nested"), "{}", e.reason);
        let e = yaml("t: \"a\" b\n").unwrap_err();
        assert!(e.reason.contains("after a quoted"), "{}", e.reason);
        assert!(yaml("http://x.example\n").is_err());
    }

    #[test]
    fn blocks_are_found_with_limits() {
        let text = "---\ntitle: a\n---\nbody";
        let b = find_block(text, Some(64)).unwrap();
        assert_eq!(b.inner, "title: a\n");
        assert_eq!(&text[b.body_start..], "body");
        let text = "+++\r\ntitle = \"a\"\r\n+++\r\n\r\nbody";
        let b = find_block(text, None).unwrap();
        assert!(b.toml);
        assert_eq!(&text[b.body_start..], "\r\nbody");
        assert_eq!(parse_block(&b).unwrap()["title"], st("a"));
        let long = format!("---\n{}---\nbody", "k: v\n".repeat(70));
        assert!(find_block(&long, Some(64)).is_err());
        assert!(find_block(&long, None).is_ok());
        let e = find_block("---\ntitle: a\nbody\n", None).unwrap_err();
        assert!(e.reason.contains("unterminated"), "{}", e.reason);
    }

    #[test]
    fn toml_front_matter() {
        let fm = parse_toml("title = \"T\"\ndate = 2025-08-16T05:01:19Z\ntags = [\"a\", \"b\"]\n[extra]\nx = 1\n", 2)
            .unwrap();
        assert_eq!(fm["title"], st("T"));
        assert_eq!(fm["date"], st("2025-08-16T05:01:19Z"));
        assert_eq!(fm["tags"], FmValue::List(vec!["a".into(), "b".into()]));
        assert!(!fm.contains_key("extra"));
        let e = parse_toml("title = \n", 2).unwrap_err();
        assert!(e.reason.contains("TOML"), "{}", e.reason);
        assert_eq!(e.line, 2);
    }
}
