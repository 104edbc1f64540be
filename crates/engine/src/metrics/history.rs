//! The executor's metrics history: one windowed sample a second (taken by the command
//! layer's sampler thread), about ten minutes kept, and the figures of "the last N
//! seconds" computed from it. Plain data and window math only; no threads here.
//!
//! Memory: a sample is one [`Snapshot`] (about 1.5 KiB with its LSM levels) plus, per
//! operation kind, a sparse latency histogram of at most [`MAX_BUCKETS`] 8-byte buckets.
//! 600 samples cost at most 600 × (1.5 KiB + 6 × 256 × 8 B) ≈ 8.3 MiB, usually far less
//! (a second of gets fills a few dozen buckets).
use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::snapshot::{LatencySummary, Snapshot};
use super::sum::Combine;

/// Samples kept: ten minutes of one a second.
pub const HISTORY_SAMPLES: usize = 600;
/// A window with fewer seconds of operations than this is marked as resting on few samples.
pub const FEW_SECS: f64 = 5.0;
/// Buckets one kind's histogram keeps in one sample; wider spreads are coarsened.
pub const MAX_BUCKETS: usize = 256;
/// ln(1.01): buckets 1% wide, the precision of the recorder's histograms.
const LN_STEP: f64 = 0.009_950_330_853_168_083;
/// The operation kinds, in the order of [`HistorySample::latency`].
pub const KINDS: [&str; 6] = ["get", "put", "delete", "scan", "count", "load"];

/// Latencies of one operation kind in one sample: (bucket, count) sorted by bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogHist {
    buckets: Vec<(u16, u32)>,
}

fn index_of(ns: f64) -> u16 {
    (ns.max(1.0).ln() / LN_STEP)
        .round()
        .min(f64::from(u16::MAX)) as u16
}

fn value_of(index: u16) -> f64 {
    (f64::from(index) * LN_STEP).exp()
}

impl LogHist {
    /// From (latency in ns, count) pairs.
    pub fn from_values(values: impl IntoIterator<Item = (f64, u64)>) -> Self {
        let mut fine: BTreeMap<u16, u64> = BTreeMap::new();
        for (ns, n) in values {
            *fine.entry(index_of(ns)).or_default() += n;
        }
        Self::bounded(&fine)
    }

    /// From a window's recorder histogram (clock ticks).
    pub fn from_hdr(h: &hdrhistogram::Histogram<u64>, ns_per_tick: f64) -> Self {
        Self::from_values(h.iter_recorded().map(|v| {
            let ticks = h.median_equivalent(v.value_iterated_to());
            (ticks as f64 * ns_per_tick, v.count_at_value())
        }))
    }

    /// Keeps at most [`MAX_BUCKETS`]: merges neighbours (2, 4, 8 ... wide, each at its
    /// middle) until they fit, so a sample's memory is bounded whatever its spread.
    fn bounded(fine: &BTreeMap<u16, u64>) -> Self {
        let mut shift = 0u32;
        loop {
            let mut coarse: BTreeMap<u16, u64> = BTreeMap::new();
            for (&i, &n) in fine {
                let j = if shift == 0 {
                    i
                } else {
                    ((i >> shift) << shift).saturating_add(1 << (shift - 1))
                };
                *coarse.entry(j).or_default() += n;
            }
            if coarse.len() <= MAX_BUCKETS || shift >= 15 {
                let buckets = coarse
                    .into_iter()
                    .map(|(i, n)| (i, n.min(u64::from(u32::MAX)) as u32))
                    .collect();
                return LogHist { buckets };
            }
            shift += 1;
        }
    }

    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|&(_, n)| u64::from(n)).sum()
    }

    /// Buckets held (for the memory bound).
    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }
}

/// Merges histograms and reads the latency at quantile `q` (like hdrhistogram: the
/// smallest value with at least `q` of the counts at or below it); `None` when empty.
pub fn merged_quantile<'a>(hists: impl IntoIterator<Item = &'a LogHist>, q: f64) -> Option<f64> {
    let mut merged: BTreeMap<u16, u64> = BTreeMap::new();
    for h in hists {
        for &(i, n) in &h.buckets {
            *merged.entry(i).or_default() += u64::from(n);
        }
    }
    let total: u64 = merged.values().sum();
    if total == 0 {
        return None;
    }
    let target = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (i, n) in merged {
        seen += n;
        if seen >= target {
            return Some(value_of(i));
        }
    }
    None
}

