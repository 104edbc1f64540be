//! `Db`: the ALEX index, RocksDB and the value cache behind one thread-safe handle.
//!
//! Read path: value cache -> ALEX (absent: `None`, RocksDB is not called) -> RocksDB
//! `get_pinned` -> fill the cache. Writes: RocksDB (WAL on by default) -> ALEX (new keys)
//! -> cache (updated if cached). Deletes remove the key from all three; a range delete
//! is one RocksDB range tombstone and one range removal in ALEX.
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

use super::cache::{CacheCounters, Value, ValueCache};
use super::error::{DbError, OpenError};
use super::held::HeldBytes;
use super::index::{AlexIndex, IndexStats};
pub use super::inspect::{CheckPhase, CheckProgress, CheckReport};
use super::lend::{self, Lending};
use super::listener::FifoWatch;
use super::mrc::MrcSampler;
use super::options::{BulkLoadMethod, DbOptions, PerfLevel, WalRecoveryMode};
use super::order::{Found, ReadOrder};
use super::persist::{self, StartReport};
use super::store::{DamagedRange, Store, apply_perf_level, key_hash, perf_read};
use super::trace::{Recorder, TraceOp, TraceSummary};
use crate::metrics::{
    Counter, Gauges, GetTiming, Metrics, MetricsWindow, OpKind, RawState, RocksStats, RocksTickers,
    Snapshot,
};

const KEY_STRIPES: usize = 256;

/// Which of the key stripes `key` belongs to.
#[inline]
pub(super) fn stripe_index(key: i64) -> usize {
    let h = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
    h as usize % KEY_STRIPES
}
/// Points of the miss-ratio curve in each metrics snapshot (about 0.8 KB).
const SNAPSHOT_CURVE_POINTS: usize = 48;

#[repr(align(64))]
pub(super) struct KeyStripe {
    pub(super) lock: Mutex<()>,
    pub(super) seq: AtomicU64,
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
    /// Bytes of the write-ahead log that recovery dropped as damaged (see
    /// `wal_recovery_mode`); 0 when it replayed everything.
    pub wal_dropped_bytes: u64,
    /// Damaged spots in the write-ahead log that recovery reported.
    pub wal_damaged_records: u64,
}

/// The database. `Send + Sync`: share it with `Arc<Db>` between worker threads and the
/// shell.
pub struct Db {
    /// `None` only while a reopen has closed RocksDB (readers wait on the lock), or
    /// after a reopen failed twice.
    pub(super) store: RwLock<Option<Store>>,
    /// Tickers of RocksDB instances closed by reopens, so counters never go back.
    pub(super) ticker_base: Mutex<RocksTickers>,
    /// RocksDB's figures as last sampled, shown while a reopen holds the store.
    last_rocks: Mutex<(RocksTickers, RocksStats)>,
    /// Why the database is closed, when it is.
    pub(super) closed_reason: Mutex<Option<String>>,
    /// Test hook: the next reopen fails as if RocksDB refused the new options.
    pub(super) fail_next_reopen: AtomicBool,
    /// Test hook: milliseconds the next reopen waits while RocksDB is closed.
    pub(super) slow_next_reopen_ms: AtomicU64,
    /// Test hook: RocksDB's next `SetOptions` is treated as refused.
    pub(super) fail_next_live_set: AtomicBool,
    /// PerfContext level wanted on every operation thread (`PerfLevel as u8`).
    pub(super) perf_level: AtomicU8,
    pub(super) index: RwLock<AlexIndex>,
    pub(super) cache: ValueCache,
    /// The value cache's miss-ratio curve estimator, fed by gets.
    pub(super) mrc: MrcSampler,
    /// The value cache's unused bytes lent to the block cache (lend.rs).
    pub(super) lending: Lending,
    /// Whether gets ask ALEX before the value cache (order.rs).
    pub(super) order: ReadOrder,
    pub(super) metrics: Metrics,
    pub(super) stripes: Box<[KeyStripe]>,
    /// The key ranges of files FIFO compaction deleted, for ALEX to follow.
    pub(super) fifo: FifoWatch,
    /// Puts and deletes hold it shared; a load holds it exclusively while it makes its
    /// rows visible, so ALEX and RocksDB never disagree about a key afterwards.
    pub(super) write_gate: RwLock<()>,
    pub(super) load_lock: Mutex<()>,
    /// One option change or reopen at a time.
    pub(super) options_lock: Mutex<()>,
    /// Options changed without saving (`Db::set_option_with`, `persist = false`), each
    /// with the options as they were before its first such change: the file keeps
    /// that value for it until it is set back or set with `persist`.
    pub(super) unsaved: Mutex<Vec<(super::options::Opt, DbOptions)>>,
    pub(super) opts: RwLock<DbOptions>,
    /// For the process RSS; `None` if sysinfo cannot read this platform.
    pub(super) sys: Mutex<Option<sysinfo::System>>,
    pub(super) open_stats: OpenStats,
    /// What the open made of the saved options.
    start_report: StartReport,
    /// Key ranges the open could not read (a damaged data block): their keys are not
    /// in ALEX. Empty for a healthy database.
    pub(super) damaged: Vec<DamagedRange>,
    pub(super) closed: AtomicBool,
    pub(super) path: PathBuf,
    /// The trace being recorded, if any (trace.rs).
    trace: Recorder,
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
    /// Opens (or creates) the database in directory `path` with the options saved in
    /// it (the defaults for a new database, or one an older alexdb wrote).
    pub fn open(path: impl AsRef<Path>) -> Result<Db, OpenError> {
        Self::open_saved(path, &[])
    }

