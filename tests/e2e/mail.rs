//! The daily digest through a real SMTP server: `portal demo-data` fills the dashboard,
//! `portal notify --now` queues and sends each subscriber's digest to aiosmtpd on
//! loopback, and the messages received say what the dashboard says, in each reader's
//! language; a second `notify` sends nothing twice. A burst of failures from one network,
//! through the real report API, sends one alert to each, once.

use e2e::database::scalar;
use e2e::load::{post, token_of};
use e2e::smtp::SmtpServer;
use e2e::staff::Staff;
use e2e::{Portal, PortalOptions, run_portal_command};

/// Runs `portal ARGS` against `portal`'s database with mail to `smtp`.
fn portal_command(portal: &Portal, smtp: &SmtpServer, args: &[&str], stdin: &str) -> String {
    let database = portal.database_url();
    let data_dir = portal.data_dir().display().to_string();
    let smtp_url = smtp.url();
    let public_url = portal.base_url();
    let (ok, text) = run_portal_command(
        args,
        &[
            ("PORTAL_DATABASE_URL", database.as_str()),
            ("PORTAL_DATA_DIR", data_dir.as_str()),
            ("PORTAL_MAIL__SMTP_URL", smtp_url.as_str()),
            ("PORTAL_MAIL__FROM", "IT Office <it@example.edu>"),
            ("PORTAL_PUBLIC_URL", public_url.as_str()),
        ],
        stdin,
    );
    assert!(ok, "portal {args:?}: {text}");
    text
}

