//! The version form as typed, and the rules it must pass before anything is stored: pure,
//! no I/O (whether the slug is taken, or fixed by downloads, is the database's answer,
//! asked afterwards).

use super::fill;
use crate::admin::form::{self, Problems, ticked};
use crate::catalog::{Covers, Family, Version};
use crate::db::edit_versions::VersionFields;
use crate::extract::is_slug;
use crate::secret::Secret;
use crate::texts::catalogue::CatalogueText;
use protocol::products::{self, SetProblem};
use serde::Deserialize;

/// The version form as typed (every field may be missing: it is then empty).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct VersionForm {
    pub(super) csrf: Secret,
    pub(super) product: String,
    pub(super) slug: String,
    pub(super) name_zh: String,
    pub(super) name_en: String,
    pub(super) family: String,
    /// `count`, `campus` or `unstated`.
    pub(super) seats_kind: String,
    pub(super) seats: String,
    pub(super) term_start: String,
    pub(super) term_end: String,
    pub(super) kms_activated: Option<String>,
    pub(super) has_tutorial: Option<String>,
    /// The ids of the ticked product-table entries (one `covers` per box).
    pub(super) covers: Vec<String>,
    pub(super) edition_upgrade: Option<String>,
    pub(super) sort_order: String,
}

/// The most seats a licence may state.
pub const MAX_SEATS: i64 = 10_000_000;

/// Checks the form; answers the fields to store and what is wrong.
pub fn check(typed: &VersionForm, c: &CatalogueText) -> (VersionFields, Problems) {
    let mut problems = Problems::default();
    let product = typed.product.trim().to_owned();
    if !is_slug(&product) {
        problems.add("product", c.parent_missing);
    }
    let slug = form::slug(&mut problems, "slug", &typed.slug, c.slug_format);
    let (name_zh, name_en) =
        form::names(&mut problems, &typed.name_zh, &typed.name_en, c.name_length);
    let family = Family::parse(typed.family.trim());
    if family.is_none() {
        problems.add("family", c.family_unknown);
    }
    let (seats, campus_wide) = match typed.seats_kind.as_str() {
        "count" => match typed.seats.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_SEATS).contains(&n) => (Some(n), false),
            _ => {
                problems.add("seats", c.seats_positive);
                (None, false)
            }
        },
        "campus" => (None, true),
        "unstated" => (None, false),
        _ => {
            problems.add("seats_kind", c.seats_kind_unknown);
            (None, false)
        }
    };
    let term_start = form::date(
        &mut problems,
        "term_start",
        &typed.term_start,
        c.date_format,
    );
    let term_end = form::date(&mut problems, "term_end", &typed.term_end, c.date_format);
    if let (Some(start), Some(end)) = (term_start, term_end)
        && end < start
    {
        problems.add("term_end", c.end_before_start);
    }
    let covers = check_covers(&mut problems, typed, family, c);
    let edition_upgrade = ticked(&typed.edition_upgrade);
    if edition_upgrade && !covers.offers_upgrade() {
        problems.add("edition_upgrade", c.edition_upgrade_needs);
    }
    let fields = VersionFields {
        product,
        version: Version {
            slug,
            name_zh,
            name_en,
            family: family.unwrap_or(Family::Other),
            seats,
            campus_wide,
            term_start,
            term_end,
            kms_activated: ticked(&typed.kms_activated),
            has_tutorial: ticked(&typed.has_tutorial),
            covers,
            edition_upgrade,
        },
        sort_order: form::sort_order(
            &mut problems,
            "sort_order",
            &typed.sort_order,
            c.sort_number,
        ),
    };
    (fields, problems)
}

/// The ticked products: each in the table, fitting the family, and together a set one
/// activator run can activate.
fn check_covers(
    problems: &mut Problems,
    typed: &VersionForm,
    family: Option<Family>,
    c: &CatalogueText,
) -> Covers {
    // A name sent twice (a crafted form) counts once.
    let mut ids: Vec<&str> = Vec::new();
    for id in &typed.covers {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    let covers = match Covers::from_ids(ids) {
        Ok(covers) => covers,
        Err(unknown) => {
            let shown: String = unknown.chars().take(80).collect();
            problems.add("covers", fill(c.covers_unknown, shown, ""));
            return Covers::default();
        }
    };
    if covers.is_empty() {
        return covers;
    }
    if family.is_some_and(|f| !covers.fits(f)) {
        problems.add("covers", c.covers_family);
    }
    match products::check_set(covers.products().iter().copied()) {
        Ok(()) | Err(SetProblem::Empty | SetProblem::Twice(_)) => {}
        Err(SetProblem::TooMany) => problems.add(
            "covers",
            fill(c.covers_too_many, protocol::config::MAX_COVERED, ""),
        ),
        Err(SetProblem::WindowsAndOffice) => problems.add("covers", c.covers_mixed),
        Err(SetProblem::OfficeFolders) => problems.add("covers", c.covers_folders),
    }
    covers
}
