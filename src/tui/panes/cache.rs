//! Value-cache and block-cache hit rates (gauges over the last seconds and their
//! history), and each cache's use against its capacity.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::chart::{Series, TimeChart};
use super::{bar, dim, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;

/// Seconds the hit-rate gauges cover.
pub const GAUGE_SECS: f64 = 2.0;
pub const VALUE: Color = Color::Green;
pub const BLOCK: Color = Color::Blue;

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
    let gauge = |name: &str, color: Color, rate: Option<f64>, none: &str| {
        let mut spans = vec![Span::styled(
            format!("{name:<6}"),
            Style::default().fg(color),
        )];
        match rate {
            Some(f) => {
                let bw = w.saturating_sub(14).max(1);
                spans.extend(bar(f, bw, color));
                spans.push(Span::raw(format!(" {:>6}", fmt::pct(f))));
            }
            None => spans.push(Span::styled(none.to_string(), dim())),
        }
        Line::from(spans)
    };
    let mut lines = vec![
        gauge("value", VALUE, r.value_cache_hit_rate(), "no lookups"),
        gauge(
            "block",
            BLOCK,
            r.block_cache_hit_rate(),
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
        let used = if w >= 26 { "used " } else { "" };
        lines.push(Line::from(vec![
            Span::styled("value ", Style::default().fg(VALUE)),
            Span::styled(used, dim()),
            Span::raw(format!(
                "{}/{}{}",
                fmt::count(c.entries as f64),
                fmt::count(c.capacity as f64),
                if w >= 28 { " entries" } else { "" }
            )),
        ]));
        lines.push(Line::from(vec![
            Span::styled("block ", Style::default().fg(BLOCK)),
            Span::styled(used, dim()),
            Span::raw(
                format!(
                    "{}/{}",
                    fmt::bytes(rk.block_cache_usage),
                    fmt::bytes(rk.block_cache_capacity)
                )
                .replace(' ', ""),
            ),
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
            height: inner.height - used,
            ..inner
        },
        buf,
    );
}
