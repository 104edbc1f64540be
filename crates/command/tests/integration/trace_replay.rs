//! Issue 32: `.trace` records what reaches the database, `.replay` runs it again (on a
//! copy when it writes) and `--save` makes its figures a baseline `.compare` reads.
use std::path::Path;

use crate::support::{fingerprint, run_all, run_waited};
use command::{Executor, Outcome};
use engine::DbOptions;
use engine::trace::{HEADER_BYTES, RECORD_BYTES, read_trace, value_bytes};

/// Runs one command (waiting for its job) and returns its report's text and JSON.
fn report(exec: &mut Executor, line: &str) -> (String, serde_json::Value) {
    match run_waited(exec, line).result {
        Ok(Outcome::Report { text, json }) => (text, json),
        other => panic!("{line}: {other:?}"),
    }
}

fn message(exec: &mut Executor, line: &str) -> String {
    match run_waited(exec, line).result {
        Ok(Outcome::Message(m)) => m,
        other => panic!("{line}: {other:?}"),
    }
}

/// The error of a line that fails before any job starts (parse errors included).
fn error(exec: &mut Executor, line: &str) -> String {
    match run_all(exec, line).pop().expect("a report").result {
        Err(e) => e.to_string(),
        other => panic!("{line} should fail: {other:?}"),
    }
}

/// The error of a job that started and failed.
fn job_error(exec: &mut Executor, line: &str) -> String {
    match run_waited(exec, line).result {
        Err(e) => e.to_string(),
        other => panic!("{line} should fail: {other:?}"),
    }
}

/// One figure's row of a `.compare` JSON.
fn figure<'a>(cmp: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    cmp["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {cmp}"))
}

fn trace_path(dir: &Path) -> String {
    dir.join("work.trace").display().to_string()
}

#[test]
fn replays_agree_under_the_same_options_and_differ_under_a_smaller_block_cache() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    // Every get reaches RocksDB: the value cache is off and lends nothing.
    let opts = DbOptions {
        value_cache_size: 0,
        lend_value_cache: false,
        ..DbOptions::default()
    };
    let mut exec = Executor::open(&dir.path().join("db"), opts).unwrap();
    let r = run_waited(&mut exec, ".load random 20000");
    assert!(r.result.is_ok(), "{:?}", r.result);
    let trace = trace_path(dir.path());
    message(&mut exec, &format!(".trace start {trace}"));
    assert!(message(&mut exec, ".trace").contains("recording"));
    let r = run_waited(&mut exec, ".ycsb c --ops 10000 --threads 2");
    assert!(r.result.is_ok(), "{:?}", r.result);
    let stopped = message(&mut exec, ".trace stop");
    let records = read_trace(&trace).unwrap().1;
    // The timed operations and the warm-up's.
    assert!(records.len() >= 10_000, "{stopped}");
    assert!(
        stopped.contains(&format!("{} records", records.len())),
        "{stopped}"
    );
    // Reads only (the report's memory estimate reads one row by a scan).
    assert!(!records.iter().any(|r| r.op.writes()));

    // The first replay warms the block cache; the next two run on the same warm cache.
    let (text, json) = report(&mut exec, &format!(".replay {trace}"));
    assert_eq!(json["ran_on"], "live", "{text}");
    assert_eq!(json["ops"], records.len(), "{text}");
    assert!(text.contains("get p50"), "{text}");
    for name in ["r1", "r2"] {
        let (text, json) = report(&mut exec, &format!(".replay {trace} --save {name}"));
        assert_eq!(json["saved"], name, "{text}");
        // The dashboard's reference lines see a baseline the job saved.
        assert!(exec.references().iter().any(|r| r.name == name));
    }
    let (text, cmp) = report(&mut exec, ".compare r1 r2");
    let block = figure(&cmp, "block cache hit rate");
    assert_eq!(block["within_noise"], true, "{text}");
    assert!(
        cmp["options_differ"].as_array().unwrap().is_empty(),
        "{text}"
    );

    // A block cache of 64 KiB holds a few of the data's blocks: most gets miss it.
    let r = run_waited(&mut exec, ".set block_cache_size 65536");
    assert!(r.result.is_ok(), "{:?}", r.result);
    report(&mut exec, &format!(".replay {trace} --save r3"));
    let (text, cmp) = report(&mut exec, ".compare r1 r3");
    let block = figure(&cmp, "block cache hit rate");
    assert_eq!(block["within_noise"], false, "{text}");
    assert!(
        block["b"].as_f64().unwrap() + 20.0 < block["a"].as_f64().unwrap(),
        "{text}"
    );
    let differ = cmp["options_differ"].as_array().unwrap();
    assert!(
        differ.iter().any(|o| o["name"] == "block_cache_size"),
        "{text}"
    );
}

