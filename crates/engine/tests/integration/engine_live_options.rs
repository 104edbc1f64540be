//! Changing options on a live database (issue 5). For every option: set it, check that
//! RocksDB itself reports the new value (its OPTIONS file, LOG, properties or
//! statistics), and check that every row is still there (count + checksum of all values)
//! before and after. Plus: level -> universal -> level with data, FIFO refused above its
//! limit, a forced reopen failure rolled back, direct I/O refused by tmpfs rolled back, a
//! background writer running across reopens, and the events each change records.
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use engine::{Applies, Db, DbError, DbOptions, Opt, WarmValueCache};

use crate::support::{self, CF, TABLE, fingerprint, rocks, value};

fn opts() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        ..DbOptions::default()
    }
}

/// `n` rows loaded, and 200 in the memtable too, not only in SST files.
fn filled(dir: &Path, n: i64) -> Db {
    support::filled(dir, opts(), n, 200)
}

const DB: &str = "DBOptions";

/// The last `block_cache_name:` RocksDB wrote to its LOG (it logs table options at open).
fn logged_block_cache(db: &Db) -> String {
    let log = std::fs::read_to_string(db.path().join("LOG")).expect("LOG");
    log.lines()
        .filter_map(|l| l.split("block_cache_name:").nth(1))
        .next_back()
        .expect("block_cache_name in LOG")
        .trim()
        .to_string()
}

