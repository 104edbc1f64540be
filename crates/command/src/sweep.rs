//! `.sweep OPTION V1,V2,... [x OPTION2 V1,V2,...] [--workload ...]`: parsing (every
//! value checked before anything runs), the job, and the result as text: the table, the
//! grid for two options, and a bar chart of ops/s.
use std::path::Path;
use std::sync::Arc;

use super::ast::OutputMode;
use super::jobs::{JobHandle, JobId, Jobs};
use super::outcome::{Cell, ExecError, Outcome, Table};
use super::render::{bar_chart, render_table};
pub use crate::ast::sweep_args::{MAX_STEPS, MIN_SWEEP_KEYS, SweepArgs, SweepFlags, split_words};
use bench::own_keys::{OwnKeys, fifo_refusal, writes};
use bench::plot::{BarChart, LineChart, Series, bar_svg, check_svg_path, line_svg, save_svg};
use bench::sweep::{FEW_SAMPLES, SweepConfig, SweepReport, SweepStep, pairs_text, run_sweep};
use engine::Db;
use engine::options::{Opt, Ty, Val};

/// Checks that every step can be applied to `db` as it is (options that clash with the
/// others, the memory limit), so a bad value is refused before anything runs.
fn check_steps(db: &Db, cfg: &SweepConfig) -> Result<(), ExecError> {
    for pairs in cfg.steps() {
        let mut target = db.options();
        let checked = pairs
            .iter()
            .try_for_each(|(n, v)| target.set(n, v).map(|_| ()))
            .and_then(|()| db.plan_options(&target).map(|_| ()));
        if let Err(e) = checked {
            return Err(ExecError::Refused(format!(
                ".sweep: {} cannot be applied: {e}",
                pairs_text(&pairs)
            )));
        }
    }
    Ok(())
}

/// `.sweep ...`: checks the database and every step now, then runs the sweep as a job.
pub fn start_sweep(
    jobs: &Jobs,
    db: &Arc<Db>,
    args: &SweepArgs,
    label: &str,
) -> Result<JobId, ExecError> {
    let held = db.len();
    if held == 0 {
        return Err(ExecError::Refused(
            ".sweep runs a workload on the keys the database holds and it is empty: \
             .load data first (e.g. .load random 100000)"
                .into(),
        ));
    }
    if held < MIN_SWEEP_KEYS {
        return Err(ExecError::Refused(format!(
            ".sweep needs at least {MIN_SWEEP_KEYS} keys to draw from and the database \
             holds {held}: load more first (e.g. .load random 100000)"
        )));
    }
    if let Some(p) = &args.plot {
        check_svg_path(Path::new(p)).map_err(|e| ExecError::Refused(format!(".sweep: {e}")))?;
    }
    let cfg = args.config(db);
    check_steps(db, &cfg)?;
    // A write workload works in a range of its own, as many records as the database
    // holds, unless told to write into the user's rows.
    let own = if writes(args.workload) && !args.on_my_data {
        // A step that turns FIFO on would delete the user's rows to make room too.
        for pairs in cfg.steps() {
            let mut target = db.options();
            for (n, v) in &pairs {
                // Checked by check_steps above.
                let _checked = target.set(n, v);
            }
            if let Some(why) = fifo_refusal(&target) {
                return Err(ExecError::Refused(format!(
                    ".sweep: at {}, {why}",
                    pairs_text(&pairs)
                )));
            }
        }
        let own = OwnKeys::reserve(db, held as u64)
            .map_err(|e| ExecError::Refused(format!(".sweep: {e}")))?;
        Some(own)
    } else {
        None
    };
    let db = db.clone();
    let plot = args.plot.clone();
    Ok(jobs.spawn("sweep", label, "steps", move |h: &JobHandle| {
        let fail = |e: anyhow::Error| ExecError::Refused(format!("{e:#}"));
        let r = match &own {
            Some(o) => match o.load((cfg.ycsb.values, cfg.ycsb.value_size), cfg.ycsb.seed, h) {
                Ok(()) => run_sweep(&db, &cfg, Some(o.keys()), h),
                Err(e) => Err(e),
            },
            None => run_sweep(&db, &cfg, None, h),
        };
        let removal = own.map(OwnKeys::remove);
        let r = match (r, &removal) {
            (Ok(r), _) => r,
            (Err(e), None) => return Err(fail(e)),
            (Err(e), Some(gone)) => {
                return Err(ExecError::Refused(format!("{e:#}; {}", gone.line())));
            }
        };
        let mut json = serde_json::to_value(&r).map_err(|e| ExecError::Refused(e.to_string()))?;
        let mut text = sweep_text(&r);
        if let Some(gone) = removal {
            text.push_str(&format!("{}\n", gone.line()));
            json["own_keys"] = serde_json::to_value(&gone).unwrap_or_default();
        }
        if let Some(p) = plot {
            let written = sweep_svg(&r).and_then(|svg| save_svg(Path::new(&p), &svg));
            match written {
                Ok(()) => text.push_str(&format!("wrote the chart to {p}\n")),
                Err(e) => text.push_str(&format!("chart not written: {e}\n")),
            }
            json["plot"] = serde_json::json!(p);
        }
        Ok(Outcome::Report { text, json })
    }))
}

