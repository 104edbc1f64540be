//! `.sweep OPTION V1,V2,... [x OPTION2 V1,V2,...] [--workload ...]`: parsing (every
//! value checked before anything runs), the job, and the result as text: the table, the
//! grid for two options, and a bar chart of ops/s.
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

use super::bench_args::parse_duration;
use super::jobs::{JobHandle, JobId, Jobs};
use super::outcome::{Cell, ExecError, Outcome, Table};
use super::parse::OutputMode;
use super::render::{bar_chart, render_table};
use crate::bench::own_keys::{OwnKeys, fifo_refusal, writes};
use crate::bench::sweep::{
    FEW_SAMPLES, SweepAxis, SweepConfig, SweepReport, SweepStep, pairs_text, run_sweep,
};
use crate::bench::ycsb::YcsbConfig;
use crate::engine::Db;
use crate::engine::options::{Applies, Opt, Val};
use crate::plot::{BarChart, bar_svg, check_svg_path, save_svg};
use crate::workload::dataset::{DEFAULT_SEED, DEFAULT_VALUE_SIZE};
use crate::workload::ycsb::{Distribution, Workload};

/// Most steps one sweep runs (a grid counts its cells).
pub const MAX_STEPS: usize = 32;

/// Fewest keys a sweep runs on: fewer would measure a few cached rows, not a workload.
pub const MIN_SWEEP_KEYS: usize = 1000;

/// A parsed `.sweep`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepArgs {
    pub axes: Vec<SweepAxis>,
    pub workload: Workload,
    /// Measured time of each step.
    pub duration: Duration,
    /// `None`: the workload's own.
    pub distribution: Option<Distribution>,
    pub threads: u16,
    pub warmup: Duration,
    pub seed: u64,
    /// `--plot FILE.svg`.
    pub plot: Option<String>,
    /// `--on-my-data`: a write workload runs on the user's rows (else on its own range).
    pub on_my_data: bool,
}

/// The flags after the option lists.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = ".sweep", no_binary_name = true, disable_help_flag = true)]
pub struct SweepFlags {
    #[arg(long, default_value = "c", value_parser = |s: &str| s.parse::<Workload>())]
    workload: Workload,
    /// Measured time of each step, e.g. 10s, 500ms
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    #[arg(long, value_parser = |s: &str| s.parse::<Distribution>())]
    distribution: Option<Distribution>,
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: u16,
    /// Untimed time before each step's measurement (0 for none)
    #[arg(long, default_value = "2s", value_parser = parse_warmup)]
    warmup: Duration,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<String>,
    /// Run a write workload on the rows the database holds (it writes into them)
    #[arg(long)]
    on_my_data: bool,
}

/// A duration as `--duration` takes it, or zero (`0`, `0s`, `0ms`): no warm-up, which
/// `parse_duration` refuses since a zero-length run measures nothing.
fn parse_warmup(s: &str) -> Result<Duration, String> {
    if s.trim().trim_end_matches(['s', 'm']).trim_end_matches('.') == "0" {
        return Ok(Duration::ZERO);
    }
    parse_duration(s)
}

/// Splits the words of `.sweep` into its option lists (`OPT V,V [x OPT V,V]`) and the
/// flags after them; every value is checked against its option here. The problem as
/// one line on error.
pub fn split_words(words: &[String]) -> Result<(Vec<SweepAxis>, &[String]), String> {
    let is_flag = |w: &String| w.starts_with("--");
    let lists = words.iter().take_while(|w| !is_flag(w)).count();
    let (head, flags) = words.split_at(lists);
    let axes = match head {
        [o, v] => vec![axis(o, v)?],
        [o1, v1, x, o2, v2] if x.eq_ignore_ascii_case("x") => {
            let (a, b) = (axis(o1, v1)?, axis(o2, v2)?);
            if a.option == b.option {
                return Err(format!(
                    "{} is given twice; a grid needs two options",
                    a.option
                ));
            }
            vec![a, b]
        }
        [] => {
            return Err("needs an option and its values, e.g. .sweep block_size 4KiB,16KiB".into());
        }
        [o] => {
            return Err(format!(
                "{o}: needs a list of values after it, e.g. 4KiB,16KiB"
            ));
        }
        _ => {
            return Err(format!(
                "expected OPTION V1,V2,... or OPTION V,V x OPTION2 V,V before the flags, got {} words",
                head.len()
            ));
        }
    };
    let steps: usize = axes.iter().map(|a| a.values.len()).product();
    if steps > MAX_STEPS {
        return Err(format!(
            "{steps} steps is too many; at most {MAX_STEPS} per sweep"
        ));
    }
    Ok((axes, flags))
}

/// One option and its values, each parsed and range-checked by the options table.
fn axis(option: &str, list: &str) -> Result<SweepAxis, String> {
    let opt = Opt::lookup(option).map_err(|e| e.to_string())?;
    let spec = opt.spec();
    if opt.is_durability() {
        return Err(format!(
            "{} decides whether acknowledged writes survive a crash, so a sweep never \
             changes it (choose it with .set, then measure with .ycsb)",
            spec.name
        ));
    }
    if opt.applies() == Applies::AtOpen {
        return Err(format!(
            "{} takes effect only when a database opens, so a sweep cannot measure it",
            spec.name
        ));
    }
    let values: Vec<String> = list.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().any(String::is_empty) {
        return Err(format!(
            "{}: empty value in \"{list}\" (give values separated by commas, e.g. 1,2,4)",
            spec.name
        ));
    }
    let mut seen: Vec<Val> = Vec::new();
    for v in &values {
        let bad = |why: String| format!("{} value \"{v}\": {why}", spec.name);
        let val = spec.ty.parse(v).map_err(bad)?;
        spec.ty.check(val).map_err(|e| bad(e.to_string()))?;
        if seen.contains(&val) {
            return Err(bad("listed twice".to_string()));
        }
        seen.push(val);
    }
    Ok(SweepAxis {
        option: spec.name.to_string(),
        values,
    })
}

