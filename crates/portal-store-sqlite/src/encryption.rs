//! Re-encryption under the newest data key, for `portal keys rotate`, and the key checks that
//! stop a store from opening with a wrong data key.

use async_trait::async_trait;
use portal_core::keyring::{SealedField, SealedRecordKind, is_valid_key_id};
use portal_core::store::{EncryptionStore, KeyUsage, StoreResult};

use crate::SqliteStore;
use crate::codec;
use crate::error::database_error;

/// The table of a kind of record, its key column and its encrypted columns. The first column
/// is the one [`EncryptionStore::count_by_key`] counts by.
struct SealedTable {
    table: &'static str,
    key: &'static str,
    columns: &'static [(&'static str, SealedField)],
}

const PATIENTS: SealedTable = SealedTable {
    table: "patients",
    key: "user_id",
    columns: &[
        ("date_of_birth", SealedField::DateOfBirth),
        ("sex_at_birth", SealedField::SexAtBirth),
        ("phone", SealedField::Phone),
        ("address", SealedField::Address),
        ("emergency_contact", SealedField::EmergencyContact),
        ("allergies", SealedField::Allergies),
        ("medications", SealedField::Medications),
        ("conditions", SealedField::Conditions),
    ],
};

const APPOINTMENTS: SealedTable = SealedTable {
    table: "appointments",
    key: "id",
    columns: &[("reason", SealedField::AppointmentReason)],
};

const MFA_TOTP: SealedTable = SealedTable {
    table: "mfa_totp",
    key: "user_id",
    columns: &[("secret", SealedField::TotpSecret)],
};

const AUDIT_EVENTS: SealedTable = SealedTable {
    table: "audit_events",
    key: "seq",
    columns: &[("detail", SealedField::AuditDetail)],
};

fn sealed_table(kind: SealedRecordKind) -> &'static SealedTable {
    match kind {
        SealedRecordKind::Patient => &PATIENTS,
        SealedRecordKind::Appointment => &APPOINTMENTS,
        SealedRecordKind::Mfa => &MFA_TOTP,
        SealedRecordKind::AuditEvent => &AUDIT_EVENTS,
    }
}

#[async_trait]
impl EncryptionStore for SqliteStore {
    async fn count_by_key(&self, kind: SealedRecordKind) -> StoreResult<Vec<KeyUsage>> {
        let table = sealed_table(kind);
        let (column, _) = table.columns[0];
        // The text between `v1.` and the next dot, or NULL for another form. The key id is
        // checked again below, so text such as `v1.2 follow-up` counts as plain text.
        let sql = format!(
            "SELECT CASE WHEN substr({column}, 1, 3) = 'v1.' \
                 AND instr(substr({column}, 4), '.') > 1 \
                 THEN substr({column}, 4, instr(substr({column}, 4), '.') - 1) END AS key_id, \
             COUNT(*) AS records \
             FROM {} WHERE {column} IS NOT NULL GROUP BY key_id",
            table.table
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(database_error)?;
        let mut usage: Vec<KeyUsage> = Vec::new();
        for row in &rows {
            let key_id = codec::optional_text(row, "key_id")?.filter(|id| is_valid_key_id(id));
            let records = codec::count(row, "records")?;
            match usage.iter_mut().find(|entry| entry.key_id == key_id) {
                Some(entry) => entry.records += records,
                None => usage.push(KeyUsage { key_id, records }),
            }
        }
        usage.sort_by(|left, right| left.key_id.cmp(&right.key_id));
        Ok(usage)
    }

    /// Rewrites the batch in one write transaction, so readers see each record either before
    /// or after, and a profile edit waits for the batch to finish.
    async fn reencrypt_batch(&self, kind: SealedRecordKind, limit: u32) -> StoreResult<u64> {
        if kind == SealedRecordKind::AuditEvent {
            return Ok(0);
        }
        let table = sealed_table(kind);
        let newest_prefix = format!("v1.{}.", self.keyring.newest_id());
        let column_names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let stale = column_names
            .iter()
            .map(|name| format!("({name} IS NOT NULL AND substr({name}, 1, ?1) <> ?2)"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let select = format!(
            "SELECT {key} AS record_id, {columns} FROM {table} WHERE {stale} \
             ORDER BY {key} LIMIT ?3",
            key = table.key,
            columns = column_names.join(", "),
            table = table.table,
        );
        let assignments = column_names
            .iter()
            .map(|name| format!("{name} = ?"))
            .collect::<Vec<_>>()
            .join(", ");
        let unchanged = column_names
            .iter()
            .map(|name| format!("{name} IS ?"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let update = format!(
            "UPDATE {table} SET {assignments} WHERE {key} = ? AND {unchanged}",
            table = table.table,
            key = table.key,
        );

        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        let rows = sqlx::query(&select)
            .bind(i64::try_from(newest_prefix.len()).unwrap_or(i64::MAX))
            .bind(&newest_prefix)
            .bind(i64::from(limit))
            .fetch_all(&mut *transaction)
            .await
            .map_err(database_error)?;
        let mut rewritten = 0;
        for row in &rows {
            let record_id = codec::text(row, "record_id")?;
            let mut old_values = Vec::with_capacity(table.columns.len());
            let mut new_values = Vec::with_capacity(table.columns.len());
            for (column, field) in table.columns {
                let stored = codec::optional_text(row, column)?;
                let sealed = stored
                    .as_deref()
                    .map(|stored| -> StoreResult<String> {
                        let plaintext = self.keyring.open(*field, &record_id, stored)?;
                        Ok(self.keyring.seal(*field, &record_id, &plaintext))
                    })
                    .transpose()?;
                old_values.push(stored);
                new_values.push(sealed);
            }
            let mut query = sqlx::query(&update);
            for value in new_values {
                query = query.bind(value);
            }
            query = query.bind(&record_id);
            for value in old_values {
                query = query.bind(value);
            }
            let result = query
                .execute(&mut *transaction)
                .await
                .map_err(database_error)?;
            rewritten += result.rows_affected();
        }
        transaction.commit().await.map_err(database_error)?;
        Ok(rewritten)
    }
}

impl SqliteStore {
    /// Checks every key of the keyring against its key check in `key_checks`, first writing a
    /// check for each key id that has none. Fails with [`portal_core::StoreError::Other`]
    /// naming `PORTAL_DATA_KEY` when a key differs from the key of the same id that wrote the
    /// check.
    pub(crate) async fn check_data_keys(&self) -> StoreResult<()> {
        let created_at = crate::time::encode_instant(chrono::Utc::now());
        for key_id in self.keyring.key_ids() {
            let sealed = self
                .keyring
                .seal_key_check(key_id)
                .expect("the keyring contains its own key ids");
            // Insert-if-absent, so two instances starting together agree on one check.
            sqlx::query(
                "INSERT INTO key_checks (key_id, sealed, created_at) VALUES (?, ?, ?) \
                 ON CONFLICT (key_id) DO NOTHING",
            )
            .bind(key_id)
            .bind(&sealed)
            .bind(&created_at)
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
            let stored: String =
                sqlx::query_scalar("SELECT sealed FROM key_checks WHERE key_id = ?")
                    .bind(key_id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(database_error)?;
            self.keyring.verify_key_check(key_id, &stored)?;
        }
        Ok(())
    }
}
