//! The states the dashboard sorts things into, each with the name its export writes and
//! the style its page gives it: a summary tile's tone, a licence term's window
//! ([`TermWindow`], the catalogue's, which mail uses too), and an unreported download's
//! state.

use serde::Serialize;

pub use crate::catalog::TermWindow;

/// How a summary tile is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Ok,
    Warn,
    Bad,
}

/// Why a download has not reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DownloadState {
    /// Its token is still good: it may yet report.
    Waiting,
    /// Its token expired unused.
    Expired,
    /// Its token was revoked.
    Revoked,
}

impl Tone {
    /// The tile's style (`tile-…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Neutral => "neutral",
            Tone::Ok => "ok",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
        }
    }
}

impl DownloadState {
    /// The name the export writes.
    pub fn as_str(self) -> &'static str {
        match self {
            DownloadState::Waiting => "waiting",
            DownloadState::Expired => "expired",
            DownloadState::Revoked => "revoked",
        }
    }
}
