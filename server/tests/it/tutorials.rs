//! Tutorials: both families, both languages, the configured KMS host in the commands.

use axum::http::StatusCode;

use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(
    tutorials_show_the_configured_kms_host,
    tutorials_list_every_key_of_the_product_table,
    tutorials_cover_the_seed_facts,
    unknown_tutorial_is_404
);

async fn tutorials_show_the_configured_kms_host(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        c.kms.host = "kms.example.edu".to_owned();
        c.kms.port = 1700;
    })
    .await;
    for lang in ["zh-TW", "en"] {
        app.get(&format!("/tutorials/office?lang={lang}"))
            .await
            .assert_page(StatusCode::OK)
            .assert_contains("cscript ospp.vbs /sethst:kms.example.edu")
            .assert_contains("cscript ospp.vbs /setprt:1700")
            .assert_contains("cscript ospp.vbs /act");
        let windows = app.get(&format!("/tutorials/windows?lang={lang}")).await;
        windows
            .assert_page(StatusCode::OK)
            .assert_contains("slmgr.vbs /skms kms.example.edu:1700");
        assert!(
            !windows.text.contains("kms19.lhu.edu.tw"),
            "the default host leaked into the page"
        );
        assert!(
            !windows.text.contains("{{"),
            "an unfilled placeholder is shown"
        );
    }
}

async fn tutorials_cover_the_seed_facts(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = app.get("/tutorials/office?lang=en").await;
    office.assert_page(StatusCode::OK);
    for needle in [
        r"C:\Program Files\Microsoft Office\",
        r"C:\Program Files (x86)\Microsoft Office\",
        "Office14",
        "Office15",
        "Office16",
        "/dstatus",
        "180",
        "7 days",
        "VPN",
        "Microsoft 365",
        r#"href="/errors/0xC004F074""#,
        r#"id="md-section-1""#,
    ] {
        office.assert_contains(needle);
    }
    let windows = app.get("/tutorials/windows").await;
    windows.assert_page(StatusCode::OK);
    for needle in [
        "slmgr.vbs /ato",
        "slmgr.vbs /dlv",
        "180",
        "VPN",
        "NPPR9-FWDCX-D2C8J-H872K-2YT43",
    ] {
        windows.assert_contains(needle);
    }
    app.get("/tutorials?lang=en")
        .await
        .assert_page(StatusCode::OK)
        .assert_contains(r#"href="/tutorials/windows""#)
        .assert_contains(r#"href="/tutorials/office""#)
        .assert_contains("Project 2016");
}

async fn unknown_tutorial_is_404(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.get("/tutorials/linux")
        .await
        .assert_page(StatusCode::NOT_FOUND);
    app.get(&format!("/tutorials/{}", "x".repeat(300)))
        .await
        .assert_page(StatusCode::NOT_FOUND);
}

/// The keys people type come from the same table the activator installs from.
async fn tutorials_list_every_key_of_the_product_table(backend: Backend) {
    let app = TestApp::new(backend).await;
    for lang in ["zh-TW", "en"] {
        let windows = app.get(&format!("/tutorials/windows?lang={lang}")).await;
        let office = app.get(&format!("/tutorials/office?lang={lang}")).await;
        for product in protocol::products::TABLE.iter() {
            let page = if product.is_windows() {
                &windows
            } else {
                &office
            };
            page.assert_contains(&format!("<td>{}</td>", product.name))
                .assert_contains(&format!("<code>{}</code>", product.key));
        }
        windows.assert_contains("Windows 11");
        office.assert_contains("LTSC 2024");
    }
}
