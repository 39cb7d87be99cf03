//! Starting and stopping: checking the settings, opening the store, building the application,
//! serving HTTP or HTTPS.

use std::future::IntoFuture as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use axum::Router;
use chrono::Duration;
use portal_core::audit::AuditWriter;
use portal_core::store::Store;
use portal_core::{Portal, PortalSettings};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::client_addr::TrustedProxies;
use crate::config::{CommonArgs, Environment, ServeArgs};
use crate::data_key::{self, DATA_KEY_VARIABLE};
use crate::database;
use crate::routes::{app, require_https};
use crate::secret::RequiredSecret;
use crate::seed;
use crate::state::AppState;
use crate::tls::{self, TlsFiles};
use crate::tokens::TokenKeys;
use crate::web::WebApp;

/// Opens the store named by `PORTAL_DATABASE_URL`: SQLite for `sqlite:` URLs, MongoDB for
/// `mongodb://` and `mongodb+srv://` URLs, in the database `PORTAL_MONGODB_DATABASE` names when
/// set. Health data is encrypted with the keys of `PORTAL_DATA_KEY` (see [`data_key`]).
pub async fn open_store(common: &CommonArgs) -> anyhow::Result<Arc<dyn Store>> {
    let keyring = data_key::resolve(
        common.data_key.as_deref(),
        DATA_KEY_VARIABLE,
        common.environment,
        &data_dir(&common.database_url),
    )?;
    database::open(
        &common.database_url,
        common.mongodb_database.as_deref(),
        "PORTAL_DATABASE_URL",
        keyring,
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
    let tls_files = check_start_settings(&args)?;
    check_session_minutes(&args)?;
    let tls_config = tls_files.as_ref().map(tls::server_config).transpose()?;
    let data_dir = data_dir(&args.common.database_url);
    let [jwt_secret, _] = required_secrets(&args);
    let secret = jwt_secret.resolve(args.common.environment, &data_dir)?;
    let store = open_store(&args.common).await?;
    let settings = PortalSettings {
        clinic_time_zone: args.common.clinic_time_zone,
        session_lifetime: Duration::hours(i64::from(args.session_hours)),
        session_idle_timeout: Duration::minutes(i64::from(args.session_idle_minutes)),
        login_throttle: args.login_throttle(),
        mfa_required_roles: args.mfa_required_roles(),
        ..PortalSettings::default()
    };
    let (portal, audit_task) = build_portal(store.clone(), settings)?;

    let demo = if args.demo {
        Some(seed::ensure_demo_data(&portal).await?)
    } else {
        None
    };

    let web = WebApp::choose(args.web_dir.as_deref());
    if !web.is_available() {
        match &web {
            WebApp::Embedded => tracing::warn!(
                "this binary contains no web app; build it with `npm --prefix web run build` \
                 before `cargo build`, or set PORTAL_WEB_DIR to a built web app"
            ),
            WebApp::Folder(folder) => tracing::warn!(
                web_dir = %folder.display(),
                "PORTAL_WEB_DIR has no index.html; build the web app with `npm --prefix web run build`"
            ),
        }
    }
    let state = AppState {
        portal,
        tokens: TokenKeys::new(
            &secret,
            Duration::minutes(i64::from(args.access_token_minutes)),
        ),
        // Production mode requires HTTPS, at the portal or at a proxy in front of it.
        secure_cookies: args.common.environment == Environment::Production || tls_config.is_some(),
        trusted_proxies: TrustedProxies::new(&args.trusted_proxies),
    };
    let router = app(state, &web);

    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("listening on {} (PORTAL_BIND) failed", args.bind))?;
    let address = listener.local_addr()?;
    let scheme = if tls_config.is_some() {
        "https"
    } else {
        "http"
    };
    tracing::info!(address = %address, scheme, "listening");
    let shutdown = shutdown_signal()?;
    println!("Portal listening on {scheme}://{address}");
    if let Some(demo) = demo {
        println!("{}", demo.banner());
    }

    let grace = std::time::Duration::from_secs(u64::from(args.shutdown_grace_seconds));
    match tls_config {
        Some(config) => {
            serve_https(listener, require_https(router), config, shutdown, grace).await?;
        }
        None => serve_http(listener, router, shutdown, grace).await?,
    }

    tracing::info!("stopping: writing pending audit events");
    // The writer ends once every request that could still queue an event is gone. Requests
    // abandoned after the grace period may keep it waiting, so this wait is bounded too.
    match tokio::time::timeout(AUDIT_FLUSH_LIMIT, audit_task).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(error = %error, "audit writer ended abnormally"),
        Err(_) => tracing::error!(
            seconds = AUDIT_FLUSH_LIMIT.as_secs(),
            "audit writer still waiting for abandoned requests; stopping without it"
        ),
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// How long a stopping server waits for the audit writer after the HTTP server has stopped.
const AUDIT_FLUSH_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves HTTP on `listener` until `shutdown` completes, then waits up to `grace` for requests
/// in flight to finish.
async fn serve_http(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    grace: std::time::Duration,
) -> anyhow::Result<()> {
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(true);
    })
    .into_future();
    let deadline = async move {
        // `wait_for` returns an error only when the sender is dropped, which happens after
        // the signal or once the server has stopped, so either way the deadline starts.
        let _ = stopped.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result.context("the HTTP server failed"),
        () = deadline => {
            tracing::warn!(
                seconds = grace.as_secs(),
                "requests still running after the shutdown grace period were abandoned"
            );
            Ok(())
        }
    }
}

