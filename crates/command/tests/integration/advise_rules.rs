//! The advisor (issue 14 item 5): each rule with a small real workload that triggers it
//! and one that does not, the miss-ratio-curve rule with constructed curves, `.advise
//! apply N` then `.advise undo` through the executor, and the errors.
use crate::support::{payload, run_waited};
use std::path::Path;

use command::advise::{AdviseInput, Finding, Proposal, advise};
use command::{AdviseAction, Command, Executor, OptionsCmd, Outcome, Report, parse_command};
use engine::metrics::{MrcCurve, MrcPoint, Snapshot};
use engine::{Compression, Db, DbOptions, PerfLevel};

/// Small, cheap options every workload starts from: no value cache, so gets reach RocksDB.
fn base() -> DbOptions {
    DbOptions {
        value_cache_size: 0,
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        ..DbOptions::default()
    }
}

fn loaded(dir: &Path, opts: DbOptions, n: i64, len: usize) -> Db {
    let db = Db::open_with(dir.join("db"), opts).expect("open");
    db.load((0..n).map(|k| (k * 2, payload(k * 2, len))))
        .expect("load");
    db
}

/// Deterministic spread of gets over the loaded keys (`k * 2`, `k < n`).
fn get_spread(db: &Db, n: i64, gets: i64) {
    for i in 0..gets {
        let k = (i * 7919) % n * 2;
        assert!(db.get(k).expect("get").is_some(), "key {k} present");
    }
}

/// What rule `rule` finds on `db` now.
fn finding(db: &Db, rule: &str) -> Finding {
    let snap = db.metrics_snapshot();
    let opts = db.options();
    let input = AdviseInput {
        snap: &snap,
        opts: &opts,
        mrc: None,
    };
    advise(&input)
        .into_iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, f)| f)
        .expect("rule exists")
}

fn proposal(f: Finding) -> Proposal {
    match f {
        Finding::Propose(p) => p,
        other => panic!("expected a proposal, got {other:?}"),
    }
}

fn assert_quiet(f: Finding) {
    assert!(matches!(f, Finding::Quiet(_)), "expected quiet, got {f:?}");
}

#[test]
fn write_stalls_trigger_with_tiny_memtables_and_heavy_puts() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        write_buffer_size: 64 << 10,
        max_write_buffer_number: 2,
        level0_file_num_compaction_trigger: 1,
        max_background_jobs: 1,
        wal: false,
        ..base()
    };
    let db = Db::open_with(dir.path().join("db"), opts).expect("open");
    for k in 0..10_000 {
        db.put(k, &payload(k * 31, 1024)).expect("put");
    }
    let s = db.metrics_snapshot();
    assert!(
        s.rocksdb.tickers.stall_micros > 0 || s.rocksdb.pending_compaction_bytes > 0,
        "the workload stalled"
    );
    // When RocksDB named the stalls' causes, each cause's rule proposes instead.
    let causes = [
        ("l0 files", "l0-stalls"),
        ("memtables", "memtable-stalls"),
        ("pending bytes", "pending-compaction"),
    ];
    let named: Vec<&str> = causes
        .iter()
        .filter(|(c, _)| s.rocksdb.stall.by_cause.iter().any(|b| b.cause == *c))
        .map(|(_, r)| *r)
        .collect();
    if !named.is_empty() {
        for r in &named {
            proposal(finding(&db, r));
        }
        match finding(&db, "write-stalls") {
            Finding::NoData(why) => assert!(why.contains(named[0]), "{why}"),
            f => panic!("expected the cause rules to propose, got {f:?}"),
        }
        return;
    }
    let p = proposal(finding(&db, "write-stalls"));
    assert_eq!(p.sets[0], ("write_buffer_size".into(), "128KiB".into()));
    assert_eq!(p.sets[1], ("max_write_buffer_number".into(), "4".into()));
    assert!(p.figures.iter().any(|f| f.name == "stall_micros"));
}

