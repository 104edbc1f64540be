//! `.lsm [--json]`, `.property NAME` and the block cache by kind in `.stats` (issue 32),
//! on a real database after writes and a flush; property-name completion; the errors.
use crate::support::{payload, run_waited};
use command::complete::complete;
use command::render::stats_line;
use command::{Command, Executor, OptionsCmd, Outcome, Report, parse_command};
use engine::DbOptions;

/// An executor on a new database (no value cache: gets read RocksDB) with `puts` rows
/// written one by one and flushed: one L0 file at least.
fn written(dir: &std::path::Path, puts: i64) -> Executor {
    let opts = DbOptions {
        value_cache_size: 0,
        ..DbOptions::default()
    };
    let mut exec = Executor::open(&dir.join("db"), opts).expect("open");
    for k in 0..puts {
        exec.db().put(k, &payload(k, 200)).expect("put");
    }
    run_waited(&mut exec, ".flush").result.expect("flush");
    exec
}

fn report(r: Report) -> (String, serde_json::Value) {
    match r.result {
        Ok(Outcome::Report { text, json }) => (text, json),
        other => panic!("expected a report, got {other:?}"),
    }
}

fn message(r: Report) -> String {
    match r.result {
        Ok(Outcome::Message(m)) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn parses_lsm_and_property_and_refuses_bad_arguments() {
    let _quiet = crate::support::QUIET.read();
    for (text, want) in [
        (".lsm", Command::Options(OptionsCmd::Lsm { json: false })),
        (
            ".LSM --JSON",
            Command::Options(OptionsCmd::Lsm { json: true }),
        ),
        (
            ".property rocksdb.stats",
            Command::Options(OptionsCmd::Property("rocksdb.stats".into())),
        ),
    ] {
        assert_eq!(parse_command(text).expect(text), want, "{text}");
    }
    for (text, msg) in [
        (".lsm --yaml", "expected --json, got \"--yaml\""),
        (".lsm --json x", "takes 0 or 1 argument, got 2"),
        (".property", "takes 1 argument, got 0"),
        (".property a b", "takes 1 argument, got 2"),
    ] {
        let e = parse_command(text).expect_err(text).to_string();
        assert!(e.contains(msg), "{text}: {e}");
        assert!(!e.contains('\n'), "one line: {e}");
    }
}

#[test]
fn lsm_shows_the_levels_amplification_debt_and_stalls() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = written(dir.path(), 5_000);
    let (text, json) = report(run_waited(&mut exec, ".lsm"));
    for want in [
        "Level  Files       Size  Score       Read         Rn      Write  W-Amp",
        "\nL0 ",
        "\nL6 ",
        "\nSum ",
        "amplification: write ",
        "compaction debt: ",
        "soft limit 64.0 GiB",
        "write stall: ",
        "running: ",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    let levels = json["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 7, "{json}");
    assert!(levels[0]["files"].as_u64().unwrap() >= 1, "{json}");
    assert_eq!(
        json["sum"]["files"].as_u64(),
        json["sst_files"].as_u64(),
        "{json}"
    );
    for field in ["amp", "stall", "running", "soft_pending_limit"] {
        assert!(!json[field].is_null(), "{field} missing: {json}");
    }
    // `--json` prints the same object.
    let (text, json2) = report(run_waited(&mut exec, ".lsm --json"));
    let printed: serde_json::Value = serde_json::from_str(&text).expect("the text is JSON");
    assert_eq!(printed["levels"], json2["levels"]);
    assert_eq!(printed["sst_files"], json["sst_files"]);
}

#[test]
fn property_prints_rocksdb_text_and_refuses_an_unknown_name() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = written(dir.path(), 2_000);
    let t = message(run_waited(&mut exec, ".property rocksdb.levelstats"));
    assert!(t.starts_with("Level Files Size(MB)"), "{t}");
    assert!(t.lines().count() >= 3, "a table: {t}");
    let n = message(run_waited(
        &mut exec,
        ".property rocksdb.num-files-at-level0",
    ));
    assert!(n.parse::<u64>().expect("a number") >= 1, "{n}");
    let stats = message(run_waited(&mut exec, ".property rocksdb.stats"));
    assert!(stats.contains("Compaction Stats"), "{stats}");
    let e = run_waited(&mut exec, ".property rocksdb.no-such-thing")
        .result
        .expect_err("unknown")
        .to_string();
    assert!(e.contains("no property rocksdb.no-such-thing"), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn property_names_complete() {
    let _quiet = crate::support::QUIET.read();
    let (start, c) = complete(".property rocksdb.st", 20);
    assert_eq!(start, 10);
    assert!(c.contains(&"rocksdb.stats".to_string()), "{c:?}");
    assert!(c.iter().all(|n| n.starts_with("rocksdb.st")), "{c:?}");
    let (_, c) = complete(".property rocksdb.num-files-at", 30);
    assert_eq!(c.len(), 7, "{c:?}");
    assert!(
        c.contains(&"rocksdb.num-files-at-level6".to_string()),
        "{c:?}"
    );
    let (_, c) = complete(".lsm ", 5);
    assert_eq!(c, vec!["--json".to_string()]);
}

#[test]
fn stats_line_splits_the_block_cache_by_kind() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let mut exec = written(dir.path(), 2_000);
    run_waited(&mut exec, ".stats on").result.expect("stats on");
    // A key not in the value cache: the get reads RocksDB's blocks.
    let r = run_waited(&mut exec, "get 1234");
    let s = r.stats.expect("stats after a get");
    let kinds = s.block_kinds.expect("statistics on");
    assert_eq!(
        kinds.map(|k| k.kind),
        ["data", "index", "filter"],
        "{kinds:?}"
    );
    assert!(
        kinds.iter().map(|k| k.hits + k.misses).sum::<u64>() > 0,
        "{kinds:?}"
    );
    let line = stats_line(&s);
    assert!(line.contains(" | block cache by kind: data "), "{line}");
    assert!(
        line.contains(", index ") && line.contains(", filter "),
        "{line}"
    );
}