/// Rejects an access-token lifetime longer than the idle timeout. The web app renews its
/// access token shortly before it expires, and that renewal is what keeps an open tab's
/// session from going idle, so a longer token would let the session end under it.
fn check_session_minutes(args: &ServeArgs) -> anyhow::Result<()> {
    if args.access_token_minutes > args.session_idle_minutes {
        bail!(
            "PORTAL_ACCESS_TOKEN_MINUTES ({}) must not exceed PORTAL_SESSION_IDLE_MINUTES ({}): \
             lower the access-token lifetime or raise the idle timeout",
            args.access_token_minutes,
            args.session_idle_minutes
        );
    }
    Ok(())
}

/// Serves HTTPS on `listener` until `shutdown` completes, then waits up to `grace` for requests
/// in flight to finish.
async fn serve_https(
    listener: TcpListener,
    router: Router,
    config: Arc<rustls::ServerConfig>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    grace: std::time::Duration,
) -> anyhow::Result<()> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(grace));
    });
    let listener = listener
        .into_std()
        .context("preparing the listener for TLS failed")?;
    axum_server::tls_rustls::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(config),
    )
    .context("preparing the listener for TLS failed")?
    .handle(handle)
    // A failed handshake (a plain-HTTP request, an untrusted certificate) ends only that
    // connection. Debug level, because any client can cause one.
    .accept_error_handler(|client, error| {
        tracing::debug!(client = ?client, error = %error, "TLS connection rejected");
    })
    .serve(router.into_make_service_with_connect_info::<SocketAddr>())
    .await
    .context("the HTTPS server failed")
}

/// Returns the secrets `serve` needs, each with its variable and configured value. A new
/// required secret is one more entry here.
fn required_secrets(args: &ServeArgs) -> [RequiredSecret<'_>; 2] {
    [
        RequiredSecret {
            variable: "PORTAL_JWT_SECRET",
            development_file: "jwt-secret",
            value: args.jwt_secret.as_deref(),
        },
        // Resolved by `open_store`, because every command that opens a store needs it.
        RequiredSecret {
            variable: DATA_KEY_VARIABLE,
            development_file: data_key::DEVELOPMENT_FILE,
            value: args.common.data_key.as_deref(),
        },
    ]
}

/// Checks the settings that must be right before anything starts, and returns the TLS files
/// when HTTPS is configured. In production mode every problem is reported in one error, so
/// an operator can fix them all at once.
fn check_start_settings(args: &ServeArgs) -> anyhow::Result<Option<TlsFiles>> {
    if args.common.environment == Environment::Production {
        let problems = production_problems(args);
        if !problems.is_empty() {
            bail!(
                "the portal cannot start with PORTAL_ENV=production until these are fixed:\n- {}",
                problems.join("\n- ")
            );
        }
    }
    tls::configured_files(args).map_err(anyhow::Error::msg)
}

