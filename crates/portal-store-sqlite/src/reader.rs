//! Read-only connections for the reads behind every page view, run on the calling thread.
//!
//! sqlx gives each SQLite connection a worker thread of its own and sends it every statement
//! over a channel, so a query costs two thread switches. On the dashboard, whose request reads
//! a session, a user, a profile and two appointment lists, those switches took about half of
//! the server's CPU time (docs/BENCHMARKS.md). These connections run the statement on the
//! calling thread instead. In WAL mode a reader takes no lock that a writer holds, so such
//! a read does not wait for other connections. It costs CPU time and, when a page is not
//! cached, one read from the file. A page of the provider's patient search that ends past row
//! 500 runs on the blocking pool instead ([`Readers::read_blocking`]). Writes stay on sqlx's
//! pool, and a read here sees every write committed before it starts.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use portal_core::StoreError;
use portal_core::store::StoreResult;
use rusqlite::{Connection, OpenFlags, Params, Row};
use tokio::sync::Semaphore;

use crate::error::reader_error;

/// Prepared statements each connection keeps; the hot paths use fewer than this.
const STATEMENT_CACHE: usize = 32;

/// Idle read-only connections of one database file, opened when needed.
#[derive(Debug)]
pub(crate) struct Readers {
    path: Arc<Path>,
    busy_timeout: Duration,
    /// Maximum of connections kept for reuse; more exist only while that many threads read.
    max_idle: usize,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
    /// Bounds the reads of [`Readers::read_blocking`] running at once, so a burst of them
    /// neither opens a connection per blocking thread nor takes every core.
    blocking: Semaphore,
}

impl Readers {
    /// `max_idle` connections are kept for reuse; at most `max_blocking` reads run on the
    /// blocking pool at once. Inline reads run on the runtime's threads, so `max_idle` should
    /// cover those threads plus `max_blocking`.
    pub(crate) fn new(
        path: Arc<Path>,
        busy_timeout: Duration,
        max_idle: usize,
        max_blocking: usize,
    ) -> Self {
        Self {
            path,
            busy_timeout,
            max_idle,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            blocking: Semaphore::new(max_blocking.max(1)),
        }
    }

    /// Runs `work` on an idle connection, or on a new one when every connection is in use.
    pub(crate) fn read<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StoreError::Unavailable("the database is closed".into()));
        }
        let reused = self.lock_idle().pop();
        let mut connection = match reused {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = work(&mut connection);
        // A connection left inside a transaction by a failed read is not reused. `closed` is
        // read under the lock that `close` sets it under, so no connection outlives `close`
        // in the list.
        if connection.is_autocommit() {
            let mut idle = self.lock_idle();
            if idle.len() < self.max_idle && !self.closed.load(Ordering::Acquire) {
                idle.push(connection);
            }
        }
        result
    }

    /// Runs `work` as [`Readers::read`] does, but on a thread of the runtime's blocking pool.
    /// It is meant for reads whose cost grows with the request, such as a deep page of a long
    /// list, which would otherwise hold one of the runtime's few threads. It costs a thread
    /// switch.
    pub(crate) async fn read_blocking<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        // Acquiring fails only on a closed semaphore, and nothing closes this one.
        let permit = self
            .blocking
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the database is closed".into()))?;
        let readers = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || readers.read(work))
            .await
            .map_err(|error| StoreError::Other(format!("a database read failed: {error}")));
        drop(permit);
        result?
    }

    /// Runs one query and decodes its first row, if any.
    pub(crate) fn optional<T>(
        &self,
        sql: &str,
        params: impl Params,
        decode: impl FnOnce(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(sql).map_err(reader_error)?;
            let mut rows = statement.query(params).map_err(reader_error)?;
            rows.next().map_err(reader_error)?.map(decode).transpose()
        })
    }

    /// Runs one query and decodes every row.
    pub(crate) fn all<T>(
        &self,
        sql: &str,
        params: impl Params,
        decode: impl FnMut(&Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.read(|connection| all_rows(connection, sql, params, decode))
    }

    /// Closes the idle connections; later reads fail with [`StoreError::Unavailable`].
    pub(crate) fn close(&self) {
        let mut idle = self.lock_idle();
        self.closed.store(true, Ordering::Release);
        idle.clear();
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while the lock is taken cannot leave the list half-changed, so the poison
        // is ignored.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> StoreResult<Connection> {
        // Opened read-write without CREATE, so SQLite can map the WAL index as every other
        // connection does, then limited to queries by `query_only`.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags).map_err(reader_error)?;
        connection
            .busy_timeout(self.busy_timeout)
            .map_err(reader_error)?;
        connection
            .pragma_update(None, "query_only", true)
            .map_err(reader_error)?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(connection)
    }
}

