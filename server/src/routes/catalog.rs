//! The public catalogue: the software list (the home page) and one page per version.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;

use crate::authenticode::{Signer, Verdict};
use crate::calendar::{DateView, TermView};
use crate::catalog::{Family, Offer, Seats, Status, Version};
use crate::db;
use crate::db::catalog::VersionRow;
use crate::error::{Error, Result};
use crate::extract::{Query, choice_param, is_slug, text_param};
use crate::lang::Lang;
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;

/// The longest search text accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The query string of the software list.
#[derive(Debug, Default, Deserialize)]
pub struct CatalogQuery {
    family: Option<String>,
    status: Option<String>,
    q: Option<String>,
}

/// The software list, grouped by agreement.
#[derive(Template, WebTemplate)]
#[template(path = "catalog.html")]
pub struct CatalogPage {
    layout: Layout,
    family_options: Vec<SelectOption>,
    status_options: Vec<SelectOption>,
    search: String,
    filtered: bool,
    groups: Vec<AgreementGroup>,
    count: String,
    as_of: Option<DateView>,
    today: DateView,
}

/// One version's page.
#[derive(Template, WebTemplate)]
#[template(path = "version.html")]
pub struct VersionPage {
    layout: Layout,
    version: VersionLine,
    agreement: String,
    product: String,
    download: Option<DownloadInfo>,
}

/// What the version page says about its download.
#[derive(Debug)]
pub struct DownloadInfo {
    /// SHA-256 of `activator.exe`, when it is built.
    sha256: Option<String>,
    /// Who signed it, as Windows will name the publisher.
    signer: Option<String>,
    /// What to say about its signature.
    verdict: Verdict,
    /// Its size, for people.
    size: String,
    /// The products it activates, by Microsoft's names.
    covers: Vec<&'static str>,
    /// The term has ended but the download is still offered: its last day.
    ended: Option<DateView>,
    /// The term has not started: the day downloads open.
    opens: Option<DateView>,
    /// The term has ended and the download is withdrawn: its last day.
    withdrawn: Option<DateView>,
}

/// One choice in a filter's `<select>`.
#[derive(Debug)]
pub struct SelectOption {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// An agreement and the versions of it that pass the filters.
#[derive(Debug)]
pub struct AgreementGroup {
    name: String,
    versions: Vec<VersionLine>,
}

/// A version as pages show it, every text already in the page language.
#[derive(Debug)]
pub struct VersionLine {
    /// Its slug.
    pub slug: String,
    /// Its name in the page language.
    pub name: String,
    /// Its name in the other language, when different.
    pub alt_name: Option<String>,
    /// The family's label.
    pub family: &'static str,
    /// Seats as shown.
    pub seats: String,
    /// The licence term, if the source states one.
    pub term: Option<TermView>,
    /// Status identifier, for styling.
    pub status: &'static str,
    /// Status label.
    pub status_label: &'static str,
    /// Activated through the campus KMS host.
    pub kms_activated: bool,
    /// The tutorial's URL, if it has one.
    pub tutorial_url: Option<String>,
    /// The activator download's URL, if it has one.
    pub download_url: Option<String>,
}

/// `GET /`: the software list, filtered by family, status and name. The unfiltered list
/// is served from `state.pages` when a copy still holds (see `page_cache`).
pub async fn get_catalog(
    State(state): State<AppState>,
    context: PageContext,
    Query(query): Query<CatalogQuery>,
) -> Result<Response> {
    let family = choice_param(
        "family",
        query.family.as_deref(),
        Family::parse,
        Family::ALL.map(Family::as_str),
    )?;
    let status = choice_param(
        "status",
        query.status.as_deref(),
        Status::parse,
        Status::ALL.map(Status::as_str),
    )?;
    let search = text_param("q", query.q.as_deref(), MAX_SEARCH_CHARS)?;
    let lang = context.lang;
    let plain = family.is_none()
        && status.is_none()
        && search.is_none()
        && only_lang(context.query.as_deref());
    let stamp = state.page_stamp();
    if plain && let Some(body) = state.pages.get(lang, &stamp) {
        return Ok(html(body));
    }
    let today = stamp.today;
    let offer_ended = stamp.site().site.offer_ended_licences;
    let rows = db::catalog::list_versions(&state.db).await?;
    let n_total = rows.len();
    let mut groups: Vec<AgreementGroup> = Vec::new();
    let mut n_shown = 0;
    for row in &rows {
        if !matches(row, family, status, search.as_deref(), today) {
            continue;
        }
        n_shown += 1;
        let name = lang.pick(&row.agreement_name_zh, &row.agreement_name_en);
        let line = VersionLine::new(row, lang, today, offer_ended);
        match groups.last_mut() {
            Some(group) if group.name == name => group.versions.push(line),
            _ => groups.push(AgreementGroup {
                name: name.to_owned(),
                versions: vec![line],
            }),
        }
    }
    let as_of = db::catalog::as_of(&state.db).await?;
    let page = CatalogPage {
        layout: Layout::new(&state, &context, Nav::Catalogue),
        family_options: Family::ALL
            .map(|f| SelectOption {
                value: f.as_str(),
                label: f.label(lang),
                selected: family == Some(f),
            })
            .into(),
        status_options: Status::ALL
            .map(|s| SelectOption {
                value: s.as_str(),
                label: s.label(lang),
                selected: status == Some(s),
            })
            .into(),
        filtered: family.is_some() || status.is_some() || search.is_some(),
        search: search.unwrap_or_default(),
        groups,
        count: match lang {
            Lang::ZhTw => format!("顯示 {n_shown} 項，共 {n_total} 項"),
            Lang::En => format!("{n_shown} of {n_total} shown"),
        },
        as_of: as_of.map(|d| DateView::new(d, lang)),
        today: DateView::new(today, lang),
    };
    if !plain {
        return Ok(page.into_response());
    }
    let body = Bytes::from(page.render().map_err(|e| Error::Internal(e.into()))?);
    state.pages.put(lang, stamp, body.clone());
    Ok(html(body))
}

/// `GET /catalog/{slug}`: one version with its term, seats and how to activate it.
pub async fn get_version(
    State(state): State<AppState>,
    context: PageContext,
    Path(slug): Path<String>,
) -> Result<VersionPage> {
    if !is_slug(&slug) {
        return Err(Error::NotFound);
    }
    let row = db::catalog::find_version(&state.db, &slug)
        .await?
        .ok_or(Error::NotFound)?;
    let lang = context.lang;
    let today = state.today();
    let offer_ended = state.site().site.offer_ended_licences;
    let download = if row.version.covers.is_empty() {
        None
    } else {
        let prepared = state.bundles.ready().await;
        let offer = Offer::of(
            row.version.term_start,
            row.version.term_end,
            today,
            offer_ended,
        );
        let day = |wanted: fn(Offer) -> Option<Date>| wanted(offer).map(|d| DateView::new(d, lang));
        Some(DownloadInfo {
            size: prepared
                .as_ref()
                .map(|p| format!("{:.1} MB", p.size as f64 / 1_000_000.0))
                .unwrap_or_default(),
            signer: prepared
                .as_ref()
                .and_then(|p| p.signature.signer().map(Signer::display)),
            verdict: prepared
                .as_ref()
                .map_or(Verdict::Signed, |p| p.signature.verdict()),
            sha256: prepared.map(|p| p.sha256.clone()),
            covers: row
                .version
                .covers
                .products()
                .iter()
                .map(|p| p.name.as_str())
                .collect(),
            ended: day(|o| match o {
                Offer::Ended(d) => Some(d),
                _ => None,
            }),
            opens: day(|o| match o {
                Offer::NotYet(d) => Some(d),
                _ => None,
            }),
            withdrawn: day(|o| match o {
                Offer::Withdrawn(d) => Some(d),
                _ => None,
            }),
        })
    };
    Ok(VersionPage {
        layout: Layout::new(&state, &context, Nav::Catalogue),
        version: VersionLine::new(&row, lang, today, offer_ended),
        agreement: lang
            .pick(&row.agreement_name_zh, &row.agreement_name_en)
            .to_owned(),
        product: lang
            .pick(&row.product_name_zh, &row.product_name_en)
            .to_owned(),
        download,
    })
}

impl VersionLine {
    /// Builds the view of `row` in `lang` as of `today`; `offer_ended` is the
    /// institution's choice to offer ended licences' downloads.
    pub fn new(row: &VersionRow, lang: Lang, today: Date, offer_ended: bool) -> VersionLine {
        let family = row.version.family;
        let status = Status::of(row.version.term_end, today);
        let name = row.version.name(lang).to_owned();
        let other = row.version.name(lang.other());
        VersionLine {
            slug: row.version.slug.clone(),
            alt_name: (other != name).then(|| other.to_owned()),
            name,
            family: family.label(lang),
            seats: Seats::from_columns(row.version.seats, row.version.campus_wide).label(lang),
            term: TermView::new(row.version.term_start, row.version.term_end, lang),
            status: status.as_str(),
            status_label: status.label(lang),
            kms_activated: row.version.kms_activated,
            tutorial_url: tutorial_path(row, family),
            download_url: download_path(&row.version, today, offer_ended),
        }
    }

