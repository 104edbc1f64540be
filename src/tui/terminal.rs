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

/// True once SIGTERM or SIGHUP arrived: the loop should leave.
pub fn terminate_requested() -> bool {
    TERMINATE.load(Ordering::SeqCst)
}

extern "C" fn on_signal(_: libc::c_int) {
    // Async-signal-safe only: an atomic store and a write(2).
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
/// still inside (a long command), restores the terminal and ends the process.
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
    restore();
    eprintln!("alexdb: terminated while a command was running");
    // SAFETY: ends the process at once; RocksDB's WAL keeps acknowledged writes.
    unsafe { libc::_exit(143) };
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
            libc::sigaction(libc::SIGHUP, &self.old_hup, std::ptr::null_mut());
            libc::close(self.pipe[1]);
        }
    }
}
