//! Download tokens under attack (issue 14): one download cannot stand in for many PCs,
//! the passed-around ones are listed for staff, and staff revoke one download, every
//! download of a network, or every one issued before a date — audited, and refused by
//! every portal on the database.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};

use crate::admin_auth::get_with_cookie;
use crate::admin_edit::{Session, post, session};
use crate::dashboard_machines::execute;
use crate::downloads::download;
use crate::reports::{count, report};
use crate::util::{Backend, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    a_download_reports_from_a_few_pcs_only,
    staff_revoke_one_a_network_or_everything_before_a_date,
);

const SLUG: &str = "office-2019-proplus";

/// Posts report `n` from PC `machine` with `token`.
async fn report_from(app: &TestApp, token: &str, machine: u32, n: u32) -> TestResponse {
    let mut body = report(SLUG, n);
    body["machine"]["id"] = format!("{machine:064x}").into();
    crate::reports::post(app, Some(token), serde_json::to_vec(&body).unwrap()).await
}

async fn a_download_reports_from_a_few_pcs_only(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        c.limits.machines_per_download_token = 2;
        c.limits.reports_per_minute_per_token = 1000;
    })
    .await;
    let token = download(&app, SLUG).await.download_token.into_exposed();
    assert_eq!(
        report_from(&app, &token, 1, 1).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        report_from(&app, &token, 2, 2).await.status,
        StatusCode::CREATED
    );
    let third = report_from(&app, &token, 3, 3).await;
    assert_eq!(third.status, StatusCode::FORBIDDEN, "{}", third.text);
    assert_eq!(third.json()["error"], "too_many_machines");
    assert!(
        third
            .text
            .contains("download the activator again on this PC")
    );
    // Made-up PCs change nothing: no report, no roll-up, no machine.
    for n in 4..40 {
        assert_eq!(
            report_from(&app, &token, n, n).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(count(&app, "select count(*) from reports").await, 2);
    assert_eq!(
        count(
            &app,
            "select count(distinct machine_id) from machine_products"
        )
        .await,
        2
    );
    // The PCs it was meant for go on reporting.
    assert_eq!(
        report_from(&app, &token, 1, 100).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        count(&app, "select cast(machines as bigint) from downloads").await,
        2
    );
    assert_eq!(
        count(
            &app,
            "select cast(refused_machines as bigint) from downloads"
        )
        .await,
        37
    );
    // Another download is a PC of its own.
    let other = download(&app, SLUG).await.download_token.into_exposed();
    assert_eq!(
        report_from(&app, &other, 3, 200).await.status,
        StatusCode::CREATED
    );
    // Staff see it on the dashboard and on the downloads page.
    let staff = session(&app, "alice", "admin").await;
    let dashboard = get_with_cookie(&app, "/admin?lang=en", &staff.cookie).await;
    dashboard.assert_contains("1 download(s) were used on more PCs than one download may");
    let id = token.split('.').nth(1).unwrap();
    let page = get_with_cookie(&app, "/admin/downloads?lang=en", &staff.cookie).await;
    page.assert_page(StatusCode::OK)
        .assert_contains(&format!("<code>{id}</code>"));
    assert!(!page.text.contains(other.split('.').nth(1).unwrap()));
}

async fn staff_revoke_one_a_network_or_everything_before_a_date(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = session(&app, "alice", "admin").await;
    let viewer = session(&app, "victor", "viewer").await;
    let first = download(&app, SLUG).await.download_token.into_exposed();
    let second = download(&app, SLUG).await.download_token.into_exposed();
    let elsewhere = download_from(&app, "198.51.100.7:4000").await;
    let revoke = |fields: Vec<(&'static str, String)>, who: &Session| {
        let (app, who) = (&app, who.clone());
        async move {
            let mut fields = fields;
            fields.push(("csrf", who.csrf.clone()));
            post(app, "/admin/downloads/revoke?lang=en", &who, &fields).await
        }
    };
    // Viewers may not; a malformed id or network changes nothing.
    let id = first.split('.').nth(1).unwrap().to_owned();
    let refused = revoke(vec![("what", "one".into()), ("token", id.clone())], &viewer).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for (what, field, value) in [
        ("one", "token", "not-a-token"),
        ("network", "network", ""),
        ("before", "before", "2999-01-01"),
        ("before", "before", "yesterday"),
    ] {
        let bad = revoke(vec![("what", what.into()), (field, value.into())], &admin).await;
        bad.assert_page(StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(count(&app, "select count(*) from revoked_tokens").await, 0);
    // One download.
    let done = revoke(vec![("what", "one".into()), ("token", id.clone())], &admin).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let refused = report_from(&app, &first, 1, 1).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.text.contains("has been revoked"));
    assert_eq!(
        report_from(&app, &second, 2, 2).await.status,
        StatusCode::CREATED
    );
    // Another portal on the database refuses it too.
    let other = app.second_instance().await;
    assert_eq!(
        report_from(&other, &first, 1, 3).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Every download of a network.
    let done = revoke(
        vec![
            ("what", "network".into()),
            ("network", "198.51.100.0/24".into()),
        ],
        &admin,
    )
    .await;
    assert!(
        done.header(axum::http::header::LOCATION)
            .ends_with("revoked=1")
    );
    assert_eq!(
        report_from(&app, &elsewhere, 3, 4).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        report_from(&app, &second, 2, 5).await.status,
        StatusCode::CREATED
    );
    // Every download issued before a date: the second one, made "last year".
    execute(
        &app,
        "update downloads set created_at = '2025-01-01T00:00:00Z' where revoked_at is null",
    )
    .await;
    let today = app.state.today().to_string();
    let done = revoke(vec![("what", "before".into()), ("before", today)], &admin).await;
    assert!(
        done.header(axum::http::header::LOCATION)
            .ends_with("revoked=1")
    );
    assert_eq!(
        report_from(&app, &second, 2, 6).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Each revocation is in the change log, with what it picked and how many.
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity = 'download' and action = 'revoke'"
        )
        .await,
        3
    );
    assert_eq!(count(&app, "select count(*) from revoked_tokens").await, 3);
}

/// A download's token, downloaded from `client`.
async fn download_from(app: &TestApp, client: &str) -> String {
    let mut request = Request::get(format!("/download/{SLUG}"))
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(client.parse::<std::net::SocketAddr>().unwrap()));
    let response = app.request(request).await;
    assert_eq!(response.status, StatusCode::OK);
    let files = crate::downloads::unzip(&response);
    let config = protocol::config::ActivatorConfig::from_toml(
        std::str::from_utf8(&files["activator.toml"]).unwrap(),
    )
    .unwrap();
    config.download_token.into_exposed()
}
