//! The line shell: `-c` commands, scripts and piped stdin ([`run_script`]), and the
//! interactive rustyline prompt ([`run_interactive`]). Both hand every statement to the
//! shared [`Executor`] and print its reports through one [`Printer`].
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use command::exec::{MAX_LINE_BYTES, job_result, not_utf8_text};
use command::jobs::{JobId, JobState, JobStatus, Jobs};
use command::render::{self, Shown, render_report, report_json};
use command::{ExecError, Executor, Report, RunSummary, Session};

pub mod progress;
mod repl;
pub mod statement;

pub use repl::{CONTINUATION_PROMPT, PROMPT, run_interactive};
pub use statement::Pending;

/// Writes reports: results to stdout (or the `.output` file), errors to stderr, each
/// flushed at once so a program on the other end of a pipe sees every answer as it comes.
pub struct Printer<'a> {
    /// Background jobs whose results are printed when they finish.
    jobs: Option<Jobs>,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// `--json`: one object per command on stdout.
    json: bool,
    /// Setting confirmations (`mode csv`) are shown only to a person at a prompt.
    interactive: bool,
    /// Why results could no longer be written, once a write failed; nothing more is
    /// written after it.
    write_error: Option<std::io::ErrorKind>,
}

impl<'a> Printer<'a> {
    pub fn new(
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
        json: bool,
        interactive: bool,
    ) -> Self {
        Printer {
            jobs: None,
            out,
            err,
            json,
            interactive,
            write_error: None,
        }
    }

    /// The kind of the write error that stopped the output, if one did
    /// (`BrokenPipe`: the reader went away).
    pub fn write_error(&self) -> Option<std::io::ErrorKind> {
        self.write_error
    }

    /// The exit status a script run ends with: 1 after a failed command or a failed
    /// write of results, 141 (128 + SIGPIPE, what a shell reports for a program a
    /// closed pipe ended) after the reader went away.
    pub fn exit_status(&self, summary: &RunSummary) -> u8 {
        match self.write_error {
            Some(std::io::ErrorKind::BrokenPipe) => 141,
            Some(_) => 1,
            None => u8::from(summary.failed > 0),
        }
    }

    /// Prints the results of background jobs of `jobs` as they finish.
    pub fn with_jobs(mut self, jobs: Jobs) -> Self {
        self.jobs = Some(jobs);
        self
    }

    /// Prints background jobs that finished since the last call.
    pub fn finished_jobs(&mut self, session: &mut Session) {
        let Some(jobs) = self.jobs.clone() else {
            return;
        };
        for st in jobs.take_finished() {
            // The value cache's warm-up is the session's own: a script's output never
            // shows it (it may end at any point of the script); a person sees one line.
            if st.is_quiet() && !self.interactive {
                continue;
            }
            let input = format!("[{}] {}", st.id, st.label);
            let elapsed = st.elapsed;
            let result = job_result(st);
            self.emit_one(
                session,
                Report {
                    input,
                    result,
                    elapsed,
                    stats: None,
                },
            );
        }
    }

    /// Asks running background jobs to stop, waits for them, and prints their results
    /// (the end of an interactive session; a script's end waits: [`Printer::wait_for_jobs`]).
    pub fn stop_jobs(&mut self, session: &mut Session) {
        let Some(jobs) = self.jobs.clone() else {
            return;
        };
        // The value cache's warm-up is the session's own work: stopped without a word.
        jobs.stop_quiet();
        if jobs.running() > 0 {
            let _ = writeln!(
                self.err,
                "cancelling {} running job(s) before exit",
                jobs.running()
            );
            jobs.cancel_all();
            for j in jobs.list() {
                jobs.wait(j.id, std::time::Duration::from_secs(600));
            }
        }
        self.finished_jobs(session);
    }

