//! Versions cover products of the product table: staff choose them in `/admin`, any
//! version that covers one offers an activator whose settings carry them, the licence
//! term decides whether it is offered, and databases from before the table are mapped.

use axum::http::StatusCode;
use server::catalog::Covers;
use server::db;

use crate::admin_edit::{
    Session, assert_redirect, assert_refused, post, session, stored, with_csrf,
};
use crate::downloads::download;
use crate::reports::count;
use crate::util::{Backend, TestApp, TestDb, on_both_databases};

on_both_databases!(
    windows_11_education_is_offered_from_admin_without_a_release,
    office_ltsc_2024_with_project_and_visio_is_one_download,
    sets_one_activator_cannot_activate_are_refused,
    a_term_not_started_is_not_offered_until_its_first_day,
    ended_licences_are_offered_with_a_warning_unless_withdrawn,
    an_existing_database_is_mapped_to_the_table,
);

/// Posts the new-version form `fields` to `uri` with the session's CSRF token.
async fn create(
    app: &TestApp,
    s: &Session,
    uri: &str,
    fields: &[(&str, &str)],
) -> crate::util::TestResponse {
    post(app, uri, s, &with_csrf(s, fields)).await
}

/// A new version form: Windows 11 under the seed's Windows product, covering `covers`.
fn windows_11_form<'a>(slug: &'a str, covers: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("product", "windows-enterprise"),
        ("slug", slug),
        ("name_zh", "Windows 11 教育版"),
        ("name_en", "Windows 11 Education"),
        ("family", "windows"),
        ("seats_kind", "campus"),
        ("term_start", "2026-03-01"),
        ("term_end", "2029-02-28"),
        ("kms_activated", "on"),
        ("has_tutorial", "on"),
        ("sort_order", "0"),
    ];
    fields.extend(covers.iter().map(|id| ("covers", *id)));
    fields
}

