//! Health checks and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;
use utoipa::OpenApi;

use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Returns 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "service", responses((status = 200)))]
pub async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// Returns 200 when the database responds, else 503.
#[utoipa::path(get, path = "/readyz", tag = "service", responses((status = 200), (status = 503)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.portal.store().ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}

/// Serves this OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "service", responses((status = 200)))]
pub async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
