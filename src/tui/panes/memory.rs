//! Memory: the process's RSS and what the engine's parts hold, and the system's memory.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{bar, dim, empty_note, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = pane_block(app, Pane::Memory, "of RSS", area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let Some(s) = app.series.at(app.frozen_at) else {
        empty_note(inner, buf, "no sample yet");
        return;
    };
    let m = &s.snapshot.memory;
    let rss = m.rss_bytes.max(1) as f64;
    let w = inner.width as usize;
    // Narrow panes get short names.
    let narrow = w < 24;
    let name = |long: &'static str, short: &'static str| if narrow { short } else { long };
    let other = unlisted_bytes(m);
    let rows: [(&str, u64, Color); 7] = [
        ("RSS", m.rss_bytes, Color::White),
        ("ALEX", m.alex_bytes, Color::Green),
        (
            name("value cache", "vcache"),
            m.value_cache_bytes,
            Color::Blue,
        ),
        (
            name("block cache", "bcache"),
            m.block_cache_bytes,
            Color::Cyan,
        ),
        (
            name("memtables", "memtab"),
            m.memtable_bytes,
            Color::Magenta,
        ),
        (
            name("tbl readers", "readers"),
            m.table_readers_bytes,
            Color::Yellow,
        ),
        (name("other", "other"), other, Color::Gray),
    ];
    let lw = if narrow { 8 } else { 11 };
    // label + value (10), then a bar in what is left
    let bar_w = w.saturating_sub(lw + 12);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|&(name, v, color)| part_line(name, v, color, (lw, bar_w), rss))
        .collect();
    if let Some(sys) = app.system {
        let mut spans = vec![
            Span::styled(format!("{:<lw$}", name("sys free", "free")), dim()),
            Span::raw(format!("{:>10}", fmt::bytes(sys.available))),
        ];
        if bar_w >= 3 {
            spans.push(Span::raw(" "));
            spans.extend(bar(
                sys.available as f64 / sys.total.max(1) as f64,
                bar_w,
                Color::Green,
            ));
        }
        lines.push(Line::from(spans));
        lines.push(Line::from(Span::styled(
            format!(
                "{:<lw$}{:>10}",
                name("sys total", "total"),
                fmt::bytes(sys.total)
            ),
            dim(),
        )));
    }
    // Only when there is room: why RSS may stay up after a cache shrinks.
    if inner.height as usize > lines.len() + 1 {
        let note = "other: allocator, code, stacks; freed memory may stay in the allocator";
        lines.push(Line::from(Span::styled(fmt::fit(note, w), dim())));
    }
    for (i, l) in lines.iter().take(inner.height as usize).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
}

/// What RSS holds beyond the parts listed: the allocator's free lists (memory freed by a
/// shrunk cache often stays there, so RSS need not drop), code, stacks, RocksDB's other
/// buffers.
fn unlisted_bytes(m: &engine::metrics::MemoryStats) -> u64 {
    let listed = m.alex_bytes
        + m.value_cache_bytes
        + m.block_cache_bytes
        + m.memtable_bytes
        + m.table_readers_bytes;
    m.rss_bytes.saturating_sub(listed)
}

/// One part's row: its name (RSS in bold), its size, and a bar of its share of RSS.
fn part_line(
    name: &str,
    v: u64,
    color: Color,
    (lw, bar_w): (usize, usize),
    rss: f64,
) -> Line<'static> {
    let style = if name == "RSS" {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(color)
    };
    let mut spans = vec![
        Span::styled(format!("{name:<lw$}"), style),
        Span::raw(format!("{:>10}", fmt::bytes(v))),
    ];
    if bar_w >= 3 && name != "RSS" {
        spans.push(Span::raw(" "));
        spans.extend(bar(v as f64 / rss, bar_w, color));
    }
    Line::from(spans)
}
