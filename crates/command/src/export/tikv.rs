//! TiKV's key map: TOML tables `[storage.block-cache]` (the shared block cache; the
//! per-family `block-cache-size` is deprecated since v6.6.0), `[storage.flow-control]`,
//! `[rocksdb]` and `[rocksdb.defaultcf]` (alexdb keeps its rows in the default family),
//! kebab-case keys, sizes as `64MiB`. Key names from pingcap/docs
//! `tikv-configuration-file.md` ([`REFERENCE`]).
use super::{Form, Line, Out, Rule, key, nothing};
use engine::DbOptions;

pub const REFERENCE: &str = "pingcap/docs tikv-configuration-file.md (dev docs, TiKV v8.x, \
     commit 002c5a3)";

const CACHE: &str = "storage.block-cache";
const FLOW: &str = "storage.flow-control";
const DB: &str = "rocksdb";
const CF: &str = "rocksdb.defaultcf";

/// The tables in the order they are written.
const SECTIONS: [&str; 4] = [CACHE, FLOW, DB, CF];

const CODECS: &[(&str, &str)] = &[
    ("none", "no"),
    ("snappy", "snappy"),
    ("lz4", "lz4"),
    ("zstd", "zstd"),
];

const FLOW_OVERRIDES: &str = "storage.flow-control.enable (true by default) replaces RocksDB's write \
     stalls with TiKV's flow control, which reads the storage.flow-control key instead; \
     both are written with the same value";

