//! Keeping ALEX in step with FIFO compaction (issue 17, bug 3).
//!
//! FIFO compaction deletes whole table files once the database passes `fifo_max_size`,
//! and the `rocksdb` crate has no event listener to say so. While the compaction style is
//! FIFO, the `Db` remembers the live table files and RocksDB's super-version number (it
//! changes whenever the file set does, and is cheap to read). Before a read that ALEX
//! answers alone, and before a write, a changed number makes the `Db` compare the file
//! sets: for each file that vanished, the keys ALEX holds in its key range that RocksDB no
//! longer has are removed from ALEX and the value cache. Outside FIFO the only cost is
//! one relaxed atomic load.
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::Mutex;

use super::db::Db;
use super::error::DbError;
use super::store::{Store, TableFile};
use crate::metrics::NewEvent;

/// A super-version number RocksDB never reports: forces the next check to compare files.
const UNSEEN: u64 = u64::MAX;
/// ALEX keys compared with RocksDB per step, so no lock is held for long.
const CHUNK_KEYS: usize = 1 << 16;

/// What the `Db` knows of RocksDB's table files while in FIFO.
#[derive(Debug)]
pub(super) struct FifoWatch {
    /// The compaction style is FIFO: reads and writes check for deleted files.
    active: AtomicBool,
    /// RocksDB's super-version number when `files` was taken.
    seen: AtomicU64,
    /// The table files ALEX is known to agree with. The lock also makes one thread do a
    /// catch-up while the others wait for its result.
    files: Mutex<Vec<TableFile>>,
}

impl FifoWatch {
    pub(super) fn new() -> FifoWatch {
        FifoWatch {
            active: AtomicBool::new(false),
            seen: AtomicU64::new(UNSEEN),
            files: Mutex::new(Vec::new()),
        }
    }

    /// Starts (or stops) watching `store`, whose files ALEX now agrees with. Called
    /// before ALEX is built from `store`'s keys, so a file deleted meanwhile is caught.
    pub(super) fn start(&self, store: &Store, fifo: bool) {
        let mut files = self.files.lock();
        files.clear();
        self.seen.store(UNSEEN, Ordering::Relaxed);
        if fifo {
            let n = store.super_version();
            // Without the list, the first check records the files it finds (files
            // deleted before that go unnoticed; listing them fails only on a broken store).
            if let Ok(f) = store.table_files() {
                *files = f;
                self.seen.store(n, Ordering::Relaxed);
            }
        }
        self.active.store(fifo, Ordering::Relaxed);
    }

    /// Before a reopen closes `old`: keep the files ALEX agrees with so the reopened
    /// database is compared with them. Entering FIFO, that is `old`'s files now (after
    /// the flush that put everything in files); already in FIFO, the list kept so far
    /// (files deleted since the last check are still in it).
    pub(super) fn before_reopen(&self, old: &Store, next_fifo: bool) {
        let mut files = self.files.lock();
        if !next_fifo {
            files.clear();
        } else if !self.active.load(Ordering::Relaxed) {
            *files = old.table_files().unwrap_or_default();
        }
    }

    /// After a reopen (or its roll back) opened a store in FIFO or not. Its
    /// super-version numbers start again, so the next check compares files.
    pub(super) fn after_reopen(&self, fifo: bool) {
        self.seen.store(UNSEEN, Ordering::Relaxed);
        if !fifo {
            self.files.lock().clear();
        }
        self.active.store(fifo, Ordering::Relaxed);
    }
}

impl Db {
    /// Brings ALEX up to date with files FIFO compaction deleted, if in FIFO.
    #[inline]
    pub(super) fn follow_fifo(&self) {
        if self.fifo.active.load(Ordering::Relaxed) {
            self.catch_up_fifo();
        }
    }

    #[cold]
    fn catch_up_fifo(&self) {
        // A load or reopen making its rows visible holds the gate: skip this once (the
        // number is not updated, so the next call compares again) rather than wait.
        let Some(_gate) = self.write_gate.try_read() else {
            return;
        };
        let now = match self.store() {
            Ok(s) => s.super_version(),
            Err(_) => return,
        };
        if now == self.fifo.seen.load(Ordering::Acquire) {
            return;
        }
        let mut known = self.fifo.files.lock();
        if now == self.fifo.seen.load(Ordering::Acquire) {
            return; // another thread caught up while this one waited
        }
        // Best effort: on an error nothing is recorded, so the next call tries again.
        if let Ok(files) = self.store().and_then(|s| s.table_files())
            && self.drop_vanished(&known, &files).is_ok()
        {
            *known = files;
            self.fifo.seen.store(now, Ordering::Release);
        }
    }

    /// Removes from ALEX the keys of files in `before` but not in `now` that RocksDB no
    /// longer holds.
    fn drop_vanished(&self, before: &[TableFile], now: &[TableFile]) -> Result<(), DbError> {
        let ranges = merged_ranges(
            before
                .iter()
                .filter(|f| !now.iter().any(|n| n.name == f.name))
                .map(|f| (f.first, f.last)),
        );
        let mut removed = 0u64;
        for (lo, hi) in ranges {
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
