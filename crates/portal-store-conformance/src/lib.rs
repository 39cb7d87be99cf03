//! Conformance suite for implementations of `portal_core::store::Store`.
//!
//! Each public function is one test case and expects an empty store. A backend's test runner
//! opens a fresh store per case and calls the function, so every backend is held to the same
//! behaviour. Instants are whole seconds, so backends that keep only milliseconds pass too.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use portal_core::StoreError;
use portal_core::model::{
    Address, Allergy, Appointment, AppointmentStatus, Condition, Consent, EmergencyContact,
    HealthDetails, Invite, Medication, NewAppointment, NewAuditEvent, Outcome, PageRequest,
    Profile, ProfileChanges, ProviderDetails, Role, Session, Severity, SexAtBirth, UserRecord,
    VisitType,
};
use portal_core::store::{NewPatient, NewProvider, ProviderRegistration, Store};
use uuid::Uuid;

mod chain;
mod encryption;
mod keychecks;
mod mfa;
mod transfer;
pub use chain::*;
pub use encryption::*;
pub use keychecks::*;
pub use mfa::*;
pub use transfer::*;

/// Generates one `#[tokio::test]` per conformance case. `$open` is an async function returning
/// `Option<(guard, Arc<dyn Store>)>`: a fresh, empty store and whatever must live as long as
/// it (a temporary folder, say), or `None` when the backend is not available and the case is
/// skipped. `$open` can read the case's name with [`current_case`], to say which case it skips.
#[macro_export]
macro_rules! conformance_tests {
    ($open:path) => {
        $crate::conformance_tests!(@cases $open;
            store_ping,
            store_is_empty,
            user_round_trip,
            user_unknown,
            user_duplicate_email,
            user_update_password,
            provider_round_trip,
            provider_unknown,
            invite_single_use,
            invite_expired,
            invite_unknown,
            invite_unused_on_duplicate,
            invite_duplicate_hash,
            provider_duplicate_npi,
            providers_order,
            providers_prefix,
            providers_prefix_escaping,
            providers_paging,
            profile_round_trip,
            profile_at_field_limits,
            profile_empty_health,
            profile_unknown,
            profile_update,
            profile_update_clears,
            profile_update_unknown,
            care_primary_provider,
            care_appointment,
            care_not_in_care,
            care_list,
            care_list_same_name,
            care_list_prefix,
            care_list_paging,
            care_follows_primary_provider_change,
            care_search_follows_name_change,
            appointment_round_trip,
            appointment_audited_batch,
            appointment_batch_chained,
            appointment_patient_list,
            appointment_provider_list,
            appointment_upcoming,
            appointment_last_visit,
            transition_allowed,
            transition_rejected,
            transition_race,
            session_round_trip,
            session_duplicate_hash,
            session_rotate,
            session_rotate_race,
            session_revoke,
            session_revoke_user,
            session_browser_round_trip,
            session_touch,
            session_touch_revoked,
            session_list_active,
            session_list_order_limit,
            audit_order,
            audit_chain_links,
            audit_chain_concurrent,
            registration_audited,
            registration_duplicate_not_audited,
            audit_emergency_grant,
            audit_unknown_actor,
            audit_paging,
            transfer_counts,
            transfer_export_round_trip,
            transfer_export_paging,
            transfer_audit_paging,
            transfer_import_read_back,
            transfer_import_empty,
            transfer_import_duplicate,
            transfer_import_duplicate_email,
            injection_name_prefix,
            injection_prefix_literal,
            injection_email,
            injection_tokens,
            mfa_pending_round_trip,
            mfa_confirm,
            mfa_accept_step,
            mfa_accept_step_race,
            mfa_recovery_codes,
            mfa_recovery_code_race,
            mfa_remove,
            mfa_unknown_user,
            mfa_transfer_round_trip,
            encryption_counts_by_key,
            encryption_current_not_rewritten,
            encryption_totp_confirm_other_secret,
            encryption_empty_store
        );
    };
    (@cases $open:path; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::enter_case(stringify!($name));
                let Some((guard, store)) = $open().await else {
                    return;
                };
                $crate::$name(&*store).await;
                store.close().await;
                drop(guard);
            }
        )+
    };
}

thread_local! {
    static CURRENT_CASE: std::cell::Cell<Option<&'static str>> =
        const { std::cell::Cell::new(None) };
}

/// Records the name of the case starting on this thread; called by [`conformance_tests!`].
#[doc(hidden)]
pub fn enter_case(name: &'static str) {
    CURRENT_CASE.set(Some(name));
}

/// Returns the name of the conformance case running on this thread, or `None` outside one.
/// Each generated test runs on its own thread (`#[tokio::test]` uses a current-thread runtime).
pub fn current_case() -> Option<&'static str> {
    CURRENT_CASE.get()
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// The current instant of every test.
const NOW: &str = "2026-12-04T10:00:00Z";

/// Rounds of each race test. Every round races two requests on a fresh record.
const RACE_ROUNDS: usize = 8;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant is valid RFC 3339")
        .with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at(NOW)
}

fn first_page(limit: u32) -> PageRequest {
    PageRequest { page: 1, limit }
}

fn user(role: Role, first_name: &str, last_name: &str) -> UserRecord {
    let id = Uuid::now_v7();
    let created_at = now() - Duration::days(30);
    UserRecord {
        id,
        email: format!("{}@example.test", id.simple()),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".to_owned(),
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        created_at,
        updated_at: created_at,
    }
}

fn new_patient(first_name: &str, last_name: &str) -> NewPatient {
    let user = user(Role::Patient, first_name, last_name);
    let consent = Consent {
        policy_version: "2026-12-01".to_owned(),
        accepted_at: user.created_at,
    };
    NewPatient {
        user,
        date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        consent,
        health: HealthDetails::default(),
    }
}

fn full_health(primary_provider_id: Uuid) -> HealthDetails {
    HealthDetails {
        sex_at_birth: Some(SexAtBirth::Female),
        phone: Some("+1 (555) 010-0199".to_owned()),
        address: Some(Address {
            line1: "12 Harbour Road".to_owned(),
            line2: "Flat 3".to_owned(),
            city: "Springfield".to_owned(),
            region: "IL".to_owned(),
            postal_code: "62701".to_owned(),
            country: "US".to_owned(),
        }),
        emergency_contact: Some(EmergencyContact {
            name: "Sam Rivera".to_owned(),
            relationship: "sibling".to_owned(),
            phone: "+1 555 010 0142".to_owned(),
        }),
        allergies: vec![
            Allergy {
                substance: "Penicillin".to_owned(),
                reaction: "hives".to_owned(),
                severity: Severity::Moderate,
            },
            Allergy {
                substance: "Peanuts".to_owned(),
                reaction: String::new(),
                severity: Severity::Severe,
            },
        ],
        medications: vec![
            Medication {
                name: "Lisinopril".to_owned(),
                dose: "10 mg".to_owned(),
                frequency: "daily".to_owned(),
            },
            Medication {
                name: "Vitamin D".to_owned(),
                dose: String::new(),
                frequency: String::new(),
            },
        ],
        conditions: vec![
            Condition {
                name: "Hypertension".to_owned(),
            },
            Condition {
                name: "Asthma".to_owned(),
            },
        ],
        primary_provider_id: Some(primary_provider_id),
    }
}

async fn add_patient(store: &dyn Store, first_name: &str, last_name: &str) -> Uuid {
    let patient = new_patient(first_name, last_name);
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");
    patient.user.id
}

async fn add_patient_of(
    store: &dyn Store,
    first_name: &str,
    last_name: &str,
    primary_provider_id: Uuid,
) -> Uuid {
    let mut patient = new_patient(first_name, last_name);
    patient.health.primary_provider_id = Some(primary_provider_id);
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient with a primary provider");
    patient.user.id
}

fn invite(expires_at: DateTime<Utc>) -> Invite {
    Invite {
        code_hash: format!("sha256-{}", Uuid::new_v4().simple()),
        created_at: now() - Duration::days(1),
        expires_at,
    }
}

/// Returns a valid NPI that no other provider of the test process has.
fn unique_npi() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let taken = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // The process id keeps parallel test binaries on one MongoDB server apart.
    let base = (std::process::id() % 1_000) * 1_000_000;
    portal_core::domain::Npi::from_first_nine(base + taken)
        .as_str()
        .to_owned()
}

