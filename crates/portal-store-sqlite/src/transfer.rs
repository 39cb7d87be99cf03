//! Whole-database export and import for `portal migrate-data`.
//!
//! Export reads one kind of record at a time in key order (user id, invite code hash,
//! appointment id, session id, audit sequence number), so a cursor is the key of the last record
//! returned. Import writes every record exactly as given, in one write transaction.

use crate::codec::Columns;
use async_trait::async_trait;
use portal_core::StoreError;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::{Consent, Invite, NewAppointment, NewAuditEvent, ProviderDetails};
use portal_core::store::{
    NewPatient, NewProvider, RecordKind, StoreResult, StoredAppointment, StoredAuditEvent,
    StoredInvite, TransferRecord, TransferStore,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Sqlite, SqliteExecutor, Transaction};

use crate::SqliteStore;
use crate::appointments::insert_appointment_row;
use crate::audit::insert_event_row;
use crate::codec;
use crate::error::database_error;
use crate::mfa::{SELECT_TOTP, insert_mfa_rows, recovery_code_hashes, totp_from_row};
use crate::profiles::{date_of_birth_from_row, health_from_row, insert_patient_row};
use crate::sealed::RowSealer;
use crate::sessions::{insert_session_row, session_from_row};
use crate::time::encode_instant;
use crate::users::{insert_provider_row, insert_user, user_from_row};

const SELECT_PROVIDERS: &str = "SELECT u.id, u.email, u.role, u.password_hash, u.first_name, \
     u.last_name, u.created_at, u.updated_at, p.npi, p.specialty \
     FROM providers p JOIN users u ON u.id = p.user_id \
     WHERE ?1 IS NULL OR p.user_id > ?1 ORDER BY p.user_id LIMIT ?2";

const SELECT_PATIENTS: &str = "SELECT u.id, u.email, u.role, u.password_hash, u.first_name, \
     u.last_name, u.created_at, u.updated_at, p.date_of_birth, p.consent_version, \
     p.consent_accepted_at, p.sex_at_birth, p.phone, p.address, p.emergency_contact, \
     p.allergies, p.medications, p.conditions, p.primary_provider_id, \
     p.updated_at AS profile_updated_at \
     FROM patients p JOIN users u ON u.id = p.user_id \
     WHERE ?1 IS NULL OR p.user_id > ?1 ORDER BY p.user_id LIMIT ?2";

const SELECT_INVITES: &str = "SELECT code_hash, created_at, expires_at, used_at FROM invites \
     WHERE ?1 IS NULL OR code_hash > ?1 ORDER BY code_hash LIMIT ?2";

const SELECT_APPOINTMENTS: &str = "SELECT id, patient_id, provider_id, preferred_start, \
     visit_type, reason, status, created_at, updated_at FROM appointments \
     WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2";

const SELECT_SESSIONS: &str = "SELECT id, user_id, refresh_hash, created_at, last_used_at, \
     expires_at, revoked_at, browser FROM sessions \
     WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2";

const SELECT_AUDIT_EVENTS: &str = "SELECT seq, occurred_at, actor_id, actor_role, action, \
     subject_id, outcome, request_id, client_addr, prev_hash, hash, detail FROM audit_events \
     WHERE ?1 IS NULL OR seq > ?1 ORDER BY seq LIMIT ?2";

/// Table holding one record per row of each kind.
fn table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Provider => "providers",
        RecordKind::Patient => "patients",
        RecordKind::Invite => "invites",
        RecordKind::Appointment => "appointments",
        RecordKind::Session => "sessions",
        RecordKind::AuditEvent => "audit_events",
        RecordKind::Mfa => "mfa_totp",
    }
}

fn provider_from_row(row: &impl Columns, _keyring: &Keyring) -> StoreResult<TransferRecord> {
    Ok(TransferRecord::Provider(NewProvider {
        user: user_from_row(row)?,
        details: ProviderDetails {
            npi: codec::text(row, "npi")?,
            specialty: codec::text(row, "specialty")?,
        },
    }))
}

