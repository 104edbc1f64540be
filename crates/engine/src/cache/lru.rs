//! The `lru` policy of the value cache (the original plan's design, kept so it and the
//! CLOCK cache can be measured in one run): hot values kept in memory in front of RocksDB.
//!
//! Sharded by key hash, each shard an `lru::LruCache` behind its own mutex, so readers on
//! different threads rarely wait for each other. Hit/miss counters live next to each
//! shard's lock and are bumped while it is held (plain atomic stores, no extra
//! read-modify-write on the hot path); readers of the counters never take the lock.
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use ::lru::LruCache;
use parking_lot::Mutex;

use super::value::Value;

/// Approximate memory per cached entry beyond the value bytes: the LRU node (key,
/// value pointer and length, two list links), its hash table slot and the `Arc` header.
pub const ENTRY_OVERHEAD_BYTES: usize = 80;

struct ShardData {
    lru: LruCache<i64, Value>,
    bytes: usize,
}

#[repr(align(128))]
struct Shard {
    data: Mutex<ShardData>,
    capacity: AtomicUsize,
    /// This shard's share of the byte budget (values plus their overhead).
    capacity_bytes: AtomicUsize,
    hits: AtomicU64,
    misses: AtomicU64,
    hit_bytes: AtomicU64,
    len: AtomicUsize,
    bytes: AtomicUsize,
}

/// Counters and gauges of the LRU cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LruCounters {
    pub hits: u64,
    pub misses: u64,
    pub hit_bytes: u64,
    pub entries: u64,
    pub capacity: u64,
    pub bytes: u64,
}

pub struct LruPolicy {
    shards: Box<[Shard]>,
    shift: u32,
    capacity: AtomicUsize,
}

impl std::fmt::Debug for LruPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LruPolicy")
            .field("shards", &self.shards.len())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

impl LruPolicy {
    /// A cache of `entries` values and `bytes` (values plus [`ENTRY_OVERHEAD_BYTES`] each)
    /// split over `shards` (rounded up to a power of two). `entries == 0` makes every
    /// lookup a miss that stores nothing.
    pub fn new(bytes: usize, entries: usize, shards: usize) -> Self {
        let n = shards.clamp(1, 1024).next_power_of_two();
        let shards: Box<[Shard]> = (0..n)
            .map(|_| Shard {
                data: Mutex::new(ShardData {
                    lru: LruCache::unbounded(),
                    bytes: 0,
                }),
                capacity: AtomicUsize::new(0),
                capacity_bytes: AtomicUsize::new(0),
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
                hit_bytes: AtomicU64::new(0),
                len: AtomicUsize::new(0),
                bytes: AtomicUsize::new(0),
            })
            .collect();
        let cache = Self {
            shift: 64 - n.trailing_zeros(),
            shards,
            capacity: AtomicUsize::new(0),
        };
        cache.set_capacity(bytes, entries);
        cache
    }

    #[inline]
    fn shard(&self, key: i64) -> &Shard {
        if self.shards.len() == 1 {
            return &self.shards[0];
        }
        // Fibonacci hashing: the top bits of a multiplicative hash spread sequential keys.
        let h = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        &self.shards[(h >> self.shift) as usize]
    }

    /// Whether the cache stores anything at all.
    #[inline]
    pub fn is_enabled(&self) -> bool {
        self.capacity.load(Relaxed) > 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity.load(Relaxed)
    }

    /// Changes the capacity (entries and bytes), evicting least recently used values if
    /// needed.
    pub fn set_capacity(&self, bytes: usize, entries: usize) {
        let n = self.shards.len();
        for (i, s) in self.shards.iter().enumerate() {
            // Spread the remainder so the shard capacities add up to `entries` exactly.
            let cap = entries / n + usize::from(i < entries % n);
            let cap_bytes = bytes / n;
            let mut d = s.data.lock();
            s.capacity.store(cap, Relaxed);
            s.capacity_bytes.store(cap_bytes, Relaxed);
            while d.lru.len() > cap || d.bytes > cap_bytes {
                if let Some((_, v)) = d.lru.pop_lru() {
                    d.bytes -= v.len() + ENTRY_OVERHEAD_BYTES;
                }
            }
            s.len.store(d.lru.len(), Relaxed);
            s.bytes.store(d.bytes, Relaxed);
        }
        self.capacity.store(entries, Relaxed);
    }

