//! The states the dashboard sorts things into, each with the name its export writes and
//! the style its page gives it: a summary tile's tone, a licence term's window, and an
//! unreported download's state.

use serde::Serialize;

/// How a summary tile is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Ok,
    Warn,
    Bad,
}

/// How near a licence's end is: the narrowest window its last day falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TermWindow {
    #[serde(rename = "ended")]
    Ended,
    #[serde(rename = "30")]
    Within30,
    #[serde(rename = "90")]
    Within90,
    #[serde(rename = "180")]
    Within180,
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

impl TermWindow {
    /// The windows besides "ended", in days.
    pub const DAYS: [i64; 3] = [30, 90, 180];

    /// The window of a term with `days_left` days to run (negative once ended); none
    /// beyond 180 days.
    pub fn of(days_left: i64) -> Option<TermWindow> {
        if days_left < 0 {
            Some(TermWindow::Ended)
        } else if days_left <= TermWindow::DAYS[0] {
            Some(TermWindow::Within30)
        } else if days_left <= TermWindow::DAYS[1] {
            Some(TermWindow::Within90)
        } else if days_left <= TermWindow::DAYS[2] {
            Some(TermWindow::Within180)
        } else {
            None
        }
    }

    /// The name the export writes: `ended`, `30`, `90` or `180`.
    pub fn as_str(self) -> &'static str {
        match self {
            TermWindow::Ended => "ended",
            TermWindow::Within30 => "30",
            TermWindow::Within90 => "90",
            TermWindow::Within180 => "180",
        }
    }

    /// The status style (`status-…`) the catalogue uses for the same states.
    pub fn tone(self) -> &'static str {
        match self {
            TermWindow::Ended => "ended",
            TermWindow::Within30 | TermWindow::Within90 => "ending",
            TermWindow::Within180 => "active",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_fall_in_the_narrowest_window() {
        let cases = [
            (-1, Some(TermWindow::Ended)),
            (0, Some(TermWindow::Within30)),
            (30, Some(TermWindow::Within30)),
            (31, Some(TermWindow::Within90)),
            (180, Some(TermWindow::Within180)),
            (181, None),
        ];
        for (days_left, window) in cases {
            assert_eq!(TermWindow::of(days_left), window, "{days_left}");
        }
        for window in [TermWindow::Ended, TermWindow::Within30] {
            assert_eq!(
                serde_json::json!(window),
                serde_json::json!(window.as_str())
            );
        }
    }
}
