//! The output pane: the commands run and their results (the newest last, earlier ones
//! a PgUp away) above the event log (option changes, reopens, flushes and compactions
//! with their reason, levels, bytes and records, write-stall changes, jobs, errors).
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{dim, pane_block};
use crate::tui::app::{App, LogEntry, LogKind, OutKind, Pane};
use crate::tui::fmt;
use crate::tui::screen::split_rows;

pub fn log_style(kind: LogKind) -> Style {
    match kind {
        LogKind::Option => Style::default().fg(Color::Yellow),
        LogKind::Reopen => Style::default().fg(Color::LightYellow),
        LogKind::Flush | LogKind::Compact => Style::default().fg(Color::Cyan),
        LogKind::Stall => Style::default().fg(Color::Red),
        LogKind::Job => Style::default().fg(Color::Green),
        LogKind::Error => Style::default().fg(Color::Red),
        LogKind::Info => Style::default().fg(Color::Gray),
    }
}

fn log_tag(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Option => "option ",
        LogKind::Reopen => "reopen ",
        LogKind::Flush => "flush  ",
        LogKind::Compact => "compact",
        LogKind::Stall => "stall  ",
        LogKind::Job => "job    ",
        LogKind::Error => "error  ",
        LogKind::Info => "info   ",
    }
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let title = if app.output.title.is_empty() {
        String::new()
    } else {
        fmt::fit(&app.output.title, (area.width as usize).saturating_sub(20))
    };
    let block = pane_block(app, Pane::Output, &title, area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let (result, sep, log) = split_rows(inner, app.output.current_len());
    let out = &app.output;
    let view = out.view();
    let rows = result.height as usize;
    // Unscrolled, the current result's `> cmd` line gives way when the result fills the
    // pane (the title names the command), so the result's last line stays in view.
    let from = if out.scroll == out.current_start() && view.len() > out.scroll + rows {
        out.scroll + usize::from(out.has_history())
    } else {
        out.scroll
    };
    let scroll = from.min(view.len().saturating_sub(rows));
    if view.is_empty() {
        let hint = "Type a command below (.help lists them); results show here.";
        buf.set_string(
            result.x,
            result.y,
            fmt::fit(hint, result.width as usize),
            dim(),
        );
    }
    for (i, l) in view.iter().skip(scroll).take(rows).enumerate() {
        let style = match l.kind {
            OutKind::Normal => Style::default(),
            OutKind::Command => Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            OutKind::Error => Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            OutKind::Note => dim(),
        };
        let text: String = l.text.chars().skip(out.hscroll).collect();
        buf.set_string(
            result.x,
            result.y + i as u16,
            fmt::fit(&text, result.width as usize),
            style,
        );
    }
    if view.len() > rows {
        let pos = format!(
            " {}-{} of {} (PgUp/PgDn) ",
            scroll + 1,
            (scroll + rows).min(view.len()),
            view.len()
        );
        let x = area.right().saturating_sub(pos.chars().count() as u16 + 1);
        buf.set_string(x, area.y, pos, Style::default().fg(Color::Gray));
    }
    if sep.height > 0 {
        let label = "─ events ";
        let line = format!(
            "{label}{}",
            "─".repeat((sep.width as usize).saturating_sub(9))
        );
        buf.set_string(sep.x, sep.y, line, dim());
    }
    let n = app.log.len();
    let shown = n.min(log.height as usize);
    for (i, e) in app.log.iter().skip(n - shown).enumerate() {
        buf.set_line(log.x, log.y + i as u16, &log_line(e), log.width);
    }
    if n == 0 && log.height > 0 {
        buf.set_string(log.x, log.y, "(no events yet)", dim());
    }
}

/// One event-log line: its time, its tag, and its text.
fn log_line(e: &LogEntry) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{:>5} ", fmt::clock(e.t)), dim()),
        Span::styled(log_tag(e.kind), log_style(e.kind)),
        Span::raw(" "),
        // A burst merged into one line says how many events it holds first, so
        // a cut line keeps the count.
        Span::styled(
            if e.count > 1 {
                format!("×{} ", e.count)
            } else {
                String::new()
            },
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::styled(e.text.clone(), log_style(e.kind)),
    ])
}
