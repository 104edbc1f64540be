//! The SVG charts (issue 14, "pictures to share"), drawn by `bench::plot` alone: each
//! chart kind parsed back as XML and checked for its title, axis labels, legend entries,
//! one line per series and the bars; the metrics figure; and the plots that show the
//! doubt and read well (issues 29, 30).
use crate::support::{count, has, snap, texts};
use bench::plot::metrics::{MEMORY_PARTS, MetricsPoint, metrics_svg};
use bench::plot::{
    self, BarChart, Chart, Figure, LineChart, PlotError, Series, bar_svg, figure_svg, line_svg,
    series_hex, stacked_bar_svg,
};

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
                ..Series::default()
            },
            Series {
                name: "sqlite".into(),
                points: vec![(800.0, 5.0), (9000.0, 100.0)],
                ..Series::default()
            },
        ],
        x_log: true,
        markers: vec![(2000.0, "reopen".into())],
        ..LineChart::default()
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
        ..BarChart::default()
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
        ..Series::default()
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
        ..Series::default()
    }];
    let svg = line_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(has(&texts(&doc), "a < b & c"));
}

#[test]
fn extreme_values_and_odd_shapes_still_make_valid_svg() {
    let mut b = doubt_chart();
    b.series[0].1 = vec![f64::MAX, f64::INFINITY, 0.0];
    b.ranges = vec![vec![Some((f64::MIN, f64::MAX)), Some((1.0, 1.0))]];
    b.within_noise = vec![vec![true; 7]];
    for svg in [bar_svg(&b), stacked_bar_svg(&b)] {
        roxmltree::Document::parse(&svg.unwrap()).unwrap();
    }
    let mut c = line_chart();
    c.x_log = false;
    c.x_range = Some((f64::MIN, f64::MAX));
    c.y_range = Some((5.0, f64::NAN));
    c.series[0].points = vec![(f64::MIN, 1.0), (0.0, f64::NAN), (f64::MAX, f64::MAX)];
    c.series[0].ranges = vec![Some((f64::NAN, 1.0)), None, None, Some((0.0, 1.0))];
    c.markers = (0..50).map(|i| (i as f64, "x".repeat(i))).collect();
    roxmltree::Document::parse(&line_svg(&c).unwrap()).unwrap();
    c.x_log = true;
    c.x_range = Some((0.0, 10.0));
    roxmltree::Document::parse(&line_svg(&c).unwrap()).unwrap();
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

// ---- issue 29 (plots that show the doubt) and issue 30 (plots that read well)

/// `(left, top, right, bottom)` in pixels.
type Boxed = (f64, f64, f64, f64);

fn num_attr(n: &roxmltree::Node, name: &str) -> f64 {
    n.attribute(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The picture's width and height.
fn svg_size(doc: &roxmltree::Document) -> (f64, f64) {
    let root = doc.root_element();
    (num_attr(&root, "width"), num_attr(&root, "height"))
}

/// A text's box from its position, anchor and size, taking 0.6 em per character (wider
/// than common sans-serif faces, as the charts' own estimate does).
fn text_box(n: &roxmltree::Node) -> Boxed {
    let (x, y, fs) = (num_attr(n, "x"), num_attr(n, "y"), num_attr(n, "font-size"));
    let w = n.text().unwrap_or("").trim().chars().count() as f64 * 0.6 * fs;
    let left = match n.attribute("text-anchor") {
        Some("middle") => x - w / 2.0,
        Some("end") => x - w,
        _ => x,
    };
    let top = match n.attribute("dy") {
        Some("0.76em") => y,
        Some("0.5ex") => y - fs / 2.0,
        _ => y - fs,
    };
    (left, top, left + w, top + fs)
}

fn intersects(a: &Boxed, b: &Boxed) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The `<text>` elements (not rotated) whose content `keep` accepts.
fn text_nodes<'a>(
    doc: &'a roxmltree::Document,
    keep: impl Fn(&str) -> bool,
) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("transform").is_none())
        .filter(|n| keep(n.text().unwrap_or("").trim()))
        .collect()
}

