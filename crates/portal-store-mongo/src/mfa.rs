//! Two-step sign-in credentials: the `mfa` collection, one document per user with `_id` = user
//! id, `secret`, `created_at`, `confirmed_at` (null while pending), `last_step` and
//! `recovery_code_hashes` (the unused codes). Each write is one single-document operation,
//! conditional where a code is accepted, so two requests never accept the same code.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use portal_core::StoreError;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::store::{MfaRecord, MfaStore, StoreResult};
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{self, encode_instant, encode_optional_instant, encode_uuid};
use crate::error::{invalid_field, store_error};
use crate::sealed::{KEY_ID_FIELD, open_optional_text, seal_value};

/// Encrypts a TOTP secret for its field with the newest data key, bound to the user, in the
/// form of the other encrypted fields (see the `sealed` module).
fn encode_secret(keyring: &Keyring, user_id: Uuid, secret: &str) -> StoreResult<Bson> {
    seal_value(
        keyring,
        SealedField::TotpSecret,
        &encode_uuid(user_id),
        &Bson::from(secret),
    )
}

/// Decrypts the `secret` field of a credential document.
fn decode_secret(keyring: &Keyring, user_id: Uuid, document: &Document) -> StoreResult<String> {
    open_optional_text(
        keyring,
        SealedField::TotpSecret,
        &encode_uuid(user_id),
        document,
        "secret",
    )?
    .ok_or_else(|| invalid_field("secret"))
}

pub(crate) fn mfa_document(keyring: &Keyring, record: &MfaRecord) -> StoreResult<Document> {
    Ok(doc! {
        "_id": encode_uuid(record.user_id),
        "secret": encode_secret(keyring, record.user_id, &record.secret)?,
        KEY_ID_FIELD: keyring.newest_id(),
        "created_at": encode_instant(record.created_at),
        "confirmed_at": encode_optional_instant(record.confirmed_at),
        "last_step": record.last_step,
        "recovery_code_hashes": &record.recovery_code_hashes,
    })
}

