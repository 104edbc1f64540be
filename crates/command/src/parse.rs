//! Pure parser: `&str` -> [`Command`]. No I/O, no engine access, never panics. The first
//! word picks the command's table entry (`crate::registry`), whose module parses the
//! rest; a SQL verb goes to the SQL parser.

pub use crate::ast::{
    AdviseAction, BaselineCmd, Command, DashboardCmd, DataCmd, ExportWhat, JobsCmd, KeyFilter,
    OptionsCmd, OptionsFormat, OutputMode, OutputTarget, ParseError, SelectWhat, SessionCmd,
    SqlCmd,
};
use crate::cmd::Parse;
pub use crate::cmd::set::{DEFAULT_REFRESH_MS, MAX_REFRESH_MS, MIN_REFRESH_MS, OUTPUT_ROWS};
use crate::cmd::sql::{SQL_STARTS, parse_sql};
pub use crate::cmd::width::MIN_WIDTH;
use crate::registry::entry;
/// Data commands and dot-commands (with aliases), for completion and "did you mean"
/// suggestions: derived from the command table.
pub use crate::registry::{COMMAND_NAMES, DOT_COMMAND_NAMES, usage};
pub use crate::words::levenshtein;
use crate::words::tokenize_words;

/// SQL keywords of the supported subset, for completion.
pub const SQL_KEYWORDS: &[&str] = &[
    "SELECT", "INSERT", "OR", "REPLACE", "INTO", "VALUES", "DELETE", "FROM", "WHERE", "BETWEEN",
    "AND", "LIMIT", "COUNT", "KEY", "VALUE", "KV",
];
/// Arguments of `.mode`.
pub const MODE_NAMES: &[&str] = &["table", "csv", "json", "line"];

/// Parse one command (a trailing `;` is optional).
pub fn parse_command(input: &str) -> Result<Command, ParseError> {
    let trimmed = input.trim_start();
    if trimmed.is_empty() || trimmed.trim_end().trim_end_matches(';').trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let first: String = trimmed
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ';' && *c != '(' && *c != '*')
        .collect();
    let lower = first.to_ascii_lowercase();
    if SQL_STARTS.contains(&lower.as_str()) {
        return parse_sql(input);
    }
    let toks = tokenize_words(input)?;
    let Some((name, args)) = toks.split_first() else {
        return Err(ParseError::Empty);
    };
    let name_text = name.text();
    let lname = name_text.to_ascii_lowercase();
    match entry(&lname).map(|e| e.parse) {
        Some(Parse::Words(parse)) => parse(args),
        // SQL verbs were handled above; a form (`.set refresh_ms`) is no first word.
        Some(Parse::Sql | Parse::Form) | None if lname.starts_with('.') => Err(unknown(&lname)),
        _ => Err(unknown(&name_text)),
    }
}

/// The SQL statements of the subset, offered by "did you mean" (in upper case, as SQL
/// is written: `SELEC` -> `SELECT`).
const SQL_STATEMENTS: &[&str] = &["SELECT", "INSERT", "DELETE"];

