//! Issue 13, a cheaper miss: the RocksDB read-path options (`optimize_filters_for_hits`,
//! `verify_checksums`, `pin_index_and_filter_blocks`, `data_block_hash_ratio`) on a live
//! database with rows in several levels. Each change keeps every row (count and checksum
//! before and after), shows in RocksDB's OPTIONS file where it has a key there, and does
//! what it says; a bad value is one error line and changes nothing. Plus the memory the
//! engine reports as held for data (`Db::held_bytes`).
use std::path::{Path, PathBuf};

use engine::{Applies, Compression, Db, DbOptions, Opt, PinningTier};

use crate::support::{self, CF, TABLE, fingerprint, rocks, value};

fn opts() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        // Every get of a present key reaches RocksDB.
        value_cache_entries: 0,
        // Filters at every level to start with (the cases turn this on).
        optimize_filters_for_hits: false,
        ..DbOptions::default()
    }
}

/// Rows in the bottommost level (the load), in L0 (puts, flushed) and in the memtable.
fn filled(dir: &Path, o: DbOptions, n: i64) -> Db {
    let db = support::filled(dir, o, n, 300);
    db.flush().expect("flush");
    for k in 0..100 {
        db.put(k * 3 + 2, &value(k * 3 + 2)).expect("put");
    }
    db
}

/// Levels that hold table files.
fn levels_with_files(db: &Db) -> Vec<u32> {
    let s = db.metrics_snapshot();
    s.rocksdb
        .levels
        .iter()
        .filter(|l| l.files > 0)
        .map(|l| l.level)
        .collect()
}

/// Bloom filter checks that said "maybe" (RocksDB's `bloom_full_positive` ticker) over
/// gets of keys that only the bottommost level holds.
fn bottom_filter_checks(db: &Db) -> u64 {
    let before = db.metrics_snapshot().rocksdb.tickers.bloom_full_positive;
    for k in 2_000..2_100 {
        assert_eq!(
            db.get(k * 3).expect("get").as_deref(),
            Some(&value(k * 3)[..])
        );
    }
    db.metrics_snapshot().rocksdb.tickers.bloom_full_positive - before
}

type Check = fn(&Db);

#[test]
fn each_read_option_applies_on_a_live_database_and_keeps_every_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), opts(), 20_000);
    assert!(
        levels_with_files(&db).len() >= 2,
        "{:?}",
        levels_with_files(&db)
    );
    let before = fingerprint(&db);
    // The defaults: bottommost filters used, checksums verified, every level pinned.
    assert_eq!(rocks(&db, CF, "optimize_filters_for_hits"), "false");
    assert!(
        bottom_filter_checks(&db) > 0,
        "bottommost filters not consulted"
    );
    let cases: Vec<(&str, &str, Applies, Check)> = vec![
        ("optimize_filters_for_hits", "on", Applies::Reopen, |db| {
            assert_eq!(rocks(db, CF, "optimize_filters_for_hits"), "true");
            assert_eq!(bottom_filter_checks(db), 0, "bottommost filters consulted");
        }),
        ("optimize_filters_for_hits", "off", Applies::Reopen, |db| {
            assert_eq!(rocks(db, CF, "optimize_filters_for_hits"), "false");
            assert!(bottom_filter_checks(db) > 0);
        }),
        ("verify_checksums", "off", Applies::Live, |db| {
            assert!(!db.options().verify_checksums);
        }),
        ("verify_checksums", "on", Applies::Live, |db| {
            assert!(db.options().verify_checksums);
        }),
        (
            "pin_index_and_filter_blocks",
            "flush",
            Applies::NewFiles,
            |db| {
                let m = rocks(db, TABLE, "metadata_cache_options");
                assert!(
                    m.contains("unpartitioned_pinning=kFlushedAndSimilar"),
                    "{m}"
                );
            },
        ),
        (
            "pin_index_and_filter_blocks",
            "none",
            Applies::NewFiles,
            |db| {
                let m = rocks(db, TABLE, "metadata_cache_options");
                assert!(m.contains("unpartitioned_pinning=kNone"), "{m}");
            },
        ),
        (
            "pin_index_and_filter_blocks",
            "fallback",
            Applies::NewFiles,
            |db| {
                let m = rocks(db, TABLE, "metadata_cache_options");
                assert!(m.contains("unpartitioned_pinning=kFallback"), "{m}");
                // RocksDB's legacy flag decides then; it is written as set.
                let l0 = rocks(db, TABLE, "pin_l0_filter_and_index_blocks_in_cache");
                assert_eq!(l0, "true");
            },
        ),
        (
            "pin_index_and_filter_blocks",
            "all",
            Applies::NewFiles,
            |db| {
                let m = rocks(db, TABLE, "metadata_cache_options");
                assert!(m.contains("unpartitioned_pinning=kAll"), "{m}");
            },
        ),
        ("data_block_hash_index", "on", Applies::NewFiles, |db| {
            let t = rocks(db, TABLE, "data_block_index_type");
            assert_eq!(t, "kDataBlockBinaryAndHash");
        }),
        ("data_block_hash_ratio", "0.5", Applies::NewFiles, |db| {
            let r = rocks(db, TABLE, "data_block_hash_table_util_ratio");
            assert_eq!(r.parse::<f64>().ok(), Some(0.5), "{r}");
            // Files written now carry the hash index at that ratio and still read back.
            db.compact().expect("compact");
        }),
    ];
    for (name, value, applies, check) in &cases {
        let plan = db.plan_option(name, value).expect("plan");
        let c = db
            .set_option(name, value)
            .unwrap_or_else(|e| panic!("{name} = {value}: {e}"));
        assert_eq!(c.applied, *applies, "{name}");
        assert_eq!(plan.applies, *applies, "{name}");
        assert_eq!(Opt::from_name(name).map(Opt::applies), Some(*applies));
        assert_eq!(db.options().get(name).as_deref(), Some(*value));
        check(&db);
        assert_eq!(
            fingerprint(&db),
            before,
            "rows changed after {name} = {value}"
        );
    }
    // Saved, and every row there after a real close and open.
    let path = db.path().to_path_buf();
    drop(db);
    let db = Db::open_saved(&path, &[]).expect("reopen");
    assert_eq!(db.options().data_block_hash_ratio, 0.5);
    assert_eq!(db.options().pin_index_and_filter_blocks, PinningTier::All);
    assert_eq!(fingerprint(&db), before);
}

