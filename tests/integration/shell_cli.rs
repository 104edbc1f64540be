//! The line shell as another program drives it: the real `alexdb` binary with `-c`,
//! `--script` and piped stdin; stdout, stderr and exit status checked for every output
//! mode, errors, `--bail`, `--json`, `.read`, `.output`, `.open` and reopening (one test
//! drives the library's shell functions directly, to arm an engine test hook).
use crate::support::alexdb_with_input;
use crate::support::spawn_piped;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn c_runs_commands_in_table_mode() {
    let home = temp();
    let o = alexdb_with_input(
        &[
            "--temp",
            "-c",
            "put 1 a; put 2 'hello world'; get 1; get 9; count; exists 2",
        ],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(err(&o), "");
    let expected = "\
OK (new key)
OK (new key)
+-----+-------+
| key | value |
+-----+-------+
|   1 | a     |
+-----+-------+
+-----+-------+
| key | value |
+-----+-------+
|   9 | NULL  |
+-----+-------+
+-------+
| count |
+-------+
|     2 |
+-------+
+-----+--------+
| key | exists |
+-----+--------+
|   2 |      1 |
+-----+--------+
";
    assert_eq!(out(&o), expected);
}

const DATA: &str = "put 1 a; put 2 'x,y'; put 3 x'00ff'; put -5 \"quote\\\"d\"";

#[test]
fn every_output_mode() {
    let home = temp();
    let run = |mode: &str| {
        let cmds = format!("{DATA}; .mode {mode}; scan -10 10; scan 100 200");
        let o = alexdb_with_input(&["--temp", "-c", &cmds], None, home.path());
        assert_eq!(o.status.code(), Some(0), "{mode}: {}", err(&o));
        out(&o)
    };
    let writes = "OK (new key)\n".repeat(4);
    assert_eq!(
        run("table"),
        format!(
            "{writes}\
+-----+---------+
| key | value   |
+-----+---------+
|  -5 | quote\"d |
|   1 | a       |
|   2 | x,y     |
|   3 | x'00ff' |
+-----+---------+
(no rows)
"
        )
    );
    assert_eq!(
        run("csv"),
        format!("{writes}key,value\n-5,\"quote\"\"d\"\n1,a\n2,\"x,y\"\n3,x'00ff'\nkey,value\n")
    );
    assert_eq!(
        run("json"),
        format!(
            "{writes}[{{\"key\":-5,\"value\":\"quote\\\"d\"}},\n{{\"key\":1,\"value\":\"a\"}},\n{{\"key\":2,\"value\":\"x,y\"}},\n{{\"key\":3,\"value\":\"x'00ff'\"}}]\n[]\n"
        )
    );
    assert_eq!(
        run("line"),
        format!(
            "{writes}  key = -5\nvalue = quote\"d\n\n  key = 1\nvalue = a\n\n  key = 2\nvalue = x,y\n\n  key = 3\nvalue = x'00ff'\n"
        )
    );
}

#[test]
fn writes_are_silent_in_csv_and_json_modes() {
    let home = temp();
    let o = alexdb_with_input(
        &["--temp", "-c", ".mode csv; put 1 a; del 1; get 1"],
        None,
        home.path(),
    );
    assert_eq!(out(&o), "key,value\n1,\n");
}

#[test]
fn sql_subset() {
    let home = temp();
    let script = "INSERT INTO kv VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
select count(*) from kv where key between 2 and 3;
SELECT key FROM kv WHERE key >= 2 AND key < 4;
SELECT value FROM kv LIMIT 2;
INSERT INTO kv VALUES (5, 'e'), (2, 'dup');
INSERT OR REPLACE INTO kv VALUES (2, 'B');
DELETE FROM kv WHERE key BETWEEN 3 AND 9;
.mode csv
SELECT *
  FROM kv;
";
    let o = alexdb_with_input(&["--temp"], Some(script), home.path());
    assert_eq!(o.status.code(), Some(1), "the duplicate insert fails");
    let text = out(&o);
    assert!(text.starts_with("inserted 4 rows\n"), "{text}");
    assert!(
        text.contains("| COUNT(*) |\n+----------+\n|        2 |"),
        "{text}"
    );
    assert!(
        text.contains("| key |\n+-----+\n|   2 |\n|   3 |\n+-----+"),
        "{text}"
    );
    assert!(
        text.contains("| value |\n+-------+\n| a     |\n| b     |\n+-------+"),
        "{text}"
    );
    assert!(text.contains("inserted 1 row\ndeleted 2 rows\n"), "{text}");
    // The failed insert changed nothing: 5 was not inserted and 2 kept 'b' until replaced.
    assert!(text.ends_with("key,value\n1,a\n2,B\n"), "{text}");
    assert_eq!(
        err(&o),
        "error: key 2 already exists (UNIQUE constraint on kv.key); nothing inserted; use INSERT OR REPLACE to overwrite\n"
    );
}

#[test]
fn bad_input_gets_one_error_line_and_the_shell_goes_on() {
    let home = temp();
    let script = "put 1 keep
gte 1
put x 1
get 99999999999999999999
put 2 'unterminated
put 3 x'0g'
UPDATE kv SET value = 'b'
scan 1
.read /definitely/not/here.alexsh
.mode fancy
get 1
";
    let o = alexdb_with_input(&["--temp"], Some(script), home.path());
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 9, "one line per bad command:\n{e}");
    assert!(lines.iter().all(|l| l.starts_with("error: ")), "{e}");
    assert!(lines[0].contains("did you mean \"get\""), "{e}");
    assert!(lines[1].contains("not an integer"), "{e}");
    assert!(lines[2].contains("out of range"), "{e}");
    assert!(lines[3].contains("unterminated string"), "{e}");
    assert!(lines[4].contains("hex"), "{e}");
    assert!(lines[5].contains("unsupported SQL"), "{e}");
    assert!(lines[6].contains("usage: scan A B [limit N]"), "{e}");
    assert!(lines[7].contains("/definitely/not/here.alexsh"), "{e}");
    assert!(lines[7].contains("no such file"), "{e}");
    assert!(lines[8].contains("table"), "{e}");
    // Nothing changed and the last command still ran.
    assert_eq!(
        out(&o),
        "OK (new key)\n+-----+-------+\n| key | value |\n+-----+-------+\n|   1 | keep  |\n+-----+-------+\n"
    );
}

