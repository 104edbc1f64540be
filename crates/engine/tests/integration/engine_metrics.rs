//! The metrics agree with workloads whose answers are known.
use std::time::Instant;

use engine::metrics::MetricsWindow;
use engine::{Db, DbOptions, ValueCachePolicy};

fn options(sample_rate: u32) -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 4 << 20,
        value_cache_entries: 10_000,
        metrics_sample_rate: sample_rate,
        ..DbOptions::default()
    }
}

#[test]
fn counters_match_a_known_workload() {
    let dir = tempfile::tempdir().unwrap();
    // The lru policy, whose bytes per entry are known exactly (checked below).
    let lru = DbOptions {
        value_cache_policy: ValueCachePolicy::Lru,
        ..options(1)
    };
    let db = Db::open_with(dir.path(), lru).unwrap();
    const N: i64 = 1000;
    for k in 0..N {
        db.put(k, &[7u8; 100]).unwrap();
    }
    db.flush().unwrap();
    for k in 0..N {
        assert!(db.get(k).unwrap().is_some()); // misses: ALEX found, RocksDB read, cached
    }
    for k in 0..N {
        assert!(db.get(k).unwrap().is_some()); // hits
    }
    for k in N..N + 300 {
        assert!(db.get(k).unwrap().is_none()); // ALEX says absent
    }
    assert!(db.delete(5).unwrap());
    assert!(!db.delete(-5).unwrap());
    let rows = db.scan(10, 19, 100).unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(db.count(), (N - 1) as u64);
    assert_eq!(db.count_range(0, 9), 9);

    let s = db.metrics_snapshot();
    let n = N as u64;
    assert_eq!(s.ops.put, n);
    assert_eq!(s.ops.get, 2 * n + 300);
    assert_eq!(s.ops.delete, 2);
    assert_eq!(s.ops.scan, 1);
    assert_eq!(s.ops.count, 2);
    assert_eq!(s.ops.total, n + 2 * n + 300 + 2 + 1 + 2);
    assert_eq!(s.cache.hits, n, "N gets of cached keys are N hits");
    assert_eq!(s.cache.misses, n + 300);
    assert_eq!(s.index.found, n);
    assert_eq!(s.index.absent, 300);
    assert_eq!(s.index.keys, n - 1);
    assert_eq!(s.rows.written, n);
    assert_eq!(s.rows.deleted, 1);
    assert_eq!(s.rows.read, 2 * n + 10);
    assert_eq!(s.bytes.written, 100 * n);
    assert_eq!(s.bytes.read, 100 * (2 * n + 10));
    assert_eq!(s.cache.entries, n - 1); // the deleted key left the cache
    assert_eq!(
        s.cache.bytes,
        (n - 1) * (100 + engine::cache::ENTRY_OVERHEAD_BYTES as u64)
    );
    assert!((s.cache.hit_rate - n as f64 / (2 * n + 300) as f64).abs() < 1e-9);
    // Sample rate 1: every operation is timed.
    assert_eq!(s.latency.get.samples, 2 * n + 300);
    assert_eq!(s.latency.put.samples, n);
    assert_eq!(s.latency.delete.samples, 2);
    assert_eq!(s.latency.scan.samples, 1);
    assert_eq!(s.get_split.sampled_gets, 2 * n + 300);
    assert!(
        s.latency.get.p50_ns <= s.latency.get.p99_ns
            && s.latency.get.p99_ns <= s.latency.get.max_ns
    );
    // RocksDB side: the misses read data blocks.
    let b = s.rocksdb.tickers.block_cache;
    assert!(b.data_hit + b.data_miss > 0, "{b:?}");
    assert!(s.rocksdb.statistics_enabled);
    assert_eq!(s.rocksdb.levels.len(), 7);
    assert!(s.rocksdb.sst_files >= 1);
    // Its own size plus what the value cache lends it.
    assert_eq!(
        s.rocksdb.block_cache_capacity,
        (8 << 20) + db.lent_to_block_cache()
    );
    assert!(s.memory.rss_bytes > 0);
    assert!(s.memory.alex_bytes > 0);
    // Plain data: it serialises.
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains("\"hit_rate\""));
}

