//! Plain data that front ends render. Nothing here points back into the engine.
use serde::Serialize;

use super::recorder::{Counter, HistSet, OpKind, RawCounters};
use super::sum::{Combine, metric_struct};

/// Everything a dashboard shows, at one moment. Counters (ops, hits, rows, bytes, the
/// get split, RocksDB tickers) cover `window_secs`: since open for
/// `Db::metrics_snapshot()`, since the previous call for `Db::metrics_window()`. Gauges
/// (entries, bytes in memory, LSM shape) are current values.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    /// Seconds the counters in this snapshot cover.
    pub window_secs: f64,
    /// Seconds since the database was opened.
    pub uptime_secs: f64,
    pub ops: OpCounts,
    pub cache: CacheStats,
    pub index: IndexCounters,
    pub rows: RowCounts,
    pub bytes: ByteCounts,
    /// Latency of the timed (sampled) operations.
    pub latency: OpLatencies,
    pub get_split: GetSplit,
    /// RocksDB's own split of the timed gets that reached it (`perf_level` with timing).
    pub rocksdb_perf: PerfSplit,
    /// 1 in `sample_rate` operations is timed.
    pub sample_rate: u32,
    pub timing_enabled: bool,
    pub rocksdb: RocksStats,
    pub memory: MemoryStats,
    /// Option changes, reopens, flushes and compactions in the window, oldest first.
    pub events: Vec<super::Event>,
    /// The value cache's miss-ratio curve now (thinned for drawing), when estimated.
    /// Left out of the per-sample JSON: `.mrc --json` has the whole curve.
    #[serde(skip)]
    pub mrc: Option<super::MrcCurve>,
}

impl Snapshot {
    /// Operations per second over the window.
    pub fn ops_per_sec(&self) -> f64 {
        if self.window_secs > 0.0 {
            self.ops.total as f64 / self.window_secs
        } else {
            0.0
        }
    }
}

metric_struct! {
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct OpCounts {
        pub get: u64,
        pub put: u64,
        pub delete: u64,
        pub scan: u64,
        pub count: u64,
        pub load: u64,
        pub total: u64,
    }
}

metric_struct! {
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct CacheStats {
        pub hits: u64,
        pub misses: u64,
        /// hits / (hits + misses), 0 when there were no lookups.
        pub hit_rate: f64 [keep],
        pub entries: u64 [keep],
        pub capacity: u64 [keep],
        /// Memory held, bookkeeping included.
        pub bytes: u64 [keep],
        /// `clock` or `lru` (`value_cache_policy`).
        pub policy: &'static str [keep],
        /// Everything in `bytes` but the stored value bytes (per entry: the cost of caching).
        pub bookkeeping_bytes: u64 [keep],
        /// Value bytes as stored (compressed when `value_cache_compression` is on).
        pub stored_bytes: u64 [keep],
    }
}

metric_struct! {
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct IndexCounters {
        /// Gets that missed the value cache and found the key in ALEX.
        pub found: u64,
        /// Gets answered "absent" by ALEX without touching RocksDB.
        pub absent: u64,
        pub keys: u64 [keep],
        pub bytes: u64 [keep],
    }
}

metric_struct! {
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct RowCounts {
        /// Rows returned by gets and scans.
        pub read: u64,
        /// Rows written by puts and loads.
        pub written: u64,
        pub deleted: u64,
    }
}

metric_struct! {
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct ByteCounts {
        /// Value bytes returned by gets and scans.
        pub read: u64,
        /// Value bytes written by puts and loads.
        pub written: u64,
    }
}

/// Latency percentiles of one operation kind, in nanoseconds (1% precision).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LatencySummary {
    /// Timed operations behind these numbers.
    pub samples: u64,
    pub mean_ns: f64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub p999_ns: u64,
    pub max_ns: u64,
}

