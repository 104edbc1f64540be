//! p50 / p99 / p99.9 of one operation kind over time, on a log scale.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::chart::{Reference, Series, TimeChart};
use super::{
    MIN_SAMPLES, MIN_SAMPLES_P99, MIN_SAMPLES_P999, dim, empty_note, line_width, n_label,
    pane_block,
};
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
    let legend = legend(last.as_ref(), inner.width as usize);
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
    // The baseline's p99 and p50 of this kind, as reference lines (log10 ns).
    let reference = app
        .reference_line()
        .and_then(|b| Some((b.name.as_str(), b.latency[kind]?)))
        .map(|(name, [p50, p99, _])| Reference {
            name,
            values: vec![p99.max(1.0).log10(), p50.max(1.0).log10()],
        });
    if let Some(r) = reference.as_ref().filter(|_| lo <= hi) {
        for v in &r.values {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
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
        markers: app.series.change_markers().collect(),
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
    if let Some(r) = &reference {
        chart.render_reference(rest, buf, r);
    }
}

/// Picks one percentile out of a summary.
type Pick = fn(&engine::metrics::LatencySummary) -> u64;

/// The legend: each percentile with its value, greyed out when the window has too few
/// timed operations for it, then how many it rests on and the max if they fit.
fn legend(last: Option<&engine::metrics::LatencySummary>, width: usize) -> Vec<Span<'static>> {
    let n = last.map_or(0, |l| l.samples);
    let mut spans = Vec::new();
    let parts: [(&str, Color, u64, Pick); 3] = [
        ("p50", P50, MIN_SAMPLES, |l| l.p50_ns),
        ("p99", P99, MIN_SAMPLES_P99, |l| l.p99_ns),
        ("p99.9", P999, MIN_SAMPLES_P999, |l| l.p999_ns),
    ];
    for (name, color, need, f) in parts {
        let v = last.map_or("-".to_string(), |l| fmt::ns(f(l) as f64));
        let style = if n < need { dim() } else { Style::default() };
        spans.push(Span::styled(
            format!("━ {name} "),
            Style::default().fg(color),
        ));
        spans.push(Span::styled(format!("{v} "), style));
    }
    let Some(l) = last else {
        return spans;
    };
    let count = if n < MIN_SAMPLES {
        format!("{}, too few samples", n_label(n))
    } else {
        n_label(n)
    };
    for extra in [count, format!(" max {}", fmt::ns(l.max_ns as f64))] {
        if line_width(&spans) + extra.chars().count() <= width {
            spans.push(Span::styled(extra, dim()));
        }
    }
    spans
}
