//! Fuzzes the report parser the portal runs on every `POST /api/v1/reports`: any input
//! must give a report or a violation, never a panic; an accepted report must validate,
//! and must survive a round trip through JSON unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::report::Report;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = Report::from_json(data) {
        assert!(report.validate().is_ok());
        let again = serde_json::to_vec(&report).expect("a report serialises");
        assert_eq!(Report::from_json(&again).expect("a serialised report parses"), report);
    }
});
