//! Sign-in sessions with hashed, rotating refresh tokens.

use crate::codec::Columns;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::model::Session;
use portal_core::store::{SessionStore, StoreResult};
use sqlx::SqliteExecutor;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::time::encode_instant;

const SELECT_SESSION: &str = "SELECT id, user_id, refresh_hash, created_at, last_used_at, \
     expires_at, revoked_at, browser FROM sessions";

pub(crate) fn session_from_row(row: &impl Columns) -> StoreResult<Session> {
    Ok(Session {
        id: codec::uuid(row, "id")?,
        user_id: codec::uuid(row, "user_id")?,
        refresh_hash: codec::text(row, "refresh_hash")?,
        created_at: codec::instant(row, "created_at")?,
        last_used_at: codec::instant(row, "last_used_at")?,
        expires_at: codec::instant(row, "expires_at")?,
        revoked_at: codec::optional_instant(row, "revoked_at")?,
        browser: codec::optional_text(row, "browser")?,
    })
}

/// Inserts a session with every field as given.
pub(crate) async fn insert_session_row(
    executor: impl SqliteExecutor<'_>,
    session: &Session,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, \
         expires_at, revoked_at, browser) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(encode_uuid(session.id))
    .bind(encode_uuid(session.user_id))
    .bind(&session.refresh_hash)
    .bind(encode_instant(session.created_at))
    .bind(encode_instant(session.last_used_at))
    .bind(encode_instant(session.expires_at))
    .bind(session.revoked_at.map(encode_instant))
    .bind(session.browser.as_deref())
    .execute(executor)
    .await
    .map_err(database_error)?;
    Ok(())
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        insert_session_row(&self.pool, session).await
    }

    async fn find_session(&self, id: Uuid) -> StoreResult<Option<Session>> {
        let sql = format!("{SELECT_SESSION} WHERE id = ?");
        self.readers
            .optional(&sql, [encode_uuid(id)], |row| session_from_row(row))
    }

    async fn find_session_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<Session>> {
        let sql = format!("{SELECT_SESSION} WHERE refresh_hash = ?");
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(database_error)?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn rotate_refresh(
        &self,
        id: Uuid,
        old_hash: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        // One conditional UPDATE, so of two concurrent rotations with the same old hash only
        // the first to take the write lock matches the row.
        let rotated = sqlx::query(
            "UPDATE sessions SET refresh_hash = ?, last_used_at = ? \
             WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL",
        )
        .bind(new_hash)
        .bind(encode_instant(now))
        .bind(encode_uuid(id))
        .bind(old_hash)
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(rotated.rows_affected() == 1)
    }

    async fn touch_session(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        only_if_older_than: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let touched = sqlx::query(
            "UPDATE sessions SET last_used_at = ? \
             WHERE id = ? AND last_used_at < ? AND revoked_at IS NULL",
        )
        .bind(encode_instant(now))
        .bind(encode_uuid(id))
        .bind(encode_instant(only_if_older_than))
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(touched.rows_affected() == 1)
    }

    async fn list_active_sessions(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
        used_after: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let sql = format!(
            "{SELECT_SESSION} WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? \
             AND last_used_at > ? ORDER BY created_at DESC, id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(encode_uuid(user_id))
            .bind(encode_instant(now))
            .bind(encode_instant(used_after))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(database_error)?;
        rows.iter().map(session_from_row).collect()
    }

    /// Revokes the session. A session revoked earlier keeps its first revocation time.
    async fn revoke_session(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(encode_instant(now))
            .bind(encode_uuid(id))
            .execute(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    /// Revokes the user's unrevoked sessions except `keep`, expired ones included.
    async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = ?1 \
             WHERE user_id = ?2 AND revoked_at IS NULL AND (?3 IS NULL OR id <> ?3)",
        )
        .bind(encode_instant(now))
        .bind(encode_uuid(user_id))
        .bind(keep.map(encode_uuid))
        .execute(&self.pool)
        .await
        .map_err(database_error)?;
        Ok(())
    }
}
