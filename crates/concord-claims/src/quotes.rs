//! Direct quotations and speaker attribution.
//!
//! Quote marks: straight and curly double quotes, guillemets, and single quotes (curly or
//! straight, told apart from apostrophes by their neighbours) outside double quotes; single
//! quotes inside double quotes are nested and stay part of the outer quote. A quote may run
//! over sentences; a quote left open at the end of a paragraph whose next paragraph opens
//! with a quote mark continues there (the multi-paragraph convention): each paragraph's part
//! becomes its own [`Quote`], and the parts share one speaker.
//!
//! Attribution patterns, tried in this order: after the quote (`"…," X said`, `"…," said X`,
//! `"…," he added`, `"…," the Russian leader replied`, `X, a doctor, said`, `X later told
//! Fox News`), then before it in the same sentence (`X said: "…"`, `X, smiling, responded in
//! English: "…"`, `according to X`, `X: "…"`). The subject found is then resolved: a name to
//! the mention it overlaps (or the surface form when there is no mention), a pronoun to the
//! most recent person of fitting gender in subject position before it, a role noun (`the
//! Russian leader`) to the person whose roles in the article share its words. No pattern, no
//! speaker: `None`.
//!
//! Pronoun antecedents: people named outside quotes (a name inside a quote is not its
//! speaker); gender from honorifics (`Mr.`, `Ms.`), gendered role words (`spokeswoman`) and
//! a small first-name list, a known fit first for `she`; sentence subjects before embedded
//! ones (`said that X will`), possessives (`X's plan`), modifiers (`the X administration`)
//! and objects (`at X`). A participle (`…, calling it "…"`, `"…," saying he …`) takes the
//! clause's subject, not the noun before its comma.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};

use concord_core::text;
use concord_core::{DocStage, Document, EntityKind, Quote, Span, Speaker, StageError};

use crate::key::{self, words};

const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "admitted",
    "admits",
    "replied",
    "replies",
    "responded",
    "remarked",
    "quipped",
    "stated",
    "states",
    "declared",
    "explained",
    "insisted",
    "noted",
    "notes",
    "wrote",
    "writes",
    "asked",
    "asks",
    "argued",
    "argues",
    "warned",
    "warns",
    "continued",
    "concluded",
    "claimed",
    "claims",
    "stressed",
    "reiterated",
    "announced",
    "acknowledged",
    "suggested",
    "tweeted",
    "posted",
    "joked",
    "recalled",
    "emphasized",
    "emphasised",
    "urged",
    "commented",
    "answered",
    "conceded",
    "countered",
    "shouted",
    "exclaimed",
    "observed",
    "maintained",
    "vowed",
    "promised",
    "predicted",
    "cautioned",
    "complained",
    "boasted",
    "confirmed",
    "denied",
    "described",
    "called",
    "testified",
    "wondered",
    "mused",
    "agreed",
    "repeated",
    "insists",
    "adding",
    "saying",
    "retort",
    "retorted",
    "continues",
    "charged",
    "accusing",
    "calling",
    "describing",
    "urging",
    "warning",
    "insisting",
    "claiming",
    "declaring",
    "writing",
    "telling",
    "arguing",
    "noting",
    "pleaded",
    "explains",
    "calls",
];

/// Common irregular past tenses, for telling a sentence subject by the verb after it.
const IRREGULAR_PAST: &[&str] = &[
    "spoke", "went", "took", "made", "came", "gave", "got", "met", "left", "won", "lost", "ran", "began", "sent",
    "held", "led", "brought", "thought", "knew", "saw", "became", "stood", "kept", "felt", "found", "paid", "heard",
    "meant", "spent", "fought", "sought", "struck", "threw", "drew", "grew", "chose", "fell", "broke", "sold",
    "taught", "caught", "sat", "forgot", "swore", "wore", "rode", "shook", "hung", "flew",
];

/// Words before a name that make it the object of a preposition, not a subject.
const PREPOSITIONS: &[&str] = &[
    "on", "in", "at", "to", "with", "from", "by", "of", "for", "about", "against", "into", "toward", "towards", "like",
    "between", "among", "over", "under", "via", "per", "onto", "upon", "without", "behind", "beside", "Of", "On", "In",
    "At", "To", "With", "From", "By", "For", "About", "Against", "Like",
];

const ADVERBS: &[&str] =
    &["later", "also", "then", "again", "once", "previously", "earlier", "had", "has", "have", "was"];

const PRONOUNS: &[&str] = &["he", "she"];

const ROLE_NOUNS: &[&str] = &[
    "leader",
    "president",
    "minister",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "officials",
    "secretary",
    "senator",
    "governor",
    "chancellor",
    "premier",
    "king",
    "queen",
    "ceo",
    "chairman",
    "chairwoman",
    "chief",
    "director",
    "aide",
    "lawyer",
    "attorney",
    "prosecutor",
    "doctor",
    "mayor",
    "general",
    "judge",
    "ambassador",
    "envoy",
    "diplomat",
    "congressman",
    "congresswoman",
    "lawmaker",
    "candidate",
    "commander",
    "head",
    "founder",
    "analyst",
    "expert",
    "source",
    "adviser",
    "advisor",
    "representative",
    "speaker",
    "counterpart",
];

/// Capitalised words that are not names (besides [`text::WEEKDAYS`]).
const NOT_NAMES: &[&str] = &[
    "The",
    "But",
    "And",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "This",
    "That",
    "In",
    "On",
    "At",
    "As",
    "When",
    "While",
    "After",
    "If",
    "Yet",
    "So",
    "For",
    "A",
    "An",
    "His",
    "Her",
    "Their",
    "Our",
    "Its",
    "Then",
    "There",
    "Here",
    "What",
    "Speaking",
    "Meanwhile",
    "However",
    "Still",
    "Asked",
    "Although",
    "Even",
    "With",
    "Without",
    "Now",
    "Later",
    "According",
    "You",
    "My",
    "Your",
    "Some",
    "Many",
    "Most",
    "One",
    "Both",
    "Chuckling",
    "Smiling",
];

const TITLES: &[&str] = &[
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Gov",
    "Sen",
    "Rep",
    "Gen",
    "Lt",
    "Col",
    "Sgt",
    "Prof",
    "Rev",
    "President",
    "Senator",
    "Governor",
    "Minister",
    "Secretary",
    "Judge",
    "Representative",
    "Speaker",
    "Chancellor",
    "Premier",
    "Mayor",
];

/// Last words of names that are organisations, places or outlets, not people (`The
/// Washington Post`, `National Security Agency`), for names found without entity tagging.
const ORG_LAST: &[&str] = &[
    "Post",
    "Times",
    "Journal",
    "News",
    "Tribune",
    "Herald",
    "Magazine",
    "Press",
    "Network",
    "Agency",
    "Department",
    "Ministry",
    "Committee",
    "Commission",
    "Council",
    "Party",
    "House",
    "Senate",
    "Congress",
    "Court",
    "Union",
    "States",
    "Association",
    "Administration",
    "Campaign",
    "Company",
    "University",
    "Institute",
    "Foundation",
    "Bureau",
    "Service",
    "Office",
    "Organization",
    "Group",
    "Church",
    "Street",
    "Army",
    "Police",
    "Republicans",
    "Democrats",
    "Inc",
    "Corp",
    "Reports",
    "Review",
    "Center",
    "Centre",
];

/// Gender evidence, as bits: a name with both is of unknown gender.
const MALE: u8 = 1;
const FEMALE: u8 = 2;

/// Common first names by sex: the most frequent entries of the US Census Bureau's 1990
/// name files (`dist.male.first`, `dist.female.first`), with names common to both sexes
/// (Lee, Kim, Dana, Jean, Leslie, Lynn, Robin, Tracy, Kelly, Shannon, Jamie, Marion, ...)
/// and names that are also common capitalised words (April, Grace, Rose, Christian, Guy,
/// Frank, Earl, Dean, Georgia, Jordan, Clinton, ...) left out.
const MALE_NAMES: &[&str] = &[
    "James",
    "John",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Charles",
    "Joseph",
    "Thomas",
    "Christopher",
    "Daniel",
    "Paul",
    "Mark",
    "Donald",
    "George",
    "Kenneth",
    "Steven",
    "Edward",
    "Brian",
    "Ronald",
    "Anthony",
    "Kevin",
    "Jason",
    "Matthew",
    "Gary",
    "Timothy",
    "Jose",
    "Larry",
    "Jeffrey",
    "Scott",
    "Eric",
    "Stephen",
    "Andrew",
    "Raymond",
    "Gregory",
    "Joshua",
    "Jerry",
    "Dennis",
    "Walter",
    "Patrick",
    "Peter",
    "Harold",
    "Douglas",
    "Henry",
    "Carl",
    "Arthur",
    "Ryan",
    "Roger",
    "Joe",
    "Juan",
    "Jack",
    "Albert",
    "Jonathan",
    "Justin",
    "Terry",
    "Gerald",
    "Keith",
    "Samuel",
    "Willie",
    "Ralph",
    "Lawrence",
    "Nicholas",
    "Roy",
    "Benjamin",
    "Bruce",
    "Brandon",
    "Adam",
    "Harry",
    "Fred",
    "Wayne",
    "Billy",
    "Steve",
    "Louis",
    "Jeremy",
    "Aaron",
    "Randy",
    "Howard",
    "Eugene",
    "Carlos",
    "Russell",
    "Bobby",
    "Victor",
    "Martin",
    "Ernest",
    "Phillip",
    "Todd",
    "Jesse",
    "Craig",
    "Alan",
    "Shawn",
    "Clarence",
    "Sean",
    "Philip",
    "Chris",
    "Johnny",
    "Jimmy",
    "Antonio",
    "Danny",
    "Bryan",
    "Tony",
    "Luis",
    "Mike",
    "Stanley",
    "Leonard",
    "Nathan",
    "Dale",
    "Manuel",
    "Rodney",
    "Curtis",
    "Norman",
    "Allen",
    "Marvin",
    "Vincent",
    "Glenn",
    "Travis",
    "Jeff",
    "Chad",
    "Jacob",
    "Melvin",
    "Alfred",
    "Kyle",
    "Bradley",
    "Herbert",
    "Frederick",
    "Joel",
    "Edwin",
    "Eddie",
    "Ricky",
    "Troy",
    "Randall",
    "Barry",
    "Alexander",
    "Bernard",
    "Mario",
    "Marcus",
    "Theodore",
    "Miguel",
    "Oscar",
    "Jay",
    "Jim",
    "Tom",
    "Calvin",
    "Alex",
    "Jon",
    "Ronnie",
    "Bill",
    "Lloyd",
    "Tommy",
    "Leon",
    "Derek",
    "Warren",
    "Darrell",
    "Jerome",
    "Floyd",
    "Leo",
    "Alvin",
    "Tim",
    "Wesley",
    "Gordon",
    "Greg",
    "Jorge",
    "Dustin",
    "Pedro",
    "Derrick",
    "Dan",
    "Lewis",
    "Zachary",
    "Corey",
    "Herman",
    "Maurice",
    "Vernon",
    "Roberto",
    "Clyde",
    "Glen",
    "Hector",
    "Shane",
    "Ricardo",
    "Sam",
    "Rick",
    "Lester",
    "Brent",
    "Ramon",
    "Charlie",
    "Tyler",
    "Gilbert",
    "Marc",
    "Reginald",
    "Ruben",
    "Brett",
    "Nathaniel",
    "Rafael",
    "Edgar",
    "Milton",
    "Raul",
    "Ben",
    "Chester",
    "Cecil",
    "Duane",
    "Franklin",
    "Andre",
    "Elmer",
    "Brad",
    "Gabriel",
    "Ron",
    "Mitchell",
    "Roland",
    "Arnold",
    "Harvey",
    "Jared",
    "Adrian",
    "Karl",
    "Cory",
    "Claude",
    "Erik",
    "Darryl",
    "Neil",
    "Javier",
    "Fernando",
    "Ted",
    "Mathew",
    "Tyrone",
    "Darren",
    "Lonnie",
    "Lance",
    "Cody",
    "Julio",
    "Kurt",
    "Allan",
    "Clayton",
    "Hugh",
    "Dwayne",
    "Dwight",
    "Armando",
    "Felix",
    "Jimmie",
    "Everett",
    "Ian",
    "Wallace",
    "Ken",
    "Bob",
    "Jaime",
    "Alfredo",
    "Alberto",
    "Dave",
    "Ivan",
];

