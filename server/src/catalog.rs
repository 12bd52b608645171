//! The catalogue's vocabulary and its pure rules: families, licence status, seats, and
//! dates in both calendars. No I/O here; the database layer fills these types in.

use std::fmt;

use protocol::products::{self, Product};
use serde::Serialize;
use sqlx::FromRow;
use time::Date;

use crate::lang::Lang;

mod kms_group;
mod term_window;

pub use kms_group::KmsGroup;
pub use term_window::TermWindow;

/// How many days before its end a licence counts as ending.
pub const ENDING_WITHIN_DAYS: i64 = 90;

/// What kind of software a version is; decides its tutorial and activation method.
/// Serialised as its identifier ([`Family::as_str`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Windows client editions, activated with `slmgr.vbs`.
    Windows,
    /// Office suites, activated with `ospp.vbs`.
    Office,
    /// Microsoft Project, activated with Office's `ospp.vbs`.
    Project,
    /// Microsoft Visio, activated with Office's `ospp.vbs`.
    Visio,
    /// Visual Studio, activated with a product key, not KMS.
    VisualStudio,
    /// Anything else (licences, retired products).
    #[default]
    Other,
}

/// Where a licence stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// In force, and not ending within [`ENDING_WITHIN_DAYS`].
    Active,
    /// In force, ending within [`ENDING_WITHIN_DAYS`].
    Ending,
    /// Its term is over.
    Ended,
}

/// Whether a version's activator is offered today, by its licence term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// The term is in force (or states no dates).
    Open,
    /// The term has ended, and the institution still offers ended licences (agreements
    /// are often renewed before the catalogue is updated): offered with a warning.
    Ended(Date),
    /// The term has ended and the institution offers ended licences no more.
    Withdrawn(Date),
    /// The term starts on this day: not offered before it.
    NotYet(Date),
}

/// The product-table entries a version covers, in the order staff listed them: what its
/// activator may activate. Stored as their ids, comma-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Covers(Vec<&'static Product>);

/// A version as the catalogue keeps it: what the catalogue, the editor and the default
/// content all say of it, listed once. Rows carry it whole
/// (`db::catalog::VersionRow::version`, `db::edit_versions::VersionFields::version`).
#[derive(Clone, Debug, Default, PartialEq, Eq, FromRow)]
pub struct Version {
    /// Stable identifier, e.g. `office-2016-proplus`.
    pub slug: String,
    /// Name in Traditional Chinese.
    pub name_zh: String,
    /// Name in English.
    pub name_en: String,
    /// Kind of software.
    #[sqlx(try_from = "String")]
    pub family: Family,
    /// A seat count, if the licence has one.
    pub seats: Option<i64>,
    /// Whether everyone at the institution is covered.
    pub campus_wide: bool,
    /// First day of the licence term.
    pub term_start: Option<Date>,
    /// Last day of the licence term.
    pub term_end: Option<Date>,
    /// Activated through the campus KMS host.
    pub kms_activated: bool,
    /// Covered by a tutorial.
    pub has_tutorial: bool,
    /// The product-table entries it covers (an activator download when any).
    #[sqlx(try_from = "String")]
    pub covers: Covers,
    /// The licence covers upgrading Windows Professional to a covered edition.
    pub edition_upgrade: bool,
}

impl Version {
    /// Its name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        lang.pick(&self.name_zh, &self.name_en)
    }
}

/// The name in `lang` of the version `slug` names, looked up in `versions`; the slug
/// itself when the version has left the catalogue (downloads and reports outlive it).
pub fn name_or_slug<'a>(
    mut versions: impl Iterator<Item = &'a Version>,
    slug: &str,
    lang: Lang,
) -> String {
    versions
        .find(|v| v.slug == slug)
        .map_or_else(|| slug.to_owned(), |v| v.name(lang).to_owned())
}

/// How many people or machines a licence covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seats {
    /// Everyone at the institution.
    CampusWide,
    /// A fixed number of seats.
    Count(i64),
    /// The source does not say.
    Unspecified,
}

impl Family {
    /// Every family, in the order filters list them.
    pub const ALL: [Family; 6] = [
        Family::Windows,
        Family::Office,
        Family::Project,
        Family::Visio,
        Family::VisualStudio,
        Family::Other,
    ];