impl LatencySummary {
    /// Summarises a histogram of clock ticks, `ns_per_tick` converting to nanoseconds.
    pub fn from_histogram(h: &hdrhistogram::Histogram<u64>, ns_per_tick: f64) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        let ns = |ticks: u64| (ticks as f64 * ns_per_tick).round() as u64;
        Self {
            samples: h.len(),
            mean_ns: h.mean() * ns_per_tick,
            p50_ns: ns(h.value_at_quantile(0.50)),
            p90_ns: ns(h.value_at_quantile(0.90)),
            p99_ns: ns(h.value_at_quantile(0.99)),
            p999_ns: ns(h.value_at_quantile(0.999)),
            max_ns: ns(h.max()),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OpLatencies {
    pub get: LatencySummary,
    pub put: LatencySummary,
    pub delete: LatencySummary,
    pub scan: LatencySummary,
    pub count: LatencySummary,
    pub load: LatencySummary,
}

metric_struct! {
    /// Where timed gets spent their time. `cache_ns + alex_ns + rocksdb_ns + rest_ns ==
    /// total_ns` exactly, so the percentages add up to 100.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
    pub struct GetSplit {
        pub sampled_gets: u64,
        pub cache_ns: u64,
        pub alex_ns: u64,
        pub rocksdb_ns: u64,
        pub rest_ns: u64,
        pub total_ns: u64,
        pub cache_pct: f64 [keep],
        pub alex_pct: f64 [keep],
        pub rocksdb_pct: f64 [keep],
        pub rest_pct: f64 [keep],
    }
}

metric_struct! {
    /// RocksDB's PerfContext split of timed gets, summed over the window. Filter and index
    /// include their block-cache lookups and reads; `data_block_ns` is the rest of the SST
    /// work (data block fetch and search); `block_read_ns` is the part of all three spent
    /// reading blocks from files, so it overlaps them.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
    pub struct PerfSplit {
        /// Whether `perf_level` times anything now (the split is empty when it does not).
        pub enabled: bool [keep],
        /// Timed gets measured with PerfContext.
        pub gets: u64,
        pub memtable_ns: u64,
        pub filter_ns: u64,
        pub index_ns: u64,
        pub data_block_ns: u64,
        pub block_read_ns: u64,
        /// Decompressing the blocks read from files (also inside the parts above).
        pub decompress_ns: u64,
    }
}

impl PerfSplit {
    fn from_counters(c: &RawCounters, enabled: bool) -> Self {
        let filter = c.get(Counter::PerfFilterNs);
        let index = c.get(Counter::PerfIndexNs);
        Self {
            enabled,
            gets: c.get(Counter::PerfGets),
            memtable_ns: c.get(Counter::PerfMemtableNs),
            filter_ns: filter,
            index_ns: index,
            data_block_ns: c.get(Counter::PerfSstNs).saturating_sub(filter + index),
            block_read_ns: c.get(Counter::PerfBlockReadNs),
            decompress_ns: c.get(Counter::PerfDecompressNs),
        }
    }

    /// Adds `other`'s sums (for a split over several windows); `enabled` becomes
    /// `other`'s, the newer one.
    pub fn add(&mut self, other: &PerfSplit) {
        *self = PerfSplit {
            enabled: other.enabled,
            ..self.combine(other, u64::saturating_add)
        };
    }

    /// Memtable + filter + index + data block: RocksDB's measured part of a get.
    pub fn total_ns(&self) -> u64 {
        self.memtable_ns + self.filter_ns + self.index_ns + self.data_block_ns
    }
}

impl GetSplit {
    /// Sets the percentages from the nanosecond parts (after parts were summed).
    pub fn recompute_pct(&mut self) {
        let total = self.total_ns;
        let pct = |v: u64| {
            if total == 0 {
                0.0
            } else {
                v as f64 * 100.0 / total as f64
            }
        };
        self.cache_pct = pct(self.cache_ns);
        self.alex_pct = pct(self.alex_ns);
        self.rocksdb_pct = pct(self.rocksdb_ns);
        self.rest_pct = pct(self.rest_ns);
    }

    fn from_counters(c: &RawCounters, ns_per_tick: f64) -> Self {
        let ns = |ticks: u64| (ticks as f64 * ns_per_tick).round() as u64;
        let total = ns(c.get(Counter::GetTotalTicks));
        let cache = ns(c.get(Counter::GetCacheTicks));
        let alex = ns(c.get(Counter::GetAlexTicks));
        let rocks = ns(c.get(Counter::GetRocksTicks));
        // Derived, so that rounding cannot break "the parts add up to the total".
        let rest = total.saturating_sub(cache + alex + rocks);
        let total = total.max(cache + alex + rocks);
        let pct = |v: u64| {
            if total == 0 {
                0.0
            } else {
                v as f64 * 100.0 / total as f64
            }
        };
        Self {
            sampled_gets: c.get(Counter::GetSampled),
            cache_ns: cache,
            alex_ns: alex,
            rocksdb_ns: rocks,
            rest_ns: rest,
            total_ns: total,
            cache_pct: pct(cache),
            alex_pct: pct(alex),
            rocksdb_pct: pct(rocks),
            rest_pct: pct(rest),
        }
    }
}

metric_struct! {
    /// RocksDB block cache tickers split by block kind.
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct BlockCacheTickers {
        pub data_hit: u64,
        pub data_miss: u64,
        pub index_hit: u64,
        pub index_miss: u64,
        pub filter_hit: u64,
        pub filter_miss: u64,
    }
}

metric_struct! {
    /// RocksDB statistics counters (cumulative in RocksDB; windowed like the engine's).
    #[derive(Debug, Clone, Copy, Default, Serialize)]
    pub struct RocksTickers {
        pub block_cache: BlockCacheTickers,
        /// Point lookups a bloom filter answered "not here" (an SST read avoided).
        pub bloom_useful: u64,
        pub bloom_full_positive: u64,
        pub bloom_full_true_positive: u64,
        pub memtable_hit: u64,
        pub memtable_miss: u64,
        pub get_hit_l0: u64,
        pub get_hit_l1: u64,
        pub get_hit_l2_and_up: u64,
        pub bytes_written: u64,
        pub bytes_read: u64,
        pub wal_bytes: u64,
        pub flush_write_bytes: u64,
        pub compact_read_bytes: u64,
        pub compact_write_bytes: u64,
        pub stall_micros: u64,
    }
}

impl RocksTickers {
    /// What was counted between `e` and `self`.
    pub fn since(&self, e: &RocksTickers) -> RocksTickers {
        self.combine(e, u64::saturating_sub)
    }

    /// Sums (carries tickers of a closed RocksDB instance into the next one).
    pub fn plus(&self, e: &RocksTickers) -> RocksTickers {
        self.combine(e, u64::saturating_add)
    }
}

/// One LSM level: its shape now, and what flushes and compactions did to it since the
/// database was opened (counted by the engine's RocksDB event listener).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LevelInfo {
    pub level: u32,
    pub files: u64,
    pub bytes: u64,
    /// RocksDB's compaction score: 1.0 or more means the level is due for compaction
    /// (read from its Compaction Stats table, which prints one decimal; 0 for the last
    /// level and for levels the table leaves out).
    pub score: f64,
    /// Bytes compactions into this level read, from both input levels (RocksDB's
    /// `Read(GB)`), since open.
    pub read_bytes: u64,
    /// Of `read_bytes`, those read from the level above (RocksDB's `Rn(GB)`).
    pub read_above_bytes: u64,
    /// Bytes flushes (L0) and compactions wrote into this level (RocksDB's `Write(GB)`).
    pub write_bytes: u64,
    /// RocksDB's per-level `W-Amp`: `write_bytes / read_above_bytes`, and for L0
    /// `write_bytes` / the bytes flushes wrote (1.0 unless L0 compacts into itself); 0
    /// when nothing came in.
    pub w_amp: f64,
    /// Seconds flushes and compactions into this level ran (RocksDB's `Comp(sec)`).
    pub compaction_secs: f64,
    /// Flushes and compactions into this level (RocksDB's `Comp(cnt)`).
    pub compactions: u64,
    /// Bytes per second read and written by flushes and compactions into this level over
    /// the snapshot's window.
    pub read_per_sec: f64,
    pub write_per_sec: f64,
}

/// Amplification of the whole tree.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Amplification {
    /// Bytes the user wrote (keys and values put, `rocksdb.bytes.written`), since open;
    /// 0 with `rocksdb_statistics` off. Bulk loads ingest files and count in neither.
    pub user_bytes: u64,
    /// Bytes flushes and compactions wrote to table files, since open.
    pub sst_written_bytes: u64,
    /// Bytes flushes wrote, and bytes of table files a bulk load ingested, since open:
    /// what RocksDB divides by for L0's and the Sum row's W-Amp.
    pub flushed_bytes: u64,
    pub ingested_bytes: u64,
    /// `sst_written_bytes / user_bytes` (0 before anything was written).
    pub write_amp: f64,
    /// `rocksdb.estimate-live-data-size`.
    pub live_data_bytes: u64,
    /// Table-file bytes / live data bytes (0 when there is no live data).
    pub space_amp: f64,
    /// Table files a point get may consult: every L0 file plus one per non-empty
    /// deeper level (from the tree's shape).
    pub read_amp: u64,
}

