//! Every tunable of the engine: its name, default, whether it applies live or on reopen,
//! and its validation. Defaults are the original plan's RocksDB tuning (bloom 10 bits/key,
//! 512 MiB block cache, cached and L0-pinned index/filter blocks, 16 KiB blocks, LZ4 with
//! ZSTD bottommost, 256 MiB write buffers, a 100,000-entry value cache).
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::error::DbError;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;
const GIB: usize = 1024 * MIB;

/// Largest value `put`/`load` accept: 16 MiB. Larger values are refused with
/// [`DbError::ValueTooLarge`] and leave the database unchanged.
pub const MAX_VALUE_BYTES: usize = 16 * MIB;

/// Block compression for SST files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Snappy,
    Lz4,
    Zstd,
}

impl Compression {
    pub const ALL: [Compression; 4] = [Self::None, Self::Snappy, Self::Lz4, Self::Zstd];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Snappy => "snappy",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Compression {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| "expected one of none, snappy, lz4, zstd".to_string())
    }
}

/// RocksDB compaction style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompactionStyle {
    Level,
    Universal,
    /// Oldest files are deleted once the database passes `fifo_max_size`.
    Fifo,
}

impl CompactionStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Level => "level",
            Self::Universal => "universal",
            Self::Fifo => "fifo",
        }
    }
}

impl fmt::Display for CompactionStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompactionStyle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "level" => Ok(Self::Level),
            "universal" => Ok(Self::Universal),
            "fifo" => Ok(Self::Fifo),
            _ => Err("expected level, universal or fifo".to_string()),
        }
    }
}

/// How a batch `load` writes its rows to RocksDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BulkLoadMethod {
    /// Sorted SST files built with `SstFileWriter`, then `ingest_external_file`: atomic
    /// (all rows or none), durable when it returns, no WAL and no compaction for sorted
    /// input. The default: it measured fastest (see the engine's report in the README).
    SstIngest,
    /// Write batches with the WAL off, then a flush. Only used when the database is empty;
    /// loads into a non-empty database always ingest SST files.
    WalOffBatches,
}

impl BulkLoadMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SstIngest => "sst-ingest",
            Self::WalOffBatches => "wal-off-batches",
        }
    }
}

impl fmt::Display for BulkLoadMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BulkLoadMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sst-ingest" | "sst" => Ok(Self::SstIngest),
            "wal-off-batches" | "batches" => Ok(Self::WalOffBatches),
            _ => Err("expected sst-ingest or wal-off-batches".to_string()),
        }
    }
}

/// Declares a small option enum: variants, their names, `Display` and `FromStr`.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let t = s.trim().to_ascii_lowercase().replace('-', "_");
                Self::ALL.iter().copied().find(|v| v.as_str() == t).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("expected one of {}", names.join(", "))
                })
            }
        }
    };
}

named_enum! {
    /// Which block cache RocksDB uses.
    BlockCacheType { Lru = "lru", HyperClock = "hyper_clock" }
}

named_enum! {
    /// RocksDB statistics level (RocksDB's `StatsLevel` names without the `k`).
    StatsLevel {
        DisableAll = "disable_all",
        /// Tickers and value histograms; no per-operation timers (the default).
        ExceptTimers = "except_timers",
        ExceptDetailedTimers = "except_detailed_timers",
        ExceptTimeForMutex = "except_time_for_mutex",
        All = "all",
    }
}

named_enum! {
    /// RocksDB PerfContext level for the threads that run operations.
    PerfLevel {
        Off = "off",
        Count = "count",
        TimeExceptMutex = "time_except_mutex",
        TimeAndCpuExceptMutex = "time_and_cpu_except_mutex",
    }
}

impl PerfLevel {
    /// The level with discriminant `i` (`Off` when out of range).
    pub fn from_index(i: u8) -> PerfLevel {
        Self::ALL
            .get(usize::from(i))
            .copied()
            .unwrap_or(PerfLevel::Off)
    }
}

/// When a changed option takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// Changes while the database is open.
    Live,
    /// RocksDB takes it at once, but only files written from now on use it (flushes and
    /// compactions; `.compact` rewrites the old ones).
    NewFiles,
    /// Needs the database closed and reopened (the shell does it; ALEX stays in memory).
    Reopen,
    /// Fixed while the database is open; used when a database is opened.
    AtOpen,
}