    /// The identifier used in URLs, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Windows => "windows",
            Family::Office => "office",
            Family::Project => "project",
            Family::Visio => "visio",
            Family::VisualStudio => "visual-studio",
            Family::Other => "other",
        }
    }

    /// Parses an identifier written by [`Family::as_str`].
    pub fn parse(value: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// The tutorial that covers this family: Office's covers Project and Visio, which
    /// activate through the same `ospp.vbs`.
    pub fn tutorial_slug(self) -> Option<&'static str> {
        match self {
            Family::Windows => Some("windows"),
            Family::Office | Family::Project | Family::Visio => Some("office"),
            Family::VisualStudio | Family::Other => None,
        }
    }

    /// The KMS host count this family's machines add to: Windows's, or Office's (which
    /// Project and Visio share); none for the others.
    pub fn kms_group(self) -> Option<KmsGroup> {
        match self {
            Family::Windows => Some(KmsGroup::Windows),
            Family::Office | Family::Project | Family::Visio => Some(KmsGroup::Office),
            Family::VisualStudio | Family::Other => None,
        }
    }

    /// The family's name as shown to people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Family::Windows => "Windows",
            Family::Office => "Office",
            Family::Project => "Project",
            Family::Visio => "Visio",
            Family::VisualStudio => "Visual Studio",
            Family::Other => lang.pick("其他", "Other"),
        }
    }
}

impl Offer {
    /// The offer on `today` for a term from `start` to `end` (inclusive).
    pub fn of(start: Option<Date>, end: Option<Date>, today: Date, offer_ended: bool) -> Offer {
        match (start, end) {
            (Some(start), _) if today < start => Offer::NotYet(start),
            (_, Some(end)) if end < today && offer_ended => Offer::Ended(end),
            (_, Some(end)) if end < today => Offer::Withdrawn(end),
            _ => Offer::Open,
        }
    }

    /// Whether the download is served.
    pub fn is_offered(self) -> bool {
        matches!(self, Offer::Open | Offer::Ended(_))
    }
}

impl Covers {
    /// Reads the stored list; an id the table no longer has is left out (a product
    /// removed from a later table is not offered, and nothing else breaks).
    pub fn from_stored(stored: &str) -> Covers {
        Covers(
            stored
                .split(',')
                .filter(|id| !id.is_empty())
                .filter_map(products::find)
                .collect(),
        )
    }

    /// The table products with these ids; `Err` names the first unknown one.
    pub fn from_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<Covers, String> {
        ids.into_iter()
            .map(|id| products::find(id).ok_or_else(|| id.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(Covers)
    }

    /// The stored form: ids, comma-separated.
    pub fn to_stored(&self) -> String {
        self.ids().collect::<Vec<_>>().join(",")
    }

    /// The ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|p| p.id.as_str())
    }

    /// The products, in order.
    pub fn products(&self) -> &[&'static Product] {
        &self.0
    }

    /// Whether the version covers nothing the activator can activate.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether any covered edition can be reached from another by its key.
    pub fn offers_upgrade(&self) -> bool {
        self.0.iter().any(|p| {
            p.windows
                .as_ref()
                .is_some_and(|w| !w.upgrade_from.is_empty())
        })
    }

    /// Whether a version of `family` may cover these products: Windows editions a
    /// Windows version, Office, Project and Visio products an Office, Project or Visio
    /// one; other families have no activator.
    pub fn fits(&self, family: Family) -> bool {
        self.0.iter().all(|p| match family {
            Family::Windows => p.is_windows(),
            Family::Office | Family::Project | Family::Visio => !p.is_windows(),
            Family::VisualStudio | Family::Other => false,
        })
    }
}

/// The stored column, for `#[sqlx(try_from = "String")]` (infallible: see `from_stored`).
impl From<String> for Covers {
    fn from(stored: String) -> Covers {
        Covers::from_stored(&stored)
    }
}

impl TryFrom<String> for Family {
    type Error = String;

    /// Decodes a stored family (the table's check allows no other).
    fn try_from(value: String) -> Result<Family, String> {
        Family::parse(&value).ok_or_else(|| format!("unknown family {value:?}"))
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Status {
    /// Every status, in the order filters list them.
    pub const ALL: [Status; 3] = [Status::Active, Status::Ending, Status::Ended];

    /// Derives the status of a term ending on `end` (inclusive) as seen on `today`.
    /// A licence without an end date does not expire.
    pub fn of(end: Option<Date>, today: Date) -> Status {
        match end {
            None => Status::Active,
            Some(end) if end < today => Status::Ended,
            Some(end) if (end - today).whole_days() <= ENDING_WITHIN_DAYS => Status::Ending,
            Some(_) => Status::Active,
        }
    }

    /// The identifier used in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Ending => "ending",
            Status::Ended => "ended",
        }
    }

