//! Word lists that discovery and role detection use (cue words of news English).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a as a [`Hasher`]: fast for the short words looked up here (SipHash dominated the
/// lookups), deterministic, and used for membership only.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        concord_core::text::mix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A word list as a hash set, with a quick filter on length and first byte that rejects
/// most words before any hashing.
struct WordSet {
    set: HashSet<&'static [u8], BuildHasherDefault<Fnv>>,
    max_len: usize,
    first: [bool; 256],
}

impl WordSet {
    fn new(list: &[&'static str]) -> WordSet {
        let mut ws = WordSet { set: HashSet::default(), max_len: 0, first: [false; 256] };
        for w in list {
            ws.set.insert(w.as_bytes());
            ws.max_len = ws.max_len.max(w.len());
            if let Some(&b) = w.as_bytes().first() {
                ws.first[b as usize] = true;
            }
        }
        ws
    }

    fn contains(&self, w: &[u8]) -> bool {
        match w.first() {
            Some(&f) if w.len() > self.max_len || !self.first[f as usize] => false,
            _ => self.set.contains(w),
        }
    }
}

/// Role and title words (lower case) that can stand right before a person's name.
pub static ROLE_HEADS: &[&str] = &[
    "president",
    "president-elect",
    "senator",
    "sen.",
    "sen",
    "rep.",
    "representative",
    "congressman",
    "congresswoman",
    "governor",
    "gov.",
    "mayor",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "ambassador",
    "envoy",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "aide",
    "adviser",
    "advisor",
    "chief",
    "director",
    "chairman",
    "chairwoman",
    "chair",
    "ceo",
    "leader",
    "commander",
    "lieutenant",
    "colonel",
    "col.",
    "captain",
    "capt.",
    "sergeant",
    "general",
    "gen.",
    "judge",
    "justice",
    "prosecutor",
    "lawyer",
    "attorney",
    "correspondent",
    "reporter",
    "editor",
    "analyst",
    "professor",
    "prof.",
    "dr",
    "dr.",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "businessman",
    "businesswoman",
    "negotiator",
    "official",
    "minister",
    "secretary",
    "state",
    "premier",
    "counterpart",
    "coach",
    "manager",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "tycoon",
    "billionaire",
    "doctor",
    "economist",
    "nominee",
    "candidate",
    "diplomat",
    "speaker",
    "host",
    "anchor",
    "presenter",
    "author",
    "founder",
    "officer",
    "sheikh",
    "cardinal",
    "archbishop",
    "bishop",
    "rabbi",
    "imam",
    "emir",
    "sultan",
    "marshal",
    "admiral",
    "mp",
    "lawmaker",
    "legislator",
    "dictator",
    "activist",
    "researcher",
    "scientist",
    "writer",
    "journalist",
    "actor",
    "actress",
    "singer",
];

/// Words that modify a title ("Foreign Minister", "former President", "Vice President").
pub static ROLE_MODIFIERS: &[&str] = &[
    "foreign",
    "defence",
    "defense",
    "finance",
    "interior",
    "justice",
    "special",
    "former",
    "top",
    "senior",
    "national",
    "security",
    "vice",
    "prime",
    "deputy",
    "house",
    "white",
    "acting",
    "late",
    "then",
    "interim",
    "assistant",
    "executive",
    "managing",
    "general",
    "presidential",
    "kremlin",
    "chief",
    "economic",
    "trade",
    "health",
    "energy",
    "of",
    "the",
    "for",
    "-",
    "u.s.",
    "us",
    "uk",
    "eu",
    "un",
    "head",
];

/// Speech and reporting verbs that follow a person's name.
pub static SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "reported",
    "wrote",
    "asked",
    "explained",
    "argued",
    "noted",
    "warned",
    "stated",
    "insisted",
    "claimed",
    "tweeted",
    "posted",
    "announced",
    "replied",
    "admitted",
    "stressed",
    "declared",
];

