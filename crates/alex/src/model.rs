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

/// `k - anchor` as f64 without overflow. The difference fits in i64 for every key within
/// 2^63 of the anchor, and then one signed conversion gives the same f64 as the exact
/// u64 path; models of wide key ranges anchor at their middle (`wide_anchor`) so that
/// this holds for every key of their domain.
#[inline(always)]
pub(crate) fn offset(k: i64, anchor: i64) -> f64 {
    match k.checked_sub(anchor) {
        Some(d) => d as f64,
        None => offset_wide(k, anchor),
    }
}

/// The difference of two i64 always fits in u64.
#[cold]
#[inline(never)]
fn offset_wide(k: i64, anchor: i64) -> f64 {
    if k >= anchor {
        (k as u64).wrapping_sub(anchor as u64) as f64
    } else {
        -((anchor as u64).wrapping_sub(k as u64) as f64)
    }
}

/// Anchor for a model over keys `lo..=hi`: `lo` itself, unless the range is so wide that
/// some of its keys lie 2^63 or more above `lo`; then its middle.
fn wide_anchor(lo: i64, hi: i64) -> i64 {
    if hi.checked_sub(lo).is_some() {
        lo
    } else {
        // Rounded up: `lo - mid` may be -2^63, which fits; `hi - mid` stays below 2^63.
        (lo as i128 + (hi as i128 - lo as i128 + 1) / 2) as i64
    }
}

/// `n - 1` as f64, the bound `predict` clamps to (-1 for an empty array).
fn last_index(n: usize) -> f64 {
    (n as i64 - 1) as f64
}

/// The array a model predicts into (a model node's children, a data node's slots),
/// with its last index kept as f64 so a lookup clamps without converting the length.
/// Its length is fixed; a new length means a new `Positions`.
#[derive(Debug)]
pub(crate) struct Positions<T> {
    items: Box<[T]>,
    last: f64,
}

impl<T> From<Box<[T]>> for Positions<T> {
    fn from(items: Box<[T]>) -> Self {
        let last = last_index(items.len());
        Positions { items, last }
    }
}

impl<T> From<Vec<T>> for Positions<T> {
    fn from(items: Vec<T>) -> Self {
        items.into_boxed_slice().into()
    }
}

impl<T> Default for Positions<T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<T> std::ops::Deref for Positions<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<T> std::ops::DerefMut for Positions<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
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
        self.predict_in(k, last_index(n))
    }

    /// `predict` into `positions`, whose last index it keeps ready as f64.
    #[inline(always)]
    pub fn predict_into<T>(&self, k: i64, positions: &Positions<T>) -> usize {
        self.predict_in(k, positions.last)
    }

    /// Prediction clamped to `[0, hi]`, `hi` being `last_index(n)` of some `n`.
    #[inline(always)]
    fn predict_in(&self, k: i64, hi: f64) -> usize {
        // Clamped as floats (maxsd, minsd), then one plain truncation: a saturating `as`
        // would add five instructions to every model evaluation of every lookup.
        let p = self.predict_f(k);
        let p = if p > 0.0 { p } else { 0.0 }; // NaN fails the test and becomes 0
        let p = if p < hi { p } else { hi };
        // SAFETY: `p` is in [min(0, hi), hi] and finite, and hi = n - 1 < 2^63, so it
        // truncates to a value of i64. `predictions_match_the_saturating_formula` checks
        // NaN, infinite and huge predictions against the safe formula.
        unsafe { p.to_int_unchecked::<i64>() as usize }
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
        let anchor = wide_anchor(keys[0], keys[n - 1]);
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
        let anchor = wide_anchor(k1, k2);
        let a = (p2 - p1) / d;
        LinearModel {
            anchor,
            a,
            b: p1 + a * offset(anchor, k1),
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
    fn the_signed_fast_path_gives_the_exact_offset() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(7);
        let mut keys = vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
        for _ in 0..2_000 {
            let x: u64 = rng.random();
            keys.push(x as i64);
            keys.push((x >> 20) as i64);
        }
        for &k in &keys {
            for &a in &keys {
                assert_eq!(offset(k, a), offset_wide(k, a), "offset({k}, {a})");
            }
        }
    }

    #[test]
    fn models_of_wide_ranges_anchor_where_every_key_takes_the_fast_path() {
        let whole = LinearModel::through(i64::MIN, 0.0, i64::MAX, 1.0);
        let fitted = LinearModel::fit_ranks(&[i64::MIN, -5, 0, 7, i64::MAX], 1.0);
        for m in [whole, fitted] {
            let mut prev = f64::NEG_INFINITY;
            for k in (0..=64).map(|i| (i64::MIN as i128 + (i << 58) - i.min(1)) as i64) {
                assert!(k.checked_sub(m.anchor).is_some(), "{k} vs {m:?}");
                let p = m.predict_f(k);
                assert!(p >= prev, "not monotone at {k}: {m:?}");
                prev = p;
            }
        }
        assert!(whole.predict_f(i64::MIN).abs() < 1e-9);
        assert!((whole.predict_f(i64::MAX) - 1.0).abs() < 1e-9);
        // Narrow ranges keep their first key as the anchor: the same model as before.
        assert_eq!(LinearModel::through(10, 0.0, 20, 1.0).anchor, 10);
    }

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
    fn predictions_match_the_saturating_formula() {
        // The float clamps and the unchecked truncation must give what the safe
        // `(p as i64).max(0).min(n - 1)` gives for every kind of prediction.
        let slopes = [0.0, -0.0, 0.5, 1.0, 3.7, 1e300, f64::INFINITY, f64::NAN];
        let intercepts = [
            0.0,
            -0.5,
            0.49,
            9.99,
            -1e300,
            1e19,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let keys = [i64::MIN, -1000, -1, 0, 1, 7, 9, 10, 11, 1 << 40, i64::MAX];
        for n in [0usize, 1, 2, 10, 1 << 20] {
            let positions: Positions<u8> = vec![0u8; n].into();
            for a in slopes {
                for b in intercepts {
                    let m = LinearModel { anchor: 3, a, b };
                    for k in keys {
                        let want = (m.predict_f(k) as i64).max(0).min(n as i64 - 1) as usize;
                        assert_eq!(m.predict(k, n), want, "{m:?} at {k}, n = {n}");
                        assert_eq!(m.predict_into(k, &positions), want, "{m:?} at {k}");
                    }
                }
            }
        }
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
