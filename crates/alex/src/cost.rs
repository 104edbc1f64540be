//! ALEX's cost model. The cost of a data node is the expected number of exponential-search
//! iterations per lookup plus the expected number of shifts per insert, each weighted; a
//! model node adds one node lookup and a small charge for its size. Bulk load and node
//! splits compare these costs to choose between a data node and a model node, and a
//! node's fanout.

use super::model::LinearModel;

/// Weight of one exponential-search iteration.
pub(crate) const SEARCH_ITER_WEIGHT: f64 = 20.0;
/// Weight of one shifted slot on insert.
pub(crate) const SHIFT_WEIGHT: f64 = 0.5;
/// Weight of traversing one more node.
pub(crate) const NODE_LOOKUP_WEIGHT: f64 = 20.0;
/// Weight of one byte of model-node size, per key below the node.
pub(crate) const MODEL_SIZE_WEIGHT: f64 = 5e-7;

/// Density of a data node right after bulk load or a split.
pub(crate) const INIT_DENSITY: f64 = 0.7;
/// A data node is full (expand, retrain or split) above this density.
pub(crate) const MAX_DENSITY: f64 = 0.8;
/// Density after an expansion.
pub(crate) const MIN_DENSITY: f64 = 0.6;
/// A data node contracts when deletes bring its density below this.
pub(crate) const CONTRACT_DENSITY: f64 = 0.3;

/// Above this many keys, costs are estimated on a strided sample.
const EXACT_COST_LIMIT: usize = 4096;

/// Expected behaviour of a data node built over some keys.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DataCost {
    pub cost: f64,
    pub search_iters: f64,
    pub shifts: f64,
}

/// Expected cost of one data node holding `keys` at `density`: simulates ALEX's
/// model-based placement (each key at its predicted slot, or the next free one) and
/// measures the search distance of every key and the length of every run of occupied
/// slots (an insert into a run of length r shifts about r/4 keys).
pub(crate) fn data_node_cost(keys: &[i64], density: f64, insert_frac: f64) -> DataCost {
    let n = keys.len();
    if n <= 1 {
        return DataCost::default();
    }
    if n > EXACT_COST_LIMIT {
        // Estimate on a sample: each sampled key stands for `stride` keys, so distances
        // and run lengths measured in sample slots scale by `stride`.
        let stride = n.div_ceil(EXACT_COST_LIMIT);
        let sample: Vec<i64> = keys.iter().step_by(stride).copied().collect();
        return placement_cost(&sample, stride as f64, density, insert_frac);
    }
    exact_cost(keys, density, insert_frac)
}

/// Cost of a data node over keys of which `sample` is every `weight`-th one (weight 1:
/// the keys themselves).
pub(crate) fn sampled_cost(
    sample: &[i64],
    weight: f64,
    density: f64,
    insert_frac: f64,
) -> DataCost {
    if weight <= 1.0 {
        data_node_cost(sample, density, insert_frac)
    } else if sample.len() <= 1 {
        DataCost::default()
    } else {
        placement_cost(sample, weight, density, insert_frac)
    }
}

/// Cost of one data node over all of `keys`, never sampled: ALEX's placement (each key
/// at its predicted slot or the next free one, the tail packed against the end), its
/// search distances and its runs of occupied slots (an insert into a run of length r
/// shifts about r/4 keys). The fanout search of a bulk load runs this over every key
/// at every level it tries, so it works in integer slots.
pub(crate) fn exact_cost(keys: &[i64], density: f64, insert_frac: f64) -> DataCost {
    let n = keys.len();
    if n <= 1 {
        return DataCost::default();
    }
    let capacity = ((n as f64 / density).ceil() as i64).max(n as i64 + 1);
    let model = LinearModel::fit_ranks(keys, capacity as f64 / n as f64);
    let mut iters = 0.0f64;
    let mut shifts = 0u64;
    let (mut run_start, mut next_free) = (0i64, 0i64);
    for (i, &k) in keys.iter().enumerate() {
        // `as` saturates and truncates; below 0 the clamp makes truncation a floor.
        let pred = (model.predict_f(k) as i64).clamp(0, capacity - 1);
        let pos = pred.max(next_free).min(capacity - (n - i) as i64);
        // Branch-free on purpose: for random keys both tests below are coin flips.
        iters += log2_approx((pos - pred).unsigned_abs() + 1);
        let gap = pos > next_free;
        let run = (next_free - run_start) as u64;
        shifts += if gap { run * run / 4 } else { 0 };
        run_start = if gap { pos } else { run_start };
        next_free = pos + 1;
    }
    let run = (next_free - run_start) as u64;
    shifts += run * run / 4;
    let search_iters = iters / n as f64;
    let shifts = shifts as f64 / n as f64;
    DataCost {
        cost: SEARCH_ITER_WEIGHT * search_iters + SHIFT_WEIGHT * shifts * insert_frac,
        search_iters,
        shifts,
    }
}

