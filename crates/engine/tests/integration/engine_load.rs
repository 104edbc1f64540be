//! Batch `load`: sorted and unsorted input, duplicates, loads into a non-empty database,
//! both methods, reopen afterwards.
use std::collections::BTreeMap;

use engine::{BulkLoadMethod, Db, DbOptions, WarmStop, WarmValueCache};

fn options(method: BulkLoadMethod) -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        value_cache_entries: 100,
        bulk_load_method: method,
        // Several files per load, to exercise rotation.
        bulk_load_rows_per_file: 1_000,
        ..DbOptions::default()
    }
}

fn val(k: i64, tag: &str) -> Vec<u8> {
    format!("{tag}:{k}").into_bytes()
}

fn contents(db: &Db) -> Vec<(i64, Vec<u8>)> {
    db.scan(i64::MIN, i64::MAX, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.to_vec()))
        .collect()
}

fn check_all(db: &Db, model: &BTreeMap<i64, Vec<u8>>) {
    let want: Vec<(i64, Vec<u8>)> = model.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert!(contents(db) == want, "contents differ from the model");
    for (k, v) in model.iter().step_by(97) {
        assert_eq!(db.get(*k).unwrap().as_deref(), Some(&v[..]));
    }
    assert_eq!(db.count(), model.len() as u64);
    let c = db.check().unwrap();
    assert!(c.ok, "{c:?}");
}

#[test]
fn sorted_load_into_empty_db_bulk_loads_and_survives_reopen() {
    for method in [BulkLoadMethod::SstIngest, BulkLoadMethod::WalOffBatches] {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_with(dir.path(), options(method)).unwrap();
        let mut progress = Vec::new();
        let r = db
            .load_with_progress((-2500..2500i64).map(|k| (k * 3, val(k * 3, "a"))), |n| {
                progress.push(n)
            })
            .unwrap();
        assert_eq!(r.rows, 5000);
        assert_eq!(r.new_keys, 5000);
        assert!(r.was_empty && r.sorted_input);
        assert_eq!(r.method, method);
        if method == BulkLoadMethod::SstIngest {
            assert_eq!(r.sst_files, 5);
        }
        assert_eq!(progress.last(), Some(&5000));
        let model: BTreeMap<i64, Vec<u8>> =
            (-2500..2500i64).map(|k| (k * 3, val(k * 3, "a"))).collect();
        check_all(&db, &model);
        assert_eq!(db.get(1).unwrap(), None);
        drop(db);
        let db = Db::open_with(dir.path(), options(method)).unwrap();
        assert_eq!(db.open_stats().keys, 5000);
        check_all(&db, &model);
        // No scratch directory is left behind.
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("alexdb-load-")
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}

#[test]
fn unsorted_load_with_duplicates_keeps_the_last_value() {
    for method in [BulkLoadMethod::SstIngest, BulkLoadMethod::WalOffBatches] {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_with(dir.path(), options(method)).unwrap();
        let mut rows = Vec::new();
        let mut model = BTreeMap::new();
        // Sorted at first, then scattered with repeats (some repeating the sorted part).
        for k in 0..1500i64 {
            rows.push((k, val(k, "first")));
        }
        let mut x: u64 = 12345;
        for i in 0..4000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = (x >> 33) as i64 % 3000 - 1000;
            rows.push((k, val(k, &format!("second{i}"))));
        }
        for (k, v) in &rows {
            model.insert(*k, v.clone());
        }
        let r = db
            .load(rows.iter().map(|(k, v)| (*k, v.as_slice())))
            .unwrap();
        assert!(!r.sorted_input);
        assert_eq!(r.rows, rows.len() as u64);
        assert_eq!(r.new_keys, model.len() as u64);
        check_all(&db, &model);
        drop(db);
        let db = Db::open_with(dir.path(), options(method)).unwrap();
        check_all(&db, &model);
    }
}

