//! Database files outside the store, for `portal backup` and `portal restore`: a consistent
//! copy of a database that other connections keep writing to, and the checks that a file must
//! pass before it may replace a database.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use portal_core::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection as _, Row as _};

use crate::error::database_error;

/// Table of applied migrations that sqlx keeps in every database it migrates.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// How long a copy waits for another connection's lock. In WAL mode a reader waits only while
/// a checkpoint restarts or truncates the log, which takes milliseconds.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Problems that `PRAGMA integrity_check` reports at most; one is enough to reject a file.
const INTEGRITY_PROBLEMS_SHOWN: u32 = 5;

// Primary SQLite result codes (https://www.sqlite.org/rescode.html).
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_NOTADB: i32 = 26;

/// Rows of the tables that backup and restore summaries report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowCounts {
    pub users: u64,
    pub appointments: u64,
    pub audit_events: u64,
}

impl fmt::Display for RowCounts {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} users, {} appointments, {} audit events",
            self.users, self.appointments, self.audit_events
        )
    }
}

/// The result of [`check_file`] for a file that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileCheck {
    /// The newest migration applied to the file.
    pub migration: i64,
    pub counts: RowCounts,
}

/// A reason that a file is not an intact portal database that this build can open.
#[derive(Debug)]
pub enum FileProblem {
    /// SQLite does not recognise the file format.
    NotSqlite,
    /// The file is an SQLite database with damaged structure; the strings are SQLite's
    /// descriptions of the first problems found.
    Damaged(Vec<String>),
    /// The file is an SQLite database without the portal's migration table.
    NotPortal,
    /// A migration newer than every migration this build contains has been applied.
    NewerMigration { version: i64, latest: i64 },
    /// A migration that this build does not contain, older than its newest one, has been
    /// applied, so the file comes from another branch of the portal's history.
    UnknownMigration { version: i64 },
    /// A migration started and did not finish.
    FailedMigration { version: i64 },
    /// Triggers that keep the audit log append-only are missing, so someone removed them to
    /// change or delete audit events.
    AuditGuardMissing(Vec<String>),
    /// Reading the file failed for another reason.
    Unreadable(StoreError),
}

impl fmt::Display for FileProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSqlite => write!(formatter, "it is not an SQLite database"),
            Self::Damaged(problems) => write!(
                formatter,
                "it is damaged: the SQLite integrity check reports {}",
                problems.join("; ")
            ),
            Self::NotPortal => write!(
                formatter,
                "it is an SQLite database but not a portal database (it has no \
                 {MIGRATIONS_TABLE} table)"
            ),
            Self::NewerMigration { version, latest } => write!(
                formatter,
                "it was written by a newer portal: it has migration {version}, and this portal \
                 knows migrations up to {latest}"
            ),
            Self::UnknownMigration { version } => write!(
                formatter,
                "it has migration {version}, which this portal does not contain"
            ),
            Self::FailedMigration { version } => write!(
                formatter,
                "migration {version} started in it and did not finish"
            ),
            Self::AuditGuardMissing(names) => write!(
                formatter,
                "its audit log is not protected: the append-only triggers {} are missing, so \
                 audit events may have been changed or deleted",
                names.join(", ")
            ),
            Self::Unreadable(error) => write!(formatter, "reading it failed: {error}"),
        }
    }
}

/// Triggers of the first migration that reject `UPDATE` and `DELETE` on audit events.
const AUDIT_GUARD_TRIGGERS: [&str; 2] = ["audit_events_no_update", "audit_events_no_delete"];

/// Returns the versions of the migrations built into this crate, oldest first.
pub fn migration_versions() -> Vec<i64> {
    sqlx::migrate!()
        .iter()
        .map(|migration| migration.version)
        .collect()
}

