//! Two-step sign-in credentials: the `mfa_totp` and `mfa_recovery_codes` tables.

use crate::codec::Columns;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::keyring::{Keyring, SealedField};
use portal_core::store::{MfaRecord, MfaStore, StoreResult};
use sqlx::{Sqlite, SqliteExecutor, Transaction};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::time::encode_instant;

pub(crate) const SELECT_TOTP: &str =
    "SELECT user_id, secret, created_at, confirmed_at, last_step FROM mfa_totp";

/// Encrypts a TOTP secret for its column with the newest data key, bound to the user.
fn encode_secret(keyring: &Keyring, user_id: Uuid, secret: &str) -> String {
    keyring.seal(SealedField::TotpSecret, &encode_uuid(user_id), secret)
}

fn decode_secret(keyring: &Keyring, user_id: Uuid, stored: &str) -> StoreResult<String> {
    let secret = keyring.open(SealedField::TotpSecret, &encode_uuid(user_id), stored)?;
    Ok(secret.into_owned())
}

/// Decodes a `mfa_totp` row; the recovery code hashes are read separately.
pub(crate) fn totp_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<MfaRecord> {
    let user_id = codec::uuid(row, "user_id")?;
    Ok(MfaRecord {
        user_id,
        secret: decode_secret(keyring, user_id, &codec::text(row, "secret")?)?,
        created_at: codec::instant(row, "created_at")?,
        confirmed_at: codec::optional_instant(row, "confirmed_at")?,
        last_step: codec::integer(row, "last_step")?,
        recovery_code_hashes: Vec::new(),
    })
}

/// Returns the user's unused recovery code hashes, in hash order.
pub(crate) async fn recovery_code_hashes(
    executor: impl SqliteExecutor<'_>,
    user_id: Uuid,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT code_hash FROM mfa_recovery_codes WHERE user_id = ? ORDER BY code_hash",
    )
    .bind(encode_uuid(user_id))
    .fetch_all(executor)
    .await
    .map_err(database_error)?;
    rows.iter()
        .map(|row| codec::text(row, "code_hash"))
        .collect()
}

/// Inserts a credential and its recovery codes with every field as given.
pub(crate) async fn insert_mfa_rows(
    transaction: &mut Transaction<'static, Sqlite>,
    keyring: &Keyring,
    record: &MfaRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO mfa_totp (user_id, secret, created_at, confirmed_at, last_step) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(encode_uuid(record.user_id))
    .bind(encode_secret(keyring, record.user_id, &record.secret))
    .bind(encode_instant(record.created_at))
    .bind(record.confirmed_at.map(encode_instant))
    .bind(record.last_step)
    .execute(&mut **transaction)
    .await
    .map_err(database_error)?;
    insert_recovery_codes(transaction, record.user_id, &record.recovery_code_hashes).await
}

async fn insert_recovery_codes(
    transaction: &mut Transaction<'static, Sqlite>,
    user_id: Uuid,
    hashes: &[String],
) -> StoreResult<()> {
    for hash in hashes {
        sqlx::query("INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)")
            .bind(encode_uuid(user_id))
            .bind(hash)
            .execute(&mut **transaction)
            .await
            .map_err(database_error)?;
    }
    Ok(())
}

async fn delete_recovery_codes(
    transaction: &mut Transaction<'static, Sqlite>,
    user_id: Uuid,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = ?")
        .bind(encode_uuid(user_id))
        .execute(&mut **transaction)
        .await
        .map_err(database_error)?;
    Ok(())
}

