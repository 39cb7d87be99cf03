//! The password policy over HTTP: patient and provider registration and password change
//! reject easy-to-guess passwords with a message that never repeats them.

mod common;

use common::{PASSWORD, TestApp, assert_invalid_field, patient_body, provider_body, reply};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Returns the message of the 422 error on `field`.
#[track_caller]
fn field_message(body: &Value, field: &str) -> String {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|error| error["field"] == field)
        .and_then(|error| error["message"].as_str())
        .unwrap_or_else(|| panic!("no error on {field}: {body}"))
        .to_owned()
}

#[tokio::test]
async fn patient_registration_rejects_weak_passwords() {
    let app = TestApp::spawn().await;
    let cases = [
        ("password1", "commonly used"),
        ("qwerty123", "commonly used"),
        ("iloveyou", "commonly used"),
        ("AnaLopez1990", "name or email"),
        ("short", "at least 8"),
    ];

    for (password, reason) in cases {
        let mut body = patient_body();
        body["password"] = json!(password);
        let email = body["email"].clone();
        let rejected = app.post("/api/v1/auth/register/patient", None, body).await;

        assert_eq!(rejected.0, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_invalid_field(&rejected, "password");
        let message = field_message(&rejected.2, "password");
        assert!(message.contains(reason), "{password}: {message}");
        assert!(!message.contains(password), "{password} echoed: {message}");
        let (status, _, _) = app.login(email.as_str().unwrap(), password).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{password}: no account");
    }
}

#[tokio::test]
async fn provider_registration_rejects_common_password() {
    let app = TestApp::spawn().await;
    let mut body = provider_body(&app.invite().await);
    body["password"] = json!("password1");

    let rejected = app.post("/api/v1/auth/register/provider", None, body).await;

    assert_invalid_field(&rejected, "password");
    assert!(field_message(&rejected.2, "password").contains("commonly used"));
}

#[tokio::test]
async fn password_change_rejects_common_password() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let body = json!({"currentPassword": PASSWORD, "newPassword": "qwerty123"});

    let rejected = patient.put("/api/v1/auth/password", body).await;

    assert_invalid_field(&rejected, "newPassword");
    assert!(field_message(&rejected.2, "newPassword").contains("commonly used"));
    let (status, _, _) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the old password still signs in");
}

#[tokio::test]
async fn long_passphrase_with_emoji_accepted() {
    let app = TestApp::spawn().await;
    let mut body = patient_body();
    let password = format!("lantern orbit {} kettle", "🦀".repeat(100));
    assert_eq!(password.chars().count(), 121);
    body["password"] = json!(password);

    let created = reply(
        app.request(reqwest::Method::POST, "/api/v1/auth/register/patient")
            .json(&body),
    )
    .await;

    assert_eq!(created.0, StatusCode::CREATED, "{}", created.2);
    let email = body["email"].as_str().unwrap();
    let (status, _, _) = app.login(email, &password).await;
    assert_eq!(status, StatusCode::OK, "the whole password signs in");
    let truncated: String = password.chars().take(72).collect();
    let (status, _, _) = app.login(email, &truncated).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "nothing is truncated");
}
