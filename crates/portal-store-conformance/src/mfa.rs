//! Conformance cases of `MfaStore` and of copying its records with `TransferStore`.

use chrono::Duration;
use portal_core::store::{MfaRecord, RecordKind, Store, TransferRecord};
use uuid::Uuid;

use super::{RACE_ROUNDS, add_patient, now};

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const OTHER_SECRET: &str = "KRUGS4ZANFZSAYJAONSWG4TFOQQGC3DE";

fn hashes(prefix: &str) -> Vec<String> {
    (0..10).map(|index| format!("{prefix}{index:02}")).collect()
}

async fn find(store: &dyn Store, user_id: Uuid) -> Option<MfaRecord> {
    store.find_totp(user_id).await.expect("find a credential")
}

/// Adds a patient with a credential confirmed at step 1000 and the recovery codes `code00`
/// to `code09`.
async fn add_confirmed(store: &dyn Store) -> Uuid {
    let user_id = add_patient(store, "Ada", "Byron").await;
    assert!(
        store
            .set_pending_totp(user_id, SECRET, now())
            .await
            .expect("set a pending secret"),
        "a first setup is stored"
    );
    assert!(
        store
            .confirm_totp(user_id, SECRET, 1000, &hashes("code"), now())
            .await
            .expect("confirm the setup"),
        "a pending setup is confirmed"
    );
    user_id
}

pub async fn mfa_pending_round_trip(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    assert_eq!(find(store, user_id).await, None, "no credential at first");

    let stored = store
        .set_pending_totp(user_id, SECRET, now())
        .await
        .expect("set a pending secret");
    assert!(stored, "a first setup is stored");
    let record = find(store, user_id).await.expect("the pending credential");
    assert_eq!(record.secret, SECRET, "secret is kept");
    assert_eq!(record.created_at, now(), "created_at is kept");
    assert_eq!(record.confirmed_at, None, "a setup starts pending");
    assert_eq!(record.last_step, 0, "no step is accepted yet");
    assert!(
        record.recovery_code_hashes.is_empty(),
        "no recovery codes yet"
    );

    let later = now() + Duration::minutes(5);
    let replaced = store
        .set_pending_totp(user_id, OTHER_SECRET, later)
        .await
        .expect("replace the pending secret");
    assert!(replaced, "a pending setup can be replaced");
    let record = find(store, user_id).await.expect("the replaced credential");
    assert_eq!(
        record.secret, OTHER_SECRET,
        "the new secret replaces the old"
    );
    assert_eq!(record.created_at, later, "created_at is the new setup's");
}

pub async fn mfa_confirm(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    store
        .set_pending_totp(user_id, SECRET, now())
        .await
        .expect("set a pending secret");

    let stale = store
        .confirm_totp(user_id, OTHER_SECRET, 1000, &hashes("code"), now())
        .await
        .expect("confirm with a replaced secret");
    assert!(!stale, "a setup whose secret was replaced is not confirmed");
    assert_eq!(
        find(store, user_id).await.and_then(|r| r.confirmed_at),
        None,
        "the failed confirmation wrote nothing"
    );

    let confirmed_at = now() + Duration::minutes(1);
    let confirmed = store
        .confirm_totp(user_id, SECRET, 1000, &hashes("code"), confirmed_at)
        .await
        .expect("confirm the setup");
    assert!(confirmed, "the pending setup is confirmed");
    let record = find(store, user_id)
        .await
        .expect("the confirmed credential");
    assert_eq!(
        record.confirmed_at,
        Some(confirmed_at),
        "confirmed_at is set"
    );
    assert_eq!(record.last_step, 1000, "the confirming step is recorded");
    assert_eq!(
        record.recovery_code_hashes,
        hashes("code"),
        "recovery codes are stored and read back sorted"
    );

    let again = store
        .confirm_totp(user_id, SECRET, 1001, &hashes("other"), now())
        .await
        .expect("confirm twice");
    assert!(!again, "a confirmed credential is not confirmed again");
    let replaced = store
        .set_pending_totp(user_id, OTHER_SECRET, now())
        .await
        .expect("set up over a confirmed credential");
    assert!(
        !replaced,
        "a confirmed credential is not replaced by a setup"
    );
    let record = find(store, user_id)
        .await
        .expect("the confirmed credential");
    assert_eq!(record.secret, SECRET, "the confirmed secret is kept");
    assert_eq!(record.last_step, 1000, "last_step is unchanged");
}

