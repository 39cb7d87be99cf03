//! Conversion of MongoDB driver failures into [`StoreError`], in one place.
//!
//! Server messages can quote the values of a write: a duplicate key error lists the key, for
//! example. So the messages built here carry error codes, code names, collection and index
//! names or fixed wording, and never a server message about a write.

use mongodb::error::{Error, ErrorKind, WriteFailure};
use portal_core::StoreError;

/// The server's code for a unique index violation.
pub(crate) const DUPLICATE_KEY: i32 = 11000;

/// Server error codes that mean the deployment is unreachable, shutting down, electing a new
/// primary or too slow right now, so the same request may succeed later. These are the codes
/// the drivers' retryable reads and writes specification lists, plus `MaxTimeMSExpired` (50)
/// and `WriteConcernFailed` (64, a write concern timeout).
const TRANSIENT_CODES: [i32; 15] = [
    6,     // HostUnreachable
    7,     // HostNotFound
    50,    // MaxTimeMSExpired
    64,    // WriteConcernFailed
    89,    // NetworkTimeout
    91,    // ShutdownInProgress
    134,   // ReadConcernMajorityNotAvailableYet
    189,   // PrimarySteppedDown
    262,   // ExceededTimeLimit
    9001,  // SocketException
    10107, // NotWritablePrimary
    11600, // InterruptedAtShutdown
    11602, // InterruptedDueToReplStateChange
    13435, // NotPrimaryNoSecondaryOk
    13436, // NotPrimaryOrSecondary
];

/// Converts a driver error into the store's error.
///
/// A duplicate key (code 11000, alone or inside the write errors of an insert or bulk write)
/// becomes [`StoreError::Duplicate`] named after the unique index. Server selection, network,
/// I/O and DNS failures, a cleared connection pool, a shut-down client, write concern failures
/// and the transient server codes above become [`StoreError::Unavailable`]. Everything else
/// becomes [`StoreError::Other`].
pub(crate) fn store_error(error: Error) -> StoreError {
    let transient_label = error.contains_label("RetryableWriteError")
        || error.contains_label("TransientTransactionError");
    match *error.kind {
        ErrorKind::Write(WriteFailure::WriteError(write)) => server_error(
            "write",
            write.code,
            write.code_name.as_deref(),
            &write.message,
        ),
        ErrorKind::Write(WriteFailure::WriteConcernError(concern)) => {
            write_concern_error(concern.code, &concern.code_name)
        }
        ErrorKind::InsertMany(insert) => {
            // An ordered insert stops at its first write error, which is the one that counts.
            if let Some(write) = insert
                .write_errors
                .as_ref()
                .and_then(|errors| errors.first())
            {
                server_error(
                    "insert",
                    write.code,
                    write.code_name.as_deref(),
                    &write.message,
                )
            } else if let Some(concern) = insert.write_concern_error {
                write_concern_error(concern.code, &concern.code_name)
            } else {
                StoreError::Other("MongoDB insert failed without a write error".into())
            }
        }
        ErrorKind::BulkWrite(bulk) => {
            let first = bulk
                .write_errors
                .iter()
                .min_by_key(|(index, _)| **index)
                .map(|(_, write)| write);
            if let Some(write) = first {
                server_error(
                    "bulk write",
                    write.code,
                    write.code_name.as_deref(),
                    &write.message,
                )
            } else if let Some(concern) = bulk.write_concern_errors.first() {
                write_concern_error(concern.code, &concern.code_name)
            } else {
                StoreError::Other("MongoDB bulk write failed without a write error".into())
            }
        }
        ErrorKind::Command(command) => {
            if transient_label && command.code != DUPLICATE_KEY {
                return unavailable_code("command", command.code, &command.code_name);
            }
            server_error(
                "command",
                command.code,
                Some(&command.code_name),
                &command.message,
            )
        }
        ErrorKind::ServerSelection { message, .. } => {
            StoreError::Unavailable(format!("no MongoDB server is available: {message}"))
        }
        ErrorKind::Io(io) => StoreError::Unavailable(format!("MongoDB network I/O failed: {io}")),
        ErrorKind::ConnectionPoolCleared { message, .. } => {
            StoreError::Unavailable(format!("MongoDB connection pool was cleared: {message}"))
        }
        ErrorKind::DnsResolve { message, .. } => {
            StoreError::Unavailable(format!("resolving the MongoDB host failed: {message}"))
        }
        ErrorKind::Shutdown => StoreError::Unavailable("the MongoDB client is shut down".into()),
        // The driver's authentication messages can name the user, so a fixed text is used.
        ErrorKind::Authentication { .. } => StoreError::Other(
            "MongoDB authentication failed: check the user, password and authSource in the URL"
                .into(),
        ),
        // (De)serialisation messages can quote the value, so only the kind is kept.
        ErrorKind::BsonDeserialization(_) => {
            StoreError::Other("failed to decode a BSON document".into())
        }
        ErrorKind::BsonSerialization(_) => {
            StoreError::Other("failed to encode a BSON document".into())
        }
        ErrorKind::InvalidArgument { message, .. } => {
            StoreError::Other(format!("invalid argument to the MongoDB driver: {message}"))
        }
        ErrorKind::IncompatibleServer { message, .. } => {
            StoreError::Other(format!("incompatible MongoDB server: {message}"))
        }
        ErrorKind::InvalidTlsConfig { message, .. } => {
            StoreError::Other(format!("invalid TLS configuration: {message}"))
        }
        ErrorKind::InvalidResponse { .. } => {
            StoreError::Other("the MongoDB server sent an invalid response".into())
        }
        _ if transient_label => {
            StoreError::Unavailable("MongoDB operation failed with a transient error".into())
        }
        _ => StoreError::Other("MongoDB operation failed".into()),
    }
}

