//! Editing tutorials (with the server-side preview) and error-code texts: saved, audited,
//! public at once; each rule refusing with its message.

use axum::http::StatusCode;
use server::lang::Lang;

use crate::admin_edit::{assert_redirect, assert_refused, last_audit, post, session, with_csrf};
use crate::reports::count;
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    a_tutorial_is_previewed_then_saved_and_public,
    tutorial_rules_refuse_with_their_messages,
    error_code_texts_are_edited_and_new_codes_added,
    error_code_rules_refuse_with_their_messages,
);

async fn a_tutorial_is_previewed_then_saved_and_public(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let body = "## Step one at {{institution}}\n\nRun `ospp.vbs /sethst:{{kms_host}}`.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))";
    let fields = with_csrf(
        &s,
        &[
            ("title", "Activate Office, the new way"),
            ("body_md", body),
            ("action", "preview"),
        ],
    );
    let preview = post(&app, "/admin/tutorials/office/en?lang=zh-TW", &s, &fields).await;
    preview.assert_page(StatusCode::OK)
        .assert_contains(r#"<h2 id="md-section-1">Step one at Lunghwa University of Science and Technology</h2>"#)
        .assert_contains("ospp.vbs /sethst:kms19.lhu.edu.tw")
        .assert_contains("這是預覽，尚未儲存。");
    assert!(
        !preview.text.contains("<script>alert") && !preview.text.contains("javascript:alert(1)\""),
        "sanitised"
    );
    assert!(
        preview
            .text
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "the typed Markdown is shown again, escaped"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0,
        "a preview saves nothing"
    );
    assert!(
        !app.get("/tutorials/office?lang=en")
            .await
            .text
            .contains("the new way")
    );

    let fields = with_csrf(
        &s,
        &[
            ("title", "Activate Office, the new way"),
            ("body_md", body),
            ("action", "save"),
        ],
    );
    assert_redirect(
        &post(&app, "/admin/tutorials/office/en", &s, &fields).await,
        "/admin/tutorials?done=saved#office",
    );
    let public = app.get("/tutorials/office?lang=en").await;
    public
        .assert_page(StatusCode::OK)
        .assert_contains("Activate Office, the new way")
        .assert_contains("Step one at Lunghwa University");
    assert!(!public.text.contains("<script>alert"));
    assert!(
        !app.get("/tutorials/office?lang=zh-TW")
            .await
            .text
            .contains("the new way"),
        "only English changed"
    );
    let (action, entity, key, old, new) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("update", "tutorial", "office/en")
    );
    assert!(old["body_md"].as_str().unwrap().contains("{{kms_host}}"));
    assert_eq!(new["title"], "Activate Office, the new way");
}

async fn tutorial_rules_refuse_with_their_messages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let before = server::db::content::find_tutorial(&app.state.db, "windows", Lang::ZhTw)
        .await
        .unwrap()
        .unwrap();
    let long = "x".repeat(201);
    let cases = [
        ("", "body", "title", "A title needs 1 to 200 characters."),
        (
            long.as_str(),
            "body",
            "title",
            "A title needs 1 to 200 characters.",
        ),
        ("Title", "   ", "body_md", "The body must not be empty"),
    ];
    for (title, body, field, message) in cases {
        let fields = with_csrf(
            &s,
            &[("title", title), ("body_md", body), ("action", "save")],
        );
        assert_refused(
            &post(&app, "/admin/tutorials/windows/zh-TW?lang=en", &s, &fields).await,
            field,
            message,
        );
    }
    let after = server::db::content::find_tutorial(&app.state.db, "windows", Lang::ZhTw)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((after.title, after.body_md), (before.title, before.body_md));
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );
}

/// The texts of an error code in both languages, as form fields.
fn code_texts(title_en: &str) -> Vec<(&'static str, String)> {
    let mut fields = Vec::new();
    for (prefix, title) in [("zh", "伺服器說金鑰不能用"), ("en", title_en)] {
        for (name, value) in [
            ("title", title),
            ("message", "The key was refused."),
            ("cause", "The **host** said no."),
            ("remedy", "1. Call {{it_office}}."),
        ] {
            let name: &'static str = match (prefix, name) {
                ("zh", "title") => "zh_title",
                ("zh", "message") => "zh_message",
                ("zh", "cause") => "zh_cause",
                ("zh", "remedy") => "zh_remedy",
                (_, "title") => "en_title",
                (_, "message") => "en_message",
                (_, "cause") => "en_cause",
                _ => "en_remedy",
            };
            fields.push((name, value.to_owned()));
        }
    }
    fields
}

