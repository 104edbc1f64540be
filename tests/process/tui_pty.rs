//! The real binary's dashboard in a pseudo-terminal, read through the vt100 crate: type
//! commands and find their results, the changed option and the cache pane on screen;
//! a job's gauge and Esc; resizing (including below 80x24); and that the terminal is
//! restored (alternate screen left, cursor shown) after `.quit`, Ctrl-C and SIGTERM.
use crate::support::pty::Term;
use std::time::{Duration, Instant};

/// The row of the screen that contains `needle`.
fn line_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{screen}"))
}

#[test]
fn type_commands_see_results_option_and_cache_then_quit() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp"], home.path());
    t.wait_for("F8 Options");
    assert!(t.in_dashboard(), "the dashboard uses the alternate screen");
    t.wait_for("alexdb>");

    t.send("put 1 a\r");
    t.wait_for("OK (new key)");
    t.send("get 1\r");
    let s = t.wait_for("|   1 | a     |");
    assert!(line_with(&s, "F9 Output").contains("get 1"), "{s}");

    t.send(".set value_cache_entries 10\r");
    let s = t.wait_for("value_cache_entries: 1000000000 -> 10");
    // The options pane lists the change first, marked, with its new value.
    let s = if s.contains("*value_cache_entries") {
        s
    } else {
        t.wait_for("*value_cache_entries")
    };
    let opt = line_with(&s, "*value_cache_entries");
    assert!(opt.contains(" 10 "), "{opt}");
    assert!(s.contains("1 changed"), "{s}");
    // The cache pane shows the new capacity once the next sample is drawn.
    let s = t.wait_for("/10 entries");
    assert!(s.contains("F5 Cache"), "{s}");
    assert!(line_with(&s, "/10 entries").contains("value used"), "{s}");
    // The change is in the event log and marked on the charts. The log is drawn from
    // the event queue, which a busy machine may hand over a frame after the sample.
    let s = if s.contains("value_cache_entries 1000000000 -> 10 (live)") {
        s
    } else {
        t.wait_for("value_cache_entries 1000000000 -> 10 (live)")
    };
    assert!(s.contains("value_cache_entries=10"), "{s}");

    // A bad line: one error, the dashboard goes on.
    t.send("gte 1\r");
    t.wait_for("error: unknown command \"gte\"");

    t.send(".quit\r");
    let status = t.exit();
    assert!(status.success(), "{status:?}");
    assert!(t.restored(), "alternate screen left and cursor shown");
    let history = std::fs::read_to_string(home.path().join("alexdb").join("history"))
        .expect("history shared with the line shell");
    assert_eq!(
        history.lines().collect::<Vec<_>>(),
        vec![
            "put 1 a",
            "get 1",
            ".set value_cache_entries 10",
            "gte 1",
            ".quit"
        ]
    );
}

#[test]
fn keys_help_history_job_gauge_and_esc_cancel() {
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(home.path().join("alexdb")).expect("mkdir");
    std::fs::write(home.path().join("alexdb").join("history"), "put 7 seven\n").expect("write");
    let mut t = Term::spawn(&["--temp"], home.path());
    t.wait_for("alexdb>");
    // F1 shows the help; Esc closes it.
    t.send("\x1bOP");
    t.wait_for("show or hide this help");
    t.send("\x1b");
    t.wait_until("help closed", |s| !s.contains("show or hide this help"));
    // Up recalls the history file's entry; Enter runs it.
    t.send("\x1b[A");
    t.wait_for("alexdb> put 7 seven");
    t.send("\r");
    t.wait_for("OK (new key)");
    // Tab with an empty line moves the focus (the focused pane has a thick border).
    t.send("\t");
    let s = t.wait_for("┏ F2 Throughput");
    assert!(!s.contains("┏ F9 Output"), "{s}");
    // A long load runs as a job with a gauge while the dashboard stays live.
    t.send(".load sequential 50000000 --value-size 10\r");
    t.wait_for("[1] .load");
    t.wait_for("Esc cancels");
    t.send("get 7\r");
    t.wait_for("| seven |");
    // Esc asks first; `y` confirms.
    t.send("\x1b");
    t.wait_for("Esc again or y cancels it");
    t.send("y");
    t.wait_for("cancel requested");
    t.wait_until("job finished", |s| {
        s.contains("cancelled in") || s.contains("done in")
    });
    // Ctrl-C leaves.
    t.send("\x03");
    assert!(t.exit().success());
    assert!(t.restored());
}

