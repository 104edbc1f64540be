//! alexdb against SQLite (the original plan's `benchmark_vs_sqlite`): insert throughput and
//! point-query latency on the same keys and values with the same memory budget.
use std::path::PathBuf;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution as _, Zipf};
use serde::Serialize;

use super::engines::{AlexEngine, BudgetParts, Engine, SqliteEngine};
use super::fair::{CacheUse, Lz4Ratio, ValueKind, WarmMode, bench_value, lz4_ratio};
use super::latency::Latencies;
use super::{Cancelled, Progress};
use engine::DbOptions;
use engine::metrics::MetricsWindow;
use engine::profiles::AppliedProfile;
use workload::keys::{KeyDist, generate_keys, shuffled};
use workload::ycsb::ZIPFIAN_THETA;

/// Key order of the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyOrder {
    /// 0, 1, 2, ... inserted in order.
    #[default]
    Sequential,
    /// Distinct uniform i64 keys inserted in random order.
    Random,
}

impl KeyOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOrder::Sequential => "sequential",
            KeyOrder::Random => "random",
        }
    }
}

impl std::str::FromStr for KeyOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sequential" | "seq" => Ok(KeyOrder::Sequential),
            "random" | "uniform" => Ok(KeyOrder::Random),
            _ => Err("expected sequential or random".into()),
        }
    }
}

/// Which keys the timed queries ask for (`--mix`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryMix {
    /// Loaded keys, uniformly (with replacement).
    #[default]
    Hits,
    /// Keys that are not loaded, from the gaps between the loaded ones: alexdb's ALEX
    /// answers them without a RocksDB call.
    Absent,
    /// Loaded keys, zipfian (YCSB's theta 0.99), ranks hashed so hot keys are spread.
    Zipf,
}

impl QueryMix {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryMix::Hits => "hits",
            QueryMix::Absent => "absent",
            QueryMix::Zipf => "zipf",
        }
    }
}

impl std::str::FromStr for QueryMix {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hits" | "hit" => Ok(QueryMix::Hits),
            "absent" | "miss" | "misses" => Ok(QueryMix::Absent),
            "zipf" | "zipfian" => Ok(QueryMix::Zipf),
            _ => Err("expected hits, absent or zipf".into()),
        }
    }
}

/// The benchmark's keys: their order and which of them (or of the gaps between them)
/// the timed queries ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BenchKeys {
    pub order: KeyOrder,
    pub mix: QueryMix,
}

impl From<KeyOrder> for BenchKeys {
    fn from(order: KeyOrder) -> Self {
        BenchKeys {
            order,
            mix: QueryMix::Hits,
        }
    }
}

/// The loaded keys in insertion order for a mix. Only `--mix absent` with sequential
/// keys differs from [`bench_keys`]: it loads 0, 2, 4, ... (still `rows` keys in
/// ascending order) so that the absent keys, the odd ones, lie between loaded keys.
pub fn mix_keys(keys: BenchKeys, rows: u64, seed: u64) -> Vec<i64> {
    match (keys.order, keys.mix) {
        (KeyOrder::Sequential, QueryMix::Absent) => (0..rows as i64).map(|k| k * 2).collect(),
        (order, _) => bench_keys(order, rows, seed),
    }
}

/// Where a mix's queries come from, for the reports.
pub fn mix_note(keys: BenchKeys, sorted: &[i64]) -> String {
    match keys.mix {
        QueryMix::Hits => "hits (loaded keys, uniform)".into(),
        QueryMix::Zipf => format!(
            "zipf (loaded keys, zipfian theta {ZIPFIAN_THETA}, ranks hashed so hot keys are spread)"
        ),
        QueryMix::Absent if has_gaps(sorted) => match keys.order {
            KeyOrder::Sequential => "absent (sequential keys loaded with step 2: 0, 2, 4, ...; \
                 queries ask for the odd keys between them, uniform; every query misses)"
                .into(),
            KeyOrder::Random => "absent (uniform over the loaded keys' range, loaded keys \
                 rejected; every query misses)"
                .into(),
        },
        QueryMix::Absent => "absent (the loaded keys have no gaps: queries ask for keys just \
             below and above them, uniform; every query misses)"
            .into(),
    }
}

/// Whether enough of `[min, max]` is free of loaded keys to draw absent keys from it
/// (at least a quarter; `sorted` holds distinct keys in order).
fn has_gaps(sorted: &[i64]) -> bool {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return false;
    };
    let span = hi as i128 - lo as i128 + 1;
    let free = span - sorted.len() as i128;
    free > 0 && free * 4 >= span
}

/// `n` query keys of `mix`, drawn with `seed`: `keys` in insertion order (hits draw
/// from them as before `--mix` existed), `sorted` the same keys in key order.
pub fn mix_probes(mix: QueryMix, keys: &[i64], sorted: &[i64], n: u64, seed: u64) -> Vec<i64> {
    match mix {
        QueryMix::Hits => probes(keys, n, seed),
        QueryMix::Absent => absent_probes(sorted, n, seed),
        QueryMix::Zipf => zipf_probes(sorted, n, seed),
    }
}

