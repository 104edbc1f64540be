//! The arguments of `.sweep` as parsed: the option lists (every value checked against
//! its option) and the flags after them.
use std::time::Duration;

use clap::Parser;

use super::bench_args::parse_duration;
use bench::sweep::{SweepAxis, SweepConfig};
use bench::ycsb::YcsbConfig;
use engine::Db;
use engine::options::{Applies, Opt, Val};
use workload::dataset::{DEFAULT_SEED, DEFAULT_VALUE_SIZE};
use workload::ycsb::{Distribution, Workload};

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
    /// The bound on each run's warm-up to a steady state.
    pub warmup: Duration,
    pub seed: u64,
    /// `--plot FILE.svg`.
    pub plot: Option<String>,
    /// `--on-my-data`: a write workload runs on the user's rows (else on its own range).
    pub on_my_data: bool,
    /// Passes over the steps (`--repeat`).
    pub repeat: usize,
    /// `--no-rewrite`: measure a "new files" option on the files as they are.
    pub no_rewrite: bool,
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
    /// Longest untimed warm-up before each run's measurement: it ends as soon as the
    /// figures are steady (0 for none)
    #[arg(long, default_value = "30s", value_parser = parse_warmup)]
    warmup: Duration,
    /// Passes over the steps, every other one in reverse order (each step's figure is
    /// the median of its runs)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=9))]
    repeat: u8,
    /// Measure options that apply to new files on the files as they are (no rewrite)
    #[arg(long)]
    no_rewrite: bool,
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
            repeat: usize::from(f.repeat),
            no_rewrite: f.no_rewrite,
        }
    }

    pub(crate) fn config(&self, db: &Db) -> SweepConfig {
        SweepConfig {
            axes: self.axes.clone(),
            ycsb: YcsbConfig {
                workload: self.workload,
                records: db.len() as u64,
                ops: 0,
                threads: usize::from(self.threads),
                distribution: self.distribution,
                engines: vec![bench::engines::EngineKind::Alexdb],
                value_size: DEFAULT_VALUE_SIZE,
                seed: self.seed,
                opts: db.options(),
                dir: None,
                duration: Some(self.duration),
                profile: None,
                warm: None,
                values: bench::fair::ValueKind::Text,
                mmap_whole_file: false,
            },
            warmup: self.warmup,
            repeat: self.repeat,
            rewrite: !self.no_rewrite,
        }
    }
}
