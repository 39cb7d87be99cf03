//! Conformance cases of `TransferStore`: counts, keyset-paged export and exact import.
//!
//! Each case gets one fresh store, so a round trip is checked in two halves: export returns
//! exactly what the normal trait methods wrote, and import writes records built here so that
//! the normal trait methods read them back unchanged.

use std::collections::HashSet;

use chrono::Duration;
use portal_core::StoreError;
use portal_core::model::{
    AppointmentStatus, NewAuditEvent, Outcome, PageRequest, ProfileChanges, Role, Session,
    UserRecord,
};
use portal_core::store::{
    NewPatient, NewProvider, ProviderRegistration, RecordKind, Store, StoredAppointment,
    StoredAuditEvent, StoredInvite, TransferRecord,
};
use uuid::Uuid;

use super::{
    add_patient, add_provider, add_session, audit_event, first_page, full_health, invite,
    new_appointment, new_patient, new_provider, new_session, now,
};

/// Maximum number of pages an export loop reads before the case fails, so a cursor that never advances
/// ends the case instead of hanging it.
const MAX_PAGES: usize = 1_000;

/// Exports every record of `kind`, `limit` at a time, following the cursors until a page is
/// empty. Returns the records and the number of non-empty pages.
async fn export_all(
    store: &dyn Store,
    kind: RecordKind,
    limit: u32,
) -> (Vec<TransferRecord>, usize) {
    let mut records = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0..MAX_PAGES {
        let (batch, next) = store
            .export_records(kind, cursor.as_deref(), limit)
            .await
            .expect("export a page of records");
        if batch.is_empty() {
            return (records, page);
        }
        assert!(
            batch.len() <= limit as usize,
            "a page of {} holds at most the limit {limit}, got {}",
            kind.as_str(),
            batch.len()
        );
        assert!(
            next.is_some(),
            "a non-empty page of {} returns a cursor",
            kind.as_str()
        );
        records.extend(batch);
        cursor = next;
    }
    panic!(
        "exporting {} did not reach an empty page within {MAX_PAGES} pages",
        kind.as_str()
    );
}

async fn count(store: &dyn Store, kind: RecordKind) -> u64 {
    store
        .count_records(kind)
        .await
        .expect("count records of a kind")
}

/// Counts every kind, in import order.
async fn counts(store: &dyn Store) -> Vec<(RecordKind, u64)> {
    let mut counts = Vec::new();
    for kind in RecordKind::IMPORT_ORDER {
        counts.push((kind, count(store, kind).await));
    }
    counts
}

#[track_caller]
fn assert_same_user(actual: &UserRecord, expected: &UserRecord, context: &str) {
    assert_eq!(actual.id, expected.id, "{context}: id is kept");
    assert_eq!(actual.email, expected.email, "{context}: email is kept");
    assert_eq!(actual.role, expected.role, "{context}: role is kept");
    assert_eq!(
        actual.password_hash, expected.password_hash,
        "{context}: password hash is kept"
    );
    assert_eq!(
        actual.first_name, expected.first_name,
        "{context}: first name is kept"
    );
    assert_eq!(
        actual.last_name, expected.last_name,
        "{context}: last name is kept"
    );
    assert_eq!(
        actual.created_at, expected.created_at,
        "{context}: created_at is kept"
    );
    assert_eq!(
        actual.updated_at, expected.updated_at,
        "{context}: updated_at is kept"
    );
}

#[track_caller]
fn assert_same_provider(actual: &NewProvider, expected: &NewProvider) {
    assert_same_user(&actual.user, &expected.user, "provider");
    assert_eq!(
        actual.details, expected.details,
        "provider: NPI and specialty are kept"
    );
}

#[track_caller]
fn assert_same_patient(actual: &NewPatient, expected: &NewPatient) {
    assert_same_user(&actual.user, &expected.user, "patient");
    assert_eq!(
        actual.date_of_birth, expected.date_of_birth,
        "patient: date of birth is kept"
    );
    assert_eq!(actual.consent, expected.consent, "patient: consent is kept");
    assert_eq!(
        actual.health, expected.health,
        "patient: health details are kept"
    );
}

