/// A National Provider Identifier: ten digits whose last is a Luhn check digit computed over
/// the prefix 80840 followed by the first nine digits (CMS NPI check digit standard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Npi(String);

impl Npi {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let digits = raw.trim();
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be exactly 10 digits");
        }
        if !Self::has_valid_check_digit(digits) {
            return Err("is not a valid NPI: the check digit does not match");
        }
        Ok(Self(digits.to_owned()))
    }

    fn has_valid_check_digit(digits: &str) -> bool {
        let body: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        Self::check_digit(&body[..9]) == body[9]
    }

    /// Computes the check digit for nine leading NPI digits.
    pub fn check_digit(first_nine: &[u32]) -> u32 {
        // The prefix 80840 contributes a constant 24 to the Luhn sum.
        let mut sum = 24;
        for (position, digit) in first_nine.iter().rev().enumerate() {
            let value = if position % 2 == 0 { digit * 2 } else { *digit };
            sum += value / 10 + value % 10;
        }
        (10 - sum % 10) % 10
    }

    /// Builds the NPI whose first nine digits are `first_nine` (below 1,000,000,000), adding
    /// its check digit; for test and demo data.
    pub fn from_first_nine(first_nine: u32) -> Self {
        let text = format!("{:09}", first_nine % 1_000_000_000);
        let digits: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
        Self(format!("{text}{}", Self::check_digit(&digits)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npi_accepts_valid_check_digit() {
        // 1234567893 is the example used in the CMS check digit documentation.
        assert!(Npi::parse("1234567893").is_ok());
        assert!(Npi::parse(" 1234567893 ").is_ok());
    }

    #[test]
    fn npi_rejects_wrong_check_digit() {
        for last in ['0', '1', '2', '4', '5', '6', '7', '8', '9'] {
            let raw = format!("123456789{last}");
            assert!(Npi::parse(&raw).is_err(), "accepted {raw}");
        }
    }

    #[test]
    fn npi_rejects_wrong_length_and_letters() {
        for raw in [
            "",
            "123456789",
            "12345678931",
            "12345678a3",
            "１２３４５６７８９３",
        ] {
            assert!(Npi::parse(raw).is_err(), "accepted {raw:?}");
        }
    }

    #[test]
    fn npi_from_first_nine_is_valid() {
        for first_nine in [0, 123_456_789, 999_999_999, 100_000_001] {
            let npi = Npi::from_first_nine(first_nine);
            assert!(Npi::parse(npi.as_str()).is_ok(), "{}", npi.as_str());
        }
        assert_eq!(Npi::from_first_nine(123_456_789).as_str(), "1234567893");
    }

    #[test]
    fn npi_check_digit_matches_parse() {
        let digits = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(Npi::check_digit(&digits), 3);
    }
}
