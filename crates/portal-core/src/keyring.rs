//! Encryption of health data at rest: the data keys from `PORTAL_DATA_KEY` and the stored form
//! of an encrypted value.
//!
//! A value is encrypted with AES-256-GCM under a random 96-bit nonce and stored as the text
//! `v1.<key id>.<base64url(nonce || ciphertext || tag)>`. The associated data is the field name
//! and the record id (`patients.phone:<user id>`), so a ciphertext copied into another field or
//! record fails to decrypt. Text in any other form is legacy plain text written before
//! encryption existed; it is read as is, and `portal keys rotate` encrypts it.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::StoreError;

/// Prefix of every encrypted value; the version names the format and the cipher.
pub const SEALED_PREFIX: &str = "v1.";

/// Length of a data key in bytes (AES-256).
pub const KEY_BYTES: usize = 32;

/// Maximum length of a key id.
pub const MAX_KEY_ID_CHARS: usize = 16;

/// The text every key check encrypts.
const KEY_CHECK_PLAINTEXT: &str = "portal data key check v1";

const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// A field whose values are stored encrypted. The name is part of the associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealedField {
    DateOfBirth,
    SexAtBirth,
    Phone,
    Address,
    EmergencyContact,
    Allergies,
    Medications,
    Conditions,
    AppointmentReason,
    AuditDetail,
    /// The shared secret of a two-step sign-in (TOTP) credential.
    TotpSecret,
}

impl SealedField {
    /// Every encrypted field of a patient record.
    pub const PATIENT: [SealedField; 8] = [
        SealedField::DateOfBirth,
        SealedField::SexAtBirth,
        SealedField::Phone,
        SealedField::Address,
        SealedField::EmergencyContact,
        SealedField::Allergies,
        SealedField::Medications,
        SealedField::Conditions,
    ];

    /// Returns the table and column, which both stores use in the associated data and in
    /// errors.
    pub fn name(self) -> &'static str {
        match self {
            SealedField::DateOfBirth => "patients.date_of_birth",
            SealedField::SexAtBirth => "patients.sex_at_birth",
            SealedField::Phone => "patients.phone",
            SealedField::Address => "patients.address",
            SealedField::EmergencyContact => "patients.emergency_contact",
            SealedField::Allergies => "patients.allergies",
            SealedField::Medications => "patients.medications",
            SealedField::Conditions => "patients.conditions",
            SealedField::AppointmentReason => "appointments.reason",
            SealedField::AuditDetail => "audit_events.detail",
            SealedField::TotpSecret => "mfa_totp.secret",
        }
    }
}

/// The kinds of record that hold encrypted fields, for `portal keys rotate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealedRecordKind {
    /// A patient's profile: date of birth and health details.
    Patient,
    /// An appointment's reason.
    Appointment,
    /// An audit event's detail. Audit events are append-only, so these are counted and never
    /// re-encrypted.
    AuditEvent,
    /// A two-step sign-in credential's secret.
    Mfa,
}

impl SealedRecordKind {
    pub const ALL: [SealedRecordKind; 4] = [
        SealedRecordKind::Patient,
        SealedRecordKind::Appointment,
        SealedRecordKind::Mfa,
        SealedRecordKind::AuditEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SealedRecordKind::Patient => "patients",
            SealedRecordKind::Appointment => "appointments",
            SealedRecordKind::AuditEvent => "audit event details",
            SealedRecordKind::Mfa => "two-step sign-in secrets",
        }
    }
}

/// The reason a `PORTAL_DATA_KEY` value was rejected. Messages name the entry by position or
/// id and never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("no data key is configured")]
    Empty,
    #[error("entry {position} is not of the form <key id>:<base64 key>")]
    MissingSeparator { position: usize },
    #[error(
        "entry {position} has an invalid key id: use 1 to {MAX_KEY_ID_CHARS} characters a-z, 0-9 or -"
    )]
    InvalidId { position: usize },
    #[error("key id `{id}` appears more than once")]
    DuplicateId { id: String },
    #[error("the key after `{id}:` must be {KEY_BYTES} random bytes encoded in base64")]
    InvalidKey { id: String },
}

struct DataKey {
    id: String,
    cipher: Aes256Gcm,
}

/// The configured data keys, oldest first. The last key (the newest) encrypts; any of them
/// decrypts. Cloning is cheap and shares the keys, whose AES key schedules are zeroed when the
/// last clone is dropped.
#[derive(Clone)]
pub struct Keyring {
    keys: Arc<[DataKey]>,
}

