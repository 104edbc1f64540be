//! `.compact [A B]`: compact everything (or keys A..=B) to the bottom level, as a job.
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, db, runs, spec};
use crate::words::{Word, arity, key_of};

pub const SPEC: CommandSpec = runs(
    db(spec(
        ".compact",
        ".compact [A B]",
        "compact everything (or keys A..=B) to the bottom level",
        Family::Options,
    )),
    Runs::Job,
);
pub const ENTRY: Entry = words(SPEC, ".compact 1 100", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    arity(&SPEC, argc == 0 || argc == 2, "0 or 2 keys", argc)?;
    let range = if argc == 0 {
        None
    } else {
        Some((key_of(&args[0])?, key_of(&args[1])?))
    };
    Ok(Command::Options(OptionsCmd::Compact(range)))
}

pub fn execute(x: &Executor, range: Option<(i64, i64)>) -> Result<Outcome, ExecError> {
    // A job, so the dashboard keeps drawing through a long compaction; the line shell
    // and scripts wait for it as for any foreground job.
    let label = match range {
        Some((a, b)) => format!(".compact {a} {b}"),
        None => ".compact".to_string(),
    };
    let id = crate::long::start_compact(&x.jobs, &x.db, range, &label);
    Ok(Outcome::JobStarted {
        id,
        label,
        background: false,
    })
}
