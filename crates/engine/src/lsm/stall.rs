//! The write-stall timeline: RocksDB's condition changes (normal, delayed, stopped) as
//! the listener heard them, each stalled period charged to its cause.
use std::time::Instant;

use crate::metrics::{StallSeconds, StallState};

use super::parse::StallCounts;

/// RocksDB's `WriteStallCondition`, in its numbering (include/rocksdb/types.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Condition {
    Delayed,
    Stopped,
    #[default]
    Normal,
}

impl Condition {
    /// From the C++ enum's value; `None` for one this build does not know.
    pub(crate) fn from_raw(v: i32) -> Option<Condition> {
        match v {
            0 => Some(Condition::Delayed),
            1 => Some(Condition::Stopped),
            2 => Some(Condition::Normal),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Condition::Delayed => "delayed",
            Condition::Stopped => "stopped",
            Condition::Normal => "normal",
        }
    }
}

/// The causes, as the snapshot names them.
pub(crate) const L0: &str = "l0 files";
pub(crate) const MEMTABLES: &str = "memtables";
pub(crate) const PENDING: &str = "pending bytes";
/// A stalled period whose cause neither the counters nor the tree's shape named.
pub(crate) const UNKNOWN: &str = "unknown";

/// A condition change heard from the listener, waiting for its cause.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change {
    pub at: Instant,
    pub from: Condition,
    pub to: Condition,
}

/// The cause of a change to `to`: the one whose RocksDB counter for `to` grew most
/// between `before` and `now` (RocksDB counts a cause each time it recomputes the
/// condition and finds it, so the cause of a new stall has grown since the last
/// reading). `None` when none grew (then the caller looks at the tree's shape).
pub(crate) fn cause_from_counts(
    to: Condition,
    before: &StallCounts,
    now: &StallCounts,
) -> Option<&'static str> {
    let grown = |a: u64, b: u64| b.saturating_sub(a);
    let candidates = match to {
        Condition::Delayed => [
            (
                MEMTABLES,
                grown(before.memtable_delays, now.memtable_delays),
            ),
            (L0, grown(before.l0_delays, now.l0_delays)),
            (PENDING, grown(before.pending_delays, now.pending_delays)),
        ],
        Condition::Stopped => [
            (MEMTABLES, grown(before.memtable_stops, now.memtable_stops)),
            (L0, grown(before.l0_stops, now.l0_stops)),
            (PENDING, grown(before.pending_stops, now.pending_stops)),
        ],
        Condition::Normal => return None,
    };
    // Ties go to the first, in RocksDB's own order of checking (memtables, L0, bytes).
    candidates
        .iter()
        .filter(|(_, n)| *n > 0)
        .fold(
            None,
            |best: Option<(&'static str, u64)>, &(c, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((c, n)),
            },
        )
        .map(|(c, _)| c)
}

/// The tree's shape and the limits in force, for a cause the counters did not name.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shape {
    pub immutable_memtables: u64,
    pub l0_files: u64,
    pub pending_bytes: u64,
    pub max_write_buffer_number: u64,
    pub l0_slowdown: u64,
    pub l0_stop: u64,
    pub soft_pending: u64,
    pub hard_pending: u64,
}

/// The cause RocksDB's own rule (ColumnFamilyData::GetWriteStallConditionAndCause)
/// gives for `to` with the tree as it is now.
pub(crate) fn cause_from_shape(to: Condition, s: &Shape) -> Option<&'static str> {
    let past = |v: u64, limit: u64| limit > 0 && v >= limit;
    match to {
        Condition::Stopped => {
            if past(s.immutable_memtables, s.max_write_buffer_number) {
                Some(MEMTABLES)
            } else if past(s.l0_files, s.l0_stop) {
                Some(L0)
            } else if past(s.pending_bytes, s.hard_pending) {
                Some(PENDING)
            } else {
                None
            }
        }
        Condition::Delayed => {
            let memtable_limit = s.max_write_buffer_number.saturating_sub(1);
            if s.max_write_buffer_number > 3 && past(s.immutable_memtables, memtable_limit) {
                Some(MEMTABLES)
            } else if past(s.l0_files, s.l0_slowdown) {
                Some(L0)
            } else if past(s.pending_bytes, s.soft_pending) {
                Some(PENDING)
            } else {
                None
            }
        }
        Condition::Normal => None,
    }
}

