//! Session commands: `.help`, `.timer`, `.stats`, `.mode`, `.output`, `.open`, `.show`,
//! `.quit` (`.read` is run by `run_text`).
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Executor, misrouted, mode_name, on_off, options_table};
use crate::command::outcome::{Cell, ExecError, Outcome, Table};
use crate::command::parse::{Command, OutputTarget};
use crate::command::spec::{SPECS, lookup};
use crate::engine::{Db, DbError};
use crate::metrics::MetricsWindow;

impl Executor {
    pub(super) fn session_command(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        Ok(match cmd {
            Command::Help(topic) => Outcome::Message(help_text(topic.as_deref())?),
            Command::Timer(on) => {
                self.session.settings.timer = *on;
                Outcome::Setting(format!("timer {}", on_off(*on)))
            }
            Command::Stats(on) => {
                self.set_stats(*on);
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
            Command::Quit => Outcome::Quit,
            _ => return Err(misrouted(cmd)),
        })
    }

    /// `.stats on`: per-command figures need every operation timed, not 1 in N; a
    /// session override in the recorder, so the database's stored options stay as set.
    fn set_stats(&mut self, on: bool) {
        self.db.metrics().set_rate_override(on.then_some(1));
        self.session.settings.stats = on;
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
        old.metrics().set_rate_override(None);
        if let Ok(old) = Arc::try_unwrap(old) {
            // Best effort: the data is safe in the WAL even if the flush fails.
            let _ = old.close();
        }
        self.window = MetricsWindow::new();
        // The `.stats` override belongs to this session: it moves to the new database.
        self.set_stats(self.session.settings.stats);
        Ok(Outcome::Message(format!(
            "opened {} ({keys} keys, {secs:.2} s)",
            new_path.display()
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

/// `.help` (every command, from the command table) or `.help CMD`.
fn help_text(topic: Option<&str>) -> Result<String, ExecError> {
    match topic {
        None => {
            let lines: Vec<String> = SPECS
                .iter()
                .map(|s| format!("{:<48} {}", s.usage, s.help))
                .collect();
            Ok(lines.join("\n"))
        }
        Some(t) => match lookup(t) {
            Some(s) => Ok(format!("{}\n  {}", s.usage, s.help)),
            None => Err(ExecError::Refused(format!(
                "no help for \"{t}\"; .help lists every command"
            ))),
        },
    }
}
