//! The dashboard drawn from fixed, hand-built data (samples, events, options, jobs,
//! output) into ratatui's TestBackend, compared with the committed snapshots in
//! `tests/snapshots/`: the whole screen and every pane (expanded to the whole body) at
//! 120x40 and 80x24, plus the help overlay, a running job's gauge, a frozen chart and
//! the "too small" message. Nothing depends on the clock or the machine.
use std::time::Duration;

use alexdb::tui::app::{App, OutKind, Pane, SystemMemory};
use alexdb::tui::input::InputLine;
use alexdb::tui::panes;
use command::history::History;
use command::jobs::{JobState, JobStatus};
use command::render::render_outcome;
use command::{Cell, Outcome, OutputMode, Table};
use engine::DbOptions;
use engine::metrics::{
    Amplification, BlockCacheTickers, BlockKindUse, Event, LatencySummary, LevelInfo, LsmEvent,
    MemoryStats, PerfSplit, RunningCompaction, Snapshot, StallSeconds, StallState,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

const MIB: u64 = 1 << 20;

fn lat(base: u64) -> LatencySummary {
    LatencySummary {
        samples: 100,
        mean_ns: base as f64 * 1.2,
        p50_ns: base,
        p90_ns: base * 3,
        p99_ns: base * 6,
        p999_ns: base * 15,
        max_ns: base * 40,
    }
}

fn event(id: u64, at: f64, kind: &'static str, opt: Option<(&str, &str, &str, &str)>) -> Event {
    let (option, old, new, applied, label) = match opt {
        Some((name, old, new, how)) => (
            Some(name.to_string()),
            Some(old.to_string()),
            Some(new.to_string()),
            Some(how.to_string()),
            format!("{name} {old} -> {new} ({how})"),
        ),
        None => (
            None,
            None,
            None,
            Some("reopen".to_string()),
            "reopen (compaction_style) 0.05 s".to_string(),
        ),
    };
    Event {
        id,
        at_secs: at,
        unix_ms: 0,
        kind,
        option,
        old,
        new,
        applied,
        secs: 0.05,
        label,
        lsm: None,
    }
}

/// Sample `i` of a fixed two-minute story (one sample per 0.5 s): a load, then a
/// read-mostly workload; the value cache shrinks at 40 s and the compaction style
/// changes at 80 s.
fn snap(i: usize) -> Snapshot {
    let t = i as f64 * 0.5;
    let mut s = Snapshot {
        window_secs: 0.5,
        uptime_secs: 10.0 + t,
        sample_rate: 32,
        timing_enabled: true,
        ..Snapshot::default()
    };
    let loading = t < 10.0;
    let shrunk = (40.0..80.0).contains(&t);
    if loading {
        s.ops.load = 1;
        s.rows.written = 10_000 + (i as u64 % 5) * 1_000;
        s.latency.load = lat(900_000);
    } else {
        let gets = 40_000 + (i as u64 % 7) * 2_000;
        s.ops.get = gets;
        s.ops.put = gets / 20;
        s.rows.written = gets / 20;
        let hit = if shrunk { 0.35 } else { 0.92 };
        s.cache.hits = (gets as f64 * hit) as u64;
        s.cache.misses = gets - s.cache.hits;
        s.latency.get = lat(if shrunk { 2_400 } else { 400 });
        s.latency.put = lat(3_000);
        s.get_split.sampled_gets = gets / 32;
        let per = |ns: u64| ns * (gets / 32);
        s.get_split.cache_ns = per(60);
        s.get_split.alex_ns = per(if shrunk { 120 } else { 30 });
        s.get_split.rocksdb_ns = per(if shrunk { 1_900 } else { 250 });
        s.get_split.rest_ns = per(40);
        s.get_split.total_ns = s.get_split.cache_ns
            + s.get_split.alex_ns
            + s.get_split.rocksdb_ns
            + s.get_split.rest_ns;
        // perf_level turned on at 100 s: RocksDB's own split of the gets that reached it.
        if t >= 100.0 {
            let g = s.cache.misses / 32;
            s.rocksdb_perf = PerfSplit {
                enabled: true,
                gets: g,
                memtable_ns: 45 * g,
                filter_ns: 70 * g,
                index_ns: 90 * g,
                data_block_ns: 600 * g,
                block_read_ns: 250 * g,
                decompress_ns: 120 * g,
            };
        }
        s.rocksdb.tickers.block_cache = BlockCacheTickers {
            data_hit: s.cache.misses * 8 / 10,
            data_miss: s.cache.misses * 2 / 10,
            index_hit: s.cache.misses,
            index_miss: 0,
            filter_hit: s.cache.misses,
            filter_miss: 0,
        };
        s.rocksdb.tickers.memtable_hit = 120;
        s.rocksdb.tickers.get_hit_l1 = 300;
        s.rocksdb.tickers.get_hit_l2_and_up = 2_000;
        s.rocksdb.tickers.bloom_useful = 0;
    }
    s.ops.total = s.ops.get + s.ops.put + s.ops.load;
    let keys = (200_000.0 * (t / 10.0).min(1.0)) as u64;
    s.index.keys = keys;
    s.index.bytes = keys * 12;
    s.cache.capacity = if shrunk { 1_000 } else { 100_000 };
    s.cache.entries = s.cache.capacity.min(keys / 2);
    s.cache.bytes = s.cache.entries * 180;
    s.rocksdb.statistics_enabled = true;
    s.rocksdb.block_cache_capacity = 512 * MIB;
    s.rocksdb.block_cache_usage = 21 * MIB;
    s.rocksdb.memtable_bytes = 3 * MIB;
    s.rocksdb.table_readers_bytes = MIB / 2;
    s.rocksdb.levels = (0..7).map(level).collect();
    lsm_figures(&mut s);
    s.rocksdb.sst_files = 6;
    s.rocksdb.sst_bytes = 28 * MIB;
    s.rocksdb.pending_compaction_bytes = if (80.0..85.0).contains(&t) {
        4 * MIB
    } else {
        0
    };
    s.rocksdb.running_compactions = u64::from((80.0..83.0).contains(&t));
    s.memory = MemoryStats {
        rss_bytes: 180 * MIB,
        alex_bytes: s.index.bytes,
        value_cache_bytes: s.cache.bytes,
        block_cache_bytes: 21 * MIB,
        memtable_bytes: 3 * MIB,
        table_readers_bytes: MIB / 2,
        block_cache_pinned_bytes: 2 * MIB,
    };
    if i == 80 {
        s.events.push(event(
            1,
            s.uptime_secs - 0.2,
            "option",
            Some(("value_cache_entries", "100000", "1000", "live")),
        ));
    }
    if i == 160 {
        s.events.push(event(2, s.uptime_secs - 0.3, "reopen", None));
        s.events.push(event(
            3,
            s.uptime_secs - 0.25,
            "option",
            Some(("compaction_style", "level", "universal", "reopen")),
        ));
    }
    s
}

/// Level `n` of the fixed tree: L0 filled by flushes, L6 by compactions from L0, with
/// RocksDB's compaction stats since open.
fn level(n: u32) -> LevelInfo {
    let l = LevelInfo {
        level: n,
        files: [2, 0, 0, 0, 0, 0, 4][n as usize],
        bytes: [6 * MIB, 0, 0, 0, 0, 0, 22 * MIB][n as usize],
        ..LevelInfo::default()
    };
    match n {
        0 => LevelInfo {
            score: 0.5,
            write_bytes: 1_100 * MIB,
            compaction_secs: 3.1,
            compactions: 150,
            write_per_sec: 2.0 * MIB as f64,
            ..l
        },
        6 => LevelInfo {
            score: 0.2,
            read_bytes: 2_150 * MIB,
            read_above_bytes: 1_100 * MIB,
            write_bytes: 2_000 * MIB,
            w_amp: 1.8,
            compaction_secs: 12.4,
            compactions: 40,
            read_per_sec: 4.0 * MIB as f64,
            write_per_sec: 3.5 * MIB as f64,
            ..l
        },
        _ => l,
    }
}

/// The whole tree's amplification, the debt limits and the block cache by kind.
fn lsm_figures(s: &mut Snapshot) {
    let r = &mut s.rocksdb;
    r.amp = Amplification {
        user_bytes: 1_000 * MIB,
        sst_written_bytes: 3_100 * MIB,
        flushed_bytes: 1_000 * MIB,
        ingested_bytes: 0,
        write_amp: 3.1,
        live_data_bytes: 25 * MIB,
        space_amp: 1.12,
        read_amp: 3,
    };
    r.soft_pending_limit = 64 << 30;
    r.hard_pending_limit = 256 << 30;
    r.stall.condition = "normal";
    r.block_cache_by_kind = [("data", 14 * MIB), ("index", 4 * MIB), ("filter", 3 * MIB)]
        .into_iter()
        .map(|(kind, bytes)| BlockKindUse {
            kind: kind.into(),
            entries: bytes / (16 << 10),
            bytes,
        })
        .collect();
}

/// An event RocksDB's listener reported (a flush, a compaction, a stall change).
fn lsm_event(id: u64, at: f64, kind: &'static str, lsm: LsmEvent, secs: f64) -> Event {
    Event {
        kind,
        secs,
        label: kind.to_string(),
        lsm: Some(lsm),
        ..event(id, at, kind, None)
    }
}

/// Ten seconds after the fixed story: a write burst fills L0, a flush and a compaction
/// run, writes are delayed for L0 files (a marker on Throughput, a line in the log),
/// the debt climbs toward the soft limit, and a compaction L0->L6 is under way.
fn lsm_app() -> App {
    let mut a = app();
    for i in 240..260 {
        let mut s = snap(i);
        let t = i as f64 * 0.5;
        let r = &mut s.rocksdb;
        r.levels[0].files = 18;
        r.levels[0].bytes = 54 * MIB;
        r.levels[0].score = 4.5;
        r.sst_files = 22;
        r.sst_bytes = 76 * MIB;
        r.pending_compaction_bytes = 24 << 30;
        r.running_compactions = 1;
        r.running = vec![RunningCompaction {
            job: 12,
            reason: "l0 files",
            from_level: 0,
            to_level: 6,
            input_files: 18,
            running_secs: t - 122.0,
        }];
        if i >= 244 {
            r.stall = StallState {
                condition: "delayed",
                cause: Some("l0 files"),
                changes: 1,
                by_cause: vec![StallSeconds {
                    cause: "l0 files",
                    delayed_secs: t - 122.0,
                    stopped_secs: 0.0,
                }],
            };
            r.write_stall = true;
            r.delayed_write_rate = 16 * MIB;
        }
        let at = s.uptime_secs - 0.1;
        match i {
            241 => s.events.push(lsm_event(
                10,
                at,
                "flush",
                LsmEvent {
                    reason: "write buffer full".into(),
                    job: 11,
                    from_level: -1,
                    to_level: 0,
                    bytes_out: 3 * MIB,
                    records_in: 30_000,
                    records_out: 30_000,
                    files_out: 1,
                    ..LsmEvent::default()
                },
                0.08,
            )),
            242 => s.events.push(lsm_event(
                12,
                at,
                "compaction",
                LsmEvent {
                    reason: "l0 files".into(),
                    job: 9,
                    from_level: 0,
                    to_level: 6,
                    bytes_in: 12 * MIB,
                    bytes_out: 11 * MIB,
                    records_in: 120_000,
                    records_out: 118_000,
                    files_in: 4,
                    files_out: 2,
                    ..LsmEvent::default()
                },
                0.9,
            )),
            244 => s.events.push(lsm_event(
                11,
                at,
                "stall",
                LsmEvent {
                    reason: "l0 files".into(),
                    stall_from: Some("normal"),
                    stall_to: Some("delayed"),
                    ..LsmEvent::default()
                },
                0.0,
            )),
            _ => {}
        }
        a.push_sample(t, s);
    }
    a
}

fn options() -> Vec<engine::options::OptionInfo> {
    let mut o = DbOptions::default();
    o.set("value_cache_entries", "1000").expect("valid");
    o.set_unvalidated("compaction_style", "universal")
        .expect("valid");
    o.describe()
}

fn job() -> JobStatus {
    JobStatus {
        id: 2,
        kind: "ycsb",
        label: ".ycsb b for 60 s".into(),
        phase: "run alexdb".into(),
        state: JobState::Running,
        done: 1_250_000,
        total: Some(5_000_000),
        unit: "ops",
        elapsed: Duration::from_millis(15_400),
        result: None,
    }
}

/// The fixed dashboard: 240 samples, two markers, options with two changes, a result
/// table, the input line holding a command.
fn app() -> App {
    let mut app = App::new("/data/alexdb/db", InputLine::new(History::new()));
    for i in 0..240 {
        app.push_sample(i as f64 * 0.5, snap(i));
    }
    app.options = options();
    app.system = Some(SystemMemory {
        total: 24 << 30,
        available: 20 << 30,
    });
    app.chart_secs = 120.0;
    app.begin_output("scan 1 5");
    let table = Table {
        columns: vec!["key".into(), "value".into()],
        rows: (1..=5)
            .map(|k| vec![Cell::Int(k), Cell::Text(format!("value-{k}"))])
            .collect(),
    };
    let text = render_outcome(&Outcome::Rows(table), OutputMode::Table);
    app.output.push(&text, OutKind::Normal);
    app.log(
        20.0,
        alexdb::tui::app::LogKind::Job,
        "[1] done in 1.4 s: .load random 200000",
    );
    app.input.set_text("get 42");
    app
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| {
        let area = f.area();
        if let Some(p) = panes::render(app, area, f.buffer_mut()) {
            f.set_cursor_position(p);
        }
    })
    .expect("draw");
    term
}

