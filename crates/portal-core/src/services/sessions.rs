//! The caller's sessions: listing them and ending one or all others, plus the refresh-token
//! format that names a session.

use chrono::Duration;
use uuid::Uuid;

use super::auth::{hash_token, new_token};
use super::{Caller, Portal, parse_id};
use crate::error::{ServiceError, ServiceResult};
use crate::model::{Outcome, Role, SessionSummary};

/// Maximum number of sessions `list_sessions` returns. A session ends after its idle timeout
/// or `PORTAL_SESSION_HOURS`, so only someone signing in very often reaches it.
const MAX_LISTED_SESSIONS: u32 = 100;

/// Shortest time between two writes of a session's `last_used_at` by authenticated requests.
pub(super) const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// Length of the base64url secret that [`new_token`] makes from 32 random bytes.
const SECRET_CHARS: usize = 43;

/// A refresh token, `<session id>.<secret>`; only the SHA-256 hash of the secret is stored.
pub(super) struct RefreshToken {
    pub session_id: Uuid,
    pub secret: String,
}

impl RefreshToken {
    /// Makes a token with a new random secret for the session.
    pub fn issue(session_id: Uuid) -> Self {
        Self {
            session_id,
            secret: new_token(),
        }
    }

    /// Parses `<session id>.<secret>`; any other shape is `None`.
    pub fn parse(token: &str) -> Option<Self> {
        let (id, secret) = token.split_once('.')?;
        let session_id = parse_id(id)?;
        let well_formed = secret.len() == SECRET_CHARS
            && secret
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        well_formed.then(|| Self {
            session_id,
            secret: secret.to_owned(),
        })
    }

    /// Returns the hash stored for this token.
    pub fn hash(&self) -> String {
        hash_token(&self.secret)
    }

    /// Returns the token as the client stores it.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.session_id.hyphenated(), self.secret)
    }
}

impl Portal {
    /// Lists the caller's active sessions, newest first, marking the one making the request.
    pub async fn list_sessions(&self, caller: &Caller) -> ServiceResult<Vec<SessionSummary>> {
        let now = self.now();
        let used_after = now - self.settings.session_idle_timeout;
        let sessions = self
            .store
            .list_active_sessions(caller.user_id, now, used_after, MAX_LISTED_SESSIONS)
            .await?;
        Ok(sessions
            .into_iter()
            .map(|session| SessionSummary {
                id: session.id,
                browser: session.browser,
                created_at: session.created_at,
                last_used_at: session.last_used_at,
                expires_at: session.expires_at,
                current: session.id == caller.session_id,
            })
            .collect())
    }

    /// Ends one of the caller's active sessions. A malformed or unknown id, another user's
    /// session and an ended session are all `NotFound`, audited as denied.
    pub async fn end_session(&self, caller: &Caller, raw_id: &str) -> ServiceResult<()> {
        let now = self.now();
        let subject = (caller.role == Role::Patient).then_some(caller.user_id);
        let found = match parse_id(raw_id) {
            Some(id) => self.store.find_session(id).await?,
            None => None,
        };
        let idle_timeout = self.settings.session_idle_timeout;
        let Some(session) = found.filter(|session| {
            session.user_id == caller.user_id
                && session.is_active(now)
                && !session.is_idle(now, idle_timeout)
        }) else {
            self.record_caller(caller, "auth.session.end", subject, Outcome::Denied)
                .await?;
            return Err(ServiceError::NotFound);
        };
        self.store.revoke_session(session.id, now).await?;
        tracing::info!(user.id = %caller.user_id, session.id = %session.id, "session ended by its user");
        self.record_caller(caller, "auth.session.end", subject, Outcome::Success)
            .await
    }

    /// Ends every session of the caller except the one making the request.
    pub async fn end_other_sessions(&self, caller: &Caller) -> ServiceResult<()> {
        let subject = (caller.role == Role::Patient).then_some(caller.user_id);
        self.store
            .revoke_user_sessions(caller.user_id, Some(caller.session_id), self.now())
            .await?;
        tracing::info!(user.id = %caller.user_id, "other sessions ended by their user");
        self.record_caller(caller, "auth.session.end_others", subject, Outcome::Success)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::RefreshToken;
    use uuid::Uuid;

    #[test]
    fn refresh_token_round_trip() {
        let issued = RefreshToken::issue(Uuid::now_v7());
        let parsed = RefreshToken::parse(&issued.encode()).expect("an issued token parses");
        assert_eq!(parsed.session_id, issued.session_id, "session id");
        assert_eq!(parsed.secret, issued.secret, "secret");
        assert_eq!(parsed.hash(), issued.hash(), "hash");
    }

    #[test]
    fn refresh_token_hash_covers_secret_only() {
        let token = RefreshToken::issue(Uuid::now_v7());
        assert_eq!(
            token.hash(),
            super::hash_token(&token.secret),
            "the stored hash is the secret's"
        );
    }

    #[test]
    fn malformed_refresh_tokens() {
        let id = Uuid::now_v7().hyphenated().to_string();
        let secret = "a".repeat(43);
        let cases = [
            String::new(),
            secret.clone(),
            format!("{id}{secret}"),
            format!("{id}."),
            format!(".{secret}"),
            format!("{id}.{}", "a".repeat(42)),
            format!("{id}.{}", "a".repeat(44)),
            format!("{id}.{}+", "a".repeat(42)),
            format!("{id}.{}=", "a".repeat(42)),
            format!("{}.{secret}", Uuid::now_v7().simple()),
            format!("{{{id}}}.{secret}"),
            format!("not-a-uuid.{secret}"),
            format!("{id}.{secret}.{secret}"),
        ];
        for case in cases {
            assert!(
                RefreshToken::parse(&case).is_none(),
                "{case:?} is not a refresh token"
            );
        }
        assert!(
            RefreshToken::parse(&format!("{id}.{secret}")).is_some(),
            "the well-formed control case parses"
        );
    }
}
