//! `portal migrate-data` run as a real process: an SQLite-to-SQLite copy that a demo sign-in
//! then uses, the checks on the target, unsupported URLs, and, when
//! `PORTAL_TEST_MONGODB_URL` is set, a round trip through MongoDB.

use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::MongoTestDatabase;
use portal_core::model::{AccessEvent, PageRequest};
use portal_core::store::{RecordKind, Store};
use portal_server::database;
use portal_server::seed::{DEMO_PATIENT_EMAIL, DEMO_PATIENT_PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

mod common;

const BINARY: &str = env!("CARGO_BIN_EXE_portal");
/// Patients in each seeded source database.
const PATIENTS: usize = 20;
const MONGODB_URL_VARIABLE: &str = "PORTAL_TEST_MONGODB_URL";

/// A `portal serve` process and the address it listens on; killed when dropped.
struct Running {
    child: Child,
    base: String,
}

/// Builds a `portal` command in `dir` with none of the caller's portal settings.
fn portal(dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .env_remove("PORTAL_DATABASE_URL")
        .env_remove("PORTAL_MONGODB_DATABASE")
        .env_remove("PORTAL_MIGRATE_FROM")
        .env_remove("PORTAL_MIGRATE_TO")
        .env_remove("PORTAL_JWT_SECRET")
        .env("PORTAL_DATA_KEY", common::TEST_DATA_KEY)
        .env_remove("PORTAL_MIGRATE_TO_DATA_KEY")
        .env_remove("PORTAL_BIND")
        .env("PORTAL_ENV", "development")
        .env("PORTAL_WEB_DIR", dir)
        .kill_on_drop(true);
    command
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `portal seed --patients 20` on the database at `url`.
async fn seed(dir: &Path, url: &str) {
    let output = portal(dir)
        .env("PORTAL_DATABASE_URL", url)
        .args(["seed", "--patients", &PATIENTS.to_string()])
        .output()
        .await
        .expect("running portal seed failed");
    assert!(
        output.status.success(),
        "portal seed failed: {}",
        stderr(&output)
    );
}

/// Runs `portal migrate-data` with `args` after the subcommand.
async fn migrate(dir: &Path, args: &[&str]) -> Output {
    portal(dir)
        .arg("migrate-data")
        .args(args)
        .output()
        .await
        .expect("running portal migrate-data failed")
}

/// Starts `portal serve` on the database at `url`, on 127.0.0.1 port 0.
async fn serve(dir: &Path, url: &str) -> Running {
    let mut child = portal(dir)
        .env("PORTAL_DATABASE_URL", url)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the portal binary failed");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("reading stdout failed") {
            if let Some(address) = line.strip_prefix("Portal listening on ") {
                return address.to_owned();
            }
        }
        panic!("the portal exited before listening");
    })
    .await
    .expect("the portal did not start listening within 60 s");
    Running { child, base }
}

/// Stops a running portal with SIGTERM, so it writes its pending audit events, and asserts a
/// clean exit.
async fn stop(mut running: Running) {
    let pid = running
        .child
        .id()
        .expect("the portal is running")
        .to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().await;
    assert!(
        sent.is_ok_and(|status| status.success()),
        "sending SIGTERM failed"
    );
    let status = tokio::time::timeout(Duration::from_secs(30), running.child.wait())
        .await
        .expect("the portal did not stop within 30 s of SIGTERM")
        .expect("waiting for the portal failed");
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("building the HTTP client failed")
}

