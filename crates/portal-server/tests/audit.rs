//! The audit log: every read or write of PHI, every sign-in, and the patient's view of it at
//! `/api/v1/patient/access-log`.

mod common;

use common::{PASSWORD, TestApp, assert_problem, parse_instant};
use portal_core::model::{Outcome, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ACCESS_LOG: &str = "/api/v1/patient/access-log";

#[tokio::test]
async fn audit_records_each_patient_action() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;
    let cancel = format!(
        "/api/v1/patient/appointments/{}/cancel",
        appointment["id"].as_str().unwrap_or_default()
    );
    let profile = json!({"firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-05-01"});
    let calls: Vec<(Method, &str, Option<Value>, &str)> = vec![
        (
            Method::GET,
            "/api/v1/patient/dashboard",
            None,
            "dashboard.read",
        ),
        (Method::GET, "/api/v1/patient/profile", None, "profile.read"),
        (
            Method::PUT,
            "/api/v1/patient/profile",
            Some(profile),
            "profile.update",
        ),
        (
            Method::GET,
            "/api/v1/patient/appointments",
            None,
            "appointments.list",
        ),
        (Method::POST, &cancel, None, "appointment.cancel"),
        (Method::GET, ACCESS_LOG, None, "access_log.read"),
    ];

    for (method, path, body, action) in calls {
        let before = app.access_events(patient.id).await.len();
        let (status, _, _) = patient.send(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path} succeeds");
        let events = app.access_events(patient.id).await;
        assert_eq!(
            events.len(),
            before + 1,
            "{method} {path} records one event"
        );
        let newest = &events[0];
        assert_eq!(newest.action, action, "{method} {path} action");
        assert_eq!(newest.outcome, Outcome::Success, "{action} outcome");
        assert_eq!(newest.actor_id, Some(patient.id), "{action} actor");
        assert_eq!(
            newest.actor_role,
            Some(Role::Patient),
            "{action} actor role"
        );
    }
}

#[tokio::test]
async fn audit_records_registration_and_request() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;

    patient.request_appointment(&provider, 24).await;

    let actions: Vec<String> = app
        .access_events(patient.id)
        .await
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert_eq!(
        actions,
        ["appointment.request", "auth.register"],
        "registration and the request are on the record, newest first"
    );
}

#[tokio::test]
async fn audit_records_provider_actions() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let first = patient.request_appointment(&provider, 24).await;
    let second = patient.request_appointment(&provider, 48).await;
    let calls = [
        (
            format!("/api/v1/provider/patients/{}", patient.id),
            Method::GET,
            "profile.read",
        ),
        (
            format!(
                "/api/v1/provider/appointments/{}/confirm",
                first["id"].as_str().unwrap_or_default()
            ),
            Method::POST,
            "appointment.confirm",
        ),
        (
            format!(
                "/api/v1/provider/appointments/{}/decline",
                second["id"].as_str().unwrap_or_default()
            ),
            Method::POST,
            "appointment.decline",
        ),
    ];

    for (path, method, action) in calls {
        let (status, _, _) = provider.send(method.clone(), &path, None).await;
        assert_eq!(status, StatusCode::OK, "{method} {path} succeeds");
        let events = app.access_events(patient.id).await;
        let newest = &events[0];
        assert_eq!(newest.action, action, "{method} {path} action");
        assert_eq!(newest.outcome, Outcome::Success, "{action} outcome");
        assert_eq!(newest.actor_id, Some(provider.id), "{action} actor");
        assert_eq!(
            newest.actor_role,
            Some(Role::Provider),
            "{action} actor role"
        );
    }

    for (path, action) in [
        ("/api/v1/provider/patients", "patients.list"),
        ("/api/v1/provider/appointments", "appointments.list"),
    ] {
        let (status, _, _) = provider.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path} succeeds");
        let events = app.events_by_actor(provider.id).await;
        let last = events.last().map(|event| event.action.as_str());
        assert_eq!(last, Some(action), "GET {path} is audited");
    }
}

#[tokio::test]
async fn audit_records_login_success_and_failure() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (ok, _, _) = app.login(&patient.email, PASSWORD).await;
    let (failed, _, _) = app.login(&patient.email, "not the right password").await;

    assert_eq!(ok, StatusCode::OK, "the first sign-in succeeds");
    assert_eq!(failed, StatusCode::UNAUTHORIZED, "the second fails");
    let events = app.access_events(patient.id).await;
    let success = events
        .iter()
        .find(|event| event.action == "auth.login" && event.outcome == Outcome::Success)
        .expect("the successful sign-in should be audited");
    let failure = events
        .iter()
        .find(|event| event.action == "auth.login" && event.outcome == Outcome::Failed)
        .expect("the failed sign-in should be audited as failed");
    assert_eq!(success.actor_id, Some(patient.id), "the patient signed in");
    assert_eq!(
        failure.actor_id, None,
        "nobody was signed in when the password was wrong"
    );
    assert_eq!(
        failure.actor_role, None,
        "a failed sign-in has no actor role"
    );
}

#[tokio::test]
async fn audit_records_failed_provider_login() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;

    let (status, _, _) = app.login(&provider.email, "not the right password").await;

    assert_eq!(status, StatusCode::UNAUTHORIZED, "the sign-in fails");
    let events = app.access_events(provider.id).await;
    assert_eq!(events.len(), 1, "the attempt names the targeted account");
    assert_eq!(events[0].action, "auth.login", "action");
    assert_eq!(events[0].outcome, Outcome::Failed, "outcome");
    assert_eq!(events[0].actor_id, None, "no actor");
}

