//! Issue 17, bugs 4 and 7, through the real `alexdb` binary: a result that cannot be
//! written (stdout to `/dev/full`, `.output` onto a full disk) is one error line and exit
//! status 1 with the rest of the script not run; a pipe closed early ends the run
//! quietly; a line that is not UTF-8 is one error naming its line and the rest runs.
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn alexdb() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_alexdb"));
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs `alexdb args` with `stdin` as its input and waits.
fn run(args: &[&str], stdin: &[u8], stdout: Option<Stdio>) -> Output {
    let mut c = alexdb();
    c.args(args);
    if let Some(s) = stdout {
        c.stdout(s);
    }
    let mut child = c.spawn().expect("the alexdb binary runs");
    {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(stdin).expect("write stdin");
    }
    child.wait_with_output().expect("alexdb finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn count(db: &Path) -> String {
    let o = run(
        &["--db", db.to_str().expect("utf8"), "-c", "count"],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
}

use crate::support::tmpfs::Tmpfs;

#[test]
fn stdout_to_dev_full_is_one_error_and_exit_1_and_the_rest_does_not_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let dbs = db.to_str().expect("utf8");
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let o = run(
        &["--db", dbs, "-c", "put 1 a; get 1; put 2 b"],
        b"",
        Some(Stdio::from(full)),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(
        err,
        "error: cannot write results to stdout: No space left on device (os error 28)\n"
    );
    // The first put ran (its confirmation was the failed write); nothing after it did.
    assert!(count(&db).contains("|     1 |"), "{}", count(&db));
}

#[test]
fn piped_script_to_dev_full_stops_too() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let o = run(
        &["--temp", "--json"],
        b"put 1 a\nput 2 b\nput 3 c\n",
        Some(Stdio::from(full)),
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot write results to stdout"),
        "{err}"
    );
}

#[test]
fn output_file_on_a_full_disk_is_one_error_and_exit_1() {
    let Some(fs) = Tmpfs::mount("4m") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let out = fs.dir.join("rows.csv");
    let script = format!(
        ".load sequential 100000\n.mode csv\n.output {}\nselect * from kv;\n.output stdout\nput 200001 after\n",
        out.display()
    );
    let o = run(
        &["--db", db.to_str().expect("utf8")],
        script.as_bytes(),
        None,
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        err,
        format!(
            "error: cannot write results to {}: No space left on device (os error 28)\n",
            out.display()
        )
    );
    // The script stopped at the failed write: the put after it never ran.
    assert!(count(&db).contains("| 100000 |"), "{}", count(&db));
}

#[test]
fn a_pipe_closed_early_ends_the_run_quietly() {
    let mut child = alexdb()
        .args(["--temp", "-c", ".load sequential 100000; select * from kv;"])
        .spawn()
        .expect("the alexdb binary runs");
    drop(child.stdin.take());
    // Read the first line, then close the pipe, as `| head -1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("alexdb finishes");
    assert_eq!(err, "", "no error text for a closed pipe");
    assert_eq!(
        status.code(),
        Some(141),
        "128 + SIGPIPE, as a shell reports it"
    );
}

#[test]
fn a_line_that_is_not_utf8_is_one_error_and_the_rest_runs() {
    let o = run(&["--temp"], b"put 1 a\nput 2 \xff\nput 3 c\ncount\n", None);
    let err = text(&o.stderr);
    assert_eq!(err, "error: line 2 is not UTF-8 text; skipped\n");
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert_eq!(out.matches("OK (new key)").count(), 2, "{out}");
    assert!(out.contains("|     2 |"), "{out}");
}

#[test]
fn with_bail_a_line_that_is_not_utf8_stops_the_script() {
    let o = run(
        &["--temp", "--bail"],
        b"put 1 a\nput 2 \xff\nput 3 c\ncount\n",
        None,
    );
    assert_eq!(
        text(&o.stderr),
        "error: line 2 is not UTF-8 text; skipped\n"
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "OK (new key)\n");
}

#[test]
fn read_of_a_file_with_a_line_that_is_not_utf8_runs_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("script.txt");
    std::fs::write(&file, b"put 1 a\nput 2 \xff\nput 3 c\n").expect("write");
    let f = file.to_str().expect("utf8");
    let o = run(&["--temp", "-c", &format!(".read {f}; count")], b"", None);
    assert_eq!(
        text(&o.stderr),
        format!("error: {f} line 2 is not UTF-8 text; skipped\n")
    );
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert_eq!(out.matches("OK (new key)").count(), 2, "{out}");
    assert!(out.contains("|     2 |"), "{out}");

    let o = run(
        &["--temp", "--bail", "-c", &format!(".read {f}; count")],
        b"",
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(text(&o.stdout), "OK (new key)\n", "--bail stops at line 2");
}

/// Issue 27 item 5: `.load csv` of a file without line ends (`/dev/zero`, a sparse
/// 300 MB file after a good row) is one error line naming the header or row and the
/// 16 MiB limit, the run exits 1 and the database keeps what it had.
#[test]
fn load_csv_of_a_file_without_line_ends_is_one_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let dbs = db.to_str().expect("utf8");
    let sparse = dir.path().join("zeros.csv");
    std::fs::write(&sparse, "key,value\n1,a\n").expect("write");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&sparse)
        .expect("open")
        .set_len(300 << 20)
        .expect("a sparse 300 MB file");
    let o = run(&["--db", dbs, "-c", "put 9 before"], b"", None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for (file, place) in [
        ("/dev/zero".to_string(), "header (line 1)"),
        (sparse.display().to_string(), "row 2 (line 3)"),
    ] {
        if !Path::new(&file).exists() {
            continue;
        }
        let cmd = format!(".load csv {file} --key key");
        let o = run(&["--db", dbs, "-c", &cmd], b"", None);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(place), "{err}");
        assert!(err.contains("the value limit is 16777216 bytes"), "{err}");
    }
    let c = count(&db);
    assert!(c.contains("|     1 |"), "{c}");
}

