//! A picture of charts: one chart alone, or a figure's grid of panels, each with its
//! caption. Lines and bars draw the data ([`super::lines`], [`super::bars`]) with the
//! primitives of [`super::draw`].
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{Area, CAPTION_PX, LEGEND_PX, TITLE_PX, draw_err, font, panel_title};
use super::layout::{self, chars_in, wrap_all};
use super::{Chart, Figure, PlotError};

const CHART_SIZE: (u32, u32) = (900, 520);
const PANEL_SIZE: (u32, u32) = (640, 440);
const FIGURE_TITLE_H: u32 = 44;
const CAPTION_LINE: u32 = 18;
const TEXT_MARGIN: u32 = 14;

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
    panel_title(area, title)?;
    let centre = Pos::new(HPos::Center, VPos::Top);
    let grey = BLACK.mix(0.6);
    let note = font(LEGEND_PX).color(&grey).pos(centre);
    area.draw_text(
        "no measurements in this window",
        &note,
        ((w / 2) as i32, (h / 2) as i32),
    )
    .map_err(draw_err)
}

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
