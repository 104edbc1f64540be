//! Dashboard state and key handling. Everything panes draw lives here as plain data
//! (samples, options, jobs, output, log); the runner fills it from the executor and the
//! database, and turns the [`Action`]s keys produce into commands. Nothing here touches
//! the database, so every state change can be tested without one.
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

use super::data::{OP_KINDS, Series, TimedEvent};
use super::input::{Completion, InputLine};
use super::pager::{Pager, PagerKey};
pub use super::screen::Pane;
use super::screen::{self, Shape};
use crate::shell::Pending;
use command::jobs::{JobId, JobStatus};
use engine::metrics::Snapshot;
use engine::options::OptionInfo;

/// Columns Left/Right scroll the output by.
const HSCROLL: usize = 8;
/// How long an Esc waits for its confirmation (Esc again, or `y`) to cancel a job.
pub const CANCEL_CONFIRM: std::time::Duration = std::time::Duration::from_secs(3);
/// The title of F1's view of the keys.
const KEYS_TITLE: &str = "Keys (F1)";
/// Log entries kept.
const LOG_KEEP: usize = 1000;

/// Every key and dashboard command, for the help overlay (and the README).
pub const HELP: &[(&str, &str)] = &[
    ("F1, ? (empty line)", "show or hide this help"),
    (
        "Tab / Shift-Tab",
        "next / previous pane (Tab completes when the line has text)",
    ),
    ("F2 … F9", "focus a pane (each pane's title shows its key)"),
    (
        "Ctrl-X",
        "expand the focused pane to the whole screen, or restore",
    ),
    ("Ctrl-F", "freeze / unfreeze the charts (sampling goes on)"),
    (
        "Ctrl-B",
        "baseline reference lines on ops/s and latency: next / off",
    ),
    (
        "[ ]  (empty line)",
        "latency pane: previous / next operation kind",
    ),
    (
        "PgUp / PgDn",
        "scroll the output (the options when Options is focused)",
    ),
    (
        "Left / Right (empty line)",
        "scroll the output sideways (Output focused)",
    ),
    (
        "Esc",
        "end search, restore expanded pane, else cancel the running job (asks first: Esc again or y)",
    ),
    ("Enter", "run the line (every shell command works)"),
    (
        "Up / Down, Ctrl-P/N",
        "history (shared with the line shell)",
    ),
    (
        "Ctrl-R",
        "reverse search in the history (again: older match)",
    ),
    ("Home/End, Ctrl-A/E", "start / end of the line"),
    (
        "Ctrl-U/K, Ctrl-W",
        "delete to start / to end, delete a word",
    ),
    ("Ctrl-L", "redraw the screen"),
    (
        "Ctrl-C, Ctrl-D (empty)",
        "leave (also .quit); running jobs are cancelled",
    ),
    (
        ".set refresh_ms N",
        "sampling interval, ms (50..10000, default 250)",
    ),
    (
        ".export metrics F.svg",
        "the recorded time series as charts (F.csv, F.json: as data)",
    ),
    (
        ".set output_rows N",
        "rows of one result the output pane keeps (default 1000)",
    ),
    (".export screen FILE", "write the current screen as text"),
];

/// F1's text: every key and dashboard command, then how to close it.
pub fn keys_text() -> String {
    let key_w = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(10);
    let mut lines: Vec<String> = HELP
        .iter()
        .map(|(k, v)| format!("{k:<key_w$}  {v}"))
        .collect();
    lines.push(String::new());
    lines.push(
        "Esc, F1 or ? closes this list. .help lists the commands; .help OPTION explains one."
            .into(),
    );
    lines.join("\n")
}

/// What kind of thing a log line records (picks its colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Option,
    Reopen,
    Flush,
    Compact,
    /// A change of the write-stall condition.
    Stall,
    Job,
    Error,
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Dashboard time (seconds since it started).
    pub t: f64,
    pub kind: LogKind,
    pub text: String,
    /// The RocksDB listener's events (flushes, compactions, stall changes) this line
    /// stands for: a burst of one kind, each within a second of the last, is one line
    /// with the latest text; 0 for every other line (never merged).
    pub count: u32,
}

