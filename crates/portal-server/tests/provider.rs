//! `/api/v1/providers` (the directory) and `/api/v1/provider/patients`.

mod common;

use common::{Client, TestApp, assert_problem, born_years_ago, parse_instant};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PATIENTS: &str = "/api/v1/provider/patients";
const PROVIDERS: &str = "/api/v1/providers";

fn last_names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["lastName"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Registers a patient and puts them in the provider's care with an appointment request.
async fn patient_in_care(app: &TestApp, provider: &Client, first: &str, last: &str) -> Client {
    let patient = app.register_patient_named(first, last).await;
    patient.request_appointment(provider, 24).await;
    patient
}

/// Searches the provider's patients, percent-encoding the query.
async fn search(provider: &Client, q: &str) -> Value {
    let encoded: String = q
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => char::from(byte).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    let (status, _, list) = provider.get(&format!("{PATIENTS}?q={encoded}")).await;
    assert_eq!(status, StatusCode::OK, "search for {q:?} failed: {list}");
    list
}

#[tokio::test]
async fn providers_directory_lists_providers() {
    let app = TestApp::spawn().await;
    let dana = app.provider().await;
    app.provider_named("Sam", "Okafor").await;
    let patient = app.register_patient().await;

    let (status, _, list) = patient.get(PROVIDERS).await;

    assert_eq!(status, StatusCode::OK, "the directory is 200 for a patient");
    assert_eq!(list["total"], 2, "both providers are listed");
    assert_eq!(
        last_names(&list),
        ["Okafor", "Reyes"],
        "ordered by last name"
    );
    let item = &list["items"][1];
    assert_eq!(
        item,
        &json!({"id": dana.id, "firstName": "Dana", "lastName": "Reyes", "specialty": "Family medicine"}),
        "an entry contains only the public fields (no email or NPI)"
    );
    let (status, _, _) = dana.get(PROVIDERS).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the directory is 200 for a provider"
    );
}

#[tokio::test]
async fn providers_directory_filters_by_prefix() {
    let app = TestApp::spawn().await;
    app.provider().await;
    app.provider_named("Sam", "Okafor").await;
    let patient = app.register_patient().await;

    let (_, _, by_first) = patient.get(&format!("{PROVIDERS}?q=DA")).await;
    let (_, _, by_last) = patient.get(&format!("{PROVIDERS}?q=oka")).await;
    let (_, _, inner) = patient.get(&format!("{PROVIDERS}?q=eyes")).await;

    assert_eq!(
        last_names(&by_first),
        ["Reyes"],
        "first-name prefix, any case"
    );
    assert_eq!(
        last_names(&by_last),
        ["Okafor"],
        "last-name prefix, any case"
    );
    assert_eq!(inner["total"], 0, "only prefixes match");
}

#[tokio::test]
async fn providers_directory_requires_sign_in() {
    let app = TestApp::spawn().await;

    let reply = app.get(PROVIDERS, None).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn provider_patients_lists_care_only() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let other_provider = app.provider_named("Sam", "Okafor").await;
    let by_appointment = patient_in_care(&app, &provider, "Ana", "Lopez").await;
    let by_primary = app.register_patient_named("Ben", "Adams").await;
    let update = json!({
        "firstName": "Ben", "lastName": "Adams", "dateOfBirth": "1990-05-01",
        "primaryProviderId": provider.id,
    });
    assert_eq!(
        by_primary.put("/api/v1/patient/profile", update).await.0,
        StatusCode::OK
    );
    patient_in_care(&app, &other_provider, "Cleo", "Zimmer").await;
    app.register_patient_named("Dan", "Young").await;

    let (status, _, list) = provider.get(PATIENTS).await;

    assert_eq!(status, StatusCode::OK, "the list is 200");
    assert_eq!(
        last_names(&list),
        ["Adams", "Lopez"],
        "patients by appointment or primary provider, by last name"
    );
    assert_eq!(list["total"], 2, "total");
    let ids: Vec<&Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(
        ids,
        [&json!(by_primary.id), &json!(by_appointment.id)],
        "ids"
    );
}

