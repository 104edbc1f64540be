//! The value cache: hot values kept in memory in front of RocksDB, sized in bytes.
//!
//! Two policies live side by side: [`clock::ClockCache`] (the compact default: packed
//! arena, CLOCK eviction, reads under a shared lock) and [`lru::LruPolicy`] (the original
//! plan's `lru`-crate cache). One is active: gets and fills go to it. Every write
//! (`update_if_present`, `remove`, `remove_range`, `clear`) goes to both, so a switch of
//! `value_cache_policy` never leaves a stale value in either: the target is sized and
//! emptied before it becomes active, and the old one is emptied and sized to nothing
//! after (a fill racing the switch then finds no room there).
pub mod clock;
pub mod lru;
mod tally;
mod value;

use std::cell::LazyCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::Relaxed};

use self::clock::ClockCache;
use self::lru::LruPolicy;
use super::codec::{Codec, CodecKind};
use super::options::{ValueCacheCompression, ValueCachePolicy};

pub use self::lru::ENTRY_OVERHEAD_BYTES;
pub use self::value::Value;

/// Values sampled from the cache to build a codec (a zstd dictionary's training set).
const CODEC_SAMPLES: usize = 1000;

/// Bytes per entry assumed for an empty cache's estimated entry capacity (a 100-byte
/// value and its bookkeeping).
const EMPTY_ENTRY_GUESS: u64 = 128;

/// Bookkeeping per value the clock cache stays under (record header, slot, tag; see
/// `clock.rs`), for its entry-capacity estimate: its `bytes` also count pages and table
/// slots not filled yet, which would make a young cache look full.
const CLOCK_BOOKKEEPING: u64 = 16;

/// Builds the codec for `kind`, trained on `samples` where it trains. The one place a
/// codec is made.
fn make_codec(kind: ValueCacheCompression, samples: &[&[u8]]) -> Result<Codec, String> {
    let kind = match kind {
        ValueCacheCompression::None => CodecKind::None,
        ValueCacheCompression::Lz4 => CodecKind::Lz4,
        ValueCacheCompression::ZstdDict => CodecKind::ZstdDict,
    };
    Codec::build(kind, samples)
}

/// Counters and gauges of the value cache (both policies: hits and misses add up
/// across switches; gauges are mostly the active one's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounters {
    pub hits: u64,
    pub misses: u64,
    pub hit_bytes: u64,
    pub entries: u64,
    /// Entries the cache holds when full: the entry cap, or the byte budget over the
    /// present bytes per entry, whichever is smaller (an estimate).
    pub capacity: u64,
    /// Memory held, bookkeeping included.
    pub bytes: u64,
    /// The byte budget (`value_cache_size`; 0 when off).
    pub capacity_bytes: u64,
    pub policy: &'static str,
    pub compression: &'static str,
    /// Everything in `bytes` but the stored value bytes.
    pub bookkeeping_bytes: u64,
    /// Value bytes as stored (compressed when compression is on).
    pub stored_bytes: u64,
    /// Value bytes as handed out.
    pub raw_bytes: u64,
    /// What the clock cache's codec holds (a zstd dictionary), outside `bytes`.
    pub dictionary_bytes: u64,
}

pub struct ValueCache {
    clock: ClockCache,
    lru: LruPolicy,
    /// The active policy (`ValueCachePolicy as u8`).
    active: AtomicU8,
    /// The compression in force (`ValueCacheCompression as u8`).
    compression: AtomicU8,
    enabled: AtomicBool,
    bytes: AtomicUsize,
    entries: AtomicUsize,
}

impl std::fmt::Debug for ValueCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValueCache")
            .field("policy", &self.policy())
            .field("bytes", &self.bytes.load(Relaxed))
            .field("entries", &self.entries.load(Relaxed))
            .finish_non_exhaustive()
    }
}

