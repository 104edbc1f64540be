//! The drawing shared by every chart: the picture, the figure grid, captions, panel
//! titles and legends (above the plot, outside the data). Lines and bars draw their
//! data in [`super::lines`] and [`super::bars`].
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{self, chars_in, text_width, wrap_all};
use super::{Chart, Figure, PlotError};

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
const CHART_SIZE: (u32, u32) = (900, 520);
const PANEL_SIZE: (u32, u32) = (640, 440);

/// Font sizes in pixels as the SVG writes them: readable when the picture is shown at
/// the width of a page or a screen.
pub(super) const TITLE_PX: f64 = 22.0;
pub(super) const PANEL_TITLE_PX: f64 = 17.0;
pub(super) const AXIS_PX: f64 = 14.0;
pub(super) const TICK_PX: f64 = 13.0;
pub(super) const LEGEND_PX: f64 = 13.0;
pub(super) const CAPTION_PX: f64 = 13.0;
pub(super) const SMALL_PX: f64 = 11.0;

const FIGURE_TITLE_H: u32 = 44;
const CAPTION_LINE: u32 = 18;
const LEGEND_ROW: u32 = 20;
const TEXT_MARGIN: u32 = 14;

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

/// Caption lines wrapped to fit a picture `width` pixels wide.
fn wrap_caption(caption: &[String], width: u32) -> Vec<String> {
    let room = width.saturating_sub(2 * TEXT_MARGIN) as f64;
    wrap_all(caption, chars_in(room, CAPTION_PX))
}

fn caption_height(lines: usize) -> u32 {
    if lines == 0 {
        0
    } else {
        CAPTION_LINE * lines as u32 + 10
    }
}

/// Draws the (already wrapped) caption lines at the bottom of `area` and returns the
/// area above them.
fn split_caption<'a>(area: &Area<'a>, lines: &[String]) -> Result<Area<'a>, PlotError> {
    let (_, h) = area.dim_in_pixel();
    let (body, foot) = area.split_vertically(h.saturating_sub(caption_height(lines.len())));
    let grey = BLACK.mix(0.8);
    let style = font(CAPTION_PX).color(&grey);
    for (i, line) in lines.iter().enumerate() {
        let y = 2 + (i as u32 * CAPTION_LINE) as i32;
        foot.draw_text(line, &style, (TEXT_MARGIN as i32, y))
            .map_err(draw_err)?;
    }
    Ok(body)
}

/// The key to a line chart's numbered markers at `width`, if they are numbered.
fn marker_key(chart: &Chart, width: u32) -> Option<String> {
    match chart {
        Chart::Line(c) => super::lines::marker_key(c, width),
        Chart::Bars(_) | Chart::StackedBars(_) => None,
    }
}

/// A panel's caption lines, and `key` (the key to its numbered markers) under them,
/// wrapped for a panel `width` wide.
fn panel_caption(chart: &Chart, key: Option<&String>, width: u32) -> Vec<String> {
    let caption = match chart {
        Chart::Line(c) => &c.caption,
        Chart::Bars(b) | Chart::StackedBars(b) => &b.caption,
    };
    let lines: Vec<String> = caption.iter().chain(key).cloned().collect();
    wrap_caption(&lines, width)
}

fn draw_chart(area: &Area, chart: &Chart, numbered: bool) -> Result<(), PlotError> {
    match chart {
        Chart::Line(c) => super::lines::line(area, c, numbered),
        Chart::Bars(c) => super::bars::bars(area, c, false),
        Chart::StackedBars(c) => super::bars::bars(area, c, true),
    }
}

/// One chart with its caption, alone in an SVG.
pub(super) fn single(chart: &Chart) -> Result<String, PlotError> {
    let key = marker_key(chart, CHART_SIZE.0);
    let caption = panel_caption(chart, key.as_ref(), CHART_SIZE.0);
    let size = (CHART_SIZE.0, CHART_SIZE.1 + caption_height(caption.len()));
    render(size, |root| {
        draw_chart(&split_caption(root, &caption)?, chart, key.is_some())
    })
}

