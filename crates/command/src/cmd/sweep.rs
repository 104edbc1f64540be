//! `.sweep OPTION V1,V2,... [x OPTION2 ...] [--workload ...]`: a YCSB workload once per
//! option value, as a job (the job itself is `crate::sweep`'s).
use super::{Entry, started, words};
use crate::ast::sweep_args::{SweepArgs, SweepFlags, split_words};
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, db, runs, spec};
use crate::words::{Word, background, bad_arg, clap_args};

pub const SPEC: CommandSpec = runs(
    db(spec(
        ".sweep",
        ".sweep OPTION V1,V2,... [x OPTION2 V1,V2,...] [--workload a..f] [--duration 10s] [--distribution zipfian|uniform|latest] [--threads T] [--warmup 30s] [--repeat 2] [--no-rewrite] [--plot FILE.svg] [--on-my-data] [&]",
        "run a YCSB workload once per option value (a job), then put the option back; never saves a step's value, never sweeps wal or sync",
        Family::Jobs,
    )),
    Runs::Job,
);
pub const ENTRY: Entry = words(SPEC, ".sweep block_size 4KiB,16KiB --duration 2s &", parse);

/// The option lists (each value checked against its option), then the flags with their
/// clap definition; a trailing `&` runs it in the background.
fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let (words, background) = background(args);
    let (axes, flags) = split_words(&words).map_err(|p| bad_arg(&SPEC, p))?;
    let flags: SweepFlags = clap_args(&SPEC, flags)?;
    Ok(Command::Jobs(JobsCmd::Sweep {
        args: SweepArgs::new(axes, flags),
        background,
    }))
}

pub fn execute(x: &Executor, args: &SweepArgs, background: bool) -> Result<Outcome, ExecError> {
    let label = format!(
        "{} {}",
        SPEC.name,
        args.axes
            .iter()
            .map(|a| a.option.as_str())
            .collect::<Vec<_>>()
            .join(" x ")
    );
    let id = crate::sweep::start_sweep(&x.jobs, &x.db, args, &label)?;
    Ok(started(id, label, background))
}