#[test]
fn bail_stops_at_the_first_failure() {
    let home = temp();
    let o = alexdb_with_input(
        &["--temp", "--bail", "-c", "put 1 a; bogus; put 2 b"],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "OK (new key)\n");
    assert_eq!(err(&o).lines().count(), 1);
}

#[test]
fn json_prints_one_object_per_command() {
    let home = temp();
    let o = alexdb_with_input(
        &[
            "--temp",
            "--json",
            "-c",
            "put 7 seven; get 7; nope; del 7; .mode csv; count",
        ],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let objs: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(objs.len(), 6, "{}", out(&o));
    assert_eq!(objs[0]["command"], "put 7 seven");
    assert_eq!(objs[0]["ok"], true);
    assert_eq!(objs[0]["changes"], 1);
    assert_eq!(objs[0]["new_keys"], 1);
    assert_eq!(objs[1]["columns"], serde_json::json!(["key", "value"]));
    assert_eq!(
        objs[1]["rows"],
        serde_json::json!([{"key": 7, "value": "seven"}])
    );
    assert_eq!(objs[2]["ok"], false);
    assert!(
        objs[2]["error"]
            .as_str()
            .unwrap_or("")
            .contains("unknown command")
    );
    assert_eq!(objs[3]["changes"], 1);
    assert_eq!(objs[4]["message"], "mode csv");
    // --json overrides .mode: still one object.
    assert_eq!(objs[5]["rows"], serde_json::json!([{"count": 0}]));
    for o in &objs {
        assert!(o["elapsed_us"].as_f64().is_some());
    }
    // The error is also one line on stderr.
    assert_eq!(err(&o).lines().count(), 1);
}

#[test]
fn script_file_read_and_output() {
    let home = temp();
    let dir = temp();
    let inner = dir.path().join("inner.alexsh");
    std::fs::write(&inner, "put 10 ten\n.quit\nput 11 never\n").expect("write");
    let results = dir.path().join("results.csv");
    let script = dir.path().join("main.alexsh");
    std::fs::write(
        &script,
        format!(
            "-- comments and blank lines are skipped\n\n.read {}\n.mode csv\n.output {}\nscan 0 100\n.output stdout\ncount\n",
            inner.display(),
            results.display()
        ),
    )
    .expect("write");
    let o = alexdb_with_input(
        &["--temp", "--script", script.to_str().expect("utf8")],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // `.quit` in a read file ends that file only.
    assert_eq!(out(&o), "OK (new key)\ncount\n1\n");
    assert_eq!(
        std::fs::read_to_string(&results).expect("results written"),
        "key,value\n10,ten\n"
    );
}

#[test]
fn missing_script_file_is_one_error() {
    let home = temp();
    let o = alexdb_with_input(
        &["--temp", "--script", "/no/such/script"],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o),
        "error: cannot read script /no/such/script: no such file\n"
    );
    assert_eq!(out(&o), "");
}

#[test]
fn timer_and_stats_lines() {
    let home = temp();
    let o = alexdb_with_input(
        &[
            "--temp",
            "-c",
            "put 1 a; put 3 c; .timer on; get 1; .timer off; .stats on; get 3; get 2; .stats off; get 1",
        ],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert_eq!(text.matches("Run Time: ").count(), 1, "{text}");
    let stats: Vec<&str> = text.lines().filter(|l| l.starts_with("Stats: ")).collect();
    assert_eq!(stats.len(), 2, "{text}");
    // Key 3 is not cached yet: a miss that read RocksDB.
    assert!(stats[0].contains("value cache 0 hit / 1 miss"), "{text}");
    assert!(
        stats[0].contains("ALEX") && !stats[0].contains("RocksDB 0 ns"),
        "{text}"
    );
    assert!(stats[0].contains("rows read 1"), "{text}");
    // Key 2 does not exist: ALEX answers, RocksDB is not asked.
    assert!(stats[1].contains("RocksDB 0 ns"), "{text}");
    assert!(stats[1].contains("rows read 0"), "{text}");
}

#[test]
fn default_database_persists_under_xdg_data_home() {
    let home = temp();
    let o = alexdb_with_input(&["-c", "put 42 answer"], None, home.path());
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(home.path().join("alexdb").join("db").is_dir());
    let o = alexdb_with_input(&["--json", "-c", "get 42; .show"], None, home.path());
    let lines: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines[0]["rows"][0]["value"], "answer");
    let show = &lines[1]["rows"];
    let get = |name: &str| {
        show.as_array()
            .and_then(|rows| rows.iter().find(|r| r["name"] == name))
            .map(|r| r["value"].clone())
    };
    assert_eq!(
        get("database"),
        Some(serde_json::json!(
            home.path().join("alexdb/db").display().to_string()
        ))
    );
    assert_eq!(get("rows"), Some(serde_json::json!("1")));
}

#[test]
fn temp_database_is_removed_at_exit() {
    let home = temp();
    let o = alexdb_with_input(&["--temp", "--json", "-c", ".show"], None, home.path());
    let v: serde_json::Value = serde_json::from_str(out(&o).trim()).expect("json");
    let path = v["rows"][0]["value"].as_str().expect("path").to_string();
    assert!(path.contains("alexdb-"), "{path}");
    assert!(!Path::new(&path).exists(), "{path} still exists");
    // And nothing was created under the data directory.
    assert!(!home.path().join("alexdb").join("db").exists());
}

#[test]
fn open_switches_databases_and_keeps_the_old_one_on_failure() {
    let home = temp();
    let dir = temp();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a database").expect("write");
    let cmds = format!(
        "put 1 in-a; .open {}; count; put 2 in-b; .open {}; get 1",
        b.display(),
        file.display()
    );
    let o = alexdb_with_input(
        &["--db", a.to_str().expect("utf8"), "-c", &cmds],
        None,
        home.path(),
    );
    assert_eq!(o.status.code(), Some(1), "opening a file fails");
    let text = out(&o);
    assert!(
        text.contains(&format!("opened {} (0 keys", b.display())),
        "{text}"
    );
    assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));
    // After the failed .open, b is still the open database: key 1 is in a, not b.
    assert!(
        text.ends_with("|   1 | NULL  |\n+-----+-------+\n"),
        "{text}"
    );
    let o = alexdb_with_input(
        &["--db", a.to_str().expect("utf8"), "-c", "count"],
        None,
        home.path(),
    );
    assert!(out(&o).contains("|     1 |"), "{}", out(&o));
}