/// Lines back a listener event looks for a line of its kind to join.
const MERGE_LOOKBACK: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutKind {
    Normal,
    Error,
    /// Timer and stats lines, notes.
    Note,
    /// The command line above an earlier command's results.
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutLine {
    pub text: String,
    pub kind: OutKind,
}

/// Earlier commands' results kept above the current one: at most this many lines...
pub const OUTPUT_HISTORY_LINES: usize = 10_000;
/// ...and this many commands.
pub const OUTPUT_HISTORY_COMMANDS: usize = 100;
/// Rows of one result the pane keeps by default (`.set output_rows N`); the rest are
/// counted, not kept, so one huge result neither fills memory nor pushes out the
/// results above it.
pub const DEFAULT_OUTPUT_ROWS: usize = 1000;
/// Bounds of `.set output_rows`: at most half the history, so earlier results stay.
pub const MIN_OUTPUT_ROWS: usize = 10;
pub const MAX_OUTPUT_ROWS: usize = OUTPUT_HISTORY_LINES / 2;
/// Lines a result may have beyond its rows: a table's frame and header, notes.
const OUTPUT_FRAME_LINES: usize = 8;
/// Characters of one output line kept (a `.width off` value can be megabytes long).
pub const OUTPUT_LINE_CHARS: usize = 4096;

/// One earlier command and its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutBlock {
    pub title: String,
    pub lines: Vec<OutLine>,
}

/// The output pane: the current command's results below earlier ones, scrollable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The command the lines belong to.
    pub title: String,
    pub lines: Vec<OutLine>,
    /// Earlier commands, oldest first (bounded, see [`OUTPUT_HISTORY_LINES`]).
    pub history: VecDeque<OutBlock>,
    /// First line shown, counted in [`Output::view`].
    pub scroll: usize,
    /// Columns scrolled sideways.
    pub hscroll: usize,
    /// Rows of a result kept ([`DEFAULT_OUTPUT_ROWS`]).
    pub keep_rows: usize,
    /// Lines of the current result that were not kept.
    pub cut_lines: usize,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            title: String::new(),
            lines: Vec::new(),
            history: VecDeque::new(),
            scroll: 0,
            hscroll: 0,
            keep_rows: DEFAULT_OUTPUT_ROWS,
            cut_lines: 0,
        }
    }
}

impl Output {
    /// Adds `text`'s lines to the current result, as far as it keeps lines; the rest are
    /// counted for the line that says so.
    pub fn push(&mut self, text: &str, kind: OutKind) {
        let keep = self.keep_rows + OUTPUT_FRAME_LINES;
        for l in text.lines() {
            if self.lines.len() >= keep {
                self.cut_lines += 1;
                continue;
            }
            self.lines.push(OutLine {
                text: keep_chars(l),
                kind,
            });
        }
    }

    /// Says that `rows` more rows of the current result were not kept (a bounded
    /// query); returns the line.
    pub fn rows_not_kept(&mut self, rows: u64) -> String {
        let text = format!(
            "… {} more row{} not kept (the pane keeps {} rows of a result: .set output_rows N; \
             LIMIT or WHERE narrows a query, .output FILE writes all of it)",
            super::fmt::grouped(rows),
            if rows == 1 { "" } else { "s" },
            super::fmt::grouped(self.keep_rows as u64)
        );
        self.lines.push(OutLine {
            text: text.clone(),
            kind: OutKind::Note,
        });
        text
    }

