//! Store selection: the storage backend a database URL names, and URLs made safe to print.
//!
//! No other part of the server depends on which database it runs on: everything else uses
//! `Arc<dyn Store>`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::bail;
use portal_core::keyring::Keyring;
use portal_core::store::Store;
use portal_store_mongo::MongoStore;
use portal_store_sqlite::SqliteStore;

/// The URL forms every command accepts, for error messages.
const ACCEPTED_URLS: &str = "sqlite://PATH, sqlite:PATH, mongodb://HOST/DATABASE or \
     mongodb+srv://HOST/DATABASE";

/// Replacement for the credentials of a URL.
const REDACTED: &str = "***";

/// A storage backend the portal can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    MongoDb,
}

impl Backend {
    /// Returns the backend that a database URL's scheme names, or `None` for any other scheme.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("mongodb://") || url.starts_with("mongodb+srv://") {
            Some(Self::MongoDb)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::MongoDb => "MongoDB",
        }
    }
}

/// Opens the store named by `url`.
///
/// `setting` names where the URL came from (`PORTAL_DATABASE_URL`, `--from`, ...) so that
/// errors point at it. `mongodb_database` overrides the database named in a MongoDB URL's path
/// and is ignored, with a warning, for SQLite. Errors and logs show the URL only through
/// [`redact_url`], and connection errors have the URL's credentials removed.
///
/// The store encrypts health data with the newest key of `keyring` and decrypts it with any of
/// its keys.
pub async fn open(
    url: &str,
    mongodb_database: Option<&str>,
    setting: &str,
    keyring: Keyring,
) -> anyhow::Result<Arc<dyn Store>> {
    let redacted = redact_url(url);
    let Some(backend) = Backend::of_url(url) else {
        bail!(
            "{setting} has an unsupported database URL ({redacted}): expected {ACCEPTED_URLS}, \
             for example sqlite://./data/portal.db"
        );
    };

    let opened: Result<Arc<dyn Store>, _> = match backend {
        Backend::Sqlite => {
            if mongodb_database.is_some() {
                tracing::warn!(
                    database = %redacted,
                    "a MongoDB database name is set but {setting} names an SQLite file; the name is ignored"
                );
            }
            // The shared lock keeps `portal restore` from replacing the file while it is open.
            SqliteStore::connect_locked(url, keyring)
                .await
                .map(|store| Arc::new(store) as Arc<dyn Store>)
        }
        Backend::MongoDb => MongoStore::connect(url, mongodb_database, keyring)
            .await
            .map(|store| Arc::new(store) as Arc<dyn Store>),
    };
    match opened {
        Ok(store) => {
            tracing::info!(backend = backend.name(), database = %redacted, "database opened");
            Ok(store)
        }
        Err(error) => {
            let reason = remove_credentials(&error.to_string(), url);
            bail!(
                "opening the {} database named by {setting} ({redacted}) failed: {reason}",
                backend.name()
            )
        }
    }
}

/// Returns the path of an SQLite database file, or `None` for a database on a server.
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    if Backend::of_url(database_url) != Some(Backend::Sqlite) {
        return None;
    }
    let path = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    Some(PathBuf::from(path))
}

/// Returns the folder of an SQLite database file, or `None` for a database on a server.
pub fn sqlite_folder(database_url: &str) -> Option<PathBuf> {
    let file = sqlite_file(database_url)?;
    let folder = file
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Some(folder)
}

