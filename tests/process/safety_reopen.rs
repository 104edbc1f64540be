//! Issue 17, bugs 2, 5 and 6: a reopen never creates a database under the kept index,
//! a failed compaction is reported as a failure, and a full disk stops writes only until
//! space is freed and the database reopened. Full-disk cases run on a small tmpfs (they
//! need root to mount it; elsewhere they print why they were skipped).
use std::path::{Path, PathBuf};

use std::time::Duration;

use command::{ExecError, Executor, Outcome, Report};
use engine::{CompactionStyle, Db, DbError, DbOptions};

fn small() -> DbOptions {
    DbOptions {
        block_cache_bytes: 1 << 20,
        write_buffer_size: 256 << 10,
        ..DbOptions::default()
    }
}

/// 200 bytes that do not compress (a full disk needs bytes that fill it), different
/// for every key.
fn value(k: i64) -> Vec<u8> {
    noise(k).map(|x| x as u8).collect()
}

fn filled(path: &Path, n: i64) -> Db {
    let db = Db::open_with(path, small()).expect("open");
    for k in 0..n {
        db.put(k, &value(k)).expect("put");
    }
    db
}

use crate::support::noise;
use crate::support::tmpfs::{Tmpfs, zeros};

/// A copy of the database in `from` at `to`, all but its `LOCK` (this process holds
/// the original's lock).
fn copy_without_lock(from: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls") {
        let e = e.expect("entry");
        if e.file_name() != "LOCK" {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
    to.to_path_buf()
}

fn run(exec: &mut Executor, text: &str) -> Vec<Report> {
    let mut reports = Vec::new();
    exec.run_text(text, &mut |_, r| reports.push(r));
    reports
}

fn err_line(r: &Report) -> String {
    match &r.result {
        Err(e) => e.to_string(),
        Ok(o) => panic!("{}: expected an error, got {o:?}", r.input),
    }
}

/// Runs `text` (one job-starting command) and waits for the job's result.
fn job(exec: &mut Executor, text: &str) -> Result<Outcome, ExecError> {
    let r = run(exec, text).pop().expect("a report");
    let Ok(Outcome::JobStarted { id, .. }) = r.result else {
        panic!("{text}: no job started: {:?}", r.result);
    };
    let st = exec.jobs().wait(id, Duration::from_secs(120)).expect("job");
    command::exec::job_result(st)
}

fn is_closed(e: &DbError) -> bool {
    matches!(e, DbError::Closed { .. })
}

/// Bug 2: the directory deleted while open. The reopen must not create an empty
/// database under the kept index: it fails, the database stays closed, and every
/// command says so (before the fix: `count` 1000, `get 10` NULL).
#[test]
fn reopen_after_the_directory_was_deleted_fails_and_stays_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let db = std::sync::Arc::new(filled(&path, 1000));
    assert_eq!(db.get(10).expect("get"), Some(value(10).into()));
    std::fs::remove_dir_all(&path).expect("rm");

    let err = db
        .reopen()
        .expect_err("a reopen must not create a database");
    assert!(is_closed(&err), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("the database directory was deleted or replaced while open"),
        "{msg}"
    );
    assert!(!path.exists(), "the reopen created {}", path.display());
    assert!(is_closed(&db.get(10).expect_err("get")));
    assert!(is_closed(&db.put(5000, b"v").expect_err("put")));
    assert!(is_closed(&db.reopen().expect_err("second reopen")));

    let mut exec = Executor::with_db(db.clone(), small());
    let reports = run(
        &mut exec,
        "count\nexists 10\nget 10\nSELECT COUNT(*) FROM kv;\n",
    );
    assert_eq!(reports.len(), 4);
    for r in &reports {
        let line = err_line(r);
        assert!(
            line.contains("the database is closed"),
            "{}: {line}",
            r.input
        );
        assert!(line.contains("deleted or replaced"), "{}: {line}", r.input);
        assert!(!line.contains('\n'), "{line}");
    }
}

/// Bug 2 through an option change that reopens (block_cache_type applies by reopening).
#[test]
fn an_option_that_reopens_does_not_create_a_database_either() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let db = filled(&path, 300);
    std::fs::remove_dir_all(&path).expect("rm");
    let err = db
        .set_option("block_cache_type", "hyper_clock")
        .expect_err("must fail");
    assert!(is_closed(&err), "{err:?}");
    assert!(!path.exists(), "the reopen created {}", path.display());
    assert!(is_closed(&db.get(1).expect_err("get")));
}

