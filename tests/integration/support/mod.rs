//! Helpers shared by the application's tests.
use std::io::{BufRead, BufReader, Lines, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Output, Stdio};

use command::Executor;
use engine::DbOptions;

/// The SVG and snapshot helpers of the benchmark crate's tests: the plot tests here
/// read the same pictures.
#[path = "../../../crates/bench/tests/integration/support.rs"]
pub mod plots;
pub mod sst_damage;

/// The exact name of test `test` in module `module` (pass `module_path!()`), as the test
/// binary filters it: a child run of this binary selects one test by a name that does not
/// depend on which binary or module the test lives in.
pub fn this_test(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{test}"),
        None => test.to_string(),
    }
}

/// An executor on a new default database in a temporary directory (kept while the
/// directory lives).
pub fn exec() -> (tempfile::TempDir, Executor) {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = Executor::open(&dir.path().join("db"), DbOptions::default()).expect("open");
    (dir, e)
}

/// The `alexdb` binary with its data (history, default database) under `home`.
pub fn alexdb_at(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_alexdb"));
    c.env("XDG_DATA_HOME", home);
    c
}

/// Runs `c` with nothing on stdin and waits.
fn output(c: &mut Command) -> Output {
    c.stdin(Stdio::null())
        .output()
        .expect("the alexdb binary runs")
}

/// Runs `alexdb args` with nothing on stdin and waits.
pub fn alexdb(args: &[&str]) -> Output {
    output(Command::new(env!("CARGO_BIN_EXE_alexdb")).args(args))
}

/// Runs `alexdb args` with its data under `home`, nothing on stdin, and waits.
pub fn alexdb_home(args: &[&str], home: &Path) -> Output {
    output(alexdb_at(home).args(args))
}

/// Runs `alexdb args` with its data under the system's temporary directory (not the
/// user's), nothing on stdin, and waits.
pub fn alexdb_isolated(args: &[&str]) -> Output {
    alexdb_home(args, &std::env::temp_dir())
}

/// Runs `alexdb args` with its data under `home` and `stdin` (if any) as its input, and
/// waits.
pub fn alexdb_with_input(args: &[&str], stdin: Option<&str>, home: &Path) -> Output {
    piped(alexdb_at(home).args(args), stdin.unwrap_or("").as_bytes())
}

/// Runs `c` with `input` on its stdin and waits. The input is written from another
/// thread: the program's answers must be read meanwhile.
pub fn piped(c: &mut Command, input: &[u8]) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the alexdb binary runs");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("alexdb finishes");
    writer.join().expect("writer");
    out
}

/// Every file and directory under `dir`: name -> (size, hash of the content). `LOCK` is
/// not read: closing a descriptor of it would drop this process's lock on it.
pub fn dir_digest(dir: &Path) -> std::collections::BTreeMap<String, (u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{name}/"), (0, 0));
                todo.push(p);
                continue;
            }
            let mut h = std::hash::DefaultHasher::new();
            let len = std::fs::metadata(&p).unwrap().len();
            if name != "LOCK" {
                std::fs::read(&p).unwrap().hash(&mut h);
            }
            out.insert(name, (len, h.finish()));
        }
    }
    out
}

/// Starts `alexdb args` with its data under `home`, to be fed line by line: the child,
/// its stdin, and the lines of its stdout (its stderr stays piped in the child).
pub fn spawn_piped(
    args: &[&str],
    home: &Path,
) -> (Child, ChildStdin, Lines<BufReader<ChildStdout>>) {
    let mut child = alexdb_at(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdin = child.stdin.take().expect("stdin");
    let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    (child, stdin, lines)
}
