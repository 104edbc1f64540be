//! Pure parser: `&str` -> [`Command`]. No I/O, no engine access, never panics.

use thiserror::Error;

/// Data commands and dot-commands (with aliases), for completion and "did you mean"
/// suggestions: derived from the command table.
pub use super::spec::{COMMAND_NAMES, DOT_COMMAND_NAMES};
/// SQL keywords of the supported subset, for completion.
pub const SQL_KEYWORDS: &[&str] = &[
    "SELECT", "INSERT", "OR", "REPLACE", "INTO", "VALUES", "DELETE", "FROM", "WHERE", "BETWEEN",
    "AND", "LIMIT", "COUNT", "KEY", "VALUE", "KV",
];
/// Arguments of `.mode`.
pub const MODE_NAMES: &[&str] = &["table", "csv", "json", "line"];

/// First words that start a SQL statement (supported or not).
const SQL_STARTS: &[&str] = &[
    "select", "insert", "delete", "replace", "update", "create", "drop", "alter", "with", "pragma",
    "begin", "commit", "rollback", "vacuum", "explain", "attach", "upsert",
];

const SQL_HELP: &str = "supported: SELECT/INSERT/DELETE on kv, see .help";

/// Usage line of a command or dot-command (`"get"`, `".mode"`, `"select"`; the dot may be
/// left out), from the command table.
pub fn usage(name: &str) -> Option<&'static str> {
    super::spec::lookup(name).map(|s| s.usage)
}

/// The dashboard's sampling interval (`.set refresh_ms N`): default and bounds, in ms.
pub const DEFAULT_REFRESH_MS: u64 = 250;
pub const MIN_REFRESH_MS: u64 = 50;
pub const MAX_REFRESH_MS: u64 = 10_000;
/// The dashboard setting `.set output_rows N` (rows of a result the output pane keeps).
pub const OUTPUT_ROWS: &str = "output_rows";

/// Which column(s) a `SELECT` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectWhat {
    /// `SELECT *`
    All,
    /// `SELECT key`
    Key,
    /// `SELECT value`
    Value,
    /// `SELECT COUNT(*)`
    Count,
}

/// A key restriction from a `WHERE` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFilter {
    /// No `WHERE`.
    All,
    /// `key = K`
    Eq(i64),
    /// `key BETWEEN A AND B` (inclusive on both ends).
    Between(i64, i64),
    /// `key >= A AND key < B`.
    HalfOpen(i64, i64),
}

/// Output mode of `.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Table,
    Csv,
    Json,
    Line,
}

/// What `.export` writes (a dashboard command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportWhat {
    MetricsCsv,
    MetricsJson,
    /// Four charts over time (throughput, latency, hit rates, memory) as SVG.
    MetricsSvg,
    /// The screen as plain text.
    Screen,
}

/// Target of `.output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    Stdout,
    File(String),
}

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Get(i64),
    Put {
        key: i64,
        value: Vec<u8>,
    },
    Del(i64),
    Scan {
        start: i64,
        end: i64,
        limit: Option<u64>,
    },
    /// `count` (all keys) or `count A B`.
    Count(Option<(i64, i64)>),
    Exists(i64),
    MGet(Vec<i64>),
    Select {
        what: SelectWhat,
        filter: KeyFilter,
        limit: Option<u64>,
    },
    Insert {
        /// `INSERT OR REPLACE` / `REPLACE INTO`.
        replace: bool,
        rows: Vec<(i64, Vec<u8>)>,
    },
    /// `DELETE FROM kv WHERE ...` (never `KeyFilter::All`).
    Delete {
        filter: KeyFilter,
    },
    /// `.help [cmd]`; the topic is lower-cased.
    Help(Option<String>),
    Timer(bool),
    /// `.width N` (cells cut to N characters in table mode) or `.width off` (`None`:
    /// whole values).
    Width(Option<usize>),
    Stats(bool),
    Mode(OutputMode),
    Output(OutputTarget),
    Read(String),
    Open(String),
    Show,
    /// `.show options`
    ShowOptions,
    /// `.set NAME VALUE`
    Set {
        name: String,
        value: String,
    },
    /// `.reset NAME` or `.reset all` (`None`).
    Reset(Option<String>),
    Reopen,
    Flush,
    /// `.compact` (everything) or `.compact A B`.
    Compact(Option<(i64, i64)>),
    /// `.profile save FILE` (`save: true`) or `.profile load NAME|FILE` (a built-in
    /// profile's name or a file).
    Profile {
        save: bool,
        path: String,
    },
    /// `.profile list`: the built-in profiles.
    ProfileList,
    /// `.options export FILE [--format rocksdb|tikv]`
    OptionsExport(String, OptionsFormat),
    /// `.load KIND ...` (`background`: a trailing `&`).
    Load {
        args: super::bench_args::LoadArgs,
        background: bool,
    },
    /// `.bench ...`
    Bench {
        args: super::bench_args::ShellBenchArgs,
        background: bool,
    },
    /// `.ycsb W ...`
    Ycsb {
        args: super::bench_args::ShellYcsbArgs,
        background: bool,
    },
    /// `.jobs` (every job with its headline figures) or `.jobs N` (job N's full report).
    Jobs(Option<u64>),
    /// `.cancel [JOB]` (`None`: the newest running job).
    Cancel(Option<u64>),
    /// `.set refresh_ms N`, or `.reset refresh_ms` (`None`): the dashboard's sampling.
    Refresh(Option<u64>),
    /// `.export metrics FILE.csv|FILE.json|FILE.svg` or `.export screen FILE` (the dashboard's).
    Export {
        what: ExportWhat,
        path: String,
    },
    Quit,
    /// `.check`: ALEX against RocksDB, and the key ranges RocksDB could not read.
    Check,
    /// `.mrc` (the value cache's miss-ratio curve as a table) or `.mrc reset`.
    Mrc {
        reset: bool,
    },
    /// `.sweep OPTION V1,V2,... [x OPTION2 V1,V2,...] [--workload W ...]`
    Sweep {
        args: super::sweep::SweepArgs,
        background: bool,
    },
    /// `.baseline save NAME [--window D] | list | drop NAME`
    Baseline(BaselineCmd),
    /// `.compare NAME [NAME2|now]` (`b: None`: the last window now).
    Compare {
        a: String,
        b: Option<String>,
    },
    /// `.advise`, `.advise apply N`, `.advise undo`.
    Advise(AdviseAction),
}

