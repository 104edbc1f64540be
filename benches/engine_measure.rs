//! Measurements behind the engine's design choices. They print numbers and assert
//! nothing about speed, so they are not tests. Run one (or all, without a name) with
//! `cargo bench --bench engine_measure -- NAME`; names: bulk_load_methods_and_reopen,
//! reopen_at_scale, scan_iterator_vs_multiget, instrumentation_cost, timing_primitives,
//! value_codecs.
//! Environment: MEASURE_BOTTOMMOST (bottommost compression for the load measurement),
//! MEASURE_ROWS and MEASURE_ORDER=sorted (for reopen_at_scale), MEASURE_CODEC_VALUES
//! (values per size for value_codecs, default 1,000,000).
use std::hint::black_box;
use std::time::Instant;

use alexdb::engine::codec::{Codec, CodecKind, sample_values};
use alexdb::engine::{BulkLoadMethod, Db, DbOptions};
use alexdb::workload::dataset::{DEFAULT_SEED, value_for};

const ROWS: i64 = 1_000_000;
const VALUE: usize = 100;

fn value(k: i64) -> [u8; VALUE] {
    // Deterministic, incompressible-ish bytes.
    let mut out = [0u8; VALUE];
    let mut x = (k as u64) ^ 0x9E37_79B9_7F4A_7C15;
    for chunk in out.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    out
}

fn scrambled(i: i64) -> i64 {
    // A bijection on 0..ROWS-ish keys in random order (multiplicative, odd constant).
    ((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 1) as i64
}

fn load(method: BulkLoadMethod, random: bool) -> (f64, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut o = DbOptions {
        bulk_load_method: method,
        ..DbOptions::default()
    };
    if let Ok(c) = std::env::var("MEASURE_BOTTOMMOST") {
        o.bottommost_compression = c.parse().unwrap();
    }
    let db = Db::open_with(dir.path(), o).unwrap();
    let t = Instant::now();
    let r = if random {
        db.load((0..ROWS).map(|i| (scrambled(i), value(i))))
            .unwrap()
    } else {
        db.load((0..ROWS).map(|i| (i, value(i)))).unwrap()
    };
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(db.count(), ROWS as u64);
    println!(
        "load {:>15} {:>6}: {:.2} s, {:.0} rows/s, {} files",
        method.as_str(),
        if random { "random" } else { "sorted" },
        secs,
        ROWS as f64 / secs,
        r.sst_files
    );
    db.close().unwrap();
    (secs, dir)
}

fn measure_bulk_load_methods_and_reopen() {
    for random in [false, true] {
        for method in [BulkLoadMethod::SstIngest, BulkLoadMethod::WalOffBatches] {
            let (_, dir) = load(method, random);
            if !random {
                for _ in 0..2 {
                    let db = Db::open(dir.path()).unwrap();
                    let s = db.open_stats();
                    println!(
                        "   reopen {} keys: {:.3} s (rocksdb {:.3}, read keys {:.3}, alex {:.3})",
                        s.keys,
                        s.total_secs,
                        s.rocksdb_open_secs,
                        s.read_keys_secs,
                        s.index_build_secs
                    );
                }
            }
        }
    }
}

fn measure_reopen_at_scale() {
    let rows: i64 = std::env::var("MEASURE_ROWS").map_or(10_000_000, |v| v.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let t = Instant::now();
    let sorted = std::env::var("MEASURE_ORDER").is_ok_and(|o| o == "sorted");
    let r = if sorted {
        db.load((0..rows).map(|i| (i, value(i)))).unwrap()
    } else {
        db.load((0..rows).map(|i| (scrambled(i), value(i))))
            .unwrap()
    };
    println!(
        "load {rows} {} rows: {:.2} s ({:.0} rows/s, {} files)",
        if sorted { "sorted" } else { "random" },
        t.elapsed().as_secs_f64(),
        r.rows_per_sec,
        r.sst_files
    );
    db.close().unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let db = Db::open(dir.path()).unwrap();
        let s = db.open_stats();
        println!(
            "reopen {} keys: {:.3} s (rocksdb {:.3}, read keys {:.3}, alex {:.3})",
            s.keys,
            t.elapsed().as_secs_f64(),
            s.rocksdb_open_secs,
            s.read_keys_secs,
            s.index_build_secs
        );
    }
}

fn measure_scan_iterator_vs_multiget() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    db.load((0..ROWS).map(|i| (i * 2, value(i)))).unwrap();
    for (name, len) in [("short", 10usize), ("medium", 100), ("long", 1000)] {
        for round in 0..2 {
            let scans = 200_000 / len;
            let t = Instant::now();
            let mut rows = 0usize;
            for i in 0..scans as i64 {
                let a = scrambled(i) % (2 * ROWS);
                rows += black_box(db.scan(a, i64::MAX, len).unwrap()).len();
            }
            let it = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let mut rows2 = 0usize;
            for i in 0..scans as i64 {
                let a = scrambled(i) % (2 * ROWS);
                rows2 += black_box(db.scan_multiget(a, i64::MAX, len).unwrap()).len();
            }
            let mg = t.elapsed().as_secs_f64();
            assert_eq!(rows, rows2);
            if round == 1 {
                println!(
                    "scan {name:>6} ({len} rows): iterator {:.0} ns/row, ALEX+multiget {:.0} ns/row",
                    it * 1e9 / rows as f64,
                    mg * 1e9 / rows as f64
                );
            }
        }
    }
}

