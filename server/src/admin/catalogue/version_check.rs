//! The rules a version form must pass before anything is stored: pure, no I/O (whether
//! the slug is taken, or fixed by downloads, is the database's answer, asked afterwards).

use super::fill;
use super::texts::CatalogueText;
use super::versions::VersionForm;
use crate::admin::form::{self, MAX_NAME_CHARS, Problems, ticked};
use crate::catalog::Family;
use crate::db::edit_versions::VersionFields;
use crate::routes::is_slug;

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
    let name_zh = form::text(
        &mut problems,
        "name_zh",
        &typed.name_zh,
        MAX_NAME_CHARS,
        false,
        c.name_length,
    );
    let name_en = form::text(
        &mut problems,
        "name_en",
        &typed.name_en,
        MAX_NAME_CHARS,
        false,
        c.name_length,
    );
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
    let has_activator = ticked(&typed.has_activator);
    if has_activator && is_slug(&slug) && protocol::products::find(&slug).is_none() {
        let known: Vec<&str> = protocol::products::PRODUCTS
            .iter()
            .map(|p| p.slug)
            .collect();
        problems.add(
            "has_activator",
            fill(c.activator_unknown, known.join(", "), ""),
        );
    }
    let fields = VersionFields {
        product,
        slug,
        name_zh,
        name_en,
        family: family.unwrap_or(Family::Other).as_str().to_owned(),
        seats,
        campus_wide,
        term_start,
        term_end,
        kms_activated: ticked(&typed.kms_activated),
        has_tutorial: ticked(&typed.has_tutorial),
        has_activator,
        sort_order: form::sort_order(
            &mut problems,
            "sort_order",
            &typed.sort_order,
            c.sort_number,
        ),
    };
    (fields, problems)
}
