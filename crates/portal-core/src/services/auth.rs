//! Registration, sign-in, session renewal, sign-out and password change.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Caller, PRIVACY_POLICY_VERSION, Portal, RequestContext};
use crate::domain::{
    Email, Npi, check_password_blocking, clean_name, clean_required, parse_date_of_birth,
};
use crate::error::{FieldError, ServiceError, ServiceResult, StoreError};
use crate::input::{
    ChangePasswordRequest, LoginRequest, RegisterPatientRequest, RegisterProviderRequest,
};
use crate::model::{
    Consent, HealthDetails, Outcome, ProviderDetails, Role, Session, User, UserRecord,
};
use crate::store::{NewPatient, NewProvider, ProviderRegistration};

use super::invites::hash_invite_code;
use super::login_throttle::LoginKeys;
use super::mfa::LoginOutcome;
use super::sessions::{RefreshToken, TOUCH_INTERVAL};

/// A new or renewed session: the user, the session id for the access token, and the refresh
/// token to set as a cookie. The refresh token is shown to the client once and never stored.
#[derive(Debug, Clone)]
pub struct SessionGrant {
    pub user: User,
    pub session_id: Uuid,
    pub refresh_token: String,
    pub session_expires_at: DateTime<Utc>,
}

/// The user behind a valid access token whose session is still active.
#[derive(Debug, Clone)]
pub struct AuthenticatedSession {
    pub user: User,
    pub session_id: Uuid,
    /// The user's role requires two-step sign-in and the user has not set it up, so only the
    /// account routes are open.
    pub mfa_enrolment_required: bool,
}

impl Portal {
    /// Registers a patient who accepted the current privacy policy and signs them in.
    pub async fn register_patient(
        &self,
        context: &RequestContext,
        request: RegisterPatientRequest,
    ) -> ServiceResult<SessionGrant> {
        let now = self.now();
        self.check_registration_throttle(context, now).await?;
        let today = self.clinic_date(now);
        let mut errors = Vec::new();
        let email = collect(
            &mut errors,
            "email",
            Email::parse(&request.email).map_err(String::from),
        );
        let first_name = collect(&mut errors, "firstName", clean_name(&request.first_name));
        let last_name = collect(&mut errors, "lastName", clean_name(&request.last_name));
        let date_of_birth = collect(
            &mut errors,
            "dateOfBirth",
            parse_date_of_birth(&request.date_of_birth, today),
        );
        if let Some(email) = &email {
            let names = [request.first_name.as_str(), request.last_name.as_str()];
            collect(
                &mut errors,
                "password",
                check_password_blocking(&request.password, email.as_str(), &names).await?,
            );
        }
        if !request.consent {
            errors.push(FieldError::new(
                "consent",
                "must be accepted: read the privacy policy and tick the box to agree",
            ));
        }
        if request.consent_version != PRIVACY_POLICY_VERSION {
            errors.push(FieldError::new(
                "consentVersion",
                format!("must be the current privacy policy version {PRIVACY_POLICY_VERSION}: reload the page and agree again"),
            ));
        }
        let (Some(email), Some(first_name), Some(last_name), Some(date_of_birth), true) = (
            email,
            first_name,
            last_name,
            date_of_birth,
            errors.is_empty(),
        ) else {
            return Err(ServiceError::Validation(errors));
        };

        let password_hash = self.hasher.hash(&request.password).await?;
        let user = new_user(
            email,
            Role::Patient,
            password_hash,
            first_name,
            last_name,
            now,
        );
        let patient = NewPatient {
            user: user.clone(),
            date_of_birth,
            consent: Consent {
                policy_version: PRIVACY_POLICY_VERSION.to_owned(),
                accepted_at: now,
            },
            health: HealthDetails::default(),
        };
        // The account and its registration event are written together, so neither exists
        // without the other.
        let actor = Some((user.id, Role::Patient));
        let registered = self.audit_event(
            context,
            actor,
            "auth.register",
            Some(user.id),
            Outcome::Success,
        );
        self.store
            .insert_patient(&patient, &registered)
            .await
            .map_err(|error| self.registration_error(context, now, error))?;
        tracing::info!(user.id = %user.id, "patient registered");
        self.start_session(context, &user, now).await
    }

