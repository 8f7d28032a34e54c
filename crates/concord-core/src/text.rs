//! Text helpers every stage shares: the matching key and specified, seeded hashes.

use unicode_normalization::UnicodeNormalization;

/// The days of the week, capitalised: words that start with a capital but name no one.
pub const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// The months, capitalised (note "May", which is also a surname).
pub const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The matching form of a text, for comparing wording across outlets.
///
/// Compatibility-normalised (NFKC) and lower-cased; curly and straight quotes,
/// apostrophes and primes unified (`'` and `"`), dashes to `-`, ellipses to `...`,
/// invisible characters dropped and whitespace runs folded to one space.
///
/// ```
/// use concord_core::text::matching_key;
/// assert_eq!(matching_key("“No deal”  —  Trump’s…"), matching_key("\"no DEAL\" - trump's..."));
/// ```
pub fn matching_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true; // trims leading whitespace
    for c in s.nfkc().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '\u{00B4}' => "'",
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => "\"",
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => "-",
            '\u{2026}' => "...",
            '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => "",
            c if c.is_whitespace() => " ",
            _ => {
                space = false;
                out.push(c);
                continue;
            }
        };
        if mapped == " " {
            if !space {
                out.push(' ');
                space = true;
            }
        } else if !mapped.is_empty() {
            out.push_str(mapped);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// FNV-1a 64-bit hash of `bytes` (a specified function: stable across runs, platforms and
/// versions, unlike `std`'s `RandomState`).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The SplitMix64 finaliser: a bijective 64-bit mixer, for deriving seeded hash families
/// (`mix64(h ^ seed)`).
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A short stable id: `prefix` followed by 12 hex digits of a hash of `parts`.
pub fn stable_id(prefix: &str, parts: &[&str]) -> String {
    let mut h = 0u64;
    for p in parts {
        h = mix64(h ^ fnv1a64(p.as_bytes()));
    }
    format!("{prefix}{:012x}", h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_unifies_punctuation_and_case() {
        assert_eq!(matching_key("There’s no deal—until there’s a deal…"), "there's no deal-until there's a deal...");
        assert_eq!(matching_key("  a \u{00A0}\t b  "), "a b");
        assert_eq!(matching_key("ﬁne"), "fine");
        assert_eq!(matching_key("soft\u{00AD}ware"), "software");
    }

    #[test]
    fn hashes_are_fixed() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(stable_id("e", &["x"]), stable_id("e", &["x"]));
        assert_ne!(stable_id("e", &["x", "y"]), stable_id("e", &["xy"]));
    }
}
