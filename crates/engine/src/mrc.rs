//! The value cache's miss-ratio curve, estimated live from the stream of gets (SHARDS).
//!
//! A get's key is sampled when `hash(key) < threshold` (the rate is `threshold / 2^64`);
//! that test is all an unsampled get pays. For a sampled get the estimator finds its
//! reuse distance: how many distinct sampled keys were read since this key's previous
//! read (a Fenwick tree over access times holds a 1 at each key's latest time). Scaled
//! by 1/rate it estimates the distinct keys of the whole stream, so an LRU cache of at
//! least that many values would have hit. Each sampled get adds weight 1/rate to a
//! log-spaced histogram of distances (first reads and reads of absent keys go to the
//! "never hits" count), and the curve is the histogram's running sum.
//!
//! Memory is bounded (fixed-size SHARDS): when more than [`MAX_KEYS`] keys are tracked
//! the threshold is lowered so that 7/8 of them stay, and the others are forgotten.
//! Old history decays: every [`DECAY_EVERY`] sampled gets all weights are halved, so the
//! curve follows a workload that changes.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;

use crate::metrics::{MrcCurve, MrcPoint};

/// Most keys tracked at once (about 40 bytes each with the tree and map).
pub const MAX_KEYS: usize = 8192;
/// The starting sample rate, 1/64 of keys, before the key bound lowers it.
pub const START_RATE: f64 = 1.0 / 64.0;
/// Sampled gets between two halvings of every weight.
pub const DECAY_EVERY: u64 = 1 << 16;
/// Histogram buckets per doubling of the distance.
const PER_OCTAVE: f64 = 16.0;
/// Buckets: distance 0 and then 16 per octave up to 2^48 distinct keys.
const BUCKETS: usize = 1 + 16 * 48;
/// Access-time slots of the Fenwick tree; renumbered when they run out.
const SLOTS: usize = 2 * MAX_KEYS + 2;

/// The sampling hash: a 64-bit mix (murmur3's finaliser on a seeded key), so that
/// sequential or structured keys are sampled evenly.
#[inline]
pub fn key_hash(key: i64) -> u64 {
    let mut z = (key as u64) ^ 0x5851_F42D_4C95_7F2D;
    z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    z ^ (z >> 33)
}

fn threshold_of(rate: f64) -> u64 {
    (rate * 2f64.powi(64)) as u64
}

/// A Fenwick (binary indexed) tree of counts over access-time slots.
struct Fenwick(Vec<i32>);

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick(vec![0; n + 1])
    }

    fn add(&mut self, slot: usize, d: i32) {
        let mut i = slot + 1;
        while i < self.0.len() {
            self.0[i] += d;
            i += i & i.wrapping_neg();
        }
    }

    /// Sum of slots `0..slot`.
    fn prefix(&self, slot: usize) -> i64 {
        let (mut i, mut s) = (slot, 0i64);
        while i > 0 {
            s += i64::from(self.0[i]);
            i &= i - 1;
        }
        s
    }

    /// Ones in slots `0..n` and nothing after (built in one pass).
    fn ones(&mut self, n: usize) {
        self.0.iter_mut().for_each(|c| *c = 0);
        for i in 1..self.0.len() {
            if i <= n {
                self.0[i] += 1;
            }
            let up = i + (i & i.wrapping_neg());
            if up < self.0.len() {
                self.0[up] += self.0[i];
            }
        }
    }
}

/// The bucket of a (scaled) distance: 0 for distance < 1, then log-spaced.
fn bucket(d: f64) -> usize {
    if d < 1.0 {
        return 0;
    }
    (1 + (d.log2() * PER_OCTAVE) as usize).min(BUCKETS - 1)
}

/// Distances in bucket `i` are below this many distinct keys.
fn bucket_end(i: usize) -> f64 {
    2f64.powf(i as f64 / PER_OCTAVE)
}

/// What the estimator holds (under one lock; only sampled gets take it).
struct Tracker {
    threshold: u64,
    /// Each tracked key's latest access slot.
    last: HashMap<i64, u32>,
    tree: Fenwick,
    /// The next access slot.
    now: usize,
    /// Weight (estimated gets) by distance bucket, and of gets that cannot hit.
    hist: Vec<f64>,
    never: f64,
    sampled: u64,
    /// All gets (decayed like the weights) up to the last halving, and the engine's get
    /// count then: what the weights should add up to (SHARDS' adjustment).
    gets_decayed: f64,
    gets_at_decay: u64,
}

