//! `/api/v1/patient/dashboard` and `/api/v1/patient/profile`.

mod common;

use chrono::{Duration, Months};
use common::{
    TestApp, assert_invalid_field, assert_problem, born_years_ago, parse_instant, patient_body,
    today,
};
use portal_core::model::AppointmentStatus;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DASHBOARD: &str = "/api/v1/patient/dashboard";
const PROFILE: &str = "/api/v1/patient/profile";
const REMINDER_KINDS: [&str; 7] = [
    "wellness_visit",
    "flu_vaccine",
    "blood_pressure",
    "cervical_screening",
    "breast_screening",
    "colorectal_screening",
    "medication_review",
];

/// Returns a profile update setting every editable field.
fn full_profile(primary_provider_id: Value) -> Value {
    json!({
        "firstName": "Ana María",
        "lastName": "López-García",
        "dateOfBirth": "1976-02-29",
        "sexAtBirth": "female",
        "phone": "+1 (555) 010-2030",
        "address": {
            "line1": "12 Harbor Street",
            "line2": "Apt 4B",
            "city": "Portland",
            "region": "OR",
            "postalCode": "97201",
            "country": "US",
        },
        "emergencyContact": {
            "name": "Luis López",
            "relationship": "brother",
            "phone": "555.010.9999",
        },
        "allergies": [
            {"substance": "Penicillin", "reaction": "Hives", "severity": "severe"},
            {"substance": "Pollen", "reaction": "", "severity": "mild"},
        ],
        "medications": [
            {"name": "Lisinopril", "dose": "10 mg", "frequency": "daily"},
            {"name": "Vitamin D", "dose": "", "frequency": ""},
        ],
        "conditions": [{"name": "Hypertension"}, {"name": "Asthma"}],
        "primaryProviderId": primary_provider_id,
    })
}

/// Returns a profile update with only the required fields.
fn minimal_profile() -> Value {
    json!({"firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-05-01"})
}

