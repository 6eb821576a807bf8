//! Monitoring rounds of a project in implementation: each answers the implementation items
//! for a month or a quarter and is frozen once completed; the round view also reads the open
//! do-no-harm risks, the safety audits of sites within the project's places and the feedback
//! received there (from the running totals, never the items).

use std::collections::BTreeMap;

use haven_core::audit::actions;
use haven_core::audits::Tally;
use haven_core::authz::Access;
use haven_core::projects::{
    Answer, AnswerInput, CyclePhase, Period, RoundRefusal, RoundStatus, round_items, unanswered_mandatory,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::checklist::checklist_items;
use super::{Project, event, iso, json, lock};
use crate::audits::{Action, ActionFilter};
use crate::identity::Actor;
use crate::{Store, StoreError, Tx, audit, now_utc};

/// A monitoring round.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub id: Uuid,
    pub project_id: Uuid,
    pub period: Period,
    pub checklist_version: String,
    /// The implementation items it answers, frozen when it opened.
    pub items: Vec<String>,
    pub status: RoundStatus,
    pub opener_name: String,
    pub opened_at: OffsetDateTime,
    pub completer_name: Option<String>,
    pub completed_at: Option<OffsetDateTime>,
    pub note: Option<String>,
}

/// A row of `project_rounds` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct RoundRow {
    pub(crate) id: Uuid,
    pub(crate) project_id: Uuid,
    pub(crate) period: String,
    pub(crate) period_start: String,
    pub(crate) period_end: String,
    pub(crate) checklist_version: String,
    pub(crate) items: String,
    pub(crate) status: String,
    pub(crate) opened_by: Uuid,
    pub(crate) opener_name: String,
    pub(crate) opened_at: OffsetDateTime,
    pub(crate) completed_by: Option<Uuid>,
    pub(crate) completer_name: Option<String>,
    pub(crate) completed_at: Option<OffsetDateTime>,
    pub(crate) note: Option<String>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Invalid(format!("stored round has an unreadable {what}"))
}

impl RoundRow {
    fn into_round(self) -> Result<Round, StoreError> {
        Ok(Round {
            id: self.id,
            project_id: self.project_id,
            period: Period::parse(&self.period).ok_or_else(|| corrupt("period"))?,
            checklist_version: self.checklist_version,
            items: serde_json::from_str(&self.items).map_err(|_| corrupt("item list"))?,
            status: RoundStatus::from_code(&self.status).ok_or_else(|| corrupt("status"))?,
            opener_name: self.opener_name,
            opened_at: self.opened_at,
            completer_name: self.completer_name,
            completed_at: self.completed_at,
            note: self.note,
        })
    }
}

/// Open a round for `period`. Refused (inner error) before implementation, and when another
/// round already covers part of the period.
pub async fn open_round(
    store: &Store,
    actor: &Actor,
    project: &Project,
    period: Period,
) -> Result<Result<Uuid, RoundRefusal>, StoreError> {
    if project.phase != CyclePhase::ImplementationMonitoring {
        return Ok(Err(RoundRefusal::NotImplementing));
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("rounds are opened by a user".into()))?;
    let items = checklist_items(store, &project.checklist_version).await?;
    let codes: Vec<&str> = round_items(&items, &project.sectors).into_iter().map(|i| i.code.as_str()).collect();
    let (start, end) = (iso(Some(period.start())), iso(Some(period.end())));
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    let overlapping: Vec<(String,)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT period FROM project_rounds WHERE project_id = $1 AND period_start <= $2 AND period_end >= $3")
            .bind(project.id).bind(&end).bind(&start).fetch_all(c).await
    })?;
    if !overlapping.is_empty() {
        return Ok(Err(RoundRefusal::PeriodTaken));
    }
    let id = Uuid::now_v7();
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO project_rounds (id, project_id, period, period_start, period_end, checklist_version, items, status,
                opened_by, opener_name, opened_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id).bind(project.id).bind(period.code()).bind(&start).bind(&end).bind(&project.checklist_version)
        .bind(json(&codes)?).bind(RoundStatus::Open.code()).bind(by).bind(&actor.name).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    event(&mut tx, actor, project.id, "round-opened", serde_json::json!({ "round": id, "period": period.code() }))
        .await?;
    let audit_event = actor.event(actions::ROUND_OPENED, "project", project.id.to_string()).summary(period.code());
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

