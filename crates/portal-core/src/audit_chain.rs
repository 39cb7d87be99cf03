//! The audit hash chain: each stored event carries the SHA-256 hash of the event before it, and
//! its own hash covers that link, so changing, removing or reordering any stored event breaks
//! every later link.
//!
//! Stores compute the links when they append (inside the same write, so two writers never
//! chain onto the same event), and [`verify_chain`] reads the whole log back and checks it.
//!
//! The hash covers the sequence number, the previous hash and every field of the event.
//! Instants enter as whole milliseconds since the Unix epoch, the precision every store keeps,
//! so a chain copied from one store to another still verifies. Each field is written with its
//! length in front, so no two different events produce the same input.
//!
//! Events stored before the chain existed have empty hashes. They may only form the start of
//! the log; the first hashed event then links to [`GENESIS_HASH`], as in an empty log.

use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::model::NewAuditEvent;
use crate::store::{RecordKind, StoredAuditEvent, TransferRecord, TransferStore};

/// The previous hash of the first event in the chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Names the hash input's layout, so a future layout cannot be confused with this one.
const LAYOUT: &str = "portal-audit-chain-v1";

/// Events read per page while verifying.
const VERIFY_PAGE: u32 = 2_000;

/// Returns the hash of the event stored as number `seq` after the event whose hash is
/// `prev_hash`, as lower-case hexadecimal.
pub fn link_hash(prev_hash: &str, seq: i64, event: &NewAuditEvent) -> String {
    let mut hasher = Sha256::new();
    let mut field = |value: &[u8]| {
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value);
    };
    let uuid_text = |id: Option<uuid::Uuid>| id.map(|id| id.to_string()).unwrap_or_default();

    field(LAYOUT.as_bytes());
    field(prev_hash.as_bytes());
    field(seq.to_string().as_bytes());
    field(event.occurred_at.timestamp_millis().to_string().as_bytes());
    field(uuid_text(event.actor_id).as_bytes());
    field(
        event
            .actor_role
            .map(|role| role.as_str())
            .unwrap_or("")
            .as_bytes(),
    );
    field(event.action.as_bytes());
    field(uuid_text(event.subject_id).as_bytes());
    field(event.outcome.as_str().as_bytes());
    field(event.request_id.as_bytes());
    field(event.client_addr.as_bytes());
    match &event.detail {
        Some(detail) => {
            field(b"1");
            field(detail.as_bytes());
        }
        None => field(b"0"),
    }

    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The end of the chain that the next appended event links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTip {
    /// The sequence number of the last stored event, or 0 for an empty log.
    pub seq: i64,
    /// The hash the next event links to.
    pub hash: String,
}

impl ChainTip {
    /// Returns the tip of an empty log.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }

    /// Returns the tip after the stored event with number `seq` and hash `hash`. After an
    /// event stored before the chain existed (empty hash), the chain starts afresh.
    pub fn after(seq: i64, hash: &str) -> Self {
        let hash = if hash.is_empty() { GENESIS_HASH } else { hash };
        Self {
            seq,
            hash: hash.to_owned(),
        }
    }

    /// Links `event` onto the chain and moves the tip past it; returns the stored form.
    pub fn append(&mut self, event: NewAuditEvent) -> StoredAuditEvent {
        let seq = self.seq + 1;
        let hash = link_hash(&self.hash, seq, &event);
        let stored = StoredAuditEvent {
            seq,
            prev_hash: std::mem::replace(&mut self.hash, hash.clone()),
            hash,
            event,
        };
        self.seq = seq;
        stored
    }
}

/// The result of [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Events read.
    pub events: u64,
    /// Events at the start of the log written before the chain existed.
    pub unchained: u64,
    /// The first broken link, if any.
    pub first_break: Option<ChainBreak>,
    /// The sequence number and hash of the last intact event. Removing the newest events
    /// leaves an intact but shorter chain, which only a tip recorded earlier reveals.
    pub tip: Option<(i64, String)>,
}

/// A place where the stored log differs from an intact chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first event that does not fit.
    pub seq: i64,
    pub reason: String,
}