fn reminder_kinds(dashboard: &Value) -> Vec<String> {
    dashboard["reminders"]
        .as_array()
        .map(|reminders| {
            reminders
                .iter()
                .filter_map(|reminder| reminder["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn dashboard_returns_shape() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, headers, dashboard) = patient.get(DASHBOARD).await;

    assert_eq!(status, StatusCode::OK, "dashboard is 200");
    assert_eq!(dashboard["firstName"], "Ana", "firstName");
    assert_eq!(
        dashboard["upcomingAppointments"],
        json!([]),
        "a new patient has no appointments"
    );
    assert!(dashboard["reminders"].is_array(), "reminders is a list");
    let tip = &dashboard["tipOfTheDay"];
    assert!(tip["title"].is_string(), "the tip has a title");
    assert!(tip["body"].is_string(), "the tip has a body");
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "PHI is never cached"
    );
}

#[tokio::test]
async fn dashboard_tip_matches_age_group() {
    let app = TestApp::spawn().await;
    let cases = [
        (born_years_ago(5, 10), "child"),
        (born_years_ago(12, 0), "child"),
        (born_years_ago(13, 0), "teen"),
        (born_years_ago(18, 0) + Duration::days(1), "teen"),
        (born_years_ago(18, 0), "young_adult"),
        (born_years_ago(39, 10), "young_adult"),
        (born_years_ago(40, 0), "adult"),
        (born_years_ago(64, 10), "adult"),
        (born_years_ago(65, 0), "senior"),
        (born_years_ago(90, 10), "senior"),
    ];

    for (date_of_birth, group) in cases {
        let patient = app.register_patient_born(date_of_birth).await;
        let (_, _, dashboard) = patient.get(DASHBOARD).await;
        assert_eq!(
            dashboard["tipOfTheDay"]["ageGroup"],
            group,
            "born {date_of_birth}, today {}",
            today()
        );
    }
}

#[tokio::test]
async fn dashboard_tip_stable_within_day() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (_, _, first) = patient.get(DASHBOARD).await;
    let (_, _, second) = patient.get(DASHBOARD).await;

    assert_eq!(
        first["tipOfTheDay"], second["tipOfTheDay"],
        "the tip stays the same for the day"
    );
}

#[tokio::test]
async fn dashboard_lists_five_soonest() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let mut created = Vec::new();
    for hours in [300, 48, 500, 24, 120, 72, 700] {
        created.push(patient.request_appointment(&provider, hours).await);
    }
    // The soonest one is cancelled and another declined, so neither may be listed.
    let soonest = created[3]["id"].as_str().unwrap_or_default().to_owned();
    let (status, _, _) = patient
        .post_empty(&format!("/api/v1/patient/appointments/{soonest}/cancel"))
        .await;
    assert_eq!(status, StatusCode::OK, "cancelling succeeds");
    let second = created[1]["id"].as_str().unwrap_or_default().to_owned();
    let (status, _, _) = provider
        .post_empty(&format!("/api/v1/provider/appointments/{second}/decline"))
        .await;
    assert_eq!(status, StatusCode::OK, "declining succeeds");

    let (_, _, dashboard) = patient.get(DASHBOARD).await;

    let upcoming = dashboard["upcomingAppointments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let expected: Vec<Value> = [5, 4, 0, 2, 6]
        .iter()
        .map(|&index| created[index]["id"].clone())
        .collect();
    let listed: Vec<Value> = upcoming.iter().map(|a| a["id"].clone()).collect();
    assert_eq!(
        listed, expected,
        "requested and confirmed appointments, soonest first"
    );

    patient.request_appointment(&provider, 30).await;
    patient.request_appointment(&provider, 36).await;
    let (_, _, dashboard) = patient.get(DASHBOARD).await;
    let upcoming = dashboard["upcomingAppointments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(upcoming.len(), 5, "at most five appointments");
    let starts: Vec<_> = upcoming
        .iter()
        .map(|a| parse_instant(&a["preferredStart"]))
        .collect();
    assert!(
        starts.windows(2).all(|pair| pair[0] <= pair[1]),
        "soonest first: {starts:?}"
    );
}

#[tokio::test]
async fn dashboard_reminders_follow_profile() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let mut profile = full_profile(Value::Null);
    profile["dateOfBirth"] = json!(born_years_ago(50, 10).to_string());
    let (status, _, _) = patient.put(PROFILE, profile).await;
    assert_eq!(status, StatusCode::OK, "profile update succeeds");

    let (_, _, dashboard) = patient.get(DASHBOARD).await;

    let kinds = reminder_kinds(&dashboard);
    for expected in [
        "wellness_visit",
        "blood_pressure",
        "cervical_screening",
        "breast_screening",
        "colorectal_screening",
        "medication_review",
    ] {
        assert!(
            kinds.iter().any(|kind| kind == expected),
            "a 50-year-old woman with medications gets {expected}: {kinds:?}"
        );
    }
    for reminder in dashboard["reminders"].as_array().into_iter().flatten() {
        assert_eq!(
            reminder["id"], reminder["kind"],
            "a reminder's id is its kind"
        );
        assert!(
            REMINDER_KINDS.contains(&reminder["kind"].as_str().unwrap_or_default()),
            "known kind: {reminder}"
        );
        assert!(reminder["title"].is_string(), "a reminder has a title");
        assert!(reminder["detail"].is_string(), "a reminder has a detail");
    }
}

#[tokio::test]
async fn dashboard_reminders_skip_other_ages() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient_born(born_years_ago(30, 10)).await;
    let mut profile = minimal_profile();
    profile["dateOfBirth"] = json!(born_years_ago(30, 10).to_string());
    profile["sexAtBirth"] = json!("male");
    let (status, _, _) = patient.put(PROFILE, profile).await;
    assert_eq!(status, StatusCode::OK, "profile update succeeds");

    let (_, _, dashboard) = patient.get(DASHBOARD).await;

    let kinds = reminder_kinds(&dashboard);
    for absent in [
        "cervical_screening",
        "breast_screening",
        "colorectal_screening",
        "medication_review",
    ] {
        assert!(
            !kinds.iter().any(|kind| kind == absent),
            "a 30-year-old man without medications gets no {absent}: {kinds:?}"
        );
    }
    assert!(
        kinds.iter().any(|kind| kind == "blood_pressure"),
        "every adult gets blood_pressure"
    );
}

#[tokio::test]
async fn profile_returns_registration_values() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, _, profile) = patient.get(PROFILE).await;

    assert_eq!(status, StatusCode::OK, "profile is 200");
    assert_eq!(profile["id"], json!(patient.id), "id");
    assert_eq!(profile["email"], json!(patient.email), "email");
    assert_eq!(profile["firstName"], "Ana", "firstName");
    assert_eq!(profile["lastName"], "Lopez", "lastName");
    assert_eq!(profile["dateOfBirth"], "1990-05-01", "dateOfBirth");
    for empty in [
        "sexAtBirth",
        "phone",
        "address",
        "emergencyContact",
        "primaryProviderId",
    ] {
        assert_eq!(profile[empty], Value::Null, "{empty} starts empty");
    }
    for list in ["allergies", "medications", "conditions"] {
        assert_eq!(profile[list], json!([]), "{list} starts empty");
    }
    assert!(
        profile["updatedAt"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z')),
        "updatedAt is a UTC instant"
    );
}

