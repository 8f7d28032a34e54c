//! Boilerplate line rules and structure detection (headings, list items, labels, datelines).
//!
//! Every test here runs on one cleaned line (or paragraph) and looks at a bounded prefix of
//! it, except the link tests, which are plain substring searches: all linear.

use memchr::memmem::Finder;
use regex::Regex;
use regex_automata::meta;

/// Names of the built-in boilerplate rules, in the order they are tried.
pub const RULES: &[&str] =
    &["social-embed", "social-attribution", "related-links", "widget", "byline", "empty-lines", "repeated-paragraph"];

/// A dateline opening a paragraph: the place (group 1), an optional agency in brackets, a dash.
const DATELINE: &str = r"^(\p{Lu}[\p{Lu}\p{M}.'’ -]{2,40}?(?:,\s*\p{L}[\p{L}\p{M}.'’ -]{1,30}?)?)\s*(?:\([^()]{1,30}\)\s*)?[–—―-]{1,2}\s+\S";

/// The compiled built-in patterns.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    /// Compiled on first use (the first line with `(@`): it is the costliest pattern to
    /// build (about 50 ms, its Unicode classes repeated up to 100 times) and most corpora
    /// never need it.
    attribution: std::sync::OnceLock<Regex>,
    byline: Regex,
    desk: Regex,
    /// Without the bounded backtracker: the Unicode classes repeated up to 40 times make a
    /// large NFA, and the backtracker clears a visited set of NFA size × match length on
    /// every search, which cost more than the rest of a short article's normalisation. The
    /// PikeVM finds the same captures.
    dateline: meta::Regex,
    comments: Regex,
    /// `(@`, the sign of a social attribution.
    at_handle: Finder<'static>,
    /// `.co`, in every link a social embed carries.
    dot_co: Finder<'static>,
}

impl Patterns {
    pub(crate) fn new() -> Patterns {
        let name = r"(?:\p{Lu}[\p{L}\p{M}.'’-]*|and|&|of|the|de|da|del|der|van|von|al|bin|el|la|le)";
        let byline = format!(r"^(?i:by)\s+{name}(?:\s*,?\s+{name}){{0,7}}\s*(?:\|[^\n]{{0,60}})?$");
        Patterns {
            attribution: std::sync::OnceLock::new(),
            byline: Regex::new(&byline).expect("built-in pattern"),
            desk: Regex::new(
                r"(?i)^(?:[\p{L}-]+\s+){0,3}(?:desk|staff\s+reporter|staff\s+writer|news\s+service|correspondent)$",
            )
            .expect("built-in pattern"),
            dateline: meta::Regex::builder()
                .configure(meta::Regex::config().backtrack(false))
                .build(DATELINE)
                .expect("built-in pattern"),
            comments: Regex::new(r"^\d{1,6}\s+comments?$").expect("built-in pattern"),
            at_handle: Finder::new(b"(@").into_owned(),
            dot_co: Finder::new(b".co").into_owned(),
        }
    }

    /// The social attribution pattern ("— Name (@handle) March 3, 2024").
    fn attribution(&self) -> &Regex {
        self.attribution.get_or_init(|| {
            const MONTH: &str = "(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
            let attribution = format!(
                r"^(?:[—–―-]{{1,2}}\s*)?\S[^\n]{{0,100}}\(@\w{{1,30}}\)\s*(?:on\s+)?{MONTH}\.?\s+\d{{1,2}},?\s+\d{{4}}\s*$|^A post shared by [^\n]{{1,100}}\(@[\w.]{{1,30}}\)"
            );
            Regex::new(&attribution).expect("built-in pattern")
        })
    }

