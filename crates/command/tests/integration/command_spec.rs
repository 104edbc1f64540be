//! The command table: every spec parses, every parsed command has its spec, and the
//! name lists, usage, `.help` and `.stats` all come from it.
use command::cmd::Parse;
use command::registry::ENTRIES;
use command::spec::{Family, Runs, SPECS, lookup, spec_of};
use command::{
    COMMAND_NAMES, Command, DOT_COMMAND_NAMES, ExportWhat, Outcome, parse_command, usage,
};
use command::{DashboardCmd, ExecError, Executor, SessionCmd};
use engine::DbOptions;

/// Sample lines per spec name: each must parse to a command whose spec is that entry.
const SAMPLES: &[(&str, &[&str])] = &[
    ("get", &["get 1"]),
    ("put", &["put 1 a"]),
    ("del", &["del 1"]),
    ("scan", &["scan 1 2", "scan 1 2 limit 3"]),
    ("count", &["count", "count 1 2"]),
    ("exists", &["exists 1"]),
    ("mget", &["mget 1 2"]),
    ("select", &["SELECT * FROM kv;"]),
    ("insert", &["INSERT INTO kv VALUES (1, 'a');"]),
    ("delete", &["DELETE FROM kv WHERE key = 1;"]),
    (".help", &[".help", ".help get"]),
    (".timer", &[".timer on"]),
    (".width", &[".width 80", ".width off"]),
    (".stats", &[".stats off"]),
    (".mode", &[".mode csv"]),
    (".output", &[".output stdout"]),
    (".read", &[".read f"]),
    (".open", &[".open p"]),
    (".show", &[".show", ".show options"]),
    (".set", &[".set block_size 8KiB"]),
    (".reset", &[".reset all", ".reset block_size"]),
    (".reopen", &[".reopen"]),
    (".flush", &[".flush"]),
    (".compact", &[".compact", ".compact 1 2"]),
    (".check", &[".check"]),
    (
        ".profile",
        &[".profile save p.toml", ".profile load p.toml"],
    ),
    (
        ".options",
        &[".options export f", ".options export f --format tikv"],
    ),
    (".load", &[".load sequential 10", ".load random 10 &"]),
    (".bench", &[".bench profile"]),
    (".ycsb", &[".ycsb a --ops 10"]),
    (".jobs", &[".jobs", ".jobs 2", ".jobs [2]"]),
    (".cancel", &[".cancel", ".cancel 2"]),
    (".advise", &[".advise", ".advise apply 1", ".advise undo"]),
    (".mrc", &[".mrc", ".mrc reset"]),
    (".lsm", &[".lsm", ".lsm --json"]),
    (".property", &[".property rocksdb.levelstats"]),
    (
        ".sweep",
        &[
            ".sweep block_size 4KiB,8KiB",
            ".sweep bloom_bits 8,10 x compression lz4 &",
        ],
    ),
    (
        ".baseline",
        &[".baseline save a", ".baseline list", ".baseline drop a"],
    ),
    (
        ".compare",
        &[".compare a", ".compare a b", ".compare a now"],
    ),
    (
        ".trace",
        &[
            ".trace start t.trace",
            ".trace start t.trace --force",
            ".trace stop",
            ".trace",
        ],
    ),
    (
        ".replay",
        &[
            ".replay t.trace",
            ".replay t.trace --speed 2 --save a --on-my-data &",
            ".replay t.trace --speed max",
        ],
    ),
    (
        ".set refresh_ms",
        &[".set refresh_ms 100", ".reset refresh_ms"],
    ),
    (
        ".export",
        &[".export metrics m.csv", ".export screen s.txt"],
    ),
    (".quit", &[".quit", ".exit"]),
];

#[test]
fn every_spec_parses_and_every_command_has_its_spec() {
    let _quiet = crate::support::QUIET.read();
    for s in SPECS {
        let (_, lines) = SAMPLES
            .iter()
            .find(|(n, _)| *n == s.name)
            .unwrap_or_else(|| panic!("no sample line for {}", s.name));
        for line in *lines {
            let cmd = parse_command(line).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(spec_of(&cmd).name, s.name, "{line}");
        }
    }
    assert_eq!(
        SAMPLES.len(),
        SPECS.len(),
        "a sample for a spec that is gone"
    );
}