#[test]
fn whole_screen() {
    let a = app();
    insta::assert_snapshot!("screen_120x40", draw(&a, 120, 40).backend());
    insta::assert_snapshot!("screen_80x24", draw(&a, 80, 24).backend());
}

#[test]
fn every_pane_expanded() {
    for pane in Pane::ALL {
        let mut a = app();
        a.focus = pane;
        a.expanded = true;
        let name = pane.title().to_lowercase().replace(' ', "_");
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("pane_{name}_{w}x{h}"), draw(&a, w, h).backend());
        }
    }
}

/// Issue 32: the LSM tile and the expanded LSM pane (Compaction Stats per level,
/// amplification, the debt gauge, the stall and its cause, the running compaction),
/// the stall marker on Throughput and the listener's events in the log.
#[test]
fn lsm_stall_and_compaction_views() {
    let mut a = lsm_app();
    insta::assert_snapshot!("lsm_screen_120x40", draw(&a, 120, 40).backend());
    insta::assert_snapshot!("lsm_screen_80x24", draw(&a, 80, 24).backend());
    let t = text(&a, 120, 40);
    for want in [
        "stall delayed (l0 files)",
        "flush -> L0 (write buffer full): 3.0 MiB",
        "compaction L0->L6 (l0 files): 4 files 12.0 MiB",
        "write stall normal -> delayed (l0 files)",
        "DELAYED (l0 files)",
        "debt 24.0 GiB 38%",
    ] {
        assert!(t.contains(want), "{want:?} missing:\n{t}");
    }
    let logged: Vec<&str> = a.log.iter().map(|e| e.text.as_str()).collect();
    for want in [
        "flush -> L0 (write buffer full): 3.0 MiB, 30,000 records, 0.08 s",
        "compaction L0->L6 (l0 files): 4 files 12.0 MiB -> 2 files 11.0 MiB, 120,000 -> 118,000 records, 0.90 s",
        "write stall normal -> delayed (l0 files)",
    ] {
        assert!(logged.contains(&want), "{want:?} not logged: {logged:?}");
    }
    // The 80x24 tile keeps the stall, its cause and the debt whole in 16 columns.
    let t = text(&a, 80, 24);
    for want in ["22 files 76.0MiB", "DELAYED l0 files", "debt 24.0GiB 38%"] {
        assert!(t.contains(want), "{want:?} missing:\n{t}");
    }
    a.focus = Pane::Lsm;
    a.expanded = true;
    insta::assert_snapshot!("lsm_expanded_120x40", draw(&a, 120, 40).backend());
    insta::assert_snapshot!("lsm_expanded_80x24", draw(&a, 80, 24).backend());
    for (w, h) in [(120, 40), (80, 24)] {
        let t = text(&a, w, h);
        for want in [
            "Level Files      Size Score      Read",
            "Write W-Amp Comp(s)",
            "L6        4  22.0 MiB  0.20   2.1 GiB",
            "2.0 GiB   1.8    12.4",
            "Sum      22  76.0 MiB",
            "write 3.10",
            "DELAYED 16.0 MiB/s (l0 files)",
            "l0 files: 7.5 s delayed, 0.0 s stopped",
            "job 12 L0→L6 (l0 files) 18 files, 7.5 s",
            "24.0 GiB · soft 64.0 GiB 38% · hard 256 GiB 9%",
        ] {
            assert!(t.contains(want), "{w}x{h}: {want:?} missing:\n{t}");
        }
    }
    // The stall marker is red and draws no settling shade.
    let term = draw(&lsm_app(), 120, 40);
    let buf = term.backend().buffer();
    let row_text =
        |y: u16| -> String { (0..120).map(|x| buf[(x, y)].symbol().to_string()).collect() };
    let row = (0..12)
        .find(|&y| row_text(y).contains("stall delayed"))
        .expect("stall marker label");
    let x = row_text(row).find("stall delayed").expect("col");
    let col = row_text(row)[..x].chars().count() as u16;
    assert_eq!(buf[(col, row)].fg, alexdb::tui::panes::chart::STALL_COLOR);
}