#[test]
fn resize_below_the_minimum_then_back() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp"], home.path());
    t.wait_for("F8 Options");
    t.resize(20, 70);
    let s = t.wait_for("Terminal too small");
    assert!(s.contains("70x20"), "{s}");
    assert!(s.contains("80x24"), "{s}");
    t.resize(24, 80);
    t.wait_until("redrawn at 80x24", |s| {
        s.contains("F8 Options") && !s.contains("too small")
    });
    // Ctrl-D on an empty line leaves.
    t.send("\x04");
    assert!(t.exit().success());
    assert!(t.restored());
}

/// Sends `sig` to a running dashboard: it leaves with status 128 + sig, restored.
fn signal_restores_the_terminal(sig: libc::c_int, code: u32) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp"], home.path());
    t.wait_for("F8 Options");
    assert!(t.in_dashboard());
    let pid = t.child.process_id().expect("pid") as libc::pid_t;
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    let status = t.exit();
    assert_eq!(status.exit_code(), code, "{status:?}");
    assert!(t.restored(), "terminal restored after signal {sig}");
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal(libc::SIGTERM, 143);
}

#[test]
fn sighup_leaves_with_status_129_and_restores() {
    signal_restores_the_terminal(libc::SIGHUP, 129);
}

#[test]
fn a_panic_restores_the_terminal_and_prints_its_message() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn_env(
        &["--temp"],
        home.path(),
        &[("ALEXDB_TEST_PANIC_ON", "panic now")],
    );
    t.wait_for("F8 Options");
    assert!(t.in_dashboard());
    t.send("panic now\r");
    let status = t.exit();
    assert!(!status.success(), "{status:?}");
    assert!(t.restored(), "terminal restored after a panic");
    // The hook restored the screen before the message printed, so it is readable.
    let screen = t.screen();
    assert!(
        screen.contains("panic requested by ALEXDB_TEST_PANIC_ON"),
        "{screen}"
    );
}

/// Closing the terminal (the window, tmux or ssh going away) hangs up the pseudo-terminal:
/// the dashboard must end, not spin reading end-of-file. Here the pty is opened with
/// libc, so the test owns the only master descriptor and can really close it.
#[test]
fn a_closed_terminal_ends_the_dashboard() {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let home = tempfile::tempdir().expect("tempdir");
    let (mut master, mut slave) = (-1, -1);
    let ws = libc::winsize {
        ws_row: 40,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills the two descriptors; the other pointers are null or valid.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &ws,
        )
    };
    assert_eq!(rc, 0, "openpty");
    // The child must not inherit the master, or the terminal never hangs up.
    // SAFETY: fcntl on the two descriptors openpty just returned.
    unsafe {
        libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::fcntl(slave, libc::F_SETFD, libc::FD_CLOEXEC);
    }
    let tty = |fd: libc::c_int| {
        // SAFETY: dup of a descriptor this test owns.
        Stdio::from(unsafe {
            <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(libc::dup(fd))
        })
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alexdb"));
    cmd.arg("--temp")
        .env("XDG_DATA_HOME", home.path())
        .env("TERM", "xterm-256color")
        .stdin(tty(slave))
        .stdout(tty(slave))
        .stderr(tty(slave));
    // SAFETY: only async-signal-safe calls between fork and exec: a new session whose
    // controlling terminal is the pty, as a terminal emulator sets it up.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn");
    // SAFETY: the child holds its own copies; the test keeps only the master.
    unsafe { libc::close(slave) };
    // Read until the dashboard is drawn.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !String::from_utf8_lossy(&seen).contains("Options") {
        assert!(Instant::now() < deadline, "the dashboard never drew");
        let mut p = libc::pollfd {
            fd: master,
            events: libc::POLLIN,
            revents: 0,
        };
        let mut buf = [0u8; 8192];
        // SAFETY: poll and read into valid locals on the test's own descriptor.
        unsafe {
            if libc::poll(&mut p, 1, 100) > 0 {
                let n = libc::read(master, buf.as_mut_ptr().cast(), buf.len());
                if n > 0 {
                    seen.extend_from_slice(&buf[..n as usize]);
                }
            }
        }
    }
    // Hang up: close the only master descriptor.
    // SAFETY: closes the test's own descriptor once.
    unsafe { libc::close(master) };
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the dashboard kept running after its terminal closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(129), "{status:?}");
}

/// `n` put lines for keys `from..from + n`, each ended by a carriage return (what a
/// terminal sends for a line break).
fn put_lines(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("put {i} value-{i}\r"))
        .collect()
}

