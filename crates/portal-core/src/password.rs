//! Password hashing with argon2id, run on the blocking thread pool so that hashing never
//! stalls the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;

use crate::error::ServiceError;

/// Argon2id settings. The defaults follow the OWASP password storage guidance
/// (m = 19456 KiB, t = 2, p = 1).
#[derive(Debug, Clone, Copy)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Hashes and verifies passwords; cheap to clone.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password, verified against when an email is unknown so that a
    /// failed sign-in takes the same time whether or not the account exists.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(settings: HashParams) -> Result<Self, ServiceError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| ServiceError::Internal(format!("invalid argon2 parameters: {e}")))?;
        let random_password = SaltString::generate(&mut OsRng);
        let dummy_hash = hash_with(&params, random_password.as_str())?;
        Ok(Self { params, dummy_hash })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: &str) -> Result<String, ServiceError> {
        let params = self.params.clone();
        let password = zeroize::Zeroizing::new(password.to_owned());
        tokio::task::spawn_blocking(move || hash_with(&params, &password))
            .await
            .map_err(|e| ServiceError::Internal(format!("hashing task failed: {e}")))?
    }

    /// Verifies a password against a PHC string; with `None`, verifies against the dummy
    /// hash and returns false, taking the same time as a real check.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, ServiceError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_owned();
        let password = zeroize::Zeroizing::new(password.to_owned());
        let matches = tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&hash).ok()?;
            Some(
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("verification task failed: {e}")))?;
        Ok(known && matches.unwrap_or(false))
    }
}

fn argon2() -> Argon2<'static> {
    Argon2::default()
}

fn hash_with(params: &Params, password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> PasswordHasher {
        PasswordHasher::new(HashParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let hasher = fast();
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hasher
                .verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse battery", Some(&hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn verify_without_hash_is_false() {
        let hasher = fast();
        assert!(!hasher.verify("anything at all", None).await.unwrap());
    }

    #[test]
    fn default_params_follow_owasp() {
        let params = HashParams::default();
        assert!(params.memory_kib >= 19_456);
        assert!(params.iterations >= 2);
    }
}
