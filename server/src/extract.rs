//! The extractors and request checks the handlers share. Each refuses with our own
//! [`Error`], so a bad request gets the same clear page, or JSON under `/api/`, as any
//! other: the request's language, the client's address, a query string, a JSON body's
//! content type, a bearer token, and the free-text and slug parameter checks.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use crate::error::{Error, QueryProblem};
use crate::lang::Lang;
use crate::network::client_address;
use crate::state::AppState;
use crate::token::Refusal;

pub use protocol::is_slug;

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Error;

    /// Reads the language that the `remember_lang` middleware resolved for this request.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Lang>() {
            Some(lang) => Ok(*lang),
            None => Ok(Lang::resolve(parts.uri.query(), &parts.headers)?.0),
        }
    }
}

/// The client's address, as [`client_address`] decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Error;

    /// Needs the connection's address, which `serve` provides and tests insert.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("no connection address")))?;
        let trusted = state.config.trusted_proxies.as_slice();
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(client_address(peer, &forwarded, trusted)))
    }
}

/// `axum::extract::Query` whose rejection is our own error, so a malformed query string
/// gets the same clear 400 page as any other bad parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(Error::InvalidQuery {
                field: "query",
                reason: QueryProblem::Unreadable(rejection.body_text()),
            }),
        }
    }
}

/// Checks a free-text query parameter: trimmed, at most `max` characters, no control
/// characters. Empty means absent.
pub fn text_param(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Error> {
    exact_param(field, value.map(str::trim), max)
}

/// [`text_param`] for a value taken as sent, untrimmed (an API's parameter).
pub fn exact_param(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Error> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(Error::InvalidQuery {
            field,
            reason: QueryProblem::TooLong(max),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidQuery {
            field,
            reason: QueryProblem::ControlCharacter,
        });
    }
    Ok(Some(value.to_owned()))
}

/// Parses an optional choice parameter (trimmed; empty means "all"): one of `allowed`,
/// as `parse` reads it.
pub fn choice_param<T, const N: usize>(
    field: &'static str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    allowed: [&'static str; N],
) -> Result<Option<T>, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| Error::InvalidQuery {
            field,
            reason: QueryProblem::NotOneOf(allowed.to_vec()),
        }),
    }
}

/// Refuses a body that does not say it is `application/json` (parameters such as
/// `charset` allowed).
pub fn require_json(headers: &HeaderMap) -> Result<(), Error> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if json {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType)
    }
}

/// The `Authorization: Bearer` download token, if it has a token's form (checked for
/// real by `token::TokenKey::verify`).
pub fn bearer(headers: &HeaderMap) -> Result<&str, Error> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with("v1.") && t.len() <= protocol::config::MAX_TOKEN_BYTES)
        .ok_or(Error::Unauthorized(Refusal::Missing))
}
/// `text` as an address to store (trimmed), or `None` when it is not one: `user@host`,
/// at most 254 characters, without a display name.
pub fn email_address(text: &str) -> Option<String> {
    let text = text.trim();
    (text.len() <= 254 && text.parse::<lettre::Address>().is_ok()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked() {
        assert_eq!(
            email_address(" it@example.edu "),
            Some("it@example.edu".to_owned())
        );
        assert_eq!(
            email_address("陳@例子.台灣"),
            Some("陳@例子.台灣".to_owned())
        );
        for bad in [
            "",
            "it",
            "it@",
            "@example.edu",
            "IT <it@example.edu>",
            "a b@example.edu",
        ] {
            assert_eq!(email_address(bad), None, "{bad}");
        }
        assert_eq!(
            email_address(&format!("{}@example.edu", "a".repeat(250))),
            None
        );
    }
}