/// The points of every polyline drawn in `stroke`.
fn polylines(doc: &roxmltree::Document, stroke: &str) -> Vec<Vec<(f64, f64)>> {
    polylines_where(doc, |n| n.attribute("stroke") == Some(stroke))
}

/// The points of every polyline `keep` accepts.
fn polylines_where(
    doc: &roxmltree::Document,
    keep: impl Fn(&roxmltree::Node) -> bool,
) -> Vec<Vec<(f64, f64)>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && keep(n))
        .map(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .filter_map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect()
        })
        .collect()
}

/// The boxes of the rectangles filled with `fill`.
fn rects(doc: &roxmltree::Document, fill: &str) -> Vec<(Boxed, String)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
        .map(|n| {
            let (x, y) = (num_attr(&n, "x"), num_attr(&n, "y"));
            let (w, h) = (num_attr(&n, "width"), num_attr(&n, "height"));
            let opacity = n.attribute("opacity").unwrap_or("1").to_string();
            ((x, y, x + w, y + h), opacity)
        })
        .collect()
}

fn no_two_overlap(boxes: &[Boxed]) -> Result<(), String> {
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if intersects(a, b) {
                return Err(format!("{a:?} overlaps {b:?}"));
            }
        }
    }
    Ok(())
}

/// The values printed on bars (11 px, centred), whose text `keep` accepts.
fn value_label_boxes(doc: &roxmltree::Document, keep: impl Fn(&str) -> bool) -> Vec<Boxed> {
    text_nodes(doc, keep)
        .iter()
        .filter(|n| n.attribute("text-anchor") == Some("middle"))
        .filter(|n| (num_attr(n, "font-size") - 11.0).abs() < 0.01)
        .map(text_box)
        .collect()
}

fn doubt_chart() -> BarChart {
    BarChart {
        title: "ops/s by block_size".into(),
        x_label: "block_size".into(),
        y_label: "ops/s".into(),
        categories: vec!["4KiB".into(), "16KiB".into(), "64KiB".into()],
        series: vec![("ops/s".into(), vec![1_210_000.0, 616_000.0, 950.0])],
        ranges: vec![vec![
            Some((1_100_000.0, 1_400_000.0)),
            Some((600_000.0, 630_000.0)),
            None,
        ]],
        value_labels: true,
        ..BarChart::default()
    }
}

#[test]
fn whiskers_span_each_range_and_values_sit_above_them_inside_the_plot() {
    let svg = bar_svg(&doubt_chart()).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let (w, h) = svg_size(&doc);
    // A stem and two caps per range, in translucent black (the axes are opaque).
    let whiskers = polylines_where(&doc, |n| {
        n.attribute("stroke") == Some("#000000") && n.attribute("opacity") == Some("0.75")
    });
    assert_eq!(whiskers.len(), 6, "{whiskers:?}");
    let stems: Vec<&Vec<(f64, f64)>> = whiskers.iter().filter(|p| p[0].0 == p[1].0).collect();
    assert_eq!(stems.len(), 2);
    let boxes = value_label_boxes(&doc, |t| ["1.21M", "616k", "950"].contains(&t));
    assert_eq!(boxes.len(), 3, "one compact value per bar");
    for stem in stems {
        let top = stem[0].1.min(stem[1].1);
        let over = boxes
            .iter()
            .find(|b| b.0 <= stem[0].0 && stem[0].0 <= b.2)
            .expect("a label over each whisker");
        assert!(
            over.3 <= top + 0.5,
            "label {over:?} above whisker top {top}"
        );
    }
    for b in &boxes {
        assert!(b.0 >= 0.0 && b.2 <= w && b.1 >= 0.0 && b.3 <= h, "{b:?}");
    }
    no_two_overlap(&boxes).unwrap();
}

