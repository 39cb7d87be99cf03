//! Tip of the day: one curated tip for the patient's age group, chosen per patient per clinic
//! date.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::AgeGroup;
use crate::tips_data::{ADULT, CHILD, SENIOR, TEEN, Tip, YOUNG_ADULT};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TipOfTheDay {
    pub age_group: AgeGroup,
    pub title: &'static str,
    pub body: &'static str,
}

pub fn tips_for(group: AgeGroup) -> &'static [Tip] {
    match group {
        AgeGroup::Child => CHILD,
        AgeGroup::Teen => TEEN,
        AgeGroup::YoungAdult => YOUNG_ADULT,
        AgeGroup::Adult => ADULT,
        AgeGroup::Senior => SENIOR,
    }
}

/// Picks the tip for a patient on a clinic date.
///
/// The patient's id sets a starting point in the list and each day moves one step on, so the
/// tip stays fixed for a whole day, changes every day, and differs between patients.
pub fn tip_of_the_day(patient_id: Uuid, group: AgeGroup, today: NaiveDate) -> TipOfTheDay {
    let tips = tips_for(group);
    let count = tips.len() as u128;
    let start = patient_id.as_u128() % count;
    let day = u128::try_from(today.num_days_from_ce()).unwrap_or(0);
    let index = usize::try_from((start + day) % count).unwrap_or(0);
    let tip = &tips[index];
    TipOfTheDay {
        age_group: group,
        title: tip.title,
        body: tip.body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUPS: [AgeGroup; 5] = [
        AgeGroup::Child,
        AgeGroup::Teen,
        AgeGroup::YoungAdult,
        AgeGroup::Adult,
        AgeGroup::Senior,
    ];

    #[test]
    fn every_group_has_ten_distinct_tips() {
        for group in GROUPS {
            let tips = tips_for(group);
            assert!(tips.len() >= 10, "{group:?} has {} tips", tips.len());
            let mut titles: Vec<_> = tips.iter().map(|t| t.title).collect();
            titles.sort_unstable();
            titles.dedup();
            assert_eq!(titles.len(), tips.len(), "{group:?} repeats a title");
        }
    }

    #[test]
    fn tip_is_stable_within_a_day() {
        let id = Uuid::from_u128(12345);
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let first = tip_of_the_day(id, AgeGroup::Adult, day);
        let again = tip_of_the_day(id, AgeGroup::Adult, day);
        assert_eq!(first, again);
    }

    #[test]
    fn tip_changes_from_day_to_day() {
        let id = Uuid::from_u128(987_654_321);
        let mut day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for _ in 0..60 {
            let next = day.succ_opt().unwrap();
            let today = tip_of_the_day(id, AgeGroup::Senior, day);
            let tomorrow = tip_of_the_day(id, AgeGroup::Senior, next);
            assert_ne!(today.title, tomorrow.title, "same tip on {day} and {next}");
            day = next;
        }
    }

    #[test]
    fn tip_matches_age_group() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        for group in GROUPS {
            let tip = tip_of_the_day(Uuid::from_u128(7), group, day);
            assert_eq!(tip.age_group, group);
            assert!(tips_for(group).iter().any(|t| t.title == tip.title));
        }
    }
}
