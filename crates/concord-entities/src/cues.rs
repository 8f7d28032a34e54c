//! Word lists that discovery and role detection use (cue words of news English).

use std::sync::OnceLock;

use concord_core::text::{self, fnv1a64};

use crate::tokens::{lower_hash, word_facts, WordFacts};

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

/// Capitalised words that never start or form a name on their own (and the calendar names
/// of [`concord_core::text`]).
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

/// Membership bits of a word in the cue lists ([`cue_bits`]).
pub mod bit {
    /// [`super::ROLE_HEADS`], lower-cased.
    pub const ROLE_HEAD: u16 = 1;
    /// [`super::ROLE_HEADS`] or [`super::ROLE_MODIFIERS`], lower-cased.
    pub const ROLE_WORD: u16 = 1 << 1;
    /// [`super::SPEECH_VERBS`].
    pub const SPEECH_VERB: u16 = 1 << 2;
    /// [`super::ORG_HEADS`].
    pub const ORG_HEAD: u16 = 1 << 3;
    /// [`super::ORG_FIRST_OF`].
    pub const ORG_FIRST_OF: u16 = 1 << 4;
    /// [`super::LOC_WORDS`].
    pub const LOC_WORD: u16 = 1 << 5;
    /// [`super::CAP_STOP`].
    pub const CAP_STOP: u16 = 1 << 6;
    /// [`super::CONNECTORS`].
    pub const CONNECTOR: u16 = 1 << 7;
    /// [`super::PLACE_CUES`].
    pub const PLACE_CUE: u16 = 1 << 8;
}

/// The case-sensitive lists and their bits (calendar names are capitalised non-names too).
const EXACT_LISTS: [(&[&str], u16); 9] = [
    (SPEECH_VERBS, bit::SPEECH_VERB),
    (ORG_HEADS, bit::ORG_HEAD),
    (ORG_FIRST_OF, bit::ORG_FIRST_OF),
    (LOC_WORDS, bit::LOC_WORD),
    (CAP_STOP, bit::CAP_STOP),
    (text::WEEKDAYS, bit::CAP_STOP),
    (text::MONTHS, bit::CAP_STOP),
    (CONNECTORS, bit::CONNECTOR),
    (PLACE_CUES, bit::PLACE_CUE),
];

