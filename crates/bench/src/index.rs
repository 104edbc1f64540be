//! `bench index`: the ALEX index against std `BTreeMap` on the same keys, in one process.
//!
//! Both structures go through one generic harness ([`Subject`]), with fixed seeds, a
//! warm-up before every timed lookup loop, and checksums passed through
//! [`std::hint::black_box`] so the optimiser cannot drop the work. The harness never
//! prints: progress goes through the [`Progress`] trait and the result is an [`IndexBenchReport`]
//! (serde `Serialize`; [`IndexBenchReport::to_table`] renders it for people).
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;

use super::Progress;
use engine::index::{AlexIndex, IndexStats};
use workload::keys::{KeyDist, generate_keys, shuffled};

/// Up to this many keys, build and insert phases run 3 times and report the median, and
/// the ALEX index is checked with `validate()` after the insert phases.
pub const MEDIAN_RUNS_MAX_KEYS: usize = 1_000_000;
/// Largest key count the benchmark accepts (memory: several arrays of 8-byte keys plus
/// both structures).
pub const MAX_KEYS: usize = 1_000_000_000;
/// Lookup probes per timed loop: `clamp(2 * keys, MIN_PROBES, MAX_PROBES)`.
pub const MIN_PROBES: usize = 1_000_000;
pub const MAX_PROBES: usize = 10_000_000;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexBenchConfig {
    /// Number of distinct keys.
    pub keys: usize,
    pub dist: KeyDist,
    /// Seed of the key generator; shuffles and probes use seeds derived from it.
    pub seed: u64,
    /// Probes per timed lookup loop; `None` = `clamp(2 * keys, 1M, 10M)`.
    pub probes: Option<usize>,
}

impl Default for IndexBenchConfig {
    fn default() -> Self {
        Self {
            keys: 1_000_000,
            dist: KeyDist::Uniform,
            seed: 42,
            probes: None,
        }
    }
}

/// The measurements for one structure. Field names are a stable interface (JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructureResult {
    /// Seconds to build the structure from the sorted keys.
    pub bulk_load_s: f64,
    /// Nanoseconds per lookup, independent probes (the CPU may overlap them).
    pub lookup_ns: f64,
    /// Nanoseconds per lookup when each probe depends on the previous result.
    pub lookup_dependent_ns: f64,
    /// Million inserts per second, all keys in random order into an empty structure.
    pub insert_random_mops: f64,
    /// Million inserts per second, all keys in ascending order into an empty structure.
    pub insert_ascending_mops: f64,
    /// Memory per key of the bulk-loaded structure.
    pub bytes_per_key: f64,
    /// How `bytes_per_key` was obtained.
    pub bytes_per_key_method: &'static str,
    /// Memory per key after the random-order inserts, where it can be measured exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_key_after_random_inserts: Option<f64>,
}

/// How the numbers were taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexBenchSettings {
    /// Runs of each build/insert phase (3 up to 1M keys, else 1).
    pub runs: usize,
    /// "median of 3 runs" or "single run".
    pub statistic: &'static str,
    /// Probes in each timed lookup loop (independent and dependent).
    pub probes: usize,
    /// Untimed probes before the independent loop.
    pub warmup_probes: usize,
    pub shuffle_seed: u64,
    pub probe_seed: u64,
    /// "release" or "debug" (debug numbers are meaningless).
    pub build: &'static str,
    pub timer: &'static str,
}

/// Result of the correctness checks made during the run (not timed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    pub ok: bool,
    /// Whether `AlexIndex::validate()` ran (only up to 1M keys).
    pub validate_called: bool,
    /// What was checked.
    pub checks: Vec<String>,
    /// One line per failed check; empty when `ok`.
    pub errors: Vec<String>,
}

/// One performance goal from the product brief and where this run stands against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalCheck {
    pub goal: &'static str,
    pub target: f64,
    pub actual: f64,
    pub unit: &'static str,
    pub met: bool,
}

