//! Accounts, provider details and provider invitations.
//!
//! # Patient registration
//!
//! A patient's account, profile and consent are one document. Its `auth.register` audit event
//! is another, in `audit_events`, and the two must exist together. On a replica set or sharded
//! cluster (Atlas included) both are written in one multi-document transaction. A standalone
//! server has no transactions, so there the account is inserted first and removed again when
//! the event cannot be appended. Only a crash between those steps can leave an account without
//! its event. The store finds out which kind of deployment it talks to when it connects.
//!
//! # Provider registration
//!
//! Registering a provider writes two documents: it marks the invite used and inserts the
//! account. This store does it without a transaction, because MongoDB has multi-document
//! transactions only on replica sets and sharded clusters and the store must also run on a
//! standalone server:
//!
//! 1. One conditional update sets `used_at` on the invite when it is unused and unexpired. Of
//!    two concurrent registrations with the same code, exactly one matches; the other is
//!    rejected and writes nothing.
//! 2. The account is inserted. When the insert fails with a duplicate key (the email is
//!    taken), the invite is given back by clearing `used_at` where it still contains this
//!    registration's time, so the person can retry with another email.
//!
//! The invite is given back only after a duplicate key, which the server reports only when it
//! wrote nothing. After any other failure (a lost connection, say) the account may have been
//! written, so the invite stays used rather than risk a second registration with it. A crash
//! between the two steps leaves the invite used without an account; an administrator then
//! issues a new invite. While a failing registration has the invite marked used, a concurrent one with
//! the same code is rejected.

use async_trait::async_trait;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use mongodb::ClientSession;
use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use portal_core::StoreError;
use portal_core::keyring::Keyring;
use portal_core::model::{
    Consent, Invite, NewAuditEvent, Page, PageRequest, ProviderDetails, ProviderSummary, Role,
    UserRecord,
};
use portal_core::store::{
    AuditStore, InviteStore, NewPatient, NewProvider, ProviderRegistration, StoreResult, UserStore,
};
use uuid::Uuid;

use crate::MongoStore;
use crate::audit::{audit_document, tip_of};
use crate::codec::{self, encode_date, encode_instant, encode_optional_instant, encode_uuid};
use crate::error::store_error;
use crate::health::{decode_health, encode_health};
use crate::list::{PageBounds, all_of, collect, name_prefix_filter};
use crate::sealed::{open_patient, seal_patient_fields};

/// Order of provider and patient lists: last name, first name, then id, ignoring case.
pub(crate) fn name_order() -> Document {
    doc! { "last_name_lower": 1, "first_name_lower": 1, "_id": 1 }
}

/// Builds the account fields shared by patients and providers.
fn user_document(user: &UserRecord) -> Document {
    doc! {
        "_id": encode_uuid(user.id),
        "email": &user.email,
        "role": user.role.as_str(),
        "password_hash": &user.password_hash,
        "first_name": &user.first_name,
        "last_name": &user.last_name,
        "first_name_lower": user.first_name.to_lowercase(),
        "last_name_lower": user.last_name.to_lowercase(),
        "created_at": encode_instant(user.created_at),
        "updated_at": encode_instant(user.updated_at),
    }
}

/// Builds a patient's account document with the embedded profile, whose own `updated_at` is
/// `profile_updated_at`.
pub(crate) fn patient_document(
    keyring: &Keyring,
    patient: &NewPatient,
    profile_updated_at: DateTime<Utc>,
) -> StoreResult<Document> {
    let mut embedded = doc! {
        "date_of_birth": encode_date(patient.date_of_birth),
        "consent": {
            "policy_version": &patient.consent.policy_version,
            "accepted_at": encode_instant(patient.consent.accepted_at),
        },
    };
    embedded.extend(encode_health(&patient.health, ""));
    seal_patient_fields(keyring, &encode_uuid(patient.user.id), &mut embedded, "")?;
    embedded.insert("updated_at", encode_instant(profile_updated_at));

    let mut document = user_document(&patient.user);
    document.insert("patient", embedded);
    Ok(document)
}

/// Builds a provider's account document with the embedded details.
pub(crate) fn provider_document(provider: &NewProvider) -> Document {
    let mut document = user_document(&provider.user);
    document.insert(
        "provider",
        doc! {
            "npi": &provider.details.npi,
            "specialty": &provider.details.specialty,
        },
    );
    document
}

pub(crate) fn invite_document(invite: &Invite, used_at: Option<DateTime<Utc>>) -> Document {
    doc! {
        "_id": &invite.code_hash,
        "created_at": encode_instant(invite.created_at),
        "expires_at": encode_instant(invite.expires_at),
        "used_at": encode_optional_instant(used_at),
    }
}

pub(crate) fn user_from_document(document: &Document) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        id: codec::uuid(document, "_id")?,
        email: codec::text(document, "email")?,
        role: codec::role(document, "role")?,
        password_hash: codec::text(document, "password_hash")?,
        first_name: codec::text(document, "first_name")?,
        last_name: codec::text(document, "last_name")?,
        created_at: codec::instant(document, "created_at")?,
        updated_at: codec::instant(document, "updated_at")?,
    })
}

