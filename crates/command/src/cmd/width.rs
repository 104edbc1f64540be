//! `.width N|off`: how many characters of a cell table mode shows.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".width",
    ".width N|off",
    "table mode: show at most N characters of a cell (default 256); off: whole values",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".width 80", parse);

/// Narrowest `.width`: room for a few characters and the `… (N bytes)` suffix.
pub const MIN_WIDTH: usize = 24;

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(
        &SPEC,
        args.len() == 1,
        "1 argument (a width or off)",
        args.len(),
    )?;
    let text = args[0].text();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Command::Session(SessionCmd::Width(None)));
    }
    match text.parse::<usize>() {
        Ok(n) if n >= MIN_WIDTH => Ok(Command::Session(SessionCmd::Width(Some(n)))),
        _ => Err(bad_arg(
            &SPEC,
            format!(
                "\"{}\" is not a width of at least {MIN_WIDTH} characters, or off",
                text.chars().take(40).collect::<String>()
            ),
        )),
    }
}

pub fn execute(x: &mut Executor, w: Option<usize>) -> Result<Outcome, ExecError> {
    x.session.settings.width = w;
    Ok(Outcome::Setting(match w {
        Some(n) => format!("width {n}"),
        None => "width off (whole values)".to_string(),
    }))
}