    /// The current result's lines, with the line saying how many were not kept.
    fn current(&self) -> impl Iterator<Item = OutLine> + '_ {
        let cut = (self.cut_lines > 0).then(|| OutLine {
            text: format!(
                "… {} more line{} not kept (the pane keeps {} rows of a result: .set output_rows N)",
                super::fmt::grouped(self.cut_lines as u64),
                if self.cut_lines == 1 { "" } else { "s" },
                super::fmt::grouped(self.keep_rows as u64)
            ),
            kind: OutKind::Note,
        });
        self.lines.iter().cloned().chain(cut)
    }

    /// Everything the pane can show: each earlier command's line (`> cmd`) and results,
    /// then the current command's (its line too when there is history above it).
    pub fn view(&self) -> Vec<OutLine> {
        let mut v = Vec::with_capacity(self.view_len());
        for b in &self.history {
            v.push(command_line(&b.title));
            v.extend(b.lines.iter().cloned());
        }
        if !self.history.is_empty() {
            v.push(command_line(&self.title));
        }
        v.extend(self.current());
        v
    }

    /// Lines in [`Output::view`].
    pub fn view_len(&self) -> usize {
        self.current_start()
            + usize::from(!self.history.is_empty())
            + self.lines.len()
            + usize::from(self.cut_lines > 0)
    }

    /// Lines of the current result (without its `> cmd` line).
    pub fn current_len(&self) -> usize {
        self.lines.len() + usize::from(self.cut_lines > 0)
    }

    /// True when earlier results are kept above the current one.
    pub fn has_history(&self) -> bool {
        !self.history.is_empty()
    }

    /// Where the current command's part of the view starts (its `> cmd` line, if any).
    pub fn current_start(&self) -> usize {
        self.history.iter().map(|b| b.lines.len() + 1).sum()
    }

    /// Starts the output of a new command; the current one joins the history, whose
    /// oldest commands go once it passes its bounds.
    pub fn begin(&mut self, title: &str) {
        if !self.title.is_empty() || !self.lines.is_empty() {
            let lines = self.current().collect();
            self.history.push_back(OutBlock {
                title: std::mem::take(&mut self.title),
                lines,
            });
        }
        let lines = |h: &VecDeque<OutBlock>| h.iter().map(|b| b.lines.len() + 1).sum::<usize>();
        while self.history.len() > OUTPUT_HISTORY_COMMANDS
            || (self.history.len() > 1 && lines(&self.history) > OUTPUT_HISTORY_LINES)
        {
            self.history.pop_front();
        }
        // Typed or pasted SQL may span lines: its title is one line.
        self.title = keep_chars(&title.split_whitespace().collect::<Vec<_>>().join(" "));
        self.lines.clear();
        self.cut_lines = 0;
        self.scroll = self.current_start();
        self.hscroll = 0;
    }
}

/// `line`, cut to [`OUTPUT_LINE_CHARS`] characters.
fn keep_chars(line: &str) -> String {
    match line.char_indices().nth(OUTPUT_LINE_CHARS) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

fn command_line(title: &str) -> OutLine {
    OutLine {
        text: format!("> {title}"),
        kind: OutKind::Command,
    }
}

/// What the dashboard knows of a timed job (`.ycsb --duration D`): how long its
/// measured run lasts, and when (in job time) its current phase began.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobClock {
    pub duration: Duration,
    pub phase: String,
    pub phase_from: Duration,
}

/// System memory from sysinfo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemMemory {
    pub total: u64,
    pub available: u64,
}

/// What the runner should do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Redraw (state changed).
    Redraw,
    /// Run this input line.
    Submit(String),
    /// Run these pasted lines in order, then say how many ran and failed.
    SubmitLines(Vec<String>),
    /// Esc: cancel the newest running job.
    CancelJob,
    /// Ctrl-L: clear the terminal and redraw everything.
    ClearScreen,
    /// A key during the demo: stop it and hand control back.
    StopDemo,
    Quit,
}

