//! `alexdb check --db DIR` without changing DIR (issue 27, item 6).
//!
//! The database is opened read-only ([`Store::open_read_only`]): RocksDB reads the
//! MANIFEST and replays the write-ahead logs into memory only, takes no lock, and
//! writes, renames or deletes no file (its info log goes to a callback, not to `LOG`).
//! ALEX is built in memory from RocksDB's keys and `.check`'s checks run on it (ALEX
//! valid, the same keys as RocksDB, damaged ranges, table-file checksums). Then the
//! directory is set against what an ordinary open would find there, and each thing that
//! open would act on is a [`Finding`]: table files the MANIFEST does not list (with
//! their sizes), referenced table files that are gone, a torn or damaged write-ahead
//! log, a write-ahead log the MANIFEST expects that is gone, and the unlogged-writes
//! marker. A finding that `fails` is one where an ordinary open would drop data or
//! refuse: the check is not `ok` then (exit status 1).
use std::fs;
use std::path::Path;

use serde::Serialize;

use super::error::{DbError, OpenError};
use super::index::AlexIndex;
use super::options::{WalRecoveryMode, human_bytes};
use super::persist;
use super::store::{
    self, DamagedRange, SET_ASIDE_PREFIX, SstError, Store, TableAction, TablePlan, UNLOGGED_MARKER,
    key_hash, plan_tables, table_list,
};

/// Result of [`crate::Db::check`].
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub alex_keys: u64,
    pub rocksdb_keys: u64,
    /// ALEX's own structural self-check.
    pub alex_valid: Result<(), String>,
    pub ok: bool,
    /// Key ranges RocksDB could not read (their keys are not counted above).
    pub damaged: Vec<DamagedRange>,
    /// Every live table file passed RocksDB's checksum verification.
    pub sst_ok: bool,
    pub sst_errors: Vec<SstError>,
    /// ALEX's keys and RocksDB's readable keys have the same checksum (wrapping sum of
    /// [`crate::key_hash`]): equal counts alone would miss one key swapped for another.
    pub key_checksum_match: bool,
    /// What `alexdb check` found in the directory that an ordinary open would act on
    /// (see `inspect.rs`); a finding that `fails` makes `ok` false. Empty for `.check`
    /// on an open database, which its open already acted on.
    pub findings: Vec<Finding>,
}

/// Which part of [`crate::Db::check_with`] is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckPhase {
    /// Reading every key from RocksDB; `done` of `total` (ALEX's count, the expected).
    Keys,
    /// RocksDB's checksum pass over every table file (one call, no count).
    Checksums,
}

/// Progress of [`crate::Db::check_with`].
#[derive(Debug, Clone, Copy)]
pub struct CheckProgress {
    pub phase: CheckPhase,
    pub done: u64,
    pub total: u64,
}

/// One thing in the directory that an ordinary open would act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `unreferenced_table`, `missing_table`, `wal_torn_tail`, `wal_damage`,
    /// `missing_wal`, `unlogged_writes`, `set_aside` or `in_use`.
    pub kind: &'static str,
    /// The file it is about, if one.
    pub file: Option<String>,
    /// That file's size, or the bytes concerned.
    pub bytes: Option<u64>,
    /// For a table file: the keys it holds, and how many of them the database lacks
    /// (`None` when it could not be read).
    pub rows: Option<u64>,
    pub rows_not_in_database: Option<u64>,
    /// An ordinary open would drop or delete data, or refuse: the check fails.
    pub fails: bool,
    /// One line: what is there and what an ordinary open would do.
    pub detail: String,
}

impl Finding {
    fn new(kind: &'static str, fails: bool, detail: String) -> Finding {
        Finding {
            kind,
            file: None,
            bytes: None,
            rows: None,
            rows_not_in_database: None,
            fails,
            detail,
        }
    }

    fn about(mut self, file: &str, bytes: Option<u64>) -> Finding {
        self.file = Some(file.to_string());
        self.bytes = bytes;
        self
    }
}

