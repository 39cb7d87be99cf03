//! Encoding of a patient's health details as fields of the embedded `patient` document.
//!
//! The stored field names are fixed here, in snake_case, rather than taken from the model's
//! serde names, so a change to the API's JSON never changes what is stored.

use bson::{Bson, Document, doc};
use portal_core::model::{
    Address, Allergy, Condition, EmergencyContact, HealthDetails, Medication,
};
use portal_core::store::StoreResult;

use crate::codec::{self, encode_optional_text, encode_optional_uuid, severity_name};

/// Returns the health fields, each keyed by its name inside `patient` prefixed with `prefix`
/// (`""` for a new document, `"patient."` for a `$set` on an existing one).
pub(crate) fn encode_health(health: &HealthDetails, prefix: &str) -> Document {
    let mut fields = Document::new();
    let mut set = |name: &str, value: Bson| {
        fields.insert(format!("{prefix}{name}"), value);
    };
    set(
        "sex_at_birth",
        encode_optional_text(health.sex_at_birth.map(codec::sex_at_birth_name)),
    );
    set("phone", encode_optional_text(health.phone.as_deref()));
    set(
        "address",
        health.address.as_ref().map_or(Bson::Null, |address| {
            Bson::Document(encode_address(address))
        }),
    );
    set(
        "emergency_contact",
        health
            .emergency_contact
            .as_ref()
            .map_or(Bson::Null, |contact| {
                Bson::Document(encode_contact(contact))
            }),
    );
    set(
        "allergies",
        Bson::Array(health.allergies.iter().map(encode_allergy).collect()),
    );
    set(
        "medications",
        Bson::Array(health.medications.iter().map(encode_medication).collect()),
    );
    set(
        "conditions",
        Bson::Array(
            health
                .conditions
                .iter()
                .map(|condition| Bson::Document(doc! { "name": &condition.name }))
                .collect(),
        ),
    );
    set(
        "primary_provider_id",
        encode_optional_uuid(health.primary_provider_id),
    );
    fields
}

fn encode_address(address: &Address) -> Document {
    doc! {
        "line1": &address.line1,
        "line2": &address.line2,
        "city": &address.city,
        "region": &address.region,
        "postal_code": &address.postal_code,
        "country": &address.country,
    }
}

fn encode_contact(contact: &EmergencyContact) -> Document {
    doc! {
        "name": &contact.name,
        "relationship": &contact.relationship,
        "phone": &contact.phone,
    }
}

fn encode_allergy(allergy: &Allergy) -> Bson {
    Bson::Document(doc! {
        "substance": &allergy.substance,
        "reaction": &allergy.reaction,
        "severity": severity_name(allergy.severity),
    })
}

fn encode_medication(medication: &Medication) -> Bson {
    Bson::Document(doc! {
        "name": &medication.name,
        "dose": &medication.dose,
        "frequency": &medication.frequency,
    })
}

/// Reads the health details from the embedded `patient` document.
pub(crate) fn decode_health(patient: &Document) -> StoreResult<HealthDetails> {
    let address = codec::optional_subdocument(patient, "address")?
        .map(|address| {
            Ok::<_, portal_core::StoreError>(Address {
                line1: codec::text(address, "line1")?,
                line2: codec::text(address, "line2")?,
                city: codec::text(address, "city")?,
                region: codec::text(address, "region")?,
                postal_code: codec::text(address, "postal_code")?,
                country: codec::text(address, "country")?,
            })
        })
        .transpose()?;
    let emergency_contact = codec::optional_subdocument(patient, "emergency_contact")?
        .map(|contact| {
            Ok::<_, portal_core::StoreError>(EmergencyContact {
                name: codec::text(contact, "name")?,
                relationship: codec::text(contact, "relationship")?,
                phone: codec::text(contact, "phone")?,
            })
        })
        .transpose()?;
    let allergies = codec::subdocuments(patient, "allergies")?
        .into_iter()
        .map(|allergy| {
            Ok(Allergy {
                substance: codec::text(allergy, "substance")?,
                reaction: codec::text(allergy, "reaction")?,
                severity: codec::severity(allergy, "severity")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let medications = codec::subdocuments(patient, "medications")?
        .into_iter()
        .map(|medication| {
            Ok(Medication {
                name: codec::text(medication, "name")?,
                dose: codec::text(medication, "dose")?,
                frequency: codec::text(medication, "frequency")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let conditions = codec::subdocuments(patient, "conditions")?
        .into_iter()
        .map(|condition| {
            Ok(Condition {
                name: codec::text(condition, "name")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;

    Ok(HealthDetails {
        sex_at_birth: codec::optional_sex_at_birth(patient, "sex_at_birth")?,
        phone: codec::optional_text(patient, "phone")?,
        address,
        emergency_contact,
        allergies,
        medications,
        conditions,
        primary_provider_id: codec::optional_uuid(patient, "primary_provider_id")?,
    })
}

#[cfg(test)]
mod tests {
    use portal_core::model::{Allergy, HealthDetails, Severity, SexAtBirth};

    use super::{decode_health, encode_health};

    #[test]
    fn health_round_trip() {
        let health = HealthDetails {
            sex_at_birth: Some(SexAtBirth::Intersex),
            phone: Some("+1 555 010 0199".to_owned()),
            allergies: vec![Allergy {
                substance: "Latex".to_owned(),
                reaction: String::new(),
                severity: Severity::Mild,
            }],
            ..HealthDetails::default()
        };
        let decoded = decode_health(&encode_health(&health, "")).expect("decode");
        assert_eq!(decoded, health, "the details survive encoding");
    }

    #[test]
    fn health_set_prefix() {
        let fields = encode_health(&HealthDetails::default(), "patient.");
        assert!(
            fields.contains_key("patient.allergies"),
            "the prefix is prepended to each field"
        );
    }
}
