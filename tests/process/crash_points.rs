//! Crash points (issue 15, item 2): the real `alexdb` binary, driven through piped stdin
//! with `--json` answers, is killed with SIGKILL inside a bulk load, a reopen with a new
//! option, a compaction-style switch and a running `.compact`. Before each kill the test
//! makes acknowledged writes (a write is acknowledged once the test has read its JSON
//! answer) and keeps a model of them. After each kill: `alexdb check --db PATH` exits 0
//! with ALEX's count equal to RocksDB's, the database opens, every acknowledged write
//! reads back its value, every acknowledged delete is gone, and a killed load left all of
//! its rows or none (the default `sst-ingest` load makes its rows visible in one RocksDB
//! ingest, see `src/engine/load.rs`). A kill lands inside the operation when its answer
//! had not been written yet; each test prints how many did.
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_alexdb");
/// Model keys lie in `-KEY_SPAN..KEY_SPAN`; loads put their rows elsewhere.
const KEY_SPAN: i64 = 1_000_000;
/// First key of the sequential loads (far from the model's keys).
const SEQ_BASE: i64 = 1 << 50;
/// Longest wait for any answer before the test gives up (a hang is a failure).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

/// The seed of a test: fixed, or `ALEXDB_CRASH_SEED` to explore others.
fn seed(base: u64) -> u64 {
    let s = std::env::var("ALEXDB_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    base ^ s
}

/// One `alexdb --json` line shell on piped stdin.
struct Shell {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// Answers of background jobs (`[N] .load ...`), kept aside as they arrive.
    jobs: Vec<Value>,
}

impl Shell {
    fn open(db: &Path) -> Shell {
        let mut child = Command::new(BIN)
            .args(["--plain", "--json", "--db"])
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start alexdb");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Shell {
            child,
            stdin,
            lines,
            jobs: Vec::new(),
        }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("write to alexdb");
        self.stdin.flush().expect("flush to alexdb");
    }

    /// Files one line: a background job's answer aside, a command's answer returned.
    fn file_line(&mut self, line: &str) -> Option<Value> {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON answer ({e}): {line}"));
        if v["command"].as_str().is_some_and(|c| c.starts_with('[')) {
            self.jobs.push(v);
            return None;
        }
        Some(v)
    }

    /// The next command answer, or `None` once `deadline` passes.
    fn answer_until(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(v) = self.file_line(&line) {
                        return Some(v);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("alexdb exited unexpectedly"),
            }
        }
    }

    /// Runs one command to its answer, which must be a success.
    fn cmd(&mut self, line: &str) -> Value {
        self.send(line);
        let v = self
            .answer_until(Instant::now() + ANSWER_TIMEOUT)
            .unwrap_or_else(|| panic!("no answer to {line:?}"));
        assert_eq!(v["ok"], Value::Bool(true), "{line}: {v}");
        v
    }

    /// Closes stdin and waits for the shell to exit normally.
    fn quit(mut self) {
        drop(self.stdin);
        let status = self.child.wait().expect("wait for alexdb");
        assert!(
            status.code().is_some(),
            "alexdb ended by a signal: {status}"
        );
    }

    /// The value of option `name` in force.
    fn option(&mut self, name: &str) -> String {
        let v = self.cmd(".show options");
        let rows = v["rows"].as_array().expect("option rows");
        let row = rows
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no option {name}"));
        row["value"].as_str().expect("option value").to_string()
    }

    /// SIGKILLs the process and returns the command answers it had written before dying
    /// (job answers go to `self.jobs`).
    fn kill(mut self) -> (Vec<Value>, Vec<Value>) {
        self.child.kill().expect("SIGKILL alexdb");
        self.child.wait().expect("reap alexdb");
        let mut answers = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            if let Some(v) = self.file_line(&line) {
                answers.push(v);
            }
        }
        (answers, self.jobs)
    }
}

/// A write the test sent: `Some(value)` a put, `None` a delete.
type Write1 = (i64, Option<String>);

/// What must be in the database.
#[derive(Default)]
struct Model {
    rows: BTreeMap<i64, String>,
    /// A write whose answer was never read: either outcome is allowed.
    maybe: Option<Write1>,
    /// Rows of loads that are in the database (outside the model's key range).
    loaded: u64,
}

impl Model {
    fn apply(&mut self, (k, v): Write1) {
        match v {
            Some(v) => self.rows.insert(k, v),
            None => self.rows.remove(&k),
        };
    }

