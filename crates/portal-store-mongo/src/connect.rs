//! Opening a store: client options, the database name, the first ping and URL redaction.

use std::time::Duration;

use bson::{Document, doc};
use mongodb::Client;
use mongodb::options::{Acknowledgment, ClientOptions, WriteConcern};
use portal_core::StoreError;
use portal_core::keyring::Keyring;

use crate::MongoStore;
use crate::error::store_error;
use crate::indexes::create_indexes;

/// How long an operation waits for a usable server before failing with `Unavailable`, unless
/// the URL sets `serverSelectionTimeoutMS`. The driver's default is 30 seconds, which would hold
/// every request that long during an outage.
const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// How long opening one TCP (and TLS) connection may take, unless the URL sets
/// `connectTimeoutMS`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The application name the server shows in its logs and `currentOp`, unless the URL sets
/// `appName`.
const APP_NAME: &str = "patient-portal";

/// Text that stands for removed credentials in messages.
const REDACTED: &str = "REDACTED";

impl MongoStore {
    /// Connects to the MongoDB deployment at `url`, pings it and creates the indexes the store
    /// needs (a no-op when they exist).
    ///
    /// The database is `database_override` when given, else the path of `url`
    /// (`mongodb://host/portal` uses `portal`). Without either, this fails with
    /// [`StoreError::Other`]. Writes use the URL's write concern, or `w: majority` with
    /// journaling when the URL sets none. No error or log line contains the URL or its
    /// credentials.
    ///
    /// The driver reconnects by itself after an outage, so a store stays usable once the
    /// server is back. While it is away, calls fail with [`StoreError::Unavailable`] after the
    /// server selection timeout (5 seconds unless the URL sets `serverSelectionTimeoutMS`).
    ///
    /// Health data is encrypted with the newest key of `keyring` and decrypted with any of
    /// its keys (see [`portal_core::keyring`]). Connecting fails with [`StoreError::Other`]
    /// naming `PORTAL_DATA_KEY` when a key of `keyring` differs from the key of the same id
    /// that this database's key check was written with.
    pub async fn connect(
        url: &str,
        database_override: Option<&str>,
        keyring: Keyring,
    ) -> Result<MongoStore, StoreError> {
        let mut options = ClientOptions::parse(url).await.map_err(|error| {
            // The parser's message may quote parts of the URL, so credentials are removed.
            StoreError::Other(format!(
                "invalid MongoDB URL: {}",
                scrub_credentials(&error.to_string(), url)
            ))
        })?;

        let database_name = database_override
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .or_else(|| options.default_database.clone())
            .ok_or_else(|| {
                StoreError::Other(
                    "no MongoDB database name: put it in the URL path \
                     (mongodb://host:27017/portal) or set PORTAL_MONGODB_DATABASE"
                        .into(),
                )
            })?;

        options
            .server_selection_timeout
            .get_or_insert(SERVER_SELECTION_TIMEOUT);
        options.connect_timeout.get_or_insert(CONNECT_TIMEOUT);
        options.app_name.get_or_insert_with(|| APP_NAME.to_owned());
        options.write_concern.get_or_insert_with(|| {
            WriteConcern::builder()
                .w(Acknowledgment::Majority)
                .journal(true)
                .build()
        });
        let hosts: Vec<String> = options.hosts.iter().map(ToString::to_string).collect();

        let client = Client::with_options(options).map_err(store_error)?;
        let mut store = MongoStore::new(client.clone(), client.database(&database_name), keyring);
        // `ping` selects a server first, so an unreachable deployment fails here with
        // `Unavailable` instead of at the first request.
        portal_core::store::Store::ping(&store).await?;
        store.transactions = supports_transactions(&store).await?;
        if !store.transactions {
            tracing::warn!(
                "the MongoDB deployment is a standalone server without transactions, so a \
                 crash during a patient registration can leave the account without its audit \
                 event; run a replica set (see docs/MONGODB.md)"
            );
        }
        create_indexes(&store).await?;
        store.check_data_keys().await?;

        tracing::info!(
            hosts = %hosts.join(","),
            database = %database_name,
            "connected to MongoDB"
        );
        Ok(store)
    }
}

