//! What the `rocksdb` crate's enums really mean against the bundled RocksDB (11.8).
//!
//! RocksDB's statistics text (`Options::get_statistics`) names every ticker and histogram
//! with its value; the crate's enums are sent to C as plain numbers. These tests compare
//! the two after a known workload:
//! - `Ticker`: every variant reads the ticker of the same name (the engine reads tickers
//!   through it).
//! - `Histogram`: the variants agree by position up to `rocksdb.bytes.per.multiget`
//!   (index 58); from index 59 on the crate's list diverges from RocksDB 11.8's (which
//!   has 80 histograms), so the engine never reads histograms through it.
//! - `StatsLevel`: the crate numbers it one off (`ExceptHistogramOrTimers` is sent as 2,
//!   which RocksDB reads as `kExceptTimers`). The engine relies on exactly that: tickers
//!   and value histograms on, per-operation timers off.
//! - `PerfStatsLevel` (not used by the engine) is off from `EnableTimeExceptForMutex` on:
//!   the crate lacks RocksDB's `kEnableWait = 3`, so e.g. its `EnableTime` (5) means
//!   RocksDB's `kEnableTimeAndCPUTimeExceptForMutex`.
use std::collections::HashMap;

use engine::DbOptions;
use engine::store::{encode_key, rocksdb_options};
use rocksdb::DB;
use rocksdb::statistics::{Histogram, Ticker};

/// (name, count) pairs in the order RocksDB prints them.
type Counts = Vec<(String, u64)>;

/// Tickers and histograms (their COUNT) from the statistics text.
fn parse_stats(text: &str) -> (Counts, Counts) {
    let mut tickers = Vec::new();
    let mut hists = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let Some(name) = parts.next() else { continue };
        let rest: Vec<&str> = parts.collect();
        if rest.first() == Some(&"COUNT") {
            tickers.push((name.to_string(), rest[2].parse().unwrap()));
        } else if rest.first() == Some(&"P50") {
            let i = rest.iter().position(|w| *w == "COUNT").unwrap();
            hists.push((name.to_string(), rest[i + 2].parse().unwrap()));
        }
    }
    (tickers, hists)
}

fn workload() -> (tempfile::TempDir, DB, rocksdb::Options) {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        // Bottom-level filters too, so the bloom tickers move.
        optimize_filters_for_hits: false,
        ..DbOptions::default()
    };
    let (opts, _cache) = rocksdb_options(&o);
    let db = DB::open(&opts, dir.path()).unwrap();
    for k in 0..3000i64 {
        db.put(encode_key(k * 2), [5u8; 100]).unwrap();
    }
    db.flush().unwrap();
    for k in 0..3000i64 {
        assert!(db.get_pinned(encode_key(k * 2)).unwrap().is_some());
        assert!(db.get_pinned(encode_key(k * 2 + 1)).unwrap().is_none());
    }
    (dir, db, opts)
}

#[test]
fn every_ticker_variant_reads_the_ticker_of_its_name() {
    let (_dir, db, opts) = workload();
    let (before, _) = parse_stats(&opts.get_statistics().unwrap());
    let read: Vec<(&str, u64)> = Ticker::iter()
        .map(|t| (t.name(), opts.get_ticker_count(*t)))
        .collect();
    let (after, _) = parse_stats(&opts.get_statistics().unwrap());
    let before: HashMap<String, u64> = before.into_iter().collect();
    let after: HashMap<String, u64> = after.into_iter().collect();
    assert_eq!(
        read.len(),
        before.len(),
        "the crate and RocksDB have different ticker counts"
    );
    let mut nonzero = 0;
    for (name, v) in &read {
        let (lo, hi) = (before[*name], after[*name]);
        assert!(
            lo <= *v && *v <= hi,
            "Ticker {name}: crate read {v}, RocksDB says {lo}..{hi}"
        );
        if *v > 0 {
            nonzero += 1;
        }
    }
    // The check means something only if the workload moved many tickers.
    assert!(nonzero >= 15, "only {nonzero} tickers moved");
    for name in [
        "rocksdb.block.cache.data.miss",
        "rocksdb.block.cache.data.hit",
        "rocksdb.bloom.filter.useful",
        "rocksdb.bytes.written",
    ] {
        assert!(after[name] > 0, "{name} did not move");
    }
    drop(db);
}

#[test]
fn histogram_enum_matches_only_up_to_index_58() {
    let (_dir, db, opts) = workload();
    let (_, hists) = parse_stats(&opts.get_statistics().unwrap());
    let crate_names: Vec<&str> = Histogram::iter().map(|h| h.name()).collect();
    let first_diff = crate_names
        .iter()
        .zip(hists.iter())
        .position(|(a, (b, _))| a != b)
        .unwrap_or(crate_names.len().min(hists.len()));
    assert_eq!(
        first_diff,
        59,
        "the crate's Histogram enum now diverges at {first_diff} (crate {} variants, RocksDB {}): \
         update the note in src/engine/store.rs and this test",
        crate_names.len(),
        hists.len()
    );
    // Below the divergence, values agree too.
    let bytes_per_read = opts.get_histogram_data(Histogram::BytesPerRead).count();
    let text = hists
        .iter()
        .find(|(n, _)| n == "rocksdb.bytes.per.read")
        .unwrap()
        .1;
    assert_eq!(bytes_per_read, text);
    assert!(text > 0);
    drop(db);
}

#[test]
fn stats_level_used_by_the_engine_keeps_tickers_and_drops_timers() {
    let (_dir, db, opts) = workload();
    let (tickers, hists) = parse_stats(&opts.get_statistics().unwrap());
    let h: HashMap<String, u64> = hists.into_iter().collect();
    let t: HashMap<String, u64> = tickers.into_iter().collect();
    // Timers (StopWatch histograms) are off: RocksDB got kExceptTimers (2).
    assert_eq!(h["rocksdb.db.get.micros"], 0);
    assert_eq!(h["rocksdb.db.write.micros"], 0);
    // Value histograms are on (so the level is above kExceptHistogramOrTimers = 1).
    assert!(h["rocksdb.bytes.per.read"] > 0);
    assert!(h["rocksdb.bytes.per.write"] > 0);
    // Tickers are on.
    assert!(t["rocksdb.number.keys.read"] >= 6000);
    drop(db);
}
