//! The engine's errors: one variant per thing a user can get wrong or meet, each a single
//! line that says what was wrong and what to do. [`OpenError`] is why a database could
//! not be opened; [`DbError`] is why an operation on an open one failed. Hints about a
//! front end's own commands (which command lists the options, how to reopen) are the
//! front end's to add. RocksDB's errors are kept as text: its types are not part of this
//! API.
use std::path::{Path, PathBuf};

use crate::index::IndexError;
use crate::limits::MAX_VALUE_BYTES;

/// Why `Db::open` (or a reopen) failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "database {path} is locked: another process (or another handle in this one) has it open; close that first or use another directory"
    )]
    Locked { path: PathBuf },

    #[error("{path} is not an alexdb database: {reason}; use a new or empty directory")]
    NotADatabase { path: PathBuf, reason: String },

    #[error("cannot read database {path}: {reason}; check its permissions")]
    Unreadable { path: PathBuf, reason: String },

    #[error("database {path} does not exist; create it by opening with create_if_missing")]
    Missing { path: PathBuf },

    #[error("database {path} is corrupt: {detail}; restore it from a backup or repair it with ldb")]
    Corrupt { path: PathBuf, detail: String },

    /// A failure any operation can meet (RocksDB, I/O, the index, an invalid option),
    /// met while opening.
    #[error(transparent)]
    Failed(Box<DbError>),

    /// Opening would lose data RocksDB would not mention (a missing CURRENT, table files
    /// the MANIFEST lost, a damaged write-ahead log): `detail` says what and what to do.
    #[error("database {path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
}

impl OpenError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OpenError + '_ {
        move |source| DbError::io(path)(source).into()
    }
}

impl From<DbError> for OpenError {
    /// An operation's error met while opening (checking the options, reading the keys).
    fn from(e: DbError) -> OpenError {
        match e {
            DbError::Open(e) => e,
            DbError::Corrupt { path, detail } => OpenError::Corrupt { path, detail },
            other => OpenError::Failed(Box::new(other)),
        }
    }
}

impl From<IndexError> for OpenError {
    fn from(e: IndexError) -> OpenError {
        OpenError::Failed(Box::new(DbError::Index(e)))
    }
}

/// Why an operation on an open database failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "value of {size} bytes is too large: the limit is {max} bytes (16 MiB); store it in pieces"
    )]
    ValueTooLarge { size: usize, max: usize },

    #[error(
        "key {input:?} is not an integer: keys are whole numbers from {} to {}",
        i64::MIN,
        i64::MAX
    )]
    KeyNotInteger { input: String },

    #[error("invalid option {name} = {value}: {reason}")]
    InvalidOption {
        name: String,
        value: String,
        reason: String,
    },

    #[error("unknown option \"{name}\"{hint}")]
    UnknownOption { name: String, hint: String },

    #[error(
        "{change} failed and was rolled back (previous options back in force, no data lost): {reason}"
    )]
    RolledBack { change: String, reason: String },

    #[error("the database is closed: {reason}")]
    Closed { reason: String },

    #[error("{0}")]
    Refused(String),

    /// A change to an option that applies only when a database is opened.
    #[error("{name} cannot change on an open database; it applies when a database is opened")]
    OpenOnly { name: String },

    /// Bad input data (a dataset file with a bad row).
    #[error("{0}")]
    Input(String),

    #[error("database {path} is corrupt: {detail}; restore it from a backup or repair it with ldb")]
    Corrupt { path: PathBuf, detail: String },

    #[error("RocksDB failed to {context}: {message}")]
    Rocks {
        context: &'static str,
        message: String,
    },

    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("index: {0}")]
    Index(#[from] IndexError),

    /// An open failed (a reopen), or an operation found what makes a database unopenable
    /// (a key that is not alexdb's).
    #[error(transparent)]
    Open(#[from] OpenError),

    /// A key ALEX does not hold, inside a range the open could not read.
    #[error(
        "key {key} is in a damaged range ({first}..={last}): RocksDB could not read it at open, so its value is unknown"
    )]
    Damaged { key: i64, first: i64, last: i64 },
}

impl DbError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DbError + '_ {
        move |source| DbError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Checks a value's size against [`MAX_VALUE_BYTES`].
    pub fn check_value(value: &[u8]) -> Result<(), DbError> {
        if value.len() > MAX_VALUE_BYTES {
            Err(DbError::ValueTooLarge {
                size: value.len(),
                max: MAX_VALUE_BYTES,
            })
        } else {
            Ok(())
        }
    }
}

/// Parses a key typed by a person: optional sign, digits, `_` separators allowed.
pub fn parse_key(input: &str) -> Result<i64, DbError> {
    let t = input.trim();
    let cleaned: String = t.chars().filter(|&c| c != '_').collect();
    cleaned.parse::<i64>().map_err(|_| DbError::KeyNotInteger {
        input: t.to_string(),
    })
}
