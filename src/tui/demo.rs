//! `--demo`: plays a script in the dashboard, one statement at a time with pauses.
//!
//! Script format (`assets/demo.alexsh`): one statement per line; `-- pause N` waits N
//! seconds; `-- say TEXT` shows TEXT as narration above the input line (and in the event
//! log); other `--` and `#` lines are comments. Each statement is typed into the input
//! line, shown for a moment, then run; a foreground job (`.load` without `&`) is waited
//! for before the script goes on. Any key stops the demo and hands control back.
use std::time::{Duration, Instant};

/// The demo the binary ships.
pub const SCRIPT: &str = include_str!("../../assets/demo.alexsh");

/// How long a statement stays typed in the input line before it runs.
pub const TYPE_DELAY: Duration = Duration::from_millis(900);
/// Pause after a statement when the script says nothing.
pub const DEFAULT_GAP: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Run(String),
    Pause(Duration),
    Say(String),
}

/// Parses a demo script; bad `-- pause` values are an error naming the line.
pub fn parse(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let comment = line
            .strip_prefix("--")
            .or_else(|| line.strip_prefix('#'))
            .map(str::trim);
        match comment {
            Some(c) => {
                if let Some(n) = c.strip_prefix("pause") {
                    let secs: f64 = n
                        .trim()
                        .trim_end_matches('s')
                        .parse()
                        .ok()
                        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                        .ok_or_else(|| format!("demo line {}: bad pause {:?}", i + 1, n.trim()))?;
                    steps.push(Step::Pause(Duration::from_secs_f64(secs)));
                } else if let Some(t) = c.strip_prefix("say") {
                    steps.push(Step::Say(t.trim().to_string()));
                }
            }
            None => steps.push(Step::Run(line.to_string())),
        }
    }
    Ok(steps)
}

/// What the player wants done now.
#[derive(Debug, Clone, PartialEq)]
pub enum Cue {
    /// Nothing yet.
    Wait,
    /// Show this statement in the input line (it runs after [`TYPE_DELAY`]).
    Type(String),
    /// Run the statement shown.
    Run(String),
    Say(String),
    Finished,
}

/// Steps through a script against a clock, so it can be tested without waiting.
#[derive(Debug, Clone)]
pub struct Player {
    steps: Vec<Step>,
    next: usize,
    /// Nothing happens before this.
    until: Instant,
    /// A typed statement waiting to run.
    typed: Option<String>,
    /// A foreground job the script waits for.
    pub waiting_for_job: Option<u64>,
    finished: bool,
}

impl Player {
    pub fn new(steps: Vec<Step>, now: Instant) -> Self {
        Player {
            steps,
            next: 0,
            until: now,
            typed: None,
            waiting_for_job: None,
            finished: false,
        }
    }

    /// The next cue at time `now`; `job_running` says whether the job the script waits
    /// for still runs.
    pub fn poll(&mut self, now: Instant, job_running: bool) -> Cue {
        if self.finished {
            return Cue::Wait;
        }
        if self.waiting_for_job.is_some() {
            if job_running {
                return Cue::Wait;
            }
            self.waiting_for_job = None;
            self.until = now + DEFAULT_GAP;
        }
        if now < self.until {
            return Cue::Wait;
        }
        if let Some(s) = self.typed.take() {
            // A pause right after the statement replaces the default gap.
            self.until = match self.steps.get(self.next) {
                Some(Step::Pause(_)) => now,
                _ => now + DEFAULT_GAP,
            };
            return Cue::Run(s);
        }
        let Some(step) = self.steps.get(self.next).cloned() else {
            self.finished = true;
            return Cue::Finished;
        };
        self.next += 1;
        match step {
            Step::Pause(d) => {
                self.until = now + d;
                Cue::Wait
            }
            Step::Say(t) => Cue::Say(t),
            Step::Run(s) => {
                self.typed = Some(s.clone());
                self.until = now + TYPE_DELAY;
                Cue::Type(s)
            }
        }
    }

    /// When the next cue can come (for the event loop's timeout).
    pub fn next_at(&self) -> Instant {
        self.until
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }
}
