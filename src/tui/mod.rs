//! The full-screen dashboard: an input line that runs every shell command through the
//! shared executor, and panes that stream what the engine does (throughput, latency,
//! the get split, caches, memory, the LSM tree, options, output and an event log).
//!
//! Layout of the module:
//! - `app`: the state (plain data) and key handling -> [`app::Action`]s;
//! - `data`: the ring buffer of samples and the chart markers;
//! - `input`: the input line (editing, history, completion, Ctrl-R);
//! - `pager`: the full-width view of a long text (`.help`);
//! - `panes`: drawing, one module per pane, from an [`app::App`] only;
//! - `screen`: where the panes go at a size (the app pages by it, the panes draw into it);
//! - `runner`: the event loop: samples the database, runs commands, polls jobs;
//! - `terminal`: raw mode and the alternate screen, restored on exit, panic and SIGTERM;
//! - `demo`: `--demo`'s script player;
//! - `export`: `.export metrics FILE.svg` (the samples drawn by `crate::plot`).
use std::path::PathBuf;

use command::Executor;

pub mod app;
pub use command::series as data;
pub mod demo;
pub mod export;
pub mod fmt;
pub mod input;
pub mod pager;
pub mod panes;
pub mod runner;
pub mod screen;
pub mod terminal;

/// How the dashboard starts.
#[derive(Debug, Clone, Default)]
pub struct TuiConfig {
    /// Play `assets/demo.alexsh` (any key hands control back).
    pub demo: bool,
    /// Shared with the line shell.
    pub history_path: Option<PathBuf>,
}

/// Runs the dashboard until the user leaves; returns the exit status: 0, or 128 + the
/// signal after SIGTERM (143) or SIGHUP (129); 129 also when the terminal hung up.
pub fn run(exec: &mut Executor, cfg: &TuiConfig) -> anyhow::Result<u8> {
    runner::run(exec, cfg)
}
