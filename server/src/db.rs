//! The database: SQLite (embedded default) or PostgreSQL behind one [`Db`].
//!
//! This module and its children are the only code that holds SQL, and this file is the
//! only one that names the pool types. Every query is one SQL string with `$1`
//! placeholders that both backends run; [`with_pool!`] expands it once per backend, so a
//! query cannot drift between them. Times are stored in UTC.

pub mod accounts;
pub mod alerts;
pub mod audit;
pub mod catalog;
pub mod content;
pub mod counts;
pub mod dashboard;
pub mod deployments;
pub mod downloads;
pub mod edit_audit;
pub mod edit_catalogue;
pub mod edit_content;
pub mod edit_versions;
pub mod machine_days;
pub mod mail;
pub mod reports;
pub mod seed;
pub mod settings;
pub mod sign_in;
pub mod sso;
pub mod token_machines;
pub mod unavailable;
pub mod wal;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::config::DatabaseUrl;

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// An SQLite file (WAL mode), and the gate its writing transactions pass.
    Sqlite(SqlitePool, wal::WriteGate),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// An open transaction on either backend.
pub enum Tx {
    /// SQLite transaction, holding its pass through the write gate until it ends.
    Sqlite(Transaction<'static, Sqlite>, wal::Pass),
    /// PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

/// The advisory locks of [`Db::begin_alone`] (PostgreSQL's are 64-bit keys shared by
/// everything on the server's database, so these stand out).
#[derive(Clone, Copy, Debug)]
#[repr(i64)]
pub enum AdvisoryLock {
    /// Storing reports: the machines' day roll-ups are computed from what a batch reads,
    /// so two batches must not read and write them at once.
    ReportWriter = 0x706f_7274_616c_0001,
}

/// Runs `$body` with `$pool` bound to the concrete pool of `$db`, once per backend.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, _) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Runs `$body` with `$conn` bound to the connection of the transaction `$tx`.
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(tx, _) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::db::Tx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}
pub(crate) use with_tx;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Creates the SQLite file `path` (and its folder) readable by the portal's user only,
/// when missing: it holds password hashes and sessions. SQLite gives its `-wal` and
/// `-shm` files the database file's permissions. An existing file is left as it is.
fn create_private(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if path.as_os_str().is_empty() || path.to_str() == Some(":memory:") || path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
        .or_else(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Ok(())
            } else {
                Err(e)
            }
        })
        .with_context(|| format!("cannot create {}", path.display()))
}

