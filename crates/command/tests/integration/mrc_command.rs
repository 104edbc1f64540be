//! `.mrc` (issue 14, item 4): parsing, the table, `--json` fields, the too-few-samples
//! answer, `.mrc reset` and `value_cache_mrc off`.
use crate::support::run_all;
use command::{Command, Executor, OptionsCmd, Outcome, Report, parse_command};
use engine::DbOptions;
use workload::dataset::value_for;

#[test]
fn parses_mrc_and_reset_and_refuses_anything_else() {
    let _quiet = crate::support::QUIET.read();
    let ok = [
        (".mrc", Command::Options(OptionsCmd::Mrc { reset: false })),
        (".MRC", Command::Options(OptionsCmd::Mrc { reset: false })),
        (
            ".mrc reset",
            Command::Options(OptionsCmd::Mrc { reset: true }),
        ),
        (
            ".mrc RESET",
            Command::Options(OptionsCmd::Mrc { reset: true }),
        ),
    ];
    for (text, want) in ok {
        assert_eq!(parse_command(text).expect(text), want, "{text}");
    }
    for (text, msg) in [
        (".mrc clear", "expected reset, got \"clear\""),
        (".mrc reset now", "takes 0 or 1 argument, got 2"),
    ] {
        let e = parse_command(text).expect_err(text).to_string();
        assert!(e.contains(msg), "{text}: {e}");
        assert!(e.contains("usage: .mrc [reset]"), "{e}");
    }
}

fn message(r: &Report) -> String {
    match &r.result {
        Ok(Outcome::Message(m)) => m.clone(),
        other => panic!("expected a message, got {other:?}"),
    }
}

/// An executor over 20,000 keys of 100-byte values with a 1 MiB value cache.
fn loaded(dir: &std::path::Path) -> Executor {
    let opts = DbOptions {
        value_cache_size: 1 << 20,
        warm_value_cache: engine::WarmValueCache::Off,
        ..DbOptions::default()
    };
    let exec = Executor::open(dir, opts).expect("open");
    let rows = (0..20_000i64).map(|k| (k, value_for(k, 100, 3)));
    exec.db().load(rows).expect("load");
    exec
}

/// Gets cycling over `hot` keys, `n` of them.
fn gets(exec: &Executor, hot: i64, n: i64) {
    for i in 0..n {
        exec.db().get(i % hot).expect("get");
    }
}

#[test]
fn too_few_samples_says_so_instead_of_a_table() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(dir.path());
    let m = message(&run_all(&mut exec, ".mrc")[0]);
    assert!(m.starts_with("no miss-ratio curve yet"), "{m}");
    gets(&exec, 20_000, 20_000);
    let m = message(&run_all(&mut exec, ".mrc")[0]);
    assert!(m.starts_with("too few sampled gets"), "{m}");
    assert!(m.contains("20000 gets seen"), "{m}");
}

#[test]
fn the_table_marks_now_and_every_key_and_json_has_the_fields() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(dir.path());
    gets(&exec, 20_000, 400_000);
    let r = run_all(&mut exec, ".mrc");
    let Ok(Outcome::Report { text, json }) = &r[0].result else {
        panic!("{:?}", r[0].result);
    };
    assert!(
        text.contains("size (MiB)  predicted hit %  memory vs now (MiB)"),
        "{text}"
    );
    let now: Vec<&str> = text.lines().filter(|l| l.contains("<- now")).collect();
    assert_eq!(now.len(), 1, "{text}");
    assert!(now[0].trim_start().starts_with("1.0"), "{text}");
    assert!(now[0].contains("+0.0"), "{text}");
    assert!(text.contains("holds every key"), "{text}");
    for field in [
        "points",
        "current_bytes",
        "sampled_gets",
        "sample_rate",
        "bytes_per_value",
    ] {
        assert!(json.get(field).is_some(), "{field} missing: {json}");
    }
    assert_eq!(json["current_bytes"], 1 << 20);
    let sizes = json["sizes"].as_array().expect("sizes");
    // 1/8x .. 4x of 1 MiB and the size holding every key.
    assert_eq!(sizes.len(), 7, "{json}");
    let rate = |i: usize| sizes[i]["hit_rate"].as_f64().expect("rate");
    // A cyclic scan over 20,000 keys hits only once all of them fit.
    assert!(rate(0) < 0.15, "{json}");
    let all = sizes
        .iter()
        .position(|s| s["all_keys"] == true)
        .expect("all");
    assert!(
        sizes[all]["hit_rate"].as_f64().expect("rate") > 0.85,
        "{json}"
    );
    assert!(json["sampled_gets"].as_u64().expect("n") >= 1000);
}

#[test]
fn reset_and_off_drop_the_estimate() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exec = loaded(dir.path());
    gets(&exec, 500, 200_000);
    assert!(exec.db().miss_ratio_curve().is_some());
    let m = message(&run_all(&mut exec, ".mrc reset")[0]);
    assert_eq!(m, "miss-ratio curve started afresh");
    assert!(exec.db().miss_ratio_curve().is_none());
    gets(&exec, 500, 200_000);
    run_all(&mut exec, ".set value_cache_mrc off");
    assert!(exec.db().miss_ratio_curve().is_none());
    let m = message(&run_all(&mut exec, ".mrc")[0]);
    assert!(m.contains("is off"), "{m}");
    gets(&exec, 500, 10_000);
    assert!(
        exec.db().miss_ratio_curve().is_none(),
        "off samples nothing"
    );
    run_all(&mut exec, ".set value_cache_mrc on");
    gets(&exec, 500, 200_000);
    let c = exec.db().miss_ratio_curve().expect("curve");
    assert_eq!(c.gets, 200_000, "on starts afresh");
}

#[test]
fn a_thinned_curve_keeps_both_ends_and_at_most_max_points() {
    let _quiet = crate::support::QUIET.read();
    use engine::metrics::{MrcCurve, MrcPoint};
    let c = MrcCurve {
        points: (1..=200)
            .map(|i| MrcPoint {
                bytes: i * 10,
                hit_rate: i as f64 / 200.0,
            })
            .collect(),
        sampled_gets: 5000,
        ..Default::default()
    };
    let t = c.thinned(48);
    assert_eq!(t.points.len(), 48);
    assert_eq!(t.points[0], c.points[0]);
    assert_eq!(t.points[47], c.points[199]);
    assert!(t.points.windows(2).all(|w| w[0].bytes < w[1].bytes));
    assert_eq!(t.sampled_gets, 5000);
    assert_eq!(c.thinned(500), c);
}
