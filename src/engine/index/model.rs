//! Linear models. A model maps a key to a position: a slot in a data node, or a child
//! bucket in a model node. Keys are taken relative to an `anchor` key with exact integer
//! arithmetic before the conversion to f64, so that nodes deep in the tree (narrow key
//! ranges at large magnitudes, e.g. near `i64::MAX`) keep enough precision to tell
//! neighbouring keys apart.

/// `position(k) = a * (k - anchor) + b`, monotone non-decreasing in `k` because `a >= 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LinearModel {
    pub anchor: i64,
    pub a: f64,
    pub b: f64,
}

/// `k - anchor` as f64 without overflow: the difference of two i64 always fits in u64.
#[inline(always)]
pub(crate) fn offset(k: i64, anchor: i64) -> f64 {
    if k >= anchor {
        (k as u64).wrapping_sub(anchor as u64) as f64
    } else {
        -((anchor as u64).wrapping_sub(k as u64) as f64)
    }
}

impl LinearModel {
    pub const ZERO: LinearModel = LinearModel {
        anchor: 0,
        a: 0.0,
        b: 0.0,
    };

    #[inline(always)]
    pub fn predict_f(&self, k: i64) -> f64 {
        self.a * offset(k, self.anchor) + self.b
    }

    /// Predicted position clamped to `[0, n)`; extreme and NaN predictions are safe.
    #[inline(always)]
    pub fn predict(&self, k: i64, n: usize) -> usize {
        // `as i64` saturates and maps NaN to 0: one conversion, then integer clamps.
        (self.predict_f(k) as i64).max(0).min(n as i64 - 1) as usize
    }

    pub fn scale(&mut self, factor: f64) {
        self.a *= factor;
        self.b *= factor;
    }

    /// Least-squares fit of `rank(k) * step` on `k` (ALEX's data-node model). Large inputs
    /// are sampled with a stride, as ALEX's approximate model computation does.
    pub fn fit_ranks(keys: &[i64], step: f64) -> LinearModel {
        let n = keys.len();
        if n == 0 {
            return LinearModel::ZERO;
        }
        let anchor = keys[0];
        if n == 1 {
            return LinearModel {
                anchor,
                a: 0.0,
                b: 0.0,
            };
        }
        let stride = (n / 8192).max(1);
        let (mut cnt, mut sx, mut sy) = (0.0f64, 0.0f64, 0.0f64);
        let mut i = 0;
        while i < n {
            sx += offset(keys[i], anchor);
            sy += i as f64;
            cnt += 1.0;
            i += stride;
        }
        let (mx, my) = (sx / cnt, sy / cnt);
        let (mut sxx, mut sxy) = (0.0f64, 0.0f64);
        let mut i = 0;
        while i < n {
            let dx = offset(keys[i], anchor) - mx;
            sxx += dx * dx;
            sxy += dx * (i as f64 - my);
            i += stride;
        }
        if sxx <= 0.0 || !sxx.is_finite() || !sxy.is_finite() {
            return LinearModel {
                anchor,
                a: 0.0,
                b: my * step,
            };
        }
        let a = (sxy / sxx).max(0.0);
        LinearModel {
            anchor,
            a: a * step,
            b: (my - a * mx) * step,
        }
    }

    /// Line through two keys: `k1 -> p1`, `k2 -> p2` (`k1 < k2`, `p1 < p2`). Used for model
    /// nodes: a line through two quantiles is robust to outliers, so a node's keys never
    /// all fall into one child.
    pub fn through(k1: i64, p1: f64, k2: i64, p2: f64) -> LinearModel {
        let d = offset(k2, k1);
        if d <= 0.0 {
            return LinearModel {
                anchor: k1,
                a: 0.0,
                b: p1,
            };
        }
        LinearModel {
            anchor: k1,
            a: (p2 - p1) / d,
            b: p1,
        }
    }

    /// Model-node model mapping `keys` (sorted, distinct) into `[0, 1)`: the keys at the
    /// first and third quartile go to 0.25 and 0.75. Any two distinct keys end up in
    /// different halves, which guarantees progress when a node is split.
    pub fn fit_model_node(keys: &[i64]) -> LinearModel {
        let n = keys.len();
        if n == 0 {
            return LinearModel::ZERO;
        }
        if n == 1 {
            return LinearModel {
                anchor: keys[0],
                a: 0.0,
                b: 0.5,
            };
        }
        let (lo, hi) = if n >= 4 {
            (n / 4, (3 * n) / 4)
        } else {
            (0, n - 1)
        };
        LinearModel::through(keys[lo], 0.25, keys[hi], 0.75)
    }

    /// Root model mapping the smallest key to 0 and the largest to just under 1: ALEX's
    /// root spans the key domain, and keys outside it count towards a root expansion.
    pub fn fit_min_max(keys: &[i64]) -> LinearModel {
        let n = keys.len();
        if n < 2 {
            return LinearModel::fit_model_node(keys);
        }
        LinearModel::through(keys[0], 0.0, keys[n - 1], 1.0 - 1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_handles_the_whole_i64_range() {
        assert_eq!(offset(i64::MAX, i64::MIN), u64::MAX as f64);
        assert_eq!(offset(i64::MIN, i64::MAX), -(u64::MAX as f64));
        assert_eq!(offset(5, 3), 2.0);
        assert_eq!(offset(3, 5), -2.0);
    }

    #[test]
    fn predictions_are_monotone_and_clamped() {
        let m = LinearModel::through(-100, 0.0, 100, 10.0);
        let mut last = 0;
        for k in [i64::MIN, -1000, -100, -50, 0, 50, 99, 100, 1000, i64::MAX] {
            let p = m.predict(k, 10);
            assert!(p >= last && p < 10);
            last = p;
        }
        assert_eq!(m.predict(i64::MIN, 10), 0);
        assert_eq!(m.predict(i64::MAX, 10), 9);
    }

    #[test]
    fn quartile_model_separates_extreme_clusters() {
        let keys = [i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX];
        let mut m = LinearModel::fit_model_node(&keys);
        m.scale(2.0);
        assert_eq!(m.predict(keys[0], 2), 0);
        assert_eq!(m.predict(keys[3], 2), 1);
        let near: Vec<i64> = (0..8).map(|i| i64::MAX - 8 + i).collect();
        let mut m = LinearModel::fit_model_node(&near);
        m.scale(2.0);
        assert_eq!(m.predict(near[0], 2), 0);
        assert_eq!(m.predict(near[7], 2), 1);
    }

    #[test]
    fn rank_fit_is_exact_on_a_line() {
        let keys: Vec<i64> = (0..100).map(|i| i * 10 - 300).collect();
        let m = LinearModel::fit_ranks(&keys, 1.0);
        for (i, &k) in keys.iter().enumerate() {
            assert!((m.predict_f(k) - i as f64).abs() < 1e-6);
        }
    }
}
