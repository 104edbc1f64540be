//! The value cache lends the bytes it does not use to the block cache
//! (`lend_value_cache`, on by default).
//!
//! A cold value cache holds little of its budget while every get misses it and goes to
//! RocksDB. A block cache of its own small size then thrashes, and each miss reads and
//! decompresses a block from disk: at 1M rows, cold, alexdb ran at half plain RocksDB's
//! speed on the same memory, and at parity once the block cache could hold the data. So
//! until the value cache is full, the block cache may grow into its unused bytes, and
//! gives them back as it fills. What alexdb holds stays within `block_cache_size` plus
//! `value_cache_size`: set the value cache to what the data needs (`.mrc` says) and the
//! two together are the memory budget.
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::cache::ValueCache;
use super::store::Store;

/// Value-cache fills between two looks at its size.
const FILLS_PER_LOOK: u64 = 1024;
/// Lent bytes move in whole steps, and one step stays with the value cache for the
/// fills until the next look (1,024 fills of a few hundred bytes at most, most often).
const STEP: u64 = 4 << 20;

/// Whether lending is on, and when to look next.
pub(super) struct Lending {
    on: AtomicBool,
    fills: AtomicU64,
    /// One thread at a time resizes the block cache.
    busy: AtomicBool,
}

impl Lending {
    pub(super) fn new(on: bool) -> Self {
        Lending {
            on: AtomicBool::new(on),
            fills: AtomicU64::new(0),
            busy: AtomicBool::new(false),
        }
    }

    /// Counts one fill; `true` every [`FILLS_PER_LOOK`] fills while lending is on.
    #[inline]
    pub(super) fn tick(&self) -> bool {
        self.on.load(Ordering::Relaxed)
            && self.fills.fetch_add(1, Ordering::Relaxed) % FILLS_PER_LOOK == FILLS_PER_LOOK - 1
    }
}

/// Bytes to lend from a value cache of `capacity` bytes that uses `used`: what it does
/// not use less one step, in whole steps.
pub(super) fn lendable(capacity: u64, used: u64) -> u64 {
    let free = capacity.saturating_sub(used).saturating_sub(STEP);
    free / STEP * STEP
}

impl Lending {
    pub(super) fn set_on(&self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }

    /// Sizes the block cache to `base` plus what `cache` does not use now. A call while
    /// another runs does nothing (the running one reads the same counters). `store` is
    /// taken only after the counters: no store guard may be held across them.
    pub(super) fn relend<S: Deref<Target = Store>>(
        &self,
        base: usize,
        cache: &ValueCache,
        store: impl FnOnce() -> Option<S>,
    ) {
        if self.busy.swap(true, Ordering::Acquire) {
            return;
        }
        let lent = if self.on.load(Ordering::Relaxed) {
            let c = cache.counters();
            lendable(c.capacity_bytes, c.bytes)
        } else {
            0
        };
        if let Some(store) = store() {
            let want = base.saturating_add(lent as usize);
            if store.block_cache_capacity() != want {
                store.set_block_cache_capacity(want);
            }
        }
        self.busy.store(false, Ordering::Release);
    }
}

/// What the block cache holds beyond its own `base` size: the bytes lent to it.
pub(super) fn lent(store: &Store, base: usize) -> u64 {
    (store.block_cache_capacity() as u64).saturating_sub(base as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lends_whole_steps_and_keeps_one_back() {
        let mib = 1u64 << 20;
        assert_eq!(lendable(100 * mib, 0), 96 * mib);
        assert_eq!(lendable(100 * mib, 10 * mib), 84 * mib);
        assert_eq!(lendable(100 * mib, 95 * mib), 0);
        assert_eq!(lendable(100 * mib, 200 * mib), 0);
        assert_eq!(lendable(0, 0), 0);
        // 100 - 11 - 4 = 85 MiB free: lent in 4 MiB steps.
        assert_eq!(lendable(100 * mib, 11 * mib), 84 * mib);
    }
}
