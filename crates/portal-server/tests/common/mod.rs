//! Test harness: a real portal on 127.0.0.1 port 0 over a fresh database, and HTTP clients
//! that sign in through the API.
//!
//! The database is a fresh SQLite file by default. With `PORTAL_TEST_STORE=mongodb` it is a
//! fresh database named `portal_test_<uuid>` on the MongoDB server at
//! `PORTAL_TEST_MONGODB_URL`, so every HTTP test runs unchanged on either store.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod binary;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Months, NaiveDate, SecondsFormat, Utc};
use portal_core::audit::AuditWriter;
use portal_core::model::{
    AccessEvent, AppointmentStatus, NewAppointment, NewAuditEvent, Outcome, PageRequest, VisitType,
};
use portal_core::password::HashParams;
use portal_core::services::{Clock, PRIVACY_POLICY_VERSION};
use portal_core::store::{RecordKind, Store, StoredAuditEvent, TransferRecord};
use portal_core::throttle::LoginThrottleSettings;
use portal_core::{Portal, PortalSettings};
use portal_server::client_addr::TrustedProxies;
use portal_server::database;
use portal_server::secret::Secret;
use portal_server::server::build_portal;
use portal_server::state::AppState;
use portal_server::tokens::TokenKeys;
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

/// Token-signing secret of every test portal.
pub const TEST_SECRET: &str = "integration-test-secret-of-at-least-32-bytes";
/// Data key of every test store, in the form of `PORTAL_DATA_KEY`.
pub const TEST_DATA_KEY: &str = "test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Parses [`TEST_DATA_KEY`] into a keyring.
pub fn test_keyring() -> portal_core::keyring::Keyring {
    portal_core::keyring::Keyring::parse(TEST_DATA_KEY).expect("the test data key is valid")
}
/// Password of every account the helpers register.
pub const PASSWORD: &str = "correct horse battery staple";
/// An NPI with a valid check digit (the CMS documentation example).
pub const NPI: &str = "1234567893";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Status, headers and body of a response. The body is `Null` when empty, and a JSON string
/// when it is not JSON.
pub type Reply = (StatusCode, HeaderMap, Value);

/// One audit event as stored, with ids, role and outcome as their text encodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub subject_id: Option<String>,
    pub outcome: String,
    pub request_id: String,
    pub client_addr: String,
}

/// Selects the store of every test portal: `sqlite` (the default) or `mongodb`.
pub const STORE_VARIABLE: &str = "PORTAL_TEST_STORE";
/// URL of the MongoDB server that `PORTAL_TEST_STORE=mongodb` runs the tests on.
pub const MONGODB_URL_VARIABLE: &str = "PORTAL_TEST_MONGODB_URL";
/// A fresh MongoDB database named `portal_test_<uuid>`, dropped when this value is dropped,
/// even after a panic.
pub struct MongoTestDatabase {
    url: String,
    pub name: String,
}

impl MongoTestDatabase {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            name: format!("portal_test_{}", Uuid::new_v4().simple()),
        }
    }

    /// Opens the store on this database through the server's store selection.
    pub async fn open(&self) -> Arc<dyn Store> {
        database::open(
            &self.url,
            Some(&self.name),
            MONGODB_URL_VARIABLE,
            test_keyring(),
        )
        .await
        .unwrap_or_else(|error| panic!("opening the MongoDB store failed: {error:#}"))
    }
}

impl Drop for MongoTestDatabase {
    /// Drops the database on a separate thread with its own runtime, because `Drop` cannot
    /// await and the test's runtime may already be shutting down.
    fn drop(&mut self) {
        let url = self.url.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let mut options = mongodb::options::ClientOptions::parse(&url)
                    .await
                    .map_err(|error| error.to_string())?;
                options.server_selection_timeout = Some(std::time::Duration::from_secs(5));
                let client =
                    mongodb::Client::with_options(options).map_err(|error| error.to_string())?;
                let result = client.database(&name).drop().await;
                client.shutdown().await;
                result.map_err(|error| error.to_string())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("dropping test database {} failed: {error}", self.name),
            Err(_) => eprintln!(
                "dropping test database {} failed: the thread panicked",
                self.name
            ),
        }
    }
}