#[tokio::test]
async fn profile_update_round_trip() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let update = full_profile(json!(provider.id));
    let before = patient.profile().await;

    let (status, _, updated) = patient.put(PROFILE, update.clone()).await;

    assert_eq!(status, StatusCode::OK, "profile update is 200: {updated}");
    for (field, value) in update.as_object().into_iter().flatten() {
        assert_eq!(&updated[field], value, "{field} in the PUT response");
    }
    assert_eq!(updated["id"], json!(patient.id), "id is unchanged");
    assert_eq!(updated["email"], json!(patient.email), "email is unchanged");
    assert!(
        parse_instant(&updated["updatedAt"]) >= parse_instant(&before["updatedAt"]),
        "updatedAt moves forward"
    );
    let stored = patient.profile().await;
    assert_eq!(stored, updated, "GET returns what PUT stored");
}

#[tokio::test]
async fn profile_update_trims_values() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let mut update = minimal_profile();
    update["firstName"] = json!("  Mary   Ann ");
    update["allergies"] = json!([{"substance": " Latex ", "severity": "unknown"}]);

    let (_, _, updated) = patient.put(PROFILE, update).await;

    assert_eq!(
        updated["firstName"], "Mary Ann",
        "names are trimmed and collapsed"
    );
    assert_eq!(
        updated["allergies"][0]["substance"], "Latex",
        "list values are trimmed"
    );
    assert_eq!(
        updated["allergies"][0]["reaction"], "",
        "a missing reaction is empty"
    );
}

#[tokio::test]
async fn profile_update_replaces_optional_fields() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let (status, _, _) = patient.put(PROFILE, full_profile(json!(provider.id))).await;
    assert_eq!(status, StatusCode::OK, "the full update succeeds");

    let (status, _, updated) = patient.put(PROFILE, minimal_profile()).await;

    assert_eq!(status, StatusCode::OK, "the minimal update succeeds");
    for empty in [
        "sexAtBirth",
        "phone",
        "address",
        "emergencyContact",
        "primaryProviderId",
    ] {
        assert_eq!(updated[empty], Value::Null, "a missing {empty} clears it");
    }
    for list in ["allergies", "medications", "conditions"] {
        assert_eq!(updated[list], json!([]), "a missing {list} clears it");
    }
}

#[tokio::test]
async fn profile_update_names_invalid_fields() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (status, _, _) = patient.put(PROFILE, full_profile(Value::Null)).await;
    assert_eq!(status, StatusCode::OK, "the valid update succeeds");
    let before = patient.profile().await;
    let tomorrow = (today() + Duration::days(1)).to_string();
    let too_old = today()
        .checked_sub_months(Months::new(12 * 131))
        .map(|date| date.to_string())
        .unwrap_or_default();
    let cases: Vec<(&str, &str, Value)> = vec![
        ("firstName", "/firstName", json!("")),
        ("lastName", "/lastName", json!("x".repeat(101))),
        ("dateOfBirth", "/dateOfBirth", json!(tomorrow)),
        ("dateOfBirth", "/dateOfBirth", json!(too_old)),
        ("dateOfBirth", "/dateOfBirth", json!("1990-05-01T00:00:00Z")),
        ("dateOfBirth", "/dateOfBirth", json!("1990-02-30")),
        ("dateOfBirth", "/dateOfBirth", json!("01/05/1990")),
        ("phone", "/phone", json!("call me")),
        ("phone", "/phone", json!("12345")),
        ("address.line1", "/address/line1", json!(" ")),
        ("address.city", "/address/city", json!("")),
        (
            "emergencyContact.phone",
            "/emergencyContact/phone",
            json!("x"),
        ),
        ("emergencyContact.name", "/emergencyContact/name", json!("")),
        (
            "allergies[0].substance",
            "/allergies/0/substance",
            json!(""),
        ),
        (
            "allergies[1].reaction",
            "/allergies/1/reaction",
            json!("x".repeat(201)),
        ),
        (
            "allergies[0].severity",
            "/allergies/0/severity",
            json!("deadly"),
        ),
        ("medications[1].name", "/medications/1/name", json!("  ")),
        (
            "medications[0].dose",
            "/medications/0/dose",
            json!("x".repeat(51)),
        ),
        ("conditions[1].name", "/conditions/1/name", json!("")),
        ("sexAtBirth", "/sexAtBirth", json!("other")),
        (
            "primaryProviderId",
            "/primaryProviderId",
            json!(uuid::Uuid::new_v4()),
        ),
        ("primaryProviderId", "/primaryProviderId", json!(patient.id)),
        (
            "primaryProviderId",
            "/primaryProviderId",
            json!("not-a-uuid"),
        ),
    ];

    for (field, pointer, value) in cases {
        let mut update = full_profile(Value::Null);
        if let Some(slot) = update.pointer_mut(pointer) {
            *slot = value.clone();
        }
        let reply = patient.put(PROFILE, update).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {value:.40} is rejected"
        );
        assert_invalid_field(&reply, field);
    }

    let after = patient.profile().await;
    assert_eq!(after, before, "no rejected update changed the profile");
}

