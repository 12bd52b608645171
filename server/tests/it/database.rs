//! The database layer: migrations in step on both backends, default content loaded once.

use std::collections::BTreeSet;
use std::path::Path;

use server::db;

use crate::util::{Backend, TestDb, on_both_databases};

on_both_databases!(default_content_is_loaded_once, concurrent_starts_seed_once);

#[test]
fn migration_folders_do_not_drift() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let names = |dialect: &str| -> BTreeSet<String> {
        std::fs::read_dir(root.join(dialect))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let sqlite = names("sqlite");
    let postgres = names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold the same files"
    );
    for name in &sqlite {
        let (number, rest) = name.split_once('_').unwrap();
        assert!(
            number.len() == 4 && number.bytes().all(|b| b.is_ascii_digit()),
            "{name}"
        );
        assert!(rest.ends_with(".sql"), "{name}");
    }
}

async fn default_content_is_loaded_once(backend: Backend) {
    let test_db = TestDb::new(&backend).await;
    let state = server::prepare(test_db.config()).await.unwrap();
    assert_eq!(
        db::catalog::list_versions(&state.db).await.unwrap().len(),
        22
    );
    // A staff edit survives a restart: the defaults are not loaded again.
    match &state.db {
        db::Db::Sqlite(pool, _) => {
            sqlx::query("delete from versions where slug = 'frontpage-2003'")
                .execute(pool)
                .await
                .map(|_| ())
        }
        db::Db::Postgres(pool) => sqlx::query("delete from versions where slug = 'frontpage-2003'")
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
    state.db.close().await;
    let restarted = server::prepare(test_db.config()).await.unwrap();
    assert_eq!(
        db::catalog::list_versions(&restarted.db)
            .await
            .unwrap()
            .len(),
        21
    );
    restarted.db.close().await;
}

async fn concurrent_starts_seed_once(backend: Backend) {
    let test_db = TestDb::new(&backend).await;
    // The first start creates the schema; then several instances start at once.
    server::prepare(test_db.config())
        .await
        .unwrap()
        .db
        .close()
        .await;
    let starts = (0..4).map(|_| server::prepare(test_db.config()));
    let states: Vec<_> = futures_join_all(starts).await;
    for state in &states {
        let state = state.as_ref().unwrap();
        assert_eq!(
            db::catalog::list_versions(&state.db).await.unwrap().len(),
            22
        );
    }
    for state in states {
        state.unwrap().db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_start_no_parallel_workers() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let test_db = TestDb::new(&backend).await;
    let db = db::Db::connect(&test_db.url).await.unwrap();
    let db::Db::Postgres(pool) = &db else {
        panic!("a PostgreSQL URL opened {}", db.backend());
    };
    let workers: String = sqlx::query_scalar("show max_parallel_workers_per_gather")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(workers, "0");
    db.close().await;
}

/// Runs futures concurrently on the current task (no extra dependency).
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

/// `test_db` opened as the portal opens it (so with its background checkpointer), with
/// an empty table `filler (b blob)`; answers it, its pool and its file's path.
async fn sqlite_with_filler(test_db: &TestDb) -> (db::Db, sqlx::SqlitePool, String) {
    let db = db::Db::connect(&test_db.config().database_url)
        .await
        .unwrap();
    let db::Db::Sqlite(pool, _) = &db else {
        unreachable!("a SQLite URL")
    };
    let pool = pool.clone();
    let file: String =
        sqlx::query_scalar("select file from pragma_database_list where name = 'main'")
            .fetch_one(&pool)
            .await
            .unwrap();
    sqlx::query("create table filler (b blob not null)")
        .execute(&pool)
        .await
        .unwrap();
    (db, pool, file)
}

/// SQLite's WAL is checkpointed beside the writer, not inside its commits
/// (`wal_autocheckpoint` is off), and still stays small: after a burst of writes larger
/// than the restart threshold, the background checkpoint copies it all back, and the next
/// burst writes the WAL from its beginning instead of making it longer.
#[tokio::test]
async fn the_sqlite_wal_is_checkpointed_in_the_background() {
    let test_db = TestDb::new(&Backend::Sqlite).await;
    let (db, pool, file) = sqlite_with_filler(&test_db).await;
    let pool = &pool;
    let autocheckpoint: i64 = sqlx::query_scalar("pragma wal_autocheckpoint")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(autocheckpoint, 0, "commits never checkpoint");
    let wal_bytes = || std::fs::metadata(format!("{file}-wal")).unwrap().len();
    // About 6,000 pages of 4 KiB in one transaction: past the restart threshold.
    let burst = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 6000)
                 insert into filler select randomblob(3900) from n";
    sqlx::query(burst).execute(pool).await.unwrap();
    let after_one = wal_bytes();
    assert!(after_one > 20_000_000, "{after_one} bytes");
    // Several checkpoint ticks.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    sqlx::query(burst).execute(pool).await.unwrap();
    let after_two = wal_bytes();
    assert!(
        after_two < after_one + after_one / 4,
        "the WAL grew from {after_one} to {after_two} bytes: it was not restarted"
    );
    db.close().await;
}

/// Under a writer that begins its next transaction the moment it commits (the report
/// writer under load), the WAL still starts again from its beginning: the checkpointer
/// closes the write gate `Db::begin` passes, copies the last pages, and the next
/// transaction finds the WAL copied. Without the gate no transaction ever finds it so,
/// and the WAL grows until the checkpointer's last resort.
#[tokio::test]
async fn the_sqlite_wal_starts_again_under_a_steady_writer() {
    let test_db = TestDb::new(&Backend::Sqlite).await;
    let (db, _, file) = sqlite_with_filler(&test_db).await;
    // The WAL header's checkpoint sequence number (bytes 12..16, big-endian) goes up by
    // one each time the WAL starts again.
    let restarts = || {
        let header = std::fs::read(format!("{file}-wal")).unwrap();
        u32::from_be_bytes(header[12..16].try_into().unwrap())
    };
    let before = restarts();
    let started = std::time::Instant::now();
    // About 64 pages a transaction, back to back, until the WAL has started again twice
    // (or for 10 s: without the gate it never does).
    while restarts() < before + 2 && started.elapsed() < std::time::Duration::from_secs(10) {
        let mut tx = db.begin().await.unwrap();
        if let db::Tx::Sqlite(conn, _) = &mut tx {
            sqlx::query(
                "with recursive n(i) as (select 1 union all select i + 1 from n where i < 64)
                 insert into filler select randomblob(3900) from n",
            )
            .execute(&mut **conn)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    assert!(restarts() >= before + 2, "the WAL never started again");
    // Not by the checkpointer's last resort, which waits for 65,536 pages (`db::wal`).
    let wal_bytes = std::fs::metadata(format!("{file}-wal")).unwrap().len();
    assert!(
        wal_bytes < 65_536 * 4_096,
        "the WAL reached {wal_bytes} bytes before it started again"
    );
    db.close().await;
}
