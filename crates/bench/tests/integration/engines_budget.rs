//! Issue 13, item 3, through the library: the memory budget counts everything alexdb
//! holds after its load, and every peer engine receives exactly that. (Small runs; speed
//! is never asserted.) The benchmark runs through the binary are in the app's tests.
use std::collections::BTreeMap;
use std::path::Path;

use bench::engines::{AlexEngine, BudgetParts, Engine, RocksEngine, SqliteEngine, alexdb_held};
use engine::{Db, DbOptions};

fn opts(pairs: &[(&str, &str)]) -> DbOptions {
    let mut o = DbOptions::default();
    for (k, v) in pairs {
        o.set(k, v).expect("a valid option");
    }
    o
}

fn rows(n: i64) -> impl Iterator<Item = (i64, Vec<u8>)> {
    (0..n).map(|k| (k, format!("value-{k:08}-{}", "x".repeat(80)).into_bytes()))
}

/// A Db loaded with `n` rows under `o`.
fn loaded(dir: &Path, o: &DbOptions, n: i64) -> Db {
    let db = Db::open_with(dir, o.clone()).expect("open");
    db.load(rows(n)).expect("load");
    db
}

fn sum(p: &BudgetParts) -> u64 {
    p.alex + p.value_cache + p.block_cache + p.pinned + p.table_readers + p.dictionary
}

#[test]
fn the_budget_is_the_sum_of_what_the_loaded_db_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = opts(&[
        ("value_cache_entries", "500"),
        ("block_cache_size", "8MiB"),
        ("warm_value_cache", "inline"),
    ]);
    let db = loaded(dir.path(), &o, 5000);
    let p = alexdb_held(&db, &o);
    let snap = db.metrics_snapshot();
    assert_eq!(p.alex, snap.memory.alex_bytes);
    assert!(p.alex > 0, "ALEX holds 5000 keys: {p:?}");
    // The load warmed the cache (its shards fill unevenly, so a few short of 500): full,
    // it holds 500 entries of the same size.
    let entries = snap.cache.entries;
    assert!((400..=500).contains(&entries), "{entries}");
    assert_eq!(p.value_cache, 500 * snap.cache.bytes.div_ceil(entries));
    assert_eq!(p.block_cache, 8 << 20);
    assert_eq!(
        p.pinned,
        snap.rocksdb
            .block_cache_pinned_usage
            .saturating_sub(8 << 20)
    );
    // Index and filter blocks are in the block cache: no table readers counted.
    assert_eq!(p.table_readers, 0);
    assert_eq!(p.dictionary, 0);
    assert_eq!(p.total(), sum(&p));
}

#[test]
fn an_empty_value_cache_counts_what_it_will_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = opts(&[
        ("value_cache_entries", "300"),
        ("warm_value_cache_on_load", "off"),
    ]);
    let db = loaded(dir.path(), &o, 2000);
    assert_eq!(db.metrics_snapshot().cache.entries, 0, "a cold cache");
    let p = alexdb_held(&db, &o);
    // 300 entries of one stored value plus each entry's bookkeeping.
    let value = rows(1).next().expect("a row").1.len() as u64;
    let overhead = engine::cache::ENTRY_OVERHEAD_BYTES as u64;
    assert_eq!(p.value_cache, 300 * (value + overhead));
}

#[test]
fn table_readers_count_when_index_and_filter_blocks_are_not_cached() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = opts(&[("cache_index_and_filter_blocks", "off")]);
    let db = loaded(dir.path(), &o, 20_000);
    let p = alexdb_held(&db, &o);
    let readers = db.metrics_snapshot().rocksdb.table_readers_bytes;
    assert!(readers > 0, "index and filter blocks live in table readers");
    assert_eq!(p.table_readers, readers);
    assert_eq!(p.total(), sum(&p));
}