/// COUNT of a ticker or histogram in RocksDB's statistics text.
fn stat_count(db: &Db, name: &str) -> u64 {
    let text = db.rocksdb_statistics().expect("statistics on");
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("{name} not in statistics"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let i = words.iter().position(|w| *w == "COUNT").expect("COUNT");
    words[i + 2].parse().expect("count")
}

type Check = fn(&Db);

#[test]
fn every_option_applies_and_keeps_every_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 20_000);
    let before = fingerprint(&db);
    // Cached index and filter blocks are pinned at every level (never evicted).
    let m = rocks(&db, TABLE, "metadata_cache_options");
    assert!(m.contains("unpartitioned_pinning=kAll"), "{m}");
    let cases: Vec<(&str, &str, Check)> = vec![
        ("block_cache_size", "64MiB", |db| {
            // Plus what the mostly empty 1 GiB value cache lends it.
            let lent = db.lent_to_block_cache();
            assert!(lent > 512 << 20, "{lent}");
            assert_eq!(
                db.rocksdb_property("rocksdb.block-cache-capacity"),
                Some(((64 << 20) + lent).to_string())
            );
        }),
        ("block_cache_type", "hyper_clock", |db| {
            assert!(
                logged_block_cache(db).contains("HyperClockCache"),
                "{}",
                logged_block_cache(db)
            );
        }),
        ("bloom_bits_per_key", "0", |db| {
            assert_eq!(rocks(db, TABLE, "filter_policy"), "nullptr");
        }),
        ("bloom_bits_per_key", "16", |db| {
            assert!(
                rocks(db, TABLE, "filter_policy").contains("16"),
                "{}",
                rocks(db, TABLE, "filter_policy")
            );
        }),
        ("block_size", "4KiB", |db| {
            assert_eq!(rocks(db, TABLE, "block_size"), "4096")
        }),
        ("data_block_hash_index", "on", |db| {
            assert_eq!(
                rocks(db, TABLE, "data_block_index_type"),
                "kDataBlockBinaryAndHash"
            );
        }),
        ("cache_index_and_filter_blocks", "off", |db| {
            assert_eq!(rocks(db, TABLE, "cache_index_and_filter_blocks"), "false");
            // Pinning follows: nothing to pin when they are not in the block cache.
            let m = rocks(db, TABLE, "metadata_cache_options");
            assert!(m.contains("unpartitioned_pinning=kFallback"), "{m}");
        }),
        ("pin_l0_filter_and_index_blocks", "off", |db| {
            assert_eq!(
                rocks(db, TABLE, "pin_l0_filter_and_index_blocks_in_cache"),
                "false"
            );
        }),
        ("compression", "zstd", |db| {
            assert_eq!(rocks(db, CF, "compression"), "kZSTD")
        }),
        ("bottommost_compression", "none", |db| {
            assert_eq!(rocks(db, CF, "bottommost_compression"), "kNoCompression");
        }),
        ("write_buffer_size", "2MiB", |db| {
            assert_eq!(rocks(db, CF, "write_buffer_size"), "2097152");
        }),
        ("max_write_buffer_number", "3", |db| {
            assert_eq!(rocks(db, CF, "max_write_buffer_number"), "3");
        }),
        ("level0_file_num_compaction_trigger", "8", |db| {
            assert_eq!(rocks(db, CF, "level0_file_num_compaction_trigger"), "8");
        }),
        ("level0_slowdown_writes_trigger", "24", |db| {
            assert_eq!(rocks(db, CF, "level0_slowdown_writes_trigger"), "24");
        }),
        ("level0_stop_writes_trigger", "40", |db| {
            assert_eq!(rocks(db, CF, "level0_stop_writes_trigger"), "40");
        }),
        ("soft_pending_compaction_bytes_limit", "32GiB", |db| {
            assert_eq!(
                rocks(db, CF, "soft_pending_compaction_bytes_limit"),
                "34359738368"
            );
        }),
        ("hard_pending_compaction_bytes_limit", "0", |db| {
            assert_eq!(rocks(db, CF, "hard_pending_compaction_bytes_limit"), "0");
        }),
        ("target_file_size_base", "32MiB", |db| {
            assert_eq!(rocks(db, CF, "target_file_size_base"), "33554432");
        }),
        ("max_bytes_for_level_base", "128MiB", |db| {
            assert_eq!(rocks(db, CF, "max_bytes_for_level_base"), "134217728");
        }),
        ("fifo_max_size", "3GiB", |db| {
            assert!(
                rocks(db, CF, "compaction_options_fifo")
                    .contains("max_table_files_size=3221225472;")
            );
        }),
        ("compaction_style", "universal", |db| {
            assert_eq!(
                rocks(db, CF, "compaction_style"),
                "kCompactionStyleUniversal"
            );
        }),
        ("compaction_style", "fifo", |db| {
            assert_eq!(rocks(db, CF, "compaction_style"), "kCompactionStyleFIFO");
        }),
        ("compaction_style", "level", |db| {
            assert_eq!(rocks(db, CF, "compaction_style"), "kCompactionStyleLevel");
        }),
        ("max_open_files", "5000", |db| {
            assert_eq!(rocks(db, DB, "max_open_files"), "5000")
        }),
        ("max_background_jobs", "4", |db| {
            assert_eq!(rocks(db, DB, "max_background_jobs"), "4")
        }),
        ("use_direct_reads", "on", |db| {
            assert_eq!(rocks(db, DB, "use_direct_reads"), "true")
        }),
        ("use_direct_reads", "off", |db| {
            assert_eq!(rocks(db, DB, "use_direct_reads"), "false")
        }),
        ("use_direct_io_for_flush_and_compaction", "on", |db| {
            assert_eq!(
                rocks(db, DB, "use_direct_io_for_flush_and_compaction"),
                "true"
            );
        }),
        ("allow_mmap_reads", "on", |db| {
            assert_eq!(rocks(db, DB, "allow_mmap_reads"), "true")
        }),
        ("wal", "off", |db| {
            let w0 = db.metrics_snapshot().rocksdb.tickers.wal_bytes;
            db.put(-1, b"no log").expect("put");
            assert_eq!(
                db.metrics_snapshot().rocksdb.tickers.wal_bytes,
                w0,
                "WAL grew with wal off"
            );
            db.delete(-1).expect("delete");
        }),
        ("wal", "on", |db| {
            let w0 = db.metrics_snapshot().rocksdb.tickers.wal_bytes;
            db.put(-1, b"logged").expect("put");
            assert!(
                db.metrics_snapshot().rocksdb.tickers.wal_bytes > w0,
                "WAL did not grow"
            );
            db.delete(-1).expect("delete");
        }),
        ("sync", "on", |db| {
            let s0 = stat_count(db, "rocksdb.wal.synced");
            db.put(-1, b"synced").expect("put");
            assert!(stat_count(db, "rocksdb.wal.synced") > s0, "no WAL sync");
            db.delete(-1).expect("delete");
        }),
        ("value_cache_entries", "10", |db| {
            assert_eq!(db.metrics_snapshot().cache.capacity, 10);
        }),
        ("value_cache_size", "2MiB", |db| {
            for k in 0..2000 {
                db.get(k * 3).expect("get");
            }
            let c = db.cache_counters();
            assert_eq!(c.capacity_bytes, 2 << 20);
            assert!(c.bytes <= 2 << 20, "{c:?}");
        }),
        ("value_cache_policy", "lru", |db| {
            for k in 0..5 {
                db.get(k * 3).expect("get");
            }
            // value_cache_entries is 10 here, over 16 shards: some of the 5 collide.
            let c = db.cache_counters();
            assert_eq!(c.policy, "lru");
            assert!((1..=5).contains(&c.entries), "{c:?}");
        }),
        ("value_cache_policy", "clock", |db| {
            for k in 0..5 {
                db.get(k * 3).expect("get");
            }
            // value_cache_entries is 10 here, over 16 shards: some of the 5 collide.
            let c = db.cache_counters();
            assert_eq!(c.policy, "clock");
            assert!((1..=5).contains(&c.entries), "{c:?}");
        }),
        ("value_cache_compression", "lz4", |db| {
            for k in 0..5 {
                db.get(k * 3).expect("get");
            }
            let c = db.cache_counters();
            assert_eq!(c.compression, "lz4");
            // The dataset-like values here are short: each is stored no longer than raw.
            assert!(c.stored_bytes <= c.raw_bytes, "{c:?}");
        }),
        ("value_cache_compression", "zstd-dict", |db| {
            for k in 0..5 {
                db.get(k * 3).expect("get");
            }
            let c = db.cache_counters();
            assert_eq!(c.compression, "zstd-dict");
            assert!(c.stored_bytes <= c.raw_bytes, "{c:?}");
        }),
        ("value_cache_compression", "none", |db| {
            assert_eq!(db.cache_counters().compression, "none");
        }),
        ("stats_level", "all", |db| {
            let g0 = stat_count(db, "rocksdb.db.get.micros");
            db.rocksdb_property("rocksdb.stats");
            for k in 0..50 {
                db.get(k * 3).expect("get");
            }
            // Timers are on now: RocksDB times its gets.
            assert!(stat_count(db, "rocksdb.db.get.micros") > g0);
        }),
        ("stats_level", "except_timers", |db| {
            let g0 = stat_count(db, "rocksdb.db.get.micros");
            for k in 50..100 {
                db.get(k * 3).expect("get");
            }
            assert_eq!(stat_count(db, "rocksdb.db.get.micros"), g0);
        }),
        ("perf_level", "count", |db| {
            rocksdb::perf::PerfContext::default().reset();
            // This thread set the level; a get that reaches RocksDB counts comparisons.
            db.set_value_cache_entries(0).expect("cache off");
            db.get(300).expect("get");
            let report = rocksdb::perf::PerfContext::default().report(true);
            db.set_value_cache_entries(10).expect("cache back");
            let n: u64 = report
                .split(',')
                .find_map(|kv| kv.trim().strip_prefix("user_key_comparison_count = "))
                .and_then(|v| v.trim().parse().ok())
                .expect("user_key_comparison_count in the perf report");
            assert!(n > 0, "{report}");
        }),
        ("metrics", "off", |db| {
            assert!(!db.metrics_snapshot().timing_enabled)
        }),
        ("metrics_sample_rate", "4", |db| {
            assert_eq!(db.metrics_snapshot().sample_rate, 4)
        }),
        ("bulk_load_method", "wal-off-batches", |db| {
            assert_eq!(
                db.options().get("bulk_load_method").as_deref(),
                Some("wal-off-batches")
            );
        }),
        ("bulk_load_rows_per_file", "1000", |db| {
            assert_eq!(db.options().bulk_load_rows_per_file, 1000);
        }),
        ("rocksdb_statistics", "off", |db| {
            assert!(db.rocksdb_statistics().is_none())
        }),
        ("rocksdb_statistics", "on", |db| {
            assert!(db.rocksdb_statistics().is_some())
        }),
        ("create_if_missing", "off", |db| {
            assert!(!db.options().create_if_missing)
        }),
        ("warm_value_cache", "off", |db| {
            assert_eq!(db.options().warm_value_cache, WarmValueCache::Off);
        }),
        ("warm_value_cache", "inline", |db| {
            assert_eq!(db.options().warm_value_cache, WarmValueCache::Inline);
        }),
        // Issue 13's read-path options; tests/engine_read_options.rs checks what each does.
        ("optimize_filters_for_hits", "off", |db| {
            assert_eq!(rocks(db, CF, "optimize_filters_for_hits"), "false");
        }),
        ("verify_checksums", "off", |db| {
            assert!(!db.options().verify_checksums);
        }),
        ("pin_index_and_filter_blocks", "flush", |db| {
            // An earlier case took index/filter blocks out of the block cache, which
            // leaves nothing to pin (RocksDB's fallback): put them back first.
            db.set_option("cache_index_and_filter_blocks", "on")
                .expect("cache them");
            let m = rocks(db, TABLE, "metadata_cache_options");
            assert!(
                m.contains("unpartitioned_pinning=kFlushedAndSimilar"),
                "{m}"
            );
        }),
        ("data_block_hash_ratio", "0.5", |db| {
            let r = rocks(db, TABLE, "data_block_hash_table_util_ratio");
            assert_eq!(r.parse::<f64>().ok(), Some(0.5), "{r}");
        }),
        // Issue 14; tests/mrc_command.rs checks what it does.
        ("value_cache_mrc", "off", |db| {
            assert!(db.miss_ratio_curve().is_none());
        }),
        ("lend_value_cache", "off", |db| {
            assert_eq!(db.lent_to_block_cache(), 0);
            let own = db.options().block_cache_bytes.to_string();
            assert_eq!(
                db.rocksdb_property("rocksdb.block-cache-capacity"),
                Some(own)
            );
        }),
    ];
    let mut seen = std::collections::HashSet::new();
    for (name, value, check) in &cases {
        let opt = Opt::from_name(name).expect("a known option");
        let plan = db.plan_option(name, value).expect("plan");
        let c = db
            .set_option(name, value)
            .unwrap_or_else(|e| panic!("{name} = {value}: {e}"));
        assert_eq!(c.name, *name);
        // What the change did is what the table and the plan said it would do.
        assert_eq!(c.applied, opt.applies(), "{name}");
        assert_eq!(plan.applies, c.applied, "{name}");
        assert_eq!(
            plan.may_reopen,
            matches!(c.applied, Applies::Reopen | Applies::NewFiles),
            "{name}"
        );
        assert_eq!(db.options().get(name).as_deref(), Some(c.new.as_str()));
        check(&db);
        assert_eq!(
            fingerprint(&db),
            before,
            "rows changed after {name} = {value}"
        );
        seen.insert(*name);
    }
    // Every option that can change on an open database was covered.
    for opt in Opt::ALL {
        assert!(
            seen.contains(opt.name()) || opt.applies() == Applies::AtOpen,
            "{} is not tested",
            opt.name()
        );
    }
    // And it all survives a real close and open.
    drop(db);
    let db = Db::open_with(dir.path().join("db"), opts()).expect("reopen");
    assert_eq!(fingerprint(&db), before);
}

