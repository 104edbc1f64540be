//! `.set NAME VALUE` and `.reset NAME|all`: change an engine option while the database is
//! live, or put it back; and their dashboard form `.set refresh_ms N` / `.reset
//! refresh_ms` (the dashboard's sampling interval), which the dashboard answers.
use super::{Entry, Parse, words};
use crate::ast::{Command, DashboardCmd, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, Runs, runs, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = runs(
    spec(
        ".set",
        ".set NAME VALUE",
        "change an option while the database is live",
        Family::Options,
    ),
    Runs::JobIfReopen,
);
pub const ENTRY: Entry = words(SPEC, ".set block_cache 64MiB", parse_set);

pub const RESET_SPEC: CommandSpec = runs(
    spec(
        ".reset",
        ".reset NAME|all",
        "put an option (or all) back to its default",
        Family::Options,
    ),
    Runs::JobIfReopen,
);
pub const RESET_ENTRY: Entry = words(RESET_SPEC, ".reset all", parse_reset);

pub const REFRESH_SPEC: CommandSpec = spec(
    ".set refresh_ms",
    ".set refresh_ms N",
    "dashboard only: sampling interval in milliseconds (.reset refresh_ms: 250)",
    Family::Dashboard,
);
pub const REFRESH_ENTRY: Entry = Entry {
    spec: REFRESH_SPEC,
    example: ".set refresh_ms 500",
    parse: Parse::Form,
};

/// The dashboard's sampling interval (`.set refresh_ms N`): default and bounds, in ms.
pub const DEFAULT_REFRESH_MS: u64 = 250;
pub const MIN_REFRESH_MS: u64 = 50;
pub const MAX_REFRESH_MS: u64 = 10_000;
/// The dashboard setting `.set output_rows N` (rows of a result the output pane keeps).
pub const OUTPUT_ROWS: &str = "output_rows";
/// The numbers are MIN/MAX/DEFAULT_REFRESH_MS (a test checks they agree).
pub(crate) const REFRESH_USAGE: &str = ".set refresh_ms N (milliseconds, 50..10000; default 250)";

fn is_refresh(args: &[Word]) -> bool {
    args.first()
        .is_some_and(|a| a.text().eq_ignore_ascii_case("refresh_ms"))
}

fn parse_set(args: &[Word]) -> Result<Command, ParseError> {
    if is_refresh(args) {
        return parse_refresh(false, &args[1..]);
    }
    arity(&SPEC, args.len() == 2, "2 arguments", args.len())?;
    Ok(Command::Options(OptionsCmd::Set {
        name: args[0].text().to_ascii_lowercase(),
        value: args[1].text(),
    }))
}

fn parse_reset(args: &[Word]) -> Result<Command, ParseError> {
    if is_refresh(args) {
        return parse_refresh(true, &args[1..]);
    }
    arity(&RESET_SPEC, args.len() == 1, "1 argument", args.len())?;
    let n = args[0].text().to_ascii_lowercase();
    Ok(Command::Options(OptionsCmd::Reset(
        (n != "all").then_some(n),
    )))
}

/// `.set refresh_ms N` (`N` or `Nms`, in range) or `.reset refresh_ms`.
fn parse_refresh(reset: bool, rest: &[Word]) -> Result<Command, ParseError> {
    let form = REFRESH_SPEC.name;
    let bad = |problem: String| ParseError::BadArgument {
        command: form.to_string(),
        problem,
        usage: REFRESH_USAGE,
    };
    let refresh = |ms| Ok(Command::Dashboard(DashboardCmd::Refresh(ms)));
    match (reset, rest) {
        (true, []) => refresh(None),
        (true, _) => Err(bad(".reset refresh_ms takes no value".into())),
        (_, [v]) => {
            let text = v.text();
            let n: u64 = text
                .trim_end_matches("ms")
                .parse()
                .map_err(|_| bad(format!("{text:?} is not a number of milliseconds")))?;
            if !(MIN_REFRESH_MS..=MAX_REFRESH_MS).contains(&n) {
                return Err(bad(format!(
                    "{n} is out of range {MIN_REFRESH_MS}..{MAX_REFRESH_MS}"
                )));
            }
            refresh(Some(n))
        }
        (_, _) => Err(ParseError::Arity {
            command: form.to_string(),
            expected: "1 value",
            got: rest.len(),
            usage: REFRESH_USAGE,
        }),
    }
}

/// `.set output_rows` / `.reset output_rows`: a dashboard setting, not an engine option,
/// so the same answer as `.set refresh_ms` rather than "unknown option".
pub fn refuse_dashboard_setting(c: &OptionsCmd) -> Result<(), ExecError> {
    let verb = match c {
        OptionsCmd::Set { name, .. } if name.eq_ignore_ascii_case(OUTPUT_ROWS) => ".set",
        OptionsCmd::Reset(Some(name)) if name.eq_ignore_ascii_case(OUTPUT_ROWS) => ".reset",
        _ => return Ok(()),
    };
    Err(ExecError::Refused(format!(
        "{verb} output_rows works only in the dashboard (the rows of a result its \
         output pane keeps)"
    )))
}

pub fn execute(x: &Executor, name: &str, value: &str) -> Result<Outcome, ExecError> {
    x.set(name, value)
}

pub fn execute_reset(x: &Executor, name: Option<&str>) -> Result<Outcome, ExecError> {
    x.reset(name)
}

/// `.set refresh_ms` outside the dashboard.
pub fn execute_refresh() -> Result<Outcome, ExecError> {
    Err(ExecError::Refused(format!(
        "{} works only in the dashboard",
        REFRESH_SPEC.name
    )))
}
