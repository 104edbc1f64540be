//! Small runs of every benchmark through the real binaries with `--json`: fields present,
//! counts right, checksums equal across engines. (Speed is reported, never asserted.)
use std::process::Command;

use serde_json::Value;

fn run(bin: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(bin)
        .args(args)
        .args(["--dir", dir.path().to_str().expect("utf8")])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{args:?}: {}\n{stdout}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(stdout.trim().lines().count(), 1, "one JSON line: {stdout}");
    serde_json::from_str(stdout.trim()).expect("JSON")
}

fn positive(v: &Value, path: &str) {
    let x = path
        .split('.')
        .fold(v, |v, k| &v[k])
        .as_f64()
        .unwrap_or_else(|| panic!("{path} missing in {v}"));
    assert!(x > 0.0 && x.is_finite(), "{path} = {x}");
}

const ALEXDB: &str = env!("CARGO_BIN_EXE_alexdb");

#[test]
fn vs_sqlite_json() {
    for keys in ["sequential", "random"] {
        let v = run(
            ALEXDB,
            &[
                "bench",
                "vs-sqlite",
                "--rows",
                "5000",
                "--keys",
                keys,
                "--queries",
                "3000",
                "--json",
            ],
        );
        assert_eq!(v["bench"], "vs-sqlite");
        assert_eq!(v["rows"], 5000);
        assert_eq!(v["keys"], keys);
        assert_eq!(v["queries"], 3000);
        assert_eq!(v["value_size"], 100);
        positive(&v, "budget_bytes");
        for e in ["alexdb", "sqlite"] {
            for f in [
                "insert_rows_per_s",
                "query_mean_ns",
                "query_p50_ns",
                "query_p99_ns",
            ] {
                positive(&v, &format!("{e}.{f}"));
            }
            assert_eq!(v[e]["found"], 3000, "every probe hits a loaded key");
        }
        assert!(v["alexdb"]["cache_hit_rate"].as_f64().is_some());
        for f in ["cache_ns", "alex_ns", "rocksdb_ns", "other_ns"] {
            assert!(v["alexdb"]["split"][f].as_f64().is_some(), "split.{f}");
        }
        positive(&v, "speedup_query");
        positive(&v, "speedup_insert");
        assert_eq!(v["checksums_equal"], true);
        assert_eq!(v["alexdb"]["checksum"], v["sqlite"]["checksum"]);
    }
}

#[test]
fn vs_sqlite_inserts_only() {
    let v = run(
        ALEXDB,
        &[
            "bench",
            "vs-sqlite",
            "--rows",
            "3000",
            "--inserts-only",
            "--json",
        ],
    );
    assert_eq!(v["queries"], 0);
    positive(&v, "alexdb.insert_rows_per_s");
    positive(&v, "sqlite.insert_rows_per_s");
    assert_eq!(v["alexdb"]["query_mean_ns"], 0.0);
}

#[test]
fn profile_json() {
    let v = run(
        ALEXDB,
        &[
            "bench",
            "profile",
            "--rows",
            "5000",
            "--queries",
            "4000",
            "--json",
            // A cold, small value cache, so gets reach ALEX and RocksDB.
            "--set",
            "warm_value_cache_on_load=off",
            "--set",
            "value_cache_entries=500",
        ],
    );
    assert_eq!(v["bench"], "profile");
    assert_eq!(v["rows"], 5000);
    for f in ["alex_ns", "cache_ns", "rocksdb_ns", "total_ns"] {
        positive(&v, f);
    }
    assert!(v["other_ns"].as_f64().is_some());
    let parts: f64 = ["alex_ns", "cache_ns", "rocksdb_ns", "other_ns"]
        .iter()
        .map(|f| v[f].as_f64().unwrap_or(0.0))
        .sum();
    let total = v["total_ns"].as_f64().unwrap_or(0.0);
    assert!(
        (parts - total).abs() < 1e-6 * total.max(1.0),
        "{parts} vs {total}"
    );
    assert!(v["cache_hit_rate"].as_f64().is_some());
    let r = &v["rocksdb_internal"];
    assert!(r["gets"].as_u64().is_some_and(|g| g > 0), "{r}");
    assert!(r["sst_ns"].as_f64().is_some_and(|x| x > 0.0), "{r}");
    assert!(
        r["raw"]["get_from_output_files_time"].as_u64().is_some(),
        "{r}"
    );
    let rows = v["breakdown"].as_array().expect("breakdown");
    assert_eq!(rows.len(), 4);
}

