//! `.baseline save NAME [--window 30s] | list | drop NAME`: the last window's figures and
//! the options in force, kept under a name in the database directory.
use super::{Entry, words};
use crate::ast::{BaselineCmd, Command, ParseError, SessionCmd};
use crate::baseline::{DEFAULT_WINDOW_SECS, window_secs};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".baseline",
    ".baseline save NAME [--window 30s] | list | drop NAME",
    "save the last window's figures and the options in force under NAME (kept in the database directory), list or drop them",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".baseline save before --window 10s", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let words: Vec<String> = args.iter().map(Word::text).collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let bad = |problem: String| bad_arg(&SPEC, problem);
    let sub = w.first().map(|s| s.to_ascii_lowercase());
    let rest = w.get(1..).unwrap_or(&[]);
    let cmd = match (sub.as_deref(), rest) {
        (Some("list"), []) => BaselineCmd::List,
        (Some("drop"), [n]) => BaselineCmd::Drop(n.to_string()),
        (Some("save"), [n]) => BaselineCmd::Save {
            name: n.to_string(),
            window_secs: DEFAULT_WINDOW_SECS as u64,
        },
        (Some("save"), [n, flag, d]) if *flag == "--window" => BaselineCmd::Save {
            name: n.to_string(),
            window_secs: window_secs(d).map_err(bad)?,
        },
        (Some("list" | "drop" | "save"), _) => {
            return Err(bad("wrong number of arguments".into()));
        }
        _ => return Err(bad("expected save, list or drop".into())),
    };
    Ok(Command::Session(SessionCmd::Baseline(cmd)))
}

pub fn execute(x: &mut Executor, cmd: &BaselineCmd) -> Result<Outcome, ExecError> {
    x.baseline_command(cmd)
}
