//! `.quit` (also `.exit`): leave.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, aliased, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = aliased(
    &[".exit"],
    spec(
        ".quit",
        ".quit",
        "leave (also .exit, Ctrl-D)",
        Family::Session,
    ),
);
pub const ENTRY: Entry = words(SPEC, ".exit", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.is_empty(), "no arguments", args.len())?;
    Ok(Command::Session(SessionCmd::Quit))
}

pub fn execute() -> Result<Outcome, ExecError> {
    Ok(Outcome::Quit)
}