    /// At the end of a script's input (`-c`, `--script`, piped stdin): waits for the
    /// background jobs still running, saying so on stderr (Ctrl-C cancels them), and
    /// prints their results. Returns how many of them did not finish their work
    /// (cancelled or failed), for the exit status.
    pub fn wait_for_jobs(&mut self, session: &mut Session) -> usize {
        let Some(jobs) = self.jobs.clone() else {
            return 0;
        };
        // The value cache's warm-up is an optimisation, not the script's work: the end of
        // input cancels it quietly rather than waiting for it.
        jobs.stop_quiet();
        let running: Vec<JobId> = jobs
            .list()
            .into_iter()
            .filter(JobStatus::is_running)
            .map(|j| j.id)
            .collect();
        if !running.is_empty() {
            // Ctrl-C cancels from before the line that says so.
            INTERRUPTED.store(false, Ordering::SeqCst);
            let guard = SigintGuard::install();
            let _ = writeln!(
                self.err,
                "end of input: waiting for {} running job(s) to finish (Ctrl-C cancels them)",
                running.len()
            );
            let _ = self.err.flush();
            for &id in &running {
                while jobs
                    .wait(id, Duration::from_millis(100))
                    .is_some_and(|st| st.is_running())
                {
                    if INTERRUPTED.swap(false, Ordering::SeqCst) {
                        let _ = writeln!(self.err, "cancelling the running job(s)");
                        jobs.cancel_all();
                    }
                }
            }
            drop(guard);
        }
        // A load that finished meanwhile may have started a warm-up.
        jobs.stop_quiet();
        let unfinished = running
            .iter()
            .filter_map(|&id| jobs.status(id))
            .filter(|st| {
                matches!(
                    st.state,
                    JobState::Done { cancelled: true } | JobState::Failed(_)
                )
            })
            .count();
        self.finished_jobs(session);
        unfinished
    }

    /// Prints one report (after the results of jobs that finished meanwhile).
    pub fn emit(&mut self, session: &mut Session, r: Report) {
        self.finished_jobs(session);
        self.emit_one(session, r);
    }

    /// Prints one report. A result that cannot be written (disk full, `/dev/full`)
    /// gives one error line and stops the run; a closed pipe stops it quietly.
    fn emit_one(&mut self, session: &mut Session, r: Report) {
        if self.write_error.is_some() {
            session.output_failed = true;
            return;
        }
        let written = if self.json {
            let dest: &mut dyn Write = match session.output_file.as_mut() {
                Some(f) => f,
                None => &mut *self.out,
            };
            writeln!(dest, "{}", report_json(&r))
                .and_then(|()| dest.flush())
                .map_err(|e| (e.kind(), render::output_error(session, &e)))
        } else {
            match render_report(session, &r, self.interactive) {
                Shown::Text { body, notes } => self
                    .write_out(&[&body, &notes])
                    .map_err(|e| (e.kind(), render::output_error(session, &e))),
                Shown::ToFile => Ok(()),
                Shown::FileFailed(msg) => Err((std::io::ErrorKind::Other, msg)),
            }
        };
        // stderr is best effort: it is where failures are told, there is nowhere else.
        if let Err(e) = &r.result {
            let _ = writeln!(self.err, "error: {}", render::error_text(&e.to_string()));
            let _ = self.err.flush();
        }
        if let Err((kind, msg)) = written {
            self.write_failed(session, kind, &msg);
        }
    }

    fn write_out(&mut self, parts: &[&str]) -> std::io::Result<()> {
        for p in parts {
            self.out.write_all(p.as_bytes())?;
        }
        self.out.flush()
    }

    /// Records a failed write of results: the run stops; the error is told unless the
    /// reader closed the pipe (as other shells, which a closed pipe ends quietly).
    fn write_failed(&mut self, session: &mut Session, kind: std::io::ErrorKind, msg: &str) {
        self.write_error = Some(kind);
        session.output_failed = true;
        if kind != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(self.err, "error: {msg}");
            let _ = self.err.flush();
        }
    }
}

/// Runs `text` (from `-c`) and reports how it went.
pub fn run_commands(exec: &mut Executor, text: &str, printer: &mut Printer<'_>) -> RunSummary {
    exec.run_text(text, &mut |s, r| printer.emit(s, r))
}