impl Applies {
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Live => "live",
            Applies::NewFiles => "new files",
            Applies::Reopen => "reopen",
            Applies::AtOpen => "at open",
        }
    }
}

/// Description of one tunable, for `.show options`.
#[derive(Debug, Clone, Serialize)]
pub struct OptionInfo {
    pub name: &'static str,
    pub value: String,
    pub default: String,
    pub applies: Applies,
    pub changed: bool,
    pub help: &'static str,
}

/// Every tunable of a [`crate::engine::Db`]. `Default` is the original plan's tuning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DbOptions {
    /// Shared block cache for data, index and filter blocks (bytes); `block_cache_size`.
    pub block_cache_bytes: usize,
    pub block_cache_type: BlockCacheType,
    /// Bloom filter bits per key; 0 turns filters off.
    pub bloom_bits_per_key: f64,
    /// SST data block size (bytes).
    pub block_size: usize,
    /// Hash index inside data blocks (faster point lookups, a little more space).
    pub data_block_hash_index: bool,
    /// Keep index and filter blocks in the block cache (charged to it).
    pub cache_index_and_filter_blocks: bool,
    /// Pin L0 index and filter blocks in the block cache.
    pub pin_l0_filter_and_index_blocks: bool,
    /// Compression of every level but the last.
    pub compression: Compression,
    /// Compression of the bottommost level (also used by bulk-load SST files).
    pub bottommost_compression: Compression,
    /// Memtable size (bytes).
    pub write_buffer_size: usize,
    /// Memtables kept before writes stall.
    pub max_write_buffer_number: i32,
    pub level0_file_num_compaction_trigger: i32,
    pub target_file_size_base: usize,
    pub max_bytes_for_level_base: usize,
    pub compaction_style: CompactionStyle,
    /// FIFO compaction deletes the oldest files above this total size.
    pub fifo_max_size: usize,
    /// -1 keeps every SST file open.
    pub max_open_files: i32,
    /// Background flush + compaction threads.
    pub max_background_jobs: i32,
    pub use_direct_reads: bool,
    pub use_direct_io_for_flush_and_compaction: bool,
    pub allow_mmap_reads: bool,
    /// Write-ahead log for `put`/`delete`. Off loses unflushed writes on a crash.
    pub wal: bool,
    /// fsync the WAL on every write (`sync`; power-loss safe, much slower). Off still
    /// survives a process crash: the WAL is in the OS page cache once a write returns.
    pub sync_writes: bool,
    /// Value cache capacity in entries; 0 turns the value cache off.
    pub value_cache_entries: usize,
    /// Independently locked shards of the value cache.
    pub value_cache_shards: usize,
    /// After a load, fill the value cache's free room with loaded rows.
    pub warm_value_cache_on_load: bool,
    /// How `load` writes rows.
    pub bulk_load_method: BulkLoadMethod,
    /// Rows per SST file written by `load` (files are ingested together at the end).
    pub bulk_load_rows_per_file: usize,
    /// RocksDB statistics (tickers for block cache and bloom); costs a little per read.
    pub rocksdb_statistics: bool,
    pub stats_level: StatsLevel,
    pub perf_level: PerfLevel,
    /// Engine latency timing; counters are always kept.
    pub metrics: bool,
    /// Time 1 in N operations (1 = every operation).
    pub metrics_sample_rate: u32,
    /// Create the database when the directory is missing or empty.
    pub create_if_missing: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            block_cache_bytes: 512 * MIB,
            block_cache_type: BlockCacheType::Lru,
            bloom_bits_per_key: 10.0,
            block_size: 16 * KIB,
            data_block_hash_index: false,
            cache_index_and_filter_blocks: true,
            pin_l0_filter_and_index_blocks: true,
            compression: Compression::Lz4,
            bottommost_compression: Compression::Zstd,
            write_buffer_size: 256 * MIB,
            max_write_buffer_number: 4,
            level0_file_num_compaction_trigger: 4,
            target_file_size_base: 64 * MIB,
            max_bytes_for_level_base: 256 * MIB,
            compaction_style: CompactionStyle::Level,
            fifo_max_size: GIB,
            max_open_files: -1,
            max_background_jobs: 2,
            use_direct_reads: false,
            use_direct_io_for_flush_and_compaction: false,
            allow_mmap_reads: false,
            wal: true,
            sync_writes: false,
            value_cache_entries: 100_000,
            value_cache_shards: 16,
            warm_value_cache_on_load: true,
            bulk_load_method: BulkLoadMethod::SstIngest,
            bulk_load_rows_per_file: 4_000_000,
            rocksdb_statistics: true,
            stats_level: StatsLevel::ExceptTimers,
            perf_level: PerfLevel::Off,
            metrics: true,
            metrics_sample_rate: DEFAULT_SAMPLE_RATE,
            create_if_missing: true,
        }
    }
}
/// Default `metrics_sample_rate`: time 1 operation in 32. A timed value-cache hit costs
/// about 50-90 ns more than an untimed one (two TSC reads, six counter adds, a histogram
/// record; measured in tests/engine_measure.rs), while the hit itself costs 30-50 ns. At
/// 1 in 32 that is ~2 ns per operation on the cheapest path (under 5% of a hit, and
/// nothing next to a RocksDB read of 2-8 us), and a dashboard refreshing 4 times a second
/// at 1M ops/s still gets ~7,800 timed operations per frame, plenty for p99.
pub const DEFAULT_SAMPLE_RATE: u32 = 32;

