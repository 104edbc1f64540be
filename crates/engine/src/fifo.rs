//! Keeping ALEX in step with FIFO compaction (issue 17, bug 3; issue 27).
//!
//! FIFO compaction deletes whole table files once the database passes `fifo_max_size`.
//! Every RocksDB instance a `Db` opens in FIFO carries an event listener
//! ([`super::listener`]) that reports the key ranges of the files each FIFO compaction
//! deleted, also files created and deleted between two commands. Before a read that ALEX
//! answers alone, and before a write, the `Db` takes the ranges reported since the last
//! catch-up and removes from ALEX and the value cache the keys in them that RocksDB no
//! longer has. A deletion RocksDB has begun but not yet reported is waited for (briefly),
//! so no answer comes from between RocksDB removing the files and saying so. While
//! nothing is reported the whole cost is two relaxed atomic loads.
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::db::Db;
use super::error::DbError;
use super::listener::KeyRange;
use super::options::CompactionStyle;
use super::store::Store;
use crate::metrics::NewEvent;

/// ALEX keys compared with RocksDB per step, so no lock is held for long.
const CHUNK_KEYS: usize = 1 << 16;
/// The longest a catch-up waits for a deletion compaction RocksDB has begun to be
/// reported (it is one MANIFEST write; a timeout only makes the answer one step late).
const SETTLE_WAIT: Duration = Duration::from_secs(5);

impl Db {
    /// Brings ALEX up to date with the files FIFO compaction deleted, if it deleted any
    /// since the last call.
    #[inline]
    pub(super) fn follow_fifo(&self) {
        if !self
            .fifo
            .events
            .quiet(self.fifo.seen.load(Ordering::Relaxed))
        {
            self.catch_up_fifo();
        }
    }

    #[cold]
    fn catch_up_fifo(&self) {
        // A load or reopen making its rows visible holds the gate: skip this once (the
        // ranges stay pending, so the next call takes them) rather than wait.
        let Some(_gate) = self.write_gate.try_read() else {
            return;
        };
        // Closed (a failed reopen): nothing to compare with, and no deletion to wait for.
        if self.store().is_err() {
            return;
        }
        self.fifo.events.wait_until_settled(SETTLE_WAIT);
        let _one = self.fifo.busy.lock();
        let (ranges, handed) = self.fifo.events.take();
        // Best effort: on an error the ranges go back, so the next call tries again.
        match self.drop_vanished(&ranges) {
            Ok(()) => self.fifo.seen.store(handed, Ordering::Relaxed),
            Err(_) => self.fifo.events.put_back(ranges),
        }
    }

    /// After a flush in FIFO: waits (at most `SETTLE_WAIT`) until RocksDB has no
    /// compaction to start or running, so that the command after `.flush` already sees
    /// the files the flush made FIFO delete gone (a deletion not begun yet leaves the rows
    /// in RocksDB, so the answer would be right, but a moment later it would change).
    pub(super) fn settle_fifo_after_flush(&self) {
        if self.opts.read().compaction_style != CompactionStyle::Fifo {
            return;
        }
        let deadline = Instant::now() + SETTLE_WAIT;
        let number = |s: &Store, name: &str| -> u64 {
            s.property(name)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0)
        };
        while Instant::now() < deadline {
            let busy = match self.store() {
                Ok(s) => {
                    number(&s, "rocksdb.compaction-pending")
                        + number(&s, "rocksdb.num-running-compactions")
                }
                Err(_) => return,
            };
            if busy == 0 {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Removes from ALEX the keys in `ranges` (of deleted files) that RocksDB no longer
    /// holds.
    fn drop_vanished(&self, ranges: &[KeyRange]) -> Result<(), DbError> {
        let mut removed = 0u64;
        for (lo, hi) in merged_ranges(ranges.iter().copied()) {
            removed += self.drop_absent_in(lo, hi)?;
        }
        if removed > 0 {
            self.metrics.event(NewEvent {
                kind: "fifo",
                label: format!("fifo compaction deleted files: {removed} keys left the index"),
                ..NewEvent::default()
            });
        }
        Ok(())
    }

    /// Removes the keys in `lo..=hi` that ALEX holds and RocksDB does not, a chunk of
    /// ALEX's keys at a time. Returns how many were removed.
    fn drop_absent_in(&self, lo: i64, hi: i64) -> Result<u64, DbError> {
        let mut removed = 0;
        let mut from = lo;
        loop {
            let chunk: Vec<i64> = self
                .index
                .read()
                .range(from..=hi)
                .take(CHUNK_KEYS)
                .collect();
            let (Some(&first), Some(&last)) = (chunk.first(), chunk.last()) else {
                return Ok(removed);
            };
            let present = self.store()?.keys_between(first, last)?;
            // Last to first: ALEX removes descending keys faster than ascending ones.
            for &k in absent(&chunk, &present).iter().rev() {
                removed += u64::from(self.remove_if_gone(k)?);
            }
            if chunk.len() < CHUNK_KEYS || last >= hi {
                return Ok(removed);
            }
            from = last + 1;
        }
    }

    /// Removes `key` from ALEX and the cache if RocksDB does not hold it, checked under
    /// the key's stripe lock so that a put of the same key running now is not undone.
    fn remove_if_gone(&self, key: i64) -> Result<bool, DbError> {
        let stripe = self.stripe(key);
        let _k = stripe.lock.lock();
        if self.store()?.get_pinned(key)?.is_some() {
            return Ok(false);
        }
        let removed = self.index.write().remove(key);
        stripe.seq.fetch_add(1, Ordering::Release);
        self.cache.remove(key);
        Ok(removed)
    }
}

/// The keys of sorted `alex` missing from sorted `rocks`.
fn absent(alex: &[i64], rocks: &[i64]) -> Vec<i64> {
    let mut out = Vec::new();
    let mut r = rocks.iter().peekable();
    for &k in alex {
        while r.next_if(|&&x| x < k).is_some() {}
        if r.peek() != Some(&&k) {
            out.push(k);
        }
    }
    out
}

/// Inclusive ranges sorted and merged where they overlap or touch.
fn merged_ranges(ranges: impl Iterator<Item = (i64, i64)>) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = ranges.collect();
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (lo, hi) in v {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_keys_are_those_rocksdb_lacks() {
        assert_eq!(absent(&[1, 2, 3, 5, 8], &[0, 2, 5, 6]), vec![1, 3, 8]);
        assert_eq!(absent(&[1, 2], &[]), vec![1, 2]);
        assert!(absent(&[], &[1]).is_empty());
    }

    #[test]
    fn ranges_merge_when_they_overlap_or_touch() {
        let r = merged_ranges([(10, 20), (1, 5), (6, 8), (15, 30), (40, 40)].into_iter());
        assert_eq!(r, vec![(1, 8), (10, 30), (40, 40)]);
        let edge = merged_ranges([(i64::MAX, i64::MAX), (0, i64::MAX)].into_iter());
        assert_eq!(edge, vec![(0, i64::MAX)]);
    }
}
