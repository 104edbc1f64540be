//! `.help [CMD|OPTION]`: every command from the table, one command's usage, or an
//! engine option explained.
use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, lookup_in, names_in, spec};
use crate::words::{Word, arity, levenshtein};
use engine::DbOptions;
use engine::options::{Opt, nearest_name};

pub const SPEC: CommandSpec = spec(
    ".help",
    ".help [CMD|OPTION]",
    "this list; .help CMD: one command's usage; .help OPTION: an engine option explained",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".help .set block_size", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    // Two words only for `.help .set OPTION`.
    let set_option = argc == 2 && matches!(args[0].text().as_str(), ".set" | "set");
    arity(&SPEC, argc <= 1 || set_option, "0 or 1 argument", argc)?;
    let words: Vec<String> = args.iter().map(|a| a.text().to_ascii_lowercase()).collect();
    Ok(Command::Session(SessionCmd::Help(
        (!words.is_empty()).then(|| words.join(" ")),
    )))
}

/// `table`: the command table (the registry's, which lists this module).
pub fn execute(
    x: &Executor,
    topic: Option<&str>,
    table: &'static [CommandSpec],
) -> Result<Outcome, ExecError> {
    Ok(Outcome::Message(help_text(table, topic, &x.db.options())?))
}

/// Width of `.help`'s usage column.
const USAGE_COLUMN: usize = 48;

/// One `.help` entry: the help beside its usage, or under it when the usage is wider than
/// the column, so every help text starts in the same column.
fn help_line(usage: &str, help: &str) -> String {
    if usage.chars().count() <= USAGE_COLUMN {
        format!("{usage:<USAGE_COLUMN$} {help}")
    } else {
        format!("{usage}\n{:USAGE_COLUMN$} {help}", "")
    }
}

/// `.help` (every command, from the command table), `.help CMD` or `.help OPTION`
/// (also `.help .set OPTION`).
fn help_text(
    table: &'static [CommandSpec],
    topic: Option<&str>,
    current: &DbOptions,
) -> Result<String, ExecError> {
    let Some(t) = topic else {
        let lines: Vec<String> = table.iter().map(|s| help_line(s.usage, s.help)).collect();
        return Ok(lines.join("\n"));
    };
    if let Some(s) = lookup_in(table, t) {
        return Ok(format!("{}\n  {}", s.usage, s.help));
    }
    let bare = [".set ", "set "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    match Opt::from_name(bare) {
        Some(opt) => Ok(option_help(opt, current)),
        None => Err(ExecError::Refused(format!(
            "no help for \"{t}\"{}",
            help_hint(table, bare)
        ))),
    }
}

/// `.help OPTION`: what it does, its kind, range, default, value and what to watch.
fn option_help(opt: Opt, current: &DbOptions) -> String {
    let s = opt.spec();
    let kind = s.apply.applies();
    let mut lines = vec![format!(
        ".set {} VALUE\n  {}",
        s.name,
        crate::hints::option_words(s.help)
    )];
    let doc: Vec<&str> = s.doc.iter().map(|l| l.trim()).collect();
    if !doc.is_empty() {
        lines.push(format!("  {}", doc.join(" ")));
    }
    if !s.aliases.is_empty() {
        lines.push(format!("  also spelt:  {}", s.aliases.join(", ")));
    }
    lines.push(format!(
        "  kind:        {} ({})",
        kind.as_str(),
        crate::hints::option_words(kind.meaning())
    ));
    lines.push(format!("  allowed:     {}", s.ty.allowed()));
    lines.push(format!("  default:     {}", DbOptions::default().text(opt)));
    lines.push(format!("  current:     {}", current.text(opt)));
    lines.push(format!(
        "  watch:       {}",
        crate::hints::watch_words(s.watch)
    ));
    lines.join("\n")
}

/// "; did you mean ..." over command and option names, else the pointer to `.help`.
fn help_hint(table: &'static [CommandSpec], topic: &str) -> String {
    let command = names_in(table, |_| true)
        .into_iter()
        .map(|c| (levenshtein(topic, c.trim_start_matches('.')), c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min();
    match command.map(|(_, c)| c).or_else(|| nearest_name(topic)) {
        Some(n) => format!("; did you mean \"{n}\"?"),
        None => "; .help lists every command".to_string(),
    }
}
