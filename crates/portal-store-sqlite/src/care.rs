//! Care membership. A patient is in a provider's care when the patient names the provider as
//! primary provider or has any appointment with the provider.

use crate::codec::Columns;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::keyring::Keyring;
use portal_core::model::{CarePatient, Page, PageRequest};
use portal_core::store::{CareStore, StoreResult};
use uuid::Uuid;

use crate::SqliteStore;
use crate::codec::{self, encode_uuid};
use crate::error::{database_error, reader_error};
use crate::list::{PageBounds, prefix_pattern};
use crate::profiles::date_of_birth_from_row;
use crate::reader::all_rows;
use crate::time::encode_instant;

// The list and its name-prefix search read `care_members` (see its migration for how the table
// follows care membership). Placeholders: `?1` the LIKE pattern of the prefix or NULL, `?2`
// the provider, `?3` now, `?4` LIMIT, `?5` OFFSET and `?6` their sum.

/// The first `?6` care members of provider `?2` whose last name starts with the pattern
/// `?1`, and the first `?6` whose first name does. Each half reads its own index in name
/// order, so a page never visits the provider's other patients.
const PREFIX_ROWS: &str = "SELECT * FROM ( \
         SELECT patient_id, last_name_lower, first_name_lower FROM care_members \
         WHERE provider_id = ?2 AND last_name_lower LIKE ?1 ESCAPE '\\' \
         ORDER BY last_name_lower, first_name_lower, patient_id LIMIT ?6) \
     UNION \
     SELECT * FROM ( \
         SELECT patient_id, last_name_lower, first_name_lower FROM care_members \
         WHERE provider_id = ?2 AND first_name_lower LIKE ?1 ESCAPE '\\' \
         ORDER BY last_name_lower, first_name_lower, patient_id LIMIT ?6)";

/// The first `?6` care members of provider `?2` in name order; `?1` is NULL.
const ALL_ROWS: &str = "SELECT patient_id, last_name_lower, first_name_lower FROM care_members \
     WHERE provider_id = ?2 AND ?1 IS NULL \
     ORDER BY last_name_lower, first_name_lower, patient_id LIMIT ?6";

/// Counts the matches of `PREFIX_ROWS` as two index range counts, without collecting them.
const PREFIX_COUNT: &str = "SELECT \
     (SELECT COUNT(*) FROM care_members \
      WHERE provider_id = ?2 AND last_name_lower LIKE ?1 ESCAPE '\\') \
     + (SELECT COUNT(*) FROM care_members \
      WHERE provider_id = ?2 AND first_name_lower LIKE ?1 ESCAPE '\\' \
        AND NOT (last_name_lower LIKE ?1 ESCAPE '\\')) AS total";

const ALL_COUNT: &str =
    "SELECT COUNT(*) AS total FROM care_members WHERE provider_id = ?2 AND ?1 IS NULL";

fn care_patient_from_row(row: &impl Columns, keyring: &Keyring) -> StoreResult<CarePatient> {
    Ok(CarePatient {
        id: codec::uuid(row, "id")?,
        first_name: codec::text(row, "first_name")?,
        last_name: codec::text(row, "last_name")?,
        date_of_birth: date_of_birth_from_row(row, keyring)?,
        next_appointment: codec::optional_instant(row, "next_appointment")?,
    })
}

/// Number of rows up to the end of the requested page beyond which the search runs on the
/// blocking pool. A deep page visits every row before it, which would hold one of the
/// runtime's few threads for milliseconds.
const INLINE_ROWS: i64 = 500;

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
        let (rows_sql, count_sql) = if pattern.is_some() {
            (PREFIX_ROWS, PREFIX_COUNT)
        } else {
            (ALL_ROWS, ALL_COUNT)
        };
        let provider_id = encode_uuid(provider_id);

        let items_sql = format!(
            "SELECT u.id, u.first_name, u.last_name, p.date_of_birth, \
                 (SELECT MIN(a.preferred_start) FROM appointments a \
                  WHERE a.provider_id = ?2 AND a.patient_id = m.patient_id \
                    AND a.status IN ('requested', 'confirmed') AND a.preferred_start > ?3) \
                 AS next_appointment \
             FROM ({rows_sql}) m \
             JOIN users u ON u.id = m.patient_id \
             JOIN patients p ON p.user_id = m.patient_id \
             ORDER BY m.last_name_lower, m.first_name_lower, m.patient_id \
             LIMIT ?4 OFFSET ?5"
        );

        let now = encode_instant(now);
        let keyring = self.keyring.clone();
        let deep = bounds.offset.saturating_add(bounds.limit) > INLINE_ROWS;
        let read = move |connection: &mut rusqlite::Connection| {
            let pattern = pattern.as_deref();
            // One read transaction, so the items and the total come from the same snapshot.
            let snapshot = connection.transaction().map_err(reader_error)?;
            let items = all_rows(
                &snapshot,
                &items_sql,
                (
                    pattern,
                    &provider_id,
                    &now,
                    bounds.limit,
                    bounds.offset,
                    bounds.limit.saturating_add(bounds.offset),
                ),
                |row| care_patient_from_row(row, &keyring),
            )?;
            let total = all_rows(&snapshot, count_sql, (pattern, &provider_id), |row| {
                codec::count(row, "total")
            })?;
            snapshot.commit().map_err(reader_error)?;
            Ok((items, total.first().copied().unwrap_or_default()))
        };
        let (items, total) = if deep {
            self.readers.read_blocking(read).await?
        } else {
            self.readers.read(read)?
        };
        Ok(Page::new(items, page, total))
    }
}
