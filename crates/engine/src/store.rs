//! RocksDB: the only file of the engine (and of the metrics) that talks to it; the rest
//! of the engine sees `Store`'s functions and RocksDB's errors as text. Outside the engine
//! two benchmark files keep their own RocksDB use: `bench/engines.rs`'s plain-RocksDB peer
//! (its own handle, built with [`rocksdb_options`]) and `bench/profile.rs`'s PerfContext
//! reads.
//!
//! Keys are stored with an order-preserving 8-byte encoding ([`encode_key`]): the sign bit
//! flipped, big-endian, so RocksDB's bytewise order is numeric order (-5 before 3).
use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};

use rocksdb::{
    AsRawPtr, BlockBasedOptions, BlockBasedTablePinningTier, BottommostLevelCompaction, Cache,
    ColumnFamilyDescriptor, CompactOptions, DB, DBCompactionStyle, DBCompressionType,
    DBPinnableSlice, DBRecoveryMode, DataBlockIndexType, FifoCompactOptions, FlushOptions,
    InfoLogger, IngestExternalFileOptions, LogLevel, Options, ReadOptions, SstFileWriter,
    WriteBatch, WriteOptions,
    perf::PerfStatsLevel,
    statistics::{StatsLevel as RocksStatsLevel, Ticker},
};

use serde::Serialize;

use super::error::{DbError, OpenError};
use super::held::HeldBytes;
pub use super::keys::{decode_key, encode_key};
use super::lsm::Texts;
use super::lsm::stall::Shape;
use super::options::{
    Apply, BlockCacheType, CompactionStyle, Compression, DbOptions, Opt, PerfLevel, PinningTier,
    RocksForm, StatsLevel, Val, WalRecoveryMode, format_size,
};
use crate::metrics::sum::{Combine, metric_struct};
use crate::metrics::{BlockCacheTickers, LevelInfo, RocksStats, RocksTickers};

/// Prefix of the scratch directories `load` writes SST files into, inside the database
/// directory (same file system, so ingestion can hard-link instead of copy). Leftovers
/// from a crash are removed on open.
const LOAD_DIR_PREFIX: &str = "alexdb-load-";

/// How often (in keys) [`Store::key_digest`] reports progress: rare enough to cost
/// nothing per key, often enough for a progress bar and a prompt cancel.
pub const DIGEST_TICK: u64 = 1 << 16;

/// A file in the database directory present while rows written without the WAL may be
/// only in memtables. A process killed then can leave flushes of those rows that the
/// MANIFEST never recorded, with no copy in the logs; at the next open this file says
/// such table files are a crash's leftovers, not a truncated MANIFEST's lost files.
pub(crate) const UNLOGGED_MARKER: &str = "alexdb-unlogged-writes";

/// Prefix of the directories inside the database directory that an open moves
/// unreferenced table files into when `UNLOGGED_MARKER` is present (see
/// [`plan_tables`]): they may hold rows in no log, so they are kept.
pub(crate) const SET_ASIDE_PREFIX: &str = "alexdb-unreferenced-";

/// An optional encoded key bounding an iterator.
type Bound = Option<Vec<u8>>;

/// Keys RocksDB could not read (a data block that failed its checksum): the keys from
/// `first` to `last`, both included, are unknown; `reason` is RocksDB's message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DamagedRange {
    pub first: i64,
    pub last: i64,
    pub reason: String,
}

/// A table file that failed RocksDB's checksum verification, with RocksDB's message
/// (it names the offset and says "checksum mismatch").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SstError {
    pub file: String,
    pub error: String,
}

// The rocksdb crate does not wrap VerifyChecksum; these come from the RocksDB C API
// (rocksdb/c.h) already linked in through librocksdb-sys.
unsafe extern "C" {
    fn rocksdb_verify_checksum(db: *mut std::ffi::c_void, errptr: *mut *mut std::ffi::c_char);
    fn rocksdb_free(ptr: *mut std::ffi::c_void);
}

/// The table file named in a RocksDB message (`... in /dir/000012.sst offset ...`).
fn file_in_message(msg: &str) -> String {
    msg.split_whitespace()
        .find(|w| w.ends_with(".sst"))
        .map(|w| w.rsplit('/').next().unwrap_or(w).to_string())
        .unwrap_or_else(|| "(unknown file)".to_string())
}

/// Mixes a key into 64 well-spread bits (splitmix64's finaliser), so the wrapping sum
/// of every key's hash is an order-free checksum of a key set.
pub fn key_hash(key: i64) -> u64 {
    let mut z = (key as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Every readable key in order, and the ranges that could not be read.
#[derive(Debug, Default)]
pub(crate) struct KeyScan {
    pub keys: Vec<i64>,
    pub damaged: Vec<DamagedRange>,
}

impl KeyScan {
    /// Appends the scan of the next key range; a damaged range cut by the boundary
    /// between the two becomes one range again.
    fn append(&mut self, next: KeyScan) {
        self.keys.extend_from_slice(&next.keys);
        let mut rest = next.damaged.into_iter().peekable();
        if let (Some(a), Some(b)) = (self.damaged.last_mut(), rest.peek())
            && a.last.checked_add(1) == Some(b.first)
        {
            a.last = b.last;
            rest.next();
        }
        self.damaged.extend(rest);
    }
}

/// What a seek at one key found.
enum Probe {
    /// RocksDB reported corruption.
    Damaged,
    /// The first key at or after it (`None`: no key up to the bound).
    Next(Option<i64>),
}

/// Levels reported in snapshots (RocksDB's default `num_levels`).
const NUM_LEVELS: u32 = 7;

fn compression(c: Compression) -> DBCompressionType {
    match c {
        Compression::None => DBCompressionType::None,
        Compression::Snappy => DBCompressionType::Snappy,
        Compression::Lz4 => DBCompressionType::Lz4,
        Compression::Zstd => DBCompressionType::Zstd,
    }
}

/// The crate takes these from RocksDB's C header, so they need no renumbering (the LOG
/// of an open shows the mode; tests/safety_open.rs checks what each does).
fn recovery_mode(m: WalRecoveryMode) -> DBRecoveryMode {
    match m {
        WalRecoveryMode::AbsoluteConsistency => DBRecoveryMode::AbsoluteConsistency,
        WalRecoveryMode::PointInTime => DBRecoveryMode::PointInTime,
        WalRecoveryMode::TolerateCorruptedTail => DBRecoveryMode::TolerateCorruptedTailRecords,
        WalRecoveryMode::SkipAny => DBRecoveryMode::SkipAnyCorruptedRecord,
    }
}

/// The crate's `StatsLevel` is numbered one off from RocksDB 11's C++ enum (the crate
/// sends its variant's number; C++ has kExceptTickers = 0, kExceptHistogramOrTimers = 1,
/// kExceptTimers = 2, ...). Each of our levels maps to the crate variant whose number is
/// the C++ level we mean; tests/engine_rocksdb_enums.rs checks what they do.
fn stats_level(l: StatsLevel) -> RocksStatsLevel {
    match l {
        StatsLevel::DisableAll => RocksStatsLevel::DisableAll,
        StatsLevel::ExceptTimers => RocksStatsLevel::ExceptHistogramOrTimers,
        StatsLevel::ExceptDetailedTimers => RocksStatsLevel::ExceptTimers,
        StatsLevel::ExceptTimeForMutex => RocksStatsLevel::ExceptDetailedTimers,
        StatsLevel::All => RocksStatsLevel::ExceptTimeForMutex,
    }
}

/// PerfStatsLevel has the same problem from its fourth value on (the crate lacks
/// RocksDB's kEnableWait = 3), so the mapping is by number, as above.
fn perf_level(l: PerfLevel) -> PerfStatsLevel {
    match l {
        PerfLevel::Off => PerfStatsLevel::Disable,
        PerfLevel::Count => PerfStatsLevel::EnableCount,
        PerfLevel::TimeExceptMutex => PerfStatsLevel::EnableTimeAndCPUTimeExceptForMutex,
        PerfLevel::TimeAndCpuExceptMutex => PerfStatsLevel::EnableTime,
    }
}

/// Sets RocksDB's PerfContext level for the calling thread (it is thread-local).
pub(crate) fn apply_perf_level(l: PerfLevel) {
    rocksdb::perf::set_perf_stats(perf_level(l));
}

metric_struct! {
    /// RocksDB's own split of one get, in nanoseconds, from this thread's PerfContext.
    #[derive(Debug, Clone, Copy, Default)]
    pub(crate) struct PerfSample {
        pub memtable_ns: u64,
        pub filter_ns: u64,
        pub index_ns: u64,
        /// Everything spent in SST files: filter, index and data blocks.
        pub sst_ns: u64,
        /// Reading blocks from files (block-cache misses), whatever the block kind.
        pub block_read_ns: u64,
        /// Decompressing blocks read from files.
        pub decompress_ns: u64,
    }
}

impl PerfSample {
    /// What was recorded between `earlier` and `self`.
    pub fn since(&self, earlier: &PerfSample) -> PerfSample {
        self.combine(earlier, u64::saturating_sub)
    }
}

thread_local! {
    // The C API's handle is bound to the thread that created it, as the context is.
    static PERF_CONTEXT: rocksdb::perf::PerfContext = rocksdb::perf::PerfContext::default();
}

/// This thread's PerfContext counters now. Callers take differences rather than reset
/// the context, so a profile reading the whole context over a run is not disturbed.
pub(crate) fn perf_read() -> PerfSample {
    use rocksdb::perf::PerfMetric as M;
    PERF_CONTEXT.with(|c| PerfSample {
        memtable_ns: c.metric(M::GetFromMemtableTime),
        filter_ns: c.metric(M::ReadFilterBlockNanos),
        index_ns: c.metric(M::ReadIndexBlockNanos),
        sst_ns: c.metric(M::GetFromOutputFilesTime),
        block_read_ns: c.metric(M::BlockReadTime),
        decompress_ns: c.metric(M::BlockDecompressTime),
    })
}

/// RocksDB's name for a compression type in options strings.
fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "kNoCompression",
        Compression::Snappy => "kSnappyCompression",
        Compression::Lz4 => "kLZ4Compression",
        Compression::Zstd => "kZSTD",
    }
}

/// The block-based table options of `o` as a RocksDB options string, for `SetOptions`.
fn table_options_string(o: &DbOptions) -> String {
    let filter = if o.bloom_bits_per_key > 0.0 {
        format!("bloomfilter:{}:false", o.bloom_bits_per_key)
    } else {
        "nullptr".to_string()
    };
    let index = if o.data_block_hash_index {
        "kDataBlockBinaryAndHash"
    } else {
        "kDataBlockBinarySearch"
    };
    format!(
        "{{block_size={};filter_policy={filter};data_block_index_type={index};data_block_hash_table_util_ratio={};cache_index_and_filter_blocks={};pin_l0_filter_and_index_blocks_in_cache={};metadata_cache_options={{unpartitioned_pinning={}}}}}",
        o.block_size,
        o.data_block_hash_ratio,
        o.cache_index_and_filter_blocks,
        o.pin_l0_filter_and_index_blocks,
        pinning_name(pinning(o))
    )
}

/// The pinning tier of cached index and filter blocks. Without them in the block cache
/// there is nothing to pin: the table readers hold them (RocksDB's fallback).
fn pinning(o: &DbOptions) -> BlockBasedTablePinningTier {
    if !o.cache_index_and_filter_blocks {
        return BlockBasedTablePinningTier::Fallback;
    }
    match o.pin_index_and_filter_blocks {
        PinningTier::All => BlockBasedTablePinningTier::All,
        PinningTier::Flush => BlockBasedTablePinningTier::FlushAndSimilar,
        PinningTier::None => BlockBasedTablePinningTier::None,
        PinningTier::Fallback => BlockBasedTablePinningTier::Fallback,
    }
}

