//! A small word tokenizer with byte offsets, and token shape helpers.

/// A token: a byte range of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\'' | '\u{2019}' | '.' | '&')
}

/// Appends the tokens of `text[start..end]` to `out`.
///
/// A word is a run of letters and digits, joined through `-`, `'`, `’`, `.` and `&` when a
/// letter or digit follows (`Elmendorf-Richardson`, `O'Brien`, `U.S.`); a possessive `'s`
/// is split off (`Putin` `’s`). Any other non-space character is a token of its own.
pub fn tokenize(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let end = end.min(text.len());
    let Some(s) = text.get(start..end) else { return };
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (off, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if !c.is_alphanumeric() {
            // a split-off possessive 's stays one token
            let poss = matches!(c, '\'' | '\u{2019}')
                && matches!(chars.get(i + 1), Some(&(_, 's' | 'S')))
                && !chars.get(i + 2).is_some_and(|x| x.1.is_alphanumeric());
            if poss {
                let next = chars.get(i + 2).map(|x| x.0).unwrap_or(s.len());
                out.push(Token { start: start + off, end: start + next });
                i += 2;
                continue;
            }
            let next = chars.get(i + 1).map(|x| x.0).unwrap_or(s.len());
            out.push(Token { start: start + off, end: start + next });
            i += 1;
            continue;
        }
        let mut j = i + 1;
        loop {
            match chars.get(j) {
                Some(&(_, c)) if c.is_alphanumeric() => j += 1,
                Some(&(_, c)) if is_joiner(c) && chars.get(j + 1).is_some_and(|x| x.1.is_alphanumeric()) => {
                    // possessive: ’s / 's followed by a non-word character
                    if matches!(c, '\'' | '\u{2019}')
                        && matches!(chars.get(j + 1), Some(&(_, 's' | 'S')))
                        && !chars.get(j + 2).is_some_and(|x| x.1.is_alphanumeric())
                    {
                        break;
                    }
                    j += 2;
                }
                _ => break,
            }
        }
        // acronym with a final dot: U.S. / U.N.
        let word_end = chars.get(j).map(|x| x.0).unwrap_or(s.len());
        let word = &s[off..word_end];
        if chars.get(j).is_some_and(|x| x.1 == '.')
            && word.contains('.')
            && word.split('.').all(|p| p.chars().count() == 1)
        {
            j += 1;
        }
        let e = chars.get(j).map(|x| x.0).unwrap_or(s.len());
        out.push(Token { start: start + off, end: start + e });
        i = j;
    }
}

/// Capitalisation class of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Starts with an upper-case letter, has lower-case letters.
    Title,
    /// Only upper-case letters (at least one).
    Upper,
    /// Starts with a lower-case letter.
    Lower,
    /// Anything else (digits, punctuation).
    Other,
}

/// The capitalisation class of `w`.
pub fn case_of(w: &str) -> Case {
    let Some(first) = w.chars().next() else { return Case::Other };
    if first.is_lowercase() {
        return Case::Lower;
    }
    if !first.is_uppercase() {
        return Case::Other;
    }
    if w.chars().any(char::is_lowercase) {
        Case::Title
    } else {
        Case::Upper
    }
}

/// True for a word that starts with an upper-case letter.
pub fn is_cap(w: &str) -> bool {
    matches!(case_of(w), Case::Title | Case::Upper)
}

/// A compact word shape: `Xx`, `X`, `x`, `d`, with runs folded (`McCain` → `XxXx`, `U.S.` → `X.X.`).
pub fn shape(w: &str, out: &mut String) {
    out.clear();
    let mut last = '\0';
    for c in w.chars() {
        let k = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k != last {
            out.push(k);
            last = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        let mut v = Vec::new();
        tokenize(s, 0, s.len(), &mut v);
        v.iter().map(|t| &s[t.start..t.end]).collect()
    }

    #[test]
    fn splits_words_possessives_acronyms() {
        assert_eq!(
            toks("Putin’s aide, O'Brien's U.S. trip."),
            vec!["Putin", "’s", "aide", ",", "O'Brien", "'s", "U.S.", "trip", "."]
        );
        assert_eq!(
            toks("Joint Base Elmendorf-Richardson — “yes”"),
            vec!["Joint", "Base", "Elmendorf-Richardson", "—", "“", "yes", "”"]
        );
        assert_eq!(toks("3-0 win"), vec!["3-0", "win"]);
    }

    #[test]
    fn shapes_and_cases() {
        let mut s = String::new();
        shape("McCain", &mut s);
        assert_eq!(s, "XxXx");
        shape("1996", &mut s);
        assert_eq!(s, "d");
        assert_eq!(case_of("NATO"), Case::Upper);
        assert_eq!(case_of("Kyiv"), Case::Title);
        assert_eq!(case_of("envoy"), Case::Lower);
        assert_eq!(case_of("1"), Case::Other);
    }
}