#[test]
fn write_stalls_quiet_for_a_few_puts_and_no_data_without_writes() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), base()).expect("open");
    match finding(&db, "write-stalls") {
        Finding::NoData(why) => assert!(why.contains("no writes"), "{why}"),
        f => panic!("expected no data, got {f:?}"),
    }
    for k in 0..2_000 {
        db.put(k, &payload(k, 100)).expect("put");
    }
    assert_quiet(finding(&db, "write-stalls"));
}

/// Zstd blocks read through a tiny block cache: decompression dominates RocksDB's gets.
fn decompression_db(dir: &Path, codec: Compression) -> Db {
    let opts = DbOptions {
        block_cache_bytes: 64 << 10,
        compression: codec,
        bottommost_compression: codec,
        perf_level: PerfLevel::TimeExceptMutex,
        metrics_sample_rate: 1,
        ..base()
    };
    let db = loaded(dir, opts, 20_000, 400);
    db.compact().expect("compact");
    get_spread(&db, 20_000, 3_000);
    db
}

#[test]
fn decompression_triggers_on_zstd_blocks_read_from_files() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = decompression_db(dir.path(), Compression::Zstd);
    let p = proposal(finding(&db, "decompression"));
    assert_eq!(
        p.sets,
        vec![("bottommost_compression".into(), "lz4".into())]
    );
    assert!(p.reason.contains("zstd"), "{}", p.reason);
}

#[test]
fn decompression_quiet_without_compression_and_no_data_with_perf_off() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = decompression_db(dir.path(), Compression::None);
    assert_quiet(finding(&db, "decompression"));
    let dir2 = tempfile::tempdir().unwrap();
    let db2 = loaded(dir2.path(), base(), 2_000, 100);
    get_spread(&db2, 2_000, 500);
    match finding(&db2, "decompression") {
        Finding::NoData(why) => assert!(why.contains("perf_level"), "{why}"),
        f => panic!("expected no data, got {f:?}"),
    }
}

#[test]
fn bloom_filter_triggers_when_only_present_keys_are_read() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        optimize_filters_for_hits: false,
        ..base()
    };
    let db = loaded(dir.path(), opts, 20_000, 100);
    get_spread(&db, 20_000, 3_000);
    let p = proposal(finding(&db, "bloom-filter"));
    assert_eq!(
        p.sets,
        vec![("optimize_filters_for_hits".into(), "on".into())]
    );
    assert!(p.effect.unwrap().contains("frees"));
}

#[test]
fn bloom_filter_quiet_when_upper_level_filters_skip_files() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let db = loaded(dir.path(), base(), 20_000, 100);
    // Odd keys over the whole range in an L0 file: gets of the even (bottom-level) keys
    // fall in its range, and its filter lets them skip it.
    for k in 0..5_000 {
        db.put(k * 8 + 1, &payload(k, 100)).expect("put");
    }
    db.flush().expect("flush");
    get_spread(&db, 20_000, 3_000);
    assert_quiet(finding(&db, "bloom-filter"));
}

#[test]
fn block_reads_trigger_with_a_tiny_full_block_cache() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        block_cache_bytes: 256 << 10,
        ..base()
    };
    let db = loaded(dir.path(), opts, 20_000, 200);
    get_spread(&db, 20_000, 5_000);
    let p = proposal(finding(&db, "block-reads"));
    let (name, _) = &p.sets[0];
    assert!(name == "block_size" || name == "block_cache_size", "{name}");
}

#[test]
fn block_reads_quiet_when_the_cache_holds_the_data() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        block_cache_bytes: 64 << 20,
        ..base()
    };
    let db = loaded(dir.path(), opts, 20_000, 200);
    get_spread(&db, 20_000, 5_000);
    get_spread(&db, 20_000, 5_000);
    assert_quiet(finding(&db, "block-reads"));
}

/// A snapshot with RocksDB statistics and the given block-cache figures.
fn snap_with_block_cache(hits: u64, misses: u64, usage: u64) -> Snapshot {
    let mut s = Snapshot::default();
    s.rocksdb.statistics_enabled = true;
    s.rocksdb.tickers.block_cache.data_hit = hits;
    s.rocksdb.tickers.block_cache.data_miss = misses;
    s.rocksdb.block_cache_usage = usage;
    s
}