impl Tracker {
    fn new(threshold: u64, gets_now: u64) -> Tracker {
        Tracker {
            threshold,
            last: HashMap::with_capacity(MAX_KEYS + 1),
            tree: Fenwick::new(SLOTS),
            now: 0,
            hist: vec![0.0; BUCKETS],
            never: 0.0,
            sampled: 0,
            gets_decayed: 0.0,
            gets_at_decay: gets_now,
        }
    }

    fn rate(&self) -> f64 {
        self.threshold as f64 / 2f64.powi(64)
    }

    /// One sampled get of `key`; `cacheable` is false for a key with no value;
    /// `gets` reads the engine's get count (only when the weights are halved).
    fn access(&mut self, key: i64, cacheable: bool, gets: impl FnOnce() -> u64) {
        let w = 1.0 / self.rate();
        self.sampled += 1;
        if !cacheable {
            self.never += w;
        } else {
            match self.distance(key) {
                Some(d) => self.hist[bucket(d as f64 * w)] += w,
                None => self.never += w,
            }
        }
        if self.last.len() > MAX_KEYS {
            self.lower();
        }
        if self.sampled.is_multiple_of(DECAY_EVERY) {
            self.hist.iter_mut().for_each(|x| *x /= 2.0);
            self.never /= 2.0;
            let g = gets();
            let since = g.saturating_sub(self.gets_at_decay) as f64;
            self.gets_decayed = (self.gets_decayed + since) / 2.0;
            self.gets_at_decay = g;
        }
    }

    /// Distinct tracked keys read since `key`'s previous read (`None`: first read), and
    /// makes this read its latest.
    fn distance(&mut self, key: i64) -> Option<u64> {
        if self.now == SLOTS {
            self.renumber();
        }
        let now = self.now;
        self.now += 1;
        let prev = self.last.insert(key, now as u32);
        let d = prev.map(|p| {
            let p = p as usize;
            // Keys whose latest read is after `p`: all tracked ones minus those at or before.
            let after = self.tree.prefix(now) - self.tree.prefix(p + 1);
            self.tree.add(p, -1);
            after as u64
        });
        self.tree.add(now, 1);
        d
    }

    /// Packs the latest access slots into `0..keys`, keeping their order.
    fn renumber(&mut self) {
        let mut by_time: Vec<(u32, i64)> = self.last.iter().map(|(&k, &t)| (t, k)).collect();
        by_time.sort_unstable();
        for (i, (_, k)) in by_time.iter().enumerate() {
            self.last.insert(*k, i as u32);
        }
        self.now = by_time.len();
        self.tree.ones(self.now);
    }

    /// Lowers the threshold so that 7/8 of `MAX_KEYS` keys stay tracked (SHARDS with a
    /// fixed size); weights already recorded keep the rate they were sampled at.
    fn lower(&mut self) {
        let mut hashes: Vec<u64> = self.last.keys().map(|&k| key_hash(k)).collect();
        hashes.sort_unstable();
        let keep = MAX_KEYS * 7 / 8;
        self.threshold = hashes[keep.min(hashes.len() - 1)];
        let t = self.threshold;
        let tree = &mut self.tree;
        self.last.retain(|&k, &mut slot| {
            let stay = key_hash(k) < t;
            if !stay {
                tree.add(slot as usize, -1);
            }
            stay
        });
    }

    /// The weights with SHARDS' adjustment: the sample's weights should add up to all
    /// gets; the difference comes mostly from the hottest keys being in or out of the
    /// sample, so it goes to (or comes off) the shortest distances. Returns the
    /// histogram and its total.
    fn adjusted(&self, gets_now: u64) -> (Vec<f64>, f64) {
        let mut hist = self.hist.clone();
        let weights = hist.iter().sum::<f64>() + self.never;
        let gets = self.gets_decayed + gets_now.saturating_sub(self.gets_at_decay) as f64;
        if gets <= 0.0 {
            return (hist, weights);
        }
        let mut extra = gets - weights;
        for w in hist.iter_mut() {
            let new = (*w + extra).max(0.0);
            extra -= new - *w;
            *w = new;
            if extra >= 0.0 {
                break;
            }
        }
        (hist, gets)
    }

