//! The full-screen dashboard (issue 7): ratatui/crossterm app with an input line and
//! panes drawn from metrics Snapshots. Until it lands, `run` falls back to the line shell.
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

/// Runs the dashboard until the user leaves; returns the exit status. (For now: the
/// interactive line shell.)
pub fn run(exec: &mut Executor, cfg: &TuiConfig) -> anyhow::Result<u8> {
    if cfg.demo {
        anyhow::bail!("--demo needs the dashboard, which is not built yet");
    }
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let mut err2 = std::io::stderr();
    let jobs = exec.jobs().clone();
    exec.set_waiter(Box::new(crate::shell::wait_with_progress));
    let mut printer = crate::shell::Printer::new(&mut out, &mut err2, false, true).with_jobs(jobs);
    crate::shell::run_interactive(exec, cfg.history_path.as_deref(), &mut printer, &mut err)?;
    printer.stop_jobs(exec.session_mut());
    Ok(0)
}