/// Issue 32: the Cache pane's block cache by kind (hit rate from the tickers, bytes
/// held from RocksDB's block-cache entry stats).
#[test]
fn cache_pane_shows_the_block_cache_by_kind() {
    let mut a = app();
    a.focus = Pane::Cache;
    a.expanded = true;
    for (w, h) in [(120, 40), (80, 24)] {
        let t = text(&a, w, h);
        let data = t.lines().find(|l| l.contains(" data ")).expect("data row");
        assert!(
            data.contains("80.0%") && data.contains("14.0 MiB"),
            "{data}"
        );
        let index = t
            .lines()
            .find(|l| l.contains(" index "))
            .expect("index row");
        assert!(
            index.contains("100.0%") && index.contains("4.0 MiB"),
            "{index}"
        );
        assert!(t.contains(" filter "), "{t}");
    }
}

#[test]
fn help_overlay() {
    let mut a = app();
    a.show_keys();
    insta::assert_snapshot!("help_120x40", draw(&a, 120, 40).backend());
    insta::assert_snapshot!("help_80x24", draw(&a, 80, 24).backend());
}

#[test]
fn running_job_gauge_and_frozen_charts() {
    let mut a = app();
    a.jobs = vec![job()];
    a.frozen_at = Some(90.0);
    a.focus = Pane::Latency;
    insta::assert_snapshot!("job_frozen_120x40", draw(&a, 120, 40).backend());
}

