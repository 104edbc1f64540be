//! `.ycsb a..f ...`: a YCSB workload on this database, as a job.
use super::{Entry, started, words};
use crate::ast::bench_args::ShellYcsbArgs;
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, runs, spec};
use crate::words::{Word, background, clap_args};

pub const SPEC: CommandSpec = runs(
    spec(
        ".ycsb",
        ".ycsb a|b|c|d|e|f [--duration 60s] [--ops M] [--threads T] [--distribution zipfian|uniform|latest] [--records N] [--values text|random] [--on-my-data] [&]",
        "run a YCSB workload on this database as a job (a write workload uses a key range of its own and removes it, unless --on-my-data)",
        Family::Jobs,
    ),
    Runs::Job,
);
pub const ENTRY: Entry = words(SPEC, ".ycsb c --duration 5s --threads 2", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let (words, background) = background(args);
    Ok(Command::Jobs(JobsCmd::Ycsb {
        args: clap_args(&SPEC, &words)?,
        background,
    }))
}

pub fn execute(x: &Executor, args: &ShellYcsbArgs, background: bool) -> Result<Outcome, ExecError> {
    let label = format!(
        "{} {}{}",
        SPEC.name,
        args.workload
            .or(args.workload_pos)
            .map_or("?", |w| w.as_str()),
        args.duration
            .map(|d| format!(" for {:.0} s", d.as_secs_f64()))
            .unwrap_or_default()
    );
    let id = crate::long::start_ycsb(&x.jobs, &x.db, args, &label)?;
    Ok(started(id, label, background))
}
