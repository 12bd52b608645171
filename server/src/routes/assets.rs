//! `GET /static/{name}`: the embedded stylesheet and icon.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::assets;
use crate::error::{Error, Result};

/// Serves an embedded asset, cacheable for a year: its URL changes when its bytes do.
pub async fn get_asset(Path(name): Path<String>, request_headers: HeaderMap) -> Result<Response> {
    let asset = assets::get(&name).ok_or(Error::NotFound)?;
    let etag = format!("\"{}\"", asset.hash);
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| Error::Internal(e.into()))?;
    if request_headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, cache),
            (header::ETAG, etag_value),
        ],
        asset.bytes,
    )
        .into_response())
}