#[test]
fn level_universal_level_round_trip_keeps_data_and_writes_continue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 30_000);
    for (style, rocks_name) in [
        ("universal", "kCompactionStyleUniversal"),
        ("level", "kCompactionStyleLevel"),
        ("universal", "kCompactionStyleUniversal"),
        ("level", "kCompactionStyleLevel"),
    ] {
        let before = fingerprint(&db);
        let c = db.set_option("compaction_style", style).expect(style);
        assert_eq!(c.applied, Applies::Reopen);
        assert_eq!(rocks(&db, CF, "compaction_style"), rocks_name);
        assert_eq!(fingerprint(&db), before);
        // Writes after the switch land and are flushed into the new layout.
        for k in 0..500 {
            db.put(1_000_000 + k, &value(k)).expect("put");
        }
        db.flush().expect("flush");
        db.compact().expect("compact");
        assert!(db.check().expect("check").ok);
    }
}

#[test]
fn fifo_is_refused_unless_its_limit_is_above_the_database_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 100_000);
    db.flush().expect("flush");
    let before = fingerprint(&db);
    db.set_option("fifo_max_size", "1MiB")
        .expect("limit itself is live");
    let e = db
        .set_option("compaction_style", "fifo")
        .expect_err("refused");
    let msg = e.to_string();
    assert!(
        msg.contains("fifo_max_size (1MiB)") && msg.contains("above"),
        "{msg}"
    );
    assert_eq!(db.options().compaction_style.as_str(), "level");
    assert_eq!(fingerprint(&db), before);
    db.set_option("fifo_max_size", "1GiB").expect("raise");
    db.set_option("compaction_style", "fifo")
        .expect("now allowed");
    assert_eq!(fingerprint(&db), before);
    // Lowering the limit below the size while in FIFO is refused too.
    assert!(db.set_option("fifo_max_size", "1MiB").is_err());
}

