//! The SVG charts (issue 14, "pictures to share"): each chart kind parsed back as XML and
//! checked for its title, axis labels, legend entries, one line per series and the bars.
use alexdb::plot::{
    self, BarChart, Chart, Figure, LineChart, PlotError, Series, bar_svg, figure_svg, line_svg,
    series_hex, stacked_bar_svg,
};

/// Every `<text>` element's content.
fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn count(doc: &roxmltree::Document, tag: &str, attr: &str, value: &str) -> usize {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute(attr) == Some(value))
        .count()
}

fn has(texts: &[String], s: &str) -> bool {
    texts.iter().any(|t| t == s)
}

fn line_chart() -> LineChart {
    LineChart {
        title: "get latency CDF".into(),
        x_label: "latency (ns)".into(),
        y_label: "gets at or below (%)".into(),
        caption: vec![
            "rows 2000, value 100 B, seed 7".into(),
            "budget 64 MiB".into(),
        ],
        series: vec![
            Series {
                name: "alexdb".into(),
                points: vec![(100.0, 10.0), (1000.0, 90.0), (5000.0, 100.0)],
            },
            Series {
                name: "sqlite".into(),
                points: vec![(800.0, 5.0), (9000.0, 100.0)],
            },
        ],
        x_log: true,
        markers: vec![(2000.0, "reopen".into())],
    }
}

fn bar_chart() -> BarChart {
    BarChart {
        title: "ops/s by workload".into(),
        x_label: "YCSB workload".into(),
        y_label: "throughput (ops/s)".into(),
        caption: vec!["threads 1".into()],
        categories: vec!["A".into(), "B".into(), "C".into()],
        series: vec![
            ("alexdb".into(), vec![100.0, 200.0, 300.0]),
            ("rocksdb".into(), vec![90.0, 150.0, 250.0]),
        ],
    }
}

#[test]
fn line_chart_has_title_labels_legend_caption_and_one_line_per_series() {
    let svg = line_svg(&line_chart()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "get latency CDF",
        "latency (ns)",
        "gets at or below (%)",
        "alexdb",
        "sqlite",
    ] {
        assert!(has(&t, s), "missing text {s:?} in {t:?}");
    }
    assert!(has(&t, "rows 2000, value 100 B, seed 7") && has(&t, "budget 64 MiB"));
    assert!(has(&t, "reopen"), "the marker's label is drawn");
    for i in 0..2 {
        // The series' line and its legend sample.
        assert_eq!(
            count(&doc, "polyline", "stroke", &series_hex(i)),
            2,
            "series {i}"
        );
    }
}

#[test]
fn grouped_bars_draw_one_bar_per_series_and_category() {
    let svg = bar_svg(&bar_chart()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "ops/s by workload",
        "YCSB workload",
        "throughput (ops/s)",
        "alexdb",
        "rocksdb",
    ] {
        assert!(has(&t, s), "missing text {s:?}");
    }
    for s in ["A", "B", "C", "threads 1"] {
        assert!(has(&t, s), "missing category or caption {s:?}");
    }
    for i in 0..2 {
        // Three bars and the legend's swatch.
        assert_eq!(count(&doc, "rect", "fill", &series_hex(i)), 4, "series {i}");
    }
}

#[test]
fn stacked_bars_draw_one_segment_per_series_and_category() {
    let mut c = bar_chart();
    c.series[1].1[2] = f64::NAN; // an unmeasured part draws no segment
    let svg = stacked_bar_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(count(&doc, "rect", "fill", &series_hex(0)), 4);
    assert_eq!(count(&doc, "rect", "fill", &series_hex(1)), 3);
}

#[test]
fn a_figure_holds_every_panel_under_one_title_and_caption() {
    let f = Figure {
        title: "two panels".into(),
        caption: vec!["settings line".into()],
        panels: vec![Chart::Line(line_chart()), Chart::Bars(bar_chart())],
        columns: 2,
    };
    let svg = figure_svg(&f).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "two panels",
        "settings line",
        "get latency CDF",
        "ops/s by workload",
    ] {
        assert!(has(&t, s), "missing {s:?}");
    }
}