/// A sparse file of `len` bytes of zeros (no newline), after `head`, then `tail`.
fn zeros_between(path: &Path, head: &[u8], len: u64, tail: &[u8]) {
    let mut f = std::fs::File::create(path).expect("create");
    f.write_all(head).expect("write");
    f.set_len(head.len() as u64 + len).expect("a sparse file");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open");
    f.write_all(tail).expect("write");
}

/// Issue 27 item 5: `.read` of `/dev/zero` or of a file over its 256 MiB limit is one
/// error line, read in bounded memory (it read the whole file first), and the rest of
/// the commands run.
#[test]
fn read_of_an_endless_or_huge_file_is_one_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.txt");
    zeros_between(&big, b"put 1 a\n", 300 << 20, b"\nput 2 b\n");
    for f in ["/dev/zero", big.to_str().expect("utf8")] {
        if !Path::new(f).exists() {
            continue;
        }
        let o = run(
            &["--temp", "-c", &format!(".read {f}; put 3 c; count")],
            b"",
            None,
        );
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("over 256 MiB") && err.contains(f), "{err}");
        assert_eq!(o.status.code(), Some(1));
        let out = text(&o.stdout);
        assert!(out.contains("|     1 |"), "nothing of the file ran: {out}");
    }
}

/// Issue 27 item 5: a piped or `--script` line over the line limit (here a 70 MB run of
/// zeros) is one error naming the line, dropped in bounded memory with the statement it
/// was part of, and the lines after it run.
#[test]
fn a_script_line_over_the_limit_is_one_error_and_the_rest_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("s.txt");
    zeros_between(
        &script,
        b"put 1 a\nSELECT * FROM kv\n",
        70 << 20,
        b"\nput 2 b\ncount\n",
    );
    let bytes = std::fs::read(&script).expect("read");
    let s = script.to_str().expect("utf8");
    for o in [
        run(&["--temp"], &bytes, None),
        run(&["--temp", "--script", s], b"", None),
    ] {
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: line 3 is 73400321 bytes long"),
            "{err}"
        );
        assert_eq!(o.status.code(), Some(1));
        let out = text(&o.stdout);
        assert_eq!(out.matches("OK (new key)").count(), 2, "{out}");
        assert!(out.contains("|     2 |"), "{out}");
    }
}
