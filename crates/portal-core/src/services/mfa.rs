//! Two-step sign-in with TOTP (RFC 6238): enrolment with a QR code, recovery codes, the
//! second step of sign-in, and the roles that must use it.
//!
//! Codes are 6 digits over SHA-1 with a 30-second step, and the step before and after the
//! current one are accepted too, for clock drift. Each accepted step is stored, and a code is
//! accepted only for a step after the stored one, so a code works once. Wrong codes count as
//! failed sign-ins in the login throttle, keyed by the account's email and the client address.

use qrcode::QrCode;
use qrcode::render::svg;
use rand::Rng;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm, TOTP};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::{SessionGrant, hash_token};
use super::login_throttle::LoginKeys;
use super::{Caller, Portal, RequestContext};
use crate::error::{ServiceError, ServiceResult};
use crate::model::{Outcome, Role, UserRecord};

/// Issuer shown by authenticator apps next to the account's email.
pub const TOTP_ISSUER: &str = "Patient Portal";

const TOTP_DIGITS: usize = 6;
const TOTP_STEP_SECONDS: i64 = 30;
/// Steps accepted on each side of the current one.
const TOTP_SKEW_STEPS: i64 = 1;
/// Secret length: 160 bits, the HMAC-SHA-1 output size that RFC 4226 recommends.
const SECRET_BYTES: usize = 20;

const RECOVERY_CODE_COUNT: usize = 10;
/// Symbols per recovery code: 10 of 32, so 50 random bits each.
const RECOVERY_CODE_SYMBOLS: usize = 10;
/// Digits and capitals without the look-alikes 0, O, 1 and I.
const RECOVERY_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A new, unconfirmed TOTP setup. The secret is shown once, for manual entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotpSetup {
    /// The shared secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// The `otpauth://totp/...` URI that the QR code contains.
    pub otpauth_uri: String,
    /// The QR code of `otpauthUri` as an SVG document.
    pub qr_svg: String,
}

/// The caller's two-step sign-in state.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaStatus {
    pub totp_enabled: bool,
    pub recovery_codes_left: u32,
    /// Whether the caller's role must use two-step sign-in.
    pub required: bool,
}

/// New recovery codes, shown once. Each works once in place of an authenticator code.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// A body with one authenticator code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TotpCodeRequest {
    /// The 6-digit code the authenticator app shows now.
    pub code: String,
}

/// The body that turns two-step sign-in off.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisableTotpRequest {
    pub current_password: String,
    pub code: String,
}

/// The second sign-in step: the `mfaToken` from `POST /auth/login` and either an
/// authenticator code or a recovery code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MfaLoginRequest {
    pub mfa_token: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// A checked second factor: six digits, or a recovery code without dashes in capitals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    Code(String),
    RecoveryCode(String),
}

impl SecondFactor {
    /// Checks the shape of the factor in a second-step body; exactly one must be present.
    pub fn from_request(request: &MfaLoginRequest) -> ServiceResult<Self> {
        match (&request.code, &request.recovery_code) {
            (Some(code), None) => parse_code(code, "code").map(Self::Code),
            (None, Some(code)) => parse_recovery_code(code).map(Self::RecoveryCode),
            _ => Err(ServiceError::field(
                "code",
                "send either code (from the authenticator app) or recoveryCode, not both or neither",
            )),
        }
    }
}

/// The result of a correct email and password.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    /// Signed in.
    Session(SessionGrant),
    /// The account has two-step sign-in, so a code must follow (see
    /// [`Portal::login_second_step`]). No session exists yet.
    MfaRequired { user_id: Uuid },
}

/// Removes spaces and checks that six digits remain.
fn parse_code(raw: &str, field: &str) -> ServiceResult<String> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == TOTP_DIGITS && code.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(ServiceError::field(
            field,
            "must be the 6-digit code that your authenticator app shows",
        ))
    }
}