/// RocksDB's name for a pinning tier in options strings.
fn pinning_name(t: BlockBasedTablePinningTier) -> &'static str {
    match t {
        BlockBasedTablePinningTier::All => "kAll",
        BlockBasedTablePinningTier::FlushAndSimilar => "kFlushedAndSimilar",
        BlockBasedTablePinningTier::None => "kNone",
        BlockBasedTablePinningTier::Fallback => "kFallback",
    }
}

/// The `SetOptions` pairs that apply option `opt` of `o` to an open database, or `None`
/// when RocksDB cannot change it live.
pub(crate) fn set_options_pairs(opt: Opt, o: &DbOptions) -> Option<Vec<(String, String)>> {
    let (key, value) = match opt.spec().apply {
        Apply::SetOptions(key, form) => (key, rocks_value(form, o.value(opt))),
        Apply::Table => ("block_based_table_factory", table_options_string(o)),
        _ => return None,
    };
    let mut pairs = vec![(key.to_string(), value)];
    if opt == Opt::WriteBufferSize {
        pairs.push((
            "arena_block_size".into(),
            arena_block(o.write_buffer_size).to_string(),
        ));
    }
    Some(pairs)
}

/// The memtable arena block RocksDB would pick for a write buffer at open (an eighth of
/// it, at most 1 MiB, rounded up to 4 KiB). RocksDB picks it only at open: a write
/// buffer made smaller live would keep the old blocks, and a memtable whose first block
/// is larger than the buffer is full at its first record, so every put flushed.
fn arena_block(write_buffer: usize) -> usize {
    const ALIGN: usize = 4 << 10;
    (write_buffer / 8).min(1 << 20).div_ceil(ALIGN) * ALIGN
}

/// An option's value as RocksDB writes it in an options string.
fn rocks_value(form: RocksForm, v: Val) -> String {
    match form {
        RocksForm::Number => v.to_string(),
        // The table gives this form only to Compression fields.
        RocksForm::Compression => v
            .to_string()
            .parse()
            .map_or_else(|_| v.to_string(), |c| compression_name(c).to_string()),
        RocksForm::Nested(field) => format!("{{{field}={v}}}"),
    }
}

/// log2 of the shards RocksDB gives a cache of `capacity` (its `GetDefaultCacheShardBits`:
/// one shard per 512 KiB for LRU, per 32 MiB for HyperClock, a power of two, at most 64).
fn cache_shard_bits(kind: BlockCacheType, capacity: usize) -> u32 {
    let min_shard = match kind {
        BlockCacheType::Lru => 512 << 10,
        BlockCacheType::HyperClock => 32 << 20,
    };
    (capacity / min_shard).checked_ilog2().unwrap_or(0).min(6)
}

/// RocksDB options for `o`, with the block cache they use. Public so that benchmarks can
/// run plain RocksDB with exactly the engine's tuning.
pub fn rocksdb_options(o: &DbOptions) -> (Options, Cache) {
    let cache = match o.block_cache_type {
        BlockCacheType::Lru => Cache::new_lru_cache(o.block_cache_bytes),
        // 0: RocksDB estimates the entry size itself (AutoHyperClockCache). RocksDB
        // aborts the process when asked for an empty one (its table mapping fails), so
        // size 0 becomes 1 byte: a cache that holds nothing either way.
        BlockCacheType::HyperClock => Cache::new_hyper_clock_cache(o.block_cache_bytes.max(1), 0),
    };
    let mut r = Options::default();
    r.set_block_based_table_factory(&table_options(o, &cache, true));
    r.set_optimize_filters_for_hits(o.optimize_filters_for_hits);
    r.set_compression_type(compression(o.compression));
    r.set_bottommost_compression_type(compression(o.bottommost_compression));
    r.set_write_buffer_size(o.write_buffer_size);
    r.set_max_write_buffer_number(o.max_write_buffer_number);
    r.set_level_zero_file_num_compaction_trigger(o.level0_file_num_compaction_trigger);
    r.set_level_zero_slowdown_writes_trigger(o.level0_slowdown_writes_trigger);
    r.set_level_zero_stop_writes_trigger(o.level0_stop_writes_trigger);
    r.set_soft_pending_compaction_bytes_limit(o.soft_pending_compaction_bytes_limit);
    r.set_hard_pending_compaction_bytes_limit(o.hard_pending_compaction_bytes_limit);
    r.set_target_file_size_base(o.target_file_size_base as u64);
    r.set_max_bytes_for_level_base(o.max_bytes_for_level_base as u64);
    r.set_compaction_style(match o.compaction_style {
        CompactionStyle::Level => DBCompactionStyle::Level,
        CompactionStyle::Universal => DBCompactionStyle::Universal,
        CompactionStyle::Fifo => DBCompactionStyle::Fifo,
    });
    let mut fifo = FifoCompactOptions::default();
    fifo.set_max_table_files_size(o.fifo_max_size as u64);
    r.set_fifo_compaction_options(&fifo);
    r.set_max_open_files(o.max_open_files);
    r.set_max_background_jobs(o.max_background_jobs);
    r.set_use_direct_reads(o.use_direct_reads);
    r.set_use_direct_io_for_flush_and_compaction(o.use_direct_io_for_flush_and_compaction);
    r.set_allow_mmap_reads(o.allow_mmap_reads);
    r.set_bytes_per_sync(1 << 20);
    r.set_keep_log_file_num(4);
    if o.rocksdb_statistics {
        r.enable_statistics();
        r.set_statistics_level(stats_level(o.stats_level));
    }
    r.set_wal_recovery_mode(recovery_mode(o.wal_recovery_mode));
    r.create_if_missing(o.create_if_missing);
    (r, cache)
}

/// The block-based table options of `o`, with `cache`; `filters` false builds files
/// without bloom filters.
fn table_options(o: &DbOptions, cache: &Cache, filters: bool) -> BlockBasedOptions {
    let mut t = BlockBasedOptions::default();
    t.set_block_size(o.block_size);
    t.set_block_cache(cache);
    if filters && o.bloom_bits_per_key > 0.0 {
        t.set_bloom_filter(o.bloom_bits_per_key, false);
    }
    if o.data_block_hash_index {
        t.set_data_block_index_type(DataBlockIndexType::BinaryAndHash);
    }
    t.set_data_block_hash_ratio(o.data_block_hash_ratio);
    t.set_cache_index_and_filter_blocks(o.cache_index_and_filter_blocks);
    t.set_pin_l0_filter_and_index_blocks_in_cache(o.pin_l0_filter_and_index_blocks);
    // Index and filter blocks in the block cache (charged to it) are pinned by default
    // at every level: a bulk-loaded file has one multi-megabyte filter block, and once
    // data blocks push it out every get re-reads it (measured: 250 us per get at 10M
    // rows with a 256 MiB cache). `pin_index_and_filter_blocks` can narrow that.
    t.set_unpartitioned_pinning_tier(pinning(o));
    t
}

/// RocksDB read options for the reads `o` tunes (gets, batched gets, scans). Public so
/// that benchmarks can read plain RocksDB the same way.
pub fn rocksdb_read_options(o: &DbOptions) -> ReadOptions {
    let mut ro = ReadOptions::default();
    ro.set_verify_checksums(o.verify_checksums);
    ro
}

fn is_rocksdb_file(name: &str) -> bool {
    name == "CURRENT"
        || name == "LOCK"
        || name == "IDENTITY"
        || name.starts_with("LOG")
        || name.starts_with("MANIFEST-")
        || name.starts_with("OPTIONS-")
        || name.ends_with(".sst")
        || name.ends_with(".log")
        || name.ends_with(".blob")
        || name.ends_with(".dbtmp")
        || name.starts_with(LOAD_DIR_PREFIX)
        || name.starts_with(SET_ASIDE_PREFIX)
        || name.starts_with(super::persist::OPTIONS_FILE)
}

/// What `names` (a directory without CURRENT) hold of a database, as "12 table files and
/// a MANIFEST"; `None` when nothing (a failed create leaves only LOG, LOCK or IDENTITY).
/// RocksDB would create a new database there and delete the old files.
fn database_files(names: &[String]) -> Option<String> {
    // (is one of them, said of one, said of several). OPTIONS files hold no data: they
    // are named only when nothing else is there.
    type Kind = (fn(&str) -> bool, &'static str, &'static str);
    const KINDS: [Kind; 5] = [
        (|n| n.ends_with(".sst"), "1 table file", "table files"),
        (|n| n.starts_with("MANIFEST-"), "a MANIFEST", "MANIFESTs"),
        (
            |n| n.ends_with(".log"),
            "a write-ahead log",
            "write-ahead logs",
        ),
        (|n| n.ends_with(".blob"), "a blob file", "blob files"),
        (
            |n| n.starts_with("OPTIONS-"),
            "an OPTIONS file",
            "OPTIONS files",
        ),
    ];
    let mut parts = Vec::new();
    for (i, (is, one, many)) in KINDS.iter().enumerate() {
        let n = names.iter().filter(|name| is(name)).count();
        if n == 0 || (i == KINDS.len() - 1 && !parts.is_empty()) {
            continue;
        }
        parts.push(if n == 1 {
            one.to_string()
        } else {
            format!("{n} {many}")
        });
    }
    match parts.split_last()? {
        (last, []) => Some(last.clone()),
        (last, rest) => Some(format!("{} and {last}", rest.join(", "))),
    }
}

