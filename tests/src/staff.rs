//! A staff member signed in to a running portal over HTTP (the portal's own forms: sign
//! in, change the password set by `portal admin add`, then any form with its CSRF token).

use std::time::Duration;

use crate::http::{self, Response};
use crate::{Portal, add_staff};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A signed-in staff session.
#[derive(Debug)]
pub struct Staff<'a> {
    portal: &'a Portal,
    cookie: String,
    csrf: String,
}

impl<'a> Staff<'a> {
    /// Adds the account `user` with `role` to `portal`, signs in, and replaces the
    /// one-time password as the portal asks.
    pub fn sign_in(portal: &'a Portal, user: &str, role: &str) -> Staff<'a> {
        let first = "a first password set by a colleague";
        add_staff(portal, user, role, first);
        let signed_in = form(
            portal,
            "",
            "/admin/login",
            &[("username", user), ("password", first)],
        );
        assert_eq!(signed_in.status, 303, "{}", signed_in.text());
        let cookie = signed_in
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let mut staff = Staff {
            portal,
            cookie,
            csrf: String::new(),
        };
        staff.csrf = csrf_of(&staff.get("/admin/password").text());
        let own = "an own long passphrase for the lab";
        let changed = staff.post(
            "/admin/password",
            &[("current", first), ("new", own), ("confirm", own)],
        );
        assert_eq!(changed.status, 303, "{}", changed.text());
        // A changed password starts a new session.
        if let Some(cookie) = changed
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
        {
            staff.cookie = cookie.to_owned();
            staff.csrf = csrf_of(&staff.get("/admin/password").text());
        }
        staff
    }

    /// The session cookie's value (the secret), for a client that sets the cookie itself.
    pub fn session_secret(&self) -> &str {
        self.cookie.split_once('=').map_or("", |(_, value)| value)
    }

    /// `GET path` with the session.
    pub fn get(&self, path: &str) -> Response {
        let cookie = [("Cookie", self.cookie.as_str())];
        http::request(self.portal.address(), "GET", path, &cookie, &[], TIMEOUT)
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Posts the form `fields` and the session's CSRF token to `path`.
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        form(self.portal, &self.cookie, path, &all)
    }
}

/// Posts `fields`, percent-encoded, with `cookie` (none when empty).
fn form(portal: &Portal, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Response {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if !cookie.is_empty() {
        headers.push(("Cookie", cookie));
    }
    http::request(
        portal.address(),
        "POST",
        path,
        &headers,
        body.as_bytes(),
        TIMEOUT,
    )
    .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

/// The CSRF token in a page's forms.
fn csrf_of(page: &str) -> String {
    page.split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form with a CSRF token")
        .to_owned()
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
