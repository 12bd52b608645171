//! `GET /download/{slug}`: the zip, its token, campus networks, and a missing build.

use std::collections::BTreeMap;
use std::io::Read;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use protocol::config::ActivatorConfig;
use server::calendar::format_iso_date;
use server::config::CampusNetwork;
use sha2::{Digest, Sha256};

use crate::util::{Backend, FAKE_EXE, SIGNED_EXE, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    a_download_holds_the_activator_its_settings_readme_and_checksums,
    each_download_gets_its_own_token_and_is_recorded,
    off_campus_downloads_get_the_vpn_page,
    a_missing_build_is_said_plainly,
    the_signer_is_shown_and_an_unsigned_or_altered_build_warned_of,
    versions_without_an_activator_have_no_download,
    a_catalogue_edit_reaches_downloads_at_once,
);

/// The files of a downloaded zip, by name.
pub fn unzip(response: &TestResponse) -> BTreeMap<String, Vec<u8>> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(response.bytes.clone())).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// Downloads `slug` and answers its settings.
pub async fn download(app: &TestApp, slug: &str) -> ActivatorConfig {
    let response = app.get(&format!("/download/{slug}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let files = unzip(&response);
    ActivatorConfig::from_toml(std::str::from_utf8(&files["activator.toml"]).unwrap()).unwrap()
}

fn from(address: &str, uri: &str) -> Request<Body> {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    request.extensions_mut().insert(ConnectInfo(
        address.parse::<std::net::SocketAddr>().unwrap(),
    ));
    request
}

async fn a_download_holds_the_activator_its_settings_readme_and_checksums(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        c.public_url = "https://licences.example.edu".to_owned();
        c.kms.host = "kms.example.edu".to_owned();
    })
    .await;
    let response = app.get("/download/office-2019-proplus?lang=en").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(response.header(header::CONTENT_TYPE), "application/zip");
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        r#"attachment; filename="activator-office-2019-proplus.zip""#
    );
    assert_eq!(response.header(header::CACHE_CONTROL), "no-store");
    assert!(
        response.header(header::CONTENT_ENCODING).is_empty(),
        "a zip is not compressed again"
    );
    assert_eq!(
        response.header(header::CONTENT_LENGTH),
        response.bytes.len().to_string(),
        "sent with its length, not chunked"
    );
    let files = unzip(&response);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "README.txt",
            "SHA256SUMS",
            "activator.exe",
            "activator.toml",
            "errors.toml"
        ]
    );
    assert_eq!(files["activator.exe"], FAKE_EXE);

    let settings =
        ActivatorConfig::from_toml(std::str::from_utf8(&files["activator.toml"]).unwrap()).unwrap();
    assert_eq!(settings.product, "office-2019-proplus");
    assert_eq!(settings.portal_url, "https://licences.example.edu");
    assert_eq!(
        (settings.kms.host.as_str(), settings.kms.port),
        ("kms.example.edu", 1688)
    );
    let now = time::OffsetDateTime::now_utc();
    app.state
        .tokens
        .verify(
            settings.download_token.expose(),
            "office-2019-proplus",
            now,
            &app.state.revoked,
        )
        .expect("the token is ours");

    let readme = String::from_utf8(files["README.txt"].clone()).unwrap();
    assert!(
        readme.starts_with('\u{feff}') && readme.contains("\r\n"),
        "Notepad-friendly"
    );
    assert!(readme.contains("以系統管理員身分執行") && readme.contains("Run as administrator"));
    assert!(readme.contains("kms.example.edu:1688"));

    let sums = String::from_utf8(files["SHA256SUMS"].clone()).unwrap();
    // The portal's own texts for each code, placeholders filled, for the activator to
    // print (its compiled-in copy is only the fallback).
    let errors = protocol::errors::ErrorTexts::from_toml(
        std::str::from_utf8(&files["errors.toml"]).unwrap(),
    )
    .unwrap();
    let unreachable = errors.find("0xC004F074").expect("0xC004F074 is explained");
    assert!(unreachable.zh_tw.remedy.contains("kms.example.edu"));
    assert!(!unreachable.en.remedy.contains("{{"), "placeholders filled");
    assert!(errors.error.len() >= 16);
    for name in [
        "activator.exe",
        "activator.toml",
        "errors.toml",
        "README.txt",
    ] {
        let digest: String = Sha256::digest(&files[name])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(
            sums.contains(&format!("{digest}  {name}")),
            "{name} in {sums}"
        );
    }
    // The version page shows the same checksum.
    let exe_digest: String = Sha256::digest(FAKE_EXE)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    app.get("/catalog/office-2019-proplus")
        .await
        .assert_contains(&exe_digest);
}