fn measure_instrumentation_cost() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    db.load((0..ROWS).map(|i| (i, value(i)))).unwrap();
    // Hot set that fits the value cache: the cheapest path, so the worst relative cost.
    let hot: Vec<i64> = (0..50_000).map(|i| scrambled(i) % ROWS).collect();
    let cold: Vec<i64> = (0..200_000).map(|i| scrambled(i + 7) % ROWS).collect();
    for k in &hot {
        db.get(*k).unwrap();
    }
    let mut window = alexdb::metrics::MetricsWindow::new();
    let mut run = |label: &str, keys: &[i64], reps: usize| {
        let _ = db.metrics_window(&mut window);
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let mut sum = 0usize;
            for _ in 0..reps {
                for &k in keys {
                    sum += db.get(k).unwrap().map_or(0, |v| v.len());
                }
            }
            black_box(sum);
            best = best.min(t.elapsed().as_secs_f64() * 1e9 / (reps * keys.len()) as f64);
        }
        let w = db.metrics_window(&mut window);
        println!(
            "  {label:<44} {best:.0} ns/get (value cache hit rate {:.1}%)",
            w.cache.hit_rate * 100.0
        );
    };
    let configs = [
        ("timing off", false, 1),
        ("1 in 1", true, 1),
        ("1 in 8", true, 8),
        ("1 in 16", true, 16),
        ("1 in 64", true, 64),
        ("timing off again", false, 1),
    ];
    // Hot runs first (the cold runs would evict the hot set), then cold runs.
    for (keys, label, reps) in [
        (&hot, "cache hits", 20),
        (&cold, "cache misses (block cache)", 1),
    ] {
        for (name, on, rate) in configs {
            db.set_metrics_enabled(on);
            db.set_metrics_sample_rate(rate).unwrap();
            run(&format!("{label}, {name}"), keys, reps);
        }
    }
    let s = db.metrics_snapshot();
    println!(
        "split: cache {:.1}% alex {:.1}% rocksdb {:.1}% rest {:.1}%",
        s.get_split.cache_pct, s.get_split.alex_pct, s.get_split.rocksdb_pct, s.get_split.rest_pct
    );
    let t = Instant::now();
    for _ in 0..100 {
        black_box(db.metrics_snapshot());
    }
    println!(
        "metrics_snapshot: {:.0} us",
        t.elapsed().as_secs_f64() * 1e6 / 100.0
    );
}

