//! HTTPS served by the `portal` binary itself: a self-signed certificate made in the test,
//! HSTS and the `Secure` refresh cookie, plain HTTP rejected on the TLS port, and start-up
//! failures for bad certificate and key files.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_portal");
const PRIVACY_POLICY_VERSION: &str = "2026-12-01";
/// A production token-signing secret made for these tests only.
const PRODUCTION_SECRET: &str = "tls-test-6Qm1VZr8yKc3Ld9Wn2Bx7Hs4Tp0Ge5Ja";
/// A production data key made for these tests only.
const PRODUCTION_DATA_KEY: &str = "tls-test:Zk3Xq8Wm1Rv6Tb9Ny4Pc7Ld2Hs5Jf0Gw3Ea8Ui1Ko4M=";

/// A certificate for `127.0.0.1` and `localhost` with its key, as PEM files in `dir`.
struct TestCertificate {
    cert_pem: String,
    cert_path: PathBuf,
    key_path: PathBuf,
}

fn write_certificate(dir: &Path) -> TestCertificate {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let generated =
        rcgen::generate_simple_self_signed(names).expect("generating a certificate failed");
    let cert_pem = generated.cert.pem();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, &cert_pem).unwrap();
    std::fs::write(&key_path, generated.signing_key.serialize_pem()).unwrap();
    TestCertificate {
        cert_pem,
        cert_path,
        key_path,
    }
}

/// Builds a `portal serve` command in `dir` with the TLS files set and no `PORTAL_` settings
/// from the test's environment.
fn portal(dir: &Path, cert: &Path, key: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .env_remove("PORTAL_DATABASE_URL")
        .env_remove("PORTAL_JWT_SECRET")
        .env_remove("PORTAL_DATA_KEY")
        .env_remove("PORTAL_BIND")
        .env_remove("PORTAL_TRUSTED_PROXIES")
        .env("PORTAL_ENV", "development")
        .env("PORTAL_WEB_DIR", dir)
        .env("PORTAL_TLS_CERT", cert)
        .env("PORTAL_TLS_KEY", key)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .kill_on_drop(true);
    command
}

/// Starts the command and returns the process with the address line's URL.
async fn start(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the portal binary failed");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("reading stdout failed") {
            if let Some(address) = line.strip_prefix("Portal listening on ") {
                return address.to_owned();
            }
        }
        panic!("the portal exited before listening");
    })
    .await
    .expect("the portal did not start listening within 60 s");
    (child, base)
}

/// Runs the command until it exits; it must fail before listening.
async fn run_to_failure(mut command: Command) -> (Output, String) {
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the portal did not exit within 60 s")
        .expect("running the portal binary failed");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stderr)
}

/// Builds an HTTPS client that trusts only the test certificate.
fn https_client(cert_pem: &str) -> reqwest::Client {
    let certificate =
        reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("parsing the certificate");
    reqwest::Client::builder()
        .add_root_certificate(certificate)
        .tls_built_in_root_certs(false)
        .https_only(true)
        .build()
        .expect("building the HTTPS client failed")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn terminate(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().expect("the portal is running").to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().await;
    assert!(
        sent.is_ok_and(|status| status.success()),
        "sending SIGTERM failed"
    );
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the portal did not stop within 30 s of SIGTERM")
        .expect("waiting for the portal failed")
}

/// Registers a patient over HTTPS and returns the `Set-Cookie` value of the refresh cookie.
async fn register_patient(client: &reqwest::Client, base: &str) -> String {
    let response = client
        .post(format!("{base}/api/v1/auth/register/patient"))
        .json(&json!({
            "email": "tls-patient@example.com", "password": "a long enough password",
            "firstName": "Ana", "lastName": "Lopez", "dateOfBirth": "1990-01-01",
            "consent": true, "consentVersion": PRIVACY_POLICY_VERSION,
        }))
        .send()
        .await
        .expect("the registration request failed");
    assert_eq!(response.status(), StatusCode::CREATED, "registration");
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("portal_refresh="))
        .expect("registration sets the refresh cookie")
        .to_owned()
}

#[tokio::test]
async fn https_serves_hsts_and_secure_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = write_certificate(dir.path());
    let command = portal(dir.path(), &certificate.cert_path, &certificate.key_path);
    let (child, base) = start(command).await;
    assert!(
        base.starts_with("https://127.0.0.1:"),
        "address line: {base}"
    );

    let client = https_client(&certificate.cert_pem);
    let response = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("the HTTPS request failed");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(
        header(headers, "strict-transport-security"),
        Some("max-age=63072000; includeSubDomains"),
        "HSTS"
    );
    assert!(
        header(headers, "content-security-policy").is_some(),
        "the other security headers are still sent"
    );

    let cookie = register_patient(&client, &base).await;
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "cookie: {cookie}");
    assert!(attributes.contains(&"HttpOnly"), "cookie: {cookie}");
    assert!(attributes.contains(&"SameSite=Strict"), "cookie: {cookie}");

    let status = terminate(child).await;
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[tokio::test]
async fn plain_http_fails_on_tls_port() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = write_certificate(dir.path());
    let command = portal(dir.path(), &certificate.cert_path, &certificate.key_path);
    let (child, base) = start(command).await;

    let plain = base.replacen("https://", "http://", 1);
    let result = reqwest::Client::new()
        .get(format!("{plain}/healthz"))
        .timeout(Duration::from_secs(15))
        .send()
        .await;
    assert!(
        result.is_err(),
        "plain HTTP got a response: {:?}",
        result.map(|response| response.status())
    );

    // The server keeps serving HTTPS after the rejected connection.
    let response = https_client(&certificate.cert_pem)
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("the HTTPS request after the plain one failed");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(terminate(child).await.success());
}

