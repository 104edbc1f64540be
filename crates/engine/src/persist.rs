//! The options in force, kept in the database directory so they survive a restart.
//!
//! `alexdb-options.json` holds `{"version":1,"options":{name: value-as-text}}` with the
//! options that differ from the defaults (canonical names), so a later alexdb's better
//! defaults still reach what the user never chose. It is replaced atomically (temp file,
//! fsync, rename, fsync of the directory) whenever the options in force change. A
//! database without it (an older alexdb) opens with the defaults. A damaged file is
//! used as far as it is valid, with one warning line per problem; it never stops an open.
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::error::DbError;
use super::options::{DbOptions, Opt};

/// The file's name in the database directory.
pub const OPTIONS_FILE: &str = "alexdb-options.json";
/// Written first, then renamed over [`OPTIONS_FILE`]; a leftover one (a crash between
/// the two) is ignored and overwritten by the next save.
pub const OPTIONS_TEMP_FILE: &str = "alexdb-options.json.tmp";
/// The format this alexdb writes and reads.
pub const OPTIONS_FILE_VERSION: u64 = 1;

/// Options that belong to one open, not to the database, so are never saved:
/// `create_if_missing` only decides whether an open may create the database, and
/// `wal_recovery_mode` is a choice made to get past one damaged log (saved, a lenient
/// mode would drop writes silently at every later open).
pub const NOT_SAVED: [Opt; 2] = [Opt::CreateIfMissing, Opt::WalRecoveryMode];

/// Where an option in force at open came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The saved options file.
    File,
    /// The opener's own settings (the shell's `--set`).
    Override,
}

/// What an open made of the saved options, for the line a front end prints at open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StartReport {
    /// Options that differ from the defaults: name, value, where it came from.
    pub changed: Vec<(&'static str, String, Origin)>,
    /// One line per problem with the saved file (or with saving it).
    pub warnings: Vec<String>,
}

/// The saved options as read: what of them is usable, and what was wrong.
#[derive(Debug, Clone, Default)]
pub struct Saved {
    pub options: DbOptions,
    pub warnings: Vec<String>,
}