/// See [`MALE_NAMES`].
const FEMALE_NAMES: &[&str] = &[
    "Mary",
    "Patricia",
    "Linda",
    "Barbara",
    "Elizabeth",
    "Jennifer",
    "Maria",
    "Susan",
    "Margaret",
    "Dorothy",
    "Lisa",
    "Nancy",
    "Karen",
    "Betty",
    "Helen",
    "Sandra",
    "Donna",
    "Carol",
    "Ruth",
    "Sharon",
    "Michelle",
    "Laura",
    "Sarah",
    "Kimberly",
    "Deborah",
    "Jessica",
    "Shirley",
    "Cynthia",
    "Angela",
    "Melissa",
    "Brenda",
    "Amy",
    "Anna",
    "Rebecca",
    "Virginia",
    "Kathleen",
    "Pamela",
    "Martha",
    "Debra",
    "Amanda",
    "Stephanie",
    "Carolyn",
    "Christine",
    "Marie",
    "Janet",
    "Catherine",
    "Frances",
    "Ann",
    "Joyce",
    "Diane",
    "Alice",
    "Julie",
    "Heather",
    "Teresa",
    "Doris",
    "Gloria",
    "Evelyn",
    "Cheryl",
    "Mildred",
    "Katherine",
    "Joan",
    "Ashley",
    "Judith",
    "Janice",
    "Nicole",
    "Judy",
    "Christina",
    "Kathy",
    "Theresa",
    "Beverly",
    "Denise",
    "Tammy",
    "Irene",
    "Jane",
    "Lori",
    "Rachel",
    "Marilyn",
    "Andrea",
    "Kathryn",
    "Louise",
    "Sara",
    "Anne",
    "Jacqueline",
    "Wanda",
    "Bonnie",
    "Julia",
    "Lois",
    "Tina",
    "Phyllis",
    "Norma",
    "Paula",
    "Diana",
    "Annie",
    "Lillian",
    "Emily",
    "Peggy",
    "Gladys",
    "Rita",
    "Connie",
    "Florence",
    "Edna",
    "Tiffany",
    "Carmen",
    "Rosa",
    "Cindy",
    "Wendy",
    "Victoria",
    "Edith",
    "Sherry",
    "Sylvia",
    "Josephine",
    "Thelma",
    "Sheila",
    "Ethel",
    "Ellen",
    "Elaine",
    "Marjorie",
    "Carrie",
    "Charlotte",
    "Monica",
    "Esther",
    "Pauline",
    "Emma",
    "Juanita",
    "Anita",
    "Rhonda",
    "Eva",
    "Debbie",
    "Clara",
    "Lucille",
    "Joanne",
    "Eleanor",
    "Valerie",
    "Danielle",
    "Megan",
    "Alicia",
    "Suzanne",
    "Michele",
    "Gail",
    "Bertha",
    "Darlene",
    "Veronica",
    "Jill",
    "Erin",
    "Geraldine",
    "Lauren",
    "Cathy",
    "Joann",
    "Lorraine",
    "Sally",
    "Regina",
    "Erica",
    "Beatrice",
    "Dolores",
    "Bernice",
    "Audrey",
    "Yvonne",
    "Annette",
    "Samantha",
    "Ana",
    "Renee",
    "Ida",
    "Vivian",
    "Roberta",
    "Holly",
    "Brittany",
    "Melanie",
    "Loretta",
    "Yolanda",
    "Jeanette",
    "Laurie",
    "Katie",
    "Kristen",
    "Vanessa",
    "Alma",
    "Sue",
    "Elsie",
    "Beth",
    "Jeanne",
    "Vicki",
    "Carla",
    "Tara",
    "Rosemary",
    "Eileen",
    "Terri",
    "Gertrude",
    "Lucy",
    "Tonya",
    "Ella",
    "Stacey",
    "Wilma",
    "Gina",
    "Kristin",
    "Natalie",
    "Agnes",
    "Vera",
    "Charlene",
    "Bessie",
    "Delores",
    "Melinda",
    "Arlene",
    "Maureen",
    "Colleen",
    "Allison",
    "Tamara",
    "Constance",
    "Lillie",
    "Claudia",
    "Jackie",
    "Marcia",
    "Tanya",
    "Nellie",
    "Minnie",
    "Marlene",
    "Heidi",
    "Glenda",
    "Lydia",
    "Viola",
    "Courtney",
    "Marian",
    "Stella",
    "Caroline",
    "Dora",
    "Vickie",
    "Mattie",
    "Maxine",
    "Irma",
    "Mabel",
    "Marsha",
    "Myrtle",
    "Lena",
    "Christy",
    "Deanna",
    "Patsy",
    "Hilda",
    "Gwendolyn",
    "Jennie",
    "Nora",
    "Margie",
    "Nina",
    "Cassandra",
    "Leah",
    "Priscilla",
    "Naomi",
    "Carole",
    "Olga",
    "Dianne",
    "Tracey",
    "Leona",
    "Jenny",
    "Felicia",
    "Sonia",
    "Miriam",
    "Velma",
    "Becky",
    "Kristina",
    "Shelly",
    "Ramona",
    "Sherri",
    "Erika",
    "Katrina",
    "Claire",
];

/// Bits of [`word_kinds`]: which of the fixed lists hold a word (as written; speech verbs,
/// irregular pasts, prepositions, adverbs and role nouns are lower case).
const W_VERB: u32 = 1;
const W_IRREGULAR: u32 = 2;
const W_PREPOSITION: u32 = 4;
const W_ADVERB: u32 = 8;
const W_ROLE: u32 = 16;
const W_NOT_NAME: u32 = 32;
const W_WEEKDAY: u32 = 64;
const W_TITLE: u32 = 128;
const W_ORG_LAST: u32 = 256;
const W_MALE: u32 = 512;
const W_FEMALE: u32 = 1024;

/// The lists (`W_*` bits) holding `w` exactly as written: one hash probe instead of a
/// search through each list.
fn word_kinds(w: &str) -> u32 {
    static T: std::sync::OnceLock<key::WordTable> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        key::WordTable::new(&[
            (SPEECH_VERBS, W_VERB),
            (IRREGULAR_PAST, W_IRREGULAR),
            (PREPOSITIONS, W_PREPOSITION),
            (ADVERBS, W_ADVERB),
            (ROLE_NOUNS, W_ROLE),
            (NOT_NAMES, W_NOT_NAME),
            (text::WEEKDAYS, W_WEEKDAY),
            (TITLES, W_TITLE),
            (ORG_LAST, W_ORG_LAST),
            (MALE_NAMES, W_MALE),
            (FEMALE_NAMES, W_FEMALE),
        ])
    })
    .get(w)
}

/// True when the list of bit `kind` holds `w` as written.
fn is_in(w: &str, kind: u32) -> bool {
    word_kinds(w) & kind != 0
}

/// The gender bits of a first name.
fn first_name_gender(w: &str) -> u8 {
    let k = word_kinds(w);
    let mut g = 0;
    if k & W_MALE != 0 {
        g |= MALE;
    }
    if k & W_FEMALE != 0 {
        g |= FEMALE;
    }
    g
}

/// The gender bits of an honorific or a gendered role word (`Mr.`, `spokeswoman`).
fn title_gender(w: &str) -> u8 {
    let w = w.trim_end_matches('.');
    match w {
        "Mr" | "mr" => MALE,
        "Mrs" | "Ms" | "Miss" | "mrs" | "ms" => FEMALE,
        _ => match &*lower_short(w, &mut [0; LIST_WORD_MAX]) {
            "spokesman" | "congressman" | "chairman" | "king" | "prince" | "businessman" | "husband" | "father"
            | "son" | "brother" => MALE,
            "spokeswoman" | "congresswoman" | "chairwoman" | "queen" | "princess" | "businesswoman" | "wife"
            | "mother" | "daughter" | "sister" | "lady" | "actress" => FEMALE,
            _ => 0,
        },
    }
}

/// The gender bits of the honorific right before byte `pos` (`Mr. |Trump`).
fn honorific_before(text: &str, pos: usize) -> u8 {
    let head = text.get(pos.saturating_sub(6)..pos).unwrap_or("").trim_end();
    match head.rsplit(|c: char| !c.is_alphanumeric() && c != '.').next() {
        Some(w @ ("Mr." | "Mr" | "Mrs." | "Mrs" | "Ms." | "Ms" | "Miss")) => title_gender(w),
        _ => 0,
    }
}

/// How well a known gender (bits) fits `she` (or `he`): `None` when it conflicts; for `she`
/// a known fit beats an unknown gender, for `he` they are equal.
fn gender_fit(she: bool, g: u8) -> Option<u8> {
    match (she, g) {
        (true, MALE) | (false, FEMALE) => None,
        (true, FEMALE) => Some(2),
        _ => Some(1),
    }
}

/// What attribution needs of one document: its words, where its quotes are, gender evidence
/// (computed once, when a pronoun needs it), and where the last resolved subject stood.
struct Cx<'d> {
    doc: &'d Document,
    dw: &'d [(usize, usize)],
    /// Outer spans of the quotes, in text order.
    outers: Vec<Span>,
    /// Start of the subject of the last successful [`resolve`].
    at: Cell<usize>,
    entity_genders: OnceCell<Vec<u8>>,
    name_genders: OnceCell<Vec<(&'d str, u8)>>,
}