async fn each_download_gets_its_own_token_and_is_recorded(backend: Backend) {
    let app = TestApp::new(backend).await;
    let first = download(&app, "windows-10-enterprise").await;
    let second = download(&app, "windows-10-enterprise").await;
    assert_ne!(first.download_token, second.download_token);
    let covered: Vec<&str> = first.covers.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(covered, ["windows-10-enterprise"]);
    let today = format_iso_date(app.state.local_date(app.state.now()));
    let (rows, daily): (i64, i64) = match &app.state.db {
        server::db::Db::Sqlite(pool, _) => (
            sqlx::query_scalar("select count(*) from downloads where version_slug = 'windows-10-enterprise' and network = '127.0.0.0/24'").fetch_one(pool).await.unwrap(),
            sqlx::query_scalar("select n_downloads from daily_downloads where day = $1").bind(&today).fetch_one(pool).await.unwrap(),
        ),
        server::db::Db::Postgres(pool) => (
            sqlx::query_scalar("select count(*) from downloads where version_slug = 'windows-10-enterprise' and network = '127.0.0.0/24'").fetch_one(pool).await.unwrap(),
            sqlx::query_scalar("select n_downloads from daily_downloads where day = $1::date").bind(&today).fetch_one(pool).await.unwrap(),
        ),
    };
    assert_eq!((rows, daily), (2, 2));
}

async fn off_campus_downloads_get_the_vpn_page(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        c.campus_networks = vec![CampusNetwork {
            name: "Campus".into(),
            cidr: "10.0.0.0/8".parse().unwrap(),
        }];
        c.trusted_proxies = vec!["192.0.2.10/32".parse().unwrap()];
    })
    .await;
    let outside = app
        .request(from(
            "203.0.113.5:4000",
            "/download/office-2016-proplus?lang=en",
        ))
        .await;
    outside
        .assert_page(StatusCode::FORBIDDEN)
        .assert_contains("Connect to the campus VPN first");
    let mut spoofed = from("203.0.113.5:4000", "/download/office-2016-proplus");
    spoofed
        .headers_mut()
        .insert("x-forwarded-for", "10.1.2.3".parse().unwrap());
    assert_eq!(
        app.request(spoofed).await.status,
        StatusCode::FORBIDDEN,
        "only a trusted proxy is believed"
    );
    assert_eq!(
        app.request(from("10.20.30.40:4000", "/download/office-2016-proplus"))
            .await
            .status,
        StatusCode::OK
    );
    let mut proxied = from("192.0.2.10:4000", "/download/office-2016-proplus");
    proxied
        .headers_mut()
        .insert("x-forwarded-for", "10.1.2.3".parse().unwrap());
    assert_eq!(app.request(proxied).await.status, StatusCode::OK);
}

async fn a_missing_build_is_said_plainly(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        c.activator_exe = "/nonexistent/activator.exe".into()
    })
    .await;
    app.get("/catalog/office-2019-proplus?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("has not built the activator");
    app.get("/download/office-2019-proplus?lang=en")
        .await
        .assert_page(StatusCode::SERVICE_UNAVAILABLE)
        .assert_contains("not available");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(
        (
            ready.json()["status"].as_str(),
            ready.json()["activator"].as_str()
        ),
        (Some("degraded"), Some("missing"))
    );
}

