//! Issue 14, item 1: the executor's metrics history, `.baseline save|list|drop` and
//! `.compare`. Window math against hand-computed figures, the noise test on constructed
//! windows, and the commands end to end (persistence, JSON fields, errors that leave
//! `baselines.json` as it was).
use std::collections::BTreeMap;
use std::path::Path;

use command::baseline::{Side, compare, within_noise};
use command::{Command, Executor, Outcome, Report, parse_command};
use engine::DbOptions;
use engine::metrics::history::{HistorySample, KINDS, LogHist, merged_quantile};
use engine::metrics::{Figure, History, LatencySummary, Snapshot, WindowFigures};

fn run(exec: &mut Executor, text: &str) -> Vec<Report> {
    let mut reports = Vec::new();
    exec.run_text(text, &mut |_, r| reports.push(r));
    reports
}

fn ok(exec: &mut Executor, text: &str) -> Outcome {
    let mut r = run(exec, text);
    let r = r.pop().expect("a report");
    match r.result {
        Ok(o) => o,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn err(exec: &mut Executor, text: &str) -> String {
    let r = run(exec, text).pop().expect("a report");
    match r.result {
        Ok(o) => panic!("{text}: expected an error, got {o:?}"),
        Err(e) => e.to_string(),
    }
}

fn message(o: Outcome) -> String {
    match o {
        Outcome::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn report_json(o: Outcome) -> serde_json::Value {
    match o {
        Outcome::Report { json, .. } => json,
        other => panic!("expected a report, got {other:?}"),
    }
}

/// A one-second sample ending at `end` with `gets` gets, all `ns` long.
fn sample(end: f64, gets: u64, ns: f64, p50: u64) -> HistorySample {
    let mut s = Snapshot {
        window_secs: 1.0,
        uptime_secs: end,
        ..Snapshot::default()
    };
    s.ops.get = gets;
    s.ops.total = gets;
    s.cache.hits = gets / 2;
    s.cache.misses = gets - gets / 2;
    if gets > 0 {
        s.latency.get = LatencySummary {
            samples: gets,
            p50_ns: p50,
            p99_ns: p50,
            p999_ns: p50,
            ..LatencySummary::default()
        };
    }
    let mut lat: [LogHist; 6] = Default::default();
    if gets > 0 {
        lat[0] = LogHist::from_values([(ns, gets)]);
    }
    HistorySample::new(s, lat)
}

fn near(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn window_figures_match_hand_computed_ones() {
    let mut h = History::new(600);
    h.push(sample(1.0, 100, 1000.0, 1000));
    h.push(sample(2.0, 200, 2000.0, 2000));
    h.push(sample(3.0, 300, 3000.0, 3000));
    let w = h.window(30.0).expect("a window");
    assert_eq!(w.samples, 3);
    assert_eq!(w.secs, 3.0);
    let get = w.get("get/s").expect("get/s");
    assert_eq!(get.value, 200.0); // 600 gets in 3 s
    assert_eq!(get.mean, 200.0);
    assert!(near(get.sd, 100.0, 1e-9), "{get:?}");
    assert_eq!(get.n, 3);
    // Merged histograms: 600 gets, 100 at 1 µs, 200 at 2 µs, 300 at 3 µs.
    // p50 = the 300th value = 2 µs (not the mean of per-second p50s, which is 2.33 µs).
    let p50 = w.get("get p50").expect("p50");
    assert!(near(p50.value, 2000.0, 0.01), "{p50:?}");
    let p99 = w.get("get p99").expect("p99");
    assert!(near(p99.value, 3000.0, 0.01), "{p99:?}");
    // The per-second p50s give the spread: 1000, 2000, 3000.
    assert!(
        near(p50.mean, 2000.0, 1e-9) && near(p50.sd, 1000.0, 1e-9),
        "{p50:?}"
    );
    let hit = w.get("value cache hit rate").expect("hit rate");
    assert_eq!(hit.value, 50.0);
    assert!(w.few_samples, "3 s with operations is fewer than 5");
}

#[test]
fn trailing_idle_seconds_do_not_dilute_the_window() {
    let mut h = History::new(600);
    for (i, gets) in [100, 100, 300, 0, 0, 0].into_iter().enumerate() {
        h.push(sample(i as f64 + 1.0, gets, 500.0, 500));
    }
    // The window ends at t = 3 (the last second with gets): t = 2 and t = 3.
    let w = h.window(2.0).expect("a window");
    assert_eq!(w.samples, 2);
    assert_eq!(w.value("get/s"), Some(200.0));
    let all = h.window(600.0).expect("a window");
    assert_eq!(all.samples, 3);
    assert_eq!(all.active_secs, 3.0);
    assert!(near(all.value("get/s").unwrap_or(0.0), 500.0 / 3.0, 1e-9));
    // Nothing but idle seconds: no window.
    let mut idle = History::new(600);
    idle.push(sample(1.0, 0, 0.0, 0));
    assert!(idle.window(30.0).is_none());
}

#[test]
fn history_is_bounded() {
    let mut h = History::new(10);
    for i in 0..25 {
        h.push(sample(i as f64 + 1.0, 10, 100.0, 100));
    }
    assert_eq!(h.len(), 10);
    assert_eq!(h.window(600.0).map(|w| w.samples), Some(10));
    // A histogram spread over every decade keeps at most 256 buckets, counts intact.
    let wide = LogHist::from_values((0..5000).map(|i| (1.0 + f64::from(i) * 997.0, 1)));
    assert!(wide.buckets() <= 256, "{}", wide.buckets());
    assert_eq!(wide.count(), 5000);
    let p50 = merged_quantile([&wide], 0.5).expect("p50");
    assert!(near(p50, 2500.0 * 997.0, 0.05), "{p50}");
}

fn fig(name: &str, value: f64, sd: f64, n: usize) -> Figure {
    Figure {
        name: name.into(),
        unit: "ops/s".into(),
        value,
        mean: value,
        sd,
        n,
    }
}

fn window(figs: Vec<Figure>) -> WindowFigures {
    WindowFigures {
        samples: 30,
        secs: 30.0,
        active_secs: 30.0,
        few_samples: false,
        steady: None,
        figures: figs,
    }
}

#[test]
fn within_noise_marks_only_the_difference_inside_the_spread() {
    // get/s: 1000 vs 1010 with a per-second sd of 50 over 30 s each: 2·sqrt(2·50²/30)
    // = 25.8 > 10, noise. put/s: 1000 vs 1200 with sd 20: 2·sqrt(2·20²/30) = 10.3 < 200.
    let a = window(vec![
        fig("get/s", 1000.0, 50.0, 30),
        fig("put/s", 1000.0, 20.0, 30),
    ]);
    let b = window(vec![
        fig("get/s", 1010.0, 50.0, 30),
        fig("put/s", 1200.0, 20.0, 30),
    ]);
    let opts_a = BTreeMap::from([("x".to_string(), "1".to_string()), ("y".into(), "2".into())]);
    let opts_b = BTreeMap::from([("x".to_string(), "1".to_string()), ("y".into(), "3".into())]);
    let c = compare(
        (Side::of("a", "t", &a), &a, &opts_a),
        (Side::of("b", "t", &b), &b, &opts_b),
    );
    assert_eq!(c.figures[0].within_noise, Some(true));
    assert_eq!(c.figures[1].within_noise, Some(false));
    assert!(near(c.figures[1].delta_pct.unwrap_or(0.0), 20.0, 1e-9));
    assert!(near(c.figures[1].ratio.unwrap_or(0.0), 1.2, 1e-9));
    assert_eq!(c.options_differ.len(), 1);
    assert_eq!(c.options_differ[0].name, "y");
    // One per-second value: no spread, so no verdict.
    assert_eq!(
        within_noise(&fig("g", 1.0, 0.0, 1), &fig("g", 1.0, 0.0, 5)),
        None
    );
}

fn exec_at(dir: &Path) -> Executor {
    Executor::open(dir, DbOptions::default()).expect("open")
}

fn some_work(exec: &mut Executor) {
    let mut text = String::new();
    for k in 0..200 {
        text.push_str(&format!("put {k} v{k}; get {k}; "));
    }
    for r in run(exec, &text) {
        assert!(r.result.is_ok(), "{}", r.input);
    }
}

fn file_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("baselines.json")).expect("baselines.json")
}

#[test]
fn save_list_compare_drop_and_persist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    {
        let mut exec = exec_at(&path);
        some_work(&mut exec);
        let m = message(ok(&mut exec, ".baseline save before"));
        assert!(m.starts_with("saved baseline before:"), "{m}");
        assert!(m.contains("few samples"), "{m}");
        ok(&mut exec, ".set value_cache_size 8MB");
        some_work(&mut exec);
        ok(&mut exec, ".baseline save after --window 10s");
        match ok(&mut exec, ".baseline list") {
            Outcome::Rows(t) => {
                let names: Vec<String> = t.rows.iter().map(|r| format!("{:?}", r[0])).collect();
                assert_eq!(t.rows.len(), 2, "{names:?}");
            }
            other => panic!("{other:?}"),
        }
        let j = report_json(ok(&mut exec, ".compare before after"));
        assert_eq!(j["baseline_a"]["name"], "before");
        assert_eq!(j["baseline_b"]["name"], "after");
        let differ = j["options_differ"].as_array().expect("options_differ");
        assert!(
            differ.iter().any(|o| o["name"] == "value_cache_size"),
            "{differ:?}"
        );
        let figs = j["figures"].as_array().expect("figures");
        let names: Vec<&str> = figs.iter().filter_map(|f| f["name"].as_str()).collect();
        for n in ["ops/s", "put/s", "get/s", "get p50", "get p99", "get p99.9"] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        for f in figs {
            for k in [
                "name",
                "unit",
                "a",
                "b",
                "delta_pct",
                "ratio",
                "within_noise",
            ] {
                assert!(f.get(k).is_some(), "{k} missing in {f}");
            }
        }
        // The table lists the differing options before any figure.
        match ok(&mut exec, ".compare before after") {
            Outcome::Report { text, .. } => {
                let opt = text.find("option value_cache_size").expect("option row");
                let first_fig = text.find("ops/s").expect("figure row");
                assert!(opt < first_fig, "{text}");
            }
            other => panic!("{other:?}"),
        }
        // `now` is the last window: the same options as "after".
        let j = report_json(ok(&mut exec, ".compare after now"));
        assert_eq!(j["baseline_b"]["name"], "now");
        assert!(
            j["options_differ"].as_array().is_some_and(|a| a.is_empty()),
            "{j}"
        );
    }
    // A new executor (and Db) on the same directory lists and compares them.
    let mut exec = exec_at(&path);
    let j = report_json(ok(&mut exec, ".compare before after"));
    assert_eq!(j["baseline_a"]["name"], "before");
    assert_eq!(exec.references().len(), 2);
    assert_eq!(exec.references()[0].name, "before");
    assert!(exec.references()[0].reads_per_s.is_some_and(|r| r > 0.0));
    let m = message(ok(&mut exec, ".baseline drop before"));
    assert_eq!(m, "dropped baseline before");
    assert_eq!(exec.references().len(), 1);
    let e = err(&mut exec, ".compare before after");
    assert!(e.contains("no baseline named \"before\""), "{e}");
}

#[test]
fn errors_leave_the_file_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let mut exec = exec_at(&path);
    let e = err(&mut exec, ".baseline save empty");
    assert!(e.contains("no operations"), "{e}");
    assert!(!path.join("baselines.json").exists());
    some_work(&mut exec);
    ok(&mut exec, ".baseline save one");
    let before = file_bytes(&path);
    for (cmd, needle) in [
        (".baseline save bad/name", "bad baseline name"),
        (".baseline save now", "\"now\""),
        (".baseline drop nosuch", "no baseline named"),
        (".compare nosuch", "no baseline named"),
        (".compare one nosuch", "no baseline named"),
    ] {
        let e = err(&mut exec, cmd);
        assert!(e.contains(needle), "{cmd}: {e}");
        assert!(!e.contains('\n'), "{cmd}: one line: {e}");
        assert_eq!(file_bytes(&path), before, "{cmd} changed the file");
    }
    // An unreadable file: every command says so, none rewrites it.
    std::fs::write(path.join("baselines.json"), "{ not json").expect("write");
    for cmd in [
        ".baseline save two",
        ".baseline list",
        ".baseline drop one",
        ".compare one",
    ] {
        let e = err(&mut exec, cmd);
        assert!(e.contains("is not a baselines file"), "{cmd}: {e}");
        assert_eq!(file_bytes(&path), b"{ not json", "{cmd} changed the file");
    }
}

#[test]
fn open_follows_the_new_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let mut exec = exec_at(&a);
    some_work(&mut exec);
    assert!(exec.recent_window(30.0).is_some());
    ok(&mut exec, ".baseline save on_a");
    ok(&mut exec, &format!(".open {}", b.display()));
    // The history starts again on the new database; its baselines are its own.
    assert!(exec.recent_window(30.0).is_none());
    assert!(exec.references().is_empty());
    assert!(err(&mut exec, ".compare on_a").contains("no baseline named"));
    ok(&mut exec, &format!(".open {}", a.display()));
    assert_eq!(exec.references().len(), 1);
}

