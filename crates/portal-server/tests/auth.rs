//! `/api/v1/auth`: registration, sign-in, session renewal, sign-out and password change.

mod common;

use chrono::Utc;
use common::{
    NPI, PASSWORD, TestApp, assert_invalid_field, assert_problem, parse_instant, patient_body,
    provider_body, refresh_cookie_value, refresh_set_cookie, reply,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn register_patient_returns_session() {
    let app = TestApp::spawn().await;
    let body = patient_body();

    let (status, headers, session) = app
        .post("/api/v1/auth/register/patient", None, body.clone())
        .await;

    assert_eq!(status, StatusCode::CREATED, "registration is 201");
    let user = &session["user"];
    assert!(
        user["id"]
            .as_str()
            .is_some_and(|id| uuid::Uuid::try_parse(id).is_ok()),
        "user.id is a UUID"
    );
    assert_eq!(user["email"], body["email"], "user.email");
    assert_eq!(user["role"], "patient", "user.role");
    assert_eq!(user["firstName"], "Ana", "user.firstName");
    assert_eq!(user["lastName"], "Lopez", "user.lastName");
    assert_eq!(
        user.as_object().map(|user| user.len()),
        Some(5),
        "User has exactly id, email, role, firstName, lastName: {user}"
    );
    assert!(
        session["accessToken"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "accessToken is present"
    );
    let expires = session["accessTokenExpiresAt"].as_str().unwrap_or_default();
    assert!(
        expires.ends_with('Z'),
        "accessTokenExpiresAt is UTC: {expires}"
    );
    assert!(
        parse_instant(&session["accessTokenExpiresAt"]) > Utc::now(),
        "the access token expires in the future"
    );
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "a session response is never cached"
    );
}

#[tokio::test]
async fn register_patient_sets_refresh_cookie() {
    let app = TestApp::spawn().await;

    let (_, headers, _) = app
        .post("/api/v1/auth/register/patient", None, patient_body())
        .await;

    let cookie = refresh_set_cookie(&headers).expect("a portal_refresh cookie should be set");
    let attributes: Vec<String> = cookie
        .split(';')
        .map(|part| part.trim().to_ascii_lowercase())
        .collect();
    assert!(
        refresh_cookie_value(&headers).is_some_and(|value| value.len() >= 32),
        "the refresh token is long and random"
    );
    assert!(
        attributes.iter().any(|a| a == "httponly"),
        "the cookie is HttpOnly: {cookie}"
    );
    assert!(
        attributes.iter().any(|a| a == "samesite=strict"),
        "the cookie is SameSite=Strict: {cookie}"
    );
    assert!(
        attributes.iter().any(|a| a == "path=/api/v1/auth"),
        "the cookie is scoped to /api/v1/auth: {cookie}"
    );
    assert!(
        !attributes.iter().any(|a| a == "secure"),
        "development mode serves plain HTTP, so the cookie is not Secure: {cookie}"
    );
}

#[tokio::test]
async fn register_provider_returns_session() {
    let app = TestApp::spawn().await;
    let body = provider_body(&app.invite().await);

    let (status, headers, session) = app
        .post("/api/v1/auth/register/provider", None, body.clone())
        .await;

    assert_eq!(status, StatusCode::CREATED, "registration is 201");
    assert_eq!(session["user"]["role"], "provider", "user.role");
    assert_eq!(session["user"]["email"], body["email"], "user.email");
    assert!(session["accessToken"].is_string(), "accessToken is present");
    assert!(
        refresh_cookie_value(&headers).is_some(),
        "a refresh cookie is set"
    );
}

#[tokio::test]
async fn register_provider_invite_single_use() {
    let app = TestApp::spawn().await;
    let code = app.invite().await;
    let first = app
        .post("/api/v1/auth/register/provider", None, provider_body(&code))
        .await;
    assert_eq!(first.0, StatusCode::CREATED, "the first use succeeds");
    let second_body = provider_body(&code);

    let second = app
        .post("/api/v1/auth/register/provider", None, second_body.clone())
        .await;

    assert_invalid_field(&second, "inviteCode");
    let email = second_body["email"].as_str().unwrap_or_default();
    let (status, _, _) = app.login(email, PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no account exists after the rejected registration"
    );
}

#[tokio::test]
async fn register_provider_accepts_code_in_any_case() {
    let app = TestApp::spawn().await;
    let code = app.invite().await.to_lowercase().replace('-', " ");

    let (status, _, body) = app
        .post("/api/v1/auth/register/provider", None, provider_body(&code))
        .await;

    assert_eq!(
        status,
        StatusCode::CREATED,
        "codes ignore case and separators: {body}"
    );
}

#[tokio::test]
async fn register_provider_rejects_unknown_invite() {
    let app = TestApp::spawn().await;

    let reply = app
        .post(
            "/api/v1/auth/register/provider",
            None,
            provider_body("AAAA-BBBB-CCCC-DDDD"),
        )
        .await;

    assert_invalid_field(&reply, "inviteCode");
}

#[tokio::test]
async fn register_provider_rejects_bad_npi() {
    let app = TestApp::spawn().await;
    let code = app.invite().await;
    let cases = [
        ("1234567890", "wrong check digit"),
        ("123456789", "nine digits"),
        ("12345678a3", "a letter"),
    ];

    for (npi, case) in cases {
        let mut body = provider_body(&code);
        body["npi"] = json!(npi);
        let reply = app.post("/api/v1/auth/register/provider", None, body).await;
        assert_eq!(reply.0, StatusCode::UNPROCESSABLE_ENTITY, "npi with {case}");
        assert_invalid_field(&reply, "npi");
    }

    let mut valid = provider_body(&code);
    valid["npi"] = json!(NPI);
    let (status, _, _) = app
        .post("/api/v1/auth/register/provider", None, valid)
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a rejected request does not use up the invite"
    );
}

