//! The `portal` binary itself: `serve --demo`, `serve` without demo data, `seed` and
//! `invite create`, each run as a real process in its own temporary folder.

mod common;

use std::path::Path;
use std::time::Duration;

use common::binary::{portal, start, terminate};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::process::Command;

const NPI: &str = "1234567893";

async fn login(base: &str, email: &str, password: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request failed");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str, token: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request failed")
        .json()
        .await
        .expect("response is not JSON")
}

#[tokio::test]
async fn serve_demo_seeds_and_prints_logins() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(dir.path(), &["--demo"]).await;

    assert!(
        running.banner.contains("patient@demo.portal.test"),
        "banner: {}",
        running.banner
    );
    assert!(
        running.banner.contains("provider@demo.portal.test"),
        "banner: {}",
        running.banner
    );
    assert!(
        running.banner.contains("DEMO-INVITE-CODE-2026"),
        "banner: {}",
        running.banner
    );
    assert!(
        dir.path().join("data/portal.db").is_file(),
        "database file not created"
    );
    let log = running.log_text();
    assert!(
        !log.contains("data key file is missing"),
        "a first start warned about a missing data key: {log}"
    );

    let (status, session) = login(
        &running.base,
        "provider@demo.portal.test",
        "demo-provider-2026",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "demo provider sign-in");
    let token = session["accessToken"].as_str().unwrap();
    let providers = get(&running.base, "/api/v1/providers", token).await;
    assert!(
        providers["total"].as_u64() >= Some(3),
        "providers: {providers}"
    );
    let patients = get(&running.base, "/api/v1/provider/patients?limit=1", token).await;
    assert!(
        patients["total"].as_u64() >= Some(50),
        "patients in care: {patients}"
    );

    let (status, session) = login(
        &running.base,
        "patient@demo.portal.test",
        "demo-patient-2026",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "demo patient sign-in");
    let token = session["accessToken"].as_str().unwrap();
    let past = get(
        &running.base,
        "/api/v1/patient/appointments?status=completed",
        token,
    )
    .await;
    assert!(
        past["total"].as_u64() >= Some(1),
        "past appointments: {past}"
    );
    let dashboard = get(&running.base, "/api/v1/patient/dashboard", token).await;
    let upcoming = dashboard["upcomingAppointments"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(upcoming >= 1, "upcoming appointments: {dashboard}");

    let status = terminate(running).await;
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[tokio::test]
async fn serve_demo_twice_keeps_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path(), &["--demo"]).await;
    assert!(
        first.banner.contains("Demo data created"),
        "banner: {}",
        first.banner
    );
    assert!(terminate(first).await.success());

    let second = start(dir.path(), &["--demo"]).await;
    assert!(
        second.banner.contains("already present"),
        "banner: {}",
        second.banner
    );
    let (_, session) = login(
        &second.base,
        "provider@demo.portal.test",
        "demo-provider-2026",
    )
    .await;
    let token = session["accessToken"].as_str().unwrap();
    let providers = get(&second.base, "/api/v1/providers", token).await;
    assert_eq!(
        providers["total"],
        json!(4),
        "providers after restart: {providers}"
    );
}

#[tokio::test]
async fn serve_without_demo_seeds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(dir.path(), &[]).await;

    let (status, _) = login(
        &running.base,
        "patient@demo.portal.test",
        "demo-patient-2026",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "demo login exists without --demo"
    );
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/register/patient", running.base))
        .json(&json!({
            "email": "first@example.com", "password": "a long enough password",
            "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-01-01",
            "consent": true, "consentVersion": "2026-12-01"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let session: Value = response.json().await.unwrap();
    let token = session["accessToken"].as_str().unwrap();
    let providers = get(&running.base, "/api/v1/providers", token).await;
    assert_eq!(providers["total"], json!(0), "providers: {providers}");
}

#[tokio::test]
async fn invite_create_prints_single_use_code() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal(dir.path())
        .args(["invite", "create", "--ttl-hours", "2"])
        .output()
        .await
        .expect("running invite create failed");
    assert!(output.status.success(), "invite create failed: {output:?}");
    let code = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert_eq!(code.len(), 19, "code {code:?}");

    let running = start(dir.path(), &[]).await;
    let register = |email: &'static str| {
        let body = json!({
            "email": email, "password": "a long enough password", "firstName": "Dana",
            "lastName": "Reyes", "npi": NPI, "specialty": "Family medicine",
            "inviteCode": code.to_lowercase(),
        });
        let url = format!("{}/api/v1/auth/register/provider", running.base);
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        register("first@example.com").await,
        StatusCode::CREATED,
        "first use"
    );
    assert_eq!(
        register("second@example.com").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "second use"
    );
}

