//! `.options export FILE --format tikv|myrocks|kvrocks` (issue 33): golden files for fixed
//! options, TiKV's TOML uses only documented keys, every option of the table is written
//! or listed as having no equivalent (never both, never neither) for every target, units
//! convert, and the shell command writes the file with a dated header. MyRocks' file is
//! also proved against a real server: tests/process/myrocks_roundtrip.rs.
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::support::run_waited;
use command::export::{self, Target, To, date_of_day};
use command::{Executor, Outcome};
use engine::DbOptions;

/// Options away from the defaults in every kind of value (sizes, counts, switches,
/// names, a fraction), so a golden file shows each conversion.
fn fixed() -> DbOptions {
    let mut o = DbOptions::default();
    for (name, value) in [
        ("block_cache_size", "512MiB"),
        ("block_size", "8KiB"),
        ("bloom_bits_per_key", "12"),
        ("compression", "zstd"),
        ("bottommost_compression", "zstd"),
        ("write_buffer_size", "96MiB"),
        ("max_write_buffer_number", "6"),
        ("level0_file_num_compaction_trigger", "8"),
        ("target_file_size_base", "32MiB"),
        ("max_background_jobs", "6"),
        ("max_open_files", "5000"),
        ("data_block_hash_index", "on"),
        ("pin_index_and_filter_blocks", "flush"),
        ("sync", "on"),
        ("value_cache_size", "2GiB"),
    ] {
        o.set(name, value).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    o
}

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/golden")
        .join(name)
}

/// The export of `fixed()` for `t` equals the golden file `name` (`ALEXDB_BLESS=1`
/// rewrites it; review the diff).
fn assert_golden(t: Target, name: &str) -> String {
    let text = export::export(t, &fixed(), "/data/alexdb", "2026-01-02").text;
    let path = golden_path(name);
    if std::env::var_os("ALEXDB_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (ALEXDB_BLESS=1 writes it)", path.display()));
    assert_eq!(text, want, "{name} differs from the golden file");
    text
}

#[test]
fn tikv_export_matches_its_golden_file() {
    assert_golden(Target::Tikv, "tikv.toml");
}

#[test]
fn kvrocks_export_matches_its_golden_file() {
    assert_golden(Target::Kvrocks, "kvrocks.conf");
}

#[test]
fn myrocks_export_matches_its_golden_file() {
    assert_golden(Target::Myrocks, "myrocks.cnf");
}

/// TiKV's documented keys in the tables the export writes, from pingcap/docs
/// `tikv-configuration-file.md` (dev docs for TiKV v8.x, commit 002c5a3), sections
/// `storage.block-cache`, `storage.flow-control`, `rocksdb` and
/// `rocksdb.defaultcf | rocksdb.writecf | rocksdb.lockcf`.
const TIKV_DOC_KEYS: [(&str, &[&str]); 4] = [
    ("storage.block-cache", &["capacity"]),
    (
        "storage.flow-control",
        &[
            "enable",
            "memtables-threshold",
            "l0-files-threshold",
            "soft-pending-compaction-bytes-limit",
            "hard-pending-compaction-bytes-limit",
        ],
    ),
    (
        "rocksdb",
        &[
            "max-background-jobs",
            "max-background-flushes",
            "max-sub-compactions",
            "max-open-files",
            "max-manifest-file-size",
            "create-if-missing",
            "wal-recovery-mode",
            "wal-dir",
            "wal-ttl-seconds",
            "wal-size-limit",
            "max-total-wal-size",
            "stats-dump-period",
            "compaction-readahead-size",
            "writable-file-max-buffer-size",
            "use-direct-io-for-flush-and-compaction",
            "rate-bytes-per-sec",
            "rate-limiter-refill-period",
            "rate-limiter-mode",
            "rate-limiter-auto-tuned",
            "enable-pipelined-write",
            "bytes-per-sync",
            "wal-bytes-per-sync",
            "info-log-max-size",
            "info-log-roll-time",
            "info-log-keep-log-file-num",
            "info-log-dir",
            "info-log-level",
            "write-buffer-flush-oldest-first",
            "write-buffer-limit",
            "track-and-verify-wals-in-manifest",
        ],
    ),
    (
        "rocksdb.defaultcf",
        &[
            "block-size",
            "block-cache-size",
            "disable-block-cache",
            "cache-index-and-filter-blocks",
            "pin-l0-filter-and-index-blocks",
            "use-bloom-filter",
            "optimize-filters-for-hits",
            "optimize-filters-for-memory",
            "whole-key-filtering",
            "bloom-filter-bits-per-key",
            "block-based-bloom-filter",
            "ribbon-filter-above-level",
            "read-amp-bytes-per-bit",
            "compression-per-level",
            "bottommost-level-compression",
            "write-buffer-size",
            "max-write-buffer-number",
            "min-write-buffer-number-to-merge",
            "max-bytes-for-level-base",
            "target-file-size-base",
            "level0-file-num-compaction-trigger",
            "level0-slowdown-writes-trigger",
            "level0-stop-writes-trigger",
            "max-compaction-bytes",
            "compaction-pri",
            "dynamic-level-bytes",
            "num-levels",
            "max-bytes-for-level-multiplier",
            "compaction-style",
            "disable-auto-compactions",
            "soft-pending-compaction-bytes-limit",
            "hard-pending-compaction-bytes-limit",
            "enable-compaction-guard",
            "compaction-guard-min-output-file-size",
            "compaction-guard-max-output-file-size",
            "format-version",
            "ttl",
            "periodic-compaction-seconds",
        ],
    ),
];