/// What `.advise` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdviseAction {
    /// List the proposals.
    List,
    /// Apply proposal N (numbered from 1) of the last list.
    Apply(usize),
    /// Restore what the last applied proposal changed.
    Undo,
}

/// The format `.options export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsFormat {
    /// RocksDB's own OPTIONS file.
    Rocksdb,
    /// A TiKV configuration fragment.
    Tikv,
}

/// What `.baseline` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineCmd {
    /// Save the last `window_secs` seconds under `name`.
    Save {
        name: String,
        window_secs: u64,
    },
    List,
    Drop(String),
}

/// Why a line did not parse. Display is one line: what was wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("empty command (type .help for the list of commands)")]
    Empty,
    #[error("{what} \"{text}\" is not an integer")]
    NotInteger { what: &'static str, text: String },
    #[error("{what} {text} is out of range (i64)")]
    OutOfRange { what: &'static str, text: String },
    #[error("limit \"{text}\" is not a non-negative integer")]
    BadLimit { text: String },
    #[error("unterminated string starting at column {column} (close it with the same quote)")]
    Unterminated { column: usize },
    #[error(
        "unknown escape \"\\{escape}\" at column {column} (use \\n \\t \\r \\\\ \\' \\\" \\0 \\xHH)"
    )]
    BadEscape { escape: String, column: usize },
    #[error("bad hex in x'{text}': {reason}")]
    BadHex { text: String, reason: String },
    #[error("{command} takes {expected}, got {got} (usage: {usage})")]
    Arity {
        command: String,
        expected: &'static str,
        got: usize,
        usage: &'static str,
    },
    #[error("{command}: {problem} (usage: {usage})")]
    BadArgument {
        command: String,
        problem: String,
        usage: &'static str,
    },
    #[error("unknown command \"{name}\"{hint}")]
    Unknown { name: String, hint: String },
    #[error("unexpected {found} at column {column} (separate commands with ';' or a newline)")]
    Trailing { found: String, column: usize },
    #[error("unsupported SQL: {detail} ({SQL_HELP})")]
    UnsupportedSql { detail: String },
}

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
    let (name, args) = match toks.split_first() {
        Some((n, a)) => (n, a),
        None => return Err(ParseError::Empty),
    };
    let name_text = name.text();
    let lname = name_text.to_ascii_lowercase();
    let argc = args.len();
    match lname.as_str() {
        "get" => {
            arity(&lname, argc == 1, "1 key", argc)?;
            Ok(Command::Get(key_of(&args[0])?))
        }
        "del" => {
            arity(&lname, argc == 1, "1 key", argc)?;
            Ok(Command::Del(key_of(&args[0])?))
        }
        "exists" => {
            arity(&lname, argc == 1, "1 key", argc)?;
            Ok(Command::Exists(key_of(&args[0])?))
        }
        "put" => {
            arity(&lname, argc == 2, "2 arguments (a key and a value)", argc)?;
            Ok(Command::Put {
                key: key_of(&args[0])?,
                value: args[1].bytes(),
            })
        }
        "scan" => {
            let ok = argc == 2 || (argc == 4 && args[2].text().eq_ignore_ascii_case("limit"));
            arity(&lname, ok, "2 keys and an optional `limit N`", argc)?;
            let limit = if argc == 4 {
                Some(limit_of(&args[3].text())?)
            } else {
                None
            };
            Ok(Command::Scan {
                start: key_of(&args[0])?,
                end: key_of(&args[1])?,
                limit,
            })
        }
        "count" => {
            arity(&lname, argc == 0 || argc == 2, "0 or 2 keys", argc)?;
            if argc == 0 {
                Ok(Command::Count(None))
            } else {
                Ok(Command::Count(Some((key_of(&args[0])?, key_of(&args[1])?))))
            }
        }
        "mget" => {
            arity(&lname, argc >= 1, "at least 1 key", argc)?;
            let keys = args.iter().map(key_of).collect::<Result<Vec<_>, _>>()?;
            Ok(Command::MGet(keys))
        }
        _ if lname.starts_with('.') => parse_dot(&lname, args),
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

/// Edit distance (insert, delete, substitute) over chars.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn arity(cmd: &str, ok: bool, expected: &'static str, got: usize) -> Result<(), ParseError> {
    if ok {
        return Ok(());
    }
    Err(ParseError::Arity {
        command: cmd.to_string(),
        expected,
        got,
        usage: usage(cmd).unwrap_or(""),
    })
}