#[test]
fn latency_of_another_kind_and_empty_dashboard() {
    let mut a = app();
    a.latency_kind = 1; // put
    a.focus = Pane::Latency;
    a.expanded = true;
    insta::assert_snapshot!("latency_put_80x24", draw(&a, 80, 24).backend());
    let empty = App::new("/data/alexdb/db", InputLine::new(History::new()));
    insta::assert_snapshot!("empty_120x40", draw(&empty, 120, 40).backend());
}

#[test]
fn too_small() {
    let a = app();
    insta::assert_snapshot!("too_small_79x24", draw(&a, 79, 24).backend());
    insta::assert_snapshot!("too_small_100x20", draw(&a, 100, 20).backend());
}

#[test]
fn styles_mark_focus_changes_and_markers() {
    let mut a = app();
    a.focus = Pane::Options;
    let term = draw(&a, 120, 40);
    let buf = term.backend().buffer();
    let text = |y: u16| -> String { (0..120).map(|x| buf[(x, y)].symbol().to_string()).collect() };
    // The changed options are listed first, in bold yellow.
    let row = (0..40)
        .find(|&y| text(y).contains("*value_cache_entries"))
        .expect("changed option shown");
    let x = text(row).find("*value_cache_entries").expect("col") as u16;
    let col = text(row)[..x as usize].chars().count() as u16;
    let cell = &buf[(col + 1, row)];
    assert_eq!(cell.fg, Color::Yellow);
    assert!(cell.modifier.contains(Modifier::BOLD));
    // An unchanged option is not highlighted.
    let plain = (0..40)
        .find(|&y| text(y).contains(" block_size "))
        .expect("unchanged option shown");
    let pcol = text(plain).find(" block_size ").expect("col");
    let pcol = text(plain)[..pcol].chars().count() as u16 + 1;
    assert_ne!(buf[(pcol, plain)].fg, Color::Yellow);
    // The focused pane's border is thick and cyan.
    let top = (0..40)
        .find(|&y| text(y).contains("F8 Options"))
        .expect("options title");
    let corner = text(top).find('┏').expect("thick corner");
    let corner = text(top)[..corner].chars().count() as u16;
    assert_eq!(buf[(corner, top)].fg, Color::Cyan);
    // Markers: a dotted vertical line and its label in yellow on the throughput chart.
    let label_row = (0..12)
        .find(|&y| text(y).contains("value_cache_entries=1000"))
        .expect("marker label on the chart");
    let lx = text(label_row)
        .find("value_cache_entries=1000")
        .expect("col");
    let lx = text(label_row)[..lx].chars().count() as u16;
    assert_eq!(buf[(lx, label_row)].fg, Color::Yellow);
    // The marker's dotted line runs down the chart in the column left of its label.
    let dotted = (label_row..10)
        .filter(|&y| buf[(lx - 1, y)].symbol() == "┊")
        .count();
    assert!(
        dotted >= 2,
        "{}",
        (0..10).map(text).collect::<Vec<_>>().join("\n")
    );
    assert!(
        (0..12).any(|y| text(y).contains("compaction_style=universal")),
        "reopen marker"
    );
}

