//! The data keys that encrypt health data at rest: where `PORTAL_DATA_KEY` comes from in each
//! environment. See `portal_core::keyring` for the format and the stored form.

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use portal_core::keyring::Keyring;
use zeroize::Zeroizing;

use crate::config::Environment;
use crate::secret::write_owner_only;

/// Environment variable that sets the data keys.
pub const DATA_KEY_VARIABLE: &str = "PORTAL_DATA_KEY";

/// Name of the file in the data folder that contains the key generated in development.
pub const DEVELOPMENT_FILE: &str = "data-key";

/// Key id of the key generated in development.
const DEVELOPMENT_KEY_ID: &str = "dev";

const GENERATE_HINT: &str = "generate a key with `openssl rand -base64 32` and set \
     PORTAL_DATA_KEY=<key id>:<key>, where the key id is 1 to 16 characters a-z, 0-9 or -";

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
        assert!(error.contains("32 random bytes"), "{error}");
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
