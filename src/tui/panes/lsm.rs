//! The LSM tree. The tile: files and bytes, the write-stall condition and its cause,
//! the compaction debt, write amplification, compactions under way, then the levels.
//! Expanded (Ctrl-X) or wherever there is room: RocksDB's Compaction Stats per level
//! (files, size, score, bytes read and written since open and per second, W-Amp,
//! compaction seconds and count), the whole tree's amplification, the debt as a gauge
//! against the soft and hard limits, the stall seconds per cause and each running
//! compaction.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{bar, dim, empty_note, flow, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;
use engine::metrics::{LevelInfo, RocksStats};

/// The full view needs this many columns (its narrowest table and the debt gauge).
pub const FULL_MIN_WIDTH: u16 = 60;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let style = app
        .options
        .iter()
        .find(|o| o.name == "compaction_style")
        .map_or(String::new(), |o| o.value.clone());
    let block = pane_block(app, Pane::Lsm, &style, area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let Some(s) = app.series.at(app.frozen_at) else {
        empty_note(inner, buf, "no sample yet");
        return;
    };
    let r = &s.snapshot.rocksdb;
    let full = inner.width >= FULL_MIN_WIDTH && inner.height as usize >= r.levels.len() + 7;
    let lines = if full {
        full_lines(r, inner.width as usize)
    } else {
        tile_lines(r, inner)
    };
    for (i, l) in lines.iter().take(inner.height as usize).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
}

/// The small tile: the figures that say whether writes are in trouble first, then as
/// many levels as fit.
fn tile_lines(r: &RocksStats, inner: Rect) -> Vec<Line<'static>> {
    // The 80x24 tile is 16 columns wide: sizes lose their space there.
    let narrow = inner.width < NARROW;
    let size = |n: u64| {
        let s = fmt::bytes(n);
        if narrow { s.replace(' ', "") } else { s }
    };
    let stall = if narrow {
        narrow_stall(r)
    } else {
        stall_span(r, false)
    };
    let mut items = vec![
        Span::raw(format!(
            "{} files {}",
            fmt::grouped(r.sst_files),
            size(r.sst_bytes)
        )),
        stall,
        Span::styled(debt_short(r, &size), busy(r)),
    ];
    if r.amp.write_amp > 0.0 {
        items.push(Span::raw(format!("W-Amp {:.1}", r.amp.write_amp)));
    }
    match r.running.first() {
        Some(c) => items.push(Span::styled(
            format!(
                "L{}→L{} {:.0}s{}",
                c.from_level,
                c.to_level,
                c.running_secs,
                more(r.running.len())
            ),
            Style::default().fg(Color::Yellow),
        )),
        None => items.push(Span::styled(
            format!("{} compacting", r.running_compactions),
            busy(r),
        )),
    }
    if r.running_flushes > 0 {
        items.push(Span::styled(
            format!("{} flushing", r.running_flushes),
            Style::default().fg(Color::Yellow),
        ));
    }
    let mut lines = flow(items, inner.width as usize);
    // All levels when they fit (with a header row if there is room), else the
    // non-empty ones (and L0).
    let room = (inner.height as usize).saturating_sub(lines.len());
    let header = room > r.levels.len();
    let levels: Vec<_> = if r.levels.len() <= room {
        r.levels.iter().collect()
    } else {
        r.levels
            .iter()
            .filter(|l| l.level == 0 || l.files > 0)
            .collect()
    };
    let max = r.levels.iter().map(|l| l.bytes).max().unwrap_or(0).max(1);
    if header {
        lines.push(Line::from(Span::styled(
            format!("{:<3}{:>5}{:>10}", "lvl", "files", "size"),
            dim().add_modifier(Modifier::UNDERLINED),
        )));
    }
    let bar_w = (inner.width as usize).saturating_sub(19);
    for l in levels {
        let mut spans = vec![
            Span::styled(format!("L{:<2}", l.level), Style::default().fg(Color::Cyan)),
            Span::raw(format!("{:>5}", l.files)),
            Span::raw(format!("{:>10}", size_or_dash(l.files, l.bytes))),
        ];
        if bar_w >= 3 {
            spans.push(Span::raw(" "));
            spans.extend(bar(l.bytes as f64 / max as f64, bar_w, Color::Cyan));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// Tiles narrower than this use the short forms.
const NARROW: u16 = 20;

/// The stall in at most 16 columns: `DELAYED l0 files`, `STOPPED debt`.
fn narrow_stall(r: &RocksStats) -> Span<'static> {
    let span = stall_span(r, false);
    if condition(r) == "normal" {
        return span;
    }
    let cause = match r.stall.cause {
        Some("pending bytes") => " debt".to_string(),
        Some(c) => format!(" {c}"),
        None => String::new(),
    };
    let word = if condition(r) == "stopped" {
        "STOPPED"
    } else {
        "DELAYED"
    };
    Span::styled(format!("{word}{cause}"), span.style)
}

/// ` +2` when more than one compaction runs.
fn more(n: usize) -> String {
    if n > 1 {
        format!(" +{}", n - 1)
    } else {
        String::new()
    }
}

fn size_or_dash(files: u64, bytes: u64) -> String {
    if files == 0 && bytes == 0 {
        "-".to_string()
    } else {
        fmt::bytes(bytes)
    }
}

/// Yellow while compaction has work, else dim.
fn busy(r: &RocksStats) -> Style {
    if r.pending_compaction_bytes > 0 || r.running_compactions > 0 {
        Style::default().fg(Color::Yellow)
    } else {
        dim()
    }
}

/// The stall condition now: what the listener reported, else RocksDB's flags.
fn condition(r: &RocksStats) -> &'static str {
    match r.stall.condition {
        "" if r.write_stopped => "stopped",
        "" if r.write_stall => "delayed",
        "" => "normal",
        c => c,
    }
}

