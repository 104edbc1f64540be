//! `.stats on|off`: cache hits, ALEX/RocksDB time and block reads per command.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::{Executor, on_off};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::Word;

pub const SPEC: CommandSpec = spec(
    ".stats",
    ".stats on|off",
    "print cache hits, ALEX/RocksDB time and block reads per command",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".stats off", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Session(SessionCmd::Stats(crate::words::on_off(
        &SPEC, args,
    )?)))
}

pub fn execute(x: &mut Executor, on: bool) -> Result<Outcome, ExecError> {
    x.set_stats(on);
    Ok(Outcome::Setting(format!("stats {}", on_off(on))))
}
