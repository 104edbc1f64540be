//! The dashboard's state logic without a terminal: the sample ring buffer and markers,
//! focus and keys, the input line (editing, history, completion, Ctrl-R), the demo
//! player, and the runner against a real database (commands, dashboard commands, bad
//! input, jobs, sampling, export).
use crate::support::exec;
use std::time::{Duration, Instant};

use alexdb::tui::app::{Action, App, DEFAULT_OUTPUT_ROWS, LogKind, OutKind, Pane};
use alexdb::tui::demo::{self, Cue, Player, Step};
use alexdb::tui::input::{Completion, InputLine};
use alexdb::tui::runner::{Runner, screen_text};
use command::history::History;
use command::jobs::{JobState, JobStatus};
use command::series::{CSV_HEADER, Series};
use command::{Executor, Outcome};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use engine::DbOptions;
use engine::metrics::{Event, Snapshot};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.on_key(key(KeyCode::Char(c)));
    }
}

fn snap(uptime: f64, gets: u64, hits: u64) -> Snapshot {
    let mut s = Snapshot {
        window_secs: 0.25,
        uptime_secs: uptime,
        ..Snapshot::default()
    };
    s.ops.get = gets;
    s.cache.hits = hits;
    s.cache.misses = gets - hits;
    s
}

fn option_event(id: u64, at: f64, name: &str, new: &str, applied: &str) -> Event {
    Event {
        id,
        at_secs: at,
        unix_ms: 0,
        kind: "option",
        option: Some(name.into()),
        old: Some("x".into()),
        new: Some(new.into()),
        applied: Some(applied.into()),
        secs: 0.01,
        label: format!("{name} x -> {new} ({applied})"),
        lsm: None,
    }
}

fn app() -> App {
    App::new("/db", InputLine::new(History::new()))
}

// ---- samples and markers

#[test]
fn ring_buffer_keeps_the_newest_samples_and_all_totals() {
    let mut s = Series::with_capacity(4);
    for i in 0..10 {
        s.push(i as f64, snap(i as f64, 100, 50));
    }
    assert_eq!(s.len(), 4);
    let ts: Vec<f64> = s.samples().iter().map(|x| x.t).collect();
    assert_eq!(ts, vec![6.0, 7.0, 8.0, 9.0]);
    // Totals count the dropped samples too.
    assert_eq!(s.total_reads, 1000);
    assert_eq!(s.latest().map(|x| x.reads_per_s()), Some(400.0));
    assert_eq!(s.at(Some(7.5)).map(|x| x.t), Some(7.0));
    assert_eq!(s.range(6.5, 8.0).count(), 2);
    let r = s.recent(9.0, 2.0);
    assert_eq!((r.samples, r.vc_hits, r.vc_misses), (2, 100, 100));
    assert_eq!(r.value_cache_hit_rate(), Some(0.5));
}

#[test]
fn events_become_markers_on_the_dashboard_clock() {
    let mut s = Series::with_capacity(100);
    s.push(0.0, snap(50.0, 0, 0));
    let mut sn = snap(51.0, 0, 0);
    // 0.4 s before the snapshot, on the database's clock.
    sn.events
        .push(option_event(1, 50.6, "value_cache_entries", "10", "live"));
    let evs = s.push(1.0, sn);
    assert_eq!(evs.len(), 1);
    assert!((evs[0].t - 0.6).abs() < 1e-9, "{}", evs[0].t);
    let m = &s.markers()[0];
    assert_eq!(m.label, "value_cache_entries=10");
    assert_eq!(m.kind, "option");
    // Flushes are logged, not marked.
    let mut sn = snap(52.0, 0, 0);
    sn.events.push(Event {
        kind: "flush",
        label: "flush 0.01 s".into(),
        ..option_event(2, 51.9, "x", "y", "live")
    });
    s.push(2.0, sn);
    assert_eq!(s.markers().len(), 1);
    // The samples holding the marker's time drop out of the ring: so does the marker.
    let mut small = Series::with_capacity(2);
    let mut sn = snap(10.0, 0, 0);
    sn.events.push(option_event(1, 10.0, "a", "1", "live"));
    small.push(0.0, sn);
    small.push(1.0, snap(11.0, 0, 0));
    assert_eq!(small.markers().len(), 1);
    small.push(2.0, snap(12.0, 0, 0));
    assert_eq!(small.markers().len(), 0);
}

#[test]
fn a_reopen_and_its_option_change_make_one_marker() {
    let mut s = Series::with_capacity(100);
    let mut sn = snap(5.0, 0, 0);
    sn.events.push(Event {
        kind: "reopen",
        option: None,
        label: "reopen (compaction_style) 0.05 s".into(),
        secs: 0.05,
        ..option_event(1, 4.9, "", "", "reopen")
    });
    sn.events.push(option_event(
        2,
        4.95,
        "compaction_style",
        "universal",
        "reopen",
    ));
    let logged = s.push(5.0, sn);
    assert_eq!(logged.len(), 2, "both are logged");
    assert_eq!(s.markers().len(), 1, "{:?}", s.markers());
    assert!(
        s.markers()[0]
            .label
            .starts_with("compaction_style=universal")
    );
    // A plain reopen (`.reopen`) keeps its own marker.
    let mut sn = snap(9.0, 0, 0);
    sn.events.push(Event {
        kind: "reopen",
        option: None,
        label: "reopen (same options) 0.01 s".into(),
        ..option_event(3, 8.0, "", "", "reopen")
    });
    s.push(9.0, sn);
    assert_eq!(s.markers().len(), 2);
    assert!(s.markers()[1].label.starts_with("reopen"));
}

#[test]
fn metrics_export_formats() {
    let mut s = Series::with_capacity(10);
    let mut sn = snap(1.0, 10, 5);
    sn.events
        .push(option_event(1, 1.0, "block_size", "4KiB", "new files"));
    s.push(0.25, sn);
    s.push(0.5, snap(1.25, 20, 20));
    let csv = s.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], CSV_HEADER);
    let cols = CSV_HEADER.split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == cols), "{csv}");
    assert!(lines[1].starts_with("0.250,0.250,40.0,"), "{}", lines[1]);
    // The last column holds the markers of each sample's window.
    assert!(CSV_HEADER.ends_with(",markers"));
    assert!(lines[1].ends_with(",block_size=4KiB"), "{}", lines[1]);
    assert!(lines[2].ends_with(','), "{}", lines[2]);
    let j = s.to_json();
    assert_eq!(j["samples"].as_array().map(Vec::len), Some(2));
    assert_eq!(j["markers"][0]["label"], "block_size=4KiB");
    assert_eq!(j["samples"][1]["value_cache_hit_rate"], 1.0);
}

// ---- keys, focus, freeze, help