/// The table files in the database directory.
fn table_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sst"))
        .collect();
    v.sort();
    v
}

/// Flips one byte inside the stored value of `key` (uncompressed files) and returns
/// the value as it now is on disk.
fn damage_value(dir: &Path, key: i64) -> Vec<u8> {
    let want = value(key);
    for f in table_files(dir) {
        let mut bytes = std::fs::read(&f).expect("read table");
        let Some(at) = bytes.windows(want.len()).position(|w| w == want) else {
            continue;
        };
        bytes[at + want.len() - 1] ^= 0x01;
        std::fs::write(&f, &bytes).expect("write table");
        return bytes[at..at + want.len()].to_vec();
    }
    panic!("value of {key} not found in any table file");
}

#[test]
fn verify_checksums_decides_whether_a_damaged_block_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = DbOptions {
        compression: Compression::None,
        bottommost_compression: Compression::None,
        ..opts()
    };
    let db = Db::open_with(dir.path().join("db"), o).expect("open");
    db.load((0..5_000).map(|k| (k, value(k)))).expect("load");
    let damaged = damage_value(db.path(), 4_000);
    assert_ne!(damaged, value(4_000));
    // A reopen empties the block cache, so the next get reads the block from the file.
    db.reopen().expect("reopen");
    let e = db.get(4_000).expect_err("a damaged block is refused");
    assert!(e.to_string().contains("checksum"), "{e}");
    assert!(!e.to_string().contains('\n'), "{e}");
    // Unchecked, the block is taken as it is: the damaged bytes come back.
    let c = db.set_option("verify_checksums", "off").expect("off");
    assert_eq!(c.applied, Applies::Live);
    assert_eq!(db.get(4_000).expect("read").as_deref(), Some(&damaged[..]));
    // Other blocks read back as loaded either way.
    assert_eq!(db.get(10).expect("get").as_deref(), Some(&value(10)[..]));
}

#[test]
fn bad_values_give_one_error_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), opts(), 2_000);
    let before = fingerprint(&db);
    let before_opts = db.options();
    let before_file = db.rocksdb_options_file().expect("options file");
    for (name, value, expect) in [
        ("verify_checksums", "maybe", "expected on/off"),
        ("optimize_filters_for_hits", "sometimes", "expected on/off"),
        (
            "pin_index_and_filter_blocks",
            "l7",
            "expected one of all, flush, none, fallback",
        ),
        ("data_block_hash_ratio", "0", "must be between 0.1 and 1"),
        ("data_block_hash_ratio", "1.5", "must be between 0.1 and 1"),
        ("data_block_hash_ratio", "lots", "expected a number"),
    ] {
        let e = db.set_option(name, value).expect_err(name).to_string();
        assert!(
            e.contains(expect) && e.contains(name),
            "{name} = {value}: {e}"
        );
        assert!(!e.contains('\n'), "{e}");
        assert_eq!(db.options(), before_opts, "{name} changed the options");
    }
    assert_eq!(db.rocksdb_options_file().expect("file"), before_file);
    assert_eq!(fingerprint(&db), before);
    // The aliases name the same tiers.
    db.set_option("pin_index_and_filter_blocks", "L0")
        .expect("alias");
    assert_eq!(db.options().pin_index_and_filter_blocks, PinningTier::Flush);
}

