//! Emergency access ("break the glass"): a provider opens the record of a patient outside
//! their care by giving a reason. The grant is an audit event carrying the reason, and it
//! lasts [`EMERGENCY_ACCESS_MINUTES`]; every read under it is audited as emergency access.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::collect;
use super::{Caller, Portal};
use crate::domain::{Email, clean_required, parse_date_of_birth};
use crate::error::{FieldError, ServiceError, ServiceResult};
use crate::input::EmergencyAccessRequest;
use crate::model::{EMERGENCY_GRANT, Outcome, Role};
use crate::throttle::ThrottleLimit;

/// How long an emergency access grant lasts.
pub const EMERGENCY_ACCESS_MINUTES: i64 = 60;

/// Limit of denied requests per provider before further requests are rejected. Each denial
/// is forgotten after 12 minutes. Without it, a provider with a patient's email address could
/// find their date of birth by trying dates.
pub(super) const DENIED_REQUEST_LIMIT: ThrottleLimit = ThrottleLimit {
    max_failures: 5,
    window: Duration::minutes(60),
};

/// Minimum length of a reason in characters, so "n/a" is rejected.
const REASON_MIN_CHARS: usize = 10;
const REASON_MAX_CHARS: usize = 500;

/// An emergency access grant, as returned to the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmergencyAccessGrant {
    pub patient_id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub expires_at: DateTime<Utc>,
}

impl Portal {
    /// Grants the provider emergency access to the patient with the given email and date of
    /// birth. When no patient matches both, the error is the same not-found for every cause,
    /// audited as denied (with the patient as subject when the email matched one).
    pub async fn grant_emergency_access(
        &self,
        caller: &Caller,
        request: &EmergencyAccessRequest,
    ) -> ServiceResult<EmergencyAccessGrant> {
        self.require_role(caller, Role::Provider, EMERGENCY_GRANT, None)
            .await?;
        let now = self.now();
        let throttle_key = caller.user_id.to_string();
        if let Err(throttled) = self.emergency_throttle.check(&throttle_key, now) {
            self.record_caller(caller, EMERGENCY_GRANT, None, Outcome::Denied)
                .await?;
            return Err(ServiceError::Throttled(throttled));
        }
        let mut errors: Vec<FieldError> = Vec::new();
        let email = collect(
            &mut errors,
            "patientEmail",
            Email::parse(&request.patient_email).map_err(String::from),
        );
        let date_of_birth = collect(
            &mut errors,
            "dateOfBirth",
            parse_date_of_birth(&request.date_of_birth, self.clinic_date(now)),
        );
        let reason = collect(&mut errors, "reason", check_reason(&request.reason));
        let (Some(email), Some(date_of_birth), Some(reason), true) =
            (email, date_of_birth, reason, errors.is_empty())
        else {
            return Err(ServiceError::Validation(errors));
        };

        let patient = self
            .store
            .find_user_by_email(email.as_str())
            .await?
            .filter(|user| user.role == Role::Patient);
        let profile = match &patient {
            Some(patient) => self.store.find_profile(patient.id).await?,
            None => None,
        };
        let Some(profile) = profile.filter(|profile| profile.date_of_birth == date_of_birth) else {
            let subject = patient.map(|patient| patient.id);
            self.emergency_throttle.record_failure(&throttle_key, now);
            self.record_caller(caller, EMERGENCY_GRANT, subject, Outcome::Denied)
                .await?;
            return Err(ServiceError::NotFound);
        };

        let mut event = self.audit_event(
            &caller.context,
            Some((caller.user_id, caller.role)),
            EMERGENCY_GRANT,
            Some(profile.id),
            Outcome::Success,
        );
        event.detail = Some(reason);
        self.audit.record(event).await?;
        tracing::warn!(
            provider.id = %caller.user_id,
            patient.id = %profile.id,
            "emergency access granted"
        );
        Ok(EmergencyAccessGrant {
            patient_id: profile.id,
            first_name: profile.first_name,
            last_name: profile.last_name,
            expires_at: now + Duration::minutes(EMERGENCY_ACCESS_MINUTES),
        })
    }

    /// Returns when the provider's emergency access to the patient ends, if they have one now.
    pub(super) async fn emergency_access_until(
        &self,
        provider_id: Uuid,
        patient_id: Uuid,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<DateTime<Utc>>> {
        let window = Duration::minutes(EMERGENCY_ACCESS_MINUTES);
        let granted = self
            .store
            .emergency_grant_since(provider_id, patient_id, now - window)
            .await?;
        Ok(granted
            .map(|granted_at| granted_at + window)
            .filter(|until| *until > now))
    }
}

fn check_reason(raw: &str) -> Result<String, String> {
    // Line breaks are allowed in a reason; every other hidden character is not.
    let reason = clean_required(&raw.replace(['\n', '\r'], " "), REASON_MAX_CHARS)?;
    if reason.chars().count() < REASON_MIN_CHARS {
        return Err(format!(
            "must be at least {REASON_MIN_CHARS} characters: say why the patient needs care \
             from you now"
        ));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_limits() {
        assert!(check_reason("too short").is_err());
        assert!(check_reason("   ").is_err());
        assert_eq!(
            check_reason("  Unconscious on arrival\nin the ER ").as_deref(),
            Ok("Unconscious on arrival in the ER")
        );
        assert!(check_reason(&"a".repeat(500)).is_ok());
        assert!(check_reason(&"a".repeat(501)).is_err());
        assert!(check_reason("Arrived by ambulance\u{202E}").is_err());
    }
}
