//! Rendered copies of the software list (`/`), the page most people open, and of what
//! every download looks up: the catalogue's versions by slug and the error texts
//! (`errors.toml`) each zip carries.
//!
//! Rendering the list costs two queries and a template; serving a copy costs a lock and
//! a reference count. A copy is kept per language for the unfiltered list only (any
//! `family`, `status`, `q` or other parameter renders afresh). The versions are read
//! all at once, one query for every download until they no longer hold (on PostgreSQL
//! a query per download was a quarter of the machine's time spent on a download). Each
//! copy is used only while everything it was made from still holds:
//!
//! - the institution's date (the status of each licence depends on today);
//! - the settings snapshot (names and help desk in the page chrome);
//! - the catalogue: [`PageCache::invalidate`] (through `AppState::invalidate_pages`)
//!   drops every copy, and every staff request that may change something (any non-GET
//!   under `/admin`) calls it — see `middleware::invalidate_after_edits`;
//! - at most [`settings::RELOAD_EVERY`]: another portal on the same database may have
//!   edited the catalogue, and portals agree on settings within that time too.
//!
//! A copy rendered from a read that began before an invalidation is not kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use axum::body::Bytes;
use jiff::tz::TimeZone;
use protocol::errors::{ErrorEntry, ErrorText, ErrorTexts};
use time::Date;

use crate::bundle::Shared;
use crate::db::{self, Db, catalog::VersionRow};
use crate::lang::Lang;
use crate::settings::{self, Snapshot};

/// The rendered software lists, one per language.
#[derive(Debug, Default)]
pub struct PageCache {
    /// Bumped by every invalidation.
    generation: AtomicU64,
    /// `[zh-TW, en]`.
    pages: RwLock<[Option<Kept<Bytes>>; 2]>,
    versions: RwLock<Option<Kept<Versions>>>,
    /// `errors.toml` for downloads, deflated once.
    error_texts: RwLock<Option<Kept<Arc<Shared>>>>,
}

/// The catalogue's versions by slug.
type Versions = Arc<HashMap<String, Arc<VersionRow>>>;

/// What a rendered copy depends on; compare two with [`Stamp::holds`].
#[derive(Clone, Debug)]
pub struct Stamp {
    generation: u64,
    /// The institution's date when the stamp was taken: render the page as of it.
    pub today: Date,
    site: Arc<Snapshot>,
    made: Instant,
}

/// A copy with what it was made from.
#[derive(Debug)]
struct Kept<T> {
    stamp: Stamp,
    value: T,
}

impl PageCache {
    /// How many times the copies were dropped (for tests).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Drops every rendered copy: call it after any change to the catalogue.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.pages.write().unwrap_or_else(PoisonError::into_inner) = [None, None];
        *self
            .versions
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
        *self
            .error_texts
            .write()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// What a page rendered now would depend on. Take it before reading the database.
    /// `today` is the institution's date, `site` the settings snapshot in force.
    pub fn stamp(&self, today: Date, site: Arc<Snapshot>) -> Stamp {
        Stamp {
            generation: self.generation.load(Ordering::SeqCst),
            today,
            site,
            made: Instant::now(),
        }
    }

    /// The copy in `lang`, if what it was made from still holds at `now`.
    pub fn get(&self, lang: Lang, now: &Stamp) -> Option<Bytes> {
        let pages = self.pages.read().unwrap_or_else(PoisonError::into_inner);
        Kept::at(&pages[slot(lang)], now)
    }

    /// Keeps `body`, rendered from reads made after `stamp` was taken, unless the
    /// catalogue was invalidated since.
    pub fn put(&self, lang: Lang, stamp: Stamp, body: Bytes) {
        let mut pages = self.pages.write().unwrap_or_else(PoisonError::into_inner);
        self.keep(&mut pages[slot(lang)], stamp, body);
    }

