//! `portal backup` and `portal restore` run as real processes on real SQLite files. A backup
//! taken while a portal serves a stream of appointment requests is restored into a new folder
//! and served again. The other tests cover every file and situation that the commands reject.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use common::binary::{portal, start_command, terminate};
use common::{TEST_DATA_KEY, TestApp, appointment_body, in_hours};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

/// The bytes 32 to 63 in base64: a valid key that differs from the key of [`TEST_DATA_KEY`].
const OTHER_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

/// Appointment writers that run during the backup.
const WRITERS: usize = 4;

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `portal` in `dir` on the SQLite file `database` with the data keys `data_key`.
async fn run(dir: &Path, database: &Path, data_key: &str, args: &[&str]) -> Output {
    portal(dir)
        .env("PORTAL_DATABASE_URL", sqlite_url(database))
        .env("PORTAL_DATA_KEY", data_key)
        .args(args)
        .output()
        .await
        .expect("running the portal binary failed")
}

/// Runs `portal seed` with a few patients on `database` and asserts that it succeeded.
async fn seed(dir: &Path, database: &Path, patients: u32) {
    let patients = patients.to_string();
    let output = run(
        dir,
        database,
        TEST_DATA_KEY,
        &["seed", "--patients", &patients],
    )
    .await;
    assert!(
        output.status.success(),
        "seeding failed: {}",
        text(&output.stderr)
    );
}

/// Runs `portal backup --to target` and returns its summary line.
async fn backup(dir: &Path, database: &Path, target: &Path) -> String {
    let target = target.to_str().expect("the test path is UTF-8");
    let output = run(dir, database, TEST_DATA_KEY, &["backup", "--to", target]).await;
    assert!(
        output.status.success(),
        "backup failed: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Users, appointments and audit events, as the summaries of both commands print them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    users: u64,
    appointments: u64,
    audit_events: u64,
}

/// Reads the counts at the end of a summary line: `...; 3 users, 4 appointments, 5 audit
/// events.`
fn parse_counts(summary: &str) -> Counts {
    let line = summary.lines().next().unwrap_or_default();
    let number = |label: &str| -> u64 {
        let end = line
            .find(label)
            .unwrap_or_else(|| panic!("no `{label}` in {line:?}"));
        let start = line[..end]
            .trim_end()
            .rfind(' ')
            .map_or(0, |index| index + 1);
        line[start..end]
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("no number before `{label}` in {line:?}"))
    };
    Counts {
        users: number(" users"),
        appointments: number(" appointments"),
        audit_events: number(" audit events"),
    }
}

/// Opens a read-only connection that takes no lock file, as another program would.
async fn read_only(database: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::new()
        .filename(database)
        .read_only(true);
    SqliteConnection::connect_with(&options)
        .await
        .unwrap_or_else(|error| panic!("opening {} failed: {error}", database.display()))
}

/// Opens a read-write connection for editing a file behind the portal's back.
async fn read_write(database: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::new().filename(database);
    SqliteConnection::connect_with(&options)
        .await
        .unwrap_or_else(|error| panic!("opening {} failed: {error}", database.display()))
}

async fn count_rows(database: &Path) -> Counts {
    let mut connection = read_only(database).await;
    let mut counts = [0u64; 3];
    for (count, table) in counts
        .iter_mut()
        .zip(["users", "appointments", "audit_events"])
    {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut connection)
            .await
            .unwrap_or_else(|error| panic!("counting {table} failed: {error}"));
        *count = u64::try_from(rows).expect("a count is not negative");
    }
    connection.close().await.expect("closing failed");
    let [users, appointments, audit_events] = counts;
    Counts {
        users,
        appointments,
        audit_events,
    }
}

async fn count_invites(database: &Path) -> i64 {
    let mut connection = read_only(database).await;
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM invites")
        .fetch_one(&mut connection)
        .await
        .expect("counting invites failed");
    connection.close().await.expect("closing failed");
    count
}

