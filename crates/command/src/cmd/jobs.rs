//! `.jobs [JOB]`: the jobs of this session with their results, or one job's report.
use super::{Entry, words};
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::{Executor, jobs_table};
use crate::jobs::{JobId, JobState};
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
        Some(n) => job_report(x, n),
    }
}

/// `.jobs N`: job N's result again, as it was first shown (text, or JSON in json mode).
fn job_report(x: &Executor, n: JobId) -> Result<Outcome, ExecError> {
    let j = x
        .jobs
        .status(n)
        .ok_or_else(|| ExecError::Refused(format!("no job {n} (.jobs lists them)")))?;
    match (&j.state, j.result) {
        (JobState::Running, _) => Err(ExecError::Refused(format!(
            "job {n} is still running (.jobs shows its progress)"
        ))),
        (JobState::Failed(e), _) => Err(ExecError::Refused(format!("job {n} failed: {e}"))),
        (JobState::Done { .. }, Some(result)) => Ok(result),
        (JobState::Done { .. }, None) => Ok(Outcome::Message(format!(
            "job {n} finished with nothing to report"
        ))),
    }
}