    /// Registers a provider with a single-use invite code and signs them in.
    pub async fn register_provider(
        &self,
        context: &RequestContext,
        request: RegisterProviderRequest,
    ) -> ServiceResult<SessionGrant> {
        let now = self.now();
        self.check_registration_throttle(context, now).await?;
        let mut errors = Vec::new();
        let email = collect(
            &mut errors,
            "email",
            Email::parse(&request.email).map_err(String::from),
        );
        let first_name = collect(&mut errors, "firstName", clean_name(&request.first_name));
        let last_name = collect(&mut errors, "lastName", clean_name(&request.last_name));
        let npi = collect(
            &mut errors,
            "npi",
            Npi::parse(&request.npi).map_err(String::from),
        );
        let specialty = collect(
            &mut errors,
            "specialty",
            clean_required(&request.specialty, 100),
        );
        let invite_code = super::normalise_invite_code(&request.invite_code);
        if invite_code.is_empty() {
            errors.push(FieldError::new("inviteCode", "is required"));
        }
        if let Some(email) = &email {
            let names = [request.first_name.as_str(), request.last_name.as_str()];
            collect(
                &mut errors,
                "password",
                check_password_blocking(&request.password, email.as_str(), &names).await?,
            );
        }
        let (Some(email), Some(first_name), Some(last_name), Some(npi), Some(specialty), true) = (
            email,
            first_name,
            last_name,
            npi,
            specialty,
            errors.is_empty(),
        ) else {
            return Err(ServiceError::Validation(errors));
        };

        let password_hash = self.hasher.hash(&request.password).await?;
        let user = new_user(
            email,
            Role::Provider,
            password_hash,
            first_name,
            last_name,
            now,
        );
        let provider = NewProvider {
            user: user.clone(),
            details: ProviderDetails {
                npi: npi.as_str().to_owned(),
                specialty,
            },
        };
        let outcome = self
            .store
            .insert_provider(&provider, &hash_invite_code(&invite_code), now)
            .await
            .map_err(|error| match error {
                StoreError::Duplicate("npi") => ServiceError::field(
                    "npi",
                    "is already registered to another provider account; sign in to that account instead",
                ),
                other => self.registration_error(context, now, other),
            })?;
        if outcome == ProviderRegistration::InviteRejected {
            self.login_throttle
                .registration_failed(&context.client_addr, now);
            self.record(context, None, "auth.register", None, Outcome::Failed)
                .await?;
            return Err(ServiceError::field(
                "inviteCode",
                "is not valid: it may be mistyped, already used or expired; ask the clinic for a new code",
            ));
        }
        tracing::info!(user.id = %user.id, "provider registered");

        let actor = Some((user.id, Role::Provider));
        self.record(context, actor, "auth.register", None, Outcome::Success)
            .await?;
        self.start_session(context, &user, now).await
    }

