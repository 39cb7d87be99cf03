//! HTTP-level errors under `/api/`: query strings, body size, content type, malformed JSON,
//! unknown paths and methods, and the headers and shape of every problem document.

mod common;

use common::{PASSWORD, TestApp, assert_problem, error_fields, patient_body, reply};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const REGISTER: &str = "/api/v1/auth/register/patient";

async fn assert_no_account(app: &TestApp, body: &Value) {
    let email = body["email"].as_str().unwrap_or_default();
    let (status, _, _) = app.login(email, PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no account was created");
}

fn cache_control(headers: &reqwest::header::HeaderMap) -> Option<&str> {
    headers.get("cache-control").and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn list_query_rejects_bad_values() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let routes = [
        (&patient, "/api/v1/patient/appointments"),
        (&patient, "/api/v1/patient/access-log"),
        (&patient, "/api/v1/providers"),
        (&provider, "/api/v1/provider/patients"),
        (&provider, "/api/v1/provider/appointments"),
    ];
    let queries = [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=99999999999", "page"),
    ];

    for (client, path) in routes {
        for (query, field) in queries {
            let reply = client.get(&format!("{path}?{query}")).await;
            assert_eq!(reply.0, StatusCode::BAD_REQUEST, "{path}?{query}");
            assert_problem(&reply, StatusCode::BAD_REQUEST);
            assert!(
                error_fields(&reply.2).iter().any(|name| name == field),
                "{path}?{query} names {field}: {}",
                reply.2
            );
        }
    }
}

#[tokio::test]
async fn list_query_accepts_bounds() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for query in ["limit=1", "limit=100", "page=1", "page=2&limit=50"] {
        let (status, _, _) = patient
            .get(&format!("/api/v1/patient/appointments?{query}"))
            .await;
        assert_eq!(status, StatusCode::OK, "?{query} is valid");
    }
}

#[tokio::test]
async fn body_over_limit_is_413() {
    let app = TestApp::spawn().await;
    let mut body = patient_body();
    body["firstName"] = json!("x".repeat(1024 * 1024));

    let reply = app.post(REGISTER, None, body.clone()).await;

    assert_problem(&reply, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        cache_control(&reply.1),
        Some("no-store"),
        "Cache-Control on 413"
    );
    assert_no_account(&app, &body).await;
}

