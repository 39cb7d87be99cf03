//! Runs the store conformance suite against `SqliteStore`, each case on a fresh database file,
//! followed by checks that only apply to SQLite.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use portal_core::StoreError;
use portal_core::audit_chain::verify_chain;
use portal_core::keyring::Keyring;
use portal_core::model::{
    AppointmentStatus, Consent, HealthDetails, NewAppointment, NewAuditEvent, Outcome, PageRequest,
    Role, UserRecord, VisitType,
};
use portal_core::store::{
    AppointmentStore, AuditStore, CareStore, NewPatient, ProfileStore, Store, UserStore,
};
use portal_store_sqlite::SqliteStore;
use sqlx::{Connection, Row, SqliteConnection};
use tempfile::TempDir;
use uuid::Uuid;

fn database_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn keyring() -> Keyring {
    portal_store_conformance::test_keyring(&[portal_store_conformance::CONFORMANCE_KEY_ID])
}

async fn open_store(dir: &TempDir) -> SqliteStore {
    SqliteStore::connect(&database_url(&dir.path().join("portal.db")), keyring())
        .await
        .expect("open a fresh SQLite store")
}

/// Opens a second, plain connection to the store's file, bypassing the store.
async fn open_raw(store: &SqliteStore) -> SqliteConnection {
    SqliteConnection::connect(&database_url(store.path()))
        .await
        .expect("open a raw connection")
}

/// Opens a fresh store in its own temporary folder for one conformance case.
async fn open_fresh() -> Option<(TempDir, Arc<dyn Store>)> {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    Some((dir, Arc::new(store)))
}

portal_store_conformance::conformance_tests!(open_fresh);

// -------------------------------------------------------------------------------------------------
// SQLite only
// -------------------------------------------------------------------------------------------------

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant is valid RFC 3339")
        .with_timezone(&Utc)
}

fn patient(first_name: &str, last_name: &str) -> NewPatient {
    let id = Uuid::now_v7();
    let created_at = instant("2026-12-04T10:00:00.123456Z");
    NewPatient {
        user: UserRecord {
            id,
            email: format!("{}@example.test", id.simple()),
            role: Role::Patient,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            created_at,
            updated_at: created_at,
        },
        date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        consent: Consent {
            policy_version: "2026-12-01".to_owned(),
            accepted_at: created_at,
        },
        health: HealthDetails::default(),
    }
}

async fn append_one_event(store: &SqliteStore) {
    store
        .append_audit(&[NewAuditEvent {
            occurred_at: instant("2026-12-04T10:00:00Z"),
            actor_id: None,
            actor_role: None,
            action: "auth.login".into(),
            subject_id: Some(Uuid::now_v7()),
            outcome: Outcome::Failed,
            request_id: "request-1".to_owned(),
            client_addr: "192.0.2.10".to_owned(),
            detail: None,
        }])
        .await
        .expect("append an audit event");
}

#[tokio::test]
async fn connect_creates_folders() {
    let dir = TempDir::new().expect("create a temporary folder");
    let path = dir.path().join("nested").join("data").join("portal.db");

    let store = SqliteStore::connect(&database_url(&path), keyring())
        .await
        .expect("open a store in a missing folder");
    assert!(path.is_file(), "the database file is created");
    assert_eq!(store.path(), path, "path() returns the database file");
    let ping = store.ping().await;
    assert!(ping.is_ok(), "the new store answers: {ping:?}");
    store.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn new_database_is_private() {
    use std::os::unix::fs::PermissionsExt;

    let dir = TempDir::new().expect("create a temporary folder");
    let folder = dir.path().join("data");
    let path = folder.join("portal.db");
    let store = SqliteStore::connect(&database_url(&path), keyring())
        .await
        .expect("open a store in a missing folder");
    store
        .insert_patient(
            &patient("Ana", "Lopez"),
            &portal_store_conformance::registration_event(&patient("Ana", "Lopez")),
        )
        .await
        .expect("write a patient so the WAL file exists");

    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("read permissions")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&folder), 0o700, "database folder mode");
    assert_eq!(mode(&path), 0o600, "database file mode");
    let wal = folder.join("portal.db-wal");
    assert_eq!(mode(&wal), 0o600, "WAL file mode");
    store.close().await;
}

#[tokio::test]
async fn connect_short_url() {
    let dir = TempDir::new().expect("create a temporary folder");
    let path = dir.path().join("portal.db");

    let store = SqliteStore::connect(&format!("sqlite:{}", path.display()), keyring())
        .await
        .expect("open a store from a sqlite: URL");
    assert_eq!(store.path(), path, "the sqlite: form names the same file");
    store.close().await;
}

#[tokio::test]
async fn connect_rejects_scheme() {
    let result = SqliteStore::connect("mongodb://localhost/portal", keyring()).await;
    assert!(
        matches!(result, Err(StoreError::Other(_))),
        "a non-SQLite URL is rejected: {result:?}"
    );
}