#[test]
fn locked_database_is_one_error_line() {
    let home = temp();
    let dir = temp();
    let db = dir.path().join("db");
    let db_s = db.to_str().expect("utf8");
    // Hold the database open in one shell (it waits on stdin) and try a second.
    let (mut first, mut stdin, mut lines) = spawn_piped(&["--db", db_s], home.path());
    writeln!(stdin, ".mode csv\ncount").expect("write");
    stdin.flush().expect("flush");
    // The answer arrives while the first shell is still running: output is flushed per command.
    assert_eq!(lines.next().and_then(Result::ok).as_deref(), Some("count"));
    assert_eq!(lines.next().and_then(Result::ok).as_deref(), Some("0"));
    let o = alexdb_with_input(&["--db", db_s, "-c", "count"], None, home.path());
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with("error: database") && e.contains("locked"),
        "{e}"
    );
    drop(stdin);
    assert!(first.wait().expect("wait").success());
}

#[test]
fn piped_commands_are_answered_one_at_a_time() {
    let home = temp();
    let (mut child, mut stdin, mut lines) = spawn_piped(&["--temp", "--json"], home.path());
    for i in 0..20 {
        writeln!(stdin, "put {i} v{i}").expect("write");
        stdin.flush().expect("flush");
        let answer = lines
            .next()
            .and_then(Result::ok)
            .expect("an answer per command");
        assert!(
            answer.contains(&format!("\"command\":\"put {i} v{i}\"")),
            "{answer}"
        );
        // Multi-line SQL is answered at its ';'.
        writeln!(stdin, "SELECT value FROM kv").expect("write");
        writeln!(stdin, "WHERE key = {i};").expect("write");
        stdin.flush().expect("flush");
        let answer = lines.next().and_then(Result::ok).expect("answer");
        let v: serde_json::Value = serde_json::from_str(&answer).expect("json");
        assert_eq!(v["rows"][0]["value"], format!("v{i}"));
    }
    writeln!(stdin, ".quit").expect("write");
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

#[test]
fn help_lists_every_command() {
    let home = temp();
    let o = alexdb_with_input(
        &["--temp", "-c", ".help; .help scan; .help nothing"],
        None,
        home.path(),
    );
    let text = out(&o);
    for name in [
        "get K",
        "put K VALUE",
        "scan A B [limit N]",
        "SELECT",
        ".mode table|csv|json|line",
        ".open PATH",
        ".quit",
    ] {
        assert!(text.contains(name), "help lacks {name}:\n{text}");
    }
    assert!(
        text.contains("scan A B [limit N]\n  rows with A <= key <= B"),
        "{text}"
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no help for \"nothing\""));
}

