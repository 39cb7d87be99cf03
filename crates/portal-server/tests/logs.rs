//! The request log of the real binary in JSON: one line per request with the route template,
//! status, duration and request id, and no health data, passwords or tokens anywhere.

mod common;

use common::binary::{sign_in, start, terminate};
use serde_json::Value;

const PATIENT_EMAIL: &str = "patient@demo.portal.test";
const PATIENT_PASSWORD: &str = "demo-patient-2026";
const PROVIDER_EMAIL: &str = "provider@demo.portal.test";
const PROVIDER_PASSWORD: &str = "demo-provider-2026";

async fn get_json(http: &reqwest::Client, url: String, token: &str, request_id: &str) -> Value {
    let response = http
        .get(url)
        .bearer_auth(token)
        .header("X-Request-Id", request_id)
        .send()
        .await
        .expect("request failed");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok()),
        Some(request_id),
        "the request id is echoed"
    );
    response.json().await.expect("response is not JSON")
}

/// Returns the log lines, each parsed as JSON.
fn json_lines(log: &str) -> Vec<Value> {
    log.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"))
        })
        .collect()
}

/// Returns the "request finished" line of the request with `request_id`.
fn finished_line<'a>(lines: &'a [Value], request_id: &str) -> &'a Value {
    lines
        .iter()
        .find(|line| {
            line["message"] == "request finished" && line["span"]["request_id"] == request_id
        })
        .unwrap_or_else(|| panic!("no finished line for request {request_id}"))
}

#[tokio::test]
async fn json_log_has_route_templates_and_no_phi() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(dir.path(), &["--demo", "--log-format", "json"]).await;
    let base = running.base.clone();
    let http = reqwest::Client::new();

    let patient_token = sign_in(&base, PATIENT_EMAIL, PATIENT_PASSWORD).await;
    let profile = get_json(
        &http,
        format!("{base}/api/v1/patient/profile"),
        &patient_token,
        "log-test-profile",
    )
    .await;
    let patient_id = profile["id"].as_str().expect("profile id").to_owned();

    let provider_token = sign_in(&base, PROVIDER_EMAIL, PROVIDER_PASSWORD).await;
    let record = get_json(
        &http,
        format!("{base}/api/v1/provider/patients/{patient_id}"),
        &provider_token,
        "log-test-record",
    )
    .await;
    let search_name = record["lastName"].as_str().expect("last name").to_owned();
    let search = get_json(
        &http,
        format!("{base}/api/v1/provider/patients?q={search_name}"),
        &provider_token,
        "log-test-search",
    )
    .await;
    assert!(search["total"].as_u64() >= Some(1), "search: {search}");

    assert!(terminate(running).await.success());
    let log = std::fs::read_to_string(dir.path().join(common::binary::LOG_FILE)).unwrap();
    let lines = json_lines(&log);

    let record_line = finished_line(&lines, "log-test-record");
    assert_eq!(
        record_line["span"]["route"],
        "/api/v1/provider/patients/{id}"
    );
    assert_eq!(record_line["span"]["method"], "GET");
    assert_eq!(record_line["status"], 200);
    assert!(record_line["duration_ms"].is_f64(), "line: {record_line}");
    let search_line = finished_line(&lines, "log-test-search");
    assert_eq!(search_line["span"]["route"], "/api/v1/provider/patients");

    // Ids, names, contact details, clinical values, passwords and tokens never reach the log.
    let mut forbidden = vec![
        patient_id,
        search_name,
        PATIENT_EMAIL.to_owned(),
        PATIENT_PASSWORD.to_owned(),
        PROVIDER_PASSWORD.to_owned(),
        patient_token,
        provider_token,
    ];
    for field in ["firstName", "dateOfBirth", "phone"] {
        if let Some(value) = record[field].as_str() {
            forbidden.push(value.to_owned());
        }
    }
    for allergy in record["allergies"].as_array().into_iter().flatten() {
        if let Some(substance) = allergy["substance"].as_str() {
            forbidden.push(substance.to_owned());
        }
    }
    forbidden.retain(|value| value.len() >= 3);
    for value in &forbidden {
        assert!(
            !log.contains(value.as_str()),
            "the log contains a value it must not hold ({} characters)",
            value.len()
        );
    }
}
