//! Value-cache and block-cache hit rates (gauges over the last seconds and their
//! history), and each cache's use against its capacity.
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
        let c = &s.snapshot.cache;
        let rk = &s.snapshot.rocksdb;
        // The longest form that fits: "used" and "entries" go first when narrow.
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
        lines.push(Line::from(vec![
            Span::styled("value ", Style::default().fg(VALUE)),
            Span::styled(used, dim()),
            Span::raw(format!("{n}{entries}")),
        ]));
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
        lines.push(Line::from(vec![
            Span::styled("block ", Style::default().fg(BLOCK)),
            Span::styled(used, dim()),
            Span::raw(b),
        ]));
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
        markers: app.series.markers().iter().collect(),
        x: [start, end],
        y: [0.0, 100.0],
        y_label: &label,
        end_label: if app.frozen_at.is_some() {
            "frozen"
        } else {
            "now"
        },
    };
    chart.render(
        Rect {
            y: inner.y + used,
            height: rest - curve_rows,
            ..inner
        },
        buf,
    );
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