/// What [`check_dir`] found: `.check`'s report with its findings, and the warnings about
/// the saved options file (it is read, never rewritten).
#[derive(Debug, Clone)]
pub struct Inspection {
    pub report: CheckReport,
    pub warnings: Vec<String>,
}

/// Checks the database in `path` read-only; nothing in the directory changes (not even
/// `LOG`). Works while another process has the database open (RocksDB allows
/// read-only opens beside a writer): the report is of the MANIFEST and logs as they
/// were when it started, and the findings that may be that process's work in progress
/// (unreferenced files, a log's unfinished end) are notes then, not failures.
pub fn check_dir(path: &Path) -> Result<Inspection, DbError> {
    if !path.join("CURRENT").is_file() {
        return Err(OpenError::NotADatabase {
            path: path.to_path_buf(),
            reason: "it has no RocksDB CURRENT file (nothing was changed)".to_string(),
        }
        .into());
    }
    let (opts, start) = persist::start_options(path, &[])?;
    let holder = lock_holder(path);
    let (store, wal_reports) = Store::open_read_only(path, &opts)?;
    let scan = store.keys()?;
    let mut findings = Vec::new();
    if let Some(referenced) = store.table_sizes() {
        let plan = plan_tables(path, &referenced);
        table_findings(path, &plan, &scan.keys, &mut findings);
    }
    for line in &wal_reports {
        findings.extend(wal_finding(line, opts.wal_recovery_mode));
    }
    findings.extend(missing_wal(path, store.min_wal_number()));
    findings.extend(marker_findings(path));
    if let Some(pid) = holder {
        for f in &mut findings {
            f.fails = false;
            f.detail = format!("(may be work in progress of process {pid}) {}", f.detail);
        }
        findings.push(Finding::new(
            "in_use",
            false,
            format!(
                "process {pid} has the database open: this check read the MANIFEST and logs \
                 as they were when it started, without taking the lock or changing anything"
            ),
        ));
    }

    let rocksdb_keys = scan.keys.len() as u64;
    let rocks_sum = scan
        .keys
        .iter()
        .fold(0u64, |s, &k| s.wrapping_add(key_hash(k)));
    let index = AlexIndex::bulk_load(&scan.keys).map_err(OpenError::from)?;
    drop(scan.keys);
    let alex_keys = index.len() as u64;
    let alex_sum = index.iter().fold(0u64, |s, k| s.wrapping_add(key_hash(k)));
    let alex_valid = index.validate();
    let sst_errors = store.verify_checksums()?;
    drop(store);

    let key_checksum_match = alex_sum == rocks_sum;
    let ok = alex_valid.is_ok()
        && alex_keys == rocksdb_keys
        && key_checksum_match
        && scan.damaged.is_empty()
        && sst_errors.is_empty()
        && !findings.iter().any(|f| f.fails);
    Ok(Inspection {
        report: CheckReport {
            alex_keys,
            rocksdb_keys,
            alex_valid,
            ok,
            damaged: scan.damaged,
            sst_ok: sst_errors.is_empty(),
            sst_errors,
            key_checksum_match,
            findings,
        },
        warnings: start.warnings,
    })
}