/// `--plot`: a sweep over one size option is a line over the sizes (log scale), any
/// other sweep bars; either way each point shows the min-max of its runs and the
/// caption carries the verdict.
pub fn sweep_svg(r: &SweepReport) -> Result<String, bench::plot::PlotError> {
    match size_line(r) {
        Some(c) => line_svg(&c),
        None => bar_svg(&sweep_chart(r)),
    }
}

/// The steps whose median is within the noise of the top one (the top too, when no
/// step wins beyond noise).
fn within_noise(r: &SweepReport) -> Vec<bool> {
    let v = &r.verdict;
    let med = |i: usize| r.steps[i].ops_per_sec;
    let Some((top, runner)) = v.top.zip(v.runner_up) else {
        return vec![false; r.steps.len()];
    };
    let noise = v.noise.unwrap_or(0.0) * med(runner);
    (0..r.steps.len())
        .map(|i| {
            if i == top {
                v.best.is_none()
            } else {
                med(top) - med(i) <= noise
            }
        })
        .collect()
}

/// ops/s over the sizes of a one-option sweep of a size option, or `None`.
fn size_line(r: &SweepReport) -> Option<LineChart> {
    let [(name, _)] = r.original.as_slice() else {
        return None;
    };
    let spec = Opt::lookup(name).ok()?.spec();
    if !matches!(spec.ty, Ty::Size(_)) {
        return None;
    }
    let mut pts: Vec<(f64, f64, (f64, f64))> = Vec::new();
    for s in &r.steps {
        let Val::Int(bytes) = spec.ty.parse(value(s, 0)).ok()? else {
            return None;
        };
        pts.push((bytes as f64, s.ops_per_sec, (s.ops_min, s.ops_max)));
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(LineChart {
        title: format!("ycsb-{} throughput by {name}", r.workload.as_str()),
        x_label: format!("{name} (bytes, log scale)"),
        y_label: "ops/s (median of the runs, bars: min-max)".to_string(),
        caption: caption(r),
        series: vec![Series {
            name: "ops/s".to_string(),
            points: pts.iter().map(|p| (p.0, p.1)).collect(),
            ranges: pts.iter().map(|p| Some(p.2)).collect(),
        }],
        x_log: true,
        ..LineChart::default()
    })
}

fn caption(r: &SweepReport) -> Vec<String> {
    [
        Some(settings_line(r)),
        verdict_line(r),
        Some(memory_line(r)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Bars: one group per value of the first option and one series per value of the second
/// (or one series, `ops/s`), each bar the median of its runs with their min-max, its
/// value printed, and the bars within noise of the top one marked; the settings and the
/// verdict as the caption.
pub fn sweep_chart(r: &SweepReport) -> BarChart {
    let first = r.original.first().map_or("", |(n, _)| n.as_str());
    let categories: Vec<String> = unique(r.steps.iter().map(|s| value(s, 0)))
        .into_iter()
        .map(String::from)
        .collect();
    let noisy = within_noise(r);
    let step = |a: &str, b: Option<&str>| {
        r.steps
            .iter()
            .position(|s| value(s, 0) == a && b.is_none_or(|b| value(s, 1) == b))
    };
    let seconds: Vec<Option<String>> = match r.original.get(1) {
        None => vec![None],
        Some(_) => unique(r.steps.iter().map(|s| value(s, 1)))
            .into_iter()
            .map(|v| Some(v.to_string()))
            .collect(),
    };
    let mut c = BarChart {
        title: format!("ycsb-{} throughput by {}", r.workload.as_str(), names(r)),
        x_label: first.to_string(),
        y_label: "ops/s (median of the runs, whiskers: min-max)".to_string(),
        caption: caption(r),
        value_labels: true,
        ..BarChart::default()
    };
    for second in &seconds {
        let idx: Vec<Option<usize>> = categories
            .iter()
            .map(|a| step(a, second.as_deref()))
            .collect();
        let name = match (second, r.original.get(1)) {
            (Some(v), Some((n, _))) => format!("{n}={v}"),
            _ => "ops/s".to_string(),
        };
        let at = |i: &Option<usize>| i.map(|i| &r.steps[i]);
        c.series.push((
            name,
            idx.iter()
                .map(|i| at(i).map_or(0.0, |s| s.ops_per_sec))
                .collect(),
        ));
        c.ranges.push(
            idx.iter()
                .map(|i| at(i).map(|s| (s.ops_min, s.ops_max)))
                .collect(),
        );
        c.within_noise
            .push(idx.iter().map(|i| i.is_some_and(|i| noisy[i])).collect());
    }
    c.categories = categories;
    c
}

/// The memory each step held (the budget the bars rest on), measured after the step.
fn memory_line(r: &SweepReport) -> String {
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    let held: Vec<String> = r
        .steps
        .iter()
        .map(|s| format!("{} {:.1} MiB", step_label(&s.values), mib(s.memory_bytes)))
        .collect();
    format!(
        "memory held (ALEX + value cache + block cache + pinned + table readers): {}",
        held.join(", ")
    )
}

/// The result for people: the settings, the table (winner marked), the grid for two
/// options, the bar chart, the verdict, and whether the options are back.
pub fn sweep_text(r: &SweepReport) -> String {
    let mut t = format!("sweep of {}: {}\n", names(r), settings_line(r));
    t.push_str(&render_table(&steps_table(r), OutputMode::Table));
    if r.options.len() == 2 {
        t.push_str(&format!(
            "ops/s by value, median of the runs (rows: {}, columns: {})\n",
            r.options[0], r.options[1]
        ));
        t.push_str(&render_table(&grid_table(r), OutputMode::Table));
    }
    let bars: Vec<(String, f64)> = r
        .steps
        .iter()
        .map(|s| (step_label(&s.values), s.ops_per_sec))
        .collect();
    if !bars.is_empty() {
        t.push_str("ops/s (median of the runs):\n");
        t.push_str(&bar_chart(&bars, r.best, 40));
    }
    for line in [verdict_line(r), drift_line(r), rewrite_line(r)]
        .into_iter()
        .flatten()
    {
        t.push_str(&line);
        t.push('\n');
    }
    t.push_str(&notes(r));
    t.push_str(&if r.restored {
        format!("restored {}\n", pairs_text(&r.original))
    } else {
        format!(
            "NOT restored: {} (check .show options)\n",
            pairs_text(&r.original)
        )
    });
    t
}

/// Who won, or that nobody did beyond noise.
pub fn verdict_line(r: &SweepReport) -> Option<String> {
    let v = &r.verdict;
    let label = |i: usize| step_label(&r.steps[i].values);
    let (top, runner) = v.top.zip(v.runner_up)?;
    let (margin, noise) = (
        v.margin.unwrap_or(0.0) * 100.0,
        v.noise.unwrap_or(0.0) * 100.0,
    );
    Some(match v.best {
        Some(b) => format!(
            "winner: {} at {:.0} ops/s, {margin:+.1}% over {} (noise ±{noise:.1}%)",
            label(b),
            r.steps[b].ops_per_sec,
            label(runner)
        ),
        None => format!(
            "no difference beyond noise: {} leads {} by {margin:.1}%, within the noise of ±{noise:.1}%",
            label(top),
            label(runner)
        ),
    })
}

/// The check run of the first step at the end.
fn drift_line(r: &SweepReport) -> Option<String> {
    let d = r.drift?;
    let label = step_label(&r.steps.get(d.step)?.values);
    let change = d.change * 100.0;
    Some(if d.drifted {
        format!(
            "drift: {label} measured {:.0} ops/s over the sweep and {:.0} when run again at the end ({change:+.1}%), beyond its noise: the machine or the data moved during the sweep, so trust these figures less",
            d.median, d.last
        )
    } else {
        format!(
            "check run of {label} at the end: {:.0} ops/s ({change:+.1}%), within its noise",
            d.last
        )
    })
}

/// How the swept "new files" options reached the measured data.
fn rewrite_line(r: &SweepReport) -> Option<String> {
    let opts = r.new_files_options.join(", ");
    match r.rewrite {
        "compaction" => {
            let secs: f64 = r
                .steps
                .iter()
                .flat_map(|s| &s.runs)
                .filter_map(|x| x.rewrite_secs)
                .sum();
            Some(format!(
                "{opts} apply to new files: every run first rewrote the data under its values (a full compaction; {secs:.1} s in all)"
            ))
        }
        "none" => Some(format!(
            "existing files unchanged (--no-rewrite): {opts} apply to new files only, so these steps read the same files"
        )),
        _ => None,
    }
}

/// Steps too short for a steady p99, warm-ups that never settled, a cancel.
fn notes(r: &SweepReport) -> String {
    let mut t = String::new();
    for s in r.steps.iter().filter(|s| s.samples < FEW_SAMPLES) {
        t.push_str(&format!(
            "note: {} ran only {} operations, too few for a steady p99; run it longer (--duration)\n",
            pairs_text(&s.values),
            s.samples
        ));
    }
    for s in r.steps.iter().filter(|s| !s.settled) {
        let why = if r.warmup_secs == 0.0 {
            "it had no warm-up (--warmup 0)".to_string()
        } else {
            format!("its warm-up did not settle within {} s", r.warmup_secs)
        };
        t.push_str(&format!(
            "note: {} is marked ~: {why}, so its figures may still have been moving\n",
            pairs_text(&s.values)
        ));
    }
    if r.cancelled {
        let runs: usize = r.steps.iter().map(|s| s.runs.len()).sum();
        t.push_str(&format!(
            "cancelled after {runs} of {} runs ({} of {} steps measured)\n",
            r.order.len(),
            r.steps.len(),
            r.planned_steps
        ));
    }
    t
}

/// `block_size` or `block_size x compression`.
fn names(r: &SweepReport) -> String {
    let names: Vec<&str> = r.original.iter().map(|(n, _)| n.as_str()).collect();
    names.join(" x ")
}

/// What every figure of the sweep rests on.
fn settings_line(r: &SweepReport) -> String {
    format!(
        "ycsb-{} ({}), {} distribution, {} records, {} s measured per run after a warm-up to a steady state (at most {} s), {} pass(es) in alternating order, {} thread(s), seed {}",
        r.workload.as_str(),
        r.mix,
        r.distribution.as_str(),
        r.records,
        r.duration_secs,
        r.warmup_secs,
        r.repeat,
        r.threads,
        r.seed
    )
}

/// A step's values without the option names: `16KiB`, `16KiB x lz4`.
fn step_label(values: &[(String, String)]) -> String {
    values
        .iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(" x ")
}

fn pct(r: Option<f64>) -> Cell {
    Cell::Text(r.map_or("-".into(), |r| format!("{:.1}%", r * 100.0)))
}

fn micros(ns: u64) -> Cell {
    Cell::Text(format!("{:.1} µs", ns as f64 / 1000.0))
}

/// One row per step.
fn steps_table(r: &SweepReport) -> Table {
    let mut cols: Vec<&str> = r.original.iter().map(|(n, _)| n.as_str()).collect();
    cols.extend([
        "ops/s",
        "min-max",
        "runs",
        "p50",
        "p99",
        "value hit",
        "block hit",
        "memory MiB",
        "steady",
        "best",
    ]);
    let mut t = Table::new(&cols);
    let mib = |b: u64| Cell::Text(format!("{:.1}", b as f64 / (1u64 << 20) as f64));
    for (i, s) in r.steps.iter().enumerate() {
        let mut row: Vec<Cell> = s
            .values
            .iter()
            .map(|(_, v)| Cell::Text(v.clone()))
            .collect();
        row.extend([
            Cell::Int(s.ops_per_sec.round() as i64),
            Cell::Text(format!("{:.0}-{:.0}", s.ops_min, s.ops_max)),
            Cell::Int(s.runs.len() as i64),
            micros(s.p50_ns),
            micros(s.p99_ns),
            pct(s.value_cache_hit_rate),
            pct(s.block_cache_hit_rate),
            mib(s.memory_bytes),
            Cell::Text(if s.settled { "yes" } else { "~" }.into()),
            Cell::Text(if r.best == Some(i) { "*" } else { "" }.into()),
        ]);
        t.rows.push(row);
    }
    t
}

/// Two options: rows are the first option's values, columns the second's, cells ops/s
/// (`-` for a step a cancel left out).
fn grid_table(r: &SweepReport) -> Table {
    let rows: Vec<&str> = unique(r.steps.iter().map(|s| value(s, 0)));
    let cols: Vec<&str> = unique(r.steps.iter().map(|s| value(s, 1)));
    let mut header = vec![r.options.join(" \\ ")];
    header.extend(cols.iter().map(|c| c.to_string()));
    let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    for rv in rows {
        let mut row = vec![Cell::Text(rv.to_string())];
        for cv in &cols {
            let s = r
                .steps
                .iter()
                .find(|s| value(s, 0) == rv && value(s, 1) == *cv);
            row.push(s.map_or(Cell::Text("-".into()), |s| {
                Cell::Int(s.ops_per_sec.round() as i64)
            }));
        }
        t.rows.push(row);
    }
    t
}

/// Step `s`'s value of the `i`-th option (`""` if it has none).
fn value(s: &SweepStep, i: usize) -> &str {
    s.values.get(i).map_or("", |(_, v)| v.as_str())
}

fn unique<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in it {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}
