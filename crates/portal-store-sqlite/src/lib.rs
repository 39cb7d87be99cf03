//! SQLite implementation of the patient portal's storage traits.
//!
//! [`SqliteStore`] implements every trait of [`portal_core::store`] over one SQLite file, opened
//! in WAL mode with `synchronous=FULL`, so a write (an audit event in particular) is on disk
//! before the call returns. The migrations in `migrations/` are embedded in the binary and run
//! on [`SqliteStore::connect`]; the first migration describes the encodings of ids, instants
//! and dates.

mod appointments;
mod audit;
pub mod backup;
mod care;
mod codec;
mod encryption;
mod error;
mod list;
pub mod lock;
mod mfa;
mod profiles;
mod reader;
mod sealed;
mod sessions;
mod time;
mod transfer;
mod users;

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use portal_core::StoreError;
use portal_core::keyring::Keyring;
use portal_core::model::{Appointment, NewAppointment, NewAuditEvent};
use portal_core::store::{Store, StoreResult};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::error::database_error;
use crate::lock::{DatabaseLock, LockMode};
use crate::reader::Readers;

/// Returns the size of the connection pool: two connections per core, at least four. SQLite
/// runs one writer at a time, so more connections only add concurrent readers, and readers
/// beyond what the cores can run add memory (each connection caches up to 2 MiB of pages)
/// and thread switches. On two cores, four connections served the provider search 12 %
/// faster than eight, with 11 MB less memory (docs/BENCHMARKS.md).
fn max_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(cores.saturating_mul(2))
        .unwrap_or(u32::MAX)
        .max(4)
}

/// How long a query waits for a free connection before failing with `Unavailable`.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The portal's storage over one SQLite database file. Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Read-only connections for the reads of every page view (see [`reader`]).
    readers: Arc<Readers>,
    path: Arc<Path>,
    keyring: Keyring,
    /// The shared lock that [`SqliteStore::connect_locked`] took, released by `close`.
    lock: Arc<Mutex<Option<DatabaseLock>>>,
}

