//! `portal backup` and `portal restore` for SQLite databases.
//!
//! Backup writes a consistent copy with SQLite's `VACUUM INTO` through a read-only connection,
//! so it takes no lock and the portal keeps serving and writing meanwhile. The copy goes to a
//! temporary file beside the target and is renamed into place only once it is complete and
//! has passed `PRAGMA integrity_check`.
//!
//! Restore holds the exclusive lock on the database's lock file (see
//! [`portal_store_sqlite::lock`]) from start to end, which it gets only while no portal process
//! has the database open. It copies the backup beside the database, checks the copy (SQLite
//! structure, migrations, data keys, audit chain) and only then moves the current database
//! files aside and renames the copy into place. A failed check leaves the database untouched.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, anyhow, bail};
use chrono::Utc;
use portal_core::audit_chain::verify_chain;
use portal_core::keyring::{Keyring, SealedRecordKind};
use portal_core::store::EncryptionStore as _;
use portal_store_sqlite::SqliteStore;
use portal_store_sqlite::backup::{self as sqlite_backup, RowCounts};
use portal_store_sqlite::lock::{DatabaseLock, LockMode};
use tempfile::NamedTempFile;

use crate::config::{BackupArgs, CommonArgs, RestoreArgs};
use crate::data_key::{self, DATA_KEY_VARIABLE};
use crate::database::{Backend, redact_url};
use crate::server::data_dir;

/// Suffixes of the files that SQLite keeps beside a database: the write-ahead log, its
/// shared-memory index and the rollback journal.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Writes a consistent copy of the SQLite database to `--to` and prints a one-line summary.
pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let database = sqlite_database(&args.common, Command::Backup)?;
    if !database.is_file() {
        bail!(
            "PORTAL_DATABASE_URL names an SQLite file that does not exist ({}); check the path",
            database.display()
        );
    }
    let target = &args.to;
    let folder = check_backup_target(&database, target, args.force)?;

    let started = Instant::now();
    let temporary = temporary_file(&folder, target, "backup")?;
    sqlite_backup::copy_online(&database, temporary.path())
        .await
        .map_err(|error| anyhow!("copying {} failed: {error}", database.display()))?;
    temporary
        .as_file()
        .sync_all()
        .with_context(|| format!("writing {} to disk failed", temporary.path().display()))?;
    let counts = sqlite_backup::check_copy(temporary.path())
        .await
        .map_err(|problem| {
            anyhow!(
                "the copy of {} failed its check, so {} was not written: {problem}",
                database.display(),
                target.display()
            )
        })?;
    let size = temporary
        .as_file()
        .metadata()
        .with_context(|| format!("reading the size of {} failed", temporary.path().display()))?
        .len();

    let persisted = if args.force {
        temporary.persist(target)
    } else {
        // Fails instead of replacing a file created since the check above.
        temporary.persist_noclobber(target)
    };
    persisted.map_err(|error| {
        anyhow!(
            "renaming the finished backup to {} failed: {}; pass --force to replace an \
             existing file",
            target.display(),
            error.error
        )
    })?;
    sync_folder(&folder)?;

    println!(
        "Backed up {} to {}: {} in {:.2} s; {}.",
        database.display(),
        target.display(),
        format_size(size),
        started.elapsed().as_secs_f64(),
        counts
    );
    Ok(())
}

/// Checks a backup file, then replaces the SQLite database with it, keeping the current
/// database files under a `.before-restore-<UTC time>` name.
pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let database = sqlite_database(&args.common, Command::Restore)?;
    let source = &args.from;
    check_restore_source(source, &database)?;

    let lock_path = DatabaseLock::path_for(&database);
    let _lock = DatabaseLock::try_acquire(&database, LockMode::Exclusive)
        .await
        .with_context(|| format!("locking {} failed", lock_path.display()))?
        .ok_or_else(|| {
            anyhow!(
                "{} is in use: a running portal process (`portal serve` or another portal \
                 command) holds {}. Stop the server first, then run the restore again",
                database.display(),
                lock_path.display()
            )
        })?;
    // The same keys `portal serve` would use on this database.
    let keyring = data_key::resolve(
        args.common.data_key.as_deref(),
        DATA_KEY_VARIABLE,
        args.common.environment,
        &data_dir(&args.common.database_url),
    )?;

    let folder = folder_of(&database);
    let temporary = temporary_file(&folder, &database, "restore")?;
    copy_file(source, temporary.as_file())?;
    eprintln!("Checking a copy of {}", source.display());
    let checked = check_copy(temporary.path(), &keyring).await;
    let (counts, events) = match checked {
        Ok(found) => found,
        Err(error) => {
            // The temporary file is deleted when dropped, but not the files SQLite made.
            discard_side_files(temporary.path());
            return Err(anyhow!(
                "{} cannot be restored: {error:#}. Nothing was changed",
                source.display()
            ));
        }
    };
    temporary
        .as_file()
        .sync_all()
        .with_context(|| format!("writing {} to disk failed", temporary.path().display()))?;

    let set_aside = replace_database(temporary, &database)?;
    sync_folder(&folder)?;

    println!(
        "Restored {} into {}: {}; the audit chain of {events} events is intact.",
        source.display(),
        database.display(),
        counts
    );
    match set_aside {
        Some(path) => println!("The previous database is now {}.", path.display()),
        None => println!("There was no database at {} before.", database.display()),
    }
    Ok(())
}

