//! Appointment requests: the patient's list, request and cancel routes and the provider's list,
//! confirm and decline routes.

mod common;

use chrono::{Duration, FixedOffset, Utc};
use common::{
    Client, TestApp, appointment_body, assert_invalid_field, assert_problem, in_hours,
    parse_instant,
};
use portal_core::model::AppointmentStatus;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PATIENT_LIST: &str = "/api/v1/patient/appointments";
const PROVIDER_LIST: &str = "/api/v1/provider/appointments";

fn id_of(appointment: &Value) -> String {
    appointment["id"].as_str().unwrap_or_default().to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| items.iter().map(id_of).collect())
        .unwrap_or_default()
}

async fn cancel(patient: &Client, appointment: &Value) -> common::Reply {
    let path = format!("{PATIENT_LIST}/{}/cancel", id_of(appointment));
    patient.post_empty(&path).await
}

async fn decide(provider: &Client, appointment: &Value, decision: &str) -> common::Reply {
    let path = format!("{PROVIDER_LIST}/{}/{decision}", id_of(appointment));
    provider.post_empty(&path).await
}

#[tokio::test]
async fn appointment_request_returns_requested() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let start = (Utc::now() + Duration::days(3))
        .with_timezone(&FixedOffset::west_opt(5 * 3600).expect("valid offset"))
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let body = json!({
        "providerId": provider.id,
        "preferredStart": start,
        "visitType": "telehealth",
        "reason": "Follow-up on blood pressure",
    });

    let (status, _, appointment) = patient.post(PATIENT_LIST, body).await;

    assert_eq!(status, StatusCode::CREATED, "request is 201: {appointment}");
    assert!(
        appointment["id"]
            .as_str()
            .is_some_and(|id| uuid::Uuid::try_parse(id).is_ok()),
        "id is a UUID"
    );
    assert_eq!(appointment["status"], "requested", "status");
    assert_eq!(appointment["patientId"], json!(patient.id), "patientId");
    assert_eq!(appointment["patientName"], "Ana Lopez", "patientName");
    assert_eq!(appointment["providerId"], json!(provider.id), "providerId");
    assert_eq!(appointment["providerName"], "Dana Reyes", "providerName");
    assert_eq!(appointment["visitType"], "telehealth", "visitType");
    assert_eq!(
        appointment["reason"], "Follow-up on blood pressure",
        "reason"
    );
    let returned = appointment["preferredStart"].as_str().unwrap_or_default();
    assert!(returned.ends_with('Z'), "responses use UTC: {returned}");
    assert_eq!(
        parse_instant(&appointment["preferredStart"]),
        parse_instant(&json!(start)),
        "the same instant as requested"
    );
    for field in ["createdAt", "updatedAt"] {
        assert!(
            appointment[field]
                .as_str()
                .is_some_and(|at| at.ends_with('Z')),
            "{field} is a UTC instant"
        );
    }
}

#[tokio::test]
async fn appointment_request_rejects_invalid_values() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let over_a_year = (Utc::now() + Duration::days(366)).to_rfc3339();
    let cases: Vec<(&str, &str, Value)> = vec![
        ("preferredStart", "in the past", json!(in_hours(-1))),
        (
            "preferredStart",
            "more than a year ahead",
            json!(over_a_year),
        ),
        (
            "preferredStart",
            "without an offset",
            json!("2030-01-10T09:00:00"),
        ),
        ("preferredStart", "a date only", json!("2030-01-10")),
        ("preferredStart", "not a date", json!("next Tuesday")),
        ("reason", "empty", json!("")),
        ("reason", "only spaces", json!("   ")),
        ("reason", "501 characters", json!("x".repeat(501))),
        ("visitType", "unknown", json!("home_visit")),
        ("providerId", "unknown", json!(uuid::Uuid::new_v4())),
        ("providerId", "a patient", json!(patient.id)),
        ("providerId", "malformed", json!("not-a-uuid")),
    ];

    for (field, case, value) in cases {
        let mut body = appointment_body(provider.id, &in_hours(24));
        body[field] = value;
        let reply = patient.post(PATIENT_LIST, body).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {case} is rejected"
        );
        assert_invalid_field(&reply, field);
    }

    let (_, _, list) = patient.get(PATIENT_LIST).await;
    assert_eq!(list["total"], 0, "no rejected request was stored");
}

