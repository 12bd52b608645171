//! End-to-end tests: the real portal on loopback, a real browser, the real activator
//! under Wine.
//!
//! One integration-test binary, so the portal is built once per run; each module is one
//! part of the system seen from outside. Every test starts its own portal with its own
//! database through [`e2e::Portal`], so tests run in parallel without sharing state.

// A failed unwrap in a test is a failed test with its reason; that is what we want here.
#![allow(clippy::unwrap_used)]

mod activator;
mod admin_browser;
mod api_contract;
mod browser;
mod connections;
mod covers_browser;
mod crash;
mod editions;
mod faults;
mod languages;
mod mail;
mod operations;
mod portal;
mod repository;
mod signing;
mod sso;
mod whole_loop;
