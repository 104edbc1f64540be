//! YCSB core workloads on each engine: load `records`, warm up, then run `ops`
//! operations (or for a duration) on `threads` threads; ops/s and p50/p99 per operation
//! kind. The same seeds for every engine, so single-threaded runs issue the very same
//! operations and their read checksums must agree.
use std::path::PathBuf;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::engines::Worker;
use super::engines::{
    AlexEngine, BudgetParts, Engine, EngineKind, RocksEngine, SqliteEngine, alexdb_held,
};
use super::fair::{CacheUse, Lz4Ratio, ValueKind, WarmMode, bench_value, lz4_ratio};
use super::latency::Summary;
use super::segments::{SegmentClock, SegmentLatencies, YcsbSegment};
use super::{Cancelled, Progress};
use engine::DbOptions;
use engine::profiles::AppliedProfile;
use workload::ycsb::{Distribution, KeySpace, Op, OpGen, Workload, record_key};

#[derive(Debug, Clone)]
pub struct YcsbConfig {
    pub workload: Workload,
    pub records: u64,
    /// Operations in the timed phase (over all threads); with `duration`, a cap.
    pub ops: u64,
    pub threads: usize,
    /// `None`: the workload's own (latest for D, zipfian otherwise).
    pub distribution: Option<Distribution>,
    pub engines: Vec<EngineKind>,
    pub value_size: usize,
    pub seed: u64,
    pub opts: DbOptions,
    pub dir: Option<PathBuf>,
    /// Run for this long instead of (at most) `ops` operations.
    pub duration: Option<Duration>,
    /// The profile `opts` started from (`--profile`), for the report.
    pub profile: Option<AppliedProfile>,
    /// How every engine is warmed through the handles that are timed (`--warm`);
    /// `None`: only the workload's own warm-up, on handles of its own (`.ycsb` and
    /// `.sweep` on an open database).
    pub warm: Option<WarmMode>,
    /// Which values are loaded and written (`--values`).
    pub values: ValueKind,
    /// sqlite-mmap maps its whole file, outside the budget (`--mmap-whole-file`).
    pub mmap_whole_file: bool,
}

impl Default for YcsbConfig {
    fn default() -> Self {
        YcsbConfig {
            workload: Workload::A,
            records: 1_000_000,
            ops: 1_000_000,
            threads: 1,
            distribution: None,
            engines: EngineKind::ALL.to_vec(),
            value_size: 100,
            seed: 42,
            opts: DbOptions::default(),
            dir: None,
            duration: None,
            profile: None,
            warm: Some(WarmMode::Full),
            values: ValueKind::Text,
            mmap_whole_file: false,
        }
    }
}

impl YcsbConfig {
    pub fn distribution(&self) -> Distribution {
        self.distribution
            .unwrap_or_else(|| self.workload.default_distribution())
    }
}

