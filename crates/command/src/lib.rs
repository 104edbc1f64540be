//! The shell's command language, shared by every front end: the commands as data
//! ([`ast`]), one module per command ([`cmd`]: spec, parser, execute function) listed in
//! one table ([`registry`]), a pure parser (`&str` -> [`Command`]), the executor
//! (`Command` -> [`Outcome`] over a `Db`), text rendering of outcomes, and the completion
//! and history logic input lines reuse.
pub mod advise;
pub mod ast;
pub mod baseline;
pub mod cmd;
pub mod complete;
pub mod exec;
pub mod export;
pub mod hints;
pub mod history;
pub mod jobs;
pub mod long;
pub mod outcome;
pub mod parse;
pub mod registry;
pub mod render;
pub mod replay;
mod run;
pub(crate) mod sampler;
pub mod series;
pub mod settings;
pub mod spec;
pub mod sweep;
pub mod words;

pub use ast::bench_args;
pub use ast::{
    AdviseAction, BaselineCmd, Command, DashboardCmd, DataCmd, ExportWhat, JobsCmd, KeyFilter,
    OptionsCmd, OptionsFormat, OutputMode, OutputTarget, ParseError, SelectWhat, SessionCmd,
    SqlCmd,
};
pub use exec::{Executor, RunSummary, Session, Settings};
pub use outcome::{Cell, CommandStats, ExecError, Outcome, Report, Table};
pub use parse::{
    COMMAND_NAMES, DOT_COMMAND_NAMES, MODE_NAMES, SQL_KEYWORDS, is_complete, parse_command,
    split_statements, starts_command, usage,
};