fn curve(points: &[(u64, f64)], samples: u64) -> MrcCurve {
    MrcCurve {
        points: points
            .iter()
            .map(|&(bytes, hit_rate)| MrcPoint { bytes, hit_rate })
            .collect(),
        sampled_gets: samples,
        gets: samples * 10,
        sample_rate: 0.1,
        bytes_per_value: 100.0,
        current_bytes: 0,
    }
}

fn cache_split(snap: &Snapshot, opts: &DbOptions, c: &MrcCurve) -> Finding {
    let input = AdviseInput {
        snap,
        opts,
        mrc: Some(c),
    };
    advise(&input).remove(0).1
}

const MIB: u64 = 1 << 20;

#[test]
fn cache_split_grows_the_value_cache_when_the_curve_climbs() {
    let _quiet = crate::support::QUIET.read();
    let opts = DbOptions {
        value_cache_size: 32 << 20,
        block_cache_bytes: 64 << 20,
        ..DbOptions::default()
    };
    // 40% at 32 MiB, 70% at 64 MiB: +32 MiB (half the block cache) gains 30 points.
    let c = curve(
        &[(32 * MIB, 0.40), (64 * MIB, 0.70), (128 * MIB, 0.75)],
        5_000,
    );
    let snap = snap_with_block_cache(300, 700, 64 * MIB);
    let p = proposal(cache_split(&snap, &opts, &c));
    assert_eq!(
        p.sets,
        vec![
            ("value_cache_size".into(), "64MiB".into()),
            ("block_cache_size".into(), "32MiB".into()),
        ]
    );
    assert!(p.effect.unwrap().starts_with("+30.0 points"));
    // The same curve with a block cache that answers 95% of its lookups: keep it.
    let busy = snap_with_block_cache(950, 50, 64 * MIB);
    assert!(matches!(cache_split(&busy, &opts, &c), Finding::Quiet(_)));
    // ... unless it leaves room unused: that room moves without costing it a hit.
    let roomy = snap_with_block_cache(950, 50, 24 * MIB);
    let p = proposal(cache_split(&roomy, &opts, &c));
    assert_eq!(
        p.sets,
        vec![
            ("value_cache_size".into(), "72MiB".into()),
            ("block_cache_size".into(), "24MiB".into()),
        ]
    );
    assert!(p.reason.contains("leaves 40.0 MiB unused"), "{}", p.reason);
}

#[test]
fn cache_split_gives_a_flat_curve_s_memory_to_a_full_block_cache() {
    let _quiet = crate::support::QUIET.read();
    let opts = DbOptions {
        value_cache_size: 256 << 20,
        block_cache_bytes: 64 << 20,
        ..DbOptions::default()
    };
    let c = curve(
        &[(64 * MIB, 0.80), (128 * MIB, 0.989), (256 * MIB, 0.99)],
        5_000,
    );
    let full = snap_with_block_cache(950, 50, 64 * MIB);
    // The same shape topping out at 90%: a tenth of the gets were first reads, which a
    // warm cache may hit at sizes the curve cannot name, so the top is not shown idle.
    let cold = curve(
        &[(64 * MIB, 0.70), (128 * MIB, 0.899), (256 * MIB, 0.90)],
        5_000,
    );
    assert!(matches!(
        cache_split(&full, &opts, &cold),
        Finding::Quiet(_)
    ));
    let p = proposal(cache_split(&full, &opts, &c));
    assert_eq!(
        p.sets,
        vec![
            ("value_cache_size".into(), "128MiB".into()),
            ("block_cache_size".into(), "192MiB".into()),
        ]
    );
    // A block cache with room left does not need the memory.
    let roomy = snap_with_block_cache(950, 50, 10 * MIB);
    assert!(matches!(cache_split(&roomy, &opts, &c), Finding::Quiet(_)));
}

#[test]
fn cache_split_says_when_the_curve_is_missing_or_thin() {
    let _quiet = crate::support::QUIET.read();
    let snap = snap_with_block_cache(1, 1, 0);
    let opts = DbOptions::default();
    let input = AdviseInput {
        snap: &snap,
        opts: &opts,
        mrc: None,
    };
    assert!(
        matches!(&advise(&input)[0].1, Finding::NoData(w) if w.contains("no miss-ratio curve"))
    );
    let thin = curve(&[(MIB, 0.5)], 10);
    assert!(
        matches!(cache_split(&snap, &opts, &thin), Finding::NoData(w) if w.contains("10 sampled gets"))
    );
}