async fn integrity_check(database: &Path) -> Vec<String> {
    let mut connection = read_only(database).await;
    let result = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut connection)
        .await
        .expect("the integrity check ran");
    connection.close().await.expect("closing failed");
    result
}

/// Returns every file in `folder` with its bytes.
fn snapshot(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("listing {} failed: {error}", folder.display()))
        .map(|entry| {
            let entry = entry.expect("reading a folder entry failed");
            let bytes = std::fs::read(entry.path()).expect("reading a file failed");
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// Seeds a database in `<dir>/data/portal.db` and writes a backup of it to
/// `<dir>/good.db`. Returns both paths.
async fn seeded_with_backup(dir: &Path) -> (PathBuf, PathBuf) {
    let database = dir.join("data/portal.db");
    seed(dir, &database, 5).await;
    let good = dir.join("good.db");
    backup(dir, &database, &good).await;
    (database, good)
}

#[tokio::test]
async fn backup_under_load_restores() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("portal.db");
    seed(dir.path(), &database, 200).await;
    let store = portal_server::database::open(
        &sqlite_url(&database),
        None,
        "the test database URL",
        common::test_keyring(),
    )
    .await
    .expect("opening the seeded database failed");
    let app = TestApp::spawn_on(store).await;
    let provider = app.provider().await;
    let mut patients = Vec::new();
    for _ in 0..WRITERS {
        patients.push(app.register_patient().await);
    }
    let first_patient = (patients[0].email.clone(), patients[0].password.clone());
    let appointments_before_load = count_rows(&database).await.appointments;

    // Each writer requests appointments, each one a row and an audit event, until stopped.
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for patient in patients {
        let stop = stop.clone();
        let created = created.clone();
        let provider_id = provider.id;
        writers.push(tokio::spawn(async move {
            let mut hours = 24;
            while !stop.load(Ordering::SeqCst) {
                hours = 24 + (hours + 1) % 2000;
                let body = appointment_body(provider_id, &in_hours(hours));
                let (status, _, reply) = patient.post("/api/v1/patient/appointments", body).await;
                assert_eq!(status, StatusCode::CREATED, "request failed: {reply}");
                created.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    while created.load(Ordering::SeqCst) < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let copies = tempfile::tempdir().unwrap();
    let backup_file = copies.path().join("portal-backup.db");
    let created_at_start = created.load(Ordering::SeqCst);
    let summary = backup(dir.path(), &database, &backup_file).await;
    let created_at_end = created.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        writer.await.expect("a writer failed");
    }

    assert!(
        created_at_end > created_at_start,
        "no appointment was written while the backup ran ({created_at_start} before and after)"
    );
    assert!(summary.starts_with("Backed up "), "summary: {summary}");
    assert!(
        summary.contains(&backup_file.display().to_string()),
        "summary: {summary}"
    );
    assert!(summary.contains(" s; "), "summary: {summary}");
    let reported = parse_counts(&summary);
    assert!(
        reported.appointments >= appointments_before_load + created_at_start,
        "the backup lacks appointments created before it started: {reported:?}"
    );
    assert!(
        reported.appointments <= appointments_before_load + created_at_end,
        "the backup has appointments created after it ended: {reported:?}"
    );
    assert_eq!(
        count_rows(&backup_file).await,
        reported,
        "the summary counts the copy"
    );
    assert_eq!(integrity_check(&backup_file).await, ["ok"]);
    let leftovers: Vec<String> = snapshot(copies.path()).into_keys().collect();
    assert_eq!(
        leftovers,
        ["portal-backup.db"],
        "only the backup is in its folder"
    );

    // Restore into a folder that does not exist yet.
    let fresh = tempfile::tempdir().unwrap();
    let restored = fresh.path().join("data/portal.db");
    let output = run(
        fresh.path(),
        &restored,
        TEST_DATA_KEY,
        &["restore", "--from", backup_file.to_str().unwrap()],
    )
    .await;
    assert!(
        output.status.success(),
        "restore failed: {}",
        text(&output.stderr)
    );
    let restore_summary = text(&output.stdout);
    assert_eq!(parse_counts(&restore_summary), reported);
    assert!(
        restore_summary.contains(&format!(
            "the audit chain of {} events is intact",
            reported.audit_events
        )),
        "summary: {restore_summary}"
    );
    assert!(
        restore_summary.contains("There was no database"),
        "summary: {restore_summary}"
    );

    let verify = run(fresh.path(), &restored, TEST_DATA_KEY, &["audit", "verify"]).await;
    assert!(
        verify.status.success(),
        "audit verify failed: {}",
        text(&verify.stderr)
    );
    assert!(
        text(&verify.stdout).contains("the chain is intact"),
        "verify: {}",
        text(&verify.stdout)
    );

    let mut command = portal(fresh.path());
    command
        .env("PORTAL_DATABASE_URL", sqlite_url(&restored))
        .env("PORTAL_DATA_KEY", TEST_DATA_KEY);
    let running = start_command(command, fresh.path(), &[]).await;
    assert_eq!(
        count_rows(&restored).await,
        reported,
        "the served database has the backup's counts"
    );
    let http = reqwest::Client::new();
    let (email, password) = first_patient;
    let session: Value = http
        .post(format!("{}/api/v1/auth/login", running.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("the sign-in request failed")
        .json()
        .await
        .expect("the sign-in reply is JSON");
    let token = session["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {session}"));
    let profile = http
        .get(format!("{}/api/v1/patient/profile", running.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("the profile request failed");
    assert_eq!(profile.status(), StatusCode::OK);
    let profile: Value = profile.json().await.expect("the profile is JSON");
    assert_eq!(
        profile["dateOfBirth"], "1990-05-01",
        "encrypted fields decrypt"
    );
    let status = terminate(running).await;
    assert!(status.success(), "exit status: {status}");
}

#[tokio::test]
async fn restore_rejects_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let (database, good) = seeded_with_backup(dir.path()).await;
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();

    let text_file = work.join("notes.txt");
    std::fs::write(&text_file, "these are not the rows you are looking for\n").unwrap();

    let bad_header = work.join("bad-header.db");
    let mut bytes = std::fs::read(&good).unwrap();
    bytes[..16].copy_from_slice(b"not a database!\0");
    std::fs::write(&bad_header, bytes).unwrap();

    // Flips the page type of the `users` table's root page, so its B-tree cannot be read.
    let damaged = work.join("damaged.db");
    std::fs::copy(&good, &damaged).unwrap();
    let mut connection = read_only(&damaged).await;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    let root_page: i64 =
        sqlx::query_scalar("SELECT rootpage FROM sqlite_schema WHERE name = 'users'")
            .fetch_one(&mut connection)
            .await
            .unwrap();
    connection.close().await.unwrap();
    let mut bytes = std::fs::read(&damaged).unwrap();
    let offset = usize::try_from((root_page - 1) * page_size).unwrap();
    bytes[offset] ^= 0xff;
    std::fs::write(&damaged, bytes).unwrap();

    let newer = work.join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    let mut connection = read_write(&newer).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99991231000000, 'from a later release', 1, x'00', 0)",
    )
    .execute(&mut connection)
    .await
    .unwrap();
    connection.close().await.unwrap();

    let foreign = work.join("foreign.db");
    let options = SqliteConnectOptions::new()
        .filename(&foreign)
        .create_if_missing(true);
    let mut connection = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("CREATE TABLE notes (body TEXT)")
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();

    let edited_chain = work.join("edited-chain.db");
    std::fs::copy(&good, &edited_chain).unwrap();
    let mut connection = read_write(&edited_chain).await;
    for statement in [
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET client_addr = '203.0.113.9' WHERE seq = 2",
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events \
         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    ] {
        sqlx::query(statement)
            .execute(&mut connection)
            .await
            .unwrap();
    }
    connection.close().await.unwrap();

    // The chain is intact, but the guards of the audit log are gone.
    let unguarded = work.join("unguarded.db");
    std::fs::copy(&good, &unguarded).unwrap();
    let mut connection = read_write(&unguarded).await;
    for statement in [
        "DROP TRIGGER audit_events_no_update",
        "DROP TRIGGER audit_events_no_delete",
    ] {
        sqlx::query(statement)
            .execute(&mut connection)
            .await
            .unwrap();
    }
    connection.close().await.unwrap();

    let same_id_other_key = format!("test:{OTHER_KEY}");
    let other_id = format!("other:{OTHER_KEY}");
    let missing = work.join("missing.db");
    let cases: [(&str, &Path, &str, &str); 10] = [
        (
            "text file",
            &text_file,
            TEST_DATA_KEY,
            "it is not an SQLite database",
        ),
        (
            "overwritten header",
            &bad_header,
            TEST_DATA_KEY,
            "it is not an SQLite database",
        ),
        ("damaged page", &damaged, TEST_DATA_KEY, "it is damaged"),
        (
            "newer migration",
            &newer,
            TEST_DATA_KEY,
            "it was written by a newer portal: it has migration 99991231000000",
        ),
        (
            "not a portal database",
            &foreign,
            TEST_DATA_KEY,
            "not a portal database",
        ),
        (
            "edited audit event",
            &edited_chain,
            TEST_DATA_KEY,
            "its audit chain is broken at event 2",
        ),
        (
            "audit triggers dropped",
            &unguarded,
            TEST_DATA_KEY,
            "its audit log is not protected: the append-only triggers audit_events_no_update, \
             audit_events_no_delete are missing",
        ),
        (
            "other key, same id",
            &good,
            &same_id_other_key,
            "data key `test` of PORTAL_DATA_KEY is not the key `test`",
        ),
        (
            "other key id",
            &good,
            &other_id,
            "encrypted with data keys that PORTAL_DATA_KEY does not contain",
        ),
        (
            "missing file",
            &missing,
            TEST_DATA_KEY,
            "--from names no file",
        ),
    ];

    let folder = database.parent().unwrap();
    let before = snapshot(folder);
    for (case, source, data_key, expected) in cases {
        let source_before = std::fs::read(source).ok();
        let output = run(
            dir.path(),
            &database,
            data_key,
            &["restore", "--from", source.to_str().unwrap()],
        )
        .await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{case}: stderr: {stderr}");
        assert!(stderr.contains(expected), "{case}: stderr: {stderr}");
        assert!(
            !stderr.contains(OTHER_KEY),
            "{case}: stderr shows a key: {stderr}"
        );
        assert!(
            snapshot(folder) == before,
            "{case}: the database folder changed"
        );
        assert_eq!(
            std::fs::read(source).ok(),
            source_before,
            "{case}: the source changed"
        );
    }
}

#[tokio::test]
async fn restore_rejects_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let (database, good) = seeded_with_backup(dir.path()).await;
    let mut command = portal(dir.path());
    command
        .env("PORTAL_DATABASE_URL", sqlite_url(&database))
        .env("PORTAL_DATA_KEY", TEST_DATA_KEY);
    let running = start_command(command, dir.path(), &[]).await;
    let folder = database.parent().unwrap();
    let before = snapshot(folder);

    let output = run(
        dir.path(),
        &database,
        TEST_DATA_KEY,
        &["restore", "--from", good.to_str().unwrap()],
    )
    .await;

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("Stop the server first"), "stderr: {stderr}");
    assert!(
        snapshot(folder) == before,
        "the database folder changed under the running server"
    );
    let status = terminate(running).await;
    assert!(status.success(), "exit status: {status}");

    // Once the server has stopped, the same restore succeeds.
    let output = run(
        dir.path(),
        &database,
        TEST_DATA_KEY,
        &["restore", "--from", good.to_str().unwrap()],
    )
    .await;
    assert!(
        output.status.success(),
        "restore after stopping failed: {}",
        text(&output.stderr)
    );
}

#[tokio::test]
async fn restore_keeps_previous_database() {
    let dir = tempfile::tempdir().unwrap();
    let (database, good) = seeded_with_backup(dir.path()).await;
    let backed_up = count_rows(&good).await;
    let invite = run(dir.path(), &database, TEST_DATA_KEY, &["invite", "create"]).await;
    assert!(invite.status.success(), "{}", text(&invite.stderr));
    let current = std::fs::read(&database).unwrap();
    let invites_backed_up = count_invites(&good).await;
    assert_eq!(count_invites(&database).await, invites_backed_up + 1);

    let output = run(
        dir.path(),
        &database,
        TEST_DATA_KEY,
        &["restore", "--from", good.to_str().unwrap()],
    )
    .await;

    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(count_rows(&database).await, backed_up);
    assert_eq!(
        count_invites(&database).await,
        invites_backed_up,
        "the invite created after the backup is gone"
    );
    // Read-only connections (the backup's, this test's) leave an empty log and its index
    // beside the database, which are set aside with it.
    let set_aside: Vec<String> = snapshot(database.parent().unwrap())
        .into_keys()
        .filter(|name| name.starts_with("portal.db.before-restore-"))
        .collect();
    let databases: Vec<&String> = set_aside
        .iter()
        .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
        .collect();
    assert_eq!(databases.len(), 1, "set aside: {set_aside:?}");
    for name in &set_aside {
        assert!(
            name.starts_with(databases[0].as_str()),
            "{name} is named after the set-aside database"
        );
    }
    let aside = database.with_file_name(databases[0]);
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        current,
        "the previous database is kept byte for byte"
    );
    assert!(
        stdout.contains(&format!("The previous database is now {}", aside.display())),
        "stdout: {stdout}"
    );
    let verify = run(dir.path(), &database, TEST_DATA_KEY, &["audit", "verify"]).await;
    assert!(verify.status.success(), "{}", text(&verify.stderr));
}

#[tokio::test]
async fn backup_rejects_existing_file_and_mongodb() {
    let dir = tempfile::tempdir().unwrap();
    let (database, _) = seeded_with_backup(dir.path()).await;
    let existing = dir.path().join("existing.db");
    std::fs::write(&existing, "an older backup").unwrap();
    let target = existing.to_str().unwrap();

    let output = run(
        dir.path(),
        &database,
        TEST_DATA_KEY,
        &["backup", "--to", target],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("already exists"), "stderr: {stderr}");
    assert!(stderr.contains("--force"), "stderr: {stderr}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"an older backup");

    let output = run(
        dir.path(),
        &database,
        TEST_DATA_KEY,
        &["backup", "--to", target, "--force"],
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(integrity_check(&existing).await, ["ok"]);

    let itself = run(
        dir.path(),
        &database,
        TEST_DATA_KEY,
        &["backup", "--to", database.to_str().unwrap(), "--force"],
    )
    .await;
    assert_eq!(itself.status.code(), Some(1));
    assert!(
        text(&itself.stderr).contains("--to names the database"),
        "stderr: {}",
        text(&itself.stderr)
    );

    let mongodb_target = dir.path().join("mongodb.db");
    let output = portal(dir.path())
        .env(
            "PORTAL_DATABASE_URL",
            "mongodb://portal:hunter2@127.0.0.1:1/portal",
        )
        .args(["backup", "--to", mongodb_target.to_str().unwrap()])
        .output()
        .await
        .expect("running the portal binary failed");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("mongodump"), "stderr: {stderr}");
    assert!(stderr.contains("docs/DEPLOY.md"), "stderr: {stderr}");
    assert!(!stderr.contains("hunter2"), "stderr: {stderr}");
    assert!(!mongodb_target.exists(), "no file was written");
}