    /// The curve from the weights: a point at the end of each bucket up to the last one
    /// used, the cache size being that many values times `bytes_per_value`.
    fn points(&self, bytes_per_value: f64, gets_now: u64) -> Vec<MrcPoint> {
        let (hist, total) = self.adjusted(gets_now);
        let Some(top) = hist.iter().rposition(|&w| w > 0.0) else {
            return Vec::new();
        };
        let mut sum = 0.0;
        let mut out: Vec<MrcPoint> = Vec::with_capacity(top + 1);
        for (i, w) in hist[..=top].iter().enumerate() {
            sum += w;
            let bytes = (bucket_end(i) * bytes_per_value).ceil() as u64;
            let p = MrcPoint {
                bytes,
                hit_rate: sum / total,
            };
            let n = out.len();
            // Small buckets can round to the same byte size, and inside a flat stretch
            // only its two ends matter (the curve is interpolated): keep the later one.
            let flat = n >= 2 && out[n - 2].hit_rate == p.hit_rate;
            match out.last_mut() {
                Some(last) if last.bytes >= bytes || flat => *last = p,
                _ => out.push(p),
            }
        }
        out
    }
}

/// The estimator a `Db` feeds from its gets.
pub struct MrcSampler {
    /// Sample when `key_hash(key) < threshold`; 0 when off.
    threshold: AtomicU64,
    tracker: Mutex<Tracker>,
    /// Gets counted by the engine when the estimate was last started afresh.
    gets_base: AtomicU64,
}

impl std::fmt::Debug for MrcSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MrcSampler")
            .field("threshold", &self.threshold.load(Relaxed))
            .finish_non_exhaustive()
    }
}

impl MrcSampler {
    /// An empty estimator, sampling at [`START_RATE`] when `on`.
    pub fn new(on: bool) -> MrcSampler {
        let t = threshold_of(START_RATE);
        MrcSampler {
            threshold: AtomicU64::new(if on { t } else { 0 }),
            tracker: Mutex::new(Tracker::new(t, 0)),
            gets_base: AtomicU64::new(0),
        }
    }

    /// One get of `key` (`cacheable`: it has a value the cache could hold); `gets`
    /// reads the engine's get count, rarely. The unsampled path is this hash and compare.
    #[inline]
    pub fn observe(&self, key: i64, cacheable: bool, gets: impl FnOnce() -> u64) {
        if key_hash(key) < self.threshold.load(Relaxed) {
            self.sampled(key, cacheable, gets);
        }
    }

    #[cold]
    fn sampled(&self, key: i64, cacheable: bool, gets: impl FnOnce() -> u64) {
        let mut t = self.tracker.lock();
        // The threshold may have been lowered (or the estimator turned off) since the
        // caller compared against it.
        if key_hash(key) >= t.threshold || self.threshold.load(Relaxed) == 0 {
            return;
        }
        t.access(key, cacheable, gets);
        self.threshold.store(t.threshold, Relaxed);
    }

    pub fn is_on(&self) -> bool {
        self.threshold.load(Relaxed) > 0
    }

    /// Turns sampling on or off; a change starts afresh (`gets_now`: the engine's get
    /// count now). No change when it already is as asked.
    pub fn set_on(&self, on: bool, gets_now: u64) {
        if on != self.is_on() {
            self.restart(on, gets_now);
        }
    }

    /// Forgets everything and starts again at [`START_RATE`] (if on).
    pub fn reset(&self, gets_now: u64) {
        self.restart(self.is_on(), gets_now);
    }

    fn restart(&self, on: bool, gets_now: u64) {
        let mut t = self.tracker.lock();
        *t = Tracker::new(threshold_of(START_RATE), gets_now);
        self.gets_base.store(gets_now, Relaxed);
        self.threshold
            .store(if on { t.threshold } else { 0 }, Relaxed);
    }

    /// The curve, or `None` when off or before any sampled get.
    /// `bytes_per_value` turns distinct keys into bytes; `current_bytes` is the value
    /// cache's size now; `gets_now` the engine's get count now.
    pub fn curve(
        &self,
        bytes_per_value: f64,
        current_bytes: u64,
        gets_now: u64,
    ) -> Option<MrcCurve> {
        if !self.is_on() {
            return None;
        }
        let t = self.tracker.lock();
        if t.sampled == 0 {
            return None;
        }
        Some(MrcCurve {
            points: t.points(bytes_per_value, gets_now),
            sampled_gets: t.sampled,
            gets: gets_now.saturating_sub(self.gets_base.load(Relaxed)),
            sample_rate: t.rate(),
            bytes_per_value,
            current_bytes,
        })
    }