/// Keys not in `sorted`: uniform over `[min, max]` with loaded keys rejected when the
/// loaded keys leave gaps there, else uniform over the `len` keys just below `min` and
/// the `len` just above `max`.
pub fn absent_probes(sorted: &[i64], n: u64, seed: u64) -> Vec<i64> {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let mut rng = StdRng::seed_from_u64(seed);
    if has_gaps(sorted) {
        let mut out = Vec::with_capacity(n as usize);
        while (out.len() as u64) < n {
            let k = rng.random_range(lo..=hi);
            if sorted.binary_search(&k).is_err() {
                out.push(k);
            }
        }
        return out;
    }
    // No gaps (dense keys): just outside them, on both sides where i64 has room.
    let len = sorted.len() as i128;
    let below = (lo as i128 - i64::MIN as i128).min(len);
    let above = (i64::MAX as i128 - hi as i128).min(len);
    if below + above == 0 {
        return Vec::new();
    }
    (0..n)
        .map(|_| {
            let i = rng.random_range(0..below + above);
            if i < below {
                (lo as i128 - 1 - i) as i64
            } else {
                (hi as i128 + 1 + (i - below)) as i64
            }
        })
        .collect()
}

/// Hashes a zipf rank onto a position, so the hottest ranks land all over the keys.
fn spread(rank: u64) -> u64 {
    let mut x = rank.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    x ^= x >> 32;
    x = x.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    x ^ (x >> 29)
}

/// Loaded keys drawn zipfian (theta 0.99): rank 1 the hottest, each rank hashed onto a
/// key of `sorted`.
pub fn zipf_probes(sorted: &[i64], n: u64, seed: u64) -> Vec<i64> {
    let len = sorted.len() as u64;
    let Ok(z) = Zipf::new(len.max(1) as f64, ZIPFIAN_THETA) else {
        return Vec::new();
    };
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let rank = z.sample(&mut rng) as u64;
            sorted[(spread(rank) % len) as usize]
        })
        .collect()
}

/// How many distinct keys `queries` asks for.
pub fn distinct_keys(queries: &[i64]) -> u64 {
    let mut k = queries.to_vec();
    k.sort_unstable();
    k.dedup();
    k.len() as u64
}

/// The benchmark's keys in insertion order.
pub fn bench_keys(order: KeyOrder, rows: u64, seed: u64) -> Vec<i64> {
    match order {
        KeyOrder::Sequential => (0..rows as i64).collect(),
        KeyOrder::Random => shuffled(&generate_keys(KeyDist::Uniform, rows as usize, seed), seed),
    }
}

#[derive(Debug, Clone)]
pub struct VsSqliteConfig {
    pub rows: u64,
    /// Key order and query mix (`--keys`, `--mix`).
    pub keys: BenchKeys,
    pub queries: u64,
    pub value_size: usize,
    pub inserts_only: bool,
    pub seed: u64,
    pub opts: DbOptions,
    /// Where the temporary databases go (default: the system temp directory).
    pub dir: Option<PathBuf>,
    /// The profile `opts` started from (`--profile`), for the report.
    pub profile: Option<AppliedProfile>,
    /// How every engine is warmed before it is timed (`--warm`).
    pub warm: WarmMode,
    /// Which values are loaded (`--values`).
    pub values: ValueKind,
    /// sqlite-mmap maps its whole file, outside the budget (`--mmap-whole-file`).
    pub mmap_whole_file: bool,
}

impl Default for VsSqliteConfig {
    fn default() -> Self {
        VsSqliteConfig {
            rows: 1_000_000,
            keys: KeyOrder::Sequential.into(),
            queries: 100_000,
            value_size: 100,
            inserts_only: false,
            seed: 42,
            opts: DbOptions::default(),
            dir: None,
            profile: None,
            warm: WarmMode::Full,
            values: ValueKind::Text,
            mmap_whole_file: false,
        }
    }
}

/// Average nanoseconds per get in each layer (timed gets only).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Split {
    pub cache_ns: f64,
    pub alex_ns: f64,
    pub rocksdb_ns: f64,
    pub other_ns: f64,
    /// How many gets were timed layer by layer (1 in `metrics_sample_rate`).
    pub timed_gets: u64,
}

