//! The database side of `scripts/bench`: what the HTTP figures are compared with.
//!
//! - `reference`: `db::reports::store_batch` called directly, one batch after another, as
//!   the group-commit writer calls it: the rate the database itself allows, with no HTTP.
//! - `rollups`: fills a database with generated reports (in the database, fast), fills the
//!   roll-up tables from them, checks that every dashboard query gives the same answer
//!   from the roll-ups as from the raw rows, then times both.
//! - `check`: the same answers-agree check on a database the portal filled (after the
//!   ingestion benchmark), so roll-ups written under load are shown to be exact.
//! - `session`: a staff session (read-only role) on a database, for timing the dashboard
//!   page over HTTP.
//! - `versions`, `create-postgres`, `drop-postgres`: what the script needs around them.
//!
//! It prints one `RESULT key=value …` line per figure for `scripts/bench` to tabulate.
//! Run it through `scripts/bench`; by hand: `cargo bench -p server --bench database -- --help`.
//! Everything it connects to is the URL it is given, which the script keeps on loopback.

#![expect(clippy::print_stdout, reason = "a benchmark prints its figures")]

mod generate;
mod queries;
mod reference;

use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use server::config::DatabaseUrl;
use server::content::DefaultContent;
use server::db::Db;
use sqlx::Connection;

/// Database benchmarks for `scripts/bench`.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Cargo passes `--bench` to every benchmark binary; it means nothing here.
    #[arg(long, hide = true)]
    bench: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the SQLite library's version and, given a URL, PostgreSQL's.
    Versions {
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Creates (after dropping) database NAME on the server of ADMIN_URL; prints its URL.
    CreatePostgres { admin_url: String, name: String },
    /// Drops database NAME on the server of ADMIN_URL, if it exists.
    DropPostgres { admin_url: String, name: String },
    /// Times `store_batch` with batches of each size, one after another.
    Reference {
        #[arg(long)]
        database: String,
        /// The report every generated report is copied from.
        #[arg(long)]
        template: std::path::PathBuf,
        /// Batch sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,16,256")]
        batches: Vec<usize>,
        /// Seconds per batch size.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
    /// Generates REPORTS reports with their roll-ups, checks and times the dashboard queries.
    Rollups {
        #[arg(long)]
        database: String,
        #[arg(long)]
        reports: u64,
    },
    /// Checks that the roll-ups of a database agree with its raw reports.
    Check {
        #[arg(long)]
        database: String,
    },
    /// Starts a one-hour session for a read-only account `bench` (created with a random
    /// password it never prints); prints the session cookie's secret.
    Session {
        #[arg(long)]
        database: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Versions { postgres } => versions(postgres.as_deref()).await,
            Command::CreatePostgres { admin_url, name } => {
                let url = create_postgres(&admin_url, &name).await?;
                println!("{url}");
                Ok(())
            }
            Command::DropPostgres { admin_url, name } => drop_postgres(&admin_url, &name).await,
            Command::Reference {
                database,
                template,
                batches,
                seconds,
            } => {
                let db = open(&database).await?;
                reference::run(&db, &template, &batches, Duration::from_secs_f64(seconds)).await
            }
            Command::Rollups { database, reports } => {
                let db = open(&database).await?;
                generate::fill(&db, reports).await?;
                queries::check_and_time(&db, reports).await
            }
            Command::Check { database } => {
                let db = Db::connect(&DatabaseUrl::new(database)).await?;
                queries::check(&db).await
            }
            Command::Session { database } => {
                let db = Db::connect(&DatabaseUrl::new(database)).await?;
                println!("{}", session(&db).await?);
                Ok(())
            }
        }
    })
}

/// Opens `url` as the portal does, migrated and seeded.
async fn open(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(&DatabaseUrl::new(url)).await?;
    db.migrate().await?;
    server::db::seed::seed_defaults(&db, &DefaultContent::load()?).await?;
    Ok(db)
}

async fn session(db: &Db) -> anyhow::Result<String> {
    use server::auth;
    use server::db::accounts;
    let err = |e: server::error::Error| anyhow::anyhow!("{e}");
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0)?;
    let hash = auth::hash_password_now(&auth::random_hex(32).map_err(err)?).map_err(err)?;
    accounts::create_user(db, "bench", accounts::Role::Viewer, &hash, false, now).await?;
    let user = accounts::find_user(db, "bench")
        .await?
        .context("the account bench is missing")?;
    let secret = auth::random_hex(32).map_err(err)?;
    let csrf = auth::random_hex(32).map_err(err)?;
    let expires = now + time::Duration::hours(1);
    accounts::create_session(
        db,
        &auth::hash_session(&secret),
        user.id,
        &csrf,
        now,
        expires,
    )
    .await?;
    Ok(secret)
}

async fn versions(postgres: Option<&str>) -> anyhow::Result<()> {
    let mut sqlite = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
    let version: String = sqlx::query_scalar("select sqlite_version()")
        .fetch_one(&mut sqlite)
        .await?;
    println!("RESULT sqlite={version}");
    if let Some(url) = postgres {
        let mut pg = sqlx::PgConnection::connect(url).await?;
        let version: String = sqlx::query_scalar("show server_version")
            .fetch_one(&mut pg)
            .await?;
        let settings: Vec<(String, String)> = sqlx::query_as(
            "select name, current_setting(name) from pg_settings
             where name in ('shared_buffers', 'synchronous_commit', 'fsync', 'work_mem')
             order by name",
        )
        .fetch_all(&mut pg)
        .await?;
        let settings: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!(
            "RESULT postgres={} settings={}",
            version.split_whitespace().next().unwrap_or(&version),
            settings.join(",")
        );
    }
    Ok(())
}

async fn create_postgres(admin_url: &str, name: &str) -> anyhow::Result<String> {
    check_name(name)?;
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .context("cannot connect to PostgreSQL")?;
    sqlx::query(&format!("drop database if exists {name}"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await?;
    let (url, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let (base, _) = url
        .rsplit_once('/')
        .filter(|(base, _)| base.contains("://"))
        .context("the admin URL names no database")?;
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Ok(format!("{base}/{name}{query}"))
}

async fn drop_postgres(admin_url: &str, name: &str) -> anyhow::Result<()> {
    check_name(name)?;
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut admin)
        .await?;
    Ok(())
}

/// Database names go into SQL unquoted: keep them to what needs no quoting.
fn check_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        bail!("database names are lower-case letters, digits and _ only: {name:?}");
    }
    Ok(())
}
