//! Issue 17, bug 8: range deletes. ALEX's removals in ascending order were quadratic, and
//! `DELETE ... BETWEEN` removed keys one at a time. Now a range is deleted as a range:
//! one RocksDB range tombstone, one range removal in ALEX, the range's cached values
//! dropped. These tests check the index and the database against `BTreeSet`/`BTreeMap`
//! models, reopens, racing writers, bulk loads over range tombstones and the SQL routes.
use crate::support::small_value_cache;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use command::{Cell, Executor, Outcome};
use engine::index::{AlexIndex, Params};
use engine::{BulkLoadMethod, Db, DbOptions};
use proptest::prelude::*;

// ---- the index --------------------------------------------------------------------

#[derive(Clone, Debug)]
enum IxOp {
    /// Remove every model key in `[a, b]` one at a time, ascending.
    RemoveUp(i64, i64),
    /// The same, descending.
    RemoveDown(i64, i64),
    /// `remove_range(a..=b)`.
    RemoveRange(i64, i64),
    Insert(i64),
}

fn ix_op(span: i64) -> impl Strategy<Value = IxOp> {
    let pair = (0..span, 0..span / 4).prop_map(|(a, w)| (a, a + w));
    prop_oneof![
        pair.clone().prop_map(|(a, b)| IxOp::RemoveUp(a, b)),
        pair.clone().prop_map(|(a, b)| IxOp::RemoveDown(a, b)),
        pair.prop_map(|(a, b)| IxOp::RemoveRange(a, b)),
        (0..span).prop_map(IxOp::Insert),
    ]
}

fn same_as_model(ix: &AlexIndex, model: &BTreeSet<i64>) -> Result<(), TestCaseError> {
    ix.validate().map_err(TestCaseError::fail)?;
    prop_assert_eq!(ix.len(), model.len());
    prop_assert!(ix.iter().eq(model.iter().copied()));
    Ok(())
}

