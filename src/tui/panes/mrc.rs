//! The Cache pane's miss-ratio curve: predicted value-cache hit rate against cache
//! size (log scale), the current size marked, and how the memory budget is split
//! between the value cache and the block cache. Drawn from the snapshot's curve only.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker as Dots;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line as Segment};

use super::chart::MARKER_COLOR;
use super::{dim, n_label};
use crate::tui::fmt;
use engine::metrics::{MIN_SAMPLED_GETS, MrcCurve};

/// The value cache's and the block cache's colours, here and in the Cache pane.
pub const VALUE: Color = Color::Green;
pub const BLOCK: Color = Color::Blue;

/// Rows the curve needs: its two text lines and a plot of at least 3 rows.
pub const MIN_ROWS: u16 = 5;

/// Draws the curve in `area`; `block_cache` is the block cache's capacity in bytes.
pub fn render(c: &MrcCurve, block_cache: u64, area: Rect, buf: &mut Buffer) {
    if area.height < 2 || area.width < 20 {
        return;
    }
    let w = area.width as usize;
    let head = format!(
        "hit % by value-cache size ({}, 1 in {:.0} keys)",
        n_label(c.sampled_gets),
        1.0 / c.sample_rate
    );
    let few = c.sampled_gets < MIN_SAMPLED_GETS;
    let head = if few {
        format!("too few sampled gets ({})", n_label(c.sampled_gets))
    } else {
        head
    };
    let line = Line::from(vec![
        Span::styled("curve ", Style::default().fg(VALUE)),
        Span::styled(fmt::fit(&head, w.saturating_sub(6)), dim()),
    ]);
    buf.set_line(area.x, area.y, &line, area.width);
    buf.set_line(
        area.x,
        area.y + 1,
        &budget_line(c, block_cache, w),
        area.width,
    );
    if few || area.height < MIN_ROWS {
        return;
    }
    plot(
        c,
        Rect {
            y: area.y + 2,
            height: area.height - 2,
            ..area
        },
        buf,
    );
}

/// "budget value 1GiB 94% · block 64MiB 6%": each cache's share of the two.
fn budget_line(c: &MrcCurve, block: u64, w: usize) -> Line<'static> {
    let total = (c.current_bytes + block).max(1) as f64;
    let part = |n: u64| {
        format!(
            "{} {:.0}%",
            fmt::bytes(n).replace(' ', ""),
            n as f64 * 100.0 / total
        )
    };
    let value = part(c.current_bytes);
    let block_s = part(block);
    Line::from(vec![
        Span::styled("budget ", dim()),
        Span::styled("value ", Style::default().fg(VALUE)),
        Span::raw(value.clone()),
        Span::styled(" · ", dim()),
        Span::styled("block ", Style::default().fg(BLOCK)),
        Span::raw(fmt::fit(&block_s, w.saturating_sub(24 + value.len()))),
    ])
}

/// Sizes the plot spans: 1/8x to 4x the current size, widened toward the curve's ends
/// but at most to 1/64x and 64x (a curve starting at one value's size, 79 B, would
/// squeeze the sizes worth choosing into a corner). Without a current size: the
/// curve's top 12 doublings.
fn x_range(c: &MrcCurve) -> (f64, f64) {
    let first = c.points.first().map_or(1, |p| p.bytes).max(1) as f64;
    let last = c.points.last().map_or(1, |p| p.bytes).max(1) as f64;
    let (lo, hi) = if c.current_bytes > 0 {
        let now = c.current_bytes as f64;
        (
            first.min(now / 8.0).max(now / 64.0),
            last.max(now * 4.0).min(now * 64.0),
        )
    } else {
        (first.max(last / 4096.0), last)
    };
    (lo.log2(), hi.log2().max(lo.log2() + 1.0))
}

fn plot(c: &MrcCurve, area: Rect, buf: &mut Buffer) {
    let gutter = 5u16;
    let plot = Rect {
        x: area.x + gutter,
        y: area.y,
        width: area.width.saturating_sub(gutter),
        height: area.height - 1,
    };
    buf.set_string(area.x, plot.y, "100%", dim());
    buf.set_string(area.x, plot.bottom() - 1, "  0%", dim());
    for row in plot.y..plot.bottom() {
        buf.set_string(area.x + gutter - 1, row, "│", dim());
    }
    let (x0, x1) = x_range(c);
    let steps = plot.width as usize * 2;
    let at = |i: usize| x0 + (x1 - x0) * i as f64 / steps as f64;
    let rate = |x: f64| c.hit_rate_at(x.exp2() as u64).unwrap_or(0.0) * 100.0;
    let now = (c.current_bytes > 0).then(|| (c.current_bytes as f64).log2());
    Canvas::default()
        .marker(Dots::Braille)
        .x_bounds([x0, x1])
        .y_bounds([0.0, 100.0])
        .paint(|ctx| {
            if let Some(n) = now {
                ctx.draw(&Segment::new(n, 0.0, n, 100.0, MARKER_COLOR));
            }
            for i in 0..steps {
                let (a, b) = (at(i), at(i + 1));
                ctx.draw(&Segment::new(a, rate(a), b, rate(b), VALUE));
            }
        })
        .render(plot, buf);
    axis(c, area.bottom() - 1, plot, (x0, x1), buf);
}

/// The size axis: the smallest and largest size, and "now" under the marker. An end
/// label that would touch another label is left out ("now" wins), so two sizes never
/// run together.
fn axis(c: &MrcCurve, row: u16, plot: Rect, (x0, x1): (f64, f64), buf: &mut Buffer) {
    let size = |x: f64| fmt::bytes(x.exp2() as u64).replace(' ', "");
    let right = size(x1);
    let rw = right.chars().count() as u16;
    let mut labels = vec![
        (plot.x, size(x0), dim()),
        (plot.right().saturating_sub(rw), right, dim()),
    ];
    if c.current_bytes > 0 {
        let label = format!("now {}", size((c.current_bytes as f64).log2()));
        let f = ((c.current_bytes as f64).log2() - x0) / (x1 - x0);
        let col = plot.x + ((plot.width.saturating_sub(1)) as f64 * f).round() as u16;
        let lw = label.chars().count() as u16;
        let start = col
            .saturating_sub(lw / 2)
            .min(plot.right().saturating_sub(lw))
            .max(plot.x);
        labels.insert(0, (start, label, Style::default().fg(MARKER_COLOR)));
    }
    let mut kept: Vec<(u16, String, Style)> = Vec::new();
    for (x, text, style) in labels {
        let end = x.saturating_add(text.chars().count() as u16);
        let clear = kept
            .iter()
            .all(|(kx, kt, _)| end < *kx || x > kx.saturating_add(kt.chars().count() as u16));
        if clear {
            kept.push((x, text, style));
        }
    }
    for (x, text, style) in kept {
        buf.set_string(x, row, text, style);
    }
}