/// Changes kept in time order before they are folded into the totals: RocksDB can
/// report a change late (below), and one arriving within this many later changes is
/// still put in its place.
const RECENT: usize = 64;

/// Stalled seconds per cause, and the condition now.
///
/// Changes are kept sorted by when they happened, not by when they were reported: a
/// change a writer caused (its memtable switch filled the last memtable) is reported by
/// RocksDB only when that write returns, after the stall it started is over, and after
/// the change that ended it. The listener stamps a change with the moment RocksDB
/// installed the version that caused it (listener/lsm.rs), and here it goes before the
/// later change already heard.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    /// The condition and cause after the last folded change, and when it began.
    base: (Condition, Option<&'static str>, Option<Instant>),
    folded: u64,
    /// Closed periods of folded changes: (cause, delayed seconds, stopped seconds).
    by_cause: Vec<(&'static str, f64, f64)>,
    /// The newest changes, oldest first, with their causes.
    recent: Vec<(Change, Option<&'static str>)>,
}

impl Timeline {
    /// The condition became `c.to` at `c.at`, for `cause` (`None` when normal).
    pub(crate) fn apply(&mut self, c: &Change, cause: Option<&'static str>) {
        let cause = match c.to {
            Condition::Normal => None,
            _ => Some(cause.unwrap_or(UNKNOWN)),
        };
        let at = self.recent.partition_point(|(r, _)| r.at <= c.at);
        self.recent.insert(at, (*c, cause));
        if self.recent.len() > RECENT {
            let (old, cause) = self.recent.remove(0);
            charge(&mut self.by_cause, self.base, old.at);
            self.base = (old.to, cause, Some(old.at));
            self.folded += 1;
        }
    }

    /// The state at `now`, the current period included.
    pub(crate) fn state(&self, now: Instant) -> StallState {
        let mut by_cause = self.by_cause.clone();
        let (mut cond, mut cause, mut since) = self.base;
        for (c, k) in &self.recent {
            charge(&mut by_cause, (cond, cause, since), c.at);
            (cond, cause, since) = (c.to, *k, Some(c.at));
        }
        charge(&mut by_cause, (cond, cause, since), now);
        StallState {
            condition: cond.name(),
            cause,
            changes: self.folded + self.recent.len() as u64,
            by_cause: by_cause
                .into_iter()
                .map(|(cause, delayed_secs, stopped_secs)| StallSeconds {
                    cause,
                    delayed_secs,
                    stopped_secs,
                })
                .collect(),
        }
    }
}

/// Charges the period from `since` to `until` to its condition and cause.
fn charge(
    by: &mut Vec<(&'static str, f64, f64)>,
    (cond, cause, since): (Condition, Option<&'static str>, Option<Instant>),
    until: Instant,
) {
    if let Some(since) = since.filter(|_| cond != Condition::Normal) {
        let secs = until.saturating_duration_since(since).as_secs_f64();
        add(by, cause.unwrap_or(UNKNOWN), cond, secs);
    }
}

fn add(by: &mut Vec<(&'static str, f64, f64)>, cause: &'static str, c: Condition, secs: f64) {
    let i = match by.iter().position(|(k, ..)| *k == cause) {
        Some(i) => i,
        None => {
            by.push((cause, 0.0, 0.0));
            by.len() - 1
        }
    };
    match c {
        Condition::Delayed => by[i].1 += secs,
        Condition::Stopped => by[i].2 += secs,
        Condition::Normal => {}
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn change(t0: Instant, ms: u64, from: Condition, to: Condition) -> Change {
        Change {
            at: t0 + Duration::from_millis(ms),
            from,
            to,
        }
    }

    #[test]
    fn periods_are_charged_to_their_cause_and_condition() {
        let t0 = Instant::now();
        let mut t = Timeline::default();
        t.apply(
            &change(t0, 0, Condition::Normal, Condition::Delayed),
            Some(L0),
        );
        t.apply(
            &change(t0, 300, Condition::Delayed, Condition::Stopped),
            Some(L0),
        );
        t.apply(
            &change(t0, 500, Condition::Stopped, Condition::Normal),
            None,
        );
        t.apply(
            &change(t0, 1000, Condition::Normal, Condition::Delayed),
            Some(MEMTABLES),
        );
        let s = t.state(t0 + Duration::from_millis(1100));
        assert_eq!(
            (s.condition, s.cause, s.changes),
            ("delayed", Some(MEMTABLES), 4)
        );
        let l0 = s.by_cause.iter().find(|c| c.cause == L0).unwrap();
        assert!((l0.delayed_secs - 0.3).abs() < 1e-9 && (l0.stopped_secs - 0.2).abs() < 1e-9);
        let mem = s.by_cause.iter().find(|c| c.cause == MEMTABLES).unwrap();
        assert!((mem.delayed_secs - 0.1).abs() < 1e-9, "{mem:?}");
    }

    #[test]
    fn a_change_reported_late_goes_in_its_place() {
        let t0 = Instant::now();
        let mut t = Timeline::default();
        // The stop's end is heard first, its beginning (stamped earlier) afterwards.
        t.apply(
            &change(t0, 400, Condition::Stopped, Condition::Normal),
            None,
        );
        t.apply(
            &change(t0, 100, Condition::Normal, Condition::Stopped),
            Some(MEMTABLES),
        );
        let s = t.state(t0 + Duration::from_millis(1000));
        assert_eq!((s.condition, s.cause, s.changes), ("normal", None, 2));
        let mem = s.by_cause.iter().find(|c| c.cause == MEMTABLES).unwrap();
        assert!((mem.stopped_secs - 0.3).abs() < 1e-9, "{mem:?}");
        // Folding old changes keeps the totals.
        for i in 0..RECENT as u64 {
            let (from, to) = if i % 2 == 0 {
                (Condition::Normal, Condition::Delayed)
            } else {
                (Condition::Delayed, Condition::Normal)
            };
            t.apply(&change(t0, 2000 + 10 * i, from, to), Some(L0));
        }
        let s = t.state(t0 + Duration::from_secs(10));
        assert_eq!(s.changes, 2 + RECENT as u64);
        let mem = s.by_cause.iter().find(|c| c.cause == MEMTABLES).unwrap();
        assert!((mem.stopped_secs - 0.3).abs() < 1e-9, "{mem:?}");
        let l0 = s.by_cause.iter().find(|c| c.cause == L0).unwrap();
        assert!(
            (l0.delayed_secs - 0.01 * RECENT as f64 / 2.0).abs() < 1e-9,
            "{l0:?}"
        );
    }

    #[test]
    fn the_cause_is_the_counter_that_grew_most_for_that_condition() {
        let before = StallCounts::default();
        let now = StallCounts {
            l0_delays: 3,
            memtable_delays: 1,
            pending_stops: 2,
            ..before
        };
        assert_eq!(
            cause_from_counts(Condition::Delayed, &before, &now),
            Some(L0)
        );
        assert_eq!(
            cause_from_counts(Condition::Stopped, &before, &now),
            Some(PENDING)
        );
        assert_eq!(cause_from_counts(Condition::Stopped, &now, &now), None);
        assert_eq!(cause_from_counts(Condition::Normal, &before, &now), None);
    }

    #[test]
    fn the_shape_names_a_cause_as_rocksdb_decides_it() {
        let s = Shape {
            immutable_memtables: 1,
            l0_files: 21,
            max_write_buffer_number: 4,
            l0_slowdown: 20,
            l0_stop: 36,
            soft_pending: 64 << 30,
            hard_pending: 256 << 30,
            ..Shape::default()
        };
        assert_eq!(cause_from_shape(Condition::Delayed, &s), Some(L0));
        assert_eq!(cause_from_shape(Condition::Stopped, &s), None);
        let full = Shape {
            immutable_memtables: 4,
            ..s
        };
        assert_eq!(cause_from_shape(Condition::Stopped, &full), Some(MEMTABLES));
        let no_limit = Shape {
            l0_files: 0,
            pending_bytes: 1 << 40,
            soft_pending: 0,
            ..s
        };
        assert_eq!(cause_from_shape(Condition::Delayed, &no_limit), None);
    }
}
