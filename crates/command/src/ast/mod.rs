//! The command language as data: every parsed command, one enum per family, and the
//! parse error. A leaf: it names nothing else of the crate but its own argument types,
//! so the parser, the table and the executor all build on it.
use thiserror::Error;

pub mod bench_args;
pub mod sweep_args;
pub mod trace_args;

use bench_args::{LoadArgs, ShellBenchArgs, ShellYcsbArgs};
use sweep_args::SweepArgs;
use trace_args::{ReplayArgs, TraceCmd};

/// Said by every unsupported-SQL error.
const SQL_HELP: &str = "supported: SELECT/INSERT/DELETE on kv, see .help";

/// One parsed command: its family (which part of the executor answers it) and, inside,
/// the command. A family's executor takes only its own enum, so a command cannot reach
/// the wrong one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Data(DataCmd),
    Sql(SqlCmd),
    Session(SessionCmd),
    Options(OptionsCmd),
    Jobs(JobsCmd),
    Dashboard(DashboardCmd),
}

/// `get`, `put`, `del`, `scan`, `count`, `exists`, `mget`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataCmd {
    Get(i64),
    Put {
        key: i64,
        value: Vec<u8>,
    },
    Del(i64),
    Scan {
        start: i64,
        end: i64,
        limit: Option<u64>,
    },
    /// `count` (all keys) or `count A B`.
    Count(Option<(i64, i64)>),
    Exists(i64),
    MGet(Vec<i64>),
}

/// `SELECT`, `INSERT`, `DELETE` on table `kv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlCmd {
    Select {
        what: SelectWhat,
        filter: KeyFilter,
        limit: Option<u64>,
    },
    Insert {
        /// `INSERT OR REPLACE` / `REPLACE INTO`.
        replace: bool,
        rows: Vec<(i64, Vec<u8>)>,
    },
    /// `DELETE FROM kv WHERE ...` (never `KeyFilter::All`).
    Delete { filter: KeyFilter },
}

/// Settings of this session and files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionCmd {
    /// `.help [cmd]`; the topic is lower-cased.
    Help(Option<String>),
    Timer(bool),
    /// `.width N` (cells cut to N characters in table mode) or `.width off` (`None`:
    /// whole values).
    Width(Option<usize>),
    Stats(bool),
    Mode(OutputMode),
    Output(OutputTarget),
    Read(String),
    Open(String),
    Show,
    /// `.show options`
    ShowOptions,
    /// `.baseline save NAME [--window D] | list | drop NAME`
    Baseline(BaselineCmd),
    /// `.compare NAME [NAME2|now]` (`b: None`: the last window now).
    Compare {
        a: String,
        b: Option<String>,
    },
    /// `.trace start FILE [--force] | stop`, `.trace` (status).
    Trace(TraceCmd),
    Quit,
}

/// Engine options and maintenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionsCmd {
    /// `.set NAME VALUE`
    Set {
        name: String,
        value: String,
    },
    /// `.reset NAME` or `.reset all` (`None`).
    Reset(Option<String>),
    Reopen,
    Flush,
    /// `.compact` (everything) or `.compact A B`.
    Compact(Option<(i64, i64)>),
    /// `.check`: ALEX against RocksDB, and the key ranges RocksDB could not read.
    Check,
    /// `.profile save FILE` (`save: true`) or `.profile load NAME|FILE` (a built-in
    /// profile's name or a file).
    Profile {
        save: bool,
        path: String,
    },
    /// `.profile list`: the built-in profiles.
    ProfileList,
    /// `.options export FILE [--format rocksdb|tikv|myrocks|kvrocks]`
    OptionsExport(String, OptionsFormat),
    /// `.advise`, `.advise apply N`, `.advise undo`.
    Advise(AdviseAction),
    /// `.mrc` (the value cache's miss-ratio curve as a table) or `.mrc reset`.
    Mrc {
        reset: bool,
    },
    /// `.lsm [--json]`: the LSM tree per level, amplification, debt, stalls.
    Lsm {
        json: bool,
    },
    /// `.property NAME`: a RocksDB property's text.
    Property(String),
}

