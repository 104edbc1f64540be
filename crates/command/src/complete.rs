//! Tab completion and inline hints for an input line: plain functions over the command
//! tables, so the line shell (rustyline) and the dashboard's input line complete alike.
use std::path::Path;

use super::parse::{COMMAND_NAMES, DOT_COMMAND_NAMES, MODE_NAMES, SQL_KEYWORDS, usage};
use super::spec::ALL_NAMES;
use engine::DbOptions;
use engine::options::{Applies, Opt, value_choices};

/// First words that start a supported SQL statement.
const SQL_FIRST: &[&str] = &["SELECT", "INSERT", "DELETE", "REPLACE"];

/// Dot-commands whose argument is an option name (the runtime option commands).
const OPTION_COMMANDS: &[&str] = &[".set", ".reset"];
/// Dot-commands whose argument is a file or directory path.
const PATH_COMMANDS: &[&str] = &[".read", ".output", ".open"];

/// Completions of the word that ends at byte `pos` of `line`: the byte offset where that
/// word starts and the candidates (sorted, each a whole replacement for the word).
pub fn complete(line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = floor_char_boundary(line, pos);
    let before = &line[..pos];
    // Only the statement under the cursor matters.
    let stmt_start = before.rfind(';').map_or(0, |i| i + 1);
    let stmt = &before[stmt_start..];
    let word_start = stmt
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == ',')
        .map_or(0, |i| i + 1);
    let word = &stmt[word_start..];
    let start = stmt_start + word_start;
    let words: Vec<&str> = stmt[..word_start].split_whitespace().collect();

    let Some(first) = words.first() else {
        let mut c: Vec<String> = COMMAND_NAMES
            .iter()
            .chain(DOT_COMMAND_NAMES.iter())
            .map(|s| s.to_string())
            .chain(SQL_FIRST.iter().map(|k| keyword_case(k, word)))
            .filter(|c| starts_with_ci(c, word))
            .collect();
        c.sort();
        c.dedup();
        return (start, c);
    };
    (
        start,
        complete_args(&first.to_ascii_lowercase(), &words, word),
    )
}

/// Completions of `word`, an argument of the statement whose words before it are
/// `words` (`first` is the first of them, in lower case).
fn complete_args(first: &str, words: &[&str], word: &str) -> Vec<String> {
    let arg_index = words.len() - 1;
    let pick = |list: &[&str]| -> Vec<String> {
        let mut c: Vec<String> = list
            .iter()
            .filter(|s| starts_with_ci(s, word))
            .map(|s| s.to_string())
            .collect();
        c.sort();
        c
    };
    match first {
        ".mode" if arg_index == 0 => pick(MODE_NAMES),
        ".timer" | ".stats" if arg_index == 0 => pick(&["on", "off"]),
        ".help" if arg_index == 0 => pick(&ALL_NAMES),
        f if OPTION_COMMANDS.contains(&f) && arg_index == 0 => {
            let mut names: Vec<&str> = DbOptions::NAMES.to_vec();
            if f == ".reset" {
                names.push("all");
            }
            pick(&names)
        }
        ".set" if arg_index == 1 => pick(&value_choices(words[1])),
        ".ycsb" if word.starts_with("--") => pick(YCSB_FLAGS),
        ".sweep" if word.starts_with("--") => pick(SWEEP_FLAGS),
        ".sweep" => match sweep_place(&words[1..]) {
            SweepPlace::Option => pick(&sweep_option_names()),
            SweepPlace::Value(opt) => pick(&value_choices(opt)),
            SweepPlace::Other => Vec::new(),
        },
        ".show" if arg_index == 0 => pick(&["options"]),
        ".load" if arg_index == 0 => pick(&[
            "sequential",
            "random",
            "lognormal",
            "timestamps",
            "csv",
            "sosd",
        ]),
        ".load" if arg_index == 1 && matches!(words[1], "csv" | "sosd") => complete_path(word),
        ".bench" if arg_index == 0 => pick(&["profile", "vs-sqlite", "ycsb", "index"]),
        ".ycsb" if arg_index == 0 => pick(&["a", "b", "c", "d", "e", "f"]),
        ".profile" if arg_index == 0 => pick(&["list", "save", "load"]),
        ".mrc" if arg_index == 0 => pick(&["reset"]),
        ".lsm" if arg_index == 0 => pick(&["--json"]),
        ".property" if arg_index == 0 => {
            let names = property_names();
            pick(&names.iter().map(String::as_str).collect::<Vec<_>>())
        }
        ".profile" if arg_index == 1 && words[1].eq_ignore_ascii_case("load") => {
            let names: Vec<&str> = engine::profiles::BUILTINS.iter().map(|b| b.name).collect();
            let mut c = pick(&names);
            c.extend(complete_path(word));
            c
        }
        ".options" if arg_index == 0 => pick(&["export"]),
        ".options" if arg_index == 2 => pick(&["--format"]),
        ".options" if arg_index == 3 => pick(&["rocksdb", "tikv", "myrocks", "kvrocks"]),
        ".advise" if arg_index == 0 => pick(&["apply", "undo"]),
        ".baseline" if arg_index == 0 => pick(&["save", "list", "drop"]),
        ".trace" if arg_index == 0 => pick(&["start", "stop"]),
        ".trace" if arg_index == 1 => complete_path(word),
        ".replay" if arg_index == 0 => complete_path(word),
        ".export" if arg_index == 0 => pick(&["metrics", "screen"]),
        ".profile" | ".options" | ".export" if arg_index == 1 => complete_path(word),
        f if PATH_COMMANDS.contains(&f) && arg_index == 0 => complete_path(word),
        "scan" if arg_index == 2 => pick(&["limit"]),
        f if SQL_FIRST.iter().any(|k| k.eq_ignore_ascii_case(f)) => {
            let mut c: Vec<String> = SQL_KEYWORDS
                .iter()
                .map(|k| keyword_case(k, word))
                .filter(|k| starts_with_ci(k, word))
                .collect();
            c.sort();
            c
        }
        _ => Vec::new(),
    }
}