/// The family a parsed command carries (its outer variant).
fn family_of(cmd: &Command) -> Family {
    match cmd {
        Command::Data(_) => Family::Data,
        Command::Sql(_) => Family::Sql,
        Command::Session(_) => Family::Session,
        Command::Options(_) => Family::Options,
        Command::Jobs(_) => Family::Jobs,
        Command::Dashboard(_) => Family::Dashboard,
    }
}

/// The registry is complete and consistent: every entry's example parses to a command
/// whose spec is that entry and whose family (the executor it reaches) is the entry's;
/// an entry parses the way its name says; no two entries share a name or an alias; and
/// `SPECS` is the table's specs in its order.
#[test]
fn every_registry_entry_parses_its_example_into_its_own_spec_and_family() {
    let _quiet = crate::support::QUIET.read();
    let mut names: Vec<&str> = Vec::new();
    for e in ENTRIES {
        let line = e.example;
        let cmd = parse_command(line).unwrap_or_else(|err| panic!("{line}: {err}"));
        assert_eq!(spec_of(&cmd).name, e.spec.name, "{line}");
        assert_eq!(family_of(&cmd), e.spec.family, "{line}");
        let parse_ok = match e.parse {
            Parse::Words(_) => !e.spec.name.contains(' ') && e.spec.family != Family::Sql,
            Parse::Sql => e.spec.family == Family::Sql,
            Parse::Form => e.spec.name.contains(' '),
        };
        assert!(
            parse_ok,
            "{}: parsed the wrong way for its name",
            e.spec.name
        );
        for n in std::iter::once(e.spec.name).chain(e.spec.aliases.iter().copied()) {
            assert!(!names.contains(&n), "{n} is in the table twice");
            names.push(n);
        }
    }
    let table: Vec<&str> = ENTRIES.iter().map(|e| e.spec.name).collect();
    let specs: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
    assert_eq!(table, specs);
    // A family's executor takes only that family's commands: a command that parsed
    // into one family's enum is answered there (here: each data command runs).
    let (_d, mut x) = exec();
    for e in ENTRIES.iter().filter(|e| e.spec.family == Family::Data) {
        let cmd = parse_command(e.example).expect("parses");
        assert!(x.execute(&cmd).is_ok(), "{}", e.example);
    }
}

#[test]
fn name_lists_and_usage_come_from_the_table() {
    let _quiet = crate::support::QUIET.read();
    for n in ["get", "put", "del", "scan", "count", "exists", "mget"] {
        assert!(COMMAND_NAMES.contains(&n), "{n}");
    }
    assert!(!COMMAND_NAMES.contains(&".help"));
    for s in SPECS.iter().filter(|s| !s.name.contains(' ')) {
        let list = if s.name.starts_with('.') {
            &DOT_COMMAND_NAMES
        } else if s.family == Family::Data {
            &COMMAND_NAMES
        } else {
            continue;
        };
        assert!(list.contains(&s.name), "{}", s.name);
        assert_eq!(usage(s.name), Some(s.usage));
    }
    assert!(DOT_COMMAND_NAMES.contains(&".exit"), "aliases are names");
    assert!(!DOT_COMMAND_NAMES.iter().any(|n| n.contains(' ')));
    assert_eq!(usage("load"), usage(".load"));
    assert_eq!(usage("exit"), Some(".quit"));
    assert_eq!(
        lookup("refresh_ms").map(|s| s.name),
        Some(".set refresh_ms")
    );
    assert!(usage("frobnicate").is_none());
}

#[test]
fn table_flags_what_touches_the_db_and_what_runs_as_a_job() {
    let _quiet = crate::support::QUIET.read();
    let flag = |line: &str| {
        let s = spec_of(&parse_command(line).expect("parses"));
        (s.touches_db, s.runs)
    };
    assert_eq!(flag("get 1"), (true, Runs::Inline));
    assert_eq!(flag(".compact"), (true, Runs::Job));
    assert_eq!(flag(".load sequential 5"), (true, Runs::Job));
    assert_eq!(flag(".set block_size 8KiB"), (false, Runs::JobIfReopen));
    assert_eq!(flag(".profile load p"), (false, Runs::JobIfReopen));
    assert_eq!(flag(".mode csv"), (false, Runs::Inline));
}