#[test]
fn bad_values_are_refused_with_the_allowed_range_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 1000);
    let before_opts = db.options();
    for (name, value, expect) in [
        ("block_cache_size", "-5MiB", "cannot be negative"),
        ("block_cache_size", "lots", "not a size"),
        ("bloom_bits_per_key", "101", "between 0 (off) and 100"),
        (
            "compaction_style",
            "tiered",
            "expected one of level, universal, fifo",
        ),
        (
            "block_cache_type",
            "arc",
            "expected one of lru, hyper_clock",
        ),
        (
            "compression",
            "brotli",
            "expected one of none, snappy, lz4, zstd",
        ),
        ("max_write_buffer_number", "1", "between 2 and 64"),
        ("wal", "maybe", "on/off"),
        (
            "value_cache_shards",
            "4",
            "cannot change on an open database",
        ),
        ("block_sise", "4k", "did you mean \"block_size\""),
    ] {
        let e = db.set_option(name, value).expect_err(name).to_string();
        assert!(e.contains(expect), "{name} = {value}: {e}");
        assert!(!e.contains('\n'));
        assert_eq!(db.options(), before_opts, "{name} changed the options");
    }
    // sync needs the WAL: refused while wal is off.
    db.set_option("wal", "off").expect("wal off");
    assert!(
        db.set_option("sync", "on")
            .unwrap_err()
            .to_string()
            .contains("needs wal on")
    );
}

