//! The executor against a `BTreeMap` model: random command scripts (as text, so the
//! parser is exercised too) must give the model's answers, and the data must survive a
//! reopen. Plus `.read` nesting, `.stats` restoring the sample rate, and failed
//! statements changing nothing.
use crate::support::{self, run_all, small_value_cache};
use std::collections::BTreeMap;
use std::path::Path;

use command::{Cell, Executor, Outcome, Report};
use engine::DbOptions;
use proptest::prelude::*;

/// A tiny value cache, so evictions and refills happen during the run.
fn opts() -> DbOptions {
    small_value_cache(4)
}

fn rows(r: &Report) -> Vec<(i64, Option<String>)> {
    match &r.result {
        Ok(Outcome::Rows(t)) => t
            .rows
            .iter()
            .map(|row| {
                let k = match row[0] {
                    Cell::Int(k) => k,
                    ref c => panic!("{}: key cell {c:?}", r.input),
                };
                let v = match row.get(1) {
                    Some(Cell::Bytes(b)) => Some(String::from_utf8(b.to_vec()).expect("utf8")),
                    Some(Cell::Null) | None => None,
                    Some(c) => panic!("{}: value cell {c:?}", r.input),
                };
                (k, v)
            })
            .collect(),
        other => panic!("{}: expected rows, got {other:?}", r.input),
    }
}

fn int(r: &Report) -> i64 {
    match &r.result {
        Ok(Outcome::Rows(t)) => match t.rows.last().and_then(|row| row.last()) {
            Some(Cell::Int(n)) => *n,
            other => panic!("{}: {other:?}", r.input),
        },
        other => panic!("{}: {other:?}", r.input),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Put(i64, String),
    Del(i64),
    Get(i64),
    MGet(Vec<i64>),
    Scan(i64, i64, Option<u64>),
    Count(Option<(i64, i64)>),
    Exists(i64),
    Insert(bool, Vec<(i64, String)>),
    DeleteBetween(i64, i64),
    SelectHalfOpen(i64, i64),
}

fn key() -> impl Strategy<Value = i64> {
    prop_oneof![-30i64..30, Just(i64::MIN), Just(i64::MAX)]
}

fn value() -> impl Strategy<Value = String> {
    "[a-z ,;]{0,12}"
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (key(), value()).prop_map(|(k, v)| Op::Put(k, v)),
        2 => key().prop_map(Op::Del),
        3 => key().prop_map(Op::Get),
        1 => prop::collection::vec(key(), 1..5).prop_map(Op::MGet),
        2 => (key(), key(), prop::option::of(0u64..6)).prop_map(|(a, b, l)| Op::Scan(a, b, l)),
        1 => prop::option::of((key(), key())).prop_map(Op::Count),
        1 => key().prop_map(Op::Exists),
        2 => (any::<bool>(), prop::collection::vec((key(), value()), 1..4))
            .prop_map(|(r, rows)| Op::Insert(r, rows)),
        1 => (key(), key()).prop_map(|(a, b)| Op::DeleteBetween(a, b)),
        1 => (key(), key()).prop_map(|(a, b)| Op::SelectHalfOpen(a, b)),
    ]
}

fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

