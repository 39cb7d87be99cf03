//! Health checks, the OpenAPI document and the web app fallback.

mod common;

use common::{TestApp, assert_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Every method and path of the HTTP contract, with the sessions routes that docs/API-NOTES.md
/// adds to it.
const CONTRACT: [(&str, &str); 33] = [
    ("post", "/api/v1/auth/register/patient"),
    ("post", "/api/v1/auth/register/provider"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/me"),
    ("put", "/api/v1/auth/password"),
    ("get", "/api/v1/auth/sessions"),
    ("delete", "/api/v1/auth/sessions/{id}"),
    ("post", "/api/v1/auth/sessions/end-others"),
    ("post", "/api/v1/auth/login/mfa"),
    ("get", "/api/v1/auth/mfa"),
    ("post", "/api/v1/auth/mfa/totp/setup"),
    ("post", "/api/v1/auth/mfa/totp/confirm"),
    ("delete", "/api/v1/auth/mfa/totp"),
    ("post", "/api/v1/auth/mfa/recovery-codes"),
    ("get", "/api/v1/patient/dashboard"),
    ("get", "/api/v1/patient/profile"),
    ("put", "/api/v1/patient/profile"),
    ("get", "/api/v1/patient/appointments"),
    ("post", "/api/v1/patient/appointments"),
    ("post", "/api/v1/patient/appointments/{id}/cancel"),
    ("get", "/api/v1/patient/access-log"),
    ("get", "/api/v1/providers"),
    ("get", "/api/v1/provider/patients"),
    ("get", "/api/v1/provider/patients/{id}"),
    ("post", "/api/v1/provider/emergency-access"),
    ("get", "/api/v1/provider/appointments"),
    ("post", "/api/v1/provider/appointments/{id}/confirm"),
    ("post", "/api/v1/provider/appointments/{id}/decline"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/api/v1/openapi.json"),
];

#[tokio::test]
async fn healthz_returns_ok() {
    let app = TestApp::spawn().await;

    let (status, _, _) = app.get("/healthz", None).await;

    assert_eq!(status, StatusCode::OK, "healthz is 200");
}

#[tokio::test]
async fn readyz_returns_ok() {
    let app = TestApp::spawn().await;

    let (status, _, _) = app.get("/readyz", None).await;

    assert_eq!(
        status,
        StatusCode::OK,
        "readyz is 200 while the database responds"
    );
}

#[tokio::test]
async fn readyz_reports_closed_database() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    app.store.close().await;

    let (ready, _, _) = app.get("/readyz", None).await;
    let (health, _, _) = app.get("/healthz", None).await;
    let reply = patient.get("/api/v1/patient/profile").await;
    assert_eq!(ready, StatusCode::SERVICE_UNAVAILABLE, "readyz is 503");
    assert_eq!(health, StatusCode::OK, "the process still runs");
    assert_problem(&reply, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        reply.1.get("retry-after").is_some(),
        "503 says when to retry"
    );
}

#[tokio::test]
async fn openapi_lists_every_contract_path() {
    let app = TestApp::spawn().await;

    let (status, headers, document) = app.get("/api/v1/openapi.json", None).await;

    assert_eq!(status, StatusCode::OK, "openapi.json is 200");
    assert!(
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json")),
        "served as JSON"
    );
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "an OpenAPI 3.1 document: {}",
        document["openapi"]
    );
    for (method, path) in CONTRACT {
        assert!(
            document["paths"][path][method].is_object(),
            "{} {path} is documented",
            method.to_uppercase()
        );
    }
}

#[tokio::test]
async fn openapi_documents_no_other_paths() {
    let app = TestApp::spawn().await;

    let (_, _, document) = app.get("/api/v1/openapi.json", None).await;

    let documented: Vec<(String, String)> = document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| {
                    ["get", "put", "post", "delete", "patch"].contains(&key.as_str())
                })
                .map(|(method, _)| (method.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (method, path) in &documented {
        assert!(
            CONTRACT.contains(&(method.as_str(), path.as_str())),
            "{method} {path} is documented but not in the contract"
        );
    }
}

#[tokio::test]
async fn openapi_marks_protected_routes() {
    let app = TestApp::spawn().await;

    let (_, _, document) = app.get("/api/v1/openapi.json", None).await;

    let profile = &document["paths"]["/api/v1/patient/profile"]["get"];
    let login = &document["paths"]["/api/v1/auth/login"]["post"];
    assert!(
        profile["security"].is_array(),
        "the profile needs a bearer token"
    );
    assert_eq!(login["security"], Value::Null, "sign-in needs no token");
    assert!(
        document["components"]["securitySchemes"]["bearer"].is_object(),
        "the bearer scheme is described"
    );
}

#[tokio::test]
async fn web_paths_serve_the_app() {
    let app = TestApp::spawn().await;
    let page = "<!doctype html><title>Portal</title>";
    std::fs::write(app.dir.path().join("index.html"), page).expect("writing index.html failed");

    let (status, headers, body) = app.get("/patients/123", None).await;
    let api = app.get("/api/v1/unknown", None).await;
    let api_root = app.get("/api/", None).await;

    assert_eq!(status, StatusCode::OK, "client-side routes serve the app");
    assert!(
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html")),
        "as HTML"
    );
    assert_eq!(body, Value::String(page.into()), "the index page");
    assert_problem(&api, StatusCode::NOT_FOUND);
    assert_problem(&api_root, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn openapi_describes_problem_responses() {
    let app = TestApp::spawn().await;

    let (_, _, document) = app.get("/api/v1/openapi.json", None).await;

    let login = &document["paths"]["/api/v1/auth/login"]["post"]["responses"];
    for status in ["400", "401", "413", "415", "422", "500", "503"] {
        let schema = &login[status]["content"]["application/problem+json"]["schema"]["$ref"];
        assert_eq!(
            schema,
            &json!("#/components/schemas/Problem"),
            "login {status} has a problem document body"
        );
    }
    let dashboard = &document["paths"]["/api/v1/patient/dashboard"]["get"]["responses"];
    assert!(dashboard.get("401").is_some(), "dashboard lists 401");
    let providers = &document["paths"]["/api/v1/providers"]["get"]["responses"];
    assert!(
        providers.get("403").is_some(),
        "signed-in routes list the 403 of the two-step sign-in gate"
    );
    assert!(
        dashboard.get("422").is_none(),
        "dashboard takes no body, so no 422"
    );
    let problem = &document["components"]["schemas"]["Problem"]["properties"];
    assert!(problem.get("errors").is_some(), "Problem schema has errors");
}