async fn login(base: &str, email: &str, password: &str) -> (StatusCode, Value) {
    let response = http()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request failed");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str, token: &str) -> (StatusCode, Value) {
    let response = http()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request failed");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Signs in as the demo patient and returns the access token.
async fn demo_patient_token(base: &str) -> String {
    let (status, session) = login(base, DEMO_PATIENT_EMAIL, DEMO_PATIENT_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "demo patient sign-in: {session}");
    session["accessToken"]
        .as_str()
        .expect("a session has an access token")
        .to_owned()
}

/// Gives the demo patient an access history: a failed and a successful sign-in and three
/// reads, written by a real server on the database at `url`.
async fn use_demo_patient(dir: &Path, url: &str) {
    let running = serve(dir, url).await;
    let (status, _) = login(&running.base, DEMO_PATIENT_EMAIL, "not the demo password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong password fails");
    let token = demo_patient_token(&running.base).await;
    for path in [
        "/api/v1/patient/dashboard",
        "/api/v1/patient/profile",
        "/api/v1/patient/access-log",
    ] {
        let (status, body) = get(&running.base, path, &token).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    }
    stop(running).await;
}

async fn open(url: &str, mongodb_database: Option<&str>) -> Arc<dyn Store> {
    database::open(
        url,
        mongodb_database,
        "the test database URL",
        common::test_keyring(),
    )
    .await
    .unwrap_or_else(|error| panic!("opening a test database failed: {error:#}"))
}

/// Counts every kind, in import order.
async fn counts(store: &dyn Store) -> Vec<(RecordKind, u64)> {
    let mut counts = Vec::new();
    for kind in RecordKind::IMPORT_ORDER {
        let count = store
            .count_records(kind)
            .await
            .expect("counting records failed");
        counts.push((kind, count));
    }
    counts
}

/// Exports every record of every kind, formatted with `Debug`, for exact comparison.
async fn export_text(store: &dyn Store) -> Vec<String> {
    let mut text = Vec::new();
    for kind in RecordKind::IMPORT_ORDER {
        let mut cursor: Option<String> = None;
        loop {
            let (records, next) = store
                .export_records(kind, cursor.as_deref(), 100)
                .await
                .expect("exporting records failed");
            if records.is_empty() {
                break;
            }
            text.extend(records.iter().map(|record| format!("{record:?}")));
            cursor = next;
        }
    }
    text
}

/// Returns the demo patient's access history, newest first.
async fn demo_access_events(store: &dyn Store) -> Vec<AccessEvent> {
    let patient = store
        .find_user_by_email(DEMO_PATIENT_EMAIL)
        .await
        .expect("finding the demo patient failed")
        .expect("the demo patient exists");
    let page = PageRequest {
        page: 1,
        limit: PageRequest::MAX_LIMIT,
    };
    store
        .list_access_events(patient.id, page)
        .await
        .expect("listing access events failed")
        .items
}

#[tokio::test]
async fn migrate_sqlite_copy_serves_demo() {
    let dir = tempfile::tempdir().unwrap();
    let source_url = sqlite_url(&dir.path().join("source/portal.db"));
    let target_url = sqlite_url(&dir.path().join("copy/portal.db"));
    seed(dir.path(), &source_url).await;
    use_demo_patient(dir.path(), &source_url).await;

    let output = migrate(
        dir.path(),
        &[
            "--from",
            &source_url,
            "--to",
            &target_url,
            "--batch-size",
            "7",
        ],
    )
    .await;
    let progress = stderr(&output);
    assert!(output.status.success(), "migrate-data failed: {progress}");
    assert!(
        progress.contains(&format!("patients: {PATIENTS}/{PATIENTS}")),
        "progress names each kind with copied/total: {progress}"
    );
    assert!(
        progress.contains("patients: 7/20"),
        "progress is printed after each batch: {progress}"
    );
    let summary = stdout(&output);
    assert!(
        summary.contains("Copied") && summary.contains("audit events"),
        "a summary is printed: {summary}"
    );
    assert!(
        summary.contains("The audit chain in the target is intact."),
        "the copied chain is checked: {summary}"
    );

    let source = open(&source_url, None).await;
    let target = open(&target_url, None).await;
    let source_counts = counts(&*source).await;
    assert_eq!(
        counts(&*target).await,
        source_counts,
        "every kind has the same count in the copy"
    );
    let patients = source_counts
        .iter()
        .find(|(kind, _)| *kind == RecordKind::Patient)
        .map(|(_, count)| *count);
    assert_eq!(
        patients,
        Some(PATIENTS as u64),
        "the source holds the seeded patients"
    );
    assert_eq!(
        export_text(&*target).await,
        export_text(&*source).await,
        "every record is copied exactly"
    );
    let history = demo_access_events(&*source).await;
    assert!(
        history.len() >= 5,
        "the demo patient has an access history: {history:?}"
    );
    assert_eq!(
        demo_access_events(&*target).await,
        history,
        "the demo patient's access history keeps its ids and order"
    );
    source.close().await;
    target.close().await;

    // The copy serves: the demo patient signs in and reads the copied history after the new
    // events.
    let running = serve(dir.path(), &target_url).await;
    let token = demo_patient_token(&running.base).await;
    let (status, log) = get(
        &running.base,
        "/api/v1/patient/access-log?limit=100",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the access log loads: {log}");
    let ids: Vec<i64> = log["items"]
        .as_array()
        .expect("the access log has items")
        .iter()
        .map(|item| item["id"].as_i64().expect("an access event has an id"))
        .collect();
    let copied: Vec<i64> = history.iter().map(|event| event.id).collect();
    assert!(
        ids.ends_with(&copied),
        "the copied events follow the new ones in their old order: {ids:?} vs {copied:?}"
    );
    let newest_copied = copied.first().copied().unwrap_or_default();
    assert!(
        ids.len() > copied.len() && ids[0] > newest_copied,
        "the sign-in on the copy is numbered after the copied events: {ids:?}"
    );
    stop(running).await;
}

#[tokio::test]
async fn migrate_refuses_non_empty_target() {
    let dir = tempfile::tempdir().unwrap();
    let source_url = sqlite_url(&dir.path().join("source.db"));
    let target_url = sqlite_url(&dir.path().join("target.db"));
    seed(dir.path(), &source_url).await;
    let output = portal(dir.path())
        .env("PORTAL_DATABASE_URL", &target_url)
        .args(["invite", "create"])
        .output()
        .await
        .expect("running invite create failed");
    assert!(
        output.status.success(),
        "invite create failed: {}",
        stderr(&output)
    );

    let refused = migrate(dir.path(), &["--from", &source_url, "--to", &target_url]).await;
    let message = stderr(&refused);
    assert!(!refused.status.success(), "a non-empty target is refused");
    assert!(message.contains("not empty"), "stderr: {message}");
    assert!(
        message.contains("1 invites"),
        "stderr names what the target holds: {message}"
    );
    assert!(
        message.contains("--force"),
        "stderr names --force: {message}"
    );
    let target = open(&target_url, None).await;
    let untouched: u64 = counts(&*target).await.iter().map(|(_, count)| count).sum();
    assert_eq!(untouched, 1, "the refused copy wrote nothing");
    target.close().await;

    let forced = migrate(
        dir.path(),
        &["--from", &source_url, "--to", &target_url, "--force"],
    )
    .await;
    assert!(
        forced.status.success(),
        "--force copies into the non-empty target: {}",
        stderr(&forced)
    );
    let source = open(&source_url, None).await;
    let target = open(&target_url, None).await;
    for ((kind, source_count), (_, target_count)) in counts(&*source)
        .await
        .into_iter()
        .zip(counts(&*target).await)
    {
        let before = u64::from(kind == RecordKind::Invite);
        assert_eq!(
            target_count,
            source_count + before,
            "{} in the target after --force",
            kind.as_str()
        );
    }
    source.close().await;
    target.close().await;

    // Copying the same records again collides on their keys, even with --force.
    let again = migrate(
        dir.path(),
        &["--from", &source_url, "--to", &target_url, "--force"],
    )
    .await;
    let message = stderr(&again);
    assert!(
        !again.status.success(),
        "a second copy of the same records fails"
    );
    assert!(message.contains("duplicate"), "stderr: {message}");
}

#[tokio::test]
async fn migrate_same_database_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("portal.db"));
    let output = migrate(dir.path(), &["--from", &url, "--to", &url]).await;
    let message = stderr(&output);
    assert!(
        !output.status.success(),
        "copying a database onto itself fails"
    );
    assert!(message.contains("same database"), "stderr: {message}");
}

