//! Sign-in throttling: wrong passwords are counted per account name *and* network, in
//! the database (every portal on it shares the count; a restart keeps it).
//!
//! Only failures count. After `admin.login_failures_before_delay` of them the pair waits
//! one minute, then twice as long after each further failure, up to an hour; the right
//! password resets the pair. Another network's failures never stop the owner: each pair
//! is its own. A network that fails more than `admin.login_failures_per_network` times in
//! 15 minutes, for whatever accounts, waits as a whole. While a password is being
//! checked its pair is claimed, so parallel guesses of one pair are refused rather than
//! checked side by side.

use std::net::IpAddr;
use std::time::Duration;

use crate::db;
use crate::error::Result;
use crate::state::AppState;

/// How long failures of one pair, or of one network, are remembered.
const FORGET_AFTER: time::Duration = time::Duration::DAY;
/// The window of the per-network ceiling.
const NETWORK_WINDOW: time::Duration = time::Duration::minutes(15);
/// How long a pair stays claimed at most while its password is checked.
const BUSY: time::Duration = time::Duration::seconds(15);
/// The longest wait.
const LONGEST_WAIT: time::Duration = time::Duration::HOUR;

/// The throttle's key for one attempt: the account name as typed (lower-cased, bounded)
/// and the client's network.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    network: String,
}

/// One claimed attempt: its password may be checked now; say how it went.
#[derive(Debug)]
#[must_use = "say whether the password was right"]
pub struct Claimed(Attempt);

impl Attempt {
    /// The attempt of `client` at `account`.
    pub fn new(account: &str, client: IpAddr) -> Attempt {
        let account: String = account.chars().take(64).collect::<String>().to_lowercase();
        Attempt {
            // The table wants a name; an empty one is a failure like any other.
            account: if account.is_empty() {
                "-".to_owned()
            } else {
                account
            },
            network: network_key(client),
        }
    }

    /// The client's network, as the throttle counts it.
    pub fn network(&self) -> &str {
        &self.network
    }

    /// Claims the attempt, or answers how long it must wait.
    pub async fn claim(self, state: &AppState) -> Result<std::result::Result<Claimed, Duration>> {
        let now = state.now();
        let ceiling = i64::from(state.config.admin.login_failures_per_network);
        let failures =
            db::sign_in::network_failures(&state.db, &self.network, now - NETWORK_WINDOW).await?;
        if failures >= ceiling {
            tracing::warn!(login.network = %self.network, failures, "network throttled");
            return Ok(Err(NETWORK_WINDOW.unsigned_abs()));
        }
        match db::sign_in::claim(&state.db, &self.account, &self.network, now, now + BUSY).await? {
            Ok(()) => Ok(Ok(Claimed(self))),
            Err(next_at) => Ok(Err((next_at - now)
                .unsigned_abs()
                .max(Duration::from_secs(1)))),
        }
    }
}

impl Claimed {
    /// The client's network, as the throttle counts it.
    pub fn network(&self) -> &str {
        &self.0.network
    }

    /// The password was right: the pair's failures are forgotten.
    pub async fn succeeded(self, state: &AppState) -> Result<()> {
        db::sign_in::succeed(&state.db, &self.0.account, &self.0.network).await?;
        Ok(())
    }

    /// The password was wrong: one more failure, and perhaps a wait.
    pub async fn failed(self, state: &AppState) -> Result<()> {
        let now = state.now();
        let (account, network) = (&self.0.account, &self.0.network);
        let failures =
            db::sign_in::fail(&state.db, account, network, now, now - FORGET_AFTER).await?;
        let wait = wait_after(failures, state.config.admin.login_failures_before_delay);
        db::sign_in::wait_until(&state.db, account, network, now + wait).await?;
        if !wait.is_zero() {
            tracing::warn!(login.network = %network, failures, wait_secs = wait.whole_seconds(), "sign-in delayed");
        }
        Ok(())
    }
}

/// How long a pair waits after its `failures`-th failure.
fn wait_after(failures: i64, free: u32) -> time::Duration {
    let over = failures - i64::from(free);
    if over < 0 {
        return time::Duration::ZERO;
    }
    let minutes = 1_i64 << over.min(6);
    time::Duration::minutes(minutes).min(LONGEST_WAIT)
}

/// The network the throttle counts an address in: its /24 (IPv4) or /64 (IPv6), what
/// one subscriber usually holds. Not the campus network's name, which would let anyone on
/// campus make all of campus wait.
pub fn network_key(ip: IpAddr) -> String {
    crate::network::prefix_label(ip, 24, 64)
}

/// Forgets old failures; answers how many pairs went.
pub async fn sweep(state: &AppState) -> sqlx::Result<u64> {
    let now = state.now();
    db::sign_in::sweep(&state.db, now, now - FORGET_AFTER).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_from_a_minute_to_an_hour() {
        let waits: Vec<i64> = (1..=13).map(|n| wait_after(n, 5).whole_minutes()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn networks_are_a_slash_24_or_a_slash_64() {
        assert_eq!(network_key("192.0.2.77".parse().unwrap()), "192.0.2.0/24");
        assert_eq!(
            network_key("::ffff:192.0.2.77".parse().unwrap()),
            "192.0.2.0/24"
        );
        assert_eq!(
            network_key("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
    }
}
