//! In-memory throttling of failed attempts, keyed by account or client address.
//!
//! Each key has a leaky bucket of failures: a key may collect `max_failures` failures at once,
//! and one failure leaks away every `window / max_failures`, so the bucket empties completely
//! `window` after the last failure. While the bucket is full, attempts are rejected.
//!
//! `governor` implements the same algorithm (GCRA), but its keyed limiter has no way to look
//! at a key without spending a cell and no way to forget one key. A sign-in needs both: a
//! successful attempt must not count, and it clears the account's failures.
//!
//! The state lives in this process only, so each server instance throttles on its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// How many failures a key may collect, and how long a full bucket takes to empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimit {
    pub max_failures: u32,
    pub window: Duration,
}

impl ThrottleLimit {
    /// Time after which one recorded failure is forgotten.
    fn leak_interval(&self) -> Duration {
        self.window / self.max_failures.max(1) as i32
    }
}

/// Limits of the sign-in throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottleSettings {
    /// Failed sign-ins per account, keyed by the submitted email whether or not an account
    /// has it.
    pub per_account: ThrottleLimit,
    /// Failed sign-ins per client address (per /64 network for IPv6), across all accounts.
    pub per_address: ThrottleLimit,
}

impl Default for LoginThrottleSettings {
    /// 5 failures per account and 20 per address. A full bucket empties over 15 minutes.
    fn default() -> Self {
        let window = Duration::minutes(15);
        Self {
            per_account: ThrottleLimit {
                max_failures: 5,
                window,
            },
            per_address: ThrottleLimit {
                max_failures: 20,
                window,
            },
        }
    }
}

/// An attempt was rejected because its key has too many recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Time until the key may try again.
    pub retry_after: Duration,
}

impl Throttled {
    /// Returns the wait in whole seconds, rounded up and at least 1, for `Retry-After`.
    pub fn retry_after_secs(&self) -> u64 {
        let millis = self.retry_after.num_milliseconds().max(1) as u64;
        millis.div_ceil(1000)
    }
}

/// Key of a throttle entry: the SHA-256 of the caller's key, so the map has a fixed size per
/// entry and contains no email addresses.
type KeyHash = [u8; 32];

/// Entries above which expired entries are removed before the next insert.
const MIN_PRUNE_LEN: usize = 1024;

/// Failure counts per key, with `check`, `record_failure`, `forgive_failure` and `reset`.
#[derive(Debug)]
pub struct Throttle {
    limit: ThrottleLimit,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Per key, the instant its bucket will be empty again.
    empty_at: HashMap<KeyHash, DateTime<Utc>>,
    /// Map length at which the next insert first removes expired entries.
    prune_at_len: usize,
}

impl Throttle {
    pub fn new(limit: ThrottleLimit) -> Self {
        Self {
            limit,
            state: Mutex::new(State {
                empty_at: HashMap::new(),
                prune_at_len: MIN_PRUNE_LEN,
            }),
        }
    }

    pub fn limit(&self) -> ThrottleLimit {
        self.limit
    }