/// Reads the whole audit log in sequence order and checks every link. `progress` is called
/// after each page with the number of events read so far.
pub async fn verify_chain(
    store: &dyn TransferStore,
    mut progress: impl FnMut(u64),
) -> Result<ChainReport, StoreError> {
    let mut checker = ChainChecker::default();
    let mut cursor: Option<String> = None;
    loop {
        let (records, next) = store
            .export_records(RecordKind::AuditEvent, cursor.as_deref(), VERIFY_PAGE)
            .await?;
        for record in &records {
            let TransferRecord::AuditEvent(stored) = record else {
                return Err(StoreError::Other(
                    "the audit export returned a record of another kind".into(),
                ));
            };
            if let Some(broken) = checker.check(stored) {
                return Ok(checker.report(Some(broken)));
            }
        }
        progress(checker.events);
        match next {
            Some(next) if !records.is_empty() => cursor = Some(next),
            _ => return Ok(checker.report(None)),
        }
    }
}

/// The state of a verification between events.
#[derive(Debug, Default)]
struct ChainChecker {
    events: u64,
    unchained: u64,
    /// The number and hash of the last event checked.
    last: Option<(i64, String)>,
}

impl ChainChecker {
    /// Checks the next event in sequence order; returns the break it shows, if any.
    fn check(&mut self, stored: &StoredAuditEvent) -> Option<ChainBreak> {
        let broken = |reason: String| {
            Some(ChainBreak {
                seq: stored.seq,
                reason,
            })
        };
        let expected_seq = self.last.as_ref().map_or(1, |(seq, _)| seq + 1);
        if stored.seq != expected_seq {
            return broken(format!(
                "expected event {expected_seq} here, so events are missing"
            ));
        }

        let previous_hash = self.last.as_ref().map(|(_, hash)| hash.as_str());
        if stored.hash.is_empty() {
            // Only the start of the log may predate the chain.
            if previous_hash.is_some_and(|hash| !hash.is_empty()) || !stored.prev_hash.is_empty() {
                return broken("the event has no hash but follows a hashed event".into());
            }
            self.unchained += 1;
        } else {
            let expected_prev = match previous_hash {
                None | Some("") => GENESIS_HASH,
                Some(hash) => hash,
            };
            if stored.prev_hash != expected_prev {
                return broken(
                    "the previous-event hash does not match the event before it, so an \
                     earlier event was changed, removed or reordered"
                        .into(),
                );
            }
            if stored.hash != link_hash(&stored.prev_hash, stored.seq, &stored.event) {
                return broken(
                    "the event's hash does not match its contents, so the event was changed".into(),
                );
            }
        }

        self.events += 1;
        self.last = Some((stored.seq, stored.hash.clone()));
        None
    }

