//! Session lifetimes, refresh-token reuse and the caller's list of sessions.

mod common;

use chrono::Duration;
use common::*;
use portal_core::model::{Outcome, Session};
use portal_core::store::RecordKind;
use reqwest::header::{COOKIE, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
     (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Returns the session id an access token names.
fn session_id(token: &str) -> Uuid {
    token_claims(token)["sid"]
        .as_str()
        .and_then(|id| Uuid::try_parse(id).ok())
        .expect("an access token names its session")
}

async fn stored_session(app: &TestApp, token: &str) -> Session {
    app.store
        .find_session(session_id(token))
        .await
        .expect("reading the session failed")
        .expect("the session exists")
}

/// Sends a renewal with `token` as the refresh cookie.
async fn refresh_with(app: &TestApp, token: &str) -> Reply {
    reply(
        app.request(Method::POST, "/api/v1/auth/refresh")
            .header("X-Requested-With", "portal")
            .header(COOKIE, format!("portal_refresh={token}")),
    )
    .await
}

/// Signs in with a `User-Agent` header and returns the access token.
async fn sign_in_as(app: &TestApp, email: &str, user_agent: &str) -> String {
    let body = json!({"email": email, "password": PASSWORD});
    let (status, _, session) = reply(
        app.request(Method::POST, "/api/v1/auth/login")
            .header(USER_AGENT, user_agent)
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "sign-in failed: {session}");
    session["accessToken"]
        .as_str()
        .expect("a session has an access token")
        .to_owned()
}

async fn list_sessions(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, _, body) = app.get("/api/v1/auth/sessions", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "listing sessions failed: {body}");
    body["items"]
        .as_array()
        .expect("the list has items")
        .clone()
}

async fn audit_event_count(app: &TestApp) -> u64 {
    app.store
        .count_records(RecordKind::AuditEvent)
        .await
        .expect("counting audit events failed")
}

#[tokio::test]
async fn session_body_has_lifetimes() {
    let app = TestApp::spawn().await;

    let patient = app.register_patient().await;

    assert_eq!(
        patient.session["idleTimeoutSeconds"],
        json!(15 * 60),
        "idleTimeoutSeconds is the default 15 minutes"
    );
    let expires = parse_instant(&patient.session["sessionExpiresAt"]);
    let expected = chrono::Utc::now() + Duration::hours(12);
    assert!(
        (expires - expected).num_seconds().abs() < 60,
        "sessionExpiresAt is 12 hours after sign-in: {expires}"
    );
    let parts: Vec<&str> = patient.refresh_token.split('.').collect();
    assert_eq!(parts.len(), 2, "the refresh token is <session id>.<secret>");
    assert_eq!(
        parts[0],
        session_id(&patient.token).hyphenated().to_string(),
        "the refresh token names the access token's session"
    );
}

#[tokio::test]
async fn idle_session_ends() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;

    clock.advance(Duration::minutes(15) + Duration::seconds(1));
    let reply = patient.get("/api/v1/auth/me").await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
    let session = stored_session(&app, &patient.token).await;
    assert!(session.revoked_at.is_some(), "the idle session is revoked");
    let (status, _, _) = patient.refresh().await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an idle session cannot be renewed"
    );
}

#[tokio::test]
async fn idle_session_refresh_rejected() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;

    clock.advance(Duration::minutes(16));
    let reply = patient.refresh().await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
    let session = stored_session(&app, &patient.token).await;
    assert!(session.revoked_at.is_some(), "the idle session is revoked");
    assert_eq!(
        app.count_access_events(patient.id, "auth.refresh", Outcome::Failed)
            .await,
        1,
        "the rejected renewal is audited as failed"
    );
}

#[tokio::test]
async fn requests_keep_session_alive() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;

    for round in 0..4 {
        clock.advance(Duration::minutes(10));
        let (status, _, _) = patient.get("/api/v1/auth/me").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "round {round}: a request every 10 minutes keeps the session"
        );
    }
}

#[tokio::test]
async fn refresh_counts_as_activity() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;

    clock.advance(Duration::minutes(10));
    let (status, _, renewed) = patient.refresh().await;
    assert_eq!(status, StatusCode::OK, "the renewal succeeds: {renewed}");
    clock.advance(Duration::minutes(10));
    let token = renewed["accessToken"].as_str().unwrap_or_default();
    let (status, _, _) = app.get("/api/v1/auth/me", Some(token)).await;

    assert_eq!(
        status,
        StatusCode::OK,
        "20 minutes after sign-in the renewed session is still active"
    );
}

