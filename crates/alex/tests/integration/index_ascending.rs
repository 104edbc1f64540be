//! Issue 16: keys inserted one by one in ascending order (timestamps, say) must build an
//! index shaped like a bulk load of the same keys, with bounded restructuring work. These
//! checks count structure, not time, so they catch the pathology on a busy machine.

use alex::{AlexIndex, IndexStats, Params};
use workload::keys::{KeyDist, generate_keys};

/// A resize (expansion or retrain) takes a node from MAX_DENSITY (0.8) down to
/// MIN_DENSITY (0.6), so its keys grow by at least 4/3 before the next one: between splits
/// a node resizes at most log_{4/3}(max slots) times, about 48 for 2^20 slots.
fn max_resizes_per_node() -> u64 {
    let slots = Params::default().max_data_node_slots as f64;
    (slots.ln() / (4.0f64 / 3.0).ln()).ceil() as u64
}

fn nodes(s: &IndexStats) -> usize {
    s.model_nodes + s.data_nodes
}

/// Inserts `keys` (sorted) one by one and checks the result against a bulk load.
fn check_ascending(dist: KeyDist, n: usize) {
    let keys = generate_keys(dist, n, 42);
    let bulk = AlexIndex::bulk_load(&keys)
        .expect("sorted distinct keys")
        .stats();
    let mut idx = AlexIndex::new();
    for &k in &keys {
        assert!(idx.insert(k), "{dist:?}: key {k} reported as already there");
    }
    idx.validate()
        .unwrap_or_else(|e| panic!("{dist:?} {n}: {e}"));
    assert_eq!(idx.len(), n);
    let missing = keys.iter().filter(|&&k| !idx.contains(k)).count();
    assert_eq!(missing, 0, "{dist:?} {n}: {missing} keys not found");

    let s = idx.stats();
    let c = s.counters;
    let what = format!("{dist:?} {n}: inserted {s:?}\nbulk-loaded {bulk:?}");
    // Before the fix, 3M uniform keys went 9 levels deep (bulk load: 2) through a chain of
    // "catastrophic" splits of leaves the append stream kept shifting into.
    assert!(s.depth <= bulk.depth + 1, "too deep: {what}");
    assert!(nodes(&s) <= 2 * nodes(&bulk) + 8, "too many nodes: {what}");
    // Before the fix, a full leaf at the maximum size "retrained" without gaining a slot,
    // once per insert: 1M uniform keys took 292 retrains in 3 data nodes.
    let resizes = c.expansions + c.retrains;
    let bound = (s.data_nodes as u64 + c.splits_sideways + c.splits_down) * max_resizes_per_node();
    assert!(resizes <= bound, "{resizes} resizes > {bound}: {what}");
}

#[test]
fn ascending_uniform_keys_build_a_bulk_load_shape() {
    check_ascending(KeyDist::Uniform, 1_000_000);
}

#[test]
fn ascending_lognormal_keys_build_a_bulk_load_shape() {
    check_ascending(KeyDist::Lognormal, 1_000_000);
}

#[test]
fn ascending_sequential_keys_build_a_bulk_load_shape() {
    check_ascending(KeyDist::Seq, 1_000_000);
}

#[test]
fn ascending_small_uniform_index_stays_one_leaf() {
    check_ascending(KeyDist::Uniform, 100_000);
}