/// Returns the path of the database file that a `sqlite:` URL names, decoded as
/// [`SqliteStore::connect`](crate::SqliteStore::connect) decodes it.
pub fn database_path(url: &str) -> Result<PathBuf, StoreError> {
    if !url.starts_with("sqlite:") {
        return Err(StoreError::Other(
            "invalid database URL: expected sqlite://PATH".into(),
        ));
    }
    url.parse::<SqliteConnectOptions>()
        .map(|options| options.get_filename().to_path_buf())
        .map_err(database_error)
}

/// Returns a `sqlite://` URL that names `path`, with `%`, `?` and `#` percent-encoded so that
/// [`database_path`] returns `path` again. Fails on a path that is not valid UTF-8.
pub fn file_url(path: &Path) -> Result<String, StoreError> {
    let text = path.to_str().ok_or_else(|| {
        StoreError::Other(format!(
            "the path {} is not valid UTF-8, which SQLite URLs require",
            path.display()
        ))
    })?;
    let mut url = String::from("sqlite://");
    for character in text.chars() {
        match character {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            other => url.push(other),
        }
    }
    Ok(url)
}

/// Writes a consistent copy of the database at `database` into `target` with `VACUUM INTO`,
/// through a read-only connection that takes no write lock, so writers carry on meanwhile.
///
/// The copy is the database as of one moment (a single read transaction), compacted, in
/// rollback-journal mode, so it is one self-contained file. `target` must be missing or an
/// empty file. When no other connection has the database open, the read-only connection
/// leaves an empty `-wal` file and a `-shm` file beside it, as SQLite read-only connections
/// do, and the next connection that writes uses them.
pub async fn copy_online(database: &Path, target: &Path) -> Result<(), StoreError> {
    let target_text = target.to_str().ok_or_else(|| {
        StoreError::Other(format!(
            "the path {} is not valid UTF-8, which VACUUM INTO requires",
            target.display()
        ))
    })?;
    let options = SqliteConnectOptions::new()
        .filename(database)
        .read_only(true)
        .busy_timeout(BUSY_TIMEOUT);
    let mut connection = SqliteConnection::connect_with(&options)
        .await
        .map_err(database_error)?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(target_text)
        .execute(&mut connection)
        .await
        .map_err(database_error);
    let closed = connection.close().await.map_err(database_error);
    copied?;
    closed
}

/// Checks the SQLite structure of the file at `path` (`PRAGMA integrity_check`) without
/// writing to it, then counts its rows. Unlike [`check_file`], this accepts any migrations.
pub async fn check_copy(path: &Path) -> Result<RowCounts, FileProblem> {
    let mut connection = open_read_only(path).await?;
    let result = async {
        check_integrity(&mut connection).await?;
        count_rows(&mut connection).await.map_err(file_problem)
    }
    .await;
    let _ = connection.close().await;
    result
}

/// Checks the database file at `path` without writing to it: its SQLite structure
/// (`PRAGMA integrity_check`), its migration table, and that every applied migration is one
/// of this build's. Then counts its rows.
///
/// Older migrations are accepted, because opening the store applies the missing ones. Rows
/// are not decrypted, so this check does not test the data keys.
pub async fn check_file(path: &Path) -> Result<FileCheck, FileProblem> {
    let mut connection = open_read_only(path).await?;
    let result = check_connection(&mut connection).await;
    let _ = connection.close().await;
    result
}

async fn open_read_only(path: &Path) -> Result<SqliteConnection, FileProblem> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(BUSY_TIMEOUT);
    SqliteConnection::connect_with(&options)
        .await
        .map_err(file_problem)
}

async fn check_integrity(connection: &mut SqliteConnection) -> Result<(), FileProblem> {
    let problems: Vec<String> = sqlx::query_scalar(&format!(
        "PRAGMA integrity_check({INTEGRITY_PROBLEMS_SHOWN})"
    ))
    .fetch_all(connection)
    .await
    .map_err(file_problem)?;
    if problems != ["ok"] {
        return Err(FileProblem::Damaged(problems));
    }
    Ok(())
}

