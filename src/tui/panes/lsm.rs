//! The LSM tree: files and bytes per level, pending compaction bytes, running
//! compactions and flushes, and the write-stall flag.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{bar, dim, empty_note, flow, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;

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
    let stall = if r.write_stopped {
        Span::styled(
            "WRITES STOPPED",
            Style::default()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        )
    } else if r.write_stall {
        Span::styled(
            format!("STALL {}/s", fmt::bytes(r.delayed_write_rate)),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        )
    } else {
        Span::styled("no stall", Style::default().fg(Color::Green))
    };
    let busy = if r.pending_compaction_bytes > 0 || r.running_compactions > 0 {
        Style::default().fg(Color::Yellow)
    } else {
        dim()
    };
    let mut items = vec![
        Span::raw(format!(
            "{} files {}",
            fmt::grouped(r.sst_files),
            fmt::bytes(r.sst_bytes)
        )),
        stall,
        Span::styled(
            format!("pending {}", fmt::bytes(r.pending_compaction_bytes)),
            busy,
        ),
        Span::styled(format!("{} compacting", r.running_compactions), busy),
    ];
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
            Span::raw(format!(
                "{:>10}",
                if l.files == 0 {
                    "-".to_string()
                } else {
                    fmt::bytes(l.bytes)
                }
            )),
        ];
        if bar_w >= 3 {
            spans.push(Span::raw(" "));
            spans.extend(bar(l.bytes as f64 / max as f64, bar_w, Color::Cyan));
        }
        lines.push(Line::from(spans));
    }
    for (i, l) in lines.iter().take(inner.height as usize).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
}