/// Everything the dashboard draws.
#[derive(Debug, Clone)]
pub struct App {
    /// Database shown in the header.
    pub db_path: String,
    pub series: Series,
    /// The newest snapshot's LSM, memory and cache gauges are read from `series`; the
    /// options and jobs come from the executor.
    pub options: Vec<OptionInfo>,
    pub jobs: Vec<JobStatus>,
    pub system: Option<SystemMemory>,
    pub log: VecDeque<LogEntry>,
    pub output: Output,
    pub input: InputLine,
    pub focus: Pane,
    pub expanded: bool,
    /// Dashboard time the charts were frozen at.
    pub frozen_at: Option<f64>,
    /// Index into [`OP_KINDS`] for the latency pane.
    pub latency_kind: usize,
    pub refresh_ms: u64,
    pub options_scroll: usize,
    /// One transient line over the key bar (completion candidates, notes).
    pub status: Option<String>,
    /// Demo narration shown in the header while the demo plays.
    pub banner: Option<String>,
    pub demo_playing: bool,
    /// Seconds of history the time charts show.
    pub chart_secs: f64,
    /// The dashboard's clock (seconds since it started) at the last update.
    pub now: f64,
    /// The terminal's size at the last draw (page sizes for scrolling).
    pub viewport: Rect,
    /// When Esc asked "cancel the job?" (a second Esc or `y` within
    /// [`CANCEL_CONFIRM`] cancels it).
    pub cancel_asked: Option<std::time::Instant>,
    /// The saved baselines (plain data the runner copies from the executor).
    pub baselines: Vec<engine::metrics::Reference>,
    /// The baseline drawn as reference lines (Ctrl-B cycles), by name.
    pub reference: Option<String>,
    /// The SQL statement being typed or pasted, until its `;` (the line shell's rule).
    pub pending: Pending,
    /// A long text (`.help`) shown full-width over the panes.
    pub pager: Option<Pager>,
    /// Timed jobs' durations and phases, by job.
    pub job_clocks: HashMap<JobId, JobClock>,
}

impl App {
    pub fn new(db_path: &str, input: InputLine) -> Self {
        App {
            db_path: db_path.to_string(),
            series: Series::default(),
            options: Vec::new(),
            jobs: Vec::new(),
            system: None,
            log: VecDeque::new(),
            output: Output::default(),
            input,
            focus: Pane::Output,
            expanded: false,
            frozen_at: None,
            latency_kind: 0,
            refresh_ms: 250,
            options_scroll: 0,
            status: None,
            banner: None,
            demo_playing: false,
            chart_secs: 180.0,
            now: 0.0,
            viewport: Rect::new(0, 0, 120, 40),
            cancel_asked: None,
            baselines: Vec::new(),
            reference: None,
            pending: Pending::default(),
            pager: None,
            job_clocks: HashMap::new(),
        }
    }

    /// The jobs as the executor lists them; notes when a timed job's phase changes.
    pub fn set_jobs(&mut self, jobs: Vec<JobStatus>) {
        for j in &jobs {
            if let Some(c) = self.job_clocks.get_mut(&j.id)
                && c.phase != j.phase
            {
                c.phase = j.phase.clone();
                c.phase_from = j.elapsed;
            }
        }
        self.job_clocks
            .retain(|id, _| jobs.iter().any(|j| j.id == *id && j.is_running()));
        self.jobs = jobs;
    }

    /// A timed job in its measured run: how long it has run and its duration. Before
    /// the run (loading, warm-up) its end is not known.
    pub fn timed(&self, j: &JobStatus) -> Option<(Duration, Duration)> {
        let c = self.job_clocks.get(&j.id)?;
        // `.ycsb`'s measured phase is `ycsb-W ENGINE`; its ops have no total then.
        let running = j.total.is_none() && c.phase == j.phase && j.phase.starts_with("ycsb-");
        running.then(|| (j.elapsed.saturating_sub(c.phase_from), c.duration))
    }

    /// Records a snapshot taken at dashboard time `t`; its events go to the log.
    pub fn push_sample(&mut self, t: f64, snapshot: Snapshot) {
        self.now = self.now.max(t);
        let events = self.series.push(t, snapshot);
        for e in events {
            self.log_event(&e);
        }
    }