#[test]
fn nothing_to_plot_and_mismatched_series_are_errors_not_panics() {
    let mut c = line_chart();
    for s in &mut c.series {
        s.points.clear();
    }
    assert!(matches!(line_svg(&c), Err(PlotError::Empty(_))));
    let mut log_only_zero = line_chart();
    log_only_zero.series = vec![Series {
        name: "z".into(),
        points: vec![(0.0, 1.0)],
    }];
    assert!(matches!(line_svg(&log_only_zero), Err(PlotError::Empty(_))));
    let mut b = bar_chart();
    b.series[0].1.pop();
    let e = bar_svg(&b).unwrap_err().to_string();
    assert!(e.contains("alexdb has 2 values for 3 categories"), "{e}");
    assert!(matches!(
        figure_svg(&Figure::default()),
        Err(PlotError::Empty(_))
    ));
}

#[test]
fn a_single_point_and_text_needing_escapes_still_make_valid_svg() {
    let mut c = line_chart();
    c.x_log = false;
    c.title = "a < b & c".into();
    c.series = vec![Series {
        name: "one".into(),
        points: vec![(3.0, 3.0)],
    }];
    let svg = line_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(has(&texts(&doc), "a < b & c"));
}

#[test]
fn save_refuses_bad_paths_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/x.svg");
    let e = plot::save_svg(&missing, "<svg/>").unwrap_err().to_string();
    assert!(e.contains("does not exist") && !e.contains('\n'), "{e}");
    let png = dir.path().join("x.png");
    let e = plot::save_svg(&png, "<svg/>").unwrap_err().to_string();
    assert!(e.contains("must end in .svg"), "{e}");
    assert!(!png.exists());
    let ok = dir.path().join("x.SVG");
    plot::save_svg(&ok, "<svg/>").unwrap();
    assert_eq!(std::fs::read_to_string(ok).unwrap(), "<svg/>");
}

// ---- the recorded metrics (`.export metrics FILE.svg`)

use alexdb::command::Executor;
use alexdb::command::history::History;
use alexdb::engine::DbOptions;
use alexdb::metrics::{Event, Snapshot};
use alexdb::plot::metrics::{MEMORY_PARTS, MetricsPoint, metrics_svg};
use alexdb::tui::app::App;
use alexdb::tui::input::InputLine;
use alexdb::tui::runner::Runner;

/// A quarter-second window with `gets` gets (half cache hits), timed, and 3 MiB of cache.
fn snap(uptime: f64, gets: u64, timed: bool) -> Snapshot {
    let mut s = Snapshot {
        window_secs: 0.25,
        uptime_secs: uptime,
        ..Snapshot::default()
    };
    s.ops.get = gets;
    s.rows.written = 5;
    s.cache.hits = gets / 2;
    s.cache.misses = gets - gets / 2;
    if timed {
        s.latency.get.samples = gets;
        s.latency.get.p50_ns = 400;
        s.latency.get.p99_ns = 2000;
    }
    s.rocksdb.tickers.block_cache.data_hit = 3;
    s.rocksdb.tickers.block_cache.data_miss = 1;
    s.memory.value_cache_bytes = 3 << 20;
    s
}

fn event(kind: &'static str, at: f64) -> Event {
    Event {
        id: 1,
        at_secs: at,
        unix_ms: 0,
        kind,
        option: Some("block_size".into()),
        old: Some("4KiB".into()),
        new: Some("16KiB".into()),
        applied: Some("new files".into()),
        secs: 0.01,
        label: format!("{kind} at {at}"),
    }
}

#[test]
fn a_point_reads_the_snapshot_as_the_dashboard_does() {
    let p = MetricsPoint::from_snapshot(2.0, &snap(2.0, 100, true));
    assert_eq!(p.reads_per_s, 400.0);
    assert_eq!(p.writes_per_s, 20.0);
    assert_eq!((p.get_p50_ns, p.get_p99_ns), (Some(400.0), Some(2000.0)));
    assert_eq!(p.value_cache_hit_rate, Some(0.5));
    assert_eq!(p.block_cache_hit_rate, Some(0.75));
    assert_eq!(p.memory[1], 3 << 20);
    // The dashboard's own sample gives the same rates.
    let mut series = alexdb::tui::data::Series::with_capacity(4);
    series.push(2.0, snap(2.0, 100, true));
    let s = series.latest().unwrap();
    assert_eq!(
        (s.reads_per_s(), s.writes_per_s()),
        (p.reads_per_s, p.writes_per_s)
    );
    // A window without timed gets or lookups has no latency and no hit rate, not zero.
    let idle = MetricsPoint::from_snapshot(3.0, &snap(3.0, 0, false));
    assert_eq!((idle.get_p50_ns, idle.value_cache_hit_rate), (None, None));
}

