//! `GET /download/{slug}`: the activator zip for one version, with a fresh token.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::config::{self, ActivatorConfig, DownloadToken, KmsHost};
use time::Duration;

use crate::bundle::{Extra, Prepared, Zip};
use crate::catalog::DateView;
use crate::catalog::Offer;
use crate::db::catalog::VersionRow;
use crate::db::downloads::Download;
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

/// Whether a download may be served: the version's row, the client's network and the
/// prepared executable; or the page that answers instead (closed, off campus).
enum Admission {
    Serve {
        row: std::sync::Arc<VersionRow>,
        network: crate::network::Network,
        prepared: std::sync::Arc<Prepared>,
    },
    Instead(Response),
}

/// What `GET` and `HEAD` both check before a download: the version offers one now, the
/// client is on campus, and the executable is built.
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
    if row.covers.is_empty() {
        return Err(Error::NotFound);
    }
    let lang = context.lang;
    let site = state.site();
    let offer = Offer::of(
        row.term_start,
        row.term_end,
        state.today(),
        site.site.offer_ended_licences,
    );
    if !offer.is_offered() {
        let page = ClosedPage {
            layout: Layout::new(state, context, Nav::Catalogue),
            version: lang.pick(&row.name_zh, &row.name_en).to_owned(),
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
        let version = lang.pick(&row.name_zh, &row.name_en).to_owned();
        let page = OffCampusPage {
            layout: Layout::new(state, context, Nav::Catalogue),
            version,
        };
        return Ok(Admission::Instead(
            (StatusCode::FORBIDDEN, page).into_response(),
        ));
    }
    let prepared = state
        .bundles
        .ready()
        .await
        .ok_or(Error::Unavailable("the activator download"))?;
    Ok(Admission::Serve {
        row,
        network,
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
    let (row, network, prepared) = match admit(&state, &context, client, &slug).await? {
        Admission::Instead(page) => return Ok(page),
        Admission::Serve {
            row,
            network,
            prepared,
        } => (row, network, prepared),
    };
    state
        .limiters
        .downloads_per_network
        .admit(&network.label, std::time::Instant::now())?;

    let now = state.now();
    let expires_at = now + Duration::days(i64::from(state.config.download_token_days));
    let issued = state.tokens.issue(&slug, expires_at)?;
    let zip = zip_for(&state, &slug, &row, issued.token.expose(), &prepared).await?;

    state
        .ingest
        .record_download(Download {
            token_id: issued.id.clone(),
            version_slug: slug.clone(),
            network: network.label.clone(),
            created_at: now,
            expires_at,
            day: state.local_date(now),
        })
        .await?;
    tracing::info!(download.version = %slug, download.network = %network.label, bytes = zip.len(), "served an activator download");
    metrics::counter!("downloads_total").increment(1);
    attachment(zip, &format!("activator-{slug}.zip"))
}

/// `zip` as a download named `name` (ASCII), never cached: it holds a token.
pub fn attachment(zip: Zip, name: &str) -> Result<Response> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| Error::Internal(e.into()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            // The zip holds a token of its own: never cache it anywhere.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        zip.into_body(),
    )
        .into_response())
}

/// The zip of `slug` (its catalogue row `row`) carrying `token`: the executable as
/// `prepared`, `activator.toml`, `errors.toml`, `README.txt` and `SHA256SUMS`. Used by
/// downloads and by the deployments staff hand to their management tools.
pub async fn zip_for(
    state: &AppState,
    slug: &str,
    row: &VersionRow,
    token: &str,
    prepared: &Prepared,
) -> Result<Zip> {
    let settings = ActivatorConfig {
        schema: config::SCHEMA,
        product: slug.to_owned(),
        name_zh: row.name_zh.clone(),
        name_en: row.name_en.clone(),
        licence_ends: row.term_end,
        portal_url: state.config.public_url.clone(),
        download_token: DownloadToken::new(token),
        edition_upgrade: row.edition_upgrade,
        kms: KmsHost {
            host: state.config.kms.host.clone(),
            port: state.config.kms.port,
        },
        covers: row.covers.products().iter().map(|p| (*p).clone()).collect(),
    };
    let settings = settings.to_toml().replace('\n', "\r\n");
    let readme = readme(state, &row.name_zh, &row.name_en, &prepared.sha256);
    let error_texts = state.error_texts().await?;
    // A few kilobytes written in memory: no need for a blocking thread.
    let zip = prepared.zip(
        &[&error_texts],
        &[
            Extra {
                name: "activator.toml",
                contents: settings.as_bytes(),
            },
            Extra {
                name: "README.txt",
                contents: readme.as_bytes(),
            },
        ],
    )?;
    Ok(zip)
}

/// The bilingual `README.txt`: UTF-8 with a byte-order mark and CRLF line ends, so that
/// Notepad on Windows 7 shows the Chinese correctly.
fn readme(state: &AppState, name_zh: &str, name_en: &str, sha256: &str) -> String {
    let config = &state.config;
    let snapshot = state.site();
    let helpdesk = &snapshot.site;
    let phone = format!("{} ({})", helpdesk.phone, helpdesk.extensions.join(", "));
    let kms = format!("{}:{}", config.kms.host, config.kms.port);
    let portal = &config.public_url;
    let text = format!(
        "{name_zh} 認證程式\n\
         ==============================\n\n\
         1. 將整個壓縮檔解壓縮（不要直接在壓縮檔裡執行）。\n\
         2. 在 activator.exe 上按滑鼠右鍵，選「以系統管理員身分執行」。\n\
         3. 認證須在校內網路進行；在校外請先連上學校 VPN。程式會連到學校的 KMS 主機 {kms}。\n\
         4. 程式會先檢查電腦，再啟用，最後用白話說明結果。看到「全部啟用成功！」就完成了。\n\
         5. 啟用有效 180 天；電腦在校內或連上 VPN 時，每 7 天會自動延長。\n\n\
         失敗時，程式會列出錯誤碼與解決方法，也可以到 {portal}/errors 查詢。\n\
         需要協助：{team_zh}，電話 {phone}\n\n\
         activator.toml 是這次下載專用的設定（含回報用的憑證），請勿分享。\n\
         檔案完整性：SHA256SUMS 列出每個檔案的 SHA-256；activator.exe 應為\n  {sha256}\n\n\n\
         {name_en} activator\n\
         ==============================\n\n\
         1. Unzip the whole archive (do not run it from inside the zip).\n\
         2. Right-click activator.exe and choose \"Run as administrator\".\n\
         3. Activation works on the campus network; off campus, connect to the campus VPN first.\n\
            The program talks to the campus KMS host {kms}.\n\
         4. It checks the PC, activates, then explains the result in plain words.\n\
            \"Everything is activated!\" means you are done.\n\
         5. Activation lasts 180 days and renews itself every 7 days on campus or on the VPN.\n\n\
         If it fails, it prints the error code and what to do; see also {portal}/errors.\n\
         Help: {team_en}, phone {phone}\n\n\
         activator.toml holds this download's own settings and report token: do not share it.\n\
         Integrity: SHA256SUMS lists every file's SHA-256; activator.exe should be\n  {sha256}\n",
        team_zh = helpdesk.team_zh,
        team_en = helpdesk.team_en,
    );
    format!("\u{feff}{}", text.replace('\n', "\r\n"))
}
