//! Where a get spends its time: value cache / ALEX / RocksDB / other, as a stacked bar
//! in nanoseconds and percent (timed gets of the last few seconds), and RocksDB's side.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{MIN_SAMPLES, dim, empty_note, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;
use command::series::Recent;

/// Seconds of samples the split sums over.
pub const SPLIT_SECS: f64 = 5.0;

/// RocksDB's own parts (PerfContext), drawn when `perf_level` times.
pub const ROCKS_PARTS: [(&str, Color); 4] = [
    ("memtable", Color::Cyan),
    ("filter", Color::Yellow),
    ("index", Color::LightRed),
    ("data", Color::LightMagenta),
];

pub const PARTS: [(&str, Color); 4] = [
    ("cache", Color::Blue),
    ("ALEX", Color::Green),
    ("RocksDB", Color::Magenta),
    ("other", Color::Gray),
];

/// Splits `width` cells between `parts` in proportion, the rounding going to the
/// largest remainders, so the widths always add up to `width`.
pub fn bar_widths(parts: &[u64], width: usize) -> Vec<usize> {
    let total: u64 = parts.iter().sum();
    if total == 0 {
        return vec![0; parts.len()];
    }
    let exact: Vec<f64> = parts
        .iter()
        .map(|&p| p as f64 * width as f64 / total as f64)
        .collect();
    let mut w: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut left = width - w.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        if parts[i] > 0 {
            w[i] += 1;
            left -= 1;
        }
    }
    w
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let end = app.chart_end();
    let (r, idle_at) = figures(app, end);
    let idle = idle_at.is_some();
    let total = r.split_total_ns();
    let detail = if idle {
        "idle, last run".to_string()
    } else if r.timed_gets() > 0 && r.timed_gets() < MIN_SAMPLES {
        "too few samples".to_string()
    } else if r.timed_gets() > 0 {
        format!("{}/get", fmt::ns(total as f64 / r.timed_gets() as f64))
    } else {
        "last 5 s".to_string()
    };
    let block = pane_block(app, Pane::Split, &detail, area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    if r.timed_gets() == 0 || total == 0 {
        let rate = app
            .series
            .at(app.frozen_at)
            .map_or(0, |s| s.snapshot.sample_rate);
        empty_note(inner, buf, "no timed gets in the last 5 s");
        if rate > 0 && inner.height >= 3 {
            let below = Rect {
                y: inner.y + 1,
                ..inner
            };
            empty_note(below, buf, &format!("(1 in {rate} gets is timed)"));
        }
        return;
    }
    draw_figures(app, &r, idle_at.unwrap_or(end), inner, buf);
    // Old figures, or too few to trust: all of it in grey.
    if idle || r.timed_gets() < MIN_SAMPLES {
        buf.set_style(inner, dim());
    }
}

/// The figures to show: the last 5 s, or when they timed no get, the 5 s up to the
/// newest sample that did (idle: these are the last run's, ending at the time given).
fn figures(app: &App, end: f64) -> (Recent, Option<f64>) {
    let r = app.series.recent(end, SPLIT_SECS);
    if r.timed_gets() > 0 || app.frozen_at.is_some() {
        return (r, None);
    }
    let last = app
        .series
        .range(f64::MIN, end)
        .filter(|s| s.snapshot.get_split.sampled_gets > 0)
        .last()
        .map(|s| s.t);
    match last {
        Some(t) => (app.series.recent(t, SPLIT_SECS), Some(t)),
        None => (r, None),
    }
}

