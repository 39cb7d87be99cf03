//! Provider invite codes: single use, expiring, stored only as a hash.

use chrono::Duration;
use rand::Rng;
use rand::rngs::OsRng;

use super::Portal;
use crate::error::ServiceResult;
use crate::model::Invite;

/// Letters and digits without look-alikes (0/O, 1/I/L), so codes survive being read aloud.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 16;

impl Portal {
    /// Creates an invite valid for `valid_for` and returns its code, formatted `XXXX-XXXX-...`.
    pub async fn create_invite(&self, valid_for: Duration) -> ServiceResult<String> {
        let now = self.now();
        let code = new_invite_code();
        let invite = Invite {
            code_hash: hash_invite_code(&normalise_invite_code(&code)),
            created_at: now,
            expires_at: now + valid_for,
        };
        self.store.insert_invite(&invite).await?;
        tracing::info!(expires_at = %invite.expires_at, "provider invite created");
        Ok(code)
    }
}

fn new_invite_code() -> String {
    let mut rng = OsRng;
    let symbols: Vec<char> = (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    symbols
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Upper-cases a code and drops spaces and hyphens, so `abcd-efgh` and `ABCDEFGH` match.
pub fn normalise_invite_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Hashes a normalised invite code for storage and lookup.
pub fn hash_invite_code(normalised: &str) -> String {
    super::auth::hash_token(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_code_has_groups_of_four() {
        let code = new_invite_code();
        assert_eq!(code.len(), 19);
        assert_eq!(code.matches('-').count(), 3);
        assert!(
            normalise_invite_code(&code)
                .bytes()
                .all(|b| ALPHABET.contains(&b))
        );
    }

    #[test]
    fn invite_code_normalises_case_and_separators() {
        assert_eq!(normalise_invite_code(" abcd-efgh jkmn "), "ABCDEFGHJKMN");
    }
}