/// Every `(table, key)` with a value in `doc` (tables nested by their dotted names).
fn toml_keys(doc: &toml::Table, prefix: &str, out: &mut Vec<(String, String)>) {
    for (k, v) in doc {
        match v.as_table() {
            Some(t) => {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                toml_keys(t, &name, out);
            }
            None => out.push((prefix.to_string(), k.clone())),
        }
    }
}

#[test]
fn tikv_toml_parses_and_uses_only_documented_keys_without_the_deprecated_one() {
    for o in [DbOptions::default(), fixed()] {
        let text = export::export(Target::Tikv, &o, "db", "2026-01-02").text;
        let doc: toml::Table = toml::from_str(&text).expect("valid TOML");
        let mut keys = Vec::new();
        toml_keys(&doc, "", &mut keys);
        let doc_keys: BTreeMap<&str, &[&str]> = TIKV_DOC_KEYS.into_iter().collect();
        for (table, key) in &keys {
            let known = doc_keys
                .get(table.as_str())
                .is_some_and(|ks| ks.contains(&key.as_str()));
            assert!(known, "[{table}] {key} is not in TiKV's documented keys");
        }
        assert!(
            !keys.iter().any(|(_, k)| k == "block-cache-size"),
            "block-cache-size is deprecated since v6.6.0: storage.block-cache.capacity"
        );
        // The flow-control keys carry the same values as the RocksDB keys they override.
        let flow = doc["storage"]["flow-control"].as_table().unwrap();
        let cf = doc["rocksdb"]["defaultcf"].as_table().unwrap();
        assert_eq!(flow["memtables-threshold"], cf["max-write-buffer-number"]);
        assert_eq!(
            flow["l0-files-threshold"],
            cf["level0-slowdown-writes-trigger"]
        );
        for k in [
            "soft-pending-compaction-bytes-limit",
            "hard-pending-compaction-bytes-limit",
        ] {
            assert_eq!(flow[k], cf[k], "{k}");
        }
    }
}

#[test]
fn every_option_is_written_or_has_no_equivalent_for_every_target() {
    let names: BTreeSet<&str> = DbOptions::NAMES.into_iter().collect();
    for t in Target::ALL {
        let mapped: Vec<&str> = t.rules().iter().map(|r| r.option).collect();
        let unique: BTreeSet<&str> = mapped.iter().copied().collect();
        assert_eq!(
            unique.len(),
            mapped.len(),
            "{}: an option has two rules",
            t.name()
        );
        let unknown: Vec<_> = unique.difference(&names).collect();
        assert!(
            unknown.is_empty(),
            "{}: rules for unknown options {unknown:?}",
            t.name()
        );
        let missing: Vec<_> = names.difference(&unique).collect();
        assert!(missing.is_empty(), "{}: no rule for {missing:?}", t.name());

        let done = export::export(t, &fixed(), "db", "2026-01-02");
        let written: BTreeSet<&str> = done.written.iter().copied().collect();
        let nothing: BTreeSet<&str> = done.nothing.iter().map(|(n, _)| *n).collect();
        assert!(
            written.is_disjoint(&nothing),
            "{}: an option in both lists",
            t.name()
        );
        let all: BTreeSet<&str> = written.union(&nothing).copied().collect();
        assert_eq!(all, names, "{}: every option once", t.name());
        for (name, reason) in &done.nothing {
            assert!(!reason.is_empty(), "{name}");
            let line = format!("# {name} = {}", fixed().get(name).unwrap());
            assert!(
                done.text.lines().any(|l| l == line),
                "{}: {line} missing",
                t.name()
            );
        }
        for r in t.rules() {
            if let To::Keys { keys, .. } = r.to {
                for (_, key) in keys {
                    assert!(done.text.contains(key), "{}: {key} not written", t.name());
                }
            }
        }
    }
}

