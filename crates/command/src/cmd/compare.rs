//! `.compare NAME [NAME2|now]`: two baselines, or one with the last 30 s.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".compare",
    ".compare NAME [NAME2|now]",
    "compare baseline NAME with NAME2 or the last 30 s now: figures with delta, ratio and noise, differing options first",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".compare before now", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let words: Vec<String> = args.iter().map(Word::text).collect();
    let (a, b) = match &words[..] {
        [a] => (a.clone(), None),
        [a, b] => (
            a.clone(),
            (!b.eq_ignore_ascii_case("now")).then(|| b.clone()),
        ),
        _ => {
            return Err(bad_arg(
                &SPEC,
                format!("expected 1 or 2 baseline names, got {}", words.len()),
            ));
        }
    };
    Ok(Command::Session(SessionCmd::Compare { a, b }))
}

pub fn execute(x: &mut Executor, a: &str, b: Option<&str>) -> Result<Outcome, ExecError> {
    x.compare_command(a, b)
}
