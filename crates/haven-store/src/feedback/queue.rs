//! Group commit for intake: one writer takes what has queued up while the previous
//! transaction committed and stores it in one transaction, with one statement per table.
//! Each caller is answered only after the commit that holds its item, so durability is
//! unchanged; a busy intake pays for one commit per batch instead of one per item, and a
//! quiet one waits for nothing. Callers check, encrypt and tokenise their own item before
//! queueing it, so that work runs on every core and the writer only writes.

use tokio::sync::{mpsc, oneshot};

use super::{NewFeedback, Prepared, RecordError, Recorded, insert_batch, prepare, record_prepared, redelivered};
use crate::db::Conn;
use crate::{Store, StoreError};

/// Most items in one transaction.
const MAX_BATCH: usize = 128;

/// The least time between two checkpoints. A checkpoint copies each page changed since the
/// last one once, however many commits changed it, and syncs the log and the database file:
/// after every commit it would copy the same hot pages (indexes, running totals) again and
/// again. Commits stay as durable (with `synchronous=FULL` each one syncs the log itself);
/// the log holds at most this long's worth of commits.
const CHECKPOINT_SPACING: std::time::Duration = std::time::Duration::from_millis(100);

type Reply = oneshot::Sender<Result<Recorded, RecordError>>;

/// The queue in front of the writer. Cloning shares it.
#[derive(Clone)]
pub struct IntakeQueue {
    store: Store,
    jobs: mpsc::Sender<(Prepared, Reply)>,
}

impl std::fmt::Debug for IntakeQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeQueue").finish_non_exhaustive()
    }
}

impl IntakeQueue {
    /// Start the writer on the current tokio runtime.
    pub fn start(store: Store) -> IntakeQueue {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(store.clone(), rx));
        IntakeQueue { store, jobs }
    }

    /// Store one item; returns once the transaction holding it has committed.
    pub async fn record(&self, new: NewFeedback) -> Result<Recorded, RecordError> {
        if let Some(existing) = redelivered(&self.store, &new).await? {
            return Ok(existing);
        }
        let prepared = prepare(&self.store, new).await?;
        let (reply, answer) = oneshot::channel();
        let stopped = || RecordError::Store(StoreError::Io("the intake writer has stopped".into()));
        self.jobs.send((prepared, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_batches(store: Store, mut rx: mpsc::Receiver<(Prepared, Reply)>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    let mut writer = Writer::default();
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<Prepared>, Vec<Reply>) = jobs.drain(..).unzip();
        let results = write_batch(&store, &mut writer, items).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that went away (client disconnected) has nothing to be told.
            let _ = reply.send(result);
        }
    }
}

/// The writer's own connection, opened at the first batch and kept; dropped after a failed
/// batch (it may be the connection that broke) and opened again at the next. Without one
/// (an in-memory database) each batch takes a pooled connection. On SQLite a checkpointer
/// with a connection of its own folds the log back after the commits, so that the writer's
/// thread spends its time on inserts rather than on copying pages and syncing files.
#[derive(Default)]
struct Writer {
    conn: Option<Conn>,
    /// Wakes the checkpointer; it stops when the writer does.
    checkpoints: Option<mpsc::Sender<()>>,
}

impl Writer {
    /// Store the batch in one transaction; the rows that went in.
    async fn insert(&mut self, store: &Store, items: &[Prepared]) -> Result<Vec<bool>, StoreError> {
        if self.conn.is_none() {
            self.conn = self.open(store).await?;
        }
        let mut tx = match &mut self.conn {
            Some(conn) => conn.begin().await?,
            None => store.pool.begin().await?,
        };
        let inserted = insert_batch(&mut tx, store, items).await?;
        tx.commit().await?;
        if let Some(wake) = &self.checkpoints {
            // One wake-up waiting is enough: the next checkpoint covers every commit before it.
            let _ = wake.try_send(());
        }
        Ok(inserted)
    }

    /// The writer's connection, and on SQLite the checkpointer that goes with it.
    async fn open(&mut self, store: &Store) -> Result<Option<Conn>, StoreError> {
        let Some(mut conn) = store.pool.dedicated().await? else { return Ok(None) };
        if conn.has_wal() && self.checkpoints.is_none() {
            let (wake, woken) = mpsc::channel(1);
            tokio::spawn(checkpoint_after_commits(store.clone(), woken));
            self.checkpoints = Some(wake);
        }
        if self.checkpoints.is_some() {
            conn.leave_checkpoints().await?;
        }
        Ok(Some(conn))
    }
}

/// Fold the log back after the commits the writer reports, at most once per
/// [`CHECKPOINT_SPACING`], on a connection of its own (its own thread). Errors are logged and
/// the connection opened again at the next commit; the writer folds the log itself if it
/// grows past its limit meanwhile.
async fn checkpoint_after_commits(store: Store, mut woken: mpsc::Receiver<()>) {
    let mut conn: Option<Conn> = None;
    while woken.recv().await.is_some() {
        if conn.is_none() {
            conn = store.pool.dedicated().await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the intake checkpointer cannot connect");
                None
            });
        }
        let Some(c) = &mut conn else { continue };
        if let Err(e) = c.checkpoint_passive().await {
            tracing::warn!(error = %e, "an intake checkpoint failed");
            conn = None;
        }
        // Commits meanwhile leave their wake-up waiting: the next checkpoint covers them all.
        tokio::time::sleep(CHECKPOINT_SPACING).await;
    }
}

/// One transaction for the batch. An item whose row did not go in (the same message twice
/// in one batch, a reference collision) is stored on its own after the commit. When the
/// transaction fails, each item is tried on its own, so an item the database refuses fails
/// only its own caller.
async fn write_batch(store: &Store, writer: &mut Writer, items: Vec<Prepared>) -> Vec<Result<Recorded, RecordError>> {
    let committed = writer.insert(store, &items).await;
    if committed.is_err() {
        writer.conn = None;
    }
    let inserted = match committed {
        Ok(inserted) => inserted,
        Err(e) if items.len() == 1 => return vec![Err(e.into())],
        Err(e) => {
            tracing::warn!(error = %e, items = items.len(), "an intake batch failed; storing its items one by one");
            vec![false; items.len()]
        }
    };
    let mut results = Vec::with_capacity(items.len());
    for (item, inserted) in items.into_iter().zip(inserted) {
        results.push(if inserted { Ok(item.recorded()) } else { record_prepared(store, item).await });
    }
    results
}
