//! Field encodings of ids, instants, dates and enumerations, and typed getters for stored
//! documents.
//!
//! Every getter names the field in its error and never the stored value. A missing field and a
//! BSON null both read as `None` in the `optional_*` getters.

use bson::{Bson, DateTime as BsonDateTime, Document};
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::model::{AppointmentStatus, Outcome, Role, Severity, SexAtBirth, VisitType};
use portal_core::store::StoreResult;
use uuid::Uuid;

use crate::error::invalid_field;

const DATE_FORMAT: &str = "%Y-%m-%d";

/// Formats an id as lower-case hyphenated text, whose string order equals the UUID byte order.
pub(crate) fn encode_uuid(id: Uuid) -> String {
    id.hyphenated().to_string()
}

pub(crate) fn encode_optional_uuid(id: Option<Uuid>) -> Bson {
    id.map_or(Bson::Null, |id| Bson::String(encode_uuid(id)))
}

/// Converts an instant to a BSON date, which keeps milliseconds: finer fractions are dropped.
pub(crate) fn encode_instant(instant: DateTime<Utc>) -> BsonDateTime {
    BsonDateTime::from_chrono(instant)
}

pub(crate) fn encode_optional_instant(instant: Option<DateTime<Utc>>) -> Bson {
    instant.map_or(Bson::Null, |instant| {
        Bson::DateTime(encode_instant(instant))
    })
}

/// Formats a calendar date as `YYYY-MM-DD`.
pub(crate) fn encode_date(date: NaiveDate) -> String {
    date.format(DATE_FORMAT).to_string()
}

pub(crate) fn encode_optional_text(text: Option<&str>) -> Bson {
    text.map_or(Bson::Null, |text| Bson::String(text.to_owned()))
}

pub(crate) fn sex_at_birth_name(value: SexAtBirth) -> &'static str {
    match value {
        SexAtBirth::Female => "female",
        SexAtBirth::Male => "male",
        SexAtBirth::Intersex => "intersex",
        SexAtBirth::Unknown => "unknown",
    }
}

fn parse_sex_at_birth(value: &str) -> Option<SexAtBirth> {
    match value {
        "female" => Some(SexAtBirth::Female),
        "male" => Some(SexAtBirth::Male),
        "intersex" => Some(SexAtBirth::Intersex),
        "unknown" => Some(SexAtBirth::Unknown),
        _ => None,
    }
}

pub(crate) fn severity_name(value: Severity) -> &'static str {
    match value {
        Severity::Mild => "mild",
        Severity::Moderate => "moderate",
        Severity::Severe => "severe",
        Severity::Unknown => "unknown",
    }
}

fn parse_severity(value: &str) -> Option<Severity> {
    match value {
        "mild" => Some(Severity::Mild),
        "moderate" => Some(Severity::Moderate),
        "severe" => Some(Severity::Severe),
        "unknown" => Some(Severity::Unknown),
        _ => None,
    }
}

pub(crate) fn text(document: &Document, field: &str) -> StoreResult<String> {
    document
        .get_str(field)
        .map(str::to_owned)
        .map_err(|_| invalid_field(field))
}

pub(crate) fn optional_text(document: &Document, field: &str) -> StoreResult<Option<String>> {
    match document.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(invalid_field(field)),
    }
}

pub(crate) fn integer(document: &Document, field: &str) -> StoreResult<i64> {
    match document.get(field) {
        Some(Bson::Int64(value)) => Ok(*value),
        Some(Bson::Int32(value)) => Ok(i64::from(*value)),
        _ => Err(invalid_field(field)),
    }
}

pub(crate) fn uuid(document: &Document, field: &str) -> StoreResult<Uuid> {
    Uuid::try_parse(&text(document, field)?).map_err(|_| invalid_field(field))
}

pub(crate) fn optional_uuid(document: &Document, field: &str) -> StoreResult<Option<Uuid>> {
    optional_text(document, field)?
        .map(|value| Uuid::try_parse(&value).map_err(|_| invalid_field(field)))
        .transpose()
}

pub(crate) fn instant(document: &Document, field: &str) -> StoreResult<DateTime<Utc>> {
    document
        .get_datetime(field)
        .map(|value| value.to_chrono())
        .map_err(|_| invalid_field(field))
}

