//! Runs the store conformance suite against `MongoStore`, each case in its own database,
//! followed by checks that only apply to MongoDB.
//!
//! The server comes from `PORTAL_TEST_MONGODB_URL` (for example the URL that
//! `scripts/mongo-standin start` prints). Without it, every case that needs a server prints a
//! `SKIPPED:` line to stderr and passes, and `mongodb_suite_configured` prints a notice.
//! `PORTAL_TEST_MONGODB_STANDIN=1` marks the server as the nx-27017 stand-in, which skips the
//! cases listed in `STANDIN_SKIPS` with their reasons.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection};
use portal_core::StoreError;
use portal_core::audit_chain::verify_chain;
use portal_core::keyring::{Keyring, SealedRecordKind};
use portal_core::model::{
    Allergy, AppointmentStatus, Consent, EMERGENCY_GRANT, HealthDetails, Invite, Medication,
    NewAppointment, NewAuditEvent, Outcome, PageRequest, ProviderDetails, Role, Session, Severity,
    UserRecord, VisitType,
};
use portal_core::store::{
    AppointmentStore, AuditStore, EncryptionStore, InviteStore, KeyUsage, MfaStore, NewPatient,
    NewProvider, ProfileStore, SessionStore, Store, UserStore,
};
use portal_store_conformance::current_case;
use portal_store_mongo::MongoStore;
use uuid::Uuid;

/// Writes a line straight to the process's stderr. The test harness captures `eprintln!` of
/// passing tests, which would hide skip notices, but a direct write is always shown.
macro_rules! notice {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($argument)*);
    }};
}

const URL_VARIABLE: &str = "PORTAL_TEST_MONGODB_URL";
const STANDIN_VARIABLE: &str = "PORTAL_TEST_MONGODB_STANDIN";

/// Conformance cases that the nx-27017 stand-in cannot pass, each with the reason, skipped only
/// when `PORTAL_TEST_MONGODB_STANDIN=1`. None at present: with the settings of
/// `scripts/mongo-standin`, the stand-in passes every case.
const STANDIN_SKIPS: &[(&str, &str)] = &[];

/// Returns the keyring of every store these tests open, unless a test names its own.
fn keyring() -> Keyring {
    portal_store_conformance::test_keyring(&[portal_store_conformance::CONFORMANCE_KEY_ID])
}