fn providers(records: &[TransferRecord]) -> Vec<&NewProvider> {
    records
        .iter()
        .map(|record| match record {
            TransferRecord::Provider(provider) => provider,
            other => panic!("a provider export returned {other:?}"),
        })
        .collect()
}

fn patients(records: &[TransferRecord]) -> Vec<(&NewPatient, chrono::DateTime<chrono::Utc>)> {
    records
        .iter()
        .map(|record| match record {
            TransferRecord::Patient {
                patient,
                profile_updated_at,
            } => (patient, *profile_updated_at),
            other => panic!("a patient export returned {other:?}"),
        })
        .collect()
}

fn invites(records: &[TransferRecord]) -> Vec<&StoredInvite> {
    records
        .iter()
        .map(|record| match record {
            TransferRecord::Invite(invite) => invite,
            other => panic!("an invite export returned {other:?}"),
        })
        .collect()
}

fn appointments(records: &[TransferRecord]) -> Vec<&StoredAppointment> {
    records
        .iter()
        .map(|record| match record {
            TransferRecord::Appointment(appointment) => appointment,
            other => panic!("an appointment export returned {other:?}"),
        })
        .collect()
}

fn sessions(records: &[TransferRecord]) -> Vec<&Session> {
    records
        .iter()
        .map(|record| match record {
            TransferRecord::Session(session) => session,
            other => panic!("a session export returned {other:?}"),
        })
        .collect()
}

fn audit_events(records: &[TransferRecord]) -> Vec<&StoredAuditEvent> {
    records
        .iter()
        .map(|record| match record {
            TransferRecord::AuditEvent(event) => event,
            other => panic!("an audit event export returned {other:?}"),
        })
        .collect()
}

fn transfer_patient(patient: &NewPatient) -> TransferRecord {
    TransferRecord::Patient {
        patient: patient.clone(),
        profile_updated_at: patient.user.updated_at,
    }
}

/// An audit event to import, with chain links that an import must keep exactly as given.
fn transfer_event(seq: i64, event: NewAuditEvent) -> TransferRecord {
    TransferRecord::AuditEvent(StoredAuditEvent {
        seq,
        prev_hash: format!("{:064x}", seq - 1),
        hash: format!("{seq:064x}"),
        event,
    })
}

// ---------------------------------------------------------------------------------------------
// Counts and export
// ---------------------------------------------------------------------------------------------

pub async fn transfer_counts(store: &dyn Store) {
    for (kind, total) in counts(store).await {
        assert_eq!(total, 0, "a new store holds no {}", kind.as_str());
    }

    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let first = add_patient(store, "Ada", "Byron").await;
    let second = add_patient(store, "Grace", "Hopper").await;
    store
        .insert_invite(&invite(now() + Duration::days(3)))
        .await
        .expect("insert an unused invite");
    for (patient_id, days) in [(first, 1), (first, 2), (second, 3)] {
        store
            .insert_appointment(&new_appointment(
                patient_id,
                provider_id,
                now() + Duration::days(days),
                AppointmentStatus::Requested,
            ))
            .await
            .expect("insert an appointment");
    }
    add_session(store, first).await;
    add_session(store, provider_id).await;
    store
        .append_audit(&[
            audit_event("auth.login", None, Some(first), Outcome::Failed),
            audit_event("auth.login", None, None, Outcome::Failed),
        ])
        .await
        .expect("append audit events");

    let expected = [
        (RecordKind::Provider, 1),
        (RecordKind::Patient, 2),
        // add_provider consumes an invite of its own.
        (RecordKind::Invite, 2),
        (RecordKind::Appointment, 3),
        (RecordKind::Session, 2),
        // Two registrations and two appended events.
        (RecordKind::AuditEvent, 4),
    ];
    for (kind, total) in expected {
        assert_eq!(
            count(store, kind).await,
            total,
            "count of {} after inserts",
            kind.as_str()
        );
    }
}

