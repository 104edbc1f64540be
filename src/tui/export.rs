//! `.export metrics FILE.svg`: the dashboard's recorded samples and markers drawn by
//! [`bench::plot::metrics`] (which any other history of snapshots can call too).
use super::app::{App, LogKind};
use bench::plot::PlotError;
use bench::plot::metrics::{MetricsPoint, metrics_svg};

/// The recorded samples as SVG, with option-change and reopen markers and the flushes
/// from the event log; and how many markers were drawn.
pub fn metrics_svg_of(app: &App) -> Result<(String, usize), PlotError> {
    let samples = app.series.samples();
    let points: Vec<MetricsPoint> = samples
        .iter()
        .map(|s| MetricsPoint::from_snapshot(s.t, &s.snapshot))
        .collect();
    // Flushes only go to the log; draw those the samples' span covers.
    let from = samples
        .front()
        .map_or(0.0, |s| s.t - s.snapshot.window_secs);
    let mut markers: Vec<(f64, String)> = app
        .series
        .markers()
        .iter()
        .map(|m| (m.t, m.label.clone()))
        .chain(
            app.log
                .iter()
                .filter(|e| e.kind == LogKind::Flush && e.t >= from)
                .map(|e| (e.t, "flush".to_string())),
        )
        .collect();
    markers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let svg = metrics_svg(&points, &markers, &last_sample_caption(app))?;
    Ok((svg, markers.len()))
}

/// The database and the memory figures of the newest sample (measured, not configured).
fn last_sample_caption(app: &App) -> Vec<String> {
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    let mut lines = vec![format!("database {}", app.db_path)];
    if let Some(s) = app.series.latest() {
        let n = &s.snapshot;
        lines.push(format!(
            "at the last sample: RSS {:.1} MiB; value cache {} entries, {:.1} MiB ({}); block cache {:.1} of {:.1} MiB",
            mib(n.memory.rss_bytes),
            n.cache.entries,
            mib(n.cache.bytes),
            n.cache.policy,
            mib(n.rocksdb.block_cache_usage),
            mib(n.rocksdb.block_cache_capacity),
        ));
    }
    lines
}