    /// Signs in with email and password. Every failure is the same `Unauthenticated` error
    /// and costs one password verification, whether or not the account exists.
    ///
    /// Failed sign-ins are throttled per submitted email and per client address. A throttled
    /// attempt is rejected before its password is verified, so even the right password gets
    /// `Throttled`, and it is audited as `auth.login.throttled`.
    ///
    /// When the account has two-step sign-in, the right password returns
    /// `LoginOutcome::MfaRequired` and no session; [`Portal::login_second_step`] finishes.
    pub async fn login(
        &self,
        context: &RequestContext,
        request: LoginRequest,
    ) -> ServiceResult<LoginOutcome> {
        let now = self.now();
        let keys = LoginKeys::new(&request.email, &context.client_addr);
        if let Err(throttled) = self.login_throttle.begin(&keys, now) {
            self.audit_throttled_login(context, &request.email).await?;
            return Err(ServiceError::Throttled(throttled));
        }
        let lookup = async {
            let user = match Email::parse(&request.email) {
                Ok(email) => self.store.find_user_by_email(email.as_str()).await?,
                Err(_) => None,
            };
            let hash = user.as_ref().map(|u| u.password_hash.as_str());
            let valid = self.hasher.verify(&request.password, hash).await?;
            Ok::<_, ServiceError>((user, valid))
        };
        let (user, valid) = match lookup.await {
            Ok(found) => found,
            Err(error) => {
                self.login_throttle.undecided(&keys, now);
                return Err(error);
            }
        };

        match user {
            Some(user) if valid => {
                if self.second_step_needed(&user, &keys, now).await? {
                    return Ok(LoginOutcome::MfaRequired { user_id: user.id });
                }
                self.login_throttle.succeeded(&keys, now);
                let actor = Some((user.id, user.role));
                let subject = (user.role == Role::Patient).then_some(user.id);
                self.record(context, actor, "auth.login", subject, Outcome::Success)
                    .await?;
                self.start_session(context, &user, now)
                    .await
                    .map(LoginOutcome::Session)
            }
            _ => {
                // The person who typed the password is unknown, so the event has no actor.
                // The targeted account is the subject, so the attempt appears in a patient's
                // access log and attempts on provider accounts stay traceable.
                let subject = user.as_ref().map(|u| u.id);
                self.record(context, None, "auth.login", subject, Outcome::Failed)
                    .await?;
                Err(ServiceError::Unauthenticated)
            }
        }
    }

    /// Renews a session from its refresh token, rotating the token.
    ///
    /// A well-formed token whose session exists but whose secret is not the current one was
    /// already rotated away, so it was copied or replayed: the whole session is revoked and
    /// the attempt audited as `auth.refresh.reuse`. This includes the loser of two concurrent
    /// renewals with one token. A malformed token is rejected without writing anything.
    pub async fn refresh(
        &self,
        context: &RequestContext,
        refresh_token: &str,
    ) -> ServiceResult<SessionGrant> {
        let now = self.now();
        let Some(presented) = RefreshToken::parse(refresh_token) else {
            return Err(ServiceError::Unauthenticated);
        };
        let Some(session) = self.store.find_session(presented.session_id).await? else {
            self.record(context, None, "auth.refresh", None, Outcome::Failed)
                .await?;
            return Err(ServiceError::Unauthenticated);
        };
        // The sender of a stale token is unknown, so the account is the subject, not the actor.
        let target = Some(session.user_id);
        let user = self.store.find_user(session.user_id).await?;
        let (Some(user), true) = (user, session.is_active(now)) else {
            self.record(context, None, "auth.refresh", target, Outcome::Failed)
                .await?;
            return Err(ServiceError::Unauthenticated);
        };
        if session.is_idle(now, self.settings.session_idle_timeout) {
            self.end_idle_session(session.id, user.id, now).await?;
            self.record(context, None, "auth.refresh", target, Outcome::Failed)
                .await?;
            return Err(ServiceError::Unauthenticated);
        }

        // Comparing hashes in variable time reveals at most a prefix of the stored hash,
        // which does not help anyone find a secret that hashes to it.
        let presented_hash = presented.hash();
        let next = RefreshToken::issue(session.id);
        let rotated = presented_hash == session.refresh_hash
            && self
                .store
                .rotate_refresh(session.id, &presented_hash, &next.hash(), now)
                .await?;
        if !rotated {
            return Err(self
                .reject_reused_token(context, session.id, &user, now)
                .await);
        }

        let subject = (user.role == Role::Patient).then_some(user.id);
        self.record(
            context,
            Some((user.id, user.role)),
            "auth.refresh",
            subject,
            Outcome::Success,
        )
        .await?;
        Ok(SessionGrant {
            user: User::from(&user),
            session_id: session.id,
            refresh_token: next.encode(),
            session_expires_at: session.expires_at,
        })
    }

