//! p50 / p99 / p99.9 of one operation kind over time, on a log scale.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::chart::{Series, TimeChart};
use super::{dim, empty_note, line_width, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;

pub const P50: Color = Color::Green;
pub const P99: Color = Color::Yellow;
pub const P999: Color = Color::Red;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let kind = app.latency_kind;
    let name = app.latency_kind_name();
    let end = app.chart_end();
    let start = end - app.chart_secs;
    let block = pane_block(
        app,
        Pane::Latency,
        &format!("{name} ([ ] kind)"),
        area.width,
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    // The newest window that timed this kind, for the legend.
    let last = app
        .series
        .range(start, end)
        .filter(|s| s.latency(kind).samples > 0)
        .last()
        .map(|s| *s.latency(kind));
    let v = |f: fn(&crate::metrics::LatencySummary) -> u64| {
        last.as_ref()
            .map_or("-".to_string(), |l| fmt::ns(f(l) as f64))
    };
    let mut legend = vec![
        Span::styled("━ p50 ", Style::default().fg(P50)),
        Span::raw(format!("{} ", v(|l| l.p50_ns))),
        Span::styled("━ p99 ", Style::default().fg(P99)),
        Span::raw(format!("{} ", v(|l| l.p99_ns))),
        Span::styled("━ p99.9 ", Style::default().fg(P999)),
        Span::raw(format!("{} ", v(|l| l.p999_ns))),
    ];
    let max = last.map_or(String::new(), |l| {
        format!(" max {}", fmt::ns(l.max_ns as f64))
    });
    if line_width(&legend) + max.chars().count() <= inner.width as usize {
        legend.push(Span::styled(max, dim()));
    }
    buf.set_line(inner.x, inner.y, &Line::from(legend), inner.width);
    let rest = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    // log10(ns), a gap where the window timed nothing of this kind.
    let mut p50 = Vec::new();
    let mut p99 = Vec::new();
    let mut p999 = Vec::new();
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for s in app.series.range(start, end) {
        let l = s.latency(kind);
        if l.samples == 0 {
            for p in [&mut p50, &mut p99, &mut p999] {
                p.push((s.t, f64::NAN));
            }
            continue;
        }
        let lg = |ns: u64| (ns.max(1) as f64).log10();
        lo = lo.min(lg(l.p50_ns));
        hi = hi.max(lg(l.p999_ns));
        p50.push((s.t, lg(l.p50_ns)));
        p99.push((s.t, lg(l.p99_ns)));
        p999.push((s.t, lg(l.p999_ns)));
    }
    if lo > hi {
        empty_note(
            rest,
            buf,
            &format!("no timed {name} operations in view (1 in N is timed)"),
        );
        return;
    }
    let y0 = lo.floor();
    let y1 = hi.ceil().max(y0 + 1.0);
    let label = |v: f64| fmt::ns(10f64.powf(v));
    let chart = TimeChart {
        series: vec![
            Series {
                color: P999,
                points: p999,
            },
            Series {
                color: P99,
                points: p99,
            },
            Series {
                color: P50,
                points: p50,
            },
        ],
        markers: app.series.markers().iter().collect(),
        x: [start, end],
        y: [y0, y1],
        y_label: &label,
        end_label: if app.frozen_at.is_some() {
            "frozen"
        } else {
            "now"
        },
    };
    chart.render(rest, buf);
}