#[tokio::test]
async fn unsupported_scheme_names_setting() {
    let dir = tempfile::tempdir().unwrap();
    let secret_url = "postgres://portal:hunter2@db.internal/portal";
    let target_url = sqlite_url(&dir.path().join("target.db"));

    let output = migrate(dir.path(), &["--from", secret_url, "--to", &target_url]).await;
    let message = stderr(&output);
    assert!(!output.status.success(), "an unsupported --from URL fails");
    assert!(
        message.contains("--from"),
        "stderr names the option: {message}"
    );
    assert!(
        message.contains("mongodb://"),
        "stderr lists the schemes: {message}"
    );
    assert!(
        !message.contains("hunter2"),
        "stderr shows no password: {message}"
    );

    let output = portal(dir.path())
        .env("PORTAL_DATABASE_URL", secret_url)
        .args(["seed", "--patients", "1"])
        .output()
        .await
        .expect("running portal seed failed");
    let message = stderr(&output);
    assert!(
        !output.status.success(),
        "an unsupported PORTAL_DATABASE_URL fails"
    );
    assert!(
        message.contains("PORTAL_DATABASE_URL"),
        "stderr names the variable: {message}"
    );
    assert!(
        message.contains("sqlite://") && message.contains("mongodb+srv://"),
        "stderr lists the accepted schemes: {message}"
    );
    assert!(
        !message.contains("hunter2"),
        "stderr shows no password: {message}"
    );
}