fn test_url() -> Option<String> {
    std::env::var(URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

fn on_standin() -> bool {
    std::env::var(STANDIN_VARIABLE).is_ok_and(|value| value == "1")
}

/// Opens a client that bypasses the store, giving up on an unreachable server after a few
/// seconds instead of the driver's 30.
async fn raw_client(url: &str) -> mongodb::error::Result<Client> {
    let mut options = ClientOptions::parse(url).await?;
    options.server_selection_timeout = Some(Duration::from_secs(5));
    Client::with_options(options)
}

/// Drops the case's database when the case ends, even when it panics.
struct TestDatabase {
    url: String,
    name: String,
}

impl TestDatabase {
    fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            name: format!("portal_test_{}", Uuid::new_v4().simple()),
        }
    }

    async fn open(&self) -> MongoStore {
        self.open_with(keyring()).await
    }

    async fn open_with(&self, keyring: Keyring) -> MongoStore {
        MongoStore::connect(&self.url, Some(&self.name), keyring)
            .await
            .unwrap_or_else(|error| panic!("connect to {URL_VARIABLE}: {error}"))
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a separate thread with its own runtime, because `Drop` cannot
    /// await and the test's runtime may already be shutting down.
    fn drop(&mut self) {
        let url = self.url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let client = raw_client(&url).await.map_err(|error| error.to_string())?;
                let result = client.database(&name).drop().await;
                client.shutdown().await;
                result.map_err(|error| error.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => notice!("failed to drop test database {}: {error}", self.name),
            Err(_) => notice!(
                "failed to drop test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

/// Opens a store on a fresh database for one conformance case, or returns `None` (after
/// saying why on stderr) when the case cannot run here.
async fn open_fresh() -> Option<(TestDatabase, Arc<dyn Store>)> {
    let case = current_case().unwrap_or("(unknown case)");
    let Some(url) = test_url() else {
        notice!("SKIPPED: MongoDB conformance case {case}: {URL_VARIABLE} is not set");
        return None;
    };
    if on_standin()
        && let Some((_, reason)) = STANDIN_SKIPS.iter().find(|(name, _)| *name == case)
    {
        notice!("SKIPPED: MongoDB conformance case {case} on the nx-27017 stand-in: {reason}");
        return None;
    }
    let database = TestDatabase::new(&url);
    let store = database.open().await;
    Some((database, Arc::new(store)))
}

portal_store_conformance::conformance_tests!(open_fresh);

// -------------------------------------------------------------------------------------------------
// Configuration and connection
// -------------------------------------------------------------------------------------------------

/// Makes the skip visible: passes with a notice when no server is configured, and fails when
/// one is configured but cannot be reached.
#[tokio::test]
async fn mongodb_suite_configured() {
    let Some(url) = test_url() else {
        notice!(
            "\n==========================================================================\n\
             NOTICE: {URL_VARIABLE} is not set, so the MongoDB conformance suite was \
             SKIPPED.\n\
             Run it with a local stand-in:\n  \
             {URL_VARIABLE}=$(scripts/mongo-standin start) {STANDIN_VARIABLE}=1 \
             cargo test -p portal-store-mongo; scripts/mongo-standin stop\n\
             ==========================================================================\n"
        );
        return;
    };
    let database = TestDatabase::new(&url);
    let store = MongoStore::connect(&url, Some(&database.name), keyring()).await;
    assert!(
        store.is_ok(),
        "{URL_VARIABLE} is set, so the server must answer: {:?}",
        store.err()
    );
}

/// Returns a 127.0.0.1 port that nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener
        .local_addr()
        .expect("read the local address")
        .port()
}

#[tokio::test]
async fn connect_requires_database_name() {
    let result = MongoStore::connect(
        "mongodb://127.0.0.1:27017/?directConnection=true",
        None,
        keyring(),
    )
    .await;
    let Err(StoreError::Other(message)) = result else {
        panic!("a URL without a database name is rejected with Other: {result:?}");
    };
    assert!(
        message.contains("PORTAL_MONGODB_DATABASE"),
        "the message says how to name the database: {message}"
    );
}

#[tokio::test]
async fn connect_unreachable_unavailable() {
    let url = format!(
        "mongodb://portal:hunter2secret@127.0.0.1:{}/portal?directConnection=true\
         &serverSelectionTimeoutMS=300",
        closed_port()
    );
    let started = Instant::now();
    let result = MongoStore::connect(&url, None, keyring()).await;
    let Err(StoreError::Unavailable(message)) = result else {
        panic!("an unreachable server is Unavailable: {result:?}");
    };
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the failure comes after the server selection timeout, not much later"
    );
    assert!(
        !message.contains("hunter2secret"),
        "the password is not in the message: {message}"
    );
}

#[tokio::test]
async fn connect_default_timeout_short() {
    let url = format!(
        "mongodb://127.0.0.1:{}/portal?directConnection=true",
        closed_port()
    );
    let started = Instant::now();
    let result = MongoStore::connect(&url, None, keyring()).await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "an unreachable server is Unavailable: {result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "the default server selection timeout is a few seconds, not the driver's 30"
    );
}

#[tokio::test]
async fn connect_invalid_url_redacted() {
    let result = MongoStore::connect(
        "mongodb://portal:hunter2secret@/portal?noSuchOption",
        None,
        keyring(),
    )
    .await;
    let Err(StoreError::Other(message)) = result else {
        panic!("an invalid URL is rejected with Other: {result:?}");
    };
    assert!(
        !message.contains("hunter2secret"),
        "the password is not in the message: {message}"
    );
}

// -------------------------------------------------------------------------------------------------
// MongoDB only, with a server
// -------------------------------------------------------------------------------------------------

/// Opens a store on a fresh database, or returns `None` with a skip line when no server is set.
async fn open_for(test: &str) -> Option<(TestDatabase, MongoStore)> {
    let Some(url) = test_url() else {
        notice!("SKIPPED: MongoDB test {test}: {URL_VARIABLE} is not set");
        return None;
    };
    let database = TestDatabase::new(&url);
    let store = database.open().await;
    Some((database, store))
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant is valid RFC 3339")
        .with_timezone(&Utc)
}

fn event(action: &'static str, subject_id: Uuid) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: at("2026-12-04T10:00:00Z"),
        actor_id: Some(subject_id),
        actor_role: Some(Role::Patient),
        action: action.into(),
        subject_id: Some(subject_id),
        outcome: Outcome::Success,
        request_id: Uuid::new_v4().to_string(),
        client_addr: "192.0.2.10".to_owned(),
        detail: None,
    }
}

/// Reads every document of a collection, bypassing the store.
async fn raw_documents(store: &MongoStore, collection: &str, sort: Document) -> Vec<Document> {
    let client = raw_client(&test_url().expect("a server is configured"))
        .await
        .expect("open a raw client");
    let documents = client
        .database(store.database_name())
        .collection::<Document>(collection)
        .find(doc! {})
        .sort(sort)
        .await
        .expect("find documents")
        .try_collect()
        .await
        .expect("read documents");
    client.shutdown().await;
    documents
}

#[tokio::test]
async fn connect_reconnect_idempotent() {
    let Some((database, first)) = open_for("connect_reconnect_idempotent").await else {
        return;
    };
    let second = database.open().await;
    let ping = second.ping().await;
    assert!(
        ping.is_ok(),
        "a second connect to the same database works: {ping:?}"
    );
    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn indexes_created() {
    let Some((_database, store)) = open_for("indexes_created").await else {
        return;
    };
    let client = raw_client(&test_url().expect("a server is configured"))
        .await
        .expect("open a raw client");
    let database = client.database(store.database_name());

    let expected = [
        ("users", doc! { "email": 1 }, true),
        ("audit_events", doc! { "seq": 1 }, true),
        ("sessions", doc! { "refresh_hash": 1 }, true),
        ("sessions", doc! { "purge_at": 1 }, false),
        (
            "appointments",
            doc! { "patient_id": 1, "preferred_start": 1 },
            false,
        ),
        (
            "appointments",
            doc! { "provider_id": 1, "status": 1, "preferred_start": 1 },
            false,
        ),
        ("audit_events", doc! { "subject_id": 1, "seq": 1 }, false),
    ];
    for (collection, keys, unique) in expected {
        let indexes: Vec<_> = database
            .collection::<Document>(collection)
            .list_indexes()
            .await
            .expect("list indexes")
            .try_collect()
            .await
            .expect("read indexes");
        // Key values may come back as Int32 or Int64 or doubles, so only the field order is
        // compared.
        let expected_fields: Vec<&String> = keys.keys().collect();
        let found = indexes
            .iter()
            .find(|index| index.keys.keys().collect::<Vec<_>>() == expected_fields);
        let Some(found) = found else {
            panic!("{collection} has an index on {keys}: {indexes:?}");
        };
        let options = found.options.as_ref();
        if unique {
            assert_eq!(
                options.and_then(|options| options.unique),
                Some(true),
                "the index on {keys} of {collection} is unique"
            );
        }
        if keys.contains_key("purge_at") {
            assert_eq!(
                options.and_then(|options| options.expire_after),
                Some(Duration::ZERO),
                "the session purge index is a TTL index with expireAfterSeconds 0"
            );
        }
    }
    client.shutdown().await;
    store.close().await;
}

#[tokio::test]
async fn audit_sequence_several_processes() {
    let Some((database, first)) = open_for("audit_sequence_several_processes").await else {
        return;
    };
    // Separate clients stand for separate server processes.
    let second = database.open().await;
    let third = database.open().await;
    let stores = [&first, &second, &third];
    let subject = Uuid::now_v7();
    let actions = ["profile.read", "profile.update", "dashboard.read"];
    // Every batch shares one request id, which distinguishes the batches afterwards.
    let batches: Vec<Vec<NewAuditEvent>> = (0..12)
        .map(|_| {
            let request_id = Uuid::new_v4().to_string();
            actions
                .iter()
                .map(|action| NewAuditEvent {
                    request_id: request_id.clone(),
                    ..event(action, subject)
                })
                .collect()
        })
        .collect();

    let appends = batches
        .iter()
        .enumerate()
        .map(|(index, batch)| stores[index % stores.len()].append_audit(batch));
    for result in futures::future::join_all(appends).await {
        assert!(
            result.is_ok(),
            "every concurrent append succeeds: {result:?}"
        );
    }

    let events = raw_documents(&first, "audit_events", doc! { "seq": 1 }).await;
    // The store writes Int64; nx-27017 returns small integers as Int32, which the store also
    // reads.
    let seqs: Vec<i64> = events
        .iter()
        .map(|document| match document.get("seq") {
            Some(Bson::Int64(seq)) => *seq,
            Some(Bson::Int32(seq)) => i64::from(*seq),
            other => panic!("the sequence number is an integer: {other:?}"),
        })
        .collect();
    let expected: Vec<i64> = (1..=36).collect();
    assert_eq!(
        seqs, expected,
        "sequence numbers have no gaps and no duplicates"
    );

    for batch in &batches {
        let request_id = batch[0].request_id.as_str();
        let stored: Vec<&str> = events
            .iter()
            .filter(|document| document.get_str("request_id") == Ok(request_id))
            .map(|document| document.get_str("action").expect("the action is a string"))
            .collect();
        assert_eq!(
            stored, actions,
            "a batch's events are numbered in the batch's order"
        );
    }

    let page = first
        .list_access_events(
            subject,
            PageRequest {
                page: 1,
                limit: 100,
            },
        )
        .await
        .expect("list access events");
    assert_eq!(page.total, 36, "every event is listed");
    let report = verify_chain(&first, |_| {})
        .await
        .expect("verify the chain");
    assert_eq!(
        report.first_break, None,
        "the writers linked every event onto the one before it"
    );
    assert_eq!(report.events, 36);

    first.close().await;
    second.close().await;
    third.close().await;
}

/// Hands `edit` the audit collection through a client that bypasses the store, as
/// someone with database access would.
async fn tamper_audit(store: &MongoStore, edit: impl AsyncFnOnce(Collection<Document>)) {
    let client = raw_client(&test_url().expect("a server is configured"))
        .await
        .expect("open a raw client");
    edit(
        client
            .database(store.database_name())
            .collection("audit_events"),
    )
    .await;
    client.shutdown().await;
}

async fn store_with_three_events(test: &str) -> Option<(TestDatabase, MongoStore)> {
    let (database, store) = open_for(test).await?;
    let subject = Uuid::now_v7();
    for action in ["auth.login", "profile.read", "auth.logout"] {
        store
            .append_audit(&[event(action, subject)])
            .await
            .expect("append an event");
    }
    let report = verify_chain(&store, |_| {})
        .await
        .expect("verify the chain");
    assert_eq!(report.first_break, None, "the untouched chain is intact");
    Some((database, store))
}

#[tokio::test]
async fn audit_chain_detects_edited_event() {
    let Some((_database, store)) =
        store_with_three_events("audit_chain_detects_edited_event").await
    else {
        return;
    };

    tamper_audit(&store, async |events| {
        events
            .update_one(
                doc! { "_id": 2_i64 },
                doc! { "$set": { "outcome": "denied" } },
            )
            .await
            .expect("edit an event");
    })
    .await;

    let report = verify_chain(&store, |_| {})
        .await
        .expect("verify the chain");
    let broken = report.first_break.expect("the edit is found");
    assert_eq!(broken.seq, 2, "the edited event is named");
    store.close().await;
}

#[tokio::test]
async fn audit_chain_detects_deleted_event() {
    let Some((_database, store)) =
        store_with_three_events("audit_chain_detects_deleted_event").await
    else {
        return;
    };

    tamper_audit(&store, async |events| {
        events
            .delete_one(doc! { "_id": 2_i64 })
            .await
            .expect("delete an event");
    })
    .await;

    let report = verify_chain(&store, |_| {})
        .await
        .expect("verify the chain");
    assert_eq!(report.first_break.expect("the gap is found").seq, 3);
    store.close().await;
}

#[tokio::test]
async fn duplicate_names() {
    let Some((_database, store)) = open_for("duplicate_names").await else {
        return;
    };
    let invite = Invite {
        code_hash: "sha256-duplicate".to_owned(),
        created_at: at("2026-12-03T10:00:00Z"),
        expires_at: at("2026-12-11T10:00:00Z"),
    };
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");
    let again = store.insert_invite(&invite).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate("invite"))),
        "a repeated invite is Duplicate(\"invite\"): {again:?}"
    );

    let session = Session {
        id: Uuid::now_v7(),
        user_id: Uuid::now_v7(),
        refresh_hash: "sha256-first".to_owned(),
        created_at: at("2026-12-04T10:00:00Z"),
        last_used_at: at("2026-12-04T10:00:00Z"),
        expires_at: at("2026-12-04T22:00:00Z"),
        revoked_at: None,
        browser: None,
    };
    store
        .insert_session(&session)
        .await
        .expect("insert a session");
    let same_hash = Session {
        id: Uuid::now_v7(),
        ..session.clone()
    };
    let result = store.insert_session(&same_hash).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate("refresh_hash"))),
        "a repeated refresh hash is Duplicate(\"refresh_hash\"): {result:?}"
    );
    let same_id = Session {
        refresh_hash: "sha256-second".to_owned(),
        ..session.clone()
    };
    let result = store.insert_session(&same_id).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate("id"))),
        "a repeated session id is Duplicate(\"id\"): {result:?}"
    );
    store.close().await;
}

