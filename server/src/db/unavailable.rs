//! When the database is unavailable for a while — down, restarting, out of disk, busy —
//! rather than refusing the request: such errors are answered 503 with `Retry-After`
//! (the activator keeps its report and sends it again), and a report batch that fails
//! with one is not retried item by item.
//!
//! And the one way SQLite's connections could stay broken after such a fault: when a
//! full disk or an I/O error makes SQLite end a transaction itself, sqlx still counts the
//! transaction open (its `ROLLBACK` then fails), and every later `begin` on that
//! connection fails with "attempted to call begin_with at non-zero transaction depth" —
//! the report writer wedged until a restart. So [`Db::begin`](super::Db::begin), meeting
//! that error, marks connections suspect for a minute; while they are, each connection
//! going back to the pool is checked ([`keep_connection`]) and closed if it is in that
//! state, and `begin` takes another.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Error};

/// For how long, in seconds, connections are checked after a broken one was met.
const SUSPECT_FOR: i64 = 60;

/// Until when (Unix seconds) released connections are checked.
static SUSPECT_UNTIL: AtomicI64 = AtomicI64::new(0);

/// Whether `error` says the database is unavailable for a while, not that the request or
/// the code is wrong.
pub fn is_unavailable(error: &Error) -> bool {
    match error {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed
        | Error::InvalidSavePointStatement => true,
        Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // The primary result code, in the extended code's low byte: BUSY, LOCKED,
                // NOMEM, IOERR, FULL, CANTOPEN.
                code.parse::<i32>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 7 | 10 | 13 | 14))
            } else {
                // SQLSTATE: connection exceptions, insufficient resources (disk full, out
                // of memory, too many connections), operator intervention (shutdown,
                // restart), serialization failures and deadlocks.
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || code == "40001"
                    || code == "40P01"
            }
        }
        _ => false,
    }
}

/// A connection was met whose transaction SQLite ended by itself: check the released
/// ones for a while.
pub fn suspect() {
    SUSPECT_UNTIL.store(now() + SUSPECT_FOR, Ordering::Relaxed);
}

/// Whether a released SQLite connection goes back to the pool: always, unless
/// connections are suspect and this one's transaction count is off (a plain `begin`,
/// refused at once by sqlx when it counts a transaction open, and rolled back).
pub async fn keep_connection(conn: &mut SqliteConnection) -> Result<bool, Error> {
    if SUSPECT_UNTIL.load(Ordering::Relaxed) < now() {
        return Ok(true);
    }
    match conn.begin_with("begin").await {
        Ok(tx) => tx.rollback().await.map(|()| true),
        Err(error) => {
            tracing::warn!(%error, "closed a database connection left inside an ended transaction");
            Ok(false)
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_away_is_told_from_a_request_it_refuses() {
        for away in [
            Error::PoolTimedOut,
            Error::PoolClosed,
            Error::InvalidSavePointStatement,
            Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            assert!(is_unavailable(&away), "{away}");
        }
        for wrong in [Error::RowNotFound, Error::Protocol("odd".to_owned())] {
            assert!(!is_unavailable(&wrong), "{wrong}");
        }
    }
}