/// RocksDB's documented property names (`DB::Properties` in its db.h); a `{N}` stands
/// for a level and is offered for levels 0 to 6.
pub const PROPERTY_NAMES: &[&str] = &[
    "rocksdb.num-files-at-level{N}",
    "rocksdb.compression-ratio-at-level{N}",
    "rocksdb.aggregated-table-properties-at-level{N}",
    "rocksdb.stats",
    "rocksdb.sstables",
    "rocksdb.cfstats",
    "rocksdb.cfstats-no-file-histogram",
    "rocksdb.cf-file-histogram",
    "rocksdb.cf-write-stall-stats",
    "rocksdb.db-write-stall-stats",
    "rocksdb.dbstats",
    "rocksdb.levelstats",
    "rocksdb.block-cache-entry-stats",
    "rocksdb.fast-block-cache-entry-stats",
    "rocksdb.num-immutable-mem-table",
    "rocksdb.num-immutable-mem-table-flushed",
    "rocksdb.mem-table-flush-pending",
    "rocksdb.num-running-flushes",
    "rocksdb.compaction-pending",
    "rocksdb.num-running-compactions",
    "rocksdb.background-errors",
    "rocksdb.cur-size-active-mem-table",
    "rocksdb.cur-size-all-mem-tables",
    "rocksdb.size-all-mem-tables",
    "rocksdb.num-entries-active-mem-table",
    "rocksdb.num-entries-imm-mem-tables",
    "rocksdb.num-deletes-active-mem-table",
    "rocksdb.num-deletes-imm-mem-tables",
    "rocksdb.estimate-num-keys",
    "rocksdb.estimate-table-readers-mem",
    "rocksdb.is-file-deletions-enabled",
    "rocksdb.num-snapshots",
    "rocksdb.oldest-snapshot-time",
    "rocksdb.oldest-snapshot-sequence",
    "rocksdb.num-live-versions",
    "rocksdb.current-super-version-number",
    "rocksdb.estimate-live-data-size",
    "rocksdb.min-log-number-to-keep",
    "rocksdb.min-obsolete-sst-number-to-keep",
    "rocksdb.total-sst-files-size",
    "rocksdb.live-sst-files-size",
    "rocksdb.obsolete-sst-files-size",
    "rocksdb.base-level",
    "rocksdb.estimate-pending-compaction-bytes",
    "rocksdb.aggregated-table-properties",
    "rocksdb.actual-delayed-write-rate",
    "rocksdb.is-write-stopped",
    "rocksdb.estimate-oldest-key-time",
    "rocksdb.block-cache-capacity",
    "rocksdb.block-cache-usage",
    "rocksdb.block-cache-pinned-usage",
    "rocksdb.options-statistics",
    "rocksdb.num-blob-files",
    "rocksdb.blob-stats",
    "rocksdb.total-blob-file-size",
    "rocksdb.live-blob-file-size",
    "rocksdb.live-blob-file-garbage-size",
    "rocksdb.blob-cache-capacity",
    "rocksdb.blob-cache-usage",
    "rocksdb.blob-cache-pinned-usage",
];

