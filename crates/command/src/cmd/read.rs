//! `.read FILE`: run the commands in FILE. The runner (`crate::run`) reads it, since
//! its statements run through the runner again.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, one_path};

pub const SPEC: CommandSpec = spec(
    ".read",
    ".read FILE",
    "run the commands in FILE",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".read script.sql", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Session(SessionCmd::Read(one_path(
        &SPEC, args, "1 file",
    )?)))
}

/// `.read` given to `execute` rather than the runner: refused.
pub fn execute(path: &str) -> Result<Outcome, ExecError> {
    Err(ExecError::Refused(format!(
        ".read {path}: run it through run_text"
    )))
}
