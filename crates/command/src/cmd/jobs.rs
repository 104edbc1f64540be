//! `.jobs [JOB]`: the jobs of this session with their results, or one job's report.
use super::{Entry, words};
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::{Executor, jobs_table};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, job_number};

pub const SPEC: CommandSpec = spec(
    ".jobs",
    ".jobs [JOB]",
    "list the jobs of this session with their results, or show one job's full report",
    Family::Jobs,
);
pub const ENTRY: Entry = words(SPEC, ".jobs [2]", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() <= 1, "0 or 1 job number", args.len())?;
    Ok(Command::Jobs(JobsCmd::Jobs(job_number(&SPEC, args)?)))
}

pub fn execute(x: &Executor, job: Option<u64>) -> Result<Outcome, ExecError> {
    match job {
        None => Ok(Outcome::Rows(jobs_table(&x.jobs.list()))),
        Some(n) => x.job_report(n),
    }
}
