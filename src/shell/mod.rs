//! The line shell: `-c` commands, scripts and piped stdin ([`run_script`]), and the
//! interactive rustyline prompt ([`run_interactive`]). Both hand every statement to the
//! shared [`Executor`] and print its reports through one [`Printer`].
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use command::exec::{MAX_LINE_BYTES, not_utf8_text};
use command::jobs::{JobId, JobStatus, Jobs};
use command::{ExecError, Executor, Report, RunSummary};

mod printer;
pub mod progress;
mod repl;
mod sigint;
pub mod statement;

pub use printer::Printer;
pub use repl::{CONTINUATION_PROMPT, PROMPT, run_interactive};
use sigint::{INTERRUPTED, SigintGuard};
pub use statement::Pending;

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