/// Reads statements from `input` line by line and runs each as soon as it is complete
/// (a data command at its newline or `;`, SQL at its `;`), so a driver that writes one
/// command and waits for the answer gets it. A line that is not UTF-8 is one error
/// naming its line number, and the rest runs. Stops at `.quit`, at the end of the
/// input, or (with `bail`) at the first failure.
pub fn run_script(
    exec: &mut Executor,
    input: &mut dyn BufRead,
    printer: &mut Printer<'_>,
) -> std::io::Result<RunSummary> {
    let mut total = RunSummary::default();
    let mut pending = Pending::default();
    let mut bytes = Vec::new();
    let mut line_no = 0usize;
    loop {
        bytes.clear();
        let read = read_line_capped(input, &mut bytes, MAX_LINE_BYTES)?;
        if read == Line::End {
            if let Some(text) = pending.take() {
                run_statement(exec, printer, &text, &mut total);
            }
            break;
        }
        line_no += 1;
        if let Line::TooLong(len) = read {
            // The statement it belonged to is cut: dropped with it, never run in part.
            pending.clear();
            if skipped_line(exec, printer, too_long_text(line_no, len), &[], &mut total) {
                break;
            }
            continue;
        }
        let Ok(line) = std::str::from_utf8(&bytes) else {
            let why = not_utf8_text(None, line_no);
            if skipped_line(exec, printer, why, &bytes, &mut total) {
                break;
            }
            continue;
        };
        let ready = pending.push_line(line);
        if ready
            .iter()
            .any(|text| run_statement(exec, printer, text, &mut total))
        {
            break;
        }
    }
    Ok(total)
}

/// Runs `text` and adds it to `total`; true when the run must stop.
fn run_statement(
    exec: &mut Executor,
    printer: &mut Printer<'_>,
    text: &str,
    total: &mut RunSummary,
) -> bool {
    let s = exec.run_text(text, &mut |s, r| printer.emit(s, r));
    total.ran += s.ran;
    total.failed += s.failed;
    total.stopped = s.stopped;
    total.quit = s.quit;
    s.stopped
}

/// How [`read_line_capped`] ended.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// The input ended before any byte.
    End,
    /// A line (with its newline, unless the input ended first).
    Whole,
    /// A line over the cap, of this many bytes, read to its end and dropped.
    TooLong(u64),
}

/// Reads one line into `buf` holding at most `cap` bytes of it: a longer line (or a
/// stream without newlines, such as `/dev/zero`) is read on and dropped, so memory stays
/// bounded whatever the input.
fn read_line_capped(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Line> {
    let mut dropped: Option<u64> = None;
    loop {
        let avail = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            break;
        }
        let end = avail.iter().position(|&b| b == b'\n');
        let n = end.map_or(avail.len(), |i| i + 1);
        match &mut dropped {
            None if buf.len() + n <= cap => buf.extend_from_slice(&avail[..n]),
            None => {
                dropped = Some((buf.len() + n) as u64);
                buf.clear();
            }
            Some(d) => *d += n as u64,
        }
        input.consume(n);
        if end.is_some() {
            break;
        }
    }
    Ok(match dropped {
        Some(len) => Line::TooLong(len),
        None if buf.is_empty() => Line::End,
        None => Line::Whole,
    })
}

/// The error for input line `line_no`, `len` bytes long, over [`MAX_LINE_BYTES`].
fn too_long_text(line_no: usize, len: u64) -> String {
    format!(
        "line {line_no} is {len} bytes long, over the {} MiB a line may have; skipped \
         (with the statement it was part of)",
        MAX_LINE_BYTES >> 20
    )
}

/// Reports input line `bytes` as skipped for `why`; true when `--bail` stops the run.
fn skipped_line(
    exec: &mut Executor,
    printer: &mut Printer<'_>,
    why: String,
    bytes: &[u8],
    total: &mut RunSummary,
) -> bool {
    let report = Report {
        input: String::from_utf8_lossy(bytes).trim_end().to_string(),
        result: Err(ExecError::Refused(why)),
        elapsed: Duration::ZERO,
        stats: None,
    };
    printer.emit(exec.session_mut(), report);
    total.ran += 1;
    total.failed += 1;
    total.stopped = exec.bail || printer.write_error().is_some();
    total.stopped
}

