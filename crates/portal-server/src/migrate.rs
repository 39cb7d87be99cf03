//! `portal migrate-data`: copies every record from one database to another through the
//! `TransferStore` trait, kind by kind in import order, then compares the counts.
//!
//! The copy reads the source in pages, not from one snapshot, so the portal should be stopped
//! while it runs. A record written to the source during the copy shows up as a count mismatch.

use std::fmt::Write as _;

use anyhow::{Context as _, bail};
use portal_core::audit_chain::verify_chain;
use portal_core::store::{RecordKind, Store};

use crate::config::MigrateArgs;
use crate::data_key::{self, DATA_KEY_VARIABLE};
use crate::database::{self, redact_url};
use crate::server::data_dir;

/// Records of one kind: in the source, in the target before the copy, copied, and in both
/// stores after the copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindReport {
    pub kind: RecordKind,
    pub source_before: u64,
    pub target_before: u64,
    pub copied: u64,
    pub source_after: u64,
    pub target_after: u64,
}

impl KindReport {
    /// Returns true when the target gained exactly the records the source contains.
    fn matches(&self) -> bool {
        self.copied == self.source_after && self.target_after == self.target_before + self.copied
    }
}

/// Runs `portal migrate-data`.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    if args.from == args.to && args.from_mongodb_database == args.to_mongodb_database {
        bail!("--from and --to name the same database; give a different target");
    }
    // Opening a missing SQLite file would create an empty one and "copy" nothing.
    if let Some(file) = database::sqlite_file(&args.from)
        && !file.is_file()
    {
        bail!(
            "--from names an SQLite file that does not exist ({}); check the path",
            file.display()
        );
    }
    // Records travel as plaintext domain values: the source store decrypts with its keys and
    // the target encrypts with the newest of its own. Without `--to-data-key` the target gets
    // PORTAL_DATA_KEY, or in development the key in the target's own data folder, which is
    // the key `portal serve` on the target then uses.
    let source_keyring = data_key::resolve(
        args.data_key.as_deref(),
        DATA_KEY_VARIABLE,
        args.environment,
        &data_dir(&args.from),
    )?;
    let target_keyring = match (args.to_data_key.as_deref(), args.data_key.as_deref()) {
        (Some(value), _) => data_key::resolve(
            Some(value),
            "PORTAL_MIGRATE_TO_DATA_KEY",
            args.environment,
            &data_dir(&args.to),
        )?,
        (None, Some(_)) => source_keyring.clone(),
        (None, None) => data_key::resolve(
            None,
            DATA_KEY_VARIABLE,
            args.environment,
            &data_dir(&args.to),
        )?,
    };
    let source = database::open(
        &args.from,
        args.from_mongodb_database.as_deref(),
        "--from",
        source_keyring,
    )
    .await?;
    let target = match database::open(
        &args.to,
        args.to_mongodb_database.as_deref(),
        "--to",
        target_keyring,
    )
    .await
    {
        Ok(target) => target,
        Err(error) => {
            source.close().await;
            return Err(error);
        }
    };

    eprintln!(
        "Copying from {} to {}",
        redact_url(&args.from),
        redact_url(&args.to)
    );
    let result = copy(&*source, &*target, args.batch_size, args.force).await;
    let chain = match &result {
        Ok(_) => Some(verify_chain(&*target, |_| {}).await),
        Err(_) => None,
    };
    source.close().await;
    target.close().await;
    let reports = result?;

    let mismatches: Vec<&KindReport> = reports.iter().filter(|report| !report.matches()).collect();
    if !mismatches.is_empty() {
        let mut details = String::new();
        for report in mismatches {
            let _ = write!(
                details,
                "; {}: copied {}, source contains {}, target contains {} ({} before the copy)",
                report.kind.as_str(),
                report.copied,
                report.source_after,
                report.target_after,
                report.target_before
            );
        }
        bail!(
            "verification failed, the counts differ{details}. Stop the portal while copying and \
             run the copy again into an empty database"
        );
    }
    println!("{}", summary(&reports));

    let report = chain
        .transpose()
        .context("reading the target's audit log to check its chain failed")?;
    if let Some(broken) = report.and_then(|report| report.first_break) {
        bail!(
            "the audit chain in the target is broken at event {}: {}. Copy into an empty \
             database, or check the source with `portal audit verify`",
            broken.seq,
            broken.reason
        );
    }
    println!("The audit chain in the target is intact.");
    Ok(())
}

