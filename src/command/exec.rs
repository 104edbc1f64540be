//! The executor: [`Command`] -> [`Outcome`] over an open [`Db`]. Every front end (line
//! shell, `-c`, scripts, the dashboard) runs commands through [`Executor::run_text`], so
//! they all behave the same. Outcomes are typed data; `render` turns them into text.
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use thiserror::Error;

use super::parse::{
    Command, KeyFilter, OutputMode, OutputTarget, ParseError, SelectWhat, parse_command,
    split_statements, usage,
};
use crate::engine::options::canonical_name;
use crate::engine::{Applies, Db, DbError, DbOptions, OptionChange, Value};
use crate::metrics::MetricsWindow;

/// `.read` may nest this deep (a file that reads itself stops here).
const MAX_READ_DEPTH: usize = 16;

/// Why a command failed. Display is one line.
#[derive(Debug, Error)]
pub enum ExecError {
    #[error("{0}")]
    Parse(#[from] ParseError),
    #[error("{0}{hint}", hint = db_hint(.0))]
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
    fn file(action: &'static str, path: &str, e: std::io::Error) -> Self {
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

/// The shell's words after an engine error: which command helps next.
fn db_hint(e: &DbError) -> &'static str {
    match e {
        DbError::UnknownOption { .. } => " (.show options lists them)",
        DbError::Closed { .. } => "; open it again with .open",
        _ => "",
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

impl Table {
    fn new(columns: &[&str]) -> Self {
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
        id: super::jobs::JobId,
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
    pub rows_read: u64,
    pub rows_written: u64,
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

/// Session settings changed by dot-commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub timer: bool,
    pub stats: bool,
    pub mode: OutputMode,
    pub output: OutputTarget,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timer: false,
            stats: false,
            mode: OutputMode::Table,
            output: OutputTarget::Stdout,
        }
    }
}

/// What front ends write results to: the settings, plus the file `.output FILE` opened.
#[derive(Debug, Default)]
pub struct Session {
    pub settings: Settings,
    /// `Some` after `.output FILE`: results go there instead of the front end's screen.
    pub output_file: Option<File>,
}

/// How a run of statements ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub ran: usize,
    pub failed: usize,
    /// `.quit` was run (or `bail` stopped the run).
    pub stopped: bool,
    pub quit: bool,
}

/// Owns the open database and the session; runs statements.
pub struct Executor {
    db: Arc<Db>,
    opts: DbOptions,
    session: Session,
    window: MetricsWindow,
    /// The sample rate to restore after `.stats off` (stats time every operation).
    saved_sample_rate: Option<u32>,
    /// Stop a run at the first failing statement.
    pub bail: bool,
    jobs: super::jobs::Jobs,
    /// How a front end waits for a foreground job (the line shell shows a progress
    /// bar); `None`: jobs always run in the background (the dashboard).
    waiter: Option<Waiter>,
    depth: usize,
}

/// Waits for a job and returns its final status.
pub type Waiter = Box<dyn FnMut(&super::jobs::Jobs, super::jobs::JobId) -> super::jobs::JobStatus>;

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

    /// Runs commands against an already open database.
    pub fn with_db(db: Arc<Db>, opts: DbOptions) -> Self {
        Executor {
            db,
            opts,
            session: Session::default(),
            window: MetricsWindow::new(),
            saved_sample_rate: None,
            bail: false,
            jobs: super::jobs::Jobs::new(),
            waiter: None,
            depth: 0,
        }
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Makes foreground jobs wait through `w` (the line shell).
    pub fn set_waiter(&mut self, w: Waiter) {
        self.waiter = Some(w);
    }

    /// The session's background jobs (`.load`, `.bench`, `.ycsb`).
    pub fn jobs(&self) -> &super::jobs::Jobs {
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

    /// Splits `text` into statements and runs each; `emit` gets every report as soon as
    /// its statement finished (before the next one runs). An unfinished trailing SQL
    /// statement (no `;`) is run as it is, so it fails with a clear error.
    pub fn run_text(
        &mut self,
        text: &str,
        emit: &mut dyn FnMut(&mut Session, Report),
    ) -> RunSummary {
        let (mut statements, rest) = split_statements(text);
        if let Some(rest) = rest {
            statements.push(rest);
        }
        let mut summary = RunSummary::default();
        for stmt in statements {
            let s = self.run_one(&stmt, emit);
            summary.ran += s.ran;
            summary.failed += s.failed;
            if s.quit {
                summary.quit = true;
            }
            if s.stopped || (self.bail && s.failed > 0) {
                summary.stopped = true;
                break;
            }
        }
        summary
    }

    fn run_one(&mut self, stmt: &str, emit: &mut dyn FnMut(&mut Session, Report)) -> RunSummary {
        let cmd = match parse_command(stmt) {
            Ok(c) => c,
            Err(ParseError::Empty) => return RunSummary::default(),
            Err(e) => {
                emit(
                    &mut self.session,
                    Report {
                        input: stmt.to_string(),
                        result: Err(e.into()),
                        elapsed: Duration::ZERO,
                        stats: None,
                    },
                );
                return RunSummary {
                    ran: 1,
                    failed: 1,
                    ..Default::default()
                };
            }
        };
        if let Command::Read(path) = &cmd {
            return self.read_file(stmt, path, emit);
        }
        let report = self.run_command(stmt, &cmd);
        let failed = report.result.is_err();
        let quit = matches!(report.result, Ok(Outcome::Quit));
        emit(&mut self.session, report);
        RunSummary {
            ran: 1,
            failed: failed as usize,
            stopped: quit,
            quit,
        }
    }

    fn read_file(
        &mut self,
        stmt: &str,
        path: &str,
        emit: &mut dyn FnMut(&mut Session, Report),
    ) -> RunSummary {
        let fail = |e: ExecError| Report {
            input: stmt.to_string(),
            result: Err(e),
            elapsed: Duration::ZERO,
            stats: None,
        };
        let failed = RunSummary {
            ran: 1,
            failed: 1,
            ..Default::default()
        };
        if self.depth >= MAX_READ_DEPTH {
            let e = ExecError::Refused(format!(
                ".read {path}: files nest deeper than {MAX_READ_DEPTH} levels (does it read itself?)"
            ));
            emit(&mut self.session, fail(e));
            return failed;
        }
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    let e = ExecError::File {
                        action: "read",
                        path: path.to_string(),
                        reason: "it is not UTF-8 text".into(),
                    };
                    emit(&mut self.session, fail(e));
                    return failed;
                }
            },
            Err(e) => {
                emit(&mut self.session, fail(ExecError::file("read", path, e)));
                return failed;
            }
        };
        self.depth += 1;
        let mut s = self.run_text(&text, emit);
        self.depth -= 1;
        // `.quit` inside a read file ends that file, like sqlite3; not the session.
        s.stopped = s.stopped && self.bail && s.failed > 0;
        s.quit = false;
        s
    }