#[test]
fn value_labels_stay_inside_the_plot_when_a_bar_reaches_the_top() {
    let mut c = doubt_chart();
    c.ranges.clear();
    c.series = vec![
        ("a".into(), vec![5e6, 5e6, 5e6]),
        ("b".into(), vec![5e6, 1.0, 5e6]),
        ("c".into(), vec![5e6, 5e6, f64::NAN]),
    ];
    let svg = bar_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let labels = value_label_boxes(&doc, |t| t == "5M" || t == "1");
    assert_eq!(labels.len(), 8, "{labels:?}");
    no_two_overlap(&labels).unwrap();
    // Above the plot are the title and the legend: the labels stay below the legend.
    let legend_bottom = text_nodes(&doc, |t| t == "a")
        .iter()
        .map(|n| text_box(n).3)
        .fold(0.0, f64::max);
    assert!(labels.iter().all(|b| b.1 >= legend_bottom), "{labels:?}");
}

#[test]
fn bars_within_noise_are_lighter_and_hatched_with_a_legend_entry() {
    let mut c = doubt_chart();
    let plain = bar_svg(&c).unwrap();
    assert!(!plain.contains(plot::NOISE_LABEL));
    c.within_noise = vec![vec![false, true, true]];
    let svg = bar_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(has(&texts(&doc), plot::NOISE_LABEL));
    let bars = rects(&doc, &series_hex(0));
    let light = bars.iter().filter(|(_, o)| o == "0.4").count();
    assert_eq!(light, 2, "{bars:?}");
    // Hatching: short diagonal strokes in the series' colour inside the light bars.
    let hatch = polylines(&doc, &series_hex(0));
    assert!(hatch.len() >= 4, "{hatch:?}");
    for line in &hatch {
        let (a, b) = (line[0], line[1]);
        assert!(
            (a.0 - b.0).abs() > 0.0 && (a.1 - b.1).abs() > 0.0,
            "diagonal: {line:?}"
        );
        let inside = bars.iter().any(|(r, o)| {
            o == "0.4" && [a, b].iter().all(|p| p.0 >= r.0 - 1.0 && p.0 <= r.2 + 1.0)
        });
        assert!(inside, "hatch line {line:?} outside the light bars");
    }
}

#[test]
fn line_points_with_ranges_get_error_bars() {
    let c = LineChart {
        title: "ops/s by value_cache_size".into(),
        series: vec![Series {
            name: "ops/s".into(),
            points: vec![(1.0, 100.0), (2.0, 150.0), (4.0, 160.0)],
            ranges: vec![Some((90.0, 110.0)), None, Some((150.0, 150.0))],
        }],
        ..LineChart::default()
    };
    let svg = line_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let lines = polylines(&doc, &series_hex(0));
    let line = lines.iter().find(|p| p.len() == 3).expect("the line");
    let stems: Vec<&Vec<(f64, f64)>> = lines
        .iter()
        .filter(|p| p.len() == 2 && p[0].0 == p[1].0)
        .collect();
    assert_eq!(stems.len(), 2, "{lines:?}");
    // The first bar stands on the first point, reaching above and below it.
    let s = stems.iter().find(|s| s[0].0 == line[0].0).unwrap();
    let (top, bottom) = (s[0].1.min(s[1].1), s[0].1.max(s[1].1));
    assert!(
        top < line[0].1 && line[0].1 < bottom,
        "{s:?} around {:?}",
        line[0]
    );
    // Caps: two short horizontal strokes per bar (the legend's sample is longer).
    let caps = lines.iter().filter(|p| {
        p.len() == 2 && p[0].1 == p[1].1 && (1.0..=10.0).contains(&(p[0].0 - p[1].0).abs())
    });
    assert_eq!(caps.count(), 4);
}

#[test]
fn the_legend_is_outside_the_data_and_never_covers_a_bar() {
    let names = [
        "alexdb",
        "rocksdb",
        "sqlite",
        "sqlite-mmap",
        "lmdb",
        "btree",
    ];
    let c = BarChart {
        title: "six engines".into(),
        categories: vec!["A".into(), "B".into(), "C".into()],
        series: names
            .iter()
            .map(|n| (n.to_string(), vec![1000.0, 1000.0, 1000.0]))
            .collect(),
        ..BarChart::default()
    };
    let svg = bar_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars: Vec<Boxed> = (0..names.len())
        .flat_map(|i| rects(&doc, &series_hex(i)))
        .map(|(r, _)| r)
        .filter(|r| r.3 - r.1 > 20.0)
        .collect();
    assert_eq!(bars.len(), 18);
    let top_of_bars = bars.iter().map(|b| b.1).fold(f64::INFINITY, f64::min);
    for n in text_nodes(&doc, |t| names.contains(&t)) {
        let b = text_box(&n);
        assert!(
            b.3 <= top_of_bars,
            "legend entry {b:?} reaches into the bars"
        );
        assert!(bars.iter().all(|bar| !intersects(&b, bar)), "{b:?}");
    }
}

