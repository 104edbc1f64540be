//! Where a point query's time goes (the original plan's `profile_10m_queries`): ALEX,
//! value cache, RocksDB and the rest, from the engine's layer timers with every get
//! timed, plus RocksDB's own split from its PerfContext.
//!
//! It reads RocksDB's thread-local PerfContext directly (the only RocksDB use here):
//! the engine's `store.rs` is otherwise the one place that talks to RocksDB.
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Serialize;

use super::engines::{AlexEngine, Engine};
use super::fair::{Lz4Ratio, ValueKind, WarmMode, lz4_ratio};
use super::vs_sqlite::{
    KeyOrder, bench_keys, probes, run_queries, run_queries_warmed, timed_load, values_note,
    warm_keys, warm_note, warm_probe_count,
};
use super::{Progress, latency::Summary};
use engine::metrics::MetricsWindow;
use engine::options::human_bytes;
use engine::profiles::AppliedProfile;
use engine::{Db, DbOptions, HeldBytes, Opt};

#[derive(Debug, Clone)]
pub struct ProfileConfig {
    pub rows: u64,
    pub keys: KeyOrder,
    pub queries: u64,
    pub value_size: usize,
    pub seed: u64,
    pub opts: DbOptions,
    pub dir: Option<PathBuf>,
    /// The profile `opts` started from (`--profile`), for the report.
    pub profile: Option<AppliedProfile>,
    /// How the database is warmed before the timed queries (`--warm`).
    pub warm: WarmMode,
    /// Which values are loaded (`--values`).
    pub values: ValueKind,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig {
            rows: 10_000_000,
            keys: KeyOrder::Sequential,
            queries: 100_000,
            value_size: 100,
            seed: 42,
            opts: DbOptions::default(),
            dir: None,
            profile: None,
            warm: WarmMode::Full,
            values: ValueKind::Text,
        }
    }
}

/// RocksDB's PerfContext, averaged per get that reached RocksDB.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RocksInternal {
    /// Gets that reached RocksDB (value-cache misses for keys ALEX holds).
    pub gets: u64,
    pub memtable_ns: f64,
    /// Looking through SST files: filter, index and data blocks, reads included.
    pub sst_ns: f64,
    pub block_read_ns: f64,
    pub block_decompress_ns: f64,
    pub block_checksum_ns: f64,
    /// Blocks read from files (block-cache misses), per get.
    pub block_reads: f64,
    pub index_block_reads: f64,
    pub filter_block_reads: f64,
    pub data_block_reads: f64,
    pub block_cache_hits: f64,
    pub index_cache_hits: f64,
    pub filter_cache_hits: f64,
    pub bloom_sst_hits: f64,
    pub bloom_sst_misses: f64,
    /// Every PerfContext counter RocksDB reported (summed over the run).
    pub raw: HashMap<String, u64>,
}

/// One row of the breakdown table.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    pub component: &'static str,
    pub ns: f64,
    pub pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileReport {
    pub bench: &'static str,
    pub rows: u64,
    pub keys: String,
    pub queries: u64,
    pub alex_ns: f64,
    pub cache_ns: f64,
    pub rocksdb_ns: f64,
    pub other_ns: f64,
    pub total_ns: f64,
    pub cache_hit_rate: f64,
    /// Measured around each get from outside (includes the timers' own cost).
    pub query: Summary,
    pub breakdown: Vec<Component>,
    pub rocksdb_internal: RocksInternal,
    pub settings: String,
    /// Share of the blocks the timed gets touched that the block cache held
    /// (PerfContext: hits / (hits + blocks read from files)).
    pub block_cache_hit_rate: f64,
    /// The RocksDB options a value-cache miss rests on ([`MISS_OPTIONS`]), as set.
    pub miss_options: BTreeMap<&'static str, String>,
    /// What the process held for data after the run.
    pub held: HeldBytes,
    /// The built-in profile or profile file the options started from (`bench profile`).
    pub profile: Option<String>,
    /// Options the profile names that this build does not have (skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profile_skipped: Vec<String>,
    /// How the database was warmed before the timed queries.
    pub warm: String,
    /// The timed queries measured from outside (the same as `query`'s).
    pub query_mean_ns: f64,
    pub query_p99_ns: u64,
    /// The value cache's hit rate during the timed queries (`cache_hit_rate`).
    pub hit_rate: f64,
    /// What the process held for data after the run (`held`'s total).
    pub memory_bytes: u64,
    /// Which values were loaded (`bench profile`; null on an open database).
    pub values: Option<ValueKind>,
    /// How LZ4 shrinks them (`bench profile`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_lz4: Option<Lz4Ratio>,
}