/// The version page names who signed the executable downloads serve (as Windows will
/// show the publisher); an unsigned one is said on the page, in `/readyz` and on the
/// dashboard; one changed after signing makes the portal degraded. A new build on disk
/// is read at the next request.
async fn the_signer_is_shown_and_an_unsigned_or_altered_build_warned_of(backend: Backend) {
    use crate::admin_edit::session;
    let app = TestApp::new(backend).await;
    let staff = session(&app, "alice", "viewer").await;
    let page = "/catalog/office-2019-proplus?lang=en";
    let dashboard = async |app: &TestApp| {
        app.get_with("/admin?lang=en", header::COOKIE, &staff.cookie)
            .await
            .text
    };
    let exe = app.data_dir.join("activator.exe");

    // Unsigned (the stand-in): ready, with a warning everywhere.
    let ready = app.get("/readyz").await.json();
    assert_eq!(
        (ready["status"].as_str(), ready["signature"].as_str()),
        (Some("ready"), Some("unsigned"))
    );
    assert!(
        ready["warnings"][0]
            .as_str()
            .unwrap()
            .contains("not signed")
    );
    let text = app.get(page).await.text;
    assert!(text.contains("not digitally signed"), "{text}");
    assert!(!text.contains("Signed by"));
    assert!(dashboard(&app).await.contains("is not digitally signed"));

    // Signed: the signer on the page, no warnings.
    write_newer(&exe, SIGNED_EXE);
    let ready = app.get("/readyz").await.json();
    assert_eq!(
        (
            ready["status"].as_str(),
            ready["signature"].as_str(),
            ready["signer"].as_str()
        ),
        (
            Some("ready"),
            Some("signed"),
            Some("IT Office Test Signing (國立範例大學)")
        )
    );
    assert_eq!(ready["warnings"], serde_json::json!([]));
    let text = app.get(page).await.text;
    assert!(
        text.contains("<dt>Signed by</dt><dd>IT Office Test Signing (國立範例大學)</dd>"),
        "{text}"
    );
    assert!(!text.contains("not digitally signed"));
    let zh = app
        .get("/catalog/office-2019-proplus?lang=zh-TW")
        .await
        .text;
    assert!(zh.contains("<dt>數位簽章</dt><dd>IT Office Test Signing (國立範例大學)</dd>"));
    let admin = dashboard(&app).await;
    assert!(!admin.contains("digitally signed") && !admin.contains("does not match"));

    // Changed after signing: degraded, and people are told not to run it.
    let mut altered = SIGNED_EXE.to_vec();
    altered[0x400] ^= 1;
    write_newer(&exe, &altered);
    let ready = app.get("/readyz").await.json();
    assert_eq!(
        (ready["status"].as_str(), ready["signature"].as_str()),
        (Some("degraded"), Some("altered"))
    );
    assert!(app.get(page).await.text.contains("Do not run it"));
    assert!(dashboard(&app).await.contains("does not match the file"));
}

/// Writes `bytes` to `path` with a modification time later than the file had, so the
/// portal sees a new build even within the file system's time resolution.
fn write_newer(path: &std::path::Path, bytes: &[u8]) {
    let before = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, bytes).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(before + std::time::Duration::from_secs(2))
        .unwrap();
}

async fn versions_without_an_activator_have_no_download(backend: Backend) {
    let app = TestApp::new(backend).await;
    for slug in [
        "visual-studio-2017-enterprise",
        "office-2007-enterprise",
        "nope",
        "Office-2019-ProPlus",
    ] {
        app.get(&format!("/download/{slug}"))
            .await
            .assert_page(StatusCode::NOT_FOUND);
    }
    assert_eq!(app.get("/readyz").await.json()["activator"], "ready");
}

/// Downloads read the catalogue from a copy kept in memory (`page_cache`): an edit must
/// reach them with the very next request, both ways.
async fn a_catalogue_edit_reaches_downloads_at_once(backend: Backend) {
    use crate::admin_edit::{assert_redirect, post, session, set, stored, version_form};
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let slug = "office-2019-proplus";
    let uri = format!("/admin/catalogue/versions/{slug}/edit");
    let first = app.get(&format!("/download/{slug}?lang=en")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!readme_of(&first).contains("(renewed)"));

    let mut off = set(
        version_form(&stored(&app, slug).await.unwrap()),
        "covers",
        None,
    );
    off.push(("csrf", s.csrf.clone()));
    let saved = post(&app, &uri, &s, &off).await;
    assert_redirect(&saved, &format!("/admin/catalogue?done=saved#v-{slug}"));
    app.get(&format!("/download/{slug}"))
        .await
        .assert_page(StatusCode::NOT_FOUND);

    let mut on = set(
        version_form(&stored(&app, slug).await.unwrap()),
        "covers",
        Some("office-2019-proplus"),
    );
    on = set(
        on,
        "name_en",
        Some("Office 2019 Professional Plus (renewed)"),
    );
    on.push(("csrf", s.csrf.clone()));
    let saved = post(&app, &uri, &s, &on).await;
    assert_redirect(&saved, &format!("/admin/catalogue?done=saved#v-{slug}"));
    let again = app.get(&format!("/download/{slug}?lang=en")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(readme_of(&again).contains("Office 2019 Professional Plus (renewed) activator"));
}

fn readme_of(response: &TestResponse) -> String {
    String::from_utf8(unzip(response).remove("README.txt").expect("a README")).unwrap()
}
