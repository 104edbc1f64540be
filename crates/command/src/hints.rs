//! The shell's own words around the engine's texts. The engine names no command and no
//! dashboard key; this is where an error gets the command that helps next, and where an
//! option's help names the dashboard's F-keys and the commands that act on it.
use engine::DbError;
use engine::profiles::ProfileError;

/// What follows an engine error: which command helps next ("" when none does).
pub fn db_hint(e: &DbError) -> &'static str {
    match e {
        DbError::UnknownOption { .. } => " (.show options lists them)",
        DbError::Closed { .. } => "; open it again with .open",
        DbError::Damaged { .. } => "; run .check",
        DbError::OpenOnly { .. } => " (.open)",
        DbError::Rocks { context, message } => write_stopped_hint(context, message),
        _ => "",
    }
}

/// After a failed write (a full disk, a read-only or vanished file) RocksDB refuses
/// every later write until it is reopened: say how to get out (issue 17, bug 6).
fn write_stopped_hint(context: &str, message: &str) -> &'static str {
    const WRITES: [&str; 6] = [
        "write a value",
        "delete a key",
        "write a batch",
        "flush the memtable",
        "compact the database",
        "sync the write-ahead log",
    ];
    // A bulk load writes its SST files outside RocksDB, which keeps taking writes.
    let load_file = context.ends_with("a bulk-load SST file");
    if message.contains("No space left on device") && load_file {
        "; free space on its disk, then retry"
    } else if message.contains("No space left on device") {
        "; free space on its disk, then run .reopen (writes stay stopped until then)"
    } else if message.contains("IO error") && WRITES.contains(&context) {
        "; fix the cause, then run .reopen (writes stay stopped until then)"
    } else {
        ""
    }
}

/// What follows a profile error: where the built-in names are listed.
pub fn profile_hint(e: &ProfileError) -> &'static str {
    match e {
        ProfileError::NotFound { .. } => "; .profile list shows the built-ins",
        _ => "",
    }
}

/// The dashboard's panes and their keys.
pub const PANE_KEYS: [(&str, &str); 7] = [
    ("Throughput", "F2"),
    ("Latency", "F3"),
    ("Get split", "F4"),
    ("Cache", "F5"),
    ("Memory", "F6"),
    ("LSM", "F7"),
    ("Options", "F8"),
];

/// The engine's neutral phrases in an option's help, and the shell's words for them.
const OPTION_WORDS: [(&str, &str); 3] = [
    ("a full compaction rewrites", ".compact rewrites"),
    ("the next bulk load", "the next .load"),
    (
        "the value cache's miss-ratio curve",
        "the value cache's miss-ratio curve (.mrc)",
    ),
];

/// An option's help line or kind meaning with the shell's command names.
pub fn option_words(text: &str) -> String {
    OPTION_WORDS
        .iter()
        .fold(text.to_string(), |t, (neutral, shell)| {
            t.replace(neutral, shell)
        })
}

/// An option's "what to watch" text as `.help OPTION` shows it: each pane named with
/// its key ("F5 Cache: ..."), and the shell's command names.
pub fn watch_words(text: &str) -> String {
    let clauses: Vec<String> = option_words(text)
        .split("; ")
        .map(|c| match pane_at(c) {
            Some((key, name)) => {
                let rest = &c[name.len()..];
                match rest.strip_prefix(" and ").and_then(pane_at) {
                    Some((key2, _)) => format!("{key} {name} and {key2} {}", &rest[5..]),
                    None => format!("{key} {c}"),
                }
            }
            None => c.to_string(),
        })
        .collect();
    clauses.join("; ")
}

/// The key and name of the pane `text` starts with, as a whole word.
fn pane_at(text: &str) -> Option<(&'static str, &'static str)> {
    PANE_KEYS.iter().find_map(|&(name, key)| {
        let rest = text.strip_prefix(name)?;
        let whole = rest.is_empty() || rest.starts_with([':', ' ']);
        whole.then_some((key, name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_texts_get_their_pane_keys_and_command_names() {
        assert_eq!(
            watch_words("Cache: block-cache hit rate; Memory: bcache"),
            "F5 Cache: block-cache hit rate; F6 Memory: bcache"
        );
        assert_eq!(
            watch_words("Throughput and Latency: ops/s and p99 right after the change"),
            "F2 Throughput and F3 Latency: ops/s and p99 right after the change"
        );
        assert_eq!(
            watch_words(
                "Cache: block-cache and bloom figures as new files replace old ones \
                 (a full compaction rewrites them all); Latency: get p99"
            ),
            "F5 Cache: block-cache and bloom figures as new files replace old ones \
             (.compact rewrites them all); F3 Latency: get p99"
        );
        assert_eq!(
            watch_words("Throughput: rows/s of the next bulk load"),
            "F2 Throughput: rows/s of the next .load"
        );
        assert_eq!(
            watch_words("Get split: where a get spends its time; Options: shows it"),
            "F4 Get split: where a get spends its time; F8 Options: shows it"
        );
    }

    #[test]
    fn a_word_that_only_starts_with_a_pane_name_gets_no_key() {
        assert_eq!(watch_words("Caches: cold"), "Caches: cold");
        assert_eq!(watch_words("the Cache pane"), "the Cache pane");
    }

    #[test]
    fn errors_get_the_command_that_helps() {
        let damaged = DbError::Damaged {
            key: 5,
            first: 1,
            last: 9,
        };
        assert_eq!(db_hint(&damaged), "; run .check");
        let open_only = DbError::OpenOnly {
            name: "value_cache_shards".into(),
        };
        assert_eq!(db_hint(&open_only), " (.open)");
        let not_found = ProfileError::NotFound { name: "x".into() };
        assert_eq!(
            profile_hint(&not_found),
            "; .profile list shows the built-ins"
        );
    }
}