// ---- through the executor ----

fn err(r: Report) -> String {
    r.result.expect_err("fails").to_string()
}

fn advise_json(exec: &mut Executor) -> serde_json::Value {
    match run_waited(exec, ".advise").result.expect(".advise") {
        Outcome::Report { json, .. } => json,
        o => panic!("expected a report, got {o:?}"),
    }
}

#[test]
fn apply_then_undo_restores_the_option_and_marks_events() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        block_cache_bytes: 256 << 10,
        ..base()
    };
    let db = loaded(dir.path(), opts.clone(), 20_000, 200);
    // `.advise` reads the executor's metrics history, so the workload runs after the
    // executor (and its sampler) exists.
    let mut exec = Executor::with_db(std::sync::Arc::new(db), opts);
    get_spread(exec.db(), 20_000, 5_000);
    assert!(err(run_waited(&mut exec, ".advise apply 1")).contains("run .advise first"));
    assert!(err(run_waited(&mut exec, ".advise undo")).contains("nothing to undo"));
    let json = advise_json(&mut exec);
    let list = json["proposals"].as_array().expect("proposals");
    let n = list
        .iter()
        .find(|p| p["rule"] == "block-reads")
        .expect("block-reads proposes")["n"]
        .as_u64()
        .unwrap();
    let p = &list[n as usize - 1];
    assert!(p["figures"]["read share"].is_string() && p["reason"].is_string());
    let cmd = p["commands"][0].as_str().unwrap().to_string();
    let mut words = cmd.split_whitespace().skip(1);
    let (name, value) = (words.next().unwrap(), words.next().unwrap());
    let before = exec.db().options().get(name).unwrap();
    assert!(
        err(run_waited(
            &mut exec,
            &format!(".advise apply {}", list.len() + 1)
        ))
        .contains("no proposal")
    );

    run_waited(&mut exec, &format!(".advise apply {n}"))
        .result
        .expect("apply");
    let applied = exec.db().options().get(name).unwrap();
    let mut want = DbOptions::default();
    want.set(name, value).unwrap();
    assert_eq!(applied, want.get(name).unwrap());
    assert_ne!(applied, before);
    // The list is stale now: the options it was computed against changed.
    assert!(err(run_waited(&mut exec, &format!(".advise apply {n}"))).contains("stale"));
    let events = exec.db().metrics().events_since(0);
    assert!(events.iter().any(|e| {
        e.kind == "advise"
            && e.label
                .starts_with(&format!(".advise apply {n} (block-reads)"))
    }));
    assert!(
        events
            .iter()
            .any(|e| e.kind == "option" && e.option.as_deref() == Some(name))
    );

    run_waited(&mut exec, ".advise undo").result.expect("undo");
    assert_eq!(exec.db().options().get(name).unwrap(), before);
    // A second undo says the proposal was undone, not that none was applied.
    let again = err(run_waited(&mut exec, ".advise undo"));
    assert!(
        again.contains("nothing left to undo: the applied proposal was already undone"),
        "{again}"
    );
}

#[test]
fn stale_after_a_set_and_nothing_to_advise_lists_figures() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = Executor::open(&dir.path().join("db"), base()).expect("open");
    let r = run_waited(&mut exec, ".advise");
    let Ok(Outcome::Report { text, json }) = r.result else {
        panic!("report")
    };
    assert!(text.contains("nothing to advise"), "{text}");
    assert!(text.contains("cannot judge"), "{text}");
    assert_eq!(json["proposals"].as_array().unwrap().len(), 0);
    assert!(!json["quiet"].as_array().unwrap().is_empty());
    assert!(err(run_waited(&mut exec, ".advise apply 1")).contains("no proposal 1"));
    run_waited(&mut exec, ".set block_cache_size 4MiB")
        .result
        .expect("set");
    assert!(err(run_waited(&mut exec, ".advise apply 1")).contains("no proposal 1"));
}

