//! The `alexdb` binary as a user runs it: help, version, `bench index`, usage errors.
//! The shell front ends are in tests/shell_cli.rs.
use crate::support::alexdb;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_lists_options_and_subcommands() {
    let o = alexdb(&["--help"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for word in [
        "Usage", "--db", "--temp", "--plain", "-c", "--script", "--json", "bench",
    ] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
    // The value cache is CLOCK by default (issue 30: it said LRU).
    assert!(text.contains("value cache (CLOCK by default)"), "{text}");
    assert!(!text.contains("LRU value cache"), "{text}");
    let o = alexdb(&["bench", "index", "--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for word in ["--keys", "--dist", "--seed", "seq", "uniform", "lognormal"] {
        assert!(
            text.contains(word),
            "bench index --help lacks {word}:\n{text}"
        );
    }
}

#[test]
fn version_prints_name_and_version() {
    let o = alexdb(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o).trim(),
        format!("alexdb {}", env!("CARGO_PKG_VERSION"))
    );
}

fn check_bench_json(dist: &str) {
    let o = alexdb(&[
        "bench", "index", "--keys", "20000", "--dist", dist, "--json",
    ]);
    assert!(o.status.success(), "{dist}: {}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.trim().lines().count(), 1, "one line of JSON:\n{text}");
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect("stdout is JSON");
    assert_eq!(v["bench"], "index");
    assert_eq!(v["keys"], 20000);
    assert_eq!(v["dist"], dist);
    for structure in ["alex", "btreemap"] {
        for field in [
            "bulk_load_s",
            "lookup_ns",
            "lookup_dependent_ns",
            "insert_random_mops",
            "insert_ascending_mops",
            "bytes_per_key",
        ] {
            let x = v[structure][field].as_f64();
            assert!(
                x.is_some_and(|x| x > 0.0 && x.is_finite()),
                "{dist}: {structure}.{field} = {:?}",
                v[structure][field]
            );
        }
    }
    assert!(v["speedup_lookup"].as_f64().is_some_and(|x| x > 0.0));
    assert_eq!(v["validation"]["ok"], true, "{}", v["validation"]);
    // Progress goes to stderr, never stdout.
    assert!(stderr(&o).contains("bench index:"));
}

#[test]
fn bench_index_json_uniform() {
    check_bench_json("uniform");
}

#[test]
fn bench_index_json_seq() {
    check_bench_json("seq");
}

#[test]
fn bench_index_json_lognormal() {
    check_bench_json("lognormal");
}

#[test]
fn bench_index_table() {
    let o = alexdb(&["bench", "index", "--keys", "5000", "--dist", "seq"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for word in [
        "ALEX",
        "BTreeMap",
        "lookup",
        "dependent",
        "insert",
        "memory",
        "goals",
    ] {
        assert!(text.contains(word), "table lacks {word}:\n{text}");
    }
}

#[test]
fn bad_dist_is_a_usage_error() {
    let o = alexdb(&["bench", "index", "--keys", "1000", "--dist", "foo"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("foo") && err.contains("--dist"), "{err}");
    assert!(
        err.contains("seq") && err.contains("uniform") && err.contains("lognormal"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn bad_key_counts_are_usage_errors() {
    for keys in ["0", "abc", "-3", "1.5"] {
        let o = alexdb(&["bench", "index", "--keys", keys, "--dist", "seq"]);
        assert_eq!(o.status.code(), Some(2), "--keys {keys}");
        let err = stderr(&o);
        assert!(err.contains("--keys"), "--keys {keys}: {err}");
        assert!(stdout(&o).is_empty());
    }
    let o = alexdb(&["bench", "index", "--dist", "seq"]);
    assert_eq!(o.status.code(), Some(2), "missing --keys");
}

#[test]
fn unknown_subcommand_and_shell_option_with_bench_are_usage_errors() {
    assert_eq!(alexdb(&["frobnicate"]).status.code(), Some(2));
    let o = alexdb(&["--temp", "bench", "index", "--keys", "10", "--dist", "seq"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--temp"));
}

#[test]
fn dir_and_other_guesses_for_db_get_a_hint() {
    for args in [&["--dir", "X"][..], &["--path=X"], &["--database", "X"]] {
        let o = alexdb(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains("similar argument exists: '--db'"),
            "{args:?}: {err}"
        );
    }
    // An unrelated unknown flag gets no such hint.
    let err = stderr(&alexdb(&["--frobnicate"]));
    assert!(!err.contains("'--db'"), "{err}");
}

/// A database whose saved options are not the defaults, closed again.
fn database_with_options(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("db");
    let mut exec = command::Executor::open(&db, engine::DbOptions::default()).expect("open");
    for set in [
        ".set write_buffer_size 3MiB",
        ".set max_background_jobs 5",
        ".set bloom_bits_per_key 14",
    ] {
        let mut r = exec.run_command(set, &command::parse_command(set).unwrap());
        if let Ok(command::Outcome::JobStarted { id, .. }) = r.result {
            let st = exec.jobs().wait(id, std::time::Duration::from_secs(60));
            r.result = command::exec::job_result(st.expect("job"));
        }
        assert!(r.result.is_ok(), "{set}: {:?}", r.result);
    }
    drop(exec);
    db
}

#[test]
fn export_writes_each_format_from_the_saved_options_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_with_options(dir.path());
    let before = crate::support::dir_digest(&db);
    let dbs = db.display().to_string();
    for (format, file, line) in [
        ("kvrocks", "kvrocks.conf", "rocksdb.write_buffer_size 3"),
        ("tikv", "tikv.toml", "bloom-filter-bits-per-key = 14"),
        ("MyRocks", "my.cnf", "rocksdb_max_background_jobs=5"),
    ] {
        let out = dir.path().join(file);
        let o = alexdb(&[
            "export",
            &dbs,
            &out.display().to_string(),
            "--format",
            format,
        ]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let summary = stdout(&o);
        assert_eq!(summary.lines().count(), 1, "one line: {summary}");
        assert!(
            summary.starts_with(&format!("wrote {}", out.display())),
            "{summary}"
        );
        assert!(
            stderr(&o).lines().all(|l| l.starts_with("warning: ")),
            "{}",
            stderr(&o)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.lines().any(|l| l == line),
            "{format}: no {line:?} in\n{text}"
        );
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("# written by alexdb")
        );
    }
    assert!(
        stdout(&alexdb(&["export", &dbs, "/dev/null", "--format", "tikv"])).contains("warnings")
    );
    // The default format copies RocksDB's own OPTIONS file.
    let out = dir.path().join("OPTIONS");
    let o = alexdb(&["export", &dbs, &out.display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("[DBOptions]")
    );
    assert_eq!(
        crate::support::dir_digest(&db),
        before,
        "the database is unchanged"
    );
}

#[test]
fn export_refuses_a_missing_database_and_an_unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.toml").display().to_string();
    let missing = dir.path().join("nothing-here").display().to_string();
    let o = alexdb(&["export", &missing, &out, "--format", "tikv"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        format!("error: no database at {missing}")
    );
    let o = alexdb(&["export", &missing, &out, "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&o).contains("unknown format \"xml\""),
        "{}",
        stderr(&o)
    );
    assert!(!std::path::Path::new(&out).exists());
}
