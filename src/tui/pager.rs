//! A full-width, scrollable view of a long text (`.help`): it covers the panes until
//! Esc or `q`, as `less` would, so a long text is read whole rather than cut to the
//! output pane's width.

/// The text shown and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// What it shows (`.help`).
    pub title: String,
    pub lines: Vec<String>,
    /// First row shown, in wrapped rows.
    pub scroll: usize,
}

/// What a key did to the pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerKey {
    /// Scrolled, or a key the pager ignores.
    Stay,
    Close,
}

impl Pager {
    pub fn new(title: &str, text: &str) -> Self {
        Pager {
            title: title.to_string(),
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
        }
    }

    /// The lines wrapped to `width` columns.
    pub fn rows(&self, width: usize) -> Vec<String> {
        self.lines.iter().flat_map(|l| wrap(l, width)).collect()
    }

    /// The first row shown at this size (the scroll kept inside the text).
    pub fn top(&self, width: usize, height: usize) -> usize {
        self.scroll
            .min(self.rows(width).len().saturating_sub(height))
    }

    /// Handles a key for a view of `width` x `height` text cells.
    pub fn key(
        &mut self,
        code: crossterm::event::KeyCode,
        width: usize,
        height: usize,
    ) -> PagerKey {
        use crossterm::event::KeyCode as K;
        let page = height.max(1);
        let max = self.rows(width).len().saturating_sub(height);
        let top = self.top(width, height);
        self.scroll = match code {
            K::Esc | K::Char('q' | '?') | K::F(1) => return PagerKey::Close,
            K::Up | K::Char('k') => top.saturating_sub(1),
            K::Down | K::Char('j') | K::Enter => top + 1,
            K::PageUp | K::Char('b') => top.saturating_sub(page),
            K::PageDown | K::Char(' ') => top + page,
            K::Home | K::Char('g') => 0,
            K::End | K::Char('G') => max,
            _ => top,
        }
        .min(max);
        PagerKey::Stay
    }
}

/// `line` in rows of at most `width` characters, broken at spaces where it can be.
/// A line with a text column (after its first run of two spaces, as in `.help`'s
/// usage column) continues under that column; when that leaves under
/// [`MIN_TEXT_COLUMNS`], the text goes under its head, indented by 4, instead.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width || width < 8 {
        return vec![line.to_string()];
    }
    match text_column(&chars) {
        Some((_, col)) if col + MIN_TEXT_COLUMNS <= width => fill(&chars, width, 0, col),
        Some((head, col)) => {
            let mut rows = fill(&chars[..head], width, 0, 4);
            rows.retain(|r| !r.is_empty());
            rows.extend(fill(&chars[col..], width, 4, 4));
            rows
        }
        None => fill(&chars, width, 0, 4),
    }
}

/// Columns a wrapped text keeps at least beside its head.
const MIN_TEXT_COLUMNS: usize = 40;

/// `text` in rows of at most `width`: the first indented by `first`, the rest by
/// `lead` (both less than `width`).
fn fill(text: &[char], width: usize, first: usize, lead: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut rest = text;
    let mut indent = first.min(width - 4);
    loop {
        let room = width - indent;
        if rest.len() <= room {
            rows.push(row(indent, rest));
            return rows;
        }
        let cut = rest[..=room]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|&i| i > 0)
            .unwrap_or(room);
        rows.push(row(indent, &rest[..cut]));
        rest = &rest[cut..];
        while rest.first() == Some(&' ') {
            rest = &rest[1..];
        }
        if rest.is_empty() {
            return rows;
        }
        indent = lead.min(width - 4);
    }
}

fn row(lead: usize, text: &[char]) -> String {
    let mut s = " ".repeat(lead);
    s.extend(text.iter().map(|c| if *c == '\t' { ' ' } else { *c }));
    s.trim_end().to_string()
}

/// A line's head (up to its first run of two or more spaces) and where its text
/// column starts after it; for an indented line without such a run, `(0, indent)`.
fn text_column(chars: &[char]) -> Option<(usize, usize)> {
    let lead = chars.iter().take_while(|c| **c == ' ').count();
    let gap = (lead..chars.len().saturating_sub(1))
        .find(|&i| chars[i] == ' ' && chars[i + 1] == ' ')
        .and_then(|gap| Some((gap, (gap..chars.len()).find(|&i| chars[i] != ' ')?)));
    gap.or((lead > 0 && lead < chars.len()).then_some((0, lead)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_text_column() {
        let usage = format!(
            "{:<20} {}",
            "get K", "value of key K (NULL if absent) and more words here"
        );
        let rows = wrap(&usage, 64);
        assert!(
            rows[0].starts_with(&format!("{:<20} value of key K", "get K")),
            "{rows:?}"
        );
        assert!(rows[1].starts_with(&" ".repeat(21)), "{rows:?}");
        assert!(rows.iter().all(|r| r.chars().count() <= 64), "{rows:?}");
        // Too narrow for the column: the text goes under its head.
        let rows = wrap(&usage, 40);
        assert_eq!(rows[0], "get K");
        assert!(rows[1].starts_with("    value of key K"), "{rows:?}");
        assert!(rows.iter().all(|r| r.chars().count() <= 40), "{rows:?}");
        let word = "x".repeat(100);
        let rows = wrap(&word, 30);
        assert!(rows.iter().all(|r| r.chars().count() <= 30), "{rows:?}");
        assert_eq!(rows.concat().replace(' ', ""), word);
    }

    #[test]
    fn keys_scroll_within_the_text_and_esc_closes() {
        use crossterm::event::KeyCode;
        let text: Vec<String> = (0..50).map(|i| format!("line {i}")).collect();
        let mut p = Pager::new(".help", &text.join("\n"));
        assert_eq!(p.key(KeyCode::PageDown, 40, 20), PagerKey::Stay);
        assert_eq!(p.scroll, 20);
        p.key(KeyCode::End, 40, 20);
        assert_eq!(p.scroll, 30);
        p.key(KeyCode::Down, 40, 20);
        assert_eq!(p.scroll, 30, "not past the end");
        p.key(KeyCode::Up, 40, 20);
        p.key(KeyCode::Home, 40, 20);
        assert_eq!(p.scroll, 0);
        assert_eq!(p.key(KeyCode::Char('q'), 40, 20), PagerKey::Close);
        assert_eq!(p.key(KeyCode::Esc, 40, 20), PagerKey::Close);
    }
}
