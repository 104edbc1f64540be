//! Bar charts: grouped or stacked, with whiskers over the runs behind a bar, values
//! printed above the bars, and the bars within noise of the best drawn lighter and
//! hatched.
use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{
    AXIS_PX, Area, MARGIN, SMALL_PX, Swatch, TICK_PX, X_AREA, Y_AREA, color, draw_err, font, frame,
    path_at, text_at,
};
use super::layout::{axis_unit, compact, hatch, label_top, linear_tick, text_width, y_extent};
use super::{BarChart, NOISE_LABEL, PlotError};

type Ctx<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Categories, RangedCoordf64>>;

/// Share of a category's width its bars take.
const GROUP: f64 = 0.8;

/// One drawn bar: its series and category, and its corners in chart coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bar {
    series: usize,
    category: usize,
    x0: f64,
    x1: f64,
    bottom: f64,
    top: f64,
}

/// Series `k`'s `(min, max)` at category `i`, when given and finite.
fn range_of(c: &BarChart, k: usize, i: usize) -> Option<(f64, f64)> {
    let (a, b) = c.ranges.get(k)?.get(i).copied().flatten()?;
    (a.is_finite() && b.is_finite()).then(|| (a.min(b), a.max(b)))
}

fn noisy(c: &BarChart, k: usize, i: usize) -> bool {
    c.within_noise
        .get(k)
        .and_then(|v| v.get(i))
        .copied()
        .unwrap_or(false)
}

/// Checks every series has one value per category; returns the highest point drawn
/// (bar, stack or whisker).
fn highest(c: &BarChart, stacked: bool) -> Result<f64, PlotError> {
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
    let bars = layout_bars(c, stacked);
    let whiskers = bars
        .iter()
        .filter(|_| !stacked)
        .filter_map(|b| range_of(c, b.series, b.category).map(|r| r.1));
    Ok(bars
        .iter()
        .map(|b| b.top)
        .chain(whiskers)
        .fold(0.0, f64::max))
}

/// The bars to draw: values that are not finite or negative are left out; stacked
/// bars sit on the ones before them.
fn layout_bars(c: &BarChart, stacked: bool) -> Vec<Bar> {
    let n = c.categories.len();
    let width = if stacked {
        GROUP
    } else {
        GROUP / c.series.len().max(1) as f64
    };
    let mut base = vec![0.0; n];
    let mut out = Vec::new();
    for (k, (_, values)) in c.series.iter().enumerate() {
        for (i, v) in values.iter().enumerate().take(n) {
            if !v.is_finite() || *v < 0.0 {
                continue;
            }
            let shift = if stacked { 0.0 } else { k as f64 * width };
            let x0 = i as f64 - GROUP / 2.0 + shift;
            let bottom = if stacked { base[i] } else { 0.0 };
            out.push(Bar {
                series: k,
                category: i,
                x0,
                x1: x0 + width,
                bottom,
                top: bottom + v,
            });
            if stacked {
                base[i] += v;
            }
        }
    }
    out
}

/// How far above the highest bar the y axis reaches: room for a value label over it.
fn headroom(body: &Area, labels: bool) -> f64 {
    if !labels {
        return 1.05;
    }
    let plot_h = body.dim_in_pixel().1 as f64 - (X_AREA + MARGIN + 6) as f64;
    let need = SMALL_PX + 8.0;
    if plot_h > 2.0 * need {
        (1.0 / (1.0 - need / plot_h)).max(1.05)
    } else {
        2.0
    }
}