    /// The built-in rule that removes a whole line, if any (`enabled` says which may fire).
    pub(crate) fn line_rule(&self, t: &str, enabled: impl Fn(&str) -> bool) -> Option<&'static str> {
        if enabled("social-embed") && self.dot_co.find(t.as_bytes()).is_some() && is_social_embed(t) {
            return Some("social-embed");
        }
        let short = t.len() <= 240;
        if short
            && enabled("social-attribution")
            && self.at_handle.find(t.as_bytes()).is_some()
            && self.attribution().is_match(t)
        {
            return Some("social-attribution");
        }
        if short && enabled("related-links") && is_related_link(t) {
            return Some("related-links");
        }
        if short && enabled("widget") && self.is_widget(t) {
            return Some("widget");
        }
        if t.len() <= 100 && enabled("byline") && self.is_byline(t) {
            return Some("byline");
        }
        None
    }

    fn is_widget(&self, t: &str) -> bool {
        if t.len() > 60 {
            return t.len() < 120
                && starts_with_ci(t, &["follow us on", "sign up for our", "subscribe to our", "click here to"]);
        }
        // More than four words: at least four spaces (counted without an early exit, which
        // vectorises on these short lines).
        if t.bytes().filter(|&b| b == b' ').count() >= 4 {
            return starts_with_ci(t, &["follow us on", "sign up for our", "subscribe to our", "click here to"]);
        }
        let low = t.trim_end_matches([':', '.', '!', ' ', '»', '>']).to_lowercase();
        const WIDGETS: &[&str] = &[
            "add comment",
            "advertisement",
            "back to top",
            "click here",
            "comment",
            "comments",
            "copy link",
            "email",
            "facebook",
            "leave a comment",
            "linkedin",
            "post a comment",
            "print",
            "share",
            "share on facebook",
            "share on twitter",
            "share on x",
            "share this",
            "share this article",
            "share this story",
            "share via email",
            "show comments",
            "sign up",
            "sponsored",
            "subscribe",
            "tweet",
            "twitter",
            "view comments",
            "whatsapp",
        ];
        WIDGETS.binary_search(&low.as_str()).is_ok()
            || self.comments.is_match(&low)
            || starts_with_ci(t, &["follow us on", "sign up for our", "subscribe to our", "click here to"])
    }

    fn is_byline(&self, t: &str) -> bool {
        let ends_sentence = t.ends_with(['.', '!', '?', ':']) && !t.ends_with(" Jr.") && !t.ends_with(" Sr.");
        if ends_sentence {
            return false;
        }
        let by = t.len() > 3 && t.as_bytes()[..3].eq_ignore_ascii_case(b"by ");
        if by && self.byline.is_match(t) {
            return true;
        }
        let tail = memchr::memrchr(b' ', t.as_bytes()).map_or(t, |k| &t[k + 1..]);
        ["desk", "reporter", "writer", "service", "correspondent"].iter().any(|w| tail.eq_ignore_ascii_case(w))
            && self.desk.is_match(t)
    }

    /// A dateline at the start of a paragraph: the place's byte range and where the story
    /// text starts after the dash.
    pub(crate) fn dateline(&self, t: &str) -> Option<(std::ops::Range<usize>, usize)> {
        let head = prefix(t, 120);
        let mut c = self.dateline.create_captures();
        self.dateline.captures(head, &mut c);
        let place = c.get_group(1)?.range();
        let whole = c.get_match()?.range();
        let name = head[place.clone()].trim_end();
        // The first part (before any comma) is all capitals, at least two letters.
        let first = name.split(',').next().unwrap_or("");
        if first.chars().filter(|c| c.is_alphabetic()).count() < 2 || first.chars().any(char::is_lowercase) {
            return None;
        }
        // The story starts at the last char of the match (the `\S` after the dash).
        let story = whole.end - head[..whole.end].chars().next_back().map_or(0, char::len_utf8);
        Some((place.start..place.start + name.len(), story))
    }
}

/// The longest prefix of `t` of at most `n` bytes that ends on a char boundary.
pub(crate) fn prefix(t: &str, n: usize) -> &str {
    if t.len() <= n {
        return t;
    }
    let mut k = n;
    while !t.is_char_boundary(k) {
        k -= 1;
    }
    &t[..k]
}

