//! The executor's history sampler: a thread that takes one windowed metrics snapshot a
//! second (with its own [`MetricsWindow`], so no front end's view is disturbed) into a
//! shared [`History`], follows `.open` to a new database, and stops when dropped. The
//! same in the line shell, `-c`, scripts and the dashboard, since the executor owns it.
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::Mutex;

use engine::Db;
use engine::metrics::history::{History, HistorySample, LogHist};
use engine::metrics::{HistSet, MetricsWindow, OpKind, Snapshot, clock};

/// How often the history takes a sample.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(1);

/// The database being sampled; `generation` changes on `.open`.
struct Target {
    db: Arc<Db>,
    generation: u64,
}

pub(crate) struct Sampler {
    target: Arc<Mutex<Target>>,
    history: Arc<Mutex<History>>,
    state: Arc<Mutex<Loop>>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Sampler {
    /// Starts sampling `db`. If the thread cannot start, the history stays empty (and
    /// commands that need it say there is no window).
    pub fn start(db: Arc<Db>) -> Self {
        let target = Arc::new(Mutex::new(Target { db, generation: 0 }));
        let history = Arc::new(Mutex::new(History::default()));
        let state = Arc::new(Mutex::new(Loop::default()));
        // The first sample covers everything since open: it only primes the window.
        state.lock().step(&target, &history);
        let (tx, rx) = mpsc::channel::<()>();
        let (t, h, st) = (
            Arc::clone(&target),
            Arc::clone(&history),
            Arc::clone(&state),
        );
        let thread = std::thread::Builder::new()
            .name("alexdb-history".into())
            .spawn(move || {
                // Any message or a dropped sender stops the loop; a timeout samples.
                while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(SAMPLE_EVERY) {
                    st.lock().step(&t, &h);
                }
            })
            .ok();
        Sampler {
            target,
            history,
            state,
            stop: Some(tx),
            thread,
        }
    }

    /// Takes a sample now (a command about to read the history wants the work that just
    /// finished in it; the sample is shorter than a second, and says so).
    pub fn sample_now(&self) {
        self.state.lock().step(&self.target, &self.history);
    }

    /// Samples `db` from now on; the old database's samples are dropped (a window never
    /// mixes two databases). The old `Arc` is released here, before this returns.
    pub fn follow(&self, db: Arc<Db>) {
        {
            let mut t = self.target.lock();
            t.db = db;
            t.generation += 1;
        }
        self.history.lock().clear();
        self.sample_now();
    }

    pub fn history(&self) -> &Arc<Mutex<History>> {
        &self.history
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            // The loop wakes at once when the sender is gone; a panic in it is not ours
            // to propagate from a destructor.
            let _ = t.join();
        }
    }
}

/// The sampling thread's state between ticks.
#[derive(Default)]
struct Loop {
    window: MetricsWindow,
    prev: Option<HistSet>,
    generation: u64,
}

impl Loop {
    fn step(&mut self, target: &Mutex<Target>, history: &Mutex<History>) {
        // Held while sampling, so `.open` waits for this sample and then owns the old Db.
        let t = target.lock();
        if t.generation != self.generation {
            *self = Loop {
                generation: t.generation,
                ..Loop::default()
            };
        }
        let snap = t.db.metrics_window(&mut self.window);
        drop(t);
        if let Some(sample) = history_sample(snap, &self.window, &mut self.prev) {
            history.lock().push(sample);
        }
    }
}

/// The history's sample for window snapshot `snap`, with the latencies between the
/// histograms `prev` held and `window`'s now (kept in `prev` for the next). The first
/// call on a database covers everything since open: it only primes (`None`).
pub(crate) fn history_sample(
    snap: Snapshot,
    window: &MetricsWindow,
    prev: &mut Option<HistSet>,
) -> Option<HistorySample> {
    let now = window.histograms().cloned()?;
    let before = prev.replace(now.clone())?;
    let h = now.since(&before);
    let ns = clock::ns_per_tick();
    let latency = OpKind::ALL.map(|k| LogHist::from_hdr(h.get(k), ns));
    Some(HistorySample::new(snap, latency))
}