#[tokio::test]
async fn last_used_written_once_a_minute() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;
    let signed_in = stored_session(&app, &patient.token).await.last_used_at;

    clock.advance(Duration::seconds(30));
    let (status, _, _) = patient.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the request succeeds");
    let after_30s = stored_session(&app, &patient.token).await.last_used_at;
    assert_eq!(
        after_30s, signed_in,
        "a request within a minute of the last write does not write"
    );

    clock.advance(Duration::seconds(45));
    let before = clock.now();
    let (status, _, _) = patient.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the request succeeds");
    let after_75s = stored_session(&app, &patient.token).await.last_used_at;
    assert!(
        after_75s >= before - Duration::milliseconds(1),
        "a request more than a minute after the last write records its time"
    );
}

#[tokio::test]
async fn absolute_expiry_ends_active_session() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;

    // Stay active every 14 minutes until just before the 12-hour lifetime ends.
    let mut elapsed = Duration::zero();
    while elapsed + Duration::minutes(14) < Duration::hours(12) {
        clock.advance(Duration::minutes(14));
        elapsed += Duration::minutes(14);
        let (status, _, _) = patient.get("/api/v1/auth/me").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "after {} minutes the active session works",
            elapsed.num_minutes()
        );
    }
    clock.advance(Duration::hours(12) - elapsed);

    let reply = patient.get("/api/v1/auth/me").await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);
    let (status, _, _) = patient.refresh().await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an expired session cannot be renewed"
    );
}

#[tokio::test]
async fn rotated_token_reuse_revokes_session() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (status, headers, renewed) = patient.refresh().await;
    assert_eq!(status, StatusCode::OK, "the first renewal succeeds");
    let current_refresh = refresh_cookie_value(&headers).expect("a rotated refresh cookie");
    let current_access = renewed["accessToken"].as_str().unwrap_or_default();

    let replay = refresh_with(&app, &patient.refresh_token).await;

    assert_problem(&replay, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.get("/api/v1/auth/me", Some(current_access)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session's newest access token stops working"
    );
    let (status, _, _) = refresh_with(&app, &current_refresh).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the session's newest refresh token stops working"
    );
    let session = stored_session(&app, &patient.token).await;
    assert!(session.revoked_at.is_some(), "the session is revoked");
    assert_eq!(
        app.count_access_events(patient.id, "auth.refresh.reuse", Outcome::Denied)
            .await,
        1,
        "the reuse is audited as denied with the patient as subject"
    );
}

#[tokio::test]
async fn token_reuse_keeps_other_sessions() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;
    let (status, _, _) = patient.refresh().await;
    assert_eq!(status, StatusCode::OK, "the renewal succeeds");

    let replay = refresh_with(&app, &patient.refresh_token).await;

    assert_problem(&replay, StatusCode::UNAUTHORIZED);
    let (status, _, _) = other.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "another session of the user stays");
}

#[tokio::test]
async fn concurrent_refresh_one_wins() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (first, second) = tokio::join!(
        refresh_with(&app, &patient.refresh_token),
        refresh_with(&app, &patient.refresh_token),
    );

    let statuses = [first.0, second.0];
    assert_eq!(
        statuses
            .iter()
            .filter(|status| **status == StatusCode::OK)
            .count(),
        1,
        "exactly one of two renewals with one token succeeds: {statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::UNAUTHORIZED),
        "the other is 401: {statuses:?}"
    );
    let session = stored_session(&app, &patient.token).await;
    assert!(
        session.revoked_at.is_some(),
        "the losing renewal presented a spent token, so the session is revoked"
    );
}

#[tokio::test]
async fn malformed_refresh_token_writes_nothing() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let before = audit_event_count(&app).await;
    let (id, secret) = patient
        .refresh_token
        .split_once('.')
        .expect("the token has two parts");
    let cases = [
        "garbage".to_owned(),
        secret.to_owned(),
        format!("{id}."),
        format!("{id}.{}", &secret[1..]),
        format!("{}.{secret}", &id[1..]),
        format!("{id}.{secret}x"),
    ];

    for token in &cases {
        let reply = refresh_with(&app, token).await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED);
    }

    assert_eq!(
        audit_event_count(&app).await,
        before,
        "malformed tokens write no audit event"
    );
    let session = stored_session(&app, &patient.token).await;
    assert_eq!(session.revoked_at, None, "the session is not revoked");
    let (status, _, _) = patient.refresh().await;
    assert_eq!(status, StatusCode::OK, "the real token still renews");
}

