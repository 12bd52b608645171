//! The licence calendar feed behind each account's secret link: it parses as iCalendar
//! with an event for each term's first and last day, and a wrong, renewed or borrowed
//! key answers 404.

use axum::http::{StatusCode, header};
use icalendar::{Calendar, CalendarComponent, Component};

use crate::admin_auth::{add_user, csrf_of, get_with_cookie, post_form, sign_in};
use crate::util::{Backend, TestApp, on_both_databases};

on_both_databases!(the_calendar_link_serves_every_term_and_only_while_it_is_current);

/// The feed path (with its key) the mail page shows.
async fn link_on_page(app: &TestApp, cookie: &str) -> String {
    let page = get_with_cookie(app, "/admin/mail?lang=en", cookie).await;
    let link = page
        .text
        .split("id=\"calendar-link\" type=\"text\" value=\"")
        .nth(1)
        .expect("the page shows the link")
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let base = &app.state.config.public_url;
    link.strip_prefix(base.as_str())
        .expect("an absolute link")
        .to_owned()
}

async fn the_calendar_link_serves_every_term_and_only_while_it_is_current(backend: Backend) {
    let app = TestApp::new(backend).await;
    add_user(&app, "vera", "viewer", false).await;
    let cookie = sign_in(&app, "vera").await;
    let csrf = csrf_of(&app, &cookie).await;
    let page = get_with_cookie(&app, "/admin/mail?lang=en", &cookie).await;
    assert!(page.text.contains("Create a calendar link"));
    assert!(
        !page.text.contains("calendar-link"),
        "no link before one is made"
    );
    let made = post_form(
        &app,
        "/admin/mail/calendar",
        &[("csrf", &csrf)],
        Some(&cookie),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let path = link_on_page(&app, &cookie).await;
    assert!(path.starts_with("/calendar.ics?key="), "{path}");

    let feed = app.get(&path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.header(header::CONTENT_TYPE),
        "text/calendar; charset=utf-8"
    );
    for line in feed.text.split("\r\n") {
        assert!(line.len() <= 75, "folded at 75 octets: {line:?}");
    }
    let calendar: Calendar = feed.text.parse().expect("valid iCalendar");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(event) => Some(event),
            _ => None,
        })
        .collect();
    let versions = server::db::catalog::list_versions(&app.state.db)
        .await
        .unwrap();
    let terms: usize = versions
        .iter()
        .map(|v| {
            usize::from(v.version.term_start.is_some()) + usize::from(v.version.term_end.is_some())
        })
        .sum();
    assert!(terms > 0);
    assert_eq!(
        events.len(),
        terms,
        "an event for each term's first and last day"
    );
    let mut uids: Vec<&str> = events.iter().map(|e| e.get_uid().unwrap()).collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), terms, "each event has a UID of its own");
    let office = versions
        .iter()
        .find(|v| v.version.slug == "office-2019-proplus")
        .unwrap();
    let end = office.version.term_end.unwrap();
    let ends = events
        .iter()
        .find(|e| e.get_summary() == Some("Office 專業增強版 2019：授權到期"))
        .expect("the end of Office 2019's term, in the account's language");
    let start = match ends.get_start() {
        Some(icalendar::DatePerhapsTime::Date(day)) => day,
        other => panic!("an all-day event, got {other:?}"),
    };
    assert_eq!(start.to_string(), end.to_string());

    // A wrong signature, another account's id with this signature, a malformed key: 404.
    let key = path.trim_start_matches("/calendar.ics?key=");
    let (id, rest) = key.split_once('.').unwrap();
    let mut wrong = key.to_owned();
    wrong.replace_range(key.len() - 1.., if key.ends_with('0') { "1" } else { "0" });
    for bad in [
        format!("/calendar.ics?key={wrong}"),
        format!(
            "/calendar.ics?key={}.{rest}",
            id.parse::<i64>().unwrap() + 1
        ),
        "/calendar.ics?key=1.1".to_owned(),
        "/calendar.ics".to_owned(),
    ] {
        assert_eq!(app.get(&bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // A new link stops the old one.
    post_form(
        &app,
        "/admin/mail/calendar",
        &[("csrf", &csrf)],
        Some(&cookie),
    )
    .await;
    let renewed = link_on_page(&app, &cookie).await;
    assert_ne!(renewed, path);
    assert_eq!(
        app.get(&path).await.status,
        StatusCode::NOT_FOUND,
        "the old link"
    );
    assert_eq!(
        app.get(&renewed).await.status,
        StatusCode::OK,
        "the new link"
    );
}
