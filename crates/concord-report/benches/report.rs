//! Report writing throughput on a synthetic corpus (2,000 articles, 20 outlets, 3,000
//! clusters, 1,500 entities): JSON, Markdown and HTML rendering, and the full write.

use std::collections::BTreeMap;
use std::hint::black_box;

use concord_core::text::{mix64, stable_id};
use concord_core::{ArticleRecord, Cluster, Corpus, Entity, EntityKind, Member, OutletFrom, Stats, UnitKind};
use concord_report::{report_html, report_json, report_markdown, write_reports, HtmlLimits, OutputOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn synthetic(articles: usize, clusters: usize, entities: usize) -> Corpus {
    let outlets: Vec<String> = (0..20).map(|i| format!("Outlet {i:02}")).collect();
    let mut recs: Vec<ArticleRecord> = (0..articles)
        .map(|i| ArticleRecord {
            id: stable_id("a", &[&i.to_string()]),
            path: format!("in/{i}.md").into(),
            title: Some(format!("Story number {i} about the summit")),
            outlet: Some(outlets[i % outlets.len()].as_str().into()),
            outlet_from: Some(OutletFrom::Metadata),
            published: Some(format!("2025-08-{:02}", 1 + i % 28)),
            ..Default::default()
        })
        .collect();
    recs.sort_by(|a, b| a.id.cmp(&b.id));
    let mut cl = Vec::with_capacity(clusters);
    for c in 0..clusters {
        let k = 1 + (mix64(c as u64) % 8) as usize;
        let text = format!("Claim {c}: the leaders said \"next time in Moscow\" after talks.");
        let members: Vec<Member> = (0..k)
            .map(|j| {
                let a = &recs[(mix64((c * 31 + j) as u64) as usize) % recs.len()];
                Member {
                    article: a.id.clone(),
                    outlet: a.outlet.as_deref().unwrap_or_default().to_string(),
                    start: 100 * j,
                    end: 100 * j + 20,
                    text: "next time in Moscow".into(),
                    speaker: None,
                    sentence_start: 100 * j,
                    sentence_end: 100 * j + 60,
                    context: Some(text.clone()),
                }
            })
            .collect();
        let mut outs: Vec<String> = members.iter().map(|m| m.outlet.clone()).collect();
        outs.sort();
        outs.dedup();
        let mut arts: Vec<String> = members.iter().map(|m| m.article.clone()).collect();
        arts.sort();
        arts.dedup();
        cl.push(Cluster {
            id: stable_id("c", &[&c.to_string()]),
            kind: if c % 2 == 0 { UnitKind::Quote } else { UnitKind::Claim },
            text,
            speaker: None,
            speaker_name: Some(format!("Speaker {}", c % 50)),
            articles: arts,
            outlets: outs,
            entities: vec![],
            members,
        });
    }
    cl.sort_by(|a, b| b.outlets.len().cmp(&a.outlets.len()).then(a.id.cmp(&b.id)));
    let ents = (0..entities)
        .map(|e| {
            let arts: Vec<std::sync::Arc<str>> =
                (0..5).map(|j| recs[(e * 7 + j) % recs.len()].id.as_str().into()).collect();
            Entity {
                id: stable_id("e", &[&e.to_string()]),
                name: format!("Entity {e}"),
                kind: EntityKind::Person,
                aliases: vec![format!("E{e}")],
                mention_counts: vec![2; arts.len()],
                articles: arts,
                mentions: 10,
                roles: BTreeMap::new(),
                gazetteer_id: None,
            }
        })
        .collect();
    Corpus {
        articles: recs,
        entities: ents,
        clusters: cl,
        stats: Stats { found: articles as u64, ok: articles as u64, ..Default::default() },
        ..Default::default()
    }
}

fn bench(c: &mut Criterion) {
    let corpus = synthetic(2_000, 3_000, 1_500);
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.throughput(Throughput::Elements(corpus.clusters.len() as u64));
    g.bench_function("json", |b| {
        b.iter(|| {
            let s = report_json(black_box(&corpus));
            assert!(s.len() > 1_000_000);
            s
        })
    });
    g.bench_function("markdown", |b| b.iter(|| report_markdown(black_box(&corpus), 20, 200)));
    let limits = HtmlLimits { clusters: 500, entities: 200, single_source: 50 };
    g.bench_function("html", |b| {
        b.iter(|| {
            let s = report_html(black_box(&corpus), limits).unwrap();
            assert_eq!(s.matches("class=\"cluster-row\"").count(), 500);
            s
        })
    });
    let dir = tempfile::tempdir().unwrap();
    g.bench_function("write_all", |b| {
        b.iter(|| write_reports(&corpus, &OutputOptions::default(), dir.path()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
