//! Completion, hints and history: the plain functions both input lines use.
use command::complete::{complete, hint};
use command::history::{History, MAX_ENTRIES};

#[test]
fn completion_table() {
    let _quiet = crate::support::QUIET.read();
    let cases: &[(&str, usize, &[&str])] = &[
        ("ge", 0, &["get"]),
        ("e", 0, &["exists"]),
        ("m", 0, &["mget"]),
        (".m", 0, &[".mode", ".mrc"]),
        (
            ".",
            0,
            &[
                ".advise",
                ".baseline",
                ".bench",
                ".cancel",
                ".check",
                ".compact",
                ".compare",
                ".exit",
                ".export",
                ".flush",
                ".help",
                ".jobs",
                ".load",
                ".lsm",
                ".mode",
                ".mrc",
                ".open",
                ".options",
                ".output",
                ".profile",
                ".property",
                ".quit",
                ".read",
                ".reopen",
                ".replay",
                ".reset",
                ".set",
                ".show",
                ".stats",
                ".sweep",
                ".timer",
                ".trace",
                ".width",
                ".ycsb",
            ],
        ),
        ("sel", 0, &["select"]),
        ("SEL", 0, &["SELECT"]),
        ("put 1 a; ge", 9, &["get"]),
        (".mode c", 6, &["csv"]),
        (".mode ", 6, &["csv", "json", "line", "table"]),
        (".timer o", 7, &["off", "on"]),
        (".help sc", 6, &["scan"]),
        (".export s", 8, &["screen"]),
        (
            ".set value_c",
            5,
            &[
                "value_cache_compression",
                "value_cache_entries",
                "value_cache_mrc",
                "value_cache_policy",
                "value_cache_shards",
                "value_cache_size",
            ],
        ),
        (".reset a", 7, &["all", "allow_mmap_reads"]),
        (
            ".set compaction_style ",
            22,
            &["fifo", "level", "universal"],
        ),
        (".set use_direct_reads o", 22, &["off", "on"]),
        (".set compression z", 17, &["zstd"]),
        (".set block_size ", 16, &[]),
        (".show o", 6, &["options"]),
        (".trace s", 7, &["start", "stop"]),
        (".profile ", 9, &["list", "load", "save"]),
        (".options e", 9, &["export"]),
        (
            ".load ",
            6,
            &[
                "csv",
                "lognormal",
                "random",
                "sequential",
                "sosd",
                "timestamps",
            ],
        ),
        (".load s", 6, &["sequential", "sosd"]),
        (".bench ", 7, &["index", "profile", "vs-sqlite", "ycsb"]),
        (".ycsb ", 6, &["a", "b", "c", "d", "e", "f"]),
        ("scan 1 10 l", 10, &["limit"]),
        ("SELECT * FR", 9, &["FROM"]),
        ("select * from kv wh", 17, &["where"]),
        ("SELECT COUNT(*) FROM kv WHERE key BET", 34, &["BETWEEN"]),
        ("get 1 ", 6, &[]),
        ("zzz", 0, &[]),
    ];
    for (line, start, want) in cases {
        let (s, got) = complete(line, line.len());
        let want: Vec<String> = want.iter().map(|w| w.to_string()).collect();
        assert_eq!((s, got), (*start, want), "completing {line:?}");
    }
}

#[test]
fn sweep_completes_only_options_a_sweep_accepts() {
    let _quiet = crate::support::QUIET.read();
    use engine::options::{Applies, Opt};
    for line in [".sweep ", ".sweep block_size 4KiB,16KiB x "] {
        let (_, got) = complete(line, line.len());
        assert!(
            got.contains(&"value_cache_size".to_string()),
            "{line}: {got:?}"
        );
        assert!(got.contains(&"block_size".to_string()), "{line}: {got:?}");
        for refused in ["value_cache_shards", "wal", "sync", "wal_recovery_mode"] {
            assert!(!got.contains(&refused.to_string()), "{line}: {got:?}");
        }
        for name in &got {
            let o = Opt::from_name(name).expect(name);
            assert!(
                !o.is_durability() && o.applies() != Applies::AtOpen,
                "{name}"
            );
        }
    }
    let (_, got) = complete(".sweep value_cache_s", 20);
    assert_eq!(got, vec!["value_cache_size".to_string()]);
}

#[test]
fn completion_of_file_paths() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("script.alexsh"), "").expect("write");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let base = format!("{}/s", dir.path().display());
    let line = format!(".read {base}");
    let (start, got) = complete(&line, line.len());
    assert_eq!(start, 6);
    assert_eq!(
        got,
        vec![
            format!("{}/script.alexsh", dir.path().display()),
            format!("{}/sub/", dir.path().display())
        ]
    );
}

#[test]
fn completion_never_panics_inside_multibyte_text() {
    let _quiet = crate::support::QUIET.read();
    let line = "put 1 'héllo wörld'";
    for pos in 0..=line.len() + 2 {
        let _ = complete(line, pos);
    }
}

#[test]
fn hints_show_the_rest_of_the_usage() {
    let _quiet = crate::support::QUIET.read();
    assert_eq!(hint("sc").as_deref(), Some("an A B [limit N]"));
    assert_eq!(hint("scan").as_deref(), Some(" A B [limit N]"));
    assert_eq!(hint("scan ").as_deref(), Some("A B [limit N]"));
    assert_eq!(hint(".mo").as_deref(), Some("de table|csv|json|line"));
    assert_eq!(hint("get 1"), None);
    // Ambiguous prefix: "e" is only exists, but "de" is del and delete.
    assert_eq!(hint("de"), None);
    assert_eq!(hint(""), None);
}

#[test]
fn history_dedups_flattens_caps_and_survives_a_reload() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("history");
    let mut h = History::load(&path);
    assert!(h.is_empty());
    assert_eq!(h.push("put 1 a").as_deref(), Some("put 1 a"));
    assert_eq!(h.push("put 1 a"), None, "repeat of the last entry");
    assert_eq!(h.push("   "), None, "blank");
    assert_eq!(
        h.push("SELECT *\n  FROM kv\n WHERE key = 1;").as_deref(),
        Some("SELECT * FROM kv WHERE key = 1;")
    );
    h.save().expect("save");
    let h2 = History::load(&path);
    assert_eq!(h2.entries(), h.entries());
    assert_eq!(h2.search_back("kv", h2.len()), Some(1));
    assert_eq!(h2.search_back("put", 1), Some(0));
    assert_eq!(h2.search_back("nothing", h2.len()), None);

    let mut big = History::new();
    for i in 0..MAX_ENTRIES + 50 {
        big.push(&format!("get {i}"));
    }
    assert_eq!(big.len(), MAX_ENTRIES);
    assert_eq!(big.entries()[0], "get 50");
}