/// `no stall`, `DELAYED 16.0 MiB/s (l0 files)`, `WRITES STOPPED (memtables)`.
fn stall_span(r: &RocksStats, long: bool) -> Span<'static> {
    let cause = r.stall.cause.map_or(String::new(), |c| format!(" ({c})"));
    match condition(r) {
        "stopped" => Span::styled(
            format!("WRITES STOPPED{cause}"),
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        ),
        "delayed" => {
            let rate = if long || r.stall.cause.is_none() {
                format!(" {}/s", fmt::bytes(r.delayed_write_rate))
            } else {
                String::new()
            };
            Span::styled(
                format!("DELAYED{rate}{cause}"),
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        }
        _ => Span::styled("no stall", Style::default().fg(Color::Green)),
    }
}

/// The limit the debt is measured against: soft, else hard (0: none).
fn debt_limit(r: &RocksStats) -> u64 {
    if r.soft_pending_limit > 0 {
        r.soft_pending_limit
    } else {
        r.hard_pending_limit
    }
}

/// `debt 4.0 MiB 6%` (of the soft limit), `debt 0 B`.
fn debt_short(r: &RocksStats, size: &dyn Fn(u64) -> String) -> String {
    let limit = debt_limit(r);
    let debt = size(r.pending_compaction_bytes);
    if limit == 0 || r.pending_compaction_bytes == 0 {
        format!("debt {debt}")
    } else {
        format!(
            "debt {debt} {:.0}%",
            r.pending_compaction_bytes as f64 * 100.0 / limit as f64
        )
    }
}

/// The full view: a head line, the per-level table, then amplification, debt, stall
/// and the compactions under way.
fn full_lines(r: &RocksStats, width: usize) -> Vec<Line<'static>> {
    let head = vec![
        Span::raw(format!(
            "{} files {}",
            fmt::grouped(r.sst_files),
            fmt::bytes(r.sst_bytes)
        )),
        stall_span(r, true),
        Span::styled(
            format!(
                "{} compacting · {} flushing",
                r.running_compactions, r.running_flushes
            ),
            busy(r),
        ),
    ];
    let mut lines = flow(head, width);
    lines.extend(level_table(r, width));
    lines.push(amp_line(r));
    lines.push(debt_line(r, width));
    lines.extend(stall_lines(r, width));
    lines.extend(running_lines(r));
    lines
}

/// One column of the level table: its header, width, and cell.
struct Col {
    head: &'static str,
    /// Where it goes in the row (RocksDB's order), whichever columns fit.
    pos: u8,
    width: usize,
    cell: fn(&LevelInfo) -> String,
}