#[test]
fn load_into_a_non_empty_db_merges_and_refreshes_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(BulkLoadMethod::SstIngest)).unwrap();
    let mut model = BTreeMap::new();
    for k in 0..300i64 {
        db.put(k, &val(k, "put")).unwrap();
        model.insert(k, val(k, "put"));
    }
    // Cache some values that the load will overwrite.
    for k in 0..50 {
        db.get(k).unwrap();
    }
    // Few new keys (inserted into ALEX) ...
    let r = db
        .load((0..20i64).map(|k| (k * 2, val(k * 2, "load1"))))
        .unwrap();
    assert!(!r.was_empty);
    assert_eq!(r.new_keys, 0);
    for k in 0..20i64 {
        model.insert(k * 2, val(k * 2, "load1"));
    }
    check_all(&db, &model);
    // ... and many (ALEX rebuilt by merging).
    let r = db
        .load((200..5000i64).map(|k| (k, val(k, "load2"))))
        .unwrap();
    assert_eq!(r.new_keys, 4700);
    for k in 200..5000i64 {
        model.insert(k, val(k, "load2"));
    }
    check_all(&db, &model);
    // Writes after a load behave.
    db.put(-7, b"neg").unwrap();
    model.insert(-7, b"neg".to_vec());
    assert!(db.delete(4999).unwrap());
    model.remove(&4999);
    check_all(&db, &model);
    drop(db);
    let db = Db::open_with(dir.path(), options(BulkLoadMethod::SstIngest)).unwrap();
    check_all(&db, &model);
}

#[test]
fn empty_load_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(BulkLoadMethod::SstIngest)).unwrap();
    let r = db.load(std::iter::empty::<(i64, Vec<u8>)>()).unwrap();
    assert_eq!(r.rows, 0);
    assert_eq!(db.count(), 0);
    db.put(1, b"x").unwrap();
    let r = db.load(std::iter::empty::<(i64, Vec<u8>)>()).unwrap();
    assert_eq!(r.rows, 0);
    assert_eq!(db.count(), 1);
}

#[test]
fn long_sorted_run_then_disorder() {
    // Over 64 MiB arrive in order (so the load starts streaming into SST files), then
    // the order breaks and the rest is sorted in memory: the files overlap and later
    // rows must still win.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(BulkLoadMethod::SstIngest)).unwrap();
    let big = |k: i64, tag: u8| {
        let mut v = vec![tag; 1024];
        v[..8].copy_from_slice(&k.to_le_bytes());
        v
    };
    let mut model = BTreeMap::new();
    let mut rows = Vec::new();
    for k in 0..70_000i64 {
        rows.push((k * 2, big(k * 2, 1)));
    }
    for k in (0..3000i64).rev() {
        rows.push((k * 47 % 140_001, big(k * 47 % 140_001, 2)));
    }
    for (k, v) in &rows {
        model.insert(*k, v.clone());
    }
    let r = db
        .load(rows.iter().map(|(k, v)| (*k, v.as_slice())))
        .unwrap();
    assert!(!r.sorted_input);
    assert!(r.sst_files >= 2);
    check_all(&db, &model);
}

#[test]
fn reopen_of_a_large_db_reads_keys_in_parallel_ranges() {
    // Over 1M keys: open splits the key space among threads (at points interpolated
    // inside SST files); every key must come back exactly once, in order.
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        value_cache_entries: 100,
        bulk_load_rows_per_file: 300_000,
        ..DbOptions::default()
    };
    let db = Db::open_with(dir.path(), o.clone()).unwrap();
    let key = |i: i64| i * 7 - 4_000_000;
    db.load((0..1_200_000i64).map(|i| (key(i), i.to_le_bytes())))
        .unwrap();
    // Some writes that stay in the memtable and the WAL.
    for i in 0..1000i64 {
        db.put(key(i) + 1, b"extra").unwrap();
    }
    drop(db);
    let db = Db::open_with(dir.path(), o).unwrap();
    assert_eq!(db.count(), 1_201_000);
    assert_eq!(db.min_key(), Some(key(0)));
    assert_eq!(db.max_key(), Some(key(1_199_999)));
    for i in (0..1_200_000i64).step_by(9973) {
        assert!(db.contains(key(i)), "key {} missing after reopen", key(i));
        assert_eq!(
            db.get(key(i)).unwrap().as_deref(),
            Some(&i.to_le_bytes()[..])
        );
    }
    assert_eq!(db.count_range(key(0), key(999) + 1), 2000);
    let c = db.check().unwrap();
    assert!(c.ok, "{c:?}");
}

#[test]
fn scratch_files_of_a_crashed_load_are_removed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    Db::open(dir.path()).unwrap().close().unwrap();
    let scratch = dir.path().join("alexdb-load-999999-0");
    std::fs::create_dir(&scratch).unwrap();
    std::fs::write(scratch.join("000000.sst"), b"half written").unwrap();
    let db = Db::open(dir.path()).unwrap();
    assert!(!scratch.exists());
    // A failed second open (locked) must not touch the holder's scratch files.
    std::fs::create_dir(&scratch).unwrap();
    assert!(Db::open(dir.path()).is_err());
    assert!(scratch.exists());
    drop(db);
}

