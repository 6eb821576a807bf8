//! Safety audits of sites: rounds scored on the item set frozen with them, the actions their
//! findings became, and the figures the protection mainstreaming indicators read. Reads
//! narrow to the caller's scope by the site's location path; changes are audited in the
//! same transaction.

use std::collections::BTreeMap;

use haven_core::audit::actions;
use haven_core::audits::{
    ActionInput, ActionStatus, AuditAnswer, AuditItem, RoundInput, Score, Thresholds, is_overdue, on_time, score,
};
use haven_core::authz::Access;
use haven_core::catalog::CatalogKind;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::identity::Actor;
use crate::projects::{iso, json, location_paths, parse_date};
use crate::scope::{Arg, bind_scope_args, by_path};
use crate::{Store, StoreError, audit, now_utc};

/// The setting holding the risk level thresholds (`medium,high,very-high` percents of the
/// applicable maximum); IOM DTM's bands when unset.
pub const THRESHOLDS_SETTING: &str = "audits.risk_thresholds";

/// The thresholds in force.
pub async fn thresholds(store: &Store) -> Result<Thresholds, StoreError> {
    let saved = crate::settings::get(store, THRESHOLDS_SETTING).await?;
    Ok(saved.as_deref().and_then(Thresholds::parse).unwrap_or_default())
}

/// The catalog's current observation questions and the version they come from.
pub async fn current_items(store: &Store) -> Result<(String, Vec<AuditItem>), StoreError> {
    let entries = crate::catalog::entries(store, CatalogKind::SafetyAuditItems).await?;
    let mut versions: Vec<String> = entries.iter().map(|e| e.version.clone()).collect();
    versions.sort();
    versions.dedup();
    let items = entries
        .into_iter()
        .filter_map(|e| {
            let domain = e.extra.get("domain")?.as_str()?.to_owned();
            let points = u8::try_from(e.extra.get("points")?.as_i64()?).ok()?;
            Some(AuditItem { code: e.code, domain, points })
        })
        .collect();
    Ok((versions.join("+"), items))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Invalid(format!("stored audit has an unreadable {what}"))
}

/// A row of `audit_rounds` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct RoundRow {
    pub(crate) id: Uuid,
    pub(crate) pcode: String,
    pub(crate) path: String,
    pub(crate) agency_id: Option<Uuid>,
    pub(crate) audited_on: String,
    pub(crate) team_notes: Option<String>,
    pub(crate) catalog_version: String,
    pub(crate) items: String,
    pub(crate) answers: String,
    pub(crate) risk_halves: i64,
    pub(crate) max_points: i64,
    pub(crate) created_by: Uuid,
    pub(crate) created_at: OffsetDateTime,
}

/// An audit round with the item set it was scored on.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub id: Uuid,
    pub pcode: String,
    pub audited_on: Date,
    pub team_notes: Option<String>,
    pub catalog_version: String,
    pub items: Vec<AuditItem>,
    pub answers: BTreeMap<String, AuditAnswer>,
    pub created_at: OffsetDateTime,
}

impl Round {
    pub fn score(&self) -> Score {
        score(&self.items, &self.answers)
    }

    /// The domains of the round's item set, in order.
    pub fn domains(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for item in &self.items {
            if !out.contains(&item.domain) {
                out.push(item.domain.clone());
            }
        }
        out
    }
}

fn day(text: String) -> Result<Date, StoreError> {
    parse_date(Some(text))?.ok_or_else(|| corrupt("date"))
}

impl RoundRow {
    fn into_round(self) -> Result<Round, StoreError> {
        let answers: BTreeMap<String, String> = serde_json::from_str(&self.answers).map_err(|_| corrupt("answer"))?;
        Ok(Round {
            id: self.id,
            pcode: self.pcode,
            audited_on: day(self.audited_on)?,
            team_notes: self.team_notes,
            catalog_version: self.catalog_version,
            items: serde_json::from_str(&self.items).map_err(|_| corrupt("item set"))?,
            answers: answers
                .into_iter()
                .map(|(code, a)| AuditAnswer::from_code(&a).map(|a| (code, a)).ok_or_else(|| corrupt("answer")))
                .collect::<Result<_, _>>()?,
            created_at: self.created_at,
        })
    }
}

/// The location path of a site, when the tree knows it.
pub async fn site_path(store: &Store, pcode: &str) -> Result<Option<String>, StoreError> {
    Ok(location_paths(store, &[pcode.to_owned()]).await?.pop().map(|(_, path)| path))
}

