//! Layout arithmetic for the charts, kept apart from the drawing so every rule can be
//! tested on numbers: text widths, caption wrapping, number formats, label packing and
//! the figure grid.

/// Estimated width of one character in em. The SVG names a font and the viewer picks
/// it, so the estimate errs wide (common sans-serif faces average 0.5–0.55 em).
pub const EM_PER_CHAR: f64 = 0.6;

/// Estimated width in pixels of `text` at font size `px`.
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * EM_PER_CHAR
}

/// How many characters at font size `px` fit in `width` pixels (at least 1).
pub fn chars_in(width: f64, px: f64) -> usize {
    let n = width / (px * EM_PER_CHAR);
    if n.is_finite() && n >= 1.0 {
        n.floor() as usize
    } else {
        1
    }
}

/// `line` broken at spaces into lines of at most `max` characters; a word longer than a
/// line is cut. Always at least one line, so an empty caption line keeps its place.
pub fn wrap(line: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in line.split_whitespace() {
        let n = word.chars().count();
        let len = cur.chars().count();
        if len > 0 && len + 1 + n <= max {
            cur.push(' ');
            cur.push_str(word);
            continue;
        }
        if len > 0 {
            out.push(std::mem::take(&mut cur));
        }
        // A word longer than a line is cut into whole lines and a rest.
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(max) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur = piece.iter().collect();
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Every caption line wrapped to `max` characters.
pub fn wrap_all(lines: &[String], max: usize) -> Vec<String> {
    lines.iter().flat_map(|l| wrap(l, max)).collect()
}

/// `v` rounded to three significant digits (0 and non-finite values unchanged).
fn round3(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(v.abs().log10().floor() as i32 - 2);
    (v / mag).round() * mag
}

/// The SI step `m` (already rounded) is written in: G, M, k or none.
fn si_unit(m: f64, k_from: f64) -> (f64, &'static str) {
    match m.abs() {
        a if a >= 1e9 => (1e9, "G"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= k_from => (1e3, "k"),
        _ => (1.0, ""),
    }
}

/// `s` with `digits` decimals, trailing zeros (and a bare point) dropped, never "-0".
fn trimmed(s: f64, digits: usize) -> String {
    let mut t = format!("{s:.digits$}");
    if t.contains('.') {
        t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if t == "-0" { "0".into() } else { t }
}

/// A value as printed on a bar: three significant digits and an SI suffix, the same
/// rule for every bar (1.21M, 616k, 950, 12.5, 0.25). Not finite: "n/a".
pub fn compact(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let r = round3(v);
    if r == 0.0 {
        return "0".into();
    }
    let (div, suffix) = si_unit(r, 1e3);
    let s = r / div;
    let digits = (2 - s.abs().log10().floor() as i32).clamp(0, 9) as usize;
    format!("{}{suffix}", trimmed(s, digits))
}

/// One unit for every tick of a linear axis reaching `lo..hi`, so ticks never mix
/// `1000` and `10k`: k from 10 000, M from a million, G from a billion.
pub fn axis_unit(lo: f64, hi: f64) -> (f64, &'static str) {
    let m = lo.abs().max(hi.abs());
    if m.is_finite() {
        si_unit(m, 1e4)
    } else {
        (1.0, "")
    }
}

/// A tick of a linear axis in the axis' unit, up to three decimals (float noise gone).
pub fn linear_tick(v: f64, (div, suffix): (f64, &str)) -> String {
    let t = trimmed(v / div, 3);
    if t == "0" { t } else { format!("{t}{suffix}") }
}

/// A tick of a logarithmic axis: each power of ten in its own SI unit (100, 1k, 10k, 1M).
pub fn log_tick(v: f64) -> String {
    linear_tick(v, si_unit(v, 1e3))
}

/// A label's horizontal extent in pixels.
pub type Span = (f64, f64);

/// The row (0 = top) of each label so that labels in one row are `gap` pixels apart:
/// each label, left to right, takes the first row it clears. Result in input order.
pub fn pack_rows(spans: &[Span], gap: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0));
    let mut ends: Vec<f64> = Vec::new();
    let mut rows = vec![0; spans.len()];
    for i in order {
        let (left, right) = spans[i];
        let row = match ends.iter().position(|&end| end + gap <= left) {
            Some(r) => r,
            None => {
                ends.push(f64::NEG_INFINITY);
                ends.len() - 1
            }
        };
        ends[row] = right;
        rows[i] = row;
    }
    rows
}

/// The extent of a label `width` wide starting just right of `x`, moved left where it
/// would pass `right` and never left of `left`.
pub fn label_span(x: f64, width: f64, (left, right): Span) -> Span {
    let start = (x + 3.0).min(right - width).max(left);
    (start, start + width)
}

/// Left-to-right placement of items `widths` wide in rows `avail` pixels wide, `gap`
/// apart: each item's `(row, x)`. An item wider than a row gets a row of its own.
pub fn flow(widths: &[f64], avail: f64, gap: f64) -> Vec<(usize, f64)> {
    let (mut row, mut x) = (0, 0.0);
    widths
        .iter()
        .map(|&w| {
            if x > 0.0 && x + w > avail {
                row += 1;
                x = 0.0;
            }
            let at = (row, x);
            x += w + gap;
            at
        })
        .collect()
}

/// A point in pixels.
pub type Point = (f64, f64);

/// Diagonal hatch lines `step` pixels apart, clipped to the rectangle `(x0, y0, x1, y1)`
/// (pixels, y down): rising left to right, as a hatched bar in print.
pub fn hatch((x0, y0, x1, y1): (f64, f64, f64, f64), step: f64) -> Vec<(Point, Point)> {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let mut out = Vec::new();
    let finite = [x0, x1, y0, y1, step].iter().all(|v| v.is_finite());
    if !finite || step <= 0.0 {
        return out;
    }
    // Each line is x + y = s; the rectangle spans s from x0 + y0 to x1 + y1.
    let mut s = x0 + y0 + step;
    while s < x1 + y1 {
        let (lo, hi) = (x0.max(s - y1), x1.min(s - y0));
        // Shorter than a pixel: a corner too small to show a stroke.
        if hi - lo >= 1.0 {
            out.push(((lo, s - lo), (hi, s - hi)));
        }
        s += step;
    }
    out
}

/// Where a figure's panels go: `(columns, rows, panel height)`. Columns are dropped
/// from the asked number, and panels stretched at most to square, until the picture is
/// at most twice as wide as tall. `chrome` is the height of the title and caption.
pub fn grid(
    panels: usize,
    columns: usize,
    panel: (u32, u32),
    chrome: impl Fn(u32) -> u32,
) -> (usize, usize, u32) {
    let n = panels.max(1);
    let mut cols = columns.clamp(1, n);
    loop {
        let rows = n.div_ceil(cols);
        let width = panel.0 * cols as u32;
        let needed = width.div_ceil(2).saturating_sub(chrome(width));
        let height = needed.div_ceil(rows as u32).max(panel.1);
        if height <= panel.0.max(panel.1) || cols == 1 {
            return (cols, rows, height);
        }
        cols -= 1;
    }
}

/// Where a label `h` pixels tall goes above a bar whose top (or whisker top) is at pixel
/// row `top`: `gap` above it, but never above the plot area's top row `plot_top`.
pub fn label_top(top: f64, h: f64, gap: f64, plot_top: f64) -> f64 {
    (top - gap - h).max(plot_top)
}

/// The y extent `(lo, hi)` of the values, from zero (or the lowest value, if negative)
/// to the highest times `headroom`; never empty.
pub fn y_extent(lo: f64, hi: f64, headroom: f64) -> (f64, f64) {
    let lo = if lo.is_finite() { lo.min(0.0) } else { 0.0 };
    let hi = if hi.is_finite() && hi > lo {
        hi
    } else {
        lo + 1.0
    };
    let (lo, hi) = (lo.max(-HUGE), hi.min(HUGE));
    (lo, lo + (hi - lo) * headroom)
}

/// The largest magnitude an axis reaches: far beyond any measurement, and small enough
/// that the axis' span and headroom stay finite.
pub const HUGE: f64 = 1e300;

/// The typical step between sorted times: their median difference (None under 2).
pub fn typical_step(ts: &[f64]) -> Option<f64> {
    let mut d: Vec<f64> = ts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| d.is_finite() && *d > 0.0)
        .collect();
    if d.is_empty() {
        return None;
    }
    d.sort_by(f64::total_cmp);
    Some(d[d.len() / 2])
}

/// `points` with a break (a NaN y) wherever x steps by more than `max_step`, so a line
/// is not drawn across time nothing was recorded in.
pub fn break_gaps(points: &[(f64, f64)], max_step: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|j| points[j])
            && p.0 - prev.0 > max_step
        {
            out.push(((p.0 + prev.0) / 2.0, f64::NAN));
        }
        out.push(*p);
    }
    out
}