fn invalid(name: &str, value: impl fmt::Display, reason: impl Into<String>) -> DbError {
    DbError::InvalidOption {
        name: name.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Parses a byte size: `4096`, `16k`, `16KiB`, `512M`, `512MB`, `1g`, `1GiB` (binary units).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim().replace('_', "");
    let lower = t.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let mult: usize = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        "t" | "tb" | "tib" => GIB * 1024,
        _ => {
            return Err(format!(
                "{s:?} is not a size (use e.g. 4096, 16KiB, 512MiB, 1GiB)"
            ));
        }
    };
    if num.is_empty() {
        return Err(format!(
            "{s:?} is not a size (use e.g. 4096, 16KiB, 512MiB, 1GiB)"
        ));
    }
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (use e.g. 4096, 16KiB, 512MiB, 1GiB)"))?;
    let bytes = n * mult as f64;
    if !(0.0..=(u64::MAX as f64)).contains(&bytes) {
        return Err(format!("{s:?} is out of range"));
    }
    Ok(bytes as usize)
}

/// Formats a byte size the way `parse_size` reads it back (`512MiB`, `16KiB`, `100`).
pub fn format_size(n: usize) -> String {
    for (unit, m) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if n >= m && n.is_multiple_of(m) {
            return format!("{}{unit}", n / m);
        }
    }
    n.to_string()
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err("expected on/off (true/false)".to_string()),
    }
}

fn parse_num<T: FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| "expected a number".to_string())
}

/// Old names still accepted by `set`/`get`.
const ALIASES: &[(&str, &str)] = &[
    ("block_cache_bytes", "block_cache_size"),
    ("sync_writes", "sync"),
    ("bloom_bits", "bloom_bits_per_key"),
];

/// The canonical name of an option (resolving aliases), or `None` if unknown.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    if let Some(&(_, to)) = ALIASES.iter().find(|(from, _)| *from == n) {
        return Some(to);
    }
    DbOptions::NAMES.iter().copied().find(|k| *k == n)
}

