//! `.bench profile | vs-sqlite | ycsb | index ...`: a benchmark as a job.
use super::{Entry, started, words};
use crate::ast::bench_args::ShellBenchArgs;
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, runs, spec};
use crate::words::{Word, background, clap_args};

pub const SPEC: CommandSpec = runs(
    spec(
        ".bench",
        ".bench profile [--queries Q] [--plot F.svg] | vs-sqlite --rows N [...] | ycsb --workload W --records N --ops M [...] | index --keys N --dist D [&]",
        "run a benchmark as a job (& runs it in the background)",
        Family::Jobs,
    ),
    Runs::Job,
);
pub const ENTRY: Entry = words(SPEC, ".bench index --keys 1000 --dist uniform", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let (words, background) = background(args);
    Ok(Command::Jobs(JobsCmd::Bench {
        args: clap_args(&SPEC, &words)?,
        background,
    }))
}

pub fn execute(
    x: &Executor,
    args: &ShellBenchArgs,
    background: bool,
) -> Result<Outcome, ExecError> {
    let kind = match args {
        ShellBenchArgs::Profile { .. } => "profile",
        ShellBenchArgs::VsSqlite(_) => "vs-sqlite",
        ShellBenchArgs::Ycsb(_) => "ycsb",
        ShellBenchArgs::Index(_) => "index",
    };
    let label = format!("{} {kind}", SPEC.name);
    let id = crate::long::start_bench(&x.jobs, &x.db, args, &label)?;
    Ok(started(id, label, background))
}
