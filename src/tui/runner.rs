//! The event loop and everything that talks to the executor: sampling metrics, running
//! input lines (dashboard commands first, then the shared executor), polling jobs,
//! playing the demo. The loop sleeps in `poll` until a key, a sample tick, a job update
//! or a demo cue, and redraws only then.
use command::render::error_text;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::TuiConfig;
use super::app::{
    Action, App, DEFAULT_OUTPUT_ROWS, JobClock, LogKind, MAX_OUTPUT_ROWS, MIN_OUTPUT_ROWS, OutKind,
    SystemMemory,
};
use super::demo::{self, Cue, Player};
use super::input::InputLine;
use super::panes;
use super::terminal::{TerminalGuard, hung_up, signal_exit_code, terminate_requested};
use command::exec::job_result;
use command::history::History;
use command::jobs::{JobState, JobStatus};
use command::render::{Shown, render_outcome, render_report};
use command::{
    Command, DashboardCmd, Executor, ExportWhat, JobsCmd, OptionsCmd, Outcome, Report, RunSummary,
    SessionCmd, parse_command, split_statements,
};
use engine::Db;
use engine::metrics::MetricsWindow;

pub use command::parse::{DEFAULT_REFRESH_MS, MAX_REFRESH_MS, MIN_REFRESH_MS};
/// Redraw interval while a job runs (12.5 frames/s), so gauges move smoothly.
pub const JOB_FRAME: Duration = Duration::from_millis(80);
/// How long the loop waits for more input before drawing what it has handled.
const PENDING_INPUT_WAIT: Duration = Duration::from_millis(1);
/// The longest the loop sleeps (it checks for SIGTERM at least this often).
const MAX_SLEEP: Duration = Duration::from_millis(250);
/// A line that ends with more input already waiting this soon after it is part of a
/// paste (a terminal without bracketed paste sends it as keys), not typed.
const PASTE_GAP: Duration = Duration::from_millis(5);

/// What running one input line did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submitted {
    /// Statements run.
    pub ran: usize,
    pub quit: bool,
    /// Jobs started in the foreground (no `&`): the demo waits for these.
    pub foreground_jobs: Vec<u64>,
    pub failed: usize,
}

impl Submitted {
    fn add(&mut self, r: Submitted) {
        self.ran += r.ran;
        self.failed += r.failed;
        self.quit |= r.quit;
        self.foreground_jobs.extend(r.foreground_jobs);
    }
}

/// The dashboard's state plus what it needs to feed it from the database.
pub struct Runner {
    pub app: App,
    db: Arc<Db>,
    window: MetricsWindow,
    start: Instant,
    sys: Option<sysinfo::System>,
    last_sys: Option<Instant>,
    pub demo: Option<Player>,
}

impl Runner {
    pub fn new(exec: &Executor, history: History) -> Self {
        let db = Arc::clone(exec.db());
        let mut app = App::new(&db.path().display().to_string(), InputLine::new(history));
        app.refresh_ms = DEFAULT_REFRESH_MS;
        app.options = db.options().describe();
        Runner {
            app,
            db,
            window: MetricsWindow::new(),
            start: Instant::now(),
            sys: sysinfo::System::new().ok(),
            last_sys: None,
            demo: None,
        }
    }

