//! `.sweep`: one YCSB workload on the open database, once per value of an option (or
//! per pair of values of two options). Each step applies its values the way `.set` does
//! ([`Db::set_option_with`]: live, for new files, or with a reopen), warms up untimed,
//! then measures for a fixed time. The options are put back afterwards, also after a
//! cancel or a failing step, and no step's value is ever saved for the next open: the
//! options file keeps the user's values throughout, so a kill mid-sweep changes nothing
//! a later session sees.
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Serialize, Serializer};

use super::engines::AlexEngine;
use super::ycsb::{YcsbConfig, run_timed, warm_up};
use super::{Cancelled, Progress};
use crate::engine::{Db, HeldBytes};
use crate::metrics::MetricsWindow;
use crate::workload::ycsb::{Distribution, KeySpace, Workload};

/// A step that ran fewer operations than this is reported as rough (its p99 rests on
/// fewer than ten operations above it).
pub const FEW_SAMPLES: u64 = 1000;

/// One option and the values it takes, in order (validated by the parser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepAxis {
    /// The option's canonical name.
    pub option: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// One option, or two for a grid.
    pub axes: Vec<SweepAxis>,
    /// The workload of every step: its `duration` is a step's measured time.
    pub ycsb: YcsbConfig,
    pub warmup: Duration,
}

impl SweepConfig {
    /// Every step's `(option, value)` pairs: the grid row by row (first option outer).
    pub fn steps(&self) -> Vec<Vec<(String, String)>> {
        let mut steps: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for axis in &self.axes {
            steps = steps
                .iter()
                .flat_map(|s| {
                    axis.values.iter().map(move |v| {
                        let mut next = s.clone();
                        next.push((axis.option.clone(), v.clone()));
                        next
                    })
                })
                .collect();
        }
        steps
    }
}

/// The figures of one step.
#[derive(Debug, Clone, Serialize)]
pub struct SweepStep {
    /// `{option: value}` as the user wrote the value.
    #[serde(serialize_with = "as_map")]
    pub values: Vec<(String, String)>,
    pub ops_per_sec: f64,
    /// Over every operation of the measured part (the run's own histogram).
    pub p50_ns: u64,
    pub p99_ns: u64,
    /// `None` when no lookup reached the cache (or RocksDB statistics are off).
    pub value_cache_hit_rate: Option<f64>,
    pub block_cache_hit_rate: Option<f64>,
    /// What the database held for data at the end of the step (`held`'s total).
    pub memory_bytes: u64,
    pub held: HeldBytes,
    /// The whole process's resident set.
    pub rss_bytes: u64,
    /// Operations measured (the histogram's count).
    pub samples: u64,
    pub secs: f64,
}

fn as_map<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(k, v)| (k, v)))
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    pub bench: &'static str,
    /// The option of a one-option sweep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// Both options of a grid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Each option's value before the sweep (and after it, when `restored`).
    #[serde(serialize_with = "as_map")]
    pub original: Vec<(String, String)>,
    pub workload: Workload,
    pub mix: &'static str,
    pub distribution: Distribution,
    pub duration_secs: f64,
    pub warmup_secs: f64,
    pub threads: usize,
    pub records: u64,
    pub value_size: usize,
    pub seed: u64,
    /// Steps asked for; `steps` is shorter after a cancel.
    pub planned_steps: usize,
    pub steps: Vec<SweepStep>,
    /// Index in `steps` of the highest ops/s.
    pub best: Option<usize>,
    pub cancelled: bool,
    /// Every option is back at its original value.
    pub restored: bool,
}

/// Runs the sweep on `db`: on `keys` (a write workload's own range) or, when `None`, on
/// the keys `db` holds.
pub fn run_sweep(
    db: &Arc<Db>,
    cfg: &SweepConfig,
    keys: Option<KeySpace>,
    progress: &dyn Progress,
) -> anyhow::Result<SweepReport> {
    let original: Vec<(String, String)> = cfg
        .axes
        .iter()
        .map(|a| {
            (
                a.option.clone(),
                db.options().get(&a.option).unwrap_or_default(),
            )
        })
        .collect();
    let keys = keys.unwrap_or_else(|| {
        progress.phase("reading keys", None);
        KeySpace::existing(db.keys(i64::MIN, i64::MAX, usize::MAX))
    });
    let plan = cfg.steps();
    let (steps, failure) = run_steps(db, cfg, &keys, &plan, progress);
    let (restored, restore_text) = restore(db, &original);
    if let Some(f) = failure {
        anyhow::bail!("{f}; {restore_text}");
    }
    let best =
        (0..steps.len()).max_by(|&a, &b| steps[a].ops_per_sec.total_cmp(&steps[b].ops_per_sec));
    let y = &cfg.ycsb;
    let names: Vec<String> = cfg.axes.iter().map(|a| a.option.clone()).collect();
    Ok(SweepReport {
        bench: "sweep",
        option: (names.len() == 1).then(|| names[0].clone()),
        options: if names.len() > 1 { names } else { Vec::new() },
        original,
        workload: y.workload,
        mix: y.workload.describe(),
        distribution: y.distribution(),
        duration_secs: y.duration.unwrap_or_default().as_secs_f64(),
        warmup_secs: cfg.warmup.as_secs_f64(),
        threads: y.threads.max(1),
        records: keys.initial(),
        value_size: y.value_size,
        seed: y.seed,
        planned_steps: plan.len(),
        cancelled: steps.len() < plan.len(),
        steps,
        best,
        restored,
    })
}