    /// A random put (3 in 4) or delete of an existing key, and its command.
    fn next_write(&self, rng: &mut StdRng, tag: &str) -> (Write1, String) {
        if rng.random_bool(0.25) && !self.rows.is_empty() {
            let i = rng.random_range(0..self.rows.len());
            let k = *self.rows.keys().nth(i).expect("index below len");
            return ((k, None), format!("del {k}"));
        }
        let k = rng.random_range(-KEY_SPAN..KEY_SPAN);
        let mut v = format!("{tag}-{k}-");
        let len = rng.random_range(8..200);
        v.extend(std::iter::repeat_n('x', len));
        let cmd = format!("put {k} {v}");
        ((k, Some(v)), cmd)
    }
}

/// Makes `n` acknowledged writes.
fn write_some(sh: &mut Shell, model: &mut Model, rng: &mut StdRng, n: usize, tag: &str) {
    for _ in 0..n {
        let (w, cmd) = model.next_write(rng, tag);
        sh.cmd(&cmd);
        model.apply(w);
    }
}

/// Puts `n` rows of `bytes` each in statements of 200 rows (fills the memtable fast).
fn insert_bulk(sh: &mut Shell, model: &mut Model, rng: &mut StdRng, n: usize, tag: &str) {
    for chunk in 0..n.div_ceil(200) {
        let mut rows = Vec::new();
        for _ in 0..200.min(n - chunk * 200) {
            let k = rng.random_range(-KEY_SPAN..KEY_SPAN);
            let v = format!("{tag}-{k}-{}", "y".repeat(rng.random_range(100..1000)));
            rows.push((k, v));
        }
        let values: Vec<String> = rows.iter().map(|(k, v)| format!("({k}, '{v}')")).collect();
        sh.cmd(&format!(
            "INSERT OR REPLACE INTO kv VALUES {};",
            values.join(", ")
        ));
        for (k, v) in rows {
            model.rows.insert(k, v);
        }
    }
}

/// `alexdb check --db PATH --json`: ALEX's keys equal RocksDB's, and it exits 0 unless
/// it found table files the killed operation left that hold rows the database does not
/// have (a killed load's, never acknowledged: `check` reads the directory without
/// opening it, issue 27, and says that the next open drops them). Returns the key count.
fn check(db: &Path, label: &str) -> u64 {
    let out = Command::new(BIN)
        .args(["check", "--json", "--db"])
        .arg(db)
        .output()
        .expect("run alexdb check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        let err = String::from_utf8_lossy(&out.stderr);
        panic!(
            "{label}: check JSON ({e}), exit {:?}: {stdout} {err}",
            out.status
        )
    });
    let r = &v["report"];
    let findings = r["findings"].as_array().expect("findings");
    let failing: Vec<&Value> = findings.iter().filter(|f| f["fails"] == true).collect();
    assert!(
        failing.iter().all(|f| f["kind"] == "unreferenced_table"),
        "{label}: {r}"
    );
    assert_eq!(out.status.success(), failing.is_empty(), "{label}: {r}");
    assert_eq!(r["ok"], Value::Bool(failing.is_empty()), "{label}: {r}");
    assert_eq!(r["alex_keys"], r["rocksdb_keys"], "{label}: {r}");
    assert_eq!(r["key_checksum_match"], Value::Bool(true), "{label}: {r}");
    r["alex_keys"].as_u64().expect("alex_keys")
}

/// After a kill: the database checks clean and opens; the model's key range holds
/// exactly the acknowledged rows (the write in flight at the kill either way). Returns
/// the total number of keys and a fresh shell on the database.
fn verify(db: &Path, model: &mut Model, label: &str) -> (u64, Shell) {
    let checked = check(db, label);
    let mut sh = Shell::open(db);
    let v = sh.cmd(&format!("scan {} {} limit 100000000", -KEY_SPAN, KEY_SPAN));
    let mut got: BTreeMap<i64, String> = BTreeMap::new();
    for r in v["rows"].as_array().expect("scan rows") {
        let k = r["key"].as_i64().expect("key");
        got.insert(k, r["value"].as_str().expect("text value").to_string());
    }
    if let Some((k, new)) = model.maybe.take()
        && got.get(&k) == new.as_ref()
    {
        model.apply((k, new));
    }
    for (k, v) in &model.rows {
        assert_eq!(got.get(k), Some(v), "{label}: acknowledged put of {k} lost");
    }
    assert_eq!(
        got.len(),
        model.rows.len(),
        "{label}: keys present that were deleted or never acknowledged"
    );
    let count = sh.cmd("count")["rows"][0]["count"].as_u64().expect("count");
    assert_eq!(count, checked, "{label}: count after reopen");
    (count, sh)
}

