//! Demo monitoring rounds, evaluation and lessons: the CCCM site's last three months of
//! monitoring (a visible trend per principle), a closed summer NFI distribution with its
//! lessons, and a shelter project in design that shows those lessons and how it takes them
//! into account. Periods are relative to today, so the demo always shows recent rounds.

use haven_core::projects::{Answer, AnswerInput, CyclePhase, Period, RawLesson, RawTargeting, UptakeInput};
use haven_store::Store;
use haven_store::projects::{self as projects, ListFilter};
use time::OffsetDateTime;

use crate::demo_projects::{Team, answer_gate, endorse, met, project, register, team};

/// The months before the current one, oldest first.
fn past_months(n: i32) -> Vec<Period> {
    let today = OffsetDateTime::now_utc().date();
    let index = today.year() * 12 + i32::from(u8::from(today.month())) - 1;
    (1..=n)
        .rev()
        .filter_map(|back| {
            let i = index - back;
            Period::parse(&format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        })
        .collect()
}

fn answer(a: Answer, why: &str) -> AnswerInput {
    let justification = (a != Answer::Met).then(|| why.to_owned());
    AnswerInput { answer: a, justification, evidence_link: None }
}

async fn by_code(store: &Store, t: &Team, code: &str) -> anyhow::Result<projects::Project> {
    let filter = ListFilter { q: Some(code.into()), ..Default::default() };
    let line = projects::list(store, &t.access, &filter)
        .await?
        .into_iter()
        .find(|l| l.code == code)
        .ok_or_else(|| anyhow::anyhow!("demo project {code} missing"))?;
    Ok(projects::get(store, &t.access, line.id).await?)
}

/// Three monthly rounds at Karam IDP Site: the first finds gaps, the next two close them.
async fn cccm_rounds(store: &Store, t: &Team) -> anyhow::Result<()> {
    let cccm = by_code(store, t, "AZ-CCCM-2026-03").await?;
    let notes = [
        "Latrine locks missing in block B; complaints box emptied irregularly",
        "Locks fitted with the women's committee; the complaints log is now reviewed weekly",
        "Lighting on the paths to the water points finished; women now half of the site committee",
    ];
    let why = [
        "Seen on the site walk with the women's committee",
        "Improving, not yet everywhere on the site",
        "Only one block left to cover",
    ];
    for (k, period) in past_months(3).into_iter().enumerate() {
        let id = projects::open_round(store, &t.manager, &cccm, period)
            .await?
            .map_err(|e| anyhow::anyhow!("demo round {period}: {e}"))?;
        let round = projects::round(store, cccm.id, id).await?;
        let answers: Vec<(String, AnswerInput)> = round
            .items
            .iter()
            .enumerate()
            .map(|(i, code)| {
                // Fewer gaps each month: by the third round one item in eight is still partly met.
                let a = match (k, i % 4) {
                    (0, 0) => Answer::NotMet,
                    (0, 1) | (1, 0) => Answer::Partly,
                    (2, 3) if i % 8 == 3 => Answer::Partly,
                    _ => Answer::Met,
                };
                (code.clone(), answer(a, why[k]))
            })
            .collect();
        projects::answer_round(store, &t.manager, &cccm, &round, &answers).await?;
        let completed = projects::complete_round(store, &t.protection, &cccm, &round, Some(notes[k])).await?;
        completed.map_err(|e| anyhow::anyhow!("demo round {period} incomplete: {e:?}"))?;
    }
    Ok(())
}

fn lesson(text: &str, principle: &str, do_differently: &str) -> anyhow::Result<haven_core::projects::LessonInput> {
    RawLesson {
        text: Some(text.into()),
        principle: Some(principle.into()),
        sectors: None,
        do_differently: Some(do_differently.into()),
    }
    .validate()
    .map_err(|p| anyhow::anyhow!("demo lesson: {p:?}"))
}

/// Last summer's NFI distribution in Bandu: evaluated, its lessons recorded, closed.
async fn closed_project(store: &Store, t: &Team) -> anyhow::Result<()> {
    let blanket = RawTargeting { mode: Some("blanket".into()), criteria: None };
    let mut raw = project(
        "AZ-NFI-2025-07",
        "Summer NFI distribution in Bandu",
        &["shelter-non-food-items"],
        &["AZ0201S01"],
        blanket,
    );
    raw.start_date = Some("2025-06-01".into());
    raw.end_date = Some("2025-10-31".into());
    let p = register(store, t, raw).await?;
    answer_gate(store, t, &p, &[]).await?;
    projects::review_register(store, &t.manager, &p, Some("Reviewed with the camp committee")).await?;
    endorse(store, t, p.id).await?;
    // Endorsement moved it to implementation; the next step is the evaluation.
    projects::advance(store, &t.manager, &t.access, p.id).await?.map_err(|e| anyhow::anyhow!("{e}"))?;
    let p = projects::get(store, &t.access, p.id).await?;
    let evaluation: Vec<(String, AnswerInput)> = projects::checklist(store, &p)
        .await?
        .iter()
        .filter(|l| l.item.phase == CyclePhase::Evaluation)
        .map(|l| {
            let a = if l.item.mandatory { met() } else { answer(Answer::Partly, "Older women were consulted late") };
            (l.item.code.clone(), a)
        })
        .collect();
    projects::answer_items(store, &t.manager, &p, &evaluation).await?;
    for input in [
        lesson(
            "Kits of 25 kg were too heavy for older women and people with disabilities to carry home; some sold part of the kit at the gate",
            "meaningful-access",
            "Split kits in two, pay porters from the project budget and deliver to people who cannot come",
        )?,
        lesson(
            "Afternoon distributions ended after dark and women reported harassment on the way back",
            "safety-dignity-do-no-harm",
            "End every distribution by 15:00 and agree the route with the women's committee",
        )?,
    ] {
        projects::add_lesson(store, &t.manager, &p, &input).await?.map_err(|e| anyhow::anyhow!("demo lesson: {e}"))?;
    }
    projects::close(store, &t.manager, &p).await?.map_err(|e| anyhow::anyhow!("demo closing: {e:?}"))?;
    Ok(())
}

/// A shelter repair project in design at Bandu: the closed project's lessons reach it, one
/// already taken into account, the other still to consider.
async fn design_project(store: &Store, t: &Team) -> anyhow::Result<()> {
    let raw = project(
        "AZ-SHL-2027-05",
        "Shelter repair kits for Bandu Collective Centre",
        &["shelter-non-food-items"],
        &["AZ0201S02"],
        RawTargeting::default(),
    );
    let p = register(store, t, raw).await?;
    let carried = projects::carried_lessons(store, &t.access, &p).await?;
    if let Some(first) = carried.first() {
        let uptake = UptakeInput {
            taken: true,
            note: "Repair kits come in two parts; the budget has porters and home delivery for 60 households".into(),
        };
        projects::record_uptake(store, &t.manager, &t.access, &p, first.lesson.id, &uptake)
            .await?
            .map_err(|e| anyhow::anyhow!("demo uptake: {e}"))?;
    }
    Ok(())
}

pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let t = team(store).await?;
    cccm_rounds(store, &t).await?;
    closed_project(store, &t).await?;
    design_project(store, &t).await
}