/// Removes dashes and spaces, capitalises, and checks the symbols.
fn parse_recovery_code(raw: &str) -> ServiceResult<String> {
    let code: String = raw
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == RECOVERY_CODE_SYMBOLS
        && code.bytes().all(|byte| RECOVERY_ALPHABET.contains(&byte));
    if valid {
        Ok(code)
    } else {
        Err(ServiceError::field(
            "recoveryCode",
            "must be one of your recovery codes: 10 letters and digits, dash optional",
        ))
    }
}

/// Builds the TOTP generator of a stored base32 secret.
///
/// `new_unchecked` skips totp-rs's label check, which rejects a `:` in the account name, so a
/// valid email with a quoted local part still works. `get_url` percent-encodes the name.
fn totp(secret: &str, email: &str) -> ServiceResult<TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| ServiceError::Internal("a stored TOTP secret is not base32".into()))?;
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        TOTP_DIGITS,
        TOTP_SKEW_STEPS as u8,
        TOTP_STEP_SECONDS as u64,
        bytes,
        Some(TOTP_ISSUER.to_owned()),
        email.to_owned(),
    ))
}

/// Returns the time step within the skew whose code equals `code`, if any. Every candidate
/// is compared in constant time.
fn matching_step(generator: &TOTP, code: &str, unix_seconds: i64) -> Option<i64> {
    let current = unix_seconds.div_euclid(TOTP_STEP_SECONDS);
    let mut found = None;
    for step in current - TOTP_SKEW_STEPS..=current + TOTP_SKEW_STEPS {
        let Ok(time) = u64::try_from(step * TOTP_STEP_SECONDS) else {
            continue;
        };
        if constant_time_eq(generator.generate(time).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// Creates a random 160-bit secret in base32.
fn new_secret() -> String {
    let mut bytes = vec![0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut bytes);
    totp_rs::Secret::Raw(bytes).to_encoded().to_string()
}

/// Creates recovery codes shown as `ABCDE-FGHJK`, with the hashes to store.
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut hashes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let symbols: String = (0..RECOVERY_CODE_SYMBOLS)
            .map(|_| char::from(RECOVERY_ALPHABET[OsRng.gen_range(0..RECOVERY_ALPHABET.len())]))
            .collect();
        hashes.push(hash_token(&symbols));
        let (first, second) = symbols.split_at(RECOVERY_CODE_SYMBOLS / 2);
        codes.push(format!("{first}-{second}"));
    }
    (codes, hashes)
}

/// Renders the QR code of `text` as an SVG document.
fn qr_svg(text: &str) -> ServiceResult<String> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|error| ServiceError::Internal(format!("building a QR code failed: {error}")))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

fn patient_subject(user: &UserRecord) -> Option<Uuid> {
    (user.role == Role::Patient).then_some(user.id)
}

impl Portal {
    /// Returns whether users of `role` must use two-step sign-in.
    pub fn mfa_required_for(&self, role: Role) -> bool {
        self.settings.mfa_required_roles.contains(&role)
    }

    /// Returns whether the user's role requires two-step sign-in and the user has not set it
    /// up, in which case only the account routes are open to them.
    pub(super) async fn needs_mfa_enrolment(&self, user: &UserRecord) -> ServiceResult<bool> {
        if !self.mfa_required_for(user.role) {
            return Ok(false);
        }
        let record = self.store.find_totp(user.id).await?;
        Ok(record.is_none_or(|record| record.confirmed_at.is_none()))
    }

    /// Returns whether the caller must set up two-step sign-in before anything else.
    pub async fn mfa_enrolment_required(&self, caller: &Caller) -> ServiceResult<bool> {
        let user = self.caller_record(caller).await?;
        self.needs_mfa_enrolment(&user).await
    }

    /// Returns the caller's two-step sign-in state.
    pub async fn mfa_status(&self, caller: &Caller) -> ServiceResult<MfaStatus> {
        let record = self.store.find_totp(caller.user_id).await?;
        let enabled = record.as_ref().filter(|r| r.confirmed_at.is_some());
        Ok(MfaStatus {
            totp_enabled: enabled.is_some(),
            recovery_codes_left: enabled
                .map_or(0, |r| r.recovery_code_hashes.len())
                .try_into()
                .unwrap_or(u32::MAX),
            required: self.mfa_required_for(caller.role),
        })
    }