/// Long work on worker threads (`background`: a trailing `&`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobsCmd {
    /// `.load KIND ...`
    Load { args: LoadArgs, background: bool },
    /// `.bench ...`
    Bench {
        args: ShellBenchArgs,
        background: bool,
    },
    /// `.ycsb W ...`
    Ycsb {
        args: ShellYcsbArgs,
        background: bool,
    },
    /// `.jobs` (every job with its headline figures) or `.jobs N` (job N's full report).
    Jobs(Option<u64>),
    /// `.cancel [JOB]` (`None`: the newest running job).
    Cancel(Option<u64>),
    /// `.sweep OPTION V1,V2,... [x OPTION2 V1,V2,...] [--workload W ...]`
    Sweep { args: SweepArgs, background: bool },
    /// `.replay FILE [--speed N|max] [--save NAME] [--on-my-data]`
    Replay { args: ReplayArgs, background: bool },
}

/// Handled by the dashboard itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashboardCmd {
    /// `.set refresh_ms N`, or `.reset refresh_ms` (`None`): the dashboard's sampling.
    Refresh(Option<u64>),
    /// `.export metrics FILE.csv|FILE.json|FILE.svg` or `.export screen FILE`.
    Export { what: ExportWhat, path: String },
}

/// Which column(s) a `SELECT` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectWhat {
    /// `SELECT *`
    All,
    /// `SELECT key`
    Key,
    /// `SELECT value`
    Value,
    /// `SELECT COUNT(*)`
    Count,
}

/// A key restriction from a `WHERE` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFilter {
    /// No `WHERE`.
    All,
    /// `key = K`
    Eq(i64),
    /// `key BETWEEN A AND B` (inclusive on both ends).
    Between(i64, i64),
    /// `key >= A AND key < B`.
    HalfOpen(i64, i64),
}

/// Output mode of `.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Table,
    Csv,
    Json,
    Line,
}

/// What `.export` writes (a dashboard command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportWhat {
    MetricsCsv,
    MetricsJson,
    /// Four charts over time (throughput, latency, hit rates, memory) as SVG.
    MetricsSvg,
    /// The screen as plain text.
    Screen,
}

/// Target of `.output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    Stdout,
    File(String),
}

/// What `.advise` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdviseAction {
    /// List the proposals.
    List,
    /// Apply proposal N (numbered from 1) of the last list.
    Apply(usize),
    /// Restore what the last applied proposal changed.
    Undo,
}

/// The format `.options export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsFormat {
    /// RocksDB's own OPTIONS file.
    Rocksdb,
    /// A TiKV configuration fragment.
    Tikv,
    /// A MyRocks `my.cnf` fragment.
    Myrocks,
    /// A Kvrocks `kvrocks.conf` fragment.
    Kvrocks,
}

/// What `.baseline` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineCmd {
    /// Save the last `window_secs` seconds under `name`.
    Save {
        name: String,
        window_secs: u64,
    },
    List,
    Drop(String),
}

/// Why a line did not parse. Display is one line: what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("empty command (type .help for the list of commands)")]
    Empty,
    #[error("{what} \"{text}\" is not an integer")]
    NotInteger { what: &'static str, text: String },
    #[error("{what} {text} is out of range (i64)")]
    OutOfRange { what: &'static str, text: String },
    #[error("limit \"{text}\" is not a non-negative integer")]
    BadLimit { text: String },
    #[error("unterminated string starting at column {column} (close it with the same quote)")]
    Unterminated { column: usize },
    #[error(
        "unknown escape \"\\{escape}\" at column {column} (use \\n \\t \\r \\\\ \\' \\\" \\0 \\xHH)"
    )]
    BadEscape { escape: String, column: usize },
    #[error("bad hex in x'{text}': {reason}")]
    BadHex { text: String, reason: String },
    #[error("{command} takes {expected}, got {got} (usage: {usage})")]
    Arity {
        command: String,
        expected: &'static str,
        got: usize,
        usage: &'static str,
    },
    #[error("{command}: {problem} (usage: {usage})")]
    BadArgument {
        command: String,
        problem: String,
        usage: &'static str,
    },
    #[error("unknown command \"{name}\"{hint}")]
    Unknown { name: String, hint: String },
    #[error("unexpected {found} at column {column} (separate commands with ';' or a newline)")]
    Trailing { found: String, column: usize },
    #[error("unsupported SQL: {detail} ({SQL_HELP})")]
    UnsupportedSql { detail: String },
}
