//! `.sweep` (issue 14): parsing (every value checked first), one-option sweeps over a
//! live and a reopen option, the two-option grid, the table and JSON fields, and the
//! options back at their original values after the sweep, a cancel and a failing step,
//! with the data intact.
use std::time::Duration;

use crate::support::{self, fingerprint};
use command::jobs::{JobId, JobState, JobStatus};
use command::render::bar_chart;
use command::{Command, Executor, JobsCmd, Outcome, parse_command};
use engine::DbOptions;
use serde_json::Value;
use workload::ycsb::Workload;

const ROWS: usize = 20_000;

/// An executor on a new database of `ROWS` random keys.
fn loaded(dir: &tempfile::TempDir) -> Executor {
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).expect("open");
    let st = start(&mut exec, &format!(".load random {ROWS}"));
    assert!(matches!(st.state, JobState::Done { .. }), "{:?}", st.state);
    exec
}

/// Runs `text`; a job is waited for (up to a minute).
fn start(exec: &mut Executor, text: &str) -> JobStatus {
    let cmd = parse_command(text).expect("parses");
    match exec.execute(&cmd) {
        Ok(Outcome::JobStarted { id, .. }) => exec
            .jobs()
            .wait(id, Duration::from_secs(60))
            .expect("job exists"),
        other => panic!("{text}: expected a job, got {other:?}"),
    }
}