const ROUND_COLUMNS: &str = "id, project_id, period, period_start, period_end, checklist_version, items, status, \
    opened_by, opener_name, opened_at, completed_by, completer_name, completed_at, note";

/// The project's rounds, oldest period first. The caller has read the project.
pub async fn rounds(store: &Store, project: Uuid) -> Result<Vec<Round>, StoreError> {
    let sql = format!("SELECT {ROUND_COLUMNS} FROM project_rounds WHERE project_id = $1 ORDER BY period_start, period");
    let rows: Vec<RoundRow> =
        on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project).fetch_all(p).await)?;
    rows.into_iter().map(RoundRow::into_round).collect()
}

/// One round of the project (else not found).
pub async fn round(store: &Store, project: Uuid, id: Uuid) -> Result<Round, StoreError> {
    let sql = format!("SELECT {ROUND_COLUMNS} FROM project_rounds WHERE project_id = $1 AND id = $2");
    let row: Option<RoundRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(project).bind(id).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)?.into_round()
}

/// An answer given in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundAnswer {
    pub answer: Answer,
    pub justification: Option<String>,
    pub evidence_link: Option<String>,
    pub answered_by: String,
    pub answered_at: OffsetDateTime,
}

type AnswerRow = (String, String, Option<String>, Option<String>, String, OffsetDateTime);

/// The round's answers by item code.
pub async fn round_answers(store: &Store, round: Uuid) -> Result<BTreeMap<String, RoundAnswer>, StoreError> {
    let rows: Vec<AnswerRow> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT a.item_code, a.answer, a.justification, a.evidence_link, COALESCE(u.username, ''), a.answered_at
             FROM project_round_answers a LEFT JOIN users u ON u.id = a.answered_by WHERE a.round_id = $1",
        )
        .bind(round).fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, answer, justification, evidence_link, answered_by, answered_at)| {
            let answer = Answer::from_code(&answer)?;
            Some((code, RoundAnswer { answer, justification, evidence_link, answered_by, answered_at }))
        })
        .collect())
}

/// Answer items of an open round, all or none (not found when an item is not the round's).
pub async fn answer_round(
    store: &Store,
    actor: &Actor,
    project: &Project,
    round: &Round,
    answers: &[(String, AnswerInput)],
) -> Result<(), StoreError> {
    // An item outside the round reads as "not found", as on the project's checklist.
    if answers.iter().any(|(code, _)| !round.items.contains(code)) {
        return Err(StoreError::NotFound);
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("answers are given by a user".into()))?;
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    still_open(&mut tx, round.id).await?;
    let mut audit_events = Vec::with_capacity(answers.len());
    for (item_code, input) in answers {
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO project_round_answers (round_id, item_code, answer, justification, evidence_link, answered_by, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (round_id, item_code) DO UPDATE SET answer = excluded.answer, justification = excluded.justification,
                    evidence_link = excluded.evidence_link, answered_by = excluded.answered_by, answered_at = excluded.answered_at",
            )
            .bind(round.id).bind(item_code).bind(input.answer.code()).bind(&input.justification).bind(&input.evidence_link)
            .bind(by).bind(now_utc())
            .execute(c).await.map(|_| ())
        })?;
        let summary = format!("{} {item_code} {}", round.period, input.answer.code());
        audit_events.push(actor.event(actions::ROUND_ANSWERED, "project", project.id.to_string()).summary(summary));
    }
    let detail = serde_json::json!({ "round": round.id, "period": round.period.code(), "answers": answers.len() });
    event(&mut tx, actor, project.id, "round-answered", detail).await?;
    audit::append_all(&mut tx, &store.keys, &audit_events).await?;
    tx.commit().await
}

/// Refuse to touch a completed round (read again inside the transaction).
async fn still_open(tx: &mut Tx<'_>, round: Uuid) -> Result<(), StoreError> {
    let row: Option<(String,)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT status FROM project_rounds WHERE id = $1").bind(round).fetch_optional(c).await
    })?;
    match row {
        None => Err(StoreError::NotFound),
        Some((status,)) if status == RoundStatus::Open.code() => Ok(()),
        Some(_) => Err(StoreError::Frozen("round-completed")),
    }
}

