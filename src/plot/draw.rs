//! The drawing: plotters calls behind the plain chart types of the parent module.
use plotters::coord::Shift;
use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{BarChart, Chart, Figure, LineChart, PlotError};

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Distinct colours, one per series (a common ten-colour scheme, first eight).
pub(super) const PALETTE: [(u8, u8, u8); 8] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
];

const FONT: &str = "sans-serif";
const CHART_SIZE: (u32, u32) = (900, 520);
const PANEL_SIZE: (u32, u32) = (720, 400);
const CAPTION_LINE: u32 = 18;
/// Room above the highest value, so the legend box does not cover the data.
const HEADROOM: f64 = 1.3;

fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

fn draw_err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Renders into a string-backed SVG of `size`.
fn render(
    size: (u32, u32),
    f: impl FnOnce(&Area) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        f(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(out)
}

fn caption_height(caption: &[String]) -> u32 {
    if caption.is_empty() {
        0
    } else {
        CAPTION_LINE * caption.len() as u32 + 10
    }
}

/// Draws the caption lines at the bottom of `area` and returns the area above them.
fn split_caption<'a>(area: &Area<'a>, caption: &[String]) -> Result<Area<'a>, PlotError> {
    let (_, h) = area.dim_in_pixel();
    let (body, foot) = area.split_vertically(h.saturating_sub(caption_height(caption)));
    let grey = BLACK.mix(0.8);
    let style = TextStyle::from((FONT, 13).into_font()).color(&grey);
    for (i, line) in caption.iter().enumerate() {
        let y = 2 + (i as u32 * CAPTION_LINE) as i32;
        foot.draw_text(line, &style, (14, y)).map_err(draw_err)?;
    }
    Ok(body)
}

/// One chart with its caption, alone in an SVG.
pub(super) fn single(
    chart: impl FnOnce(&Area) -> Result<(), PlotError>,
    caption: &[String],
) -> Result<String, PlotError> {
    let size = (CHART_SIZE.0, CHART_SIZE.1 + caption_height(caption));
    render(size, |root| chart(&split_caption(root, caption)?))
}

/// Panels in a grid under the figure's title and over its caption.
pub(super) fn figure(f: &Figure) -> Result<String, PlotError> {
    if f.panels.is_empty() {
        return Err(PlotError::Empty(f.title.clone()));
    }
    let cols = f.columns.clamp(1, f.panels.len());
    let rows = f.panels.len().div_ceil(cols);
    let size = (
        PANEL_SIZE.0 * cols as u32,
        50 + PANEL_SIZE.1 * rows as u32 + caption_height(&f.caption),
    );
    render(size, |root| {
        let titled = root.titled(&f.title, (FONT, 24)).map_err(draw_err)?;
        let body = split_caption(&titled, &f.caption)?;
        let cells = body.split_evenly((rows, cols));
        for (panel, cell) in f.panels.iter().zip(cells.iter()) {
            let inner = split_caption(cell, panel_caption(panel))?;
            let drawn = match panel {
                Chart::Line(c) => line(&inner, c),
                Chart::Bars(c) => bars(&inner, c, false),
                Chart::StackedBars(c) => bars(&inner, c, true),
            };
            // One panel without measurements still leaves the others worth showing.
            match drawn {
                Err(PlotError::Empty(title)) => placeholder(&inner, &title)?,
                other => other?,
            }
        }
        Ok(())
    })
}

/// A panel with nothing measured: its title and a note saying so.
fn placeholder(area: &Area, title: &str) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    let style = TextStyle::from((FONT, 20).into_font());
    area.draw_text(title, &style, (20, 14)).map_err(draw_err)?;
    let grey = BLACK.mix(0.6);
    let note = TextStyle::from((FONT, 14).into_font()).color(&grey);
    let at = ((w / 2).saturating_sub(120) as i32, (h / 2) as i32);
    area.draw_text("no measurements in this window", &note, at)
        .map_err(draw_err)
}

fn panel_caption(c: &Chart) -> &[String] {
    match c {
        Chart::Line(l) => &l.caption,
        Chart::Bars(b) | Chart::StackedBars(b) => &b.caption,
    }
}