/// Results of one engine.
#[derive(Debug, Clone, Default, Serialize)]
pub struct YcsbEngineResult {
    pub engine: &'static str,
    pub load_secs: f64,
    pub ops: u64,
    pub secs: f64,
    pub ops_per_s: f64,
    pub read_p50_ns: u64,
    pub read_p99_ns: u64,
    pub update_p50_ns: u64,
    pub update_p99_ns: u64,
    pub insert_p50_ns: u64,
    pub insert_p99_ns: u64,
    pub scan_p50_ns: u64,
    pub scan_p99_ns: u64,
    pub rmw_p50_ns: u64,
    pub rmw_p99_ns: u64,
    pub reads: u64,
    pub updates: u64,
    pub inserts: u64,
    pub scans: u64,
    pub rmws: u64,
    /// Reads (and read-modify-writes) that found their key.
    pub found: u64,
    /// Checksum of every value read.
    pub checksum: u64,
    /// The value cache hit rate during the run (alexdb only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_hit_rate: Option<f64>,
    /// Every operation of the run in one histogram (`.sweep`'s p50 and p99); the
    /// report's JSON keeps its per-kind fields only.
    #[serde(skip)]
    pub all_ops: Summary,
    pub settings: String,
    /// The run split at each option change during it (alexdb only; one segment when
    /// nothing changed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<YcsbSegment>,
    /// This engine's share of the budget, read back from it after its load.
    pub memory_bytes: u64,
    /// sqlite-mmap: the `mmap_size` in effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmap_bytes: Option<u64>,
    /// sqlite-mmap: the map is the whole file, outside the budget (`--mmap-whole-file`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmap_outside_budget: Option<bool>,
    /// How this engine was warmed (`full`, `probes N`, `none`, or `workload` for the
    /// workload's own warm-up on an open database).
    pub warm: String,
    /// The timed phase's reads: mean and p99.
    pub query_mean_ns: f64,
    pub query_p99_ns: u64,
    /// Its cache's hit rate during the timed phase (SQLite's page cache over its
    /// connections, RocksDB's block cache (data blocks), alexdb's value cache); null
    /// when nothing went through a cache.
    pub hit_rate: Option<f64>,
    /// The hits and misses behind `hit_rate`.
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// alexdb: its block cache's hit rate (data blocks) during the timed phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_cache_hit_rate: Option<f64>,
    /// Bytes it held in process memory at the end of the timed phase; `None` (null)
    /// when the run did not measure it (a workload in the shell, on the open database).
    pub memory_used_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct YcsbReport {
    pub bench: &'static str,
    pub workload: Workload,
    pub mix: &'static str,
    pub records: u64,
    pub ops: u64,
    pub warmup_ops: u64,
    pub threads: usize,
    pub distribution: Distribution,
    pub value_size: usize,
    pub budget_bytes: usize,
    pub seed: u64,
    /// How every engine was warmed.
    pub warm: String,
    /// Which values were loaded (`text` or `random`) and how LZ4 shrinks them.
    pub values: ValueKind,
    pub values_lz4: Lz4Ratio,
    pub results: Vec<YcsbEngineResult>,
    /// The budget part by part (`budget_bytes` is their sum).
    pub budget_parts: BudgetParts,
    /// The built-in profile or profile file the options started from.
    pub profile: Option<String>,
    /// Options the profile names that this build does not have (skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profile_skipped: Vec<String>,
    /// alexdb's ops/s / SQLite's (when both ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_sqlite: Option<f64>,
    /// alexdb's ops/s / sqlite-mmap's (when both ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_sqlite_mmap: Option<f64>,
}

#[derive(Default)]
struct ThreadResult {
    /// Latencies per segment of the run (see [`SegmentClock`]).
    segs: Vec<SegmentLatencies>,
    found: u64,
    checksum: u64,
}

impl ThreadResult {
    /// The latencies of segment `i`, made when the thread first enters it.
    fn seg(&mut self, i: usize) -> &mut SegmentLatencies {
        if self.segs.len() <= i {
            self.segs.resize_with(i + 1, SegmentLatencies::default);
        }
        &mut self.segs[i]
    }
}

/// What every thread of a run shares.
#[derive(Clone, Copy)]
struct Run<'a> {
    engine: &'a dyn Engine,
    cfg: &'a YcsbConfig,
    keys: &'a KeySpace,
    deadline: Option<Instant>,
    stop: &'a AtomicBool,
    progress: &'a dyn Progress,
    /// Timed phase (progress is reported) or warm-up.
    timed: bool,
    /// The timed phase's segments; `None` in the warm-up.
    segments: Option<&'a SegmentClock<'a>>,
}

/// Runs `n` operations (or until the deadline) of one thread, on a worker of its own.
fn run_thread(run: Run<'_>, seed: u64, n: u64) -> anyhow::Result<ThreadResult> {
    let mut w = run.engine.worker()?;
    run_thread_on(&mut *w, run, seed, n)
}

