//! The lookup shortcut (issue 16): without removals since the last layout, `find` and
//! `contains` answer from the key array alone. These tests compare every answer with the
//! bitmap's truth through inserts, removals, range removals, reinserts and the extreme
//! keys (i64::MAX is also the FILL value of trailing gaps).
use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;

/// The occupied slot holding `key`, found by scanning the bitmap (no shortcut).
fn truth(d: &DataNode, key: i64) -> Option<usize> {
    (0..d.capacity()).find(|&p| d.is_occupied(p) && d.keys[p] == key)
}

fn check(d: &DataNode, set: &BTreeSet<i64>, probes: &[i64]) {
    for &k in probes.iter().chain(set.iter()) {
        let want = truth(d, k);
        assert_eq!(want.is_some(), set.contains(&k), "bitmap disagrees on {k}");
        assert_eq!(
            d.find(k),
            want,
            "find({k}), removed_since_build {}",
            d.removed_since_build
        );
        assert_eq!(d.contains(k), want.is_some(), "contains({k})");
    }
}

fn insert(d: &mut DataNode, set: &mut BTreeSet<i64>, k: i64) {
    loop {
        match d.insert(k) {
            InsertOutcome::Inserted => break assert!(set.insert(k)),
            InsertOutcome::Exists => break assert!(set.contains(&k)),
            InsertOutcome::Full(_) => d.resize(MIN_DENSITY, true, false, false),
        }
    }
}

#[test]
fn shortcut_answers_like_the_bitmap_through_removals_and_reinserts() {
    let mut rng = StdRng::seed_from_u64(16);
    let mut keys: Vec<i64> = (0..400)
        .map(|_| rng.random_range(-5000..5000) * 3)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut set: BTreeSet<i64> = keys.iter().copied().collect();
    let mut d = DataNode::build(&keys, 0.5, 1 << 20);
    let mut probes: Vec<i64> = (-15_010..15_010).step_by(7).collect();
    probes.extend([i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX]);
    check(&d, &set, &probes);
    for round in 0..6 {
        for _ in 0..150 {
            insert(&mut d, &mut set, rng.random_range(-5000..5000) * 3);
        }
        assert!(!d.removed_since_build);
        check(&d, &set, &probes);
        // Removals leave their values in gaps: the shortcut must switch off until the
        // next layout, and reinserting some of them must still answer right.
        let gone: Vec<i64> = set.iter().copied().step_by(3).take(40).collect();
        for &k in &gone {
            assert!(d.remove(k));
            set.remove(&k);
        }
        if round % 2 == 1 {
            let lo = d.find(*set.iter().nth(10).unwrap()).unwrap();
            let n = d.remove_slots(lo, lo + 20);
            set = d.collect_keys().into_iter().collect();
            assert!(n > 0);
        }
        check(&d, &set, &probes);
        for &k in gone.iter().step_by(2) {
            insert(&mut d, &mut set, k);
        }
        check(&d, &set, &probes);
        d.resize(MIN_DENSITY, round % 2 == 0, false, false);
        assert!(!d.removed_since_build, "a layout clears the flag");
        check(&d, &set, &probes);
    }
}

#[test]
fn fill_value_is_not_taken_for_a_key() {
    // Trailing gaps hold FILL = i64::MAX: absent i64::MAX must not be found there.
    let mut keys = vec![i64::MIN, -1, 0, 1, 1 << 40];
    let d = DataNode::build(&keys, 0.3, 1 << 20);
    assert!(!d.removed_since_build && d.keys[d.capacity() - 1] == FILL);
    assert!(!d.contains(i64::MAX) && d.find(i64::MAX).is_none());
    assert!(d.contains(i64::MIN) && d.find(i64::MIN).is_some());
    // Present i64::MAX is found at its occupied slot, before or after a removal.
    keys.push(i64::MAX);
    let mut d = DataNode::build(&keys, 0.3, 1 << 20);
    let set: BTreeSet<i64> = keys.iter().copied().collect();
    check(&d, &set, &[i64::MAX - 1, 2]);
    assert!(d.remove(0));
    let set: BTreeSet<i64> = keys.iter().copied().filter(|&k| k != 0).collect();
    check(&d, &set, &[0, i64::MAX - 1]);
    assert!(d.remove(i64::MAX));
    assert!(!d.contains(i64::MAX) && d.find(i64::MAX).is_none());
}