#[test]
fn ticks_of_one_axis_share_one_number_format() {
    let mut c = bar_chart();
    c.series = vec![("alexdb".into(), vec![2000.0, 7000.0, 12_000.0])];
    let svg = bar_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let ticks: Vec<String> = text_nodes(&doc, |_| true)
        .iter()
        .filter(|n| n.attribute("text-anchor") == Some("end"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .filter(|t| t != "0")
        .collect();
    assert!(ticks.len() >= 3, "{ticks:?}");
    let suffix = |t: &String| {
        t.trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == '.')
            .to_string()
    };
    let first = suffix(&ticks[0]);
    assert!(ticks.iter().all(|t| suffix(t) == first), "{ticks:?}");
}

#[test]
fn a_wide_figure_is_at_most_twice_as_wide_as_tall_and_its_text_is_readable() {
    let f = Figure {
        title: "three panels".into(),
        caption: vec!["settings".into()],
        panels: vec![
            Chart::Line(line_chart()),
            Chart::Bars(bar_chart()),
            Chart::Bars(bar_chart()),
        ],
        columns: 3,
    };
    let svg = figure_svg(&f).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let (w, h) = svg_size(&doc);
    assert!(w / h <= 2.0, "{w} x {h}");
    // Shown a page wide (about 1000 px), no text is smaller than about 8 px.
    let smallest = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| num_attr(&n, "font-size"))
        .fold(f64::INFINITY, f64::min);
    assert!(
        smallest * 1000.0 / w >= 8.0,
        "font {smallest} px in a {w} px picture"
    );
}

#[test]
fn long_caption_lines_wrap_inside_the_picture() {
    let mut c = bar_chart();
    let long = (0..60)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    c.caption = vec![long.clone(), "short".into()];
    let svg = bar_svg(&c).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let (w, _) = svg_size(&doc);
    let lines = text_nodes(&doc, |t| t.starts_with("word"));
    assert!(lines.len() >= 2, "the long line is wrapped");
    for n in &lines {
        let b = text_box(n);
        assert!(
            b.0 >= 0.0 && b.2 <= w,
            "caption line {b:?} passes the right edge {w}"
        );
    }
    let joined: Vec<&str> = lines.iter().map(|n| n.text().unwrap().trim()).collect();
    assert_eq!(joined.join(" "), long, "no word is lost");
    assert!(has(&texts(&doc), "short"));
}

// ---- the metrics figure (issue 30)

fn steady(t: f64) -> MetricsPoint {
    MetricsPoint::from_snapshot(t, &snap(t, 100, true))
}

#[test]
fn metrics_lines_are_not_drawn_across_an_idle_gap() {
    let points: Vec<MetricsPoint> = (0..=10).chain(30..=40).map(|i| steady(i as f64)).collect();
    let svg = metrics_svg(&points, &[], &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let mut widest = 0.0f64;
    let mut typical = f64::INFINITY;
    for i in 0..MEMORY_PARTS.len() {
        for line in polylines(&doc, &series_hex(i))
            .iter()
            .filter(|p| p.len() > 2)
        {
            for w in line.windows(2) {
                let dx = (w[1].0 - w[0].0).abs();
                widest = widest.max(dx);
                typical = typical.min(dx);
            }
        }
    }
    assert!(typical.is_finite(), "lines drawn");
    assert!(
        widest < 3.0 * typical,
        "a segment {widest} px long spans the gap (steps {typical} px)"
    );
    assert!(
        svg.contains("gap(s) with no samples"),
        "the caption says so"
    );
}

/// Marker labels (11 px text) do not overlap one another in any panel.
fn marker_label_boxes(doc: &roxmltree::Document) -> Vec<Boxed> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text") && (num_attr(n, "font-size") - 11.0).abs() < 0.01)
        .map(|n| text_box(&n))
        .collect()
}

