//! Ctrl-C while the shell waits for jobs: a handler that only sets a flag, installed
//! for as long as a guard lives.
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by Ctrl-C while a foreground job runs; the waiter cancels the job.
pub(super) static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// While it lives, Ctrl-C (SIGINT) sets [`INTERRUPTED`] instead of what it did before
/// (ending the process in scripts; rustyline's handler at the prompt), which it restores
/// when dropped.
pub(super) struct SigintGuard {
    old: libc::sigaction,
}

impl SigintGuard {
    pub(super) fn install() -> Option<Self> {
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