/// Record a round scored on `items` (the set its answers were checked against).
pub async fn record_round(
    store: &Store,
    actor: &Actor,
    input: &RoundInput,
    (version, items): (&str, &[AuditItem]),
    agency: Option<Uuid>,
) -> Result<Uuid, StoreError> {
    let creator = actor.id.ok_or_else(|| StoreError::Invalid("audits are recorded by a user".into()))?;
    let path = site_path(store, &input.site).await?.ok_or(StoreError::NotFound)?;
    let total = score(items, &input.answers).total;
    let answers: BTreeMap<&String, &str> = input.answers.iter().map(|(c, a)| (c, a.code())).collect();
    let id = Uuid::now_v7();
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO audit_rounds (id, pcode, path, agency_id, audited_on, team_notes, catalog_version, items, answers,
                risk_halves, max_points, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(id).bind(&input.site).bind(&path).bind(agency).bind(iso(Some(input.audited_on))).bind(&input.team_notes)
        .bind(version).bind(json(&items)?).bind(json(&answers)?).bind(i64::from(total.risk_halves))
        .bind(i64::from(total.max)).bind(creator).bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    let event = actor
        .event(actions::AUDIT_ROUND_RECORDED, "audit", id.to_string())
        .summary(format!("site {} on {}", input.site, input.audited_on));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// One round the caller may see (else not found).
pub async fn round(store: &Store, access: &Access, id: Uuid) -> Result<Round, StoreError> {
    let mut args = vec![Arg::Id(id)];
    let scope = by_path(access, "audit_rounds", &mut args);
    let sql = format!("SELECT * FROM audit_rounds WHERE id = $1 AND {scope}");
    let row: Option<RoundRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)?.into_round()
}

/// The rounds of a site the caller may see, oldest first: the trend.
pub async fn site_rounds(store: &Store, access: &Access, pcode: &str) -> Result<Vec<Round>, StoreError> {
    let mut args = vec![Arg::Text(pcode.to_owned())];
    let scope = by_path(access, "audit_rounds", &mut args);
    let sql = format!("SELECT * FROM audit_rounds WHERE pcode = $1 AND {scope} ORDER BY audited_on, created_at");
    let rows: Vec<RoundRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    rows.into_iter().map(RoundRow::into_round).collect()
}

/// A site on the audit list: its latest round and its actions still to do.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteLine {
    pub pcode: String,
    pub rounds: i64,
    pub latest_round: Uuid,
    pub latest_on: Date,
    pub latest: haven_core::audits::Tally,
    pub open_actions: i64,
    pub overdue_actions: i64,
}

#[derive(sqlx::FromRow)]
struct LatestRow {
    id: Uuid,
    pcode: String,
    audited_on: String,
    risk_halves: i64,
    max_points: i64,
}

/// Every audited site the caller may see, by P-code.
pub async fn sites(store: &Store, access: &Access, today: Date) -> Result<Vec<SiteLine>, StoreError> {
    let mut args = Vec::new();
    let scope = by_path(access, "audit_rounds", &mut args);
    let sql = format!(
        "SELECT id, pcode, audited_on, risk_halves, max_points FROM audit_rounds WHERE {scope} ORDER BY pcode, audited_on, created_at"
    );
    let rows: Vec<LatestRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    let open = actions(store, access, &ActionFilter { open_only: true, ..Default::default() }).await?;
    let mut out: Vec<SiteLine> = Vec::new();
    for r in rows {
        let tally = haven_core::audits::Tally {
            risk_halves: u32::try_from(r.risk_halves).map_err(|_| corrupt("score"))?,
            max: u32::try_from(r.max_points).map_err(|_| corrupt("score"))?,
        };
        let latest_on = day(r.audited_on)?;
        match out.last_mut() {
            Some(line) if line.pcode == r.pcode => {
                line.rounds += 1;
                (line.latest_round, line.latest_on, line.latest) = (r.id, latest_on, tally);
            }
            _ => {
                let mine: Vec<&Action> = open.iter().filter(|a| a.pcode == r.pcode).collect();
                out.push(SiteLine {
                    open_actions: mine.len() as i64,
                    overdue_actions: mine.iter().filter(|a| a.is_overdue(today)).count() as i64,
                    pcode: r.pcode,
                    rounds: 1,
                    latest_round: r.id,
                    latest_on,
                    latest: tally,
                });
            }
        }
    }
    Ok(out)
}