/// The full report. Stable JSON fields: `bench`, `keys`, `dist`, `alex`, `btreemap`,
/// `speedup_lookup`; the rest may grow.
#[derive(Debug, Clone, Serialize)]
pub struct IndexBenchReport {
    /// Always "index".
    pub bench: &'static str,
    pub keys: usize,
    pub dist: KeyDist,
    pub seed: u64,
    pub alex: StructureResult,
    pub btreemap: StructureResult,
    /// BTreeMap `lookup_ns` / ALEX `lookup_ns`.
    pub speedup_lookup: f64,
    /// BTreeMap `lookup_dependent_ns` / ALEX `lookup_dependent_ns`.
    pub speedup_lookup_dependent: f64,
    /// ALEX `insert_random_mops` / BTreeMap `insert_random_mops`.
    pub speedup_insert_random: f64,
    pub settings: IndexBenchSettings,
    pub notes: Vec<String>,
    /// Stats of the bulk-loaded ALEX index (the one probed by the lookups).
    pub alex_stats: IndexStats,
    /// Stats of the ALEX index built by random-order inserts.
    pub alex_stats_after_random_inserts: IndexStats,
    pub validation: Validation,
    /// The brief's goals (set at 10M keys) against this run; informational only.
    pub goals: Vec<GoalCheck>,
    /// BTreeMap resident-memory growth per key while bulk loading (Linux only; noisy).
    pub btreemap_rss_bytes_per_key: Option<f64>,
    /// Sum of every loop's results; printed so no loop can be optimised away.
    pub checksum: u64,
    /// Wall time of the whole benchmark, key generation included.
    pub total_s: f64,
}

/// The operations the harness times; one implementation per structure.
trait Subject: Sized {
    const NAME: &'static str;
    fn build_sorted(sorted: &[i64]) -> anyhow::Result<Self>;
    fn empty() -> Self;
    /// Insert; true if the key was new.
    fn put(&mut self, key: i64) -> bool;
    /// Membership test.
    fn has(&self, key: i64) -> bool;
    /// A value loaded from the slot that holds `key`, equal to `key as u64` when present.
    /// The dependent-lookup loop feeds it into the next probe's position.
    fn fetch(&self, key: i64) -> u64;
    fn count(&self) -> usize;
}

impl Subject for AlexIndex {
    const NAME: &'static str = "ALEX";
    fn build_sorted(sorted: &[i64]) -> anyhow::Result<Self> {
        AlexIndex::bulk_load(sorted).context("ALEX bulk load failed")
    }
    fn empty() -> Self {
        AlexIndex::new()
    }
    #[inline]
    fn put(&mut self, key: i64) -> bool {
        self.insert(key)
    }
    #[inline(always)]
    fn has(&self, key: i64) -> bool {
        self.contains(key)
    }
    #[inline(always)]
    fn fetch(&self, key: i64) -> u64 {
        self.lower_bound(key).map_or(u64::MAX, |k| k as u64)
    }
    fn count(&self) -> usize {
        self.len()
    }
}

