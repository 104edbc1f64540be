//! `.sweep`: one YCSB workload on the open database, once per value of an option (or
//! per pair of values of two options). Each run of a step applies its values the way
//! `.set` does ([`Db::set_option_with`]: live, for new files, or with a reopen), rewrites
//! the data when an option applies to new files only (a full compaction, unless
//! `--no-rewrite`), warms up until the figures are steady (bounded by `--warmup`), then
//! measures for a fixed time in short windows. Steps run in an interleaved, repeated
//! order (A B C C B A ...) so that neither warming nor drift can crown the last one; a
//! step's figure is the median of its runs, and a winner is named only when it beats
//! the runner-up by more than the measured noise. The options are put back afterwards,
//! also after a cancel or a failing step, and no step's value is ever saved for the next
//! open: the options file keeps the user's values throughout, so a kill mid-sweep
//! changes nothing a later session sees.
use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Serialize, Serializer};

use super::engines::AlexEngine;
use super::steady::{self, Drift, StepFigures, Verdict, Window};
use super::ycsb::{YcsbConfig, run_timed};
use super::{Cancelled, Progress};
use engine::metrics::MetricsWindow;
use engine::options::Opt;
use engine::{Db, HeldBytes};
use workload::ycsb::{Distribution, KeySpace, Workload};

/// A step that ran fewer operations than this is reported as rough (its p99 rests on
/// fewer than ten operations above it).
pub const FEW_SAMPLES: u64 = 1000;

/// Longest and shortest window a run is measured in.
const MAX_WINDOW: Duration = Duration::from_secs(1);
const MIN_WINDOW: Duration = Duration::from_millis(100);

/// Bytes per second a full compaction is assumed to rewrite before one was timed.
const GUESSED_REWRITE_RATE: f64 = 50e6;

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
    /// The longest a warm-up may run while its figures are not yet steady.
    pub warmup: Duration,
    /// Passes over the steps (every other one in reverse order).
    pub repeat: usize,
    /// Rewrite the data before each run when a swept option applies to new files only.
    pub rewrite: bool,
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

/// One run of a step: what its windows measured.
#[derive(Debug, Clone, Serialize)]
pub struct StepRun {
    /// Its place in the order the runs went (0 first).
    pub position: usize,
    pub ops_per_sec: f64,
    /// Medians of the measured windows' own percentiles.
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub value_cache_hit_rate: Option<f64>,
    pub block_cache_hit_rate: Option<f64>,
    /// Every measured window's ops/s.
    pub windows: Vec<f64>,
    pub warmup_secs: f64,
    /// The warm-up ended steady (false: it hit `--warmup` first, or there was none).
    pub settled: bool,
    /// Seconds spent rewriting the data under this step's values, if it was.
    pub rewrite_secs: Option<f64>,
    pub samples: u64,
    pub secs: f64,
    /// What the database held for data at the end of the run.
    pub memory_bytes: u64,
    pub held: HeldBytes,
    pub rss_bytes: u64,
}

/// The figures of one step: the medians of its runs.
#[derive(Debug, Clone, Serialize)]
pub struct SweepStep {
    /// `{option: value}` as the user wrote the value.
    #[serde(serialize_with = "as_map")]
    pub values: Vec<(String, String)>,
    /// Median over its runs, and the lowest and highest run.
    pub ops_per_sec: f64,
    pub ops_min: f64,
    pub ops_max: f64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    /// `None` when no lookup reached the cache (or RocksDB statistics are off).
    pub value_cache_hit_rate: Option<f64>,
    pub block_cache_hit_rate: Option<f64>,
    /// What the database held for data at the end of its last run (`held`'s total).
    pub memory_bytes: u64,
    pub held: HeldBytes,
    /// The whole process's resident set.
    pub rss_bytes: u64,
    /// Operations measured over all runs.
    pub samples: u64,
    pub secs: f64,
    /// Every run's warm-up ended steady.
    pub settled: bool,
    pub runs: Vec<StepRun>,
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
    /// The bound on each run's warm-up.
    pub warmup_secs: f64,
    pub threads: usize,
    pub records: u64,
    pub value_size: usize,
    pub seed: u64,
    pub repeat: usize,
    /// Step indexes in the order their runs went.
    pub order: Vec<usize>,
    /// Swept options that apply only to files written after a change.
    pub new_files_options: Vec<String>,
    /// `compaction` (each run rewrote the data under its values), `none`
    /// (`--no-rewrite`: existing files unchanged) or `not needed`.
    pub rewrite: &'static str,
    /// Steps asked for; `steps` is shorter after a cancel.
    pub planned_steps: usize,
    pub steps: Vec<SweepStep>,
    /// Index in `steps` of the winner: the highest median, only when it beats the
    /// runner-up by more than the noise; `None` otherwise.
    pub best: Option<usize>,
    pub verdict: Verdict,
    /// The first step measured again at the end.
    pub drift: Option<Drift>,
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
    let order = steady::run_order(plan.len(), cfg.repeat);
    let runner = Runner::new(db, cfg, &keys);
    let (runs, check, failure) = runner.all(&plan, &order, progress);
    let (restored, restore_text) = restore(db, &original);
    if let Some(f) = failure {
        anyhow::bail!("{f}; {restore_text}");
    }
    Ok(report(
        cfg, &keys, original, &plan, order, runs, check, restored,
    ))
}

