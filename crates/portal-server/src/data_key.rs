//! The data keys that encrypt health data at rest: where `PORTAL_DATA_KEY` comes from in each
//! environment. See `portal_core::keyring` for the format and the stored form.

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use portal_core::keyring::{KEY_BYTES, Keyring, decode_entries};
use zeroize::Zeroizing;

use crate::config::Environment;
use crate::secret::write_owner_only;

/// Environment variable that sets the data keys.
pub const DATA_KEY_VARIABLE: &str = "PORTAL_DATA_KEY";

/// Name of the file in the data folder that contains the key generated in development.
pub const DEVELOPMENT_FILE: &str = "data-key";

/// Key id of the key generated in development.
const DEVELOPMENT_KEY_ID: &str = "dev";

const GENERATE_HINT: &str = "set PORTAL_DATA_KEY=<key id>:<base64 of 32 random bytes>, for \
     example main:$(openssl rand -base64 32), where the key id is 1 to 16 characters a-z, 0-9 \
     or -";

/// Raw keys published in this repository's tests, which anyone can read: the bytes 0 to 31 and
/// 32 to 63.
const PUBLISHED_KEYS: [[u8; KEY_BYTES]; 2] = [published_key(0), published_key(32)];

const fn published_key(first: u8) -> [u8; KEY_BYTES] {
    let mut key = [0u8; KEY_BYTES];
    let mut index = 0;
    while index < KEY_BYTES {
        key[index] = first + index as u8;
        index += 1;
    }
    key
}

/// Returns the keyring configured in `value` (from `variable`), or in development mode the
/// key generated into `data_dir`, generating it on first use. Production mode requires a
/// configured value. No message contains key material.
pub fn resolve(
    value: Option<&str>,
    variable: &str,
    environment: Environment,
    data_dir: &Path,
) -> anyhow::Result<Keyring> {
    if let Some(value) = value {
        return Keyring::parse(value)
            .map_err(|error| anyhow!("{variable} is invalid: {error}; {GENERATE_HINT}"));
    }
    if environment == Environment::Production {
        bail!("{variable} is required when PORTAL_ENV=production; {GENERATE_HINT}");
    }
    load_or_create(&data_dir.join(DEVELOPMENT_FILE), variable)
}

/// Returns why the `PORTAL_DATA_KEY` value `value` must not be used in production mode, or
/// `None` when it may. A key is rejected when it is published in this repository's tests, has
/// all 32 bytes equal, equals the token-signing secret `jwt_secret` (as raw bytes or as its
/// base64 text) or equals a key of the development file in `data_dir`. The message names the
/// variable and the key id, never key material.
pub fn production_problem(
    value: Option<&str>,
    jwt_secret: Option<&str>,
    data_dir: &Path,
) -> Option<String> {
    let variable = DATA_KEY_VARIABLE;
    let Some(value) = value else {
        return Some(format!(
            "{variable} is required when PORTAL_ENV=production; {GENERATE_HINT}"
        ));
    };
    let entries = match decode_entries(value) {
        Ok(entries) => entries,
        Err(error) => return Some(format!("{variable} is invalid: {error}; {GENERATE_HINT}")),
    };
    let development_path = data_dir.join(DEVELOPMENT_FILE);
    let development_keys = std::fs::read_to_string(&development_path)
        .ok()
        .map(Zeroizing::new)
        .and_then(|contents| decode_entries(contents.trim()).ok())
        .unwrap_or_default();
    let encoded_texts: Vec<&str> = value
        .split(',')
        .filter_map(|entry| entry.split_once(':'))
        .map(|(_, encoded)| encoded.trim())
        .collect();

    for (position, (id, key)) in entries.iter().enumerate() {
        let reason = if PUBLISHED_KEYS
            .iter()
            .any(|published| key[..] == published[..])
        {
            "is published in the portal's tests".to_owned()
        } else if key.iter().all(|byte| *byte == key[0]) {
            "has all 32 bytes equal, so it is not random".to_owned()
        } else if jwt_secret.is_some_and(|secret| {
            secret.trim().as_bytes() == &key[..]
                || encoded_texts.get(position) == Some(&secret.trim())
        }) {
            "equals PORTAL_JWT_SECRET; the two must be independent random values".to_owned()
        } else if development_keys
            .iter()
            .any(|(_, development)| development[..] == key[..])
        {
            format!(
                "equals the development data key in {}; keep production keys out of the data \
                 folder",
                development_path.display()
            )
        } else {
            continue;
        };
        return Some(format!(
            "the key `{id}` of {variable} {reason}; {GENERATE_HINT}"
        ));
    }
    None
}