    /// Seconds since the dashboard started.
    pub fn clock(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Takes one sample: the metrics window since the last one, the options, and (once
    /// a second) the system's memory.
    pub fn sample(&mut self, exec: &Executor) {
        if !Arc::ptr_eq(exec.db(), &self.db) {
            // `.open` switched databases: start a new window on the new one.
            self.db = Arc::clone(exec.db());
            self.window = MetricsWindow::new();
            self.app.db_path = self.db.path().display().to_string();
            let t = self.clock();
            let text = format!("now showing {}", self.app.db_path);
            self.app.log(t, LogKind::Info, &text);
        }
        let snap = self.db.metrics_window(&mut self.window);
        let t = self.clock();
        self.app.push_sample(t, snap);
        self.app.options = self.db.options().describe();
        self.app.baselines = exec.references();
        if self
            .last_sys
            .is_none_or(|l| l.elapsed() >= Duration::from_secs(1))
            && let Some(sys) = self.sys.as_mut()
        {
            sys.refresh_memory();
            self.app.system = Some(SystemMemory {
                total: sys.total_memory(),
                available: sys.available_memory(),
            });
            self.last_sys = Some(Instant::now());
        }
        self.app.now = t;
    }

    /// Refreshes the job list and reports the jobs that finished (output pane and log).
    pub fn poll_jobs(&mut self, exec: &Executor) {
        self.app.set_jobs(exec.jobs().list());
        for st in exec.jobs().take_finished() {
            self.job_finished(st);
        }
    }

    fn job_finished(&mut self, st: JobStatus) {
        let t = self.clock();
        let how = match &st.state {
            JobState::Done { cancelled: false } => "done".to_string(),
            JobState::Done { cancelled: true } => "cancelled".to_string(),
            JobState::Failed(e) => format!("failed: {e}"),
            JobState::Running => "running".to_string(),
        };
        let kind = if matches!(st.state, JobState::Failed(_)) {
            LogKind::Error
        } else {
            LogKind::Job
        };
        let line = format!(
            "[{}] {how} in {:.1} s: {}",
            st.id,
            st.elapsed.as_secs_f64(),
            st.label
        );
        self.app.log(t, kind, &line);
        if st.is_quiet() {
            // The value cache's warm-up: its log line is all; the output pane keeps
            // what the user ran.
            return;
        }
        if self
            .app
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with(&format!("[{}] cancelling", st.id)))
        {
            self.app.status = None;
        }
        self.app
            .begin_output(&format!("[{}] {} ({how})", st.id, st.label));
        match job_result(st) {
            Ok(o) => {
                let text = render_outcome(&o, command::OutputMode::Table);
                self.app.output.push(&text, OutKind::Normal);
            }
            Err(e) => self
                .app
                .output
                .push(&error_text(&format!("error: {e}")), OutKind::Error),
        }
    }

    /// A line typed (Enter) or pasted: it joins the statement being gathered, and the
    /// statements it completes run (the line shell's rule, [`crate::shell::Pending`]),
    /// each added to the history as one entry.
    pub fn submit_line(&mut self, exec: &mut Executor, line: &str) -> Submitted {
        let mut res = Submitted::default();
        for text in self.app.pending.push_line(line) {
            self.app.input.remember(&text);
            res.add(self.submit(exec, &text));
            if res.quit {
                break;
            }
        }
        res
    }

    /// Runs complete statements (a typed or pasted one, a demo step): dashboard commands
    /// (`.set refresh_ms`, `.export`) here, the rest through the executor, in order.
    pub fn submit(&mut self, exec: &mut Executor, line: &str) -> Submitted {
        // Test hook: the pseudo-terminal test makes the dashboard panic on a chosen line
        // to check that the panic hook restores the terminal.
        if std::env::var_os(PANIC_HOOK_ENV).is_some_and(|v| v == line.trim()) {
            panic!("panic requested by {PANIC_HOOK_ENV}");
        }
        let mut res = Submitted::default();
        self.app.begin_output(line.trim());
        let (mut statements, rest) = split_statements(line);
        if let Some(r) = rest {
            statements.push(r);
        }
        for stmt in statements {
            if let Some(r) = self.dashboard_command(&stmt) {
                res.ran += 1;
                match r {
                    Ok(msg) => self.app.output.push(&msg, OutKind::Normal),
                    Err(e) => self.error(&stmt, &e, &mut res),
                }
                continue;
            }
            let summary = self.run_statement(exec, &stmt, &mut res);
            res.ran += summary.ran;
            if summary.quit {
                res.quit = true;
                break;
            }
        }
        if self.app.output.lines.is_empty() && !res.quit {
            self.app.output.push("(no output)", OutKind::Note);
        }
        self.poll_jobs(exec);
        res
    }

    /// Runs one statement through the executor and shows its reports. A query for more
    /// rows than the pane keeps asks for only those and counts the rest (unless its
    /// results go to a `.output` file), so a huge result costs neither memory nor the
    /// results above it.
    fn run_statement(
        &mut self,
        exec: &mut Executor,
        stmt: &str,
        res: &mut Submitted,
    ) -> RunSummary {
        let cmd = parse_command(stmt).ok();
        let keep = self.app.output.keep_rows as u64;
        let bound = cmd
            .as_ref()
            .filter(|_| exec.session().output_file.is_none())
            .and_then(|c| exec.bounded(c, keep));
        let mut reports = Vec::new();
        let summary = match &bound {
            Some((capped, _)) => {
                let report = exec.run_command(stmt, capped);
                let failed = usize::from(report.result.is_err());
                let text = render_report(exec.session_mut(), &report, true);
                reports.push((report, text));
                RunSummary {
                    ran: 1,
                    failed,
                    ..RunSummary::default()
                }
            }
            None => exec.run_text(stmt, &mut |session, report| {
                let text = render_report(session, &report, true);
                reports.push((report, text));
            }),
        };
        let help = matches!(cmd, Some(Command::Session(SessionCmd::Help(_))));
        for (report, text) in reports {
            if help && self.page_help(&report) {
                continue;
            }
            let ok = report.result.is_ok();
            self.show_report(exec, &report, text, res);
            if let (true, Some((_, beyond))) = (ok, &bound) {
                // Also on the status line: the pane shows the result's first rows.
                self.app.status = Some(self.app.output.rows_not_kept(*beyond));
            }
        }
        summary
    }

    /// A `.help` text longer or wider than the output pane opens in the full-width view
    /// (read whole, not cut to the pane); true when it did.
    fn page_help(&mut self, r: &Report) -> bool {
        let Ok(Outcome::Message(text)) = &r.result else {
            return false;
        };
        let (w, h) = panes::output_size(&self.app);
        let fits = text.lines().count() <= h && text.lines().all(|l| l.chars().count() <= w);
        if fits {
            return false;
        }
        self.app.show_pager(r.input.trim(), text);
        self.app.output.push(
            "(shown in the full-width view: ↑↓ PgUp/PgDn scroll, Esc or q closes)",
            OutKind::Note,
        );
        true
    }

    fn error(&mut self, input: &str, e: &str, res: &mut Submitted) {
        res.failed += 1;
        // Bad input may carry control bytes: show them escaped, as the line shell does.
        self.app
            .output
            .push(&error_text(&format!("error: {e}")), OutKind::Error);
        let t = self.clock();
        self.app.log(
            t,
            LogKind::Error,
            &error_text(&format!("{}: {e}", input.trim())),
        );
    }

    fn show_report(&mut self, exec: &Executor, r: &Report, text: Shown, res: &mut Submitted) {
        match &r.result {
            Err(e) => self.error(&r.input, &e.to_string(), res),
            Ok(Outcome::Quit) => res.quit = true,
            Ok(Outcome::JobStarted {
                id,
                label,
                background,
            }) => {
                let t = self.clock();
                self.app
                    .log(t, LogKind::Job, &format!("[{id}] started: {label}"));
                // Only what is true: a compaction or a reopen cannot be cancelled.
                let stop = match exec.jobs().status(*id) {
                    Some(st) if !st.cancellable() => "it cannot be cancelled once started",
                    _ => "Esc cancels",
                };
                self.app.output.push(
                    &format!("[{id}] started: {label} (running; its gauge is below, {stop})"),
                    OutKind::Normal,
                );
                if let Some(duration) = timed_duration(&r.input) {
                    let clock = JobClock {
                        duration,
                        ..JobClock::default()
                    };
                    self.app.job_clocks.insert(*id, clock);
                }
                if !background {
                    res.foreground_jobs.push(*id);
                }
            }
            Ok(_) => match text {
                Shown::Text { body, notes } => {
                    self.app.output.push(&body, OutKind::Normal);
                    self.app.output.push(&notes, OutKind::Note);
                }
                Shown::ToFile => self
                    .app
                    .output
                    .push("(result written to the .output file)", OutKind::Note),
                Shown::FileFailed(msg) => self.error(&r.input, &msg, res),
            },
        }
    }

    /// `.set refresh_ms N`, `.reset refresh_ms`, `.export ...`: `None` if `stmt` does
    /// not parse to a dashboard command (the executor then runs it, or reports its parse
    /// error); else its message or error.
    pub fn dashboard_command(&mut self, stmt: &str) -> Option<Result<String, String>> {
        match parse_command(stmt).ok()? {
            Command::Dashboard(DashboardCmd::Refresh(ms)) => {
                Some(Ok(self.set_refresh(ms.unwrap_or(DEFAULT_REFRESH_MS))))
            }
            Command::Dashboard(DashboardCmd::Export { what, path }) => {
                Some(self.export(what, &path))
            }
            Command::Options(OptionsCmd::Set { name, value }) if name == OUTPUT_ROWS => {
                Some(self.set_output_rows(&value))
            }
            Command::Options(OptionsCmd::Reset(Some(name))) if name == OUTPUT_ROWS => {
                Some(self.set_output_rows(&DEFAULT_OUTPUT_ROWS.to_string()))
            }
            _ => None,
        }
    }

    /// `.set output_rows N`: rows of a result the output pane keeps.
    fn set_output_rows(&mut self, value: &str) -> Result<String, String> {
        let n = value
            .parse::<usize>()
            .ok()
            .filter(|n| (MIN_OUTPUT_ROWS..=MAX_OUTPUT_ROWS).contains(n))
            .ok_or_else(|| {
                format!(
                    ".set output_rows takes a whole number from {MIN_OUTPUT_ROWS} to \
                     {MAX_OUTPUT_ROWS} (default {DEFAULT_OUTPUT_ROWS}), got \"{}\"",
                    value.chars().take(40).collect::<String>()
                )
            })?;
        let old = std::mem::replace(&mut self.app.output.keep_rows, n);
        let msg = format!("output_rows: {old} -> {n} (rows of a result the output pane keeps)");
        let t = self.clock();
        self.app.log(t, LogKind::Info, &msg);
        Ok(msg)
    }

    fn set_refresh(&mut self, n: u64) -> String {
        let old = self.app.refresh_ms;
        self.app.refresh_ms = n;
        let msg = format!("refresh_ms: {old} -> {n} (dashboard sampling interval)");
        let t = self.clock();
        self.app.log(t, LogKind::Info, &msg);
        msg
    }

    fn export(&mut self, what: ExportWhat, path: &str) -> Result<String, String> {
        let text = match what {
            ExportWhat::MetricsCsv => self.app.series.to_csv(),
            ExportWhat::MetricsJson => {
                let mut s = serde_json::to_string_pretty(&self.app.series.to_json())
                    .map_err(|e| e.to_string())?;
                s.push('\n');
                s
            }
            ExportWhat::MetricsSvg => {
                let (svg, markers) =
                    super::export::metrics_svg_of(&self.app).map_err(|e| e.to_string())?;
                bench::plot::save_svg(std::path::Path::new(path), &svg)
                    .map_err(|e| e.to_string())?;
                return Ok(format!(
                    "wrote charts of {} samples and {markers} markers to {path}",
                    self.app.series.len()
                ));
            }
            ExportWhat::Screen => {
                let text = screen_text(&self.app, self.app.viewport);
                write_file(path, &text)?;
                return Ok(format!(
                    "wrote the screen ({}x{}) to {path}",
                    self.app.viewport.width, self.app.viewport.height
                ));
            }
        };
        write_file(path, &text)?;
        Ok(format!(
            "wrote {} samples and {} markers to {path}",
            self.app.series.len(),
            self.app.series.markers().len()
        ))
    }

    /// Handles a key's action; true when the dashboard should leave.
    fn act(
        &mut self,
        exec: &mut Executor,
        action: Action,
        terminal: &mut Term,
    ) -> anyhow::Result<bool> {
        match action {
            Action::Quit => return Ok(true),
            Action::Submit(line) => {
                if self.submit_line(exec, &line).quit {
                    return Ok(true);
                }
            }
            Action::SubmitLines(lines) => {
                if self.submit_lines(exec, &lines).quit {
                    return Ok(true);
                }
            }
            Action::CancelJob => {
                self.cancel_job(exec);
            }
            Action::ClearScreen => full_clear(terminal)?,
            Action::StopDemo => self.stop_demo(),
            Action::Redraw | Action::None => {}
        }
        Ok(false)
    }

    /// A paste of several lines: runs them in order as `--script` would (statements
    /// that span lines joined, each to its `;`), then says how many lines came and how
    /// many statements ran and failed (in the output, the status line and the log).
    pub fn submit_lines(&mut self, exec: &mut Executor, lines: &[String]) -> Submitted {
        let mut total = Submitted::default();
        for line in lines {
            total.add(self.submit_line(exec, line));
            if total.quit {
                break;
            }
        }
        let n = lines.len();
        let msg = format!(
            "pasted {n} line{}: {} ran, {} failed",
            if n == 1 { "" } else { "s" },
            total.ran,
            total.failed
        );
        self.app.output.push(&msg, OutKind::Note);
        let t = self.clock();
        self.app.log(t, LogKind::Info, &msg);
        self.app.status = Some(msg);
        total
    }

    /// Esc: asks the newest running job to stop; returns its id.
    pub fn cancel_job(&mut self, exec: &Executor) -> Option<u64> {
        let id = exec.jobs().cancel(None)?;
        let t = self.clock();
        self.app
            .log(t, LogKind::Job, &format!("[{id}] cancel requested (Esc)"));
        self.app.status = Some(format!("[{id}] cancelling…"));
        Some(id)
    }

    pub fn stop_demo(&mut self) {
        if self.demo.take().is_some() {
            self.app.demo_playing = false;
            self.app.banner = None;
            self.app.input.clear();
            let t = self.clock();
            self.app
                .log(t, LogKind::Info, "demo stopped: the dashboard is yours");
            self.app.status =
                Some("Demo stopped: the dashboard is yours (F1 lists the keys).".into());
        }
    }

    /// Advances the demo; true if something changed on screen.
    fn step_demo(&mut self, exec: &mut Executor, now: Instant) -> bool {
        let Some(player) = self.demo.as_mut() else {
            return false;
        };
        let running = player
            .waiting_for_job
            .is_some_and(|id| exec.jobs().status(id).is_some_and(|s| s.is_running()));
        match player.poll(now, running) {
            Cue::Wait => false,
            Cue::Type(s) => {
                self.app.input.set_text(&s);
                true
            }
            Cue::Run(s) => {
                self.app.input.clear();
                let r = self.submit(exec, &s);
                if let (Some(p), Some(id)) = (self.demo.as_mut(), r.foreground_jobs.last()) {
                    p.waiting_for_job = Some(*id);
                }
                true
            }
            Cue::Say(t) => {
                let c = self.clock();
                self.app.log(c, LogKind::Info, &format!("demo: {t}"));
                self.app.banner = Some(t);
                true
            }
            Cue::Finished => {
                self.demo = None;
                self.app.demo_playing = false;
                true
            }
        }
    }
}

pub use command::parse::OUTPUT_ROWS;

/// How long a job started by `input` runs when it runs for a set time (`.ycsb
/// --duration D` without `--ops`).
fn timed_duration(input: &str) -> Option<Duration> {
    match parse_command(input).ok()? {
        Command::Jobs(JobsCmd::Ycsb { args, .. }) if args.ops.is_none() => args.duration,
        _ => None,
    }
}

/// Names an input line that makes the dashboard panic (for the terminal-restore test).
pub const PANIC_HOOK_ENV: &str = "ALEXDB_TEST_PANIC_ON";

fn write_file(path: &str, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("cannot write {path}: {why}")
    })
}