/// Results of one engine.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EngineResult {
    pub insert_rows_per_s: f64,
    pub insert_secs: f64,
    pub query_mean_ns: f64,
    pub query_p50_ns: u64,
    pub query_p99_ns: u64,
    pub query_p999_ns: u64,
    pub found: u64,
    pub checksum: u64,
    pub settings: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_hit_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
    /// alexdb: the shares of its timed gets' time (sampled, see `split_samples`) in the
    /// value cache, ALEX, RocksDB and the rest; they add up to 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_cache_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_alex_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_rocksdb_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_other_pct: Option<f64>,
    /// alexdb: how many timed gets were timed layer by layer for the split.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_samples: Option<u64>,
    /// alexdb: 1 in this many gets was timed layer by layer (`metrics_sample_rate`,
    /// lowered for the run when the queries would give fewer than
    /// [`MIN_SPLIT_SAMPLES`] samples).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_sample_rate: Option<u32>,
    /// alexdb: gets that ALEX answered "absent" and that reached RocksDB, in the timed
    /// phase (under `--mix absent` the first is every miss of the value cache and the
    /// second must stay 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alex_absent: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rocksdb_reads: Option<u64>,
    /// Which keys the timed queries asked for (`hits`, `absent`, `zipf`).
    pub mix: String,
    /// This engine's share of the budget, read back from it (see `Engine::memory_bytes`).
    pub memory_bytes: u64,
    /// sqlite-mmap: the `mmap_size` in effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmap_bytes: Option<u64>,
    /// sqlite-mmap: the map is the whole file, outside the budget (`--mmap-whole-file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmap_outside_budget: Option<bool>,
    /// How this engine was warmed (`full`, `probes N`, `none`).
    pub warm: String,
    /// Its cache's hit rate during the timed queries (SQLite's page cache, RocksDB's
    /// block cache, alexdb's value cache); null when nothing went through a cache
    /// (sqlite-mmap reads mapped pages outside its page cache).
    pub hit_rate: Option<f64>,
    /// The hits and misses behind `hit_rate`.
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// alexdb: its block cache's hit rate (data blocks) during the timed queries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_cache_hit_rate: Option<f64>,
    /// Bytes it held in process memory at the end of the timed queries (SQLite's page
    /// cache in use, RocksDB's block cache usage, what alexdb holds).
    pub memory_used_bytes: u64,
    /// The timed queries' latency CDF (`Latencies::cdf`) for `--plot`; not in the JSON.
    #[serde(skip)]
    pub latency_cdf: Vec<(f64, f64)>,
}

/// alexdb against one peer: the peer's mean query time / alexdb's, alexdb's insert rate /
/// the peer's.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Speedups {
    pub speedup_query: f64,
    pub speedup_insert: f64,
}

