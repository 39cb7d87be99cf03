//! The benchmark's baseline: a bare axum handler that returns a fixed text. It is served the
//! way `portal serve` serves (tokio's multi-threaded runtime, one TCP listener), so the
//! benchmark can report the portal's throughput as a share of what axum reaches on the machine.
//!
//! Usage: `hello [LIFETIME_SECONDS]`. It listens on 127.0.0.1 with a port from the system,
//! prints `listening on http://ADDRESS`, and exits after the lifetime (default 600 s).

use std::time::Duration;

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let lifetime_seconds = match std::env::args().nth(1) {
        Some(value) => value.parse::<u64>().map_err(|error| {
            anyhow::anyhow!("invalid lifetime `{value}`: {error}; pass whole seconds")
        })?,
        None => 600,
    };
    let app = Router::new().route("/", get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(tokio::time::sleep(Duration::from_secs(lifetime_seconds)))
        .await?;
    Ok(())
}