#[tokio::test]
async fn unreachable_mongodb_names_variable() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on the loopback address refuses connections, so server selection times out.
    let url = "mongodb://portal:hunter2@127.0.0.1:1/portal?serverSelectionTimeoutMS=500\
               &connectTimeoutMS=500";
    let output = portal(dir.path())
        .env("PORTAL_DATABASE_URL", url)
        .args(["seed", "--patients", "1"])
        .output()
        .await
        .expect("running portal seed failed");
    let message = stderr(&output);
    assert!(
        !output.status.success(),
        "an unreachable MongoDB server fails the start"
    );
    assert!(
        message.contains("PORTAL_DATABASE_URL"),
        "stderr names the variable: {message}"
    );
    assert!(
        message.contains("failed"),
        "stderr gives the reason: {message}"
    );
    assert!(
        !message.contains("hunter2"),
        "stderr shows no password: {message}"
    );
}

#[tokio::test]
async fn migrate_mongodb_round_trip() {
    let Ok(mongodb_url) = std::env::var(MONGODB_URL_VARIABLE) else {
        // The test harness hides `eprintln!` output of passing tests, but not a direct write.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: migrate_mongodb_round_trip (SQLite to MongoDB to SQLite): \
             {MONGODB_URL_VARIABLE} is not set"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source_url = sqlite_url(&dir.path().join("source.db"));
    let final_url = sqlite_url(&dir.path().join("final.db"));
    // Dropped at the end of the test, even when it fails.
    let mongodb_database = MongoTestDatabase::new(&mongodb_url);
    let database = mongodb_database.name.as_str();
    seed(dir.path(), &source_url).await;
    use_demo_patient(dir.path(), &source_url).await;

    let there = migrate(
        dir.path(),
        &[
            "--from",
            &source_url,
            "--to",
            &mongodb_url,
            "--to-mongodb-database",
            database,
            "--batch-size",
            "16",
        ],
    )
    .await;
    assert!(
        there.status.success(),
        "SQLite to MongoDB failed: {}",
        stderr(&there)
    );
    let back = migrate(
        dir.path(),
        &[
            "--from",
            &mongodb_url,
            "--from-mongodb-database",
            database,
            "--to",
            &final_url,
        ],
    )
    .await;
    assert!(
        back.status.success(),
        "MongoDB to SQLite failed: {}",
        stderr(&back)
    );

    let source = open(&source_url, None).await;
    let middle = open(&mongodb_url, Some(database)).await;
    let last = open(&final_url, None).await;
    let source_counts = counts(&*source).await;
    assert_eq!(
        counts(&*middle).await,
        source_counts,
        "MongoDB holds as many records of each kind as the source"
    );
    assert_eq!(
        counts(&*last).await,
        source_counts,
        "the copy back holds as many records of each kind as the source"
    );

    // MongoDB stores instants in milliseconds, so the history is compared without the times.
    let without_times = |events: Vec<AccessEvent>| -> Vec<(i64, String, Option<String>)> {
        events
            .into_iter()
            .map(|event| (event.id, event.action, event.actor_name))
            .collect()
    };
    let history = without_times(demo_access_events(&*source).await);
    assert_eq!(
        without_times(demo_access_events(&*middle).await),
        history,
        "MongoDB keeps the demo patient's access history in order"
    );
    assert_eq!(
        without_times(demo_access_events(&*last).await),
        history,
        "the copy back keeps the demo patient's access history in order"
    );
    source.close().await;
    middle.close().await;
    last.close().await;
}

#[tokio::test]
async fn missing_sqlite_source_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("no-such.db");
    let target = dir.path().join("target.db");

    let output = migrate(
        dir.path(),
        &["--from", &sqlite_url(&source), "--to", &sqlite_url(&target)],
    )
    .await;

    assert!(!output.status.success(), "a missing source was copied");
    assert!(
        stderr(&output).contains("does not exist"),
        "stderr: {}",
        stderr(&output)
    );
    assert!(!source.exists(), "the missing source file was created");
}
