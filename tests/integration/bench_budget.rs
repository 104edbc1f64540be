//! Issue 13, item 3, through the binary: the benchmarks report the parts of the memory
//! budget, every peer receives exactly that, and the sqlite-mmap peer reads the same
//! values as SQLite. (Small runs; speed is never asserted.) The budget computed by the
//! library is tested in the benchmark crate's binary.
use std::process::Command;

use serde_json::Value;

const ALEXDB: &str = env!("CARGO_BIN_EXE_alexdb");

fn bench(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(ALEXDB)
        .args(args)
        .args(["--json", "--dir", dir.path().to_str().expect("utf8")])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(stdout.trim()).expect("one JSON object")
}

fn parts_sum(v: &Value) -> u64 {
    let p = &v["budget_parts"];
    [
        "alex",
        "value_cache",
        "block_cache",
        "pinned",
        "table_readers",
        "dictionary",
    ]
    .iter()
    .map(|k| {
        p[k].as_u64()
            .unwrap_or_else(|| panic!("budget_parts.{k} in {p}"))
    })
    .sum()
}

fn u(v: &Value, path: &str) -> u64 {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_u64()
        .unwrap_or_else(|| panic!("{path} missing in {v}"))
}

#[test]
fn vs_sqlite_reports_the_parts_and_the_mmap_peer() {
    let v = bench(&[
        "bench",
        "vs-sqlite",
        "--rows",
        "3000",
        "--queries",
        "2000",
        "--set",
        "block_cache_size=16MiB",
    ]);
    let budget = u(&v, "budget_bytes");
    assert_eq!(parts_sum(&v), budget);
    assert_eq!(u(&v, "budget_parts.block_cache"), 16 << 20);
    assert!(u(&v, "budget_parts.alex") > 0 && u(&v, "budget_parts.value_cache") > 0);
    assert_eq!(u(&v, "alexdb.memory_bytes"), budget);
    for peer in ["sqlite", "sqlite_mmap"] {
        let got = u(&v, &format!("{peer}.memory_bytes"));
        assert!(
            got >= budget && got < budget + 1024,
            "{peer}: {got} vs {budget}"
        );
        assert_eq!(v[peer]["found"], 2000);
        assert_eq!(v[peer]["checksum"], v["sqlite"]["checksum"]);
    }
    assert_eq!(v["sqlite_mmap"]["checksum"], v["alexdb"]["checksum"]);
    assert_eq!(v["checksums_equal"], true);
    // The whole file is mapped: a size rounded up to a MiB.
    let map = u(&v, "sqlite_mmap.mmap_bytes");
    assert!(map > 0 && map.is_multiple_of(1 << 20), "{map}");
    assert!(v["sqlite"].get("mmap_bytes").is_none());
    for f in ["speedup_query", "speedup_insert"] {
        assert!(v["vs_sqlite_mmap"][f].as_f64().is_some_and(|x| x > 0.0));
        assert!(v[f].as_f64().is_some_and(|x| x > 0.0), "{f} kept");
    }
    assert!(v["profile"].is_null());
}

#[test]
fn ycsb_gives_every_peer_the_budget_and_mmap_reads_what_sqlite_reads() {
    let v = bench(&[
        "bench",
        "ycsb",
        "--workload",
        "c",
        "--records",
        "3000",
        "--ops",
        "3000",
        "--engine",
        "all",
        "--set",
        "block_cache_size=8MiB",
    ]);
    let budget = u(&v, "budget_bytes");
    assert_eq!(parts_sum(&v), budget);
    let results = v["results"].as_array().expect("results");
    let by = |name: &str| {
        results
            .iter()
            .find(|r| r["engine"] == name)
            .unwrap_or_else(|| panic!("{name} in {v}"))
    };
    assert_eq!(u(by("alexdb"), "memory_bytes"), budget);
    assert_eq!(u(by("rocksdb"), "memory_bytes"), budget);
    for peer in ["sqlite", "sqlite-mmap"] {
        let got = u(by(peer), "memory_bytes");
        assert!(got >= budget && got < budget + 1024, "{peer}: {got}");
    }
    assert!(u(by("sqlite-mmap"), "mmap_bytes") > 0);
    // One thread, the same seeds: the very same reads.
    for peer in ["rocksdb", "sqlite", "sqlite-mmap"] {
        assert_eq!(by(peer)["checksum"], by("alexdb")["checksum"], "{peer}");
        assert_eq!(by(peer)["found"], 3000, "{peer}");
    }
    assert!(v["vs_sqlite"].as_f64().is_some_and(|x| x > 0.0));
    assert!(v["vs_sqlite_mmap"].as_f64().is_some_and(|x| x > 0.0));
}

#[test]
fn ycsb_without_alexdb_still_gives_the_peer_alexdbs_budget() {
    let args = |engine: &'static str| {
        [
            "bench",
            "ycsb",
            "--workload",
            "b",
            "--records",
            "2000",
            "--ops",
            "1000",
            "--engine",
            engine,
        ]
    };
    let alone = bench(&args("sqlite-mmap"));
    let results = alone["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["engine"], "sqlite-mmap");
    let budget = u(&alone, "budget_bytes");
    assert_eq!(parts_sum(&alone), budget);
    assert!(
        u(&alone, "budget_parts.alex") > 0,
        "alexdb was loaded to size it"
    );
    let with = bench(&args("alexdb"));
    assert_eq!(with["budget_parts"], alone["budget_parts"]);
}
