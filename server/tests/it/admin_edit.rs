//! Editing the catalogue: each change saved, audited before → after and shown on the
//! public pages at once; deletes confirmed; the pages for admins and viewers. The helpers
//! the other `admin_edit_*` files share live here.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use server::db::edit_versions::{VersionFields, find_version};

use crate::admin_auth::{add_user, csrf_of, get_with_cookie, sign_in};
use crate::reports::count;
use crate::util::{Backend, TestApp, TestResponse, on_both_databases};

on_both_databases!(
    a_version_edit_is_saved_audited_and_public,
    agreements_products_and_versions_are_created_and_deleted,
    pages_render_and_viewers_only_look,
);

/// A signed-in admin: the session cookie and its CSRF token.
#[derive(Clone)]
pub struct Session {
    /// `name=value` for the `Cookie` header.
    pub cookie: String,
    /// The token forms carry.
    pub csrf: String,
}

/// Signs in a new account `name` with `role`.
pub async fn session(app: &TestApp, name: &str, role: &str) -> Session {
    add_user(app, name, role, false).await;
    let cookie = sign_in(app, name).await;
    let csrf = csrf_of(app, &cookie).await;
    Session { cookie, csrf }
}

/// Posts `fields` (properly percent-encoded) to `uri` with the session's cookie.
pub async fn post(
    app: &TestApp,
    uri: &str,
    s: &Session,
    fields: &[(&str, String)],
) -> TestResponse {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    app.request(
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &s.cookie)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// `fields` with the session's CSRF token in front.
pub fn with_csrf<'a>(s: &Session, fields: &[(&'a str, &str)]) -> Vec<(&'a str, String)> {
    let mut all = vec![("csrf", s.csrf.clone())];
    all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    all
}

/// Asserts a 303 to `location`.
#[track_caller]
pub fn assert_redirect(response: &TestResponse, location: &str) {
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.text);
    assert_eq!(response.header(header::LOCATION), location);
}

