//! Invalid registration and sign-in bodies: each is rejected with the right status, and no
//! account is created.

mod common;

use chrono::Duration;
use common::{
    PASSWORD, TestApp, assert_invalid_field, assert_problem, patient_body, today, unique_email,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const REGISTER: &str = "/api/v1/auth/register/patient";

/// Asserts that no account exists for the registration body, by trying to sign in with it.
async fn assert_no_account(app: &TestApp, body: &Value, case: &str) {
    let email = body["email"].as_str().unwrap_or_default();
    let password = body["password"].as_str().unwrap_or(PASSWORD);
    let (status, _, _) = app.login(email, password).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no account was created ({case})"
    );
}

#[tokio::test]
async fn registration_requires_consent_true() {
    let app = TestApp::spawn().await;
    let cases = [
        ("missing", None),
        ("false", Some(json!(false))),
        ("the string \"true\"", Some(json!("true"))),
        ("1", Some(json!(1))),
        ("null", Some(Value::Null)),
    ];

    for (case, consent) in cases {
        let mut body = patient_body();
        match consent {
            Some(value) => body["consent"] = value,
            None => {
                body.as_object_mut().map(|object| object.remove("consent"));
            }
        }
        let reply = app.post(REGISTER, None, body.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "consent {case} is rejected"
        );
        assert_invalid_field(&reply, "consent");
        assert_no_account(&app, &body, case).await;
    }
}

#[tokio::test]
async fn registration_requires_current_policy() {
    let app = TestApp::spawn().await;
    let mut body = patient_body();
    body["consentVersion"] = json!("2020-01-01");

    let reply = app.post(REGISTER, None, body.clone()).await;

    assert_invalid_field(&reply, "consentVersion");
    assert_no_account(&app, &body, "old policy").await;
}

#[tokio::test]
async fn registration_rejects_unknown_fields() {
    let app = TestApp::spawn().await;
    let cases = [
        ("role", json!("provider")),
        ("role", json!("admin")),
        ("id", json!(uuid::Uuid::new_v4())),
        ("isAdmin", json!(true)),
        ("primaryProviderId", json!(uuid::Uuid::new_v4())),
    ];

    for (field, value) in cases {
        let mut body = patient_body();
        body[field] = value.clone();
        let reply = app.post(REGISTER, None, body.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value} is rejected"
        );
        assert_invalid_field(&reply, field);
        assert_no_account(&app, &body, field).await;
    }
}

#[tokio::test]
async fn registration_provider_rejects_role_field() {
    let app = TestApp::spawn().await;
    let mut body = common::provider_body(&app.invite().await);
    body["role"] = json!("admin");

    let reply = app
        .post("/api/v1/auth/register/provider", None, body.clone())
        .await;

    assert_invalid_field(&reply, "role");
    assert_no_account(&app, &body, "provider with role").await;
}

#[tokio::test]
async fn registration_role_comes_from_endpoint() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (_, _, me) = patient.get("/api/v1/auth/me").await;
    let reply = patient.get("/api/v1/provider/patients").await;

    assert_eq!(
        me["role"], "patient",
        "the patient endpoint makes a patient"
    );
    assert_problem(&reply, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn registration_email_case_conflicts() {
    let app = TestApp::spawn().await;
    let local = uuid::Uuid::new_v4().simple().to_string();
    let mut first = patient_body();
    first["email"] = json!(format!("Ana.{local}@Example.com"));
    let registered = app.register_patient_with(first).await;
    let spellings = [
        format!("ana.{local}@example.com"),
        format!("ANA.{local}@EXAMPLE.COM"),
        format!("  ana.{local}@example.com  "),
    ];

    for spelling in &spellings {
        let mut again = patient_body();
        again["email"] = json!(spelling);
        let reply = app.post(REGISTER, None, again).await;
        assert_eq!(
            reply.0,
            StatusCode::CONFLICT,
            "{spelling:?} is already registered"
        );
        assert_problem(&reply, StatusCode::CONFLICT);
    }

    assert_eq!(
        registered.email,
        format!("ana.{local}@example.com"),
        "the email is stored trimmed and lower-cased"
    );
    for spelling in &spellings {
        let (status, _, session) = app.login(spelling, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "sign-in with {spelling:?}");
        assert_eq!(
            session["user"]["id"],
            json!(registered.id),
            "{spelling:?} is the same account"
        );
    }
}

#[tokio::test]
async fn registration_rejects_operator_values() {
    let app = TestApp::spawn().await;
    let operator = json!({"$ne": ""});
    let cases = [
        ("email", operator.clone()),
        ("password", operator.clone()),
        ("firstName", json!({"$gt": ""})),
        ("email", json!(["a@example.com"])),
        ("email", json!(42)),
    ];

    for (field, value) in cases {
        let mut body = patient_body();
        body[field] = value.clone();
        let reply = app.post(REGISTER, None, body).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value} is rejected"
        );
        assert_invalid_field(&reply, field);
    }
}