/// Checks the directory before RocksDB sees it; creates it if allowed. Refuses files and
/// directories holding things that are not RocksDB's. True when it holds a database.
fn prepare_dir(path: &Path, create: bool) -> Result<bool, OpenError> {
    let unreadable = |e: std::io::Error| OpenError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if !ensure_dir(path, create)? {
        return Ok(false);
    }
    let entries = fs::read_dir(path).map_err(|e| match e.kind() {
        IoKind::PermissionDenied => unreadable(e),
        _ => OpenError::io(path)(e),
    })?;
    let mut names = Vec::new();
    for e in entries {
        let e = e.map_err(unreadable)?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    if names.iter().any(|n| n == "CURRENT") {
        // Readable? (RocksDB's own message for this is less clear.)
        fs::File::open(path.join("CURRENT")).map_err(|e| match e.kind() {
            IoKind::PermissionDenied => unreadable(e),
            _ => OpenError::io(path)(e),
        })?;
        return Ok(true);
    }
    if let Some(held) = database_files(&names) {
        return Err(OpenError::Damaged {
            path: path.to_path_buf(),
            detail: format!(
                "it holds {held} but no CURRENT file; alexdb will not create a new one over it \
                 (restore CURRENT from a backup, or move these files away)"
            ),
        });
    }
    if let Some(e) = foreign_files(path, &names) {
        return Err(e);
    }
    if !create {
        return Err(OpenError::Missing {
            path: path.to_path_buf(),
        });
    }
    Ok(false)
}

/// Whether `path` is an existing directory (`false`: it was just created, as `create`
/// allows). A file, a missing path without `create`, or no access is the error.
fn ensure_dir(path: &Path, create: bool) -> Result<bool, OpenError> {
    let unreadable = |e: std::io::Error| OpenError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    match fs::metadata(path) {
        Err(e) if e.kind() == IoKind::NotFound => {
            if !create {
                return Err(OpenError::Missing {
                    path: path.to_path_buf(),
                });
            }
            fs::create_dir_all(path).map_err(|e| match e.kind() {
                IoKind::PermissionDenied => unreadable(e),
                _ => OpenError::io(path)(e),
            })?;
            Ok(false)
        }
        Err(e) if e.kind() == IoKind::PermissionDenied => Err(unreadable(e)),
        Err(e) => Err(OpenError::io(path)(e)),
        Ok(m) if !m.is_dir() => Err(OpenError::NotADatabase {
            path: path.to_path_buf(),
            reason: "it is a file, not a directory".to_string(),
        }),
        Ok(_) => Ok(true),
    }
}

/// The refusal for a directory without `CURRENT` that holds files that are not
/// RocksDB's (naming the first three).
fn foreign_files(path: &Path, names: &[String]) -> Option<OpenError> {
    let mut foreign: Vec<&String> = names.iter().filter(|n| !is_rocksdb_file(n)).collect();
    if foreign.is_empty() {
        return None;
    }
    foreign.sort();
    let shown: Vec<&str> = foreign.iter().take(3).map(|s| s.as_str()).collect();
    let more = if foreign.len() > 3 {
        format!(" and {} more", foreign.len() - 3)
    } else {
        String::new()
    };
    Some(OpenError::NotADatabase {
        path: path.to_path_buf(),
        reason: format!(
            "the directory holds other files ({}{more}) and no RocksDB CURRENT file",
            shown.join(", ")
        ),
    })
}

/// A table file's number from its name ("000123.sst" -> 123).
fn table_number(name: &str) -> Option<u64> {
    name.strip_suffix(".sst")?.parse().ok()
}

/// A table file in the database directory.
#[derive(Debug, Clone)]
pub(crate) struct DiskTable {
    pub name: String,
    pub number: u64,
    pub bytes: u64,
    /// Identifies the file across hard links (0 where the platform has none).
    inode: u64,
}

#[cfg(unix)]
fn inode(m: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn inode(_: &fs::Metadata) -> u64 {
    0
}

/// The table files in `dir`, with their sizes; the write-ahead logs' total size.
fn files_on_disk(dir: &Path) -> (Vec<DiskTable>, u64) {
    let mut tables = Vec::new();
    let mut wal_bytes = 0;
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(m) = e.metadata() else { continue };
        if let Some(number) = table_number(&name) {
            let (bytes, inode) = (m.len(), inode(&m));
            tables.push(DiskTable {
                name,
                number,
                bytes,
                inode,
            });
        } else if name.ends_with(".log") {
            wal_bytes += m.len();
        }
    }
    (tables, wal_bytes)
}

/// Files in the load scratch directories: a load killed while RocksDB ingested them
/// leaves table files that are hard links of these, not yet in the MANIFEST.
fn scratch_inodes(dir: &Path) -> HashSet<u64> {
    let scratch = fs::read_dir(dir).into_iter().flatten().flatten();
    scratch
        .filter(|e| e.file_name().to_string_lossy().starts_with(LOAD_DIR_PREFIX))
        .flat_map(|e| fs::read_dir(e.path()).into_iter().flatten().flatten())
        .filter_map(|f| f.metadata().ok().map(|m| inode(&m)))
        .collect()
}

/// The table files RocksDB's MANIFEST references (number, bytes), read through a
/// read-only open, which deletes nothing. `None` when that cannot open: RocksDB's own
/// open then says why.
fn referenced_tables(path: &Path) -> Option<HashMap<u64, u64>> {
    // The MANIFEST is all the check needs: an empty WAL directory keeps the logs from
    // being replayed twice, and RocksDB's info LOG of this open goes there too, so the
    // database's own LOG is not rotated.
    let scratch = tempfile::tempdir().ok()?;
    let mut o = Options::default();
    o.set_wal_dir(scratch.path());
    o.set_db_log_dir(scratch.path());
    // Finite, so that the open reads only a few table files (-1 would open every one).
    o.set_max_open_files(20);
    o.set_skip_stats_update_on_db_open(true);
    let db = DB::open_for_read_only(&o, path, false).ok()?;
    table_sizes(&db)
}

/// The live table files of `db`: number -> bytes.
fn table_sizes(db: &DB) -> Option<HashMap<u64, u64>> {
    let files = db.live_files().ok()?;
    let number = |name: &str| table_number(Path::new(name).file_name()?.to_str()?);
    Some(
        files
            .iter()
            .filter_map(|f| Some((number(&f.name)?, f.size as u64)))
            .collect(),
    )
}

/// True when the MANIFEST `CURRENT` names ends inside a record: it was cut (truncated or
/// copied short). A killed process never leaves that (each record is one write), so
/// then unreferenced table files are lost edits, not a crash's leftovers. Reads RocksDB's
/// log format: 32 KiB blocks of records with a 7-byte header (checksum, length, type:
/// 1 whole, 2 first, 3 middle, 4 last); a block's last < 7 bytes are padding.
fn manifest_is_cut(dir: &Path) -> bool {
    const BLOCK: usize = 32 * 1024;
    let Ok(current) = fs::read_to_string(dir.join("CURRENT")) else {
        return false;
    };
    let Ok(bytes) = fs::read(dir.join(current.trim())) else {
        return false;
    };
    let (mut pos, mut open_fragment) = (0, false);
    while pos < bytes.len() {
        let left_in_block = BLOCK - pos % BLOCK;
        if left_in_block < 7 {
            pos += left_in_block;
            continue;
        }
        let Some(header) = bytes.get(pos..pos + 7) else {
            return true;
        };
        let len = usize::from(u16::from_le_bytes([header[4], header[5]]));
        if header[6] == 0 && len == 0 {
            break; // zero fill: the end of what was written
        }
        if pos + 7 + len > bytes.len() {
            return true;
        }
        open_fragment = matches!(header[6], 2 | 3);
        pos += 7 + len;
    }
    open_fragment
}

/// What an open does with the table files of an existing database: see [`plan_tables`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TableAction {
    /// Nothing unreferenced (a load's scratch links aside): it opens.
    Open,
    /// The unreferenced files are a crash's leftovers: it opens and RocksDB deletes them.
    DeleteLeftovers,
    /// `UNLOGGED_MARKER` says rows written without the WAL (in no log) may be in the
    /// unreferenced files: it moves them into a `SET_ASIDE_PREFIX` directory, says so,
    /// and opens.
    SetAside,
    /// It refuses, for the reason given.
    Refuse(String),
}

/// The table files of a database directory set against its MANIFEST.
#[derive(Debug, Clone)]
pub(crate) struct TablePlan {
    /// In the directory, not referenced (a load's scratch links left out).
    pub unreferenced: Vec<DiskTable>,
    /// Referenced, not in the directory.
    pub missing: Vec<u64>,
    pub action: TableAction,
}

/// What an open does with the table files in `path`, whose MANIFEST references
/// `referenced` (number -> bytes). It refuses to let RocksDB delete table files the
/// MANIFEST does not reference (a truncated MANIFEST), or run without referenced
/// files that are gone. A crash leaves unreferenced files too (a flush's or
/// compaction's output not yet recorded, inputs not yet deleted, a load's ingest cut
/// short): their data is also in the logs or in referenced files, so they are deleted
/// while those numbered after every referenced file are no larger than those (see
/// [`leftover_allowance`]; older ones are inputs an edit already dropped) and the
/// MANIFEST ends whole; a load's files are recognized by their links. Flushes of rows written
/// without the WAL are in no log and can be of any size: with `UNLOGGED_MARKER` present
/// the unreferenced files are moved aside, whatever their size, never deleted.
pub(crate) fn plan_tables(path: &Path, referenced: &HashMap<u64, u64>) -> TablePlan {
    let (disk, wal_bytes) = files_on_disk(path);
    let on_disk: HashSet<u64> = disk.iter().map(|t| t.number).collect();
    let mut missing: Vec<u64> = referenced
        .keys()
        .copied()
        .filter(|n| !on_disk.contains(n))
        .collect();
    missing.sort_unstable();
    let ingesting = scratch_inodes(path);
    let disk_count = disk.len();
    let mut unreferenced: Vec<DiskTable> = disk
        .into_iter()
        .filter(|t| !referenced.contains_key(&t.number) && !ingesting.contains(&t.inode))
        .collect();
    unreferenced.sort_by_key(|t| t.number);
    let action = if !missing.is_empty() {
        TableAction::Refuse(format!(
            "{} of the {} table files the MANIFEST references are missing; \
             restore them from a backup",
            missing.len(),
            referenced.len()
        ))
    } else if unreferenced.is_empty() {
        TableAction::Open
    } else {
        // Numbered below a file the MANIFEST references: made before it, so an edit
        // that survived dropped it (a compaction's input not yet deleted), or RocksDB
        // would reference it. Only newer files can be edits a cut MANIFEST lost.
        let newest = referenced.keys().copied().max().unwrap_or(0);
        let lost_bytes: u64 = unreferenced
            .iter()
            .filter(|t| t.number > newest)
            .map(|t| t.bytes)
            .sum();
        let kept = referenced.values().sum::<u64>() + wal_bytes;
        let fits = lost_bytes <= leftover_allowance(kept, unreferenced.len());
        let marker = path.join(UNLOGGED_MARKER).exists();
        if manifest_is_cut(path) || !(fits || marker) {
            TableAction::Refuse(format!(
                "the MANIFEST does not reference {} of {} table files (it may be truncated); \
                 opening would delete them, so alexdb will not (restore the MANIFEST from a \
                 backup, or move those files away to open without them)",
                unreferenced.len(),
                disk_count
            ))
        } else if marker {
            TableAction::SetAside
        } else {
            TableAction::DeleteLeftovers
        }
    };
    TablePlan {
        unreferenced,
        missing,
        action,
    }
}

// Ingesting a table file RocksDB itself wrote keeps its sequence numbers only with
// `allow_db_generated_files`, which the crate does not wrap; these come from rocksdb/c.h.
unsafe extern "C" {
    fn rocksdb_ingestexternalfileoptions_create() -> *mut std::ffi::c_void;
    fn rocksdb_ingestexternalfileoptions_set_move_files(opt: *mut std::ffi::c_void, v: u8);
    fn rocksdb_ingestexternalfileoptions_set_allow_db_generated_files(
        opt: *mut std::ffi::c_void,
        v: u8,
    );
    fn rocksdb_ingestexternalfileoptions_destroy(opt: *mut std::ffi::c_void);
    fn rocksdb_ingest_external_file(
        db: *mut std::ffi::c_void,
        files: *const *const std::ffi::c_char,
        len: usize,
        opt: *const std::ffi::c_void,
        errptr: *mut *mut std::ffi::c_char,
    );
}

/// The message RocksDB's C API left in an error out-pointer, freed; `None` for null.
///
/// # Safety
/// `err` is null or a C string RocksDB malloc'ed for an error out-pointer, not yet freed.
unsafe fn take_error(err: *mut std::ffi::c_char) -> Option<String> {
    if err.is_null() {
        return None;
    }
    // SAFETY: the caller's contract: a live NUL-terminated string RocksDB owns until
    // rocksdb_free, which is called once, after the copy.
    unsafe {
        let m = std::ffi::CStr::from_ptr(err).to_string_lossy().into_owned();
        rocksdb_free(err.cast());
        Some(m)
    }
}

/// The keys of a table file RocksDB wrote that no MANIFEST references, read without
/// touching it (`alexdb check`): a copy goes, as it is (its sequence numbers kept), into
/// a new database in the empty directory `scratch`, which is then read. `Err` says why
/// it could not be read.
pub(crate) fn table_file_keys(file: &Path, scratch: &Path) -> Result<Vec<i64>, String> {
    let copy = scratch.join("table.sst");
    fs::copy(file, &copy).map_err(|e| e.to_string())?;
    let mut o = Options::default();
    o.create_if_missing(true);
    let db = DB::open(&o, scratch.join("db")).map_err(|e| e.to_string())?;
    let name =
        std::ffi::CString::new(copy.to_string_lossy().into_owned()).map_err(|e| e.to_string())?;
    let mut err: *mut std::ffi::c_char = std::ptr::null_mut();
    // SAFETY: the options object is created, used and destroyed here; the file list is
    // one valid C string that outlives the call; `db` is the live `rocksdb_t` of an open
    // database; `err` is a valid out-pointer that RocksDB sets to a malloc'ed C string
    // (or leaves null), read once and freed with rocksdb_free.
    let msg = unsafe {
        let opt = rocksdb_ingestexternalfileoptions_create();
        rocksdb_ingestexternalfileoptions_set_move_files(opt, 1);
        rocksdb_ingestexternalfileoptions_set_allow_db_generated_files(opt, 1);
        let list = [name.as_ptr()];
        rocksdb_ingest_external_file(db.as_raw_ptr().cast(), list.as_ptr(), 1, opt, &mut err);
        rocksdb_ingestexternalfileoptions_destroy(opt);
        take_error(err)
    };
    if let Some(m) = msg {
        return Err(m);
    }
    let mut keys = Vec::new();
    let mut it = db.raw_iterator();
    it.seek_to_first();
    while let Some(k) = it.key() {
        keys.push(decode_key(k).ok_or("it holds a key that is not 8 bytes")?);
        it.next();
    }
    it.status().map_err(|e| e.to_string())?;
    // Rows written at sequence numbers the scratch database would not read are not
    // "no rows": say it could not be read.
    let files = db.live_files().map_err(|e| e.to_string())?;
    let puts: u64 = files.iter().map(|f| f.num_entries - f.num_deletions).sum();
    if keys.is_empty() && puts > 0 {
        return Err(format!("none of its {puts} entries could be read back"));
    }
    Ok(keys)
}