#[test]
fn dashboard_commands_parse_into_their_own_variants() {
    let _quiet = crate::support::QUIET.read();
    let ok = |line: &str| parse_command(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    assert_eq!(
        ok(".set refresh_ms 100"),
        Command::Dashboard(DashboardCmd::Refresh(Some(100)))
    );
    assert_eq!(
        ok(".set refresh_ms 75ms"),
        Command::Dashboard(DashboardCmd::Refresh(Some(75)))
    );
    assert_eq!(
        ok(".reset refresh_ms"),
        Command::Dashboard(DashboardCmd::Refresh(None))
    );
    assert_eq!(
        ok(".export metrics M.JSON"),
        Command::Dashboard(DashboardCmd::Export {
            what: ExportWhat::MetricsJson,
            path: "M.JSON".into()
        })
    );
    assert_eq!(
        ok(".export screen s"),
        Command::Dashboard(DashboardCmd::Export {
            what: ExportWhat::Screen,
            path: "s".into()
        })
    );
    for (bad, says) in [
        (".set refresh_ms 5", "5 is out of range 50..10000"),
        (".set refresh_ms 20000", "out of range"),
        (
            ".set refresh_ms fast",
            "\"fast\" is not a number of milliseconds",
        ),
        (".set refresh_ms", "takes 1 value, got 0"),
        (".reset refresh_ms 5", "takes no value"),
        (".export", ".export takes 2 arguments, got 0"),
        (".export metrics x.txt", "cannot tell the format of x.txt"),
        (".export chart x", "expected metrics or screen"),
    ] {
        let e = parse_command(bad).expect_err(bad).to_string();
        assert!(e.contains(says), "{bad}: {e}");
        assert!(e.contains("(usage: .") && !e.contains('\n'), "{bad}: {e}");
    }
    // The usage names the same bounds the dashboard enforces.
    let e = parse_command(".set refresh_ms 1")
        .expect_err("range")
        .to_string();
    let (lo, hi, def) = (
        command::parse::MIN_REFRESH_MS,
        command::parse::MAX_REFRESH_MS,
        command::parse::DEFAULT_REFRESH_MS,
    );
    assert!(e.contains(&format!("{lo}..{hi}; default {def}")), "{e}");
}

fn exec() -> (tempfile::TempDir, Executor) {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = Executor::open(&dir.path().join("db"), DbOptions::default()).expect("open");
    (dir, e)
}

#[test]
fn outside_the_dashboard_its_commands_are_one_clear_error() {
    let _quiet = crate::support::QUIET.read();
    let (_d, mut e) = exec();
    for (line, name) in [
        (".set refresh_ms 100", ".set refresh_ms"),
        (".export screen s.txt", ".export"),
    ] {
        let cmd = parse_command(line).expect("parses");
        match e.execute(&cmd) {
            Err(ExecError::Refused(m)) => {
                assert_eq!(m, format!("{name} works only in the dashboard"))
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    assert!(!std::path::Path::new("s.txt").exists());
    // The dashboard's output_rows too, not "unknown option" (issue 30).
    for (line, form) in [
        (".set output_rows 50", ".set"),
        (".reset output_rows", ".reset"),
    ] {
        let cmd = parse_command(line).expect("parses");
        match e.execute(&cmd) {
            Err(ExecError::Refused(m)) => assert!(
                m.starts_with(&format!("{form} output_rows works only in the dashboard")),
                "{line}: {m}"
            ),
            other => panic!("{line}: {other:?}"),
        }
    }
}

#[test]
fn help_lists_every_command_and_explains_one() {
    let _quiet = crate::support::QUIET.read();
    let (_d, mut e) = exec();
    let Ok(Outcome::Message(all)) = e.execute(&Command::Session(SessionCmd::Help(None))) else {
        panic!("help");
    };
    for s in SPECS {
        assert!(all.contains(s.usage), "help lacks {}", s.name);
        assert!(all.contains(s.help), "help lacks {}", s.name);
        // Every help text starts in the same column, also after a long usage.
        let line = all
            .lines()
            .find(|l| l.ends_with(s.help))
            .expect("help line");
        assert_eq!(line.chars().count() - s.help.chars().count(), 49, "{line}");
    }
    for topic in [".load", "load"] {
        let Ok(Outcome::Message(one)) =
            e.execute(&Command::Session(SessionCmd::Help(Some(topic.into()))))
        else {
            panic!("{topic}");
        };
        let spec = lookup(".load").expect("spec");
        assert_eq!(one, format!("{}\n  {}", spec.usage, spec.help));
    }
    assert!(
        e.execute(&Command::Session(SessionCmd::Help(Some("nothing".into()))))
            .is_err()
    );
}

fn help_message(e: &mut Executor, topic: &str) -> Result<String, String> {
    match e.execute(&Command::Session(SessionCmd::Help(Some(topic.into())))) {
        Ok(Outcome::Message(m)) => Ok(m),
        Ok(other) => Err(format!("{other:?}")),
        Err(err) => Err(err.to_string()),
    }
}

/// Issue 12, bug 7: `.help OPTION` explains every option: kind, default, a pane.
#[test]
fn help_explains_every_option() {
    let _quiet = crate::support::QUIET.read();
    use engine::options::SPECS as OPTIONS;
    let (_d, mut e) = exec();
    let defaults = DbOptions::default();
    let panes = ["F2 ", "F3 ", "F4 ", "F5 ", "F6 ", "F7 ", "F8 "];
    for s in &OPTIONS {
        let text = help_message(&mut e, s.name).unwrap_or_else(|err| panic!("{err}"));
        let kind = s.apply.applies();
        assert!(
            text.contains(&command::hints::option_words(s.help)),
            "{}: {text}",
            s.name
        );
        assert!(
            text.contains(&format!("kind:        {}", kind.as_str())),
            "{text}"
        );
        assert!(
            text.contains(&command::hints::option_words(kind.meaning())),
            "{text}"
        );
        let default = defaults.text(s.opt);
        assert!(text.contains(&format!("default:     {default}")), "{text}");
        assert!(
            text.contains(&format!("allowed:     {}", s.ty.allowed())),
            "{text}"
        );
        assert!(
            panes.iter().any(|p| text.contains(p)),
            "{}: no pane\n{text}",
            s.name
        );
    }
}

#[test]
fn help_for_an_option_shows_current_value_and_what_to_watch() {
    let _quiet = crate::support::QUIET.read();
    let (_d, mut e) = exec();
    let run = |e: &mut Executor, line: &str| {
        let cmd = parse_command(line).expect("parse");
        e.execute(&cmd).expect("run")
    };
    run(&mut e, ".set block_cache_size 48MiB");
    for topic in [
        "block_cache_size",
        ".set block_cache_size",
        "block_cache_bytes",
    ] {
        let cmd = parse_command(&format!(".help {topic}")).expect("parse");
        let Ok(Outcome::Message(text)) = e.execute(&cmd) else {
            panic!("{topic}");
        };
        assert!(text.contains("current:     48MiB"), "{text}");
        assert!(text.contains("default:     64MiB"), "{text}");
        assert!(text.contains("kind:        live"), "{text}");
        assert!(text.contains("allowed:     0 .. 1024GiB"), "{text}");
        assert!(text.contains("F5 Cache: block-cache hit rate; F6 Memory: bcache"));
    }
    let err = help_message(&mut e, "block_cache_sise").expect_err("unknown");
    assert!(err.contains("no help for \"block_cache_sise\""), "{err}");
    assert!(err.contains("did you mean \"block_cache_size\"?"), "{err}");
    let err = help_message(&mut e, "lod").expect_err("unknown");
    assert!(
        err.contains("did you mean \"load\"?") || err.contains("did you mean \".load\"?"),
        "{err}"
    );
    assert!(parse_command(".help a b").is_err());
}
