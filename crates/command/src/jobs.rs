//! Long commands (`.load`, `.bench`, `.ycsb`) run as jobs on worker threads. A job
//! reports progress through atomics and can be cancelled; front ends poll [`Jobs::list`]
//! (the dashboard draws gauges, the line shell a progress bar) and never block on it
//! unless they choose to wait.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

pub use super::outcome::JobId;
use super::outcome::{ExecError, Outcome};

/// The kind of the session's own jobs (see [`JobStatus::is_quiet`]).
pub const QUIET_KIND: &str = "warm";

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    /// Finished; `cancelled` when it stopped early because it was asked to (what it did
    /// until then is kept and reported).
    Done {
        cancelled: bool,
    },
    Failed(String),
}

/// A job as front ends see it.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub id: JobId,
    /// `load`, `bench`, `ycsb`; `compact` and `reopen` (a `.set` that reopens), which
    /// cannot be cancelled.
    pub kind: &'static str,
    /// The command that started it.
    pub label: String,
    /// What it is doing now (`loading sqlite`, `queries alexdb`).
    pub phase: String,
    pub state: JobState,
    /// Work done so far and the total when known, in `unit`s (`rows`, `ops`).
    pub done: u64,
    pub total: Option<u64>,
    pub unit: &'static str,
    pub elapsed: Duration,
    /// The job's result once it is `Done`.
    pub result: Option<Outcome>,
}

impl JobStatus {
    /// Fraction done in 0..=1 when the total is known.
    pub fn fraction(&self) -> Option<f64> {
        self.total
            .filter(|t| *t > 0)
            .map(|t| (self.done as f64 / t as f64).clamp(0.0, 1.0))
    }

    pub fn is_running(&self) -> bool {
        self.state == JobState::Running
    }

    /// A job the session runs for itself (the value cache's warm-up, kind `warm`), not
    /// one the user asked for: a script's output never shows its result (a person at
    /// the prompt gets one line), the end of a script's input cancels it instead of
    /// waiting, and `.open` or leaving stops it without a word.
    pub fn is_quiet(&self) -> bool {
        self.kind == QUIET_KIND
    }

    /// Whether a cancel can stop it: RocksDB cannot stop a manual compaction through the
    /// crate, and a reopen must finish.
    pub fn cancellable(&self) -> bool {
        !matches!(self.kind, "compact" | "reopen")
    }
}

/// What a job's worker uses to report progress and notice cancellation.
#[derive(Debug, Clone, Default)]
pub struct JobHandle {
    done: Arc<AtomicU64>,
    /// `u64::MAX`: unknown.
    total: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    phase: Arc<Mutex<String>>,
}

impl JobHandle {
    /// A handle for work that runs outside a job registry (CLI benchmarks, tests).
    pub fn detached() -> Self {
        let h = Self::default();
        h.total.store(u64::MAX, Ordering::Relaxed);
        h
    }