#[test]
fn the_sampler_samples_once_a_second_and_stops_with_the_executor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let mut exec = exec_at(&path);
    some_work(&mut exec);
    std::thread::sleep(std::time::Duration::from_millis(2300));
    let w = exec.recent_window(600.0).expect("a window");
    // The thread took at least one sample by itself; the work is in the window.
    assert!(w.samples >= 1, "{w:?}");
    assert_eq!(w.value("put/s").map(|v| v > 0.0), Some(true));
    drop(exec);
    // The Db was released: the directory opens again at once.
    let _again = exec_at(&path);
}

#[test]
fn baseline_and_compare_parse() {
    use command::{BaselineCmd, SessionCmd};
    let cases: Vec<(&str, Command)> = vec![
        (
            ".baseline save a",
            Command::Session(SessionCmd::Baseline(BaselineCmd::Save {
                name: "a".into(),
                window_secs: 30,
            })),
        ),
        (
            ".baseline save a --window 2m",
            Command::Session(SessionCmd::Baseline(BaselineCmd::Save {
                name: "a".into(),
                window_secs: 120,
            })),
        ),
        (
            ".baseline list",
            Command::Session(SessionCmd::Baseline(BaselineCmd::List)),
        ),
        (
            ".baseline drop a",
            Command::Session(SessionCmd::Baseline(BaselineCmd::Drop("a".into()))),
        ),
        (
            ".compare a",
            Command::Session(SessionCmd::Compare {
                a: "a".into(),
                b: None,
            }),
        ),
        (
            ".compare a now",
            Command::Session(SessionCmd::Compare {
                a: "a".into(),
                b: None,
            }),
        ),
        (
            ".compare a b",
            Command::Session(SessionCmd::Compare {
                a: "a".into(),
                b: Some("b".into()),
            }),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(parse_command(text).expect(text), want, "{text}");
    }
    for bad in [
        ".baseline",
        ".baseline keep a",
        ".baseline save",
        ".baseline save a --window 0s",
        ".baseline save a --window 2h",
        ".baseline save a --window",
        ".compare",
        ".compare a b c",
    ] {
        let e = parse_command(bad).expect_err(bad).to_string();
        assert!(!e.contains('\n'), "{bad}: {e}");
    }
    assert_eq!(KINDS[0], "get");
}

#[test]
fn a_window_never_reaches_back_across_an_option_change() {
    let mut h = History::new(600);
    h.push(sample(1.0, 100, 500.0, 500));
    h.push(sample(2.0, 100, 500.0, 500));
    let mut changed = sample(3.0, 900, 500.0, 500);
    changed.changed = true;
    h.push(changed);
    // Only the change's own second has operations: nothing after it yet.
    assert!(h.window(30.0).is_none());
    h.push(sample(4.0, 300, 500.0, 500));
    h.push(sample(5.0, 500, 500.0, 500));
    let w = h.window(30.0).expect("a window");
    assert_eq!(w.samples, 2);
    assert_eq!(w.value("get/s"), Some(400.0));
}

fn ctrl_b() -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('b'),
        crossterm::event::KeyModifiers::CONTROL,
    )
}