#[tokio::test]
async fn login_returns_session() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, headers, session) = app.login(&patient.email, PASSWORD).await;

    assert_eq!(status, StatusCode::OK, "sign-in is 200");
    assert_eq!(
        session["user"]["id"],
        json!(patient.id),
        "the session is the patient's"
    );
    assert_eq!(session["user"]["role"], "patient", "user.role");
    assert!(session["accessToken"].is_string(), "accessToken is present");
    assert!(
        refresh_cookie_value(&headers).is_some(),
        "a refresh cookie is set"
    );
}

#[tokio::test]
async fn login_rejects_wrong_password() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let reply = app.login(&patient.email, "not the right password").await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
    assert!(
        refresh_cookie_value(&reply.1).is_none(),
        "a failed sign-in sets no cookie"
    );
}

#[tokio::test]
async fn login_failure_same_for_unknown_email() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let wrong_password = app.login(&patient.email, "not the right password").await;
    let unknown_email = app.login("nobody@example.com", PASSWORD).await;

    assert_problem(&unknown_email, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_password.2, unknown_email.2,
        "one body for every sign-in failure, so accounts cannot be discovered"
    );
}

#[tokio::test]
async fn login_with_malformed_email_is_401() {
    let app = TestApp::spawn().await;

    let reply = app.login("not-an-email", PASSWORD).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_rotates_token() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, headers, session) = patient.refresh().await;

    assert_eq!(status, StatusCode::OK, "renewal is 200: {session}");
    let rotated = refresh_cookie_value(&headers).expect("a new refresh cookie should be set");
    assert_ne!(rotated, patient.refresh_token, "the refresh token changes");
    assert_eq!(
        session["user"]["id"],
        json!(patient.id),
        "the session is the same user's"
    );
    let token = session["accessToken"].as_str().unwrap_or_default();
    let (status, _, _) = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "the new access token works");
}

#[tokio::test]
async fn refresh_rejects_replayed_token() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (status, _, _) = patient.refresh().await;
    assert_eq!(status, StatusCode::OK, "the first renewal succeeds");

    let replay = app
        .request(reqwest::Method::POST, "/api/v1/auth/refresh")
        .header("X-Requested-With", "portal")
        .header(
            "Cookie",
            format!("portal_refresh={}", patient.refresh_token),
        );
    let reply = reply(replay).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_requires_csrf_header() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let cookie = format!("portal_refresh={}", patient.refresh_token);

    let missing = reply(
        app.request(reqwest::Method::POST, "/api/v1/auth/refresh")
            .header("Cookie", &cookie),
    )
    .await;
    let wrong = reply(
        app.request(reqwest::Method::POST, "/api/v1/auth/refresh")
            .header("Cookie", &cookie)
            .header("X-Requested-With", "XMLHttpRequest"),
    )
    .await;

    assert_problem(&missing, StatusCode::FORBIDDEN);
    assert_problem(&wrong, StatusCode::FORBIDDEN);
    let (status, _, _) = patient.refresh().await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the rejected attempts did not use up the refresh token"
    );
}

