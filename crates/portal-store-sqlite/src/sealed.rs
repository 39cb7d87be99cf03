//! Encrypted columns: the health data of `patients`, `appointments.reason` and
//! `audit_events.detail` are stored as text in the form [`portal_core::keyring`] describes,
//! bound to their row by the row's id.

use crate::codec::Columns;
use chrono::NaiveDate;
use portal_core::keyring::{Keyring, SealedField};
use portal_core::model::SexAtBirth;
use portal_core::store::StoreResult;
use serde::de::DeserializeOwned;

use crate::codec::{self, parse_sex_at_birth};
use crate::error::invalid_column;
use crate::time::decode_date;

/// Encrypts and decrypts the encrypted columns of one row.
pub(crate) struct RowSealer<'a> {
    keyring: &'a Keyring,
    record_id: String,
}

impl<'a> RowSealer<'a> {
    /// `record_id` is the row's key as stored: the user or appointment id, or the audit
    /// sequence number.
    pub(crate) fn new(keyring: &'a Keyring, record_id: impl ToString) -> Self {
        Self {
            keyring,
            record_id: record_id.to_string(),
        }
    }

    pub(crate) fn seal(&self, field: SealedField, plaintext: &str) -> String {
        self.keyring.seal(field, &self.record_id, plaintext)
    }

    pub(crate) fn seal_optional(
        &self,
        field: SealedField,
        plaintext: Option<&str>,
    ) -> Option<String> {
        plaintext.map(|plaintext| self.seal(field, plaintext))
    }

    pub(crate) fn optional_text(
        &self,
        row: &impl Columns,
        column: &str,
        field: SealedField,
    ) -> StoreResult<Option<String>> {
        codec::optional_text(row, column)?
            .map(|stored| {
                self.keyring
                    .open(field, &self.record_id, &stored)
                    .map(|plaintext| plaintext.into_owned())
            })
            .transpose()
    }

    pub(crate) fn text(
        &self,
        row: &impl Columns,
        column: &str,
        field: SealedField,
    ) -> StoreResult<String> {
        let stored = codec::text(row, column)?;
        Ok(self
            .keyring
            .open(field, &self.record_id, &stored)?
            .into_owned())
    }

    pub(crate) fn date(
        &self,
        row: &impl Columns,
        column: &str,
        field: SealedField,
    ) -> StoreResult<NaiveDate> {
        decode_date(&self.text(row, column, field)?, column)
    }

    pub(crate) fn optional_sex_at_birth(
        &self,
        row: &impl Columns,
        column: &str,
        field: SealedField,
    ) -> StoreResult<Option<SexAtBirth>> {
        self.optional_text(row, column, field)?
            .map(|value| parse_sex_at_birth(&value).ok_or_else(|| invalid_column(column)))
            .transpose()
    }

    /// Reads a JSON column into a value of the model. NULL is an error unless `T` is an
    /// `Option`.
    pub(crate) fn json<T: DeserializeOwned>(
        &self,
        row: &impl Columns,
        column: &str,
        field: SealedField,
    ) -> StoreResult<T> {
        let value = self.optional_text(row, column, field)?;
        let value = value.unwrap_or_else(|| "null".to_owned());
        // serde_json's message may quote the value, so it is dropped.
        serde_json::from_str(&value).map_err(|_| invalid_column(column))
    }
}
