//! `.profile list | save FILE | load NAME|FILE`: the built-in profiles, every option to
//! a TOML file and back.
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, runs, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = runs(
    spec(
        ".profile",
        ".profile list | save FILE | load NAME|FILE",
        "list the built-in profiles; save every option to a TOML file; load a built-in profile or a file",
        Family::Options,
    ),
    Runs::JobIfReopen,
);
pub const ENTRY: Entry = words(SPEC, ".profile load read-heavy", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    if args.len() == 1 && args[0].text().eq_ignore_ascii_case("list") {
        return Ok(Command::Options(OptionsCmd::ProfileList));
    }
    arity(&SPEC, args.len() == 2, "2 arguments", args.len())?;
    let save = match args[0].text().to_ascii_lowercase().as_str() {
        "save" => true,
        "load" => false,
        other => {
            return Err(bad_arg(
                &SPEC,
                format!("expected save or load, got \"{other}\""),
            ));
        }
    };
    Ok(Command::Options(OptionsCmd::Profile {
        save,
        path: args[1].text(),
    }))
}

/// `.profile save FILE` or `.profile load NAME|FILE`.
pub fn execute(x: &Executor, save: bool, path: &str) -> Result<Outcome, ExecError> {
    if save {
        x.save_profile(path)
    } else {
        x.load_profile(path)
    }
}

/// `.profile list`.
pub fn execute_list(x: &Executor) -> Result<Outcome, ExecError> {
    Ok(x.list_profiles())
}