/// Opens a fresh, empty store of the kind `PORTAL_TEST_STORE` selects. An SQLite file is
/// created in `dir`. A MongoDB database comes with the guard that drops it.
///
/// Panics when `PORTAL_TEST_STORE` names an unknown store, or is `mongodb` without
/// `PORTAL_TEST_MONGODB_URL`, so a misconfigured run fails instead of silently testing SQLite.
pub async fn open_test_store(dir: &Path) -> (Arc<dyn Store>, Option<MongoTestDatabase>) {
    let store = std::env::var(STORE_VARIABLE).unwrap_or_default();
    match store.as_str() {
        "" | "sqlite" => {
            let url = format!("sqlite://{}/portal.db", dir.display());
            let store = database::open(&url, None, "the test database URL", test_keyring())
                .await
                .expect("opening the SQLite store failed");
            (store, None)
        }
        "mongodb" => {
            let url = std::env::var(MONGODB_URL_VARIABLE).unwrap_or_else(|_| {
                panic!(
                    "{STORE_VARIABLE}=mongodb needs {MONGODB_URL_VARIABLE}, the URL of a \
                     MongoDB server for tests (scripts/mongo-standin start prints one)"
                )
            });
            let database = MongoTestDatabase::new(&url);
            (database.open().await, Some(database))
        }
        other => panic!("{STORE_VARIABLE}={other} is not a store; use sqlite or mongodb"),
    }
}

/// Settings that [`TestApp::spawn_with_options`] changes from those of [`TestApp::spawn`].
#[derive(Debug, Clone, Default)]
pub struct TestOptions {
    pub login_throttle: LoginThrottleSettings,
    /// Addresses and ranges whose forwarding headers are believed; none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// A running portal with its own fresh database.
pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub portal: Portal,
    /// Folder of the SQLite database file, also served as the (empty) web app folder.
    pub dir: TempDir,
    http: reqwest::Client,
    /// The MongoDB database of the test, dropped with the app.
    mongodb: Option<MongoTestDatabase>,
}

