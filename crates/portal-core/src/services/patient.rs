//! Patient use cases: dashboard, profile, appointments and access history.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::profile::validate_profile;
use super::{Caller, Portal, parse_id, search_prefix};
use crate::domain::{AgeGroup, age_on, clean_required};
use crate::error::{FieldError, ServiceError, ServiceResult};
use crate::input::{AppointmentRequest, ProfileUpdateRequest};
use crate::model::{
    AccessEvent, Appointment, AppointmentStatus, NewAppointment, Outcome, Page, PageRequest,
    Profile, ProviderSummary, Role,
};
use crate::reminders::{Reminder, ReminderFacts, reminders_for};
use crate::tips::{TipOfTheDay, tip_of_the_day};

/// Most upcoming appointments shown on the dashboard.
const DASHBOARD_APPOINTMENTS: u32 = 5;
/// Maximum length of an appointment reason, in characters.
const MAX_REASON_CHARS: usize = 500;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub first_name: String,
    pub upcoming_appointments: Vec<Appointment>,
    pub reminders: Vec<Reminder>,
    pub tip_of_the_day: TipOfTheDay,
}

impl Portal {
    pub async fn dashboard(&self, caller: &Caller) -> ServiceResult<Dashboard> {
        self.require_role(caller, Role::Patient, "dashboard.read", None)
            .await?;
        let now = self.now();
        let today = self.clinic_date(now);
        let profile = self.own_profile(caller).await?;
        let upcoming = self
            .store
            .upcoming_appointments(caller.user_id, now, DASHBOARD_APPOINTMENTS)
            .await?;
        let last_visit = self.store.last_visit(caller.user_id, now).await?;

        let facts = ReminderFacts {
            date_of_birth: profile.date_of_birth,
            sex_at_birth: profile.sex_at_birth,
            medication_count: profile.medications.len(),
            last_visit: last_visit.map(|instant| self.clinic_date(instant)),
            today,
        };
        let group = AgeGroup::for_age(age_on(profile.date_of_birth, today));
        let dashboard = Dashboard {
            first_name: profile.first_name,
            upcoming_appointments: upcoming,
            reminders: reminders_for(&facts),
            tip_of_the_day: tip_of_the_day(caller.user_id, group, today),
        };
        self.record_caller(
            caller,
            "dashboard.read",
            Some(caller.user_id),
            Outcome::Success,
        )
        .await?;
        Ok(dashboard)
    }

    pub async fn profile(&self, caller: &Caller) -> ServiceResult<Profile> {
        self.require_role(caller, Role::Patient, "profile.read", None)
            .await?;
        let profile = self.own_profile(caller).await?;
        self.record_caller(
            caller,
            "profile.read",
            Some(caller.user_id),
            Outcome::Success,
        )
        .await?;
        Ok(profile)
    }

    pub async fn update_profile(
        &self,
        caller: &Caller,
        request: ProfileUpdateRequest,
    ) -> ServiceResult<Profile> {
        self.require_role(caller, Role::Patient, "profile.update", None)
            .await?;
        let now = self.now();
        let changes =
            validate_profile(request, self.clinic_date(now)).map_err(ServiceError::Validation)?;
        if let Some(provider_id) = changes.health.primary_provider_id
            && self.store.find_provider(provider_id).await?.is_none()
        {
            return Err(ServiceError::field(
                "primaryProviderId",
                "must be a provider of this clinic",
            ));
        }
        let profile = self
            .store
            .update_profile(caller.user_id, &changes, now)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.record_caller(
            caller,
            "profile.update",
            Some(caller.user_id),
            Outcome::Success,
        )
        .await?;
        Ok(profile)
    }

