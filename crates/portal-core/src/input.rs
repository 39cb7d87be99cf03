//! Request bodies as clients send them. Unknown fields are rejected during deserialisation;
//! the services validate the values.

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{
    Address, Allergy, Condition, EmergencyContact, Medication, SexAtBirth, VisitType,
};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterPatientRequest {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    /// Calendar date `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Must be JSON `true`.
    pub consent: bool,
    /// Version of the privacy policy the person agreed to.
    pub consent_version: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterProviderRequest {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    /// Ten digits with a valid check digit.
    pub npi: String,
    pub specialty: String,
    pub invite_code: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// The editable fields of a profile; a missing optional key means empty or `null`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileUpdateRequest {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: String,
    #[serde(default)]
    pub sex_at_birth: Option<SexAtBirth>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub emergency_contact: Option<EmergencyContact>,
    #[serde(default)]
    pub allergies: Vec<Allergy>,
    #[serde(default)]
    pub medications: Vec<Medication>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub primary_provider_id: Option<Uuid>,
}

/// A provider's request for emergency access to a patient outside their care. The patient is
/// named by two identifiers the provider must already have, so the request reveals nothing
/// about who else is registered.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmergencyAccessRequest {
    pub patient_email: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// The reason access is needed, 10 to 500 characters.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppointmentRequest {
    pub provider_id: Uuid,
    /// RFC 3339 instant with an offset, in the future and within a year.
    pub preferred_start: String,
    pub visit_type: VisitType,
    pub reason: String,
}
