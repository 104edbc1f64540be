//! Issue 13, item 4: built-in profiles. `.profile list|load NAME`, and `--profile
//! NAME|FILE` on the benchmarks, applied before `--set` (so `--set` wins).
use crate::support::alexdb_home;

use command::{Command as Cmd, OptionsCmd, parse_command};
use engine::profiles::{self, BUILTINS, ProfileError};
use engine::{DbOptions, Opt};
use serde_json::Value;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn original() -> &'static profiles::Builtin {
    profiles::builtin("original-plan").expect("a built-in original-plan")
}

/// A value other than `value` for each option the profile may name (options that land
/// later included), so that loading the profile has to change it back.
fn other_value(name: &str) -> &'static str {
    match name {
        "block_cache_size" | "value_cache_size" => "8MiB",
        "block_cache_type" => "hyper_clock",
        "bloom_bits_per_key" => "5",
        "block_size" => "4KiB",
        "compression" => "none",
        "bottommost_compression" => "none",
        "optimize_filters_for_hits" => "on",
        "write_buffer_size" | "target_file_size_base" => "32MiB",
        "max_bytes_for_level_base" => "128MiB",
        "max_write_buffer_number" => "3",
        "level0_file_num_compaction_trigger" => "6",
        "compaction_style" => "universal",
        "max_open_files" => "1000",
        "max_background_jobs" => "3",
        "value_cache_entries" => "777",
        "value_cache_policy" => "clock",
        "value_cache_compression" => "lz4",
        "pin_index_and_filter_blocks" => "flush",
        "warm_value_cache" => "off",
        "data_block_hash_ratio" => "0.5",
        "bulk_load_method" => "wal-off-batches",
        "bulk_load_rows_per_file" => "5000",
        _ => "",
    }
}

/// Every option the profile names that this build has, each set away from its value.
fn moved_away() -> DbOptions {
    let mut o = DbOptions::default();
    for (name, value) in original().pairs {
        let Some(opt) = Opt::from_name(name) else {
            continue;
        };
        let other = match other_value(name) {
            "" if o.get(name).is_some_and(|v| v == "on") => "off",
            "" => "on",
            v => v,
        };
        o.set_unvalidated(name, other).expect("a valid other value");
        assert_ne!(o.text(opt), normalized(name, value), "{name} moved away");
    }
    // Not validated: some pairs cannot be on together (mmap and direct reads); the
    // profile's result is checked whole by `resolve`.
    o
}

/// `value` as `.show options` prints option `name`.
fn normalized(name: &str, value: &str) -> String {
    let mut o = DbOptions::default();
    o.set_unvalidated(name, value)
        .expect("the profile's value is valid");
    o.get(name).expect("a known option")
}

#[test]
fn original_plan_sets_every_listed_option() {
    let (got, applied) =
        profiles::resolve("original-plan", &moved_away()).expect("the profile applies");
    assert_eq!(applied.name, "original-plan");
    for (name, value) in original().pairs {
        match Opt::from_name(name) {
            Some(_) => assert_eq!(got.get(name), Some(normalized(name, value)), "{name}"),
            None => assert!(applied.skipped.contains(&name.to_string()), "{name}"),
        }
    }
    // The plan's value cache is the lru crate's, capped at 100,000 entries, whatever
    // today's defaults are.
    assert_eq!(got.get("value_cache_policy").as_deref(), Some("lru"));
    assert_eq!(got.value_cache_entries, 100_000);
}

