//! 10,000 malformed, oversized, wrong-typed, wrong-token and replayed reports: every one
//! gets a 4xx, none a 5xx, none is stored, and the server still takes a good report.
//!
//! The corpus is generated from the valid fixture with a seeded generator, so a failure
//! can be reproduced; each body is checked to be invalid (or sent with a bad token) first.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use protocol::report::{MAX_REPORT_BYTES, Report};
use serde_json::{Map, Value, json};

use crate::downloads::download;
use crate::reports::{count, post, report};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(ten_thousand_bad_reports_get_4xx_and_store_nothing);

/// How many bad requests the corpus holds.
pub const CORPUS: usize = 10_000;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One bad request: body, content type, token.
struct Bad {
    body: Vec<u8>,
    content_type: &'static str,
    token: Option<String>,
}

async fn ten_thousand_bad_reports_get_4xx_and_store_nothing(backend: Backend) {
    let app = TestApp::with_config(backend, |c| {
        // Let every request reach full validation rather than stop at a rate limit.
        c.limits.reports_per_minute_per_network = 1_000_000;
        c.limits.reports_per_minute_per_token = 1_000_000;
    })
    .await;
    let good_token = download(&app, "office-2019-proplus")
        .await
        .download_token
        .into_exposed();
    let windows_token = download(&app, "windows-10-enterprise")
        .await
        .download_token
        .into_exposed();
    let expired = app
        .state
        .tokens
        .issue(
            "office-2019-proplus",
            time::OffsetDateTime::now_utc() - time::Duration::hours(1),
        )
        .unwrap()
        .token
        .expose()
        .to_owned();
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let mut statuses = std::collections::BTreeMap::new();
    let mut sent = 0;
    while sent < CORPUS {
        let bad = generate(&mut rng, sent as u32, &good_token, &windows_token, &expired);
        let mut request =
            Request::post("/api/v1/reports").header(header::CONTENT_TYPE, bad.content_type);
        if let Some(token) = &bad.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = app
            .request(request.body(Body::from(bad.body)).unwrap())
            .await;
        assert!(
            response.status.is_client_error(),
            "request {sent} got {}: {}",
            response.status,
            response.text
        );
        *statuses.entry(response.status.as_u16()).or_insert(0) += 1;
        sent += 1;
    }
    assert_eq!(
        count(&app, "select count(*) from reports").await,
        0,
        "nothing stored: {statuses:?}"
    );
    // Every kind of refusal was exercised.
    for status in [401, 413, 415, 422] {
        assert!(
            statuses.get(&status).copied().unwrap_or(0) > 100,
            "{status} rarely seen: {statuses:?}"
        );
    }
    // The server is still up and still stores a good report.
    let good = post(
        &app,
        Some(&good_token),
        serde_json::to_vec(&report("office-2019-proplus", 99)).unwrap(),
    )
    .await;
    assert_eq!(good.status, StatusCode::CREATED);
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

fn generate(rng: &mut Rng, n: u32, good: &str, windows: &str, expired: &str) -> Bad {
    let valid = report("office-2019-proplus", 50_000 + n);
    let json_bad = |body: Vec<u8>| Bad {
        body,
        content_type: "application/json",
        token: Some(good.to_owned()),
    };
    match rng.below(10) {
        // Structural edits of the JSON (the largest share).
        0..=4 => loop {
            let mut value = valid.clone();
            for _ in 0..=rng.below(3) {
                mutate(rng, &mut value);
            }
            let body = serde_json::to_vec(&value).unwrap();
            if Report::from_json(&body).is_err() {
                return json_bad(body);
            }
        },
        // Corrupted bytes: truncation, flipped bytes, garbage.
        5 => {
            let mut body = serde_json::to_vec(&valid).unwrap();
            match rng.below(3) {
                0 => body.truncate(rng.below(body.len())),
                1 => {
                    for _ in 0..=rng.below(8) {
                        let at = rng.below(body.len());
                        body[at] = (rng.next() & 0xff) as u8;
                    }
                }
                _ => {
                    body = (0..rng.below(2000))
                        .map(|_| (rng.next() & 0xff) as u8)
                        .collect()
                }
            }
            if Report::from_json(&body).is_ok() {
                body.push(b'}');
            }
            json_bad(body)
        }
        // Oversized: past the report limit, some past the server's body limit.
        6 => {
            let mut value = valid.clone();
            value["findings"][0]["detail"] = "x"
                .repeat(MAX_REPORT_BYTES + 1024 + rng.below(48 * 1024))
                .into();
            json_bad(serde_json::to_vec(&value).unwrap())
        }
        // A valid body sent as something other than JSON.
        7 => {
            let kinds = [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "application/jsonx",
                "",
            ];
            Bad {
                body: serde_json::to_vec(&valid).unwrap(),
                content_type: kinds[rng.below(kinds.len())],
                token: Some(good.to_owned()),
            }
        }
        // Replays of a valid body with someone else's, an expired, a forged or no token.
        _ => {
            let forged = format!("v1.{}.9999999999.{}", "ab".repeat(12), "cd".repeat(32));
            let token = rng
                .pick(&[
                    Some(windows.to_owned()),
                    Some(expired.to_owned()),
                    Some(forged),
                    None,
                    Some("v1.".to_owned()),
                ])
                .clone();
            Bad {
                body: serde_json::to_vec(&valid).unwrap(),
                content_type: "application/json",
                token,
            }
        }
    }
}

/// One random edit somewhere in `value`.
fn mutate(rng: &mut Rng, value: &mut Value) {
    let junk = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1e308),
        json!(18446744073709551615_u64),
        json!(""),
        json!("\u{0}"),
        json!("x".repeat(300)),
        json!([]),
        json!({}),
        json!([1, 2, 3]),
        json!("0xC004F07"),
        json!("not-a-uuid"),
        json!("🙂"),
    ];
    let target = pick_object(rng, value);
    let keys: Vec<String> = target.keys().cloned().collect();
    match rng.below(3) {
        0 if !keys.is_empty() => {
            let key = rng.pick(&keys).clone();
            target.insert(key, rng.pick(&junk).clone());
        }
        1 if !keys.is_empty() => {
            let key = rng.pick(&keys).clone();
            target.remove(&key);
        }
        _ => {
            target.insert(
                format!("unexpected_{}", rng.below(100)),
                rng.pick(&junk).clone(),
            );
        }
    }
}

/// A random object inside `value` (the report, its machine, a finding or a product);
/// the report itself when an earlier edit removed the one picked.
fn pick_object<'a>(rng: &mut Rng, value: &'a mut Value) -> &'a mut Map<String, Value> {
    let path = *rng.pick(&[
        "",
        "/machine",
        "/findings/0",
        "/findings/2",
        "/products/0",
        "/products/1",
    ]);
    let path = if matches!(value.pointer(path), Some(Value::Object(_))) {
        path
    } else {
        ""
    };
    match value.pointer_mut(path) {
        Some(Value::Object(map)) => map,
        _ => unreachable!("a report is an object"),
    }
}
