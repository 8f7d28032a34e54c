//! A realistic corpus for the integration tests: four outlets, quote and claim clusters,
//! a near-copy, rejected inputs and one hostile article.
#![allow(dead_code)]

use std::collections::BTreeMap;

use concord_core::{
    ArticleRecord, Cluster, CopyGroup, Corpus, Entity, EntityKind, Member, OutletFrom, SingleSource, StageStats, Stats,
    Status, UnitKind,
};

pub const HOSTILE: &str =
    "<script>document.title='pwned'</script>\"><img id=\"pwn\" src=x onerror=\"document.title='pwned2'\">";

fn article(id: &str, outlet: &str, title: &str, published: &str) -> ArticleRecord {
    ArticleRecord {
        id: id.into(),
        path: format!("seeds/{id}.md").into(),
        title: Some(title.into()),
        outlet: Some(outlet.into()),
        outlet_from: Some(OutletFrom::Metadata),
        published: Some(published.into()),
        ..Default::default()
    }
}

fn member(
    article: &str,
    outlet: &str,
    start: usize,
    text: &str,
    context: Option<&str>,
    speaker: Option<&str>,
) -> Member {
    Member {
        article: article.into(),
        outlet: outlet.into(),
        start,
        end: start + text.len(),
        text: text.into(),
        speaker: speaker.map(str::to_string),
        sentence_start: start.saturating_sub(10),
        sentence_end: start + text.len() + 10,
        context: context.map(str::to_string),
    }
}

fn cluster(id: &str, kind: UnitKind, text: &str, speaker: Option<(&str, &str)>, members: Vec<Member>) -> Cluster {
    let mut articles: Vec<String> = members.iter().map(|m| m.article.clone()).collect();
    articles.sort();
    articles.dedup();
    let mut outlets: Vec<String> = members.iter().map(|m| m.outlet.clone()).collect();
    outlets.sort();
    outlets.dedup();
    Cluster {
        id: id.into(),
        kind,
        text: text.into(),
        speaker: speaker.map(|s| s.0.to_string()),
        speaker_name: speaker.map(|s| s.1.to_string()),
        articles,
        outlets,
        entities: vec!["e_trump".into()],
        members,
    }
}