fn starts_with_ci(t: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| t.len() >= p.len() && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// A line carrying an embedded social post's link (each contains `.co`, which
/// [`Patterns::line_rule`] looks for first).
fn is_social_embed(t: &str) -> bool {
    t.contains("pic.twitter.com/")
        || t.contains("://t.co/")
        || t.starts_with("t.co/")
        || t.contains(" t.co/")
        || ((t.contains("twitter.com/") || t.contains("x.com/")) && t.contains("/status/"))
        || t.contains("instagram.com/p/")
}

/// A "related links" line: "ALSO READ: ...", "Read more", "Related:", "RELATED".
pub(crate) fn is_related_link(t: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "also read",
        "read also",
        "read more",
        "related",
        "see also",
        "more from",
        "recommended",
        "you may also like",
        "don't miss",
        "also see",
        "must read",
        "more:",
    ];
    // The first bytes of the prefixes, as a table: most lines start with none.
    const FIRSTS: [bool; 256] = {
        let mut t = [false; 256];
        let mut k = 0;
        while k < PREFIXES.len() {
            t[PREFIXES[k].as_bytes()[0] as usize] = true;
            k += 1;
        }
        t
    };
    let Some(first) = t.bytes().next().map(|b| b.to_ascii_lowercase()) else { return false };
    if !FIRSTS[first as usize] {
        return false;
    }
    for p in PREFIXES {
        // The first byte rules out most prefixes before a full comparison.
        if p.as_bytes()[0] == first && t.len() >= p.len() && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        {
            let rest = &t[p.len()..];
            let caps = t[..p.len()].bytes().all(|b| !b.is_ascii_lowercase());
            let rest_t = rest.trim_start();
            if rest_t.is_empty()
                || rest_t.starts_with([':', '-', '–', '—', '|', '»', '>', '…'])
                || p.ends_with(':')
                || (caps && rest.starts_with(' '))
            {
                return true;
            }
        }
    }
    false
}