#[test]
fn runtime_options_through_the_shell() {
    let home = temp();
    let dir = temp();
    let profile = dir.path().join("tuned.toml");
    let exported = dir.path().join("OPTIONS.ini");
    let cmds = format!(
        "put 1 a; put 2 b; .set block_cache_size 48MiB; .set compaction_style universal; \
         .set compaction_style universal; .profile save {p}; .reset all; .set compression zstd; \
         .profile load {p}; .options export {o}; .flush; .compact; .compact 1 2; .reopen; \
         count; .set nope 1; .set bloom_bits_per_key 101; .mode csv; .show options",
        p = profile.display(),
        o = exported.display()
    );
    let o = alexdb_with_input(&["--temp", "-c", &cmds], None, home.path());
    assert_eq!(o.status.code(), Some(1), "two commands fail");
    let text = out(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2], "block_cache_size: 64MiB -> 48MiB (applied live)");
    assert!(
        lines[3].starts_with("compaction_style: level -> universal (reopened in ")
            && lines[3].ends_with(" s, ALEX kept in memory)"),
        "{text}"
    );
    assert_eq!(lines[4], "compaction_style is already universal");
    // Every option is saved (the count follows the options table).
    assert_eq!(
        lines[5],
        format!(
            "saved {} options to {}",
            engine::DbOptions::NAMES.len(),
            profile.display()
        )
    );
    // .reset all: block cache back live, compaction style back with a reopen.
    assert_eq!(lines[6], "block_cache_size: 48MiB -> 64MiB (applied live)");
    assert!(
        lines[7].starts_with("compaction_style: universal -> level (reopened"),
        "{text}"
    );
    assert_eq!(lines[8], "compression: lz4 -> zstd (applied live)");
    // The profile puts back exactly what it saved.
    assert_eq!(lines[9], "block_cache_size: 64MiB -> 48MiB (applied live)");
    assert_eq!(lines[10], "compression: zstd -> lz4 (applied live)");
    assert!(
        lines[11].starts_with("compaction_style: level -> universal (reopened"),
        "{text}"
    );
    assert!(lines[12].starts_with(&format!("wrote {} (RocksDB's ", exported.display())));
    assert!(lines[13].starts_with("flushed in "), "{text}");
    assert!(lines[14].starts_with("compacted in ") && lines[15].starts_with("compacted in "));
    assert!(
        lines[16].starts_with("reopened in ") && lines[16].contains("(2 keys"),
        "{text}"
    );
    assert!(text.contains("|     2 |"), "count after everything: {text}");
    // .show options in csv: a header and one row per option, changes marked.
    let csv_start = text
        .find("name,value,default,kind,changed")
        .expect("csv header");
    let rows: Vec<&str> = text[csv_start..].lines().skip(1).collect();
    assert_eq!(rows.len(), engine::DbOptions::NAMES.len(), "{text}");
    assert!(
        rows.contains(&"block_cache_size,48MiB,64MiB,live,*"),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"compaction_style,universal,level,reopen,*"),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"bloom_bits_per_key,10,10,new files,"),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"value_cache_shards,16,16,at open,"),
        "{rows:?}"
    );
    let e = err(&o);
    assert_eq!(e.lines().count(), 2, "{e}");
    assert!(e.contains("unknown option \"nope\""), "{e}");
    assert!(e.contains("must be between 0 (off) and 100"), "{e}");
    let saved = std::fs::read_to_string(&profile).expect("profile");
    assert!(saved.contains("[options]") && saved.contains("compaction_style = \"universal\""));
    let opts = std::fs::read_to_string(&exported).expect("exported");
    assert!(
        opts.contains("compaction_style=kCompactionStyleUniversal"),
        "{opts}"
    );
}