/// Starts job command `text` and waits (at most 30 s) until its phase is one `reached`
/// accepts; returns the job's id.
fn start_until(
    exec: &mut Executor,
    text: &str,
    what: &str,
    reached: impl Fn(&str) -> bool,
) -> JobId {
    let cmd = parse_command(text).expect("parses");
    let Ok(Outcome::JobStarted { id, .. }) = exec.execute(&cmd) else {
        panic!("no job")
    };
    let t0 = std::time::Instant::now();
    while !exec.jobs().status(id).is_some_and(|s| reached(&s.phase)) {
        assert!(t0.elapsed() < Duration::from_secs(30), "never {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
    id
}

/// A finished sweep's text and JSON.
fn report(st: &JobStatus) -> (String, Value) {
    match &st.result {
        Some(Outcome::Report { text, json }) => (text.clone(), json.clone()),
        other => panic!("no report: {:?} {other:?}", st.state),
    }
}

fn option(exec: &Executor, name: &str) -> String {
    exec.db().options().get(name).expect("option exists")
}

fn option_events(exec: &Executor) -> usize {
    let s = exec.db().metrics_snapshot();
    s.events.iter().filter(|e| e.kind == "option").count()
}

#[test]
fn parse_table() {
    let _quiet = support::QUIET.read();
    let ok = parse_command(".sweep block_size 4KiB,16KiB").expect("parses");
    let Command::Jobs(JobsCmd::Sweep { args, background }) = ok else {
        panic!("{ok:?}")
    };
    assert!(!background);
    assert_eq!(args.axes.len(), 1);
    assert_eq!(args.axes[0].option, "block_size");
    assert_eq!(args.axes[0].values, ["4KiB", "16KiB"]);
    assert_eq!(args.workload, Workload::C, "workload c by default");
    assert_eq!(args.duration, Duration::from_secs(10));
    assert_eq!(
        args.warmup,
        Duration::from_secs(30),
        "a bound: warm-ups end when steady"
    );
    assert_eq!((args.repeat, args.no_rewrite), (2, false));
    assert_eq!(
        (args.threads, args.distribution, args.plot),
        (1, None, None)
    );

    let grid = ".sweep BLOCK_SIZE 4KiB,8KiB x value_cache_size 1MiB,2MiB,4MiB --workload b \
                --duration 300ms --threads 2 --warmup 0 --plot out.svg &";
    let Ok(Command::Jobs(JobsCmd::Sweep { args, background })) = parse_command(grid) else {
        panic!("grid does not parse")
    };
    assert!(background);
    assert_eq!(args.axes[0].option, "block_size", "canonical name");
    assert_eq!(args.axes[1].values.len(), 3);
    assert_eq!(args.workload, Workload::B);
    assert_eq!(args.duration, Duration::from_millis(300));
    assert_eq!((args.threads, args.warmup), (2, Duration::ZERO));
    assert_eq!(args.plot.as_deref(), Some("out.svg"));
    let Ok(Command::Jobs(JobsCmd::Sweep { args, .. })) =
        parse_command(".sweep block_size 4KiB,8KiB --repeat 3 --no-rewrite")
    else {
        panic!("--repeat and --no-rewrite do not parse")
    };
    assert_eq!((args.repeat, args.no_rewrite), (3, true));

    let many: Vec<String> = (1..=33).map(|i| format!("{}KiB", i * 4)).collect();
    let too_many = format!(".sweep block_size {}", many.join(","));
    let bad: &[(&str, &str)] = &[
        (".sweep", "needs an option and its values"),
        (".sweep block_size", "needs a list of values"),
        (".sweep blok_size 4KiB,8KiB", "did you mean \"block_size\""),
        (
            ".sweep block_size 4KiB,banana",
            "block_size value \"banana\"",
        ),
        (".sweep block_size 4KiB,0", "block_size value \"0\""),
        (".sweep block_size 4KiB,4096", "\"4096\": listed twice"),
        (".sweep block_size 4KiB,,8KiB", "empty value"),
        (".sweep block_size ,", "empty value"),
        (&too_many, "33 steps is too many; at most 32"),
        (
            ".sweep block_size 4KiB,8KiB x block_size 16KiB,32KiB",
            "given twice",
        ),
        (
            ".sweep value_cache_shards 4,8",
            "only when a database opens",
        ),
        (
            ".sweep block_size 4KiB,8KiB y bloom_bits 1,2",
            "got 5 words",
        ),
        (".sweep block_size 4KiB --workload z", "--workload"),
        (".sweep block_size 4KiB --duration soon", "not a duration"),
        (".sweep block_size 4KiB --threads 0", "--threads"),
        (".sweep block_size 4KiB --bogus 1", "--bogus"),
        (".sweep block_size 4KiB --repeat 0", "--repeat"),
        (".sweep block_size 4KiB --repeat many", "--repeat"),
    ];
    for (text, want) in bad {
        let e = parse_command(text).expect_err(text).to_string();
        assert!(e.contains(want), "{text}: {e}");
        assert!(e.starts_with(".sweep: "), "{text}: {e}");
        assert_eq!(e.lines().count(), 1, "{text}: {e}");
    }
}

#[test]
fn bar_chart_scales_to_the_largest_and_marks_the_best() {
    let _quiet = support::QUIET.read();
    let bars = [("4KiB".to_string(), 50.0), ("16KiB".to_string(), 100.0)];
    let text = bar_chart(&bars, Some(1), 10);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].matches('█').count(), 5, "{text}");
    assert_eq!(lines[1].matches('█').count(), 10, "{text}");
    assert!(
        lines[1].ends_with(" 100 *") && lines[0].ends_with(" 50"),
        "{text}"
    );
}

#[test]
fn empty_and_small_databases_are_refused_before_anything_runs() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = Executor::open(&dir.path().join("db"), DbOptions::default()).expect("open");
    let cmd = parse_command(".sweep block_size 4KiB,8KiB").expect("parses");
    let e = exec.execute(&cmd).expect_err("empty").to_string();
    assert!(e.contains("empty") && e.contains(".load"), "{e}");
    exec.db().put(1, b"one").expect("put");
    let e = exec.execute(&cmd).expect_err("one key").to_string();
    assert!(
        e.contains("at least 1000 keys") && e.contains("holds 1"),
        "{e}"
    );
    assert!(exec.jobs().list().is_empty(), "no job started");
}

#[test]
fn a_value_the_database_refuses_is_named_before_any_step() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(&dir);
    // The second value would give the caches far more than the machine's memory.
    // (This used `sync off,on` with the WAL off before sweeps refused durability.)
    let before = option_events(&exec);
    let cmd = parse_command(".sweep value_cache_size 1MiB,1TiB").expect("parses");
    let e = exec.execute(&cmd).expect_err("refused").to_string();
    assert!(
        e.contains("value_cache_size=1TiB cannot be applied") && e.contains("caches would take"),
        "{e}"
    );
    assert_eq!(option_events(&exec), before, "nothing was applied");
    // (The load's value-cache warm-up is the session's own job: not counted.)
    assert_eq!(
        exec.jobs().list().iter().filter(|j| !j.is_quiet()).count(),
        1,
        "no job besides the load started"
    );
}