#[test]
fn held_bytes_counts_every_part_and_table_readers_grow_without_cached_filters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = DbOptions {
        value_cache_entries: 1_000,
        // The block cache at its own size (lending has a test of its own).
        lend_value_cache: false,
        ..opts()
    };
    let db = filled(dir.path(), o, 50_000);
    for k in 0..200 {
        db.get(k * 3).expect("get");
    }
    let h = db.held_bytes().expect("held");
    assert!(h.alex > 0, "{h:?}");
    assert!(h.value_cache > 0, "{h:?}");
    assert_eq!(h.block_cache_capacity, 8 << 20, "{h:?}");
    assert!(h.block_cache_usage > 0, "{h:?}");
    // Index and filter blocks are cached and pinned at every level by default.
    assert!(h.block_cache_pinned > 0, "{h:?}");
    assert!(h.block_cache_pinned <= h.block_cache_usage, "{h:?}");
    assert!(h.table_readers > 0, "{h:?}");
    assert!(h.memtables > 0, "{h:?}");
    let parts = h.alex + h.value_cache + h.block_cache_usage + h.table_readers + h.memtables;
    assert_eq!(h.total(), parts);
    // The metrics snapshot (Memory pane, .show metrics) reports the pinned part too.
    assert!(db.metrics_snapshot().memory.block_cache_pinned_bytes > 0);

    // Unpinned, the index and filter blocks are evictable: nothing stays pinned.
    db.set_option("pin_index_and_filter_blocks", "none")
        .expect("none");
    db.reopen().expect("reopen");
    for k in 0..200 {
        db.get(k * 3).expect("get");
    }
    let unpinned = db.held_bytes().expect("held");
    assert!(
        unpinned.block_cache_pinned < h.block_cache_pinned,
        "{unpinned:?} vs {h:?}"
    );

    // Out of the block cache, the table readers hold them: 50,000 keys at 10 bits each
    // is a 61 KiB filter alone.
    db.set_option("cache_index_and_filter_blocks", "off")
        .expect("off");
    db.reopen().expect("reopen");
    let outside = db.held_bytes().expect("held");
    assert!(
        outside.table_readers > h.table_readers + 50_000,
        "{outside:?} vs {h:?}"
    );
}

/// The block cache's capacity beyond `block_cache_size`, with the value cache's bytes:
/// never more than `value_cache_size` together.
fn lent_and_used(db: &Db) -> (u64, u64) {
    let h = db.held_bytes().expect("held");
    let base = db.options().block_cache_bytes as u64;
    assert_eq!(
        h.block_cache_capacity - base,
        db.lent_to_block_cache(),
        "{h:?}"
    );
    (h.block_cache_capacity - base, h.value_cache)
}

#[test]
fn the_value_cache_lends_what_it_does_not_use_to_the_block_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mib = 1u64 << 20;
    let o = DbOptions {
        value_cache_size: 64 << 20,
        value_cache_entries: 1_000_000,
        value_cache_compression: engine::ValueCacheCompression::None,
        warm_value_cache: engine::WarmValueCache::Off,
        ..opts()
    };
    let db = Db::open_with(dir.path().join("db"), o).expect("open");
    let big = |k: i64| value(k).repeat(4);
    db.load((0..60_000).map(|k| (k, big(k)))).expect("load");
    // Empty: all of it but its bookkeeping and one 4 MiB step kept back for fills, in
    // whole steps.
    let (lent, used) = lent_and_used(&db);
    assert!(used < 4 * mib, "{used}");
    assert!((56 * mib..=60 * mib).contains(&lent), "{lent}");
    assert_eq!(lent % (4 * mib), 0);

    db.set_option("value_cache_size", "16MiB").expect("smaller");
    let (lent, used) = lent_and_used(&db);
    assert!((8 * mib..=12 * mib).contains(&lent) && lent + used <= 16 * mib);

    // Filling the value cache takes the bytes back; the two never pass its size.
    let mut seen = Vec::new();
    for k in 0..60_000 {
        assert_eq!(db.get(k).expect("get").as_deref(), Some(&big(k)[..]));
        if k % 5_000 == 4_999 {
            let (lent, used) = lent_and_used(&db);
            assert!(lent + used <= 16 * mib, "lent {lent} + used {used} at {k}");
            seen.push(lent);
        }
    }
    assert!(seen.windows(2).all(|w| w[1] <= w[0]), "{seen:?}");
    assert_eq!(
        *seen.last().unwrap(),
        0,
        "a full cache lends nothing: {seen:?}"
    );

    // A new block_cache_size is the base lending adds to; off lends nothing, on again
    // lends what a larger value cache leaves free.
    db.set_option("block_cache_size", "4MiB").expect("block");
    assert_eq!(db.held_bytes().unwrap().block_cache_capacity, 4 * mib);
    db.set_option("lend_value_cache", "off").expect("off");
    db.set_option("value_cache_size", "32MiB").expect("bigger");
    assert_eq!(lent_and_used(&db).0, 0);
    db.set_option("lend_value_cache", "on").expect("on");
    let (lent, used) = lent_and_used(&db);
    assert!(
        lent > 0 && lent + used <= 32 * mib,
        "lent {lent} used {used}"
    );
}