/// The test corpus. `hostile` adds the hostile article and a cluster quoting it.
pub fn corpus(hostile: bool) -> Corpus {
    let mut articles = vec![
        article("a_bbc", "BBC", "Trump and Putin meet in Alaska", "2025-08-16"),
        article("a_cnn", "CNN", "No deal after Alaska summit", "2025-08-16"),
        article("a_fox", "Fox News", "Putin invites Trump to Moscow", "2025-08-15"),
        article("a_grd", "The Guardian", "Summit ends without ceasefire", "2025-08-17"),
        ArticleRecord {
            copy_of: Some("a_cnn".into()),
            ..article("a_cnn2", "CNN", "No deal after Alaska summit", "2025-08-16")
        },
        ArticleRecord {
            id: "r_bin".into(),
            path: "inputs/blob.txt".into(),
            status: Status::Rejected,
            error: Some("binary data (NUL bytes)".into()),
            ..Default::default()
        },
        ArticleRecord {
            id: "r_line".into(),
            path: "inputs/feed.jsonl".into(),
            line: Some(3),
            status: Status::Rejected,
            error: Some("malformed JSON: expected value at column 1".into()),
            ..Default::default()
        },
    ];
    let trump = Some(("e_trump", "Donald Trump"));
    let putin = Some(("e_putin", "Vladimir Putin"));
    let mut clusters = vec![
        cluster(
            "c_moscow",
            UnitKind::Quote,
            "Next time in Moscow",
            putin,
            vec![
                member(
                    "a_bbc",
                    "BBC",
                    120,
                    "Next time in Moscow",
                    Some("\"Next time in Moscow,\" Putin said in English."),
                    Some("e_putin"),
                ),
                member(
                    "a_cnn",
                    "CNN",
                    98,
                    "Next time in Moscow",
                    Some("Putin replied: \"Next time in Moscow.\""),
                    Some("e_putin"),
                ),
                member(
                    "a_fox",
                    "Fox News",
                    300,
                    "Next time in Moscow",
                    Some("\"Next time in Moscow,\" he said."),
                    Some("e_putin"),
                ),
                member(
                    "a_grd",
                    "The Guardian",
                    77,
                    "Next time in Moscow",
                    Some("\"Next time in Moscow\", Putin said."),
                    Some("e_putin"),
                ),
            ],
        ),
        cluster(
            "c_nodeal",
            UnitKind::Quote,
            "There's no deal until there's a deal",
            trump,
            vec![
                member(
                    "a_bbc",
                    "BBC",
                    400,
                    "There's no deal until there's a deal",
                    Some("Trump said: \"There's no deal until there's a deal.\""),
                    Some("e_trump"),
                ),
                member(
                    "a_cnn",
                    "CNN",
                    210,
                    "There’s no deal until there’s a deal",
                    Some("“There’s no deal until there’s a deal,” Trump told reporters."),
                    Some("e_trump"),
                ),
            ],
        ),
        cluster(
            "c_ceasefire",
            UnitKind::Claim,
            "The summit ended without a ceasefire agreement.",
            None,
            vec![
                member("a_cnn", "CNN", 0, "The summit ended without a ceasefire agreement.", None, None),
                member("a_grd", "The Guardian", 0, "The summit ended without a ceasefire agreement.", None, None),
                member("a_fox", "Fox News", 12, "The summit ended with no ceasefire agreement.", None, None),
            ],
        ),
        cluster(
            "c_hours",
            UnitKind::Claim,
            "The leaders met for nearly three hours at a base in Anchorage.",
            None,
            vec![member(
                "a_bbc",
                "BBC",
                20,
                "The leaders met for nearly three hours at a base in Anchorage.",
                None,
                None,
            )],
        ),
    ];
    let mut single_source = vec![SingleSource {
        kind: UnitKind::Claim,
        cluster: Some("c_hours".into()),
        member: clusters[3].members[0].clone(),
    }];
    if hostile {
        articles.push(article("a_evil", "Evil <b>Outlet</b>", HOSTILE, "2025-08-18"));
        let m =
            member("a_evil", "Evil <b>Outlet</b>", 5, HOSTILE, Some(&format!("He wrote \"{HOSTILE}\" & left.")), None);
        clusters.push(cluster("c_evil", UnitKind::Quote, HOSTILE, Some(("e_evil", HOSTILE)), vec![m.clone()]));
        single_source.push(SingleSource { kind: UnitKind::Quote, cluster: Some("c_evil".into()), member: m });
    }
    articles.sort_by(|a, b| a.id.cmp(&b.id));
    let mut entities = vec![
        Entity {
            id: "e_trump".into(),
            name: "Donald Trump".into(),
            kind: EntityKind::Person,
            aliases: vec!["Trump".into()],
            articles: vec!["a_bbc".into(), "a_cnn".into()],
            mentions: 5,
            mention_counts: vec![3, 2],
            roles: BTreeMap::from([("a_bbc".into(), vec!["President".into()])]),
            gazetteer_id: None,
        },
        Entity {
            id: "e_putin".into(),
            name: "Vladimir Putin".into(),
            kind: EntityKind::Person,
            aliases: vec!["Putin".into()],
            articles: vec!["a_bbc".into(), "a_cnn".into(), "a_fox".into(), "a_grd".into()],
            mentions: 9,
            mention_counts: vec![3, 2, 2, 2],
            roles: BTreeMap::new(),
            gazetteer_id: Some("Q7747".into()),
        },
        Entity {
            id: "e_alaska".into(),
            name: "Alaska".into(),
            kind: EntityKind::Loc,
            aliases: vec![],
            articles: vec!["a_bbc".into()],
            mentions: 1,
            mention_counts: vec![1],
            roles: BTreeMap::new(),
            gazetteer_id: None,
        },
    ];
    if hostile {
        entities.push(Entity {
            id: "e_evil".into(),
            name: HOSTILE.into(),
            kind: EntityKind::Misc,
            aliases: vec![HOSTILE.into()],
            articles: vec!["a_evil".into()],
            mentions: 1,
            mention_counts: vec![1],
            roles: BTreeMap::new(),
            gazetteer_id: None,
        });
    }
    let ok = articles.iter().filter(|a| a.status == Status::Ok).count() as u64;
    let rejected = articles.len() as u64 - ok;
    let stats = Stats {
        found: articles.len() as u64,
        ok,
        rejected,
        bytes: 12_345,
        outlets: 4 + u64::from(hostile),
        stages: vec![
            StageStats { kind: "normalize".into(), articles_in: ok, articles_out: ok, errors: 0 },
            StageStats { kind: "entities".into(), articles_in: ok, articles_out: ok, errors: 0 },
        ],
        warnings: vec!["1 input decoded lossily".into()],
    };
    Corpus {
        articles,
        entities,
        entity_links: BTreeMap::from([("a_bbc".into(), vec![0, 1])]),
        clusters,
        copies: vec![CopyGroup { original: "a_cnn".into(), copies: vec!["a_cnn2".into()], similarity: 0.93 }],
        single_source,
        stats,
        ..Default::default()
    }
}