/// The runs of a line between its breaks: consecutive points whose coordinates are
/// finite (and x > 0 on a log axis); a point that is not breaks the line.
pub fn runs(points: &[(f64, f64)], x_log: bool) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for p in points {
        let usable = p.0.is_finite() && p.1.is_finite() && (!x_log || p.0 > 0.0);
        match out.last_mut() {
            Some(run) if usable => run.push(*p),
            Some(run) if !run.is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plot_compact_values_use_three_digits_and_one_rule() {
        assert_eq!(compact(1_214_000.0), "1.21M");
        assert_eq!(compact(616_000.0), "616k");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(999_600.0), "1M");
        assert_eq!(compact(12.5), "12.5");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(-1500.0), "-1.5k");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(f64::NAN), "n/a");
    }

    #[test]
    fn plot_ticks_of_one_linear_axis_share_a_unit() {
        let u = axis_unit(0.0, 12_000.0);
        let ticks: Vec<String> = [0.0, 2000.0, 10_000.0, 12_000.0]
            .iter()
            .map(|v| linear_tick(*v, u))
            .collect();
        assert_eq!(ticks, ["0", "2k", "10k", "12k"]);
        let u = axis_unit(0.0, 1500.0);
        assert_eq!(linear_tick(1000.0, u), "1000");
        assert_eq!(linear_tick(0.30000000000000004, u), "0.3");
        assert_eq!(log_tick(1000.0), "1k");
        assert_eq!(log_tick(100.0), "100");
    }

    #[test]
    fn plot_wrap_keeps_every_word_and_the_width() {
        let line =
            "memory budget 64.0 MiB for each engine (value cache 32 MiB, block cache 32 MiB)";
        let lines = wrap(line, 20);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(lines.join(" "), line);
        let long = wrap(&"x".repeat(45), 20);
        assert_eq!(
            long.iter().map(|l| l.len()).collect::<Vec<_>>(),
            [20, 20, 5]
        );
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("a b", 0), ["a", "b"]);
    }

    #[test]
    fn plot_packed_labels_never_share_a_row_when_they_overlap() {
        let spans = [(0.0, 50.0), (10.0, 60.0), (70.0, 90.0), (20.0, 30.0)];
        let rows = pack_rows(&spans, 4.0);
        for i in 0..spans.len() {
            for j in i + 1..spans.len() {
                let apart = spans[i].1 + 4.0 <= spans[j].0 || spans[j].1 + 4.0 <= spans[i].0;
                assert!(rows[i] != rows[j] || apart, "{i} {j} {rows:?}");
            }
        }
        assert_eq!(rows[2], 0, "a label clear of the others stays on top");
        assert!(pack_rows(&[], 1.0).is_empty());
        assert_eq!(label_span(95.0, 20.0, (0.0, 100.0)), (80.0, 100.0));
    }

    #[test]
    fn plot_grid_is_at_most_twice_as_wide_as_tall() {
        for (n, cols) in [(3, 3), (2, 2), (4, 2), (1, 1), (5, 5), (0, 0)] {
            let (c, r, h) = grid(n, cols, (640, 440), |_| 120);
            let ratio = (640 * c) as f64 / (120 + h * r as u32) as f64;
            assert!(ratio <= 2.0 + 1e-9, "{n} panels: {c}x{r} of height {h}");
            assert!(c * r >= n.max(1) && h <= 640);
        }
        assert_eq!(grid(3, 3, (640, 440), |_| 120).0, 2);
    }

    #[test]
    fn plot_gaps_break_lines_and_runs_skip_breaks() {
        let pts = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (10.0, 1.0), (11.0, 2.0)];
        let step = typical_step(&pts.map(|p| p.0)).unwrap();
        assert_eq!(step, 1.0);
        let broken = break_gaps(&pts, 3.0 * step);
        let r = runs(&broken, false);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1], vec![(10.0, 1.0), (11.0, 2.0)]);
        assert!(runs(&[(f64::NAN, 1.0)], false).is_empty());
        assert_eq!(runs(&[(0.0, 1.0), (1.0, 1.0)], true).len(), 1);
        assert_eq!(typical_step(&[1.0]), None);
    }

    #[test]
    fn plot_hatch_stays_inside_its_rectangle_and_legends_flow() {
        let lines = hatch((10.0, 20.0, 30.0, 60.0), 5.0);
        assert!(!lines.is_empty());
        for (a, b) in lines {
            for p in [a, b] {
                assert!(
                    (10.0..=30.0).contains(&p.0) && (20.0..=60.0).contains(&p.1),
                    "{p:?}"
                );
            }
        }
        assert!(hatch((0.0, 0.0, f64::NAN, 1.0), 5.0).is_empty());
        assert!(hatch((0.0, 0.0, 10.0, 10.0), 0.0).is_empty());
        assert_eq!(
            flow(&[50.0, 50.0, 50.0], 120.0, 10.0),
            [(0, 0.0), (0, 60.0), (1, 0.0)]
        );
    }

    #[test]
    fn plot_value_labels_stay_in_the_plot_area() {
        assert_eq!(label_top(100.0, 12.0, 4.0, 0.0), 84.0);
        assert_eq!(label_top(5.0, 12.0, 4.0, 0.0), 0.0);
        assert_eq!(y_extent(f64::NAN, f64::NAN, 1.1), (0.0, 1.1));
        assert_eq!(y_extent(0.0, 10.0, 1.5), (0.0, 15.0));
        let (lo, hi) = y_extent(-f64::MAX, f64::MAX, 1.3);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
    }
}
