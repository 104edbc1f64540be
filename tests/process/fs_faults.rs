//! Issue 15, item 3: faults from the filesystem, through the real `alexdb` binary with
//! piped stdin and `--json` (one answer line per command, so a write is acknowledged
//! exactly when its answer was read). A full disk during puts, a `.load` and a `.flush`;
//! the database directory made read-only while open; the directory deleted while open.
//! Each failed command must be one error line on stderr, the shell keeps going, nothing
//! acknowledged is lost. Disk-full cases mount a small tmpfs (root); where that cannot be
//! done they print `skipped: <reason>` and pass.
use crate::support::noise;
use crate::support::tmpfs::zeros;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::Value;

use crate::support::tmpfs::Tmpfs;

/// Bytes free on the file system holding `dir` (from `df`).
fn free_bytes(dir: &Path) -> u64 {
    let o = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .expect("df runs");
    let text = String::from_utf8_lossy(&o.stdout);
    text.lines()
        .nth(1)
        .expect("df line")
        .trim()
        .parse()
        .expect("a number")
}

/// A file of zeros leaving about `leave` bytes free (0: as large as it can be).
fn filler(dir: &Path, name: &str, leave: u64) -> PathBuf {
    let max = match leave {
        0 => u64::MAX,
        _ => free_bytes(dir).saturating_sub(leave),
    };
    zeros(dir, name, max)
}

/// A running `alexdb --json` fed line by line.
struct Shell {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<String>,
    errors: Receiver<String>,
    /// The error of every command that failed, in order.
    failed: Vec<String>,
}

impl Shell {
    fn start(db: &Path) -> Shell {
        Shell::spawn(Command::new(env!("CARGO_BIN_EXE_alexdb")), db)
    }

    fn spawn(mut c: Command, db: &Path) -> Shell {
        c.arg("--db")
            .arg(db)
            .arg("--json")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("the alexdb binary runs");
        Shell {
            stdin: child.stdin.take(),
            answers: lines(child.stdout.take().expect("stdout")),
            errors: lines(child.stderr.take().expect("stderr")),
            child,
            failed: Vec::new(),
        }
    }

    /// Runs one command; its one JSON answer (a hang fails the test).
    fn cmd(&mut self, line: &str) -> Value {
        let input = self.stdin.as_mut().expect("stdin open");
        writeln!(input, "{line}").expect("write stdin");
        input.flush().expect("flush stdin");
        let answer = self
            .answers
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("{line}: no answer within 120 s (hung or exited)"));
        let v: Value = serde_json::from_str(&answer).expect("a JSON answer");
        assert_eq!(
            v["command"],
            line.trim_end_matches(';'),
            "answers out of step"
        );
        if v["ok"] == false {
            self.failed
                .push(v["error"].as_str().expect("error text").to_string());
        }
        v
    }

    fn ok(&mut self, line: &str) -> Value {
        let v = self.cmd(line);
        assert_eq!(v["ok"], true, "{line}: {v}");
        v
    }

    /// Runs a command that must fail; its error text.
    fn fails(&mut self, line: &str) -> String {
        let v = self.cmd(line);
        assert_eq!(v["ok"], false, "{line} must fail: {v}");
        assert!(v.get("message").is_none(), "{line}: a false success: {v}");
        v["error"].as_str().expect("error").to_string()
    }

    fn count(&mut self) -> u64 {
        self.ok("count")["rows"][0]["count"]
            .as_u64()
            .expect("count")
    }

    /// Ends the input; checks the exit and that stderr is exactly one line per failed
    /// command (the same text), with no panic.
    fn finish(mut self) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("alexdb exits");
        let err: Vec<String> = self.errors.iter().collect();
        let want: Vec<String> = self.failed.iter().map(|e| format!("error: {e}")).collect();
        assert_eq!(err, want, "one error line per failed command");
        let code = if self.failed.is_empty() { 0 } else { 1 };
        assert_eq!(status.code(), Some(code), "{err:?}");
    }
}