/// Runs the script file at `path`.
pub fn run_script_file(
    exec: &mut Executor,
    path: &Path,
    printer: &mut Printer<'_>,
) -> anyhow::Result<RunSummary> {
    let f = std::fs::File::open(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        anyhow::anyhow!("cannot read script {}: {why}", path.display())
    })?;
    let mut r = std::io::BufReader::new(f);
    run_script(exec, &mut r, printer)
        .map_err(|e| anyhow::anyhow!("reading script {}: {e}", path.display()))
}

/// Set by Ctrl-C while a foreground job runs; the waiter cancels the job.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// While it lives, Ctrl-C (SIGINT) sets [`INTERRUPTED`] instead of what it did before
/// (ending the process in scripts; rustyline's handler at the prompt), which it restores
/// when dropped.
struct SigintGuard {
    old: libc::sigaction,
}

impl SigintGuard {
    fn install() -> Option<Self> {
        // SAFETY: plain sigaction calls with zeroed, then filled-in structs; the handler
        // only stores an atomic.
        unsafe {
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut new.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            (libc::sigaction(libc::SIGINT, &new, &mut old) == 0).then_some(SigintGuard { old })
        }
    }
}

impl Drop for SigintGuard {
    fn drop(&mut self) {
        // SAFETY: restores the action saved by `install`.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.old, std::ptr::null_mut());
        }
    }
}

/// Waits for a foreground job with a progress bar on stderr; Ctrl-C cancels it.
pub fn wait_with_progress(jobs: &Jobs, id: JobId) -> JobStatus {
    let bar = progress::BarProgress::new();
    INTERRUPTED.store(false, Ordering::SeqCst);
    let guard = SigintGuard::install();
    let st = loop {
        let Some(st) = jobs.wait(id, Duration::from_millis(100)) else {
            break None;
        };
        if !st.is_running() {
            break Some(st);
        }
        bar.show_job(&st);
        if INTERRUPTED.swap(false, Ordering::SeqCst) {
            jobs.cancel(Some(id));
        }
    };
    drop(guard);
    bar.finish();
    st.unwrap_or_else(|| JobStatus {
        id,
        kind: "job",
        label: String::new(),
        phase: String::new(),
        state: command::jobs::JobState::Failed("the job disappeared".into()),
        done: 0,
        total: None,
        unit: "",
        elapsed: Duration::ZERO,
        result: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_line_over_the_cap_is_dropped_whole_and_the_next_is_read() {
        let long = std::io::repeat(b'x').take(10_000);
        let rest: &[u8] = b"\nok\nlast";
        let mut input = std::io::BufReader::with_capacity(64, long.chain(rest));
        let mut buf = Vec::new();
        let first = read_line_capped(&mut input, &mut buf, 100).expect("read");
        assert_eq!(first, Line::TooLong(10_001));
        assert!(
            buf.is_empty() && buf.capacity() <= 100 + 64,
            "{}",
            buf.capacity()
        );
        assert_eq!(
            read_line_capped(&mut input, &mut buf, 100).ok(),
            Some(Line::Whole)
        );
        assert_eq!(buf, b"ok\n");
        buf.clear();
        assert_eq!(
            read_line_capped(&mut input, &mut buf, 100).ok(),
            Some(Line::Whole)
        );
        assert_eq!(buf, b"last");
        buf.clear();
        assert_eq!(
            read_line_capped(&mut input, &mut buf, 100).ok(),
            Some(Line::End)
        );
    }

    #[test]
    fn a_line_of_exactly_the_cap_is_kept() {
        let mut input: &[u8] = b"abcd\nabcde\n";
        let mut buf = Vec::new();
        assert_eq!(
            read_line_capped(&mut input, &mut buf, 5).ok(),
            Some(Line::Whole)
        );
        assert_eq!(buf, b"abcd\n");
        buf.clear();
        assert_eq!(
            read_line_capped(&mut input, &mut buf, 5).ok(),
            Some(Line::TooLong(6))
        );
    }
}