#[test]
fn notify_sends_each_subscriber_the_dashboard_in_their_language_once() {
    let smtp = SmtpServer::start();
    let portal = Portal::start(PortalOptions::new().env(
        "PORTAL_ACTIVATOR_EXE",
        env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml",
    ));
    portal_command(&portal, &smtp, &["demo-data", "--reports", "400"], "");
    // A licence ending in 20 days, and one ended long ago.
    // The portal's day is the institution's (Asia/Taipei, UTC+8 all year).
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let ending = today + time::Duration::days(20);
    let database = portal.database_url();
    scalar(
        &database,
        &format!(
            "update versions set term_end = '{ending}' where slug = 'office-2019-proplus' returning id"
        ),
    );
    let password = "a first password set by a colleague\n";
    portal_command(
        &portal,
        &smtp,
        &[
            "admin",
            "add",
            "alice",
            "--role",
            "admin",
            "--email",
            "alice@example.edu",
        ],
        password,
    );
    portal_command(
        &portal,
        &smtp,
        &[
            "admin",
            "add",
            "bob",
            "--email",
            "bob@example.edu",
            "--lang",
            "en",
        ],
        password,
    );
    // An account without an address, and one that opted out, get nothing.
    portal_command(&portal, &smtp, &["admin", "add", "carol"], password);
    portal_command(
        &portal,
        &smtp,
        &["admin", "add", "dave", "--email", "dave@example.edu"],
        password,
    );
    let opted_out = portal_command(
        &portal,
        &smtp,
        &["admin", "mail", "dave", "--digest", "off"],
        "",
    );
    assert!(opted_out.contains("no daily digest"), "{opted_out}");

    let first = portal_command(&portal, &smtp, &["notify", "--now"], "");
    assert!(
        first.contains("queued 2 digests and 0 alerts; sent 2 messages"),
        "{first}"
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");

    // What the dashboard says of yesterday, in its own exports.
    let viewer = Staff::sign_in(&portal, "vera", "viewer");
    let yesterday = (today - time::Duration::days(1)).to_string();
    let export = |table: &str| -> serde_json::Value {
        let response = viewer.get(&format!(
            "/admin/export/{table}.json?from={yesterday}&to={yesterday}"
        ));
        assert_eq!(response.status, 200, "{table}: {}", response.text());
        serde_json::from_slice(&response.body).unwrap()
    };
    let daily = export("daily");
    let reports = daily["rows"][0]["total"].as_i64().unwrap();
    let success = daily["rows"][0]["success"].as_i64().unwrap();
    let errors = export("errors");

    for message in &messages {
        assert_eq!(message.from, "\"IT Office\" <it@example.edu>");
        assert!(message.dated_and_identified, "{message:#?}");
        assert!(
            message
                .content_type
                .starts_with("text/plain; charset=utf-8"),
            "{}",
            message.content_type
        );
    }
    let zh = messages
        .iter()
        .find(|m| m.to == ["alice@example.edu"])
        .expect("alice's digest");
    let en = messages
        .iter()
        .find(|m| m.to == ["bob@example.edu"])
        .expect("bob's digest");
    assert_eq!(
        zh.subject,
        format!("龍華科技大學 授權軟體入口：{yesterday} 每日摘要")
    );
    assert_eq!(
        en.subject,
        format!(
            "Lunghwa University of Science and Technology licence portal: daily digest for {yesterday}"
        )
    );
    if reports > 0 {
        assert!(
            zh.body
                .contains(&format!("回報 {reports} 筆：成功 {success}，")),
            "{}",
            zh.body
        );
        assert!(
            en.body
                .contains(&format!("{reports} reports: {success} succeeded, ")),
            "{}",
            en.body
        );
    } else {
        assert!(zh.body.contains("沒有收到回報。"), "{}", zh.body);
        assert!(en.body.contains("No reports arrived."), "{}", en.body);
    }
    let base = portal.base_url();
    for row in errors["rows"].as_array().unwrap().iter().take(5) {
        let code = row["code"].as_str().unwrap();
        let link = format!("{base}/errors/{code}?lang=en");
        assert!(en.body.contains(&link), "{link} in {}", en.body);
        assert!(
            zh.body.contains(&format!("{base}/errors/{code}")),
            "{}",
            zh.body
        );
    }
    assert!(
        en.body.contains(&format!(
            "Office 2019 Professional Plus: licensed until {ending}, 20 days left."
        )),
        "{}",
        en.body
    );
    assert!(
        zh.body.contains(&format!(
            "Office 專業增強版 2019：授權至 {ending}，還有 20 天。"
        )),
        "{}",
        zh.body
    );
    assert!(
        en.body
            .contains("Windows 10 Enterprise: the licence ended on "),
        "{}",
        en.body
    );
    assert!(
        en.body.contains(&format!("{base}/admin/mail?lang=en")),
        "the way to opt out: {}",
        en.body
    );

    // Again the same day: nothing is queued or sent twice.
    let second = portal_command(&portal, &smtp, &["notify", "--now"], "");
    assert!(
        second.contains("queued 0 digests and 0 alerts; sent 0 messages"),
        "{second}"
    );
    assert_eq!(smtp.messages().len(), 2);

    // Six PCs' worth of 0xC004F074 from one network, through the report API.
    let token = token_of(&portal);
    let failure: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/reports/failure.json")).unwrap();
    for n in 0..6 {
        let mut report = failure.clone();
        report["report_id"] = format!("c004f074-0000-4000-8000-{n:012x}").into();
        let response = post(
            portal.address(),
            &token,
            &serde_json::to_vec(&report).unwrap(),
        )
        .unwrap();
        assert!(
            response.status == 201 || response.status == 200,
            "{}",
            response.text()
        );
    }
    let alerted = portal_command(&portal, &smtp, &["notify", "--now"], "");
    assert!(
        // dave turned off only the digest: the alert comes to him too.
        alerted.contains("queued 0 digests and 3 alerts; sent 3 messages"),
        "{alerted}"
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 5);
    assert!(messages.iter().any(|m| m.to == ["dave@example.edu"]));
    let alert = messages
        .iter()
        .find(|m| m.to == ["bob@example.edu"] && m.subject.contains("0xC004F074"))
        .expect("bob's alert");
    assert!(
        alert.subject.starts_with("Lunghwa University of Science and Technology licence portal: 0xC004F074 keeps coming from "),
        "{}",
        alert.subject
    );
    assert!(
        alert.body.contains("reported 0xC004F074 6 times"),
        "{}",
        alert.body
    );
    assert!(
        alert
            .body
            .contains(&format!("{base}/errors/0xC004F074?lang=en")),
        "{}",
        alert.body
    );
    assert!(
        messages
            .iter()
            .any(|m| m.to == ["alice@example.edu"] && m.subject.contains("頻繁出現 0xC004F074")),
        "alice's alert, in Chinese"
    );
    // The same alert is not sent again within its period.
    let again = portal_command(&portal, &smtp, &["notify", "--now"], "");
    assert!(
        again.contains("queued 0 digests and 0 alerts; sent 0 messages"),
        "{again}"
    );
    assert_eq!(smtp.messages().len(), 5);
}
