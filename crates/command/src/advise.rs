//! The advisor behind `.advise` (issue 14): rules as data over the live figures. Each
//! rule is a name, the figures it reads and a pure function of an [`AdviseInput`]; it
//! proposes `.set` commands with its reasoning in one line, stays quiet with the figures
//! it looked at, or says which data it lacks. No I/O here: the executor gathers the input
//! and applies a proposal through its normal option path.
use std::path::PathBuf;

use serde::Serialize;

use engine::metrics::{MrcCurve, Snapshot};
use engine::options::format_size;
use engine::{Compression, DbOptions};

/// What the rules read: the live figures, the options in force, the value cache's
/// miss-ratio curve (when the estimator has one).
#[derive(Debug, Clone, Copy)]
pub struct AdviseInput<'a> {
    pub snap: &'a Snapshot,
    pub opts: &'a DbOptions,
    pub mrc: Option<&'a MrcCurve>,
}

/// One figure a rule read: `name = value` (the value with its unit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub name: &'static str,
    pub value: String,
}

/// One proposed change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub rule: &'static str,
    pub figures: Vec<Figure>,
    /// Why, in one line.
    pub reason: String,
    /// `(option, value)` pairs; shown and applied as `.set OPTION VALUE`.
    pub sets: Vec<(String, String)>,
    /// The expected effect where the data says it.
    pub effect: Option<String>,
}

impl Proposal {
    /// The commands, as typed.
    pub fn commands(&self) -> Vec<String> {
        self.sets
            .iter()
            .map(|(n, v)| format!(".set {n} {v}"))
            .collect()
    }
}

/// What one rule found.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    Propose(Proposal),
    /// Nothing to change; the figures it looked at.
    Quiet(Vec<Figure>),
    /// Cannot judge: which data is missing (statistics off, too few samples, ...).
    NoData(String),
}

/// One rule of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    /// The figures it reads, for `.help`-style listings and the docs.
    pub reads: &'static str,
    pub check: fn(&AdviseInput) -> Finding,
}

/// Every rule, in the order `.advise` lists them.
pub const RULES: &[Rule] = &[
    Rule {
        name: "cache-split",
        reads: "miss-ratio curve, value_cache_size, block_cache_size, block-cache hit rate and usage",
        check: cache_split,
    },
    Rule {
        name: "write-stalls",
        reads: "stall_micros, write_stall, delayed_write_rate, pending compaction bytes, L0 files",
        check: write_stalls,
    },
    Rule {
        name: "l0-stalls",
        reads: "L0 files, level0_slowdown_writes_trigger, level0_stop_writes_trigger, stall seconds caused by L0 files, max_background_jobs",
        check: l0_stalls,
    },
    Rule {
        name: "memtable-stalls",
        reads: "stall seconds caused by memtables, immutable memtables, max_write_buffer_number, write_buffer_size",
        check: memtable_stalls,
    },
    Rule {
        name: "pending-compaction",
        reads: "pending compaction bytes, soft/hard_pending_compaction_bytes_limit, stall seconds caused by pending bytes, max_background_jobs",
        check: pending_compaction,
    },
    Rule {
        name: "small-flushes",
        reads: "bytes flushes wrote to L0 and their count (L0 write bytes, L0 compactions), write_buffer_size",
        check: small_flushes,
    },
    Rule {
        name: "decompression",
        reads: "RocksDB get split (decompress vs total), gets by level, compression codecs",
        check: decompression,
    },
    Rule {
        name: "bloom-filter",
        reads: "bloom_useful vs filter checks, bloom_bits_per_key, keys",
        check: bloom_filter,
    },
    Rule {
        name: "bloom-false-positives",
        reads: "bloom_useful, bloom_full_positive, bloom_full_true_positive, bloom_bits_per_key",
        check: bloom_false_positives,
    },
    Rule {
        name: "block-reads",
        reads: "block-cache hits and misses, block-cache usage and capacity, SST bytes",
        check: block_reads,
    },
];

/// Runs every rule, in table order: `(rule name, finding)`.
pub fn advise(input: &AdviseInput) -> Vec<(&'static str, Finding)> {
    RULES.iter().map(|r| (r.name, (r.check)(input))).collect()
}

// ---- thresholds ----