/// The screen as plain text, one line per row (trailing spaces trimmed).
pub fn screen_text(app: &App, area: Rect) -> String {
    let mut buf = Buffer::empty(area);
    panes::render(app, area, &mut buf);
    buffer_text(&buf)
}

/// A buffer's symbols as text lines.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    let w = buf.area.width as usize;
    for row in buf.content.chunks(w.max(1)) {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

type Term = Terminal<CrosstermBackend<std::io::Stdout>>;

/// Clears the screen and forgets what was drawn, so the next frame is drawn whole.
/// (`Terminal::clear` would ask the terminal where its cursor is, which some terminals
/// and pseudo-terminal drivers never answer.)
fn full_clear(terminal: &mut Term) -> anyhow::Result<()> {
    let size = terminal.size()?;
    terminal.resize(Rect::new(0, 0, size.width, size.height))?;
    Ok(())
}

fn draw(terminal: &mut Term, app: &mut App) -> anyhow::Result<()> {
    let size = terminal.size()?;
    app.viewport = Rect::new(0, 0, size.width, size.height);
    terminal.draw(|f| {
        let area = f.area();
        if let Some(pos) = panes::render(app, area, f.buffer_mut()) {
            f.set_cursor_position(pos);
        }
    })?;
    Ok(())
}

/// EIO on the terminal: the kernel's answer once a terminal has hung up.
fn terminal_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
            == Some(libc::EIO)
    })
}

