//! The interactive prompt (rustyline). Completion, hints and history come from the
//! plain functions in `command::{complete, history}`; this file only adapts them.
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use super::{Pending, Printer};
use command::history::History;
use command::{Executor, RunSummary, complete};

pub const PROMPT: &str = "alexdb> ";
/// The prompt while an SQL statement waits for its `;`.
pub const CONTINUATION_PROMPT: &str = "   ...> ";

struct ShellHelper;

impl Completer for ShellHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = complete::complete(line, pos);
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos < line.len() {
            return None;
        }
        complete::hint(line)
    }
}

impl Highlighter for ShellHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        // Dim, so the hint reads as a suggestion, not as typed text.
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }
}

/// Every line is submitted as typed: the loop below joins unfinished SQL itself, so it
/// can show the continuation prompt and end a statement whose `;` was forgotten.
impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

/// Runs the prompt until `.quit` or Ctrl-D. Ctrl-C clears the line being typed.
pub fn run_interactive(
    exec: &mut Executor,
    history_path: Option<&Path>,
    printer: &mut Printer<'_>,
    err: &mut dyn Write,
) -> anyhow::Result<RunSummary> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .max_history_size(command::history::MAX_ENTRIES)?
        .build();
    let mut editor: Editor<ShellHelper, DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(ShellHelper));
    let history = match history_path {
        Some(p) => History::load(p),
        None => History::new(),
    };
    for e in history.entries() {
        let _ = editor.add_history_entry(e.as_str());
    }
    let mut lines = Lines {
        exec,
        history,
        printer,
        err,
        warned: false,
        pending: Pending::default(),
        total: RunSummary::default(),
    };
    loop {
        // Background jobs that finished while the user was typing the last line.
        lines.printer.finished_jobs(lines.exec.session_mut());
        let prompt = if lines.pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION_PROMPT
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if lines.take(&line, &mut editor) {
                    break;
                }
            }
            // Ctrl-C drops the line being typed and any unfinished statement.
            Err(ReadlineError::Interrupted) => lines.pending.clear(),
            Err(ReadlineError::Eof) => {
                lines.run_pending(&mut editor);
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(lines.total)
}

/// The state of the prompt loop: the statement being typed and the totals so far.
struct Lines<'a, 'p> {
    exec: &'a mut Executor,
    history: History,
    printer: &'a mut Printer<'p>,
    err: &'a mut dyn Write,
    warned: bool,
    /// An unfinished SQL statement (no `;` yet).
    pending: Pending,
    total: RunSummary,
}

impl Lines<'_, '_> {
    /// Takes one typed line and runs the statements it completes ([`Pending`]); true
    /// when the shell should quit.
    fn take(&mut self, line: &str, editor: &mut Editor<ShellHelper, DefaultHistory>) -> bool {
        let ready = self.pending.push_line(line);
        ready.iter().any(|text| self.run(text, editor))
    }

    /// Runs what is pending (Ctrl-D ends the input); true when it quit.
    fn run_pending(&mut self, editor: &mut Editor<ShellHelper, DefaultHistory>) -> bool {
        self.pending
            .take()
            .is_some_and(|text| self.run(&text, editor))
    }

    /// Runs `text` and records it in the history; true when it quit.
    fn run(&mut self, text: &str, editor: &mut Editor<ShellHelper, DefaultHistory>) -> bool {
        if let Some(entry) = self.history.push(text) {
            let _ = editor.add_history_entry(entry);
            if let Err(e) = self.history.save()
                && !self.warned
            {
                self.warned = true;
                let _ = writeln!(self.err, "warning: history not saved: {e}");
            }
        }
        let printer = &mut *self.printer;
        let s = self.exec.run_text(text, &mut |s, r| printer.emit(s, r));
        self.total.ran += s.ran;
        self.total.failed += s.failed;
        self.total.quit |= s.quit;
        // Results that cannot be written (stdout gone) end the session.
        s.quit || self.printer.write_error().is_some()
    }
}