fn parse_int(what: &'static str, text: &str) -> Result<i64, ParseError> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let shown: String = text.chars().take(40).collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::NotInteger { what, text: shown });
    }
    text.parse::<i64>()
        .map_err(|_| ParseError::OutOfRange { what, text: shown })
}

fn limit_of(text: &str) -> Result<u64, ParseError> {
    let t = text.strip_prefix('+').unwrap_or(text);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::BadLimit {
            text: text.chars().take(40).collect(),
        });
    }
    t.parse::<u64>().map_err(|_| ParseError::BadLimit {
        text: text.chars().take(40).collect(),
    })
}

fn key_of(tok: &Word) -> Result<i64, ParseError> {
    parse_int("key", &tok.text())
}

fn on_off(cmd: &str, args: &[Word]) -> Result<bool, ParseError> {
    let u = usage(cmd).unwrap_or("");
    if args.len() != 1 {
        return Err(ParseError::Arity {
            command: cmd.to_string(),
            expected: "1 argument (on or off)",
            got: args.len(),
            usage: u,
        });
    }
    match args[0].text().to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(ParseError::BadArgument {
            command: cmd.to_string(),
            problem: format!(
                "expected on or off, got \"{}\"",
                other.chars().take(40).collect::<String>()
            ),
            usage: u,
        }),
    }
}

fn one_path(cmd: &str, args: &[Word], what: &'static str) -> Result<String, ParseError> {
    if args.len() != 1 {
        return Err(ParseError::Arity {
            command: cmd.to_string(),
            expected: what,
            got: args.len(),
            usage: usage(cmd).unwrap_or(""),
        });
    }
    Ok(args[0].text())
}

/// The optional job number of `.jobs` and `.cancel` (`3` or `[3]`).
fn job_number(name: &str, args: &[Word]) -> Result<Option<u64>, ParseError> {
    let Some(a) = args.first() else {
        return Ok(None);
    };
    a.text()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map(Some)
        .map_err(|_| bad_arg(name, format!("\"{}\" is not a job number", a.text())))
}

