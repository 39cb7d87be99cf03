//! Cases for the audit hash chain, for registration writing its audit event atomically and
//! for emergency access grants.

use chrono::Duration;
use futures::future::join_all;
use portal_core::audit_chain::{GENESIS_HASH, link_hash, verify_chain};
use portal_core::model::{EMERGENCY_GRANT, NewAuditEvent, Outcome, Role};
use portal_core::store::{RecordKind, Store, StoredAuditEvent, TransferRecord};
use uuid::Uuid;

use crate::{
    add_provider, audit_event, first_page, new_patient, now, registration_event,
    requested_appointment,
};

/// Reads every stored audit event in sequence order.
async fn stored_events(store: &dyn Store) -> Vec<StoredAuditEvent> {
    let (records, _) = store
        .export_records(RecordKind::AuditEvent, None, 10_000)
        .await
        .expect("export the audit events");
    records
        .into_iter()
        .map(|record| match record {
            TransferRecord::AuditEvent(stored) => stored,
            other => panic!("the audit export returned another kind: {other:?}"),
        })
        .collect()
}

/// Verifies the whole chain and expects it intact with `events` events.
async fn assert_intact(store: &dyn Store, events: u64) {
    let report = verify_chain(store, |_| {}).await.expect("read the chain");
    assert_eq!(report.first_break, None, "the chain is intact");
    assert_eq!(report.events, events, "every event was checked");
    assert_eq!(report.unchained, 0, "every event is chained");
}

pub async fn audit_chain_links(store: &dyn Store) {
    let patient = new_patient("Ada", "Byron");
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");
    let subject = Some(patient.user.id);
    store
        .append_audit(&[
            audit_event("auth.login", None, subject, Outcome::Failed),
            audit_event("profile.read", None, subject, Outcome::Success),
        ])
        .await
        .expect("append a batch");
    store
        .append_audit(&[audit_event("auth.logout", None, subject, Outcome::Success)])
        .await
        .expect("append one event");

    let events = stored_events(store).await;
    let seqs: Vec<i64> = events.iter().map(|stored| stored.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4], "numbers start at 1 with no gaps");
    assert_eq!(
        events[0].prev_hash, GENESIS_HASH,
        "the first event links to genesis"
    );
    for pair in events.windows(2) {
        assert_eq!(
            pair[1].prev_hash, pair[0].hash,
            "each event links to the one before"
        );
    }
    for stored in &events {
        assert_eq!(
            stored.hash,
            link_hash(&stored.prev_hash, stored.seq, &stored.event),
            "the stored hash covers the stored event"
        );
    }
    assert_intact(store, 4).await;
}

/// Checks a batch of requested appointments that all succeed: each is stored, and their
/// events extend the chain in the order of the items.
pub async fn appointment_batch_chained(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient = new_patient("Ada", "Byron");
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");
    let patient_id = patient.user.id;
    let batch: Vec<_> = (1..=3)
        .map(|days| requested_appointment(patient_id, provider_id, days))
        .collect();

    let results = store.insert_audited_appointments(&batch).await;
    let ids: Vec<Uuid> = results
        .iter()
        .map(|result| result.as_ref().expect("every item is stored").id)
        .collect();
    let expected: Vec<Uuid> = batch
        .iter()
        .map(|(appointment, _)| appointment.id)
        .collect();
    assert_eq!(ids, expected, "one stored appointment per item, in order");

    let events = stored_events(store).await;
    let requests: Vec<&str> = events
        .iter()
        .filter(|stored| stored.event.action == "appointment.request")
        .map(|stored| stored.event.request_id.as_str())
        .collect();
    let sent: Vec<&str> = batch
        .iter()
        .map(|(_, event)| event.request_id.as_str())
        .collect();
    assert_eq!(requests, sent, "the events follow the items' order");
    assert_intact(store, 4).await;
}

