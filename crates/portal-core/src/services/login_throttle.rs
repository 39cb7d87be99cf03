//! Throttling of failed sign-ins, per account and per client address.

use chrono::{DateTime, Utc};

use super::{Portal, RequestContext};
use crate::domain::Email;
use crate::error::{ServiceError, ServiceResult};
use crate::model::Outcome;
use crate::throttle::{LoginThrottleSettings, Throttle, Throttled, address_key};

/// The two throttles a sign-in passes: one keyed by the submitted email, one by the client
/// address.
#[derive(Debug)]
pub(super) struct LoginThrottle {
    accounts: Throttle,
    addresses: Throttle,
}

/// The throttle keys of one sign-in attempt.
pub(super) struct LoginKeys {
    account: String,
    address: String,
}

impl LoginKeys {
    /// Builds the keys from the submitted email and the client address. The account key is
    /// the normalised email when it parses and the trimmed, lower-cased input otherwise, so
    /// an unknown or malformed email is throttled exactly like a registered one.
    pub(super) fn new(email: &str, client_addr: &str) -> Self {
        let account = match Email::parse(email) {
            Ok(email) => email.into_string(),
            Err(_) => email.trim().to_lowercase(),
        };
        Self {
            account,
            address: address_key(client_addr),
        }
    }
}

impl LoginThrottle {
    pub(super) fn new(settings: LoginThrottleSettings) -> Self {
        Self {
            accounts: Throttle::new(settings.per_account),
            addresses: Throttle::new(settings.per_address),
        }
    }

    /// Admits an attempt and counts it as a failure until `succeeded` or `undecided` takes
    /// that back. Counting before the password is verified means concurrent guesses cannot
    /// all pass the check while the first ones are still being verified. When either key is
    /// throttled, nothing is counted and the longer wait is returned.
    ///
    /// NOTE: the check and the count take the lock separately, so attempts that run at
    /// exactly the same moment on different worker threads can each pass the last free slot.
    /// The excess is at most one attempt per worker thread.
    pub(super) fn begin(&self, keys: &LoginKeys, now: DateTime<Utc>) -> Result<(), Throttled> {
        let by_account = self.accounts.check(&keys.account, now);
        let by_address = self.addresses.check(&keys.address, now);
        match (by_account, by_address) {
            (Ok(()), Ok(())) => {
                self.accounts.record_failure(&keys.account, now);
                self.addresses.record_failure(&keys.address, now);
                Ok(())
            }
            (Err(account), Err(address)) => Err(Throttled {
                retry_after: account.retry_after.max(address.retry_after),
            }),
            (Err(throttled), Ok(())) | (Ok(()), Err(throttled)) => Err(throttled),
        }
    }

    /// Clears the account's failures and takes back this attempt's count for the address.
    /// Earlier failures from the address stay, so signing in to one's own account does not
    /// reset the address's budget for guessing at others.
    pub(super) fn succeeded(&self, keys: &LoginKeys, now: DateTime<Utc>) {
        self.accounts.reset(&keys.account);
        self.addresses.forgive_failure(&keys.address, now);
    }

    /// Checks the client address alone without counting anything, for a registration.
    pub(super) fn check_address(
        &self,
        client_addr: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Throttled> {
        self.addresses.check(&address_key(client_addr), now)
    }

    /// Counts a failed registration (an email that has an account, a wrong invite code)
    /// against the client address, in the budget it shares with failed sign-ins. Trying
    /// emails at the registration form reveals which ones have accounts, so those attempts
    /// are limited like password guesses.
    pub(super) fn registration_failed(&self, client_addr: &str, now: DateTime<Utc>) {
        self.addresses
            .record_failure(&address_key(client_addr), now);
    }

    /// Takes back this attempt's counts after an error that decided nothing, such as an
    /// unavailable database.
    pub(super) fn undecided(&self, keys: &LoginKeys, now: DateTime<Utc>) {
        self.accounts.forgive_failure(&keys.account, now);
        self.addresses.forgive_failure(&keys.address, now);
    }
}

impl Portal {
    /// Rejects a registration from a client address that has used up its budget of failed
    /// attempts, and audits it as `auth.register.throttled`.
    pub(super) async fn check_registration_throttle(
        &self,
        context: &RequestContext,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        match self.login_throttle.check_address(&context.client_addr, now) {
            Ok(()) => Ok(()),
            Err(throttled) => {
                self.record(
                    context,
                    None,
                    "auth.register.throttled",
                    None,
                    Outcome::Denied,
                )
                .await?;
                Err(ServiceError::Throttled(throttled))
            }
        }
    }

    /// Audits a throttled sign-in as denied. The account, when one has the submitted email, is
    /// the subject. The lookup runs for unknown emails too, so both take the same time.
    pub(super) async fn audit_throttled_login(
        &self,
        context: &RequestContext,
        email: &str,
    ) -> ServiceResult<()> {
        let subject = match Email::parse(email) {
            Ok(email) => self.store.find_user_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let subject = subject.map(|user| user.id);
        self.record(
            context,
            None,
            "auth.login.throttled",
            subject,
            Outcome::Denied,
        )
        .await
    }
}
