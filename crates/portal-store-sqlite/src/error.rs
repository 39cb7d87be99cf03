//! Conversion of database failures into [`StoreError`], in one place.
//!
//! Messages carry SQLite's own text (table, column and constraint names) or fixed wording, never
//! the values being read or written, so no personal data reaches a log through an error.

use portal_core::StoreError;
use sqlx::error::{DatabaseError, ErrorKind};

// Primary SQLite result codes (https://www.sqlite.org/rescode.html) that mean the database is
// busy or cannot be reached, so a retry later may succeed.
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_NOMEM: i32 = 7;
const SQLITE_IOERR: i32 = 10;
const SQLITE_FULL: i32 = 13;
const SQLITE_CANTOPEN: i32 = 14;
const SQLITE_PROTOCOL: i32 = 15;

/// Converts a sqlx error into the store's error.
///
/// A unique constraint violation becomes [`StoreError::Duplicate`] named after the column.
/// Pool timeouts, a closed pool, I/O errors and a busy or unreachable database become
/// [`StoreError::Unavailable`]. Everything else becomes [`StoreError::Other`].
pub(crate) fn database_error(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Database(database) => from_database(database.as_ref()),
        sqlx::Error::PoolTimedOut => {
            StoreError::Unavailable("timed out waiting for a database connection".into())
        }
        sqlx::Error::PoolClosed => StoreError::Unavailable("the connection pool is closed".into()),
        sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable("a database connection worker stopped".into())
        }
        sqlx::Error::Io(io) => StoreError::Unavailable(format!("database I/O failed: {io}")),
        // Decoding errors may quote the stored value, so only the column position is kept.
        sqlx::Error::ColumnDecode { index, .. } => {
            StoreError::Other(format!("failed to decode column {index}"))
        }
        sqlx::Error::Decode(_) => StoreError::Other("failed to decode a value".into()),
        sqlx::Error::Encode(_) => StoreError::Other("failed to encode a value".into()),
        other => StoreError::Other(other.to_string()),
    }
}

fn from_database(error: &dyn DatabaseError) -> StoreError {
    if error.kind() == ErrorKind::UniqueViolation {
        return StoreError::Duplicate(unique_constraint_name(error.message()));
    }

    let code = error
        .code()
        .and_then(|code| code.parse::<i32>().ok())
        .unwrap_or_default();
    from_sqlite_code(code, error.message())
}

/// Converts an error of a read-only connection of [`crate::reader`]. Those run no writes, so
/// no constraint can fail.
pub(crate) fn reader_error(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let text = message.unwrap_or_else(|| failure.to_string());
            from_sqlite_code(failure.extended_code, &text)
        }
        // Conversion errors may quote the stored value, so only the column is kept.
        rusqlite::Error::FromSqlConversionFailure(index, ..)
        | rusqlite::Error::InvalidColumnType(index, ..) => {
            StoreError::Other(format!("failed to decode column {index}"))
        }
        rusqlite::Error::InvalidColumnName(name) => {
            StoreError::Other(format!("no column named {name}"))
        }
        other => StoreError::Other(other.to_string()),
    }
}

/// Sorts a SQLite result code and message into an unavailable database or another failure.
fn from_sqlite_code(code: i32, text: &str) -> StoreError {
    // SQLite reports extended result codes, whose low byte is the primary code.
    let message = format!("SQLite error {code}: {text}");
    match code & 0xff {
        SQLITE_BUSY | SQLITE_LOCKED | SQLITE_NOMEM | SQLITE_IOERR | SQLITE_FULL
        | SQLITE_CANTOPEN | SQLITE_PROTOCOL => StoreError::Unavailable(message),
        _ => StoreError::Other(message),
    }
}

/// Names the unique constraint from SQLite's message `UNIQUE constraint failed: table.column`.
fn unique_constraint_name(message: &str) -> &'static str {
    let columns = message
        .strip_prefix("UNIQUE constraint failed: ")
        .unwrap_or_default();
    match columns {
        "users.email" => "email",
        "invites.code_hash" => "invite",
        "sessions.refresh_hash" => "refresh_hash",
        "providers.npi" => "npi",
        "users.id" | "patients.user_id" | "providers.user_id" | "appointments.id"
        | "sessions.id" => "id",
        "audit_events.seq" => "seq",
        _ => "unique",
    }
}

/// Reports a stored value that does not decode, naming the column but not the value.
pub(crate) fn invalid_column(column: &str) -> StoreError {
    StoreError::Other(format!("invalid stored value in column {column}"))
}

#[cfg(test)]
mod tests {
    use super::unique_constraint_name;

    #[test]
    fn unique_name_email() {
        assert_eq!(
            unique_constraint_name("UNIQUE constraint failed: users.email"),
            "email",
            "users.email maps to email"
        );
    }

    #[test]
    fn unique_name_unknown() {
        assert_eq!(
            unique_constraint_name("UNIQUE constraint failed: other.column"),
            "unique",
            "unknown columns map to the generic name"
        );
    }
}
