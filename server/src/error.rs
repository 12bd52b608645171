//! The server's one error type, its HTTP status, and what the client is told.
//!
//! A handler returns `Result<T>`; on error, [`Error::into_response`] produces an empty
//! response with the status and an [`ErrorReport`] extension. The `decorate` middleware
//! in `middleware.rs` then renders that report as a page in the request's language, or as JSON
//! under `/api/`. Internal causes are logged here and never shown to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::access_log::Failure;
use crate::lang::UnknownLang;
use crate::token::Refusal;

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such page, slug or code.
    #[error("not found")]
    NotFound,
    /// A query parameter that is present but not acceptable.
    #[error("invalid query parameter `{field}`: {}", .reason.en())]
    InvalidQuery {
        /// The parameter's name.
        field: &'static str,
        /// What is wrong with it.
        reason: QueryProblem,
    },
    /// A path segment that cannot be what the route expects.
    #[error("invalid path: {0}")]
    InvalidPath(String),
    /// Missing, malformed, expired, revoked, or another product's download token.
    #[error("unauthorized: the download token {}", .0.en())]
    Unauthorized(Refusal),
    /// A download's token that already reported from as many PCs as it may.
    #[error("the download token reported from too many PCs")]
    TooManyMachines,
    /// A request body that is too large.
    #[error("payload too large")]
    PayloadTooLarge,
    /// A request body that is not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// A request body that is JSON but not an acceptable report.
    #[error("invalid report: {field}: {message}")]
    Unprocessable {
        /// The field at fault (`products[1].key_last5`), or empty for the whole body.
        field: String,
        /// What is wrong, in English.
        message: String,
    },
    /// Too many requests from this token or network.
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests {
        /// When to try again, in whole seconds.
        retry_after_secs: u64,
    },
    /// A staff API (an export) asked for without a valid session: 401, no redirect.
    #[error("a staff session is required")]
    SessionRequired,
    /// An admin page asked for without a valid session: sign in first.
    #[error("sign-in required")]
    SignInRequired,
    /// Signed in with a password that must be changed first.
    #[error("password change required")]
    PasswordChangeRequired,
    /// Signed in, but not allowed to do this (a viewer changing something, a bad CSRF
    /// token).
    #[error("forbidden")]
    Forbidden,
    /// Something the request needs is not available on this server right now.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    /// A database failure; the cause is logged, the client sees a generic message.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Any other failure inside the server.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// What is wrong with a query parameter, said in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryProblem {
    /// Longer than this many characters.
    TooLong(usize),
    /// It holds a control character.
    ControlCharacter,
    /// Not one of these values.
    NotOneOf(Vec<&'static str>),
    /// The query string cannot be read; axum's words why.
    Unreadable(String),
    /// Not a language the portal is written in.
    NotALanguage,
    /// Not written `YYYY-MM-DD`.
    NotADate,
    /// A date outside 2000–2199.
    YearOutOfRange,
    /// A date the institution's calendar cannot place.
    OutOfRange,
    /// `from` after `to`.
    AfterTo,
    /// A range longer than this many days.
    RangeTooLong(i64),
    /// Not the slug of a version in the catalogue.
    NotAVersion,
}

impl QueryProblem {
    /// What is wrong, after "The query parameter `x`", in English.
    pub fn en(&self) -> String {
        match self {
            QueryProblem::TooLong(max) => format!("must be at most {max} characters"),
            QueryProblem::ControlCharacter => "must not contain control characters".to_owned(),
            QueryProblem::NotOneOf(values) => format!("must be one of {}", values.join(", ")),
            QueryProblem::Unreadable(why) => format!("cannot be read: {why}"),
            QueryProblem::NotALanguage => "must be zh-TW or en".to_owned(),
            QueryProblem::NotADate => "must be a date written YYYY-MM-DD".to_owned(),
            QueryProblem::YearOutOfRange => "must be a date from 2000 to 2199".to_owned(),
            QueryProblem::OutOfRange => "is out of range".to_owned(),
            QueryProblem::AfterTo => "must not be after `to`".to_owned(),
            QueryProblem::RangeTooLong(days) => {
                format!("must be at most {days} days after `from`")
            }
            QueryProblem::NotAVersion => "must be a version slug from the catalogue".to_owned(),
        }
    }