/// Prints the key ids only.
impl fmt::Debug for Keyring {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Keyring")
            .field("key_ids", &self.key_ids().collect::<Vec<_>>())
            .finish()
    }
}

impl Keyring {
    /// Parses a comma-separated list of `<key id>:<base64 32-byte key>` entries, oldest first.
    /// Standard and URL-safe base64 are accepted, with or without padding; spaces around an
    /// entry are ignored.
    pub fn parse(value: &str) -> Result<Self, KeyringError> {
        let keys: Vec<DataKey> = decode_entries(value)?
            .into_iter()
            .map(|(id, bytes)| DataKey {
                id,
                cipher: Aes256Gcm::new_from_slice(&bytes)
                    .expect("the key length was checked before building the cipher"),
            })
            .collect();
        Ok(Self { keys: keys.into() })
    }

    /// Returns a new `<key id>:<base64 key>` entry with 32 random bytes from the operating
    /// system, for `PORTAL_DATA_KEY`.
    pub fn generate_entry(id: &str) -> Result<Zeroizing<String>, KeyringError> {
        if !is_valid_key_id(id) {
            return Err(KeyringError::InvalidId { position: 1 });
        }
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        OsRng.fill_bytes(bytes.as_mut());
        Ok(Zeroizing::new(format!(
            "{id}:{}",
            STANDARD.encode(bytes.as_ref())
        )))
    }

    /// Returns the id of the key that encrypts new values.
    pub fn newest_id(&self) -> &str {
        &self.newest().id
    }

    /// Returns the key ids, oldest first.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|key| key.id.as_str())
    }

    fn newest(&self) -> &DataKey {
        self.keys.last().expect("a keyring has at least one key")
    }

    /// Encrypts `plaintext` with the newest key, bound to `field` of record `record_id`.
    pub fn seal(&self, field: SealedField, record_id: &str, plaintext: &str) -> String {
        seal_with(self.newest(), &associated_data(field, record_id), plaintext)
    }

    /// Encrypts the fixed key-check text with the key `key_id`, or returns `None` when the
    /// keyring has no such key. A store keeps one check per key id, so that opening it with a
    /// different key of the same id fails at start instead of at the first decryption.
    pub fn seal_key_check(&self, key_id: &str) -> Option<String> {
        let key = self.keys.iter().find(|key| key.id == key_id)?;
        Some(seal_with(
            key,
            &key_check_associated_data(key_id),
            KEY_CHECK_PLAINTEXT,
        ))
    }

    /// Checks that the stored key check `sealed` of `key_id` decrypts with this keyring's key of
    /// that id to the fixed key-check text.
    ///
    /// Fails with [`StoreError::Other`] naming `PORTAL_DATA_KEY` and the key id, never key
    /// material, when the keyring has no key `key_id` or the key differs from the one that
    /// wrote the check.
    pub fn verify_key_check(&self, key_id: &str, sealed: &str) -> Result<(), StoreError> {
        let mismatch = || {
            StoreError::Other(format!(
                "data key `{key_id}` of PORTAL_DATA_KEY is not the key `{key_id}` that encrypted \
                 this database: set PORTAL_DATA_KEY to the original key (in development, restore \
                 the `data-key` file that was next to the database; when that file is missing, a \
                 new random key is generated and fails this check)"
            ))
        };
        let key = self
            .keys
            .iter()
            .find(|key| key.id == key_id)
            .ok_or_else(mismatch)?;
        let Some((sealed_id, encoded)) = split_sealed(sealed) else {
            return Err(mismatch());
        };
        if sealed_id != key_id {
            return Err(mismatch());
        }
        match open_with(key, &key_check_associated_data(key_id), encoded) {
            Some(plaintext) if plaintext == KEY_CHECK_PLAINTEXT.as_bytes() => Ok(()),
            _ => Err(mismatch()),
        }
    }

    /// Decrypts a stored value of `field` in record `record_id`. Legacy plain text (see
    /// [`sealed_key_id`]) is returned as it is.
    ///
    /// Fails with [`StoreError::Other`] naming the field and key id, never the value, when the
    /// key id is not configured or the value does not decrypt (a wrong key, or a value copied
    /// from another record or field).
    pub fn open<'a>(
        &self,
        field: SealedField,
        record_id: &str,
        stored: &'a str,
    ) -> Result<Cow<'a, str>, StoreError> {
        let Some((key_id, encoded)) = split_sealed(stored) else {
            return Ok(Cow::Borrowed(stored));
        };
        let field_name = field.name();
        let key = self
            .keys
            .iter()
            .find(|key| key.id == key_id)
            .ok_or_else(|| {
                StoreError::Other(format!(
                    "{field_name} of record {record_id} is encrypted with data key `{key_id}`, \
                     which PORTAL_DATA_KEY does not contain"
                ))
            })?;
        let failed = || {
            StoreError::Other(format!(
                "{field_name} of record {record_id} failed to decrypt with data key `{key_id}`"
            ))
        };
        let plaintext =
            open_with(key, &associated_data(field, record_id), encoded).ok_or_else(failed)?;
        String::from_utf8(plaintext)
            .map(Cow::Owned)
            .map_err(|_| failed())
    }

    /// Returns true when `stored` is encrypted with the newest key, so rotation can skip it.
    pub fn is_current(&self, stored: &str) -> bool {
        sealed_key_id(stored) == Some(self.newest_id())
    }
}