    /// Looks a key up, counting a hit or a miss.
    #[inline]
    pub fn get(&self, key: i64) -> Option<Value> {
        let s = self.shard(key);
        let mut d = s.data.lock();
        match d.lru.get(&key) {
            Some(v) => {
                let v = v.clone();
                // The shard lock is held: a load + store cannot lose an increment.
                s.hits.store(s.hits.load(Relaxed) + 1, Relaxed);
                s.hit_bytes
                    .store(s.hit_bytes.load(Relaxed) + v.len() as u64, Relaxed);
                Some(v)
            }
            None => {
                s.misses.store(s.misses.load(Relaxed) + 1, Relaxed);
                None
            }
        }
    }

    /// Inserts a value read from RocksDB, unless `still_valid` (checked under the shard
    /// lock) says a write to this key happened since the read began.
    #[inline]
    pub fn fill(&self, key: i64, value: Value, still_valid: impl FnOnce() -> bool) {
        let s = self.shard(key);
        let cap = s.capacity.load(Relaxed);
        if cap == 0 {
            return;
        }
        let mut d = s.data.lock();
        if !still_valid() {
            return;
        }
        Self::insert_locked(s, &mut d, key, value, cap);
    }

    fn insert_locked(s: &Shard, d: &mut ShardData, key: i64, value: Value, cap: usize) {
        let add = value.len() + ENTRY_OVERHEAD_BYTES;
        let cap_bytes = s.capacity_bytes.load(Relaxed);
        if add > cap_bytes {
            // Larger than the whole shard: not cached (and no older value stays).
            if let Some(old) = d.lru.pop(&key) {
                d.bytes -= old.len() + ENTRY_OVERHEAD_BYTES;
            }
        } else {
            if let Some(old) = d.lru.put(key, value) {
                d.bytes -= old.len() + ENTRY_OVERHEAD_BYTES;
            }
            d.bytes += add;
        }
        while d.lru.len() > cap || d.bytes > cap_bytes {
            if let Some((_, v)) = d.lru.pop_lru() {
                d.bytes -= v.len() + ENTRY_OVERHEAD_BYTES;
            }
        }
        s.len.store(d.lru.len(), Relaxed);
        s.bytes.store(d.bytes, Relaxed);
    }

    /// After a write: replaces the cached value if the key is cached (without making it
    /// more recent), otherwise leaves the cache alone. `make` is only called when needed.
    pub fn update_if_present(&self, key: i64, make: impl FnOnce() -> Value) {
        // Always take the lock (no unlocked early out): a reader that read the old value
        // from RocksDB either fills before this (and is overwritten here) or after (and
        // then sees the writer's sequence bump under the same lock and drops its fill).
        let s = self.shard(key);
        let mut d = s.data.lock();
        if let Some(slot) = d.lru.peek_mut(&key) {
            let v = make();
            let (old_len, new_len) = (slot.len(), v.len());
            *slot = v;
            d.bytes = d.bytes + new_len - old_len;
            // A larger value may push the shard past its bytes: the oldest go.
            while d.bytes > s.capacity_bytes.load(Relaxed) {
                match d.lru.pop_lru() {
                    Some((_, v)) => d.bytes -= v.len() + ENTRY_OVERHEAD_BYTES,
                    None => break,
                }
            }
            s.len.store(d.lru.len(), Relaxed);
            s.bytes.store(d.bytes, Relaxed);
        }
    }

    /// Drops a key from the cache.
    pub fn remove(&self, key: i64) {
        let s = self.shard(key);
        let mut d = s.data.lock();
        if let Some(v) = d.lru.pop(&key) {
            d.bytes -= v.len() + ENTRY_OVERHEAD_BYTES;
            s.len.store(d.lru.len(), Relaxed);
            s.bytes.store(d.bytes, Relaxed);
        }
    }

    /// Drops every cached key in `a..=b` (walks all entries: for ranges holding more
    /// keys than the cache).
    pub fn remove_range(&self, a: i64, b: i64) {
        for s in self.shards.iter() {
            let mut d = s.data.lock();
            let doomed: Vec<i64> = d
                .lru
                .iter()
                .map(|(&k, _)| k)
                .filter(|k| (a..=b).contains(k))
                .collect();
            for k in doomed {
                if let Some(v) = d.lru.pop(&k) {
                    d.bytes -= v.len() + ENTRY_OVERHEAD_BYTES;
                }
            }
            s.len.store(d.lru.len(), Relaxed);
            s.bytes.store(d.bytes, Relaxed);
        }
    }

