//! MyRocks' key map (MariaDB/MySQL with the RocksDB storage engine): a `my.cnf` section
//! with server-wide `rocksdb_*` variables, and the per-column-family options as one
//! RocksDB options string in `rocksdb_default_cf_options` (table options nested in
//! `block_based_table_factory={...}`). Checked against MariaDB 10.11's MyRocks
//! ([`REFERENCE`]) by a test that starts the server with the exported file.
use super::{Form, Line, Out, Rule, key, nothing};
use engine::{DbOptions, PinningTier};

pub const REFERENCE: &str = "MariaDB 10.11 MyRocks (RocksDB 6.29): SHOW VARIABLES LIKE \
     'rocksdb%' and RocksDB's options-string names";

/// A server-wide `rocksdb_*` variable.
pub const DB: &str = "db";
/// A column-family option in `rocksdb_default_cf_options`.
pub const CF: &str = "cf";
/// A block-based table option inside `block_based_table_factory={...}`.
pub const TABLE: &str = "table";

const CODECS: &[(&str, &str)] = &[
    ("none", "kNoCompression"),
    ("snappy", "kSnappyCompression"),
    ("lz4", "kLZ4Compression"),
    ("zstd", "kZSTD"),
];

const PER_FAMILY: &str = "per column family: each family MyRocks keeps (__system__, and one \
     per index COMMENT naming a family) gets its own";

pub const RULES: &[Rule] = &[
    key(
        "block_cache_size",
        &[(DB, "rocksdb_block_cache_size")],
        Form::Bytes,
    )
    .warn("server-wide: one block cache for every column family, not per family"),
    nothing(
        "block_cache_type",
        "MyRocks offers LRU (its default) or its old ClockCache (rocksdb_use_clock_cache), \
         not HyperClockCache",
    ),
    key(
        "bloom_bits_per_key",
        &[(TABLE, "filter_policy")],
        Form::BloomPolicy,
    ),
    key("block_size", &[(TABLE, "block_size")], Form::Bytes),
    key(
        "data_block_hash_index",
        &[(TABLE, "data_block_index_type")],
        Form::Name(&[
            ("on", "kDataBlockBinaryAndHash"),
            ("off", "kDataBlockBinarySearch"),
        ]),
    ),
    key(
        "cache_index_and_filter_blocks",
        &[(TABLE, "cache_index_and_filter_blocks")],
        Form::Bool,
    ),
    key(
        "pin_l0_filter_and_index_blocks",
        &[(TABLE, "pin_l0_filter_and_index_blocks_in_cache")],
        Form::Bool,
    ),
    key("compression", &[(CF, "compression")], Form::Name(CODECS)),
    key(
        "bottommost_compression",
        &[(CF, "bottommost_compression")],
        Form::Name(CODECS),
    ),
    key(
        "write_buffer_size",
        &[(CF, "write_buffer_size")],
        Form::Bytes,
    )
    .warn(PER_FAMILY),
    key(
        "max_write_buffer_number",
        &[(CF, "max_write_buffer_number")],
        Form::Int,
    )
    .warn(PER_FAMILY),
    key(
        "level0_file_num_compaction_trigger",
        &[(CF, "level0_file_num_compaction_trigger")],
        Form::Int,
    ),
    key(
        "level0_slowdown_writes_trigger",
        &[(CF, "level0_slowdown_writes_trigger")],
        Form::Int,
    ),
    key(
        "level0_stop_writes_trigger",
        &[(CF, "level0_stop_writes_trigger")],
        Form::Int,
    ),
    key(
        "soft_pending_compaction_bytes_limit",
        &[(CF, "soft_pending_compaction_bytes_limit")],
        Form::Bytes,
    ),
    key(
        "hard_pending_compaction_bytes_limit",
        &[(CF, "hard_pending_compaction_bytes_limit")],
        Form::Bytes,
    ),
    key(
        "target_file_size_base",
        &[(CF, "target_file_size_base")],
        Form::Bytes,
    ),
    key(
        "max_bytes_for_level_base",
        &[(CF, "max_bytes_for_level_base")],
        Form::Bytes,
    ),
    key(
        "compaction_style",
        &[(CF, "compaction_style")],
        Form::Name(&[
            ("level", "kCompactionStyleLevel"),
            ("universal", "kCompactionStyleUniversal"),
            ("fifo", "kCompactionStyleFIFO"),
        ]),
    ),
    key(
        "fifo_max_size",
        &[(CF, "compaction_options_fifo")],
        Form::Nested("max_table_files_size"),
    ),
    key(
        "max_open_files",
        &[(DB, "rocksdb_max_open_files")],
        Form::Int,
    ),
    key(
        "max_background_jobs",
        &[(DB, "rocksdb_max_background_jobs")],
        Form::Int,
    ),
    key(
        "use_direct_reads",
        &[(DB, "rocksdb_use_direct_reads")],
        Form::Bool,
    ),
    key(
        "use_direct_io_for_flush_and_compaction",
        &[(DB, "rocksdb_use_direct_io_for_flush_and_compaction")],
        Form::Bool,
    ),
    key(
        "allow_mmap_reads",
        &[(DB, "rocksdb_allow_mmap_reads")],
        Form::Bool,
    ),
    key("wal", &[(DB, "rocksdb_write_disable_wal")], Form::NotBool)
        .warn("the server's default; a session can change it"),
    key(
        "sync",
        &[(DB, "rocksdb_flush_log_at_trx_commit")],
        Form::Name(&[("on", "1"), ("off", "2")]),
    )
    .warn(
        "MyRocks syncs per transaction commit: 1 syncs each commit, 2 writes each commit and \
         syncs once a second (alexdb's sync off never syncs)",
    ),
    nothing(
        "rocksdb_statistics",
        "MyRocks always keeps RocksDB statistics (SHOW ENGINE ROCKSDB STATUS)",
    ),
    nothing(
        "stats_level",
        "rocksdb_stats_level takes MyRocks' RocksDB 6.29 enum numbers, set by hand",
    ),
    nothing(
        "perf_level",
        "per session in MyRocks (rocksdb_perf_context_level), not a server setting",
    ),
    key(
        "create_if_missing",
        &[(DB, "rocksdb_create_if_missing")],
        Form::Bool,
    ),
    key(
        "wal_recovery_mode",
        &[(DB, "rocksdb_wal_recovery_mode")],
        Form::Name(&[
            ("tolerate_corrupted_tail", "0"),
            ("absolute_consistency", "1"),
            ("point_in_time", "2"),
            ("skip_any", "3"),
        ]),
    ),
    key(
        "optimize_filters_for_hits",
        &[(CF, "optimize_filters_for_hits")],
        Form::Bool,
    ),
    nothing(
        "verify_checksums",
        "MyRocks sets its read options itself (rocksdb_verify_row_debug_checksums checks \
         its own row checksums, not blocks)",
    ),
    key(
        "pin_index_and_filter_blocks",
        &[(TABLE, "metadata_cache_options")],
        Form::Pinning,
    ),
    key(
        "data_block_hash_ratio",
        &[(TABLE, "data_block_hash_table_util_ratio")],
        Form::Plain,
    ),
];