/// The known option nearest to `name` (for "did you mean").
pub fn nearest_name(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    DbOptions::NAMES
        .iter()
        .copied()
        .map(|k| (edit_distance(&n, k), k))
        .filter(|(d, k)| *d <= (k.len() / 2).max(2) || k.contains(n.as_str()))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn unknown(name: &str) -> DbError {
    DbError::UnknownOption {
        name: name.to_string(),
        hint: nearest_name(name)
            .map(|n| format!("; did you mean \"{n}\"?"))
            .unwrap_or_default(),
    }
}

impl DbOptions {
    /// Names of every option, in display order.
    pub const NAMES: [&'static str; 34] = [
        "block_cache_size",
        "block_cache_type",
        "bloom_bits_per_key",
        "block_size",
        "data_block_hash_index",
        "cache_index_and_filter_blocks",
        "pin_l0_filter_and_index_blocks",
        "compression",
        "bottommost_compression",
        "write_buffer_size",
        "max_write_buffer_number",
        "level0_file_num_compaction_trigger",
        "target_file_size_base",
        "max_bytes_for_level_base",
        "compaction_style",
        "fifo_max_size",
        "max_open_files",
        "max_background_jobs",
        "use_direct_reads",
        "use_direct_io_for_flush_and_compaction",
        "allow_mmap_reads",
        "wal",
        "sync",
        "value_cache_entries",
        "value_cache_shards",
        "warm_value_cache_on_load",
        "bulk_load_method",
        "bulk_load_rows_per_file",
        "rocksdb_statistics",
        "stats_level",
        "perf_level",
        "metrics",
        "metrics_sample_rate",
        "create_if_missing",
    ];

    /// Checks every field; the error names the option, its value and the allowed range.
    pub fn validate(&self) -> Result<(), DbError> {
        let range = |name: &str, v: i128, lo: i128, hi: i128, text: &str| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(invalid(name, v, text))
            }
        };
        range(
            "block_cache_size",
            self.block_cache_bytes as i128,
            0,
            (1024 * GIB) as i128,
            "must be between 0 and 1TiB",
        )?;
        let b = self.bloom_bits_per_key;
        if !b.is_finite() || !(0.0..=100.0).contains(&b) {
            return Err(invalid(
                "bloom_bits_per_key",
                b,
                "must be between 0 (off) and 100",
            ));
        }
        range(
            "block_size",
            self.block_size as i128,
            KIB as i128,
            (64 * MIB) as i128,
            "must be between 1KiB and 64MiB",
        )?;
        range(
            "write_buffer_size",
            self.write_buffer_size as i128,
            (64 * KIB) as i128,
            (64 * GIB) as i128,
            "must be between 64KiB and 64GiB",
        )?;
        range(
            "max_write_buffer_number",
            self.max_write_buffer_number.into(),
            2,
            64,
            "must be between 2 and 64",
        )?;
        range(
            "level0_file_num_compaction_trigger",
            self.level0_file_num_compaction_trigger.into(),
            1,
            1000,
            "must be between 1 and 1000",
        )?;
        range(
            "target_file_size_base",
            self.target_file_size_base as i128,
            (64 * KIB) as i128,
            (64 * GIB) as i128,
            "must be between 64KiB and 64GiB",
        )?;
        range(
            "max_bytes_for_level_base",
            self.max_bytes_for_level_base as i128,
            (64 * KIB) as i128,
            (1024 * GIB) as i128,
            "must be between 64KiB and 1TiB",
        )?;
        range(
            "fifo_max_size",
            self.fifo_max_size as i128,
            MIB as i128,
            (1024 * 1024 * GIB) as i128,
            "must be between 1MiB and 1PiB",
        )?;
        if self.max_open_files != -1 {
            range(
                "max_open_files",
                self.max_open_files.into(),
                16,
                10_000_000,
                "must be -1 (unlimited) or between 16 and 10000000",
            )?;
        }
        range(
            "max_background_jobs",
            self.max_background_jobs.into(),
            1,
            256,
            "must be between 1 and 256",
        )?;
        range(
            "value_cache_entries",
            self.value_cache_entries as i128,
            0,
            1_000_000_000,
            "must be between 0 (off) and 1000000000",
        )?;
        range(
            "value_cache_shards",
            self.value_cache_shards as i128,
            1,
            1024,
            "must be between 1 and 1024",
        )?;
        range(
            "bulk_load_rows_per_file",
            self.bulk_load_rows_per_file as i128,
            1_000,
            1_000_000_000,
            "must be between 1000 and 1000000000",
        )?;
        range(
            "metrics_sample_rate",
            self.metrics_sample_rate.into(),
            1,
            1_000_000,
            "must be between 1 (time every operation) and 1000000",
        )?;
        if self.sync_writes && !self.wal {
            return Err(invalid(
                "sync",
                "on",
                "needs wal on (there is no log to sync)",
            ));
        }
        if self.compaction_style == CompactionStyle::Fifo && self.max_open_files != -1 {
            return Err(invalid(
                "max_open_files",
                self.max_open_files,
                "must be -1 with fifo compaction (RocksDB requires it)",
            ));
        }
        if self.use_direct_reads && self.allow_mmap_reads {
            return Err(invalid(
                "allow_mmap_reads",
                "on",
                "cannot be combined with use_direct_reads; turn that off first",
            ));
        }
        Ok(())
    }

    /// Sets one option from text (`block_cache_size 1GiB`), validating the result.
    /// On error the options are unchanged. Returns the option's canonical name.
    pub fn set(&mut self, name: &str, value: &str) -> Result<&'static str, DbError> {
        let mut next = self.clone();
        let key = next.set_unvalidated(name, value)?;
        next.validate()?;
        *self = next;
        Ok(key)
    }

    /// Parses and sets one option without the cross-option checks of `validate` (for
    /// moving between two valid sets of options one field at a time).
    pub fn set_unvalidated(&mut self, name: &str, value: &str) -> Result<&'static str, DbError> {
        let key = canonical_name(name).ok_or_else(|| unknown(name))?;
        let next = self;
        let err = |reason: String| invalid(key, value, reason);
        let size = |v: &str| -> Result<usize, DbError> {
            if v.trim_start().starts_with('-') {
                return Err(err("sizes cannot be negative".to_string()));
            }
            parse_size(v).map_err(err)
        };
        match key {
            "block_cache_size" => next.block_cache_bytes = size(value)?,
            "block_cache_type" => next.block_cache_type = value.parse().map_err(err)?,
            "bloom_bits_per_key" => next.bloom_bits_per_key = parse_num(value).map_err(err)?,
            "block_size" => next.block_size = size(value)?,
            "data_block_hash_index" => {
                next.data_block_hash_index = parse_bool(value).map_err(err)?
            }
            "cache_index_and_filter_blocks" => {
                next.cache_index_and_filter_blocks = parse_bool(value).map_err(err)?
            }
            "pin_l0_filter_and_index_blocks" => {
                next.pin_l0_filter_and_index_blocks = parse_bool(value).map_err(err)?
            }
            "compression" => next.compression = value.parse().map_err(err)?,
            "bottommost_compression" => next.bottommost_compression = value.parse().map_err(err)?,
            "write_buffer_size" => next.write_buffer_size = size(value)?,
            "max_write_buffer_number" => {
                next.max_write_buffer_number = parse_num(value).map_err(err)?
            }
            "level0_file_num_compaction_trigger" => {
                next.level0_file_num_compaction_trigger = parse_num(value).map_err(err)?
            }
            "target_file_size_base" => next.target_file_size_base = size(value)?,
            "max_bytes_for_level_base" => next.max_bytes_for_level_base = size(value)?,
            "compaction_style" => next.compaction_style = value.parse().map_err(err)?,
            "fifo_max_size" => next.fifo_max_size = size(value)?,
            "max_open_files" => next.max_open_files = parse_num(value).map_err(err)?,
            "max_background_jobs" => next.max_background_jobs = parse_num(value).map_err(err)?,
            "use_direct_reads" => next.use_direct_reads = parse_bool(value).map_err(err)?,
            "use_direct_io_for_flush_and_compaction" => {
                next.use_direct_io_for_flush_and_compaction = parse_bool(value).map_err(err)?
            }
            "allow_mmap_reads" => next.allow_mmap_reads = parse_bool(value).map_err(err)?,
            "wal" => next.wal = parse_bool(value).map_err(err)?,
            "sync" => next.sync_writes = parse_bool(value).map_err(err)?,
            "value_cache_entries" => next.value_cache_entries = parse_num(value).map_err(err)?,
            "value_cache_shards" => next.value_cache_shards = parse_num(value).map_err(err)?,
            "warm_value_cache_on_load" => {
                next.warm_value_cache_on_load = parse_bool(value).map_err(err)?
            }
            "bulk_load_method" => next.bulk_load_method = value.parse().map_err(err)?,
            "bulk_load_rows_per_file" => {
                next.bulk_load_rows_per_file = parse_num(value).map_err(err)?
            }
            "rocksdb_statistics" => next.rocksdb_statistics = parse_bool(value).map_err(err)?,
            "stats_level" => next.stats_level = value.parse().map_err(err)?,
            "perf_level" => next.perf_level = value.parse().map_err(err)?,
            "metrics" => next.metrics = parse_bool(value).map_err(err)?,
            "metrics_sample_rate" => next.metrics_sample_rate = parse_num(value).map_err(err)?,
            "create_if_missing" => next.create_if_missing = parse_bool(value).map_err(err)?,
            _ => return Err(unknown(name)),
        }
        Ok(key)
    }

    /// Current value of one option as text, or `None` for an unknown name.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match canonical_name(name)? {
            "block_cache_size" => format_size(self.block_cache_bytes),
            "block_cache_type" => self.block_cache_type.to_string(),
            "bloom_bits_per_key" => self.bloom_bits_per_key.to_string(),
            "block_size" => format_size(self.block_size),
            "data_block_hash_index" => on_off(self.data_block_hash_index),
            "cache_index_and_filter_blocks" => on_off(self.cache_index_and_filter_blocks),
            "pin_l0_filter_and_index_blocks" => on_off(self.pin_l0_filter_and_index_blocks),
            "compression" => self.compression.to_string(),
            "bottommost_compression" => self.bottommost_compression.to_string(),
            "write_buffer_size" => format_size(self.write_buffer_size),
            "max_write_buffer_number" => self.max_write_buffer_number.to_string(),
            "level0_file_num_compaction_trigger" => {
                self.level0_file_num_compaction_trigger.to_string()
            }
            "target_file_size_base" => format_size(self.target_file_size_base),
            "max_bytes_for_level_base" => format_size(self.max_bytes_for_level_base),
            "compaction_style" => self.compaction_style.to_string(),
            "fifo_max_size" => format_size(self.fifo_max_size),
            "max_open_files" => self.max_open_files.to_string(),
            "max_background_jobs" => self.max_background_jobs.to_string(),
            "use_direct_reads" => on_off(self.use_direct_reads),
            "use_direct_io_for_flush_and_compaction" => {
                on_off(self.use_direct_io_for_flush_and_compaction)
            }
            "allow_mmap_reads" => on_off(self.allow_mmap_reads),
            "wal" => on_off(self.wal),
            "sync" => on_off(self.sync_writes),
            "value_cache_entries" => self.value_cache_entries.to_string(),
            "value_cache_shards" => self.value_cache_shards.to_string(),
            "warm_value_cache_on_load" => on_off(self.warm_value_cache_on_load),
            "bulk_load_method" => self.bulk_load_method.to_string(),
            "bulk_load_rows_per_file" => self.bulk_load_rows_per_file.to_string(),
            "rocksdb_statistics" => on_off(self.rocksdb_statistics),
            "stats_level" => self.stats_level.to_string(),
            "perf_level" => self.perf_level.to_string(),
            "metrics" => on_off(self.metrics),
            "metrics_sample_rate" => self.metrics_sample_rate.to_string(),
            "create_if_missing" => on_off(self.create_if_missing),
            _ => return None,
        })
    }

    /// Every option with its current value, default, when it applies and a one-line help.
    pub fn describe(&self) -> Vec<OptionInfo> {
        let defaults = DbOptions::default();
        Self::NAMES
            .iter()
            .map(|&name| {
                let value = self.get(name).unwrap_or_default();
                let default = defaults.get(name).unwrap_or_default();
                OptionInfo {
                    name,
                    changed: value != default,
                    value,
                    default,
                    applies: applies(name),
                    help: help(name),
                }
            })
            .collect()
    }

    /// Names of the options whose values differ between `self` and `other`.
    pub fn diff(&self, other: &DbOptions) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .copied()
            .filter(|n| self.get(n) != other.get(n))
            .collect()
    }
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

