//! FIFO compaction deletes whole table files; ALEX and the value cache must follow
//! (issue 17, bug 3), also for files created and deleted between two commands (issue 27,
//! item 1: a flush or load bigger than `fifo_max_size`, a background flush while the user
//! is idle, then a reopen). Each test compares every answer the engine gives (count,
//! exists, get, keys, min/max, check) with a model of what RocksDB really holds, read by
//! a scan once RocksDB is quiet, and with RocksDB's own key count.
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use engine::{CompactionStyle, Db, DbOptions};

const VALUE_BYTES: usize = 300;

/// Small memtables so 30,000 rows make many files for FIFO to delete.
fn opts() -> DbOptions {
    DbOptions {
        write_buffer_size: 256 << 10,
        block_cache_bytes: 8 << 20,
        ..DbOptions::default()
    }
}

fn fifo_opts(limit: usize) -> DbOptions {
    DbOptions {
        compaction_style: CompactionStyle::Fifo,
        fifo_max_size: limit,
        ..opts()
    }
}

/// 300 pseudo-random bytes derived from the key and a round (they do not compress, so
/// the files are as large as the data).
fn value(k: i64, round: u64) -> Vec<u8> {
    sized_value(k, round, VALUE_BYTES)
}

/// `len` pseudo-random bytes derived from the key and a round.
fn sized_value(k: i64, round: u64, len: usize) -> Vec<u8> {
    let mut x = (k as u64 ^ round.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The repro: `.set fifo_max_size 2MiB`, `.set compaction_style fifo`.
fn open_and_switch(dir: &Path) -> Db {
    let db = Db::open_with(dir.join("db"), opts()).expect("open");
    db.set_option("fifo_max_size", "2MiB").expect("limit");
    db.set_option("compaction_style", "fifo").expect("fifo");
    db
}

fn int_prop(db: &Db, name: &str) -> u64 {
    db.rocksdb_property(name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(u64::MAX)
}

/// Flushes and waits until RocksDB runs no flush or compaction, so nothing changes
/// while the model is compared.
fn settle(db: &Db) {
    db.flush().expect("flush");
    quiet(db);
}

/// Waits until RocksDB runs no flush or compaction and has none to do, asking ALEX
/// nothing (as a user who is idle).
fn quiet(db: &Db) {
    let t0 = Instant::now();
    loop {
        let busy = int_prop(db, "rocksdb.num-running-compactions")
            + int_prop(db, "rocksdb.num-running-flushes")
            + int_prop(db, "rocksdb.compaction-pending")
            + int_prop(db, "rocksdb.num-immutable-mem-table");
        if busy == 0 {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "RocksDB never quiet"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What RocksDB holds, read through its iterator (scan never asks ALEX).
fn model(db: &Db) -> BTreeMap<i64, Vec<u8>> {
    db.scan(i64::MIN, i64::MAX, usize::MAX)
        .expect("scan")
        .into_iter()
        .map(|(k, v)| (k, v.to_vec()))
        .collect()
}

/// Every answer the engine gives agrees with `m` for the keys `probe` (and all keys).
fn assert_in_step(db: &Db, m: &BTreeMap<i64, Vec<u8>>, probe: impl Iterator<Item = i64>) {
    assert_eq!(db.count(), m.len() as u64, "count vs rows RocksDB holds");
    assert_eq!(
        db.rocksdb_key_count().expect("RocksDB's count"),
        m.len() as u64,
        "RocksDB's own count"
    );
    let keys: Vec<i64> = m.keys().copied().collect();
    assert_eq!(db.keys(i64::MIN, i64::MAX, usize::MAX), keys, "keys");
    assert_eq!(db.min_key(), keys.first().copied(), "min");
    assert_eq!(db.max_key(), keys.last().copied(), "max");
    for k in probe {
        assert_eq!(db.contains(k), m.contains_key(&k), "exists {k}");
        let got = db.get(k).expect("get").map(|v| v.to_vec());
        assert_eq!(got.as_ref(), m.get(&k), "get {k}");
    }
    let report = db.check().expect("check");
    assert!(report.ok, "{report:?}");
}

#[test]
fn fifo_deletions_leave_no_phantom_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = open_and_switch(dir.path());
    for k in 1..30_000 {
        db.put(k, &value(k, 0)).expect("put");
        if k == 2_000 {
            // Cache the oldest values: FIFO deletes them later, the cache must follow.
            for c in 1..=2_000 {
                assert!(db.get(c).expect("get").is_some());
            }
        }
    }
    settle(&db);
    let m = model(&db);
    assert!(
        m.len() < 20_000 && !m.is_empty(),
        "FIFO should have deleted old rows (RocksDB holds {})",
        m.len()
    );
    assert!(!m.contains_key(&1), "the oldest row is gone from RocksDB");
    assert_in_step(&db, &m, 0..=30_000);
    assert_eq!(db.count_range(1, 1_000), 0);
}

#[test]
fn concurrent_puts_are_not_lost_while_deleted_files_are_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Arc::new(open_and_switch(dir.path()));
    let done = Arc::new(AtomicBool::new(false));
    // Rewrites a small set of old keys over and over while FIFO deletes the files that
    // held their earlier versions: a put must never be undone by the catch-up.
    let rewriter = {
        let (db, done) = (Arc::clone(&db), Arc::clone(&done));
        std::thread::spawn(move || {
            let mut round = 1;
            while !done.load(Ordering::Relaxed) {
                for k in 1..=500 {
                    db.put(k, &value(k, round)).expect("rewrite");
                }
                round += 1;
            }
        })
    };
    let reader = {
        let (db, done) = (Arc::clone(&db), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let _ = db.count();
                let _ = db.contains(250);
                std::thread::yield_now();
            }
        })
    };
    for k in 1_000..31_000 {
        db.put(k, &value(k, 0)).expect("put");
    }
    done.store(true, Ordering::Relaxed);
    rewriter.join().expect("rewriter");
    reader.join().expect("reader");
    settle(&db);
    let m = model(&db);
    assert!(m.len() < 20_000, "FIFO deleted rows ({} left)", m.len());
    for k in 1..=500 {
        assert!(m.contains_key(&k), "the last rewrite of {k} is in RocksDB");
    }
    assert_in_step(&db, &m, (0..=600).chain(1_000..31_000));
}

/// FIFO at `limit` with memtables of `memtable` bytes.
fn fifo_memtable(limit: usize, memtable: usize) -> DbOptions {
    DbOptions {
        write_buffer_size: memtable,
        ..fifo_opts(limit)
    }
}

/// Puts 20 KiB rows from key `first` on until RocksDB switches to a new memtable (the
/// active one shrinks), and stops right there: the full memtable's flush, and FIFO's
/// deletion of the file when it is past the limit, then happen while no command asks
/// ALEX anything (a user who is idle). The first `cached` rows are read back first, so
/// the value cache holds them. Returns the keys put.
fn fill_one_memtable(db: &Db, first: i64, cached: i64) -> Range<i64> {
    let mut active = 0;
    for k in first.. {
        db.put(k, &sized_value(k, 0, 20 << 10)).expect("put");
        if k == first + cached {
            for c in first..first + cached {
                assert!(db.get(c).expect("get").is_some());
            }
        }
        let now = int_prop(db, "rocksdb.cur-size-active-mem-table");
        if now < active {
            return first..k + 1;
        }
        active = now;
        assert!(k - first < 100_000, "the memtable never switched");
    }
    unreachable!()
}

#[test]
fn a_flush_bigger_than_the_limit_leaves_no_phantom_keys() {
    // The repro: three 3 MiB values, `.flush` with fifo_max_size 1MiB. The file
    // the flush writes is deleted before any command looks.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open_with(dir.path().join("db"), fifo_memtable(1 << 20, 16 << 20)).expect("open");
    for k in 1..=3 {
        db.put(k, &sized_value(k, 0, 3 << 20)).expect("put");
    }
    assert_eq!(db.get(2).expect("get").map(|v| v.len()), Some(3 << 20));
    assert_eq!(db.count(), 3, "in the memtable");
    // `.flush` waits for the deletion it starts: the next command already agrees.
    db.flush().expect("flush");
    assert_eq!(db.count(), 0, "count right after the flush");
    assert!(!db.contains(1), "exists right after the flush");
    assert_eq!(db.rocksdb_key_count().expect("RocksDB's count"), 0);
    quiet(&db);
    let m = model(&db);
    assert!(
        m.is_empty(),
        "FIFO deleted the flushed file ({} rows)",
        m.len()
    );
    assert_in_step(&db, &m, 0..=4);
    // A row written after it is kept and counted.
    db.put(10, b"small").expect("put");
    settle(&db);
    let m = model(&db);
    assert_eq!(m.keys().copied().collect::<Vec<_>>(), vec![10]);
    assert_in_step(&db, &m, 0..=11);
}

#[test]
fn a_load_bigger_than_the_limit_leaves_no_phantom_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open_with(dir.path().join("db"), fifo_opts(1 << 20)).expect("open");
    for k in 0..100 {
        db.put(k, &value(k, 0)).expect("put");
    }
    // 3 MB of rows in one load, three times the limit.
    let rows: Vec<(i64, Vec<u8>)> = (1_000..4_000)
        .map(|k| (k, sized_value(k, 0, 1_000)))
        .collect();
    db.load(rows).expect("load");
    quiet(&db);
    let m = model(&db);
    assert!(
        m.len() < 3_100,
        "FIFO deleted loaded rows ({} left)",
        m.len()
    );
    assert_in_step(&db, &m, (0..100).chain(1_000..4_000));
}

#[test]
fn background_flushes_while_idle_leave_no_phantom_keys() {
    // The second repro, smaller: memtables twice the limit, so each background
    // flush writes a file FIFO deletes at once, while the user does nothing.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open_with(dir.path().join("db"), fifo_memtable(1 << 20, 2 << 20)).expect("open");
    let first = fill_one_memtable(&db, 0, 10);
    quiet(&db);
    let m = model(&db);
    assert!(
        m.len() < first.clone().count() / 2,
        "FIFO deleted the flushed rows ({} of {} left)",
        m.len(),
        first.clone().count()
    );
    assert_in_step(&db, &m, first.start..first.end + 1);
    // Twice more, with commands in between this time.
    let second = fill_one_memtable(&db, 10_000, 10);
    // A command while the flush or deletion may be under way.
    let _ = db.count();
    let third = fill_one_memtable(&db, 20_000, 0);
    quiet(&db);
    let m = model(&db);
    assert_in_step(&db, &m, first.chain(second).chain(third));
}

#[test]
fn reopened_fifo_database_stays_in_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    // The close flushes 2.4 MB of rows into one file, past the 1 MiB limit: FIFO deletes
    // it at the close or right after the next open (with the same options, which the
    // open's FIFO check lets through: they delete nothing the database did not agree to).
    let opts = fifo_memtable(1 << 20, 8 << 20);
    {
        let db = Db::open_with(&path, opts.clone()).expect("open");
        for k in 0..8_000 {
            db.put(k, &value(k, 0)).expect("put");
        }
        db.close().expect("close");
    }
    let db = Db::open_with(&path, opts.clone()).expect("reopen");
    settle(&db);
    let m = model(&db);
    assert!(m.len() < 8_000, "FIFO deleted rows ({} left)", m.len());
    assert_in_step(&db, &m, 0..8_000);
    // A file created and deleted after the last command, then `.reopen` (which keeps
    // ALEX) before any other command.
    let keys = fill_one_memtable(&db, 10_000, 10);
    db.reopen().expect(".reopen");
    quiet(&db);
    let m = model(&db);
    assert!(!m.contains_key(&10_000), "the flushed file was deleted");
    assert_in_step(&db, &m, keys.start..keys.end + 1);
    // And once more before a close: the next open rebuilds ALEX from RocksDB.
    let keys = fill_one_memtable(&db, 20_000, 0);
    db.close().expect("close");
    let db = Db::open_with(&path, opts).expect("open again");
    quiet(&db);
    let m = model(&db);
    assert_in_step(&db, &m, (0..8_000).chain(10_000..keys.end + 1));
}