/// log2(x) for x >= 1, to within 0.09: the exponent plus the mantissa read as a linear
/// fraction. A search distance's cost needs no more, and libm's log2 was a fifth of a
/// bulk load.
fn log2_approx(x: u64) -> f64 {
    let bits = (x as f64).to_bits();
    let exponent = ((bits >> 52) as i64 - 1023) as f64;
    let mantissa = (bits & ((1u64 << 52) - 1)) as f64 / (1u64 << 52) as f64;
    exponent + mantissa
}

fn placement_cost(keys: &[i64], weight: f64, density: f64, insert_frac: f64) -> DataCost {
    // Works in real slots. Sample j stands for the `weight` keys of real ranks
    // [j*weight, (j+1)*weight): strided samples of sorted keys have exact ranks, so the
    // model's large-scale error is measured without sampling noise. Each sample occupies
    // `weight` consecutive slots starting at its predicted slot or right after the
    // previous sample. That charges each sample's keys as one run of shifts and misses
    // search distances inside a stride, so only sampled costs compare with each other.
    let m = keys.len();
    let n_real = m as f64 * weight;
    let capacity = (n_real / density).ceil().max(n_real + 1.0);
    let model = LinearModel::fit_ranks(keys, capacity / m as f64);
    let mut iters = 0.0f64;
    let mut shift_sum = 0.0f64;
    let mut run = 0.0f64;
    let mut next_free = 0.0f64;
    for (i, &k) in keys.iter().enumerate() {
        let pred = model.predict_f(k).clamp(0.0, capacity - 1.0).floor();
        let remaining = (m - i) as f64 * weight;
        let mut pos = pred.max(next_free);
        if capacity - pos < remaining {
            pos = capacity - remaining;
        }
        let err = (pos - pred).abs();
        iters += (err + 1.0).log2() * weight;
        if i > 0 && pos <= next_free {
            run += weight;
        } else {
            shift_sum += run * run / 4.0;
            run = weight;
        }
        next_free = pos + weight;
    }
    shift_sum += run * run / 4.0;
    let search_iters = iters / n_real;
    let shifts = shift_sum / n_real;
    DataCost {
        cost: SEARCH_ITER_WEIGHT * search_iters + SHIFT_WEIGHT * shifts * insert_frac,
        search_iters,
        shifts,
    }
}

/// Bytes of one tree node (`tree::Node`; a test there checks it). Every child a model
/// node points to, and every extra data node, is charged this much memory.
pub(crate) const NODE_BYTES: usize = 256;

/// Cost of one model node level with `fanout` children over `num_keys` keys, out of
/// `total_keys` in the whole index (bigger nodes are charged per key below them).
pub(crate) fn traversal_cost(fanout: usize, num_keys: usize, total_keys: usize) -> f64 {
    let child_bytes = (std::mem::size_of::<u32>() + NODE_BYTES) as f64;
    NODE_LOOKUP_WEIGHT
        + MODEL_SIZE_WEIGHT * fanout as f64 * child_bytes * total_keys as f64
            / num_keys.max(1) as f64
}

