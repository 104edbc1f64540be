//! The recorded metrics over time as one figure (`.export metrics FILE.svg`): a function
//! over plain points, so the dashboard's samples and any other history of snapshots can
//! both be drawn.
use super::layout::{break_gaps, typical_step};
use super::{Chart, Figure, LineChart, PlotError, Series};
use engine::metrics::Snapshot;

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

/// A line of `f`'s values over time, skipping the samples where it measured nothing,
/// broken wherever more than `max_step` seconds pass between two of its points.
fn series(
    name: &str,
    points: &[MetricsPoint],
    max_step: f64,
    f: impl Fn(&MetricsPoint) -> Option<f64>,
) -> Series {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| f(p).map(|v| (p.t, v)))
        .collect();
    Series {
        name: name.into(),
        points: break_gaps(&pts, max_step),
        ..Series::default()
    }
}

/// The time axis every panel shares: the samples' span and the markers in it.
fn time_span(points: &[MetricsPoint], markers: &[(f64, String)]) -> (f64, f64) {
    points
        .iter()
        .map(|p| p.t)
        .chain(markers.iter().map(|m| m.0))
        .filter(|t| t.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        })
}

/// The unit latency reads best in: ns, µs or ms, whichever keeps the largest value
/// at 1 or more.
fn latency_unit(points: &[MetricsPoint]) -> (f64, &'static str) {
    let max = points
        .iter()
        .flat_map(|p| [p.get_p50_ns, p.get_p99_ns])
        .flatten()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    match max {
        m if m >= 1e6 => (1e6, "ms"),
        m if m >= 1e3 => (1e3, "µs"),
        _ => (1.0, "ns"),
    }
}

/// The longest step between samples drawn as one line: three sample periods.
fn max_step(points: &[MetricsPoint]) -> f64 {
    let ts: Vec<f64> = points.iter().map(|p| p.t).collect();
    typical_step(&ts).map_or(f64::INFINITY, |s| 3.0 * s)
}

fn panel(title: &str, y_label: &str, series: Vec<Series>, shared: &Shared) -> LineChart {
    LineChart {
        title: title.into(),
        x_label: "time (s)".into(),
        y_label: y_label.into(),
        series,
        markers: shared.markers.to_vec(),
        x_range: Some(shared.span),
        ..LineChart::default()
    }
}

/// What every panel of the figure shares: the markers and the time axis.
struct Shared<'m> {
    markers: &'m [(f64, String)],
    span: (f64, f64),
}

/// Four panels over one time axis: throughput, get latency (in ns, µs or ms), hit
/// rates (0 to 100%), memory by component, each with `markers` (option changes,
/// reopens, flushes) as labelled vertical lines. Lines break where no sample was
/// recorded for more than three sample periods. The caption starts with what the
/// samples span; `caption` follows.
pub fn metrics_figure(
    points: &[MetricsPoint],
    markers: &[(f64, String)],
    caption: &[String],
) -> Result<Figure, PlotError> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Err(PlotError::Empty("recorded metrics".into()));
    };
    let shared = Shared {
        markers,
        span: time_span(points, markers),
    };
    let step = max_step(points);
    let pct = |v: Option<f64>| v.map(|r| r * 100.0);
    let mib = |i: usize| move |p: &MetricsPoint| Some(p.memory[i] as f64 / (1u64 << 20) as f64);
    let (div, unit) = latency_unit(points);
    let lat = |v: Option<f64>| v.map(|ns| ns / div);
    let mut hits = panel(
        "Hit rates",
        "hit rate (%)",
        vec![
            series("value cache", points, step, |p| pct(p.value_cache_hit_rate)),
            series("block cache", points, step, |p| pct(p.block_cache_hit_rate)),
        ],
        &shared,
    );
    hits.y_range = Some((0.0, 100.0));
    hits.y_suffix = "%".into();
    let panels = vec![
        panel(
            "Throughput",
            "operations per second (ops/s)",
            vec![
                series("reads/s", points, step, |p| Some(p.reads_per_s)),
                series("writes/s", points, step, |p| Some(p.writes_per_s)),
            ],
            &shared,
        ),
        panel(
            "Get latency",
            &format!("latency per get ({unit})"),
            vec![
                series("get p50", points, step, |p| lat(p.get_p50_ns)),
                series("get p99", points, step, |p| lat(p.get_p99_ns)),
            ],
            &shared,
        ),
        hits,
        panel(
            "Memory by component",
            "memory held (MiB)",
            (0..MEMORY_PARTS.len())
                .map(|i| series(MEMORY_PARTS[i], points, step, mib(i)))
                .collect(),
            &shared,
        ),
    ];
    let gaps = points.windows(2).filter(|w| w[1].t - w[0].t > step).count();
    let mut head = format!(
        "{} samples from t = {:.1} s to {:.1} s; dashed lines: option changes, reopens, flushes ({} in this span)",
        points.len(),
        first.t,
        last.t,
        markers.len()
    );
    if gaps > 0 {
        head.push_str(&format!(
            "; {gaps} gap(s) with no samples for over 3 sample periods left blank"
        ));
    }
    let mut lines = vec![head];
    lines.extend(caption.iter().cloned());
    Ok(Figure {
        title: "alexdb metrics over time".into(),
        caption: lines,
        panels: panels.into_iter().map(Chart::Line).collect(),
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