pub async fn transfer_export_round_trip(store: &dyn Store) {
    let registration_invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&registration_invite)
        .await
        .expect("insert an invite");
    let provider = new_provider("Dana", "Reyes", "Cardiology");
    let registration = store
        .insert_provider(&provider, &registration_invite.code_hash, now())
        .await
        .expect("insert a provider");
    assert_eq!(
        registration,
        ProviderRegistration::Created,
        "invite accepted"
    );
    let unused_invite = invite(now() + Duration::days(3));
    store
        .insert_invite(&unused_invite)
        .await
        .expect("insert an unused invite");

    let mut patient = new_patient("Ada", "Byron");
    patient.health = full_health(provider.user.id);
    let registered = crate::registration_event(&patient);
    store
        .insert_patient(&patient, &registered)
        .await
        .expect("insert a patient");
    // The profile and the account change at different times, so both times must be kept.
    let profile_changed = now() + Duration::hours(1);
    let changes = ProfileChanges {
        first_name: "Augusta".to_owned(),
        last_name: "King".to_owned(),
        date_of_birth: patient.date_of_birth,
        health: patient.health.clone(),
    };
    store
        .update_profile(patient.user.id, &changes, profile_changed)
        .await
        .expect("update the profile")
        .expect("the profile exists");
    let password_changed = now() + Duration::hours(2);
    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
    store
        .update_password(patient.user.id, new_hash, password_changed)
        .await
        .expect("update the password");
    let mut expected_patient = patient.clone();
    expected_patient.user.first_name = "Augusta".to_owned();
    expected_patient.user.last_name = "King".to_owned();
    expected_patient.user.password_hash = new_hash.to_owned();
    expected_patient.user.updated_at = password_changed;

    let appointment = new_appointment(
        patient.user.id,
        provider.user.id,
        now() + Duration::days(2),
        AppointmentStatus::Requested,
    );
    store
        .insert_appointment(&appointment)
        .await
        .expect("insert an appointment");
    let confirmed_at = now() + Duration::hours(3);
    store
        .transition_appointment(
            appointment.id,
            &[AppointmentStatus::Requested],
            AppointmentStatus::Confirmed,
            confirmed_at,
        )
        .await
        .expect("confirm the appointment")
        .expect("the appointment was requested");

    let session = add_session(store, patient.user.id).await;
    let rotated_at = now() + Duration::minutes(20);
    store
        .rotate_refresh(session.id, &session.refresh_hash, "sha256-next", rotated_at)
        .await
        .expect("rotate the refresh hash");
    let revoked_at = now() + Duration::minutes(30);
    store
        .revoke_session(session.id, revoked_at)
        .await
        .expect("revoke the session");

    let provider_actor = Some((provider.user.id, Role::Provider));
    let events = vec![
        audit_event("auth.login", None, Some(patient.user.id), Outcome::Failed),
        audit_event(
            "profile.read",
            provider_actor,
            Some(patient.user.id),
            Outcome::Success,
        ),
        audit_event("auth.refresh", None, None, Outcome::Denied),
    ];
    store
        .append_audit(&events)
        .await
        .expect("append audit events");

    // Providers.
    let (records, _) = export_all(store, RecordKind::Provider, 10).await;
    let exported = providers(&records);
    assert_eq!(exported.len(), 1, "one provider is exported");
    assert_same_provider(exported[0], &provider);

    // Patients.
    let (records, _) = export_all(store, RecordKind::Patient, 10).await;
    let exported = patients(&records);
    assert_eq!(exported.len(), 1, "one patient is exported");
    assert_same_patient(exported[0].0, &expected_patient);
    assert_eq!(
        exported[0].1, profile_changed,
        "the profile keeps its own updated_at"
    );

    // Invites, with the use of the consumed one.
    let (records, _) = export_all(store, RecordKind::Invite, 10).await;
    let exported = invites(&records);
    assert_eq!(exported.len(), 2, "both invites are exported");
    let used = exported
        .iter()
        .find(|stored| stored.invite.code_hash == registration_invite.code_hash)
        .expect("the consumed invite is exported");
    assert_eq!(
        used.invite, registration_invite,
        "the consumed invite is kept"
    );
    assert_eq!(
        used.used_at,
        Some(now()),
        "the consumed invite keeps its use time"
    );
    let unused = exported
        .iter()
        .find(|stored| stored.invite.code_hash == unused_invite.code_hash)
        .expect("the unused invite is exported");
    assert_eq!(unused.invite, unused_invite, "the unused invite is kept");
    assert_eq!(unused.used_at, None, "the unused invite has no use time");

    // Appointments, with the status change.
    let (records, _) = export_all(store, RecordKind::Appointment, 10).await;
    let exported = appointments(&records);
    assert_eq!(exported.len(), 1, "one appointment is exported");
    let mut expected_appointment = appointment.clone();
    expected_appointment.status = AppointmentStatus::Confirmed;
    assert_eq!(
        exported[0].appointment, expected_appointment,
        "the appointment is exported with its current status"
    );
    assert_eq!(
        exported[0].updated_at, confirmed_at,
        "the appointment keeps updated_at"
    );

    // Sessions, rotated and revoked.
    let (records, _) = export_all(store, RecordKind::Session, 10).await;
    let exported = sessions(&records);
    assert_eq!(exported.len(), 1, "one session is exported");
    let mut expected_session = session.clone();
    expected_session.refresh_hash = "sha256-next".to_owned();
    expected_session.last_used_at = rotated_at;
    expected_session.revoked_at = Some(revoked_at);
    assert_eq!(
        *exported[0], expected_session,
        "the session keeps every field"
    );

    // Audit events, in append order, with the sequence numbers the access log shows.
    let (records, _) = export_all(store, RecordKind::AuditEvent, 10).await;
    let exported = audit_events(&records);
    let exported_events: Vec<NewAuditEvent> =
        exported.iter().map(|stored| stored.event.clone()).collect();
    let appended: Vec<NewAuditEvent> = std::iter::once(registered).chain(events).collect();
    assert_eq!(
        exported_events, appended,
        "audit events are exported in append order, registration first, unchanged"
    );
    assert!(
        exported.windows(2).all(|pair| pair[0].seq < pair[1].seq),
        "sequence numbers increase in export order"
    );
    let listed = store
        .list_access_events(patient.user.id, first_page(10))
        .await
        .expect("list access events");
    let listed_ids: Vec<i64> = listed.items.iter().rev().map(|event| event.id).collect();
    let exported_seqs: Vec<i64> = exported[..3].iter().map(|stored| stored.seq).collect();
    assert_eq!(
        listed_ids, exported_seqs,
        "the access log ids are the exported sequence numbers"
    );
}

