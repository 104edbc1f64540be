//! Options that survive a restart (issue 17): the options in force are saved in the
//! database directory (`alexdb-options.json`) and applied at the next open, through the
//! real binary and through the library; `--set` wins over them, `.reset` is saved too,
//! and a damaged, unknown or half-written file never stops an open.
use crate::support::alexdb;
use std::path::Path;
use std::process::{Command, Stdio};

use engine::persist::{OPTIONS_FILE, OPTIONS_TEMP_FILE, Origin};
use engine::{CompactionStyle, Db, DbOptions};

/// Runs `cmds` on the database at `db`; returns (stdout, stderr), asserting exit 0.
fn shell(db: &Path, extra: &[&str], cmds: &str) -> (String, String) {
    let mut args = vec!["--db", db.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-c", cmds]);
    let o = alexdb(&args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    (String::from_utf8_lossy(&o.stdout).into_owned(), err)
}

/// `name,value` of option `name` in force, from `.show options` in csv mode.
fn option_in_force(db: &Path, extra: &[&str], name: &str) -> String {
    let (out, _) = shell(db, extra, ".mode csv; .show options");
    let row = out
        .lines()
        .find(|l| l.starts_with(&format!("{name},")))
        .expect("listed");
    row.split(',').take(2).collect::<Vec<_>>().join(",")
}

const THREE: &str =
    ".set compaction_style universal; .set bloom_bits_per_key 5; .set block_size 8KiB";

fn db_with_three_options() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    shell(&db, &[], &format!("{THREE}; put 1 a"));
    (dir, db)
}

#[test]
fn set_options_are_in_force_after_a_restart_through_the_cli_and_the_library() {
    let (_dir, db) = db_with_three_options();
    let (out, err) = shell(&db, &[], ".show options; get 1");
    assert_eq!(
        err,
        "options differing from the defaults: bloom_bits_per_key=5 (saved), \
         block_size=8KiB (saved), compaction_style=universal (saved)\n"
    );
    for name in ["compaction_style", "bloom_bits_per_key", "block_size"] {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("| {name} ")))
            .expect("listed");
        assert!(row.contains('*'), "{name} is changed: {row}");
    }
    assert!(out.contains("| 1   | a     |") || out.contains("|   1 | a     |"));

    let opened = Db::open(&db).expect("library open");
    let expected = DbOptions {
        compaction_style: CompactionStyle::Universal,
        bloom_bits_per_key: 5.0,
        block_size: 8 * 1024,
        ..DbOptions::default()
    };
    assert_eq!(opened.options(), expected);
    let r = opened.start_report();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.changed.len(), 3);
    assert!(r.changed.iter().all(|(_, _, o)| *o == Origin::File));
}

#[test]
fn a_database_without_the_file_opens_with_the_defaults_and_says_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let (_, err) = shell(&db, &[], "put 1 a");
    assert_eq!(err, "");
    assert!(
        !db.join(OPTIONS_FILE).exists(),
        "the defaults need no file (an older alexdb's database looks the same)"
    );
    let (_, err) = shell(&db, &[], "get 1");
    assert_eq!(err, "");
    assert_eq!(Db::open(&db).expect("open").options(), DbOptions::default());
}

