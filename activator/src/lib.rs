//! The activator's logic: pure code over the [`system::System`] trait.
//!
//! It reads `activator.toml`, checks the PC ([`preflight`]), activates Windows or Office
//! against the institution's own KMS host with Microsoft's `slmgr.vbs` / `ospp.vbs`
//! ([`activate`]), explains each result in the PC's language ([`explain`]), and reports
//! the outcome to the portal ([`deliver`]). [`flow::main`] runs it all. It never
//! implements, emulates or points to any KMS server other than the configured one.

pub mod activate;
pub mod choose;
pub mod cli;
pub mod deliver;
pub mod explain;
pub mod flow;
pub mod parse;
pub mod preflight;
pub mod quiet;
pub mod report;
pub mod status;
pub mod system;
pub mod text;
