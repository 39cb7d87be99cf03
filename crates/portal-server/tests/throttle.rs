//! Sign-in throttling over HTTP: per account, per client address, forwarding headers from
//! trusted and untrusted peers, the audit trail, and unknown accounts.

mod common;

use chrono::Duration;
use common::{
    PASSWORD, Reply, StoredEvent, TestApp, TestOptions, assert_problem, reply, unique_email,
};
use portal_core::throttle::{LoginThrottleSettings, ThrottleLimit};
use reqwest::StatusCode;
use serde_json::json;

const WRONG_PASSWORD: &str = "not the right password";

/// Defaults of `PORTAL_LOGIN_ATTEMPTS_PER_ACCOUNT` and `PORTAL_LOGIN_ATTEMPTS_PER_ADDRESS`.
const DEFAULT_PER_ACCOUNT: usize = 5;
const DEFAULT_PER_ADDRESS: usize = 20;

fn limits(per_account: u32, per_address: u32) -> LoginThrottleSettings {
    let window = Duration::minutes(15);
    LoginThrottleSettings {
        per_account: ThrottleLimit {
            max_failures: per_account,
            window,
        },
        per_address: ThrottleLimit {
            max_failures: per_address,
            window,
        },
    }
}

/// Signs in with extra request headers, such as forwarding headers.
async fn login_with_headers(
    app: &TestApp,
    email: &str,
    password: &str,
    headers: &[(&'static str, String)],
) -> Reply {
    let mut request = app
        .request(reqwest::Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}));
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    reply(request).await
}

fn retry_after(reply: &Reply) -> u64 {
    reply
        .1
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("a 429 must carry Retry-After in seconds: {:?}", reply.1))
}

#[track_caller]
fn assert_throttled(reply: &Reply) {
    assert_problem(reply, StatusCode::TOO_MANY_REQUESTS);
    let seconds = retry_after(reply);
    assert!(
        (1..=15 * 60).contains(&seconds),
        "Retry-After is within the window: {seconds}"
    );
    let detail = reply.2["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&seconds.to_string()),
        "the detail names the wait: {detail}"
    );
}

fn throttled_events(events: &[StoredEvent]) -> Vec<&StoredEvent> {
    events
        .iter()
        .filter(|event| event.action == "auth.login.throttled")
        .collect()
}

#[tokio::test]
async fn account_throttled_with_default_limits() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for attempt in 1..=DEFAULT_PER_ACCOUNT {
        let (status, _, body) = app.login(&patient.email, WRONG_PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {body}"
        );
    }
    let throttled = app.login(&patient.email, PASSWORD).await;

    assert_throttled(&throttled);
    let seconds = retry_after(&throttled);
    assert!(
        (170..=180).contains(&seconds),
        "one failure of 5 leaks away every 3 minutes: {seconds}"
    );
    let other = app.register_patient().await;
    let (status, _, body) = app.login(&other.email, PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "other accounts still sign in: {body}"
    );
}

#[tokio::test]
async fn throttled_attempt_is_audited() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let unknown = unique_email("nobody");

    for _ in 0..DEFAULT_PER_ACCOUNT {
        app.login(&patient.email, WRONG_PASSWORD).await;
        app.login(&unknown, WRONG_PASSWORD).await;
    }
    assert_throttled(&app.login(&patient.email, PASSWORD).await);
    assert_throttled(&app.login(&unknown, PASSWORD).await);

    let events = app.audit_events().await;
    let throttled = throttled_events(&events);
    assert_eq!(throttled.len(), 2, "one event per throttled attempt");
    let known = throttled[0];
    assert_eq!(known.outcome, "denied", "outcome");
    assert_eq!(known.actor_id, None, "nobody is signed in");
    assert_eq!(
        known.subject_id,
        Some(patient.id.hyphenated().to_string()),
        "the account is the subject"
    );
    assert_eq!(known.client_addr, "127.0.0.1", "client address");
    assert!(!known.request_id.is_empty(), "request id");
    assert_eq!(throttled[1].outcome, "denied", "unknown email outcome");
    assert_eq!(throttled[1].subject_id, None, "no account, no subject");
}

