//! The shell's output: every report, and the results of background jobs as they finish.
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::sigint::{INTERRUPTED, SigintGuard};
use command::exec::job_result;
use command::jobs::{JobId, JobState, JobStatus, Jobs};
use command::render::{self, Shown, render_report, report_json};
use command::{Report, RunSummary, Session};

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