#[test]
fn built_in_names_and_unknown_names() {
    assert!(BUILTINS.iter().any(|b| b.name == "original-plan"));
    assert!(profiles::builtin("ORIGINAL-PLAN").is_some(), "any case");
    let e = profiles::resolve("no-such-profile", &DbOptions::default()).expect_err("unknown");
    assert!(matches!(e, ProfileError::NotFound { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("no-such-profile") && msg.contains("original-plan") && !msg.contains('\n'),
        "{msg}"
    );
}

#[test]
fn profile_list_and_load_parse() {
    assert_eq!(
        parse_command(".profile list"),
        Ok(Cmd::Options(OptionsCmd::ProfileList))
    );
    assert_eq!(
        parse_command(".profile LIST"),
        Ok(Cmd::Options(OptionsCmd::ProfileList))
    );
    assert_eq!(
        parse_command(".profile load original-plan"),
        Ok(Cmd::Options(OptionsCmd::Profile {
            save: false,
            path: "original-plan".into()
        }))
    );
    assert!(parse_command(".profile nonsense").is_err());
}

#[test]
fn the_shell_lists_and_loads_built_ins() {
    let home = tempfile::tempdir().expect("tempdir");
    // Open with options away from the original plan, then load it.
    let mut args = vec!["--temp".to_string()];
    for name in [
        "block_size",
        "bloom_bits_per_key",
        "compression",
        "value_cache_entries",
    ] {
        args.push("--set".into());
        args.push(format!("{name}={}", other_value(name)));
    }
    args.push("-c".into());
    args.push(".profile list; .profile load original-plan; .mode csv; .show options".into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = alexdb_home(&argv, home.path());
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{err}");
    assert!(out.contains("original-plan"), "listed: {out}");
    assert!(out.contains("block_size: 4KiB -> 16KiB"), "{out}");
    for (name, value) in original().pairs {
        if Opt::from_name(name).is_some() {
            let row = format!("\n{name},{},", normalized(name, value));
            assert!(out.contains(&row), "{row:?} in {out}");
        } else {
            assert!(out.contains(&format!("skipped {name}")), "{name}: {out}");
        }
    }
}

#[test]
fn an_unknown_profile_is_one_error_line_and_exit_1() {
    let home = tempfile::tempdir().expect("tempdir");
    let o = alexdb_home(
        &["--temp", "-c", ".profile load no-such-profile"],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no-such-profile"), "{err}");

    let dir = tempfile::tempdir().expect("tempdir");
    let o = alexdb_home(
        &[
            "bench",
            "vs-sqlite",
            "--rows",
            "2000",
            "--profile",
            "no-such-profile",
            "--dir",
            dir.path().to_str().expect("utf8"),
        ],
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("not a built-in profile"), "{err}");
    assert!(o.stdout.is_empty(), "no report");
}

fn vs_sqlite(extra: &[&str], json: bool) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec![
        "bench",
        "vs-sqlite",
        "--rows",
        "2000",
        "--queries",
        "1000",
        "--dir",
        dir.path().to_str().expect("utf8"),
    ];
    args.extend_from_slice(extra);
    if json {
        args.push("--json");
    }
    let o = alexdb_home(&args, dir.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

fn json(extra: &[&str]) -> Value {
    serde_json::from_str(vs_sqlite(extra, true).trim()).expect("JSON")
}

#[test]
fn bench_profile_flag_prints_and_uses_the_profile() {
    let table = vs_sqlite(&["--profile", "original-plan"], false);
    assert!(table.contains("profile original-plan"), "{table}");
    let v = json(&["--profile", "original-plan"]);
    assert_eq!(v["profile"], "original-plan");
    assert_eq!(v["budget_parts"]["block_cache"], 512u64 << 20);
    let settings = v["alexdb"]["settings"].as_str().expect("settings");
    assert!(settings.contains("lru (cap 100000 entries)"), "{settings}");

    // A profile file is used the same way.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("small.toml");
    std::fs::write(
        &file,
        "[options]\nblock_cache_size = \"16MiB\"\nvalue_cache_entries = 1234\n",
    )
    .expect("write");
    let path = file.to_str().expect("utf8");
    let v = json(&["--profile", path]);
    assert_eq!(v["profile"], path);
    assert_eq!(v["budget_parts"]["block_cache"], 16u64 << 20);
    let settings = v["alexdb"]["settings"].as_str().expect("settings");
    assert!(settings.contains("(cap 1234 entries)"), "{settings}");
}

#[test]
fn set_wins_over_the_profile() {
    let v = json(&[
        "--set",
        "block_cache_size=8MiB",
        "--profile",
        "original-plan",
        "--set",
        "value_cache_entries=321",
    ]);
    assert_eq!(v["profile"], "original-plan");
    assert_eq!(v["budget_parts"]["block_cache"], 8u64 << 20);
    let settings = v["alexdb"]["settings"].as_str().expect("settings");
    assert!(settings.contains("lru (cap 321 entries)"), "{settings}");
}
