//! Databases for end-to-end tests: the portal's own SQLite file, or a fresh schema in the
//! PostgreSQL at `TEST_DATABASE_URL` (dropped afterwards), and a way to count rows in
//! either, so tests check what was stored, not only what was answered.

use std::sync::atomic::{AtomicU32, Ordering};

/// Which database a test's portal uses.
#[derive(Clone, Debug)]
pub enum Backend {
    /// SQLite under the portal's temporary directory (the harness's default).
    Sqlite,
    /// PostgreSQL at this admin URL, in a schema of the test's own.
    Postgres(String),
}

/// A PostgreSQL schema that exists for one test.
#[derive(Debug)]
pub struct Schema {
    admin_url: String,
    name: String,
}

impl Backend {
    /// Every backend this run tests: SQLite always, PostgreSQL when `TEST_DATABASE_URL`
    /// is set.
    pub fn all() -> Vec<Backend> {
        let mut all = vec![Backend::Sqlite];
        #[expect(
            clippy::disallowed_methods,
            reason = "the harness reads its one setting"
        )]
        if let Ok(url) = std::env::var("TEST_DATABASE_URL")
            && !url.is_empty()
        {
            all.push(Backend::Postgres(url));
        }
        all
    }

    /// A fresh schema for a portal, on PostgreSQL; `None` on SQLite.
    pub fn schema(&self) -> Option<Schema> {
        let Backend::Postgres(admin_url) = self else {
            return None;
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "e2e_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let (url, schema) = (admin_url.clone(), name.clone());
        block_on(async move {
            let (admin_url, name) = (url, schema);
            let pool = sqlx::PgPool::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL must be reachable");
            sqlx::query(&format!("drop schema if exists {name} cascade"))
                .execute(&pool)
                .await
                .expect("drop schema");
            sqlx::query(&format!("create schema {name}"))
                .execute(&pool)
                .await
                .expect("create schema");
            pool.close().await;
        });
        Some(Schema {
            admin_url: admin_url.clone(),
            name,
        })
    }
}

impl Schema {
    /// The URL a portal connects with: the schema first on the search path.
    pub fn url(&self) -> String {
        let separator = if self.admin_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.admin_url, self.name
        )
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        block_on(async move {
            if let Ok(pool) = sqlx::PgPool::connect(&url).await {
                let _ = sqlx::query(&format!("drop schema {name} cascade"))
                    .execute(&pool)
                    .await;
                pool.close().await;
            }
        });
    }
}

/// Answers `sql` (one `bigint`, e.g. `select count(*) …`) on the database at `url`.
pub fn scalar(url: &str, sql: &str) -> i64 {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    block_on(async move {
        if url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&url)
                .await
                .expect("open the portal's SQLite file");
            let value = sqlx::query_scalar(&sql)
                .fetch_one(&pool)
                .await
                .expect("query");
            pool.close().await;
            value
        } else {
            let pool = sqlx::PgPool::connect(&url)
                .await
                .expect("connect to PostgreSQL");
            let value = sqlx::query_scalar(&sql)
                .fetch_one(&pool)
                .await
                .expect("query");
            pool.close().await;
            value
        }
    })
}

/// Answers every row of `sql` (one text column).
pub fn strings(url: &str, sql: &str) -> Vec<String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    block_on(async move {
        if url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&url)
                .await
                .expect("open the portal's SQLite file");
            let rows = sqlx::query_scalar(&sql)
                .fetch_all(&pool)
                .await
                .expect("query");
            pool.close().await;
            rows
        } else {
            let pool = sqlx::PgPool::connect(&url)
                .await
                .expect("connect to PostgreSQL");
            let rows = sqlx::query_scalar(&sql)
                .fetch_all(&pool)
                .await
                .expect("query");
            pool.close().await;
            rows
        }
    })
}

/// Runs a future to completion on a runtime of its own (tests here are synchronous).
fn block_on<F: Future + Send + 'static>(future: F) -> F::Output
where
    F::Output: Send + 'static,
{
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(future)
    })
    .join()
    .expect("the database thread panicked")
}