/// The screen as text.
fn text(app: &App, w: u16, h: u16) -> String {
    alexdb::tui::runner::screen_text(app, ratatui::layout::Rect::new(0, 0, w, h))
}

#[test]
fn figures_from_few_samples_say_so() {
    let mut a = App::new("/data/alexdb/db", InputLine::new(History::new()));
    let mut s = Snapshot {
        window_secs: 0.5,
        sample_rate: 100,
        timing_enabled: true,
        ..Snapshot::default()
    };
    s.ops.get = 3;
    s.latency.get = LatencySummary {
        samples: 1,
        ..lat(79_000)
    };
    s.cache.hits = 1;
    s.cache.misses = 2;
    s.get_split.sampled_gets = 2;
    s.get_split.rocksdb_ns = 3_400_000;
    s.get_split.total_ns = 3_400_000;
    s.rocksdb_perf = PerfSplit {
        enabled: true,
        gets: 2,
        data_block_ns: 3_400_000,
        ..PerfSplit::default()
    };
    a.push_sample(1.0, s);
    for (pane, want) in [
        (Pane::Latency, "n=1, too few samples"),
        (
            Pane::Split,
            "too few samples: per timed get (cache hits included): 2 gets",
        ),
        (Pane::Split, "RocksDB get: too few samples (2 gets)"),
        (Pane::Cache, "33.3% too few n=3"),
    ] {
        a.focus = pane;
        a.expanded = true;
        let t = text(&a, 120, 40);
        assert!(t.contains(want), "{pane:?} lacks {want:?}:\n{t}");
    }
    // The same figures from plenty of samples carry their count and no warning.
    let t = text(&app(), 120, 40);
    assert!(t.contains("n=100 max"), "{t}");
    assert!(!t.contains("too few"), "{t}");
}

