//! YCSB core workloads A-F: operation mixes, request distributions (zipfian with
//! theta 0.99 scrambled over the key space, uniform, latest) and a seeded operation
//! generator. Engines run the operations in `bench::ycsb`.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution as _, Zipf};
use serde::Serialize;

/// YCSB's zipfian constant.
pub const ZIPFIAN_THETA: f64 = 0.99;
/// Longest scan of workload E (uniform 1..=this).
pub const MAX_SCAN_LENGTH: usize = 100;
/// The item space the scrambled zipfian draws ranks from before hashing them onto the
/// records (YCSB's 10 billion). Far more ranks than records means every record receives
/// some, so every record can be requested; the hottest ranks still dominate.
pub const ZIPFIAN_ITEM_SPACE: u64 = 10_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    A,
    B,
    C,
    D,
    E,
    F,
}

impl Workload {
    pub const ALL: [Workload; 6] = [Self::A, Self::B, Self::C, Self::D, Self::E, Self::F];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "a",
            Self::B => "b",
            Self::C => "c",
            Self::D => "d",
            Self::E => "e",
            Self::F => "f",
        }
    }

    /// Operation proportions.
    pub fn mix(self) -> Mix {
        let m = |read, update, insert, scan, rmw| Mix {
            read,
            update,
            insert,
            scan,
            rmw,
        };
        match self {
            Self::A => m(0.5, 0.5, 0.0, 0.0, 0.0),
            Self::B => m(0.95, 0.05, 0.0, 0.0, 0.0),
            Self::C => m(1.0, 0.0, 0.0, 0.0, 0.0),
            Self::D => m(0.95, 0.0, 0.05, 0.0, 0.0),
            Self::E => m(0.0, 0.0, 0.05, 0.95, 0.0),
            Self::F => m(0.5, 0.0, 0.0, 0.0, 0.5),
        }
    }

    /// The distribution YCSB uses for it (latest for D, zipfian otherwise).
    pub fn default_distribution(self) -> Distribution {
        if self == Self::D {
            Distribution::Latest
        } else {
            Distribution::Zipfian
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::A => "50% reads, 50% updates",
            Self::B => "95% reads, 5% updates",
            Self::C => "100% reads",
            Self::D => "95% reads, 5% inserts (latest)",
            Self::E => "95% short scans, 5% inserts",
            Self::F => "50% reads, 50% read-modify-writes",
        }
    }
}

impl std::str::FromStr for Workload {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.strip_prefix("workload").unwrap_or(&t);
        Self::ALL
            .into_iter()
            .find(|w| w.as_str() == t)
            .ok_or_else(|| "expected a workload a, b, c, d, e or f".to_string())
    }
}

/// Operation proportions (they add up to 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mix {
    pub read: f64,
    pub update: f64,
    pub insert: f64,
    pub scan: f64,
    pub rmw: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    Zipfian,
    Uniform,
    Latest,
}

impl Distribution {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zipfian => "zipfian",
            Self::Uniform => "uniform",
            Self::Latest => "latest",
        }
    }
}

impl std::str::FromStr for Distribution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zipfian" | "zipf" => Ok(Self::Zipfian),
            "uniform" => Ok(Self::Uniform),
            "latest" => Ok(Self::Latest),
            _ => Err("expected zipfian, uniform or latest".into()),
        }
    }
}

/// One operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Read(i64),
    Update(i64),
    Insert(i64),
    /// Start key and number of rows.
    Scan(i64, usize),
    ReadModifyWrite(i64),
}

/// The key of YCSB record number `i`: a bijective scramble of `i`, so records are spread
/// over the whole i64 range and inserted in random key order (YCSB's hashed insert order).
pub fn record_key(i: u64) -> i64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as i64
}

/// The records operations address: either YCSB's own (`record_key(0..records)`) or the
/// keys already in a database (the shell runs YCSB on what is loaded). Inserts append
/// records after the last one; the counter is shared by every thread.
#[derive(Debug, Clone)]
pub struct KeySpace {
    existing: Option<Arc<Vec<i64>>>,
    /// A range of its own: the first key and the range's size as a power of two.
    range: Option<(i64, u32)>,
    initial: u64,
    next: Arc<AtomicU64>,
}