#[test]
fn ctrl_b_cycles_the_reference_line_through_the_saved_baselines() {
    use alexdb::tui::app::App;
    use alexdb::tui::input::InputLine;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let mut exec = exec_at(&path);
    some_work(&mut exec);
    ok(&mut exec, ".baseline save one");
    ok(&mut exec, ".baseline save two");
    // The runner's sample step hands the executor's baselines to the app as plain data.
    let mut runner = alexdb::tui::runner::Runner::new(&exec, command::history::History::new());
    runner.sample(&exec);
    let app: &mut App = &mut runner.app;
    let names: Vec<&str> = app.baselines.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["one", "two"]);
    // Typing keeps working: Ctrl-B does not touch the input line.
    app.input.set_text("get 1");
    assert_eq!(app.reference, None);
    app.on_key(ctrl_b());
    assert_eq!(app.reference.as_deref(), Some("one"));
    assert_eq!(app.reference_line().map(|r| r.name.as_str()), Some("one"));
    app.on_key(ctrl_b());
    assert_eq!(app.reference.as_deref(), Some("two"));
    app.on_key(ctrl_b());
    assert_eq!(app.reference, None);
    assert!(app.reference_line().is_none());
    assert_eq!(app.input.text(), "get 1");
    // With no baselines it stays off and says why.
    let mut empty = App::new("x", InputLine::new(command::history::History::new()));
    empty.on_key(ctrl_b());
    assert_eq!(empty.reference, None);
    assert!(
        empty
            .status
            .as_deref()
            .is_some_and(|s| s.contains(".baseline save"))
    );
}