fn new_provider(first_name: &str, last_name: &str, specialty: &str) -> NewProvider {
    NewProvider {
        user: user(Role::Provider, first_name, last_name),
        details: ProviderDetails {
            npi: unique_npi(),
            specialty: specialty.to_owned(),
        },
    }
}

/// Registers a provider through a fresh invite and returns the provider's id.
pub async fn add_provider(store: &dyn Store, first_name: &str, last_name: &str) -> Uuid {
    let invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");
    let provider = new_provider(first_name, last_name, "Family medicine");
    let registration = store
        .insert_provider(&provider, &invite.code_hash, now())
        .await
        .expect("insert a provider");
    assert_eq!(
        registration,
        ProviderRegistration::Created,
        "a fresh invite registers the provider"
    );
    provider.user.id
}

fn new_appointment(
    patient_id: Uuid,
    provider_id: Uuid,
    preferred_start: DateTime<Utc>,
    status: AppointmentStatus,
) -> NewAppointment {
    NewAppointment {
        id: Uuid::now_v7(),
        patient_id,
        provider_id,
        preferred_start,
        visit_type: VisitType::InPerson,
        reason: "Follow-up on blood pressure".to_owned(),
        status,
        created_at: now() - Duration::days(10),
    }
}

async fn add_appointment(
    store: &dyn Store,
    patient_id: Uuid,
    provider_id: Uuid,
    preferred_start: DateTime<Utc>,
    status: AppointmentStatus,
) -> Appointment {
    let appointment = new_appointment(patient_id, provider_id, preferred_start, status);
    store
        .insert_appointment(&appointment)
        .await
        .expect("insert an appointment")
}

fn starts(appointments: &[Appointment]) -> Vec<DateTime<Utc>> {
    appointments
        .iter()
        .map(|appointment| appointment.preferred_start)
        .collect()
}

fn new_session(user_id: Uuid) -> Session {
    Session {
        id: Uuid::now_v7(),
        user_id,
        refresh_hash: format!("sha256-{}", Uuid::new_v4().simple()),
        created_at: now(),
        last_used_at: now(),
        expires_at: now() + Duration::hours(12),
        revoked_at: None,
        browser: Some("Firefox on Linux".to_owned()),
    }
}

async fn add_session(store: &dyn Store, user_id: Uuid) -> Session {
    let session = new_session(user_id);
    store
        .insert_session(&session)
        .await
        .expect("insert a session");
    session
}

async fn find_session(store: &dyn Store, id: Uuid) -> Session {
    store
        .find_session(id)
        .await
        .expect("find a session")
        .expect("the session exists")
}

fn audit_event(
    action: &'static str,
    actor: Option<(Uuid, Role)>,
    subject_id: Option<Uuid>,
    outcome: Outcome,
) -> NewAuditEvent {
    NewAuditEvent {
        occurred_at: now(),
        actor_id: actor.map(|(id, _)| id),
        actor_role: actor.map(|(_, role)| role),
        action: action.into(),
        subject_id,
        outcome,
        request_id: Uuid::new_v4().to_string(),
        client_addr: "192.0.2.10".to_owned(),
        detail: None,
    }
}

/// Builds the `auth.register` event that goes with inserting `patient`, as the services do.
pub fn registration_event(patient: &NewPatient) -> NewAuditEvent {
    let id = patient.user.id;
    audit_event(
        "auth.register",
        Some((id, Role::Patient)),
        Some(id),
        Outcome::Success,
    )
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

pub async fn store_ping(store: &dyn Store) {
    let result = store.ping().await;
    assert!(result.is_ok(), "ping succeeds on an open store: {result:?}");
}

pub async fn store_is_empty(store: &dyn Store) {
    let before = store.is_empty().await.expect("check emptiness");
    assert!(before, "a new store is empty");

    add_patient(store, "Ada", "Byron").await;
    let after = store.is_empty().await.expect("check emptiness");
    assert!(!after, "a store with an account is not empty");
}

pub async fn user_round_trip(store: &dyn Store) {
    let patient = new_patient("Ada", "Byron");
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");

    let by_id = store
        .find_user(patient.user.id)
        .await
        .expect("find by id")
        .expect("the user exists");
    assert_eq!(by_id.id, patient.user.id, "find_user returns the id");
    assert_eq!(
        by_id.email, patient.user.email,
        "find_user returns the email"
    );
    assert_eq!(by_id.role, Role::Patient, "find_user returns the role");
    assert_eq!(
        by_id.password_hash, patient.user.password_hash,
        "find_user returns the password hash"
    );
    assert_eq!(by_id.first_name, "Ada", "find_user returns the first name");
    assert_eq!(by_id.last_name, "Byron", "find_user returns the last name");
    assert_eq!(
        by_id.created_at, patient.user.created_at,
        "find_user returns created_at"
    );
    assert_eq!(
        by_id.updated_at, patient.user.updated_at,
        "find_user returns updated_at"
    );

    let by_email = store
        .find_user_by_email(&patient.user.email)
        .await
        .expect("find by email")
        .expect("the user exists");
    assert_eq!(
        by_email.id, patient.user.id,
        "find_user_by_email finds the account"
    );
}

pub async fn user_unknown(store: &dyn Store) {
    let by_id = store.find_user(Uuid::now_v7()).await.expect("find by id");
    assert!(by_id.is_none(), "an unknown id finds nothing");

    let by_email = store
        .find_user_by_email("nobody@example.test")
        .await
        .expect("find by email");
    assert!(by_email.is_none(), "an unknown email finds nothing");
}

pub async fn user_duplicate_email(store: &dyn Store) {
    let first = new_patient("Ada", "Byron");
    store
        .insert_patient(&first, &registration_event(&first))
        .await
        .expect("insert a patient");

    let mut second = new_patient("Grace", "Hopper");
    second.user.email = first.user.email.clone();
    let result = store
        .insert_patient(&second, &registration_event(&second))
        .await;
    assert!(
        matches!(result, Err(StoreError::Duplicate("email"))),
        "a taken email is Duplicate(\"email\"): {result:?}"
    );

    let user = store.find_user(second.user.id).await.expect("find by id");
    assert!(user.is_none(), "the rejected account was not written");
    let profile = store
        .find_profile(second.user.id)
        .await
        .expect("find profile");
    assert!(profile.is_none(), "the rejected profile was not written");
    let owner = store
        .find_user_by_email(&first.user.email)
        .await
        .expect("find by email")
        .expect("the first account exists");
    assert_eq!(
        owner.id, first.user.id,
        "the email still belongs to the first account"
    );
}

pub async fn user_update_password(store: &dyn Store) {
    let id = add_patient(store, "Ada", "Byron").await;
    let new_hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";

    store
        .update_password(id, new_hash, now())
        .await
        .expect("update the password");

    let user = store
        .find_user(id)
        .await
        .expect("find by id")
        .expect("the user exists");
    assert_eq!(user.password_hash, new_hash, "the new hash is stored");
    assert_eq!(
        user.updated_at,
        now(),
        "updated_at is the time of the change"
    );
}

// ---------------------------------------------------------------------------------------------
// Providers and invites
// ---------------------------------------------------------------------------------------------

pub async fn provider_round_trip(store: &dyn Store) {
    let invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");
    let provider = new_provider("Dana", "Reyes", "Cardiology");

    let registration = store
        .insert_provider(&provider, &invite.code_hash, now())
        .await
        .expect("insert a provider");
    assert_eq!(
        registration,
        ProviderRegistration::Created,
        "the invite is accepted"
    );

    let summary = store
        .find_provider(provider.user.id)
        .await
        .expect("find provider")
        .expect("the provider exists");
    assert_eq!(
        summary.first_name, "Dana",
        "find_provider returns the first name"
    );
    assert_eq!(
        summary.last_name, "Reyes",
        "find_provider returns the last name"
    );
    assert_eq!(
        summary.specialty, "Cardiology",
        "find_provider returns the specialty"
    );

    let user = store
        .find_user(provider.user.id)
        .await
        .expect("find by id")
        .expect("the account exists");
    assert_eq!(
        user.role,
        Role::Provider,
        "the account has the provider role"
    );
}

pub async fn provider_unknown(store: &dyn Store) {
    let unknown = store
        .find_provider(Uuid::now_v7())
        .await
        .expect("find provider");
    assert!(unknown.is_none(), "an unknown id finds no provider");

    let patient_id = add_patient(store, "Ada", "Byron").await;
    let patient = store
        .find_provider(patient_id)
        .await
        .expect("find provider");
    assert!(patient.is_none(), "a patient is not a provider");
}

pub async fn invite_single_use(store: &dyn Store) {
    let invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");

    let first = new_provider("Dana", "Reyes", "Cardiology");
    let first_result = store
        .insert_provider(&first, &invite.code_hash, now())
        .await
        .expect("register the first provider");
    assert_eq!(
        first_result,
        ProviderRegistration::Created,
        "the first use succeeds"
    );

    let second = new_provider("Lee", "Park", "Dermatology");
    let second_result = store
        .insert_provider(&second, &invite.code_hash, now() + Duration::minutes(1))
        .await
        .expect("register the second provider");
    assert_eq!(
        second_result,
        ProviderRegistration::InviteRejected,
        "a used invite is rejected"
    );
    let user = store.find_user(second.user.id).await.expect("find by id");
    assert!(user.is_none(), "the rejected provider was not written");
}

pub async fn invite_expired(store: &dyn Store) {
    let expired = invite(now() - Duration::seconds(1));
    store
        .insert_invite(&expired)
        .await
        .expect("insert an invite");
    let provider = new_provider("Dana", "Reyes", "Cardiology");
    let result = store
        .insert_provider(&provider, &expired.code_hash, now())
        .await
        .expect("register a provider");
    assert_eq!(
        result,
        ProviderRegistration::InviteRejected,
        "an expired invite is rejected"
    );

    let expiring_now = invite(now());
    store
        .insert_invite(&expiring_now)
        .await
        .expect("insert an invite");
    let result = store
        .insert_provider(&provider, &expiring_now.code_hash, now())
        .await
        .expect("register a provider");
    assert_eq!(
        result,
        ProviderRegistration::InviteRejected,
        "an invite is expired at its expiry instant"
    );

    let user = store.find_user(provider.user.id).await.expect("find by id");
    assert!(user.is_none(), "the rejected provider was not written");
}

pub async fn invite_unknown(store: &dyn Store) {
    let provider = new_provider("Dana", "Reyes", "Cardiology");
    let result = store
        .insert_provider(&provider, "sha256-unknown", now())
        .await
        .expect("register a provider");
    assert_eq!(
        result,
        ProviderRegistration::InviteRejected,
        "an unknown invite is rejected"
    );
}

pub async fn invite_unused_on_duplicate(store: &dyn Store) {
    let patient = new_patient("Ada", "Byron");
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");
    let invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");

    let mut clashing = new_provider("Dana", "Reyes", "Cardiology");
    clashing.user.email = patient.user.email.clone();
    let result = store
        .insert_provider(&clashing, &invite.code_hash, now())
        .await;
    assert!(
        matches!(result, Err(StoreError::Duplicate("email"))),
        "a taken email is Duplicate(\"email\"): {result:?}"
    );

    let retry = new_provider("Dana", "Reyes", "Cardiology");
    let result = store
        .insert_provider(&retry, &invite.code_hash, now())
        .await
        .expect("register with another email");
    assert_eq!(
        result,
        ProviderRegistration::Created,
        "the invite was not consumed by the failed registration"
    );
}

pub async fn provider_duplicate_npi(store: &dyn Store) {
    let first = new_provider("Dana", "Reyes", "Cardiology");
    let first_invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&first_invite)
        .await
        .expect("insert an invite");
    store
        .insert_provider(&first, &first_invite.code_hash, now())
        .await
        .expect("insert the first provider");

    let invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");
    let mut clashing = new_provider("Sam", "Ortiz", "Pediatrics");
    clashing.details.npi = first.details.npi.clone();
    let result = store
        .insert_provider(&clashing, &invite.code_hash, now())
        .await;
    assert!(
        matches!(result, Err(StoreError::Duplicate("npi"))),
        "a taken NPI is Duplicate(\"npi\"): {result:?}"
    );
    let missing = store.find_user(clashing.user.id).await.expect("look up");
    assert!(missing.is_none(), "the clashing provider was not stored");

    let retry = new_provider("Sam", "Ortiz", "Pediatrics");
    let result = store
        .insert_provider(&retry, &invite.code_hash, now())
        .await
        .expect("register with another NPI");
    assert_eq!(
        result,
        ProviderRegistration::Created,
        "the invite was not consumed by the failed registration"
    );
}