#[tokio::test]
async fn login_rejects_operator_values() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let cases = [
        json!({"email": {"$ne": ""}, "password": {"$ne": ""}}),
        json!({"email": patient.email, "password": {"$ne": ""}}),
        json!({"email": {"$regex": ".*"}, "password": PASSWORD}),
    ];

    for body in cases {
        let reply = app.post("/api/v1/auth/login", None, body.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "login with {body}"
        );
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn login_rejects_sql_shaped_email() {
    let app = TestApp::spawn().await;
    app.register_patient().await;

    let reply = app.login("' OR 1=1 --", "' OR 1=1 --").await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn registration_rejects_sql_shaped_email() {
    let app = TestApp::spawn().await;
    for email in ["' OR 1=1 --", "a@example.com' OR '1'='1"] {
        let mut body = patient_body();
        body["email"] = json!(email);
        let reply = app.post(REGISTER, None, body).await;
        assert_eq!(reply.0, StatusCode::UNPROCESSABLE_ENTITY, "email {email:?}");
        assert_invalid_field(&reply, "email");
    }
}

#[tokio::test]
async fn registration_rejects_bad_birth_date() {
    let app = TestApp::spawn().await;
    let cases = [
        ((today() + Duration::days(1)).to_string(), "tomorrow"),
        ("2999-01-01".to_owned(), "far in the future"),
        ("1990-05-01T00:00:00Z".to_owned(), "with a time part"),
        ("1990-05-01T00:00:00".to_owned(), "with a local time"),
        ("1990-05-01 00:00".to_owned(), "with a space and time"),
        ("1990-02-30".to_owned(), "not a real date"),
        ("05/01/1990".to_owned(), "another format"),
        ("1850-01-01".to_owned(), "more than 130 years ago"),
    ];

    for (date_of_birth, case) in cases {
        let mut body = patient_body();
        body["dateOfBirth"] = json!(date_of_birth);
        let reply = app.post(REGISTER, None, body.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "date of birth {case} is rejected"
        );
        assert_invalid_field(&reply, "dateOfBirth");
        assert_no_account(&app, &body, case).await;
    }
}

#[tokio::test]
async fn registration_accepts_birth_today() {
    let app = TestApp::spawn().await;
    let mut body = patient_body();
    body["dateOfBirth"] = json!(today().to_string());

    let (status, _, _) = app.post(REGISTER, None, body).await;

    assert_eq!(status, StatusCode::CREATED, "a newborn can be registered");
}

#[tokio::test]
async fn registration_rejects_weak_password() {
    let app = TestApp::spawn().await;
    let email = unique_email("patient");
    let cases = [
        ("short".to_owned(), "seven characters or fewer"),
        ("ééééééé".to_owned(), "seven accented characters"),
        ("x".repeat(129), "129 characters"),
        (email.to_uppercase(), "the email address"),
    ];

    for (password, case) in cases {
        let mut body = patient_body();
        body["email"] = json!(email);
        body["password"] = json!(password);
        let reply = app.post(REGISTER, None, body.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "password of {case} is rejected"
        );
        assert_invalid_field(&reply, "password");
        assert_no_account(&app, &body, case).await;
    }
}

#[tokio::test]
async fn registration_rejects_bad_names() {
    let app = TestApp::spawn().await;
    let cases = [
        ("firstName", json!(""), "empty"),
        ("firstName", json!("   "), "blank"),
        ("lastName", json!("x".repeat(101)), "101 characters"),
        ("lastName", json!("Lo\u{0007}pez"), "a control character"),
    ];

    for (field, value, case) in cases {
        let mut body = patient_body();
        body[field] = value;
        let reply = app.post(REGISTER, None, body.clone()).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} {case} is rejected"
        );
        assert_invalid_field(&reply, field);
        assert_no_account(&app, &body, case).await;
    }
}

#[tokio::test]
async fn registration_names_every_invalid_field() {
    let app = TestApp::spawn().await;
    let body = json!({
        "email": "not-an-email",
        "password": "short",
        "firstName": "",
        "lastName": "",
        "dateOfBirth": "tomorrow",
        "consent": false,
        "consentVersion": "old",
    });

    let reply = app.post(REGISTER, None, body).await;

    for field in [
        "email",
        "firstName",
        "lastName",
        "dateOfBirth",
        "consent",
        "consentVersion",
    ] {
        assert_invalid_field(&reply, field);
    }
}

#[tokio::test]
async fn registration_concurrent_duplicate_conflicts() {
    let app = TestApp::spawn().await;
    let body = patient_body();

    let (first, second) = tokio::join!(
        app.post(REGISTER, None, body.clone()),
        app.post(REGISTER, None, body.clone())
    );

    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "one account per email, even for concurrent requests"
    );
}