#[test]
fn ycsb_every_workload_on_every_engine() {
    for w in ["a", "b", "c", "d", "e", "f"] {
        let v = run(
            ALEXDB,
            &[
                "bench",
                "ycsb",
                "--workload",
                w,
                "--records",
                "3000",
                "--ops",
                "2000",
                "--json",
            ],
        );
        assert_eq!(v["bench"], "ycsb");
        assert_eq!(v["workload"], w);
        assert_eq!(v["records"], 3000);
        assert_eq!(v["ops"], 2000);
        assert_eq!(v["threads"], 1);
        let dist = if w == "d" { "latest" } else { "zipfian" };
        assert_eq!(v["distribution"], dist);
        let results = v["results"].as_array().expect("results");
        let engines: Vec<&str> = results
            .iter()
            .filter_map(|r| r["engine"].as_str())
            .collect();
        // Issue 13: `--engine all` includes the sqlite-mmap peer.
        assert_eq!(engines, ["alexdb", "rocksdb", "sqlite", "sqlite-mmap"]);
        for r in results {
            assert_eq!(r["ops"], 2000, "{w} {r}");
            positive(r, "ops_per_s");
            let kinds: u64 = ["reads", "updates", "inserts", "scans", "rmws"]
                .iter()
                .map(|k| r[k].as_u64().unwrap_or(0))
                .sum();
            assert_eq!(kinds, 2000);
            if w != "e" {
                positive(r, "read_p50_ns");
                positive(r, "read_p99_ns");
            }
        }
        // One thread, same seeds: the same operations, so the same values read.
        let sums: Vec<&Value> = results.iter().map(|r| &r["checksum"]).collect();
        assert!(sums.iter().all(|s| *s == sums[0]), "{w}: {sums:?}");
        let found: Vec<&Value> = results.iter().map(|r| &r["found"]).collect();
        assert!(found.iter().all(|s| *s == found[0]), "{w}: {found:?}");
        let mix = match w {
            "a" => ("reads", "updates"),
            "b" => ("reads", "updates"),
            "c" => ("reads", "reads"),
            "d" => ("reads", "inserts"),
            "e" => ("scans", "inserts"),
            _ => ("reads", "rmws"),
        };
        assert!(results[0][mix.0].as_u64().unwrap_or(0) > 0);
        assert!(results[0][mix.1].as_u64().unwrap_or(0) > 0);
    }
}

#[test]
fn ycsb_threads_and_one_engine() {
    let v = run(
        ALEXDB,
        &[
            "bench",
            "ycsb",
            "--workload",
            "a",
            "--records",
            "3000",
            "--ops",
            "4000",
            "--threads",
            "2",
            "--distribution",
            "uniform",
            "--engine",
            "sqlite",
            "--json",
        ],
    );
    assert_eq!(v["threads"], 2);
    assert_eq!(v["distribution"], "uniform");
    let r = v["results"].as_array().expect("results");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["engine"], "sqlite");
    assert_eq!(r[0]["ops"], 4000);
}

#[test]
fn the_original_plans_programs() {
    let v = run(
        env!("CARGO_BIN_EXE_benchmark_vs_sqlite"),
        &["2000", "random", "--queries", "1000", "--json"],
    );
    assert_eq!(
        (v["bench"].as_str(), v["rows"].as_u64()),
        (Some("vs-sqlite"), Some(2000))
    );
    assert_eq!(v["keys"], "random");
    let v = run(
        env!("CARGO_BIN_EXE_benchmark_vs_sqlite"),
        &["2000", "sequential", "--inserts-only", "--json"],
    );
    assert_eq!(v["inserts_only"], true);
    let v = run(
        env!("CARGO_BIN_EXE_profile_10m_queries"),
        &["2000", "--queries", "1000", "--json"],
    );
    assert_eq!(
        (v["bench"].as_str(), v["rows"].as_u64()),
        (Some("profile"), Some(2000))
    );
    let v = run(
        env!("CARGO_BIN_EXE_ycsb_benchmark"),
        &[
            "--workload",
            "c",
            "--size",
            "2000",
            "--engine",
            "alexdb",
            "--json",
        ],
    );
    assert_eq!(v["records"], 2000);
    assert_eq!(v["ops"], 2000);
}