pub(super) fn bars(area: &Area, c: &BarChart, stacked: bool) -> Result<(), PlotError> {
    let high = highest(c, stacked)?;
    let mut entries: Vec<(Swatch, String)> = c
        .series
        .iter()
        .enumerate()
        .map(|(k, (name, _))| (Swatch::Bar(k), name.clone()))
        .collect();
    let bars = layout_bars(c, stacked);
    let any_noise = !stacked && bars.iter().any(|b| noisy(c, b.series, b.category));
    if any_noise {
        entries.push((Swatch::Noise, NOISE_LABEL.into()));
    }
    let body = frame(area, &c.title, &entries)?;
    let top = y_extent(0.0, high, headroom(&body, c.value_labels)).1;
    let n = c.categories.len();
    let x = Categories(RangedCoordf64::from(-0.5..n as f64 - 0.5), n);
    let mut chart = ChartBuilder::on(&body)
        .margin(MARGIN)
        .margin_top(6)
        .x_label_area_size(X_AREA)
        .y_label_area_size(Y_AREA)
        .build_cartesian_2d(x, 0.0..top)
        .map_err(draw_err)?;
    let unit = axis_unit(0.0, top);
    let name_of = |v: &f64| category_at(&c.categories, *v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(&c.x_label)
        .y_desc(&c.y_label)
        .x_label_formatter(&name_of)
        .y_label_formatter(&|v| linear_tick(*v, unit))
        .label_style(font(TICK_PX))
        .axis_desc_style(font(AXIS_PX))
        .light_line_style(BLACK.mix(0.05))
        .draw()
        .map_err(draw_err)?;
    for b in &bars {
        draw_bar(
            area,
            &mut chart,
            b,
            !stacked && noisy(c, b.series, b.category),
        )?;
    }
    if !stacked {
        whiskers(&mut chart, c, &bars)?;
    }
    if c.value_labels {
        value_labels(area, &chart, &label_items(c, &bars, stacked))?;
    }
    Ok(())
}

/// A bar; one within noise of the best is lighter and hatched in its colour.
fn draw_bar(area: &Area, chart: &mut Ctx<'_, '_>, b: &Bar, noisy: bool) -> Result<(), PlotError> {
    let fill = if noisy {
        color(b.series).mix(0.4).filled()
    } else {
        color(b.series).filled()
    };
    let rect = Rectangle::new([(b.x0, b.bottom), (b.x1, b.top)], fill);
    chart.draw_series(std::iter::once(rect)).map_err(draw_err)?;
    if noisy {
        // Hatch only what shows: a bar past the axis' top is cut at the plot's edge.
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let (l, t) = chart.backend_coord(&(b.x0, b.top));
        let (r, btm) = chart.backend_coord(&(b.x1, b.bottom));
        let x = |v: i32| v.clamp(xr.start, xr.end.max(xr.start)) as f64;
        let y = |v: i32| v.clamp(yr.start, yr.end.max(yr.start)) as f64;
        let style = color(b.series).stroke_width(1);
        for (p, q) in hatch((x(l), y(t), x(r), y(btm)), 6.0) {
            path_at(area, &[p, q], style)?;
        }
    }
    Ok(())
}

/// Min-to-max whiskers with short caps, over the bars that have a range.
fn whiskers(chart: &mut Ctx<'_, '_>, c: &BarChart, bars: &[Bar]) -> Result<(), PlotError> {
    let style = BLACK.mix(0.75).stroke_width(1);
    for b in bars {
        let Some((lo, hi)) = range_of(c, b.series, b.category) else {
            continue;
        };
        // The axis starts at zero: a range reaching below it stops there.
        let (lo, hi) = (lo.max(0.0), hi.max(0.0));
        let mid = (b.x0 + b.x1) / 2.0;
        let cap = (b.x1 - b.x0) / 5.0;
        let lines = [
            vec![(mid, lo), (mid, hi)],
            vec![(mid - cap, lo), (mid + cap, lo)],
            vec![(mid - cap, hi), (mid + cap, hi)],
        ];
        chart
            .draw_series(lines.into_iter().map(|l| PathElement::new(l, style)))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// What a value label sits on: its centre x, the top of what it must clear, its value.
type LabelItem = (f64, f64, f64);

/// One label per bar (above its whisker, if any); for stacked bars one per stack.
fn label_items(c: &BarChart, bars: &[Bar], stacked: bool) -> Vec<LabelItem> {
    if !stacked {
        return bars
            .iter()
            .map(|b| {
                let clear = range_of(c, b.series, b.category).map_or(b.top, |r| b.top.max(r.1));
                ((b.x0 + b.x1) / 2.0, clear, b.top - b.bottom)
            })
            .collect();
    }
    (0..c.categories.len())
        .filter_map(|i| {
            let total = bars
                .iter()
                .filter(|b| b.category == i)
                .map(|b| b.top)
                .fold(f64::NAN, f64::max);
            total.is_finite().then_some((i as f64, total, total))
        })
        .collect()
}

/// A label's box in pixels: left, top, right, bottom.
type Boxed = (f64, f64, f64, f64);

fn overlaps(a: &Boxed, b: &Boxed) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Values printed above the bars, inside the plot area: a label that would overlap
/// one already printed moves up, and is left out if it would leave the plot.
fn value_labels(area: &Area, chart: &Ctx<'_, '_>, items: &[LabelItem]) -> Result<(), PlotError> {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (left, right, plot_top) = (xr.start as f64, xr.end as f64, yr.start as f64);
    let style = font(SMALL_PX).pos(Pos::new(HPos::Center, VPos::Top));
    let mut placed: Vec<Boxed> = Vec::new();
    for &(x, clear, value) in items {
        let text = compact(value);
        let w = text_width(&text, SMALL_PX);
        let (px, py) = chart.backend_coord(&(x, clear));
        let cx = (px as f64).min(right - w / 2.0).max(left + w / 2.0);
        let mut y = label_top(py as f64, SMALL_PX, 4.0, plot_top);
        while let Some(hit) = placed
            .iter()
            .find(|b| overlaps(b, &(cx - w / 2.0, y, cx + w / 2.0, y + SMALL_PX)))
        {
            y = hit.1 - SMALL_PX - 1.0;
        }
        if y < plot_top {
            continue;
        }
        placed.push((cx - w / 2.0, y, cx + w / 2.0, y + SMALL_PX));
        text_at(area, &text, &style, (cx.round() as i32, y.round() as i32))?;
    }
    Ok(())
}

/// An x axis whose ticks are exactly the category positions 0, 1, ..., n-1.
pub(super) struct Categories(RangedCoordf64, usize);

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

    fn chart(series: Vec<Vec<f64>>) -> BarChart {
        BarChart {
            categories: vec!["a".into(), "b".into()],
            series: series
                .into_iter()
                .enumerate()
                .map(|(k, v)| (format!("s{k}"), v))
                .collect(),
            ..BarChart::default()
        }
    }

    #[test]
    fn plot_stacked_bars_sit_on_each_other() {
        let bars = layout_bars(&chart(vec![vec![1.0, 2.0], vec![3.0, 4.0]]), true);
        let b = |k, i| {
            *bars
                .iter()
                .find(|b| b.series == k && b.category == i)
                .unwrap()
        };
        assert_eq!(b(0, 1).top, 2.0);
        assert_eq!(b(1, 1).bottom, 2.0);
        assert_eq!(b(1, 1).top, 6.0);
    }

    #[test]
    fn plot_grouped_bars_do_not_overlap_and_skip_unmeasured_values() {
        let bars = layout_bars(&chart(vec![vec![1.0, f64::NAN], vec![1.0, -1.0]]), false);
        assert_eq!(bars.len(), 2);
        assert!(bars[0].x1 <= bars[1].x0 + 1e-12);
    }

    #[test]
    fn plot_whiskers_raise_the_axis_and_bad_ranges_are_ignored() {
        let mut c = chart(vec![vec![10.0, 20.0]]);
        c.ranges = vec![vec![Some((8.0, 30.0)), Some((f64::NAN, 5.0))]];
        assert_eq!(highest(&c, false).unwrap(), 30.0);
        assert_eq!(highest(&c, true).unwrap(), 20.0);
        assert_eq!(range_of(&c, 0, 1), None);
        assert_eq!(range_of(&c, 3, 0), None);
        c.ranges = vec![vec![Some((12.0, 9.0))]];
        assert_eq!(range_of(&c, 0, 0), Some((9.0, 12.0)));
        let items = label_items(&c, &layout_bars(&c, false), false);
        assert_eq!(items[0].1, 12.0, "the label clears the whisker");
        assert_eq!(items[0].2, 10.0, "and prints the bar's value");
    }
}
