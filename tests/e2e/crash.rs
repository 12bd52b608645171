//! Killing the portal with SIGKILL in the middle of a report load loses no acknowledged
//! report, and after a restart no report is stored twice, on every database.

use std::collections::BTreeSet;
use std::time::Duration;

use e2e::database::{Backend, scalar, strings};
use e2e::load::{Load, number_of, post, report, token_of};
use e2e::{Portal, PortalOptions};

const CLIENTS: usize = 16;

#[test]
fn sigkill_mid_load_loses_no_acknowledged_report_and_stores_none_twice() {
    for backend in Backend::all() {
        let schema = backend.schema();
        let mut options = PortalOptions::new()
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_TOKEN", "100000000")
            .env("PORTAL_LIMITS__REPORTS_PER_MINUTE_PER_NETWORK", "100000000")
            .env(
                "PORTAL_ACTIVATOR_EXE",
                env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml",
            );
        if let Some(schema) = &schema {
            options = options.env("PORTAL_DATABASE_URL", schema.url());
        }
        let mut portal = Portal::start(options);
        let database = schema
            .as_ref()
            .map_or_else(|| portal.database_url(), |s| s.url());
        let token = token_of(&portal);

        let load = Load::start(portal.address(), &token, CLIENTS);
        load.wait_for(Duration::from_secs(30), |t| t.acknowledged.len() >= 300);
        portal.kill();
        let tally = load.stop();
        let (acknowledged, attempted) = (tally.acknowledged, tally.attempted);
        assert!(
            acknowledged.len() >= 300,
            "{backend:?}: the load ran ({} acknowledged)",
            acknowledged.len()
        );
        assert!(
            tally.refused.is_empty(),
            "{backend:?}: only acknowledged or cut: {:?}",
            tally.refused
        );

        portal.restart();
        let stored: BTreeSet<u64> = strings(&database, "select report_id from reports")
            .iter()
            .map(|id| number_of(id))
            .collect();
        let lost: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "{backend:?}: acknowledged but lost: {lost:?}"
        );

        // Every report sent again: the acknowledged ones are repeats, and in the end each
        // attempted report is stored exactly once.
        for n in &attempted {
            let status = post(portal.address(), &token, &report(*n))
                .expect("the restarted portal answers")
                .status;
            if acknowledged.contains(n) {
                assert_eq!(
                    status, 200,
                    "{backend:?}: report {n} was acknowledged, so it is a repeat"
                );
            } else {
                assert!(
                    status == 200 || status == 201,
                    "{backend:?}: report {n}: {status}"
                );
            }
        }
        assert_eq!(
            scalar(&database, "select count(*) from reports"),
            attempted.len() as i64,
            "{backend:?}"
        );
        assert_eq!(
            scalar(
                &database,
                "select cast(sum(n_reports) as bigint) from daily_outcomes"
            ),
            attempted.len() as i64,
            "{backend:?}: roll-ups count each report once"
        );
    }
}
