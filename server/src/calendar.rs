//! Dates as the portal shows them: ISO 8601 and the ROC (Minguo) calendar Taiwan's
//! licences are written in (ROC year 1 is 1912), one date or a licence term, in the
//! page's language. Pure, no I/O.

use time::Date;

use crate::lang::Lang;

/// Converts a date written in the ROC (Minguo) calendar, `YYY/MM/DD` as in `106/03/01`,
/// to the Gregorian date: ROC year 1 is 1912, so year 106 is 2017.
pub fn parse_roc_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().split('/');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || year < 1 {
        return None;
    }
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year + 1911, month, day).ok()
}

/// Writes `date` in the ROC calendar, e.g. `民國106年3月1日` or `ROC 106/03/01`.
pub fn format_roc_date(date: Date, lang: Lang) -> String {
    let year = date.year() - 1911;
    let (month, day) = (u8::from(date.month()), date.day());
    match lang {
        Lang::ZhTw => format!("民國{year}年{month}月{day}日"),
        Lang::En => format!("ROC {year}/{month:02}/{day:02}"),
    }
}

/// Writes `date` in the ROC calendar without words, as `106/03/01`.
pub fn format_roc_date_short(date: Date) -> String {
    let year = date.year() - 1911;
    format!("{year}/{:02}/{:02}", u8::from(date.month()), date.day())
}

/// Writes `date` in ISO 8601, the Gregorian form every page shows first.
pub fn format_iso_date(date: Date) -> String {
    let (year, month, day) = (date.year(), u8::from(date.month()), date.day());
    format!("{year:04}-{month:02}-{day:02}")
}

/// A licence term in both calendars; either end may be missing.
#[derive(Debug)]
pub struct TermView {
    /// First day, ISO 8601.
    pub start: Option<String>,
    /// Last day, ISO 8601.
    pub end: Option<String>,
    /// The same term in the ROC calendar, one line in the page language.
    pub roc: String,
}

/// A date in both calendars.
#[derive(Debug)]
pub struct DateView {
    /// Gregorian, ISO 8601.
    pub iso: String,
    /// ROC calendar, in the page language.
    pub roc: String,
}

impl TermView {
    /// The term from `start` to `end`; `None` when neither is known.
    pub fn new(start: Option<Date>, end: Option<Date>, lang: Lang) -> Option<TermView> {
        let roc = match (start, end) {
            (None, None) => return None,
            (Some(s), Some(e)) => format!(
                "{} – {}",
                format_roc_date_short(s),
                format_roc_date_short(e)
            ),
            (Some(s), None) => format!("{} –", format_roc_date_short(s)),
            (None, Some(e)) => match lang {
                Lang::ZhTw => format!("{} 止", format_roc_date_short(e)),
                Lang::En => format!("until {}", format_roc_date_short(e)),
            },
        };
        Some(TermView {
            start: start.map(format_iso_date),
            end: end.map(format_iso_date),
            roc: format!("{} {roc}", lang.pick("民國", "ROC")),
        })
    }
}

impl DateView {
    /// `date` in both calendars, the ROC one in `lang`.
    pub fn new(date: Date, lang: Lang) -> DateView {
        DateView {
            iso: format_iso_date(date),
            roc: format_roc_date(date, lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn roc_dates_convert_both_ways() {
        let cases = [
            ("106/03/01", date!(2017 - 03 - 01)),
            ("109/02/28", date!(2020 - 02 - 28)),
            ("107/10/22", date!(2018 - 10 - 22)),
            ("1/01/01", date!(1912 - 01 - 01)),
            ("109/02/29", date!(2020 - 02 - 29)),
        ];
        for (roc, gregorian) in cases {
            assert_eq!(parse_roc_date(roc), Some(gregorian), "{roc}");
        }
        assert_eq!(
            format_roc_date(date!(2017 - 03 - 01), Lang::ZhTw),
            "民國106年3月1日"
        );
        assert_eq!(
            format_roc_date(date!(2020 - 02 - 28), Lang::En),
            "ROC 109/02/28"
        );
    }

    #[test]
    fn malformed_roc_dates_are_rejected() {
        for text in [
            "",
            "106",
            "106/13/01",
            "108/02/29",
            "0/01/01",
            "106/03/01/1",
            "a/b/c",
        ] {
            assert_eq!(parse_roc_date(text), None, "{text}");
        }
    }
}
