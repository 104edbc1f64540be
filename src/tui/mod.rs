//! The full-screen dashboard (issue 7): ratatui/crossterm app with an input line and
//! panes drawn from metrics Snapshots. Not built yet: this stub says so.
use std::path::PathBuf;

use crate::command::Executor;

/// How the dashboard starts.
#[derive(Debug, Clone, Default)]
pub struct TuiConfig {
    /// Play `assets/demo.alexsh` (any key hands control back).
    pub demo: bool,
    /// Shared with the line shell.
    pub history_path: Option<PathBuf>,
}

/// Runs the dashboard until the user leaves; returns the exit status.
pub fn run(_exec: &mut Executor, _cfg: &TuiConfig) -> anyhow::Result<u8> {
    anyhow::bail!("the dashboard is not built yet; run with --plain for the line shell")
}