#[test]
fn options_change_while_fifo_is_past_its_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Memtables larger than the limit: the database passes it before any file exists.
    let big_memtable = DbOptions {
        write_buffer_size: 8 << 20,
        ..opts()
    };
    let db = Db::open_with(dir.path().join("db"), big_memtable).expect("open");
    db.set_option("fifo_max_size", "2MiB").expect("limit");
    db.set_option("compaction_style", "fifo").expect("fifo");
    for k in 0..10_000 {
        db.put(k, &value(k, 0)).expect("put");
    }
    let size = int_prop(&db, "rocksdb.cur-size-all-mem-tables")
        + int_prop(&db, "rocksdb.live-sst-files-size");
    assert!(size > 2 << 20, "past the limit: {size}");
    // Changes that delete nothing go ahead (they were refused past the limit)...
    db.set_option("block_cache_size", "16MiB")
        .expect("a change unrelated to FIFO");
    db.set_option("fifo_max_size", "16MiB")
        .expect("raising the limit");
    // ...but lowering the limit below what the database holds would delete rows.
    let e = db
        .set_option("fifo_max_size", "1MiB")
        .expect_err("lowering refused");
    assert!(e.to_string().contains("lowering fifo_max_size"), "{e}");
    settle(&db);
    let m = model(&db);
    assert_eq!(m.len(), 10_000, "nothing deleted");
    assert_in_step(&db, &m, 0..10_000);
}
