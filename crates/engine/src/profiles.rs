//! Option profiles: the built-in ones (named sets of `name=value` pairs) and TOML profile
//! files, applied on top of a set of options. `.profile load NAME|FILE` and the
//! benchmarks' `--profile NAME|FILE` both resolve through [`resolve`].
use std::path::Path;

use serde::Serialize;

use super::options::{DbOptions, Opt};

/// A named set of option values shipped with alexdb.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub about: &'static str,
    /// `(option, value)` as `.set` takes them. Names this build does not know are
    /// skipped with a notice, so a list can name options that land later.
    pub pairs: &'static [(&'static str, &'static str)],
}

/// The original plan's tuning: the defaults of `options.rs` before issue 13, pinned here
/// so its figures stay reproducible whatever the defaults become.
const ORIGINAL_PLAN: &[(&str, &str)] = &[
    ("block_cache_size", "512MiB"),
    ("block_cache_type", "lru"),
    ("bloom_bits_per_key", "10"),
    ("block_size", "16KiB"),
    ("data_block_hash_index", "off"),
    ("cache_index_and_filter_blocks", "on"),
    ("pin_l0_filter_and_index_blocks", "on"),
    ("pin_index_and_filter_blocks", "all"),
    ("data_block_hash_ratio", "0.75"),
    ("compression", "lz4"),
    ("bottommost_compression", "zstd"),
    ("write_buffer_size", "256MiB"),
    ("max_write_buffer_number", "4"),
    ("level0_file_num_compaction_trigger", "4"),
    ("target_file_size_base", "64MiB"),
    ("max_bytes_for_level_base", "256MiB"),
    ("compaction_style", "level"),
    ("max_open_files", "-1"),
    ("max_background_jobs", "2"),
    ("use_direct_reads", "off"),
    ("allow_mmap_reads", "off"),
    // The original value cache: the lru crate, 100,000 entries. It was sized in entries
    // only, so the byte size (once it exists) is one the 100,000 entries never reach.
    ("value_cache_policy", "lru"),
    ("value_cache_size", "512MiB"),
    ("value_cache_entries", "100000"),
    ("value_cache_compression", "none"),
    ("warm_value_cache", "background"),
    // RocksDB's own defaults, which the original plan ran with.
    ("optimize_filters_for_hits", "off"),
    ("verify_checksums", "on"),
    ("bulk_load_method", "sst-ingest"),
    ("bulk_load_rows_per_file", "4000000"),
];

/// Every built-in profile, in the order `.profile list` shows them.
pub static BUILTINS: &[Builtin] = &[Builtin {
    name: "original-plan",
    about: "the original plan's tuning (512MiB block cache, lru value cache of 100000 \
            entries, bloom 10, 16KiB blocks, LZ4 + ZSTD bottommost, 256MiB write buffers)",
    pairs: ORIGINAL_PLAN,
}];

/// The built-in profile `name` (any case).
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS
        .iter()
        .find(|b| b.name.eq_ignore_ascii_case(name.trim()))
}

/// Which profile options came from, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedProfile {
    /// The built-in's name or the file's path as given.
    pub name: String,
    /// Options the profile names that this build does not have.
    pub skipped: Vec<String>,
}

impl AppliedProfile {
    /// A report's `profile` and `profile_skipped` fields.
    pub fn report_fields(p: &Option<AppliedProfile>) -> (Option<String>, Vec<String>) {
        match p {
            Some(p) => (Some(p.name.clone()), p.skipped.clone()),
            None => (None, Vec::new()),
        }
    }

    /// One notice per skipped option (empty when none was skipped).
    pub fn notices(&self) -> Vec<String> {
        self.skipped
            .iter()
            .map(|n| {
                format!(
                    "profile {}: skipped {n} (not an option of this build)",
                    self.name
                )
            })
            .collect()
    }
}

/// Why a profile could not be applied. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Neither a built-in name nor an existing file.
    #[error(
        "profile {name}: not a built-in profile ({}) and no such file",
        builtin_names()
    )]
    NotFound { name: String },
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The file or an entry in it is wrong.
    #[error("profile {path}: {why}; nothing changed")]
    Bad { path: String, why: String },
}

fn builtin_names() -> String {
    BUILTINS
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `base` with profile `name_or_path` applied: a built-in name, else a TOML file.
/// Validated as a whole; on error nothing is returned to apply.
pub fn resolve(
    name_or_path: &str,
    base: &DbOptions,
) -> Result<(DbOptions, AppliedProfile), ProfileError> {
    let mut opts = base.clone();
    if let Some(b) = builtin(name_or_path) {
        let skipped = apply_pairs(b.pairs, &mut opts).map_err(|why| ProfileError::Bad {
            path: b.name.to_string(),
            why,
        })?;
        let name = b.name.to_string();
        return Ok((opts, AppliedProfile { name, skipped }));
    }
    let path = name_or_path.to_string();
    let text = std::fs::read_to_string(Path::new(name_or_path)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ProfileError::NotFound { name: path.clone() },
        _ => ProfileError::Read {
            path: path.clone(),
            source: e,
        },
    })?;
    apply_toml(&text, &mut opts).map_err(|why| ProfileError::Bad {
        path: path.clone(),
        why,
    })?;
    let skipped = Vec::new();
    Ok((
        opts,
        AppliedProfile {
            name: path,
            skipped,
        },
    ))
}

/// Sets every pair on `opts` (then validates); returns the names this build lacks.
fn apply_pairs(pairs: &[(&str, &str)], opts: &mut DbOptions) -> Result<Vec<String>, String> {
    let mut skipped = Vec::new();
    for (name, value) in pairs {
        if Opt::from_name(name).is_none() {
            skipped.push(name.to_string());
            continue;
        }
        opts.set_unvalidated(name, value)
            .map_err(|e| e.to_string())?;
    }
    opts.validate().map_err(|e| e.to_string())?;
    Ok(skipped)
}

/// Applies a TOML profile (`[options]` table, or the pairs at top level) to `opts`,
/// checking every entry; the error names the first bad one.
pub fn apply_toml(text: &str, opts: &mut DbOptions) -> Result<(), String> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let table = match doc.get("options") {
        Some(toml::Value::Table(t)) => t,
        Some(_) => return Err("[options] is not a table".into()),
        None => &doc,
    };
    let mut next = opts.clone();
    for (k, v) in table {
        let value = match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
            other => return Err(format!("{k} has a {} value", other.type_str())),
        };
        next.set_unvalidated(k, &value).map_err(|e| e.to_string())?;
    }
    next.validate().map_err(|e| e.to_string())?;
    *opts = next;
    Ok(())
}