/// Kills inside an operation vs after its answer.
#[derive(Default)]
struct Tally {
    inside: u32,
    after: u32,
    /// Kills inside with the operation's new table files already on disk.
    writing: u32,
}

impl Tally {
    fn add(&mut self, inside: bool) {
        if inside {
            self.inside += 1;
        } else {
            self.after += 1;
        }
    }

    fn killed(&mut self, k: &Killed) {
        self.add(k.answer.is_none());
        if k.answer.is_none() && k.new_files {
            self.writing += 1;
        }
    }

    fn report(&self, what: &str, seed: u64) {
        eprintln!(
            "crash points, {what} (seed {seed}): {} kills inside the operation, {} after its answer",
            self.inside, self.after
        );
        if self.writing > 0 {
            eprintln!(
                "  of the kills inside: {} with the operation's new table files on disk",
                self.writing
            );
        }
    }
}

/// The highest table-file number in `db` (RocksDB numbers files in creation order).
fn newest_sst(db: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(db) else {
        return 0;
    };
    entries
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".sst")?.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0)
}

/// What a kill during a foreground command saw.
struct Killed {
    /// The command's answer, if it was written before the kill.
    answer: Option<Value>,
    /// A table file newer than any before the command was on disk at the kill (a flush
    /// or compaction of the command had begun writing).
    new_files: bool,
}

/// Sends a foreground command and kills the process `delay` later (or after its answer
/// if that comes first).
fn kill_during(sh: Shell, db: &Path, line: &str, delay: Duration) -> Killed {
    let mut sh = sh;
    let before = newest_sst(db);
    sh.send(line);
    std::thread::sleep(delay);
    let new_files = newest_sst(db) > before;
    let (answers, _) = sh.kill();
    let answer = answers.into_iter().next();
    if let Some(v) = &answer {
        assert_eq!(v["ok"], Value::Bool(true), "{line}: {v}");
    }
    eprintln!(
        "  {line}: killed after {delay:?}, {}{}",
        if answer.is_some() {
            "after its answer"
        } else {
            "inside"
        },
        if new_files {
            ", its new table files on disk"
        } else {
            ""
        }
    );
    Killed { answer, new_files }
}

/// A random delay within `est`, the measured duration of the operation (from its
/// answer's `elapsed_us`), so that most kills land inside it.
fn delay_within(rng: &mut StdRng, est: f64) -> Duration {
    Duration::from_secs_f64(est * rng.random_range(0.1..0.95))
}

fn elapsed_secs(answer: &Value) -> f64 {
    answer["elapsed_us"].as_f64().unwrap_or(0.0) / 1e6
}

/// Rows of one load round.
const LOAD_ROWS: u64 = 250_000;

