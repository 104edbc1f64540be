//! Measurements behind the engine's design choices. They print numbers and assert
//! nothing about speed, so they are not tests. Run one (or all, without a name) with
//! `cargo bench --bench engine_measure -- NAME`; names: bulk_load_methods_and_reopen,
//! reopen_at_scale, scan_iterator_vs_multiget, instrumentation_cost, timing_primitives,
//! value_codecs, cache_directory, mrc_cost.
//! Environment: MEASURE_BOTTOMMOST (bottommost compression for the load measurement),
//! MEASURE_ROWS (reopen_at_scale, cache_directory), MEASURE_ORDER=sorted (reopen_at_scale),
//! MEASURE_CODEC_VALUES (values per size for value_codecs, default 1,000,000).
use std::hint::black_box;
use std::time::Instant;

use alex::AlexIndex;
use engine::codec::{Codec, CodecKind, sample_values};
use engine::{BulkLoadMethod, Db, DbOptions};
use workload::dataset::{DEFAULT_SEED, value_for};

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
    let mut window = engine::metrics::MetricsWindow::new();
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
    use engine::metrics::{Counter, GetTiming, Metrics, OpKind, clock};
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

// ---- cache directory: ALEX handle vs open-addressing table (issue 13) -----------------

/// Empty handle or table slot (offset 0 is a real record).
const NO_RECORD: u32 = u32::MAX;
/// Load factor of the open-addressing table.
const TABLE_LOAD: f64 = 0.85;
const FIB: u64 = 0x9E37_79B9_7F4A_7C15;