    /// Returns `Err` when `key` has a full bucket, so one more failure is not allowed yet.
    /// Recording nothing, it may be called any number of times.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), Throttled> {
        let state = self.lock();
        let level = state
            .empty_at
            .get(&hash_key(key))
            .map_or(Duration::zero(), |&empty_at| level_at(empty_at, now));
        let overflow = level + self.limit.leak_interval() - self.limit.window;
        if overflow > Duration::zero() {
            return Err(Throttled {
                retry_after: overflow,
            });
        }
        Ok(())
    }

    /// Adds one failure to `key`'s bucket.
    pub fn record_failure(&self, key: &str, now: DateTime<Utc>) {
        let interval = self.limit.leak_interval();
        let mut state = self.lock();
        if state.empty_at.len() >= state.prune_at_len {
            state.empty_at.retain(|_, empty_at| *empty_at > now);
            state.prune_at_len = (state.empty_at.len() * 2).max(MIN_PRUNE_LEN);
        }
        let empty_at = state.empty_at.entry(hash_key(key)).or_insert(now);
        *empty_at = (*empty_at).max(now) + interval;
    }

    /// Takes back one failure recorded for `key`, for an attempt that turned out to succeed
    /// or could not be decided.
    pub fn forgive_failure(&self, key: &str, now: DateTime<Utc>) {
        let interval = self.limit.leak_interval();
        let mut state = self.lock();
        let hash = hash_key(key);
        if let Some(empty_at) = state.empty_at.get_mut(&hash) {
            *empty_at -= interval;
            if *empty_at <= now {
                state.empty_at.remove(&hash);
            }
        }
    }

    /// Forgets every failure of `key`.
    pub fn reset(&self, key: &str) {
        self.lock().empty_at.remove(&hash_key(key));
    }

    /// Returns the number of keys with failures not yet forgotten, expired ones included
    /// until the next prune.
    pub fn len(&self) -> usize {
        self.lock().empty_at.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Locks the state. A panic while the lock was held cannot leave the map inconsistent
    /// (every update is one insert, change or removal), so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Returns the failures still in a bucket at `now`, as the time they need to leak away.
fn level_at(empty_at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (empty_at - now).max(Duration::zero())
}

fn hash_key(key: &str) -> KeyHash {
    Sha256::digest(key.as_bytes()).into()
}

/// Returns the throttle key of a client address. IPv6 addresses are grouped by their /64
/// network, because a single host usually controls a whole /64 and can rotate addresses in it
/// at will. Anything that is not an IP address is used as written.
pub fn address_key(client_addr: &str) -> String {
    match client_addr.parse::<IpAddr>() {
        Ok(IpAddr::V6(address)) => match address.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(address) & (u128::MAX << 64);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
        Ok(IpAddr::V4(address)) => address.to_string(),
        Err(_) => client_addr.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-04T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn five_per_quarter_hour() -> Throttle {
        Throttle::new(ThrottleLimit {
            max_failures: 5,
            window: Duration::minutes(15),
        })
    }

    #[test]
    fn allows_limit_then_throttles() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for attempt in 1..=5 {
            assert!(throttle.check("a", now).is_ok(), "attempt {attempt}");
            throttle.record_failure("a", now);
        }
        let throttled = throttle.check("a", now).unwrap_err();
        assert_eq!(throttled.retry_after, Duration::minutes(3));
        assert_eq!(throttled.retry_after_secs(), 180);
    }

    #[test]
    fn one_failure_leaks_per_interval() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for _ in 0..5 {
            throttle.record_failure("a", now);
        }
        let almost = now + Duration::minutes(3) - Duration::seconds(1);
        assert_eq!(
            throttle.check("a", almost).unwrap_err().retry_after_secs(),
            1
        );
        let later = now + Duration::minutes(3);
        assert!(throttle.check("a", later).is_ok());
        throttle.record_failure("a", later);
        assert!(throttle.check("a", later).is_err());
        assert!(throttle.check("a", now + Duration::minutes(18)).is_ok());
    }

    #[test]
    fn keys_are_independent() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for _ in 0..5 {
            throttle.record_failure("a", now);
        }
        assert!(throttle.check("a", now).is_err());
        assert!(throttle.check("b", now).is_ok());
    }

    #[test]
    fn reset_forgets_key() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for _ in 0..5 {
            throttle.record_failure("a", now);
        }
        throttle.reset("a");
        assert!(throttle.check("a", now).is_ok());
        assert!(throttle.is_empty());
    }

    #[test]
    fn forgive_takes_back_one_failure() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for _ in 0..5 {
            throttle.record_failure("a", now);
        }
        throttle.forgive_failure("a", now);
        assert!(throttle.check("a", now).is_ok());
        for _ in 0..4 {
            throttle.forgive_failure("a", now);
        }
        assert!(throttle.is_empty());
        throttle.forgive_failure("a", now);
        assert!(throttle.is_empty());
    }

    #[test]
    fn check_records_nothing() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for _ in 0..100 {
            assert!(throttle.check("a", now).is_ok());
        }
        assert!(throttle.is_empty());
    }

    #[test]
    fn expired_entries_are_pruned() {
        let throttle = five_per_quarter_hour();
        let now = start();
        for index in 0..MIN_PRUNE_LEN {
            throttle.record_failure(&format!("old-{index}"), now);
        }
        assert_eq!(throttle.len(), MIN_PRUNE_LEN);
        throttle.record_failure("new", now + Duration::hours(1));
        assert_eq!(throttle.len(), 1);
    }

    #[test]
    fn address_key_groups_ipv6_by_64() {
        assert_eq!(address_key("192.0.2.7"), "192.0.2.7");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:ffff::9"),
            address_key("2001:db8:1:2::1")
        );
        assert_ne!(
            address_key("2001:db8:1:3::1"),
            address_key("2001:db8:1:2::1")
        );
        assert_eq!(address_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(address_key("unknown"), "unknown");
    }
}