/// A kill inside a bulk load running in the background while acknowledged writes go on.
/// Some rounds kill as soon as `.jobs` shows every row read (the files are written and
/// the ingest, ALEX merge and cache warm-up are under way), the others at a random
/// moment within the load's measured duration.
#[test]
fn kill_inside_bulk_load() {
    let seed = seed(0x10AD);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut model = Model::default();
    let mut sh = Shell::open(&db);
    write_some(&mut sh, &mut model, &mut rng, 50, "setup");
    let (mut tally, mut at_ingest) = (Tally::default(), 0u32);
    let mut est = 1.5f64;
    for round in 0..5u64 {
        let label = format!("load round {round}");
        let sequential = round % 2 == 1;
        let start = SEQ_BASE + round as i64 * 10_000_000;
        let load = if sequential {
            format!(".load sequential {LOAD_ROWS} --start {start}")
        } else {
            format!(".load random {LOAD_ROWS} --seed {}", seed ^ round)
        };
        let t0 = Instant::now();
        sh.cmd(&format!("{load} &"));
        let wait_ingest = round == 1 || round == 4;
        let kill_at = t0 + delay_within(&mut rng, est);
        let ingest = run_writes_until(&mut sh, &mut model, &mut rng, &label, kill_at, wait_ingest);
        let (answers, jobs) = sh.kill();
        settle_maybe(&mut model, &answers);
        let done = jobs.iter().find(|j| j["ok"] == Value::Bool(true));
        if let Some(j) = done {
            est = j["report"]["secs"].as_f64().unwrap_or(est);
        }
        tally.add(done.is_none());
        if ingest && done.is_none() {
            at_ingest += 1;
        }
        let (total, next) = verify(&db, &mut model, &label);
        sh = next;
        let extra = if sequential {
            let end = start + LOAD_ROWS as i64 - 1;
            sh.cmd(&format!("count {start} {end}"))["rows"][0]["count"]
                .as_u64()
                .expect("count")
        } else {
            total - model.rows.len() as u64 - model.loaded
        };
        if done.is_some() {
            assert_eq!(extra, LOAD_ROWS, "{label}: an acknowledged load lost rows");
        } else {
            assert!(
                extra == 0 || extra == LOAD_ROWS,
                "{label}: a killed load left {extra} of its {LOAD_ROWS} rows (all or none)"
            );
        }
        model.loaded += extra;
        assert_eq!(total, model.rows.len() as u64 + model.loaded, "{label}");
    }
    sh.quit();
    tally.report("bulk load", seed);
    eprintln!("  of the kills inside: {at_ingest} after every row was read (ingest phase)");
    assert!(tally.inside > 0, "no kill landed inside a load");
}

/// Acknowledged writes while a background load runs, until `kill_at` or, with
/// `wait_ingest`, until `.jobs` shows the load past reading its rows (then returns true).
/// A write whose answer has not come by then is left in `model.maybe`.
fn run_writes_until(
    sh: &mut Shell,
    model: &mut Model,
    rng: &mut StdRng,
    tag: &str,
    kill_at: Instant,
    wait_ingest: bool,
) -> bool {
    let tag = tag.replace(' ', "_");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut i = 0u64;
    loop {
        if wait_ingest {
            if Instant::now() > deadline || !sh.jobs.is_empty() {
                return false;
            }
            if i.is_multiple_of(2) && rows_all_read(sh) {
                return true;
            }
        } else if Instant::now() >= kill_at {
            return false;
        }
        i += 1;
        let (w, cmd) = model.next_write(rng, &tag);
        sh.send(&cmd);
        let until = if wait_ingest { deadline } else { kill_at };
        match sh.answer_until(until) {
            Some(a) => {
                assert_eq!(a["ok"], Value::Bool(true), "{cmd}: {a}");
                model.apply(w);
            }
            None => {
                model.maybe = Some(w);
                return false;
            }
        }
    }
}

/// `.jobs` shows the running load with every row read (its last phase).
fn rows_all_read(sh: &mut Shell) -> bool {
    let v = sh.cmd(".jobs");
    let want = format!("{LOAD_ROWS}/{LOAD_ROWS} rows");
    v["rows"].as_array().is_some_and(|rows| {
        rows.iter().any(|r| {
            r["state"] != "done" && r["progress"].as_str().is_some_and(|p| p.starts_with(&want))
        })
    })
}

/// The write in flight at a kill is acknowledged if its answer was written before the
/// process died; otherwise it stays undecided for `verify`.
fn settle_maybe(model: &mut Model, answers: &[Value]) {
    if let Some(w) = model.maybe.take() {
        if answers
            .first()
            .is_some_and(|a| a["ok"] == Value::Bool(true))
        {
            model.apply(w);
        } else {
            model.maybe = Some(w);
        }
    }
}

/// Reopen options and two values each, switched back and forth.
const REOPEN_OPTIONS: [(&str, [&str; 2]); 3] = [
    ("block_cache_type", ["lru", "hyper_clock"]),
    ("max_open_files", ["-1", "500"]),
    ("optimize_filters_for_hits", ["on", "off"]),
];