#[test]
fn metrics_figure_has_four_panels_with_their_series_and_markers() {
    let points: Vec<MetricsPoint> = (0..8)
        .map(|i| MetricsPoint::from_snapshot(i as f64, &snap(i as f64, 100 + i, i % 2 == 0)))
        .collect();
    let markers = vec![
        (3.0, "block_size=16KiB".to_string()),
        (5.5, "flush".to_string()),
    ];
    let svg = metrics_svg(&points, &markers, &["database /db".into()]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "alexdb metrics over time",
        "Throughput",
        "Get latency",
        "Hit rates",
        "Memory by component",
    ] {
        assert!(has(&t, s), "missing panel {s:?}");
    }
    for s in [
        "reads/s",
        "writes/s",
        "get p50",
        "get p99",
        "value cache",
        "block cache",
        "time (s)",
    ] {
        assert!(has(&t, s), "missing {s:?}");
    }
    for s in MEMORY_PARTS {
        assert!(has(&t, s), "missing memory part {s:?}");
    }
    assert!(has(&t, "database /db"));
    assert!(
        t.iter()
            .any(|x| x.starts_with("8 samples from t = 0.0 s to 7.0 s")),
        "{t:?}"
    );
    // Each marker is labelled on each of the four panels.
    assert_eq!(t.iter().filter(|x| *x == "block_size=16KiB").count(), 4);
    assert_eq!(t.iter().filter(|x| *x == "flush").count(), 4);
    assert!(matches!(
        metrics_svg(&[], &[], &[]),
        Err(PlotError::Empty(_))
    ));
}