    /// Empties the cache (counters are kept).
    pub fn clear(&self) {
        for s in self.shards.iter() {
            let mut d = s.data.lock();
            d.lru.clear();
            d.bytes = 0;
            s.len.store(0, Relaxed);
            s.bytes.store(0, Relaxed);
        }
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len.load(Relaxed)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counters (cumulative) and gauges, read without taking any lock.
    pub fn counters(&self) -> LruCounters {
        let mut c = LruCounters {
            capacity: self.capacity() as u64,
            ..Default::default()
        };
        for s in self.shards.iter() {
            c.hits += s.hits.load(Relaxed);
            c.misses += s.misses.load(Relaxed);
            c.hit_bytes += s.hit_bytes.load(Relaxed);
            c.entries += s.len.load(Relaxed) as u64;
            c.bytes += s.bytes.load(Relaxed) as u64;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn v(b: &[u8]) -> Value {
        Arc::from(b)
    }

    #[test]
    fn hits_misses_and_eviction() {
        let c = LruPolicy::new(usize::MAX, 2, 1);
        assert!(c.get(1).is_none());
        c.fill(1, v(b"a"), || true);
        c.fill(2, v(b"b"), || true);
        assert_eq!(c.get(1).as_deref(), Some(&b"a"[..]));
        c.fill(3, v(b"c"), || true); // evicts 2, the least recently used
        assert!(c.get(2).is_none());
        assert_eq!(c.len(), 2);
        let k = c.counters();
        assert_eq!((k.hits, k.misses), (1, 2));
        assert_eq!(k.bytes, 2 * (1 + ENTRY_OVERHEAD_BYTES as u64));
    }

    #[test]
    fn stale_fill_is_dropped_and_update_only_touches_cached_keys() {
        let c = LruPolicy::new(usize::MAX, 10, 4);
        c.fill(5, v(b"old"), || false);
        assert!(c.get(5).is_none());
        c.update_if_present(5, || v(b"new"));
        assert!(c.get(5).is_none());
        c.fill(5, v(b"old"), || true);
        c.update_if_present(5, || v(b"newer"));
        assert_eq!(c.get(5).as_deref(), Some(&b"newer"[..]));
        c.remove(5);
        assert!(c.get(5).is_none());
        assert_eq!(c.counters().bytes, 0);
    }

    #[test]
    fn zero_capacity_stores_nothing_and_resize_evicts() {
        let c = LruPolicy::new(usize::MAX, 0, 16);
        assert!(!c.is_enabled());
        c.fill(1, v(b"x"), || true);
        assert!(c.is_empty());
        c.set_capacity(usize::MAX, 100);
        for k in 0..100 {
            c.fill(k, v(b"x"), || true);
        }
        // Each shard holds its share (100 / 16); keys do not hash perfectly evenly.
        assert!((85..=100).contains(&c.len()), "{}", c.len());
        c.set_capacity(usize::MAX, 10);
        assert!(c.len() <= 10);
        let one = LruPolicy::new(usize::MAX, 100, 1);
        for k in 0..150 {
            one.fill(k, v(b"x"), || true);
        }
        assert_eq!(one.len(), 100);
    }

    #[test]
    fn bytes_cap_evicts_least_recently_used() {
        let per = 10 + ENTRY_OVERHEAD_BYTES;
        let c = LruPolicy::new(3 * per, 100, 1);
        for k in 0..3 {
            c.fill(k, v(&[0; 10]), || true);
        }
        assert!(c.get(0).is_some());
        c.fill(3, v(&[0; 10]), || true); // evicts 1, the least recently used
        assert!(c.get(1).is_none() && c.get(0).is_some());
        assert_eq!(c.counters().bytes, 3 * per as u64);
        c.update_if_present(0, || v(&[0; 30])); // grows past the cap: the oldest goes
        assert!(c.counters().bytes <= 3 * per as u64);
        c.fill(9, v(&[0; 400]), || true); // larger than the cache: not stored
        assert!(c.get(9).is_none());
    }
}
