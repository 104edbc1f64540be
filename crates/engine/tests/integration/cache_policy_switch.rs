//! Switching `value_cache_policy` and resizing `value_cache_size` on a live `Db` while
//! writers update keys and readers get them (issue 13): every read returns the latest
//! acknowledged value of its key or a newer one, never an older one.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use engine::{Db, DbOptions, ValueCacheCompression};

const KEYS: i64 = 256;
const WRITERS: i64 = 2;

fn options() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        value_cache_size: 64 << 10,
        value_cache_shards: 4,
        value_cache_compression: ValueCacheCompression::None,
        metrics_sample_rate: 4,
        ..DbOptions::default()
    }
}

/// A value that says its version: 8 bytes of it, then padding.
fn value(version: u64) -> Vec<u8> {
    let mut v = version.to_le_bytes().to_vec();
    v.resize(40, b'.');
    v
}

fn version(v: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&v[..8]);
    u64::from_le_bytes(b)
}

#[test]
fn policy_and_size_switches_never_return_an_older_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Arc::new(Db::open_with(dir.path().join("db"), options()).expect("open"));
    db.load((0..KEYS).map(|k| (k, value(0)))).expect("load");
    // The newest version each key's writer has seen acknowledged.
    let acked: Arc<Vec<AtomicU64>> = Arc::new((0..KEYS).map(|_| AtomicU64::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for w in 0..WRITERS {
        let (db, acked, stop) = (db.clone(), acked.clone(), stop.clone());
        threads.push(thread::spawn(move || {
            let mut version = 0;
            while !stop.load(Ordering::Relaxed) {
                version += 1;
                // Each writer owns the keys congruent to it: one writer per key.
                for k in (w..KEYS).step_by(WRITERS as usize) {
                    db.put(k, &value(version)).expect("put");
                    acked[k as usize].store(version, Ordering::Release);
                }
            }
        }));
    }
    for r in 0..2u64 {
        let (db, acked, stop) = (db.clone(), acked.clone(), stop.clone());
        threads.push(thread::spawn(move || {
            let mut x = r.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            while !stop.load(Ordering::Relaxed) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let k = (x % KEYS as u64) as i64;
                let before = acked[k as usize].load(Ordering::Acquire);
                let got = db.get(k).expect("get").expect("every key exists");
                assert!(
                    version(&got) >= before,
                    "key {k}: read version {} after version {before} was acknowledged",
                    version(&got)
                );
            }
        }));
    }
    let steps = [
        ("value_cache_policy", "lru"),
        ("value_cache_size", "16KiB"),
        ("value_cache_policy", "clock"),
        ("value_cache_size", "8KiB"),
        ("value_cache_entries", "20"),
        ("value_cache_policy", "lru"),
        ("value_cache_size", "1MiB"),
        ("value_cache_entries", "1000000000"),
        ("value_cache_policy", "clock"),
    ];
    for round in 0..20 {
        for (name, v) in steps {
            db.set_option(name, v).expect("set");
            thread::sleep(std::time::Duration::from_millis(5 + round % 3));
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("a thread failed");
    }
    let c = db.metrics_snapshot().cache;
    assert!(c.hits > 0, "the cache answered some reads: {c:?}");
    // At rest every key reads its last acknowledged version.
    for k in 0..KEYS {
        let got = db.get(k).expect("get").expect("exists");
        assert_eq!(version(&got), acked[k as usize].load(Ordering::Acquire));
    }
}

/// A database in `dir/db` of 100 rows, every one read once (so cached).
fn warm(dir: &std::path::Path) -> Db {
    let db = Db::open_with(dir.join("db"), options()).expect("open");
    db.load((0..100).map(|k| (k, value(k as u64))))
        .expect("load");
    for k in 0..100 {
        db.get(k).expect("get");
    }
    db
}

#[test]
fn a_switch_starts_the_new_policy_empty_and_frees_the_old_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = warm(dir.path());
    let before = db.cache_counters();
    assert_eq!(before.policy, "clock");
    assert!(before.entries > 0);
    db.set_option("value_cache_policy", "lru").expect("set");
    let after = db.cache_counters();
    assert_eq!((after.policy, after.entries, after.bytes), ("lru", 0, 0));
    for k in 0..100 {
        assert_eq!(
            db.get(k).expect("get").as_deref(),
            Some(&value(k as u64)[..])
        );
    }
    let lru = db.cache_counters();
    assert_eq!(lru.entries, 100);
    assert_eq!(lru.bookkeeping_bytes, 100 * 80, "lru: 80 B per entry");
    assert!(db.set_option("value_cache_policy", "fifo").is_err());
    assert_eq!(db.options().value_cache_policy.as_str(), "lru");
}