    /// This version's page.
    pub fn detail_url(&self) -> String {
        format!("/catalog/{}", self.slug)
    }
}

/// The tutorial path for a version, if it has one.
pub fn tutorial_path(row: &VersionRow, family: Family) -> Option<String> {
    row.version
        .has_tutorial
        .then(|| family.tutorial_slug())
        .flatten()
        .map(|slug| format!("/tutorials/{slug}"))
}

/// The activator download path of `version`, while it offers one on `today`: it covers
/// a product and its term allows it (`offer_ended`: the institution offers ended
/// licences).
pub fn download_path(version: &Version, today: Date, offer_ended: bool) -> Option<String> {
    let offer = Offer::of(version.term_start, version.term_end, today, offer_ended);
    (!version.covers.is_empty() && offer.is_offered())
        .then(|| format!("/download/{}", version.slug))
}

/// Whether `row` passes the filters: case-insensitive substring search over the names in
/// both languages, the product, the agreement and the slug.
fn matches(
    row: &VersionRow,
    family: Option<Family>,
    status: Option<Status>,
    search: Option<&str>,
    today: Date,
) -> bool {
    if family.is_some_and(|f| f != row.version.family) {
        return false;
    }
    if status.is_some_and(|s| s != Status::of(row.version.term_end, today)) {
        return false;
    }
    let Some(search) = search else {
        return true;
    };
    let needle = search.to_lowercase();
    let words: Vec<&str> = needle.split_whitespace().collect();
    let haystack = [
        &row.version.name_zh,
        &row.version.name_en,
        &row.product_name_zh,
        &row.product_name_en,
        &row.agreement_name_zh,
        &row.agreement_name_en,
        &row.version.slug,
    ]
    .map(|s| s.to_lowercase())
    .join(" ");
    words.iter().all(|word| haystack.contains(word))
}

/// Whether the query string holds nothing but the language (which the page is keyed by).
fn only_lang(query: Option<&str>) -> bool {
    query
        .unwrap_or("")
        .split('&')
        .all(|pair| pair.is_empty() || pair == "lang" || pair.starts_with("lang="))
}

/// A rendered page, as askama_web answers one.
fn html(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}