impl SweepArgs {
    pub fn new(axes: Vec<SweepAxis>, f: SweepFlags) -> Self {
        SweepArgs {
            axes,
            workload: f.workload,
            duration: f.duration,
            distribution: f.distribution,
            threads: f.threads,
            warmup: f.warmup,
            seed: f.seed,
            plot: f.plot,
            on_my_data: f.on_my_data,
        }
    }

    fn config(&self, db: &Db) -> SweepConfig {
        SweepConfig {
            axes: self.axes.clone(),
            ycsb: YcsbConfig {
                workload: self.workload,
                records: db.len() as u64,
                ops: 0,
                threads: usize::from(self.threads),
                distribution: self.distribution,
                engines: vec![crate::bench::engines::EngineKind::Alexdb],
                value_size: DEFAULT_VALUE_SIZE,
                seed: self.seed,
                opts: db.options(),
                dir: None,
                duration: Some(self.duration),
                profile: None,
                warm: None,
                values: crate::bench::fair::ValueKind::Text,
                mmap_whole_file: false,
            },
            warmup: self.warmup,
        }
    }
}

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
            Some(o) => match o.load(cfg.ycsb.value_size, cfg.ycsb.seed, h) {
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
            let written = bar_svg(&sweep_chart(&r)).and_then(|svg| save_svg(Path::new(&p), &svg));
            match written {
                Ok(()) => text.push_str(&format!("wrote the chart to {p}\n")),
                Err(e) => text.push_str(&format!("chart not written: {e}\n")),
            }
            json["plot"] = serde_json::json!(p);
        }
        Ok(Outcome::Report { text, json })
    }))
}

/// `--plot`: ops/s as bars, one group per value of the first option and one series per
/// value of the second (or one series, `ops/s`); the settings as the caption.
pub fn sweep_chart(r: &SweepReport) -> BarChart {
    let first = r.original.first().map_or("", |(n, _)| n.as_str());
    let categories: Vec<String> = unique(r.steps.iter().map(|s| value(s, 0)))
        .into_iter()
        .map(String::from)
        .collect();
    let ops = |a: &str, b: Option<&str>| {
        r.steps
            .iter()
            .find(|s| value(s, 0) == a && b.is_none_or(|b| value(s, 1) == b))
            .map_or(0.0, |s| s.ops_per_sec)
    };
    let series = match r.original.get(1) {
        None => vec![(
            "ops/s".to_string(),
            categories.iter().map(|c| ops(c, None)).collect(),
        )],
        Some((second, _)) => unique(r.steps.iter().map(|s| value(s, 1)))
            .into_iter()
            .map(|v| {
                let name = format!("{second}={v}");
                (name, categories.iter().map(|c| ops(c, Some(v))).collect())
            })
            .collect(),
    };
    BarChart {
        title: format!("ycsb-{} throughput by {}", r.workload.as_str(), names(r)),
        x_label: first.to_string(),
        y_label: "ops/s".to_string(),
        caption: vec![settings_line(r), memory_line(r)],
        categories,
        series,
    }
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

/// The result for people: the settings, the table (best marked), the grid for two
/// options, the bar chart, and whether the options are back.
pub fn sweep_text(r: &SweepReport) -> String {
    let mut t = format!("sweep of {}: {}\n", names(r), settings_line(r));
    t.push_str(&render_table(&steps_table(r), OutputMode::Table));
    if r.options.len() == 2 {
        t.push_str(&format!(
            "ops/s by value (rows: {}, columns: {})\n",
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
        t.push_str("ops/s:\n");
        t.push_str(&bar_chart(&bars, r.best, 40));
    }
    for s in r.steps.iter().filter(|s| s.samples < FEW_SAMPLES) {
        t.push_str(&format!(
            "note: {} ran only {} operations, too few for a steady p99; run it longer (--duration)\n",
            pairs_text(&s.values),
            s.samples
        ));
    }
    if r.cancelled {
        t.push_str(&format!(
            "cancelled after {} of {} steps\n",
            r.steps.len(),
            r.planned_steps
        ));
    }
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

/// `block_size` or `block_size x compression`.
fn names(r: &SweepReport) -> String {
    let names: Vec<&str> = r.original.iter().map(|(n, _)| n.as_str()).collect();
    names.join(" x ")
}

/// What every figure of the sweep rests on.
fn settings_line(r: &SweepReport) -> String {
    format!(
        "ycsb-{} ({}), {} distribution, {} records, {} s measured per step after {} s warm-up, {} thread(s), seed {}",
        r.workload.as_str(),
        r.mix,
        r.distribution.as_str(),
        r.records,
        r.duration_secs,
        r.warmup_secs,
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
        "p50",
        "p99",
        "value hit",
        "block hit",
        "memory MiB",
        "rss MiB",
        "best",
    ]);
    let mut t = Table::new(&cols);
    for (i, s) in r.steps.iter().enumerate() {
        let mut row: Vec<Cell> = s
            .values
            .iter()
            .map(|(_, v)| Cell::Text(v.clone()))
            .collect();
        row.extend([
            Cell::Int(s.ops_per_sec.round() as i64),
            micros(s.p50_ns),
            micros(s.p99_ns),
            pct(s.value_cache_hit_rate),
            pct(s.block_cache_hit_rate),
            Cell::Text(format!(
                "{:.1}",
                s.memory_bytes as f64 / (1u64 << 20) as f64
            )),
            Cell::Text(format!("{:.1}", s.rss_bytes as f64 / (1u64 << 20) as f64)),
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