/// Bug 2: the directory replaced by another database. The identity differs: the reopen
/// fails without touching either database.
#[test]
fn reopen_refuses_a_directory_replaced_by_another_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let moved = dir.path().join("moved");
    let other = dir.path().join("other");
    let db = filled(&path, 1000);
    // Quiet, so no background job of this database writes into the directory once the
    // other database is there.
    db.flush().expect("flush");
    db.compact().expect("compact");
    let b = Db::open_with(&other, small()).expect("open other");
    for k in 5000..5100 {
        b.put(k, &value(k)).expect("put");
    }
    b.close().expect("close other");
    std::fs::rename(&path, &moved).expect("move away");
    std::fs::rename(&other, &path).expect("move other in");

    let err = db.reopen().expect_err("another database must be refused");
    let msg = err.to_string();
    assert!(is_closed(&err), "{err:?}");
    assert!(msg.contains("now holds another database"), "{msg}");
    assert!(is_closed(&db.get(10).expect_err("get")));
    drop(db);

    // This process keeps the first handle (closing it would write into the other
    // database), so the other database is checked from a copy.
    let copy = copy_without_lock(&path, &dir.path().join("copy"));
    let b = Db::open_with(&copy, small()).expect("the other database opens");
    assert_eq!(b.count(), 100);
    assert_eq!(b.get(5000).expect("get"), Some(value(5000).into()));
    drop(b);
    let a = Db::open_with(&moved, small()).expect("the first database opens");
    assert_eq!(a.count(), 1000);
}

/// Bug 2, at exit: a Db dropped after its directory was replaced by another database
/// writes nothing there (RocksDB's flush and close would have written a table file, a
/// MANIFEST and CURRENT into the other database).
#[test]
fn closing_after_the_directory_was_replaced_leaves_the_other_database_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let other = dir.path().join("other");
    let db = filled(&path, 1000);
    let b = Db::open_with(&other, small()).expect("open other");
    for k in 5000..5100 {
        b.put(k, &value(k)).expect("put");
    }
    b.close().expect("close other");
    std::fs::rename(&path, dir.path().join("moved")).expect("move away");
    std::fs::rename(&other, &path).expect("move other in");
    let names = |p: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "LOCK")
            .collect();
        v.sort();
        v
    };
    let before = (
        names(&path),
        std::fs::read(path.join("CURRENT")).expect("CURRENT"),
    );
    let err = db
        .close()
        .expect_err("the close must say the database is gone");
    assert!(
        err.to_string().contains("now holds another database"),
        "{err}"
    );
    let after = (
        names(&path),
        std::fs::read(path.join("CURRENT")).expect("CURRENT"),
    );
    assert_eq!(before, after, "nothing was written into the other database");
}

/// A plain reopen still works and keeps every row (the identity check passes).
#[test]
fn reopen_of_the_same_database_still_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = filled(dir.path(), 500);
    db.reopen().expect("reopen");
    db.set_option("block_cache_type", "hyper_clock")
        .expect("option reopen");
    assert_eq!(db.count(), 500);
    assert_eq!(db.get(499).expect("get"), Some(value(499).into()));
    assert!(db.check().expect("check").ok);
}

/// Fills `fs` up with a database of about 1.5 MB in SST files and a filler file that
/// takes the rest, so that a compaction has no room for its output.
fn full_database(fs: &Tmpfs) -> (std::sync::Arc<Db>, PathBuf) {
    let db = filled(&fs.path().join("db"), 7000);
    db.flush().expect("flush");
    let spare = zeros(fs.path(), "spare", 8 << 20);
    (std::sync::Arc::new(db), spare)
}

/// Bug 5: a compaction that fails (no room for its output) is an error, from the engine
/// and from `.compact` (before the fix: "compacted in 0.03 s").
#[test]
fn a_failed_compaction_is_reported() {
    let Some(fs) = Tmpfs::mount("4m") else {
        return;
    };
    let (db, spare) = full_database(&fs);
    let err = db
        .compact_range(None)
        .expect_err("the compaction had no room");
    assert!(err.to_string().contains("compact"), "{err}");
    let mut exec = Executor::with_db(db.clone(), small());
    let line = match job(&mut exec, ".compact\n") {
        Err(e) => e.to_string(),
        Ok(o) => panic!(".compact: expected an error, got {o:?}"),
    };
    assert!(line.contains("failed to compact"), "{line}");
    assert!(!line.contains('\n'), "{line}");
    // Once there is room again, a reopen clears RocksDB's error and compaction works.
    std::fs::remove_file(&spare).expect("free space");
    db.reopen().expect("reopen");
    db.compact_range(None).expect("compact");
    assert_eq!(db.count(), 7000);
    assert!(db.check().expect("check").ok);
}