#[test]
fn sizes_convert_to_each_targets_units_and_roundings_are_warned() {
    let mut o = DbOptions::default();
    o.set("write_buffer_size", "1536KiB").unwrap();
    o.set("block_cache_size", "3GiB").unwrap();
    o.set("bloom_bits_per_key", "9.5").unwrap();
    o.set("max_background_jobs", "40").unwrap();
    let kv = export::export(Target::Kvrocks, &o, "db", "2026-01-02");
    assert!(
        kv.text
            .lines()
            .any(|l| l == "rocksdb.block_cache_size 3072"),
        "MiB"
    );
    // 1.5 MiB rounds to 2 MiB, said in a warning.
    assert!(kv.text.lines().any(|l| l == "rocksdb.write_buffer_size 2"));
    assert!(
        kv.warnings
            .iter()
            .any(|w| w.starts_with("write_buffer_size: 1536KiB is not a whole"))
    );
    assert!(
        kv.warnings
            .iter()
            .any(|w| w.contains("40 is above Kvrocks's limit of 32"))
    );
    assert!(
        kv.text.lines().any(|l| l == "rocksdb.block_size 16384"),
        "bytes"
    );

    let ti = export::export(Target::Tikv, &o, "db", "2026-01-02");
    assert!(ti.text.lines().any(|l| l == "capacity = \"3GiB\""));
    assert!(
        ti.text
            .lines()
            .any(|l| l == "write-buffer-size = \"1536KiB\"")
    );
    assert!(
        ti.text
            .lines()
            .any(|l| l == "bloom-filter-bits-per-key = 10")
    );
    assert!(
        ti.warnings
            .iter()
            .any(|w| w.starts_with("bloom_bits_per_key: 9.5 bits"))
    );

    let my = export::export(Target::Myrocks, &o, "db", "2026-01-02");
    assert!(
        my.text
            .lines()
            .any(|l| l == "rocksdb_block_cache_size=3221225472")
    );
    assert!(my.text.contains("write_buffer_size=1572864;"));
    assert!(my.text.contains("filter_policy=bloomfilter:10:false"));
    o.set("bloom_bits_per_key", "0").unwrap();
    let off = export::export(Target::Myrocks, &o, "db", "2026-01-02");
    assert!(off.text.contains("filter_policy=nullptr"));
    let ti = export::export(Target::Tikv, &o, "db", "2026-01-02");
    assert!(ti.text.lines().any(|l| l == "use-bloom-filter = false"));
}

#[test]
fn switches_are_spelled_the_targets_way() {
    let mut o = DbOptions::default();
    o.set("wal", "off").unwrap();
    o.set("sync", "off").unwrap();
    let kv = export::export(Target::Kvrocks, &o, "db", "d").text;
    assert!(
        kv.lines()
            .any(|l| l == "rocksdb.write_options.disable_wal yes")
    );
    assert!(kv.lines().any(|l| l == "rocksdb.write_options.sync no"));
    assert!(
        kv.lines()
            .any(|l| l == "rocksdb.cache_index_and_filter_blocks yes")
    );
    let my = export::export(Target::Myrocks, &o, "db", "d").text;
    assert!(my.lines().any(|l| l == "rocksdb_write_disable_wal=ON"));
    assert!(my.lines().any(|l| l == "rocksdb_flush_log_at_trx_commit=2"));
    assert!(my.lines().any(|l| l == "rocksdb_use_direct_reads=OFF"));
    assert!(my.contains("optimize_filters_for_hits=true;"));
}

#[test]
fn the_shell_command_writes_each_format_with_a_dated_header() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut exec = Executor::open(
        &db,
        DbOptions {
            block_cache_bytes: 8 << 20,
            write_buffer_size: 1 << 20,
            value_cache_size: 4 << 20,
            ..DbOptions::default()
        },
    )
    .expect("open");
    for (format, file, first_key) in [
        ("myrocks", "my.cnf", "[mysqld]"),
        (
            "KVROCKS",
            "kvrocks.conf",
            "rocksdb.compression_start_level 0",
        ),
        ("tikv", "tikv.toml", "[storage.block-cache]"),
    ] {
        let path = dir.path().join(file);
        let p = path.display().to_string();
        let r = run_waited(&mut exec, &format!(".options export {p} --format {format}"));
        let Ok(Outcome::Message(m)) = r.result else {
            panic!("{format}: {:?}", r.result);
        };
        let mut lines = m.lines();
        let first = lines.next().unwrap();
        assert!(first.starts_with(&format!("wrote {p} (")), "{first}");
        assert!(first.contains("options written") && first.contains("no equivalent"));
        assert!(lines.all(|l| l.starts_with("warning: ")), "{m}");
        let text = std::fs::read_to_string(&path).unwrap();
        let head: Vec<&str> = text.lines().take(2).collect();
        assert!(head[0].contains(&db.display().to_string()), "{}", head[0]);
        assert!(head[1].starts_with("# written by alexdb"), "{}", head[1]);
        assert!(head[1].contains(&export::today()), "{}", head[1]);
        assert!(text.lines().any(|l| l == first_key), "{format}");
    }
}

#[test]
fn dates_are_civil_dates_in_utc() {
    for (day, date) in [
        (0, "1970-01-01"),
        (-1, "1969-12-31"),
        (11_016, "2000-02-29"),
        (11_017, "2000-03-01"),
        (19_723, "2024-01-01"),
        (19_782, "2024-02-29"),
        (20_818, "2026-12-31"),
    ] {
        assert_eq!(date_of_day(day), date, "day {day}");
    }
}