#[test]
fn set_at_open_wins_over_the_saved_options_and_is_saved() {
    let (_dir, db) = db_with_three_options();
    let (_, err) = shell(&db, &["--set", "block_size=32KiB"], "get 1");
    assert_eq!(
        err,
        "options differing from the defaults: bloom_bits_per_key=5 (saved), \
         block_size=32KiB (--set), compaction_style=universal (saved)\n"
    );
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,32KiB");
    assert_eq!(
        option_in_force(&db, &["--set", "block_size=4KiB"], "block_size"),
        "block_size,4KiB"
    );
    // A bad --set is one error; the database is not opened and nothing is saved.
    let o = alexdb(&["--db", db.to_str().expect("utf8"), "--set", "nope=1"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).lines().count(),
        1,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,4KiB");
}

#[test]
fn reset_is_saved_too() {
    let (_dir, db) = db_with_three_options();
    shell(&db, &[], ".reset block_size");
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,16KiB");
    assert_eq!(
        option_in_force(&db, &[], "compaction_style"),
        "compaction_style,universal"
    );
    shell(&db, &[], ".reset all");
    let (_, err) = shell(&db, &[], "get 1");
    assert_eq!(err, "", "every option is back at its default");
    assert_eq!(Db::open(&db).expect("open").options(), DbOptions::default());
}

#[test]
fn profile_load_and_library_changes_are_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    {
        let d = Db::open(&db).expect("open");
        let mut target = d.options();
        target.max_background_jobs = 3;
        target.value_cache_entries = 500;
        d.apply_options(target).expect("apply");
        d.set_option("compression", "zstd").expect("set");
    }
    let o = Db::open(&db).expect("reopen").options();
    assert_eq!(
        (o.max_background_jobs, o.value_cache_entries),
        (3, 500),
        "{o:?}"
    );
    assert_eq!(o.compression.to_string(), "zstd");

    let profile = dir.path().join("p.toml");
    let p = profile.to_str().expect("utf8");
    shell(
        &db,
        &[],
        &format!(".set block_size 4KiB; .profile save {p}; .reset all"),
    );
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,16KiB");
    shell(&db, &[], &format!(".profile load {p}"));
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,4KiB");
}

#[test]
fn open_with_explicit_options_saves_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let opts = DbOptions {
        block_size: 4096,
        ..DbOptions::default()
    };
    drop(Db::open_with(&db, opts.clone()).expect("open"));
    assert_eq!(Db::open(&db).expect("reopen").options(), opts);
}

/// Per-open choices are not saved: a lenient `wal_recovery_mode` picked to get past one
/// damaged log must not drop writes silently at every later open.
#[test]
fn create_if_missing_and_wal_recovery_mode_are_not_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    shell(
        &db,
        &["--set", "wal_recovery_mode=point_in_time"],
        "put 1 a; .set create_if_missing off; .set block_size 8KiB",
    );
    let text = std::fs::read_to_string(db.join(OPTIONS_FILE)).expect("saved");
    assert!(!text.contains("create_if_missing"), "{text}");
    assert!(!text.contains("wal_recovery_mode"), "{text}");
    assert!(text.contains("\"block_size\": \"8KiB\""), "{text}");
}

/// Opens `db` through the CLI with `file` as its saved options; returns stderr.
fn open_with_file(db: &Path, file: &str) -> String {
    std::fs::write(db.join(OPTIONS_FILE), file).expect("write");
    shell(db, &[], "get 1").1
}

