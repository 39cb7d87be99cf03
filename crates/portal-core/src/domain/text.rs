use chrono::{Months, NaiveDate};

/// Trims a required text value and checks its length in characters.
pub fn clean_required(raw: &str, max_chars: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("is required".into());
    }
    clean_optional(value, max_chars)
}

/// Trims an optional text value (empty allowed) and checks its length and characters.
pub fn clean_optional(raw: &str, max_chars: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if value.chars().any(is_hidden_character) {
        return Err("must not contain control, direction-changing or invisible characters".into());
    }
    Ok(value.to_owned())
}

/// Returns true for characters that are invisible or change how text around them is shown:
/// control characters, bidirectional controls (U+061C, U+200E-U+200F, U+202A-U+202E,
/// U+2066-U+2069), zero-width characters (U+200B-U+200D, U+2060-U+2064, U+FEFF) and the soft
/// hyphen (U+00AD).
pub fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Cleans a person's first or last name: 1 to 100 characters, inner whitespace collapsed.
pub fn clean_name(raw: &str) -> Result<String, String> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    clean_required(&collapsed, 100)
}

/// Parses a calendar date `YYYY-MM-DD` (no time part) that lies between 130 years before
/// `today` and `today`.
pub fn parse_date_of_birth(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let shape_ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape_ok {
        return Err("must be a date written as YYYY-MM-DD, with no time".into());
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "is not a real calendar date".to_owned())?;
    if date > today {
        return Err("must not be in the future".into());
    }
    let oldest = today
        .checked_sub_months(Months::new(130 * 12))
        .unwrap_or(NaiveDate::MIN);
    if date < oldest {
        return Err("must be within the last 130 years".into());
    }
    Ok(date)
}

/// Checks a phone number: 7 to 20 characters of digits, spaces and `+ - ( ) .`, with at
/// least 7 digits.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let length = value.chars().count();
    if !allowed || digits < 7 || !(7..=20).contains(&length) {
        return Err("must be a phone number of 7 to 20 digits, spaces or + - ( ) .".into());
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    #[test]
    fn date_of_birth_rejects_time_part_and_future() {
        assert!(parse_date_of_birth("1990-05-01", today()).is_ok());
        assert!(parse_date_of_birth("2026-12-04", today()).is_ok());
        assert!(parse_date_of_birth("2026-12-05", today()).is_err());
        assert!(parse_date_of_birth("1990-05-01T00:00:00Z", today()).is_err());
        assert!(parse_date_of_birth("1990-02-30", today()).is_err());
        assert!(parse_date_of_birth("+990-05-01", today()).is_err());
        assert!(parse_date_of_birth("1890-05-01", today()).is_err());
        assert!(parse_date_of_birth("1896-12-03", today()).is_err());
        assert!(parse_date_of_birth("1896-12-04", today()).is_ok());
    }

    #[test]
    fn name_is_trimmed_and_collapsed() {
        assert_eq!(clean_name("  Mary   Ann ").unwrap(), "Mary Ann");
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"a".repeat(101)).is_err());
        assert!(clean_name("a\u{0007}b").is_err());
        assert!(clean_name("\u{202E}evE").is_err());
        assert!(clean_name("\u{200B}").is_err());
        assert!(clean_name("Zoë 😀 O’Neil").is_ok());
    }

    #[test]
    fn phone_accepts_common_formats() {
        assert!(parse_phone("+1 (555) 010-2030").is_ok());
        assert!(parse_phone("555.0102").is_ok());
        assert!(parse_phone("12345").is_err());
        assert!(parse_phone("call me").is_err());
    }
}
