//! Issue 17, open safety: an open never creates a database over a damaged one, never lets
//! RocksDB delete table files the MANIFEST lost track of, and never hides writes dropped
//! by WAL recovery.
use crate::support::dir_digest;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use command::{Executor, Outcome};
use engine::options::WalRecoveryMode;
use engine::{Db, DbOptions};

const ALEXDB: &str = env!("CARGO_BIN_EXE_alexdb");
const CHILD_ENV: &str = "ALEXDB_SAFETY_OPEN_CHILD_DIR";

/// Names in `dir` ending with `suffix`, sorted.
fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

fn manifest(dir: &Path) -> PathBuf {
    let current = fs::read_to_string(dir.join("CURRENT")).unwrap();
    dir.join(current.trim())
}

/// A database of `files` table files (one load of 1000 rows each), closed.
fn database_with_tables(dir: &Path, files: i64) {
    let db = Db::open(dir).unwrap();
    for f in 0..files {
        let rows: Vec<(i64, Vec<u8>)> = (0..1000)
            .map(|i| (f * 1000 + i, format!("value-{f}-{i}").into_bytes()))
            .collect();
        db.load(rows).unwrap();
    }
    db.close().unwrap();
    assert_eq!(files_ending(dir, ".sst").len(), files as usize);
}

#[test]
fn a_directory_without_current_is_refused_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    database_with_tables(&dir, 3);
    fs::remove_file(dir.join("CURRENT")).unwrap();
    for log in files_ending(&dir, ".log") {
        fs::remove_file(log).unwrap();
    }
    let err = Db::open(&dir).unwrap_err().to_string();
    assert!(
        err.contains("3 table files and a MANIFEST but no CURRENT file"),
        "{err}"
    );
    assert!(err.contains("will not create a new one"), "{err}");
    assert_eq!(files_ending(&dir, ".sst").len(), 3, "nothing was deleted");
    assert!(!dir.join("CURRENT").exists(), "no new database was created");
}

#[test]
fn the_issue_repro_through_the_binary_refuses_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let run = |cmd: &str| {
        Command::new(ALEXDB)
            .arg("--db")
            .arg(&dir)
            .args(["-c", cmd])
            .output()
            .unwrap()
    };
    assert!(run(".load sequential 100000").status.success());
    let tables = files_ending(&dir, ".sst").len();
    assert!(tables > 0);
    fs::remove_file(dir.join("CURRENT")).unwrap();
    for log in files_ending(&dir, ".log") {
        fs::remove_file(log).unwrap();
    }
    let out = run("count");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("no CURRENT file"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(out.stdout.is_empty(), "count printed nothing");
    assert_eq!(files_ending(&dir, ".sst").len(), tables);
}

#[test]
fn a_lone_log_and_lock_from_a_failed_create_still_create() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("LOG"), b"a failed create\n").unwrap();
    fs::write(dir.join("LOCK"), b"").unwrap();
    let db = Db::open(&dir).unwrap();
    db.put(1, b"a").unwrap();
    assert_eq!(db.count(), 1);
}

/// Copies the files of `from` into a new directory `to`.
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_truncated_manifest_never_opens_with_rows_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let orig = tmp.path().join("orig");
    // One session: its MANIFEST starts with the empty database and records each load.
    database_with_tables(&orig, 6);
    let len = fs::metadata(manifest(&orig)).unwrap().len();
    let mut ours = 0;
    for cut in [len / 5, len / 3, len / 2, len * 2 / 3, len * 4 / 5, len - 1] {
        let dir = tmp.path().join(format!("cut-{cut}"));
        copy_dir(&orig, &dir);
        let m = manifest(&dir);
        fs::OpenOptions::new()
            .write(true)
            .open(&m)
            .unwrap()
            .set_len(cut)
            .unwrap();
        match Db::open(&dir) {
            // Only the end of the last edit was cut (nothing lost), or nothing was.
            Ok(db) => assert_eq!(db.count(), 6000, "cut at {cut} of {len}: rows lost"),
            Err(e) => {
                let e = e.to_string();
                if e.contains("the MANIFEST does not reference") {
                    assert!(e.contains("of 6 table files"), "{e}");
                    assert!(e.contains("opening would delete them"), "{e}");
                    ours += 1;
                }
            }
        }
        assert_eq!(files_ending(&dir, ".sst").len(), 6, "cut at {cut}: deleted");
    }
    assert!(ours > 0, "the table check refused at least one cut");
}