/// The options that decide what a get that reaches RocksDB costs, in report order.
pub const MISS_OPTIONS: [Opt; 11] = [
    Opt::BlockSize,
    Opt::Compression,
    Opt::BottommostCompression,
    Opt::DataBlockHashIndex,
    Opt::BloomBitsPerKey,
    Opt::OptimizeFiltersForHits,
    Opt::VerifyChecksums,
    Opt::CacheIndexAndFilterBlocks,
    Opt::PinIndexAndFilterBlocks,
    Opt::BlockCacheSize,
    Opt::BlockCacheType,
];

/// Parses RocksDB's `PerfContext::report` text (`name = value, ...`).
fn parse_perf(text: &str) -> HashMap<String, u64> {
    text.split(',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

/// RocksDB's own split of the `gets` that reached it, per get, from PerfContext's
/// counters for the run.
fn rocks_internal(perf: HashMap<String, u64>, gets: u64) -> RocksInternal {
    let rg = gets.max(1) as f64;
    let g = |k: &str| perf.get(k).copied().unwrap_or(0) as f64 / rg;
    RocksInternal {
        gets,
        memtable_ns: g("get_from_memtable_time"),
        sst_ns: g("get_from_output_files_time"),
        block_read_ns: g("block_read_time"),
        block_decompress_ns: g("block_decompress_time"),
        block_checksum_ns: g("block_checksum_time"),
        block_reads: g("block_read_count"),
        index_block_reads: g("index_block_read_count"),
        filter_block_reads: g("filter_block_read_count"),
        data_block_reads: (g("block_read_count")
            - g("index_block_read_count")
            - g("filter_block_read_count"))
        .max(0.0),
        block_cache_hits: g("block_cache_hit_count"),
        index_cache_hits: g("block_cache_index_hit_count"),
        filter_cache_hits: g("block_cache_filter_hit_count"),
        bloom_sst_hits: g("bloom_sst_hit_count"),
        bloom_sst_misses: g("bloom_sst_miss_count"),
        raw: perf,
    }
}

impl RocksInternal {
    /// Share of the blocks the gets touched that the block cache held.
    fn block_cache_hit_rate(&self) -> f64 {
        let touched = self.block_cache_hits + self.block_reads;
        if touched > 0.0 {
            self.block_cache_hits / touched
        } else {
            0.0
        }
    }
}

/// The layers of a get, each with its share of the total.
fn breakdown(alex: f64, cache: f64, rocks: f64, other: f64) -> Vec<Component> {
    let total = alex + cache + rocks + other;
    let pct = |v: f64| if total > 0.0 { v * 100.0 / total } else { 0.0 };
    [
        ("ALEX index lookup", alex),
        ("value cache", cache),
        ("RocksDB get", rocks),
        ("other", other),
    ]
    .into_iter()
    .map(|(component, ns)| Component {
        component,
        ns,
        pct: pct(ns),
    })
    .collect()
}

/// Profiles `queries` gets of keys drawn from `keys` on `db`, on the calling thread.
/// Sets every-get timing and PerfContext timing for the run and restores both after.
/// Warmed by random probes only (the user's open database).
pub fn profile_db(
    db: &Db,
    keys: &[i64],
    queries: u64,
    seed: u64,
    keys_label: &str,
    progress: &dyn Progress,
) -> anyhow::Result<ProfileReport> {
    let warm = WarmMode::Probes(queries.min(50_000));
    profile_db_warmed(db, keys, queries, seed, keys_label, warm, progress)
}

/// [`profile_db`] warmed as `warm` says (`full`: every key of `keys` read once first).
pub fn profile_db_warmed(
    db: &Db,
    keys: &[i64],
    queries: u64,
    seed: u64,
    keys_label: &str,
    warm_mode: WarmMode,
    progress: &dyn Progress,
) -> anyhow::Result<ProfileReport> {
    anyhow::ensure!(
        !keys.is_empty(),
        "the database is empty: load some rows first"
    );
    let before = db.options();
    // Trial settings for the run, never saved for the next open (a kill during it
    // leaves the user's saved options as they were).
    db.set_option_with("metrics_sample_rate", "1", false)?;
    db.set_option_with("metrics", "on", false)?;
    // Applies to this thread at once (PerfContext is per thread).
    db.set_option_with("perf_level", "time_except_mutex", false)?;
    let result = (|| {
        let all = warm_keys(warm_mode, keys);
        let n_warm = warm_probe_count(warm_mode, queries.min(50_000));
        let warm = probes(keys, n_warm, seed ^ 0x77);
        let timed = probes(keys, queries, seed ^ 0x99);
        let mut window = MetricsWindow::new();
        // Warm-up outside the measured window.
        let shim = DbEngine(db);
        run_queries_warmed(&shim, all.as_deref(), &warm, &[], progress, &mut || {})?;
        rocksdb::perf::PerfContext::default().reset();
        db.metrics_window(&mut window);
        progress.phase("profile queries", Some(queries));
        let (lat, _, _) = run_queries(&shim, &[], &timed, progress)?;
        let snap = db.metrics_window(&mut window);
        let perf = parse_perf(&rocksdb::perf::PerfContext::default().report(true));
        Ok::<_, anyhow::Error>((lat.summary(), snap, perf))
    })();
    // Restore the user's settings whatever happened.
    for name in ["metrics_sample_rate", "metrics", "perf_level"] {
        db.set_option_with(name, &before.get(name).unwrap_or_default(), false)?;
    }
    let (query, snap, perf) = result?;
    let sp = snap.get_split;
    let n = sp.sampled_gets.max(1) as f64;
    let (alex, cache, rocks, other) = (
        sp.alex_ns as f64 / n,
        sp.cache_ns as f64 / n,
        sp.rocksdb_ns as f64 / n,
        sp.rest_ns as f64 / n,
    );
    let total = alex + cache + rocks + other;
    let internal = rocks_internal(perf, snap.index.found);
    let block_cache_hit_rate = internal.block_cache_hit_rate();
    let miss_options = MISS_OPTIONS
        .iter()
        .map(|&o| (o.name(), before.text(o)))
        .collect();
    Ok(ProfileReport {
        bench: "profile",
        rows: db.len() as u64,
        keys: keys_label.to_string(),
        queries,
        alex_ns: alex,
        cache_ns: cache,
        rocksdb_ns: rocks,
        other_ns: other,
        total_ns: total,
        cache_hit_rate: snap.cache.hit_rate,
        query,
        breakdown: breakdown(alex, cache, rocks, other),
        rocksdb_internal: internal,
        settings: format!(
            "block cache {}, value cache {} {}, every get timed, PerfContext time_except_mutex",
            before.get("block_cache_size").unwrap_or_default(),
            before.get("value_cache_size").unwrap_or_default(),
            before.value_cache_policy
        ),
        block_cache_hit_rate,
        miss_options,
        held: db.held_bytes()?,
        profile: None,
        profile_skipped: Vec::new(),
        warm: warm_mode.label(),
        query_mean_ns: query.mean_ns,
        query_p99_ns: query.p99_ns,
        hit_rate: snap.cache.hit_rate,
        memory_bytes: db.held_bytes()?.total(),
        values: None,
        values_lz4: None,
    })
}

/// A borrowed `Db` as a benchmark engine (queries only).
struct DbEngine<'a>(&'a Db);

impl Engine for DbEngine<'_> {
    fn kind(&self) -> super::engines::EngineKind {
        super::engines::EngineKind::Alexdb
    }
    fn load(&self, _rows: &mut dyn Iterator<Item = (i64, Vec<u8>)>) -> anyhow::Result<u64> {
        anyhow::bail!("a borrowed database is not loaded here")
    }
    fn worker(&self) -> anyhow::Result<Box<dyn super::engines::Worker + '_>> {
        Ok(Box::new(super::engines::DbWorker::new(self.0)))
    }
    fn settings(&self) -> String {
        String::new()
    }
    fn memory_bytes(&self) -> anyhow::Result<u64> {
        Ok(super::engines::alexdb_held(self.0, &self.0.options()).total())
    }
}

