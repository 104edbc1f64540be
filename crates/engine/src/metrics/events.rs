//! Events: things that happened to the database at a moment (an option changed, a
//! reopen, a flush or compaction), so charts can mark cause next to effect.
use std::collections::VecDeque;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::Serialize;

/// Events kept in memory (older ones are dropped).
const KEEP: usize = 1024;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Increasing from 1 over the life of the database handle.
    pub id: u64,
    /// Seconds since the database was opened.
    pub at_secs: f64,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// `option`, `reopen`, `flush`, `compact`.
    pub kind: &'static str,
    /// For `option`: the option's name.
    pub option: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    /// How the change was applied: `live`, `new files`, `reopen`, `rolled back`.
    pub applied: Option<String>,
    /// How long it took.
    pub secs: f64,
    /// A short human text (`compaction_style level -> universal (reopen, 0.42 s)`).
    pub label: String,
}

/// Fields of an event before it is numbered and stamped.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub kind: &'static str,
    pub option: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    pub applied: Option<String>,
    pub secs: f64,
    pub label: String,
}

#[derive(Debug, Default)]
pub(crate) struct EventLog {
    inner: Mutex<(u64, VecDeque<Event>)>,
}

impl EventLog {
    pub fn push(&self, opened: Instant, e: NewEvent) -> Event {
        let mut g = self.inner.lock();
        g.0 += 1;
        let ev = Event {
            id: g.0,
            at_secs: opened.elapsed().as_secs_f64(),
            unix_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            kind: e.kind,
            option: e.option,
            old: e.old,
            new: e.new,
            applied: e.applied,
            secs: e.secs,
            label: e.label,
        };
        g.1.push_back(ev.clone());
        if g.1.len() > KEEP {
            g.1.pop_front();
        }
        ev
    }

    /// The id of the newest event (0 if none).
    pub fn last_id(&self) -> u64 {
        self.inner.lock().0
    }

    /// Events with `id > after`, oldest first.
    pub fn since(&self, after: u64) -> Vec<Event> {
        self.inner
            .lock()
            .1
            .iter()
            .filter(|e| e.id > after)
            .cloned()
            .collect()
    }
}
