//! `/admin/deployments`: deployment tokens created for a named unit, whose zip carries a
//! token a whole lab reports with (limited per PC, not per token), refused once revoked;
//! bad forms change nothing; viewers only look.

use axum::http::{StatusCode, header};
use protocol::config::ActivatorConfig;

use crate::admin_edit::{assert_redirect, assert_refused, last_audit, post, session, with_csrf};
use crate::downloads::unzip;
use crate::reports::{self, count, report};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    a_deployment_token_serves_a_lab_until_it_is_revoked,
    bad_deployment_forms_change_nothing_and_viewers_only_look,
);

const PAGE: &str = "/admin/deployments?lang=en";
const UNIT: &str = "工學院 EE-301 電腦教室";

async fn a_deployment_token_serves_a_lab_until_it_is_revoked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = session(&app, "alice", "admin").await;
    let page = app.get_with(PAGE, header::COOKIE, &admin.cookie).await;
    page.assert_page(StatusCode::OK)
        .assert_contains("No deployment tokens yet.")
        .assert_contains("--quiet");

    let until = (app.state.today() + time::Duration::days(30)).to_string();
    let fields = with_csrf(
        &admin,
        &[
            ("unit", UNIT),
            ("version", "office-2019-proplus"),
            ("until", &until),
        ],
    );
    let created = post(&app, PAGE, &admin, &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let location = created.header(header::LOCATION).to_owned();
    let id = location
        .strip_prefix("/admin/deployments?done=created#d-")
        .expect("back to the list at the new row")
        .to_owned();
    let (action, entity, key, _, after) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("create", "deployment", id.as_str())
    );
    assert_eq!(after["unit"], UNIT);

    let list = app.get_with(PAGE, header::COOKIE, &admin.cookie).await.text;
    assert!(list.contains(UNIT) && list.contains(&until), "{list}");
    assert!(list.contains(&format!("/admin/deployments/{id}/zip")));

    // The zip is a download's, with the deployment's token (the same one every time).
    let zip_uri = format!("/admin/deployments/{id}/zip");
    let zip = app.get_with(&zip_uri, header::COOKIE, &admin.cookie).await;
    assert_eq!(zip.status, StatusCode::OK, "{}", zip.text);
    assert_eq!(zip.header(header::CACHE_CONTROL), "no-store");
    let files = unzip(&zip);
    assert!(files.contains_key("activator.exe") && files.contains_key("SHA256SUMS"));
    let settings =
        ActivatorConfig::from_toml(std::str::from_utf8(&files["activator.toml"]).unwrap()).unwrap();
    assert!(
        settings
            .download_token
            .expose()
            .starts_with(&format!("v1.{id}."))
    );
    let again = unzip(&app.get_with(&zip_uri, header::COOKIE, &admin.cookie).await);
    assert_eq!(again["activator.toml"], files["activator.toml"]);
    assert_eq!(
        count(&app, "select count(*) from downloads").await,
        0,
        "a deployment is not a download"
    );

    // A whole lab reports with it: more PCs in a minute than one token may send reports.
    let token = settings.download_token.expose();
    for n in 0..25 {
        let mut body = report("office-2019-proplus", n);
        body["machine"]["id"] = format!("{n:064x}").into();
        let response = reports::post(&app, Some(token), serde_json::to_vec(&body).unwrap()).await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "PC {n}: {}",
            response.text
        );
    }
    let list = app.get_with(PAGE, header::COOKIE, &admin.cookie).await.text;
    assert!(list.contains("<div>25</div>"), "25 PCs heard from:\n{list}");

    // Revoked: its reports are refused, its zip is gone, and the change is audited.
    let revoke = format!("/admin/deployments/{id}/revoke");
    let revoked = post(&app, &revoke, &admin, &with_csrf(&admin, &[])).await;
    assert_redirect(&revoked, &format!("/admin/deployments?done=revoked#d-{id}"));
    let (action, _, key, _, _) = last_audit(&app).await;
    assert_eq!((action.as_str(), key.as_str()), ("revoke", id.as_str()));
    let refused = reports::post(
        &app,
        Some(token),
        serde_json::to_vec(&report("office-2019-proplus", 99)).unwrap(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(
        refused.text.contains("has been revoked"),
        "{}",
        refused.text
    );
    assert_eq!(
        app.get_with(&zip_uri, header::COOKIE, &admin.cookie)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app
        .get_with(
            "/admin/deployments?done=revoked&lang=en",
            header::COOKIE,
            &admin.cookie,
        )
        .await
        .text;
    assert!(list.contains("The deployment token was revoked.") && list.contains(">Revoked<"));
    assert!(!list.contains(&zip_uri));
    // Revoking twice finds nothing to revoke.
    let twice = post(&app, &revoke, &admin, &with_csrf(&admin, &[])).await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
}

async fn bad_deployment_forms_change_nothing_and_viewers_only_look(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = session(&app, "alice", "admin").await;
    let today = app.state.today();
    let later = (today + time::Duration::days(30)).to_string();
    let cases = [
        (
            "unit",
            "   ",
            "office-2019-proplus",
            later.clone(),
            "Name the unit",
        ),
        (
            "unit",
            "Lab\u{7}",
            "office-2019-proplus",
            later.clone(),
            "Name the unit",
        ),
        (
            "unit",
            &"x".repeat(201),
            "office-2019-proplus",
            later.clone(),
            "Name the unit",
        ),
        (
            "version",
            "Lab",
            "no-such-version",
            later.clone(),
            "Choose a version",
        ),
        (
            "version",
            "Lab",
            "visual-studio-2017-enterprise",
            later.clone(),
            "Choose a version",
        ),
        (
            "until",
            "Lab",
            "office-2019-proplus",
            today.to_string(),
            "after today",
        ),
        (
            "until",
            "Lab",
            "office-2019-proplus",
            (today + time::Duration::days(4000)).to_string(),
            "after today",
        ),
        (
            "until",
            "Lab",
            "office-2019-proplus",
            "2027-02-30".to_owned(),
            "after today",
        ),
    ];
    for (field, unit, version, until, message) in cases {
        let fields = with_csrf(
            &admin,
            &[("unit", unit), ("version", version), ("until", &until)],
        );
        let response = post(&app, PAGE, &admin, &fields).await;
        assert_refused(&response, field, message);
    }
    assert_eq!(count(&app, "select count(*) from deployments").await, 0);
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );

    // A forged form, and a viewer: refused, nothing stored.
    let good = [
        ("unit", "Lab"),
        ("version", "office-2019-proplus"),
        ("until", later.as_str()),
    ];
    let mut forged = with_csrf(&admin, &good);
    forged[0].1 = "forged".to_owned();
    assert_eq!(
        post(&app, PAGE, &admin, &forged).await.status,
        StatusCode::FORBIDDEN
    );
    let viewer = session(&app, "victor", "viewer").await;
    let page = app.get_with(PAGE, header::COOKIE, &viewer.cookie).await;
    page.assert_page(StatusCode::OK);
    assert!(!page.text.contains("New deployment token"));
    let response = post(&app, PAGE, &viewer, &with_csrf(&viewer, &good)).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "select count(*) from deployments").await, 0);

    // One made by the admin: the viewer may neither fetch its zip nor revoke it.
    let created = post(&app, PAGE, &admin, &with_csrf(&admin, &good)).await;
    let id = created
        .header(header::LOCATION)
        .rsplit("#d-")
        .next()
        .unwrap()
        .to_owned();
    let zip = app
        .get_with(
            &format!("/admin/deployments/{id}/zip"),
            header::COOKIE,
            &viewer.cookie,
        )
        .await;
    assert_eq!(zip.status, StatusCode::FORBIDDEN);
    let revoke = format!("/admin/deployments/{id}/revoke");
    let response = post(&app, &revoke, &viewer, &with_csrf(&viewer, &[])).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(
        count(
            &app,
            "select count(*) from deployments where revoked_at is null"
        )
        .await,
        1
    );
    // Not a token id at all.
    let response = post(
        &app,
        "/admin/deployments/..%2F..%2Fx/revoke",
        &admin,
        &with_csrf(&admin, &[]),
    )
    .await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}
