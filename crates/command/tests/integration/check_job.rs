//! `.check` is a job with progress (issue 15 item 4): the engine reports each phase and
//! its key count, a caller can stop it part-way (the write gate is released), and the
//! executor runs it as a `check` job whose status counts keys against ALEX's total.
use std::time::Duration;

use command::exec::jobs_table;
use command::{Executor, Outcome};
use engine::{CheckPhase, Db, DbOptions};

const ROWS: i64 = 200_000;

fn loaded(dir: &std::path::Path) -> Db {
    let db = Db::open_with(dir, DbOptions::default()).unwrap();
    db.load((0..ROWS).map(|k| (k * 3, format!("v{k}").into_bytes())))
        .unwrap();
    db
}

#[test]
fn check_reports_each_phase_with_its_key_count() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = loaded(dir.path());
    let mut seen = Vec::new();
    let report = db
        .check_with(&mut |p| {
            seen.push((p.phase, p.done, p.total));
            true
        })
        .unwrap()
        .expect("not stopped");
    assert!(report.ok, "{report:?}");
    let total = ROWS as u64;
    let tick = 1u64 << 16;
    let mut want = vec![(CheckPhase::Keys, 0, total)];
    want.extend((1..=total / tick).map(|i| (CheckPhase::Keys, i * tick, total)));
    want.push((CheckPhase::Checksums, 0, 0));
    assert_eq!(seen, want);
}

#[test]
fn a_stopped_check_gives_no_report_and_releases_the_database() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = loaded(dir.path());
    let mut calls = 0;
    let r = db
        .check_with(&mut |p| {
            calls += 1;
            p.done == 0
        })
        .unwrap();
    assert!(r.is_none(), "stopped at the first tick: {r:?}");
    assert_eq!(calls, 2, "no progress after the stop");
    // The check held the write gate; a write after it must not block.
    db.put(1, b"after").unwrap();
    assert_eq!(db.get(1).unwrap().unwrap().as_ref(), b"after");
    assert!(db.check().unwrap().ok);
}

#[test]
fn dot_check_runs_as_a_job_counting_keys() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    drop(loaded(dir.path()));
    let mut exec = Executor::open(dir.path(), DbOptions::default()).expect("open");
    let mut reports = Vec::new();
    exec.run_text(".check", &mut |_, r| reports.push(r));
    let Ok(Outcome::JobStarted { id, label, .. }) = &reports[0].result else {
        panic!("not a job: {:?}", reports[0].result);
    };
    assert_eq!(label, ".check");
    let st = exec.jobs().wait(*id, Duration::from_secs(120)).unwrap();
    assert_eq!((st.kind, st.unit), ("check", "keys"));
    assert_eq!(st.phase, "verifying table checksums");
    let Some(Outcome::Report { json, .. }) = &st.result else {
        panic!("no report: {:?}", st.result);
    };
    assert_eq!(json["ok"], true, "{json}");
    assert_eq!(json["rocksdb_keys"], ROWS);
    let listed = jobs_table(&exec.jobs().list());
    assert!(format!("{listed:?}").contains(".check"), "{listed:?}");
}

/// Every file of `dir` but RocksDB's info LOG (the open database's own, written at any
/// time): name -> (size, hash of the content). `LOCK` is not read: closing a descriptor
/// of it would drop this process's lock on it.
fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, (u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("LOG") || e.path().is_dir() {
            continue;
        }
        let mut h = std::hash::DefaultHasher::new();
        if name != "LOCK" {
            std::fs::read(e.path()).unwrap().hash(&mut h);
        }
        out.insert(name, (e.metadata().unwrap().len(), h.finish()));
    }
    out
}

/// Issue 27: `.check` on the open database only reads: no flush, compaction or rewrite
/// (the rows still only in the write-ahead log stay there).
#[test]
fn dot_check_changes_no_file_of_the_open_database() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    drop(loaded(dir.path()));
    let mut exec = Executor::open(dir.path(), DbOptions::default()).expect("open");
    for k in 0..100 {
        exec.db().put(-1 - k, b"in the log only").unwrap();
    }
    let before = files(dir.path());
    let mut reports = Vec::new();
    exec.run_text(".check", &mut |_, r| reports.push(r));
    let Ok(Outcome::JobStarted { id, .. }) = &reports[0].result else {
        panic!("not a job: {:?}", reports[0].result);
    };
    let st = exec.jobs().wait(*id, Duration::from_secs(120)).unwrap();
    let Some(Outcome::Report { json, .. }) = &st.result else {
        panic!("no report: {:?}", st.result);
    };
    assert_eq!(json["ok"], true, "{json}");
    assert_eq!(json["rocksdb_keys"], ROWS + 100, "{json}");
    assert_eq!(json["findings"], serde_json::json!([]), "{json}");
    assert_eq!(files(dir.path()), before, ".check changed a file");
}
