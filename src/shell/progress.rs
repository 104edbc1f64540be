//! Progress bars on stderr (indicatif) for the CLI benchmarks and the line shell's
//! foreground jobs. indicatif draws nothing when stderr is not a terminal.
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use parking_lot::Mutex;

use crate::command::jobs::JobStatus;

/// A bar per phase, as a benchmark's [`crate::bench::Progress`].
pub struct BarProgress {
    bar: Mutex<Option<ProgressBar>>,
}

impl Default for BarProgress {
    fn default() -> Self {
        Self::new()
    }
}

fn style(known: bool) -> ProgressStyle {
    let t = if known {
        "{msg:28} [{bar:30}] {pos}/{len} {per_sec} eta {eta}"
    } else {
        "{spinner} {msg:28} {pos} {per_sec}"
    };
    ProgressStyle::with_template(t)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl BarProgress {
    pub fn new() -> Self {
        BarProgress {
            bar: Mutex::new(None),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(b) = self.bar.lock().take() {
            b.finish_and_clear();
        }
    }

    /// Shows a job's status (the line shell polls its foreground job).
    pub fn show_job(&self, s: &JobStatus) {
        let mut g = self.bar.lock();
        let bar = g.get_or_insert_with(|| {
            let b = ProgressBar::new_spinner();
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        match s.total {
            Some(t) => {
                bar.set_style(style(true));
                bar.set_length(t);
            }
            None => bar.set_style(style(false)),
        }
        bar.set_position(s.done);
        let phase = if s.phase.is_empty() {
            s.kind
        } else {
            s.phase.as_str()
        };
        bar.set_message(format!("[{}] {phase}", s.id));
    }
}

impl crate::bench::Progress for BarProgress {
    fn phase(&self, name: &str, total: Option<u64>) {
        let mut g = self.bar.lock();
        if let Some(b) = g.take() {
            b.finish_and_clear();
        }
        let b = match total {
            Some(t) => ProgressBar::new(t).with_style(style(true)),
            None => ProgressBar::new_spinner().with_style(style(false)),
        };
        b.set_message(name.to_string());
        b.enable_steady_tick(Duration::from_millis(200));
        *g = Some(b);
    }
    fn advance(&self, n: u64) {
        if let Some(b) = self.bar.lock().as_ref() {
            b.inc(n);
        }
    }
}