impl Subject for BTreeMap<i64, u64> {
    const NAME: &'static str = "BTreeMap";
    fn build_sorted(sorted: &[i64]) -> anyhow::Result<Self> {
        Ok(sorted.iter().map(|&k| (k, k as u64)).collect())
    }
    fn empty() -> Self {
        BTreeMap::new()
    }
    #[inline]
    fn put(&mut self, key: i64) -> bool {
        self.insert(key, key as u64).is_none()
    }
    #[inline(always)]
    fn has(&self, key: i64) -> bool {
        self.contains_key(&key)
    }
    #[inline(always)]
    fn fetch(&self, key: i64) -> u64 {
        self.get(&key).copied().unwrap_or(u64::MAX)
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// Shared inputs of one run.
struct Inputs<'a> {
    sorted: &'a [i64],
    random_order: &'a [i64],
    probes: &'a [i64],
    warmup: usize,
    runs: usize,
}

/// Raw timings of one structure.
struct Timings<S> {
    bulk_load_s: f64,
    lookup_ns: f64,
    lookup_dependent_ns: f64,
    insert_random_mops: f64,
    insert_ascending_mops: f64,
    /// The bulk-loaded structure (probed by the lookups).
    loaded: S,
    /// The structure built by random-order inserts (last run).
    by_random_inserts: S,
    /// The structure built by ascending inserts (last run).
    by_ascending_inserts: S,
}

/// Counters the harness cross-checks after a structure is done.
#[derive(Default)]
struct Observed {
    lookup_hits: u64,
    fetch_sum: u64,
    random_new: u64,
    ascending_new: u64,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => 0.0,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// Time `runs` bulk builds; keep the last structure. `first_build` runs around the
/// first build only (for the RSS probe).
fn time_bulk_load<S: Subject>(
    sorted: &[i64],
    runs: usize,
    checksum: &mut u64,
    mut around_first: impl FnMut(&mut dyn FnMut() -> anyhow::Result<S>) -> anyhow::Result<S>,
) -> anyhow::Result<(f64, S)> {
    let mut times = Vec::with_capacity(runs);
    let mut timed_build = || -> anyhow::Result<S> {
        let start = Instant::now();
        let s = S::build_sorted(black_box(sorted))?;
        times.push(start.elapsed().as_secs_f64());
        Ok(s)
    };
    let mut built = around_first(&mut timed_build)?;
    *checksum = checksum.wrapping_add(built.count() as u64);
    for _ in 1..runs {
        drop(built);
        built = timed_build()?;
        *checksum = checksum.wrapping_add(built.count() as u64);
    }
    Ok((median(times), built))
}

/// Independent probes: ns per probe and the number of hits. Kept out of line (as is the
/// dependent loop) so that the lookup is inlined into a small loop, as C++ ALEX's is in
/// alexref, instead of being called from the large caller.
#[inline(never)]
fn time_lookups<S: Subject>(s: &S, probes: &[i64], warmup: usize) -> (f64, u64) {
    let mut warm = 0u64;
    for &k in &probes[..warmup.min(probes.len())] {
        warm += u64::from(s.has(k));
    }
    black_box(warm);
    let probes = black_box(probes);
    let start = Instant::now();
    let mut hits = 0u64;
    for &k in probes {
        hits += u64::from(s.has(k));
    }
    let secs = start.elapsed().as_secs_f64();
    (secs * 1e9 / probes.len().max(1) as f64, black_box(hits))
}

/// Dependent probes: the position of probe i+1 is `pos_i + 1 + (fetched ^ key)`, and
/// `fetched ^ key` is 0 only once the previous lookup's data has arrived, so lookups
/// cannot overlap. Returns ns per probe and the sum of fetched values.
#[inline(never)]
fn time_dependent_lookups<S: Subject>(s: &S, probes: &[i64]) -> (f64, u64) {
    let probes = black_box(probes);
    let p = probes.len();
    let mut pos = 0usize;
    let mut sum = 0u64;
    let start = Instant::now();
    for _ in 0..p {
        let key = probes[pos];
        let got = s.fetch(key);
        sum = sum.wrapping_add(got);
        // Wrapping: a wrong result jumps anywhere, then the bound check resets it.
        pos = pos
            .wrapping_add(1)
            .wrapping_add((got ^ key as u64) as usize);
        if pos >= p {
            pos = 0;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    (secs * 1e9 / p.max(1) as f64, black_box(sum))
}

/// Time inserting `order` into an empty structure `runs` times; keep the last structure.
fn time_inserts<S: Subject>(order: &[i64], runs: usize) -> (f64, S, u64) {
    let mut rates = Vec::with_capacity(runs);
    let mut last: Option<(S, u64)> = None;
    for _ in 0..runs.max(1) {
        drop(last.take());
        let order = black_box(order);
        let mut s = S::empty();
        let start = Instant::now();
        let mut new = 0u64;
        for &k in order {
            new += u64::from(s.put(k));
        }
        let secs = start.elapsed().as_secs_f64();
        rates.push(order.len() as f64 / secs.max(1e-12) / 1e6);
        last = Some((s, black_box(new)));
    }
    let (s, new) = last.unwrap_or_else(|| (S::empty(), 0));
    (median(rates), s, new)
}

fn run_structure<S: Subject>(
    inputs: &Inputs<'_>,
    checksum: &mut u64,
    progress: &dyn Progress,
    around_first_build: impl FnMut(&mut dyn FnMut() -> anyhow::Result<S>) -> anyhow::Result<S>,
) -> anyhow::Result<(Timings<S>, Observed)> {
    let name = S::NAME;
    let runs = inputs.runs;
    let n = inputs.sorted.len();
    let stat = if runs > 1 { " (median of 3)" } else { "" };
    let mut obs = Observed::default();

    progress.phase(&format!("{name}: bulk load of {n} keys{stat}"), None);
    let (bulk_load_s, loaded) =
        time_bulk_load::<S>(inputs.sorted, runs, checksum, around_first_build)?;

    let p = inputs.probes.len();
    progress.phase(&format!("{name}: {p} independent lookups"), None);
    let (lookup_ns, hits) = time_lookups(&loaded, inputs.probes, inputs.warmup);
    obs.lookup_hits = hits;
    *checksum = checksum.wrapping_add(hits);

    progress.phase(&format!("{name}: {p} dependent lookups"), None);
    let (lookup_dependent_ns, fetched) = time_dependent_lookups(&loaded, inputs.probes);
    obs.fetch_sum = fetched;
    *checksum = checksum.wrapping_add(fetched);

    progress.phase(&format!("{name}: {n} inserts in random order{stat}"), None);
    let (insert_random_mops, by_random_inserts, new) = time_inserts::<S>(inputs.random_order, runs);
    obs.random_new = new;
    *checksum = checksum.wrapping_add(new);

    progress.phase(
        &format!("{name}: {n} inserts in ascending order{stat}"),
        None,
    );
    let (insert_ascending_mops, by_ascending_inserts, new) = time_inserts::<S>(inputs.sorted, runs);
    obs.ascending_new = new;
    *checksum = checksum.wrapping_add(new);

    Ok((
        Timings {
            bulk_load_s,
            lookup_ns,
            lookup_dependent_ns,
            insert_random_mops,
            insert_ascending_mops,
            loaded,
            by_random_inserts,
            by_ascending_inserts,
        },
        obs,
    ))
}

/// Size in bytes of std's `LeafNode<i64, u64>`: parent pointer (8), `parent_idx` (2),
/// `len` (2), 11 keys and 11 values (8 each) = 188, padded to 8-byte alignment.
pub const BTREE_LEAF_NODE_BYTES: usize = 192;
/// `InternalNode<i64, u64>`: a leaf node plus 12 child pointers.
pub const BTREE_INTERNAL_NODE_BYTES: usize = BTREE_LEAF_NODE_BYTES + 12 * 8;
/// Keys per std B-tree node (`2 * B - 1` with `B = 6`).
pub const BTREE_NODE_CAPACITY: usize = 11;

/// Bytes of nodes in a `BTreeMap<i64, u64>` of `n` entries built by `from_iter` over
/// sorted input. std's bulk build fills each leaf to capacity, then pushes the next key
/// into the lowest ancestor with room (adding a root level when there is none) and opens
/// fresh rightmost nodes below it; the final right-border fix-up moves keys but does not
/// change the node count. This replays that process counting nodes per level.
/// Allocator headers are not included.
pub fn btreemap_bulk_built_bytes(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut fill: Vec<usize> = vec![0]; // keys in the open (rightmost) node of each level
    let mut nodes: Vec<usize> = vec![1]; // nodes per level; level 0 = leaves
    for _ in 0..n {
        if fill[0] < BTREE_NODE_CAPACITY {
            fill[0] += 1;
            continue;
        }
        let mut h = 1;
        while h < fill.len() && fill[h] == BTREE_NODE_CAPACITY {
            h += 1;
        }
        if h == fill.len() {
            fill.push(0);
            nodes.push(1);
        }
        fill[h] += 1;
        for level in 0..h {
            fill[level] = 0;
            nodes[level] += 1;
        }
    }
    let internal: usize = nodes[1..].iter().sum();
    nodes[0] * BTREE_LEAF_NODE_BYTES + internal * BTREE_INTERNAL_NODE_BYTES
}

/// Resident set size of this process in bytes (Linux `/proc/self/status`), if known.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn per_key(bytes: usize, keys: usize) -> f64 {
    if keys == 0 {
        0.0
    } else {
        bytes as f64 / keys as f64
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 && num.is_finite() {
        num / den
    } else {
        0.0
    }
}

/// Probes per timed lookup loop for `keys` keys.
pub fn default_probes(keys: usize) -> usize {
    keys.saturating_mul(2).clamp(MIN_PROBES, MAX_PROBES)
}

/// Run the benchmark. Progress messages go to `progress`; nothing is printed.
pub fn run_index_bench(
    cfg: &IndexBenchConfig,
    progress: &dyn Progress,
) -> anyhow::Result<IndexBenchReport> {
    let n = cfg.keys;
    if n == 0 {
        bail!("the index benchmark needs at least 1 key");
    }
    if n > MAX_KEYS {
        bail!("the index benchmark takes at most {MAX_KEYS} keys, not {n}");
    }
    let total = Instant::now();
    let runs = if n <= MEDIAN_RUNS_MAX_KEYS { 3 } else { 1 };
    let shuffle_seed = cfg.seed.wrapping_add(1);
    let probe_seed = cfg.seed.wrapping_add(2);
    let n_probes = cfg.probes.unwrap_or_else(|| default_probes(n)).max(1);
    let warmup = (n_probes / 10).max(1);

    progress.phase(
        &format!("generating {n} {} keys (seed {})", cfg.dist, cfg.seed),
        None,
    );
    let sorted = generate_keys(cfg.dist, n, cfg.seed);
    let random_order = shuffled(&sorted, shuffle_seed);
    let mut rng = StdRng::seed_from_u64(probe_seed);
    let probes: Vec<i64> = (0..n_probes)
        .map(|_| sorted[rng.random_range(0..n)])
        .collect();
    let expected_fetch_sum = probes
        .iter()
        .fold(0u64, |acc, &k| acc.wrapping_add(k as u64));

    let inputs = Inputs {
        sorted: &sorted,
        random_order: &random_order,
        probes: &probes,
        warmup,
        runs,
    };
    let mut checksum = 0u64;

    // BTreeMap first, so its resident-memory probe runs before anything else was freed.
    let mut rss_delta: Option<i64> = None;
    let (bt, bt_obs) =
        run_structure::<BTreeMap<i64, u64>>(&inputs, &mut checksum, progress, |build| {
            let before = resident_bytes();
            let map = build()?;
            let after = resident_bytes();
            if let (Some(b), Some(a)) = (before, after) {
                rss_delta = Some(a as i64 - b as i64);
            }
            Ok(map)
        })?;
    let bt_bytes = btreemap_bulk_built_bytes(bt.loaded.len());
    let bt_len_loaded = bt.loaded.len();
    let bt_lens = (bt.by_random_inserts.len(), bt.by_ascending_inserts.len());
    drop(bt.loaded);
    drop(bt.by_random_inserts);
    drop(bt.by_ascending_inserts);

    let (ax, ax_obs) =
        run_structure::<AlexIndex>(&inputs, &mut checksum, progress, |build| build())?;

    // Correctness checks (not timed).
    let mut checks = vec![
        "every probe found by both structures".to_string(),
        "dependent lookups returned the probed keys".to_string(),
        "inserts reported every key as new; lengths equal the key count".to_string(),
    ];
    let mut errors = Vec::new();
    for (name, obs) in [("BTreeMap", &bt_obs), ("ALEX", &ax_obs)] {
        if obs.lookup_hits != n_probes as u64 {
            errors.push(format!(
                "{name}: {} of {n_probes} probes of existing keys were not found",
                n_probes as u64 - obs.lookup_hits.min(n_probes as u64)
            ));
        }
        if obs.fetch_sum != expected_fetch_sum {
            errors.push(format!(
                "{name}: dependent lookups returned wrong keys (sum {} != {expected_fetch_sum})",
                obs.fetch_sum
            ));
        }
        if obs.random_new != n as u64 || obs.ascending_new != n as u64 {
            errors.push(format!(
                "{name}: inserting {n} distinct keys reported {} (random order) and {} \
                 (ascending) as new",
                obs.random_new, obs.ascending_new
            ));
        }
    }
    for (what, len) in [
        ("BTreeMap bulk load", bt_len_loaded),
        ("BTreeMap random inserts", bt_lens.0),
        ("BTreeMap ascending inserts", bt_lens.1),
        ("ALEX bulk load", ax.loaded.len()),
        ("ALEX random inserts", ax.by_random_inserts.len()),
        ("ALEX ascending inserts", ax.by_ascending_inserts.len()),
    ] {
        if len != n {
            errors.push(format!("{what}: len() is {len}, expected {n}"));
        }
    }
    let validate_called = n <= MEDIAN_RUNS_MAX_KEYS;
    if validate_called {
        progress.phase("ALEX: validate() after the insert phases", None);
        checks.push("ALEX validate() after random and ascending inserts".to_string());
        for (what, idx) in [
            ("after random inserts", &ax.by_random_inserts),
            ("after ascending inserts", &ax.by_ascending_inserts),
        ] {
            if let Err(e) = idx.validate() {
                errors.push(format!("ALEX validate() {what}: {e}"));
            }
        }
    }

    let alex_stats = ax.loaded.stats();
    let alex_stats_after_random_inserts = ax.by_random_inserts.stats();
    let alex = StructureResult {
        bulk_load_s: ax.bulk_load_s,
        lookup_ns: ax.lookup_ns,
        lookup_dependent_ns: ax.lookup_dependent_ns,
        insert_random_mops: ax.insert_random_mops,
        insert_ascending_mops: ax.insert_ascending_mops,
        bytes_per_key: per_key(ax.loaded.bytes_used(), ax.loaded.len()),
        bytes_per_key_method: "AlexIndex::bytes_used() / len(), gaps included",
        bytes_per_key_after_random_inserts: Some(per_key(
            ax.by_random_inserts.bytes_used(),
            ax.by_random_inserts.len(),
        )),
    };
    let btreemap = StructureResult {
        bulk_load_s: bt.bulk_load_s,
        lookup_ns: bt.lookup_ns,
        lookup_dependent_ns: bt.lookup_dependent_ns,
        insert_random_mops: bt.insert_random_mops,
        insert_ascending_mops: bt.insert_ascending_mops,
        bytes_per_key: per_key(bt_bytes, bt_len_loaded),
        bytes_per_key_method: "analytic: std B-tree node layout, nodes counted for from_iter",
        bytes_per_key_after_random_inserts: None,
    };
    drop(ax);

    let speedup_lookup = ratio(btreemap.lookup_ns, alex.lookup_ns);
    let rss_per_key = rss_delta.map(|d| d as f64 / n as f64);
    let goals = goals(&alex, speedup_lookup, n);
    let notes = notes(n, rss_per_key);
    let ok = errors.is_empty();

    Ok(IndexBenchReport {
        bench: "index",
        keys: n,
        dist: cfg.dist,
        seed: cfg.seed,
        speedup_lookup,
        speedup_lookup_dependent: ratio(btreemap.lookup_dependent_ns, alex.lookup_dependent_ns),
        speedup_insert_random: ratio(alex.insert_random_mops, btreemap.insert_random_mops),
        alex,
        btreemap,
        settings: IndexBenchSettings {
            runs,
            statistic: if runs > 1 {
                "median of 3 runs"
            } else {
                "single run"
            },
            probes: n_probes,
            warmup_probes: warmup,
            shuffle_seed,
            probe_seed,
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
            timer: "std::time::Instant",
        },
        notes,
        alex_stats,
        alex_stats_after_random_inserts,
        validation: Validation {
            ok,
            validate_called,
            checks,
            errors,
        },
        goals,
        btreemap_rss_bytes_per_key: rss_per_key,
        checksum,
        total_s: total.elapsed().as_secs_f64(),
    })
}

/// The brief's index goals (set at 10M keys) against this run.
fn goals(alex: &StructureResult, speedup_lookup: f64, n: usize) -> Vec<GoalCheck> {
    let bulk_ns_per_key = alex.bulk_load_s * 1e9 / n.max(1) as f64;
    vec![
        GoalCheck {
            goal: "lookup <= 80 ns",
            target: 80.0,
            actual: alex.lookup_ns,
            unit: "ns",
            met: alex.lookup_ns <= 80.0,
        },
        GoalCheck {
            goal: "lookup >= 4x BTreeMap",
            target: 4.0,
            actual: speedup_lookup,
            unit: "x",
            met: speedup_lookup >= 4.0,
        },
        GoalCheck {
            goal: "dependent lookup <= 150 ns",
            target: 150.0,
            actual: alex.lookup_dependent_ns,
            unit: "ns",
            met: alex.lookup_dependent_ns <= 150.0,
        },
        GoalCheck {
            goal: "random inserts >= 4 M/s",
            target: 4.0,
            actual: alex.insert_random_mops,
            unit: "M/s",
            met: alex.insert_random_mops >= 4.0,
        },
        GoalCheck {
            goal: "bulk load <= 0.6 s per 10M keys (60 ns/key)",
            target: 60.0,
            actual: bulk_ns_per_key,
            unit: "ns/key",
            met: bulk_ns_per_key <= 60.0,
        },
        GoalCheck {
            goal: "memory <= 24 bytes/key",
            target: 24.0,
            actual: alex.bytes_per_key,
            unit: "bytes/key",
            met: alex.bytes_per_key <= 24.0,
        },
    ]
}

fn notes(n: usize, rss_per_key: Option<f64>) -> Vec<String> {
    let mut notes = vec![
        "Goals are set for 10M keys on the 2-core reference machine; at other sizes they \
         are indicative only. They never fail the benchmark."
            .to_string(),
        "BTreeMap<i64, u64> stores an 8-byte value per key (the key itself); ALEX stores \
         keys only (values live in RocksDB)."
            .to_string(),
        "ALEX bytes_per_key is AlexIndex::bytes_used() / len() of the bulk-loaded index, \
         gaps included."
            .to_string(),
        format!(
            "BTreeMap bytes_per_key is analytic: std B-tree nodes hold up to {BTREE_NODE_CAPACITY} \
             entries; a leaf node is {BTREE_LEAF_NODE_BYTES} bytes (parent pointer, parent \
             index, length, 11 keys, 11 values), an internal node {BTREE_INTERNAL_NODE_BYTES} \
             bytes (plus 12 child pointers); nodes are counted by replaying from_iter's bulk \
             build. Allocator headers are not counted."
        ),
        "Lookups probe existing keys chosen uniformly at random (fixed seed). Independent \
         lookups use AlexIndex::contains and BTreeMap::contains_key after a 10% warm-up. \
         Dependent lookups use AlexIndex::lower_bound and BTreeMap::get: the next probe's \
         position is (position + 1 + (loaded value XOR key)), which is only known once the \
         previous lookup's data has arrived, so lookups cannot overlap."
            .to_string(),
        "Inserts start from an empty structure; random order is a fixed-seed shuffle of the \
         same keys."
            .to_string(),
    ];
    match rss_per_key {
        Some(r) => notes.push(format!(
            "Cross-check: the process's resident memory grew by {r:.1} bytes/key while \
             BTreeMap bulk-loaded {n} keys (includes allocator headers; noisy at small sizes \
             because of page granularity and allocator reuse)."
        )),
        None => notes.push("Resident-memory cross-check unavailable on this platform.".to_string()),
    }
    notes
}

/// Format a duration in seconds with a unit that keeps 3-4 significant digits.
fn fmt_secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

impl IndexBenchReport {
    /// A table for people: one row per metric, ALEX and BTreeMap side by side, the
    /// goals, the ALEX structure, validation and notes.
    pub fn to_table(&self) -> String {
        let a = &self.alex;
        let b = &self.btreemap;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "bench index: {} {} keys, seed {}, {} build; {} per build/insert phase; \
             {} lookup probes",
            self.keys,
            self.dist,
            self.seed,
            self.settings.build,
            self.settings.statistic,
            self.settings.probes
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<24} {:>14} {:>14} {:>16}",
            "metric", "ALEX", "BTreeMap", "ALEX advantage"
        );
        let rows: [(&str, String, String, f64); 6] = [
            (
                "bulk load",
                fmt_secs(a.bulk_load_s),
                fmt_secs(b.bulk_load_s),
                ratio(b.bulk_load_s, a.bulk_load_s),
            ),
            (
                "lookup",
                format!("{:.1} ns", a.lookup_ns),
                format!("{:.1} ns", b.lookup_ns),
                self.speedup_lookup,
            ),
            (
                "lookup, dependent",
                format!("{:.1} ns", a.lookup_dependent_ns),
                format!("{:.1} ns", b.lookup_dependent_ns),
                self.speedup_lookup_dependent,
            ),
            (
                "insert, random order",
                format!("{:.2} M/s", a.insert_random_mops),
                format!("{:.2} M/s", b.insert_random_mops),
                self.speedup_insert_random,
            ),
            (
                "insert, ascending",
                format!("{:.2} M/s", a.insert_ascending_mops),
                format!("{:.2} M/s", b.insert_ascending_mops),
                ratio(a.insert_ascending_mops, b.insert_ascending_mops),
            ),
            (
                "memory",
                format!("{:.1} B/key", a.bytes_per_key),
                format!("{:.1} B/key", b.bytes_per_key),
                ratio(b.bytes_per_key, a.bytes_per_key),
            ),
        ];
        for (metric, av, bv, adv) in rows {
            let _ = writeln!(out, "{metric:<24} {av:>14} {bv:>14} {:>15.2}x", adv);
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "goals (set at 10M keys; informational, never fail the run):"
        );
        for g in &self.goals {
            let actual = match g.unit {
                "x" => format!("{:.2}x", g.actual),
                "bytes/key" => format!("{:.1} B/key", g.actual),
                "M/s" => format!("{:.2} M/s", g.actual),
                unit => format!("{:.1} {unit}", g.actual),
            };
            let status = if g.met { "met" } else { "NOT met" };
            let _ = writeln!(out, "  {:<46} {actual:>14}  {status}", g.goal);
        }
        let s = &self.alex_stats;
        let r = &self.alex_stats_after_random_inserts;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "ALEX after bulk load: depth {}, {} model nodes, {} data nodes, {} bytes",
            s.depth, s.model_nodes, s.data_nodes, s.bytes_used
        );
        let _ = writeln!(
            out,
            "ALEX after random inserts: depth {}, {} model nodes, {} data nodes, {} bytes; \
             {} expansions, {} retrains, {} sideways splits, {} downward splits, \
             {} root expansions",
            r.depth,
            r.model_nodes,
            r.data_nodes,
            r.bytes_used,
            r.counters.expansions,
            r.counters.retrains,
            r.counters.splits_sideways,
            r.counters.splits_down,
            r.counters.root_expansions
        );
        let v = &self.validation;
        if v.ok {
            let _ = writeln!(
                out,
                "validation: ok ({}{})",
                v.checks.join("; "),
                if v.validate_called {
                    ""
                } else {
                    "; validate() skipped above 1M keys"
                }
            );
        } else {
            let _ = writeln!(out, "validation: FAILED");
            for e in &v.errors {
                let _ = writeln!(out, "  - {e}");
            }
        }
        let _ = writeln!(
            out,
            "checksum {}, total {:.1} s",
            self.checksum, self.total_s
        );
        let _ = writeln!(out, "notes:");
        for note in &self.notes {
            let _ = writeln!(out, "  - {note}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    /// Keeps every phase name it is told.
    #[derive(Default)]
    struct Phases(parking_lot::Mutex<Vec<String>>);

    impl Progress for Phases {
        fn phase(&self, name: &str, _total: Option<u64>) {
            self.0.lock().push(name.to_string());
        }
    }

    #[test]
    fn btree_node_count_small_cases() {
        assert_eq!(btreemap_bulk_built_bytes(0), 0);
        // Up to 11 entries: one leaf root.
        assert_eq!(btreemap_bulk_built_bytes(1), BTREE_LEAF_NODE_BYTES);
        assert_eq!(btreemap_bulk_built_bytes(11), BTREE_LEAF_NODE_BYTES);
        // 12th entry goes up into a new root; a fresh leaf opens on the right.
        assert_eq!(
            btreemap_bulk_built_bytes(12),
            2 * BTREE_LEAF_NODE_BYTES + BTREE_INTERNAL_NODE_BYTES
        );
        // Large trees: about 12 entries per leaf, so ~16 bytes/key of leaves.
        let per_key = btreemap_bulk_built_bytes(1_000_000) as f64 / 1e6;
        assert!((16.0..19.0).contains(&per_key), "{per_key}");
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0]), 2.5);
        assert_eq!(median(vec![]), 0.0);
    }