/// The dashboard's loop.
pub fn run(exec: &mut Executor, cfg: &TuiConfig) -> anyhow::Result<u8> {
    let history = cfg
        .history_path
        .as_deref()
        .map_or_else(History::new, History::load);
    let mut r = Runner::new(exec, history);
    if cfg.demo {
        let steps = demo::parse(demo::SCRIPT).map_err(|e| anyhow::anyhow!(e))?;
        r.demo = Some(Player::new(steps, Instant::now()));
        r.app.demo_playing = true;
    }
    for notice in exec.open_notices() {
        r.app.output.push(&notice, OutKind::Note);
        let t = r.clock();
        r.app.log(t, LogKind::Info, &notice);
        r.app.status = Some(notice);
    }
    let guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    full_clear(&mut terminal)?;
    let code = match event_loop(exec, &mut r, &mut terminal) {
        // Drawing on or reading from a terminal that hung up fails with EIO: that is the
        // hang-up, not an error to report on it.
        Err(e) if hung_up() || terminal_gone(&e) => Ok(129),
        other => other,
    };
    // Leave with no job running: cancel them and wait (their results are not shown).
    exec.jobs().stop_quiet();
    if exec.jobs().running() > 0 {
        r.app.status = Some(format!(
            "cancelling {} running job(s) before exit…",
            exec.jobs().running()
        ));
        let _ = draw(&mut terminal, &mut r.app);
        exec.jobs().cancel_all();
        for j in exec.jobs().list() {
            exec.jobs().wait(j.id, Duration::from_secs(60));
        }
    }
    drop(terminal);
    drop(guard);
    code
}