#[tokio::test]
async fn appointment_request_accepts_limits() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let mut body = appointment_body(provider.id, &in_hours(24 * 364));
    body["reason"] = json!("é".repeat(500));

    let (status, _, appointment) = patient.post(PATIENT_LIST, body).await;

    assert_eq!(
        status,
        StatusCode::CREATED,
        "500 characters and 364 days ahead are allowed: {appointment}"
    );
}

#[tokio::test]
async fn appointment_request_rejects_unknown_fields() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;

    for (field, value) in [
        ("status", json!("confirmed")),
        ("patientId", json!(uuid::Uuid::new_v4())),
        ("id", json!(uuid::Uuid::new_v4())),
    ] {
        let mut body = appointment_body(provider.id, &in_hours(24));
        body[field] = value;
        let reply = patient.post(PATIENT_LIST, body).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} is not accepted"
        );
        assert_invalid_field(&reply, field);
    }

    let (_, _, list) = patient.get(PATIENT_LIST).await;
    assert_eq!(list["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn appointment_list_latest_first() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let early = patient.request_appointment(&provider, 24).await;
    let late = patient.request_appointment(&provider, 240).await;
    let middle = patient.request_appointment(&provider, 72).await;

    let (status, _, list) = patient.get(PATIENT_LIST).await;

    assert_eq!(status, StatusCode::OK, "list is 200");
    assert_eq!(
        ids(&list),
        [id_of(&late), id_of(&middle), id_of(&early)],
        "latest start first"
    );
    assert_eq!(list["total"], 3, "total");
    assert_eq!(list["page"], 1, "page defaults to 1");
    assert_eq!(list["limit"], 25, "limit defaults to 25");
}

#[tokio::test]
async fn appointment_list_paginates() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    for hours in [24, 48, 72, 96, 120] {
        patient.request_appointment(&provider, hours).await;
    }

    let (_, _, first) = patient.get(&format!("{PATIENT_LIST}?page=1&limit=2")).await;
    let (_, _, last) = patient.get(&format!("{PATIENT_LIST}?page=3&limit=2")).await;
    let (_, _, beyond) = patient.get(&format!("{PATIENT_LIST}?page=4&limit=2")).await;

    assert_eq!(ids(&first).len(), 2, "a full first page");
    assert_eq!(first["total"], 5, "total counts every page");
    assert_eq!(first["limit"], 2, "limit is echoed");
    assert_eq!(ids(&last).len(), 1, "the last page contains the rest");
    assert_eq!(last["page"], 3, "page is echoed");
    assert_eq!(ids(&beyond).len(), 0, "a page past the end is empty");
    assert_eq!(beyond["total"], 5, "total is the same on every page");
}

#[tokio::test]
async fn appointment_list_filters_by_status() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let requested = patient.request_appointment(&provider, 24).await;
    let confirmed = patient.request_appointment(&provider, 48).await;
    let cancelled = patient.request_appointment(&provider, 72).await;
    assert_eq!(
        decide(&provider, &confirmed, "confirm").await.0,
        StatusCode::OK
    );
    assert_eq!(cancel(&patient, &cancelled).await.0, StatusCode::OK);

    let cases = [
        ("requested", vec![id_of(&requested)]),
        ("confirmed", vec![id_of(&confirmed)]),
        ("cancelled", vec![id_of(&cancelled)]),
        ("declined", vec![]),
        ("completed", vec![]),
    ];
    for (status, expected) in cases {
        let (_, _, list) = patient
            .get(&format!("{PATIENT_LIST}?status={status}"))
            .await;
        assert_eq!(ids(&list), expected, "patient list with status={status}");
        assert_eq!(list["total"], expected.len(), "total with status={status}");
        let (_, _, list) = provider
            .get(&format!("{PROVIDER_LIST}?status={status}"))
            .await;
        assert_eq!(ids(&list), expected, "provider list with status={status}");
    }
}

