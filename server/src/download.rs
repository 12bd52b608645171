//! The download service: what a download from `/download/{slug}` and a deployment's zip
//! share. [`issue`] gives a version's zip a fresh token and records the download;
//! [`zip_for`] builds the zip around a token (the executable, `activator.toml`,
//! `errors.toml`, `README.txt`, `SHA256SUMS`); [`attachment`] sends it so that nothing
//! caches it. The README is a template per language (`templates/download/`).

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use protocol::config::{self, ActivatorConfig, DownloadToken, KmsHost};
use time::Duration;

use crate::bundle::{Extra, Prepared, Zip};
use crate::db::catalog::VersionRow;
use crate::db::downloads::Download;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::state::AppState;

/// Issues a download of the version `row` to a client on `network` (signed in as the
/// pseudonym `person`, when downloads need a sign-in): a token valid for
/// `download_token_days`, the zip carrying it, and the download recorded (through the
/// report writer, so that a token is known before its first report can arrive).
pub async fn issue(
    state: &AppState,
    row: &VersionRow,
    network: &Network,
    person: Option<&str>,
    prepared: &Prepared,
) -> Result<Zip> {
    let slug = row.version.slug.as_str();
    let now = state.now();
    let expires_at = now + Duration::days(i64::from(state.config.download_token_days));
    let issued = state.tokens.issue(slug, expires_at)?;
    let zip = zip_for(state, slug, row, issued.token.expose(), prepared).await?;
    state
        .ingest
        .record_download(Download {
            token_id: issued.id.clone(),
            version_slug: slug.to_owned(),
            network: network.label.clone(),
            created_at: now,
            expires_at,
            day: state.local_date(now),
            person: person.map(str::to_owned),
        })
        .await?;
    tracing::info!(download.version = %slug, download.network = %network.label, bytes = zip.len(), "served an activator download");
    metrics::counter!("downloads_total").increment(1);
    Ok(zip)
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
        name_zh: row.version.name_zh.clone(),
        name_en: row.version.name_en.clone(),
        licence_ends: row.version.term_end,
        portal_url: state.config.public_url.clone(),
        download_token: DownloadToken::new(token),
        edition_upgrade: row.version.edition_upgrade,
        kms: KmsHost {
            host: state.config.kms.host.clone(),
            port: state.config.kms.port,
        },
        covers: row
            .version
            .covers
            .products()
            .iter()
            .map(|p| (*p).clone())
            .collect(),
    };
    let settings = settings.to_toml().replace('\n', "\r\n");
    let snapshot = state.site();
    let helpdesk = &snapshot.site;
    let readme = Readme {
        name_zh: &row.version.name_zh,
        name_en: &row.version.name_en,
        kms: format!("{}:{}", state.config.kms.host, state.config.kms.port),
        portal: &state.config.public_url,
        team_zh: &helpdesk.team_zh,
        team_en: &helpdesk.team_en,
        phone: format!("{} ({})", helpdesk.phone, helpdesk.extensions.join(", ")),
        sha256: &prepared.sha256,
    }
    .render()?;
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

/// What both languages' README say.
struct Readme<'a> {
    name_zh: &'a str,
    name_en: &'a str,
    /// `host:port`.
    kms: String,
    portal: &'a str,
    team_zh: &'a str,
    team_en: &'a str,
    /// The help desk's number with its extensions.
    phone: String,
    /// The executable's SHA-256, lower-case hex.
    sha256: &'a str,
}

/// The Chinese half of `README.txt`.
#[derive(Template)]
#[template(path = "download/README.zh-TW.txt")]
struct ReadmeZh<'a> {
    name_zh: &'a str,
    kms: &'a str,
    portal: &'a str,
    team_zh: &'a str,
    phone: &'a str,
    sha256: &'a str,
}

/// The English half of `README.txt`.
#[derive(Template)]
#[template(path = "download/README.en.txt")]
struct ReadmeEn<'a> {
    name_en: &'a str,
    kms: &'a str,
    portal: &'a str,
    team_en: &'a str,
    phone: &'a str,
    sha256: &'a str,
}

impl Readme<'_> {
    /// Chinese, then English: UTF-8 with a byte-order mark and CRLF line ends, so that
    /// Notepad on Windows 7 shows the Chinese correctly.
    fn render(&self) -> Result<String> {
        let zh = ReadmeZh {
            name_zh: self.name_zh,
            kms: &self.kms,
            portal: self.portal,
            team_zh: self.team_zh,
            phone: &self.phone,
            sha256: self.sha256,
        }
        .render()
        .map_err(|e| Error::Internal(e.into()))?;
        let en = ReadmeEn {
            name_en: self.name_en,
            kms: &self.kms,
            portal: self.portal,
            team_en: self.team_en,
            phone: &self.phone,
            sha256: self.sha256,
        }
        .render()
        .map_err(|e| Error::Internal(e.into()))?;
        let text = format!("{}\n\n\n{}\n", zh.trim_end(), en.trim_end());
        Ok(format!("\u{feff}{}", text.replace('\n', "\r\n")))
    }
}
