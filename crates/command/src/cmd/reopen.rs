//! `.reopen`: close and reopen RocksDB (ALEX stays in memory).
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = spec(
    ".reopen",
    ".reopen",
    "close and reopen RocksDB (ALEX stays in memory)",
    Family::Options,
);
pub const ENTRY: Entry = words(SPEC, ".reopen", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.is_empty(), "no arguments", args.len())?;
    Ok(Command::Options(OptionsCmd::Reopen))
}

pub fn execute(x: &Executor) -> Result<Outcome, ExecError> {
    let secs = x.db.reopen()?;
    Ok(Outcome::Message(format!(
        "reopened in {secs:.3} s ({} keys; ALEX kept in memory)",
        x.db.len()
    )))
}