#[test]
fn a_bad_profile_changes_nothing() {
    let home = temp();
    let dir = temp();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[options]\nblock_cache_size = \"1GiB\"\ncompaction_style = \"tiered\"\n",
    )
    .expect("write");
    let cmds = format!(".profile load {}; .mode csv; .show options", bad.display());
    let o = alexdb_with_input(&["--temp", "-c", &cmds], None, home.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("nothing changed"), "{}", err(&o));
    assert!(
        out(&o).contains("block_cache_size,64MiB,64MiB,live,\n"),
        "{}",
        out(&o)
    );
}

#[test]
fn load_bench_and_ycsb_in_the_shell() {
    let home = temp();
    let dir = temp();
    let csv = dir.path().join("people.csv");
    std::fs::write(&csv, "id,name\n7,\"Doe, Jane\"\n,nobody\n8,Bob\n").expect("write");
    let cmds = format!(
        ".load sequential 5000 --start 100; .load csv {} --key id --value name; count; get 7; \
         .ycsb c --ops 3000; .bench profile --queries 2000; .jobs; \
         .load csv {}/missing.csv --key id; .load sosd; .ycsb q; \
         .open {}/tiny; put 1 a; .ycsb c; count",
        csv.display(),
        dir.path().display(),
        dir.path().display()
    );
    let o = alexdb_with_input(&["--temp", "--json", "-c", &cmds], None, home.path());
    assert_eq!(o.status.code(), Some(1), "four commands fail");
    let objs: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(objs.len(), 14, "{}", out(&o));
    assert_eq!(objs[0]["report"]["rows"], 5000);
    assert_eq!(objs[0]["report"]["new_keys"], 5000);
    assert_eq!(objs[1]["report"]["rows"], 2);
    assert_eq!(objs[1]["report"]["skipped"], 1);
    assert_eq!(objs[2]["rows"][0]["count"], 5002);
    assert_eq!(objs[3]["rows"][0]["value"], "Doe, Jane");
    let y = &objs[4]["report"];
    assert_eq!(y["bench"], "ycsb");
    assert_eq!(
        y["records"], 5002,
        "YCSB runs on the keys the database holds"
    );
    assert_eq!(y["results"][0]["ops"], 3000);
    assert_eq!(
        y["results"][0]["found"], 3000,
        "every read finds a loaded key"
    );
    let p = &objs[5]["report"];
    assert_eq!(p["bench"], "profile");
    assert_eq!(p["queries"], 2000);
    let jobs = objs[6]["rows"].as_array().expect("jobs table");
    // Each load started a quiet "warm value cache" job (issue 28): listed, not printed.
    assert_eq!(jobs.len(), 6, "{jobs:?}");
    let is_warm = |j: &&serde_json::Value| {
        j["command"]
            .as_str()
            .unwrap_or("")
            .starts_with("warm value cache")
    };
    assert_eq!(jobs.iter().filter(is_warm).count(), 2, "{jobs:?}");
    // The warm-ups are done, or were stopped by the .ycsb (a measurement stops them).
    assert!(
        jobs.iter()
            .all(|j| j["state"] == "done" || (is_warm(&j) && j["state"] == "cancelled")),
        "{jobs:?}"
    );
    // `.ycsb q` names the workload argument as a user knows it (issue 30).
    let q = objs[9]["error"].as_str().unwrap_or("");
    assert!(q.contains("WORKLOAD") && !q.contains("WORKLOAD_POS"), "{q}");
    let tiny = objs[12]["error"].as_str().unwrap_or("");
    assert!(
        tiny.contains("at least 1000 keys") && tiny.contains("holds 1"),
        "{tiny}"
    );
    assert_eq!(
        objs[13]["rows"][0]["count"], 1,
        "the refused .ycsb changed nothing"
    );
    for (i, want) in [(7, "no such file"), (8, ".load"), (9, ".ycsb")] {
        assert_eq!(objs[i]["ok"], false);
        assert!(
            objs[i]["error"].as_str().unwrap_or("").contains(want),
            "{}",
            objs[i]
        );
    }
}

