//! `.trace start FILE [--force] | stop`, and `.trace` alone for its status: record the
//! operations reaching the database to a file `.replay` reads (docs/trace.md).
use std::path::Path;

use super::{Entry, words};
use crate::ast::trace_args::TraceCmd;
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, bad_arg};
use engine::trace::TraceSummary;

pub const SPEC: CommandSpec = spec(
    ".trace",
    ".trace start FILE [--force] | stop",
    "record the gets, puts, deletes and scans reaching the database to FILE for .replay (.trace alone: is one recording?)",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".trace start workload.trace", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let words: Vec<String> = args.iter().map(Word::text).collect();
    let bad = |problem: &str| bad_arg(&SPEC, problem.to_string());
    let sub = words.first().map(|s| s.to_ascii_lowercase());
    let cmd = match (sub.as_deref(), words.get(1..).unwrap_or(&[])) {
        (None, _) => TraceCmd::Status,
        (Some("stop"), []) => TraceCmd::Stop,
        (Some("start"), [path]) => TraceCmd::Start {
            path: path.clone(),
            force: false,
        },
        (Some("start"), [a, b]) if a == "--force" || b == "--force" => TraceCmd::Start {
            path: if a == "--force" { b } else { a }.clone(),
            force: true,
        },
        (Some("start"), []) => return Err(bad("start needs a file to record to")),
        (Some("start" | "stop"), _) => return Err(bad("wrong number of arguments")),
        _ => return Err(bad("expected start FILE or stop")),
    };
    Ok(Command::Session(SessionCmd::Trace(cmd)))
}

pub fn execute(x: &mut Executor, cmd: &TraceCmd) -> Result<Outcome, ExecError> {
    let text = match cmd {
        TraceCmd::Status => match x.db.trace_status() {
            Some(s) => format!("recording a trace: {} so far", summary(&s)),
            None => "no trace is being recorded (.trace start FILE begins one)".to_string(),
        },
        TraceCmd::Stop => {
            if x.db.trace_status().is_none() {
                return Err(ExecError::Refused(
                    "no trace is being recorded (.trace start FILE begins one)".into(),
                ));
            }
            let s = x.db.stop_trace()?;
            format!(
                "trace stopped: {} (.replay {} runs it)",
                summary(&s),
                s.path.display()
            )
        }
        TraceCmd::Start { path, force } => {
            start(x, Path::new(path), *force)?;
            format!(
                "recording a trace to {path}: every get, put, delete and scan reaching the database (.trace stop ends it)"
            )
        }
    };
    Ok(Outcome::Message(text))
}

/// Starts the trace; `force` removes an existing file first (never a directory).
fn start(x: &Executor, path: &Path, force: bool) -> Result<(), ExecError> {
    let shown = path.display().to_string();
    if let Some(s) = x.db.trace_status() {
        return Err(ExecError::Refused(format!(
            "a trace is already being recorded to {}; .trace stop ends it",
            s.path.display()
        )));
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(ExecError::Refused(format!(
                "{shown} is a directory; give a file name"
            )));
        }
        Ok(_) if !force => {
            return Err(ExecError::Refused(format!(
                "{shown} exists; add --force to replace it"
            )));
        }
        Ok(_) => std::fs::remove_file(path).map_err(|e| ExecError::file("replace", &shown, e))?,
        Err(_) => {}
    }
    x.db.start_trace(path)?;
    Ok(())
}

fn summary(s: &TraceSummary) -> String {
    format!(
        "{} records, {:.1} KiB in {:.1} s to {}",
        s.records,
        s.bytes as f64 / 1024.0,
        s.secs,
        s.path.display()
    )
}
