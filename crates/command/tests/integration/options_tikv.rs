//! `.options export FILE --format tikv` (issue 14 item 6): the TOML parses, TiKV's key
//! names carry the options in force (after a few `.set`s) in TiKV's units, and every
//! option TiKV has no key for is listed as a comment with its value.
use crate::support::run_waited;

use command::{Command, Executor, OptionsCmd, OptionsFormat, Outcome, parse_command};
use engine::DbOptions;

/// The alexdb options written as TiKV keys.
const MAPPED: [&str; 23] = [
    "block_cache_size",
    "max_background_jobs",
    "max_open_files",
    "use_direct_io_for_flush_and_compaction",
    "wal_recovery_mode",
    "create_if_missing",
    "block_size",
    "bloom_bits_per_key",
    "cache_index_and_filter_blocks",
    "pin_l0_filter_and_index_blocks",
    "optimize_filters_for_hits",
    "compression",
    "bottommost_compression",
    "write_buffer_size",
    "max_write_buffer_number",
    "level0_file_num_compaction_trigger",
    "level0_slowdown_writes_trigger",
    "level0_stop_writes_trigger",
    "soft_pending_compaction_bytes_limit",
    "hard_pending_compaction_bytes_limit",
    "target_file_size_base",
    "max_bytes_for_level_base",
    "compaction_style",
];

fn small() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        value_cache_size: 4 << 20,
        ..DbOptions::default()
    }
}

fn table<'a>(doc: &'a toml::Table, path: &[&str]) -> &'a toml::Table {
    path.iter().fold(doc, |t, k| {
        t.get(*k)
            .and_then(|v| v.as_table())
            .unwrap_or_else(|| panic!("no table {k}"))
    })
}

fn s<'a>(t: &'a toml::Table, k: &str) -> &'a str {
    t.get(k)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no string {k}"))
}

fn i(t: &toml::Table, k: &str) -> i64 {
    t.get(k)
        .and_then(|v| v.as_integer())
        .unwrap_or_else(|| panic!("no integer {k}"))
}

fn b(t: &toml::Table, k: &str) -> bool {
    t.get(k)
        .and_then(|v| v.as_bool())
        .unwrap_or_else(|| panic!("no bool {k}"))
}

#[test]
fn tikv_fragment_carries_the_options_in_force() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), small()).expect("open");
    for set in [
        ".set block_cache_size 32MiB",
        ".set block_size 8KiB",
        ".set bottommost_compression zstd",
        ".set compression snappy",
        ".set bloom_bits_per_key 12",
        ".set write_buffer_size 2MiB",
        ".set max_write_buffer_number 6",
        ".set level0_file_num_compaction_trigger 8",
        ".set max_background_jobs 3",
        ".set optimize_filters_for_hits off",
        ".set value_cache_size 3MiB",
    ] {
        run_waited(&mut exec, set)
            .result
            .unwrap_or_else(|e| panic!("{set}: {e}"));
    }
    let path = dir.path().join("tikv.toml");
    let p = path.display().to_string();
    let r = run_waited(&mut exec, &format!(".options export {p} --format tikv"));
    assert!(matches!(r.result, Ok(Outcome::Message(ref m)) if m.contains("TiKV")));
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = toml::from_str(&text).expect("valid TOML");

    assert_eq!(
        s(table(&doc, &["storage", "block-cache"]), "capacity"),
        "32MiB"
    );
    let db = table(&doc, &["rocksdb"]);
    assert_eq!(i(db, "max-background-jobs"), 3);
    assert_eq!(i(db, "max-open-files"), -1);
    assert_eq!(
        s(db, "wal-recovery-mode"),
        "tolerate-corrupted-tail-records"
    );
    let cf = table(&doc, &["rocksdb", "defaultcf"]);
    assert_eq!(s(cf, "block-size"), "8KiB");
    assert_eq!(s(cf, "write-buffer-size"), "2MiB");
    assert_eq!(s(cf, "target-file-size-base"), "64MiB");
    assert_eq!(s(cf, "max-bytes-for-level-base"), "256MiB");
    assert_eq!(i(cf, "max-write-buffer-number"), 6);
    assert_eq!(i(cf, "level0-file-num-compaction-trigger"), 8);
    assert_eq!(i(cf, "bloom-filter-bits-per-key"), 12);
    assert!(b(cf, "use-bloom-filter"));
    assert!(!b(cf, "optimize-filters-for-hits"));
    assert!(b(cf, "cache-index-and-filter-blocks"));
    assert_eq!(s(cf, "bottommost-level-compression"), "zstd");
    assert_eq!(s(cf, "compaction-style"), "level");
    let levels: Vec<&str> = cf["compression-per-level"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(levels, vec!["snappy"; 7]);

    // The options TiKV has no key for are comments with their values.
    for line in [
        "# value_cache_size = 3MiB",
        "# value_cache_policy = clock",
        "# wal = on",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
}

#[test]
fn every_option_is_a_key_or_a_comment_and_none_compression_is_no() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), small()).expect("open");
    run_waited(&mut exec, ".set compression none")
        .result
        .expect("set");
    run_waited(&mut exec, ".set bloom_bits_per_key 0")
        .result
        .expect("set");
    let path = dir.path().join("t.toml");
    run_waited(
        &mut exec,
        &format!(".options export {} --format TIKV", path.display()),
    )
    .result
    .expect("export");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = toml::from_str(&text).expect("valid TOML");
    let cf = table(&doc, &["rocksdb", "defaultcf"]);
    assert!(!b(cf, "use-bloom-filter"));
    assert_eq!(
        cf["compression-per-level"].as_array().unwrap()[0].as_str(),
        Some("no")
    );
    // Every alexdb option is either one of the TiKV keys or a comment with its value.
    let o = exec.db().options();
    for name in DbOptions::NAMES {
        let line = format!("# {name} = {}", o.get(name).unwrap());
        let commented = text.lines().any(|l| l == line);
        assert_eq!(commented, !MAPPED.contains(&name), "{name}");
    }
    let keys: usize = [
        cf,
        table(&doc, &["rocksdb"]),
        table(&doc, &["storage", "block-cache"]),
    ]
    .iter()
    .map(|t| t.values().filter(|v| !v.is_table()).count())
    .sum();
    // use-bloom-filter is the one key with no option of its own.
    assert_eq!(keys, MAPPED.len() + 1);
}

#[test]
fn rocksdb_stays_the_default_and_bad_formats_are_refused() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), small()).expect("open");
    for (line, path) in [
        (".options export {p}", "a"),
        (".options export {p} --format rocksdb", "b"),
    ] {
        let p = dir.path().join(path).display().to_string();
        run_waited(&mut exec, &line.replace("{p}", &p))
            .result
            .expect("export");
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("[DBOptions]"), "RocksDB's OPTIONS file");
    }
    assert_eq!(
        parse_command(".options export f --format tikv"),
        Ok(Command::Options(OptionsCmd::OptionsExport(
            "f".into(),
            OptionsFormat::Tikv
        )))
    );
    for bad in [
        ".options export f --format xml",
        ".options export f --fmt tikv",
        ".options export f --format",
        ".options export",
    ] {
        let e = parse_command(bad).expect_err(bad).to_string();
        assert!(e.starts_with(".options") && !e.contains('\n'), "{bad}: {e}");
    }
    let missing = dir.path().join("no/such/dir/t.toml").display().to_string();
    let e = run_waited(
        &mut exec,
        &format!(".options export {missing} --format tikv"),
    )
    .result
    .expect_err("no directory");
    assert!(e.to_string().contains("cannot write"), "{e}");
}