/// Short axis numbers: 1.5k, 2.3M, 0.25.
pub(super) fn fmt_num(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = match a {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e4 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let digits = if scaled.fract().abs() < 1e-9 {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$}{suffix}")
}

fn usable(p: &(f64, f64), x_log: bool) -> bool {
    p.0.is_finite() && p.1.is_finite() && (!x_log || p.0 > 0.0)
}

/// A `(low, high)` extent of one axis.
type Span = (f64, f64);

/// The x and y extents of the usable points, widened where they are a single value.
fn line_bounds(c: &LineChart) -> Result<(Span, Span), PlotError> {
    let pts: Vec<(f64, f64)> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|p| usable(p, c.x_log))
        .collect();
    if pts.is_empty() {
        return Err(PlotError::Empty(c.title.clone()));
    }
    let fold = |f: fn(&(f64, f64)) -> f64| {
        pts.iter()
            .map(f)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (mut x0, mut x1) = fold(|p| p.0);
    if x0 == x1 {
        (x0, x1) = if c.x_log {
            (x0 / 10.0, x1 * 10.0)
        } else {
            (x0 - 1.0, x1 + 1.0)
        };
    }
    let (y0, y1) = fold(|p| p.1);
    Ok(((x0, x1), y_range(y0, y1)))
}

/// From zero (or the lowest value, if negative) to the highest value plus headroom.
fn y_range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = lo.min(0.0);
    let hi = if hi > lo { hi } else { lo + 1.0 };
    (lo, lo + (hi - lo) * HEADROOM)
}

pub(super) fn line(area: &Area, c: &LineChart) -> Result<(), PlotError> {
    let ((x0, x1), (y0, y1)) = line_bounds(c)?;
    let mut b = ChartBuilder::on(area);
    b.caption(&c.title, (FONT, 20))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(70);
    if c.x_log {
        let chart = b
            .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
            .map_err(draw_err)?;
        plot_lines(chart, c, (y0, y1))
    } else {
        let chart = b.build_cartesian_2d(x0..x1, y0..y1).map_err(draw_err)?;
        plot_lines(chart, c, (y0, y1))
    }
}

type Ctx<'a, X, Y = RangedCoordf64> = ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>;

