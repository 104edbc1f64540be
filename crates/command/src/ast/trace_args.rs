//! The arguments of `.trace` and `.replay` (docs/trace.md).

/// What `.trace` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceCmd {
    /// `.trace start FILE [--force]`: `force` replaces an existing file.
    Start {
        path: String,
        force: bool,
    },
    Stop,
    /// `.trace` alone: the trace being recorded, if any.
    Status,
}

/// How fast `.replay` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaySpeed {
    /// As fast as it can (the default).
    Max,
    /// The recorded timing sped up this many thousandths (1000: as recorded).
    Times { milli: u32 },
}

impl ReplaySpeed {
    /// Slowest and fastest factor `--speed` takes.
    pub const RANGE: (f64, f64) = (0.01, 10_000.0);

    /// The factor the recorded timing is sped up by; `None`: no waiting at all.
    pub fn factor(self) -> Option<f64> {
        match self {
            ReplaySpeed::Max => None,
            ReplaySpeed::Times { milli } => Some(f64::from(milli) / 1000.0),
        }
    }

    /// `max` or a factor in [`ReplaySpeed::RANGE`].
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("max") {
            return Ok(ReplaySpeed::Max);
        }
        let (lo, hi) = Self::RANGE;
        match text.trim_end_matches(['x', 'X']).parse::<f64>() {
            Ok(f) if (lo..=hi).contains(&f) => Ok(ReplaySpeed::Times {
                milli: (f * 1000.0).round() as u32,
            }),
            _ => Err(format!(
                "--speed {text}: use max or a factor from {lo} to {hi} (1 keeps the recorded timing)"
            )),
        }
    }
}

/// `.replay FILE [--speed N|max] [--save NAME] [--on-my-data]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayArgs {
    pub path: String,
    pub speed: ReplaySpeed,
    /// Save the replay's figures as a baseline of this name.
    pub save: Option<String>,
    /// Replay a trace with writes on the live database instead of on a copy.
    pub on_my_data: bool,
}