#[tokio::test]
async fn connect_reopen() {
    let dir = TempDir::new().expect("create a temporary folder");
    let first = open_store(&dir).await;
    let patient = patient("Ada", "Byron");
    first
        .insert_patient(
            &patient,
            &portal_store_conformance::registration_event(&patient),
        )
        .await
        .expect("insert a patient");
    first.close().await;

    let second = open_store(&dir).await;
    let found = second.find_user(patient.user.id).await.expect("find by id");
    assert!(found.is_some(), "data survives closing and reopening");
    second.close().await;
}

#[tokio::test]
async fn connect_wal_mode() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    let mut raw = open_raw(&store).await;

    let row = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .expect("read the journal mode");
    let mode: String = row.get(0);
    assert_eq!(mode, "wal", "the database is in WAL mode");
    store.close().await;
}

/// A page of the provider's patient list that ends past 500 rows is read on the blocking pool
/// (`care.rs`). It must return the same rows, in the same order, as the pages read inline.
#[tokio::test]
async fn deep_care_list_pages_continue_the_shallow_ones() {
    const PATIENTS: usize = 620;
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    let provider_id = portal_store_conformance::add_provider(&store, "Dana", "Reyes").await;
    for number in 0..PATIENTS {
        let mut new = patient("Ada", &format!("Byron{number:03}"));
        new.health.primary_provider_id = Some(provider_id);
        let registered = portal_store_conformance::registration_event(&new);
        store
            .insert_patient(&new, &registered)
            .await
            .expect("insert a patient");
    }

    let now = instant("2026-12-04T10:00:00Z");
    let mut last_names = Vec::new();
    for page in 1..=7 {
        let listed = store
            .list_care_patients(provider_id, None, PageRequest { page, limit: 100 }, now)
            .await
            .expect("list a page of the provider's patients");
        assert_eq!(
            listed.total, PATIENTS as u64,
            "page {page} counts every patient"
        );
        last_names.extend(listed.items.into_iter().map(|item| item.last_name));
    }
    let expected: Vec<String> = (0..PATIENTS).map(|n| format!("Byron{n:03}")).collect();
    assert_eq!(last_names, expected, "pages 6 and 7 continue pages 1 to 5");

    let prefixed = store
        .list_care_patients(
            provider_id,
            Some("byron61"),
            PageRequest {
                page: 1,
                limit: 100,
            },
            now,
        )
        .await
        .expect("search the provider's patients");
    assert_eq!(prefixed.total, 10, "byron610 to byron619 match");
    store.close().await;
}

#[tokio::test]
async fn audit_update_rejected() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    append_one_event(&store).await;
    let mut raw = open_raw(&store).await;

    let result = sqlx::query("UPDATE audit_events SET outcome = 'success'")
        .execute(&mut raw)
        .await;
    assert!(
        result.is_err(),
        "the database rejects UPDATE of audit events"
    );

    let row = sqlx::query("SELECT outcome FROM audit_events")
        .fetch_one(&mut raw)
        .await
        .expect("read the event");
    let outcome: String = row.get(0);
    assert_eq!(outcome, "failed", "the event is unchanged");
    store.close().await;
}

#[tokio::test]
async fn audit_delete_rejected() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    append_one_event(&store).await;
    let mut raw = open_raw(&store).await;

    let result = sqlx::query("DELETE FROM audit_events")
        .execute(&mut raw)
        .await;
    assert!(
        result.is_err(),
        "the database rejects DELETE of audit events"
    );

    let row = sqlx::query("SELECT COUNT(*) FROM audit_events")
        .fetch_one(&mut raw)
        .await
        .expect("count events");
    let count: i64 = row.get(0);
    assert_eq!(count, 1, "the event is still stored");
    store.close().await;
}

/// Someone with write access to the file drops the append-only trigger and edits the log.
async fn tamper(raw: &mut SqliteConnection, statement: &str) {
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&mut *raw)
        .await
        .expect("drop the update trigger");
    sqlx::query("DROP TRIGGER audit_events_no_delete")
        .execute(&mut *raw)
        .await
        .expect("drop the delete trigger");
    sqlx::query(statement)
        .execute(&mut *raw)
        .await
        .expect("edit the audit log");
}

async fn append_three_events(store: &SqliteStore) {
    for _ in 0..3 {
        append_one_event(store).await;
    }
    let report = verify_chain(store, |_| {}).await.expect("verify");
    assert_eq!(report.first_break, None, "the untouched chain is intact");
    assert_eq!(report.events, 3);
}