#[test]
fn live_option_sweep_reports_each_value_and_restores_it() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(&dir);
    let data = fingerprint(exec.db());
    let before = option(&exec, "value_cache_size");
    let events = option_events(&exec);
    let st = start(
        &mut exec,
        ".sweep value_cache_size 256KiB,16MiB --duration 300ms --warmup 100ms",
    );
    assert_eq!(st.state, JobState::Done { cancelled: false });
    let (text, json) = report(&st);
    assert_eq!(json["option"], "value_cache_size");
    assert!(json.get("options").is_none(), "{json}");
    assert_eq!(json["restored"], true);
    assert_eq!(json["records"], ROWS as u64);
    assert_eq!(json["workload"], "c");
    let steps = json["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    for (s, v) in steps.iter().zip(["256KiB", "16MiB"]) {
        assert_eq!(s["values"]["value_cache_size"], v);
        assert!(s["ops_per_sec"].as_f64().expect("ops/s") > 0.0, "{s}");
        assert!(s["samples"].as_u64().expect("samples") > 0, "{s}");
        let (p50, p99) = (s["p50_ns"].as_u64(), s["p99_ns"].as_u64());
        assert!(p50.expect("p50") > 0 && p50 <= p99, "{s}");
        assert!(s["value_cache_hit_rate"].as_f64().is_some(), "{s}");
        assert!(s["memory_bytes"].as_u64().expect("memory") > 0, "{s}");
        assert!(s.get("block_cache_hit_rate").is_some(), "{s}");
    }
    // A 64x bigger cache holds more of the 20k values: the hit rate shows it.
    let hit = |i: usize| steps[i]["value_cache_hit_rate"].as_f64().unwrap_or(0.0);
    assert!(hit(1) > hit(0), "{} vs {}", hit(0), hit(1));
    for want in [
        "sweep of value_cache_size",
        "ops/s",
        "p99",
        "value hit",
        "block hit",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    assert!(text.contains('█') && text.contains(" *"), "{text}");
    assert!(
        text.contains(&format!("restored value_cache_size={before}")),
        "{text}"
    );
    assert_eq!(option(&exec, "value_cache_size"), before);
    // Runs 256KiB, 16MiB, 16MiB, 256KiB and the check run of 256KiB: three changes
    // (a run keeping the value it finds changes nothing), then the restore, each an
    // option event on the charts.
    assert_eq!(option_events(&exec), events + 4);
    assert_eq!(fingerprint(exec.db()), data, "the data is intact");
}

#[test]
fn reopen_option_sweep_restores_it() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(&dir);
    let data = fingerprint(exec.db());
    let before = option(&exec, "max_open_files");
    let st = start(
        &mut exec,
        ".sweep max_open_files 100,1000 --duration 300ms --warmup 0",
    );
    let (text, json) = report(&st);
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(2), "{json}");
    assert_eq!(json["steps"][1]["values"]["max_open_files"], "1000");
    assert_eq!(json["restored"], true);
    // max_open_files does not change a read of 20,000 cached rows: a winner, if one
    // is named, must be one of the two; most runs name none.
    assert!(
        json["best"].is_null() || json["best"].as_u64() < Some(2),
        "{json}"
    );
    assert!(json["verdict"]["top"].as_u64() < Some(2), "{json}");
    assert!(
        text.contains(&format!("restored max_open_files={before}")),
        "{text}"
    );
    assert_eq!(option(&exec, "max_open_files"), before);
    let reopens = exec.db().metrics_snapshot().events;
    assert!(
        reopens
            .iter()
            .filter(|e| e.label.contains("reopen"))
            .count()
            >= 3,
        "each value and the restore reopened: {reopens:?}"
    );
    assert_eq!(fingerprint(exec.db()), data);
}

