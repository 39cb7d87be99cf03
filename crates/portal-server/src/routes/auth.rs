//! `/api/v1/auth`: registration, sign-in, session renewal, sign-out, password change and the
//! caller's list of sessions.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};
use portal_core::ServiceError;
use portal_core::input::{
    ChangePasswordRequest, LoginRequest, RegisterPatientRequest, RegisterProviderRequest,
};
use portal_core::model::{SessionSummary, User};
use portal_core::services::{LoginOutcome, SessionGrant};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth, Context, PathId};
use crate::state::AppState;
use crate::tokens::TokenSubject;

pub const REFRESH_COOKIE: &str = "portal_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register/patient", post(register_patient))
        .route("/register/provider", post(register_provider))
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/password", put(change_password))
        .route("/sessions", get(list_sessions))
        .route("/sessions/end-others", post(end_other_sessions))
        .route("/sessions/{id}", delete(end_session))
        .merge(super::mfa::router())
}

/// A signed-in session as returned to the client.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionBody {
    pub user: User,
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    /// Seconds without an authenticated request or a renewal after which the session ends.
    pub idle_timeout_seconds: i64,
    /// Absolute end of the session, whatever the activity.
    pub session_expires_at: DateTime<Utc>,
}

/// The response to a right password on an account with two-step sign-in: no session yet,
/// but a token for `POST /api/v1/auth/login/mfa`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaChallengeBody {
    /// Always `true`.
    pub mfa_required: bool,
    /// Names the account for the second step; valid for 5 minutes and for nothing else.
    pub mfa_token: String,
    pub mfa_token_expires_at: DateTime<Utc>,
}

/// The body of a successful `POST /api/v1/auth/login`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginBody {
    Session(SessionBody),
    MfaChallenge(MfaChallengeBody),
}

/// The signed-in user, and whether they must set up two-step sign-in before anything else.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeBody {
    #[serde(flatten)]
    pub user: User,
    /// Present, and `true`, only for a user who must set up two-step sign-in first, so for
    /// everyone else the body is exactly the User of the session.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mfa_enrolment_required: bool,
}

/// The caller's active sessions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionSummary>,
}

#[utoipa::path(post, path = "/api/v1/auth/register/patient", tag = "auth",
    request_body = RegisterPatientRequest,
    responses((status = 201, body = SessionBody), (status = 409), (status = 422)))]
pub async fn register_patient(
    State(state): State<AppState>,
    Context(context): Context,
    jar: CookieJar,
    ApiJson(body): ApiJson<RegisterPatientRequest>,
) -> ApiResult<Response> {
    let grant = state.portal.register_patient(&context, body).await?;

    session_response(&state, jar, grant, StatusCode::CREATED)
}

#[utoipa::path(post, path = "/api/v1/auth/register/provider", tag = "auth",
    request_body = RegisterProviderRequest,
    responses((status = 201, body = SessionBody), (status = 409), (status = 422)))]
pub async fn register_provider(
    State(state): State<AppState>,
    Context(context): Context,
    jar: CookieJar,
    ApiJson(body): ApiJson<RegisterProviderRequest>,
) -> ApiResult<Response> {
    let grant = state.portal.register_provider(&context, body).await?;

    session_response(&state, jar, grant, StatusCode::CREATED)
}

/// Signs in with email and password. On an account with two-step sign-in the 200 body is an
/// `MfaChallengeBody` instead of a session, and no cookie is set.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginBody), (status = 401),
        (status = 429, description = "Too many failed sign-ins; `Retry-After` gives the wait in seconds")))]
pub async fn login(
    State(state): State<AppState>,
    Context(context): Context,
    jar: CookieJar,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let outcome = state
        .portal
        .login(&context, body)
        .await
        .map_err(|error| match error {
            ServiceError::Unauthenticated => ApiError::login_failed(),
            other => ApiError::from(other),
        })?;

    match outcome {
        LoginOutcome::Session(grant) => session_response(&state, jar, grant, StatusCode::OK),
        LoginOutcome::MfaRequired { user_id } => mfa_challenge_response(&state, user_id),
    }
}