pub async fn invite_duplicate_hash(store: &dyn Store) {
    let invite = invite(now() + Duration::days(7));
    store
        .insert_invite(&invite)
        .await
        .expect("insert an invite");
    let result = store.insert_invite(&invite).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate(_))),
        "a repeated code hash is a duplicate: {result:?}"
    );
}

pub async fn providers_order(store: &dyn Store) {
    let reyes = add_provider(store, "Dana", "Reyes").await;
    let adams = add_provider(store, "Zoe", "Adams").await;
    let adams_b = add_provider(store, "Bo", "adams").await;
    add_patient(store, "Aaron", "Aardvark").await;

    let page = store
        .list_providers(None, first_page(10))
        .await
        .expect("list providers");
    let ids: Vec<Uuid> = page.items.iter().map(|provider| provider.id).collect();
    assert_eq!(
        ids,
        vec![adams_b, adams, reyes],
        "providers are ordered by last then first name, ignoring case, without patients"
    );
    assert_eq!(page.total, 3, "the total counts every provider");
}

pub async fn providers_prefix(store: &dyn Store) {
    let dana = add_provider(store, "Dana", "Reyes").await;
    let lee = add_provider(store, "Lee", "Danforth").await;
    add_provider(store, "Zoe", "Adams").await;

    let page = store
        .list_providers(Some("dan"), first_page(10))
        .await
        .expect("list providers");
    let ids: Vec<Uuid> = page.items.iter().map(|provider| provider.id).collect();
    assert_eq!(
        ids,
        vec![lee, dana],
        "the prefix matches the first or the last name"
    );
    assert_eq!(page.total, 2, "the total counts only matching providers");

    let none = store
        .list_providers(Some("xy"), first_page(10))
        .await
        .expect("list providers");
    assert!(none.items.is_empty(), "an unmatched prefix lists nobody");
    assert_eq!(none.total, 0, "an unmatched prefix counts nobody");

    let inner = store
        .list_providers(Some("eyes"), first_page(10))
        .await
        .expect("list providers");
    assert!(
        inner.items.is_empty(),
        "the prefix matches only the start of a name"
    );
}