impl ValueCache {
    /// A cache of `bytes` holding at most `entries` values, split over `shards` (rounded
    /// up to a power of two), answering with `policy`. Either size 0 turns it off.
    pub fn new(bytes: usize, entries: usize, shards: usize, policy: ValueCachePolicy) -> Self {
        let cache = ValueCache {
            clock: ClockCache::new(shards),
            lru: LruPolicy::new(0, 0, shards),
            active: AtomicU8::new(policy as u8),
            compression: AtomicU8::new(ValueCacheCompression::None as u8),
            enabled: AtomicBool::new(false),
            bytes: AtomicUsize::new(0),
            entries: AtomicUsize::new(0),
        };
        cache.set_capacity(bytes, entries);
        cache
    }

    pub fn policy(&self) -> ValueCachePolicy {
        match self.active.load(Relaxed) {
            x if x == ValueCachePolicy::Lru as u8 => ValueCachePolicy::Lru,
            _ => ValueCachePolicy::Clock,
        }
    }

    pub fn compression(&self) -> ValueCacheCompression {
        let i = usize::from(self.compression.load(Relaxed));
        ValueCacheCompression::ALL
            .get(i)
            .copied()
            .unwrap_or(ValueCacheCompression::None)
    }

    /// Whether the cache stores anything at all.
    #[inline]
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Relaxed)
    }

    /// Sizes the active policy's cache to `bytes` and at most `entries` values, evicting
    /// what no longer fits.
    pub fn set_capacity(&self, bytes: usize, entries: usize) {
        self.bytes.store(bytes, Relaxed);
        self.entries.store(entries, Relaxed);
        let on = bytes > 0 && entries > 0;
        let (b, e) = if on { (bytes, entries) } else { (0, 0) };
        self.size(self.policy(), b, e);
        self.enabled.store(on, Relaxed);
    }

    fn size(&self, p: ValueCachePolicy, bytes: usize, entries: usize) {
        match p {
            ValueCachePolicy::Clock => self.clock.set_capacity(bytes, entries),
            ValueCachePolicy::Lru => self.lru.set_capacity(bytes, entries),
        }
    }

    fn clear_one(&self, p: ValueCachePolicy) {
        match p {
            ValueCachePolicy::Clock => self.clock.clear(),
            ValueCachePolicy::Lru => self.lru.clear(),
        }
    }

    /// Makes `p` the answering policy: it starts empty, at the configured size; the old
    /// one is emptied and sized to nothing.
    pub fn set_policy(&self, p: ValueCachePolicy) {
        let old = self.policy();
        if old == p {
            return;
        }
        let (bytes, entries) = (self.bytes.load(Relaxed), self.entries.load(Relaxed));
        if self.is_enabled() {
            self.size(p, bytes, entries);
        }
        self.clear_one(p);
        self.active.store(p as u8, Relaxed);
        self.size(old, 0, 0);
        self.clear_one(old);
    }

    /// Stores the clock cache's values with `kind` from now on. The clock cache is
    /// emptied (values are never decoded by another codec than their own); a codec
    /// that cannot be built changes nothing.
    pub fn set_compression(&self, kind: ValueCacheCompression) -> Result<(), String> {
        if kind == self.compression() {
            return Ok(());
        }
        let samples = self.clock.samples(CODEC_SAMPLES);
        let refs: Vec<&[u8]> = samples.iter().map(|v| &v[..]).collect();
        let codec = make_codec(kind, &refs)?;
        self.clock.set_codec(Arc::new(codec));
        self.compression.store(kind as u8, Relaxed);
        Ok(())
    }

    /// After a `.load`: a zstd-dict codec is retrained on `samples` (values of the
    /// loaded rows), which empties the clock cache; other codecs learn nothing.
    pub fn retrain(&self, samples: &[&[u8]]) -> Result<(), String> {
        let kind = self.compression();
        if kind != ValueCacheCompression::ZstdDict {
            return Ok(());
        }
        let codec = make_codec(kind, samples)?;
        self.clock.set_codec(Arc::new(codec));
        Ok(())
    }

    /// Looks a key up in the active cache, counting a hit or a miss.
    #[inline]
    pub fn get(&self, key: i64) -> Option<Value> {
        match self.policy() {
            ValueCachePolicy::Clock => self.clock.get(key),
            ValueCachePolicy::Lru => self.lru.get(key),
        }
    }

    /// Counts a miss for a key ALEX says is absent, without looking (no cache holds a
    /// key that does not exist), so the hit rate means the same whichever layer a get
    /// asks first. The lru policy looks anyway: its counters live under its locks.
    #[inline]
    pub fn count_miss(&self, key: i64) {
        match self.policy() {
            ValueCachePolicy::Clock => self.clock.tally.miss(),
            ValueCachePolicy::Lru => {
                self.lru.get(key);
            }
        }
    }

    /// Inserts a value read from RocksDB into the active cache, unless `still_valid`
    /// (checked under the shard's lock) says a write to this key happened since the
    /// read began.
    #[inline]
    pub fn fill(&self, key: i64, value: Value, still_valid: impl FnOnce() -> bool) {
        match self.policy() {
            ValueCachePolicy::Clock => self.clock.fill(key, &value, still_valid),
            ValueCachePolicy::Lru => self.lru.fill(key, value, still_valid),
        }
    }

    /// After a write: replaces the cached value in both caches where the key is cached
    /// (without making it more recent). `make` is called at most once, when needed.
    pub fn update_if_present(&self, key: i64, make: impl FnOnce() -> Value) {
        let v = LazyCell::new(make);
        self.clock
            .update_if_present(key, || LazyCell::force(&v).clone());
        self.lru
            .update_if_present(key, || LazyCell::force(&v).clone());
    }

    /// Drops a key from both caches.
    pub fn remove(&self, key: i64) {
        self.clock.remove(key);
        self.lru.remove(key);
    }

    /// Drops every cached key in `a..=b` from both caches.
    pub fn remove_range(&self, a: i64, b: i64) {
        self.clock.remove_range(a, b);
        self.lru.remove_range(a, b);
    }

    /// Empties both caches (counters are kept).
    pub fn clear(&self) {
        self.clock.clear();
        self.lru.clear();
    }

    pub fn len(&self) -> usize {
        self.clock.len() + self.lru.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries the cache holds when full (an estimate; see [`CacheCounters::capacity`]).
    pub fn capacity(&self) -> usize {
        self.counters().capacity as usize
    }

    /// Bookkeeping bytes the active policy adds to each stored value.
    pub fn bookkeeping_per_value(&self) -> u64 {
        match self.policy() {
            ValueCachePolicy::Clock => CLOCK_BOOKKEEPING,
            ValueCachePolicy::Lru => ENTRY_OVERHEAD_BYTES as u64,
        }
    }

    /// Counters (cumulative) and gauges, read without taking any lock.
    pub fn counters(&self) -> CacheCounters {
        let l = self.lru.counters();
        let f = self.clock.figures();
        let (hits, misses, hit_bytes) = self.clock.tally.sums();
        // Gauges are published one by one: a reader may see them mid-update.
        let lru_values = l
            .bytes
            .saturating_sub(l.entries * ENTRY_OVERHEAD_BYTES as u64);
        let entries = f.entries + l.entries;
        let bytes = f.bytes + l.bytes;
        let stored = f.stored + lru_values;
        let on = self.is_enabled();
        let cap_bytes = if on {
            self.bytes.load(Relaxed) as u64
        } else {
            0
        };
        let cap_entries = if on {
            self.entries.load(Relaxed) as u64
        } else {
            0
        };
        let per_entry = match (self.policy(), entries) {
            (ValueCachePolicy::Lru, 0) => 100 + ENTRY_OVERHEAD_BYTES as u64,
            (ValueCachePolicy::Clock, _) if f.entries > 0 => {
                f.stored / f.entries + CLOCK_BOOKKEEPING
            }
            (_, 0) => EMPTY_ENTRY_GUESS,
            (_, n) => (bytes / n).max(1),
        };
        CacheCounters {
            hits: hits + l.hits,
            misses: misses + l.misses,
            hit_bytes: hit_bytes + l.hit_bytes,
            entries,
            capacity: cap_entries.min(cap_bytes / per_entry),
            bytes,
            capacity_bytes: cap_bytes,
            policy: self.policy().as_str(),
            compression: self.compression().as_str(),
            bookkeeping_bytes: bytes.saturating_sub(stored),
            stored_bytes: stored,
            raw_bytes: f.raw + lru_values,
            dictionary_bytes: self.clock.codec().dictionary_bytes() as u64,
        }
    }
}
