//! Line charts: lines broken where the data has holes, per-point error bars, and event
//! markers whose labels never overlap.
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::draw::{
    AXIS_PX, Area, MARGIN, SMALL_PX, Swatch, TICK_PX, X_AREA, Y_AREA, color, draw_err, font, frame,
    text_at,
};
use super::layout::{
    HUGE, Span, axis_unit, label_span, linear_tick, log_tick, pack_rows, runs, text_width, y_extent,
};
use super::{LineChart, PlotError, Series};

type Ctx<'a, 'b, X> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, RangedCoordf64>>;

/// Rows of marker labels before they are numbered instead (the key goes under the chart).
const MARKER_ROWS: usize = 3;
/// Pixels kept between two marker labels in one row.
const LABEL_GAP: f64 = 6.0;
const ROW_PX: i32 = SMALL_PX as i32 + 3;
/// Numbered markers closer than this many pixels share one label.
const CLUSTER_PX: f64 = 12.0;

fn usable(p: (f64, f64), x_log: bool) -> bool {
    p.0.is_finite() && p.1.is_finite() && (!x_log || p.0 > 0.0)
}

fn valid_span((lo, hi): Span, log: bool) -> bool {
    (hi - lo).is_finite() && lo < hi && (!log || lo > 0.0)
}

/// The values' extent, kept within [`HUGE`] so the axis' span stays finite.
fn extent(values: impl Iterator<Item = f64>) -> Span {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    (lo.max(-HUGE), hi.min(HUGE))
}

/// The x and y extents: the chart's own, or the usable points' (and their ranges').
pub(super) fn bounds(c: &LineChart) -> Result<(Span, Span), PlotError> {
    let pts: Vec<(f64, f64)> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|p| usable(*p, c.x_log))
        .collect();
    if pts.is_empty() {
        return Err(PlotError::Empty(c.title.clone()));
    }
    let x = match c.x_range.filter(|r| valid_span(*r, c.x_log)) {
        Some(r) => r,
        None => {
            let x = widen(extent(pts.iter().map(|p| p.0)), c.x_log);
            // Error bars at the first and last point would sit on the frame.
            let bars = c
                .series
                .iter()
                .any(|s| s.ranges.iter().any(Option::is_some));
            if bars { pad(x, c.x_log) } else { x }
        }
    };
    let y = match c.y_range.filter(|r| valid_span(*r, false)) {
        Some(r) => r,
        None => {
            let ranges = c
                .series
                .iter()
                .flat_map(|s| s.ranges.iter().flatten())
                .flat_map(|&(a, b)| [a, b])
                .filter(|v| v.is_finite());
            let (lo, hi) = extent(pts.iter().map(|p| p.1).chain(ranges));
            // Marker labels sit at the top of the plot: more room above the data then.
            let headroom = if c.markers.is_empty() { 1.08 } else { 1.2 };
            y_extent(lo, hi, headroom)
        }
    };
    Ok((x, y))
}

/// A single x value widened into an axis.
fn widen((lo, hi): Span, log: bool) -> Span {
    match (lo == hi, log) {
        (false, _) => (lo, hi),
        (true, true) => (lo / 10.0, hi * 10.0),
        (true, false) => (lo - 1.0, hi + 1.0),
    }
}

/// An axis with a little room on both sides (4% of it, or a factor on a log axis).
fn pad((lo, hi): Span, log: bool) -> Span {
    let padded = if log {
        let f = (hi / lo).powf(0.04);
        (lo / f, hi * f)
    } else {
        let d = (hi - lo) * 0.04;
        (lo - d, hi + d)
    };
    if valid_span(padded, log) {
        padded
    } else {
        (lo, hi)
    }
}

/// Where `x` falls between `x0` and `x1`, 0 to 1, on a linear or logarithmic axis.
fn fraction(x: f64, (x0, x1): Span, log: bool) -> f64 {
    if log {
        (x.ln() - x0.ln()) / (x1.ln() - x0.ln())
    } else {
        (x - x0) / (x1 - x0)
    }
}

/// A marker label placed over the plot.
struct Placed {
    text: String,
    span: Span,
    row: usize,
}

/// The markers inside the x extent, left to right.
fn inside_markers(c: &LineChart, xs: Span) -> Vec<(f64, String)> {
    let mut inside: Vec<(f64, String)> = c
        .markers
        .iter()
        .filter(|(x, _)| usable((*x, 0.0), c.x_log) && *x >= xs.0 && *x <= xs.1)
        .cloned()
        .collect();
    inside.sort_by(|a, b| a.0.total_cmp(&b.0));
    inside
}