pub async fn transfer_export_paging(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let mut patient_ids = Vec::new();
    for index in 0..7 {
        let patient_id = add_patient(store, "Patient", &format!("Number{index}")).await;
        patient_ids.push(patient_id);
    }
    for (index, patient_id) in patient_ids.iter().enumerate() {
        store
            .insert_appointment(&new_appointment(
                *patient_id,
                provider_id,
                now() + Duration::days(index as i64 + 1),
                AppointmentStatus::Requested,
            ))
            .await
            .expect("insert an appointment");
        add_session(store, *patient_id).await;
        store
            .insert_invite(&invite(now() + Duration::days(1)))
            .await
            .expect("insert an invite");
    }

    // Seven patients in pages of three: 3, 3 and 1.
    let (records, pages) = export_all(store, RecordKind::Patient, 3).await;
    assert_eq!(pages, 3, "seven patients fill three pages of three");
    let exported: Vec<Uuid> = patients(&records)
        .iter()
        .map(|(patient, _)| patient.user.id)
        .collect();
    let mut expected = patient_ids.clone();
    expected.sort();
    assert_eq!(exported, expected, "patients are exported once each, by id");

    // Eight invites (one consumed by add_provider) in pages of four: exactly two full pages.
    let (records, pages) = export_all(store, RecordKind::Invite, 4).await;
    assert_eq!(pages, 2, "eight invites fill two pages of four");
    let hashes: HashSet<&str> = invites(&records)
        .iter()
        .map(|stored| stored.invite.code_hash.as_str())
        .collect();
    assert_eq!(hashes.len(), 8, "every invite is exported once");

    let (records, pages) = export_all(store, RecordKind::Appointment, 2).await;
    assert_eq!(pages, 4, "seven appointments fill four pages of two");
    let ids: Vec<Uuid> = appointments(&records)
        .iter()
        .map(|stored| stored.appointment.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "appointments are exported once each, by id");
    assert_eq!(ids.len(), 7, "every appointment is exported");

    let (records, pages) = export_all(store, RecordKind::Session, 5).await;
    assert_eq!(pages, 2, "seven sessions fill two pages of five");
    let ids: Vec<Uuid> = sessions(&records)
        .iter()
        .map(|session| session.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "sessions are exported once each, by id");
    assert_eq!(ids.len(), 7, "every session is exported");

    let (records, pages) = export_all(store, RecordKind::Provider, 1).await;
    assert_eq!(pages, 1, "one provider fills one page");
    assert_eq!(records.len(), 1, "the provider is exported");

    // The same cursor returns the same page again.
    let (first, cursor) = store
        .export_records(RecordKind::Patient, None, 3)
        .await
        .expect("export the first page");
    let (second, _) = store
        .export_records(RecordKind::Patient, cursor.as_deref(), 3)
        .await
        .expect("export the second page");
    let (again, _) = store
        .export_records(RecordKind::Patient, cursor.as_deref(), 3)
        .await
        .expect("export the second page again");
    let ids = |records: &[TransferRecord]| -> Vec<Uuid> {
        patients(records)
            .iter()
            .map(|(patient, _)| patient.user.id)
            .collect()
    };
    assert_eq!(first.len(), 3, "the first page is full");
    assert_eq!(
        ids(&second),
        ids(&again),
        "a cursor always returns the same page"
    );
    assert!(
        ids(&first).iter().all(|id| !ids(&second).contains(id)),
        "the second page does not repeat the first"
    );
}