pub async fn providers_prefix_escaping(store: &dyn Store) {
    let percent = add_provider(store, "Per%cy", "Smith").await;
    add_provider(store, "Perxcy", "Smith").await;
    let underscore = add_provider(store, "Jo", "O_Neil").await;
    add_provider(store, "Jo", "OxNeil").await;
    let backslash = add_provider(store, "Ann", r"Back\slash").await;
    add_provider(store, "Ann", "Backxslash").await;

    let cases = [
        ("per%", percent, "`%` matches only a percent sign"),
        ("o_", underscore, "`_` matches only an underscore"),
        (r"back\", backslash, "`\\` matches only a backslash"),
    ];
    for (prefix, expected, message) in cases {
        let page = store
            .list_providers(Some(prefix), first_page(10))
            .await
            .expect("list providers");
        let ids: Vec<Uuid> = page.items.iter().map(|provider| provider.id).collect();
        assert_eq!(ids, vec![expected], "{message}");
    }
}

pub async fn providers_paging(store: &dyn Store) {
    let adams = add_provider(store, "Zoe", "Adams").await;
    let baker = add_provider(store, "Yan", "Baker").await;
    let clark = add_provider(store, "Xia", "Clark").await;

    let first = store
        .list_providers(None, first_page(2))
        .await
        .expect("list page 1");
    let first_ids: Vec<Uuid> = first.items.iter().map(|provider| provider.id).collect();
    assert_eq!(first_ids, vec![adams, baker], "page 1 holds the first two");
    assert_eq!(first.total, 3, "page 1 reports the total");
    assert_eq!(first.page, 1, "page 1 reports its number");
    assert_eq!(first.limit, 2, "page 1 reports its limit");

    let second = store
        .list_providers(None, PageRequest { page: 2, limit: 2 })
        .await
        .expect("list page 2");
    let second_ids: Vec<Uuid> = second.items.iter().map(|provider| provider.id).collect();
    assert_eq!(second_ids, vec![clark], "page 2 holds the rest");
    assert_eq!(second.total, 3, "page 2 reports the total");

    let beyond = store
        .list_providers(None, PageRequest { page: 3, limit: 2 })
        .await
        .expect("list page 3");
    assert!(beyond.items.is_empty(), "a page past the end is empty");
    assert_eq!(beyond.total, 3, "a page past the end reports the total");
}

// ---------------------------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------------------------

pub async fn profile_round_trip(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let mut patient = new_patient("Ada", "Byron");
    patient.health = full_health(provider_id);
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");

    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("find profile")
        .expect("the profile exists");
    let expected = Profile {
        id: patient.user.id,
        email: patient.user.email.clone(),
        first_name: "Ada".to_owned(),
        last_name: "Byron".to_owned(),
        date_of_birth: patient.date_of_birth,
        sex_at_birth: patient.health.sex_at_birth,
        phone: patient.health.phone.clone(),
        address: patient.health.address.clone(),
        emergency_contact: patient.health.emergency_contact.clone(),
        allergies: patient.health.allergies.clone(),
        medications: patient.health.medications.clone(),
        conditions: patient.health.conditions.clone(),
        primary_provider_id: Some(provider_id),
        updated_at: patient.user.updated_at,
    };
    assert_eq!(
        profile, expected,
        "every profile field survives the round trip"
    );
}

/// Repeats a multi-byte pattern to exactly `chars` characters, the most a field accepts.
fn text_of(chars: usize, pattern: &str) -> String {
    pattern.chars().cycle().take(chars).collect()
}

pub async fn profile_at_field_limits(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let mut patient = new_patient(&text_of(100, "Zoë"), &text_of(100, "Ø'Brién-"));
    patient.health = HealthDetails {
        sex_at_birth: Some(SexAtBirth::Intersex),
        phone: Some(text_of(20, "+1 (555) 0")),
        address: Some(Address {
            line1: text_of(200, "Rue de l'Église 12 "),
            line2: text_of(200, "Bâtiment B "),
            city: text_of(100, "São Paulo "),
            region: text_of(100, "Québec "),
            postal_code: text_of(20, "H2X 1Y4 "),
            country: text_of(100, "Côte d'Ivoire "),
        }),
        emergency_contact: Some(EmergencyContact {
            name: text_of(100, "Renée "),
            relationship: text_of(50, "Partner "),
            phone: text_of(20, "+44 20 7946 0"),
        }),
        allergies: (0..50)
            .map(|index| Allergy {
                substance: text_of(100, &format!("Penicillin {index} 🌰 ")),
                reaction: text_of(200, "Hives and swelling, \"severe\" "),
                severity: Severity::Severe,
            })
            .collect(),
        medications: (0..50)
            .map(|index| Medication {
                name: text_of(100, &format!("Medication {index} µ ")),
                dose: text_of(50, "10 mg "),
                frequency: text_of(50, "Twice a day "),
            })
            .collect(),
        conditions: (0..50)
            .map(|index| Condition {
                name: text_of(100, &format!("Condition {index} {{$ne: 1}} ")),
            })
            .collect(),
        primary_provider_id: Some(provider_id),
    };
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient at the field limits");

    let profile = store
        .find_profile(patient.user.id)
        .await
        .expect("find profile")
        .expect("the profile exists");
    assert_eq!(
        profile.first_name, patient.user.first_name,
        "longest first name"
    );
    assert_eq!(
        profile.last_name, patient.user.last_name,
        "longest last name"
    );
    assert_eq!(
        profile.health(),
        patient.health,
        "every list at its limit survives"
    );

    let mut appointment = new_appointment(
        patient.user.id,
        provider_id,
        now() + Duration::days(3),
        AppointmentStatus::Requested,
    );
    appointment.reason = text_of(500, "Knee pain after running — 膝 ");
    let stored = store
        .insert_appointment(&appointment)
        .await
        .expect("insert an appointment with the longest reason");
    assert_eq!(
        stored.reason, appointment.reason,
        "the longest reason survives"
    );
}

pub async fn profile_empty_health(store: &dyn Store) {
    let id = add_patient(store, "Ada", "Byron").await;
    let profile = store
        .find_profile(id)
        .await
        .expect("find profile")
        .expect("the profile exists");
    assert_eq!(
        profile.health(),
        HealthDetails::default(),
        "a new patient without details has an empty profile"
    );
}

pub async fn profile_unknown(store: &dyn Store) {
    let profile = store
        .find_profile(Uuid::now_v7())
        .await
        .expect("find profile");
    assert!(profile.is_none(), "an unknown id has no profile");

    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let provider = store.find_profile(provider_id).await.expect("find profile");
    assert!(provider.is_none(), "a provider has no patient profile");
}

pub async fn profile_update(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let id = add_patient(store, "Ada", "Byron").await;
    let changes = ProfileChanges {
        first_name: "Augusta".to_owned(),
        last_name: "King".to_owned(),
        date_of_birth: NaiveDate::from_ymd_opt(1985, 12, 10).expect("valid date"),
        health: full_health(provider_id),
    };

    let updated = store
        .update_profile(id, &changes, now())
        .await
        .expect("update profile")
        .expect("the patient exists");
    assert_eq!(updated.first_name, "Augusta", "the first name changes");
    assert_eq!(updated.last_name, "King", "the last name changes");
    assert_eq!(
        updated.date_of_birth, changes.date_of_birth,
        "the date of birth changes"
    );
    assert_eq!(
        updated.health(),
        changes.health,
        "the health details change"
    );
    assert_eq!(
        updated.updated_at,
        now(),
        "updated_at is the time of the change"
    );

    let found = store
        .find_profile(id)
        .await
        .expect("find profile")
        .expect("the profile exists");
    assert_eq!(found, updated, "the returned profile is the stored one");

    let user = store
        .find_user(id)
        .await
        .expect("find by id")
        .expect("the user exists");
    assert_eq!(
        user.first_name, "Augusta",
        "the account has the new first name"
    );
    assert_eq!(user.last_name, "King", "the account has the new last name");
}

pub async fn profile_update_clears(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let mut patient = new_patient("Ada", "Byron");
    patient.health = full_health(provider_id);
    store
        .insert_patient(&patient, &registration_event(&patient))
        .await
        .expect("insert a patient");
    let changes = ProfileChanges {
        first_name: "Ada".to_owned(),
        last_name: "Byron".to_owned(),
        date_of_birth: patient.date_of_birth,
        health: HealthDetails::default(),
    };

    let updated = store
        .update_profile(patient.user.id, &changes, now())
        .await
        .expect("update profile")
        .expect("the patient exists");
    assert_eq!(
        updated.health(),
        HealthDetails::default(),
        "optional fields and lists can be emptied"
    );
}

pub async fn profile_update_unknown(store: &dyn Store) {
    let changes = ProfileChanges {
        first_name: "Ada".to_owned(),
        last_name: "Byron".to_owned(),
        date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        health: HealthDetails::default(),
    };
    let result = store
        .update_profile(Uuid::now_v7(), &changes, now())
        .await
        .expect("update profile");
    assert!(result.is_none(), "an unknown patient is None");

    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let result = store
        .update_profile(provider_id, &changes, now())
        .await
        .expect("update profile");
    assert!(result.is_none(), "a provider has no profile to update");
    let provider = store
        .find_user(provider_id)
        .await
        .expect("find by id")
        .expect("the provider exists");
    assert_eq!(
        provider.first_name, "Dana",
        "the provider's name is unchanged"
    );
}

// ---------------------------------------------------------------------------------------------
// Care
// ---------------------------------------------------------------------------------------------

pub async fn care_primary_provider(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient_of(store, "Ada", "Byron", provider_id).await;
    let in_care = store
        .is_in_care(provider_id, patient_id)
        .await
        .expect("check care");
    assert!(in_care, "a primary provider's patient is in care");
}

pub async fn care_appointment(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    add_appointment(
        store,
        patient_id,
        provider_id,
        now() - Duration::days(90),
        AppointmentStatus::Cancelled,
    )
    .await;
    let in_care = store
        .is_in_care(provider_id, patient_id)
        .await
        .expect("check care");
    assert!(in_care, "a patient with any appointment is in care");
}

pub async fn care_not_in_care(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let other_id = add_provider(store, "Lee", "Park").await;
    let patient_id = add_patient_of(store, "Ada", "Byron", other_id).await;
    add_appointment(
        store,
        patient_id,
        other_id,
        now() + Duration::days(1),
        AppointmentStatus::Requested,
    )
    .await;

    let in_care = store
        .is_in_care(provider_id, patient_id)
        .await
        .expect("check care");
    assert!(!in_care, "another provider's patient is not in care");

    let unknown = store
        .is_in_care(provider_id, Uuid::now_v7())
        .await
        .expect("check care");
    assert!(!unknown, "an unknown patient is not in care");
}

pub async fn care_list(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let other_id = add_provider(store, "Lee", "Park").await;
    let zimmer = add_patient_of(store, "Ana", "Zimmer", provider_id).await;
    let ben = add_patient(store, "Ben", "Adams").await;
    let cara = add_patient(store, "Cara", "adams").await;
    add_patient_of(store, "Dan", "Other", other_id).await;
    add_patient(store, "Eve", "Nobody").await;

    let next = now() + Duration::days(1);
    let appointments = [
        (
            ben,
            provider_id,
            next + Duration::days(1),
            AppointmentStatus::Requested,
        ),
        (ben, provider_id, next, AppointmentStatus::Confirmed),
        (
            ben,
            provider_id,
            now() + Duration::hours(12),
            AppointmentStatus::Cancelled,
        ),
        (
            ben,
            provider_id,
            now() - Duration::days(1),
            AppointmentStatus::Confirmed,
        ),
        (ben, provider_id, now(), AppointmentStatus::Requested),
        (
            ben,
            other_id,
            now() + Duration::hours(3),
            AppointmentStatus::Requested,
        ),
        (
            cara,
            provider_id,
            now() - Duration::days(5),
            AppointmentStatus::Declined,
        ),
    ];
    for (patient_id, with, start, status) in appointments {
        add_appointment(store, patient_id, with, start, status).await;
    }

    let page = store
        .list_care_patients(provider_id, None, first_page(10), now())
        .await
        .expect("list care patients");
    let ids: Vec<Uuid> = page.items.iter().map(|patient| patient.id).collect();
    assert_eq!(
        ids,
        vec![ben, cara, zimmer],
        "care patients are ordered by last then first name, ignoring case"
    );
    assert_eq!(page.total, 3, "the total counts every care patient");
    assert_eq!(
        page.items[0].next_appointment,
        Some(next),
        "next_appointment is the soonest future requested or confirmed with this provider"
    );
    assert_eq!(
        page.items[1].next_appointment, None,
        "a patient with only past appointments has no next appointment"
    );
    assert_eq!(
        page.items[2].next_appointment, None,
        "a patient without appointments has no next appointment"
    );
    assert_eq!(
        page.items[2].first_name, "Ana",
        "items carry the first name"
    );
    assert_eq!(
        page.items[2].last_name, "Zimmer",
        "items carry the last name"
    );
    assert_eq!(
        page.items[2].date_of_birth,
        NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        "items carry the date of birth"
    );
}

pub async fn care_list_same_name(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let mut ids = vec![
        add_patient_of(store, "Sam", "Lee", provider_id).await,
        add_patient_of(store, "Sam", "Lee", provider_id).await,
        add_patient_of(store, "Sam", "Lee", provider_id).await,
    ];
    ids.sort();

    let page = store
        .list_care_patients(provider_id, None, first_page(10), now())
        .await
        .expect("list care patients");
    let listed: Vec<Uuid> = page.items.iter().map(|patient| patient.id).collect();
    assert_eq!(listed, ids, "patients with equal names are ordered by id");
}

pub async fn care_list_prefix(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let adams = add_patient_of(store, "Ben", "Adams", provider_id).await;
    let benson = add_patient_of(store, "Ada", "Benson", provider_id).await;
    let underscore = add_patient_of(store, "Al_x", "Smith", provider_id).await;
    add_patient_of(store, "Alex", "Smith", provider_id).await;
    add_patient(store, "Adam", "Outsider").await;

    let page = store
        .list_care_patients(provider_id, Some("ad"), first_page(10), now())
        .await
        .expect("list care patients");
    let ids: Vec<Uuid> = page.items.iter().map(|patient| patient.id).collect();
    assert_eq!(
        ids,
        vec![adams, benson],
        "the prefix matches the first or last name of care patients only"
    );
    assert_eq!(page.total, 2, "the total counts only matching patients");

    let escaped = store
        .list_care_patients(provider_id, Some("al_"), first_page(10), now())
        .await
        .expect("list care patients");
    let ids: Vec<Uuid> = escaped.items.iter().map(|patient| patient.id).collect();
    assert_eq!(
        ids,
        vec![underscore],
        "`_` in the prefix matches only an underscore"
    );
}

/// Returns the ids on the first page of the provider's care list, filtered by `prefix`.
async fn care_ids(store: &dyn Store, provider_id: Uuid, prefix: Option<&str>) -> Vec<Uuid> {
    store
        .list_care_patients(provider_id, prefix, first_page(10), now())
        .await
        .expect("list care patients")
        .items
        .iter()
        .map(|patient| patient.id)
        .collect()
}

/// Replaces the patient's names and primary provider, keeping the other profile fields empty.
async fn change_profile(
    store: &dyn Store,
    patient_id: Uuid,
    (first_name, last_name): (&str, &str),
    primary_provider_id: Option<Uuid>,
) {
    let changes = ProfileChanges {
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 17).expect("valid date"),
        health: HealthDetails {
            primary_provider_id,
            ..HealthDetails::default()
        },
    };
    store
        .update_profile(patient_id, &changes, now())
        .await
        .expect("update profile")
        .expect("the patient exists");
}

