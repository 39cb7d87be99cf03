//! `portal keys rotate`: re-encrypts health data under the newest data key and reports which
//! keys the stored records use.
//!
//! Patients, appointments and two-step sign-in credentials are re-encrypted in batches. Each
//! record is written only if no other write changed it since the batch read it, so the command
//! can run while the portal serves and can be stopped and run again at any point. Audit event
//! details are never re-encrypted, because the audit log is append-only and hash-chained: an
//! old key must stay in `PORTAL_DATA_KEY` while the report shows details that use it.

use std::fmt::Write as _;

use anyhow::bail;
use portal_core::keyring::{Keyring, SealedRecordKind};
use portal_core::store::{KeyUsage, Store, StoreResult};

use crate::config::KeysRotateArgs;
use crate::data_key::{self, DATA_KEY_VARIABLE};
use crate::database;
use crate::server::data_dir;

/// Kinds whose records are re-encrypted, in the order the command handles them.
const REWRITTEN_KINDS: [SealedRecordKind; 3] = [
    SealedRecordKind::Patient,
    SealedRecordKind::Appointment,
    SealedRecordKind::Mfa,
];

/// The outcome of a rotation: records rewritten, and the keys the records use afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// The key that encrypts new values.
    pub newest_key_id: String,
    /// Records re-encrypted per kind.
    pub rewritten: Vec<(SealedRecordKind, u64)>,
    /// Records per key and kind after the rotation.
    pub usage: Vec<(SealedRecordKind, Vec<KeyUsage>)>,
}

impl RotationReport {
    /// Returns the records left under another key or in plain text (audit events aside), which
    /// happens when a portal instance with an older `PORTAL_DATA_KEY` wrote them meanwhile.
    pub fn stale_records(&self) -> u64 {
        self.usage
            .iter()
            .filter(|(kind, _)| REWRITTEN_KINDS.contains(kind))
            .flat_map(|(_, usage)| usage)
            .filter(|usage| usage.key_id.as_deref() != Some(self.newest_key_id.as_str()))
            .map(|usage| usage.records)
            .sum()
    }

    /// Formats the report for the terminal.
    pub fn summary(&self) -> String {
        let mut text = String::new();
        for (kind, count) in &self.rewritten {
            let _ = writeln!(
                text,
                "Re-encrypted {count} {} with data key `{}`.",
                kind.as_str(),
                self.newest_key_id
            );
        }
        let _ = writeln!(text, "Records per data key:");
        for (kind, usage) in &self.usage {
            let counts: Vec<String> = usage.iter().map(describe_usage).collect();
            let counts = if counts.is_empty() {
                "none".to_owned()
            } else {
                counts.join(", ")
            };
            let _ = writeln!(text, "  {}: {counts}", kind.as_str());
        }
        for (kind, usage) in &self.usage {
            if *kind != SealedRecordKind::AuditEvent {
                continue;
            }
            for entry in usage {
                if let Some(key_id) = entry.key_id.as_deref()
                    && key_id != self.newest_key_id
                {
                    let _ = writeln!(
                        text,
                        "Keep data key `{key_id}` in {DATA_KEY_VARIABLE}: {} audit event details \
                         use it, and audit events are never re-encrypted.",
                        entry.records
                    );
                }
            }
        }
        text
    }
}

fn describe_usage(usage: &KeyUsage) -> String {
    match &usage.key_id {
        Some(key_id) => format!("{} under `{key_id}`", usage.records),
        None => format!("{} in plain text", usage.records),
    }
}

/// Re-encrypts every patient, appointment and credential not under `keyring`'s newest key, in
/// batches of `batch_size`, calling `progress` with the kind and the running count after each
/// batch.
pub async fn rotate_store(
    store: &dyn Store,
    keyring: &Keyring,
    batch_size: u32,
    mut progress: impl FnMut(SealedRecordKind, u64),
) -> StoreResult<RotationReport> {
    let mut rewritten = Vec::new();
    for kind in REWRITTEN_KINDS {
        let mut total = 0;
        loop {
            let count = store.reencrypt_batch(kind, batch_size).await?;
            if count == 0 {
                break;
            }
            total += count;
            progress(kind, total);
        }
        rewritten.push((kind, total));
    }
    let mut usage = Vec::new();
    for kind in SealedRecordKind::ALL {
        usage.push((kind, store.count_by_key(kind).await?));
    }
    Ok(RotationReport {
        newest_key_id: keyring.newest_id().to_owned(),
        rewritten,
        usage,
    })
}

/// Runs `portal keys rotate`.
pub async fn rotate(args: KeysRotateArgs) -> anyhow::Result<()> {
    let common = &args.common;
    // Opening a missing SQLite file would create an empty database and report nothing to do.
    if let Some(file) = database::sqlite_file(&common.database_url)
        && !file.is_file()
    {
        bail!(
            "PORTAL_DATABASE_URL names an SQLite file that does not exist ({}); check the path",
            file.display()
        );
    }
    let keyring = data_key::resolve(
        common.data_key.as_deref(),
        DATA_KEY_VARIABLE,
        common.environment,
        &data_dir(&common.database_url),
    )?;
    let store = database::open(
        &common.database_url,
        common.mongodb_database.as_deref(),
        "PORTAL_DATABASE_URL",
        keyring.clone(),
    )
    .await?;
    eprintln!(
        "Re-encrypting with data key `{}`, {} records per batch",
        keyring.newest_id(),
        args.batch_size
    );
    let result = rotate_store(&*store, &keyring, args.batch_size, |kind, total| {
        eprintln!("Re-encrypted {total} {} so far", kind.as_str());
    })
    .await;
    store.close().await;
    let report = result?;

    print!("{}", report.summary());
    let stale = report.stale_records();
    if stale > 0 {
        bail!(
            "{stale} patients, appointments or two-step sign-in secrets still use another data \
             key, because a portal instance with an older {DATA_KEY_VARIABLE} wrote them during \
             the rotation; restart every instance with the new {DATA_KEY_VARIABLE} and run \
             `portal keys rotate` again"
        );
    }
    Ok(())
}