/// Curve samples below which a predicted hit rate is noise (SHARDS error grows as the
/// sample shrinks; a thousand sampled gets keeps it within a few points).
pub const MIN_MRC_SAMPLES: u64 = 1_000;
const MIB: u64 = 1 << 20;
/// A move between the caches must gain at least this many hit-rate points to be worth
/// a change (smaller gains are within the curve's own error).
pub const MIN_GAIN_POINTS: f64 = 2.0;
/// Halving the value cache that loses at most this many points means its memory is idle.
pub const FLAT_LOSS_POINTS: f64 = 0.5;
/// A curve whose first reads exceed this many points cannot call the value cache's top idle.
pub const MAX_FIRST_READ_POINTS: f64 = 2.0;
/// A block cache answering this share of its lookups earns its memory: do not take from it.
pub const BLOCK_HIT_KEEP: f64 = 0.80;
/// Block-cache lookups (or filter checks) below which a share is noise.
pub const MIN_LOOKUPS: u64 = 1_000;
/// Writes stalled this share of the window: enough to cost throughput visibly.
pub const STALL_SHARE: f64 = 0.01;
/// RocksDB's default `level0_slowdown_writes_trigger` (alexdb does not change it): at
/// this many L0 files writes slow down, so compaction is behind.
pub const L0_SLOWDOWN_FILES: u64 = 20;
/// L0 at this share of `level0_slowdown_writes_trigger` is "too many L0 files": one
/// more burst and writes slow down.
pub const L0_NEAR_SLOWDOWN: f64 = 0.8;
/// Compaction debt at this share of the soft limit is near it.
pub const DEBT_NEAR_SOFT: f64 = 0.5;
/// Flushes below this many bytes on average make small L0 files (many files to
/// compact and to check per read).
pub const SMALL_FLUSH_BYTES: u64 = 16 << 20;
/// Flushes needed before their average size means anything.
pub const MIN_FLUSHES: u64 = 4;
/// A write buffer flushed at less than this share of its size was cut short (WAL size,
/// `.flush`), so a bigger buffer would not make bigger files.
pub const FLUSH_FILL_MIN: f64 = 0.25;
/// The largest write buffer `small-flushes` proposes.
pub const MAX_PROPOSED_WRITE_BUFFER: usize = 256 << 20;
/// A bloom filter passing more than this share of the keys it should reject is weaker
/// than its bits promise (10 bits per key pass about 1%).
pub const BLOOM_FP_MAX: f64 = 0.03;
/// The false-positive rate more bits aim at.
pub const BLOOM_FP_TARGET: f64 = 0.01;
/// PerfContext-timed gets below which RocksDB's split is noise.
pub const MIN_PERF_GETS: u64 = 200;
/// Decompression above this share of RocksDB's get time is worth a lighter codec (a
/// quarter of the read path spent undoing compression).
pub const DECOMPRESS_SHARE: f64 = 0.25;
/// A bloom filter that says "not here" to fewer than this share of checks is nearly
/// dead weight: ALEX already answers absent keys before RocksDB is asked.
pub const BLOOM_USEFUL_MIN: f64 = 0.01;
/// Block reads from files above this share of lookups dominate the read path.
pub const BLOCK_MISS_SHARE: f64 = 0.5;
/// A block cache holding this share of its capacity is full.
pub const BLOCK_CACHE_FULL: f64 = 0.9;
/// SST data above this many times the block cache will not fit even if it doubles.
pub const SST_VS_CACHE: u64 = 4;
/// The smallest block size proposed (below it index blocks grow for little gain).
pub const MIN_BLOCK_SIZE: usize = 4 << 10;

// ---- formatting ----

fn fig(name: &'static str, value: String) -> Figure {
    Figure { name, value }
}

