//! Principle scores per phase, kept with the answers: the portfolio sums them instead of
//! scoring every checklist again.

use std::collections::BTreeMap;

use haven_core::projects::{Answer, ChecklistItem, CyclePhase, Principle, principle_scores};
use uuid::Uuid;

use crate::{StoreError, Tx};

/// The position of a phase in the cycle (1 = development and design).
pub fn phase_order(phase: CyclePhase) -> i64 {
    CyclePhase::ALL.iter().position(|p| *p == phase).map_or(0, |i| i as i64 + 1)
}

/// Score the project again from its answers, inside the transaction that changed them.
pub(crate) async fn recompute(
    tx: &mut Tx<'_>,
    project: Uuid,
    sectors: &[String],
    items: &[ChecklistItem],
) -> Result<(), StoreError> {
    let rows: Vec<(String, String)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT item_code, answer FROM checklist_answers WHERE project_id = $1").bind(project).fetch_all(c).await
    })?;
    let answers: BTreeMap<String, Answer> =
        rows.into_iter().filter_map(|(code, a)| Some((code, Answer::from_code(&a)?))).collect();
    let mut scores = Vec::new();
    for &phase in CyclePhase::ALL {
        let in_phase: Vec<&ChecklistItem> =
            items.iter().filter(|i| i.phase == phase && i.applies_to(sectors)).collect();
        for s in principle_scores(&in_phase, &answers) {
            scores.push((
                phase.code(),
                phase_order(phase),
                s.principle.code(),
                i64::from(s.met),
                i64::from(s.applicable),
            ));
        }
    }
    on_tx!(tx, c => sqlx::query("DELETE FROM project_scores WHERE project_id = $1").bind(project).execute(c).await.map(|_| ()))?;
    insert_rows!(
        tx,
        "INSERT INTO project_scores (project_id, phase, phase_order, principle, met, applicable)",
        "",
        scores,
        |s| [project, s.0, s.1, s.2, s.3, s.4]
    );
    refresh_progress(tx, project).await
}

/// The scores to date (analysis up to the current phase, with development-design and
/// endorsement together), one row per project, from `project_scores`.
pub(crate) async fn refresh_progress(tx: &mut Tx<'_>, project: Uuid) -> Result<(), StoreError> {
    let (phase,): (String,) = on_tx!(tx, c => {
        sqlx::query_as("SELECT phase FROM projects WHERE id = $1").bind(project).fetch_one(c).await
    })?;
    let phase = CyclePhase::from_code(&phase).unwrap_or(CyclePhase::DevelopmentDesign);
    let up_to = phase_order(phase).max(phase_order(CyclePhase::Endorsement));
    let rows: Vec<(String, i64, i64)> = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT principle, CAST(SUM(met) AS BIGINT), CAST(SUM(applicable) AS BIGINT) FROM project_scores
             WHERE project_id = $1 AND phase_order <= $2 GROUP BY principle",
        )
        .bind(project).bind(up_to).fetch_all(c).await
    })?;
    let of = |p: Principle| rows.iter().find(|r| r.0 == p.code()).map_or((0, 0), |r| (r.1, r.2));
    let [s, a, acc, part] = [
        of(Principle::SafetyDignityDoNoHarm),
        of(Principle::MeaningfulAccess),
        of(Principle::Accountability),
        of(Principle::ParticipationEmpowerment),
    ];
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO project_progress (project_id, safety_met, safety_applicable, access_met, access_applicable,
                accountability_met, accountability_applicable, participation_met, participation_applicable)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (project_id) DO UPDATE SET safety_met = excluded.safety_met, safety_applicable = excluded.safety_applicable,
                access_met = excluded.access_met, access_applicable = excluded.access_applicable,
                accountability_met = excluded.accountability_met, accountability_applicable = excluded.accountability_applicable,
                participation_met = excluded.participation_met, participation_applicable = excluded.participation_applicable",
        )
        .bind(project).bind(s.0).bind(s.1).bind(a.0).bind(a.1).bind(acc.0).bind(acc.1).bind(part.0).bind(part.1)
        .execute(c).await.map(|_| ())
    })?;
    Ok(())
}