#[test]
fn focus_cycles_with_tab_and_fkeys() {
    let mut a = app();
    assert_eq!(a.focus, Pane::Output);
    a.on_key(key(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Throughput);
    for _ in 0..8 {
        a.on_key(key(KeyCode::Tab));
    }
    assert_eq!(a.focus, Pane::Throughput, "eight panes, full circle");
    a.on_key(key(KeyCode::BackTab));
    assert_eq!(a.focus, Pane::Output);
    a.on_key(key(KeyCode::F(5)));
    assert_eq!(a.focus, Pane::Cache);
    a.on_key(key(KeyCode::F(8)));
    assert_eq!(a.focus, Pane::Options);
    // With text in the line, Tab completes instead.
    typed(&mut a, "exi");
    a.on_key(key(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Options);
    assert_eq!(a.input.text(), "exists ");
    // Ctrl-X expands the focused pane; Esc restores.
    a.on_key(ctrl('x'));
    assert!(a.expanded);
    a.on_key(key(KeyCode::Esc));
    assert!(!a.expanded);
}

#[test]
fn help_freeze_latency_kind_and_quit_keys() {
    let mut a = app();
    a.on_key(key(KeyCode::Char('?')));
    assert!(a.showing_keys());
    assert_eq!(a.input.text(), "");
    a.on_key(key(KeyCode::Char('x')));
    assert!(a.showing_keys(), "other keys leave the help open");
    a.on_key(key(KeyCode::Esc));
    assert!(!a.showing_keys());
    // `?` is text once the line has some.
    typed(&mut a, "a?");
    assert_eq!(a.input.text(), "a?");
    assert!(!a.showing_keys());
    a.on_key(key(KeyCode::F(1)));
    assert!(a.showing_keys());
    a.on_key(key(KeyCode::F(1)));
    assert!(!a.showing_keys());
    // At 80x24 the list scrolls rather than being cut.
    a.viewport = ratatui::layout::Rect::new(0, 0, 80, 24);
    a.on_key(key(KeyCode::F(1)));
    a.on_key(key(KeyCode::End));
    let screen = screen_text(&a, a.viewport);
    assert!(screen.contains("closes this list"), "{screen}");
    a.on_key(key(KeyCode::Char('?')));
    assert!(a.pager.is_none());
    a.input.clear();

    a.push_sample(3.0, snap(3.0, 1, 1));
    a.on_key(ctrl('f'));
    assert_eq!(a.frozen_at, Some(3.0));
    a.push_sample(4.0, snap(4.0, 1, 1));
    assert_eq!(a.chart_end(), 3.0, "frozen charts stay put");
    a.on_key(ctrl('f'));
    assert_eq!(a.chart_end(), 4.0);

    assert_eq!(a.latency_kind_name(), "get");
    a.on_key(key(KeyCode::Char(']')));
    assert_eq!(a.latency_kind_name(), "put");
    a.on_key(key(KeyCode::Char('[')));
    a.on_key(key(KeyCode::Char('[')));
    assert_eq!(a.latency_kind_name(), "load");

    // Ctrl-D deletes under the cursor while there is text, and leaves on an empty line.
    typed(&mut a, "ab");
    a.on_key(key(KeyCode::Left));
    assert_eq!(a.on_key(ctrl('d')), Action::Redraw);
    assert_eq!(a.input.text(), "a");
    a.on_key(ctrl('u'));
    assert_eq!(a.on_key(ctrl('d')), Action::Quit);
    typed(&mut a, "abc");
    assert_eq!(a.on_key(ctrl('c')), Action::Quit);
}

#[test]
fn esc_cancels_a_running_job_and_enter_submits() {
    let mut a = app();
    typed(&mut a, "put 1 a");
    assert_eq!(
        a.on_key(key(KeyCode::Enter)),
        Action::Submit("put 1 a".into())
    );
    assert_eq!(a.input.text(), "");
    assert_eq!(a.on_key(key(KeyCode::Enter)), Action::Redraw, "empty line");
    assert_eq!(a.on_key(key(KeyCode::Esc)), Action::Redraw, "no job");
    a.jobs = vec![JobStatus {
        id: 1,
        kind: "load",
        label: ".load".into(),
        phase: String::new(),
        state: JobState::Running,
        done: 0,
        total: None,
        unit: "rows",
        elapsed: Duration::ZERO,
        result: None,
    }];
    // Esc asks first (on screen); a second Esc or `y` cancels, any other key does not.
    assert_eq!(a.on_key(key(KeyCode::Esc)), Action::Redraw, "asks first");
    let ask = a.status.clone().unwrap_or_default();
    assert!(
        ask.contains("Cancel job [1]") && ask.contains("Esc again or y"),
        "{ask}"
    );
    assert!(screen_text(&a, a.viewport).contains("Esc again or y cancels it"));
    assert_eq!(a.on_key(key(KeyCode::Esc)), Action::CancelJob);
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.on_key(key(KeyCode::Char('y'))), Action::CancelJob);
    a.on_key(key(KeyCode::Esc));
    assert_eq!(a.on_key(key(KeyCode::Char('n'))), Action::Redraw);
    assert_eq!(
        a.input.text(),
        "",
        "another key keeps the job and only answers the question"
    );
    let kept = a.status.clone().unwrap_or_default();
    assert!(kept.contains("[1] .load keeps running"), "{kept}");
    assert_eq!(
        a.on_key(key(KeyCode::Char('y'))),
        Action::Redraw,
        "y alone types"
    );
    assert_eq!(a.input.text(), "y");
    a.input.clear();
    // The confirmation expires.
    a.on_key(key(KeyCode::Esc));
    a.cancel_asked = a
        .cancel_asked
        .map(|t| t - alexdb::tui::app::CANCEL_CONFIRM - Duration::from_millis(1));
    assert_eq!(a.on_key(key(KeyCode::Esc)), Action::Redraw, "asks again");
    // Esc with the help open only closes it.
    a.cancel_asked = None;
    a.show_keys();
    assert_eq!(a.on_key(key(KeyCode::Esc)), Action::Redraw);
    assert!(!a.showing_keys() && a.cancel_asked.is_none());
    // During the demo any key hands control back (Ctrl-C still quits).
    a.demo_playing = true;
    assert_eq!(a.on_key(key(KeyCode::Char('z'))), Action::StopDemo);
    assert_eq!(a.on_key(ctrl('c')), Action::Quit);
}

#[test]
fn pgup_pgdn_scroll_output_and_options() {
    let mut a = app();
    a.viewport = ratatui::layout::Rect::new(0, 0, 120, 40);
    a.begin_output("scan");
    for i in 0..100 {
        a.output.push(&format!("row {i}"), OutKind::Normal);
    }
    let page = a.output_page();
    assert!(page >= 5, "{page}");
    a.on_key(key(KeyCode::PageDown));
    assert_eq!(a.output.scroll, page);
    for _ in 0..50 {
        a.on_key(key(KeyCode::PageDown));
    }
    assert_eq!(a.output.scroll, 100 - page, "stops at the last page");
    a.on_key(key(KeyCode::PageUp));
    assert_eq!(a.output.scroll, 100 - 2 * page);
    // Sideways, with the Output pane focused and an empty line.
    a.output.push(&"x".repeat(200), OutKind::Normal);
    a.on_key(key(KeyCode::Right));
    assert_eq!(a.output.hscroll, 8);
    a.on_key(key(KeyCode::Left));
    assert_eq!(a.output.hscroll, 0);
    // Options focused: PgDn scrolls the option list instead.
    a.options = DbOptions::default().describe();
    a.on_key(key(KeyCode::F(8)));
    a.on_key(key(KeyCode::PageDown));
    assert_eq!(a.options_scroll, 8);
    assert_eq!(a.output.scroll, 100 - 2 * page);
}

// ---- the input line

#[test]
fn input_editing() {
    let mut i = InputLine::new(History::new());
    i.insert_str("get 12");
    i.left();
    i.left();
    i.insert_char('x');
    assert_eq!(i.text(), "get x12");
    assert_eq!(i.cursor_col(), 5);
    i.backspace();
    i.delete();
    assert_eq!(i.text(), "get 2");
    i.home();
    i.delete();
    assert_eq!(i.text(), "et 2");
    i.end();
    i.delete_word();
    assert_eq!(i.text(), "et ");
    i.insert_str("é€ multi\nline");
    assert_eq!(
        i.text(),
        "et é€ multi line",
        "pasted line breaks become spaces"
    );
    i.left();
    i.kill_to_end();
    assert_eq!(i.text(), "et é€ multi lin");
    i.kill_to_start();
    assert_eq!(i.text(), "");
}

#[test]
fn history_navigation_keeps_the_draft() {
    let mut h = History::new();
    h.push("put 1 a");
    h.push("get 1");
    let mut i = InputLine::new(h);
    i.insert_str("dra");
    i.history_prev();
    assert_eq!(i.text(), "get 1");
    i.history_prev();
    assert_eq!(i.text(), "put 1 a");
    i.history_prev();
    assert_eq!(i.text(), "put 1 a", "stays at the oldest");
    i.history_next();
    assert_eq!(i.text(), "get 1");
    i.history_next();
    assert_eq!(i.text(), "dra");
    assert_eq!(i.submit(), "dra");
    assert_eq!(
        i.history().entries().last().map(String::as_str),
        Some("dra")
    );
}

#[test]
fn reverse_search() {
    let mut h = History::new();
    for e in ["put 1 a", "get 1", "put 2 b", "count"] {
        h.push(e);
    }
    let mut i = InputLine::new(h);
    i.search_back();
    i.insert_str("put");
    assert_eq!(i.search_match(), Some("put 2 b"));
    i.search_back();
    assert_eq!(i.search_match(), Some("put 1 a"), "Ctrl-R again: older");
    i.search_back();
    assert!(i.search().is_some_and(|s| s.failed));
    i.insert_char('x');
    assert!(i.search().is_some_and(|s| s.failed));
    i.backspace();
    assert_eq!(i.search_match(), Some("put 2 b"));
    // Enter runs the match.
    assert_eq!(i.submit(), "put 2 b");
    // Esc ends a search leaving the line as it was.
    i.insert_str("co");
    i.search_back();
    i.insert_str("get");
    assert!(i.cancel_search());
    assert_eq!(i.text(), "co");
    // A move key accepts the match into the line.
    i.search_back();
    i.insert_str("cou");
    i.end();
    assert_eq!(i.text(), "count");
}

#[test]
fn completion() {
    let mut i = InputLine::new(History::new());
    i.insert_str(".set value_cache_e");
    assert_eq!(i.complete(), Completion::Completed);
    assert_eq!(i.text(), ".set value_cache_entries ");
    i.clear();
    i.insert_str(".set refr");
    assert_eq!(i.complete(), Completion::Completed, "dashboard setting");
    assert_eq!(i.text(), ".set refresh_ms ");
    i.clear();
    i.insert_str(".exp");
    assert_eq!(i.complete(), Completion::Completed);
    assert_eq!(i.text(), ".export ");
    assert_eq!(
        i.complete(),
        Completion::Candidates(vec!["metrics".into(), "screen".into()])
    );
    i.insert_str("m");
    i.complete();
    assert_eq!(i.text(), ".export metrics ");
    i.clear();
    i.insert_str(".set compaction_style ");
    match i.complete() {
        Completion::Candidates(c) => assert!(c.contains(&"universal".to_string()), "{c:?}"),
        other => panic!("{other:?}"),
    }
    i.clear();
    i.insert_str("zzz");
    assert_eq!(i.complete(), Completion::None);
    assert_eq!(i.text(), "zzz");
    // The usage hint after a unique command.
    i.clear();
    i.insert_str("sc");
    assert_eq!(i.hint().as_deref(), Some("an A B [limit N]"));
}

// ---- the demo player

#[test]
fn demo_script_parses_and_plays_against_a_clock() {
    let steps = demo::parse(demo::SCRIPT).expect("shipped demo parses");
    let runs: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Run(r) => Some(r.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(runs[0], ".load random 200000 --value-size 100");
    assert!(runs.contains(&".ycsb b --records 200000 --duration 90s &"));
    assert!(runs.contains(&".set compaction_style universal"));
    // Issue 14: the demo shows the tuning workbench.
    for cmd in [
        ".baseline save start --window 5s",
        ".compare start now",
        ".advise",
    ] {
        assert!(runs.contains(&cmd), "{cmd} missing from the demo");
    }
    for r in &runs {
        command::parse_command(r).unwrap_or_else(|e| panic!("{r}: {e}"));
    }
    assert!(demo::parse("-- pause soon").is_err());

    let steps = demo::parse("-- say hi\nput 1 a\n-- pause 2\nget 1\n").expect("parses");
    assert_eq!(steps.len(), 4);
    let t0 = Instant::now();
    let mut p = Player::new(steps, t0);
    assert_eq!(p.poll(t0, false), Cue::Say("hi".into()));
    assert_eq!(p.poll(t0, false), Cue::Type("put 1 a".into()));
    assert_eq!(p.poll(t0, false), Cue::Wait, "shown before it runs");
    let t1 = t0 + demo::TYPE_DELAY;
    assert_eq!(p.poll(t1, false), Cue::Run("put 1 a".into()));
    // The script's pause follows: nothing for 2 s.
    assert_eq!(p.poll(t1, false), Cue::Wait);
    assert_eq!(p.poll(t1 + Duration::from_millis(1900), false), Cue::Wait);
    let t2 = t1 + Duration::from_secs(2);
    assert_eq!(p.poll(t2, false), Cue::Type("get 1".into()));
    // A foreground job holds the script until it ends.
    let t3 = t2 + demo::TYPE_DELAY;
    assert_eq!(p.poll(t3, false), Cue::Run("get 1".into()));
    p.waiting_for_job = Some(1);
    let t4 = t3 + Duration::from_secs(60);
    assert_eq!(p.poll(t4, true), Cue::Wait);
    assert_eq!(p.poll(t4, false), Cue::Wait, "then the default gap");
    assert_eq!(p.poll(t4 + demo::DEFAULT_GAP, false), Cue::Finished);
    assert!(p.is_finished());
}

// ---- the runner against a real database

fn output_text(r: &Runner) -> String {
    r.app
        .output
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn commands_run_through_the_executor() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    let s = r.submit(&mut e, "put 1 a; get 1");
    assert_eq!(s.failed, 0);
    let out = output_text(&r);
    assert!(out.contains("OK (new key)"), "{out}");
    assert!(out.contains("|   1 | a     |"), "{out}");
    assert_eq!(r.app.output.title, "put 1 a; get 1");
    // .mode applies: csv rows.
    r.submit(&mut e, ".mode csv");
    r.submit(&mut e, "get 1");
    assert_eq!(output_text(&r), "key,value\n1,a");
    // .timer adds a note line.
    r.submit(&mut e, ".timer on");
    r.submit(&mut e, "count");
    assert!(
        r.app
            .output
            .lines
            .iter()
            .any(|l| l.kind == OutKind::Note && l.text.contains("Run Time"))
    );
    assert!(r.submit(&mut e, ".quit").quit);
}

/// Issue 15's fuzz run: an error quoting bad input shows its control bytes escaped in
/// the output pane and the event log, as the line shell does, never raw.
#[test]
fn dashboard_error_lines_escape_control_bytes() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    let s = r.submit(&mut e, "get 1\u{1b}[2J");
    assert_eq!(s.failed, 1);
    let out = output_text(&r);
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(out.contains("\\u{1b}"), "{out:?}");
    assert!(r.app.log.iter().all(|l| !l.text.contains('\u{1b}')));
}

#[test]
fn bad_input_is_one_error_line_and_a_log_entry() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    for bad in [
        "gte 1",
        "put",
        "get 99999999999999999999",
        "SELECT * FROM nope;",
        ".set nope 1",
        "'",
    ] {
        let s = r.submit(&mut e, bad);
        assert_eq!(s.failed, 1, "{bad}");
        let errors: Vec<_> = r
            .app
            .output
            .lines
            .iter()
            .filter(|l| l.kind == OutKind::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{bad}: {:?}", r.app.output.lines);
        assert!(errors[0].text.starts_with("error: "), "{}", errors[0].text);
        let last = r.app.log.back().expect("logged");
        assert_eq!(last.kind, LogKind::Error);
        let first = bad.split_whitespace().next().unwrap_or(bad);
        assert!(last.text.starts_with(first), "{}", last.text);
    }
    // Nothing changed.
    r.submit(&mut e, "count");
    assert!(output_text(&r).contains("|     0 |"), "{}", output_text(&r));
}

#[test]
fn dashboard_commands() {
    let (d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    r.submit(&mut e, ".set refresh_ms 100");
    assert_eq!(r.app.refresh_ms, 100);
    assert!(output_text(&r).contains("refresh_ms: 250 -> 100"));
    for bad in [
        ".set refresh_ms 5",
        ".set refresh_ms fast",
        ".set refresh_ms",
        ".export",
        ".export metrics x.txt",
    ] {
        assert_eq!(r.submit(&mut e, bad).failed, 1, "{bad}");
        assert_eq!(r.app.refresh_ms, 100);
    }
    r.submit(&mut e, ".reset refresh_ms");
    assert_eq!(r.app.refresh_ms, 250);
    // The engine never saw refresh_ms.
    assert!(
        !e.db()
            .options()
            .describe()
            .iter()
            .any(|o| o.name == "refresh_ms")
    );

    r.submit(&mut e, "put 5 five");
    r.sample(&e);
    r.submit(&mut e, ".set value_cache_entries 10");
    r.sample(&e);
    let csv = d.path().join("m.csv");
    let json = d.path().join("m.json");
    let screen = d.path().join("screen.txt");
    let s = r.submit(
        &mut e,
        &format!(
            ".export metrics {}; .export metrics {}; .export screen {}",
            csv.display(),
            json.display(),
            screen.display()
        ),
    );
    assert_eq!(s.failed, 0, "{}", output_text(&r));
    let csv = std::fs::read_to_string(csv).expect("csv");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("json")).expect("valid");
    assert_eq!(json["markers"][0]["label"], "value_cache_entries=10");
    let screen = std::fs::read_to_string(screen).expect("screen");
    assert_eq!(screen.lines().count(), 40);
    assert!(screen.contains("F8 Options"), "{screen}");
    assert!(screen.contains("*value_cache_entries"), "{screen}");
    // It is the screen as drawn before the export's own message.
    assert!(!screen.contains("wrote the screen"), "{screen}");
    assert!(screen_text(&r.app, r.app.viewport).contains("wrote the screen"));
    // Unwritable path: one error.
    assert_eq!(
        r.submit(&mut e, ".export screen /nonexistent/dir/x").failed,
        1
    );
}

#[test]
fn sampling_fills_the_panes_data() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    r.submit(&mut e, "put 1 a; put 2 b; get 1; get 2; get 3");
    r.sample(&e);
    let s = r.app.series.latest().expect("sample").clone();
    assert_eq!(s.snapshot.index.keys, 2);
    assert_eq!(s.writes, 2);
    assert_eq!(s.reads, 3);
    assert!(r.app.system.is_some_and(|m| m.total > 0));
    r.submit(&mut e, ".set value_cache_entries 10");
    r.sample(&e);
    let o = r
        .app
        .options
        .iter()
        .find(|o| o.name == "value_cache_entries")
        .expect("option");
    assert!(o.changed);
    assert_eq!(o.value, "10");
    assert_eq!(r.app.series.markers().len(), 1);
    assert!(
        r.app
            .log
            .iter()
            .any(|l| l.kind == LogKind::Option && l.text.contains("-> 10"))
    );
}