#[test]
fn trace_with_writes_replays_on_a_copy_unless_on_my_data() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let (mut exec, _) = crate::support::user_rows(dir.path(), |i| i * 10, "user");
    let trace = trace_path(dir.path());
    message(&mut exec, &format!(".trace start {trace}"));
    let db = exec.db().clone();
    for k in 0..50i64 {
        db.put(k * 10, format!("changed {k}").as_bytes()).unwrap();
        db.get(k * 10 + 5).unwrap();
    }
    db.delete(600).unwrap();
    db.delete_range(700, 800).unwrap();
    db.scan(0, 1000, 10).unwrap();
    message(&mut exec, ".trace stop");
    let before = fingerprint(&db);

    let (text, json) = report(&mut exec, &format!(".replay {trace}"));
    assert_eq!(json["ran_on"], "copy", "{text}");
    assert!(text.contains("copy"), "{text}");
    assert_eq!(json["counts"]["put"], 50, "{text}");
    assert_eq!(json["counts"]["delete_range"], 1, "{text}");
    assert_eq!(fingerprint(&db), before, "the live rows changed");
    let parent = dir.path();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".alexdb-replay")
        })
        .collect();
    assert!(leftovers.is_empty(), "the copy was not removed");

    let (text, json) = report(&mut exec, &format!(".replay {trace} --on-my-data"));
    assert_eq!(json["ran_on"], "live", "{text}");
    assert_ne!(fingerprint(&db), before, "--on-my-data did not write");
    let len = "changed 0".len();
    assert_eq!(&db.get(0).unwrap().unwrap()[..], &value_bytes(0, len)[..]);
}

#[test]
fn trace_commands_refuse_bad_input_with_one_line() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).unwrap();
    let trace = trace_path(dir.path());
    assert!(error(&mut exec, ".trace stop").contains("no trace"));
    assert!(message(&mut exec, ".trace").contains("no trace"));
    assert!(error(&mut exec, ".trace start").contains("needs a file"));
    std::fs::write(&trace, b"precious").unwrap();
    let e = error(&mut exec, &format!(".trace start {trace}"));
    assert!(e.contains("--force"), "{e}");
    assert_eq!(std::fs::read(&trace).unwrap(), b"precious");
    message(&mut exec, &format!(".trace start {trace} --force"));
    let other = dir.path().join("other.trace").display().to_string();
    let e = error(&mut exec, &format!(".trace start {other}"));
    assert!(e.contains("already"), "{e}");
    let e = error(&mut exec, &format!(".replay {trace}"));
    assert!(e.contains("still being recorded"), "{e}");
    exec.db().put(1, b"x").unwrap();
    message(&mut exec, ".trace stop");
    assert_eq!(e.lines().count(), 1, "{e}");

    let missing = dir.path().join("missing.trace").display().to_string();
    assert!(error(&mut exec, &format!(".replay {missing}")).contains("missing.trace"));
    let e = error(&mut exec, &format!(".replay {trace} --speed fast"));
    assert!(e.contains("--speed"), "{e}");
    let e = error(&mut exec, ".replay");
    assert!(e.contains("no trace file"), "{e}");
    let e = error(&mut exec, &format!(".replay {trace} --save now"));
    assert!(e.contains("now"), "{e}");

    // Another version: refused at once, naming both versions.
    let mut bytes = std::fs::read(&trace).unwrap();
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    let v2 = dir.path().join("v2.trace");
    std::fs::write(&v2, &bytes).unwrap();
    let e = error(&mut exec, &format!(".replay {}", v2.display()));
    assert!(e.contains("version 2") && e.contains("version 1"), "{e}");
}

#[test]
fn a_cut_short_trace_replays_its_complete_records_and_says_so() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).unwrap();
    let trace = trace_path(dir.path());
    message(&mut exec, &format!(".trace start {trace}"));
    for k in 0..10 {
        exec.db().get(k).unwrap();
    }
    message(&mut exec, ".trace stop");
    let bytes = std::fs::read(&trace).unwrap();
    std::fs::write(&trace, &bytes[..HEADER_BYTES + 4 * RECORD_BYTES + 7]).unwrap();
    let (text, json) = report(&mut exec, &format!(".replay {trace} --speed 1"));
    assert_eq!(json["ops"], 4, "{text}");
    assert!(
        text.contains("cut short after 4 complete records"),
        "{text}"
    );
    std::fs::write(&trace, &bytes[..HEADER_BYTES + 3]).unwrap();
    let e = job_error(&mut exec, &format!(".replay {trace}"));
    assert!(e.contains("no records"), "{e}");
}

#[test]
fn replay_keeps_the_recorded_gaps_at_speed_one_and_stops_on_cancel() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).unwrap();
    // Two gets, the second recorded an hour after the first.
    let trace = dir.path().join("slow.trace");
    let mut w = engine::trace::TraceWriter::create(&trace, 0).unwrap();
    for (offset_us, k) in [(5_000_000, 1), (3_605_000_000, 2)] {
        w.push(&engine::trace::TraceRecord {
            offset_us,
            op: engine::trace::TraceOp::Get(k),
        })
        .unwrap();
    }
    w.finish().unwrap();
    let line = format!(".replay {} --speed 1 &", trace.display());
    let Ok(Outcome::JobStarted { id, .. }) = run_all(&mut exec, &line).pop().unwrap().result else {
        panic!("{line}: no job");
    };
    // It waits for the second get's time: the first has run, the second has not.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while exec.jobs().status(id).unwrap().phase != "replaying"
        || exec.db().metrics_snapshot().ops.get < 1
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the replay never began"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    exec.jobs().cancel(Some(id));
    let st = exec
        .jobs()
        .wait(id, std::time::Duration::from_secs(30))
        .unwrap();
    let Ok(Outcome::Report { text, json }) = command::exec::job_result(st) else {
        panic!("no report");
    };
    assert_eq!(json["cancelled"], true, "{text}");
    assert_eq!(json["ops"], 1, "{text}");
    assert!(text.starts_with("cancelled"), "{text}");
}