fn apply_ix(ix: &mut AlexIndex, model: &mut BTreeSet<i64>, op: &IxOp) -> Result<(), TestCaseError> {
    match *op {
        IxOp::RemoveUp(a, b) | IxOp::RemoveDown(a, b) => {
            let mut doomed: Vec<i64> = model.range(a..=b).copied().collect();
            if matches!(op, IxOp::RemoveDown(..)) {
                doomed.reverse();
            }
            for k in doomed {
                prop_assert!(ix.remove(k), "key {} was not removed", k);
                model.remove(&k);
                prop_assert!(!ix.contains(k));
            }
        }
        IxOp::RemoveRange(a, b) => {
            let want = model.range(a..=b).count();
            prop_assert_eq!(ix.remove_range(a..=b), want);
            model.retain(|k| !(a..=b).contains(k));
            prop_assert_eq!(ix.count_range(a..=b), 0);
        }
        IxOp::Insert(k) => prop_assert_eq!(ix.insert(k), model.insert(k)),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Ascending, descending and range removals interleaved with inserts keep ALEX equal
    /// to a `BTreeSet` and structurally valid, with small nodes (many leaves) and
    /// default ones.
    #[test]
    fn index_removals_match_btreeset(
        stride in 1i64..4,
        n in 0usize..3000,
        tiny in any::<bool>(),
        ops in prop::collection::vec(ix_op(9000), 1..30),
    ) {
        let _quiet = crate::support::QUIET.read();
        let keys: Vec<i64> = (0..n as i64).map(|i| i * stride).collect();
        let params = if tiny { Params::tiny() } else { Params::default() };
        let mut ix = AlexIndex::bulk_load_with(&keys, params).unwrap();
        let mut model: BTreeSet<i64> = keys.iter().copied().collect();
        for op in &ops {
            apply_ix(&mut ix, &mut model, op)?;
            same_as_model(&ix, &model)?;
        }
    }
}

/// Range bounds at the ends of the key space, open and half-open forms.
#[test]
fn index_remove_range_handles_the_ends_of_i64() {
    let _quiet = crate::support::QUIET.read();
    let keys = [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
    let fresh = || AlexIndex::bulk_load(&keys).unwrap();
    let mut ix = fresh();
    assert_eq!(ix.remove_range(i64::MAX - 1..=i64::MAX), 2);
    assert_eq!(ix.max_key(), Some(1));
    assert_eq!(ix.remove_range(..=i64::MIN), 1);
    assert_eq!(ix.min_key(), Some(i64::MIN + 1));
    ix.validate().unwrap();
    let mut ix = fresh();
    assert_eq!(
        ix.remove_range((
            std::ops::Bound::Excluded(i64::MAX),
            std::ops::Bound::Unbounded
        )),
        0
    );
    assert_eq!(ix.remove_range(0..0), 0);
    assert_eq!(ix.remove_range(..i64::MIN), 0);
    assert_eq!(ix.remove_range(-1..1), 2);
    assert_eq!(ix.remove_range(..), 5);
    assert!(ix.is_empty());
    ix.validate().unwrap();
    // The emptied index takes keys again.
    for k in keys {
        assert!(ix.insert(k));
    }
    assert!(ix.iter().eq(keys.iter().copied()));
    ix.validate().unwrap();
}

/// Removing every key in ascending order, then inserting them again in ascending order,
/// leaves a valid index with every key findable (removed keys leave their values in the
/// gaps; lookups must not take those for keys).
#[test]
fn index_ascending_remove_then_reinsert() {
    let _quiet = crate::support::QUIET.read();
    let keys: Vec<i64> = (0..100_000).map(|i| i * 7).collect();
    let mut ix = AlexIndex::bulk_load(&keys).unwrap();
    for &k in &keys[..50_000] {
        assert!(ix.remove(k));
    }
    ix.validate().unwrap();
    assert!(keys[..50_000].iter().all(|&k| !ix.contains(k)));
    assert_eq!(ix.lower_bound(0), Some(keys[50_000]));
    for &k in &keys[..50_000] {
        assert!(ix.insert(k), "key {k} reported as present");
    }
    ix.validate().unwrap();
    assert!(ix.iter().eq(keys.iter().copied()));
}

// ---- the database -----------------------------------------------------------------

/// A small value cache, so deletes meet cached and uncached keys.
fn opts() -> DbOptions {
    small_value_cache(64)
}

fn value(k: i64, round: u32) -> Vec<u8> {
    format!("v{k}-{round}").into_bytes()
}

/// Every way of reading the database agrees with `model`.
fn assert_db_is(db: &Db, model: &BTreeMap<i64, Vec<u8>>) {
    assert_eq!(db.len(), model.len());
    let keys = db.keys(i64::MIN, i64::MAX, usize::MAX);
    assert!(keys.iter().eq(model.keys()), "ALEX's keys differ");
    let rows = db.scan(i64::MIN, i64::MAX, usize::MAX).unwrap();
    assert_eq!(rows.len(), model.len());
    for ((k, v), (mk, mv)) in rows.iter().zip(model) {
        assert_eq!((k, &v[..]), (mk, &mv[..]));
    }
    assert_eq!(db.rocksdb_key_count().unwrap(), model.len() as u64);
    let report = db.check().unwrap();
    assert!(report.ok, "check failed: {report:?}");
}

/// A deterministic mix of puts, gets, deletes and range deletes against a `BTreeMap`,
/// then a reopen: ALEX rebuilt from RocksDB (range tombstones and all) equals the model.
#[test]
fn db_range_deletes_match_btreemap_and_survive_reopen() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut model = BTreeMap::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        for round in 0..3000u32 {
            let k = next(2000) as i64 - 1000;
            match next(10) {
                0..=4 => {
                    db.put(k, &value(k, round)).unwrap();
                    model.insert(k, value(k, round));
                }
                5 => {
                    // Fill the value cache across the key space.
                    for x in (k..k + 200).step_by(7) {
                        assert_eq!(
                            db.get(x).unwrap().map(|v| v.to_vec()).as_ref(),
                            model.get(&x)
                        );
                    }
                }
                6 => {
                    assert_eq!(db.delete(k).unwrap(), model.remove(&k).is_some());
                }
                7 => {
                    let got = db.get(k).unwrap().map(|v| v.to_vec());
                    assert_eq!(got.as_ref(), model.get(&k));
                }
                _ => {
                    let b = k + next(300) as i64;
                    let doomed: Vec<i64> = model.range(k..=b).map(|(&x, _)| x).collect();
                    assert_eq!(db.delete_range(k, b).unwrap(), doomed.len() as u64);
                    model.retain(|x, _| !(k..=b).contains(x));
                    assert!(db.scan(k, b, usize::MAX).unwrap().is_empty(), "[{k}, {b}]");
                    // Cached values of the range are gone too.
                    for x in doomed {
                        assert_eq!(db.get(x).unwrap(), None, "key {x} after [{k}, {b}]");
                    }
                }
            }
            if round % 500 == 0 {
                db.flush().unwrap();
            }
        }
        assert_eq!(
            db.delete_range(5, 4).unwrap(),
            0,
            "an empty range deletes nothing"
        );
        assert_db_is(&db, &model);
        db.close().unwrap();
    }
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert_db_is(&db, &model);
}