    pub async fn patient_appointments(
        &self,
        caller: &Caller,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> ServiceResult<Page<Appointment>> {
        self.require_role(caller, Role::Patient, "appointments.list", None)
            .await?;
        let list = self
            .store
            .list_patient_appointments(caller.user_id, status, page)
            .await?;
        self.record_caller(
            caller,
            "appointments.list",
            Some(caller.user_id),
            Outcome::Success,
        )
        .await?;
        Ok(list)
    }

    pub async fn request_appointment(
        &self,
        caller: &Caller,
        request: AppointmentRequest,
    ) -> ServiceResult<Appointment> {
        self.require_role(caller, Role::Patient, "appointment.request", None)
            .await?;
        let now = self.now();
        let mut errors = Vec::new();
        let preferred_start = match parse_start(&request.preferred_start, now) {
            Ok(start) => Some(start),
            Err(message) => {
                errors.push(FieldError::new("preferredStart", message));
                None
            }
        };
        let reason = match clean_required(&request.reason, MAX_REASON_CHARS) {
            Ok(reason) => Some(reason),
            Err(message) => {
                errors.push(FieldError::new("reason", message));
                None
            }
        };
        if self
            .store
            .find_provider(request.provider_id)
            .await?
            .is_none()
        {
            errors.push(FieldError::new(
                "providerId",
                "must be a provider of this clinic",
            ));
        }
        let (Some(preferred_start), Some(reason), true) =
            (preferred_start, reason, errors.is_empty())
        else {
            return Err(ServiceError::Validation(errors));
        };

        let appointment = NewAppointment {
            id: Uuid::now_v7(),
            patient_id: caller.user_id,
            provider_id: request.provider_id,
            preferred_start,
            visit_type: request.visit_type,
            reason,
            status: AppointmentStatus::Requested,
            created_at: now,
        };
        let actor = Some((caller.user_id, caller.role));
        let event = self.audit_event(
            &caller.context,
            actor,
            "appointment.request",
            Some(caller.user_id),
            Outcome::Success,
        );
        self.audit.record_appointment(appointment, event).await
    }

    /// Cancels one of the caller's own requested or confirmed appointments that has not
    /// started. Someone else's appointment is reported as not found and audited as denied.
    pub async fn cancel_appointment(
        &self,
        caller: &Caller,
        raw_id: &str,
    ) -> ServiceResult<Appointment> {
        self.require_role(caller, Role::Patient, "appointment.cancel", None)
            .await?;
        let now = self.now();
        let found = match parse_id(raw_id) {
            Some(id) => self.store.find_appointment(id).await?,
            None => None,
        };
        let subject = found.as_ref().map(|a| a.patient_id);
        let Some(appointment) = found.filter(|a| a.patient_id == caller.user_id) else {
            self.record_caller(caller, "appointment.cancel", subject, Outcome::Denied)
                .await?;
            return Err(ServiceError::NotFound);
        };
        if appointment.preferred_start <= now {
            return Err(ServiceError::Conflict(
                "This appointment has already started, so it can no longer be cancelled. Call the clinic instead.",
            ));
        }
        let cancellable = [AppointmentStatus::Requested, AppointmentStatus::Confirmed];
        let cancelled = self
            .store
            .transition_appointment(
                appointment.id,
                &cancellable,
                AppointmentStatus::Cancelled,
                now,
            )
            .await?
            .ok_or(ServiceError::Conflict(
                "Only requested or confirmed appointments can be cancelled. Reload the list to see the current status.",
            ))?;
        self.record_caller(
            caller,
            "appointment.cancel",
            Some(caller.user_id),
            Outcome::Success,
        )
        .await?;
        Ok(cancelled)
    }

    /// Lists who accessed the caller's record. Other patients' names are hidden, since a
    /// patient's access history must not reveal who else uses the portal.
    pub async fn access_log(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> ServiceResult<Page<AccessEvent>> {
        self.require_role(caller, Role::Patient, "access_log.read", None)
            .await?;
        let events = self.store.list_access_events(caller.user_id, page).await?;
        let events = events.map(|mut event| {
            if event.actor_role == Some(Role::Patient) && event.actor_id != Some(caller.user_id) {
                event.actor_id = None;
                event.actor_name = None;
            }
            event
        });
        self.record_caller(
            caller,
            "access_log.read",
            Some(caller.user_id),
            Outcome::Success,
        )
        .await?;
        Ok(events)
    }

    /// Lists providers for pickers; open to every signed-in user.
    pub async fn providers(
        &self,
        _caller: &Caller,
        query: Option<&str>,
        page: PageRequest,
    ) -> ServiceResult<Page<ProviderSummary>> {
        let prefix = search_prefix(query);
        Ok(self.store.list_providers(prefix.as_deref(), page).await?)
    }

    async fn own_profile(&self, caller: &Caller) -> ServiceResult<Profile> {
        self.store
            .find_profile(caller.user_id)
            .await?
            .ok_or(ServiceError::NotFound)
    }
}

/// Parses an RFC 3339 instant with an offset that lies after `now` and within 365 days.
fn parse_start(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let start = DateTime::parse_from_rfc3339(raw.trim())
        .map_err(|_| {
            "must be a date and time with an offset, like 2027-03-09T13:00:00-05:00".to_owned()
        })?
        .with_timezone(&Utc);
    if start.nanosecond() >= 1_000_000_000 {
        return Err("must not be a leap second; pick a time on the minute".into());
    }
    if start <= now {
        return Err("must be in the future".into());
    }
    if start > now + Duration::days(365) {
        return Err("must be within one year from now".into());
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn start_must_have_offset() {
        assert!(parse_start("2027-01-10T09:00:00", now()).is_err());
        assert!(parse_start("2027-01-10", now()).is_err());
        assert!(parse_start("2027-01-10T09:00:00-05:00", now()).is_ok());
    }

    #[test]
    fn start_must_be_future_and_within_a_year() {
        assert!(parse_start("2026-12-04T11:59:59Z", now()).is_err());
        assert!(parse_start("2027-12-04T12:00:00Z", now()).is_ok());
        assert!(parse_start("2027-12-04T12:00:01Z", now()).is_err());
    }

    #[test]
    fn start_rejects_leap_second() {
        assert!(parse_start("2027-06-30T23:59:60Z", now()).is_err());
    }

    #[test]
    fn start_is_converted_to_utc() {
        let start = parse_start("2027-01-10T09:00:00-05:00", now()).unwrap();
        assert_eq!(start.to_rfc3339(), "2027-01-10T14:00:00+00:00");
    }
}