/// Complete an open round: who and when are recorded and the round is frozen. Refused (inner
/// error) while mandatory items are unanswered, listed. The latest completed round's answers
/// become the project's current implementation answers, so the portfolio scores follow it.
pub async fn complete_round(
    store: &Store,
    actor: &Actor,
    project: &Project,
    round: &Round,
    note: Option<&str>,
) -> Result<Result<(), Vec<String>>, StoreError> {
    if round.status == RoundStatus::Completed {
        return Err(StoreError::Frozen("round-completed"));
    }
    let by = actor.id.ok_or_else(|| StoreError::Invalid("rounds are completed by a user".into()))?;
    let items = checklist_items(store, &round.checklist_version).await?;
    let in_round: Vec<_> = items.iter().filter(|i| round.items.contains(&i.code)).collect();
    let given = round_answers(store, round.id).await?;
    let answers: BTreeMap<String, Answer> = given.iter().map(|(c, a)| (c.clone(), a.answer)).collect();
    let unanswered = unanswered_mandatory(&in_round, &answers);
    if !unanswered.is_empty() {
        return Ok(Err(unanswered));
    }
    let mut tx = store.pool.begin().await?;
    lock(&mut tx, project.id).await?;
    still_open(&mut tx, round.id).await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE project_rounds SET status = $1, completed_by = $2, completer_name = $3, completed_at = $4, note = $5 WHERE id = $6",
        )
        .bind(RoundStatus::Completed.code()).bind(by).bind(&actor.name).bind(now_utc()).bind(note).bind(round.id)
        .execute(c).await.map(|_| ())
    })?;
    if is_latest_completed(&mut tx, round).await? {
        carry_to_checklist(&mut tx, project, &given, by).await?;
    }
    let detail = serde_json::json!({ "round": round.id, "period": round.period.code(), "note": note });
    event(&mut tx, actor, project.id, "round-completed", detail).await?;
    let audit_event =
        actor.event(actions::ROUND_COMPLETED, "project", project.id.to_string()).summary(round.period.code());
    audit::append(&mut tx, &store.keys, &audit_event).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// No completed round of the project covers a later period (a late round never overwrites a
/// newer picture).
async fn is_latest_completed(tx: &mut Tx<'_>, round: &Round) -> Result<bool, StoreError> {
    let start = iso(Some(round.period.start()));
    let (later,): (i64,) = on_tx!(tx, c => {
        sqlx::query_as(
            "SELECT COUNT(*) FROM project_rounds WHERE project_id = $1 AND status = $2 AND period_start > $3",
        )
        .bind(round.project_id).bind(RoundStatus::Completed.code()).bind(&start).fetch_one(c).await
    })?;
    Ok(later == 0)
}

async fn carry_to_checklist(
    tx: &mut Tx<'_>,
    project: &Project,
    given: &BTreeMap<String, RoundAnswer>,
    by: Uuid,
) -> Result<(), StoreError> {
    for (code, a) in given {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO checklist_answers (project_id, item_code, answer, justification, evidence_link, answered_by, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (project_id, item_code) DO UPDATE SET answer = excluded.answer, justification = excluded.justification,
                    evidence_link = excluded.evidence_link, answered_by = excluded.answered_by, answered_at = excluded.answered_at",
            )
            .bind(project.id).bind(code).bind(a.answer.code()).bind(&a.justification).bind(&a.evidence_link)
            .bind(by).bind(now_utc())
            .execute(c).await.map(|_| ())
        })?;
    }
    let (version,): (String,) = on_tx!(tx, c => {
        sqlx::query_as("SELECT checklist_version FROM projects WHERE id = $1").bind(project.id).fetch_one(c).await
    })?;
    let (items,): (String,) = on_tx!(tx, c => {
        sqlx::query_as("SELECT items FROM checklist_versions WHERE version = $1").bind(&version).fetch_one(c).await
    })?;
    let items: Vec<haven_core::projects::ChecklistItem> =
        serde_json::from_str(&items).map_err(|_| corrupt("checklist"))?;
    super::scores::recompute(tx, project.id, &project.sectors, &items).await
}

