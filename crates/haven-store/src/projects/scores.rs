//! Principle scores per phase, kept with the answers: the portfolio sums them instead of
//! scoring every checklist again.

use std::collections::BTreeMap;

use haven_core::projects::{Answer, ChecklistItem, CyclePhase, principle_scores};
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
    Ok(())
}