#[tokio::test]
async fn wrong_secret_for_session_revokes_it() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (id, _) = patient
        .refresh_token
        .split_once('.')
        .expect("the token has two parts");

    let forged = refresh_with(&app, &format!("{id}.{}", "A".repeat(43))).await;

    assert_problem(&forged, StatusCode::UNAUTHORIZED);
    let session = stored_session(&app, &patient.token).await;
    assert!(
        session.revoked_at.is_some(),
        "a secret that is not the current one ends the session"
    );
}

#[tokio::test]
async fn list_sessions_newest_first() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let firefox = sign_in_as(&app, &patient.email, FIREFOX_ON_WINDOWS).await;
    let chrome = sign_in_as(&app, &patient.email, CHROME_ON_LINUX).await;

    let items = list_sessions(&app, &firefox).await;

    let ids: Vec<&str> = items
        .iter()
        .map(|item| item["id"].as_str().unwrap_or_default())
        .collect();
    let expected = [
        session_id(&chrome).hyphenated().to_string(),
        session_id(&firefox).hyphenated().to_string(),
        session_id(&patient.token).hyphenated().to_string(),
    ];
    assert_eq!(ids, expected, "the three sessions, newest first");
    let browsers: Vec<&Value> = items.iter().map(|item| &item["browser"]).collect();
    assert_eq!(
        browsers,
        [
            &json!("Chrome on Linux"),
            &json!("Firefox on Windows"),
            &Value::Null
        ],
        "browser labels, null without a User-Agent"
    );
    let current: Vec<bool> = items
        .iter()
        .map(|item| item["current"].as_bool().unwrap_or_default())
        .collect();
    assert_eq!(
        current,
        [false, true, false],
        "only the caller's session is current"
    );
    for item in &items {
        for field in ["createdAt", "lastUsedAt", "expiresAt"] {
            assert!(
                item[field]
                    .as_str()
                    .is_some_and(|value| value.ends_with('Z')),
                "{field} is a UTC instant: {item}"
            );
        }
    }
}

#[tokio::test]
async fn list_omits_ended_sessions() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;
    let (status, _, _) = other.post_empty("/api/v1/auth/logout").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "sign-out succeeds");

    let items = list_sessions(&app, &patient.token).await;

    assert_eq!(items.len(), 1, "the signed-out session is not listed");
    assert_eq!(items[0]["current"], json!(true), "the caller's is listed");
}

#[tokio::test]
async fn list_omits_other_users_sessions() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    app.register_patient().await;
    app.provider().await;

    let items = list_sessions(&app, &patient.token).await;

    assert_eq!(items.len(), 1, "only the caller's session is listed");
}

#[tokio::test]
async fn end_other_session() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;
    let other_id = session_id(&other.token);

    let (status, headers, body) = patient
        .send(
            Method::DELETE,
            &format!("/api/v1/auth/sessions/{other_id}"),
            None,
        )
        .await;

    assert_eq!(status, StatusCode::NO_CONTENT, "ending a session is 204");
    assert_eq!(body, Value::Null, "204 has no body");
    assert_eq!(
        refresh_set_cookie(&headers),
        None,
        "the caller's refresh cookie is left alone"
    );
    let stale = other.get("/api/v1/auth/me").await;
    assert_problem(&stale, StatusCode::UNAUTHORIZED);
    let (status, _, _) = other.refresh().await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the ended session cannot be renewed"
    );
    let (status, _, _) = patient.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the caller's session stays");
    let items = list_sessions(&app, &patient.token).await;
    assert_eq!(items.len(), 1, "the ended session is no longer listed");
    assert_eq!(
        app.count_access_events(patient.id, "auth.session.end", Outcome::Success)
            .await,
        1,
        "ending a session is audited"
    );
}

#[tokio::test]
async fn end_current_session_signs_out() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let own_id = session_id(&patient.token);

    let (status, headers, _) = patient
        .send(
            Method::DELETE,
            &format!("/api/v1/auth/sessions/{own_id}"),
            None,
        )
        .await;

    assert_eq!(status, StatusCode::NO_CONTENT, "ending a session is 204");
    let cleared = refresh_set_cookie(&headers).unwrap_or_default();
    assert!(
        cleared.to_ascii_lowercase().contains("max-age=0"),
        "the refresh cookie is cleared: {cleared}"
    );
    let reply = patient.get("/api/v1/auth/me").await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);
    let (status, _, _) = refresh_with(&app, &patient.refresh_token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the refresh token stops working"
    );
}

