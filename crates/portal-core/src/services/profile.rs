//! Validation of profile changes.

use chrono::NaiveDate;

use super::auth::collect;
use crate::domain::{clean_name, clean_optional, clean_required, parse_date_of_birth, parse_phone};
use crate::error::FieldError;
use crate::input::ProfileUpdateRequest;
use crate::model::{
    Address, Allergy, Condition, EmergencyContact, HealthDetails, Medication, ProfileChanges,
};

/// Maximum number of entries in each health list.
pub const MAX_LIST_ENTRIES: usize = 50;

/// Validates and cleans a profile update, naming every invalid field.
pub fn validate_profile(
    request: ProfileUpdateRequest,
    today: NaiveDate,
) -> Result<ProfileChanges, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first_name = collect(&mut errors, "firstName", clean_name(&request.first_name));
    let last_name = collect(&mut errors, "lastName", clean_name(&request.last_name));
    let date_of_birth = collect(
        &mut errors,
        "dateOfBirth",
        parse_date_of_birth(&request.date_of_birth, today),
    );
    let phone = match request.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => collect(&mut errors, "phone", parse_phone(raw)),
    };
    let address = request
        .address
        .map(|address| clean_address(address, &mut errors));
    let emergency_contact = request
        .emergency_contact
        .map(|contact| clean_contact(contact, &mut errors));

    check_count(&mut errors, "allergies", request.allergies.len());
    check_count(&mut errors, "medications", request.medications.len());
    check_count(&mut errors, "conditions", request.conditions.len());
    let allergies = request
        .allergies
        .into_iter()
        .enumerate()
        .map(|(index, allergy)| Allergy {
            substance: text(
                &mut errors,
                &format!("allergies[{index}].substance"),
                &allergy.substance,
                100,
                true,
            ),
            reaction: text(
                &mut errors,
                &format!("allergies[{index}].reaction"),
                &allergy.reaction,
                200,
                false,
            ),
            severity: allergy.severity,
        })
        .collect();
    let medications = request
        .medications
        .into_iter()
        .enumerate()
        .map(|(index, medication)| Medication {
            name: text(
                &mut errors,
                &format!("medications[{index}].name"),
                &medication.name,
                100,
                true,
            ),
            dose: text(
                &mut errors,
                &format!("medications[{index}].dose"),
                &medication.dose,
                50,
                false,
            ),
            frequency: text(
                &mut errors,
                &format!("medications[{index}].frequency"),
                &medication.frequency,
                50,
                false,
            ),
        })
        .collect();
    let conditions = request
        .conditions
        .into_iter()
        .enumerate()
        .map(|(index, condition)| Condition {
            name: text(
                &mut errors,
                &format!("conditions[{index}].name"),
                &condition.name,
                100,
                true,
            ),
        })
        .collect();

    match (first_name, last_name, date_of_birth) {
        (Some(first_name), Some(last_name), Some(date_of_birth)) if errors.is_empty() => {
            Ok(ProfileChanges {
                first_name,
                last_name,
                date_of_birth,
                health: HealthDetails {
                    sex_at_birth: request.sex_at_birth,
                    phone,
                    address,
                    emergency_contact,
                    allergies,
                    medications,
                    conditions,
                    primary_provider_id: request.primary_provider_id,
                },
            })
        }
        _ => Err(errors),
    }
}

fn clean_address(address: Address, errors: &mut Vec<FieldError>) -> Address {
    Address {
        line1: text(errors, "address.line1", &address.line1, 200, true),
        line2: text(errors, "address.line2", &address.line2, 200, false),
        city: text(errors, "address.city", &address.city, 100, true),
        region: text(errors, "address.region", &address.region, 100, false),
        postal_code: text(errors, "address.postalCode", &address.postal_code, 20, true),
        country: text(errors, "address.country", &address.country, 100, true),
    }
}

fn clean_contact(contact: EmergencyContact, errors: &mut Vec<FieldError>) -> EmergencyContact {
    let phone = collect(
        errors,
        "emergencyContact.phone",
        parse_phone(&contact.phone),
    )
    .unwrap_or_default();
    EmergencyContact {
        name: text(errors, "emergencyContact.name", &contact.name, 100, true),
        relationship: text(
            errors,
            "emergencyContact.relationship",
            &contact.relationship,
            50,
            true,
        ),
        phone,
    }
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    max_chars: usize,
    required: bool,
) -> String {
    let result = if required {
        clean_required(raw, max_chars)
    } else {
        clean_optional(raw, max_chars)
    };
    collect(errors, field, result).unwrap_or_default()
}

fn check_count(errors: &mut Vec<FieldError>, field: &str, count: usize) {
    if count > MAX_LIST_ENTRIES {
        errors.push(FieldError::new(
            field,
            format!("must have at most {MAX_LIST_ENTRIES} entries"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn request() -> ProfileUpdateRequest {
        ProfileUpdateRequest {
            first_name: " Ana ".into(),
            last_name: "Lopez".into(),
            date_of_birth: "1980-02-29".into(),
            sex_at_birth: None,
            phone: Some("".into()),
            address: None,
            emergency_contact: None,
            allergies: vec![Allergy {
                substance: " Penicillin ".into(),
                reaction: "".into(),
                severity: Severity::Severe,
            }],
            medications: vec![],
            conditions: vec![],
            primary_provider_id: None,
        }
    }

    #[test]
    fn profile_values_are_trimmed() {
        let changes = validate_profile(request(), today()).unwrap();
        assert_eq!(changes.first_name, "Ana");
        assert_eq!(changes.health.allergies[0].substance, "Penicillin");
        assert_eq!(changes.health.phone, None);
    }

    #[test]
    fn profile_errors_name_list_positions() {
        let mut bad = request();
        bad.allergies.push(Allergy {
            substance: "  ".into(),
            reaction: "x".repeat(201),
            severity: Severity::Mild,
        });
        let errors = validate_profile(bad, today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["allergies[1].substance", "allergies[1].reaction"]);
    }

    #[test]
    fn profile_rejects_too_many_entries() {
        let mut bad = request();
        bad.conditions = (0..51)
            .map(|i| Condition {
                name: format!("c{i}"),
            })
            .collect();
        let errors = validate_profile(bad, today()).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "conditions"));
    }

    #[test]
    fn profile_rejects_future_birth_date() {
        let mut bad = request();
        bad.date_of_birth = "2027-01-01".into();
        let errors = validate_profile(bad, today()).unwrap_err();
        assert_eq!(errors[0].field, "dateOfBirth");
    }
}