/// A kill inside `.set` of a reopen option (flush, close, open, save the options), with
/// a full memtable to flush. An acknowledged change is in force after the restart; an
/// unacknowledged one may or may not be.
#[test]
fn kill_inside_reopen_with_new_option() {
    let seed = seed(0x5E7);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut model = Model::default();
    let mut sh = Shell::open(&db);
    let mut tally = Tally::default();
    let mut est: HashMap<&str, f64> = HashMap::new();
    for round in 0..6u64 {
        let label = format!("reopen round {round}");
        let (name, values) = REOPEN_OPTIONS[round as usize % REOPEN_OPTIONS.len()];
        let old = sh.option(name);
        let new = if old == values[0] {
            values[1]
        } else {
            values[0]
        };
        write_some(&mut sh, &mut model, &mut rng, 30, "reopen");
        insert_bulk(&mut sh, &mut model, &mut rng, 3000, "reopen");
        let line = format!(".set {name} {new}");
        let delay = delay_within(&mut rng, *est.get(name).unwrap_or(&0.4));
        let killed = kill_during(sh, &db, &line, delay);
        let answer = &killed.answer;
        if let Some(a) = answer {
            est.insert(name, elapsed_secs(a));
        }
        tally.killed(&killed);
        let (_, next) = verify(&db, &mut model, &label);
        sh = next;
        let now = sh.option(name);
        if answer.is_some() {
            assert_eq!(now, new, "{label}: an acknowledged .set was not kept");
        } else {
            assert!(now == old || now == new, "{label}: {name} = {now}");
        }
    }
    sh.quit();
    tally.report("reopen with a new option", seed);
    assert!(tally.inside > 0, "no kill landed inside a reopen");
}

/// A compaction style other than `current`, chosen at random.
fn next_style(current: &str, rng: &mut StdRng) -> &'static str {
    let others: Vec<&str> = ["level", "universal", "fifo"]
        .into_iter()
        .filter(|s| *s != current)
        .collect();
    others[rng.random_range(0..others.len())]
}

/// Adds rows in several flushed files, so a compaction has work.
fn add_files(sh: &mut Shell, model: &mut Model, rng: &mut StdRng, files: usize, tag: &str) {
    for _ in 0..files {
        write_some(sh, model, rng, 10, tag);
        insert_bulk(sh, model, rng, 400, tag);
        sh.cmd(".flush");
    }
}

/// A kill inside a compaction-style switch on a database of many SST files: to level
/// from universal compacts everything to the bottom level first, to FIFO everything to
/// L0, then the reopen. The style in force afterwards is the old or (when acknowledged)
/// the new one.
#[test]
fn kill_inside_compaction_style_switch() {
    let seed = seed(0x57E);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut model = Model::default();
    let mut sh = Shell::open(&db);
    // FIFO never deletes files here: the limit is far above the database's size.
    sh.cmd(".set fifo_max_size 8GiB");
    sh.cmd(".set bulk_load_rows_per_file 25000");
    sh.cmd(&format!(".load random 200000 --seed {seed}"));
    model.loaded = 200_000;
    let mut tally = Tally::default();
    let mut est: HashMap<(String, &str), f64> = HashMap::new();
    for round in 0..6u64 {
        let label = format!("style round {round}");
        let old = sh.option("compaction_style");
        let new = next_style(&old, &mut rng);
        add_files(&mut sh, &mut model, &mut rng, 3, "style");
        let line = format!(".set compaction_style {new}");
        let key = (old.clone(), new);
        let delay = delay_within(&mut rng, *est.get(&key).unwrap_or(&0.6));
        let killed = kill_during(sh, &db, &line, delay);
        let answer = &killed.answer;
        if let Some(a) = answer {
            est.insert(key, elapsed_secs(a));
        }
        tally.killed(&killed);
        let (total, next) = verify(&db, &mut model, &label);
        sh = next;
        assert_eq!(total, model.rows.len() as u64 + model.loaded, "{label}");
        let now = sh.option("compaction_style");
        if answer.is_some() {
            assert_eq!(now, new, "{label}: an acknowledged switch was not kept");
        } else {
            assert!(now == old || now == new, "{label}: style {now}");
        }
    }
    sh.quit();
    tally.report("compaction-style switch", seed);
    assert!(tally.inside > 0, "no kill landed inside a style switch");
}

