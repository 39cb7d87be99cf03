//! Care membership. A patient is in a provider's care when the patient names the provider as
//! primary provider or has any appointment with the provider.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::keyring::Keyring;
use portal_core::model::{CarePatient, Page, PageRequest};
use portal_core::store::{CareStore, StoreResult};
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_uuid};
use crate::error::database_error;
use crate::list::{PageBounds, prefix_pattern};
use crate::profiles::date_of_birth_from_row;
use crate::time::encode_instant;
use crate::users::NAME_PREFIX_FILTER;

/// Ids of the patients in the care of provider `?2`.
const CARE_IDS: &str = "WITH care (patient_id) AS ( \
     SELECT user_id FROM patients WHERE primary_provider_id = ?2 \
     UNION \
     SELECT patient_id FROM appointments WHERE provider_id = ?2)";

fn care_patient_from_row(row: &SqliteRow, keyring: &Keyring) -> StoreResult<CarePatient> {
    Ok(CarePatient {
        id: codec::uuid(row, "id")?,
        first_name: codec::text(row, "first_name")?,
        last_name: codec::text(row, "last_name")?,
        date_of_birth: date_of_birth_from_row(row, keyring)?,
        next_appointment: codec::optional_instant(row, "next_appointment")?,
    })
}

#[async_trait]
impl CareStore for SqliteStore {
    async fn is_in_care(&self, provider_id: Uuid, patient_id: Uuid) -> StoreResult<bool> {
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM patients \
                 WHERE user_id = ?2 AND primary_provider_id = ?1) \
             OR EXISTS (SELECT 1 FROM appointments \
                 WHERE provider_id = ?1 AND patient_id = ?2) AS in_care",
        )
        .bind(encode_uuid(provider_id))
        .bind(encode_uuid(patient_id))
        .fetch_one(&self.pool)
        .await
        .map_err(database_error)?;
        codec::boolean(&row, "in_care")
    }

    async fn list_care_patients(
        &self,
        provider_id: Uuid,
        prefix: Option<&str>,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<Page<CarePatient>> {
        let bounds = PageBounds::new(page)?;
        let pattern = prefix_pattern(prefix);
        // Without a prefix, `?1` is bound but unused, so the placeholders keep their numbers.
        let filter = if pattern.is_some() {
            NAME_PREFIX_FILTER
        } else {
            "?1 IS NULL"
        };
        let provider_id = encode_uuid(provider_id);

        let items_sql = format!(
            "{CARE_IDS} \
             SELECT u.id, u.first_name, u.last_name, p.date_of_birth, \
                 (SELECT MIN(a.preferred_start) FROM appointments a \
                  WHERE a.provider_id = ?2 AND a.patient_id = c.patient_id \
                    AND a.status IN ('requested', 'confirmed') AND a.preferred_start > ?3) \
                 AS next_appointment \
             FROM care c \
             JOIN users u ON u.id = c.patient_id \
             JOIN patients p ON p.user_id = c.patient_id \
             WHERE {filter} \
             ORDER BY u.last_name_lower, u.first_name_lower, u.id \
             LIMIT ?4 OFFSET ?5"
        );
        let count_sql = format!(
            "{CARE_IDS} \
             SELECT COUNT(*) AS total FROM care c JOIN users u ON u.id = c.patient_id \
             WHERE {filter}"
        );

        // One read transaction, so the items and the total come from the same snapshot.
        let mut snapshot = self.pool.begin().await.map_err(database_error)?;
        let rows = sqlx::query(&items_sql)
            .bind(pattern.as_deref())
            .bind(&provider_id)
            .bind(encode_instant(now))
            .bind(bounds.limit)
            .bind(bounds.offset)
            .fetch_all(&mut *snapshot)
            .await
            .map_err(database_error)?;
        let row = sqlx::query(&count_sql)
            .bind(pattern.as_deref())
            .bind(&provider_id)
            .fetch_one(&mut *snapshot)
            .await
            .map_err(database_error)?;
        snapshot.commit().await.map_err(database_error)?;

        let items = rows
            .iter()
            .map(|row| care_patient_from_row(row, &self.keyring))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::new(items, page, codec::count(&row, "total")?))
    }
}
