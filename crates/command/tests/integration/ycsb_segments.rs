//! Issue 12, bug 5: a `.ycsb` job during which an option changes reports its figures
//! split at the change, each part with the options it ran under.
use crate::support::run_all;
use std::time::Duration;

use command::jobs::JobId;
use command::{Executor, Outcome};
use engine::DbOptions;

/// Runs `text` (one job-starting command) and waits for the job's outcome.
fn job(exec: &mut Executor, text: &str, during: impl FnOnce(&Executor, JobId)) -> Outcome {
    let r = run_all(exec, text).pop().expect("a report");
    let Ok(Outcome::JobStarted { id, .. }) = r.result else {
        panic!("{text}: no job started: {:?}", r.result);
    };
    during(exec, id);
    let st = exec.jobs().wait(id, Duration::from_secs(120)).expect("job");
    command::exec::job_result(st).expect("job result")
}

#[test]
fn ycsb_report_splits_at_an_option_change() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        value_cache_entries: 10_000,
        ..DbOptions::default()
    };
    let mut exec = Executor::open(&dir.path().join("db"), opts).unwrap();
    job(&mut exec, ".load random 20000", |_, _| {});
    let db = exec.db().clone();
    let out = job(&mut exec, ".ycsb c --duration 3s", |exec, id| {
        // The change comes from another session (as from the dashboard's input line),
        // a second into the timed phase (the warm-up comes first).
        while !exec
            .jobs()
            .status(id)
            .is_some_and(|s| s.phase.starts_with("ycsb-c"))
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_secs(1));
        let mut other = Executor::with_db(db.clone(), DbOptions::default());
        let r = run_all(&mut other, ".set value_cache_entries 500");
        assert!(r[0].result.is_ok(), "{:?}", r[0].result);
    });
    let Outcome::Report { text, json } = out else {
        panic!("not a report: {out:?}");
    };
    let res = &json["results"][0];
    let segs = res["segments"].as_array().expect("segments");
    assert_eq!(segs.len(), 2, "{text}");
    assert!(text.contains("split"), "{text}");
    assert_ne!(segs[0]["settings"], segs[1]["settings"]);
    assert!(
        segs[0]["settings"]
            .as_str()
            .unwrap()
            .contains("10000 entries")
    );
    assert!(
        segs[1]["settings"]
            .as_str()
            .unwrap()
            .contains("500 entries")
    );
    let changed = segs[1]["changed"][0].as_str().unwrap();
    assert!(
        changed.contains("value_cache_entries 10000 -> 500"),
        "{changed}"
    );
    let ops: u64 = segs.iter().map(|s| s["ops"].as_u64().unwrap()).sum();
    assert_eq!(ops, res["ops"].as_u64().unwrap());
    for s in segs {
        assert!(s["ops"].as_u64().unwrap() > 0, "{s}");
        assert!(s["secs"].as_f64().unwrap() > 0.3, "{s}");
        assert!(s["read_p99_ns"].as_u64().unwrap() > 0, "{s}");
        assert!(s["value_cache_hit_rate"].as_f64().is_some(), "{s}");
    }
}

#[test]
fn ycsb_without_changes_has_one_segment() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).unwrap();
    job(&mut exec, ".load random 5000", |_, _| {});
    let Outcome::Report { text, json } = job(&mut exec, ".ycsb c --ops 5000", |_, _| {}) else {
        panic!("not a report");
    };
    let segs = json["results"][0]["segments"].as_array().expect("segments");
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0]["ops"], json["results"][0]["ops"]);
    assert!(segs[0]["changed"].as_array().unwrap().is_empty());
    assert!(!text.contains("split"), "{text}");
}