fn check(exec: &mut Executor, model: &mut BTreeMap<i64, String>, op: &Op) {
    match op {
        Op::Put(k, v) => {
            let r = run_all(exec, &format!("put {k} {}", quote(v)));
            let new = !model.contains_key(k);
            assert!(
                matches!(r[0].result, Ok(Outcome::Changed { rows: 1, new: n, .. }) if n == new as u64),
                "{:?}",
                r[0]
            );
            model.insert(*k, v.clone());
        }
        Op::Del(k) => {
            let r = run_all(exec, &format!("del {k}"));
            let existed = model.remove(k).is_some() as u64;
            assert!(
                matches!(r[0].result, Ok(Outcome::Changed { rows, .. }) if rows == existed),
                "{:?}",
                r[0]
            );
        }
        Op::Get(k) => {
            let r = run_all(exec, &format!("get {k}"));
            assert_eq!(rows(&r[0]), vec![(*k, model.get(k).cloned())]);
        }
        Op::MGet(keys) => {
            let text = keys
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(" ");
            let r = run_all(exec, &format!("mget {text}"));
            let want: Vec<_> = keys.iter().map(|k| (*k, model.get(k).cloned())).collect();
            assert_eq!(rows(&r[0]), want);
        }
        Op::Scan(a, b, limit) => {
            let lim = limit.map(|l| format!(" limit {l}")).unwrap_or_default();
            let r = run_all(exec, &format!("scan {a} {b}{lim}"));
            let want: Vec<_> = if a <= b {
                model
                    .range(*a..=*b)
                    .take(limit.map_or(usize::MAX, |l| l as usize))
                    .map(|(k, v)| (*k, Some(v.clone())))
                    .collect()
            } else {
                Vec::new()
            };
            assert_eq!(rows(&r[0]), want, "{}", r[0].input);
        }
        Op::Count(range) => {
            let (text, want) = match range {
                None => ("count".to_string(), model.len()),
                Some((a, b)) => (
                    format!("count {a} {b}"),
                    if a <= b {
                        model.range(*a..=*b).count()
                    } else {
                        0
                    },
                ),
            };
            assert_eq!(int(&run_all(exec, &text)[0]), want as i64, "{text}");
        }
        Op::Exists(k) => {
            let r = run_all(exec, &format!("exists {k}"));
            assert_eq!(int(&r[0]), model.contains_key(k) as i64);
        }
        Op::Insert(replace, rows_in) => {
            let values = rows_in
                .iter()
                .map(|(k, v)| format!("({k}, {})", quote(v)))
                .collect::<Vec<_>>()
                .join(", ");
            let verb = if *replace {
                "INSERT OR REPLACE"
            } else {
                "insert"
            };
            let r = run_all(exec, &format!("{verb} INTO kv VALUES {values};"));
            let mut seen = std::collections::HashSet::new();
            let conflict = !replace
                && rows_in
                    .iter()
                    .any(|(k, _)| model.contains_key(k) || !seen.insert(*k));
            if conflict {
                assert!(r[0].result.is_err(), "{:?}", r[0]);
            } else {
                assert!(r[0].result.is_ok(), "{:?}", r[0]);
                for (k, v) in rows_in {
                    model.insert(*k, v.clone());
                }
            }
        }
        Op::DeleteBetween(a, b) => {
            let r = run_all(
                exec,
                &format!("DELETE FROM kv WHERE key BETWEEN {a} AND {b};"),
            );
            let gone: Vec<i64> = if a <= b {
                model.range(*a..=*b).map(|(k, _)| *k).collect()
            } else {
                Vec::new()
            };
            for k in &gone {
                model.remove(k);
            }
            assert!(
                matches!(r[0].result, Ok(Outcome::Changed { rows, .. }) if rows == gone.len() as u64),
                "{:?}",
                r[0]
            );
        }
        Op::SelectHalfOpen(a, b) => {
            let r = run_all(
                exec,
                &format!("SELECT * FROM kv WHERE key >= {a} AND key < {b};"),
            );
            let want: Vec<_> = if a < b {
                model
                    .range(*a..*b)
                    .map(|(k, v)| (*k, Some(v.clone())))
                    .collect()
            } else {
                Vec::new()
            };
            assert_eq!(rows(&r[0]), want, "{}", r[0].input);
        }
    }
}

fn everything(exec: &mut Executor) -> Vec<(i64, Option<String>)> {
    rows(&run_all(exec, "SELECT * FROM kv;")[0])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn executor_matches_a_btreemap(ops in prop::collection::vec(op(), 1..60)) {
        let _quiet = crate::support::QUIET.read();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db");
        let mut model = BTreeMap::new();
        {
            let mut exec = Executor::open(&path, opts()).expect("open");
            for op in &ops {
                check(&mut exec, &mut model, op);
            }
            let want: Vec<_> = model.iter().map(|(k, v)| (*k, Some(v.clone()))).collect();
            prop_assert_eq!(everything(&mut exec), want);
        }
        // Reopen: RocksDB kept every row and ALEX was rebuilt from it.
        let mut exec = Executor::open(&path, opts()).expect("reopen");
        let want: Vec<_> = model.iter().map(|(k, v)| (*k, Some(v.clone()))).collect();
        prop_assert_eq!(everything(&mut exec), want);
        prop_assert_eq!(int(&run_all(&mut exec, "count")[0]), model.len() as i64);
    }
}