/// Returns `url` with its credentials replaced by `***`, safe for logs and error messages.
///
/// The user name and password before the `@` of the authority are removed, and so are the
/// values of query options that carry secrets (any name containing `password`, `secret` or
/// `token`, and `authMechanismProperties`, which can hold an AWS session token). When a
/// malformed URL has an `@` outside the authority, everything up to the last `@` is removed,
/// because a password with an unescaped `/`, `?` or `#` would otherwise show. SQLite URLs name
/// a local file and carry no credentials, so they are returned unchanged.
pub fn redact_url(url: &str) -> String {
    if Backend::of_url(url) == Some(Backend::Sqlite) {
        return url.to_owned();
    }
    let (scheme, rest) = match url.find("://") {
        Some(index) => url.split_at(index + 3),
        // `scheme:user:password@host` without `//`: keep only the scheme.
        None => match url.find(':') {
            Some(index) => url.split_at(index + 1),
            None => ("", url),
        },
    };

    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let userinfo_end = rest[..authority_end].rfind('@').or_else(|| rest.rfind('@'));
    let (prefix, rest) = match userinfo_end {
        Some(index) => (format!("{scheme}{REDACTED}@"), &rest[index + 1..]),
        None => (scheme.to_owned(), rest),
    };

    let Some((before_query, query)) = rest.split_once('?') else {
        return format!("{prefix}{rest}");
    };
    let options: Vec<String> = query.split('&').map(redact_option).collect();
    format!("{prefix}{before_query}?{}", options.join("&"))
}

/// Replaces the value of one `name=value` query option when the name marks a secret.
fn redact_option(option: &str) -> String {
    let Some((name, _)) = option.split_once('=') else {
        return option.to_owned();
    };
    let lower = name.to_ascii_lowercase();
    let secret = ["password", "secret", "token"]
        .iter()
        .any(|word| lower.contains(word))
        || lower == "authmechanismproperties";
    if secret {
        format!("{name}={REDACTED}")
    } else {
        option.to_owned()
    }
}

/// Removes the URL and its credentials from a driver's error message, in case the driver
/// quotes them.
///
/// NOTE: a user name shorter than four characters is left in place, because replacing every
/// occurrence of such a short string would garble the message. Passwords are always replaced.
fn remove_credentials(message: &str, url: &str) -> String {
    let mut message = message.replace(url, &redact_url(url));
    let Some((user, password)) = userinfo(url) else {
        return message;
    };
    for secret in [password.to_owned(), percent_decode(password)] {
        if !secret.is_empty() {
            message = message.replace(&secret, REDACTED);
        }
    }
    for name in [user.to_owned(), percent_decode(user)] {
        if name.chars().count() >= 4 {
            message = message.replace(&name, REDACTED);
        }
    }
    message
}

/// Returns the user name and password of a `scheme://user:password@host` URL, as written.
fn userinfo(url: &str) -> Option<(&str, &str)> {
    let (_, rest) = url.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let end = rest[..authority_end]
        .rfind('@')
        .or_else(|| rest.rfind('@'))?;
    let userinfo = &rest[..end];
    Some(userinfo.split_once(':').unwrap_or((userinfo, "")))
}