#[test]
fn grid_sweep_prints_the_grid_and_the_long_table() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(&dir);
    let before = (
        option(&exec, "value_cache_size"),
        option(&exec, "block_size"),
    );
    let grid =
        ".sweep value_cache_size 1MiB,4MiB x block_size 4KiB,8KiB --duration 200ms --warmup 0";
    for (plot, want) in [
        ("chart.png", "must end in .svg"),
        ("/no/such/dir/c.svg", "does not exist"),
    ] {
        let cmd = parse_command(&format!("{grid} --plot {plot}")).expect("parses");
        let e = exec.execute(&cmd).expect_err("bad plot path").to_string();
        assert!(e.contains(want), "{e}");
    }
    assert_eq!(
        exec.jobs().list().iter().filter(|j| !j.is_quiet()).count(),
        1,
        "refused before any step"
    );
    let svg = dir.path().join("grid.svg");
    let st = start(&mut exec, &format!("{grid} --plot {}", svg.display()));
    let (text, json) = report(&st);
    assert_eq!(
        json["options"],
        serde_json::json!(["value_cache_size", "block_size"])
    );
    assert!(json.get("option").is_none(), "{json}");
    let steps = json["steps"].as_array().expect("steps");
    let pairs: Vec<(String, String)> = steps
        .iter()
        .map(|s| {
            let v = &s["values"];
            (
                v["value_cache_size"].to_string(),
                v["block_size"].to_string(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 4);
    assert_eq!(
        pairs[1],
        ("\"1MiB\"".into(), "\"8KiB\"".into()),
        "first option outer"
    );
    assert!(text.contains("value_cache_size \\ block_size"), "{text}");
    let grid_row = text
        .lines()
        .find(|l| l.starts_with("| 4MiB ") && l.matches('|').count() == 4)
        .unwrap_or_else(|| panic!("no grid row for 4MiB: {text}"));
    let ops3 = steps[3]["ops_per_sec"].as_f64().expect("ops").round() as i64;
    assert!(grid_row.contains(&ops3.to_string()), "{grid_row} / {ops3}");
    assert!(
        text.contains("1MiB x 8KiB"),
        "bar labels name both values: {text}"
    );
    let after = (
        option(&exec, "value_cache_size"),
        option(&exec, "block_size"),
    );
    assert_eq!(after, before);
    assert!(text.contains("wrote the chart to"), "{text}");
    assert_eq!(json["plot"], svg.display().to_string());
    let chart = std::fs::read_to_string(&svg).expect("the chart was written");
    let doc = roxmltree::Document::parse(&chart).expect("the chart is XML");
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    let has = |s: &str| texts.iter().any(|t| t.contains(s));
    for want in [
        "ycsb-c throughput by value_cache_size x block_size",
        "block_size=4KiB",
        "block_size=8KiB",
        "1MiB",
        "4MiB",
        "ops/s",
        "20000 records",
    ] {
        assert!(has(want), "{want} not in {texts:?}");
    }
}

#[test]
fn cancel_mid_sweep_restores_the_option_and_keeps_the_data() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(&dir);
    let data = fingerprint(exec.db());
    let before = option(&exec, "value_cache_size");
    // Wait for the second step, then cancel it.
    let id = start_until(
        &mut exec,
        ".sweep value_cache_size 1MiB,2MiB,4MiB,8MiB --duration 1s --warmup 0",
        "reached step 2",
        |p| p.starts_with("step 2/4") && p.contains("ycsb-c"),
    );
    assert_eq!(option(&exec, "value_cache_size"), "2MiB", "step 2 applied");
    assert_eq!(exec.jobs().cancel(Some(id)), Some(id));
    let st = exec.jobs().wait(id, Duration::from_secs(30)).expect("job");
    assert_eq!(st.state, JobState::Done { cancelled: true });
    let (text, json) = report(&st);
    assert_eq!(json["cancelled"], true);
    assert_eq!(json["planned_steps"], 4);
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(json["restored"], true);
    assert!(
        text.contains("cancelled after 1 of 8 runs (1 of 4 steps measured)"),
        "{text}"
    );
    assert_eq!(option(&exec, "value_cache_size"), before);
    assert_eq!(fingerprint(exec.db()), data);
}

#[test]
fn a_failing_step_stops_the_sweep_and_restores_every_option() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(&dir);
    let data = fingerprint(exec.db());
    let (cache, files) = (
        option(&exec, "value_cache_size"),
        option(&exec, "max_open_files"),
    );
    // Step 1 changes value_cache_size live, then its max_open_files reopen fails.
    exec.db().fail_next_reopen();
    let st = start(
        &mut exec,
        ".sweep value_cache_size 2MiB,4MiB x max_open_files 500 --duration 200ms --warmup 0",
    );
    let JobState::Failed(e) = &st.state else {
        panic!("{:?}", st.state)
    };
    assert!(
        e.contains("step 1/2 (value_cache_size=2MiB, max_open_files=500) failed"),
        "{e}"
    );
    let restored = format!("restored value_cache_size={cache}, max_open_files={files}");
    assert!(e.contains(&restored), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    assert_eq!(option(&exec, "value_cache_size"), cache);
    assert_eq!(option(&exec, "max_open_files"), files);
    assert_eq!(fingerprint(exec.db()), data);
}

#[test]
fn completion_offers_option_names_and_their_values() {
    let _quiet = support::QUIET.read();
    use command::complete::complete;
    assert_eq!(
        complete(".sweep block_s", 14),
        (7, vec!["block_size".to_string()])
    );
    let line = ".sweep compression lz4,z";
    assert_eq!(complete(line, line.len()), (23, vec!["zstd".to_string()]));
    let grid = ".sweep block_size 4KiB,8KiB x bloom_b";
    assert_eq!(
        complete(grid, grid.len()),
        (30, vec!["bloom_bits_per_key".to_string()])
    );
}

// ----- issue 27: sweeps never write into the user's rows, never sweep durability and
// never save a step's value -----------------------------------------------------------

/// An executor on a new database of 1,200 user rows (negative keys too), and the model
/// of them.
fn user_rows(dir: &tempfile::TempDir) -> (Executor, std::collections::BTreeMap<i64, Vec<u8>>) {
    support::user_rows(dir.path(), |i| i * 7919 - 4_000_000, "user row")
}

/// Every row of the database equals the model (values and count).
fn assert_rows_are(exec: &Executor, model: &std::collections::BTreeMap<i64, Vec<u8>>) {
    let rows = exec
        .db()
        .scan(i64::MIN, i64::MAX, usize::MAX)
        .expect("scan");
    assert_eq!(rows.len(), model.len(), "row count");
    assert_eq!(exec.db().count(), model.len() as u64, "ALEX count");
    for (k, v) in &rows {
        assert_eq!(model.get(k).map(Vec::as_slice), Some(&v[..]), "row {k}");
    }
}

/// The report's `own_keys`: the range held nothing of the user's, the workload wrote
/// into it, and all of it is gone.
fn assert_own_keys_removed(exec: &Executor, text: &str, json: &Value, records: u64) {
    let own = &json["own_keys"];
    let (first, last) = (
        own["first"].as_i64().expect("first"),
        own["last"].as_i64().expect("last"),
    );
    assert!(first < last, "{own}");
    assert_eq!(own["records"], records, "{own}");
    let written = own["written"].as_u64().expect("written");
    assert!(written >= records, "{own}");
    assert_eq!(own["removed"], written, "{own}");
    assert!(own.get("error").is_none(), "{own}");
    assert_eq!(exec.db().count_range(first, last), 0, "the range is empty");
    let line = format!("in {first}..={last}");
    assert!(
        text.contains(&line) && text.contains("removed them"),
        "{text}"
    );
}

#[test]
fn write_workload_sweeps_leave_the_users_rows_and_remove_their_own() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(&dir);
    for w in ["a", "d", "f"] {
        let st = start(
            &mut exec,
            &format!(
                ".sweep value_cache_size 1MiB,2MiB --workload {w} --duration 200ms --warmup 0"
            ),
        );
        assert_eq!(st.state, JobState::Done { cancelled: false }, "{w}");
        let (text, json) = report(&st);
        assert_eq!(json["workload"], w);
        assert_eq!(
            json["records"], 1200,
            "as many records as the user has rows"
        );
        assert_rows_are(&exec, &model);
        assert_own_keys_removed(&exec, &text, &json, 1200);
        if w == "d" {
            assert!(json["own_keys"]["inserted"].as_u64() > Some(0), "{json}");
        }
    }
}

