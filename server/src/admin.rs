//! The editors under `/admin`: the catalogue, tutorials, error-code texts, institution
//! settings, download tokens, deployment tokens, and the change log.
//!
//! Each handler takes an [`crate::auth::Staff`] (signed in); changes also call
//! `Staff::require_admin` and `Staff::check_csrf`. Their routes are in
//! [`crate::router::staff`], which a test walks so that none can be added without the
//! checks. Sign-in is [`crate::auth`]'s, the dashboard [`crate::dashboard`]'s.

pub mod accounts;
pub mod audit;
pub mod catalogue;
pub mod deployments;
pub mod downloads;
pub mod editor;
pub mod errors;
pub mod form;
pub mod mail;
pub mod settings;
pub mod tutorials;
