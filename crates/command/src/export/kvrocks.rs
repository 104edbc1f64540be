//! Apache Kvrocks' key map: `kvrocks.conf` lines `rocksdb.<option> <value>`, yes/no
//! booleans, the cache and most sizes in MB (MiB: Kvrocks multiplies by 1 << 20). Key
//! names, units and ranges from apache/kvrocks `kvrocks.conf` and `src/config/config.cc`
//! ([`REFERENCE`]).
use super::{Form, Line, Out, Rule, key, nothing};
use engine::DbOptions;

pub const REFERENCE: &str = "apache/kvrocks kvrocks.conf and src/config/config.cc (commit \
     5fccd57, 2024-10-24)";

const ALL: &str = "";

const CODECS: &[(&str, &str)] = &[
    ("none", "no"),
    ("snappy", "snappy"),
    ("lz4", "lz4"),
    ("zstd", "zstd"),
];

const PER_FAMILY: &str = "per column family: Kvrocks keeps several (metadata, subkeys, \
     zset scores, pubsub, streams...), each with its own";

pub const RULES: &[Rule] = &[
    key(
        "block_cache_size",
        &[(ALL, "rocksdb.block_cache_size")],
        Form::Mib,
    )
    .warn(
        "shared by Kvrocks' metadata and subkey families (share_metadata_and_subkey_block_cache)",
    ),
    key(
        "block_cache_type",
        &[(ALL, "rocksdb.block_cache_type")],
        Form::Name(&[("lru", "lru"), ("hyper_clock", "hcc")]),
    ),
    nothing(
        "bloom_bits_per_key",
        "Kvrocks builds its filters itself (a 10-bit Bloom filter, format_version 5); no key",
    ),
    key("block_size", &[(ALL, "rocksdb.block_size")], Form::Bytes),
    nothing("data_block_hash_index", "no key in kvrocks.conf"),
    key(
        "cache_index_and_filter_blocks",
        &[(ALL, "rocksdb.cache_index_and_filter_blocks")],
        Form::Bool,
    ),
    nothing(
        "pin_l0_filter_and_index_blocks",
        "Kvrocks always pins L0 index and filter blocks; no key",
    ),
    key(
        "compression",
        &[(ALL, "rocksdb.compression")],
        Form::Name(CODECS),
    ),
    nothing(
        "bottommost_compression",
        "Kvrocks compresses every level from compression_start_level with rocksdb.compression; \
         no key for the bottom level",
    ),
    key(
        "write_buffer_size",
        &[(ALL, "rocksdb.write_buffer_size")],
        Form::Mib,
    )
    .warn(PER_FAMILY)
    .max(4096),
    key(
        "max_write_buffer_number",
        &[(ALL, "rocksdb.max_write_buffer_number")],
        Form::Int,
    )
    .max(256),
    key(
        "level0_file_num_compaction_trigger",
        &[(ALL, "rocksdb.level0_file_num_compaction_trigger")],
        Form::Int,
    ),
    key(
        "level0_slowdown_writes_trigger",
        &[(ALL, "rocksdb.level0_slowdown_writes_trigger")],
        Form::Int,
    )
    .max(1024),
    key(
        "level0_stop_writes_trigger",
        &[(ALL, "rocksdb.level0_stop_writes_trigger")],
        Form::Int,
    )
    .max(1024),
    nothing(
        "soft_pending_compaction_bytes_limit",
        "no key in kvrocks.conf; Kvrocks keeps RocksDB's default (64 GiB)",
    ),
    nothing(
        "hard_pending_compaction_bytes_limit",
        "no key in kvrocks.conf; Kvrocks keeps RocksDB's default (256 GiB)",
    ),
    key(
        "target_file_size_base",
        &[(ALL, "rocksdb.target_file_size_base")],
        Form::Mib,
    )
    .max(1024),
    key(
        "max_bytes_for_level_base",
        &[(ALL, "rocksdb.max_bytes_for_level_base")],
        Form::Bytes,
    ),
    nothing("compaction_style", "Kvrocks always uses leveled compaction"),
    nothing("fifo_max_size", "Kvrocks always uses leveled compaction"),
    key(
        "max_open_files",
        &[(ALL, "rocksdb.max_open_files")],
        Form::Int,
    ),
    key(
        "max_background_jobs",
        &[(ALL, "rocksdb.max_background_jobs")],
        Form::Int,
    )
    .max(32),
    nothing("use_direct_reads", "no key in kvrocks.conf"),
    nothing(
        "use_direct_io_for_flush_and_compaction",
        "no key in kvrocks.conf",
    ),
    nothing("allow_mmap_reads", "no key in kvrocks.conf"),
    key(
        "wal",
        &[(ALL, "rocksdb.write_options.disable_wal")],
        Form::NotBool,
    )
    .warn("Kvrocks' replication reads the WAL: keep it on with replicas"),
    key("sync", &[(ALL, "rocksdb.write_options.sync")], Form::Bool),
    nothing(
        "rocksdb_statistics",
        "Kvrocks always keeps RocksDB statistics (INFO rocksdb)",
    ),
    nothing("stats_level", super::OWN_METRICS),
    nothing("perf_level", super::OWN_METRICS),
    nothing(
        "create_if_missing",
        "Kvrocks always creates its database (create_if_missing is fixed on)",
    ),
    nothing(
        "wal_recovery_mode",
        "no key in kvrocks.conf; Kvrocks keeps RocksDB's default",
    ),
    nothing("optimize_filters_for_hits", "no key in kvrocks.conf"),
    nothing("verify_checksums", "no key in kvrocks.conf"),
    nothing("pin_index_and_filter_blocks", "no key in kvrocks.conf"),
    nothing("data_block_hash_ratio", "no key in kvrocks.conf"),
];

/// One `key value` line each, after `rocksdb.compression_start_level 0`: alexdb compresses
/// every level, Kvrocks by default leaves the first two uncompressed.
pub fn write(_o: &DbOptions, lines: Vec<Line>) -> String {
    let mut out = vec![
        "# alexdb compresses every level; Kvrocks by default not the first two.".to_string(),
        "rocksdb.compression_start_level 0".to_string(),
    ];
    for l in &lines {
        let v = match &l.value {
            Out::Raw(s) | Out::Text(s) => s.clone(),
            Out::List(items) => items.join(","),
        };
        out.push(format!("{} {v}", l.key));
    }
    out.push(String::new());
    out.join("\n")
}