impl Db {
    /// Connects to `url`, creating the SQLite file (owner-only) and its folder when
    /// missing.
    pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<Db> {
        if url.is_postgres() {
            let options = PgConnectOptions::from_str(url.expose())
                .with_context(|| format!("invalid PostgreSQL URL {url}"))?
                // No parallel workers: the portal's queries read a few thousand roll-up
                // rows, and starting workers cost more than the query (the year's error
                // codes took 24 ms with two workers, 2.7 ms without; BENCHMARKS.md).
                .options([("max_parallel_workers_per_gather", "0")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await
                .with_context(|| format!("cannot connect to {url}"))?;
            return Ok(Db::Postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url.expose())
            .with_context(|| format!("invalid SQLite URL {url}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed transaction survives power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // 16 MiB of pages per connection (the default is 2 MiB): the report writer's
            // index pages stay in memory instead of being read again for every batch.
            .pragma("cache_size", "-16384")
            // Statement journals (multi-row upserts need them) in memory, not temp files.
            .pragma("temp_store", "memory")
            // Checkpoints run beside the writers (`wal`), not inside whichever commit
            // takes the WAL past 1,000 pages.
            .pragma("wal_autocheckpoint", "0");
        create_private(options.get_filename())?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .after_release(|conn, _| Box::pin(unavailable::keep_connection(conn)))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open {url}"))?;
        let gate = wal::WriteGate::default();
        tokio::spawn(wal::checkpoint_in_background(pool.clone(), gate.clone()));
        Ok(Db::Sqlite(pool, gate))
    }

    /// Applies the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(pool, _) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
        .context("database migration failed")
    }

    /// Applies the migrations up to and including `last` only: what a portal of that
    /// schema left behind, for tests of a later migration on an existing database.
    pub async fn migrate_through(&self, last: i64) -> anyhow::Result<()> {
        let through = |all: &sqlx::migrate::Migrator| sqlx::migrate::Migrator {
            migrations: all
                .migrations
                .iter()
                .filter(|m| m.version <= last)
                .cloned()
                .collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        match self {
            Db::Sqlite(pool, _) => through(&SQLITE_MIGRATIONS).run(pool).await,
            Db::Postgres(pool) => through(&POSTGRES_MIGRATIONS).run(pool).await,
        }
        .context("database migration failed")
    }

    /// Answers whether the database takes a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_pool!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))
    }

    /// Starts a transaction that writes: on SQLite `begin immediate`, which waits for the
    /// write lock up front. A transaction that reads first and writes later could instead
    /// fail at once, without waiting, when its read's snapshot went stale because the
    /// report writer committed, or a checkpoint restarted the WAL, in between. It first
    /// passes the write gate (`wal::WriteGate`), which is open except for the few
    /// milliseconds in which the checkpointer makes the WAL start again.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool, gate) => {
                let pass = gate.pass().await;
                let mut tries = 0;
                loop {
                    match pool.begin_with("begin immediate").await {
                        Ok(tx) => break Tx::Sqlite(tx, pass),
                        // A connection left inside a transaction SQLite ended itself (a
                        // full disk): it is closed on its way back, so try another.
                        Err(sqlx::Error::InvalidSavePointStatement) if tries < 16 => {
                            unavailable::suspect();
                            tries += 1;
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        Err(error) => return Err(error),
                    }
                }
            }
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Starts a writing transaction that runs alone among those started with the same
    /// `lock`, whichever portal on the database starts them: on SQLite every writing
    /// transaction does; on PostgreSQL this one first takes an advisory lock that it
    /// holds until it ends.
    pub async fn begin_alone(&self, lock: AdvisoryLock) -> Result<Tx, sqlx::Error> {
        let mut tx = self.begin().await?;
        if let Tx::Postgres(conn) = &mut tx {
            sqlx::query("select pg_advisory_xact_lock($1)")
                .bind(lock as i64)
                .execute(&mut **conn)
                .await?;
        }
        Ok(tx)
    }

    /// `"sqlite"` or `"postgres"`, for logs and health answers.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// The pool's open connections and how many of them are idle.
    pub fn pool_sizes(&self) -> (u32, usize) {
        with_pool!(self, pool => (pool.size(), pool.num_idle()))
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

impl Tx {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx, _pass) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }
}

/// The placeholders of a multi-row `values` list of `rows` rows of `columns` values
/// each: `($1, $2, …), …` on PostgreSQL, `(?, ?, …), …` on SQLite, bound in order.
///
/// SQLite's own numbered form would serve both, but the driver looks each numbered
/// parameter's name up (`sqlite3_bind_parameter_name`, a linear search), which made
/// binding a 256-report insert (4,352 values) cost two thirds of the batch's time;
/// plain `?` parameters are bound by position.
pub(crate) fn values_list(tx: &Tx, columns: usize, rows: usize) -> String {
    values_list_after(tx, 0, columns, rows)
}

/// [`values_list`] for a statement with `before` parameters ahead of the list.
pub(crate) fn values_list_after(tx: &Tx, before: usize, columns: usize, rows: usize) -> String {
    let numbered = matches!(tx, Tx::Postgres(_));
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push('$');
                sql.push_str(&(before + row * columns + column + 1).to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// `items` in runs of 1024, 256, 64, 16, 4 or 1, the largest that fit first: a batch of
/// any size takes a few multi-row statements, and each statement has one of six shapes,
/// which both drivers keep prepared (a shape per length would crowd their caches).
pub(crate) fn chunks<T>(items: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let mut size = 1024;
        while size > rest.len() {
            size /= 4;
        }
        let (chunk, tail) = rest.split_at(size);
        out.push(chunk);
        rest = tail;
    }
    out
}

/// `items` in runs of the same shapes as [`chunks`], for `in (…)` lists, where a repeated
/// value changes nothing: each run of up to 1024 is padded with copies of its last item
/// to the next shape, so a batch takes one statement, not one per shape it spans.
pub(crate) fn in_lists<'a>(items: &[&'a str]) -> Vec<Vec<&'a str>> {
    items
        .chunks(1024)
        .map(|run| {
            let mut size = 1;
            while size < run.len() {
                size *= 4;
            }
            let mut list = run.to_vec();
            list.resize(size, run[run.len() - 1]);
            list
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_take_the_largest_shapes_first() {
        let items: Vec<u32> = (0..1300).collect();
        let sizes: Vec<usize> = chunks(&items).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [1024, 256, 16, 4]);
        assert_eq!(chunks(&items).concat(), items);
    }

    #[test]
    fn in_lists_pad_each_run_to_one_shape() {
        let items: Vec<String> = (0..1300).map(|i| i.to_string()).collect();
        let items: Vec<&str> = items.iter().map(String::as_str).collect();
        let lists = in_lists(&items);
        assert_eq!(lists.iter().map(Vec::len).collect::<Vec<_>>(), [1024, 1024]);
        assert_eq!(lists[0], items[..1024]);
        assert_eq!(lists[1][..276], items[1024..]);
        assert!(lists[1][276..].iter().all(|i| *i == "1299"));
        assert_eq!(in_lists(&items[..5]).concat().len(), 16);
        assert_eq!(in_lists(&items[..1]), [vec!["0"]]);
        assert!(in_lists(&[]).is_empty());
    }
}