#[test]
fn crowded_marker_labels_are_stacked_or_numbered_never_overlapping() {
    let points: Vec<MetricsPoint> = (0..20).map(|i| steady(i as f64)).collect();
    let few: Vec<(f64, String)> = [
        "block_size=16KiB",
        "compression=lz4",
        "write_buffer_size=64MiB",
    ]
    .iter()
    .enumerate()
    .map(|(i, l)| (5.0 + i as f64 * 0.05, l.to_string()))
    .collect();
    let svg = metrics_svg(&points, &few, &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let boxes = marker_label_boxes(&doc);
    assert_eq!(boxes.len(), 12, "three labels on each of four panels");
    no_two_overlap(&boxes).unwrap();
    let t = texts(&doc);
    assert_eq!(t.iter().filter(|x| *x == "compression=lz4").count(), 4);
    let many: Vec<(f64, String)> = (0..12)
        .map(|i| (5.0 + i as f64 * 0.05, format!("option_{i}=on")))
        .collect();
    let svg = metrics_svg(&points, &many, &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    no_two_overlap(&marker_label_boxes(&doc)).unwrap();
    let t = texts(&doc);
    assert!(
        t.iter()
            .any(|x| x.contains("1 option_0=on") && x.starts_with("markers:")),
        "numbered markers are explained under the chart: {t:?}"
    );
}

#[test]
fn the_hit_rate_axis_stops_at_100_percent() {
    let points: Vec<MetricsPoint> = (0..8).map(|i| steady(i as f64)).collect();
    let svg = metrics_svg(&points, &[], &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let pct: Vec<f64> = texts(&doc)
        .iter()
        .filter_map(|t| t.strip_suffix('%')?.parse().ok())
        .collect();
    assert!(pct.contains(&100.0), "{pct:?}");
    assert!(pct.iter().all(|p| *p <= 100.0), "{pct:?}");
}

#[test]
fn latency_is_drawn_in_microseconds_or_milliseconds() {
    let mut points: Vec<MetricsPoint> = (0..8).map(|i| steady(i as f64)).collect();
    for p in &mut points {
        p.get_p99_ns = Some(350_000.0);
    }
    let svg = metrics_svg(&points, &[], &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let t = texts(&doc);
    assert!(has(&t, "latency per get (µs)"), "{t:?}");
    assert!(
        !t.iter()
            .any(|x| x.ends_with('k') && x[..x.len() - 1].parse::<f64>().is_ok()),
        "{t:?}"
    );
    for p in &mut points {
        p.get_p99_ns = Some(12_000_000.0);
    }
    let svg = metrics_svg(&points, &[], &[]).unwrap();
    assert!(svg.contains("latency per get (ms)"));
}

#[test]
fn every_metrics_panel_shares_one_time_axis() {
    // The hit rates are measured only from t = 4: their line must still start at t = 4
    // on the same axis as the throughput's.
    let points: Vec<MetricsPoint> = (0..10)
        .map(|i| {
            let mut p = steady(i as f64);
            if i < 4 {
                p.value_cache_hit_rate = None;
                p.block_cache_hit_rate = None;
            }
            p
        })
        .collect();
    let svg = metrics_svg(&points, &[], &[]).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let (w, _) = svg_size(&doc);
    // Colour 0 in the left column: throughput (top) and hit rates (bottom).
    let mut left: Vec<Vec<(f64, f64)>> = polylines(&doc, &series_hex(0))
        .into_iter()
        .filter(|p| p.len() > 2 && p[0].0 < w / 2.0)
        .collect();
    left.sort_by(|a, b| a[0].1.total_cmp(&b[0].1));
    assert_eq!(left.len(), 2, "{left:?}");
    let (reads, hits) = (&left[0], &left[1]);
    assert_eq!(reads.len(), 10);
    assert_eq!(hits.len(), 6);
    assert_eq!(
        hits[0].0, reads[4].0,
        "t = 4 is at the same x in both panels"
    );
    assert_eq!(hits[5].0, reads[9].0);
}