#[test]
fn peers_receive_exactly_the_budget() {
    let dir = tempfile::tempdir().expect("tempdir");
    let budget: usize = 37 * (1 << 20) + 12_345;
    let o = DbOptions::default();
    let rocks = RocksEngine::open(&dir.path().join("rocks"), &o, budget).expect("rocks");
    assert_eq!(rocks.memory_bytes().expect("capacity"), budget as u64);
    for threads in [1, 3] {
        let d = dir.path().join(format!("sqlite{threads}"));
        for e in [
            SqliteEngine::create(&d, budget, threads).expect("sqlite"),
            SqliteEngine::create_mmap(&d, budget, threads).expect("sqlite-mmap"),
        ] {
            // SQLite's cache_size is in KiB: each connection's share is rounded up.
            let got = e.memory_bytes().expect("cache_size");
            assert!(
                got >= budget as u64 && got < (budget + 1024 * threads) as u64,
                "{got} for {budget} over {threads} connections"
            );
        }
    }
}

/// `[section]` -> key -> value of a RocksDB OPTIONS file.
fn options_file(dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("OPTIONS-") && !n.ends_with(".dbtmp"))
        .collect();
    names.sort();
    let text =
        std::fs::read_to_string(dir.join(names.last().expect("an OPTIONS file"))).expect("read");
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            out.entry(section.clone())
                .or_default()
                .insert(k.to_string(), v.to_string());
        }
    }
    out
}

#[test]
fn plain_rocksdb_gets_every_rocksdb_option_alexdb_uses() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Options changed the way `--set` changes them.
    let o = opts(&[
        ("block_size", "4KiB"),
        ("bloom_bits_per_key", "7"),
        ("bottommost_compression", "lz4"),
        ("compression", "none"),
        ("data_block_hash_index", "on"),
        ("write_buffer_size", "32MiB"),
        ("max_background_jobs", "3"),
    ]);
    let alex = AlexEngine::open(&dir.path().join("alexdb"), o.clone()).expect("alexdb");
    let rocks = RocksEngine::open(&dir.path().join("rocks"), &o, 1 << 20).expect("rocks");
    let (a, r) = (
        options_file(&dir.path().join("alexdb")),
        options_file(&dir.path().join("rocks")),
    );
    let cf = "[CFOptions \"default\"]";
    let table = "[TableOptions/BlockBasedTable \"default\"]";
    assert_eq!(r[table]["block_size"], "4096");
    assert_eq!(r[cf]["bottommost_compression"], "kLZ4Compression");
    assert_eq!(r[cf]["write_buffer_size"], "33554432");
    assert_eq!(r["[DBOptions]"]["max_background_jobs"], "3");
    // Everything else equal too, but the block cache (the budget) and the file paths.
    for section in [cf, table, "[DBOptions]"] {
        for (k, v) in &a[section] {
            if k.contains("block_cache") || k.contains("path") || k == "db_host_id" {
                continue;
            }
            assert_eq!(r[section].get(k), Some(v), "{section} {k}");
        }
    }
    drop((alex, rocks));
}

/// Issue 28, item 4: sqlite-mmap's `mmap_size` is capped to the memory budget; the
/// whole file is mapped only when asked (`--mmap-whole-file`), labelled as outside it.
#[test]
fn sqlite_mmap_is_capped_to_the_budget_unless_the_whole_file_is_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let budget: usize = 1 << 20;
    let sqlite = SqliteEngine::create(&dir.path().join("sqlite"), budget, 1).expect("sqlite");
    sqlite.load(&mut rows(30_000)).expect("load");
    let file = std::fs::metadata(dir.path().join("sqlite").join("kv.sqlite"))
        .expect("file")
        .len();
    assert!(file > 2 * budget as u64, "{file}");
    let capped =
        SqliteEngine::create_mmap(&dir.path().join("capped"), budget, 1).expect("sqlite-mmap");
    capped.adopt_file(&sqlite).expect("adopt");
    let map = capped.mmap_bytes().expect("mmap").expect("a map");
    assert!(map > 0 && map <= budget as u64, "{map}");
    assert!(!capped.mmap_outside_budget());
    assert!(capped.settings().contains("capped to the budget"));
    let whole = SqliteEngine::create_mmap(&dir.path().join("whole"), budget, 1)
        .expect("sqlite-mmap")
        .map_whole_file(true);
    whole.adopt_file(&sqlite).expect("adopt");
    assert!(whole.mmap_bytes().expect("mmap").expect("a map") >= file);
    assert!(whole.mmap_outside_budget());
    assert!(whole.settings().contains("outside the budget"));
}
