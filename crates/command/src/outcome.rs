//! What commands produce: [`Outcome`]s (typed data a front end renders), the one-line
//! [`ExecError`], and the [`Report`] of one statement. Kept apart from the executor so
//! the job layer (`jobs`, `long`) can return outcomes without importing the executor.
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

use super::ast::ParseError;
use engine::{DbError, Value};

/// A job's number (`[3]` in messages, `.cancel 3`).
pub type JobId = u64;

/// Why a command failed. Display is one line.
#[derive(Debug, Error)]
pub enum ExecError {
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("{0}{hint}", hint = crate::hints::db_hint(.0))]
    Db(#[from] DbError),
    #[error("cannot {action} {path}: {reason}")]
    File {
        action: &'static str,
        path: String,
        reason: String,
    },
    #[error("{0}")]
    Refused(String),
}

impl ExecError {
    pub(crate) fn file(action: &'static str, path: &str, e: std::io::Error) -> Self {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        ExecError::File {
            action,
            path: path.to_string(),
            reason,
        }
    }
}

/// One cell of a result table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Int(i64),
    Bytes(Value),
    Text(String),
    Null,
}

/// Rows with named columns: what reads return.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Outcome {
    /// A report whose own `ok` is false (`.check` finding damage): shown in full, but
    /// the command counts as failed (exit status 1, `"ok": false` in `--json`).
    pub fn reports_failure(&self) -> bool {
        matches!(self, Outcome::Report { json, .. } if json["ok"] == false)
    }
}

impl Table {
    pub(crate) fn new(columns: &[&str]) -> Self {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// What a successful command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A result set (get, mget, scan, exists, count, SELECT, `.show`).
    Rows(Table),
    /// A write: how many rows it changed (`new` counts keys that did not exist before).
    Changed {
        verb: &'static str,
        rows: u64,
        new: u64,
    },
    /// Text for a person (`.help`, `.open`).
    Message(String),
    /// A session setting changed (`.timer`, `.mode`, ...): shown interactively, silent
    /// in scripts, as sqlite3 does.
    Setting(String),
    /// A benchmark's or a load's result: its table for people and its JSON object.
    Report {
        text: String,
        json: serde_json::Value,
    },
    /// A long command started as a job on a worker thread (`.load`, `.bench`, `.ycsb`).
    /// `background` (a trailing `&`): the line shell returns to the prompt at once;
    /// otherwise it waits with a progress bar. The dashboard never waits.
    JobStarted {
        id: JobId,
        label: String,
        background: bool,
    },
    /// `.quit`: stop reading commands.
    Quit,
}

/// Per-command engine figures for `.stats on`: the difference of the engine's counters
/// across the command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CommandStats {
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// Gets that were timed (all of them while `.stats` is on).
    pub timed_gets: u64,
    pub cache_ns: u64,
    pub alex_ns: u64,
    pub rocksdb_ns: u64,
    pub other_ns: u64,
    /// Blocks RocksDB had to read because the block cache missed them (data, index and
    /// filter); `None` when RocksDB statistics are off.
    pub block_reads: Option<u64>,
    pub block_cache_hits: Option<u64>,
    /// The block cache's data, index and filter blocks: each kind's hits and misses
    /// across the command and the bytes it holds after it; `None` when RocksDB
    /// statistics are off.
    pub block_kinds: Option<[BlockKindStats; 3]>,
    pub rows_read: u64,
    pub rows_written: u64,
}

/// One block kind in `.stats`: `kind` is `data`, `index` or `filter`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct BlockKindStats {
    pub kind: &'static str,
    pub hits: u64,
    pub misses: u64,
    /// Bytes of this kind in the block cache (`None` when RocksDB did not say).
    pub bytes: Option<u64>,
}

/// The result of one statement, as a front end needs it.
#[derive(Debug)]
pub struct Report {
    /// The statement's text as run.
    pub input: String,
    pub result: Result<Outcome, ExecError>,
    pub elapsed: Duration,
    /// Present when `.stats` is on and the command touched the database.
    pub stats: Option<CommandStats>,
}