    /// Whether `.set name value` may reopen RocksDB: the engine's plan decides. A bad
    /// name or value is refused here, at once, rather than from a job.
    fn reopens(&self, name: &str, value: &str) -> Result<bool, ExecError> {
        Ok(self.db.plan_option(name, value)?.may_reopen)
    }

    /// Runs one parsed command, timing it and (with `.stats on`) measuring it.
    pub fn run_command(&mut self, input: &str, cmd: &Command) -> Report {
        let touches_db = touches_db(cmd);
        let measure = self.session.settings.stats && touches_db;
        if measure {
            self.db.metrics_window(&mut self.window);
        }
        let t0 = Instant::now();
        let mut result = self.execute(cmd);
        if let Ok(Outcome::JobStarted {
            id,
            background: false,
            ..
        }) = result
            && let Some(w) = self.waiter.as_mut()
        {
            let st = w(&self.jobs, id);
            self.jobs.mark_reported(id);
            result = job_result(st);
        }
        let elapsed = t0.elapsed();
        let stats = measure.then(|| self.command_stats());
        Report {
            input: input.to_string(),
            result,
            elapsed,
            stats,
        }
    }

    fn command_stats(&mut self) -> CommandStats {
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
            rows_read: s.rows.read,
            rows_written: s.rows.written,
        }
    }

    /// Executes one command. `.read` is handled by [`Executor::run_text`]; here it fails.
    pub fn execute(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        let db = &self.db;
        Ok(match cmd {
            Command::Get(k) => {
                let mut t = Table::new(&["key", "value"]);
                t.rows.push(vec![Cell::Int(*k), opt_cell(db.get(*k)?)]);
                Outcome::Rows(t)
            }
            Command::MGet(keys) => {
                let mut t = Table::new(&["key", "value"]);
                for k in keys {
                    t.rows.push(vec![Cell::Int(*k), opt_cell(db.get(*k)?)]);
                }
                Outcome::Rows(t)
            }
            Command::Put { key, value } => {
                let new = db.put(*key, value)?;
                Outcome::Changed {
                    verb: "put",
                    rows: 1,
                    new: new as u64,
                }
            }
            Command::Del(k) => Outcome::Changed {
                verb: "deleted",
                rows: db.delete(*k)? as u64,
                new: 0,
            },
            Command::Scan { start, end, limit } => {
                let rows = db.scan(*start, *end, limit_of(*limit))?;
                Outcome::Rows(kv_table(rows))
            }
            Command::Count(range) => {
                let n = match range {
                    None => db.count(),
                    Some((a, b)) => db.count_range(*a, *b),
                };
                Outcome::Rows(single("count", Cell::Int(n as i64)))
            }
            Command::Exists(k) => {
                let mut t = Table::new(&["key", "exists"]);
                t.rows
                    .push(vec![Cell::Int(*k), Cell::Int(db.contains(*k) as i64)]);
                Outcome::Rows(t)
            }
            Command::Select {
                what,
                filter,
                limit,
            } => self.select(*what, *filter, *limit)?,
            Command::Insert { replace, rows } => self.insert(*replace, rows)?,
            Command::Delete { filter } => {
                let (a, b) = bounds(*filter).unwrap_or((1, 0));
                let mut n = 0;
                for k in db.keys(a, b, usize::MAX) {
                    n += db.delete(k)? as u64;
                }
                Outcome::Changed {
                    verb: "deleted",
                    rows: n,
                    new: 0,
                }
            }
            Command::Help(topic) => Outcome::Message(help_text(topic.as_deref())?),
            Command::Timer(on) => {
                self.session.settings.timer = *on;
                Outcome::Setting(format!("timer {}", on_off(*on)))
            }
            Command::Stats(on) => {
                self.set_stats(*on)?;
                Outcome::Setting(format!("stats {}", on_off(*on)))
            }
            Command::Mode(m) => {
                self.session.settings.mode = *m;
                Outcome::Setting(format!("mode {}", mode_name(*m)))
            }
            Command::Output(target) => self.set_output(target)?,
            Command::Read(path) => {
                return Err(ExecError::Refused(format!(
                    ".read {path}: run it through run_text"
                )));
            }
            Command::Open(path) => self.open_path(path)?,
            Command::Show => Outcome::Rows(self.show()),
            Command::ShowOptions => Outcome::Rows(options_table(&self.db.options())),
            Command::Set { name, value } if self.reopens(name, value)? => {
                // A reopen (and, universal -> level, the compaction before it) can take a
                // while: a job, so the dashboard keeps drawing; the shell waits for it.
                let label = format!(".set {name} {value}");
                let (db, name, value) = (self.db.clone(), name.clone(), value.clone());
                let id = self.jobs.spawn("reopen", &label, "", move |h| {
                    h.set_phase("reopening RocksDB", None);
                    Ok(Outcome::Message(change_text(
                        &db.set_option(&name, &value)?,
                    )))
                });
                Outcome::JobStarted {
                    id,
                    label,
                    background: false,
                }
            }
            Command::Set { name, value } => {
                let c = self.db.set_option(name, value)?;
                if c.name == "metrics_sample_rate" && self.saved_sample_rate.is_some() {
                    // `.stats on` keeps timing everything; restore the new rate on off.
                    self.saved_sample_rate = Some(self.db.options().metrics_sample_rate);
                    self.db.set_metrics_sample_rate(1)?;
                }
                Outcome::Message(change_text(&c))
            }
            Command::Reset(name) => self.reset(name.as_deref())?,
            Command::Reopen => {
                let secs = self.db.reopen()?;
                Outcome::Message(format!(
                    "reopened in {secs:.3} s ({} keys; ALEX kept in memory)",
                    self.db.len()
                ))
            }
            Command::Flush => {
                let secs = self.db.flush_now()?;
                Outcome::Message(format!("flushed in {secs:.3} s"))
            }
            Command::Compact(range) => {
                // A job, so the dashboard keeps drawing through a long compaction; the
                // line shell and scripts wait for it as for any foreground job.
                let label = match range {
                    Some((a, b)) => format!(".compact {a} {b}"),
                    None => ".compact".to_string(),
                };
                let id = super::long::start_compact(&self.jobs, &self.db, *range, &label);
                Outcome::JobStarted {
                    id,
                    label,
                    background: false,
                }
            }
            Command::Profile { save, path } => {
                if *save {
                    self.save_profile(path)?
                } else {
                    self.load_profile(path)?
                }
            }
            Command::Load { args, background } => {
                let label = input_label(".load", cmd);
                let id = super::long::start_load(&self.jobs, &self.db, args, &label)?;
                Outcome::JobStarted {
                    id,
                    label,
                    background: *background,
                }
            }
            Command::Bench { args, background } => {
                let label = input_label(".bench", cmd);
                let id = super::long::start_bench(&self.jobs, &self.db, args, &label)?;
                Outcome::JobStarted {
                    id,
                    label,
                    background: *background,
                }
            }
            Command::Ycsb { args, background } => {
                let label = input_label(".ycsb", cmd);
                let id = super::long::start_ycsb(&self.jobs, &self.db, args, &label)?;
                Outcome::JobStarted {
                    id,
                    label,
                    background: *background,
                }
            }
            Command::Jobs => Outcome::Rows(jobs_table(&self.jobs.list())),
            Command::Cancel(id) => match self.jobs.cancel(*id) {
                Some(n) => {
                    Outcome::Message(format!("[{n}] cancelling (what it did so far is kept)"))
                }
                None => {
                    return Err(ExecError::Refused(match id {
                        Some(n) => format!("job {n} is not running (.jobs lists them)"),
                        None => "no job is running".to_string(),
                    }));
                }
            },
            Command::OptionsExport(path) => {
                let src = self.db.export_rocksdb_options(Path::new(path))?;
                Outcome::Message(format!("wrote {path} (RocksDB's {})", src.display()))
            }
            Command::Quit => Outcome::Quit,
        })
    }

    fn select(
        &self,
        what: SelectWhat,
        filter: KeyFilter,
        limit: Option<u64>,
    ) -> Result<Outcome, ExecError> {
        let db = &self.db;
        let limit = limit_of(limit);
        let Some((a, b)) = bounds(filter) else {
            let t = match what {
                SelectWhat::Count => single("COUNT(*)", Cell::Int(0)),
                SelectWhat::All => Table::new(&["key", "value"]),
                SelectWhat::Key => Table::new(&["key"]),
                SelectWhat::Value => Table::new(&["value"]),
            };
            return Ok(Outcome::Rows(t));
        };
        let t = match what {
            SelectWhat::Count => {
                let n = if matches!(filter, KeyFilter::All) {
                    db.count()
                } else {
                    db.count_range(a, b)
                };
                let mut t = single("COUNT(*)", Cell::Int(n as i64));
                t.rows.truncate(limit);
                t
            }
            SelectWhat::Key => {
                let mut t = Table::new(&["key"]);
                t.rows = db
                    .keys(a, b, limit)
                    .into_iter()
                    .map(|k| vec![Cell::Int(k)])
                    .collect();
                t
            }
            SelectWhat::All => kv_table(db.scan(a, b, limit)?),
            SelectWhat::Value => {
                let mut t = Table::new(&["value"]);
                t.rows = db
                    .scan(a, b, limit)?
                    .into_iter()
                    .map(|(_, v)| vec![Cell::Bytes(v)])
                    .collect();
                t
            }
        };
        Ok(Outcome::Rows(t))
    }

    fn insert(&self, replace: bool, rows: &[(i64, Vec<u8>)]) -> Result<Outcome, ExecError> {
        let db = &self.db;
        for (_, v) in rows {
            DbError::check_value(v)?;
        }
        if !replace {
            // Check every row first, so a conflict changes nothing (SQL's rule).
            let mut seen = std::collections::HashSet::with_capacity(rows.len());
            for (k, _) in rows {
                if db.contains(*k) || !seen.insert(*k) {
                    return Err(ExecError::Refused(format!(
                        "key {k} already exists (UNIQUE constraint on kv.key); nothing inserted; use INSERT OR REPLACE to overwrite"
                    )));
                }
            }
        }
        let mut new = 0;
        for (k, v) in rows {
            new += db.put(*k, v)? as u64;
        }
        Ok(Outcome::Changed {
            verb: "inserted",
            rows: rows.len() as u64,
            new,
        })
    }

    fn set_stats(&mut self, on: bool) -> Result<(), ExecError> {
        if on && self.saved_sample_rate.is_none() {
            // Per-command figures need every operation timed, not 1 in N.
            let rate = self.db.metrics().sample_rate();
            self.db.set_metrics_sample_rate(1)?;
            self.db.set_metrics_enabled(true);
            self.saved_sample_rate = Some(rate);
        } else if !on && let Some(rate) = self.saved_sample_rate.take() {
            self.db.set_metrics_sample_rate(rate)?;
            self.db.set_metrics_enabled(self.opts.metrics);
        }
        self.session.settings.stats = on;
        Ok(())
    }

    fn set_output(&mut self, target: &OutputTarget) -> Result<Outcome, ExecError> {
        match target {
            OutputTarget::Stdout => {
                self.session.output_file = None;
                self.session.settings.output = OutputTarget::Stdout;
                Ok(Outcome::Setting("output to stdout".into()))
            }
            OutputTarget::File(path) => {
                let f = File::create(path).map_err(|e| ExecError::file("write", path, e))?;
                self.session.output_file = Some(f);
                self.session.settings.output = target.clone();
                Ok(Outcome::Setting(format!("output to {path}")))
            }
        }
    }

    /// `.open PATH`: opens the new database first, so a failure keeps the current one.
    fn open_path(&mut self, path: &str) -> Result<Outcome, ExecError> {
        if self.jobs.running() > 0 {
            return Err(ExecError::Refused(
                "a job is running on this database (.jobs); wait for it or .cancel it first".into(),
            ));
        }
        let new_path = PathBuf::from(path);
        let same = match (new_path.canonicalize(), self.db.path().canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Ok(Outcome::Message(format!(
                "{} is already open ({} keys)",
                self.db.path().display(),
                self.db.len()
            )));
        }
        let db = Db::open_with(&new_path, self.opts.clone()).map_err(DbError::from)?;
        let keys = db.len();
        let secs = db.open_stats().total_secs;
        let old = std::mem::replace(&mut self.db, Arc::new(db));
        if let Ok(old) = Arc::try_unwrap(old) {
            // Best effort: the data is safe in the WAL even if the flush fails.
            let _ = old.close();
        }
        self.window = MetricsWindow::new();
        if let Some(rate) = self.saved_sample_rate.take() {
            self.opts.metrics_sample_rate = rate;
            self.set_stats(true)?;
        }
        Ok(Outcome::Message(format!(
            "opened {} ({keys} keys, {secs:.2} s)",
            new_path.display()
        )))
    }

    /// `.reset NAME` (to its default) or `.reset all`.
    fn reset(&self, name: Option<&str>) -> Result<Outcome, ExecError> {
        let defaults = DbOptions::default();
        match name {
            Some(n) => {
                let canonical = canonical_name(n).unwrap_or(n);
                let value = defaults.get(canonical).unwrap_or_default();
                let c = self.db.set_option(n, &value)?;
                Ok(Outcome::Message(change_text(&c)))
            }
            None => {
                let mut target = defaults;
                // Fixed while open: keep what the database was opened with.
                target.value_cache_shards = self.db.options().value_cache_shards;
                let changes = self.db.apply_options(target)?;
                Ok(Outcome::Message(changes_text(
                    &changes,
                    "all options are at their defaults",
                )))
            }
        }
    }

    /// `.profile save FILE`: every option as TOML.
    fn save_profile(&self, path: &str) -> Result<Outcome, ExecError> {
        let o = self.db.options();
        let mut table = toml::Table::new();
        for name in DbOptions::NAMES {
            table.insert(
                name.to_string(),
                toml::Value::String(o.get(name).unwrap_or_default()),
            );
        }
        let mut doc = toml::Table::new();
        doc.insert("options".into(), toml::Value::Table(table));
        let text = format!(
            "# alexdb options profile: `.profile load {path}` applies it\n{}",
            toml::to_string(&doc)
                .map_err(|e| ExecError::Refused(format!("encoding the profile: {e}")))?
        );
        std::fs::write(path, text).map_err(|e| ExecError::file("write", path, e))?;
        Ok(Outcome::Message(format!(
            "saved {} options to {path}",
            DbOptions::NAMES.len()
        )))
    }

    /// `.profile load FILE`: validates every entry first; a bad file changes nothing.
    fn load_profile(&self, path: &str) -> Result<Outcome, ExecError> {
        let text = std::fs::read_to_string(path).map_err(|e| ExecError::file("read", path, e))?;
        let bad =
            |why: String| ExecError::Refused(format!("profile {path}: {why}; nothing changed"));
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
        let table = match doc.get("options") {
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err(bad("[options] is not a table".into())),
            None => &doc,
        };
        let mut target = self.db.options();
        for (k, v) in table {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => on_off(*b).to_string(),
                other => return Err(bad(format!("{k} has a {} value", other.type_str()))),
            };
            target
                .set_unvalidated(k, &value)
                .map_err(|e| bad(e.to_string()))?;
        }
        target.validate().map_err(|e| bad(e.to_string()))?;
        let changes = self.db.apply_options(target)?;
        Ok(Outcome::Message(changes_text(
            &changes,
            &format!("{path}: every option already had its value"),
        )))
    }

    fn show(&self) -> Table {
        let db = &self.db;
        let s = &self.session.settings;
        let o = db.options();
        let mut t = Table::new(&["name", "value"]);
        let mut row = |n: &str, v: String| t.rows.push(vec![Cell::Text(n.into()), Cell::Text(v)]);
        row("database", db.path().display().to_string());
        row("rows", db.len().to_string());
        row(
            "key range",
            match (db.min_key(), db.max_key()) {
                (Some(a), Some(b)) => format!("{a} .. {b}"),
                _ => "(empty)".into(),
            },
        );
        row("alex bytes", db.index_stats().bytes_used.to_string());
        row("mode", mode_name(s.mode).into());
        row("timer", on_off(s.timer).into());
        row("stats", on_off(s.stats).into());
        row(
            "output",
            match &s.output {
                OutputTarget::Stdout => "stdout".into(),
                OutputTarget::File(p) => p.clone(),
            },
        );
        for info in o.describe() {
            row(info.name, info.value);
        }
        t
    }
}