#[async_trait]
impl MfaStore for SqliteStore {
    async fn find_totp(&self, user_id: Uuid) -> StoreResult<Option<MfaRecord>> {
        let sql = format!("{SELECT_TOTP} WHERE user_id = ?");
        let row = sqlx::query(&sql)
            .bind(encode_uuid(user_id))
            .fetch_optional(&self.pool)
            .await
            .map_err(database_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut record = totp_from_row(&row, &self.keyring)?;
        record.recovery_code_hashes = recovery_code_hashes(&self.pool, user_id).await?;
        Ok(Some(record))
    }

    /// Inserts or replaces in one upsert whose update applies only to a pending row, so a
    /// confirmed credential is never replaced.
    async fn set_pending_totp(
        &self,
        user_id: Uuid,
        secret: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let result = sqlx::query(
            "INSERT INTO mfa_totp (user_id, secret, created_at, confirmed_at, last_step) \
             VALUES (?1, ?2, ?3, NULL, 0) \
             ON CONFLICT (user_id) DO UPDATE SET secret = ?2, created_at = ?3, last_step = 0 \
             WHERE mfa_totp.confirmed_at IS NULL",
        )
        .bind(encode_uuid(user_id))
        .bind(encode_secret(&self.keyring, user_id, secret))
        .bind(encode_instant(now))
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(result.rows_affected() == 1)
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
        let mut transaction = self.begin_write().await?;
        let pending =
            sqlx::query("SELECT secret FROM mfa_totp WHERE user_id = ? AND confirmed_at IS NULL")
                .bind(encode_uuid(user_id))
                .fetch_optional(&mut *transaction)
                .await
                .map_err(database_error)?;
        let Some(pending) = pending else {
            return Ok(false);
        };
        let stored = codec::text(&pending, "secret")?;
        if decode_secret(&self.keyring, user_id, &stored)? != secret {
            return Ok(false);
        }

        let confirmed = sqlx::query(
            "UPDATE mfa_totp SET confirmed_at = ?, last_step = ? \
             WHERE user_id = ? AND secret = ? AND confirmed_at IS NULL",
        )
        .bind(encode_instant(now))
        .bind(step)
        .bind(encode_uuid(user_id))
        .bind(&stored)
        .execute(&mut *transaction)
        .await
        .map_err(database_error)?;
        if confirmed.rows_affected() != 1 {
            return Ok(false);
        }
        delete_recovery_codes(&mut transaction, user_id).await?;
        insert_recovery_codes(&mut transaction, user_id, recovery_code_hashes).await?;
        transaction.commit().await.map_err(database_error)?;
        Ok(true)
    }

    async fn remove_totp(&self, user_id: Uuid) -> StoreResult<bool> {
        // The recovery codes go with the credential (ON DELETE CASCADE).
        let removed = sqlx::query("DELETE FROM mfa_totp WHERE user_id = ?")
            .bind(encode_uuid(user_id))
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(removed.rows_affected() == 1)
    }

    async fn accept_totp_step(&self, user_id: Uuid, step: i64) -> StoreResult<bool> {
        let accepted = sqlx::query(
            "UPDATE mfa_totp SET last_step = ? \
             WHERE user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?",
        )
        .bind(step)
        .bind(encode_uuid(user_id))
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(accepted.rows_affected() == 1)
    }

    async fn replace_recovery_codes(
        &self,
        user_id: Uuid,
        recovery_code_hashes: &[String],
    ) -> StoreResult<bool> {
        let mut transaction = self.begin_write().await?;
        let confirmed = sqlx::query(
            "SELECT 1 AS found FROM mfa_totp WHERE user_id = ? AND confirmed_at IS NOT NULL",
        )
        .bind(encode_uuid(user_id))
        .fetch_optional(&mut *transaction)
        .await
        .map_err(database_error)?;
        if confirmed.is_none() {
            return Ok(false);
        }
        delete_recovery_codes(&mut transaction, user_id).await?;
        insert_recovery_codes(&mut transaction, user_id, recovery_code_hashes).await?;
        transaction.commit().await.map_err(database_error)?;
        Ok(true)
    }

    async fn use_recovery_code(&self, user_id: Uuid, code_hash: &str) -> StoreResult<bool> {
        let used = sqlx::query(
            "DELETE FROM mfa_recovery_codes WHERE user_id = ?1 AND code_hash = ?2 \
             AND EXISTS (SELECT 1 FROM mfa_totp \
                         WHERE user_id = ?1 AND confirmed_at IS NOT NULL)",
        )
        .bind(encode_uuid(user_id))
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(used.rows_affected() == 1)
    }
}
