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
}

impl CompactionStyle {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Level => "level",
            Self::Universal => "universal",
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
            _ => Err("expected level or universal".to_string()),
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

/// When a changed option takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applies {
    /// Can change while the database is open (the runtime-toggle work wires these up).
    Live,
    /// Needs the database to be closed and reopened.
    Reopen,
}

/// Description of one tunable, for `help`/`show options` style listings.
#[derive(Debug, Clone, Serialize)]
pub struct OptionInfo {
    pub name: &'static str,
    pub value: String,
    pub default: String,
    pub applies: Applies,
    pub help: &'static str,
}

/// Every tunable of a [`crate::engine::Db`]. `Default` is the original plan's tuning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DbOptions {
    /// Shared LRU block cache for data, index and filter blocks (bytes).
    pub block_cache_bytes: usize,
    /// Bloom filter bits per key; 0 turns filters off.
    pub bloom_bits_per_key: f64,
    /// SST data block size (bytes).
    pub block_size: usize,
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
    pub compaction_style: CompactionStyle,
    /// -1 keeps every SST file open.
    pub max_open_files: i32,
    /// Background flush + compaction threads.
    pub max_background_jobs: i32,
    pub use_direct_reads: bool,
    pub use_direct_io_for_flush_and_compaction: bool,
    /// Write-ahead log for `put`/`delete`. Off loses unflushed writes on a crash.
    pub wal: bool,
    /// fsync the WAL on every write (power-loss safe; much slower). Off still survives a
    /// process crash: the WAL is in the OS page cache once a write returns.
    pub sync_writes: bool,
    /// Value cache capacity in entries; 0 turns the value cache off.
    pub value_cache_entries: usize,
    /// Independently locked shards of the value cache.
    pub value_cache_shards: usize,
    /// How `load` writes rows.
    pub bulk_load_method: BulkLoadMethod,
    /// Rows per SST file written by `load` (files are ingested together at the end).
    pub bulk_load_rows_per_file: usize,
    /// RocksDB statistics (tickers for block cache and bloom); costs a little per read.
    pub rocksdb_statistics: bool,
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
            bloom_bits_per_key: 10.0,
            block_size: 16 * KIB,
            cache_index_and_filter_blocks: true,
            pin_l0_filter_and_index_blocks: true,
            compression: Compression::Lz4,
            bottommost_compression: Compression::Zstd,
            write_buffer_size: 256 * MIB,
            max_write_buffer_number: 4,
            compaction_style: CompactionStyle::Level,
            max_open_files: -1,
            max_background_jobs: 2,
            use_direct_reads: false,
            use_direct_io_for_flush_and_compaction: false,
            wal: true,
            sync_writes: false,
            value_cache_entries: 100_000,
            value_cache_shards: 16,
            bulk_load_method: BulkLoadMethod::SstIngest,
            bulk_load_rows_per_file: 4_000_000,
            rocksdb_statistics: true,
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

impl DbOptions {
    /// Names of every option, in display order.
    pub const NAMES: [&'static str; 24] = [
        "block_cache_bytes",
        "bloom_bits_per_key",
        "block_size",
        "cache_index_and_filter_blocks",
        "pin_l0_filter_and_index_blocks",
        "compression",
        "bottommost_compression",
        "write_buffer_size",
        "max_write_buffer_number",
        "compaction_style",
        "max_open_files",
        "max_background_jobs",
        "use_direct_reads",
        "use_direct_io_for_flush_and_compaction",
        "wal",
        "sync_writes",
        "value_cache_entries",
        "value_cache_shards",
        "bulk_load_method",
        "bulk_load_rows_per_file",
        "rocksdb_statistics",
        "metrics",
        "metrics_sample_rate",
        "create_if_missing",
    ];