async fn check_connection(connection: &mut SqliteConnection) -> Result<FileCheck, FileProblem> {
    check_integrity(&mut *connection).await?;

    let has_migrations: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?)",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_one(&mut *connection)
    .await
    .map_err(file_problem)?;
    if !has_migrations {
        return Err(FileProblem::NotPortal);
    }
    let rows = sqlx::query(&format!(
        "SELECT version, success FROM {MIGRATIONS_TABLE} ORDER BY version"
    ))
    .fetch_all(&mut *connection)
    .await
    .map_err(file_problem)?;
    let known = migration_versions();
    let latest = known.last().copied().unwrap_or_default();
    let mut newest_applied = 0;
    for row in &rows {
        let version: i64 = row.try_get("version").map_err(file_problem)?;
        let success: bool = row.try_get("success").map_err(file_problem)?;
        if version > latest {
            return Err(FileProblem::NewerMigration { version, latest });
        }
        if !known.contains(&version) {
            return Err(FileProblem::UnknownMigration { version });
        }
        if !success {
            return Err(FileProblem::FailedMigration { version });
        }
        newest_applied = newest_applied.max(version);
    }
    if newest_applied == 0 {
        return Err(FileProblem::NotPortal);
    }

    let mut missing = Vec::new();
    for trigger in AUDIT_GUARD_TRIGGERS {
        let present: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?)",
        )
        .bind(trigger)
        .fetch_one(&mut *connection)
        .await
        .map_err(file_problem)?;
        if !present {
            missing.push(trigger.to_owned());
        }
    }
    if !missing.is_empty() {
        return Err(FileProblem::AuditGuardMissing(missing));
    }

    let counts = count_rows(connection).await.map_err(file_problem)?;
    Ok(FileCheck {
        migration: newest_applied,
        counts,
    })
}

/// Counts the rows that the summaries report, in one read transaction.
async fn count_rows(connection: &mut SqliteConnection) -> Result<RowCounts, sqlx::Error> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM users) AS users, \
                (SELECT COUNT(*) FROM appointments) AS appointments, \
                (SELECT COUNT(*) FROM audit_events) AS audit_events",
    )
    .fetch_one(connection)
    .await?;
    let count = |column: &str| -> Result<u64, sqlx::Error> {
        let value: i64 = row.try_get(column)?;
        Ok(u64::try_from(value).unwrap_or_default())
    };
    Ok(RowCounts {
        users: count("users")?,
        appointments: count("appointments")?,
        audit_events: count("audit_events")?,
    })
}

/// Sorts a failure to read a file into the problem it shows.
fn file_problem(error: sqlx::Error) -> FileProblem {
    if let sqlx::Error::Database(database) = &error {
        let code = database
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .unwrap_or_default();
        match code & 0xff {
            SQLITE_NOTADB => return FileProblem::NotSqlite,
            SQLITE_CORRUPT => return FileProblem::Damaged(vec![database.message().to_owned()]),
            _ => {}
        }
    }
    FileProblem::Unreadable(database_error(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_url_round_trips() {
        for path in [
            "/var/lib/portal/portal.db",
            "relative/portal.db",
            "/tmp/odd name?#%41.db",
        ] {
            let url = file_url(Path::new(path)).unwrap();
            assert_eq!(database_path(&url).unwrap(), PathBuf::from(path), "{url}");
        }
    }

    #[test]
    fn database_path_drops_options() {
        assert_eq!(
            database_path("sqlite://./data/portal.db?mode=rwc").unwrap(),
            PathBuf::from("./data/portal.db")
        );
        assert_eq!(
            database_path("sqlite:portal.db").unwrap(),
            PathBuf::from("portal.db")
        );
        assert!(database_path("mongodb://localhost/portal").is_err());
    }

    #[test]
    fn migrations_are_sorted() {
        let versions = migration_versions();
        assert!(!versions.is_empty());
        assert!(versions.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
