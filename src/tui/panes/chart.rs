//! A time chart: lines over dashboard time, a y axis gutter, an x axis row, and vertical
//! markers with short labels for option changes, reopens and write-stall changes. Drawn on a braille canvas.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker as Dots;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line as Segment};

use super::super::data::Marker;
use super::super::fmt;

/// One line; a `NaN` y breaks it (no data there).
pub struct Series {
    pub color: Color,
    pub points: Vec<(f64, f64)>,
}

pub struct TimeChart<'a> {
    pub series: Vec<Series>,
    pub markers: Vec<&'a Marker>,
    /// Dashboard time range shown.
    pub x: [f64; 2],
    pub y: [f64; 2],
    /// Formats a y value for the axis.
    pub y_label: &'a dyn Fn(f64) -> String,
    /// Text at the right end of the x axis (`now`, `frozen`).
    pub end_label: &'a str,
}

/// Seconds after an option change (or reopen) the charts shade as settling.
pub const SETTLE_SECS: f64 = 10.0;
/// The settling shade: a background a step lighter than the terminal's.
pub const SETTLING_BG: Color = Color::Indexed(236);
pub const MARKER_COLOR: Color = Color::Yellow;
/// Markers where the write-stall condition changed.
pub const STALL_COLOR: Color = Color::Red;
/// A saved baseline's reference lines.
pub const REFERENCE_COLOR: Color = Color::Cyan;

/// A baseline drawn as flat lines: its name and values in chart units.
pub struct Reference<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
}