/// Table files missing, and table files the MANIFEST does not list, with what an
/// ordinary open does about them (the same plan it follows, see `plan_tables`). Each
/// unreferenced file is read (a copy, see `table_file_keys`) and its keys looked up in
/// the database's sorted `keys`: a crash's leftover fails the check unless the database
/// has every one of them.
fn table_findings(dir: &Path, plan: &TablePlan, keys: &[i64], findings: &mut Vec<Finding>) {
    if !plan.missing.is_empty() {
        let names: Vec<String> = plan.missing.iter().map(|n| format!("{n:06}.sst")).collect();
        findings.push(Finding::new(
            "missing_table",
            true,
            format!(
                "the MANIFEST references table files that are not in the directory: {}; \
                 an ordinary open refuses (restore them from a backup)",
                names.join(", ")
            ),
        ));
    }
    for t in &plan.unreferenced {
        let file = dir.join(&t.name);
        let whole = table_is_whole(&file);
        let rows = match whole {
            true => keys_elsewhere(&file, keys),
            false => Err("it has no footer: a write the crash cut short".to_string()),
        };
        let what = match &plan.action {
            TableAction::Open => return,
            TableAction::Refuse(why) => format!("an ordinary open refuses: {why}"),
            TableAction::DeleteLeftovers => {
                "an ordinary open deletes it as a crash's leftover (a flush's or compaction's \
                 output, unrecorded or cut short)"
                    .to_string()
            }
            TableAction::SetAside => format!(
                "with {UNLOGGED_MARKER} present, an ordinary open moves it into a new \
                 {SET_ASIDE_PREFIX}* directory (never deletes it), out of the database"
            ),
        };
        // An open that refuses needs a hand; an unfinished file holds nothing any reader
        // could use; a whole one is lost data unless the database has every key of it.
        let fails = match &plan.action {
            TableAction::Refuse(_) => true,
            _ => whole && !matches!(rows, Ok((_, 0))),
        };
        let held = match &rows {
            Ok((n, 0)) => format!("{n} keys, all in the database"),
            Ok((n, lost)) => format!("{n} keys, {lost} of them not in the database"),
            Err(e) => format!("unreadable: {e}"),
        };
        let detail = format!(
            "{} is in the directory but not in the MANIFEST ({held}); {what}",
            table_list(std::slice::from_ref(t))
        );
        let mut f = Finding::new("unreferenced_table", fails, detail).about(&t.name, Some(t.bytes));
        if let Ok((n, lost)) = rows {
            (f.rows, f.rows_not_in_database) = (Some(n), Some(lost));
        }
        findings.push(f);
    }
}

/// Whether table file `file` ends with the block-based table format's magic number. A
/// flush or compaction that a crash cut short leaves a file without its footer, which no
/// reader can open.
fn table_is_whole(file: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    const MAGIC: u64 = 0x88e2_41b7_85f4_cff7;
    let mut b = [0u8; 8];
    let read = fs::File::open(file)
        .and_then(|mut f| f.seek(SeekFrom::End(-8)).and_then(|_| f.read_exact(&mut b)));
    read.is_ok() && u64::from_le_bytes(b) == MAGIC
}

/// The keys of table file `file` (read from a copy in a scratch directory), and how many
/// of them are not in `keys` (sorted).
fn keys_elsewhere(file: &Path, keys: &[i64]) -> Result<(u64, u64), String> {
    let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
    let held = store::table_file_keys(file, scratch.path())?;
    let lost = held
        .iter()
        .filter(|k| keys.binary_search(k).is_err())
        .count();
    Ok((held.len() as u64, lost as u64))
}

/// A report of WAL recovery (`/dir/000012.log: dropping 20 bytes; Corruption: truncated
/// record body`) as a finding that says what an ordinary open, in `mode`, does.
fn wal_finding(line: &str, mode: WalRecoveryMode) -> Option<Finding> {
    let (file, rest) = line.split_once(": dropping ")?;
    let file = file.rsplit('/').next().unwrap_or(file).to_string();
    let bytes = rest.split(' ').next().and_then(|n| n.parse::<u64>().ok());
    let reason = rest.split_once("; ").map_or("damaged", |(_, r)| r);
    // A record cut short where the log ends: the write in flight when the writer stopped.
    let torn = reason.contains("truncated");
    let open = match (torn, mode) {
        (_, WalRecoveryMode::AbsoluteConsistency) => {
            "an ordinary open refuses (wal_recovery_mode is absolute_consistency)"
        }
        (true, _) => "an ordinary open drops them for good, and the writes in them",
        (false, WalRecoveryMode::TolerateCorruptedTail) => {
            "an ordinary open refuses; wal_recovery_mode point_in_time opens it, dropping \
             every write from the damage on"
        }
        (false, WalRecoveryMode::PointInTime) => {
            "an ordinary open drops every write from the damage on"
        }
        (false, WalRecoveryMode::SkipAny) => {
            "an ordinary open skips the damaged records, dropping their writes"
        }
    };
    let (kind, what) = match torn {
        true => ("wal_torn_tail", "ends in a torn record"),
        false => ("wal_damage", "has a damaged record"),
    };
    let size = bytes.map_or_else(String::new, |b| format!("{b} bytes, "));
    let detail = format!("write-ahead log {file} {what} ({size}{reason}); {open}");
    Some(Finding::new(kind, true, detail).about(&file, bytes))
}

