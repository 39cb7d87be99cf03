//! The router: API modules merged under `/api/v1`, health checks, and the web app.

pub mod auth;
pub mod mfa;
pub mod patient;
pub mod provider;
pub mod service;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::request_id;
use crate::state::AppState;
use crate::web::WebApp;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// Content security policy of every response. The built web app loads only its own module
/// scripts and stylesheets, so neither scripts nor styles need `'unsafe-inline'`. React sets
/// `style` properties through the CSSOM, which `style-src` does not restrict.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
    worker-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// Browser features the portal never uses, all turned off. Each name is one that Chromium
/// recognizes, because Chromium logs a console warning for an unknown name.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), display-capture=(), \
    geolocation=(), gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), \
    midi=(), payment=(), serial=(), usb=(), xr-spatial-tracking=(), browsing-topics=()";

/// `Strict-Transport-Security` value sent when the portal serves HTTPS itself: two years,
/// subdomains included.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Builds the whole application; `main` and the tests both call this.
pub fn app(state: AppState, web: &WebApp) -> Router {
    let v1 = Router::new()
        .nest("/auth", auth::router())
        .nest("/patient", patient::router())
        .nest("/provider", provider::router())
        .route("/providers", get(provider::providers))
        .route("/openapi.json", get(service::openapi));
    let api = Router::new()
        .nest("/v1", v1)
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let routes = Router::new()
        .nest("/api", api)
        // `nest` does not match `/api/` itself, which would otherwise serve the web app.
        .route("/api/", any(api_root))
        .route("/healthz", get(service::healthz))
        .route("/readyz", get(service::readyz));
    web.serve(routes)
        .with_state(state)
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(
            HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(header_layer(
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(middleware::from_fn(request_id::assign))
}

/// Adds `Strict-Transport-Security` to every response, for a portal that serves HTTPS itself.
/// Plain HTTP must not send it: browsers ignore it there, and a proxy in front sets its own.
pub fn require_https(router: Router) -> Router {
    router.layer(header_layer(
        header::STRICT_TRANSPORT_SECURITY,
        STRICT_TRANSPORT_SECURITY,
    ))
}

/// Returns the 404 problem document for `/api/`, as for any unknown API path.
async fn api_root() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        ApiError::not_found(),
    )
}

/// Opens the span that every log line of a request carries. The route is the matched
/// template, such as `/api/v1/provider/patients/{id}`, because paths contain record ids and
/// the query string may contain a searched name. A request that no route matches is logged
/// as `(web app)`, or as `(unmatched)` under `/api/`.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .extensions()
        .get::<request_id::RequestId>()
        .map(|id| id.0.as_str())
        .unwrap_or("");
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str(),
        None if request.uri().path().starts_with("/api/") => "(unmatched)",
        None => "(web app)",
    };
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id,
    )
}

/// Logs the end of a request: status and duration in milliseconds, as numbers.
fn log_response(response: &Response, latency: std::time::Duration, _span: &tracing::Span) {
    let status = response.status().as_u16();
    // Microseconds divided down, so the value reads 0.408 rather than 0.40870700000000004.
    let duration_ms = latency.as_micros() as f64 / 1000.0;
    if response.status().is_server_error() {
        tracing::error!(status, duration_ms, "request failed");
    } else {
        tracing::info!(status, duration_ms, "request finished");
    }
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