impl TimeChart<'_> {
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        if area.width < 8 || area.height < 2 {
            return;
        }
        let top = (self.y_label)(self.y[1]);
        let bottom = (self.y_label)(self.y[0]);
        let (gutter, plot, axis_row) = self.plot_rect(area);
        if plot.width < 4 {
            return;
        }
        let dim = Style::default().fg(Color::DarkGray);
        // y axis labels (top, bottom, and the middle when there is room)
        buf.set_string(area.x, plot.y, pad_left(&top, gutter - 1), dim);
        if plot.height >= 2 {
            buf.set_string(
                area.x,
                plot.bottom() - 1,
                pad_left(&bottom, gutter - 1),
                dim,
            );
        }
        if plot.height >= 5 {
            let mid = (self.y_label)((self.y[0] + self.y[1]) / 2.0);
            buf.set_string(
                area.x,
                plot.y + (plot.height - 1) / 2,
                pad_left(&mid, gutter - 1),
                dim,
            );
        }
        for row in plot.y..plot.bottom() {
            buf.set_string(area.x + gutter - 1, row, "│", dim);
        }
        // the lines
        let (x0, x1) = (self.x[0], self.x[1]);
        let (y0, y1) = (self.y[0], self.y[1]);
        let canvas = Canvas::default()
            .marker(Dots::Braille)
            .x_bounds([x0, x1])
            .y_bounds([y0, y1])
            .paint(|ctx| {
                for s in &self.series {
                    for w in s.points.windows(2) {
                        let (a, b) = (w[0], w[1]);
                        if a.1.is_nan() || b.1.is_nan() || b.0 < x0 || a.0 > x1 {
                            continue;
                        }
                        let clamp = |v: f64| v.clamp(y0, y1);
                        ctx.draw(&Segment::new(
                            a.0.max(x0),
                            clamp(a.1),
                            b.0.min(x1),
                            clamp(b.1),
                            s.color,
                        ));
                    }
                    // A lone point (no neighbour with data) is still shown.
                    for (i, p) in s.points.iter().enumerate() {
                        let prev = i.checked_sub(1).map(|j| s.points[j].1);
                        let next = s.points.get(i + 1).map(|q| q.1);
                        let alone = prev.is_none_or(f64::is_nan) && next.is_none_or(f64::is_nan);
                        if alone && !p.1.is_nan() && p.0 >= x0 && p.0 <= x1 {
                            ctx.draw(&Segment::new(
                                p.0,
                                p.1.clamp(y0, y1),
                                p.0,
                                p.1.clamp(y0, y1),
                                s.color,
                            ));
                        }
                    }
                }
            });
        canvas.render(plot, buf);
        self.render_markers(plot, buf);
        // x axis: the span back from the end, its middle, and the end
        if axis_row {
            let row = area.bottom() - 1;
            let span = x1 - x0;
            buf.set_string(plot.x, row, format!("-{}", fmt::clock(span)), dim);
            let mid = format!("-{}", fmt::clock(span / 2.0));
            let mid_x = plot.x + plot.width / 2 - (mid.len() as u16) / 2;
            if plot.width >= 24 {
                buf.set_string(mid_x, row, &mid, dim);
            }
            let end = self.end_label;
            let w = end.chars().count() as u16;
            if plot.width > w + 8 {
                buf.set_string(plot.right() - w, row, end, dim);
            }
            buf.set_string(area.x, row, pad_left("", gutter), dim);
        }
    }

    /// The y-axis gutter's width, the plot area and whether an x-axis row fits.
    fn plot_rect(&self, area: Rect) -> (u16, Rect, bool) {
        let top = (self.y_label)(self.y[1]);
        let bottom = (self.y_label)(self.y[0]);
        let gutter = top.chars().count().max(bottom.chars().count()) as u16 + 1;
        let axis_row = area.height >= 4;
        let plot = Rect {
            x: area.x + gutter,
            y: area.y,
            width: area.width.saturating_sub(gutter),
            height: area.height - u16::from(axis_row),
        };
        (gutter, plot, axis_row)
    }

    /// Draws a baseline's flat lines (dashes where the plot is empty) at `r.values`
    /// (chart units), after [`TimeChart::render`] with the same `area`, and labels the
    /// first with the baseline's name at its right end.
    pub fn render_reference(&self, area: Rect, buf: &mut Buffer, r: &Reference) {
        let (_, plot, _) = self.plot_rect(area);
        let (y0, y1) = (self.y[0], self.y[1]);
        if area.width < 8 || area.height < 2 || plot.width < 4 || y1 <= y0 {
            return;
        }
        let style = Style::default().fg(REFERENCE_COLOR);
        let row_of = |v: f64| {
            let f = ((y1 - v.clamp(y0, y1)) / (y1 - y0)) * f64::from(plot.height - 1);
            plot.y + f.round() as u16
        };
        for v in &r.values {
            let row = row_of(*v);
            for col in plot.x..plot.right() {
                let cell = &mut buf[(col, row)];
                if matches!(cell.symbol(), " " | "\u{2800}") {
                    cell.set_symbol("╌").set_style(style);
                }
            }
        }
        if let Some(v) = r.values.first() {
            let text = fmt::fit(&format!(" {} ", r.name), (plot.width as usize / 3).max(4));
            let len = text.chars().count() as u16;
            let x = plot.right().saturating_sub(len);
            buf.set_string(x, row_of(*v), &text, style.add_modifier(Modifier::BOLD));
        }
    }

    /// Shades the [`SETTLE_SECS`] after each change (up to the next one): caches refill
    /// and compactions catch up then, so what the lines do there is the change
    /// settling, not yet its effect.
    fn shade_settling(&self, plot: Rect, buf: &mut Buffer, col_of: &dyn Fn(f64) -> u16) {
        let (x0, x1) = (self.x[0], self.x[1]);
        // A stall is an effect, not a change: nothing settles after it.
        let mut times: Vec<f64> = self
            .markers
            .iter()
            .filter(|m| m.kind != "stall")
            .map(|m| m.t)
            .collect();
        times.sort_by(f64::total_cmp);
        for (i, &t) in times.iter().enumerate() {
            let next = times.get(i + 1).copied().unwrap_or(f64::MAX);
            let (from, to) = (t.max(x0), (t + SETTLE_SECS).min(next).min(x1));
            if to <= from {
                continue;
            }
            for c in col_of(from)..=col_of(to).min(plot.width - 1) {
                for row in plot.y..plot.bottom() {
                    buf[(plot.x + c, row)].set_bg(SETTLING_BG);
                }
            }
        }
    }

    fn render_markers(&self, plot: Rect, buf: &mut Buffer) {
        let (x0, x1) = (self.x[0], self.x[1]);
        if x1 <= x0 {
            return;
        }
        let col_of = |t: f64| ((t - x0) / (x1 - x0) * f64::from(plot.width - 1)).round() as u16;
        let mut cols: Vec<(u16, &Marker)> = self
            .markers
            .iter()
            .filter(|m| m.t >= x0 && m.t <= x1)
            .map(|m| (col_of(m.t), *m))
            .collect();
        cols.sort_by_key(|(c, _)| *c);
        self.shade_settling(plot, buf, &col_of);
        for (c, m) in &cols {
            for row in plot.y..plot.bottom() {
                let cell = &mut buf[(plot.x + c, row)];
                if matches!(cell.symbol(), " " | "\u{2800}") {
                    cell.set_symbol("┊").set_style(marker_style(m));
                }
            }
        }
        // Labels in the top third of the plot (so they rarely cover data), newest first
        // (the newest matters most): right of the line when they fit, else left; one
        // that would overlap another goes a row down, or is left out (its line stays).
        let rows = if plot.height >= 4 {
            (plot.height as usize / 3).max(2)
        } else {
            1
        };
        let mut taken: Vec<Vec<(u16, u16)>> = vec![Vec::new(); rows];
        for (c, m) in cols.iter().rev() {
            let text = fmt::fit(&m.label, (plot.width as usize * 3 / 5).clamp(6, 40));
            let len = text.chars().count() as u16;
            let start = if c + 1 + len <= plot.width {
                c + 1
            } else {
                c.saturating_sub(len)
            };
            let span = (start, start + len);
            let Some(row) = taken
                .iter()
                .position(|r| r.iter().all(|(a, b)| span.1 < *a || span.0 > *b))
            else {
                continue;
            };
            taken[row].push(span);
            buf.set_string(
                plot.x + start,
                plot.y + row as u16,
                &text,
                marker_style(m).add_modifier(Modifier::BOLD),
            );
        }
    }
}

/// Option changes and reopens in yellow; write-stall changes in red.
fn marker_style(m: &Marker) -> Style {
    Style::default().fg(if m.kind == "stall" {
        STALL_COLOR
    } else {
        MARKER_COLOR
    })
}

fn pad_left(s: &str, width: u16) -> String {
    format!("{s:>w$}", w = width as usize)
}

/// A round upper bound for a linear axis: 1, 2 or 5 times a power of ten.
pub fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if v <= m * p {
            return m * p;
        }
    }
    10.0 * p
}
