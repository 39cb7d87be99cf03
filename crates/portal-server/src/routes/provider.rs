//! `/api/v1/provider`: a provider's patients (read-only) and appointment requests, and
//! `/api/v1/providers`, the provider directory for every signed-in user.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use portal_core::input::EmergencyAccessRequest;
use portal_core::model::{Appointment, Page, PatientSummary, Profile, ProviderSummary};
use portal_core::services::EmergencyAccessGrant;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Auth, ListQuery, PathId};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patients", get(patients))
        .route(
            "/patients/{id}",
            get(patient)
                .put(reject_profile_write)
                .patch(reject_profile_write)
                .post(reject_profile_write)
                .delete(reject_profile_write),
        )
        .route("/emergency-access", post(emergency_access))
        .route("/appointments", get(appointments))
        .route("/appointments/{id}/confirm", post(confirm))
        .route("/appointments/{id}/decline", post(decline))
}

#[utoipa::path(get, path = "/api/v1/provider/patients", tag = "provider",
    params(("q" = Option<String>, Query), ("page" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Page<PatientSummary>), (status = 400), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn patients(
    State(state): State<AppState>,
    Auth(caller): Auth,
    query: ListQuery,
) -> ApiResult<Json<Page<PatientSummary>>> {
    let list = state
        .portal
        .care_patients(&caller, query.q.as_deref(), query.page)
        .await?;

    Ok(Json(list))
}

#[utoipa::path(get, path = "/api/v1/provider/patients/{id}", tag = "provider",
    params(("id" = String, Path)),
    responses((status = 200, body = Profile), (status = 401), (status = 404)),
    security(("bearer" = [])))]
pub async fn patient(
    State(state): State<AppState>,
    Auth(caller): Auth,
    PathId(id): PathId,
) -> ApiResult<Json<Profile>> {
    Ok(Json(
        state
            .portal
            .patient_profile_for_provider(&caller, &id)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/provider/emergency-access", tag = "provider",
    request_body = EmergencyAccessRequest,
    responses((status = 201, body = EmergencyAccessGrant), (status = 401), (status = 403),
        (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn emergency_access(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<EmergencyAccessRequest>,
) -> ApiResult<(StatusCode, Json<EmergencyAccessGrant>)> {
    let grant = state.portal.grant_emergency_access(&caller, &body).await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// Rejects every attempt to change a patient's record through the provider API, audited.
pub async fn reject_profile_write(
    State(state): State<AppState>,
    Auth(caller): Auth,
    PathId(id): PathId,
) -> ApiError {
    ApiError::from(state.portal.deny_profile_write(&caller, &id).await)
}

#[utoipa::path(get, path = "/api/v1/provider/appointments", tag = "provider",
    params(("status" = Option<String>, Query), ("page" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Page<Appointment>), (status = 400), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn appointments(
    State(state): State<AppState>,
    Auth(caller): Auth,
    query: ListQuery,
) -> ApiResult<Json<Page<Appointment>>> {
    let list = state
        .portal
        .provider_appointments(&caller, query.status, query.page)
        .await?;

    Ok(Json(list))
}

#[utoipa::path(post, path = "/api/v1/provider/appointments/{id}/confirm", tag = "provider",
    params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    Auth(caller): Auth,
    PathId(id): PathId,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(state.portal.confirm_appointment(&caller, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/provider/appointments/{id}/decline", tag = "provider",
    params(("id" = String, Path)),
    responses((status = 200, body = Appointment), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn decline(
    State(state): State<AppState>,
    Auth(caller): Auth,
    PathId(id): PathId,
) -> ApiResult<Json<Appointment>> {
    Ok(Json(state.portal.decline_appointment(&caller, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/providers", tag = "providers",
    params(("q" = Option<String>, Query), ("page" = Option<u32>, Query), ("limit" = Option<u32>, Query)),
    responses((status = 200, body = Page<ProviderSummary>), (status = 400), (status = 401)),
    security(("bearer" = [])))]
pub async fn providers(
    State(state): State<AppState>,
    Auth(caller): Auth,
    query: ListQuery,
) -> ApiResult<Json<Page<ProviderSummary>>> {
    let list = state
        .portal
        .providers(&caller, query.q.as_deref(), query.page)
        .await?;

    Ok(Json(list))
}