async fn error_code_texts_are_edited_and_new_codes_added(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let mut fields = code_texts("The KMS host cannot be reached (edited)");
    fields.extend([
        ("csrf", s.csrf.clone()),
        ("category", "network".to_owned()),
        ("windows", "on".to_owned()),
        ("office", "on".to_owned()),
    ]);
    assert_redirect(
        &post(&app, "/admin/errors/0xc004f074", &s, &fields).await,
        "/admin/errors?done=saved#0xC004F074",
    );
    app.get("/errors/0xC004F074?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("The KMS host cannot be reached (edited)")
        .assert_contains("<strong>host</strong>")
        .assert_contains("Call Office of Library and Information Services.");
    app.get("/errors/0xC004F074?lang=zh-TW")
        .await
        .assert_contains("伺服器說金鑰不能用");
    let (action, entity, key, old, new) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), entity.as_str(), key.as_str()),
        ("update", "error_code", "0xC004F074")
    );
    assert_ne!(old["en.title"], new["en.title"]);
    assert_eq!(new["en.title"], "The KMS host cannot be reached (edited)");

    let mut fields = code_texts("A brand-new code");
    fields.extend([
        ("csrf", s.csrf.clone()),
        ("code", "c004f0ff".to_owned()),
        ("category", "key".to_owned()),
        ("office", "on".to_owned()),
    ]);
    assert_redirect(
        &post(&app, "/admin/errors/new", &s, &fields).await,
        "/admin/errors?done=created#0xC004F0FF",
    );
    app.get("/errors/c004f0ff?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains("A brand-new code");
    app.get("/errors?lang=en")
        .await
        .assert_contains("0xC004F0FF");
    let (action, _, key, old, new) = last_audit(&app).await;
    assert_eq!(
        (action.as_str(), key.as_str(), old.is_null()),
        ("create", "0xC004F0FF", true)
    );
    assert_eq!(
        (
            new["applies_windows"].as_bool(),
            new["applies_office"].as_bool()
        ),
        (Some(false), Some(true))
    );
}

async fn error_code_rules_refuse_with_their_messages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let n_codes = count(&app, "select count(*) from error_codes").await;
    let before = server::db::edit_content::find_error_code(&app.state.db, "0xC004F074")
        .await
        .unwrap()
        .unwrap();
    let cases: &[(&str, &str, Option<&str>, &str, &str)] = &[
        (
            "/admin/errors/new?lang=en",
            "code",
            Some("0xC004F07"),
            "code",
            "A code is 0x and 8 hexadecimal digits",
        ),
        (
            "/admin/errors/new?lang=en",
            "code",
            Some("0xC004F074"),
            "code",
            "This code exists already",
        ),
        (
            "/admin/errors/0xC004F074?lang=en",
            "category",
            Some("weather"),
            "category",
            "Choose a category from the list.",
        ),
        (
            "/admin/errors/0xC004F074?lang=en",
            "windows",
            None,
            "windows",
            "Tick Windows, Office, or both.",
        ),
        (
            "/admin/errors/0xC004F074?lang=en",
            "en_remedy",
            Some(" "),
            "en_remedy",
            "The remedy must not be empty",
        ),
        (
            "/admin/errors/0xC004F074?lang=en",
            "zh_title",
            Some(""),
            "zh_title",
            "A title needs 1 to 200 characters.",
        ),
    ];
    for (path, name, value, field, message) in cases {
        let mut fields = code_texts("Edited");
        fields.extend([
            ("csrf", s.csrf.clone()),
            ("code", "0xC004F0AA".to_owned()),
            ("category", "network".to_owned()),
            ("windows", "on".to_owned()),
        ]);
        fields.retain(|(n, _)| n != name);
        if let Some(value) = value {
            fields.push((name, (*value).to_owned()));
        }
        assert_refused(&post(&app, path, &s, &fields).await, field, message);
    }
    assert_eq!(
        count(&app, "select count(*) from error_codes").await,
        n_codes
    );
    let after = server::db::edit_content::find_error_code(&app.state.db, "0xC004F074")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, before);
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );
}
