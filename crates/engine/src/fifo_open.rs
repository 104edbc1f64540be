//! The FIFO check of an open (issue 27): the same refusal as a live change
//! (`live.rs`, `check_fifo`) for an open that would make FIFO delete rows at once.
//!
//! FIFO compaction deletes the oldest table files once the database passes
//! `fifo_max_size`. A live `.set compaction_style fifo`, or lowering the limit, is
//! refused while the database holds that much; an open with those options (`--set`, the
//! shell's `.open`, or the same in `alexdb-options.json`) must be refused too, before
//! RocksDB opens and starts deleting. What the database ran with before comes from the
//! newest OPTIONS file RocksDB wrote in its directory (at every open and live change),
//! so the check holds for a hand-edited options file and for a database alexdb never
//! opened. A database already in FIFO, opened again with the same or a larger limit,
//! passes whatever its size (FIFO keeps it near the limit, and a close can leave it a
//! flush past it).
use std::fs;
use std::path::Path;

use super::error::DbError;
use super::options::{CompactionStyle, DbOptions, Opt, format_size};
use super::persist::{OPTIONS_FILE, Origin, StartReport};

/// The compaction RocksDB's newest OPTIONS file in a directory records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// Not FIFO, or no OPTIONS file (a new database, or none RocksDB could read).
    NotFifo,
    /// FIFO with this `max_table_files_size` (`u64::MAX` when the file does not say).
    Fifo(u64),
}

/// Refuses to open the database in `path` with `opts` when that would make FIFO delete
/// rows at once: entering FIFO, or lowering its limit, with the database's files already
/// at or past `fifo_max_size`. `report` says where the options came from, to name the
/// fix. Nothing in the directory is changed.
pub(super) fn check(path: &Path, opts: &DbOptions, report: &StartReport) -> Result<(), DbError> {
    if opts.compaction_style != CompactionStyle::Fifo {
        return Ok(());
    }
    let limit = opts.fifo_max_size as u64;
    let before = before(path);
    let verb = match before {
        Before::NotFifo => "fifo compaction".to_string(),
        Before::Fifo(was) if limit < was => {
            format!(
                "lowering fifo_max_size to {}",
                format_size(opts.fifo_max_size)
            )
        }
        Before::Fifo(_) => return Ok(()),
    };
    let size = bytes_on_disk(path);
    if limit > size {
        return Ok(());
    }
    let from_file = |o: Opt| {
        report
            .changed
            .iter()
            .any(|(n, _, origin)| *n == o.name() && *origin == Origin::File)
    };
    let in_file: Vec<&str> = [Opt::CompactionStyle, Opt::FifoMaxSize]
        .into_iter()
        .filter(|&o| from_file(o))
        .map(Opt::name)
        .collect();
    let file_fix = if in_file.is_empty() {
        String::new()
    } else {
        format!(
            ", or remove {} from {}",
            in_file.join(" and "),
            path.join(OPTIONS_FILE).display()
        )
    };
    // The next whole MiB above what the database holds.
    let suggest = ((size >> 20) + 1) as usize * (1 << 20);
    let without = match before {
        Before::NotFifo => " (or without compaction_style=fifo)",
        Before::Fifo(_) => "",
    };
    Err(DbError::Refused(format!(
        "{verb} refused at open: FIFO deletes the oldest files once the database passes \
         fifo_max_size ({}), and {} already holds {}; nothing was changed: open with \
         --set fifo_max_size={}{without}{file_fix}",
        format_size(opts.fifo_max_size),
        path.display(),
        human(size),
        format_size(suggest),
    )))
}

/// What RocksDB's newest OPTIONS file in `dir` says about FIFO.
fn before(dir: &Path) -> Before {
    let newest = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix("OPTIONS-")?.parse::<u64>().ok()?;
            Some((n, e.path()))
        });
    match newest.max_by_key(|(n, _)| *n) {
        Some((_, file)) => fs::read_to_string(file).map_or(Before::NotFifo, |t| parse(&t)),
        None => Before::NotFifo,
    }
}

/// Reads the default column family's compaction style and FIFO limit from the text of
/// an OPTIONS file (`compaction_style=kCompactionStyleFIFO`,
/// `compaction_options_fifo={...;max_table_files_size=N;...}`).
fn parse(text: &str) -> Before {
    let mut in_default = false;
    let (mut fifo, mut limit) = (false, None);
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_default = line == "[CFOptions \"default\"]";
            continue;
        }
        if !in_default {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim() {
            "compaction_style" => fifo = value.trim() == "kCompactionStyleFIFO",
            "compaction_options_fifo" => {
                limit = value
                    .trim()
                    .trim_start_matches('{')
                    .trim_end_matches('}')
                    .split(';')
                    .filter_map(|kv| kv.split_once('='))
                    .find(|(k, _)| k.trim() == "max_table_files_size")
                    .and_then(|(_, v)| v.trim().parse().ok());
            }
            _ => {}
        }
    }
    match fifo {
        true => Before::Fifo(limit.unwrap_or(u64::MAX)),
        false => Before::NotFifo,
    }
}

/// Bytes of the table files and write-ahead logs in `dir`: what FIFO counts once the
/// logs are flushed (the live check counts table files and memtables).
fn bytes_on_disk(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".sst") || name.ends_with(".log")
        })
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// A size for a person: `12.8MiB`.
fn human(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        n if n >= 1 << 30 => format!("{:.1}GiB", b / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1}MiB", b / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1}KiB", b / 1024.0),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_files_say_whether_the_database_was_fifo() {
        let level = "[Version]\n  rocksdb_version=11.8.1\n[DBOptions]\n  max_open_files=-1\n\
                     [CFOptions \"default\"]\n  compaction_style=kCompactionStyleLevel\n  \
                     compaction_options_fifo={allow_compaction=false;max_table_files_size=1073741824;}\n";
        assert_eq!(parse(level), Before::NotFifo);
        let fifo = "[CFOptions \"default\"]\n  compaction_options_fifo={file_temperature_age_thresholds=;\
                    allow_compaction=false;max_table_files_size=4194304;age_for_warm=0;}\n  \
                    compaction_style=kCompactionStyleFIFO\n[TableOptions/BlockBasedTable \"default\"]\n";
        assert_eq!(parse(fifo), Before::Fifo(4 << 20));
        let no_limit = "[CFOptions \"default\"]\ncompaction_style=kCompactionStyleFIFO\n";
        assert_eq!(parse(no_limit), Before::Fifo(u64::MAX));
        let other_cf = "[CFOptions \"other\"]\ncompaction_style=kCompactionStyleFIFO\n";
        assert_eq!(parse(other_cf), Before::NotFifo);
        assert_eq!(parse(""), Before::NotFifo);
    }

    #[test]
    fn sizes_read_for_a_person() {
        assert_eq!(human(13_421_772), "12.8MiB");
        assert_eq!(human(3 << 30), "3.0GiB");
        assert_eq!(human(2048), "2.0KiB");
        assert_eq!(human(12), "12 bytes");
    }
}
