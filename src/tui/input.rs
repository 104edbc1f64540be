//! The input line: editing, history (the line shell's file), Tab completion and Ctrl-R
//! reverse search. Plain state; the app feeds it keys and draws it.
use command::complete::{complete, hint};
use command::history::History;

/// Dashboard commands the executor does not know, for completion.
const DASHBOARD_COMMANDS: &[&str] = &[".export"];

/// An in-progress Ctrl-R search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// Index of the matching history entry.
    pub found: Option<usize>,
    /// No entry matched the last query or Ctrl-R press.
    pub failed: bool,
}

/// What a Tab press did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Nothing completes the word.
    None,
    /// The word was completed (one candidate, or the candidates' common prefix).
    Completed,
    /// Several candidates remain; they are listed for the user.
    Candidates(Vec<String>),
}

#[derive(Debug, Clone, Default)]
pub struct InputLine {
    buf: String,
    /// Byte offset of the cursor in `buf` (always on a char boundary).
    cursor: usize,
    history: History,
    /// Which history entry Up/Down shows (`None`: the line being edited).
    hist_pos: Option<usize>,
    /// The line being edited before Up was pressed.
    draft: String,
    search: Option<Search>,
}

impl InputLine {
    pub fn new(history: History) -> Self {
        InputLine {
            history,
            ..Default::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.buf
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The cursor as a column (characters before it).
    pub fn cursor_col(&self) -> usize {
        self.buf[..self.cursor].chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn search(&self) -> Option<&Search> {
        self.search.as_ref()
    }

    /// Replaces the whole line (the demo types its commands here).
    pub fn set_text(&mut self, s: &str) {
        self.buf = s.to_string();
        self.cursor = self.buf.len();
        self.hist_pos = None;
        self.search = None;
    }

    pub fn clear(&mut self) {
        self.set_text("");
    }

    /// Takes the line as it stands (a search's match kept) and clears it, without adding
    /// it to the history: the runner adds each statement once it runs.
    pub fn take_text(&mut self) -> String {
        self.accept_search();
        let line = std::mem::take(&mut self.buf);
        self.clear();
        line
    }

    pub fn insert_char(&mut self, c: char) {
        if let Some(s) = self.search.as_mut() {
            s.query.push(c);
            self.search_from(self.history.len());
            return;
        }
        let c = if c == '\n' || c == '\r' || c == '\t' {
            ' '
        } else {
            c
        };
        self.buf.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Pasted text: line breaks become spaces (one statement line).
    pub fn insert_str(&mut self, s: &str) {
        for c in s.chars() {
            self.insert_char(c);
        }
    }

    pub fn backspace(&mut self) {
        if let Some(s) = self.search.as_mut() {
            s.query.pop();
            self.search_from(self.history.len());
            return;
        }
        if let Some(c) = self.buf[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.buf.remove(self.cursor);
        }
    }

    pub fn delete(&mut self) {
        self.accept_search();
        if self.cursor < self.buf.len() {
            self.buf.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        self.accept_search();
        if let Some(c) = self.buf[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        self.accept_search();
        if let Some(c) = self.buf[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    pub fn home(&mut self) {
        self.accept_search();
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.accept_search();
        self.cursor = self.buf.len();
    }

    /// Ctrl-U: deletes everything before the cursor.
    pub fn kill_to_start(&mut self) {
        self.accept_search();
        self.buf.drain(..self.cursor);
        self.cursor = 0;
    }

    /// Ctrl-K: deletes everything from the cursor on.
    pub fn kill_to_end(&mut self) {
        self.accept_search();
        self.buf.truncate(self.cursor);
    }

    /// Ctrl-W: deletes the word before the cursor (and the spaces after it).
    pub fn delete_word(&mut self) {
        self.accept_search();
        let before = &self.buf[..self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed.rfind(char::is_whitespace).map_or(0, |i| {
            i + trimmed[i..].chars().next().map_or(1, char::len_utf8)
        });
        self.buf.drain(start..self.cursor);
        self.cursor = start;
    }

    /// Up: the previous history entry (the edited line is kept as a draft).
    pub fn history_prev(&mut self) {
        self.accept_search();
        let n = self.history.len();
        if n == 0 {
            return;
        }
        let pos = match self.hist_pos {
            None => {
                self.draft = self.buf.clone();
                n - 1
            }
            Some(0) => 0,
            Some(p) => p - 1,
        };
        self.show_entry(Some(pos));
    }

    /// Down: the next history entry, and after the newest the draft again.
    pub fn history_next(&mut self) {
        self.accept_search();
        match self.hist_pos {
            None => {}
            Some(p) if p + 1 < self.history.len() => self.show_entry(Some(p + 1)),
            Some(_) => self.show_entry(None),
        }
    }

    fn show_entry(&mut self, pos: Option<usize>) {
        self.hist_pos = pos;
        self.buf = match pos {
            Some(p) => self.history.entries()[p].clone(),
            None => std::mem::take(&mut self.draft),
        };
        self.cursor = self.buf.len();
    }

    /// Ctrl-R: starts a reverse search, or (pressed again) finds the next older match.
    pub fn search_back(&mut self) {
        match &self.search {
            None => {
                self.search = Some(Search::default());
            }
            Some(s) => {
                let before = s.found.unwrap_or(self.history.len());
                self.search_from(before);
            }
        }
    }

    fn search_from(&mut self, before: usize) {
        let Some(s) = self.search.as_mut() else {
            return;
        };
        if s.query.is_empty() {
            s.found = None;
            s.failed = false;
            return;
        }
        match self.history.search_back(&s.query, before) {
            Some(i) => {
                s.found = Some(i);
                s.failed = false;
            }
            None => s.failed = true,
        }
    }

    /// The entry the search shows (what Enter would run).
    pub fn search_match(&self) -> Option<&str> {
        let s = self.search.as_ref()?;
        s.found.map(|i| self.history.entries()[i].as_str())
    }

    /// Ends a search keeping the match in the line (any editing key does this).
    pub fn accept_search(&mut self) {
        if let Some(s) = self.search.take()
            && let Some(i) = s.found
        {
            self.buf = self.history.entries()[i].clone();
            self.cursor = self.buf.len();
        }
    }

    /// Esc during a search: back to the line as it was.
    pub fn cancel_search(&mut self) -> bool {
        self.search.take().is_some()
    }

    /// Tab: completes the word before the cursor.
    pub fn complete(&mut self) -> Completion {
        self.accept_search();
        let (start, mut cands) = complete(&self.buf, self.cursor);
        extra_candidates(&self.buf[..self.cursor], &mut cands);
        cands.sort();
        cands.dedup();
        let word = &self.buf[start..self.cursor];
        match cands.len() {
            0 => Completion::None,
            1 => {
                let mut c = cands.remove(0);
                if !c.ends_with('/') {
                    c.push(' ');
                }
                self.replace_word(start, &c);
                Completion::Completed
            }
            _ => {
                let common = common_prefix(&cands);
                if common.chars().count() > word.chars().count() {
                    self.replace_word(start, &common);
                    Completion::Completed
                } else {
                    Completion::Candidates(cands)
                }
            }
        }
    }

    fn replace_word(&mut self, start: usize, with: &str) {
        self.buf.replace_range(start..self.cursor, with);
        self.cursor = start + with.len();
    }

    /// Grey text to show after the cursor (the rest of a command's usage).
    pub fn hint(&self) -> Option<String> {
        if self.search.is_some() || self.cursor != self.buf.len() {
            return None;
        }
        let t = self.buf.trim_start();
        if t.starts_with(".export") {
            return match t {
                ".export" => Some(" metrics FILE.csv|FILE.json|FILE.svg | screen FILE".into()),
                ".export " => Some("metrics FILE.csv|FILE.json|FILE.svg | screen FILE".into()),
                _ => None,
            };
        }
        hint(&self.buf)
    }

    /// Enter: the line to run (the search match during a search), added to the history
    /// and saved to the history file. The line is cleared.
    pub fn submit(&mut self) -> String {
        self.accept_search();
        let line = std::mem::take(&mut self.buf);
        self.cursor = 0;
        self.hist_pos = None;
        self.draft.clear();
        self.remember(&line);
        line
    }

    /// Adds a statement that ran to the history (one entry, however many lines it
    /// spans) and saves the history file.
    pub fn remember(&mut self, text: &str) {
        if self.history.push(text).is_some() {
            // A history file that cannot be written (read-only home) is not worth an
            // error on every command; the entry stays in memory.
            let _ = self.history.save();
        }
    }
}

/// Candidates the command layer does not know: dashboard commands and settings.
fn extra_candidates(before: &str, cands: &mut Vec<String>) {
    let words: Vec<&str> = before.split_whitespace().collect();
    let ends_in_space = before.ends_with(char::is_whitespace);
    let (done, word) = if ends_in_space || words.is_empty() {
        (words.as_slice(), "")
    } else {
        (&words[..words.len() - 1], words[words.len() - 1])
    };
    let pick = |list: &[&str], cands: &mut Vec<String>| {
        cands.extend(
            list.iter()
                .filter(|c| c.starts_with(word))
                .map(|c| c.to_string()),
        );
    };
    match done {
        [] if word.starts_with('.') => pick(DASHBOARD_COMMANDS, cands),
        [".export"] => pick(&["metrics", "screen"], cands),
        [".set"] => pick(&["refresh_ms"], cands),
        _ => {}
    }
}

fn common_prefix(cands: &[String]) -> String {
    let Some(first) = cands.first() else {
        return String::new();
    };
    let mut end = first.len();
    for c in &cands[1..] {
        end = first
            .char_indices()
            .zip(c.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}