fn measure_timing_primitives() {
    use alexdb::metrics::{Counter, GetTiming, Metrics, OpKind, clock};
    let m = Metrics::new(true, 1);
    let n = 2_000_000u64;
    let t = Instant::now();
    for _ in 0..n {
        let mut g = GetTiming::start();
        g.cache();
        g.finish(&m);
    }
    println!(
        "GetTiming start+cache+finish: {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let t = Instant::now();
    for i in 0..n {
        m.record(OpKind::Put, 100 + (i & 1023));
    }
    println!("record: {:.1} ns", t.elapsed().as_nanos() as f64 / n as f64);
    let t = Instant::now();
    for _ in 0..n {
        m.incr(Counter::AlexFound);
    }
    println!("incr: {:.1} ns", t.elapsed().as_nanos() as f64 / n as f64);
    let t = Instant::now();
    let mut k = 0u64;
    for _ in 0..n {
        k += u64::from(black_box(m.sample()));
    }
    println!(
        "sample(): {:.1} ns ({k})",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n {
        black_box(Instant::now());
    }
    println!(
        "Instant::now: {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n {
        black_box(clock::now());
    }
    println!(
        "clock::now: {:.1} ns",
        t.elapsed().as_nanos() as f64 / n as f64
    );
    println!("ns per tick: {:.4}", clock::ns_per_tick());
}

/// Stored values end to end, and where each starts (the last entry is the end).
struct Arena {
    bytes: Vec<u8>,
    starts: Vec<usize>,
}

/// Compresses `n` dataset values of `size` bytes into an arena; returns it and the mean
/// ns per compress (values are generated outside the timed part, 4,096 at a time).
fn compress_all(codec: &Codec, n: i64, size: usize) -> (Arena, f64) {
    let mut arena = Arena {
        bytes: Vec::new(),
        starts: vec![0],
    };
    let mut ns = 0u128;
    for chunk in (0..n).collect::<Vec<_>>().chunks(4096) {
        let raw: Vec<Vec<u8>> = chunk
            .iter()
            .map(|&k| value_for(k, size, DEFAULT_SEED))
            .collect();
        let t = Instant::now();
        for v in &raw {
            codec.compress(v, &mut arena.bytes);
            arena.starts.push(arena.bytes.len());
        }
        ns += t.elapsed().as_nanos();
    }
    (arena, ns as f64 / n as f64)
}

/// ns per decompress, p50 and p99 over batches of 64 values visited in scattered order
/// (a batch's mean: one decompress is too short to time alone).
fn decompress_ns(codec: &Codec, arena: &Arena, size: usize) -> (f64, f64) {
    const BATCH: usize = 64;
    let n = arena.starts.len() - 1;
    let order: Vec<usize> = (0..n).map(|i| (i * 7_919 + 13) % n).collect();
    let mut per_op: Vec<f64> = Vec::with_capacity(n / BATCH + 1);
    for batch in order.chunks(BATCH) {
        let t = Instant::now();
        for &i in batch {
            let stored = &arena.bytes[arena.starts[i]..arena.starts[i + 1]];
            black_box(codec.decompress(stored, size).expect("round trip"));
        }
        per_op.push(t.elapsed().as_nanos() as f64 / batch.len() as f64);
    }
    per_op.sort_by(f64::total_cmp);
    let at = |q: f64| per_op[((per_op.len() - 1) as f64 * q) as usize];
    (at(0.5), at(0.99))
}

/// Bytes stored per value and ns per compress and per decompress for each cache codec,
/// over dataset values of 100 and 400 bytes; zstd-dict trains on a sample as the Db does.
fn measure_value_codecs() {
    let n: i64 = std::env::var("MEASURE_CODEC_VALUES").map_or(1_000_000, |v| v.parse().unwrap());
    println!(
        "{:>5} {:>9} {:>9} {:>11} {:>9} {:>9} {:>10} {:>8}",
        "size", "codec", "stored B", "compress ns", "dec p50", "dec p99", "dict B", "train ms"
    );
    for size in [100, 400] {
        for kind in [CodecKind::None, CodecKind::Lz4, CodecKind::ZstdDict] {
            let t = Instant::now();
            let samples = sample_values((0..n).map(|k| value_for(k, size, DEFAULT_SEED)), n as u64);
            let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
            let codec = Codec::build(kind, &refs).unwrap();
            let train_ms = t.elapsed().as_secs_f64() * 1e3;
            let (arena, compress) = compress_all(&codec, n, size);
            let (p50, p99) = decompress_ns(&codec, &arena, size);
            println!(
                "{size:>5} {:>9} {:>9.2} {compress:>11.1} {p50:>9.1} {p99:>9.1} {:>10} {train_ms:>8.1}",
                kind.as_str(),
                arena.bytes.len() as f64 / n as f64,
                codec.dictionary_bytes(),
            );
        }
    }
}

/// Every measurement by the name given on the command line.
const MEASUREMENTS: [(&str, fn()); 6] = [
    (
        "bulk_load_methods_and_reopen",
        measure_bulk_load_methods_and_reopen,
    ),
    ("reopen_at_scale", measure_reopen_at_scale),
    (
        "scan_iterator_vs_multiget",
        measure_scan_iterator_vs_multiget,
    ),
    ("instrumentation_cost", measure_instrumentation_cost),
    ("timing_primitives", measure_timing_primitives),
    ("value_codecs", measure_value_codecs),
];

fn main() -> std::process::ExitCode {
    // `cargo bench` passes flags such as `--bench`; the rest are measurement names.
    let names: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let known: Vec<&str> = MEASUREMENTS.iter().map(|(n, _)| *n).collect();
    if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
        eprintln!(
            "unknown measurement {bad:?}; the measurements are: {}",
            known.join(", ")
        );
        return std::process::ExitCode::from(2);
    }
    for (name, run) in MEASUREMENTS {
        if names.is_empty() || names.iter().any(|n| n == name) {
            println!("== {name}");
            run();
        }
    }
    std::process::ExitCode::SUCCESS
}
