//! Provider use cases: reading their patients' records and handling appointment requests.

use uuid::Uuid;

use super::{Caller, Portal, parse_id, search_prefix};
use crate::domain::age_on;
use crate::error::{ServiceError, ServiceResult};
use crate::model::{
    Appointment, AppointmentStatus, Outcome, Page, PageRequest, PatientSummary, Profile, Role,
};

impl Portal {
    /// Lists the patients in the provider's care, optionally filtered by a name prefix.
    pub async fn care_patients(
        &self,
        caller: &Caller,
        query: Option<&str>,
        page: PageRequest,
    ) -> ServiceResult<Page<PatientSummary>> {
        self.require_role(caller, Role::Provider, "patients.list", None)
            .await?;
        let now = self.now();
        let today = self.clinic_date(now);
        let prefix = search_prefix(query);
        let patients = self
            .store
            .list_care_patients(caller.user_id, prefix.as_deref(), page, now)
            .await?;
        self.record_caller(caller, "patients.list", None, Outcome::Success)
            .await?;
        Ok(patients.map(|patient| PatientSummary {
            age: age_on(patient.date_of_birth, today),
            id: patient.id,
            first_name: patient.first_name,
            last_name: patient.last_name,
            date_of_birth: patient.date_of_birth,
            next_appointment: patient.next_appointment,
        }))
    }

    /// Reads a patient's profile. A patient outside the provider's care, an unknown id and a
    /// malformed id all give the same not-found error, audited as denied.
    pub async fn patient_profile_for_provider(
        &self,
        caller: &Caller,
        raw_id: &str,
    ) -> ServiceResult<Profile> {
        let id = parse_id(raw_id);
        self.require_role(caller, Role::Provider, "profile.read", id)
            .await?;
        let access = match id {
            Some(id) => self.provider_access(caller.user_id, id).await?,
            None => None,
        };
        let profile = match (id, access) {
            (Some(id), Some(_)) => self.store.find_profile(id).await?,
            _ => None,
        };
        let (Some(profile), Some(action)) = (profile, access) else {
            self.record_caller(caller, "profile.read", id, Outcome::Denied)
                .await?;
            return Err(ServiceError::NotFound);
        };
        self.record_caller(caller, action, Some(profile.id), Outcome::Success)
            .await?;
        Ok(profile)
    }

    /// Decides how the provider may read the patient's record: as a patient in their care
    /// (`profile.read`), under emergency access (`emergency.profile.read`), or not at all.
    async fn provider_access(
        &self,
        provider_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<Option<&'static str>> {
        if self.store.is_in_care(provider_id, patient_id).await? {
            return Ok(Some("profile.read"));
        }
        let emergency = self
            .emergency_access_until(provider_id, patient_id, self.now())
            .await?;
        Ok(emergency.map(|_| "emergency.profile.read"))
    }

    /// Records a provider's attempt to change a patient's profile, which is never allowed.
    pub async fn deny_profile_write(&self, caller: &Caller, raw_id: &str) -> ServiceError {
        let subject = parse_id(raw_id);
        match self
            .record_caller(caller, "profile.update", subject, Outcome::Denied)
            .await
        {
            Ok(()) => ServiceError::Forbidden,
            Err(error) => error,
        }
    }

    pub async fn provider_appointments(
        &self,
        caller: &Caller,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> ServiceResult<Page<Appointment>> {
        self.require_role(caller, Role::Provider, "appointments.list", None)
            .await?;
        let list = self
            .store
            .list_provider_appointments(caller.user_id, status, page)
            .await?;
        self.record_caller(caller, "appointments.list", None, Outcome::Success)
            .await?;
        Ok(list)
    }

    pub async fn confirm_appointment(
        &self,
        caller: &Caller,
        raw_id: &str,
    ) -> ServiceResult<Appointment> {
        self.decide_appointment(
            caller,
            raw_id,
            AppointmentStatus::Confirmed,
            "appointment.confirm",
        )
        .await
    }

    pub async fn decline_appointment(
        &self,
        caller: &Caller,
        raw_id: &str,
    ) -> ServiceResult<Appointment> {
        self.decide_appointment(
            caller,
            raw_id,
            AppointmentStatus::Declined,
            "appointment.decline",
        )
        .await
    }

    async fn decide_appointment(
        &self,
        caller: &Caller,
        raw_id: &str,
        to: AppointmentStatus,
        action: &'static str,
    ) -> ServiceResult<Appointment> {
        self.require_role(caller, Role::Provider, action, None)
            .await?;
        let found = match parse_id(raw_id) {
            Some(id) => self.store.find_appointment(id).await?,
            None => None,
        };
        let subject = found.as_ref().map(|a| a.patient_id);
        let Some(appointment) = found.filter(|a| a.provider_id == caller.user_id) else {
            self.record_caller(caller, action, subject, Outcome::Denied)
                .await?;
            return Err(ServiceError::NotFound);
        };
        let updated = self
            .store
            .transition_appointment(
                appointment.id,
                &[AppointmentStatus::Requested],
                to,
                self.now(),
            )
            .await?
            .ok_or(ServiceError::Conflict(
                "Only requested appointments can be confirmed or declined. Reload the list to see the current status.",
            ))?;
        self.record_caller(caller, action, Some(updated.patient_id), Outcome::Success)
            .await?;
        Ok(updated)
    }
}