fn event_loop(exec: &mut Executor, r: &mut Runner, terminal: &mut Term) -> anyhow::Result<u8> {
    let mut next_sample = Instant::now();
    let mut next_frame = Instant::now();
    let mut dirty = true;
    loop {
        if terminate_requested() {
            return Ok(signal_exit_code());
        }
        if hung_up() {
            // No terminal to draw on or read from: leave as a SIGHUP would.
            return Ok(129);
        }
        let now = Instant::now();
        if now >= next_sample {
            r.sample(exec);
            r.poll_jobs(exec);
            next_sample = now + Duration::from_millis(r.app.refresh_ms);
            dirty = true;
        }
        let jobs_running = r.app.running_jobs().next().is_some();
        if jobs_running && now >= next_frame {
            r.poll_jobs(exec);
            next_frame = now + JOB_FRAME;
            dirty = true;
        }
        if r.step_demo(exec, now) {
            dirty = true;
        }
        if dirty {
            draw(terminal, &mut r.app)?;
            dirty = false;
        }
        let mut wake = next_sample;
        if r.app.running_jobs().next().is_some() {
            wake = wake.min(next_frame);
        }
        if let Some(p) = &r.demo {
            wake = wake.min(p.next_at().max(now));
            if p.waiting_for_job.is_some() {
                wake = wake.min(now + JOB_FRAME);
            }
        }
        let timeout = wake
            .saturating_duration_since(Instant::now())
            .min(MAX_SLEEP);
        if !event::poll(timeout)? {
            continue;
        }
        // Handle every pending event, then draw once; a long stream of input (an
        // unbracketed paste) still gets a frame every JOB_FRAME so the screen is not stale.
        let mut last_draw = Instant::now();
        // Lines of a paste that came as keys (no bracketed paste): run together at its
        // end, with the summary a bracketed paste gets.
        let mut burst: Vec<String> = Vec::new();
        loop {
            let action = match event::read()? {
                Event::Key(k) => r.app.on_key(k),
                Event::Paste(s) => r.app.on_paste(&s),
                Event::Resize(..) => Action::Redraw,
                _ => Action::None,
            };
            if action != Action::None {
                dirty = true;
            }
            let action = match action {
                Action::Submit(line) if !burst.is_empty() || event::poll(PASTE_GAP)? => {
                    burst.push(line);
                    Action::None
                }
                other => other,
            };
            if r.act(exec, action, terminal)? {
                return Ok(0);
            }
            if dirty && last_draw.elapsed() >= JOB_FRAME {
                draw(terminal, &mut r.app)?;
                dirty = false;
                last_draw = Instant::now();
            }
            // Not `Duration::ZERO`: crossterm's poll-based reader answers "nothing" to a
            // zero timeout without looking, which would draw after every pasted key.
            let wait = if burst.is_empty() {
                PENDING_INPUT_WAIT
            } else {
                PASTE_GAP
            };
            if !event::poll(wait)? {
                break;
            }
        }
        if !burst.is_empty() && r.act(exec, Action::SubmitLines(burst), terminal)? {
            return Ok(0);
        }
    }
}
