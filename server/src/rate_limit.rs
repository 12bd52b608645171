//! Rate limits: a GCRA (generic cell rate algorithm) limiter per key, in memory.
//!
//! Each key may make `per_minute` requests a minute, with a burst of as many at once.
//! The state is one instant per key; keys idle for a minute are forgotten.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;

/// A limiter for one kind of key (a token, a network).
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    tolerance: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The theoretical arrival time of each key's next request.
    next: HashMap<String, Instant>,
    calls: u64,
}

impl RateLimiter {
    /// `per_minute` requests a minute per key, all of them at once if need be.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        RateLimiter::per_window(per_minute, Duration::from_secs(60))
    }

    /// `count` requests per `window` per key, all of them at once if need be.
    pub fn per_window(count: u32, window: Duration) -> RateLimiter {
        let count = count.max(1);
        let interval = window / count;
        RateLimiter {
            interval,
            tolerance: interval * (count - 1),
            state: Mutex::default(),
        }
    }

    /// Takes one request for `key` at `now`, or refuses it: 429 with how long to wait.
    pub fn admit(&self, key: &str, now: Instant) -> Result<(), Error> {
        self.check(key, now).map_err(|wait| Error::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1),
        })
    }

    /// Takes one request for `key` at `now`; `Err(wait)` if it must wait that long.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let Ok(mut state) = self.state.lock() else {
            return Ok(());
        };
        state.calls += 1;
        if state.calls % 4096 == 0 {
            state.next.retain(|_, next| *next > now);
        }
        let next = state.next.get(key).copied().unwrap_or(now).max(now);
        let early = next.saturating_duration_since(now);
        if early > self.tolerance {
            return Err(early - self.tolerance);
        }
        state.next.insert(key.to_owned(), next + self.interval);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let limiter = RateLimiter::per_minute(6);
        let start = Instant::now();
        for _ in 0..6 {
            assert!(limiter.check("a", start).is_ok());
        }
        let wait = limiter.check("a", start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(limiter.check("b", start).is_ok(), "keys are independent");
        assert!(limiter.check("a", start + Duration::from_secs(10)).is_ok());
        assert!(limiter.check("a", start + Duration::from_secs(10)).is_err());
    }
}