/// Every round's answers of the project, by round: the trend reads them in one query.
pub async fn answers_by_round(
    store: &Store,
    project: Uuid,
) -> Result<BTreeMap<Uuid, BTreeMap<String, Answer>>, StoreError> {
    let rows: Vec<(Uuid, String, String)> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT a.round_id, a.item_code, a.answer FROM project_round_answers a
             JOIN project_rounds r ON r.id = a.round_id WHERE r.project_id = $1",
        )
        .bind(project).fetch_all(p).await
    })?;
    let mut out: BTreeMap<Uuid, BTreeMap<String, Answer>> = BTreeMap::new();
    for (round, code, answer) in rows {
        if let Some(a) = Answer::from_code(&answer) {
            out.entry(round).or_default().insert(code, a);
        }
    }
    Ok(out)
}

type AnswerCopyRow = (Uuid, String, String, Option<String>, Option<String>, Uuid, OffsetDateTime);

/// Copy the rounds, their answers, lessons and uptake into a new database. A completed round
/// takes no answers (the triggers), so each round goes in open and gets its status last.
pub(crate) async fn copy_rows(source: &crate::Pool, tx: &mut Tx<'_>) -> Result<(), StoreError> {
    let sql = format!("SELECT {ROUND_COLUMNS} FROM project_rounds ORDER BY opened_at");
    let rounds: Vec<RoundRow> = on_pool!(source, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    for r in &rounds {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO project_rounds (id, project_id, period, period_start, period_end, checklist_version, items, status,
                    opened_by, opener_name, opened_at, completed_by, completer_name, completed_at, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(r.id).bind(r.project_id).bind(&r.period).bind(&r.period_start).bind(&r.period_end)
            .bind(&r.checklist_version).bind(&r.items).bind(RoundStatus::Open.code()).bind(r.opened_by).bind(&r.opener_name)
            .bind(r.opened_at).bind(r.completed_by).bind(&r.completer_name).bind(r.completed_at).bind(&r.note)
            .execute(c).await.map(|_| ())
        })?;
    }
    let answers: Vec<AnswerCopyRow> = on_pool!(source, p => {
        sqlx::query_as(
            "SELECT round_id, item_code, answer, justification, evidence_link, answered_by, answered_at FROM project_round_answers",
        )
        .fetch_all(p).await
    })?;
    for a in &answers {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO project_round_answers (round_id, item_code, answer, justification, evidence_link, answered_by, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.0).bind(&a.1).bind(&a.2).bind(&a.3).bind(&a.4).bind(a.5).bind(a.6)
            .execute(c).await.map(|_| ())
        })?;
    }
    for r in rounds.iter().filter(|r| r.status != RoundStatus::Open.code()) {
        on_tx!(tx, c => {
            sqlx::query("UPDATE project_rounds SET status = $1 WHERE id = $2").bind(&r.status).bind(r.id).execute(c).await.map(|_| ())
        })?;
    }
    super::lessons::copy_rows(source, tx).await
}

/// The location paths of the project's places.
pub async fn place_paths(store: &Store, project: &Project) -> Result<Vec<String>, StoreError> {
    Ok(super::location_paths(store, &project.locations).await?.into_iter().map(|(_, path)| path).collect())
}

/// An audited site within the project's places: its latest round and its actions still to do.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteFindings {
    pub pcode: String,
    pub latest_round: Uuid,
    pub latest_on: Date,
    pub latest: Tally,
    /// Soonest deadline first.
    pub open_actions: Vec<Action>,
}

/// The safety audits of sites within `place_paths`, as the caller may see them.
pub async fn site_findings(
    store: &Store,
    access: &Access,
    place_paths: &[String],
    today: Date,
) -> Result<Vec<SiteFindings>, StoreError> {
    if place_paths.is_empty() {
        return Ok(Vec::new());
    }
    let open = crate::audits::actions(store, access, &ActionFilter { open_only: true, ..Default::default() }).await?;
    let mut out = Vec::new();
    for site in crate::audits::sites(store, access, today).await? {
        let Some(path) = crate::audits::site_path(store, &site.pcode).await? else { continue };
        if !place_paths.iter().any(|p| path.starts_with(p.as_str())) {
            continue;
        }
        out.push(SiteFindings {
            open_actions: open.iter().filter(|a| a.pcode == site.pcode).cloned().collect(),
            pcode: site.pcode,
            latest_round: site.latest_round,
            latest_on: site.latest_on,
            latest: site.latest,
        });
    }
    Ok(out)
}