#[test]
fn a_failed_reopen_rolls_back_with_data_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 10_000);
    let before = fingerprint(&db);
    db.fail_next_reopen();
    let e = db
        .set_option("compaction_style", "universal")
        .expect_err("injected");
    assert!(matches!(e, DbError::RolledBack { .. }), "{e}");
    assert!(e.to_string().contains("rolled back"), "{e}");
    assert_eq!(db.options().compaction_style.as_str(), "level");
    assert_eq!(rocks(&db, CF, "compaction_style"), "kCompactionStyleLevel");
    assert_eq!(fingerprint(&db), before);
    db.put(-7, b"still writable").expect("put after rollback");
    let events = db.metrics_snapshot().events;
    assert!(
        events
            .iter()
            .any(|e| e.kind == "reopen" && e.applied.as_deref() == Some("rolled back")),
        "{events:?}"
    );
}

#[test]
fn direct_reads_on_tmpfs_apply_or_roll_back() {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        eprintln!("skipped: no /dev/shm on this machine");
        return;
    }
    let dir = tempfile::tempdir_in(shm).expect("tempdir in /dev/shm");
    let db = filled(dir.path(), 5_000);
    db.flush().expect("flush");
    let before = fingerprint(&db);
    match db.set_option("use_direct_reads", "on") {
        Err(e) => {
            let msg = e.to_string();
            eprintln!("tmpfs refused O_DIRECT: {msg}");
            assert!(matches!(e, DbError::RolledBack { .. }), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
            assert!(!db.options().use_direct_reads);
        }
        // Some kernels let tmpfs accept O_DIRECT; then it simply applied.
        Ok(c) => assert_eq!(c.applied, Applies::Reopen),
    }
    assert_eq!(fingerprint(&db), before);
}

