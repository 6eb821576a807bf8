//! Group commit for intake: one writer takes what has queued up while the previous
//! transaction committed and stores it in one transaction. Each caller is answered only
//! after the commit that holds its item, so durability is unchanged; a busy intake pays for
//! one commit per batch instead of one per item, and a quiet one waits for nothing.

use haven_core::feedback::{Seal, SensitiveType, ServiceLevels, Submission};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::{NewFeedback, RecordError, Recorded, by_channel_message, insert, new_reference, prepare, record};
use crate::identity::Actor;
use crate::{Store, StoreError};

/// Most items in one transaction.
const MAX_BATCH: usize = 128;

/// [`NewFeedback`] with everything owned, to cross to the writer.
#[derive(Debug, Clone)]
pub struct OwnedFeedback {
    pub submission: Submission,
    pub sensitive_type: Option<SensitiveType>,
    pub seal: Seal,
    pub channel_message_id: Option<String>,
    pub received_at: OffsetDateTime,
    pub recorded_by: Option<Actor>,
    pub levels: ServiceLevels,
}

impl OwnedFeedback {
    fn borrow(&self) -> NewFeedback<'_> {
        NewFeedback {
            submission: &self.submission,
            sensitive_type: self.sensitive_type,
            seal: self.seal,
            channel_message_id: self.channel_message_id.as_deref(),
            received_at: self.received_at,
            recorded_by: self.recorded_by.as_ref(),
            levels: &self.levels,
        }
    }
}

type Reply = oneshot::Sender<Result<Recorded, RecordError>>;

/// The queue in front of the writer. Cloning shares it.
#[derive(Clone, Debug)]
pub struct IntakeQueue {
    jobs: mpsc::Sender<(OwnedFeedback, Reply)>,
}

impl IntakeQueue {
    /// Start the writer on the current tokio runtime.
    pub fn start(store: Store) -> IntakeQueue {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(store, rx));
        IntakeQueue { jobs }
    }

    /// Store one item; returns once the transaction holding it has committed.
    pub async fn record(&self, item: OwnedFeedback) -> Result<Recorded, RecordError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || RecordError::Store(StoreError::Io("the intake writer has stopped".into()));
        self.jobs.send((item, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_batches(store: Store, mut rx: mpsc::Receiver<(OwnedFeedback, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut items = vec![first.0];
        let mut replies = vec![first.1];
        while items.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok((item, reply)) => {
                    items.push(item);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        let results = write_batch(&store, &items).await;
        for (reply, result) in replies.into_iter().zip(results) {
            // A caller that went away (client disconnected) has nothing to be told.
            let _ = reply.send(result);
        }
    }
}

/// One transaction for the batch. Items that are redeliveries, or whose row did not go in
/// (the same message twice in one batch, a reference collision), go through [`record`] on
/// their own after the commit.
async fn write_batch(store: &Store, items: &[OwnedFeedback]) -> Vec<Result<Recorded, RecordError>> {
    let mut results: Vec<Option<Result<Recorded, RecordError>>> = Vec::with_capacity(items.len());
    let mut prepared = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(message) = &item.channel_message_id {
            match by_channel_message(store, item.submission.channel, message).await {
                Ok(Some(existing)) => {
                    results.push(Some(Ok(existing)));
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    results.push(Some(Err(e.into())));
                    continue;
                }
            }
        }
        match prepare(store, item.borrow()).await {
            Ok(p) => {
                results.push(None);
                prepared.push((i, p));
            }
            Err(e) => results.push(Some(Err(e))),
        }
    }
    let mut retry = Vec::new();
    let committed = async {
        let mut tx = store.pool.begin().await?;
        let mut done = Vec::new();
        for (i, p) in &prepared {
            let reference = new_reference();
            if insert(&mut tx, store, p, &reference).await? {
                let sealed = p.new.seal.is_sealed();
                done.push((*i, Recorded { id: p.id, reference: reference.as_str().to_owned(), created: true, sealed }));
            } else {
                retry.push(*i);
            }
        }
        tx.commit().await?;
        Ok::<_, StoreError>(done)
    }
    .await;
    match committed {
        Ok(done) => {
            for (i, recorded) in done {
                results[i] = Some(Ok(recorded));
            }
        }
        Err(e) => {
            let message = e.to_string();
            for (i, _) in &prepared {
                results[*i] = Some(Err(RecordError::Store(StoreError::Io(message.clone()))));
            }
            retry.clear();
        }
    }
    for i in retry {
        results[i] = Some(record(store, items[i].borrow()).await);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(RecordError::Store(StoreError::Io("item not written".into())))))
        .collect()
}
