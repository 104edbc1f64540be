//! Crash safety: a child process (this test binary, re-executed) writes and deletes keys
//! and prints each operation after the engine acknowledged it; the parent SIGKILLs it at a
//! random moment, reopens, and finds every acknowledged write with its value, every
//! acknowledged delete gone, and ALEX holding exactly RocksDB's keys. Two rounds on the
//! same directory, so the second child also starts from a recovered database.
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use engine::{Db, DbOptions};
use rand::Rng;

const CHILD_ENV: &str = "ALEXDB_CRASH_CHILD_DIR";
const ROUND_ENV: &str = "ALEXDB_CRASH_CHILD_ROUND";

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Put(i64, Vec<u8>),
    Delete(i64),
}

/// The deterministic operation sequence of a round: mostly puts of fresh keys in a
/// scattered order (negative keys included), every 7th step deletes a key put 3 steps
/// earlier, every 11th overwrites one.
fn step(round: u64, i: u64) -> Step {
    let key_of = |j: u64| -> i64 {
        let x = (j + 1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(round.wrapping_mul(0xD1B5_4A32_D192_ED03));
        x as i64
    };
    if i % 7 == 6 && i >= 3 {
        Step::Delete(key_of(i - 3))
    } else if i % 11 == 10 && i >= 5 {
        Step::Put(
            key_of(i - 5),
            format!("r{round}-overwrite-{i}").into_bytes(),
        )
    } else {
        let len = 10 + (i % 90) as usize;
        let mut v = format!("r{round}-v{i}-").into_bytes();
        v.resize(len, b'x');
        Step::Put(key_of(i), v)
    }
}

fn options() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        // Small memtables so that flushes happen while the child is being killed.
        write_buffer_size: 256 << 10,
        value_cache_entries: 1000,
        ..DbOptions::default()
    }
}

/// The child: runs only when re-executed by the parent with `CHILD_ENV` set.
#[test]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let round: u64 = std::env::var(ROUND_ENV).unwrap().parse().unwrap();
    let db = Db::open_with(&dir, options()).unwrap();
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    for i in 0.. {
        match step(round, i) {
            Step::Put(k, v) => {
                db.put(k, &v).unwrap();
            }
            Step::Delete(k) => {
                db.delete(k).unwrap();
            }
        }
        // Acknowledge only after the engine returned.
        writeln!(out, "ACK {i}").unwrap();
        out.flush().unwrap();
    }
}

fn apply(model: &mut BTreeMap<i64, Vec<u8>>, s: Step) {
    match s {
        Step::Put(k, v) => {
            model.insert(k, v);
        }
        Step::Delete(k) => {
            model.remove(&k);
        }
    }
}

/// Runs one child, kills it after `kill_after` of acknowledged work, returns the number
/// of acknowledged steps.
fn run_child(dir: &std::path::Path, round: u64, kill_after: Duration) -> u64 {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            crate::support::this_test(module_path!(), "crash_child_writer").as_str(),
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .env(ROUND_ENV, round.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Option<u64>>();
    let reader = std::thread::spawn(move || {
        let mut acked = 0u64;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.ends_with("READY") {
                let _ = tx.send(None);
            } else if let Some(n) = line.strip_prefix("ACK ") {
                let n: u64 = n.trim().parse().unwrap();
                assert_eq!(n, acked, "acks arrive in order");
                acked = n + 1;
                let _ = tx.send(Some(acked));
            }
        }
        acked
    });
    // Wait for the child to open the database, then let it work for a while.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(None) => break,
            Ok(Some(_)) => {}
            Err(_) if Instant::now() > deadline => panic!("child did not start"),
            Err(_) => {}
        }
    }
    std::thread::sleep(kill_after);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap()
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut rng = rand::rng();
    let mut model: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    for round in 0..2u64 {
        let kill_after = Duration::from_millis(rng.random_range(150..900));
        let acked = run_child(&path, round, kill_after);
        assert!(
            acked > 10,
            "round {round}: the child acknowledged only {acked} steps"
        );
        eprintln!("round {round}: killed after {kill_after:?}, {acked} steps acknowledged");
        for i in 0..acked {
            apply(&mut model, step(round, i));
        }
        let db = Db::open_with(&path, options()).unwrap();
        // The step in flight at the kill may or may not have landed: adopt what is there.
        match step(round, acked) {
            Step::Put(k, v) => {
                if db.get(k).unwrap().as_deref() == Some(&v[..]) {
                    model.insert(k, v);
                }
            }
            Step::Delete(k) => {
                if db.get(k).unwrap().is_none() {
                    model.remove(&k);
                }
            }
        }
        for (k, v) in &model {
            let got = db.get(*k).unwrap();
            assert_eq!(
                got.as_deref(),
                Some(&v[..]),
                "round {round}: acknowledged key {k} lost"
            );
        }
        let all: Vec<(i64, Vec<u8>)> = db
            .scan(i64::MIN, i64::MAX, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, v.to_vec()))
            .collect();
        let want: Vec<(i64, Vec<u8>)> = model.iter().map(|(k, v)| (*k, v.clone())).collect();
        assert_eq!(all.len(), want.len(), "round {round}: key count");
        assert!(
            all == want,
            "round {round}: contents differ from the acknowledged model"
        );
        let check = db.check().unwrap();
        assert!(check.ok, "round {round}: {check:?}");
        assert_eq!(db.count(), db.rocksdb_key_count().unwrap());
        drop(db);
    }
}