async fn windows_11_education_is_offered_from_admin_without_a_release(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let mut fields = windows_11_form(
        "windows-11-education",
        &["windows-11-education", "windows-11-enterprise"],
    );
    fields.push(("edition_upgrade", "on"));
    let saved = create(&app, &s, "/admin/catalogue/versions/new?lang=en", &fields).await;
    assert_redirect(
        &saved,
        "/admin/catalogue?done=created#v-windows-11-education",
    );
    let version = stored(&app, "windows-11-education").await.unwrap();
    assert_eq!(
        version.version.covers.ids().collect::<Vec<_>>(),
        ["windows-11-education", "windows-11-enterprise"]
    );
    assert!(version.version.edition_upgrade);

    let settings = download(&app, "windows-11-education").await;
    let keys: Vec<&str> = settings.covers.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "NW6C2-QMPVW-D7KKK-3GKT6-VCFB2",
            "NPPR9-FWDCX-D2C8J-H872K-2YT43"
        ]
    );
    assert!(settings.edition_upgrade);
    assert_eq!(
        settings.licence_ends.map(|d| d.to_string()),
        Some("2029-02-28".to_owned())
    );
    assert_eq!(settings.name_en, "Windows 11 Education");

    app.get("/catalog/windows-11-education?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("The activator activates whichever of these products")
        .assert_contains("Windows 11 Enterprise")
        .assert_contains(r#"href="/download/windows-11-education""#);
    let catalogue = app.get("/api/v1/catalog").await.json();
    let listed = catalogue["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["slug"] == "windows-11-education")
        .unwrap()
        .clone();
    assert_eq!(
        listed["activates"],
        serde_json::json!(["windows-11-education", "windows-11-enterprise"])
    );
    // The form shows what was ticked, its release open.
    let form = app
        .get_with(
            "/admin/catalogue/versions/windows-11-education/edit?lang=en",
            axum::http::header::COOKIE,
            &s.cookie,
        )
        .await;
    form.assert_page(StatusCode::OK)
        .assert_contains(r#"value="windows-11-education" checked"#)
        .assert_contains(r#"id="f-edition_upgrade" name="edition_upgrade" value="on" checked"#);
}

async fn office_ltsc_2024_with_project_and_visio_is_one_download(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let covers = [
        "office-2024-proplus",
        "office-2024-project-pro",
        "office-2024-project-std",
        "office-2024-visio-pro",
        "office-2024-visio-std",
    ];
    let mut fields = vec![
        ("product", "office-professional-plus"),
        ("slug", "office-ltsc-2024-proplus"),
        ("name_zh", "Office LTSC 專業增強版 2024"),
        ("name_en", "Office LTSC Professional Plus 2024"),
        ("family", "office"),
        ("seats_kind", "count"),
        ("seats", "500"),
        ("kms_activated", "on"),
        ("sort_order", "-1"),
    ];
    fields.extend(covers.iter().map(|id| ("covers", *id)));
    let saved = create(&app, &s, "/admin/catalogue/versions/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let settings = download(&app, "office-ltsc-2024-proplus").await;
    let ids: Vec<&str> = settings.covers.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, covers);
    assert_eq!(settings.licence_ends, None);
    assert!(
        settings
            .covers
            .iter()
            .all(|p| p.office.as_ref().unwrap().folder == "Office16")
    );
}

async fn sets_one_activator_cannot_activate_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let cases: [(&str, &[&str], &str, &str); 3] = [
        (
            "windows",
            &["windows-11-education", "office-2024-proplus"],
            "covers",
            "The ticked products do not fit the family",
        ),
        (
            "office",
            &["office-2013-proplus", "office-2016-proplus"],
            "covers",
            "Office products must share one installation folder",
        ),
        (
            "windows",
            &["windows-10-enterprise-ltsc-2021"],
            "edition_upgrade",
            "An edition upgrade needs a ticked Windows 10 or 11",
        ),
    ];
    for (family, covers, field, message) in cases {
        let mut fields = windows_11_form("mixed", covers);
        fields.retain(|(k, _)| *k != "family");
        fields.push(("family", family));
        fields.push(("edition_upgrade", "on"));
        let refused = create(&app, &s, "/admin/catalogue/versions/new?lang=en", &fields).await;
        assert_refused(&refused, field, message);
        assert!(stored(&app, "mixed").await.is_none(), "nothing stored");
    }
}

async fn a_term_not_started_is_not_offered_until_its_first_day(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let mut fields = windows_11_form("windows-11-next", &["windows-11-education"]);
    fields.retain(|(k, _)| *k != "term_start");
    fields.push(("term_start", "2028-08-01"));
    let saved = create(&app, &s, "/admin/catalogue/versions/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    app.get("/download/windows-11-next?lang=en")
        .await
        .assert_page(StatusCode::NOT_FOUND)
        .assert_contains("can be downloaded from its first day")
        .assert_contains("2028-08-01");
    let page = app.get("/catalog/windows-11-next?lang=en").await;
    page.assert_page(StatusCode::OK)
        .assert_contains("has not started yet");
    assert!(!page.text.contains(r#"href="/download/windows-11-next""#));
    assert_eq!(
        count(&app, "select count(*) from downloads").await,
        0,
        "nothing issued"
    );
}

async fn ended_licences_are_offered_with_a_warning_unless_withdrawn(backend: Backend) {
    // The seed's licences all ended in 2020.
    let app = TestApp::new(backend.clone()).await;
    let settings = download(&app, "office-2016-proplus").await;
    assert_eq!(
        settings.licence_ends.map(|d| d.to_string()),
        Some("2020-02-28".to_owned())
    );
    app.get("/catalog/office-2016-proplus?lang=en")
        .await
        .assert_contains("The activator is still offered, because agreements are often renewed")
        .assert_contains(r#"href="/download/office-2016-proplus""#);

    let withdrawn = TestApp::with_config(backend, |c| {
        c.institution.offer_ended_licences = false;
    })
    .await;
    withdrawn
        .get("/download/office-2016-proplus?lang=en")
        .await
        .assert_page(StatusCode::NOT_FOUND)
        .assert_contains("no longer offered");
    let page = withdrawn.get("/catalog/office-2016-proplus?lang=en").await;
    page.assert_contains("no longer offered");
    assert!(
        !page
            .text
            .contains(r#"href="/download/office-2016-proplus""#)
    );
    let listed = withdrawn.get("/api/v1/catalog").await.json();
    assert!(
        listed["versions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["download_url"].is_null()),
        "every seed licence has ended"
    );
}

/// A database made before the table (migration 0009) keeps its activator downloads: the
/// versions the activator knew are mapped to their products, the rest cover nothing.
async fn an_existing_database_is_mapped_to_the_table(backend: Backend) {
    let test_db = TestDb::new(&backend).await;
    let database = db::Db::connect(&test_db.url).await.unwrap();
    database.migrate_through(9).await.unwrap();
    let statements = [
        "insert into agreements (slug, name_zh, name_en) values ('a', 'A', 'A')",
        "insert into products (agreement_id, slug, name_zh, name_en)
         select id, 'p', 'P', 'P' from agreements",
        "insert into versions (product_id, slug, name_zh, name_en, family, has_activator)
         select id, 'windows-8-1-enterprise', 'W', 'W', 'windows', true from products",
        "insert into versions (product_id, slug, name_zh, name_en, family, has_activator)
         select id, 'project-2016', 'P', 'P', 'project', true from products",
        "insert into versions (product_id, slug, name_zh, name_en, family, has_activator)
         select id, 'office-2016-proplus', 'O', 'O', 'office', false from products",
    ];
    for sql in statements {
        match &database {
            db::Db::Sqlite(pool, _) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            db::Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .unwrap();
    }
    database.migrate().await.unwrap();
    let covers = |slug: &'static str| {
        let database = &database;
        async move {
            db::catalog::find_version(database, slug)
                .await
                .unwrap()
                .unwrap()
                .version
                .covers
        }
    };
    assert_eq!(
        covers("windows-8-1-enterprise").await,
        Covers::from_stored("windows-8-1-enterprise,windows-8-enterprise")
    );
    assert_eq!(
        covers("project-2016").await.to_stored(),
        "office-2016-project-pro,office-2016-project-std"
    );
    assert!(
        covers("office-2016-proplus").await.is_empty(),
        "it had no download"
    );
    database.close().await;
}
