//! The public handlers, one module per feature. Page and query structs sit just above the
//! handler that uses them; SQL stays in `db`, shared extractors are in `extract`.

pub mod api;
pub mod assets;
pub mod calendar;
pub mod catalog;
pub mod downloads;
pub mod errors;
pub mod health;
pub mod reports;
pub mod tutorials;
