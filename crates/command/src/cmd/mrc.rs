//! `.mrc [reset]`: the value cache's miss-ratio curve.
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = db(spec(
    ".mrc",
    ".mrc [reset]",
    "the value cache's miss-ratio curve: predicted hit rate and memory at other sizes (reset starts it afresh)",
    Family::Options,
));
pub const ENTRY: Entry = words(SPEC, ".mrc reset", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() <= 1, "0 or 1 argument", args.len())?;
    match args.first().map(|a| a.text().to_ascii_lowercase()) {
        None => Ok(Command::Options(OptionsCmd::Mrc { reset: false })),
        Some(w) if w == "reset" => Ok(Command::Options(OptionsCmd::Mrc { reset: true })),
        Some(other) => Err(bad_arg(&SPEC, format!("expected reset, got \"{other}\""))),
    }
}

pub fn execute(x: &Executor, reset: bool) -> Result<Outcome, ExecError> {
    Ok(x.mrc(reset))
}