fn patient_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<TransferRecord> {
    Ok(TransferRecord::Patient {
        patient: NewPatient {
            user: user_from_row(row)?,
            date_of_birth: date_of_birth_from_row(row, keyring)?,
            consent: Consent {
                policy_version: codec::text(row, "consent_version")?,
                accepted_at: codec::instant(row, "consent_accepted_at")?,
            },
            health: health_from_row(row, keyring)?,
        },
        profile_updated_at: codec::instant(row, "profile_updated_at")?,
    })
}

fn invite_from_row(row: &impl Columns, _keyring: &Keyring) -> StoreResult<TransferRecord> {
    Ok(TransferRecord::Invite(StoredInvite {
        invite: Invite {
            code_hash: codec::text(row, "code_hash")?,
            created_at: codec::instant(row, "created_at")?,
            expires_at: codec::instant(row, "expires_at")?,
        },
        used_at: codec::optional_instant(row, "used_at")?,
    }))
}

fn appointment_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<TransferRecord> {
    let id = codec::uuid(row, "id")?;
    let sealer = RowSealer::new(keyring, codec::encode_uuid(id));
    Ok(TransferRecord::Appointment(StoredAppointment {
        appointment: NewAppointment {
            id,
            patient_id: codec::uuid(row, "patient_id")?,
            provider_id: codec::uuid(row, "provider_id")?,
            preferred_start: codec::instant(row, "preferred_start")?,
            visit_type: codec::visit_type(row, "visit_type")?,
            reason: sealer.text(row, "reason", SealedField::AppointmentReason)?,
            status: codec::appointment_status(row, "status")?,
            created_at: codec::instant(row, "created_at")?,
        },
        updated_at: codec::instant(row, "updated_at")?,
    }))
}

fn audit_event_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<TransferRecord> {
    let seq = codec::integer(row, "seq")?;
    let sealer = RowSealer::new(keyring, seq);
    Ok(TransferRecord::AuditEvent(StoredAuditEvent {
        seq,
        prev_hash: codec::text(row, "prev_hash")?,
        hash: codec::text(row, "hash")?,
        event: NewAuditEvent {
            occurred_at: codec::instant(row, "occurred_at")?,
            actor_id: codec::optional_uuid(row, "actor_id")?,
            actor_role: codec::optional_role(row, "actor_role")?,
            action: codec::text(row, "action")?.into(),
            subject_id: codec::optional_uuid(row, "subject_id")?,
            outcome: codec::outcome(row, "outcome")?,
            request_id: codec::text(row, "request_id")?,
            client_addr: codec::text(row, "client_addr")?,
            detail: sealer.optional_text(row, "detail", SealedField::AuditDetail)?,
        },
    }))
}

/// Returns the cursor that follows `record`: its key as the export query compares it.
fn cursor_of(record: &TransferRecord) -> String {
    match record {
        TransferRecord::Provider(provider) => codec::encode_uuid(provider.user.id),
        TransferRecord::Patient { patient, .. } => codec::encode_uuid(patient.user.id),
        TransferRecord::Invite(stored) => stored.invite.code_hash.clone(),
        TransferRecord::Appointment(stored) => codec::encode_uuid(stored.appointment.id),
        TransferRecord::Session(session) => codec::encode_uuid(session.id),
        TransferRecord::AuditEvent(stored) => stored.seq.to_string(),
        TransferRecord::Mfa(record) => codec::encode_uuid(record.user_id),
    }
}

/// Inserts one record of any kind with every stored field kept; encrypted fields are encrypted
/// with this store's newest key.
async fn import_record(
    transaction: &mut Transaction<'static, Sqlite>,
    keyring: &Keyring,
    record: &TransferRecord,
) -> StoreResult<()> {
    match record {
        TransferRecord::Provider(provider) => {
            insert_user(&mut **transaction, &provider.user).await?;
            insert_provider_row(&mut **transaction, provider).await
        }
        TransferRecord::Patient {
            patient,
            profile_updated_at,
        } => {
            insert_user(&mut **transaction, &patient.user).await?;
            insert_patient_row(&mut **transaction, keyring, patient, *profile_updated_at).await
        }
        TransferRecord::Invite(stored) => insert_stored_invite(&mut **transaction, stored).await,
        TransferRecord::Appointment(stored) => {
            insert_appointment_row(
                &mut **transaction,
                keyring,
                &stored.appointment,
                stored.updated_at,
            )
            .await
        }
        TransferRecord::Session(session) => insert_session_row(&mut **transaction, session).await,
        TransferRecord::AuditEvent(stored) => {
            insert_event_row(&mut **transaction, keyring, stored).await
        }
        TransferRecord::Mfa(record) => insert_mfa_rows(transaction, keyring, record).await,
    }
}

