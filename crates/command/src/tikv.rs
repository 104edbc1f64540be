//! `.options export FILE --format tikv`: the RocksDB settings in force as a TiKV
//! configuration fragment, with TiKV's key names and units (from TiKV's configuration
//! reference, pingcap/docs `tikv-configuration-file.md`; see docs/tuning.md). Options
//! TiKV has no key for (the value cache, ALEX, this shell's metrics) follow as `#`
//! comments with their values, so nothing in force is silently left out.
use engine::options::Opt;
use engine::options::WalRecoveryMode;
use engine::{CompactionStyle, Compression, DbOptions};

/// RocksDB's default number of levels, which TiKV's `compression-per-level` lists.
const LEVELS: usize = 7;

/// The options written as TiKV keys; every other option becomes a comment.
const MAPPED: &[Opt] = &[
    Opt::BlockCacheSize,
    Opt::MaxBackgroundJobs,
    Opt::MaxOpenFiles,
    Opt::UseDirectIoForFlushAndCompaction,
    Opt::WalRecoveryMode,
    Opt::CreateIfMissing,
    Opt::BlockSize,
    Opt::BloomBitsPerKey,
    Opt::CacheIndexAndFilterBlocks,
    Opt::PinL0FilterAndIndexBlocks,
    Opt::OptimizeFiltersForHits,
    Opt::Compression,
    Opt::BottommostCompression,
    Opt::WriteBufferSize,
    Opt::MaxWriteBufferNumber,
    Opt::Level0FileNumCompactionTrigger,
    Opt::TargetFileSizeBase,
    Opt::MaxBytesForLevelBase,
    Opt::CompactionStyle,
];

/// A size the way TiKV writes it (`64MiB`, `16KiB`; plain bytes as `100B`).
pub fn tikv_size(n: usize) -> String {
    for (unit, m) in [("GiB", 1usize << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= m && n.is_multiple_of(m) {
            return format!("\"{}{unit}\"", n / m);
        }
    }
    format!("\"{n}B\"")
}

/// TiKV's codec names (`no` for none).
fn codec(c: Compression) -> &'static str {
    match c {
        Compression::None => "no",
        Compression::Snappy => "snappy",
        Compression::Lz4 => "lz4",
        Compression::Zstd => "zstd",
    }
}

fn wal_mode(m: WalRecoveryMode) -> &'static str {
    match m {
        WalRecoveryMode::AbsoluteConsistency => "absolute-consistency",
        WalRecoveryMode::PointInTime => "point-in-time",
        WalRecoveryMode::TolerateCorruptedTail => "tolerate-corrupted-tail-records",
        WalRecoveryMode::SkipAny => "skip-any-corrupted-records",
    }
}

fn style(s: CompactionStyle) -> &'static str {
    match s {
        CompactionStyle::Level => "level",
        CompactionStyle::Universal => "universal",
        CompactionStyle::Fifo => "fifo",
    }
}

/// The fragment for options `o`; `source` names the database in the header.
pub fn tikv_fragment(o: &DbOptions, source: &str) -> String {
    let mut out = vec![
        format!("# TiKV configuration fragment: the RocksDB settings in force for {source}"),
        "# (written by alexdb's `.options export FILE --format tikv`).".to_string(),
        String::new(),
        "[storage.block-cache]".to_string(),
        format!("capacity = {}", tikv_size(o.block_cache_bytes)),
        String::new(),
        "[rocksdb]".to_string(),
        format!("max-background-jobs = {}", o.max_background_jobs),
        format!("max-open-files = {}", o.max_open_files),
        format!(
            "use-direct-io-for-flush-and-compaction = {}",
            o.use_direct_io_for_flush_and_compaction
        ),
        format!("wal-recovery-mode = \"{}\"", wal_mode(o.wal_recovery_mode)),
        format!("create-if-missing = {}", o.create_if_missing),
        String::new(),
    ];
    out.extend(defaultcf(o));
    out.push(String::new());
    out.push("# alexdb options TiKV has no key for, with their values:".to_string());
    for opt in Opt::ALL.iter().filter(|o| !MAPPED.contains(o)) {
        out.push(format!("# {} = {}", opt.name(), o.text(*opt)));
    }
    out.push(String::new());
    out.join("\n")
}

/// The `[rocksdb.defaultcf]` table (alexdb keeps its rows in the default family).
fn defaultcf(o: &DbOptions) -> Vec<String> {
    let bits = o.bloom_bits_per_key.round() as i64;
    let per_level = vec![format!("\"{}\"", codec(o.compression)); LEVELS];
    let mut out = vec![
        "[rocksdb.defaultcf]".to_string(),
        format!("block-size = {}", tikv_size(o.block_size)),
        format!("use-bloom-filter = {}", bits > 0),
        format!("bloom-filter-bits-per-key = {bits}"),
        format!(
            "cache-index-and-filter-blocks = {}",
            o.cache_index_and_filter_blocks
        ),
        format!(
            "pin-l0-filter-and-index-blocks = {}",
            o.pin_l0_filter_and_index_blocks
        ),
        format!(
            "optimize-filters-for-hits = {}",
            o.optimize_filters_for_hits
        ),
        format!("compression-per-level = [{}]", per_level.join(", ")),
        format!(
            "bottommost-level-compression = \"{}\"",
            codec(o.bottommost_compression)
        ),
        format!("write-buffer-size = {}", tikv_size(o.write_buffer_size)),
        format!("max-write-buffer-number = {}", o.max_write_buffer_number),
        format!(
            "level0-file-num-compaction-trigger = {}",
            o.level0_file_num_compaction_trigger
        ),
        format!(
            "target-file-size-base = {}",
            tikv_size(o.target_file_size_base)
        ),
        format!(
            "max-bytes-for-level-base = {}",
            tikv_size(o.max_bytes_for_level_base)
        ),
        format!("compaction-style = \"{}\"", style(o.compaction_style)),
    ];
    if bits as f64 != o.bloom_bits_per_key {
        // TiKV takes whole bits per key.
        out.push(format!(
            "# bloom_bits_per_key is {} here; TiKV takes whole bits, rounded to {bits}",
            o.bloom_bits_per_key
        ));
    }
    out
}
