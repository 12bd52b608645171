//! Operations: Prometheus metrics for admins only.

use axum::http::{StatusCode, header};

use crate::admin_auth::{add_user, get_with_cookie, sign_in};
use crate::downloads::download;
use crate::reports::{post, report};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(metrics_are_for_admins_and_count_what_happens);

async fn metrics_are_for_admins_and_count_what_happens(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "alice", "admin", false).await;
    add_user(&app, "vera", "viewer", false).await;
    let token = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    assert_eq!(
        post(
            &app,
            Some(&token),
            serde_json::to_vec(&report("office-2019-proplus", 1)).unwrap()
        )
        .await
        .status,
        StatusCode::CREATED
    );
    app.get("/errors/0xC004F074").await;

    let anonymous = app.get("/admin/metrics").await;
    assert_eq!(
        (anonymous.status, anonymous.header(header::LOCATION)),
        (StatusCode::SEE_OTHER, "/admin/login")
    );
    let viewer = sign_in(&app, "vera").await;
    assert_eq!(
        get_with_cookie(&app, "/admin/metrics", &viewer)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let admin = sign_in(&app, "alice").await;
    let scrape = get_with_cookie(&app, "/admin/metrics", &admin).await;
    assert_eq!(scrape.status, StatusCode::OK);
    assert!(
        scrape
            .header(header::CONTENT_TYPE)
            .starts_with("text/plain")
    );
    for needle in [
        r#"reports_total{outcome="success",new="true"}"#,
        "downloads_total",
        "ingest_batch_size",
        "db_pool_connections",
        r#"route="/errors/{code}""#,
        "http_request_duration_seconds",
    ] {
        assert!(
            scrape.text.contains(needle),
            "{needle} missing from:\n{}",
            scrape.text
        );
    }
    assert!(
        !scrape.text.contains("0xC004F074"),
        "series are labelled by route pattern, not by path"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_json_api() {
    let app = TestApp::new(Backend::Sqlite).await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status, StatusCode::OK);
    let doc = response.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for (path, method) in [
        ("/api/v1/catalog", "get"),
        ("/api/v1/reports", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
        // Every documented path is served (never a 404).
        let request = axum::http::Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        assert_ne!(
            app.request(request).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let statuses: Vec<&str> = doc["paths"]["/api/v1/reports"]["post"]["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        statuses,
        ["200", "201", "401", "403", "413", "415", "422", "429"]
    );
    let report = &doc["components"]["schemas"]["Report"];
    let required: Vec<&str> = report["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "schema",
        "report_id",
        "product",
        "machine",
        "findings",
        "products",
        "outcome",
    ] {
        assert!(
            required.contains(&field),
            "{field} is required in the schema"
        );
    }
    assert!(doc["components"]["securitySchemes"]["download_token"].is_object());
    assert!(
        doc["paths"]["/admin/export/{file}"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .len()
            >= 6,
        "the export and its filters"
    );
    assert!(doc["components"]["schemas"]["ExportDocument"]["properties"]["rows"].is_object());
}