fn plot_lines<X>(mut chart: Ctx<'_, X>, c: &LineChart, ys: (f64, f64)) -> Result<(), PlotError>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(&c.x_label)
        .y_desc(&c.y_label)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .light_line_style(BLACK.mix(0.05))
        .draw()
        .map_err(draw_err)?;
    for (i, s) in c.series.iter().enumerate() {
        let style = color(i).stroke_width(2);
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|p| usable(p, c.x_log))
            .collect();
        chart
            .draw_series(LineSeries::new(pts, style))
            .map_err(draw_err)?
            .label(&s.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    draw_markers(&mut chart, c, ys)?;
    legend(&mut chart)
}

/// Dashed vertical lines, each labelled at its top.
fn draw_markers<X>(
    chart: &mut Ctx<'_, X>,
    c: &LineChart,
    (y0, y1): (f64, f64),
) -> Result<(), PlotError>
where
    X: Ranged<ValueType = f64>,
{
    let grey = BLACK.mix(0.55);
    let text = TextStyle::from((FONT, 11).into_font()).color(&grey);
    for (x, label) in c
        .markers
        .iter()
        .filter(|(x, _)| usable(&(*x, 0.0), c.x_log))
    {
        let line = DashedPathElement::new(vec![(*x, y0), (*x, y1)], 4, 3, grey.stroke_width(1));
        chart.draw_series(std::iter::once(line)).map_err(draw_err)?;
        let top = y1 - (y1 - y0) * 0.02;
        chart
            .draw_series(std::iter::once(Text::new(
                label.clone(),
                (*x, top),
                text.clone(),
            )))
            .map_err(draw_err)?;
    }
    Ok(())
}

fn legend<X, Y>(chart: &mut Ctx<'_, X, Y>) -> Result<(), PlotError>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 13))
        .draw()
        .map_err(draw_err)
}

/// Checks every series has one value per category; returns the top of the y axis.
fn bar_top(c: &BarChart, stacked: bool) -> Result<f64, PlotError> {
    if c.categories.is_empty() || c.series.is_empty() {
        return Err(PlotError::Empty(c.title.clone()));
    }
    if let Some((name, v)) = c.series.iter().find(|(_, v)| v.len() != c.categories.len()) {
        return Err(PlotError::Shape(format!(
            "{}: series {name} has {} values for {} categories",
            c.title,
            v.len(),
            c.categories.len()
        )));
    }
    let value = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let top = (0..c.categories.len())
        .map(|i| {
            let vals = c.series.iter().map(|(_, v)| value(v[i]));
            if stacked {
                vals.sum::<f64>()
            } else {
                vals.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    Ok(y_range(0.0, top).1)
}

pub(super) fn bars(area: &Area, c: &BarChart, stacked: bool) -> Result<(), PlotError> {
    let top = bar_top(c, stacked)?;
    let n = c.categories.len();
    let x = Categories(RangedCoordf64::from(-0.5..n as f64 - 0.5), n);
    let mut chart = ChartBuilder::on(area)
        .caption(&c.title, (FONT, 20))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(x, 0.0..top)
        .map_err(draw_err)?;
    let name_of = |v: &f64| category_at(&c.categories, *v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(&c.x_label)
        .y_desc(&c.y_label)
        .x_label_formatter(&name_of)
        .y_label_formatter(&|v| fmt_num(*v))
        .light_line_style(BLACK.mix(0.05))
        .draw()
        .map_err(draw_err)?;
    let mut base = vec![0.0; n];
    for (k, (name, values)) in c.series.iter().enumerate() {
        let fill = color(k).filled();
        let rects = bar_rects(values, k, c.series.len(), stacked, &mut base);
        chart
            .draw_series(rects.into_iter().map(|(a, b)| Rectangle::new([a, b], fill)))
            .map_err(draw_err)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], fill));
    }
    legend(&mut chart)
}

/// The corners of series `k`'s bars; `base` holds each category's stack height so far.
fn bar_rects(
    values: &[f64],
    k: usize,
    series: usize,
    stacked: bool,
    base: &mut [f64],
) -> Vec<((f64, f64), (f64, f64))> {
    const GROUP: f64 = 0.8;
    let width = if stacked {
        GROUP
    } else {
        GROUP / series as f64
    };
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() || *v < 0.0 {
            continue;
        }
        let left = i as f64 - GROUP / 2.0 + if stacked { 0.0 } else { k as f64 * width };
        let bottom = if stacked { base[i] } else { 0.0 };
        out.push(((left, bottom), (left + width, bottom + v)));
        if stacked {
            base[i] += v;
        }
    }
    out
}

/// An x axis whose ticks are exactly the category positions 0, 1, ..., n-1.
struct Categories(RangedCoordf64, usize);

impl Ranged for Categories {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.0.map(value, limit)
    }
    fn key_points<H: KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        (0..self.1).map(|i| i as f64).collect()
    }
    fn range(&self) -> Range<f64> {
        self.0.range()
    }
}

fn category_at(categories: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    categories.get(i as usize).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(12_500.0), "12.5k");
        assert_eq!(fmt_num(2_000_000.0), "2M");
    }

    #[test]
    fn stacked_bars_sit_on_each_other() {
        let mut base = vec![0.0, 0.0];
        let first = bar_rects(&[1.0, 2.0], 0, 2, true, &mut base);
        let second = bar_rects(&[3.0, 4.0], 1, 2, true, &mut base);
        assert_eq!(first[1].1.1, 2.0);
        assert_eq!(second[1].0.1, 2.0);
        assert_eq!(second[1].1.1, 6.0);
    }

    #[test]
    fn grouped_bars_do_not_overlap() {
        let mut base = vec![0.0];
        let a = bar_rects(&[1.0], 0, 2, false, &mut base);
        let b = bar_rects(&[1.0], 1, 2, false, &mut base);
        assert!(a[0].1.0 <= b[0].0.0 + 1e-12);
    }
}
