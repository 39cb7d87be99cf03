//! Storage traits (ports). Each store crate implements all of them; services see only these.
//!
//! Every method is a single atomic operation: a method that writes several records writes all
//! of them or none.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::StoreError;
use crate::keyring::SealedRecordKind;
use crate::model::{
    AccessEvent, Appointment, AppointmentStatus, CarePatient, Consent, HealthDetails, Invite,
    NewAppointment, NewAuditEvent, Page, PageRequest, Profile, ProfileChanges, ProviderDetails,
    ProviderSummary, Session, UserRecord,
};

pub type StoreResult<T> = Result<T, StoreError>;

/// A new patient account with its empty profile and consent record.
#[derive(Debug, Clone)]
pub struct NewPatient {
    pub user: UserRecord,
    pub date_of_birth: NaiveDate,
    pub consent: Consent,
    pub health: HealthDetails,
}

/// A new provider account.
#[derive(Debug, Clone)]
pub struct NewProvider {
    pub user: UserRecord,
    pub details: ProviderDetails,
}

/// Result of registering a provider with an invite code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderRegistration {
    Created,
    /// The invite code is unknown, already used or expired; nothing was written.
    InviteRejected,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a patient, profile and consent, and appends `registered` (the registration's
    /// audit event) together; `Duplicate("email")` if the email exists, with nothing written.
    async fn insert_patient(
        &self,
        patient: &NewPatient,
        registered: &NewAuditEvent,
    ) -> StoreResult<()>;

    /// Consumes the invite whose code hashes to `invite_hash` and inserts the provider, together.
    async fn insert_provider(
        &self,
        provider: &NewProvider,
        invite_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ProviderRegistration>;

    /// Finds an account by its normalised email.
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>>;

    async fn find_user(&self, id: Uuid) -> StoreResult<Option<UserRecord>>;

    async fn update_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Lists providers whose first or last name starts with `prefix` (lower-case), by name.
    async fn list_providers(
        &self,
        prefix: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Page<ProviderSummary>>;

    async fn find_provider(&self, id: Uuid) -> StoreResult<Option<ProviderSummary>>;

    /// Returns true when the store contains no accounts at all.
    async fn is_empty(&self) -> StoreResult<bool>;
}

#[async_trait]
pub trait InviteStore: Send + Sync {
    async fn insert_invite(&self, invite: &Invite) -> StoreResult<()>;
}

#[async_trait]
pub trait ProfileStore: Send + Sync {
    async fn find_profile(&self, patient_id: Uuid) -> StoreResult<Option<Profile>>;

    /// Replaces the editable fields; returns the new profile, or `None` for an unknown patient.
    async fn update_profile(
        &self,
        patient_id: Uuid,
        changes: &ProfileChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Profile>>;
}

#[async_trait]
pub trait CareStore: Send + Sync {
    /// Returns true when the patient names the provider as primary provider or has any
    /// appointment with them.
    async fn is_in_care(&self, provider_id: Uuid, patient_id: Uuid) -> StoreResult<bool>;

    /// Lists the provider's patients whose first or last name starts with `prefix`
    /// (lower-case), by last then first name, each with the next upcoming appointment with
    /// this provider after `now`.
    async fn list_care_patients(
        &self,
        provider_id: Uuid,
        prefix: Option<&str>,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<CarePatient>>;
}

#[async_trait]
pub trait AppointmentStore: Send + Sync {
    async fn insert_appointment(&self, appointment: &NewAppointment) -> StoreResult<Appointment>;

    async fn find_appointment(&self, id: Uuid) -> StoreResult<Option<Appointment>>;

    /// Lists a patient's appointments, latest start first.
    async fn list_patient_appointments(
        &self,
        patient_id: Uuid,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>>;

    /// Lists a provider's appointments, latest start first.
    async fn list_provider_appointments(
        &self,
        provider_id: Uuid,
        status: Option<AppointmentStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>>;

    /// Returns up to `limit` requested or confirmed appointments starting after `now`,
    /// soonest first.
    async fn upcoming_appointments(
        &self,
        patient_id: Uuid,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Appointment>>;

    /// Returns the start of the latest completed or confirmed appointment before `now`.
    async fn last_visit(
        &self,
        patient_id: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;

    /// Sets the status when the current status is one of `from`; returns the updated
    /// appointment, or `None` when it is missing or in another status.
    async fn transition_appointment(
        &self,
        id: Uuid,
        from: &[AppointmentStatus],
        to: AppointmentStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Appointment>>;
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn insert_session(&self, session: &Session) -> StoreResult<()>;

    async fn find_session(&self, id: Uuid) -> StoreResult<Option<Session>>;

    async fn find_session_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<Session>>;

    /// Replaces the refresh hash if it still equals `old_hash` and the session is not revoked;
    /// returns false when another request rotated it first.
    async fn rotate_refresh(
        &self,
        id: Uuid,
        old_hash: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Sets `last_used_at` to `now` if the session is not revoked and was last used before
    /// `only_if_older_than`; returns whether it wrote. Callers pass a time about a minute
    /// before `now`, so busy sessions are written at most once a minute.
    async fn touch_session(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        only_if_older_than: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Lists up to `limit` of the user's sessions that are not revoked, expire after `now` and
    /// were last used after `used_after`, newest first (by creation time, then id).
    async fn list_active_sessions(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
        used_after: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>>;

    async fn revoke_session(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()>;

    /// Revokes every active session of the user except `keep`.
    async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends events in order, durably, in one transaction, each with the next sequence
    /// number and linked into the hash chain (see [`crate::audit_chain`]). There is no update
    /// or delete.
    async fn append_audit(&self, events: &[NewAuditEvent]) -> StoreResult<()>;

    /// Returns the time of the provider's latest successful emergency access grant for the
    /// patient at or after `since`, if any.
    async fn emergency_grant_since(
        &self,
        provider_id: Uuid,
        patient_id: Uuid,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<DateTime<Utc>>>;

    /// Lists events whose subject is the patient, newest first, with actor names.
    async fn list_access_events(
        &self,
        patient_id: Uuid,
        page: PageRequest,
    ) -> StoreResult<Page<AccessEvent>>;
}

/// A user's TOTP credential (RFC 6238) and unused recovery codes, as stored.
///
/// The stores encrypt `secret` at rest (see [`crate::keyring`]), so a store compares secrets
/// after decrypting, never in a query.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaRecord {
    pub user_id: Uuid,
    /// The shared secret in base32 (RFC 4648, no padding).
    pub secret: String,
    pub created_at: DateTime<Utc>,
    /// When the user confirmed the setup with a first code; `None` while it is pending.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The highest time step (Unix seconds / 30) accepted so far, or 0, so a code is accepted
    /// at most once.
    pub last_step: i64,
    /// SHA-256 hashes (lower-case hex) of the recovery codes not used yet, sorted when read.
    pub recovery_code_hashes: Vec<String>,
}

/// Prints everything but the secret and the recovery code hashes.
impl std::fmt::Debug for MfaRecord {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MfaRecord")
            .field("user_id", &self.user_id)
            .field("created_at", &self.created_at)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_step", &self.last_step)
            .field("recovery_codes_left", &self.recovery_code_hashes.len())
            .finish_non_exhaustive()
    }
}

/// Two-step sign-in credentials, one record per user. Every write is one conditional
/// operation, so two server instances never accept the same code or recovery code twice.
#[async_trait]
pub trait MfaStore: Send + Sync {
    async fn find_totp(&self, user_id: Uuid) -> StoreResult<Option<MfaRecord>>;

    /// Stores a pending (unconfirmed) secret, replacing a pending one and resetting
    /// `last_step`; returns false, writing nothing, when the user has a confirmed credential.
    async fn set_pending_totp(
        &self,
        user_id: Uuid,
        secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Confirms the pending setup if its secret is still `secret`, records `step` as the last
    /// accepted step and stores the recovery code hashes. Returns false, writing nothing, when
    /// the setup is missing, already confirmed or was replaced meanwhile.
    async fn confirm_totp(
        &self,
        user_id: Uuid,
        secret: &str,
        step: i64,
        recovery_code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Deletes the credential, pending or confirmed, and its recovery codes; returns whether
    /// there was one.
    async fn remove_totp(&self, user_id: Uuid) -> StoreResult<bool>;

    /// Sets `last_step` to `step` if the credential is confirmed and `step` is greater than
    /// `last_step`; returns whether it did.
    async fn accept_totp_step(&self, user_id: Uuid, step: i64) -> StoreResult<bool>;

    /// Replaces the recovery codes of a confirmed credential; returns false when there is none.
    async fn replace_recovery_codes(
        &self,
        user_id: Uuid,
        recovery_code_hashes: &[String],
    ) -> StoreResult<bool>;

    /// Removes one unused recovery code of a confirmed credential; returns whether it was
    /// there, so each code works once.
    async fn use_recovery_code(&self, user_id: Uuid, code_hash: &str) -> StoreResult<bool>;
}

/// How many records of a kind use one data key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUsage {
    /// The data key id, or `None` for legacy plain text written before encryption existed.
    pub key_id: Option<String>,
    pub records: u64,
}

/// Re-encryption of stored health data under the newest data key, for `portal keys rotate`.
/// See [`crate::keyring`] for the stored form.
#[async_trait]
pub trait EncryptionStore: Send + Sync {
    /// Counts the records of `kind` per data key. Each record is counted by one field that
    /// every write encrypts together with the others. For a patient it is the date of birth,
    /// for an appointment the reason, for a two-step sign-in credential the secret, and for an
    /// audit event the detail (events without a detail are not counted).
    async fn count_by_key(&self, kind: SealedRecordKind) -> StoreResult<Vec<KeyUsage>>;

    /// Re-encrypts with the newest key up to `limit` patients, appointments or two-step
    /// sign-in credentials that have a value under another key or in plain text, and returns
    /// how many it rewrote. Each record is rewritten only if its stored values are still those
    /// it read, so a concurrent edit is never overwritten. Such a record is left for the next
    /// call. Audit events are never rewritten: for [`SealedRecordKind::AuditEvent`] this
    /// returns 0.
    async fn reencrypt_batch(&self, kind: SealedRecordKind, limit: u32) -> StoreResult<u64>;
}

/// The kinds of record a whole-database copy moves, in the order they must be imported so
/// that every reference points at a record already present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Provider,
    Patient,
    Invite,
    Appointment,
    Session,
    AuditEvent,
    /// Two-step sign-in credentials ([`MfaRecord`]).
    Mfa,
}

impl RecordKind {
    pub const IMPORT_ORDER: [RecordKind; 7] = [
        RecordKind::Provider,
        RecordKind::Patient,
        RecordKind::Mfa,
        RecordKind::Invite,
        RecordKind::Appointment,
        RecordKind::Session,
        RecordKind::AuditEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Provider => "providers",
            RecordKind::Patient => "patients",
            RecordKind::Invite => "invites",
            RecordKind::Appointment => "appointments",
            RecordKind::Session => "sessions",
            RecordKind::AuditEvent => "audit events",
            RecordKind::Mfa => "two-step sign-in credentials",
        }
    }
}

/// An invite with its use, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvite {
    pub invite: Invite,
    pub used_at: Option<DateTime<Utc>>,
}

/// An appointment as stored, without the names that reads join in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAppointment {
    pub appointment: NewAppointment,
    pub updated_at: DateTime<Utc>,
}

/// An audit event with its sequence number and chain links, as stored (see
/// [`crate::audit_chain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAuditEvent {
    pub seq: i64,
    /// The hash of the event before it; empty for an event stored before the chain existed.
    pub prev_hash: String,
    /// The hash of this event; empty for an event stored before the chain existed.
    pub hash: String,
    pub event: NewAuditEvent,
}

/// One record of any kind, exactly as stored, for copying between stores.
// Records travel in batches of at most a few thousand during a migration, so the space a
// smaller variant wastes does not matter and boxing the patient would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum TransferRecord {
    Provider(NewProvider),
    /// A patient with the current profile; `user.updated_at` is kept as stored.
    Patient {
        patient: NewPatient,
        profile_updated_at: DateTime<Utc>,
    },
    Invite(StoredInvite),
    Appointment(StoredAppointment),
    Session(Session),
    AuditEvent(StoredAuditEvent),
    Mfa(MfaRecord),
}

/// Whole-database export and import, used by `portal migrate-data`.
#[async_trait]
pub trait TransferStore: Send + Sync {
    async fn count_records(&self, kind: RecordKind) -> StoreResult<u64>;

    /// Returns up to `limit` records of `kind` after the cursor, in a stable order, with the
    /// cursor of the last one. A `None` cursor starts at the beginning, and an empty page
    /// returns no cursor.
    async fn export_records(
        &self,
        kind: RecordKind,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<(Vec<TransferRecord>, Option<String>)>;

    /// Inserts records exactly as given (ids, times and audit sequence numbers kept), in one
    /// transaction where the database has them.
    async fn import_records(&self, records: &[TransferRecord]) -> StoreResult<()>;
}

/// Every storage trait together, plus health checks.
#[async_trait]
pub trait Store:
    UserStore
    + InviteStore
    + ProfileStore
    + CareStore
    + AppointmentStore
    + SessionStore
    + AuditStore
    + TransferStore
    + MfaStore
    + EncryptionStore
{
    /// Runs a trivial query to check that the database responds.
    async fn ping(&self) -> StoreResult<()>;

    /// Inserts requested appointments, each with the audit event that records its request,
    /// and returns one result per item, in order, with the stored appointment. An item whose
    /// result is `Ok` is durable with its event. The batch comes from
    /// [`crate::audit::AuditWriter`].
    ///
    /// This default inserts the appointments one by one and then appends the events of those
    /// stored in one call. When that append fails, every stored item reports its error, though
    /// its appointment stays. A store with transactions should write the whole batch in one
    /// (group commit), so that an appointment is never stored without its event.
    async fn insert_audited_appointments(
        &self,
        items: &[(NewAppointment, NewAuditEvent)],
    ) -> Vec<StoreResult<Appointment>> {
        let mut results = Vec::with_capacity(items.len());
        for (appointment, _) in items {
            results.push(self.insert_appointment(appointment).await);
        }
        let events: Vec<NewAuditEvent> = items
            .iter()
            .zip(&results)
            .filter(|(_, result)| result.is_ok())
            .map(|((_, event), _)| event.clone())
            .collect();
        if !events.is_empty()
            && let Err(error) = self.append_audit(&events).await
        {
            for result in &mut results {
                if result.is_ok() {
                    *result = Err(error.clone());
                }
            }
        }
        results
    }

    /// Closes connections, flushing anything pending.
    async fn close(&self);
}