/// Checks the table files before an open (see [`plan_tables`]): the refusal, or the
/// line saying which files were moved aside and where.
fn check_tables(path: &Path) -> Result<Option<String>, OpenError> {
    let Some(referenced) = referenced_tables(path) else {
        return Ok(None);
    };
    let plan = plan_tables(path, &referenced);
    match plan.action {
        TableAction::Open | TableAction::DeleteLeftovers => Ok(None),
        TableAction::Refuse(detail) => Err(OpenError::Damaged {
            path: path.to_path_buf(),
            detail,
        }),
        TableAction::SetAside => set_aside(path, &plan.unreferenced).map(Some),
    }
}

/// "000012.sst (12.5 MiB), 000013.sst (3.0 KiB)": table files with their sizes.
pub(crate) fn table_list(files: &[DiskTable]) -> String {
    let list: Vec<String> = files
        .iter()
        .map(|t| format!("{} ({})", t.name, super::options::human_bytes(t.bytes)))
        .collect();
    list.join(", ")
}

/// Moves `files` out of RocksDB's sight into a new `SET_ASIDE_PREFIX` directory inside
/// `path` (a rename: same file system, nothing copied), so that the open cannot delete
/// them; returns the line that says so.
fn set_aside(path: &Path, files: &[DiskTable]) -> Result<String, OpenError> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut n = 0;
    let dir = loop {
        let name = match n {
            0 => format!("{SET_ASIDE_PREFIX}{secs}"),
            _ => format!("{SET_ASIDE_PREFIX}{secs}-{n}"),
        };
        let dir = path.join(name);
        match fs::create_dir(&dir) {
            Ok(()) => break dir,
            Err(e) if e.kind() == IoKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(OpenError::io(&dir)(e)),
        }
    };
    for f in files {
        fs::rename(path.join(&f.name), dir.join(&f.name)).map_err(OpenError::io(path))?;
    }
    // Best effort: the renames survive a power loss once both directories are synced.
    for d in [dir.as_path(), path] {
        let _ = fs::File::open(d).and_then(|f| f.sync_all());
    }
    let shown = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Ok(format!(
        "the MANIFEST does not reference {} table file(s): {}; {UNLOGGED_MARKER} says rows \
         written without the WAL may be in them, so they were moved into {shown}/ instead \
         of being deleted (their rows are not in the database; delete that directory when \
         they are not needed)",
        files.len(),
        table_list(files)
    ))
}

/// How many bytes of unreferenced table files a crash can leave next to `kept` bytes of
/// referenced files and logs: a compaction's or flush's outputs hold data that is also
/// in those, but split into `files` files, each with its own index, filter, properties
/// and footer, and cut at other block boundaries, so they can be a little larger (a
/// kill inside a compaction into many files found it; test in `safety_open.rs`).
fn leftover_allowance(kept: u64, files: usize) -> u64 {
    const PER_FILE: u64 = 64 << 10;
    kept + kept / 8 + PER_FILE * files as u64
}

/// A write-ahead log damaged before its end refused the open: RocksDB's error says only
/// "checksum mismatch"; the LOG of this open names the log. One line that names the
/// option that opens it anyway.
fn wal_damage(path: &Path, mode: WalRecoveryMode, e: &rocksdb::Error) -> Option<OpenError> {
    if !matches!(e.kind(), rocksdb::ErrorKind::Corruption) {
        return None;
    }
    let log = fs::read(path.join("LOG")).ok()?;
    let text = String::from_utf8_lossy(&log);
    // "... /path/000008.log: dropping 32 bytes; Corruption: checksum mismatch"
    let line = text.lines().find(|l| l.contains(".log: dropping "))?;
    let (file, _) = line.split_once(": dropping ")?;
    let wal = file.rsplit('/').next()?;
    let detail = if mode == WalRecoveryMode::AbsoluteConsistency {
        format!(
            "its write-ahead log {wal} has a damaged record ({e}) and wal_recovery_mode is \
             absolute_consistency; tolerate_corrupted_tail opens it if that is the torn end a \
             crash leaves, point_in_time also if it is not (losing the writes from the damage on)"
        )
    } else {
        format!(
            "its write-ahead log {wal} is damaged before its end ({e}); set \
             wal_recovery_mode to point_in_time to open it anyway, losing the writes from the \
             damage on (skip_any skips only the damaged records)"
        )
    };
    Some(OpenError::Damaged {
        path: path.to_path_buf(),
        detail,
    })
}

/// Maps RocksDB's open errors onto the engine's variants.
fn open_error(path: &Path, e: rocksdb::Error) -> OpenError {
    let msg = e.to_string();
    // RocksDB names the LOCK file in both a lock held elsewhere and a LOCK it may not
    // open: only the first is "locked".
    let denied = msg.contains("Permission denied") || msg.contains("Operation not permitted");
    if denied && msg.contains("LOCK") {
        OpenError::Unreadable {
            path: path.to_path_buf(),
            reason: format!(
                "permission denied on its lock file {} (alexdb opens it for writing)",
                path.join("LOCK").display()
            ),
        }
    } else if msg.contains("While lock file")
        || msg.contains("lock hold by current process")
        || msg.contains("/LOCK:")
    {
        OpenError::Locked {
            path: path.to_path_buf(),
        }
    } else if msg.contains("Permission denied") {
        OpenError::Unreadable {
            path: path.to_path_buf(),
            reason: msg,
        }
    } else if matches!(e.kind(), rocksdb::ErrorKind::Corruption) {
        OpenError::Corrupt {
            path: path.to_path_buf(),
            detail: msg,
        }
    } else if msg.contains("does not exist") && msg.contains("create_if_missing") {
        OpenError::Missing {
            path: path.to_path_buf(),
        }
    } else {
        OpenError::Failed(Box::new(DbError::Rocks {
            context: "open the database",
            message: msg,
        }))
    }
}

impl DbError {
    /// Wraps a RocksDB error with what the engine was doing, keeping its message only:
    /// RocksDB's types stay inside this file.
    pub(crate) fn rocks(context: &'static str) -> impl FnOnce(rocksdb::Error) -> DbError {
        move |e| DbError::Rocks {
            context,
            message: e.to_string(),
        }
    }
}

/// How writes reach RocksDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteMode {
    Wal = 0,
    NoWal = 1,
    Sync = 2,
}

pub(crate) struct Store {
    db: DB,
    /// Kept for the statistics object RocksDB shares with the open database.
    opts: Options,
    /// The same options for `SstFileWriter` (bulk load), with block compression spread
    /// over the cores: the files go to the bottommost level, so they are compressed
    /// with ZSTD, which on one thread was the bulk load's bottleneck.
    sst_opts: Options,
    block_cache: Cache,
    /// The block cache's capacity as last set (`block_cache_size` plus what the value
    /// cache lends it; RocksDB's crate cannot read it back).
    block_cache_capacity: AtomicUsize,
    /// The shards RocksDB split the block cache into when it was made (log2).
    block_cache_shard_bits: u32,
    block_cache_type: BlockCacheType,
    /// Read options for gets and batched gets: `[checksums off, on]`, picked by
    /// `verify_checksums` (two fixed ones, so a live change needs no lock on the read path).
    read_opts: [ReadOptions; 2],
    verify_checksums: AtomicBool,
    write_opts: [WriteOptions; 3],
    write_mode: AtomicU64,
    stats_enabled: bool,
    path: PathBuf,
    load_seq: AtomicU64,
    /// RocksDB's `IDENTITY` of the database as opened, so a reopen can tell that it found
    /// the same database (issue 17, bug 2).
    identity: String,
    /// Set after a write that skipped the WAL, cleared by a flush that made it durable:
    /// while set, closing without a flush would lose rows.
    unlogged: AtomicBool,
    /// Serializes creating and removing `UNLOGGED_MARKER` with the `unlogged` flag.
    marker_lock: parking_lot::Mutex<()>,
    /// What WAL recovery at this open dropped.
    wal_dropped: WalDropped,
    /// The line saying which unreferenced table files this open moved aside.
    set_aside: Option<String>,
    /// What this store's event listener reports to (`None` for a read-only handle,
    /// which has none): the gauges read the LSM figures from it.
    listened: Option<std::sync::Arc<super::listener::FifoEvents>>,
    /// The write-stall limits in force (kept up to date by `set_options`), for a stall
    /// whose cause RocksDB's counters did not name, and for the compaction debt.
    stall_limits: parking_lot::Mutex<Shape>,
}

/// The write-stall limits of `o`, as RocksDB applies them.
fn stall_limits(o: &DbOptions) -> Shape {
    let n = |v: i32| u64::try_from(v).unwrap_or(0);
    Shape {
        max_write_buffer_number: n(o.max_write_buffer_number),
        l0_slowdown: n(o.level0_slowdown_writes_trigger),
        l0_stop: n(o.level0_stop_writes_trigger),
        soft_pending: o.soft_pending_compaction_bytes_limit as u64,
        hard_pending: o.hard_pending_compaction_bytes_limit as u64,
        ..Shape::default()
    }
}

/// Copies into `limits` the stall limits among options just set live.
fn note_stall_limits(limits: &mut Shape, pairs: &[(String, String)]) {
    for (k, v) in pairs {
        let Ok(n) = v.trim().parse::<u64>() else {
            continue;
        };
        match k.as_str() {
            "max_write_buffer_number" => limits.max_write_buffer_number = n,
            "level0_slowdown_writes_trigger" => limits.l0_slowdown = n,
            "level0_stop_writes_trigger" => limits.l0_stop = n,
            "soft_pending_compaction_bytes_limit" => limits.soft_pending = n,
            "hard_pending_compaction_bytes_limit" => limits.hard_pending = n,
            _ => {}
        }
    }
}

/// What RocksDB's WAL recovery dropped at open (damaged records it skipped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WalDropped {
    pub bytes: u64,
    /// Damaged spots reported.
    pub reports: u64,
}

