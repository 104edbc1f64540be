//! Reads/s and writes/s over time, with totals since the dashboard started.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::chart::{Reference, Series, TimeChart, nice_max};
use super::{dim, line_width, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;

pub const READS: Color = Color::Green;
pub const WRITES: Color = Color::Magenta;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let end = app.chart_end();
    let start = end - app.chart_secs;
    let latest = app.series.at(app.frozen_at);
    let (r, w) = latest.map_or((0.0, 0.0), |s| (s.reads_per_s(), s.writes_per_s()));
    let block = pane_block(app, Pane::Throughput, "ops/s", area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    let mut legend = vec![
        Span::styled("━ reads ", Style::default().fg(READS)),
        Span::raw(format!("{}/s  ", fmt::count(r))),
        Span::styled("━ writes ", Style::default().fg(WRITES)),
        Span::raw(format!("{}/s  ", fmt::count(w))),
    ];
    let totals = format!(
        "total {} r · {} w",
        fmt::count(app.series.total_reads as f64),
        fmt::count(app.series.total_writes as f64)
    );
    if line_width(&legend) + totals.chars().count() <= inner.width as usize {
        legend.push(Span::styled(totals, dim()));
    }
    buf.set_line(inner.x, inner.y, &Line::from(legend), inner.width);
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut max: f64 = 0.0;
    for s in app.series.range(start, end) {
        let (a, b) = (s.reads_per_s(), s.writes_per_s());
        max = max.max(a).max(b);
        reads.push((s.t, a));
        writes.push((s.t, b));
    }
    let reference = app.reference_line().map(|b| Reference {
        name: &b.name,
        values: [b.reads_per_s, b.writes_per_s]
            .into_iter()
            .flatten()
            .collect(),
    });
    if let Some(r) = &reference {
        max = r.values.iter().fold(max, |m, v| m.max(*v));
    }
    let label = |v: f64| fmt::count(v);
    let chart = TimeChart {
        series: vec![
            Series {
                color: WRITES,
                points: writes,
            },
            Series {
                color: READS,
                points: reads,
            },
        ],
        markers: app.series.markers().iter().collect(),
        x: [start, end],
        y: [0.0, nice_max(max.max(10.0))],
        y_label: &label,
        end_label: if app.frozen_at.is_some() {
            "frozen"
        } else {
            "now"
        },
    };
    let rest = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    chart.render(rest, buf);
    if let Some(r) = &reference {
        chart.render_reference(rest, buf, r);
    }
}