/// Bug 5 for the compaction inside a compaction-style switch: it fails, and the switch
/// is not made.
#[test]
fn a_failed_compaction_in_a_style_switch_is_reported() {
    let Some(fs) = Tmpfs::mount("4m") else {
        return;
    };
    // Universal first, while there is room for the reopen's new files.
    let db = filled(&fs.path().join("db"), 7000);
    db.set_option("compaction_style", "universal")
        .expect("universal needs no compaction");
    db.flush().expect("flush");
    let _spare = zeros(fs.path(), "spare", 8 << 20);
    let err = db
        .set_option("compaction_style", "level")
        .expect_err("the compaction to level had no room");
    assert!(err.to_string().contains("compact"), "{err}");
    assert_eq!(db.options().compaction_style, CompactionStyle::Universal);
    assert_eq!(db.get(6999).expect("get"), Some(value(6999).into()));
}

/// Bug 6: a full disk stops writes with one clear error; reads keep working; once space
/// is freed, `.reopen` brings writes back (its flush fails, the WAL holds the rows) and
/// every acknowledged write is there.
#[test]
fn writes_come_back_after_a_full_disk_is_freed() {
    let Some(fs) = Tmpfs::mount("4m") else {
        return;
    };
    let spare = zeros(fs.path(), "spare", 2 << 20);
    let db = std::sync::Arc::new(Db::open_with(fs.path().join("db"), small()).expect("open"));
    let mut exec = Executor::with_db(db.clone(), small());
    let mut acked = Vec::new();
    let line = loop {
        let k = acked.len() as i64;
        assert!(k < 100_000, "4 MiB never filled up");
        let hex: String = value(k).iter().map(|b| format!("{b:02x}")).collect();
        let r = run(&mut exec, &format!("put {k} x'{hex}'\n"));
        match &r[0].result {
            Ok(_) => acked.push((k, hex)),
            Err(e) => break e.to_string(),
        }
    };
    assert!(line.contains("No space left on device"), "{line}");
    assert!(line.contains("free space"), "{line}");
    assert!(line.contains(".reopen"), "{line}");
    assert!(!line.contains('\n'), "{line}");
    assert!(acked.len() > 100, "only {} puts fit", acked.len());
    // Earlier data stays readable.
    let get = run(&mut exec, "get 0\n");
    assert!(get[0].result.is_ok(), "{:?}", get[0].result);

    // Still full: the reopen refuses and the database stays open.
    let refused = run(&mut exec, ".reopen\n");
    let why = err_line(&refused[0]);
    assert!(why.contains("free space"), "{why}");
    assert!(db.ensure_open().is_ok());

    std::fs::remove_file(&spare).expect("free space");
    let reopened = run(&mut exec, ".reopen\n");
    assert!(reopened[0].result.is_ok(), "{:?}", reopened[0].result);
    let after = run(&mut exec, "put 1000000 after\n");
    assert!(after[0].result.is_ok(), "{:?}", after[0].result);
    for (k, hex) in &acked {
        let v = db
            .get(*k)
            .expect("get")
            .expect("an acknowledged write is missing");
        let want: String = v.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(&want, hex, "key {k}");
    }
    assert_eq!(db.count(), acked.len() as u64 + 1);
    assert!(db.check().expect("check").ok);
}

/// Issue 27 item 7: a command on a database whose directory was replaced by another
/// database is refused before it runs, so the error means nothing was written: neither
/// into the old database (moved away, still open in this process) nor the new one.
#[test]
fn a_write_to_a_replaced_directory_is_refused_before_it_is_applied() {
    for cmd in [
        "put 5000 lost",
        "INSERT INTO kv VALUES (5000, 'lost');",
        "del 10",
        ".load sequential 10 --start 5000",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db");
        let moved = dir.path().join("moved");
        let other = dir.path().join("other");
        let db = std::sync::Arc::new(filled(&path, 1000));
        let b = Db::open_with(&other, small()).expect("open other");
        for k in 8000..8100 {
            b.put(k, &value(k)).expect("put");
        }
        b.close().expect("close other");
        std::fs::rename(&path, &moved).expect("move away");
        std::fs::rename(&other, &path).expect("move other in");

        let mut exec = Executor::with_db(db.clone(), small());
        let reports = run(&mut exec, cmd);
        let line = err_line(reports.last().expect("a report"));
        assert!(line.contains("replaced while open"), "{cmd}: {line}");
        drop(exec);
        drop(db);

        let a = Db::open_with(&moved, small()).expect("the first database opens");
        assert_eq!(a.count(), 1000, "{cmd}: the old database changed");
        assert_eq!(
            a.get(5000).expect("get"),
            None,
            "{cmd}: applied to the old database"
        );
        assert_eq!(a.get(10).expect("get"), Some(value(10).into()), "{cmd}");
        drop(a);
        // The other database, from a copy (this process still holds the first handle).
        let copy = copy_without_lock(&path, &dir.path().join("copy"));
        let b = Db::open_with(&copy, small()).expect("the other database opens");
        assert_eq!(b.count(), 100, "{cmd}: the new database changed");
        assert_eq!(b.get(5000).expect("get"), None, "{cmd}");
    }
}
