//! The demo's sites: two audited twice (a visible trend, open actions, one overdue), two
//! committees with their composition, and three community consultations. Dates are relative
//! to today so the demo always shows recent rounds and a late action.

use anyhow::Context;
use haven_core::audits::{AuditItem, RawAction, RawRound};
use haven_core::authz::{Permission, decide};
use haven_core::participation::{RawCommittee, RawConsultation, RawGroupCount, RawPeopleCell};
use haven_store::Store;
use haven_store::identity::{self as users, Actor};
use time::{Date, Duration, OffsetDateTime};

/// Site, days ago, team notes, answers other than "yes" by domain.
type DemoRound = (&'static str, i64, &'static str, &'static [(&'static str, &'static str)]);

const ROUNDS: [DemoRound; 4] = [
    (
        "AZ0101S01",
        120,
        "Observation by day and after dark; separate discussions with women, girls, men and boys.",
        &[("lighting", "no"), ("latrines-bathing", "no"), ("water-points", "partly"), ("security-presence", "partly")],
    ),
    (
        "AZ0101S01",
        25,
        "Second round after the lighting works; same groups consulted.",
        &[("latrines-bathing", "partly"), ("water-points", "partly")],
    ),
    (
        "AZ0201S01",
        100,
        "Observation at distribution day; women's group led by a female facilitator.",
        &[("distribution-points", "partly"), ("fuel-livelihoods", "no"), ("lighting", "partly")],
    ),
    (
        "AZ0201S01",
        12,
        "New arrivals since the last round; block E not yet lit.",
        &[("distribution-points", "no"), ("fuel-livelihoods", "partly"), ("lighting", "partly"), ("shelter", "partly")],
    ),
];

/// Round (index in ROUNDS), text, domain, deadline in days from today, status.
const ACTIONS: [(usize, &str, &str, i64, &str); 5] = [
    (0, "Install solar lights on the paths to the latrines and water points", "lighting", -60, "done"),
    (1, "Fit locks on the inside of every women's latrine and shower door", "latrines-bathing", -10, "open"),
    (1, "Add a second water point in block D to shorten the queues", "water-points", 30, "in-progress"),
    (3, "Hold distributions in the morning with a priority line for older people", "distribution-points", 21, "open"),
    (
        3,
        "Organise accompanied firewood collection and distribute fuel-efficient stoves",
        "fuel-livelihoods",
        45,
        "open",
    ),
];

fn answers(items: &[AuditItem], exceptions: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    items
        .iter()
        .map(|i| {
            let answer = exceptions.iter().find(|(d, _)| *d == i.domain).map(|(_, a)| *a).unwrap_or("yes");
            (i.code.clone(), answer.to_owned())
        })
        .collect()
}

fn day(today: Date, offset: i64) -> String {
    (today + Duration::days(offset)).to_string()
}

fn people(cells: &[(&str, &str, bool, i64)]) -> Option<Vec<RawPeopleCell>> {
    Some(
        cells
            .iter()
            .map(|(sex, bracket, disability, count)| RawPeopleCell {
                sex: Some((*sex).to_owned()),
                age_bracket: Some((*bracket).to_owned()),
                disability: Some(*disability),
                count: Some(*count),
            })
            .collect(),
    )
}

/// Record the audit rounds and their actions as `protection`.
async fn seed_audits(store: &Store, protection: &Actor, today: Date) -> anyhow::Result<()> {
    let id = protection.id.context("demo protection officer")?;
    let access = decide(&users::principal(store, id).await?, Permission::SafetyAuditsWrite)
        .map_err(|e| anyhow::anyhow!("demo protection officer: {e}"))?;
    let (version, items) = haven_store::audits::current_items(store).await?;
    let mut rounds = Vec::new();
    for (site, days_ago, notes, exceptions) in ROUNDS {
        let raw = RawRound {
            site: Some(site.into()),
            audited_on: Some(day(today, -days_ago)),
            team_notes: Some(notes.into()),
            answers: Some(answers(&items, exceptions)),
        };
        let input = raw.validate(&items, today).map_err(|p| anyhow::anyhow!("demo round {site}: {p:?}"))?;
        let round = haven_store::audits::record_round(store, protection, &input, (&version, &items), None).await?;
        rounds.push(haven_store::audits::round(store, &access, round).await?);
    }
    for (round, text, domain, due_in, status) in ACTIONS {
        let raw = RawAction {
            text: Some(text.into()),
            domain: Some(domain.into()),
            owner_id: Some(id),
            deadline: Some(day(today, due_in)),
            status: Some(status.into()),
        };
        let round = &rounds[round];
        let input = raw.validate(&round.domains()).map_err(|p| anyhow::anyhow!("demo action: {p:?}"))?;
        haven_store::audits::add_action(store, protection, round, &input, None).await?;
    }
    Ok(())
}

/// Record the committees and consultations as `mande`.
async fn seed_participation(store: &Store, mande: &Actor, today: Date) -> anyhow::Result<()> {
    let committees = [
        RawCommittee {
            site: Some("AZ0101S01".into()),
            purpose: Some("Women's water and sanitation committee".into()),
            formed_on: Some(day(today, -200)),
            members: people(&[
                ("f", "18-59", false, 6),
                ("f", "60-plus", true, 1),
                ("f", "12-17", false, 1),
                ("m", "18-59", false, 2),
            ]),
            at_risk_members: Some(4),
            at_risk_groups: Some(vec![
                RawGroupCount { group: Some("female-headed-households".into()), count: Some(3) },
                RawGroupCount { group: Some("persons-with-disabilities".into()), count: Some(1) },
                RawGroupCount { group: Some("older-persons".into()), count: Some(1) },
            ]),
            ..Default::default()
        },
        RawCommittee {
            site: Some("AZ0201S01".into()),
            purpose: Some("Camp management committee".into()),
            formed_on: Some(day(today, -300)),
            members: people(&[
                ("f", "18-59", false, 4),
                ("m", "18-59", false, 5),
                ("m", "60-plus", false, 2),
                ("m", "18-59", true, 1),
            ]),
            at_risk_members: Some(3),
            at_risk_groups: Some(vec![
                RawGroupCount { group: Some("older-persons".into()), count: Some(2) },
                RawGroupCount { group: Some("persons-with-disabilities".into()), count: Some(1) },
            ]),
            ..Default::default()
        },
    ];
    for raw in committees {
        let input = raw.validate(today).map_err(|p| anyhow::anyhow!("demo committee: {p:?}"))?;
        let path = haven_store::audits::site_path(store, &input.site).await?.context("demo committee site")?;
        haven_store::participation::create_committee(store, mande, &input, &path, None).await?;
    }
    let consultations = [
        (
            "AZ0101S01",
            60,
            &[("f", "18-59", false, 14), ("f", "60-plus", false, 3), ("m", "18-59", false, 9), ("m", "18-59", true, 1)]
                [..],
            "Where and when distributions happen",
            "Women queue after dark on the way back; older people wait in the sun.",
            "Distribute in the morning, with a shaded priority line.",
            "Distribution hours moved to 08:00–13:00; a shaded priority line was added.",
        ),
        (
            "AZ0201S01",
            45,
            &[("f", "18-59", false, 11), ("f", "12-17", false, 6), ("m", "18-59", false, 8)][..],
            "Location of the new latrine block",
            "The planned site is far from block E and unlit.",
            "Build the block between blocks D and E, with lighting.",
            "The latrine block was moved closer to block E and solar lights were added to the plan.",
        ),
        (
            "AZ0102S01",
            20,
            &[("f", "18-59", false, 9), ("f", "18-59", true, 2), ("m", "60-plus", false, 4), ("m", "18-59", false, 7)]
                [..],
            "Cash or in-kind assistance for winter",
            "Markets are far for people with disabilities; prices rise after distributions.",
            "Offer a choice between cash and in-kind kits.",
            "A cash option was added; in-kind kits are delivered to households that cannot reach the market.",
        ),
    ];
    for (site, days_ago, cells, topics, concerns, decisions, changes) in consultations {
        let raw = RawConsultation {
            site: Some(site.into()),
            held_on: Some(day(today, -days_ago)),
            participants: people(cells),
            topics: Some(topics.into()),
            concerns: Some(concerns.into()),
            decisions: Some(decisions.into()),
            changes: Some(changes.into()),
            ..Default::default()
        };
        let input = raw.validate(today).map_err(|p| anyhow::anyhow!("demo consultation: {p:?}"))?;
        let path = haven_store::audits::site_path(store, site).await?.context("demo consultation site")?;
        haven_store::participation::record_consultation(store, mande, &input, &path, None).await?;
    }
    Ok(())
}

/// Seed the audits (as the protection officer) and participation (as the M&E officer).
pub async fn seed(store: &Store, protection: &Actor, mande: &Actor) -> anyhow::Result<()> {
    let today = OffsetDateTime::now_utc().date();
    seed_audits(store, protection, today).await?;
    seed_participation(store, mande, today).await
}
