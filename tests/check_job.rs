//! `.check` is a job with progress (issue 15 item 4): the engine reports each phase and
//! its key count, a caller can stop it part-way (the write gate is released), and the
//! executor runs it as a `check` job whose status counts keys against ALEX's total.
use std::time::Duration;

use alexdb::command::exec::jobs_table;
use alexdb::command::{Executor, Outcome};
use alexdb::engine::{CheckPhase, Db, DbOptions};

const ROWS: i64 = 200_000;

fn loaded(dir: &std::path::Path) -> Db {
    let db = Db::open_with(dir, DbOptions::default()).unwrap();
    db.load((0..ROWS).map(|k| (k * 3, format!("v{k}").into_bytes())))
        .unwrap();
    db
}

#[test]
fn check_reports_each_phase_with_its_key_count() {
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
