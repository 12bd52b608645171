//! The report rules, checked against the shared fixtures in `tests/fixtures/reports/`.

use serde_json::Value;

use super::*;

const VALID: [(&str, &str, Outcome); 4] = [
    (
        "success",
        include_str!("../../../tests/fixtures/reports/success.json"),
        Outcome::Success,
    ),
    (
        "partial",
        include_str!("../../../tests/fixtures/reports/partial.json"),
        Outcome::Partial,
    ),
    (
        "failure",
        include_str!("../../../tests/fixtures/reports/failure.json"),
        Outcome::Failure,
    ),
    (
        "aborted",
        include_str!("../../../tests/fixtures/reports/aborted.json"),
        Outcome::Aborted,
    ),
];
const INVALID: &str = include_str!("../../../tests/fixtures/reports/invalid.json");

/// Applies `{ "/json/pointer": value }` edits; `"$delete"` removes the member.
pub fn apply_edits(report: &mut Value, edits: &serde_json::Map<String, Value>) {
    for (pointer, value) in edits {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = report
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"));
        match (target, value) {
            (Value::Object(map), Value::String(s)) if s == "$delete" => {
                map.remove(key);
            }
            (Value::Object(map), value) => {
                map.insert(key.to_owned(), value.clone());
            }
            (Value::Array(items), value) => items[key.parse::<usize>().unwrap()] = value.clone(),
            (other, _) => panic!("cannot edit {other}"),
        }
    }
}

#[test]
fn valid_fixtures_parse_and_validate() {
    for (name, text, outcome) in VALID {
        let report = Report::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.outcome, outcome, "{name}");
    }
}

#[test]
fn the_seed_sample_is_two_activated_products() {
    let report = Report::from_json(VALID[0].1.as_bytes()).unwrap();
    let last5: Vec<_> = report
        .products
        .iter()
        .filter_map(|p| p.key_last5.as_deref())
        .collect();
    assert_eq!(last5, ["7VCBB", "6MWKP"]);
}

#[test]
fn each_invalid_edit_is_rejected_naming_its_field() {
    let cases: Vec<Value> = serde_json::from_str(INVALID).unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let why = case["why"].as_str().unwrap();
        let mut report: Value = serde_json::from_str(VALID[0].1).unwrap();
        apply_edits(&mut report, case["set"].as_object().unwrap());
        let body = serde_json::to_vec(&report).unwrap();
        let violation = Report::from_json(&body).expect_err(why);
        assert_eq!(
            violation.field,
            case["field"].as_str().unwrap(),
            "{why}: {violation}"
        );
    }
}

#[test]
fn serialising_round_trips() {
    for (name, text, _) in VALID {
        let report = Report::from_json(text.as_bytes()).unwrap();
        let again = Report::from_json(&serde_json::to_vec(&report).unwrap()).unwrap();
        assert_eq!(report, again, "{name}");
    }
}

#[test]
fn oversized_bodies_are_rejected_before_parsing() {
    let body = vec![b' '; MAX_REPORT_BYTES + 1];
    assert!(
        Report::from_json(&body)
            .unwrap_err()
            .message
            .contains("larger than")
    );
}

#[test]
fn outcome_follows_products() {
    let report = Report::from_json(VALID[1].1.as_bytes()).unwrap();
    assert_eq!(Outcome::from_products(&report.products), Outcome::Partial);
    assert_eq!(
        Outcome::from_products(&report.products[1..]),
        Outcome::Success
    );
    assert_eq!(
        Outcome::from_products(&report.products[..1]),
        Outcome::Failure
    );
}

/// A status run's report: `kind` status, each licence with the grace it has left; an
/// activation report leaves `kind` out and may not carry a grace.
#[test]
fn status_runs_carry_their_grace_and_activations_do_not() {
    let mut body: Value = serde_json::from_str(VALID[0].1).unwrap();
    body["kind"] = "status".into();
    body["products"][0]["grace_minutes"] = (170 * 1440).into();
    let status = Report::from_json(&serde_json::to_vec(&body).unwrap()).unwrap();
    assert_eq!(status.kind, RunKind::Status);
    assert_eq!(status.products[0].grace_minutes, Some(170 * 1440));
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["kind"], "status");

    let activation = Report::from_json(VALID[0].1.as_bytes()).unwrap();
    assert_eq!(activation.kind, RunKind::Activation);
    let json = serde_json::to_value(&activation).unwrap();
    assert!(json.get("kind").is_none() && json["products"][0].get("grace_minutes").is_none());

    let mut graced = body.clone();
    graced["kind"] = "activation".into();
    let refused = Report::from_json(&serde_json::to_vec(&graced).unwrap()).unwrap_err();
    assert_eq!(refused.field, "products[0].grace_minutes");
    let mut long = body.clone();
    long["products"][0]["grace_minutes"] = (182 * 1440).into();
    let refused = Report::from_json(&serde_json::to_vec(&long).unwrap()).unwrap_err();
    assert_eq!(refused.field, "products[0].grace_minutes");
    let mut unknown = body;
    unknown["kind"] = "inventory".into();
    assert!(Report::from_json(&serde_json::to_vec(&unknown).unwrap()).is_err());
}

/// A status run may find a licence not licensed without a code to say why; an
/// activation's failure always has one.
#[test]
fn only_a_status_run_may_fail_a_product_without_a_code() {
    let mut body: Value = serde_json::from_str(VALID[0].1).unwrap();
    for product in body["products"].as_array_mut().unwrap() {
        product["outcome"] = "failed".into();
    }
    body["outcome"] = "failure".into();
    let refused = Report::from_json(&serde_json::to_vec(&body).unwrap()).unwrap_err();
    assert_eq!(refused.field, "products[0].error_code");
    body["kind"] = "status".into();
    assert!(Report::from_json(&serde_json::to_vec(&body).unwrap()).is_ok());
}