/// A row of `audit_actions` as stored (also what a database copy moves).
#[derive(sqlx::FromRow)]
pub(crate) struct ActionRow {
    pub(crate) id: Uuid,
    pub(crate) round_id: Uuid,
    pub(crate) pcode: String,
    pub(crate) path: String,
    pub(crate) agency_id: Option<Uuid>,
    pub(crate) text: String,
    pub(crate) domain: String,
    pub(crate) owner_id: Option<Uuid>,
    pub(crate) deadline: String,
    pub(crate) status: String,
    pub(crate) closed_at: Option<OffsetDateTime>,
    pub(crate) created_by: Uuid,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

/// What a finding became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: Uuid,
    pub round_id: Uuid,
    pub pcode: String,
    pub text: String,
    pub domain: String,
    pub owner_id: Option<Uuid>,
    pub deadline: Date,
    pub status: ActionStatus,
    pub closed_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

impl Action {
    pub fn is_overdue(&self, today: Date) -> bool {
        is_overdue(self.deadline, self.status, today)
    }
}

impl ActionRow {
    fn into_action(self) -> Result<Action, StoreError> {
        Ok(Action {
            id: self.id,
            round_id: self.round_id,
            pcode: self.pcode,
            text: self.text,
            domain: self.domain,
            owner_id: self.owner_id,
            deadline: day(self.deadline)?,
            status: ActionStatus::from_code(&self.status).ok_or_else(|| corrupt("status"))?,
            closed_at: self.closed_at,
            updated_at: self.updated_at,
        })
    }
}

/// Whether a user exists to own an action.
pub async fn user_exists(store: &Store, id: Uuid) -> Result<bool, StoreError> {
    Ok(crate::identity::login_record_by_id(store, id).await?.is_some())
}

/// Add an action to a round the caller has read.
pub async fn add_action(
    store: &Store,
    actor: &Actor,
    round: &Round,
    input: &ActionInput,
    agency: Option<Uuid>,
) -> Result<Uuid, StoreError> {
    let creator = actor.id.ok_or_else(|| StoreError::Invalid("actions are added by a user".into()))?;
    let path = site_path(store, &round.pcode).await?.ok_or(StoreError::NotFound)?;
    let id = Uuid::now_v7();
    let now = now_utc();
    let closed_at = (input.status == ActionStatus::Done).then_some(now);
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO audit_actions (id, round_id, pcode, path, agency_id, text, domain, owner_id, deadline, status,
                closed_at, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id).bind(round.id).bind(&round.pcode).bind(&path).bind(agency).bind(&input.text).bind(&input.domain)
        .bind(input.owner_id).bind(iso(Some(input.deadline))).bind(input.status.code()).bind(closed_at)
        .bind(creator).bind(now).bind(now)
        .execute(c).await.map(|_| ())
    })?;
    let event = actor.event(actions::AUDIT_ACTION_SAVED, "audit-action", id.to_string()).summary(format!(
        "{} due {}",
        input.status.code(),
        input.deadline
    ));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// One action the caller may see (else not found).
pub async fn action(store: &Store, access: &Access, id: Uuid) -> Result<Action, StoreError> {
    let mut args = vec![Arg::Id(id)];
    let scope = by_path(access, "audit_actions", &mut args);
    let sql = format!("SELECT * FROM audit_actions WHERE id = $1 AND {scope}");
    let row: Option<ActionRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)?.into_action()
}

/// Change an action. Moving to done stamps when it was closed; moving back clears it.
pub async fn update_action(
    store: &Store,
    actor: &Actor,
    access: &Access,
    id: Uuid,
    input: &ActionInput,
) -> Result<Action, StoreError> {
    let before = action(store, access, id).await?;
    let now = now_utc();
    let closed_at = match (before.status, input.status) {
        (_, s) if s != ActionStatus::Done => None,
        (ActionStatus::Done, _) => before.closed_at,
        _ => Some(now),
    };
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE audit_actions SET text = $1, domain = $2, owner_id = $3, deadline = $4, status = $5, closed_at = $6,
                updated_at = $7 WHERE id = $8",
        )
        .bind(&input.text).bind(&input.domain).bind(input.owner_id).bind(iso(Some(input.deadline)))
        .bind(input.status.code()).bind(closed_at).bind(now).bind(id)
        .execute(c).await.map(|_| ())
    })?;
    let event = actor.event(actions::AUDIT_ACTION_SAVED, "audit-action", id.to_string()).summary(format!(
        "{} -> {}, due {}",
        before.status.code(),
        input.status.code(),
        input.deadline
    ));
    audit::append(&mut tx, &store.keys, &event).await?;
    tx.commit().await?;
    action(store, access, id).await
}