#[test]
fn a_background_writer_keeps_running_across_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Arc::new(filled(dir.path(), 5_000));
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (db, stop, written) = (db.clone(), stop.clone(), written.clone());
        std::thread::spawn(move || -> Result<(), DbError> {
            let mut k = 10_000_000i64;
            while !stop.load(Ordering::Relaxed) {
                db.put(k, &value(k))?;
                assert_eq!(db.get(k)?.as_deref(), Some(value(k).as_slice()));
                written.fetch_add(1, Ordering::Relaxed);
                k += 1;
            }
            Ok(())
        })
    };
    for (name, v) in [
        ("compaction_style", "universal"),
        ("max_open_files", "500"),
        ("compaction_style", "level"),
        ("block_cache_type", "hyper_clock"),
    ] {
        let w0 = written.load(Ordering::Relaxed);
        while written.load(Ordering::Relaxed) < w0 + 200 {
            std::thread::yield_now();
        }
        db.set_option(name, v).expect(name);
    }
    db.reopen().expect("plain reopen");
    stop.store(true, Ordering::Relaxed);
    writer
        .join()
        .expect("writer thread")
        .expect("no error across reopens");
    let n = written.load(Ordering::Relaxed);
    assert!(n >= 800);
    assert_eq!(db.count_range(10_000_000, i64::MAX), n);
    assert!(db.check().expect("check").ok);
}

#[test]
fn every_change_is_an_event_in_the_metrics_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 1000);
    let mut window = engine::metrics::MetricsWindow::new();
    db.metrics_window(&mut window);
    db.set_option("block_cache_size", "16MiB").expect("live");
    db.set_option("compaction_style", "universal")
        .expect("reopen");
    db.flush_now().expect("flush");
    db.compact_range(Some((0, 100))).expect("compact");
    let mut s = db.metrics_window(&mut window);
    // RocksDB's listener adds its own flush and compaction events (issue 32).
    assert!(
        s.events
            .iter()
            .any(|e| e.kind == "compaction" && e.lsm.is_some())
    );
    s.events.retain(|e| e.lsm.is_none());
    let kinds: Vec<&str> = s.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        ["option", "reopen", "option", "flush", "compact"],
        "{:?}",
        s.events
    );
    let live = &s.events[0];
    assert_eq!(live.option.as_deref(), Some("block_cache_size"));
    assert_eq!(
        (live.old.as_deref(), live.new.as_deref()),
        (Some("8MiB"), Some("16MiB"))
    );
    assert_eq!(live.applied.as_deref(), Some("live"));
    let style = &s.events[2];
    assert_eq!(style.applied.as_deref(), Some("reopen"));
    assert!(style.secs > 0.0);
    assert!(
        style.label.contains("compaction_style level -> universal"),
        "{}",
        style.label
    );
    // The next window starts after them.
    let next = db.metrics_window(&mut window).events;
    assert!(next.iter().all(|e| e.lsm.is_some()), "{next:?}");
}