#[test]
fn background_jobs_are_listed_and_cancelled() {
    let home = temp();
    let (mut child, mut stdin, mut lines) = spawn_piped(&["--temp"], home.path());
    writeln!(stdin, ".load random 20000\n.ycsb b --duration 60s &").expect("write");
    stdin.flush().expect("flush");
    let first = lines.next().and_then(Result::ok).expect("load answer");
    assert!(first.starts_with("loaded 20000 rows"), "{first}");
    let started = lines.next().and_then(Result::ok).expect("job answer");
    // Job 2 is the load's value-cache warm-up (issue 28).
    assert_eq!(started, "[3] started: .ycsb b for 60 s");
    // Let the warm-up finish so the run has measured something.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    writeln!(stdin, ".jobs\n.cancel\n.cancel 99").expect("write");
    drop(stdin);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let text = rest.join("\n");
    assert!(
        child.wait().expect("wait").code() == Some(1),
        ".cancel 99 fails"
    );
    // (Padded: the warm-up the .ycsb stopped is listed as cancelled.)
    assert!(text.contains("| running "), "{text}");
    assert!(text.contains("[3] cancelling"), "{text}");
    // The cancelled run still reports what it measured.
    assert!(
        text.contains("cancelled; results up to the cancel"),
        "{text}"
    );
    assert!(text.contains("ycsb workload b"), "{text}");
    let mut e = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut e).expect("read");
    assert!(e.contains("job 99 is not running"), "{e}");
}

#[test]
fn ctrl_c_cancels_a_foreground_load_and_keeps_what_was_loaded() {
    let home = temp();
    let (mut child, mut stdin, mut lines) = spawn_piped(&["--temp", "--json"], home.path());
    writeln!(stdin, ".load sequential 50000000 --value-size 10").expect("write");
    stdin.flush().expect("flush");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SIGINT, as Ctrl-C sends.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let answer: serde_json::Value =
        serde_json::from_str(&lines.next().and_then(Result::ok).expect("answer")).expect("json");
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["report"]["cancelled"], true, "{answer}");
    let loaded = answer["report"]["rows"].as_u64().expect("rows");
    assert!(loaded > 0 && loaded < 50_000_000, "{loaded}");
    assert!(answer["message"].as_str().unwrap_or("").contains("kept"));
    // The shell goes on, and the rows read before the cancel are there.
    writeln!(stdin, "count").expect("write");
    drop(stdin);
    let count: serde_json::Value =
        serde_json::from_str(&lines.next().and_then(Result::ok).expect("count")).expect("json");
    assert_eq!(count["rows"][0]["count"].as_u64(), Some(loaded));
    assert!(child.wait().expect("wait").success());
}

/// The line shell waits for a `.set` that runs as a job (here RocksDB refuses the
/// new-files option live, so it reopens) and prints its result, not "started".
#[test]
fn set_that_reopens_prints_its_result() {
    let dir = temp();
    let mut exec = command::Executor::open(&dir.path().join("db"), engine::DbOptions::default())
        .expect("open");
    exec.set_waiter(Box::new(alexdb::shell::wait_with_progress));
    exec.db().fail_next_live_set();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut printer = alexdb::shell::Printer::new(&mut out, &mut err, false, false);
    let s = alexdb::shell::run_commands(
        &mut exec,
        "put 1 a; .set block_size 8KiB; get 1",
        &mut printer,
    );
    assert_eq!(s.failed, 0, "{}", String::from_utf8_lossy(&err));
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("block_size: 16KiB -> 8KiB (reopened in"),
        "{text}"
    );
    assert!(text.contains("RocksDB refused it live"), "{text}");
    assert!(!text.contains("started"), "{text}");
    assert!(text.contains("|   1 | a     |"), "{text}");
}