fn temp_exec(dir: &Path) -> Executor {
    Executor::open(&dir.join("db"), opts()).expect("open")
}

#[test]
fn a_file_that_reads_itself_stops_with_an_error() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("loop.alexsh");
    std::fs::write(&script, format!("put 1 a\n.read {}\n", script.display())).expect("write");
    let mut exec = temp_exec(dir.path());
    let reports = run_all(&mut exec, &format!(".read {}", script.display()));
    let errors: Vec<String> = reports
        .iter()
        .filter_map(|r| r.result.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("nest deeper"), "{errors:?}");
    assert_eq!(reports.len(), 17, "16 nested puts and the error");
}

/// `.stats on` times every get through a session override in the recorder: the
/// database's stored `metrics_sample_rate` (what `.show options` lists) is untouched.
#[test]
fn stats_times_every_get_and_leaves_the_stored_sample_rate() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = temp_exec(dir.path());
    let before = exec.db().metrics().sample_rate();
    assert!(before > 1);
    run_all(&mut exec, "put 1 a; .stats on");
    assert_eq!(exec.db().metrics().sample_rate(), before);
    assert_eq!(exec.db().metrics().rate_override(), Some(1));
    assert_eq!(exec.db().options().metrics_sample_rate, before);
    let shown = match &run_all(&mut exec, ".show options")[0].result {
        Ok(Outcome::Rows(t)) => t
            .rows
            .iter()
            .find(|r| r[0] == Cell::Text("metrics_sample_rate".into()))
            .map(|r| (r[1].clone(), r[4].clone())),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        shown,
        Some((Cell::Text(before.to_string()), Cell::Text(String::new()))),
        "the stored rate, unchanged from its default"
    );
    for _ in 0..5 {
        let r = run_all(&mut exec, "get 1");
        let s = r[0].stats.expect("stats with .stats on");
        assert_eq!(s.timed_gets, 1);
        assert_eq!(s.cache_hits + s.cache_misses, 1);
    }
    // A rate set meanwhile is stored as set, and .stats still times everything.
    run_all(&mut exec, ".set metrics_sample_rate 8");
    assert_eq!(exec.db().options().metrics_sample_rate, 8);
    assert_eq!(
        run_all(&mut exec, "get 1")[0].stats.map(|s| s.timed_gets),
        Some(1)
    );
    run_all(&mut exec, ".stats off");
    assert_eq!(exec.db().metrics().rate_override(), None);
    assert_eq!(exec.db().metrics().sample_rate(), 8);
    assert!(run_all(&mut exec, "get 1")[0].stats.is_none());
}

/// With latency timing off, `.stats on` still times every get (and off leaves it off).
#[test]
fn stats_times_gets_even_with_metrics_off() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = DbOptions {
        metrics: false,
        ..DbOptions::default()
    };
    let mut exec = Executor::open(&dir.path().join("db"), opts).expect("open");
    run_all(&mut exec, "put 1 a; .stats on");
    let s = run_all(&mut exec, "get 1")[0].stats.expect("stats");
    assert_eq!(s.timed_gets, 1);
    run_all(&mut exec, ".stats off");
    assert!(!exec.db().options().metrics);
    assert!(!exec.db().metrics().timing_enabled());
}

#[test]
fn failed_statements_change_nothing() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = temp_exec(dir.path());
    run_all(&mut exec, "put 1 one; put 2 two");
    let before = everything(&mut exec);
    for bad in [
        "INSERT INTO kv VALUES (3, 'c'), (1, 'dup');",
        "INSERT INTO kv VALUES (4, 'd'), (4, 'again');",
        "put 5",
        "del",
        "DELETE FROM kv;",
        "UPDATE kv SET value = 'x' WHERE key = 1;",
        "put 9 x'abc'",
    ] {
        let r = run_all(&mut exec, bad);
        assert!(r[0].result.is_err(), "{bad} should fail");
        assert_eq!(everything(&mut exec), before, "{bad} changed data");
    }
}