/// The one key every panel with numbered markers shares (the same markers on every
/// panel, as the metrics figure has): it is then said once, under the figure.
fn shared_key(keys: &[Option<String>]) -> Option<String> {
    let mut given = keys.iter().flatten();
    let first = given.next()?;
    let more = keys.iter().flatten().count() > 1;
    (more && given.all(|k| k == first)).then(|| first.clone())
}

/// Panels in a grid under the figure's title and over its caption.
pub(super) fn figure(f: &Figure) -> Result<String, PlotError> {
    if f.panels.is_empty() {
        return Err(PlotError::Empty(f.title.clone()));
    }
    // A lone panel gets a single chart's room; every cell is one panel wide.
    let panel = if f.panels.len() == 1 {
        CHART_SIZE
    } else {
        PANEL_SIZE
    };
    let keys: Vec<Option<String>> = f.panels.iter().map(|p| marker_key(p, panel.0)).collect();
    let shared = shared_key(&keys);
    let lines: Vec<String> = f.caption.iter().chain(&shared).cloned().collect();
    let chrome = |w: u32| FIGURE_TITLE_H + caption_height(wrap_caption(&lines, w).len());
    let (cols, rows, panel_h) = layout::grid(f.panels.len(), f.columns, panel, chrome);
    let width = panel.0 * cols as u32;
    let caption = wrap_caption(&lines, width);
    let size = (
        width,
        FIGURE_TITLE_H + panel_h * rows as u32 + caption_height(caption.len()),
    );
    render(size, |root| {
        let style = font(TITLE_PX).pos(Pos::new(HPos::Center, VPos::Top));
        root.draw_text(&f.title, &style, ((width / 2) as i32, 10))
            .map_err(draw_err)?;
        let (_, body) = root.split_vertically(FIGURE_TITLE_H);
        let body = split_caption(&body, &caption)?;
        let cells = body.split_evenly((rows, cols));
        for ((panel, cell), key) in f.panels.iter().zip(cells.iter()).zip(&keys) {
            let own = key.as_ref().filter(|_| shared.is_none());
            let caption = panel_caption(panel, own, cell.dim_in_pixel().0);
            draw_panel(cell, panel, &caption, key.is_some())?;
        }
        Ok(())
    })
}

/// One panel of a figure; a panel with nothing measured says so.
fn draw_panel(
    cell: &Area,
    panel: &Chart,
    caption: &[String],
    numbered: bool,
) -> Result<(), PlotError> {
    let inner = split_caption(cell, caption)?;
    // One panel without measurements still leaves the others worth showing.
    match draw_chart(&inner, panel, numbered) {
        Err(PlotError::Empty(title)) => placeholder(&inner, &title),
        other => other,
    }
}

/// A panel with nothing measured: its title and a note saying so.
fn placeholder(area: &Area, title: &str) -> Result<(), PlotError> {
    let (w, h) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    area.draw_text(
        title,
        &font(PANEL_TITLE_PX).pos(centre),
        ((w / 2) as i32, 8),
    )
    .map_err(draw_err)?;
    let grey = BLACK.mix(0.6);
    let note = font(LEGEND_PX).color(&grey).pos(centre);
    area.draw_text(
        "no measurements in this window",
        &note,
        ((w / 2) as i32, (h / 2) as i32),
    )
    .map_err(draw_err)
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

/// Draws the panel's title and its legend above the plot and returns the area left for
/// the plot. The legend is outside the data, so it never covers a bar or a line.
pub(super) fn frame<'a>(
    area: &Area<'a>,
    title: &str,
    entries: &[(Swatch, String)],
) -> Result<Area<'a>, PlotError> {
    let (w, h) = area.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    area.draw_text(
        title,
        &font(PANEL_TITLE_PX).pos(centre),
        ((w / 2) as i32, 8),
    )
    .map_err(draw_err)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plot_a_key_all_panels_share_is_said_once() {
        let k = |s: &str| Some(s.to_string());
        assert_eq!(shared_key(&[k("m: 1 a"), None, k("m: 1 a")]), k("m: 1 a"));
        assert_eq!(shared_key(&[k("m: 1 a"), k("m: 1 b")]), None);
        assert_eq!(
            shared_key(&[k("m: 1 a"), None]),
            None,
            "one panel keeps its own"
        );
        assert_eq!(shared_key(&[None, None]), None);
    }
}
