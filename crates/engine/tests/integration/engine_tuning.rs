//! The tuning really reaches RocksDB: read back from the OPTIONS file RocksDB writes on
//! open and from its properties. The original plan's tuning is the `original-plan`
//! profile; today's defaults are issue 13's.
use engine::{Db, DbOptions, profiles};

fn latest_options_file(dir: &std::path::Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("OPTIONS-"))
        .collect();
    files.sort_by_key(|n| n.trim_start_matches("OPTIONS-").parse::<u64>().unwrap_or(0));
    std::fs::read_to_string(dir.join(files.last().expect("no OPTIONS file"))).unwrap()
}

fn has(text: &str, line: &str) -> bool {
    text.lines().any(|l| l.trim() == line)
}

#[test]
fn the_original_plan_profile_is_the_plans_tuning() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, applied) = profiles::resolve("original-plan", &DbOptions::default()).unwrap();
    assert!(applied.skipped.is_empty(), "{:?}", applied.skipped);
    let db = Db::open_with(dir.path(), plan).unwrap();
    let o = latest_options_file(dir.path());
    for line in [
        "block_size=16384",
        "cache_index_and_filter_blocks=true",
        "pin_l0_filter_and_index_blocks_in_cache=true",
        "compression=kLZ4Compression",
        "bottommost_compression=kZSTD",
        "write_buffer_size=268435456",
        "max_write_buffer_number=4",
    ] {
        assert!(has(&o, line), "OPTIONS file lacks `{line}`");
    }
    // A bloom filter of 10 bits per key: its size in the SST files says so.
    assert!(has(&o, "filter_policy=bloomfilter"), "no bloom filter");
    db.load((0..100_000i64).map(|k| (k, [1u8; 16]))).unwrap();
    let props = db
        .rocksdb_property("rocksdb.aggregated-table-properties")
        .unwrap();
    let filter_bytes: f64 = props
        .split(';')
        .find_map(|kv| kv.trim().strip_prefix("filter block size="))
        .expect("no filter size in the table properties")
        .trim()
        .parse()
        .unwrap();
    let bits_per_key = filter_bytes * 8.0 / 100_000.0;
    assert!(
        (9.5..11.0).contains(&bits_per_key),
        "filter has {bits_per_key:.2} bits per key"
    );
    assert_eq!(
        db.rocksdb_property("rocksdb.block-cache-capacity"),
        // Its own size plus what the value cache lends it.
        Some(((512u64 << 20) + db.lent_to_block_cache()).to_string())
    );
    // The plan's value cache: the lru crate, 100,000 entries.
    let c = db.cache_counters();
    assert_eq!(
        (c.policy, db.options().value_cache_entries),
        ("lru", 100_000)
    );
}

/// Issue 13's defaults: LZ4 at every level, no bottom-level filters, a 64 MiB block
/// cache and a 1 GiB CLOCK value cache of LZ4-compressed values with no entry cap.
#[test]
fn default_tuning_is_issue_13s() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let o = latest_options_file(dir.path());
    for line in [
        "block_size=16384",
        "cache_index_and_filter_blocks=true",
        "compression=kLZ4Compression",
        "bottommost_compression=kLZ4Compression",
        "optimize_filters_for_hits=true",
        "filter_policy=bloomfilter",
    ] {
        assert!(has(&o, line), "OPTIONS file lacks `{line}`");
    }
    assert_eq!(
        db.rocksdb_property("rocksdb.block-cache-capacity"),
        // Its own size plus what the value cache lends it.
        Some(((64u64 << 20) + db.lent_to_block_cache()).to_string())
    );
    // An empty 1 GiB value cache lends all but one 4 MiB step and its bookkeeping.
    assert!(db.options().lend_value_cache);
    assert!(
        db.lent_to_block_cache() >= 1012 << 20,
        "{}",
        db.lent_to_block_cache()
    );
    assert_eq!(db.options().value_cache_entries, 1_000_000_000);
    let c = db.cache_counters();
    assert_eq!(
        (c.capacity_bytes, c.policy, c.compression),
        (1 << 30, "clock", "lz4")
    );
}

#[test]
fn changed_options_reach_rocksdb() {
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        block_size: 4096,
        block_cache_bytes: 64 << 20,
        compression: engine::Compression::Zstd,
        bloom_bits_per_key: 0.0,
        ..DbOptions::default()
    };
    let db = Db::open_with(dir.path(), opts).unwrap();
    let o = latest_options_file(dir.path());
    assert!(has(&o, "block_size=4096"));
    assert!(has(&o, "compression=kZSTD"));
    assert!(
        has(&o, "filter_policy=nullptr"),
        "bloom filter should be off"
    );
    assert_eq!(
        db.rocksdb_property("rocksdb.block-cache-capacity"),
        // Its own size plus what the value cache lends it.
        Some(((64u64 << 20) + db.lent_to_block_cache()).to_string())
    );
}