#[test]
fn binary_values_round_trip_and_print_as_hex() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = temp_exec(dir.path());
    let r = run_all(&mut exec, "put 1 x'00ff10'; get 1");
    match &r[1].result {
        Ok(Outcome::Rows(t)) => assert_eq!(t.rows[0][1], Cell::Bytes(vec![0, 0xff, 0x10].into())),
        other => panic!("{other:?}"),
    }
    let text = command::render::format_value(&[0, 0xff, 0x10]);
    assert_eq!(text, "x'00ff10'");
    assert_eq!(command::render::format_value("héllo".as_bytes()), "héllo");
}

/// One `render_report` for every front end: the body in the session's mode, the
/// `.timer` line, setting confirmations only when asked, and with `.output FILE` the
/// results in the file while notices stay on screen.
#[test]
fn render_report_shows_mode_timer_and_output_file() {
    let _quiet = crate::support::QUIET.read();
    use command::render::{Shown, render_report};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = temp_exec(dir.path());
    let file = dir.path().join("out.csv");
    let mut shown = Vec::new();
    let text = format!(
        "put 1 a; .mode csv; .timer on; get 1; .output {}; get 1; .output stdout",
        file.display()
    );
    exec.run_text(&text, &mut |s, r| shown.push(render_report(s, &r, true)));
    let text_of = |i: usize| match &shown[i] {
        Shown::Text { body, notes } => (body.clone(), notes.clone()),
        Shown::ToFile => panic!("{i} went to the file"),
        Shown::FileFailed(e) => panic!("{i} failed: {e}"),
    };
    assert_eq!(text_of(0).0, "OK (new key)\n");
    assert_eq!(text_of(1).0, "mode csv\n");
    let (body, notes) = text_of(3);
    assert_eq!(body, "key,value\n1,a\n");
    assert!(notes.starts_with("Run Time: "), "{notes}");
    assert!(
        text_of(4).0.starts_with("output to "),
        "a notice stays on screen"
    );
    assert_eq!(shown[5], Shown::ToFile);
    let written = std::fs::read_to_string(&file).expect("written");
    assert!(
        written.starts_with("key,value\n1,a\nRun Time: "),
        "{written}"
    );
    assert_eq!(text_of(6).0, "output to stdout\n");
    // The line shell in a script: setting changes are silent.
    let mut quiet = Vec::new();
    exec.run_text(".mode table", &mut |s, r| {
        quiet.push(render_report(s, &r, false))
    });
    assert_eq!(
        quiet,
        vec![Shown::Text {
            body: String::new(),
            notes: String::new()
        }]
    );
}

// ----- issue 27: `.ycsb` never writes into the user's rows unless asked -----------------

/// An executor on 1,200 user rows and the model of them.
fn user_rows(dir: &Path) -> (Executor, BTreeMap<i64, Vec<u8>>) {
    support::user_rows(dir, |i| 3_000_000 - i * 104_729, "mine")
}

/// Runs a job command to its end: its text and JSON, or its failure.
fn job(exec: &mut Executor, text: &str) -> Result<(String, serde_json::Value), String> {
    let cmd = command::parse_command(text).expect("parses");
    let id = match exec.execute(&cmd) {
        Ok(Outcome::JobStarted { id, .. }) => id,
        Err(e) => return Err(e.to_string()),
        other => panic!("{text}: {other:?}"),
    };
    let st = exec
        .jobs()
        .wait(id, std::time::Duration::from_secs(60))
        .expect("job");
    match st.result {
        Some(Outcome::Report { text, json }) => Ok((text, json)),
        other => Err(format!("{:?} {other:?}", st.state)),
    }
}

fn user_rows_changed(exec: &Executor, model: &BTreeMap<i64, Vec<u8>>) -> (usize, usize) {
    let rows = exec
        .db()
        .scan(i64::MIN, i64::MAX, usize::MAX)
        .expect("scan");
    assert_eq!(exec.db().count(), rows.len() as u64);
    let changed = rows
        .iter()
        .filter(|(k, v)| model.get(k).map(Vec::as_slice) != Some(&v[..]))
        .count();
    (rows.len(), changed)
}