pub async fn audit_chain_concurrent(store: &dyn Store) {
    const WRITERS: usize = 6;
    const BATCHES: usize = 4;
    const BATCH_SIZE: usize = 3;
    const REGISTRATIONS: usize = 6;

    let appends = (0..WRITERS).map(|_| async {
        for _ in 0..BATCHES {
            let batch: Vec<NewAuditEvent> = (0..BATCH_SIZE)
                .map(|_| audit_event("dashboard.read", None, None, Outcome::Success))
                .collect();
            store.append_audit(&batch).await.expect("append a batch");
        }
    });
    let patients: Vec<_> = (0..REGISTRATIONS)
        .map(|index| new_patient("Grace", &format!("Hopper{index}")))
        .collect();
    let registrations = patients.iter().map(|patient| async move {
        store
            .insert_patient(patient, &registration_event(patient))
            .await
            .expect("insert a patient");
    });
    tokio::join!(join_all(appends), join_all(registrations));

    let total = WRITERS * BATCHES * BATCH_SIZE + REGISTRATIONS;
    assert_intact(store, total as u64).await;
}

pub async fn registration_audited(store: &dyn Store) {
    let patient = new_patient("Ada", "Byron");
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");

    let events = store
        .list_access_events(patient.user.id, first_page(10))
        .await
        .expect("list access events");
    assert_eq!(events.total, 1, "registration stored one event");
    let event = &events.items[0];
    assert_eq!(event.action, "auth.register");
    assert_eq!(event.actor_id, Some(patient.user.id));
    assert_eq!(event.actor_role, Some(Role::Patient));
    assert_eq!(event.outcome, Outcome::Success);
}

pub async fn registration_duplicate_not_audited(store: &dyn Store) {
    let first = new_patient("Ada", "Byron");
    store
        .insert_patient(&first, &registration_event(&first))
        .await
        .expect("insert a patient");
    let mut second = new_patient("Grace", "Hopper");
    second.user.email = first.user.email.clone();

    let result = store
        .insert_patient(&second, &registration_event(&second))
        .await;
    assert!(result.is_err(), "a taken email is rejected: {result:?}");

    let events = store
        .list_access_events(second.user.id, first_page(10))
        .await
        .expect("list access events");
    assert_eq!(events.total, 0, "the rejected registration stored no event");
    assert_intact(store, 1).await;
}

pub async fn audit_emergency_grant(store: &dyn Store) {
    let provider = Uuid::now_v7();
    let other_provider = Uuid::now_v7();
    let patient = Uuid::now_v7();
    let grant = |actor: Uuid, outcome: Outcome, minutes: i64| NewAuditEvent {
        occurred_at: now() + Duration::minutes(minutes),
        detail: Some("Unconscious on arrival".to_owned()),
        ..audit_event(
            EMERGENCY_GRANT,
            Some((actor, Role::Provider)),
            Some(patient),
            outcome,
        )
    };
    store
        .append_audit(&[
            grant(provider, Outcome::Success, 0),
            grant(provider, Outcome::Success, 10),
            grant(provider, Outcome::Denied, 20),
            grant(other_provider, Outcome::Success, 30),
            audit_event(
                "profile.read",
                Some((provider, Role::Provider)),
                Some(patient),
                Outcome::Success,
            ),
        ])
        .await
        .expect("append events");

    let latest = store
        .emergency_grant_since(provider, patient, now())
        .await
        .expect("find grants");
    assert_eq!(
        latest,
        Some(now() + Duration::minutes(10)),
        "the latest successful grant of this provider counts"
    );
    let after = store
        .emergency_grant_since(provider, patient, now() + Duration::minutes(11))
        .await
        .expect("find grants");
    assert_eq!(
        after, None,
        "denied and other providers' grants do not count"
    );
    let elsewhere = store
        .emergency_grant_since(provider, Uuid::now_v7(), now())
        .await
        .expect("find grants");
    assert_eq!(elsewhere, None, "a grant is for one patient");

    let events = store
        .list_access_events(patient, first_page(10))
        .await
        .expect("list access events");
    let reasons: Vec<Option<&str>> = events
        .items
        .iter()
        .map(|event| event.reason.as_deref())
        .collect();
    assert_eq!(
        reasons,
        [
            None,
            Some("Unconscious on arrival"),
            Some("Unconscious on arrival"),
            Some("Unconscious on arrival"),
            Some("Unconscious on arrival"),
        ],
        "the reason is kept"
    );
    let emergency: Vec<bool> = events.items.iter().map(|event| event.emergency).collect();
    assert_eq!(emergency, [false, true, true, true, true]);
    assert_intact(store, 5).await;
}