/// Copies every kind in [`RecordKind::IMPORT_ORDER`], `batch_size` records per transaction,
/// printing progress to stderr, and returns the counts of each kind before and after.
///
/// A target that already contains records is rejected unless `force` is set.
pub async fn copy(
    source: &dyn Store,
    target: &dyn Store,
    batch_size: u32,
    force: bool,
) -> anyhow::Result<Vec<KindReport>> {
    let mut reports = Vec::with_capacity(RecordKind::IMPORT_ORDER.len());
    for kind in RecordKind::IMPORT_ORDER {
        reports.push(KindReport {
            kind,
            source_before: count(source, kind, "source").await?,
            target_before: count(target, kind, "target").await?,
            copied: 0,
            source_after: 0,
            target_after: 0,
        });
    }

    let occupied: Vec<String> = reports
        .iter()
        .filter(|report| report.target_before > 0)
        .map(|report| format!("{} {}", report.target_before, report.kind.as_str()))
        .collect();
    if !occupied.is_empty() && !force {
        bail!(
            "the target database is not empty (it contains {}); copy into an empty database, or \
             pass --force to add the records to it",
            occupied.join(", ")
        );
    }

    for report in &mut reports {
        report.copied = copy_kind(
            source,
            target,
            report.kind,
            report.source_before,
            batch_size,
        )
        .await?;
    }

    for report in &mut reports {
        report.source_after = count(source, report.kind, "source").await?;
        report.target_after = count(target, report.kind, "target").await?;
    }
    Ok(reports)
}

/// Copies every record of one kind and returns how many were copied.
async fn copy_kind(
    source: &dyn Store,
    target: &dyn Store,
    kind: RecordKind,
    total: u64,
    batch_size: u32,
) -> anyhow::Result<u64> {
    let name = kind.as_str();
    let mut copied: u64 = 0;
    let mut cursor: Option<String> = None;
    eprintln!("{name}: {copied}/{total}");
    loop {
        let (records, next) = source
            .export_records(kind, cursor.as_deref(), batch_size)
            .await
            .with_context(|| format!("reading {name} from the source failed after {copied}"))?;
        if records.is_empty() {
            return Ok(copied);
        }
        target.import_records(&records).await.with_context(|| {
            format!("writing {name} to the target failed after {copied} of {total}")
        })?;
        copied += records.len() as u64;
        eprintln!("{name}: {copied}/{total}");

        if next.is_none() {
            bail!("the source returned {name} without a cursor to continue from");
        }
        if next == cursor {
            bail!("the source returned the same {name} cursor twice; stopping to avoid a loop");
        }
        cursor = next;
    }
}

async fn count(store: &dyn Store, kind: RecordKind, side: &str) -> anyhow::Result<u64> {
    store
        .count_records(kind)
        .await
        .with_context(|| format!("counting {} in the {side} failed", kind.as_str()))
}

/// Formats the closing summary: one line per kind and the total.
fn summary(reports: &[KindReport]) -> String {
    let total: u64 = reports.iter().map(|report| report.copied).sum();
    let mut text = format!("Copied {total} records; the counts match:");
    for report in reports {
        let _ = write!(
            text,
            "\n  {:<13} {:>9}",
            report.kind.as_str(),
            report.copied
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(kind: RecordKind, copied: u64) -> KindReport {
        KindReport {
            kind,
            source_before: copied,
            target_before: 0,
            copied,
            source_after: copied,
            target_after: copied,
        }
    }

    #[test]
    fn report_matches_exact_copy() {
        assert!(report(RecordKind::Patient, 20).matches());
    }

    #[test]
    fn report_detects_missing_records() {
        let mut short = report(RecordKind::Patient, 20);
        short.target_after = 19;
        assert!(!short.matches(), "a target with fewer records differs");
    }

    #[test]
    fn report_detects_source_change() {
        let mut grown = report(RecordKind::AuditEvent, 20);
        grown.source_after = 21;
        assert!(
            !grown.matches(),
            "a source that grew during the copy differs"
        );
    }

    #[test]
    fn report_counts_forced_target() {
        let mut forced = report(RecordKind::Invite, 5);
        forced.target_before = 2;
        forced.target_after = 7;
        assert!(
            forced.matches(),
            "records already in the target are added to"
        );
    }

    #[test]
    fn summary_lists_every_kind() {
        let reports = [
            report(RecordKind::Provider, 4),
            report(RecordKind::Patient, 20),
        ];
        let text = summary(&reports);
        assert!(text.starts_with("Copied 24 records"), "{text}");
        assert!(text.contains("providers"), "{text}");
        assert!(text.contains("patients"), "{text}");
    }
}