#[test]
fn ycsb_write_workloads_run_on_their_own_keys_and_remove_them() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(dir.path());
    for (w, flags) in [
        ("a", "--ops 3000"),
        ("d", "--ops 3000 --distribution latest"),
        ("b", "--ops 2000 --threads 2"),
        ("f", "--duration 200ms"),
    ] {
        let text = format!(".ycsb {w} --records 2000 {flags}");
        let (out, json) = job(&mut exec, &text).expect("runs");
        assert_eq!(user_rows_changed(&exec, &model), (1200, 0), "{text}");
        assert_eq!(json["records"], 2000, "{text}: its own records");
        let own = &json["own_keys"];
        let (first, last) = (own["first"].as_i64(), own["last"].as_i64());
        let (first, last) = (first.expect("first"), last.expect("last"));
        assert!(!model.keys().any(|k| (first..=last).contains(k)), "{own}");
        let written = own["written"].as_u64().expect("written");
        assert!(written >= 2000, "{own}");
        assert_eq!(own["removed"], written, "{own}");
        assert_eq!(
            exec.db().count_range(first, last),
            0,
            "{text}: its keys are gone"
        );
        assert!(
            out.contains(&format!(
                "wrote {} keys in {first}..={last}",
                thousands(written)
            )) && out.contains("removed them"),
            "{out}"
        );
        // Its reads found its own records.
        assert!(json["results"][0]["found"].as_u64() > Some(0), "{json}");
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn ycsb_on_my_data_writes_into_the_users_rows_and_c_reads_them() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(dir.path());
    let (_, json) = job(&mut exec, ".ycsb c --ops 2000").expect("c runs");
    assert!(json.get("own_keys").is_none(), "{json}");
    assert_eq!(json["records"], 1200, "c reads the user's rows");
    assert_eq!(user_rows_changed(&exec, &model), (1200, 0));

    let (_, json) = job(&mut exec, ".ycsb a --ops 3000 --on-my-data").expect("a runs");
    assert!(json.get("own_keys").is_none(), "{json}");
    let (n, changed) = user_rows_changed(&exec, &model);
    assert_eq!(n, 1200);
    assert!(changed > 0, "--on-my-data updates the user's rows");

    let (_, _) = job(&mut exec, ".ycsb d --ops 3000 --on-my-data").expect("d runs");
    assert!(
        exec.db().count() > 1200,
        "--on-my-data inserts beside the user's rows"
    );
}

#[test]
fn ycsb_parses_and_completes_on_my_data() {
    let _quiet = crate::support::QUIET.read();
    use command::complete::complete;
    let (_, c) = complete(".ycsb a --on", 12);
    assert_eq!(c, ["--on-my-data"]);
    let (_, c) = complete(".sweep block_size 4KiB,8KiB --on-m", 32);
    assert_eq!(c, ["--on-my-data"]);
    let bad = command::parse_command(".ycsb a --on-my-data=yes").expect_err("no value");
    assert!(bad.to_string().contains("--on-my-data"), "{bad}");
}