/// Reads RocksDB's info LOG of the open that just happened (RocksDB starts a new LOG at
/// every open) for its "dropping N bytes" reports: the API says nothing about them.
fn wal_dropped_in_log(dir: &Path) -> WalDropped {
    let Ok(text) = fs::read(dir.join("LOG")) else {
        return WalDropped::default();
    };
    let mut d = WalDropped::default();
    for line in String::from_utf8_lossy(&text).lines() {
        let Some((_, rest)) = line.split_once(": dropping ") else {
            continue;
        };
        let n = rest.split(' ').next().and_then(|n| n.parse::<u64>().ok());
        d.bytes += n.unwrap_or(0);
        d.reports += 1;
    }
    d
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens RocksDB with `o`; its event listener (listener/) reports flushes,
    /// compactions and write stalls to `fifo`, and in FIFO the files FIFO compaction
    /// deletes.
    pub fn open(
        path: &Path,
        o: &DbOptions,
        fifo: &std::sync::Arc<super::listener::FifoEvents>,
    ) -> Result<Store, OpenError> {
        let set_aside = match prepare_dir(path, o.create_if_missing)? {
            true => check_tables(path)?,
            false => None,
        };
        let (opts, block_cache) = rocksdb_options(o);
        super::listener::attach(&opts, fifo);
        // The default column family is named explicitly so that `cf_handle("default")`
        // works (batched MultiGet needs a handle), with a descriptor carrying our options:
        // `DB::open_cf` would give it `Options::default()`, silently dropping the table
        // tuning (bloom filter, block cache, compression).
        let cf = ColumnFamilyDescriptor::new(rocksdb::DEFAULT_COLUMN_FAMILY_NAME, opts.clone());
        let db = DB::open_cf_descriptors(&opts, path, [cf]).map_err(|e| {
            wal_damage(path, o.wal_recovery_mode, &e).unwrap_or_else(|| open_error(path, e))
        })?;
        // Only now that this process holds the lock: a load that crashed before
        // ingesting left its scratch files behind.
        if let Ok(entries) = fs::read_dir(path) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(LOAD_DIR_PREFIX) {
                    let _ = fs::remove_dir_all(e.path());
                }
            }
        }
        // The rows it stood for are gone with the crash's memtables.
        let _ = fs::remove_file(path.join(UNLOGGED_MARKER));
        let mut store = Store::around(db, opts, block_cache, o, path, wal_dropped_in_log(path));
        store.set_aside = set_aside;
        store.listened = Some(std::sync::Arc::clone(fifo));
        Ok(store)
    }

    /// A read-only handle on the database in `path`, for `alexdb check` (inspect.rs):
    /// RocksDB reads the MANIFEST and replays the write-ahead logs into memory only,
    /// takes no lock and writes, renames or deletes no file. Recovery runs in
    /// point-in-time mode, which reports a torn last record as well as damage; its info
    /// log goes to a callback (a read-only open writes none, and none may appear in the
    /// directory), and the reports of what recovery dropped are returned, one line each
    /// (`/dir/000012.log: dropping 20 bytes; Corruption: truncated record body`).
    pub(crate) fn open_read_only(
        path: &Path,
        o: &DbOptions,
    ) -> Result<(Store, Vec<String>), OpenError> {
        let (mut opts, block_cache) = rocksdb_options(o);
        opts.create_if_missing(false);
        opts.set_wal_recovery_mode(DBRecoveryMode::PointInTime);
        let heard = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
        let sink = heard.clone();
        opts.set_info_logger(InfoLogger::new_callback_logger(
            LogLevel::Warn,
            move |_, line: &str| {
                if line.contains(": dropping ") {
                    sink.lock().push(line.trim().to_string());
                }
            },
        ));
        let cf = ColumnFamilyDescriptor::new(rocksdb::DEFAULT_COLUMN_FAMILY_NAME, opts.clone());
        let db = DB::open_cf_descriptors_read_only(&opts, path, [cf], false)
            .map_err(|e| open_error(path, e))?;
        let dropped = heard.lock().clone();
        let store = Store::around(db, opts, block_cache, o, path, WalDropped::default());
        Ok((store, dropped))
    }

    /// The live table files: number -> bytes.
    pub(crate) fn table_sizes(&self) -> Option<HashMap<u64, u64>> {
        table_sizes(&self.db)
    }

    /// RocksDB's `rocksdb.min-log-number-to-keep`: the write-ahead logs numbered from it
    /// on may hold writes that are in no table file.
    pub(crate) fn min_wal_number(&self) -> Option<u64> {
        self.db
            .property_int_value("rocksdb.min-log-number-to-keep")
            .ok()
            .flatten()
    }

    /// What the open before it did with unreferenced table files, if it moved any aside.
    pub(crate) fn set_aside_notice(&self) -> Option<&str> {
        self.set_aside.as_deref()
    }

    /// The engine's handle around an open `db`.
    fn around(
        db: DB,
        opts: Options,
        block_cache: Cache,
        o: &DbOptions,
        path: &Path,
        wal_dropped: WalDropped,
    ) -> Store {
        // The identity is a small file RocksDB wrote at creation; an empty one still
        // compares, so a database without it is not refused here.
        let identity = db
            .get_db_identity()
            .map(|v| String::from_utf8_lossy(&v).trim().to_string())
            .unwrap_or_default();
        let mut sst_opts = opts.clone();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        sst_opts.set_compression_options_parallel_threads(cores.clamp(2, 8) as i32);
        // Loaded files usually land in the bottommost level, whose filters gets skip
        // with `optimize_filters_for_hits`: do not spend memory building them.
        let filters = !o.optimize_filters_for_hits;
        sst_opts.set_block_based_table_factory(&table_options(o, &block_cache, filters));
        let mut unverified = rocksdb_read_options(o);
        unverified.set_verify_checksums(false);
        let mut verified = rocksdb_read_options(o);
        verified.set_verify_checksums(true);
        let mut wal = WriteOptions::default();
        wal.disable_wal(false);
        let mut nowal = WriteOptions::default();
        nowal.disable_wal(true);
        let mut sync = WriteOptions::default();
        sync.set_sync(true);
        let store = Store {
            db,
            opts,
            sst_opts,
            block_cache,
            block_cache_capacity: AtomicUsize::new(o.block_cache_bytes),
            block_cache_shard_bits: cache_shard_bits(o.block_cache_type, o.block_cache_bytes),
            block_cache_type: o.block_cache_type,
            read_opts: [unverified, verified],
            verify_checksums: AtomicBool::new(o.verify_checksums),
            write_opts: [wal, nowal, sync],
            write_mode: AtomicU64::new(WriteMode::Wal as u64),
            stats_enabled: o.rocksdb_statistics,
            path: path.to_path_buf(),
            load_seq: AtomicU64::new(0),
            identity,
            unlogged: AtomicBool::new(false),
            marker_lock: parking_lot::Mutex::new(()),
            wal_dropped,
            set_aside: None,
            listened: None,
            stall_limits: parking_lot::Mutex::new(stall_limits(o)),
        };
        store.set_write_mode(o.wal, o.sync_writes);
        store
    }

    pub fn wal_dropped(&self) -> WalDropped {
        self.wal_dropped
    }

    pub fn set_write_mode(&self, wal: bool, sync: bool) {
        let m = match (wal, sync) {
            (false, _) => WriteMode::NoWal,
            (true, false) => WriteMode::Wal,
            (true, true) => WriteMode::Sync,
        };
        self.write_mode.store(m as u64, Relaxed);
    }

    /// Turns block checksum checks on reads (gets, batched gets, scans) on or off.
    pub fn set_verify_checksums(&self, on: bool) {
        self.verify_checksums.store(on, Relaxed);
    }

    /// The read options in force for gets.
    #[inline]
    fn read_opts(&self) -> &ReadOptions {
        &self.read_opts[usize::from(self.verify_checksums.load(Relaxed))]
    }

    /// The write mode in force, as an index into `write_opts`.
    #[inline]
    fn mode(&self) -> usize {
        self.write_mode.load(Relaxed) as usize % 3
    }

    /// Remembers that a write in `mode` lives only in the memtable until a flush. Called
    /// before the write, so that the marker file is there before any flush of it.
    #[inline]
    fn note_write(&self, mode: usize) {
        if mode == WriteMode::NoWal as usize && !self.unlogged.load(Relaxed) {
            let _marker = self.marker_lock.lock();
            if !self.unlogged.swap(true, Relaxed) {
                // Best effort: without it, a crash's leftovers may refuse the next open
                // (with a message naming them), never lose a row.
                let _ = fs::File::create(self.path.join(UNLOGGED_MARKER));
            }
        }
    }

    /// Whether rows written without the WAL may still be only in the memtable (then a
    /// close without a successful flush would lose them).
    pub fn has_unlogged_writes(&self) -> bool {
        self.unlogged.load(Relaxed)
    }

    /// RocksDB's identity of this database (its `IDENTITY` file, read at open).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    #[inline]
    pub fn get_pinned(&self, key: i64) -> Result<Option<DBPinnableSlice<'_>>, DbError> {
        self.db
            .get_pinned_opt(encode_key(key), self.read_opts())
            .map_err(DbError::rocks("read a value"))
    }

    pub fn put(&self, key: i64, value: &[u8]) -> Result<(), DbError> {
        let mode = self.mode();
        self.note_write(mode);
        self.db
            .put_opt(encode_key(key), value, &self.write_opts[mode])
            .map_err(DbError::rocks("write a value"))?;
        Ok(())
    }

    pub fn delete(&self, key: i64) -> Result<(), DbError> {
        let mode = self.mode();
        self.note_write(mode);
        self.db
            .delete_opt(encode_key(key), &self.write_opts[mode])
            .map_err(DbError::rocks("delete a key"))?;
        Ok(())
    }

    /// Deletes every key in `a..=b` (`a <= b`) with one range tombstone, in one atomic
    /// batch. RocksDB's range end is exclusive, so `b` itself gets a point delete (no
    /// `b + 1` is needed, which `i64::MAX` would not have).
    pub fn delete_range(&self, a: i64, b: i64) -> Result<(), DbError> {
        let mut batch = WriteBatch::default();
        if a < b {
            batch.delete_range(encode_key(a), encode_key(b));
        }
        batch.delete(encode_key(b));
        let mode = self.mode();
        self.note_write(mode);
        self.db
            .write_opt(batch, &self.write_opts[mode])
            .map_err(DbError::rocks("delete a key range"))?;
        Ok(())
    }

    /// Writes rows in one batch with the WAL off (bulk load); durable only after `flush`.
    pub fn write_batch_no_wal<V: AsRef<[u8]>>(&self, rows: &[(i64, V)]) -> Result<(), DbError> {
        let mut b = WriteBatch::default();
        for (k, v) in rows {
            b.put(encode_key(*k), v.as_ref());
        }
        self.note_write(WriteMode::NoWal as usize);
        self.db
            .write_opt(b, &self.write_opts[WriteMode::NoWal as usize])
            .map_err(DbError::rocks("write a batch"))?;
        Ok(())
    }

    /// Calls `f` for each row with `a <= key <= b`, in key order, at most `limit` rows,
    /// with one RocksDB iterator bounded to the encoded range. Returns the rows seen.
    pub fn scan(
        &self,
        a: i64,
        b: i64,
        limit: usize,
        mut f: impl FnMut(i64, &[u8]),
    ) -> Result<usize, DbError> {
        if a > b || limit == 0 {
            return Ok(0);
        }
        let mut ro = ReadOptions::default();
        ro.set_verify_checksums(self.verify_checksums.load(Relaxed));
        ro.set_iterate_lower_bound(encode_key(a).to_vec());
        if b < i64::MAX {
            ro.set_iterate_upper_bound(encode_key(b + 1).to_vec());
        }
        let mut it = self.db.raw_iterator_opt(ro);
        it.seek(encode_key(a));
        let mut n = 0;
        while n < limit {
            let Some((k, v)) = it.item() else { break };
            let key = decode_key(k).ok_or_else(|| self.bad_key(k))?;
            f(key, v);
            n += 1;
            it.next();
        }
        it.status().map_err(DbError::rocks("scan a range"))?;
        Ok(n)
    }

    /// Point-reads `keys` (sorted) in one batched MultiGet; `f` gets each key and its
    /// value (`None` if it is not in RocksDB).
    pub fn multi_get(
        &self,
        keys: &[i64],
        mut f: impl FnMut(i64, Option<&[u8]>),
    ) -> Result<(), DbError> {
        let enc: Vec<[u8; 8]> = keys.iter().map(|&k| encode_key(k)).collect();
        let cf = self
            .db
            .cf_handle("default")
            .ok_or_else(|| DbError::Corrupt {
                path: self.path.clone(),
                detail: "the default column family is missing".to_string(),
            })?;
        let res = self
            .db
            .batched_multi_get_cf_opt(cf, enc.iter(), true, self.read_opts());
        for (k, r) in keys.iter().zip(res) {
            let v = r.map_err(DbError::rocks("read values"))?;
            f(*k, v.as_deref());
        }
        Ok(())
    }

    fn bad_key(&self, k: &[u8]) -> DbError {
        DbError::Open(OpenError::NotADatabase {
            path: self.path.clone(),
            reason: format!(
                "it holds a {}-byte key; alexdb keys are 8 bytes (was it written by another program?)",
                k.len()
            ),
        })
    }

    /// Every readable key, in order, reading keys only (no value is copied; blocks
    /// bypass the block cache so a rebuild does not evict hot data), and the ranges that
    /// could not be read. Large databases are read by several threads at once, each over
    /// a key range holding about the same number of entries (split at SST file
    /// boundaries).
    pub fn keys(&self) -> Result<KeyScan, DbError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let splits = self.split_points(threads);
        if splits.is_empty() {
            return self.keys_in(None, None);
        }
        let mut bounds: Vec<(Bound, Bound)> = Vec::new();
        let mut lower: Option<Vec<u8>> = None;
        for s in splits {
            bounds.push((lower.take(), Some(s.clone())));
            lower = Some(s);
        }
        bounds.push((lower, None));
        let parts: Vec<Result<KeyScan, DbError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = bounds
                .into_iter()
                .map(|(lo, hi)| scope.spawn(move || self.keys_in(lo, hi)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(DbError::Corrupt {
                            path: self.path.clone(),
                            detail: "a key reader thread panicked".to_string(),
                        })
                    })
                })
                .collect()
        });
        let mut parts = parts.into_iter();
        let mut scan = parts.next().transpose()?.unwrap_or_default();
        for p in parts {
            scan.append(p?);
        }
        Ok(scan)
    }

    /// Up to `n - 1` encoded keys that cut the SST files' entries into `n` similar
    /// parts, in increasing order; none when the database is small.
    fn split_points(&self, n: usize) -> Vec<Vec<u8>> {
        const MIN_KEYS_PER_THREAD: u64 = 500_000;
        let Ok(files) = self.db.live_files() else {
            return Vec::new();
        };
        let total: u64 = files.iter().map(|f| f.num_entries).sum();
        let n = n.min((total / MIN_KEYS_PER_THREAD) as usize);
        if n < 2 {
            return Vec::new();
        }
        // (first key, last key, entries) of every file, in key order. Within a file the
        // keys are taken as evenly spread, so a cut can fall inside a file.
        let mut spans: Vec<(i64, i64, u64)> = files
            .iter()
            .filter_map(|f| {
                let lo = decode_key(f.start_key.as_deref()?)?;
                let hi = decode_key(f.end_key.as_deref()?)?;
                Some((lo, hi.max(lo), f.num_entries))
            })
            .collect();
        spans.sort_unstable();
        let mut cuts: Vec<i64> = Vec::new();
        let mut seen = 0u64;
        for (lo, hi, entries) in spans {
            while cuts.len() + 1 < n {
                let want = total * (cuts.len() as u64 + 1) / n as u64;
                if want >= seen + entries {
                    break;
                }
                let frac = want.saturating_sub(seen) as f64 / entries.max(1) as f64;
                let cut = lo.saturating_add(((hi as f64 - lo as f64) * frac) as i64);
                if cuts.last().is_some_and(|&c| cut <= c) {
                    break;
                }
                cuts.push(cut);
            }
            seen += entries;
        }
        cuts.into_iter()
            .filter(|&c| c > i64::MIN)
            .map(|c| encode_key(c).to_vec())
            .collect()
    }

    fn keys_in(&self, lo: Bound, hi: Bound) -> Result<KeyScan, DbError> {
        let est = self
            .db
            .property_int_value("rocksdb.estimate-num-keys")
            .ok()
            .flatten()
            .unwrap_or(0);
        let mut keys = Vec::with_capacity(if lo.is_none() && hi.is_none() {
            (est as usize).saturating_add(1024)
        } else {
            1024
        });
        let damaged = self.walk_keys(&lo, &hi, |k| {
            keys.push(k);
            true
        })?;
        Ok(KeyScan { keys, damaged })
    }

    /// Counts RocksDB's readable keys by iterating them (slow; for checks and tests),
    /// with the ranges that could not be read.
    pub fn count_keys(&self) -> Result<(u64, Vec<DamagedRange>), DbError> {
        let mut n = 0;
        let damaged = self.walk_keys(&None, &None, |_| {
            n += 1;
            true
        })?;
        Ok((n, damaged))
    }

    /// [`Store::count_keys`] with the wrapping sum of [`key_hash`] over the keys.
    /// `keep_going` is told the keys counted so far every [`DIGEST_TICK`] keys; when it
    /// answers false the walk stops and `None` is returned.
    pub fn key_digest(
        &self,
        keep_going: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Option<(u64, u64, Vec<DamagedRange>)>, DbError> {
        let (mut n, mut sum, mut stopped) = (0u64, 0u64, false);
        let damaged = self.walk_keys(&None, &None, |k| {
            n += 1;
            sum = sum.wrapping_add(key_hash(k));
            stopped = n % DIGEST_TICK == 0 && !keep_going(n);
            !stopped
        })?;
        Ok((!stopped).then_some((n, sum, damaged)))
    }

    /// RocksDB's VerifyChecksum: reads every block of every live table file and checks
    /// its checksum. RocksDB stops at the first damaged file, so at most one is listed.
    pub fn verify_checksums(&self) -> Result<Vec<SstError>, DbError> {
        let mut err: *mut std::ffi::c_char = std::ptr::null_mut();
        // SAFETY: the pointer is the live `rocksdb_t` of `self.db`, which outlives the
        // call; `err` is a valid out-pointer that RocksDB sets to a malloc'ed C string
        // (or leaves null), read once and freed with rocksdb_free below.
        let msg = unsafe {
            rocksdb_verify_checksum(self.db.as_raw_ptr().cast(), &mut err);
            take_error(err)
        };
        Ok(msg
            .map(|error| SstError {
                file: file_in_message(&error),
                error,
            })
            .into_iter()
            .collect())
    }

    /// Read options for reading keys in `[lo, hi)` without filling the block cache;
    /// `readahead` for long sequential reads (not for the probes of a damaged range).
    /// Checksums are always verified here, whatever `verify_checksums` says: these reads
    /// rebuild ALEX and find damaged ranges, which a block read unchecked would hide.
    fn key_read_opts(lo: &Bound, hi: &Bound, readahead: bool) -> ReadOptions {
        let mut ro = ReadOptions::default();
        ro.fill_cache(false);
        if readahead {
            ro.set_readahead_size(4 << 20);
        }
        if let Some(lo) = lo {
            ro.set_iterate_lower_bound(lo.clone());
        }
        if let Some(hi) = hi {
            ro.set_iterate_upper_bound(hi.clone());
        }
        ro
    }

    /// Keys with `a <= key <= b`, in order (keys only; blocks bypass the block cache).
    pub fn keys_between(&self, a: i64, b: i64) -> Result<Vec<i64>, DbError> {
        if a > b {
            return Ok(Vec::new());
        }
        let hi = (b < i64::MAX).then(|| encode_key(b + 1).to_vec());
        // A damaged block inside the range fails the read: keys are only removed from
        // ALEX on what RocksDB positively says.
        let scan = self.keys_in(Some(encode_key(a).to_vec()), hi)?;
        match scan.damaged.first() {
            None => Ok(scan.keys),
            Some(d) => Err(DbError::Rocks {
                context: "read the keys",
                message: d.reason.clone(),
            }),
        }
    }

    /// Calls `f` for every key in `[lo, hi)`, in order, until it returns false. Where RocksDB reports corruption
    /// (a data block that fails its checksum), the unreadable keys are skipped and
    /// returned as a range, so one damaged block does not hide the rest; any other
    /// error fails the read.
    fn walk_keys(
        &self,
        lo: &Bound,
        hi: &Bound,
        mut f: impl FnMut(i64) -> bool,
    ) -> Result<Vec<DamagedRange>, DbError> {
        let mut damaged: Vec<DamagedRange> = Vec::new();
        let mut from = lo.clone();
        let mut last: Option<i64> = None;
        loop {
            let mut it = self.db.raw_iterator_opt(Self::key_read_opts(lo, hi, true));
            match &from {
                Some(k) => it.seek(k),
                None => it.seek_to_first(),
            }
            while let Some(k) = it.key() {
                let key = decode_key(k).ok_or_else(|| self.bad_key(k))?;
                if !f(key) {
                    return Ok(damaged);
                }
                last = Some(key);
                it.next();
            }
            let Err(e) = it.status() else {
                return Ok(damaged);
            };
            let (range, next) = self.skip_damage(e, last, lo, hi, damaged.last())?;
            damaged.push(range);
            match next {
                Some(n) => from = Some(encode_key(n).to_vec()),
                None => return Ok(damaged),
            }
        }
    }

    /// After the key scan of `[lo, hi)` failed with `e` past key `last`: the range of
    /// unreadable keys and the next readable key, or `e` itself when it is not damage
    /// that can be stepped over (not a corruption, or no progress since the range
    /// skipped `before`).
    fn skip_damage(
        &self,
        e: rocksdb::Error,
        last: Option<i64>,
        lo: &Bound,
        hi: &Bound,
        before: Option<&DamagedRange>,
    ) -> Result<(DamagedRange, Option<i64>), DbError> {
        let first = match last {
            Some(k) => k.checked_add(1),
            None => Some(lo.as_deref().and_then(decode_key).unwrap_or(i64::MIN)),
        };
        let first = first.filter(|&f| before.is_none_or(|d| f > d.last));
        match first {
            Some(first) if e.kind() == rocksdb::ErrorKind::Corruption => {
                self.damaged_range(first, last.is_none(), hi, e.into_string())
            }
            _ => Err(DbError::rocks("read the keys")(e)),
        }
    }

    /// The range of unreadable keys that starts at `first`: up to the key before the
    /// next one RocksDB can reach (returned too), or to the end of `[.., hi)` (both
    /// narrowed to the SST files' key span when nothing was read on that side).
    fn damaged_range(
        &self,
        first: i64,
        at_start: bool,
        hi: &Bound,
        reason: String,
    ) -> Result<(DamagedRange, Option<i64>), DbError> {
        let end = hi
            .as_deref()
            .and_then(decode_key)
            .map_or(i64::MAX, |h| h.saturating_sub(1));
        let next = self.next_readable(first, end, hi)?;
        let last = match next {
            Some(n) if n > first => n - 1,
            // The seek that failed in the scan succeeds alone: nothing to step over.
            Some(_) => {
                return Err(DbError::Rocks {
                    context: "read the keys",
                    message: reason,
                });
            }
            None => end,
        };
        let mut range = DamagedRange {
            first,
            last,
            reason,
        };
        if let Some((min, max)) = self.file_key_span() {
            if at_start && min > range.first && min <= range.last {
                range.first = min;
            }
            if next.is_none() && max < range.last && max >= range.first {
                range.last = max;
            }
        }
        Ok((range, next))
    }

    /// The smallest and largest key of the SST files (from the MANIFEST; no block read).
    fn file_key_span(&self) -> Option<(i64, i64)> {
        let files = self.db.live_files().ok()?;
        let lo = files
            .iter()
            .filter_map(|f| decode_key(f.start_key.as_deref()?))
            .min()?;
        let hi = files
            .iter()
            .filter_map(|f| decode_key(f.end_key.as_deref()?))
            .max()?;
        Some((lo, hi))
    }

    /// The first key at or after `first` (and at most `end`) that RocksDB can seek to
    /// and read, past the damage that `first` falls in; `None` if there is none. Seeks
    /// at exponentially growing distances find a readable point, then a binary search
    /// walks back to the damage's end: about 2 x 64 seeks at worst, whatever the key
    /// spacing. Two damaged blocks close together may be reported as one range.
    fn next_readable(&self, first: i64, end: i64, hi: &Bound) -> Result<Option<i64>, DbError> {
        let (mut bad, mut good) = (i128::from(first) - 1, None);
        for step in 0..=64u32 {
            let p = (i128::from(first) + (1i128 << step) - 1).min(i128::from(end));
            match self.probe(p as i64, hi)? {
                Probe::Damaged => bad = p,
                Probe::Next(n) => {
                    good = Some((p, n));
                    break;
                }
            }
            if p == i128::from(end) {
                break;
            }
        }
        let Some((mut ok, mut next)) = good else {
            return Ok(None);
        };
        while ok - bad > 1 {
            let mid = bad + (ok - bad) / 2;
            match self.probe(mid as i64, hi)? {
                Probe::Damaged => bad = mid,
                Probe::Next(n) => (ok, next) = (mid, n),
            }
        }
        Ok(next)
    }

    /// Seeks a fresh iterator to `key` (an iterator that failed once keeps its error).
    fn probe(&self, key: i64, hi: &Bound) -> Result<Probe, DbError> {
        let mut it = self
            .db
            .raw_iterator_opt(Self::key_read_opts(&None, hi, false));
        it.seek(encode_key(key));
        if let Some(k) = it.key() {
            return Ok(Probe::Next(Some(
                decode_key(k).ok_or_else(|| self.bad_key(k))?,
            )));
        }
        match it.status() {
            Ok(()) => Ok(Probe::Next(None)),
            Err(e) if e.kind() == rocksdb::ErrorKind::Corruption => Ok(Probe::Damaged),
            Err(e) => Err(DbError::rocks("read the keys")(e)),
        }
    }

    pub fn is_empty(&self) -> Result<bool, DbError> {
        let mut it = self.db.raw_iterator();
        it.seek_to_first();
        let empty = !it.valid();
        it.status().map_err(DbError::rocks("read the first key"))?;
        Ok(empty)
    }

    /// Flushes memtables to SST files and waits for it.
    pub fn flush(&self) -> Result<(), DbError> {
        let mut fo = FlushOptions::default();
        fo.set_wait(true);
        // Cleared before, so an unlogged write racing the flush sets it again.
        let unlogged = self.unlogged.swap(false, Relaxed);
        let r = self
            .db
            .flush_opt(&fo)
            .map_err(DbError::rocks("flush the memtable"));
        if r.is_err() && unlogged {
            self.unlogged.store(true, Relaxed);
        }
        if r.is_ok() {
            let _marker = self.marker_lock.lock();
            if !self.unlogged.load(Relaxed) {
                let _ = fs::remove_file(self.path.join(UNLOGGED_MARKER));
            }
        }
        r
    }

    /// Fails with RocksDB's background error when it has stopped writes after one (a
    /// full disk, a failed flush). Writes nothing: an empty batch without the WAL.
    pub fn writable(&self) -> Result<(), rocksdb::Error> {
        self.db.write_opt(
            WriteBatch::default(),
            &self.write_opts[WriteMode::NoWal as usize],
        )
    }

    /// Whether the database's disk has room for `bytes` more: writes a scratch file of
    /// that size and removes it. For the reopen after a failed flush, whose open must
    /// write the memtable again: with the disk still full it would fail after the close.
    pub fn has_room(&self, bytes: u64) -> Result<(), DbError> {
        use std::io::Write;
        // Named like a load's scratch directory, so an open removes it after a crash;
        // `create_dir`, not `create_dir_all`: a deleted database directory stays deleted.
        let dir = self
            .path
            .join(format!("{LOAD_DIR_PREFIX}{}-space", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir(&dir).map_err(DbError::io(&dir))?;
        let path = dir.join("space-probe");
        let chunk = vec![0u8; 1 << 16];
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&path)?;
            let mut left = bytes;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                f.write_all(&chunk[..n])?;
                left -= n as u64;
            }
            f.sync_all()
        };
        let r = write().map_err(DbError::io(&path));
        let _ = fs::remove_dir_all(&dir);
        r
    }

    /// fsyncs the write-ahead log.
    pub fn sync_wal(&self) -> Result<(), DbError> {
        self.db
            .flush_wal(true)
            .map_err(DbError::rocks("sync the write-ahead log"))
    }

    /// A RocksDB checkpoint in `dir` (which must not exist), memtables flushed first.
    pub fn checkpoint(&self, dir: &Path) -> Result<(), DbError> {
        rocksdb::checkpoint::Checkpoint::new(&self.db)
            .and_then(|c| c.create_checkpoint(dir))
            .map_err(DbError::rocks("create a checkpoint"))
    }

    /// Full manual compaction.
    pub fn compact(&self) -> Result<(), DbError> {
        self.checked_compaction(|db| db.compact_range::<&[u8], &[u8]>(None, None))
    }

    /// Runs a manual compaction and reports its failure. The crate's call returns no
    /// status, but RocksDB counts every failed background job in
    /// `rocksdb.background-errors`: a rise across the call is the compaction failing
    /// (or a flush it needed), and RocksDB's LOG says why.
    fn checked_compaction(&self, run: impl FnOnce(&DB)) -> Result<(), DbError> {
        const ERRORS: &str = "rocksdb.background-errors";
        // Stopped by an earlier error, RocksDB skips the compaction without counting.
        self.writable().map_err(|e| DbError::Rocks {
            context: "compact the database",
            message: e.to_string(),
        })?;
        let before = self.int_prop(ERRORS);
        run(&self.db);
        let failed = self.int_prop(ERRORS).saturating_sub(before);
        if failed == 0 {
            return Ok(());
        }
        // RocksDB's error when it stopped writes over it, else the LOG's last error.
        let stopped = self.writable().err().map(|e| e.to_string());
        let why = stopped.or_else(|| self.last_logged_error()).unwrap_or_else(|| {
            format!(
                "it failed ({failed} background error(s); RocksDB's LOG in the database directory says why)"
            )
        });
        Err(DbError::Rocks {
            context: "compact the database",
            message: why,
        })
    }

    /// The newest error RocksDB wrote to its LOG (from the LOG's last 64 KiB).
    fn last_logged_error(&self) -> Option<String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = fs::File::open(self.path.join("LOG")).ok()?;
        let len = f.metadata().ok()?.len();
        f.seek(SeekFrom::Start(len.saturating_sub(64 << 10))).ok()?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).ok()?;
        let text = String::from_utf8_lossy(&buf);
        let line = text.lines().rev().find(|l| l.contains("[ERROR]"))?;
        // Drop the timestamp, thread and source location: keep the message.
        let msg = line.split_once("[ERROR] ").map_or(line, |(_, m)| m);
        let msg = match msg.strip_prefix('[') {
            Some(rest) => rest.split_once("] ").map_or(msg, |(_, m)| m),
            None => msg,
        };
        Some(msg.trim().to_string())
    }

    /// A fresh scratch directory for bulk-load SST files.
    pub fn load_dir(&self) -> Result<PathBuf, DbError> {
        let n = self.load_seq.fetch_add(1, Relaxed);
        let dir = self
            .path
            .join(format!("{LOAD_DIR_PREFIX}{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(DbError::io(&dir))?;
        Ok(dir)
    }

    /// A writer of sorted SST files into `dir` with the database's table options.
    pub fn sst_files<'a>(&'a self, dir: &Path, rows_per_file: usize) -> SstFiles<'a> {
        SstFiles {
            opts: &self.sst_opts,
            dir: dir.to_path_buf(),
            writer: None,
            files: Vec::new(),
            rows_in_file: 0,
            rows_per_file: rows_per_file.max(1),
        }
    }

    /// Ingests SST files (later files win where keys overlap). Atomic, and durable when
    /// it returns: the files are moved in and the manifest is synced.
    pub fn ingest(&self, files: &[PathBuf]) -> Result<(), DbError> {
        if files.is_empty() {
            return Ok(());
        }
        let mut io = IngestExternalFileOptions::default();
        io.set_move_files(true);
        // Read before the files move: RocksDB counts them as L0's input.
        let sizes: Vec<u64> = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .collect();
        let before = self.live_file_names();
        super::listener::forget_install();
        let t0 = std::time::Instant::now();
        self.db
            .ingest_external_file_opts(&io, files.to_vec())
            .map_err(DbError::rocks("ingest the loaded SST files"))?;
        if let Some(e) = &self.listened {
            let levels = self.ingested_levels(&before, sizes.clone());
            e.lsm
                .ingested(sizes.iter().sum(), &levels, t0.elapsed().as_micros() as u64);
        }
        Ok(())
    }

    fn live_file_names(&self) -> std::collections::HashSet<String> {
        self.db
            .live_files()
            .map(|fs| fs.into_iter().map(|f| f.name).collect())
            .unwrap_or_default()
    }

    /// The levels RocksDB placed the ingested files in: the table files that appeared
    /// since `before` with the ingested sizes (a flush finishing meanwhile differs).
    fn ingested_levels(
        &self,
        before: &std::collections::HashSet<String>,
        mut sizes: Vec<u64>,
    ) -> Vec<u32> {
        let Ok(now) = self.db.live_files() else {
            return Vec::new();
        };
        let mut levels = Vec::new();
        for f in now.into_iter().filter(|f| !before.contains(&f.name)) {
            if let Some(i) = sizes.iter().position(|&n| n == f.size as u64) {
                sizes.swap_remove(i);
                levels.push(f.level.max(0) as u32);
            }
        }
        levels
    }

    /// Applies mutable column-family options (`SetOptions`); RocksDB writes a new
    /// OPTIONS file with them.
    pub fn set_options(&self, pairs: &[(String, String)]) -> Result<(), DbError> {
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        super::listener::forget_install();
        self.db
            .set_options(&refs)
            .map_err(DbError::rocks("change options"))?;
        note_stall_limits(&mut self.stall_limits.lock(), pairs);
        Ok(())
    }

    pub fn set_block_cache_capacity(&self, bytes: usize) {
        // `Cache` is a shared handle: setting the capacity on a clone changes the cache.
        let mut c = self.block_cache.clone();
        c.set_capacity(bytes);
        self.block_cache_capacity.store(bytes, Relaxed);
    }

    /// Refuses a capacity the block cache's shards cannot serve as a cache made at that
    /// size would: RocksDB splits a cache into shards by the size it is made with and
    /// keeps them when its capacity changes, so a cache made smaller live has as many
    /// shards as before, each too small to keep a block (a 64 MiB cache set to 1 MiB:
    /// 64 shards of 16 KiB, and a hit rate near 0 where a 1 MiB cache made at open has
    /// 2 shards and hits). A reopen makes it anew.
    pub fn check_block_cache_capacity(&self, bytes: usize) -> Result<(), DbError> {
        let bits = cache_shard_bits(self.block_cache_type, bytes);
        if bits >= self.block_cache_shard_bits {
            return Ok(());
        }
        let shards = 1usize << self.block_cache_shard_bits;
        Err(DbError::Refused(format!(
            "the block cache's {shards} shards would hold {} each, where a cache made at {} has {}: a reopen makes it anew",
            format_size(bytes / shards),
            format_size(bytes),
            1usize << bits
        )))
    }

    /// The block cache's capacity as last set.
    pub fn block_cache_capacity(&self) -> usize {
        self.block_cache_capacity.load(Relaxed)
    }

    /// Changes the statistics level of the live statistics object (shared with RocksDB).
    pub fn set_stats_level(&self, l: StatsLevel) {
        if self.stats_enabled {
            self.opts.set_statistics_level(stats_level(l));
        }
    }

    /// Compacts keys in `a..=b` (or everything), all the way to the bottom level.
    pub fn compact_range(&self, range: Option<(i64, i64)>) -> Result<(), DbError> {
        let mut co = CompactOptions::default();
        co.set_bottommost_level_compaction(BottommostLevelCompaction::Force);
        self.checked_compaction(|db| match range {
            Some((a, b)) => {
                let end = (b < i64::MAX).then(|| encode_key(b + 1));
                db.compact_range_opt(Some(encode_key(a)), end.as_ref(), &co);
            }
            None => db.compact_range_opt::<&[u8], &[u8]>(None, None, &co),
        })
    }

    /// Rewrites every file into one sorted run at `level`, so that a database can be
    /// reopened with another compaction style (level needs non-overlapping files above
    /// L0; FIFO needs every file in L0).
    pub fn compact_to_level(&self, level: i32) -> Result<(), DbError> {
        self.flush()?;
        let mut co = CompactOptions::default();
        co.set_bottommost_level_compaction(BottommostLevelCompaction::Force);
        co.set_change_level(true);
        co.set_target_level(level);
        self.checked_compaction(|db| db.compact_range_opt::<&[u8], &[u8]>(None, None, &co))
    }

    /// Bytes in all memtables.
    pub fn memtable_bytes(&self) -> u64 {
        self.int_prop("rocksdb.cur-size-all-mem-tables")
    }

    /// Bytes in live SST files.
    pub fn sst_bytes(&self) -> u64 {
        self.int_prop("rocksdb.live-sst-files-size")
    }

    /// The newest OPTIONS file RocksDB wrote (it writes one at open and after every
    /// `SetOptions`).
    pub fn latest_options_file(&self) -> Option<PathBuf> {
        let mut best: Option<(u64, PathBuf)> = None;
        for e in fs::read_dir(&self.path).ok()?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(n) = name
                .strip_prefix("OPTIONS-")
                .and_then(|n| n.parse::<u64>().ok())
                && best.as_ref().is_none_or(|(b, _)| n > *b)
            {
                best = Some((n, e.path()));
            }
        }
        best.map(|(_, p)| p)
    }

    fn int_prop(&self, name: &str) -> u64 {
        self.db.property_int_value(name).ok().flatten().unwrap_or(0)
    }

    /// RocksDB tickers, read through the crate's `Ticker` enum (its numbering matches
    /// RocksDB 11.8's C++ `Tickers` for every variant; tests/engine_rocksdb_enums.rs
    /// checks it against the statistics text).
    pub fn tickers(&self) -> RocksTickers {
        if !self.stats_enabled {
            return RocksTickers::default();
        }
        let t = |x: Ticker| self.opts.get_ticker_count(x);
        RocksTickers {
            block_cache: BlockCacheTickers {
                data_hit: t(Ticker::BlockCacheDataHit),
                data_miss: t(Ticker::BlockCacheDataMiss),
                index_hit: t(Ticker::BlockCacheIndexHit),
                index_miss: t(Ticker::BlockCacheIndexMiss),
                filter_hit: t(Ticker::BlockCacheFilterHit),
                filter_miss: t(Ticker::BlockCacheFilterMiss),
            },
            bloom_useful: t(Ticker::BloomFilterUseful),
            bloom_full_positive: t(Ticker::BloomFilterFullPositive),
            bloom_full_true_positive: t(Ticker::BloomFilterFullTruePositive),
            memtable_hit: t(Ticker::MemtableHit),
            memtable_miss: t(Ticker::MemtableMiss),
            get_hit_l0: t(Ticker::GetHitL0),
            get_hit_l1: t(Ticker::GetHitL1),
            get_hit_l2_and_up: t(Ticker::GetHitL2AndUp),
            bytes_written: t(Ticker::BytesWritten),
            bytes_read: t(Ticker::BytesRead),
            wal_bytes: t(Ticker::WalFileBytes),
            flush_write_bytes: t(Ticker::FlushWriteBytes),
            compact_read_bytes: t(Ticker::CompactReadBytes),
            compact_write_bytes: t(Ticker::CompactWriteBytes),
            stall_micros: t(Ticker::StallMicros),
        }
    }

    /// RocksDB's statistics dump (`options.statistics` text: every ticker and histogram
    /// by name). `None` when statistics are off.
    pub fn statistics_text(&self) -> Option<String> {
        if self.stats_enabled {
            self.opts.get_statistics()
        } else {
            None
        }
    }

    /// A RocksDB property as text (`rocksdb.stats`, `rocksdb.levelstats`, ...).
    pub fn property(&self, name: &str) -> Option<String> {
        self.db.property_value(name).ok().flatten()
    }

    /// RocksDB's share of the memory held for data (the ALEX and value-cache fields are
    /// left at zero for the caller).
    pub fn held(&self) -> HeldBytes {
        HeldBytes {
            block_cache_capacity: self.int_prop("rocksdb.block-cache-capacity"),
            block_cache_usage: self.block_cache.get_usage() as u64,
            block_cache_pinned: self.int_prop("rocksdb.block-cache-pinned-usage"),
            table_readers: self.int_prop("rocksdb.estimate-table-readers-mem"),
            memtables: self.memtable_bytes(),
            ..Default::default()
        }
    }

    /// Gauges: memory, LSM shape, compaction and stall state. Tickers are left at zero
    /// (see [`Store::tickers`]).
    pub fn gauges(&self) -> RocksStats {
        let mut levels: Vec<LevelInfo> = (0..NUM_LEVELS)
            .map(|level| LevelInfo {
                level,
                ..LevelInfo::default()
            })
            .collect();
        if let Ok(files) = self.db.live_files() {
            for f in files {
                let l = f.level.max(0) as usize;
                while levels.len() <= l {
                    levels.push(LevelInfo {
                        level: levels.len() as u32,
                        ..LevelInfo::default()
                    });
                }
                levels[l].files += 1;
                levels[l].bytes += f.size as u64;
            }
        }
        let delayed = self.int_prop("rocksdb.actual-delayed-write-rate");
        let stopped = self.int_prop("rocksdb.is-write-stopped") != 0;
        let limits = *self.stall_limits.lock();
        let mut r = RocksStats {
            statistics_enabled: self.stats_enabled,
            tickers: RocksTickers::default(),
            memtable_bytes: self.int_prop("rocksdb.cur-size-all-mem-tables"),
            immutable_memtables: self.int_prop("rocksdb.num-immutable-mem-table"),
            table_readers_bytes: self.int_prop("rocksdb.estimate-table-readers-mem"),
            block_cache_usage: self.block_cache.get_usage() as u64,
            block_cache_pinned_usage: self.block_cache.get_pinned_usage() as u64,
            block_cache_capacity: self.int_prop("rocksdb.block-cache-capacity"),
            sst_files: levels.iter().map(|l| l.files).sum(),
            sst_bytes: levels.iter().map(|l| l.bytes).sum(),
            levels,
            estimated_keys: self.int_prop("rocksdb.estimate-num-keys"),
            pending_compaction_bytes: self.int_prop("rocksdb.estimate-pending-compaction-bytes"),
            compaction_pending: self.int_prop("rocksdb.compaction-pending") != 0,
            running_compactions: self.int_prop("rocksdb.num-running-compactions"),
            running_flushes: self.int_prop("rocksdb.num-running-flushes"),
            delayed_write_rate: delayed,
            write_stopped: stopped,
            write_stall: stopped || delayed > 0,
            soft_pending_limit: limits.soft_pending,
            hard_pending_limit: limits.hard_pending,
            ..RocksStats::default()
        };
        self.fill_lsm(&mut r, limits);
        r
    }

    /// The listener's LSM figures (lsm/): per level what flushes and compactions read
    /// and wrote, the stall timeline, compactions under way, the block cache by block
    /// kind. Reads two text properties (each at most once per call).
    fn fill_lsm(&self, r: &mut RocksStats, limits: Shape) {
        let Some(events) = &self.listened else {
            return;
        };
        let texts = Texts {
            cfstats: self.property("rocksdb.cfstats-no-file-histogram"),
            // Rescanned by RocksDB at most every 10 s (and at most 1/10 of the time the
            // scans take); the `fast-` variant may be 3 minutes old.
            block_cache: self.property("rocksdb.block-cache-entry-stats"),
            live_data_bytes: self.int_prop("rocksdb.estimate-live-data-size"),
        };
        let shape = Shape {
            immutable_memtables: r.immutable_memtables,
            l0_files: r.levels.first().map_or(0, |l| l.files),
            pending_bytes: r.pending_compaction_bytes,
            ..limits
        };
        events
            .lsm
            .fill(r, &texts, &shape, std::time::Instant::now());
    }

    /// The flush, compaction and stall events the listener heard since the last call,
    /// each with when it happened (they are readied by [`Store::gauges`]).
    pub(crate) fn take_lsm_events(&self) -> Vec<(std::time::Instant, crate::metrics::NewEvent)> {
        self.listened
            .as_ref()
            .map(|e| e.lsm.take_ready())
            .unwrap_or_default()
    }
}