/// The `[mysqld]` section: the server variables, then `rocksdb_default_cf_options` with
/// the family options and the table options nested. `level_compaction_dynamic_level_bytes`
/// is added: alexdb's RocksDB sizes levels dynamically by default, MyRocks' 6.29 does not,
/// and `max_bytes_for_level_base` means something else without it.
pub fn write(_o: &DbOptions, mut lines: Vec<Line>) -> String {
    lines.push(Line {
        section: CF,
        key: "level_compaction_dynamic_level_bytes",
        value: Out::Raw("true".into()),
    });
    let pairs = |section: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.section == section)
            .map(|l| format!("{}={}", l.key, plain(&l.value)))
            .collect()
    };
    let mut cf = pairs(CF);
    cf.push(format!(
        "block_based_table_factory={{{}}}",
        pairs(TABLE).join(";")
    ));
    let mut out = vec![
        "# Needs the RocksDB engine: plugin-load-add=ha_rocksdb.so (Debian: mariadb-plugin-rocksdb)."
            .to_string(),
        "[mysqld]".to_string(),
    ];
    out.extend(pairs(DB));
    out.push(format!("rocksdb_default_cf_options={}", cf.join(";")));
    out.push(String::new());
    out.join("\n")
}

fn plain(v: &Out) -> String {
    match v {
        Out::Raw(s) | Out::Text(s) => s.clone(),
        Out::List(items) => items.join(":"),
    }
}

/// RocksDB's filter policy for `bits` per key: whole bits (MyRocks writes format_version 2
/// tables, whose Bloom filter rounds to whole bits), `nullptr` for none.
pub fn bloom_policy(bits: f64) -> (Out, Option<String>) {
    let whole = bits.round() as i64;
    let note = (whole as f64 != bits).then(|| {
        format!("{bits} bits per key; MyRocks' Bloom filter takes whole bits, written as {whole}")
    });
    let policy = if whole > 0 {
        format!("bloomfilter:{whole}:false")
    } else {
        "nullptr".to_string()
    };
    (Out::Raw(policy), note)
}

/// The pinning tier in force as RocksDB's `metadata_cache_options`: without index and
/// filter blocks in the block cache nothing is pinned there (RocksDB's fallback), as in
/// alexdb's store.
pub fn pinning(o: &DbOptions) -> String {
    let tier = if !o.cache_index_and_filter_blocks {
        "kFallback"
    } else {
        match o.pin_index_and_filter_blocks {
            PinningTier::All => "kAll",
            PinningTier::Flush => "kFlushedAndSimilar",
            PinningTier::None => "kNone",
            PinningTier::Fallback => "kFallback",
        }
    };
    format!("{{unpartitioned_pinning={tier}}}")
}