/// The command that needs an SQLite file, for the message about other databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Backup,
    Restore,
}

/// Returns the SQLite file that PORTAL_DATABASE_URL names. A MongoDB URL gets a message that
/// points to MongoDB's own backup tools.
fn sqlite_database(common: &CommonArgs, command: Command) -> anyhow::Result<PathBuf> {
    let url = &common.database_url;
    let redacted = redact_url(url);
    match Backend::of_url(url) {
        Some(Backend::Sqlite) => sqlite_backup::database_path(url)
            .map_err(|error| anyhow!("PORTAL_DATABASE_URL ({redacted}) is invalid: {error}")),
        Some(Backend::MongoDb) => {
            let (name, tool) = match command {
                Command::Backup => ("backup", "`mongodump`, or cloud backup snapshots on Atlas"),
                Command::Restore => ("restore", "`mongorestore`, or an Atlas snapshot restore"),
            };
            bail!(
                "`portal {name}` works on SQLite databases only, and PORTAL_DATABASE_URL names \
                 a MongoDB database ({redacted}). Use MongoDB's tools instead: {tool}. \
                 docs/DEPLOY.md describes the procedure"
            )
        }
        None => bail!(
            "PORTAL_DATABASE_URL has an unsupported database URL ({redacted}): expected \
             sqlite://PATH"
        ),
    }
}

/// Rejects a backup target that exists (unless `force`), is a folder, lies in a missing
/// folder, or is the database or one of its side files. Returns the target's folder.
fn check_backup_target(database: &Path, target: &Path, force: bool) -> anyhow::Result<PathBuf> {
    if target.file_name().is_none() {
        bail!(
            "--to must name a file, not {}; give a file name such as portal-backup.db",
            target.display()
        );
    }
    let folder = folder_of(target);
    if !folder.is_dir() {
        bail!(
            "the folder of --to ({}) does not exist; create it first",
            folder.display()
        );
    }
    if is_database_file(database, target) {
        bail!(
            "--to names the database {} or one of its files; write the backup to another file",
            database.display()
        );
    }
    if target.is_dir() {
        bail!(
            "--to names a folder ({}); give a file name inside it",
            target.display()
        );
    }
    if target.exists() && !force {
        bail!(
            "{} already exists; choose another file name, or pass --force to replace it",
            target.display()
        );
    }
    Ok(folder)
}

/// Rejects a restore source that is missing, is the database itself, or comes with a
/// write-ahead log whose changes a copy of the file alone would miss.
fn check_restore_source(source: &Path, database: &Path) -> anyhow::Result<()> {
    if !source.is_file() {
        bail!(
            "--from names no file ({}); check the path",
            source.display()
        );
    }
    if is_database_file(database, source) {
        bail!(
            "--from names the database {} itself or one of its files; restore a file written \
             by `portal backup`",
            database.display()
        );
    }
    let log = with_suffix(source, "-wal");
    if std::fs::metadata(&log).is_ok_and(|metadata| metadata.len() > 0) {
        bail!(
            "{} has a write-ahead log ({}) with changes that are not in the file itself; \
             restore a file written by `portal backup`, or open {} with the sqlite3 shell once \
             so that SQLite moves the log into it",
            source.display(),
            log.display(),
            source.display()
        );
    }
    Ok(())
}

/// Returns true when `path` is the database file, one of its side files or its lock file,
/// comparing canonical paths so that links and relative paths are seen through.
fn is_database_file(database: &Path, path: &Path) -> bool {
    let (Some(name), Some(database_name)) = (path.file_name(), database.file_name()) else {
        return false;
    };
    let (Ok(folder), Ok(database_folder)) = (
        folder_of(path).canonicalize(),
        folder_of(database).canonicalize(),
    ) else {
        return false;
    };
    let mut candidates = vec![database_name.to_owned()];
    for suffix in SIDE_FILES.iter().chain([&".lock"]) {
        let mut candidate = database_name.to_owned();
        candidate.push(suffix);
        candidates.push(candidate);
    }
    if folder == database_folder && candidates.iter().any(|candidate| candidate == name) {
        return true;
    }
    // A link to the database under another name.
    match (path.canonicalize(), database.canonicalize()) {
        (Ok(resolved), Ok(database)) => resolved == database,
        _ => false,
    }
}

