//! Progress bars on stderr (indicatif) for the CLI benchmarks and the line shell's
//! foreground jobs. indicatif draws nothing when stderr is not a terminal.
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use parking_lot::Mutex;

use command::jobs::JobStatus;

/// A bar per phase, as a benchmark's [`bench::Progress`].
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
        "{msg:28} [{bar:30}] {pos}/{len} {rate} eta {eta}"
    } else {
        "{spinner} {msg:28} {pos} {rate}"
    };
    ProgressStyle::with_template(t)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&rate_text(s.per_sec()));
        })
        .progress_chars("=> ")
}

/// `2,758,858/s`: a rate in whole steps (indicatif's own `{per_sec}` prints four
/// decimals, `2,758,858.4979/s`); below 10/s one decimal.
pub fn rate_text(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        return "0/s".to_string();
    }
    if per_sec < 10.0 {
        return format!("{per_sec:.1}/s");
    }
    format!("{}/s", crate::tui::fmt::grouped(per_sec.round() as u64))
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

impl bench::Progress for BarProgress {
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

#[cfg(test)]
mod tests {
    use super::rate_text;

    #[test]
    fn rates_are_whole_numbers_with_separators() {
        assert_eq!(rate_text(2_758_858.497_9), "2,758,858/s");
        assert_eq!(rate_text(999.6), "1,000/s");
        assert_eq!(rate_text(2.34), "2.3/s");
        assert_eq!(rate_text(f64::NAN), "0/s");
    }
}