impl<'d> Cx<'d> {
    fn new(doc: &'d Document, dw: &'d [(usize, usize)], pieces: &[Piece]) -> Cx<'d> {
        Cx {
            doc,
            dw,
            outers: pieces.iter().map(|p| p.outer).collect(),
            at: Cell::new(0),
            entity_genders: OnceCell::new(),
            name_genders: OnceCell::new(),
        }
    }

    /// True when byte `pos` is inside a quote (names there are not the quotes' speakers).
    fn in_quote(&self, pos: usize) -> bool {
        let k = self.outers.partition_point(|o| o.end <= pos);
        self.outers.get(k).is_some_and(|o| o.start <= pos)
    }

    /// Gender bits of entity `e`: from the first words of its names, the honorifics before
    /// its mentions and the gendered words of their roles.
    fn entity_gender(&self, e: usize) -> u8 {
        let g = self.entity_genders.get_or_init(|| {
            let doc = self.doc;
            let mut g: Vec<u8> = doc
                .entities
                .iter()
                .map(|e| {
                    std::iter::once(&e.name).chain(&e.aliases).fold(0, |acc, n| {
                        let mut w = n.split_whitespace();
                        match (w.next(), w.next()) {
                            (Some(f), Some(_)) => acc | first_name_gender(f),
                            _ => acc,
                        }
                    })
                })
                .collect();
            for m in &doc.mentions {
                let Some(x) = g.get_mut(m.entity) else { continue };
                *x |= honorific_before(&doc.text, m.span.start);
                if let Some(w) = m.surface.split_whitespace().next() {
                    *x |= title_gender(w);
                }
                for w in m.role.as_deref().unwrap_or("").split_whitespace() {
                    *x |= title_gender(w);
                }
            }
            g
        });
        g.get(e).copied().unwrap_or(0)
    }

    /// Gender bits of a name found without entity tagging, by its first and last words: the
    /// first name, and the honorifics and first names seen before its last word in the text.
    fn name_gender(&self, first: &str, last: &str) -> u8 {
        let seen = self.name_genders.get_or_init(|| {
            let text = &self.doc.text;
            let mut out: Vec<(&str, u8)> = Vec::new();
            for pair in self.dw.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let Some(w) = text.get(b.0..b.1) else { continue };
                if !w.chars().next().is_some_and(char::is_uppercase) {
                    continue;
                }
                let gap = text.get(a.1..b.0).unwrap_or("");
                if !(gap == " " || gap == ". ") {
                    continue;
                }
                let prev = text.get(a.0..a.1).unwrap_or("");
                let g = if matches!(prev, "Mr" | "Mrs" | "Ms" | "Miss") {
                    title_gender(prev)
                } else if gap == " " {
                    first_name_gender(prev)
                } else {
                    0
                };
                if g != 0 {
                    match out.iter_mut().find(|(n, _)| *n == w) {
                        Some((_, x)) => *x |= g,
                        None => out.push((w, g)),
                    }
                }
            }
            out
        });
        let mut g = if first != last { first_name_gender(first) } else { 0 };
        for (n, x) in seen {
            if *n == last {
                g |= x;
            }
        }
        g
    }
}

/// A quote as found, before it becomes a [`Quote`]: its spans and its multi-paragraph group.
#[derive(Clone, Debug)]
struct Piece {
    outer: Span,
    inner: Span,
    group: usize,
}

/// Finds direct quotations in a document's text and attributes their speakers.
///
/// Usable alone: `QuoteExtractor::default().process(&mut doc)` fills `doc.quotes`
/// (it reads `doc.sentences` and `doc.mentions` when present, and works without them).
#[derive(Clone, Debug)]
pub struct QuoteExtractor {
    /// Longest quote kept, in bytes (longer ones are taken as unmatched marks).
    pub max_quote_bytes: usize,
}

impl Default for QuoteExtractor {
    fn default() -> Self {
        QuoteExtractor { max_quote_bytes: 3000 }
    }
}

/// Bytes that can start a character [`QuoteExtractor::find`] looks at: a line feed, a
/// straight quote, or the first byte of a curly quote or a guillemet.
const QUOTE_LEAD: [bool; 256] = {
    let mut t = [false; 256];
    t[b'\n' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t[0xc2] = true;
    t[0xe2] = true;
    t
};

/// The first position from `j` on that may hold a [`QUOTE_LEAD`] byte, skipping eight
/// bytes at a time while none of them is non-ASCII, a line feed or a straight quote (the
/// caller still tests each byte it stops at).
fn skip_plain(bytes: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Nonzero when some byte of `x` is zero (no false negatives).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    while let Some(chunk) = bytes.get(j..j + 8) {
        let v = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if v & HIGH != 0
            || zero(v ^ (ONES * b'\n' as u64)) | zero(v ^ (ONES * b'"' as u64)) | zero(v ^ (ONES * b'\'' as u64)) != 0
        {
            break;
        }
        j += 8;
    }
    j
}

/// Start of the character that ends right before byte `i` (`i > 0`, a char boundary).
fn prev_char_start(text: &str, i: usize) -> usize {
    let mut p = i - 1;
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    p
}

fn is_double_open(c: char) -> bool {
    matches!(c, '“' | '"' | '«' | '„')
}

impl QuoteExtractor {
    /// An extractor with the given longest quote in bytes.
    pub fn new(max_quote_bytes: usize) -> Self {
        QuoteExtractor { max_quote_bytes }
    }

    /// The quotations of `doc`, in text order, with speakers.
    pub fn extract(&self, doc: &Document) -> Vec<Quote> {
        self.extract_with_words(doc, &words(&doc.text))
    }

    /// [`QuoteExtractor::extract`] given the words of `doc.text` (from [`crate::key::words`]),
    /// for callers that tokenise the text anyway.
    pub fn extract_with_words(&self, doc: &Document, dw: &[(usize, usize)]) -> Vec<Quote> {
        let pieces = self.find(&doc.text);
        let cx = Cx::new(doc, dw, &pieces);
        let mut quotes: Vec<Quote> = Vec::with_capacity(pieces.len());
        // Where each quote's speaker was named (for continuations, where the first part's was).
        let mut ats: Vec<usize> = Vec::with_capacity(pieces.len());
        let mut history: Vec<(usize, Speaker)> = Vec::new();
        for (k, p) in pieces.iter().enumerate() {
            let next_start = pieces.get(k + 1).map_or(doc.text.len(), |n| n.outer.start);
            let prev_end = if k > 0 { pieces[k - 1].outer.end } else { 0 };
            let mut at = p.outer.start;
            let (mut speaker, mut verb) = match attribute(&cx, p, prev_end, next_start, &history) {
                Some((s, v)) => {
                    at = cx.at.get();
                    (Some(s), v)
                }
                None => (None, None),
            };
            // "…," he said. "…": a quote right after an attributed one (short unattributed
            // quotes such as a show's name in between are passed over), with only the
            // attribution between them, continues it; also into the next paragraph when
            // the new quote opens it.
            if speaker.is_none() && k > 0 {
                let prev = quotes.iter().enumerate().rev().find(|(_, q)| {
                    q.speaker.is_some() || key::words_between(&doc.text, dw, q.span.start, q.span.end).len() >= 4
                });
                if let Some((pi, q)) = prev.filter(|(_, q)| q.speaker.is_some()) {
                    let from = pieces[pi].outer.end;
                    let gap = doc.text.get(from..p.outer.start.max(from)).unwrap_or("");
                    let gw: Vec<&str> = key::words_between(&doc.text, dw, from, p.outer.start.max(from))
                        .into_iter()
                        .map(|(a, b)| &doc.text[a..b])
                        .collect();
                    let attributed = gw.iter().any(|w| is_verb(w));
                    let breaks = gap.matches("\n\n").count();
                    let opens_paragraph = gap.rsplit("\n\n").next().is_some_and(|t| t.trim().is_empty());
                    // `called him a "demagogue" and a "bomb-thrower"`: quotes joined in one
                    // sentence by a conjunction share the attribution.
                    let joined = gw.len() <= 3
                        && !gap.contains(['.', '!', '?', ';', '\n'])
                        && gw.iter().all(|w| matches!(*w, "and" | "or" | "nor" | "but" | "a" | "an" | "the" | "as"));
                    if (breaks == 0 || (breaks == 1 && opens_paragraph))
                        && gw.len() <= 16
                        && (attributed || gw.is_empty() || joined)
                    {
                        speaker = q.speaker.clone().map(|s| Speaker { rule: "continuation".into(), ..s });
                        verb = q.verb.clone();
                        at = ats[pi];
                    }
                }
            }
            if let Some(s) = &speaker {
                if s.rule != "pronoun" || s.entity.is_some() {
                    history.push((at, s.clone()));
                }
            }
            ats.push(at);
            quotes.push(Quote { span: p.inner, outer: p.outer, speaker, verb });
        }
        // Parts of one multi-paragraph quote share the speaker one of them found.
        let mut start = 0;
        while start < pieces.len() {
            let mut end = start + 1;
            while end < pieces.len() && pieces[end].group == pieces[start].group {
                end += 1;
            }
            if end - start > 1 {
                let found = quotes[start..end].iter().find_map(|q| q.speaker.clone().map(|s| (s, q.verb.clone())));
                if let Some((s, v)) = found {
                    for q in &mut quotes[start..end] {
                        if q.speaker.is_none() {
                            q.speaker = Some(s.clone());
                            q.verb = v.clone();
                        }
                    }
                }
            }
            start = end;
        }
        quotes
    }

    /// Finds the quote marks' pairs.
    ///
    /// Visits only the characters that can matter (line feeds and quote marks, found by a
    /// byte scan); `find_reference` (in tests) is the same rule stepping through every
    /// character. A quote left open longer than `max_quote_bytes` is dropped at the
    /// first character past the limit, which the scan checks lazily at the next mark.
    fn find(&self, text: &str) -> Vec<Piece> {
        let bytes = text.as_bytes();
        let n = bytes.len();
        let mut out = Vec::new();
        let mut group = 0;
        // (position of the opening mark, its length, whether it is double)
        let mut open: Option<(usize, usize, bool)> = None;
        // End of the last character handled (characters before it were all visited).
        let mut done = 0;
        let mut j = 0;
        while j < n {
            if !QUOTE_LEAD[bytes[j] as usize] {
                j = skip_plain(bytes, j + 1);
                continue;
            }
            let i = j;
            let Some(c) = text[i..].chars().next() else { break };
            let clen = c.len_utf8();
            j = i + clen;
            if !matches!(c, '\n' | '“' | '«' | '„' | '”' | '»' | '"' | '‘' | '\'' | '’') {
                continue;
            }
            // The characters skipped since `done` (none of them a mark) drop a quote open
            // for too long at the first one past the limit.
            if let Some((o, _, _)) = open {
                if done < i && prev_char_start(text, i) - o > self.max_quote_bytes {
                    open = None;
                    group += 1;
                }
            }
            done = j;
            let prev = text[..i].chars().next_back();
            let next = text[j..].chars().next();
            // Evaluated only at single quote marks (they are the rare case).
            let prev_space = || prev.map_or(true, |p| p.is_whitespace() || "([{—–-/".contains(p));
            let next_word = || next.is_some_and(|n| n.is_alphanumeric() || "$£€¿¡(".contains(n) || is_double_open(n));
            if c == '\n' {
                if let Some((o, ol, double)) = open {
                    // Paragraph end inside a quote: the first character after the white space.
                    let after = text[i..].char_indices().find(|x| !x.1.is_whitespace());
                    if let Some((d, m)) = after.filter(|&(_, m)| double && is_double_open(m)) {
                        self.push(&mut out, text, o, ol, i, 0, group);
                        open = Some((i + d, m.len_utf8(), true));
                        j = i + d + m.len_utf8();
                        done = j;
                        continue;
                    }
                    if double && i - o <= self.max_quote_bytes {
                        self.push(&mut out, text, o, ol, i, 0, group);
                    }
                    group += 1;
                    open = None;
                }
                continue;
            }
            match (c, open) {
                // A new opening mark inside a quote means the earlier one was never closed
                // (or a single quote was an apostrophe): start over here.
                ('“' | '«' | '„', _) => open = Some((i, clen, true)),
                ('”' | '»', Some((o, ol, true))) => {
                    self.push(&mut out, text, o, ol, i, clen, group);
                    group += 1;
                    open = None;
                }
                ('"', Some((o, ol, true))) => {
                    self.push(&mut out, text, o, ol, i, 1, group);
                    group += 1;
                    open = None;
                }
                ('"', None | Some((_, _, false))) if next.is_some_and(|n| !n.is_whitespace()) => {
                    open = Some((i, 1, true))
                }
                ('‘', None) if next_word() => open = Some((i, clen, false)),
                ('\'', None) if prev_space() && next_word() => open = Some((i, 1, false)),
                ('’' | '\'', Some((o, ol, false))) => {
                    let closes = !next.is_some_and(char::is_alphanumeric) && !prev.is_some_and(char::is_whitespace);
                    if closes && i > o + ol {
                        self.push(&mut out, text, o, ol, i, clen, group);
                        group += 1;
                        open = None;
                    }
                }
                _ => {}
            }
            if let Some((o, _, _)) = open {
                if i - o > self.max_quote_bytes {
                    open = None;
                    group += 1;
                }
            }
        }
        // (A quote still open past the limit is not pushed below either way.)
        if let Some((o, ol, true)) = open {
            if text.len() - o <= self.max_quote_bytes {
                self.push(&mut out, text, o, ol, text.len(), 0, group);
            }
        }
        out
    }

    /// [`QuoteExtractor::find`] stepping through every character (the reference of the
    /// fast scan, for tests).
    #[cfg(test)]
    fn find_reference(&self, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut group = 0;
        // (position of the opening mark, its length, whether it is double)
        let mut open: Option<(usize, usize, bool)> = None;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut k = 0;
        while k < chars.len() {
            let (i, c) = chars[k];
            let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
            let next = chars.get(k + 1).map(|x| x.1);
            // Evaluated only at single quote marks (they are the hot loop's rare case).
            let prev_space = || prev.map_or(true, |p| p.is_whitespace() || "([{—–-/".contains(p));
            let next_word = || next.is_some_and(|n| n.is_alphanumeric() || "$£€¿¡(".contains(n) || is_double_open(n));
            if c == '\n' {
                if let Some((o, ol, double)) = open {
                    // Paragraph end inside a quote.
                    let mut m = k;
                    while m < chars.len() && chars[m].1.is_whitespace() {
                        m += 1;
                    }
                    let para_break = chars[k..m].iter().filter(|x| x.1 == '\n').count() >= 1;
                    if double && para_break && m < chars.len() && is_double_open(chars[m].1) {
                        self.push(&mut out, text, o, ol, i, 0, group);
                        open = Some((chars[m].0, chars[m].1.len_utf8(), true));
                        k = m + 1;
                        continue;
                    }
                    if double && i - o <= self.max_quote_bytes {
                        self.push(&mut out, text, o, ol, i, 0, group);
                    }
                    group += 1;
                    open = None;
                }
                k += 1;
                continue;
            }
            match (c, open) {
                // A new opening mark inside a quote means the earlier one was never closed
                // (or a single quote was an apostrophe): start over here.
                ('“' | '«' | '„', _) => open = Some((i, c.len_utf8(), true)),
                ('”' | '»', Some((o, ol, true))) => {
                    self.push(&mut out, text, o, ol, i, c.len_utf8(), group);
                    group += 1;
                    open = None;
                }
                ('"', Some((o, ol, true))) => {
                    self.push(&mut out, text, o, ol, i, 1, group);
                    group += 1;
                    open = None;
                }
                ('"', None | Some((_, _, false))) if next.is_some_and(|n| !n.is_whitespace()) => {
                    open = Some((i, 1, true))
                }
                ('‘', None) if next_word() => open = Some((i, c.len_utf8(), false)),
                ('\'', None) if prev_space() && next_word() => open = Some((i, 1, false)),
                ('’' | '\'', Some((o, ol, false))) => {
                    let closes = !next.is_some_and(char::is_alphanumeric) && !prev.is_some_and(char::is_whitespace);
                    if closes && i > o + ol {
                        self.push(&mut out, text, o, ol, i, c.len_utf8(), group);
                        group += 1;
                        open = None;
                    }
                }
                _ => {}
            }
            if let Some((o, _, _)) = open {
                if i - o > self.max_quote_bytes {
                    open = None;
                    group += 1;
                }
            }
            k += 1;
        }
        if let Some((o, ol, true)) = open {
            if text.len() - o <= self.max_quote_bytes {
                self.push(&mut out, text, o, ol, text.len(), 0, group);
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        out: &mut Vec<Piece>,
        text: &str,
        open: usize,
        open_len: usize,
        close: usize,
        close_len: usize,
        group: usize,
    ) {
        let inner_raw = &text[open + open_len..close];
        let lead = inner_raw.len() - inner_raw.trim_start().len();
        let trimmed = inner_raw.trim();
        if trimmed.is_empty() || !trimmed.chars().any(char::is_alphanumeric) {
            return;
        }
        let start = open + open_len + lead;
        let inner = Span::new(start, start + trimmed.len());
        let end = if close_len == 0 { inner.end } else { close + close_len };
        out.push(Piece { outer: Span::new(open, end), inner, group });
    }
}

impl DocStage for QuoteExtractor {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        doc.quotes = self.extract(doc);
        Ok(())
    }
}

/// The sentence (as a span) holding byte `pos`, or the line around it when the document has
/// no sentences.
pub(crate) fn sentence_at(doc: &Document, pos: usize) -> Span {
    let i = doc.sentences.partition_point(|s| s.span.end <= pos);
    if let Some(s) = doc.sentences.get(i) {
        if s.span.start <= pos {
            return s.span;
        }
    }
    let text = &doc.text;
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let start = text[..pos].rfind('\n').map_or(0, |p| p + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |p| pos + p);
    Span::new(start, end)
}

/// A noun phrase found as the subject of an attribution.
#[derive(Debug, Clone)]
enum Np {
    Name(Span),
    Pronoun(Span),
    Role(Span),
}

impl Np {
    fn span(&self) -> Span {
        match self {
            Np::Name(s) | Np::Pronoun(s) | Np::Role(s) => *s,
        }
    }
}

/// The words of `text[a..b]` (none when that is not a range of `text`), read off `dw`, the
/// words of the whole text (see [`crate::key::words_between`]).
fn word_list<'t>(text: &'t str, dw: &[(usize, usize)], a: usize, b: usize) -> Vec<(Span, &'t str)> {
    let range = key::overlapping(dw, a, b);
    let mut out = Vec::with_capacity(range.len());
    key::each_word_between(text, &dw[range], a, b, |(s, e)| out.push((Span::new(s, e), &text[s..e])));
    out
}

/// `w` lower-cased, borrowed when it already is (most words: no allocation).
fn lower(w: &str) -> Cow<'_, str> {
    if w.bytes().all(|b| b < 0x80 && !b.is_ascii_uppercase()) {
        Cow::Borrowed(w)
    } else {
        Cow::Owned(w.to_lowercase())
    }
}