/// Creates an empty temporary file, readable only by its owner, in `folder`, named after
/// `next_to` so that a file left by a crash shows what it belonged to.
fn temporary_file(folder: &Path, next_to: &Path, purpose: &str) -> anyhow::Result<NamedTempFile> {
    let name = next_to
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}.{purpose}-"))
        .suffix(".tmp")
        .tempfile_in(folder)
        .with_context(|| {
            format!(
                "creating a temporary file in {} failed; check that the folder is writable",
                folder.display()
            )
        })
}

/// Copies the bytes of `source` into `target` and flushes them to disk.
fn copy_file(source: &Path, mut target: &File) -> anyhow::Result<()> {
    let mut reader =
        File::open(source).with_context(|| format!("opening {} failed", source.display()))?;
    std::io::copy(&mut reader, &mut target)
        .with_context(|| format!("copying {} failed", source.display()))?;
    target.sync_all().context("writing the copy to disk failed")
}

/// Checks the copy at `path` with [`sqlite_backup::check_file`] and then through the store,
/// and removes the side files that opening it left. Returns its counts and the number of audit
/// events.
async fn check_copy(path: &Path, keyring: &Keyring) -> anyhow::Result<(RowCounts, u64)> {
    let check = sqlite_backup::check_file(path)
        .await
        .map_err(|problem| anyhow!("{problem}"))?;
    let events = check_with_store(path, keyring).await?;
    remove_side_files(path)?;
    Ok((check.counts, events))
}

/// Opens the copy at `path` as the portal would, which applies missing migrations and checks
/// the data keys, then checks that the keyring has every key the data uses and that the audit
/// chain is intact. Returns the number of audit events.
async fn check_with_store(path: &Path, keyring: &Keyring) -> anyhow::Result<u64> {
    let url = sqlite_backup::file_url(path)?;
    let store = SqliteStore::connect(&url, keyring.clone())
        .await
        .map_err(|error| anyhow!("opening it with the configured data keys failed: {error}"))?;
    let result = async {
        check_key_usage(&store, keyring).await?;
        eprintln!("Checking the audit chain");
        let report = verify_chain(&store, |_| {})
            .await
            .context("reading the audit log failed")?;
        if let Some(broken) = report.first_break {
            bail!(
                "its audit chain is broken at event {}: {}",
                broken.seq,
                broken.reason
            );
        }
        Ok(report.events)
    }
    .await;
    portal_core::store::Store::close(&store).await;
    result
}

/// Rejects a database whose health data uses a data key that `keyring` lacks. The key check
/// at connect only compares keys whose ids are in the keyring, so a missing id passes it.
async fn check_key_usage(store: &SqliteStore, keyring: &Keyring) -> anyhow::Result<()> {
    let known: Vec<&str> = keyring.key_ids().collect();
    let mut missing = Vec::new();
    for kind in SealedRecordKind::ALL {
        let usage = store
            .count_by_key(kind)
            .await
            .with_context(|| format!("counting the data keys of {} failed", kind.as_str()))?;
        for entry in usage {
            if let Some(key_id) = entry.key_id
                && !known.contains(&key_id.as_str())
            {
                missing.push(format!(
                    "{} {} under key `{key_id}`",
                    entry.records,
                    kind.as_str()
                ));
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "its health data is encrypted with data keys that {DATA_KEY_VARIABLE} does not \
             contain ({}); add those keys to {DATA_KEY_VARIABLE}, oldest first",
            missing.join(", ")
        );
    }
    Ok(())
}

/// Deletes the empty write-ahead log and shared-memory files that checking the copy may leave
/// beside it. A non-empty log would hold changes missing from the file, so it is an error.
fn remove_side_files(path: &Path) -> anyhow::Result<()> {
    for suffix in SIDE_FILES {
        let side = with_suffix(path, suffix);
        let Ok(metadata) = std::fs::metadata(&side) else {
            continue;
        };
        if suffix == "-wal" && metadata.len() > 0 {
            bail!(
                "{} is not empty after checking the copy; run the restore again",
                side.display()
            );
        }
        // SQLite may delete the file itself while its connection thread finishes closing.
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("removing {} failed", side.display()));
            }
        }
    }
    Ok(())
}

/// Deletes the side files of a rejected copy, logging a failure, since the caller is already
/// returning an error.
fn discard_side_files(path: &Path) {
    for suffix in SIDE_FILES {
        let side = with_suffix(path, suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(path = %side.display(), error = %error, "removing a temporary file failed; delete it by hand");
            }
        }
    }
}

