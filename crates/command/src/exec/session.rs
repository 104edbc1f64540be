//! The executor's part of the session commands: `.stats`' recorder override, `.output`'s
//! file, `.open`'s switch of database, `.show`'s table.
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use super::state::{Executor, mode_name, on_off};
use crate::ast::OutputTarget;
use crate::outcome::{Cell, ExecError, Outcome, Table};
use engine::metrics::MetricsWindow;
use engine::{Db, DbError};

impl Executor {
    /// `.stats on`: per-command figures need every operation timed, not 1 in N; a
    /// session override in the recorder, so the database's stored options stay as set.
    pub(crate) fn set_stats(&mut self, on: bool) {
        self.db.metrics().set_rate_override(on.then_some(1));
        self.session.settings.stats = on;
    }

    pub(crate) fn set_output(&mut self, target: &OutputTarget) -> Result<Outcome, ExecError> {
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
    pub(crate) fn open_path(&mut self, path: &str) -> Result<Outcome, ExecError> {
        // The value cache's warm-up belongs to the database being closed: stopped.
        self.jobs.stop_quiet();
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
        let db = match &self.sets {
            Some(sets) => Db::open_saved(&new_path, sets),
            None => Db::open_with(&new_path, self.opts.clone()),
        }
        .map_err(DbError::from)?;
        self.leftover = bench::own_keys::remove_leftover(&db);
        let keys = db.len();
        let secs = db.open_stats().total_secs;
        let old = std::mem::replace(&mut self.db, Arc::new(db));
        // The sampler lets go of the old database before it is closed below.
        self.sampler.follow(Arc::clone(&self.db));
        self.reload_references();
        old.metrics().set_rate_override(None);
        if let Ok(old) = Arc::try_unwrap(old) {
            // Best effort: the data is safe in the WAL even if the flush fails.
            let _ = old.close();
        }
        self.window = MetricsWindow::new();
        // The `.stats` override belongs to this session: it moves to the new database.
        self.set_stats(self.session.settings.stats);
        crate::long::start_warm(&self.jobs, &self.db);
        let mut text = format!("opened {} ({keys} keys, {secs:.2} s)", new_path.display());
        for line in self.open_notices() {
            text.push('\n');
            text.push_str(&line);
        }
        Ok(Outcome::Message(text))
    }

    pub(crate) fn show(&self) -> Table {
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
