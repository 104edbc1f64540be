//! How lines become statements, for every front end that reads lines (the prompt,
//! scripts and piped stdin, the dashboard's input line and its pastes): a data command
//! or dot-command ends at its line break, SQL at its `;`, and a line that starts a new
//! command ends an unfinished SQL statement whose `;` was forgotten (it runs as it is).
use command::{is_complete, starts_command};

/// The statement being gathered, line by line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pending {
    text: String,
}

impl Pending {
    /// Takes one line (its line break, if any, is dropped) and returns the statements
    /// it made ready to run, in order: an unfinished statement the line ends by starting
    /// a new command, then everything gathered once it is complete.
    pub fn push_line(&mut self, line: &str) -> Vec<String> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let mut ready = Vec::new();
        if starts_command(line) {
            ready.extend(self.take());
        }
        // A statement already waiting is unfinished SQL, which only a `;` can end: no
        // need to scan it all again for every line of a long paste.
        let fresh = self.text.is_empty();
        self.text.push_str(line);
        self.text.push('\n');
        if (fresh || line.contains(';')) && is_complete(&self.text) {
            ready.extend(self.take());
        }
        ready
    }

    /// What was gathered (`None` if only blanks); the statement starts afresh.
    pub fn take(&mut self) -> Option<String> {
        let text = std::mem::take(&mut self.text);
        (!text.trim().is_empty()).then_some(text)
    }

    /// True while no statement waits for more lines (its `;`).
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The unfinished statement, lines joined by line breaks.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Drops the unfinished statement (Ctrl-C at the prompt, Esc in the dashboard).
    pub fn clear(&mut self) {
        self.text.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_waits_for_its_semicolon_and_commands_run_at_once() {
        let mut p = Pending::default();
        assert_eq!(p.push_line("get 1"), vec!["get 1\n"]);
        assert!(p.push_line("SELECT * FROM kv").is_empty());
        assert!(!p.is_empty());
        assert_eq!(
            p.push_line(" WHERE key BETWEEN 5 AND 6;\n"),
            vec!["SELECT * FROM kv\n WHERE key BETWEEN 5 AND 6;\n"]
        );
        assert!(p.is_empty());
    }

    #[test]
    fn a_new_command_ends_a_statement_without_its_semicolon() {
        let mut p = Pending::default();
        assert!(p.push_line("select count(*) from kv").is_empty());
        assert_eq!(
            p.push_line(".timer on"),
            vec!["select count(*) from kv\n", ".timer on\n"]
        );
        assert_eq!(p.take(), None);
        assert!(p.push_line("   ").is_empty(), "blank lines run nothing");
    }

    #[test]
    fn a_long_statement_ends_at_its_semicolon_only() {
        let mut p = Pending::default();
        assert!(p.push_line("INSERT INTO kv VALUES").is_empty());
        for i in 0..20_000 {
            assert!(p.push_line(&format!("({i}, 'a b'),")).is_empty());
        }
        let ready = p.push_line("(-1, 'end');");
        assert_eq!(ready.len(), 1);
        assert_eq!(ready[0].lines().count(), 20_002);
    }
}
