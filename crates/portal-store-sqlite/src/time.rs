//! Text encodings of instants and calendar dates.
//!
//! Instants are stored as fixed-width RFC 3339 UTC text with microseconds, so comparing the text
//! compares the times and the `preferred_start`-style indexes sort by time. Finer fractions are
//! truncated to microseconds. Years must have four digits (0000 to 9999) to keep the width fixed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use portal_core::StoreError;

use crate::error::invalid_column;

const INSTANT_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
const INSTANT_PARSE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.fZ";
const DATE_FORMAT: &str = "%Y-%m-%d";

/// Formats an instant as `2026-12-04T10:00:00.000000Z`.
pub(crate) fn encode_instant(instant: DateTime<Utc>) -> String {
    instant.format(INSTANT_FORMAT).to_string()
}

pub(crate) fn decode_instant(text: &str, column: &str) -> Result<DateTime<Utc>, StoreError> {
    NaiveDateTime::parse_from_str(text, INSTANT_PARSE_FORMAT)
        .map(|naive| naive.and_utc())
        .map_err(|_| invalid_column(column))
}

/// Formats a calendar date as `YYYY-MM-DD`.
pub(crate) fn encode_date(date: NaiveDate) -> String {
    date.format(DATE_FORMAT).to_string()
}

pub(crate) fn decode_date(text: &str, column: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, DATE_FORMAT).map_err(|_| invalid_column(column))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::{decode_instant, encode_instant};

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("test instant is valid RFC 3339")
            .with_timezone(&Utc)
    }

    #[test]
    fn instant_fixed_width() {
        let text = encode_instant(instant("2026-12-04T10:00:00Z"));
        assert_eq!(
            text, "2026-12-04T10:00:00.000000Z",
            "whole seconds get six zeros"
        );
    }

    #[test]
    fn instant_round_trip() {
        let original = instant("2026-12-04T10:00:00.123456Z");
        let decoded = decode_instant(&encode_instant(original), "column");
        assert_eq!(
            decoded.ok(),
            Some(original),
            "microseconds survive the round trip"
        );
    }

    #[test]
    fn instant_truncates_nanoseconds() {
        let original = instant("2026-12-04T10:00:00.123456789Z");
        let decoded = decode_instant(&encode_instant(original), "column");
        assert_eq!(
            decoded.ok(),
            Some(instant("2026-12-04T10:00:00.123456Z")),
            "nanoseconds are truncated to microseconds"
        );
    }

    #[test]
    fn instant_text_order() {
        let start = instant("2026-12-04T09:59:59.999999Z");
        let steps = [
            Duration::microseconds(1),
            Duration::seconds(1),
            Duration::hours(30),
            Duration::days(400),
        ];
        for step in steps {
            let earlier = encode_instant(start);
            let later = encode_instant(start + step);
            assert!(earlier < later, "text order follows time order for {step}");
        }
    }
}
