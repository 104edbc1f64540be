//! The session's settings and where results go: what `.mode`, `.timer`, `.stats`,
//! `.width` and `.output` change, read by the renderer and the front ends.
use std::fs::File;

use crate::ast::{OutputMode, OutputTarget};

/// Table mode cuts a cell to this many characters unless `.width` says otherwise.
pub const MAX_CELL_CHARS: usize = 256;

/// Session settings changed by dot-commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub timer: bool,
    pub stats: bool,
    pub mode: OutputMode,
    pub output: OutputTarget,
    /// Table mode cuts a cell to this many characters; `None`: whole values (`.width off`).
    pub width: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timer: false,
            stats: false,
            mode: OutputMode::Table,
            output: OutputTarget::Stdout,
            width: Some(MAX_CELL_CHARS),
        }
    }
}

/// What front ends write results to: the settings, plus the file `.output FILE` opened.
#[derive(Debug, Default)]
pub struct Session {
    pub settings: Settings,
    /// `Some` after `.output FILE`: results go there instead of the front end's screen.
    pub output_file: Option<File>,
    /// Set by a front end that could not write a result (disk full, a closed pipe):
    /// the run stops after that statement, since nothing more can be written. Cleared
    /// when a new top-level run starts.
    pub output_failed: bool,
}

/// How a run of statements ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub ran: usize,
    pub failed: usize,
    /// `.quit` was run (or `bail` stopped the run).
    pub stopped: bool,
    pub quit: bool,
}
