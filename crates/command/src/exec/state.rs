//! The executor's state: the open [`Db`], the session, the jobs, the history sampler.
//! Each command's module (`crate::cmd`) executes it on an [`Executor`]; `crate::run`
//! parses and routes statements to them.
use std::path::Path;
use std::sync::Arc;

use crate::ast::OutputMode;
use crate::outcome::{BlockKindStats, CommandStats, ExecError, Outcome};
use crate::settings::{Session, Settings};
use engine::metrics::MetricsWindow;
use engine::{DamagedRange, Db, DbError, DbOptions};

/// The largest file `.read` takes: it is read whole, so `/dev/zero` or a huge file must
/// not exhaust memory first. Bigger scripts stream through `--script` or a pipe.
pub const MAX_READ_BYTES: u64 = 256 << 20;
/// The longest line a script may have: a 16 MiB value written as hex, with room to spare.
pub const MAX_LINE_BYTES: usize = 4 * engine::MAX_VALUE_BYTES + (64 << 10);

/// Owns the open database and the session; runs statements.
pub struct Executor {
    pub(crate) db: Arc<Db>,
    pub(crate) opts: DbOptions,
    pub(crate) session: Session,
    pub(crate) window: MetricsWindow,
    /// Stop a run at the first failing statement.
    pub bail: bool,
    pub(crate) jobs: crate::jobs::Jobs,
    /// How a front end waits for a foreground job (the line shell shows a progress
    /// bar); `None`: jobs always run in the background (the dashboard).
    pub(crate) waiter: Option<Waiter>,
    pub(crate) depth: usize,
    /// `Some` when databases open with their saved options and these `(name, value)`
    /// over them (the shell's `--set`); `None`: with exactly `opts`.
    pub(crate) sets: Option<Vec<(String, String)>>,
    /// `.advise`'s last proposals and the undo stack of applied ones.
    pub(crate) advice: crate::advise::Advice,
    /// One windowed sample a second into the history `.baseline` and `.compare` read.
    pub(crate) sampler: crate::sampler::Sampler,
    /// The saved baselines as flat reference lines for the dashboard, with the
    /// modification time of the file they were read from.
    pub(crate) references: parking_lot::Mutex<crate::baseline::References>,
    /// What the open removed of a workload stopped by a kill (its own key range).
    pub(crate) leftover: Option<String>,
}

/// Waits for a job and returns its final status.
pub type Waiter = Box<dyn FnMut(&crate::jobs::Jobs, crate::jobs::JobId) -> crate::jobs::JobStatus>;

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("db", &self.db)
            .field("settings", &self.session.settings)
            .finish_non_exhaustive()
    }
}

impl Executor {
    /// Opens the database at `path` with `opts`.
    pub fn open(path: &Path, opts: DbOptions) -> Result<Self, DbError> {
        let db = Db::open_with(path, opts.clone())?;
        Ok(Self::with_db(Arc::new(db), opts))
    }

    /// Opens the database at `path` with the options saved in it and `sets` over them
    /// (see [`Db::open_saved`]); `.open` opens other databases the same way.
    pub fn open_saved(path: &Path, sets: Vec<(String, String)>) -> Result<Self, DbError> {
        let db = Db::open_saved(path, &sets)?;
        let mut exec = Self::with_db(Arc::new(db), DbOptions::default());
        exec.sets = Some(sets);
        Ok(exec)
    }

    /// The lines a front end shows once the database is open: the options that differ
    /// from the defaults (and any problem with the saved ones), what WAL recovery
    /// dropped, and damage the open stepped over (see [`damage_summary`]). Empty for a
    /// healthy database at its defaults.
    pub fn open_notices(&self) -> Vec<String> {
        let mut lines = crate::render::start_lines(self.db.start_report());
        lines.extend(self.leftover.clone());
        lines.extend(self.db.wal_note());
        lines.extend(
            damage_summary(self.db.damaged_ranges()).map(|d| format!("opened with damage: {d}")),
        );
        lines
    }