fn parse_dot(name: &str, args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    match name {
        ".help" => {
            // Two words only for `.help .set OPTION`.
            let set_option = argc == 2 && matches!(args[0].text().as_str(), ".set" | "set");
            arity(name, argc <= 1 || set_option, "0 or 1 argument", argc)?;
            let words: Vec<String> = args.iter().map(|a| a.text().to_ascii_lowercase()).collect();
            Ok(Command::Help((!words.is_empty()).then(|| words.join(" "))))
        }
        ".timer" => Ok(Command::Timer(on_off(name, args)?)),
        ".width" => parse_width(name, args),
        ".stats" => Ok(Command::Stats(on_off(name, args)?)),
        ".mode" => {
            arity(name, argc == 1, "1 argument", argc)?;
            let m = match args[0].text().to_ascii_lowercase().as_str() {
                "table" => OutputMode::Table,
                "csv" => OutputMode::Csv,
                "json" => OutputMode::Json,
                "line" => OutputMode::Line,
                other => {
                    return Err(ParseError::BadArgument {
                        command: name.to_string(),
                        problem: format!(
                            "unknown mode \"{}\"",
                            other.chars().take(40).collect::<String>()
                        ),
                        usage: usage(name).unwrap_or(""),
                    });
                }
            };
            Ok(Command::Mode(m))
        }
        ".output" => {
            let p = one_path(name, args, "1 argument (a file or stdout)")?;
            if p.eq_ignore_ascii_case("stdout") && !args[0].quoted {
                Ok(Command::Output(OutputTarget::Stdout))
            } else {
                Ok(Command::Output(OutputTarget::File(p)))
            }
        }
        ".read" => Ok(Command::Read(one_path(name, args, "1 file")?)),
        ".open" => Ok(Command::Open(one_path(name, args, "1 path")?)),
        ".show" => {
            arity(name, argc <= 1, "no argument or \"options\"", argc)?;
            match args.first().map(|a| a.text().to_ascii_lowercase()) {
                None => Ok(Command::Show),
                Some(w) if w == "options" => Ok(Command::ShowOptions),
                Some(w) => Err(bad_arg(name, format!("unknown topic \"{w}\""))),
            }
        }
        ".set" | ".reset"
            if args
                .first()
                .is_some_and(|a| a.text().eq_ignore_ascii_case("refresh_ms")) =>
        {
            parse_refresh(name, &args[1..])
        }
        ".export" => parse_export(name, args),
        ".set" => {
            arity(name, argc == 2, "2 arguments", argc)?;
            Ok(Command::Set {
                name: args[0].text().to_ascii_lowercase(),
                value: args[1].text(),
            })
        }
        ".reset" => {
            arity(name, argc == 1, "1 argument", argc)?;
            let n = args[0].text().to_ascii_lowercase();
            Ok(Command::Reset((n != "all").then_some(n)))
        }
        ".reopen" | ".flush" => {
            arity(name, argc == 0, "no arguments", argc)?;
            Ok(if name == ".reopen" {
                Command::Reopen
            } else {
                Command::Flush
            })
        }
        ".compact" => {
            arity(name, argc == 0 || argc == 2, "0 or 2 keys", argc)?;
            if argc == 0 {
                Ok(Command::Compact(None))
            } else {
                Ok(Command::Compact(Some((
                    key_of(&args[0])?,
                    key_of(&args[1])?,
                ))))
            }
        }
        ".check" => {
            arity(name, argc == 0, "no arguments", argc)?;
            Ok(Command::Check)
        }
        ".mrc" => {
            arity(name, argc <= 1, "0 or 1 argument", argc)?;
            match args.first().map(|a| a.text().to_ascii_lowercase()) {
                None => Ok(Command::Mrc { reset: false }),
                Some(w) if w == "reset" => Ok(Command::Mrc { reset: true }),
                Some(other) => Err(bad_arg(name, format!("expected reset, got \"{other}\""))),
            }
        }
        ".profile" if argc == 1 && args[0].text().eq_ignore_ascii_case("list") => {
            Ok(Command::ProfileList)
        }
        ".profile" => {
            arity(name, argc == 2, "2 arguments", argc)?;
            let save = match args[0].text().to_ascii_lowercase().as_str() {
                "save" => true,
                "load" => false,
                other => {
                    return Err(bad_arg(
                        name,
                        format!("expected save or load, got \"{other}\""),
                    ));
                }
            };
            Ok(Command::Profile {
                save,
                path: args[1].text(),
            })
        }
        ".load" | ".bench" | ".ycsb" => {
            let mut words: Vec<String> = args.iter().map(|a| a.text()).collect();
            let background = words.last().is_some_and(|w| w == "&");
            if background {
                words.pop();
            }
            match name {
                ".load" => Ok(Command::Load {
                    args: clap_args(name, &words)?,
                    background,
                }),
                ".bench" => Ok(Command::Bench {
                    args: clap_args(name, &words)?,
                    background,
                }),
                _ => Ok(Command::Ycsb {
                    args: clap_args(name, &words)?,
                    background,
                }),
            }
        }
        ".sweep" => parse_sweep(name, args),
        ".jobs" => {
            arity(name, argc <= 1, "0 or 1 job number", argc)?;
            Ok(Command::Jobs(job_number(name, args)?))
        }
        ".cancel" => {
            arity(name, argc <= 1, "0 or 1 job number", argc)?;
            Ok(Command::Cancel(job_number(name, args)?))
        }
        ".options" => parse_options_export(name, args),
        ".advise" => parse_advise(name, args),
        ".quit" | ".exit" => {
            arity(".quit", argc == 0, "no arguments", argc)?;
            Ok(Command::Quit)
        }
        ".baseline" | ".compare" => {
            let words: Vec<String> = args.iter().map(|a| a.text()).collect();
            super::baseline::parse(name, &words)
        }
        _ => Err(unknown(name)),
    }
}

/// `.options export FILE [--format rocksdb|tikv]`.
fn parse_options_export(name: &str, args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    arity(name, argc == 2 || argc == 4, "2 or 4 arguments", argc)?;
    if !args[0].text().eq_ignore_ascii_case("export") {
        return Err(bad_arg(
            name,
            format!("expected export, got \"{}\"", args[0].text()),
        ));
    }
    let format = match args.get(2..) {
        Some([flag, f]) if flag.text() == "--format" => {
            match f.text().to_ascii_lowercase().as_str() {
                "rocksdb" => OptionsFormat::Rocksdb,
                "tikv" => OptionsFormat::Tikv,
                other => {
                    return Err(bad_arg(
                        name,
                        format!("unknown format \"{other}\" (rocksdb or tikv)"),
                    ));
                }
            }
        }
        Some([flag, _]) => {
            return Err(bad_arg(
                name,
                format!("expected --format, got \"{}\"", flag.text()),
            ));
        }
        _ => OptionsFormat::Rocksdb,
    };
    Ok(Command::OptionsExport(args[1].text(), format))
}