pub(crate) fn optional_instant(
    document: &Document,
    field: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    match document.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::DateTime(value)) => Ok(Some(value.to_chrono())),
        Some(_) => Err(invalid_field(field)),
    }
}

pub(crate) fn date(document: &Document, field: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(&text(document, field)?, DATE_FORMAT)
        .map_err(|_| invalid_field(field))
}

pub(crate) fn subdocument<'a>(document: &'a Document, field: &str) -> StoreResult<&'a Document> {
    document
        .get_document(field)
        .map_err(|_| invalid_field(field))
}

pub(crate) fn optional_subdocument<'a>(
    document: &'a Document,
    field: &str,
) -> StoreResult<Option<&'a Document>> {
    match document.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(value)) => Ok(Some(value)),
        Some(_) => Err(invalid_field(field)),
    }
}

/// Reads an array whose items are all subdocuments.
pub(crate) fn subdocuments<'a>(
    document: &'a Document,
    field: &str,
) -> StoreResult<Vec<&'a Document>> {
    let items = document
        .get_array(field)
        .map_err(|_| invalid_field(field))?;
    items
        .iter()
        .map(|item| item.as_document().ok_or_else(|| invalid_field(field)))
        .collect()
}

pub(crate) fn role(document: &Document, field: &str) -> StoreResult<Role> {
    Role::parse(&text(document, field)?).ok_or_else(|| invalid_field(field))
}

pub(crate) fn optional_role(document: &Document, field: &str) -> StoreResult<Option<Role>> {
    optional_text(document, field)?
        .map(|value| Role::parse(&value).ok_or_else(|| invalid_field(field)))
        .transpose()
}

pub(crate) fn appointment_status(
    document: &Document,
    field: &str,
) -> StoreResult<AppointmentStatus> {
    AppointmentStatus::parse(&text(document, field)?).ok_or_else(|| invalid_field(field))
}

pub(crate) fn visit_type(document: &Document, field: &str) -> StoreResult<VisitType> {
    VisitType::parse(&text(document, field)?).ok_or_else(|| invalid_field(field))
}

pub(crate) fn outcome(document: &Document, field: &str) -> StoreResult<Outcome> {
    Outcome::parse(&text(document, field)?).ok_or_else(|| invalid_field(field))
}

pub(crate) fn optional_sex_at_birth(
    document: &Document,
    field: &str,
) -> StoreResult<Option<SexAtBirth>> {
    optional_text(document, field)?
        .map(|value| parse_sex_at_birth(&value).ok_or_else(|| invalid_field(field)))
        .transpose()
}

pub(crate) fn severity(document: &Document, field: &str) -> StoreResult<Severity> {
    parse_severity(&text(document, field)?).ok_or_else(|| invalid_field(field))
}

#[cfg(test)]
mod tests {
    use bson::doc;
    use chrono::{DateTime, Utc};

    use super::{encode_instant, instant, optional_text, uuid};

    #[test]
    fn instant_keeps_milliseconds() {
        let original = DateTime::parse_from_rfc3339("2026-12-04T10:00:00.123456Z")
            .expect("valid instant")
            .with_timezone(&Utc);
        let document = doc! { "at": encode_instant(original) };
        let decoded = instant(&document, "at").expect("decode the instant");
        assert_eq!(
            decoded.to_rfc3339(),
            "2026-12-04T10:00:00.123+00:00",
            "microseconds are truncated to milliseconds"
        );
    }

    #[test]
    fn optional_text_null_and_missing() {
        let document = doc! { "present": "x", "null": null };
        assert_eq!(
            optional_text(&document, "null").ok(),
            Some(None),
            "null reads as None"
        );
        assert_eq!(
            optional_text(&document, "missing").ok(),
            Some(None),
            "a missing field reads as None"
        );
        assert_eq!(
            optional_text(&document, "present").ok(),
            Some(Some("x".to_owned())),
            "a string reads as Some"
        );
    }

    #[test]
    fn invalid_uuid_names_field() {
        let document = doc! { "id": "not-a-uuid" };
        let error = uuid(&document, "id").expect_err("an invalid id fails");
        let message = error.to_string();
        assert!(
            message.contains("field id"),
            "the field is named: {message}"
        );
        assert!(
            !message.contains("not-a-uuid"),
            "the value is not quoted: {message}"
        );
    }
}