/// The write-ahead logs in `dir`: (number, name).
fn wal_files(dir: &Path) -> Vec<(u64, String)> {
    let entries = fs::read_dir(dir).into_iter().flatten().flatten();
    entries
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_suffix(".log")?.parse().ok()?;
            Some((n, name))
        })
        .collect()
}

/// RocksDB always keeps the log it writes to (empty after a clean close), so a database
/// has a write-ahead log numbered at least `min`, the MANIFEST's oldest log that may
/// hold writes in no table file (0 until a flush or a recovery records one: then any
/// log). None means it was removed: the writes since the last flush (if any) are lost,
/// and an ordinary open starts a new log without a word. (RocksDB records no list of
/// logs unless `track_and_verify_wals_in_manifest`, which alexdb does not set.)
fn missing_wal(dir: &Path, min: Option<u64>) -> Option<Finding> {
    let min = min.unwrap_or(0).max(1);
    let wals = wal_files(dir);
    if wals.iter().any(|(n, _)| *n >= min) {
        return None;
    }
    let detail = format!(
        "the directory has no write-ahead log numbered {min:06} or later, the one RocksDB \
         was writing to is gone: the writes made since the last flush, if any, are lost, \
         and an ordinary open starts a new log without them (restore the log from a backup)"
    );
    Some(Finding::new("missing_wal", true, detail))
}

/// The unlogged-writes marker, and directories an earlier open moved table files into.
fn marker_findings(dir: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    if dir.join(UNLOGGED_MARKER).exists() {
        let detail = format!(
            "{UNLOGGED_MARKER} is present: a session wrote rows without the write-ahead log \
             and ended without flushing them, so rows it wrote since its last flush may be \
             gone with it; an ordinary open removes the marker and moves the table files the \
             MANIFEST does not list aside instead of deleting them"
        );
        // The rows are gone with the process that wrote them; an open drops nothing more.
        out.push(Finding::new("unlogged_writes", false, detail).about(UNLOGGED_MARKER, None));
    }
    let entries = fs::read_dir(dir).into_iter().flatten().flatten();
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with(SET_ASIDE_PREFIX) {
            continue;
        }
        let files = fs::read_dir(e.path()).into_iter().flatten().flatten();
        let (n, bytes) = files.fold((0u64, 0u64), |(n, b), f| {
            (n + 1, b + f.metadata().map_or(0, |m| m.len()))
        });
        let detail = format!(
            "{name}/ holds {n} table file(s) ({}) an earlier open moved aside; their rows are \
             not in the database",
            human_bytes(bytes)
        );
        out.push(Finding::new("set_aside", false, detail).about(&name, Some(bytes)));
    }
    out
}

/// The process holding RocksDB's lock on `dir`, if another one does. RocksDB locks
/// `LOCK` with fcntl; `F_GETLK` asks without locking and needs the file open for
/// reading only. The descriptor is never closed: closing any descriptor of a file drops
/// every fcntl lock this process holds on it, which would release RocksDB's own lock if
/// this process had the database open.
#[cfg(unix)]
fn lock_holder(dir: &Path) -> Option<i32> {
    use std::os::fd::AsRawFd;
    let f = std::mem::ManuallyDrop::new(fs::File::open(dir.join("LOCK")).ok()?);
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = libc::F_WRLCK as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    // SAFETY: the descriptor is open, and `fl` is a valid, writable flock for the call.
    let r = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut fl) };
    (r == 0 && fl.l_type != libc::F_UNLCK as libc::c_short).then_some(fl.l_pid)
}

#[cfg(not(unix))]
fn lock_holder(_: &Path) -> Option<i32> {
    None
}