pub async fn care_follows_primary_provider_change(store: &dyn Store) {
    let first = add_provider(store, "Dana", "Reyes").await;
    let second = add_provider(store, "Lee", "Park").await;
    let moved = add_patient_of(store, "Ada", "Byron", first).await;
    let visited = add_patient_of(store, "Ben", "Adams", first).await;
    add_appointment(
        store,
        visited,
        first,
        now() - Duration::days(30),
        AppointmentStatus::Completed,
    )
    .await;

    change_profile(store, moved, ("Ada", "Byron"), Some(second)).await;
    change_profile(store, visited, ("Ben", "Adams"), Some(second)).await;

    assert_eq!(
        care_ids(store, first, None).await,
        vec![visited],
        "the old primary provider keeps only the patient with an appointment"
    );
    assert!(
        !store.is_in_care(first, moved).await.expect("check care"),
        "the moved patient left the old provider's care"
    );
    assert_eq!(
        care_ids(store, second, None).await,
        vec![visited, moved],
        "the new primary provider lists both patients"
    );
    assert_eq!(
        care_ids(store, second, Some("by")).await,
        vec![moved],
        "the new primary provider finds the patient by name"
    );

    change_profile(store, moved, ("Ada", "Byron"), None).await;
    assert_eq!(
        care_ids(store, second, None).await,
        vec![visited],
        "a patient without a primary provider leaves that provider's list"
    );
}

pub async fn care_search_follows_name_change(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    add_appointment(
        store,
        patient_id,
        provider_id,
        now() + Duration::days(3),
        AppointmentStatus::Requested,
    )
    .await;

    change_profile(store, patient_id, ("Zoe", "Quill"), None).await;

    assert_eq!(
        care_ids(store, provider_id, Some("zo")).await,
        vec![patient_id],
        "the new first name is found"
    );
    assert_eq!(
        care_ids(store, provider_id, Some("qu")).await,
        vec![patient_id],
        "the new last name is found"
    );
    assert!(
        care_ids(store, provider_id, Some("ad")).await.is_empty(),
        "the old first name is not found"
    );
    assert!(
        care_ids(store, provider_id, Some("by")).await.is_empty(),
        "the old last name is not found"
    );
}

