//! `.cancel [JOB]`: ask a running job (default: the newest) to stop.
use super::{Entry, words};
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, job_number};

pub const SPEC: CommandSpec = spec(
    ".cancel",
    ".cancel [JOB]",
    "ask a running job (default: the newest) to stop",
    Family::Jobs,
);
pub const ENTRY: Entry = words(SPEC, ".cancel 3", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() <= 1, "0 or 1 job number", args.len())?;
    Ok(Command::Jobs(JobsCmd::Cancel(job_number(&SPEC, args)?)))
}

pub fn execute(x: &Executor, id: Option<u64>) -> Result<Outcome, ExecError> {
    match x.jobs.cancel(id) {
        Some(n) => Ok(Outcome::Message(format!(
            "[{n}] cancelling (what it did so far is kept)"
        ))),
        None => Err(ExecError::Refused(match id {
            Some(n) => format!("job {n} is not running (.jobs lists them)"),
            None => "no job is running".to_string(),
        })),
    }
}
