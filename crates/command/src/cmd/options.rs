//! `.options export FILE [--format rocksdb|tikv|myrocks|kvrocks]`: RocksDB's own OPTIONS
//! file for the current settings, or another store's configuration (`crate::export`).
use std::path::Path;

use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, OptionsFormat, ParseError};
use crate::exec::Executor;
use crate::export::{self, Target};
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".options",
    ".options export FILE [--format rocksdb|tikv|myrocks|kvrocks]",
    "write RocksDB's own OPTIONS file for the current settings, or a TiKV, MyRocks or Kvrocks config",
    Family::Options,
);
pub const ENTRY: Entry = words(SPEC, ".options export tikv.toml --format tikv", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    arity(&SPEC, argc == 2 || argc == 4, "2 or 4 arguments", argc)?;
    if !args[0].text().eq_ignore_ascii_case("export") {
        return Err(bad_arg(
            &SPEC,
            format!("expected export, got \"{}\"", args[0].text()),
        ));
    }
    let format = match args.get(2..) {
        Some([flag, f]) if flag.text() == "--format" => {
            format_named(&f.text()).ok_or_else(|| {
                bad_arg(
                    &SPEC,
                    format!(
                        "unknown format \"{}\" (rocksdb, tikv, myrocks or kvrocks)",
                        f.text().to_ascii_lowercase()
                    ),
                )
            })?
        }
        Some([flag, _]) => {
            return Err(bad_arg(
                &SPEC,
                format!("expected --format, got \"{}\"", flag.text()),
            ));
        }
        _ => OptionsFormat::Rocksdb,
    };
    Ok(Command::Options(OptionsCmd::OptionsExport(
        args[1].text(),
        format,
    )))
}

/// The format `s` names, any case.
pub fn format_named(s: &str) -> Option<OptionsFormat> {
    if s.eq_ignore_ascii_case("rocksdb") {
        return Some(OptionsFormat::Rocksdb);
    }
    Target::from_name(s).map(|t| match t {
        Target::Tikv => OptionsFormat::Tikv,
        Target::Myrocks => OptionsFormat::Myrocks,
        Target::Kvrocks => OptionsFormat::Kvrocks,
    })
}

/// The export target of a format (`None` for RocksDB's own file).
pub fn target_of(format: OptionsFormat) -> Option<Target> {
    match format {
        OptionsFormat::Rocksdb => None,
        OptionsFormat::Tikv => Some(Target::Tikv),
        OptionsFormat::Myrocks => Some(Target::Myrocks),
        OptionsFormat::Kvrocks => Some(Target::Kvrocks),
    }
}

pub fn execute(x: &Executor, path: &str, format: OptionsFormat) -> Result<Outcome, ExecError> {
    let Some(target) = target_of(format) else {
        let src = x.db.export_rocksdb_options(Path::new(path))?;
        return Ok(Outcome::Message(format!(
            "wrote {path} (RocksDB's {})",
            src.display()
        )));
    };
    let source = x.db.path().display().to_string();
    let done = export::export(target, &x.db.options(), &source, &export::today());
    std::fs::write(path, &done.text).map_err(|e| ExecError::file("write", path, e))?;
    let lines: Vec<String> = std::iter::once(done.summary(path))
        .chain(done.warnings.iter().map(|w| format!("warning: {w}")))
        .collect();
    Ok(Outcome::Message(lines.join("\n")))
}
