//! The shell's command language, shared by every front end: a pure parser
//! (`&str` -> [`Command`]), the executor (`Command` -> [`Outcome`] over a `Db`), text
//! rendering of outcomes, and the completion and history logic input lines reuse.
pub mod advise;
pub mod baseline;
pub mod bench_args;
pub mod complete;
pub mod exec;
pub mod history;
pub mod jobs;
pub mod long;
pub mod outcome;
pub mod parse;
pub mod render;
pub(crate) mod sampler;
pub mod series;
pub mod spec;
pub mod sweep;
pub mod tikv;

pub use exec::{Executor, RunSummary, Session, Settings};
pub use outcome::{Cell, CommandStats, ExecError, Outcome, Report, Table};
pub use parse::{
    AdviseAction, BaselineCmd, COMMAND_NAMES, Command, DOT_COMMAND_NAMES, ExportWhat, KeyFilter,
    MODE_NAMES, OptionsFormat, OutputMode, OutputTarget, ParseError, SQL_KEYWORDS, SelectWhat,
    is_complete, parse_command, split_statements, starts_command, usage,
};
