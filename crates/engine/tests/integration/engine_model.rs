//! Model test: `Db` against a `BTreeMap<i64, Vec<u8>>` over random operations with
//! negative and extreme keys, including close-and-reopen steps, for each value cache
//! policy and compression, with value cache option changes between steps.
use std::collections::BTreeMap;

use engine::{Db, DbOptions, ValueCacheCompression, ValueCachePolicy};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Put(i64, Vec<u8>),
    Get(i64),
    Delete(i64),
    Scan(i64, i64, usize),
    Count,
    CountRange(i64, i64),
    Load(Vec<(i64, Vec<u8>)>),
    Reopen,
    /// A live change of a value cache option: an index into `TUNES`.
    Tune(usize),
}

/// Every value cache policy the model runs against.
const POLICIES: &[ValueCachePolicy] = &[ValueCachePolicy::Clock, ValueCachePolicy::Lru];

/// Every value cache compression the model runs against.
const COMPRESSIONS: &[ValueCacheCompression] = &[
    ValueCacheCompression::None,
    ValueCacheCompression::Lz4,
    ValueCacheCompression::ZstdDict,
];

/// Live option changes made between steps (none turns a cache that is off on).
const TUNES: &[(&str, &str)] = &[
    ("value_cache_policy", "clock"),
    ("value_cache_policy", "lru"),
    ("value_cache_size", "2KiB"),
    ("value_cache_size", "1MiB"),
    ("value_cache_compression", "none"),
    ("value_cache_compression", "lz4"),
    ("value_cache_compression", "zstd-dict"),
];

fn key() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -20i64..20,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => Just(i64::MIN + 1),
        1 => Just(i64::MAX - 1),
        1 => Just(0i64),
        1 => Just(-1i64),
        1 => any::<i64>(),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..48)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (key(), value()).prop_map(|(k, v)| Op::Put(k, v)),
        6 => key().prop_map(Op::Get),
        3 => key().prop_map(Op::Delete),
        3 => (key(), key(), 0usize..40).prop_map(|(a, b, l)| Op::Scan(a, b, l)),
        1 => Just(Op::Count),
        2 => (key(), key()).prop_map(|(a, b)| Op::CountRange(a, b)),
        1 => prop::collection::vec((key(), value()), 0..12).prop_map(Op::Load),
        1 => Just(Op::Reopen),
        2 => (0..TUNES.len()).prop_map(Op::Tune),
    ]
}

/// The value cache settings of one run.
#[derive(Debug, Clone, Copy)]
struct CacheSetup {
    entries: usize,
    policy: ValueCachePolicy,
    compression: ValueCacheCompression,
}

fn options(cache: CacheSetup) -> DbOptions {
    DbOptions {
        block_cache_bytes: 4 << 20,
        write_buffer_size: 1 << 20,
        value_cache_entries: cache.entries,
        value_cache_policy: cache.policy,
        value_cache_compression: cache.compression,
        value_cache_shards: 4,
        metrics_sample_rate: 2,
        ..DbOptions::default()
    }
}

fn run(ops: Vec<Op>, cache: CacheSetup) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("db");
    let open =
        || Db::open_with(&path, options(cache)).map_err(|e| TestCaseError::fail(e.to_string()));
    let mut db = Some(open()?);
    let mut model: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    for op in ops {
        let d = db.as_ref().ok_or_else(|| TestCaseError::fail("no db"))?;
        match op {
            Op::Put(k, v) => {
                let new = d
                    .put(k, &v)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(new, !model.contains_key(&k), "put({}) newness", k);
                model.insert(k, v);
            }
            Op::Get(k) => {
                let got = d.get(k).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(
                    got.as_deref(),
                    model.get(&k).map(|v| v.as_slice()),
                    "get({})",
                    k
                );
            }
            Op::Delete(k) => {
                let existed = d
                    .delete(k)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(existed, model.remove(&k).is_some(), "delete({})", k);
            }
            Op::Scan(a, b, limit) => {
                let got = d
                    .scan(a, b, limit)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let want: Vec<(i64, Vec<u8>)> = if a <= b {
                    model
                        .range(a..=b)
                        .take(limit)
                        .map(|(k, v)| (*k, v.clone()))
                        .collect()
                } else {
                    Vec::new()
                };
                let got: Vec<(i64, Vec<u8>)> =
                    got.into_iter().map(|(k, v)| (k, v.to_vec())).collect();
                prop_assert_eq!(got, want, "scan({}, {}, {})", a, b, limit);
            }
            Op::Count => prop_assert_eq!(d.count(), model.len() as u64),
            Op::CountRange(a, b) => {
                let want = if a <= b {
                    model.range(a..=b).count() as u64
                } else {
                    0
                };
                prop_assert_eq!(d.count_range(a, b), want, "count({}, {})", a, b);
            }
            Op::Load(rows) => {
                d.load(rows.iter().map(|(k, v)| (*k, v.as_slice())))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                for (k, v) in rows {
                    model.insert(k, v);
                }
            }
            Op::Reopen => {
                if let Some(d) = db.take() {
                    d.close().map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
                db = Some(open()?);
            }
            Op::Tune(i) => {
                let (name, value) = TUNES[i];
                d.set_option(name, value)
                    .map_err(|e| TestCaseError::fail(format!("{name} {value}: {e}")))?;
            }
        }
    }
    let d = db.as_ref().ok_or_else(|| TestCaseError::fail("no db"))?;
    let all = d
        .scan(i64::MIN, i64::MAX, usize::MAX)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let all: Vec<(i64, Vec<u8>)> = all.into_iter().map(|(k, v)| (k, v.to_vec())).collect();
    let want: Vec<(i64, Vec<u8>)> = model.into_iter().collect();
    prop_assert_eq!(all, want);
    let check = d.check().map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(check.ok, "{:?}", check);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn db_matches_btreemap(
        ops in prop::collection::vec(op(), 1..60),
        entries in prop_oneof![Just(0usize), Just(3), Just(1000)],
    ) {
        for &policy in POLICIES {
            for &compression in COMPRESSIONS {
                run(ops.clone(), CacheSetup { entries, policy, compression })?;
            }
        }
    }
}

#[test]
fn extreme_keys_sort_numerically_in_rocksdb() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(hundred())).unwrap();
    for k in [3, -5, i64::MAX, i64::MIN, 0, -1] {
        db.put(k, &k.to_le_bytes()).unwrap();
    }
    let keys: Vec<i64> = db
        .scan(i64::MIN, i64::MAX, 100)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, vec![i64::MIN, -5, -1, 0, 3, i64::MAX]);
    drop(db);
    let db = Db::open_with(dir.path(), options(hundred())).unwrap();
    assert_eq!(
        db.keys(i64::MIN, i64::MAX, 100),
        vec![i64::MIN, -5, -1, 0, 3, i64::MAX]
    );
    assert_eq!(
        db.get(i64::MIN).unwrap().as_deref(),
        Some(&i64::MIN.to_le_bytes()[..])
    );
}

/// A 100-entry cache with the default policy and compression.
fn hundred() -> CacheSetup {
    CacheSetup {
        entries: 100,
        policy: ValueCachePolicy::Clock,
        compression: ValueCacheCompression::None,
    }
}