/// Loads a fresh database and profiles it (the CLI's `bench profile`).
pub fn run_profile(cfg: &ProfileConfig, progress: &dyn Progress) -> anyhow::Result<ProfileReport> {
    anyhow::ensure!(cfg.rows > 0, "rows must be at least 1");
    let tmp = match &cfg.dir {
        Some(d) => tempfile::tempdir_in(d)?,
        None => tempfile::tempdir()?,
    };
    let keys = bench_keys(cfg.keys, cfg.rows, cfg.seed);
    // The load does not fill the value cache: `--warm` decides how it is warmed.
    let mut opts = cfg.opts.clone();
    opts.warm_value_cache = engine::WarmValueCache::Off;
    let mut alex = AlexEngine::open(&tmp.path().join("alexdb"), opts)?;
    progress.phase("loading alexdb", Some(cfg.rows));
    timed_load(&alex, &keys, cfg.value_size, cfg.seed, cfg.values, progress)?;
    if cfg.warm == WarmMode::None {
        alex = alex.reopened_cold()?;
    }
    let mut r = profile_db_warmed(
        &alex.db,
        &keys,
        cfg.queries,
        cfg.seed,
        cfg.keys.as_str(),
        cfg.warm,
        progress,
    )?;
    (r.profile, r.profile_skipped) = AppliedProfile::report_fields(&cfg.profile);
    r.values = Some(cfg.values);
    r.values_lz4 = Some(lz4_ratio(cfg.values, cfg.value_size, cfg.seed, 2_000));
    Ok(r)
}