/// Memory charge of one more data node, in cost units summed over keys (as ALEX charges
/// when it decides whether two sibling buckets should share one data node).
pub(crate) fn data_node_charge(total_keys: usize) -> f64 {
    MODEL_SIZE_WEIGHT * NODE_BYTES as f64 * total_keys as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_keys_cost_little() {
        let keys: Vec<i64> = (0..2000).map(|i| i * 7).collect();
        let c = data_node_cost(&keys, INIT_DENSITY, 1.0);
        assert!(c.search_iters < 1.0, "{c:?}");
    }

    #[test]
    fn skewed_keys_cost_more_than_linear_ones() {
        let linear: Vec<i64> = (0..3000).map(|i| i * 1000).collect();
        let skewed: Vec<i64> = (0..3000).map(|i: i64| i * i * i).collect();
        let a = data_node_cost(&linear, INIT_DENSITY, 1.0);
        let b = data_node_cost(&skewed, INIT_DENSITY, 1.0);
        assert!(
            b.cost > a.cost * 2.0 && b.cost > NODE_LOOKUP_WEIGHT,
            "{a:?} {b:?}"
        );
    }

    /// ALEX's placement written out plainly, with libm's log2.
    fn plain_placement(keys: &[i64], density: f64) -> (f64, f64) {
        let n = keys.len();
        let capacity = ((n as f64 / density).ceil() as usize).max(n + 1);
        let model = LinearModel::fit_ranks(keys, capacity as f64 / n as f64);
        let mut slots = vec![false; capacity];
        let (mut iters, mut last) = (0.0, None::<usize>);
        for (i, &k) in keys.iter().enumerate() {
            let p = model.predict_f(k).floor().clamp(0.0, (capacity - 1) as f64) as usize;
            let mut pos = last.map_or(p, |l: usize| p.max(l + 1));
            pos = pos.min(capacity - (n - i));
            iters += ((pos as f64 - p as f64).abs() + 1.0).log2();
            slots[pos] = true;
            last = Some(pos);
        }
        let runs = slots.split(|&occupied| !occupied).map(|r| r.len() as u64);
        let shifts: u64 = runs.map(|r| r * r / 4).sum();
        (iters / n as f64, shifts as f64 / n as f64)
    }

    #[test]
    fn exact_cost_matches_a_plain_placement() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(7);
        let mut next = || rng.random::<u64>();
        for (n, spread) in [(2, 10), (50, 1_000), (3_000, 1 << 20), (5_000, 1 << 40)] {
            let mut random: Vec<i64> = (0..n).map(|_| (next() % spread) as i64).collect();
            random.sort_unstable();
            random.dedup();
            let skewed: Vec<i64> = (0..n as i64).map(|i| i * i * i).collect();
            for keys in [random, skewed] {
                let c = exact_cost(&keys, INIT_DENSITY, 1.0);
                let (iters, shifts) = plain_placement(&keys, INIT_DENSITY);
                assert_eq!(c.shifts, shifts, "n {n}");
                // log2_approx is within 0.09 per key.
                assert!((c.search_iters - iters).abs() <= 0.09, "{c:?} {iters}");
            }
        }
    }

    #[test]
    fn log2_approx_is_exact_at_powers_of_two_and_close_between() {
        for e in 0..63 {
            assert_eq!(log2_approx(1u64 << e), e as f64);
        }
        for x in (1..100_000u64).chain([u64::MAX, (1 << 53) + 7]) {
            let d = (log2_approx(x) - (x as f64).log2()).abs();
            assert!(d < 0.09, "x {x}: off by {d}");
        }
    }

    #[test]
    fn sampled_estimate_is_close_to_exact_on_uniform_gaps() {
        let keys: Vec<i64> = (0..20_000).map(|i| i * 3 + (i % 7)).collect();
        let sampled = data_node_cost(&keys, INIT_DENSITY, 1.0);
        let exact = exact_cost(&keys, INIT_DENSITY, 1.0);
        assert!(
            (sampled.cost - exact.cost).abs() < 20.0,
            "{sampled:?} {exact:?}"
        );
    }
}