/// Last words that make a capitalised sequence an organisation.
pub static ORG_HEADS: &[&str] = &[
    "News",
    "Court",
    "Ministry",
    "Agency",
    "Party",
    "Bank",
    "Council",
    "Committee",
    "Commission",
    "Corporation",
    "Corp",
    "Corp.",
    "Inc",
    "Inc.",
    "Ltd",
    "Ltd.",
    "Group",
    "University",
    "Association",
    "Union",
    "Institute",
    "Department",
    "Army",
    "Navy",
    "Force",
    "Forces",
    "Times",
    "Post",
    "Journal",
    "Press",
    "Network",
    "Foundation",
    "Fund",
    "Authority",
    "Organisation",
    "Organization",
    "Federation",
    "League",
    "Club",
    "Company",
    "Co",
    "Co.",
    "Airlines",
    "Airways",
    "Parliament",
    "Assembly",
    "Senate",
    "Congress",
    "Office",
    "Service",
    "Guard",
    "Police",
    "Channel",
    "Tribune",
    "Herald",
    "Gazette",
    "Telegraph",
    "Review",
    "Bureau",
    "Board",
    "Centre",
    "Center",
    "College",
    "School",
    "Hospital",
    "Church",
    "Front",
    "Movement",
    "Alliance",
    "Coalition",
    "Brigade",
    "Battalion",
    "Exchange",
    "Holdings",
    "Industries",
    "Systems",
    "Motors",
    "Media",
    "Radio",
    "Television",
    "TV",
    "Magazine",
    "Daily",
    "Cabinet",
    "Government",
    "Ministries",
];

/// First words that make "X of ..." an organisation.
pub static ORG_FIRST_OF: &[&str] = &[
    "Ministry",
    "Department",
    "University",
    "Bank",
    "Council",
    "Court",
    "Office",
    "Church",
    "Commission",
    "Committee",
    "Board",
];

/// Words that make a capitalised sequence a place.
pub static LOC_WORDS: &[&str] = &[
    "Base",
    "Airport",
    "Airbase",
    "River",
    "Mountains",
    "Mount",
    "Island",
    "Islands",
    "Street",
    "Square",
    "Avenue",
    "Road",
    "Bridge",
    "Province",
    "County",
    "Valley",
    "Sea",
    "Ocean",
    "Lake",
    "Bay",
    "Peninsula",
    "Region",
    "Oblast",
    "Strait",
    "Desert",
    "Hills",
    "Coast",
    "Canal",
    "District",
    "Port",
    "Harbour",
    "Harbor",
];

/// Capitalised words that never start or form a name on their own.
pub static CAP_STOP: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "His",
    "Her",
    "Its",
    "Their",
    "Our",
    "My",
    "Your",
    "This",
    "That",
    "These",
    "Those",
    "But",
    "And",
    "Or",
    "In",
    "On",
    "At",
    "For",
    "From",
    "With",
    "As",
    "By",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "Since",
    "Until",
    "Although",
    "Though",
    "Because",
    "So",
    "Yet",
    "Still",
    "Also",
    "However",
    "Meanwhile",
    "Here",
    "There",
    "What",
    "Who",
    "Why",
    "How",
    "Where",
    "Which",
    "Not",
    "No",
    "Yes",
    "All",
    "Some",
    "Many",
    "Most",
    "More",
    "Both",
    "Each",
    "Every",
    "Such",
    "Then",
    "Now",
    "Today",
    "Yesterday",
    "Tomorrow",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
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
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Of",
    "To",
    "Is",
    "Was",
    "Are",
    "Were",
    "Be",
    "Has",
    "Have",
    "Had",
    "Do",
    "Did",
    "Will",
    "Would",
    "Can",
    "Could",
    "Should",
    "Must",
    "Key",
    "Update",
    "Read",
    "Watch",
    "Comments",
    "Photo",
    "Video",
    "Neither",
    "Nor",
    "Either",
    "Despite",
    "Within",
    "Without",
    "Well",
    "Even",
    "Just",
    "Only",
    "Indeed",
    "Instead",
    "Again",
    "Already",
    "Perhaps",
    "Maybe",
    "Thus",
    "Therefore",
    "Nevertheless",
    "Nonetheless",
    "Otherwise",
    "Unlike",
    "Like",
    "Among",
    "Amid",
    "During",
    "Under",
    "Over",
    "Through",
    "Against",
    "Across",
    "Behind",
    "Beyond",
    "About",
    "Above",
    "Below",
    "Besides",
    "Whether",
    "Once",
    "Later",
    "Earlier",
    "Last",
    "Next",
    "First",
    "Second",
    "Finally",
    "Overall",
    "Asked",
    "Speaking",
    "According",
    "Following",
    "Let",
    "Do",
    "Don't",
    "Please",
    "Thank",
    "Thanks",
    "ALSO",
    "READ",
    "MORE",
    "RELATED",
    "WATCH",
    "ADVERTISEMENT",
];

/// Lower-case connectors allowed inside a name ("Ministry of Defence", "Osama bin Laden").
pub static CONNECTORS: &[&str] =
    &["of", "de", "du", "da", "al", "al-", "bin", "van", "von", "der", "den", "la", "le", "&", "y"];