#[tokio::test]
async fn end_session_hides_others() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let stranger = app.register_patient().await;
    let strangers_id = session_id(&stranger.token);
    let path = |id: &str| format!("/api/v1/auth/sessions/{id}");

    let foreign = patient
        .send(Method::DELETE, &path(&strangers_id.to_string()), None)
        .await;
    let unknown = patient
        .send(Method::DELETE, &path(&Uuid::now_v7().to_string()), None)
        .await;
    let malformed = patient
        .send(Method::DELETE, &path("not-a-session"), None)
        .await;

    assert_problem(&foreign, StatusCode::NOT_FOUND);
    assert_problem(&unknown, StatusCode::NOT_FOUND);
    assert_problem(&malformed, StatusCode::NOT_FOUND);
    assert_eq!(foreign.2, unknown.2, "one body for foreign and unknown ids");
    assert_eq!(
        malformed.2, unknown.2,
        "one body for malformed and unknown ids"
    );
    let (status, _, _) = stranger.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the other user's session stays");
    assert_eq!(
        app.count_access_events(patient.id, "auth.session.end", Outcome::Denied)
            .await,
        3,
        "each attempt is audited as denied"
    );
}

#[tokio::test]
async fn end_ended_session_is_404() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;
    let path = format!("/api/v1/auth/sessions/{}", session_id(&other.token));
    let (status, _, _) = patient.send(Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "the first end succeeds");

    let again = patient.send(Method::DELETE, &path, None).await;

    assert_problem(&again, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn end_others_keeps_current() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let second = app.sign_in(&provider.email, PASSWORD).await;
    let third = app.sign_in(&provider.email, PASSWORD).await;

    let (status, _, body) = provider
        .post_empty("/api/v1/auth/sessions/end-others")
        .await;

    assert_eq!(status, StatusCode::NO_CONTENT, "ending others is 204");
    assert_eq!(body, Value::Null, "204 has no body");
    for (name, client) in [("second", &second), ("third", &third)] {
        let stale = client.get("/api/v1/auth/me").await;
        assert_eq!(
            stale.0,
            StatusCode::UNAUTHORIZED,
            "the {name} session ended"
        );
        let (status, _, _) = client.refresh().await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the {name} session cannot be renewed"
        );
    }
    let (status, _, _) = provider.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the current session stays");
    let items = list_sessions(&app, &provider.token).await;
    assert_eq!(items.len(), 1, "only the current session is listed");
    let events = app.events_by_actor(provider.id).await;
    assert!(
        events
            .iter()
            .any(|event| event.action == "auth.session.end_others"
                && event.outcome == "success"
                && event.subject_id.is_none()),
        "ending others is audited, without a subject for a provider: {events:?}"
    );
}

#[tokio::test]
async fn password_change_leaves_one_session() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;
    let body = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});

    let (status, _, _) = patient.put("/api/v1/auth/password", body).await;

    assert_eq!(status, StatusCode::NO_CONTENT, "password change is 204");
    let stale = other.get("/api/v1/auth/me").await;
    assert_problem(&stale, StatusCode::UNAUTHORIZED);
    let items = list_sessions(&app, &patient.token).await;
    assert_eq!(items.len(), 1, "only the current session remains");
    assert_eq!(
        items[0]["current"],
        json!(true),
        "the remaining one is current"
    );
}

#[tokio::test]
async fn sessions_routes_need_sign_in() {
    let app = TestApp::spawn().await;
    let id = Uuid::now_v7();

    let list = app.get("/api/v1/auth/sessions", None).await;
    let end = app
        .send(
            Method::DELETE,
            &format!("/api/v1/auth/sessions/{id}"),
            None,
            None,
        )
        .await;
    let end_others = app
        .send(Method::POST, "/api/v1/auth/sessions/end-others", None, None)
        .await;

    assert_problem(&list, StatusCode::UNAUTHORIZED);
    assert_problem(&end, StatusCode::UNAUTHORIZED);
    assert_problem(&end_others, StatusCode::UNAUTHORIZED);
}
