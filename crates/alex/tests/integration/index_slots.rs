//! Global slot numbers (`AlexIndex::slot_of`, `slot_count`): the key a cache directory
//! carried by ALEX would index its handles by (issue 13).

use std::collections::BTreeSet;

use alex::{AlexIndex, Params};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Every key has a number below `slot_count`, numbers strictly increase with the key (so
/// they are distinct), the slot count is the index's slot total, and absent keys have none.
fn check_numbers(idx: &AlexIndex, keys: &BTreeSet<i64>) {
    idx.validate().unwrap();
    assert_eq!(idx.slot_count(), idx.stats().data_slots as u64);
    let mut last: Option<u64> = None;
    for &k in keys {
        let n = idx
            .slot_of(k)
            .unwrap_or_else(|| panic!("key {k} has no slot"));
        assert!(
            n < idx.slot_count(),
            "key {k}: slot {n} of {}",
            idx.slot_count()
        );
        if let Some(l) = last {
            assert!(n > l, "key {k}: slot {n} not above the previous key's {l}");
        }
        last = Some(n);
        for absent in [k.wrapping_add(1), k.wrapping_sub(1)] {
            if !keys.contains(&absent) {
                assert_eq!(idx.slot_of(absent), None, "absent key {absent}");
            }
        }
    }
}

#[test]
fn bulk_loaded_keys_have_distinct_numbers_and_absent_keys_none() {
    for params in [Params::default(), Params::tiny()] {
        // Uneven gaps (so absent keys sit between stored ones) and a skewed tail, so
        // bulk load builds model nodes and many leaves with tiny params.
        let mut keys: Vec<i64> = (0..50_000i64).map(|i| i * 8 + (i * 7919) % 5).collect();
        keys.extend((0..5_000i64).map(|i| 1_000_000 + i * i * 3));
        let idx = AlexIndex::bulk_load_with(&keys, params).unwrap();
        assert!(params != Params::tiny() || idx.stats().data_nodes > 100);
        check_numbers(&idx, &keys.iter().copied().collect());
    }
}

#[test]
fn numbers_stay_distinct_through_random_inserts_and_removals() {
    for params in [Params::default(), Params::tiny()] {
        let mut rng = StdRng::seed_from_u64(13);
        let mut idx = AlexIndex::with_params(params);
        let mut model = BTreeSet::new();
        for step in 0..40_000 {
            let k = rng.random_range(-1_000_000i64..1_000_000) * 3;
            if step % 4 == 3 {
                let victim = model.iter().next().copied();
                if let Some(v) = victim {
                    assert!(idx.remove(v));
                    model.remove(&v);
                    assert_eq!(idx.slot_of(v), None);
                }
            } else {
                assert_eq!(idx.insert(k), model.insert(k));
            }
        }
        assert!(idx.counters().expansions + idx.counters().splits_sideways > 0);
        check_numbers(&idx, &model);
        // A range removal renumbers too.
        idx.remove_range(-300_000..300_000);
        model.retain(|k| !(-300_000..300_000).contains(k));
        check_numbers(&idx, &model);
    }
}

#[test]
fn extreme_keys_and_an_empty_index() {
    let mut idx = AlexIndex::new();
    assert_eq!(idx.slot_of(0), None);
    assert!(idx.slot_count() > 0);
    let keys: BTreeSet<i64> = [i64::MIN, -1, 0, 1, i64::MAX].into_iter().collect();
    for &k in &keys {
        idx.insert(k);
    }
    check_numbers(&idx, &keys);
    // The same key keeps its number while the index is unchanged.
    assert_eq!(idx.slot_of(1), idx.slot_of(1));
}