/// Words that follow a place cue and make it one ("in X", "from X").
pub static PLACE_CUES: &[&str] = &["in", "from", "near", "outside", "across", "to"];

/// True when `list` contains `w`.
pub fn has(list: &'static [&'static str], w: &str) -> bool {
    set_of(list).contains(w.as_bytes())
}

/// The lists above as hash sets, built once (membership only: no order leaks out).
fn set_of(list: &'static [&'static str]) -> &'static WordSet {
    static SETS: OnceLock<Vec<(usize, WordSet)>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        [ROLE_HEADS, ROLE_MODIFIERS, SPEECH_VERBS, ORG_HEADS, ORG_FIRST_OF, LOC_WORDS, CAP_STOP, CONNECTORS, PLACE_CUES]
            .iter()
            .map(|l| (l.as_ptr() as usize, WordSet::new(l)))
            .collect()
    });
    static EMPTY: OnceLock<WordSet> = OnceLock::new();
    sets.iter()
        .find(|(p, _)| *p == list.as_ptr() as usize)
        .map(|(_, s)| s)
        .unwrap_or_else(|| EMPTY.get_or_init(|| WordSet::new(&[])))
}

/// [`ROLE_HEADS`] (bit 1) and [`ROLE_MODIFIERS`] (bit 2) in one table, with a quick filter
/// on length and first letter that rejects most words before any hashing.
struct RoleWords {
    map: HashMap<&'static [u8], u8, BuildHasherDefault<Fnv>>,
    max_len: usize,
    first: [bool; 256],
}

fn role_words() -> &'static RoleWords {
    static ROLES: OnceLock<RoleWords> = OnceLock::new();
    ROLES.get_or_init(|| {
        let mut r = RoleWords { map: HashMap::default(), max_len: 0, first: [false; 256] };
        for (bit, list) in [(1u8, ROLE_HEADS), (2, ROLE_MODIFIERS)] {
            for w in list {
                *r.map.entry(w.as_bytes()).or_default() |= bit;
                r.max_len = r.max_len.max(w.len());
                if let Some(&b) = w.as_bytes().first() {
                    r.first[b as usize] = true;
                }
            }
        }
        r
    })
}

/// The role bits of the lower-cased `w` (0 when it is no role word).
fn role_bits(w: &str) -> u8 {
    let r = role_words();
    let b = w.as_bytes();
    if !w.is_ascii() {
        return r.map.get(w.to_lowercase().as_bytes()).copied().unwrap_or(0);
    }
    // ASCII: lower-casing keeps the length and maps the first byte one to one
    let Some(&f) = b.first() else { return r.map.get(b).copied().unwrap_or(0) };
    if b.len() > r.max_len || !r.first[f.to_ascii_lowercase() as usize] {
        return 0;
    }
    let mut buf = [0u8; 64];
    let Some(buf) = buf.get_mut(..b.len()) else { return 0 };
    for (d, c) in buf.iter_mut().zip(b) {
        *d = c.to_ascii_lowercase();
    }
    r.map.get(&buf[..]).copied().unwrap_or(0)
}

/// True when the lower-cased `w` is a role word.
pub fn is_role_head(w: &str) -> bool {
    role_bits(w) & 1 != 0
}

/// True when `w` may appear inside a title phrase.
pub fn is_role_word(w: &str) -> bool {
    role_bits(w) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lookups_match_the_lists() {
        let naive = |list: &[&str], w: &str| list.contains(&w.to_lowercase().as_str());
        let mut words: Vec<String> = ROLE_HEADS.iter().chain(ROLE_MODIFIERS).map(|w| w.to_string()).collect();
        words.extend(ROLE_HEADS.iter().map(|w| w.to_uppercase()));
        words.extend(
            ["", "Putin", "said", "-", ",", "Président", "PRIME", "Minister", "ministers", "x"].map(String::from),
        );
        for w in &words {
            assert_eq!(is_role_head(w), naive(ROLE_HEADS, w), "{w:?}");
            assert_eq!(is_role_word(w), naive(ROLE_HEADS, w) || naive(ROLE_MODIFIERS, w), "{w:?}");
        }
        assert!(is_role_head("Senator") && !is_role_head("Senators"));
        for list in [SPEECH_VERBS, ORG_HEADS, LOC_WORDS, CAP_STOP, CONNECTORS, PLACE_CUES] {
            assert!(list.iter().all(|w| has(list, w)));
            assert!(!has(list, "") && !has(list, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz") && !has(list, "?"));
            assert!(list.iter().all(|w| !has(list, &format!("{w}s")) || list.contains(&format!("{w}s").as_str())));
        }
    }
}