#[test]
fn jobs_show_progress_then_their_result_and_can_be_cancelled() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let id = e.jobs().spawn("load", ".load test 100", "rows", move |h| {
        h.set_phase("loading", Some(100));
        h.set_done(40);
        go_rx.recv().ok();
        h.set_done(100);
        Ok(Outcome::Message("loaded 100 rows".into()))
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        r.poll_jobs(&e);
        if r.app.running_jobs().next().is_some_and(|j| j.done == 40) {
            break;
        }
        assert!(Instant::now() < deadline, "job never reported progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    let j = r.app.running_jobs().next().expect("running").clone();
    assert_eq!(j.fraction(), Some(0.4));
    // The gauge is drawn.
    let screen = screen_text(&r.app, ratatui::layout::Rect::new(0, 0, 120, 40));
    assert!(screen.contains("[1] .load test 100"), "{screen}");
    assert!(screen.contains("40.0%"), "{screen}");
    // Commands still run while it works.
    assert_eq!(r.submit(&mut e, "put 1 a").failed, 0);
    go_tx.send(()).expect("go");
    e.jobs().wait(id, Duration::from_secs(10));
    r.poll_jobs(&e);
    assert!(r.app.running_jobs().next().is_none());
    assert!(
        output_text(&r).contains("loaded 100 rows"),
        "{}",
        output_text(&r)
    );
    assert!(r.app.output.title.contains("done"));
    assert!(
        r.app
            .log
            .iter()
            .any(|l| l.kind == LogKind::Job && l.text.contains("done"))
    );

    // Esc's cancel: the job sees the request and stops early.
    let id2 = e.jobs().spawn("load", ".load forever", "rows", |h| {
        while !h.cancelled() {
            h.add_done(1);
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(Outcome::Message("stopped".into()))
    });
    r.poll_jobs(&e);
    assert_eq!(r.cancel_job(&e), Some(id2));
    let st = e.jobs().wait(id2, Duration::from_secs(10)).expect("status");
    assert_eq!(st.state, JobState::Done { cancelled: true });
    r.poll_jobs(&e);
    assert!(
        r.app.output.title.contains("cancelled"),
        "{}",
        r.app.output.title
    );
    assert_eq!(r.cancel_job(&e), None, "nothing left to cancel");
}

/// `.compact` and a `.set` that reopens run as jobs in the dashboard (the loop keeps
/// drawing), and their results reach the output pane; the data is unchanged.
#[test]
fn compact_and_reopening_set_run_as_jobs() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    assert_eq!(r.submit(&mut e, "put 1 a; put 2 b; .flush").failed, 0);
    let res = r.submit(&mut e, ".compact");
    assert_eq!(res.failed, 0);
    assert!(
        output_text(&r).contains("started: .compact"),
        "{}",
        output_text(&r)
    );
    assert!(
        output_text(&r).contains("it cannot be cancelled once started")
            && !output_text(&r).contains("Esc cancels"),
        "{}",
        output_text(&r)
    );
    let id = e.jobs().list().last().expect("a job").id;
    let st = e.jobs().wait(id, Duration::from_secs(30)).expect("status");
    assert_eq!(st.kind, "compact");
    assert_eq!(st.state, JobState::Done { cancelled: false });
    r.poll_jobs(&e);
    assert!(
        output_text(&r).contains("compacted in"),
        "{}",
        output_text(&r)
    );
    assert_eq!(r.submit(&mut e, "count").failed, 0);
    assert!(output_text(&r).contains("|     2 |"), "{}", output_text(&r));

    // A `.set` that reopens RocksDB is a job too; a bad value is refused at once.
    assert_eq!(r.submit(&mut e, ".set compaction_style sideways").failed, 1);
    assert!(e.jobs().list().iter().all(|j| j.kind != "reopen"));
    assert_eq!(
        r.submit(&mut e, ".set compaction_style universal").failed,
        0
    );
    let job = e.jobs().list().last().expect("a job").clone();
    assert_eq!(job.kind, "reopen");
    let st = e
        .jobs()
        .wait(job.id, Duration::from_secs(30))
        .expect("status");
    assert_eq!(st.state, JobState::Done { cancelled: false });
    r.poll_jobs(&e);
    r.sample(&e);
    assert!(
        output_text(&r).contains("level -> universal (reopened in"),
        "{}",
        output_text(&r)
    );
    assert!(
        r.app
            .series
            .markers()
            .iter()
            .any(|m| m.label.starts_with("compaction_style=universal")),
        "the reopen is marked on the charts"
    );
    assert_eq!(r.submit(&mut e, "get 2").failed, 0);
    assert!(output_text(&r).contains("| b "), "{}", output_text(&r));
}

/// A job's gauge row fits the screen whatever the widths of its numbers: the
/// "Esc cancels" at its end is never cut (it was, by one cell, once the count had five
/// characters).
#[test]
fn job_gauge_row_fits_its_width() {
    for (done, total) in [
        (5u64, 50_000_000u64),
        (12_345_678, 50_000_000),
        (50_000_000, 50_000_000),
    ] {
        for width in [80u16, 120] {
            let mut app = App::new("/db", InputLine::new(History::new()));
            app.jobs = vec![JobStatus {
                id: 1,
                kind: "load",
                label: ".load sequential 50000000 --value-size 10".into(),
                phase: "loading".into(),
                state: JobState::Running,
                done,
                total: Some(total),
                unit: "rows",
                elapsed: Duration::from_millis(12_300),
                result: None,
            }];
            let screen = screen_text(&app, ratatui::layout::Rect::new(0, 0, width, 24));
            let row = screen
                .lines()
                .find(|l| l.contains("[1] .load"))
                .unwrap_or_else(|| panic!("no gauge row:\n{screen}"));
            assert!(
                row.trim_end().ends_with("Esc cancels"),
                "{width} wide, {done}/{total}: {row:?}"
            );
        }
    }
}

/// Runs the dashboard's loop body (sample, poll jobs, draw) until job `id` finishes;
/// returns the frames drawn meanwhile.
fn draw_until_done(r: &mut Runner, e: &Executor, id: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut frames = Vec::new();
    loop {
        let running = e.jobs().status(id).is_some_and(|s| s.is_running());
        r.sample(e);
        r.poll_jobs(e);
        frames.push(screen_text(
            &r.app,
            ratatui::layout::Rect::new(0, 0, 120, 40),
        ));
        if !running {
            return frames;
        }
        assert!(Instant::now() < deadline, "job {id} never finished");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A new-files option that RocksDB refuses live falls back to a reopen: the engine's
/// plan says so beforehand, so `.set` runs as a job and the runner keeps sampling and
/// drawing until it is done; `.reset NAME`, `.reset all` and `.profile load` that may
/// reopen are jobs too, and a live change is answered at once.
#[test]
fn changes_that_may_reopen_run_as_jobs_while_frames_are_drawn() {
    let (d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    assert_eq!(r.submit(&mut e, "put 1 a; put 2 b").failed, 0);
    e.db().fail_next_live_set();
    e.db().slow_next_reopen(400);
    let res = r.submit(&mut e, ".set block_size 8KiB");
    assert_eq!(res.failed, 0, "{}", output_text(&r));
    assert_eq!(
        res.foreground_jobs.len(),
        1,
        "a job, so submit returned at once"
    );
    let id = res.foreground_jobs[0];
    assert!(output_text(&r).contains("started: .set block_size 8KiB"));
    let job = e.jobs().status(id).expect("job");
    assert_eq!(job.kind, "reopen");
    let frames = draw_until_done(&mut r, &e, id);
    // The reopen takes at least 400 ms; every frame but the last was drawn while the job
    // ran, so the dashboard kept drawing through the reopen.
    assert!(frames.len() >= 10, "only {} frames", frames.len());
    let out = output_text(&r);
    assert!(
        out.contains("block_size: 16KiB -> 8KiB (reopened in"),
        "{out}"
    );
    assert!(out.contains("RocksDB refused it live"), "{out}");
    assert_eq!(e.db().options().block_size, 8192);
    assert_eq!(r.submit(&mut e, "get 2").failed, 0);
    assert!(output_text(&r).contains("| b "), "{}", output_text(&r));

    // A live change needs no job.
    let res = r.submit(&mut e, ".set value_cache_entries 10");
    assert!(res.foreground_jobs.is_empty());
    assert!(output_text(&r).contains("value_cache_entries: "));

    // .reset NAME, .profile load and .reset all plan first and run as jobs.
    let profile = d.path().join("p.toml");
    std::fs::write(&profile, "[options]\ncompaction_style = \"universal\"\n").expect("write");
    for (line, says) in [
        (
            ".reset block_size".to_string(),
            "block_size: 8KiB -> 16KiB".to_string(),
        ),
        (
            format!(".profile load {}", profile.display()),
            "compaction_style: level -> universal (reopened in".to_string(),
        ),
        (".reset all".to_string(), "universal -> level".to_string()),
    ] {
        let res = r.submit(&mut e, &line);
        assert_eq!(res.failed, 0, "{line}: {}", output_text(&r));
        assert_eq!(res.foreground_jobs.len(), 1, "{line}: {}", output_text(&r));
        let id = res.foreground_jobs[0];
        assert_eq!(e.jobs().status(id).expect("job").label, line);
        draw_until_done(&mut r, &e, id);
        assert!(
            output_text(&r).contains(&says),
            "{line}: {}",
            output_text(&r)
        );
    }
    assert_eq!(e.db().options(), DbOptions::default());
    // A bad profile is refused at once: no job.
    std::fs::write(&profile, "[options]\nblock_size = \"huge\"\n").expect("write");
    let res = r.submit(&mut e, &format!(".profile load {}", profile.display()));
    assert_eq!(res.failed, 1);
    assert!(res.foreground_jobs.is_empty());
}

#[test]
fn a_paste_of_many_lines_runs_each_line_in_order() {
    let mut a = app();
    typed(&mut a, "put 0 ");
    let mut text = "zero\n".to_string();
    for i in 1..1000 {
        text.push_str(&format!("put {i} v{i}\r\n"));
    }
    text.push_str("\nget 5");
    let Action::SubmitLines(lines) = a.on_paste(&text) else {
        panic!("a paste of many lines runs them");
    };
    assert_eq!(lines.len(), 1000, "blank lines are skipped");
    assert_eq!(
        lines[0], "put 0 zero",
        "the first line continues the typed text"
    );
    assert_eq!(lines[999], "put 999 v999");
    assert_eq!(a.input.text(), "get 5", "the unfinished last line waits");
    // A paste without a line break is just text in the input line.
    assert_eq!(a.on_paste(" and more"), Action::Redraw);
    assert_eq!(a.input.text(), "get 5 and more");

    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    let mut lines: Vec<String> = (0..1000).map(|i| format!("put {i} v{i}")).collect();
    lines.insert(500, "gte 1".into());
    let s = r.submit_lines(&mut e, &lines);
    assert_eq!((s.failed, s.quit), (1, false));
    let msg = "pasted 1001 lines: 1001 ran, 1 failed";
    assert_eq!(r.app.status.as_deref(), Some(msg));
    assert!(output_text(&r).contains(msg), "{}", output_text(&r));
    r.submit(&mut e, "count");
    assert!(output_text(&r).contains("1000"), "{}", output_text(&r));
    r.submit(&mut e, "get 999");
    assert!(output_text(&r).contains("v999"), "{}", output_text(&r));
}

#[test]
fn the_output_pane_keeps_earlier_commands_a_pgup_away() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    r.app.viewport = ratatui::layout::Rect::new(0, 0, 120, 40);
    r.submit(&mut e, "put 1 first-value");
    r.submit(&mut e, "get 1");
    for i in 0..60 {
        r.submit(&mut e, &format!("put {} v", i + 10));
    }
    r.submit(&mut e, "scan 10 69");
    let out = &r.app.output;
    assert_eq!(out.title, "scan 10 69");
    assert_eq!(out.history.len(), 62, "every earlier command kept");
    let view: Vec<String> = out.view().into_iter().map(|l| l.text).collect();
    let at = |s: &str| view.iter().position(|l| l == s).unwrap_or(usize::MAX);
    assert!(at("> put 1 first-value") < at("> get 1"), "{view:?}");
    assert!(
        view[at("> get 1")..]
            .iter()
            .any(|l| l.contains("first-value"))
    );
    assert_eq!(
        out.scroll,
        at("> scan 10 69"),
        "the newest command is shown"
    );
    // PgUp pages back until the first command's line is on screen.
    let page = r.app.output_page();
    for _ in 0..200 {
        r.app.on_key(key(KeyCode::PageUp));
    }
    assert_eq!(r.app.output.scroll, 0);
    let screen = screen_text(&r.app, r.app.viewport);
    assert!(screen.contains("> put 1 first-value"), "{screen}");
    r.app.on_key(key(KeyCode::PageDown));
    assert_eq!(r.app.output.scroll, page);
    // Bounded: the oldest commands go first.
    for i in 0..200 {
        r.submit(&mut e, &format!("get {i}"));
    }
    let out = &r.app.output;
    assert_eq!(out.history.len(), 100);
    assert_eq!(
        out.history.back().map(|b| b.title.as_str()),
        Some("get 198")
    );
    assert!(out.view_len() <= 1000 + 2 + out.lines.len());
    // One huge result keeps its first lines and says how many it did not keep; the
    // results above it stay.
    let many = "x\n".repeat(3000);
    r.app.begin_output("big");
    r.app.output.push(&many, OutKind::Normal);
    r.app.begin_output("after");
    let out = &r.app.output;
    assert_eq!(out.history.len(), 100, "earlier commands kept");
    assert!(out.history.iter().any(|b| b.title == "get 198"));
    let big = out.history.back().expect("the big result");
    assert_eq!(big.title, "big");
    assert!(
        big.lines.len() <= DEFAULT_OUTPUT_ROWS + 10,
        "{}",
        big.lines.len()
    );
    let last = &big.lines[big.lines.len() - 1];
    assert!(last.text.starts_with("… 1,99"), "{}", last.text);
    assert!(last.text.contains("more lines not kept"), "{}", last.text);
    // A line of megabytes (`.width off`) keeps its first characters.
    r.app.output.push(&"v".repeat(1 << 20), OutKind::Normal);
    let kept = r
        .app
        .output
        .lines
        .last()
        .map_or(0, |l| l.text.chars().count());
    assert!(kept <= 4097, "{kept}");
}

/// Issue 30: in the dashboard a statement continues until its `;`, as in the line
/// shell and `--script`; dot-commands and data commands still run on Enter; each
/// statement enters the history as one entry; Esc on an empty line drops it.
#[test]
fn a_statement_continues_until_its_semicolon() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    for i in 1..=9 {
        assert_eq!(r.submit(&mut e, &format!("put {i} v{i}")).failed, 0);
    }
    let res = r.submit_line(&mut e, "SELECT * FROM kv");
    assert_eq!(res.ran, 0, "no `;` yet: it waits");
    assert!(!r.app.pending.is_empty());
    let screen = screen_text(&r.app, r.app.viewport);
    assert!(screen.contains("   ...>"), "{screen}");
    assert!(screen.contains("waiting for ;"), "{screen}");
    let res = r.submit_line(&mut e, " WHERE key BETWEEN 5 AND 6;");
    assert_eq!((res.ran, res.failed), (1, 0));
    let out = output_text(&r);
    assert!(out.contains("v5") && out.contains("v6"), "{out}");
    assert!(!out.contains("v4") && !out.contains("v7"), "{out}");
    assert_eq!(
        r.app.output.title,
        "SELECT * FROM kv WHERE key BETWEEN 5 AND 6;"
    );
    let last = |r: &Runner| r.app.input.history().entries().last().cloned();
    assert_eq!(
        last(&r).as_deref(),
        Some("SELECT * FROM kv WHERE key BETWEEN 5 AND 6;")
    );
    assert!(
        screen_text(&r.app, r.app.viewport)
            .lines()
            .any(|l| l == "alexdb>")
    );
    assert_eq!(r.submit_line(&mut e, "get 5").ran, 1, "runs on Enter");
    assert_eq!(r.submit_line(&mut e, ".timer off").ran, 1);

    // A paste runs as --script would; its statements enter the history.
    let lines: Vec<String> = ["SELECT key FROM kv", "WHERE key >= 2 AND key < 4;", "get 9"]
        .map(String::from)
        .to_vec();
    let s = r.submit_lines(&mut e, &lines);
    assert_eq!((s.ran, s.failed), (2, 0));
    assert_eq!(
        r.app.status.as_deref(),
        Some("pasted 3 lines: 2 ran, 0 failed")
    );
    let entries = r.app.input.history().entries();
    assert!(
        entries
            .iter()
            .any(|h| h == "SELECT key FROM kv WHERE key >= 2 AND key < 4;")
    );
    assert_eq!(last(&r).as_deref(), Some("get 9"));

    // Esc on an empty line drops an unfinished statement (text in the line goes first).
    r.submit_line(&mut e, "SELECT * FROM kv");
    typed(&mut r.app, "WHERE");
    r.app.on_key(key(KeyCode::Esc));
    assert!(!r.app.pending.is_empty() && r.app.input.is_empty());
    r.app.on_key(key(KeyCode::Esc));
    assert!(r.app.pending.is_empty());
    assert_eq!(
        r.app.on_key(key(KeyCode::Enter)),
        Action::Redraw,
        "nothing to run"
    );
}

/// Issue 30: a result of more rows than the pane keeps asks the executor for only
/// those and counts the rest; earlier results stay above it; `.output FILE` gets all.
#[test]
fn a_big_result_keeps_its_first_rows_and_the_results_above_it() {
    let (d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    assert_eq!(r.submit(&mut e, ".load sequential 5000").failed, 0);
    let id = e.jobs().list().last().expect("a job").id;
    e.jobs().wait(id, Duration::from_secs(60)).expect("loaded");
    r.poll_jobs(&e);
    assert_eq!(r.submit(&mut e, ".set output_rows 100").failed, 0);
    assert!(output_text(&r).contains("output_rows: 1000 -> 100"));
    r.submit(&mut e, "count");
    assert_eq!(r.submit_line(&mut e, "SELECT * FROM kv;").failed, 0);
    let rows = r
        .app
        .output
        .lines
        .iter()
        .filter(|l| l.text.starts_with("| "))
        .count();
    assert_eq!(rows, 101, "the header and 100 rows");
    let out = output_text(&r);
    assert!(out.contains("… 4,900 more rows not kept"), "{out}");
    let count = r.app.output.history.back().expect("count");
    assert_eq!(count.title, "count");
    assert!(count.lines.iter().any(|l| l.text.contains("5000")));
    r.submit(&mut e, "scan 0 100000 limit 150");
    assert!(output_text(&r).contains("… 50 more rows not kept"));
    r.submit(&mut e, "SELECT key FROM kv LIMIT 100;");
    assert!(!output_text(&r).contains("not kept"), "{}", output_text(&r));
    // Results written to a file are whole.
    let file = d.path().join("all.csv");
    r.submit(&mut e, &format!(".output {}", file.display()));
    r.submit(&mut e, "SELECT key FROM kv;");
    r.submit(&mut e, ".output stdout");
    let written = std::fs::read_to_string(&file).expect("written");
    assert!(
        written.lines().count() >= 5000,
        "{}",
        written.lines().count()
    );
    // The setting's bounds; `.reset` puts the default back.
    assert_eq!(r.submit(&mut e, ".set output_rows 3").failed, 1);
    assert_eq!(r.submit(&mut e, ".set output_rows many").failed, 1);
    assert_eq!(r.submit(&mut e, ".reset output_rows").failed, 0);
    assert_eq!(r.app.output.keep_rows, DEFAULT_OUTPUT_ROWS);
}

/// Issue 30: `.help` opens a full-width view that scrolls and closes with Esc or q; a
/// short `.help CMD` stays in the output pane.
#[test]
fn help_opens_a_scrollable_full_width_view() {
    let (_d, mut e) = exec();
    let mut r = Runner::new(&e, History::new());
    r.app.viewport = ratatui::layout::Rect::new(0, 0, 80, 24);
    assert_eq!(r.submit_line(&mut e, ".help").failed, 0);
    let pager = r.app.pager.clone().expect("the help view");
    let text = pager.lines.join("\n");
    for wanted in [
        ".help [CMD|OPTION]",
        "key >= A AND key < B;",
        "one range delete",
        ".export metrics F.svg",
    ] {
        assert!(text.contains(wanted), "{wanted:?} missing:\n{text}");
    }
    let screen = screen_text(&r.app, r.app.viewport);
    let (w, h) = alexdb::tui::screen::pager_text_size(&r.app.shape());
    assert_eq!(w, 78, "the whole width inside its border");
    assert!(screen.contains("Esc or q closes"), "{screen}");
    assert!(screen.contains(&format!(" 1-{h} of")), "{screen}");
    r.app.on_key(key(KeyCode::PageDown));
    assert_eq!(r.app.pager.as_ref().map(|p| p.scroll), Some(h));
    let screen = screen_text(&r.app, r.app.viewport);
    assert!(
        screen.contains(&format!(" {}-{} of", h + 1, 2 * h)),
        "{screen}"
    );
    typed(&mut r.app, "x");
    assert!(r.app.input.is_empty(), "keys do not reach the input line");
    r.app.on_key(key(KeyCode::Esc));
    assert!(r.app.pager.is_none());
    r.submit_line(&mut e, ".help");
    r.app.on_key(key(KeyCode::Char('q')));
    assert!(r.app.pager.is_none());
    // At 120x40 the usage of one command fits the output pane.
    r.app.viewport = ratatui::layout::Rect::new(0, 0, 120, 40);
    r.submit_line(&mut e, ".help get");
    assert!(r.app.pager.is_none());
    assert!(output_text(&r).contains("get K"), "{}", output_text(&r));
}

fn running(kind: &'static str, label: &str, phase: &str, secs: u64) -> JobStatus {
    JobStatus {
        id: 3,
        kind,
        label: label.into(),
        phase: phase.into(),
        state: JobState::Running,
        done: 120_000,
        total: None,
        unit: "ops",
        elapsed: Duration::from_secs(secs),
        result: None,
    }
}

/// Issue 30: a job that runs for a set time shows how far through it is, counted from
/// the start of its measured run.
#[test]
fn a_timed_job_shows_its_time_against_its_duration() {
    let mut a = app();
    a.viewport = ratatui::layout::Rect::new(0, 0, 120, 40);
    a.job_clocks.insert(
        3,
        alexdb::tui::app::JobClock {
            duration: Duration::from_secs(60),
            ..Default::default()
        },
    );
    a.set_jobs(vec![running("ycsb", ".ycsb b for 60 s", "reading keys", 1)]);
    assert_eq!(a.timed(&a.jobs[0]), None, "not yet in its measured run");
    a.set_jobs(vec![running(
        "ycsb",
        ".ycsb b for 60 s",
        "ycsb-b alexdb",
        5,
    )]);
    a.set_jobs(vec![running(
        "ycsb",
        ".ycsb b for 60 s",
        "ycsb-b alexdb",
        35,
    )]);
    assert_eq!(
        a.timed(&a.jobs[0]),
        Some((Duration::from_secs(30), Duration::from_secs(60)))
    );
    let screen = screen_text(&a, a.viewport);
    let row = screen
        .lines()
        .find(|l| l.contains("[3] .ycsb b"))
        .expect("gauge");
    assert!(row.contains("50.0% 30 of 60 s"), "{row}");
    assert!(
        row.contains(&"█".repeat(10)),
        "a bar, not a moving block: {row}"
    );
    // The clock goes with the job.
    a.set_jobs(Vec::new());
    assert!(a.job_clocks.is_empty());
}

/// Issue 30: Esc says that a compaction cannot be cancelled rather than offering to.
#[test]
fn esc_on_a_compaction_says_it_runs_to_the_end() {
    let mut a = app();
    a.jobs = vec![running("compact", ".compact", "compacting", 2)];
    assert_eq!(a.on_key(key(KeyCode::Esc)), Action::Redraw);
    let said = a.status.clone().unwrap_or_default();
    assert!(said.contains("cannot be cancelled once started"), "{said}");
    assert_ne!(a.on_key(key(KeyCode::Esc)), Action::CancelJob);
}

/// Issue 30: the header's "up" is the session's time, which `.open` does not reset.
#[test]
fn the_header_shows_the_sessions_uptime() {
    let mut a = app();
    a.push_sample(75.0, snap(3.0, 0, 0));
    let screen = screen_text(&a, ratatui::layout::Rect::new(0, 0, 120, 40));
    assert!(
        screen.lines().next().is_some_and(|l| l.contains("up 1:15")),
        "{screen}"
    );
}

/// The demo's length as the README and docs/dashboard.md give it ("about 90 s", issue
/// 30) is the script's: its pauses and typing played against a fake clock, plus a few
/// seconds for the load and the reopens (87 s measured).
#[test]
fn demo_length_is_stated_as_the_script_plays() {
    let steps = demo::parse(demo::SCRIPT).expect("shipped demo parses");
    let t0 = std::time::Instant::now();
    let mut p = Player::new(steps, t0);
    let mut now = t0;
    while p.poll(now, false) != Cue::Finished {
        now = p.next_at().max(now + std::time::Duration::from_millis(1));
    }
    let secs = (now - t0).as_secs_f64();
    assert!(
        (75.0..=90.0).contains(&secs),
        "the script plays for {secs:.1} s"
    );
    let readme = include_str!("../../README.md");
    assert!(readme.contains("a guided demo (about 90 s)"));
    let dash = include_str!("../../docs/dashboard.md");
    assert!(dash.contains("in about 90 s"));
    assert!(dash.contains("starts a 90 s YCSB-B run"));
    assert!(demo::SCRIPT.contains("--duration 90s") && demo::SCRIPT.contains("runs for 90 s"));
    for text in [readme, dash] {
        assert!(!text.contains("one-minute guided demo") && !text.contains("a 60 s YCSB-B"));
    }
}

// ---- issue 32: stall markers, listener events in the log, LSM columns in the export

fn stall_event(id: u64, at: f64, from: &'static str, to: &'static str, cause: &str) -> Event {
    Event {
        kind: "stall",
        option: None,
        label: format!("stall {to}"),
        lsm: Some(engine::metrics::LsmEvent {
            reason: cause.into(),
            stall_from: Some(from),
            stall_to: Some(to),
            ..Default::default()
        }),
        ..option_event(id, at, "", "", "")
    }
}

#[test]
fn stall_changes_are_markers_that_merge_when_they_flap() {
    let mut s = Series::with_capacity(100);
    let mut sn = snap(5.0, 10, 5);
    sn.events
        .push(stall_event(1, 5.0, "normal", "delayed", "l0 files"));
    s.push(5.0, sn);
    assert_eq!(s.markers().len(), 1);
    let m = &s.markers()[0];
    assert_eq!(
        (m.kind.as_str(), m.label.as_str()),
        ("stall", "stall delayed (l0 files)")
    );
    assert_eq!(m.text, "write stall normal -> delayed (l0 files)");
    // Within a second of the last change: the same marker, where the stall began,
    // labelled with the latest state and the changes it holds; a flapping stall stays
    // one marker as long as the changes keep coming.
    let mut sn = snap(5.5, 10, 5);
    sn.events
        .push(stall_event(2, 5.5, "delayed", "stopped", "l0 files"));
    sn.events
        .push(stall_event(3, 5.5, "stopped", "delayed", "l0 files"));
    s.push(5.5, sn);
    let mut sn = snap(6.2, 10, 5);
    sn.events
        .push(stall_event(4, 6.2, "delayed", "stopped", "memtables"));
    s.push(6.2, sn);
    assert_eq!(s.markers().len(), 1, "{:?}", s.markers());
    assert_eq!(s.markers()[0].label, "stall stopped (memtables) ×4");
    assert_eq!(s.markers()[0].t, 5.0);
    // Later: a marker of its own; back to normal says the stall is over.
    let mut sn = snap(9.0, 10, 5);
    sn.events.push(stall_event(5, 9.0, "stopped", "normal", ""));
    s.push(9.0, sn);
    assert_eq!(s.markers().len(), 2);
    assert_eq!(s.markers()[1].label, "stall over");
    // Other charts than Throughput draw only the changes people made.
    let mut sn = snap(10.0, 10, 5);
    sn.events
        .push(option_event(6, 10.0, "block_size", "8KiB", "new files"));
    s.push(10.0, sn);
    let changes: Vec<&str> = s.change_markers().map(|m| m.label.as_str()).collect();
    assert_eq!(changes, vec!["block_size=8KiB"]);
    // The CSV's markers column holds them all.
    assert!(s.to_csv().contains("stall over"));
}

#[test]
fn listener_events_are_logged_with_reason_levels_bytes_and_records() {
    let mut a = app();
    let mut sn = snap(3.0, 10, 5);
    sn.events.push(Event {
        kind: "compaction",
        secs: 1.25,
        lsm: Some(engine::metrics::LsmEvent {
            reason: "level size".into(),
            job: 7,
            from_level: 1,
            to_level: 2,
            bytes_in: 3 << 20,
            bytes_out: 2 << 20,
            records_in: 40_000,
            records_out: 39_000,
            files_in: 3,
            files_out: 2,
            ..Default::default()
        }),
        ..option_event(1, 3.0, "", "", "")
    });
    sn.events
        .push(stall_event(2, 3.0, "normal", "delayed", "memtables"));
    sn.events.push(Event {
        kind: "flush",
        lsm: Some(engine::metrics::LsmEvent {
            reason: "write buffer full".into(),
            bytes_out: 1400,
            records_out: 1,
            ..Default::default()
        }),
        ..option_event(3, 3.0, "", "", "")
    });
    a.push_sample(3.0, sn);
    let logged: Vec<(LogKind, &str)> = a.log.iter().map(|e| (e.kind, e.text.as_str())).collect();
    assert!(
        logged.contains(&(
            LogKind::Compact,
            "compaction L1->L2 (level size): 3 files 3.0 MiB -> 2 files 2.0 MiB, 40,000 -> 39,000 records, 1.25 s"
        )),
        "{logged:?}"
    );
    assert!(
        logged.contains(&(LogKind::Stall, "write stall normal -> delayed (memtables)")),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .any(|(_, t)| t.starts_with("flush -> L0 (write buffer full): 1.4 KiB, 1 record,")),
        "{logged:?}"
    );
}

#[test]
fn metrics_export_has_the_lsm_columns() {
    let mut s = Series::with_capacity(10);
    let mut sn = snap(1.0, 10, 5);
    let r = &mut sn.rocksdb;
    r.amp.write_amp = 3.5;
    r.amp.space_amp = 1.25;
    r.amp.read_amp = 4;
    r.soft_pending_limit = 64 << 30;
    r.hard_pending_limit = 256 << 30;
    r.stall.condition = "delayed";
    r.stall.cause = Some("pending bytes");
    r.levels = (0..7)
        .map(|level| engine::metrics::LevelInfo {
            level,
            write_bytes: u64::from(level) * 1000,
            w_amp: f64::from(level) / 2.0,
            ..Default::default()
        })
        .collect();
    s.push(0.25, sn);
    let csv = s.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    let head: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(head.len(), row.len(), "{csv}");
    let col = |name: &str| row[head.iter().position(|h| *h == name).expect(name)];
    assert_eq!(col("write_amp"), "3.500");
    assert_eq!(col("space_amp"), "1.250");
    assert_eq!(col("read_amp"), "4");
    assert_eq!(col("soft_pending_limit"), (64u64 << 30).to_string());
    assert_eq!(col("stall_condition"), "delayed");
    assert_eq!(col("stall_cause"), "pending bytes");
    assert_eq!(col("l3_write_bytes"), "3000");
    assert_eq!(col("l6_w_amp"), "3.000");
    assert_eq!(*head.last().unwrap(), "markers");
    // JSON carries the whole snapshot: levels, amplification, stall.
    let j = s.to_json();
    let r = &j["samples"][0]["snapshot"]["rocksdb"];
    assert_eq!(r["levels"][6]["w_amp"], 3.0);
    assert_eq!(r["amp"]["write_amp"], 3.5);
    assert_eq!(r["stall"]["cause"], "pending bytes");
}

#[test]
fn a_flood_of_listener_events_is_one_log_line_per_burst() {
    let mut a = app();
    let flush = |id: u64, at: f64| Event {
        kind: "flush",
        lsm: Some(engine::metrics::LsmEvent {
            reason: "write buffer full".into(),
            to_level: 0,
            bytes_out: 1000 + id,
            ..Default::default()
        }),
        ..option_event(id, at, "", "", "")
    };
    // Ten flushes 0.2 s apart, with stall changes between them, then a pause.
    for i in 0..10u64 {
        let t = 1.0 + i as f64 * 0.2;
        let mut sn = snap(t, 10, 5);
        sn.events.push(flush(2 * i + 1, t));
        let to = if i % 2 == 0 { "delayed" } else { "normal" };
        sn.events
            .push(stall_event(2 * i + 2, t, "x", to, "l0 files"));
        a.push_sample(t, sn);
    }
    let mut sn = snap(5.0, 10, 5);
    sn.events.push(flush(30, 5.0));
    sn.events
        .push(option_event(31, 5.0, "block_size", "8KiB", "new files"));
    sn.events
        .push(option_event(32, 5.0, "block_size", "4KiB", "new files"));
    a.push_sample(5.0, sn);
    let lines: Vec<(LogKind, u32)> = a.log.iter().map(|e| (e.kind, e.count)).collect();
    assert_eq!(
        lines,
        vec![
            (LogKind::Flush, 10),
            (LogKind::Stall, 10),
            (LogKind::Flush, 1),
            (LogKind::Option, 0),
            (LogKind::Option, 0),
        ]
    );
    // The burst's line holds the latest event.
    assert!(a.log[0].text.contains("1019 B"), "{}", a.log[0].text);
    assert_eq!(a.log[1].text, "write stall x -> normal (l0 files)");
    assert_eq!(a.log[1].t, 2.8);
}
