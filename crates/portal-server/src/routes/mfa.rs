//! `/api/v1/auth/mfa` and `/api/v1/auth/login/mfa`: two-step sign-in with TOTP (enrolment,
//! recovery codes, turning it off) and the second step of a sign-in.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use portal_core::ServiceError;
use portal_core::services::{
    DisableTotpRequest, MfaLoginRequest, MfaStatus, RecoveryCodes, SecondFactor, TotpCodeRequest,
    TotpSetup,
};

use super::auth::{SessionBody, session_response};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth, Context};
use crate::state::AppState;

/// Routes under `/api/v1/auth`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/mfa", post(login_mfa))
        .route("/mfa", get(status))
        .route("/mfa/totp/setup", post(setup))
        .route("/mfa/totp/confirm", post(confirm))
        .route("/mfa/totp", axum::routing::delete(disable))
        .route("/mfa/recovery-codes", post(recovery_codes))
}

/// Finishes a sign-in whose password was right, with an authenticator code or a recovery
/// code. Every wrong or reused code, and an invalid or expired `mfaToken`, get the same 401.
#[utoipa::path(post, path = "/api/v1/auth/login/mfa", tag = "auth", request_body = MfaLoginRequest,
    responses((status = 200, body = SessionBody), (status = 401), (status = 422),
        (status = 429, description = "Too many failed sign-ins; `Retry-After` gives the wait in seconds")))]
pub async fn login_mfa(
    State(state): State<AppState>,
    Context(context): Context,
    jar: CookieJar,
    ApiJson(body): ApiJson<MfaLoginRequest>,
) -> ApiResult<Response> {
    let factor = SecondFactor::from_request(&body)?;
    let user_id = state
        .tokens
        .verify_mfa(body.mfa_token.trim(), state.portal.now())
        .ok_or_else(ApiError::mfa_failed)?;
    let grant = state
        .portal
        .login_second_step(&context, user_id, factor)
        .await
        .map_err(|error| match error {
            ServiceError::Unauthenticated => ApiError::mfa_failed(),
            other => ApiError::from(other),
        })?;

    session_response(&state, jar, grant, StatusCode::OK)
}

#[utoipa::path(get, path = "/api/v1/auth/mfa", tag = "auth",
    responses((status = 200, body = MfaStatus), (status = 401)), security(("bearer" = [])))]
pub async fn status(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<MfaStatus>> {
    Ok(Json(state.portal.mfa_status(&caller).await?))
}

/// Starts a TOTP setup, replacing an unconfirmed one. The secret and QR code are shown once.
#[utoipa::path(post, path = "/api/v1/auth/mfa/totp/setup", tag = "auth",
    responses((status = 200, body = TotpSetup), (status = 401),
        (status = 409, description = "Two-step sign-in is already on")),
    security(("bearer" = [])))]
pub async fn setup(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<TotpSetup>> {
    Ok(Json(state.portal.start_totp_setup(&caller).await?))
}

/// Confirms the setup with a current code and returns the recovery codes, shown once.
#[utoipa::path(post, path = "/api/v1/auth/mfa/totp/confirm", tag = "auth",
    request_body = TotpCodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 401),
        (status = 409, description = "No setup to confirm, or already on"), (status = 422)),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<TotpCodeRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(state.portal.confirm_totp(&caller, body).await?))
}

/// Turns two-step sign-in off; needs the password and a current code.
#[utoipa::path(delete, path = "/api/v1/auth/mfa/totp", tag = "auth",
    request_body = DisableTotpRequest,
    responses((status = 204), (status = 401),
        (status = 403, description = "Two-step sign-in is required for the caller's role"),
        (status = 422), (status = 429)),
    security(("bearer" = [])))]
pub async fn disable(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<DisableTotpRequest>,
) -> ApiResult<StatusCode> {
    state.portal.disable_totp(&caller, body).await?;

    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the recovery codes after checking a current code; the new codes are shown once.
#[utoipa::path(post, path = "/api/v1/auth/mfa/recovery-codes", tag = "auth",
    request_body = TotpCodeRequest,
    responses((status = 200, body = RecoveryCodes), (status = 401),
        (status = 409, description = "Two-step sign-in is off"), (status = 422), (status = 429)),
    security(("bearer" = [])))]
pub async fn recovery_codes(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<TotpCodeRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(
        state
            .portal
            .regenerate_recovery_codes(&caller, body)
            .await?,
    ))
}