#[tokio::test]
async fn provider_patients_item_shape() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let date_of_birth = born_years_ago(42, 3);
    let patient = app.register_patient_born(date_of_birth).await;
    let later = patient.request_appointment(&provider, 96).await;
    let sooner = patient.request_appointment(&provider, 48).await;
    let cancelled = patient.request_appointment(&provider, 24).await;
    let path = format!(
        "/api/v1/patient/appointments/{}/cancel",
        cancelled["id"].as_str().unwrap_or_default()
    );
    assert_eq!(patient.post_empty(&path).await.0, StatusCode::OK);

    let (_, _, list) = provider.get(PATIENTS).await;

    let item = &list["items"][0];
    assert_eq!(item["id"], json!(patient.id), "id");
    assert_eq!(item["firstName"], "Ana", "firstName");
    assert_eq!(item["lastName"], "Lopez", "lastName");
    assert_eq!(
        item["dateOfBirth"],
        json!(date_of_birth.to_string()),
        "dateOfBirth"
    );
    assert_eq!(item["age"], 42, "age on the clinic's date");
    assert_eq!(
        parse_instant(&item["nextAppointment"]),
        parse_instant(&sooner["preferredStart"]),
        "the soonest requested or confirmed start, skipping the cancelled one"
    );
    assert_ne!(
        item["nextAppointment"], later["preferredStart"],
        "not a later appointment"
    );
    assert_eq!(
        item.as_object().map(|item| item.len()),
        Some(6),
        "an item contains id, names, dateOfBirth, age and nextAppointment only: {item}"
    );
}

#[tokio::test]
async fn provider_patients_next_appointment_null() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;
    let appointment = patient.request_appointment(&provider, 24).await;
    let path = format!(
        "/api/v1/provider/appointments/{}/decline",
        appointment["id"].as_str().unwrap_or_default()
    );
    assert_eq!(provider.post_empty(&path).await.0, StatusCode::OK);

    let (_, _, list) = provider.get(PATIENTS).await;

    assert_eq!(
        list["total"], 1,
        "a declined request keeps the patient in care"
    );
    assert_eq!(
        list["items"][0]["nextAppointment"],
        Value::Null,
        "no requested or confirmed appointment is ahead"
    );
}

#[tokio::test]
async fn provider_patients_search_prefix() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    patient_in_care(&app, &provider, "Maria", "Lopez").await;
    patient_in_care(&app, &provider, "Mario", "Smith").await;
    patient_in_care(&app, &provider, "Ann", "Marlow").await;
    patient_in_care(&app, &provider, "Bob", "Jones").await;
    patient_in_care(&app, &provider, "Émile", "Ödegaard").await;

    let cases = [
        (
            "mar",
            vec!["Lopez", "Marlow", "Smith"],
            "first or last name",
        ),
        ("MAR", vec!["Lopez", "Marlow", "Smith"], "any case"),
        ("  mar ", vec!["Lopez", "Marlow", "Smith"], "trimmed"),
        ("maria", vec!["Lopez"], "a longer prefix"),
        ("marl", vec!["Marlow"], "a last-name prefix"),
        ("ar", vec![], "only the start of a name"),
        ("jones", vec!["Jones"], "a whole last name"),
        ("émile", vec!["Ödegaard"], "accented first name"),
        ("ÖDE", vec!["Ödegaard"], "accented capitals"),
        (
            "",
            vec!["Jones", "Lopez", "Marlow", "Smith", "Ödegaard"],
            "empty lists everyone",
        ),
    ];
    for (q, expected, case) in cases {
        let list = search(&provider, q).await;
        let mut names = last_names(&list);
        names.sort();
        assert_eq!(names, expected, "q={q:?}: {case}");
        assert_eq!(list["total"], expected.len(), "total for q={q:?}");
    }
}