/// Decodes a credential. The recovery code hashes come back sorted, as from the SQLite store.
pub(crate) fn mfa_from_document(keyring: &Keyring, document: &Document) -> StoreResult<MfaRecord> {
    let mut hashes = document
        .get_array("recovery_code_hashes")
        .map_err(|_| invalid_field("recovery_code_hashes"))?
        .iter()
        .map(|hash| {
            hash.as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid_field("recovery_code_hashes"))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    hashes.sort();
    let user_id = codec::uuid(document, "_id")?;
    Ok(MfaRecord {
        user_id,
        secret: decode_secret(keyring, user_id, document)?,
        created_at: codec::instant(document, "created_at")?,
        confirmed_at: codec::optional_instant(document, "confirmed_at")?,
        last_step: codec::integer(document, "last_step")?,
        recovery_code_hashes: hashes,
    })
}

impl MongoStore {
    /// Overwrites a pending credential; returns whether one matched.
    async fn replace_pending(
        &self,
        user_id: Uuid,
        secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let replaced = self
            .mfa
            .update_one(
                doc! { "_id": encode_uuid(user_id), "confirmed_at": Bson::Null },
                doc! { "$set": {
                    "secret": encode_secret(&self.keyring, user_id, secret)?,
                    KEY_ID_FIELD: self.keyring.newest_id(),
                    "created_at": encode_instant(now),
                    "last_step": 0_i64,
                    "recovery_code_hashes": Vec::<String>::new(),
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(replaced.matched_count == 1)
    }
}

#[async_trait]
impl MfaStore for MongoStore {
    async fn find_totp(&self, user_id: Uuid) -> StoreResult<Option<MfaRecord>> {
        let document = self
            .mfa
            .find_one(doc! { "_id": encode_uuid(user_id) })
            .await
            .map_err(store_error)?;
        document
            .as_ref()
            .map(|document| mfa_from_document(&self.keyring, document))
            .transpose()
    }

    /// Replaces a pending document, or inserts one when there is none. An insert that meets
    /// an existing `_id` lost a race: it replaces that document when it is pending, and
    /// otherwise the user has a confirmed credential.
    async fn set_pending_totp(
        &self,
        user_id: Uuid,
        secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        if self.replace_pending(user_id, secret, now).await? {
            return Ok(true);
        }
        let record = MfaRecord {
            user_id,
            secret: secret.to_owned(),
            created_at: now,
            confirmed_at: None,
            last_step: 0,
            recovery_code_hashes: Vec::new(),
        };
        match self
            .mfa
            .insert_one(mfa_document(&self.keyring, &record)?)
            .await
        {
            Ok(_) => Ok(true),
            Err(error) => match store_error(error) {
                StoreError::Duplicate(_) => self.replace_pending(user_id, secret, now).await,
                other => Err(other),
            },
        }
    }

    async fn confirm_totp(
        &self,
        user_id: Uuid,
        secret: &str,
        step: i64,
        recovery_code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // Each encryption of a secret differs (random nonce), so the stored secret is decrypted
        // and compared here, and the update is conditioned on the ciphertext that was read.
        // The pending state is checked here rather than in the query, because the nx-27017
        // stand-in's `find` does not match a stored null with `confirmed_at: null`.
        let credential = self
            .mfa
            .find_one(doc! { "_id": encode_uuid(user_id) })
            .await
            .map_err(store_error)?;
        let Some(pending) = credential
            .filter(|credential| matches!(credential.get("confirmed_at"), None | Some(Bson::Null)))
        else {
            return Ok(false);
        };
        let stored = pending.get("secret").cloned().unwrap_or(Bson::Null);
        if decode_secret(&self.keyring, user_id, &pending)? != secret {
            return Ok(false);
        }
        let confirmed = self
            .mfa
            .update_one(
                doc! {
                    "_id": encode_uuid(user_id),
                    "secret": &stored,
                    "confirmed_at": Bson::Null,
                },
                doc! { "$set": {
                    "confirmed_at": encode_instant(now),
                    "last_step": step,
                    "recovery_code_hashes": recovery_code_hashes,
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(confirmed.matched_count == 1)
    }

    async fn remove_totp(&self, user_id: Uuid) -> StoreResult<bool> {
        let removed = self
            .mfa
            .delete_one(doc! { "_id": encode_uuid(user_id) })
            .await
            .map_err(store_error)?;
        Ok(removed.deleted_count == 1)
    }

    async fn accept_totp_step(&self, user_id: Uuid, step: i64) -> StoreResult<bool> {
        let accepted = self
            .mfa
            .update_one(
                doc! {
                    "_id": encode_uuid(user_id),
                    "confirmed_at": { "$ne": Bson::Null },
                    "last_step": { "$lt": step },
                },
                doc! { "$set": { "last_step": step } },
            )
            .await
            .map_err(store_error)?;
        Ok(accepted.matched_count == 1)
    }

    async fn replace_recovery_codes(
        &self,
        user_id: Uuid,
        recovery_code_hashes: &[String],
    ) -> StoreResult<bool> {
        let replaced = self
            .mfa
            .update_one(
                doc! { "_id": encode_uuid(user_id), "confirmed_at": { "$ne": Bson::Null } },
                doc! { "$set": { "recovery_code_hashes": recovery_code_hashes } },
            )
            .await
            .map_err(store_error)?;
        Ok(replaced.matched_count == 1)
    }

    /// Pulls the hash with a filter that requires it, so of two concurrent uses one matches.
    async fn use_recovery_code(&self, user_id: Uuid, code_hash: &str) -> StoreResult<bool> {
        let used = self
            .mfa
            .update_one(
                doc! {
                    "_id": encode_uuid(user_id),
                    "confirmed_at": { "$ne": Bson::Null },
                    "recovery_code_hashes": code_hash,
                },
                doc! { "$pull": { "recovery_code_hashes": code_hash } },
            )
            .await
            .map_err(store_error)?;
        Ok(used.matched_count == 1)
    }
}