/// Writes stalled or not, why, and for how long (from the event listener's
/// stall-condition changes).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StallState {
    /// `normal`, `delayed` or `stopped`.
    pub condition: &'static str,
    /// Why, when not normal: `l0 files`, `memtables` or `pending bytes`, named by the
    /// RocksDB write-stall counter that grew with the change, else by the tree's shape
    /// against the limits; `unknown` when neither names one; `None` when normal.
    pub cause: Option<&'static str>,
    /// Condition changes since open.
    pub changes: u64,
    /// Seconds delayed and stopped per cause since open (the current stall included), in
    /// the order the causes first appeared: wall-clock time the condition held, whether
    /// or not a write was waiting (RocksDB's `stall_micros` counts writers' waits).
    pub by_cause: Vec<StallSeconds>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StallSeconds {
    pub cause: &'static str,
    pub delayed_secs: f64,
    pub stopped_secs: f64,
}

/// A compaction under way (begun, not completed).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunningCompaction {
    pub job: i32,
    /// RocksDB's `CompactionReason`, as a short name (`l0 files`, `level size`, `manual`, ...).
    pub reason: &'static str,
    pub from_level: i32,
    pub to_level: i32,
    pub input_files: u64,
    /// Seconds since it began.
    pub running_secs: f64,
}