/// True for a speech verb (`said`, `added`, `told`, …).
pub(crate) fn is_speech_verb(w: &str) -> bool {
    is_verb(w)
}

fn is_verb(w: &str) -> bool {
    is_in_lower(w, W_VERB)
}

/// True when `w` lower-cased (as [`lower`] gives it) ends with `suffix` (lower-case ASCII),
/// without an allocation for ASCII words.
fn ends_lower(w: &str, suffix: &str) -> bool {
    if !w.is_ascii() {
        return lower(w).ends_with(suffix);
    }
    w.len() >= suffix.len() && w.as_bytes()[w.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// `w` lower-cased (as [`lower`] gives it), in `buf` for an ASCII word of at most
/// [`LIST_WORD_MAX`] bytes (no allocation); a longer ASCII word gives `""`, which no short
/// word list holds.
fn lower_short<'a>(w: &'a str, buf: &'a mut [u8; LIST_WORD_MAX]) -> Cow<'a, str> {
    let b = w.as_bytes();
    if !b.is_ascii() {
        return lower(w);
    }
    if !b.iter().any(u8::is_ascii_uppercase) {
        return Cow::Borrowed(w);
    }
    if b.len() > LIST_WORD_MAX {
        return Cow::Borrowed("");
    }
    for (d, c) in buf.iter_mut().zip(b) {
        *d = c.to_ascii_lowercase();
    }
    Cow::Borrowed(std::str::from_utf8(&buf[..b.len()]).unwrap_or(""))
}

/// True when `name`, lower-cased, is `lowered` (a lower-cased word), without an
/// allocation for ASCII names.
fn lower_eq(name: &str, lowered: &str) -> bool {
    if name.is_ascii() {
        name.eq_ignore_ascii_case(lowered)
    } else {
        name.to_lowercase() == lowered
    }
}

/// Longest ASCII word [`is_in_lower`] lower-cases on the stack (longer ones are in no list).
const LIST_WORD_MAX: usize = 24;

/// True when the list of bit `kind` holds `w` lower-cased (as [`lower`] gives it), without
/// an allocation for ASCII words.
fn is_in_lower(w: &str, kind: u32) -> bool {
    let b = w.as_bytes();
    if !b.is_ascii() {
        return is_in(&lower(w), kind);
    }
    if !b.iter().any(u8::is_ascii_uppercase) {
        return is_in(w, kind);
    }
    if b.len() > LIST_WORD_MAX {
        return false;
    }
    let mut buf = [0u8; LIST_WORD_MAX];
    for (d, c) in buf.iter_mut().zip(b) {
        *d = c.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..b.len()]).is_ok_and(|l| is_in(l, kind))
}

fn is_cap_name_word(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
        && word_kinds(w) & (W_NOT_NAME | W_WEEKDAY) == 0
        && !is_verb(w)
        && !is_party_tag(w)
}

/// A party-and-state tag (`R-Fla.`, `D-Ohio`), written after a lawmaker's name: not a name.
fn is_party_tag(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 3 && b[1] == b'-' && matches!(b[0], b'R' | b'D' | b'I') && b[2].is_ascii_uppercase()
}

/// The trailing noun phrase of `ws` (words in order), as a name, pronoun or role.
fn trailing_np(doc: &Document, ws: &[(Span, &str)]) -> Option<Np> {
    let (last_span, last) = *ws.last()?;
    if PRONOUNS.contains(&&*lower(last)) {
        return Some(Np::Pronoun(last_span));
    }
    if is_cap_name_word(last) {
        let mut first = ws.len() - 1;
        while first > 0 && ws.len() - first < 4 {
            let (sp, w) = ws[first - 1];
            let gap = doc.text.get(sp.end..ws[first].0.start).unwrap_or(" ");
            let joins = gap == " " || gap == ". " || gap == "." || gap == "-";
            if joins && (is_cap_name_word(w) || is_in(w, W_TITLE) || matches!(w, "de" | "van" | "von" | "bin" | "al")) {
                first -= 1;
            } else {
                break;
            }
        }
        while first < ws.len() - 1 && is_in(ws[first].1, W_TITLE) {
            first += 1;
        }
        return Some(Np::Name(Span::new(ws[first].0.start, last_span.end)));
    }
    if is_in_lower(last, W_ROLE) {
        let n = ws.len();
        for back in 1..=4.min(n - 1) {
            let w = lower(ws[n - 1 - back].1);
            if matches!(&*w, "the" | "a" | "an" | "his" | "her" | "its" | "their") {
                return Some(Np::Role(Span::new(ws[n - 1 - back].0.start, last_span.end)));
            }
        }
    }
    None
}

/// The leading noun phrase of `ws` and the index of the word after it.
fn leading_np(doc: &Document, ws: &[(Span, &str)]) -> Option<(Np, usize)> {
    let (first_span, first) = *ws.first()?;
    if PRONOUNS.contains(&&*lower(first)) {
        return Some((Np::Pronoun(first_span), 1));
    }
    if matches!(&*lower(first), "the" | "a" | "an" | "his" | "her" | "its" | "their") {
        for k in 1..ws.len().min(5) {
            if is_in_lower(ws[k].1, W_ROLE) {
                let mut end = k;
                while end + 1 < ws.len() && end < 5 && is_in_lower(ws[end + 1].1, W_ROLE) {
                    end += 1;
                }
                return Some((Np::Role(Span::new(first_span.start, ws[end].0.end)), end + 1));
            }
        }
        return None;
    }
    let mut k = 0;
    while k < ws.len() && is_in(ws[k].1, W_TITLE) {
        k += 1;
    }
    let start = k;
    while k < ws.len() && k - start < 4 {
        let (sp, w) = ws[k];
        if k > start {
            let gap = doc.text.get(ws[k - 1].0.end..sp.start).unwrap_or(" ");
            if !(gap == " " || gap == ". " || gap == "-") {
                break;
            }
        }
        if is_cap_name_word(w) || (k > start && matches!(w, "de" | "van" | "von" | "bin" | "al")) {
            k += 1;
        } else {
            break;
        }
    }
    if k > start {
        return Some((Np::Name(Span::new(ws[start].0.start, ws[k - 1].0.end)), k));
    }
    None
}

/// Skips a `, apposition,` after word `k` (the comma right after word `k - 1`); returns
/// the index of the first word after it.
fn skip_apposition(doc: &Document, ws: &[(Span, &str)], k: usize) -> usize {
    if k == 0 || k >= ws.len() {
        return k;
    }
    let gap = doc.text.get(ws[k - 1].0.end..ws[k].0.start).unwrap_or("");
    if !gap.trim_start().starts_with(',') {
        return k;
    }
    // find the next word preceded by a comma, within 10 words
    for m in k + 1..ws.len().min(k + 10) {
        let g = doc.text.get(ws[m - 1].0.end..ws[m].0.start).unwrap_or("");
        if g.contains(',') {
            return m;
        }
        if g.contains(['.', ':', ';', '"', '“', '”']) {
            break;
        }
    }
    k
}

fn attribute(
    cx: &Cx,
    p: &Piece,
    prev_end: usize,
    next_start: usize,
    history: &[(usize, Speaker)],
) -> Option<(Speaker, Option<String>)> {
    let doc = cx.doc;
    let text = &doc.text;
    // After the quote, up to the end of the sentence holding the closing mark.
    let sent_after = sentence_at(doc, p.outer.end.saturating_sub(1));
    let mut after_end = sent_after.end.max(p.outer.end).min(next_start).min(text.len());
    if let Some(nl) = text.get(p.outer.end..after_end).and_then(|s| s.find('\n')) {
        after_end = p.outer.end + nl;
    }
    let ws = word_list(text, cx.dw, p.outer.end, after_end);
    let lead_gap = text.get(p.outer.end..ws.first().map_or(p.outer.end, |w| w.0.start)).unwrap_or("");
    let closes_sentence = {
        let inner = doc.slice(p.inner);
        inner.ends_with(['.'])
            && !lead_gap.contains(',')
            && ws.first().is_some_and(|w| w.1.chars().next().is_some_and(char::is_uppercase))
    };
    if !ws.is_empty() && !lead_gap.contains(['.', ';', '(']) && !closes_sentence {
        // "…," saying …: the participle has the subject of the sentence the quote is in.
        if ends_lower(ws[0].1, "ing") && is_verb(ws[0].1) {
            let sent = sentence_at(doc, p.outer.start);
            let from = sent.start.max(prev_end).min(p.outer.start);
            if let Some(np) = clause_subject(cx, &word_list(text, cx.dw, from, p.outer.start)) {
                if let Some(s) = resolve(cx, np, "X said", history) {
                    return Some((s, Some(lower(ws[0].1).into_owned())));
                }
            }
        }
        // "…," said X
        else if is_verb(ws[0].1) {
            if let Some((np, _)) = leading_np(doc, &ws[1..]) {
                if let Some(s) = resolve(cx, np, "said X", history) {
                    return Some((s, Some(lower(ws[0].1).into_owned())));
                }
            }
        }
        // "…," X said / X, a doctor, said / X later told
        if let Some((np, mut k)) = leading_np(doc, &ws) {
            k = skip_apposition(doc, &ws, k);
            while k < ws.len() && (is_in_lower(ws[k].1, W_ADVERB) || ends_lower(ws[k].1, "ly")) {
                k += 1;
            }
            if k < ws.len() && is_verb(ws[k].1) {
                if let Some(s) = resolve(cx, np, "X said", history) {
                    return Some((s, Some(lower(ws[k].1).into_owned())));
                }
            }
        }
    }
    // Before the quote, in the same sentence (or after the previous quote).
    let sent = sentence_at(doc, p.outer.start);
    let mut before_start = sent.start.max(prev_end).min(p.outer.start);
    if let Some(nl) = text.get(before_start..p.outer.start).and_then(|s| s.rfind('\n')) {
        before_start += nl + 1;
    }
    // "X said in a statement:" ending the previous paragraph introduces this quote.
    if text.get(before_start..p.outer.start).is_some_and(|b| b.trim().is_empty()) {
        let lo = prev_end.min(before_start);
        let head = text.get(lo..before_start).unwrap_or("").trim_end();
        if head.ends_with(':') {
            let end = lo + head.len();
            let line_start = text.get(..end).and_then(|t| t.rfind('\n')).map_or(0, |x| x + 1).max(lo);
            before_start = line_start.min(end);
            let ws = word_list(text, cx.dw, before_start, end);
            if let Some(v) = (0..ws.len()).rev().find(|&k| is_verb(ws[k].1)) {
                if let Some(np) = trailing_np(doc, &ws[..v]).or_else(|| leading_np(doc, &ws[..v]).map(|x| x.0)) {
                    if let Some(s) = resolve(cx, np, "X said:", history) {
                        return Some((s, Some(lower(ws[v].1).into_owned())));
                    }
                }
            }
        }
    }
    let before = text.get(before_start..p.outer.start).unwrap_or("");
    let ws = word_list(text, cx.dw, before_start, p.outer.start);
    // according to X
    for k in 0..ws.len().saturating_sub(2) {
        if lower(ws[k].1) == "according" && lower(ws[k + 1].1) == "to" {
            if let Some((np, _)) = leading_np(doc, &ws[k + 2..]) {
                if let Some(s) = resolve(cx, np, "according to X", history) {
                    return Some((s, None));
                }
            }
        }
    }
    // X said: "…" (the last speech verb before the quote)
    if let Some(v) = (0..ws.len()).rev().find(|&k| is_verb(ws[k].1)) {
        if ends_lower(ws[v].1, "ing") && v > 0 {
            let mut starts = vec![0];
            starts
                .extend((1..v).filter(|&m| text.get(ws[m - 1].0.end..ws[m].0.start).is_some_and(|g| g.contains(','))));
            for st in starts {
                if let Some((np, _)) = leading_np(doc, &ws[st..v]) {
                    if let Some(s) = resolve(cx, np, "X said", history) {
                        return Some((s, Some(lower(ws[v].1).into_owned())));
                    }
                }
            }
        }
        // "X attacked Y, calling him …": a participle after a comma has the clause's subject,
        // not the object before the comma.
        let participle = v > 0
            && ends_lower(ws[v].1, "ing")
            && text.get(ws[v - 1].0.end..ws[v].0.start).is_some_and(|g| g.contains(','));
        if participle {
            if let Some(np) = clause_subject(cx, &ws[..v]) {
                if let Some(s) = resolve(cx, np, "X said", history) {
                    return Some((s, Some(lower(ws[v].1).into_owned())));
                }
            }
        }
        let mut end = v;
        while end > 0 && (is_in_lower(ws[end - 1].1, W_ADVERB) || ends_lower(ws[end - 1].1, "ly")) {
            end -= 1;
        }
        // ", smiling," or ", who …," before the verb: skip back over it
        if end > 0 {
            let gap = text.get(ws[end - 1].0.end..ws[end].0.start).unwrap_or("");
            if gap.contains(',') {
                let mut m = end - 1;
                while m > 0 && end - m < 15 {
                    let g = text.get(ws[m - 1].0.end..ws[m].0.start).unwrap_or("");
                    if g.contains(',') {
                        end = m;
                        break;
                    }
                    m -= 1;
                }
            }
        }
        if let Some(np) = trailing_np(doc, &ws[..end]).filter(|_| !participle) {
            if let Some(s) = resolve(cx, np, "X said", history) {
                return Some((s, Some(lower(ws[v].1).into_owned())));
            }
        }
        // "X looked at Y and said", "X was quick to retort": the subject of the clause
        if end > 0 && matches!(&*lower(ws[end - 1].1), "and" | "but" | "then" | "to") {
            let mut starts = vec![0];
            starts.extend(
                (1..end).filter(|&m| text.get(ws[m - 1].0.end..ws[m].0.start).is_some_and(|g| g.contains(','))),
            );
            for st in starts {
                if let Some((np, _)) = leading_np(doc, &ws[st..end]) {
                    if let Some(s) = resolve(cx, np, "X said", history) {
                        return Some((s, Some(lower(ws[v].1).into_owned())));
                    }
                }
            }
        }
        // "said X:" inverted
        if let Some((np, _)) = leading_np(doc, &ws[v + 1..]) {
            if let Some(s) = resolve(cx, np, "said X", history) {
                return Some((s, Some(lower(ws[v].1).into_owned())));
            }
        }
    }
    // X: "…"
    if before.trim_end().ends_with(':') && ws.len() <= 4 {
        if let Some(np @ Np::Name(_)) = trailing_np(doc, &ws) {
            if let Some(s) = resolve(cx, np, "X:", history) {
                return Some((s, None));
            }
        }
    }
    None
}

/// The subject of the clause `ws`: the first name, pronoun or role noun phrase in it that
/// is not a possessive or a preposition's object and is followed by a verb.
fn clause_subject(cx: &Cx, ws: &[(Span, &str)]) -> Option<Np> {
    let doc = cx.doc;
    for i in 0..ws.len() {
        let w = ws[i].1;
        let lw = lower(w);
        let starts_np = w.chars().next().is_some_and(char::is_uppercase)
            || PRONOUNS.contains(&&*lw)
            || matches!(&*lw, "the" | "a" | "an" | "his" | "her" | "their");
        if !starts_np || cx.in_quote(ws[i].0.start) {
            continue;
        }
        let Some((np, _)) = leading_np(doc, &ws[i..]) else { continue };
        if subject_like_span(cx, np.span()) {
            return Some(np);
        }
    }
    None
}

fn speaker_from_entity(doc: &Document, entity: usize, mention: Option<usize>, rule: &str) -> Speaker {
    let name = doc.entities.get(entity).map(|e| e.name.clone()).unwrap_or_default();
    Speaker { name, entity: Some(entity), mention, rule: rule.to_string() }
}

fn is_personish(kind: EntityKind) -> bool {
    matches!(kind, EntityKind::Person | EntityKind::Org)
}

/// True when the mention is followed by a verb-like word (it is a sentence subject).
fn subject_like(cx: &Cx, m: &concord_core::Mention) -> bool {
    subject_like_span(cx, m.span)
}

/// Like [`subject_like_span`], but the next word must be a speech verb, an `-ed` past
/// tense or an auxiliary (for names found without entity tagging, which include places).
fn subject_like_strict(cx: &Cx, span: Span) -> bool {
    let doc = cx.doc;
    let mut end = (span.end + 140).min(doc.text.len());
    while !doc.text.is_char_boundary(end) {
        end -= 1;
    }
    let after = doc.text.get(span.end..end).unwrap_or("");
    let ws = word_list(&doc.text, cx.dw, span.end, span.end + after.len());
    let verb_at = |k: usize| {
        let k = skip_modifiers(&ws, k, true);
        ws.get(k).is_some_and(|(_, w)| {
            let lw = lower(w);
            w.chars().next().is_some_and(char::is_lowercase)
                && (is_verb(w)
                    || lw.ends_with("ed")
                    || matches!(&*lw, "has" | "had" | "is" | "was" | "will" | "would" | "did")
                    || is_in(&lw, W_IRREGULAR))
        })
    };
    // "X, R-Calif., former chairman of …, said": the verb after one of the commas that
    // follow an apposition.
    if let Some(first) = ws.first() {
        if after.get(..first.0.start - span.end).is_some_and(|g| g.contains(',')) {
            return (1..ws.len().min(16))
                .filter(|&j| doc.text.get(ws[j - 1].0.end..ws[j].0.start).is_some_and(|g| g.contains(',')))
                .any(verb_at);
        }
    }
    verb_at(skip_apposition(doc, &ws, 0))
}

/// Skips what may stand between a subject and its verb from word `k`: adverbs in `-ly`
/// (and, with `adverbs`, `also`, `later`, …), time phrases (`on Sunday`) and places
/// (`Rick Perry of Texas`, `Ginsburg of the Supreme Court`).
fn skip_modifiers(ws: &[(Span, &str)], mut k: usize, adverbs: bool) -> usize {
    loop {
        let from = k;
        while k < ws.len() && {
            let lw = lower(ws[k].1);
            lw.ends_with("ly") || (adverbs && is_in(&lw, W_ADVERB))
        } {
            k += 1;
        }
        k = skip_time(ws, k);
        if ws.get(k).is_some_and(|w| w.1 == "of") {
            let mut m = k + 1;
            if ws.get(m).is_some_and(|w| w.1 == "the") {
                m += 1;
            }
            let caps = ws[m.min(ws.len())..]
                .iter()
                .take(4)
                .take_while(|w| w.1.chars().next().is_some_and(char::is_uppercase))
                .count();
            if caps > 0 {
                k = m + caps;
            }
        }
        if k == from {
            return k;
        }
    }
}

/// Skips a time phrase at word `k` (`on Sunday`, `last Friday`, `this week`) between a
/// subject and its verb.
fn skip_time(ws: &[(Span, &str)], k: usize) -> usize {
    match (ws.get(k), ws.get(k + 1)) {
        (Some((_, a)), Some((_, b)))
            if matches!(*a, "on" | "last" | "this" | "early" | "late")
                && (is_in(b, W_WEEKDAY) || matches!(*b, "week" | "month" | "year" | "morning" | "night")) =>
        {
            k + 2
        }
        _ => k,
    }
}

/// The word right before byte `pos` ("" after punctuation or at the start): `at` in
/// `at Trump`.
fn prev_word(text: &str, pos: usize) -> &str {
    let head = text.get(..pos).unwrap_or("");
    let trimmed = head.trim_end_matches(' ');
    if trimmed.len() == head.len() && !head.is_empty() {
        return "";
    }
    let start = trimmed
        .rfind(|c: char| !c.is_alphanumeric())
        .map_or(0, |i| i + trimmed[i..].chars().next().map_or(1, char::len_utf8));
    &trimmed[start..]
}

/// A clause embedded under a verb or a complementiser (`said that Trump`, `whether he`):
/// its subject is not the sentence's.
fn embedded(doc: &Document, span: Span) -> bool {
    let w = prev_word(&doc.text, span.start);
    matches!(w, "that" | "whether" | "if" | "than") || is_verb(w)
}

/// True when the words after `span` look like a verb (the span is a sentence subject).
fn subject_like_span(cx: &Cx, span: Span) -> bool {
    let doc = cx.doc;
    let m = concord_core::Mention { span, entity: 0, kind: EntityKind::Person, surface: String::new(), role: None };
    let mut end = (m.span.end + 80).min(doc.text.len());
    while !doc.text.is_char_boundary(end) {
        end -= 1;
    }
    let Some(after) = doc.text.get(m.span.end..end) else {
        return false;
    };
    // "Trump's idea", "at Trump": a possessive or the object of a preposition.
    // "the Obama administration", "a Trump supporter": a name used as a modifier.
    let prev = prev_word(&doc.text, span.start);
    if after.starts_with("'s")
        || after.starts_with("’s")
        || is_in(prev, W_PREPOSITION)
        || matches!(prev, "the" | "a" | "an" | "The" | "A" | "An")
    {
        return false;
    }
    let ws = word_list(&doc.text, cx.dw, m.span.end, end);
    let k = skip_apposition(doc, &ws, 0);
    let k = if ws.is_empty() {
        return false;
    } else {
        let gap = after.get(..ws[0].0.start - m.span.end).unwrap_or("");
        if gap.contains(',') {
            // "Putin, smiling, suggested": skip to the word after the next comma
            (1..ws.len().min(16))
                .find(|&j| doc.text.get(ws[j - 1].0.end..ws[j].0.start).is_some_and(|g| g.contains(',')))
                .unwrap_or(k)
        } else {
            k
        }
    };
    let k = skip_modifiers(&ws, k, false);
    let Some((_, w)) = ws.get(k) else {
        return false;
    };
    let lw = lower(w);
    if w.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let lw = lw.strip_suffix("'s").or_else(|| lw.strip_suffix("’s")).unwrap_or(&lw);
    !matches!(
        lw,
        "and"
            | "or"
            | "of"
            | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "with"
            | "from"
            | "by"
            | "the"
            | "a"
            | "an"
            | "as"
            | "who"
            | "whom"
            | "which"
            | "that"
            | "but"
            | "nor"
            | "about"
            | "after"
            | "before"
            | "into"
            | "over"
            | "under"
            | "than"
            | "soon"
            | "himself"
            | "herself"
            | "administration"
            | "government"
            | "campaign"
            | "team"
            | "aides"
            | "officials"
            | "supporters"
            | "allies"
            | "while"
            | "during"
            | "if"
            | "because"
    )
}

/// Resolves the subject `np` of an attribution to a speaker; on success, records where the
/// subject stands in `cx.at` (the position a later pronoun's candidates are ordered by).
fn resolve(cx: &Cx, np: Np, rule: &str, history: &[(usize, Speaker)]) -> Option<Speaker> {
    let at = np.span().start;
    let found = resolve_np(cx, np, rule, history);
    if found.is_some() {
        cx.at.set(at);
    }
    found
}

fn resolve_np(cx: &Cx, np: Np, rule: &str, history: &[(usize, Speaker)]) -> Option<Speaker> {
    let doc = cx.doc;
    match np {
        Np::Name(span) => {
            // A mention overlapping the name.
            if let Some((mi, m)) = doc
                .mentions
                .iter()
                .enumerate()
                .find(|(_, m)| m.span.overlaps(span) && is_personish(m.kind) && !is_party_tag(doc.slice(m.span)))
            {
                return Some(speaker_from_entity(doc, m.entity, Some(mi), rule));
            }
            let surface = doc.slice(span).trim();
            if is_party_tag(surface) {
                return None;
            }
            let surface =
                surface.strip_suffix("'s").or_else(|| surface.strip_suffix("’s")).unwrap_or(surface).to_string();
            if surface.is_empty() {
                return None;
            }
            // An entity of the article whose name ends with this surface's last word.
            let last = surface.split_whitespace().last().unwrap_or("").to_lowercase();
            let ent = doc.entities.iter().enumerate().find(|(_, e)| {
                e.kind == EntityKind::Person
                    && std::iter::once(&e.name)
                        .chain(&e.aliases)
                        .any(|n| n.split_whitespace().last().is_some_and(|l| lower_eq(l, &last)))
            });
            if let Some((ei, _)) = ent {
                return Some(speaker_from_entity(doc, ei, None, rule));
            }
            // Without mentions: the fullest earlier speaker name ending with this word.
            let full = history
                .iter()
                .rev()
                .map(|(_, s)| s)
                .filter(|s| s.entity.is_none() && s.name.split_whitespace().last().is_some_and(|l| lower_eq(l, &last)))
                .max_by_key(|s| s.name.len())
                .map(|s| s.name.clone());
            let name = match full {
                Some(f) if f.len() > surface.len() => f,
                _ => surface,
            };
            Some(Speaker { name, entity: None, mention: None, rule: rule.to_string() })
        }
        Np::Pronoun(span) => {
            let she = lower(doc.slice(span)) == "she";
            // The most recent person outside quotes whose gender fits: a known fit first
            // (for `she`; most people quoted in news are men, so an unknown gender fits
            // `he` as well as a known one), then a sentence subject, then the most recent.
            let before = doc.mentions.partition_point(|m| m.span.end <= span.start);
            let mut best: Option<((u8, u8), usize)> = None;
            let mut seen = 0;
            for i in (0..before).rev() {
                let m = &doc.mentions[i];
                // A person, or an entity already quoted as a speaker (a tagger may take a
                // person for an organisation: "Bloomberg").
                let person = m.kind == EntityKind::Person
                    || (m.kind == EntityKind::Org && history.iter().any(|(_, s)| s.entity == Some(m.entity)));
                if !person || cx.in_quote(m.span.start) || is_party_tag(doc.slice(m.span)) {
                    continue;
                }
                seen += 1;
                if seen > 12 {
                    break;
                }
                let Some(fit) = gender_fit(she, cx.entity_gender(m.entity)) else { continue };
                let subj = if history.iter().any(|(_, s)| s.mention == Some(i)) {
                    2
                } else if subject_like(cx, m) {
                    if embedded(doc, m.span) {
                        1
                    } else {
                        2
                    }
                } else {
                    0
                };
                if best.map_or(true, |(k, _)| (fit, subj) > k) {
                    best = Some(((fit, subj), i));
                }
            }
            if let Some((_, mi)) = best {
                return Some(speaker_from_entity(doc, doc.mentions[mi].entity, Some(mi), "pronoun"));
            }
            if doc.mentions.is_empty() {
                return recent_name(cx, span.start, history, "pronoun", Some(she));
            }
            None
        }
        Np::Role(span) => {
            let phrase = doc.slice(span).to_lowercase();
            let words: Vec<&str> = phrase
                .split_whitespace()
                .filter(|w| !matches!(*w, "the" | "a" | "an" | "his" | "her" | "its" | "their"))
                .collect();
            let mut best: Option<(usize, usize)> = None; // (score, mention index)
            for (mi, m) in doc.mentions.iter().enumerate() {
                if m.kind != EntityKind::Person || m.span.start >= span.start || cx.in_quote(m.span.start) {
                    continue;
                }
                let role = m.role.as_deref().unwrap_or("").to_lowercase();
                let score = words.iter().filter(|w| role.split_whitespace().any(|r| expand_title(r) == **w)).count();
                if score > 0 && best.map_or(true, |(b, _)| score >= b) {
                    best = Some((score, mi));
                }
            }
            if let Some((_, mi)) = best {
                return Some(speaker_from_entity(doc, doc.mentions[mi].entity, Some(mi), "role"));
            }
            // An entity-level role match (roles seen anywhere in the article).
            let persons: Vec<usize> = (0..doc.mentions.partition_point(|m| m.span.end <= span.start))
                .rev()
                .filter(|&i| doc.mentions[i].kind == EntityKind::Person && !cx.in_quote(doc.mentions[i].span.start))
                .collect();
            if let Some(&mi) = persons.iter().find(|&&i| subject_like(cx, &doc.mentions[i])) {
                return Some(speaker_from_entity(doc, doc.mentions[mi].entity, Some(mi), "role"));
            }
            if doc.mentions.is_empty() {
                return recent_name(cx, span.start, history, "role", None);
            }
            None
        }
    }
}

/// A role word as written in a mention's role (`Gov.`, `Sen.`) in full.
fn expand_title(w: &str) -> &str {
    match w.trim_end_matches('.') {
        "gov" => "governor",
        "sen" => "senator",
        "rep" => "representative",
        "gen" => "general",
        "pres" => "president",
        "sec" => "secretary",
        other => other,
    }
}

/// Without entity tagging: the most recent person named outside quotes in subject position
/// before `pos` (two or more capitalised words, a title and a name, or a name before a
/// speech verb; not `the …`, not an organisation's name), within the last 1,500 bytes, or
/// the most recent speaker, whichever stands later. For a pronoun (`she`: `Some(true)`),
/// only names whose gender fits, a known fit first.
///
/// `cx.dw` holds the words of the whole document (from [`words`]).
fn recent_name(cx: &Cx, pos: usize, history: &[(usize, Speaker)], rule: &str, she: Option<bool>) -> Option<Speaker> {
    let (doc, dw) = (cx.doc, cx.dw);
    let fit = |first: &str, last: &str| match she {
        Some(she) => gender_fit(she, cx.name_gender(first, last)),
        None => Some(1),
    };
    let from = pos.saturating_sub(1500);
    let first = dw.partition_point(|w| w.0 < from);
    let ws: Vec<(Span, &str)> = dw[first..]
        .iter()
        .take_while(|w| w.1 <= pos)
        .filter_map(|&(s, e)| doc.text.get(s..e).map(|t| (Span::new(s, e), t)))
        .collect();
    // ((fit, position), name)
    let mut best: Option<((u8, usize), String)> = None;
    let mut k = 0;
    while k < ws.len() {
        let start = k;
        // Names and titles start with a capital: nothing to find at other words.
        if !ws[k].1.chars().next().is_some_and(char::is_uppercase) || cx.in_quote(ws[k].0.start) {
            k += 1;
            continue;
        }
        let titled = is_in(ws[k].1, W_TITLE);
        while k < ws.len() && (is_cap_name_word(ws[k].1) || is_in(ws[k].1, W_TITLE)) && k - start < 4 {
            if k > start {
                let gap = doc.text.get(ws[k - 1].0.end..ws[k].0.start).unwrap_or(" ");
                if !(gap == " " || gap == ". ") {
                    break;
                }
            }
            k += 1;
        }
        let n = k - start;
        let single_speaker = n == 1
            && ws.get(k).is_some_and(|w| is_verb(w.1))
            && doc.text.get(ws[start].0.end..ws[k].0.start) == Some(" ");
        let the = start > 0 && ws[start - 1].1.eq_ignore_ascii_case("the");
        let org = k > start && is_in(ws[k - 1].1, W_ORG_LAST);
        if (n >= 2 || (n == 1 && titled) || single_speaker) && !the && !org {
            let mut first = start;
            while first < k - 1 && is_in(ws[first].1, W_TITLE) {
                first += 1;
            }
            let span = Span::new(ws[first].0.start, ws[k - 1].0.end);
            let name = doc.slice(span);
            let name = name.strip_suffix("'s").or_else(|| name.strip_suffix("’s")).unwrap_or(name);
            if subject_like_strict(cx, span) {
                let g = if start < first && matches!(ws[start].1, "Mr" | "Mrs" | "Ms" | "Miss") {
                    match she {
                        Some(she) => gender_fit(she, if ws[start].1 == "Mr" { MALE } else { FEMALE }),
                        None => Some(1),
                    }
                } else {
                    fit(ws[first].1, ws[k - 1].1)
                };
                if let Some(g) = g {
                    if best.as_ref().map_or(true, |(b, _)| (g, span.start) >= *b) {
                        best = Some(((g, span.start), name.to_string()));
                    }
                }
            }
        }
        k = k.max(start + 1);
    }
    let from_history = history.iter().rev().filter(|(p, _)| pos.saturating_sub(*p) < 1500).find_map(|(p, h)| {
        let mut parts = h.name.split_whitespace();
        let first = parts.next().unwrap_or("");
        let last = parts.last().unwrap_or(first);
        fit(first, last).map(|g| ((g, *p), h))
    });
    match (best, from_history) {
        (Some((b, _)), Some((hk, h))) if hk >= b => Some(Speaker { rule: rule.into(), ..h.clone() }),
        (Some((_, name)), _) => {
            // Prefer the fullest earlier form of the same person.
            let last = name.split_whitespace().last().unwrap_or("").to_string();
            let full = history
                .iter()
                .map(|(_, s)| &s.name)
                .filter(|n| n.split_whitespace().last() == Some(last.as_str()) && n.len() > name.len())
                .max_by_key(|n| n.len())
                .cloned();
            Some(Speaker { name: full.unwrap_or(name), entity: None, mention: None, rule: rule.into() })
        }
        (None, Some((_, h))) => Some(Speaker { rule: rule.into(), ..h.clone() }),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::{Article, LocalEntity, Mention};

    fn doc(text: &str, people: &[(&str, &str, Option<&str>)]) -> Document {
        let mut d = Document::new(Article { body: text.into(), ..Default::default() });
        for (name, surface, role) in people {
            let ei = match d.entities.iter().position(|e| e.name == *name) {
                Some(i) => i,
                None => {
                    d.entities.push(LocalEntity {
                        name: name.to_string(),
                        kind: EntityKind::Person,
                        aliases: vec![],
                        gazetteer_id: None,
                    });
                    d.entities.len() - 1
                }
            };
            let mut from = 0;
            while let Some(p) = text[from..].find(surface) {
                let s = from + p;
                d.mentions.push(Mention {
                    span: Span::new(s, s + surface.len()),
                    entity: ei,
                    kind: EntityKind::Person,
                    surface: surface.to_string(),
                    role: role.map(str::to_string),
                });
                from = s + surface.len();
            }
        }
        d.mentions.sort_by_key(|m| m.span);
        d.mentions.dedup_by_key(|m| m.span.start);
        d
    }

    fn speakers(d: &Document) -> Vec<(String, Option<String>)> {
        QuoteExtractor::default()
            .extract(d)
            .iter()
            .map(|q| (d.slice(q.span).to_string(), q.speaker.as_ref().map(|s| s.name.clone())))
            .collect()
    }

    /// A small deterministic generator of texts full of quote marks, apostrophes and breaks.
    fn tricky_texts() -> Vec<String> {
        let alphabet = [
            "a", "Bo", " ", " ", "\n", "\n\n", "\"", "“", "”", "‘", "’", "'", "«", "»", "„", "—", "é", "9", ".", ",",
            "(", "$", "  ", "said", "x’s", "\u{a0}", "中",
        ];
        let mut state: u64 = 0x1234_5678;
        let mut out = Vec::new();
        for len in [0usize, 1, 2, 5, 12, 40, 120, 400] {
            for _ in 0..60 {
                let mut t = String::new();
                for _ in 0..len {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    t.push_str(alphabet[(state >> 33) as usize % alphabet.len()]);
                }
                out.push(t);
            }
        }
        out
    }

    #[test]
    fn stack_lower_casing_is_lower_casing() {
        let words =
            ["Spokeswoman", "KING", "\u{212a}ing", "Père", "CONGRESSWOMAN", "a", "", "Mr.", "x".repeat(30).as_str()]
                .map(String::from);
        for w in &words {
            assert_eq!(title_gender(w), title_gender_reference(w), "{w}");
            for l in ["king", "père", "spokeswoman", "", "x"] {
                assert_eq!(lower_eq(w, l), w.to_lowercase() == l, "{w} {l}");
            }
        }
    }

    /// `title_gender` as first written (a `String` per word).
    fn title_gender_reference(w: &str) -> u8 {
        let w = w.trim_end_matches('.');
        match w {
            "Mr" | "mr" => MALE,
            "Mrs" | "Ms" | "Miss" | "mrs" | "ms" => FEMALE,
            _ => match w.to_lowercase().as_str() {
                "spokesman" | "congressman" | "chairman" | "king" | "prince" | "businessman" | "husband" | "father"
                | "son" | "brother" => MALE,
                "spokeswoman" | "congresswoman" | "chairwoman" | "queen" | "princess" | "businesswoman" | "wife"
                | "mother" | "daughter" | "sister" | "lady" | "actress" => FEMALE,
                _ => 0,
            },
        }
    }

    #[test]
    fn list_words_fit_the_stack_lower_casing() {
        for list in [SPEECH_VERBS, IRREGULAR_PAST, ADVERBS, ROLE_NOUNS] {
            assert!(list.iter().all(|w| w.len() <= LIST_WORD_MAX && w.bytes().all(|b| b.is_ascii_lowercase())));
        }
        for w in [
            "Said",
            "SAID",
            "said",
            "Leader",
            "ALSO",
            "AS\u{212a}ED",
            "ask\u{212a}d",
            "x",
            "",
            "Président",
            "SadLY",
            "ING",
        ] {
            for suffix in ["ly", "ing"] {
                assert_eq!(ends_lower(w, suffix), w.to_lowercase().ends_with(suffix), "{w}");
            }
            for kind in [W_VERB, W_ROLE, W_ADVERB, W_IRREGULAR] {
                assert_eq!(is_in_lower(w, kind), is_in(&w.to_lowercase(), kind), "{w}");
            }
        }
    }

    #[test]
    fn fast_quote_scan_matches_the_reference() {
        let mut texts = tricky_texts();
        texts.push("He said: “We will win.”\n\n“And then,” he added, ‘we rest’. 'Tis the 'end' of it".into());
        for max in [0usize, 1, 3, 7, 20, 64, 3000] {
            let qx = QuoteExtractor::new(max);
            for t in &texts {
                let (a, b) = (qx.find(t), qx.find_reference(t));
                let key = |v: &[Piece]| v.iter().map(|p| (p.outer, p.inner, p.group)).collect::<Vec<_>>();
                assert_eq!(key(&a), key(&b), "max {max}: {t:?}");
            }
        }
    }

    #[test]
    fn patterns_after_and_before() {
        let d = doc(
            "“We didn't get there,” Trump admitted. Then he added: \"But we will.\"",
            &[("Donald Trump", "Trump", None)],
        );
        assert_eq!(
            speakers(&d),
            vec![
                ("We didn't get there,".into(), Some("Donald Trump".into())),
                ("But we will.".into(), Some("Donald Trump".into()))
            ]
        );
        let d = doc("Putin, smiling, responded in English: “Next time in Moscow.”", &[]);
        assert_eq!(speakers(&d), vec![("Next time in Moscow.".into(), Some("Putin".into()))]);
        let d = doc("“It was fine,” said Gov. Rick Perry. “Really,” according to Hugh Hill, a doctor.", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Rick Perry"));
        let d = doc("Hugh Hill, a doctor, said “it is bad” today.", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Hugh Hill"));
    }

    #[test]
    fn role_nouns_and_unknown_speakers() {
        let text = "Russian President Vladimir Putin met US President Donald Trump. Trump thanked Putin, and the Russian leader replied: “Next time, in Moscow.” It was “a tragedy” for all.";
        let d = doc(
            text,
            &[
                ("Vladimir Putin", "Vladimir Putin", Some("Russian President")),
                ("Vladimir Putin", "Putin,", None),
                ("Donald Trump", "Donald Trump", Some("US President")),
                ("Donald Trump", "Trump thanked", None),
            ],
        );
        let s = speakers(&d);
        assert_eq!(s[0].1.as_deref(), Some("Vladimir Putin"));
        assert_eq!(s[1], ("a tragedy".into(), None));
    }

    #[test]
    fn apostrophes_are_not_quotes_and_paragraphs_continue() {
        let d = doc("Trump's team didn't say. ‘Many points agreed,’ Trump said.", &[]);
        let s = speakers(&d);
        assert_eq!(s, vec![("Many points agreed,".into(), Some("Trump".into()))]);
        let d = doc("Hill said: “First part.\n\n“Second part.”\n\nNext.", &[]);
        let q = QuoteExtractor::default().extract(&d);
        assert_eq!(q.len(), 2);
        assert_eq!(d.slice(q[1].span), "Second part.");
        assert_eq!(q[1].speaker.as_ref().map(|s| s.name.as_str()), Some("Hill"));
    }

    #[test]
    fn continuations_and_introduced_quotes() {
        let d = doc("“First part,” Hill said. “Second part.”\n\n“Third part.”\n\nHe left.", &[]);
        let s = speakers(&d);
        assert!(s.iter().all(|x| x.1.as_deref() == Some("Hill")), "{s:?}");
        let d = doc("Trump responded in a statement on Friday:\n\n“I have no idea.”", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Trump"));
        let d = doc("The show was called “Today” by most people.", &[]);
        assert_eq!(speakers(&d)[0].1, None);
    }

    #[test]
    fn pronoun_takes_recent_subject() {
        let text = "Putin may have felt at ease. Chuckling, he looked at Trump and said: “Next time in Moscow.”";
        let d = doc(text, &[("Vladimir Putin", "Putin", None), ("Donald Trump", "Trump", None)]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Vladimir Putin"));
    }

    #[test]
    fn pronouns_fit_gender() {
        // With mentions: "she" passes over the men, whatever their position.
        let text = "Ms. Alder met Mr. Brook in Paris. Brook spoke first. “We agreed on a lot,” she said.";
        let d = doc(text, &[("Ann Alder", "Alder", None), ("Tom Brook", "Brook", None)]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Ann Alder"));
        // "he" passes over a woman named by her first name.
        let text = "Tom Brook lost. Susan Alder won the vote. “It was close,” he said.";
        let d = doc(text, &[("Tom Brook", "Tom Brook", None), ("Susan Alder", "Susan Alder", None)]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Tom Brook"));
        // Without mentions: the same, from honorifics and first names in the text.
        let d = doc("Ms. Alder spoke. Then Tom Brook said a few words. “Thanks,” she said.", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Alder"));
        // No fitting person: no speaker.
        let d = doc("Mr. Brook arrived. “Hello,” she said.", &[("Tom Brook", "Brook", None)]);
        assert_eq!(speakers(&d)[0].1, None);
    }

    #[test]
    fn pronouns_skip_names_inside_quotes_and_organisations() {
        // The name inside the first quote is not the antecedent of the second quote's "he".
        let text = "Brook spoke at length. “Carter has failed us,” Brook said. Later, “We go on,” he said.";
        let d = doc(text, &[("Tom Brook", "Brook", None), ("Jim Carter", "Carter", None)]);
        assert!(speakers(&d).iter().all(|s| s.1.as_deref() == Some("Tom Brook")), "{:?}", speakers(&d));
        let text = "Tom Brook spoke. He praised “Jim Carter’s plan.” “It works,” he said.";
        let d = doc(text, &[]);
        assert_eq!(speakers(&d)[1].1.as_deref(), Some("Tom Brook"));
        // Without mentions, "the Daily Planet reported" and "the State Department said" are
        // not people.
        let text = "Senator Tom Brook spoke on Monday. The Daily Planet reported that the State Department confirmed it. “It is done,” he said.";
        assert_eq!(speakers(&doc(text, &[]))[0].1.as_deref(), Some("Tom Brook"));
    }

    #[test]
    fn participles_take_the_clause_subject() {
        // ", calling …" after an object: the subject of the clause speaks, not the object.
        let text = "Ann Alder spoke. In a speech the senator attacked Tom Brook, calling his plan “a disaster.”";
        let d = doc(text, &[("Ann Alder", "Ann Alder", Some("senator")), ("Tom Brook", "Tom Brook", None)]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Ann Alder"));
        let d = doc("Later Alder criticized Brook on Friday, accusing him of “wasting a week.”", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Alder"));
        // "…," saying he …: the participle's subject is the sentence's, not the "he" after it.
        let text = "Ann Alder on Monday defended her remark that Tom Brook was “a fraud,” saying he lied.";
        let d = doc(text, &[("Ann Alder", "Ann Alder", None), ("Tom Brook", "Tom Brook", None)]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Ann Alder"));
    }

    #[test]
    fn infinitives_and_long_appositions() {
        let d = doc("Brook was quick to retort: “That is false.”", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Brook"));
        let text = "Ann Alder, the chief of staff to Sen. Tom Brook (D-Ohio), wrote that they should “go home.”";
        assert_eq!(speakers(&doc(text, &[]))[0].1.as_deref(), Some("Ann Alder"));
    }

    #[test]
    fn possessives_objects_and_embedded_subjects_are_not_antecedents() {
        let people = [("Tom Brook", "Brook", None), ("Jim Carter", "Carter", None)];
        // "Carter's plan" is a possessive, "with Carter" an object.
        let text = "Brook, however, has rejected Carter's plan. “It fails,” he said.";
        assert_eq!(speakers(&doc(text, &people))[0].1.as_deref(), Some("Tom Brook"));
        let text = "Brook spoke on the radio, clashing with Carter. “It fails,” he said.";
        assert_eq!(speakers(&doc(text, &people))[0].1.as_deref(), Some("Tom Brook"));
        // "that Carter will" is the subject of an embedded clause.
        let text = "Brook, however, isn't worried that Carter will win. “It fails,” he said.";
        assert_eq!(speakers(&doc(text, &people))[0].1.as_deref(), Some("Tom Brook"));
        // A time phrase between subject and verb.
        let text = "Jim Carter praised it. Brook on Sunday rejected the plan. “It fails,” he said.";
        assert_eq!(speakers(&doc(text, &people))[0].1.as_deref(), Some("Tom Brook"));
    }

    #[test]
    fn subjects_across_places_times_and_relative_clauses() {
        // Without mentions: "X of Texas on Monday firmly rejected" is a subject.
        let d = doc("Gov. Tom Brook of Ohio on Monday firmly rejected the plan. “It fails,” he said.", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Tom Brook"));
        // With mentions: "X, who …, has" is a subject; the earlier speaker is not preferred.
        let text = "“We lost,” Carter said. Tom Brook, who led the state from 2001 to 2009 and then retired, has also rejected the plan. “It fails,” he said.";
        let d = doc(text, &[("Tom Brook", "Tom Brook", None), ("Jim Carter", "Carter", None)]);
        assert_eq!(speakers(&d)[1].1.as_deref(), Some("Tom Brook"));
    }

    #[test]
    fn quotes_joined_by_a_conjunction_share_the_attribution() {
        let d = doc("Brook called the plan a “mess” and a “disaster” on Monday.", &[]);
        let s = speakers(&d);
        assert_eq!(s[0].1.as_deref(), Some("Brook"));
        assert_eq!(s[1].1.as_deref(), Some("Brook"));
        // Not across a sentence.
        let d = doc("Brook called the plan a “mess.” A “disaster” came later.", &[]);
        assert_eq!(speakers(&d)[1].1, None);
    }

    #[test]
    fn party_tags_are_not_speakers() {
        let text = "Sen. Tom Brook, R-Ohio, attacked the bill. “It is a mistake,” he said.";
        let d = doc(text, &[("Tom Brook", "Tom Brook", None), ("R-Ohio", "R-Ohio", None)]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Tom Brook"));
        let d = doc("Sen. Tom Brook, R-Ohio, attacked the bill. “It is a mistake,” he said.", &[]);
        assert_eq!(speakers(&d)[0].1.as_deref(), Some("Tom Brook"));
    }

    #[test]
    fn modifiers_and_quoted_organisations() {
        // "the Carter administration's plan": Carter modifies a noun, it is not the subject.
        let people = [("Tom Brook", "Brook", None), ("Jim Carter", "Carter", None)];
        let text =
            "Brook has attacked the plan. He said the Carter administration’s plan fails. “It is weak,” he said.";
        assert_eq!(speakers(&doc(text, &people))[0].1.as_deref(), Some("Tom Brook"));
        // A speaker the tagger took for an organisation is still a pronoun's antecedent.
        let mut d = doc("“We lost,” said Brook. Brook then attacked Carter. “It is weak,” he said.", &people);
        for m in d.mentions.iter_mut().filter(|m| m.surface == "Brook") {
            m.kind = EntityKind::Org;
        }
        d.entities[0].kind = EntityKind::Org;
        assert_eq!(speakers(&d)[1].1.as_deref(), Some("Tom Brook"));
    }
}