#[tokio::test]
async fn profile_update_limits_list_length() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let before = patient.profile().await;
    let mut update = minimal_profile();
    update["conditions"] = json!(
        (0..51)
            .map(|i| json!({"name": format!("c{i}")}))
            .collect::<Vec<_>>()
    );

    let reply = patient.put(PROFILE, update).await;

    assert_invalid_field(&reply, "conditions");
    assert_eq!(patient.profile().await, before, "the profile is unchanged");
}

#[tokio::test]
async fn profile_update_rejects_read_only_fields() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let before = patient.profile().await;
    let cases = [
        ("id", json!(uuid::Uuid::new_v4())),
        ("email", json!("someone-else@example.com")),
        ("updatedAt", json!("2020-01-01T00:00:00Z")),
        ("role", json!("provider")),
    ];

    for (field, value) in cases {
        let mut update = minimal_profile();
        update[field] = value;
        let reply = patient.put(PROFILE, update).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} is not editable"
        );
        assert_invalid_field(&reply, field);
    }

    assert_eq!(patient.profile().await, before, "the profile is unchanged");
    let (_, _, me) = patient.get("/api/v1/auth/me").await;
    assert_eq!(me["role"], "patient", "the account stays a patient");
}

#[tokio::test]
async fn profile_update_requires_required_fields() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for field in ["firstName", "lastName", "dateOfBirth"] {
        let mut update = minimal_profile();
        update.as_object_mut().map(|object| object.remove(field));
        let reply = patient.put(PROFILE, update).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} is required"
        );
        assert_invalid_field(&reply, field);
    }
}

#[tokio::test]
async fn profile_stores_names_literally() {
    let app = TestApp::spawn().await;
    let mut body = patient_body();
    body["firstName"] = json!("' OR 1=1 --");
    body["lastName"] = json!("Robert'); DROP TABLE users;--");
    let patient = app.register_patient_with(body).await;

    let profile = patient.profile().await;

    assert_eq!(
        profile["firstName"], "' OR 1=1 --",
        "firstName is stored as sent"
    );
    assert_eq!(
        profile["lastName"], "Robert'); DROP TABLE users;--",
        "lastName is stored as sent"
    );
    let other = app.register_patient().await;
    let (status, _, _) = other.get(PROFILE).await;
    assert_eq!(status, StatusCode::OK, "the users table is intact");
}

#[tokio::test]
async fn profile_requires_sign_in() {
    let app = TestApp::spawn().await;

    let reply = app.get(PROFILE, None).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn dashboard_skips_past_appointments() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    app.insert_past_appointment(&patient, &provider, 2, AppointmentStatus::Confirmed)
        .await;
    let future = patient.request_appointment(&provider, 24).await;

    let (_, _, dashboard) = patient.get(DASHBOARD).await;

    let listed: Vec<&Value> = dashboard["upcomingAppointments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|appointment| &appointment["id"])
        .collect();
    assert_eq!(
        listed,
        [&future["id"]],
        "only appointments that start in the future"
    );
}

#[tokio::test]
async fn dashboard_wellness_after_recent_visit() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let (_, _, before) = patient.get(DASHBOARD).await;
    assert!(
        reminder_kinds(&before)
            .iter()
            .any(|kind| kind == "wellness_visit"),
        "a patient without visits is reminded"
    );

    app.insert_past_appointment(&patient, &provider, 30, AppointmentStatus::Completed)
        .await;

    let (_, _, after) = patient.get(DASHBOARD).await;
    assert!(
        !reminder_kinds(&after)
            .iter()
            .any(|kind| kind == "wellness_visit"),
        "a visit 30 days ago satisfies the yearly checkup"
    );
}
