//! Conformance cases for session activity, listing and browser labels.

use chrono::Duration;
use portal_core::store::{RecordKind, Store, TransferRecord};
use uuid::Uuid;

use super::{add_patient, add_session, find_session, new_session, now};

pub async fn session_browser_round_trip(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let labelled = add_session(store, user_id).await;
    let mut unlabelled = new_session(user_id);
    unlabelled.browser = None;
    store
        .insert_session(&unlabelled)
        .await
        .expect("insert a session without a browser");

    let stored = find_session(store, labelled.id).await;
    assert_eq!(
        stored.browser.as_deref(),
        Some("Firefox on Linux"),
        "the browser label is stored"
    );
    let stored = find_session(store, unlabelled.id).await;
    assert_eq!(stored.browser, None, "a missing label stays missing");

    let (records, _) = store
        .export_records(RecordKind::Session, None, 10)
        .await
        .expect("export sessions");
    let exported: Vec<Option<String>> = records
        .into_iter()
        .map(|record| match record {
            TransferRecord::Session(session) => session.browser,
            other => panic!("the session export returned {other:?}"),
        })
        .collect();
    assert!(
        exported.contains(&Some("Firefox on Linux".to_owned())),
        "the export carries the label: {exported:?}"
    );
    assert!(
        exported.contains(&None),
        "the export carries a missing label: {exported:?}"
    );
}

pub async fn session_touch(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;

    let soon = now() + Duration::seconds(30);
    let touched = store
        .touch_session(session.id, soon, soon - Duration::minutes(1))
        .await
        .expect("touch");
    assert!(
        !touched,
        "a session used within the interval is not written"
    );
    assert_eq!(
        find_session(store, session.id).await.last_used_at,
        now(),
        "last_used_at keeps the earlier time"
    );

    let later = now() + Duration::minutes(5);
    let touched = store
        .touch_session(session.id, later, later - Duration::minutes(1))
        .await
        .expect("touch");
    assert!(touched, "a session last used before the cut-off is written");
    let stored = find_session(store, session.id).await;
    assert_eq!(stored.last_used_at, later, "last_used_at is the touch time");
    assert_eq!(
        stored.refresh_hash, session.refresh_hash,
        "touching keeps the refresh hash"
    );
    assert_eq!(stored.revoked_at, None, "touching does not revoke");

    let unknown = store
        .touch_session(Uuid::now_v7(), later, later)
        .await
        .expect("touch an unknown session");
    assert!(!unknown, "an unknown session is not written");
}

pub async fn session_touch_revoked(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;
    store
        .revoke_session(session.id, now())
        .await
        .expect("revoke");

    let later = now() + Duration::minutes(5);
    let touched = store
        .touch_session(session.id, later, later - Duration::minutes(1))
        .await
        .expect("touch");
    assert!(!touched, "a revoked session is not written");
    let stored = find_session(store, session.id).await;
    assert_eq!(stored.last_used_at, now(), "last_used_at is unchanged");
    assert_eq!(stored.revoked_at, Some(now()), "the session stays revoked");
}

pub async fn session_list_active(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let other_user = add_patient(store, "Grace", "Hopper").await;
    let active = add_session(store, user_id).await;

    let revoked = add_session(store, user_id).await;
    store
        .revoke_session(revoked.id, now())
        .await
        .expect("revoke");

    let mut expired = new_session(user_id);
    expired.created_at = now() - Duration::hours(13);
    expired.expires_at = now() - Duration::hours(1);
    store.insert_session(&expired).await.expect("insert");

    let mut idle = new_session(user_id);
    idle.last_used_at = now() - Duration::minutes(20);
    store.insert_session(&idle).await.expect("insert");

    let mut at_cut_off = new_session(user_id);
    at_cut_off.last_used_at = now() - Duration::minutes(15);
    store.insert_session(&at_cut_off).await.expect("insert");

    add_session(store, other_user).await;

    let listed = store
        .list_active_sessions(user_id, now(), now() - Duration::minutes(15), 100)
        .await
        .expect("list active sessions");
    let ids: Vec<Uuid> = listed.iter().map(|session| session.id).collect();
    assert_eq!(
        ids,
        vec![active.id],
        "only the unrevoked, unexpired, recently used session of the user is listed"
    );
    assert_eq!(listed[0], active, "the listed session is the stored one");

    let none = store
        .list_active_sessions(Uuid::now_v7(), now(), now() - Duration::minutes(15), 100)
        .await
        .expect("list for an unknown user");
    assert!(none.is_empty(), "an unknown user has no sessions");
}

pub async fn session_list_order_limit(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let mut created = Vec::new();
    for minutes_ago in [30, 10, 50, 20] {
        let mut session = new_session(user_id);
        session.created_at = now() - Duration::minutes(minutes_ago);
        store.insert_session(&session).await.expect("insert");
        created.push((minutes_ago, session.id));
    }
    // Two sessions started in the same instant are ordered by id, newest id first.
    let mut first_twin = new_session(user_id);
    first_twin.created_at = now() - Duration::minutes(40);
    let mut second_twin = new_session(user_id);
    second_twin.created_at = first_twin.created_at;
    store.insert_session(&first_twin).await.expect("insert");
    store.insert_session(&second_twin).await.expect("insert");
    assert!(first_twin.id < second_twin.id, "UUIDv7 ids increase");

    let used_after = now() - Duration::minutes(15);
    let listed = store
        .list_active_sessions(user_id, now(), used_after, 100)
        .await
        .expect("list active sessions");
    let ids: Vec<Uuid> = listed.iter().map(|session| session.id).collect();
    let by_age = |minutes: i64| {
        created
            .iter()
            .find(|(minutes_ago, _)| *minutes_ago == minutes)
            .map(|(_, id)| *id)
            .expect("a session of that age")
    };
    assert_eq!(
        ids,
        vec![
            by_age(10),
            by_age(20),
            by_age(30),
            second_twin.id,
            first_twin.id,
            by_age(50),
        ],
        "newest first, then by id"
    );

    let limited = store
        .list_active_sessions(user_id, now(), used_after, 2)
        .await
        .expect("list with a limit");
    let limited: Vec<Uuid> = limited.iter().map(|session| session.id).collect();
    assert_eq!(
        limited,
        vec![by_age(10), by_age(20)],
        "the limit keeps the newest sessions"
    );
}
