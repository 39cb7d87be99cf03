//! Column encodings of ids, enumerations and JSON values, and typed getters for result rows.
//!
//! Every getter names the column in its error and never the stored value.

use chrono::{DateTime, Utc};
use portal_core::StoreError;
use portal_core::model::{AppointmentStatus, Outcome, Role, SexAtBirth, VisitType};
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::error::{database_error, invalid_column, reader_error};
use crate::time::decode_instant;

/// Formats an id as lower-case hyphenated text, whose order equals the UUID byte order.
pub(crate) fn encode_uuid(id: Uuid) -> String {
    id.hyphenated().to_string()
}

pub(crate) fn encode_sex_at_birth(value: SexAtBirth) -> &'static str {
    match value {
        SexAtBirth::Female => "female",
        SexAtBirth::Male => "male",
        SexAtBirth::Intersex => "intersex",
        SexAtBirth::Unknown => "unknown",
    }
}

pub(crate) fn parse_sex_at_birth(value: &str) -> Option<SexAtBirth> {
    match value {
        "female" => Some(SexAtBirth::Female),
        "male" => Some(SexAtBirth::Male),
        "intersex" => Some(SexAtBirth::Intersex),
        "unknown" => Some(SexAtBirth::Unknown),
        _ => None,
    }
}

/// Serializes a value of the model as JSON text.
pub(crate) fn encode_json<T: Serialize>(value: &T, column: &str) -> Result<String, StoreError> {
    // serde_json's message may quote the value, so it is dropped.
    serde_json::to_string(value)
        .map_err(|_| StoreError::Other(format!("failed to encode JSON for column {column}")))
}

/// A result row of either database library: the rows of sqlx's pool and those of the
/// read-only connections of [`crate::reader`] decode through the same functions.
pub(crate) trait Columns {
    fn optional_text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn optional_integer(&self, column: &str) -> Result<Option<i64>, StoreError>;
}

impl Columns for SqliteRow {
    fn optional_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.try_get(column).map_err(database_error)
    }

    fn optional_integer(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(column).map_err(database_error)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn optional_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get(column).map_err(reader_error)
    }

    fn optional_integer(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.get(column).map_err(reader_error)
    }
}

/// Reports a NULL in a column that must hold a value.
fn missing(column: &str) -> StoreError {
    StoreError::Other(format!("unexpected NULL in column {column}"))
}

pub(crate) fn text(row: &impl Columns, column: &str) -> Result<String, StoreError> {
    row.optional_text(column)?.ok_or_else(|| missing(column))
}

pub(crate) fn optional_text(
    row: &impl Columns,
    column: &str,
) -> Result<Option<String>, StoreError> {
    row.optional_text(column)
}

pub(crate) fn integer(row: &impl Columns, column: &str) -> Result<i64, StoreError> {
    row.optional_integer(column)?.ok_or_else(|| missing(column))
}

pub(crate) fn boolean(row: &impl Columns, column: &str) -> Result<bool, StoreError> {
    Ok(integer(row, column)? != 0)
}

/// Reads a non-negative count, such as the result of `COUNT(*)`.
pub(crate) fn count(row: &impl Columns, column: &str) -> Result<u64, StoreError> {
    u64::try_from(integer(row, column)?).map_err(|_| invalid_column(column))
}

pub(crate) fn uuid(row: &impl Columns, column: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(&text(row, column)?).map_err(|_| invalid_column(column))
}

pub(crate) fn optional_uuid(row: &impl Columns, column: &str) -> Result<Option<Uuid>, StoreError> {
    optional_text(row, column)?
        .map(|value| Uuid::try_parse(&value).map_err(|_| invalid_column(column)))
        .transpose()
}

pub(crate) fn instant(row: &impl Columns, column: &str) -> Result<DateTime<Utc>, StoreError> {
    decode_instant(&text(row, column)?, column)
}

pub(crate) fn optional_instant(
    row: &impl Columns,
    column: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    optional_text(row, column)?
        .map(|value| decode_instant(&value, column))
        .transpose()
}

pub(crate) fn role(row: &impl Columns, column: &str) -> Result<Role, StoreError> {
    Role::parse(&text(row, column)?).ok_or_else(|| invalid_column(column))
}

pub(crate) fn optional_role(row: &impl Columns, column: &str) -> Result<Option<Role>, StoreError> {
    optional_text(row, column)?
        .map(|value| Role::parse(&value).ok_or_else(|| invalid_column(column)))
        .transpose()
}

pub(crate) fn appointment_status(
    row: &impl Columns,
    column: &str,
) -> Result<AppointmentStatus, StoreError> {
    AppointmentStatus::parse(&text(row, column)?).ok_or_else(|| invalid_column(column))
}

pub(crate) fn visit_type(row: &impl Columns, column: &str) -> Result<VisitType, StoreError> {
    VisitType::parse(&text(row, column)?).ok_or_else(|| invalid_column(column))
}

pub(crate) fn outcome(row: &impl Columns, column: &str) -> Result<Outcome, StoreError> {
    Outcome::parse(&text(row, column)?).ok_or_else(|| invalid_column(column))
}