/// Runs one query on `connection` and decodes every row.
pub(crate) fn all_rows<T>(
    connection: &Connection,
    sql: &str,
    params: impl Params,
    mut decode: impl FnMut(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut statement = connection.prepare_cached(sql).map_err(reader_error)?;
    let mut rows = statement.query(params).map_err(reader_error)?;
    let mut decoded = Vec::new();
    while let Some(row) = rows.next().map_err(reader_error)? {
        decoded.push(decode(row)?);
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readers(folder: &tempfile::TempDir) -> Readers {
        let path: Arc<Path> = Arc::from(folder.path().join("reader.db"));
        let setup = Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE notes (body TEXT); \
                 INSERT INTO notes VALUES ('first');",
            )
            .unwrap();
        Readers::new(path, Duration::from_secs(1), 2, 1)
    }

    fn count(connection: &mut Connection) -> StoreResult<i64> {
        connection
            .query_row("SELECT COUNT(*) FROM notes", [], |row| row.get(0))
            .map_err(reader_error)
    }

    #[test]
    fn reader_rejects_writes() {
        let folder = tempfile::tempdir().unwrap();
        let readers = readers(&folder);
        let written = readers.read(|connection| {
            connection
                .execute("INSERT INTO notes VALUES ('second')", [])
                .map_err(reader_error)
        });
        assert!(written.is_err(), "a reader connection must refuse writes");
        assert_eq!(readers.read(count).unwrap(), 1);
    }

    #[test]
    fn reader_reuse_stops_at_idle_limit() {
        let folder = tempfile::tempdir().unwrap();
        let readers = readers(&folder);
        readers.read(count).unwrap();
        readers.read(count).unwrap();
        assert_eq!(
            readers.lock_idle().len(),
            1,
            "one reader at a time needs one connection"
        );

        readers
            .read(|_| {
                readers.read(|_| readers.read(|_| Ok(())))?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            readers.lock_idle().len(),
            2,
            "the idle list stops at its limit"
        );
    }

    #[test]
    fn reader_sees_committed_writes() {
        let folder = tempfile::tempdir().unwrap();
        let readers = readers(&folder);
        assert_eq!(readers.read(count).unwrap(), 1);
        let writer = Connection::open(&*readers.path).unwrap();
        writer
            .execute("INSERT INTO notes VALUES ('second')", [])
            .unwrap();
        assert_eq!(
            readers.read(count).unwrap(),
            2,
            "the reused connection sees the write"
        );
    }

    #[test]
    fn reader_in_transaction_not_reused() {
        let folder = tempfile::tempdir().unwrap();
        let readers = readers(&folder);
        let result: StoreResult<()> = readers.read(|connection| {
            connection.execute_batch("BEGIN").map_err(reader_error)?;
            Err(StoreError::Other("failed halfway".into()))
        });
        assert!(result.is_err());
        assert!(
            readers.lock_idle().is_empty(),
            "the open transaction must not be reused"
        );
    }

    #[test]
    fn reader_fails_after_close() {
        let folder = tempfile::tempdir().unwrap();
        let readers = readers(&folder);
        readers.read(count).unwrap();
        readers.close();
        assert!(readers.lock_idle().is_empty());
        assert!(matches!(
            readers.read(count),
            Err(StoreError::Unavailable(_))
        ));
    }
}