/// Runs `n` operations (or until the deadline) of one thread on `w`.
fn run_thread_on(
    w: &mut dyn Worker,
    run: Run<'_>,
    seed: u64,
    n: u64,
) -> anyhow::Result<ThreadResult> {
    let Run {
        engine: _,
        cfg,
        keys,
        deadline,
        stop,
        progress,
        timed,
        segments,
    } = run;
    let mut g = OpGen::new(cfg.workload, cfg.distribution(), keys.clone(), seed);
    let mut r = ThreadResult::default();
    let mut version = seed;
    let mut i = 0u64;
    let mut seg = 0;
    while i < n {
        if i.is_multiple_of(256) {
            seg = segments.map_or(0, |c| c.current());
            if stop.load(Ordering::Relaxed) || progress.cancelled() {
                break;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if timed && i > 0 {
                progress.advance(256);
            }
        }
        version = version.wrapping_add(1);
        let lat = r.seg(seg);
        match g.next_op() {
            Op::Read(k) => {
                if let Some(c) = lat.read.time(|| w.get(k))? {
                    r.found += 1;
                    r.checksum = r.checksum.wrapping_add(c);
                }
            }
            Op::Update(k) => {
                let v = bench_value(cfg.values, k, cfg.value_size, version);
                lat.update.time(|| w.put(k, &v))?;
            }
            Op::Insert(k) => {
                let v = bench_value(cfg.values, k, cfg.value_size, cfg.seed);
                lat.insert.time(|| w.put(k, &v))?;
            }
            Op::Scan(k, len) => {
                let (_, c) = lat.scan.time(|| w.scan(k, len))?;
                r.checksum = r.checksum.wrapping_add(c);
            }
            Op::ReadModifyWrite(k) => {
                let v = bench_value(cfg.values, k, cfg.value_size, version);
                let got = lat.rmw.time(|| -> anyhow::Result<Option<u64>> {
                    let got = w.get(k)?;
                    w.put(k, &v)?;
                    Ok(got)
                })?;
                if let Some(c) = got {
                    r.found += 1;
                    r.checksum = r.checksum.wrapping_add(c);
                }
            }
        }
        i += 1;
    }
    if timed {
        progress.advance(i % 256);
    }
    Ok(r)
}

/// Warm-up and timed run of the workload on an engine that holds `keys`' records.
pub fn run_on_engine(
    engine: &dyn Engine,
    keys: &KeySpace,
    cfg: &YcsbConfig,
    progress: &dyn Progress,
) -> anyhow::Result<YcsbEngineResult> {
    match cfg.warm {
        Some(mode) => run_timed_inner(engine, keys, cfg, progress, Some(mode)),
        None => {
            warm_up(engine, keys, cfg, progress, None)?;
            run_timed(engine, keys, cfg, progress)
        }
    }
}

/// Warm-up operations before the timed phase under `--warm` (over all threads).
fn warm_ops_of(mode: WarmMode, cfg: &YcsbConfig) -> u64 {
    match mode {
        WarmMode::Full => warmup_ops(cfg),
        WarmMode::Probes(n) => n,
        WarmMode::None => 0,
    }
}

/// The loaded records' keys in key order (`--warm full`).
fn loaded_keys(cfg: &YcsbConfig) -> Vec<i64> {
    let mut k: Vec<i64> = (0..cfg.records).map(record_key).collect();
    k.sort_unstable();
    k
}

/// The untimed warm-up: the same mix on other seeds, [`warmup_ops`] operations, or for
/// `time` when given (`.sweep --warmup`). `Cancelled` when it was cancelled.
pub fn warm_up(
    engine: &dyn Engine,
    keys: &KeySpace,
    cfg: &YcsbConfig,
    progress: &dyn Progress,
    time: Option<Duration>,
) -> anyhow::Result<()> {
    let threads = cfg.threads.max(1);
    let stop = AtomicBool::new(false);
    let warmup = if time.is_some() {
        u64::MAX
    } else {
        warmup_ops(cfg)
    };
    let total = (warmup != u64::MAX).then_some(warmup);
    progress.phase(&format!("warm-up {}", engine.kind().as_str()), total);
    let warm_run = Run {
        engine,
        cfg,
        keys,
        deadline: time.map(|t| Instant::now() + t),
        stop: &stop,
        progress,
        timed: false,
        segments: None,
    };
    std::thread::scope(|s| -> anyhow::Result<()> {
        let hs: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    run_thread(
                        warm_run,
                        cfg.seed ^ 0xAAAA ^ t as u64,
                        warmup / threads as u64,
                    )
                })
            })
            .collect();
        for h in hs {
            h.join()
                .map_err(|_| anyhow::anyhow!("a warm-up thread panicked"))??;
        }
        Ok(())
    })?;
    if progress.cancelled() {
        return Err(Cancelled.into());
    }
    Ok(())
}

/// The timed phase after [`warm_up`]: `cfg.ops` operations, or for `cfg.duration`.
pub fn run_timed(
    engine: &dyn Engine,
    keys: &KeySpace,
    cfg: &YcsbConfig,
    progress: &dyn Progress,
) -> anyhow::Result<YcsbEngineResult> {
    run_timed_inner(engine, keys, cfg, progress, None)
}

