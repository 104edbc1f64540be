//! Charts to share: SVG pictures of benchmark reports, sweeps and the recorded metrics.
//!
//! Plain data in (series of numbers, category names, caption lines), SVG text out. Drawn
//! with `plotters`' SVG backend and its built-in text estimate: the SVG names the font and
//! the viewer renders the text, so nothing here needs a system font or library. No
//! terminal code: the bench runner, the executor and the dashboard all call these.
mod bars;
pub mod bench;
mod draw;
mod figure;
mod layout;
/// The compact number format bars are labelled with (`1.21M`, `616k`, `950`).
pub use layout::compact as compact_number;
mod lines;
pub mod metrics;

use std::path::Path;

/// One line of a [`LineChart`]: `(x, y)` points in drawing order. A point whose y is
/// NaN breaks the line (nothing is drawn across it), so a sweep or a recording with a
/// hole shows the hole.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Optional `(min, max)` of the runs behind each point, in the order of `points`,
    /// drawn as an error bar with short caps. Empty, shorter than `points` or `None`:
    /// no bar for that point.
    pub ranges: Vec<Option<(f64, f64)>>,
}

/// Lines over a shared x axis, optionally logarithmic, with labelled vertical markers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Lines drawn under the chart: the settings and the memory budget of the run.
    pub caption: Vec<String>,
    pub series: Vec<Series>,
    /// Logarithmic x axis (points with x <= 0 are left out).
    pub x_log: bool,
    /// Vertical event lines at x, labelled (option changes, reopens, flushes). Labels
    /// that would overlap are stacked in rows; when more than a few rows would be needed
    /// they are numbered and the numbers explained under the chart.
    pub markers: Vec<(f64, String)>,
    /// The x axis' extent; `None` fits the points. Panels of one figure that share a
    /// clock set the same extent so their times line up.
    pub x_range: Option<(f64, f64)>,
    /// The y axis' extent; `None` fits the points with a little headroom (a rate in
    /// percent sets `(0, 100)` so the axis never reads 120%).
    pub y_range: Option<(f64, f64)>,
    /// Written after every y tick label, e.g. `%`.
    pub y_suffix: String,
}

/// Grouped bars: one group per category, one bar per series in each group.
/// [`stacked_bar_svg`] draws the same data as one bar per category, series stacked.
///
/// Showing the doubt of repeated runs: `ranges` adds a whisker (min to max) over each
/// bar, `value_labels` prints each bar's value above it (above its whisker), and
/// `within_noise` draws the bars that cannot be told apart from the best one lighter
/// and hatched, with a legend entry [`NOISE_LABEL`]. Ranges, labels and noise marks
/// are for grouped bars; stacked bars print each stack's total when `value_labels` is
/// on and ignore the rest. Every one of these defaults to off (empty / false).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub caption: Vec<String>,
    pub categories: Vec<String>,
    /// `(name, one value per category)`.
    pub series: Vec<(String, Vec<f64>)>,
    /// Per series, per category: `(min, max)` of the runs behind the bar. Missing,
    /// `None` or not finite: no whisker on that bar.
    pub ranges: Vec<Vec<Option<(f64, f64)>>>,
    /// Print each bar's value above it in one compact format (`1.21M`, `616k`, `950`).
    pub value_labels: bool,
    /// Per series, per category: `true` marks a bar within noise of the best one (the
    /// caller decides what the best and the noise are). Missing entries are `false`.
    pub within_noise: Vec<Vec<bool>>,
}

/// The legend entry of the bars [`BarChart::within_noise`] marks.
pub const NOISE_LABEL: &str = "within noise of the best";

/// One panel of a [`Figure`].
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Line(LineChart),
    Bars(BarChart),
    StackedBars(BarChart),
}

/// Several charts in one SVG, laid out in a grid under one title and over one caption.
/// Fewer columns than asked are used where the picture would otherwise be more than
/// twice as wide as tall; caption lines wider than the picture are wrapped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Figure {
    pub title: String,
    pub caption: Vec<String>,
    pub panels: Vec<Chart>,
    /// Panels per row (at least 1).
    pub columns: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("{0}: nothing to plot (no data points)")]
    Empty(String),
    #[error("{0}")]
    Shape(String),
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    #[error("plot file {0}: must end in .svg (only SVG is written)")]
    NotSvg(String),
    #[error("cannot write plot file {path}: {reason}")]
    Write { path: String, reason: String },
}

/// A line chart as SVG text.
pub fn line_svg(c: &LineChart) -> Result<String, PlotError> {
    figure::single(&Chart::Line(c.clone()))
}

/// Grouped bars as SVG text.
pub fn bar_svg(c: &BarChart) -> Result<String, PlotError> {
    figure::single(&Chart::Bars(c.clone()))
}

/// Stacked bars as SVG text: one bar per category, the series stacked bottom-up.
pub fn stacked_bar_svg(c: &BarChart) -> Result<String, PlotError> {
    figure::single(&Chart::StackedBars(c.clone()))
}

/// Several panels in one SVG.
pub fn figure_svg(f: &Figure) -> Result<String, PlotError> {
    figure::figure(f)
}

/// Refuses a plot path before any work is done: it must end in `.svg` and its directory
/// must exist (so a long benchmark does not fail only at the end).
pub fn check_svg_path(path: &Path) -> Result<(), PlotError> {
    let shown = path.display().to_string();
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !is_svg {
        return Err(PlotError::NotSvg(shown));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(PlotError::Write {
            path: shown,
            reason: format!("directory {} does not exist", dir.display()),
        });
    }
    Ok(())
}

/// Writes the SVG text to `path` (checked with [`check_svg_path`] first).
pub fn save_svg(path: &Path, svg: &str) -> Result<(), PlotError> {
    check_svg_path(path)?;
    std::fs::write(path, svg).map_err(|e| PlotError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// The colour of series `i` as the SVG writes it (`#RRGGBB`), for readers of the file.
pub fn series_hex(i: usize) -> String {
    let (r, g, b) = draw::PALETTE[i % draw::PALETTE.len()];
    format!("#{r:02X}{g:02X}{b:02X}")
}