#[test]
fn get_split_adds_up_to_the_measured_total() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(1);
    o.value_cache_entries = 0; // every get goes to ALEX and RocksDB
    let db = Db::open_with(dir.path(), o).unwrap();
    const N: i64 = 3000;
    db.load((0..N).map(|k| (k, vec![1u8; 64]))).unwrap();
    for k in 0..N {
        db.get(k).unwrap(); // warm up RocksDB's block cache
    }
    let mut w = MetricsWindow::new();
    let _ = db.metrics_window(&mut w);
    // Against the wall clock a preemption outside the timed code could spoil one
    // attempt, so up to three are made.
    let mut wall_errors = Vec::new();
    for attempt in 0..3 {
        let t = Instant::now();
        let mut sum = 0usize;
        for round in 0..3 {
            for k in 0..N {
                sum += db.get(k * 7 % N + round).unwrap().map_or(0, |v| v.len());
            }
        }
        let wall_ns = t.elapsed().as_nanos() as u64;
        assert!(sum > 0);
        let s = db.metrics_window(&mut w);
        let g = s.get_split;
        assert_eq!(g.sampled_gets, 3 * N as u64);
        assert_eq!(
            g.cache_ns + g.alex_ns + g.rocksdb_ns + g.rest_ns,
            g.total_ns
        );
        assert!((g.cache_pct + g.alex_pct + g.rocksdb_pct + g.rest_pct - 100.0).abs() < 1e-6);
        assert!(g.rocksdb_ns > 0 && g.alex_ns > 0);
        // The split's total against the histogram (1% precision buckets)...
        let hist_total = s.latency.get.mean_ns * s.latency.get.samples as f64;
        let err = (g.total_ns as f64 - hist_total).abs() / hist_total;
        assert!(
            err < 0.05,
            "split {} ns vs histogram {hist_total} ns",
            g.total_ns
        );
        // ...and against the wall clock around the loop. The loop's own work (freeing
        // each returned value, the call) is outside the split: 5-8% of a ~1.1 us get on
        // the 2-core CI machine (2026-12). The clock conversion is calibrated, hence the
        // 1% allowance above the wall.
        let err = (wall_ns as f64 - g.total_ns as f64) / wall_ns as f64;
        if (-0.01..0.10).contains(&err) {
            return;
        }
        wall_errors.push(format!(
            "attempt {attempt}: split {} ns vs wall {wall_ns} ns ({:.1}% apart)",
            g.total_ns,
            err * 100.0
        ));
    }
    panic!("{wall_errors:?}");
}

#[test]
fn windows_cover_only_their_interval_and_sampling_thins_timing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(8)).unwrap();
    for k in 0..800 {
        db.put(k, b"v").unwrap();
    }
    let mut w1 = MetricsWindow::new();
    let mut w2 = MetricsWindow::new();
    let first = db.metrics_window(&mut w1);
    assert_eq!(first.ops.put, 800);
    assert!(first.window_secs > 0.0);
    for k in 0..800 {
        db.get(k).unwrap();
    }
    let second = db.metrics_window(&mut w1);
    assert_eq!(second.ops.put, 0);
    assert_eq!(second.ops.get, 800);
    // 1 in 8 timed, on this thread's countdown.
    assert_eq!(second.latency.get.samples, 100);
    let third = db.metrics_window(&mut w1);
    assert_eq!(third.ops.total, 0);
    assert_eq!(third.latency.get.samples, 0);
    // Another window is independent of the first.
    let other = db.metrics_window(&mut w2);
    assert_eq!(other.ops.total, 1600);
    // Gauges are current values, not deltas.
    assert_eq!(third.index.keys, 800);

    db.set_metrics_enabled(false);
    for k in 0..80 {
        db.get(k).unwrap();
    }
    let off = db.metrics_window(&mut w1);
    assert_eq!(off.ops.get, 80, "counters are kept with timing off");
    assert_eq!(off.latency.get.samples, 0);
    assert!(!off.timing_enabled);
}