/// Returns the key id of an encrypted value, or `None` for legacy plain text.
///
/// A value counts as encrypted when it has the form `v1.<key id>.<base64url>`, with a valid
/// key id and at least a nonce and a tag of base64url text.
pub fn sealed_key_id(stored: &str) -> Option<&str> {
    split_sealed(stored).map(|(key_id, _)| key_id)
}

fn split_sealed(stored: &str) -> Option<(&str, &str)> {
    let rest = stored.strip_prefix(SEALED_PREFIX)?;
    let (key_id, encoded) = rest.split_once('.')?;
    let min_encoded_chars = (NONCE_BYTES + TAG_BYTES) * 4 / 3;
    let is_base64url = encoded
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    (is_valid_key_id(key_id) && encoded.len() >= min_encoded_chars && is_base64url)
        .then_some((key_id, encoded))
}

/// Encrypts `plaintext` with `key` under a fresh random nonce, bound to `aad`.
fn seal_with(key: &DataKey, aad: &str, plaintext: &str) -> String {
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let ciphertext = key
        .cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        .expect("AES-GCM encryption fails only for inputs of many gigabytes");
    let mut combined = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    combined.extend_from_slice(&nonce);
    combined.extend_from_slice(&ciphertext);
    format!(
        "{SEALED_PREFIX}{}.{}",
        key.id,
        URL_SAFE_NO_PAD.encode(combined)
    )
}

/// Decrypts the base64url `encoded` part of a stored value with `key`, or returns `None` when
/// it is malformed or fails authentication.
fn open_with(key: &DataKey, aad: &str, encoded: &str) -> Option<Vec<u8>> {
    let combined = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    if combined.len() < NONCE_BYTES + TAG_BYTES {
        return None;
    }
    let (nonce, ciphertext) = combined.split_at(NONCE_BYTES);
    key.cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .ok()
}

fn key_check_associated_data(key_id: &str) -> String {
    format!("key_checks:{key_id}")
}

fn associated_data(field: SealedField, record_id: &str) -> String {
    format!("{}:{record_id}", field.name())
}

/// A key id and its raw key bytes, which are zeroed on drop.
pub type KeyEntry = (String, Zeroizing<Vec<u8>>);

/// Decodes a `PORTAL_DATA_KEY` value (see [`Keyring::parse`]) into its key ids and raw keys,
/// oldest first, so callers can judge the keys themselves.
pub fn decode_entries(value: &str) -> Result<Vec<KeyEntry>, KeyringError> {
    let mut entries: Vec<KeyEntry> = Vec::new();
    let texts = value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty());
    for (index, entry) in texts.enumerate() {
        let position = index + 1;
        let (id, encoded) = entry
            .split_once(':')
            .ok_or(KeyringError::MissingSeparator { position })?;
        let id = id.trim();
        if !is_valid_key_id(id) {
            return Err(KeyringError::InvalidId { position });
        }
        if entries.iter().any(|(existing, _)| existing == id) {
            return Err(KeyringError::DuplicateId { id: id.to_owned() });
        }
        let bytes = decode_key(encoded.trim())
            .filter(|bytes| bytes.len() == KEY_BYTES)
            .ok_or_else(|| KeyringError::InvalidKey { id: id.to_owned() })?;
        entries.push((id.to_owned(), bytes));
    }
    if entries.is_empty() {
        return Err(KeyringError::Empty);
    }
    Ok(entries)
}