/// The timed phase; with `pre`, each thread first warms its own worker (the one it is
/// timed on) as `pre` says, and the clock starts when every thread is warm.
fn run_timed_inner(
    engine: &dyn Engine,
    keys: &KeySpace,
    cfg: &YcsbConfig,
    progress: &dyn Progress,
    pre: Option<WarmMode>,
) -> anyhow::Result<YcsbEngineResult> {
    let threads = cfg.threads.max(1);
    let all_keys = match pre {
        Some(WarmMode::Full) => loaded_keys(cfg),
        _ => Vec::new(),
    };
    let warm_total = pre.map_or(0, |m| warm_ops_of(m, cfg));
    if pre.is_some() {
        progress.phase(&format!("warm-up {}", engine.kind().as_str()), None);
    }
    let barrier = Barrier::new(threads + 1);
    let stop = AtomicBool::new(false);
    let total = if cfg.duration.is_some() && cfg.ops == 0 {
        u64::MAX
    } else {
        cfg.ops
    };
    progress.phase(
        &format!("ycsb-{} {}", cfg.workload.as_str(), engine.kind().as_str()),
        (total != u64::MAX).then_some(total),
    );
    let deadline = cfg.duration.map(|d| Instant::now() + d);
    let clock = SegmentClock::start(engine);
    let run = Run {
        engine,
        cfg,
        keys,
        deadline,
        stop: &stop,
        progress,
        timed: true,
        segments: Some(&clock),
    };
    let (barrier, all_keys) = (&barrier, &all_keys);
    let t0 = Instant::now();
    let outcome = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|t| {
                let per = if total == u64::MAX {
                    u64::MAX
                } else {
                    total / threads as u64 + u64::from((t as u64) < total % threads as u64)
                };
                s.spawn(
                    move || -> anyhow::Result<(ThreadResult, Option<CacheUse>, Span)> {
                        let Some(mode) = pre else {
                            let r = run_thread(run, cfg.seed.wrapping_add(t as u64), per);
                            if r.is_err() {
                                run.stop.store(true, Ordering::Relaxed);
                            }
                            return r.map(|r| (r, None, None));
                        };
                        // Warm this thread's own worker, the one it is timed on; every
                        // thread reaches the barrier, warm or failed.
                        let warm_run = Run {
                            timed: false,
                            segments: None,
                            deadline: None,
                            ..run
                        };
                        let warmed = engine.worker().and_then(|mut w| {
                            if mode == WarmMode::Full {
                                std::hint::black_box(w.warm_all(all_keys)?);
                            }
                            let n = warm_total / threads as u64
                                + u64::from((t as u64) < warm_total % threads as u64);
                            if n > 0 {
                                run_thread_on(&mut *w, warm_run, cfg.seed ^ 0xAAAA ^ t as u64, n)?;
                            }
                            w.mark_cache()?;
                            Ok(w)
                        });
                        barrier.wait();
                        let mut w =
                            warmed.inspect_err(|_| run.stop.store(true, Ordering::Relaxed))?;
                        let start = Instant::now();
                        let timed_run = Run {
                            deadline: cfg.duration.map(|d| start + d),
                            ..run
                        };
                        let r =
                            run_thread_on(&mut *w, timed_run, cfg.seed.wrapping_add(t as u64), per)
                                .and_then(|r| {
                                    let end = Instant::now();
                                    Ok((r, w.cache_use()?, Some((start, end))))
                                });
                        if r.is_err() {
                            run.stop.store(true, Ordering::Relaxed);
                        }
                        r
                    },
                )
            })
            .collect();
        if pre.is_some() {
            barrier.wait();
        }
        let outcome: anyhow::Result<Vec<_>> = hs
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("a workload thread panicked"))?
            })
            .collect();
        outcome
    });
    let outcome = outcome?;
    // Warmed threads time themselves from the barrier; the others from their spawn.
    let spans: Vec<(Instant, Instant)> = outcome.iter().filter_map(|(_, _, s)| *s).collect();
    let secs = match (
        spans.iter().map(|s| s.0).min(),
        spans.iter().map(|s| s.1).max(),
    ) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => t0.elapsed().as_secs_f64(),
    };
    let caches: Vec<CacheUse> = outcome.iter().filter_map(|(_, c, _)| *c).collect();
    let cache = CacheUse::merge(&caches);
    let results: Vec<ThreadResult> = outcome.into_iter().map(|(r, _, _)| r).collect();
    let (all, per_seg) = merge_threads(&results);
    let segments = clock.finish(&per_seg);
    let (rd, up, ins, sc, rmw) = (
        all.read.summary(),
        all.update.summary(),
        all.insert.summary(),
        all.scan.summary(),
        all.rmw.summary(),
    );
    let ops = rd.count + up.count + ins.count + sc.count + rmw.count;
    Ok(YcsbEngineResult {
        engine: engine.kind().as_str(),
        load_secs: 0.0,
        ops,
        secs,
        ops_per_s: ops as f64 / secs.max(1e-9),
        read_p50_ns: rd.p50_ns,
        read_p99_ns: rd.p99_ns,
        update_p50_ns: up.p50_ns,
        update_p99_ns: up.p99_ns,
        insert_p50_ns: ins.p50_ns,
        insert_p99_ns: ins.p99_ns,
        scan_p50_ns: sc.p50_ns,
        scan_p99_ns: sc.p99_ns,
        rmw_p50_ns: rmw.p50_ns,
        rmw_p99_ns: rmw.p99_ns,
        reads: rd.count,
        updates: up.count,
        inserts: ins.count,
        scans: sc.count,
        rmws: rmw.count,
        found: results.iter().map(|r| r.found).sum(),
        checksum: results.iter().fold(0u64, |c, r| c.wrapping_add(r.checksum)),
        cache_hit_rate: None,
        all_ops: all.all_ops().summary(),
        settings: engine.settings(),
        segments,
        memory_bytes: 0,
        mmap_bytes: None,
        mmap_outside_budget: None,
        warm: pre.map_or_else(|| "workload".to_string(), |m| m.label()),
        query_mean_ns: rd.mean_ns,
        query_p99_ns: rd.p99_ns,
        hit_rate: cache.and_then(|c| c.hit_rate()),
        cache_hits: cache.map_or(0, |c| c.hits),
        cache_misses: cache.map_or(0, |c| c.misses),
        block_cache_hit_rate: cache.and_then(|c| c.block_hit_rate()),
        memory_used_bytes: cache.map(|c| c.memory_used),
    })
}