/// The report from the runs (`runs[i]`: step `i`'s, in the order they went).
#[allow(clippy::too_many_arguments)]
fn report(
    cfg: &SweepConfig,
    keys: &KeySpace,
    original: Vec<(String, String)>,
    plan: &[Vec<(String, String)>],
    order: Vec<usize>,
    runs: Vec<Vec<StepRun>>,
    check: Option<StepRun>,
    restored: bool,
) -> SweepReport {
    let done = runs.iter().map(Vec::len).sum::<usize>();
    let figures: Vec<StepFigures> = runs.iter().map(|r| figures_of(r)).collect();
    let drift = check
        .zip(order.first())
        .map(|(c, &i)| steady::drift(i, &figures[i], &figures_of(std::slice::from_ref(&c))));
    // Drift beyond noise is noise the windows did not see: no lead smaller wins.
    let floor = drift.filter(|d| d.drifted).map_or(0.0, |d| d.change.abs());
    let verdict = steady::verdict_with(&figures, floor);
    let steps: Vec<SweepStep> = plan
        .iter()
        .zip(runs)
        .filter(|(_, r)| !r.is_empty())
        .map(|(pairs, r)| step_of(pairs, r))
        .collect();
    // Indexes in `steps`, which leaves out steps a cancel kept from running.
    let ran: Vec<usize> = (0..plan.len())
        .filter(|&i| !figures[i].runs.is_empty())
        .collect();
    let index = |i: usize| ran.iter().position(|&r| r == i);
    let y = &cfg.ycsb;
    let names: Vec<String> = cfg.axes.iter().map(|a| a.option.clone()).collect();
    let new_files = new_files_options(cfg);
    SweepReport {
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
        repeat: cfg.repeat,
        rewrite: match (new_files.is_empty(), cfg.rewrite) {
            (true, _) => "not needed",
            (false, true) => "compaction",
            (false, false) => "none",
        },
        new_files_options: new_files,
        planned_steps: plan.len(),
        cancelled: done < order.len(),
        order,
        steps,
        best: verdict.best.and_then(index),
        verdict: Verdict {
            best: verdict.best.and_then(index),
            top: verdict.top.and_then(index),
            runner_up: verdict.runner_up.and_then(index),
            ..verdict
        },
        drift: drift.map(|d| Drift {
            step: index(d.step).unwrap_or(d.step),
            ..d
        }),
        restored,
    }
}

/// The swept options that apply only to files written after a change.
pub fn new_files_options(cfg: &SweepConfig) -> Vec<String> {
    cfg.axes
        .iter()
        .filter(|a| Opt::lookup(&a.option).is_ok_and(Opt::reaches_new_files_only))
        .map(|a| a.option.clone())
        .collect()
}

fn figures_of(runs: &[StepRun]) -> StepFigures {
    StepFigures {
        runs: runs.iter().map(|r| r.ops_per_sec).collect(),
        windows: runs
            .iter()
            .flat_map(|r| r.windows.iter().copied())
            .collect(),
    }
}

/// A step's figures: the medians of its runs (memory from its last).
fn step_of(pairs: &[(String, String)], runs: Vec<StepRun>) -> SweepStep {
    let med = |f: fn(&StepRun) -> f64| steady::median(&runs.iter().map(f).collect::<Vec<_>>());
    let med_rate = |f: fn(&StepRun) -> Option<f64>| {
        let v: Vec<f64> = runs.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| steady::median(&v))
    };
    let (lo, hi) = steady::min_max(&runs.iter().map(|r| r.ops_per_sec).collect::<Vec<_>>());
    let last = runs.last().expect("a step with runs");
    SweepStep {
        values: pairs.to_vec(),
        ops_per_sec: med(|r| r.ops_per_sec),
        ops_min: lo,
        ops_max: hi,
        p50_ns: med(|r| r.p50_ns as f64).round() as u64,
        p99_ns: med(|r| r.p99_ns as f64).round() as u64,
        value_cache_hit_rate: med_rate(|r| r.value_cache_hit_rate),
        block_cache_hit_rate: med_rate(|r| r.block_cache_hit_rate),
        memory_bytes: last.memory_bytes,
        held: last.held,
        rss_bytes: last.rss_bytes,
        samples: runs.iter().map(|r| r.samples).sum(),
        secs: runs.iter().map(|r| r.secs).sum(),
        settled: runs.iter().all(|r| r.settled),
        runs,
    }
}

