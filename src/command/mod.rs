//! The shell's command language: a pure parser (`&str` -> [`Command`]). The executor that
//! turns a `Command` into an outcome comes next (issue 4).
pub mod parse;

pub use parse::{
    COMMAND_NAMES, Command, DOT_COMMAND_NAMES, KeyFilter, MODE_NAMES, OutputMode, OutputTarget,
    ParseError, SQL_KEYWORDS, SelectWhat, is_complete, parse_command, split_statements, usage,
};