/// Sorted SST files for a bulk load, rotated every `rows_per_file` rows.
pub(crate) struct SstFiles<'a> {
    opts: &'a Options,
    dir: PathBuf,
    writer: Option<SstFileWriter<'a>>,
    files: Vec<PathBuf>,
    rows_in_file: usize,
    rows_per_file: usize,
}

impl<'a> SstFiles<'a> {
    /// Appends a row; keys must be strictly increasing within a file.
    pub fn put(&mut self, key: i64, value: &[u8]) -> Result<(), DbError> {
        if self.writer.is_none() {
            let path = self.dir.join(format!("{:06}.sst", self.files.len()));
            let w = SstFileWriter::create(self.opts);
            w.open(&path)
                .map_err(DbError::rocks("create a bulk-load SST file"))?;
            self.files.push(path);
            self.writer = Some(w);
            self.rows_in_file = 0;
        }
        if let Some(w) = self.writer.as_mut() {
            w.put(encode_key(key), value)
                .map_err(DbError::rocks("write a bulk-load SST file"))?;
        }
        self.rows_in_file += 1;
        if self.rows_in_file >= self.rows_per_file {
            self.end_file()?;
        }
        Ok(())
    }

    /// Closes the current file; the next `put` starts a new one (use it where the key
    /// order restarts).
    pub fn end_file(&mut self) -> Result<(), DbError> {
        if let Some(mut w) = self.writer.take() {
            w.finish()
                .map_err(DbError::rocks("finish a bulk-load SST file"))?;
        }
        Ok(())
    }

