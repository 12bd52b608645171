//! Keeping SQLite's write-ahead log short without pausing the report writer.
//!
//! Commits append pages to the WAL; a checkpoint copies them back into the database
//! file. The WAL only starts again from its beginning when a writing transaction begins
//! while every page in it has been copied, and the report writer begins its next batch
//! the moment it commits the last, so a checkpoint running beside it never sees that
//! moment: left alone the WAL grows by a gigabyte a minute under load. SQLite's own
//! `restart` checkpoint forces the moment by waiting for the writer in SQLite's busy
//! handler, which sleeps in steps of up to 100 ms and makes the writer sleep as long:
//! that was the report load's p99.
//!
//! So the checkpointer ([`checkpoint_in_background`]) copies pages beside the writers
//! (`passive`) every [`CHECKPOINT_EVERY`], and once the WAL passes [`RESTART_AFTER_PAGES`]
//! it closes the [`WriteGate`] that every writing transaction passes
//! (`Db::begin`), waits for the transactions in flight to commit, copies the few pages
//! they added, and opens the gate again: the next transaction finds the WAL copied and
//! writes it from the start. Writers wait for that last copy only, a few milliseconds.
//! Should the WAL grow on all the same, because something writes around the gate, a
//! `restart` checkpoint bounds it at [`FORCE_RESTART_AFTER_PAGES`].

use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::SqlitePool;
use tokio::sync::{OwnedRwLockReadGuard, RwLock};

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);
/// WAL pages (4 KiB each) past which the checkpointer makes the WAL start again.
const RESTART_AFTER_PAGES: i64 = 4096;
/// WAL pages past which the checkpointer stops relying on the gate and has SQLite wait
/// for every writer (`restart`), the writers waiting in turn: only writers around the
/// gate take the WAL this far.
const FORCE_RESTART_AFTER_PAGES: i64 = 16 * RESTART_AFTER_PAGES;

/// What writing transactions on one SQLite database pass; shared by clones of its `Db`.
#[derive(Clone, Debug, Default)]
pub struct WriteGate(Arc<RwLock<()>>);

/// Held by a writing transaction until it ends.
pub type Pass = OwnedRwLockReadGuard<()>;

impl WriteGate {
    /// Waits while the checkpointer holds the gate closed.
    pub async fn pass(&self) -> Pass {
        Arc::clone(&self.0).read_owned().await
    }
}

/// Checkpoints every [`CHECKPOINT_EVERY`] on a connection of the pool's, until the pool
/// closes (see the module's comment).
pub async fn checkpoint_in_background(pool: SqlitePool, gate: WriteGate) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = checkpoint(&pool, &gate).await
            && !pool.is_closed()
        {
            tracing::warn!(error = %error, "cannot checkpoint the SQLite WAL");
        }
    }
}

async fn checkpoint(pool: &SqlitePool, gate: &WriteGate) -> sqlx::Result<()> {
    let pages = copy(pool).await?;
    if pages > FORCE_RESTART_AFTER_PAGES {
        // A writer that does not pass the gate (a bulk load on a connection of its own)
        // kept the WAL from starting again: wait for it the slow way.
        sqlx::query("pragma wal_checkpoint(restart)")
            .execute(pool)
            .await?;
    } else if pages > RESTART_AFTER_PAGES {
        let _closed = gate.0.write().await;
        copy(pool).await?;
    }
    Ok(())
}

/// A `passive` checkpoint: copies what no reader still needs, waits for nobody. Answers
/// how many pages the WAL holds.
async fn copy(pool: &SqlitePool) -> sqlx::Result<i64> {
    // (whether it was blocked, pages in the WAL, pages copied)
    let (_, pages, _): (i64, i64, i64) = sqlx::query_as("pragma wal_checkpoint(passive)")
        .fetch_one(pool)
        .await?;
    Ok(pages)
}