#[tokio::test]
async fn seed_gives_each_patient_three_appointments() {
    use sqlx::{Connection, Row, SqliteConnection};

    let dir = tempfile::tempdir().unwrap();
    let seeded = portal(dir.path())
        .args(["seed", "--patients", "6"])
        .output()
        .await
        .unwrap();
    assert!(seeded.status.success(), "seed failed: {seeded:?}");

    let url = format!("sqlite://{}", dir.path().join("data/portal.db").display());
    let mut raw = SqliteConnection::connect(&url)
        .await
        .expect("open the seeded database");
    let rows = sqlx::query(
        "SELECT p.user_id, COUNT(a.id) AS appointments FROM patients p \
         LEFT JOIN appointments a ON a.patient_id = p.user_id GROUP BY p.user_id",
    )
    .fetch_all(&mut raw)
    .await
    .expect("count appointments per patient");
    assert_eq!(rows.len(), 6, "six patients are seeded");
    for row in rows {
        let count: i64 = row.get("appointments");
        assert_eq!(count, 3, "every seeded patient has three appointments");
    }
}

#[tokio::test]
async fn seed_refuses_non_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let first = portal(dir.path())
        .args(["seed", "--patients", "5"])
        .output()
        .await
        .unwrap();
    assert!(first.status.success(), "first seed failed: {first:?}");

    let second = portal(dir.path())
        .args(["seed", "--patients", "5"])
        .output()
        .await
        .unwrap();
    assert!(!second.status.success(), "second seed succeeded");
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(
        message.contains("already has accounts"),
        "stderr: {message}"
    );
}

#[tokio::test]
async fn production_rejects_seed() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal(dir.path())
        .env("PORTAL_ENV", "production")
        .env("PORTAL_JWT_SECRET", PRODUCTION_SECRET)
        .env("PORTAL_DATA_KEY", PRODUCTION_DATA_KEY)
        .args(["seed", "--patients", "5"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success(), "seed succeeded in production");
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("not allowed when PORTAL_ENV=production"),
        "stderr: {message}"
    );
    assert!(
        !dir.path().join("data/portal.db").exists(),
        "a rejected seed created the database"
    );
}

#[tokio::test]
async fn production_rejects_demo_and_missing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["serve", "--demo"], "--demo is not allowed"),
        (&["serve"], "PORTAL_JWT_SECRET is required"),
        (&["serve"], "PORTAL_DATA_KEY is required"),
    ];
    for (args, expected) in cases {
        let output = portal(dir.path())
            .env("PORTAL_ENV", "production")
            .args(args)
            .output()
            .await
            .unwrap();
        assert!(!output.status.success(), "{args:?} started in production");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains(expected), "{args:?} stderr: {message}");
    }
}

#[tokio::test]
async fn sigterm_right_after_start_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for round in 1..=3 {
        let running = start(dir.path(), &[]).await;
        let status = terminate(running).await;
        assert!(status.success(), "round {round}: exit status {status}");
    }
}

/// A token-signing secret fit for production, made for these tests only.
const PRODUCTION_SECRET: &str = "cli-test-Tq7Wm2Xc9Lr4Bz1Nv6Hd3Ks8Pf0Gy5Ja";

/// A data key fit for production, made for these tests only.
const PRODUCTION_DATA_KEY: &str = "cli-test:q3J9bX2mK7vR1tY8wZ4pL6nC0sD5fG2hA9eU3iO7kM0=";

/// `portal serve` in production mode behind a trusted proxy with a good secret, so each
/// refusal test breaks exactly one setting.
fn production_serve(dir: &Path) -> Command {
    let mut command = portal(dir);
    command
        .env("PORTAL_ENV", "production")
        .env("PORTAL_JWT_SECRET", PRODUCTION_SECRET)
        .env("PORTAL_DATA_KEY", PRODUCTION_DATA_KEY)
        .env("PORTAL_TRUSTED_PROXIES", "127.0.0.1")
        .env_remove("PORTAL_TLS_CERT")
        .env_remove("PORTAL_TLS_KEY")
        .args(["serve", "--bind", "127.0.0.1:0"]);
    command
}