impl TestApp {
    /// Starts a portal with cheap password hashing. It stops when the test's runtime ends.
    pub async fn spawn() -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary folder failed");
        let (store, mongodb) = open_test_store(dir.path()).await;
        Self::spawn_with(store, mongodb, dir).await
    }

    /// Starts a portal over a store the test opened itself.
    pub async fn spawn_on(store: Arc<dyn Store>) -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary folder failed");
        Self::spawn_with(store, None, dir).await
    }

    /// Starts a portal whose clock is `clock`, so a test can let time pass.
    pub async fn spawn_with_clock(clock: &TestClock) -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary folder failed");
        let (store, mongodb) = open_test_store(dir.path()).await;
        let (audit, _audit_task) = AuditWriter::spawn(store.clone());
        let portal = Portal::new(store.clone(), audit, test_settings(), clock.as_clock())
            .expect("building the portal failed");
        Self::serve(portal, store, mongodb, dir).await
    }

    async fn spawn_with(
        store: Arc<dyn Store>,
        mongodb: Option<MongoTestDatabase>,
        dir: TempDir,
    ) -> Self {
        let (portal, _audit_task) =
            build_portal(store.clone(), test_settings()).expect("building the portal failed");
        Self::serve(portal, store, mongodb, dir).await
    }

    /// Starts a portal with the sign-in throttle limits and trusted proxies of `options`.
    pub async fn spawn_with_options(options: TestOptions) -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary folder failed");
        let (store, mongodb) = open_test_store(dir.path()).await;
        let settings = PortalSettings {
            login_throttle: options.login_throttle,
            ..test_settings()
        };
        let (portal, _audit_task) =
            build_portal(store.clone(), settings).expect("building the portal failed");
        let trusted_proxies = TrustedProxies::new(&options.trusted_proxies);
        Self::serve_with_proxies(portal, store, mongodb, dir, trusted_proxies).await
    }

    /// Starts a portal whose users of `roles` must set up two-step sign-in.
    pub async fn spawn_with_mfa_required(roles: Vec<portal_core::model::Role>) -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary folder failed");
        let (store, mongodb) = open_test_store(dir.path()).await;
        let settings = PortalSettings {
            mfa_required_roles: roles,
            ..test_settings()
        };
        let (portal, _audit_task) =
            build_portal(store.clone(), settings).expect("building the portal failed");
        Self::serve(portal, store, mongodb, dir).await
    }

    /// Serves `portal` on 127.0.0.1 port 0 until the test's runtime ends.
    async fn serve(
        portal: Portal,
        store: Arc<dyn Store>,
        mongodb: Option<MongoTestDatabase>,
        dir: TempDir,
    ) -> Self {
        Self::serve_with_proxies(portal, store, mongodb, dir, TrustedProxies::default()).await
    }

    async fn serve_with_proxies(
        portal: Portal,
        store: Arc<dyn Store>,
        mongodb: Option<MongoTestDatabase>,
        dir: TempDir,
        trusted_proxies: TrustedProxies,
    ) -> Self {
        let state = AppState {
            portal: portal.clone(),
            tokens: test_keys(),
            secure_cookies: false,
            trusted_proxies,
        };
        let web = portal_server::web::WebApp::Folder(dir.path().to_owned());
        let router = portal_server::routes::app(state, &web);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a local port failed");
        let address = listener
            .local_addr()
            .expect("reading the local address failed");
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("the test server failed");
        });
        Self {
            base: format!("http://{address}"),
            store,
            portal,
            dir,
            http: http_client(false),
            mongodb,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Starts a request from a client without cookies or a token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::PUT, path, token, Some(body)).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.request(method, path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = json!({"email": email, "password": password});
        self.post("/api/v1/auth/login", None, body).await
    }

    /// Signs in through the API and returns a client holding the new session.
    pub async fn sign_in(&self, email: &str, password: &str) -> Client {
        let http = http_client(true);
        let body = json!({"email": email, "password": password});
        let session = reply(http.post(self.url("/api/v1/auth/login")).json(&body)).await;
        assert_eq!(session.0, StatusCode::OK, "sign-in failed: {}", session.2);
        Client::from_session(&self.base, http, &session, password)
    }

    /// Registers a patient with a unique email, born 1990-05-01.
    pub async fn register_patient(&self) -> Client {
        self.register_patient_with(patient_body()).await
    }

    /// Registers a patient with the given names and the other fields of [`patient_body`].
    pub async fn register_patient_named(&self, first_name: &str, last_name: &str) -> Client {
        let mut body = patient_body();
        body["firstName"] = json!(first_name);
        body["lastName"] = json!(last_name);
        self.register_patient_with(body).await
    }

    /// Registers a patient born on `date_of_birth`.
    pub async fn register_patient_born(&self, date_of_birth: NaiveDate) -> Client {
        let mut body = patient_body();
        body["dateOfBirth"] = json!(date_of_birth.to_string());
        self.register_patient_with(body).await
    }

    /// Registers a patient from a full request body and asserts 201.
    pub async fn register_patient_with(&self, body: Value) -> Client {
        let http = http_client(true);
        let session = reply(
            http.post(self.url("/api/v1/auth/register/patient"))
                .json(&body),
        )
        .await;
        assert_eq!(
            session.0,
            StatusCode::CREATED,
            "patient registration failed: {}",
            session.2
        );
        let password = body["password"].as_str().unwrap_or(PASSWORD).to_owned();
        Client::from_session(&self.base, http, &session, &password)
    }

    /// Creates a provider invite code valid for an hour.
    pub async fn invite(&self) -> String {
        self.portal
            .create_invite(Duration::hours(1))
            .await
            .expect("creating an invite failed")
    }

    /// Registers a provider named Dana Reyes with a fresh invite.
    pub async fn provider(&self) -> Client {
        self.provider_named("Dana", "Reyes").await
    }

    pub async fn provider_named(&self, first_name: &str, last_name: &str) -> Client {
        let mut body = provider_body(&self.invite().await);
        body["firstName"] = json!(first_name);
        body["lastName"] = json!(last_name);
        let http = http_client(true);
        let session = reply(
            http.post(self.url("/api/v1/auth/register/provider"))
                .json(&body),
        )
        .await;
        assert_eq!(
            session.0,
            StatusCode::CREATED,
            "provider registration failed: {}",
            session.2
        );
        Client::from_session(&self.base, http, &session, PASSWORD)
    }

    /// Stores an appointment that started `days_ago` days ago. The API accepts only future
    /// starts, so past visits are set up through the store.
    pub async fn insert_past_appointment(
        &self,
        patient: &Client,
        provider: &Client,
        days_ago: i64,
        status: AppointmentStatus,
    ) -> Uuid {
        let start = Utc::now() - Duration::days(days_ago);
        let appointment = NewAppointment {
            id: Uuid::now_v7(),
            patient_id: patient.id,
            provider_id: provider.id,
            preferred_start: start,
            visit_type: VisitType::InPerson,
            reason: "Past visit".into(),
            status,
            created_at: start - Duration::days(7),
        };
        self.store
            .insert_appointment(&appointment)
            .await
            .expect("storing a past appointment failed")
            .id
    }

    /// Lists the audit events whose subject is the patient, newest first.
    pub async fn access_events(&self, patient_id: Uuid) -> Vec<AccessEvent> {
        let page = PageRequest {
            page: 1,
            limit: PageRequest::MAX_LIMIT,
        };
        self.store
            .list_access_events(patient_id, page)
            .await
            .expect("listing access events failed")
            .items
    }

    /// Counts the patient's access events with this action and outcome.
    pub async fn count_access_events(
        &self,
        patient_id: Uuid,
        action: &str,
        outcome: Outcome,
    ) -> usize {
        self.access_events(patient_id)
            .await
            .iter()
            .filter(|event| event.action == action && event.outcome == outcome)
            .count()
    }

    /// Lists every audit event the user performed, oldest first. The storage traits list
    /// events only by subject, so this reads the whole log through the transfer export, which
    /// works the same on every store.
    pub async fn events_by_actor(&self, actor_id: Uuid) -> Vec<StoredEvent> {
        let mut events = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (records, next) = self
                .store
                .export_records(RecordKind::AuditEvent, cursor.as_deref(), 500)
                .await
                .expect("reading audit events failed");
            if records.is_empty() {
                return events;
            }
            for record in records {
                let TransferRecord::AuditEvent(StoredAuditEvent { event, .. }) = record else {
                    panic!("the audit export returned another kind of record: {record:?}");
                };
                if event.actor_id == Some(actor_id) {
                    events.push(StoredEvent::from(event));
                }
            }
            cursor = Some(next.expect("a non-empty page of audit events has a cursor"));
        }
    }

    /// Lists every audit event, oldest first, read through the transfer export like
    /// [`TestApp::events_by_actor`].
    pub async fn audit_events(&self) -> Vec<StoredEvent> {
        let mut events = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (records, next) = self
                .store
                .export_records(RecordKind::AuditEvent, cursor.as_deref(), 500)
                .await
                .expect("reading audit events failed");
            if records.is_empty() {
                return events;
            }
            for record in records {
                let TransferRecord::AuditEvent(StoredAuditEvent { event, .. }) = record else {
                    panic!("the audit export returned another kind of record: {record:?}");
                };
                events.push(StoredEvent::from(event));
            }
            cursor = Some(next.expect("a non-empty page of audit events has a cursor"));
        }
    }
}