/// The steps in order until the end, a cancel or a failure (its message).
fn run_steps(
    db: &Arc<Db>,
    cfg: &SweepConfig,
    keys: &KeySpace,
    plan: &[Vec<(String, String)>],
    progress: &dyn Progress,
) -> (Vec<SweepStep>, Option<String>) {
    let engine = AlexEngine { db: db.clone() };
    let t0 = Instant::now();
    let mut steps = Vec::new();
    for (i, pairs) in plan.iter().enumerate() {
        if progress.cancelled() {
            break;
        }
        let step = StepProgress {
            inner: progress,
            label: format!(
                "step {}/{} {} ({:.0} s in)",
                i + 1,
                plan.len(),
                pairs_text(pairs),
                t0.elapsed().as_secs_f64()
            ),
            done: i as u64,
            total: plan.len() as u64,
        };
        match run_step(db, &engine, keys, cfg, pairs, &step) {
            Ok(Some(s)) => steps.push(s),
            Ok(None) => break,
            Err(e) => {
                let f = format!(
                    "step {}/{} ({}) failed: {e:#}",
                    i + 1,
                    plan.len(),
                    pairs_text(pairs)
                );
                return (steps, Some(f));
            }
        }
    }
    (steps, None)
}

/// `a=1, b=2`.
pub fn pairs_text(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One step: apply, warm up, measure. `None` when it was cancelled before the end of
/// its measured part (a partial measurement is not reported).
fn run_step(
    db: &Db,
    engine: &AlexEngine,
    keys: &KeySpace,
    cfg: &SweepConfig,
    pairs: &[(String, String)],
    progress: &dyn Progress,
) -> anyhow::Result<Option<SweepStep>> {
    progress.phase("applying", None);
    for (name, value) in pairs {
        db.set_option_with(name, value, false)?;
    }
    match warm_up(engine, keys, &cfg.ycsb, progress, Some(cfg.warmup)) {
        Err(e) if e.is::<Cancelled>() => return Ok(None),
        r => r?,
    }
    let mut window = MetricsWindow::new();
    db.metrics_window(&mut window);
    let r = run_timed(engine, keys, &cfg.ycsb, progress)?;
    let s = db.metrics_window(&mut window);
    if progress.cancelled() {
        return Ok(None);
    }
    let held = db.held_bytes()?;
    let b = s.rocksdb.tickers.block_cache;
    let block = (
        b.data_hit + b.index_hit + b.filter_hit,
        b.data_miss + b.index_miss + b.filter_miss,
    );
    Ok(Some(SweepStep {
        values: pairs.to_vec(),
        ops_per_sec: r.ops_per_s,
        p50_ns: r.all_ops.p50_ns,
        p99_ns: r.all_ops.p99_ns,
        value_cache_hit_rate: rate(s.cache.hits, s.cache.misses),
        block_cache_hit_rate: s
            .rocksdb
            .statistics_enabled
            .then(|| rate(block.0, block.1))
            .flatten(),
        memory_bytes: held.total(),
        held,
        rss_bytes: s.memory.rss_bytes,
        samples: r.all_ops.count,
        secs: r.secs,
    }))
}

fn rate(hits: u64, misses: u64) -> Option<f64> {
    (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64)
}

/// Puts every option back to its original value, through the same path as `.set`
/// (unsaved, as the steps: the options file already holds the original). Returns
/// whether all are back, and a sentence saying so (or what failed).
fn restore(db: &Db, original: &[(String, String)]) -> (bool, String) {
    let mut problems = Vec::new();
    for (name, value) in original {
        if let Err(e) = db.set_option_with(name, value, false) {
            problems.push(format!("could not restore {name} to {value}: {e}"));
        }
    }
    let back = original
        .iter()
        .all(|(n, v)| db.options().get(n).as_deref() == Some(v.as_str()));
    if problems.is_empty() && back {
        return (true, format!("restored {}", pairs_text(original)));
    }
    if problems.is_empty() {
        problems.push(format!("could not restore {}", pairs_text(original)));
    }
    (false, problems.join("; "))
}

/// A step's view of the job's progress: the job counts steps; the workload's phases
/// become the step's phase text.
struct StepProgress<'a> {
    inner: &'a dyn Progress,
    label: String,
    done: u64,
    total: u64,
}

impl Progress for StepProgress<'_> {
    fn phase(&self, name: &str, _total: Option<u64>) {
        self.inner
            .phase(&format!("{}: {name}", self.label), Some(self.total));
        self.inner.advance(self.done);
    }
    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }
}
