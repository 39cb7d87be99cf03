//! Accounts, provider details and provider invitations.

use crate::codec::Columns;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::model::{Invite, NewAuditEvent, Page, PageRequest, ProviderSummary, UserRecord};
use portal_core::store::{
    InviteStore, NewPatient, NewProvider, ProviderRegistration, StoreResult, UserStore,
};
use sqlx::SqliteExecutor;
use uuid::Uuid;

use crate::SqliteStore;
use crate::audit::append_events;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::list::{PageBounds, prefix_pattern};
use crate::profiles::insert_patient_row;
use crate::time::encode_instant;

const SELECT_USER: &str = "SELECT id, email, role, password_hash, first_name, last_name, \
     created_at, updated_at FROM users";

const SELECT_PROVIDER: &str = "SELECT u.id, u.first_name, u.last_name, p.specialty \
     FROM providers p JOIN users u ON u.id = p.user_id";

const PROVIDER_ORDER: &str = "ORDER BY u.last_name_lower, u.first_name_lower, u.id";

/// Filter on either name column, where `?1` is a pattern from [`prefix_pattern`].
pub(crate) const NAME_PREFIX_FILTER: &str =
    r"(u.first_name_lower LIKE ?1 ESCAPE '\' OR u.last_name_lower LIKE ?1 ESCAPE '\')";

pub(crate) fn user_from_row(row: &impl Columns) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        id: codec::uuid(row, "id")?,
        email: codec::text(row, "email")?,
        role: codec::role(row, "role")?,
        password_hash: codec::text(row, "password_hash")?,
        first_name: codec::text(row, "first_name")?,
        last_name: codec::text(row, "last_name")?,
        created_at: codec::instant(row, "created_at")?,
        updated_at: codec::instant(row, "updated_at")?,
    })
}

fn provider_from_row(row: &impl Columns) -> StoreResult<ProviderSummary> {
    Ok(ProviderSummary {
        id: codec::uuid(row, "id")?,
        first_name: codec::text(row, "first_name")?,
        last_name: codec::text(row, "last_name")?,
        specialty: codec::text(row, "specialty")?,
    })
}