/// `.advise`, `.advise apply N`, `.advise undo`.
fn parse_advise(name: &str, args: &[Word]) -> Result<Command, ParseError> {
    let words: Vec<String> = args.iter().map(|a| a.text().to_ascii_lowercase()).collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => Ok(Command::Advise(AdviseAction::List)),
        ["undo"] => Ok(Command::Advise(AdviseAction::Undo)),
        ["apply", n] => match n.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Command::Advise(AdviseAction::Apply(n))),
            _ => Err(bad_arg(
                name,
                format!("\"{n}\" is not a proposal number (1, 2, ...)"),
            )),
        },
        ["apply"] => Err(bad_arg(name, "apply needs a proposal number".into())),
        ["undo", ..] => Err(bad_arg(name, "undo takes no argument".into())),
        [other, ..] => Err(bad_arg(
            name,
            format!("expected apply N or undo, got \"{other}\""),
        )),
    }
}

/// `.sweep`: the option lists (each value checked against its option), then the flags
/// with their clap definition; a trailing `&` runs it in the background.
fn parse_sweep(name: &str, args: &[Word]) -> Result<Command, ParseError> {
    let mut words: Vec<String> = args.iter().map(|a| a.text()).collect();
    let background = words.last().is_some_and(|w| w == "&");
    if background {
        words.pop();
    }
    let (axes, flags) = super::sweep::split_words(&words).map_err(|p| bad_arg(name, p))?;
    let flags: super::sweep::SweepFlags = clap_args(name, flags)?;
    Ok(Command::Sweep {
        args: super::sweep::SweepArgs::new(axes, flags),
        background,
    })
}

/// `.set refresh_ms N` (`N` or `Nms`, in range) or `.reset refresh_ms`.
fn parse_refresh(name: &str, rest: &[Word]) -> Result<Command, ParseError> {
    let form = ".set refresh_ms";
    let bad = |problem: String| ParseError::BadArgument {
        command: form.to_string(),
        problem,
        usage: REFRESH_USAGE,
    };
    match (name, rest) {
        (".reset", []) => Ok(Command::Refresh(None)),
        (".reset", _) => Err(bad(".reset refresh_ms takes no value".into())),
        (_, [v]) => {
            let text = v.text();
            let n: u64 = text
                .trim_end_matches("ms")
                .parse()
                .map_err(|_| bad(format!("{text:?} is not a number of milliseconds")))?;
            if !(MIN_REFRESH_MS..=MAX_REFRESH_MS).contains(&n) {
                return Err(bad(format!(
                    "{n} is out of range {MIN_REFRESH_MS}..{MAX_REFRESH_MS}"
                )));
            }
            Ok(Command::Refresh(Some(n)))
        }
        (_, _) => Err(ParseError::Arity {
            command: form.to_string(),
            expected: "1 value",
            got: rest.len(),
            usage: REFRESH_USAGE,
        }),
    }
}

/// The numbers are MIN/MAX/DEFAULT_REFRESH_MS (a test checks they agree).
pub(crate) const REFRESH_USAGE: &str = ".set refresh_ms N (milliseconds, 50..10000; default 250)";

/// `.export metrics FILE.csv|FILE.json|FILE.svg` or `.export screen FILE`.
fn parse_export(name: &str, args: &[Word]) -> Result<Command, ParseError> {
    arity(name, args.len() == 2, "2 arguments", args.len())?;
    let path = args[1].text();
    let lower = path.to_ascii_lowercase();
    let what = match args[0].text().to_ascii_lowercase().as_str() {
        "screen" => ExportWhat::Screen,
        "metrics" if lower.ends_with(".csv") => ExportWhat::MetricsCsv,
        "metrics" if lower.ends_with(".json") => ExportWhat::MetricsJson,
        "metrics" if lower.ends_with(".svg") => ExportWhat::MetricsSvg,
        "metrics" => {
            return Err(bad_arg(
                name,
                format!(
                    "cannot tell the format of {path}: name it FILE.csv, FILE.json or FILE.svg"
                ),
            ));
        }
        other => {
            return Err(bad_arg(
                name,
                format!("expected metrics or screen, got \"{other}\""),
            ));
        }
    };
    Ok(Command::Export { what, path })
}

/// Narrowest `.width`: room for a few characters and the `… (N bytes)` suffix.
pub const MIN_WIDTH: usize = 24;

fn parse_width(name: &str, args: &[Word]) -> Result<Command, ParseError> {
    arity(
        name,
        args.len() == 1,
        "1 argument (a width or off)",
        args.len(),
    )?;
    let text = args[0].text();
    if text.eq_ignore_ascii_case("off") {
        return Ok(Command::Width(None));
    }
    match text.parse::<usize>() {
        Ok(n) if n >= MIN_WIDTH => Ok(Command::Width(Some(n))),
        _ => Err(bad_arg(
            name,
            format!(
                "\"{}\" is not a width of at least {MIN_WIDTH} characters, or off",
                text.chars().take(40).collect::<String>()
            ),
        )),
    }
}

