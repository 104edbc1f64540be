//! One module per command: its spec (name, usage, help, family, ...), a line that parses
//! to it, its parser and its execute function, side by side. `crate::registry` lists
//! every module's [`Entry`] in one table; `crate::run` routes a parsed command to its
//! module's execute function through its family's enum. The data commands and the SQL
//! statements share a module each (`data`, `sql`); `.set` holds `.reset` and the
//! dashboard's `.set refresh_ms` too, as forms of one command.
use crate::ast::{Command, ParseError};
use crate::spec::types::CommandSpec;
use crate::words::Word;

pub mod advise;
pub mod baseline;
pub mod bench;
pub mod cancel;
pub mod check;
pub mod compact;
pub mod compare;
pub mod data;
pub mod export;
pub mod flush;
pub mod help;
pub mod jobs;
pub mod load;
pub mod lsm;
pub mod mode;
pub mod mrc;
pub mod open;
pub mod options;
pub mod output;
pub mod profile;
pub mod property;
pub mod quit;
pub mod read;
pub mod reopen;
pub mod replay;
pub mod set;
pub mod show;
pub mod sql;
pub mod stats;
pub mod sweep;
pub mod timer;
pub mod trace;
pub mod width;
pub mod ycsb;

/// How the parser reads a command of the table.
#[derive(Clone, Copy)]
pub enum Parse {
    /// From the words after its name.
    Words(fn(&[Word]) -> Result<Command, ParseError>),
    /// A SQL statement: the SQL parser reads the whole text.
    Sql,
    /// A form of another command (`.set refresh_ms`), which parses it.
    Form,
}

/// One row of the command table.
#[derive(Clone, Copy)]
pub struct Entry {
    pub spec: CommandSpec,
    /// A line that parses to this command (the registry's test parses every one).
    pub example: &'static str,
    pub parse: Parse,
}

/// An entry parsed from its words.
pub const fn words(
    spec: CommandSpec,
    example: &'static str,
    parse: fn(&[Word]) -> Result<Command, ParseError>,
) -> Entry {
    Entry {
        spec,
        example,
        parse: Parse::Words(parse),
    }
}

/// A job just started (`background`: a trailing `&`, so the front end does not wait).
fn started(id: crate::jobs::JobId, label: String, background: bool) -> crate::outcome::Outcome {
    crate::outcome::Outcome::JobStarted {
        id,
        label,
        background,
    }
}
