//! `portal audit verify` run as a process against a seeded SQLite file, before and after
//! someone edits one stored event behind the portal's back.

use std::path::Path;
use std::process::Output;

use sqlx::{Connection, SqliteConnection};
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_portal");

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("portal.db").display())
}

async fn portal(dir: &Path, args: &[&str]) -> Output {
    Command::new(BINARY)
        .current_dir(dir)
        .env("PORTAL_DATABASE_URL", database_url(dir))
        .env("PORTAL_ENV", "development")
        .env_remove("PORTAL_DATA_KEY")
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .expect("running the portal binary failed")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let seed = portal(dir.path(), &["seed", "--patients", "4"]).await;
    assert!(
        seed.status.success(),
        "seeding failed: {}",
        text(&seed.stderr)
    );
    dir
}

#[tokio::test]
async fn verify_accepts_an_untouched_log() {
    let dir = seeded().await;

    let verify = portal(dir.path(), &["audit", "verify"]).await;

    assert!(verify.status.success(), "stderr: {}", text(&verify.stderr));
    let stdout = text(&verify.stdout);
    assert!(
        stdout.contains("Checked 4 audit events: the chain is intact."),
        "{stdout}"
    );
    assert!(stdout.contains("Last event: 4, hash "), "{stdout}");
}

#[tokio::test]
async fn verify_names_the_edited_event() {
    let dir = seeded().await;
    let mut raw = SqliteConnection::connect(&database_url(dir.path()))
        .await
        .expect("open the database file");
    for statement in [
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET client_addr = '203.0.113.9' WHERE seq = 3",
    ] {
        sqlx::query(statement)
            .execute(&mut raw)
            .await
            .expect("edit the audit log");
    }
    raw.close().await.expect("close the connection");

    let verify = portal(dir.path(), &["audit", "verify"]).await;

    assert!(!verify.status.success(), "verify passed an edited log");
    let stderr = text(&verify.stderr);
    assert!(
        stderr.contains("the audit chain is broken at event 3"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("was changed"), "stderr: {stderr}");
}

#[tokio::test]
async fn verify_refuses_a_missing_file() {
    let dir = tempfile::tempdir().expect("create a temporary folder");

    let verify = portal(dir.path(), &["audit", "verify"]).await;

    assert!(!verify.status.success());
    assert!(
        text(&verify.stderr).contains("does not exist"),
        "stderr: {}",
        text(&verify.stderr)
    );
    assert!(
        !dir.path().join("portal.db").exists(),
        "no empty file was created"
    );
}
