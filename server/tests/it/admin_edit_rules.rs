//! Editing the catalogue, refused: each rule with its message beside its field, nothing
//! changed and nothing audited; deletes and slug changes that would orphan something.

use axum::http::StatusCode;

use crate::admin_auth::get_with_cookie;
use crate::admin_edit::{assert_refused, post, session, set, stored, version_form, with_csrf};
use crate::reports::count;
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    each_version_rule_refuses_with_its_message_and_changes_nothing,
    agreement_and_product_rules_refuse_with_their_messages,
    deleting_what_others_depend_on_is_refused,
);

/// A form posted to a path, the field it should be refused for, and the message.
type FormCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);

async fn each_version_rule_refuses_with_its_message_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    let before = stored(&app, "visual-studio-2017-enterprise").await.unwrap();
    let base = version_form(&before);
    let long = "名".repeat(201);
    let cases: &[(&str, Option<&str>, &str, &str)] = &[
        (
            "slug",
            Some("Visual Studio"),
            "slug",
            "Use 1 to 80 lower-case letters, digits and hyphens.",
        ),
        (
            "slug",
            Some("office-2016-proplus"),
            "slug",
            "This slug is in use already",
        ),
        (
            "name_en",
            Some("  "),
            "name_en",
            "A name needs 1 to 200 characters.",
        ),
        (
            "name_zh",
            Some(&long),
            "name_zh",
            "A name needs 1 to 200 characters.",
        ),
        (
            "family",
            Some("games"),
            "family",
            "Choose a family from the list.",
        ),
        (
            "seats_kind",
            Some("lots"),
            "seats_kind",
            "Choose how the seats are stated.",
        ),
        (
            "seats",
            Some("0"),
            "seats",
            "Seats must be a whole number above 0.",
        ),
        (
            "term_start",
            Some("106/03/01"),
            "term_start",
            "Write dates as YYYY-MM-DD",
        ),
        (
            "term_start",
            Some("2030-01-01"),
            "term_end",
            "The term cannot end before it starts.",
        ),
        (
            "covers",
            Some("windows-11-education"),
            "covers",
            "The ticked products do not fit the family",
        ),
        (
            "covers",
            Some("office-3000-proplus"),
            "covers",
            "The product table has no office-3000-proplus",
        ),
        (
            "edition_upgrade",
            Some("on"),
            "edition_upgrade",
            "An edition upgrade needs a ticked Windows 10 or 11",
        ),
        (
            "sort_order",
            Some("first"),
            "sort_order",
            "Sort order must be a whole number",
        ),
        (
            "product",
            Some("no-such-product"),
            "product",
            "Choose one from the list.",
        ),
    ];
    for (name, value, field, message) in cases {
        let mut fields = set(base.clone(), name, *value);
        if *field == "seats" {
            fields = set(fields, "seats_kind", Some("count"));
        }
        fields.push(("csrf", s.csrf.clone()));
        let refused = post(
            &app,
            "/admin/catalogue/versions/visual-studio-2017-enterprise/edit?lang=en",
            &s,
            &fields,
        )
        .await;
        assert_refused(&refused, field, message);
        let plain = |v: &&str| {
            v.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == ' ')
        };
        let typed = [
            "slug",
            "name_zh",
            "name_en",
            "seats",
            "sort_order",
            "term_start",
            "term_end",
        ];
        if let Some(value) =
            value.filter(|v| typed.contains(name) && !v.trim().is_empty() && plain(v))
        {
            refused.assert_contains(&format!(r#"value="{value}""#));
        }
    }
    assert_eq!(
        stored(&app, "visual-studio-2017-enterprise").await.unwrap(),
        before,
        "nothing changed"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0,
        "nothing audited"
    );
}