/// What one kind of block holds in the block cache (`rocksdb.block-cache-entry-stats`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BlockKindUse {
    /// `data`, `index`, `filter`, `filter meta`, `compression dict`, `other`, ...
    pub kind: String,
    pub entries: u64,
    pub bytes: u64,
}

/// RocksDB's side: tickers (windowed) and gauges (current).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RocksStats {
    /// False when `rocksdb_statistics` is off: the tickers are then all zero.
    pub statistics_enabled: bool,
    pub tickers: RocksTickers,
    /// `rocksdb.cur-size-all-mem-tables`
    pub memtable_bytes: u64,
    pub immutable_memtables: u64,
    /// `rocksdb.estimate-table-readers-mem`
    pub table_readers_bytes: u64,
    pub block_cache_usage: u64,
    pub block_cache_pinned_usage: u64,
    pub block_cache_capacity: u64,
    /// Every level 0..num_levels, empty ones included.
    pub levels: Vec<LevelInfo>,
    pub sst_files: u64,
    pub sst_bytes: u64,
    pub estimated_keys: u64,
    pub pending_compaction_bytes: u64,
    pub compaction_pending: bool,
    pub running_compactions: u64,
    pub running_flushes: u64,
    /// `rocksdb.actual-delayed-write-rate` (bytes/s; 0 when writes are not delayed).
    pub delayed_write_rate: u64,
    /// `rocksdb.is-write-stopped`
    pub write_stopped: bool,
    /// Writes are delayed or stopped right now.
    pub write_stall: bool,
    /// `soft_pending_compaction_bytes_limit` and `hard_...` in force (0 = no limit):
    /// `pending_compaction_bytes` against them is the compaction debt.
    pub soft_pending_limit: u64,
    pub hard_pending_limit: u64,
    pub amp: Amplification,
    pub stall: StallState,
    pub running: Vec<RunningCompaction>,
    /// What each block kind holds in the block cache; empty when RocksDB did not say.
    pub block_cache_by_kind: Vec<BlockKindUse>,
}

