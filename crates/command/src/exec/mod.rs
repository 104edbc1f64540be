//! The executor: [`Command`] -> [`Outcome`] over an open [`Db`]. Every front end (line
//! shell, `-c`, scripts, the dashboard) runs commands through [`Executor::run_text`], so
//! they all behave the same. Outcomes are typed data; `render` turns them into text.
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::outcome::{CommandStats, ExecError, Outcome, Report};
use super::parse::{
    Command, ExportWhat, OutputMode, OutputTarget, ParseError, parse_command, split_statements,
};
use super::spec::{Family, spec_of};
use engine::metrics::MetricsWindow;
use engine::{Db, DbError, DbOptions};

mod advise;
mod baseline;
mod data;
mod export;
mod jobs;
mod mrc;
mod options;
mod session;

pub use baseline::comparison_text;
pub use jobs::jobs_table;
pub use options::check_outcome;
pub use options::{change_text, options_table};
pub use session::damage_summary;

/// `.read` may nest this deep (a file that reads itself stops here).
const MAX_READ_DEPTH: usize = 16;
/// The largest file `.read` takes: it is read whole, so `/dev/zero` or a huge file must
/// not exhaust memory first. Bigger scripts stream through `--script` or a pipe.
pub const MAX_READ_BYTES: u64 = 256 << 20;
/// The longest line a script may have: a 16 MiB value written as hex, with room to spare.
pub const MAX_LINE_BYTES: usize = 4 * engine::MAX_VALUE_BYTES + (64 << 10);

/// Session settings changed by dot-commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub timer: bool,
    pub stats: bool,
    pub mode: OutputMode,
    pub output: OutputTarget,
    /// Table mode cuts a cell to this many characters; `None`: whole values (`.width off`).
    pub width: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timer: false,
            stats: false,
            mode: OutputMode::Table,
            output: OutputTarget::Stdout,
            width: Some(super::render::MAX_CELL_CHARS),
        }
    }
}

/// What front ends write results to: the settings, plus the file `.output FILE` opened.
#[derive(Debug, Default)]
pub struct Session {
    pub settings: Settings,
    /// `Some` after `.output FILE`: results go there instead of the front end's screen.
    pub output_file: Option<File>,
    /// Set by a front end that could not write a result (disk full, a closed pipe):
    /// the run stops after that statement, since nothing more can be written. Cleared
    /// when a new top-level run starts.
    pub output_failed: bool,
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
    /// Stop a run at the first failing statement.
    pub bail: bool,
    jobs: super::jobs::Jobs,
    /// How a front end waits for a foreground job (the line shell shows a progress
    /// bar); `None`: jobs always run in the background (the dashboard).
    waiter: Option<Waiter>,
    depth: usize,
    /// `Some` when databases open with their saved options and these `(name, value)`
    /// over them (the shell's `--set`); `None`: with exactly `opts`.
    sets: Option<Vec<(String, String)>>,
    /// `.advise`'s last proposals and the undo stack of applied ones.
    advice: advise::Advice,
    /// One windowed sample a second into the history `.baseline` and `.compare` read.
    sampler: super::sampler::Sampler,
    /// The saved baselines as flat reference lines for the dashboard.
    references: Vec<engine::metrics::Reference>,
    /// What the open removed of a workload stopped by a kill (its own key range).
    leftover: Option<String>,
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
        let sampler = super::sampler::Sampler::start(Arc::clone(&db));
        let mut exec = Executor {
            db,
            opts,
            session: Session::default(),
            window: MetricsWindow::new(),
            bail: false,
            jobs: super::jobs::Jobs::new(),
            waiter: None,
            depth: 0,
            sets: None,
            advice: advise::Advice::default(),
            sampler,
            references: Vec::new(),
            leftover: None,
        };
        exec.leftover = bench::own_keys::remove_leftover(&exec.db);
        exec.reload_references();
        // `warm_value_cache background`: a database with rows warms its value cache.
        super::long::start_warm(&exec.jobs, &exec.db);
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
        if self.depth == 0 {
            self.session.output_failed = false;
        }
        let mut summary = RunSummary::default();
        for stmt in statements {
            let s = self.run_one(&stmt, emit);
            summary.ran += s.ran;
            summary.failed += s.failed;
            if s.quit {
                summary.quit = true;
            }
            if s.stopped || (self.bail && s.failed > 0) || self.session.output_failed {
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
        let failed = match &report.result {
            Ok(o) => o.reports_failure(),
            Err(_) => true,
        };
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
        let bytes = match read_capped(path) {
            Ok(b) => b,
            Err(e) => {
                emit(&mut self.session, fail(e));
                return failed;
            }
        };
        self.depth += 1;
        let mut s = self.run_lines(path, &bytes, emit);
        self.depth -= 1;
        // `.quit` inside a read file ends that file, like sqlite3; not the session.
        s.stopped = (s.stopped && self.bail && s.failed > 0) || self.session.output_failed;
        s.quit = false;
        s
    }

    /// Runs the text of file `path`; a line that is not UTF-8 is one error naming its
    /// line number, and the lines around it run (with `bail`, the run stops there).
    fn run_lines(
        &mut self,
        path: &str,
        bytes: &[u8],
        emit: &mut dyn FnMut(&mut Session, Report),
    ) -> RunSummary {
        let mut total = RunSummary::default();
        let mut chunk = String::new();
        for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
            if let Ok(text) = std::str::from_utf8(line) {
                chunk.push_str(text);
                continue;
            }
            let s = self.run_text(&std::mem::take(&mut chunk), emit);
            if add_up(&mut total, s) || self.session.output_failed {
                return total;
            }
            emit(
                &mut self.session,
                Report {
                    input: String::from_utf8_lossy(line).trim_end().to_string(),
                    result: Err(ExecError::Refused(not_utf8_text(Some(path), i + 1))),
                    elapsed: Duration::ZERO,
                    stats: None,
                },
            );
            total.ran += 1;
            total.failed += 1;
            if self.bail {
                total.stopped = true;
                return total;
            }
        }
        let s = self.run_text(&chunk, emit);
        add_up(&mut total, s);
        total
    }