/// Asks the server whether it is a replica set member (`setName` in its `hello` reply) or a
/// sharded cluster's router (`msg: "isdbgrid"`), the deployments that run multi-document
/// transactions.
async fn supports_transactions(store: &MongoStore) -> Result<bool, StoreError> {
    let hello = store
        .database
        .run_command(doc! { "hello": 1 })
        .await
        .map_err(store_error)?;
    Ok(runs_transactions(&hello))
}

fn runs_transactions(hello: &Document) -> bool {
    let replica_set = hello.contains_key("setName");
    let router = hello.get_str("msg").is_ok_and(|msg| msg == "isdbgrid");
    replica_set || router
}

/// Replaces the user name and password of a MongoDB URL with `REDACTED`, for logs and
/// messages: `mongodb://admin:secret@db:27017/portal` becomes
/// `mongodb://REDACTED@db:27017/portal`. A URL without credentials is returned unchanged.
pub fn redact_url(url: &str) -> String {
    match userinfo_range(url) {
        Some((start, end)) => format!("{}{REDACTED}{}", &url[..start], &url[end..]),
        None => url.to_owned(),
    }
}

/// Returns the byte range of the user information (`user:password`) in `url`.
///
/// The user information ends at the last `@` before the query, because a password may contain
/// an unescaped `@` or `/` that the driver would reject but a message could still quote.
fn userinfo_range(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let before_query = url[start..].split('?').next().unwrap_or_default();
    let end = start + before_query.rfind('@')?;
    Some((start, end))
}

/// Removes the URL and its credentials, raw and percent-decoded, from a driver message.
fn scrub_credentials(message: &str, url: &str) -> String {
    let mut secrets = vec![url.to_owned()];
    if let Some((start, end)) = userinfo_range(url) {
        let userinfo = &url[start..end];
        secrets.push(userinfo.to_owned());
        for part in userinfo.splitn(2, ':') {
            secrets.push(part.to_owned());
            secrets.push(percent_decode(part));
        }
    }
    // Longer secrets first, so a password inside the whole URL does not break the URL's match.
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));

    let mut scrubbed = message.to_owned();
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        scrubbed = scrubbed.replace(secret.as_str(), REDACTED);
    }
    scrubbed
}

/// Decodes `%XX` escapes; an invalid escape is kept as written.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use bson::doc;

    use super::{percent_decode, redact_url, runs_transactions, scrub_credentials};

    #[test]
    fn transactions_on_replica_sets_and_routers() {
        let member = doc! { "isWritablePrimary": true, "setName": "rs0" };
        let router = doc! { "isWritablePrimary": true, "msg": "isdbgrid" };
        let standalone = doc! { "isWritablePrimary": true, "maxWireVersion": 21 };
        assert!(runs_transactions(&member));
        assert!(runs_transactions(&router));
        assert!(!runs_transactions(&standalone));
    }

    #[test]
    fn redact_user_and_password() {
        assert_eq!(
            redact_url("mongodb://admin:s3cret@db1:27017,db2:27017/portal?replicaSet=rs0"),
            "mongodb://REDACTED@db1:27017,db2:27017/portal?replicaSet=rs0",
            "the user information is replaced"
        );
    }

    #[test]
    fn redact_password_with_at_sign() {
        assert_eq!(
            redact_url("mongodb+srv://admin:p@ss/word@cluster.example.test/portal"),
            "mongodb+srv://REDACTED@cluster.example.test/portal",
            "everything up to the last @ before the query is redacted"
        );
    }

    #[test]
    fn redact_without_credentials() {
        let url = "mongodb://127.0.0.1:27017/portal?authSource=admin&x=a@b";
        assert_eq!(
            redact_url(url),
            url,
            "a URL without user information is kept"
        );
    }

    #[test]
    fn scrub_decoded_password() {
        let url = "mongodb://admin:p%40ss@127.0.0.1/portal";
        let message = "bad password p@ss for admin in mongodb://admin:p%40ss@127.0.0.1/portal";
        let scrubbed = scrub_credentials(message, url);
        assert!(
            !scrubbed.contains("p@ss"),
            "the decoded password is removed"
        );
        assert!(
            !scrubbed.contains("p%40ss"),
            "the encoded password is removed"
        );
        assert!(!scrubbed.contains("admin"), "the user name is removed");
    }

    #[test]
    fn percent_decode_invalid_escape() {
        assert_eq!(
            percent_decode("a%2Fb%zz%4"),
            "a/b%zz%4",
            "invalid escapes are kept"
        );
    }
}