/// Lists why the settings are unsafe for production mode. No message contains a secret's
/// value.
fn production_problems(args: &ServeArgs) -> Vec<String> {
    let data_dir = data_dir(&args.common.database_url);
    let [jwt_secret, data_key_secret] = required_secrets(args);
    // A data key is 32 raw bytes in base64, so it has its own rules (see
    // `data_key::production_problem`) in place of the text rules of other secrets.
    let mut problems: Vec<String> = jwt_secret
        .production_problem(&data_dir)
        .into_iter()
        .chain(data_key::production_problem(
            data_key_secret.value,
            jwt_secret.value,
            &data_dir,
        ))
        .collect();
    if args.demo {
        problems.push(
            "--demo is not allowed when PORTAL_ENV=production: demo accounts have published \
             passwords; remove --demo"
                .to_owned(),
        );
    }
    match tls::configured_files(args) {
        Err(problem) => problems.push(problem),
        Ok(None) if args.trusted_proxies.is_empty() => problems.push(
            "production mode requires HTTPS: set PORTAL_TLS_CERT and PORTAL_TLS_KEY to serve \
             HTTPS, or set PORTAL_TRUSTED_PROXIES to the address of the proxy that terminates \
             TLS"
            .to_owned(),
        ),
        Ok(_) => {}
    }
    problems
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

/// Returns the folder for development secrets: the folder of the SQLite file, or `./data` when
/// the database runs on a server.
pub(crate) fn data_dir(database_url: &str) -> PathBuf {
    database::sqlite_folder(database_url).unwrap_or_else(|| PathBuf::from("./data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_token_longer_than_idle_rejected() {
        let mut args = ServeArgs {
            access_token_minutes: 20,
            session_idle_minutes: 15,
            ..ServeArgs::default()
        };
        let message = check_session_minutes(&args)
            .expect_err("a 20-minute token with a 15-minute idle timeout is rejected")
            .to_string();
        assert!(
            message.contains("PORTAL_ACCESS_TOKEN_MINUTES (20)"),
            "the message names the token lifetime: {message}"
        );
        assert!(
            message.contains("PORTAL_SESSION_IDLE_MINUTES (15)"),
            "the message names the idle timeout: {message}"
        );
        args.session_idle_minutes = 20;
        assert!(
            check_session_minutes(&args).is_ok(),
            "equal lifetimes are accepted"
        );
        assert!(
            check_session_minutes(&ServeArgs::default()).is_ok(),
            "the defaults are accepted"
        );
    }

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

    /// Serves a router whose one route responds after `delay`, stopping when `stop` fires.
    async fn serve_slow_route(
        delay: std::time::Duration,
        grace: std::time::Duration,
        stop: tokio::sync::oneshot::Receiver<()>,
    ) -> (SocketAddr, JoinHandle<anyhow::Result<()>>) {
        let router = Router::new().route(
            "/slow",
            axum::routing::get(move || async move {
                tokio::time::sleep(delay).await;
                "done"
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let shutdown = async move {
            let _ = stop.await;
        };
        let server = tokio::spawn(serve_http(listener, router, shutdown, grace));
        (address, server)
    }

    #[tokio::test]
    async fn shutdown_finishes_request_in_flight() {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (address, server) = serve_slow_route(
            std::time::Duration::from_millis(500),
            std::time::Duration::from_secs(10),
            stopped,
        )
        .await;
        let request = tokio::spawn(reqwest::get(format!("http://{address}/slow")));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stop.send(()).unwrap();

        let response = request
            .await
            .unwrap()
            .expect("the request in flight failed");
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        assert_eq!(response.text().await.unwrap(), "done");
        server
            .await
            .unwrap()
            .expect("the server stopped with an error");
        assert!(
            reqwest::get(format!("http://{address}/slow"))
                .await
                .is_err(),
            "a stopped server accepted a new request"
        );
    }

    #[tokio::test]
    async fn shutdown_abandons_requests_after_grace() {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (address, server) = serve_slow_route(
            std::time::Duration::from_secs(60),
            std::time::Duration::from_millis(300),
            stopped,
        )
        .await;
        let _request = tokio::spawn(reqwest::get(format!("http://{address}/slow")));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let stop_sent = std::time::Instant::now();
        stop.send(()).unwrap();

        tokio::time::timeout(std::time::Duration::from_secs(10), server)
            .await
            .expect("the server waited past its grace period")
            .unwrap()
            .expect("the server stopped with an error");
        assert!(
            stop_sent.elapsed() >= std::time::Duration::from_millis(300),
            "the server stopped before its grace period ended"
        );
    }
}