pub async fn care_list_paging(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    add_patient_of(store, "Ann", "Adams", provider_id).await;
    add_patient_of(store, "Bob", "Baker", provider_id).await;
    let clark = add_patient_of(store, "Cy", "Clark", provider_id).await;

    let page = store
        .list_care_patients(provider_id, None, PageRequest { page: 2, limit: 2 }, now())
        .await
        .expect("list care patients");
    let ids: Vec<Uuid> = page.items.iter().map(|patient| patient.id).collect();
    assert_eq!(ids, vec![clark], "page 2 holds the third patient");
    assert_eq!(page.total, 3, "page 2 reports the total");
}

// ---------------------------------------------------------------------------------------------
// Appointments
// ---------------------------------------------------------------------------------------------

pub async fn appointment_round_trip(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let new = new_appointment(
        patient_id,
        provider_id,
        now() + Duration::days(3),
        AppointmentStatus::Requested,
    );

    let inserted = store
        .insert_appointment(&new)
        .await
        .expect("insert an appointment");
    let expected = Appointment {
        id: new.id,
        patient_id,
        patient_name: "Ada Byron".to_owned(),
        provider_id,
        provider_name: "Dana Reyes".to_owned(),
        preferred_start: new.preferred_start,
        visit_type: VisitType::InPerson,
        reason: new.reason.clone(),
        status: AppointmentStatus::Requested,
        created_at: new.created_at,
        updated_at: new.created_at,
    };
    assert_eq!(
        inserted, expected,
        "insert returns the appointment with names"
    );

    let found = store
        .find_appointment(new.id)
        .await
        .expect("find appointment")
        .expect("the appointment exists");
    assert_eq!(found, expected, "find returns the stored appointment");

    let unknown = store
        .find_appointment(Uuid::now_v7())
        .await
        .expect("find appointment");
    assert!(unknown.is_none(), "an unknown id finds nothing");
}

/// Builds a requested appointment `days` after [`now`] with its `appointment.request` event,
/// as the audit writer passes them to `insert_audited_appointments`.
fn requested_appointment(
    patient_id: Uuid,
    provider_id: Uuid,
    days: i64,
) -> (NewAppointment, NewAuditEvent) {
    let appointment = new_appointment(
        patient_id,
        provider_id,
        now() + Duration::days(days),
        AppointmentStatus::Requested,
    );
    let event = audit_event(
        "appointment.request",
        Some((patient_id, Role::Patient)),
        Some(patient_id),
        Outcome::Success,
    );
    (appointment, event)
}

/// A batch of requested appointments from the audit writer: every item is stored or fails with
/// its own event, and a failing item does not take the others down.
pub async fn appointment_audited_batch(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let item = |days| requested_appointment(patient_id, provider_id, days);
    let existing = item(1);
    store
        .insert_appointment(&existing.0)
        .await
        .expect("insert the first appointment");
    // The middle item reuses a stored id, so its insert fails.
    let mut duplicate = item(2);
    duplicate.0.id = existing.0.id;
    let batch = vec![item(3), duplicate, item(4)];

    let results = store.insert_audited_appointments(&batch).await;
    let outcomes: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(
        outcomes,
        vec![true, false, true],
        "only the item with the taken id fails"
    );
    for (index, (appointment, _)) in [(0, &batch[0]), (2, &batch[2])] {
        let returned = results[index].as_ref().expect("the item is stored");
        assert_eq!(
            returned.id, appointment.id,
            "results follow the items' order"
        );
        assert_eq!(returned.provider_name, "Dana Reyes");
        assert_eq!(returned.patient_name, "Ada Byron");
        let found = store
            .find_appointment(appointment.id)
            .await
            .expect("find appointment")
            .expect("the stored item exists");
        assert_eq!(&found, returned, "the result is the stored appointment");
    }
    let original = store
        .find_appointment(existing.0.id)
        .await
        .expect("find appointment")
        .expect("the first appointment exists");
    assert_eq!(
        original.preferred_start, existing.0.preferred_start,
        "the failed item leaves the stored appointment unchanged"
    );

    let events = store
        .list_access_events(patient_id, first_page(10))
        .await
        .expect("list access events");
    let requests = events
        .items
        .iter()
        .filter(|event| event.action == "appointment.request")
        .count();
    assert_eq!(
        requests, 2,
        "one event per stored item, none for the failed one"
    );
}

pub async fn appointment_patient_list(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let other_id = add_patient(store, "Grace", "Hopper").await;
    let past = now() - Duration::days(2);
    let soon = now() + Duration::days(1);
    let later = now() + Duration::days(3);
    add_appointment(
        store,
        patient_id,
        provider_id,
        soon,
        AppointmentStatus::Requested,
    )
    .await;
    add_appointment(
        store,
        patient_id,
        provider_id,
        past,
        AppointmentStatus::Completed,
    )
    .await;
    add_appointment(
        store,
        patient_id,
        provider_id,
        later,
        AppointmentStatus::Confirmed,
    )
    .await;
    add_appointment(
        store,
        other_id,
        provider_id,
        soon,
        AppointmentStatus::Requested,
    )
    .await;

    let all = store
        .list_patient_appointments(patient_id, None, first_page(10))
        .await
        .expect("list appointments");
    assert_eq!(
        starts(&all.items),
        vec![later, soon, past],
        "the patient's appointments are listed latest start first"
    );
    assert_eq!(
        all.total, 3,
        "the total counts only this patient's appointments"
    );

    let confirmed = store
        .list_patient_appointments(
            patient_id,
            Some(AppointmentStatus::Confirmed),
            first_page(10),
        )
        .await
        .expect("list appointments");
    assert_eq!(
        starts(&confirmed.items),
        vec![later],
        "the status filter applies"
    );
    assert_eq!(confirmed.total, 1, "the total counts only the status");

    let second = store
        .list_patient_appointments(patient_id, None, PageRequest { page: 2, limit: 2 })
        .await
        .expect("list appointments");
    assert_eq!(starts(&second.items), vec![past], "page 2 holds the oldest");
    assert_eq!(second.total, 3, "page 2 reports the total");
}

pub async fn appointment_provider_list(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let other_provider = add_provider(store, "Lee", "Park").await;
    let ada = add_patient(store, "Ada", "Byron").await;
    let grace = add_patient(store, "Grace", "Hopper").await;
    let first = now() + Duration::days(1);
    let second = now() + Duration::days(2);
    let third = now() + Duration::days(4);
    add_appointment(store, ada, provider_id, first, AppointmentStatus::Requested).await;
    add_appointment(
        store,
        grace,
        provider_id,
        third,
        AppointmentStatus::Requested,
    )
    .await;
    add_appointment(
        store,
        grace,
        provider_id,
        second,
        AppointmentStatus::Declined,
    )
    .await;
    add_appointment(
        store,
        ada,
        other_provider,
        second,
        AppointmentStatus::Requested,
    )
    .await;

    let all = store
        .list_provider_appointments(provider_id, None, first_page(10))
        .await
        .expect("list appointments");
    assert_eq!(
        starts(&all.items),
        vec![third, second, first],
        "the provider's appointments are listed latest start first"
    );
    assert_eq!(
        all.total, 3,
        "the total counts only this provider's appointments"
    );
    assert_eq!(
        all.items[0].patient_name, "Grace Hopper",
        "items carry the patient's name"
    );
    assert_eq!(
        all.items[0].provider_name, "Dana Reyes",
        "items carry the provider's name"
    );

    let requested = store
        .list_provider_appointments(
            provider_id,
            Some(AppointmentStatus::Requested),
            first_page(10),
        )
        .await
        .expect("list appointments");
    assert_eq!(
        starts(&requested.items),
        vec![third, first],
        "the status filter applies"
    );
    assert_eq!(requested.total, 2, "the total counts only the status");
}

