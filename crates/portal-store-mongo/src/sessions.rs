//! Sign-in sessions with hashed, rotating refresh tokens.
//!
//! # Expiry
//!
//! The server deletes session documents through a TTL index (`expireAfterSeconds: 0`) on
//! `purge_at`, which is set when a session is written to
//! `max(expires_at, time of the write) + PURGE_DELAY`. So a session disappears one day after it
//! expires, and a session that was already expired when it was written (an imported one, or
//! one a test backdates) stays for a day after the write instead of vanishing at once.
//! Until it is deleted, an expired session reads back as stored, and the service checks
//! `Session::is_active`.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Duration, Utc};
use portal_core::model::Session;
use portal_core::store::{SessionStore, StoreResult};
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{
    self, encode_instant, encode_optional_instant, encode_optional_text, encode_uuid,
};
use crate::error::store_error;
use crate::list::collect;

/// How long a session document outlives its expiry (or its write, when that is later).
const PURGE_DELAY: Duration = Duration::days(1);

/// Returns when the TTL index may delete a session written at `written_at`.
fn purge_at(expires_at: DateTime<Utc>, written_at: DateTime<Utc>) -> DateTime<Utc> {
    expires_at.max(written_at) + PURGE_DELAY
}

pub(crate) fn session_document(session: &Session) -> Document {
    doc! {
        "_id": encode_uuid(session.id),
        "user_id": encode_uuid(session.user_id),
        "refresh_hash": &session.refresh_hash,
        "created_at": encode_instant(session.created_at),
        "last_used_at": encode_instant(session.last_used_at),
        "expires_at": encode_instant(session.expires_at),
        "revoked_at": encode_optional_instant(session.revoked_at),
        "purge_at": encode_instant(purge_at(session.expires_at, Utc::now())),
        "browser": encode_optional_text(session.browser.as_deref()),
    }
}

pub(crate) fn session_from_document(document: &Document) -> StoreResult<Session> {
    Ok(Session {
        id: codec::uuid(document, "_id")?,
        user_id: codec::uuid(document, "user_id")?,
        refresh_hash: codec::text(document, "refresh_hash")?,
        created_at: codec::instant(document, "created_at")?,
        last_used_at: codec::instant(document, "last_used_at")?,
        expires_at: codec::instant(document, "expires_at")?,
        revoked_at: codec::optional_instant(document, "revoked_at")?,
        // Sessions written before the label existed have no `browser` field.
        browser: codec::optional_text(document, "browser")?,
    })
}

#[async_trait]
impl SessionStore for MongoStore {
    /// Stores a new session, failing with `Duplicate("refresh_hash")` when the hash exists.
    async fn insert_session(&self, session: &Session) -> StoreResult<()> {
        self.sessions
            .insert_one(session_document(session))
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find_session(&self, id: Uuid) -> StoreResult<Option<Session>> {
        let session = self
            .sessions
            .find_one(doc! { "_id": encode_uuid(id) })
            .await
            .map_err(store_error)?;
        session.as_ref().map(session_from_document).transpose()
    }

    async fn find_session_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<Session>> {
        let session = self
            .sessions
            .find_one(doc! { "refresh_hash": hash })
            .await
            .map_err(store_error)?;
        session.as_ref().map(session_from_document).transpose()
    }

    /// Rotates with one conditional update, so of two concurrent rotations with the same old
    /// hash exactly one matches the document.
    async fn rotate_refresh(
        &self,
        id: Uuid,
        old_hash: &str,
        new_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let rotated = self
            .sessions
            .update_one(
                doc! {
                    "_id": encode_uuid(id),
                    "refresh_hash": old_hash,
                    "revoked_at": Bson::Null,
                },
                doc! { "$set": {
                    "refresh_hash": new_hash,
                    "last_used_at": encode_instant(now),
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(rotated.matched_count == 1)
    }

    async fn touch_session(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        only_if_older_than: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let touched = self
            .sessions
            .update_one(
                doc! {
                    "_id": encode_uuid(id),
                    "last_used_at": { "$lt": encode_instant(only_if_older_than) },
                    "revoked_at": Bson::Null,
                },
                doc! { "$set": { "last_used_at": encode_instant(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(touched.matched_count == 1)
    }

    async fn list_active_sessions(
        &self,
        user_id: Uuid,
        now: DateTime<Utc>,
        used_after: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Session>> {
        let cursor = self
            .sessions
            .find(doc! {
                "user_id": encode_uuid(user_id),
                "revoked_at": Bson::Null,
                "expires_at": { "$gt": encode_instant(now) },
                "last_used_at": { "$gt": encode_instant(used_after) },
            })
            .sort(doc! { "created_at": -1, "_id": -1 })
            .limit(i64::from(limit))
            .await
            .map_err(store_error)?;
        collect(cursor)
            .await?
            .iter()
            .map(session_from_document)
            .collect()
    }

    /// Revokes the session. A session revoked earlier keeps its first revocation time.
    async fn revoke_session(&self, id: Uuid, now: DateTime<Utc>) -> StoreResult<()> {
        self.sessions
            .update_one(
                doc! { "_id": encode_uuid(id), "revoked_at": Bson::Null },
                doc! { "$set": { "revoked_at": encode_instant(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Revokes the user's unrevoked sessions except `keep`, expired ones included.
    async fn revoke_user_sessions(
        &self,
        user_id: Uuid,
        keep: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut filter = doc! { "user_id": encode_uuid(user_id), "revoked_at": Bson::Null };
        if let Some(keep) = keep {
            filter.insert("_id", doc! { "$ne": encode_uuid(keep) });
        }
        self.sessions
            .update_many(
                filter,
                doc! { "$set": { "revoked_at": encode_instant(now) } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::{PURGE_DELAY, purge_at};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn purge_after_expiry() {
        let written = at("2026-12-04T10:00:00Z");
        let expires = written + Duration::hours(12);
        assert_eq!(
            purge_at(expires, written),
            expires + PURGE_DELAY,
            "a live session is purged a day after it expires"
        );
    }

    #[test]
    fn purge_backdated_after_write() {
        let written = at("2026-12-04T10:00:00Z");
        let expires = written - Duration::days(30);
        assert_eq!(
            purge_at(expires, written),
            written + PURGE_DELAY,
            "an expired session is kept a day after it is written"
        );
    }
}
