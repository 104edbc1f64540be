//! The drawing primitives every chart shares: colours, fonts, text and paths placed in
//! picture pixels, and a panel's title and legend (above the plot, outside the data).
//! Lines and bars draw their data with these in [`super::lines`] and [`super::bars`];
//! [`super::figure`] puts charts into a picture.
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::layout::{self, text_width};

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

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

/// Font sizes in pixels as the SVG writes them: readable when the picture is shown at
/// the width of a page or a screen.
pub(super) const TITLE_PX: f64 = 22.0;
pub(super) const PANEL_TITLE_PX: f64 = 17.0;
pub(super) const AXIS_PX: f64 = 14.0;
pub(super) const TICK_PX: f64 = 13.0;
pub(super) const LEGEND_PX: f64 = 13.0;
pub(super) const CAPTION_PX: f64 = 13.0;
pub(super) const SMALL_PX: f64 = 11.0;

const LEGEND_ROW: u32 = 20;

/// Space around the plot, and for the axes' tick labels and descriptions.
pub(super) const MARGIN: u32 = 14;
pub(super) const X_AREA: u32 = 48;
pub(super) const Y_AREA: u32 = 78;

pub(super) fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

pub(super) fn draw_err<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// A text style `px` pixels high in the SVG (plotters writes sizes divided by 1.24).
pub(super) fn font<'a>(px: f64) -> TextStyle<'a> {
    TextStyle::from((FONT, px * 1.24).into_font())
}

/// Draws `text` at `at` in backend (picture) pixels, whatever `area`'s origin.
pub(super) fn text_at(
    area: &Area,
    text: &str,
    style: &TextStyle,
    at: (i32, i32),
) -> Result<(), PlotError> {
    let (bx, by) = area.get_base_pixel();
    area.draw_text(text, style, (at.0 - bx, at.1 - by))
        .map_err(draw_err)
}

/// Draws a line through `points` given in backend (picture) pixels.
pub(super) fn path_at(
    area: &Area,
    points: &[(f64, f64)],
    style: ShapeStyle,
) -> Result<(), PlotError> {
    let (bx, by) = area.get_base_pixel();
    let pts: Vec<(i32, i32)> = points
        .iter()
        .map(|p| (p.0.round() as i32 - bx, p.1.round() as i32 - by))
        .collect();
    area.draw(&PathElement::new(pts, style)).map_err(draw_err)
}

/// What a legend entry shows beside its name.
#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    /// A short line in series `i`'s colour.
    Line(usize),
    /// A filled square in series `i`'s colour.
    Bar(usize),
    /// A light hatched square: bars within noise of the best.
    Noise,
}

/// Draws a panel's title centred at its top.
pub(super) fn panel_title(area: &Area, title: &str) -> Result<(), PlotError> {
    let (w, _) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    area.draw_text(
        title,
        &font(PANEL_TITLE_PX).pos(centre),
        ((w / 2) as i32, 8),
    )
    .map_err(draw_err)
}

/// Draws the panel's title and its legend above the plot and returns the area left for
/// the plot. The legend is outside the data, so it never covers a bar or a line.
pub(super) fn frame<'a>(
    area: &Area<'a>,
    title: &str,
    entries: &[(Swatch, String)],
) -> Result<Area<'a>, PlotError> {
    let (w, h) = area.dim_in_pixel();
    panel_title(area, title)?;
    let title_h = 8 + PANEL_TITLE_PX as u32 + 8;
    let left = (MARGIN + Y_AREA) as f64;
    let widths: Vec<f64> = entries
        .iter()
        .map(|(_, name)| 26.0 + text_width(name, LEGEND_PX))
        .collect();
    let places = layout::flow(&widths, w as f64 - left - MARGIN as f64, 18.0);
    for ((swatch, name), (row, x)) in entries.iter().zip(&places) {
        let y = (title_h + *row as u32 * LEGEND_ROW + LEGEND_ROW / 2) as i32;
        legend_entry(area, *swatch, name, ((left + x) as i32, y))?;
    }
    let rows = places.iter().map(|(r, _)| r + 1).max().unwrap_or(0) as u32;
    let used = title_h + rows * LEGEND_ROW + 4;
    Ok(area.split_vertically(used.min(h)).1)
}

/// One legend entry, its swatch left of its name, centred on row `y` (area pixels).
fn legend_entry(
    area: &Area,
    swatch: Swatch,
    name: &str,
    (x, y): (i32, i32),
) -> Result<(), PlotError> {
    match swatch {
        Swatch::Line(i) => {
            let line = PathElement::new(vec![(x, y), (x + 20, y)], color(i).stroke_width(2));
            area.draw(&line).map_err(draw_err)?;
        }
        Swatch::Bar(i) => {
            let square = Rectangle::new([(x + 3, y - 6), (x + 17, y + 6)], color(i).filled());
            area.draw(&square).map_err(draw_err)?;
        }
        Swatch::Noise => {
            let (x0, y0, x1, y1) = (x + 3, y - 6, x + 17, y + 6);
            let square = Rectangle::new([(x0, y0), (x1, y1)], NOISE_GREY.mix(0.4).filled());
            area.draw(&square).map_err(draw_err)?;
            for (a, b) in layout::hatch((x0 as f64, y0 as f64, x1 as f64, y1 as f64), 5.0) {
                let a = (a.0 as i32, a.1 as i32);
                let b = (b.0 as i32, b.1 as i32);
                area.draw(&PathElement::new(vec![a, b], NOISE_GREY.stroke_width(1)))
                    .map_err(draw_err)?;
            }
        }
    }
    let style = font(LEGEND_PX).pos(Pos::new(HPos::Left, VPos::Center));
    area.draw_text(name, &style, (x + 26, y)).map_err(draw_err)
}

/// The noise swatch's grey (not a series colour, so it is never taken for one).
pub(super) const NOISE_GREY: RGBColor = RGBColor(96, 96, 96);