#[test]
fn typed_setters_record_events_like_set_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 1000);
    let mut window = engine::metrics::MetricsWindow::new();
    db.metrics_window(&mut window);
    db.set_value_cache_entries(10).expect("cache");
    db.set_metrics_sample_rate(4).expect("rate");
    db.set_wal(false, false).expect("wal off");
    db.set_bulk_load_method(engine::BulkLoadMethod::WalOffBatches);
    // Unchanged: no event.
    db.set_metrics_sample_rate(4).expect("same rate");
    let s = db.metrics_window(&mut window);
    let changed: Vec<(&str, Option<&str>)> = s
        .events
        .iter()
        .filter(|e| e.lsm.is_none())
        .map(|e| (e.kind, e.option.as_deref()))
        .collect();
    assert_eq!(
        changed,
        [
            ("option", Some("value_cache_entries")),
            ("option", Some("metrics_sample_rate")),
            ("option", Some("wal")),
            ("option", Some("bulk_load_method")),
        ]
    );
    assert_eq!(s.cache.capacity, 10);
    assert_eq!(s.sample_rate, 4);
    assert_eq!(db.options().get("wal").as_deref(), Some("off"));
    // A bad value is refused and changes nothing.
    assert!(db.set_metrics_sample_rate(0).is_err());
    assert!(db.set_wal(false, true).is_err());
    assert_eq!(db.options().metrics_sample_rate, 4);
}

#[test]
fn exported_options_file_is_rocksdbs_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 100);
    db.set_option("block_size", "8KiB").expect("set");
    let out = dir.path().join("exported.ini");
    db.export_rocksdb_options(&out).expect("export");
    let text = std::fs::read_to_string(&out).expect("read");
    assert!(
        text.contains("[DBOptions]") && text.contains("block_size=8192"),
        "{text}"
    );
}

#[test]
fn an_inline_load_warms_the_value_cache_and_others_do_not() {
    for warm in [true, false] {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open_with(
            dir.path().join("db"),
            DbOptions {
                value_cache_entries: 1000,
                warm_value_cache: if warm {
                    WarmValueCache::Inline
                } else {
                    WarmValueCache::Background
                },
                ..opts()
            },
        )
        .expect("open");
        // Random order, so the warmed rows are the top of the key range, not the input's tail.
        let keys: Vec<i64> = (0..5000i64).map(|i| (i * 7919) % 5000).collect();
        db.load(keys.iter().map(|&k| (k, value(k)))).expect("load");
        let s = db.metrics_snapshot();
        // The cache is sharded by key, so a full cache holds a little under its capacity.
        if warm {
            assert!(
                (950..=1000).contains(&s.cache.entries),
                "{}",
                s.cache.entries
            );
        } else {
            assert_eq!(s.cache.entries, 0);
        }
        // The warmed values are the right ones, and a get of one is a cache hit.
        let before = db.metrics_snapshot().cache.hits;
        assert_eq!(
            db.get(4999).expect("get").as_deref(),
            Some(value(4999).as_slice())
        );
        let hit = db.metrics_snapshot().cache.hits - before;
        assert_eq!(hit, u64::from(warm));
        assert_eq!(fingerprint(&db).0, 5000);
    }
}

#[test]
fn the_plan_says_which_changes_may_reopen_and_a_refused_live_change_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 2_000);
    let before = fingerprint(&db);
    let live = db.plan_option("block_cache_size", "16MiB").expect("plan");
    assert_eq!((live.applies, live.may_reopen), (Applies::Live, false));
    let files = db.plan_option("block_size", "8KiB").expect("plan");
    assert_eq!((files.applies, files.may_reopen), (Applies::NewFiles, true));
    let reopen = db.plan_option("max_open_files", "5000").expect("plan");
    assert_eq!((reopen.applies, reopen.may_reopen), (Applies::Reopen, true));
    let same = db.plan_option("block_size", "16KiB").expect("plan");
    assert!(!same.may_reopen, "an unchanged value never reopens");
    assert!(
        db.plan_option("block_sise", "8KiB").is_err(),
        "bad name refused"
    );
    assert!(
        db.plan_option("block_size", "8 parsecs").is_err(),
        "bad value refused"
    );
    assert_eq!(
        db.options().block_size,
        16 << 10,
        "planning changes nothing"
    );

    // RocksDB refuses the new-files option live: the engine reopens instead, as planned.
    db.fail_next_live_set();
    let c = db.set_option("block_size", "8KiB").expect("set");
    assert_eq!(c.applied, Applies::Reopen);
    assert!(
        c.note.as_deref().unwrap_or("").contains("refused it live"),
        "{c:?}"
    );
    assert_eq!(
        rocks(&db, "TableOptions/BlockBasedTable", "block_size"),
        "8192"
    );
    assert_eq!(fingerprint(&db), before);
}