/// Feedback received in one month in the project's places.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackMonth {
    pub month: String,
    pub received: i64,
    pub responded: i64,
    pub responded_in_time: i64,
}

/// The condition on a rollup table: the caller's scope, the months and the project's places.
fn rollup_filter(access: &Access, place_paths: &[String], months: &[String], args: &mut Vec<String>) -> String {
    let scope = crate::feedback::rollups::scope(access, args);
    let places: Vec<String> = place_paths
        .iter()
        .map(|p| {
            args.push(format!("{p}%"));
            format!("location_path LIKE ${}", args.len())
        })
        .collect();
    args.push(months.first().cloned().unwrap_or_default());
    args.push(months.last().cloned().unwrap_or_default());
    format!("{scope} AND ({}) AND month >= ${} AND month <= ${}", places.join(" OR "), args.len() - 1, args.len())
}

/// Items received and answered (in time or not) per month of `months` (consecutive, oldest
/// first) in the project's places, from the running totals within the caller's scope.
pub async fn feedback_months(
    store: &Store,
    access: &Access,
    place_paths: &[String],
    months: &[String],
) -> Result<Vec<FeedbackMonth>, StoreError> {
    if place_paths.is_empty() || months.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::new();
    let wh = rollup_filter(access, place_paths, months, &mut args);
    let received_sql = format!(
        "SELECT month, CAST(SUM(n) AS BIGINT) FROM feedback_counts WHERE dimension = 'channel' AND {wh} GROUP BY month"
    );
    let service_sql = format!(
        "SELECT month, CAST(SUM(responded) AS BIGINT), CAST(SUM(responded_in_time) AS BIGINT) FROM feedback_service
         WHERE {wh} GROUP BY month"
    );
    let received: Vec<(String, i64)> = on_pool!(&store.pool, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(received_sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        q.fetch_all(p).await
    })?;
    let service: Vec<(String, i64, i64)> = on_pool!(&store.pool, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(service_sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        q.fetch_all(p).await
    })?;
    Ok(months
        .iter()
        .map(|m| {
            let r = received.iter().find(|(x, _)| x == m).map_or(0, |r| r.1);
            let (responded, in_time) = service.iter().find(|(x, _, _)| x == m).map_or((0, 0), |s| (s.1, s.2));
            FeedbackMonth { month: m.clone(), received: r, responded, responded_in_time: in_time }
        })
        .collect())
}

/// Items received over `months` in the project's places that were linked to each of the
/// project's `sectors` (zero when none). Sealed items carry no visible link and do not count.
pub async fn feedback_sectors(
    store: &Store,
    access: &Access,
    place_paths: &[String],
    months: &[String],
    sectors: &[String],
) -> Result<Vec<(String, i64)>, StoreError> {
    if place_paths.is_empty() || months.is_empty() || sectors.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::new();
    let wh = rollup_filter(access, place_paths, months, &mut args);
    let sql = format!(
        "SELECT key, CAST(SUM(n) AS BIGINT) FROM feedback_counts WHERE dimension = 'sector' AND {wh} GROUP BY key"
    );
    let counted: Vec<(String, i64)> = on_pool!(&store.pool, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        q.fetch_all(p).await
    })?;
    Ok(sectors.iter().map(|s| (s.clone(), counted.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n))).collect())
}

/// Items received by category over `months` in the project's places. For callers who may not
/// see sealed items, sealed items count under "sealed", as on the feedback dashboard.
pub async fn feedback_categories(
    store: &Store,
    access: &Access,
    see_sealed: bool,
    place_paths: &[String],
    months: &[String],
) -> Result<Vec<(String, i64)>, StoreError> {
    if place_paths.is_empty() || months.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::new();
    let wh = rollup_filter(access, place_paths, months, &mut args);
    let key = if see_sealed { "key" } else { "CASE WHEN sealed THEN 'sealed' ELSE key END" };
    let sql = format!(
        "SELECT {key} AS k, CAST(SUM(n) AS BIGINT) FROM feedback_counts WHERE dimension = 'category' AND {wh}
         GROUP BY k ORDER BY k"
    );
    Ok(on_pool!(&store.pool, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        q.fetch_all(p).await
    })?)
}