    /// Runs one parsed command, timing it and (with `.stats on`) measuring it.
    pub fn run_command(&mut self, input: &str, cmd: &Command) -> Report {
        let touches_db = touches_db(cmd);
        let measure = self.session.settings.stats && touches_db;
        if measure {
            self.db.metrics_window(&mut self.window);
        }
        let t0 = Instant::now();
        // A database whose directory vanished or was replaced answers from its open files
        // for a while: checked before the command, so a write is refused, never applied
        // to the old files and then reported as failed.
        let gone = touches_db.then(|| self.db.close_if_gone()).flatten();
        let mut result = match gone {
            Some(gone) => Err(gone.into()),
            None => self.execute(cmd),
        };
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

    /// Executes one command, in the part of the executor for its family. `.read` is
    /// handled by [`Executor::run_text`]; here it fails.
    pub fn execute(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        let spec = spec_of(cmd);
        match spec.family {
            Family::Data => self.data(cmd),
            Family::Sql => self.sql(cmd),
            Family::Session => self.session_command(cmd),
            Family::Options => {
                // A dashboard setting, not an engine option: the same answer as
                // `.set refresh_ms` rather than "unknown option".
                if let Command::Set { name, .. } | Command::Reset(Some(name)) = cmd
                    && name.eq_ignore_ascii_case(crate::parse::OUTPUT_ROWS)
                {
                    return Err(ExecError::Refused(format!(
                        "{} output_rows works only in the dashboard (the rows of a result its \
                         output pane keeps)",
                        if matches!(cmd, Command::Set { .. }) {
                            ".set"
                        } else {
                            ".reset"
                        }
                    )));
                }
                let r = self.options_command(cmd);
                // The change ends a history sample, so the next window starts after it.
                self.sampler.sample_now();
                r
            }
            Family::Jobs => self.jobs_command(cmd),
            Family::Dashboard => match cmd {
                // The executor keeps its own history, so the metrics export works in the
                // line shell too (the dashboard exports its own samples instead).
                Command::Export {
                    what: ExportWhat::MetricsSvg,
                    path,
                } => self.export_metrics_svg(path),
                Command::Export {
                    what: what @ (ExportWhat::MetricsCsv | ExportWhat::MetricsJson),
                    path,
                } => self.export_metrics_data(*what, path),
                _ => Err(ExecError::Refused(format!(
                    "{} works only in the dashboard",
                    spec.name
                ))),
            },
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
}

/// Adds run `s` to `total`; true when it stopped the run.
fn add_up(total: &mut RunSummary, s: RunSummary) -> bool {
    total.ran += s.ran;
    total.failed += s.failed;
    total.quit |= s.quit;
    total.stopped |= s.stopped;
    s.stopped
}

/// Reads `.read`'s file, refusing one over [`MAX_READ_BYTES`] after reading one byte
/// more than that, whatever the file claims its size is (`/dev/zero` claims none).
fn read_capped(path: &str) -> Result<Vec<u8>, ExecError> {
    use std::io::Read;
    let f = File::open(path).map_err(|e| ExecError::file("read", path, e))?;
    let mut bytes = Vec::new();
    f.take(MAX_READ_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ExecError::file("read", path, e))?;
    if bytes.len() as u64 > MAX_READ_BYTES {
        return Err(ExecError::Refused(format!(
            ".read {path}: the file is over {} MiB, the most .read takes; run it with \
             --script FILE or pipe it in (both read line by line)",
            MAX_READ_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// The error for input line `line` (of file `path`) that is not UTF-8; it is skipped.
pub fn not_utf8_text(path: Option<&str>, line: usize) -> String {
    match path {
        Some(p) => format!("{p} line {line} is not UTF-8 text; skipped"),
        None => format!("line {line} is not UTF-8 text; skipped"),
    }
}

/// Whether a command reads or writes the database (and so has `.stats` figures).
fn touches_db(cmd: &Command) -> bool {
    spec_of(cmd).touches_db
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

/// A command that reached the wrong family's executor: a bug in `spec.rs`, reported as
/// an error rather than a panic.
fn misrouted(cmd: &Command) -> ExecError {
    ExecError::Refused(format!(
        "internal error: {} was sent to the wrong executor",
        spec_of(cmd).name
    ))
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
