//! Drawing: the screen layout, header, footer (jobs, input line, key bar), the help
//! overlay, and one module per pane. Everything is drawn from an [`App`] (plain data);
//! nothing here reaches the database.
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

use super::app::{App, Pane};
use super::fmt;
use super::screen::{self, ScreenLayout};

pub mod cache;
pub mod chart;
pub mod latency;
pub mod lsm;
pub mod memory;
pub mod mrc;
pub mod options;
pub mod output;
pub mod pager;
pub mod split;
pub mod throughput;

/// Fewer timed operations (or cache lookups) than this and a pane greys its figure out
/// and says "too few samples": one or two timings say little about the rest.
pub const MIN_SAMPLES: u64 = 20;
/// Timed operations a percentile needs before it means anything: p99 rests on its top
/// 1% (100 samples give one), p99.9 on its top 0.1%.
pub const MIN_SAMPLES_P99: u64 = 100;
pub const MIN_SAMPLES_P999: u64 = 1000;

/// `n=1,234`: how many samples a figure rests on.
pub fn n_label(n: u64) -> String {
    format!("n={}", fmt::grouped(n))
}

/// The smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Where everything goes on a screen of `area` for the app's state.
pub fn layout(app: &App, area: Rect) -> ScreenLayout {
    screen::layout(&app.shape(), area)
}

/// Columns and rows of results the output pane shows at the app's viewport (`(0, 0)`
/// while another pane is expanded).
pub fn output_size(app: &App) -> (usize, usize) {
    screen::output_size(&app.shape())
}

/// Draws the whole screen into `buf`; returns where the cursor goes (none under the
/// help overlay or when the terminal is too small).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    Clear.render(area, buf);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(area, buf);
        return None;
    }
    let l = layout(app, area);
    header(app, l.header, buf);
    match &app.pager {
        Some(p) => pager::render(p, l.body, buf),
        None => {
            for (pane, r) in &l.panes {
                render_pane(app, *pane, *r, buf);
            }
        }
    }
    jobs(app, l.jobs, buf);
    status(app, l.status, buf);
    let cursor = input(app, l.input, buf);
    // Keys go to the full-width view while it is open: no cursor in the input line.
    app.pager.is_none().then_some(cursor)
}

pub fn render_pane(app: &App, pane: Pane, area: Rect, buf: &mut Buffer) {
    match pane {
        Pane::Throughput => throughput::render(app, area, buf),
        Pane::Latency => latency::render(app, area, buf),
        Pane::Split => split::render(app, area, buf),
        Pane::Cache => cache::render(app, area, buf),
        Pane::Memory => memory::render(app, area, buf),
        Pane::Lsm => lsm::render(app, area, buf),
        Pane::Options => options::render(app, area, buf),
        Pane::Output => output::render(app, area, buf),
    }
}

/// The pane's frame: `F2 Throughput` and a detail (left out when the pane is too
/// narrow for it); the focused pane has a bright thick border.
pub fn pane_block(app: &App, pane: Pane, detail: &str, width: u16) -> Block<'static> {
    let focused = app.focus == pane;
    let (border, title) = if focused {
        (
            Style::default().fg(Color::Cyan),
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        )
    } else {
        (
            Style::default().fg(Color::DarkGray),
            Style::default().fg(Color::White),
        )
    };
    let mut spans = vec![
        Span::styled(format!(" F{} ", pane.fkey()), border),
        Span::styled(pane.title().to_string(), title),
    ];
    let room = (width as usize).saturating_sub(pane.title().len() + 9);
    if !detail.is_empty() && detail.chars().count() <= room {
        spans.push(Span::styled(
            format!(" · {detail}"),
            Style::default().fg(Color::Gray),
        ));
    }
    spans.push(Span::raw(" "));
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border)
        .title(Line::from(spans))
}

/// A one-row bar: `filled` of `width` cells in `color`, the rest dim.
pub fn bar(frac: f64, width: usize, color: Color) -> Vec<Span<'static>> {
    let filled = ((frac.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    vec![
        Span::styled("█".repeat(filled), Style::default().fg(color)),
        Span::styled(
            "░".repeat(width - filled),
            Style::default().fg(Color::DarkGray),
        ),
    ]
}

/// Characters in a row of spans.
pub fn line_width(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.chars().count()).sum()
}

/// Lays `items` out in rows of at most `width` characters, ` · ` between items on a row.
pub fn flow(items: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for it in items {
        let w = it.content.chars().count();
        if !row.is_empty() && used + 3 + w > width {
            lines.push(Line::from(std::mem::take(&mut row)));
            used = 0;
        }
        if !row.is_empty() {
            row.push(Span::styled(" · ", dim()));
            used += 3;
        }
        used += w;
        row.push(it);
    }
    if !row.is_empty() {
        lines.push(Line::from(row));
    }
    lines
}

pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// Centered text when the pane has nothing to show yet.
pub fn empty_note(area: Rect, buf: &mut Buffer, text: &str) {
    if area.height == 0 {
        return;
    }
    let y = area.y + area.height / 2;
    let t = fmt::fit(text, area.width as usize);
    let x = area.x + (area.width - t.chars().count() as u16) / 2;
    buf.set_string(x, y, t, dim());
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let latest = app.series.at(app.frozen_at);
    let keys = latest.map_or(0, |s| s.snapshot.index.keys);
    // The session's time: `.open` starts a new database, not a new session.
    let uptime = app.now;
    let mut left = vec![
        Span::styled(
            " alexdb ",
            Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::styled(app.db_path.clone(), Style::default().fg(Color::White)),
        Span::styled(
            format!(" · {} keys · up {}", fmt::grouped(keys), fmt::clock(uptime)),
            Style::default().fg(Color::Gray),
        ),
    ];
    let mut right = Vec::new();
    if app.demo_playing {
        right.push(Span::styled(
            " DEMO (any key takes over) ",
            Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
        right.push(Span::raw(" "));
    }
    if let Some(t) = app.frozen_at {
        right.push(Span::styled(
            format!(" FROZEN at {} ", fmt::clock(t)),
            Style::default()
                .fg(Color::Black)
                .bg(Color::LightBlue)
                .add_modifier(Modifier::BOLD),
        ));
        right.push(Span::raw(" "));
    }
    right.push(Span::styled(
        format!("sample {} ms · F1 help ", app.refresh_ms),
        Style::default().fg(Color::Gray),
    ));
    let rw: usize = right.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(rw + 1);
    // Shorten the path first when the header does not fit.
    let lw: usize = left.iter().map(|s| s.content.chars().count()).sum();
    if lw > room {
        let cut = lw - room;
        let path = &left[2].content;
        let keep = path.chars().count().saturating_sub(cut + 1);
        let short: String = path.chars().skip(path.chars().count() - keep).collect();
        left[2] = Span::styled(format!("…{short}"), Style::default().fg(Color::White));
    }
    buf.set_line(area.x, area.y, &Line::from(left), room as u16);
    buf.set_line(
        area.right().saturating_sub(rw as u16),
        area.y,
        &Line::from(right),
        rw as u16,
    );
}

fn jobs(app: &App, area: Rect, buf: &mut Buffer) {
    for (i, j) in app.running_jobs().take(area.height as usize).enumerate() {
        let y = area.y + i as u16;
        let timed = app.timed(j);
        let fraction = j
            .fraction()
            .or_else(|| timed.map(|(run, d)| time_fraction(run, d)));
        let progress = match (j.total, j.fraction(), timed) {
            (Some(t), Some(f), _) => format!(
                "{:>5} {}/{} {}",
                fmt::pct(f),
                fmt::count(j.done as f64),
                fmt::count(t as f64),
                j.unit
            ),
            // A timed run: how far through its duration, and the work done so far.
            (_, _, Some((run, d))) => format!(
                "{:>5} {:.0} of {:.0} s · {} {}",
                fmt::pct(time_fraction(run, d)),
                run.as_secs_f64().min(d.as_secs_f64()),
                d.as_secs_f64(),
                fmt::count(j.done as f64),
                j.unit
            ),
            // Nothing counted (a compaction): the phase and the time say it all.
            _ if j.unit.is_empty() => String::new(),
            _ => format!("{} {}", fmt::count(j.done as f64), j.unit),
        };
        let phase = match (j.phase.is_empty(), progress.is_empty()) {
            (true, _) => String::new(),
            (false, true) => j.phase.clone(),
            (false, false) => format!(" · {}", j.phase),
        };
        let stop = if j.cancellable() {
            "Esc cancels"
        } else {
            "runs to the end"
        };
        let tail = format!(
            " {progress}{phase} · {:.1} s · {stop}",
            j.elapsed.as_secs_f64()
        );
        // The row is " label ▕bar▏tail": the tail (progress, time, how to stop) is kept
        // whole; the label gives way first (down to 12 cells), then the bar (to 4).
        let width = area.width as usize;
        let room = width.saturating_sub(tail.chars().count() + 4 + 4);
        let label = fmt::fit(&format!("[{}] {}", j.id, j.label), room.clamp(12, 34));
        let bar_w = width
            .saturating_sub(label.chars().count() + tail.chars().count() + 4)
            .clamp(4, 40);
        let mut spans = vec![
            Span::styled(
                format!(" {label} "),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw("▕"),
        ];
        match fraction {
            Some(f) => spans.extend(bar(f, bar_w, Color::Yellow)),
            None => {
                // Unknown total: a block that moves with the work done.
                let pos = (j.done / 1000) as usize % bar_w;
                let mut cells = vec![Span::styled("░".repeat(bar_w), dim())];
                cells[0] = Span::styled(
                    format!("{}{}{}", "░".repeat(pos), "█", "░".repeat(bar_w - pos - 1)),
                    Style::default().fg(Color::Yellow),
                );
                spans.extend(cells);
            }
        }
        spans.push(Span::raw("▏"));
        spans.push(Span::styled(tail, Style::default().fg(Color::Gray)));
        buf.set_line(area.x, y, &Line::from(spans), area.width);
    }
}

/// How far a timed run is through its duration, in 0..=1.
fn time_fraction(run: std::time::Duration, d: std::time::Duration) -> f64 {
    if d.is_zero() {
        return 1.0;
    }
    (run.as_secs_f64() / d.as_secs_f64()).clamp(0.0, 1.0)
}

fn status(app: &App, area: Rect, buf: &mut Buffer) {
    let line = if let Some(s) = &app.status {
        Line::from(Span::styled(
            format!(" {s}"),
            Style::default().fg(Color::White),
        ))
    } else if app.pager.is_some() {
        Line::from(Span::styled(
            " ↑↓ PgUp/PgDn Home/End scroll · Esc or q closes",
            Style::default().fg(Color::Gray),
        ))
    } else if !app.pending.is_empty() {
        // The statement so far, on one line: the input line shows only its last line.
        // Its first words: a line holds no more, and a paste may be megabytes long.
        let so_far: Vec<&str> = app.pending.text().split_whitespace().take(100).collect();
        Line::from(vec![
            Span::styled(
                " waiting for ; (Esc on an empty line drops it): ",
                Style::default().fg(Color::Gray),
            ),
            Span::styled(so_far.join(" "), Style::default().fg(Color::White)),
        ])
    } else if let Some(b) = &app.banner {
        Line::from(Span::styled(
            format!(" ▶ {b}"),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ))
    } else {
        let k = |key: &str, what: &str| {
            vec![
                Span::styled(
                    format!(" {key}"),
                    Style::default()
                        .fg(Color::Cyan)
                        .add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!(" {what} "), Style::default().fg(Color::Gray)),
            ]
        };
        // Each key with the rank at which it goes when the line is too narrow (0: never),
        // so "F1 help" and "^C quit" always show; F1 lists the others.
        let mut keys = vec![
            ("F1", "help", 0),
            ("Tab", "focus", 3),
            ("^X", "expand", 4),
            ("^F", "freeze", 2),
            ("PgUp/PgDn", "scroll", 5),
            ("[ ]", "latency op", 1),
            ("Esc", "cancel job", 6),
            ("^C", "quit", 0),
        ];
        let width = |keys: &[(&str, &str, u8)]| -> usize {
            keys.iter()
                .map(|(k, w, _)| k.chars().count() + w.chars().count() + 3)
                .sum()
        };
        for rank in 1..=6 {
            if width(&keys) <= area.width as usize {
                break;
            }
            keys.retain(|&(_, _, r)| r != rank);
        }
        let spans: Vec<Span> = keys
            .iter()
            .flat_map(|(key, what, _)| k(key, what))
            .collect();
        Line::from(spans)
    };
    buf.set_line(area.x, area.y, &line, area.width);
}

/// The prompt and the line being edited (scrolled so the cursor stays visible), with
/// the usage hint after it; returns the cursor position.
fn input(app: &App, area: Rect, buf: &mut Buffer) -> Position {
    let inp = &app.input;
    let (prompt, text, cursor_col) = match inp.search() {
        Some(s) => {
            let p = if s.failed {
                format!("(failed reverse-i-search)`{}': ", s.query)
            } else {
                format!("(reverse-i-search)`{}': ", s.query)
            };
            let m = inp.search_match().unwrap_or("").to_string();
            (p, m, 0)
        }
        None => (
            prompt(app).to_string(),
            inp.text().to_string(),
            inp.cursor_col(),
        ),
    };
    let pw = prompt.chars().count();
    let room = (area.width as usize).saturating_sub(pw + 1).max(1);
    let cursor_in_text = if inp.search().is_some() {
        text.chars().count()
    } else {
        cursor_col
    };
    let skip = cursor_in_text.saturating_sub(room);
    let shown: String = text.chars().skip(skip).take(room).collect();
    let mut spans = vec![
        Span::styled(
            prompt,
            Style::default()
                .fg(Color::Green)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(shown.clone()),
    ];
    if let Some(h) = inp.hint() {
        spans.push(Span::styled(h, dim()));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    let col = if inp.search().is_some() {
        pw + shown.chars().count().min(room)
    } else {
        pw + cursor_in_text - skip
    };
    Position::new(area.x + col.min(area.width as usize - 1) as u16, area.y)
}

/// The prompt: the line shell's, and its continuation prompt while a statement waits
/// for its `;`.
fn prompt(app: &App) -> &'static str {
    if app.pending.is_empty() {
        crate::shell::PROMPT
    } else {
        crate::shell::CONTINUATION_PROMPT
    }
}

fn too_small(area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::from(Span::styled(
            "Terminal too small",
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        )),
        Line::from(format!(
            "{}x{} now; the dashboard needs at least {MIN_WIDTH}x{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window, or leave with Ctrl-C"),
        Line::from("and run `alexdb --plain` for the line shell."),
    ];
    let h = (text.len() as u16).min(area.height);
    let r = Rect {
        x: area.x,
        y: area.y + (area.height - h) / 2,
        width: area.width,
        height: h,
    };
    Paragraph::new(text)
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(r, buf);
}
