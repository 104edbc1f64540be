//! The terminal: raw mode, the alternate screen and bracketed paste while the dashboard
//! runs, and their undoing on every way out — a normal exit and `?` errors (the guard's
//! `Drop`), a panic (a panic hook that restores before the message prints), and
//! SIGTERM/SIGHUP (a handler that asks the loop to leave; if the loop is stuck in a long
//! command, a watcher thread restores the terminal itself and exits).
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

/// The terminal is in dashboard mode (so a restore has something to undo).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// SIGTERM or SIGHUP arrived.
static TERMINATE: AtomicBool = AtomicBool::new(false);
/// Which of them (for the exit status, 128 + signal).
static SIGNAL_NO: AtomicI32 = AtomicI32::new(0);
/// Write end of the pipe the signal handler wakes the watcher through (-1: none).
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);
static PANIC_HOOK: Once = Once::new();

/// How long the loop gets to leave by itself after SIGTERM before the watcher restores
/// the terminal and ends the process.
const TERM_GRACE: Duration = Duration::from_secs(3);

/// Undoes what [`TerminalGuard::enter`] did. Safe to call any number of times, from any
/// thread.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = std::io::stdout();
        let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, Show);
        let _ = disable_raw_mode();
        let _ = out.flush();
    }
}

/// The same from a thread that must not wait for std's stdout lock (the signal watcher:
/// the loop may hold it, or be stuck, see [`hung_up`]): the escapes go straight to fd 1.
fn restore_raw() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        // Bracketed paste off, main screen, cursor shown.
        let esc = b"\x1b[?2004l\x1b[?1049l\x1b[?25h";
        // SAFETY: writes a static buffer to the process's stdout descriptor.
        unsafe {
            libc::write(1, esc.as_ptr().cast(), esc.len());
        }
        let _ = disable_raw_mode();
    }
}

/// True once SIGTERM or SIGHUP arrived: the loop should leave.
pub fn terminate_requested() -> bool {
    TERMINATE.load(Ordering::SeqCst)
}

/// The exit status for the signal that arrived: 128 + its number (143 for SIGTERM, 129
/// for SIGHUP).
pub fn signal_exit_code() -> u8 {
    (128 + SIGNAL_NO.load(Ordering::SeqCst).clamp(0, 127)) as u8
}

/// True when the terminal on stdin has hung up (its window closed, the session ended).
/// crossterm would then read end-of-file forever inside its poll, so the loop checks
/// this before it waits for input, and leaves.
pub fn hung_up() -> bool {
    // SAFETY: isatty and a zero-timeout poll of fd 0 into a valid local.
    unsafe {
        if libc::isatty(0) != 1 {
            return false;
        }
        let mut p = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        libc::poll(&mut p, 1, 0) > 0
            && p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
}

extern "C" fn on_signal(sig: libc::c_int) {
    // Async-signal-safe only: atomic stores and a write(2).
    SIGNAL_NO.store(sig, Ordering::SeqCst);
    TERMINATE.store(true, Ordering::SeqCst);
    let fd = SIGNAL_PIPE.load(Ordering::SeqCst);
    if fd >= 0 {
        let b = 1u8;
        // SAFETY: writes one byte from a valid local to a pipe descriptor.
        unsafe {
            libc::write(fd, (&b as *const u8).cast(), 1);
        }
    }
}

/// While alive, the terminal is in dashboard mode and SIGTERM/SIGHUP are handled.
pub struct TerminalGuard {
    old_term: libc::sigaction,
    old_hup: libc::sigaction,
    pipe: [libc::c_int; 2],
    /// The loop has finished: the watcher must not exit the process.
    done: Arc<AtomicBool>,
}

impl TerminalGuard {
    pub fn enter() -> anyhow::Result<Self> {
        PANIC_HOOK.call_once(|| {
            let prev = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                prev(info);
            }));
        });
        TERMINATE.store(false, Ordering::SeqCst);
        let done = Arc::new(AtomicBool::new(false));
        let mut pipe = [-1; 2];
        // SAFETY: pipe(2) fills the two descriptors.
        if unsafe { libc::pipe(pipe.as_mut_ptr()) } != 0 {
            anyhow::bail!("cannot create a pipe: {}", std::io::Error::last_os_error());
        }
        SIGNAL_PIPE.store(pipe[1], Ordering::SeqCst);
        let (old_term, old_hup) = install_handlers();
        let watch_done = Arc::clone(&done);
        let read_fd = pipe[0];
        let _ = std::thread::Builder::new()
            .name("alexdb-tui-signals".into())
            .spawn(move || watch(read_fd, &watch_done));
        let guard = TerminalGuard {
            old_term,
            old_hup,
            pipe,
            done,
        };
        enable_raw_mode().map_err(|e| anyhow::anyhow!("the dashboard needs a terminal: {e}"))?;
        ACTIVE.store(true, Ordering::SeqCst);
        execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableBracketedPaste
        )?;
        Ok(guard)
    }
}

fn install_handlers() -> (libc::sigaction, libc::sigaction) {
    // SAFETY: plain sigaction calls with zeroed, then filled-in structs; the handler is
    // async-signal-safe.
    unsafe {
        let mut new: libc::sigaction = std::mem::zeroed();
        new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut new.sa_mask);
        let mut old_term: libc::sigaction = std::mem::zeroed();
        let mut old_hup: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGTERM, &new, &mut old_term);
        libc::sigaction(libc::SIGHUP, &new, &mut old_hup);
        (old_term, old_hup)
    }
}

/// Waits for a signal byte; then gives the loop [`TERM_GRACE`] to leave, and if it is
/// still inside (a long command, or crossterm spinning on a hung-up terminal), restores
/// the terminal and ends the process.
fn watch(fd: libc::c_int, done: &AtomicBool) {
    let mut b = 0u8;
    // SAFETY: reads one byte into a valid local; returns 0 at EOF (guard dropped).
    let n = unsafe { libc::read(fd, (&mut b as *mut u8).cast(), 1) };
    // SAFETY: closes the read end this thread owns.
    unsafe {
        libc::close(fd);
    }
    if n != 1 || done.load(Ordering::SeqCst) {
        return;
    }
    let deadline = Instant::now() + TERM_GRACE;
    while Instant::now() < deadline {
        if done.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    restore_raw();
    let msg = format!(
        "alexdb: ended by signal {} (the dashboard could not leave by itself within {} s)\n",
        SIGNAL_NO.load(Ordering::SeqCst),
        TERM_GRACE.as_secs()
    );
    // SAFETY: writes a local buffer to stderr, then ends the process at once; RocksDB's
    // WAL keeps acknowledged writes.
    unsafe {
        libc::write(2, msg.as_ptr().cast(), msg.len());
        libc::_exit(i32::from(signal_exit_code()));
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
        self.done.store(true, Ordering::SeqCst);
        SIGNAL_PIPE.store(-1, Ordering::SeqCst);
        // SAFETY: restores the saved actions and closes the write end, which wakes the
        // watcher with EOF so it ends.
        unsafe {
            libc::sigaction(libc::SIGTERM, &self.old_term, std::ptr::null_mut());
            if hung_up() || terminate_requested() {
                // The terminal is gone (its SIGHUP may still be on the way): ignore it, so
                // the shutdown that follows closes the database instead of being killed.
                libc::signal(libc::SIGHUP, libc::SIG_IGN);
            } else {
                libc::sigaction(libc::SIGHUP, &self.old_hup, std::ptr::null_mut());
            }
            libc::close(self.pipe[1]);
        }
    }
}