/// When a warmed thread's timed phase started and ended.
type Span = Option<(Instant, Instant)>;

/// The threads' latencies merged: over the whole run, and per segment.
fn merge_threads(results: &[ThreadResult]) -> (SegmentLatencies, Vec<SegmentLatencies>) {
    let mut all = SegmentLatencies::default();
    let mut per_seg: Vec<SegmentLatencies> = Vec::new();
    for r in results {
        for (i, s) in r.segs.iter().enumerate() {
            all.merge(s);
            if per_seg.len() <= i {
                per_seg.resize_with(i + 1, SegmentLatencies::default);
            }
            per_seg[i].merge(s);
        }
    }
    (all, per_seg)
}

/// Untimed operations before the timed phase: a tenth of the run, 1,000 to 100,000.
pub fn warmup_ops(cfg: &YcsbConfig) -> u64 {
    (cfg.ops / 10).clamp(1_000, 100_000)
}

/// Loads each engine in a fresh temporary directory and runs the workload on it. alexdb
/// loads first (even when it is not run): the others get what it holds after its load.
pub fn run_ycsb(cfg: &YcsbConfig, progress: &dyn Progress) -> anyhow::Result<YcsbReport> {
    anyhow::ensure!(cfg.records > 0, "records must be at least 1");
    anyhow::ensure!(!cfg.engines.is_empty(), "no engine to run");
    let mut results = Vec::new();
    let alex_tmp = temp_dir(cfg)?;
    // Its load does not fill its value cache: it is warmed as the others are (`--warm`).
    let mut alex_opts = cfg.opts.clone();
    if cfg.warm.is_some() {
        alex_opts.warm_value_cache = engine::WarmValueCache::Off;
    }
    let mut alex = AlexEngine::open(&alex_tmp.path().join("alexdb"), alex_opts)?;
    let cold = cfg.warm == Some(WarmMode::None);
    let runs_alex = cfg.engines.contains(&EngineKind::Alexdb);
    let phase = if runs_alex {
        "loading alexdb"
    } else {
        "loading alexdb (for the memory budget)"
    };
    let load_secs = load_records(&alex, cfg, phase, progress)?;
    let parts = match cfg.warm {
        Some(mode) => {
            progress.phase("filling alexdb's value cache (the budget)", None);
            let parts = alex.held_when_full(&loaded_keys(cfg), &cfg.opts)?;
            // Timed from empty caches unless every row is read first anyway.
            alex = alex.ready_for(mode, &parts)?;
            parts
        }
        None => alexdb_held(&alex.db, &cfg.opts),
    };
    let budget = parts.total() as usize;
    if runs_alex {
        let mut r = run_loaded(&alex, load_secs, cfg, progress)?;
        r.memory_bytes = budget as u64;
        results.push(r);
    }
    // Closed and removed before the peers run, so they do not share the machine with it.
    drop(alex);
    drop(alex_tmp);
    // SQLite's freshly loaded file, kept for the sqlite-mmap peer (same rows, same file).
    let mut sqlite_copy: Option<(SqliteEngine, tempfile::TempDir, f64)> = None;
    for &kind in &cfg.engines {
        let tmp = temp_dir(cfg)?;
        let dir = tmp.path().join(kind.as_str());
        let (engine, load_secs): (Box<dyn Engine>, f64) = match kind {
            EngineKind::Alexdb => continue,
            EngineKind::Rocksdb => {
                let mut e = RocksEngine::open(&dir, &cfg.opts, budget)?;
                let secs = load_records(&e, cfg, "loading rocksdb", progress)?;
                if cold {
                    e = e.reopened_cold()?;
                }
                (Box::new(e), secs)
            }
            EngineKind::Sqlite => {
                let e = SqliteEngine::create(&dir, budget, cfg.threads)?;
                let secs = load_records(&e, cfg, "loading sqlite", progress)?;
                if cfg.engines.contains(&EngineKind::SqliteMmap) {
                    sqlite_copy = Some(stash_sqlite(&e, cfg, budget, secs)?);
                }
                if cold {
                    e.drop_cold()?;
                }
                (Box::new(e), secs)
            }
            EngineKind::SqliteMmap => {
                let e = SqliteEngine::create_mmap(&dir, budget, cfg.threads)?
                    .map_whole_file(cfg.mmap_whole_file);
                let secs = match &sqlite_copy {
                    Some((copy, _, secs)) => {
                        e.adopt_file(copy)?;
                        *secs
                    }
                    None => load_records(&e, cfg, "loading sqlite-mmap", progress)?,
                };
                if cold {
                    e.drop_cold()?;
                }
                (Box::new(e), secs)
            }
        };
        results.push(run_loaded(engine.as_ref(), load_secs, cfg, progress)?);
    }
    Ok(YcsbReport::new(cfg, cfg.records, cfg.ops, results, parts))
}