/// Returns true for a valid key id: 1 to 16 characters a-z, 0-9 or `-`.
pub fn is_valid_key_id(id: &str) -> bool {
    (1..=MAX_KEY_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

/// Decodes standard or URL-safe base64, padded or not, into bytes that are zeroed on drop.
fn decode_key(encoded: &str) -> Option<Zeroizing<Vec<u8>>> {
    let unpadded = encoded.trim_end_matches('=');
    let decoded = if unpadded.contains(['+', '/']) {
        base64::engine::general_purpose::STANDARD_NO_PAD.decode(unpadded)
    } else {
        URL_SAFE_NO_PAD.decode(unpadded)
    };
    decoded.ok().map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_B: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    fn keyring(value: &str) -> Keyring {
        Keyring::parse(value).unwrap()
    }

    #[test]
    fn parse_orders_keys_oldest_first() {
        let keys = keyring(&format!("old:{KEY_A}, new-1:{KEY_B}"));
        assert_eq!(keys.key_ids().collect::<Vec<_>>(), ["old", "new-1"]);
        assert_eq!(keys.newest_id(), "new-1");
    }

    #[test]
    fn parse_rejects_bad_entries() {
        let cases = [
            (String::new(), KeyringError::Empty),
            (" , ".to_owned(), KeyringError::Empty),
            (
                KEY_A.to_owned(),
                KeyringError::MissingSeparator { position: 1 },
            ),
            (
                format!("a:{KEY_A},Upper:{KEY_B}"),
                KeyringError::InvalidId { position: 2 },
            ),
            (format!(":{KEY_A}"), KeyringError::InvalidId { position: 1 }),
            (
                format!("a-key-id-too-long:{KEY_A}"),
                KeyringError::InvalidId { position: 1 },
            ),
            (
                format!("a:{KEY_A},a:{KEY_B}"),
                KeyringError::DuplicateId { id: "a".to_owned() },
            ),
            (
                "a:not*base64".to_owned(),
                KeyringError::InvalidKey { id: "a".to_owned() },
            ),
            (
                "a:AAECAwQFBgcICQoLDA0ODw==".to_owned(),
                KeyringError::InvalidKey { id: "a".to_owned() },
            ),
            (
                "k:short".to_owned(),
                KeyringError::InvalidKey { id: "k".to_owned() },
            ),
        ];
        for (value, expected) in cases {
            let error = Keyring::parse(&value).unwrap_err();
            assert_eq!(error, expected, "{value:?}");
            assert!(!error.to_string().contains(KEY_A), "{error}");
        }
        let short = Keyring::parse("k:short").unwrap_err().to_string();
        assert_eq!(
            short,
            "the key after `k:` must be 32 random bytes encoded in base64"
        );
    }

    #[test]
    fn parse_accepts_url_safe_unpadded() {
        let url_safe = URL_SAFE_NO_PAD.encode(STANDARD.decode(KEY_B).unwrap());
        let standard = keyring(&format!("k:{KEY_B}"));
        let other = keyring(&format!("k:{url_safe}"));
        let sealed = standard.seal(SealedField::Phone, "id", "+1 555 0100");
        assert_eq!(
            other.open(SealedField::Phone, "id", &sealed).unwrap(),
            "+1 555 0100"
        );
    }

    #[test]
    fn seal_round_trip() {
        let keys = keyring(&format!("k1:{KEY_A}"));
        let sealed = keys.seal(SealedField::Allergies, "user-1", "[\"penicillin\"]");
        assert!(sealed.starts_with("v1.k1."), "{sealed}");
        assert!(!sealed.contains("penicillin"));
        assert_eq!(sealed_key_id(&sealed), Some("k1"));
        assert!(keys.is_current(&sealed));
        let opened = keys
            .open(SealedField::Allergies, "user-1", &sealed)
            .unwrap();
        assert_eq!(opened, "[\"penicillin\"]");
    }

    #[test]
    fn seal_uses_fresh_nonces() {
        let keys = keyring(&format!("k1:{KEY_A}"));
        let first = keys.seal(SealedField::Phone, "user-1", "+1 555 0100");
        let second = keys.seal(SealedField::Phone, "user-1", "+1 555 0100");
        assert_ne!(first, second);
    }

    #[test]
    fn open_rejects_other_record_or_field() {
        let keys = keyring(&format!("k1:{KEY_A}"));
        let sealed = keys.seal(SealedField::Phone, "user-1", "+1 555 0100");
        let other_record = keys
            .open(SealedField::Phone, "user-2", &sealed)
            .unwrap_err();
        assert!(
            other_record.to_string().contains("patients.phone"),
            "{other_record}"
        );
        assert!(other_record.to_string().contains("`k1`"), "{other_record}");
        assert!(!other_record.to_string().contains("555"), "{other_record}");
        let other_field = keys.open(SealedField::Address, "user-1", &sealed);
        assert!(other_field.is_err());
    }

    #[test]
    fn open_rejects_unknown_key_id() {
        let writer = keyring(&format!("gone:{KEY_A}"));
        let reader = keyring(&format!("k2:{KEY_B}"));
        let sealed = writer.seal(SealedField::AppointmentReason, "a-1", "knee pain");
        let error = reader
            .open(SealedField::AppointmentReason, "a-1", &sealed)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`gone`"), "{error}");
        assert!(error.contains("PORTAL_DATA_KEY"), "{error}");
        assert!(!error.contains("knee"), "{error}");
    }

    #[test]
    fn open_rejects_wrong_key_with_same_id() {
        let writer = keyring(&format!("k:{KEY_A}"));
        let reader = keyring(&format!("k:{KEY_B}"));
        let sealed = writer.seal(SealedField::Phone, "u", "+1 555 0100");
        assert!(reader.open(SealedField::Phone, "u", &sealed).is_err());
    }

    #[test]
    fn open_rejects_tampered_ciphertext() {
        let keys = keyring(&format!("k:{KEY_A}"));
        let sealed = keys.seal(SealedField::Phone, "u", "+1 555 0100");
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(keys.open(SealedField::Phone, "u", &tampered).is_err());
    }

    #[test]
    fn older_keys_still_decrypt() {
        let old = keyring(&format!("a:{KEY_A}"));
        let both = keyring(&format!("a:{KEY_A},b:{KEY_B}"));
        let sealed = old.seal(SealedField::Conditions, "u", "[]");
        assert!(!both.is_current(&sealed));
        assert_eq!(
            both.open(SealedField::Conditions, "u", &sealed).unwrap(),
            "[]"
        );
        assert!(
            both.seal(SealedField::Conditions, "u", "[]")
                .starts_with("v1.b.")
        );
    }

    #[test]
    fn plain_text_is_legacy() {
        let keys = keyring(&format!("k:{KEY_A}"));
        for legacy in ["1980-02-29", "female", "[]", "v1.2 follow-up", "v1.k.short"] {
            assert_eq!(sealed_key_id(legacy), None, "{legacy}");
            assert_eq!(keys.open(SealedField::Phone, "u", legacy).unwrap(), legacy);
            assert!(!keys.is_current(legacy));
        }
    }

    #[test]
    fn generated_entry_parses() {
        let entry = Keyring::generate_entry("dev").unwrap();
        let keys = keyring(&entry);
        assert_eq!(keys.newest_id(), "dev");
        assert!(Keyring::generate_entry("Bad Id").is_err());
    }

    #[test]
    fn key_check_detects_other_key_with_same_id() {
        let writer = keyring(&format!("k:{KEY_A}"));
        let check = writer.seal_key_check("k").unwrap();
        assert!(writer.verify_key_check("k", &check).is_ok());
        let other = keyring(&format!("k:{KEY_B}"));
        let error = other.verify_key_check("k", &check).unwrap_err().to_string();
        assert!(error.contains("PORTAL_DATA_KEY"), "{error}");
        assert!(error.contains("`k`"), "{error}");
        assert!(!error.contains(KEY_A), "{error}");
        assert!(!error.contains(KEY_B), "{error}");
        assert!(writer.seal_key_check("missing").is_none());
    }

    #[test]
    fn key_check_is_bound_to_key_id() {
        let keys = keyring(&format!("a:{KEY_A},b:{KEY_A}"));
        let check = keys.seal_key_check("a").unwrap();
        assert!(keys.verify_key_check("b", &check).is_err());
        let field_value = keys.seal(SealedField::Phone, "a", "portal data key check v1");
        assert!(keys.verify_key_check("b", &field_value).is_err());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let keys = keyring(&format!("k:{KEY_A}"));
        let printed = format!("{keys:?}");
        assert_eq!(printed, "Keyring { key_ids: [\"k\"] }");
    }
}