#[test]
fn a_cancelled_write_sweep_removes_its_own_keys_too() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(&dir);
    let id = start_until(
        &mut exec,
        ".sweep value_cache_size 1MiB,2MiB --workload d --duration 2s --warmup 0",
        "reached step 1",
        |p| p.starts_with("step 1/2") && p.contains("ycsb-d"),
    );
    exec.jobs().cancel(Some(id));
    let st = exec.jobs().wait(id, Duration::from_secs(30)).expect("job");
    let (text, json) = report(&st);
    assert_eq!(json["cancelled"], true);
    assert_rows_are(&exec, &model);
    assert_own_keys_removed(&exec, &text, &json, 1200);
}

#[test]
fn on_my_data_sweeps_write_into_the_users_rows() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(&dir);
    let st = start(
        &mut exec,
        ".sweep value_cache_size 1MiB --workload a --on-my-data --duration 200ms --warmup 0",
    );
    let (_, json) = report(&st);
    assert!(json.get("own_keys").is_none(), "{json}");
    let rows = exec
        .db()
        .scan(i64::MIN, i64::MAX, usize::MAX)
        .expect("scan");
    assert_eq!(rows.len(), model.len());
    let changed = rows.iter().filter(|(k, v)| model[k] != v[..]).count();
    assert!(changed > 0, "workload a updated some of the rows");
}