    /// Handles a refresh token that is not the session's current one: revokes the session,
    /// unless it was revoked meanwhile (a sign-out racing the renewal), and audits the reuse.
    async fn reject_reused_token(
        &self,
        context: &RequestContext,
        session_id: Uuid,
        user: &UserRecord,
        now: DateTime<Utc>,
    ) -> ServiceError {
        let result = async {
            let current = self.store.find_session(session_id).await?;
            if current.is_some_and(|session| session.revoked_at.is_some()) {
                self.record(
                    context,
                    None,
                    "auth.refresh",
                    Some(user.id),
                    Outcome::Failed,
                )
                .await?;
                return Ok(());
            }
            self.store.revoke_session(session_id, now).await?;
            tracing::warn!(
                user.id = %user.id,
                session.id = %session_id,
                "a rotated refresh token was presented; the session is revoked"
            );
            self.record(
                context,
                None,
                "auth.refresh.reuse",
                Some(user.id),
                Outcome::Denied,
            )
            .await
        }
        .await;
        match result {
            Ok(()) => ServiceError::Unauthenticated,
            Err(error) => error,
        }
    }

    /// Revokes a session that went unused for the idle timeout.
    async fn end_idle_session(
        &self,
        session_id: Uuid,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.store.revoke_session(session_id, now).await?;
        tracing::info!(user.id = %user_id, session.id = %session_id, "session ended after the idle timeout");
        Ok(())
    }

    /// Looks up the session named by a verified access token and rejects revoked, expired and
    /// idle sessions and deleted users. An idle session is also revoked. Records the use in
    /// `last_used_at` when the stored time is a minute old or more.
    pub async fn authenticate(
        &self,
        session_id: Uuid,
        user_id: Uuid,
    ) -> ServiceResult<AuthenticatedSession> {
        let now = self.now();
        let session = self.store.find_session(session_id).await?;
        let Some(session) = session.filter(|s| s.user_id == user_id && s.is_active(now)) else {
            return Err(ServiceError::Unauthenticated);
        };
        if session.is_idle(now, self.settings.session_idle_timeout) {
            self.end_idle_session(session.id, session.user_id, now)
                .await?;
            return Err(ServiceError::Unauthenticated);
        }
        let Some(user) = self.store.find_user(session.user_id).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        let touch_before = now - TOUCH_INTERVAL;
        if session.last_used_at < touch_before {
            self.store
                .touch_session(session.id, now, touch_before)
                .await?;
        }
        let mfa_enrolment_required = self.needs_mfa_enrolment(&user).await?;
        Ok(AuthenticatedSession {
            user: User::from(&user),
            session_id: session.id,
            mfa_enrolment_required,
        })
    }

    /// Ends the caller's session; its access and refresh tokens stop working at once.
    pub async fn logout(&self, caller: &Caller) -> ServiceResult<()> {
        self.store
            .revoke_session(caller.session_id, self.now())
            .await?;
        let subject = (caller.role == Role::Patient).then_some(caller.user_id);
        self.record_caller(caller, "auth.logout", subject, Outcome::Success)
            .await
    }

    pub async fn current_user(&self, caller: &Caller) -> ServiceResult<User> {
        let user = self.store.find_user(caller.user_id).await?;
        user.map(|u| User::from(&u))
            .ok_or(ServiceError::Unauthenticated)
    }