/// Parses the words of `.load`/`.bench`/`.ycsb` with their clap definitions; a clap
/// error becomes one line.
fn clap_args<T: clap::Parser>(name: &str, words: &[String]) -> Result<T, ParseError> {
    let cmd = T::command()
        .disable_help_subcommand(true)
        .help_template("")
        .color(clap::ColorChoice::Never);
    let matches = cmd
        .try_get_matches_from(words)
        .map_err(|e| bad_arg(name, clap_problem(&e)))?;
    T::from_arg_matches(&matches).map_err(|e| bad_arg(name, clap_problem(&e)))
}

fn clap_problem(e: &clap::Error) -> String {
    let text = e.to_string();
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad arguments")
        .trim();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

fn bad_arg(name: &str, problem: String) -> ParseError {
    ParseError::BadArgument {
        command: name.to_string(),
        problem: problem.chars().take(160).collect(),
        usage: usage(name).unwrap_or(""),
    }
}

// ---------------------------------------------------------------------------------------
// Word tokenizer for data and dot-commands.

#[derive(Debug, Clone)]
struct Word {
    bytes: Vec<u8>,
    quoted: bool,
}

impl Word {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    fn bytes(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

fn hex_val(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

fn decode_hex(text: &str) -> Result<Vec<u8>, ParseError> {
    let shown: String = text.chars().take(40).collect();
    let chars: Vec<char> = text.chars().collect();
    if let Some(bad) = chars.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(ParseError::BadHex {
            text: shown,
            reason: format!("'{bad}' is not a hex digit (use 0-9 a-f)"),
        });
    }
    if !chars.len().is_multiple_of(2) {
        return Err(ParseError::BadHex {
            text: shown,
            reason: "odd number of digits (use two hex digits per byte)".to_string(),
        });
    }
    Ok(chars
        .chunks(2)
        .map(|p| hex_val(p[0]).unwrap_or(0) * 16 + hex_val(p[1]).unwrap_or(0))
        .collect())
}

/// Split a data/dot command into words; a `;` is allowed only at the end.
fn tokenize_words(input: &str) -> Result<Vec<Word>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == ';' {
            if let Some(j) =
                (i + 1..chars.len()).find(|&j| !chars[j].is_whitespace() && chars[j] != ';')
            {
                let found: String = chars[j..].iter().take(20).collect();
                return Err(ParseError::Trailing {
                    found: format!("\"{found}\" after ';'"),
                    column: j + 1,
                });
            }
            break;
        }
        if (c == 'x' || c == 'X') && chars.get(i + 1) == Some(&'\'') {
            let start = i + 2;
            let Some(end) = (start..chars.len()).find(|&j| chars[j] == '\'') else {
                return Err(ParseError::Unterminated { column: i + 2 });
            };
            let text: String = chars[start..end].iter().collect();
            out.push(Word {
                bytes: decode_hex(&text)?,
                quoted: true,
            });
            i = end + 1;
            check_separated(&chars, i)?;
            continue;
        }
        if c == '\'' || c == '"' {
            let (bytes, next) = quoted(&chars, i)?;
            out.push(Word {
                bytes,
                quoted: true,
            });
            i = next;
            check_separated(&chars, i)?;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != ';' {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        out.push(Word {
            bytes: text.into_bytes(),
            quoted: false,
        });
    }
    Ok(out)
}

fn check_separated(chars: &[char], i: usize) -> Result<(), ParseError> {
    match chars.get(i) {
        Some(c) if !c.is_whitespace() && *c != ';' => {
            let found: String = chars[i..].iter().take(20).collect();
            Err(ParseError::Trailing {
                found: format!("\"{found}\" right after a closing quote"),
                column: i + 1,
            })
        }
        _ => Ok(()),
    }
}

/// A '...' or "..." string with backslash escapes; returns bytes and the index after it.
fn quoted(chars: &[char], open: usize) -> Result<(Vec<u8>, usize), ParseError> {
    let q = chars[open];
    let mut out = Vec::new();
    let mut i = open + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == q {
            return Ok((out, i + 1));
        }
        if c == '\\' {
            let Some(&e) = chars.get(i + 1) else {
                break;
            };
            let simple = match e {
                'n' => Some(b'\n'),
                't' => Some(b'\t'),
                'r' => Some(b'\r'),
                '0' => Some(0u8),
                '\\' => Some(b'\\'),
                '\'' => Some(b'\''),
                '"' => Some(b'"'),
                _ => None,
            };
            if let Some(b) = simple {
                out.push(b);
                i += 2;
                continue;
            }
            if e == 'x' {
                let h1 = chars.get(i + 2).copied().and_then(hex_val);
                let h2 = chars.get(i + 3).copied().and_then(hex_val);
                if let (Some(a), Some(b)) = (h1, h2) {
                    out.push(a * 16 + b);
                    i += 4;
                    continue;
                }
                let esc: String = chars[i + 1..chars.len().min(i + 4)].iter().collect();
                return Err(ParseError::BadEscape {
                    escape: esc,
                    column: i + 1,
                });
            }
            return Err(ParseError::BadEscape {
                escape: e.to_string(),
                column: i + 1,
            });
        }
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        i += 1;
    }
    Err(ParseError::Unterminated { column: open + 1 })
}

// ---------------------------------------------------------------------------------------
// SQL.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(String),
    Str(Vec<u8>),
    Blob(Vec<u8>),
    Punct(String),
}

fn describe(t: Option<&(Tok, usize)>) -> String {
    match t {
        None => "end of statement".to_string(),
        Some((tok, col)) => {
            let s = match tok {
                Tok::Ident(s) | Tok::Num(s) | Tok::Punct(s) => {
                    format!("\"{}\"", s.chars().take(30).collect::<String>())
                }
                Tok::Str(_) => "a string".to_string(),
                Tok::Blob(_) => "a blob".to_string(),
            };
            format!("{s} at column {col}")
        }
    }
}

fn sql_err(detail: impl Into<String>) -> ParseError {
    ParseError::UnsupportedSql {
        detail: detail.into(),
    }
}

fn tokenize_sql(input: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if (c == 'x' || c == 'X') && chars.get(i + 1) == Some(&'\'') {
            let start = i + 2;
            let Some(end) = (start..chars.len()).find(|&j| chars[j] == '\'') else {
                return Err(ParseError::Unterminated { column: col + 1 });
            };
            let text: String = chars[start..end].iter().collect();
            out.push((Tok::Blob(decode_hex(&text)?), col));
            i = end + 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), col));
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push((Tok::Num(chars[start..i].iter().collect()), col));
        } else if c == '\'' {
            let mut bytes = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(ParseError::Unterminated { column: col }),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        bytes.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        bytes.push(ch);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Str(bytes.into_bytes()), col));
        } else if c == '"' {
            let Some(end) = (i + 1..chars.len()).find(|&j| chars[j] == '"') else {
                return Err(ParseError::Unterminated { column: col });
            };
            out.push((Tok::Ident(chars[i + 1..end].iter().collect()), col));
            i = end + 1;
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            if [">=", "<=", "<>", "!=", "=="].contains(&two.as_str()) {
                out.push((Tok::Punct(two), col));
                i += 2;
            } else {
                out.push((Tok::Punct(c.to_string()), col));
                i += 1;
            }
        }
    }
    Ok(out)
}