    /// Checks every field; the error names the option, its value and the allowed range.
    pub fn validate(&self) -> Result<(), DbError> {
        if self.block_cache_bytes > 1024 * GIB {
            return Err(invalid(
                "block_cache_bytes",
                self.block_cache_bytes,
                "must be at most 1TiB",
            ));
        }
        let b = self.bloom_bits_per_key;
        if !b.is_finite() || !(b == 0.0 || (1.0..=64.0).contains(&b)) {
            return Err(invalid(
                "bloom_bits_per_key",
                b,
                "must be 0 (off) or between 1 and 64",
            ));
        }
        if !(KIB..=64 * MIB).contains(&self.block_size) {
            return Err(invalid(
                "block_size",
                self.block_size,
                "must be between 1KiB and 64MiB",
            ));
        }
        if !(64 * KIB..=64 * GIB).contains(&self.write_buffer_size) {
            return Err(invalid(
                "write_buffer_size",
                self.write_buffer_size,
                "must be between 64KiB and 64GiB",
            ));
        }
        if !(2..=64).contains(&self.max_write_buffer_number) {
            return Err(invalid(
                "max_write_buffer_number",
                self.max_write_buffer_number,
                "must be between 2 and 64",
            ));
        }
        if self.max_open_files != -1 && !(16..=10_000_000).contains(&self.max_open_files) {
            return Err(invalid(
                "max_open_files",
                self.max_open_files,
                "must be -1 (unlimited) or between 16 and 10000000",
            ));
        }
        if !(1..=256).contains(&self.max_background_jobs) {
            return Err(invalid(
                "max_background_jobs",
                self.max_background_jobs,
                "must be between 1 and 256",
            ));
        }
        if self.value_cache_entries > 1_000_000_000 {
            return Err(invalid(
                "value_cache_entries",
                self.value_cache_entries,
                "must be at most 1000000000 (0 turns the cache off)",
            ));
        }
        if !(1..=1024).contains(&self.value_cache_shards) {
            return Err(invalid(
                "value_cache_shards",
                self.value_cache_shards,
                "must be between 1 and 1024",
            ));
        }
        if !(1_000..=1_000_000_000).contains(&self.bulk_load_rows_per_file) {
            return Err(invalid(
                "bulk_load_rows_per_file",
                self.bulk_load_rows_per_file,
                "must be between 1000 and 1000000000",
            ));
        }
        if !(1..=1_000_000).contains(&self.metrics_sample_rate) {
            return Err(invalid(
                "metrics_sample_rate",
                self.metrics_sample_rate,
                "must be between 1 (time every operation) and 1000000",
            ));
        }
        if self.sync_writes && !self.wal {
            return Err(invalid(
                "sync_writes",
                "on",
                "needs wal on (there is no log to sync)",
            ));
        }
        Ok(())
    }

    /// Sets one option from text (`set block_cache_bytes 1GiB`), validating the result.
    /// On error the options are unchanged.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), DbError> {
        let mut next = self.clone();
        let name = name.trim();
        let err = |reason: String| invalid(name, value, reason);
        match name {
            "block_cache_bytes" => next.block_cache_bytes = parse_size(value).map_err(err)?,
            "bloom_bits_per_key" => next.bloom_bits_per_key = parse_num(value).map_err(err)?,
            "block_size" => next.block_size = parse_size(value).map_err(err)?,
            "cache_index_and_filter_blocks" => {
                next.cache_index_and_filter_blocks = parse_bool(value).map_err(err)?
            }
            "pin_l0_filter_and_index_blocks" => {
                next.pin_l0_filter_and_index_blocks = parse_bool(value).map_err(err)?
            }
            "compression" => next.compression = value.parse().map_err(err)?,
            "bottommost_compression" => next.bottommost_compression = value.parse().map_err(err)?,
            "write_buffer_size" => next.write_buffer_size = parse_size(value).map_err(err)?,
            "max_write_buffer_number" => {
                next.max_write_buffer_number = parse_num(value).map_err(err)?
            }
            "compaction_style" => next.compaction_style = value.parse().map_err(err)?,
            "max_open_files" => next.max_open_files = parse_num(value).map_err(err)?,
            "max_background_jobs" => next.max_background_jobs = parse_num(value).map_err(err)?,
            "use_direct_reads" => next.use_direct_reads = parse_bool(value).map_err(err)?,
            "use_direct_io_for_flush_and_compaction" => {
                next.use_direct_io_for_flush_and_compaction = parse_bool(value).map_err(err)?
            }
            "wal" => next.wal = parse_bool(value).map_err(err)?,
            "sync_writes" => next.sync_writes = parse_bool(value).map_err(err)?,
            "value_cache_entries" => next.value_cache_entries = parse_num(value).map_err(err)?,
            "value_cache_shards" => next.value_cache_shards = parse_num(value).map_err(err)?,
            "bulk_load_method" => next.bulk_load_method = value.parse().map_err(err)?,
            "bulk_load_rows_per_file" => {
                next.bulk_load_rows_per_file = parse_num(value).map_err(err)?
            }
            "rocksdb_statistics" => next.rocksdb_statistics = parse_bool(value).map_err(err)?,
            "metrics" => next.metrics = parse_bool(value).map_err(err)?,
            "metrics_sample_rate" => next.metrics_sample_rate = parse_num(value).map_err(err)?,
            "create_if_missing" => next.create_if_missing = parse_bool(value).map_err(err)?,
            _ => {
                return Err(DbError::UnknownOption {
                    name: name.to_string(),
                });
            }
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Current value of one option as text, or `None` for an unknown name.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "block_cache_bytes" => format_size(self.block_cache_bytes),
            "bloom_bits_per_key" => self.bloom_bits_per_key.to_string(),
            "block_size" => format_size(self.block_size),
            "cache_index_and_filter_blocks" => on_off(self.cache_index_and_filter_blocks),
            "pin_l0_filter_and_index_blocks" => on_off(self.pin_l0_filter_and_index_blocks),
            "compression" => self.compression.to_string(),
            "bottommost_compression" => self.bottommost_compression.to_string(),
            "write_buffer_size" => format_size(self.write_buffer_size),
            "max_write_buffer_number" => self.max_write_buffer_number.to_string(),
            "compaction_style" => self.compaction_style.to_string(),
            "max_open_files" => self.max_open_files.to_string(),
            "max_background_jobs" => self.max_background_jobs.to_string(),
            "use_direct_reads" => on_off(self.use_direct_reads),
            "use_direct_io_for_flush_and_compaction" => {
                on_off(self.use_direct_io_for_flush_and_compaction)
            }
            "wal" => on_off(self.wal),
            "sync_writes" => on_off(self.sync_writes),
            "value_cache_entries" => self.value_cache_entries.to_string(),
            "value_cache_shards" => self.value_cache_shards.to_string(),
            "bulk_load_method" => self.bulk_load_method.to_string(),
            "bulk_load_rows_per_file" => self.bulk_load_rows_per_file.to_string(),
            "rocksdb_statistics" => on_off(self.rocksdb_statistics),
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
            .map(|&name| OptionInfo {
                name,
                value: self.get(name).unwrap_or_default(),
                default: defaults.get(name).unwrap_or_default(),
                applies: applies(name),
                help: help(name),
            })
            .collect()
    }
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.to_string()
}

