//! Security headers on every kind of response: API results, pages and files of the web app,
//! health checks and errors. HTTPS-only headers are checked in tests/tls.rs.

mod common;

use common::{PROBLEM_JSON, TestApp, reply};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

const INDEX_HTML: &str = "<!doctype html><html><head>\
    <script type=\"module\" src=\"/assets/app.js\"></script></head>\
    <body><div id=\"root\"></div></body></html>";

/// Browser features that must be turned off, at the least.
const DISABLED_FEATURES: [&str; 6] = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "display-capture",
];

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Returns the source list of one content security policy directive, or `None` when the
/// policy lacks the directive.
fn directive<'a>(policy: &'a str, name: &str) -> Option<Vec<&'a str>> {
    policy.split(';').map(str::trim).find_map(|entry| {
        let mut words = entry.split_whitespace();
        (words.next() == Some(name)).then(|| words.collect())
    })
}

/// Asserts the headers every response carries, whatever its path or status.
fn assert_security_headers(headers: &HeaderMap, case: &str) {
    let policy = header(headers, "content-security-policy")
        .unwrap_or_else(|| panic!("{case}: no Content-Security-Policy"));
    assert!(
        !policy.contains("unsafe-inline"),
        "{case}: CSP allows inline code: {policy}"
    );
    assert!(
        !policy.contains("unsafe-eval"),
        "{case}: CSP allows eval: {policy}"
    );
    let expected = [
        ("default-src", vec!["'self'"]),
        ("script-src", vec!["'self'"]),
        ("style-src", vec!["'self'"]),
        ("object-src", vec!["'none'"]),
        ("base-uri", vec!["'none'"]),
        ("form-action", vec!["'self'"]),
        ("frame-ancestors", vec!["'none'"]),
    ];
    for (name, sources) in expected {
        assert_eq!(
            directive(policy, name),
            Some(sources),
            "{case}: CSP {name} in {policy}"
        );
    }

    assert_eq!(
        header(headers, "x-content-type-options"),
        Some("nosniff"),
        "{case}: X-Content-Type-Options"
    );
    assert_eq!(
        header(headers, "referrer-policy"),
        Some("no-referrer"),
        "{case}: Referrer-Policy"
    );
    assert_eq!(
        header(headers, "x-frame-options"),
        Some("DENY"),
        "{case}: X-Frame-Options"
    );
    assert_eq!(
        header(headers, "cross-origin-opener-policy"),
        Some("same-origin"),
        "{case}: Cross-Origin-Opener-Policy"
    );
    assert_eq!(
        header(headers, "cross-origin-resource-policy"),
        Some("same-origin"),
        "{case}: Cross-Origin-Resource-Policy"
    );

    let permissions = header(headers, "permissions-policy")
        .unwrap_or_else(|| panic!("{case}: no Permissions-Policy"));
    for entry in permissions.split(',').map(str::trim) {
        assert!(
            entry.ends_with("=()"),
            "{case}: Permissions-Policy enables {entry}"
        );
    }
    for feature in DISABLED_FEATURES {
        assert!(
            permissions
                .split(',')
                .any(|entry| entry.trim() == format!("{feature}=()")),
            "{case}: Permissions-Policy leaves {feature} on: {permissions}"
        );
    }

    // Browsers ignore HSTS over plain HTTP, and a proxy in front of the portal sets its own.
    assert_eq!(
        header(headers, "strict-transport-security"),
        None,
        "{case}: HSTS over plain HTTP"
    );
}

fn assert_no_store(headers: &HeaderMap, case: &str) {
    assert_eq!(
        header(headers, "cache-control"),
        Some("no-store"),
        "{case}: Cache-Control"
    );
}

#[tokio::test]
async fn api_responses_have_every_header() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let login = app.login(&patient.email, &patient.password).await;
    assert_eq!(login.0, StatusCode::OK, "sign-in: {}", login.2);
    let replies = [
        ("POST login", login),
        ("GET me", patient.get("/api/v1/auth/me").await),
        ("GET profile", patient.get("/api/v1/patient/profile").await),
        (
            "GET dashboard",
            patient.get("/api/v1/patient/dashboard").await,
        ),
        ("GET openapi", app.get("/api/v1/openapi.json", None).await),
    ];

    for (case, (status, headers, body)) in replies {
        assert_eq!(status, StatusCode::OK, "{case}: {body}");
        assert_security_headers(&headers, case);
        assert_no_store(&headers, case);
    }
}

#[tokio::test]
async fn web_app_responses_have_every_header() {
    let app = TestApp::spawn().await;
    std::fs::write(app.dir.path().join("index.html"), INDEX_HTML).unwrap();
    std::fs::create_dir_all(app.dir.path().join("assets")).unwrap();
    std::fs::write(
        app.dir.path().join("assets/app.js"),
        "document.title = 'Portal';\n",
    )
    .unwrap();
    let cases = [
        ("page /", "/", "text/html"),
        ("client-side route", "/patient/profile", "text/html"),
        ("script file", "/assets/app.js", "text/javascript"),
        ("health check", "/healthz", ""),
    ];

    for (case, path, content_type) in cases {
        let (status, headers, body) = app.get(path, None).await;
        assert_eq!(status, StatusCode::OK, "{case}: {body}");
        assert!(
            header(&headers, "content-type").is_some_and(|value| value.starts_with(content_type)),
            "{case}: Content-Type {:?}",
            header(&headers, "content-type")
        );
        assert_security_headers(&headers, case);
    }
}

#[tokio::test]
async fn error_responses_have_every_header() {
    let app = TestApp::spawn().await;
    let oversized = "x".repeat(70 * 1024);
    let api_errors = [
        (
            "404 unknown API path",
            app.get("/api/v1/nope", None).await,
            StatusCode::NOT_FOUND,
        ),
        (
            "404 API root",
            app.get("/api/", None).await,
            StatusCode::NOT_FOUND,
        ),
        (
            "401 without a token",
            app.get("/api/v1/auth/me", None).await,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "405 wrong method",
            app.send(Method::DELETE, "/api/v1/auth/login", None, None)
                .await,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "422 invalid body",
            app.post("/api/v1/auth/login", None, json!({"email": 7}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "413 body too large",
            reply(
                app.request(Method::POST, "/api/v1/auth/login")
                    .header("content-type", "application/json")
                    .body(format!("{{\"email\": \"{oversized}\"}}")),
            )
            .await,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];

    for (case, (status, headers, body), expected) in api_errors {
        assert_eq!(status, expected, "{case}: {body}");
        assert_eq!(
            header(&headers, "content-type"),
            Some(PROBLEM_JSON),
            "{case}: Content-Type"
        );
        assert_security_headers(&headers, case);
        assert_no_store(&headers, case);
    }

    let (status, headers, _) = app.get("/assets/missing.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "missing asset");
    assert_security_headers(&headers, "404 missing asset");
}
