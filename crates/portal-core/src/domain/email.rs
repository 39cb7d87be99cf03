use std::fmt;
use std::str::FromStr;

/// An email address, trimmed and lower-cased, so that one mailbox maps to one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    /// Parses and normalises an address; the error is a message for the `email` field.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let normalised = raw.trim().to_lowercase();
        if normalised.is_empty() {
            return Err("is required");
        }
        if normalised.chars().count() > Self::MAX_LEN {
            return Err("must be at most 254 characters");
        }
        if normalised.chars().any(super::text::is_hidden_character) {
            return Err("must not contain control, direction-changing or invisible characters");
        }
        let valid = email_address::EmailAddress::from_str(&normalised).is_ok()
            && normalised
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domain.contains('.') && !domain.starts_with('['));
        if !valid {
            return Err("must be an email address like name@example.com");
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let email = Email::parse("  Ana.Lopez@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "ana.lopez@example.org");
    }

    #[test]
    fn email_rejects_malformed_values() {
        for raw in [
            "",
            "   ",
            "no-at-sign",
            "a@b",
            "two@@example.com",
            "{\"$ne\": \"\"}",
            "' OR 1=1 --",
            "\u{202E}evil@example.org",
            "a\u{200B}b@example.org",
        ] {
            assert!(Email::parse(raw).is_err(), "accepted {raw:?}");
        }
    }

    #[test]
    fn email_rejects_overlong_address() {
        let raw = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&raw).is_err());
    }
}
