//! `.replay FILE [--speed N|max] [--save NAME] [--on-my-data]`: run a recorded trace
//! again as a job, on a copy of the database when it writes (docs/trace.md).
use super::{Entry, started, words};
use crate::ast::trace_args::{ReplayArgs, ReplaySpeed};
use crate::ast::{Command, JobsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, db, runs, spec};
use crate::words::{Word, background, bad_arg};

pub const SPEC: CommandSpec = runs(
    db(spec(
        ".replay",
        ".replay FILE [--speed N|max] [--save NAME] [--on-my-data] [&]",
        "replay a trace .trace recorded as a job under the options in force (a trace that writes runs on a copy of the database, unless --on-my-data); --save keeps its figures as a baseline for .compare",
        Family::Jobs,
    )),
    Runs::Job,
);
pub const ENTRY: Entry = words(
    SPEC,
    ".replay workload.trace --speed max --save before",
    parse,
);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let (words, background) = background(args);
    let bad = |problem: String| bad_arg(&SPEC, problem);
    let mut path = None;
    let mut out = ReplayArgs {
        path: String::new(),
        speed: ReplaySpeed::Max,
        save: None,
        on_my_data: false,
    };
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| bad(format!("{flag} needs a value")))
        };
        match w.as_str() {
            "--speed" => out.speed = ReplaySpeed::parse(&value("--speed")?).map_err(bad)?,
            "--save" => out.save = Some(value("--save")?),
            "--on-my-data" => out.on_my_data = true,
            flag if flag.starts_with("--") => return Err(bad(format!("unknown flag {flag}"))),
            _ if path.is_some() => return Err(bad(format!("one trace file only, got also {w}"))),
            _ => path = Some(w.clone()),
        }
    }
    out.path = path.ok_or_else(|| bad("no trace file given".into()))?;
    Ok(Command::Jobs(JobsCmd::Replay {
        args: out,
        background,
    }))
}

pub fn execute(x: &Executor, args: &ReplayArgs, background: bool) -> Result<Outcome, ExecError> {
    let label = format!("{} {}", SPEC.name, args.path);
    let id = crate::replay::start_replay(&x.jobs, &x.db, args, &label)?;
    Ok(started(id, label, background))
}