/// Asserts that a refused form shows `message` beside `field`, marked for assistive tech.
#[track_caller]
pub fn assert_refused(response: &TestResponse, field: &str, message: &str) {
    response
        .assert_page(StatusCode::UNPROCESSABLE_ENTITY)
        .assert_contains(message)
        .assert_contains(&format!(r#"id="f-{field}-error""#));
    let input = response
        .text
        .split(&format!(r#"id="f-{field}""#))
        .nth(1)
        .unwrap_or_else(|| panic!("no field f-{field}"));
    let tag = input.split('>').next().unwrap();
    assert!(tag.contains(r#"aria-invalid="true""#), "{field}: {tag}");
    assert!(tag.contains(&format!("f-{field}-error")), "{field}: {tag}");
}

/// The newest audit entry: action, entity, key, before and after JSON.
pub async fn last_audit(
    app: &TestApp,
) -> (String, String, String, serde_json::Value, serde_json::Value) {
    let rows = server::db::audit::list(&app.state.db, 1).await.unwrap();
    let row = rows.into_iter().next().expect("an audit entry");
    let json = |text: Option<String>| {
        text.map_or(serde_json::Value::Null, |t| {
            serde_json::from_str(&t).unwrap()
        })
    };
    (
        row.action.as_str().to_owned(),
        row.entity.as_str().to_owned(),
        row.entity_key,
        json(row.before_json),
        json(row.after_json),
    )
}

/// The form fields that reproduce `v` as stored.
pub fn version_form(v: &VersionFields) -> Vec<(&'static str, String)> {
    let iso = |d: Option<time::Date>| d.map(server::calendar::format_iso_date).unwrap_or_default();
    let mut fields = vec![
        ("product", v.product.clone()),
        ("slug", v.version.slug.clone()),
        ("name_zh", v.version.name_zh.clone()),
        ("name_en", v.version.name_en.clone()),
        ("family", v.version.family.as_str().to_owned()),
        (
            "seats_kind",
            if v.version.campus_wide {
                "campus"
            } else if v.version.seats.is_some() {
                "count"
            } else {
                "unstated"
            }
            .to_owned(),
        ),
        (
            "seats",
            v.version.seats.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("term_start", iso(v.version.term_start)),
        ("term_end", iso(v.version.term_end)),
        ("sort_order", v.sort_order.to_string()),
    ];
    for (name, on) in [
        ("kms_activated", v.version.kms_activated),
        ("has_tutorial", v.version.has_tutorial),
        ("edition_upgrade", v.version.edition_upgrade),
    ] {
        if on {
            fields.push((name, "on".to_owned()));
        }
    }
    for id in v.version.covers.ids() {
        fields.push(("covers", id.to_owned()));
    }
    fields
}

/// `fields` with `name` set to `value` (added when absent, removed when `None`).
pub fn set(
    mut fields: Vec<(&'static str, String)>,
    name: &'static str,
    value: Option<&str>,
) -> Vec<(&'static str, String)> {
    fields.retain(|(n, _)| *n != name);
    if let Some(value) = value {
        fields.push((name, value.to_owned()));
    }
    fields
}

/// The version `slug` as stored.
pub async fn stored(app: &TestApp, slug: &str) -> Option<VersionFields> {
    find_version(&app.state.db, slug)
        .await
        .unwrap()
        .map(|r| r.fields)
}

async fn a_version_edit_is_saved_audited_and_public(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    // The software list is served from a rendered copy: this one must not outlive the edit.
    app.get("/?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("Office 2019 Professional Plus");
    assert!(!app.get("/?lang=en").await.text.contains("(renewed)"));
    let before = stored(&app, "office-2019-proplus").await.unwrap();
    let mut fields = set(version_form(&before), "term_end", Some("2031-07-31"));
    fields = set(
        fields,
        "name_en",
        Some("Office 2019 Professional Plus (renewed)"),
    );
    fields = set(fields, "seats_kind", Some("count"));
    fields = set(fields, "seats", Some("1200"));
    fields.push(("csrf", s.csrf.clone()));
    let saved = post(
        &app,
        "/admin/catalogue/versions/office-2019-proplus/edit",
        &s,
        &fields,
    )
    .await;
    assert_redirect(&saved, "/admin/catalogue?done=saved#v-office-2019-proplus");

    let after = stored(&app, "office-2019-proplus").await.unwrap();
    assert_eq!(
        after.version.term_end,
        Some(time::macros::date!(2031 - 07 - 31))
    );
    assert_eq!(
        (after.version.seats, after.version.campus_wide),
        (Some(1200), false)
    );
    let (action, entity, key, old, new) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("update", "version", "office-2019-proplus")
    );
    assert_eq!(
        (old["term_end"].as_str(), new["term_end"].as_str()),
        (Some("2020-02-28"), Some("2031-07-31"))
    );
    assert_eq!(
        (old["campus_wide"].as_bool(), new["seats"].as_i64()),
        (Some(true), Some(1200))
    );

    let home = app.get("/?lang=en").await;
    home.assert_page(StatusCode::OK)
        .assert_contains("Office 2019 Professional Plus (renewed)")
        .assert_contains(r#"<time datetime="2031-07-31">"#)
        .assert_contains("120/07/31");
    app.get("/catalog/office-2019-proplus?lang=en")
        .await
        .assert_contains("2031-07-31")
        .assert_contains("1200");
    let api = app.get("/api/v1/catalog").await.text;
    assert!(api.contains("2031-07-31"), "the API follows too");
    let listed = get_with_cookie(&app, "/admin/catalogue?done=saved&lang=en", &s.cookie).await;
    listed
        .assert_page(StatusCode::OK)
        .assert_contains("Saved.")
        .assert_contains("ROC 106/03/01 – 120/07/31");
}

async fn agreements_products_and_versions_are_created_and_deleted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let agreement = [
        ("slug", "site-licence"),
        ("name_zh", "校園授權"),
        ("name_en", "Site licence"),
        ("sort_order", "9"),
    ];
    let created = post(
        &app,
        "/admin/catalogue/agreements/new",
        &s,
        &with_csrf(&s, &agreement),
    )
    .await;
    assert_redirect(&created, "/admin/catalogue?done=created#a-site-licence");
    let product = [
        ("agreement", "site-licence"),
        ("slug", "acme-cad"),
        ("name_zh", "Acme 繪圖"),
        ("name_en", "Acme CAD"),
        ("sort_order", ""),
    ];
    let created = post(
        &app,
        "/admin/catalogue/products/new",
        &s,
        &with_csrf(&s, &product),
    )
    .await;
    assert_redirect(&created, "/admin/catalogue?done=created#p-acme-cad");
    let version = [
        ("product", "acme-cad"),
        ("slug", "acme-cad-2025"),
        ("name_zh", "Acme 繪圖 2025"),
        ("name_en", "Acme CAD 2025"),
        ("family", "other"),
        ("seats_kind", "count"),
        ("seats", "40"),
        ("term_start", "2025-08-01"),
        ("term_end", "2026-07-31"),
        ("sort_order", "1"),
    ];
    let created = post(
        &app,
        "/admin/catalogue/versions/new",
        &s,
        &with_csrf(&s, &version),
    )
    .await;
    assert_redirect(&created, "/admin/catalogue?done=created#v-acme-cad-2025");
    app.get("/?lang=en")
        .await
        .assert_contains("Site licence")
        .assert_contains("Acme CAD 2025");
    let (action, entity, key, old, new) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("create", "version", "acme-cad-2025")
    );
    assert!(old.is_null());
    assert_eq!(new["seats"], 40);

    // Renaming the product moves nothing: its version follows.
    let renamed = [
        ("agreement", "site-licence"),
        ("slug", "acme-draw"),
        ("name_zh", "Acme 繪圖"),
        ("name_en", "Acme Draw"),
        ("sort_order", "0"),
    ];
    let saved = post(
        &app,
        "/admin/catalogue/products/acme-cad/edit",
        &s,
        &with_csrf(&s, &renamed),
    )
    .await;
    assert_redirect(&saved, "/admin/catalogue?done=saved#p-acme-draw");
    assert_eq!(
        stored(&app, "acme-cad-2025").await.unwrap().product,
        "acme-draw"
    );

    let ask = get_with_cookie(
        &app,
        "/admin/catalogue/versions/acme-cad-2025/delete?lang=en",
        &s.cookie,
    )
    .await;
    ask.assert_page(StatusCode::OK)
        .assert_contains("Delete this for good?");
    let csrf = with_csrf(&s, &[]);
    for path in [
        "/admin/catalogue/versions/acme-cad-2025/delete",
        "/admin/catalogue/products/acme-draw/delete",
        "/admin/catalogue/agreements/site-licence/delete",
    ] {
        assert_redirect(
            &post(&app, path, &s, &csrf).await,
            "/admin/catalogue?done=deleted",
        );
    }
    assert!(!app.get("/?lang=en").await.text.contains("Acme"));
    assert_eq!(
        count(
            &app,
            "select count(*) from agreements where slug = 'site-licence'"
        )
        .await,
        0
    );
    let (action, entity, key, old, _) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("delete", "agreement", "site-licence")
    );
    assert_eq!(old["name_en"], "Site licence");
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        7
    );
}

async fn pages_render_and_viewers_only_look(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = session(&app, "alice", "admin").await;
    let viewer = session(&app, "vera", "viewer").await;
    let forms = [
        "/admin/catalogue/agreements/new",
        "/admin/catalogue/agreements/office-upgrade/edit",
        "/admin/catalogue/agreements/office-upgrade/delete",
        "/admin/catalogue/products/new?agreement=office-upgrade",
        "/admin/catalogue/products/office-professional-plus/edit",
        "/admin/catalogue/products/office-professional-plus/delete",
        "/admin/catalogue/versions/new?product=office-professional-plus",
        "/admin/catalogue/versions/office-2019-proplus/edit",
        "/admin/catalogue/versions/office-2019-proplus/delete",
        "/admin/tutorials/office/zh-TW",
        "/admin/errors/new",
        "/admin/errors/0xC004F074",
        "/admin/audit",
    ];
    for path in forms {
        for lang in ["zh-TW", "en"] {
            let uri = format!(
                "{path}{}lang={lang}",
                if path.contains('?') { '&' } else { '?' }
            );
            get_with_cookie(&app, &uri, &admin.cookie)
                .await
                .assert_page(StatusCode::OK)
                .assert_contains("/static/admin-forms.css?v=");
        }
        assert_eq!(
            get_with_cookie(&app, path, &viewer.cookie).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        "/admin/catalogue",
        "/admin/tutorials",
        "/admin/errors",
        "/admin/settings",
    ] {
        let shown = get_with_cookie(&app, &format!("{path}?lang=en"), &viewer.cookie).await;
        shown
            .assert_page(StatusCode::OK)
            .assert_contains("can look but not change");
        assert!(
            !shown.text.contains(">Edit<"),
            "{path}: no edit links for viewers"
        );
        get_with_cookie(&app, path, &admin.cookie)
            .await
            .assert_page(StatusCode::OK);
    }
    assert!(
        get_with_cookie(&app, "/admin/settings", &viewer.cookie)
            .await
            .text
            .contains("disabled")
    );
    for missing in [
        "/admin/catalogue/versions/nope/edit",
        "/admin/tutorials/linux/en",
        "/admin/tutorials/office/fr",
        "/admin/errors/0xC0FFEE00",
    ] {
        assert_eq!(
            get_with_cookie(&app, missing, &admin.cookie).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