    /// The catalogue's version `slug`, from the copy while it holds, otherwise read
    /// afresh from `db` with every other version.
    pub async fn version(
        &self,
        db: &Db,
        stamp: Stamp,
        slug: &str,
    ) -> sqlx::Result<Option<Arc<VersionRow>>> {
        let by_slug = Kept::at(
            &self.versions.read().unwrap_or_else(PoisonError::into_inner),
            &stamp,
        );
        let by_slug = match by_slug {
            Some(by_slug) => by_slug,
            None => {
                let rows = db::catalog::list_versions(db).await?;
                let by_slug: Versions = Arc::new(
                    rows.into_iter()
                        .map(|row| (row.version.slug.clone(), Arc::new(row)))
                        .collect(),
                );
                let mut versions = self
                    .versions
                    .write()
                    .unwrap_or_else(PoisonError::into_inner);
                self.keep(&mut versions, stamp, Arc::clone(&by_slug));
                by_slug
            }
        };
        Ok(by_slug.get(slug).cloned())
    }

    /// `errors.toml` as downloads carry it: every error code's title and remedy in both
    /// languages, placeholders filled, deflated once (stamped with the time in `zone`),
    /// from the copy while it holds.
    pub async fn error_texts(
        &self,
        db: &Db,
        zone: &TimeZone,
        stamp: Stamp,
    ) -> crate::error::Result<Arc<Shared>> {
        let kept = Kept::at(
            &self
                .error_texts
                .read()
                .unwrap_or_else(PoisonError::into_inner),
            &stamp,
        );
        if let Some(kept) = kept {
            return Ok(kept);
        }
        let zh = db::content::list_error_codes(db, Lang::ZhTw).await?;
        let en = db::content::list_error_codes(db, Lang::En).await?;
        let [fill_zh, fill_en] = Lang::ALL.map(|lang| stamp.site.placeholders(lang));
        let error = zh
            .into_iter()
            .filter_map(|zh| {
                let en = en.iter().find(|e| e.code == zh.code)?;
                Some(ErrorEntry {
                    zh_tw: ErrorText {
                        title: fill_zh.fill(&zh.title),
                        remedy: fill_zh.fill(&zh.remedy_md),
                    },
                    en: ErrorText {
                        title: fill_en.fill(&en.title),
                        remedy: fill_en.fill(&en.remedy_md),
                    },
                    code: zh.code,
                })
            })
            .collect();
        let file = ErrorTexts { error }.to_toml().replace('\n', "\r\n");
        let shared = Arc::new(Shared::new("errors.toml", file.as_bytes(), zone)?);
        let mut slot = self
            .error_texts
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        self.keep(&mut slot, stamp, Arc::clone(&shared));
        Ok(shared)
    }

    /// Puts `value`, made from reads after `stamp` was taken, in `slot`, unless the
    /// catalogue was invalidated since.
    fn keep<T>(&self, slot: &mut Option<Kept<T>>, stamp: Stamp, value: T) {
        if stamp.generation == self.generation.load(Ordering::SeqCst) {
            *slot = Some(Kept { stamp, value });
        }
    }
}

impl<T: Clone> Kept<T> {
    /// The value kept in `slot`, if what it was made from still holds at `now`.
    fn at(slot: &Option<Kept<T>>, now: &Stamp) -> Option<T> {
        slot.as_ref()
            .filter(|kept| kept.stamp.holds(now))
            .map(|kept| kept.value.clone())
    }
}

impl Stamp {
    /// The settings a page rendered under this stamp shows.
    pub fn site(&self) -> &Snapshot {
        &self.site
    }

    /// Whether a copy stamped `self` may be served at `now`.
    fn holds(&self, now: &Stamp) -> bool {
        self.generation == now.generation
            && self.today == now.today
            && Arc::ptr_eq(&self.site, &now.site)
            && now.made.duration_since(self.made) < settings::RELOAD_EVERY
    }
}

fn slot(lang: Lang) -> usize {
    match lang {
        Lang::ZhTw => 0,
        Lang::En => 1,
    }
}
