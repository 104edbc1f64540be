//! `.check`: every SST file's checksums, ALEX against RocksDB, the unreadable key ranges.
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = db(spec(
    ".check",
    ".check",
    "verify every SST file's checksums, compare ALEX with RocksDB (key count and checksum), list key ranges RocksDB cannot read",
    Family::Options,
));
pub const ENTRY: Entry = words(SPEC, ".check", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.is_empty(), "no arguments", args.len())?;
    Ok(Command::Options(OptionsCmd::Check))
}

pub fn execute(x: &Executor) -> Result<Outcome, ExecError> {
    Ok(Outcome::JobStarted {
        id: x.start_check(),
        label: ".check".to_string(),
        background: false,
    })
}