/// Reads the development key file at `path`, or writes a new random key there when the file
/// is missing.
fn load_or_create(path: &Path, variable: &str) -> anyhow::Result<Keyring> {
    match std::fs::read_to_string(path) {
        Ok(contents) => {
            let contents = Zeroizing::new(contents);
            return Keyring::parse(contents.trim()).map_err(|error| {
                anyhow!(
                    "the development data key in {} is invalid: {error}; delete the file only \
                     if the database holds no data encrypted with it, or set {variable}",
                    path.display()
                )
            });
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(error).with_context(|| {
                format!("reading the development data key {} failed", path.display())
            });
        }
    }

    // A missing file next to a database is most likely a database copied or restored without
    // its key. The store's key check then rejects the new key, and this warning explains the
    // cause. The token-signing secret and lock files do not count: a first start writes the
    // secret before the key.
    let folder_has_files = path
        .parent()
        .and_then(|parent| std::fs::read_dir(parent).ok())
        .is_some_and(|entries| {
            entries.flatten().any(|entry| {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                name != "jwt-secret" && !name.ends_with(".lock")
            })
        });
    if folder_has_files {
        tracing::warn!(
            path = %path.display(),
            variable,
            "the development data key file is missing but its folder is not empty; generating \
             a new key. If the database in this folder holds encrypted data, it will not open: \
             stop, restore the data-key file from the backup of the database, or set the variable \
             to the original key"
        );
    }
    let entry = Keyring::generate_entry(DEVELOPMENT_KEY_ID)
        .expect("the development key id is a valid key id");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {} failed", parent.display()))?;
    }
    write_owner_only(path, &entry).with_context(|| {
        format!(
            "writing the development value of {variable} to {} failed",
            path.display()
        )
    })?;
    tracing::info!(
        path = %path.display(),
        variable,
        "generated a development data key (owner-only file); data encrypted with it cannot be read without this file"
    );
    Ok(Keyring::parse(&entry).expect("a generated entry parses"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn configured_value_wins() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = resolve(
            Some(KEY),
            DATA_KEY_VARIABLE,
            Environment::Production,
            dir.path(),
        )
        .unwrap();
        assert_eq!(keyring.newest_id(), "k1");
        assert!(!dir.path().join(DEVELOPMENT_FILE).exists());
    }

    #[test]
    fn invalid_value_names_variable_not_value() {
        let dir = tempfile::tempdir().unwrap();
        let error = resolve(
            Some("k1:c2hvcnQ="),
            DATA_KEY_VARIABLE,
            Environment::Development,
            dir.path(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("PORTAL_DATA_KEY is invalid"), "{error}");
        assert!(
            error.contains("the key after `k1:` must be 32 random bytes encoded in base64"),
            "{error}"
        );
        assert!(error.contains("main:$(openssl rand -base64 32)"), "{error}");
        assert!(!error.contains("c2hvcnQ"), "{error}");
    }

    #[test]
    fn production_requires_value() {
        let dir = tempfile::tempdir().unwrap();
        let error = resolve(None, DATA_KEY_VARIABLE, Environment::Production, dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("PORTAL_DATA_KEY is required"), "{error}");
        assert!(!dir.path().join(DEVELOPMENT_FILE).exists());
    }

    #[test]
    fn development_key_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = resolve(
            None,
            DATA_KEY_VARIABLE,
            Environment::Development,
            dir.path(),
        )
        .unwrap();
        let second = resolve(
            None,
            DATA_KEY_VARIABLE,
            Environment::Development,
            dir.path(),
        )
        .unwrap();
        assert_eq!(first.newest_id(), "dev");
        let sealed = first.seal(portal_core::keyring::SealedField::Phone, "u", "+1 555");
        let opened = second
            .open(portal_core::keyring::SealedField::Phone, "u", &sealed)
            .unwrap();
        assert_eq!(opened, "+1 555", "the second call reads the same key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(DEVELOPMENT_FILE);
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