#[test]
fn get_split_keeps_the_last_run_dimmed_when_idle() {
    let mut a = app();
    // 20 s with no gets after the run.
    for i in 240..280 {
        let s = Snapshot {
            window_secs: 0.5,
            sample_rate: 32,
            timing_enabled: true,
            ..Snapshot::default()
        };
        a.push_sample(i as f64 * 0.5, s);
    }
    a.focus = Pane::Split;
    a.expanded = true;
    let term = draw(&a, 120, 40);
    let t = text(&a, 120, 40);
    assert!(t.contains("idle, last run"), "{t}");
    assert!(t.contains("gets timed in the last 5 s"), "{t}");
    assert!(!t.contains("no timed gets"), "{t}");
    let buf = term.backend().buffer();
    let row = (0..40)
        .find(|&y| {
            (0..120)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("RocksDB ")
        })
        .expect("RocksDB row");
    assert_eq!(
        buf[(3, row)].fg,
        Color::DarkGray,
        "idle figures are greyed out"
    );
}

#[test]
fn output_history_shows_earlier_commands_above() {
    let mut a = app();
    a.begin_output("put 9 nine");
    a.output.push("OK (new key)", OutKind::Normal);
    a.begin_output("get 9");
    a.output.push("error: timed out", OutKind::Error);
    a.focus = Pane::Output;
    insta::assert_snapshot!("output_history_120x40", draw(&a, 120, 40).backend());
    let t = text(&a, 120, 40);
    assert!(t.contains("> put 9 nine"), "{t}");
    assert!(t.contains("> get 9"), "{t}");
}

#[test]
fn memory_pane_shows_what_rss_holds_beyond_the_parts() {
    let mut a = app();
    a.focus = Pane::Memory;
    a.expanded = true;
    let t = text(&a, 120, 40);
    // 180 MiB RSS minus ALEX 2.3, value cache 17.2, block cache 21, memtables 3 and
    // table readers 0.5 MiB.
    let row = t.lines().find(|l| l.contains("other ")).expect("other row");
    assert!(row.contains("136 MiB"), "{row}");
    assert!(t.contains("freed memory may stay in the allocator"), "{t}");
}

#[test]
fn get_split_has_room_for_its_lines() {
    let t = text(&app(), 120, 40);
    for whole in [
        "■ RocksDB   250ns  65.8%",
        "RocksDB get 805ns from 1.1k gets",
        "■memtable 45ns ■filter 70ns ■index 90ns",
    ] {
        assert!(t.contains(whole), "{whole:?} cut:\n{t}");
    }
    let t = text(&app(), 80, 24);
    assert!(t.contains("■ RocksDB   65.8%"), "{t}");
    assert!(
        t.contains("RSS        180 MiB"),
        "Memory keeps its units:\n{t}"
    );
}

#[test]
fn charts_shade_the_settling_after_a_change() {
    let a = app();
    let term = draw(&a, 120, 40);
    let buf = term.backend().buffer();
    let text = |y: u16| -> String { (0..120).map(|x| buf[(x, y)].symbol().to_string()).collect() };
    let row = (0..12)
        .find(|&y| text(y).contains("value_cache_entries=1000"))
        .expect("marker label");
    let lx = text(row).find("value_cache_entries=1000").expect("col");
    let line = text(row)[..lx].chars().count() as u16 - 1;
    // The throughput chart spans 120 s in about 54 columns: 10 s is about 4 columns.
    let low = row + 3;
    assert_eq!(
        buf[(line + 2, low)].bg,
        alexdb::tui::panes::chart::SETTLING_BG
    );
    assert_ne!(
        buf[(line + 8, low)].bg,
        alexdb::tui::panes::chart::SETTLING_BG
    );
    assert_ne!(
        buf[(line - 2, low)].bg,
        alexdb::tui::panes::chart::SETTLING_BG
    );
}

/// A fixed miss-ratio curve: 1 MiB to 1 GiB, rising steeply then flattening.
fn mrc_curve(sampled_gets: u64) -> engine::metrics::MrcCurve {
    use engine::metrics::{MrcCurve, MrcPoint};
    MrcCurve {
        points: (0..=20)
            .map(|i| MrcPoint {
                bytes: MIB << (i / 2) | if i % 2 == 1 { MIB << (i / 2 - 1) } else { 0 },
                hit_rate: 0.9 * (1.0 - 0.8f64.powi(i)),
            })
            .collect(),
        sampled_gets,
        gets: sampled_gets * 64,
        sample_rate: 1.0 / 64.0,
        bytes_per_value: 120.0,
        current_bytes: 64 * MIB,
    }
}