#[test]
fn a_write_workload_on_a_fifo_database_is_refused_without_on_my_data() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(dir.path());
    exec.db()
        .set_option("compaction_style", "fifo")
        .expect("fifo");
    let e = job(&mut exec, ".ycsb a --ops 1000").expect_err("refused");
    assert!(
        e.contains("fifo") && e.contains("add --on-my-data to run it anyway"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    assert_eq!(user_rows_changed(&exec, &model), (1200, 0));
    // Reads only: allowed.
    job(&mut exec, ".ycsb c --ops 1000").expect("c runs");
    let (_, json) = job(&mut exec, ".ycsb b --ops 1000 --on-my-data").expect("allowed");
    assert!(json.get("own_keys").is_none(), "{json}");
}

// ----- issue 28: the value cache's warm-up is a background job -------------------------

/// A `.load` no longer warms inside itself: it starts a "warm value cache" job that
/// `.jobs` lists, which leaves the cache warm; with `warm_value_cache off` there is none.
#[test]
fn a_load_starts_a_warm_up_job_that_jobs_lists_and_leaves_the_cache_warm() {
    let _quiet = crate::support::QUIET.read();
    use command::jobs::JobState;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).expect("open");
    assert!(
        exec.jobs().list().is_empty(),
        "an empty database has nothing to warm"
    );
    let (text, json) = job(&mut exec, ".load sequential 20000").expect("load");
    let warm = json["warm_job"].as_u64().expect("a warm-up job");
    assert!(text.contains(&format!("job [{warm}]")), "{text}");
    let st = exec
        .jobs()
        .wait(warm, std::time::Duration::from_secs(60))
        .expect("job");
    assert_eq!(st.state, JobState::Done { cancelled: false });
    assert!(st.is_quiet());
    assert_eq!((st.done, st.total), (20_000, Some(20_000)));
    let listed = format!("{:?}", run_all(&mut exec, ".jobs")[0].result);
    assert!(listed.contains("warm value cache"), "{listed}");
    assert!(listed.contains("20000/20000 rows (100%)"), "{listed}");
    let before = exec.db().cache_counters();
    for k in (0..20_000).step_by(7) {
        exec.db().get(k).expect("get").expect("present");
    }
    let after = exec.db().cache_counters();
    assert_eq!(after.misses, before.misses, "every loaded row was cached");

    // Off: the load starts no job and leaves the cache as it was.
    run_all(&mut exec, ".set warm_value_cache off");
    let (text, json) = job(&mut exec, ".load sequential 1000 --start 100000").expect("load");
    assert!(json["warm_job"].is_null(), "{json}");
    assert!(!text.contains("warming"), "{text}");
    assert_eq!(exec.jobs().running(), 0);
}

/// An executor on a database that was given `n` rows and closed, so its open starts the
/// value cache's warm-up job.
fn reopened_with_rows(dir: &Path, n: i64) -> Executor {
    let path = dir.join("db");
    {
        let db = engine::Db::open_with(&path, DbOptions::default()).expect("open");
        db.load((0..n).map(|k| (k, format!("value {k}").into_bytes())))
            .expect("load");
    }
    Executor::open(&path, DbOptions::default()).expect("open")
}

/// At open a database with rows is warmed by a job; `.cancel` stops it, keeping what it
/// cached, and `.jobs` says it was cancelled.
#[test]
fn the_warm_up_at_open_is_listed_and_cancel_stops_it() {
    let _quiet = crate::support::QUIET.read();
    use command::jobs::JobState;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = reopened_with_rows(dir.path(), 400_000);
    let warm = exec.jobs().list();
    assert_eq!(warm.len(), 1, "{warm:?}");
    assert_eq!(warm[0].label, "warm value cache");
    let id = warm[0].id;
    let r = run_all(&mut exec, &format!(".cancel {id}"));
    assert!(
        matches!(&r[0].result, Ok(Outcome::Message(m)) if m.contains("cancelling")),
        "{:?}",
        r[0].result
    );
    let st = exec
        .jobs()
        .wait(id, std::time::Duration::from_secs(60))
        .expect("job");
    assert_eq!(st.state, JobState::Done { cancelled: true });
    assert!(st.done < 400_000, "{st:?}");
    let listed = format!("{:?}", run_all(&mut exec, ".jobs")[0].result);
    assert!(listed.contains("cancelled"), "{listed}");
    // Reads and writes go on as ever.
    run_all(&mut exec, "put 5 five");
    assert_eq!(
        exec.db().get(5).expect("get").as_deref(),
        Some(&b"five"[..])
    );
}

/// A measurement on the open database (`.bench`, `.ycsb`, `.sweep`) stops the warm-up
/// first: it does its own, and the two would share the CPU.
#[test]
fn a_measurement_stops_the_warm_up_first() {
    let _quiet = crate::support::QUIET.read();
    use command::jobs::JobState;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = reopened_with_rows(dir.path(), 400_000);
    assert_eq!(exec.jobs().running(), 1, "the warm-up at open");
    let (text, _) = job(&mut exec, ".bench profile --queries 1000").expect("bench");
    assert!(!text.is_empty());
    let warm = exec.jobs().status(1).expect("warm-up job");
    assert!(warm.is_quiet());
    assert_eq!(warm.state, JobState::Done { cancelled: true });
}