fn provider_details(document: &Document) -> StoreResult<ProviderDetails> {
    let provider = codec::subdocument(document, "provider")?;
    Ok(ProviderDetails {
        npi: codec::text(provider, "npi")?,
        specialty: codec::text(provider, "specialty")?,
    })
}

fn provider_summary(document: &Document) -> StoreResult<ProviderSummary> {
    Ok(ProviderSummary {
        id: codec::uuid(document, "_id")?,
        first_name: codec::text(document, "first_name")?,
        last_name: codec::text(document, "last_name")?,
        specialty: provider_details(document)?.specialty,
    })
}

pub(crate) fn new_provider_from_document(document: &Document) -> StoreResult<NewProvider> {
    Ok(NewProvider {
        user: user_from_document(document)?,
        details: provider_details(document)?,
    })
}

/// Reads a patient's account document back into the record it was inserted from, with the
/// profile's `updated_at`.
pub(crate) fn new_patient_from_document(
    keyring: &Keyring,
    document: &Document,
) -> StoreResult<(NewPatient, DateTime<Utc>)> {
    let user = user_from_document(document)?;
    let patient = open_patient(
        keyring,
        &encode_uuid(user.id),
        codec::subdocument(document, "patient")?,
    )?;
    let patient = &patient;
    let consent = codec::subdocument(patient, "consent")?;
    let new_patient = NewPatient {
        user,
        date_of_birth: codec::date(patient, "date_of_birth")?,
        consent: Consent {
            policy_version: codec::text(consent, "policy_version")?,
            accepted_at: codec::instant(consent, "accepted_at")?,
        },
        health: decode_health(patient)?,
    };
    Ok((new_patient, codec::instant(patient, "updated_at")?))
}

/// How many times a registration transaction is tried when it conflicts with another write.
const MAX_TRANSACTION_ATTEMPTS: usize = 20;

impl MongoStore {
    /// Inserts the account and appends its audit event in one transaction, retrying from the
    /// start when the server labels a failure transient (a write conflict with a concurrent
    /// audit append, for example) or another writer took the event's sequence number.
    async fn insert_patient_in_transaction(
        &self,
        patient: &NewPatient,
        registered: &NewAuditEvent,
    ) -> StoreResult<()> {
        let mut session = self.client.start_session().await.map_err(store_error)?;
        let account = patient_document(&self.keyring, patient, patient.user.updated_at)?;
        for _ in 0..MAX_TRANSACTION_ATTEMPTS {
            session.start_transaction().await.map_err(store_error)?;
            let written = self
                .write_registration(&mut session, &account, registered)
                .await;
            let outcome = match written {
                Ok(()) => commit(&mut session).await,
                Err(error) => {
                    // The transaction is over either way; a failed abort changes nothing.
                    let _ = session.abort_transaction().await;
                    Err(error)
                }
            };
            match outcome {
                Ok(()) => return Ok(()),
                Err(error) if should_retry_registration(&error) => continue,
                Err(error) => return Err(store_error(error)),
            }
        }
        Err(StoreError::Unavailable(format!(
            "the registration transaction conflicted with other writes \
             {MAX_TRANSACTION_ATTEMPTS} times"
        )))
    }

    async fn write_registration(
        &self,
        session: &mut ClientSession,
        account: &Document,
        registered: &NewAuditEvent,
    ) -> mongodb::error::Result<()> {
        self.users
            .insert_one(account)
            .session(&mut *session)
            .await?;
        let last = self.last_event_in(session).await?;
        // A stored event that does not decode is not a driver error; it ends the attempt
        // without a retry label.
        let mut tip =
            tip_of(last).map_err(|error| mongodb::error::Error::custom(error.to_string()))?;
        let event = audit_document(&self.keyring, &tip.append(registered.clone()))
            .map_err(|error| mongodb::error::Error::custom(error.to_string()))?;
        self.audit_events.insert_one(event).session(session).await?;
        Ok(())
    }

    /// Inserts the account, then appends its audit event; when the append fails, removes the
    /// account again, so the registration fails as a whole. For deployments without
    /// transactions: only a crash between the two writes leaves an account without its event.
    async fn insert_patient_then_audit(
        &self,
        patient: &NewPatient,
        registered: &NewAuditEvent,
    ) -> StoreResult<()> {
        self.users
            .insert_one(patient_document(
                &self.keyring,
                patient,
                patient.user.updated_at,
            )?)
            .await
            .map_err(store_error)?;
        let Err(error) = self.append_audit(std::slice::from_ref(registered)).await else {
            return Ok(());
        };
        let removed = self
            .users
            .delete_one(doc! { "_id": encode_uuid(patient.user.id) })
            .await;
        if let Err(remove_error) = removed {
            tracing::warn!(
                user.id = %patient.user.id,
                error = %store_error(remove_error),
                "failed to remove an account whose registration event could not be stored"
            );
        }
        Err(error)
    }
}

