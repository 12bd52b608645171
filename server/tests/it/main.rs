//! The server's integration tests: the real router on a real database (SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set), one test binary.

// A failed unwrap in a test is a failed test with its reason; that is what we want here.
#![allow(clippy::unwrap_used)]

mod admin_auth;
mod admin_edit;
mod admin_edit_content;
mod admin_edit_rules;
mod admin_edit_settings;
mod api;
mod architecture;
mod calendar;
mod catalog;
mod corpus;
mod covers;
mod dashboard;
mod dashboard_machines;
mod dashboard_months;
mod dashboard_page;
mod database;
mod deployments;
mod downloads;
mod errors;
mod hardening;
mod http;
mod lang;
mod machine_days;
mod mail;
mod operations;
mod reports;
mod sign_in;
mod tokens;
mod tutorials;
mod util;
