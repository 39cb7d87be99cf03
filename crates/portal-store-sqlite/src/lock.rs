//! The advisory lock file next to a database file, which keeps `portal restore` from replacing
//! a database that a running portal process has open.
//!
//! Every process that opens the store through [`SqliteStore::connect_locked`] holds a shared
//! lock on `<database>.lock` for as long as the store is open, so the server and the admin
//! commands (which may run while the server runs) can share the file. `portal restore` takes
//! the exclusive lock, which it gets only when no such process runs. The locks are `flock`
//! locks on Unix and `LockFileEx` locks on Windows (through [`std::fs::File::try_lock`]), so
//! the operating system releases them when a process ends, even after a crash. They are
//! advisory: a program that ignores the lock file, such as the `sqlite3` shell, is not stopped.
//!
//! [`SqliteStore::connect_locked`]: crate::SqliteStore::connect_locked

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// Whether a lock may be held by several processes at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// Held by every process that has the database open; any number at once.
    Shared,
    /// Held by one process while no other holds any lock on the file.
    Exclusive,
}

/// A held lock on the lock file of a database, released when dropped.
#[derive(Debug)]
pub struct DatabaseLock {
    // Closing the file releases the lock.
    _file: File,
    path: PathBuf,
}

impl DatabaseLock {
    /// Returns the path of the lock file of `database`: its file name with `.lock` appended.
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.file_name().map(OsString::from).unwrap_or_default();
        name.push(".lock");
        database.with_file_name(name)
    }

    /// Takes the lock on the lock file of `database` without waiting, creating the lock file
    /// (mode 0600 on Unix) and its folder (mode 0700) when missing. Returns `Ok(None)` when
    /// another open of the lock file holds a lock that conflicts with `mode`.
    pub async fn try_acquire(database: &Path, mode: LockMode) -> io::Result<Option<Self>> {
        if let Some(folder) = database
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            crate::create_private_folder(folder).await?;
        }
        let path = Self::path_for(database);
        tokio::task::spawn_blocking(move || {
            let mut options = OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path)?;
            let locked = match mode {
                LockMode::Shared => file.try_lock_shared(),
                LockMode::Exclusive => file.try_lock(),
            };
            match locked {
                Ok(()) => Ok(Some(Self { _file: file, path })),
                Err(TryLockError::WouldBlock) => Ok(None),
                Err(TryLockError::Error(error)) => Err(error),
            }
        })
        .await
        .map_err(io::Error::other)?
    }

    /// Returns the path of the lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_is_next_to_database() {
        assert_eq!(
            DatabaseLock::path_for(Path::new("/var/lib/portal/portal.db")),
            PathBuf::from("/var/lib/portal/portal.db.lock")
        );
        assert_eq!(
            DatabaseLock::path_for(Path::new("portal.db")),
            PathBuf::from("portal.db.lock")
        );
    }

    #[tokio::test]
    async fn shared_locks_exclude_exclusive_lock() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("data/portal.db");

        let first = DatabaseLock::try_acquire(&database, LockMode::Shared)
            .await
            .unwrap()
            .expect("a shared lock on a new file is granted");
        let second = DatabaseLock::try_acquire(&database, LockMode::Shared)
            .await
            .unwrap();
        assert!(second.is_some(), "two shared locks are granted together");
        let exclusive = DatabaseLock::try_acquire(&database, LockMode::Exclusive)
            .await
            .unwrap();
        assert!(
            exclusive.is_none(),
            "a shared lock blocks the exclusive one"
        );

        drop(first);
        drop(second);
        let exclusive = DatabaseLock::try_acquire(&database, LockMode::Exclusive)
            .await
            .unwrap()
            .expect("the exclusive lock is granted once the shared locks are gone");
        assert_eq!(exclusive.path(), dir.path().join("data/portal.db.lock"));
        let shared = DatabaseLock::try_acquire(&database, LockMode::Shared)
            .await
            .unwrap();
        assert!(shared.is_none(), "the exclusive lock blocks shared ones");
    }
}
