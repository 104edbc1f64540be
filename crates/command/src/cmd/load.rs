//! `.load ...`: bulk-load generated keys or a CSV/SOSD file, as a job.
use super::{Entry, started, words};
use crate::ast::bench_args::LoadArgs;
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, db, runs, spec};
use crate::words::{Word, background, clap_args};

pub const SPEC: CommandSpec = runs(
    db(spec(
        ".load",
        ".load sequential|random|lognormal|timestamps N [--start S --step D] [--value-size B] [--seed S] [--values text|random] | csv FILE --key COL [--value COL] | sosd FILE [&]",
        "bulk-load generated keys or a CSV/SOSD file (a job; & runs it in the background)",
        Family::Jobs,
    )),
    Runs::Job,
);
pub const ENTRY: Entry = words(SPEC, ".load random 1000 --seed 7 &", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let (words, background) = background(args);
    Ok(Command::Jobs(JobsCmd::Load {
        args: clap_args(&SPEC, &words)?,
        background,
    }))
}

pub fn execute(x: &Executor, args: &LoadArgs, background: bool) -> Result<Outcome, ExecError> {
    let label = format!("{} {}", SPEC.name, args.spec().0.label());
    let id = crate::long::start_load(&x.jobs, &x.db, args, &label)?;
    Ok(started(id, label, background))
}