fn mfa_challenge_response(state: &AppState, user_id: uuid::Uuid) -> ApiResult<Response> {
    let (mfa_token, expires_at) = state
        .tokens
        .issue_mfa(user_id, state.portal.now())
        .map_err(|error| {
            tracing::error!(error = %error, "signing a second-step sign-in token failed");
            ApiError::internal()
        })?;
    let body = MfaChallengeBody {
        mfa_required: true,
        mfa_token,
        mfa_token_expires_at: expires_at,
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    params(("X-Requested-With" = String, Header, description = "Must be `portal`")),
    responses((status = 200, body = SessionBody), (status = 401), (status = 403)))]
pub async fn refresh(
    State(state): State<AppState>,
    Context(context): Context,
    headers: HeaderMap,
    jar: CookieJar,
) -> ApiResult<Response> {
    let csrf_ok = headers
        .get("x-requested-with")
        .is_some_and(|value| value.as_bytes() == b"portal");
    if !csrf_ok {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Session renewal needs the header X-Requested-With: portal.",
        ));
    }
    let token = jar
        .get(REFRESH_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .ok_or_else(ApiError::unauthorized)?;
    let grant = state.portal.refresh(&context, &token).await?;

    session_response(&state, jar, grant, StatusCode::OK)
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204), (status = 401)), security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    Auth(caller): Auth,
    jar: CookieJar,
) -> ApiResult<Response> {
    state.portal.logout(&caller).await?;

    let jar = jar.remove(refresh_cookie(&state, String::new(), 0));
    Ok((StatusCode::NO_CONTENT, jar).into_response())
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = MeBody), (status = 401)), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, Auth(caller): Auth) -> ApiResult<Json<MeBody>> {
    let user = state.portal.current_user(&caller).await?;
    let mfa_enrolment_required = state.portal.mfa_enrolment_required(&caller).await?;

    Ok(Json(MeBody {
        user,
        mfa_enrolment_required,
    }))
}

#[utoipa::path(put, path = "/api/v1/auth/password", tag = "auth",
    request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    state.portal.change_password(&caller, body).await?;

    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth",
    responses((status = 200, body = SessionList), (status = 401)), security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<SessionList>> {
    let items = state.portal.list_sessions(&caller).await?;

    Ok(Json(SessionList { items }))
}

/// Ends one of the caller's sessions. Ending the current one works like signing out.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 204), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn end_session(
    State(state): State<AppState>,
    Auth(caller): Auth,
    PathId(id): PathId,
    jar: CookieJar,
) -> ApiResult<Response> {
    state.portal.end_session(&caller, &id).await?;

    let ended_current = id == caller.session_id.hyphenated().to_string();
    if ended_current {
        let jar = jar.remove(refresh_cookie(&state, String::new(), 0));
        return Ok((StatusCode::NO_CONTENT, jar).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Ends every session of the caller except the current one.
#[utoipa::path(post, path = "/api/v1/auth/sessions/end-others", tag = "auth",
    responses((status = 204), (status = 401)), security(("bearer" = [])))]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<StatusCode> {
    state.portal.end_other_sessions(&caller).await?;

    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn session_response(
    state: &AppState,
    jar: CookieJar,
    grant: SessionGrant,
    status: StatusCode,
) -> ApiResult<Response> {
    let now = state.portal.now();
    let subject = TokenSubject {
        user_id: grant.user.id,
        session_id: grant.session_id,
    };
    let (access_token, expires_at) = state.tokens.issue(subject, now).map_err(|error| {
        tracing::error!(error = %error, "signing an access token failed");
        ApiError::internal()
    })?;
    let max_age = (grant.session_expires_at - now).num_seconds().max(0);
    let jar = jar.add(refresh_cookie(state, grant.refresh_token, max_age));
    let body = SessionBody {
        user: grant.user,
        access_token,
        access_token_expires_at: expires_at,
        idle_timeout_seconds: state.portal.settings().session_idle_timeout.num_seconds(),
        session_expires_at: grant.session_expires_at,
    };
    Ok((status, jar, Json(body)).into_response())
}

fn refresh_cookie(state: &AppState, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((REFRESH_COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path(REFRESH_COOKIE_PATH)
        .secure(state.secure_cookies)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
}