/// Issue 12, bug 8: `.set` and `.profile load` check cache sizes against the machine's
/// memory (set to 8 GiB here through ALEXDB_MACHINE_MEMORY): a warning past it, a refusal
/// past 4x, and a refused change leaves the value as it was.
#[test]
fn cache_sizes_past_the_machine_memory_warn_or_are_refused() {
    let dir = temp();
    let profile = dir.path().join("huge.toml");
    std::fs::write(&profile, "[options]\nblock_cache_size = \"1TiB\"\n").expect("write");
    let script = format!(
        ".set block_cache_size 16GiB; .set block_cache_size 1TB; .profile load {}; \
         .mode csv; .show options",
        profile.display()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--temp", "-c", &script])
        .env("XDG_DATA_HOME", dir.path())
        .env("ALEXDB_MACHINE_MEMORY", "8GiB")
        .output()
        .expect("alexdb runs");
    let (stdout, stderr) = (out(&o), err(&o));
    assert!(
        stdout.contains("block_cache_size: 64MiB -> 16GiB (applied live; warning: caches may take"),
        "{stdout}"
    );
    assert!(
        stdout.contains("more than this machine's 8.0 GiB"),
        "{stdout}"
    );
    let refusals: Vec<&str> = stderr.lines().filter(|l| l.contains("over 4x")).collect();
    assert_eq!(refusals.len(), 2, "{stderr}");
    assert!(
        refusals.iter().all(|l| l.contains("nothing changed")),
        "{stderr}"
    );
    assert!(
        stdout.contains("block_cache_size,16GiB,64MiB,live,*"),
        "{stdout}"
    );
}

/// Issue 12, bug 6: `.jobs` keeps each finished job's headline figures, and `.jobs N`
/// shows job N's full report again (text, or the same JSON under `--json`).
#[test]
fn jobs_keep_their_results() {
    let dir = temp();
    let script = ".load sequential 20000; .ycsb c --records 5000 --ops 2000; \
                  .bench vs-sqlite --rows 2000 --queries 500; .compact; .mode csv; .jobs";
    let o = alexdb_with_input(&["--temp", "-c", script], None, dir.path());
    let text = out(&o);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        text.contains("job,state,progress,elapsed,command,result"),
        "{text}"
    );
    let row = |n: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{n},done,")))
            .unwrap_or_else(|| panic!("no row for job {n}:\n{text}"))
            .to_string()
    };
    assert!(row("1").ends_with(" rows/s\""), "{}", row("1"));
    // Job 2 is the load's value-cache warm-up (issue 28), done or stopped by the .ycsb.
    assert!(
        text.lines()
            .any(|l| l.starts_with("2,") && l.contains("warm value cache")),
        "{text}"
    );
    assert!(
        row("3").contains(" ops/s, read p99 ") && row("3").contains(" µs"),
        "{}",
        row("3")
    );
    assert!(row("4").contains("vs SQLite: queries x"), "{}", row("4"));
    assert!(row("5").contains("compacted in "), "{}", row("5"));

    // `.jobs N` repeats the report: the load's line, and the YCSB table.
    let script = ".load sequential 3000; .ycsb c --records 2000 --ops 500; .jobs 1; .jobs 3; \
                  .jobs 7; .jobs x";
    let o = alexdb_with_input(&["--temp", "-c", script], None, dir.path());
    let text = out(&o);
    assert_eq!(
        text.matches("loaded 3000 rows (3000 new keys)").count(),
        2,
        "{text}"
    );
    assert_eq!(
        text.matches("ycsb workload c (100% reads)").count(),
        2,
        "{text}"
    );
    let e = err(&o);
    assert!(e.contains("no job 7 (.jobs lists them)"), "{e}");
    assert!(e.contains("\"x\" is not a job number"), "{e}");

    let o = alexdb_with_input(
        &["--temp", "--json", "-c", ".load sequential 3000; .jobs 1"],
        None,
        dir.path(),
    );
    let lines: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[1]["command"], ".jobs 1");
    assert_eq!(lines[1]["report"], lines[0]["report"]);
    assert_eq!(lines[1]["report"]["rows"], 3000);
}

/// Issue 27 item 8: the end of a script (`-c`, piped stdin) with a background `.load &`
/// still running waits for it, saying so, rather than cancel it; the rows are there.
#[test]
fn end_of_input_waits_for_background_jobs() {
    let home = temp();
    for (i, (args, stdin)) in [
        (vec!["-c", ".load sequential 300000 &"], None),
        (vec![], Some(".load sequential 300000 &\n")),
    ]
    .into_iter()
    .enumerate()
    {
        let db = home.path().join(format!("db{i}"));
        let mut all = vec!["--db", db.to_str().expect("utf8")];
        all.extend(args);
        let o = alexdb_with_input(&all, stdin, home.path());
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert!(
            err(&o).contains(
                "end of input: waiting for 1 running job(s) to finish (Ctrl-C cancels them)"
            ),
            "{}",
            err(&o)
        );
        let rest = err(&o).replace("Ctrl-C cancels them", "");
        assert!(!rest.contains("cancel"), "{rest}");
        assert!(
            out(&o).contains("loaded 300000 rows (300000 new keys)"),
            "{}",
            out(&o)
        );
        let o = alexdb_with_input(
            &["--db", db.to_str().expect("utf8"), "-c", "count"],
            None,
            home.path(),
        );
        assert!(out(&o).contains("300000"), "{}", out(&o));
    }
}