    /// Changes the caller's password and ends every other session of theirs.
    pub async fn change_password(
        &self,
        caller: &Caller,
        request: ChangePasswordRequest,
    ) -> ServiceResult<()> {
        let now = self.now();
        let Some(user) = self.store.find_user(caller.user_id).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        let subject = (user.role == Role::Patient).then_some(user.id);
        // Wrong current passwords count like failed sign-ins of the account, so a stolen
        // access token cannot be used to guess the password faster than the sign-in form.
        let keys = LoginKeys::new(&user.email, &caller.context.client_addr);
        if let Err(throttled) = self.login_throttle.begin(&keys, now) {
            self.record_caller(
                caller,
                "auth.password.change.throttled",
                subject,
                Outcome::Denied,
            )
            .await?;
            return Err(ServiceError::Throttled(throttled));
        }
        let current_ok = match self
            .hasher
            .verify(&request.current_password, Some(&user.password_hash))
            .await
        {
            Ok(matches) => matches,
            Err(error) => {
                self.login_throttle.undecided(&keys, now);
                return Err(error);
            }
        };
        if current_ok {
            self.login_throttle.succeeded(&keys, now);
        } else {
            self.record_caller(caller, "auth.password.change", subject, Outcome::Failed)
                .await?;
            return Err(ServiceError::field(
                "currentPassword",
                "is not your current password",
            ));
        }
        if request.new_password == request.current_password {
            return Err(ServiceError::field(
                "newPassword",
                "must differ from your current password: choose a new one",
            ));
        }
        let names = [user.first_name.as_str(), user.last_name.as_str()];
        let checked = check_password_blocking(&request.new_password, &user.email, &names).await?;
        if let Err(message) = checked {
            return Err(ServiceError::field("newPassword", message));
        }

        let password_hash = self.hasher.hash(&request.new_password).await?;
        self.store
            .update_password(user.id, &password_hash, now)
            .await?;
        self.store
            .revoke_user_sessions(user.id, Some(caller.session_id), now)
            .await?;
        tracing::info!(user.id = %user.id, "password changed; other sessions ended");
        self.record_caller(caller, "auth.password.change", subject, Outcome::Success)
            .await
    }

    /// Starts a session for the user, labelled with the browser that signed in.
    pub(super) async fn start_session(
        &self,
        context: &RequestContext,
        user: &UserRecord,
        now: DateTime<Utc>,
    ) -> ServiceResult<SessionGrant> {
        let refresh_token = RefreshToken::issue(Uuid::now_v7());
        let browser = context
            .browser
            .as_deref()
            .map(|label| label.chars().take(Session::MAX_BROWSER_CHARS).collect());
        let session = Session {
            id: refresh_token.session_id,
            user_id: user.id,
            refresh_hash: refresh_token.hash(),
            created_at: now,
            last_used_at: now,
            expires_at: now + self.settings.session_lifetime,
            revoked_at: None,
            browser,
        };
        self.store.insert_session(&session).await?;
        Ok(SessionGrant {
            user: User::from(user),
            session_id: session.id,
            refresh_token: refresh_token.encode(),
            session_expires_at: session.expires_at,
        })
    }
}

fn new_user(
    email: Email,
    role: Role,
    password_hash: String,
    first_name: String,
    last_name: String,
    now: DateTime<Utc>,
) -> UserRecord {
    UserRecord {
        id: Uuid::now_v7(),
        email: email.into_string(),
        role,
        password_hash,
        first_name,
        last_name,
        created_at: now,
        updated_at: now,
    }
}

/// Keeps a valid value, or records the field's error and returns `None`.
pub(super) fn collect<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    result: Result<T, String>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(message) => {
            errors.push(FieldError::new(field, message));
            None
        }
    }
}

impl Portal {
    /// Maps a failed account insert to the client's error. A taken email is a conflict and
    /// counts as a failed registration from the client's address.
    fn registration_error(
        &self,
        context: &RequestContext,
        now: DateTime<Utc>,
        error: StoreError,
    ) -> ServiceError {
        match error {
            StoreError::Duplicate("email") => {
                self.login_throttle
                    .registration_failed(&context.client_addr, now);
                ServiceError::Conflict(
                    "An account with this email already exists. Sign in, or use another email \
                     address.",
                )
            }
            other => ServiceError::Store(other),
        }
    }
}

/// Creates a random 256-bit token, base64url-encoded.
pub(super) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hashes a high-entropy token with SHA-256; no salt or slow hash is needed at 256 bits.
pub(super) fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}