#[tokio::test]
async fn audit_records_session_events() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    assert_eq!(
        patient.refresh().await.0,
        StatusCode::OK,
        "renewal succeeds"
    );
    let body = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});
    let (status, _, _) = patient.put("/api/v1/auth/password", body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "password change succeeds");
    let (status, _, _) = patient.post_empty("/api/v1/auth/logout").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "sign-out succeeds");

    let actions: Vec<String> = app
        .access_events(patient.id)
        .await
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert_eq!(
        actions,
        [
            "auth.logout",
            "auth.password.change",
            "auth.refresh",
            "auth.register"
        ],
        "session events, newest first"
    );
}

#[tokio::test]
async fn audit_event_stores_request_context() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let request = app
        .request(Method::GET, "/api/v1/patient/profile")
        .bearer_auth(&patient.token)
        .header("X-Request-Id", "audit-test-42");

    let (status, headers, _) = common::reply(request).await;

    assert_eq!(status, StatusCode::OK, "the read succeeds");
    assert_eq!(
        headers.get("x-request-id").and_then(|v| v.to_str().ok()),
        Some("audit-test-42"),
        "the request id is echoed"
    );
    let events = app.events_by_actor(patient.id).await;
    let read = events
        .iter()
        .find(|event| event.action == "profile.read")
        .expect("the read should be audited");
    assert_eq!(
        read.request_id, "audit-test-42",
        "the event carries the request id"
    );
    assert_eq!(
        read.client_addr, "127.0.0.1",
        "the event carries the client address"
    );
    assert_eq!(
        read.subject_id.as_deref(),
        Some(patient.id.hyphenated().to_string().as_str()),
        "the subject is the patient"
    );
}

#[tokio::test]
async fn access_log_shows_failed_login() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (status, _, _) = app.login(&patient.email, "not the right password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the sign-in fails");

    let (status, _, log) = patient.get(ACCESS_LOG).await;

    assert_eq!(status, StatusCode::OK, "the access log is 200");
    let newest = &log["items"][0];
    assert_eq!(
        newest["action"], "auth.login",
        "the failed sign-in is listed"
    );
    assert_eq!(newest["outcome"], "failed", "outcome");
    assert_eq!(newest["actorId"], Value::Null, "actorId");
    assert_eq!(newest["actorName"], Value::Null, "actorName");
    assert_eq!(newest["actorRole"], Value::Null, "actorRole");
}

#[tokio::test]
async fn access_log_names_provider_reader() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    patient.request_appointment(&provider, 24).await;
    let path = format!("/api/v1/provider/patients/{}", patient.id);
    assert_eq!(
        provider.get(&path).await.0,
        StatusCode::OK,
        "the provider reads the record"
    );

    let (_, _, log) = patient.get(ACCESS_LOG).await;

    let newest = &log["items"][0];
    assert_eq!(newest["action"], "profile.read", "action");
    assert_eq!(newest["outcome"], "success", "outcome");
    assert_eq!(newest["actorId"], json!(provider.id), "actorId");
    assert_eq!(newest["actorName"], "Dana Reyes", "the provider is named");
    assert_eq!(newest["actorRole"], "provider", "actorRole");
    assert!(newest["id"].is_i64(), "id is a number");
    assert!(
        newest["occurredAt"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z')),
        "occurredAt is a UTC instant"
    );
}

#[tokio::test]
async fn access_log_hides_other_patient_names() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;
    let intruder = app.register_patient_named("Eve", "Intruder").await;
    let path = format!(
        "/api/v1/patient/appointments/{}/cancel",
        appointment["id"].as_str().unwrap_or_default()
    );
    assert_eq!(intruder.post_empty(&path).await.0, StatusCode::NOT_FOUND);

    let (_, _, log) = patient.get(ACCESS_LOG).await;

    let attempt = &log["items"][0];
    assert_eq!(
        attempt["action"], "appointment.cancel",
        "the attempt is listed"
    );
    assert_eq!(attempt["outcome"], "denied", "outcome");
    assert_eq!(attempt["actorRole"], "patient", "actorRole");
    assert_eq!(
        attempt["actorName"],
        Value::Null,
        "another patient's name is not revealed"
    );
    assert!(
        !log.to_string().contains("Intruder"),
        "the log never names the other patient"
    );
}

#[tokio::test]
async fn access_log_newest_first_and_paginated() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    for _ in 0..4 {
        patient.get("/api/v1/patient/profile").await;
    }

    let (_, _, first) = patient.get(&format!("{ACCESS_LOG}?limit=2")).await;
    let (_, _, second) = patient.get(&format!("{ACCESS_LOG}?limit=2&page=2")).await;

    let items = first["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "a page of two");
    assert_eq!(first["total"], 5, "register and four reads");
    assert!(
        parse_instant(&items[0]["occurredAt"]) >= parse_instant(&items[1]["occurredAt"]),
        "newest first"
    );
    assert!(
        items[0]["id"].as_i64() > items[1]["id"].as_i64(),
        "ids descend"
    );
    assert_eq!(
        second["total"], 6,
        "the first read of the log is itself on the record"
    );
}

#[tokio::test]
async fn access_log_is_own_only() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.register_patient().await;
    other.get("/api/v1/patient/profile").await;

    let (_, _, log) = patient.get(ACCESS_LOG).await;

    let actors: Vec<&Value> = log["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| &item["actorId"])
        .collect();
    assert!(
        actors.iter().all(|actor| **actor == json!(patient.id)),
        "only events on the caller's own record: {actors:?}"
    );
}

#[tokio::test]
async fn access_log_rejects_bad_page() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let reply = patient.get(&format!("{ACCESS_LOG}?page=0")).await;

    assert_problem(&reply, StatusCode::BAD_REQUEST);
}