fn draw_figures(app: &App, r: &Recent, end: f64, inner: Rect, buf: &mut Buffer) {
    let total = r.split_total_ns();
    let ns = [
        r.split.cache_ns,
        r.split.alex_ns,
        r.split.rocksdb_ns,
        r.split.rest_ns,
    ];
    let widths = bar_widths(&ns, inner.width as usize);
    let mut spans = Vec::new();
    for ((_, color), w) in PARTS.iter().zip(&widths) {
        spans.push(Span::styled("█".repeat(*w), Style::default().fg(*color)));
    }
    buf.set_line(inner.x, inner.y, &Line::from(spans), inner.width);
    let mut y = inner.y + 1;
    let gets = r.timed_gets() as f64;
    // Narrow panes show the percentages only (the total per get is in the title).
    let wide = inner.width >= 24;
    for ((name, color), v) in PARTS.iter().zip(ns) {
        if y >= inner.bottom() {
            break;
        }
        let mut spans = vec![
            Span::styled("■ ", Style::default().fg(*color)),
            Span::styled(
                format!("{name:<8}"),
                Style::default().add_modifier(Modifier::BOLD),
            ),
        ];
        if wide {
            spans.push(Span::raw(format!("{:>7}", fmt::ns(v as f64 / gets))));
        }
        spans.push(Span::raw(format!(
            "{:>7}",
            fmt::pct(v as f64 / total as f64)
        )));
        let line = Line::from(spans);
        buf.set_line(inner.x, y, &line, inner.width);
        y += 1;
    }
    let roomy = inner.width as usize >= WIDE;
    if y < inner.bottom() {
        let few = if r.timed_gets() < MIN_SAMPLES {
            "too few samples: "
        } else {
            ""
        };
        // Each figure says which gets it rests on: these are per timed get, all kinds.
        let note = if roomy {
            format!(
                "{few}per timed get (cache hits included): {} gets timed in the last {:.0} s",
                fmt::count(gets),
                r.secs
            )
        } else {
            format!("{few}{} timed gets in {:.0} s", fmt::count(gets), r.secs)
        };
        buf.set_string(inner.x, y, fmt::fit(&note, inner.width as usize), dim());
        y += 1;
    }
    if y < inner.bottom() {
        y = render_rocks_split(r, inner, y, buf);
    }
    // RocksDB's side of the same seconds: where its gets were answered.
    if y < inner.bottom() {
        let mut mem = 0;
        let mut l0 = 0;
        let mut l1 = 0;
        let mut l2 = 0;
        let mut bloom = 0;
        for s in app.series.range(end - SPLIT_SECS, end) {
            let t = &s.snapshot.rocksdb.tickers;
            mem += t.memtable_hit;
            l0 += t.get_hit_l0;
            l1 += t.get_hit_l1;
            l2 += t.get_hit_l2_and_up;
            bloom += t.bloom_useful;
        }
        let figures = format!(
            "mem {} L0 {} L1 {} L2+ {} bloom-skip {}",
            fmt::count(mem as f64),
            fmt::count(l0 as f64),
            fmt::count(l1 as f64),
            fmt::count(l2 as f64),
            fmt::count(bloom as f64)
        );
        let width = inner.width as usize;
        let long =
            format!("RocksDB answered, every get (not only timed ones), last 5 s: {figures}");
        let lines = if !roomy {
            vec![format!("rocks: {figures}")]
        } else if long.chars().count() <= width {
            vec![long]
        } else {
            // Two rows rather than a cut: the figures matter more than the words.
            let head = "RocksDB answered, every get (not only timed ones), last 5 s:";
            vec![head.to_string(), format!("  {figures}")]
        };
        for line in lines.iter().take(inner.bottom().saturating_sub(y) as usize) {
            buf.set_string(inner.x, y, fmt::fit(line, width), dim());
            y += 1;
        }
    }
    if inner.bottom().saturating_sub(y) >= 4 {
        render_history(app, end, inner, y + 1, buf);
    }
}

/// Panes at least this wide (expanded) name each figure's window and sample set.
const WIDE: usize = 60;
/// Seconds of the split's history an expanded pane shows, one row per [`SPLIT_SECS`].
const HISTORY_SECS: f64 = 120.0;

/// The split of each 5 s before `end`, newest first, one row each from row `y` while
/// rows are left: how a change moved time between the parts.
fn render_history(app: &App, end: f64, inner: Rect, mut y: u16, buf: &mut Buffer) {
    let head = "history: each 5 s, newest first (per timed get)";
    buf.set_string(inner.x, y, fmt::fit(head, inner.width as usize), dim());
    y += 1;
    let bar_w = (inner.width as usize).saturating_sub(32).min(60);
    let mut to = end;
    while y < inner.bottom() && to > end - HISTORY_SECS && to > 0.0 {
        let r = app.series.recent(to, SPLIT_SECS);
        let ns = [
            r.split.cache_ns,
            r.split.alex_ns,
            r.split.rocksdb_ns,
            r.split.rest_ns,
        ];
        let ago = format!("-{}", fmt::clock(end - to));
        let mut spans = vec![Span::styled(format!("{ago:>6} "), dim())];
        for ((_, color), w) in PARTS.iter().zip(bar_widths(&ns, bar_w)) {
            spans.push(Span::styled("█".repeat(w), Style::default().fg(*color)));
        }
        let per = match r.timed_gets() {
            0 => "idle".to_string(),
            n => format!(
                "{:>7}/get n={}",
                fmt::ns(r.split_total_ns() as f64 / n as f64),
                fmt::count(n as f64)
            ),
        };
        let pad = bar_w.saturating_sub(super::line_width(&spans[1..]));
        spans.push(Span::raw(format!("{} {per}", " ".repeat(pad))));
        buf.set_line(inner.x, y, &Line::from(spans), inner.width);
        y += 1;
        to -= SPLIT_SECS;
    }
}