/// Bytes for people: `12.0 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GiB", 1073741824.0), ("MiB", 1048576.0), ("KiB", 1024.0)];
    for (u, m) in UNITS {
        if n as f64 >= m {
            return format!("{:.1} {u}", n as f64 / m);
        }
    }
    format!("{n} B")
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn set(name: &str, value: String) -> (String, String) {
    (name.to_string(), value)
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

// ---- rules ----

/// The miss-ratio curve says memory moved between the value cache and the block cache
/// raises the hit rate: grow the value cache from a block cache that earns little, or
/// give a value cache whose curve is flat back to a full block cache.
fn cache_split(i: &AdviseInput) -> Finding {
    let Some(c) = i.mrc.filter(|c| !c.points.is_empty()) else {
        return Finding::NoData("no miss-ratio curve yet".into());
    };
    if c.sampled_gets < MIN_MRC_SAMPLES {
        return Finding::NoData(format!(
            "the miss-ratio curve rests on {} sampled gets (needs {MIN_MRC_SAMPLES})",
            c.sampled_gets
        ));
    }
    let r = &i.snap.rocksdb;
    if !r.statistics_enabled {
        return Finding::NoData("rocksdb_statistics is off: no block-cache hit rate".into());
    }
    let t = &r.tickers.block_cache;
    let (bhits, bmiss) = (
        t.data_hit + t.index_hit + t.filter_hit,
        t.data_miss + t.index_miss + t.filter_miss,
    );
    let bhit = share(bhits, bhits + bmiss);
    let (v, b) = (
        i.opts.value_cache_size as u64,
        i.opts.block_cache_bytes as u64,
    );
    let now = c.hit_rate_at(v).unwrap_or(0.0);
    let figures = vec![
        fig("value_cache_size", bytes(v)),
        fig("block_cache_size", bytes(b)),
        fig("curve hit rate now", pct(now)),
        fig("measured value-cache hit rate", pct(i.snap.cache.hit_rate)),
        fig("block-cache hit rate", pct(bhit)),
        fig("curve samples", c.sampled_gets.to_string()),
        fig(
            "first reads (curve ceiling)",
            pct(first_read_points(c) / 100.0),
        ),
    ];
    let full = r.block_cache_usage as f64 >= BLOCK_CACHE_FULL * b.max(1) as f64;
    // A block cache that answers well keeps its used part; the room it never filled can
    // still move to the value cache without costing it a hit.
    let movable = if bhit >= BLOCK_HIT_KEEP {
        b.saturating_sub(r.block_cache_usage) / MIB * MIB
    } else {
        b / 2
    };
    let found = grow_value_cache(c, (v, b), now, movable, bhit)
        .or_else(|| full.then(|| shrink_value_cache(c, (v, b), now)).flatten());
    match found {
        Some((extra, mut p)) => {
            p.figures = figures;
            p.figures.push(extra);
            Finding::Propose(p)
        }
        None => Finding::Quiet(figures),
    }
}

/// Grow the value cache by `d` bytes of block cache (half of it when the block cache
/// misses too often to keep, else the room it does not use) when the curve gains
/// enough. `(v, b)`: the two sizes.
fn grow_value_cache(
    c: &MrcCurve,
    (v, b): (u64, u64),
    now: f64,
    d: u64,
    bhit: f64,
) -> Option<(Figure, Proposal)> {
    let grown = c.hit_rate_at(v + d)?;
    let gain = (grown - now) * 100.0;
    if d == 0 || gain < MIN_GAIN_POINTS {
        return None;
    }
    let p = Proposal {
        rule: "cache-split",
        figures: Vec::new(),
        reason: format!(
            "the curve gains {gain:.1} points with {} more value cache, taken from a block cache that {}",
            bytes(d),
            if bhit >= BLOCK_HIT_KEEP {
                format!("leaves {} unused", bytes(d))
            } else {
                format!("answers only {} of its lookups", pct(bhit))
            }
        ),
        sets: vec![
            set("value_cache_size", format_size((v + d) as usize)),
            set("block_cache_size", format_size((b - d) as usize)),
        ],
        effect: Some(format!(
            "{gain:+.1} points value-cache hit rate ({} -> {}), same total memory",
            pct(now),
            pct(grown)
        )),
    };
    Some((fig("curve hit rate grown", pct(grown)), p))
}

/// Halve a value cache whose curve is flat over its top half and give that memory to
/// the (full) block cache.
fn shrink_value_cache(c: &MrcCurve, (v, b): (u64, u64), now: f64) -> Option<(Figure, Proposal)> {
    let half = v / 2;
    let shrunk = c.hit_rate_at(v - half)?;
    let loss = (now - shrunk) * 100.0;
    if half == 0 || loss > FLAT_LOSS_POINTS || first_read_points(c) > MAX_FIRST_READ_POINTS {
        return None;
    }
    let p = Proposal {
        rule: "cache-split",
        figures: Vec::new(),
        reason: format!(
            "the curve is flat over the value cache's top {} (it loses {loss:.1} points) while the block cache is full",
            bytes(half)
        ),
        sets: vec![
            set("value_cache_size", format_size((v - half) as usize)),
            set("block_cache_size", format_size((b + half) as usize)),
        ],
        effect: Some(format!(
            "{:+.1} points value-cache hit rate, moves {} to the block cache",
            -loss,
            bytes(half)
        )),
    };
    Some((fig("curve hit rate at half", pct(shrunk)), p))
}

/// Points of the sampled gets that were a key's first read in the curve's memory: its
/// ceiling. A warm cache may hit those (the load filled it), and the curve cannot say
/// at which size, so a curve this far below 100% cannot show that a size is idle.
fn first_read_points(c: &MrcCurve) -> f64 {
    c.points
        .last()
        .map_or(100.0, |p| (1.0 - p.hit_rate) * 100.0)
}

/// Write stalls, or compaction falling behind: bigger and more memtables flush less
/// often; with L0 at the slowdown point, more background threads compact faster.
fn write_stalls(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let writes = s.ops.put + s.ops.delete + s.ops.load;
    if writes == 0 {
        return Finding::NoData("no writes in the window".into());
    }
    let r = &s.rocksdb;
    if !r.statistics_enabled {
        return Finding::NoData("rocksdb_statistics is off: no stall_micros".into());
    }
    let stalled = r.tickers.stall_micros as f64 / 1e6 / s.window_secs.max(1e-9);
    let l0 = r.levels.first().map_or(0, |l| l.files);
    let behind = r.pending_compaction_bytes > o.max_bytes_for_level_base as u64;
    let figures = vec![
        fig("stall_micros", format!("{} us", r.tickers.stall_micros)),
        fig("stalled share", pct(stalled)),
        fig("write_stall now", r.write_stall.to_string()),
        fig(
            "delayed_write_rate",
            format!("{} B/s", r.delayed_write_rate),
        ),
        fig("pending compaction", bytes(r.pending_compaction_bytes)),
        fig("L0 files", l0.to_string()),
        fig("write_buffer_size", bytes(o.write_buffer_size as u64)),
        fig(
            "max_write_buffer_number",
            o.max_write_buffer_number.to_string(),
        ),
    ];
    if stalled < STALL_SHARE && !r.write_stall && r.delayed_write_rate == 0 && !behind {
        return Finding::Quiet(figures);
    }
    if let Some(rules) = cause_rules(&r.stall) {
        return Finding::NoData(format!(
            "RocksDB named the stalls' causes: {rules} propose for them"
        ));
    }
    let mut sets = vec![set(
        "write_buffer_size",
        format_size((o.write_buffer_size * 2).min(64 << 30)),
    )];
    if o.max_write_buffer_number < 64 {
        sets.push(set(
            "max_write_buffer_number",
            (o.max_write_buffer_number + 2).min(64).to_string(),
        ));
    }
    if l0 >= L0_SLOWDOWN_FILES || behind {
        sets.push(set(
            "max_background_jobs",
            (o.max_background_jobs * 2).min(256).to_string(),
        ));
    }
    let why = if behind {
        format!(
            "{} of compaction is pending (more than L1's {})",
            bytes(r.pending_compaction_bytes),
            bytes(o.max_bytes_for_level_base as u64)
        )
    } else {
        format!("writes stalled {} of the window", pct(stalled))
    };
    Finding::Propose(Proposal {
        rule: "write-stalls",
        figures,
        reason: format!("{why}: larger and more memtables flush half as often and absorb bursts"),
        sets,
        effect: Some(format!(
            "half as many flushes and L0 files; stalls were {} of the window",
            pct(stalled)
        )),
    })
}

/// The rules for the stall causes RocksDB named (`l0-stalls, memtable-stalls`), if it
/// named any: they propose for their cause, so the general rule leaves it to them.
fn cause_rules(st: &engine::metrics::StallState) -> Option<String> {
    let rules: Vec<&str> = [
        ("l0 files", "l0-stalls"),
        ("memtables", "memtable-stalls"),
        ("pending bytes", "pending-compaction"),
    ]
    .into_iter()
    .filter(|(cause, _)| {
        st.by_cause
            .iter()
            .any(|c| c.cause == *cause && c.delayed_secs + c.stopped_secs > 0.0)
    })
    .map(|(_, rule)| rule)
    .collect();
    (!rules.is_empty()).then(|| rules.join(", "))
}

/// Seconds writes were delayed and stopped for `cause` since open.
fn stall_secs(s: &Snapshot, cause: &str) -> (f64, f64) {
    s.rocksdb
        .stall
        .by_cause
        .iter()
        .filter(|c| c.cause == cause)
        .fold((0.0, 0.0), |(d, t), c| {
            (d + c.delayed_secs, t + c.stopped_secs)
        })
}

/// `1.2 s delayed, 0.0 s stopped`.
fn secs_text((delayed, stopped): (f64, f64)) -> String {
    format!("{delayed:.1} s delayed, {stopped:.1} s stopped")
}

/// The stall condition now with its cause: `delayed (l0 files)`, `normal`.
fn stall_now(s: &Snapshot) -> String {
    let st = &s.rocksdb.stall;
    let cond = if st.condition.is_empty() {
        "normal"
    } else {
        st.condition
    };
    match st.cause {
        Some(c) => format!("{cond} ({c})"),
        None => cond.to_string(),
    }
}

/// Twice the background jobs (flushes and compactions run in parallel), capped.
fn more_jobs(o: &DbOptions) -> (String, String) {
    set(
        "max_background_jobs",
        (o.max_background_jobs * 2).min(256).to_string(),
    )
}

/// Too many L0 files, or writes stalled by them: compaction of L0 is behind. More
/// background jobs compact it sooner; a higher slowdown trigger (the stop trigger kept
/// above it) lets a burst pass without a stall, at the cost of more L0 files per read.
fn l0_stalls(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let Some(l0) = s.rocksdb.levels.first() else {
        return Finding::NoData("no LSM shape yet".into());
    };
    let slow = o.level0_slowdown_writes_trigger.max(1) as u64;
    let stop = o.level0_stop_writes_trigger.max(1) as u64;
    let secs = stall_secs(s, "l0 files");
    let now = s.rocksdb.stall.cause == Some("l0 files");
    let figures = vec![
        fig("L0 files", l0.files.to_string()),
        fig("level0_slowdown_writes_trigger", slow.to_string()),
        fig("level0_stop_writes_trigger", stop.to_string()),
        fig("stalls for L0 files since open", secs_text(secs)),
        fig("stall now", stall_now(s)),
        fig("max_background_jobs", o.max_background_jobs.to_string()),
    ];
    let near = l0.files as f64 >= L0_NEAR_SLOWDOWN * slow as f64;
    if !now && !near && secs.0 + secs.1 <= 0.0 {
        return Finding::Quiet(figures);
    }
    let new_slow = (slow + slow / 2).max(slow + 1);
    let mut sets = vec![more_jobs(o)];
    if new_slow >= stop {
        sets.push(set(
            "level0_stop_writes_trigger",
            (new_slow + (stop - slow).max(1)).to_string(),
        ));
    }
    sets.push(set("level0_slowdown_writes_trigger", new_slow.to_string()));
    let why = if now || secs.0 + secs.1 > 0.0 {
        format!("writes stalled on L0 files ({})", secs_text(secs))
    } else {
        format!(
            "L0 holds {} files, {:.0}% of the slowdown trigger",
            l0.files,
            l0.files as f64 * 100.0 / slow as f64
        )
    };
    Finding::Propose(Proposal {
        rule: "l0-stalls",
        figures,
        reason: format!(
            "{why}: more background jobs compact L0 sooner; a slowdown trigger of {new_slow} lets bursts pass"
        ),
        sets,
        effect: Some(
            "fewer and shorter L0 stalls; gets may check a few more L0 files (watch get p99)"
                .into(),
        ),
    })
}

/// Writes stalled because every memtable was full: flushes are behind the writes. More
/// memtables absorb a burst while one flushes; bigger ones flush less often.
fn memtable_stalls(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let r = &s.rocksdb;
    let secs = stall_secs(s, "memtables");
    let now = r.stall.cause == Some("memtables");
    let max = o.max_write_buffer_number.max(1) as u64;
    let figures = vec![
        fig("stalls for memtables since open", secs_text(secs)),
        fig("stall now", stall_now(s)),
        fig("immutable memtables", r.immutable_memtables.to_string()),
        fig("max_write_buffer_number", max.to_string()),
        fig("write_buffer_size", bytes(o.write_buffer_size as u64)),
    ];
    if !now && secs.0 + secs.1 <= 0.0 {
        return Finding::Quiet(figures);
    }
    let mut sets = Vec::new();
    if max < 64 {
        sets.push(set(
            "max_write_buffer_number",
            (max + 2).min(64).to_string(),
        ));
    }
    sets.push(set(
        "write_buffer_size",
        format_size((o.write_buffer_size * 2).min(64 << 30)),
    ));
    Finding::Propose(Proposal {
        rule: "memtable-stalls",
        figures,
        reason: format!(
            "writes waited for a free memtable ({}): flushes fall behind the writes",
            secs_text(secs)
        ),
        sets,
        effect: Some(format!(
            "room for bursts while a memtable flushes; memtables may use up to {} (watch Memory)",
            bytes(((max + 2).min(64) as usize * o.write_buffer_size * 2) as u64)
        )),
    })
}

/// The compaction debt nears the soft limit (or already stalled writes): compaction
/// cannot keep up. More background jobs pay the debt; a higher limit (the hard limit
/// kept above it) delays the slowdown.
fn pending_compaction(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let r = &s.rocksdb;
    let soft = o.soft_pending_compaction_bytes_limit as u64;
    let hard = o.hard_pending_compaction_bytes_limit as u64;
    let debt = r.pending_compaction_bytes;
    let secs = stall_secs(s, "pending bytes");
    let now = r.stall.cause == Some("pending bytes");
    let limit = |n: u64| if n == 0 { "0 (none)".into() } else { bytes(n) };
    let figures = vec![
        fig("pending compaction", bytes(debt)),
        fig("soft_pending_compaction_bytes_limit", limit(soft)),
        fig("hard_pending_compaction_bytes_limit", limit(hard)),
        fig("stalls for pending bytes since open", secs_text(secs)),
        fig("stall now", stall_now(s)),
        fig("max_background_jobs", o.max_background_jobs.to_string()),
    ];
    let near = soft > 0 && debt as f64 >= DEBT_NEAR_SOFT * soft as f64;
    if !now && !near && secs.0 + secs.1 <= 0.0 {
        return Finding::Quiet(figures);
    }
    let mut sets = vec![more_jobs(o)];
    if soft > 0 {
        let new_soft = soft * 2;
        if hard > 0 && hard < new_soft * 2 {
            sets.push(set(
                "hard_pending_compaction_bytes_limit",
                format_size((new_soft * 2) as usize),
            ));
        }
        sets.push(set(
            "soft_pending_compaction_bytes_limit",
            format_size(new_soft as usize),
        ));
    }
    let share = if soft > 0 {
        format!(", {} of the soft limit", pct(share(debt, soft)))
    } else {
        String::new()
    };
    Finding::Propose(Proposal {
        rule: "pending-compaction",
        figures,
        reason: format!(
            "{} of compaction is pending{share} ({}): compaction does not keep up with the writes",
            bytes(debt),
            secs_text(secs)
        ),
        sets,
        effect: Some(
            "the debt shrinks with more compaction threads; a higher limit delays the slowdown (more space used meanwhile)"
                .into(),
        ),
    })
}

/// Flushes write small L0 files because the write buffer is small: each flush makes a
/// file, and many small files mean more compactions and more files per read.
fn small_flushes(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let Some(l0) = s.rocksdb.levels.first() else {
        return Finding::NoData("no LSM shape yet".into());
    };
    if l0.compactions < MIN_FLUSHES {
        return Finding::NoData(format!(
            "{} flushes since open (needs {MIN_FLUSHES})",
            l0.compactions
        ));
    }
    let avg = l0.write_bytes / l0.compactions;
    let wbs = o.write_buffer_size as u64;
    let figures = vec![
        fig("flushes since open", l0.compactions.to_string()),
        fig("bytes flushed to L0", bytes(l0.write_bytes)),
        fig("average flush", bytes(avg)),
        fig("write_buffer_size", bytes(wbs)),
    ];
    // Cut short (WAL size, `.flush`) or well compressed: the buffer is not the limit.
    let cut_short = (avg as f64) < FLUSH_FILL_MIN * wbs as f64;
    if avg >= SMALL_FLUSH_BYTES || cut_short || o.write_buffer_size >= MAX_PROPOSED_WRITE_BUFFER {
        return Finding::Quiet(figures);
    }
    let new = (o.write_buffer_size * 4).min(MAX_PROPOSED_WRITE_BUFFER);
    Finding::Propose(Proposal {
        rule: "small-flushes",
        figures,
        reason: format!(
            "flushes write {} files on average (write_buffer_size {}): many small L0 files to compact and to check per read",
            bytes(avg),
            bytes(wbs)
        ),
        sets: vec![set("write_buffer_size", format_size(new))],
        effect: Some(format!(
            "about {}x fewer, larger L0 files; memtables use more memory (watch Memory)",
            new / o.write_buffer_size.max(1)
        )),
    })
}

/// Bits per key for a false-positive rate `fp` (a bloom filter's rate is about
/// 0.6185^bits).
fn bloom_bits_for(fp: f64) -> f64 {
    (fp.ln() / 0.6185f64.ln()).ceil()
}

/// The bloom filter passes more absent keys than its bits should: too few bits per key
/// (or filters written with fewer bits before). More bits reject more of them.
fn bloom_false_positives(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let r = &s.rocksdb;
    if o.bloom_bits_per_key <= 0.0 {
        return Finding::Quiet(vec![fig("bloom_bits_per_key", "0 (filters off)".into())]);
    }
    if !r.statistics_enabled {
        return Finding::NoData("rocksdb_statistics is off: no bloom tickers".into());
    }
    let t = &r.tickers;
    let fp = t
        .bloom_full_positive
        .saturating_sub(t.bloom_full_true_positive);
    let negatives = fp + t.bloom_useful;
    if negatives < MIN_LOOKUPS {
        return Finding::NoData(format!(
            "{negatives} filter checks of absent keys in the window (needs {MIN_LOOKUPS})"
        ));
    }
    let rate = share(fp, negatives);
    let figures = vec![
        fig("bloom_useful", t.bloom_useful.to_string()),
        fig("false positives", fp.to_string()),
        fig("false-positive rate", pct(rate)),
        fig("bloom_bits_per_key", o.bloom_bits_per_key.to_string()),
    ];
    // A filter that rejects almost nothing is the bloom-filter rule's case (drop it).
    let useful = share(t.bloom_useful, t.bloom_useful + t.bloom_full_positive);
    if rate <= BLOOM_FP_MAX || useful < BLOOM_USEFUL_MIN {
        return Finding::Quiet(figures);
    }
    let next = bloom_bits_for(BLOOM_FP_TARGET)
        .max(o.bloom_bits_per_key + 2.0)
        .min(100.0);
    Finding::Propose(Proposal {
        rule: "bloom-false-positives",
        figures,
        reason: format!(
            "the filter let {} of the absent keys it checked through to a file read",
            pct(rate)
        ),
        sets: vec![set("bloom_bits_per_key", format!("{next}"))],
        effect: Some(format!(
            "about {} false positives at {next} bits per key (new files; .compact rewrites the old ones); filters grow to {next} bits per key",
            pct(0.6185f64.powf(next))
        )),
    })
}

/// The next lighter codec, `None` when there is none lighter.
fn lighter(c: Compression) -> Option<Compression> {
    match c {
        Compression::Zstd => Some(Compression::Lz4),
        Compression::Lz4 | Compression::Snappy => Some(Compression::None),
        Compression::None => None,
    }
}

/// Decompression is a large share of RocksDB's get time: a lighter codec for the level
/// the gets read (the bottommost one unless L0/L1 answer most of them).
fn decompression(i: &AdviseInput) -> Finding {
    let (p, o) = (&i.snap.rocksdb_perf, i.opts);
    if !p.enabled && p.gets == 0 {
        return Finding::NoData(
            "perf_level is off: no RocksDB get split (.set perf_level time_except_mutex)".into(),
        );
    }
    if p.gets < MIN_PERF_GETS {
        return Finding::NoData(format!(
            "{} PerfContext-timed gets (needs {MIN_PERF_GETS})",
            p.gets
        ));
    }
    let dshare = share(p.decompress_ns, p.total_ns());
    let t = &i.snap.rocksdb.tickers;
    let upper = t.get_hit_l0 + t.get_hit_l1 > t.get_hit_l2_and_up;
    let (name, codec) = if upper {
        ("compression", o.compression)
    } else {
        ("bottommost_compression", o.bottommost_compression)
    };
    let figures = vec![
        fig(
            "decompress",
            format!("{:.1} us/get", p.decompress_ns as f64 / 1e3 / p.gets as f64),
        ),
        fig(
            "rocksdb get",
            format!("{:.1} us/get", p.total_ns() as f64 / 1e3 / p.gets as f64),
        ),
        fig("decompress share", pct(dshare)),
        fig(
            "gets L0+L1 / L2+",
            format!("{} / {}", t.get_hit_l0 + t.get_hit_l1, t.get_hit_l2_and_up),
        ),
        fig(name, codec.to_string()),
    ];
    let next = match lighter(codec) {
        Some(n) if dshare >= DECOMPRESS_SHARE => n,
        _ => return Finding::Quiet(figures),
    };
    let level = if upper {
        "the upper levels"
    } else {
        "the bottommost level"
    };
    Finding::Propose(Proposal {
        rule: "decompression",
        figures,
        reason: format!(
            "decompressing {codec} blocks is {} of RocksDB's get time and most gets read {level}",
            pct(dshare)
        ),
        sets: vec![set(name, next.to_string())],
        effect: Some(format!(
            "up to {:.1} us less per RocksDB get (new files; .compact rewrites the old ones), larger files",
            p.decompress_ns as f64 / 1e3 / p.gets as f64
        )),
    })
}

/// The bloom filter rarely says "not here": ALEX answers absent keys first, so RocksDB
/// is asked almost only for keys it has. Drop the bottom level's filters, or all.
fn bloom_filter(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let r = &s.rocksdb;
    if o.bloom_bits_per_key <= 0.0 {
        return Finding::Quiet(vec![fig("bloom_bits_per_key", "0 (filters off)".into())]);
    }
    if !r.statistics_enabled {
        return Finding::NoData("rocksdb_statistics is off: no bloom tickers".into());
    }
    let t = &r.tickers;
    let checks = t.bloom_useful + t.bloom_full_positive;
    if checks < MIN_LOOKUPS {
        return Finding::NoData(format!(
            "{checks} filter checks in the window (needs {MIN_LOOKUPS})"
        ));
    }
    let useful = share(t.bloom_useful, checks);
    let keys = r.estimated_keys.max(s.index.keys);
    let filter_bytes = (o.bloom_bits_per_key * keys as f64 / 8.0) as u64;
    let figures = vec![
        fig("bloom_useful", t.bloom_useful.to_string()),
        fig("filter checks", checks.to_string()),
        fig("useful share", pct(useful)),
        fig("bloom_bits_per_key", o.bloom_bits_per_key.to_string()),
        fig("keys", keys.to_string()),
        fig("filter memory", bytes(filter_bytes)),
    ];
    if useful >= BLOOM_USEFUL_MIN {
        return Finding::Quiet(figures);
    }
    let (sets, frees) = if !o.optimize_filters_for_hits {
        let bottom = bottom_share(s);
        let freed = (filter_bytes as f64 * bottom) as u64;
        (vec![set("optimize_filters_for_hits", "on".into())], freed)
    } else {
        (vec![set("bloom_bits_per_key", "0".into())], filter_bytes)
    };
    Finding::Propose(Proposal {
        rule: "bloom-filter",
        figures,
        reason: format!(
            "the filter said \"not here\" to {} of {checks} checks: ALEX answers absent keys before RocksDB",
            pct(useful)
        ),
        sets,
        effect: Some(format!(
            "frees about {} of filter blocks (new files; .compact rewrites the old ones)",
            bytes(frees)
        )),
    })
}

/// Share of the SST bytes in the last non-empty level (where `optimize_filters_for_hits`
/// drops the filters).
fn bottom_share(s: &Snapshot) -> f64 {
    let total: u64 = s.rocksdb.levels.iter().map(|l| l.bytes).sum();
    let last = s.rocksdb.levels.iter().rev().find(|l| l.bytes > 0);
    last.map_or(0.0, |l| share(l.bytes, total))
}

/// Block reads from files dominate and the block cache is full: a bigger cache when the
/// data would fit, else smaller blocks (less read and cached per get).
fn block_reads(i: &AdviseInput) -> Finding {
    let (s, o) = (i.snap, i.opts);
    let r = &s.rocksdb;
    if !r.statistics_enabled {
        return Finding::NoData("rocksdb_statistics is off: no block-cache tickers".into());
    }
    let t = &r.tickers.block_cache;
    let hits = t.data_hit + t.index_hit + t.filter_hit;
    let misses = t.data_miss + t.index_miss + t.filter_miss;
    if hits + misses < MIN_LOOKUPS {
        return Finding::NoData(format!(
            "{} block-cache lookups in the window (needs {MIN_LOOKUPS})",
            hits + misses
        ));
    }
    let miss = share(misses, hits + misses);
    let cap = o.block_cache_bytes as u64;
    let full = r.block_cache_usage as f64 >= BLOCK_CACHE_FULL * cap.max(1) as f64;
    let figures = vec![
        fig("block reads from files", misses.to_string()),
        fig("block-cache hits", hits.to_string()),
        fig("read share", pct(miss)),
        fig(
            "block-cache usage",
            format!("{} of {}", bytes(r.block_cache_usage), bytes(cap)),
        ),
        fig("SST data", bytes(r.sst_bytes)),
        fig("block_size", bytes(o.block_size as u64)),
    ];
    if miss < BLOCK_MISS_SHARE || !full {
        return Finding::Quiet(figures);
    }
    let fits = r.sst_bytes <= SST_VS_CACHE * cap.max(1);
    let (sets, effect) = if fits || o.block_size / 2 < MIN_BLOCK_SIZE {
        (
            vec![set(
                "block_cache_size",
                format_size((o.block_cache_bytes * 2).max(1 << 20)),
            )],
            format!(
                "the cache grows to {} (SST data is {})",
                bytes(cap * 2),
                bytes(r.sst_bytes)
            ),
        )
    } else {
        (
            vec![set("block_size", format_size(o.block_size / 2))],
            format!(
                "half the bytes read and cached per get (new files; .compact rewrites the old ones); SST data is {}x the cache",
                r.sst_bytes / cap.max(1)
            ),
        )
    };
    Finding::Propose(Proposal {
        rule: "block-reads",
        figures,
        reason: format!(
            "{} of block lookups read from files and the block cache is full",
            pct(miss)
        ),
        sets,
        effect: Some(effect),
    })
}

/// The last `.advise` list and the applied proposals, newest last.
#[derive(Debug, Default)]
pub(crate) struct Advice {
    /// The database the proposals are for (`.open` makes them stale).
    pub(crate) db: PathBuf,
    pub(crate) proposals: Vec<Proposal>,
    /// The options the proposals were computed against: any change makes them stale.
    pub(crate) opts: Option<DbOptions>,
    pub(crate) undo: Vec<Applied>,
    /// How many applied proposals `.advise undo` has put back (what a further undo says).
    pub(crate) undone: usize,
}

/// One applied proposal: what to put back.
#[derive(Debug)]
pub(crate) struct Applied {
    pub(crate) n: usize,
    pub(crate) rule: &'static str,
    /// `(option, value before the apply)`.
    pub(crate) before: Vec<(String, String)>,
}
