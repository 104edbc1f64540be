//! The full-width view of a long text (`.help`): its rows wrapped to the width, a title
//! with the rows shown and how to scroll and close it.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget};

use crate::tui::pager::Pager;
use crate::tui::screen::text_area;

pub fn render(p: &Pager, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let inner = text_area(area);
    let (w, h) = (inner.width as usize, inner.height as usize);
    let rows = p.rows(w);
    let top = p.top(w, h);
    let shown = rows.len().min(top + h);
    let title = Line::from(vec![
        Span::styled(
            format!(" {} ", p.title),
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!("· {}-{shown} of {} ", (top + 1).min(shown), rows.len()),
            Style::default().fg(Color::Gray),
        ),
    ]);
    let keys = Line::from(Span::styled(
        " ↑↓ PgUp/PgDn Home/End scroll · Esc or q closes ",
        Style::default().fg(Color::Gray),
    ))
    .right_aligned();
    Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(Style::default().fg(Color::Cyan))
        .title(title)
        .title_bottom(keys)
        .render(area, buf);
    for (i, row) in rows.iter().skip(top).take(h).enumerate() {
        buf.set_string(inner.x, inner.y + i as u16, row, Style::default());
    }
}
