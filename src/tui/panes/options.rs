//! Every engine option: value and kind (live, new files, reopen, at open); options
//! changed from their default come first, highlighted, with the default beside them.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{dim, empty_note, pane_block};
use crate::tui::app::{App, Pane};
use crate::tui::fmt;
use engine::options::OptionInfo;

/// The options in display order: changed ones first, each group in the engine's order.
pub fn ordered(options: &[OptionInfo]) -> Vec<&OptionInfo> {
    let mut v: Vec<&OptionInfo> = options.iter().collect();
    v.sort_by_key(|o| !o.changed);
    v
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let changed = app.options.iter().filter(|o| o.changed).count();
    let block = pane_block(
        app,
        Pane::Options,
        &format!("{changed} changed"),
        area.width,
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    if app.options.is_empty() {
        empty_note(inner, buf, "no options yet");
        return;
    }
    let w = inner.width as usize;
    let name_w = app
        .options
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(10)
        .min(w / 2)
        + 1;
    // The kind column only when there is room for the values beside it.
    let kind_w = if w >= 40 { 9 } else { 0 };
    let value_w = w.saturating_sub(name_w + kind_w + 2).max(4);
    let list = ordered(&app.options);
    let scroll = app.options_scroll.min(list.len().saturating_sub(1));
    for (i, o) in list
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        let (mark, name_style, value_style) = if o.changed {
            (
                Span::styled("*", Style::default().fg(Color::Yellow)),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            )
        } else {
            (Span::raw(" "), Style::default(), Style::default())
        };
        let mut value = o.value.clone();
        if o.changed && value.chars().count() + o.default.chars().count() + 4 <= value_w {
            value = format!("{value} ({})", o.default);
        }
        let line = Line::from(vec![
            mark,
            Span::styled(
                format!("{:<name_w$}", fmt::fit(o.name, name_w - 1)),
                name_style,
            ),
            Span::styled(
                format!("{:<value_w$}", fmt::fit(&value, value_w)),
                value_style,
            ),
            Span::styled(
                if kind_w > 0 {
                    format!(" {:<kind_w$}", o.applies.as_str())
                } else {
                    String::new()
                },
                dim(),
            ),
        ]);
        buf.set_line(inner.x, inner.y + i as u16, &line, inner.width);
    }
    if scroll + (inner.height as usize) < list.len() {
        let more = format!(
            " ↓ {} more (F8, PgDn) ",
            list.len() - scroll - inner.height as usize
        );
        let x = area.right().saturating_sub(more.chars().count() as u16 + 1);
        buf.set_string(x, area.bottom() - 1, more, dim());
    }
}
