//! Per-operation latency for benchmarks: the CPU's time-stamp counter around each
//! operation (a few ns, the same for every engine), recorded in an hdrhistogram.
use hdrhistogram::Histogram;
use serde::Serialize;

use engine::metrics::clock;

/// Latencies of one kind of operation.
#[derive(Debug, Clone)]
pub struct Latencies {
    hist: Histogram<u64>,
    total_ticks: u128,
}

impl Default for Latencies {
    fn default() -> Self {
        clock::init();
        Latencies {
            // 3 significant digits, up to 2^40 ticks (minutes).
            hist: Histogram::new_with_bounds(1, 1 << 40, 3).unwrap_or_else(|_| {
                Histogram::new(3).unwrap_or_else(|_| unreachable!("3 sig figs is valid"))
            }),
            total_ticks: 0,
        }
    }
}

/// Mean and percentiles in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub mean_ns: f64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub p999_ns: u64,
    pub max_ns: u64,
}

impl Latencies {
    /// Times `f` and records it.
    #[inline]
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let t0 = clock::now();
        let r = f();
        let dt = clock::now().saturating_sub(t0).max(1);
        self.total_ticks += u128::from(dt);
        self.hist.saturating_record(dt);
        r
    }

    pub fn merge(&mut self, other: &Latencies) {
        // Same bounds on both sides, so `add` cannot fail.
        let _ = self.hist.add(&other.hist);
        self.total_ticks += other.total_ticks;
    }

    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// The distribution as `(ns, % of operations at or below it)` points: every
    /// percentile, then the tail in finer steps (for a CDF chart). Empty without samples.
    pub fn cdf(&self) -> Vec<(f64, f64)> {
        if self.hist.is_empty() {
            return Vec::new();
        }
        let ns = clock::ns_per_tick();
        let tail = [0.995, 0.999, 0.9995, 0.9999, 1.0];
        (0..100)
            .map(|i| f64::from(i) / 100.0)
            .chain(tail)
            .map(|q| (self.hist.value_at_quantile(q) as f64 * ns, q * 100.0))
            .collect()
    }

    pub fn summary(&self) -> Summary {
        let ns = clock::ns_per_tick();
        let n = self.hist.len();
        let q = |p: f64| (self.hist.value_at_quantile(p) as f64 * ns).round() as u64;
        Summary {
            count: n,
            mean_ns: if n == 0 {
                0.0
            } else {
                self.total_ticks as f64 * ns / n as f64
            },
            p50_ns: if n == 0 { 0 } else { q(0.5) },
            p99_ns: if n == 0 { 0 } else { q(0.99) },
            p999_ns: if n == 0 { 0 } else { q(0.999) },
            max_ns: if n == 0 {
                0
            } else {
                (self.hist.max() as f64 * ns).round() as u64
            },
        }
    }
}
