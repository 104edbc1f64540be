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
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use super::Printer;
use crate::command::history::History;
use crate::command::{Executor, RunSummary, complete, is_complete};

pub const PROMPT: &str = "alexdb> ";

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

impl Validator for ShellHelper {
    /// Enter inside an unfinished SQL statement (no `;` yet) starts a new line.
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

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
        .max_history_size(crate::command::history::MAX_ENTRIES)?
        .build();
    let mut editor: Editor<ShellHelper, DefaultHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(ShellHelper));
    let mut history = match history_path {
        Some(p) => History::load(p),
        None => History::new(),
    };
    for e in history.entries() {
        let _ = editor.add_history_entry(e.as_str());
    }
    let mut warned = false;
    let mut total = RunSummary::default();
    loop {
        // Background jobs that finished while the user was typing the last line.
        printer.finished_jobs(exec.session_mut());
        match editor.readline(PROMPT) {
            Ok(line) => {
                if let Some(entry) = history.push(&line) {
                    let _ = editor.add_history_entry(entry);
                    if let Err(e) = history.save()
                        && !warned
                    {
                        warned = true;
                        let _ = writeln!(err, "warning: history not saved: {e}");
                    }
                }
                let s = exec.run_text(&line, &mut |s, r| printer.emit(s, r));
                total.ran += s.ran;
                total.failed += s.failed;
                if s.quit {
                    total.quit = true;
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(total)
}