#[tokio::test]
async fn audit_chain_detects_edited_event() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    append_three_events(&store).await;
    let mut raw = open_raw(&store).await;

    tamper(
        &mut raw,
        "UPDATE audit_events SET outcome = 'success' WHERE seq = 2",
    )
    .await;

    let report = verify_chain(&store, |_| {}).await.expect("verify");
    let broken = report.first_break.expect("the edit is found");
    assert_eq!(broken.seq, 2, "the edited event is named");
    assert_eq!(report.events, 1, "the event before it is intact");
    store.close().await;
}

#[tokio::test]
async fn audit_chain_detects_deleted_event() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    append_three_events(&store).await;
    let mut raw = open_raw(&store).await;

    tamper(&mut raw, "DELETE FROM audit_events WHERE seq = 2").await;

    let report = verify_chain(&store, |_| {}).await.expect("verify");
    assert_eq!(report.first_break.expect("the gap is found").seq, 3);
    store.close().await;
}

#[tokio::test]
async fn audit_chain_starts_after_unhashed_events() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    let mut raw = open_raw(&store).await;
    // An event as a version without the chain stored it: no hashes.
    sqlx::query(
        "INSERT INTO audit_events (occurred_at, action, outcome, request_id, client_addr) \
         VALUES ('2026-12-01T09:00:00.000000Z', 'auth.login', 'failed', 'old', '192.0.2.1')",
    )
    .execute(&mut raw)
    .await
    .expect("store an unhashed event");

    append_one_event(&store).await;

    let report = verify_chain(&store, |_| {}).await.expect("verify");
    assert_eq!(
        report.first_break, None,
        "the chain after the old event is intact"
    );
    assert_eq!(report.events, 2);
    assert_eq!(
        report.unchained, 1,
        "the old event is reported as unchained"
    );
    store.close().await;
}

#[tokio::test]
async fn consent_stored() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    let patient = patient("Ada", "Byron");
    store
        .insert_patient(
            &patient,
            &portal_store_conformance::registration_event(&patient),
        )
        .await
        .expect("insert a patient");
    let mut raw = open_raw(&store).await;

    let row = sqlx::query(
        "SELECT consent_version, consent_accepted_at, date_of_birth FROM patients \
         WHERE user_id = ?",
    )
    .bind(patient.user.id.to_string())
    .fetch_one(&mut raw)
    .await
    .expect("read the patient row");
    let version: String = row.get(0);
    let accepted_at: String = row.get(1);
    let date_of_birth: String = row.get(2);
    assert_eq!(version, "2026-12-01", "the consent version is stored");
    assert_eq!(
        accepted_at, "2026-12-04T10:00:00.123456Z",
        "the consent time is stored as fixed-width UTC text"
    );
    assert!(
        date_of_birth.starts_with("v1.conformance."),
        "the date of birth is encrypted: {date_of_birth}"
    );
    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("read the profile")
        .expect("the profile exists");
    assert_eq!(
        profile.date_of_birth.to_string(),
        "1980-05-17",
        "the date of birth decrypts to the calendar date"
    );
    store.close().await;
}

#[tokio::test]
async fn names_lower_case() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    let patient = patient("Émile", "ÖZTÜRK");
    store
        .insert_patient(
            &patient,
            &portal_store_conformance::registration_event(&patient),
        )
        .await
        .expect("insert a patient");
    let mut raw = open_raw(&store).await;

    let row = sqlx::query("SELECT first_name_lower, last_name_lower FROM users WHERE id = ?")
        .bind(patient.user.id.to_string())
        .fetch_one(&mut raw)
        .await
        .expect("read the user row");
    let first: String = row.get(0);
    let last: String = row.get(1);
    assert_eq!(first, "émile", "the first name is lower-cased beyond ASCII");
    assert_eq!(last, "öztürk", "the last name is lower-cased beyond ASCII");
    store.close().await;
}

#[tokio::test]
async fn foreign_keys_enforced() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    let patient = patient("Ada", "Byron");
    store
        .insert_patient(
            &patient,
            &portal_store_conformance::registration_event(&patient),
        )
        .await
        .expect("insert a patient");

    let result = store
        .insert_appointment(&NewAppointment {
            id: Uuid::now_v7(),
            patient_id: patient.user.id,
            provider_id: Uuid::now_v7(),
            preferred_start: instant("2026-12-05T10:00:00Z") + Duration::hours(1),
            visit_type: VisitType::Telehealth,
            reason: "Check-up".to_owned(),
            status: AppointmentStatus::Requested,
            created_at: instant("2026-12-04T10:00:00Z"),
        })
        .await;
    assert!(
        matches!(result, Err(StoreError::Other(_))),
        "an appointment with an unknown provider is rejected: {result:?}"
    );
}

#[tokio::test]
async fn closed_store_unavailable() {
    let dir = TempDir::new().expect("create a temporary folder");
    let store = open_store(&dir).await;
    store.close().await;

    let result = store.ping().await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "a closed store is unavailable: {result:?}"
    );
}