    /// Parses an identifier written by [`Status::as_str`].
    pub fn parse(value: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The status as shown to people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Active => lang.pick("授權中", "Active"),
            Status::Ending => lang.pick("即將到期", "Ending soon"),
            Status::Ended => lang.pick("已到期", "Ended"),
        }
    }
}

impl Seats {
    /// Builds seats from the two database columns.
    pub fn from_columns(seats: Option<i64>, campus_wide: bool) -> Seats {
        match (campus_wide, seats) {
            (true, _) => Seats::CampusWide,
            (false, Some(n)) => Seats::Count(n),
            (false, None) => Seats::Unspecified,
        }
    }

    /// The seats as shown to people.
    pub fn label(self, lang: Lang) -> String {
        match self {
            Seats::CampusWide => lang.pick("全校", "Campus-wide").to_owned(),
            Seats::Count(n) => n.to_string(),
            Seats::Unspecified => lang.pick("未載明", "Not stated").to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn status_follows_the_end_date() {
        let today = date!(2026 - 11 - 24);
        let cases = [
            (None, Status::Active),
            (Some(date!(2020 - 02 - 28)), Status::Ended),
            (Some(date!(2026 - 11 - 23)), Status::Ended),
            (Some(date!(2026 - 11 - 24)), Status::Ending),
            (Some(date!(2027 - 02 - 22)), Status::Ending),
            (Some(date!(2027 - 02 - 23)), Status::Active),
        ];
        for (end, expected) in cases {
            assert_eq!(Status::of(end, today), expected, "{end:?}");
        }
    }

    #[test]
    fn the_term_decides_the_offer() {
        let (start, end) = (Some(date!(2026 - 03 - 01)), Some(date!(2027 - 02 - 28)));
        let cases = [
            (
                date!(2026 - 02 - 28),
                true,
                Offer::NotYet(date!(2026 - 03 - 01)),
            ),
            (date!(2026 - 03 - 01), true, Offer::Open),
            (date!(2027 - 02 - 28), false, Offer::Open),
            (
                date!(2027 - 03 - 01),
                true,
                Offer::Ended(date!(2027 - 02 - 28)),
            ),
            (
                date!(2027 - 03 - 01),
                false,
                Offer::Withdrawn(date!(2027 - 02 - 28)),
            ),
        ];
        for (today, offer_ended, expected) in cases {
            assert_eq!(
                Offer::of(start, end, today, offer_ended),
                expected,
                "{today}"
            );
        }
        assert_eq!(
            Offer::of(None, None, date!(2030 - 01 - 01), false),
            Offer::Open
        );
        assert!(Offer::Ended(date!(2020 - 01 - 01)).is_offered());
        assert!(!Offer::NotYet(date!(2020 - 01 - 01)).is_offered());
    }

    #[test]
    fn covers_round_trip_and_drop_what_the_table_lacks() {
        let covers = Covers::from_stored(
            "office-2016-project-pro,gone-from-the-table,office-2016-project-std",
        );
        assert_eq!(
            covers.to_stored(),
            "office-2016-project-pro,office-2016-project-std"
        );
        assert!(covers.fits(Family::Project) && covers.fits(Family::Office));
        assert!(!covers.fits(Family::Windows) && !covers.fits(Family::Other));
        assert!(Covers::from_stored("").is_empty());
        assert_eq!(
            Covers::from_ids(["windows-11-education", "nope"]),
            Err("nope".to_owned())
        );
        let windows = Covers::from_ids(["windows-11-education"]).unwrap();
        assert!(windows.offers_upgrade());
        assert!(windows.fits(Family::Windows) && !windows.fits(Family::Visio));
    }

    #[test]
    fn families_round_trip_and_map_to_tutorials() {
        for family in Family::ALL {
            assert_eq!(Family::parse(family.as_str()), Some(family));
        }
        assert_eq!(Family::Project.tutorial_slug(), Some("office"));
        assert_eq!(Family::VisualStudio.tutorial_slug(), None);
        assert_eq!(Family::parse("Windows"), None);
    }
}