#[test]
fn a_missing_table_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let orig = tmp.path().join("orig");
    database_with_tables(&orig, 6);
    let tables = files_ending(&orig, ".sst");
    // RocksDB opens some files itself (and names the missing one); the check counts
    // the rest.
    let mut counted = 0;
    for (i, gone) in [(0, &tables[5]), (1, &tables[0])] {
        let dir = tmp.path().join(format!("db{i}"));
        copy_dir(&orig, &dir);
        fs::remove_file(dir.join(gone.file_name().unwrap())).unwrap();
        let err = Db::open(&dir).unwrap_err().to_string();
        let name = gone.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            err.contains("1 of the 6 table files the MANIFEST references are missing")
                || err.contains(&name),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(files_ending(&dir, ".sst").len(), 5);
        counted += usize::from(err.contains("table files the MANIFEST references"));
    }
    assert!(counted > 0, "the table check counted a missing file");
}

#[test]
fn an_interrupted_ingest_leftover_still_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    database_with_tables(&dir, 2);
    // A load killed after RocksDB linked its file in but before the MANIFEST took it:
    // the scratch file and the linked table file are the same file.
    let scratch = dir.join("alexdb-load-1-0");
    fs::create_dir(&scratch).unwrap();
    let sst = files_ending(&dir, ".sst").remove(0);
    fs::copy(&sst, scratch.join("000001.sst")).unwrap();
    fs::hard_link(scratch.join("000001.sst"), dir.join("000900.sst")).unwrap();
    let db = Db::open(&dir).unwrap();
    assert_eq!(db.count(), 2000);
    assert!(!scratch.exists(), "scratch removed at open");
}

#[test]
fn a_crash_leftover_newer_than_every_table_still_opens() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    database_with_tables(&dir, 2);
    // A flush or compaction output written just before a kill, never committed.
    let sst = files_ending(&dir, ".sst").remove(0);
    fs::copy(&sst, dir.join("000900.sst")).unwrap();
    let db = Db::open(&dir).unwrap();
    assert_eq!(db.count(), 2000);
}

/// Found by `crash_points.rs`: a kill after a compaction was recorded but before its
/// inputs were deleted, while the next compaction wrote its first output, left 21 MB of
/// unreferenced files next to 14 MB of referenced ones, and the open refused. Files
/// numbered below a referenced file are inputs a recorded edit dropped, whatever their
/// size; only newer ones count as possibly lost edits.
#[test]
fn a_compactions_undeleted_inputs_larger_than_the_data_still_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let db = Db::open(&dir).unwrap();
    for f in 0..2i64 {
        let rows = (0..20_000).map(|i| {
            let h = ((i * 2 + f) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            (
                i * 2 + f,
                format!("{h:064x}{:036x}", h.rotate_left(17)).into_bytes(),
            )
        });
        db.load(rows).unwrap();
    }
    db.close().unwrap();
    let tables = files_ending(&dir, ".sst");
    // Twice the data (past what a crash's unrecorded outputs may hold), under numbers
    // older than every referenced file.
    let mut n = 0;
    for _ in 0..2 {
        for t in &tables {
            n += 1;
            fs::copy(t, dir.join(format!("{n:06}.sst"))).unwrap();
        }
    }
    let lowest = tables
        .iter()
        .filter_map(|p| p.file_stem()?.to_str()?.parse::<u64>().ok())
        .min()
        .unwrap();
    assert!(
        n < lowest,
        "copies numbered up to {n}, the tables from {lowest}"
    );
    let db = Db::open(&dir).expect("a compaction's undeleted inputs open");
    assert_eq!(db.count(), 40_000);
    drop(db);
    assert_eq!(
        files_ending(&dir, ".sst").len(),
        tables.len(),
        "leftovers deleted"
    );
}

