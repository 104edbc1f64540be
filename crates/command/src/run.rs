//! Running statements: split, parse, route each command to its family's executor (and
//! so to its module's execute function), time it and measure it. Every front end (line
//! shell, `-c`, scripts, the dashboard) runs commands through [`Executor::run_text`], so
//! they all behave the same. Outcomes are typed data; `render` turns them into text.
use std::fs::File;
use std::time::{Duration, Instant};

use crate::ast::{Command, DashboardCmd, JobsCmd, OptionsCmd, ParseError, SessionCmd};
use crate::cmd::{
    advise, baseline, bench, cancel, check, compact, compare, data, export, flush, help, jobs,
    load, mode, mrc, open, options, output, profile, quit, read, reopen, set, show, sql, stats,
    sweep, timer, width, ycsb,
};
use crate::cmd::{lsm, property};
use crate::cmd::{replay, trace};
use crate::exec::{Executor, MAX_READ_BYTES, job_result, not_utf8_text};
use crate::outcome::{ExecError, Outcome, Report};
use crate::parse::{parse_command, split_statements};
use crate::registry::{SPECS, spec_of};
use crate::settings::{RunSummary, Session};

/// `.read` may nest this deep (a file that reads itself stops here).
const MAX_READ_DEPTH: usize = 16;

impl Executor {
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
        if let Command::Session(SessionCmd::Read(path)) = &cmd {
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

    /// Executes one command, in the part of the executor for its family: each family's
    /// executor takes only its own enum. `.read` is handled by [`Executor::run_text`];
    /// here it fails.
    pub fn execute(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        match cmd {
            Command::Data(c) => data::execute(self, c),
            Command::Sql(c) => sql::execute(self, c),
            Command::Session(c) => self.session_family(c),
            Command::Options(c) => self.options_family(c),
            Command::Jobs(c) => self.jobs_family(c),
            Command::Dashboard(c) => dashboard_family(self, c),
        }
    }

    fn session_family(&mut self, c: &SessionCmd) -> Result<Outcome, ExecError> {
        match c {
            SessionCmd::Help(topic) => help::execute(self, topic.as_deref(), SPECS),
            SessionCmd::Timer(on) => timer::execute(self, *on),
            SessionCmd::Width(w) => width::execute(self, *w),
            SessionCmd::Stats(on) => stats::execute(self, *on),
            SessionCmd::Mode(m) => mode::execute(self, *m),
            SessionCmd::Output(target) => output::execute(self, target),
            SessionCmd::Read(path) => read::execute(path),
            SessionCmd::Open(path) => open::execute(self, path),
            SessionCmd::Show => show::execute(self, false),
            SessionCmd::ShowOptions => show::execute(self, true),
            SessionCmd::Baseline(b) => baseline::execute(self, b),
            SessionCmd::Compare { a, b } => compare::execute(self, a, b.as_deref()),
            SessionCmd::Trace(t) => trace::execute(self, t),
            SessionCmd::Quit => quit::execute(),
        }
    }

    fn options_family(&mut self, c: &OptionsCmd) -> Result<Outcome, ExecError> {
        set::refuse_dashboard_setting(c)?;
        let r = match c {
            OptionsCmd::Set { name, value } => set::execute(self, name, value),
            OptionsCmd::Reset(name) => set::execute_reset(self, name.as_deref()),
            OptionsCmd::Reopen => reopen::execute(self),
            OptionsCmd::Flush => flush::execute(self),
            OptionsCmd::Compact(range) => compact::execute(self, *range),
            OptionsCmd::Check => check::execute(self),
            OptionsCmd::Profile { save, path } => profile::execute(self, *save, path),
            OptionsCmd::ProfileList => profile::execute_list(self),
            OptionsCmd::OptionsExport(path, format) => options::execute(self, path, *format),
            OptionsCmd::Advise(action) => advise::execute(self, *action),
            OptionsCmd::Mrc { reset } => mrc::execute(self, *reset),
            OptionsCmd::Lsm { json } => lsm::execute(self, *json),
            OptionsCmd::Property(name) => property::execute(self, name),
        };
        // The change ends a history sample, so the next window starts after it.
        self.sampler.sample_now();
        r
    }

    fn jobs_family(&mut self, c: &JobsCmd) -> Result<Outcome, ExecError> {
        if matches!(
            c,
            JobsCmd::Bench { .. }
                | JobsCmd::Ycsb { .. }
                | JobsCmd::Sweep { .. }
                | JobsCmd::Replay { .. }
        ) {
            // A measurement does its own warm-up: the value cache's background warm-up
            // would compete with it for the CPU and change the cache under it.
            self.jobs.stop_quiet();
        }
        match c {
            JobsCmd::Load { args, background } => load::execute(self, args, *background),
            JobsCmd::Bench { args, background } => bench::execute(self, args, *background),
            JobsCmd::Ycsb { args, background } => ycsb::execute(self, args, *background),
            JobsCmd::Sweep { args, background } => sweep::execute(self, args, *background),
            JobsCmd::Replay { args, background } => replay::execute(self, args, *background),
            JobsCmd::Jobs(n) => jobs::execute(self, *n),
            JobsCmd::Cancel(id) => cancel::execute(self, *id),
        }
    }
}

/// The dashboard's commands outside it: the metrics export works anywhere.
fn dashboard_family(x: &Executor, c: &DashboardCmd) -> Result<Outcome, ExecError> {
    match c {
        DashboardCmd::Refresh(_) => set::execute_refresh(),
        DashboardCmd::Export { what, path } => export::execute(x, *what, path),
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

/// Whether a command reads or writes the database (and so has `.stats` figures).
fn touches_db(cmd: &Command) -> bool {
    spec_of(cmd).touches_db
}