/// `a=1, b=2`.
pub fn pairs_text(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs steps on one database.
struct Runner<'a> {
    db: &'a Db,
    engine: AlexEngine,
    cfg: &'a SweepConfig,
    keys: &'a KeySpace,
    window: Duration,
    rewrite: bool,
    /// Bytes per second of the last timed rewrite (for the next estimate).
    rewrite_rate: Cell<f64>,
}

/// Every step's runs, the check run, and the failure that stopped the sweep.
type Runs = (Vec<Vec<StepRun>>, Option<StepRun>, Option<String>);

impl<'a> Runner<'a> {
    fn new(db: &'a Arc<Db>, cfg: &'a SweepConfig, keys: &'a KeySpace) -> Self {
        let duration = cfg.ycsb.duration.unwrap_or(MAX_WINDOW);
        Runner {
            db: db.as_ref(),
            engine: AlexEngine { db: db.clone() },
            cfg,
            keys,
            window: (duration / 4).clamp(MIN_WINDOW, MAX_WINDOW),
            rewrite: cfg.rewrite && !new_files_options(cfg).is_empty(),
            rewrite_rate: Cell::new(GUESSED_REWRITE_RATE),
        }
    }

    /// The runs in `order`, then (with two passes or more) the first step once more,
    /// until the end, a cancel or a failure.
    fn all(
        &self,
        plan: &[Vec<(String, String)>],
        order: &[usize],
        progress: &dyn Progress,
    ) -> Runs {
        let mut runs: Vec<Vec<StepRun>> = vec![Vec::new(); plan.len()];
        let check = order.len() > plan.len() && plan.len() > 1;
        let total = order.len() + usize::from(check);
        let t0 = Instant::now();
        let mut checked = None;
        for (pos, &i) in order
            .iter()
            .chain(order.first().filter(|_| check))
            .enumerate()
        {
            if progress.cancelled() {
                break;
            }
            let step = StepProgress {
                inner: progress,
                label: format!(
                    "step {}/{} {} (run {}/{total}, {:.0} s in)",
                    i + 1,
                    plan.len(),
                    pairs_text(&plan[i]),
                    pos + 1,
                    t0.elapsed().as_secs_f64()
                ),
                done: pos as u64,
                total: total as u64,
            };
            match self.run(&plan[i], pos, &step) {
                Ok(Some(r)) if pos < order.len() => runs[i].push(r),
                Ok(Some(r)) => checked = Some(r),
                Ok(None) => break,
                Err(e) => {
                    let f = format!(
                        "step {}/{} ({}) failed in run {}/{total}: {e:#}",
                        i + 1,
                        plan.len(),
                        pairs_text(&plan[i]),
                        pos + 1
                    );
                    return (runs, None, Some(f));
                }
            }
        }
        (runs, checked, None)
    }

    /// One run: apply, rewrite, warm up until steady, measure. `None` when it was
    /// cancelled before the end of its measured part (a partial run is not reported).
    fn run(
        &self,
        pairs: &[(String, String)],
        position: usize,
        progress: &dyn Progress,
    ) -> anyhow::Result<Option<StepRun>> {
        progress.phase("applying", None);
        for (name, value) in pairs {
            self.db.set_option_with(name, value, false)?;
        }
        let rewrite_secs = if self.rewrite {
            Some(self.rewrite_data(pairs, progress)?)
        } else {
            None
        };
        let Some((warm, settled)) = self.warm_up(progress)? else {
            return Ok(None);
        };
        let Some(windows) = self.measure(progress)? else {
            return Ok(None);
        };
        let held = self.db.held_bytes()?;
        let rss = self.db.metrics_snapshot().memory.rss_bytes;
        Ok(Some(run_of(
            position,
            &windows,
            (warm, settled),
            rewrite_secs,
            held,
            rss,
        )))
    }