/// A kill inside `.compact` of a database of many SST files (loads cut into files of
/// 20,000 rows, and flushed writes).
#[test]
fn kill_inside_running_compaction() {
    let seed = seed(0xC0C);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut model = Model::default();
    let mut sh = Shell::open(&db);
    sh.cmd(".set bulk_load_rows_per_file 20000");
    let mut tally = Tally::default();
    let mut est = 0.8f64;
    for round in 0..5u64 {
        let label = format!("compact round {round}");
        sh.cmd(&format!(".load random 100000 --seed {}", seed ^ round));
        model.loaded += 100_000;
        add_files(&mut sh, &mut model, &mut rng, 3, "compact");
        let delay = delay_within(&mut rng, est);
        let killed = kill_during(sh, &db, ".compact", delay);
        if let Some(a) = &killed.answer {
            est = elapsed_secs(a);
        }
        tally.killed(&killed);
        let (total, next) = verify(&db, &mut model, &label);
        sh = next;
        assert_eq!(total, model.rows.len() as u64 + model.loaded, "{label}");
    }
    sh.quit();
    tally.report("running compaction", seed);
    assert!(tally.inside > 0, "no kill landed inside a compaction");
}

/// Rows of a WAL-off load round.
const WAL_OFF_ROWS: u64 = 600_000;

/// A kill inside a `wal-off-batches` load (empty databases only): it writes batches
/// without the write-ahead log and flushes at the end, so a kill keeps the memtables
/// RocksDB had flushed by then, which hold a prefix of the input in order. Asserted: the
/// rows left are exactly the first M keys of the sequential input (all of them when the
/// load answered), the database checks clean, and writes afterwards are kept.
#[test]
fn kill_inside_wal_off_load() {
    let seed = seed(0xA1);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally::default();
    let mut est = 1.6f64;
    for round in 0..3u64 {
        let label = format!("wal-off round {round}");
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("db");
        let mut sh = Shell::open(&db);
        sh.cmd(".set bulk_load_method wal-off-batches");
        // Small memtables, so that RocksDB flushes some while the load runs.
        sh.cmd(".set write_buffer_size 4MiB");
        let line = format!(".load sequential {WAL_OFF_ROWS} --start {SEQ_BASE}");
        let killed = kill_during(sh, &db, &line, delay_within(&mut rng, est));
        if let Some(a) = &killed.answer {
            est = elapsed_secs(a);
        }
        tally.killed(&killed);
        let mut model = Model::default();
        let (kept, mut sh) = verify(&db, &mut model, &label);
        if killed.answer.is_some() {
            assert_eq!(
                kept, WAL_OFF_ROWS,
                "{label}: an acknowledged load lost rows"
            );
        }
        if kept > 0 {
            let last = SEQ_BASE + kept as i64 - 1;
            let prefix = sh.cmd(&format!("count {SEQ_BASE} {last}"))["rows"][0]["count"].as_u64();
            assert_eq!(
                prefix,
                Some(kept),
                "{label}: the rows left are not a prefix"
            );
        }
        eprintln!("  {label}: {kept} of {WAL_OFF_ROWS} rows kept");
        model.loaded = kept;
        write_some(&mut sh, &mut model, &mut rng, 20, "after");
        sh.quit();
        let (total, sh) = verify(&db, &mut model, &label);
        assert_eq!(total, model.rows.len() as u64 + kept, "{label}");
        sh.quit();
    }
    tally.report("wal-off-batches load", seed);
    assert!(tally.inside > 0, "no kill landed inside a WAL-off load");
}

/// The kill that found the bug: a `wal-off-batches` load killed while RocksDB writes a
/// memtable flush, i.e. with a table file on disk that the MANIFEST does not record yet
/// and whose rows are in no log. The next open refused the database as one with a
/// truncated MANIFEST; now the engine marks that unlogged rows exist, so such files count
/// as a crash's leftovers (RocksDB removes them) and the database opens.
#[test]
fn kill_while_flushing_unlogged_rows_opens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut sh = Shell::open(&db);
    sh.cmd(".set bulk_load_method wal-off-batches");
    sh.cmd(".set write_buffer_size 32MiB");
    sh.send(&format!(".load sequential 3000000 --start {SEQ_BASE}"));
    // Kill as soon as the first flush has written part of its table file.
    let deadline = Instant::now() + Duration::from_secs(60);
    let growing = loop {
        let big = std::fs::read_dir(&db)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.file_name().to_string_lossy().ends_with(".sst")
                    && e.metadata().is_ok_and(|m| m.len() > 256 << 10)
            });
        if big || Instant::now() > deadline {
            break big;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let (answers, _) = sh.kill();
    assert!(growing && answers.is_empty(), "the kill missed the flush");
    let mut model = Model::default();
    let (kept, sh) = verify(&db, &mut model, "unlogged flush");
    eprintln!("  killed during a flush of unlogged rows: {kept} rows kept, database opens");
    sh.quit();
}