    fn log_event(&mut self, e: &TimedEvent) {
        let kind = match e.event.kind {
            "option" => LogKind::Option,
            "reopen" => LogKind::Reopen,
            "flush" => LogKind::Flush,
            "compact" | "compaction" => LogKind::Compact,
            "stall" => LogKind::Stall,
            _ => LogKind::Info,
        };
        let text = match e.event.applied.as_deref() {
            Some("rolled back") if kind == LogKind::Option => {
                format!("{} (rolled back)", e.event.label)
            }
            _ => super::data::event_text(&e.event),
        };
        if e.event.lsm.is_none() {
            self.log(e.t, kind, &text);
            return;
        }
        // A flood (a stall flapping, a flush per tiny memtable) would push every other
        // line out: it joins the line of its kind it follows within a second.
        let joined =
            self.log.iter_mut().rev().take(MERGE_LOOKBACK).find(|l| {
                l.kind == kind && l.count > 0 && e.t - l.t < super::data::STALL_MERGE_SECS
            });
        match joined {
            Some(l) => {
                l.t = e.t;
                l.text = text;
                l.count += 1;
            }
            None => {
                self.log(e.t, kind, &text);
                if let Some(l) = self.log.back_mut() {
                    l.count = 1;
                }
            }
        }
    }

    pub fn log(&mut self, t: f64, kind: LogKind, text: &str) {
        self.log.push_back(LogEntry {
            t,
            kind,
            text: text.to_string(),
            count: 0,
        });
        while self.log.len() > LOG_KEEP {
            self.log.pop_front();
        }
    }

    /// The end of the charts' time range: the freeze time, or the newest sample.
    pub fn chart_end(&self) -> f64 {
        self.frozen_at
            .unwrap_or_else(|| self.series.latest().map_or(self.now, |s| s.t.max(self.now)))
    }

    /// Starts a new output (for the command `title`).
    pub fn begin_output(&mut self, title: &str) {
        self.output.begin(title);
    }