async fn agreement_and_product_rules_refuse_with_their_messages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    // (path, fields, the field at fault, its message)
    let cases: &[FormCase] = &[
        (
            "/admin/catalogue/agreements/new?lang=en",
            &[("slug", "-"), ("name_zh", "甲"), ("name_en", "A")],
            "slug",
            "Use 1 to 80",
        ),
        (
            "/admin/catalogue/agreements/new?lang=en",
            &[
                ("slug", "visual-studio"),
                ("name_zh", "甲"),
                ("name_en", "A"),
            ],
            "slug",
            "in use already",
        ),
        (
            "/admin/catalogue/agreements/visual-studio/edit?lang=en",
            &[("slug", "visual-studio"), ("name_zh", ""), ("name_en", "A")],
            "name_zh",
            "A name needs 1 to 200",
        ),
        (
            "/admin/catalogue/products/new?lang=en",
            &[
                ("agreement", "nope"),
                ("slug", "p-1"),
                ("name_zh", "乙"),
                ("name_en", "B"),
            ],
            "agreement",
            "Choose one from the list.",
        ),
        (
            "/admin/catalogue/products/new?lang=en",
            &[
                ("agreement", "visual-studio"),
                ("slug", "project"),
                ("name_zh", "乙"),
                ("name_en", "B"),
            ],
            "slug",
            "in use already",
        ),
        (
            "/admin/catalogue/products/project/edit?lang=en",
            &[
                ("agreement", "visual-studio"),
                ("slug", "project"),
                ("name_zh", "乙"),
                ("name_en", "B"),
                ("sort_order", "1.5"),
            ],
            "sort_order",
            "whole number",
        ),
    ];
    let agreements = count(&app, "select count(*) from agreements").await;
    let products = count(&app, "select count(*) from products").await;
    for (path, fields, field, message) in cases {
        assert_refused(
            &post(&app, path, &s, &with_csrf(&s, fields)).await,
            field,
            message,
        );
    }
    assert_eq!(
        count(&app, "select count(*) from agreements").await,
        agreements
    );
    assert_eq!(count(&app, "select count(*) from products").await, products);
    assert_eq!(count(&app, "select count(*) from products where agreement_id = (select id from agreements where slug = 'visual-studio')").await, 1, "project did not move");
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );
}

async fn deleting_what_others_depend_on_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = session(&app, "alice", "admin").await;
    crate::downloads::download(&app, "project-2016").await;
    let csrf = with_csrf(&s, &[]);
    let n_versions = count(&app, "select count(*) from versions").await;
    let cases = [
        (
            "/admin/catalogue/agreements/office-upgrade/delete?lang=en",
            "still holds 2 products",
        ),
        (
            "/admin/catalogue/products/office-professional-plus/delete?lang=en",
            "still holds 4 versions",
        ),
        (
            "/admin/catalogue/versions/project-2016/delete?lang=en",
            "This version has 1 downloads",
        ),
    ];
    for (path, message) in cases {
        let shown = get_with_cookie(&app, path, &s.cookie).await;
        shown.assert_page(StatusCode::OK).assert_contains(message);
        assert!(
            !shown.text.contains("Delete this for good?"),
            "no confirmation offered"
        );
        let refused = post(&app, path, &s, &csrf).await;
        refused
            .assert_page(StatusCode::CONFLICT)
            .assert_contains(message);
    }
    // Its downloads' tokens carry the slug, so the slug is fixed too.
    let before = stored(&app, "project-2016").await.unwrap();
    let mut fields = set(version_form(&before), "slug", Some("project-2016-renamed"));
    fields.push(("csrf", s.csrf.clone()));
    let refused = post(
        &app,
        "/admin/catalogue/versions/project-2016/edit?lang=en",
        &s,
        &fields,
    )
    .await;
    assert_refused(&refused, "slug", "its slug is fixed");
    assert_eq!(stored(&app, "project-2016").await.unwrap(), before);
    assert_eq!(
        count(&app, "select count(*) from versions").await,
        n_versions,
        "nothing deleted"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from audit_log where entity <> 'account'"
        )
        .await,
        0
    );
}