    /// A full compaction, so the measured data is written under the step's values.
    fn rewrite_data(
        &self,
        pairs: &[(String, String)],
        progress: &dyn Progress,
    ) -> anyhow::Result<f64> {
        let bytes = self.db.metrics_snapshot().rocksdb.sst_bytes as f64;
        let guess = bytes / self.rewrite_rate.get();
        progress.phase(
            &format!(
                "rewriting {:.1} MiB under {} (full compaction, about {guess:.0} s)",
                bytes / (1u64 << 20) as f64,
                pairs_text(pairs)
            ),
            None,
        );
        // Forced down to the bottom level: a plain compaction leaves a bottommost file
        // as it is, written under the old values (measured: a "rewrite" of 1M rows in
        // 0.0 s). `compact_range` also marks it on the charts.
        let secs = self.db.compact_range(None)?;
        if secs > 0.0 && bytes > 0.0 {
            self.rewrite_rate.set(bytes / secs);
        }
        Ok(secs)
    }

    /// Windows until the last few agree, or `--warmup` is spent; the warm-up's length
    /// and whether it ended steady. `None` on cancel.
    fn warm_up(&self, progress: &dyn Progress) -> anyhow::Result<Option<(f64, bool)>> {
        let t = Instant::now();
        let mut seen = Vec::new();
        while t.elapsed() < self.cfg.warmup {
            progress.phase(
                &format!("warm-up to a steady state ({} windows)", seen.len()),
                None,
            );
            let left = self.cfg.warmup.saturating_sub(t.elapsed());
            let Some(w) = self.window(self.window.min(left).max(MIN_WINDOW), progress)? else {
                return Ok(None);
            };
            seen.push(w);
            if steady::is_steady(&seen) {
                return Ok(Some((t.elapsed().as_secs_f64(), true)));
            }
        }
        Ok(Some((t.elapsed().as_secs_f64(), false)))
    }

    /// The measured part: windows covering the step's duration. `None` on cancel.
    fn measure(&self, progress: &dyn Progress) -> anyhow::Result<Option<Vec<Window>>> {
        let duration = self.cfg.ycsb.duration.unwrap_or(MAX_WINDOW);
        let mut out: Vec<Window> = Vec::new();
        let mut spent = Duration::ZERO;
        while spent < duration {
            progress.phase("measuring", None);
            let len = self.window.min(duration - spent).max(MIN_WINDOW);
            let Some(w) = self.window(len, progress)? else {
                return Ok(None);
            };
            spent += len;
            out.push(w);
        }
        Ok(Some(out))
    }

    /// The workload for `len`, with the cache figures of that time. `None` on cancel.
    fn window(&self, len: Duration, progress: &dyn Progress) -> anyhow::Result<Option<Window>> {
        let mut cfg = self.cfg.ycsb.clone();
        cfg.duration = Some(len);
        let mut mw = MetricsWindow::new();
        self.db.metrics_window(&mut mw);
        let r = match run_timed(&self.engine, self.keys, &cfg, progress) {
            Err(e) if e.is::<Cancelled>() => return Ok(None),
            r => r?,
        };
        let s = self.db.metrics_window(&mut mw);
        if progress.cancelled() {
            return Ok(None);
        }
        let b = s.rocksdb.tickers.block_cache;
        let block = (
            b.data_hit + b.index_hit + b.filter_hit,
            b.data_miss + b.index_miss + b.filter_miss,
        );
        Ok(Some(Window {
            ops_per_sec: r.ops_per_s,
            value_hit: rate(s.cache.hits, s.cache.misses),
            block_hit: s
                .rocksdb
                .statistics_enabled
                .then(|| rate(block.0, block.1))
                .flatten(),
            p50_ns: r.all_ops.p50_ns,
            p99_ns: r.all_ops.p99_ns,
            ops: r.ops,
            secs: r.secs,
        }))
    }
}

/// A run from its measured windows.
fn run_of(
    position: usize,
    w: &[Window],
    (warmup_secs, settled): (f64, bool),
    rewrite_secs: Option<f64>,
    held: HeldBytes,
    rss_bytes: u64,
) -> StepRun {
    let ops: u64 = w.iter().map(|x| x.ops).sum();
    let secs: f64 = w.iter().map(|x| x.secs).sum();
    let med = |f: fn(&Window) -> f64| steady::median(&w.iter().map(f).collect::<Vec<_>>());
    let med_rate = |f: fn(&Window) -> Option<f64>| {
        let v: Vec<f64> = w.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| steady::median(&v))
    };
    StepRun {
        position,
        ops_per_sec: if secs > 0.0 { ops as f64 / secs } else { 0.0 },
        p50_ns: med(|x| x.p50_ns as f64).round() as u64,
        p99_ns: med(|x| x.p99_ns as f64).round() as u64,
        value_cache_hit_rate: med_rate(|x| x.value_hit),
        block_cache_hit_rate: med_rate(|x| x.block_hit),
        windows: w.iter().map(|x| x.ops_per_sec).collect(),
        warmup_secs,
        settled,
        rewrite_secs,
        samples: ops,
        secs,
        memory_bytes: held.total(),
        held,
        rss_bytes,
    }
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