/// [`PROPERTY_NAMES`] with each per-level name spelled out for levels 0 to 6.
pub fn property_names() -> Vec<String> {
    PROPERTY_NAMES
        .iter()
        .flat_map(|n| match n.strip_suffix("{N}") {
            Some(stem) => (0..7).map(|l| format!("{stem}{l}")).collect(),
            None => vec![n.to_string()],
        })
        .collect()
}

/// Grey text to show after the cursor: the rest of a uniquely typed command name and its
/// arguments' usage, e.g. `sc` -> `an A B [limit N]`. `None` once arguments are typed.
pub fn hint(line: &str) -> Option<String> {
    if line.contains(';') || line.contains('\n') {
        return None;
    }
    let trimmed = line.trim_start();
    let word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let (word, rest) = trimmed.split_at(word_end);
    if word.is_empty() || !rest.trim().is_empty() {
        return None;
    }
    let names: Vec<&str> = ALL_NAMES
        .iter()
        .copied()
        .filter(|n| starts_with_ci(n, word))
        .collect();
    let [name] = names.as_slice() else {
        return None;
    };
    let u = usage(name)?;
    // The usage minus the name itself (SQL usages start with the keyword upper-cased).
    let args = u.get(name.len()..).unwrap_or("");
    if rest.is_empty() {
        let tail = &name[word.len()..];
        Some(format!("{tail}{args}"))
    } else {
        Some(args.trim_start().to_string()).filter(|s| !s.is_empty())
    }
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// SQL keywords complete in the case the user started typing (upper if the word so far
/// starts upper-case or is empty, else lower).
fn keyword_case(k: &str, typed: &str) -> String {
    match typed.chars().next() {
        Some(c) if c.is_ascii_lowercase() => k.to_ascii_lowercase(),
        _ => k.to_string(),
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// File names that extend `word` (directories end with `/`).
fn complete_path(word: &str) -> Vec<String> {
    let (dir, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let read_from = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let Ok(entries) = std::fs::read_dir(read_from) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let slash = if e.file_type().ok()?.is_dir() {
                "/"
            } else {
                ""
            };
            Some(format!("{dir}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
}

/// The flags of `.ycsb` and of `.sweep`.
const YCSB_FLAGS: &[&str] = &[
    "--workload",
    "--records",
    "--ops",
    "--duration",
    "--threads",
    "--distribution",
    "--value-size",
    "--seed",
    "--on-my-data",
];
const SWEEP_FLAGS: &[&str] = &[
    "--workload",
    "--duration",
    "--distribution",
    "--threads",
    "--warmup",
    "--seed",
    "--plot",
    "--on-my-data",
];

/// The options `.sweep` accepts: not one that applies only at open, nor a durability
/// option (`wal`, `sync`, `wal_recovery_mode`), which it refuses.
fn sweep_option_names() -> Vec<&'static str> {
    DbOptions::NAMES
        .iter()
        .copied()
        .filter(|n| {
            Opt::from_name(n).is_some_and(|o| !o.is_durability() && o.applies() != Applies::AtOpen)
        })
        .collect()
}

/// What the word under the cursor is in `.sweep OPT V,V x OPT2 V,V`.
enum SweepPlace<'a> {
    Option,
    /// A value of this option (also after a comma).
    Value(&'a str),
    Other,
}

/// `args`: the words before the cursor's word; one ending with `,` is part of a value
/// list that the cursor's word continues.
fn sweep_place<'a>(args: &[&'a str]) -> SweepPlace<'a> {
    let done: Vec<&str> = args.iter().copied().filter(|w| !w.ends_with(',')).collect();
    match done.len() {
        0 | 3 => SweepPlace::Option,
        1 | 4 => SweepPlace::Value(done[done.len() - 1]),
        _ => SweepPlace::Other,
    }
}