/// Every line `r` gives, on a channel (so a read can time out).
fn lines(r: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// 200 letters that hardly compress, different for every key.
fn value(k: i64) -> String {
    noise(k).map(|x| (b'a' + (x % 26) as u8) as char).collect()
}

/// What the shell acknowledged: key -> value.
type Model = BTreeMap<i64, String>;

fn put(sh: &mut Shell, model: &mut Model, k: i64) {
    sh.ok(&format!("put {k} {}", value(k)));
    model.insert(k, value(k));
}

/// Every acknowledged row reads back, the count matches and `.check` passes.
fn verify(sh: &mut Shell, model: &Model) {
    let rows = sh.ok("select * from kv;");
    let got: Model = rows["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let k = r["key"].as_i64().expect("key");
            (k, r["value"].as_str().expect("text value").to_string())
        })
        .collect();
    assert_eq!(got.len(), model.len(), "rows in the database");
    assert!(got == *model, "a value differs from what was acknowledged");
    assert_eq!(sh.count(), model.len() as u64);
    assert_eq!(sh.ok(".check")["report"]["ok"], true);
}

/// Puts new keys from `next` until one fails; returns its error.
fn put_until_full(sh: &mut Shell, model: &mut Model, next: &mut i64) -> String {
    loop {
        assert!(*next < 200_000, "the disk never filled up");
        let line = format!("put {next} {}", value(*next));
        let v = sh.cmd(&line);
        if v["ok"] == false {
            return v["error"].as_str().expect("error").to_string();
        }
        model.insert(*next, value(*next));
        *next += 1;
    }
}

/// Disk full (a) during puts, (b) during a `.load`, (c) during a `.flush`, in one shell
/// session; after each, space is freed and the database goes on.
#[test]
fn a_full_disk_during_puts_a_load_and_a_flush() {
    let Some(fs) = Tmpfs::mount("8m") else {
        return;
    };
    let db = fs.dir.join("db");
    let mut sh = Shell::start(&db);
    let mut model = Model::new();
    let mut next = 0;
    for _ in 0..100 {
        put(&mut sh, &mut model, next);
        next += 1;
    }

    // (a) puts until the disk is full: one error line saying what to do.
    let spare = filler(&fs.dir, "spare", 512 << 10);
    let err = put_until_full(&mut sh, &mut model, &mut next);
    assert!(err.contains("No space left on device"), "{err}");
    assert!(
        err.contains("free space on its disk, then run .reopen"),
        "{err}"
    );
    assert_eq!(sh.ok("get 0")["rows"][0]["value"], value(0));
    assert_eq!(sh.count(), model.len() as u64);
    // RocksDB stopped writes: a flush fails too, and says so, until space is freed.
    let err = sh.fails(".flush");
    assert!(err.contains("No space left on device"), "{err}");
    let err = sh.fails(".reopen");
    assert!(err.contains("cannot reopen yet"), "{err}");
    assert!(
        err.contains("KiB the reopen must write"),
        "a size with a unit: {err}"
    );
    std::fs::remove_file(&spare).expect("free space");
    sh.ok(".reopen");
    put(&mut sh, &mut model, next);
    next += 1;
    verify(&mut sh, &model);

    // (b) a load with no room for its files: it adds nothing, and writes go on.
    let spare = filler(&fs.dir, "spare", 1 << 20);
    let err = sh.fails(".load sequential 200000 --start 1000000 --value-size 100");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("free space on its disk, then retry"), "{err}");
    assert!(
        !err.contains("writes stay stopped"),
        "writes did not stop: {err}"
    );
    put(&mut sh, &mut model, next);
    next += 1;
    assert_eq!(
        sh.count(),
        model.len() as u64,
        "the failed load added no rows"
    );
    std::fs::remove_file(&spare).expect("free space");

    // (c) rows in the memtable, then no room for the flush's table file.
    for _ in 0..50 {
        put(&mut sh, &mut model, next);
        next += 1;
    }
    let spare = filler(&fs.dir, "spare", 0);
    let err = sh.fails(".flush");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(
        sh.ok(&format!("get {}", next - 1))["rows"][0]["value"],
        value(next - 1)
    );
    std::fs::remove_file(&spare).expect("free space");
    sh.ok(".reopen");
    put(&mut sh, &mut model, next);
    sh.ok(".flush");
    verify(&mut sh, &model);
    sh.finish();

    // Every acknowledged write survives a new process too.
    let mut sh = Shell::start(&db);
    verify(&mut sh, &model);
    sh.finish();
}

