//! Use cases of the portal. Every service call decides authorization and records the audit
//! events that describe it, so no HTTP route can forget either.

mod auth;
mod emergency;
mod invites;
mod login_throttle;
mod mfa;
mod patient;
mod profile;
mod provider;
mod sessions;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::audit::AuditWriter;
use crate::error::{ServiceError, ServiceResult};
use crate::model::{NewAuditEvent, Outcome, Role};
use crate::password::{HashParams, PasswordHasher};
use crate::store::Store;
use crate::throttle::{LoginThrottleSettings, Throttle};

pub use auth::{AuthenticatedSession, SessionGrant};
pub use emergency::{EMERGENCY_ACCESS_MINUTES, EmergencyAccessGrant};
pub use invites::{hash_invite_code, normalise_invite_code};
use login_throttle::LoginThrottle;
pub use mfa::{
    DisableTotpRequest, LoginOutcome, MfaLoginRequest, MfaStatus, RecoveryCodes, SecondFactor,
    TOTP_ISSUER, TotpCodeRequest, TotpSetup,
};
pub use patient::Dashboard;

/// Version of the privacy policy that registration must accept.
pub const PRIVACY_POLICY_VERSION: &str = "2026-12-01";

/// Source of the current instant; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Debug, Clone)]
pub struct PortalSettings {
    /// Time zone whose calendar date is "today" for ages, tips and reminders.
    pub clinic_time_zone: Tz,
    /// How long a session lasts from sign-in, whatever the activity.
    pub session_lifetime: Duration,
    /// How long a session may go without an authenticated request or a renewal before it ends.
    pub session_idle_timeout: Duration,
    pub password_hashing: HashParams,
    /// Limits on failed sign-ins per account and per client address.
    pub login_throttle: LoginThrottleSettings,
    /// Roles whose users must set up two-step sign-in before they can use anything but their
    /// account.
    pub mfa_required_roles: Vec<Role>,
}

impl Default for PortalSettings {
    fn default() -> Self {
        Self {
            clinic_time_zone: chrono_tz::UTC,
            session_lifetime: Duration::hours(12),
            session_idle_timeout: Duration::minutes(15),
            password_hashing: HashParams::default(),
            login_throttle: LoginThrottleSettings::default(),
            mfa_required_roles: Vec::new(),
        }
    }
}

/// The request id and client address recorded with every audit event, and the browser label
/// that a new session stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub request_id: String,
    pub client_addr: String,
    /// Browser and operating system named by the `User-Agent` header, such as "Chrome on
    /// Linux"; never the header itself. Not audited.
    pub browser: Option<String>,
}

/// A signed-in user making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: Uuid,
    pub role: Role,
    pub session_id: Uuid,
    pub context: RequestContext,
}

/// The application: storage, audit, password hashing and settings.
#[derive(Clone)]
pub struct Portal {
    store: Arc<dyn Store>,
    audit: AuditWriter,
    hasher: PasswordHasher,
    settings: PortalSettings,
    clock: Clock,
    login_throttle: Arc<LoginThrottle>,
    /// Denied emergency access requests per provider (see `emergency`).
    emergency_throttle: Arc<Throttle>,
}

impl Portal {
    pub fn new(
        store: Arc<dyn Store>,
        audit: AuditWriter,
        settings: PortalSettings,
        clock: Clock,
    ) -> ServiceResult<Self> {
        let hasher = PasswordHasher::new(settings.password_hashing)?;
        let login_throttle = Arc::new(LoginThrottle::new(settings.login_throttle));
        let emergency_throttle = Arc::new(Throttle::new(emergency::DENIED_REQUEST_LIMIT));
        Ok(Self {
            store,
            audit,
            hasher,
            settings,
            clock,
            login_throttle,
            emergency_throttle,
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    pub fn settings(&self) -> &PortalSettings {
        &self.settings
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Returns the clinic's calendar date at `now`.
    pub fn clinic_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.settings.clinic_time_zone)
            .date_naive()
    }

    async fn record(
        &self,
        context: &RequestContext,
        actor: Option<(Uuid, Role)>,
        action: &'static str,
        subject_id: Option<Uuid>,
        outcome: Outcome,
    ) -> ServiceResult<()> {
        let event = self.audit_event(context, actor, action, subject_id, outcome);
        self.audit.record(event).await
    }

    /// Builds an audit event that happens now.
    fn audit_event(
        &self,
        context: &RequestContext,
        actor: Option<(Uuid, Role)>,
        action: &'static str,
        subject_id: Option<Uuid>,
        outcome: Outcome,
    ) -> NewAuditEvent {
        NewAuditEvent {
            occurred_at: self.now(),
            actor_id: actor.map(|(id, _)| id),
            actor_role: actor.map(|(_, role)| role),
            action: action.into(),
            subject_id,
            outcome,
            request_id: context.request_id.clone(),
            client_addr: context.client_addr.clone(),
            detail: None,
        }
    }

    /// Records an event performed by the caller.
    async fn record_caller(
        &self,
        caller: &Caller,
        action: &'static str,
        subject_id: Option<Uuid>,
        outcome: Outcome,
    ) -> ServiceResult<()> {
        let actor = Some((caller.user_id, caller.role));
        self.record(&caller.context, actor, action, subject_id, outcome)
            .await
    }

    /// Checks the caller's role; a mismatch is audited as denied and returned as 403.
    async fn require_role(
        &self,
        caller: &Caller,
        role: Role,
        action: &'static str,
        subject_id: Option<Uuid>,
    ) -> ServiceResult<()> {
        if caller.role == role {
            return Ok(());
        }
        self.record_caller(caller, action, subject_id, Outcome::Denied)
            .await?;
        Err(ServiceError::Forbidden)
    }
}

/// Parses an id from a URL in the hyphenated form the API returns. Any other form, braces and
/// `urn:uuid:` prefixes included, is treated like an unknown id.
fn parse_id(raw: &str) -> Option<Uuid> {
    if raw.len() != 36 {
        return None;
    }
    Uuid::try_parse(raw).ok()
}

/// Lower-cases and trims a name-search prefix; an empty one means no filter.
fn search_prefix(query: Option<&str>) -> Option<String> {
    let trimmed = query?.trim();
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_lowercase())
    }
}