    /// The same, after 「查詢參數 `x` 不正確：」.
    pub fn zh(&self) -> String {
        match self {
            QueryProblem::TooLong(max) => format!("最多 {max} 個字"),
            QueryProblem::ControlCharacter => "不能包含控制字元".to_owned(),
            QueryProblem::NotOneOf(values) => format!("必須是下列之一：{}", values.join("、")),
            QueryProblem::Unreadable(_) => "無法解讀這個查詢字串".to_owned(),
            // Whoever asked for another language may read no Chinese: say it in English too.
            QueryProblem::NotALanguage => "必須是 zh-TW 或 en (must be zh-TW or en)".to_owned(),
            QueryProblem::NotADate => "必須是 YYYY-MM-DD 格式的日期".to_owned(),
            QueryProblem::YearOutOfRange => "必須是 2000 年到 2199 年之間的日期".to_owned(),
            QueryProblem::OutOfRange => "超出可以計算的日期範圍".to_owned(),
            QueryProblem::AfterTo => "不能晚於 `to`".to_owned(),
            QueryProblem::RangeTooLong(days) => format!("最多只能比 `from` 晚 {days} 天"),
            QueryProblem::NotAVersion => "必須是目錄中某個版本的代號".to_owned(),
        }
    }
}

/// What `Error` leaves in a response for the `decorate` middleware to render.
#[derive(Clone, Debug)]
pub struct ErrorReport {
    /// A stable machine-readable code, e.g. `invalid_query`.
    pub code: &'static str,
    /// The parameter or field at fault, if one is.
    pub field: Option<String>,
    /// A precise message in English.
    pub message_en: String,
    /// The same message in Traditional Chinese.
    pub message_zh: String,
}

/// `Result` with the server's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How long a client waits before trying again after a 503.
pub const RETRY_AFTER_SECS: u64 = 5;

impl From<UnknownLang> for Error {
    fn from(_: UnknownLang) -> Error {
        Error::InvalidQuery {
            field: "lang",
            reason: QueryProblem::NotALanguage,
        }
    }
}

