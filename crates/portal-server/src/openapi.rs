//! The OpenAPI 3.1 document, generated from the handlers and types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{auth, patient, provider, service};

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
        patient::dashboard,
        patient::profile,
        patient::update_profile,
        patient::appointments,
        patient::request_appointment,
        patient::cancel_appointment,
        patient::access_log,
        provider::patients,
        provider::patient,
        provider::appointments,
        provider::confirm,
        provider::decline,
        provider::providers,
        service::healthz,
        service::readyz,
        service::openapi,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

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
