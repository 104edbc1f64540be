//! `.timer on|off`: print the elapsed time after each command.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::{Executor, on_off};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::Word;

pub const SPEC: CommandSpec = spec(
    ".timer",
    ".timer on|off",
    "print the elapsed time after each command",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".timer on", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Session(SessionCmd::Timer(crate::words::on_off(
        &SPEC, args,
    )?)))
}

pub fn execute(x: &mut Executor, on: bool) -> Result<Outcome, ExecError> {
    x.session.settings.timer = on;
    Ok(Outcome::Setting(format!("timer {}", on_off(on))))
}