/// `scan_multiget` (kept for `benches/engine_measure.rs`) must return what `scan` does,
/// or the measurement compares different work.
#[test]
fn scan_multiget_returns_what_scan_returns() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(BulkLoadMethod::SstIngest)).unwrap();
    db.load((0..5_000i64).map(|i| (i * 2, val(i, "v"))))
        .unwrap();
    db.put(-7, b"neg").unwrap();
    db.delete(10).unwrap();
    for (a, b, limit) in [
        (i64::MIN, i64::MAX, usize::MAX),
        (-7, 0, 10),
        (3, 41, 100),
        (9_000, i64::MAX, 50),
        (20_000, 30_000, 10),
    ] {
        let scan = db.scan(a, b, limit).unwrap();
        let multi = db.scan_multiget(a, b, limit).unwrap();
        assert_eq!(scan, multi, "range {a}..={b} limit {limit}");
    }
    assert_eq!(db.scan(3, 41, 100).unwrap().len(), 18);
}

/// Issue 27 item 8: a load's "new keys" counts the keys its own rows added, not keys
/// other writers put meanwhile, nor keys they put first that the load then overwrote.
/// Both merge paths (inserts for few keys, a rebuilt index for many).
#[test]
fn new_keys_counts_the_loads_own_keys_only() {
    for (held, loaded) in [(10_000i64, 300i64), (100, 3_000)] {
        let dir = tempfile::tempdir().unwrap();
        let db = std::sync::Arc::new(
            Db::open_with(dir.path(), options(BulkLoadMethod::SstIngest)).unwrap(),
        );
        for k in 0..held {
            db.put(k, b"held").unwrap();
        }
        // The load's rows: the last 50 held keys, then `loaded - 50` new ones. While it
        // reads, another writer puts 100 keys of its own and one of the load's keys.
        let first = held - 50;
        let other = db.clone();
        let rows = (first..first + loaded).map(move |k| {
            if k == first + 10 {
                for j in 0..100 {
                    other.put(1_000_000 + j, b"other").unwrap();
                }
                other.put(first + 60, b"other").unwrap();
            }
            (k, val(k, "load"))
        });
        let r = db.load(rows).unwrap();
        assert_eq!(r.rows, loaded as u64);
        assert_eq!(r.new_keys, (loaded - 50 - 1) as u64, "held {held}");
        assert_eq!(db.count(), (held + loaded - 50 + 100) as u64);
    }
}

/// A small database whose rows all fit the value cache, warmed as `mode` says.
fn warm_options(mode: WarmValueCache) -> DbOptions {
    DbOptions {
        value_cache_entries: 1_000_000_000,
        value_cache_size: 64 << 20,
        warm_value_cache: mode,
        ..options(BulkLoadMethod::SstIngest)
    }
}

/// Hits over gets of every key once, from the cache counters.
fn hit_rate(db: &Db, keys: impl Iterator<Item = i64>) -> f64 {
    let before = db.cache_counters();
    let mut n = 0;
    for k in keys {
        db.get(k).unwrap();
        n += 1;
    }
    let after = db.cache_counters();
    (after.hits - before.hits) as f64 / n as f64
}

/// Issue 28 item 2: `inline` warms inside the load; `background` and `off` leave the
/// load's rows out of the cache (the warm-up is a separate step, run by front ends for
/// `background`); the warm-up fills a cache the rows fit in, so every get then hits.
#[test]
fn only_inline_warms_inside_the_load_and_the_warm_up_fills_the_cache() {
    for mode in [
        WarmValueCache::Inline,
        WarmValueCache::Background,
        WarmValueCache::Off,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_with(dir.path().join("db"), warm_options(mode)).unwrap();
        db.load((0..5_000i64).map(|k| (k, val(k, "a")))).unwrap();
        let entries = db.cache_counters().entries;
        if mode == WarmValueCache::Inline {
            assert_eq!(entries, 5_000, "{mode}");
        } else {
            assert_eq!(entries, 0, "{mode}: the load leaves the cache cold");
            let r = db.warm_value_cache(|_| true).unwrap();
            assert_eq!((r.rows, r.stop), (5_000, WarmStop::AllRows), "{mode}");
        }
        assert!(hit_rate(&db, 0..5_000) > 0.99, "{mode}");
        assert_eq!(
            db.get(4_321).unwrap().as_deref(),
            Some(&val(4_321, "a")[..])
        );
    }
}