    /// Starts a TOTP setup, replacing an unconfirmed one; a confirmed credential is a conflict.
    pub async fn start_totp_setup(&self, caller: &Caller) -> ServiceResult<TotpSetup> {
        let user = self.caller_record(caller).await?;
        let secret = new_secret();
        let generator = totp(&secret, &user.email)?;
        let stored = self
            .store
            .set_pending_totp(user.id, &secret, self.now())
            .await?;
        if !stored {
            return Err(already_enabled());
        }
        let otpauth_uri = generator.get_url();
        let qr_svg = qr_svg(&otpauth_uri)?;
        Ok(TotpSetup {
            secret,
            otpauth_uri,
            qr_svg,
        })
    }

    /// Confirms the pending setup with a current code and returns the first recovery codes.
    pub async fn confirm_totp(
        &self,
        caller: &Caller,
        request: TotpCodeRequest,
    ) -> ServiceResult<RecoveryCodes> {
        let code = parse_code(&request.code, "code")?;
        let user = self.caller_record(caller).await?;
        let now = self.now();

        let Some(record) = self.store.find_totp(user.id).await? else {
            return Err(ServiceError::Conflict(
                "There is no two-step sign-in setup to confirm. Start the setup first.",
            ));
        };
        if record.confirmed_at.is_some() {
            return Err(already_enabled());
        }
        let generator = totp(&record.secret, &user.email)?;
        let Some(step) = matching_step(&generator, &code, now.timestamp()) else {
            self.record_caller(
                caller,
                "auth.mfa.enable",
                patient_subject(&user),
                Outcome::Failed,
            )
            .await?;
            return Err(wrong_code());
        };

        let (codes, hashes) = new_recovery_codes();
        let confirmed = self
            .store
            .confirm_totp(user.id, &record.secret, step, &hashes, now)
            .await?;
        if !confirmed {
            return Err(ServiceError::Conflict(
                "The setup changed while it was being confirmed. Start the setup again.",
            ));
        }
        tracing::info!(user.id = %user.id, "two-step sign-in turned on");

        self.record_caller(
            caller,
            "auth.mfa.enable",
            patient_subject(&user),
            Outcome::Success,
        )
        .await?;
        Ok(RecoveryCodes {
            recovery_codes: codes,
        })
    }

    /// Turns two-step sign-in off after checking the password and a current code. Not
    /// allowed when the caller's role requires it.
    pub async fn disable_totp(
        &self,
        caller: &Caller,
        request: DisableTotpRequest,
    ) -> ServiceResult<()> {
        let user = self.caller_record(caller).await?;
        let subject = patient_subject(&user);
        if self.mfa_required_for(user.role) {
            self.record_caller(caller, "auth.mfa.disable", subject, Outcome::Denied)
                .await?;
            return Err(ServiceError::ForbiddenWithDetail(
                "Two-step sign-in is required for your role, so it cannot be turned off.",
            ));
        }
        let code = parse_code(&request.code, "code")?;
        self.require_confirmed_totp(user.id).await?;
        let password_ok = self
            .hasher
            .verify(&request.current_password, Some(&user.password_hash))
            .await?;
        if !password_ok {
            self.record_caller(caller, "auth.mfa.disable", subject, Outcome::Failed)
                .await?;
            return Err(ServiceError::field(
                "currentPassword",
                "is not your current password",
            ));
        }
        let factor = SecondFactor::Code(code);
        if !self.verify_factor(&caller.context, &user, &factor).await? {
            self.record_caller(caller, "auth.mfa.disable", subject, Outcome::Failed)
                .await?;
            return Err(wrong_code());
        }
        self.store.remove_totp(user.id).await?;
        tracing::info!(user.id = %user.id, "two-step sign-in turned off");
        self.record_caller(caller, "auth.mfa.disable", subject, Outcome::Success)
            .await
    }

