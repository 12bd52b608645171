//! Request handlers, one module per feature. Page and query structs sit just above the
//! handler that uses them; SQL stays in `db`.

pub mod api;
pub mod assets;
pub mod catalog;
pub mod downloads;
pub mod errors;
pub mod health;
pub mod reports;
pub mod tutorials;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::Error;

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
                reason: format!("cannot be read: {}", rejection.body_text()),
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
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(Error::InvalidQuery {
            field,
            reason: format!("must be at most {max} characters"),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidQuery {
            field,
            reason: "must not contain control characters".to_owned(),
        });
    }
    Ok(Some(value.to_owned()))
}

pub use protocol::is_slug;