/// The warm-up stops when the cache is full, and when its progress callback says so.
#[test]
fn the_warm_up_stops_at_a_full_cache_and_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        value_cache_entries: 1_000,
        ..warm_options(WarmValueCache::Background)
    };
    let db = Db::open_with(dir.path().join("db"), o).unwrap();
    db.load((0..20_000i64).map(|k| (k, val(k, "a")))).unwrap();
    let r = db.warm_value_cache(|_| true).unwrap();
    assert_eq!(r.stop, WarmStop::CacheFull);
    assert!(r.rows < 20_000 && r.cache_entries <= 1_000, "{r:?}");

    let db2_dir = tempfile::tempdir().unwrap();
    let db2 = Db::open_with(
        db2_dir.path().join("db"),
        warm_options(WarmValueCache::Background),
    )
    .unwrap();
    db2.load((0..20_000i64).map(|k| (k, val(k, "a")))).unwrap();
    let mut calls = 0;
    let r = db2
        .warm_value_cache(|p| {
            calls += 1;
            assert!(p.rows <= p.target.max(p.rows));
            calls < 2
        })
        .unwrap();
    assert_eq!(r.stop, WarmStop::Stopped);
    assert!(r.rows > 0 && r.rows < 20_000, "{r:?}");
}

/// Issue 28 item 2: a warm-up running beside puts and deletes of the same keys never
/// puts a replaced value in the cache: every get, during and after, returns what a
/// BTreeMap model of the writes says.
#[test]
fn a_background_warm_up_beside_puts_and_deletes_never_caches_a_stale_value() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    const N: i64 = 4_000;
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(
        Db::open_with(
            dir.path().join("db"),
            warm_options(WarmValueCache::Background),
        )
        .unwrap(),
    );
    db.load((0..N).map(|k| (k, val(k, "load")))).unwrap();
    let model: Arc<Mutex<BTreeMap<i64, Vec<u8>>>> =
        Arc::new(Mutex::new((0..N).map(|k| (k, val(k, "load"))).collect()));
    for round in 0..3 {
        let stop = Arc::new(AtomicBool::new(false));
        let warmer = {
            let (db, stop) = (db.clone(), stop.clone());
            std::thread::spawn(move || {
                // Warm again and again while the writers run: each pass reads every
                // row and fills it again, racing the writes.
                let mut passes = 0;
                while !stop.load(Ordering::Relaxed) || passes == 0 {
                    db.warm_value_cache(|_| true).unwrap();
                    passes += 1;
                }
                passes
            })
        };
        let writers: Vec<_> = (0..2u64)
            .map(|t| {
                let (db, model) = (db.clone(), model.clone());
                std::thread::spawn(move || {
                    // Each writer owns the keys of its parity, so the model's order per
                    // key is the order the writer applied.
                    let mut x = 0x9E37_79B9u64 ^ (t + 1) ^ (round << 8);
                    for i in 0..1_500u64 {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        let k = ((x % (N as u64 / 2)) * 2 + t) as i64;
                        if x.is_multiple_of(4) {
                            db.delete(k).unwrap();
                            model.lock().unwrap().remove(&k);
                        } else {
                            let v = val(k, &format!("w{round}.{t}.{i}"));
                            db.put(k, &v).unwrap();
                            model.lock().unwrap().insert(k, v);
                        }
                        // Read back a key of this writer: the model is settled for it.
                        let want = model.lock().unwrap().get(&k).cloned();
                        assert_eq!(db.get(k).unwrap().as_deref(), want.as_deref());
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        assert!(warmer.join().unwrap() >= 1);
        // One last warm-up with no writer, then every key from the cache or RocksDB
        // agrees with the model.
        db.warm_value_cache(|_| true).unwrap();
        let model = model.lock().unwrap();
        for k in 0..N {
            assert_eq!(
                db.get(k).unwrap().as_deref(),
                model.get(&k).map(|v| &v[..]),
                "key {k}"
            );
        }
        assert!(
            hit_rate(&db, model.keys().copied()) > 0.99,
            "the cache ends warm"
        );
    }
}
