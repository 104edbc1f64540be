//! `Db`: the ALEX index, RocksDB and the LRU value cache behind one thread-safe handle.
//!
//! Read path: value cache -> ALEX (absent: `None`, RocksDB is not called) -> RocksDB
//! `get_pinned` -> fill the cache. Writes: RocksDB (WAL on by default) -> ALEX (new keys)
//! -> cache (updated if cached). Deletes remove the key from all three.
//!
//! Concurrency: ALEX sits behind a `RwLock` (readers share it; a writer holds it only to
//! insert or remove one key, never across a RocksDB call). Writers of the same key are
//! serialised by one of 256 key-striped mutexes, so RocksDB, ALEX and the cache change in
//! the same order for a key. Each stripe also carries a write sequence number: a get that
//! read a value from RocksDB only caches it if no write to that stripe happened since the
//! read began, so a slow reader cannot put a stale value back into the cache.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Instant;

use parking_lot::{MappedRwLockReadGuard, Mutex, RwLock, RwLockReadGuard};
use serde::Serialize;

use super::cache::{Value, ValueCache};
use super::error::DbError;
use super::index::{AlexIndex, IndexStats};
use super::options::{BulkLoadMethod, DbOptions, PerfLevel};
use super::store::{Store, apply_perf_level, perf_read};
use crate::metrics::{
    Counter, Gauges, GetTiming, Metrics, MetricsWindow, OpKind, RawState, RocksTickers, Snapshot,
    Timer,
};

const KEY_STRIPES: usize = 256;
/// Rows per write batch on the WAL-off load path.
const WAL_OFF_BATCH_ROWS: usize = 10_000;
/// Value bytes buffered before an unsorted load sorts them into SST files. Input that
/// fits is written as non-overlapping files straight into the last level (no compaction
/// afterwards); 10M rows of 100 bytes fit.
const UNSORTED_CHUNK_BYTES: usize = 1 << 30;
/// A load buffers this much of its input before trusting that it arrives sorted.
const SORTED_PREFIX_BYTES: usize = 64 << 20;
/// `load` reports progress every this many rows.
const PROGRESS_EVERY: u64 = 1 << 16;

#[repr(align(64))]
struct KeyStripe {
    lock: Mutex<()>,
    seq: AtomicU64,
}

/// What `open` found and how long the ALEX rebuild took.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OpenStats {
    pub keys: u64,
    /// Opening RocksDB (includes WAL replay).
    pub rocksdb_open_secs: f64,
    /// Reading every key from RocksDB (keys only).
    pub read_keys_secs: f64,
    /// Bulk-loading ALEX with them.
    pub index_build_secs: f64,
    pub total_secs: f64,
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

/// Result of [`Db::check`].
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub alex_keys: u64,
    pub rocksdb_keys: u64,
    /// ALEX's own structural self-check.
    pub alex_valid: Result<(), String>,
    pub ok: bool,
}