impl From<NewAuditEvent> for StoredEvent {
    fn from(event: NewAuditEvent) -> Self {
        Self {
            actor_id: event.actor_id.map(|id| id.hyphenated().to_string()),
            actor_role: event.actor_role.map(|role| role.as_str().to_owned()),
            action: event.action.into_owned(),
            subject_id: event.subject_id.map(|id| id.hyphenated().to_string()),
            outcome: event.outcome.as_str().to_owned(),
            request_id: event.request_id,
            client_addr: event.client_addr,
        }
    }
}

/// A signed-in user: the access token, the refresh token, and an HTTP client whose cookie store
/// contains the refresh cookie.
pub struct Client {
    base: String,
    http: reqwest::Client,
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub token: String,
    pub refresh_token: String,
    pub session: Value,
}

impl Client {
    fn from_session(base: &str, http: reqwest::Client, session: &Reply, password: &str) -> Self {
        let (_, headers, body) = session;
        let id = body["user"]["id"]
            .as_str()
            .and_then(|id| Uuid::try_parse(id).ok())
            .expect("a session should name its user id");
        Self {
            base: base.to_owned(),
            http,
            id,
            email: body["user"]["email"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            password: password.to_owned(),
            token: body["accessToken"].as_str().unwrap_or_default().to_owned(),
            refresh_token: refresh_cookie_value(headers)
                .expect("a session response should set a refresh cookie"),
            session: body.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Sends a POST without a body, as the action routes (cancel, confirm, ...) expect.
    pub async fn post_empty(&self, path: &str) -> Reply {
        self.send(Method::POST, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(body)).await
    }

    /// Sends a request with the bearer token, and a JSON body when one is given.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request).await
    }

    /// Renews the session with the refresh cookie from the cookie store and the CSRF header.
    pub async fn refresh(&self) -> Reply {
        let request = self
            .http
            .post(format!("{}/api/v1/auth/refresh", self.base))
            .header("X-Requested-With", "portal");
        reply(request).await
    }

    /// Requests an appointment with the provider starting `hours` from now, and asserts 201.
    pub async fn request_appointment(&self, provider: &Client, hours: i64) -> Value {
        let body = appointment_body(provider.id, &in_hours(hours));
        let (status, _, appointment) = self.post("/api/v1/patient/appointments", body).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "appointment request failed: {appointment}"
        );
        appointment
    }

    pub async fn profile(&self) -> Value {
        let (status, _, profile) = self.get("/api/v1/patient/profile").await;
        assert_eq!(status, StatusCode::OK, "reading the profile failed");
        profile
    }
}

/// Sends a request and reads the whole response.
pub async fn reply(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("the HTTP request failed");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("reading the body failed");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, headers, body)
}