/// Decodes `%XX` escapes; an invalid escape is kept as written.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_user_and_password() {
        assert_eq!(
            redact_url("mongodb://portal:s3cret@db.internal:27017/portal?tls=true"),
            "mongodb://***@db.internal:27017/portal?tls=true"
        );
    }

    #[test]
    fn redact_srv_user_only() {
        assert_eq!(
            redact_url("mongodb+srv://portal@cluster0.example.net/portal"),
            "mongodb+srv://***@cluster0.example.net/portal"
        );
    }

    #[test]
    fn redact_keeps_url_without_credentials() {
        assert_eq!(
            redact_url("mongodb://a.internal:27017,b.internal:27017/portal?replicaSet=rs0"),
            "mongodb://a.internal:27017,b.internal:27017/portal?replicaSet=rs0"
        );
        assert_eq!(redact_url("mongodb://127.0.0.1"), "mongodb://127.0.0.1");
    }

    #[test]
    fn redact_several_hosts() {
        assert_eq!(
            redact_url("mongodb://u:p@a.internal:1,b.internal:2/db"),
            "mongodb://***@a.internal:1,b.internal:2/db"
        );
    }

    #[test]
    fn redact_escaped_at_sign() {
        let redacted = redact_url("mongodb://user:p%40ss@host/db");
        assert_eq!(redacted, "mongodb://***@host/db");
    }

    #[test]
    fn redact_unescaped_specials_in_password() {
        for url in [
            "mongodb://user:pa@ss@host/db",
            "mongodb://user:pa/ss@host/db",
            "mongodb://user:pa?ss@host/db",
            "mongodb://user:pa#ss@host/db",
        ] {
            let redacted = redact_url(url);
            assert!(
                !redacted.contains("user"),
                "{url} kept the user: {redacted}"
            );
            assert!(
                !redacted.contains("pa"),
                "{url} kept the password: {redacted}"
            );
            assert!(
                !redacted.contains("ss@"),
                "{url} kept the password: {redacted}"
            );
            assert!(
                redacted.starts_with("mongodb://***@"),
                "{url} -> {redacted}"
            );
        }
    }

    #[test]
    fn redact_secret_query_options() {
        assert_eq!(
            redact_url(
                "mongodb://host/db?tlsCertificateKeyFilePassword=pw&authMechanismProperties=AWS_SESSION_TOKEN:t&appName=portal"
            ),
            "mongodb://host/db?tlsCertificateKeyFilePassword=***&authMechanismProperties=***&appName=portal"
        );
    }

    #[test]
    fn redact_other_schemes() {
        assert_eq!(
            redact_url("postgres://admin:hunter2@db.internal/portal"),
            "postgres://***@db.internal/portal"
        );
        assert_eq!(
            redact_url("mysql:admin:hunter2@db.internal"),
            "mysql:***@db.internal"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn redact_leaves_sqlite_paths() {
        for url in [
            "sqlite://./data/portal.db",
            "sqlite:portal.db",
            "sqlite:///var/lib/portal/a@b.db?mode=rwc",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[test]
    fn credentials_removed_from_messages() {
        let url = "mongodb://portal:p%40ssword@db.internal/portal";
        let message = format!(
            "failed to connect to {url}: authentication of portal with p@ssword and p%40ssword failed"
        );
        let cleaned = remove_credentials(&message, url);
        assert!(!cleaned.contains("ssword"), "password left in: {cleaned}");
        assert!(!cleaned.contains("portal:"), "userinfo left in: {cleaned}");
        assert!(
            cleaned.contains("mongodb://***@db.internal/"),
            "the redacted URL is shown: {cleaned}"
        );
    }

    #[test]
    fn backend_by_scheme() {
        assert_eq!(Backend::of_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite:x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("mongodb://h/db"), Some(Backend::MongoDb));
        assert_eq!(
            Backend::of_url("mongodb+srv://h/db"),
            Some(Backend::MongoDb)
        );
        assert_eq!(Backend::of_url("postgres://h/db"), None);
        assert_eq!(Backend::of_url("mongodb:h"), None);
        assert_eq!(Backend::of_url(""), None);
    }

    #[test]
    fn sqlite_folder_of_urls() {
        assert_eq!(
            sqlite_folder("sqlite://./data/portal.db"),
            Some(PathBuf::from("./data"))
        );
        assert_eq!(sqlite_folder("sqlite:portal.db"), Some(PathBuf::from(".")));
        assert_eq!(
            sqlite_folder("sqlite:///var/lib/portal/p.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/portal"))
        );
        assert_eq!(sqlite_folder("mongodb://host/portal"), None);
    }

    #[tokio::test]
    async fn open_rejects_unknown_scheme() {
        let keyring =
            Keyring::parse("k:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").expect("a valid key");
        let error = open(
            "postgres://admin:hunter2@db.internal/portal",
            None,
            "PORTAL_DATABASE_URL",
            keyring,
        )
        .await
        .err()
        .expect("an unknown scheme is rejected");
        let message = format!("{error:#}");
        assert!(message.contains("PORTAL_DATABASE_URL"), "{message}");
        assert!(message.contains("mongodb+srv://"), "{message}");
        assert!(message.contains("sqlite://"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