#[test]
fn durability_is_never_swept() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(&dir);
    for text in [
        ".sweep wal on,off",
        ".sweep wal off,on --workload a --duration 200ms",
        ".sweep sync on,off",
        ".sweep sync_writes off,on",
        ".sweep block_size 4KiB,8KiB x wal on,off",
        ".sweep WAL on,off x block_size 4KiB,8KiB",
    ] {
        let e = parse_command(text).expect_err(text).to_string();
        assert!(
            e.contains(
                "decides whether acknowledged writes survive a crash, so a sweep never changes it"
            ),
            "{text}: {e}"
        );
        assert_eq!(e.lines().count(), 1, "{e}");
        let reports = {
            let mut out = Vec::new();
            exec.run_text(text, &mut |_, r| out.push(r));
            out
        };
        assert!(reports.iter().all(|r| r.result.is_err()), "{text}");
    }
    assert_eq!(
        (option(&exec, "wal"), option(&exec, "sync")),
        ("on".to_string(), "off".to_string())
    );
    assert_rows_are(&exec, &model);
}

#[test]
fn the_options_file_keeps_the_users_values_during_and_after_a_sweep() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(&dir);
    exec.db()
        .set_option("value_cache_size", "3MiB")
        .expect("set");
    let file = dir.path().join("db").join(engine::persist::OPTIONS_FILE);
    let saved = |name: &str| -> Value {
        let j: Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
        j["options"][name].clone()
    };
    let sweeps = [
        (
            ".sweep value_cache_size 1MiB,2MiB --duration 300ms --warmup 0",
            "ycsb-c",
            "12",
        ),
        (
            ".sweep value_cache_size 1MiB,2MiB x max_open_files 100 --workload a \
             --duration 300ms --warmup 0",
            "ycsb-a",
            "14",
        ),
    ];
    for (sweep, workload, bloom) in sweeps {
        let before = std::fs::read(&file).expect("the user's options are saved");
        let id = start_until(&mut exec, sweep, "reached step 2", |p| {
            p.starts_with("step 2/2") && p.contains(workload)
        });
        assert_eq!(option(&exec, "value_cache_size"), "2MiB", "step 2 applied");
        let during = std::fs::read(&file).expect("read");
        assert_eq!(
            String::from_utf8_lossy(&during),
            String::from_utf8_lossy(&before),
            "{sweep}: the file while step 2 runs"
        );
        // The user's own change during the sweep is saved, beside the swept option's
        // saved value.
        exec.db()
            .set_option("bloom_bits_per_key", bloom)
            .expect("set");
        assert_eq!(saved("bloom_bits_per_key"), bloom);
        assert_eq!(saved("value_cache_size"), "3MiB");
        assert_eq!(saved("max_open_files"), Value::Null);
        let st = exec.jobs().wait(id, Duration::from_secs(60)).expect("job");
        assert_eq!(report(&st).1["restored"], true);
        assert_eq!(option(&exec, "value_cache_size"), "3MiB");
        assert_eq!(saved("value_cache_size"), "3MiB");
        assert_eq!(saved("max_open_files"), Value::Null);
        assert_eq!(saved("bloom_bits_per_key"), bloom);
    }
    // `.bench profile` times every get with a finer perf level for its run: not saved
    // either.
    let before = std::fs::read(&file).expect("read");
    let id = start_until(&mut exec, ".bench profile --queries 50000000", "ran", |p| {
        p.starts_with("profile queries")
    });
    assert_eq!(option(&exec, "perf_level"), "time_except_mutex");
    let during = std::fs::read(&file).expect("read");
    assert_eq!(
        String::from_utf8_lossy(&during),
        String::from_utf8_lossy(&before),
        "the file while .bench profile runs"
    );
    exec.jobs().cancel(Some(id));
    exec.jobs().wait(id, Duration::from_secs(30)).expect("job");
    assert_eq!(std::fs::read(&file).expect("read"), before);
    assert_rows_are(&exec, &model);
}

