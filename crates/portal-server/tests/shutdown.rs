//! Graceful shutdown of the real binary: SIGTERM during a burst of appointment requests.
//! Every request that got 201 must be stored and audited, and the process must exit 0.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::binary::{portal, send_sigterm, sign_in, start_command, wait_for_exit};
use common::{appointment_body, in_hours};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::{Connection as _, SqliteConnection};
use uuid::Uuid;

/// Concurrent clients sending appointment requests.
const CLIENTS: usize = 8;

/// One appointment request and what came back.
struct Outcome {
    request_id: String,
    status: Option<StatusCode>,
    appointment_id: Option<String>,
    /// Whether the response arrived after SIGTERM was sent.
    after_signal: bool,
}

/// Sends appointment requests one after another until the server refuses connections.
async fn request_until_stopped(
    base: String,
    token: String,
    provider_id: Uuid,
    signalled: Arc<AtomicBool>,
) -> Vec<Outcome> {
    let http = reqwest::Client::new();
    let mut outcomes = Vec::new();
    let mut failures_after_signal = 0;
    for hours in 24.. {
        let request_id = Uuid::new_v4().to_string();
        let sent = http
            .post(format!("{base}/api/v1/patient/appointments"))
            .bearer_auth(&token)
            .header("X-Request-Id", &request_id)
            .json(&appointment_body(provider_id, &in_hours(hours)))
            .send()
            .await;
        let after_signal = signalled.load(Ordering::SeqCst);
        let (status, appointment_id) = match sent {
            Ok(response) => {
                let status = response.status();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                (Some(status), body["id"].as_str().map(str::to_owned))
            }
            Err(_) => (None, None),
        };
        if after_signal && status.is_none() {
            failures_after_signal += 1;
        }
        outcomes.push(Outcome {
            request_id,
            status,
            appointment_id,
            after_signal,
        });
        // A refused connection after the signal means the server has stopped accepting.
        if failures_after_signal >= 3 {
            break;
        }
    }
    outcomes
}

#[tokio::test]
async fn sigterm_during_burst_keeps_every_created_appointment() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = portal(dir.path());
    command.env("PORTAL_SHUTDOWN_GRACE_SECONDS", "30");
    let mut running = start_command(command, dir.path(), &["--demo"]).await;
    let base = running.base.clone();

    let token = sign_in(&base, "patient@demo.portal.test", "demo-patient-2026").await;
    let providers: Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/providers"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let provider_id: Uuid = providers["items"][0]["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no provider: {providers}"));

    let signalled = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            tokio::spawn(request_until_stopped(
                base.clone(),
                token.clone(),
                provider_id,
                signalled.clone(),
            ))
        })
        .collect();

    // Let the burst run, then stop the server in the middle of it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    signalled.store(true, Ordering::SeqCst);
    send_sigterm(&running).await;
    let status = wait_for_exit(&mut running, Duration::from_secs(45)).await;
    assert!(status.success(), "exit status after SIGTERM: {status}");

    let mut outcomes = Vec::new();
    for client in clients {
        outcomes.extend(client.await.expect("a client task panicked"));
    }
    let created: Vec<&Outcome> = outcomes
        .iter()
        .filter(|outcome| outcome.status == Some(StatusCode::CREATED))
        .collect();
    assert!(
        created.len() >= 20,
        "only {} appointments were created before the signal",
        created.len()
    );
    let unexpected: Vec<_> = outcomes
        .iter()
        .filter_map(|outcome| outcome.status)
        .filter(|status| {
            *status != StatusCode::CREATED && *status != StatusCode::SERVICE_UNAVAILABLE
        })
        .collect();
    assert!(unexpected.is_empty(), "unexpected statuses: {unexpected:?}");

    let log = running.log_text();
    assert!(log.contains("SIGTERM received"), "log: {log}");
    assert!(log.contains("stopped"), "log: {log}");

    let url = format!("sqlite://{}", dir.path().join("data/portal.db").display());
    let mut database = SqliteConnection::connect(&url).await.unwrap();
    for outcome in &created {
        let appointment_id = outcome
            .appointment_id
            .as_deref()
            .expect("a 201 response carries the appointment id");
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM appointments WHERE id = ?")
            .bind(appointment_id)
            .fetch_one(&mut database)
            .await
            .unwrap();
        assert_eq!(stored, 1, "appointment {appointment_id} was not stored");
        let audited: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_events \
             WHERE action = 'appointment.request' AND outcome = 'success' AND request_id = ?",
        )
        .bind(&outcome.request_id)
        .fetch_one(&mut database)
        .await
        .unwrap();
        assert_eq!(
            audited, 1,
            "request {} got 201 but has no audit event (answered after the signal: {})",
            outcome.request_id, outcome.after_signal
        );
    }
}
