//! The OpenAPI 3.1 document, generated from the handlers and types.

use portal_core::FieldError;
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::error::PROBLEM_JSON;

use crate::routes::{auth, mfa, patient, provider, service};

#[derive(OpenApi)]
#[openapi(
    info(title = "Patient portal API", version = "1"),
    paths(
        auth::register_patient,
        auth::register_provider,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::me,
        auth::change_password,
        auth::list_sessions,
        auth::end_session,
        auth::end_other_sessions,
        mfa::login_mfa,
        mfa::status,
        mfa::setup,
        mfa::confirm,
        mfa::disable,
        mfa::recovery_codes,
        patient::dashboard,
        patient::profile,
        patient::update_profile,
        patient::appointments,
        patient::request_appointment,
        patient::cancel_appointment,
        patient::access_log,
        provider::patients,
        provider::patient,
        provider::emergency_access,
        provider::appointments,
        provider::confirm,
        provider::decline,
        provider::providers,
        service::healthz,
        service::readyz,
        service::openapi,
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth, &ProblemResponses)
)]
pub struct ApiDoc;

/// An RFC 9457 problem document, the body of every error under `/api/`.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The invalid fields, on 400 and 422.
    pub errors: Option<Vec<FieldError>>,
}

/// Adds the error responses every API operation can give, each with a problem document body,
/// and gives the error statuses that handlers list a problem document body too.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_problem_responses(operation);
            }
        }
    }
}

fn add_problem_responses(operation: &mut Operation) {
    let mut statuses = vec![
        ("500", "Unexpected error; the detail is generic."),
        ("503", "The database is unavailable; retry later."),
    ];
    if operation.request_body.is_some() {
        statuses.push(("400", "The body is not valid JSON."));
        statuses.push(("413", "The body is larger than 64 KiB."));
        statuses.push(("415", "The body is not sent as application/json."));
        statuses.push(("422", "The body fails the schema or a validation rule."));
    }
    if operation.security.is_some() {
        statuses.push((
            "401",
            "Credentials are missing, invalid, expired or revoked.",
        ));
        // Any signed-in route outside the account's own routes returns 403 while the
        // caller's role requires two-step sign-in that they have not set up.
        statuses.push((
            "403",
            "Not allowed for the caller, or two-step sign-in must be set up first.",
        ));
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in statuses {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem_response(description)));
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let RefOr::T(response) = response
            && is_error
            && response.content.is_empty()
        {
            let description = response.description.clone();
            *response = problem_response(&description);
        }
    }
}

fn problem_response(description: &str) -> Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Problem")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content)
        .build()
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