impl Error {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound | Error::InvalidPath(_) => StatusCode::NOT_FOUND,
            Error::InvalidQuery { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) | Error::SignInRequired | Error::SessionRequired => {
                StatusCode::UNAUTHORIZED
            }
            Error::PasswordChangeRequired => StatusCode::SEE_OTHER,
            Error::Forbidden | Error::TooManyMachines => StatusCode::FORBIDDEN,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Database(e) if crate::db::unavailable::is_unavailable(e) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The report a client may see; internal details stay out of it.
    pub fn report(&self) -> ErrorReport {
        match self {
            Error::NotFound => ErrorReport {
                code: "not_found",
                field: None,
                message_en: "There is no page at this address.".to_owned(),
                message_zh: "這個網址沒有對應的頁面。".to_owned(),
            },
            Error::InvalidPath(what) => ErrorReport {
                code: "not_found",
                field: None,
                message_en: format!("There is no page at this address: {what}."),
                message_zh: format!("這個網址沒有對應的頁面：{what}。"),
            },
            Error::InvalidQuery { field, reason } => ErrorReport {
                code: "invalid_query",
                field: Some((*field).to_owned()),
                message_en: format!("The query parameter `{field}` {}.", reason.en()),
                message_zh: format!("查詢參數 `{field}` 不正確：{}。", reason.zh()),
            },
            Error::Unauthorized(why) => ErrorReport {
                code: "unauthorized",
                field: None,
                message_en: format!("The download token {}.", why.en()),
                message_zh: format!("下載憑證無效：{}。", why.zh()),
            },
            Error::TooManyMachines => ErrorReport {
                code: "too_many_machines",
                field: None,
                message_en: "This download was already used on as many PCs as one download may: \
                             download the activator again on this PC."
                    .to_owned(),
                message_zh: "這份下載已在允許的電腦數量上使用過，請在這台電腦重新下載啟用工具。"
                    .to_owned(),
            },
            Error::PayloadTooLarge => ErrorReport::for_status(StatusCode::PAYLOAD_TOO_LARGE),
            Error::SignInRequired | Error::PasswordChangeRequired | Error::SessionRequired => {
                ErrorReport {
                    code: "sign_in_required",
                    field: None,
                    message_en: "Sign in to see this page.".to_owned(),
                    message_zh: "請先登入。".to_owned(),
                }
            }
            Error::Forbidden => ErrorReport {
                code: "forbidden",
                field: None,
                message_en: "Your account may not do this.".to_owned(),
                message_zh: "你的帳號沒有權限執行這個動作。".to_owned(),
            },
            Error::UnsupportedMediaType => ErrorReport {
                code: "unsupported_media_type",
                field: None,
                message_en: "The body must be JSON, sent with Content-Type: application/json."
                    .to_owned(),
                message_zh: "內容必須是 JSON，並以 Content-Type: application/json 送出。"
                    .to_owned(),
            },
            Error::Unprocessable { field, message } => ErrorReport {
                code: "invalid_report",
                field: Some(field.clone()),
                message_en: message.clone(),
                message_zh: message.clone(),
            },
            Error::TooManyRequests { retry_after_secs } => ErrorReport {
                code: "rate_limited",
                field: None,
                message_en: format!("Too many requests; try again in {retry_after_secs} s."),
                message_zh: format!("請求太多，請 {retry_after_secs} 秒後再試。"),
            },
            Error::Unavailable(what) => ErrorReport {
                code: "unavailable",
                field: None,
                message_en: format!(
                    "{} is not available on this server right now; nothing was stored. \
                     Try again in {RETRY_AFTER_SECS} s.",
                    capitalised(what)
                ),
                message_zh: format!(
                    "這台伺服器目前無法提供：{what}，這次沒有儲存任何資料，請 {RETRY_AFTER_SECS} 秒後再試。"
                ),
            },
            Error::Database(e) if crate::db::unavailable::is_unavailable(e) => ErrorReport {
                code: "unavailable",
                field: None,
                message_en: format!(
                    "The database is unavailable for a moment; nothing was stored. \
                     Try again in {RETRY_AFTER_SECS} s."
                ),
                message_zh: format!(
                    "資料庫暫時無法使用，這次沒有儲存任何資料，請 {RETRY_AFTER_SECS} 秒後再試。"
                ),
            },
            Error::Database(_) | Error::Internal(_) => ErrorReport {
                code: "internal",
                field: None,
                message_en: "Something went wrong on our side. Please try again in a moment."
                    .to_owned(),
                message_zh: "伺服器發生問題，請稍後再試。".to_owned(),
            },
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        // Pages behind sign-in send people to the sign-in page rather than an error.
        match &self {
            Error::SignInRequired => {
                return axum::response::Redirect::to("/admin/login").into_response();
            }
            Error::PasswordChangeRequired => {
                return axum::response::Redirect::to("/admin/password").into_response();
            }
            _ => {}
        }
        let failure = match &self {
            Error::Database(cause) => Some(format!("database error: {cause}")),
            Error::Internal(cause) => Some(format!("internal error: {cause:#}")),
            _ => None,
        };
        let mut response = self.status().into_response();
        if let Some(failure) = failure {
            // Logged on the request's access line.
            response.extensions_mut().insert(Failure(failure));
        }
        let retry_after = match &self {
            Error::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ if response.status() == StatusCode::SERVICE_UNAVAILABLE => Some(RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response.extensions_mut().insert(self.report());
        response
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

impl ErrorReport {
    /// A report for a status produced outside our handlers (axum's 405, a body limit, a
    /// timeout), so that those get the same pages as our own errors.
    pub fn for_status(status: StatusCode) -> ErrorReport {
        let (code, en, zh) = match status {
            StatusCode::NOT_FOUND => (
                "not_found",
                "There is no page at this address.",
                "這個網址沒有對應的頁面。",
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "This address does not accept that kind of request.",
                "這個網址不接受這種請求方式。",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "payload_too_large",
                "The request is too large.",
                "請求的內容太大。",
            ),
            StatusCode::URI_TOO_LONG => ("uri_too_long", "The address is too long.", "網址太長。"),
            StatusCode::REQUEST_TIMEOUT => (
                "timeout",
                "The request took too long. Please try again.",
                "請求逾時，請再試一次。",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "The request body has a content type this address does not take.",
                "請求內容的格式不被接受。",
            ),
            s if s.is_client_error() => (
                "bad_request",
                "The request could not be understood.",
                "無法處理這個請求。",
            ),
            _ => (
                "internal",
                "Something went wrong on our side. Please try again in a moment.",
                "伺服器發生問題，請稍後再試。",
            ),
        };
        ErrorReport {
            code,
            field: None,
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chinese(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_refusal_of_a_parameter_or_a_token_is_said_in_chinese_too() {
        let problems = [
            QueryProblem::TooLong(200),
            QueryProblem::ControlCharacter,
            QueryProblem::NotOneOf(vec!["a", "b"]),
            QueryProblem::Unreadable("expected `,`".to_owned()),
            QueryProblem::NotALanguage,
            QueryProblem::NotADate,
            QueryProblem::YearOutOfRange,
            QueryProblem::OutOfRange,
            QueryProblem::AfterTo,
            QueryProblem::RangeTooLong(366),
            QueryProblem::NotAVersion,
        ];
        for reason in problems {
            let report = Error::InvalidQuery { field: "q", reason }.report();
            assert!(chinese(&report.message_zh), "{}", report.message_zh);
            assert!(!chinese(&report.message_en), "{}", report.message_en);
        }
        for refusal in [
            Refusal::Missing,
            Refusal::Malformed,
            Refusal::BadSignature,
            Refusal::Expired,
            Refusal::Revoked,
        ] {
            let report = Error::Unauthorized(refusal).report();
            assert!(
                chinese(report.message_zh.trim_start_matches("下載憑證無效：")),
                "{}",
                report.message_zh
            );
        }
    }
}
