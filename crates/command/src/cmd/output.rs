//! `.output FILE|stdout`: where results go.
use std::fs::File;

use super::{Entry, words};
use crate::ast::{Command, OutputTarget, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, one_path};

pub const SPEC: CommandSpec = spec(
    ".output",
    ".output FILE|stdout",
    "send results to FILE (or back to stdout)",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".output stdout", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let p = one_path(&SPEC, args, "1 argument (a file or stdout)")?;
    let target = if p.eq_ignore_ascii_case("stdout") && !args[0].quoted {
        OutputTarget::Stdout
    } else {
        OutputTarget::File(p)
    };
    Ok(Command::Session(SessionCmd::Output(target)))
}

pub fn execute(x: &mut Executor, target: &OutputTarget) -> Result<Outcome, ExecError> {
    match target {
        OutputTarget::Stdout => {
            x.session.output_file = None;
            x.session.settings.output = OutputTarget::Stdout;
            Ok(Outcome::Setting("output to stdout".into()))
        }
        OutputTarget::File(path) => {
            let f = File::create(path).map_err(|e| ExecError::file("write", path, e))?;
            x.session.output_file = Some(f);
            x.session.settings.output = target.clone();
            Ok(Outcome::Setting(format!("output to {path}")))
        }
    }
}
