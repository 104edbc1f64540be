//! `.advise | apply N | undo`: option changes proposed from the live figures.
use super::{Entry, words};
use crate::ast::{AdviseAction, Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, runs, spec};
use crate::words::{Word, bad_arg};

pub const SPEC: CommandSpec = runs(
    spec(
        ".advise",
        ".advise | apply N | undo",
        "propose option changes from the live figures; apply proposal N; undo the last applied",
        Family::Options,
    ),
    Runs::JobIfReopen,
);
pub const ENTRY: Entry = words(SPEC, ".advise apply 1", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let words: Vec<String> = args.iter().map(|a| a.text().to_ascii_lowercase()).collect();
    let action = match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => AdviseAction::List,
        ["undo"] => AdviseAction::Undo,
        ["apply", n] => match n.parse::<usize>() {
            Ok(n) if n >= 1 => AdviseAction::Apply(n),
            _ => {
                return Err(bad_arg(
                    &SPEC,
                    format!("\"{n}\" is not a proposal number (1, 2, ...)"),
                ));
            }
        },
        ["apply"] => return Err(bad_arg(&SPEC, "apply needs a proposal number".into())),
        ["undo", ..] => return Err(bad_arg(&SPEC, "undo takes no argument".into())),
        [other, ..] => {
            return Err(bad_arg(
                &SPEC,
                format!("expected apply N or undo, got \"{other}\""),
            ));
        }
    };
    Ok(Command::Options(OptionsCmd::Advise(action)))
}

pub fn execute(x: &mut Executor, action: AdviseAction) -> Result<Outcome, ExecError> {
    x.advise_command(action)
}