impl KeySpace {
    /// `records` YCSB records.
    pub fn generated(records: u64) -> Self {
        KeySpace {
            existing: None,
            range: None,
            initial: records,
            next: Arc::new(AtomicU64::new(records)),
        }
    }

    /// The keys of a database (sorted or not).
    pub fn existing(keys: Vec<i64>) -> Self {
        let n = keys.len() as u64;
        KeySpace {
            existing: Some(Arc::new(keys)),
            range: None,
            initial: n,
            next: Arc::new(AtomicU64::new(n)),
        }
    }

    /// `records` records in the range `first .. first + 2^bits` and nowhere else
    /// (`bits` 1 to 62): record `i` is a bijective scramble of `i` inside it, so records
    /// and inserts land in random key order, as YCSB's hashed insert order does. Inserts
    /// past `2^bits` records reuse the range's keys (they become overwrites).
    pub fn range(first: i64, bits: u32, records: u64) -> Self {
        KeySpace {
            existing: None,
            range: Some((first, bits.clamp(1, 62))),
            initial: records,
            next: Arc::new(AtomicU64::new(records)),
        }
    }

    /// Records at the start of the run.
    pub fn initial(&self) -> u64 {
        self.initial
    }

    /// Records now (initial + inserts so far).
    pub fn current(&self) -> u64 {
        self.next.load(Ordering::Relaxed)
    }

    pub fn key(&self, i: u64) -> i64 {
        if let Some((first, bits)) = self.range {
            return first.wrapping_add(scatter(i, bits) as i64);
        }
        match &self.existing {
            Some(keys) if (i as usize) < keys.len() => keys[i as usize],
            // Records inserted during the run (the offset keeps them off YCSB's own
            // record numbers when the key space came from a database).
            Some(_) => record_key(i | (1 << 62)),
            None => record_key(i),
        }
    }

    /// Claims the next record number for an insert.
    fn claim(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }
}

/// A seeded generator of one thread's operations.
pub struct OpGen {
    mix: Mix,
    dist: Distribution,
    keys: KeySpace,
    rng: StdRng,
    /// Ranks of the initial records (for `latest`).
    zipf: Option<Zipf<f64>>,
    /// Ranks of the item space (for the scrambled zipfian).
    scrambled: Option<Zipf<f64>>,
}

