//! Key generators for benchmarks and demos: distinct `i64` keys, sorted, from a fixed seed.
//!
//! The same `(dist, n, seed)` always yields the same keys (for a given `rand` version), so
//! runs of a benchmark are comparable.
use std::fmt;
use std::str::FromStr;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, LogNormal};

/// Which keys to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyDist {
    /// `0, 1, 2, ..., n-1`.
    Seq,
    /// Uniform over the whole `i64` range.
    Uniform,
    /// Lognormal (mu 0, sigma 2) scaled by 1e9: a heavily skewed set in the style of SOSD.
    Lognormal,
}

impl KeyDist {
    /// Every distribution, in the order they are listed in help text.
    pub const ALL: [KeyDist; 3] = [KeyDist::Seq, KeyDist::Uniform, KeyDist::Lognormal];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            KeyDist::Seq => "seq",
            KeyDist::Uniform => "uniform",
            KeyDist::Lognormal => "lognormal",
        }
    }
}

impl fmt::Display for KeyDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an unknown distribution name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown key distribution '{0}': use seq, uniform or lognormal")]
pub struct ParseKeyDistError(pub String);

impl FromStr for KeyDist {
    type Err = ParseKeyDistError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyDist::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseKeyDistError(s.to_string()))
    }
}

/// Lognormal parameters of [`KeyDist::Lognormal`].
const LOGNORMAL_MU: f64 = 0.0;
const LOGNORMAL_SIGMA: f64 = 2.0;
const LOGNORMAL_SCALE: f64 = 1e9;

/// `n` distinct keys drawn from `dist`, sorted ascending. Deterministic in `seed`.
///
/// Random distributions draw `n` samples, sort and deduplicate them, then draw more until
/// there are `n` distinct keys.
pub fn generate_keys(dist: KeyDist, n: usize, seed: u64) -> Vec<i64> {
    match dist {
        KeyDist::Seq => (0..n as i64).collect(),
        KeyDist::Uniform => {
            let mut rng = StdRng::seed_from_u64(seed);
            distinct_sorted(n, || rng.random::<i64>())
        }
        KeyDist::Lognormal => {
            let mut rng = StdRng::seed_from_u64(seed);
            match LogNormal::new(LOGNORMAL_MU, LOGNORMAL_SIGMA) {
                // `as` saturates, so even an extreme sample stays a valid i64.
                Ok(ln) => distinct_sorted(n, || (ln.sample(&mut rng) * LOGNORMAL_SCALE) as i64),
                // Unreachable with the constant parameters above (sigma > 0, finite).
                Err(_) => distinct_sorted(n, || rng.random::<i64>()),
            }
        }
    }
}

/// Draw from `sample` until there are `n` distinct values; return them sorted.
fn distinct_sorted(n: usize, mut sample: impl FnMut() -> i64) -> Vec<i64> {
    let mut keys: Vec<i64> = Vec::with_capacity(n);
    while keys.len() < n {
        let missing = n - keys.len();
        keys.extend((0..missing).map(|_| sample()));
        keys.sort_unstable();
        keys.dedup();
    }
    keys
}

/// A copy of `keys` in a random order, deterministic in `seed`.
pub fn shuffled(keys: &[i64], seed: u64) -> Vec<i64> {
    let mut out = keys.to_vec();
    out.shuffle(&mut StdRng::seed_from_u64(seed));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strictly_increasing(keys: &[i64]) -> bool {
        keys.windows(2).all(|w| w[0] < w[1])
    }

    #[test]
    fn every_distribution_gives_n_distinct_sorted_keys() {
        for dist in KeyDist::ALL {
            for n in [0, 1, 2, 1000, 100_000] {
                let keys = generate_keys(dist, n, 42);
                assert_eq!(keys.len(), n, "{dist} n={n}");
                assert!(
                    strictly_increasing(&keys),
                    "{dist} n={n} not sorted/distinct"
                );
            }
        }
    }

    #[test]
    fn seq_is_zero_to_n() {
        assert_eq!(generate_keys(KeyDist::Seq, 5, 7), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn same_seed_same_keys_other_seed_other_keys() {
        for dist in [KeyDist::Uniform, KeyDist::Lognormal] {
            let a = generate_keys(dist, 10_000, 42);
            let b = generate_keys(dist, 10_000, 42);
            let c = generate_keys(dist, 10_000, 43);
            assert_eq!(a, b, "{dist}");
            assert_ne!(a, c, "{dist}");
        }
    }

    #[test]
    fn lognormal_is_skewed_and_non_negative() {
        let keys = generate_keys(KeyDist::Lognormal, 100_000, 42);
        assert!(keys[0] >= 0);
        // Median of lognormal(0, sigma) is e^0 = 1, i.e. 1e9 after scaling.
        let median = keys[keys.len() / 2] as f64;
        assert!((0.8e9..1.25e9).contains(&median), "median {median}");
        // Skew: the top key is far above the median.
        assert!(*keys.last().unwrap_or(&0) as f64 > 1000.0 * median);
    }

    #[test]
    fn uniform_spans_negative_and_positive() {
        let keys = generate_keys(KeyDist::Uniform, 10_000, 1);
        assert!(keys[0] < i64::MIN / 2);
        assert!(keys[keys.len() - 1] > i64::MAX / 2);
    }

    #[test]
    fn dedup_tops_up_to_n() {
        // A sampler with many repeats still yields n distinct values.
        let mut x = 0i64;
        let keys = distinct_sorted(100, || {
            x += 1;
            x / 3
        });
        assert_eq!(keys.len(), 100);
        assert!(strictly_increasing(&keys));
    }

    #[test]
    fn shuffled_is_a_deterministic_permutation() {
        let keys = generate_keys(KeyDist::Seq, 1000, 0);
        let s1 = shuffled(&keys, 9);
        let s2 = shuffled(&keys, 9);
        assert_eq!(s1, s2);
        assert_ne!(s1, keys);
        let mut sorted = s1.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, keys);
    }

    #[test]
    fn dist_names_round_trip() {
        for dist in KeyDist::ALL {
            assert_eq!(dist.to_string().parse::<KeyDist>(), Ok(dist));
        }
        assert_eq!("Uniform".parse::<KeyDist>(), Ok(KeyDist::Uniform));
        assert!("zipf".parse::<KeyDist>().is_err());
    }
}
