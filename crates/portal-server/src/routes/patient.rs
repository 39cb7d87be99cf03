//! `/api/v1/patient`: the signed-in patient's own dashboard, profile, appointments and
//! access history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use portal_core::input::{AppointmentRequest, ProfileUpdateRequest};
use portal_core::model::{AccessEvent, Appointment, Page, Profile};
use portal_core::services::Dashboard;

use crate::error::ApiResult;
use crate::extract::{ApiJson, Auth, ListQuery, PathId};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/profile", get(profile).put(update_profile))
        .route("/appointments", get(appointments).post(request_appointment))
        .route("/appointments/{id}/cancel", post(cancel_appointment))
        .route("/access-log", get(access_log))
}

#[utoipa::path(get, path = "/api/v1/patient/dashboard", tag = "patient",
    responses((status = 200, body = Dashboard), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(state.portal.dashboard(&caller).await?))
}

#[utoipa::path(get, path = "/api/v1/patient/profile", tag = "patient",
    responses((status = 200, body = Profile), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn profile(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Profile>> {
    Ok(Json(state.portal.profile(&caller).await?))
}

#[utoipa::path(put, path = "/api/v1/patient/profile", tag = "patient",
    request_body = ProfileUpdateRequest,
    responses((status = 200, body = Profile), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn update_profile(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<ProfileUpdateRequest>,
) -> ApiResult<Json<Profile>> {
    Ok(Json(state.portal.update_profile(&caller, body).await?))
}

#[utoipa::path(get, path = "/api/v1/patient/appointments", tag = "patient",
    params(("status" = Option<String>, Query), ("page" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Page<Appointment>), (status = 400), (status = 401)),
    security(("bearer" = [])))]
pub async fn appointments(
    State(state): State<AppState>,
    Auth(caller): Auth,
    query: ListQuery,
) -> ApiResult<Json<Page<Appointment>>> {
    let list = state
        .portal
        .patient_appointments(&caller, query.status, query.page)
        .await?;

    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/patient/appointments", tag = "patient",
    request_body = AppointmentRequest,
    responses((status = 201, body = Appointment), (status = 401), (status = 422)),
    security(("bearer" = [])))]
pub async fn request_appointment(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<AppointmentRequest>,
) -> ApiResult<(StatusCode, Json<Appointment>)> {
    let appointment = state.portal.request_appointment(&caller, body).await?;

    Ok((StatusCode::CREATED, Json(appointment)))
}

#[utoipa::path(post, path = "/api/v1/patient/appointments/{id}/cancel", tag = "patient",
    params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn cancel_appointment(
    State(state): State<AppState>,
    Auth(caller): Auth,
    PathId(id): PathId,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(state.portal.cancel_appointment(&caller, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/patient/access-log", tag = "patient",
    params(("page" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Page<AccessEvent>), (status = 400), (status = 401)),
    security(("bearer" = [])))]
pub async fn access_log(
    State(state): State<AppState>,
    Auth(caller): Auth,
    query: ListQuery,
) -> ApiResult<Json<Page<AccessEvent>>> {
    Ok(Json(state.portal.access_log(&caller, query.page).await?))
}