/// Runs `alexdb` as `nobody` (root ignores permission bits), or says why it cannot.
fn as_nobody() -> Option<Command> {
    let probe = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status();
    if !matches!(probe, Ok(s) if s.success()) {
        eprintln!("skipped: cannot run a process as nobody with setpriv: {probe:?}");
        return None;
    }
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_alexdb"));
    Some(c)
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// The database directory made read-only while open. `mount -o remount,ro` is refused
/// (EBUSY) while RocksDB holds its log files open for writing, so the directory's mode
/// is changed under a process that is not root.
#[test]
fn a_directory_made_read_only_while_open() {
    let Some(fs) = Tmpfs::mount("16m") else {
        return;
    };
    let Some(nobody) = as_nobody() else {
        return;
    };
    let db = fs.dir.join("db");
    std::fs::create_dir(&db).expect("mkdir");
    let o = Command::new("chown").arg("65534:65534").arg(&db).status();
    assert!(matches!(o, Ok(s) if s.success()), "chown: {o:?}");
    let mut sh = Shell::spawn(nobody, &db);
    let mut model = Model::new();
    for k in 0..100 {
        put(&mut sh, &mut model, k);
    }
    sh.ok(".flush");
    put(&mut sh, &mut model, 100);

    chmod(&db, 0o555);
    // A flush needs new files: one error line; reads keep working.
    let err = sh.fails(".flush");
    assert!(err.contains("Permission denied"), "{err}");
    assert!(err.contains("then run .reopen"), "{err}");
    assert_eq!(sh.ok("get 100")["rows"][0]["value"], value(100));
    assert_eq!(sh.ok("get 5")["rows"][0]["value"], value(5));
    assert_eq!(sh.count(), model.len() as u64);
    let err = sh.fails(&format!("put 101 {}", value(101)));
    assert!(err.contains("Permission denied"), "{err}");
    let err = sh.fails(".load sequential 1000 --start 5000");
    assert!(err.contains("Permission denied"), "{err}");
    // The disk has room: the reopen must not say it has none.
    let err = sh.fails(".reopen");
    assert!(err.contains("cannot reopen yet"), "{err}");
    assert!(!err.contains("no room"), "{err}");
    assert!(err.contains("fix the cause, then retry"), "{err}");

    chmod(&db, 0o755);
    sh.ok(".reopen");
    put(&mut sh, &mut model, 101);
    verify(&mut sh, &model);
    sh.finish();
}

/// The database directory deleted while open: the next command says the database is
/// gone (even one RocksDB would still have taken, into deleted files), every later one
/// says it is closed, the shell keeps going and `.open` works; nothing is created at the
/// old path.
#[test]
fn a_directory_deleted_while_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut sh = Shell::start(&db);
    let mut model = Model::new();
    for k in 0..50 {
        put(&mut sh, &mut model, k);
    }
    sh.ok(".flush");
    put(&mut sh, &mut model, 50);
    std::fs::remove_dir_all(&db).expect("rm -r");

    let err = sh.fails(&format!("put 51 {}", value(51)));
    let gone = "the database is closed: the database directory was deleted or replaced while open";
    assert!(err.starts_with(gone), "{err}");
    assert!(err.ends_with("open it again with .open"), "{err}");
    for line in ["get 1", "count", "exists 1", ".flush", ".check", ".reopen"] {
        let err = sh.fails(line);
        assert!(err.starts_with(gone), "{line}: {err}");
    }
    sh.ok(".show options");
    assert!(!db.exists(), "a database was created at the old path");

    let other = dir.path().join("other");
    sh.ok(&format!(".open {}", other.display()));
    sh.ok("put 7 g");
    assert_eq!(sh.count(), 1);
    sh.finish();
    assert!(
        !db.exists(),
        "a database was created at the old path at exit"
    );
}