    /// Finishes the last file and returns every file written, in order.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, DbError> {
        self.end_file()?;
        Ok(std::mem::take(&mut self.files))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_preserves_order_and_round_trips() {
        let keys = [
            i64::MIN,
            i64::MIN + 1,
            -5,
            -1,
            0,
            1,
            3,
            i64::MAX - 1,
            i64::MAX,
        ];
        for w in keys.windows(2) {
            assert!(encode_key(w[0]) < encode_key(w[1]), "{} vs {}", w[0], w[1]);
        }
        for k in keys {
            assert_eq!(decode_key(&encode_key(k)), Some(k));
        }
        assert_eq!(encode_key(0), [0x80, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(decode_key(b"short"), None);
    }

    fn range(first: i64, last: i64) -> DamagedRange {
        DamagedRange {
            first,
            last,
            reason: format!("r{first}"),
        }
    }

    #[test]
    fn a_damaged_range_cut_by_a_scan_boundary_is_joined_again() {
        let mut a = KeyScan {
            keys: vec![1, 2],
            damaged: vec![range(3, 9)],
        };
        a.append(KeyScan {
            keys: vec![12, 13],
            damaged: vec![range(10, 11), range(14, 20)],
        });
        assert_eq!(a.keys, [1, 2, 12, 13]);
        assert_eq!(a.damaged, [range(3, 11), range(14, 20)]);
        // Not adjacent: kept apart.
        a.append(KeyScan {
            keys: vec![],
            damaged: vec![range(22, 30)],
        });
        assert_eq!(a.damaged.len(), 3);
    }
}