/// Ctrl-C while the end of input waits cancels the jobs (what they did is kept) and
/// the run exits non-zero.
#[test]
fn ctrl_c_at_the_end_of_input_cancels_and_exits_non_zero() {
    let home = temp();
    let db = home.path().join("db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--db", db.to_str().expect("utf8")])
        .args(["-c", ".load sequential 500000000 &"])
        .env("XDG_DATA_HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the alexdb binary runs");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("end of input: waiting") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).expect("stderr") > 0,
            "no waiting line"
        );
    }
    // SAFETY: a plain kill(2) of our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    let o = child.wait_with_output().expect("alexdb finishes");
    assert_eq!(o.status.code(), Some(1), "{rest}");
    assert!(rest.contains("cancelling"), "{rest}");
    assert!(out(&o).contains("cancelled: loaded"), "{}", out(&o));
}

/// The README's "A ten-command tour", each command as written there (sizes scaled down:
/// 20,000 keys, a 2 s workload).
fn tour_commands() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let tour = readme
        .split("## A ten-command tour")
        .nth(1)
        .expect("the README has the tour");
    let block = tour.split("```\n").nth(1).expect("the tour's commands");
    block
        .lines()
        .map(|l| {
            let cmd = l.split("   ").next().unwrap_or_default().trim();
            cmd.replace("1000000", "20000").replace("60s", "2s")
        })
        .collect()
}

#[test]
fn the_readme_tour_works_in_the_line_shell() {
    let home = temp();
    let cmds = tour_commands();
    assert_eq!(cmds.len(), 10, "{cmds:?}");
    let script = cmds.join("; ");
    let cwd = temp();
    let o = Command::new(env!("CARGO_BIN_EXE_alexdb"))
        .args(["--temp", "--plain", "--json", "-c", &script])
        .env("XDG_DATA_HOME", home.path())
        .current_dir(cwd.path())
        .stdin(Stdio::null())
        .output()
        .expect("alexdb runs");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let answers: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let answer = |cmd: &str| -> &serde_json::Value {
        answers
            .iter()
            .find(|a| a["command"] == cmd.trim_end_matches(';'))
            .unwrap_or_else(|| panic!("no answer to {cmd}: {answers:?}"))
    };
    for c in &cmds {
        assert_eq!(answer(c)["ok"], true, "{c}: {}", answer(c));
    }
    let msg = |i: usize| {
        answer(&cmds[i])["message"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(msg(0).starts_with("loaded 20000 rows"), "{}", msg(0));
    // 2. The key looked up exists (a NULL here was the tour tripping).
    let got = &answer(&cmds[1])["rows"][0];
    assert_eq!(got["key"], 42, "{got}");
    assert!(got["value"].is_string(), "{got}");
    assert_eq!(answer(&cmds[2])["rows"][0]["COUNT(*)"], 20000);
    assert!(msg(3).starts_with("started: .ycsb c"), "{}", msg(3));
    assert!(
        msg(4).contains("value_cache_size: 1GiB -> 8MiB"),
        "{}",
        msg(4)
    );
    assert!(msg(5).contains("-> time_except_mutex"), "{}", msg(5));
    assert!(msg(6).contains("level -> universal"), "{}", msg(6));
    assert!(
        answer(&cmds[7])["rows"].to_string().contains("universal"),
        "{}",
        answer(&cmds[7])
    );
    // 9. Works outside the dashboard, and the CSV holds the markers it counts.
    assert!(msg(8).contains("and 3 markers to run.csv"), "{}", msg(8));
    let csv = std::fs::read_to_string(cwd.path().join("run.csv")).expect("run.csv");
    for m in [
        "value_cache_size=8MiB",
        "perf_level=time_except_mutex",
        "compaction_style=universal",
    ] {
        assert!(csv.contains(m), "{m} not in the CSV:\n{csv}");
    }
    assert!(
        answer(&cmds[9]).to_string().contains("speedup"),
        "{}",
        answer(&cmds[9])
    );
}