pub async fn appointment_upcoming(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let other_id = add_patient(store, "Grace", "Hopper").await;
    let in_an_hour = now() + Duration::hours(1);
    let in_two_days = now() + Duration::days(2);
    let in_five_days = now() + Duration::days(5);
    let appointments = [
        (
            patient_id,
            now() - Duration::days(1),
            AppointmentStatus::Confirmed,
        ),
        (patient_id, now(), AppointmentStatus::Requested),
        (patient_id, in_five_days, AppointmentStatus::Requested),
        (patient_id, in_an_hour, AppointmentStatus::Requested),
        (
            patient_id,
            now() + Duration::days(1),
            AppointmentStatus::Cancelled,
        ),
        (patient_id, in_two_days, AppointmentStatus::Confirmed),
        (
            patient_id,
            now() + Duration::days(3),
            AppointmentStatus::Declined,
        ),
        (
            patient_id,
            now() + Duration::days(6),
            AppointmentStatus::Completed,
        ),
        (
            other_id,
            now() + Duration::minutes(5),
            AppointmentStatus::Requested,
        ),
    ];
    for (patient, start, status) in appointments {
        add_appointment(store, patient, provider_id, start, status).await;
    }

    let upcoming = store
        .upcoming_appointments(patient_id, now(), 10)
        .await
        .expect("list upcoming");
    assert_eq!(
        starts(&upcoming),
        vec![in_an_hour, in_two_days, in_five_days],
        "only future requested or confirmed appointments, soonest first"
    );

    let limited = store
        .upcoming_appointments(patient_id, now(), 2)
        .await
        .expect("list upcoming");
    assert_eq!(
        starts(&limited),
        vec![in_an_hour, in_two_days],
        "the limit keeps the soonest"
    );
}

pub async fn appointment_last_visit(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let yesterday = now() - Duration::days(1);
    let appointments = [
        (now() - Duration::days(3), AppointmentStatus::Completed),
        (yesterday, AppointmentStatus::Confirmed),
        (now() - Duration::hours(2), AppointmentStatus::Cancelled),
        (now() - Duration::hours(1), AppointmentStatus::Requested),
        (now() - Duration::minutes(30), AppointmentStatus::Declined),
        (now() + Duration::days(1), AppointmentStatus::Confirmed),
    ];
    for (start, status) in appointments {
        add_appointment(store, patient_id, provider_id, start, status).await;
    }

    let last = store
        .last_visit(patient_id, now())
        .await
        .expect("find last visit");
    assert_eq!(
        last,
        Some(yesterday),
        "the last visit is the latest past completed or confirmed start"
    );

    let newcomer = add_patient(store, "Grace", "Hopper").await;
    let none = store
        .last_visit(newcomer, now())
        .await
        .expect("find last visit");
    assert_eq!(none, None, "a patient without visits has no last visit");
}

pub async fn transition_allowed(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let appointment = add_appointment(
        store,
        patient_id,
        provider_id,
        now() + Duration::days(2),
        AppointmentStatus::Requested,
    )
    .await;

    let confirmed = store
        .transition_appointment(
            appointment.id,
            &[AppointmentStatus::Requested],
            AppointmentStatus::Confirmed,
            now(),
        )
        .await
        .expect("confirm")
        .expect("a requested appointment can be confirmed");
    assert_eq!(
        confirmed.status,
        AppointmentStatus::Confirmed,
        "the new status is returned"
    );
    assert_eq!(
        confirmed.updated_at,
        now(),
        "updated_at is the time of the change"
    );
    assert_eq!(
        confirmed.created_at, appointment.created_at,
        "created_at does not change"
    );
    assert_eq!(
        confirmed.patient_name, "Ada Byron",
        "the names are filled in"
    );

    let cancelled = store
        .transition_appointment(
            appointment.id,
            &[AppointmentStatus::Requested, AppointmentStatus::Confirmed],
            AppointmentStatus::Cancelled,
            now() + Duration::minutes(1),
        )
        .await
        .expect("cancel")
        .expect("a confirmed appointment can be cancelled");
    assert_eq!(
        cancelled.status,
        AppointmentStatus::Cancelled,
        "any status in `from` allows the change"
    );

    let stored = store
        .find_appointment(appointment.id)
        .await
        .expect("find appointment")
        .expect("the appointment exists");
    assert_eq!(
        stored, cancelled,
        "the returned appointment is the stored one"
    );
}

pub async fn transition_rejected(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let appointment = add_appointment(
        store,
        patient_id,
        provider_id,
        now() + Duration::days(2),
        AppointmentStatus::Confirmed,
    )
    .await;

    let declined = store
        .transition_appointment(
            appointment.id,
            &[AppointmentStatus::Requested],
            AppointmentStatus::Declined,
            now(),
        )
        .await
        .expect("decline");
    assert!(declined.is_none(), "a status outside `from` is None");

    let empty = store
        .transition_appointment(appointment.id, &[], AppointmentStatus::Declined, now())
        .await
        .expect("transition");
    assert!(empty.is_none(), "an empty `from` allows nothing");

    let stored = store
        .find_appointment(appointment.id)
        .await
        .expect("find appointment")
        .expect("the appointment exists");
    assert_eq!(stored, appointment, "a rejected transition changes nothing");

    let unknown = store
        .transition_appointment(
            Uuid::now_v7(),
            &[AppointmentStatus::Confirmed],
            AppointmentStatus::Cancelled,
            now(),
        )
        .await
        .expect("transition");
    assert!(unknown.is_none(), "an unknown appointment is None");
}