/// Issue 14: the Cache pane draws the miss-ratio curve from the snapshot, with the
/// current size marked and the budget split between the two caches; a curve from too
/// few sampled gets is not drawn.
#[test]
fn cache_pane_draws_the_miss_ratio_curve() {
    let with = |sampled: u64| {
        let mut a = app();
        let mut s = snap(240);
        s.mrc = Some(mrc_curve(sampled));
        a.push_sample(120.0, s);
        a.focus = Pane::Cache;
        a.expanded = true;
        a
    };
    let a = with(12_000);
    insta::assert_snapshot!("pane_cache_mrc_120x40", draw(&a, 120, 40).backend());
    let t = text(&a, 120, 40);
    for want in [
        "curve hit % by value-cache size (n=12,000, 1 in 64 keys)",
        "budget value 64.0MiB 11% · block 512MiB 89%",
        "now 64.0MiB",
    ] {
        assert!(t.contains(want), "{want:?} missing:\n{t}");
    }
    let t = text(&with(300), 120, 40);
    assert!(t.contains("curve too few sampled gets (n=300)"), "{t}");
    assert!(!t.contains("now 64.0MiB"), "{t}");
}

/// A saved baseline drawn as reference lines (issue 14): dashes at its reads/s and
/// writes/s, and at its get p99 and p50, labelled with its name.
fn app_with_reference() -> App {
    let mut a = app();
    let mut latency: [Option<[f64; 3]>; 6] = [None; 6];
    latency[0] = Some([900.0, 20_000.0, 60_000.0]);
    a.baselines = vec![engine::metrics::Reference {
        name: "before".into(),
        reads_per_s: Some(150_000.0),
        writes_per_s: Some(30_000.0),
        latency,
    }];
    a.reference = Some("before".into());
    a.expanded = true;
    a
}

