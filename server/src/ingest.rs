//! Group commit: reports that arrive together are stored together, and so are downloads.
//!
//! Handlers hand each validated report to [`Ingest::submit`] (each download to
//! [`Ingest::record_download`]) and wait. A writer task takes everything waiting (up to
//! [`MAX_BATCH`]), stores it with its roll-ups in one transaction
//! (`db::reports::store_batch`, `db::downloads::record_batch`), and only after the commit
//! answers each waiting request. So an acknowledged report, and a served download's
//! token, is durable, and the cost of a commit (an fsync) is shared by the whole batch.
//! If a batch fails, its items are retried one by one, so one bad item cannot fail its
//! neighbours — unless the database is unavailable (`db::unavailable`): then every item
//! is answered 503 at once.
//!
//! Each queue has one writer: SQLite allows one writing transaction at a time, and report
//! batches run one at a time on PostgreSQL too (`Db::begin_alone`), so a second writer
//! would only wait.

use std::pin::Pin;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::db::Db;
use crate::db::downloads::{Download, record_batch};
use crate::db::reports::{Incoming, Stored, store_batch};
use crate::error::Error;

/// The most items one transaction stores.
pub const MAX_BATCH: usize = 1024;
/// How many items may wait for a writer before senders wait too.
pub const QUEUE: usize = 16 * 1024;

/// The sending side of the writers; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ingest {
    reports: mpsc::Sender<Job<Incoming, Stored>>,
    downloads: mpsc::Sender<Job<Download, ()>>,
}

#[derive(Debug)]
struct Job<T, R> {
    item: T,
    reply: oneshot::Sender<Result<R, Error>>,
}

/// Stores a batch; answers one result per item, in order.
type StoreFn<T, R> = for<'a> fn(&'a Db, &'a [T]) -> BoxFuture<'a, sqlx::Result<Vec<R>>>;
type BoxFuture<'a, O> = Pin<Box<dyn Future<Output = O> + Send + 'a>>;

impl Ingest {
    /// Starts the writers on `db`. They stop when every `Ingest` is dropped, after
    /// storing what is queued.
    pub fn start(db: Db) -> Ingest {
        Ingest {
            reports: spawn_writer(&db, "reports", |db, batch| Box::pin(store_batch(db, batch))),
            downloads: spawn_writer(&db, "downloads", |db, batch| {
                Box::pin(async move {
                    record_batch(db, batch).await?;
                    Ok(vec![(); batch.len()])
                })
            }),
        }
    }

    /// Stores `incoming`; returns once it is committed.
    pub async fn submit(&self, incoming: Incoming) -> Result<Stored, Error> {
        send(&self.reports, incoming, "report storage").await
    }

    /// Records `download`; returns once it is committed.
    pub async fn record_download(&self, download: Download) -> Result<(), Error> {
        send(&self.downloads, download, "download records").await
    }
}

async fn send<T, R>(
    sender: &mpsc::Sender<Job<T, R>>,
    item: T,
    what: &'static str,
) -> Result<R, Error> {
    let (reply, answer) = oneshot::channel();
    sender
        .send(Job { item, reply })
        .await
        .map_err(|_| Error::Unavailable(what))?;
    answer.await.map_err(|_| Error::Unavailable(what))?
}

/// Starts a writer; answers its queue.
fn spawn_writer<T, R>(db: &Db, what: &'static str, store: StoreFn<T, R>) -> mpsc::Sender<Job<T, R>>
where
    T: Send + Sync + 'static,
    R: Send + 'static,
{
    let (sender, receiver) = mpsc::channel(QUEUE);
    tokio::spawn(write_loop(db.clone(), receiver, store, what));
    sender
}

async fn write_loop<T, R>(
    db: Db,
    mut receiver: mpsc::Receiver<Job<T, R>>,
    store: StoreFn<T, R>,
    what: &'static str,
) where
    T: Send + Sync,
    R: Send,
{
    let mut jobs: Vec<Job<T, R>> = Vec::with_capacity(MAX_BATCH);
    // Everything waiting when the writer is free, up to MAX_BATCH: the batch grows with
    // the load, and a lone report waits for nobody.
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (items, replies): (Vec<T>, Vec<_>) = jobs.drain(..).map(|j| (j.item, j.reply)).unzip();
        let started = Instant::now();
        metrics::histogram!("ingest_batch_size", "kind" => what).record(items.len() as f64);
        match store(&db, &items).await {
            Ok(results) => {
                tracing::debug!(
                    batch.kind = what,
                    batch.size = items.len(),
                    duration_ms = started.elapsed().as_millis() as u64,
                    "stored a batch"
                );
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(result));
                }
            }
            Err(error) if crate::db::unavailable::is_unavailable(&error) => {
                // The database is away (down, restarting, out of disk): each item alone
                // would fail the same way, slowly. Nothing was stored; all get 503.
                tracing::warn!(error = %error, batch.kind = what, batch.size = items.len(), "the database is unavailable; a batch was refused");
                metrics::counter!("ingest_unavailable_total", "kind" => what)
                    .increment(items.len() as u64);
                for reply in replies {
                    let _ = reply.send(Err(Error::Unavailable("the database")));
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, batch.kind = what, batch.size = items.len(), "a batch failed; storing its items one by one");
                for (item, reply) in items.iter().zip(replies) {
                    let result = store(&db, std::slice::from_ref(item))
                        .await
                        .map_err(Error::Database)
                        .and_then(|mut r| r.pop().ok_or(Error::Unavailable(what)));
                    let _ = reply.send(result);
                }
            }
        }
    }
}
