//! The compact CLOCK value cache (issue 13) against a model: a `BTreeMap` holding what
//! the database holds. Every hit must be the model's latest value, memory must stay in
//! the byte budget, and the bookkeeping per value must stay small.
use std::collections::BTreeMap;
use std::sync::Arc;

use engine::cache::clock::ClockCache;
use proptest::prelude::*;

const SHARDS: usize = 2;

#[derive(Debug, Clone)]
enum Op {
    /// A write: the database's value changes, the cache is updated if it holds the key.
    Put(i64, Vec<u8>),
    /// A read that missed and fills the cache with the database's value.
    Fill(i64),
    /// A read whose fill lost a race with a write: it must not be cached.
    StaleFill(i64, Vec<u8>),
    Get(i64),
    Delete(i64),
    DeleteRange(i64, i64),
    Resize(usize, usize),
    Clear,
}

fn key() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => -40i64..40,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => any::<i64>(),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..40),
        2 => prop::collection::vec(any::<u8>(), 100..400),
        1 => Just(vec![7u8; 3000]), // larger than a shard: never cached
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (key(), value()).prop_map(|(k, v)| Op::Put(k, v)),
        8 => key().prop_map(Op::Fill),
        2 => (key(), value()).prop_map(|(k, v)| Op::StaleFill(k, v)),
        8 => key().prop_map(Op::Get),
        3 => key().prop_map(Op::Delete),
        1 => (key(), key()).prop_map(|(a, b)| Op::DeleteRange(a.min(b), a.max(b))),
        1 => (0usize..6 * 1024, prop_oneof![Just(0usize), 1usize..50, Just(1_000_000)])
            .prop_map(|(b, e)| Op::Resize(b, e)),
        1 => Just(Op::Clear),
    ]
}

/// Applies `op` to the cache and the model; checks what a get returns.
fn step(
    c: &ClockCache,
    db: &mut BTreeMap<i64, Vec<u8>>,
    cap: &mut (usize, usize),
    op: Op,
) -> Result<(), TestCaseError> {
    match op {
        Op::Put(k, v) => {
            c.update_if_present(k, || Arc::from(&v[..]));
            db.insert(k, v);
        }
        Op::Fill(k) => {
            if let Some(v) = db.get(&k) {
                c.fill(k, v, || true);
            }
        }
        Op::StaleFill(k, v) => c.fill(k, &v, || false),
        Op::Get(k) => {
            let got = c.get(k);
            if let Some(got) = got {
                prop_assert_eq!(Some(&got[..]), db.get(&k).map(|v| &v[..]), "get({})", k);
            }
        }
        Op::Delete(k) => {
            c.remove(k);
            db.remove(&k);
        }
        Op::DeleteRange(a, b) => {
            c.remove_range(a, b);
            db.retain(|k, _| !(a..=b).contains(k));
        }
        Op::Resize(bytes, entries) => {
            c.set_capacity(bytes, entries);
            *cap = (bytes, entries);
        }
        Op::Clear => c.clear(),
    }
    let f = c.figures();
    prop_assert!(f.bytes <= cap.0 as u64, "{} bytes over {}", f.bytes, cap.0);
    prop_assert!(
        f.entries <= cap.1 as u64,
        "{} entries over {}",
        f.entries,
        cap.1
    );
    Ok(())
}

/// Every cached key holds the model's value; the gauges add up to what is cached.
fn check_contents(c: &ClockCache, db: &BTreeMap<i64, Vec<u8>>) -> Result<(), TestCaseError> {
    let (mut n, mut stored) = (0u64, 0u64);
    for (k, v) in db {
        if let Some(got) = c.get(*k) {
            prop_assert_eq!(&got[..], &v[..], "key {}", k);
            n += 1;
            stored += v.len() as u64;
        }
    }
    let f = c.figures();
    prop_assert_eq!(f.entries, n);
    prop_assert_eq!(f.stored, stored);
    prop_assert_eq!(f.raw, stored, "no compression: stored = raw");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn clock_cache_matches_the_model(ops in prop::collection::vec(op(), 1..300)) {
        let c = ClockCache::new(SHARDS);
        // Small enough that fills evict all the time.
        let mut cap = (2 * 1024, 1_000_000);
        c.set_capacity(cap.0, cap.1);
        let mut db = BTreeMap::new();
        for op in ops {
            step(&c, &mut db, &mut cap, op)?;
        }
        check_contents(&c, &db)?;
    }
}

#[test]
fn a_fill_is_found_until_evicted_and_writes_replace_it() {
    let c = ClockCache::new(SHARDS);
    c.set_capacity(1 << 20, 1_000_000);
    for k in 0..1000 {
        c.fill(k, &k.to_le_bytes(), || true);
    }
    for k in 0..1000 {
        assert_eq!(c.get(k).as_deref(), Some(&k.to_le_bytes()[..]), "key {k}");
    }
    c.update_if_present(5, || Arc::from(&b"five"[..]));
    assert_eq!(c.get(5).as_deref(), Some(&b"five"[..]));
    c.remove_range(10, 19);
    assert!((10..20).all(|k| c.get(k).is_none()));
    assert_eq!(c.len(), 990);
}

#[test]
fn bookkeeping_per_100_byte_value_is_at_most_16_bytes_at_1m_entries() {
    let c = ClockCache::new(16);
    // Room for about 1M values of 100 bytes at ~116 B each.
    c.set_capacity(116_000_000, 1_000_000_000);
    let mut v = [0u8; 100];
    for k in 0..1_300_000i64 {
        v[..8].copy_from_slice(&k.to_le_bytes());
        c.fill(k, &v, || true);
    }
    let f = c.figures();
    assert!(f.bytes <= 116_000_000, "{f:?}");
    assert!(f.entries >= 950_000, "{f:?}");
    assert_eq!(f.stored, f.entries * 100);
    let per_value = (f.bytes - f.stored) as f64 / f.entries as f64;
    assert!(
        per_value <= 16.0,
        "{per_value:.1} B of bookkeeping per value: {f:?}"
    );
    // The newest values are the ones kept.
    let newest: i64 = 1_300_000 - 1;
    v[..8].copy_from_slice(&newest.to_le_bytes());
    assert_eq!(c.get(newest).as_deref(), Some(&v[..]));
    assert!(c.get(0).is_none());
}

#[test]
fn clock_keeps_a_re_referenced_hot_set_under_a_scan_of_cold_fills() {
    let c = ClockCache::new(1);
    // About 1000 values of 100 bytes.
    c.set_capacity(120_000, 1_000_000);
    let hot: Vec<i64> = (0..100).collect();
    let val = [1u8; 100];
    for &k in &hot {
        c.fill(k, &val, || true);
    }
    let (mut hits, mut gets) = (0, 0);
    let mut cold = 1_000_000i64;
    for round in 0..40 {
        // A scan of cold keys, each read once: half the cache's worth.
        for _ in 0..500 {
            c.fill(cold, &val, || true);
            cold += 1;
        }
        for &k in &hot {
            match c.get(k) {
                Some(_) if round > 0 => hits += 1,
                Some(_) => {}
                None => c.fill(k, &val, || true),
            }
            gets += usize::from(round > 0);
        }
    }
    // A FIFO would lose every hot key each time the scan passes the cache's size; CLOCK
    // moves the referenced ones back to the head.
    assert!(hits * 100 >= gets * 99, "{hits} of {gets} hot gets hit");
}
