//! Middleware that every request passes through.
//!
//! - [`decorate`] resolves the request's language, remembers a chosen one in a cookie,
//!   and turns every bare error response (ours, or axum's and tower-http's own: 405, 413,
//!   408, a panic) into a page in that language, or a JSON error under `/api/` and
//!   `/admin/export/`.
//! - [`limit_uri`] refuses over-long addresses before any routing or parsing.
//! - [`security_headers`] sets the headers every response carries.
//!   It also keeps staff pages (under `/admin`) out of every cache and uncompressed:
//!   they carry a session's CSRF token beside text the request chose (a search, a form
//!   as typed), and a compressed body's length would let an observer guess the token
//!   byte by byte (BREACH). One middleware for all of it: each layer costs every request
//!   a future of its own.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::access_log::Failure;
use crate::error::{Error, ErrorReport};
use crate::lang::{LANG_COOKIE, Lang};
use crate::layout::{Layout, Nav, PageContext};
use crate::state::AppState;

/// The longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 2048;

/// The error page.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

/// The JSON body of an API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiError<'a> {
    /// A stable machine-readable code.
    pub error: &'a str,
    /// A precise message in English.
    pub message: &'a str,
    /// The field or parameter at fault, if one is.
    pub field: Option<&'a str>,
}

/// Resolves the language, renders bare errors, and sets the language cookie.
pub async fn decorate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    // The JSON API, and the staff exports, which are an API too (`/openapi.json`).
    let is_api = path.starts_with("/api/") || path.starts_with("/admin/export/");
    let (lang, chosen) = match Lang::resolve(query.as_deref(), request.headers()) {
        Ok(resolved) => resolved,
        Err(error) => {
            let lang = Lang::resolve(None, request.headers()).map_or(Lang::ZhTw, |(l, _)| l);
            let context = PageContext {
                lang,
                path,
                query: None,
                cookies: None,
            };
            return render_error(&state, &context, is_api, Error::from(error).into_response());
        }
    };
    request.extensions_mut().insert(lang);
    let response = next.run(request).await;
    let context = PageContext {
        lang,
        path,
        query,
        cookies: None,
    };
    let mut response = render_error(&state, &context, is_api, response);
    if context.path.starts_with("/admin") {
        keep_private(&mut response);
    }
    if !is_api {
        let headers = response.headers_mut();
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Language, Cookie"),
        );
        if chosen {
            let secure = if state.config.public_url.starts_with("https://") {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
                lang.tag()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
    }
    response
}

/// Marks a response that must not be compressed (see [`decorate`]); the compression
/// layer's predicate, [`Uncompressed`], reads it.
#[derive(Clone, Copy, Debug)]
pub struct KeepUncompressed;

/// The compression predicate part that spares responses marked [`KeepUncompressed`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Uncompressed;

impl tower_http::compression::Predicate for Uncompressed {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: http_body::Body,
    {
        response.extensions().get::<KeepUncompressed>().is_none()
    }
}

/// Keeps a staff page out of every cache and uncompressed (see [`decorate`]).
fn keep_private(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(KeepUncompressed);
}

/// Refuses request targets longer than [`MAX_URI_BYTES`] with 414.
pub async fn limit_uri(request: Request, next: Next) -> Response {
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if length > MAX_URI_BYTES {
        return StatusCode::URI_TOO_LONG.into_response();
    }
    next.run(request).await
}

/// The headers every response carries, unless a handler set its own.
const SECURITY_HEADERS: [(&str, &str); 6] = [
    // No inline script or style anywhere: everything comes from /static.
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
];

/// Middleware, outermost: sets [`SECURITY_HEADERS`] on every response, ours or not
/// (one middleware rather than a layer per header: each layer costs every request a
/// clone and a future of its own).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// Replaces a bare error response with a page or JSON; leaves every other response alone.
///
/// A response is bare when it is an error status and carries our [`ErrorReport`], or has
/// no body type of its own (axum's 405, tower-http's 413 and 408, a caught panic).
fn render_error(
    state: &AppState,
    context: &PageContext,
    is_api: bool,
    response: Response,
) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let report = response.extensions().get::<ErrorReport>().cloned();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let bare = content_type.is_none_or(|t| t.starts_with("text/plain"));
    if report.is_none() && !bare {
        return response;
    }
    let report = report.unwrap_or_else(|| ErrorReport::for_status(status));
    // Keep headers that matter to the client, such as `Allow` on a 405.
    let kept: Vec<(HeaderName, HeaderValue)> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name == header::ALLOW || *name == header::RETRY_AFTER)
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let mut rendered = if is_api {
        let body = ApiError {
            error: report.code,
            message: &report.message_en,
            field: report.field.as_deref(),
        };
        (status, Json(body)).into_response()
    } else {
        let page = ErrorPage {
            layout: Layout::new(state, context, Nav::None),
            status: status.as_u16(),
            message: context
                .lang
                .pick(&report.message_zh, &report.message_en)
                .to_owned(),
        };
        (status, page).into_response()
    };
    rendered.headers_mut().extend(kept);
    if let Some(failure) = response.extensions().get::<Failure>().cloned() {
        rendered.extensions_mut().insert(failure);
    }
    rendered
}

/// Refuses a state-changing request that a browser says comes from another site:
/// `Sec-Fetch-Site` must be `same-origin` or `none` when present, else `Origin` must match
/// the portal's public address or the request's own host. Requests with neither header
/// do not come from a browser, which is all cross-site request forgery needs.
pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    let safe = method == Method::GET || method == Method::HEAD || method == Method::OPTIONS;
    if !safe {
        let headers = request.headers();
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let allowed = match (text("sec-fetch-site"), text("origin")) {
            (Some(site), _) => site == "same-origin" || site == "none",
            (None, Some(origin)) => {
                origin == state.config.public_url
                    || text("host").is_some_and(|host| {
                        origin == format!("http://{host}") || origin == format!("https://{host}")
                    })
            }
            (None, None) => true,
        };
        if !allowed {
            tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
            return Error::Forbidden.into_response();
        }
    }
    next.run(request).await
}

/// The fallback for addresses no route matches.
pub async fn not_found() -> Error {
    Error::NotFound
}

/// Middleware: drops the rendered pages after every staff change that was accepted, so
/// that no edit needs to remember to. A change is a `POST` (or other non-`GET`) under
/// `/admin` answered with success or a redirect that is not to the sign-in or password
/// page; signing in and out and changing one's password are not changes to the pages.
/// So an anonymous or refused request (401, 403, 404, 422, a redirect to sign in) leaves
/// the copies alone.
pub async fn invalidate_after_edits(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let edits = request.method() != Method::GET
        && request.method() != Method::HEAD
        && path.starts_with("/admin/")
        && !matches!(path, "/admin/login" | "/admin/logout" | "/admin/password");
    let response = next.run(request).await;
    let to_sign_in = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.starts_with("/admin/login") || l.starts_with("/admin/password"));
    let accepted = response.status().is_success() || response.status().is_redirection();
    if edits && accepted && !to_sign_in {
        state.invalidate_pages();
    }
    response
}