    /// Opens with the options saved in the directory, then each `(name, value)` of
    /// `sets` over them (the shell's `--set`). [`Db::start_report`] says which options
    /// differ from the defaults and where they came from, and what was wrong with the
    /// saved file (a damaged file is used as far as valid; it never stops the open).
    pub fn open_saved(path: impl AsRef<Path>, sets: &[(String, String)]) -> Result<Db, OpenError> {
        let (opts, report) = persist::start_options(path.as_ref(), sets)?;
        Self::open_reporting(path.as_ref(), opts, report)
    }

    /// Opens (or creates, if `create_if_missing`) the database with exactly `opts`
    /// (ignoring the saved options, which become `opts`), then rebuilds ALEX from
    /// RocksDB's keys.
    pub fn open_with(path: impl AsRef<Path>, opts: DbOptions) -> Result<Db, OpenError> {
        Self::open_reporting(path.as_ref(), opts, StartReport::default())
    }

    fn open_reporting(
        path: &Path,
        opts: DbOptions,
        mut start_report: StartReport,
    ) -> Result<Db, OpenError> {
        opts.validate()?;
        // Caches far past the machine's memory are refused (the value cache is empty now).
        if let Some(machine) = super::options::machine_memory() {
            opts.check_memory(machine)
                .map_err(|e| persist::name_saved_memory_options(e, path, &opts, &start_report))?;
        }
        let cache = value_cache(&opts)?;
        super::fifo_open::check(path, &opts, &start_report)?;
        let fifo = FifoWatch::new();
        let t0 = Instant::now();
        let store = Store::open(path, &opts, fifo.events())?;
        start_report
            .warnings
            .extend(store.set_aside_notice().map(str::to_string));
        // The options in force are what the next open should find.
        if let Err(e) = persist::save_if_changed(path, &opts) {
            start_report.warnings.push(format!(
                "the options in force are not saved for the next open: {e}"
            ));
        }
        let t1 = Instant::now();
        let dropped = store.wal_dropped();
        let scan = store.keys()?;
        let (keys, damaged) = (scan.keys, scan.damaged);
        let t2 = Instant::now();
        let index = AlexIndex::bulk_load(&keys)?;
        let t3 = Instant::now();
        let open_stats = OpenStats {
            keys: keys.len() as u64,
            rocksdb_open_secs: (t1 - t0).as_secs_f64(),
            read_keys_secs: (t2 - t1).as_secs_f64(),
            index_build_secs: (t3 - t2).as_secs_f64(),
            total_secs: (t3 - t0).as_secs_f64(),
            wal_dropped_bytes: dropped.bytes,
            wal_damaged_records: dropped.reports,
        };
        drop(keys);
        apply_perf_level(opts.perf_level);
        let base = opts.block_cache_bytes;
        let db = Db {
            store: RwLock::new(Some(store)),
            ticker_base: Mutex::new(RocksTickers::default()),
            last_rocks: Mutex::new(Default::default()),
            closed_reason: Mutex::new(None),
            fail_next_reopen: AtomicBool::new(false),
            slow_next_reopen_ms: AtomicU64::new(0),
            fail_next_live_set: AtomicBool::new(false),
            perf_level: AtomicU8::new(opts.perf_level as u8),
            index: RwLock::new(index),
            cache,
            mrc: MrcSampler::new(opts.value_cache_mrc),
            lending: Lending::new(opts.lend_value_cache),
            order: ReadOrder::default(),
            metrics: Metrics::new(opts.metrics, opts.metrics_sample_rate),
            stripes: (0..KEY_STRIPES)
                .map(|_| KeyStripe {
                    lock: Mutex::new(()),
                    seq: AtomicU64::new(0),
                })
                .collect(),
            fifo,
            write_gate: RwLock::new(()),
            load_lock: Mutex::new(()),
            options_lock: Mutex::new(()),
            unsaved: Mutex::new(Vec::new()),
            opts: RwLock::new(opts),
            sys: Mutex::new(sysinfo::System::new().ok()),
            open_stats,
            start_report,
            damaged,
            closed: AtomicBool::new(false),
            path: path.to_path_buf(),
            trace: Recorder::default(),
        };
        db.relend(base);
        Ok(db)
    }