#[test]
fn advise_parses() {
    let _quiet = crate::support::QUIET.read();
    let ok = [
        (".advise", AdviseAction::List),
        (".advise apply 2", AdviseAction::Apply(2)),
        (".ADVISE APPLY 10", AdviseAction::Apply(10)),
        (".advise undo", AdviseAction::Undo),
    ];
    for (text, want) in ok {
        assert_eq!(
            parse_command(text),
            Ok(Command::Options(OptionsCmd::Advise(want))),
            "{text}"
        );
    }
    for bad in [
        ".advise apply",
        ".advise apply 0",
        ".advise apply x",
        ".advise redo",
        ".advise undo 1",
    ] {
        let e = parse_command(bad).expect_err(bad).to_string();
        assert!(e.starts_with(".advise:") && !e.contains('\n'), "{bad}: {e}");
    }
}

#[test]
fn advise_and_export_format_complete() {
    let _quiet = crate::support::QUIET.read();
    use command::complete::complete;
    let cases: &[(&str, usize, &[&str])] = &[
        (".adv", 0, &[".advise"]),
        (".advise ", 8, &["apply", "undo"]),
        (".advise u", 8, &["undo"]),
        (".options export f ", 18, &["--format"]),
        (".options export f --format t", 27, &["tikv"]),
    ];
    for (line, start, want) in cases {
        let want: Vec<String> = want.iter().map(|w| w.to_string()).collect();
        assert_eq!(complete(line, line.len()), (*start, want), "{line:?}");
    }
}

// ---- the LSM rules (issue 32), from fixed snapshots ----

/// A snapshot of a tree with RocksDB statistics on: `l0` files in L0, the rest empty.
fn lsm_snap(l0: u64) -> Snapshot {
    let mut s = Snapshot {
        window_secs: 30.0,
        ..Snapshot::default()
    };
    s.ops.put = 100_000;
    s.rocksdb.statistics_enabled = true;
    s.rocksdb.levels = (0..7)
        .map(|level| engine::metrics::LevelInfo {
            level,
            files: if level == 0 { l0 } else { 0 },
            ..Default::default()
        })
        .collect();
    s.rocksdb.stall.condition = "normal";
    s
}

fn stalled(s: &mut Snapshot, cause: &'static str, delayed: f64, stopped: f64) {
    s.rocksdb
        .stall
        .by_cause
        .push(engine::metrics::StallSeconds {
            cause,
            delayed_secs: delayed,
            stopped_secs: stopped,
        });
}

fn rule(snap: &Snapshot, opts: &DbOptions, name: &str) -> Finding {
    let input = AdviseInput {
        snap,
        opts,
        mrc: None,
    };
    advise(&input)
        .into_iter()
        .find(|(r, _)| *r == name)
        .map(|(_, f)| f)
        .expect("rule exists")
}

/// The proposal's `.set` commands apply in order to `opts` (each keeps the options
/// valid, e.g. the stop trigger raised before the slowdown one); the result.
fn applied(p: &Proposal, opts: &DbOptions) -> DbOptions {
    let mut o = opts.clone();
    for (n, v) in &p.sets {
        o.set(n, v).unwrap_or_else(|e| panic!(".set {n} {v}: {e}"));
    }
    o
}

fn figure<'a>(p: &'a Proposal, name: &str) -> &'a str {
    &p.figures
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("figure {name} missing: {:?}", p.figures))
        .value
}

