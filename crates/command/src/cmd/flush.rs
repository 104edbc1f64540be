//! `.flush`: flush the memtables to SST files.
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = db(spec(
    ".flush",
    ".flush",
    "flush the memtables to SST files",
    Family::Options,
));
pub const ENTRY: Entry = words(SPEC, ".flush", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.is_empty(), "no arguments", args.len())?;
    Ok(Command::Options(OptionsCmd::Flush))
}

pub fn execute(x: &Executor) -> Result<Outcome, ExecError> {
    let secs = x.db.flush_now()?;
    Ok(Outcome::Message(format!("flushed in {secs:.3} s")))
}
