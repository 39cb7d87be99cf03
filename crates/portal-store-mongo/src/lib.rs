//! MongoDB implementation of the patient portal's storage traits.
//!
//! [`MongoStore`] implements every trait of [`portal_core::store`] over one MongoDB database.
//! [`MongoStore::connect`] pings the server and creates the indexes (idempotently) before it
//! returns.
//!
//! # Documents
//!
//! Encodings shared by every collection: ids are UUIDs as lower-case hyphenated strings (so
//! string order is UUID order, as in the SQLite store), instants are BSON dates (milliseconds),
//! calendar dates are `YYYY-MM-DD` strings and enumerations are their snake_case names.
//!
//! - `users`: one document per account, `_id` = user id, with `email` (normalised, unique),
//!   `role`, `password_hash`, `first_name`, `last_name`, their lower-case copies
//!   `first_name_lower` and `last_name_lower` for prefix search and ordering, `created_at`
//!   and `updated_at`. A patient's document embeds `patient`: `date_of_birth`, `consent`
//!   (`policy_version`, `accepted_at`), the health details (`sex_at_birth`, `phone`,
//!   `address`, `emergency_contact`, `allergies`, `medications`, `conditions`,
//!   `primary_provider_id`) and the profile's own `updated_at`. The date of birth and every
//!   health detail but `primary_provider_id` are encrypted strings (see the `sealed` module).
//!   A provider's document embeds `provider`: `npi` and `specialty`.
//! - `invites`: `_id` = SHA-256 hash of the code, `created_at`, `expires_at`, `used_at`.
//! - `appointments`: `_id` = appointment id, `patient_id`, `provider_id`, `preferred_start`,
//!   `visit_type`, `reason` (encrypted), `status`, `created_at`, `updated_at`. Reads join the current
//!   names from `users`.
//! - `sessions`: `_id` = session id, `user_id`, `refresh_hash` (unique), `created_at`,
//!   `last_used_at`, `expires_at`, `revoked_at`, `browser` (a label such as "Chrome on
//!   Linux", missing or null when unknown) and `purge_at`, the field of the TTL index (see the
//!   `sessions` module).
//! - `audit_events`: `_id` = `seq` = sequence number (64-bit integer), `occurred_at`, `actor_id`,
//!   `actor_role`, `action`, `subject_id`, `outcome`, `request_id`, `client_addr`,
//!   `prev_hash`, `hash` and `detail` (encrypted: the reason of an emergency access grant).
//! - `mfa`: `_id` = user id, the user's TOTP credential and unused recovery code hashes (see
//!   the `mfa` module).
//!
//! # Atomicity
//!
//! MongoDB runs multi-document transactions only on replica sets and sharded clusters, and the
//! store must also run on a single standalone server, so it relies on single-document writes
//! wherever it can and uses a transaction only for patient registration:
//!
//! - Patient registration writes the account and its audit event in one transaction when the
//!   deployment has transactions, and otherwise removes the account again when the event
//!   cannot be stored (see the `users` module).
//! - A patient (account, profile and consent) and a provider (account and details) are each
//!   one document, so inserting one and updating a profile are single-document writes.
//! - Appointment transitions, refresh token rotation and invite consumption are each one
//!   conditional update, so of two concurrent requests exactly one matches.
//! - Provider registration consumes the invite with a conditional update and then inserts the
//!   account. When the insert fails with a duplicate key, the invite is given back, as the
//!   `users` module describes. A crash between the two writes leaves the invite used without an
//!   account, and an administrator issues a new invite.
//! - Audit events take sequence numbers that follow the largest stored one (see the `audit`
//!   module). A batch that fails part-way keeps the events stored before the failure.
//! - `import_records` inserts in order and, when an insert fails, deletes what the same call
//!   inserted before it, so a failed import leaves the database as it was. The exception is a
//!   failure whose outcome is unknown (a lost connection during an insert), which is reported
//!   as such and leaves the partial import in place (see the `transfer` module).
//!
//! Every filter and update is built with `bson::doc!` from typed values, never from request
//! JSON, and name prefixes are escaped with [`regex::escape`] before they reach `$regex`.

mod appointments;
mod audit;
mod care;
mod codec;
mod connect;
mod encryption;
mod error;
mod health;
mod indexes;
mod list;
mod mfa;
mod profiles;
mod sealed;
mod sessions;
mod transfer;
mod users;

use std::fmt;

use async_trait::async_trait;
use bson::{Document, doc};
use mongodb::{Client, Collection, Database};
use portal_core::keyring::Keyring;
use portal_core::store::{Store, StoreResult};

pub use crate::connect::redact_url;
use crate::error::store_error;

/// Collection names.
const USERS: &str = "users";
const INVITES: &str = "invites";
const APPOINTMENTS: &str = "appointments";
const SESSIONS: &str = "sessions";
const AUDIT_EVENTS: &str = "audit_events";
const MFA: &str = "mfa";

/// The portal's storage over one MongoDB database. Cloning is cheap and shares the client's
/// connection pool.
#[derive(Clone)]
pub struct MongoStore {
    client: Client,
    database: Database,
    users: Collection<Document>,
    invites: Collection<Document>,
    appointments: Collection<Document>,
    sessions: Collection<Document>,
    audit_events: Collection<Document>,
    mfa: Collection<Document>,
    /// Encrypts health data with its newest key and decrypts with any of them.
    keyring: Keyring,
    /// Whether the deployment runs multi-document transactions (a replica set or sharded
    /// cluster); found out when connecting.
    transactions: bool,
}

/// Shows only the database name, so a debug print never includes client options or
/// credentials.
impl fmt::Debug for MongoStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("MongoStore")
            .field("database", &self.database.name())
            .finish_non_exhaustive()
    }
}

impl MongoStore {
    fn new(client: Client, database: Database, keyring: Keyring) -> Self {
        Self {
            users: database.collection(USERS),
            invites: database.collection(INVITES),
            appointments: database.collection(APPOINTMENTS),
            sessions: database.collection(SESSIONS),
            audit_events: database.collection(AUDIT_EVENTS),
            mfa: database.collection(MFA),
            keyring,
            transactions: false,
            client,
            database,
        }
    }

    /// Returns the name of the database the store uses.
    pub fn database_name(&self) -> &str {
        self.database.name()
    }

    /// Drops the whole database. Meant for tests that create a database per case.
    pub async fn drop_database(&self) -> StoreResult<()> {
        self.database.drop().await.map_err(store_error)
    }
}

#[async_trait]
impl Store for MongoStore {
    async fn ping(&self) -> StoreResult<()> {
        self.database
            .run_command(doc! { "ping": 1 })
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Shuts the client down: later calls on this store or its clones fail with
    /// `Unavailable`.
    async fn close(&self) {
        self.client.clone().shutdown().await;
    }
}
