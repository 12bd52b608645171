//! How near a licence's end is, in the windows the dashboard lists and the digest tells
//! once each: 180, 90 and 30 days, and ended.

use serde::Serialize;

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

impl TermWindow {
    /// Every window, ended first.
    pub const ALL: [TermWindow; 4] = [
        TermWindow::Ended,
        TermWindow::Within30,
        TermWindow::Within90,
        TermWindow::Within180,
    ];

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

impl TryFrom<String> for TermWindow {
    type Error = String;

    /// Decodes a stored window (the table's check allows no other).
    fn try_from(value: String) -> Result<TermWindow, String> {
        TermWindow::ALL
            .into_iter()
            .find(|w| w.as_str() == value)
            .ok_or_else(|| format!("unknown term window {value:?}"))
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