    pub fn latency_kind_name(&self) -> &'static str {
        OP_KINDS[self.latency_kind % OP_KINDS.len()]
    }

    pub fn running_jobs(&self) -> impl Iterator<Item = &JobStatus> {
        self.jobs.iter().filter(|j| j.is_running())
    }

    /// Rows the output pane shows at the current size (its page for PgUp/PgDn).
    pub fn output_page(&self) -> usize {
        screen::output_rows(&self.shape()).max(1)
    }

    /// What the screen's layout depends on, as it stands.
    pub fn shape(&self) -> Shape {
        Shape {
            viewport: self.viewport,
            running_jobs: self.running_jobs().count(),
            expanded: self.expanded,
            focus: self.focus,
            output_len: self.output.current_len(),
        }
    }

    fn scroll_output(&mut self, down: bool) {
        let page = self.output_page();
        let max = self.output.view_len().saturating_sub(page);
        self.output.scroll = if down {
            (self.output.scroll + page).min(max)
        } else {
            self.output.scroll.saturating_sub(page)
        };
    }

    fn scroll_options(&mut self, down: bool) {
        let page = 8;
        let max = self.options.len().saturating_sub(1);
        self.options_scroll = if down {
            (self.options_scroll + page).min(max)
        } else {
            self.options_scroll.saturating_sub(page)
        };
    }

    /// Toggles the chart freeze at the current time.
    pub fn toggle_freeze(&mut self) {
        self.frozen_at = match self.frozen_at {
            Some(_) => None,
            None => Some(self.chart_end()),
        };
    }

    /// Handles one key.
    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return Action::Quit;
        }
        if self.demo_playing {
            return Action::StopDemo;
        }
        self.status = None;
        self.banner = None;
        let asked = self
            .cancel_asked
            .take()
            .is_some_and(|t| t.elapsed() < CANCEL_CONFIRM);
        let asked_about = self.running_jobs().next().filter(|_| asked);
        if let Some(kept) = asked_about.map(|j| format!("[{}] {} keeps running.", j.id, j.label)) {
            if key.code == KeyCode::Esc || (key.code == KeyCode::Char('y') && !ctrl) {
                return Action::CancelJob;
            }
            // Any other key answers "no": the job runs on, and the key is not typed.
            self.status = Some(kept);
            return Action::Redraw;
        }
        if self.pager.is_some() {
            return self.pager_key(key.code);
        }
        let empty = self.input.is_empty() && self.input.search().is_none();
        match key.code {
            KeyCode::F(1) => self.show_keys(),
            KeyCode::Char('?') if empty && !ctrl => self.show_keys(),
            KeyCode::F(n) => {
                if let Some(p) = Pane::from_fkey(n) {
                    self.focus = p;
                }
            }
            KeyCode::Tab if empty => self.focus = self.focus.next(),
            KeyCode::BackTab => self.focus = self.focus.prev(),
            KeyCode::Tab => match self.input.complete() {
                Completion::Candidates(c) => self.status = Some(c.join("  ")),
                Completion::None => self.status = Some("(no completions)".into()),
                Completion::Completed => {}
            },
            KeyCode::Char('x') if ctrl => self.expanded = !self.expanded,
            KeyCode::Char('f') if ctrl => self.toggle_freeze(),
            KeyCode::Char('d') if ctrl => {
                if self.input.is_empty() {
                    return Action::Quit;
                }
                self.input.delete();
            }
            KeyCode::Char('l') if ctrl => return Action::ClearScreen,
            KeyCode::Char('r') if ctrl => self.input.search_back(),
            KeyCode::Char('u') if ctrl => self.input.kill_to_start(),
            KeyCode::Char('k') if ctrl => self.input.kill_to_end(),
            KeyCode::Char('w') if ctrl => self.input.delete_word(),
            KeyCode::Char('a') if ctrl => self.input.home(),
            KeyCode::Char('e') if ctrl => self.input.end(),
            KeyCode::Char('p') if ctrl => self.input.history_prev(),
            KeyCode::Char('n') if ctrl => self.input.history_next(),
            KeyCode::Char('b') if ctrl => self.cycle_reference(),
            KeyCode::Char(_) if ctrl => return Action::None,
            KeyCode::Char('[') if empty => self.cycle_latency(false),
            KeyCode::Char(']') if empty => self.cycle_latency(true),
            KeyCode::Char(c) => self.input.insert_char(c),
            KeyCode::Left if empty && self.focus == Pane::Latency => self.cycle_latency(false),
            KeyCode::Right if empty && self.focus == Pane::Latency => self.cycle_latency(true),
            KeyCode::Left if empty && self.focus == Pane::Output => {
                self.output.hscroll = self.output.hscroll.saturating_sub(HSCROLL);
            }
            KeyCode::Right if empty && self.focus == Pane::Output => {
                let widest = self
                    .output
                    .lines
                    .iter()
                    .map(|l| l.text.chars().count())
                    .max();
                let max = widest.unwrap_or(0).saturating_sub(HSCROLL);
                self.output.hscroll = (self.output.hscroll + HSCROLL).min(max);
            }
            KeyCode::Left => self.input.left(),
            KeyCode::Right => self.input.right(),
            KeyCode::Home => self.input.home(),
            KeyCode::End => self.input.end(),
            KeyCode::Backspace => self.input.backspace(),
            KeyCode::Delete => self.input.delete(),
            KeyCode::Up => self.input.history_prev(),
            KeyCode::Down => self.input.history_next(),
            KeyCode::PageUp if self.focus == Pane::Options => self.scroll_options(false),
            KeyCode::PageDown if self.focus == Pane::Options => self.scroll_options(true),
            KeyCode::PageUp => self.scroll_output(false),
            KeyCode::PageDown => self.scroll_output(true),
            KeyCode::Enter => {
                // The runner adds what it runs to the history (a statement of several
                // lines as one entry).
                let line = self.input.take_text();
                if line.trim().is_empty() && self.pending.is_empty() {
                    return Action::Redraw;
                }
                return Action::Submit(line);
            }
            KeyCode::Esc => {
                if self.input.cancel_search() {
                } else if self.expanded {
                    self.expanded = false;
                } else if self.ask_cancel() {
                } else if !self.input.is_empty() || self.pending.is_empty() {
                    self.input.clear();
                } else {
                    self.pending.clear();
                    self.status = Some("The unfinished statement was dropped.".into());
                }
            }
            _ => return Action::None,
        }
        Action::Redraw
    }

    /// Esc with a job running: asks to confirm (Esc also closes things, so one press
    /// must not stop a long job); false when no job runs.
    fn ask_cancel(&mut self) -> bool {
        let Some(j) = self.running_jobs().next() else {
            return false;
        };
        if !j.cancellable() {
            self.status = Some(format!(
                "[{}] {} cannot be cancelled once started; it runs to the end.",
                j.id, j.label
            ));
            return true;
        }
        let ask = format!(
            "Cancel job [{}] {}? Esc again or y cancels it; any other key keeps it running.",
            j.id, j.label
        );
        self.status = Some(ask);
        self.cancel_asked = Some(std::time::Instant::now());
        true
    }

    /// F1: every key and dashboard command, in the full-width view (it scrolls where
    /// the terminal is too small for the list).
    pub fn show_keys(&mut self) {
        self.show_pager(KEYS_TITLE, &keys_text());
    }

    /// True while F1's list of keys is shown.
    pub fn showing_keys(&self) -> bool {
        self.pager.as_ref().is_some_and(|p| p.title == KEYS_TITLE)
    }

    /// Opens the full-width view on `text` (a long `.help`).
    pub fn show_pager(&mut self, title: &str, text: &str) {
        self.pager = Some(Pager::new(title, text));
    }

    fn pager_key(&mut self, code: KeyCode) -> Action {
        let (w, h) = screen::pager_text_size(&self.shape());
        if let Some(p) = self.pager.as_mut()
            && p.key(code, w, h) == PagerKey::Close
        {
            self.pager = None;
        }
        Action::Redraw
    }

    /// Ctrl-B: off, then each saved baseline in turn, then off again.
    pub fn cycle_reference(&mut self) {
        let names: Vec<&str> = self.baselines.iter().map(|b| b.name.as_str()).collect();
        let next = match &self.reference {
            None => names.first(),
            Some(cur) => names
                .iter()
                .position(|n| n == cur)
                .and_then(|i| names.get(i + 1)),
        };
        self.reference = next.map(|n| n.to_string());
        self.status = Some(match (&self.reference, names.is_empty()) {
            (_, true) => "no baselines saved (.baseline save NAME)".to_string(),
            (Some(n), _) => format!("reference line: baseline {n} (Ctrl-B: next)"),
            (None, _) => "reference line off".to_string(),
        });
    }

    /// The baseline drawn as reference lines, if it still exists.
    pub fn reference_line(&self) -> Option<&engine::metrics::Reference> {
        let name = self.reference.as_deref()?;
        self.baselines.iter().find(|b| b.name == name)
    }

    fn cycle_latency(&mut self, forward: bool) {
        let n = OP_KINDS.len();
        self.latency_kind = if forward {
            (self.latency_kind + 1) % n
        } else {
            (self.latency_kind + n - 1) % n
        };
    }

    /// Pasted text goes to the input line; each line break in it ends a line to run (the
    /// first continues what was typed), and what follows the last break stays in the
    /// input line, as a terminal would have it.
    pub fn on_paste(&mut self, text: &str) -> Action {
        if self.demo_playing {
            return Action::StopDemo;
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let Some((complete, tail)) = text.rsplit_once('\n') else {
            self.input.insert_str(&text);
            return Action::Redraw;
        };
        let mut lines = Vec::new();
        for (i, l) in complete.split('\n').enumerate() {
            if i == 0 {
                self.input.insert_str(l);
                lines.push(self.input.take_text());
            } else {
                lines.push(l.to_string());
            }
        }
        self.input.insert_str(tail);
        lines.retain(|l| !l.trim().is_empty());
        if lines.is_empty() {
            return Action::Redraw;
        }
        Action::SubmitLines(lines)
    }
}
