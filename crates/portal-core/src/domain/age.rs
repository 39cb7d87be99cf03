use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// Returns the age in whole years on `today`.
///
/// Someone born on 29 February turns a year older on 1 March in common years, because their
/// (month, day) has not been reached on 28 February.
pub fn age_on(date_of_birth: NaiveDate, today: NaiveDate) -> u32 {
    if today < date_of_birth {
        return 0;
    }
    let mut years = today.year() - date_of_birth.year();
    if (today.month(), today.day()) < (date_of_birth.month(), date_of_birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    Child,
    Teen,
    YoungAdult,
    Adult,
    Senior,
}

impl AgeGroup {
    pub fn for_age(age: u32) -> Self {
        match age {
            0..=12 => Self::Child,
            13..=17 => Self::Teen,
            18..=39 => Self::YoungAdult,
            40..=64 => Self::Adult,
            _ => Self::Senior,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(date(1990, 6, 15), date(2026, 6, 14)), 35);
        assert_eq!(age_on(date(1990, 6, 15), date(2026, 6, 15)), 36);
        assert_eq!(age_on(date(2026, 1, 1), date(2026, 12, 31)), 0);
    }

    #[test]
    fn leap_day_birthday_turns_on_first_of_march() {
        let born = date(2000, 2, 29);
        assert_eq!(age_on(born, date(2025, 2, 28)), 24);
        assert_eq!(age_on(born, date(2025, 3, 1)), 25);
        assert_eq!(age_on(born, date(2028, 2, 28)), 27);
        assert_eq!(age_on(born, date(2028, 2, 29)), 28);
    }

    #[test]
    fn age_before_birth_is_zero() {
        assert_eq!(age_on(date(2030, 1, 1), date(2026, 1, 1)), 0);
    }

    #[test]
    fn age_group_boundaries() {
        let cases = [
            (0, AgeGroup::Child),
            (12, AgeGroup::Child),
            (13, AgeGroup::Teen),
            (17, AgeGroup::Teen),
            (18, AgeGroup::YoungAdult),
            (39, AgeGroup::YoungAdult),
            (40, AgeGroup::Adult),
            (64, AgeGroup::Adult),
            (65, AgeGroup::Senior),
            (120, AgeGroup::Senior),
        ];
        for (age, group) in cases {
            assert_eq!(AgeGroup::for_age(age), group, "age {age}");
        }
    }
}
