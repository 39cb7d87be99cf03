//! Starting and stopping: opening the store, building the application, serving HTTP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use portal_core::audit::AuditWriter;
use portal_core::store::Store;
use portal_core::{Portal, PortalSettings};
use rand::RngCore;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{CommonArgs, Environment, ServeArgs};
use crate::database;
use crate::routes::app;
use crate::secret::Secret;
use crate::seed;
use crate::state::AppState;
use crate::tokens::TokenKeys;

/// Shortest accepted token-signing secret, in bytes (HS256 keys should be at least 256 bits).
const MIN_SECRET_BYTES: usize = 32;

/// Opens the store named by `PORTAL_DATABASE_URL`: SQLite for `sqlite:` URLs, MongoDB for
/// `mongodb://` and `mongodb+srv://` URLs, in the database `PORTAL_MONGODB_DATABASE` names when
/// set.
pub async fn open_store(common: &CommonArgs) -> anyhow::Result<Arc<dyn Store>> {
    database::open(
        &common.database_url,
        common.mongodb_database.as_deref(),
        "PORTAL_DATABASE_URL",
    )
    .await
}

/// Builds the application core and its audit writer task.
pub fn build_portal(
    store: Arc<dyn Store>,
    settings: PortalSettings,
) -> anyhow::Result<(Portal, JoinHandle<()>)> {
    let (audit, audit_task) = AuditWriter::spawn(store.clone());
    let clock = Arc::new(chrono::Utc::now);
    let portal =
        Portal::new(store, audit, settings, clock).context("building the portal failed")?;
    Ok((portal, audit_task))
}

/// Runs `portal serve` until SIGINT or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.common.environment == Environment::Production && args.demo {
        bail!(
            "--demo is not allowed when PORTAL_ENV=production: demo accounts have published passwords"
        );
    }
    let secret = jwt_secret(&args)?;
    let store = open_store(&args.common).await?;
    let settings = PortalSettings {
        clinic_time_zone: args.common.clinic_time_zone,
        session_lifetime: Duration::hours(i64::from(args.session_hours)),
        ..PortalSettings::default()
    };
    let (portal, audit_task) = build_portal(store.clone(), settings)?;

    let demo = if args.demo {
        Some(seed::ensure_demo_data(&portal).await?)
    } else {
        None
    };

    if !args.web_dir.join("index.html").is_file() {
        tracing::warn!(web_dir = %args.web_dir.display(), "web app not found; build it with `npm --prefix web run build`");
    }
    let state = AppState {
        portal,
        tokens: TokenKeys::new(
            &secret,
            Duration::minutes(i64::from(args.access_token_minutes)),
        ),
        secure_cookies: args.common.environment == Environment::Production,
    };
    let router = app(state, &args.web_dir);

    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("listening on {} (PORTAL_BIND) failed", args.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(address = %address, "listening");
    let shutdown = shutdown_signal()?;
    println!("Portal listening on http://{address}");
    if let Some(demo) = demo {
        println!("{}", demo.banner());
    }

    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("the HTTP server failed")?;

    tracing::info!("stopping: writing pending audit events");
    if let Err(error) = audit_task.await {
        tracing::error!(error = %error, "audit writer ended abnormally");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Registers the SIGINT and SIGTERM handlers at once and returns a future that completes on
/// either signal. Registering before the server announces its address means a signal sent
/// right after start still shuts down gracefully instead of killing the process.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt =
            signal(SignalKind::interrupt()).context("listening for SIGINT failed")?;
        let mut terminate =
            signal(SignalKind::terminate()).context("listening for SIGTERM failed")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("SIGINT received"),
                _ = terminate.recv() => tracing::info!("SIGTERM received"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("Ctrl+C received");
            }
        })
    }
}

/// Returns the configured secret, or in development reads or creates one in the data folder.
fn jwt_secret(args: &ServeArgs) -> anyhow::Result<Secret> {
    if let Some(value) = &args.jwt_secret {
        if value.len() < MIN_SECRET_BYTES {
            bail!(
                "PORTAL_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes; generate one with `openssl rand -base64 48`"
            );
        }
        return Ok(Secret::new(value.clone()));
    }
    if args.common.environment == Environment::Production {
        bail!(
            "PORTAL_JWT_SECRET is required when PORTAL_ENV=production; generate one with `openssl rand -base64 48`"
        );
    }
    let path = data_dir(&args.common.database_url).join("jwt-secret");
    load_or_create_secret(&path)
}

/// Returns the folder for development secrets: the folder of the SQLite file, or `./data` when
/// the database runs on a server.
fn data_dir(database_url: &str) -> PathBuf {
    database::sqlite_folder(database_url).unwrap_or_else(|| PathBuf::from("./data"))
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<Secret> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_SECRET_BYTES {
            return Ok(Secret::new(existing));
        }
    }
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let value = URL_SAFE_NO_PAD.encode(bytes);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {} failed", parent.display()))?;
    }
    write_owner_only(path, &value).with_context(|| {
        format!(
            "writing the development secret to {} failed",
            path.display()
        )
    })?;
    tracing::info!(path = %path.display(), "generated a development token-signing secret (owner-only file)");
    Ok(Secret::new(value))
}

#[cfg(unix)]
fn write_owner_only(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(value.as_bytes())
}

#[cfg(not(unix))]
fn write_owner_only(path: &Path, value: &str) -> std::io::Result<()> {
    std::fs::write(path, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_is_parent_of_sqlite_file() {
        assert_eq!(
            data_dir("sqlite://./data/portal.db"),
            PathBuf::from("./data")
        );
        assert_eq!(data_dir("sqlite:portal.db"), PathBuf::from("."));
        assert_eq!(
            data_dir("sqlite:///var/lib/portal/p.db?mode=rwc"),
            PathBuf::from("/var/lib/portal")
        );
    }

    #[test]
    fn data_dir_for_server_database() {
        assert_eq!(
            data_dir("mongodb://portal:secret@db.internal/portal"),
            PathBuf::from("./data")
        );
    }

    #[test]
    fn development_secret_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        let first = load_or_create_secret(&path).unwrap();
        let second = load_or_create_secret(&path).unwrap();
        assert_eq!(first.expose(), second.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