/// Builds a client that talks to the test server directly, never through a proxy.
fn http_client(cookies: bool) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .cookie_store(cookies)
        .build()
        .expect("building the HTTP client failed")
}

/// Settings of every test portal: the defaults with cheap password hashing.
fn test_settings() -> PortalSettings {
    PortalSettings {
        password_hashing: HashParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        },
        ..Default::default()
    }
}

/// A portal clock that runs with the real one plus an offset that tests move forward. Access
/// tokens are checked against the real time, so moving this clock forward ages the portal's
/// sessions but keeps their access tokens valid.
#[derive(Clone, Default)]
pub struct TestClock {
    offset_ms: Arc<AtomicI64>,
}

impl TestClock {
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }

    fn as_clock(&self) -> Clock {
        let clock = self.clone();
        Arc::new(move || clock.now())
    }
}

pub fn test_keys() -> TokenKeys {
    TokenKeys::new(&Secret::new(TEST_SECRET.into()), Duration::minutes(15))
}

/// Returns a unique email address.
pub fn unique_email(kind: &str) -> String {
    format!("{kind}-{}@example.com", Uuid::new_v4().simple())
}

/// Returns a valid NPI, different on every call with near certainty.
pub fn unique_npi() -> String {
    let first_nine = u32::try_from(Uuid::new_v4().as_u128() % 1_000_000_000).unwrap_or(0);
    portal_core::domain::Npi::from_first_nine(first_nine)
        .as_str()
        .to_owned()
}

