//! Session commands: `.help`, `.timer`, `.stats`, `.mode`, `.output`, `.open`, `.show`,
//! `.quit` (`.read` is run by `run_text`).
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Executor, misrouted, mode_name, on_off, options_table};
use crate::outcome::{Cell, ExecError, Outcome, Table};
use crate::parse::levenshtein;
use crate::parse::{Command, OutputTarget};
use crate::spec::{ALL_NAMES, SPECS, lookup};
use engine::metrics::MetricsWindow;
use engine::options::{Opt, nearest_name};
use engine::{DamagedRange, Db, DbError, DbOptions};

impl Executor {
    pub(super) fn session_command(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        Ok(match cmd {
            Command::Help(topic) => {
                Outcome::Message(help_text(topic.as_deref(), &self.db.options())?)
            }
            Command::Timer(on) => {
                self.session.settings.timer = *on;
                Outcome::Setting(format!("timer {}", on_off(*on)))
            }
            Command::Stats(on) => {
                self.set_stats(*on);
                Outcome::Setting(format!("stats {}", on_off(*on)))
            }
            Command::Width(w) => {
                self.session.settings.width = *w;
                Outcome::Setting(match w {
                    Some(n) => format!("width {n}"),
                    None => "width off (whole values)".to_string(),
                })
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
            Command::Baseline(b) => self.baseline_command(b)?,
            Command::Compare { a, b } => self.compare_command(a, b.as_deref())?,
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

/// Width of `.help`'s usage column.
const USAGE_COLUMN: usize = 48;

/// One `.help` entry: the help beside its usage, or under it when the usage is wider than
/// the column, so every help text starts in the same column.
fn help_line(usage: &str, help: &str) -> String {
    if usage.chars().count() <= USAGE_COLUMN {
        format!("{usage:<USAGE_COLUMN$} {help}")
    } else {
        format!("{usage}\n{:USAGE_COLUMN$} {help}", "")
    }
}

/// `.help` (every command, from the command table), `.help CMD` or `.help OPTION`
/// (also `.help .set OPTION`).
fn help_text(topic: Option<&str>, current: &DbOptions) -> Result<String, ExecError> {
    let Some(t) = topic else {
        let lines: Vec<String> = SPECS.iter().map(|s| help_line(s.usage, s.help)).collect();
        return Ok(lines.join("\n"));
    };
    if let Some(s) = lookup(t) {
        return Ok(format!("{}\n  {}", s.usage, s.help));
    }
    let bare = [".set ", "set "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    match Opt::from_name(bare) {
        Some(opt) => Ok(option_help(opt, current)),
        None => Err(ExecError::Refused(format!(
            "no help for \"{t}\"{}",
            help_hint(bare)
        ))),
    }
}

/// `.help OPTION`: what it does, its kind, range, default, value and what to watch.
fn option_help(opt: Opt, current: &DbOptions) -> String {
    let s = opt.spec();
    let kind = s.apply.applies();
    let mut lines = vec![format!(".set {} VALUE\n  {}", s.name, s.help)];
    let doc: Vec<&str> = s.doc.iter().map(|l| l.trim()).collect();
    if !doc.is_empty() {
        lines.push(format!("  {}", doc.join(" ")));
    }
    if !s.aliases.is_empty() {
        lines.push(format!("  also spelt:  {}", s.aliases.join(", ")));
    }
    lines.push(format!(
        "  kind:        {} ({})",
        kind.as_str(),
        kind.meaning()
    ));
    lines.push(format!("  allowed:     {}", s.ty.allowed()));
    lines.push(format!("  default:     {}", DbOptions::default().text(opt)));
    lines.push(format!("  current:     {}", current.text(opt)));
    lines.push(format!("  watch:       {}", s.watch));
    lines.join("\n")
}

/// "; did you mean ..." over command and option names, else the pointer to `.help`.
fn help_hint(topic: &str) -> String {
    let command = ALL_NAMES
        .iter()
        .map(|c| (levenshtein(topic, c.trim_start_matches('.')), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min();
    match command.map(|(_, c)| c).or_else(|| nearest_name(topic)) {
        Some(n) => format!("; did you mean \"{n}\"?"),
        None => "; .help lists every command".to_string(),
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