/// Found by `crash_points.rs`: a kill inside a compaction that splits the data into many
/// files leaves outputs a little larger in all than their inputs (each file has its own
/// index, filter, properties and footer). That is a crash's leftover, not a truncated
/// MANIFEST's lost files: the database must open with every row.
#[test]
fn a_compactions_unrecorded_outputs_larger_than_their_inputs_still_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let db = Db::open(&dir).unwrap();
    for f in 0..4i64 {
        let rows = (0..5000).map(|i| {
            let h = ((i * 4 + f) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            (
                i * 4 + f,
                format!("{h:064x}{:036x}", h.rotate_left(17)).into_bytes(),
            )
        });
        db.load(rows).unwrap();
    }
    db.close().unwrap();
    let before: Vec<PathBuf> = files_ending(&dir, ".sst");
    // The same compaction in a copy, into small files; its outputs are what a kill
    // would leave next to the still-referenced inputs.
    let work = tmp.path().join("work");
    copy_dir(&dir, &work);
    let small = DbOptions {
        target_file_size_base: 64 << 10,
        ..DbOptions::default()
    };
    let db = Db::open_with(&work, small).unwrap();
    db.compact().unwrap();
    db.close().unwrap();
    let names = |v: &[PathBuf]| -> Vec<_> {
        v.iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect()
    };
    let old = names(&before);
    let outputs: Vec<PathBuf> = files_ending(&work, ".sst")
        .into_iter()
        .filter(|p| !old.contains(&p.file_name().unwrap().to_owned()))
        .collect();
    let size = |v: &[PathBuf]| -> u64 { v.iter().map(|p| fs::metadata(p).unwrap().len()).sum() };
    assert!(outputs.len() > 4, "{outputs:?}");
    assert!(
        size(&outputs) > size(&before),
        "outputs no larger than inputs: the case is not made"
    );
    for o in &outputs {
        fs::copy(o, dir.join(o.file_name().unwrap())).unwrap();
    }
    let db = Db::open(&dir).expect("a crash's compaction outputs open");
    assert_eq!(db.count(), 20_000);
    assert!(db.check().unwrap().ok);
}

// ---- WAL damage ------------------------------------------------------------------------

/// The key whose value is overwritten after the damaged point of the WAL.
const KEY: i64 = 7;

/// The child: writes through the WAL (no flush: a large memtable), then waits to be
/// killed. Runs only when re-executed by the parent with `CHILD_ENV` set.
#[test]
fn wal_child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let db = Db::open(&dir).unwrap();
    db.put(KEY, b"old").unwrap();
    for i in 0..4000 {
        db.put(1000 + i, format!("filler-{i:0>60}").as_bytes())
            .unwrap();
    }
    db.put(KEY, b"new").unwrap();
    for i in 4000..8000 {
        db.put(1000 + i, format!("filler-{i:0>60}").as_bytes())
            .unwrap();
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "DONE").unwrap();
    out.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(60));
}