/// Whether a command reads or writes the database (and so has `.stats` figures).
fn touches_db(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Get(_)
            | Command::Put { .. }
            | Command::Del(_)
            | Command::Scan { .. }
            | Command::Count(_)
            | Command::Exists(_)
            | Command::MGet(_)
            | Command::Select { .. }
            | Command::Insert { .. }
            | Command::Delete { .. }
            | Command::Compact(_)
            | Command::Flush
            | Command::Load { .. }
    )
}

/// Inclusive key bounds of a filter; `None` when it matches nothing.
fn bounds(f: KeyFilter) -> Option<(i64, i64)> {
    match f {
        KeyFilter::All => Some((i64::MIN, i64::MAX)),
        KeyFilter::Eq(k) => Some((k, k)),
        KeyFilter::Between(a, b) => (a <= b).then_some((a, b)),
        KeyFilter::HalfOpen(a, b) => (a < b).then(|| (a, b - 1)),
    }
}

fn limit_of(limit: Option<u64>) -> usize {
    limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn opt_cell(v: Option<Value>) -> Cell {
    v.map_or(Cell::Null, Cell::Bytes)
}

fn kv_table(rows: Vec<(i64, Value)>) -> Table {
    let mut t = Table::new(&["key", "value"]);
    t.rows = rows
        .into_iter()
        .map(|(k, v)| vec![Cell::Int(k), Cell::Bytes(v)])
        .collect();
    t
}

fn single(column: &str, cell: Cell) -> Table {
    let mut t = Table::new(&[column]);
    t.rows.push(vec![cell]);
    t
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

/// `(usage, what it does)` for every command, in `.help` order.
const HELP: &[(&str, &str)] = &[
    ("get", "value of key K (NULL if absent)"),
    (
        "put",
        "store VALUE under K (bare word, 'quoted', or x'hex')",
    ),
    ("del", "delete key K"),
    ("scan", "rows with A <= key <= B in key order"),
    ("count", "number of keys (in A..=B if given)"),
    ("exists", "1 if key K exists, else 0"),
    ("mget", "values of several keys"),
    (
        "select",
        "SQL query on table kv(key INTEGER PRIMARY KEY, value BLOB)",
    ),
    (
        "insert",
        "SQL insert; fails on an existing key unless OR REPLACE",
    ),
    ("delete", "SQL delete by key or key range"),
    (".help", "this list, or the usage of one command"),
    (".timer", "print the elapsed time after each command"),
    (
        ".stats",
        "print cache hits, ALEX/RocksDB time and block reads per command",
    ),
    (".mode", "output format of results"),
    (".output", "send results to FILE (or back to stdout)"),
    (".read", "run the commands in FILE"),
    (".open", "close this database and open PATH"),
    (
        ".show",
        "database path, rows and settings; `.show options` lists every option",
    ),
    (".set", "change an option while the database is live"),
    (".reset", "put an option (or all) back to its default"),
    (".reopen", "close and reopen RocksDB (ALEX stays in memory)"),
    (".flush", "flush the memtables to SST files"),
    (
        ".compact",
        "compact everything (or keys A..=B) to the bottom level",
    ),
    (".profile", "save every option to a TOML file, or load one"),
    (
        ".options",
        "write RocksDB's own OPTIONS file for the current settings",
    ),
    (".quit", "leave (also .exit, Ctrl-D)"),
];

fn help_text(topic: Option<&str>) -> Result<String, ExecError> {
    match topic {
        None => {
            let lines: Vec<String> = HELP
                .iter()
                .map(|(name, what)| format!("{:<48} {what}", usage(name).unwrap_or(name)))
                .collect();
            Ok(lines.join("\n"))
        }
        Some(t) => {
            let key = t.trim_start_matches('.');
            let found = HELP.iter().find(|(n, _)| {
                n.trim_start_matches('.') == key || (*n == ".quit" && key == "exit")
            });
            match found {
                Some((name, what)) => Ok(format!("{}\n  {what}", usage(name).unwrap_or(name))),
                None => Err(ExecError::Refused(format!(
                    "no help for \"{t}\"; .help lists every command"
                ))),
            }
        }
    }
}

/// One line about an option change.
pub fn change_text(c: &OptionChange) -> String {
    if c.note.as_deref() == Some("unchanged") {
        return format!("{} is already {}", c.name, c.new);
    }
    let how = match c.applied {
        Applies::Live => "applied live".to_string(),
        Applies::NewFiles => "applies to new files; .compact rewrites the old ones".to_string(),
        Applies::Reopen => format!("reopened in {:.3} s, ALEX kept in memory", c.secs),
        Applies::AtOpen => "applies at the next open".to_string(),
    };
    let note = c
        .note
        .as_ref()
        .map(|n| format!("; {n}"))
        .unwrap_or_default();
    format!("{}: {} -> {} ({how}{note})", c.name, c.old, c.new)
}

fn changes_text(changes: &[OptionChange], none: &str) -> String {
    if changes.is_empty() {
        return none.to_string();
    }
    changes
        .iter()
        .map(change_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `.show options`: name, value, default, kind, and `*` where changed from the default.
pub fn options_table(o: &DbOptions) -> Table {
    let mut t = Table::new(&["name", "value", "default", "kind", "changed"]);
    for info in o.describe() {
        t.rows.push(vec![
            Cell::Text(info.name.to_string()),
            Cell::Text(info.value),
            Cell::Text(info.default),
            Cell::Text(info.applies.as_str().to_string()),
            Cell::Text(if info.changed { "*" } else { "" }.to_string()),
        ]);
    }
    t
}

/// The final result of a job the front end waited for.
pub fn job_result(st: super::jobs::JobStatus) -> Result<Outcome, ExecError> {
    match st.state {
        super::jobs::JobState::Failed(e) => Err(ExecError::Refused(e)),
        super::jobs::JobState::Running => Err(ExecError::Refused(format!(
            "[{}] still running in the background (.jobs)",
            st.id
        ))),
        super::jobs::JobState::Done { .. } => Ok(st
            .result
            .unwrap_or_else(|| Outcome::Message(format!("[{}] done", st.id)))),
    }
}

/// A job's label: the command as typed would be best, but the parsed command is what we
/// have here, so name the kind and let the job add its phase.
fn input_label(kind: &str, cmd: &Command) -> String {
    match cmd {
        Command::Load { args, .. } => format!("{kind} {}", args.spec().0.label()),
        Command::Ycsb { args, .. } => format!(
            "{kind} {}{}",
            args.workload
                .or(args.workload_pos)
                .map_or("?", |w| w.as_str()),
            args.duration
                .map(|d| format!(" for {:.0} s", d.as_secs_f64()))
                .unwrap_or_default()
        ),
        Command::Bench { args, .. } => format!(
            "{kind} {}",
            match args {
                super::bench_args::ShellBenchArgs::Profile { .. } => "profile",
                super::bench_args::ShellBenchArgs::VsSqlite(_) => "vs-sqlite",
                super::bench_args::ShellBenchArgs::Ycsb(_) => "ycsb",
                super::bench_args::ShellBenchArgs::Index(_) => "index",
            }
        ),
        _ => kind.to_string(),
    }
}

/// `.jobs`: one row per job.
pub fn jobs_table(jobs: &[super::jobs::JobStatus]) -> Table {
    let mut t = Table::new(&["job", "state", "progress", "elapsed", "command"]);
    for j in jobs {
        let state = match &j.state {
            super::jobs::JobState::Running => "running".to_string(),
            super::jobs::JobState::Done { cancelled: false } => "done".to_string(),
            super::jobs::JobState::Done { cancelled: true } => "cancelled".to_string(),
            super::jobs::JobState::Failed(e) => format!("failed: {e}"),
        };
        let progress = match (j.total, j.fraction()) {
            (Some(t), Some(f)) => format!("{}/{t} {} ({:.0}%)", j.done, j.unit, f * 100.0),
            // A job that counts nothing (a compaction) has no progress to show.
            _ if j.unit.is_empty() => "-".to_string(),
            _ => format!("{} {}", j.done, j.unit),
        };
        let phase = if j.phase.is_empty() {
            String::new()
        } else {
            format!(" [{}]", j.phase)
        };
        t.rows.push(vec![
            Cell::Int(j.id as i64),
            Cell::Text(state),
            Cell::Text(progress),
            Cell::Text(format!("{:.1} s", j.elapsed.as_secs_f64())),
            Cell::Text(format!("{}{phase}", j.label)),
        ]);
    }
    t
}