#[tokio::test]
async fn refresh_without_cookie_is_401() {
    let app = TestApp::spawn().await;

    let reply = reply(
        app.request(reqwest::Method::POST, "/api/v1/auth/refresh")
            .header("X-Requested-With", "portal"),
    )
    .await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_access_token() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, headers, body) = patient.post_empty("/api/v1/auth/logout").await;

    assert_eq!(status, StatusCode::NO_CONTENT, "sign-out is 204");
    assert_eq!(body, Value::Null, "204 has no body");
    let cleared = refresh_set_cookie(&headers).unwrap_or_default();
    assert!(
        cleared.to_ascii_lowercase().contains("max-age=0"),
        "the refresh cookie is cleared: {cleared}"
    );
    let reply = patient.get("/api/v1/auth/me").await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_refresh_token() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (status, _, _) = patient.post_empty("/api/v1/auth/logout").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "sign-out is 204");

    let replay = reply(
        app.request(reqwest::Method::POST, "/api/v1/auth/refresh")
            .header("X-Requested-With", "portal")
            .header(
                "Cookie",
                format!("portal_refresh={}", patient.refresh_token),
            ),
    )
    .await;

    assert_problem(&replay, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_keeps_other_sessions() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;

    let (status, _, _) = patient.post_empty("/api/v1/auth/logout").await;

    assert_eq!(status, StatusCode::NO_CONTENT, "sign-out is 204");
    let (status, _, _) = other.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "another device stays signed in");
}

#[tokio::test]
async fn me_returns_user() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, _, user) = patient.get("/api/v1/auth/me").await;

    assert_eq!(status, StatusCode::OK, "me is 200");
    assert_eq!(
        user, patient.session["user"],
        "me returns the session's user"
    );
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.sign_in(&patient.email, PASSWORD).await;
    let body = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});

    let (status, _, _) = patient.put("/api/v1/auth/password", body).await;

    assert_eq!(status, StatusCode::NO_CONTENT, "password change is 204");
    let stale = other.get("/api/v1/auth/me").await;
    assert_problem(&stale, StatusCode::UNAUTHORIZED);
    let (status, _, _) = other.refresh().await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the other session cannot be renewed"
    );
    let (status, _, _) = patient.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the current session keeps working");
    let (status, _, _) = patient.refresh().await;
    assert_eq!(status, StatusCode::OK, "the current session can be renewed");
}

#[tokio::test]
async fn password_change_switches_credentials() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let body = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});
    let (status, _, _) = patient.put("/api/v1/auth/password", body).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "password change is 204");

    let (new_status, _, _) = app.login(&patient.email, "a brand new passphrase").await;
    let (old_status, _, _) = app.login(&patient.email, PASSWORD).await;

    assert_eq!(new_status, StatusCode::OK, "the new password signs in");
    assert_eq!(
        old_status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer signs in"
    );
}

#[tokio::test]
async fn password_change_rejects_wrong_current() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let body = json!({"currentPassword": "not the right password", "newPassword": "a brand new passphrase"});

    let reply = patient.put("/api/v1/auth/password", body).await;

    assert_invalid_field(&reply, "currentPassword");
    let (status, _, _) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the old password still signs in");
    let (status, _, _) = patient.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "the session is not ended");
}

#[tokio::test]
async fn password_change_rejects_weak_new() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let cases = [
        ("short", "too short"),
        (patient.email.as_str(), "the email address"),
        (PASSWORD, "the current password"),
    ];

    for (new_password, case) in cases {
        let body = json!({"currentPassword": PASSWORD, "newPassword": new_password});
        let reply = patient.put("/api/v1/auth/password", body).await;
        assert_eq!(
            reply.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "new password is {case}"
        );
        assert_invalid_field(&reply, "newPassword");
    }

    let (status, _, _) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the password is unchanged");
}

#[tokio::test]
async fn password_change_requires_sign_in() {
    let app = TestApp::spawn().await;
    let body = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});

    let reply = app.put("/api/v1/auth/password", None, body).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_concurrent_use_once() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let attempt = || {
        reply(
            app.request(reqwest::Method::POST, "/api/v1/auth/refresh")
                .header("X-Requested-With", "portal")
                .header(
                    "Cookie",
                    format!("portal_refresh={}", patient.refresh_token),
                ),
        )
    };

    let (first, second) = tokio::join!(attempt(), attempt());

    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::UNAUTHORIZED],
        "a refresh token is used at most once, even by concurrent requests"
    );
}

#[tokio::test]
async fn provider_registration_rejects_taken_npi() {
    let app = TestApp::spawn().await;
    let first_code = app.invite().await;
    let first = provider_body(&first_code);
    let npi = first["npi"].clone();
    let (status, _, _) = app
        .post("/api/v1/auth/register/provider", None, first)
        .await;
    assert_eq!(status, StatusCode::CREATED, "first provider with the NPI");

    let code = app.invite().await;
    let mut second = provider_body(&code);
    second["npi"] = npi;
    let reply = app
        .post("/api/v1/auth/register/provider", None, second)
        .await;
    assert_eq!(
        reply.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "second provider with the NPI"
    );
    assert_invalid_field(&reply, "npi");

    let retry = provider_body(&code);
    let (status, _, _) = app
        .post("/api/v1/auth/register/provider", None, retry)
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the rejected attempt did not use up the invite"
    );
}
