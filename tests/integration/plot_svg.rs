//! The SVG charts the app draws: the dashboard's `.export metrics FILE.svg`, the
//! benchmarks' `--plot`, and the Cache pane's miss-ratio curve. (The charts themselves
//! are tested in the benchmark crate's binary.)
use crate::support::exec;
use crate::support::plots::{count, has, snap, texts};
use alexdb::tui::app::App;
use alexdb::tui::input::InputLine;
use alexdb::tui::runner::Runner;
use bench::plot::metrics::MetricsPoint;
use bench::plot::series_hex;
use command::history::History;
use engine::metrics::Event;

// ---- the recorded metrics (`.export metrics FILE.svg`)

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
        lsm: None,
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
    let mut series = command::series::Series::with_capacity(4);
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
    use command::{Command, DashboardCmd, ExportWhat, parse_command};
    assert_eq!(
        parse_command(".export metrics run.SVG").unwrap(),
        Command::Dashboard(DashboardCmd::Export {
            what: ExportWhat::MetricsSvg,
            path: "run.SVG".into()
        })
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

// ---- the Cache pane's miss-ratio curve (issue 30)

fn mrc_row(c: &engine::metrics::MrcCurve, width: u16) -> String {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    let area = Rect::new(0, 0, width, 10);
    let mut buf = Buffer::empty(area);
    alexdb::tui::panes::mrc::render(c, 4 << 20, area, &mut buf);
    (0..width)
        .map(|x| buf[(x, 9)].symbol().to_string())
        .collect()
}

fn parse_size(s: &str) -> Option<f64> {
    let units = [
        ("KiB", 1024.0),
        ("MiB", 1048576.0),
        ("GiB", 1073741824.0),
        ("B", 1.0),
    ];
    let (num, mult) = units
        .iter()
        .find_map(|(u, m)| s.strip_suffix(u).map(|n| (n, *m)))?;
    Some(num.parse::<f64>().ok()? * mult)
}

#[test]
fn the_miss_ratio_curve_labels_never_run_together_and_span_sizes_near_now() {
    use engine::metrics::{MrcCurve, MrcPoint};
    let now = 16u64 << 20;
    let c = MrcCurve {
        points: (0..20)
            .map(|i| MrcPoint {
                bytes: 79 << i,
                hit_rate: (i as f64 / 20.0).min(0.95),
            })
            .collect(),
        sampled_gets: 20_000,
        gets: 20_000,
        sample_rate: 1.0,
        bytes_per_value: 79.0,
        current_bytes: now,
    };
    for width in 20..=90 {
        let row = mrc_row(&c, width);
        let tokens: Vec<&str> = row.split_whitespace().collect();
        assert!(tokens.contains(&"now"), "{width}: {row:?}");
        for t in &tokens {
            assert!(
                *t == "now" || parse_size(t).is_some(),
                "{width}: {t:?} in {row:?}"
            );
        }
        let smallest = parse_size(tokens[0]).unwrap_or(f64::INFINITY);
        assert!(
            smallest >= (now / 64) as f64,
            "{width}: axis starts at {smallest} B: {row:?}"
        );
    }
}