#[test]
fn bad_benchmark_arguments_are_usage_errors() {
    for args in [
        &["bench", "vs-sqlite", "--rows", "0"][..],
        &["bench", "vs-sqlite", "--rows", "10", "--keys", "sideways"],
        &[
            "bench",
            "ycsb",
            "--workload",
            "z",
            "--records",
            "10",
            "--ops",
            "10",
        ],
        &[
            "bench",
            "ycsb",
            "--workload",
            "a",
            "--records",
            "10",
            "--ops",
            "10",
            "--threads",
            "0",
        ],
        &["bench", "profile"],
    ] {
        let o = Command::new(ALEXDB).args(args).output().expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(o.stdout.is_empty());
    }
    let o = Command::new(ALEXDB)
        .args([
            "bench",
            "vs-sqlite",
            "--rows",
            "10",
            "--set",
            "bloom_bits_per_key=500",
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("between 0 (off) and 100"), "{e}");
}

/// Issue 28, item 1: `--warm full` warms every engine through the handle or connection
/// it is timed on, so its cache holds every row from the first timed query; `--warm
/// none` starts every engine cold. Behaviour from the engines' own cache counters
/// (SQLite's `sqlite3_db_status`, RocksDB's tickers, alexdb's value cache), never time.
fn vs_sqlite_warm(warm: &[&str]) -> Value {
    let mut args = vec![
        "bench",
        "vs-sqlite",
        "--rows",
        "20000",
        "--keys",
        "random",
        "--queries",
        "2000",
        "--json",
        "--warm",
    ];
    args.extend_from_slice(warm);
    run(ALEXDB, &args)
}

fn rate(v: &Value, engine: &str) -> f64 {
    v[engine]["hit_rate"]
        .as_f64()
        .unwrap_or_else(|| panic!("{engine}.hit_rate in {v}"))
}

#[test]
fn warm_full_fills_every_timed_cache_and_none_starts_cold() {
    let full = vs_sqlite_warm(&["full"]);
    assert_eq!(full["warm"], "full");
    for e in ["alexdb", "sqlite", "sqlite_mmap"] {
        assert_eq!(full[e]["warm"], "full", "{e}");
        positive(&full, &format!("{e}.query_mean_ns"));
        positive(&full, &format!("{e}.query_p99_ns"));
        positive(&full, &format!("{e}.memory_bytes"));
        positive(&full, &format!("{e}.memory_used_bytes"));
        assert!(full[e].get("hit_rate").is_some(), "{e}.hit_rate");
    }
    // SQLite's page cache on its query connection: the full scan left no page to miss
    // (a new connection, as before issue 28, missed every page it had not probed).
    let lookups = full["sqlite"]["cache_hits"].as_u64().expect("hits")
        + full["sqlite"]["cache_misses"].as_u64().expect("misses");
    assert!(lookups >= 2000, "{lookups}");
    assert_eq!(full["sqlite"]["cache_misses"], 0, "{}", full["sqlite"]);
    assert!(rate(&full, "sqlite") >= 0.99);
    // alexdb's value cache was filled by the warm-up, not by its load.
    assert!(rate(&full, "alexdb") >= 0.99, "{}", full["alexdb"]);
    // The peers' budget is what alexdb holds with its cache full: it never holds more.
    let budget = full["budget_bytes"].as_u64().expect("budget");
    let used = full["alexdb"]["memory_used_bytes"].as_u64().expect("used");
    assert!(used <= budget, "alexdb holds {used} of a {budget} budget");
    // sqlite-mmap reads mapped pages outside its page cache: no hit rate to give, but
    // the pages it mapped count as memory it holds (they were missing: 0.0 MiB).
    assert!(full["sqlite_mmap"]["hit_rate"].is_null());
    let mapped = full["sqlite_mmap"]["memory_used_bytes"]
        .as_u64()
        .expect("mmap used");
    let paged = full["sqlite"]["memory_used_bytes"]
        .as_u64()
        .expect("sqlite used");
    assert!(
        mapped * 2 >= paged,
        "sqlite-mmap holds {mapped}, sqlite {paged}"
    );
    assert_eq!(full["checksums_equal"], true);

    let cold = vs_sqlite_warm(&["none"]);
    assert_eq!(cold["warm"], "none");
    assert!(rate(&cold, "sqlite") < 0.99, "{}", cold["sqlite"]);
    assert!(cold["sqlite"]["cache_misses"].as_u64().expect("misses") > 100);
    assert!(rate(&cold, "alexdb") < 0.9, "{}", cold["alexdb"]);
    assert_eq!(cold["checksums_equal"], true);

    let probes = vs_sqlite_warm(&["probes", "500"]);
    assert_eq!(probes["warm"], "probes 500");
    assert_eq!(probes["warmup_queries"], 500);
    assert_eq!(probes["sqlite"]["warm"], "probes 500");
}

#[test]
fn ycsb_warms_plain_rocksdb_and_sqlite_through_their_timed_handles() {
    let ycsb = |warm: &str| {
        run(
            ALEXDB,
            &[
                "bench",
                "ycsb",
                "--workload",
                "c",
                "--records",
                "20000",
                "--ops",
                "2000",
                "--distribution",
                "uniform",
                "--engine",
                "all",
                "--warm",
                warm,
                "--json",
            ],
        )
    };
    let by = |v: &Value, name: &str| -> Value {
        v["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["engine"] == name)
            .unwrap_or_else(|| panic!("{name} in {v}"))
            .clone()
    };
    let full = ycsb("full");
    assert_eq!(full["warm"], "full");
    for e in ["alexdb", "rocksdb", "sqlite", "sqlite-mmap"] {
        let r = by(&full, e);
        assert_eq!(r["warm"], "full", "{e}");
        for f in ["query_mean_ns", "query_p99_ns", "memory_bytes"] {
            positive(&r, f);
        }
        assert!(r.get("hit_rate").is_some() && r.get("memory_used_bytes").is_some());
    }
    for e in ["alexdb", "rocksdb", "sqlite"] {
        let h = by(&full, e)["hit_rate"].as_f64().expect("hit rate");
        assert!(h >= 0.99, "{e}: {}", by(&full, e));
    }
    let cold = ycsb("none");
    for e in ["rocksdb", "sqlite"] {
        let h = by(&cold, e)["hit_rate"].as_f64().expect("hit rate");
        assert!(h < 0.99, "{e}: {}", by(&cold, e));
    }
    assert!(by(&cold, "alexdb")["hit_rate"].as_f64().expect("rate") < 0.9);
}

/// Issue 28, items 3 and 4: `--values random` loads incompressible values (LZ4 about
/// 1:1, `text` about 2:1 per block) and every engine still reads the same values;
/// sqlite-mmap's map stays within the budget unless `--mmap-whole-file`.
#[test]
fn values_and_the_mmap_peer_within_the_budget() {
    let v = run(
        ALEXDB,
        &[
            "bench",
            "vs-sqlite",
            "--rows",
            "3000",
            "--queries",
            "1000",
            "--values",
            "random",
            "--warm",
            "probes",
            "200",
            "--json",
        ],
    );
    assert_eq!(v["values"], "random");
    let lz4 = |v: &Value, f: &str| v["values_lz4"][f].as_f64().expect("lz4 ratio");
    assert!(
        lz4(&v, "per_value") <= 1.02 && lz4(&v, "per_block") <= 1.02,
        "{v}"
    );
    assert_eq!(v["checksums_equal"], true);
    let budget = v["budget_bytes"].as_u64().expect("budget");
    assert!(v["sqlite_mmap"]["mmap_bytes"].as_u64().expect("map") <= budget);
    assert_eq!(v["sqlite_mmap"]["mmap_outside_budget"], false);

    let v = run(
        env!("CARGO_BIN_EXE_profile_10m_queries"),
        &["2000", "--queries", "500", "--values", "text", "--json"],
    );
    assert_eq!(
        (v["values"].as_str(), v["warm"].as_str()),
        (Some("text"), Some("full"))
    );
    assert!(
        lz4(&v, "per_block") >= 1.6 && lz4(&v, "per_value") >= 1.4,
        "{v}"
    );
    positive(&v, "memory_bytes");

    let v = run(
        env!("CARGO_BIN_EXE_benchmark_vs_sqlite"),
        &[
            "2000",
            "random",
            "--queries",
            "500",
            "--mmap-whole-file",
            "--warm",
            "none",
            "--json",
        ],
    );
    assert_eq!(v["warm"], "none");
    assert_eq!(v["sqlite_mmap"]["mmap_outside_budget"], true);
    let s = v["sqlite_mmap"]["settings"].as_str().expect("settings");
    assert!(s.contains("outside the budget"), "{s}");

    for bad in [
        &["--warm", "lukewarm"][..],
        &["--warm", "probes"],
        &["--values", "zeros"],
    ] {
        let o = Command::new(ALEXDB)
            .args(["bench", "vs-sqlite", "--rows", "10"])
            .args(bad)
            .output()
            .expect("runs");
        assert!(!o.status.success(), "{bad:?}");
        assert!(o.stdout.is_empty());
    }
}

fn vs_sqlite_mix(keys: &str, mix: &str) -> Value {
    run(
        ALEXDB,
        &[
            "bench",
            "vs-sqlite",
            "--rows",
            "20000",
            "--keys",
            keys,
            "--queries",
            "5000",
            "--mix",
            mix,
            "--json",
        ],
    )
}

fn split_pct(v: &Value, part: &str) -> f64 {
    v["alexdb"][format!("split_{part}_pct")]
        .as_f64()
        .unwrap_or_else(|| panic!("split_{part}_pct in {}", v["alexdb"]))
}

/// Issue 28, item 5: `--mix absent` asks every engine for keys between the loaded ones
/// (none found; alexdb's ALEX answers and RocksDB is never asked), `hits` and `zipf` for
/// loaded keys (all found; zipf's skew really applied), with alexdb's layer split.
#[test]
fn mix_absent_stays_out_of_rocksdb_and_zipf_is_skewed() {
    for keys in ["random", "sequential"] {
        let v = vs_sqlite_mix(keys, "absent");
        assert_eq!(v["mix"], "absent");
        assert!(v["mix_note"].as_str().expect("note").contains("absent"));
        for e in ["alexdb", "sqlite", "sqlite_mmap"] {
            assert_eq!(v[e]["found"], 0, "{keys} {e}: {}", v[e]);
            assert_eq!(v[e]["mix"], "absent");
        }
        assert_eq!(v["checksums_equal"], true);
        let a = &v["alexdb"];
        assert!(a["split_samples"].as_u64().expect("samples") > 0, "{a}");
        assert!(split_pct(&v, "rocksdb") < 5.0, "{keys}: {a}");
        assert!(split_pct(&v, "alex") > 0.0, "{keys}: {a}");
        let sum: f64 = ["cache", "alex", "rocksdb", "other"]
            .iter()
            .map(|p| split_pct(&v, p))
            .sum();
        assert!((sum - 100.0).abs() < 0.5, "{sum}");
        // Every timed query reached ALEX (absent keys are never in the value cache) and
        // none reached RocksDB.
        assert_eq!(a["alex_absent"], 5000, "{a}");
        assert_eq!(a["rocksdb_reads"], 0, "{a}");
    }

    let hits = vs_sqlite_mix("random", "hits");
    let zipf = vs_sqlite_mix("random", "zipf");
    for (v, mix) in [(&hits, "hits"), (&zipf, "zipf")] {
        assert_eq!(v["mix"], mix);
        for e in ["alexdb", "sqlite", "sqlite_mmap"] {
            assert_eq!(v[e]["found"], 5000, "{mix} {e}");
        }
        assert_eq!(v["checksums_equal"], true);
        assert!(v["alexdb"]["split_samples"].as_u64().expect("samples") > 0);
    }
    let distinct = |v: &Value| v["distinct_query_keys"].as_u64().expect("distinct");
    assert!(distinct(&hits) > 4000, "{}", distinct(&hits));
    assert!(
        distinct(&zipf) < 2500 && distinct(&zipf) * 3 < distinct(&hits) * 2,
        "zipf {} distinct of 5000, hits {}",
        distinct(&zipf),
        distinct(&hits)
    );

    let o = Command::new(ALEXDB)
        .args(["bench", "vs-sqlite", "--rows", "10", "--mix", "sometimes"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("--mix") && errors[0].contains("hits, absent or zipf"),
        "{err}"
    );
}

/// A workload that never writes or scans shows `-` for those latencies, not `0ns`
/// (issue 30).
#[test]
fn ycsb_table_shows_a_dash_for_operations_never_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(ALEXDB)
        .args([
            "bench",
            "ycsb",
            "--workload",
            "c",
            "--records",
            "2000",
            "--ops",
            "2000",
        ])
        .args([
            "--engine",
            "alexdb",
            "--dir",
            dir.path().to_str().expect("utf8"),
        ])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let row = text
        .lines()
        .find(|l| l.starts_with("alexdb "))
        .unwrap_or_else(|| panic!("no alexdb row: {text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    // engine, ops/s, load s, read p50, read p99, write p50, write p99, scan p50, scan p99
    assert!(cells[3].ends_with("ns") && cells[3] != "0ns", "{row}");
    assert_eq!(&cells[5..9], ["-", "-", "-", "-"], "{row}");
    assert!(!row.contains(" 0ns"), "{row}");
}

/// sqlite-mmap's insert figures are SQLite's (a copy of its file): the table says so
/// (issue 30).
#[test]
fn vs_sqlite_says_the_mmap_peers_inserts_are_sqlites() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = Command::new(ALEXDB)
        .args(["bench", "vs-sqlite", "--rows", "2000", "--queries", "1000"])
        .args(["--dir", dir.path().to_str().expect("utf8")])
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("sqlite-mmap's insert rows/s are SQLite's: it starts from a copy"),
        "{text}"
    );
}