#[tokio::test]
async fn appointment_list_rejects_unknown_status() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;

    for path in [
        format!("{PATIENT_LIST}?status=pending"),
        format!("{PATIENT_LIST}?status=REQUESTED"),
    ] {
        let reply = patient.get(&path).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST);
    }
    let reply = provider.get(&format!("{PROVIDER_LIST}?status=open")).await;
    assert_problem(&reply, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn appointment_cancel_twice_conflicts() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;

    let (status, _, cancelled) = cancel(&patient, &appointment).await;
    let again = cancel(&patient, &appointment).await;

    assert_eq!(status, StatusCode::OK, "cancel is 200");
    assert_eq!(cancelled["status"], "cancelled", "the new status");
    assert_eq!(cancelled["id"], appointment["id"], "the same appointment");
    assert_problem(&again, StatusCode::CONFLICT);
}

#[tokio::test]
async fn appointment_cancel_after_confirm() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;
    assert_eq!(
        decide(&provider, &appointment, "confirm").await.0,
        StatusCode::OK
    );

    let (status, _, cancelled) = cancel(&patient, &appointment).await;

    assert_eq!(
        status,
        StatusCode::OK,
        "a confirmed appointment can be cancelled"
    );
    assert_eq!(cancelled["status"], "cancelled", "the new status");
}

#[tokio::test]
async fn appointment_cancel_declined_conflicts() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;
    assert_eq!(
        decide(&provider, &appointment, "decline").await.0,
        StatusCode::OK
    );

    let reply = cancel(&patient, &appointment).await;

    assert_problem(&reply, StatusCode::CONFLICT);
}

#[tokio::test]
async fn provider_appointments_lists_own() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let other_provider = app.provider_named("Sam", "Okafor").await;
    let mine = patient.request_appointment(&provider, 24).await;
    patient.request_appointment(&other_provider, 48).await;

    let (status, _, list) = provider.get(PROVIDER_LIST).await;

    assert_eq!(status, StatusCode::OK, "list is 200");
    assert_eq!(
        ids(&list),
        [id_of(&mine)],
        "only the provider's own appointments"
    );
    assert_eq!(list["total"], 1, "total");
    assert_eq!(
        list["items"][0]["patientName"], "Ana Lopez",
        "the provider sees who asked"
    );
}

#[tokio::test]
async fn provider_confirm_sets_confirmed() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;

    let (status, _, confirmed) = decide(&provider, &appointment, "confirm").await;

    assert_eq!(status, StatusCode::OK, "confirm is 200");
    assert_eq!(confirmed["status"], "confirmed", "the new status");
    let (_, _, list) = patient.get(PATIENT_LIST).await;
    assert_eq!(
        list["items"][0]["status"], "confirmed",
        "the patient sees the decision"
    );
}

#[tokio::test]
async fn provider_decline_sets_declined() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;

    let (status, _, declined) = decide(&provider, &appointment, "decline").await;

    assert_eq!(status, StatusCode::OK, "decline is 200");
    assert_eq!(declined["status"], "declined", "the new status");
}

#[tokio::test]
async fn provider_second_decision_conflicts() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let cases = [
        ("confirm", "confirm"),
        ("confirm", "decline"),
        ("decline", "confirm"),
        ("decline", "decline"),
    ];

    for (first, second) in cases {
        let appointment = patient.request_appointment(&provider, 24).await;
        assert_eq!(
            decide(&provider, &appointment, first).await.0,
            StatusCode::OK
        );
        let reply = decide(&provider, &appointment, second).await;
        assert_eq!(reply.0, StatusCode::CONFLICT, "{second} after {first}");
        assert_problem(&reply, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn provider_decision_on_cancelled_conflicts() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let appointment = patient.request_appointment(&provider, 24).await;
    assert_eq!(cancel(&patient, &appointment).await.0, StatusCode::OK);

    let reply = decide(&provider, &appointment, "confirm").await;

    assert_problem(&reply, StatusCode::CONFLICT);
}

#[tokio::test]
async fn appointment_cancel_started_conflicts() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let id = app
        .insert_past_appointment(&patient, &provider, 1, AppointmentStatus::Confirmed)
        .await;

    let reply = cancel(&patient, &json!({"id": id})).await;

    assert_problem(&reply, StatusCode::CONFLICT);
    let (_, _, list) = patient
        .get(&format!("{PATIENT_LIST}?status=confirmed"))
        .await;
    assert_eq!(ids(&list), [id.to_string()], "the appointment is unchanged");
}