/// A copy of SQLite's file right after its load (before the workload changes it), so
/// the sqlite-mmap peer starts from the same file without loading the rows again; the
/// load time it reports is SQLite's.
fn stash_sqlite(
    loaded: &SqliteEngine,
    cfg: &YcsbConfig,
    budget: usize,
    secs: f64,
) -> anyhow::Result<(SqliteEngine, tempfile::TempDir, f64)> {
    let tmp = temp_dir(cfg)?;
    let copy = SqliteEngine::create(&tmp.path().join("sqlite-copy"), budget, cfg.threads)?;
    copy.adopt_file(loaded)?;
    Ok((copy, tmp, secs))
}

fn temp_dir(cfg: &YcsbConfig) -> std::io::Result<tempfile::TempDir> {
    match &cfg.dir {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
}

/// Loads the YCSB records into `engine`; returns seconds.
fn load_records(
    engine: &dyn Engine,
    cfg: &YcsbConfig,
    phase: &str,
    progress: &dyn Progress,
) -> anyhow::Result<f64> {
    progress.phase(phase, Some(cfg.records));
    let t0 = Instant::now();
    let mut n = 0u64;
    let mut rows = (0..cfg.records).map_while(|i| {
        n += 1;
        if n.is_multiple_of(65_536) {
            progress.advance(65_536);
            if progress.cancelled() {
                return None;
            }
        }
        let k = record_key(i);
        Some((k, bench_value(cfg.values, k, cfg.value_size, cfg.seed)))
    });
    engine.load(&mut rows)?;
    if progress.cancelled() {
        return Err(Cancelled.into());
    }
    Ok(t0.elapsed().as_secs_f64())
}

/// Runs the workload on a loaded engine, with its load time and memory share.
fn run_loaded(
    engine: &dyn Engine,
    load_secs: f64,
    cfg: &YcsbConfig,
    progress: &dyn Progress,
) -> anyhow::Result<YcsbEngineResult> {
    let (memory_bytes, mmap_bytes) = (engine.memory_bytes()?, engine.mmap_bytes()?);
    let keys = KeySpace::generated(cfg.records);
    let mut r = run_measured(engine, &keys, cfg, progress)?;
    r.load_secs = load_secs;
    r.memory_bytes = memory_bytes;
    r.mmap_bytes = mmap_bytes;
    if mmap_bytes.is_some() {
        r.mmap_outside_budget = Some(cfg.mmap_whole_file);
    }
    Ok(r)
}

/// [`run_on_engine`], plus alexdb's value-cache hit rate during the run (warm-up
/// included). The benchmark and `.ycsb` on an open database both run through it.
pub fn run_measured(
    engine: &dyn Engine,
    keys: &KeySpace,
    cfg: &YcsbConfig,
    progress: &dyn Progress,
) -> anyhow::Result<YcsbEngineResult> {
    let before = alex_hits(engine);
    let mut r = run_on_engine(engine, keys, cfg, progress)?;
    if let (Some((h0, m0)), Some((h1, m1))) = (before, alex_hits(engine)) {
        let (h, m) = (h1.saturating_sub(h0), m1.saturating_sub(m0));
        r.cache_hit_rate = Some(if h + m == 0 {
            0.0
        } else {
            h as f64 / (h + m) as f64
        });
    }
    if cfg.warm.is_some() {
        // Warmed through the timed handles: the timed phase's own hit rate.
        r.cache_hit_rate = r.hit_rate.or(r.cache_hit_rate);
    }
    Ok(r)
}

/// alexdb's value-cache hits and misses so far (None for other engines).
fn alex_hits(e: &dyn Engine) -> Option<(u64, u64)> {
    e.alex_db().map(|db| {
        let s = db.metrics_snapshot();
        (s.cache.hits, s.cache.misses)
    })
}

impl YcsbReport {
    /// The report of a run of `cfg` on `records` records: `ops` is what the run was
    /// asked for (the benchmark) or what it did (`.ycsb`, which may run for a duration);
    /// `parts` is what alexdb held after its load (the budget).
    pub fn new(
        cfg: &YcsbConfig,
        records: u64,
        ops: u64,
        results: Vec<YcsbEngineResult>,
        parts: BudgetParts,
    ) -> YcsbReport {
        let ratio = |peer: &str| {
            let a = results.iter().find(|r| r.engine == "alexdb")?;
            let p = results.iter().find(|r| r.engine == peer)?;
            Some(a.ops_per_s / p.ops_per_s.max(1e-9))
        };
        let (vs_sqlite, vs_sqlite_mmap) = (ratio("sqlite"), ratio("sqlite-mmap"));
        let (profile, profile_skipped) = AppliedProfile::report_fields(&cfg.profile);
        YcsbReport {
            bench: "ycsb",
            workload: cfg.workload,
            mix: cfg.workload.describe(),
            records,
            ops,
            warmup_ops: cfg
                .warm
                .map_or_else(|| warmup_ops(cfg), |m| warm_ops_of(m, cfg)),
            threads: cfg.threads.max(1),
            distribution: cfg.distribution(),
            value_size: cfg.value_size,
            budget_bytes: parts.total() as usize,
            seed: cfg.seed,
            warm: cfg
                .warm
                .map_or_else(|| "workload".to_string(), |m| m.label()),
            values: cfg.values,
            values_lz4: lz4_ratio(cfg.values, cfg.value_size, cfg.seed, 2_000),
            results,
            budget_parts: parts,
            profile,
            profile_skipped,
            vs_sqlite,
            vs_sqlite_mmap,
        }
    }

    pub fn to_table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = format!(
            "ycsb workload {} ({}), {} distribution, {} records of {} bytes, {} ops after {} warm-up, {} thread(s), memory budget {:.1} MiB each, seed {}\n",
            self.workload.as_str(),
            self.mix,
            self.distribution.as_str(),
            self.records,
            self.value_size,
            self.ops,
            self.warmup_ops,
            self.threads,
            self.budget_bytes as f64 / (1 << 20) as f64,
            self.seed
        );
        let _ = writeln!(
            t,
            "warm-up: {}; values: {}",
            if self.warm == "workload" {
                "the workload's own operations".to_string()
            } else {
                format!(
                    "{}, every engine alike",
                    super::vs_sqlite::warm_note(&self.warm)
                )
            },
            super::vs_sqlite::values_note(self.values, &self.values_lz4)
        );
        if let Some(p) = &self.profile {
            let _ = writeln!(
                t,
                "profile {p}{}",
                super::vs_sqlite::skipped_note(&self.profile_skipped)
            );
        }
        let _ = writeln!(
            t,
            "  budget (what alexdb holds after its load): {}",
            self.budget_parts.describe()
        );
        for r in &self.results {
            let _ = writeln!(
                t,
                "  {}: {}; holds {}",
                r.engine,
                r.settings,
                super::engines::mib(r.memory_bytes as usize)
            );
        }
        self.write_results(&mut t);
        t
    }

    /// One row per engine, the speedups and each engine's segments.
    fn write_results(&self, t: &mut String) {
        use std::fmt::Write as _;
        let _ = writeln!(
            t,
            "{:<11} {:>11} {:>9} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>9} {:>11}",
            "engine",
            "ops/s",
            "load s",
            "read p50",
            "read p99",
            "write p50",
            "write p99",
            "scan p50",
            "scan p99",
            "hit rate",
            "memory used"
        );
        for r in &self.results {
            let (writes, wp50, wp99) = if r.updates > 0 {
                (r.updates, r.update_p50_ns, r.update_p99_ns)
            } else if r.rmws > 0 {
                (r.rmws, r.rmw_p50_ns, r.rmw_p99_ns)
            } else {
                (r.inserts, r.insert_p50_ns, r.insert_p99_ns)
            };
            // An operation the workload never ran has no latency: `-`, not 0ns.
            let ns = |count: u64, v: u64| {
                if count == 0 {
                    "-".to_string()
                } else {
                    format!("{v}ns")
                }
            };
            let _ = writeln!(
                t,
                "{:<11} {:>11.0} {:>9.2} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>9} {:>11}",
                r.engine,
                r.ops_per_s,
                r.load_secs,
                ns(r.reads, r.read_p50_ns),
                ns(r.reads, r.read_p99_ns),
                ns(writes, wp50),
                ns(writes, wp99),
                ns(r.scans, r.scan_p50_ns),
                ns(r.scans, r.scan_p99_ns),
                super::vs_sqlite::pct(r.hit_rate),
                r.memory_used_bytes
                    .map_or_else(|| "-".to_string(), |b| super::engines::mib(b as usize))
            );
        }
        if let Some(a) = self.results.iter().find(|r| r.engine == "alexdb") {
            for r in self.results.iter().filter(|r| r.engine != "alexdb") {
                let _ = writeln!(
                    t,
                    "alexdb vs {}: {:.2}x ops/s",
                    r.engine,
                    a.ops_per_s / r.ops_per_s.max(1e-9)
                );
            }
            if let Some(h) = a.cache_hit_rate {
                let _ = writeln!(t, "alexdb value cache hit rate {:.1}%", h * 100.0);
            }
        }
        for r in self.results.iter().filter(|r| r.segments.len() > 1) {
            t.push_str(&segments_table(r));
        }
    }
}

/// The per-segment figures of a run during which options changed.
fn segments_table(r: &YcsbEngineResult) -> String {
    use std::fmt::Write as _;
    let mut t = format!(
        "{}: options changed {} time(s) during the run, so its figures are split; the settings above are the final ones\n",
        r.engine,
        r.segments.len() - 1
    );
    let _ = writeln!(
        t,
        "{:>3} {:>7} {:>11} {:>11} {:>11} {:>11} {:>11} {:>7} {:>7}  options",
        "seg",
        "secs",
        "ops/s",
        "read p50",
        "read p99",
        "write p50",
        "write p99",
        "val hit",
        "blk hit"
    );
    for (i, s) in r.segments.iter().enumerate() {
        let _ = writeln!(t, "{}", s.row(i + 1));
    }
    t
}
