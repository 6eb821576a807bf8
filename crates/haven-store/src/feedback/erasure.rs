//! Contact details are erased a set number of days after an item closes: the name, phone
//! number and safe-contact note go, the item keeps everything else. A reopened item is not
//! erased while open (reopening clears its closing time, so the wait starts again at the next
//! closure). Replies to the person that have not gone out yet are given up, their number and
//! text wiped. Each erasure is audited, without the data.
//!
//! On SQLite, freed space is overwritten with zeros (`secure_delete`, set when the pool
//! opens) and the write-ahead log is folded back afterwards, so the file keeps no copy of the
//! erased ciphertext. On PostgreSQL the old row version stays in the table file until vacuum
//! reuses its space; it is encrypted under the field key either way.

use haven_core::audit::actions;
use haven_core::feedback::ContactRetention;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::identity::Actor;
use crate::sealing::SealedContent;
use crate::{Store, StoreError, audit, now_utc};

/// Items erased per transaction: a long backlog does not hold the write lock for long.
const BATCH: usize = 200;

/// Erase the contact details of every item closed before `retention` allows, as of `now`.
/// Returns how many items were erased.
pub async fn erase_due(store: &Store, retention: ContactRetention, now: OffsetDateTime) -> Result<usize, StoreError> {
    let cutoff = retention.closed_before(now);
    let due: Vec<(Uuid,)> = on_pool!(&store.pool, p => {
        sqlx::query_as(
            "SELECT id FROM feedback WHERE status = 'closed' AND closed_at < $1 AND contact_erased_at IS NULL
                AND (contact_enc IS NOT NULL OR sealed_contact IS NOT NULL OR has_contact)",
        )
        .bind(cutoff)
        .fetch_all(p)
        .await
    })?;
    let actor = Actor::system("retention");
    let summary = format!("closed more than {} days ago", retention.days);
    let mut erased = 0;
    for batch in due.chunks(BATCH) {
        let mut tx = store.pool.begin().await?;
        for (id,) in batch {
            // Checked again here: the item may have been reopened since the selection.
            let n = on_tx!(&mut tx, c => {
                sqlx::query(
                    "UPDATE feedback SET contact_enc = NULL, sealed_contact = NULL, has_contact = FALSE,
                        contact_erased_at = $1, updated_at = $1
                     WHERE id = $2 AND status = 'closed' AND closed_at < $3 AND contact_erased_at IS NULL",
                )
                .bind(now).bind(id).bind(cutoff).execute(c).await.map(|r| r.rows_affected())
            })?;
            if n == 1 {
                // A reply still waiting would keep the number: it is given up with it.
                super::outbound::cancel_replies(&mut tx, *id, now).await?;
                let event = actor.event(actions::CONTACT_ERASED, "feedback", id.to_string()).summary(summary.clone());
                audit::append(&mut tx, &store.keys, &event).await?;
                erased += 1;
            }
        }
        tx.commit().await?;
    }
    if erased > 0 {
        // Fold the log back into the file, so no older page with the contact stays in it.
        store.pool.checkpoint().await?;
    }
    Ok(erased)
}

/// An item sealed before contacts were kept apart holds its contact inside the narrative's
/// envelope, which only the office key opens: when a focal point opens such an item after
/// its contact was due for erasure, the narrative is sealed again without it.
pub(super) async fn reseal_without_contact(store: &Store, id: Uuid, opened: &SealedContent) -> Result<(), StoreError> {
    if !opened.has_contact() {
        return Ok(());
    }
    let recipient = crate::sealing::recipient(store).await?.ok_or(StoreError::NotFound)?;
    let narrative_only = recipient
        .seal(id, &SealedContent { contact_name: None, contact_phone: None, safe_contact: None, ..opened.clone() })?;
    let mut tx = store.pool.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE feedback SET sealed_content = $1, updated_at = $2 WHERE id = $3")
            .bind(&narrative_only).bind(now_utc()).bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    let event = Actor::system("retention").event(actions::CONTACT_ERASED, "feedback", id.to_string());
    audit::append(&mut tx, &store.keys, &event.summary("sealed copy".to_owned())).await?;
    tx.commit().await
}