/// With a timing `perf_level`, every timed get that reaches RocksDB adds to RocksDB's own
/// split (PerfContext); with it off, nothing is recorded and the snapshot says so.
#[test]
fn rocksdb_perf_split_follows_perf_level() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(1)).unwrap();
    const N: i64 = 500;
    for k in 0..N {
        db.put(k, format!("value-{k}").as_bytes()).unwrap();
    }
    db.flush().unwrap();
    db.set_option("value_cache_entries", "0").unwrap();
    let mut w = MetricsWindow::new();
    db.metrics_window(&mut w);
    for k in 0..N {
        assert!(db.get(k).unwrap().is_some());
    }
    let off = db.metrics_window(&mut w);
    assert!(!off.rocksdb_perf.enabled);
    assert_eq!(off.rocksdb_perf.gets, 0);
    assert_eq!(off.rocksdb_perf.total_ns(), 0);

    db.set_option("perf_level", "time_except_mutex").unwrap();
    for k in 0..N {
        assert!(db.get(k).unwrap().is_some());
    }
    for k in N..N + 100 {
        assert!(db.get(k).unwrap().is_none()); // ALEX answers: RocksDB is not asked
    }
    let on = db.metrics_window(&mut w);
    let p = on.rocksdb_perf;
    assert!(p.enabled);
    assert_eq!(
        p.gets, N as u64,
        "one PerfContext reading per get that reached RocksDB"
    );
    // The rows are in SST files now, so every get spent time there.
    assert!(p.data_block_ns + p.filter_ns + p.index_ns > 0, "{p:?}");
    // RocksDB's own parts fit inside the time the engine measured around its calls.
    assert!(
        p.total_ns() <= on.get_split.rocksdb_ns * 2,
        "{p:?} vs {:?}",
        on.get_split
    );

    db.set_option("perf_level", "off").unwrap();
    db.get(1).unwrap();
    let after = db.metrics_window(&mut w);
    assert!(!after.rocksdb_perf.enabled);
    assert_eq!(after.rocksdb_perf.gets, 0);
}

/// Issue 12, bug 8: a load's rows reach the metrics as it goes, not all in the window
/// where it ends (which drew a throughput spike at twice the true rate).
#[test]
fn load_rows_are_counted_while_the_load_runs() {
    use engine::BulkLoadMethod;
    for method in [BulkLoadMethod::SstIngest, BulkLoadMethod::WalOffBatches] {
        let dir = tempfile::tempdir().unwrap();
        let opts = DbOptions {
            bulk_load_method: method,
            ..options(1)
        };
        let db = Db::open_with(dir.path(), opts).unwrap();
        let n = 200_000i64;
        let mut w = MetricsWindow::new();
        let _ = db.metrics_window(&mut w);
        let mut written = Vec::new();
        let mut bytes = 0;
        let r = db
            .load_with_progress((0..n).map(|k| (k, k.to_le_bytes())), |_| {
                let s = db.metrics_window(&mut w);
                written.push(s.rows.written);
                bytes += s.bytes.written;
            })
            .unwrap();
        let last = db.metrics_window(&mut w);
        written.push(last.rows.written);
        bytes += last.bytes.written;
        let busy = written.iter().filter(|&&r| r > 0).count();
        assert!(busy >= 3, "{method:?}: rows seen in {written:?}");
        assert_eq!(written.iter().sum::<u64>(), r.rows, "{method:?}");
        assert_eq!(bytes, r.bytes, "{method:?}");
        assert_eq!(last.ops.load, 1);
    }
}

/// Gets of absent keys send ALEX first; gets the cache answers send it back. Either way
/// every answer is right and the value cache's hits and misses count the same.
#[test]
fn absent_keys_put_alex_first_and_cache_hits_put_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), options(1)).unwrap();
    db.load((0..2_000i64).map(|k| (k * 2, vec![b'v'; 100])))
        .unwrap();
    assert!(!db.reads_alex_first());
    let before = db.metrics_snapshot().cache;
    for k in 0..1_000i64 {
        assert_eq!(db.get(k * 2 + 1).unwrap(), None);
    }
    assert!(db.reads_alex_first(), "1,000 absent keys in a row");
    let absent = db.metrics_snapshot().cache;
    assert_eq!(absent.misses - before.misses, 1_000);
    assert_eq!(absent.hits, before.hits);
    // ALEX first: present keys still come from RocksDB, then from the cache.
    for round in 0..3 {
        for k in 0..500i64 {
            let v = db.get(k * 2).unwrap();
            assert_eq!(
                v.as_deref(),
                Some(&[b'v'; 100][..]),
                "key {} round {round}",
                k * 2
            );
        }
    }
    assert!(
        !db.reads_alex_first(),
        "cache answers outnumber absent keys"
    );
    let after = db.metrics_snapshot().cache;
    assert_eq!(after.misses - absent.misses, 500);
    assert_eq!(after.hits - absent.hits, 1_000);
}
