//! `.export metrics FILE.csv|FILE.json|FILE.svg | screen FILE`: the sampled metrics (the
//! dashboard's own, or outside it the executor's one-second history) or the screen.
use super::{Entry, words};
use crate::ast::{Command, DashboardCmd, ExportWhat, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".export",
    ".export metrics FILE.csv|FILE.json|FILE.svg | screen FILE",
    "write the sampled metrics: .export metrics F.svg draws them as charts, F.csv/F.json as data with the option-change markers (outside the dashboard: the one-second history); screen: dashboard only",
    Family::Dashboard,
);
pub const ENTRY: Entry = words(SPEC, ".export metrics m.svg", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() == 2, "2 arguments", args.len())?;
    let path = args[1].text();
    let lower = path.to_ascii_lowercase();
    let what = match args[0].text().to_ascii_lowercase().as_str() {
        "screen" => ExportWhat::Screen,
        "metrics" if lower.ends_with(".csv") => ExportWhat::MetricsCsv,
        "metrics" if lower.ends_with(".json") => ExportWhat::MetricsJson,
        "metrics" if lower.ends_with(".svg") => ExportWhat::MetricsSvg,
        "metrics" => {
            return Err(bad_arg(
                &SPEC,
                format!(
                    "cannot tell the format of {path}: name it FILE.csv, FILE.json or FILE.svg"
                ),
            ));
        }
        other => {
            return Err(bad_arg(
                &SPEC,
                format!("expected metrics or screen, got \"{other}\""),
            ));
        }
    };
    Ok(Command::Dashboard(DashboardCmd::Export { what, path }))
}

/// The executor keeps its own history, so the metrics export works in the line shell
/// too (the dashboard exports its own samples instead); the screen is the dashboard's.
pub fn execute(x: &Executor, what: ExportWhat, path: &str) -> Result<Outcome, ExecError> {
    match what {
        ExportWhat::MetricsSvg => x.export_metrics_svg(path),
        ExportWhat::MetricsCsv | ExportWhat::MetricsJson => x.export_metrics_data(what, path),
        ExportWhat::Screen => Err(ExecError::Refused(format!(
            "{} works only in the dashboard",
            SPEC.name
        ))),
    }
}
