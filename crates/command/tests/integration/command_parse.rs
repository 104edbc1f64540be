//! Table-driven tests of the command parser, and a proptest that it never panics.

use command::{
    Command, DataCmd, KeyFilter, OptionsCmd, OptionsFormat, OutputMode, OutputTarget, SelectWhat,
    SessionCmd, SqlCmd, is_complete, parse_command, split_statements,
};
use proptest::prelude::*;

enum Want {
    Ok(Command),
    Err(&'static str),
}
use Want::{Err as E, Ok as O};

fn put(key: i64, value: &[u8]) -> Command {
    Command::Data(DataCmd::Put {
        key,
        value: value.to_vec(),
    })
}

fn select(what: SelectWhat, filter: KeyFilter, limit: Option<u64>) -> Command {
    Command::Sql(SqlCmd::Select {
        what,
        filter,
        limit,
    })
}

fn rows() -> Vec<(&'static str, Want)> {
    use KeyFilter::*;
    use SelectWhat as W;
    vec![
        // Data commands.
        ("get 1", O(Command::Data(DataCmd::Get(1)))),
        ("GET 42", O(Command::Data(DataCmd::Get(42)))),
        ("  gEt   -7  ;", O(Command::Data(DataCmd::Get(-7)))),
        (
            "get -9223372036854775808",
            O(Command::Data(DataCmd::Get(i64::MIN))),
        ),
        (
            "get 9223372036854775807",
            O(Command::Data(DataCmd::Get(i64::MAX))),
        ),
        ("get +5", O(Command::Data(DataCmd::Get(5)))),
        (
            "get 9223372036854775808",
            E("key 9223372036854775808 is out of range (i64)"),
        ),
        (
            "get 99999999999999999999",
            E("key 99999999999999999999 is out of range (i64)"),
        ),
        ("get -9223372036854775809", E("out of range (i64)")),
        ("get abc", E("key \"abc\" is not an integer")),
        ("get 1.5", E("key \"1.5\" is not an integer")),
        ("get", E("get takes 1 key, got 0 (usage: get K)")),
        ("get 1 2", E("get takes 1 key, got 2 (usage: get K)")),
        ("put 1 hello", O(put(1, b"hello"))),
        ("PUT 2 'hello world'", O(put(2, b"hello world"))),
        (
            "put 3 \"a\\tb\\nc\\\\d\\'e\\\"f\\0g\"",
            O(put(3, b"a\tb\nc\\d'e\"f\0g")),
        ),
        ("put 4 'x\\x41\\xff'", O(put(4, b"xA\xff"))),
        ("put 5 x'00ff10'", O(put(5, b"\x00\xff\x10"))),
        ("put 6 X'AbCd'", O(put(6, b"\xab\xcd"))),
        ("put 7 x''", O(put(7, b""))),
        ("put 8 ''", O(put(8, b""))),
        ("put 9 'a;b'", O(put(9, b"a;b"))),
        ("put 10 'héllo'", O(put(10, "héllo".as_bytes()))),
        ("put 1 'abc", E("unterminated string starting at column 7")),
        (
            "put 1 \"abc\\\"",
            E("unterminated string starting at column 7"),
        ),
        ("put 1 x'zz'", E("bad hex in x'zz': 'z' is not a hex digit")),
        ("put 1 x'abc'", E("bad hex in x'abc': odd number of digits")),
        ("put 1 'a\\qb'", E("unknown escape \"\\q\"")),
        ("put 1 'a\\x4'", E("unknown escape")),
        (
            "put 1 hello world",
            E("put takes 2 arguments (a key and a value), got 3"),
        ),
        ("put 1", E("usage: put K VALUE")),
        ("put abc v", E("key \"abc\" is not an integer")),
        ("put 1 'a'b", E("right after a closing quote")),
        ("del -1", O(Command::Data(DataCmd::Del(-1)))),
        ("DEL", E("del takes 1 key, got 0")),
        ("exists 0", O(Command::Data(DataCmd::Exists(0)))),
        (
            "scan 1 10",
            O(Command::Data(DataCmd::Scan {
                start: 1,
                end: 10,
                limit: None,
            })),
        ),
        (
            "scan -5 5 LIMIT 3",
            O(Command::Data(DataCmd::Scan {
                start: -5,
                end: 5,
                limit: Some(3),
            })),
        ),
        (
            "scan 1 10 limit -3",
            E("limit \"-3\" is not a non-negative integer"),
        ),
        (
            "scan 1 10 top 3",
            E("scan takes 2 keys and an optional `limit N`, got 4"),
        ),
        ("scan 1", E("usage: scan A B [limit N]")),
        ("count", O(Command::Data(DataCmd::Count(None)))),
        (
            "count 1 100",
            O(Command::Data(DataCmd::Count(Some((1, 100))))),
        ),
        ("count 1", E("count takes 0 or 2 keys, got 1")),
        (
            "mget 1 2 -3",
            O(Command::Data(DataCmd::MGet(vec![1, 2, -3]))),
        ),
        ("mget", E("mget takes at least 1 key, got 0")),
        ("mget 1 x 3", E("key \"x\" is not an integer")),
        (
            "get 1; get 2",
            E("unexpected \"get 2\" after ';' at column 8"),
        ),
        ("", E("empty command")),
        ("   ;  ", E("empty command")),
        // Unknown commands and suggestions.
        ("gte 1", E("unknown command \"gte\"; did you mean \"get\"?")),
        ("sacn 1 2", E("did you mean \"scan\"?")),
        ("mgte 1", E("did you mean \"mget\"?")),
        (
            "quit",
            E("unknown command \"quit\"; did you mean \".quit\"?"),
        ),
        (
            ".hlep",
            E("unknown command \".hlep\"; did you mean \".help\"?"),
        ),
        (".tmier on", E("did you mean \".timer\"?")),
        // SQL statements are suggested as SQL is written.
        (
            "SELEC * FROM kv",
            E("unknown command \"SELEC\"; did you mean \"SELECT\"?"),
        ),
        ("selct key from kv", E("did you mean \"SELECT\"?")),
        ("delet from kv where key = 1", E("did you mean \"DELETE\"?")),
        (
            "frobnicate",
            E("unknown command \"frobnicate\" (type .help"),
        ),
        // Dot-commands.
        (".help", O(Command::Session(SessionCmd::Help(None)))),
        (
            ".HELP Scan",
            O(Command::Session(SessionCmd::Help(Some("scan".into())))),
        ),
        (".help a b", E(".help takes 0 or 1 argument, got 2")),
        (".timer on", O(Command::Session(SessionCmd::Timer(true)))),
        (".timer OFF", O(Command::Session(SessionCmd::Timer(false)))),
        (
            ".timer maybe",
            E(".timer: expected on or off, got \"maybe\" (usage: .timer on|off)"),
        ),
        (".timer", E(".timer takes 1 argument (on or off), got 0")),
        (".stats on", O(Command::Session(SessionCmd::Stats(true)))),
        (
            ".mode table",
            O(Command::Session(SessionCmd::Mode(OutputMode::Table))),
        ),
        (
            ".mode CSV",
            O(Command::Session(SessionCmd::Mode(OutputMode::Csv))),
        ),
        (
            ".mode json",
            O(Command::Session(SessionCmd::Mode(OutputMode::Json))),
        ),
        (
            ".mode line",
            O(Command::Session(SessionCmd::Mode(OutputMode::Line))),
        ),
        (
            ".mode xml",
            E(".mode: unknown mode \"xml\" (usage: .mode table|csv|json|line)"),
        ),
        (
            ".output stdout",
            O(Command::Session(SessionCmd::Output(OutputTarget::Stdout))),
        ),
        (
            ".output out.txt",
            O(Command::Session(SessionCmd::Output(OutputTarget::File(
                "out.txt".into(),
            )))),
        ),
        (
            ".output 'my file.csv'",
            O(Command::Session(SessionCmd::Output(OutputTarget::File(
                "my file.csv".into(),
            )))),
        ),
        (
            ".read script.sql",
            O(Command::Session(SessionCmd::Read("script.sql".into()))),
        ),
        (".read", E(".read takes 1 file, got 0")),
        (
            ".open /tmp/db",
            O(Command::Session(SessionCmd::Open("/tmp/db".into()))),
        ),
        (".show", O(Command::Session(SessionCmd::Show))),
        (
            ".show x",
            E(".show: unknown topic \"x\" (usage: .show [options])"),
        ),
        (
            ".show options",
            O(Command::Session(SessionCmd::ShowOptions)),
        ),
        (
            ".SHOW Options",
            O(Command::Session(SessionCmd::ShowOptions)),
        ),
        (
            ".set block_cache_size 1GiB",
            O(Command::Options(OptionsCmd::Set {
                name: "block_cache_size".into(),
                value: "1GiB".into(),
            })),
        ),
        (
            ".set Compaction_Style 'universal'",
            O(Command::Options(OptionsCmd::Set {
                name: "compaction_style".into(),
                value: "universal".into(),
            })),
        ),
        (
            ".set wal",
            E(".set takes 2 arguments, got 1 (usage: .set NAME VALUE)"),
        ),
        (".reset all", O(Command::Options(OptionsCmd::Reset(None)))),
        (
            ".reset wal",
            O(Command::Options(OptionsCmd::Reset(Some("wal".into())))),
        ),
        (".reset", E(".reset takes 1 argument, got 0")),
        (".reopen", O(Command::Options(OptionsCmd::Reopen))),
        (".reopen now", E(".reopen takes no arguments, got 1")),
        (".flush", O(Command::Options(OptionsCmd::Flush))),
        (".compact", O(Command::Options(OptionsCmd::Compact(None)))),
        (
            ".compact -5 10",
            O(Command::Options(OptionsCmd::Compact(Some((-5, 10))))),
        ),
        (".compact 1", E(".compact takes 0 or 2 keys, got 1")),
        (".compact a b", E("key \"a\" is not an integer")),
        (
            ".profile save /tmp/p.toml",
            O(Command::Options(OptionsCmd::Profile {
                save: true,
                path: "/tmp/p.toml".into(),
            })),
        ),
        (
            ".profile LOAD 'my profile.toml'",
            O(Command::Options(OptionsCmd::Profile {
                save: false,
                path: "my profile.toml".into(),
            })),
        ),
        (
            ".profile keep x",
            E(".profile: expected save or load, got \"keep\""),
        ),
        (
            ".options export OPTS",
            O(Command::Options(OptionsCmd::OptionsExport(
                "OPTS".into(),
                OptionsFormat::Rocksdb,
            ))),
        ),
        (
            ".options import OPTS",
            E(".options: expected export, got \"import\""),
        ),
        (".quit", O(Command::Session(SessionCmd::Quit))),
        (".exit", O(Command::Session(SessionCmd::Quit))),
        (".QUIT;", O(Command::Session(SessionCmd::Quit))),
        // SQL.
        ("SELECT * FROM kv", O(select(W::All, All, None))),
        ("select * from kv;", O(select(W::All, All, None))),
        (
            "SeLeCt key FROM KV WHERE key = -3",
            O(select(W::Key, Eq(-3), None)),
        ),
        (
            "SELECT value FROM kv WHERE key BETWEEN 1 AND 10 LIMIT 5;",
            O(select(W::Value, Between(1, 10), Some(5))),
        ),
        (
            "SELECT COUNT(*) FROM kv WHERE key >= 1 AND key < 100;",
            O(select(W::Count, HalfOpen(1, 100), None)),
        ),
        ("select count ( * ) from kv", O(select(W::Count, All, None))),
        (
            "SELECT *\nFROM kv\nWHERE key = 9223372036854775807\nLIMIT 1;",
            O(select(W::All, Eq(i64::MAX), Some(1))),
        ),
        ("SELECT * FROM kv LIMIT 0", O(select(W::All, All, Some(0)))),
        (
            "SELECT * FROM kv WHERE key = 99999999999999999999",
            E("key 99999999999999999999 is out of range (i64)"),
        ),
        (
            "SELECT * FROM kv WHERE key = 'a'",
            E("unsupported SQL: expected an integer key"),
        ),
        (
            "SELECT * FROM kv LIMIT x",
            E("limit \"x\" is not a non-negative integer"),
        ),
        (
            "SELECT * FROM users",
            E(
                "unsupported SQL: no table \"users\" (the only table is kv) (supported: SELECT/INSERT/DELETE on kv, see .help)",
            ),
        ),
        ("SELECT key, value FROM kv", E("unsupported SQL")),
        (
            "SELECT * FROM kv WHERE value = 'a'",
            E("WHERE must test the key column"),
        ),
        (
            "SELECT * FROM kv WHERE key > 5",
            E("unsupported SQL: WHERE supports"),
        ),
        (
            "SELECT * FROM kv ORDER BY key",
            E("unsupported SQL: unexpected \"ORDER\""),
        ),
        (
            "SELECT * FROM kv; SELECT 1",
            E("unexpected \"SELECT\" at column 19"),
        ),
        (
            "INSERT INTO kv VALUES (1, 'a')",
            O(Command::Sql(SqlCmd::Insert {
                replace: false,
                rows: vec![(1, b"a".to_vec())],
            })),
        ),
        (
            "insert or replace into kv values (1, 'it''s'), (-2, x'ff');",
            O(Command::Sql(SqlCmd::Insert {
                replace: true,
                rows: vec![(1, b"it's".to_vec()), (-2, vec![0xff])],
            })),
        ),
        (
            "REPLACE INTO kv VALUES (3, 'c')",
            O(Command::Sql(SqlCmd::Insert {
                replace: true,
                rows: vec![(3, b"c".to_vec())],
            })),
        ),
        (
            "INSERT INTO kv (key, value) VALUES (4, 'd')",
            O(Command::Sql(SqlCmd::Insert {
                replace: false,
                rows: vec![(4, b"d".to_vec())],
            })),
        ),
        ("INSERT INTO kv VALUES (1, 'a'", E("expected ')'")),
        (
            "INSERT INTO kv VALUES (1, 'a)",
            E("unterminated string starting at column 27"),
        ),
        (
            "INSERT INTO kv VALUES (x, 'a')",
            E("key \"x\" is not an integer"),
        ),
        (
            "INSERT OR IGNORE INTO kv VALUES (1, 'a')",
            E("only INSERT OR REPLACE is supported"),
        ),
        ("INSERT INTO kv VALUES (1, x'0g')", E("bad hex in x'0g'")),
        (
            "DELETE FROM kv WHERE key = 5;",
            O(Command::Sql(SqlCmd::Delete { filter: Eq(5) })),
        ),
        (
            "delete from kv where key between -10 and 10",
            O(Command::Sql(SqlCmd::Delete {
                filter: Between(-10, 10),
            })),
        ),
        ("DELETE FROM kv", E("DELETE needs WHERE")),
        (
            "UPDATE kv SET value = 'a'",
            E(
                "unsupported SQL: UPDATE statements (supported: SELECT/INSERT/DELETE on kv, see .help)",
            ),
        ),
        (
            "CREATE TABLE t (a INT)",
            E("unsupported SQL: CREATE statements"),
        ),
        ("drop table kv", E("unsupported SQL: DROP statements")),
    ]
}

#[test]
fn parse_table() {
    let _quiet = crate::support::QUIET.read();
    let rows = rows();
    assert!(rows.len() >= 40);
    let mut failures = Vec::new();
    for (input, want) in rows {
        let got = parse_command(input);
        match (&want, &got) {
            (Want::Ok(c), Ok(g)) if c == g => {}
            (Want::Err(s), Err(e)) if e.to_string().contains(s) => {
                assert!(
                    !e.to_string().contains('\n'),
                    "multi-line error for {input:?}"
                );
            }
            _ => failures.push(format!(
                "{input:?}: want {}, got {got:?} / {}",
                match &want {
                    Want::Ok(c) => format!("{c:?}"),
                    Want::Err(s) => format!("error containing {s:?}"),
                },
                match &got {
                    Ok(_) => String::new(),
                    Err(e) => e.to_string(),
                }
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn split_script() {
    let _quiet = crate::support::QUIET.read();
    let script = "put 1 a; get 1\n\
                  # comment\n\
                  SELECT *\n  FROM kv\n  WHERE key = 1;\n\
                  put 2 'x;y' ; del 2\n\
                  INSERT INTO kv VALUES (3, 'a;\nb');\n\
                  put 3 \"q\\\"; r\"\n\
                  .mode csv\n";
    let (cmds, rest) = split_statements(script);
    assert_eq!(
        cmds,
        vec![
            "put 1 a",
            "get 1",
            "SELECT *\n  FROM kv\n  WHERE key = 1",
            "put 2 'x;y'",
            "del 2",
            "INSERT INTO kv VALUES (3, 'a;\nb')",
            "put 3 \"q\\\"; r\"",
            ".mode csv",
        ]
    );
    assert_eq!(rest, None);
    for c in &cmds {
        assert!(parse_command(c).is_ok(), "{c:?} -> {:?}", parse_command(c));
    }
    assert_eq!(parse_command(&cmds[6]), Ok(put(3, b"q\"; r")));

    let (cmds, rest) = split_statements("get 1\nSELECT * FROM kv\nWHERE key = 2");
    assert_eq!(cmds, vec!["get 1"]);
    assert_eq!(rest.as_deref(), Some("SELECT * FROM kv\nWHERE key = 2"));

    // An unterminated data string ends at the newline and reports a clear error.
    let (cmds, rest) = split_statements("put 1 'abc\nget 2");
    assert_eq!(cmds, vec!["put 1 'abc", "get 2"]);
    assert_eq!(rest, None);

    assert!(is_complete(""));
    assert!(is_complete("get 1"));
    assert!(!is_complete("SELECT * FROM kv"));
    assert!(!is_complete("INSERT INTO kv VALUES (1, 'a;"));
    assert!(is_complete("INSERT INTO kv VALUES (1, 'a;');"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_strings(s in ".{0,80}") {
        let _quiet = crate::support::QUIET.read();
        let _ = parse_command(&s);
        let (cmds, rest) = split_statements(&s);
        for c in cmds.iter().chain(rest.iter()) {
            let _ = parse_command(c);
        }
        let _ = is_complete(&s);
    }

    #[test]
    fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..120)) {
        let _quiet = crate::support::QUIET.read();
        let s = String::from_utf8_lossy(&b);
        let _ = parse_command(&s);
        let (cmds, _) = split_statements(&s);
        for c in &cmds {
            let _ = parse_command(c);
        }
    }

    #[test]
    fn never_panics_on_command_like(
        head in prop::sample::select(vec!["get", "put", "scan", "mget", ".mode", ".help", "SELECT", "INSERT INTO kv VALUES", "DELETE FROM kv WHERE", "count"]),
        tail in "[ -~\\n\\t\\\\'\"x;()*=<>]{0,60}",
    ) {
        let _quiet = crate::support::QUIET.read();
        let s = format!("{head} {tail}");
        if let Err(e) = parse_command(&s) {
            prop_assert!(!e.to_string().is_empty());
        }
        let _ = split_statements(&s);
    }

    #[test]
    fn put_roundtrips_any_key_and_hex(key in any::<i64>(), value in proptest::collection::vec(any::<u8>(), 0..32)) {
        let _quiet = crate::support::QUIET.read();
        let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
        prop_assert_eq!(
            parse_command(&format!("put {key} x'{hex}'")),
            Ok(Command::Data(DataCmd::Put { key, value: value.clone() }))
        );
        prop_assert_eq!(
            parse_command(&format!("INSERT INTO kv VALUES ({key}, x'{hex}');")),
            Ok(Command::Sql(SqlCmd::Insert { replace: false, rows: vec![(key, value)] }))
        );
    }
}

#[test]
fn split_agrees_with_parse_on_sql_words() {
    let _quiet = crate::support::QUIET.read();
    // "select1" is not SQL, so it ends at the newline like any other command.
    let (cmds, rest) = split_statements("select1 x\nget 1");
    assert_eq!(cmds, vec!["select1 x", "get 1"]);
    assert_eq!(rest, None);
    let long = format!("put 1 '{}'", "a".repeat(100_000));
    assert!(parse_command(&long).is_ok());
    let e = parse_command(&format!("get {}", "9".repeat(10_000))).unwrap_err();
    assert!(e.to_string().len() < 200, "{e}");
}