/// Runs the child writer on `dir` and SIGKILLs it once it acknowledged every write.
fn write_wal_and_kill(dir: &Path) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            crate::support::this_test(module_path!(), "wal_child_writer").as_str(),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    while !seen.contains("DONE") {
        let n = std::io::Read::read(&mut stdout, &mut buf).unwrap();
        assert!(n > 0, "the child ended without writing: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    child.kill().unwrap(); // SIGKILL: nothing flushed, the writes are only in the WAL
    child.wait().unwrap();
}

/// The one WAL file, which holds every write.
fn the_wal(dir: &Path) -> PathBuf {
    let wals: Vec<PathBuf> = files_ending(dir, ".log")
        .into_iter()
        .filter(|p| fs::metadata(p).unwrap().len() > 0)
        .collect();
    assert_eq!(wals.len(), 1, "{wals:?}");
    wals[0].clone()
}

/// Flips one byte at `at` (a fraction of the file's length).
fn flip_byte(file: &Path, at: f64) {
    let mut bytes = fs::read(file).unwrap();
    let i = (bytes.len() as f64 * at) as usize;
    bytes[i] ^= 0x5a;
    fs::write(file, bytes).unwrap();
}

fn with_mode(mode: WalRecoveryMode) -> DbOptions {
    DbOptions {
        wal_recovery_mode: mode,
        ..DbOptions::default()
    }
}

#[test]
fn wal_damage_in_the_middle_refuses_by_default_with_the_option_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    flip_byte(&the_wal(&dir), 0.25);
    let err = Db::open(&dir).unwrap_err().to_string();
    assert!(err.contains("wal_recovery_mode"), "{err}");
    assert!(err.contains("point_in_time"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // Refusing changed nothing: the damaged WAL is still there for a later decision.
    assert!(fs::metadata(the_wal(&dir)).unwrap().len() > 0);
    // The same through the binary: one error line, exit status 1.
    let out = Command::new(ALEXDB)
        .arg("--db")
        .arg(&dir)
        .args(["-c", "count"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("wal_recovery_mode"), "{stderr}");
}

#[test]
fn point_in_time_opens_and_reports_what_it_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    flip_byte(&the_wal(&dir), 0.25);
    let db = Db::open_with(&dir, with_mode(WalRecoveryMode::PointInTime)).unwrap();
    let stats = db.open_stats();
    assert!(stats.wal_dropped_bytes > 0, "{stats:?}");
    let note = db.wal_note().expect("a note about the dropped writes");
    assert!(note.contains("damaged"), "{note}");
    assert!(
        note.contains("every write after that point is lost"),
        "{note}"
    );
    assert_eq!(note.lines().count(), 1, "{note}");
    // The overwrite came after the damage: the old value is back, and the open said so.
    assert_eq!(db.get(KEY).unwrap().as_deref(), Some(&b"old"[..]));
    assert!(db.count() < 8001, "later writes are gone: {}", db.count());
}

/// A crash in the middle of the last write: its record is cut short.
fn tear_tail(wal: &Path) {
    let len = fs::metadata(wal).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(wal)
        .unwrap()
        .set_len(len - 20)
        .unwrap();
}

#[test]
fn a_torn_wal_tail_opens_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    tear_tail(&the_wal(&dir));
    let db = Db::open(&dir).unwrap();
    assert!(db.wal_note().is_none(), "a crash's torn end is no damage");
    assert_eq!(db.get(KEY).unwrap().as_deref(), Some(&b"new"[..]));
    assert_eq!(db.count(), 8000, "only the torn last write is lost");
}

#[test]
fn an_undamaged_wal_opens_without_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    let db = Db::open(&dir).unwrap();
    assert_eq!(db.open_stats().wal_dropped_bytes, 0);
    assert!(db.wal_note().is_none());
    assert_eq!(db.count(), 8001);
    assert_eq!(db.get(KEY).unwrap().as_deref(), Some(&b"new"[..]));
}

#[test]
fn the_shell_open_command_prints_the_wal_warning_after_opening() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    flip_byte(&the_wal(&dir), 0.25);
    let opts = with_mode(WalRecoveryMode::PointInTime);
    let mut exec = Executor::open(&tmp.path().join("other"), opts).unwrap();
    let mut reports = Vec::new();
    exec.run_text(&format!(".open {}", dir.display()), &mut |_, r| {
        reports.push(r)
    });
    let Ok(Outcome::Message(m)) = &reports[0].result else {
        panic!("{:?}", reports[0].result);
    };
    let lines: Vec<&str> = m.lines().collect();
    assert!(lines[0].starts_with("opened "), "{m}");
    assert!(
        lines[1].starts_with("warning: the write-ahead log had"),
        "{m}"
    );
    assert_eq!(lines.len(), 2, "{m}");
}

