//! Delivering queued messages: claim one, send it, mark it sent or note why not and
//! when to try again.

use time::Duration;

use super::Mailer;
use crate::db;
use crate::state::AppState;

/// How long a claimed message is left to its portal before another may send it.
const CLAIM: Duration = Duration::minutes(10);
/// The first wait after a failure; each further failure doubles it, up to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::minutes(5);
/// The longest wait between attempts.
const MAX_WAIT: Duration = Duration::hours(6);
/// The most messages one round delivers, so that a long queue does not hold the task.
const PER_ROUND: usize = 500;

/// What a round of delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Messages the SMTP server took.
    pub sent: usize,
    /// Messages it did not; they wait for their next attempt.
    pub failed: usize,
}

/// Sends every message that is due, each claimed first.
pub async fn deliver(state: &AppState, mailer: &Mailer) -> anyhow::Result<Delivered> {
    let mut done = Delivered::default();
    for _ in 0..PER_ROUND {
        let now = state.now();
        let Some(message) = db::mail::claim(&state.db, now, now + CLAIM).await? else {
            break;
        };
        match mailer
            .send(&message.recipient, &message.subject, &message.body)
            .await
        {
            Ok(()) => {
                db::mail::sent(&state.db, message.id, state.now()).await?;
                done.sent += 1;
            }
            Err(error) => {
                let retry_at = state.now() + wait_after(message.attempts + 1);
                tracing::warn!(id = message.id, error = %error, "mail not delivered");
                db::mail::failed(&state.db, message.id, &error, retry_at).await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// The wait after the `failures`-th failed attempt: 5 minutes, doubling, at most 6 hours.
fn wait_after(failures: i32) -> Duration {
    let doublings = u32::try_from(failures.saturating_sub(1))
        .unwrap_or(0)
        .min(10);
    (FIRST_WAIT * 2_i32.pow(doublings)).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_six_hours() {
        assert_eq!(wait_after(1), Duration::minutes(5));
        assert_eq!(wait_after(2), Duration::minutes(10));
        assert_eq!(wait_after(4), Duration::minutes(40));
        assert_eq!(wait_after(8), Duration::hours(6));
        assert_eq!(wait_after(1000), Duration::hours(6));
    }
}