#[test]
fn l0_stalls_propose_background_jobs_and_a_higher_slowdown_trigger() {
    let _quiet = crate::support::QUIET.read();
    let o = DbOptions::default();
    assert_quiet(rule(&lsm_snap(3), &o, "l0-stalls"));
    // 18 of 20 files: one burst from a slowdown.
    let p = proposal(rule(&lsm_snap(18), &o, "l0-stalls"));
    assert_eq!(figure(&p, "L0 files"), "18");
    assert_eq!(
        p.sets,
        vec![
            ("max_background_jobs".into(), "4".into()),
            ("level0_slowdown_writes_trigger".into(), "30".into()),
        ]
    );
    assert!(
        p.reason.contains("90% of the slowdown trigger"),
        "{}",
        p.reason
    );
    // Stalled on L0 with the slowdown near the stop trigger: the stop goes up first.
    let mut s = lsm_snap(4);
    stalled(&mut s, "l0 files", 2.5, 0.5);
    let o = DbOptions {
        level0_slowdown_writes_trigger: 30,
        ..DbOptions::default()
    };
    let p = proposal(rule(&s, &o, "l0-stalls"));
    assert!(
        p.reason.contains("2.5 s delayed, 0.5 s stopped"),
        "{}",
        p.reason
    );
    let after = applied(&p, &o);
    assert_eq!(after.level0_slowdown_writes_trigger, 45);
    assert_eq!(after.level0_stop_writes_trigger, 51);
    assert_eq!(after.max_background_jobs, 4);
}

#[test]
fn memtable_stalls_propose_more_and_bigger_memtables() {
    let _quiet = crate::support::QUIET.read();
    let o = DbOptions::default();
    let mut s = lsm_snap(2);
    assert_quiet(rule(&s, &o, "memtable-stalls"));
    stalled(&mut s, "l0 files", 3.0, 0.0);
    assert_quiet(rule(&s, &o, "memtable-stalls"));
    stalled(&mut s, "memtables", 1.5, 0.0);
    let p = proposal(rule(&s, &o, "memtable-stalls"));
    assert_eq!(
        figure(&p, "stalls for memtables since open"),
        "1.5 s delayed, 0.0 s stopped"
    );
    let after = applied(&p, &o);
    assert_eq!(after.max_write_buffer_number, o.max_write_buffer_number + 2);
    assert_eq!(after.write_buffer_size, o.write_buffer_size * 2);
    // A stall now, named by its cause, is enough.
    let mut s = lsm_snap(2);
    s.rocksdb.stall.condition = "stopped";
    s.rocksdb.stall.cause = Some("memtables");
    let p = proposal(rule(&s, &o, "memtable-stalls"));
    assert_eq!(figure(&p, "stall now"), "stopped (memtables)");
}

#[test]
fn pending_compaction_near_the_soft_limit_proposes_jobs_and_a_higher_limit() {
    let _quiet = crate::support::QUIET.read();
    let o = DbOptions::default();
    let mut s = lsm_snap(2);
    s.rocksdb.pending_compaction_bytes = 1 << 30;
    assert_quiet(rule(&s, &o, "pending-compaction"));
    // 40 GiB of the default 64 GiB soft limit.
    s.rocksdb.pending_compaction_bytes = 40 << 30;
    let p = proposal(rule(&s, &o, "pending-compaction"));
    assert_eq!(figure(&p, "pending compaction"), "40.0 GiB");
    assert!(p.reason.contains("62.5% of the soft limit"), "{}", p.reason);
    let after = applied(&p, &o);
    assert_eq!(after.max_background_jobs, 4);
    assert_eq!(after.soft_pending_compaction_bytes_limit, 128 << 30);
    assert!(after.hard_pending_compaction_bytes_limit >= 256 << 30);
    // A hard limit close above the soft one is raised first, so the pair stays valid.
    let tight = DbOptions {
        hard_pending_compaction_bytes_limit: 80 << 30,
        ..DbOptions::default()
    };
    let after = applied(&proposal(rule(&s, &tight, "pending-compaction")), &tight);
    assert_eq!(after.soft_pending_compaction_bytes_limit, 128 << 30);
    assert_eq!(after.hard_pending_compaction_bytes_limit, 256 << 30);
    // No soft limit: only a stall for pending bytes speaks, and only jobs are proposed.
    let none = DbOptions {
        soft_pending_compaction_bytes_limit: 0,
        ..DbOptions::default()
    };
    assert_quiet(rule(&s, &none, "pending-compaction"));
    stalled(&mut s, "pending bytes", 4.0, 0.0);
    let p = proposal(rule(&s, &none, "pending-compaction"));
    assert_eq!(p.sets, vec![("max_background_jobs".into(), "4".into())]);
}

