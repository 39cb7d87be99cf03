//! Access tokens: every token that is not exactly what the portal signed is 401.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use common::{TEST_SECRET, TestApp, assert_problem, test_keys, token_claims};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use portal_server::secret::Secret;
use portal_server::tokens::{TokenKeys, TokenSubject};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

const ME: &str = "/api/v1/auth/me";

/// Returns the claims the portal would sign for the token's session.
fn claims_like(token: &str) -> Value {
    let claims = token_claims(token);
    let now = Utc::now().timestamp();
    json!({
        "iss": "patient-portal",
        "aud": "patient-portal-api",
        "sub": claims["sub"],
        "sid": claims["sid"],
        "iat": now,
        "exp": now + 600,
    })
}

fn sign(algorithm: Algorithm, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("signing a test token failed")
}

fn subject_of(token: &str) -> TokenSubject {
    let claims = token_claims(token);
    let id = |name: &str| {
        claims[name]
            .as_str()
            .and_then(|id| Uuid::try_parse(id).ok())
            .expect("the token names a UUID")
    };
    TokenSubject {
        user_id: id("sub"),
        session_id: id("sid"),
    }
}

/// Replaces the character at `index` of the token's `part` (0 header, 1 payload, 2 signature)
/// with a different base64url character.
fn change_one_character(token: &str, part: usize, index: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut characters: Vec<char> = parts[part].chars().collect();
    characters[index] = if characters[index] == 'A' { 'B' } else { 'A' };
    parts[part] = characters.into_iter().collect();
    parts.join(".")
}

#[tokio::test]
async fn token_crafted_with_test_secret_works() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let token = sign(Algorithm::HS256, &claims_like(&patient.token), TEST_SECRET);

    let (status, _, _) = app.get(ME, Some(&token)).await;

    assert_eq!(
        status,
        StatusCode::OK,
        "a correctly signed token is accepted, so the rejections below test one defect each"
    );
}

#[tokio::test]
async fn token_tampered_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for (part, name) in [(0, "header"), (1, "payload"), (2, "signature")] {
        let tampered = change_one_character(&patient.token, part, 10);
        let reply = app.get(ME, Some(&tampered)).await;
        assert_eq!(
            reply.0,
            StatusCode::UNAUTHORIZED,
            "one character of the {name} changed"
        );
        assert_problem(&reply, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn token_with_swapped_subject_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other = app.register_patient().await;
    let mut claims = token_claims(&patient.token);
    claims["sub"] = json!(other.id);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let parts: Vec<&str> = patient.token.split('.').collect();
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);

    let reply = app.get(ME, Some(&forged)).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_expired_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (expired, _) = test_keys()
        .issue(subject_of(&patient.token), Utc::now() - Duration::hours(1))
        .expect("issuing a token failed");

    let reply = app.get(ME, Some(&expired)).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_other_secret_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let other_keys = TokenKeys::new(
        &Secret::new("a-different-secret-of-at-least-32-bytes".into()),
        Duration::minutes(15),
    );
    let (forged, _) = other_keys
        .issue(subject_of(&patient.token), Utc::now())
        .expect("issuing a token failed");

    let reply = app.get(ME, Some(&forged)).await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_alg_none_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let parts: Vec<&str> = patient.token.split('.').collect();

    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
        let unsigned = format!("{header}.{}.", parts[1]);
        let with_old_signature = format!("{header}.{}.{}", parts[1], parts[2]);
        let (status, _, _) = app.get(ME, Some(&unsigned)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "alg {alg} without a signature"
        );
        let (status, _, _) = app.get(ME, Some(&with_old_signature)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "alg {alg} with a signature"
        );
    }
}

#[tokio::test]
async fn token_other_algorithm_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign(algorithm, &claims_like(&patient.token), TEST_SECRET);
        let reply = app.get(ME, Some(&token)).await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn token_role_claim_grants_nothing() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let mut claims = claims_like(&patient.token);
    claims["role"] = json!("provider");

    // Re-signed with another key, the token is rejected outright.
    let forged = sign(
        Algorithm::HS256,
        &claims,
        "a-guessed-secret-of-at-least-32-bytes!",
    );
    let reply = app.get(ME, Some(&forged)).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);

    // Even with the real key, the role comes from the account, never from the token.
    let signed = sign(Algorithm::HS256, &claims, TEST_SECRET);
    let (status, _, _) = app.get("/api/v1/provider/patients", Some(&signed)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "still a patient");
}

#[tokio::test]
async fn token_wrong_audience_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let mut wrong = claims_like(&patient.token);
    wrong["aud"] = json!("another-api");
    let mut missing = claims_like(&patient.token);
    missing.as_object_mut().map(|claims| claims.remove("aud"));

    let (wrong_status, _, _) = app
        .get(ME, Some(&sign(Algorithm::HS256, &wrong, TEST_SECRET)))
        .await;
    let (missing_status, _, _) = app
        .get(ME, Some(&sign(Algorithm::HS256, &missing, TEST_SECRET)))
        .await;

    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED, "another audience");
    assert_eq!(missing_status, StatusCode::UNAUTHORIZED, "no audience");
}

#[tokio::test]
async fn token_wrong_issuer_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let mut claims = claims_like(&patient.token);
    claims["iss"] = json!("someone-else");

    let reply = app
        .get(ME, Some(&sign(Algorithm::HS256, &claims, TEST_SECRET)))
        .await;

    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_without_bearer_scheme_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    for header in [
        patient.token.clone(),
        format!("Token {}", patient.token),
        format!("Basic {}", patient.token),
        "Bearer ".to_owned(),
    ] {
        let request = app
            .request(reqwest::Method::GET, ME)
            .header("Authorization", header.as_str());
        let (status, _, _) = common::reply(request).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "Authorization: {header:.12}..."
        );
    }
}
