//! `.show [options]`: the database, its rows and the settings; or every option.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::{Executor, options_table};
use crate::outcome::{ExecError, Outcome};
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
        x.show()
    }))
}