#[test]
fn baseline_reference_lines() {
    let mut a = app_with_reference();
    a.focus = Pane::Throughput;
    let term = draw(&a, 80, 24);
    insta::assert_snapshot!("reference_throughput_80x24", term.backend());
    let buf = term.backend().buffer();
    let rows: Vec<String> = (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect();
    let labelled = rows
        .iter()
        .position(|r| r.contains(" before "))
        .expect("label");
    assert!(rows[labelled].contains('╌'), "{}", rows[labelled]);
    let x = rows[labelled].find('╌').expect("dash");
    let col = rows[labelled][..x].chars().count() as u16;
    assert_eq!(
        buf[(col, labelled as u16)].fg,
        alexdb::tui::panes::chart::REFERENCE_COLOR
    );
    a.focus = Pane::Latency;
    let term = draw(&a, 80, 24);
    insta::assert_snapshot!("reference_latency_80x24", term.backend());
    let text = format!("{:?}", term.backend());
    assert!(text.contains(" before "), "{text}");
    // Off: no dashes anywhere.
    a.reference = None;
    let text = format!("{:?}", draw(&a, 80, 24).backend());
    assert!(!text.contains('╌'));
}

/// A fixed `.help`-like text: usages in a 48-column first column, long ones on a line
/// of their own, and help texts too long for 80 columns.
fn help_text() -> String {
    let entries = [
        ("get K", "value of key K (NULL if absent)"),
        (
            "put K VALUE",
            "store VALUE under K (bare word, 'quoted', or x'hex')",
        ),
        ("scan A B [limit N]", "rows with A <= key <= B in key order"),
        (
            "DELETE FROM kv WHERE key = K | key BETWEEN A AND B | key >= A AND key < B;",
            "SQL delete by key, or a whole key range at once (one range delete)",
        ),
        (
            ".help [CMD|OPTION]",
            "this list; .help CMD: one command's usage; .help OPTION: an engine option explained",
        ),
        (".timer on|off", "print the elapsed time after each command"),
        (".mode table|csv|json|line", "output format of results"),
        (
            ".export metrics FILE.csv|FILE.json|FILE.svg | screen FILE",
            "write the sampled metrics: .export metrics F.svg draws them as charts",
        ),
    ];
    let mut lines = Vec::new();
    for round in 0..3 {
        for (usage, help) in entries {
            let help = format!("{help} ({})", round + 1);
            if usage.len() <= 48 {
                lines.push(format!("{usage:<48} {help}"));
            } else {
                lines.push(format!("{usage}\n{:48} {help}", ""));
            }
        }
    }
    lines.join("\n")
}

/// Issue 30: `.help` in the dashboard is a full-width view (not the output pane cut at
/// its width): wrapped under the text column, the rows shown, how to scroll and close.
#[test]
fn help_view_80x24() {
    let mut a = app();
    a.show_pager(".help", &help_text());
    insta::assert_snapshot!("help_view_80x24", draw(&a, 80, 24).backend());
    if let Some(p) = a.pager.as_mut() {
        p.scroll = 12;
    }
    insta::assert_snapshot!("help_view_scrolled_80x24", draw(&a, 80, 24).backend());
    let t = text(&a, 80, 24);
    assert!(t.contains("Esc or q closes"), "{t}");
    assert!(
        !t.contains("F2 Throughput"),
        "the view covers the panes:\n{t}"
    );
}

/// Issue 30: F4 expanded says which gets and which seconds each figure rests on, and
/// uses its rows for the split of each 5 s before.
#[test]
fn get_split_expanded_names_each_figures_window_and_uses_the_room() {
    let mut a = app();
    a.focus = Pane::Split;
    a.expanded = true;
    let t = text(&a, 120, 40);
    for said in [
        "per timed get (cache hits included): 14.2k gets timed in the last 5 s",
        "per get that reached it: 805ns from 1.1k gets",
        "every get (not only timed ones), last 5 s",
        "history: each 5 s, newest first",
    ] {
        assert!(t.contains(said), "{said:?} missing:\n{t}");
    }
    let rows = t.lines().filter(|l| l.contains("/get n=")).count();
    assert!(rows >= 15, "{rows} history rows:\n{t}");
}

/// Ends the current output and shows `cmd` with its result, as the runner does.
fn tour_step(a: &mut App, cmd: &str, outcome: Outcome) {
    a.begin_output(cmd);
    let text = render_outcome(&outcome, OutputMode::Table);
    a.output.push(&text, OutKind::Normal);
}

/// The README tour's screens at 80x24 (issue 30): each step's answer shows whole under
/// the earlier ones, and the key bar keeps "^C quit".
#[test]
fn tour_screens_80x24() {
    let mut a = app();
    let value = "fy2NgKfWJHYawhqhkp4EGaa921AR4pKXTEnBZNeJqpDjGvN0cR".repeat(2);
    tour_step(
        &mut a,
        ".load sequential 1000000",
        Outcome::Message("loaded 1000000 rows (1000000 new keys) in 0.43 s, 2299085 rows/s".into()),
    );
    tour_step(
        &mut a,
        "get 42",
        Outcome::Rows(Table {
            columns: vec!["key".into(), "value".into()],
            rows: vec![vec![Cell::Int(42), Cell::Text(value)]],
        }),
    );
    a.input.set_text("SELECT COUNT(*) FROM kv;");
    insta::assert_snapshot!("tour_get_80x24", draw(&a, 80, 24).backend());
    let t = text(&a, 80, 24);
    assert!(t.contains("|  42 | fy2Ng"), "the row of get 42 shows:\n{t}");
    assert!(t.contains("^C quit"), "{t}");

    tour_step(
        &mut a,
        "SELECT COUNT(*) FROM kv;",
        Outcome::Rows(Table {
            columns: vec!["COUNT(*)".into()],
            rows: vec![vec![Cell::Int(1_000_000)]],
        }),
    );
    a.input.set_text(".ycsb c --duration 60s &");
    insta::assert_snapshot!("tour_count_80x24", draw(&a, 80, 24).backend());
    let t = text(&a, 80, 24);
    assert!(t.contains("|  1000000 |"), "{t}");

    tour_step(
        &mut a,
        ".export metrics run.csv",
        Outcome::Message("wrote 240 samples and 3 markers to run.csv".into()),
    );
    a.input.set_text(".bench vs-sqlite --rows 1000000");
    insta::assert_snapshot!("tour_export_80x24", draw(&a, 80, 24).backend());
    let t = text(&a, 80, 24);
    assert!(
        t.contains("wrote 240 samples and 3 markers to run.csv"),
        "{t}"
    );
    assert!(t.contains("^C quit"), "{t}");
}

/// Frame time (issue 32): every pane expanded, and the whole screen, drawn many times
/// from the fixed LSM story at both sizes. Reports the mean time per frame (run with
/// `--nocapture` to read it); asserts only that every frame was drawn, never a time.
#[test]
fn frame_time_of_each_view_is_reported() {
    const FRAMES: u32 = 40;
    let base = lsm_app();
    let mut views: Vec<(String, App)> = vec![("screen".into(), base.clone())];
    for pane in Pane::ALL {
        let mut a = base.clone();
        a.focus = pane;
        a.expanded = true;
        views.push((pane.title().to_lowercase(), a));
    }
    for (w, h) in [(120, 40), (80, 24)] {
        for (name, a) in &views {
            let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            let start = std::time::Instant::now();
            let mut drawn = 0;
            for _ in 0..FRAMES {
                term.draw(|f| {
                    let area = f.area();
                    panes::render(a, area, f.buffer_mut());
                })
                .expect("draw");
                drawn += 1;
            }
            let per = start.elapsed() / FRAMES;
            println!("frame {name:<12} {w}x{h}: {per:?} per frame ({FRAMES} frames)");
            assert_eq!(drawn, FRAMES);
        }
    }
}