/// The labels of `markers` (sorted) packed in rows over a plot spanning `plot` pixels;
/// `px` maps x to pixels. Numbered markers closer than [`CLUSTER_PX`] share one label
/// ("3–7"), so a burst of changes reads as one.
fn place_labels(
    markers: &[(f64, String)],
    plot: Span,
    numbered: bool,
    px: impl Fn(f64) -> f64,
) -> Vec<Placed> {
    let xs: Vec<f64> = markers.iter().map(|m| px(m.0)).collect();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for i in 0..markers.len() {
        match groups.last_mut() {
            Some(g) if numbered && xs[i] - xs[g.0] < CLUSTER_PX => g.1 = i,
            _ => groups.push((i, i)),
        }
    }
    let mut placed: Vec<Placed> = groups
        .into_iter()
        .map(|(a, b)| {
            let text = match (numbered, a == b) {
                (false, _) => markers[a].1.clone(),
                (true, true) => (a + 1).to_string(),
                (true, false) => format!("{}–{}", a + 1, b + 1),
            };
            // Right of the group's last line, so the lines do not cross the label.
            let span = label_span(xs[b], text_width(&text, SMALL_PX), plot);
            Placed { text, span, row: 0 }
        })
        .collect();
    let spans: Vec<Span> = placed.iter().map(|p| p.span).collect();
    for (p, row) in placed.iter_mut().zip(pack_rows(&spans, LABEL_GAP)) {
        p.row = row;
    }
    placed
}

/// The key to numbered markers (`markers: 1 name · 2 name`) when their labels would
/// need more than [`MARKER_ROWS`] rows over a chart `width` pixels wide; else `None`.
pub(super) fn marker_key(c: &LineChart, width: u32) -> Option<String> {
    if c.markers.is_empty() {
        return None;
    }
    let (xs, _) = bounds(c).ok()?;
    let plot = (
        (MARGIN + Y_AREA) as f64,
        width.saturating_sub(MARGIN) as f64,
    );
    let px = |x: f64| plot.0 + fraction(x, xs, c.x_log) * (plot.1 - plot.0);
    let inside = inside_markers(c, xs);
    let placed = place_labels(&inside, plot, false, px);
    let rows = placed.iter().map(|p| p.row + 1).max().unwrap_or(0);
    if rows <= MARKER_ROWS {
        return None;
    }
    let key: Vec<String> = inside
        .iter()
        .enumerate()
        .map(|(i, (_, label))| format!("{} {label}", i + 1))
        .collect();
    Some(format!("markers: {}", key.join(" · ")))
}

/// The chart in `area` (caption already drawn below it); `numbered` as
/// [`marker_key`] decided.
pub(super) fn line(area: &Area, c: &LineChart, numbered: bool) -> Result<(), PlotError> {
    let (xs, ys) = bounds(c)?;
    let entries: Vec<(Swatch, String)> = c
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (Swatch::Line(i), s.name.clone()))
        .collect();
    let body = frame(area, &c.title, &entries)?;
    let mut b = ChartBuilder::on(&body);
    b.margin(MARGIN)
        .margin_top(6)
        .x_label_area_size(X_AREA)
        .y_label_area_size(Y_AREA);
    let view = View {
        area,
        c,
        xs,
        ys,
        numbered,
    };
    if c.x_log {
        let chart = b
            .build_cartesian_2d((xs.0..xs.1).log_scale(), ys.0..ys.1)
            .map_err(draw_err)?;
        view.plot(chart, &log_tick)
    } else {
        let chart = b
            .build_cartesian_2d(xs.0..xs.1, ys.0..ys.1)
            .map_err(draw_err)?;
        let unit = axis_unit(xs.0, xs.1);
        view.plot(chart, &move |v| linear_tick(v, unit))
    }
}

/// What drawing one line chart needs besides the plotters context.
struct View<'v, 'a> {
    area: &'v Area<'a>,
    c: &'v LineChart,
    xs: Span,
    ys: Span,
    numbered: bool,
}