pub async fn transition_race(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;

    for round in 0..RACE_ROUNDS {
        let appointment = add_appointment(
            store,
            patient_id,
            provider_id,
            now() + Duration::days(1 + i64::try_from(round).expect("small round number")),
            AppointmentStatus::Requested,
        )
        .await;
        let (confirm, cancel) = tokio::join!(
            store.transition_appointment(
                appointment.id,
                &[AppointmentStatus::Requested],
                AppointmentStatus::Confirmed,
                now(),
            ),
            store.transition_appointment(
                appointment.id,
                &[AppointmentStatus::Requested],
                AppointmentStatus::Cancelled,
                now(),
            ),
        );
        let confirm = confirm.expect("confirm");
        let cancel = cancel.expect("cancel");
        assert!(
            confirm.is_some() != cancel.is_some(),
            "round {round}: exactly one concurrent transition wins"
        );

        let winner = confirm.or(cancel).map(|won| won.status);
        let stored = store
            .find_appointment(appointment.id)
            .await
            .expect("find appointment")
            .expect("the appointment exists");
        assert_eq!(
            Some(stored.status),
            winner,
            "round {round}: the stored status is the winner's"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

pub async fn session_round_trip(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;

    let by_id = find_session(store, session.id).await;
    assert_eq!(by_id, session, "find_session returns the stored session");

    let by_hash = store
        .find_session_by_refresh_hash(&session.refresh_hash)
        .await
        .expect("find by hash");
    assert_eq!(by_hash, Some(session), "the refresh hash finds the session");

    let unknown = store
        .find_session_by_refresh_hash("sha256-unknown")
        .await
        .expect("find by hash");
    assert!(unknown.is_none(), "an unknown hash finds nothing");

    let unknown = store
        .find_session(Uuid::now_v7())
        .await
        .expect("find session");
    assert!(unknown.is_none(), "an unknown id finds nothing");
}

pub async fn session_duplicate_hash(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;
    let mut clash = new_session(user_id);
    clash.refresh_hash = session.refresh_hash.clone();

    let result = store.insert_session(&clash).await;
    assert!(
        matches!(result, Err(StoreError::Duplicate(_))),
        "a repeated refresh hash is a duplicate: {result:?}"
    );
}

pub async fn session_rotate(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;
    let later = now() + Duration::minutes(20);

    let rotated = store
        .rotate_refresh(session.id, &session.refresh_hash, "sha256-next", later)
        .await
        .expect("rotate");
    assert!(rotated, "the current hash rotates");
    let stored = find_session(store, session.id).await;
    assert_eq!(stored.refresh_hash, "sha256-next", "the new hash is stored");
    assert_eq!(
        stored.last_used_at, later,
        "last_used_at is the rotation time"
    );

    let old = store
        .find_session_by_refresh_hash(&session.refresh_hash)
        .await
        .expect("find by hash");
    assert!(old.is_none(), "the old hash no longer finds the session");

    let stale = store
        .rotate_refresh(session.id, &session.refresh_hash, "sha256-other", later)
        .await
        .expect("rotate");
    assert!(!stale, "a stale hash does not rotate");

    store
        .revoke_session(session.id, later)
        .await
        .expect("revoke");
    let revoked = store
        .rotate_refresh(session.id, "sha256-next", "sha256-after", later)
        .await
        .expect("rotate");
    assert!(!revoked, "a revoked session does not rotate");
}

pub async fn session_rotate_race(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;

    for round in 0..RACE_ROUNDS {
        let session = add_session(store, user_id).await;
        let first_hash = format!("sha256-first-{round}");
        let second_hash = format!("sha256-second-{round}");
        let (first, second) = tokio::join!(
            store.rotate_refresh(session.id, &session.refresh_hash, &first_hash, now()),
            store.rotate_refresh(session.id, &session.refresh_hash, &second_hash, now()),
        );
        let first = first.expect("first rotation");
        let second = second.expect("second rotation");
        assert!(
            first != second,
            "round {round}: exactly one concurrent rotation wins"
        );

        let expected = if first { first_hash } else { second_hash };
        let stored = find_session(store, session.id).await;
        assert_eq!(
            stored.refresh_hash, expected,
            "round {round}: the stored hash is the winner's"
        );
    }
}

pub async fn session_revoke(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;
    let other = add_session(store, user_id).await;

    store
        .revoke_session(session.id, now())
        .await
        .expect("revoke");
    let revoked = find_session(store, session.id).await;
    assert_eq!(
        revoked.revoked_at,
        Some(now()),
        "revoked_at is the revocation time"
    );
    assert!(!revoked.is_active(now()), "a revoked session is not active");

    store
        .revoke_session(session.id, now() + Duration::hours(1))
        .await
        .expect("revoke again");
    let again = find_session(store, session.id).await;
    assert_eq!(
        again.revoked_at,
        Some(now()),
        "revoking again keeps the first revocation time"
    );

    let untouched = find_session(store, other.id).await;
    assert_eq!(untouched.revoked_at, None, "other sessions stay active");
}

pub async fn session_revoke_user(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let other_user = add_patient(store, "Grace", "Hopper").await;
    let kept = add_session(store, user_id).await;
    let second = add_session(store, user_id).await;
    let third = add_session(store, user_id).await;
    let foreign = add_session(store, other_user).await;

    store
        .revoke_user_sessions(user_id, Some(kept.id), now())
        .await
        .expect("revoke user sessions");
    let kept_after = find_session(store, kept.id).await;
    assert_eq!(kept_after.revoked_at, None, "the kept session stays active");
    let second_after = find_session(store, second.id).await;
    assert_eq!(
        second_after.revoked_at,
        Some(now()),
        "the second session is revoked"
    );
    let third_after = find_session(store, third.id).await;
    assert_eq!(
        third_after.revoked_at,
        Some(now()),
        "the third session is revoked"
    );
    let foreign_after = find_session(store, foreign.id).await;
    assert_eq!(
        foreign_after.revoked_at, None,
        "another user's session stays active"
    );

    let later = now() + Duration::hours(1);
    store
        .revoke_user_sessions(user_id, None, later)
        .await
        .expect("revoke all user sessions");
    let kept_after = find_session(store, kept.id).await;
    assert_eq!(
        kept_after.revoked_at,
        Some(later),
        "without `keep` every session is revoked"
    );
    let second_after = find_session(store, second.id).await;
    assert_eq!(
        second_after.revoked_at,
        Some(now()),
        "an already revoked session keeps its revocation time"
    );
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

pub async fn audit_order(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let other_id = add_patient(store, "Grace", "Hopper").await;
    let provider = Some((provider_id, Role::Provider));
    let patient = Some((patient_id, Role::Patient));
    let subject = Some(patient_id);

    store
        .append_audit(&[
            audit_event("auth.login", None, subject, Outcome::Failed),
            audit_event("profile.read", provider, subject, Outcome::Success),
            audit_event("profile.update", provider, subject, Outcome::Denied),
            audit_event("profile.read", provider, Some(other_id), Outcome::Success),
        ])
        .await
        .expect("append the first batch");
    store
        .append_audit(&[audit_event(
            "access_log.read",
            patient,
            subject,
            Outcome::Success,
        )])
        .await
        .expect("append the second batch");

    let page = store
        .list_access_events(patient_id, first_page(10))
        .await
        .expect("list access events");
    let actions: Vec<&str> = page
        .items
        .iter()
        .map(|event| event.action.as_str())
        .collect();
    assert_eq!(
        actions,
        vec![
            "access_log.read",
            "profile.update",
            "profile.read",
            "auth.login",
            "auth.register"
        ],
        "events about the patient are listed newest first, registration included"
    );
    assert_eq!(
        page.total, 5,
        "the total counts only events about the patient"
    );
    assert!(
        page.items.windows(2).all(|pair| pair[0].id > pair[1].id),
        "ids decrease down the list"
    );

    let own = &page.items[0];
    assert_eq!(own.actor_id, Some(patient_id), "the actor id is kept");
    assert_eq!(
        own.actor_name.as_deref(),
        Some("Ada Byron"),
        "the actor name is joined"
    );
    assert_eq!(
        own.actor_role,
        Some(Role::Patient),
        "the actor role is kept"
    );
    assert_eq!(own.outcome, Outcome::Success, "the outcome is kept");
    assert_eq!(own.occurred_at, now(), "the time is kept");

    let denied = &page.items[1];
    assert_eq!(
        denied.actor_name.as_deref(),
        Some("Dana Reyes"),
        "a provider's name is joined"
    );
    assert_eq!(denied.outcome, Outcome::Denied, "a denied outcome is kept");

    let anonymous = &page.items[3];
    assert_eq!(
        anonymous.actor_id, None,
        "an anonymous event has no actor id"
    );
    assert_eq!(
        anonymous.actor_name, None,
        "an anonymous event has no actor name"
    );
    assert_eq!(
        anonymous.actor_role, None,
        "an anonymous event has no actor role"
    );
    assert_eq!(
        anonymous.outcome,
        Outcome::Failed,
        "a failed outcome is kept"
    );
}

pub async fn audit_unknown_actor(store: &dyn Store) {
    let patient_id = add_patient(store, "Ada", "Byron").await;
    let ghost = Uuid::now_v7();
    store
        .append_audit(&[audit_event(
            "profile.read",
            Some((ghost, Role::Admin)),
            Some(patient_id),
            Outcome::Success,
        )])
        .await
        .expect("append an event");

    let page = store
        .list_access_events(patient_id, first_page(10))
        .await
        .expect("list access events");
    assert_eq!(
        page.items.len(),
        2,
        "the event is listed after the registration"
    );
    assert_eq!(page.items[0].actor_id, Some(ghost), "the actor id is kept");
    assert_eq!(
        page.items[0].actor_name, None,
        "an actor without an account has no name"
    );
}

pub async fn audit_paging(store: &dyn Store) {
    let patient_id = add_patient(store, "Ada", "Byron").await;
    // Registration stored the first event, `auth.register`.
    let actions = ["auth.login", "dashboard.read", "profile.read"];
    let events: Vec<NewAuditEvent> = actions
        .iter()
        .map(|action| audit_event(action, None, Some(patient_id), Outcome::Success))
        .collect();
    store.append_audit(&events).await.expect("append events");
    store.append_audit(&[]).await.expect("append nothing");

    let second = store
        .list_access_events(patient_id, PageRequest { page: 2, limit: 3 })
        .await
        .expect("list access events");
    let listed: Vec<&str> = second
        .items
        .iter()
        .map(|event| event.action.as_str())
        .collect();
    assert_eq!(
        listed,
        vec!["auth.register"],
        "page 2 holds the oldest event"
    );
    assert_eq!(second.total, 4, "page 2 reports the total");

    let unknown = store
        .list_access_events(Uuid::now_v7(), first_page(10))
        .await
        .expect("list access events");
    assert!(
        unknown.items.is_empty(),
        "a patient without events has none"
    );
    assert_eq!(unknown.total, 0, "a patient without events counts none");
}

mod injection;
pub use injection::*;

mod sessions;
pub use sessions::*;