/// Found by `bench soak`: a hyper_clock block cache of size 0 made RocksDB abort the
/// process at the next open or reopen ("Anonymous mmap for RocksDB HyperClockCache
/// failed"). Both orders of the two changes, and an open with them, must work.
#[test]
fn an_empty_hyper_clock_block_cache_opens_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let db = filled(dir.path(), 2000);
    db.set_option("block_cache_size", "0").unwrap();
    db.set_option("block_cache_type", "hyper_clock").unwrap();
    assert_eq!(db.get(7).unwrap().as_deref(), Some(value(7).as_slice()));
    db.reopen().unwrap();
    db.put(1, b"after").unwrap();
    assert!(db.check().unwrap().ok);
    drop(db);
    let o = DbOptions {
        block_cache_bytes: 0,
        block_cache_type: engine::BlockCacheType::HyperClock,
        ..opts()
    };
    let db = Db::open_with(dir.path().join("db"), o).unwrap();
    assert_eq!(db.get(1).unwrap().as_deref(), Some(&b"after"[..]));
    assert_eq!(db.len(), 2200);
}

/// Data-block hits per data-block lookup over `n` gets spread over `keys` loaded keys.
fn data_hit_rate(db: &Db, n: i64, keys: i64) -> f64 {
    let mut window = engine::metrics::MetricsWindow::new();
    db.metrics_window(&mut window);
    for i in 0..n {
        // A skewed walk: a third of the gets go to 1% of the keys.
        let k = if i % 3 == 0 {
            (i * 7) % (keys / 100)
        } else {
            (i * 7919) % keys
        };
        db.get(k * 3).expect("get");
    }
    let b = db.metrics_window(&mut window).rocksdb.tickers.block_cache;
    b.data_hit as f64 / (b.data_hit + b.data_miss).max(1) as f64
}

#[test]
fn a_block_cache_made_small_live_holds_blocks_as_one_made_that_size() {
    // RocksDB shards a cache by its size when it is made (one shard per 512 KiB, at most
    // 64) and keeps the shards when its capacity changes. A 64 MiB cache set to 1 MiB
    // live had 64 shards of 16 KiB: too small for a 16 KiB block, so nothing stayed and
    // the hit rate was 0 where a 1 MiB cache made at open hits.
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        value_cache_entries: 0,
        ..DbOptions::default()
    };
    let db = support::filled(dir.path(), o, 100_000, 0);
    let plan = db.plan_option("block_cache_size", "1MiB").expect("plan");
    assert!(plan.may_reopen, "{plan:?}");
    assert!(
        !db.plan_option("block_cache_size", "32MiB")
            .unwrap()
            .may_reopen
    );
    let changes = db.set_option("block_cache_size", "1MiB").expect("set");
    assert_eq!(changes.applied, Applies::Reopen, "{changes:?}");
    assert!(
        changes.note.as_deref().unwrap_or("").contains("shards"),
        "{changes:?}"
    );
    let live = data_hit_rate(&db, 30_000, 100_000);
    db.close().expect("close");
    let fresh = Db::open_with(
        dir.path().join("db"),
        DbOptions {
            value_cache_entries: 0,
            block_cache_bytes: 1 << 20,
            ..DbOptions::default()
        },
    )
    .expect("open");
    let at_open = data_hit_rate(&fresh, 30_000, 100_000);
    assert!(at_open > 0.05, "a 1 MiB cache made at open: {at_open}");
    assert!(
        live > at_open * 0.5,
        "set live {live}, made at open {at_open}"
    );
}

#[test]
fn a_block_cache_made_larger_live_stays_live() {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        block_cache_bytes: 1 << 20,
        ..DbOptions::default()
    };
    let db = support::filled(dir.path(), o, 1_000, 0);
    let c = db.set_option("block_cache_size", "256MiB").expect("set");
    assert_eq!(c.applied, Applies::Live, "{c:?}");
}