impl OpGen {
    pub fn new(workload: Workload, dist: Distribution, keys: KeySpace, seed: u64) -> Self {
        let n = keys.initial().max(1);
        let space = n.max(ZIPFIAN_ITEM_SPACE);
        OpGen {
            mix: workload.mix(),
            dist,
            zipf: Zipf::new(n as f64, ZIPFIAN_THETA).ok(),
            scrambled: Zipf::new(space as f64, ZIPFIAN_THETA).ok(),
            keys,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The key of a record chosen by the request distribution.
    fn pick_key(&mut self) -> i64 {
        let i = self.pick();
        self.keys.key(i)
    }

    /// A record number chosen by the request distribution.
    fn pick(&mut self) -> u64 {
        let n = self.keys.current().max(1);
        let initial = self.keys.initial().max(1);
        match (self.dist, &self.zipf, &self.scrambled) {
            (Distribution::Zipfian, _, Some(z)) => {
                // Rank 1 is the hottest; hashing spreads hot records through the key
                // space, and many ranks share each record, so all can be reached (YCSB's
                // scrambled zipfian).
                let rank = z.sample(&mut self.rng) as u64;
                fnv64(rank) % initial
            }
            (Distribution::Latest, Some(z), _) => {
                // Rank 1 is the newest record.
                let rank = (z.sample(&mut self.rng) as u64).min(n);
                n - rank
            }
            // Uniform, or a zipf that could not be built (n is at least 1, so never).
            _ => self.rng.random_range(0..n),
        }
    }

    pub fn next_op(&mut self) -> Op {
        let x: f64 = self.rng.random();
        let m = self.mix;
        if x < m.read {
            Op::Read(self.pick_key())
        } else if x < m.read + m.update {
            Op::Update(self.pick_key())
        } else if x < m.read + m.update + m.insert {
            let i = self.keys.claim();
            Op::Insert(self.keys.key(i))
        } else if x < m.read + m.update + m.insert + m.scan {
            let len = self.rng.random_range(1..=MAX_SCAN_LENGTH);
            Op::Scan(self.pick_key(), len)
        } else {
            Op::ReadModifyWrite(self.pick_key())
        }
    }
}

/// `i` modulo `2^bits`, scrambled by a bijection of `bits`-bit numbers (odd multipliers
/// and xor-shifts, each invertible modulo `2^bits`).
fn scatter(i: u64, bits: u32) -> u64 {
    let mask = u64::MAX >> (64 - bits);
    let mut x = i & mask;
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask;
    x ^= x >> bits.div_ceil(2);
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & mask;
    x ^ (x >> bits.div_ceil(3))
}

fn fnv64(x: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in x.to_le_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixes_add_up() {
        for w in Workload::ALL {
            let m = w.mix();
            let sum = m.read + m.update + m.insert + m.scan + m.rmw;
            assert!((sum - 1.0).abs() < 1e-9, "{w:?}");
        }
    }

    #[test]
    fn a_range_keeps_its_keys_distinct_and_inside() {
        let first = 1_000_000_000_000i64;
        let ks = KeySpace::range(first, 12, 3000);
        let mut keys: Vec<i64> = (0..4096).map(|i| ks.key(i)).collect();
        assert!(keys.iter().all(|&k| (first..first + 4096).contains(&k)));
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 4096, "a bijection of the range");
        assert_eq!(ks.key(4096), ks.key(0), "past the range: its keys again");
    }

    #[test]
    fn record_keys_are_distinct() {
        let mut keys: Vec<i64> = (0..100_000).map(record_key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 100_000);
    }

    #[test]
    fn operation_shares_follow_the_mix() {
        let mut g = OpGen::new(
            Workload::B,
            Distribution::Zipfian,
            KeySpace::generated(10_000),
            1,
        );
        let n = 100_000;
        let reads = (0..n)
            .filter(|_| matches!(g.next_op(), Op::Read(_)))
            .count();
        let share = reads as f64 / n as f64;
        assert!((share - 0.95).abs() < 0.01, "{share}");
    }

    #[test]
    fn zipfian_is_skewed_and_uniform_is_not() {
        let count_top = |dist| {
            let ks = KeySpace::generated(10_000);
            let mut g = OpGen::new(Workload::C, dist, ks, 7);
            let mut hits = std::collections::HashMap::new();
            for _ in 0..100_000 {
                if let Op::Read(k) = g.next_op() {
                    *hits.entry(k).or_insert(0u32) += 1;
                }
            }
            let mut v: Vec<u32> = hits.into_values().collect();
            v.sort_unstable_by(|a, b| b.cmp(a));
            v.iter().take(100).sum::<u32>()
        };
        let zipf = count_top(Distribution::Zipfian);
        let uniform = count_top(Distribution::Uniform);
        // The 100 hottest of 10,000 keys (1%) take a large share under zipfian: about
        // 20% (the top 100 ranks of YCSB's 10^10-item space), against 1-2% if uniform.
        assert!(zipf > 18_000, "{zipf}");
        assert!(uniform < 5_000, "{uniform}");
    }

    #[test]
    fn latest_prefers_new_inserts() {
        let ks = KeySpace::generated(10_000);
        let mut g = OpGen::new(Workload::D, Distribution::Latest, ks.clone(), 3);
        let mut recent = 0;
        let mut reads = 0;
        for _ in 0..50_000 {
            if let Op::Read(k) = g.next_op() {
                reads += 1;
                let newest = ks.current();
                if (newest.saturating_sub(100)..newest).any(|i| record_key(i) == k) {
                    recent += 1;
                }
            }
        }
        assert!(recent * 2 > reads, "{recent} of {reads}");
    }
}