impl View<'_, '_> {
    fn plot<X>(
        &self,
        mut chart: Ctx<'_, '_, X>,
        x_tick: &dyn Fn(f64) -> String,
    ) -> Result<(), PlotError>
    where
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let c = self.c;
        let unit = axis_unit(self.ys.0, self.ys.1);
        chart
            .configure_mesh()
            .x_desc(&c.x_label)
            .y_desc(&c.y_label)
            .x_label_formatter(&|v| x_tick(*v))
            .y_label_formatter(&|v| format!("{}{}", linear_tick(*v, unit), c.y_suffix))
            .label_style(font(TICK_PX))
            .axis_desc_style(font(AXIS_PX))
            .light_line_style(BLACK.mix(0.05))
            .draw()
            .map_err(draw_err)?;
        for (i, s) in c.series.iter().enumerate() {
            draw_series(&mut chart, s, i, c.x_log)?;
        }
        self.markers(&mut chart)
    }

    /// Dashed vertical lines, their labels in rows at the top of the plot.
    fn markers<X>(&self, chart: &mut Ctx<'_, '_, X>) -> Result<(), PlotError>
    where
        X: Ranged<ValueType = f64>,
    {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let plot = (xr.start as f64, xr.end as f64);
        let (y0, y1) = self.ys;
        let inside = inside_markers(self.c, self.xs);
        let px = |x: f64| chart.backend_coord(&(x, y0)).0 as f64;
        let placed = place_labels(&inside, plot, self.numbered, px);
        let grey = BLACK.mix(0.55);
        for (x, _) in &inside {
            let line = DashedPathElement::new(vec![(*x, y0), (*x, y1)], 4, 3, grey.stroke_width(1));
            chart.draw_series(std::iter::once(line)).map_err(draw_err)?;
        }
        let style = font(SMALL_PX).color(&grey);
        for m in &placed {
            let y = yr.start + 2 + m.row as i32 * ROW_PX;
            text_at(self.area, &m.text, &style, (m.span.0.round() as i32, y))?;
        }
        Ok(())
    }
}

/// One series: a line per run between breaks (a dot for a run of one point), and its
/// error bars.
fn draw_series<X>(
    chart: &mut Ctx<'_, '_, X>,
    s: &Series,
    i: usize,
    x_log: bool,
) -> Result<(), PlotError>
where
    X: Ranged<ValueType = f64>,
{
    let style = color(i).stroke_width(2);
    for run in runs(&s.points, x_log) {
        if run.len() == 1 {
            let dot = Circle::new(run[0], 3, color(i).filled());
            chart.draw_series(std::iter::once(dot))
        } else {
            chart.draw_series(LineSeries::new(run, style))
        }
        .map_err(draw_err)?;
    }
    let bar = color(i).stroke_width(1);
    for (p, r) in s.points.iter().zip(&s.ranges) {
        let Some((a, b)) = *r else { continue };
        if !usable(*p, x_log) || !a.is_finite() || !b.is_finite() {
            continue;
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let stem = PathElement::new(vec![(p.0, lo), (p.0, hi)], bar);
        chart.draw_series(std::iter::once(stem)).map_err(draw_err)?;
        for y in [lo, hi] {
            let cap = EmptyElement::at((p.0, y)) + PathElement::new(vec![(-4, 0), (4, 0)], bar);
            chart.draw_series(std::iter::once(cap)).map_err(draw_err)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(markers: &[(f64, &str)]) -> LineChart {
        LineChart {
            series: vec![Series {
                name: "s".into(),
                points: vec![(0.0, 1.0), (10.0, 2.0)],
                ..Series::default()
            }],
            markers: markers.iter().map(|(x, l)| (*x, l.to_string())).collect(),
            ..LineChart::default()
        }
    }

    #[test]
    fn plot_markers_far_apart_keep_their_labels_and_crowded_ones_are_numbered() {
        assert_eq!(
            marker_key(&chart(&[(2.0, "flush"), (8.0, "flush")]), 900),
            None
        );
        let crowded: Vec<(f64, &str)> = (0..8)
            .map(|i| (5.0 + i as f64 * 0.01, "block_size=16KiB"))
            .collect();
        let key = marker_key(&chart(&crowded), 900).unwrap();
        assert!(key.starts_with("markers: 1 block_size=16KiB · 2 "), "{key}");
    }

    #[test]
    fn plot_bounds_honour_fixed_ranges_and_reject_bad_ones() {
        let mut c = chart(&[]);
        c.x_range = Some((-5.0, 20.0));
        c.y_range = Some((0.0, 100.0));
        assert_eq!(bounds(&c).unwrap(), ((-5.0, 20.0), (0.0, 100.0)));
        c.x_range = Some((f64::NAN, 1.0));
        c.y_range = Some((3.0, 3.0));
        let ((x0, x1), (y0, y1)) = bounds(&c).unwrap();
        assert_eq!((x0, x1), (0.0, 10.0));
        assert!(y0 == 0.0 && y1 > 2.0);
        c.series[0].ranges = vec![None, Some((1.0, 50.0))];
        let ((x0, x1), (_, y1)) = bounds(&c).unwrap();
        assert!(y1 >= 50.0);
        assert!(x0 < 0.0 && x1 > 10.0, "room for the error bars at the ends");
        c.series[0].points = vec![(-f64::MAX, 1.0), (f64::MAX, f64::MAX)];
        let ((x0, x1), (y0, y1)) = bounds(&c).unwrap();
        assert!((x1 - x0).is_finite() && (y1 - y0).is_finite());
    }
}
