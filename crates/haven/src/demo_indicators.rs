//! Demo indicator plans: the NFI distribution and the CCCM site track survey, records and
//! computed indicators monthly, with three months of survey results that improve (a visible
//! trend against the target) and persons with disabilities reached month by month.

use anyhow::Context;
use haven_core::authz::{Permission, decide};
use haven_core::indicators::{Keys, Period, PeriodKind, RawCell, RawPlan, RawPlanLine, RawValue};
use haven_core::projects::PopulationGroup;
use haven_store::Store;
use haven_store::identity::{self as users, Actor};
use haven_store::indicators as store;
use haven_store::projects::{self as projects, Project};
use time::OffsetDateTime;

/// Code, baseline, target.
type Line = (&'static str, Option<f64>, Option<f64>);

const NFI_PLAN: [Line; 10] = [
    ("pmi-02", Some(55.0), Some(80.0)),
    ("pmi-06", Some(40.0), Some(75.0)),
    ("pmi-07", None, Some(90.0)),
    ("pmi-15", None, Some(80.0)),
    ("pmi-08a", Some(30.0), Some(50.0)),
    ("pmi-16", None, Some(100.0)),
    ("pmi-17", None, Some(90.0)),
    ("pmi-09b", None, Some(100.0)),
    ("pmi-12", Some(0.0), Some(1.0)),
    ("pmi-14", Some(4.0), Some(1.0)),
];

const CCCM_PLAN: [Line; 5] = [
    ("pmi-04", Some(60.0), Some(85.0)),
    ("pmi-10", Some(35.0), Some(60.0)),
    ("pmi-07", None, Some(90.0)),
    ("pmi-08b", None, Some(30.0)),
    ("pmi-13", None, Some(90.0)),
];

fn plan(lines: &[Line]) -> RawPlan {
    RawPlan {
        period: Some("month".into()),
        indicators: Some(
            lines
                .iter()
                .map(|(code, baseline, target)| RawPlanLine {
                    code: Some((*code).into()),
                    baseline: *baseline,
                    target: *target,
                })
                .collect(),
        ),
    }
}

fn cell(dimension: &str, key: &str, numerator: i64, denominator: Option<i64>) -> RawCell {
    RawCell { dimension: Some(dimension.into()), key: Some(key.into()), numerator: Some(numerator), denominator }
}

/// A survey result by sex and disability: (women yes, women asked, men yes, men asked,
/// with disabilities yes, with disabilities asked).
fn survey(period: &Period, by: (i64, i64, i64, i64, i64, i64), note: &str) -> RawValue {
    let (fy, fn_, my, mn, dy, dn) = by;
    RawValue {
        period: Some(period.code()),
        numerator: Some(fy + my),
        denominator: Some(fn_ + mn),
        cells: Some(vec![
            cell("sex", "f", fy, Some(fn_)),
            cell("sex", "m", my, Some(mn)),
            cell("disability", "yes", dy, Some(dn)),
            cell("disability", "no", fy + my - dy, Some(fn_ + mn - dn)),
        ]),
        note: Some(note.into()),
        ..Default::default()
    }
}

fn counted(period: &Period, numerator: i64, denominator: Option<i64>, note: &str) -> RawValue {
    RawValue {
        period: Some(period.code()),
        numerator: Some(numerator),
        denominator,
        note: Some(note.into()),
        ..Default::default()
    }
}

async fn enter(store: &Store, who: &Actor, p: &Project, code: &str, raw: RawValue) -> anyhow::Result<()> {
    let defs = store::definitions(store).await?;
    let def = defs.iter().find(|d| d.code == code).context("demo indicator")?;
    let groups: Vec<&str> = PopulationGroup::ALL.iter().map(|g| g.code()).collect();
    let keys = Keys { places: &p.locations, groups: &groups };
    let today = OffsetDateTime::now_utc().date();
    let input =
        raw.validate(def, PeriodKind::Month, today, &keys).map_err(|e| anyhow::anyhow!("demo {code}: {e:?}"))?;
    store::record_value(store, who, p, code, &input).await?;
    Ok(())
}

async fn set_plan(store: &Store, who: &Actor, p: &Project, lines: &[Line]) -> anyhow::Result<()> {
    let input =
        plan(lines).validate(&store::definitions(store).await?).map_err(|e| anyhow::anyhow!("demo plan: {e:?}"))?;
    store::save_plan(store, who, p, &input).await?;
    Ok(())
}

pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let mande = users::login_record(store, "mande").await?.context("demo user mande")?;
    let who = Actor { id: Some(mande.id), name: "mande".into() };
    let access = decide(&users::principal(store, mande.id).await?, Permission::IndicatorsRead)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let lines = projects::list(store, &access, &Default::default()).await?;
    let id_of = |code: &str| lines.iter().find(|l| l.code == code).map(|l| l.id).context("demo project");
    let nfi = projects::get(store, &access, id_of("AZ-NFI-2026-01")?).await?;
    let cccm = projects::get(store, &access, id_of("AZ-CCCM-2026-03")?).await?;
    set_plan(store, &who, &nfi, &NFI_PLAN).await?;
    set_plan(store, &who, &cccm, &CCCM_PLAN).await?;

    let now = Period::containing(PeriodKind::Month, OffsetDateTime::now_utc().date());
    let months = [now.previous().previous().previous(), now.previous().previous(), now.previous()];
    let note = "Post-distribution monitoring, household survey";
    let safe = [(48, 80, 50, 80, 9, 20), (60, 82, 57, 80, 13, 21), (66, 84, 62, 78, 16, 22)];
    let channels = [(30, 80, 34, 80, 6, 20), (45, 82, 46, 80, 10, 21), (58, 84, 55, 78, 13, 22)];
    let respect = [(40, 60, 38, 55, 7, 12), (46, 62, 41, 54, 9, 13), (52, 63, 45, 55, 10, 13)];
    let heard = [(20, 60, 21, 55, 3, 12), (27, 62, 24, 54, 5, 13), (33, 63, 28, 55, 6, 13)];
    let reached = [(9, 6, 3), (14, 9, 5), (12, 7, 5)];
    let tensions = [3, 2, 1];
    for (i, month) in months.iter().enumerate() {
        enter(store, &who, &nfi, "pmi-02", survey(month, safe[i], note)).await?;
        enter(store, &who, &nfi, "pmi-06", survey(month, channels[i], note)).await?;
        enter(store, &who, &cccm, "pmi-04", survey(month, respect[i], "Exit interviews at the site office")).await?;
        enter(store, &who, &cccm, "pmi-10", survey(month, heard[i], "Exit interviews at the site office")).await?;
        let (total, women, men) = reached[i];
        let mut r = counted(month, total, None, "Distribution lists, persons with disabilities served");
        r.cells = Some(vec![
            cell("sex", "f", women, None),
            cell("sex", "m", men, None),
            cell("population-group", "idp", total, None),
        ]);
        enter(store, &who, &nfi, "pmi-09b", r).await?;
        enter(store, &who, &nfi, "pmi-14", counted(month, tensions[i], None, "Monitoring reports and feedback"))
            .await?;
        let referred = [(7, 9), (10, 11), (12, 12)][i];
        enter(store, &who, &cccm, "pmi-13", counted(month, referred.0, Some(referred.1), "Referral log")).await?;
    }
    let last = RawValue { period: Some(months[2].code()), value: Some(1.0), ..Default::default() };
    enter(store, &who, &nfi, "pmi-12", last).await?;
    Ok(())
}
