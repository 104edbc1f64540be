//! Bulk load: many rows at once, through sorted SST files and one ingest (or, on an
//! empty database, write batches with the WAL off). ALEX and the value cache are brought
//! to agree with RocksDB before a load returns.
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde::Serialize;

use super::codec::{MAX_SAMPLES, sample_values};
use super::db::Db;
use super::db::stripe_index;
use super::error::DbError;
use super::index::AlexIndex;
use super::options::{BulkLoadMethod, ValueCacheCompression, WarmValueCache};
use super::store::{SstFiles, Store};
use crate::metrics::{Counter, OpKind, Timer};

/// Rows per write batch on the WAL-off load path.
const WAL_OFF_BATCH_ROWS: usize = 10_000;
/// Value bytes buffered before an unsorted load sorts them into SST files. Input that
/// fits is written as non-overlapping files straight into the last level (no compaction
/// afterwards); 10M rows of 100 bytes fit.
const UNSORTED_CHUNK_BYTES: usize = 1 << 30;
/// A load buffers this much of its input before trusting that it arrives sorted.
const SORTED_PREFIX_BYTES: usize = 64 << 20;
/// Rows the value cache's warm-up fills first, to measure what a cached row takes.
const WARM_PROBE_ROWS: usize = 4096;
/// Rows [`Db::warm_value_cache`] reads in one step (one RocksDB iterator): short enough
/// that a reopen waiting for the store is not held up, long enough to pay for the seek.
const WARM_CHUNK_ROWS: usize = 4096;
/// `load` reports progress every this many rows.
const PROGRESS_EVERY: u64 = 1 << 16;

/// How far [`Db::warm_value_cache`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarmProgress {
    /// Rows read from RocksDB into the value cache so far.
    pub rows: u64,
    /// Rows it expects to fill in all: the database's keys, or fewer when the cache's
    /// free room holds fewer (an estimate that firms up as values are cached).
    pub target: u64,
}

/// Why a warm-up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarmStop {
    /// Every row of the database was read.
    AllRows,
    /// The value cache had no free room left.
    CacheFull,
    /// The value cache is off (size or entries 0).
    CacheOff,
    /// The progress callback asked it to stop.
    Stopped,
}

impl WarmStop {
    pub fn as_str(self) -> &'static str {
        match self {
            WarmStop::AllRows => "all rows read",
            WarmStop::CacheFull => "the value cache is full",
            WarmStop::CacheOff => "the value cache is off",
            WarmStop::Stopped => "stopped",
        }
    }
}

/// The outcome of [`Db::warm_value_cache`].
#[derive(Debug, Clone, Serialize)]
pub struct WarmReport {
    pub rows: u64,
    pub stop: WarmStop,
    pub secs: f64,
    /// Values the cache holds at the end.
    pub cache_entries: u64,
}

/// The outcome of a `load`.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Rows read from the input (duplicates included).
    pub rows: u64,
    /// Value bytes read from the input.
    pub bytes: u64,
    /// Keys that did not exist before the load.
    pub new_keys: u64,
    pub method: BulkLoadMethod,
    /// The database was empty, so ALEX was bulk-loaded rather than inserted into.
    pub was_empty: bool,
    /// The input keys arrived strictly increasing.
    pub sorted_input: bool,
    pub sst_files: usize,
    pub secs: f64,
    pub rows_per_sec: f64,
}
impl Db {
    /// Loads many rows at once. See [`Db::load_with_progress`].
    pub fn load<I, V>(&self, rows: I) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = (i64, V)>,
        V: AsRef<[u8]>,
    {
        self.load_with_progress(rows, |_| {})
    }