#[tokio::test]
async fn body_over_limit_signed_in_is_413() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let before = patient.profile().await;
    let conditions: Vec<Value> = (0..20_000)
        .map(|i| json!({"name": format!("condition {i}")}))
        .collect();
    let body = json!({
        "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-05-01",
        "conditions": conditions,
    });

    let reply = patient.put("/api/v1/patient/profile", body).await;

    assert_problem(&reply, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(patient.profile().await, before, "the profile is unchanged");
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let body = patient_body();
    let text = body.to_string();
    let cases = [
        (Some("text/plain"), "text/plain"),
        (Some("application/x-www-form-urlencoded"), "a form"),
        (Some("application/jsonx"), "a look-alike"),
        (None, "no content type"),
    ];

    for (content_type, case) in cases {
        let mut request = app.request(Method::POST, REGISTER).body(text.clone());
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let reply = reply(request).await;
        assert_eq!(reply.0, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{case}");
        assert_problem(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    assert_no_account(&app, &body).await;
}

#[tokio::test]
async fn json_content_type_with_charset_is_accepted() {
    let app = TestApp::spawn().await;
    let body = patient_body();

    let request = app
        .request(Method::POST, REGISTER)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body.to_string());
    let (status, _, _) = reply(request).await;

    assert_eq!(status, StatusCode::CREATED, "a charset parameter is fine");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::spawn().await;
    let valid = patient_body();
    let cases = [
        ("{".to_owned(), "an unfinished object"),
        (r#"{"email": }"#.to_owned(), "a missing value"),
        (format!("{valid} trailing"), "trailing text"),
        (format!("{valid}{valid}"), "two documents"),
        ("".to_owned(), "an empty body"),
        ("{'email': 'a@example.com'}".to_owned(), "single quotes"),
    ];

    for (text, case) in cases {
        let request = app
            .request(Method::POST, REGISTER)
            .header("Content-Type", "application/json")
            .body(text);
        let reply = reply(request).await;
        assert_eq!(reply.0, StatusCode::BAD_REQUEST, "{case}");
        assert_problem(&reply, StatusCode::BAD_REQUEST);
        assert!(reply.2["errors"].is_array(), "{case}: errors is a list");
    }

    assert_no_account(&app, &valid).await;
}

#[tokio::test]
async fn wrong_json_type_is_422() {
    let app = TestApp::spawn().await;

    for body in [json!([]), json!("text"), json!(null), json!(42)] {
        let reply = app.post(REGISTER, None, body.clone()).await;
        assert_eq!(reply.0, StatusCode::UNPROCESSABLE_ENTITY, "body {body}");
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn unknown_api_path_is_404() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let cases = [
        (Method::GET, "/api/v1/nope"),
        (Method::GET, "/api/nope"),
        (Method::GET, "/api/v2/auth/me"),
        (Method::GET, "/api/v1/patient/nope"),
        (Method::POST, "/api/v1/patient/appointments/x/reschedule"),
        (Method::GET, "/api/"),
        (Method::GET, "/api"),
    ];

    for (method, path) in cases {
        let reply = patient.send(method.clone(), path, None).await;
        assert_eq!(reply.0, StatusCode::NOT_FOUND, "{method} {path}");
        assert_problem(&reply, StatusCode::NOT_FOUND);
        assert_eq!(
            cache_control(&reply.1),
            Some("no-store"),
            "{method} {path} is not cached"
        );
    }
}

#[tokio::test]
async fn wrong_method_is_405() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let cases = [
        (Method::DELETE, "/api/v1/patient/profile"),
        (Method::GET, "/api/v1/auth/login"),
        (Method::POST, "/api/v1/patient/dashboard"),
        (Method::PUT, "/api/v1/auth/me"),
    ];

    for (method, path) in cases {
        let reply = patient.send(method.clone(), path, None).await;
        assert_eq!(reply.0, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_problem(&reply, StatusCode::METHOD_NOT_ALLOWED);
    }
}

#[tokio::test]
async fn api_responses_have_no_store() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let anonymous = app.get("/api/v1/patient/profile", None).await;
    let invalid = app.post(REGISTER, None, json!({})).await;
    let login = app.login(&patient.email, PASSWORD).await;
    let replies = [
        ("GET profile", patient.get("/api/v1/patient/profile").await),
        (
            "GET dashboard",
            patient.get("/api/v1/patient/dashboard").await,
        ),
        ("GET me", patient.get("/api/v1/auth/me").await),
        ("GET openapi", patient.get("/api/v1/openapi.json").await),
        ("POST login", login),
        ("401", anonymous),
        ("422", invalid),
        (
            "logout 204",
            patient.post_empty("/api/v1/auth/logout").await,
        ),
    ];

    for (case, (_, headers, _)) in replies {
        assert_eq!(cache_control(&headers), Some("no-store"), "{case}");
    }
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::spawn().await;
    let api = app.get("/api/v1/nope", None).await;
    let health = app.get("/healthz", None).await;

    for (case, (_, headers, _)) in [("api", api), ("healthz", health)] {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{case}: nosniff"
        );
        assert_eq!(
            header("x-frame-options").as_deref(),
            Some("DENY"),
            "{case}: frames denied"
        );
        assert!(
            header("content-security-policy")
                .is_some_and(|csp| csp.contains("frame-ancestors 'none'")),
            "{case}: a content security policy"
        );
    }
}

#[tokio::test]
async fn problem_never_echoes_values() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let secret = "SENTINEL-Hypertension-555-0199";
    let secret_email = "sentinel-hypertension@example";
    let mut bad_register = patient_body();
    bad_register["email"] = json!(secret_email);
    bad_register["firstName"] = json!(format!("{secret}\u{0007}"));
    bad_register["consent"] = json!(secret);
    bad_register["dateOfBirth"] = json!(secret);
    let mut duplicate = patient_body();
    duplicate["email"] = json!(patient.email);
    let profile = json!({
        "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": secret,
        "phone": secret, "sexAtBirth": secret,
        "allergies": [{"substance": "", "reaction": secret, "severity": secret}],
    });
    let appointment = json!({
        "providerId": secret, "preferredStart": secret, "visitType": secret, "reason": secret,
    });
    let replies = [
        ("registration", app.post(REGISTER, None, bad_register).await),
        ("duplicate email", app.post(REGISTER, None, duplicate).await),
        (
            "login",
            app.post("/api/v1/auth/login", None, json!({"email": secret_email, "password": secret}))
                .await,
        ),
        ("profile", patient.put("/api/v1/patient/profile", profile).await),
        (
            "appointment",
            patient.post("/api/v1/patient/appointments", appointment).await,
        ),
        (
            "appointment reason",
            patient
                .post(
                    "/api/v1/patient/appointments",
                    common::appointment_body(provider.id, &format!("{secret}T")),
                )
                .await,
        ),
        (
            "unknown field",
            patient
                .put(
                    "/api/v1/patient/profile",
                    json!({"firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-05-01", "notes": secret}),
                )
                .await,
        ),
        (
            "search",
            provider
                .get(&format!("/api/v1/provider/patients?q={}", "x".repeat(101)))
                .await,
        ),
        (
            "status",
            patient
                .get(&format!("/api/v1/patient/appointments?status={secret}"))
                .await,
        ),
    ];

    for (case, (status, headers, body)) in replies {
        assert!(status.is_client_error(), "{case} is rejected: {status}");
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some(common::PROBLEM_JSON),
            "{case} is a problem document"
        );
        let text = body.to_string();
        assert!(!text.contains("SENTINEL"), "{case} echoes a value: {text}");
        assert!(
            !text.contains("sentinel"),
            "{case} echoes the email: {text}"
        );
        assert!(
            !text.contains(&patient.email),
            "{case} echoes an email: {text}"
        );
    }
}

