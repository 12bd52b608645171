//! The reference for report ingestion: `store_batch` called directly.
//!
//! With `c` clients the group-commit writer can gather at most `c` reports per
//! transaction, so batches of `c` stored one after another are the most the database
//! allows the HTTP path at that concurrency. The reports are the ones the wrk script
//! sends: the shared fixture with a fresh `report_id` each and one of 50,000 machine ids.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use protocol::report::Report;
use server::db::Db;
use server::db::reports::{Incoming, Stored, store_batch};

/// Times batches of each size in `batches` for `duration` each; prints a `RESULT` line per size.
pub async fn run(
    db: &Db,
    template: &Path,
    batches: &[usize],
    duration: Duration,
) -> anyhow::Result<()> {
    let body =
        std::fs::read(template).with_context(|| format!("cannot read {}", template.display()))?;
    let template = Report::from_json(&body).map_err(|v| anyhow::anyhow!("{v:?}"))?;
    // The token of a download the portal would have recorded.
    let token_id = "0123456789abcdef01234567".to_owned();
    let mut counter: u64 = 0;
    for &size in batches {
        let mut latencies = Vec::new();
        let mut n_reports = 0_u64;
        let started = Instant::now();
        while started.elapsed() < duration {
            let batch: Vec<Incoming> = (0..size)
                .map(|_| {
                    counter += 1;
                    let mut report = template.clone();
                    report.report_id = format!("00000000-{size:04x}-4000-8000-{counter:012x}");
                    report.machine.id = format!("{:064x}", (counter * 7919) % 50_000);
                    let received_at = now();
                    Incoming {
                        report,
                        token_id: token_id.clone(),
                        network: "127.0.0.0/24".to_owned(),
                        received_at,
                        // The portal's default zone, Asia/Taipei, has kept UTC+8 since 1979.
                        day: received_at.to_offset(time::macros::offset!(+8)).date(),
                        // As the portal does for a download's token (scripts/bench raises
                        // the limit): the same PC bookkeeping per batch.
                        machine_limit: Some(u32::MAX),
                    }
                })
                .collect();
            let batch_started = Instant::now();
            let stored = store_batch(db, &batch).await?;
            latencies.push(batch_started.elapsed());
            anyhow::ensure!(
                stored.iter().all(|s| *s == Stored::New),
                "every generated report is new"
            );
            n_reports += batch.len() as u64;
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
        println!(
            "RESULT batch={size} reports={n_reports} rps={:.1} p50_us={} p99_us={}",
            n_reports as f64 / elapsed.as_secs_f64(),
            percentile(50).as_micros(),
            percentile(99).as_micros(),
        );
    }
    Ok(())
}

/// Now, to the whole second, as the portal stores times.
fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}
