//! Access tokens: HS256 JWTs carrying the user and session ids, with `iss`, `aud` and `exp`
//! checked and the algorithm pinned.
//!
//! Sign-in tokens for the second step of a two-step sign-in (`mfaToken`) are signed with the
//! same key but carry another audience and no session id, so neither kind passes as the other.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::secret::Secret;

const ISSUER: &str = "patient-portal";
const AUDIENCE: &str = "patient-portal-api";
const MFA_AUDIENCE: &str = "patient-portal-mfa";
/// Lifetime of a token for the second sign-in step.
pub const MFA_TOKEN_LIFETIME: Duration = Duration::minutes(5);
/// Seconds of clock difference that expiry checks allow.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
}

/// Claims of a second-step sign-in token: the user whose password was right.
#[derive(Debug, Serialize, Deserialize)]
struct MfaClaims {
    iss: String,
    aud: String,
    sub: Uuid,
    iat: i64,
    exp: i64,
}

/// The ids a valid access token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    mfa_validation: Validation,
    lifetime: Duration,
}

impl TokenKeys {
    pub fn new(secret: &Secret, lifetime: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        // The expiry of a second-step token is checked against the portal's clock in
        // `verify_mfa`, so tests that move that clock can expire it.
        let mut mfa_validation = Validation::new(Algorithm::HS256);
        mfa_validation.set_issuer(&[ISSUER]);
        mfa_validation.set_audience(&[MFA_AUDIENCE]);
        mfa_validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        mfa_validation.validate_exp = false;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            mfa_validation,
            lifetime,
        }
    }

    /// Signs a token for the session; returns it with its expiry.
    pub fn issue(
        &self,
        subject: TokenSubject,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let expires_at = now + self.lifetime;
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: subject.user_id,
            sid: subject.session_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, expires_at))
    }

    /// Verifies signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some(TokenSubject {
            user_id: data.claims.sub,
            session_id: data.claims.sid,
        })
    }

    /// Signs a second-step sign-in token for the user; returns it with its expiry.
    pub fn issue_mfa(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let expires_at = now + MFA_TOKEN_LIFETIME;
        let claims = MfaClaims {
            iss: ISSUER.into(),
            aud: MFA_AUDIENCE.into(),
            sub: user_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, expires_at))
    }

    /// Verifies a second-step sign-in token (signature, algorithm, issuer, audience) and its
    /// expiry at `now`; returns the user it names.
    pub fn verify_mfa(&self, token: &str, now: DateTime<Utc>) -> Option<Uuid> {
        let data = decode::<MfaClaims>(token, &self.decoding, &self.mfa_validation).ok()?;
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        (now.timestamp() <= data.claims.exp + leeway).then_some(data.claims.sub)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            &Secret::new("a-test-secret-of-32-bytes-or-more!".into()),
            Duration::minutes(15),
        )
    }

    fn subject() -> TokenSubject {
        TokenSubject {
            user_id: Uuid::now_v7(),
            session_id: Uuid::now_v7(),
        }
    }

    #[test]
    fn token_round_trip() {
        let keys = keys();
        let subject = subject();
        let (token, _) = keys.issue(subject, Utc::now()).unwrap();
        assert_eq!(keys.verify(&token), Some(subject));
    }

    #[test]
    fn expired_token_is_rejected() {
        let keys = keys();
        let (token, _) = keys
            .issue(subject(), Utc::now() - Duration::hours(1))
            .unwrap();
        assert_eq!(keys.verify(&token), None);
    }

    #[test]
    fn token_from_other_secret_is_rejected() {
        let other = TokenKeys::new(
            &Secret::new("another-secret-of-32-bytes-or-more".into()),
            Duration::minutes(15),
        );
        let (token, _) = other.issue(subject(), Utc::now()).unwrap();
        assert_eq!(keys().verify(&token), None);
    }

    #[test]
    fn mfa_token_round_trip() {
        let keys = keys();
        let user_id = Uuid::now_v7();
        let now = Utc::now();
        let (token, expires_at) = keys.issue_mfa(user_id, now).unwrap();
        assert_eq!(expires_at, now + MFA_TOKEN_LIFETIME);
        assert_eq!(keys.verify_mfa(&token, now), Some(user_id));
        let later = now + MFA_TOKEN_LIFETIME + Duration::seconds(10);
        assert_eq!(keys.verify_mfa(&token, later), None);
    }

    #[test]
    fn mfa_and_access_tokens_do_not_mix() {
        let keys = keys();
        let now = Utc::now();
        let (mfa_token, _) = keys.issue_mfa(Uuid::now_v7(), now).unwrap();
        assert_eq!(keys.verify(&mfa_token), None);
        let (access_token, _) = keys.issue(subject(), now).unwrap();
        assert_eq!(keys.verify_mfa(&access_token, now), None);
    }

    #[test]
    fn unsigned_token_is_rejected() {
        let keys = keys();
        let (token, _) = keys.issue(subject(), Utc::now()).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        for alg in ["none", "None", "NONE", "nOnE"] {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
            let forged = format!("{header}.{payload}.");
            assert_eq!(keys.verify(&forged), None, "accepted alg {alg}");
        }
    }
}