#[test]
fn pasted_lines_all_run_bracketed_or_not() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp"], home.path());
    t.wait_for("alexdb>");
    // A bracketed paste of 1,000 lines: each runs as a line.
    t.send(&format!("\x1b[200~{}\x1b[201~", put_lines(0, 1000)));
    t.wait_for("pasted 1000 lines: 1000 ran, 0 failed");
    // An unbracketed paste (a terminal without bracketed paste): 300 lines as keys.
    t.send(&put_lines(1000, 300));
    t.send("count\r");
    t.wait_for("|  1300 |");
    t.send(".quit\r");
    assert!(t.exit().success());
    assert!(t.restored());
}

/// What the open has to say (here: the options the database saved) reaches the
/// dashboard's output pane; on stderr it would be hidden behind the full screen.
#[test]
fn the_dashboard_shows_the_saved_options_at_open() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = home.path().join("db");
    let db = db.to_str().expect("utf-8 path");
    let set = std::process::Command::new(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--db", db, "-c", ".set block_size 8KiB"])
        .output()
        .expect("run alexdb");
    assert!(set.status.success(), "{set:?}");
    let mut t = Term::spawn(&["--db", db], home.path());
    let s = t.wait_for("options differing from the defaults");
    assert!(
        line_with(&s, "options differing").contains("block_size=8KiB (saved)"),
        "{s}"
    );
    t.send("\x04");
    assert!(t.exit().success());
    assert!(t.restored());
}

/// Issue 30: a multi-line SELECT pasted into the dashboard runs once, as written: one
/// filtered result and no error. Typed SQL without its `;` waits at the continuation
/// prompt; lines that arrive as keys (no bracketed paste) get the paste's summary; the
/// statements enter the Up-arrow history as one line each.
#[test]
fn pasted_sql_runs_as_written() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut t = Term::spawn(&["--temp"], home.path());
    t.wait_for("alexdb>");
    // Four lines at once, as a terminal without bracketed paste sends a paste.
    t.send("put 4 d\rput 5 e\rput 6 f\rput 7 g\r");
    t.wait_for("pasted 4 lines: 4 ran, 0 failed");
    t.send("\x1b[200~SELECT * FROM kv\r WHERE key BETWEEN 5 AND 6;\r\x1b[201~");
    let s = t.wait_for("pasted 2 lines: 1 ran, 0 failed");
    let s = if s.contains("|   6 | f     |") {
        s
    } else {
        t.wait_for("|   6 | f     |")
    };
    assert!(s.contains("|   5 | e     |"), "{s}");
    assert!(!s.contains("|   7 |") && !s.contains("error"), "{s}");

    t.send("SELECT COUNT(*) FROM kv\r");
    let s = t.wait_for("   ...>");
    assert!(s.contains("waiting for ;"), "{s}");
    assert!(!s.contains("|        4 |"), "it waits for its `;`:\n{s}");
    t.send(";\r");
    t.wait_for("|        4 |");
    t.wait_until("the prompt back", |s| !s.contains("   ...>"));

    // Up: the typed statement, then the pasted one, each on one line.
    t.send("\x1b[A");
    let in_line = |s: &str, text: &str| {
        s.lines()
            .any(|l| l.starts_with("alexdb> ") && l.contains(text))
    };
    t.wait_until("the count in the line", |s| {
        in_line(s, "SELECT COUNT(*) FROM kv ;")
    });
    t.send("\x1b[A");
    t.wait_until("the pasted statement in the line", |s| {
        in_line(s, "SELECT * FROM kv WHERE key BETWEEN 5 AND 6;")
    });
    t.send("\x15.quit\r");
    assert!(t.exit().success());
    assert!(t.restored());
}

/// The resident set of process `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Issue 30: `SELECT * FROM kv;` over 200,000 rows keeps the pane's bound of rows and
/// says how many it did not keep, and the process does not grow by the result's size
/// (it grew by hundreds of MiB at 1M rows when every row was kept).
#[test]
fn a_big_select_keeps_a_bounded_result() {
    let home = tempfile::tempdir().expect("tempdir");
    let args = ["--temp", "--set", "warm_value_cache=off"];
    let mut t = Term::spawn(&args, home.path());
    t.wait_for("alexdb>");
    t.send(".load sequential 200000\r");
    t.wait_for("done in");
    t.send("count\r");
    t.wait_for("200000");
    let pid = t.child.process_id().expect("pid");
    std::thread::sleep(Duration::from_millis(500));
    let before = rss_kib(pid);
    t.send("SELECT * FROM kv;\r");
    let s = t.wait_for("199,000 more rows not kept");
    assert!(
        line_with(&s, "F9 Output").contains("SELECT * FROM kv;"),
        "{s}"
    );
    let grown = rss_kib(pid).saturating_sub(before);
    assert!(grown < 40 << 10, "RSS grew by {} MiB", grown >> 10);
    t.send(".quit\r");
    assert!(t.exit().success());
}