/// The database. `Send + Sync`: share it with `Arc<Db>` between worker threads and the
/// shell.
pub struct Db {
    /// `None` only while a reopen has closed RocksDB (readers wait on the lock), or
    /// after a reopen failed twice.
    pub(super) store: RwLock<Option<Store>>,
    /// Tickers of RocksDB instances closed by reopens, so counters never go back.
    pub(super) ticker_base: Mutex<RocksTickers>,
    /// Why the database is closed, when it is.
    pub(super) closed_reason: Mutex<Option<String>>,
    /// Test hook: the next reopen fails as if RocksDB refused the new options.
    pub(super) fail_next_reopen: AtomicBool,
    /// Test hook: RocksDB's next `SetOptions` is treated as refused.
    pub(super) fail_next_live_set: AtomicBool,
    /// PerfContext level wanted on every operation thread (`PerfLevel as u8`).
    pub(super) perf_level: AtomicU8,
    pub(super) index: RwLock<AlexIndex>,
    pub(super) cache: ValueCache,
    pub(super) metrics: Metrics,
    stripes: Box<[KeyStripe]>,
    /// Puts and deletes hold it shared; a load holds it exclusively while it makes its
    /// rows visible, so ALEX and RocksDB never disagree about a key afterwards.
    pub(super) write_gate: RwLock<()>,
    pub(super) load_lock: Mutex<()>,
    /// One option change or reopen at a time.
    pub(super) options_lock: Mutex<()>,
    pub(super) opts: RwLock<DbOptions>,
    /// For the process RSS; `None` if sysinfo cannot read this platform.
    pub(super) sys: Mutex<Option<sysinfo::System>>,
    pub(super) open_stats: OpenStats,
    pub(super) closed: AtomicBool,
    pub(super) path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.path)
            .field("keys", &self.len())
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Opens (or creates) the database in directory `path` with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Db, DbError> {
        Self::open_with(path, DbOptions::default())
    }

    /// Opens (or creates, if `create_if_missing`) the database with `opts`, then
    /// rebuilds ALEX from RocksDB's keys.
    pub fn open_with(path: impl AsRef<Path>, opts: DbOptions) -> Result<Db, DbError> {
        opts.validate()?;
        let path = path.as_ref();
        let t0 = Instant::now();
        let store = Store::open(path, &opts)?;
        let t1 = Instant::now();
        let keys = store.keys()?;
        let t2 = Instant::now();
        let index = AlexIndex::bulk_load(&keys)?;
        let t3 = Instant::now();
        let open_stats = OpenStats {
            keys: keys.len() as u64,
            rocksdb_open_secs: (t1 - t0).as_secs_f64(),
            read_keys_secs: (t2 - t1).as_secs_f64(),
            index_build_secs: (t3 - t2).as_secs_f64(),
            total_secs: (t3 - t0).as_secs_f64(),
        };
        drop(keys);
        apply_perf_level(opts.perf_level);
        Ok(Db {
            store: RwLock::new(Some(store)),
            ticker_base: Mutex::new(RocksTickers::default()),
            closed_reason: Mutex::new(None),
            fail_next_reopen: AtomicBool::new(false),
            fail_next_live_set: AtomicBool::new(false),
            perf_level: AtomicU8::new(opts.perf_level as u8),
            index: RwLock::new(index),
            cache: ValueCache::new(opts.value_cache_entries, opts.value_cache_shards),
            metrics: Metrics::new(opts.metrics, opts.metrics_sample_rate),
            stripes: (0..KEY_STRIPES)
                .map(|_| KeyStripe {
                    lock: Mutex::new(()),
                    seq: AtomicU64::new(0),
                })
                .collect(),
            write_gate: RwLock::new(()),
            load_lock: Mutex::new(()),
            options_lock: Mutex::new(()),
            opts: RwLock::new(opts),
            sys: Mutex::new(sysinfo::System::new().ok()),
            open_stats,
            closed: AtomicBool::new(false),
            path: path.to_path_buf(),
        })
    }

    /// Flushes the memtables (so the next open replays no log) and releases the
    /// directory lock. Dropping a `Db` does the same, ignoring errors.
    pub fn close(self) -> Result<(), DbError> {
        let r = self.store().and_then(|s| s.flush());
        self.closed.store(true, Ordering::Relaxed);
        r
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options in force (including live changes).
    pub fn options(&self) -> DbOptions {
        self.opts.read().clone()
    }

    pub fn open_stats(&self) -> OpenStats {
        self.open_stats
    }

    /// RocksDB, shared. Waits while a reopen has it closed; fails if it stayed closed.
    /// Never take a second guard while holding one: a waiting reopen would deadlock it.
    #[inline]
    pub(super) fn store(&self) -> Result<MappedRwLockReadGuard<'_, Store>, DbError> {
        RwLockReadGuard::try_map(self.store.read(), |s| s.as_ref()).map_err(|_| DbError::Closed {
            reason: self
                .closed_reason
                .lock()
                .clone()
                .unwrap_or_else(|| "a reopen failed".to_string()),
        })
    }

    /// RocksDB's PerfContext level is per thread: bring this thread to the wanted one.
    /// Called on timed operations only, which are the ones that read the context.
    #[inline]
    pub(super) fn ensure_perf_level(&self) {
        thread_local! {
            static APPLIED: std::cell::Cell<u8> = const { std::cell::Cell::new(u8::MAX) };
        }
        let want = self.perf_level.load(Ordering::Relaxed);
        APPLIED.with(|a| {
            if a.get() != want {
                a.set(want);
                apply_perf_level(PerfLevel::from_index(want));
            }
        });
    }

    /// Whether `perf_level` times anything: RocksDB's own split needs timings; counts
    /// alone say nothing about where a get spent its time.
    fn perf_timing(&self) -> bool {
        self.perf_level.load(Ordering::Relaxed) >= PerfLevel::TimeExceptMutex as u8
    }

    #[inline]
    fn stripe(&self, key: i64) -> &KeyStripe {
        let h = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
        &self.stripes[h as usize % KEY_STRIPES]
    }

    // ----- reads -------------------------------------------------------------------

    /// The value of `key`, or `None` if it does not exist.
    #[inline]
    pub fn get(&self, key: i64) -> Result<Option<Value>, DbError> {
        if self.metrics.sample() {
            return self.get_timed(key);
        }
        if self.cache.is_enabled() {
            if let Some(v) = self.cache.get(key) {
                return Ok(Some(v));
            }
        } else {
            self.metrics.incr(Counter::GetsUncached);
        }
        if !self.index.read().contains(key) {
            self.metrics.incr(Counter::AlexAbsent);
            return Ok(None);
        }
        self.metrics.incr(Counter::AlexFound);
        let stripe = self.stripe(key);
        let seq = stripe.seq.load(Ordering::Acquire);
        let store = self.store()?;
        let Some(slice) = store.get_pinned(key)? else {
            // Deleted after ALEX was checked.
            return Ok(None);
        };
        let v: Value = Arc::from(&*slice);
        drop(slice);
        self.metrics.incr(Counter::RowsReadStore);
        self.metrics.add(Counter::BytesReadStore, v.len() as u64);
        self.cache
            .fill(key, v.clone(), || stripe.seq.load(Ordering::Acquire) == seq);
        Ok(Some(v))
    }

    /// `get` with every layer timed (1 in `metrics_sample_rate` gets).
    #[cold]
    fn get_timed(&self, key: i64) -> Result<Option<Value>, DbError> {
        let mut t = GetTiming::start();
        if self.cache.is_enabled() {
            let hit = self.cache.get(key);
            t.cache();
            if let Some(v) = hit {
                t.finish(&self.metrics);
                return Ok(Some(v));
            }
        } else {
            self.metrics.incr(Counter::GetsUncached);
        }
        let present = self.index.read().contains(key);
        t.alex();
        if !present {
            self.metrics.incr(Counter::AlexAbsent);
            t.finish(&self.metrics);
            return Ok(None);
        }
        self.metrics.incr(Counter::AlexFound);
        let stripe = self.stripe(key);
        let seq = stripe.seq.load(Ordering::Acquire);
        t.rest();
        self.ensure_perf_level();
        let perf = self.perf_timing();
        let store = self.store()?;
        let before = if perf {
            perf_read()
        } else {
            Default::default()
        };
        let slice = store.get_pinned(key)?;
        t.rocksdb();
        if perf {
            let p = perf_read().since(&before);
            let m = &self.metrics;
            m.incr(Counter::PerfGets);
            m.add(Counter::PerfMemtableNs, p.memtable_ns);
            m.add(Counter::PerfFilterNs, p.filter_ns);
            m.add(Counter::PerfIndexNs, p.index_ns);
            m.add(Counter::PerfSstNs, p.sst_ns);
            m.add(Counter::PerfBlockReadNs, p.block_read_ns);
            m.add(Counter::PerfDecompressNs, p.decompress_ns);
            t.rest();
        }
        let Some(slice) = slice else {
            t.finish(&self.metrics);
            return Ok(None);
        };
        let v: Value = Arc::from(&*slice);
        drop(slice);
        self.metrics.incr(Counter::RowsReadStore);
        self.metrics.add(Counter::BytesReadStore, v.len() as u64);
        t.rest();
        self.cache
            .fill(key, v.clone(), || stripe.seq.load(Ordering::Acquire) == seq);
        t.cache();
        t.finish(&self.metrics);
        Ok(Some(v))
    }

    /// Whether `key` exists (ALEX only; no value is read).
    pub fn contains(&self, key: i64) -> bool {
        self.index.read().contains(key)
    }

    /// Rows with `a <= key <= b` in key order, at most `limit` of them. Values come from
    /// one RocksDB iterator over the encoded range (measured faster than ALEX range +
    /// MultiGet; see tests/engine_measure.rs).
    pub fn scan(&self, a: i64, b: i64, limit: usize) -> Result<Vec<(i64, Value)>, DbError> {
        let t = self.metrics.start();
        let mut out = Vec::with_capacity(limit.min(1024));
        let mut bytes = 0u64;
        self.store()?.scan(a, b, limit, |k, v| {
            bytes += v.len() as u64;
            out.push((k, Arc::from(v)));
        })?;
        self.metrics.incr(Counter::Scans);
        self.metrics.add(Counter::RowsReadStore, out.len() as u64);
        self.metrics.add(Counter::BytesReadStore, bytes);
        self.metrics.finish(OpKind::Scan, t);
        Ok(out)
    }

    /// `scan` done the other way: keys from ALEX's range, values by batched MultiGet.
    /// Kept for the measurement in tests/engine_measure.rs.
    #[doc(hidden)]
    pub fn scan_multiget(
        &self,
        a: i64,
        b: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Value)>, DbError> {
        if a > b {
            return Ok(Vec::new());
        }
        let keys: Vec<i64> = self.index.read().range(a..=b).take(limit).collect();
        let mut out = Vec::with_capacity(keys.len());
        self.store()?.multi_get(&keys, |k, v| {
            if let Some(v) = v {
                out.push((k, Arc::from(v)));
            }
        })?;
        Ok(out)
    }

    /// Number of keys (from ALEX).
    pub fn count(&self) -> u64 {
        let t = self.metrics.start();
        let n = self.index.read().len() as u64;
        self.metrics.incr(Counter::Counts);
        self.metrics.finish(OpKind::Count, t);
        n
    }

    /// Number of keys with `a <= key <= b` (from ALEX).
    pub fn count_range(&self, a: i64, b: i64) -> u64 {
        let t = self.metrics.start();
        let n = if a > b {
            0
        } else {
            self.index.read().range(a..=b).count() as u64
        };
        self.metrics.incr(Counter::Counts);
        self.metrics.finish(OpKind::Count, t);
        n
    }

    /// Number of keys, without counting it as an operation.
    pub fn len(&self) -> usize {
        self.index.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.read().is_empty()
    }

    pub fn min_key(&self) -> Option<i64> {
        self.index.read().min_key()
    }

    pub fn max_key(&self) -> Option<i64> {
        self.index.read().max_key()
    }

    /// Up to `limit` keys with `a <= key <= b`, in order (from ALEX; no values read).
    pub fn keys(&self, a: i64, b: i64, limit: usize) -> Vec<i64> {
        if a > b {
            return Vec::new();
        }
        self.index.read().range(a..=b).take(limit).collect()
    }

    // ----- writes ------------------------------------------------------------------

    /// Stores `value` under `key`. Returns `true` if the key is new. Values over 16 MiB
    /// are refused ([`DbError::ValueTooLarge`]) and change nothing.
    pub fn put(&self, key: i64, value: &[u8]) -> Result<bool, DbError> {
        DbError::check_value(value)?;
        let t = self.metrics.start();
        let is_new;
        {
            let _gate = self.write_gate.read();
            let stripe = self.stripe(key);
            let _k = stripe.lock.lock();
            self.store()?.put(key, value)?;
            is_new = !self.index.read().contains(key) && self.index.write().insert(key);
            stripe.seq.fetch_add(1, Ordering::Release);
            self.cache.update_if_present(key, || Arc::from(value));
        }
        self.metrics.incr(Counter::Puts);
        self.metrics.incr(Counter::RowsWritten);
        self.metrics.add(Counter::BytesWritten, value.len() as u64);
        self.metrics.finish(OpKind::Put, t);
        Ok(is_new)
    }

    /// Removes `key`. Returns `true` if it existed.
    pub fn delete(&self, key: i64) -> Result<bool, DbError> {
        let t = self.metrics.start();
        let existed;
        {
            let _gate = self.write_gate.read();
            let stripe = self.stripe(key);
            let _k = stripe.lock.lock();
            existed = self.index.read().contains(key);
            if existed {
                self.store()?.delete(key)?;
                self.index.write().remove(key);
                stripe.seq.fetch_add(1, Ordering::Release);
                self.cache.remove(key);
            }
        }
        self.metrics.incr(Counter::Deletes);
        if existed {
            self.metrics.incr(Counter::RowsDeleted);
        }
        self.metrics.finish(OpKind::Delete, t);
        Ok(existed)
    }

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
        let keys_before = self.len() as u64;
        let was_empty = keys_before == 0 && self.store()?.is_empty()?;
        let mut report = if was_empty && method == BulkLoadMethod::WalOffBatches {
            self.load_wal_off(rows, &mut progress)?
        } else {
            self.load_sst(rows, rows_per_file, was_empty, &mut progress)?
        };
        report.new_keys = (self.len() as u64).saturating_sub(keys_before);
        report.secs = start.elapsed().as_secs_f64();
        report.rows_per_sec = if report.secs > 0.0 {
            report.rows as f64 / report.secs
        } else {
            0.0
        };
        self.metrics.incr(Counter::Loads);
        self.metrics.add(Counter::RowsWritten, report.rows);
        self.metrics.add(Counter::BytesWritten, report.bytes);
        self.metrics.finish(OpKind::Load, timer);
        Ok(report)
    }

    fn load_sst<I, V>(
        &self,
        rows: I,
        rows_per_file: usize,
        was_empty: bool,
        progress: &mut impl FnMut(u64),
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = Result<(i64, V), DbError>>,
        V: AsRef<[u8]>,
    {
        let dir = self.store()?.load_dir()?;
        let r = self.load_sst_in(&dir, rows, rows_per_file, was_empty, progress);
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
    ) -> Result<LoadReport, DbError>
    where
        I: IntoIterator<Item = Result<(i64, V), DbError>>,
        V: AsRef<[u8]>,
    {
        // One read guard for the whole load (a reopen waits for it; never nest a second).
        let store = self.store()?;
        let mut files = store.sst_files(dir, rows_per_file);
        // Keys come out of the SST writes as sorted runs (one per chunk, one per
        // streamed stretch), so ALEX's key list needs no separate sort in the usual
        // cases (sorted input; random input that fits one chunk).
        let mut runs: Vec<Vec<i64>> = Vec::new();
        let mut stream_run: Vec<i64> = Vec::new();
        let mut chunk = Chunk::default();
        // Rows are buffered until `SORTED_PREFIX_BYTES` of them arrived in order; then
        // sorted input streams straight into SST files. Input whose order breaks early
        // (random keys) is thus sorted whole in memory, giving non-overlapping files.
        let mut mode = LoadMode::Buffering;
        let mut sorted = true;
        let mut last: Option<i64> = None;
        let (mut n, mut bytes) = (0u64, 0u64);
        for item in rows {
            let (k, v) = item?;
            let v = v.as_ref();
            DbError::check_value(v)?;
            n += 1;
            bytes += v.len() as u64;
            let in_order = last.is_none_or(|l| k > l);
            last = Some(k);
            sorted &= in_order;
            match mode {
                LoadMode::Streaming if in_order => {
                    files.put(k, v)?;
                    stream_run.push(k);
                }
                LoadMode::Streaming => {
                    // The order broke after a long sorted run: sort the rest in chunks.
                    files.end_file()?;
                    runs.push(std::mem::take(&mut stream_run));
                    mode = LoadMode::Chunks;
                    chunk.push(k, v);
                }
                LoadMode::Buffering if !in_order => {
                    mode = LoadMode::Chunks;
                    chunk.push(k, v);
                }
                LoadMode::Buffering => {
                    chunk.push(k, v);
                    if chunk.arena.len() >= SORTED_PREFIX_BYTES {
                        chunk.write(&mut files, true, &mut runs)?;
                        mode = LoadMode::Streaming;
                    }
                }
                LoadMode::Chunks => {
                    chunk.push(k, v);
                    if chunk.arena.len() >= UNSORTED_CHUNK_BYTES {
                        chunk.write(&mut files, false, &mut runs)?;
                    }
                }
            }
            if n.is_multiple_of(PROGRESS_EVERY) {
                progress(n);
            }
        }
        chunk.write(&mut files, mode == LoadMode::Buffering, &mut runs)?;
        runs.push(stream_run);
        let keys = join_runs(runs);
        let paths = files.finish()?;
        progress(n);
        {
            // Make the rows visible (and durable) and update ALEX while no put or delete
            // runs, so the two agree on every key afterwards.
            let _gate = self.write_gate.write();
            store.ingest(&paths)?;
            self.invalidate_cache_after_load(Some(&keys));
            let warm = self.warm_start(&keys);
            self.merge_into_index(keys)?;
            if let Some((from, n)) = warm {
                // Writers are still held off, so no value read here can be stale.
                store.scan(from, i64::MAX, n, |k, v| {
                    self.cache.fill(k, Arc::from(v), || true);
                })?;
            }
        }
        Ok(LoadReport {
            rows: n,
            bytes,
            new_keys: 0,
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
                    batch.clear();
                }
                if n.is_multiple_of(PROGRESS_EVERY) {
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
                && let Ok(ix) = AlexIndex::bulk_load(&all)
            {
                *self.index.write() = ix;
            }
            self.invalidate_cache_after_load(None);
            return Err(e);
        }
        progress(n);
        if !sorted {
            keys.sort_unstable();
            keys.dedup();
        }
        self.invalidate_cache_after_load(Some(&keys));
        self.merge_into_index(keys)?;
        Ok(LoadReport {
            rows: n,
            bytes,
            new_keys: 0,
            method: BulkLoadMethod::WalOffBatches,
            was_empty: true,
            sorted_input: sorted,
            sst_files: 0,
            secs: 0.0,
            rows_per_sec: 0.0,
        })
    }

    /// Where to start warming the value cache after a load of sorted `keys`, and how
    /// many rows: the loaded key range's top, as many as the cache has room for. A load
    /// leaves the block cache cold (ingested files are not in it) while SQLite's page
    /// cache holds what it just wrote; warming the value cache gives alexdb the same
    /// start. Off with `warm_value_cache_on_load = off`.
    fn warm_start(&self, keys: &[i64]) -> Option<(i64, usize)> {
        if !self.opts.read().warm_value_cache_on_load {
            return None;
        }
        let room = self
            .cache
            .capacity()
            .saturating_sub(self.cache.len())
            .min(keys.len());
        (room > 0).then(|| (keys[keys.len() - room], room))
    }

    /// Adds sorted, distinct `keys` to ALEX: a bulk load when ALEX is empty or the new
    /// keys are many, inserts when they are few. Caller holds the write gate.
    fn merge_into_index(&self, keys: Vec<i64>) -> Result<(), DbError> {
        let existing = self.index.read().len();
        if existing == 0 {
            let ix = AlexIndex::bulk_load(&keys)?;
            *self.index.write() = ix;
        } else if keys.len() < existing / 8 {
            let mut ix = self.index.write();
            for k in keys {
                ix.insert(k);
            }
        } else {
            // Build the merged index aside (readers keep using the old one), then swap.
            let merged = {
                let ix = self.index.read();
                merge_sorted(ix.iter(), keys)
            };
            let ix = AlexIndex::bulk_load(&merged)?;
            *self.index.write() = ix;
        }
        Ok(())
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

    // ----- maintenance -------------------------------------------------------------

    /// Flushes memtables to SST files.
    pub fn flush(&self) -> Result<(), DbError> {
        self.store()?.flush()
    }

    /// fsyncs the write-ahead log (writes before this survive power loss).
    pub fn sync(&self) -> Result<(), DbError> {
        self.store()?.sync_wal()
    }

    /// Full manual compaction of RocksDB.
    pub fn compact(&self) {
        if let Ok(s) = self.store() {
            s.compact();
        }
    }

    /// Counts RocksDB's keys by iterating them (slow: for checks).
    pub fn rocksdb_key_count(&self) -> Result<u64, DbError> {
        self.store()?.count_keys()
    }

    /// Checks that ALEX is well formed and holds as many keys as RocksDB.
    pub fn check(&self) -> Result<CheckReport, DbError> {
        let _gate = self.write_gate.write();
        let (alex_keys, alex_valid) = {
            let ix = self.index.read();
            (ix.len() as u64, ix.validate())
        };
        let rocksdb_keys = self.store()?.count_keys()?;
        Ok(CheckReport {
            ok: alex_valid.is_ok() && alex_keys == rocksdb_keys,
            alex_keys,
            rocksdb_keys,
            alex_valid,
        })
    }

    pub fn index_stats(&self) -> IndexStats {
        self.index.read().stats()
    }

    /// A RocksDB property as text, e.g. `rocksdb.stats` or `rocksdb.levelstats`.
    pub fn rocksdb_property(&self, name: &str) -> Option<String> {
        self.store().ok()?.property(name)
    }

    /// RocksDB's statistics text (every ticker and histogram by name).
    pub fn rocksdb_statistics(&self) -> Option<String> {
        self.store().ok()?.statistics_text()
    }

    // ----- live settings -----------------------------------------------------------

    /// Resizes the value cache (0 turns it off).
    pub fn set_value_cache_entries(&self, entries: usize) -> Result<(), DbError> {
        self.change_options(|o| o.value_cache_entries = entries)
            .map(drop)
    }

    /// Times 1 in `n` operations.
    pub fn set_metrics_sample_rate(&self, n: u32) -> Result<(), DbError> {
        self.change_options(|o| o.metrics_sample_rate = n).map(drop)
    }

    /// Turns latency timing on or off (counters are always kept).
    pub fn set_metrics_enabled(&self, on: bool) {
        self.opts.write().metrics = on;
        self.metrics.set_timing(on);
    }

    /// Changes how puts and deletes are logged.
    pub fn set_wal(&self, wal: bool, sync_writes: bool) -> Result<(), DbError> {
        self.change_options(|o| {
            o.wal = wal;
            o.sync_writes = sync_writes;
        })
        .map(drop)
    }

    pub fn set_bulk_load_method(&self, m: BulkLoadMethod) {
        // Every method is valid and it is read when used; the one possible error (FIFO
        // compaction past its limit, refused by apply_locked) leaves the options as they
        // were, and this signature has no Result to report it in.
        let _unchanged_on_error = self.change_options(|o| o.bulk_load_method = m);
    }

    // ----- metrics -----------------------------------------------------------------

    /// The engine's recorder (for front ends that record their own operations).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    fn raw_state(&self) -> RawState {
        let c = self.cache.counters();
        RawState {
            uptime_secs: self.metrics.opened().elapsed().as_secs_f64(),
            counters: self.metrics.counters(),
            hists: self.metrics.histograms(),
            cache_hits: c.hits,
            cache_misses: c.misses,
            cache_hit_bytes: c.hit_bytes,
            tickers: self
                .store()
                .map(|s| s.tickers())
                .unwrap_or_default()
                .plus(&self.ticker_base.lock()),
            last_event_id: self.metrics.last_event_id(),
        }
    }

    fn gauges(&self) -> Gauges {
        let c = self.cache.counters();
        let (index_keys, index_bytes) = {
            let ix = self.index.read();
            (ix.len() as u64, ix.bytes_used() as u64)
        };
        Gauges {
            cache_entries: c.entries,
            cache_capacity: c.capacity,
            cache_bytes: c.bytes,
            index_keys,
            index_bytes,
            rss_bytes: self.rss_bytes(),
            sample_rate: self.metrics.sample_rate(),
            timing_enabled: self.metrics.timing_enabled(),
            perf_timing: self.perf_timing(),
            ns_per_tick: crate::metrics::clock::ns_per_tick(),
            rocks: self.store().map(|s| s.gauges()).unwrap_or_default(),
        }
    }

    fn rss_bytes(&self) -> u64 {
        let Ok(pid) = sysinfo::get_current_pid() else {
            return 0;
        };
        let mut guard = self.sys.lock();
        let Some(sys) = guard.as_mut() else {
            return 0;
        };
        sys.refresh_processes_specifics(
            sysinfo::ProcessesToUpdate::Some(&[pid]),
            false,
            sysinfo::ProcessRefreshKind::nothing().with_memory(),
        );
        sys.process(pid).map(|p| p.memory()).unwrap_or(0)
    }

    /// Everything since the database was opened.
    pub fn metrics_snapshot(&self) -> Snapshot {
        let raw = self.raw_state();
        let mut s = raw.snapshot(None, self.gauges());
        s.events = self.metrics.events_since(0);
        s.events.retain(|e| e.id <= raw.last_event_id);
        s
    }

    /// Everything since `window`'s previous call (since open on its first call). Each
    /// front end keeps its own window.
    pub fn metrics_window(&self, window: &mut MetricsWindow) -> Snapshot {
        let raw = self.raw_state();
        let mut s = raw.snapshot(window.prev.as_ref(), self.gauges());
        let after = window.prev.as_ref().map_or(0, |p| p.last_event_id);
        s.events = self.metrics.events_since(after);
        s.events.retain(|e| e.id <= raw.last_event_id);
        window.prev = Some(raw);
        s
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if !self.closed.load(Ordering::Relaxed) {
            // Best effort: a flush now means no log replay on the next open. The data is
            // safe either way (WAL), and RocksDB releases the lock when `store` drops.
            let _ = self.store().map(|s| s.flush());
        }
    }
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
        files: &mut super::store::SstFiles<'_>,
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