/// Whether an option can change on an open database.
pub fn applies(name: &str) -> Applies {
    match name {
        "value_cache_entries"
        | "metrics"
        | "metrics_sample_rate"
        | "wal"
        | "sync_writes"
        | "bulk_load_method"
        | "bulk_load_rows_per_file"
        | "block_cache_bytes"
        | "write_buffer_size"
        | "max_write_buffer_number"
        | "max_background_jobs"
        | "compression"
        | "bottommost_compression" => Applies::Live,
        _ => Applies::Reopen,
    }
}

fn help(name: &str) -> &'static str {
    match name {
        "block_cache_bytes" => "RocksDB shared LRU block cache size",
        "bloom_bits_per_key" => "bloom filter bits per key (0 = no filter)",
        "block_size" => "SST data block size",
        "cache_index_and_filter_blocks" => "keep index/filter blocks in the block cache",
        "pin_l0_filter_and_index_blocks" => "pin L0 index/filter blocks in the block cache",
        "compression" => "compression of levels above the bottom (none/snappy/lz4/zstd)",
        "bottommost_compression" => "compression of the bottom level and bulk-load files",
        "write_buffer_size" => "memtable size",
        "max_write_buffer_number" => "memtables kept before writes stall",
        "compaction_style" => "level or universal compaction",
        "max_open_files" => "SST files kept open (-1 = all)",
        "max_background_jobs" => "background flush and compaction threads",
        "use_direct_reads" => "O_DIRECT reads (bypass the OS page cache)",
        "use_direct_io_for_flush_and_compaction" => "O_DIRECT for flush and compaction",
        "wal" => "write-ahead log for put/delete",
        "sync_writes" => "fsync the WAL on every write",
        "value_cache_entries" => "LRU value cache capacity in entries (0 = off)",
        "value_cache_shards" => "value cache shards (independent locks)",
        "bulk_load_method" => "load via sst-ingest or wal-off-batches",
        "bulk_load_rows_per_file" => "rows per SST file written by load",
        "rocksdb_statistics" => "RocksDB tickers (block cache, bloom)",
        "metrics" => "engine latency timing",
        "metrics_sample_rate" => "time 1 in N operations",
        "create_if_missing" => "create the database if the directory is missing or empty",
        _ => "",
    }
}