#[tokio::test]
async fn provider_patients_wildcards_literal() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    patient_in_care(&app, &provider, "Al_ex", "Smith").await;
    patient_in_care(&app, &provider, "Alfex", "Jones").await;
    patient_in_care(&app, &provider, "100%", "Brown").await;
    patient_in_care(&app, &provider, "1000", "Green").await;
    patient_in_care(&app, &provider, "Back\\slash", "White").await;

    let cases = [
        ("al_", vec!["Smith"], "_ matches only an underscore"),
        ("_", vec![], "_ alone matches nothing here"),
        ("100%", vec!["Brown"], "% matches only a percent sign"),
        ("%", vec![], "% alone matches nothing here"),
        ("back\\", vec!["White"], "a backslash matches itself"),
    ];
    for (q, expected, case) in cases {
        let list = search(&provider, q).await;
        assert_eq!(last_names(&list), expected, "q={q:?}: {case}");
        assert_eq!(list["total"], expected.len(), "total for q={q:?}");
    }
}

#[tokio::test]
async fn provider_patients_paginates() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    for last in ["Evans", "Adams", "Davis", "Brown", "Clark"] {
        patient_in_care(&app, &provider, "Pat", last).await;
    }
    app.register_patient_named("Pat", "Outside").await;

    let (_, _, first) = provider.get(&format!("{PATIENTS}?page=1&limit=2")).await;
    let (_, _, second) = provider.get(&format!("{PATIENTS}?page=2&limit=2")).await;
    let (_, _, third) = provider.get(&format!("{PATIENTS}?page=3&limit=2")).await;
    let (_, _, beyond) = provider.get(&format!("{PATIENTS}?page=9&limit=2")).await;
    let (_, _, searched) = provider
        .get(&format!("{PATIENTS}?q=pat&page=2&limit=4"))
        .await;

    assert_eq!(last_names(&first), ["Adams", "Brown"], "page 1");
    assert_eq!(last_names(&second), ["Clark", "Davis"], "page 2");
    assert_eq!(last_names(&third), ["Evans"], "page 3");
    assert_eq!(last_names(&beyond), Vec::<String>::new(), "past the end");
    for page in [&first, &second, &third, &beyond] {
        assert_eq!(page["total"], 5, "total counts only patients in care");
        assert_eq!(page["limit"], 2, "limit is echoed");
    }
    assert_eq!(last_names(&searched), ["Evans"], "search and pages combine");
    assert_eq!(searched["total"], 5, "total of the search");
}

#[tokio::test]
async fn provider_patient_profile_read_only() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;
    let patient = patient_in_care(&app, &provider, "Ana", "Lopez").await;
    let update = json!({
        "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-05-01",
        "allergies": [{"substance": "Penicillin", "reaction": "Hives", "severity": "severe"}],
        "medications": [{"name": "Metformin", "dose": "500 mg", "frequency": "twice daily"}],
    });
    assert_eq!(
        patient.put("/api/v1/patient/profile", update).await.0,
        StatusCode::OK
    );
    let own = patient.profile().await;

    let (status, headers, profile) = provider.get(&format!("{PATIENTS}/{}", patient.id)).await;

    assert_eq!(status, StatusCode::OK, "a patient in care is readable");
    assert_eq!(
        profile, own,
        "the provider sees the same profile as the patient"
    );
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "PHI is never cached"
    );
}

#[tokio::test]
async fn provider_patient_unknown_is_404() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;

    let unknown = provider
        .get(&format!("{PATIENTS}/{}", uuid::Uuid::new_v4()))
        .await;
    let malformed = provider.get(&format!("{PATIENTS}/not-a-uuid")).await;

    assert_problem(&unknown, StatusCode::NOT_FOUND);
    assert_problem(&malformed, StatusCode::NOT_FOUND);
    assert_eq!(unknown.2, malformed.2, "one body for every missing id");
}

#[tokio::test]
async fn provider_patients_rejects_long_query() {
    let app = TestApp::spawn().await;
    let provider = app.provider().await;

    let reply = provider
        .get(&format!("{PATIENTS}?q={}", "a".repeat(101)))
        .await;

    assert_problem(&reply, StatusCode::BAD_REQUEST);
}