#[test]
fn a_panel_with_nothing_measured_says_so_and_the_others_still_draw() {
    let idle = |i: usize| {
        let mut s = snap(i as f64, 0, false);
        s.rocksdb.tickers.block_cache = Default::default();
        MetricsPoint::from_snapshot(i as f64, &s)
    };
    let points: Vec<MetricsPoint> = (0..3).map(idle).collect();
    let svg = metrics_svg(&points, &[], &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    // No timed get and no lookup: latency and hit rates have no measurement.
    assert_eq!(
        t.iter()
            .filter(|x| *x == "no measurements in this window")
            .count(),
        2
    );
    assert!(has(&t, "reads/s") && has(&t, "ALEX index"));
}

#[test]
fn dashboard_export_draws_the_fixed_samples_with_option_and_flush_markers() {
    let mut app = App::new("/db", InputLine::new(History::new()));
    for i in 0..6 {
        let mut s = snap(1.0 + i as f64 * 0.25, 100, true);
        if i == 2 {
            s.events.push(event("option", s.uptime_secs));
        }
        if i == 4 {
            s.events.push(event("flush", s.uptime_secs));
        }
        app.push_sample(i as f64 * 0.25, s);
    }
    let (svg, markers) = alexdb::tui::export::metrics_svg_of(&app).unwrap();
    assert_eq!(markers, 2);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    assert_eq!(t.iter().filter(|x| *x == "block_size=16KiB").count(), 4);
    assert_eq!(t.iter().filter(|x| *x == "flush").count(), 4);
    assert!(t.iter().any(|x| x.starts_with("6 samples")));
}

fn exec() -> (tempfile::TempDir, Executor) {
    let dir = tempfile::tempdir().unwrap();
    let e = Executor::open(&dir.path().join("db"), DbOptions::default()).unwrap();
    (dir, e)
}

#[test]
fn export_metrics_svg_in_the_dashboard_writes_the_file_or_one_error() {
    let (dir, e) = exec();
    let mut r = Runner::new(&e, History::new());
    let none = dir.path().join("empty.svg");
    let msg = r.dashboard_command(&format!(".export metrics {}", none.display()));
    let err = msg.unwrap().unwrap_err();
    assert!(
        err.contains("nothing to plot") && !err.contains('\n'),
        "{err}"
    );
    assert!(!none.exists());
    r.app.push_sample(0.25, snap(1.0, 10, true));
    r.app.push_sample(0.5, snap(1.25, 20, true));
    let out = dir.path().join("m.svg");
    let msg = r.dashboard_command(&format!(".export metrics {}", out.display()));
    assert!(
        msg.unwrap()
            .unwrap()
            .starts_with("wrote charts of 2 samples")
    );
    roxmltree::Document::parse(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let bad = dir.path().join("no/dir/m.svg");
    let err = r.dashboard_command(&format!(".export metrics {}", bad.display()));
    let err = err.unwrap().unwrap_err();
    assert!(
        err.contains("does not exist") && !err.contains('\n'),
        "{err}"
    );
}

#[test]
fn export_parses_svg_and_names_it_in_the_format_error() {
    use alexdb::command::{Command, ExportWhat, parse_command};
    assert_eq!(
        parse_command(".export metrics run.SVG").unwrap(),
        Command::Export {
            what: ExportWhat::MetricsSvg,
            path: "run.SVG".into()
        }
    );
    let e = parse_command(".export metrics run.png")
        .unwrap_err()
        .to_string();
    assert!(e.contains("name it FILE.csv, FILE.json or FILE.svg"), "{e}");
}

// ---- `--plot` on the benchmarks

const ALEXDB: &str = env!("CARGO_BIN_EXE_alexdb");

fn bench(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    std::process::Command::new(ALEXDB)
        .arg("bench")
        .args(args)
        .args(["--dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap()
}

#[test]
fn vs_sqlite_plot_names_each_engine_and_the_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("vs.svg");
    let o = bench(&[
        "vs-sqlite",
        "--rows",
        "2000",
        "--queries",
        "2000",
        "--seed",
        "7",
        "--json",
        "--plot",
        svg_path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["plot"], svg_path.to_str().unwrap());
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "alexdb",
        "sqlite",
        "sqlite-mmap",
        "Point-query latency CDF",
        "latency per query (ns, log scale)",
    ] {
        assert!(has(&t, s), "missing {s:?}");
    }
    assert!(
        t.iter()
            .any(|x| x.starts_with("2000 rows") && x.contains("seed 7")),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x.starts_with("memory budget")), "{t:?}");
    for i in 0..3 {
        // One CDF line and its legend sample per engine.
        assert_eq!(
            count(&doc, "polyline", "stroke", &series_hex(i)),
            2,
            "engine {i}"
        );
    }
}

#[test]
fn index_and_ycsb_plots_name_their_structures_and_engines() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("i.svg");
    let o = std::process::Command::new(ALEXDB)
        .args([
            "bench",
            "index",
            "--keys",
            "2000",
            "--dist",
            "seq",
            "--plot",
            idx.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("plot written to"));
    let svg = std::fs::read_to_string(&idx).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    assert!(has(&t, "ALEX") && has(&t, "BTreeMap") && has(&t, "dependent lookup"));
    let y = dir.path().join("y.svg");
    let o = bench(&[
        "ycsb",
        "--workload",
        "b",
        "--records",
        "2000",
        "--ops",
        "2000",
        "--engine",
        "all",
        "--plot",
        y.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(&y).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "alexdb",
        "rocksdb",
        "sqlite",
        "sqlite-mmap",
        "workload b",
        "operations per second (ops/s)",
    ] {
        assert!(has(&t, s), "missing {s:?}");
    }
    // Workload b reads and updates: one bar per engine for each p50 and p99.
    assert!(has(&t, "read p99") && has(&t, "update p50") && !has(&t, "scan p50"));
}

#[test]
fn a_bad_plot_path_is_one_error_line_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    for (path, says) in [
        (dir.path().join("x.png"), "must end in .svg"),
        (dir.path().join("missing/x.svg"), "does not exist"),
    ] {
        let o = bench(&[
            "vs-sqlite",
            "--rows",
            "1000",
            "--plot",
            path.to_str().unwrap(),
        ]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains(says), "{err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn shell_bench_profile_plots_the_stacked_split() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("p.svg");
    let script = format!(
        ".load sequential 3000; .bench profile --queries 2000 --plot {}",
        svg_path.display()
    );
    let o = std::process::Command::new(ALEXDB)
        .args(["--temp", "-c", &script])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("plot written to"), "{out}");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    for s in [
        "value cache",
        "ALEX",
        "RocksDB",
        "rest",
        "time per get (ns)",
    ] {
        assert!(has(&t, s), "missing {s:?}");
    }
    // A bad path is refused before the job starts: one error line, no job.
    let o = std::process::Command::new(ALEXDB)
        .args(["--temp", "-c", ".bench profile --plot p.txt"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("must end in .svg"),
        "{err}"
    );
    assert_eq!(
        err.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "{err}"
    );
}