#[tokio::test]
async fn problem_has_standard_members() {
    let app = TestApp::spawn().await;

    let (_, _, body) = app
        .post(REGISTER, None, json!({"email": "a@example.com"}))
        .await;

    assert_eq!(body["type"], "about:blank", "type");
    assert_eq!(body["title"], "Unprocessable Content", "title");
    assert_eq!(body["status"], 422, "status");
    assert!(body["detail"].is_string(), "detail");
    let first = &body["errors"][0];
    assert!(first["field"].is_string(), "errors[].field");
    assert!(first["message"].is_string(), "errors[].message");
}

#[tokio::test]
async fn request_id_is_echoed_or_assigned() {
    let app = TestApp::spawn().await;

    let kept = reply(
        app.request(Method::GET, "/healthz")
            .header("X-Request-Id", "trace-123"),
    )
    .await;
    let replaced = reply(
        app.request(Method::GET, "/healthz")
            .header("X-Request-Id", "bad id with spaces"),
    )
    .await;

    let id = |headers: &reqwest::header::HeaderMap| {
        headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        id(&kept.1).as_deref(),
        Some("trace-123"),
        "a valid id is kept"
    );
    assert!(
        id(&replaced.1).is_some_and(|value| uuid::Uuid::try_parse(&value).is_ok()),
        "an invalid id is replaced by a UUID"
    );
}

#[tokio::test]
async fn undecodable_id_is_404() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let provider = app.provider().await;
    let unknown = provider
        .get(&format!(
            "/api/v1/provider/patients/{}",
            uuid::Uuid::new_v4()
        ))
        .await;
    let cases = [
        (&provider, Method::GET, "/api/v1/provider/patients/%FF"),
        (
            &provider,
            Method::POST,
            "/api/v1/provider/appointments/%FF/confirm",
        ),
        (
            &provider,
            Method::POST,
            "/api/v1/provider/appointments/%C3%28/decline",
        ),
        (
            &patient,
            Method::POST,
            "/api/v1/patient/appointments/%FF/cancel",
        ),
    ];

    for (client, method, path) in cases {
        let reply = client.send(method.clone(), path, None).await;
        assert_eq!(reply.0, StatusCode::NOT_FOUND, "{method} {path}");
        assert_problem(&reply, StatusCode::NOT_FOUND);
        assert_eq!(
            reply.2, unknown.2,
            "{method} {path}: the same body as an unknown id"
        );
    }

    let write = provider
        .send(
            Method::PUT,
            "/api/v1/provider/patients/%FF",
            Some(json!({})),
        )
        .await;
    assert_problem(&write, StatusCode::FORBIDDEN);
}
