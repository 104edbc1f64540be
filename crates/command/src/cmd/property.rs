//! `.property NAME`: any RocksDB property as RocksDB prints it (`rocksdb.stats`,
//! `rocksdb.levelstats`, `rocksdb.block-cache-entry-stats`, ...). Tab completes the
//! documented names.
use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity};

pub const SPEC: CommandSpec = db(spec(
    ".property",
    ".property NAME",
    "a RocksDB property's text as RocksDB gives it, e.g. rocksdb.stats, rocksdb.levelstats, rocksdb.block-cache-entry-stats (Tab lists the names)",
    Family::Options,
));
pub const ENTRY: Entry = words(SPEC, ".property rocksdb.levelstats", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() == 1, "1 argument", args.len())?;
    Ok(Command::Options(OptionsCmd::Property(args[0].text())))
}

pub fn execute(x: &Executor, name: &str) -> Result<Outcome, ExecError> {
    match x.db.rocksdb_property(name) {
        Some(text) if text.trim().is_empty() => Ok(Outcome::Message(format!("{name}: (empty)"))),
        Some(text) => Ok(Outcome::Message(text.trim_end().to_string())),
        None => Err(ExecError::Refused(format!(
            "RocksDB has no property {name} (names start with rocksdb.; Tab after .property lists them)"
        ))),
    }
}
