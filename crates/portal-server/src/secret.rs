//! Secrets: a wrapper whose `Debug` and `Display` never show the value, and the rules for
//! where each required secret comes from and when a value is fit for production.

use std::fmt;
use std::path::Path;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use zeroize::Zeroizing;

use crate::config::Environment;

/// Shortest accepted secret, in bytes (HS256 keys should be at least 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

const GENERATE_HINT: &str = "generate one with `openssl rand -base64 48`";

/// Secrets published in this repository's tests and examples, which anyone can read.
const PUBLISHED_SECRETS: &[&str] = &["integration-test-secret-of-at-least-32-bytes"];

/// Placeholder words of example configuration files, compared case-insensitively. A value
/// that contains one was copied from an example without being replaced.
const PLACEHOLDER_WORDS: &[&str] = &[
    "replace_me",
    "replace-me",
    "changeme",
    "change_me",
    "change-me",
];

/// The value is zeroed when dropped, so it does not linger in freed memory.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A secret the server needs to start, and where its value comes from.
#[derive(Clone, Copy)]
pub struct RequiredSecret<'a> {
    /// Environment variable that sets the value; every message about the secret names it.
    pub variable: &'static str,
    /// Name of the file in the data folder that contains the value generated in development.
    pub development_file: &'static str,
    /// The configured value, if any.
    pub value: Option<&'a str>,
}

impl RequiredSecret<'_> {
    /// Returns why the configured value must not be used in production mode, or `None` when
    /// it may. The message names the variable and never contains the value.
    pub fn production_problem(&self, data_dir: &Path) -> Option<String> {
        let variable = self.variable;
        let Some(value) = self.value else {
            return Some(format!(
                "{variable} is required when PORTAL_ENV=production; {GENERATE_HINT}"
            ));
        };
        if value.len() < MIN_SECRET_BYTES {
            return Some(format!(
                "{variable} must be at least {MIN_SECRET_BYTES} bytes; {GENERATE_HINT}"
            ));
        }
        if is_published(value) {
            return Some(format!(
                "{variable} is a placeholder or a value published in the portal's examples or \
                 tests; {GENERATE_HINT}"
            ));
        }
        let path = data_dir.join(self.development_file);
        let development = read_secret_file(&path);
        if development.is_some_and(|development| *development == value.trim()) {
            return Some(format!(
                "{variable} equals the development secret in {}; {GENERATE_HINT} and keep it \
                 out of the data folder",
                path.display()
            ));
        }
        None
    }

    /// Returns the configured value, or in development mode reads the value generated into
    /// `data_dir`, generating it on first use.
    pub fn resolve(&self, environment: Environment, data_dir: &Path) -> anyhow::Result<Secret> {
        let variable = self.variable;
        if let Some(value) = self.value {
            if value.len() < MIN_SECRET_BYTES {
                bail!("{variable} must be at least {MIN_SECRET_BYTES} bytes; {GENERATE_HINT}");
            }
            return Ok(Secret::new(value.to_owned()));
        }
        if environment == Environment::Production {
            bail!("{variable} is required when PORTAL_ENV=production; {GENERATE_HINT}");
        }
        load_or_create_secret(&data_dir.join(self.development_file), variable)
    }
}

fn is_published(value: &str) -> bool {
    let lowered = value.to_ascii_lowercase();
    PUBLISHED_SECRETS.contains(&value)
        || PLACEHOLDER_WORDS.iter().any(|word| lowered.contains(word))
}

/// Reads a generated secret file, or returns `None` when it is missing, unreadable or too
/// short to be one.
fn read_secret_file(path: &Path) -> Option<Zeroizing<String>> {
    let contents = Zeroizing::new(std::fs::read_to_string(path).ok()?);
    let value = Zeroizing::new(contents.trim().to_owned());
    (value.len() >= MIN_SECRET_BYTES).then_some(value)
}

/// Reads the development secret at `path`, or writes a new random one there when the file is
/// missing or its value is too short.
fn load_or_create_secret(path: &Path, variable: &str) -> anyhow::Result<Secret> {
    if let Some(existing) = read_secret_file(path) {
        return Ok(Secret::new(existing.to_string()));
    }
    let mut bytes = Zeroizing::new([0u8; 48]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut());
    let value = URL_SAFE_NO_PAD.encode(bytes.as_ref());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {} failed", parent.display()))?;
    }
    write_owner_only(path, &value).with_context(|| {
        format!(
            "writing the development value of {variable} to {} failed",
            path.display()
        )
    })?;
    tracing::info!(path = %path.display(), variable, "generated a development secret (owner-only file)");
    Ok(Secret::new(value))
}

/// Writes `value` to `path`, readable and writable only by the owner (mode 0600 on Unix).
#[cfg(unix)]
pub(crate) fn write_owner_only(path: &Path, value: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(value.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn write_owner_only(path: &Path, value: &str) -> std::io::Result<()> {
    std::fs::write(path, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_VALUE: &str = "k3Vq9Zr2Lx8Nw4Ty6Pb1Hs5Jd7Fg0Mc2Qa4We6Ru8";

    fn jwt_secret(value: Option<&str>) -> RequiredSecret<'_> {
        RequiredSecret {
            variable: "PORTAL_JWT_SECRET",
            development_file: "jwt-secret",
            value,
        }
    }

    #[test]
    fn secret_never_prints_value() {
        let secret = Secret::new("hunter2-hunter2".into());
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2-hunter2");
    }

    #[test]
    fn development_secret_is_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let secret = jwt_secret(None);
        let first = secret
            .resolve(Environment::Development, dir.path())
            .unwrap();
        let second = secret
            .resolve(Environment::Development, dir.path())
            .unwrap();
        assert_eq!(first.expose(), second.expose());
        assert!(first.expose().len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join("jwt-secret");
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn production_never_generates_secret() {
        let dir = tempfile::tempdir().unwrap();
        let error = jwt_secret(None)
            .resolve(Environment::Production, dir.path())
            .unwrap_err();
        assert!(error.to_string().contains("PORTAL_JWT_SECRET is required"));
        assert!(!dir.path().join("jwt-secret").exists());
    }

    #[test]
    fn production_problem_for_each_unfit_value() {
        let dir = tempfile::tempdir().unwrap();
        let development = "a-generated-development-value-of-48-characters-x";
        std::fs::write(dir.path().join("jwt-secret"), format!("{development}\n")).unwrap();
        let cases = [
            (None, "is required"),
            (Some("too-short"), "at least 32 bytes"),
            (
                Some("integration-test-secret-of-at-least-32-bytes"),
                "published",
            ),
            (Some("REPLACE_ME-REPLACE_ME-REPLACE_ME-1234"), "placeholder"),
            (
                Some("please-changeme-before-going-live-000000"),
                "placeholder",
            ),
            (Some(development), "equals the development secret"),
        ];
        for (value, expected) in cases {
            let problem = jwt_secret(value).production_problem(dir.path());
            let problem = problem.unwrap_or_else(|| panic!("{value:?} was accepted"));
            assert!(problem.contains(expected), "{value:?}: {problem}");
            assert!(problem.starts_with("PORTAL_JWT_SECRET"), "{problem}");
            if let Some(value) = value {
                assert!(
                    !problem.contains(value),
                    "message shows the value: {problem}"
                );
            }
        }
    }

    #[test]
    fn production_accepts_strong_value() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            jwt_secret(Some(GOOD_VALUE)).production_problem(dir.path()),
            None
        );
    }
}
