//! Two-step sign-in with TOTP over HTTP: enrolment, the second sign-in step, replay and
//! throttling, recovery codes, turning it off and the roles that must use it.

mod common;

use chrono::Duration;
use common::{
    Client, PASSWORD, Reply, TestApp, TestClock, TestOptions, assert_invalid_field, assert_problem,
    refresh_set_cookie,
};
use portal_core::model::Role;
use portal_core::throttle::{LoginThrottleSettings, ThrottleLimit};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECONDS: i64 = 30;

/// The authenticator app of one account.
struct Authenticator {
    totp: TOTP,
}

impl Authenticator {
    fn new(secret: &str, email: &str) -> Self {
        let bytes = Secret::Encoded(secret.to_owned())
            .to_bytes()
            .expect("the setup returns a base32 secret");
        let totp = TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            30,
            bytes,
            Some("Patient Portal".to_owned()),
            email.to_owned(),
        )
        .expect("the secret makes a valid TOTP generator");
        Self { totp }
    }

    /// Returns the code of a time step (Unix seconds / 30).
    fn code(&self, step: i64) -> String {
        self.totp.generate((step * STEP_SECONDS) as u64)
    }
}

/// Returns the portal's current time step.
fn current_step(app: &TestApp) -> i64 {
    app.portal.now().timestamp() / STEP_SECONDS
}

