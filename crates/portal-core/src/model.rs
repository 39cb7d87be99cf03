//! Records the portal stores and returns.

use std::borrow::Cow;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Provider,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Provider => "provider",
            Role::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "patient" => Some(Role::Patient),
            "provider" => Some(Role::Provider),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A stored account, including the password hash; never serialised to clients.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The public view of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub first_name: String,
    pub last_name: String,
}

impl From<&UserRecord> for User {
    fn from(record: &UserRecord) -> Self {
        Self {
            id: record.id,
            email: record.email.clone(),
            role: record.role,
            first_name: record.first_name.clone(),
            last_name: record.last_name.clone(),
        }
    }
}

/// A patient's acceptance of a version of the privacy policy, timed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub policy_version: String,
    pub accepted_at: DateTime<Utc>,
}

/// Provider details kept beside the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderDetails {
    pub npi: String,
    pub specialty: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SexAtBirth {
    Female,
    Male,
    Intersex,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
    Unknown,
}

/// A postal address; `line1` and `city` are required, the rest may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub line1: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub line2: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub city: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub region: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub postal_code: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub country: String,
}

/// Someone to call in an emergency; every field is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmergencyContact {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub relationship: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub phone: String,
}

/// Reads a JSON string, treating `null` as an empty string. With `#[serde(default)]`, missing
/// and `null` text fields become empty, so validation reports every empty required field at
/// once instead of stopping at the first missing key.
fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Allergy {
    pub substance: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub reaction: String,
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Medication {
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub dose: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub frequency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Condition {
    pub name: String,
}

/// The health information a patient keeps up to date, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthDetails {
    pub sex_at_birth: Option<SexAtBirth>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub emergency_contact: Option<EmergencyContact>,
    pub allergies: Vec<Allergy>,
    pub medications: Vec<Medication>,
    pub conditions: Vec<Condition>,
    pub primary_provider_id: Option<Uuid>,
}

/// A patient's profile as returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[schema(value_type = String, format = Date)]
    pub date_of_birth: NaiveDate,
    pub sex_at_birth: Option<SexAtBirth>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub emergency_contact: Option<EmergencyContact>,
    pub allergies: Vec<Allergy>,
    pub medications: Vec<Medication>,
    pub conditions: Vec<Condition>,
    pub primary_provider_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

impl Profile {
    pub fn health(&self) -> HealthDetails {
        HealthDetails {
            sex_at_birth: self.sex_at_birth,
            phone: self.phone.clone(),
            address: self.address.clone(),
            emergency_contact: self.emergency_contact.clone(),
            allergies: self.allergies.clone(),
            medications: self.medications.clone(),
            conditions: self.conditions.clone(),
            primary_provider_id: self.primary_provider_id,
        }
    }
}

/// The editable part of a profile, after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChanges {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub health: HealthDetails,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Requested,
    Confirmed,
    Declined,
    Cancelled,
    Completed,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Confirmed => "confirmed",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "requested" => Some(Self::Requested),
            "confirmed" => Some(Self::Confirmed),
            "declined" => Some(Self::Declined),
            "cancelled" => Some(Self::Cancelled),
            "completed" => Some(Self::Completed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitType {
    InPerson,
    Telehealth,
}

impl VisitType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in_person",
            Self::Telehealth => "telehealth",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "in_person" => Some(Self::InPerson),
            "telehealth" => Some(Self::Telehealth),
            _ => None,
        }
    }
}

/// A new appointment request, validated and ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub provider_id: Uuid,
    pub preferred_start: DateTime<Utc>,
    pub visit_type: VisitType,
    pub reason: String,
    pub status: AppointmentStatus,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub patient_name: String,
    pub provider_id: Uuid,
    pub provider_name: String,
    pub preferred_start: DateTime<Utc>,
    pub visit_type: VisitType,
    pub reason: String,
    pub status: AppointmentStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub specialty: String,
}

/// A patient in a provider's care, as stored; the service adds the age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePatient {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub next_appointment: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    #[schema(value_type = String, format = Date)]
    pub date_of_birth: NaiveDate,
    pub age: u32,
    pub next_appointment: Option<DateTime<Utc>>,
}

/// A signed-in session; the refresh token itself is never stored, only the SHA-256 hash of
/// its secret part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub refresh_hash: String,
    pub created_at: DateTime<Utc>,
    /// Time of the latest renewal or authenticated request. Requests update it at most once a
    /// minute, so it can lag the latest request by up to a minute.
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Browser and operating system at sign-in, such as "Firefox on Windows", at most
    /// [`Session::MAX_BROWSER_CHARS`] characters; `None` when unknown.
    pub browser: Option<String>,
}

impl Session {
    /// Maximum length of a stored browser label, in characters.
    pub const MAX_BROWSER_CHARS: usize = 100;

    /// Returns true when the session is neither revoked nor past its absolute expiry.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }

    /// Returns true when nothing has used the session for `idle_timeout` or longer.
    pub fn is_idle(&self, now: DateTime<Utc>, idle_timeout: Duration) -> bool {
        now - self.last_used_at >= idle_timeout
    }
}

/// One of the caller's active sessions, as listed by `GET /api/v1/auth/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    pub id: Uuid,
    /// Browser and operating system at sign-in, such as "Chrome on Linux", or `null` when the
    /// `User-Agent` header named no known browser or system.
    pub browser: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Time of the latest use, updated at most once a minute.
    pub last_used_at: DateTime<Utc>,
    /// Absolute expiry; the session ends earlier after the idle timeout without use.
    pub expires_at: DateTime<Utc>,
    /// True for the session that made the request.
    pub current: bool,
}

/// A provider invitation; only the SHA-256 hash of the code is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "success" => Some(Self::Success),
            "denied" => Some(Self::Denied),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// An audit event before it is stored. It carries ids and labels only, never PHI values,
/// except `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<Role>,
    /// The services write fixed names; events read back from a store carry owned copies.
    pub action: Cow<'static, str>,
    pub subject_id: Option<Uuid>,
    pub outcome: Outcome,
    pub request_id: String,
    pub client_addr: String,
    /// The reason a provider gave for emergency access; `None` for every other event. The
    /// patient reads it in their access history, so it is treated as PHI: never logged.
    pub detail: Option<String>,
}

/// The action of a provider's emergency access grant ("break the glass").
pub const EMERGENCY_GRANT: &str = "emergency.grant";

/// Returns true for actions taken under emergency access, which the access history
/// highlights.
pub fn is_emergency_action(action: &str) -> bool {
    action.starts_with("emergency.")
}

/// One entry of a patient's access history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub actor_role: Option<Role>,
    pub action: String,
    pub outcome: Outcome,
    /// True for emergency access and the reads made under it.
    pub emergency: bool,
    /// The provider's reason, on an emergency access grant only.
    pub reason: Option<String>,
}

/// Page request: `page` from 1, `limit` from 1 to [`PageRequest::MAX_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub limit: u32,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 100;
    pub const DEFAULT_LIMIT: u32 = 25;

    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// One page of a list, with the total count across all pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub limit: u32,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, request: PageRequest, total: u64) -> Self {
        Self {
            items,
            page: request.page,
            limit: request.limit,
            total,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            limit: self.limit,
            total: self.total,
        }
    }
}
