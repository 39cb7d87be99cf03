//! Health data encrypted at rest, through the real binary: `portal seed` leaves no seeded
//! health value in the SQLite file, `portal keys rotate` moves everything to a new key, and
//! `portal migrate-data` re-encrypts a copy under the target's own key.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use portal_core::keyring::Keyring;
use portal_core::store::{RecordKind, Store, TransferRecord};
use portal_server::database;
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_portal");

/// Patients `portal seed` creates in these tests.
const PATIENTS: &str = "12";

/// A second data key, made for these tests only.
const NEW_KEY: &str = "new:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

fn portal(dir: &Path, data_key: &str) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .env_remove("PORTAL_DATABASE_URL")
        .env_remove("PORTAL_MONGODB_DATABASE")
        .env_remove("PORTAL_JWT_SECRET")
        .env_remove("PORTAL_MIGRATE_TO_DATA_KEY")
        .env("PORTAL_DATA_KEY", data_key)
        .env("PORTAL_ENV", "development")
        .kill_on_drop(true);
    command
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn run(command: &mut Command) -> Output {
    command
        .output()
        .await
        .expect("running the portal binary failed")
}

async fn seed(dir: &Path, url: &str) {
    let output = run(portal(dir, common::TEST_DATA_KEY)
        .env("PORTAL_DATABASE_URL", url)
        .args(["seed", "--patients", PATIENTS]))
    .await;
    assert!(
        output.status.success(),
        "portal seed failed: {}",
        text(&output.stderr)
    );
}

async fn open(url: &str, keyring: Keyring) -> std::sync::Arc<dyn Store> {
    database::open(url, None, "the test database URL", keyring)
        .await
        .unwrap_or_else(|error| panic!("opening the test database failed: {error:#}"))
}

/// Reads every record of `kind` through the store, decrypted.
async fn export_all(store: &dyn Store, kind: RecordKind) -> Vec<TransferRecord> {
    let mut records = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = store
            .export_records(kind, cursor.as_deref(), 100)
            .await
            .expect("export records");
        if page.is_empty() {
            return records;
        }
        records.extend(page);
        cursor = next;
    }
}

/// Returns the seeded phones, allergy substances, medication names and appointment reasons.
async fn seeded_values(store: &dyn Store) -> Vec<String> {
    let mut values = Vec::new();
    for record in export_all(store, RecordKind::Patient).await {
        let TransferRecord::Patient { patient, .. } = record else {
            continue;
        };
        values.extend(patient.health.phone.clone());
        values.extend(
            patient
                .health
                .allergies
                .iter()
                .map(|allergy| allergy.substance.clone()),
        );
        values.extend(
            patient
                .health
                .medications
                .iter()
                .map(|medication| medication.name.clone()),
        );
    }
    for record in export_all(store, RecordKind::Appointment).await {
        if let TransferRecord::Appointment(stored) = record {
            values.push(stored.appointment.reason);
        }
    }
    values.sort();
    values.dedup();
    values
}

/// Returns the bytes of the database file and of its WAL file, when there is one.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).expect("read the database file");
    let mut wal = PathBuf::from(path).into_os_string();
    wal.push("-wal");
    if let Ok(wal_bytes) = std::fs::read(&wal) {
        bytes.extend_from_slice(&wal_bytes);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn seeded_file_has_no_health_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portal.db");
    let url = sqlite_url(&path);
    seed(dir.path(), &url).await;

    let store = open(&url, common::test_keyring()).await;
    let values = seeded_values(&*store).await;
    let Some(TransferRecord::Patient { patient, .. }) =
        export_all(&*store, RecordKind::Patient).await.pop()
    else {
        panic!("the seed wrote patients");
    };
    store.close().await;
    assert!(
        values.len() > 20,
        "the seed wrote health values: {values:?}"
    );
    assert!(
        values.iter().any(|value| value.starts_with("+1 555")),
        "phones are among them: {values:?}"
    );

    let bytes = file_bytes(&path);
    for value in &values {
        assert!(!contains(&bytes, value), "{value:?} is in the raw file");
    }
    assert!(
        contains(&bytes, &patient.user.last_name),
        "names stay in the clear for search"
    );
}