/// One second of the history.
#[derive(Debug, Clone, Default)]
pub struct HistorySample {
    /// The window's snapshot (its events dropped).
    pub snapshot: Snapshot,
    /// The window's latencies per kind, in [`KINDS`] order.
    pub latency: [LogHist; 6],
    /// An option changed or RocksDB reopened during this second.
    pub changed: bool,
}

impl HistorySample {
    pub fn new(mut snapshot: Snapshot, latency: [LogHist; 6]) -> Self {
        let changed = snapshot
            .events
            .iter()
            .any(|e| matches!(e.kind, "option" | "reopen"));
        snapshot.events.clear();
        HistorySample {
            snapshot,
            latency,
            changed,
        }
    }

    fn end(&self) -> f64 {
        self.snapshot.uptime_secs
    }
}

/// A bounded ring of samples, oldest first.
#[derive(Debug, Clone)]
pub struct History {
    samples: VecDeque<HistorySample>,
    capacity: usize,
}

impl Default for History {
    fn default() -> Self {
        Self::new(HISTORY_SAMPLES)
    }
}

impl History {
    pub fn new(capacity: usize) -> Self {
        History {
            samples: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, s: HistorySample) {
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(s);
    }

    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> impl Iterator<Item = &HistorySample> {
        self.samples.iter()
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The figures of the last `secs` seconds ending at the last sample with operations
    /// (idle seconds after it do not dilute it), never reaching back to an option change
    /// or reopen (the second it happened in mixes two settings); `None` when no sample
    /// after the last change had operations.
    pub fn window(&self, secs: f64) -> Option<WindowFigures> {
        self.chosen(secs).map(|w| WindowFigures::from_samples(&w))
    }

    /// The same window as [`History::window`] as one [`Snapshot`]: counters, tickers and
    /// splits summed over its samples, gauges (memory, LSM shape) from its last sample.
    /// Latency summaries are left empty (the window's percentiles are in `window`).
    pub fn window_snapshot(&self, secs: f64) -> Option<Snapshot> {
        let w = self.chosen(secs)?;
        let mut out = w.last()?.snapshot.clone();
        out.latency = Default::default();
        let rest = &w[..w.len() - 1];
        for s in rest.iter().map(|s| &s.snapshot) {
            add_counters(&mut out, s);
        }
        let c = &mut out.cache;
        c.hit_rate = if c.hits + c.misses == 0 {
            0.0
        } else {
            c.hits as f64 / (c.hits + c.misses) as f64
        };
        out.get_split.recompute_pct();
        Some(out)
    }

    /// The samples of the last `secs` seconds ending at the last one with operations, and
    /// never reaching back across an option change (that second mixes two settings).
    fn chosen(&self, secs: f64) -> Option<Vec<&HistorySample>> {
        let from = self
            .samples
            .iter()
            .rposition(|s| s.changed)
            .map_or(0, |i| i + 1);
        let last = self
            .samples
            .iter()
            .rposition(|s| s.snapshot.ops.total > 0)?;
        if last < from {
            return None;
        }
        let end = self.samples[last].end();
        // A sample covers (end - window_secs, end]; keep those ending inside the span.
        let chosen: Vec<&HistorySample> = self
            .samples
            .range(from..=last)
            .filter(|s| s.end() > end - secs + 1e-6)
            .collect();
        Some(chosen)
    }
}

/// One figure of a window: its value over the whole window, and the mean and standard
/// deviation of its per-sample (per-second) values, which give the spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub name: String,
    pub unit: String,
    pub value: f64,
    pub mean: f64,
    pub sd: f64,
    /// Samples the mean and sd rest on.
    pub n: usize,
}

/// The figures of a window of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowFigures {
    pub samples: usize,
    /// Seconds the samples cover.
    pub secs: f64,
    /// Seconds of samples that had operations.
    pub active_secs: f64,
    /// Fewer than [`FEW_SECS`] seconds with operations: the figures are rough.
    pub few_samples: bool,
    /// Its last [`STEADY_SECS`] seconds with operations agree ([`figures_agree`]);
    /// `None` with fewer such seconds, and in baselines saved before it was measured.
    #[serde(default)]
    pub steady: Option<bool>,
    pub figures: Vec<Figure>,
}