/// Inserts the account row, failing with `Duplicate("email")` when the email is taken.
pub(crate) async fn insert_user(
    executor: impl SqliteExecutor<'_>,
    user: &UserRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO users (id, email, role, password_hash, first_name, last_name, \
         first_name_lower, last_name_lower, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(encode_uuid(user.id))
    .bind(&user.email)
    .bind(user.role.as_str())
    .bind(&user.password_hash)
    .bind(&user.first_name)
    .bind(&user.last_name)
    .bind(user.first_name.to_lowercase())
    .bind(user.last_name.to_lowercase())
    .bind(encode_instant(user.created_at))
    .bind(encode_instant(user.updated_at))
    .execute(executor)
    .await
    .map_err(database_error)?;
    Ok(())
}

/// Inserts the provider row of a provider whose account row exists in the same transaction.
pub(crate) async fn insert_provider_row(
    executor: impl SqliteExecutor<'_>,
    provider: &NewProvider,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO providers (user_id, npi, specialty) VALUES (?, ?, ?)")
        .bind(encode_uuid(provider.user.id))
        .bind(&provider.details.npi)
        .bind(&provider.details.specialty)
        .execute(executor)
        .await
        .map_err(database_error)?;
    Ok(())
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn insert_patient(
        &self,
        patient: &NewPatient,
        registered: &NewAuditEvent,
    ) -> StoreResult<()> {
        // An early return drops the transaction, which rolls it back.
        let mut transaction = self.begin_write().await?;
        insert_user(&mut *transaction, &patient.user).await?;
        insert_patient_row(
            &mut *transaction,
            &self.keyring,
            patient,
            patient.user.updated_at,
        )
        .await?;
        append_events(
            &mut transaction,
            &self.keyring,
            std::slice::from_ref(registered),
        )
        .await?;
        transaction.commit().await.map_err(database_error)
    }

    async fn insert_provider(
        &self,
        provider: &NewProvider,
        invite_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ProviderRegistration> {
        // An early return drops the transaction, which rolls it back and so leaves the invite
        // unused when the email is taken.
        let mut transaction = self.begin_write().await?;
        let consumed = sqlx::query(
            "UPDATE invites SET used_at = ?1 \
             WHERE code_hash = ?2 AND used_at IS NULL AND expires_at > ?1",
        )
        .bind(encode_instant(now))
        .bind(invite_hash)
        .execute(&mut *transaction)
        .await
        .map_err(database_error)?;
        if consumed.rows_affected() == 0 {
            transaction.rollback().await.map_err(database_error)?;
            return Ok(ProviderRegistration::InviteRejected);
        }

        insert_user(&mut *transaction, &provider.user).await?;
        insert_provider_row(&mut *transaction, provider).await?;
        transaction.commit().await.map_err(database_error)?;
        Ok(ProviderRegistration::Created)
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{SELECT_USER} WHERE email = ?");
        let row = sqlx::query(&sql)
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(database_error)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn find_user(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        let sql = format!("{SELECT_USER} WHERE id = ?");
        self.readers
            .optional(&sql, [encode_uuid(id)], |row| user_from_row(row))
    }

    /// Sets the password hash. An unknown `user_id` changes nothing and is not an error.
    async fn update_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
            .bind(password_hash)
            .bind(encode_instant(now))
            .bind(encode_uuid(user_id))
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    async fn list_providers(
        &self,
        prefix: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Page<ProviderSummary>> {
        let bounds = PageBounds::new(page)?;
        let pattern = prefix_pattern(prefix);
        // Without a prefix, `?1` is bound but unused, so the placeholders keep their numbers.
        let filter = if pattern.is_some() {
            NAME_PREFIX_FILTER
        } else {
            "?1 IS NULL"
        };

        let items_sql =
            format!("{SELECT_PROVIDER} WHERE {filter} {PROVIDER_ORDER} LIMIT ?2 OFFSET ?3");
        let count_sql = format!(
            "SELECT COUNT(*) AS total FROM providers p JOIN users u ON u.id = p.user_id \
             WHERE {filter}"
        );

        // One read transaction, so the items and the total come from the same snapshot.
        let mut snapshot = self.pool.begin().await.map_err(database_error)?;
        let rows = sqlx::query(&items_sql)
            .bind(pattern.as_deref())
            .bind(bounds.limit)
            .bind(bounds.offset)
            .fetch_all(&mut *snapshot)
            .await
            .map_err(database_error)?;
        let row = sqlx::query(&count_sql)
            .bind(pattern.as_deref())
            .fetch_one(&mut *snapshot)
            .await
            .map_err(database_error)?;
        snapshot.commit().await.map_err(database_error)?;

        let items = rows
            .iter()
            .map(provider_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::new(items, page, codec::count(&row, "total")?))
    }

    async fn find_provider(&self, id: Uuid) -> StoreResult<Option<ProviderSummary>> {
        let sql = format!("{SELECT_PROVIDER} WHERE p.user_id = ?");
        self.readers
            .optional(&sql, [encode_uuid(id)], |row| provider_from_row(row))
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let row = sqlx::query("SELECT NOT EXISTS (SELECT 1 FROM users) AS empty")
            .fetch_one(&self.pool)
            .await
            .map_err(database_error)?;
        codec::boolean(&row, "empty")
    }
}

#[async_trait]
impl InviteStore for SqliteStore {
    /// Stores a new invite, failing with `Duplicate("invite")` when the code hash exists.
    async fn insert_invite(&self, invite: &Invite) -> StoreResult<()> {
        sqlx::query("INSERT INTO invites (code_hash, created_at, expires_at) VALUES (?, ?, ?)")
            .bind(&invite.code_hash)
            .bind(encode_instant(invite.created_at))
            .bind(encode_instant(invite.expires_at))
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }
}
