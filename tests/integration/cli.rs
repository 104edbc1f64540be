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