/// Issue 27 item 8: a save that fails while writing (its temporary file leads to
/// `/dev/full`: no space) removes the temporary file and leaves `baselines.json` as it
/// was, for `.baseline save` and for `.baseline drop`, which rewrites the file too.
#[test]
fn a_failed_save_leaves_no_temporary_file() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    let mut exec = exec_at(&path);
    some_work(&mut exec);
    ok(&mut exec, ".baseline save one");
    let before = file_bytes(&path);
    let tmp = path.join("baselines.json.tmp");
    for cmd in [".baseline save two", ".baseline drop one"] {
        std::os::unix::fs::symlink("/dev/full", &tmp).expect("symlink");
        let e = err(&mut exec, cmd);
        assert!(e.contains("No space left"), "{cmd}: {e}");
        assert!(e.contains("baselines.json"), "{cmd}: {e}");
        assert!(
            std::fs::symlink_metadata(&tmp).is_err(),
            "{cmd} left {}",
            tmp.display()
        );
        assert_eq!(file_bytes(&path), before, "{cmd} changed the file");
    }
    ok(&mut exec, ".baseline save two");
    assert!(!tmp.exists());
}

/// A difference beyond the noise says so (the column was blank), and a differing option
/// that applies to new files only gets a note that both sides may read the same files.
#[test]
fn compare_says_beyond_noise_and_notes_new_files_options() {
    let a = window(vec![fig("get/s", 1000.0, 20.0, 30)]);
    let b = window(vec![fig("get/s", 1500.0, 20.0, 30)]);
    let opts_a = BTreeMap::from([("block_size".to_string(), "16KiB".to_string())]);
    let opts_b = BTreeMap::from([("block_size".to_string(), "4KiB".to_string())]);
    let c = compare(
        (Side::of("a", "t", &a), &a, &opts_a),
        (Side::of("b", "t", &b), &b, &opts_b),
    );
    let text = command::exec::comparison_text(&c);
    let row = text
        .lines()
        .find(|l| l.contains("get/s"))
        .expect("get/s row");
    assert!(row.contains("beyond noise"), "{row}");
    assert!(
        text.contains("note: block_size applies to new files only"),
        "{text}"
    );
    // A live option differing: no note.
    let opts_b = BTreeMap::from([
        ("block_size".to_string(), "16KiB".to_string()),
        ("value_cache_size".to_string(), "1GiB".to_string()),
    ]);
    let c = compare(
        (Side::of("a", "t", &a), &a, &opts_a),
        (Side::of("b", "t", &b), &b, &opts_b),
    );
    assert!(!command::exec::comparison_text(&c).contains("note:"));
}

