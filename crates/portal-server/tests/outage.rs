//! A MongoDB outage in the middle of a run: requests get 503 problem documents and write
//! nothing, `/readyz` reports 503, and the same server recovers without a restart once the
//! database is back. The test starts and stops its own nx-27017 stand-in, so it runs only
//! when `PORTAL_TEST_MONGODB_STANDIN=1` and the stand-in is installed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{PROBLEM_JSON, TestApp, appointment_body, in_hours};
use portal_store_mongo::MongoStore;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};

mod common;

/// Returns the stand-in's Python, installed by `scripts/mongo-standin start`.
fn standin_python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/mongo-standin/venv/bin/python")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener
        .local_addr()
        .expect("read the local address")
        .port()
}

/// Starts nx-27017 the way `scripts/mongo-standin` does, with its data in `data_dir`.
fn start_standin(port: u16, data_dir: &Path) -> Child {
    let program = "import sys\n\
        from neosqlite.collection.query_helper.utils import set_force_fallback\n\
        set_force_fallback(True)\n\
        from nx_27017.nx_27017 import main\n\
        sys.exit(main())";
    Command::new(standin_python())
        .args([
            "-c",
            program,
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ])
        .arg("--data-dir")
        .arg(data_dir.join("data"))
        .arg("--log-file")
        .arg(data_dir.join("server.log"))
        .arg("--pid-file")
        .arg(data_dir.join("server.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nx-27017")
}

fn stop_standin(mut server: Child) {
    server.kill().expect("stop nx-27017");
    server.wait().expect("wait for nx-27017 to exit");
}

async fn connect(url: &str) -> MongoStore {
    let started = Instant::now();
    loop {
        match MongoStore::connect(url, None, common::test_keyring()).await {
            Ok(store) => return store,
            Err(error) if started.elapsed() < Duration::from_secs(30) => {
                eprintln!("waiting for nx-27017 to start: {error}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("nx-27017 did not start within 30 s: {error}"),
        }
    }
}

/// Polls `/readyz` until it returns `expected` or `limit` passes, and returns the last status.
async fn readyz_becomes(app: &TestApp, expected: StatusCode, limit: Duration) -> StatusCode {
    let started = Instant::now();
    loop {
        let (status, _, _) = app.get("/readyz", None).await;
        if status == expected || started.elapsed() >= limit {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn mongodb_outage_gives_503_and_recovers() {
    let on_standin = std::env::var("PORTAL_TEST_MONGODB_STANDIN").is_ok_and(|v| v == "1");
    if !on_standin || !standin_python().is_file() {
        eprintln!(
            "SKIPPED: mongodb_outage_gives_503_and_recovers needs PORTAL_TEST_MONGODB_STANDIN=1 \
             and the stand-in installed by scripts/mongo-standin start"
        );
        return;
    }
    let data_dir = tempfile::tempdir().expect("create a temporary folder");
    let port = free_port();
    let url = format!("mongodb://127.0.0.1:{port}/outage?directConnection=true");
    let server = start_standin(port, data_dir.path());
    let app = TestApp::spawn_on(Arc::new(connect(&url).await)).await;
    let provider = app.provider().await;
    let patient = app.register_patient().await;
    assert_eq!(
        app.get("/readyz", None).await.0,
        StatusCode::OK,
        "ready before the outage"
    );

    stop_standin(server);
    let body = appointment_body(provider.id, &in_hours(48));
    let (status, headers, problem) = patient.post("/api/v1/patient/appointments", body).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "request during the outage: {problem}"
    );
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    assert_eq!(
        content_type,
        Some(PROBLEM_JSON),
        "the 503 is a problem document"
    );
    assert!(
        headers.get(RETRY_AFTER).is_some(),
        "the 503 says when to retry"
    );
    let during = readyz_becomes(&app, StatusCode::SERVICE_UNAVAILABLE, Duration::ZERO).await;
    assert_eq!(
        during,
        StatusCode::SERVICE_UNAVAILABLE,
        "not ready during the outage"
    );

    let server = start_standin(port, data_dir.path());
    let after = readyz_becomes(&app, StatusCode::OK, Duration::from_secs(30)).await;
    let (status, _, list) = patient.get("/api/v1/patient/appointments").await;
    stop_standin(server);
    assert_eq!(after, StatusCode::OK, "ready again without a restart");
    assert_eq!(
        status,
        StatusCode::OK,
        "the patient's list loads after the outage"
    );
    assert_eq!(list["total"], 0, "the failed request wrote nothing: {list}");
}