impl WindowFigures {
    pub fn get(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }

    pub fn value(&self, name: &str) -> Option<f64> {
        self.get(name).map(|f| f.value)
    }

    /// Computes every figure from the window's samples.
    pub fn from_samples(w: &[&HistorySample]) -> Self {
        let secs: f64 = w.iter().map(|s| s.snapshot.window_secs).sum();
        let active_secs: f64 = w
            .iter()
            .filter(|s| s.snapshot.ops.total > 0)
            .map(|s| s.snapshot.window_secs)
            .sum();
        let mut figures = Vec::new();
        throughput_figures(w, &mut figures);
        latency_figures(w, &mut figures);
        split_figures(w, &mut figures);
        gauge_figures(w, &mut figures);
        WindowFigures {
            samples: w.len(),
            secs,
            active_secs,
            few_samples: active_secs < FEW_SECS,
            steady: window_steady(w),
            figures,
        }
    }
}

/// Seconds (or windows) at the end of a measurement whose figures must agree.
pub const STEADY_SECS: usize = 3;
/// Largest spread of throughput (max - min over the median) across them.
pub const STEADY_OPS: f64 = 0.10;
/// Largest move of a hit rate (as a fraction) across them.
pub const STEADY_HIT: f64 = 0.02;

/// Whether consecutive measurements agree: `ops` (throughput) within [`STEADY_OPS`] of
/// each other, each series of `rates` within [`STEADY_HIT`] (a series of fewer than two
/// values says nothing). The rule `.sweep`'s warm-ups and `.compare`'s windows share.
pub fn figures_agree(ops: &[f64], rates: &[&[f64]]) -> bool {
    let spread = |v: &[f64]| {
        let (lo, hi) = min_max(v);
        hi - lo
    };
    let mut sorted: Vec<f64> = ops.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Some(&mid) = sorted.get(sorted.len() / 2) else {
        return false;
    };
    if mid <= 0.0 || spread(ops) / mid > STEADY_OPS {
        return false;
    }
    rates.iter().all(|r| r.len() < 2 || spread(r) <= STEADY_HIT)
}

/// Smallest and largest finite value of `v` (0, 0 for none).
pub fn min_max(v: &[f64]) -> (f64, f64) {
    let finite = v.iter().copied().filter(|x| x.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    if lo > hi { (0.0, 0.0) } else { (lo, hi) }
}

/// Whether the last [`STEADY_SECS`] seconds with operations of `w` agree on throughput
/// and value-cache hit rate.
fn window_steady(w: &[&HistorySample]) -> Option<bool> {
    let active: Vec<&Snapshot> = w
        .iter()
        .map(|s| &s.snapshot)
        .filter(|s| s.ops.total > 0 && s.window_secs > 0.0)
        .collect();
    let last = &active[active.len().checked_sub(STEADY_SECS)?..];
    let ops: Vec<f64> = last
        .iter()
        .map(|s| s.ops.total as f64 / s.window_secs)
        .collect();
    let hits: Vec<f64> = last
        .iter()
        .filter(|s| s.cache.hits + s.cache.misses > 0)
        .map(|s| s.cache.hits as f64 / (s.cache.hits + s.cache.misses) as f64)
        .collect();
    Some(figures_agree(&ops, &[&hits]))
}

type Pick = fn(&Snapshot) -> f64;

/// Mean and sample standard deviation (0 below two values).
pub fn mean_sd(v: &[f64]) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, 0.0);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn figure(name: &str, unit: &str, value: f64, per_sample: &[f64]) -> Figure {
    let (mean, sd) = mean_sd(per_sample);
    Figure {
        name: name.to_string(),
        unit: unit.to_string(),
        value,
        mean,
        sd,
        n: per_sample.len(),
    }
}

/// `scale · Σnum / Σden` over the window, per sample `scale · num / den` where `den > 0`;
/// `None` when the window's `den` is 0.
fn ratio(
    w: &[&HistorySample],
    name: &str,
    unit: &str,
    scale: f64,
    num: Pick,
    den: Pick,
) -> Option<Figure> {
    let d: f64 = w.iter().map(|s| den(&s.snapshot)).sum();
    if d <= 0.0 {
        return None;
    }
    let n: f64 = w.iter().map(|s| num(&s.snapshot)).sum();
    let per: Vec<f64> = w
        .iter()
        .filter(|s| den(&s.snapshot) > 0.0)
        .map(|s| scale * num(&s.snapshot) / den(&s.snapshot))
        .collect();
    Some(figure(name, unit, scale * n / d, &per))
}