/// A window is steady when its last three seconds with operations agree (the rule
/// `.sweep` warms up by); `.compare` and `.advise` say when it is not (issue 29).
#[test]
fn a_window_says_whether_its_last_seconds_were_steady() {
    let mut rising = History::new(600);
    for (i, gets) in [100, 400, 700, 1000].into_iter().enumerate() {
        rising.push(sample(i as f64 + 1.0, gets, 1000.0, 1000));
    }
    assert_eq!(rising.window(30.0).expect("window").steady, Some(false));
    let mut flat = History::new(600);
    for (i, gets) in [100, 1000, 1020, 990].into_iter().enumerate() {
        flat.push(sample(i as f64 + 1.0, gets, 1000.0, 1000));
    }
    let w = flat.window(30.0).expect("window");
    assert_eq!(
        w.steady,
        Some(true),
        "the first, slow second is before the last three"
    );
    let mut short = History::new(600);
    short.push(sample(1.0, 100, 1000.0, 1000));
    short.push(sample(2.0, 100, 1000.0, 1000));
    assert_eq!(short.window(30.0).expect("window").steady, None);
    // An old baseline file has no `steady`: it reads as unknown.
    let mut json = serde_json::to_value(&w).expect("json");
    json.as_object_mut().expect("object").remove("steady");
    let old: WindowFigures = serde_json::from_value(json).expect("reads");
    assert_eq!(old.steady, None);
    // .compare names the side that was not steady.
    let r = rising.window(30.0).expect("window");
    let opts = BTreeMap::new();
    let c = compare(
        (Side::of("a", "t", &r), &r, &opts),
        (Side::of("b", "t", &w), &w, &opts),
    );
    let text = command::exec::comparison_text(&c);
    let a_line = text.lines().find(|l| l.starts_with("A: ")).expect("A line");
    assert!(a_line.contains("not steady"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("B: ") && l.contains("not steady")),
        "{text}"
    );
}
