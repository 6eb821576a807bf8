//! Approved answers: each answer has, per language, a series of versions; the newest is
//! the one agents give. Approving a text records who approved it and when. Not personal data.

use haven_core::audit::actions;
use haven_core::feedback::{AnswerText, answer_matches};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::identity::Actor;
use crate::{Store, StoreError, Tx, audit, now_utc};

/// One approved text of an answer in one language.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AnswerVersion {
    pub answer_id: Uuid,
    pub language: String,
    pub version: i64,
    pub question: String,
    pub body: String,
    pub approver: String,
    pub approved_at: OffsetDateTime,
}

/// An answer with its current text in each language.
#[derive(Debug, Clone)]
pub struct Answer {
    pub id: Uuid,
    pub category: Option<String>,
    pub retired: bool,
    pub texts: Vec<AnswerVersion>,
}

impl Answer {
    /// The text in `language`, else English, else any.
    pub fn text_in(&self, language: &str) -> Option<&AnswerVersion> {
        let by = |l: &str| self.texts.iter().find(|t| t.language == l);
        by(language).or_else(|| by("en")).or_else(|| self.texts.first())
    }
}

async fn add_version(
    tx: &mut Tx<'_>,
    store: &Store,
    actor: &Actor,
    id: Uuid,
    t: &AnswerText,
) -> Result<i64, StoreError> {
    let (latest,): (Option<i64>,) = on_tx!(tx, c => {
        sqlx::query_as("SELECT MAX(version) FROM answer_versions WHERE answer_id = $1 AND language = $2")
            .bind(id).bind(&t.language).fetch_one(&mut *c).await
    })?;
    let version = latest.unwrap_or(0) + 1;
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO answer_versions (answer_id, language, version, question, body, approved_by, approver, approved_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id).bind(&t.language).bind(version).bind(&t.question).bind(&t.body).bind(actor.id).bind(&actor.name)
        .bind(now_utc())
        .execute(c).await.map(|_| ())
    })?;
    let event = actor.event(actions::ANSWER_APPROVED, "answer", id.to_string());
    audit::append(tx, &store.keys, &event.summary(format!("{} version {version}", t.language))).await?;
    Ok(version)
}

/// A new answer with its first approved text; returns its id. The category, when given, must
/// have been checked against the typology by the caller.
pub async fn create(store: &Store, actor: &Actor, t: &AnswerText) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO answers (id, category, created_at) VALUES ($1, $2, $3)")
            .bind(id).bind(&t.category).bind(now_utc()).execute(c).await.map(|_| ())
    })?;
    add_version(&mut tx, store, actor, id, t).await?;
    tx.commit().await?;
    Ok(id)
}

/// Approve a new text of an answer in one language; returns its version number.
pub async fn approve(store: &Store, actor: &Actor, id: Uuid, t: &AnswerText) -> Result<i64, StoreError> {
    let mut tx = store.pool.begin().await?;
    let found = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE answers SET retired_at = NULL WHERE id = $1").bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if found == 0 {
        return Err(StoreError::NotFound);
    }
    let version = add_version(&mut tx, store, actor, id, t).await?;
    tx.commit().await?;
    Ok(version)
}

/// Withdraw an answer: agents no longer find it (its history stays).
pub async fn retire(store: &Store, actor: &Actor, id: Uuid) -> Result<(), StoreError> {
    let mut tx = store.pool.begin().await?;
    let n = on_tx!(&mut tx, c => {
        sqlx::query("UPDATE answers SET retired_at = $1 WHERE id = $2").bind(now_utc()).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&mut tx, &store.keys, &actor.event(actions::ANSWER_RETIRED, "answer", id.to_string())).await?;
    tx.commit().await
}

const VERSION_COLUMNS: &str = "answer_id, language, version, question, body, approver, approved_at";

/// Every answer with the current text of each language, newest answers first.
pub async fn all(store: &Store, include_retired: bool) -> Result<Vec<Answer>, StoreError> {
    let heads: Vec<(Uuid, Option<String>, Option<OffsetDateTime>)> = on_pool!(&store.pool, p => {
        sqlx::query_as("SELECT id, category, retired_at FROM answers ORDER BY created_at DESC, id DESC").fetch_all(p).await
    })?;
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM answer_versions v
         WHERE version = (SELECT MAX(version) FROM answer_versions w WHERE w.answer_id = v.answer_id AND w.language = v.language)
         ORDER BY language"
    );
    let current: Vec<AnswerVersion> =
        on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
    Ok(heads
        .into_iter()
        .filter(|(_, _, retired)| include_retired || retired.is_none())
        .map(|(id, category, retired)| Answer {
            id,
            category,
            retired: retired.is_some(),
            texts: current.iter().filter(|v| v.answer_id == id).cloned().collect(),
        })
        .collect())
}

/// Answers in use whose text (in `language`, else any) holds every word of `query`, in the
/// given category when one is given.
pub async fn search(
    store: &Store,
    query: &str,
    language: Option<&str>,
    category: Option<&str>,
) -> Result<Vec<Answer>, StoreError> {
    let mut found = all(store, false).await?;
    found.retain(|a| {
        category.is_none_or(|c| a.category.as_deref() == Some(c))
            && a.texts
                .iter()
                .any(|t| language.is_none_or(|l| t.language == l) && answer_matches(query, &t.question, &t.body))
    });
    Ok(found)
}

pub async fn get(store: &Store, id: Uuid) -> Result<Answer, StoreError> {
    all(store, true).await?.into_iter().find(|a| a.id == id).ok_or(StoreError::NotFound)
}

/// Every version of every language of an answer, newest first.
pub async fn history(store: &Store, id: Uuid) -> Result<Vec<AnswerVersion>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM answer_versions WHERE answer_id = $1 ORDER BY approved_at DESC, language, version DESC"
    );
    Ok(on_pool!(&store.pool, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(p).await)?)
}