#[test]
fn skip_any_skips_only_the_damaged_records() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    flip_byte(&the_wal(&dir), 0.25);
    let db = Db::open_with(&dir, with_mode(WalRecoveryMode::SkipAny)).unwrap();
    // The overwrite after the damage was replayed; only the damaged records are gone.
    assert_eq!(db.get(KEY).unwrap().as_deref(), Some(&b"new"[..]));
    let count = db.count();
    assert!((7000..8001).contains(&count), "{count}");
    let note = db.wal_note().expect("a note about the skipped records");
    assert!(note.contains("skip_any"), "{note}");
}

#[test]
fn absolute_consistency_refuses_even_a_torn_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    tear_tail(&the_wal(&dir));
    let opts = with_mode(WalRecoveryMode::AbsoluteConsistency);
    let err = Db::open_with(&dir, opts).unwrap_err().to_string();
    assert!(
        err.contains("wal_recovery_mode is absolute_consistency"),
        "{err}"
    );
    assert!(err.contains("tolerate_corrupted_tail opens it"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // The default opens it (the torn end was a crash's).
    assert_eq!(Db::open(&dir).unwrap().count(), 8000);
}

// ----- FIFO at open (issue 27, item 2) ---------------------------------------------

/// `len` pseudo-random bytes (they do not compress, so files are as large as the data).
fn noise(k: i64, len: usize) -> Vec<u8> {
    let mut x = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A closed level-compaction database of 3,000 rows of 1,000 bytes (about 3 MB).
fn three_megabytes(dir: &Path) {
    let db = Db::open(dir).unwrap();
    db.load((0..3_000).map(|k| (k, noise(k, 1_000))).collect::<Vec<_>>())
        .unwrap();
    db.close().unwrap();
}

/// Every file of `dir` with its contents: equal before and after means nothing changed.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_ending(dir, "")
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn sets(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

const FIFO_1MIB: [(&str, &str); 2] = [("compaction_style", "fifo"), ("fifo_max_size", "1MiB")];

/// The size an open refusal suggests (`--set fifo_max_size=SIZE`).
fn suggested_limit(err: &str) -> String {
    let rest = err.split("--set fifo_max_size=").nth(1).expect(err);
    rest.split([' ', ',', ')', ';']).next().unwrap().to_string()
}

#[test]
fn fifo_through_set_is_refused_at_open_when_it_would_delete_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    three_megabytes(&dir);
    let before = contents(&dir);
    let err = Db::open_saved(&dir, &sets(&FIFO_1MIB))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("fifo compaction refused at open"), "{err}");
    assert!(err.contains("fifo_max_size (1MiB)"), "{err}");
    assert!(err.contains("already holds "), "{err}");
    assert!(err.contains("without compaction_style=fifo"), "{err}");
    assert!(!err.contains("alexdb-options.json"), "from --set: {err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(contents(&dir) == before, "a refused open changes nothing");
    // The limit the message names opens it in FIFO with every row.
    let limit = suggested_limit(&err);
    let db = Db::open_saved(
        &dir,
        &sets(&[("compaction_style", "fifo"), ("fifo_max_size", &limit)]),
    )
    .unwrap();
    assert_eq!(db.count(), 3_000);
    db.close().unwrap();
    // Lowering the limit at the next open is refused the same way.
    let before = contents(&dir);
    let err = Db::open_saved(&dir, &sets(&[("fifo_max_size", "1MiB")]))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("lowering fifo_max_size to 1MiB refused at open"),
        "{err}"
    );
    // compaction_style=fifo now comes from the saved file, which the message names.
    assert!(err.contains("remove compaction_style from"), "{err}");
    assert!(err.contains("alexdb-options.json"), "{err}");
    assert!(contents(&dir) == before, "a refused open changes nothing");
    // The same FIFO options again open (they delete nothing the database had not).
    let db = Db::open(&dir).unwrap();
    assert_eq!(db.options().text(engine::Opt::FifoMaxSize), limit);
    assert_eq!(db.count(), 3_000);
    assert!(db.check().unwrap().ok);
}

#[test]
fn fifo_saved_in_the_options_file_is_refused_at_open_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    three_megabytes(&dir);
    fs::write(
        dir.join("alexdb-options.json"),
        r#"{"version":1,"options":{"compaction_style":"fifo","fifo_max_size":"1MiB"}}"#,
    )
    .unwrap();
    let before = contents(&dir);
    let err = Db::open(&dir).unwrap_err().to_string();
    assert!(err.starts_with("fifo compaction refused at open"), "{err}");
    assert!(
        err.contains("remove compaction_style and fifo_max_size from"),
        "{err}"
    );
    assert!(err.contains("alexdb-options.json"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(contents(&dir) == before, "a refused open changes nothing");
    // The override the message names opens it with every row.
    let limit = suggested_limit(&err);
    let db = Db::open_saved(&dir, &sets(&[("fifo_max_size", &limit)])).unwrap();
    assert_eq!(db.count(), 3_000);
}

#[test]
fn the_shell_open_and_the_binary_refuse_fifo_over_a_bigger_database() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big");
    three_megabytes(&big);
    let before = contents(&big);
    // A session started with FIFO at 1 MiB on a new database (nothing to delete there).
    let mut exec = Executor::open_saved(&tmp.path().join("new"), sets(&FIFO_1MIB)).unwrap();
    let mut reports = Vec::new();
    exec.run_text(&format!(".open {}", big.display()), &mut |_, r| {
        reports.push(r)
    });
    let Err(e) = &reports[0].result else {
        panic!("{:?}", reports[0].result);
    };
    assert!(
        e.to_string().contains("fifo compaction refused at open"),
        "{e}"
    );
    assert!(contents(&big) == before, "a refused open changes nothing");
    let out = Command::new(ALEXDB)
        .arg("--db")
        .arg(&big)
        .args([
            "--set",
            "compaction_style=fifo",
            "--set",
            "fifo_max_size=1MiB",
        ])
        .args(["-c", "count"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("fifo compaction refused at open"),
        "{stderr}"
    );
    assert!(stderr.contains("--set fifo_max_size="), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(contents(&big) == before, "a refused open changes nothing");
}

// ---- `alexdb check` changes nothing (issue 27, item 6) -----------------------------------

/// `alexdb check --json --db DIR`: its exit status and report; asserts that the
/// directory is the same, file for file and byte for byte, after it.
fn alexdb_check(dir: &Path) -> (Option<i32>, serde_json::Value) {
    let before = dir_digest(dir);
    let o = Command::new(ALEXDB)
        .args(["check", "--json", "--db"])
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    let line = out
        .lines()
        .find(|l| l.contains("\"command\":\".check\""))
        .unwrap_or_else(|| panic!("no report: {out} {err}"));
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(dir_digest(dir), before, "check changed {}", dir.display());
    (o.status.code(), v["report"].clone())
}

/// The kinds of a report's findings, in order.
fn finding_kinds(r: &serde_json::Value) -> Vec<String> {
    let all = r["findings"].as_array().unwrap_or_else(|| panic!("{r}"));
    all.iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn check_reads_the_wal_without_replaying_it_and_reports_its_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    write_wal_and_kill(&dir);
    let (torn, missing) = (tmp.path().join("torn"), tmp.path().join("missing"));
    copy_dir(&dir, &torn);
    copy_dir(&dir, &missing);

    // Whole: every write is read from the WAL, which stays as it was.
    let (code, r) = alexdb_check(&dir);
    assert_eq!(code, Some(0), "{r}");
    assert_eq!((&r["ok"], &r["rocksdb_keys"]), (&true.into(), &8001.into()));
    assert_eq!(finding_kinds(&r), Vec::<String>::new(), "{r}");

    // A torn last record: a failing finding that names the log, which is not cut.
    let wal = the_wal(&torn);
    let name = wal.file_name().unwrap().to_string_lossy().into_owned();
    tear_tail(&wal);
    let (code, r) = alexdb_check(&torn);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(
        (&r["ok"], &r["rocksdb_keys"]),
        (&false.into(), &8000.into())
    );
    assert_eq!(finding_kinds(&r), ["wal_torn_tail"], "{r}");
    let f = &r["findings"][0];
    assert_eq!(
        (&f["file"], &f["fails"]),
        (&name.into(), &true.into()),
        "{r}"
    );
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("drops them for good"), "{detail}");

    // The log gone: the writes since the last flush are lost, which an open would not say.
    fs::remove_file(the_wal(&missing)).unwrap();
    let (code, r) = alexdb_check(&missing);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!((&r["ok"], &r["rocksdb_keys"]), (&false.into(), &0.into()));
    assert_eq!(finding_kinds(&r), ["missing_wal"], "{r}");
}

#[test]
fn the_unlogged_marker_moves_unreferenced_tables_aside_and_check_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    database_with_tables(&dir, 2);
    // Another database's table file of 20,000 rows that do not compress: far more than
    // a crash leaves, and rows this MANIFEST knows nothing of.
    let other = tmp.path().join("other");
    let db = Db::open(&other).unwrap();
    db.load((0..20_000i64).map(|i| {
        let h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (
            100_000 + i,
            format!("{h:016x}{:016x}", h.rotate_left(29)).into_bytes(),
        )
    }))
    .unwrap();
    db.close().unwrap();
    let sst = files_ending(&other, ".sst").remove(0);
    let bytes = fs::metadata(&sst).unwrap().len();
    fs::copy(&sst, dir.join("000900.sst")).unwrap();
    fs::File::create(dir.join("alexdb-unlogged-writes")).unwrap();

    let (code, r) = alexdb_check(&dir);
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(
        finding_kinds(&r),
        ["unreferenced_table", "unlogged_writes"],
        "{r}"
    );
    let f = &r["findings"][0];
    assert_eq!(
        (&f["file"], &f["bytes"], &f["fails"]),
        (&"000900.sst".into(), &bytes.into(), &true.into()),
        "{r}"
    );
    assert!(
        f["detail"].as_str().unwrap().contains("moves it into"),
        "{r}"
    );

    // The open keeps the file, moved aside, and says so with its size.
    let db = Db::open(&dir).unwrap();
    assert_eq!(db.count(), 2000);
    let warnings = &db.start_report().warnings;
    let w = warnings
        .iter()
        .find(|w| w.contains("000900.sst ("))
        .unwrap_or_else(|| panic!("no line names the file: {warnings:?}"));
    assert!(w.contains("moved into alexdb-unreferenced-"), "{w}");
    db.close().unwrap();
    assert!(!dir.join("000900.sst").exists());
    assert!(!dir.join("alexdb-unlogged-writes").exists());
    let aside = files_ending(&dir, "")
        .into_iter()
        .find(|p| p.to_string_lossy().contains("alexdb-unreferenced-"))
        .expect("a directory of the moved files");
    assert_eq!(fs::metadata(aside.join("000900.sst")).unwrap().len(), bytes);
    // Then check notes the moved files; the database itself is ok.
    let (code, r) = alexdb_check(&dir);
    assert_eq!(code, Some(0), "{r}");
    assert_eq!(finding_kinds(&r), ["set_aside"], "{r}");
    assert_eq!(r["rocksdb_keys"], 2000, "{r}");
}