fn opt_bytes(n: u64) -> String {
    if n == 0 { "-".into() } else { fmt::bytes(n) }
}

fn opt_rate(v: f64) -> String {
    if v <= 0.0 {
        "-".into()
    } else {
        format!("{}/s", fmt::bytes(v as u64))
    }
}

/// The columns, most wanted first: the narrow view keeps a prefix that fits, shown in
/// RocksDB's order.
const COLS: [Col; 12] = [
    Col {
        head: "Level",
        pos: 0,
        width: 5,
        cell: |l| format!("L{}", l.level),
    },
    Col {
        head: "Files",
        pos: 1,
        width: 6,
        cell: |l| l.files.to_string(),
    },
    Col {
        head: "Size",
        pos: 2,
        width: 10,
        cell: |l| size_or_dash(l.files, l.bytes),
    },
    Col {
        head: "Score",
        pos: 3,
        width: 6,
        cell: |l| format!("{:.2}", l.score),
    },
    Col {
        head: "Write",
        pos: 6,
        width: 10,
        cell: |l| opt_bytes(l.write_bytes),
    },
    Col {
        head: "W-Amp",
        pos: 7,
        width: 6,
        cell: |l| format!("{:.1}", l.w_amp),
    },
    Col {
        head: "Read",
        pos: 4,
        width: 10,
        cell: |l| opt_bytes(l.read_bytes),
    },
    Col {
        head: "Comp(s)",
        pos: 8,
        width: 8,
        cell: |l| format!("{:.1}", l.compaction_secs),
    },
    Col {
        head: "Write/s",
        pos: 11,
        width: 12,
        cell: |l| opt_rate(l.write_per_sec),
    },
    Col {
        head: "Comp(n)",
        pos: 9,
        width: 8,
        cell: |l| l.compactions.to_string(),
    },
    Col {
        head: "Read/s",
        pos: 10,
        width: 12,
        cell: |l| opt_rate(l.read_per_sec),
    },
    Col {
        head: "Rn",
        pos: 5,
        width: 10,
        cell: |l| opt_bytes(l.read_above_bytes),
    },
];

/// The table: every level and a Sum row, in as many columns as fit.
fn level_table(r: &RocksStats, width: usize) -> Vec<Line<'static>> {
    let mut used = 0;
    let mut cols: Vec<&Col> = COLS
        .iter()
        .take_while(|c| {
            used += c.width;
            used <= width
        })
        .collect();
    cols.sort_by_key(|c| c.pos);
    let row = |cells: Vec<String>| -> String {
        cols.iter()
            .zip(cells)
            .enumerate()
            .map(|(i, (c, v))| {
                if i == 0 {
                    format!("{v:<w$}", w = c.width)
                } else {
                    format!("{v:>w$}", w = c.width)
                }
            })
            .collect()
    };
    let mut lines = vec![Line::from(Span::styled(
        row(cols.iter().map(|c| c.head.to_string()).collect()),
        dim().add_modifier(Modifier::UNDERLINED),
    ))];
    for l in &r.levels {
        let text = row(cols.iter().map(|c| (c.cell)(l)).collect());
        let style = if l.score >= 1.0 {
            Style::default().fg(Color::Yellow)
        } else if l.files == 0 {
            dim()
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    let sum = r.level_sum();
    let mut cells: Vec<String> = cols.iter().map(|c| (c.cell)(&sum)).collect();
    cells[0] = "Sum".into();
    if cells.len() > 3 {
        cells[3] = String::new();
    }
    lines.push(Line::from(Span::styled(
        row(cells),
        Style::default().add_modifier(Modifier::BOLD),
    )));
    lines
}

fn label(text: &str) -> Span<'static> {
    Span::styled(format!("{text:<8}"), Style::default().fg(Color::Cyan))
}

/// `amp     write 3.10 · space 1.12 · read 3 files/get · 3.0 GiB to SST for 1000 MiB put`.
fn amp_line(r: &RocksStats) -> Line<'static> {
    let a = &r.amp;
    Line::from(vec![
        label("amp"),
        Span::raw(format!(
            "write {:.2} · space {:.2} · read {} files/get",
            a.write_amp, a.space_amp, a.read_amp
        )),
        Span::styled(
            format!(
                " · {} to SST for {} put",
                fmt::bytes(a.sst_written_bytes),
                fmt::bytes(a.user_bytes)
            ),
            dim(),
        ),
    ])
}