pub async fn mfa_accept_step(store: &dyn Store) {
    let pending = add_patient(store, "Grace", "Hopper").await;
    store
        .set_pending_totp(pending, SECRET, now())
        .await
        .expect("set a pending secret");
    let accepted = store
        .accept_totp_step(pending, 5)
        .await
        .expect("accept a step of a pending credential");
    assert!(!accepted, "a pending credential accepts no code");

    let user_id = add_confirmed(store).await;
    for (step, expected) in [(1000, false), (999, false), (1001, true), (1001, false)] {
        let accepted = store
            .accept_totp_step(user_id, step)
            .await
            .expect("accept a step");
        assert_eq!(accepted, expected, "step {step} after the steps before it");
    }
    let record = find(store, user_id).await.expect("the credential");
    assert_eq!(record.last_step, 1001, "last_step is the highest accepted");
}

pub async fn mfa_accept_step_race(store: &dyn Store) {
    for round in 0..RACE_ROUNDS {
        let user_id = add_confirmed(store).await;
        let step = 2000 + round as i64;
        let (first, second) = tokio::join!(
            store.accept_totp_step(user_id, step),
            store.accept_totp_step(user_id, step)
        );
        let wins = [first, second]
            .into_iter()
            .map(|result| result.expect("accept a step"))
            .filter(|accepted| *accepted)
            .count();
        assert_eq!(
            wins, 1,
            "round {round}: exactly one request accepts the step"
        );
    }
}

pub async fn mfa_recovery_codes(store: &dyn Store) {
    let user_id = add_confirmed(store).await;
    let first = store
        .use_recovery_code(user_id, "code03")
        .await
        .expect("use a recovery code");
    assert!(first, "an unused recovery code works");
    let second = store
        .use_recovery_code(user_id, "code03")
        .await
        .expect("use a recovery code again");
    assert!(!second, "a recovery code works once");
    let unknown = store
        .use_recovery_code(user_id, "nothing")
        .await
        .expect("use an unknown recovery code");
    assert!(!unknown, "an unknown recovery code does not work");
    let record = find(store, user_id).await.expect("the credential");
    assert_eq!(record.recovery_code_hashes.len(), 9, "one code is used up");

    let replaced = store
        .replace_recovery_codes(user_id, &hashes("new"))
        .await
        .expect("replace the recovery codes");
    assert!(replaced, "a confirmed credential gets new codes");
    let old = store
        .use_recovery_code(user_id, "code04")
        .await
        .expect("use a replaced recovery code");
    assert!(!old, "replaced codes stop working");
    let new = store
        .use_recovery_code(user_id, "new04")
        .await
        .expect("use a new recovery code");
    assert!(new, "new codes work");
}

pub async fn mfa_recovery_code_race(store: &dyn Store) {
    let user_id = add_confirmed(store).await;
    for round in 0..RACE_ROUNDS {
        let hash = format!("code{round:02}");
        let (first, second) = tokio::join!(
            store.use_recovery_code(user_id, &hash),
            store.use_recovery_code(user_id, &hash)
        );
        let wins = [first, second]
            .into_iter()
            .map(|result| result.expect("use a recovery code"))
            .filter(|used| *used)
            .count();
        assert_eq!(wins, 1, "round {round}: exactly one request uses the code");
    }
}