    fn report(&self, first_break: Option<ChainBreak>) -> ChainReport {
        ChainReport {
            events: self.events,
            unchained: self.unchained,
            first_break,
            tip: self.last.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::model::{Outcome, Role};

    fn event(action: &'static str) -> NewAuditEvent {
        NewAuditEvent {
            occurred_at: Utc.with_ymd_and_hms(2026, 12, 4, 9, 30, 0).unwrap(),
            actor_id: Some(Uuid::from_u128(7)),
            actor_role: Some(Role::Provider),
            action: action.into(),
            subject_id: Some(Uuid::from_u128(9)),
            outcome: Outcome::Success,
            request_id: "req-1".into(),
            client_addr: "127.0.0.1".into(),
            detail: None,
        }
    }

    fn chain(actions: &[&'static str]) -> Vec<StoredAuditEvent> {
        let mut tip = ChainTip::genesis();
        actions
            .iter()
            .map(|action| tip.append(event(action)))
            .collect()
    }

    fn first_break(events: &[StoredAuditEvent]) -> Option<ChainBreak> {
        let mut checker = ChainChecker::default();
        events.iter().find_map(|stored| checker.check(stored))
    }

    #[test]
    fn intact_chain_verifies() {
        let events = chain(&["a", "b", "c"]);
        assert_eq!(events[0].prev_hash, GENESIS_HASH);
        assert_eq!(events[1].prev_hash, events[0].hash);
        assert_eq!(first_break(&events), None);
    }

    #[test]
    fn hash_covers_every_field() {
        let base = event("profile.read");
        let hash = link_hash(GENESIS_HASH, 1, &base);
        let variants = [
            NewAuditEvent {
                occurred_at: base.occurred_at + chrono::Duration::milliseconds(1),
                ..base.clone()
            },
            NewAuditEvent {
                actor_id: None,
                ..base.clone()
            },
            NewAuditEvent {
                actor_role: Some(Role::Patient),
                ..base.clone()
            },
            NewAuditEvent {
                action: "profile.update".into(),
                ..base.clone()
            },
            NewAuditEvent {
                subject_id: Some(Uuid::from_u128(8)),
                ..base.clone()
            },
            NewAuditEvent {
                outcome: Outcome::Denied,
                ..base.clone()
            },
            NewAuditEvent {
                request_id: "req-2".into(),
                ..base.clone()
            },
            NewAuditEvent {
                client_addr: "127.0.0.2".into(),
                ..base.clone()
            },
            NewAuditEvent {
                detail: Some(String::new()),
                ..base.clone()
            },
            NewAuditEvent {
                detail: Some("unconscious on arrival".into()),
                ..base.clone()
            },
        ];
        for variant in &variants {
            assert_ne!(link_hash(GENESIS_HASH, 1, variant), hash, "{variant:?}");
        }
        assert_ne!(link_hash(GENESIS_HASH, 2, &base), hash);
        assert_ne!(link_hash(&"1".repeat(64), 1, &base), hash);
    }

    #[test]
    fn field_boundaries_cannot_shift() {
        let left = NewAuditEvent {
            request_id: "ab".into(),
            client_addr: "c".into(),
            ..event("x")
        };
        let right = NewAuditEvent {
            request_id: "a".into(),
            client_addr: "bc".into(),
            ..event("x")
        };
        assert_ne!(
            link_hash(GENESIS_HASH, 1, &left),
            link_hash(GENESIS_HASH, 1, &right)
        );
    }

    #[test]
    fn sub_millisecond_time_does_not_change_the_hash() {
        let base = event("a");
        let finer = NewAuditEvent {
            occurred_at: base.occurred_at + chrono::Duration::microseconds(250),
            ..base.clone()
        };
        assert_eq!(
            link_hash(GENESIS_HASH, 1, &base),
            link_hash(GENESIS_HASH, 1, &finer)
        );
    }

    #[test]
    fn changed_event_is_named() {
        let mut events = chain(&["a", "b", "c"]);
        events[1].event.outcome = Outcome::Denied;
        let broken = first_break(&events).expect("a break");
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("contents"), "{}", broken.reason);
    }

    #[test]
    fn rehashed_event_breaks_the_next_link() {
        let mut events = chain(&["a", "b", "c"]);
        events[1].event.outcome = Outcome::Denied;
        events[1].hash = link_hash(&events[1].prev_hash, 2, &events[1].event);
        let broken = first_break(&events).expect("a break");
        assert_eq!(broken.seq, 3);
    }

    #[test]
    fn missing_event_is_named() {
        let mut events = chain(&["a", "b", "c"]);
        events.remove(1);
        assert_eq!(first_break(&events).expect("a break").seq, 3);
    }

    #[test]
    fn removed_first_event_is_named() {
        let mut events = chain(&["a", "b"]);
        events.remove(0);
        assert_eq!(first_break(&events).expect("a break").seq, 2);
    }

    #[test]
    fn unchained_events_may_only_start_the_log() {
        let legacy = |seq| StoredAuditEvent {
            seq,
            prev_hash: String::new(),
            hash: String::new(),
            event: event("old"),
        };
        let mut tip = ChainTip::after(2, "");
        let mut events = vec![legacy(1), legacy(2)];
        events.push(tip.append(event("new")));
        let mut checker = ChainChecker::default();
        assert!(events.iter().all(|stored| checker.check(stored).is_none()));
        assert_eq!(checker.unchained, 2);

        events.push(legacy(4));
        assert_eq!(first_break(&events).expect("a break").seq, 4);
    }
}