/// Returns how many documents an ordered `insert_many` stored before the server rejected one,
/// with the rejected document's error code. Returns `None` when the outcome is not known
/// exactly: the failure was not a write error (a lost connection, say) or the write concern
/// was not confirmed.
pub(crate) fn stored_before_write_error(error: &Error) -> Option<(usize, i32)> {
    let ErrorKind::InsertMany(insert) = &*error.kind else {
        return None;
    };
    if insert.write_concern_error.is_some() {
        return None;
    }
    let first = insert.write_errors.as_ref()?.first()?;
    Some((first.index, first.code))
}

/// Maps an error the server reported for one operation, by its code.
fn server_error(operation: &str, code: i32, code_name: Option<&str>, message: &str) -> StoreError {
    if code == DUPLICATE_KEY {
        return StoreError::Duplicate(duplicate_constraint(message));
    }
    let code_name = code_name.unwrap_or("unnamed");
    if TRANSIENT_CODES.contains(&code) {
        return unavailable_code(operation, code, code_name);
    }
    StoreError::Other(format!(
        "MongoDB {operation} failed with code {code} ({code_name})"
    ))
}

fn unavailable_code(operation: &str, code: i32, code_name: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "MongoDB {operation} failed with code {code} ({code_name})"
    ))
}

/// A write concern error means the write may not be durable yet, so the request is worth
/// retrying later.
fn write_concern_error(code: i32, code_name: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "MongoDB did not confirm the write concern: code {code} ({code_name})"
    ))
}