#[test]
fn a_write_sweep_that_would_turn_fifo_on_is_refused_without_on_my_data() {
    let _quiet = support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut exec, model) = user_rows(&dir);
    let cmd = parse_command(".sweep compaction_style level,fifo --workload a --duration 200ms")
        .expect("parses");
    let e = exec.execute(&cmd).expect_err("refused").to_string();
    assert!(
        e.starts_with(".sweep: at compaction_style=fifo, with compaction_style fifo")
            && e.contains("--on-my-data"),
        "{e}"
    );
    assert_eq!(exec.jobs().list().len(), 0, "nothing started");
    assert_eq!(option(&exec, "compaction_style"), "level");
    assert_rows_are(&exec, &model);
}

// ----- issue 29: experiments that find the real winner ---------------------------------

/// An executor on a new database of `ROWS` random keys whose value cache starts cold
/// (no warm-up after the load): the case where the last step used to win.
fn cold(dir: &tempfile::TempDir) -> Executor {
    let o = DbOptions {
        warm_value_cache: engine::WarmValueCache::Off,
        ..DbOptions::default()
    };
    let mut exec = Executor::open(&dir.path().join("db"), o).expect("open");
    let st = start(&mut exec, &format!(".load random {ROWS}"));
    assert!(matches!(st.state, JobState::Done { .. }), "{:?}", st.state);
    exec
}

/// The winner's values (`None` when no step wins beyond noise).
fn winner(json: &Value) -> Option<String> {
    let i = json["best"].as_u64()? as usize;
    Some(json["steps"][i]["values"].to_string())
}