    /// Keys tracked now (bounded by [`MAX_KEYS`]).
    pub fn tracked_keys(&self) -> usize {
        self.tracker.lock().last.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reuse distances by a brute-force LRU stack: position of the key from the top.
    fn lru_stack(stream: &[i64]) -> Vec<Option<u64>> {
        let mut stack: Vec<i64> = Vec::new();
        stream
            .iter()
            .map(|&k| {
                let pos = stack.iter().rev().position(|&x| x == k);
                if let Some(p) = pos {
                    stack.remove(stack.len() - 1 - p);
                }
                stack.push(k);
                pos.map(|p| p as u64)
            })
            .collect()
    }

    fn tracker_distances(stream: &[i64]) -> Vec<Option<u64>> {
        let mut t = Tracker::new(u64::MAX, 0);
        stream.iter().map(|&k| t.distance(k)).collect()
    }

    #[test]
    fn distances_match_a_brute_force_lru_stack() {
        let streams: Vec<Vec<i64>> = vec![
            vec![1, 2, 3, 1, 2, 3, 3, 2, 1],
            vec![5, 5, 5, 6, 5, 7, 8, 6, 5],
            (0..300).map(|i| (i * i * 7 + 3) % 23).collect(),
            (0..500).map(|i| (i * 37 % 101) ^ (i % 7)).collect(),
        ];
        for s in streams {
            assert_eq!(tracker_distances(&s), lru_stack(&s), "stream {s:?}");
        }
    }

    #[test]
    fn renumbering_keeps_distances_right() {
        // Far more reads than slots, over a key set small enough to stay tracked.
        let s: Vec<i64> = (0..(3 * SLOTS as i64))
            .map(|i| (i * 31 + i / 7) % 97)
            .collect();
        assert_eq!(tracker_distances(&s), lru_stack(&s));
    }

    #[test]
    fn fenwick_ones_builds_the_same_tree_as_adds() {
        let mut a = Fenwick::new(40);
        a.ones(17);
        let mut b = Fenwick::new(40);
        (0..17).for_each(|i| b.add(i, 1));
        assert_eq!(a.0, b.0);
    }

    #[test]
    fn the_key_bound_lowers_the_rate_and_holds() {
        let m = MrcSampler::new(true);
        for k in 0..2_000_000i64 {
            m.observe(k, true, || 0);
        }
        assert!(m.tracked_keys() <= MAX_KEYS + 1);
        let c = m.curve(100.0, 0, 2_000_000).unwrap();
        // The rate keeps about MAX_KEYS of the 2M keys.
        let kept = c.sample_rate * 2e6;
        assert!(
            kept > 0.8 * (MAX_KEYS * 7 / 8) as f64,
            "rate {}",
            c.sample_rate
        );
        assert!(kept < 1.25 * MAX_KEYS as f64, "rate {}", c.sample_rate);
        // Every key read once: nothing can hit (but for the sample's noise).
        assert!(c.hit_rate_at(u64::MAX).unwrap_or(0.0) < 0.05);
    }

    #[test]
    fn a_cyclic_stream_hits_only_when_it_all_fits() {
        let m = MrcSampler::new(true);
        for _ in 0..40 {
            for k in 0..5000i64 {
                m.observe(k, true, || 0);
            }
        }
        let c = m.curve(10.0, 0, 200_000).unwrap();
        let at = |keys: u64| c.hit_rate_at(keys * 10).unwrap();
        assert!(at(4000) < 0.02, "{}", at(4000));
        assert!(at(6000) > 0.9, "{}", at(6000));
    }

    #[test]
    fn off_samples_nothing_and_reset_starts_afresh() {
        let m = MrcSampler::new(false);
        (0..100_000).for_each(|k| m.observe(k % 10, true, || 0));
        assert!(m.curve(1.0, 0, 0).is_none());
        m.set_on(true, 0);
        (0..100_000).for_each(|k| m.observe(k % 1000, true, || 0));
        assert!(m.curve(1.0, 0, 0).is_some());
        m.reset(5);
        assert!(m.curve(1.0, 0, 5).is_none());
    }
}
