//! Log setup: human-readable lines locally, JSON in production, filtered by `RUST_LOG`.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{Environment, LogFormat};

pub fn init(environment: Environment, format: Option<LogFormat>) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,mongodb=warn,tower_http=info"));
    let format = format.unwrap_or(match environment {
        Environment::Production => LogFormat::Json,
        Environment::Development => LogFormat::Human,
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        // The current span carries the request's method, route and id; the list of
        // all open spans would repeat it on every line.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_span_list(false)
            .init(),
        LogFormat::Human => builder.init(),
    }
}
