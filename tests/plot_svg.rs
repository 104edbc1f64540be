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