struct Sql {
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Sql {
    fn peek(&self) -> Option<&(Tok, usize)> {
        self.toks.get(self.pos)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some((Tok::Ident(s), _)) if s.eq_ignore_ascii_case(kw))
    }
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some((Tok::Punct(s), _)) if s == p)
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.pos += 1;
        }
        yes
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.pos += 1;
        }
        yes
    }
    fn expect_kw(&mut self, kw: &str) -> Result<(), ParseError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(sql_err(format!(
                "expected {kw}, found {}",
                describe(self.peek())
            )))
        }
    }
    fn expect_punct(&mut self, p: &str) -> Result<(), ParseError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(sql_err(format!(
                "expected '{p}', found {}",
                describe(self.peek())
            )))
        }
    }
    fn table(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            Some((Tok::Ident(s), _)) if s.eq_ignore_ascii_case("kv") => {
                self.pos += 1;
                Ok(())
            }
            Some((Tok::Ident(s), _)) => Err(sql_err(format!(
                "no table \"{}\" (the only table is kv)",
                s.chars().take(30).collect::<String>()
            ))),
            other => Err(sql_err(format!(
                "expected table kv, found {}",
                describe(other)
            ))),
        }
    }
    fn int(&mut self, what: &'static str) -> Result<i64, ParseError> {
        match self.peek().cloned() {
            Some((Tok::Num(s), _)) | Some((Tok::Ident(s), _)) => {
                self.pos += 1;
                parse_int(what, &s)
            }
            other => Err(sql_err(format!(
                "expected an integer {what}, found {}",
                describe(other.as_ref())
            ))),
        }
    }
    fn key_column(&mut self) -> Result<(), ParseError> {
        if self.eat_kw("key") {
            Ok(())
        } else {
            Err(sql_err(format!(
                "WHERE must test the key column, found {}",
                describe(self.peek())
            )))
        }
    }
    fn filter(&mut self) -> Result<KeyFilter, ParseError> {
        if !self.eat_kw("where") {
            return Ok(KeyFilter::All);
        }
        self.key_column()?;
        if self.eat_punct("=") || self.eat_punct("==") {
            return Ok(KeyFilter::Eq(self.int("key")?));
        }
        if self.eat_kw("between") {
            let a = self.int("key")?;
            self.expect_kw("and")?;
            let b = self.int("key")?;
            return Ok(KeyFilter::Between(a, b));
        }
        if self.eat_punct(">=") {
            let a = self.int("key")?;
            self.expect_kw("and")?;
            self.key_column()?;
            if !self.eat_punct("<") {
                return Err(sql_err(format!(
                    "expected '<' (key >= A AND key < B), found {}",
                    describe(self.peek())
                )));
            }
            let b = self.int("key")?;
            return Ok(KeyFilter::HalfOpen(a, b));
        }
        Err(sql_err(format!(
            "WHERE supports key = K, key BETWEEN A AND B, key >= A AND key < B; found {}",
            describe(self.peek())
        )))
    }
    fn limit(&mut self) -> Result<Option<u64>, ParseError> {
        if !self.eat_kw("limit") {
            return Ok(None);
        }
        match self.peek().cloned() {
            Some((Tok::Num(s), _)) | Some((Tok::Ident(s), _)) => {
                self.pos += 1;
                Ok(Some(limit_of(&s)?))
            }
            other => Err(ParseError::BadLimit {
                text: describe(other.as_ref()),
            }),
        }
    }
    fn end(&mut self) -> Result<(), ParseError> {
        self.eat_punct(";");
        match self.peek() {
            None => Ok(()),
            Some((Tok::Punct(p), col)) if p == ";" => Err(ParseError::Trailing {
                found: "';'".to_string(),
                column: *col,
            }),
            Some(t) if self.pos > 0 && self.toks[self.pos - 1].0 == Tok::Punct(";".into()) => {
                Err(ParseError::Trailing {
                    found: describe(Some(t)),
                    column: t.1,
                })
            }
            other => Err(sql_err(format!("unexpected {}", describe(other)))),
        }
    }
    fn value(&mut self) -> Result<Vec<u8>, ParseError> {
        match self.peek().cloned() {
            Some((Tok::Str(b), _)) | Some((Tok::Blob(b), _)) => {
                self.pos += 1;
                Ok(b)
            }
            Some((Tok::Num(s), _)) => {
                self.pos += 1;
                Ok(s.into_bytes())
            }
            other => Err(sql_err(format!(
                "expected a value 'text' or x'hex', found {}",
                describe(other.as_ref())
            ))),
        }
    }
}