#[tokio::test]
async fn unknown_and_known_accounts_match() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let unknown = unique_email("nobody");

    for attempt in 1..=DEFAULT_PER_ACCOUNT + 2 {
        let known = app.login(&patient.email, WRONG_PASSWORD).await;
        let missing = app.login(&unknown, WRONG_PASSWORD).await;
        assert_eq!(known.0, missing.0, "attempt {attempt}: same status");
        assert_eq!(
            known.1.get("content-type"),
            missing.1.get("content-type"),
            "attempt {attempt}: same content type"
        );
        assert_eq!(known.2["title"], missing.2["title"], "attempt {attempt}");
        if known.0 == StatusCode::TOO_MANY_REQUESTS {
            let (known_wait, missing_wait) = (retry_after(&known), retry_after(&missing));
            assert!(
                known_wait.abs_diff(missing_wait) <= 1,
                "attempt {attempt}: same wait, {known_wait} and {missing_wait}"
            );
        } else {
            assert_eq!(known.2, missing.2, "attempt {attempt}: same body");
        }
        let expected = if attempt <= DEFAULT_PER_ACCOUNT {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(known.0, expected, "attempt {attempt}");
    }
}

#[tokio::test]
async fn success_resets_account_failures() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for _ in 1..DEFAULT_PER_ACCOUNT {
        app.login(&patient.email, WRONG_PASSWORD).await;
    }
    let (status, _, body) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the last allowed attempt: {body}");

    for attempt in 1..=DEFAULT_PER_ACCOUNT {
        let (status, _, _) = app.login(&patient.email, WRONG_PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt} after reset"
        );
    }
    assert_throttled(&app.login(&patient.email, WRONG_PASSWORD).await);
}

#[tokio::test]
async fn address_throttled_across_accounts() {
    let app = TestApp::spawn_with_options(TestOptions {
        login_throttle: limits(5, 8),
        ..TestOptions::default()
    })
    .await;
    let patient = app.register_patient().await;

    for attempt in 1..=8 {
        let email = unique_email(&format!("guess{attempt}"));
        let (status, _, _) = app.login(&email, WRONG_PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }

    assert_throttled(&app.login(&unique_email("guess9"), WRONG_PASSWORD).await);
    assert_throttled(&app.login(&patient.email, PASSWORD).await);
}

#[tokio::test]
async fn forwarding_headers_from_untrusted_peer_ignored() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for attempt in 1..=DEFAULT_PER_ADDRESS {
        let email = unique_email(&format!("spray{attempt}"));
        let headers = [
            ("x-forwarded-for", format!("198.51.100.{attempt}")),
            ("x-real-ip", format!("203.0.113.{attempt}")),
            ("forwarded", format!("for=192.0.2.{attempt}")),
        ];
        let (status, _, _) = login_with_headers(&app, &email, WRONG_PASSWORD, &headers).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let headers = [
        ("x-forwarded-for", "198.51.100.250".to_owned()),
        ("x-real-ip", "203.0.113.250".to_owned()),
        ("forwarded", "for=192.0.2.250".to_owned()),
    ];
    let throttled = login_with_headers(&app, &patient.email, PASSWORD, &headers).await;

    assert_throttled(&throttled);
    let events = app.audit_events().await;
    let addresses: Vec<&str> = events
        .iter()
        .filter(|event| event.action.starts_with("auth.login"))
        .map(|event| event.client_addr.as_str())
        .collect();
    assert_eq!(
        addresses.len(),
        DEFAULT_PER_ADDRESS + 1,
        "every attempt is audited"
    );
    assert!(
        addresses.iter().all(|address| *address == "127.0.0.1"),
        "the peer is the client: {addresses:?}"
    );
}

#[tokio::test]
async fn trusted_proxy_separates_forwarded_addresses() {
    let app = TestApp::spawn_with_options(TestOptions {
        login_throttle: limits(100, 3),
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
    })
    .await;
    let patient = app.register_patient().await;
    let first = [("x-forwarded-for", "198.51.100.7, 127.0.0.1".to_owned())];
    let second = [("forwarded", "for=\"[2001:db8::7]:4711\"".to_owned())];

    for attempt in 1..=3 {
        let email = unique_email(&format!("first{attempt}"));
        let (status, _, _) = login_with_headers(&app, &email, WRONG_PASSWORD, &first).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    assert_throttled(&login_with_headers(&app, &patient.email, PASSWORD, &first).await);
    let (status, _, body) = login_with_headers(&app, &patient.email, PASSWORD, &second).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "another client is not throttled: {body}"
    );
    let (status, _, body) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "nor is the proxy itself: {body}");

    let events = app.audit_events().await;
    let throttled = throttled_events(&events);
    assert_eq!(throttled.len(), 1, "one throttled attempt");
    assert_eq!(throttled[0].client_addr, "198.51.100.7", "forwarded client");
    let last_two: Vec<&str> = events
        .iter()
        .filter(|event| event.action == "auth.login" && event.outcome == "success")
        .map(|event| event.client_addr.as_str())
        .collect();
    assert_eq!(
        last_two,
        ["2001:db8::7", "127.0.0.1"],
        "successful sign-ins"
    );
}