    /// A new phase: its name and size (`None`: unknown); progress restarts at 0.
    pub fn set_phase(&self, name: &str, total: Option<u64>) {
        *self.phase.lock() = name.to_string();
        self.total
            .store(total.unwrap_or(u64::MAX), Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    pub fn phase(&self) -> String {
        self.phase.lock().clone()
    }

    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn add_done(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// True once someone asked the job to stop; the worker should wind up and return
    /// what it has.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The flag itself, for code that takes an `&AtomicBool` (dataset readers).
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }
}

struct Entry {
    id: JobId,
    kind: &'static str,
    label: String,
    unit: &'static str,
    handle: JobHandle,
    started: Instant,
    finished: Option<Instant>,
    state: JobState,
    result: Option<Outcome>,
    /// Reported by `take_finished` already.
    reported: bool,
}

impl Entry {
    fn status(&self) -> JobStatus {
        let total = self.handle.total.load(Ordering::Relaxed);
        JobStatus {
            id: self.id,
            kind: self.kind,
            label: self.label.clone(),
            phase: self.handle.phase(),
            state: self.state.clone(),
            done: self.handle.done(),
            total: (total != u64::MAX).then_some(total),
            unit: self.unit,
            elapsed: self.finished.unwrap_or_else(Instant::now) - self.started,
            result: self.result.clone(),
        }
    }
}

#[derive(Default)]
struct Inner {
    next: JobId,
    entries: Vec<Entry>,
}

/// The jobs of one session. Cloning gives another handle to the same registry.
#[derive(Clone, Default)]
pub struct Jobs {
    inner: Arc<(Mutex<Inner>, Condvar)>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs")
            .field("jobs", &self.inner.0.lock().entries.len())
            .finish()
    }
}

impl Jobs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts `work` on a new thread. It gets a handle for progress and cancellation and
    /// returns the job's result.
    pub fn spawn<F>(&self, kind: &'static str, label: &str, unit: &'static str, work: F) -> JobId
    where
        F: FnOnce(&JobHandle) -> Result<Outcome, ExecError> + Send + 'static,
    {
        let handle = JobHandle::detached();
        let id = {
            let mut g = self.inner.0.lock();
            g.next += 1;
            let id = g.next;
            g.entries.push(Entry {
                id,
                kind,
                label: label.to_string(),
                unit,
                handle: handle.clone(),
                started: Instant::now(),
                finished: None,
                state: JobState::Running,
                result: None,
                reported: false,
            });
            id
        };
        let jobs = self.clone();
        std::thread::Builder::new()
            .name(format!("alexdb-job-{id}"))
            .spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&handle)));
                let (state, result) = match r {
                    Ok(Ok(o)) => {
                        let cancelled = handle.cancelled();
                        // A job that ran to its end did all of its last phase, whatever
                        // its last progress report said (`.jobs` shows N/N).
                        let total = handle.total.load(Ordering::Relaxed);
                        if !cancelled && total != u64::MAX {
                            handle.done.fetch_max(total, Ordering::Relaxed);
                        }
                        (JobState::Done { cancelled }, Some(o))
                    }
                    Ok(Err(e)) => (JobState::Failed(e.to_string()), None),
                    Err(_) => (JobState::Failed("the job panicked".to_string()), None),
                };
                let (lock, cv) = &*jobs.inner;
                let mut g = lock.lock();
                if let Some(e) = g.entries.iter_mut().find(|e| e.id == id) {
                    e.state = state;
                    e.result = result;
                    e.finished = Some(Instant::now());
                }
                cv.notify_all();
            })
            .map_or_else(
                |e| {
                    // No thread: fail the job at once rather than leave it "running".
                    let mut g = self.inner.0.lock();
                    if let Some(en) = g.entries.iter_mut().find(|en| en.id == id) {
                        en.state = JobState::Failed(format!("cannot start a thread: {e}"));
                        en.finished = Some(Instant::now());
                    }
                },
                |_| {},
            );
        id
    }

    /// Every job of the session, oldest first.
    pub fn list(&self) -> Vec<JobStatus> {
        self.inner
            .0
            .lock()
            .entries
            .iter()
            .map(Entry::status)
            .collect()
    }

    pub fn status(&self, id: JobId) -> Option<JobStatus> {
        self.inner
            .0
            .lock()
            .entries
            .iter()
            .find(|e| e.id == id)
            .map(Entry::status)
    }

    /// Asks job `id` (or, with `None`, the newest running job) to stop. Returns the id
    /// asked, or `None` if there was no such running job.
    pub fn cancel(&self, id: Option<JobId>) -> Option<JobId> {
        let g = self.inner.0.lock();
        let e = match id {
            Some(id) => g.entries.iter().find(|e| e.id == id)?,
            None => g
                .entries
                .iter()
                .rev()
                .find(|e| e.state == JobState::Running)?,
        };
        if e.state != JobState::Running {
            return None;
        }
        e.handle.cancel();
        Some(e.id)
    }

    /// Asks every running job to stop.
    pub fn cancel_all(&self) {
        for e in self.inner.0.lock().entries.iter() {
            e.handle.cancel();
        }
    }

    /// Waits until job `id` finishes, or `timeout` passes; returns its status.
    pub fn wait(&self, id: JobId, timeout: Duration) -> Option<JobStatus> {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.inner;
        let mut g = lock.lock();
        loop {
            let e = g.entries.iter().find(|e| e.id == id)?;
            if e.state != JobState::Running || Instant::now() >= deadline {
                return Some(e.status());
            }
            cv.wait_until(&mut g, deadline);
        }
    }

    /// Jobs that finished since the last call (each reported once).
    pub fn take_finished(&self) -> Vec<JobStatus> {
        let mut g = self.inner.0.lock();
        let mut out = Vec::new();
        for e in g.entries.iter_mut() {
            if e.state != JobState::Running && !e.reported {
                e.reported = true;
                out.push(e.status());
            }
        }
        out
    }

    /// Cancels the running quiet jobs (the value cache's warm-up) and waits for them;
    /// returns how many there were. Their results are never printed.
    pub fn stop_quiet(&self) -> usize {
        let ids: Vec<JobId> = {
            let g = self.inner.0.lock();
            g.entries
                .iter()
                .filter(|e| e.kind == QUIET_KIND && e.state == JobState::Running)
                .map(|e| {
                    e.handle.cancel();
                    e.id
                })
                .collect()
        };
        for &id in &ids {
            self.wait(id, Duration::from_secs(600));
            self.mark_reported(id);
        }
        ids.len()
    }

    /// Marks job `id` as reported (a front end that waited for it printed its result).
    pub fn mark_reported(&self, id: JobId) {
        if let Some(e) = self.inner.0.lock().entries.iter_mut().find(|e| e.id == id) {
            e.reported = true;
        }
    }

    pub fn running(&self) -> usize {
        self.inner
            .0
            .lock()
            .entries
            .iter()
            .filter(|e| e.state == JobState::Running)
            .count()
    }
}

impl bench::Progress for JobHandle {
    fn phase(&self, name: &str, total: Option<u64>) {
        self.set_phase(name, total);
    }
    fn advance(&self, n: u64) {
        self.add_done(n);
    }
    fn cancelled(&self) -> bool {
        JobHandle::cancelled(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 27 item 8: a job that ran to its end shows N/N even when its last progress
    /// report was earlier (a sweep reports a step when it starts it); a cancelled one
    /// keeps what it reported.
    #[test]
    fn a_finished_job_shows_all_of_its_steps() {
        let jobs = Jobs::new();
        let run = |cancel: bool| {
            let id = jobs.spawn("sweep", ".sweep x", "steps", move |h: &JobHandle| {
                h.set_phase("sweeping", Some(2));
                h.set_done(1);
                if cancel {
                    h.cancel();
                }
                Ok(Outcome::Message("swept".into()))
            });
            jobs.wait(id, Duration::from_secs(10)).expect("job")
        };
        let done = run(false);
        assert_eq!(done.state, JobState::Done { cancelled: false });
        assert_eq!((done.done, done.total), (2, Some(2)));
        let table = crate::exec::jobs_table(&[done]);
        let shown = format!("{:?}", table.rows[0]);
        assert!(shown.contains("2/2 steps (100%)"), "{shown}");

        let cancelled = run(true);
        assert_eq!(cancelled.state, JobState::Done { cancelled: true });
        assert_eq!(cancelled.done, 1);
    }
}