    /// Replaces the recovery codes after checking a current code.
    pub async fn regenerate_recovery_codes(
        &self,
        caller: &Caller,
        request: TotpCodeRequest,
    ) -> ServiceResult<RecoveryCodes> {
        let code = parse_code(&request.code, "code")?;
        let user = self.caller_record(caller).await?;
        self.require_confirmed_totp(user.id).await?;
        let subject = patient_subject(&user);
        let factor = SecondFactor::Code(code);
        if !self.verify_factor(&caller.context, &user, &factor).await? {
            self.record_caller(caller, "auth.mfa.recovery_codes", subject, Outcome::Failed)
                .await?;
            return Err(wrong_code());
        }
        let (codes, hashes) = new_recovery_codes();
        if !self.store.replace_recovery_codes(user.id, &hashes).await? {
            return Err(not_enabled());
        }
        self.record_caller(caller, "auth.mfa.recovery_codes", subject, Outcome::Success)
            .await?;
        Ok(RecoveryCodes {
            recovery_codes: codes,
        })
    }

    /// Completes a sign-in whose password was correct, for the user that the `mfaToken`
    /// names. A wrong or reused code is `Unauthenticated`, audited as `auth.mfa.verify`
    /// failed, and counts as a failed sign-in in the login throttle.
    pub async fn login_second_step(
        &self,
        context: &RequestContext,
        user_id: Uuid,
        factor: SecondFactor,
    ) -> ServiceResult<SessionGrant> {
        let Some(user) = self.store.find_user(user_id).await? else {
            return Err(ServiceError::Unauthenticated);
        };
        if !self.verify_factor(context, &user, &factor).await? {
            self.record(
                context,
                None,
                "auth.mfa.verify",
                Some(user.id),
                Outcome::Failed,
            )
            .await?;
            return Err(ServiceError::Unauthenticated);
        }

        let actor = Some((user.id, user.role));
        let subject = patient_subject(&user);
        if matches!(factor, SecondFactor::RecoveryCode(_)) {
            tracing::info!(user.id = %user.id, "a recovery code was used to sign in");
            self.record(
                context,
                actor,
                "auth.mfa.recovery_used",
                subject,
                Outcome::Success,
            )
            .await?;
        }
        self.record(context, actor, "auth.mfa.verify", subject, Outcome::Success)
            .await?;
        self.record(context, actor, "auth.login", subject, Outcome::Success)
            .await?;
        self.start_session(context, &user, self.now()).await
    }