    /// Flushes the memtables (so the next open replays no log) and releases the
    /// directory lock. Dropping a `Db` does the same, ignoring errors.
    pub fn close(mut self) -> Result<(), DbError> {
        self.closed.store(true, Ordering::Relaxed);
        // A trace that fails to flush still lets the database close.
        let traced = match self.trace.status() {
            Some(_) => self.trace.stop().map(drop),
            None => Ok(()),
        };
        let released = match self.store.get_mut().take() {
            Some(store) => super::reopen::release(store, &self.path, true),
            None => Ok(()),
        };
        released.and(traced)
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

    /// The options that differed from the defaults at open, where each came from, and
    /// any warning about the saved options file.
    pub fn start_report(&self) -> &StartReport {
        &self.start_report
    }

    /// Saves the options in force in the database directory if they changed, so the
    /// next open finds them.
    /// Options changed without saving keep their saved values.
    pub(super) fn save_options(&self) -> Result<(), DbError> {
        let mut opts = self.options();
        for (opt, saved) in self.unsaved.lock().iter() {
            opts.copy_from(*opt, saved);
        }
        persist::save_if_changed(&self.path, &opts)
    }

    /// Key ranges the open could not read (their keys are left out of ALEX); empty for
    /// a healthy database.
    pub fn damaged_ranges(&self) -> &[DamagedRange] {
        &self.damaged
    }

    /// A key absent from ALEX that lies in a range the open could not read: its value
    /// is unknown, not missing.
    #[cold]
    fn damaged_key(&self, key: i64) -> Result<Option<Value>, DbError> {
        match self
            .damaged
            .iter()
            .find(|d| d.first <= key && key <= d.last)
        {
            Some(d) => Err(DbError::Damaged {
                key,
                first: d.first,
                last: d.last,
            }),
            None => Ok(None),
        }
    }

    /// One line saying what WAL recovery dropped at open, when it dropped anything: a
    /// front end prints it after opening.
    pub fn wal_note(&self) -> Option<String> {
        let s = &self.open_stats;
        if s.wal_damaged_records == 0 {
            return None;
        }
        let mode = self.opts.read().wal_recovery_mode;
        let lost = match mode {
            WalRecoveryMode::PointInTime => {
                "it was replayed only up to the first, so every write after that point is lost"
            }
            WalRecoveryMode::SkipAny => "the writes in them are lost, the rest was replayed",
            _ => "they were the log's torn end, a write cut short by a crash",
        };
        Some(format!(
            "warning: the write-ahead log had {} damaged spot(s) ({} bytes dropped; \
             wal_recovery_mode {mode}): {lost}",
            s.wal_damaged_records, s.wal_dropped_bytes
        ))
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

    /// Fails with [`DbError::Closed`] when RocksDB is closed (a failed reopen), so that
    /// answers taken from ALEX alone (`count`, `exists`) are not given for a database
    /// that is not there. Waits while a reopen runs.
    pub fn ensure_open(&self) -> Result<(), DbError> {
        self.store().map(drop)
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
    pub(super) fn stripe(&self, key: i64) -> &KeyStripe {
        &self.stripes[stripe_index(key)]
    }

    // ----- reads -------------------------------------------------------------------

    /// The value of `key`, or `None` if it does not exist. The value cache is asked
    /// first, or ALEX while most gets ask for absent keys (order.rs). One get in
    /// `metrics_sample_rate` has every layer timed; both kinds run the one body, `read`.
    #[inline]
    pub fn get(&self, key: i64) -> Result<Option<Value>, DbError> {
        self.trace.note(TraceOp::Get(key));
        self.follow_fifo();
        if self.metrics.sample() {
            return self.get_timed(key);
        }
        self.read(key, &mut Untimed)
    }

    #[cold]
    fn get_timed(&self, key: i64) -> Result<Option<Value>, DbError> {
        let mut t = GetTiming::start();
        let r = self.read(key, &mut t);
        if r.is_ok() {
            t.finish(&self.metrics);
        }
        r
    }

    /// The read path: ALEX and the value cache in the order order.rs chose, then RocksDB.
    /// `t` marks where the time went; for an untimed get its marks compile to nothing,
    /// and only timed gets tell order.rs what they found.
    #[inline]
    fn read<C: ReadClock>(&self, key: i64, t: &mut C) -> Result<Option<Value>, DbError> {
        let alex_first = self.order.alex_first();
        let mut present = None;
        if alex_first {
            present = Some(self.index.read().contains(key));
            t.alex();
        }
        if present != Some(false) {
            let hit = self.cached(key);
            t.cache();
            if let Some(v) = hit {
                self.found::<C>(Found::Cached);
                return Ok(Some(v));
            }
        }
        let present = present.unwrap_or_else(|| {
            let p = self.index.read().contains(key);
            t.alex();
            p
        });
        if !present {
            self.found::<C>(Found::Absent);
            return self.absent(key, alex_first);
        }
        self.found::<C>(Found::Stored);
        self.metrics.incr(Counter::AlexFound);
        let stripe = self.stripe(key);
        let seq = stripe.seq.load(Ordering::Acquire);
        t.rest();
        let Some(v) = self.store_get(key, t)? else {
            // Deleted after ALEX was checked.
            self.mrc.observe(key, false, || self.gets_seen());
            return Ok(None);
        };
        t.rest();
        let v = self.stored(key, v, stripe, seq);
        t.cache();
        Ok(Some(v))
    }

    /// Tells order.rs what a timed get found (the sample decides the order).
    #[inline]
    fn found<C: ReadClock>(&self, f: Found) {
        if C::TIMED {
            self.order.note(f);
        }
    }

    /// Whether gets ask ALEX before the value cache now (order.rs).
    pub fn reads_alex_first(&self) -> bool {
        self.order.alex_first()
    }

    /// The value cache's answer for `key` (counting a get the cache cannot serve when
    /// it is off).
    #[inline]
    fn cached(&self, key: i64) -> Option<Value> {
        if !self.cache.is_enabled() {
            self.metrics.incr(Counter::GetsUncached);
            return None;
        }
        let v = self.cache.get(key)?;
        self.mrc.observe(key, true, || self.gets_seen());
        Some(v)
    }

    /// ALEX said `key` does not exist. Asked first, it counts the cache miss the cache
    /// would have counted.
    fn absent(&self, key: i64, alex_first: bool) -> Result<Option<Value>, DbError> {
        if alex_first {
            if self.cache.is_enabled() {
                self.cache.count_miss(key);
            } else {
                self.metrics.incr(Counter::GetsUncached);
            }
        }
        self.mrc.observe(key, false, || self.gets_seen());
        self.metrics.incr(Counter::AlexAbsent);
        if !self.damaged.is_empty() {
            return self.damaged_key(key);
        }
        Ok(None)
    }

    /// A value RocksDB returned for `key`: counted, and put in the value cache unless a
    /// write to its stripe (sequence `seq` when the read began) raced the read.
    /// No store guard may be held here: lending resizes the block cache through one.
    fn stored(&self, key: i64, v: Value, stripe: &KeyStripe, seq: u64) -> Value {
        self.mrc.observe(key, true, || self.gets_seen());
        self.metrics.incr(Counter::RowsReadStore);
        self.metrics.add(Counter::BytesReadStore, v.len() as u64);
        self.cache
            .fill(key, v.clone(), || stripe.seq.load(Ordering::Acquire) == seq);
        self.after_fill();
        v
    }

    /// RocksDB's get of `key`. A timed get also reads PerfContext's split when
    /// `perf_level` times. The store guard is dropped before returning: filling the value
    /// cache may resize the block cache through it.
    #[inline]
    fn store_get<C: ReadClock>(&self, key: i64, t: &mut C) -> Result<Option<Value>, DbError> {
        if !C::TIMED {
            let store = self.store()?;
            return Ok(store.get_pinned(key)?.map(|slice| Value::from(&*slice)));
        }
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
        Ok(slice.map(|s| Value::from(&*s)))
    }

    /// Whether `key` exists (ALEX only; no value is read).
    pub fn contains(&self, key: i64) -> bool {
        self.follow_fifo();
        self.index.read().contains(key)
    }

    /// Rows with `a <= key <= b` in key order, at most `limit` of them. Values come from
    /// one RocksDB iterator over the encoded range (measured faster than ALEX range +
    /// MultiGet; see benches/engine_measure.rs).
    pub fn scan(&self, a: i64, b: i64, limit: usize) -> Result<Vec<(i64, Value)>, DbError> {
        self.trace.note(TraceOp::Scan {
            start: a,
            end: b,
            limit: u64::try_from(limit).unwrap_or(u64::MAX),
        });
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
    /// Kept for the measurement in benches/engine_measure.rs.
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
        self.follow_fifo();
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
        self.follow_fifo();
        let n = self.index.read().len() as u64;
        self.metrics.incr(Counter::Counts);
        self.metrics.finish(OpKind::Count, t);
        n
    }

    /// Number of keys with `a <= key <= b` (from ALEX).
    pub fn count_range(&self, a: i64, b: i64) -> u64 {
        let t = self.metrics.start();
        self.follow_fifo();
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
        self.follow_fifo();
        self.index.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.follow_fifo();
        self.index.read().is_empty()
    }

    pub fn min_key(&self) -> Option<i64> {
        self.follow_fifo();
        self.index.read().min_key()
    }

    pub fn max_key(&self) -> Option<i64> {
        self.follow_fifo();
        self.index.read().max_key()
    }

    /// Up to `limit` keys with `a <= key <= b`, in order (from ALEX; no values read).
    pub fn keys(&self, a: i64, b: i64, limit: usize) -> Vec<i64> {
        if a > b {
            return Vec::new();
        }
        self.follow_fifo();
        self.index.read().range(a..=b).take(limit).collect()
    }

    // ----- writes ------------------------------------------------------------------

    /// Stores `value` under `key`. Returns `true` if the key is new. Values over 16 MiB
    /// are refused ([`DbError::ValueTooLarge`]) and change nothing.
    pub fn put(&self, key: i64, value: &[u8]) -> Result<bool, DbError> {
        DbError::check_value(value)?;
        self.trace.note(TraceOp::Put {
            key,
            value_len: value.len() as u32,
        });
        let t = self.metrics.start();
        self.follow_fifo();
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
        self.trace.note(TraceOp::Delete(key));
        let t = self.metrics.start();
        self.follow_fifo();
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

    /// Removes every key in `a..=b` (inclusive; nothing when `a > b`) with one RocksDB
    /// range delete and one range removal in ALEX. Returns how many keys existed.
    ///
    /// It holds the write gate exclusively, as a load does: a put or delete holds it
    /// shared for its whole RocksDB-ALEX-cache update, so one racing this either finished
    /// before the range delete (and its key is deleted) or starts after it (and stays).
    pub fn delete_range(&self, a: i64, b: i64) -> Result<u64, DbError> {
        self.trace.note(TraceOp::DeleteRange(a, b));
        if a > b {
            return Ok(0);
        }
        let t = self.metrics.start();
        let removed;
        {
            let _gate = self.write_gate.write();
            // Cached keys to drop one by one, when the range holds fewer than the cache.
            let room = self.cache.len();
            let few: Vec<i64> = self.index.read().range(a..=b).take(room + 1).collect();
            self.store()?.delete_range(a, b)?;
            removed = self.index.write().remove_range(a..=b) as u64;
            // A get that read a value before the delete must not cache it afterwards.
            for s in self.stripes.iter() {
                s.seq.fetch_add(1, Ordering::Release);
            }
            if few.len() <= room {
                few.iter().for_each(|&k| self.cache.remove(k));
            } else {
                self.cache.remove_range(a, b);
            }
        }
        self.metrics.incr(Counter::Deletes);
        self.metrics.add(Counter::RowsDeleted, removed);
        self.metrics.finish(OpKind::Delete, t);
        Ok(removed)
    }

    // ----- maintenance -------------------------------------------------------------

    /// Flushes memtables to SST files.
    pub fn flush(&self) -> Result<(), DbError> {
        self.store()?.flush()?;
        self.settle_fifo_after_flush();
        Ok(())
    }

    /// fsyncs the write-ahead log (writes before this survive power loss).
    pub fn sync(&self) -> Result<(), DbError> {
        self.store()?.sync_wal()
    }

    /// A consistent copy of the database in directory `dir` (which must not exist): a
    /// RocksDB checkpoint, hard links where the file system allows. Open it as another
    /// `Db` to experiment without touching this one.
    pub fn checkpoint(&self, dir: &Path) -> Result<(), DbError> {
        self.store()?.checkpoint(dir)
    }

    // ----- traces (trace.rs) ------------------------------------------------------

    /// Starts recording every get, put, delete, range delete and scan into a new file
    /// `path` (an existing file is refused). One trace at a time; closing the database
    /// stops it.
    pub fn start_trace(&self, path: &Path) -> Result<(), DbError> {
        self.trace.start(path)
    }

    /// Stops the trace: the file is flushed and synced.
    pub fn stop_trace(&self) -> Result<TraceSummary, DbError> {
        self.trace.stop()
    }

    /// The trace being recorded, if any.
    pub fn trace_status(&self) -> Option<TraceSummary> {
        self.trace.status()
    }

    /// Full manual compaction of RocksDB. Fails if RocksDB reports the compaction failed
    /// (a full disk, a corrupt file).
    pub fn compact(&self) -> Result<(), DbError> {
        self.store()?.compact()
    }

    /// Counts RocksDB's readable keys by iterating them (slow: for checks); damaged
    /// ranges are skipped (see [`Db::check`]).
    pub fn rocksdb_key_count(&self) -> Result<u64, DbError> {
        Ok(self.store()?.count_keys()?.0)
    }

    /// Checks that ALEX is well formed and holds the same keys as RocksDB (count and
    /// checksum), that RocksDB could read every key (damaged ranges are listed) and that
    /// every table file passes its checksums; `ok` is false when any of these fails.
    pub fn check(&self) -> Result<CheckReport, DbError> {
        let report = self.check_with(&mut |_| true)?;
        // The callback never stops the check, so there is always a report.
        report.ok_or_else(|| DbError::Refused("check stopped".into()))
    }

    /// [`Db::check`] that reports its progress: `progress` is called at each phase and
    /// every few thousand keys; when it returns false the check stops and gives `None`.
    pub fn check_with(
        &self,
        progress: &mut dyn FnMut(CheckProgress) -> bool,
    ) -> Result<Option<CheckReport>, DbError> {
        self.follow_fifo();
        let _gate = self.write_gate.write();
        let (alex_keys, alex_sum, alex_valid) = {
            let ix = self.index.read();
            let sum = ix.iter().fold(0u64, |s, k| s.wrapping_add(key_hash(k)));
            (ix.len() as u64, sum, ix.validate())
        };
        let store = self.store()?;
        let mut tick = |done| {
            progress(CheckProgress {
                phase: CheckPhase::Keys,
                done,
                total: alex_keys,
            })
        };
        if !tick(0) {
            return Ok(None);
        }
        let Some((rocksdb_keys, rocks_sum, damaged)) = store.key_digest(&mut tick)? else {
            return Ok(None);
        };
        if !progress(CheckProgress {
            phase: CheckPhase::Checksums,
            done: 0,
            total: 0,
        }) {
            return Ok(None);
        }
        let sst_errors = store.verify_checksums()?;
        let key_checksum_match = alex_sum == rocks_sum;
        Ok(Some(CheckReport {
            ok: alex_valid.is_ok()
                && alex_keys == rocksdb_keys
                && key_checksum_match
                && damaged.is_empty()
                && sst_errors.is_empty(),
            alex_keys,
            rocksdb_keys,
            alex_valid,
            damaged,
            sst_ok: sst_errors.is_empty(),
            sst_errors,
            key_checksum_match,
            findings: Vec::new(),
        }))
    }

    pub fn index_stats(&self) -> IndexStats {
        self.follow_fifo();
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

    /// The value cache's counters and gauges: policy, compression, entries, memory held
    /// and how much of it is bookkeeping (bytes per cached value).
    pub fn cache_counters(&self) -> CacheCounters {
        self.cache.counters()
    }

    /// RocksDB's tickers (with those of closed stores) and gauges, without waiting: while
    /// a reopen holds the store (it can take seconds), the last sampled figures, so a
    /// dashboard's sampler never waits behind a reopen.
    fn rocks_now(&self) -> (RocksTickers, RocksStats) {
        let Some(lock) = self.store.try_read() else {
            return self.last_rocks.lock().clone();
        };
        let Ok(s) = RwLockReadGuard::try_map(lock, |s| s.as_ref()) else {
            // Closed after a failed reopen: only the counts of the closed stores remain.
            return (*self.ticker_base.lock(), RocksStats::default());
        };
        let now = (s.tickers().plus(&self.ticker_base.lock()), s.gauges());
        // The flushes, compactions and stalls the gauges just readied, at their times.
        for (at, e) in s.take_lsm_events() {
            self.metrics.event_at(at, e);
        }
        *self.last_rocks.lock() = now.clone();
        now
    }

    fn raw_state(&self, tickers: RocksTickers, rocks: &RocksStats) -> RawState {
        let c = self.cache.counters();
        RawState {
            level_bytes: RawState::level_bytes(rocks),
            uptime_secs: self.metrics.opened().elapsed().as_secs_f64(),
            counters: self.metrics.counters(),
            hists: self.metrics.histograms(),
            cache_hits: c.hits,
            cache_misses: c.misses,
            cache_hit_bytes: c.hit_bytes,
            tickers,
            last_event_id: self.metrics.last_event_id(),
        }
    }

    fn gauges(&self, rocks: RocksStats) -> Gauges {
        let c = self.cache.counters();
        let (index_keys, index_bytes) = {
            let ix = self.index.read();
            (ix.len() as u64, ix.bytes_used() as u64)
        };
        Gauges {
            cache_entries: c.entries,
            cache_capacity: c.capacity,
            cache_bytes: c.bytes,
            cache_policy: c.policy,
            cache_bookkeeping_bytes: c.bookkeeping_bytes,
            cache_stored_bytes: c.stored_bytes,
            index_keys,
            index_bytes,
            rss_bytes: self.rss_bytes(),
            sample_rate: self.metrics.sample_rate(),
            timing_enabled: self.metrics.timing_enabled(),
            perf_timing: self.perf_timing(),
            ns_per_tick: crate::metrics::clock::ns_per_tick(),
            rocks,
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

    /// The value cache's miss-ratio curve from the gets sampled since the estimate
    /// started (open, `.mrc reset` or `value_cache_mrc on`); `None` when it is off,
    /// before any sampled get, or before any value's size is known.
    pub fn miss_ratio_curve(&self) -> Option<crate::metrics::MrcCurve> {
        let per_value = self.value_cost()?;
        let current = self.opts.read().value_cache_memory();
        self.mrc.curve(per_value, current, self.gets_seen())
    }

    /// The curve a snapshot carries: thinned, as dashboards keep thousands of samples.
    fn snapshot_curve(&self) -> Option<crate::metrics::MrcCurve> {
        self.miss_ratio_curve()
            .map(|c| c.thinned(SNAPSHOT_CURVE_POINTS))
    }

    /// Starts the miss-ratio curve afresh (`.mrc reset`).
    pub fn reset_miss_ratio_curve(&self) {
        self.mrc.reset(self.gets_seen());
    }

    /// Gets since open: value-cache lookups plus gets made with the cache off.
    pub(super) fn gets_seen(&self) -> u64 {
        let c = self.cache.counters();
        c.hits + c.misses + self.metrics.counters().get(Counter::GetsUncached)
    }

    /// Bytes one cached value costs, measured: the full cache's bytes per entry (its
    /// table and pages included), else the cache's stored bytes per entry, else the
    /// average value read from RocksDB, plus the policy's bookkeeping per value.
    fn value_cost(&self) -> Option<f64> {
        let c = self.cache.counters();
        if c.entries > 0 && c.bytes * 10 >= c.capacity_bytes * 9 {
            return Some(c.bytes as f64 / c.entries as f64);
        }
        let per_entry = self.cache.bookkeeping_per_value() as f64;
        if c.entries > 0 {
            return Some(c.stored_bytes as f64 / c.entries as f64 + per_entry);
        }
        let m = self.metrics.counters();
        let rows = m.get(Counter::RowsReadStore);
        (rows > 0).then(|| m.get(Counter::BytesReadStore) as f64 / rows as f64 + per_entry)
    }

    /// Everything since the database was opened.
    pub fn metrics_snapshot(&self) -> Snapshot {
        let (tickers, rocks) = self.rocks_now();
        let raw = self.raw_state(tickers, &rocks);
        let mut s = raw.snapshot(None, self.gauges(rocks));
        s.mrc = self.snapshot_curve();
        s.events = self.metrics.events_since(0);
        s.events.retain(|e| e.id <= raw.last_event_id);
        s
    }

    /// Everything since `window`'s previous call (since open on its first call). Each
    /// front end keeps its own window.
    pub fn metrics_window(&self, window: &mut MetricsWindow) -> Snapshot {
        let (tickers, rocks) = self.rocks_now();
        let raw = self.raw_state(tickers, &rocks);
        let mut s = raw.snapshot(window.prev.as_ref(), self.gauges(rocks));
        s.mrc = self.snapshot_curve();
        let after = window.prev.as_ref().map_or(0, |p| p.last_event_id);
        s.events = self.metrics.events_since(after);
        s.events.retain(|e| e.id <= raw.last_event_id);
        window.prev = Some(raw);
        s
    }
}

/// Lending the value cache's unused bytes to the block cache (see lend.rs).
impl Db {
    #[inline]
    pub(super) fn after_fill(&self) {
        if self.lending.tick() {
            let base = self.opts.read().block_cache_bytes;
            self.relend(base);
        }
    }

    pub(super) fn set_lending(&self, on: bool, base: usize) {
        self.lending.set_on(on);
        self.relend(base);
    }

    pub(super) fn relend(&self, base: usize) {
        self.lending.relend(base, &self.cache, || self.store().ok());
    }

    pub fn lent_to_block_cache(&self) -> u64 {
        let base = self.opts.read().block_cache_bytes;
        self.store().map(|s| lend::lent(&s, base)).unwrap_or(0)
    }
}

/// What the process holds in memory for data (see held.rs).
impl Db {
    /// What the process holds for data now (for benchmark budgets and reports).
    pub fn held_bytes(&self) -> Result<HeldBytes, DbError> {
        let alex = self.index.read().bytes_used() as u64;
        let value_cache = self.cache.counters().bytes;
        let rocks = self.store()?.held();
        Ok(HeldBytes {
            alex,
            value_cache,
            ..rocks
        })
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        // Best effort: a flush now means no log replay on the next open. The data is
        // safe either way (WAL), and RocksDB releases the lock when `store` drops.
        let flush = !self.closed.load(Ordering::Relaxed);
        if let Some(store) = self.store.get_mut().take() {
            let _ = super::reopen::release(store, &self.path, flush);
        }
    }
}

/// The value cache `opts` describe (size, entry cap, shards, policy, compression).
fn value_cache(opts: &DbOptions) -> Result<ValueCache, DbError> {
    let cache = ValueCache::new(
        opts.value_cache_size,
        opts.value_cache_entries,
        opts.value_cache_shards,
        opts.value_cache_policy,
    );
    let kind = opts.value_cache_compression;
    cache
        .set_compression(kind)
        .map_err(|reason| DbError::InvalidOption {
            name: super::options::Opt::ValueCacheCompression
                .name()
                .to_string(),
            value: kind.to_string(),
            reason,
        })?;
    Ok(cache)
}

/// Where a get's time goes. [`GetTiming`] records each layer for the sampled gets;
/// [`Untimed`] marks nothing, so the common get pays for no clock reads.
trait ReadClock {
    const TIMED: bool;
    fn alex(&mut self);
    fn cache(&mut self);
    fn rocksdb(&mut self);
    fn rest(&mut self);
}

struct Untimed;

impl ReadClock for Untimed {
    const TIMED: bool = false;
    #[inline(always)]
    fn alex(&mut self) {}
    #[inline(always)]
    fn cache(&mut self) {}
    #[inline(always)]
    fn rocksdb(&mut self) {}
    #[inline(always)]
    fn rest(&mut self) {}
}

impl ReadClock for GetTiming {
    const TIMED: bool = true;
    fn alex(&mut self) {
        GetTiming::alex(self)
    }
    fn cache(&mut self) {
        GetTiming::cache(self)
    }
    fn rocksdb(&mut self) {
        GetTiming::rocksdb(self)
    }
    fn rest(&mut self) {
        GetTiming::rest(self)
    }
}