pub const RULES: &[Rule] = &[
    key("block_cache_size", &[(CACHE, "capacity")], Form::Size).warn(
        "one cache shared by every column family (defaultcf, writecf, lockcf, raft); the \
         per-family block-cache-size is deprecated since v6.6.0",
    ),
    nothing(
        "block_cache_type",
        "TiKV chooses its block cache implementation itself; no key",
    ),
    key(
        "bloom_bits_per_key",
        &[(CF, "bloom-filter-bits-per-key")],
        Form::WholeBits,
    ),
    key("block_size", &[(CF, "block-size")], Form::Size),
    nothing(
        "data_block_hash_index",
        "no documented key for the data-block hash index",
    ),
    key(
        "cache_index_and_filter_blocks",
        &[(CF, "cache-index-and-filter-blocks")],
        Form::Bool,
    ),
    key(
        "pin_l0_filter_and_index_blocks",
        &[(CF, "pin-l0-filter-and-index-blocks")],
        Form::Bool,
    ),
    key(
        "compression",
        &[(CF, "compression-per-level")],
        Form::PerLevel(CODECS),
    ),
    key(
        "bottommost_compression",
        &[(CF, "bottommost-level-compression")],
        Form::Name(CODECS),
    ),
    key(
        "write_buffer_size",
        &[(CF, "write-buffer-size")],
        Form::Size,
    ),
    key(
        "max_write_buffer_number",
        &[
            (CF, "max-write-buffer-number"),
            (FLOW, "memtables-threshold"),
        ],
        Form::Int,
    )
    .warn(FLOW_OVERRIDES),
    key(
        "level0_file_num_compaction_trigger",
        &[(CF, "level0-file-num-compaction-trigger")],
        Form::Int,
    ),
    key(
        "level0_slowdown_writes_trigger",
        &[
            (CF, "level0-slowdown-writes-trigger"),
            (FLOW, "l0-files-threshold"),
        ],
        Form::Int,
    )
    .warn(FLOW_OVERRIDES),
    key(
        "level0_stop_writes_trigger",
        &[(CF, "level0-stop-writes-trigger")],
        Form::Int,
    )
    .warn(
        "with storage.flow-control.enable (the default) RocksDB's write stop is off and flow \
         control rejects writes instead; the key counts only with flow control disabled",
    ),
    key(
        "soft_pending_compaction_bytes_limit",
        &[
            (CF, "soft-pending-compaction-bytes-limit"),
            (FLOW, "soft-pending-compaction-bytes-limit"),
        ],
        Form::Size,
    )
    .warn(FLOW_OVERRIDES),
    key(
        "hard_pending_compaction_bytes_limit",
        &[
            (CF, "hard-pending-compaction-bytes-limit"),
            (FLOW, "hard-pending-compaction-bytes-limit"),
        ],
        Form::Size,
    )
    .warn(FLOW_OVERRIDES),
    key(
        "target_file_size_base",
        &[(CF, "target-file-size-base")],
        Form::Size,
    )
    .warn(
        "defaultcf's compaction guard (enable-compaction-guard, true by default) overrides it \
         with compaction-guard-max-output-file-size",
    ),
    key(
        "max_bytes_for_level_base",
        &[(CF, "max-bytes-for-level-base")],
        Form::Size,
    ),
    key(
        "compaction_style",
        &[(CF, "compaction-style")],
        Form::Name(&[
            ("level", "level"),
            ("universal", "universal"),
            ("fifo", "fifo"),
        ]),
    ),
    nothing(
        "fifo_max_size",
        "no documented key for FIFO compaction's size limit",
    ),
    key("max_open_files", &[(DB, "max-open-files")], Form::Int),
    key(
        "max_background_jobs",
        &[(DB, "max-background-jobs")],
        Form::Int,
    ),
    nothing(
        "use_direct_reads",
        "no documented key; TiKV reads through the OS page cache",
    ),
    key(
        "use_direct_io_for_flush_and_compaction",
        &[(DB, "use-direct-io-for-flush-and-compaction")],
        Form::Bool,
    ),
    nothing("allow_mmap_reads", "no documented key"),
    nothing(
        "wal",
        "TiKV's writes go through Raft; its RocksDB write-ahead log has no switch",
    ),
    nothing(
        "sync",
        "TiKV's durability is Raft's (raft-engine), not a per-write fsync switch",
    ),
    nothing(
        "rocksdb_statistics",
        "TiKV always keeps RocksDB statistics (its Prometheus metrics)",
    ),
    nothing("stats_level", super::OWN_METRICS),
    nothing("perf_level", super::OWN_METRICS),
    key(
        "create_if_missing",
        &[(DB, "create-if-missing")],
        Form::Bool,
    ),
    key(
        "wal_recovery_mode",
        &[(DB, "wal-recovery-mode")],
        Form::Name(&[
            ("absolute_consistency", "absolute-consistency"),
            ("point_in_time", "point-in-time"),
            ("tolerate_corrupted_tail", "tolerate-corrupted-tail-records"),
            ("skip_any", "skip-any-corrupted-records"),
        ]),
    ),
    key(
        "optimize_filters_for_hits",
        &[(CF, "optimize-filters-for-hits")],
        Form::Bool,
    ),
    nothing("verify_checksums", "no documented key (a read option)"),
    nothing(
        "pin_index_and_filter_blocks",
        "no documented key for the pinning tier",
    ),
    nothing(
        "data_block_hash_ratio",
        "no documented key for the data-block hash index",
    ),
];

/// The TOML tables for `lines`, plus `use-bloom-filter` (TiKV's switch for the filter
/// that alexdb turns off with 0 bits per key).
pub fn write(o: &DbOptions, mut lines: Vec<Line>) -> String {
    lines.push(Line {
        section: CF,
        key: "use-bloom-filter",
        value: Out::Raw((o.bloom_bits_per_key.round() > 0.0).to_string()),
    });
    let mut out = Vec::new();
    for section in SECTIONS {
        out.push(format!("[{section}]"));
        for l in lines.iter().filter(|l| l.section == section) {
            out.push(format!("{} = {}", l.key, toml_value(&l.value)));
        }
        out.push(String::new());
    }
    out.join("\n")
}

fn toml_value(v: &Out) -> String {
    match v {
        Out::Raw(s) => s.clone(),
        Out::Text(s) => format!("\"{s}\""),
        Out::List(items) => {
            let quoted: Vec<String> = items.iter().map(|s| format!("\"{s}\"")).collect();
            format!("[{}]", quoted.join(", "))
        }
    }
}