    /// Decides whether a correct password needs a second step. When it does, the password
    /// attempt's throttle counts are taken back without clearing the account's earlier
    /// failures, because the sign-in is not finished: otherwise signing in with a known
    /// password between code guesses would reset the account's budget.
    pub(super) async fn second_step_needed(
        &self,
        user: &UserRecord,
        keys: &LoginKeys,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult<bool> {
        let record = match self.store.find_totp(user.id).await {
            Ok(record) => record,
            Err(error) => {
                self.login_throttle.undecided(keys, now);
                return Err(error.into());
            }
        };
        let needed = record.is_some_and(|record| record.confirmed_at.is_some());
        if needed {
            self.login_throttle.undecided(keys, now);
        }
        Ok(needed)
    }

    /// Checks a code or recovery code through the login throttle, keyed by the account's email
    /// and the client address, and uses it up when it is right. A throttled attempt is
    /// audited as `auth.login.throttled` and returns `Throttled`.
    async fn verify_factor(
        &self,
        context: &RequestContext,
        user: &UserRecord,
        factor: &SecondFactor,
    ) -> ServiceResult<bool> {
        let now = self.now();
        let keys = LoginKeys::new(&user.email, &context.client_addr);
        if let Err(throttled) = self.login_throttle.begin(&keys, now) {
            self.record(
                context,
                None,
                "auth.login.throttled",
                Some(user.id),
                Outcome::Denied,
            )
            .await?;
            return Err(ServiceError::Throttled(throttled));
        }
        let verified = match factor {
            SecondFactor::Code(code) => self.accept_code(user, code, now.timestamp()).await,
            SecondFactor::RecoveryCode(code) => self
                .store
                .use_recovery_code(user.id, &hash_token(code))
                .await
                .map_err(ServiceError::from),
        };
        match verified {
            Ok(true) => {
                self.login_throttle.succeeded(&keys, now);
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(error) => {
                self.login_throttle.undecided(&keys, now);
                Err(error)
            }
        }
    }

    /// Accepts a code of the user's confirmed credential, once per time step.
    async fn accept_code(
        &self,
        user: &UserRecord,
        code: &str,
        unix_seconds: i64,
    ) -> ServiceResult<bool> {
        let Some(record) = self.store.find_totp(user.id).await? else {
            return Ok(false);
        };
        if record.confirmed_at.is_none() {
            return Ok(false);
        }
        let generator = totp(&record.secret, &user.email)?;
        let Some(step) = matching_step(&generator, code, unix_seconds) else {
            return Ok(false);
        };
        Ok(self.store.accept_totp_step(user.id, step).await?)
    }

    async fn caller_record(&self, caller: &Caller) -> ServiceResult<UserRecord> {
        self.store
            .find_user(caller.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)
    }
}

impl Portal {
    /// Rejects with a conflict, before any code is checked or counted, when the user has no
    /// confirmed authenticator.
    async fn require_confirmed_totp(&self, user_id: Uuid) -> ServiceResult<()> {
        let record = self.store.find_totp(user_id).await?;
        if record.is_some_and(|record| record.confirmed_at.is_some()) {
            Ok(())
        } else {
            Err(not_enabled())
        }
    }
}

fn already_enabled() -> ServiceError {
    ServiceError::Conflict(
        "Two-step sign-in is already on. Turn it off first to set it up on another device.",
    )
}

fn not_enabled() -> ServiceError {
    ServiceError::Conflict("Two-step sign-in is off. Set it up first.")
}

fn wrong_code() -> ServiceError {
    ServiceError::field(
        "code",
        "is not the current code, or was already used: enter the newest code from your authenticator app",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator() -> TOTP {
        totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ana@example.org").expect("a valid secret")
    }

    #[test]
    fn matching_step_accepts_skew() {
        let generator = generator();
        let now = 1_800_000_000;
        let step = now / TOTP_STEP_SECONDS;
        for offset in [-1, 0, 1] {
            let code = generator.generate(((step + offset) * TOTP_STEP_SECONDS) as u64);
            assert_eq!(matching_step(&generator, &code, now), Some(step + offset));
        }
        let old = generator.generate(((step - 2) * TOTP_STEP_SECONDS) as u64);
        assert_eq!(matching_step(&generator, &old, now), None);
    }

    #[test]
    fn code_shape_is_checked() {
        assert_eq!(parse_code(" 123 456 ", "code").ok(), Some("123456".into()));
        assert!(parse_code("12345", "code").is_err());
        assert!(parse_code("12345a", "code").is_err());
        assert!(parse_code("1234567", "code").is_err());
    }

    #[test]
    fn recovery_codes_round_trip() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        for (code, hash) in codes.iter().zip(&hashes) {
            let parsed = parse_recovery_code(&code.to_lowercase()).expect("a valid code");
            assert_eq!(&hash_token(&parsed), hash);
        }
        assert!(parse_recovery_code("ABCDE-0OI1X").is_err());
    }

    #[test]
    fn secret_is_base32_of_160_bits() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let bytes = totp_rs::Secret::Encoded(secret).to_bytes().expect("base32");
        assert_eq!(bytes.len(), SECRET_BYTES);
    }

    #[test]
    fn otpauth_uri_encodes_colon_in_email() {
        let generator = totp("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "\"a:b\"@example.org")
            .expect("a valid secret");
        let uri = generator.get_url();
        assert!(uri.contains("%22a%3Ab%22%40example.org"), "{uri}");
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account() {
        let uri = generator().get_url();
        assert!(uri.starts_with("otpauth://totp/Patient%20Portal:ana%40example.org?"));
        assert!(uri.contains("issuer=Patient%20Portal"));
    }
}