#[test]
fn small_flushes_propose_a_bigger_write_buffer() {
    let _quiet = crate::support::QUIET.read();
    let o = DbOptions {
        write_buffer_size: 4 << 20,
        ..DbOptions::default()
    };
    let mut s = lsm_snap(2);
    s.rocksdb.levels[0].compactions = 2;
    s.rocksdb.levels[0].write_bytes = 6 << 20;
    match rule(&s, &o, "small-flushes") {
        Finding::NoData(why) => assert!(why.contains("2 flushes"), "{why}"),
        f => panic!("expected no data, got {f:?}"),
    }
    // Ten flushes of 3 MiB from a 4 MiB buffer: the buffer is what limits the files.
    s.rocksdb.levels[0].compactions = 10;
    s.rocksdb.levels[0].write_bytes = 30 << 20;
    let p = proposal(rule(&s, &o, "small-flushes"));
    assert_eq!(figure(&p, "average flush"), "3.0 MiB");
    assert_eq!(applied(&p, &o).write_buffer_size, 16 << 20);
    // The same files from a 256 MiB buffer were cut short (not the buffer's doing).
    assert_quiet(rule(&s, &DbOptions::default(), "small-flushes"));
    // Files of 32 MiB are not small.
    s.rocksdb.levels[0].write_bytes = 320 << 20;
    let big = DbOptions {
        write_buffer_size: 48 << 20,
        ..DbOptions::default()
    };
    assert_quiet(rule(&s, &big, "small-flushes"));
}

#[test]
fn bloom_false_positives_propose_more_bits() {
    let _quiet = crate::support::QUIET.read();
    let o = DbOptions {
        bloom_bits_per_key: 4.0,
        ..DbOptions::default()
    };
    let mut s = lsm_snap(2);
    let t = &mut s.rocksdb.tickers;
    t.bloom_useful = 100;
    t.bloom_full_positive = 50;
    match rule(&s, &o, "bloom-false-positives") {
        Finding::NoData(why) => assert!(why.contains("filter checks of absent keys"), "{why}"),
        f => panic!("expected no data, got {f:?}"),
    }
    // 1,000 of 6,000 absent keys got through: 16.7%.
    let t = &mut s.rocksdb.tickers;
    t.bloom_useful = 5_000;
    t.bloom_full_positive = 2_000;
    t.bloom_full_true_positive = 1_000;
    let p = proposal(rule(&s, &o, "bloom-false-positives"));
    assert_eq!(figure(&p, "false-positive rate"), "16.7%");
    assert_eq!(p.sets, vec![("bloom_bits_per_key".into(), "10".into())]);
    // At 10 bits the next step is 12.
    let ten = DbOptions::default();
    let p = proposal(rule(&s, &ten, "bloom-false-positives"));
    assert_eq!(applied(&p, &ten).bloom_bits_per_key, 12.0);
    // 1% through is what 10 bits promise: quiet.
    s.rocksdb.tickers.bloom_full_true_positive = 1_950;
    assert_quiet(rule(&s, &ten, "bloom-false-positives"));
    // A filter that rejects almost nothing is the bloom-filter rule's case, not this one.
    let t = &mut s.rocksdb.tickers;
    t.bloom_useful = 10;
    t.bloom_full_positive = 100_000;
    t.bloom_full_true_positive = 90_000;
    assert_quiet(rule(&s, &ten, "bloom-false-positives"));
}

#[test]
fn write_stalls_leave_a_stall_with_a_named_cause_to_that_cause_s_rule() {
    let _quiet = crate::support::QUIET.read();
    let o = DbOptions::default();
    let mut s = lsm_snap(4);
    s.rocksdb.tickers.stall_micros = 6_000_000;
    // No cause named (as before the listener): the general rule proposes.
    proposal(rule(&s, &o, "write-stalls"));
    // RocksDB named the cause: l0-stalls proposes, and write-stalls does not add its
    // memtable sizes beside it (with small-flushes they proposed two write buffers).
    stalled(&mut s, "l0 files", 4.0, 0.0);
    proposal(rule(&s, &o, "l0-stalls"));
    match rule(&s, &o, "write-stalls") {
        Finding::NoData(why) => assert!(why.contains("l0-stalls"), "{why}"),
        other => panic!("{other:?}"),
    }
}
