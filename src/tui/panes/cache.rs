//! Value-cache and block-cache hit rates (gauges over the last seconds and their
//! history), each cache's use against its capacity, and (where there is room) the block
//! cache by kind: data, index and filter blocks' hit rates and the bytes each holds.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::chart::{Series, TimeChart};
use super::mrc::{self, BLOCK, VALUE};
use super::{MIN_SAMPLES, bar, dim, n_label, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;
use engine::metrics::RocksStats;

/// Seconds the hit-rate gauges cover.
pub const GAUGE_SECS: f64 = 2.0;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let end = app.chart_end();
    let start = end - app.chart_secs;
    let r = app.series.recent(end, GAUGE_SECS);
    let latest = app.series.at(app.frozen_at);
    let block = pane_block(app, Pane::Cache, "hit rate", area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let stats_on = latest.is_none_or(|s| s.snapshot.rocksdb.statistics_enabled);
    let w = inner.width as usize;
    let gauge = |name: &str, color: Color, hits: u64, lookups: u64, none: &str| {
        let mut spans = vec![Span::styled(
            format!("{name:<6}"),
            Style::default().fg(color),
        )];
        spans.extend(gauge_spans(hits, lookups, w.saturating_sub(6), color, none));
        Line::from(spans)
    };
    let mut lines = vec![
        gauge(
            "value",
            VALUE,
            r.vc_hits,
            r.vc_hits + r.vc_misses,
            "no lookups",
        ),
        gauge(
            "block",
            BLOCK,
            r.bc_hits,
            r.bc_hits + r.bc_misses,
            if stats_on {
                "no lookups"
            } else {
                "n/a (rocksdb_statistics off)"
            },
        ),
    ];
    if let Some(s) = latest {
        lines.extend(usage_lines(&s.snapshot, w));
    }
    // The block cache by kind when the chart keeps its rows below them.
    if let Some(s) = latest
        && stats_on
        && inner.height as usize >= lines.len() + KINDS.len() + 1 + MIN_CHART_ROWS
    {
        lines.push(Line::from(Span::styled(
            "block cache by kind: hit rate, bytes held",
            dim(),
        )));
        lines.extend(kind_lines(app, end, &s.snapshot.rocksdb, w));
    }
    for (i, l) in lines.iter().enumerate() {
        if i as u16 >= inner.height {
            return;
        }
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
    let used = lines.len() as u16;
    if inner.height < used + 2 {
        return;
    }
    // The miss-ratio curve takes the lower half when there is room for both.
    let rest = inner.height - used;
    let curve = latest.and_then(|s| {
        let c = s.snapshot.mrc.as_ref()?;
        Some((c, s.snapshot.rocksdb.block_cache_capacity))
    });
    let curve_rows = match curve {
        Some(_) if rest >= 4 + mrc::MIN_ROWS => (rest / 2).max(mrc::MIN_ROWS),
        _ => 0,
    };
    if let Some((c, block)) = curve.filter(|_| curve_rows > 0) {
        let area = Rect {
            y: inner.bottom() - curve_rows,
            height: curve_rows,
            ..inner
        };
        mrc::render(c, block, area, buf);
    }
    let chart_area = Rect {
        y: inner.y + used,
        height: rest - curve_rows,
        ..inner
    };
    hit_rate_chart(app, [start, end], chart_area, buf);
}

/// The two caches' use against their capacity: the longest form that fits ("used" and
/// "entries" go first when narrow).
fn usage_lines(snap: &engine::metrics::Snapshot, w: usize) -> [Line<'static>; 2] {
    let c = &snap.cache;
    let rk = &snap.rocksdb;
    let n = format!(
        "{}/{}",
        fmt::count(c.entries as f64),
        fmt::count(c.capacity as f64)
    );
    let with_used = w >= 6 + 5 + n.chars().count();
    let used = if with_used { "used " } else { "" };
    let entries = if with_used && w >= 6 + 5 + n.chars().count() + 8 {
        " entries"
    } else {
        ""
    };
    let value = Line::from(vec![
        Span::styled("value ", Style::default().fg(VALUE)),
        Span::styled(used, dim()),
        Span::raw(format!("{n}{entries}")),
    ]);
    let b = format!(
        "{}/{}",
        fmt::bytes(rk.block_cache_usage),
        fmt::bytes(rk.block_cache_capacity)
    )
    .replace(' ', "");
    let used = if w >= 6 + 5 + b.chars().count() {
        "used "
    } else {
        ""
    };
    let block = Line::from(vec![
        Span::styled("block ", Style::default().fg(BLOCK)),
        Span::styled(used, dim()),
        Span::raw(b),
    ]);
    [value, block]
}

/// The two hit rates over the chart's window, with the option-change markers.
fn hit_rate_chart(app: &App, [start, end]: [f64; 2], area: Rect, buf: &mut Buffer) {
    let mut vpts = Vec::new();
    let mut bpts = Vec::new();
    for s in app.series.range(start, end) {
        vpts.push((
            s.t,
            s.value_cache_hit_rate().map_or(f64::NAN, |f| f * 100.0),
        ));
        bpts.push((
            s.t,
            s.block_cache_hit_rate().map_or(f64::NAN, |f| f * 100.0),
        ));
    }
    let label = |v: f64| format!("{v:.0}%");
    let chart = TimeChart {
        series: vec![
            Series {
                color: BLOCK,
                points: bpts,
            },
            Series {
                color: VALUE,
                points: vpts,
            },
        ],
        markers: app.series.change_markers().collect(),
        x: [start, end],
        y: [0.0, 100.0],
        y_label: &label,
        end_label: if app.frozen_at.is_some() {
            "frozen"
        } else {
            "now"
        },
    };
    chart.render(area, buf);
}

/// Block kinds with their own rows (RocksDB's tickers split these three).
const KINDS: [&str; 3] = ["data", "index", "filter"];
/// Rows the hit-rate chart keeps before the kinds are shown above it.
const MIN_CHART_ROWS: usize = 5;

/// One row per block kind: its hit rate over the gauges' seconds (RocksDB's tickers)
/// and the bytes it holds in the block cache now (`rocksdb.block-cache-entry-stats`).
fn kind_lines(app: &App, end: f64, r: &RocksStats, w: usize) -> Vec<Line<'static>> {
    let mut sums = [(0u64, 0u64); 3];
    for s in app
        .series
        .range(end - GAUGE_SECS, end)
        .filter(|s| s.t > end - GAUGE_SECS)
    {
        let b = &s.snapshot.rocksdb.tickers.block_cache;
        for (sum, (h, m)) in sums.iter_mut().zip([
            (b.data_hit, b.data_miss),
            (b.index_hit, b.index_miss),
            (b.filter_hit, b.filter_miss),
        ]) {
            sum.0 += h;
            sum.1 += m;
        }
    }
    KINDS
        .iter()
        .zip(sums)
        .map(|(kind, (hits, misses))| {
            let held = kind_bytes(r, kind).map_or("-".to_string(), fmt::bytes);
            let mut spans = vec![Span::styled(
                format!(" {kind:<7}"),
                Style::default().fg(BLOCK),
            )];
            spans.extend(gauge_spans(
                hits,
                hits + misses,
                w.saturating_sub(8 + 10),
                BLOCK,
                "no lookups",
            ));
            let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
            let pad = w.saturating_sub(used + held.chars().count());
            spans.push(Span::raw(" ".repeat(pad)));
            spans.push(Span::raw(held));
            Line::from(spans)
        })
        .collect()
}

/// Bytes the block cache holds of `kind` (`filter` includes the partitioned filters'
/// `filter meta`); `None` when RocksDB did not report the kinds.
fn kind_bytes(r: &RocksStats, kind: &str) -> Option<u64> {
    if r.block_cache_by_kind.is_empty() {
        return None;
    }
    Some(
        r.block_cache_by_kind
            .iter()
            .filter(|k| k.kind == kind || (kind == "filter" && k.kind == "filter meta"))
            .map(|k| k.bytes)
            .sum(),
    )
}

/// A hit-rate gauge `width` cells wide: the bar and the rate, with the lookups it rests
/// on when there is room; greyed out with "too few" under [`MIN_SAMPLES`] lookups.
fn gauge_spans(
    hits: u64,
    lookups: u64,
    width: usize,
    color: Color,
    none: &str,
) -> Vec<Span<'static>> {
    if lookups == 0 {
        return vec![Span::styled(none.to_string(), dim())];
    }
    let f = hits as f64 / lookups as f64;
    let n = format!(" {}", n_label(lookups));
    if lookups < MIN_SAMPLES {
        let text = format!("{} too few{n}", fmt::pct(f));
        return vec![Span::styled(fmt::fit(&text, width), dim())];
    }
    let shown_n = if width >= 24 + n.chars().count() {
        n
    } else {
        String::new()
    };
    let bw = width.saturating_sub(8 + shown_n.chars().count()).max(1);
    let mut spans = bar(f, bw, color);
    spans.push(Span::raw(format!(" {:>6}", fmt::pct(f))));
    spans.push(Span::styled(shown_n, dim()));
    spans
}
