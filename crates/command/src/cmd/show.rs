//! `.show [options]`: the database, its rows and the settings; or every option.
use super::{Entry, words};
use crate::ast::OutputTarget;
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::{Executor, mode_name, on_off, options_table};
use crate::outcome::{Cell, ExecError, Outcome, Table};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".show",
    ".show [options]",
    "database path, rows and settings; `.show options` lists every option",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".show options", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(
        &SPEC,
        args.len() <= 1,
        "no argument or \"options\"",
        args.len(),
    )?;
    match args.first().map(|a| a.text().to_ascii_lowercase()) {
        None => Ok(Command::Session(SessionCmd::Show)),
        Some(w) if w == "options" => Ok(Command::Session(SessionCmd::ShowOptions)),
        Some(w) => Err(bad_arg(&SPEC, format!("unknown topic \"{w}\""))),
    }
}

/// `.show` (`options: false`) or `.show options`.
pub fn execute(x: &Executor, options: bool) -> Result<Outcome, ExecError> {
    Ok(Outcome::Rows(if options {
        options_table(&x.db.options())
    } else {
        show_table(x)
    }))
}

/// The database, its rows and key range, the session's settings and every option.
fn show_table(x: &Executor) -> Table {
    let db = &x.db;
    let s = &x.session.settings;
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
