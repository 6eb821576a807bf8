//! Demo projects across the cycle: an endorsed NFI distribution, a relocation by transport
//! blocked at the gate with its unmet items, a CCCM site in implementation, and a cash
//! transfer whose endorsement a material change re-opened.

use anyhow::Context;
use haven_core::authz::{Permission, decide};
use haven_core::projects::{Answer, AnswerInput, RawCriterion, RawProject, RawRisk, RawTargetCell, RawTargeting};
use haven_store::Store;
use haven_store::identity::{self as users, Actor};
use haven_store::projects::{self as projects, EndorsementOutcome};
use uuid::Uuid;

pub(crate) struct Team {
    pub(crate) manager: Actor,
    pub(crate) protection: Actor,
    pub(crate) access: haven_core::authz::Access,
}

pub(crate) async fn team(store: &Store) -> anyhow::Result<Team> {
    let actor = |name: &str, id| Actor { id: Some(id), name: name.to_owned() };
    let manager = users::login_record(store, "manager").await?.context("demo user manager")?;
    let protection = users::login_record(store, "protection").await?.context("demo user protection")?;
    let principal = users::principal(store, protection.id).await?;
    let access = decide(&principal, Permission::ProjectsRead).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Team { manager: actor("manager", manager.id), protection: actor("protection", protection.id), access })
}

fn criterion(attribute: &str, condition: &str, weight: i64) -> RawCriterion {
    RawCriterion {
        attribute: Some(attribute.into()),
        condition: Some(condition.into()),
        weight: Some(weight),
        ..Default::default()
    }
}

fn cell(group: &str, sex: &str, age: &str, disability: bool, count: i64) -> RawTargetCell {
    RawTargetCell {
        group: Some(group.into()),
        sex: Some(sex.into()),
        age_bracket: Some(age.into()),
        disability: Some(disability),
        count: Some(count),
    }
}

pub(crate) fn project(
    code: &str,
    title: &str,
    sectors: &[&str],
    places: &[&str],
    targeting: RawTargeting,
) -> RawProject {
    RawProject {
        code: Some(code.into()),
        title: Some(title.into()),
        sectors: Some(sectors.iter().map(|s| (*s).to_owned()).collect()),
        locations: Some(places.iter().map(|s| (*s).to_owned()).collect()),
        crisis_phase: Some("during".into()),
        start_date: Some("2026-09-01".into()),
        end_date: Some("2027-08-31".into()),
        partners: Some(vec!["Azuria Red Crescent".into()]),
        target_population: Some(vec![
            cell("idp", "f", "18-59", false, 640),
            cell("idp", "m", "18-59", false, 520),
            cell("idp", "f", "60-plus", true, 45),
            cell("idp", "m", "5-11", false, 300),
            cell("host", "f", "18-59", false, 120),
        ]),
        at_risk_groups: None,
        targeting: Some(targeting),
        ..Default::default()
    }
}

pub(crate) async fn register(store: &Store, t: &Team, raw: RawProject) -> anyhow::Result<projects::Project> {
    let input = raw.validate().map_err(|p| anyhow::anyhow!("demo project: {p:?}"))?;
    let id = projects::create(store, &t.manager, &input, None).await?;
    Ok(projects::get(store, &t.access, id).await?)
}

pub(crate) fn met() -> AnswerInput {
    AnswerInput { answer: Answer::Met, justification: None, evidence_link: None }
}

/// Answer every mandatory analysis, design and endorsement item "met", except `skip`.
pub(crate) async fn answer_gate(
    store: &Store,
    t: &Team,
    p: &projects::Project,
    skip: &[&str],
) -> anyhow::Result<Vec<String>> {
    let lines = projects::checklist(store, p).await?;
    let gate: Vec<String> =
        lines.iter().filter(|l| l.item.mandatory && l.item.before_endorsement()).map(|l| l.item.code.clone()).collect();
    let answers: Vec<(String, AnswerInput)> =
        gate.iter().filter(|c| !skip.contains(&c.as_str())).map(|c| (c.clone(), met())).collect();
    projects::answer_items(store, &t.manager, p, &answers).await?;
    Ok(gate)
}