/// Reads the saved options of the database in `dir` (the defaults when there is no
/// file). Never fails: a problem is a warning, and the file is used as far as valid.
pub fn load(dir: &Path) -> Saved {
    let mut saved = Saved::default();
    let text = match fs::read_to_string(dir.join(OPTIONS_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return saved,
        Err(e) => {
            saved
                .warnings
                .push(ignored(&format!("cannot be read ({e})")));
            return saved;
        }
    };
    match entries(&text) {
        Ok(map) => apply_entries(&mut saved, &map),
        Err(why) => saved.warnings.push(ignored(&why)),
    }
    saved
}

/// The warning for a file that is not used at all.
fn ignored(why: &str) -> String {
    format!(
        "{OPTIONS_FILE} {why}; ignored, the defaults are used (the next option change replaces it)"
    )
}

/// The `options` object of a file in the known format, or why it is not one.
fn entries(text: &str) -> Result<Map<String, Json>, String> {
    let doc: Json = serde_json::from_str(text).map_err(|e| format!("is not valid JSON ({e})"))?;
    match doc.get("version").and_then(Json::as_u64) {
        Some(OPTIONS_FILE_VERSION) => {}
        Some(v) => return Err(format!("has version {v}, which this alexdb does not know")),
        None => return Err("has no version number".to_string()),
    }
    match doc.get("options") {
        Some(Json::Object(m)) => Ok(m.clone()),
        _ => Err("has no \"options\" object".to_string()),
    }
}

/// Sets each entry; a bad one is skipped with a warning naming it.
fn apply_entries(saved: &mut Saved, map: &Map<String, Json>) {
    for (name, value) in map {
        let Some(text) = value.as_str() else {
            saved.warnings.push(skipped(name, "its value is not text"));
            continue;
        };
        if Opt::from_name(name).is_some_and(|o| NOT_SAVED.contains(&o)) {
            saved
                .warnings
                .push(skipped(name, "it is not kept between opens"));
            continue;
        }
        // One option at a time: each must be valid on its own.
        if let Err(e) = saved.options.set(name, text) {
            saved.warnings.push(skipped(name, &e.to_string()));
        }
    }
}

fn skipped(name: &str, why: &str) -> String {
    format!("{OPTIONS_FILE}: option {name} skipped: {why}")
}

/// The options to open with: the saved ones, then `sets` (name, value) over them.
/// A bad entry of `sets` is an error (the opener asked for it); the file never is.
pub fn start_options(
    dir: &Path,
    sets: &[(String, String)],
) -> Result<(DbOptions, StartReport), DbError> {
    let saved = load(dir);
    let mut opts = saved.options;
    let mut overridden = Vec::new();
    for (name, value) in sets {
        overridden.push(opts.set(name, value)?);
    }
    let defaults = DbOptions::default();
    let changed = defaults
        .diff(&opts)
        .into_iter()
        .map(|o| {
            let origin = match overridden.contains(&o.name()) {
                true => Origin::Override,
                false => Origin::File,
            };
            (o.name(), opts.text(o), origin)
        })
        .collect();
    let report = StartReport {
        changed,
        warnings: saved.warnings,
    };
    Ok((opts, report))
}

/// The options whose sizes make up the caches' memory ([`DbOptions::cache_memory`]).
const MEMORY_OPTIONS: [Opt; 5] = [
    Opt::BlockCacheSize,
    Opt::ValueCacheSize,
    Opt::ValueCacheEntries,
    Opt::WriteBufferSize,
    Opt::MaxWriteBufferNumber,
];

/// An open refused for its caches' memory (`refusal`) names the saved options file and
/// the `--set` that overrides each option taken from it that adds to that memory (one
/// whose default would take less): without that, a saved option blocks every later open
/// with no hint where it comes from.
pub(crate) fn name_saved_memory_options(
    refusal: DbError,
    dir: &Path,
    opts: &DbOptions,
    report: &StartReport,
) -> DbError {
    let DbError::Refused(msg) = refusal else {
        return refusal;
    };
    let defaults = DbOptions::default();
    let adds_memory = |o: Opt| {
        let mut lower = opts.clone();
        lower.set(o.name(), &defaults.text(o)).is_ok() && lower.cache_memory() < opts.cache_memory()
    };
    let from_file: Vec<&(&str, String, Origin)> = report
        .changed
        .iter()
        .filter(|(name, _, origin)| {
            *origin == Origin::File
                && MEMORY_OPTIONS
                    .iter()
                    .any(|&o| o.name() == *name && adds_memory(o))
        })
        .collect();
    if from_file.is_empty() {
        return DbError::Refused(msg);
    }
    let saved: Vec<String> = from_file
        .iter()
        .map(|(n, v, _)| format!("{n}={v}"))
        .collect();
    let overrides: Vec<String> = from_file
        .iter()
        .map(|(n, _, _)| format!("--set {n}=VALUE"))
        .collect();
    let base = msg.strip_suffix("; nothing changed").unwrap_or(&msg);
    DbError::Refused(format!(
        "{base}; not opened: {} (saved in {}); open with {} to override (or edit that file)",
        saved.join(", "),
        dir.join(OPTIONS_FILE).display(),
        overrides.join(" ")
    ))
}

/// The file's text for `opts`: the options that differ from the defaults.
pub fn encode(opts: &DbOptions) -> String {
    let defaults = DbOptions::default();
    let options: Map<String, Json> = defaults
        .diff(opts)
        .into_iter()
        .filter(|o| !NOT_SAVED.contains(o))
        .map(|o| (o.name().to_string(), Json::String(opts.text(o))))
        .collect();
    let doc = serde_json::json!({ "version": OPTIONS_FILE_VERSION, "options": options });
    // A map of strings always encodes; the fallback is never used.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Replaces the saved options of the database in `dir` with `opts`, atomically: a
/// crash leaves either the old file or the new one, never a torn one.
pub fn save(dir: &Path, opts: &DbOptions) -> Result<(), DbError> {
    let tmp = dir.join(OPTIONS_TEMP_FILE);
    let dest = dir.join(OPTIONS_FILE);
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(encode(opts).as_bytes())?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, &dest)?;
        // The rename is durable only once the directory itself is synced.
        File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        // Best effort: a leftover temp file is ignored anyway.
        let _ = fs::remove_file(&tmp);
        DbError::io(&dest)(e)
    })
}

/// Saves `opts` unless the saved file already gives exactly them (an open with the
/// options it read, or a database left at the defaults, writes nothing).
pub fn save_if_changed(dir: &Path, opts: &DbOptions) -> Result<(), DbError> {
    let saved = load(dir);
    let same = Opt::ALL
        .iter()
        .filter(|o| !NOT_SAVED.contains(o))
        .all(|&o| saved.options.value(o) == opts.value(o));
    if same {
        return Ok(());
    }
    save(dir, opts)
}
