//! Health reminders computed from a patient's age, sex at birth, profile and visit history.
//!
//! Age ranges follow the U.S. Preventive Services Task Force recommendations current in 2026:
//! cervical cancer screening 21 to 65, breast cancer screening every two years 40 to 74
//! (2024), colorectal cancer screening 45 to 75 (2021), and blood pressure screening for
//! adults 18 and older. The seasonal flu vaccine follows the CDC advice of a yearly dose for
//! everyone 6 months and older, offered from September to March in the northern hemisphere.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::age_on;
use crate::model::SexAtBirth;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reminder {
    pub id: &'static str,
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
}

impl Reminder {
    fn new(kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            id: kind,
            kind,
            title,
            detail: detail.into(),
        }
    }
}

/// The facts the reminder rules read.
#[derive(Debug, Clone)]
pub struct ReminderFacts {
    pub date_of_birth: NaiveDate,
    pub sex_at_birth: Option<SexAtBirth>,
    pub medication_count: usize,
    /// Clinic date of the latest completed or confirmed visit in the past, if any.
    pub last_visit: Option<NaiveDate>,
    /// The clinic's current date.
    pub today: NaiveDate,
}

/// Computes the reminders that apply today, most general first.
pub fn reminders_for(facts: &ReminderFacts) -> Vec<Reminder> {
    let age = age_on(facts.date_of_birth, facts.today);
    let female = facts.sex_at_birth == Some(SexAtBirth::Female);
    let mut reminders = Vec::new();

    let year_ago = facts
        .today
        .checked_sub_months(Months::new(12))
        .unwrap_or(facts.today);
    match facts.last_visit {
        Some(visit) if visit > year_ago => {}
        Some(visit) => reminders.push(Reminder::new(
            "wellness_visit",
            "Annual wellness visit due",
            format!(
                "Your last visit with us was on {}, more than 12 months ago. A yearly checkup helps catch problems early.",
                visit.format("%-d %b %Y")
            ),
        )),
        None => reminders.push(Reminder::new(
            "wellness_visit",
            "Annual wellness visit due",
            "We have no visit on record for you in the last 12 months. A yearly checkup helps catch problems early.",
        )),
    }

    let in_flu_season = matches!(facts.today.month(), 9..=12 | 1..=3);
    let six_months_old = facts
        .date_of_birth
        .checked_add_months(Months::new(6))
        .is_some_and(|date| date <= facts.today);
    if in_flu_season && six_months_old {
        reminders.push(Reminder::new(
            "flu_vaccine",
            "Get your seasonal flu vaccine",
            "It is flu season. A flu vaccine every year is recommended for everyone 6 months and older.",
        ));
    }

    if age >= 18 {
        reminders.push(Reminder::new(
            "blood_pressure",
            "Check your blood pressure",
            "Adults 18 and older should have their blood pressure checked, every year from age 40 or if you are at higher risk.",
        ));
    }

    if female && (21..=65).contains(&age) {
        reminders.push(Reminder::new(
            "cervical_screening",
            "Cervical cancer screening",
            "Screening is recommended from age 21 to 65 for people born female. Ask which test and how often suits you.",
        ));
    }

    if female && (40..=74).contains(&age) {
        reminders.push(Reminder::new(
            "breast_screening",
            "Mammogram every two years",
            "A screening mammogram every two years is recommended from age 40 to 74 for people born female.",
        ));
    }

    if (45..=75).contains(&age) {
        reminders.push(Reminder::new(
            "colorectal_screening",
            "Colorectal cancer screening",
            "Screening for colorectal cancer is recommended from age 45 to 75. Ask us which test fits you.",
        ));
    }

    if facts.medication_count > 0 {
        let noun = if facts.medication_count == 1 {
            "medication"
        } else {
            "medications"
        };
        reminders.push(Reminder::new(
            "medication_review",
            "Review your medication list",
            format!(
                "You have {} {noun} on file. Check that the list is up to date and bring it to your next visit.",
                facts.medication_count
            ),
        ));
    }

    reminders
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn facts(born: NaiveDate, sex: Option<SexAtBirth>, today: NaiveDate) -> ReminderFacts {
        ReminderFacts {
            date_of_birth: born,
            sex_at_birth: sex,
            medication_count: 0,
            last_visit: Some(today),
            today,
        }
    }

    fn kinds(reminders: &[Reminder]) -> Vec<&'static str> {
        reminders.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn wellness_visit_due_after_twelve_months() {
        let today = date(2026, 6, 1);
        let mut input = facts(date(1990, 1, 1), None, today);
        input.last_visit = Some(date(2025, 6, 2));
        assert!(!kinds(&reminders_for(&input)).contains(&"wellness_visit"));
        input.last_visit = Some(date(2025, 6, 1));
        assert!(kinds(&reminders_for(&input)).contains(&"wellness_visit"));
        input.last_visit = None;
        assert!(kinds(&reminders_for(&input)).contains(&"wellness_visit"));
    }

    #[test]
    fn flu_vaccine_only_in_season_and_from_six_months() {
        let born = date(1990, 1, 1);
        assert!(
            kinds(&reminders_for(&facts(born, None, date(2026, 10, 1)))).contains(&"flu_vaccine")
        );
        assert!(
            kinds(&reminders_for(&facts(born, None, date(2026, 3, 31)))).contains(&"flu_vaccine")
        );
        assert!(
            !kinds(&reminders_for(&facts(born, None, date(2026, 6, 1)))).contains(&"flu_vaccine")
        );
        let baby = date(2026, 7, 1);
        assert!(
            !kinds(&reminders_for(&facts(baby, None, date(2026, 12, 31)))).contains(&"flu_vaccine")
        );
        assert!(
            kinds(&reminders_for(&facts(baby, None, date(2027, 1, 1)))).contains(&"flu_vaccine")
        );
    }

    #[test]
    fn blood_pressure_for_adults_only() {
        let today = date(2026, 6, 1);
        assert!(
            !kinds(&reminders_for(&facts(date(2008, 6, 2), None, today)))
                .contains(&"blood_pressure")
        );
        assert!(
            kinds(&reminders_for(&facts(date(2008, 6, 1), None, today)))
                .contains(&"blood_pressure")
        );
    }

    #[test]
    fn cancer_screenings_follow_age_ranges() {
        let today = date(2026, 6, 1);
        let female = Some(SexAtBirth::Female);
        let cases = [
            (20, female, "cervical_screening", false),
            (21, female, "cervical_screening", true),
            (65, female, "cervical_screening", true),
            (66, female, "cervical_screening", false),
            (30, Some(SexAtBirth::Male), "cervical_screening", false),
            (39, female, "breast_screening", false),
            (40, female, "breast_screening", true),
            (74, female, "breast_screening", true),
            (75, female, "breast_screening", false),
            (50, Some(SexAtBirth::Male), "breast_screening", false),
            (44, None, "colorectal_screening", false),
            (45, None, "colorectal_screening", true),
            (75, Some(SexAtBirth::Male), "colorectal_screening", true),
            (76, female, "colorectal_screening", false),
        ];
        for (age, sex, kind, expected) in cases {
            let born = date(2026 - age, 6, 1);
            let found = kinds(&reminders_for(&facts(born, sex, today))).contains(&kind);
            assert_eq!(found, expected, "{kind} at age {age} for {sex:?}");
        }
    }

    #[test]
    fn medication_review_when_medications_exist() {
        let mut input = facts(date(1990, 1, 1), None, date(2026, 6, 1));
        assert!(!kinds(&reminders_for(&input)).contains(&"medication_review"));
        input.medication_count = 2;
        let reminders = reminders_for(&input);
        let review = reminders.iter().find(|r| r.kind == "medication_review");
        assert!(review.is_some_and(|r| r.detail.contains("2 medications")));
    }
}