    /// Runs commands against an already open database.
    pub fn with_db(db: Arc<Db>, opts: DbOptions) -> Self {
        let sampler = crate::sampler::Sampler::start(Arc::clone(&db));
        let mut exec = Executor {
            db,
            opts,
            session: Session::default(),
            window: MetricsWindow::new(),
            bail: false,
            jobs: crate::jobs::Jobs::new(),
            waiter: None,
            depth: 0,
            sets: None,
            advice: crate::advise::Advice::default(),
            sampler,
            references: Default::default(),
            leftover: None,
        };
        exec.leftover = bench::own_keys::remove_leftover(&exec.db);
        exec.reload_references();
        // `warm_value_cache background`: a database with rows warms its value cache.
        crate::long::start_warm(&exec.jobs, &exec.db);
        exec
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Makes foreground jobs wait through `w` (the line shell).
    pub fn set_waiter(&mut self, w: Waiter) {
        self.waiter = Some(w);
    }

    /// The session's background jobs (`.load`, `.bench`, `.ycsb`).
    pub fn jobs(&self) -> &crate::jobs::Jobs {
        &self.jobs
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    pub fn settings(&self) -> &Settings {
        &self.session.settings
    }

    pub(crate) fn command_stats(&mut self) -> CommandStats {
        let s = self.db.metrics_window(&mut self.window);
        let t = &s.rocksdb.tickers.block_cache;
        let on = s.rocksdb.statistics_enabled;
        CommandStats {
            cache_hits: s.cache.hits,
            cache_misses: s.cache.misses,
            timed_gets: s.get_split.sampled_gets,
            cache_ns: s.get_split.cache_ns,
            alex_ns: s.get_split.alex_ns,
            rocksdb_ns: s.get_split.rocksdb_ns,
            other_ns: s.get_split.rest_ns,
            block_reads: on.then_some(t.data_miss + t.index_miss + t.filter_miss),
            block_cache_hits: on.then_some(t.data_hit + t.index_hit + t.filter_hit),
            block_kinds: on.then(|| block_kinds(&s.rocksdb)),
            rows_read: s.rows.read,
            rows_written: s.rows.written,
        }
    }
}

/// The block cache's data, index and filter blocks: hits and misses (the window's
/// tickers) and bytes held (`filter` counts the partitioned filters' `filter meta` too).
fn block_kinds(r: &engine::metrics::RocksStats) -> [BlockKindStats; 3] {
    let t = &r.tickers.block_cache;
    let held = |kind: &str| {
        (!r.block_cache_by_kind.is_empty()).then(|| {
            r.block_cache_by_kind
                .iter()
                .filter(|k| k.kind == kind || (kind == "filter" && k.kind == "filter meta"))
                .map(|k| k.bytes)
                .sum()
        })
    };
    let kind = |kind: &'static str, hits: u64, misses: u64| BlockKindStats {
        kind,
        hits,
        misses,
        bytes: held(kind),
    };
    [
        kind("data", t.data_hit, t.data_miss),
        kind("index", t.index_hit, t.index_miss),
        kind("filter", t.filter_hit, t.filter_miss),
    ]
}

/// The error for input line `line` (of file `path`) that is not UTF-8; it is skipped.
pub fn not_utf8_text(path: Option<&str>, line: usize) -> String {
    match path {
        Some(p) => format!("{p} line {line} is not UTF-8 text; skipped"),
        None => format!("line {line} is not UTF-8 text; skipped"),
    }
}

pub(crate) fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

pub fn mode_name(m: OutputMode) -> &'static str {
    match m {
        OutputMode::Table => "table",
        OutputMode::Csv => "csv",
        OutputMode::Json => "json",
        OutputMode::Line => "line",
    }
}

/// The final result of a job the front end waited for.
pub fn job_result(st: crate::jobs::JobStatus) -> Result<Outcome, ExecError> {
    match st.state {
        crate::jobs::JobState::Failed(e) => Err(ExecError::Refused(e)),
        crate::jobs::JobState::Running => Err(ExecError::Refused(format!(
            "[{}] still running in the background (.jobs)",
            st.id
        ))),
        crate::jobs::JobState::Done { .. } => Ok(st
            .result
            .unwrap_or_else(|| Outcome::Message(format!("[{}] done", st.id)))),
    }
}

/// What the open could not read, for the line printed at open: `None` for a healthy
/// database. Lists the first few ranges; `.check` lists them all with RocksDB's message.
pub fn damage_summary(ranges: &[DamagedRange]) -> Option<String> {
    const LISTED: usize = 3;
    let n = ranges.len();
    if n == 0 {
        return None;
    }
    let mut list: Vec<String> = ranges
        .iter()
        .take(LISTED)
        .map(|d| format!("{}..={}", d.first, d.last))
        .collect();
    if n > LISTED {
        list.push(format!("and {} more", n - LISTED));
    }
    let why = if ranges
        .iter()
        .all(|d| d.reason.contains("checksum mismatch"))
    {
        "a data block failed its checksum"
    } else {
        "RocksDB reported corruption"
    };
    Some(format!(
        "{n} range{} of keys unreadable: {} ({why}); those keys are left out; run .check",
        if n == 1 { "" } else { "s" },
        list.join(", ")
    ))
}