/// The values option `name` accepts when they form a short list (for completion).
pub fn value_choices(name: &str) -> Vec<&'static str> {
    let d = DbOptions::default();
    let Some(key) = canonical_name(name) else {
        return Vec::new();
    };
    match key {
        "block_cache_type" => BlockCacheType::ALL.iter().map(|v| v.as_str()).collect(),
        "stats_level" => StatsLevel::ALL.iter().map(|v| v.as_str()).collect(),
        "perf_level" => PerfLevel::ALL.iter().map(|v| v.as_str()).collect(),
        "compression" | "bottommost_compression" => {
            Compression::ALL.iter().map(|v| v.as_str()).collect()
        }
        "compaction_style" => vec!["level", "universal", "fifo"],
        "bulk_load_method" => vec!["sst-ingest", "wal-off-batches"],
        _ if matches!(d.get(key).as_deref(), Some("on" | "off")) => vec!["on", "off"],
        _ => Vec::new(),
    }
}

/// When a change to option `name` takes effect.
pub fn applies(name: &str) -> Applies {
    match canonical_name(name).unwrap_or("") {
        "block_cache_size"
        | "value_cache_entries"
        | "compression"
        | "bottommost_compression"
        | "write_buffer_size"
        | "max_write_buffer_number"
        | "level0_file_num_compaction_trigger"
        | "target_file_size_base"
        | "max_bytes_for_level_base"
        | "fifo_max_size"
        | "wal"
        | "sync"
        | "bulk_load_method"
        | "bulk_load_rows_per_file"
        | "stats_level"
        | "perf_level"
        | "metrics"
        | "metrics_sample_rate"
        | "create_if_missing"
        | "warm_value_cache_on_load" => Applies::Live,
        "value_cache_shards" => Applies::AtOpen,
        "bloom_bits_per_key"
        | "block_size"
        | "data_block_hash_index"
        | "cache_index_and_filter_blocks"
        | "pin_l0_filter_and_index_blocks" => Applies::NewFiles,
        _ => Applies::Reopen,
    }
}