impl Speedups {
    fn of(a: &EngineResult, peer: &EngineResult) -> Speedups {
        Speedups {
            speedup_query: if a.query_mean_ns > 0.0 {
                peer.query_mean_ns / a.query_mean_ns
            } else {
                0.0
            },
            speedup_insert: a.insert_rows_per_s / peer.insert_rows_per_s.max(1e-9),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VsSqliteReport {
    pub bench: &'static str,
    pub rows: u64,
    pub keys: KeyOrder,
    pub queries: u64,
    pub warmup_queries: u64,
    /// Which keys the timed queries ask for (`--mix`): hits, absent or zipf.
    pub mix: QueryMix,
    /// Where the mix's keys come from.
    pub mix_note: String,
    /// Distinct keys among the timed queries.
    pub distinct_query_keys: u64,
    pub value_size: usize,
    pub budget_bytes: usize,
    pub seed: u64,
    pub inserts_only: bool,
    /// How every engine was warmed (`full`, `probes N`, `none`).
    pub warm: String,
    /// Which values were loaded (`text` or `random`).
    pub values: ValueKind,
    /// How LZ4 shrinks those values (measured on a sample).
    pub values_lz4: Lz4Ratio,
    /// The budget part by part (`budget_bytes` is their sum).
    pub budget_parts: BudgetParts,
    /// The built-in profile or profile file the options started from.
    pub profile: Option<String>,
    /// Options the profile names that this build does not have (skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profile_skipped: Vec<String>,
    pub alexdb: EngineResult,
    pub sqlite: EngineResult,
    /// SQLite with its whole file memory-mapped.
    pub sqlite_mmap: EngineResult,
    /// SQLite's mean query time / alexdb's (0 with --inserts-only).
    pub speedup_query: f64,
    /// alexdb's insert rate / SQLite's.
    pub speedup_insert: f64,
    /// The same two ratios against sqlite-mmap.
    pub vs_sqlite_mmap: Speedups,
    /// Every engine returned the same values for the same probes.
    pub checksums_equal: bool,
}

/// Probe keys drawn uniformly (with replacement) from `keys`.
pub fn probes(keys: &[i64], n: u64, seed: u64) -> Vec<i64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| keys[rng.random_range(0..keys.len())])
        .collect()
}

/// Warm-up, then timed point queries on one engine: (latencies, found, checksum).
pub fn run_queries(
    engine: &dyn Engine,
    warmup: &[i64],
    timed: &[i64],
    progress: &dyn Progress,
) -> anyhow::Result<(Latencies, u64, u64)> {
    let r = run_queries_warmed(engine, None, warmup, timed, progress, &mut || {})?;
    Ok((r.lat, r.found, r.checksum))
}

/// What [`run_queries_warmed`] measured.
pub struct QueryRun {
    pub lat: Latencies,
    pub found: u64,
    pub checksum: u64,
    /// The worker's cache during the timed queries.
    pub cache: Option<CacheUse>,
}

/// Timed point queries on one worker, warmed first through that same worker: every key
/// of `all_keys` (`--warm full`; key order), then the `warmup` probes. `timing_starts`
/// runs just before the first timed query.
pub fn run_queries_warmed(
    engine: &dyn Engine,
    all_keys: Option<&[i64]>,
    warmup: &[i64],
    timed: &[i64],
    progress: &dyn Progress,
    timing_starts: &mut dyn FnMut(),
) -> anyhow::Result<QueryRun> {
    let mut w = engine.worker()?;
    if let Some(keys) = all_keys {
        std::hint::black_box(w.warm_all(keys)?);
    }
    for &k in warmup {
        std::hint::black_box(w.get(k)?);
    }
    if progress.cancelled() {
        return Err(Cancelled.into());
    }
    timing_starts();
    w.mark_cache()?;
    let mut lat = Latencies::default();
    let (mut found, mut sum) = (0u64, 0u64);
    for (i, &k) in timed.iter().enumerate() {
        if let Some(c) = lat.time(|| w.get(k))? {
            found += 1;
            sum = sum.wrapping_add(c);
        }
        if i % 4096 == 4095 {
            progress.advance(4096);
            if progress.cancelled() {
                return Err(Cancelled.into());
            }
        }
    }
    progress.advance(timed.len() as u64 % 4096);
    let cache = w.cache_use()?;
    Ok(QueryRun {
        lat,
        found,
        checksum: sum,
        cache,
    })
}

/// The keys in key order, for `--warm full` (None for the other modes).
pub fn warm_keys(warm: WarmMode, keys: &[i64]) -> Option<Vec<i64>> {
    (warm == WarmMode::Full).then(|| {
        let mut k = keys.to_vec();
        k.sort_unstable();
        k
    })
}

/// Random probes before the timed phase: `--warm full` the benchmark's own count
/// (`default`), `probes N` N, `none` none.
pub fn warm_probe_count(warm: WarmMode, default: u64) -> u64 {
    match warm {
        WarmMode::Full => default,
        WarmMode::Probes(n) => n,
        WarmMode::None => 0,
    }
}

/// Puts a run's cache figures and warm mode into an engine's result.
fn fill_cache(res: &mut EngineResult, warm: WarmMode, cache: Option<CacheUse>) {
    res.warm = warm.label();
    if let Some(c) = cache {
        res.hit_rate = c.hit_rate();
        res.cache_hits = c.hits;
        res.cache_misses = c.misses;
        res.memory_used_bytes = c.memory_used;
        res.block_cache_hit_rate = c.block_hit_rate();
    }
}

fn fill(res: &mut EngineResult, lat: &Latencies) {
    let s = lat.summary();
    res.latency_cdf = lat.cdf();
    res.query_mean_ns = s.mean_ns;
    res.query_p50_ns = s.p50_ns;
    res.query_p99_ns = s.p99_ns;
    res.query_p999_ns = s.p999_ns;
}

/// Loads `rows` into `engine` with values derived from the keys; returns seconds.
pub fn timed_load(
    engine: &dyn Engine,
    keys: &[i64],
    value_size: usize,
    seed: u64,
    values: ValueKind,
    progress: &dyn Progress,
) -> anyhow::Result<f64> {
    let t0 = Instant::now();
    let mut n = 0u64;
    let mut rows = keys.iter().map_while(|&k| {
        n += 1;
        if n.is_multiple_of(65_536) {
            progress.advance(65_536);
            if progress.cancelled() {
                return None;
            }
        }
        Some((k, bench_value(values, k, value_size, seed)))
    });
    engine.load(&mut rows)?;
    if progress.cancelled() {
        return Err(Cancelled.into());
    }
    Ok(t0.elapsed().as_secs_f64())
}

pub fn run_vs_sqlite(
    cfg: &VsSqliteConfig,
    progress: &dyn Progress,
) -> anyhow::Result<VsSqliteReport> {
    anyhow::ensure!(cfg.rows > 0, "rows must be at least 1");
    let tmp = match &cfg.dir {
        Some(d) => tempfile::tempdir_in(d)?,
        None => tempfile::tempdir()?,
    };
    let keys = mix_keys(cfg.keys, cfg.rows, cfg.seed);
    // alexdb loads first: the peers get what it holds after its load. Its load does not
    // fill its value cache: it is warmed as the others are (`--warm`).
    let mut alex_opts = cfg.opts.clone();
    alex_opts.warm_value_cache = engine::WarmValueCache::Off;
    let mut alex = AlexEngine::open(&tmp.path().join("alexdb"), alex_opts)?;
    let mut a = load_one(&alex, &keys, cfg, progress)?;
    let sorted = {
        let mut k = keys.clone();
        k.sort_unstable();
        k
    };
    progress.phase("filling alexdb's value cache (the budget)", None);
    let parts = alex.held_when_full(&sorted, &cfg.opts)?;
    let budget = parts.total() as usize;
    a.memory_bytes = budget as u64;
    // Timed from empty caches unless every row is read first anyway.
    alex = alex.ready_for(cfg.warm, &parts)?;
    let sqlite = SqliteEngine::create(&tmp.path().join("sqlite"), budget, 1)?;
    let mut s = load_one(&sqlite, &keys, cfg, progress)?;
    let mmap = SqliteEngine::create_mmap(&tmp.path().join("sqlite-mmap"), budget, 1)?
        .map_whole_file(cfg.mmap_whole_file);
    let mut m = adopt_sqlite(&mmap, &sqlite, &s)?;

    let warmup_n = warm_probe_count(cfg.warm, cfg.queries.min(50_000));
    let mix = cfg.keys.mix;
    let note = mix_note(cfg.keys, &sorted);
    let mut equal = true;
    let mut distinct = 0;
    if !cfg.inserts_only && cfg.queries > 0 {
        // The same query sequence for every engine; the warm-up probes follow the mix too.
        let warm = mix_probes(mix, &keys, &sorted, warmup_n, cfg.seed ^ 0x77);
        let timed = mix_probes(mix, &keys, &sorted, cfg.queries, cfg.seed ^ 0x99);
        distinct = distinct_keys(&timed);
        let all = (cfg.warm == WarmMode::Full).then_some(sorted);
        let cache = query_alexdb(&alex, all.as_deref(), &warm, &timed, &mut a, progress)?;
        fill_cache(&mut a, cfg.warm, cache);
        for (engine, res) in [(&sqlite, &mut s), (&mmap, &mut m)] {
            let probes = (all.as_deref(), warm.as_slice(), timed.as_slice());
            query_peer(engine, cfg, probes, res, progress)?;
        }
        equal = [&s, &m]
            .iter()
            .all(|r| r.checksum == a.checksum && r.found == a.found);
        check_found(mix, cfg.queries, [&a, &s, &m])?;
    }
    for r in [&mut a, &mut s, &mut m] {
        r.mix = mix.as_str().to_string();
    }
    let (profile, profile_skipped) = AppliedProfile::report_fields(&cfg.profile);
    Ok(VsSqliteReport {
        bench: "vs-sqlite",
        rows: cfg.rows,
        keys: cfg.keys.order,
        queries: if cfg.inserts_only { 0 } else { cfg.queries },
        warmup_queries: if cfg.inserts_only { 0 } else { warmup_n },
        mix,
        mix_note: note,
        distinct_query_keys: distinct,
        value_size: cfg.value_size,
        budget_bytes: budget,
        seed: cfg.seed,
        inserts_only: cfg.inserts_only,
        warm: cfg.warm.label(),
        values: cfg.values,
        values_lz4: lz4_ratio(cfg.values, cfg.value_size, cfg.seed, 2_000),
        budget_parts: parts,
        profile,
        profile_skipped,
        speedup_query: Speedups::of(&a, &s).speedup_query,
        speedup_insert: Speedups::of(&a, &s).speedup_insert,
        vs_sqlite_mmap: Speedups::of(&a, &m),
        alexdb: a,
        sqlite: s,
        sqlite_mmap: m,
        checksums_equal: equal,
    })
}

/// Runs `engine`'s warm-up and timed queries (`probes`: every key for `--warm full`,
/// the warm-up probes, the timed ones) into `res`.
fn query_peer(
    engine: &SqliteEngine,
    cfg: &VsSqliteConfig,
    (all, warm, timed): (Option<&[i64]>, &[i64], &[i64]),
    res: &mut EngineResult,
    progress: &dyn Progress,
) -> anyhow::Result<()> {
    progress.phase(
        &format!("queries {}", engine.kind().as_str()),
        Some(cfg.queries),
    );
    if cfg.warm == WarmMode::None {
        engine.drop_cold()?;
    }
    let r = run_queries_warmed(engine, all, warm, timed, progress, &mut || {})?;
    fill(res, &r.lat);
    fill_cache(res, cfg.warm, r.cache);
    res.found = r.found;
    res.checksum = r.checksum;
    Ok(())
}

/// Every engine must find what the mix says: all of the queries, or none under absent.
fn check_found(mix: QueryMix, queries: u64, [a, s, m]: [&EngineResult; 3]) -> anyhow::Result<()> {
    let expected = match mix {
        QueryMix::Absent => 0,
        QueryMix::Hits | QueryMix::Zipf => queries,
    };
    anyhow::ensure!(
        [a, s, m].iter().all(|r| r.found == expected),
        "vs-sqlite --mix {}: found alexdb {}, sqlite {}, sqlite-mmap {} of {queries} queries; expected {expected} on every engine",
        mix.as_str(),
        a.found,
        s.found,
        m.found,
    );
    Ok(())
}

/// Loads one engine (timed) and reads back its settings and its share of the budget.
fn load_one(
    engine: &dyn Engine,
    keys: &[i64],
    cfg: &VsSqliteConfig,
    progress: &dyn Progress,
) -> anyhow::Result<EngineResult> {
    progress.phase(
        &format!("loading {}", engine.kind().as_str()),
        Some(cfg.rows),
    );
    let insert_secs = timed_load(engine, keys, cfg.value_size, cfg.seed, cfg.values, progress)?;
    Ok(EngineResult {
        insert_secs,
        insert_rows_per_s: cfg.rows as f64 / insert_secs.max(1e-9),
        settings: engine.settings(),
        memory_bytes: engine.memory_bytes()?,
        mmap_bytes: engine.mmap_bytes()?,
        ..EngineResult::default()
    })
}

/// The sqlite-mmap peer starts from a copy of SQLite's loaded file (the same rows,
/// pages and layout), so its insert figures are SQLite's.
fn adopt_sqlite(
    mmap: &SqliteEngine,
    sqlite: &SqliteEngine,
    loaded: &EngineResult,
) -> anyhow::Result<EngineResult> {
    mmap.adopt_file(sqlite)?;
    Ok(EngineResult {
        insert_secs: loaded.insert_secs,
        insert_rows_per_s: loaded.insert_rows_per_s,
        settings: mmap.settings(),
        memory_bytes: mmap.memory_bytes()?,
        mmap_bytes: mmap.mmap_bytes()?,
        mmap_outside_budget: Some(mmap.mmap_outside_budget()),
        ..EngineResult::default()
    })
}

/// alexdb's timed queries, with its value-cache hit rate and layer split.
fn query_alexdb(
    alex: &AlexEngine,
    all: Option<&[i64]>,
    warm: &[i64],
    timed: &[i64],
    a: &mut EngineResult,
    progress: &dyn Progress,
) -> anyhow::Result<Option<CacheUse>> {
    progress.phase("queries alexdb", Some(timed.len() as u64));
    // Enough gets timed layer by layer for the split to rest on; the rate stays the
    // configured one (1 in 32 by default) whenever the queries give enough samples.
    let configured = alex.db.options().metrics_sample_rate;
    let rate = split_sample_rate(configured, timed.len() as u64);
    if rate != configured {
        alex.db
            .set_option_with("metrics_sample_rate", &rate.to_string(), false)?;
    }
    let mut window = MetricsWindow::new();
    // The window opens when the timed queries start (after the warm-up).
    let r = run_queries_warmed(alex, all, warm, timed, progress, &mut || {
        alex.db.metrics_window(&mut window);
    })?;
    let snap = alex.db.metrics_window(&mut window);
    fill(a, &r.lat);
    a.found = r.found;
    a.checksum = r.checksum;

    let sp = snap.get_split;
    let per = |ns: u64| {
        if sp.sampled_gets == 0 {
            0.0
        } else {
            ns as f64 / sp.sampled_gets as f64
        }
    };
    a.split = Some(Split {
        cache_ns: per(sp.cache_ns),
        alex_ns: per(sp.alex_ns),
        rocksdb_ns: per(sp.rocksdb_ns),
        other_ns: per(sp.rest_ns),
        timed_gets: sp.sampled_gets,
    });
    let sampled = sp.sampled_gets > 0;
    a.split_cache_pct = sampled.then_some(sp.cache_pct);
    a.split_alex_pct = sampled.then_some(sp.alex_pct);
    a.split_rocksdb_pct = sampled.then_some(sp.rocksdb_pct);
    a.split_other_pct = sampled.then_some(sp.rest_pct);
    a.split_samples = Some(sp.sampled_gets);
    a.split_sample_rate = Some(rate);
    a.alex_absent = Some(snap.index.absent);
    a.rocksdb_reads = Some(snap.index.found);
    a.cache_hit_rate = Some(snap.cache.hit_rate);
    Ok(r.cache)
}

/// The fewest gets the layer split should rest on.
pub const MIN_SPLIT_SAMPLES: u64 = 1_000;

/// `metrics_sample_rate` for `queries` timed gets: the configured rate, or a lower one
/// (more gets timed) when that would give fewer than [`MIN_SPLIT_SAMPLES`] samples.
pub fn split_sample_rate(configured: u32, queries: u64) -> u32 {
    let most = (queries / MIN_SPLIT_SAMPLES).clamp(1, u32::MAX as u64) as u32;
    configured.min(most).max(1)
}

impl VsSqliteReport {
    /// The human-readable table (settings printed with the results).
    pub fn to_table(&self) -> String {
        let mut t = String::new();
        self.write_conditions(&mut t);
        self.write_engines(&mut t);
        self.write_alexdb_layers(&mut t);
        t
    }