#[tokio::test]
async fn keys_rotate_moves_data_to_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("portal.db"));
    seed(dir.path(), &url).await;
    let store = open(&url, common::test_keyring()).await;
    let before = seeded_values(&*store).await;
    store.close().await;

    let both = format!("{},{NEW_KEY}", common::TEST_DATA_KEY);
    let output = run(portal(dir.path(), &both)
        .env("PORTAL_DATABASE_URL", &url)
        .args(["keys", "rotate", "--batch-size", "5"]))
    .await;
    let progress = text(&output.stderr);
    let report = text(&output.stdout);
    assert!(output.status.success(), "keys rotate failed: {progress}");
    assert!(
        progress.contains("Re-encrypted 5 patients so far"),
        "progress after each batch: {progress}"
    );
    assert!(
        report.contains(&format!("patients: {PATIENTS} under `new`")),
        "report: {report}"
    );
    assert!(
        !report.contains("under `test`, ") && !report.contains("patients: 0"),
        "report: {report}"
    );

    // Resuming finds nothing left to do.
    let again = run(portal(dir.path(), &both)
        .env("PORTAL_DATABASE_URL", &url)
        .args(["keys", "rotate"]))
    .await;
    assert!(
        again.status.success(),
        "second run failed: {}",
        text(&again.stderr)
    );
    assert!(
        text(&again.stdout).contains("Re-encrypted 0 patients"),
        "second run: {}",
        text(&again.stdout)
    );

    let new_only = Keyring::parse(NEW_KEY).expect("the new key is valid");
    let store = open(&url, new_only).await;
    assert_eq!(
        seeded_values(&*store).await,
        before,
        "the new key alone reads every value"
    );
    store.close().await;
}

#[tokio::test]
async fn keys_rotate_rejects_invalid_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("portal.db"));
    seed(dir.path(), &url).await;
    let output = run(portal(dir.path(), "test:c2hvcnQ=")
        .env("PORTAL_DATABASE_URL", &url)
        .args(["keys", "rotate"]))
    .await;
    let message = text(&output.stderr);
    assert!(!output.status.success(), "an invalid key was accepted");
    assert!(
        message.contains("PORTAL_DATA_KEY is invalid"),
        "stderr: {message}"
    );
    assert!(
        !message.contains("c2hvcnQ"),
        "stderr shows the key: {message}"
    );
}

#[tokio::test]
async fn migrate_reencrypts_with_target_key() {
    let dir = tempfile::tempdir().unwrap();
    let source_url = sqlite_url(&dir.path().join("source/portal.db"));
    let target_path = dir.path().join("copy/portal.db");
    let target_url = sqlite_url(&target_path);
    seed(dir.path(), &source_url).await;

    let output = run(portal(dir.path(), common::TEST_DATA_KEY)
        .env("PORTAL_MIGRATE_TO_DATA_KEY", NEW_KEY)
        .args(["migrate-data", "--from", &source_url, "--to", &target_url]))
    .await;
    assert!(
        output.status.success(),
        "migrate-data failed: {}",
        text(&output.stderr)
    );

    let source = open(&source_url, common::test_keyring()).await;
    let expected = seeded_values(&*source).await;
    source.close().await;
    let target = open(&target_url, Keyring::parse(NEW_KEY).expect("valid key")).await;
    assert_eq!(
        seeded_values(&*target).await,
        expected,
        "the copy decrypts with its key"
    );
    target.close().await;

    let wrong = open(&target_url, common::test_keyring()).await;
    let result = wrong.export_records(RecordKind::Patient, None, 10).await;
    assert!(result.is_err(), "the source key does not read the copy");
    wrong.close().await;
}
