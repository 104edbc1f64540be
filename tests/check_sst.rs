//! Issue 15 item 4: `.check` verifies every SST file's checksums and compares ALEX with
//! RocksDB (count and key checksum); `alexdb check --db PATH` runs it from the command
//! line. Bytes flipped inside an SST file are named by file, reads of the damaged block
//! fail rather than return a wrong value, and everything else goes on.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use alexdb::engine::{Compression, Db, DbOptions};

const ROWS: i64 = 20_000;

/// 4 KiB blocks without compression, so the middle of the file is a data block.
fn opts() -> DbOptions {
    DbOptions {
        block_size: 4096,
        compression: Compression::None,
        bottommost_compression: Compression::None,
        ..DbOptions::default()
    }
}

mod sst_damage;
use sst_damage::value;

/// A closed database of `ROWS` rows flushed to one SST file; returns the file.
fn build(dir: &Path) -> PathBuf {
    sst_damage::build(dir, opts(), ROWS)
}

/// Inverts 8 bytes in the middle of `file`.
fn damage_middle(file: &Path) {
    let mid = std::fs::metadata(file).unwrap().len() as i64 / 2;
    sst_damage::flip(file, mid, 8);
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn alexdb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alexdb"))
        .args(args)
        .env("XDG_DATA_HOME", std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("the alexdb binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The one JSON line of a `--json` run whose command is `.check`.
fn check_line(o: &Output) -> serde_json::Value {
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.contains("\"command\":\".check\""))
        .unwrap_or_else(|| panic!("no .check line: {}", text(o)));
    serde_json::from_str::<serde_json::Value>(line).unwrap()
}

/// That line's report.
fn check_json(o: &Output) -> serde_json::Value {
    check_line(o)["report"].clone()
}

#[test]
fn check_names_the_damaged_file_and_reads_never_return_a_wrong_value() {
    let dir = tempfile::tempdir().unwrap();
    let sst = build(dir.path());
    damage_middle(&sst);
    let name = file_name(&sst);

    let db =
        Db::open_with(dir.path(), opts()).expect("a damaged data block must not stop the open");
    let c = db.check().unwrap();
    assert!(!c.ok && !c.sst_ok, "{c:?}");
    assert_eq!(c.sst_errors.len(), 1, "{c:?}");
    assert_eq!(c.sst_errors[0].file, name);
    let err = &c.sst_errors[0].error;
    assert!(
        err.contains("checksum mismatch") && err.contains("offset"),
        "{err}"
    );
    // The damaged block's keys are out of both sides, so the key sets still agree.
    assert_eq!(c.alex_keys, c.rocksdb_keys);
    assert!(c.key_checksum_match, "{c:?}");

    let mut errors = 0;
    for k in 0..ROWS {
        match db.get(k) {
            Ok(v) => assert_eq!(v.as_deref(), Some(value(k).as_bytes()), "key {k}"),
            Err(e) => {
                assert!(e.to_string().contains("damaged"), "{e}");
                errors += 1;
            }
        }
    }
    assert!(errors > 0 && errors < ROWS / 10, "{errors} keys unreadable");
    let lost = db.damaged_ranges()[0].first;
    db.close().unwrap();

    // The shell: the get fails, the next command still runs, `.check` fails (exit 1)
    // and names the file.
    let path = dir.path().to_str().unwrap();
    let cmds = format!("get {lost}; get 0; .check");
    let o = alexdb(&["--db", path, "--json", "-c", &cmds]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains(&format!("\"{}\"", value(0))), "{out}");
    let r = check_json(&o);
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(r["sst_ok"], false, "{r}");
    assert_eq!(r["sst_errors"][0]["file"], name.as_str(), "{r}");
    assert!(
        r["sst_errors"][0]["error"]
            .as_str()
            .unwrap()
            .contains("checksum mismatch")
    );
    assert_eq!(r["key_checksum_match"], true, "{r}");
    assert_eq!(r["alex_keys"], r["rocksdb_keys"], "{r}");

    // `alexdb check`: the table names the file; exit 1.
    let o = alexdb(&["check", "--db", path]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!("| damaged file       | {name}: ")),
        "{out}"
    );
    assert!(out.contains("| sst                | damaged"), "{out}");
    let o = alexdb(&["check", "--db", path, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(check_json(&o)["sst_errors"][0]["file"], name.as_str());
    // The command's own `ok` agrees with its exit status.
    assert_eq!(check_line(&o)["ok"], false, "{}", text(&o));
}

#[test]
fn check_of_a_clean_database_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let path = dir.path().to_str().unwrap();
    let o = alexdb(&["check", "--db", path, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(check_line(&o)["ok"], true, "{}", text(&o));
    let r = check_json(&o);
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["sst_ok"], true, "{r}");
    assert_eq!(r["sst_errors"].as_array().map(Vec::len), Some(0), "{r}");
    assert_eq!(r["alex_keys"], ROWS);
    assert_eq!(r["rocksdb_keys"], ROWS);
    assert_eq!(r["key_checksum_match"], true, "{r}");
    let o = alexdb(&["check", "--db", path]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("| sst                | ok "));
}

#[test]
fn check_of_a_missing_database_is_one_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let o = alexdb(&["check", "--db", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no database at"), "{err}");
    assert!(!missing.exists());
}
