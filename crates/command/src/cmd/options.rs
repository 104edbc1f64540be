//! `.options export FILE [--format rocksdb|tikv]`: RocksDB's own OPTIONS file for the
//! current settings, or a TiKV config fragment.
use std::path::Path;

use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, OptionsFormat, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, arity, bad_arg};

pub const SPEC: CommandSpec = spec(
    ".options",
    ".options export FILE [--format rocksdb|tikv]",
    "write RocksDB's own OPTIONS file for the current settings, or a TiKV config fragment",
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
            match f.text().to_ascii_lowercase().as_str() {
                "rocksdb" => OptionsFormat::Rocksdb,
                "tikv" => OptionsFormat::Tikv,
                other => {
                    return Err(bad_arg(
                        &SPEC,
                        format!("unknown format \"{other}\" (rocksdb or tikv)"),
                    ));
                }
            }
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

pub fn execute(x: &Executor, path: &str, format: OptionsFormat) -> Result<Outcome, ExecError> {
    match format {
        OptionsFormat::Rocksdb => {
            let src = x.db.export_rocksdb_options(Path::new(path))?;
            Ok(Outcome::Message(format!(
                "wrote {path} (RocksDB's {})",
                src.display()
            )))
        }
        OptionsFormat::Tikv => x.export_tikv(path),
    }
}
