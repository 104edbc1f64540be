//! The key range a write workload works in on a database that holds the user's rows:
//! a range no user key is in (the middle of the widest gap between them), its own YCSB
//! records loaded there, the workload's reads, updates and inserts confined to it, and
//! everything in it removed at the end, also when the run is cancelled or fails (the
//! guard removes it when dropped). The range is written to [`MARKER`] in the database
//! directory before anything is loaded, so a run stopped by a kill leaves a note the
//! next open of the database acts on ([`remove_leftover`]).
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::{Cancelled, Progress};
use engine::{CompactionStyle, Db, DbOptions};
use workload::dataset::{ValueKind, make_value};
use workload::ycsb::{KeySpace, Workload};

/// The widest range a workload takes (`2^40` keys): room for any number of records a
/// run loads and for its inserts, while leaving most of a gap free.
const MAX_BITS: u32 = 40;
/// The file naming the range of a workload that is running (removed after it).
pub const MARKER: &str = "alexdb-workload-keys.json";
/// Databases (by directory) a workload of this process is working on in its own range:
/// one at a time per database.
static RUNNING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Keys read at a time while looking for the widest gap.
const CHUNK: usize = 1 << 20;

/// True for a workload that writes (updates, inserts or read-modify-writes).
pub fn writes(w: Workload) -> bool {
    let m = w.mix();
    m.update + m.insert + m.rmw > 0.0
}

/// Why a write workload may not run on its own keys with `opts` in force: with FIFO
/// compaction its records would push the database past `fifo_max_size`, and FIFO
/// would delete the user's oldest rows to make room.
pub fn fifo_refusal(opts: &DbOptions) -> Option<String> {
    (opts.compaction_style == CompactionStyle::Fifo).then(|| {
        "with compaction_style fifo the workload's own records would make FIFO delete \
         your oldest rows; add --on-my-data to run it anyway"
            .to_string()
    })
}

/// A write workload's own range on an open database; dropping it removes the range.
pub struct OwnKeys {
    db: Arc<Db>,
    first: i64,
    bits: u32,
    records: u64,
    keys: KeySpace,
    removed: bool,
}

/// What a workload wrote in its own range and what was removed (the report's
/// `own_keys`).
#[derive(Debug, Clone, Serialize)]
pub struct OwnKeysReport {
    /// The range, inclusive: no key of the user's was in it when the run started.
    pub first: i64,
    pub last: i64,
    /// Records loaded before the run.
    pub records: u64,
    /// Inserts the run made (its updates rewrote keys already counted).
    pub inserted: u64,
    /// Keys the range held at the end (every one the workload wrote).
    pub written: u64,
    /// Keys removed at the end.
    pub removed: u64,
    /// Why the range could not be removed, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl OwnKeysReport {
    /// One line for the report: `wrote N keys in A..=B (...), removed them`.
    pub fn line(&self) -> String {
        let what = format!(
            "wrote {} keys in {}..={} ({} records loaded, {} inserted; a range none of your \
             rows is in)",
            thousands(self.written),
            self.first,
            self.last,
            thousands(self.records),
            thousands(self.inserted)
        );
        match &self.error {
            None => format!("{what}, removed them"),
            Some(e) => format!(
                "{what}; NOT removed: {e} (remove them with DELETE FROM kv WHERE key BETWEEN {} AND {})",
                self.first, self.last
            ),
        }
    }
}

impl OwnKeys {
    /// A range for `records` records and the run's inserts, in which `db` holds no key;
    /// one line naming `--on-my-data` when there is none.
    pub fn reserve(db: &Arc<Db>, records: u64) -> Result<OwnKeys, String> {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        if running.iter().any(|p| p == db.path()) {
            return Err(
                "another write workload is running on its own keys in this database; \
                 wait for it (.jobs) or .cancel it"
                    .to_string(),
            );
        }
        if let Some(why) = fifo_refusal(&db.options()) {
            return Err(why);
        }
        let (lo, hi) = widest_gap(db);
        let len = hi - lo + 1;
        // A quarter of the gap at most, so the range sits well inside it.
        let fits = (len / 4).max(1).ilog2().min(MAX_BITS);
        let need = (u128::from(records.max(1)) * 2).next_power_of_two().ilog2();
        if fits < need {
            return Err(format!(
                "no key range of {} keys is free of your rows for the workload's own \
                 records; add --on-my-data to run it on your rows (it writes into them)",
                records * 2
            ));
        }
        let span = 1i128 << fits;
        let mid = lo + len / 2;
        let first = (mid - span / 2).div_euclid(span) * span;
        debug_assert!(first >= lo && first + span - 1 <= hi);
        let first = first as i64;
        running.push(db.path().to_path_buf());
        Ok(OwnKeys {
            db: db.clone(),
            first,
            bits: fits,
            records,
            keys: KeySpace::range(first, fits, records),
            removed: false,
        })
    }