#[tokio::test]
async fn password_change_guesses_are_throttled() {
    let app = TestApp::spawn_with_options(TestOptions {
        login_throttle: limits(3, 100),
        ..TestOptions::default()
    })
    .await;
    let patient = app.register_patient().await;
    let guess = json!({"currentPassword": WRONG_PASSWORD, "newPassword": "a brand new passphrase"});

    for attempt in 1..=3 {
        let reply = patient.put("/api/v1/auth/password", guess.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "guess {attempt}: {}",
            reply.2
        );
    }
    let right = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});
    let throttled = patient.put("/api/v1/auth/password", right).await;
    assert_throttled(&throttled);

    // The guesses used up the account's sign-in budget too.
    let login = app.login(&patient.email, PASSWORD).await;
    assert_throttled(&login);
    let events = app.events_by_actor(patient.id).await;
    assert!(
        events
            .iter()
            .any(|event| event.action == "auth.password.change.throttled"),
        "the throttled change is audited: {events:?}"
    );
}

#[tokio::test]
async fn registration_conflicts_are_throttled_per_address() {
    let app = TestApp::spawn_with_options(TestOptions {
        login_throttle: limits(100, 3),
        ..TestOptions::default()
    })
    .await;
    let existing = app.register_patient().await;
    let mut body = common::patient_body();
    body["email"] = json!(existing.email);

    for attempt in 1..=3 {
        let reply = reply(
            app.request(reqwest::Method::POST, "/api/v1/auth/register/patient")
                .json(&body),
        )
        .await;
        assert_eq!(
            reply.0,
            StatusCode::CONFLICT,
            "attempt {attempt}: {}",
            reply.2
        );
    }
    let fresh = reply(
        app.request(reqwest::Method::POST, "/api/v1/auth/register/patient")
            .json(&common::patient_body()),
    )
    .await;
    assert_throttled(&fresh);

    let events = app.audit_events().await;
    assert!(
        events
            .iter()
            .any(|event| event.action == "auth.register.throttled"),
        "the throttled registration is audited"
    );
}

#[tokio::test]
async fn successful_registrations_are_not_throttled() {
    let app = TestApp::spawn_with_options(TestOptions {
        login_throttle: limits(100, 2),
        ..TestOptions::default()
    })
    .await;
    for _ in 0..4 {
        app.register_patient().await;
    }
}
