//! `POST /api/v1/provider/emergency-access`: a provider opens the record of a patient outside
//! their care by giving a reason ("break the glass"), for 60 minutes, audited.

mod common;

use chrono::Duration;
use common::{Client, TestApp, TestClock, assert_problem, parse_instant};
use reqwest::StatusCode;
use serde_json::{Value, json};

const EMERGENCY: &str = "/api/v1/provider/emergency-access";
const REASON: &str = "Brought in unconscious; allergy history needed before treatment";

fn profile_path(patient: &Client) -> String {
    format!("/api/v1/provider/patients/{}", patient.id)
}

fn request(patient: &Client) -> Value {
    json!({
        "patientEmail": patient.email,
        "dateOfBirth": "1990-05-01",
        "reason": REASON,
    })
}

/// Returns the patient's access history, newest first.
async fn access_log(patient: &Client) -> Vec<Value> {
    let (status, _, body) = patient.get("/api/v1/patient/access-log?limit=100").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn grant_opens_record_and_logs_it() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;
    let (status, _, _) = provider.get(&profile_path(&patient)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "outside care, the record is hidden"
    );

    let (status, _, grant) = provider.post(EMERGENCY, request(&patient)).await;

    assert_eq!(status, StatusCode::CREATED, "{grant}");
    assert_eq!(grant["patientId"], json!(patient.id.to_string()));
    assert_eq!(grant["firstName"], "Ana");
    assert_eq!(grant["lastName"], "Lopez");
    let expires = parse_instant(&grant["expiresAt"]);
    let minutes = (expires - chrono::Utc::now()).num_minutes();
    assert!(
        (58..=60).contains(&minutes),
        "access lasts 60 minutes: {minutes}"
    );

    let (status, _, profile) = provider.get(&profile_path(&patient)).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["id"], json!(patient.id.to_string()));

    let log = access_log(&patient).await;
    let read = &log[0];
    assert_eq!(read["action"], "emergency.profile.read");
    assert_eq!(read["emergency"], true);
    assert_eq!(read["actorId"], json!(provider.id.to_string()));
    let granted = &log[1];
    assert_eq!(granted["action"], "emergency.grant");
    assert_eq!(granted["emergency"], true);
    assert_eq!(granted["outcome"], "success");
    assert_eq!(granted["reason"], REASON, "the patient reads the reason");
    let registered = log.last().expect("events");
    assert_eq!(registered["emergency"], false);
    assert_eq!(registered["reason"], Value::Null);
}

#[tokio::test]
async fn access_ends_after_sixty_minutes() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;
    let (status, _, _) = provider.post(EMERGENCY, request(&patient)).await;
    assert_eq!(status, StatusCode::CREATED);

    clock.advance(Duration::minutes(59));
    let provider = app.sign_in(&provider.email, &provider.password).await;
    let (status, _, _) = provider.get(&profile_path(&patient)).await;
    assert_eq!(status, StatusCode::OK, "still open after 59 minutes");

    clock.advance(Duration::minutes(2));
    let provider = app.sign_in(&provider.email, &provider.password).await;
    let (status, _, _) = provider.get(&profile_path(&patient)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "closed after 61 minutes");
}

#[tokio::test]
async fn grant_is_for_the_provider_who_asked() {
    let app = TestApp::spawn().await;
    let first = app.provider().await;
    let second = app.provider_named("Lee", "Park").await;
    let patient = app.register_patient().await;
    let (status, _, _) = first.post(EMERGENCY, request(&patient)).await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, _, _) = second.get(&profile_path(&patient)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn mismatched_patient_is_not_found_and_audited() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;

    let mut wrong_birth = request(&patient);
    wrong_birth["dateOfBirth"] = json!("1990-05-02");
    let (status, _, wrong_birth_body) = provider.post(EMERGENCY, wrong_birth).await;
    let mut unknown = request(&patient);
    unknown["patientEmail"] = json!("nobody@example.test");
    let (unknown_status, _, unknown_body) = provider.post(EMERGENCY, unknown).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_status, StatusCode::NOT_FOUND);
    assert_eq!(
        wrong_birth_body, unknown_body,
        "both causes give the same body"
    );
    let (status, _, _) = provider.get(&profile_path(&patient)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no access was granted");
    let log = access_log(&patient).await;
    assert!(
        log.iter().any(|event| event["action"] == "emergency.grant"
            && event["outcome"] == "denied"
            && event["reason"].is_null()),
        "the failed attempt shows in the patient's history: {log:?}"
    );
}

#[tokio::test]
async fn invalid_requests_are_rejected_with_the_field() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;
    let cases = [
        ("reason", json!("hurry up")),
        ("reason", json!("   ")),
        ("reason", json!("x".repeat(501))),
        ("patientEmail", json!("not an email")),
        ("dateOfBirth", json!("1990-05-01T00:00:00Z")),
        ("dateOfBirth", json!("2999-01-01")),
    ];
    for (field, value) in cases {
        let mut body = request(&patient);
        body[field] = value;
        let reply = provider.post(EMERGENCY, body).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.2["errors"][0]["field"], field, "{}", reply.2);
    }
    let mut extra = request(&patient);
    extra["role"] = json!("admin");
    let (status, _, _) = provider.post(EMERGENCY, extra).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, _, _) = provider.get(&profile_path(&patient)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing was granted");
}

#[tokio::test]
async fn patients_cannot_break_the_glass() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.register_patient().await;

    let (status, _, _) = patient.post(EMERGENCY, request(&other)).await;

    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app.post(EMERGENCY, None, request(&other)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn guessing_birth_dates_is_throttled() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;

    for day in 2..=6 {
        let mut guess = request(&patient);
        guess["dateOfBirth"] = json!(format!("1990-05-{day:02}"));
        let (status, _, _) = provider.post(EMERGENCY, guess).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "guess {day}");
    }
    let reply = provider.post(EMERGENCY, request(&patient)).await;

    assert_problem(&reply, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = reply.1["retry-after"]
        .to_str()
        .expect("Retry-After is text")
        .parse()
        .expect("Retry-After is whole seconds");
    assert!((1..=720).contains(&retry_after), "{retry_after}");
    let (status, _, _) = provider.get(&profile_path(&patient)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the right answer was not accepted"
    );

    let other = app.provider_named("Lee", "Park").await;
    let (status, _, _) = other.post(EMERGENCY, request(&patient)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "other providers are not affected"
    );
}
