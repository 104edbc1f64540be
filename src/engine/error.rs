//! The engine's errors: one variant per thing a user can get wrong or meet, each a single
//! line that says what was wrong and what to do.
use std::path::{Path, PathBuf};

use crate::engine::index::IndexError;
use crate::engine::options::MAX_VALUE_BYTES;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
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

    #[error("unknown option \"{name}\"{hint} (.show options lists them)")]
    UnknownOption { name: String, hint: String },

    #[error(
        "{change} failed and was rolled back (previous options back in force, no data lost): {reason}"
    )]
    RolledBack { change: String, reason: String },

    #[error("the database is closed: {reason}; open it again with .open")]
    Closed { reason: String },

    #[error("{0}")]
    Refused(String),

    /// Bad input data (a dataset file with a bad row).
    #[error("{0}")]
    Input(String),

    #[error("database {path} is corrupt: {detail}; restore it from a backup or repair it with ldb")]
    Corrupt { path: PathBuf, detail: String },

    #[error("RocksDB failed to {context}: {source}")]
    Rocks {
        context: &'static str,
        #[source]
        source: rocksdb::Error,
    },

    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("index: {0}")]
    Index(#[from] IndexError),
}

impl DbError {
    /// Wraps a RocksDB error with what the engine was doing.
    pub(crate) fn rocks(context: &'static str) -> impl FnOnce(rocksdb::Error) -> DbError {
        move |source| DbError::Rocks { context, source }
    }

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
