//! `.open PATH`: close this database and open PATH.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, one_path};

pub const SPEC: CommandSpec = spec(
    ".open",
    ".open PATH",
    "close this database and open PATH",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".open other.db", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Session(SessionCmd::Open(one_path(
        &SPEC, args, "1 path",
    )?)))
}

pub fn execute(x: &mut Executor, path: &str) -> Result<Outcome, ExecError> {
    x.open_path(path)
}