fn parse_sql(input: &str) -> Result<Command, ParseError> {
    let toks = tokenize_sql(input)?;
    let mut p = Sql { toks, pos: 0 };
    if p.eat_kw("select") {
        let what = if p.eat_punct("*") {
            SelectWhat::All
        } else if p.eat_kw("key") {
            SelectWhat::Key
        } else if p.eat_kw("value") {
            SelectWhat::Value
        } else if p.eat_kw("count") {
            p.expect_punct("(")?;
            p.expect_punct("*")?;
            p.expect_punct(")")?;
            SelectWhat::Count
        } else {
            return Err(sql_err(format!(
                "SELECT takes *, key, value or COUNT(*), found {}",
                describe(p.peek())
            )));
        };
        if p.is_punct(",") {
            return Err(sql_err("select one column list: *, key, value or COUNT(*)"));
        }
        p.expect_kw("from")?;
        p.table()?;
        let filter = p.filter()?;
        let limit = p.limit()?;
        p.end()?;
        return Ok(Command::Select {
            what,
            filter,
            limit,
        });
    }
    let replace_into = p.eat_kw("replace");
    if replace_into || p.eat_kw("insert") {
        let mut replace = replace_into;
        if !replace_into && p.eat_kw("or") {
            if !p.eat_kw("replace") {
                return Err(sql_err(format!(
                    "only INSERT OR REPLACE is supported, found {}",
                    describe(p.peek())
                )));
            }
            replace = true;
        }
        p.expect_kw("into")?;
        p.table()?;
        if p.eat_punct("(") {
            p.expect_kw("key")?;
            p.expect_punct(",")?;
            p.expect_kw("value")?;
            p.expect_punct(")")?;
        }
        p.expect_kw("values")?;
        let mut rows = Vec::new();
        loop {
            p.expect_punct("(")?;
            let k = p.int("key")?;
            p.expect_punct(",")?;
            let v = p.value()?;
            p.expect_punct(")")?;
            rows.push((k, v));
            if !p.eat_punct(",") {
                break;
            }
        }
        p.end()?;
        return Ok(Command::Insert { replace, rows });
    }
    if p.eat_kw("delete") {
        p.expect_kw("from")?;
        p.table()?;
        let filter = p.filter()?;
        if filter == KeyFilter::All {
            return Err(sql_err(
                "DELETE needs WHERE key = K or WHERE key BETWEEN A AND B",
            ));
        }
        p.end()?;
        return Ok(Command::Delete { filter });
    }
    let first = match p.peek() {
        Some((Tok::Ident(s), _)) => s.to_ascii_uppercase(),
        _ => String::new(),
    };
    Err(sql_err(format!(
        "{} statements",
        first.chars().take(20).collect::<String>()
    )))
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
