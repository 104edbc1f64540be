//! `.mode table|csv|json|line`: the output format of results.
use super::{Entry, words};
use crate::ast::{Command, OutputMode, ParseError, SessionCmd};
use crate::exec::{Executor, mode_name};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = spec(
    ".mode",
    ".mode table|csv|json|line",
    "output format of results",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".mode csv", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() == 1, "1 argument", args.len())?;
    let m = match args[0].text().to_ascii_lowercase().as_str() {
        "table" => OutputMode::Table,
        "csv" => OutputMode::Csv,
        "json" => OutputMode::Json,
        "line" => OutputMode::Line,
        other => {
            return Err(ParseError::BadArgument {
                command: SPEC.name.to_string(),
                problem: format!(
                    "unknown mode \"{}\"",
                    other.chars().take(40).collect::<String>()
                ),
                usage: SPEC.usage,
            });
        }
    };
    Ok(Command::Session(SessionCmd::Mode(m)))
}

pub fn execute(x: &mut Executor, m: OutputMode) -> Result<Outcome, ExecError> {
    x.session.settings.mode = m;
    Ok(Outcome::Setting(format!("mode {}", mode_name(m))))
}