/// Inclusive bounds at both ends of i64 (RocksDB's exclusive range end cannot be
/// `i64::MAX + 1`).
#[test]
fn db_range_delete_reaches_i64_max_and_min() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    let keys = [i64::MIN, i64::MIN + 1, -5, 0, 5, i64::MAX - 1, i64::MAX];
    let mut model = BTreeMap::new();
    for k in keys {
        db.put(k, b"x").unwrap();
        model.insert(k, b"x".to_vec());
    }
    assert_eq!(db.delete_range(i64::MAX, i64::MAX).unwrap(), 1);
    model.remove(&i64::MAX);
    assert_db_is(&db, &model);
    assert_eq!(db.delete_range(0, i64::MAX).unwrap(), 3);
    model.retain(|&k, _| k < 0);
    assert_db_is(&db, &model);
    assert_eq!(db.delete_range(i64::MIN, i64::MIN).unwrap(), 1);
    assert_eq!(db.get(i64::MIN + 1).unwrap().as_deref(), Some(&b"x"[..]));
    assert_eq!(db.delete_range(i64::MIN, i64::MAX).unwrap(), 2);
    assert_db_is(&db, &BTreeMap::new());
}

/// Writers put keys inside the range while it is deleted. Each put is wholly before the
/// range delete (gone afterwards) or after it (kept): ALEX, RocksDB and the cache agree
/// on every key, and every put that began after the delete returned is kept.
#[test]
fn puts_racing_a_range_delete_are_before_or_after_it() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open_with(dir.path(), opts()).unwrap());
    let rows: Vec<(i64, Vec<u8>)> = (0..200_000).map(|k| (k, value(k, 0))).collect();
    db.load(rows).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3i64)
        .map(|w| {
            let (db, done) = (db.clone(), done.clone());
            std::thread::spawn(move || {
                let mut after = Vec::new();
                let mut k = w;
                while after.len() < 200 {
                    let was_done = done.load(Ordering::Acquire);
                    db.put(k, &value(k, 1)).unwrap();
                    // Read it back, filling the cache while the range delete may run.
                    let _ = db.get(k).unwrap();
                    if was_done {
                        after.push(k);
                    }
                    k = (k + 3 * 997) % 200_000;
                }
                after
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let removed = db.delete_range(0, 199_999).unwrap();
    done.store(true, Ordering::Release);
    let kept: Vec<i64> = writers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(removed > 0);
    let report = db.check().unwrap();
    assert!(report.ok, "ALEX and RocksDB disagree: {report:?}");
    for k in kept {
        assert_eq!(db.get(k).unwrap().as_deref(), Some(&value(k, 1)[..]));
    }
    // Every key ALEX holds has its value in RocksDB and the cache, and no other key does.
    let present: BTreeSet<i64> = db.keys(0, 199_999, usize::MAX).into_iter().collect();
    for (k, v) in db.scan(0, 199_999, usize::MAX).unwrap() {
        assert!(present.contains(&k));
        assert_eq!(
            &v[..],
            &value(k, 1)[..],
            "key {k} holds a value from before the delete"
        );
    }
    for k in (0..200_000).step_by(101) {
        assert_eq!(
            db.get(k).unwrap().is_some(),
            present.contains(&k),
            "key {k}"
        );
    }
}

/// A bulk load over a range tombstone makes the loaded keys visible, whether the
/// tombstone is still in the memtable or flushed, for each load method (WAL-off batches
/// apply only to an empty database, which the range delete leaves).
#[test]
fn a_load_over_a_range_tombstone_is_visible() {
    let _quiet = crate::support::QUIET.read();
    for method in [BulkLoadMethod::SstIngest, BulkLoadMethod::WalOffBatches] {
        for flush in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let o = DbOptions {
                bulk_load_method: method,
                ..opts()
            };
            let mut model = BTreeMap::new();
            {
                let db = Db::open_with(dir.path(), o.clone()).unwrap();
                db.load((0..5000).map(|k| (k, value(k, 0)))).unwrap();
                assert_eq!(db.delete_range(0, 4999).unwrap(), 5000);
                if flush {
                    db.flush().unwrap();
                }
                db.load((1000..3000).map(|k| (k, value(k, 2)))).unwrap();
                model.extend((1000..3000).map(|k| (k, value(k, 2))));
                assert_db_is(&db, &model);
                db.close().unwrap();
            }
            let db = Db::open_with(dir.path(), o).unwrap();
            assert_db_is(&db, &model);
        }
    }
}

fn changed_rows(exec: &mut Executor, sql: &str) -> u64 {
    match exec.execute(&command::parse_command(sql).unwrap()) {
        Ok(Outcome::Changed { verb, rows, .. }) => {
            assert_eq!(verb, "deleted");
            rows
        }
        other => panic!("{sql}: {other:?}"),
    }
}

fn count(exec: &mut Executor) -> i64 {
    match exec.execute(&command::parse_command("SELECT COUNT(*) FROM kv").unwrap()) {
        Ok(Outcome::Rows(t)) => match t.rows[0][0] {
            Cell::Int(n) => n,
            ref c => panic!("count cell {c:?}"),
        },
        other => panic!("count: {other:?}"),
    }
}

/// The SQL forms go through the range delete and report ALEX's count of the range.
#[test]
fn sql_deletes_report_the_rows_of_the_range() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), opts()).unwrap();
    exec.db()
        .load((0..1000).map(|k| (k * 2, value(k, 0))))
        .unwrap();
    assert_eq!(
        changed_rows(&mut exec, "DELETE FROM kv WHERE key BETWEEN 10 AND 19"),
        5
    );
    assert_eq!(
        changed_rows(&mut exec, "DELETE FROM kv WHERE key BETWEEN 19 AND 10"),
        0
    );
    assert_eq!(
        changed_rows(&mut exec, "DELETE FROM kv WHERE key >= 100 AND key < 200"),
        50
    );
    assert_eq!(changed_rows(&mut exec, "DELETE FROM kv WHERE key = 0"), 1);
    assert_eq!(changed_rows(&mut exec, "DELETE FROM kv WHERE key = 0"), 0);
    assert_eq!(count(&mut exec), 1000 - 56);
    assert_eq!(
        changed_rows(
            &mut exec,
            "DELETE FROM kv WHERE key BETWEEN -9223372036854775808 AND 9223372036854775807"
        ),
        944
    );
    assert_eq!(count(&mut exec), 0);
    assert!(exec.db().check().unwrap().ok);
}

/// A million-row range delete finishes (it took minutes when keys were removed one by
/// one in ascending order). The time is printed, not asserted.
#[test]
fn a_million_row_range_delete_finishes() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    db.load((0..1_000_000).map(|k| (k, [b'v'; 16]))).unwrap();
    let t = Instant::now();
    assert_eq!(db.delete_range(0, 999_999).unwrap(), 1_000_000);
    eprintln!(
        "deleting 1,000,000 rows by range took {:.3} s",
        t.elapsed().as_secs_f64()
    );
    assert_eq!(db.len(), 0);
    assert_eq!(db.rocksdb_key_count().unwrap(), 0);
    assert!(
        db.index_stats().bytes_used < 1 << 20,
        "emptied leaves keep their arrays"
    );
    db.put(7, b"x").unwrap();
    assert_eq!(db.keys(i64::MIN, i64::MAX, 10), vec![7]);
}
