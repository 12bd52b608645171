//! The public JSON API.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::catalog::{download_path, tutorial_path};
use crate::calendar::format_iso_date;
use crate::catalog::Status;
use crate::db;
use crate::error::Result;
use crate::state::AppState;

/// `GET /api/v1/catalog`: the whole catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogResponse {
    /// The date the licence figures were compiled, ISO 8601.
    pub as_of: Option<String>,
    /// The date statuses were worked out for, in the institution's time zone.
    pub today: String,
    /// The institution's time zone.
    pub time_zone: String,
    /// Every version, in catalogue order.
    pub versions: Vec<CatalogVersion>,
}

/// One version in the JSON catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CatalogVersion {
    /// Stable identifier.
    pub slug: String,
    /// Names in both languages.
    pub name: Names,
    /// `windows`, `office`, `project`, `visio`, `visual-studio` or `other`.
    pub family: &'static str,
    /// The product it belongs to.
    pub product: Named,
    /// The agreement it is licensed under.
    pub agreement: Named,
    /// Seat count; `null` when campus-wide or not stated.
    pub seats: Option<i64>,
    /// Whether everyone at the institution is covered.
    pub campus_wide: bool,
    /// The licence term, ISO 8601 dates; either end may be `null` if not stated.
    pub term: Term,
    /// `active`, `ending` (within 90 days) or `ended`.
    pub status: &'static str,
    /// Activated through the campus KMS host.
    pub kms_activated: bool,
    /// Absolute URL of its tutorial, if any.
    pub tutorial_url: Option<String>,
    /// Absolute URL of its activator download, if one is offered today.
    pub download_url: Option<String>,
    /// The products of the product table its activator activates (their ids); empty when
    /// it has no activator.
    pub activates: Vec<&'static str>,
    /// Absolute URL of its page.
    pub page_url: String,
}

/// A name in both languages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Names {
    /// Traditional Chinese.
    #[serde(rename = "zh-TW")]
    pub zh_tw: String,
    /// English.
    pub en: String,
}

/// A slug with names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Named {
    /// Stable identifier.
    pub slug: String,
    /// Names in both languages.
    pub name: Names,
}

/// A licence term.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Term {
    /// First day, ISO 8601.
    pub start: Option<String>,
    /// Last day (inclusive), ISO 8601.
    pub end: Option<String>,
}

/// `GET /api/v1/catalog`
#[utoipa::path(
    get,
    path = "/api/v1/catalog",
    tag = "public",
    responses((status = 200, description = "Every licensed version, in catalogue order", body = CatalogResponse))
)]
pub async fn get_catalog(State(state): State<AppState>) -> Result<Json<CatalogResponse>> {
    let today = state.today();
    let offer_ended = state.site().site.offer_ended_licences;
    let base = &state.config.public_url;
    let rows = db::catalog::list_versions(&state.db).await?;
    let versions = rows
        .into_iter()
        .map(|row| {
            let family = row.version.family;
            CatalogVersion {
                tutorial_url: tutorial_path(&row, family).map(|p| format!("{base}{p}")),
                download_url: download_path(&row.version, today, offer_ended)
                    .map(|p| format!("{base}{p}")),
                activates: row.version.covers.ids().collect(),
                page_url: format!("{base}/catalog/{}", row.version.slug),
                family: family.as_str(),
                status: Status::of(row.version.term_end, today).as_str(),
                term: Term {
                    start: row.version.term_start.map(format_iso_date),
                    end: row.version.term_end.map(format_iso_date),
                },
                seats: row.version.seats,
                campus_wide: row.version.campus_wide,
                kms_activated: row.version.kms_activated,
                product: Named {
                    slug: row.product_slug,
                    name: Names {
                        zh_tw: row.product_name_zh,
                        en: row.product_name_en,
                    },
                },
                agreement: Named {
                    slug: row.agreement_slug,
                    name: Names {
                        zh_tw: row.agreement_name_zh,
                        en: row.agreement_name_en,
                    },
                },
                name: Names {
                    zh_tw: row.version.name_zh,
                    en: row.version.name_en,
                },
                slug: row.version.slug,
            }
        })
        .collect();
    Ok(Json(CatalogResponse {
        as_of: db::catalog::as_of(&state.db).await?.map(format_iso_date),
        today: format_iso_date(today),
        time_zone: state.config.time_zone.clone(),
        versions,
    }))
}
