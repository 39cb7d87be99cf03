//! The `portal` binary run as a real process in a temporary folder, for tests of the command
//! line, signals and logs.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BINARY: &str = env!("CARGO_BIN_EXE_portal");

/// Name of the file in the test folder that receives the server's standard error (its log).
pub const LOG_FILE: &str = "portal-stderr.log";

/// A `portal` process and the address it listens on; killed when dropped.
pub struct Running {
    pub child: Child,
    pub base: String,
    pub banner: String,
    pub log: PathBuf,
}

impl Running {
    /// Returns everything the server has logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Returns a `portal` command that runs in `dir` in development mode, with no portal setting
/// inherited from the test's environment.
pub fn portal(dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .env_remove("PORTAL_DATABASE_URL")
        .env_remove("PORTAL_JWT_SECRET")
        .env_remove("PORTAL_DATA_KEY")
        .env_remove("PORTAL_MIGRATE_TO_DATA_KEY")
        .env_remove("PORTAL_BIND")
        .env_remove("PORTAL_TLS_CERT")
        .env_remove("PORTAL_TLS_KEY")
        .env_remove("PORTAL_LOG_FORMAT")
        .env_remove("RUST_LOG")
        .env("PORTAL_ENV", "development")
        .env("PORTAL_WEB_DIR", dir)
        .kill_on_drop(true);
    command
}

/// Starts `portal serve` on a free port of 127.0.0.1 in `dir` with `extra` arguments.
pub async fn start(dir: &Path, extra: &[&str]) -> Running {
    start_command(portal(dir), dir, extra).await
}

/// Starts `portal serve` from a prepared `command` (see [`portal`]) and waits until it
/// listens. Its standard error goes to [`LOG_FILE`] in `dir`.
pub async fn start_command(mut command: Command, dir: &Path, extra: &[&str]) -> Running {
    let log = dir.join(LOG_FILE);
    let log_file = std::fs::File::create(&log).expect("creating the log file failed");
    let mut child = command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .expect("starting the portal binary failed");

    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = String::new();
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

    // The demo banner follows the address line and ends with the invite code.
    if extra.contains(&"--demo") {
        while let Ok(Some(line)) = lines.next_line().await {
            banner.push_str(&line);
            banner.push('\n');
            if line.contains("invite code") {
                break;
            }
        }
    }
    Running {
        child,
        base,
        banner,
        log,
    }
}

/// Signs in over HTTP and returns the access token.
pub async fn sign_in(base: &str, email: &str, password: &str) -> String {
    let session: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sign-in request failed")
        .json()
        .await
        .expect("sign-in response is not JSON");
    session["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {session}"))
        .to_owned()
}

/// Sends SIGTERM to the process.
pub async fn send_sigterm(running: &Running) {
    let pid = running
        .child
        .id()
        .expect("the portal is running")
        .to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().await;
    assert!(
        sent.is_ok_and(|status| status.success()),
        "sending SIGTERM failed"
    );
}

/// Waits up to `limit` for the process to exit and returns its status.
pub async fn wait_for_exit(running: &mut Running, limit: Duration) -> ExitStatus {
    tokio::time::timeout(limit, running.child.wait())
        .await
        .unwrap_or_else(|_| panic!("the portal did not stop within {limit:?}"))
        .expect("waiting for the portal failed")
}

/// Sends SIGTERM and waits up to 30 s for the process to exit.
pub async fn terminate(mut running: Running) -> ExitStatus {
    send_sigterm(&running).await;
    wait_for_exit(&mut running, Duration::from_secs(30)).await
}