/// A demo risk: title, GPC risk, likelihood, impact, mitigation, due date.
type DemoRisk<'a> = (&'a str, &'a str, i64, i64, &'a str, &'a str);

async fn risk(store: &Store, t: &Team, p: &projects::Project, r: DemoRisk<'_>) -> anyhow::Result<()> {
    let (title, gpc, likelihood, impact, mitigation, due) = r;
    let raw = RawRisk {
        title: Some(title.into()),
        gpc_risk: Some(gpc.into()),
        likelihood: Some(likelihood),
        impact: Some(impact),
        mitigation: Some(mitigation.into()),
        due_date: Some(due.into()),
        status: Some("mitigating".into()),
        ..Default::default()
    };
    let input = raw.validate().map_err(|e| anyhow::anyhow!("demo risk: {e:?}"))?;
    projects::add_risk(store, &t.manager, p, &input).await?;
    Ok(())
}

pub(crate) async fn endorse(store: &Store, t: &Team, id: Uuid) -> anyhow::Result<()> {
    let p = projects::get(store, &t.access, id).await?;
    match projects::endorse(store, &t.protection, &p).await? {
        EndorsementOutcome::Endorsed(_) => Ok(()),
        EndorsementOutcome::Blocked(unmet) => anyhow::bail!("demo project {} blocked: {unmet:?}", p.code),
    }
}

pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let t = team(store).await?;
    let needs = RawTargeting {
        mode: Some("criteria".into()),
        criteria: Some(vec![
            criterion("household-composition", "Female-headed household with children under 5", 40),
            criterion("disability", "A member with a lot of difficulty or unable (Washington Group)", 30),
            criterion("age", "A member aged 60 or older", 20),
        ]),
    };

    // 1. NFI distribution: endorsed, one item through an approved deviation.
    let nfi = register(
        store,
        &t,
        project(
            "AZ-NFI-2026-01",
            "Winter NFI distribution in Bandu",
            &["shelter-non-food-items"],
            &["AZ0201S01", "AZ0201S02"],
            needs.clone(),
        ),
    )
    .await?;
    let gate = answer_gate(store, &t, &nfi, &["sa-08"]).await?;
    if gate.iter().any(|c| c == "sa-08") {
        let why =
            "The referral map for Bandu is being updated with the GBV sub-cluster; the 2025 map is used meanwhile";
        let partly = AnswerInput { answer: Answer::Partly, justification: Some(why.into()), evidence_link: None };
        projects::answer_item(store, &t.manager, &nfi, "sa-08", &partly).await?;
        let asked = projects::request_deviation(store, &t.manager, &nfi, "sa-08", why).await?;
        let id = asked.map_err(|e| anyhow::anyhow!("demo deviation: {e}"))?;
        let roles = [haven_core::authz::Role::ProtectionOfficer].into();
        let decided = projects::decide_deviation(
            store,
            &t.protection,
            &roles,
            haven_core::authz::Role::ProtectionOfficer,
            &nfi,
            id,
            true,
            Some("Agreed until the new map is out"),
        )
        .await?;
        decided.map_err(|e| anyhow::anyhow!("demo decision: {e}"))?;
    }
    risk(
        store,
        &t,
        &nfi,
        (
            "Queues after dark expose women and girls to harassment",
            "gender-based-violence",
            3,
            4,
            "Distributions end by 15:00; separate queue for women, older people and people with disabilities",
            "2026-12-15",
        ),
    )
    .await?;
    risk(
        store,
        &t,
        &nfi,
        (
            "Heavy kits carried home over long distances",
            "theft-extortion-eviction",
            2,
            3,
            "Porters paid by the project; kits split in two",
            "2026-12-15",
        ),
    )
    .await?;
    projects::review_register(store, &t.manager, &nfi, Some("Reviewed with the site committee")).await?;
    endorse(store, &t, nfi.id).await?;

    // 2. Relocation by transport: blocked, its unmet items listed.
    let transport = register(
        store,
        &t,
        project(
            "AZ-TRN-2026-02",
            "Voluntary relocation from Sela Transit Centre",
            &["transport-assistance"],
            &["AZ0101S01"],
            RawTargeting::default(),
        ),
    )
    .await?;
    let lines = projects::checklist(store, &transport).await?;
    let some: Vec<(String, AnswerInput)> =
        lines.iter().filter(|l| l.item.before_endorsement()).take(6).map(|l| (l.item.code.clone(), met())).collect();
    projects::answer_items(store, &t.manager, &transport, &some).await?;
    if let Some(l) = lines.iter().filter(|l| l.item.mandatory && l.item.before_endorsement()).nth(7) {
        let not_yet = AnswerInput {
            answer: Answer::NotMet,
            justification: Some("Families have not yet been consulted separately on the destination".into()),
            evidence_link: None,
        };
        projects::answer_item(store, &t.manager, &transport, &l.item.code, &not_yet).await?;
    }

    // 3. CCCM site: endorsed and in implementation, its monitoring items answered.
    let cccm = register(
        store,
        &t,
        project(
            "AZ-CCCM-2026-03",
            "Site management at Karam IDP Site",
            &["camp-management-displacement-tracking"],
            &["AZ0102S01"],
            RawTargeting { mode: Some("blanket".into()), criteria: None },
        ),
    )
    .await?;
    answer_gate(store, &t, &cccm, &[]).await?;
    risk(
        store,
        &t,
        &cccm,
        (
            "Latrines without locks near the single women's block",
            "gender-based-violence",
            4,
            4,
            "Locks and lighting installed with the women's committee",
            "2026-11-30",
        ),
    )
    .await?;
    projects::review_register(store, &t.manager, &cccm, None).await?;
    endorse(store, &t, cccm.id).await?;
    let cccm = projects::get(store, &t.access, cccm.id).await?;
    let lines = projects::checklist(store, &cccm).await?;
    let monitoring: Vec<(String, AnswerInput)> = lines
        .iter()
        .filter(|l| l.item.phase == haven_core::projects::CyclePhase::ImplementationMonitoring)
        .enumerate()
        .map(|(i, l)| {
            let answer = if i % 3 == 2 { Answer::Partly } else { Answer::Met };
            let justification =
                (answer == Answer::Partly).then(|| "Women's participation in the committee is still low".to_owned());
            (l.item.code.clone(), AnswerInput { answer, justification, evidence_link: None })
        })
        .collect();
    projects::answer_items(store, &t.manager, &cccm, &monitoring).await?;

    // 4. Cash for rent: endorsed, then a new place re-opened the gate.
    let mut cash_raw = project(
        "AZ-CASH-2026-04",
        "Cash for rent in Lomé Hills",
        &["shelter-non-food-items", "reintegration-assistance"],
        &["AZ0202S01"],
        needs,
    );
    let cash = register(store, &t, cash_raw.clone()).await?;
    answer_gate(store, &t, &cash, &[]).await?;
    projects::review_register(
        store,
        &t.manager,
        &cash,
        Some("No project-specific risk found beyond the market survey's"),
    )
    .await?;
    endorse(store, &t, cash.id).await?;
    cash_raw.locations = Some(vec!["AZ0202S01".into(), "AZ0202".into()]);
    let input = cash_raw.validate().map_err(|p| anyhow::anyhow!("demo project: {p:?}"))?;
    projects::update(store, &t.manager, &t.access, cash.id, &input).await?;
    crate::demo_indicators::seed(store).await
}
