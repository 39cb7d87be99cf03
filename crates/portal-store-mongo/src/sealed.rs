//! Encrypted fields: the health data of the embedded `patient` document, `appointments.reason`
//! and `audit_events.detail` are stored as strings in the form [`portal_core::keyring`]
//! describes, bound to their document by its id.
//!
//! The plaintext of a field is the relaxed extended JSON of the BSON value that the store wrote
//! before encryption existed: a string, a subdocument or an array of subdocuments. So the field
//! names inside stay those of the `health` module. A field that is not an encrypted string
//! is legacy plain text and is read as it is.
//!
//! Each write of a patient or appointment also stores the newest key id in the field `key_id`
//! (inside `patient` for a patient), which lets `portal keys rotate` find the documents written
//! under another key (or none) with a plain `$ne`.

use bson::{Bson, Document};
use portal_core::StoreError;
use portal_core::keyring::{Keyring, SealedField, sealed_key_id};
use portal_core::store::StoreResult;

/// The encrypted fields of the embedded `patient` document. The first one is the field
/// [`portal_core::store::EncryptionStore::count_by_key`] counts by.
pub(crate) const PATIENT_FIELDS: [(&str, SealedField); 8] = [
    ("date_of_birth", SealedField::DateOfBirth),
    ("sex_at_birth", SealedField::SexAtBirth),
    ("phone", SealedField::Phone),
    ("address", SealedField::Address),
    ("emergency_contact", SealedField::EmergencyContact),
    ("allergies", SealedField::Allergies),
    ("medications", SealedField::Medications),
    ("conditions", SealedField::Conditions),
];

/// The field that records the key id of a document's encrypted fields.
pub(crate) const KEY_ID_FIELD: &str = "key_id";

/// Encrypts a value with the newest key; null stays null.
pub(crate) fn seal_value(
    keyring: &Keyring,
    field: SealedField,
    record_id: &str,
    value: &Bson,
) -> StoreResult<Bson> {
    if matches!(value, Bson::Null) {
        return Ok(Bson::Null);
    }
    let json = serde_json::to_string(&value.clone().into_relaxed_extjson())
        .map_err(|_| StoreError::Other(format!("failed to encode {} as JSON", field.name())))?;
    Ok(Bson::String(keyring.seal(field, record_id, &json)))
}

/// Decrypts a stored value; a value that is not an encrypted string is returned as it is.
pub(crate) fn open_value(
    keyring: &Keyring,
    field: SealedField,
    record_id: &str,
    stored: &Bson,
) -> StoreResult<Bson> {
    let Bson::String(text) = stored else {
        return Ok(stored.clone());
    };
    if sealed_key_id(text).is_none() {
        return Ok(stored.clone());
    }
    let json = keyring.open(field, record_id, text)?;
    // serde_json's and bson's messages may quote the value, so they are dropped.
    let invalid = || StoreError::Other(format!("invalid decrypted value of {}", field.name()));
    let value: serde_json::Value = serde_json::from_str(&json).map_err(|_| invalid())?;
    Bson::try_from(value).map_err(|_| invalid())
}

/// Encrypts the patient fields of `fields`, whose keys are the field names prefixed with
/// `prefix` (`""` inside a new `patient` document, `"patient."` for a `$set`), and records the
/// key id in `key_id`. Missing fields are left out.
pub(crate) fn seal_patient_fields(
    keyring: &Keyring,
    user_id: &str,
    fields: &mut Document,
    prefix: &str,
) -> StoreResult<()> {
    for (name, field) in PATIENT_FIELDS {
        let key = format!("{prefix}{name}");
        if let Some(value) = fields.get(&key) {
            let sealed = seal_value(keyring, field, user_id, value)?;
            fields.insert(key, sealed);
        }
    }
    fields.insert(format!("{prefix}{KEY_ID_FIELD}"), keyring.newest_id());
    Ok(())
}

/// Returns a copy of the embedded `patient` document with its fields decrypted.
pub(crate) fn open_patient(
    keyring: &Keyring,
    user_id: &str,
    patient: &Document,
) -> StoreResult<Document> {
    let mut opened = patient.clone();
    for (name, field) in PATIENT_FIELDS {
        if let Some(stored) = patient.get(name) {
            opened.insert(name, open_value(keyring, field, user_id, stored)?);
        }
    }
    Ok(opened)
}

/// Decrypts an optional text field, such as an appointment's reason.
pub(crate) fn open_optional_text(
    keyring: &Keyring,
    field: SealedField,
    record_id: &str,
    document: &Document,
    name: &str,
) -> StoreResult<Option<String>> {
    match document.get(name) {
        None | Some(Bson::Null) => Ok(None),
        Some(stored) => match open_value(keyring, field, record_id, stored)? {
            Bson::String(text) => Ok(Some(text)),
            Bson::Null => Ok(None),
            _ => Err(crate::error::invalid_field(name)),
        },
    }
}

#[cfg(test)]
mod tests {
    use bson::{Bson, doc};
    use portal_core::keyring::{Keyring, SealedField};

    use super::{open_patient, open_value, seal_patient_fields, seal_value};

    fn keyring() -> Keyring {
        Keyring::parse("k:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap()
    }

    #[test]
    fn values_round_trip() {
        let keys = keyring();
        let values = [
            Bson::String("+1 555 010 0199".to_owned()),
            Bson::Document(doc! { "name": "Sam", "phone": "+1 555" }),
            Bson::Array(vec![Bson::Document(doc! { "substance": "Latex" })]),
            Bson::Array(Vec::new()),
        ];
        for value in values {
            let sealed = seal_value(&keys, SealedField::Phone, "u", &value).unwrap();
            assert!(matches!(&sealed, Bson::String(text) if text.starts_with("v1.k.")));
            let opened = open_value(&keys, SealedField::Phone, "u", &sealed).unwrap();
            assert_eq!(opened, value);
        }
        let null = seal_value(&keys, SealedField::Phone, "u", &Bson::Null).unwrap();
        assert_eq!(null, Bson::Null);
    }

    #[test]
    fn patient_fields_sealed_and_opened() {
        let keys = keyring();
        let plain = doc! {
            "date_of_birth": "1980-05-17",
            "phone": Bson::Null,
            "allergies": [ { "substance": "Latex" } ],
            "consent": { "policy_version": "2026-12-01" },
        };
        let mut sealed = plain.clone();
        seal_patient_fields(&keys, "u", &mut sealed, "").unwrap();
        assert!(
            sealed
                .get_str("date_of_birth")
                .unwrap()
                .starts_with("v1.k.")
        );
        assert_eq!(sealed.get("phone"), Some(&Bson::Null));
        assert_eq!(sealed.get("consent"), plain.get("consent"));
        assert_eq!(sealed.get_str("key_id"), Ok("k"));
        let mut opened = open_patient(&keys, "u", &sealed).unwrap();
        opened.remove("key_id");
        assert_eq!(opened, plain);
        assert_eq!(
            open_patient(&keys, "u", &plain).unwrap(),
            plain,
            "legacy plain text"
        );
        assert!(open_patient(&keys, "other", &sealed).is_err());
    }
}