    #[test]
    fn small_run_is_complete_and_valid() {
        let cfg = IndexBenchConfig {
            keys: 2000,
            dist: KeyDist::Lognormal,
            seed: 7,
            probes: Some(5000),
        };
        let messages = Phases::default();
        let r = run_index_bench(&cfg, &messages).expect("bench runs");
        assert!(r.validation.ok, "{:?}", r.validation.errors);
        assert!(r.validation.validate_called);
        assert_eq!(r.keys, 2000);
        assert_eq!(r.settings.runs, 3);
        assert_eq!(r.settings.probes, 5000);
        for s in [&r.alex, &r.btreemap] {
            for x in [
                s.bulk_load_s,
                s.lookup_ns,
                s.lookup_dependent_ns,
                s.insert_random_mops,
                s.insert_ascending_mops,
                s.bytes_per_key,
            ] {
                assert!(x.is_finite() && x > 0.0, "{s:?}");
            }
        }
        assert!(r.speedup_lookup > 0.0);
        assert_eq!(r.goals.len(), 6);
        let messages = messages.0.into_inner();
        assert!(messages[0].starts_with("generating 2000"), "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m == "ALEX: validate() after the insert phases")
        );
        let table = r.to_table();
        assert!(table.contains("ALEX") && table.contains("BTreeMap"));
    }

    #[test]
    fn zero_keys_is_an_error() {
        let cfg = IndexBenchConfig {
            keys: 0,
            ..IndexBenchConfig::default()
        };
        assert!(run_index_bench(&cfg, &NoProgress).is_err());
    }
}