/// Runs the command, asserts that it exits with an error before listening, and returns its
/// standard error.
async fn failed_start(mut command: Command, case: &str) -> String {
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .unwrap_or_else(|_| panic!("{case}: the portal did not exit within 60 s"))
        .expect("running the portal binary failed");
    assert!(!output.status.success(), "{case}: the portal started");
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("Portal listening"),
        "{case}: the portal listened"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn production_rejects_each_unsafe_setting() {
    let development_secret = "development-value-generated-into-the-data-folder";
    let cases: [(&str, Option<&str>, &[&str], &str); 7] = [
        ("missing secret", None, &[], "PORTAL_JWT_SECRET is required"),
        (
            "short secret",
            Some("short-secret-value"),
            &[],
            "PORTAL_JWT_SECRET must be at least 32 bytes",
        ),
        (
            "secret of the test harness",
            Some("integration-test-secret-of-at-least-32-bytes"),
            &[],
            "PORTAL_JWT_SECRET is a placeholder or a value published",
        ),
        (
            "placeholder secret",
            Some("REPLACE_ME-REPLACE_ME-REPLACE_ME-REPLACE_ME"),
            &[],
            "PORTAL_JWT_SECRET is a placeholder",
        ),
        (
            "development secret",
            Some(development_secret),
            &[],
            "PORTAL_JWT_SECRET equals the development secret in ./data/jwt-secret",
        ),
        (
            "demo data",
            Some(PRODUCTION_SECRET),
            &["--demo"],
            "--demo is not allowed when PORTAL_ENV=production",
        ),
        (
            "no HTTPS",
            Some(PRODUCTION_SECRET),
            &[],
            "production mode requires HTTPS: set PORTAL_TLS_CERT and PORTAL_TLS_KEY",
        ),
    ];
    for (case, secret, extra, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/jwt-secret"), development_secret).unwrap();
        let mut command = production_serve(dir.path());
        command.args(extra);
        match secret {
            Some(secret) => command.env("PORTAL_JWT_SECRET", secret),
            None => command.env_remove("PORTAL_JWT_SECRET"),
        };
        if case == "no HTTPS" {
            command.env_remove("PORTAL_TRUSTED_PROXIES");
        }

        let stderr = failed_start(command, case).await;
        assert!(stderr.contains(expected), "{case}: stderr: {stderr}");
        assert_eq!(
            stderr.matches("\\n- ").count(),
            1,
            "{case}: one problem expected: {stderr}"
        );
        if let Some(secret) = secret {
            assert!(!stderr.contains(secret), "{case}: stderr shows the secret");
        }
        assert!(
            !dir.path().join("data/portal.db").exists(),
            "{case}: the database was opened"
        );
    }
}

#[tokio::test]
async fn production_reports_all_problems_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = production_serve(dir.path());
    command
        .env("PORTAL_JWT_SECRET", "too-short-secret")
        .env_remove("PORTAL_TRUSTED_PROXIES")
        .arg("--demo");

    let stderr = failed_start(command, "three problems").await;
    let expected = [
        "PORTAL_JWT_SECRET must be at least 32 bytes",
        "--demo is not allowed",
        "production mode requires HTTPS",
    ];
    for problem in expected {
        assert!(stderr.contains(problem), "missing {problem:?}: {stderr}");
    }
    assert!(
        !stderr.contains("too-short-secret"),
        "stderr shows the secret"
    );
    assert!(
        !dir.path().join("data").exists(),
        "a refused start created the data folder"
    );
}

#[tokio::test]
async fn production_starts_behind_trusted_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(
        dir.path(),
        &[
            "--env",
            "production",
            "--jwt-secret",
            PRODUCTION_SECRET,
            "--data-key",
            PRODUCTION_DATA_KEY,
            "--trusted-proxies",
            "127.0.0.1",
        ],
    )
    .await;
    assert!(
        running.base.starts_with("http://127.0.0.1:"),
        "address line: {}",
        running.base
    );

    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/register/patient", running.base))
        .json(&json!({
            "email": "production@example.com", "password": "a long enough password",
            "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-01-01",
            "consent": true, "consentVersion": "2026-12-01"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie
            .split(';')
            .any(|attribute| attribute.trim() == "Secure"),
        "production cookie: {cookie}"
    );
    assert_eq!(
        response.headers().get("strict-transport-security"),
        None,
        "HSTS is the proxy's to send"
    );
    assert!(
        !dir.path().join("data/jwt-secret").exists(),
        "production wrote a development secret"
    );
    assert!(
        !dir.path().join("data/data-key").exists(),
        "production wrote a development data key"
    );

    let status = terminate(running).await;
    assert!(status.success(), "exit status after SIGTERM: {status}");
}