/// RocksDB's own split of the same gets (PerfContext) from row `y`: a stacked bar and
/// the parts per get, or how to turn it on. Returns the next free row.
fn render_rocks_split(r: &Recent, inner: Rect, mut y: u16, buf: &mut Buffer) -> u16 {
    let width = inner.width as usize;
    let p = &r.perf;
    if !p.enabled {
        let note = "RocksDB split: .set perf_level time_except_mutex";
        buf.set_string(inner.x, y, fmt::fit(note, width), dim());
        return y + 1;
    }
    if p.gets == 0 || p.total_ns() == 0 {
        let note = "RocksDB split: no gets reached RocksDB";
        buf.set_string(inner.x, y, fmt::fit(note, width), dim());
        return y + 1;
    }
    let ns = [p.memtable_ns, p.filter_ns, p.index_ns, p.data_block_ns];
    let gets = p.gets as f64;
    let label = if p.gets < MIN_SAMPLES {
        format!("RocksDB get: too few samples ({} gets) ", p.gets)
    } else {
        let per = fmt::ns(p.total_ns() as f64 / gets);
        let n = fmt::count(gets);
        // Not the RocksDB row above: that is per timed get, this per get that reached
        // RocksDB; the longest label that leaves the bar 10 cells says so.
        [
            format!(
                "RocksDB's own split (PerfContext), per get that reached it: {per} from {n} gets "
            ),
            format!("RocksDB per get that reached it: {per} from {n} gets "),
            format!("RocksDB get {per} from {n} gets "),
        ]
        .into_iter()
        .find(|l| l.chars().count() + 10 <= width)
        .unwrap_or_else(|| format!("RocksDB get {per} from {n} gets "))
    };
    let bar_w = width.saturating_sub(label.chars().count());
    let first = y;
    let mut spans = vec![Span::styled(label, dim())];
    for ((_, color), w) in ROCKS_PARTS.iter().zip(bar_widths(&ns, bar_w)) {
        spans.push(Span::styled("█".repeat(w), Style::default().fg(*color)));
    }
    buf.set_line(inner.x, y, &Line::from(spans), inner.width);
    y += 1;
    // The parts per get on as few rows as fit, then what of it was file reads.
    let mut items: Vec<Span> = Vec::new();
    for ((name, color), v) in ROCKS_PARTS.iter().zip(ns) {
        items.push(Span::styled("■", Style::default().fg(*color)));
        items.push(Span::raw(format!("{name} {} ", fmt::ns(v as f64 / gets))));
    }
    items.push(Span::styled(
        format!(
            "(file reads {}, decompress {})",
            fmt::ns(p.block_read_ns as f64 / gets),
            fmt::ns(p.decompress_ns as f64 / gets)
        ),
        dim(),
    ));
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for pair in items.chunks(2) {
        let w: usize = pair.iter().map(|s| s.content.chars().count()).sum();
        if used + w > width && !line.is_empty() {
            if y >= inner.bottom() {
                return y;
            }
            buf.set_line(
                inner.x,
                y,
                &Line::from(std::mem::take(&mut line)),
                inner.width,
            );
            y += 1;
            used = 0;
        }
        used += w;
        line.extend(pair.iter().cloned());
    }
    if !line.is_empty() && y < inner.bottom() {
        buf.set_line(inner.x, y, &Line::from(line), inner.width);
        y += 1;
    }
    if p.gets < MIN_SAMPLES {
        let rows = Rect {
            y: first,
            height: y - first,
            ..inner
        };
        buf.set_style(rows, dim());
    }
    y
}