/// With `warm_value_cache off` an open starts no warm-up and the cache stays cold.
#[test]
fn off_starts_no_warm_up_at_open() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let off = DbOptions {
        warm_value_cache: engine::WarmValueCache::Off,
        ..DbOptions::default()
    };
    {
        let db = engine::Db::open_with(&path, off.clone()).expect("open");
        db.load((0..5_000i64).map(|k| (k, b"v".to_vec())))
            .expect("load");
    }
    let exec = Executor::open(&path, off).expect("open");
    assert!(exec.jobs().list().is_empty());
    assert_eq!(exec.db().cache_counters().entries, 0);
}

/// `--values random` on `.load` and `.ycsb` writes the incompressible values the benches
/// use, the same bytes for the same key and seed; `text` stays the default; a bad kind
/// is one error line and loads nothing.
#[test]
fn load_and_ycsb_take_values_text_or_random() {
    let _quiet = crate::support::QUIET.read();
    use workload::dataset::{ValueKind, make_value};
    let dir = tempfile::tempdir().expect("tempdir");
    let o = DbOptions {
        warm_value_cache: engine::WarmValueCache::Off,
        ..opts()
    };
    let mut exec = Executor::open(&dir.path().join("db"), o).expect("open");
    let (_, json) = job(&mut exec, ".load sequential 3000 --values random").expect("load");
    assert_eq!(json["values"], "random", "{json}");
    let (_, json) = job(&mut exec, ".load sequential 3000 --start 10000").expect("load");
    assert_eq!(json["values"], "text", "{json}");
    let get = |exec: &mut Executor, k: i64| exec.db().get(k).unwrap().unwrap().to_vec();
    let lz4 = |vals: &[Vec<u8>]| {
        let all: Vec<u8> = vals.concat();
        all.len() as f64 / lz4_flex::block::compress(&all).len() as f64
    };
    let random: Vec<Vec<u8>> = (0..3000).map(|k| get(&mut exec, k)).collect();
    let text: Vec<Vec<u8>> = (10_000..13_000).map(|k| get(&mut exec, k)).collect();
    assert_eq!(random[7], make_value(ValueKind::Random, 7, 100, 42));
    assert_eq!(text[7], make_value(ValueKind::Text, 10_007, 100, 42));
    assert!(
        lz4(&random) < 1.05,
        "random values compress {:.2}:1",
        lz4(&random)
    );
    assert!(lz4(&text) > 1.6, "text values compress {:.2}:1", lz4(&text));

    let before = exec.db().len();
    let r = run_all(&mut exec, ".load sequential 10 --start 50000 --values zip");
    let err = format!("{:?}", r[0].result);
    assert!(err.contains("expected text or random"), "{err}");
    assert_eq!(exec.db().len(), before);

    // A YCSB run on an empty database loads its records with the values asked for.
    let dir2 = tempfile::tempdir().expect("tempdir");
    let mut exec = Executor::open(&dir2.path().join("db"), opts()).expect("open");
    job(
        &mut exec,
        ".ycsb c --records 2000 --ops 1000 --values random",
    )
    .expect("ycsb");
    let k = exec.db().min_key().expect("records");
    assert_eq!(get(&mut exec, k), make_value(ValueKind::Random, k, 100, 42));
}

#[test]
fn a_refused_set_echoes_the_value_as_typed_and_the_limit() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = temp_exec(dir.path());
    for (text, want) in [
        (
            ".set value_cache_size 100TiB",
            "value_cache_size = 100TiB: must be between 0 (off) and 1TiB",
        ),
        (
            ".set block_size 512",
            "block_size = 512: must be between 1KiB and 64MiB",
        ),
    ] {
        let r = run_all(&mut exec, text);
        let e = r[0].result.as_ref().expect_err(text).to_string();
        assert!(e.contains(want), "{text}: {e}");
        assert!(!e.contains("109951162777600"), "{text}: {e}");
    }
}