impl ProfileReport {
    pub fn to_table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = format!(
            "profile: {} rows ({} keys), {} point queries; {}\n",
            self.rows, self.keys, self.queries, self.settings
        );
        let values = match (self.values, &self.values_lz4) {
            (Some(v), Some(l)) => format!("; values: {}", values_note(v, l)),
            _ => String::new(),
        };
        let _ = writeln!(t, "warm-up: {}{values}", warm_note(&self.warm));
        if let Some(p) = &self.profile {
            let _ = writeln!(
                t,
                "profile {p}{}",
                super::vs_sqlite::skipped_note(&self.profile_skipped)
            );
        }
        let _ = writeln!(t, "{:<22} {:>9} {:>7}", "Component", "Time", "Share");
        let _ = writeln!(t, "{}", "-".repeat(40));
        for c in &self.breakdown {
            let _ = writeln!(t, "{:<22} {:>7.0}ns {:>6.1}%", c.component, c.ns, c.pct);
        }
        let _ = writeln!(t, "{}", "-".repeat(40));
        let _ = writeln!(
            t,
            "{:<22} {:>7.0}ns {:>6.1}%",
            "Total", self.total_ns, 100.0
        );
        let _ = writeln!(
            t,
            "value cache hit rate {:.1}%; measured from outside: mean {:.0} ns, p50 {} ns, p99 {} ns",
            self.cache_hit_rate * 100.0,
            self.query.mean_ns,
            self.query.p50_ns,
            self.query.p99_ns
        );
        let r = &self.rocksdb_internal;
        let _ = writeln!(
            t,
            "RocksDB per get that reached it ({} gets): memtable {:.0} ns, SST files {:.0} ns (block reads {:.0} ns, decompress {:.0} ns, checksum {:.0} ns)",
            r.gets,
            r.memtable_ns,
            r.sst_ns,
            r.block_read_ns,
            r.block_decompress_ns,
            r.block_checksum_ns
        );
        let _ = writeln!(
            t,
            "  blocks read per get: {:.2} (data {:.2}, index {:.2}, filter {:.2}); block-cache hits {:.2}; bloom useful {:.2}",
            r.block_reads,
            r.data_block_reads,
            r.index_block_reads,
            r.filter_block_reads,
            r.block_cache_hits,
            r.bloom_sst_misses
        );
        let _ = writeln!(
            t,
            "  block-cache hit rate {:.1}%; RocksDB options: {}",
            self.block_cache_hit_rate * 100.0,
            self.options_line()
        );
        let h = &self.held;
        let _ = writeln!(
            t,
            "memory held {}: ALEX {}, value cache {}, block cache {} of {} ({} pinned), table readers {}, memtables {}",
            human_bytes(h.total()),
            human_bytes(h.alex),
            human_bytes(h.value_cache),
            human_bytes(h.block_cache_usage),
            human_bytes(h.block_cache_capacity),
            human_bytes(h.block_cache_pinned),
            human_bytes(h.table_readers),
            human_bytes(h.memtables)
        );
        t
    }

    /// `name value` of each of [`MISS_OPTIONS`], in that order.
    fn options_line(&self) -> String {
        MISS_OPTIONS
            .iter()
            .filter_map(|o| Some(format!("{} {}", o.name(), self.miss_options.get(o.name())?)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