fn unknown(name: &str) -> ParseError {
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let names = COMMAND_NAMES.iter().chain(DOT_COMMAND_NAMES.iter());
    for cand in names.chain(SQL_STATEMENTS) {
        let d = levenshtein(&lower, &cand.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    let hint = match best {
        Some((d, cand)) if d <= 2 && d < cand.chars().count() => {
            format!("; did you mean \"{cand}\"?")
        }
        _ => " (type .help for the list of commands)".to_string(),
    };
    let shown: String = name.chars().take(40).collect();
    ParseError::Unknown { name: shown, hint }
}

// ---------------------------------------------------------------------------------------
// Splitting scripts into commands.

fn first_word_is_sql(rest: &[char]) -> bool {
    let w: String = rest
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_')
        .collect();
    SQL_STARTS.contains(&w.to_ascii_lowercase().as_str())
}

/// Whether `line` begins a new command rather than continuing an unfinished SQL
/// statement: it starts with a dot-command, a data command (other than `count`, which
/// is also SQL's `COUNT(*)`) or a word that starts SQL. A script runner uses it to end a
/// statement whose `;` was forgotten instead of swallowing the rest of the script.
pub fn starts_command(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with('.') {
        return true;
    }
    let w: String = t
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let w = w.to_ascii_lowercase();
    let next = t[w.len()..].chars().next();
    let data =
        COMMAND_NAMES.contains(&w.as_str()) && w != "count" && next.is_none_or(char::is_whitespace);
    data || SQL_STARTS.contains(&w.as_str())
}

/// Split script or `-c` text into commands. SQL statements end at `;` (they may span lines;
/// quotes and `--` comments are respected); other commands end at a newline or `;`.
/// Returns the complete commands (trimmed, without the final `;`) and any incomplete trailing
/// SQL statement. Lines starting with `--` or `#` between commands are comments.
pub fn split_statements(input: &str) -> (Vec<String>, Option<String>) {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c.is_whitespace() || c == ';' {
            i += 1;
            continue;
        }
        if c == '#' || (c == '-' && chars.get(i + 1) == Some(&'-')) {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if first_word_is_sql(&chars[i..]) {
            let mut quote: Option<char> = None;
            let mut done = false;
            while i < n {
                let ch = chars[i];
                match quote {
                    Some(q) => {
                        if ch == q {
                            quote = None;
                        }
                    }
                    None => {
                        if ch == '\'' || ch == '"' {
                            quote = Some(ch);
                        } else if ch == '-' && chars.get(i + 1) == Some(&'-') {
                            while i < n && chars[i] != '\n' {
                                i += 1;
                            }
                            continue;
                        } else if ch == ';' {
                            done = true;
                            break;
                        }
                    }
                }
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let text = text.trim().to_string();
            if done {
                out.push(text);
                i += 1;
            } else {
                return (out, Some(text));
            }
        } else {
            let mut at_token_start = true;
            while i < n && chars[i] != '\n' && chars[i] != ';' {
                let ch = chars[i];
                let opens_hex = (ch == 'x' || ch == 'X') && chars.get(i + 1) == Some(&'\'');
                if at_token_start && (ch == '\'' || ch == '"' || opens_hex) {
                    let q = if opens_hex { '\'' } else { ch };
                    i += if opens_hex { 2 } else { 1 };
                    while i < n && chars[i] != '\n' && chars[i] != q {
                        if chars[i] == '\\'
                            && !opens_hex
                            && chars.get(i + 1).is_some_and(|c| *c != '\n')
                        {
                            i += 1;
                        }
                        i += 1;
                    }
                    if i < n && chars[i] == q {
                        i += 1;
                    }
                    at_token_start = false;
                    continue;
                }
                at_token_start = ch.is_whitespace();
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let text = text.trim().to_string();
            if !text.is_empty() {
                out.push(text);
            }
        }
    }
    (out, None)
}

/// True when `input` holds no incomplete SQL statement (a REPL may submit it).
pub fn is_complete(input: &str) -> bool {
    split_statements(input).1.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_basics() {
        assert_eq!(levenshtein("gte", "get"), 2);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("scan", "scan"), 0);
    }

    #[test]
    fn split_mixed_script() {
        let (cmds, rest) = split_statements(
            "put 1 a; get 1\nSELECT *\nFROM kv\nWHERE key = 1;\n-- c\nput 2 'x;y'\nINSERT INTO kv VALUES (3, 'a;b'",
        );
        assert_eq!(
            cmds,
            vec![
                "put 1 a",
                "get 1",
                "SELECT *\nFROM kv\nWHERE key = 1",
                "put 2 'x;y'"
            ]
        );
        assert_eq!(rest.as_deref(), Some("INSERT INTO kv VALUES (3, 'a;b'"));
        assert!(!is_complete("select * from kv"));
        assert!(is_complete("select * from kv;"));
        assert!(is_complete("get 1"));
    }
}