fn help(name: &str) -> &'static str {
    match name {
        "block_cache_size" => "RocksDB shared block cache size",
        "block_cache_type" => "block cache implementation (lru or hyper_clock)",
        "bloom_bits_per_key" => "bloom filter bits per key (0 = no filter)",
        "block_size" => "SST data block size",
        "data_block_hash_index" => "hash index in data blocks for point lookups",
        "cache_index_and_filter_blocks" => "keep index/filter blocks in the block cache",
        "pin_l0_filter_and_index_blocks" => "pin L0 index/filter blocks in the block cache",
        "compression" => "compression of levels above the bottom (none/snappy/lz4/zstd)",
        "bottommost_compression" => "compression of the bottom level and bulk-load files",
        "write_buffer_size" => "memtable size",
        "max_write_buffer_number" => "memtables kept before writes stall",
        "level0_file_num_compaction_trigger" => "L0 files that start a compaction",
        "target_file_size_base" => "target SST file size at L1",
        "max_bytes_for_level_base" => "total size of L1",
        "compaction_style" => "level, universal or fifo compaction",
        "fifo_max_size" => "fifo: delete the oldest files above this total size",
        "max_open_files" => "SST files kept open (-1 = all)",
        "max_background_jobs" => "background flush and compaction threads",
        "use_direct_reads" => "O_DIRECT reads (bypass the OS page cache)",
        "use_direct_io_for_flush_and_compaction" => "O_DIRECT for flush and compaction",
        "allow_mmap_reads" => "read SST files through mmap",
        "wal" => "write-ahead log for put/delete",
        "sync" => "fsync the WAL on every write",
        "value_cache_entries" => "LRU value cache capacity in entries (0 = off)",
        "value_cache_shards" => "value cache shards (independent locks)",
        "warm_value_cache_on_load" => {
            "after a load, fill the value cache's free room with loaded rows"
        }
        "bulk_load_method" => "load via sst-ingest or wal-off-batches",
        "bulk_load_rows_per_file" => "rows per SST file written by load",
        "rocksdb_statistics" => "RocksDB tickers (block cache, bloom)",
        "stats_level" => "RocksDB statistics detail",
        "perf_level" => "RocksDB PerfContext detail for operation threads",
        "metrics" => "engine latency timing",
        "metrics_sample_rate" => "time 1 in N operations",
        "create_if_missing" => "create the database if the directory is missing or empty",
        _ => "",
    }
}