fn throughput_figures(w: &[&HistorySample], out: &mut Vec<Figure>) {
    let secs: Pick = |s| s.window_secs;
    let rates: [(&str, Pick); 9] = [
        ("ops/s", |s| s.ops.total as f64),
        ("reads/s", |s| (s.ops.get + s.ops.scan + s.ops.count) as f64),
        ("writes/s", |s| (s.rows.written + s.ops.delete) as f64),
        ("get/s", |s| s.ops.get as f64),
        ("put/s", |s| s.ops.put as f64),
        ("delete/s", |s| s.ops.delete as f64),
        ("scan/s", |s| s.ops.scan as f64),
        ("count/s", |s| s.ops.count as f64),
        ("load/s", |s| s.ops.load as f64),
    ];
    for (i, (name, num)) in rates.into_iter().enumerate() {
        let any = w.iter().any(|s| num(&s.snapshot) > 0.0);
        // The first three always (a zero is a measurement); op kinds only when seen.
        if i < 3 || any {
            out.extend(ratio(w, name, "ops/s", 1.0, num, secs));
        }
    }
    out.extend(ratio(
        w,
        "value cache hit rate",
        "%",
        100.0,
        |s| s.cache.hits as f64,
        |s| (s.cache.hits + s.cache.misses) as f64,
    ));
    if w.last()
        .is_some_and(|s| s.snapshot.rocksdb.statistics_enabled)
    {
        out.extend(ratio(
            w,
            "block cache hit rate",
            "%",
            100.0,
            block_hits,
            block_lookups,
        ));
    }
}

fn block_hits(s: &Snapshot) -> f64 {
    let b = &s.rocksdb.tickers.block_cache;
    (b.data_hit + b.index_hit + b.filter_hit) as f64
}

fn block_lookups(s: &Snapshot) -> f64 {
    let b = &s.rocksdb.tickers.block_cache;
    block_hits(s) + (b.data_miss + b.index_miss + b.filter_miss) as f64
}

fn summary(s: &Snapshot, kind: usize) -> &LatencySummary {
    let l = &s.latency;
    [&l.get, &l.put, &l.delete, &l.scan, &l.count, &l.load][kind]
}

/// p50 / p99 / p99.9 per kind from the merged histograms of the window; the spread from
/// each second's own percentile.
fn latency_figures(w: &[&HistorySample], out: &mut Vec<Figure>) {
    type PickNs = fn(&LatencySummary) -> u64;
    let qs: [(&str, f64, PickNs); 3] = [
        ("p50", 0.50, |l| l.p50_ns),
        ("p99", 0.99, |l| l.p99_ns),
        ("p99.9", 0.999, |l| l.p999_ns),
    ];
    for (k, kind) in KINDS.iter().enumerate() {
        for (label, q, pick) in qs {
            let Some(v) = merged_quantile(w.iter().map(|s| &s.latency[k]), q) else {
                continue;
            };
            let per: Vec<f64> = w
                .iter()
                .map(|s| summary(&s.snapshot, k))
                .filter(|l| l.samples > 0)
                .map(|l| pick(l) as f64)
                .collect();
            out.push(figure(&format!("{kind} {label}"), "ns", v, &per));
        }
    }
}

/// The get split (ns per timed get) and RocksDB's own split (ns per measured get).
fn split_figures(w: &[&HistorySample], out: &mut Vec<Figure>) {
    let gets: Pick = |s| s.get_split.sampled_gets as f64;
    let parts: [(&str, Pick); 4] = [
        ("get split cache", |s| s.get_split.cache_ns as f64),
        ("get split alex", |s| s.get_split.alex_ns as f64),
        ("get split rocksdb", |s| s.get_split.rocksdb_ns as f64),
        ("get split rest", |s| s.get_split.rest_ns as f64),
    ];
    for (name, num) in parts {
        out.extend(ratio(w, name, "ns/get", 1.0, num, gets));
    }
    let perf_gets: Pick = |s| s.rocksdb_perf.gets as f64;
    let perf: [(&str, Pick); 6] = [
        ("rocksdb memtable", |s| s.rocksdb_perf.memtable_ns as f64),
        ("rocksdb filter", |s| s.rocksdb_perf.filter_ns as f64),
        ("rocksdb index", |s| s.rocksdb_perf.index_ns as f64),
        ("rocksdb data block", |s| {
            s.rocksdb_perf.data_block_ns as f64
        }),
        ("rocksdb block read", |s| {
            s.rocksdb_perf.block_read_ns as f64
        }),
        ("rocksdb decompress", |s| {
            s.rocksdb_perf.decompress_ns as f64
        }),
    ];
    for (name, num) in perf {
        out.extend(ratio(w, name, "ns/get", 1.0, num, perf_gets));
    }
}