fn put_varint(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        let b = bytes[*pos];
        *pos += 1;
        v |= usize::from(b & 0x7F) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// Cached records in one buffer, laid out like the compact cache's shard arenas: key
/// (8 bytes), varint raw length, varint stored length, stored bytes (uncompressed here).
#[derive(Default)]
struct RecordArena {
    bytes: Vec<u8>,
    /// Bytes spent on keys and lengths rather than values.
    header_bytes: usize,
}

impl RecordArena {
    fn push(&mut self, key: i64, value: &[u8]) -> u32 {
        let off = u32::try_from(self.bytes.len()).expect("arena beyond 4 GiB");
        let start = self.bytes.len();
        self.bytes.extend_from_slice(&key.to_le_bytes());
        put_varint(&mut self.bytes, value.len());
        put_varint(&mut self.bytes, value.len());
        self.header_bytes += self.bytes.len() - start;
        self.bytes.extend_from_slice(value);
        off
    }

    #[inline]
    fn key_at(&self, off: u32) -> i64 {
        let o = off as usize;
        i64::from_le_bytes(self.bytes[o..o + 8].try_into().unwrap())
    }

    /// The value of the record at `off` if it belongs to `key`, copied out as a hit is.
    #[inline]
    fn read(&self, off: u32, key: i64) -> Option<engine::Value> {
        if off == NO_RECORD || self.key_at(off) != key {
            return None;
        }
        let mut pos = off as usize + 8;
        let _raw = get_varint(&self.bytes, &mut pos);
        let stored = get_varint(&self.bytes, &mut pos);
        Some(std::sync::Arc::from(&self.bytes[pos..pos + stored]))
    }
}

/// Variant A: ALEX finds the key's global slot; a handle per slot points at the record.
struct HandleDir {
    index: AlexIndex,
    handles: Vec<u32>,
}

impl HandleDir {
    fn build(index: AlexIndex, keys: &[i64], offsets: &[u32]) -> Self {
        let mut handles = vec![NO_RECORD; index.slot_count() as usize];
        for (&k, &off) in keys.iter().zip(offsets) {
            let slot = index.slot_of(k).expect("every loaded key has a slot");
            handles[slot as usize] = off;
        }
        HandleDir { index, handles }
    }

    #[inline]
    fn get(&self, arena: &RecordArena, key: i64) -> Option<engine::Value> {
        let slot = self.index.slot_of(key)?;
        arena.read(self.handles[slot as usize], key)
    }
}

/// Variant B: open addressing over record offsets, linear probing, Fibonacci hash mapped
/// onto a table of any size (so the load is exactly TABLE_LOAD).
struct HashDir {
    slots: Vec<u32>,
}

impl HashDir {
    fn build(arena: &RecordArena, offsets: &[u32]) -> Self {
        let cap = ((offsets.len() as f64 / TABLE_LOAD).ceil() as usize).max(1);
        let mut dir = HashDir {
            slots: vec![NO_RECORD; cap],
        };
        for &off in offsets {
            let mut i = dir.home(arena.key_at(off));
            while dir.slots[i] != NO_RECORD {
                i = if i + 1 == cap { 0 } else { i + 1 };
            }
            dir.slots[i] = off;
        }
        dir
    }

    #[inline]
    fn home(&self, key: i64) -> usize {
        let h = (key as u64).wrapping_mul(FIB);
        ((u128::from(h) * self.slots.len() as u128) >> 64) as usize
    }

    /// Slots probed to find `key` (comparing keys in the arena), and its record.
    #[inline]
    fn probe(&self, arena: &RecordArena, key: i64) -> (usize, u32) {
        let mut i = self.home(key);
        let mut probes = 1;
        loop {
            let off = self.slots[i];
            if off == NO_RECORD || arena.key_at(off) == key {
                return (probes, off);
            }
            probes += 1;
            i = if i + 1 == self.slots.len() { 0 } else { i + 1 };
        }
    }

    #[inline]
    fn get(&self, arena: &RecordArena, key: i64) -> Option<engine::Value> {
        arena.read(self.probe(arena, key).1, key)
    }
}

/// Variant C: the engine's own value cache, holding every key. (The one place to adapt
/// when the cache's constructor changes.) Capacity is split evenly over shards that keys
/// hash onto unevenly, so it gets room to spare: no shard may evict.
fn engine_cache(keys: &[i64]) -> engine::cache::ValueCache {
    let opts = DbOptions::default();
    let shards = opts.value_cache_shards;
    let bytes = keys.len() * (VALUE + 60);
    let cache =
        engine::cache::ValueCache::new(bytes, keys.len() * 2, shards, opts.value_cache_policy);
    for &k in keys {
        cache.fill(k, std::sync::Arc::from(&value(k)[..]), || true);
    }
    cache
}

/// Resident set size now, from /proc (0 where there is none). Freed memory is handed
/// back first, or a structure built where an earlier one was freed would seem to cost
/// nothing.
fn rss_bytes() -> u64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// Query keys: uniform or zipfian 0.99 (ranks hashed onto the keys, as YCSB scrambles
/// them), from a fixed seed.
fn directory_queries(keys: &[i64], zipfian: bool, count: usize) -> Vec<i64> {
    use rand::{Rng, SeedableRng};
    use rand_distr::Distribution;
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let n = keys.len();
    let zipf = rand_distr::Zipf::new(n as f64, 0.99).expect("n >= 1 and theta > 0");
    (0..count)
        .map(|_| {
            let i = if zipfian {
                let rank = zipf.sample(&mut rng) as u64;
                (rank.wrapping_mul(FIB) >> 1) as usize % n
            } else {
                rng.random_range(0..n)
            };
            keys[i]
        })
        .collect()
}

/// p50 of one-by-one timed hits (timer cost subtracted) and mean of an untimed batch, in
/// ns. `hit` returns the value's length; a miss (0) panics: every key is cached.
fn time_hits(queries: &[i64], hit: impl Fn(i64) -> usize) -> (f64, f64) {
    use engine::metrics::clock;
    let check = |k: i64| match hit(k) {
        0 => panic!("key {k} missed"),
        len => len,
    };
    let t = clock::now();
    for _ in 0..1000 {
        black_box(clock::now());
    }
    let timer = (clock::now() - t) as f64 / 1000.0;
    let mut ticks: Vec<f64> = queries
        .iter()
        .map(|&k| {
            let t = clock::now();
            black_box(check(k));
            (clock::now() - t) as f64 - timer
        })
        .collect();
    ticks.sort_by(f64::total_cmp);
    let p50 = ticks[ticks.len() / 2] * clock::ns_per_tick();
    let t = Instant::now();
    let bytes: usize = queries.iter().map(|&k| check(k)).sum();
    black_box(bytes);
    let mean = t.elapsed().as_nanos() as f64 / queries.len() as f64;
    (p50, mean)
}

const MIB: f64 = 1024.0 * 1024.0;
/// Hits timed per variant and distribution.
const DIRECTORY_QUERIES: usize = 2_000_000;

/// Sequential or uniform random keys, sorted. (Not `scrambled`: its keys are multiples
/// of the Fibonacci constant, on which B's multiplicative hash clusters badly.)
fn directory_keys(n: usize, random: bool) -> Vec<i64> {
    use workload::keys::{KeyDist, generate_keys};
    let dist = if random {
        KeyDist::Uniform
    } else {
        KeyDist::Seq
    };
    generate_keys(dist, n, 13)
}

/// One row of the table: variant, distribution, timings, directory bytes per key (by
/// accounting) and measured resident growth per key beyond the values.
fn directory_row(name: &str, dist: &str, (p50, mean): (f64, f64), dir: f64, rss: f64) {
    println!("  {name:<30} {dist:<8} {p50:>7.0} {mean:>8.0} {dir:>10.1} {rss:>10.1}");
}

/// Variants A and B (and the bare ALEX lookup) over one arena; returns the slot count.
fn measure_arena_variants(keys: &[i64], queries: &[(&str, Vec<i64>)]) -> u64 {
    let n = keys.len() as f64;
    let mut arena = RecordArena::default();
    arena.bytes.reserve(keys.len() * (VALUE + 10));
    let offsets: Vec<u32> = keys.iter().map(|&k| arena.push(k, &value(k))).collect();
    let headers = arena.header_bytes as f64 / n;
    let index = AlexIndex::bulk_load(keys).expect("keys are sorted and distinct");
    println!(
        "  ALEX: {:.1} B/key, {} slots for {} keys (held by the engine either way)",
        index.bytes_used() as f64 / n,
        index.slot_count(),
        keys.len()
    );
    let rss0 = rss_bytes();
    let a = HandleDir::build(index, keys, &offsets);
    let rss_a = rss_bytes().saturating_sub(rss0) as f64 / n + headers;
    let rss0 = rss_bytes();
    let b = HashDir::build(&arena, &offsets);
    let rss_b = rss_bytes().saturating_sub(rss0) as f64 / n + headers;
    let dir_a = a.handles.len() as f64 * 4.0 / n + headers;
    let dir_b = b.slots.len() as f64 * 4.0 / n + headers;
    for (dist, q) in queries {
        for &k in q.iter().take(10_000) {
            let want = value(k);
            assert_eq!(a.get(&arena, k).as_deref(), Some(&want[..]), "A, key {k}");
            assert_eq!(b.get(&arena, k).as_deref(), Some(&want[..]), "B, key {k}");
        }
        let alex = time_hits(q, |k| a.index.slot_of(k).map_or(0, |_| 1));
        directory_row("ALEX slot_of alone (reference)", dist, alex, 0.0, 0.0);
        let t = time_hits(q, |k| a.get(&arena, k).map_or(0, |v| v.len()));
        directory_row("A: ALEX handle", dist, t, dir_a, rss_a);
        let t = time_hits(q, |k| b.get(&arena, k).map_or(0, |v| v.len()));
        directory_row("B: hash table", dist, t, dir_b, rss_b);
        let probes: usize = q.iter().map(|&k| b.probe(&arena, k).0).sum();
        println!(
            "  (B: {:.2} slots probed per hit)",
            probes as f64 / q.len() as f64
        );
    }
    a.index.slot_count()
}

/// Variant C, the engine's value cache filled with every key.
fn measure_engine_cache(keys: &[i64], queries: &[(&str, Vec<i64>)]) {
    let n = keys.len() as f64;
    let rss0 = rss_bytes();
    let cache = engine_cache(keys);
    let rss = rss_bytes().saturating_sub(rss0) as f64 / n - VALUE as f64;
    let c = cache.counters();
    assert_eq!(c.entries, keys.len() as u64, "the cache holds every key");
    let dir = (c.bytes as f64 - n * VALUE as f64) / n;
    for (dist, q) in queries {
        for &k in q.iter().take(10_000) {
            assert_eq!(cache.get(k).as_deref(), Some(&value(k)[..]), "C, key {k}");
        }
        let t = time_hits(q, |k| cache.get(k).map_or(0, |v| v.len()));
        directory_row("C: engine ValueCache", dist, t, dir, rss);
    }
}

/// What A's handle array would buy B instead: A pays 4 B per ALEX slot however few keys
/// are cached, B pays 4 B / load per cached key.
fn print_equal_memory(n: usize, slots: u64) {
    let a_dir = 4.0 * slots as f64;
    let b_entry = 4.0 / TABLE_LOAD;
    let record = (VALUE + 10) as f64 + b_entry;
    println!(
        "  equal memory: A's handles take {:.1} MiB for {n} keys, whatever share is cached",
        a_dir / MIB
    );
    for share in [1.0, 0.5, 0.16] {
        let b_dir = n as f64 * share * b_entry;
        let extra = (a_dir - b_dir) / record;
        println!(
            "    cache holding {:>3.0}% of keys: B's table {:>6.1} MiB; in A's bytes B holds {extra:+.0} values ({:+.1}% of those cached)",
            share * 100.0,
            b_dir / MIB,
            extra * 100.0 / (n as f64 * share)
        );
    }
}

fn measure_cache_directory_at(n: usize, random: bool) {
    let keys = directory_keys(n, random);
    let order = if random { "random" } else { "sequential" };
    println!("-- {n} {order} keys, {VALUE}-B values, every key cached");
    let queries = [
        (
            "uniform",
            directory_queries(&keys, false, DIRECTORY_QUERIES),
        ),
        ("zipfian", directory_queries(&keys, true, DIRECTORY_QUERIES)),
    ];
    println!(
        "  {:<30} {:<8} {:>7} {:>8} {:>10} {:>10}",
        "variant", "dist", "p50 ns", "mean ns", "dir B/key", "rss B/key"
    );
    let slots = measure_arena_variants(&keys, &queries);
    measure_engine_cache(&keys, &queries);
    print_equal_memory(n, slots);
}

/// Issue 13: a cache directory carried by ALEX (a handle per slot) against a compact
/// open-addressing table and the engine's value cache. MEASURE_ROWS picks one size.
fn measure_cache_directory() {
    // Ticks become nanoseconds over the whole run, not over a short window at the end.
    engine::metrics::clock::init();
    let sizes = match std::env::var("MEASURE_ROWS") {
        Ok(v) => vec![v.parse().expect("MEASURE_ROWS is a number")],
        Err(_) => vec![1_000_000, 10_000_000],
    };
    println!(
        "p50: hits timed one by one (timer cost subtracted); mean: an untimed batch of independent hits."
    );
    println!(
        "dir B/key: directory + record headers per key by accounting (C: the cache's own count); rss B/key: resident growth per key beyond the values."
    );
    println!(
        "Note: A's time includes the ALEX lookup; B's and C's do not. In the engine a hit does no ALEX lookup today (the cache is consulted first), so only A makes a hit pay for ALEX."
    );
    for n in sizes {
        for random in [false, true] {
            measure_cache_directory_at(n, random);
        }
    }
}

/// The miss-ratio curve's cost (issue 14): its unsampled path (a hash and a compare)
/// and its sampled path alone, and whole gets that hit the value cache with
/// `value_cache_mrc` on and off (the cheapest get, so the largest relative cost).
fn measure_mrc_cost() {
    use engine::mrc::{MrcSampler, START_RATE, key_hash};
    let limit = (START_RATE * 2f64.powi(64)) as u64;
    let keys: Vec<i64> = (0..4_000_000).map(scrambled).collect();
    let (sampled, unsampled): (Vec<i64>, Vec<i64>) =
        keys.iter().partition(|&&k| key_hash(k) < limit);
    let per_call = |label: &str, ks: &[i64], reps: usize| {
        let m = MrcSampler::new(true);
        let t = Instant::now();
        for _ in 0..reps {
            ks.iter().for_each(|&k| m.observe(black_box(k), true, || 0));
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / (reps * ks.len()) as f64;
        println!("  {label:<44} {ns:.2} ns/get");
        ns
    };
    let cheap = per_call("observe, unsampled key", &unsampled, 5);
    let dear = per_call("observe, sampled key", &sampled, 5);
    println!(
        "  amortised at 1 in {:.0} keys: {:.2} ns/get",
        1.0 / START_RATE,
        cheap + dear * START_RATE
    );
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    db.load((0..ROWS).map(|i| (i, value(i)))).unwrap();
    let hot: Vec<i64> = (0..50_000).map(|i| scrambled(i) % ROWS).collect();
    hot.iter().for_each(|&k| drop(db.get(k)));
    let mut best = [f64::MAX; 2];
    // Interleaved, best of 5 each, so drift in the machine hits both alike.
    for _ in 0..5 {
        for (i, on) in ["off", "on"].iter().enumerate() {
            db.set_option("value_cache_mrc", on).unwrap();
            let t = Instant::now();
            let mut sum = 0usize;
            for _ in 0..20 {
                for &k in &hot {
                    sum += db.get(k).unwrap().map_or(0, |v| v.len());
                }
            }
            black_box(sum);
            best[i] = best[i].min(t.elapsed().as_secs_f64() * 1e9 / (20 * hot.len()) as f64);
        }
    }
    println!(
        "  cache-hit get: mrc off {:.1} ns, on {:.1} ns ({:+.1}%); unsampled path {:.1}% of a get",
        best[0],
        best[1],
        (best[1] - best[0]) / best[0] * 100.0,
        cheap / best[0] * 100.0
    );
}

/// Every measurement by the name given on the command line.
const MEASUREMENTS: [(&str, fn()); 8] = [
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
    ("cache_directory", measure_cache_directory),
    ("mrc_cost", measure_mrc_cost),
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