/// A file moved during [`replace_database`], kept so the move can be undone.
enum Moved {
    Renamed { from: PathBuf, to: PathBuf },
    Linked { link: PathBuf },
}

/// Moves the database's side files aside, keeps the database under its
/// `.before-restore-<UTC time>` name and renames `replacement` over it. Returns the new name of
/// the old database, or `None` when there was none.
///
/// The set-aside files keep SQLite's naming (`<name>-wal` beside `<name>`), so the set-aside
/// database opens with its own log. The old database is hard-linked to its new name before the
/// replacement is renamed over it, so its path always names a whole database. Where hard links
/// are not supported it is renamed instead, and a crash before the last rename leaves no file
/// at the database path. On an error, the moves made so far are undone.
fn replace_database(
    replacement: NamedTempFile,
    database: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let aside = with_suffix(database, &format!(".before-restore-{stamp}"));
    let mut planned: Vec<(PathBuf, PathBuf)> = SIDE_FILES
        .iter()
        .map(|suffix| (with_suffix(database, suffix), with_suffix(&aside, suffix)))
        .filter(|(from, _)| from.symlink_metadata().is_ok())
        .collect();
    let had_database = database.symlink_metadata().is_ok();
    if had_database {
        planned.push((database.to_path_buf(), aside.clone()));
    }
    if let Some((_, taken)) = planned.iter().find(|(_, to)| to.symlink_metadata().is_ok()) {
        bail!(
            "{} already exists; wait a second and run the restore again",
            taken.display()
        );
    }

    let mut moved: Vec<Moved> = Vec::new();
    for (from, to) in planned {
        let result = if from == database {
            std::fs::hard_link(&from, &to)
                .map(|()| Moved::Linked { link: to.clone() })
                .or_else(|_| {
                    std::fs::rename(&from, &to).map(|()| Moved::Renamed {
                        from: from.clone(),
                        to: to.clone(),
                    })
                })
        } else {
            std::fs::rename(&from, &to).map(|()| Moved::Renamed {
                from: from.clone(),
                to: to.clone(),
            })
        };
        match result {
            Ok(entry) => moved.push(entry),
            Err(error) => {
                undo_moves(moved);
                return Err(error).with_context(|| {
                    format!(
                        "moving {} aside failed; the database was left as it was",
                        from.display()
                    )
                });
            }
        }
    }
    if let Err(error) = replacement.persist(database) {
        undo_moves(moved);
        return Err(error.error).with_context(|| {
            format!(
                "renaming the checked copy to {} failed; the database was left as it was",
                database.display()
            )
        });
    }
    Ok(had_database.then_some(aside))
}

/// Undoes moves in reverse order, reporting each failure, since the caller is already
/// returning an error.
fn undo_moves(moved: Vec<Moved>) {
    for entry in moved.into_iter().rev() {
        let result = match &entry {
            Moved::Renamed { from, to } => std::fs::rename(to, from),
            Moved::Linked { link } => std::fs::remove_file(link),
        };
        if let Err(error) = result {
            let path = match &entry {
                Moved::Renamed { to, .. } => to,
                Moved::Linked { link } => link,
            };
            tracing::error!(path = %path.display(), error = %error, "undoing a move of the restore failed; move the file back by hand");
        }
    }
}

/// Returns `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(OsString::from).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Returns the folder of `path`, or `.` for a bare file name.
fn folder_of(path: &Path) -> PathBuf {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Flushes a folder's entries to disk, so a rename in it survives a power loss.
fn sync_folder(folder: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    File::open(folder)
        .and_then(|handle| handle.sync_all())
        .with_context(|| format!("flushing the folder {} to disk failed", folder.display()))?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// Formats a size in bytes with binary units.
fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(format_size(0), "0 bytes");
        assert_eq!(format_size(1023), "1023 bytes");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn side_file_names_append() {
        assert_eq!(
            with_suffix(Path::new("/data/portal.db"), "-wal"),
            PathBuf::from("/data/portal.db-wal")
        );
        assert_eq!(
            with_suffix(Path::new("portal.db.before-restore-X"), "-shm"),
            PathBuf::from("portal.db.before-restore-X-shm")
        );
    }

    #[test]
    fn mongodb_url_points_to_mongodump() {
        let args = BackupArgs::try_parse_from([
            "backup",
            "--to",
            "portal-backup.db",
            "--database-url",
            "mongodb://portal:secret@db.internal/portal",
        ])
        .unwrap();
        let error = sqlite_database(&args.common, Command::Backup)
            .unwrap_err()
            .to_string();
        assert!(error.contains("mongodump"), "{error}");
        assert!(error.contains("docs/DEPLOY.md"), "{error}");
        assert!(!error.contains("secret"), "{error}");
    }
}
