//! Conformance cases showing that request text is only ever a value. Query operators, regular
//! expression syntax and wildcards in a name prefix, an email, a refresh token hash or an invite
//! hash match nothing, unless a stored value contains that text literally.

use chrono::Duration;
use portal_core::model::Role;
use portal_core::store::{ProviderRegistration, Store};
use uuid::Uuid;

use super::{
    add_patient, add_patient_of, add_provider, add_session, find_session, first_page, invite,
    new_patient, new_provider, now,
};

/// Strings shaped like MongoDB query operators, regular expressions or wildcards.
const HOSTILE: [&str; 14] = [
    r#"{"$ne": ""}"#,
    r#"{"$gt": ""}"#,
    r#"{"$regex": ".*"}"#,
    r#"{"$where": "true"}"#,
    "$where",
    "$ne",
    ".*",
    "^",
    "*",
    r"\",
    "[a-z]",
    "(",
    "|",
    "%",
];

pub async fn injection_name_prefix(store: &dyn Store) {
    let provider_id = add_provider(store, "Dana", "Reyes").await;
    add_provider(store, "Lee", "Park").await;
    add_patient_of(store, "Ada", "Byron", provider_id).await;
    add_patient_of(store, "Grace", "Hopper", provider_id).await;

    for prefix in HOSTILE {
        let providers = store
            .list_providers(Some(prefix), first_page(10))
            .await
            .expect("list providers");
        assert!(
            providers.items.is_empty(),
            "the prefix {prefix:?} lists no provider"
        );
        assert_eq!(
            providers.total, 0,
            "the prefix {prefix:?} counts no provider"
        );

        let patients = store
            .list_care_patients(provider_id, Some(prefix), first_page(10), now())
            .await
            .expect("list care patients");
        assert!(
            patients.items.is_empty(),
            "the prefix {prefix:?} lists no care patient"
        );
        assert_eq!(
            patients.total, 0,
            "the prefix {prefix:?} counts no care patient"
        );
    }
}

pub async fn injection_prefix_literal(store: &dyn Store) {
    let dot_star = add_provider(store, ".*Star", "Smith").await;
    let caret = add_provider(store, "Carl", "^Caret").await;
    let dollar = add_provider(store, "$where", "Jones").await;
    add_provider(store, "Plain", "Name").await;
    let operator = add_provider(store, r#"{"$ne": ""}"#, "Brace").await;

    let cases = [
        (
            ".*",
            dot_star,
            "`.*` matches only a name starting with `.*`",
        ),
        ("^", caret, "`^` matches only a name starting with `^`"),
        (
            "$where",
            dollar,
            "`$where` matches only a name starting with `$where`",
        ),
        (
            r#"{"$ne": ""}"#,
            operator,
            "an operator-shaped prefix matches only that literal text",
        ),
    ];
    for (prefix, expected, message) in cases {
        let page = store
            .list_providers(Some(prefix), first_page(10))
            .await
            .expect("list providers");
        let ids: Vec<Uuid> = page.items.iter().map(|provider| provider.id).collect();
        assert_eq!(ids, vec![expected], "{message}");
    }
}

pub async fn injection_email(store: &dyn Store) {
    add_patient(store, "Ada", "Byron").await;
    add_provider(store, "Dana", "Reyes").await;

    for email in HOSTILE {
        let found = store
            .find_user_by_email(email)
            .await
            .expect("find by email");
        assert!(found.is_none(), "the email {email:?} finds no account");
    }

    let mut literal = new_patient("Grace", "Hopper");
    literal.user.email = r#"{"$ne": ""}"#.to_owned();
    store
        .insert_patient(&literal, &crate::registration_event(&literal))
        .await
        .expect("insert a patient with an operator-shaped email");
    let found = store
        .find_user_by_email(r#"{"$ne": ""}"#)
        .await
        .expect("find by email")
        .expect("the literal email finds its account");
    assert_eq!(
        found.id, literal.user.id,
        "an operator-shaped email is an ordinary value"
    );
    assert_eq!(
        found.role,
        Role::Patient,
        "the literal match is the patient"
    );
}

pub async fn injection_tokens(store: &dyn Store) {
    let user_id = add_patient(store, "Ada", "Byron").await;
    let session = add_session(store, user_id).await;
    let valid = invite(now() + Duration::days(7));
    store.insert_invite(&valid).await.expect("insert an invite");

    for hostile in HOSTILE {
        let found = store
            .find_session_by_refresh_hash(hostile)
            .await
            .expect("find by hash");
        assert!(found.is_none(), "the hash {hostile:?} finds no session");

        let rotated = store
            .rotate_refresh(session.id, hostile, "sha256-stolen", now())
            .await
            .expect("rotate");
        assert!(!rotated, "the old hash {hostile:?} does not rotate");

        let provider = new_provider("Dana", "Reyes", "Cardiology");
        let registration = store
            .insert_provider(&provider, hostile, now())
            .await
            .expect("register a provider");
        assert_eq!(
            registration,
            ProviderRegistration::InviteRejected,
            "the invite hash {hostile:?} is rejected"
        );
    }

    let stored = find_session(store, session.id).await;
    assert_eq!(
        stored.refresh_hash, session.refresh_hash,
        "the session keeps its hash"
    );
    let provider = new_provider("Dana", "Reyes", "Cardiology");
    let registration = store
        .insert_provider(&provider, &valid.code_hash, now())
        .await
        .expect("register a provider");
    assert_eq!(
        registration,
        ProviderRegistration::Created,
        "the real invite is still unused"
    );
}