/// Words mapped to bits: open addressing on the word's hash, so that a word whose hashes
/// are known ([`WordFacts`]) costs a probe or two, after a quick filter on length and
/// first byte that rejects most words.
struct BitTable {
    /// (hash, word, bits); bits 0 marks an empty slot.
    slots: Vec<(u64, &'static str, u16)>,
    max_len: usize,
    first: [bool; 256],
    /// One bit per hash value modulo [`BLOOM_BITS`], set for the words' hashes: a clear bit
    /// means no word of the table has the hash (most words cost one load).
    bloom: Box<[u64; BLOOM_BITS / 64]>,
}

/// Bits of [`BitTable::bloom`].
const BLOOM_BITS: usize = 1 << 14;

/// The bloom bit of hash `h` (as word index, bit mask).
#[inline(always)]
fn bloom_bit(h: u64) -> (usize, u64) {
    let k = (h >> 17) as usize & (BLOOM_BITS - 1);
    (k / 64, 1u64 << (k % 64))
}

impl BitTable {
    fn new(lists: &[(&[&'static str], u16)], hash: fn(&str) -> u64) -> BitTable {
        let n: usize = lists.iter().map(|(l, _)| l.len()).sum();
        let mut t = BitTable {
            slots: vec![(0, "", 0); (4 * n).next_power_of_two()],
            max_len: 0,
            first: [false; 256],
            bloom: Box::new([0; BLOOM_BITS / 64]),
        };
        for &(list, bits) in lists {
            for &w in list {
                t.max_len = t.max_len.max(w.len());
                if let Some(&b) = w.as_bytes().first() {
                    t.first[b as usize] = true;
                }
                let h = hash(w);
                let (k, m) = bloom_bit(h);
                t.bloom[k] |= m;
                let i = t.find(h, |x| x == w).unwrap_or_else(|i| i);
                t.slots[i] = (h, w, t.slots[i].2 | bits);
            }
        }
        t
    }

    /// The slot holding the word of hash `h` that `eq` accepts, or the empty slot where it would go.
    fn find(&self, h: u64, eq: impl Fn(&str) -> bool) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & mask;
        loop {
            match self.slots[i] {
                (_, _, 0) => return Err(i),
                (x, w, _) if x == h && eq(w) => return Ok(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// False when no word of the table has hash `h`.
    #[inline(always)]
    fn may_hold(&self, h: u64) -> bool {
        let (k, m) = bloom_bit(h);
        self.bloom[k] & m != 0
    }

    /// The bits of a word of `len` bytes starting with `first` (as the table holds words:
    /// lower-cased for the role table) and hash `h`, compared with `eq`.
    fn get(&self, len: usize, first: u8, h: u64, eq: impl Fn(&str) -> bool) -> u16 {
        if !self.may_hold(h) || len > self.max_len || (len > 0 && !self.first[first as usize]) {
            return 0;
        }
        self.find(h, eq).map_or(0, |i| self.slots[i].2)
    }
}

/// The bits of `w` in every cue list ([`bit`]): the role lists compare it lower-cased, the
/// others as written.
pub fn cue_bits(w: &str) -> u16 {
    cue_bits_with(w, &word_facts(w))
}

/// [`cue_bits`] given the [`WordFacts`] of `w`.
pub(crate) fn cue_bits_with(w: &str, facts: &WordFacts) -> u16 {
    CueTables::get().bits(w, facts)
}

/// The compiled cue lists (built once).
pub(crate) struct CueTables {
    exact: BitTable,
    roles: BitTable,
}

impl CueTables {
    /// The tables (built on first use).
    pub(crate) fn get() -> &'static CueTables {
        static TABLES: OnceLock<CueTables> = OnceLock::new();
        TABLES.get_or_init(|| {
            let roles = [(ROLE_HEADS, bit::ROLE_HEAD | bit::ROLE_WORD), (ROLE_MODIFIERS, bit::ROLE_WORD)];
            CueTables {
                exact: BitTable::new(&EXACT_LISTS, |w| fnv1a64(w.as_bytes())),
                roles: BitTable::new(&roles, lower_hash),
            }
        })
    }

    /// [`cue_bits`] given the [`WordFacts`] of `w`.
    #[inline]
    pub(crate) fn bits(&self, w: &str, facts: &WordFacts) -> u16 {
        let (in_exact, in_roles) = (self.exact.may_hold(facts.exact), self.roles.may_hold(facts.lower));
        if !in_exact && !in_roles {
            return 0; // most words
        }
        self.bits_slow(w, facts)
    }

    #[inline(never)]
    fn bits_slow(&self, w: &str, facts: &WordFacts) -> u16 {
        let (exact, roles) = (&self.exact, &self.roles);
        let (len, first) = (w.len(), w.as_bytes().first().copied().unwrap_or(0));
        let listed = exact.get(len, first, facts.exact, |x| x == w);
        // the role words are lower-case ASCII: an ASCII word matches one ignoring case (which
        // keeps its length and maps its first byte one to one); another word only when it
        // lower-cases to ASCII (KELVIN SIGN)
        let role = if !roles.may_hold(facts.lower) {
            0
        } else if w.is_ascii() {
            roles.get(len, first.to_ascii_lowercase(), facts.lower, |x| x.eq_ignore_ascii_case(w))
        } else if w.chars().flat_map(char::to_lowercase).all(|c| c.is_ascii()) {
            let lw = w.to_lowercase();
            roles.get(lw.len(), lw.as_bytes()[0], facts.lower, |x| x == lw)
        } else {
            0
        };
        listed | role
    }
}

/// True when `w` may appear inside a title phrase.
pub fn is_role_word(w: &str) -> bool {
    cue_bits(w) & bit::ROLE_WORD != 0
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
            [
                "",
                "Putin",
                "said",
                "-",
                ",",
                "Président",
                "PRIME",
                "Minister",
                "ministers",
                "x",
                "\u{212a}ing",
                "’s",
                "İmam",
            ]
            .map(String::from),
        );
        for w in &words {
            assert_eq!(cue_bits(w) & bit::ROLE_HEAD != 0, naive(ROLE_HEADS, w), "{w:?}");
            assert_eq!(is_role_word(w), naive(ROLE_HEADS, w) || naive(ROLE_MODIFIERS, w), "{w:?}");
        }
        assert!(is_role_word("Senator") && !is_role_word("Senators"));
        let all: Vec<&str> = EXACT_LISTS.iter().flat_map(|(l, _)| l.iter().copied()).collect();
        for w in all.iter().copied().chain(["", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "?", "said.", "Saids", "NEWS"])
        {
            for (_, bit) in EXACT_LISTS {
                // A bit may come from several lists (CAP_STOP and the calendar names).
                let listed = EXACT_LISTS.iter().any(|(l, b)| *b == bit && l.contains(&w));
                assert_eq!(cue_bits(w) & bit != 0, listed, "{w:?}");
            }
        }
    }
}