/// Two values that cannot change a read-only workload, on a cold cache: the step that
/// runs later used to win on the warmer cache alone (hit rate rising step by step).
/// Steady warm-ups and interleaved, repeated runs leave no difference beyond noise.
#[test]
fn a_difference_made_by_warm_up_alone_is_no_difference() {
    let _quiet = support::QUIET.write();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = cold(&dir);
    let st = start(
        &mut exec,
        &format!(
            ".sweep write_buffer_size 32MiB,64MiB --duration 400ms --warmup 5s --plot {}",
            dir.path().join("w.svg").display()
        ),
    );
    let (text, json) = report(&st);
    assert!(json["best"].is_null(), "{text}\n{json}");
    // The chart shows the doubt: a line over the sizes with min-max bars, the verdict in
    // its caption.
    let svg = std::fs::read_to_string(dir.path().join("w.svg")).expect("chart written");
    assert!(
        svg.contains("log scale") && svg.contains("min-max"),
        "a size sweep is a line"
    );
    assert!(
        svg.contains("no difference beyond noise"),
        "verdict in the caption"
    );
    assert!(text.contains("no difference beyond noise"), "{text}");
    assert_eq!(json["repeat"], 2);
    assert_eq!(json["order"], serde_json::json!([0, 1, 1, 0]));
    for s in json["steps"].as_array().expect("steps") {
        let runs = s["runs"].as_array().expect("runs");
        assert_eq!(runs.len(), 2, "{s}");
        let ops: Vec<f64> = runs
            .iter()
            .map(|r| r["ops_per_sec"].as_f64().unwrap())
            .collect();
        let median = s["ops_per_sec"].as_f64().unwrap();
        assert!((median - (ops[0] + ops[1]) / 2.0).abs() < 1e-6, "{s}");
        assert_eq!(s["ops_min"].as_f64(), ops.iter().copied().reduce(f64::min));
        assert!(
            runs.iter()
                .all(|r| r["windows"].as_array().unwrap().len() >= 2),
            "{s}"
        );
        assert!(runs.iter().all(|r| r["settled"].is_boolean()), "{s}");
    }
    // The check run of the first step at the end.
    assert_eq!(json["drift"]["step"], 0, "{json}");
    assert!(text.contains("at the end"), "{text}");
    assert_eq!(json["rewrite"], "not needed");
}

/// A "new files" option is measured on data written under each value: every run
/// rewrites it first (a full compaction), and the report says so. The same sweep in the
/// other order names the same winner, or none in both.
#[test]
fn new_files_options_are_swept_on_rewritten_data_in_either_order() {
    let _quiet = support::QUIET.write();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = cold(&dir);
    let data = fingerprint(exec.db());
    let tables = |exec: &Executor| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(exec.db().path())
            .expect("dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".sst"))
            .collect();
        v.sort();
        v
    };
    let before = tables(&exec);
    let mut winners = Vec::new();
    for values in ["4KiB,16KiB", "16KiB,4KiB"] {
        let st = start(
            &mut exec,
            &format!(".sweep block_size {values} --duration 300ms --warmup 3s"),
        );
        let (text, json) = report(&st);
        assert_eq!(json["rewrite"], "compaction", "{json}");
        assert_eq!(json["new_files_options"], serde_json::json!(["block_size"]));
        for s in json["steps"].as_array().expect("steps") {
            for r in s["runs"].as_array().expect("runs") {
                assert!(r["rewrite_secs"].as_f64().is_some(), "{r}");
            }
        }
        assert!(text.contains("every run first rewrote the data"), "{text}");
        // Rewritten: not one table file of the data as loaded is left.
        let after = tables(&exec);
        assert!(
            before.iter().all(|t| !after.contains(t)),
            "{before:?} -> {after:?}"
        );
        winners.push(winner(&json));
    }
    assert_eq!(winners[0], winners[1], "the order decided the winner");
    assert_eq!(fingerprint(exec.db()), data);
    // --no-rewrite measures the files as they are, and says so.
    let st = start(
        &mut exec,
        &format!(
            ".sweep compression none,lz4 --duration 200ms --warmup 0 --repeat 1 --no-rewrite --plot {}",
            dir.path().join("c.svg").display()
        ),
    );
    let (text, json) = report(&st);
    assert_eq!(json["rewrite"], "none");
    assert!(
        json["steps"][0]["runs"][0]["rewrite_secs"].is_null(),
        "{json}"
    );
    assert!(text.contains("existing files unchanged"), "{text}");
    // Not a size: bars, each with its value printed and whiskers' legend in the axis.
    let svg = std::fs::read_to_string(dir.path().join("c.svg")).expect("chart written");
    assert!(
        svg.contains("whiskers: min-max") && !svg.contains("log scale"),
        "bars"
    );
    let top = json["verdict"]["top"].as_u64().expect("top") as usize;
    let ops = json["steps"][top]["ops_per_sec"].as_f64().expect("ops");
    assert!(
        svg.contains(&bench::plot::compact_number(ops)),
        "the top bar's value is printed"
    );
    // No warm-up at all: every step is marked as never steady.
    assert!(text.contains("marked ~"), "{text}");
    assert!(json["drift"].is_null(), "one pass has no check run: {json}");
}
