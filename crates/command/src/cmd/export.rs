//! `.export metrics FILE.csv|FILE.json|FILE.svg | screen FILE`: the sampled metrics (the
//! dashboard's own, or outside it the executor's one-second history) or the screen.
use super::{Entry, words};
use crate::ast::{Command, DashboardCmd, ExportWhat, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::series::Series;
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, bad_arg};
use bench::plot::metrics::{MetricsPoint, metrics_svg};
use bench::plot::{check_svg_path, save_svg};

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
        ExportWhat::MetricsSvg => write_svg(x, path),
        ExportWhat::MetricsCsv | ExportWhat::MetricsJson => write_data(x, what, path),
        ExportWhat::Screen => Err(ExecError::Refused(format!(
            "{} works only in the dashboard",
            SPEC.name
        ))),
    }
}

/// `.export metrics F.svg`: the executor's history drawn as charts, the events as markers.
fn write_svg(x: &Executor, path: &str) -> Result<Outcome, ExecError> {
    let refused = |e: bench::plot::PlotError| ExecError::Refused(e.to_string());
    check_svg_path(std::path::Path::new(path)).map_err(refused)?;
    x.sampler.sample_now();
    let points: Vec<MetricsPoint> = {
        let h = x.sampler.history().lock();
        h.samples()
            .map(|s| MetricsPoint::from_snapshot(s.snapshot.uptime_secs, &s.snapshot))
            .collect()
    };
    if points.is_empty() {
        return Err(ExecError::Refused(
            "no metrics recorded yet (one sample a second; run a workload first)".into(),
        ));
    }
    let from = points[0].t - 1.0;
    let markers: Vec<(f64, String)> =
        x.db.metrics()
            .events_since(0)
            .into_iter()
            .filter(|e| e.at_secs >= from)
            .map(|e| (e.at_secs, e.label))
            .collect();
    let caption = vec![format!(
        "database {}; {} one-second samples from the line shell's history",
        x.db.path().display(),
        points.len()
    )];
    let svg = metrics_svg(&points, &markers, &caption).map_err(refused)?;
    save_svg(std::path::Path::new(path), &svg).map_err(refused)?;
    Ok(Outcome::Message(format!(
        "wrote {} samples and {} markers to {path}",
        points.len(),
        markers.len()
    )))
}

/// `.export metrics F.csv` / `F.json`: the history as the dashboard's [`Series`] (its
/// samples on the database's uptime clock, each with the option changes and reopens
/// of its second as markers), in the dashboard's formats.
fn write_data(x: &Executor, what: ExportWhat, path: &str) -> Result<Outcome, ExecError> {
    x.sampler.sample_now();
    let events = x.db.metrics().events_since(0);
    let series = {
        let h = x.sampler.history().lock();
        let mut series = Series::with_capacity(h.samples().count());
        let mut prev: Option<f64> = None;
        for s in h.samples() {
            let mut snap = s.snapshot.clone();
            let end = snap.uptime_secs;
            let start = prev.unwrap_or(end - snap.window_secs - 1.0);
            snap.events = events
                .iter()
                .filter(|e| e.at_secs > start && e.at_secs <= end)
                .cloned()
                .collect();
            series.push(end, snap);
            prev = Some(end);
        }
        series
    };
    if series.is_empty() {
        return Err(ExecError::Refused(
            "no metrics recorded yet (one sample a second; run a workload first)".into(),
        ));
    }
    let text = if what == ExportWhat::MetricsJson {
        let mut s = serde_json::to_string_pretty(&series.to_json())
            .map_err(|e| ExecError::Refused(e.to_string()))?;
        s.push('\n');
        s
    } else {
        series.to_csv()
    };
    std::fs::write(path, text)
        .map_err(|e| ExecError::Refused(format!("cannot write {path}: {e}")))?;
    Ok(Outcome::Message(format!(
        "wrote {} samples and {} markers to {path}",
        series.len(),
        series.markers().len()
    )))
}