/// Commits, retrying the commit itself while its outcome is unknown, as the transactions
/// specification allows.
async fn commit(session: &mut ClientSession) -> mongodb::error::Result<()> {
    loop {
        match session.commit_transaction().await {
            Err(error) if error.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT) => continue,
            result => return result,
        }
    }
}

/// Returns true for a transient transaction failure or a sequence number taken by a
/// concurrent append. A duplicate email is final.
fn should_retry_registration(error: &mongodb::error::Error) -> bool {
    if error.contains_label(TRANSIENT_TRANSACTION_ERROR) {
        return true;
    }
    matches!(store_error(error.clone()), StoreError::Duplicate(constraint) if constraint == "seq")
}

#[async_trait]
impl UserStore for MongoStore {
    /// Inserts the account with its profile and consent as one document, and its audit event,
    /// in one transaction where the deployment has them (see the module documentation).
    async fn insert_patient(
        &self,
        patient: &NewPatient,
        registered: &NewAuditEvent,
    ) -> StoreResult<()> {
        if self.transactions {
            self.insert_patient_in_transaction(patient, registered)
                .await
        } else {
            self.insert_patient_then_audit(patient, registered).await
        }
    }

    /// Consumes the invite, then inserts the account, giving the invite back when the email is
    /// taken (see the module documentation for why there is no transaction).
    async fn insert_provider(
        &self,
        provider: &NewProvider,
        invite_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ProviderRegistration> {
        let used_at = encode_instant(now);
        let consumed = self
            .invites
            .update_one(
                doc! {
                    "_id": invite_hash,
                    "used_at": Bson::Null,
                    "expires_at": { "$gt": used_at },
                },
                doc! { "$set": { "used_at": used_at } },
            )
            .await
            .map_err(store_error)?;
        if consumed.matched_count == 0 {
            return Ok(ProviderRegistration::InviteRejected);
        }

        let inserted = self.users.insert_one(provider_document(provider)).await;
        let Err(error) = inserted else {
            return Ok(ProviderRegistration::Created);
        };
        let error = store_error(error);
        if matches!(error, StoreError::Duplicate(_)) {
            let given_back = self
                .invites
                .update_one(
                    doc! { "_id": invite_hash, "used_at": used_at },
                    doc! { "$set": { "used_at": Bson::Null } },
                )
                .await;
            if let Err(give_back_error) = given_back {
                tracing::warn!(
                    provider_id = %provider.user.id,
                    error = %store_error(give_back_error),
                    "failed to give back the invite of a rejected provider registration, so \
                     the invite stays used"
                );
            }
        }
        Err(error)
    }

    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let user = self
            .users
            .find_one(doc! { "email": email })
            .await
            .map_err(store_error)?;
        user.as_ref().map(user_from_document).transpose()
    }

    async fn find_user(&self, id: Uuid) -> StoreResult<Option<UserRecord>> {
        let user = self
            .users
            .find_one(doc! { "_id": encode_uuid(id) })
            .await
            .map_err(store_error)?;
        user.as_ref().map(user_from_document).transpose()
    }

    /// Sets the password hash. An unknown `user_id` changes nothing and is not an error.
    async fn update_password(
        &self,
        user_id: Uuid,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.users
            .update_one(
                doc! { "_id": encode_uuid(user_id) },
                doc! { "$set": {
                    "password_hash": password_hash,
                    "updated_at": encode_instant(now),
                } },
            )
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Lists providers by name. The items and the total are two reads, so a provider who
    /// registers in between can make them disagree by one.
    async fn list_providers(
        &self,
        prefix: Option<&str>,
        page: PageRequest,
    ) -> StoreResult<Page<ProviderSummary>> {
        let bounds = PageBounds::new(page)?;
        let filter = all_of([
            Some(doc! { "role": Role::Provider.as_str() }),
            name_prefix_filter(prefix),
        ]);

        let items = if bounds.is_empty() {
            Vec::new()
        } else {
            let cursor = self
                .users
                .find(filter.clone())
                .sort(name_order())
                .skip(bounds.skip)
                .limit(bounds.limit)
                .await
                .map_err(store_error)?;
            collect(cursor)
                .await?
                .iter()
                .map(provider_summary)
                .collect::<StoreResult<Vec<_>>>()?
        };
        let total = self
            .users
            .count_documents(filter)
            .await
            .map_err(store_error)?;
        Ok(Page::new(items, page, total))
    }

    async fn find_provider(&self, id: Uuid) -> StoreResult<Option<ProviderSummary>> {
        let provider = self
            .users
            .find_one(doc! { "_id": encode_uuid(id), "role": Role::Provider.as_str() })
            .await
            .map_err(store_error)?;
        provider.as_ref().map(provider_summary).transpose()
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let any = self
            .users
            .find_one(doc! {})
            .projection(doc! { "_id": 1 })
            .await
            .map_err(store_error)?;
        Ok(any.is_none())
    }
}

#[async_trait]
impl InviteStore for MongoStore {
    /// Stores a new invite, failing with `Duplicate("invite")` when the code hash exists.
    async fn insert_invite(&self, invite: &Invite) -> StoreResult<()> {
        self.invites
            .insert_one(invite_document(invite, None))
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