    /// The run's settings: rows, mix, warm-up, values, budget.
    fn write_conditions(&self, t: &mut String) {
        use std::fmt::Write as _;
        let _ = writeln!(
            t,
            "vs-sqlite: {} rows, {} keys, {} {} queries after {} warm-up, {}-byte values, memory budget {:.1} MiB each, seed {}",
            self.rows,
            self.keys.as_str(),
            self.queries,
            self.mix.as_str(),
            self.warmup_queries,
            self.value_size,
            self.budget_bytes as f64 / (1 << 20) as f64,
            self.seed
        );
        let _ = writeln!(
            t,
            "queries: {}; {} distinct keys",
            self.mix_note, self.distinct_query_keys
        );
        let _ = writeln!(
            t,
            "warm-up: {}, every engine alike; values: {}",
            warm_note(&self.warm),
            values_note(self.values, &self.values_lz4)
        );
        if let Some(p) = &self.profile {
            let _ = writeln!(t, "profile {p}{}", skipped_note(&self.profile_skipped));
        }
        let _ = writeln!(
            t,
            "  budget (what alexdb holds after its load): {}",
            self.budget_parts.describe()
        );
    }

    /// Each engine's settings, then one row per engine and the speedups.
    fn write_engines(&self, t: &mut String) {
        use std::fmt::Write as _;
        let engines = [
            ("alexdb", &self.alexdb),
            ("sqlite", &self.sqlite),
            ("sqlite-mmap", &self.sqlite_mmap),
        ];
        for (name, r) in engines {
            let _ = writeln!(
                t,
                "  {name}: {}; holds {}",
                r.settings,
                super::engines::mib(r.memory_bytes as usize)
            );
        }
        let _ = writeln!(
            t,
            "{:<12} {:>14} {:>12} {:>10} {:>10} {:>10} {:>8} {:>9} {:>11}",
            "engine",
            "insert rows/s",
            "query mean",
            "p50",
            "p99",
            "p99.9",
            "warm",
            "hit rate",
            "memory used"
        );
        for (name, r) in engines {
            let _ = writeln!(
                t,
                "{:<12} {:>14.0} {:>10.0}ns {:>8}ns {:>8}ns {:>8}ns {:>8} {:>9} {:>11}",
                name,
                r.insert_rows_per_s,
                r.query_mean_ns,
                r.query_p50_ns,
                r.query_p99_ns,
                r.query_p999_ns,
                r.warm,
                pct(r.hit_rate),
                super::engines::mib(r.memory_used_bytes as usize)
            );
        }
        // sqlite-mmap starts from a copy of SQLite's loaded file (see adopt_sqlite).
        let _ = writeln!(
            t,
            "sqlite-mmap's insert rows/s are SQLite's: it starts from a copy of SQLite's loaded file"
        );
        let _ = writeln!(
            t,
            "speedup: queries {:.2}x, inserts {:.2}x; vs sqlite-mmap: queries {:.2}x, inserts {:.2}x; checksums {}",
            self.speedup_query,
            self.speedup_insert,
            self.vs_sqlite_mmap.speedup_query,
            self.vs_sqlite_mmap.speedup_insert,
            if self.checksums_equal {
                "equal"
            } else {
                "DIFFER"
            }
        );
    }