/// Which actions to list.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Only those not done.
    pub open_only: bool,
    /// Only those not done whose deadline's day has passed before this day.
    pub overdue_on: Option<Date>,
    pub round: Option<Uuid>,
}

/// The actions the caller may see, soonest deadline first.
pub async fn actions(store: &Store, access: &Access, filter: &ActionFilter) -> Result<Vec<Action>, StoreError> {
    let mut args = Vec::new();
    let mut wh = by_path(access, "audit_actions", &mut args);
    if filter.open_only || filter.overdue_on.is_some() {
        args.push(Arg::Text(ActionStatus::Done.code().to_owned()));
        wh.push_str(&format!(" AND status <> ${}", args.len()));
    }
    if let Some(today) = filter.overdue_on {
        args.push(Arg::Text(iso(Some(today)).unwrap_or_default()));
        wh.push_str(&format!(" AND deadline < ${}", args.len()));
    }
    if let Some(round) = filter.round {
        args.push(Arg::Id(round));
        wh.push_str(&format!(" AND round_id = ${}", args.len()));
    }
    let sql = format!("SELECT * FROM audit_actions WHERE {wh} ORDER BY deadline, created_at");
    let rows: Vec<ActionRow> = on_pool!(&store.pool, p => {
        bind_scope_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(p).await
    })?;
    rows.into_iter().map(ActionRow::into_action).collect()
}

/// For the indicator "% of sites with a safety audit in the period": of the sites `pcodes`
/// (a project's places, deduplicated), how many had a round dated on or after `since`'s day,
/// and how many there are. Not scoped: the caller has read the project.
pub async fn sites_audited_since(
    store: &Store,
    pcodes: &[String],
    since: OffsetDateTime,
) -> Result<(i64, i64), StoreError> {
    sites_audited_between(store, pcodes, since, None).await
}

/// [`sites_audited_since`], counting only rounds dated before `until`'s day when given (a
/// past reporting period).
pub async fn sites_audited_between(
    store: &Store,
    pcodes: &[String],
    since: OffsetDateTime,
    until: Option<OffsetDateTime>,
) -> Result<(i64, i64), StoreError> {
    let mut sites: Vec<&String> = pcodes.iter().collect();
    sites.sort();
    sites.dedup();
    let utc_day = |t: OffsetDateTime| iso(Some(t.to_offset(time::UtcOffset::UTC).date())).unwrap_or_default();
    let since = utc_day(since);
    let until = until.map(utc_day).unwrap_or_else(|| "9999-12-31".to_owned());
    let mut audited = 0;
    for pcode in &sites {
        let (n,): (i64,) = on_pool!(&store.pool, p => {
            sqlx::query_as("SELECT COUNT(*) FROM audit_rounds WHERE pcode = $1 AND audited_on >= $2 AND audited_on < $3")
                .bind(*pcode).bind(&since).bind(&until).fetch_one(p).await
        })?;
        audited += i64::from(n > 0);
    }
    Ok((audited, sites.len() as i64))
}

/// For the indicator "% of audit actions closed on time": among the actions of the sites
/// `pcodes` whose deadline falls in [`from`, `to`) (by UTC day), how many were done by the
/// end of their deadline's day, and how many fell due. Not scoped: the caller has read the
/// project.
pub async fn actions_closed_on_time(
    store: &Store,
    pcodes: &[String],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<(i64, i64), StoreError> {
    let utc_day = |t: OffsetDateTime| iso(Some(t.to_offset(time::UtcOffset::UTC).date())).unwrap_or_default();
    let (from, to) = (utc_day(from), utc_day(to));
    let mut sites: Vec<&String> = pcodes.iter().collect();
    sites.sort();
    sites.dedup();
    let (mut on_time_n, mut due) = (0, 0);
    for pcode in sites {
        let rows: Vec<ActionRow> = on_pool!(&store.pool, p => {
            sqlx::query_as("SELECT * FROM audit_actions WHERE pcode = $1 AND deadline >= $2 AND deadline < $3")
                .bind(pcode).bind(&from).bind(&to).fetch_all(p).await
        })?;
        for a in rows.into_iter().map(ActionRow::into_action) {
            let a = a?;
            due += 1;
            on_time_n += i64::from(on_time(a.deadline, a.status, a.closed_at));
        }
    }
    Ok((on_time_n, due))
}
