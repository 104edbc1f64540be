//! `alexdb bench soak` through the real binary: the 60 s run `make test` wants (no
//! errors, every kind of change exercised, a verification every 10 s), a run with a
//! hidden fault that the checker must catch, and bad settings refused.
use std::process::{Command, Output};

use serde_json::Value;

const ALEXDB: &str = env!("CARGO_BIN_EXE_alexdb");

fn soak(args: &[&str]) -> (Output, Value) {
    let o = Command::new(ALEXDB)
        .args(["bench", "soak", "--json"])
        .args(args)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let v = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not one JSON object ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o, v)
}

fn num(v: &Value, path: &str) -> u64 {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_u64()
        .unwrap_or_else(|| panic!("{path} missing in {v}"))
}

#[test]
fn sixty_second_soak_finds_no_error_and_covers_every_kind_of_change() {
    let (o, v) = soak(&["--duration", "60s", "--seed", "7"]);
    let pretty = serde_json::to_string_pretty(&v["errors"]).unwrap_or_default();
    assert_eq!(num(&v, "errors_total"), 0, "errors: {pretty}");
    assert!(o.status.success(), "exit status {:?}", o.status);
    assert!(num(&v, "verifications") >= 6, "{v}");
    for kind in ["live", "new_files", "reopen"] {
        assert!(
            num(&v, &format!("option_changes.{kind}")) > 0,
            "{kind}: {v}"
        );
    }
    for field in ["reopens", "loads", "flushes", "compaction_style_switches"] {
        assert!(num(&v, field) > 0, "{field}: {v}");
    }
    for op in ["put", "delete", "get", "scan", "count", "mget"] {
        assert!(num(&v, &format!("ops.{op}")) > 0, "{op}: {v}");
    }
    assert_eq!(num(&v, "settings.seed"), 7);
    assert_eq!(num(&v, "settings.threads"), 4);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.lines().filter(|l| l.starts_with("soak: ")).count() >= 6,
        "progress: {stderr}"
    );
}

#[test]
fn a_write_behind_the_models_back_is_an_error_naming_the_key() {
    let (o, v) = soak(&["--duration", "3s", "--keys", "20000", "--inject-fault"]);
    assert_eq!(o.status.code(), Some(1), "{v}");
    let key = v["injected_fault_key"].as_i64().expect("the fault's key");
    assert!(num(&v, "errors_total") >= 1, "{v}");
    let errors = v["errors"].as_array().expect("errors listed");
    let named = errors
        .iter()
        .filter(|e| e["key"].as_i64() == Some(key))
        .count();
    assert!(named >= 1, "no error names key {key}: {v}");
    // The final verification catches it even when no worker read the key.
    assert!(
        errors
            .iter()
            .any(|e| e["op"].as_str().is_some_and(|op| op.starts_with("verify"))),
        "{v}"
    );
    let e = errors
        .iter()
        .find(|e| e["key"].as_i64() == Some(key))
        .expect("named");
    assert!(
        e["got"]
            .as_str()
            .is_some_and(|g| g.contains("version 1001")),
        "{e}"
    );
    assert_eq!(num(&v, "verifications"), 0, "no verification may pass: {v}");
}

#[test]
fn text_report_prints_the_settings_and_errors() {
    let o = Command::new(ALEXDB)
        .args([
            "bench",
            "soak",
            "--duration",
            "2s",
            "--keys",
            "5000",
            "--threads",
            "2",
        ])
        .args(["--seed", "3", "--inject-fault"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("2 threads, seed 3, 5000 keys, 2 s"), "{out}");
    assert!(out.contains("ERRORS"), "{out}");
    assert!(out.contains("expected version"), "{out}");
}

#[test]
fn a_used_database_directory_or_too_few_keys_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("x"), "data").expect("write");
    let path = dir.path().to_str().expect("utf8");
    let o = Command::new(ALEXDB)
        .args(["bench", "soak", "--duration", "1s", "--db", path])
        .output()
        .expect("runs");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x")).expect("kept"),
        "data"
    );
    let o = Command::new(ALEXDB)
        .args(["bench", "soak", "--duration", "1s", "--keys", "20"])
        .output()
        .expect("runs");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--keys must be at least"));
}

#[test]
fn a_named_database_is_kept_and_passes_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let (o, v) = soak(&[
        "--duration",
        "2s",
        "--keys",
        "5000",
        "--db",
        db.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{v}");
    let c = Command::new(ALEXDB)
        .args(["check", "--db", db.to_str().expect("utf8")])
        .output()
        .expect("runs");
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stdout));
}