    /// Where alexdb's timed gets spent their time.
    fn write_alexdb_layers(&self, t: &mut String) {
        use std::fmt::Write as _;
        if let (Some(h), Some(sp)) = (self.alexdb.cache_hit_rate, self.alexdb.split) {
            let _ = writeln!(
                t,
                "alexdb value cache hit rate {:.1}%; per timed get: cache {:.0} ns, ALEX {:.0} ns, RocksDB {:.0} ns, other {:.0} ns",
                h * 100.0,
                sp.cache_ns,
                sp.alex_ns,
                sp.rocksdb_ns,
                sp.other_ns
            );
        }
        let a = &self.alexdb;
        if let (Some(c), Some(x), Some(r), Some(o)) = (
            a.split_cache_pct,
            a.split_alex_pct,
            a.split_rocksdb_pct,
            a.split_other_pct,
        ) {
            let _ = writeln!(
                t,
                "alexdb time per layer ({} queries): value cache {c:.1}%, ALEX {x:.1}%, RocksDB {r:.1}%, other {o:.1}% ({} sampled gets, 1 in {}); {} answered absent by ALEX, {} read from RocksDB",
                self.mix.as_str(),
                a.split_samples.unwrap_or(0),
                a.split_sample_rate.unwrap_or(0),
                a.alex_absent.unwrap_or(0),
                a.rocksdb_reads.unwrap_or(0)
            );
        }
    }
}

/// A hit rate as `99.5%`, or `-` when nothing went through the cache.
pub fn pct(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// What a warm mode did, for the reports' header.
pub fn warm_note(warm: &str) -> String {
    match warm {
        "full" => "full (every loaded row read once, then random probes, through the handle that is timed)".to_string(),
        "none" => "none (fresh handles, files dropped from the OS page cache)".to_string(),
        other => format!("{other} (random probes only, through the handle that is timed)"),
    }
}

/// `text (LZ4 1.6:1 per value, 2.0:1 per 16 KiB block)`.
pub fn values_note(values: ValueKind, lz4: &Lz4Ratio) -> String {
    format!(
        "{} (LZ4 {:.2}:1 per value, {:.2}:1 per 16 KiB block)",
        values.as_str(),
        lz4.per_value,
        lz4.per_block
    )
}

/// `; skipped a, b (not options of this build)` after a profile's name, or nothing.
pub fn skipped_note(skipped: &[String]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!(
            "; skipped {} (not options of this build)",
            skipped.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut k: Vec<i64>) -> Vec<i64> {
        k.sort_unstable();
        k
    }

    #[test]
    fn hits_are_todays_uniform_draw_and_zipf_is_skewed() {
        let keys = bench_keys(KeyOrder::Random, 20_000, 42);
        let s = sorted(keys.clone());
        assert_eq!(
            mix_probes(QueryMix::Hits, &keys, &s, 5_000, 9),
            probes(&keys, 5_000, 9)
        );
        let z = mix_probes(QueryMix::Zipf, &keys, &s, 20_000, 9);
        assert!(z.iter().all(|k| s.binary_search(k).is_ok()));
        let (dz, du) = (distinct_keys(&z), distinct_keys(&probes(&keys, 20_000, 9)));
        assert!(dz * 2 < du, "zipf {dz} distinct, uniform {du}");
        // Hot keys are spread over the key space, not packed at its low end.
        let mut counts = std::collections::HashMap::new();
        for k in &z {
            *counts.entry(*k).or_insert(0u32) += 1;
        }
        let mut hot: Vec<_> = counts.into_iter().collect();
        hot.sort_unstable_by_key(|&(k, n)| (std::cmp::Reverse(n), k));
        let pos = |k: i64| s.binary_search(&k).expect("loaded");
        let top: Vec<usize> = hot.iter().take(10).map(|&(k, _)| pos(k)).collect();
        assert!(top.iter().any(|&p| p > s.len() / 2), "{top:?}");
        // The same seed gives the same sequence (every engine answers the same queries).
        assert_eq!(z, mix_probes(QueryMix::Zipf, &keys, &s, 20_000, 9));
    }

    #[test]
    fn absent_keys_fall_between_loaded_keys() {
        // Sequential keys load with step 2 under --mix absent only.
        let seq = BenchKeys {
            order: KeyOrder::Sequential,
            mix: QueryMix::Absent,
        };
        let loaded = mix_keys(seq, 1_000, 42);
        assert_eq!(loaded.len(), 1_000);
        assert_eq!(&loaded[..3], &[0, 2, 4]);
        assert_eq!(
            mix_keys(KeyOrder::Sequential.into(), 1_000, 42),
            bench_keys(KeyOrder::Sequential, 1_000, 42)
        );
        let a = absent_probes(&loaded, 5_000, 1);
        assert_eq!(a.len(), 5_000);
        assert!(a.iter().all(|k| k % 2 == 1 && (1..1_998).contains(k)));
        assert!(mix_note(seq, &loaded).contains("step 2"));

        let random = sorted(bench_keys(KeyOrder::Random, 20_000, 42));
        let a = absent_probes(&random, 5_000, 1);
        assert!(a.iter().all(|k| random.binary_search(k).is_err()));
        assert!(a.iter().all(|k| (random[0]..=random[19_999]).contains(k)));

        // Dense keys have no gaps: just below and above them.
        let dense: Vec<i64> = (0..100).collect();
        let a = absent_probes(&dense, 1_000, 1);
        assert!(
            a.iter()
                .all(|&k| (-100..0).contains(&k) || (100..200).contains(&k))
        );
        assert!(a.iter().any(|&k| k < 0) && a.iter().any(|&k| k >= 100));
        let d = BenchKeys {
            order: KeyOrder::Sequential,
            mix: QueryMix::Absent,
        };
        assert!(mix_note(d, &dense).contains("no gaps"));
        // At the ends of i64 only one side has room.
        let top = [i64::MAX - 1, i64::MAX];
        assert!(
            absent_probes(&top, 100, 1)
                .iter()
                .all(|&k| k < i64::MAX - 1)
        );
    }

    #[test]
    fn mix_words_and_split_sample_rate() {
        assert_eq!("absent".parse::<QueryMix>(), Ok(QueryMix::Absent));
        assert_eq!("ZIPF".parse::<QueryMix>(), Ok(QueryMix::Zipf));
        assert_eq!("hits".parse::<QueryMix>(), Ok(QueryMix::Hits));
        assert!("sometimes".parse::<QueryMix>().is_err());
        // The configured rate unless it would give fewer than MIN_SPLIT_SAMPLES samples.
        assert_eq!(split_sample_rate(32, 100_000), 32);
        assert_eq!(split_sample_rate(32, 20_000), 20);
        assert_eq!(split_sample_rate(32, 500), 1);
        assert_eq!(split_sample_rate(8, 10_000_000), 8);
        assert_eq!(split_sample_rate(0, 10), 1);
    }
}
