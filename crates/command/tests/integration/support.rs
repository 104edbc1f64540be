//! Helpers shared by the shell core's tests.
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use command::{Executor, Outcome, Report, parse_command};
use engine::DbOptions;

/// Runs one command and returns its report; a command that started a job (a change that
/// may reopen) is waited for, as the line shell does, and its report holds the job's
/// result.
pub fn run_waited(exec: &mut Executor, text: &str) -> Report {
    let cmd = parse_command(text).expect("parses");
    let mut r = exec.run_command(text, &cmd);
    if let Ok(Outcome::JobStarted { id, .. }) = r.result {
        let st = exec.jobs().wait(id, Duration::from_secs(60)).expect("job");
        r.result = command::exec::job_result(st);
    }
    r
}

/// Runs `text` (any number of statements) and returns every report, in order; jobs are
/// not waited for.
pub fn run_all(exec: &mut Executor, text: &str) -> Vec<Report> {
    let mut reports = Vec::new();
    exec.run_text(text, &mut |_, r| reports.push(r));
    reports
}

/// A value `len` bytes long that compresses (repeated text) but is not all one byte.
pub fn payload(k: i64, len: usize) -> Vec<u8> {
    let base = format!("row-{k:08}-payload-");
    base.bytes().cycle().take(len).collect()
}

/// The default options with a value cache of `entries` entries.
pub fn small_value_cache(entries: usize) -> DbOptions {
    DbOptions {
        value_cache_entries: entries,
        ..DbOptions::default()
    }
}

/// An executor on a new database of 1,200 rows written one by one (user rows, not a
/// load): key `key(i)` holds `"{label} {key}"`; and the model of them.
pub fn user_rows(
    dir: &Path,
    key: impl Fn(i64) -> i64,
    label: &str,
) -> (Executor, BTreeMap<i64, Vec<u8>>) {
    let exec = Executor::open(&dir.join("db"), DbOptions::default()).expect("open");
    let mut model = BTreeMap::new();
    for i in 0..1200i64 {
        let k = key(i);
        let v = format!("{label} {k}").into_bytes();
        exec.db().put(k, &v).expect("put");
        model.insert(k, v);
    }
    (exec, model)
}

pub use engine::testing::fingerprint;

/// The tests that judge a sweep's verdict measure speed: they run alone (`write`), every
/// other test of this binary beside the others (`read`), so no test's load is their noise.
pub static QUIET: parking_lot::RwLock<()> = parking_lot::RwLock::new(());