/// Names the unique constraint a duplicate key message is about (`email`, `refresh_hash`,
/// `seq`, `invite`, `id`, else `unique`), reading only the collection and index names, never
/// the key values that follow them.
///
/// MongoDB writes `E11000 duplicate key error collection: DB.COLLECTION index: NAME dup key:
/// { ... }`. The nx-27017 test server writes SQLite's text, `UNIQUE constraint failed: index
/// 'idx_COLLECTION_FIELD'` or `UNIQUE constraint failed: COLLECTION.FIELD`.
pub(crate) fn duplicate_constraint(message: &str) -> &'static str {
    let (collection, index) = if let Some((_, rest)) = message.split_once(" collection: ") {
        let (namespace, after) = rest.split_once(" index: ").unwrap_or((rest, ""));
        let collection = namespace.split_once('.').map_or("", |(_, name)| name);
        let index = after.split_whitespace().next().unwrap_or_default();
        (collection, index)
    } else if let Some(rest) = message.strip_prefix("UNIQUE constraint failed: ") {
        if let Some(index) = rest.strip_prefix("index '") {
            ("", index.trim_end_matches('\''))
        } else {
            rest.split_once('.').unwrap_or(("", rest))
        }
    } else {
        ("", "")
    };

    if index.contains("email") {
        "email"
    } else if index.contains("npi") {
        "npi"
    } else if index.contains("refresh_hash") {
        "refresh_hash"
    } else if index.contains("seq") {
        "seq"
    } else if index.starts_with("_id") {
        match collection {
            crate::INVITES => "invite",
            crate::AUDIT_EVENTS => "seq",
            _ => "id",
        }
    } else {
        "unique"
    }
}

/// Reports a stored value that does not decode, naming the field but not the value.
pub(crate) fn invalid_field(field: &str) -> StoreError {
    StoreError::Other(format!("invalid or missing stored value in field {field}"))
}

#[cfg(test)]
mod tests {
    use super::duplicate_constraint;

    #[test]
    fn duplicate_email_mongodb() {
        let message = "E11000 duplicate key error collection: portal.users index: email_unique \
                       dup key: { email: \"ada@example.test\" }";
        assert_eq!(
            duplicate_constraint(message),
            "email",
            "the email index names email"
        );
    }

    #[test]
    fn duplicate_invite_mongodb() {
        let message = "E11000 duplicate key error collection: portal.invites index: _id_ \
                       dup key: { _id: \"sha256-email\" }";
        assert_eq!(
            duplicate_constraint(message),
            "invite",
            "an invite's _id names invite, whatever the key value contains"
        );
    }

    #[test]
    fn duplicate_id_mongodb() {
        let message = "E11000 duplicate key error collection: portal.sessions index: _id_ \
                       dup key: { _id: \"0190\" }";
        assert_eq!(duplicate_constraint(message), "id", "another _id names id");
    }

    #[test]
    fn duplicate_refresh_hash_mongodb() {
        let message = "E11000 duplicate key error collection: portal.sessions index: \
                       refresh_hash_unique dup key: { refresh_hash: \"email\" }";
        assert_eq!(
            duplicate_constraint(message),
            "refresh_hash",
            "the key value is not read"
        );
    }

    #[test]
    fn duplicate_email_standin() {
        let message = "UNIQUE constraint failed: index 'idx_users_email'";
        assert_eq!(
            duplicate_constraint(message),
            "email",
            "the SQLite index name is read"
        );
    }

    #[test]
    fn duplicate_id_standin() {
        assert_eq!(
            duplicate_constraint("UNIQUE constraint failed: invites._id"),
            "invite",
            "an invite's _id names invite"
        );
        assert_eq!(
            duplicate_constraint("UNIQUE constraint failed: users._id"),
            "id",
            "a user's _id names id"
        );
    }

    #[test]
    fn duplicate_seq() {
        let message = "E11000 duplicate key error collection: portal.audit_events index: _id_ \
                       dup key: { _id: 7 }";
        assert_eq!(
            duplicate_constraint(message),
            "seq",
            "an audit event's _id names seq"
        );
        assert_eq!(
            duplicate_constraint("UNIQUE constraint failed: index 'idx_audit_events_seq'"),
            "seq",
            "the stand-in's seq index names seq"
        );
    }

    #[test]
    fn duplicate_unknown_message() {
        assert_eq!(
            duplicate_constraint("something else"),
            "unique",
            "an unknown message maps to the generic name"
        );
    }
}