/// A gauge: the newest sample's value; mean and spread over the window.
fn gauge(
    w: &[&HistorySample],
    name: &str,
    unit: &str,
    f: &dyn Fn(&Snapshot) -> f64,
) -> Option<Figure> {
    let last = w.last()?;
    let per: Vec<f64> = w.iter().map(|s| f(&s.snapshot)).collect();
    Some(figure(name, unit, f(&last.snapshot), &per))
}

/// Memory by component and the LSM shape (levels that hold files now).
fn gauge_figures(w: &[&HistorySample], out: &mut Vec<Figure>) {
    let mem: [(&str, Pick); 6] = [
        ("memory rss", |s| s.memory.rss_bytes as f64),
        ("memory alex", |s| s.memory.alex_bytes as f64),
        ("memory value cache", |s| s.memory.value_cache_bytes as f64),
        ("memory block cache", |s| s.memory.block_cache_bytes as f64),
        ("memory memtables", |s| s.memory.memtable_bytes as f64),
        ("memory table readers", |s| {
            s.memory.table_readers_bytes as f64
        }),
    ];
    for (name, f) in mem {
        out.extend(gauge(w, name, "B", &f));
    }
    let Some(last) = w.last() else { return };
    for l in last.snapshot.rocksdb.levels.iter().filter(|l| l.files > 0) {
        let level = l.level;
        let at = move |s: &Snapshot, files: bool| {
            let found = s.rocksdb.levels.iter().find(|x| x.level == level);
            found.map_or(0.0, |x| {
                if files {
                    x.files as f64
                } else {
                    x.bytes as f64
                }
            })
        };
        out.extend(gauge(w, &format!("lsm L{level} files"), "files", &|s| {
            at(s, true)
        }));
        out.extend(gauge(w, &format!("lsm L{level} bytes"), "B", &|s| {
            at(s, false)
        }));
    }
    out.extend(gauge(w, "lsm pending compaction", "B", &|s| {
        s.rocksdb.pending_compaction_bytes as f64
    }));
}

/// A baseline as the dashboard draws it: flat lines at its throughput and latencies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reference {
    pub name: String,
    pub reads_per_s: Option<f64>,
    pub writes_per_s: Option<f64>,
    /// p50 / p99 / p99.9 in ns per kind ([`KINDS`] order).
    pub latency: [Option<[f64; 3]>; 6],
}

impl Reference {
    pub fn from_figures(name: &str, w: &WindowFigures) -> Self {
        let latency = std::array::from_fn(|k| {
            let p = |q: &str| w.value(&format!("{} {q}", KINDS[k]));
            Some([p("p50")?, p("p99")?, p("p99.9")?])
        });
        Reference {
            name: name.to_string(),
            reads_per_s: w.value("reads/s"),
            writes_per_s: w.value("writes/s"),
            latency,
        }
    }
}

/// Adds `s`'s windowed counters into `out` (for a snapshot over several samples);
/// gauges, flags and ratios stay `out`'s.
fn add_counters(out: &mut Snapshot, s: &Snapshot) {
    let add = u64::saturating_add;
    out.window_secs += s.window_secs;
    out.ops = out.ops.combine(&s.ops, add);
    out.cache = out.cache.combine(&s.cache, add);
    out.index = out.index.combine(&s.index, add);
    out.rows = out.rows.combine(&s.rows, add);
    out.bytes = out.bytes.combine(&s.bytes, add);
    out.get_split = out.get_split.combine(&s.get_split, add);
    out.rocksdb_perf = out.rocksdb_perf.combine(&s.rocksdb_perf, add);
    out.rocksdb.tickers = out.rocksdb.tickers.combine(&s.rocksdb.tickers, add);
}