/// The compaction debt as a gauge up to the hard limit with the soft limit marked:
/// `debt    ██░░░░│░░░░░░░░░ 4.0 MiB · soft 64 GiB 6% · hard 256 GiB`.
fn debt_line(r: &RocksStats, width: usize) -> Line<'static> {
    let debt = r.pending_compaction_bytes;
    let (soft, hard) = (r.soft_pending_limit, r.hard_pending_limit);
    let limit = |n: u64| {
        if n == 0 {
            "none".to_string()
        } else {
            fmt::bytes(n)
        }
    };
    let pct = |n: u64| {
        if n == 0 {
            String::new()
        } else {
            format!(" {:.0}%", debt as f64 * 100.0 / n as f64)
        }
    };
    let text = format!(
        " {} · soft {}{} · hard {}{}",
        fmt::bytes(debt),
        limit(soft),
        pct(soft),
        limit(hard),
        pct(hard)
    );
    let mut spans = vec![label("debt")];
    let top = hard.max(soft);
    let bar_w = width.saturating_sub(8 + text.chars().count()).min(40);
    if top > 0 && bar_w >= 8 {
        let color = if hard > 0 && debt >= hard {
            Color::Red
        } else if soft > 0 && debt >= soft {
            Color::LightRed
        } else {
            Color::Yellow
        };
        spans.extend(debt_bar(debt, soft, top, bar_w, color));
    }
    spans.push(Span::styled(text, busy(r)));
    Line::from(spans)
}

/// `width` cells: filled up to `debt / top`, `│` where the soft limit is.
fn debt_bar(debt: u64, soft: u64, top: u64, width: usize, color: Color) -> Vec<Span<'static>> {
    let cell = |v: u64| ((v as f64 / top as f64).clamp(0.0, 1.0) * width as f64).round() as usize;
    let filled = cell(debt).min(width);
    let mark = (soft > 0 && soft < top).then(|| cell(soft).min(width - 1));
    (0..width)
        .map(|i| {
            let (sym, style) = match (mark == Some(i), i < filled) {
                (true, _) => ("│", Style::default().fg(Color::LightRed)),
                (false, true) => ("█", Style::default().fg(color)),
                (false, false) => ("░", Style::default().fg(Color::DarkGray)),
            };
            Span::styled(sym, style)
        })
        .collect()
}

/// The stall now (with the delayed rate) and its history: seconds delayed and stopped
/// per cause since open.
fn stall_lines(r: &RocksStats, width: usize) -> Vec<Line<'static>> {
    let mut items = vec![
        stall_span(r, true),
        Span::raw(format!(
            "{} change{} since open",
            r.stall.changes,
            if r.stall.changes == 1 { "" } else { "s" }
        )),
    ];
    for c in &r.stall.by_cause {
        if c.delayed_secs > 0.0 || c.stopped_secs > 0.0 {
            items.push(Span::raw(format!(
                "{}: {:.1} s delayed, {:.1} s stopped",
                c.cause, c.delayed_secs, c.stopped_secs
            )));
        }
    }
    let mut lines = flow(items, width.saturating_sub(8));
    for (i, l) in lines.iter_mut().enumerate() {
        l.spans
            .insert(0, if i == 0 { label("stall") } else { label("") });
    }
    lines
}

/// One line per compaction under way: `job 12 L0→L1 (l0 files) 4 files, 2.1 s`.
fn running_lines(r: &RocksStats) -> Vec<Line<'static>> {
    if r.running.is_empty() {
        return vec![Line::from(vec![
            label("running"),
            Span::styled(
                format!(
                    "{} compactions, {} flushes",
                    r.running_compactions, r.running_flushes
                ),
                dim(),
            ),
        ])];
    }
    r.running
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Line::from(vec![
                label(if i == 0 { "running" } else { "" }),
                Span::styled(
                    format!(
                        "job {} L{}→L{} ({}) {} files, {:.1} s",
                        c.job, c.from_level, c.to_level, c.reason, c.input_files, c.running_secs
                    ),
                    Style::default().fg(Color::Yellow),
                ),
            ])
        })
        .collect()
}