    /// Loads many rows at once (a later row wins over an earlier one with the same key).
    ///
    /// With `bulk_load_method = sst-ingest` (the default) rows are written to sorted SST
    /// files and ingested in one step at the end: the load is all-or-nothing (an error,
    /// e.g. a value over 16 MiB, leaves the database as it was) and durable when it
    /// returns. Sorted input streams straight into the files; unsorted input is sorted in
    /// 1 GiB chunks. When the database was empty ALEX is bulk-loaded from the keys.
    ///
    /// With `wal-off-batches` (empty database only) rows go through write batches with
    /// the WAL off and a flush at the end; puts and deletes wait until it finishes.
    ///
    /// `progress` is called with the rows read so far every 65,536 rows.
    pub fn load_with_progress<I, V>(
        &self,
        rows: I,
        progress: impl FnMut(u64),
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = (i64, V)>,
        V: AsRef<[u8]>,
    {
        self.load_results(rows.into_iter().map(Ok), progress)
    }

    /// `load_with_progress` for a source that can fail (a file with a bad line): the
    /// first `Err` row aborts the load. With `sst-ingest` nothing becomes visible then;
    /// with `wal-off-batches` the rows already written stay and ALEX is made to match.
    pub fn load_results<I, V>(
        &self,
        rows: I,
        mut progress: impl FnMut(u64),
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = Result<(i64, V), DbError>>,
        V: AsRef<[u8]>,
    {
        let start = Instant::now();
        let timer = Some(Timer::now());
        let _one_load = self.load_lock.lock();
        let (method, rows_per_file) = {
            let o = self.opts.read();
            (o.bulk_load_method, o.bulk_load_rows_per_file)
        };
        let was_empty = self.is_empty() && self.store()?.is_empty()?;
        let mut tally = Tally::default();
        let mut report = if was_empty && method == BulkLoadMethod::WalOffBatches {
            self.load_wal_off(rows, &mut progress, &mut tally)?
        } else {
            self.load_sst(rows, rows_per_file, was_empty, &mut progress, &mut tally)
                .map_err(|e| bad_input_note(e, "nothing was loaded"))?
        };
        report.secs = start.elapsed().as_secs_f64();
        report.rows_per_sec = if report.secs > 0.0 {
            report.rows as f64 / report.secs
        } else {
            0.0
        };
        self.metrics.incr(Counter::Loads);
        self.tally(&mut tally, report.rows, report.bytes);
        self.metrics.finish(OpKind::Load, timer);
        Ok(report)
    }

    fn load_sst<I, V>(
        &self,
        rows: I,
        rows_per_file: usize,
        was_empty: bool,
        progress: &mut impl FnMut(u64),
        tally: &mut Tally,
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = Result<(i64, V), DbError>>,
        V: AsRef<[u8]>,
    {
        let dir = self.store()?.load_dir()?;
        let r = self.load_sst_in(&dir, rows, rows_per_file, was_empty, progress, tally);
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    fn load_sst_in<I, V>(
        &self,
        dir: &Path,
        rows: I,
        rows_per_file: usize,
        was_empty: bool,
        progress: &mut impl FnMut(u64),
        tally: &mut Tally,
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = Result<(i64, V), DbError>>,
        V: AsRef<[u8]>,
    {
        // One read guard for the whole load (a reopen waits for it; never nest a second).
        let store = self.store()?;
        let mut files = store.sst_files(dir, rows_per_file);
        let mut sorter = SstSorter::new();
        let (mut n, mut bytes) = (0u64, 0u64);
        for item in rows {
            let (k, v) = item?;
            let v = v.as_ref();
            DbError::check_value(v)?;
            n += 1;
            bytes += v.len() as u64;
            sorter.push(&mut files, k, v)?;
            if n.is_multiple_of(PROGRESS_EVERY) {
                self.tally(tally, n, bytes);
                progress(n);
            }
        }
        let sorted = sorter.sorted;
        let keys = sorter.finish(&mut files)?;
        let paths = files.finish()?;
        progress(n);
        let new_keys = {
            // Make the rows visible (and durable) and update ALEX while no put or delete
            // runs, so the two agree on every key afterwards.
            let _gate = self.write_gate.write();
            store.ingest(&paths)?;
            self.invalidate_cache_after_load(Some(&keys));
            self.retrain_codec(&store, &keys);
            self.warm_cache(&store, &keys)?;
            self.merge_into_index(keys)?
        };
        Ok(LoadReport {
            rows: n,
            bytes,
            new_keys,
            method: BulkLoadMethod::SstIngest,
            was_empty,
            sorted_input: sorted,
            sst_files: paths.len(),
            secs: 0.0,
            rows_per_sec: 0.0,
        })
    }

    fn load_wal_off<I, V>(
        &self,
        rows: I,
        progress: &mut impl FnMut(u64),
        tally: &mut Tally,
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = Result<(i64, V), DbError>>,
        V: AsRef<[u8]>,
    {
        let _gate = self.write_gate.write();
        let mut keys: Vec<i64> = Vec::new();
        let mut batch: Vec<(i64, V)> = Vec::with_capacity(WAL_OFF_BATCH_ROWS);
        let mut sorted = true;
        let (mut n, mut bytes) = (0u64, 0u64);
        // Rows handed to RocksDB: they stay if a later row fails.
        let mut written = 0u64;
        let result = (|| {
            for item in rows {
                let (k, v) = item?;
                DbError::check_value(v.as_ref())?;
                n += 1;
                bytes += v.as_ref().len() as u64;
                if keys.last().is_some_and(|&l| k <= l) {
                    sorted = false;
                }
                keys.push(k);
                batch.push((k, v));
                if batch.len() >= WAL_OFF_BATCH_ROWS {
                    self.store()?.write_batch_no_wal(&batch)?;
                    written += batch.len() as u64;
                    batch.clear();
                }
                if n.is_multiple_of(PROGRESS_EVERY) {
                    self.tally(tally, n, bytes);
                    progress(n);
                }
            }
            let store = self.store()?;
            store.write_batch_no_wal(&batch)?;
            store.flush()
        })();
        if let Err(e) = result {
            // Part of the rows may be in RocksDB: make ALEX match what is there.
            if let Ok(all) = self.store().and_then(|s| s.keys())
                && let Ok(ix) = AlexIndex::bulk_load(&all.keys)
            {
                *self.index.write() = ix;
            }
            self.invalidate_cache_after_load(None);
            let kept = match written {
                0 => "nothing was loaded".to_string(),
                n => format!(
                    "the first {n} rows were loaded and stay (bulk_load_method wal-off-batches writes as it reads)"
                ),
            };
            return Err(bad_input_note(e, &kept));
        }
        progress(n);
        if !sorted {
            keys.sort_unstable();
            keys.dedup();
        }
        self.invalidate_cache_after_load(Some(&keys));
        if let Ok(store) = self.store() {
            self.retrain_codec(&store, &keys);
        }
        let new_keys = self.merge_into_index(keys)?;
        Ok(LoadReport {
            rows: n,
            bytes,
            new_keys,
            method: BulkLoadMethod::WalOffBatches,
            was_empty: true,
            sorted_input: sorted,
            sst_files: 0,
            secs: 0.0,
            rows_per_sec: 0.0,
        })
    }

    /// Adds the rows and bytes read since the last call to the written counters, so a
    /// dashboard sees a load's throughput while it runs rather than all of it at the end.
    fn tally(&self, tally: &mut Tally, rows: u64, bytes: u64) {
        self.metrics
            .add(Counter::RowsWritten, rows.saturating_sub(tally.rows));
        self.metrics
            .add(Counter::BytesWritten, bytes.saturating_sub(tally.bytes));
        *tally = Tally { rows, bytes };
    }

    /// A zstd-dict value cache learns its dictionary again from values of the rows just
    /// loaded (up to `codec::MAX_SAMPLES`, spread evenly over the sorted `keys`). A
    /// dictionary that cannot be trained keeps the old codec: compression is an economy,
    /// never a reason to fail a load.
    fn retrain_codec(&self, store: &Store, keys: &[i64]) {
        if self.cache.compression() != ValueCacheCompression::ZstdDict || keys.is_empty() {
            return;
        }
        let step = keys.len().div_ceil(MAX_SAMPLES);
        let values: Vec<Vec<u8>> = keys
            .iter()
            .step_by(step)
            .filter_map(|&k| store.get_pinned(k).ok().flatten().map(|v| v.to_vec()))
            .collect();
        let samples = sample_values(values.iter(), values.len() as u64);
        let refs: Vec<&[u8]> = samples.iter().map(|v| &v[..]).collect();
        let _ = self.cache.retrain(&refs);
    }

    /// After a load of sorted `keys`, fills the value cache's free room with the loaded
    /// key range's top rows. A load leaves the block cache cold (ingested files are not in
    /// it) while SQLite's page cache holds what it just wrote; warming the value cache
    /// gives alexdb the same start. A first slice of rows measures what a cached row
    /// takes (compressed, with its bookkeeping), so the rest fills the room there is
    /// rather than a guess. Only with `warm_value_cache = inline` (`background` warms
    /// after the load: [`Db::warm_value_cache`]). Caller holds the write gate, so no
    /// value read here can be stale.
    fn warm_cache(&self, store: &Store, keys: &[i64]) -> Result<(), DbError> {
        if self.opts.read().warm_mode() != WarmValueCache::Inline {
            return Ok(());
        }
        let mut end = keys.len();
        for probe in [true, false] {
            let room = self
                .cache
                .capacity()
                .saturating_sub(self.cache.len())
                .min(end);
            let n = if probe {
                room.min(WARM_PROBE_ROWS)
            } else {
                room
            };
            if n == 0 {
                break;
            }
            store.scan(keys[end - n], keys[end - 1], n, |k, v| {
                self.cache.fill(k, Arc::from(v), || true);
            })?;
            end -= n;
        }
        self.relend(self.opts.read().block_cache_bytes);
        Ok(())
    }

    /// Fills the value cache's free room with stored rows in key order, a few thousand
    /// at a time, until every row was read, the cache is full, or `progress` (called
    /// before each step) returns `false`. What the cache already holds is kept.
    ///
    /// It takes no lock a put, delete or load waits for: each step reads one RocksDB
    /// iterator and fills the cache the way a get's miss does, only when no write to the
    /// key's stripe happened since the step began (the stripes' write sequences are read
    /// before the iterator is made), so a value a concurrent put or delete replaced is
    /// never cached. `warm_value_cache` decides whether front ends run it; this method
    /// runs whatever it says.
    pub fn warm_value_cache(
        &self,
        mut progress: impl FnMut(WarmProgress) -> bool,
    ) -> Result<WarmReport, DbError> {
        let start = Instant::now();
        let keys = self.len() as u64;
        let mut rows = 0u64;
        let mut from = self.min_key();
        let stop = loop {
            if !self.cache.is_enabled() {
                break WarmStop::CacheOff;
            }
            let room = self.cache.capacity().saturating_sub(self.cache.len());
            let target = (rows + room as u64).min(keys.max(rows));
            if !progress(WarmProgress { rows, target }) {
                break WarmStop::Stopped;
            }
            let Some(a) = from else {
                break WarmStop::AllRows;
            };
            if room == 0 {
                break WarmStop::CacheFull;
            }
            let want = room.min(WARM_CHUNK_ROWS);
            let seqs: Vec<u64> = self
                .stripes
                .iter()
                .map(|s| s.seq.load(Ordering::Acquire))
                .collect();
            let mut last = None;
            let got = self.store()?.scan(a, i64::MAX, want, |k, v| {
                let i = stripe_index(k);
                let stripe = &self.stripes[i];
                self.cache.fill(k, Arc::from(v), || {
                    stripe.seq.load(Ordering::Acquire) == seqs[i]
                });
                last = Some(k);
            })?;
            rows += got as u64;
            self.relend(self.opts.read().block_cache_bytes);
            from = match last {
                Some(k) if got == want && k < i64::MAX => Some(k + 1),
                _ => None,
            };
        };
        if stop != WarmStop::Stopped {
            // Done: what it filled is all it meant to.
            progress(WarmProgress { rows, target: rows });
        }
        Ok(WarmReport {
            rows,
            stop,
            secs: start.elapsed().as_secs_f64(),
            cache_entries: self.cache.len() as u64,
        })
    }

    /// Adds sorted, distinct `keys` to ALEX: a bulk load when ALEX is empty or the new
    /// keys are many, inserts when they are few. Returns how many of `keys` ALEX did not
    /// hold (the load's own new keys, whatever other writers did before). Caller holds
    /// the write gate.
    fn merge_into_index(&self, keys: Vec<i64>) -> Result<u64, DbError> {
        let existing = self.index.read().len();
        let added = keys.len();
        if existing == 0 {
            let ix = AlexIndex::bulk_load(&keys)?;
            *self.index.write() = ix;
            Ok(added as u64)
        } else if added < existing / 8 {
            let mut ix = self.index.write();
            let mut new = 0;
            for k in keys {
                new += u64::from(ix.insert(k));
            }
            Ok(new)
        } else {
            // Build the merged index aside (readers keep using the old one), then swap.
            let (merged, before) = {
                let ix = self.index.read();
                (merge_sorted(ix.iter(), keys), ix.len())
            };
            let new = merged.len().saturating_sub(before) as u64;
            let ix = AlexIndex::bulk_load(&merged)?;
            *self.index.write() = ix;
            Ok(new)
        }
    }

    /// After a load: no cached value may be older than what RocksDB now holds. Drops the
    /// loaded keys from the cache (or everything, when the load is larger than the
    /// cache or its keys are unknown). Bumping every write sequence first makes any get
    /// that read an old value before the load drop its fill.
    fn invalidate_cache_after_load(&self, keys: Option<&[i64]>) {
        for s in self.stripes.iter() {
            s.seq.fetch_add(1, Ordering::Release);
        }
        match keys {
            Some(keys) if keys.len() <= self.cache.len() => {
                for &k in keys {
                    self.cache.remove(k);
                }
            }
            _ => self.cache.clear(),
        }
    }
}

/// A bad input row's error with what became of the load (`note`): one line.
fn bad_input_note(e: DbError, note: &str) -> DbError {
    match e {
        DbError::Input(msg) => DbError::Input(format!("{msg}; {note}")),
        other => other,
    }
}

/// Rows and bytes of a running load already added to the metrics.
#[derive(Debug, Default)]
struct Tally {
    rows: u64,
    bytes: u64,
}

/// Joins sorted, distinct runs of keys into one sorted, distinct vector; sorts only if
/// the runs overlap.
fn join_runs(runs: Vec<Vec<i64>>) -> Vec<i64> {
    let mut runs: Vec<Vec<i64>> = runs.into_iter().filter(|r| !r.is_empty()).collect();
    if runs.len() <= 1 {
        return runs.pop().unwrap_or_default();
    }
    let in_order = runs.windows(2).all(|w| match (w[0].last(), w[1].first()) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    });
    let mut keys = runs.concat();
    if !in_order {
        keys.sort_unstable();
        keys.dedup();
    }
    keys
}

/// Merges two sorted, distinct key sequences into one sorted, distinct vector.
fn merge_sorted(a: impl Iterator<Item = i64>, b: Vec<i64>) -> Vec<i64> {
    let mut out = Vec::with_capacity(b.len());
    let mut a = a.peekable();
    let mut b = b.into_iter().peekable();
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (Some(x), Some(y)) => {
                if x < y {
                    out.push(x);
                    a.next();
                } else if y < x {
                    out.push(y);
                    b.next();
                } else {
                    out.push(x);
                    a.next();
                    b.next();
                }
            }
            (Some(x), None) => {
                out.push(x);
                a.next();
            }
            (None, Some(y)) => {
                out.push(y);
                b.next();
            }
            (None, None) => return out,
        }
    }
}

/// Unsorted load rows buffered in one arena, sorted and written as one SST file.
#[derive(Default)]
struct Chunk {
    arena: Vec<u8>,
    /// (key, offset into arena, length); pushed in input order.
    rows: Vec<(i64, usize, usize)>,
}

impl Chunk {
    fn push(&mut self, key: i64, value: &[u8]) {
        self.rows.push((key, self.arena.len(), value.len()));
        self.arena.extend_from_slice(value);
    }

    /// Writes the buffered rows as SST files (sorting them first unless `in_order`) and
    /// empties the buffer.
    /// The written keys (sorted, distinct) are appended to `runs` as one run.
    fn write(
        &mut self,
        files: &mut SstFiles<'_>,
        in_order: bool,
        runs: &mut Vec<Vec<i64>>,
    ) -> Result<(), DbError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        if !in_order {
            // Offsets grow in input order, so (key, offset) sorts equal keys in input
            // order (an unstable sort is then as good as a stable one, and faster).
            self.rows.sort_unstable_by_key(|r| (r.0, r.1));
        }
        let n = self.rows.len();
        let mut run = Vec::with_capacity(n);
        for i in 0..n {
            // The last row of each run of equal keys wins.
            if i + 1 < n && self.rows[i + 1].0 == self.rows[i].0 {
                continue;
            }
            let (k, off, len) = self.rows[i];
            files.put(k, &self.arena[off..off + len])?;
            run.push(k);
        }
        runs.push(run);
        files.end_file()?;
        self.rows.clear();
        self.arena.clear();
        Ok(())
    }
}

/// Turns load rows in any order into sorted SST files and ALEX's sorted key list.
struct SstSorter {
    /// Keys come out of the SST writes as sorted runs (one per chunk, one per streamed
    /// stretch), so ALEX's key list needs no separate sort in the usual cases (sorted
    /// input; random input that fits one chunk).
    runs: Vec<Vec<i64>>,
    stream_run: Vec<i64>,
    chunk: Chunk,
    /// Rows are buffered until `SORTED_PREFIX_BYTES` of them arrived in order; then sorted
    /// input streams straight into SST files. Input whose order breaks early (random
    /// keys) is thus sorted whole in memory, giving non-overlapping files.
    mode: LoadMode,
    /// Every key so far came in ascending order.
    sorted: bool,
    last: Option<i64>,
}

impl SstSorter {
    fn new() -> SstSorter {
        SstSorter {
            runs: Vec::new(),
            stream_run: Vec::new(),
            chunk: Chunk::default(),
            mode: LoadMode::Buffering,
            sorted: true,
            last: None,
        }
    }

    fn push(&mut self, files: &mut SstFiles<'_>, k: i64, v: &[u8]) -> Result<(), DbError> {
        let in_order = self.last.is_none_or(|l| k > l);
        self.last = Some(k);
        self.sorted &= in_order;
        match self.mode {
            LoadMode::Streaming if in_order => {
                files.put(k, v)?;
                self.stream_run.push(k);
            }
            LoadMode::Streaming => {
                // The order broke after a long sorted run: sort the rest in chunks.
                files.end_file()?;
                self.runs.push(std::mem::take(&mut self.stream_run));
                self.mode = LoadMode::Chunks;
                self.chunk.push(k, v);
            }
            LoadMode::Buffering if !in_order => {
                self.mode = LoadMode::Chunks;
                self.chunk.push(k, v);
            }
            LoadMode::Buffering => {
                self.chunk.push(k, v);
                if self.chunk.arena.len() >= SORTED_PREFIX_BYTES {
                    self.chunk.write(files, true, &mut self.runs)?;
                    self.mode = LoadMode::Streaming;
                }
            }
            LoadMode::Chunks => {
                self.chunk.push(k, v);
                if self.chunk.arena.len() >= UNSORTED_CHUNK_BYTES {
                    self.chunk.write(files, false, &mut self.runs)?;
                }
            }
        }
        Ok(())
    }

    /// Writes what is buffered; the loaded keys, sorted, without duplicates.
    fn finish(mut self, files: &mut SstFiles<'_>) -> Result<Vec<i64>, DbError> {
        let buffered_in_order = self.mode == LoadMode::Buffering;
        self.chunk.write(files, buffered_in_order, &mut self.runs)?;
        self.runs.push(self.stream_run);
        Ok(join_runs(self.runs))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoadMode {
    /// Input sorted so far, rows held in memory.
    Buffering,
    /// Input sorted for a long while: rows go straight to SST files.
    Streaming,
    /// Input out of order: rows are sorted in memory, chunk by chunk.
    Chunks,
}

#[cfg(test)]
mod tests {
    use super::{join_runs, merge_sorted};

    #[test]
    fn runs_join_sorted_and_distinct() {
        assert_eq!(
            join_runs(vec![vec![1, 2], vec![], vec![5, 9]]),
            vec![1, 2, 5, 9]
        );
        assert_eq!(join_runs(vec![vec![1, 5], vec![2, 5, 7]]), vec![1, 2, 5, 7]);
        assert_eq!(join_runs(vec![]), Vec::<i64>::new());
    }

    #[test]
    fn merge_keeps_order_and_drops_duplicates() {
        assert_eq!(
            merge_sorted([1, 3, 5].into_iter(), vec![2, 3, 6]),
            vec![1, 2, 3, 5, 6]
        );
        assert_eq!(merge_sorted([].into_iter(), vec![1]), vec![1]);
    }
}