impl SqliteStore {
    /// Opens the database at `url` (`sqlite://path/to/file.db` or `sqlite:path/to/file.db`),
    /// creating the parent folder and the file when missing, and applies pending migrations.
    ///
    /// The path is percent-decoded as sqlx does, so a `?` or `#` in a file name is written
    /// `%3F` or `%23`. Other URL schemes are rejected with [`StoreError::Other`].
    ///
    /// Health data is encrypted with the newest key of `keyring` and decrypted with any of
    /// its keys (see [`portal_core::keyring`]). Connecting fails with [`StoreError::Other`]
    /// naming `PORTAL_DATA_KEY` when a key of `keyring` differs from the key of the same id
    /// that this database's key check was written with.
    pub async fn connect(url: &str, keyring: Keyring) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Other(
                "invalid database URL: expected sqlite://PATH".into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(database_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Overwrites the bytes of deleted and replaced values with zeros, so plain text that
            // `portal keys rotate` replaced does not stay in free space of the file.
            .pragma("secure_delete", "ON")
            .busy_timeout(BUSY_TIMEOUT);
        let path: Arc<Path> = Arc::from(options.get_filename());

        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            create_private_folder(parent).await.map_err(|error| {
                StoreError::Unavailable(format!("failed to create the database folder: {error}"))
            })?;
        }
        create_private_file(&path).await.map_err(|error| {
            StoreError::Unavailable(format!("failed to create the database file: {error}"))
        })?;

        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections())
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // By default sqlx pings a pooled connection before every query. For SQLite that is
            // one more round trip to the connection's worker thread and checks nothing, because
            // a connection to a local file does not go stale the way a network one does.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(database_error)?;
        sqlx::migrate!()
            .run(&pool)
            .await
            .map_err(|error| database_error(error.into()))?;

        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let readers = Readers::new(
            Arc::clone(&path),
            BUSY_TIMEOUT,
            usize::try_from(max_connections()).unwrap_or(usize::MAX),
            cores,
        );
        let store = Self {
            pool,
            readers: Arc::new(readers),
            path,
            keyring,
            lock: Arc::default(),
        };
        if let Err(error) = store.check_data_keys().await {
            store.pool.close().await;
            return Err(error);
        }
        tracing::debug!(path = %store.path.display(), "opened SQLite database");
        Ok(store)
    }

    /// Takes a shared lock on the database's lock file (see [`lock`]), then opens the
    /// database as [`SqliteStore::connect`] does. The lock is held until [`Store::close`] or
    /// until the store and all its clones are dropped, so `portal restore` cannot replace the
    /// file meanwhile.
    ///
    /// Fails with [`StoreError::Unavailable`] while another process holds the exclusive lock,
    /// which only `portal restore` takes.
    pub async fn connect_locked(url: &str, keyring: Keyring) -> Result<Self, StoreError> {
        let path = backup::database_path(url)?;
        let lock = DatabaseLock::try_acquire(&path, LockMode::Shared)
            .await
            .map_err(|error| {
                StoreError::Unavailable(format!(
                    "locking {} failed: {error}",
                    DatabaseLock::path_for(&path).display()
                ))
            })?
            .ok_or_else(|| {
                StoreError::Unavailable(format!(
                    "{} is locked by `portal restore`, which is replacing the database; run \
                     this again when the restore has finished",
                    DatabaseLock::path_for(&path).display()
                ))
            })?;
        let store = Self::connect(url, keyring).await?;
        *store.lock.lock().unwrap_or_else(PoisonError::into_inner) = Some(lock);
        Ok(store)
    }

    /// Returns the path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a transaction that takes the write lock at once. A deferred transaction that
    /// reads before it writes can fail with `SQLITE_BUSY` instead of waiting for the lock.
    ///
    /// The begin runs in its own task. sqlx 0.8 checks a custom `BEGIN` after running it, and
    /// a caller dropped between the two (a request whose client disconnected) left the
    /// transaction open on a pooled connection, holding the write lock, so every later write
    /// failed with "database is locked". In a task the begin always completes, and a
    /// transaction that no caller receives is dropped, which rolls it back.
    async fn begin_write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        let pool = self.pool.clone();
        tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
            .await
            .map_err(|error| {
                StoreError::Unavailable(format!("starting a write transaction failed: {error}"))
            })?
            .map_err(database_error)
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map_err(database_error)?;
        Ok(())
    }

    /// Writes the whole batch in one transaction, so a burst of requests shares one commit,
    /// and each appointment is stored together with its event or not at all. When that
    /// transaction fails for a reason one item can cause, each item is written again in a
    /// transaction of its own, so one bad item does not fail the others.
    async fn insert_audited_appointments(
        &self,
        items: &[(NewAppointment, NewAuditEvent)],
    ) -> Vec<StoreResult<Appointment>> {
        match self.insert_appointment_batch(items).await {
            Ok(stored) => stored.into_iter().map(Ok).collect(),
            // A busy, full or unreachable database fails every item alike, and writing them
            // one by one would hold the audit writer for a busy timeout each.
            Err(error) if items.len() == 1 || matches!(error, StoreError::Unavailable(_)) => {
                vec![Err(error); items.len()]
            }
            Err(_) => {
                let mut results = Vec::with_capacity(items.len());
                for item in items {
                    let single = self
                        .insert_appointment_batch(std::slice::from_ref(item))
                        .await;
                    results.push(single.and_then(|mut stored| {
                        stored.pop().ok_or_else(|| {
                            StoreError::Other("an inserted appointment was not found".into())
                        })
                    }));
                }
                results
            }
        }
    }

    /// Copies the WAL into the database file and empties it, then closes the pool. Without
    /// the checkpoint, old versions of rewritten pages (plain text that `portal keys rotate`
    /// replaced, say) stay in the database file until a later connection checkpoints.
    async fn close(&self) {
        // Idle readers would keep the checkpoint from truncating the WAL.
        self.readers.close();
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %database_error(error), "checkpoint before closing failed");
        }
        self.pool.close().await;
        self.lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// Creates missing folders readable only by their owner (mode 0700 on Unix), because the
/// database contains health data. Existing folders keep their permissions.
async fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let folder = folder.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(folder)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Creates the database file, when missing, readable only by its owner (mode 0600 on Unix).
/// SQLite gives its `-wal` and `-shm` files the same permissions as the database file.
async fn create_private_file(path: &Path) -> std::io::Result<()> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(_) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(error) => Err(error),
        }
    })
    .await
    .map_err(std::io::Error::other)?
}