pub async fn mfa_remove(store: &dyn Store) {
    let user_id = add_confirmed(store).await;
    let removed = store.remove_totp(user_id).await.expect("remove");
    assert!(removed, "an existing credential is removed");
    assert_eq!(find(store, user_id).await, None, "nothing is left");
    let again = store.remove_totp(user_id).await.expect("remove again");
    assert!(!again, "removing twice finds nothing");
    let used = store
        .use_recovery_code(user_id, "code01")
        .await
        .expect("use a code of a removed credential");
    assert!(!used, "recovery codes go with the credential");

    let set_up = store
        .set_pending_totp(user_id, OTHER_SECRET, now())
        .await
        .expect("set up again");
    assert!(set_up, "a new setup is possible after removal");
    let record = find(store, user_id).await.expect("the new setup");
    assert!(
        record.recovery_code_hashes.is_empty(),
        "no old codes remain"
    );
    assert_eq!(record.last_step, 0, "the new setup starts at step 0");
}

pub async fn mfa_unknown_user(store: &dyn Store) {
    let user_id = Uuid::now_v7();
    assert_eq!(find(store, user_id).await, None, "unknown user has nothing");
    let accepted = store.accept_totp_step(user_id, 1).await.expect("accept");
    assert!(!accepted, "unknown user accepts no code");
    let used = store
        .use_recovery_code(user_id, "code00")
        .await
        .expect("use a recovery code");
    assert!(!used, "unknown user has no recovery codes");
    let replaced = store
        .replace_recovery_codes(user_id, &hashes("code"))
        .await
        .expect("replace recovery codes");
    assert!(!replaced, "unknown user gets no recovery codes");
}

pub async fn mfa_transfer_round_trip(store: &dyn Store) {
    let confirmed = add_confirmed(store).await;
    let pending = add_patient(store, "Grace", "Hopper").await;
    store
        .set_pending_totp(pending, OTHER_SECRET, now())
        .await
        .expect("set a pending secret");
    store
        .accept_totp_step(confirmed, 1005)
        .await
        .expect("accept a step");
    let count = store
        .count_records(RecordKind::Mfa)
        .await
        .expect("count credentials");
    assert_eq!(count, 2, "both credentials are counted");

    let (first_page, cursor) = store
        .export_records(RecordKind::Mfa, None, 1)
        .await
        .expect("export the first page");
    assert_eq!(first_page.len(), 1, "the first page holds one credential");
    let (second_page, _) = store
        .export_records(RecordKind::Mfa, cursor.as_deref(), 1)
        .await
        .expect("export the second page");
    assert_eq!(second_page.len(), 1, "the second page holds the other");
    let (rest, next) = store
        .export_records(RecordKind::Mfa, None, 10)
        .await
        .expect("export every credential");
    assert_eq!(rest.len(), 2, "both credentials are exported");
    assert!(next.is_some(), "a non-empty page returns a cursor");

    let mut exported = Vec::new();
    for record in first_page.into_iter().chain(second_page) {
        let TransferRecord::Mfa(record) = record else {
            panic!("an export of credentials returned another kind: {record:?}");
        };
        exported.push(record);
    }
    let expected = [
        find(store, confirmed)
            .await
            .expect("the confirmed credential"),
        find(store, pending).await.expect("the pending credential"),
    ];
    for original in &expected {
        let copy = exported
            .iter()
            .find(|record| record.user_id == original.user_id)
            .expect("each credential is exported");
        assert_eq!(copy, original, "export returns the credential as stored");
    }

    for record in &expected {
        store
            .remove_totp(record.user_id)
            .await
            .expect("remove before import");
    }
    let records: Vec<TransferRecord> = exported.into_iter().map(TransferRecord::Mfa).collect();
    store
        .import_records(&records)
        .await
        .expect("import credentials");
    for original in &expected {
        let imported = find(store, original.user_id).await;
        assert_eq!(
            imported.as_ref(),
            Some(original),
            "import writes the credential as exported"
        );
    }
    let step = store
        .accept_totp_step(confirmed, 1005)
        .await
        .expect("accept a copied step");
    assert!(!step, "the copied last_step still blocks a reused code");
}