#[tokio::test]
async fn untrusted_client_cannot_connect() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = write_certificate(dir.path());
    let command = portal(dir.path(), &certificate.cert_path, &certificate.key_path);
    let (child, base) = start(command).await;

    // Another self-signed certificate is not the server's, so the handshake must fail.
    let other_dir = tempfile::tempdir().unwrap();
    let other = write_certificate(other_dir.path());
    let result = https_client(&other.cert_pem)
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(result.is_err(), "an untrusted certificate was accepted");
    assert!(terminate(child).await.success());
}

#[tokio::test]
async fn bad_tls_files_fail_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = write_certificate(dir.path());
    let other = tempfile::tempdir().unwrap();
    let other_certificate = write_certificate(other.path());
    let not_pem = dir.path().join("not-pem.txt");
    std::fs::write(&not_pem, "this is not a PEM file\n").unwrap();
    let missing = dir.path().join("missing-key.pem");
    let cert = certificate.cert_path.as_path();
    let key = certificate.key_path.as_path();

    let cases = [
        (
            "missing key file",
            cert,
            missing.as_path(),
            "PORTAL_TLS_KEY",
        ),
        (
            "certificate not PEM",
            not_pem.as_path(),
            key,
            "PORTAL_TLS_CERT",
        ),
        ("key not PEM", cert, not_pem.as_path(), "PORTAL_TLS_KEY"),
        (
            "key of another certificate",
            cert,
            other_certificate.key_path.as_path(),
            "cannot be used with the certificate",
        ),
    ];
    // Base64 lines of both private keys, none of which may reach the log.
    let key_lines: Vec<String> = [key, other_certificate.key_path.as_path()]
        .iter()
        .flat_map(|path| {
            let pem = std::fs::read_to_string(path).unwrap();
            pem.lines()
                .filter(|line| !line.starts_with("-----"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    for (case, cert, key, expected) in cases {
        let (output, stderr) = run_to_failure(portal(dir.path(), cert, key)).await;
        assert!(!output.status.success(), "{case}: the portal started");
        assert!(stderr.contains(expected), "{case}: stderr: {stderr}");
        assert!(
            !String::from_utf8_lossy(&output.stdout).contains("Portal listening"),
            "{case}: the portal listened"
        );
        for line in &key_lines {
            assert!(
                !stderr.contains(line.as_str()),
                "{case}: stderr shows key material"
            );
        }
    }
}

#[tokio::test]
async fn only_one_tls_file_fails_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = write_certificate(dir.path());
    let mut only_cert = portal(dir.path(), &certificate.cert_path, &certificate.key_path);
    only_cert.env_remove("PORTAL_TLS_KEY");
    let (output, stderr) = run_to_failure(only_cert).await;
    assert!(!output.status.success(), "started with only a certificate");
    assert!(
        stderr.contains("PORTAL_TLS_CERT is set but PORTAL_TLS_KEY is not"),
        "stderr: {stderr}"
    );

    let mut only_key = portal(dir.path(), &certificate.cert_path, &certificate.key_path);
    only_key.env_remove("PORTAL_TLS_CERT");
    let (output, stderr) = run_to_failure(only_key).await;
    assert!(!output.status.success(), "started with only a key");
    assert!(
        stderr.contains("PORTAL_TLS_KEY is set but PORTAL_TLS_CERT is not"),
        "stderr: {stderr}"
    );
}

#[tokio::test]
async fn production_starts_with_tls() {
    let dir = tempfile::tempdir().unwrap();
    let certificate = write_certificate(dir.path());
    let mut command = portal(dir.path(), &certificate.cert_path, &certificate.key_path);
    command
        .env("PORTAL_ENV", "production")
        .env("PORTAL_JWT_SECRET", PRODUCTION_SECRET)
        .env("PORTAL_DATA_KEY", PRODUCTION_DATA_KEY);
    let (child, base) = start(command).await;
    assert!(base.starts_with("https://"), "address line: {base}");

    let client = https_client(&certificate.cert_pem);
    let cookie = register_patient(&client, &base).await;
    assert!(
        cookie
            .split(';')
            .any(|attribute| attribute.trim() == "Secure"),
        "cookie: {cookie}"
    );
    assert!(
        !dir.path().join("data/jwt-secret").exists(),
        "production wrote a development secret"
    );
    assert!(terminate(child).await.success());
}
