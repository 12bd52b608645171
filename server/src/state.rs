//! The state every handler shares.

use std::sync::Arc;

use crate::bundle::{self, Bundles};
use crate::config::Config;
use crate::db::Db;
use crate::db::catalog::VersionRow;
use crate::ingest::Ingest;
use crate::lang::Lang;
use crate::markdown::Placeholders;
use crate::page_cache::{PageCache, Stamp};
use crate::rate_limit::RateLimiter;
use crate::settings::{SiteCache, Snapshot};
use crate::token::{TokenIds, TokenKey};

/// Shared, cheaply cloned state of a running portal: one reference-counted pointer to
/// [`Shared`], whose fields it derefs to (`state.db`, `state.config` …).
///
/// One pointer, because axum clones the state for every request in every layer that
/// takes it and in the handler: as a struct of a dozen `Arc`s and channel senders, those
/// clones and drops were a quarter of the time spent serving a cached page.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// What an [`AppState`] points to.
#[derive(Debug)]
pub struct Shared {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The database pool.
    pub db: Db,
    /// The institution's time zone, which decides what "today" is.
    pub zone: jiff::tz::TimeZone,
    /// The institution settings pages show (configuration overridden by staff edits),
    /// with the Markdown placeholders derived from them.
    pub site: Arc<SiteCache>,
    /// Signs and checks download tokens.
    pub tokens: Arc<TokenKey>,
    /// Ids of revoked tokens, refreshed from the database.
    pub revoked: Arc<TokenIds>,
    /// Ids of deployment tokens (used by many PCs: their reports are limited per PC),
    /// refreshed from the database with the revoked ones.
    pub deployments: Arc<TokenIds>,
    /// The activator executable, prepared for downloads.
    pub bundles: Arc<Bundles>,
    /// The report writer (group commit).
    pub ingest: Ingest,
    /// Rate limits on reports and downloads.
    pub limiters: Arc<Limiters>,
    /// Rendered copies of the software list; see [`AppState::invalidate_pages`].
    pub pages: Arc<PageCache>,
}

/// The rate limiters, one per kind of key.
#[derive(Debug)]
pub struct Limiters {
    /// Reports per download token.
    pub reports_per_token: RateLimiter,
    /// Reports per network.
    pub reports_per_network: RateLimiter,
    /// Downloads per network.
    pub downloads_per_network: RateLimiter,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Builds the state for `config` on an already migrated `db`, starting the report
    /// writer (so it must run inside the Tokio runtime).
    pub fn new(config: Config, db: Db, tokens: TokenKey) -> anyhow::Result<AppState> {
        let zone = jiff::tz::TimeZone::get(&config.time_zone)?;
        let limits = &config.limits;
        let limiters = Limiters {
            reports_per_token: RateLimiter::per_minute(limits.reports_per_minute_per_token),
            reports_per_network: RateLimiter::per_minute(limits.reports_per_minute_per_network),
            downloads_per_network: RateLimiter::per_minute(limits.downloads_per_minute_per_network),
        };
        let site = Arc::new(SiteCache::new(&config));
        Ok(AppState(Arc::new(Shared {
            bundles: Arc::new(Bundles::new(config.activator_exe.clone(), zone.clone())),
            ingest: Ingest::start(db.clone()),
            config: Arc::new(config),
            db,
            zone,
            site,
            tokens: Arc::new(tokens),
            revoked: Arc::new(TokenIds::default()),
            deployments: Arc::new(TokenIds::default()),
            limiters: Arc::new(limiters),
            pages: Arc::new(PageCache::default()),
        })))
    }

    /// Today's date in the institution's time zone.
    pub fn today(&self) -> time::Date {
        let offset = self.zone.to_offset(jiff::Timestamp::now()).seconds();
        // Both crates bound offsets to under 26 hours, so the conversion cannot fail.
        let offset = time::UtcOffset::from_whole_seconds(offset).unwrap_or(time::UtcOffset::UTC);
        time::OffsetDateTime::now_utc().to_offset(offset).date()
    }

    /// The first instant of `date` in the institution's time zone, UTC, whole seconds;
    /// `None` out of range.
    pub fn day_start(&self, date: time::Date) -> Option<time::OffsetDateTime> {
        let civil = jiff::civil::Date::new(
            i16::try_from(date.year()).ok()?,
            i8::try_from(u8::from(date.month())).ok()?,
            i8::try_from(date.day()).ok()?,
        )
        .ok()?;
        let second = civil
            .to_zoned(self.zone.clone())
            .ok()?
            .timestamp()
            .as_second();
        time::OffsetDateTime::from_unix_timestamp(second).ok()
    }

    /// The date of `at` in the institution's time zone.
    pub fn local_date(&self, at: time::OffsetDateTime) -> time::Date {
        let instant = jiff::Timestamp::from_second(at.unix_timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let offset = self.zone.to_offset(instant).seconds();
        let offset = time::UtcOffset::from_whole_seconds(offset).unwrap_or(time::UtcOffset::UTC);
        at.to_offset(offset).date()
    }

    /// The hour of `at` (0 to 23) in the institution's time zone.
    pub fn local_hour(&self, at: time::OffsetDateTime) -> u8 {
        let instant = jiff::Timestamp::from_second(at.unix_timestamp())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let offset = self.zone.to_offset(instant).seconds();
        let offset = time::UtcOffset::from_whole_seconds(offset).unwrap_or(time::UtcOffset::UTC);
        at.to_offset(offset).hour()
    }

    /// `at` in the institution's time zone, as `YYYY-MM-DD HH:MM`.
    pub fn local_time(&self, at: time::OffsetDateTime) -> String {
        local_time(&self.zone, at)
    }

    /// The current time, UTC, to the whole second: the form every stored time takes, so
    /// that stored times compare correctly as text on SQLite.
    pub fn now(&self) -> time::OffsetDateTime {
        let now = time::OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// Placeholder values for Markdown shown in `lang`.
    pub fn placeholders(&self, lang: Lang) -> Arc<Placeholders> {
        self.site.current().placeholders(lang)
    }

    /// The institution settings in force now.
    pub fn site(&self) -> Arc<Snapshot> {
        self.site.current()
    }

    /// Drops the rendered copies of public pages. Call it after any change to the
    /// catalogue made other than through an `/admin` form (those call it themselves, see
    /// `middleware::invalidate_after_edits`).
    pub fn invalidate_pages(&self) {
        self.pages.invalidate();
    }

    /// What a page rendered now depends on (see `page_cache`). Take it before reading the
    /// database.
    pub fn page_stamp(&self) -> Stamp {
        self.pages.stamp(self.today(), self.site())
    }

    /// The catalogue's version `slug`, from the page cache while its copy holds.
    pub async fn version(&self, slug: &str) -> sqlx::Result<Option<Arc<VersionRow>>> {
        self.pages.version(&self.db, self.page_stamp(), slug).await
    }

    /// `errors.toml` as downloads carry it, from the page cache while its copy holds.
    pub async fn error_texts(&self) -> crate::error::Result<Arc<bundle::Shared>> {
        self.pages
            .error_texts(&self.db, &self.zone, self.page_stamp())
            .await
    }
}

/// `at` in `zone`, as `YYYY-MM-DD HH:MM`: how staff pages show a moment.
pub fn local_time(zone: &jiff::tz::TimeZone, at: time::OffsetDateTime) -> String {
    jiff::Timestamp::from_second(at.unix_timestamp())
        .map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
