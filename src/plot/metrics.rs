//! The recorded metrics over time as one figure (`.export metrics FILE.svg`): a function
//! over plain points, so the dashboard's samples and any other history of snapshots can
//! both be drawn.
use super::{Chart, Figure, LineChart, PlotError, Series};
use crate::metrics::Snapshot;

/// Memory components drawn, in the order of [`MetricsPoint::memory`].
pub const MEMORY_PARTS: [&str; 5] = [
    "ALEX index",
    "value cache",
    "block cache",
    "memtables",
    "table readers",
];

/// One recorded sample as the metrics figure reads it. `None` where the window measured
/// nothing (no timed get, no cache lookup).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsPoint {
    /// Seconds on the recorder's clock.
    pub t: f64,
    pub reads_per_s: f64,
    pub writes_per_s: f64,
    pub get_p50_ns: Option<f64>,
    pub get_p99_ns: Option<f64>,
    /// 0..=1.
    pub value_cache_hit_rate: Option<f64>,
    /// 0..=1.
    pub block_cache_hit_rate: Option<f64>,
    /// Bytes held by each of [`MEMORY_PARTS`].
    pub memory: [u64; 5],
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl MetricsPoint {
    /// From a windowed snapshot taken at `t`: reads are gets, scans and counts; writes
    /// are rows written and deletes (as the dashboard counts them).
    pub fn from_snapshot(t: f64, s: &Snapshot) -> Self {
        let per_s = |n: u64| {
            if s.window_secs > 0.0 {
                n as f64 / s.window_secs
            } else {
                0.0
            }
        };
        let get = &s.latency.get;
        let timed = |v: u64| (get.samples > 0).then_some(v as f64);
        let b = &s.rocksdb.tickers.block_cache;
        let block_hits = b.data_hit + b.index_hit + b.filter_hit;
        let block_misses = b.data_miss + b.index_miss + b.filter_miss;
        let m = &s.memory;
        MetricsPoint {
            t,
            reads_per_s: per_s(s.ops.get + s.ops.scan + s.ops.count),
            writes_per_s: per_s(s.rows.written + s.ops.delete),
            get_p50_ns: timed(get.p50_ns),
            get_p99_ns: timed(get.p99_ns),
            value_cache_hit_rate: ratio(s.cache.hits, s.cache.hits + s.cache.misses),
            block_cache_hit_rate: ratio(block_hits, block_hits + block_misses),
            memory: [
                m.alex_bytes,
                m.value_cache_bytes,
                m.block_cache_bytes,
                m.memtable_bytes,
                m.table_readers_bytes,
            ],
        }
    }
}

/// A line of `f`'s values over time, skipping the samples where it measured nothing.
fn series(name: &str, points: &[MetricsPoint], f: impl Fn(&MetricsPoint) -> Option<f64>) -> Series {
    Series {
        name: name.into(),
        points: points
            .iter()
            .filter_map(|p| f(p).map(|v| (p.t, v)))
            .collect(),
    }
}

fn panel(title: &str, y_label: &str, series: Vec<Series>, markers: &[(f64, String)]) -> Chart {
    Chart::Line(LineChart {
        title: title.into(),
        x_label: "time (s)".into(),
        y_label: y_label.into(),
        series,
        markers: markers.to_vec(),
        ..LineChart::default()
    })
}

/// Four panels over time: throughput, get latency, hit rates, memory by component, each
/// with `markers` (option changes, reopens, flushes) as labelled vertical lines. The
/// caption starts with what the samples span; `caption` follows.
pub fn metrics_figure(
    points: &[MetricsPoint],
    markers: &[(f64, String)],
    caption: &[String],
) -> Result<Figure, PlotError> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Err(PlotError::Empty("recorded metrics".into()));
    };
    let pct = |v: Option<f64>| v.map(|r| r * 100.0);
    let mib = |i: usize| move |p: &MetricsPoint| Some(p.memory[i] as f64 / (1u64 << 20) as f64);
    let panels = vec![
        panel(
            "Throughput",
            "operations per second (ops/s)",
            vec![
                series("reads/s", points, |p| Some(p.reads_per_s)),
                series("writes/s", points, |p| Some(p.writes_per_s)),
            ],
            markers,
        ),
        panel(
            "Get latency",
            "latency per get (ns)",
            vec![
                series("get p50", points, |p| p.get_p50_ns),
                series("get p99", points, |p| p.get_p99_ns),
            ],
            markers,
        ),
        panel(
            "Hit rates",
            "hit rate (%)",
            vec![
                series("value cache", points, |p| pct(p.value_cache_hit_rate)),
                series("block cache", points, |p| pct(p.block_cache_hit_rate)),
            ],
            markers,
        ),
        panel(
            "Memory by component",
            "memory held (MiB)",
            (0..MEMORY_PARTS.len())
                .map(|i| series(MEMORY_PARTS[i], points, mib(i)))
                .collect(),
            markers,
        ),
    ];
    let mut lines = vec![format!(
        "{} samples from t = {:.1} s to {:.1} s; dashed lines: option changes, reopens, flushes ({} in this span)",
        points.len(),
        first.t,
        last.t,
        markers.len()
    )];
    lines.extend(caption.iter().cloned());
    Ok(Figure {
        title: "alexdb metrics over time".into(),
        caption: lines,
        panels,
        columns: 2,
    })
}

/// [`metrics_figure`] as SVG text.
pub fn metrics_svg(
    points: &[MetricsPoint],
    markers: &[(f64, String)],
    caption: &[String],
) -> Result<String, PlotError> {
    super::figure_svg(&metrics_figure(points, markers, caption)?)
}