async fn insert_stored_invite(
    executor: impl SqliteExecutor<'_>,
    stored: &StoredInvite,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO invites (code_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, ?)",
    )
    .bind(&stored.invite.code_hash)
    .bind(encode_instant(stored.invite.created_at))
    .bind(encode_instant(stored.invite.expires_at))
    .bind(stored.used_at.map(encode_instant))
    .execute(executor)
    .await
    .map_err(database_error)?;
    Ok(())
}

#[async_trait]
impl TransferStore for SqliteStore {
    async fn count_records(&self, kind: RecordKind) -> StoreResult<u64> {
        let sql = format!("SELECT COUNT(*) AS total FROM {}", table(kind));
        let row = sqlx::query(&sql)
            .fetch_one(&self.pool)
            .await
            .map_err(database_error)?;
        codec::count(&row, "total")
    }

    /// Returns the page and the cursor of its last record; an empty page returns no cursor.
    /// An audit event cursor that is not a sequence number is rejected with `Other`.
    async fn export_records(
        &self,
        kind: RecordKind,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<(Vec<TransferRecord>, Option<String>)> {
        type Decode = fn(&SqliteRow, &Keyring) -> StoreResult<TransferRecord>;
        let (sql, decode): (&str, Decode) = match kind {
            RecordKind::Provider => (SELECT_PROVIDERS, provider_from_row),
            RecordKind::Patient => (SELECT_PATIENTS, patient_from_row),
            RecordKind::Invite => (SELECT_INVITES, invite_from_row),
            RecordKind::Appointment => (SELECT_APPOINTMENTS, appointment_from_row),
            RecordKind::Session => (SELECT_SESSIONS, |row, _| {
                session_from_row(row).map(TransferRecord::Session)
            }),
            RecordKind::AuditEvent => (SELECT_AUDIT_EVENTS, audit_event_from_row),
            // A credential's recovery codes are rows of another table, read per credential.
            RecordKind::Mfa => return self.export_mfa(after, limit).await,
        };
        let query = sqlx::query(sql);
        // Sequence numbers compare as integers, so the audit cursor is bound as one.
        let query = if kind == RecordKind::AuditEvent {
            let seq = after
                .map(|cursor| {
                    cursor.parse::<i64>().map_err(|_| {
                        StoreError::Other("invalid audit event cursor: expected a number".into())
                    })
                })
                .transpose()?;
            query.bind(seq)
        } else {
            query.bind(after.map(str::to_owned))
        };
        let rows = query
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(database_error)?;

        let records = rows
            .iter()
            .map(|row| decode(row, &self.keyring))
            .collect::<StoreResult<Vec<_>>>()?;
        let cursor = records.last().map(cursor_of);
        Ok((records, cursor))
    }

    /// Inserts the records in the order given, in one transaction, so a failure (a duplicate
    /// key is `Duplicate`, a missing referenced record is `Other`) leaves the store unchanged.
    async fn import_records(&self, records: &[TransferRecord]) -> StoreResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        for record in records {
            import_record(&mut transaction, &self.keyring, record).await?;
        }
        transaction.commit().await.map_err(database_error)
    }
}

impl SqliteStore {
    /// Exports credentials in user id order, each with its recovery code hashes.
    async fn export_mfa(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<(Vec<TransferRecord>, Option<String>)> {
        let sql =
            format!("{SELECT_TOTP} WHERE ?1 IS NULL OR user_id > ?1 ORDER BY user_id LIMIT ?2");
        let rows = sqlx::query(&sql)
            .bind(after.map(str::to_owned))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(database_error)?;
        let mut records = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut record = totp_from_row(row, &self.keyring)?;
            record.recovery_code_hashes = recovery_code_hashes(&self.pool, record.user_id).await?;
            records.push(TransferRecord::Mfa(record));
        }
        let cursor = records.last().map(cursor_of);
        Ok((records, cursor))
    }
}