impl RocksStats {
    /// RocksDB's Sum row: every level's figures added up; its W-Amp is RocksDB's, bytes
    /// written to table files per byte flushed or ingested (the `amp` line's write
    /// amplification divides by the bytes the user wrote instead).
    pub fn level_sum(&self) -> LevelInfo {
        let mut s = LevelInfo::default();
        for l in &self.levels {
            s.files += l.files;
            s.bytes += l.bytes;
            s.read_bytes += l.read_bytes;
            s.read_above_bytes += l.read_above_bytes;
            s.write_bytes += l.write_bytes;
            s.compaction_secs += l.compaction_secs;
            s.compactions += l.compactions;
            s.read_per_sec += l.read_per_sec;
            s.write_per_sec += l.write_per_sec;
        }
        let input = self.amp.flushed_bytes + self.amp.ingested_bytes;
        s.w_amp = if input == 0 {
            0.0
        } else {
            s.write_bytes as f64 / input as f64
        };
        s
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct MemoryStats {
    /// Resident set size of the whole process.
    pub rss_bytes: u64,
    pub alex_bytes: u64,
    pub value_cache_bytes: u64,
    pub block_cache_bytes: u64,
    pub memtable_bytes: u64,
    pub table_readers_bytes: u64,
    /// Part of `block_cache_bytes` that cannot be evicted: pinned index and filter
    /// blocks, and blocks in use (`rocksdb.block-cache-pinned-usage`).
    pub block_cache_pinned_bytes: u64,
}

/// The cumulative raw numbers a snapshot is computed from; a [`super::MetricsWindow`]
/// keeps the previous one to compute deltas.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawState {
    pub uptime_secs: f64,
    pub counters: RawCounters,
    pub hists: HistSet,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub cache_hit_bytes: u64,
    pub tickers: RocksTickers,
    /// Newest event id at this moment (the Db lists the events in between).
    pub last_event_id: u64,
    /// Per level, the bytes compactions read and wrote into it since open (for rates).
    pub level_bytes: Vec<(u64, u64)>,
}

/// Gauges read at snapshot time (not windowed).
#[derive(Debug, Clone, Default)]
pub(crate) struct Gauges {
    pub cache_entries: u64,
    pub cache_capacity: u64,
    pub cache_bytes: u64,
    pub cache_policy: &'static str,
    pub cache_bookkeeping_bytes: u64,
    pub cache_stored_bytes: u64,
    pub index_keys: u64,
    pub index_bytes: u64,
    pub rss_bytes: u64,
    pub sample_rate: u32,
    pub timing_enabled: bool,
    /// `perf_level` is one that times (RocksDB's own split is recorded).
    pub perf_timing: bool,
    /// Converts the recorder's clock ticks to nanoseconds.
    pub ns_per_tick: f64,
    /// RocksDB gauges; its `tickers` field is replaced by the windowed tickers.
    pub rocks: RocksStats,
}

impl RawState {
    /// The cumulative (read, written) bytes of each of `r`'s levels.
    pub fn level_bytes(r: &RocksStats) -> Vec<(u64, u64)> {
        r.levels
            .iter()
            .map(|l| (l.read_bytes, l.write_bytes))
            .collect()
    }

    /// Sets each level's read and write rates over the window from `p` to `self`, and
    /// the tree's write amplification from the user bytes since open.
    fn fill_lsm_rates(&self, p: &RawState, rocks: &mut RocksStats) {
        let secs = self.uptime_secs - p.uptime_secs;
        for (i, l) in rocks.levels.iter_mut().enumerate() {
            let (r0, w0) = p.level_bytes.get(i).copied().unwrap_or((0, 0));
            let (r1, w1) = self.level_bytes.get(i).copied().unwrap_or((0, 0));
            if secs > 0.0 {
                l.read_per_sec = r1.saturating_sub(r0) as f64 / secs;
                l.write_per_sec = w1.saturating_sub(w0) as f64 / secs;
            }
        }
        let amp = &mut rocks.amp;
        amp.user_bytes = self.tickers.bytes_written;
        amp.write_amp = if amp.user_bytes == 0 {
            0.0
        } else {
            amp.sst_written_bytes as f64 / amp.user_bytes as f64
        };
    }