pub async fn transfer_audit_paging(store: &dyn Store) {
    // Registration stores the first event, `auth.register`.
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let actions = [
        "auth.register",
        "auth.login",
        "dashboard.read",
        "profile.read",
        "profile.update",
        "appointments.list",
        "appointment.request",
        "access_log.read",
        "auth.logout",
        "auth.login",
        "profile.read",
    ];
    // Two batches, so sequence numbers span more than one transaction.
    let events: Vec<NewAuditEvent> = actions[1..]
        .iter()
        .map(|action| audit_event(action, None, Some(patient_id), Outcome::Success))
        .collect();
    store
        .append_audit(&events[..6])
        .await
        .expect("append the first batch");
    store
        .append_audit(&events[6..])
        .await
        .expect("append the second batch");

    let (records, pages) = export_all(store, RecordKind::AuditEvent, 4).await;
    assert_eq!(pages, 3, "eleven events fill three pages of four");
    let exported = audit_events(&records);
    let exported_actions: Vec<&str> = exported
        .iter()
        .map(|stored| stored.event.action.as_ref())
        .collect();
    assert_eq!(
        exported_actions,
        actions.to_vec(),
        "events are exported in append order"
    );
    assert!(
        exported.windows(2).all(|pair| pair[0].seq < pair[1].seq),
        "sequence numbers strictly increase across pages"
    );
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

pub async fn transfer_import_read_back(store: &dyn Store) {
    let provider = new_provider("Dana", "Reyes", "Cardiology");
    let mut patient = new_patient("Ada", "Byron");
    patient.health = full_health(provider.user.id);
    patient.user.updated_at = now() - Duration::days(2);
    let profile_updated_at = now() - Duration::days(5);

    let used_invite = invite(now() + Duration::days(7));
    let used_at = now() - Duration::days(30);
    let open_invite = invite(now() + Duration::days(7));

    let appointment = new_appointment(
        patient.user.id,
        provider.user.id,
        now() + Duration::days(4),
        AppointmentStatus::Confirmed,
    );
    let appointment_updated_at = now() - Duration::hours(6);

    let mut session = new_session(patient.user.id);
    session.last_used_at = now() + Duration::minutes(10);
    session.revoked_at = Some(now() + Duration::minutes(15));
    let active_session = new_session(provider.user.id);

    let provider_actor = Some((provider.user.id, Role::Provider));
    let login = audit_event("auth.login", None, Some(patient.user.id), Outcome::Failed);
    let read = audit_event(
        "profile.read",
        provider_actor,
        Some(patient.user.id),
        Outcome::Success,
    );
    let other = audit_event("auth.refresh", None, None, Outcome::Denied);

    let records = vec![
        TransferRecord::Provider(provider.clone()),
        TransferRecord::Patient {
            patient: patient.clone(),
            profile_updated_at,
        },
        TransferRecord::Invite(StoredInvite {
            invite: used_invite.clone(),
            used_at: Some(used_at),
        }),
        TransferRecord::Invite(StoredInvite {
            invite: open_invite.clone(),
            used_at: None,
        }),
        TransferRecord::Appointment(StoredAppointment {
            appointment: appointment.clone(),
            updated_at: appointment_updated_at,
        }),
        TransferRecord::Session(session.clone()),
        TransferRecord::Session(active_session.clone()),
        // Gaps in the numbering are kept, as in a log copied from another store.
        transfer_event(3, login.clone()),
        transfer_event(7, read.clone()),
        transfer_event(42, other.clone()),
    ];
    store
        .import_records(&records)
        .await
        .expect("import records into an empty store");

    let expected = [
        (RecordKind::Provider, 1),
        (RecordKind::Patient, 1),
        (RecordKind::Invite, 2),
        (RecordKind::Appointment, 1),
        (RecordKind::Session, 2),
        (RecordKind::AuditEvent, 3),
    ];
    for (kind, total) in expected {
        assert_eq!(
            count(store, kind).await,
            total,
            "count of imported {}",
            kind.as_str()
        );
    }

    // Accounts.
    let user = store
        .find_user_by_email(&patient.user.email)
        .await
        .expect("find the patient by email")
        .expect("the imported patient exists");
    assert_same_user(&user, &patient.user, "imported patient");
    let user = store
        .find_user(provider.user.id)
        .await
        .expect("find the provider")
        .expect("the imported provider exists");
    assert_same_user(&user, &provider.user, "imported provider");
    let summary = store
        .find_provider(provider.user.id)
        .await
        .expect("find the provider summary")
        .expect("the imported provider is a provider");
    assert_eq!(summary.specialty, "Cardiology", "the specialty is imported");
    assert!(
        store.is_empty().await.is_ok_and(|empty| !empty),
        "a store with imported accounts is not empty"
    );

    // Profile and care.
    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("find the profile")
        .expect("the imported profile exists");
    assert_eq!(
        profile.health(),
        patient.health,
        "health details are imported"
    );
    assert_eq!(
        profile.date_of_birth, patient.date_of_birth,
        "the date of birth is imported"
    );
    assert_eq!(
        profile.updated_at, profile_updated_at,
        "the profile keeps its own updated_at"
    );
    let in_care = store
        .is_in_care(provider.user.id, patient.user.id)
        .await
        .expect("check care");
    assert!(
        in_care,
        "the imported primary provider has the patient in care"
    );

    // Appointments, with the names joined from the imported accounts.
    let listed = store
        .list_patient_appointments(patient.user.id, None, first_page(10))
        .await
        .expect("list the patient's appointments");
    assert_eq!(listed.total, 1, "the imported appointment is listed");
    let stored = &listed.items[0];
    assert_eq!(stored.id, appointment.id, "the appointment id is kept");
    assert_eq!(
        stored.patient_name, "Ada Byron",
        "the patient name is joined"
    );
    assert_eq!(
        stored.provider_name, "Dana Reyes",
        "the provider name is joined"
    );
    assert_eq!(
        stored.status,
        AppointmentStatus::Confirmed,
        "the status is kept"
    );
    assert_eq!(
        stored.preferred_start, appointment.preferred_start,
        "the start is kept"
    );
    assert_eq!(
        stored.created_at, appointment.created_at,
        "created_at is kept"
    );
    assert_eq!(
        stored.updated_at, appointment_updated_at,
        "updated_at is kept"
    );

    // Sessions.
    let found = store
        .find_session(session.id)
        .await
        .expect("find the revoked session")
        .expect("the imported session exists");
    assert_eq!(found, session, "the revoked session keeps every field");
    let found = store
        .find_session_by_refresh_hash(&active_session.refresh_hash)
        .await
        .expect("find the active session by hash");
    assert_eq!(
        found,
        Some(active_session.clone()),
        "the active session is found by its refresh hash"
    );

    // Invites: the used one stays used, the open one still registers a provider.
    let late = new_provider("Lee", "Park", "Dermatology");
    let rejected = store
        .insert_provider(&late, &used_invite.code_hash, now())
        .await
        .expect("register with the used invite");
    assert_eq!(
        rejected,
        ProviderRegistration::InviteRejected,
        "an invite imported as used stays used"
    );
    let accepted = store
        .insert_provider(&late, &open_invite.code_hash, now())
        .await
        .expect("register with the open invite");
    assert_eq!(
        accepted,
        ProviderRegistration::Created,
        "an invite imported unused can be used"
    );

    // Access log: ids are the imported sequence numbers, newest first, with actor names.
    let log = store
        .list_access_events(patient.user.id, first_page(10))
        .await
        .expect("list access events");
    let ids: Vec<i64> = log.items.iter().map(|event| event.id).collect();
    assert_eq!(
        ids,
        vec![7, 3],
        "access log ids are the imported sequence numbers"
    );
    assert_eq!(
        log.items[0].actor_name.as_deref(),
        Some("Dana Reyes"),
        "the actor name is joined from the imported provider"
    );
    assert_eq!(
        log.items[1].actor_id, None,
        "an anonymous event stays anonymous"
    );

    // New events continue after the highest imported sequence number.
    store
        .append_audit(&[audit_event(
            "access_log.read",
            Some((patient.user.id, Role::Patient)),
            Some(patient.user.id),
            Outcome::Success,
        )])
        .await
        .expect("append an event after the import");
    let log = store
        .list_access_events(patient.user.id, first_page(10))
        .await
        .expect("list access events");
    assert!(
        log.items[0].id > 42,
        "a new event is numbered after the highest imported one, got {}",
        log.items[0].id
    );

    // Exporting the imported events returns them unchanged.
    let (records, _) = export_all(store, RecordKind::AuditEvent, 10).await;
    let exported: Vec<(i64, NewAuditEvent)> = audit_events(&records)
        .iter()
        .map(|stored| (stored.seq, stored.event.clone()))
        .take(3)
        .collect();
    assert_eq!(
        exported,
        vec![(3, login), (7, read), (42, other)],
        "imported audit events export unchanged"
    );
}

pub async fn transfer_import_empty(store: &dyn Store) {
    store
        .import_records(&[])
        .await
        .expect("importing nothing succeeds");
    for (kind, total) in counts(store).await {
        assert_eq!(total, 0, "importing nothing adds no {}", kind.as_str());
    }
}

pub async fn transfer_import_duplicate(store: &dyn Store) {
    let provider = new_provider("Dana", "Reyes", "Cardiology");
    let patient = new_patient("Ada", "Byron");
    let stored_invite = StoredInvite {
        invite: invite(now() + Duration::days(1)),
        used_at: None,
    };
    let appointment = StoredAppointment {
        appointment: new_appointment(
            patient.user.id,
            provider.user.id,
            now() + Duration::days(1),
            AppointmentStatus::Requested,
        ),
        updated_at: now(),
    };
    let session = new_session(patient.user.id);
    let event = audit_event("auth.login", None, Some(patient.user.id), Outcome::Failed);
    store
        .import_records(&[
            TransferRecord::Provider(provider.clone()),
            transfer_patient(&patient),
            TransferRecord::Invite(stored_invite.clone()),
            TransferRecord::Appointment(appointment.clone()),
            TransferRecord::Session(session.clone()),
            transfer_event(5, event.clone()),
        ])
        .await
        .expect("import one record of each kind");
    let before = counts(store).await;

    // Each batch starts with a new, valid record and ends with one whose key exists, so a
    // store that writes record by record without a transaction keeps the first one.
    let mut same_provider_id = new_provider("Lee", "Park", "Dermatology");
    same_provider_id.user.id = provider.user.id;
    let mut same_patient_id = new_patient("Grace", "Hopper");
    same_patient_id.user.id = patient.user.id;
    let mut same_appointment_id = appointment.clone();
    same_appointment_id.appointment.reason = "Another reason".to_owned();
    let mut same_session_id = new_session(patient.user.id);
    same_session_id.id = session.id;
    let mut same_invite_hash = stored_invite.clone();
    same_invite_hash.invite.created_at = now() - Duration::days(2);

    let cases = vec![
        ("provider id", TransferRecord::Provider(same_provider_id)),
        ("patient id", transfer_patient(&same_patient_id)),
        ("invite hash", TransferRecord::Invite(same_invite_hash)),
        (
            "appointment id",
            TransferRecord::Appointment(same_appointment_id),
        ),
        ("session id", TransferRecord::Session(same_session_id)),
        ("audit sequence number", transfer_event(5, event.clone())),
    ];
    for (case, duplicate) in cases {
        let fresh = new_patient("Fresh", "Record");
        let fresh_event = audit_event("auth.login", None, None, Outcome::Failed);
        let result = store
            .import_records(&[
                transfer_patient(&fresh),
                transfer_event(6, fresh_event),
                duplicate,
            ])
            .await;
        assert!(
            matches!(result, Err(StoreError::Duplicate(_))),
            "a repeated {case} is Duplicate: {result:?}"
        );
        let written = store
            .find_user(fresh.user.id)
            .await
            .expect("look up the record before the duplicate");
        assert!(
            written.is_none(),
            "a rejected import ({case}) writes none of its records"
        );
        assert_eq!(
            counts(store).await,
            before,
            "a rejected import ({case}) changes no count"
        );
    }

    // The originals are unchanged.
    let user = store
        .find_user(patient.user.id)
        .await
        .expect("find the patient")
        .expect("the patient exists");
    assert_same_user(&user, &patient.user, "original patient");
    let found = store
        .find_session(session.id)
        .await
        .expect("find the session")
        .expect("the session exists");
    assert_eq!(found, session, "the original session is unchanged");
    let listed = store
        .find_appointment(appointment.appointment.id)
        .await
        .expect("find the appointment")
        .expect("the appointment exists");
    assert_eq!(
        listed.reason, appointment.appointment.reason,
        "the original appointment is unchanged"
    );
    let page = store
        .list_access_events(patient.user.id, PageRequest::default())
        .await
        .expect("list access events");
    let ids: Vec<i64> = page.items.iter().map(|event| event.id).collect();
    assert_eq!(ids, vec![5], "the original audit event is the only one");
}

pub async fn transfer_import_duplicate_email(store: &dyn Store) {
    let patient = new_patient("Ada", "Byron");
    store
        .import_records(&[transfer_patient(&patient)])
        .await
        .expect("import a patient");
    let mut clash = new_patient("Grace", "Hopper");
    clash.user.email = patient.user.email.clone();
    let result = store.import_records(&[transfer_patient(&clash)]).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate("email"))),
        "an imported account with a taken email is Duplicate(\"email\"): {result:?}"
    );
    let written = store.find_user(clash.user.id).await.expect("find by id");
    assert!(written.is_none(), "the clashing account was not written");
}
