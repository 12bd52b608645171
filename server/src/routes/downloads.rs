//! `GET /download/{slug}`: the activator zip for one version, with a fresh token.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::bundle::Prepared;
use crate::calendar::DateView;
use crate::catalog::Offer;
use crate::db::catalog::VersionRow;
use crate::download;
use crate::error::{Error, Result};
use crate::extract::ClientAddr;
use crate::extract::is_slug;
use crate::layout::{Layout, Nav, PageContext};
use crate::network::network_of;
use crate::state::AppState;

/// The page shown instead of a download off campus (status 403).
#[derive(Template, WebTemplate)]
#[template(path = "download_off_campus.html")]
pub struct OffCampusPage {
    layout: Layout,
    version: String,
}

/// The page shown instead of a download the licence term does not allow (status 404):
/// before the term starts, or after it ended when ended licences are not offered.
#[derive(Template, WebTemplate)]
#[template(path = "download_closed.html")]
pub struct ClosedPage {
    layout: Layout,
    version: String,
    /// Set before the term starts: the day downloads open.
    opens: Option<DateView>,
    /// Set after the term ended: its last day.
    ended: Option<DateView>,
}

/// Whether a download may be served: the version's row, the client's network, the
/// signed-in downloader's pseudonym (when downloads need a sign-in) and the prepared
/// executable; or the page that answers instead (closed, off campus, sign in first).
enum Admission {
    Serve {
        row: std::sync::Arc<VersionRow>,
        network: crate::network::Network,
        person: Option<String>,
        prepared: std::sync::Arc<Prepared>,
    },
    Instead(Response),
}

/// What `GET` and `HEAD` both check before a download: the version offers one now, the
/// client is on campus, it signed in when downloads need that, and the executable is
/// built.
async fn admit(
    state: &AppState,
    context: &PageContext,
    client: std::net::IpAddr,
    slug: &str,
) -> Result<Admission> {
    if !is_slug(slug) {
        return Err(Error::NotFound);
    }
    let row = state.version(slug).await?.ok_or(Error::NotFound)?;
    if row.version.covers.is_empty() {
        return Err(Error::NotFound);
    }
    let lang = context.lang;
    let site = state.site();
    let offer = Offer::of(
        row.version.term_start,
        row.version.term_end,
        state.today(),
        site.site.offer_ended_licences,
    );
    if !offer.is_offered() {
        let page = ClosedPage {
            layout: Layout::new(state, context, Nav::Catalogue),
            version: row.version.name(lang).to_owned(),
            opens: match offer {
                Offer::NotYet(day) => Some(DateView::new(day, lang)),
                _ => None,
            },
            ended: match offer {
                Offer::Withdrawn(day) => Some(DateView::new(day, lang)),
                _ => None,
            },
        };
        return Ok(Admission::Instead(
            (StatusCode::NOT_FOUND, page).into_response(),
        ));
    }
    let network = network_of(client, &state.config);
    if !network.on_campus {
        let version = row.version.name(lang).to_owned();
        let page = OffCampusPage {
            layout: Layout::new(state, context, Nav::Catalogue),
            version,
        };
        return Ok(Admission::Instead(
            (StatusCode::FORBIDDEN, page).into_response(),
        ));
    }
    // When downloads need a campus sign-in: who, as a pseudonym; or off to sign in.
    let person = if state.config.oidc.downloads {
        match crate::auth::downloader::person(state, context) {
            Some(person) => Some(person),
            None => {
                let sign_in = format!("/download/{slug}/sign-in");
                return Ok(Admission::Instead(Redirect::to(&sign_in).into_response()));
            }
        }
    } else {
        None
    };
    let prepared = state
        .bundles
        .ready()
        .await
        .ok_or(Error::Unavailable("the activator download"))?;
    Ok(Admission::Serve {
        row,
        network,
        person,
        prepared,
    })
}

/// `HEAD /download/{slug}`: what `GET` would answer, without a body — and without
/// issuing a token or recording a download, which only a `GET` does.
pub async fn head_download(
    State(state): State<AppState>,
    context: PageContext,
    ClientAddr(client): ClientAddr,
    Path(slug): Path<String>,
) -> Result<Response> {
    match admit(&state, &context, client, &slug).await? {
        Admission::Instead(page) => Ok(page),
        Admission::Serve { .. } => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/zip"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            (),
        )
            .into_response()),
    }
}

/// `GET /download/{slug}`
pub async fn get_download(
    State(state): State<AppState>,
    context: PageContext,
    ClientAddr(client): ClientAddr,
    Path(slug): Path<String>,
) -> Result<Response> {
    let (row, network, person, prepared) = match admit(&state, &context, client, &slug).await? {
        Admission::Instead(page) => return Ok(page),
        Admission::Serve {
            row,
            network,
            person,
            prepared,
        } => (row, network, person, prepared),
    };
    state
        .limiters
        .downloads_per_network
        .admit(&network.label, std::time::Instant::now())?;
    if let Some(person) = &person {
        per_person(&state, person).await?;
    }
    let zip = download::issue(&state, &row, &network, person.as_deref(), &prepared).await?;
    download::attachment(zip, &format!("activator-{slug}.zip"))
}

/// Refuses a download beyond `oidc.downloads_per_person_per_day` in the last 24 hours,
/// saying when the oldest of them leaves the window.
async fn per_person(state: &AppState, person: &str) -> Result<()> {
    let now = state.now();
    let since = now - time::Duration::days(1);
    let (n, oldest) = crate::db::downloads::by_person_since(&state.db, person, since).await?;
    if n < i64::from(state.config.oidc.downloads_per_person_per_day) {
        return Ok(());
    }
    let free_at = oldest.unwrap_or(now) + time::Duration::days(1);
    Err(Error::TooManyRequests {
        retry_after_secs: u64::try_from((free_at - now).whole_seconds())
            .unwrap_or(0)
            .max(1),
    })
}