#[test]
fn a_compression_change_empties_the_clock_cache_or_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = warm(dir.path());
    let before = db.cache_counters();
    assert!(before.entries > 0);
    db.set_option("value_cache_compression", "lz4")
        .expect("lz4 is built");
    let c = db.cache_counters();
    assert_eq!((c.compression, c.entries), ("lz4", 0));
    // A codec name that does not exist: one error, nothing changed.
    let e = db
        .set_option("value_cache_compression", "brotli")
        .expect_err("unknown codec");
    assert!(e.to_string().contains("value_cache_compression"), "{e}");
    assert_eq!(db.options().value_cache_compression.as_str(), "lz4");
    for k in 0..100 {
        assert_eq!(
            db.get(k).expect("get").as_deref(),
            Some(&value(k as u64)[..])
        );
    }
}

/// A zstd-dict cache learns its dictionary from the rows a `.load` brings: dataset
/// values (half random letters, half a repeat) then store in well under the 63 B per
/// 100-B value zstd reaches without a dictionary.
#[test]
fn a_load_retrains_the_zstd_dictionary() {
    use workload::dataset::{DEFAULT_SEED, value_for};
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open_with(dir.path().join("db"), options()).expect("open");
    db.set_option("value_cache_size", "16MiB").expect("size");
    db.set_option("value_cache_entries", "1000000")
        .expect("cap");
    db.set_option("value_cache_compression", "zstd-dict")
        .expect("zstd-dict");
    db.set_option("warm_value_cache_on_load", "off")
        .expect("no warm-up");
    let rows = (0..20_000i64).map(|k| (k, value_for(k, 100, DEFAULT_SEED)));
    db.load(rows).expect("load");
    for k in 0..20_000 {
        let v = db.get(k).expect("get").expect("present");
        assert_eq!(&v[..], &value_for(k, 100, DEFAULT_SEED)[..]);
    }
    let c = db.cache_counters();
    assert_eq!(c.entries, 20_000, "{c:?}");
    let per_value = c.stored_bytes as f64 / c.entries as f64;
    assert!(
        per_value < 58.0,
        "{per_value:.1} B stored per 100-B value: {c:?}"
    );
}

/// The warm-up fills the value cache's room by what a cached row really takes: 50,000
/// LZ4-compressed 100-B rows (~78 B each with bookkeeping) all fit in 6 MiB, which a
/// guess of 128 B per row would have cut at ~49,000. Inline (inside the load) and in
/// the background (after it) alike.
#[test]
fn a_warm_up_fills_the_cache_by_its_real_room() {
    use workload::dataset::{DEFAULT_SEED, value_for};
    for mode in ["inline", "background"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open_with(dir.path().join("db"), options()).expect("open");
        db.set_option("value_cache_size", "6MiB").expect("size");
        db.set_option("value_cache_compression", "lz4")
            .expect("lz4");
        db.set_option("warm_value_cache", mode).expect("mode");
        let rows = (0..50_000i64).map(|k| (k, value_for(k, 100, DEFAULT_SEED)));
        db.load(rows).expect("load");
        if mode == "background" {
            assert_eq!(
                db.cache_counters().entries,
                0,
                "the load leaves it to the warm-up"
            );
            db.warm_value_cache(|_| true).expect("warm");
        }
        let c = db.cache_counters();
        assert_eq!(c.entries, 50_000, "{mode}: {c:?}");
        assert!(c.bytes <= 6 << 20, "{c:?}");
    }
}
