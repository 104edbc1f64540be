//! Issue 15 item 4: `.check` verifies every SST file's checksums and compares ALEX with
//! RocksDB (count and key checksum); `alexdb check --db PATH` runs it from the command
//! line. Bytes flipped inside an SST file are named by file, reads of the damaged block
//! fail rather than return a wrong value, and everything else goes on.
use crate::support::alexdb_isolated;
use crate::support::dir_digest;
use std::path::{Path, PathBuf};
use std::process::Output;

use engine::{Compression, Db, DbOptions};

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

use crate::support::sst_damage::value;

/// A closed database of `ROWS` rows flushed to one SST file; returns the file.
fn build(dir: &Path) -> PathBuf {
    crate::support::sst_damage::build(dir, opts(), ROWS)
}

/// Inverts 8 bytes in the middle of `file`.
fn damage_middle(file: &Path) {
    let mid = std::fs::metadata(file).unwrap().len() as i64 / 2;
    crate::support::sst_damage::flip(file, mid, 8);
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
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

/// The report's findings of `kind`.
fn findings(r: &serde_json::Value, kind: &str) -> Vec<serde_json::Value> {
    let all = r["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {r}"));
    all.iter().filter(|f| f["kind"] == kind).cloned().collect()
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
    let o = alexdb_isolated(&["--db", path, "--json", "-c", &cmds]);
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
    let o = alexdb_isolated(&["check", "--db", path]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!("| damaged file       | {name}: ")),
        "{out}"
    );
    assert!(out.contains("| sst                | damaged"), "{out}");
    let o = alexdb_isolated(&["check", "--db", path, "--json"]);
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
    let before = dir_digest(dir.path());
    let o = alexdb_isolated(&["check", "--db", path, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(check_line(&o)["ok"], true, "{}", text(&o));
    let r = check_json(&o);
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["sst_ok"], true, "{r}");
    assert_eq!(r["sst_errors"].as_array().map(Vec::len), Some(0), "{r}");
    assert_eq!(r["alex_keys"], ROWS);
    assert_eq!(r["rocksdb_keys"], ROWS);
    assert_eq!(r["key_checksum_match"], true, "{r}");
    assert_eq!(r["findings"], serde_json::json!([]), "{r}");
    let o = alexdb_isolated(&["check", "--db", path]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("| sst                | ok "));
    // Issue 27: check opens read-only; no file is written, renamed, deleted or rotated.
    assert_eq!(
        dir_digest(dir.path()),
        before,
        "check changed the directory"
    );

    // Beside a process that has the database open: it reads without the lock, says so,
    // and changes nothing either.
    let db = Db::open_with(dir.path(), opts()).unwrap();
    // RocksDB's info LOG belongs to the open database, which may write it at any time.
    let files = |dir: &Path| {
        let mut m = dir_digest(dir);
        m.retain(|name, _| !name.starts_with("LOG"));
        m
    };
    let before = files(dir.path());
    let o = alexdb_isolated(&["check", "--db", path, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = check_json(&o);
    assert_eq!(r["rocksdb_keys"], ROWS, "{r}");
    let in_use = findings(&r, "in_use");
    assert_eq!(in_use.len(), 1, "{r}");
    assert!(
        in_use[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("process {}", std::process::id())),
        "{r}"
    );
    assert_eq!(files(dir.path()), before, "check changed an open database");
    db.close().unwrap();
}

/// Issue 27: an unreferenced table file is a finding with its size and key counts, never
/// deleted by `check`. A crash's leftover (every key also in the database) is a note an
/// open deletes; one holding rows the database does not have fails, whether an open
/// would refuse it or delete it.
#[test]
fn check_lists_unreferenced_table_files_and_deletes_none() {
    let tmp = tempfile::tempdir().unwrap();
    let leftover = tmp.path().join("leftover");
    let sst = build(&leftover);
    let bytes = std::fs::metadata(&sst).unwrap().len();
    std::fs::copy(&sst, leftover.join("000900.sst")).unwrap();
    let before = dir_digest(&leftover);
    let o = alexdb_isolated(&["check", "--db", leftover.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = check_json(&o);
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["rocksdb_keys"], ROWS, "{r}");
    let found = findings(&r, "unreferenced_table");
    assert_eq!(found.len(), 1, "{r}");
    assert_eq!(found[0]["file"], "000900.sst", "{r}");
    assert_eq!(found[0]["bytes"], bytes, "{r}");
    assert_eq!(found[0]["fails"], false, "{r}");
    assert!(
        found[0]["detail"].as_str().unwrap().contains("deletes it"),
        "{r}"
    );
    assert_eq!(dir_digest(&leftover), before, "check changed the directory");

    assert_eq!(
        (&found[0]["rows"], &found[0]["rows_not_in_database"]),
        (&serde_json::json!(ROWS), &serde_json::json!(0)),
        "{r}"
    );

    // Every row only in a file the MANIFEST does not list (an empty database's): a large
    // one an open refuses, a small one it would delete as a crash's leftover (which the
    // old check did, saying ok). Both fail.
    let small = tmp.path().join("small");
    let small_sst = crate::support::sst_damage::build(&small, opts(), 100);
    for (rows, sst, open) in [
        (ROWS, &sst, "an ordinary open refuses"),
        (100, &small_sst, "an ordinary open deletes it"),
    ] {
        let orphan = tmp.path().join(format!("orphan-{rows}"));
        Db::open_with(&orphan, opts()).unwrap().close().unwrap();
        std::fs::copy(sst, orphan.join("000900.sst")).unwrap();
        let bytes = std::fs::metadata(sst).unwrap().len();
        let before = dir_digest(&orphan);
        let o = alexdb_isolated(&["check", "--db", orphan.to_str().unwrap(), "--json"]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let r = check_json(&o);
        assert_eq!(r["ok"], false, "{r}");
        assert_eq!(r["rocksdb_keys"], 0, "{r}");
        let found = findings(&r, "unreferenced_table");
        assert_eq!(found.len(), 1, "{r}");
        let f = &found[0];
        assert_eq!(
            (&f["file"], &f["bytes"], &f["fails"]),
            (
                &serde_json::json!("000900.sst"),
                &serde_json::json!(bytes),
                &serde_json::json!(true)
            ),
            "{r}"
        );
        assert_eq!(
            (&f["rows"], &f["rows_not_in_database"]),
            (&serde_json::json!(rows), &serde_json::json!(rows)),
            "{r}"
        );
        assert!(f["detail"].as_str().unwrap().contains(open), "{r}");
        let o = alexdb_isolated(&["check", "--db", orphan.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("| unreferenced table | 000900.sst ("), "{out}");
        assert_eq!(dir_digest(&orphan), before, "check changed the directory");
    }
}

#[test]
fn check_of_a_missing_database_is_one_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let o = alexdb_isolated(&["check", "--db", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no database at"), "{err}");
    assert!(!missing.exists());
}