    /// The records the workload draws from (shared with its threads: it counts inserts).
    pub fn keys(&self) -> KeySpace {
        self.keys.clone()
    }

    /// Loads the records (`value_size` bytes of `values`, as YCSB's loader writes them).
    pub fn load(
        &self,
        (values, value_size): (ValueKind, usize),
        seed: u64,
        progress: &dyn Progress,
    ) -> anyhow::Result<()> {
        progress.phase("loading the workload's own records", Some(self.records));
        write_marker(self.db.path(), self.first, self.last())?;
        let keys = self.keys.clone();
        let rows = (0..self.records)
            .take_while(|i| !(i.is_multiple_of(4096) && progress.cancelled()))
            .map(|i| {
                let k = keys.key(i);
                (k, make_value(values, k, value_size, seed))
            });
        let mut shown = 0;
        self.db.load_with_progress(rows, |n| {
            progress.advance(n.saturating_sub(shown));
            shown = n;
        })?;
        if progress.cancelled() {
            return Err(Cancelled.into());
        }
        Ok(())
    }

    /// The range's last key.
    fn last(&self) -> i64 {
        (self.first as i128 + (1i128 << self.bits) - 1) as i64
    }

    /// Removes everything in the range and says what the workload wrote.
    pub fn remove(mut self) -> OwnKeysReport {
        let last = self.last();
        let written = self.db.count_range(self.first, last);
        let result = self.db.delete_range(self.first, last);
        self.removed = result.is_ok();
        if self.removed {
            let _gone = std::fs::remove_file(self.db.path().join(MARKER));
        }
        OwnKeysReport {
            first: self.first,
            last,
            records: self.records,
            inserted: self.keys.current().saturating_sub(self.records),
            written,
            removed: *result.as_ref().unwrap_or(&0),
            error: result.err().map(|e| e.to_string()),
        }
    }
}

impl Drop for OwnKeys {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = running.iter().position(|p| p == self.db.path()) {
            running.swap_remove(i);
        }
        if !self.removed && self.db.delete_range(self.first, self.last()).is_ok() {
            let _gone = std::fs::remove_file(self.db.path().join(MARKER));
        }
    }
}

/// Writes the marker (temp file, fsync, rename, fsync of the directory).
fn write_marker(dir: &Path, first: i64, last: i64) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = dir.join(format!("{MARKER}.tmp"));
    let mut f = std::fs::File::create(&tmp)?;
    let text = serde_json::json!({ "first": first, "last": last }).to_string();
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(MARKER))?;
    std::fs::File::open(dir)?.sync_all()
}

/// Removes the range a workload stopped by a kill left behind (named by [`MARKER`]);
/// a line saying what was removed, or why not. `None` when there was no marker.
pub fn remove_leftover(db: &Db) -> Option<String> {
    let path = db.path().join(MARKER);
    let text = std::fs::read_to_string(&path).ok()?;
    let range = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|j| Some((j["first"].as_i64()?, j["last"].as_i64()?)));
    let Some((first, last)) = range else {
        return Some(format!("{MARKER} is not valid; it was left as it is"));
    };
    match db.delete_range(first, last) {
        Ok(n) => {
            let _gone = std::fs::remove_file(&path);
            Some(format!(
                "removed {} keys a stopped workload left in its own range {first}..={last}",
                thousands(n)
            ))
        }
        Err(e) => Some(format!(
            "could not remove the keys a stopped workload left in {first}..={last}: {e}"
        )),
    }
}

/// The widest run of keys `db` does not hold, inclusive, as `i128` (the ends of the key
/// space count as edges).
fn widest_gap(db: &Db) -> (i128, i128) {
    let (min, max) = match (db.min_key(), db.max_key()) {
        (Some(a), Some(b)) => (a as i128, b as i128),
        _ => return (i64::MIN as i128, i64::MAX as i128),
    };
    let mut best = (i64::MIN as i128, min - 1);
    let consider = |best: &mut (i128, i128), lo: i128, hi: i128| {
        if hi - lo > best.1 - best.0 {
            *best = (lo, hi);
        }
    };
    consider(&mut best, max + 1, i64::MAX as i128);
    if best.1 - best.0 >= 1i128 << (MAX_BITS + 2) {
        // Wide enough for the widest range: no need to read every key.
        return best;
    }
    let mut prev = min;
    loop {
        let from = prev as i64;
        let keys = db.keys(from, i64::MAX, CHUNK);
        for &k in keys.iter().skip(1) {
            consider(&mut best, prev + 1, k as i128 - 1);
            prev = k as i128;
        }
        if keys.len() < CHUNK {
            break;
        }
    }
    best
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