/// Length of a bullet or number marker opening a line, spaces included ("- ", "• ", "1. ").
pub(crate) fn list_marker(t: &str) -> Option<usize> {
    let mut it = t.char_indices();
    let (_, c) = it.next()?;
    let after = |k: usize| -> Option<usize> {
        let rest = &t[k..];
        let n = rest.len() - rest.trim_start().len();
        (n > 0 && n < rest.len()).then_some(k + n)
    };
    match c {
        '-' | '*' | '–' | '·' => after(c.len_utf8()),
        '•' | '‣' | '◦' | '⁃' | '▪' | '■' | '►' => {
            let k = c.len_utf8();
            Some(after(k).unwrap_or(k)).filter(|&k| k < t.len())
        }
        '0'..='9' => {
            let b = t.as_bytes();
            let mut k = 0;
            while k < b.len() && k < 3 && b[k].is_ascii_digit() {
                k += 1;
            }
            if k < b.len() && (b[k] == b'.' || b[k] == b')') {
                after(k + 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Ends like a sentence: terminal punctuation, possibly inside closing quotes or brackets.
pub(crate) fn ends_terminal(t: &str) -> bool {
    let core = t.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', ' ']);
    core.ends_with(['.', '!', '?', '…', ':', ';', ',', '。', '！', '？'])
}

/// A heading or section title: short, starts with a capital (or a digit or quote), has
/// letters, and does not end like a sentence.
pub(crate) fn is_heading(t: &str, max_words: usize) -> bool {
    if t.len() > 200 || ends_terminal(t) {
        return false;
    }
    let Some(first) = t.chars().find(|c| !matches!(c, '"' | '“' | '‘' | '\'')) else { return false };
    if !(first.is_uppercase() || first.is_ascii_digit()) {
        return false;
    }
    let words = t.split_whitespace().count();
    words <= max_words && t.chars().any(char::is_alphabetic)
}

/// A list label opening a line ("No Deal Yet: ..."): the byte length of the label with its
/// colon, when the label is 1 to 6 title-case words and text follows.
pub(crate) fn label_len(t: &str) -> Option<usize> {
    let head = prefix(t, 64);
    let colon = head.find(':')?;
    let rest = &t[colon + 1..];
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    let label = &t[..colon];
    if label.contains([',', '!', '?', '"', '“', '”', ';', '(']) {
        return None;
    }
    const SMALL: &[&str] =
        &["&", "a", "an", "and", "as", "at", "for", "in", "of", "on", "or", "the", "to", "vs", "vs.", "with"];
    let mut n = 0;
    for (k, w) in label.split_whitespace().enumerate() {
        n += 1;
        let cap = w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if !(cap || (k > 0 && SMALL.contains(&w))) {
            return None;
        }
        if w.ends_with('.') && !SMALL.contains(&w) {
            return None;
        }
    }
    (1..=6).contains(&n).then_some(colon + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_fire_on_boilerplate_only() {
        let p = Patterns::new();
        let all = |_: &str| true;
        let cases = [
            ("ALSO READ: Putin Gains Recognition — Did Trump Come Back?", Some("related-links")),
            ("RELATED", Some("related-links")),
            ("Read more: the summit", Some("related-links")),
            ("Read more about it in the report we published last week.", None),
            ("— Margo Martin (@MargoMartin47) August 15, 2025", Some("social-attribution")),
            ("“Next time” President Putin pic.twitter.com/Eomwp1zs7S", Some("social-embed")),
            ("Comments", Some("widget")),
            ("Share this article", Some("widget")),
            ("12 comments", Some("widget")),
            ("By Monitoring Desk", Some("byline")),
            ("By Jane Doe and John Roe", Some("byline")),
            ("By hosting Putin there, Trump won.", None),
            ("By Tuesday, the talks had collapsed", None),
            ("Related talks were held in Geneva on Monday.", None),
            ("Symbolic unity despite no formal deal", None),
            ("Share this", Some("widget")),
            ("Share this with a friend", None),
            ("Chief Washington Correspondent", Some("byline")),
            ("Jane Doe, Washington Correspondent", None),
            ("Our Foreign DESK", Some("byline")),
            ("The front desk staff", None),
        ];
        for (t, want) in cases {
            assert_eq!(p.line_rule(t, all), want, "{t}");
        }
        assert_eq!(p.line_rule("Comments", |r| r != "widget"), None);
    }

    #[test]
    fn structure_detection() {
        assert!(is_heading("Key Takeaways: What the Alaska Summit Means Going Forward", 14));
        assert!(is_heading("Trump’s Cautious Optimism: “No Deal Until There’s a Deal”", 14));
        assert!(!is_heading("“Next time in Moscow.”", 14));
        assert!(!is_heading("Key points from Putin’s remarks included:", 14));
        assert_eq!(label_len("No Deal Yet: Trump emphasized that"), Some(12));
        assert_eq!(label_len("Peace vs. Concessions: Trump has"), Some(22));
        assert_eq!(label_len("He said: no way"), None);
        assert_eq!(list_marker("- The Alaska venue"), Some(2));
        assert_eq!(list_marker("2) second"), Some(3));
        assert_eq!(list_marker("-5 degrees"), None);
        assert_eq!(list_marker("2022 was a year"), None);
        let p = Patterns::new();
        let t = "ANCHORAGE, ALASKA – A highly anticipated summit";
        let (place, story) = p.dateline(t).unwrap();
        assert_eq!(&t[place], "ANCHORAGE, ALASKA");
        assert_eq!(&t[story..], "A highly anticipated summit");
        let t = "WASHINGTON (Reuters) - The Senate voted.";
        assert_eq!(&t[p.dateline(t).unwrap().0], "WASHINGTON");
        assert!(p.dateline("It has been – reported").is_none());
        assert!(p.dateline("US President Trump – in Alaska").is_none());
    }

    #[test]
    fn dateline_engine_finds_what_the_regex_crate_finds() {
        let p = Patterns::new();
        let reference = Regex::new(DATELINE).unwrap();
        let cases = [
            "ANCHORAGE, ALASKA – A highly anticipated summit",
            "WASHINGTON (Reuters) - The Senate voted.",
            "NEW YORK, March 3 - Shares rose",
            "SÃO PAULO, Brazil — Prices fell",
            "KYIV’S OUTSKIRTS (AP) -- Shelling",
            "O'HARE -  Flights",
            "A - b",
            "AB-CD - x",
            "It has been – reported",
            "LONDON, Oct 19 -\nthe rest",
            "BONN, West Germany, March 2 - Chancellor",
            "UNITED NATIONS (Reuters) - ",
            "ÉLYSÉE – Macron",
        ];
        for t in cases {
            let head = prefix(t, 120);
            let want = reference.captures(head).map(|c| (c.get(0).unwrap().range(), c.get(1).unwrap().range()));
            let mut c = p.dateline.create_captures();
            p.dateline.captures(head, &mut c);
            let got = c.get_match().map(|m| (m.range(), c.get_group(1).unwrap().range()));
            assert_eq!(got, want, "{t}");
        }
    }
}
