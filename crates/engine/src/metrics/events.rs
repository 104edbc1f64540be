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
    /// `option`, `reopen`, `flush`, `compact` (a `.compact` command), `compaction` and
    /// `stall` (both from RocksDB's event listener).
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
    /// What RocksDB reported of a flush, a compaction or a stall change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsm: Option<LsmEvent>,
}

/// A flush, compaction or write-stall change as RocksDB's event listener reported it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LsmEvent {
    /// Flush or compaction reason (`l0 files`, `level size`, `manual`, `write buffer
    /// full`, ...); for a stall, its cause (`l0 files`, `memtables`, `pending bytes`).
    pub reason: String,
    pub job: i32,
    /// Input and output level (a flush: -1 to 0).
    pub from_level: i32,
    pub to_level: i32,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub records_in: u64,
    pub records_out: u64,
    pub files_in: u64,
    pub files_out: u64,
    /// A stall change: `normal`, `delayed` or `stopped`, before and after.
    pub stall_from: Option<&'static str>,
    pub stall_to: Option<&'static str>,
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
    pub lsm: Option<LsmEvent>,
}

#[derive(Debug, Default)]
pub(crate) struct EventLog {
    inner: Mutex<(u64, VecDeque<Event>)>,
}

impl EventLog {
    pub fn push(&self, opened: Instant, e: NewEvent) -> Event {
        self.push_at(opened, Instant::now(), e)
    }

    /// Records an event that happened at `at` (a flush RocksDB reported before the log
    /// heard of it): its times are `at`'s, its id the next one, so ids follow the order
    /// events were logged, not always the order they happened.
    pub fn push_at(&self, opened: Instant, at: Instant, e: NewEvent) -> Event {
        let ago = at.elapsed();
        let mut g = self.inner.lock();
        g.0 += 1;
        let ev = Event {
            id: g.0,
            at_secs: at.saturating_duration_since(opened).as_secs_f64(),
            unix_ms: SystemTime::now()
                .checked_sub(ago)
                .unwrap_or(UNIX_EPOCH)
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            kind: e.kind,
            option: e.option,
            old: e.old,
            new: e.new,
            applied: e.applied,
            secs: e.secs,
            label: e.label,
            lsm: e.lsm,
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