#[tokio::test]
async fn closed_store_unavailable() {
    let Some((_database, store)) = open_for("closed_store_unavailable").await else {
        return;
    };
    store.close().await;
    let result = store.ping().await;
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "a closed store is unavailable: {result:?}"
    );
}

// -------------------------------------------------------------------------------------------------
// Outage and recovery, on a stand-in server this test starts and stops itself
// -------------------------------------------------------------------------------------------------

/// Returns the path of the nx-27017 server that `scripts/mongo-standin start` installs.
fn standin_server() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/mongo-standin/venv/bin/nx-27017")
}

/// Starts nx-27017 on `port` with its data in `data_dir`; the caller kills it.
fn start_standin(port: u16, data_dir: &std::path::Path) -> Child {
    Command::new(standin_server())
        .arg("--host")
        .arg("127.0.0.1")
        .arg("--port")
        .arg(port.to_string())
        .arg("--data-dir")
        .arg(data_dir.join("data"))
        .arg("--log-file")
        .arg(data_dir.join("server.log"))
        .arg("--pid-file")
        .arg(data_dir.join("server.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nx-27017")
}

fn stop_standin(mut server: Child) {
    server.kill().expect("stop nx-27017");
    server.wait().expect("wait for nx-27017 to exit");
}

/// Pings until the store responds or `limit` passes, and returns whether it responded.
async fn answers_within(store: &MongoStore, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if store.ping().await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// Stops the server under an open store and starts it again: calls fail quickly with
/// `Unavailable` while it is away and succeed again once it is back, on the same store.
#[tokio::test]
async fn outage_recovery() {
    if !on_standin() {
        notice!(
            "SKIPPED: MongoDB test outage_recovery: it stops and starts its own nx-27017 \
             server, so it runs only with {STANDIN_VARIABLE}=1"
        );
        return;
    }
    if !standin_server().is_file() {
        notice!(
            "SKIPPED: MongoDB test outage_recovery: {} is missing; run \
             scripts/mongo-standin start once",
            standin_server().display()
        );
        return;
    }
    let data_dir = tempfile::TempDir::new().expect("create a temporary folder");
    let port = closed_port();
    let url = format!("mongodb://127.0.0.1:{port}/recovery?directConnection=true");

    let server = start_standin(port, data_dir.path());
    let started = Instant::now();
    let store = loop {
        match MongoStore::connect(&url, None, keyring()).await {
            Ok(store) => break store,
            Err(error) if started.elapsed() < Duration::from_secs(30) => {
                eprintln!("waiting for nx-27017 to start: {error}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("nx-27017 did not start within 30 s: {error}"),
        }
    };

    stop_standin(server);
    for attempt in 1..=2 {
        let started = Instant::now();
        let result = store.ping().await;
        assert!(
            matches!(result, Err(StoreError::Unavailable(_))),
            "attempt {attempt}: a stopped server is Unavailable: {result:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "attempt {attempt}: the failure comes within the server selection timeout"
        );
    }

    let server = start_standin(port, data_dir.path());
    let recovered = answers_within(&store, Duration::from_secs(30)).await;
    stop_standin(server);
    assert!(
        recovered,
        "the same store answers again once the server is back"
    );
}

// -------------------------------------------------------------------------------------------------
// Encryption at rest
// -------------------------------------------------------------------------------------------------

const ALLERGY: &str = "Quillonex dust";
const MEDICATION: &str = "Zorbatrimex";
const PHONE: &str = "+1 555 013 7788";
const REASON: &str = "Vexillary knee swelling";
const GRANT_REASON: &str = "Unresponsive on arrival at triage";
const TOTP_SECRET: &str = "MZXW6YTBOI3DMNZQGEZTIMJYGM2DKNRX";

/// Returns an opener of the test's database for the conformance rotation cases.
fn opener(
    database: &TestDatabase,
) -> impl Fn(Keyring) -> std::pin::Pin<Box<dyn Future<Output = Arc<dyn Store>>>> {
    let url = database.url.clone();
    let name = database.name.clone();
    move |keyring| {
        let url = url.clone();
        let name = name.clone();
        Box::pin(async move {
            let store = MongoStore::connect(&url, Some(&name), keyring)
                .await
                .unwrap_or_else(|error| panic!("connect to {URL_VARIABLE}: {error}"));
            Arc::new(store) as Arc<dyn Store>
        })
    }
}

#[tokio::test]
async fn rotation_conformance() {
    let Some((database, store)) = open_for("rotation_conformance").await else {
        return;
    };
    store.close().await;
    portal_store_conformance::encryption_rotation(opener(&database)).await;
}

#[tokio::test]
async fn missing_key_conformance() {
    let Some((database, store)) = open_for("missing_key_conformance").await else {
        return;
    };
    store.close().await;
    portal_store_conformance::encryption_missing_key(opener(&database)).await;
}

/// The result of connecting, as a key-check conformance case's opener returns it.
type PendingOpen =
    std::pin::Pin<Box<dyn Future<Output = Result<Arc<dyn Store>, portal_core::StoreError>>>>;

/// Returns an opener of `database` that returns the result of connecting, for the key-check
/// conformance cases.
fn fallible_opener(database: &TestDatabase) -> impl Fn(Keyring) -> PendingOpen {
    let url = database.url.clone();
    let name = database.name.clone();
    move |keyring| {
        let url = url.clone();
        let name = name.clone();
        Box::pin(async move {
            MongoStore::connect(&url, Some(&name), keyring)
                .await
                .map(|store| Arc::new(store) as Arc<dyn Store>)
        })
    }
}

/// Returns a fresh database, opened once with the conformance keyring and closed, or `None`
/// when no MongoDB server is configured.
async fn fresh_database(test: &str) -> Option<TestDatabase> {
    let (database, store) = open_for(test).await?;
    store.close().await;
    Some(database)
}

#[tokio::test]
async fn key_check_same_key_reopens() {
    let Some(database) = fresh_database("key_check_same_key_reopens").await else {
        return;
    };
    portal_store_conformance::key_check_same_key_reopens(fallible_opener(&database)).await;
}

#[tokio::test]
async fn key_check_other_key_rejected() {
    let Some(database) = fresh_database("key_check_other_key_rejected").await else {
        return;
    };
    portal_store_conformance::key_check_other_key_rejected(fallible_opener(&database)).await;
}

#[tokio::test]
async fn key_check_new_key_id_added() {
    let Some(database) = fresh_database("key_check_new_key_id_added").await else {
        return;
    };
    portal_store_conformance::key_check_new_key_id_added(fallible_opener(&database)).await;
}

/// Writes a provider, a patient with seeded health details, an appointment and an emergency
/// grant with its reason; returns the patient id.
async fn seed_health_data(store: &MongoStore) -> Uuid {
    let created_at = at("2026-12-04T10:00:00Z");
    let account = |role: Role, last_name: &str| {
        let id = Uuid::now_v7();
        UserRecord {
            id,
            email: format!("{}@example.test", id.simple()),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            first_name: "Ada".to_owned(),
            last_name: last_name.to_owned(),
            created_at,
            updated_at: created_at,
        }
    };
    let invite = Invite {
        code_hash: format!("sha256-{}", Uuid::new_v4().simple()),
        created_at,
        expires_at: created_at + chrono::Duration::days(1),
    };
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");
    let provider = NewProvider {
        user: account(Role::Provider, "Reyes"),
        details: ProviderDetails {
            npi: "1234567893".to_owned(),
            specialty: "Family medicine".to_owned(),
        },
    };
    store
        .insert_provider(&provider, &invite.code_hash, created_at)
        .await
        .expect("insert the provider");
    let patient = NewPatient {
        user: account(Role::Patient, "Wolstenholme"),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        consent: Consent {
            policy_version: "2026-12-01".to_owned(),
            accepted_at: created_at,
        },
        health: HealthDetails {
            phone: Some(PHONE.to_owned()),
            allergies: vec![Allergy {
                substance: ALLERGY.to_owned(),
                reaction: "hives".to_owned(),
                severity: Severity::Severe,
            }],
            medications: vec![Medication {
                name: MEDICATION.to_owned(),
                dose: "10 mg".to_owned(),
                frequency: "daily".to_owned(),
            }],
            ..HealthDetails::default()
        },
    };
    store
        .insert_patient(
            &patient,
            &portal_store_conformance::registration_event(&patient),
        )
        .await
        .expect("insert the patient");
    store
        .set_pending_totp(patient.user.id, TOTP_SECRET, created_at)
        .await
        .expect("store a TOTP secret");
    store
        .insert_appointment(&NewAppointment {
            id: Uuid::now_v7(),
            patient_id: patient.user.id,
            provider_id: provider.user.id,
            preferred_start: at("2026-12-10T09:00:00Z"),
            visit_type: VisitType::InPerson,
            reason: REASON.to_owned(),
            status: AppointmentStatus::Requested,
            created_at,
        })
        .await
        .expect("insert the appointment");
    let mut grant = event(EMERGENCY_GRANT, patient.user.id);
    grant.actor_id = Some(provider.user.id);
    grant.actor_role = Some(Role::Provider);
    grant.detail = Some(GRANT_REASON.to_owned());
    store
        .append_audit(&[grant])
        .await
        .expect("append the grant");
    patient.user.id
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Returns every document of the collections that hold health data, as BSON bytes.
async fn raw_bytes(store: &MongoStore) -> Vec<u8> {
    let mut bytes = Vec::new();
    for collection in ["users", "appointments", "audit_events", "mfa"] {
        for document in raw_documents(store, collection, doc! { "_id": 1 }).await {
            bytes.extend(mongodb::bson::to_vec(&document).expect("encode a document"));
        }
    }
    bytes
}

/// Returns the bytes of every file under the stand-in's data folder.
fn standin_data_bytes() -> Vec<u8> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/mongo-standin/data");
    let mut bytes = Vec::new();
    let mut pending = vec![folder];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(contents) = std::fs::read(&path) {
                bytes.extend(contents);
            }
        }
    }
    bytes
}

#[tokio::test]
async fn raw_documents_have_no_health_values() {
    let Some((_database, store)) = open_for("raw_documents_have_no_health_values").await else {
        return;
    };
    let patient_id = seed_health_data(&store).await;
    // Other tests write the same values in plain text on purpose, so the stand-in's files are
    // searched for values only this test writes.
    let marker = Uuid::new_v4().simple().to_string();
    let unique_allergy = format!("{ALLERGY} {marker}");
    let unique_phone = format!("+1 555 {}", &marker[..8]);
    let mut changes = portal_core::model::ProfileChanges {
        first_name: "Ada".to_owned(),
        last_name: "Wolstenholme".to_owned(),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        health: HealthDetails::default(),
    };
    changes.health.phone = Some(unique_phone.clone());
    changes.health.allergies = vec![Allergy {
        substance: unique_allergy.clone(),
        reaction: String::new(),
        severity: Severity::Mild,
    }];
    store
        .update_profile(patient_id, &changes, at("2026-12-04T12:00:00Z"))
        .await
        .expect("edit the profile")
        .expect("the profile exists");
    let profile = store
        .find_profile(patient_id)
        .await
        .expect("read the profile")
        .expect("the profile exists");
    assert_eq!(
        profile.phone.as_deref(),
        Some(unique_phone.as_str()),
        "the store decrypts"
    );

    let bytes = raw_bytes(&store).await;
    for value in [
        &unique_allergy,
        &unique_phone,
        REASON,
        GRANT_REASON,
        TOTP_SECRET,
        "1980-05-17",
    ] {
        assert!(!contains(&bytes, value), "{value:?} is in a raw document");
    }
    assert!(
        contains(&bytes, "Wolstenholme"),
        "names stay in the clear for search"
    );

    // The stand-in keeps its data in SQLite files on this machine, which can be searched too.
    if on_standin() {
        let files = standin_data_bytes();
        assert!(
            contains(&files, "Wolstenholme"),
            "the stand-in's data folder holds the documents"
        );
        for value in [&unique_allergy, &unique_phone] {
            assert!(
                !contains(&files, value),
                "{value:?} is in the stand-in's files"
            );
        }
    }
    store.close().await;
}

#[tokio::test]
async fn legacy_plain_text_read_and_rotated() {
    let Some((database, store)) = open_for("legacy_plain_text_read_and_rotated").await else {
        return;
    };
    let patient_id = seed_health_data(&store).await;
    // Documents from before encryption have plain values and no key id. The stand-in does
    // not apply `$unset` to a nested field, so whole documents are replaced.
    let client = raw_client(&database.url).await.expect("open a raw client");
    let raw = client.database(&database.name);
    let users = raw.collection::<Document>("users");
    let filter = doc! { "_id": patient_id.to_string() };
    let mut account = users
        .find_one(filter.clone())
        .await
        .expect("read the patient document")
        .expect("the patient document exists");
    let patient = account
        .get_document_mut("patient")
        .expect("the account embeds the patient");
    patient.remove("key_id");
    patient.insert("date_of_birth", "1980-05-17");
    patient.insert("sex_at_birth", "female");
    patient.insert("phone", PHONE);
    patient.insert(
        "allergies",
        vec![doc! { "substance": ALLERGY, "reaction": "", "severity": "mild" }],
    );
    patient.insert("medications", Vec::<Document>::new());
    patient.insert("conditions", Vec::<Document>::new());
    users
        .replace_one(filter, account)
        .await
        .expect("write the plain-text patient");
    let appointments = raw.collection::<Document>("appointments");
    let mut appointment = appointments
        .find_one(doc! {})
        .await
        .expect("read the appointment")
        .expect("the appointment exists");
    appointment.remove("key_id");
    appointment.insert("reason", REASON);
    let appointment_filter = doc! { "_id": appointment.get("_id").cloned() };
    appointments
        .replace_one(appointment_filter, appointment)
        .await
        .expect("write the plain-text appointment");

    let profile = store
        .find_profile(patient_id)
        .await
        .expect("read a plain-text profile")
        .expect("the profile exists");
    assert_eq!(profile.phone.as_deref(), Some(PHONE));
    assert_eq!(profile.allergies[0].substance, ALLERGY);
    assert_eq!(
        store
            .count_by_key(SealedRecordKind::Patient)
            .await
            .expect("count patients per key"),
        [KeyUsage {
            key_id: None,
            records: 1
        }]
    );

    let patients = store
        .reencrypt_batch(SealedRecordKind::Patient, 10)
        .await
        .expect("encrypt the patient");
    assert_eq!(patients, 1);
    let appointments = store
        .reencrypt_batch(SealedRecordKind::Appointment, 10)
        .await
        .expect("encrypt the appointment");
    assert_eq!(appointments, 1);
    let again = store
        .reencrypt_batch(SealedRecordKind::Patient, 10)
        .await
        .expect("re-encrypt again");
    assert_eq!(again, 0, "nothing is left to encrypt");
    let rotated = store
        .find_profile(patient_id)
        .await
        .expect("read the encrypted profile")
        .expect("the profile exists");
    assert_eq!(rotated, profile, "encrypting keeps the values");

    let bytes = raw_bytes(&store).await;
    for value in [ALLERGY, PHONE, REASON, "1980-05-17"] {
        assert!(
            !contains(&bytes, value),
            "{value:?} is left in a raw document"
        );
    }
    client.shutdown().await;
    store.close().await;
}