#[test]
fn a_damaged_or_unknown_file_is_one_warning_and_never_stops_the_open() {
    let (_dir, db) = db_with_three_options();
    let err = open_with_file(&db, "{\"version\":1,\"options\":{\"block_size\":");
    assert!(
        err.starts_with("warning: alexdb-options.json is not valid JSON"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "the defaults are used: {err}");

    let err = open_with_file(&db, "{\"version\":7,\"options\":{\"block_size\":\"4KiB\"}}");
    assert!(
        err.starts_with(
            "warning: alexdb-options.json has version 7, which this alexdb does not know; ignored"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,16KiB");

    // Unknown and invalid entries are skipped by name; the rest is used.
    let err = open_with_file(
        &db,
        r#"{"version":1,"options":{"no_such_option":"1","block_size":"1B","bloom_bits_per_key":"5"}}"#,
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    for name in ["block_size", "no_such_option"] {
        let prefix = format!("warning: alexdb-options.json: option {name} skipped: ");
        assert!(lines[..2].iter().any(|l| l.starts_with(&prefix)), "{err}");
    }
    assert_eq!(
        lines[2],
        "options differing from the defaults: bloom_bits_per_key=5 (saved)"
    );
    // The bad file is left as it was (no option changed) until the next change.
    assert!(
        std::fs::read_to_string(db.join(OPTIONS_FILE))
            .expect("file")
            .contains("no_such_option")
    );
    shell(&db, &[], ".set block_size 8KiB");
    let (_, err) = shell(&db, &[], "get 1");
    assert_eq!(
        err,
        "options differing from the defaults: bloom_bits_per_key=5 (saved), block_size=8KiB (saved)\n"
    );
}

#[test]
fn a_leftover_temp_file_is_ignored_and_replaced() {
    let (_dir, db) = db_with_three_options();
    assert!(
        !db.join(OPTIONS_TEMP_FILE).exists(),
        "a save leaves no temp file"
    );
    // A crash between writing the temp file and renaming it.
    std::fs::write(db.join(OPTIONS_TEMP_FILE), "{\"version\":1,\"opt").expect("write");
    let (_, err) = shell(&db, &[], "get 1");
    assert_eq!(
        err,
        "options differing from the defaults: bloom_bits_per_key=5 (saved), \
         block_size=8KiB (saved), compaction_style=universal (saved)\n"
    );
    shell(&db, &[], ".set block_size 4KiB");
    assert!(!db.join(OPTIONS_TEMP_FILE).exists());
    assert_eq!(option_in_force(&db, &[], "block_size"), "block_size,4KiB");
}

/// Issue 27: a sweep never saves a step's value. The real binary is killed (SIGKILL)
/// in the middle of a write-workload sweep: the options file is byte for byte the
/// user's throughout, and the next session sees the user's options and rows only (the
/// sweep's own keys are removed at that open, with a line saying so).
#[test]
fn a_kill_during_a_sweep_leaves_the_saved_options_and_the_rows_as_they_were() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    shell(&db, &[], ".set block_size 32KiB; .load sequential 3000");
    let file = db.join(OPTIONS_FILE);
    let before = std::fs::read(&file).expect("saved");
    let marker = db.join("alexdb-workload-keys.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--db", db.to_str().expect("utf8"), "-c"])
        .arg(".sweep block_size 4KiB,8KiB --workload a --duration 3s --warmup 0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // Reads the file all the while, until a second into the first step (block_size=4KiB
    // in force, the marker naming the sweep's own range written before its load).
    let t0 = std::time::Instant::now();
    let mut started: Option<std::time::Instant> = None;
    while started.is_none_or(|t| t.elapsed() < std::time::Duration::from_secs(1)) {
        assert_eq!(
            std::fs::read(&file).expect("read"),
            before,
            "during the sweep"
        );
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(30),
            "the sweep never started on its own keys"
        );
        assert!(child.try_wait().expect("wait").is_none(), "exited early");
        if started.is_none() && marker.exists() {
            started = Some(std::time::Instant::now());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert_eq!(
        std::fs::read(&file).expect("read"),
        before,
        "after the kill"
    );

    let (out, err) = shell(&db, &[], ".mode csv; count");
    assert!(
        err.contains("options differing from the defaults: block_size=32KiB (saved)"),
        "{err}"
    );
    assert!(
        err.contains("keys a stopped workload left in its own range"),
        "{err}"
    );
    assert!(
        out.lines().any(|l| l.trim() == "3000"),
        "only the user's rows: {out}"
    );
    assert!(!marker.exists());
    assert_eq!(
        std::fs::read(&file).expect("read"),
        before,
        "after the reopen"
    );
}

/// Issue 28 item 2: a file an older alexdb saved with `warm_value_cache_on_load` (its
/// `off`, or an `on` written by hand) still opens without a warning, as the new option.
#[test]
fn a_saved_file_with_the_old_warm_up_name_still_opens() {
    for (old, new) in [("off", "off"), ("on", "inline")] {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("db");
        shell(&db, &[], "put 1 a");
        let file =
            format!("{{\"version\":1,\"options\":{{\"warm_value_cache_on_load\":\"{old}\"}}}}");
        std::fs::write(db.join(OPTIONS_FILE), file).expect("write");
        let (_, err) = shell(&db, &[], "get 1");
        assert_eq!(
            err,
            format!("options differing from the defaults: warm_value_cache={new} (saved)\n")
        );
        assert_eq!(
            option_in_force(&db, &[], "warm_value_cache"),
            format!("warm_value_cache,{new}")
        );
        let opened = Db::open(&db).expect("open");
        assert_eq!(opened.options().warm_value_cache.as_str(), new);
        assert!(opened.start_report().warnings.is_empty());
        drop(opened);
        // Saved again under the new name.
        shell(&db, &[], ".set block_size 8KiB");
        let text = std::fs::read_to_string(db.join(OPTIONS_FILE)).expect("saved");
        assert!(
            text.contains(&format!("\"warm_value_cache\": \"{new}\""))
                || text.contains(&format!("\"warm_value_cache\":\"{new}\"")),
            "{text}"
        );
    }
}