    /// Builds the snapshot for the window from `prev` (or from open, if `None`) to `self`.
    pub fn snapshot(&self, prev: Option<&RawState>, g: Gauges) -> Snapshot {
        let empty = RawState::default();
        let p = prev.unwrap_or(&empty);
        let c = self.counters.since(&p.counters);
        let h = self.hists.since(&p.hists);
        let hits = self.cache_hits.saturating_sub(p.cache_hits);
        let misses = self.cache_misses.saturating_sub(p.cache_misses);
        let hit_bytes = self.cache_hit_bytes.saturating_sub(p.cache_hit_bytes);
        let get = hits + misses + c.get(Counter::GetsUncached);
        let ops = OpCounts {
            get,
            put: c.get(Counter::Puts),
            delete: c.get(Counter::Deletes),
            scan: c.get(Counter::Scans),
            count: c.get(Counter::Counts),
            load: c.get(Counter::Loads),
            total: get
                + c.get(Counter::Puts)
                + c.get(Counter::Deletes)
                + c.get(Counter::Scans)
                + c.get(Counter::Counts)
                + c.get(Counter::Loads),
        };
        let lat = |k: OpKind| LatencySummary::from_histogram(h.get(k), g.ns_per_tick);
        let mut rocks = g.rocks;
        rocks.tickers = self.tickers.since(&p.tickers);
        self.fill_lsm_rates(p, &mut rocks);
        let memory = MemoryStats {
            rss_bytes: g.rss_bytes,
            alex_bytes: g.index_bytes,
            value_cache_bytes: g.cache_bytes,
            block_cache_bytes: rocks.block_cache_usage,
            memtable_bytes: rocks.memtable_bytes,
            table_readers_bytes: rocks.table_readers_bytes,
            block_cache_pinned_bytes: rocks.block_cache_pinned_usage,
        };
        Snapshot {
            window_secs: (self.uptime_secs - p.uptime_secs).max(0.0),
            uptime_secs: self.uptime_secs,
            ops,
            cache: CacheStats {
                hits,
                misses,
                hit_rate: if hits + misses == 0 {
                    0.0
                } else {
                    hits as f64 / (hits + misses) as f64
                },
                entries: g.cache_entries,
                capacity: g.cache_capacity,
                bytes: g.cache_bytes,
                policy: g.cache_policy,
                bookkeeping_bytes: g.cache_bookkeeping_bytes,
                stored_bytes: g.cache_stored_bytes,
            },
            index: IndexCounters {
                found: c.get(Counter::AlexFound),
                absent: c.get(Counter::AlexAbsent),
                keys: g.index_keys,
                bytes: g.index_bytes,
            },
            rows: RowCounts {
                read: hits + c.get(Counter::RowsReadStore),
                written: c.get(Counter::RowsWritten),
                deleted: c.get(Counter::RowsDeleted),
            },
            bytes: ByteCounts {
                read: hit_bytes + c.get(Counter::BytesReadStore),
                written: c.get(Counter::BytesWritten),
            },
            latency: OpLatencies {
                get: lat(OpKind::Get),
                put: lat(OpKind::Put),
                delete: lat(OpKind::Delete),
                scan: lat(OpKind::Scan),
                count: lat(OpKind::Count),
                load: lat(OpKind::Load),
            },
            get_split: GetSplit::from_counters(&c, g.ns_per_tick),
            rocksdb_perf: PerfSplit::from_counters(&c, g.perf_timing),
            sample_rate: g.sample_rate,
            timing_enabled: g.timing_enabled,
            rocksdb: rocks,
            memory,
            events: Vec::new(),
            mrc: None,
        }
    }
}

/// A front end's view of "what happened since I last looked". Each front end keeps its
/// own, so a dashboard and a `stats` command do not reset each other.
#[derive(Debug, Default)]
pub struct MetricsWindow {
    pub(crate) prev: Option<RawState>,
}

impl MetricsWindow {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cumulative histograms at the window's last call (the metrics history
    /// differences two of them to get one window's latencies).
    pub fn histograms(&self) -> Option<&HistSet> {
        self.prev.as_ref().map(|p| &p.hists)
    }
}