/// Turns two-step sign-in on with the code of the current step. Returns the authenticator,
/// the recovery codes and the step the confirmation used up.
async fn enrol(app: &TestApp, client: &Client) -> (Authenticator, Vec<String>, i64) {
    let (status, _, setup) = client.post_empty("/api/v1/auth/mfa/totp/setup").await;
    assert_eq!(status, StatusCode::OK, "setup failed: {setup}");
    let secret = setup["secret"].as_str().expect("setup returns the secret");
    let authenticator = Authenticator::new(secret, &client.email);
    let step = current_step(app);
    let (status, _, confirmed) = client
        .post(
            "/api/v1/auth/mfa/totp/confirm",
            json!({"code": authenticator.code(step)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "confirmation failed: {confirmed}");
    let codes = confirmed["recoveryCodes"]
        .as_array()
        .expect("confirmation returns recovery codes")
        .iter()
        .map(|code| code.as_str().expect("a recovery code is text").to_owned())
        .collect();
    (authenticator, codes, step)
}

/// Signs in with the password and returns the `mfaToken` of the second step.
async fn first_step(app: &TestApp, client: &Client) -> String {
    let (status, _, body) = app.login(&client.email, &client.password).await;
    assert_eq!(status, StatusCode::OK, "the password step failed: {body}");
    assert_eq!(
        body["mfaRequired"],
        json!(true),
        "a second step is required"
    );
    body["mfaToken"]
        .as_str()
        .expect("the first step returns an mfaToken")
        .to_owned()
}

async fn second_step(app: &TestApp, body: Value) -> Reply {
    app.post("/api/v1/auth/login/mfa", None, body).await
}

async fn actions_of(app: &TestApp, user: &Client) -> Vec<(String, String)> {
    app.audit_events()
        .await
        .into_iter()
        .filter(|event| {
            let id = user.id.hyphenated().to_string();
            event.actor_id.as_deref() == Some(id.as_str())
                || event.subject_id.as_deref() == Some(id.as_str())
        })
        .map(|event| (event.action, event.outcome))
        .collect()
}

fn has_event(events: &[(String, String)], action: &str, outcome: &str) -> bool {
    events
        .iter()
        .any(|(logged, result)| logged == action && result == outcome)
}

#[tokio::test]
async fn enrolment_round_trip() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    let (status, _, before) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(before["totpEnabled"], json!(false), "off at first");
    assert_eq!(before["recoveryCodesLeft"], json!(0), "no codes at first");
    assert_eq!(before["required"], json!(false), "not required in tests");

    let (status, _, setup) = patient.post_empty("/api/v1/auth/mfa/totp/setup").await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    let uri = setup["otpauthUri"].as_str().expect("setup returns the URI");
    assert!(
        uri.starts_with("otpauth://totp/Patient%20Portal:"),
        "URI names the issuer: {uri}"
    );
    let secret = setup["secret"].as_str().expect("setup returns the secret");
    assert!(uri.contains(secret), "URI carries the secret");
    let svg = setup["qrSvg"].as_str().expect("setup returns the QR code");
    assert!(svg.contains("<svg"), "the QR code is an SVG document");
    assert!(!svg.contains("<script"), "the SVG has no script");

    let authenticator = Authenticator::new(secret, &patient.email);
    let step = current_step(&app);
    let wrong = format!(
        "{:06}",
        (authenticator.code(step).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let rejected = patient
        .post("/api/v1/auth/mfa/totp/confirm", json!({"code": wrong}))
        .await;
    assert_invalid_field(&rejected, "code");
    let malformed = patient
        .post("/api/v1/auth/mfa/totp/confirm", json!({"code": "12ab56"}))
        .await;
    assert_invalid_field(&malformed, "code");

    let (status, _, confirmed) = patient
        .post(
            "/api/v1/auth/mfa/totp/confirm",
            json!({"code": authenticator.code(step)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let codes = confirmed["recoveryCodes"]
        .as_array()
        .expect("recovery codes");
    assert_eq!(codes.len(), 10, "ten recovery codes");

    let (_, _, after) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(after["totpEnabled"], json!(true), "on after confirmation");
    assert_eq!(after["recoveryCodesLeft"], json!(10), "all codes left");

    let again = patient.post_empty("/api/v1/auth/mfa/totp/setup").await;
    assert_problem(&again, StatusCode::CONFLICT);

    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.enable", "failed"),
        "{events:?}"
    );
    assert!(
        has_event(&events, "auth.mfa.enable", "success"),
        "{events:?}"
    );
}

#[tokio::test]
async fn setup_replaces_pending_setup() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (_, _, first) = patient.post_empty("/api/v1/auth/mfa/totp/setup").await;
    let (_, _, second) = patient.post_empty("/api/v1/auth/mfa/totp/setup").await;
    assert_ne!(first["secret"], second["secret"], "a new secret each time");

    let stale = Authenticator::new(first["secret"].as_str().unwrap(), &patient.email);
    let reply = patient
        .post(
            "/api/v1/auth/mfa/totp/confirm",
            json!({"code": stale.code(current_step(&app))}),
        )
        .await;
    assert_invalid_field(&reply, "code");
}

#[tokio::test]
async fn login_takes_two_steps() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;

    let (status, headers, body) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mfaRequired"], json!(true));
    assert!(body["accessToken"].is_null(), "no access token yet: {body}");
    assert!(
        refresh_set_cookie(&headers).is_none(),
        "no session cookie before the second step"
    );
    let expires = common::parse_instant(&body["mfaTokenExpiresAt"]);
    let lifetime = expires - app.portal.now();
    assert!(
        lifetime > Duration::minutes(4) && lifetime <= Duration::minutes(5),
        "the token lives 5 minutes: {lifetime}"
    );
    let mfa_token = body["mfaToken"].as_str().unwrap();

    let (status, headers, session) = second_step(
        &app,
        json!({"mfaToken": mfa_token, "code": authenticator.code(step + 1)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert!(
        refresh_set_cookie(&headers).is_some(),
        "the second step sets the session cookie"
    );
    let token = session["accessToken"].as_str().expect("an access token");
    let (status, _, me) = app.get("/api/v1/auth/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], json!(patient.id.hyphenated().to_string()));

    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.verify", "success"),
        "{events:?}"
    );
    assert!(has_event(&events, "auth.login", "success"), "{events:?}");
}

#[tokio::test]
async fn wrong_code_is_401() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;
    let mfa_token = first_step(&app, &patient).await;

    let right = authenticator.code(step + 1);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let reply = second_step(&app, json!({"mfaToken": mfa_token, "code": wrong})).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);
    let unknown_recovery = second_step(
        &app,
        json!({"mfaToken": mfa_token, "recoveryCode": "ABCDE-FGHJK"}),
    )
    .await;
    assert_problem(&unknown_recovery, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.2["detail"], unknown_recovery.2["detail"],
        "one message for every wrong code"
    );

    let malformed = second_step(&app, json!({"mfaToken": mfa_token, "code": "12"})).await;
    assert_invalid_field(&malformed, "code");
    let both = second_step(
        &app,
        json!({"mfaToken": mfa_token, "code": right, "recoveryCode": "ABCDE-FGHJK"}),
    )
    .await;
    assert_invalid_field(&both, "code");

    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.verify", "failed"),
        "{events:?}"
    );
}

#[tokio::test]
async fn reused_code_is_rejected() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;

    let confirm_code = authenticator.code(step);
    let mfa_token = first_step(&app, &patient).await;
    let reply = second_step(&app, json!({"mfaToken": mfa_token, "code": confirm_code})).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);

    let code = authenticator.code(step + 1);
    let (status, _, body) = second_step(&app, json!({"mfaToken": mfa_token, "code": code})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mfa_token = first_step(&app, &patient).await;
    let replay = second_step(&app, json!({"mfaToken": mfa_token, "code": code})).await;
    assert_problem(&replay, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn codes_follow_the_clock() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;

    clock.advance(Duration::seconds(3 * STEP_SECONDS));
    let mfa_token = first_step(&app, &patient).await;
    let stale = second_step(
        &app,
        json!({"mfaToken": mfa_token, "code": authenticator.code(step + 1)}),
    )
    .await;
    assert_problem(&stale, StatusCode::UNAUTHORIZED);

    let now = current_step(&app);
    let (status, _, body) = second_step(
        &app,
        json!({"mfaToken": mfa_token, "code": authenticator.code(now)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the current code works: {body}");
}

#[tokio::test]
async fn expired_mfa_token_is_rejected() {
    let clock = TestClock::default();
    let app = TestApp::spawn_with_clock(&clock).await;
    let patient = app.register_patient().await;
    let (authenticator, _, _) = enrol(&app, &patient).await;
    let mfa_token = first_step(&app, &patient).await;

    clock.advance(Duration::minutes(6));
    let code = authenticator.code(current_step(&app));
    let reply = second_step(&app, json!({"mfaToken": mfa_token, "code": code})).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_do_not_mix() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;
    let mfa_token = first_step(&app, &patient).await;

    let as_bearer = app.get("/api/v1/auth/me", Some(&mfa_token)).await;
    assert_problem(&as_bearer, StatusCode::UNAUTHORIZED);

    let access_as_mfa = second_step(
        &app,
        json!({"mfaToken": patient.token, "code": authenticator.code(step + 1)}),
    )
    .await;
    assert_problem(&access_as_mfa, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn recovery_code_works_once() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (_, codes, _) = enrol(&app, &patient).await;
    let typed = codes[0].replace('-', "").to_lowercase();

    let mfa_token = first_step(&app, &patient).await;
    let (status, _, body) =
        second_step(&app, json!({"mfaToken": mfa_token, "recoveryCode": typed})).await;
    assert_eq!(status, StatusCode::OK, "a recovery code signs in: {body}");

    let mfa_token = first_step(&app, &patient).await;
    let again = second_step(
        &app,
        json!({"mfaToken": mfa_token, "recoveryCode": codes[0]}),
    )
    .await;
    assert_problem(&again, StatusCode::UNAUTHORIZED);

    let (_, _, status_body) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(status_body["recoveryCodesLeft"], json!(9));
    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.recovery_used", "success"),
        "{events:?}"
    );
}

#[tokio::test]
async fn recovery_codes_are_replaced() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, old_codes, step) = enrol(&app, &patient).await;

    let (status, _, body) = patient
        .post(
            "/api/v1/auth/mfa/recovery-codes",
            json!({"code": authenticator.code(step + 1)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new_codes = body["recoveryCodes"].as_array().expect("new codes");
    assert_eq!(new_codes.len(), 10);

    let mfa_token = first_step(&app, &patient).await;
    let old = second_step(
        &app,
        json!({"mfaToken": mfa_token, "recoveryCode": old_codes[1]}),
    )
    .await;
    assert_problem(&old, StatusCode::UNAUTHORIZED);
    let (status, _, _) = second_step(
        &app,
        json!({"mfaToken": mfa_token, "recoveryCode": new_codes[1]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a new code works");

    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.recovery_codes", "success"),
        "{events:?}"
    );
}

#[tokio::test]
async fn codes_are_throttled() {
    let window = Duration::minutes(15);
    let app = TestApp::spawn_with_options(TestOptions {
        login_throttle: LoginThrottleSettings {
            per_account: ThrottleLimit {
                max_failures: 3,
                window,
            },
            per_address: ThrottleLimit {
                max_failures: 100,
                window,
            },
        },
        ..TestOptions::default()
    })
    .await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;
    let mfa_token = first_step(&app, &patient).await;
    let right = authenticator.code(step + 1);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);

    for attempt in 1..=3 {
        let reply = second_step(&app, json!({"mfaToken": mfa_token, "code": wrong})).await;
        assert_eq!(reply.0, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let throttled = second_step(&app, json!({"mfaToken": mfa_token, "code": right})).await;
    assert_problem(&throttled, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        throttled.1.get("retry-after").is_some(),
        "a throttled code has Retry-After"
    );

    // The password step no longer clears the account's failures.
    let password = app.login(&patient.email, PASSWORD).await;
    assert_problem(&password, StatusCode::TOO_MANY_REQUESTS);

    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.login.throttled", "denied"),
        "{events:?}"
    );
}

#[tokio::test]
async fn disable_needs_password_and_code() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;
    let code = authenticator.code(step + 1);

    let wrong_password = patient
        .send(
            Method::DELETE,
            "/api/v1/auth/mfa/totp",
            Some(json!({"currentPassword": "not the password", "code": code})),
        )
        .await;
    assert_invalid_field(&wrong_password, "currentPassword");
    let wrong_code = patient
        .send(
            Method::DELETE,
            "/api/v1/auth/mfa/totp",
            Some(json!({"currentPassword": PASSWORD, "code": authenticator.code(step)})),
        )
        .await;
    assert_invalid_field(&wrong_code, "code");
    let (_, _, still_on) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(
        still_on["totpEnabled"],
        json!(true),
        "failures change nothing"
    );

    let (status, _, body) = patient
        .send(
            Method::DELETE,
            "/api/v1/auth/mfa/totp",
            Some(json!({"currentPassword": PASSWORD, "code": code})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, off) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(off["totpEnabled"], json!(false));
    let (status, _, session) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        session["accessToken"].is_string(),
        "one step again: {session}"
    );

    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.disable", "failed"),
        "{events:?}"
    );
    assert!(
        has_event(&events, "auth.mfa.disable", "success"),
        "{events:?}"
    );
}

#[tokio::test]
async fn required_role_is_gated() {
    let app = TestApp::spawn_with_mfa_required(vec![Role::Patient]).await;
    let patient = app.register_patient().await;

    let blocked = patient.get("/api/v1/patient/dashboard").await;
    assert_problem(&blocked, StatusCode::FORBIDDEN);
    let detail = blocked.2["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("two-step sign-in"),
        "detail says what to do: {detail}"
    );

    let (status, _, me) = patient.get("/api/v1/auth/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["mfaEnrolmentRequired"], json!(true));
    let (status, _, mfa) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mfa["required"], json!(true));
    let (status, _, _) = patient.get("/api/v1/auth/sessions").await;
    assert_eq!(status, StatusCode::OK, "sessions stay open");

    let (authenticator, _, step) = enrol(&app, &patient).await;
    let (status, _, _) = patient.get("/api/v1/patient/dashboard").await;
    assert_eq!(status, StatusCode::OK, "open after enrolment");
    let (_, _, me) = patient.get("/api/v1/auth/me").await;
    assert!(
        me.get("mfaEnrolmentRequired").is_none(),
        "absent once enrolled: {me}"
    );

    let disable = patient
        .send(
            Method::DELETE,
            "/api/v1/auth/mfa/totp",
            Some(json!({"currentPassword": PASSWORD, "code": authenticator.code(step + 1)})),
        )
        .await;
    assert_problem(&disable, StatusCode::FORBIDDEN);
    let (_, _, still_on) = patient.get("/api/v1/auth/mfa").await;
    assert_eq!(still_on["totpEnabled"], json!(true));
    let events = actions_of(&app, &patient).await;
    assert!(
        has_event(&events, "auth.mfa.disable", "denied"),
        "{events:?}"
    );
}

#[tokio::test]
async fn optional_roles_are_not_gated() {
    let app = TestApp::spawn_with_mfa_required(vec![Role::Provider]).await;
    let patient = app.register_patient().await;
    let (status, _, _) = patient.get("/api/v1/patient/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    let provider = app.provider().await;
    let blocked = provider.get("/api/v1/provider/patients").await;
    assert_problem(&blocked, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn openapi_lists_mfa_routes() {
    let app = TestApp::spawn().await;
    let (status, _, document) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);

    let paths = &document["paths"];
    for path in [
        "/api/v1/auth/login/mfa",
        "/api/v1/auth/mfa",
        "/api/v1/auth/mfa/totp/setup",
        "/api/v1/auth/mfa/totp/confirm",
        "/api/v1/auth/mfa/totp",
        "/api/v1/auth/mfa/recovery-codes",
    ] {
        assert!(paths.get(path).is_some(), "{path} is documented");
    }
    let schemas = &document["components"]["schemas"];
    assert!(
        schemas["LoginBody"]["oneOf"].is_array(),
        "login's 200 body is one of two shapes: {}",
        schemas["LoginBody"]
    );
}

#[tokio::test]
async fn migration_keeps_two_step_sign_in() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;
    let (authenticator, _, step) = enrol(&app, &patient).await;

    let dir = tempfile::tempdir().expect("creating a temporary folder failed");
    let url = format!("sqlite://{}/copy.db", dir.path().display());
    let target =
        portal_server::database::open(&url, None, "the copy's URL", common::test_keyring())
            .await
            .expect("opening the target store failed");
    portal_server::migrate::copy(&*app.store, &*target, 100, false)
        .await
        .expect("copying the store failed");
    let original = app.store.find_totp(patient.id).await.unwrap();
    let copied = target.find_totp(patient.id).await.unwrap();
    assert!(original.is_some(), "the source has the credential");
    assert_eq!(copied, original, "the credential is copied as stored");

    let copy = TestApp::spawn_on(target).await;
    let mfa_token = first_step(&copy, &patient).await;
    let replay = second_step(
        &copy,
        json!({"mfaToken": mfa_token, "code": authenticator.code(step)}),
    )
    .await;
    assert_problem(&replay, StatusCode::UNAUTHORIZED);
    let (status, _, body) = second_step(
        &copy,
        json!({"mfaToken": mfa_token, "code": authenticator.code(step + 1)}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the copy accepts a new code: {body}"
    );
}

#[tokio::test]
async fn changes_need_an_authenticator() {
    let app = TestApp::spawn().await;
    let patient = app.register_patient().await;

    // More attempts than the sign-in throttle allows failures, so counting them would show.
    for _ in 0..3 {
        let disable = patient
            .send(
                Method::DELETE,
                "/api/v1/auth/mfa/totp",
                Some(json!({"currentPassword": PASSWORD, "code": "123456"})),
            )
            .await;
        assert_problem(&disable, StatusCode::CONFLICT);
        let regenerate = patient
            .post("/api/v1/auth/mfa/recovery-codes", json!({"code": "123456"}))
            .await;
        assert_problem(&regenerate, StatusCode::CONFLICT);
    }

    let (status, _, _) = app.login(&patient.email, PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the attempts did not count as failures"
    );
}