/// Returns a valid patient registration with a unique email.
pub fn patient_body() -> Value {
    json!({
        "email": unique_email("patient"),
        "password": PASSWORD,
        "firstName": "Ana",
        "lastName": "Lopez",
        "dateOfBirth": "1990-05-01",
        "consent": true,
        "consentVersion": PRIVACY_POLICY_VERSION,
    })
}

/// Returns a valid provider registration with a unique email.
pub fn provider_body(invite_code: &str) -> Value {
    json!({
        "email": unique_email("provider"),
        "password": PASSWORD,
        "firstName": "Dana",
        "lastName": "Reyes",
        "npi": unique_npi(),
        "specialty": "Family medicine",
        "inviteCode": invite_code,
    })
}

pub fn appointment_body(provider_id: Uuid, preferred_start: &str) -> Value {
    json!({
        "providerId": provider_id,
        "preferredStart": preferred_start,
        "visitType": "in_person",
        "reason": "Annual check-up",
    })
}

/// Returns the instant `hours` from now in RFC 3339 with `Z`.
pub fn in_hours(hours: i64) -> String {
    (Utc::now() + Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Returns the clinic's date today (the test portals use UTC).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Returns the date of birth of someone who turned `years` old `days_ago` days ago.
pub fn born_years_ago(years: u32, days_ago: i64) -> NaiveDate {
    today()
        .checked_sub_months(Months::new(12 * years))
        .expect("the date should be in range")
        - Duration::days(days_ago)
}

pub fn parse_instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("the instant should be a string"))
        .expect("the instant should be RFC 3339")
        .with_timezone(&Utc)
}

/// Returns the value of the `portal_refresh` cookie set by a response, if any.
pub fn refresh_cookie_value(headers: &HeaderMap) -> Option<String> {
    refresh_set_cookie(headers).and_then(|cookie| {
        let pair = cookie.split(';').next()?;
        pair.strip_prefix("portal_refresh=").map(str::to_owned)
    })
}

/// Returns the whole `Set-Cookie` header of the refresh cookie, if any.
pub fn refresh_set_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("portal_refresh="))
        .map(str::to_owned)
}

/// Decodes the claims of a JWT without checking it.
pub fn token_claims(token: &str) -> Value {
    let payload = token
        .split('.')
        .nth(1)
        .expect("a JWT should have a payload");
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .expect("the payload should be base64url");
    serde_json::from_slice(&bytes).expect("the payload should be JSON")
}

/// Returns the `field` names of a problem document's `errors`.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| error["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts that a reply is a problem document with the given status.
#[track_caller]
pub fn assert_problem(reply: &Reply, expected: StatusCode) {
    let (status, headers, body) = reply;
    assert_eq!(*status, expected, "unexpected status; body: {body}");
    let content_type = headers
        .get("content-type")
        .and_then(|value| value.to_str().ok());
    assert_eq!(
        content_type,
        Some(PROBLEM_JSON),
        "a {expected} problem must be application/problem+json"
    );
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(expected.as_u16())),
        "the problem's status member must match the HTTP status"
    );
    assert!(body["title"].is_string(), "a problem has a title: {body}");
    assert!(body["detail"].is_string(), "a problem has a detail: {body}");
}

/// Asserts a 422 problem naming `field` among its errors.
#[track_caller]
pub fn assert_invalid_field(reply: &Reply, field: &str) {
    assert_problem(reply, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&reply.2);
    assert!(
        fields.iter().any(|name| name == field),
        "expected an error on {field}, got {fields:?}"
    );
}
