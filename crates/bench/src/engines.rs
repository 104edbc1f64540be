//! The engines benchmarks compare, behind one trait (in the manner of redb's harness):
//! alexdb as configured, plain RocksDB with the same RocksDB options (no ALEX, no value
//! cache), and SQLite (`rusqlite`, bundled) with one `kv` table, plain or with its file
//! memory-mapped (sqlite-mmap). Same rows and the same memory budget for each (what alexdb
//! holds after its load, [`alexdb_held`]); reads return a checksum of the value so nothing
//! is optimised away and results can be compared across engines.
//!
//! The plain-RocksDB peer opens its own RocksDB handle here, on purpose: it is the
//! baseline without alexdb's layers. Everything else goes through `engine::store`.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use rocksdb::{DB, Options, ReadOptions, WriteBatch, WriteOptions};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::fair::{CacheUse, WarmMode, drop_os_cache};
use engine::cache::ENTRY_OVERHEAD_BYTES;
use engine::store::{encode_key, rocksdb_options, rocksdb_read_options};
use engine::{Db, DbOptions};

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Alexdb,
    Rocksdb,
    Sqlite,
    /// SQLite with `PRAGMA mmap_size` (capped to the budget, or the whole file).
    #[serde(rename = "sqlite-mmap")]
    SqliteMmap,
}

impl EngineKind {
    pub const ALL: [EngineKind; 4] = [
        EngineKind::Alexdb,
        EngineKind::Rocksdb,
        EngineKind::Sqlite,
        EngineKind::SqliteMmap,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Alexdb => "alexdb",
            EngineKind::Rocksdb => "rocksdb",
            EngineKind::Sqlite => "sqlite",
            EngineKind::SqliteMmap => "sqlite-mmap",
        }
    }
}

impl std::str::FromStr for EngineKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| "expected alexdb, rocksdb, sqlite or sqlite-mmap".to_string())
    }
}

/// A cheap checksum of a value, the same for every engine: length, first and last byte,
/// and one byte from the middle. (Hashing whole values would cost more than an alexdb
/// cache hit and blur the comparison.)
#[inline]
pub fn value_checksum(v: &[u8]) -> u64 {
    match v.len() {
        0 => 1,
        n => {
            (n as u64) << 24
                ^ u64::from(v[0]) << 16
                ^ u64::from(v[n / 2]) << 8
                ^ u64::from(v[n - 1])
        }
    }
}

/// A benchmarked engine. Workers are created on the thread that uses them.
pub trait Engine: Send + Sync {
    fn kind(&self) -> EngineKind;
    /// Loads rows (a fresh database); returns rows loaded.
    fn load(&self, rows: &mut dyn Iterator<Item = (i64, Vec<u8>)>) -> anyhow::Result<u64>;
    /// A handle for one thread's operations.
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>>;
    /// Settings to print with the results (durability, caches).
    fn settings(&self) -> String;
    /// The alexdb database behind this engine, if it is one (for its metrics).
    fn alex_db(&self) -> Option<&Db> {
        None
    }
    /// The in-process memory this engine was given, read back from the engine itself
    /// (its share of the budget): alexdb what it holds, RocksDB its block cache's
    /// capacity, SQLite its page cache over all connections.
    fn memory_bytes(&self) -> anyhow::Result<u64>;
    /// Bytes of the database file SQLite maps (sqlite-mmap only; not process memory
    /// the budget counts: the mapped pages are the OS page cache's).
    fn mmap_bytes(&self) -> anyhow::Result<Option<u64>> {
        Ok(None)
    }
}

/// One thread's operations on an engine.
pub trait Worker {
    /// The value's checksum, or `None` when the key is absent.
    fn get(&mut self, key: i64) -> anyhow::Result<Option<u64>>;
    /// Insert or overwrite.
    fn put(&mut self, key: i64, value: &[u8]) -> anyhow::Result<()>;
    /// Up to `n` rows from `start` in key order: (rows, checksum).
    fn scan(&mut self, start: i64, n: usize) -> anyhow::Result<(usize, u64)>;
    /// `--warm full`: reads every loaded row once through this handle (`keys`, the
    /// loaded keys in key order); returns a checksum of what it read.
    fn warm_all(&mut self, keys: &[i64]) -> anyhow::Result<u64> {
        let mut sum = 0u64;
        for &k in keys {
            sum = sum.wrapping_add(self.get(k)?.unwrap_or(0));
        }
        Ok(sum)
    }
    /// The timed phase begins: cache hits and misses count from here.
    fn mark_cache(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
    /// Cache hits and misses since [`Worker::mark_cache`], and the memory held now.
    fn cache_use(&mut self) -> anyhow::Result<Option<CacheUse>> {
        Ok(None)
    }
}

// ----- alexdb ------------------------------------------------------------------------

/// alexdb as configured (also used on the shell's open database).
pub struct AlexEngine {
    pub db: Arc<Db>,
}

impl AlexEngine {
    pub fn open(dir: &Path, opts: DbOptions) -> anyhow::Result<Self> {
        let db = Db::open_with(dir, opts).context("opening alexdb")?;
        Ok(AlexEngine { db: Arc::new(db) })
    }

    /// Closed, its files dropped from the OS page cache, and opened again with the
    /// same options (`--warm none`): a fresh handle with empty caches.
    pub fn reopened_cold(self) -> anyhow::Result<Self> {
        self.reopened(true)
    }

    /// Ready to be warmed as `mode` says and timed within `parts`, the budget measured
    /// with its cache full: reopened with empty caches (its files dropped from the OS page
    /// cache for `none`) and its value cache sized to the budget's share, so what it lends
    /// the block cache while cold stays inside the budget.
    pub fn ready_for(self, mode: WarmMode, parts: &BudgetParts) -> anyhow::Result<Self> {
        let mut opts = self.db.options();
        opts.value_cache_size = (parts.value_cache as usize).max(1);
        self.reopened_with(mode == WarmMode::None, opts)
    }

    /// Closed and opened again with the same options: empty caches; with `drop_pages`
    /// its files are also dropped from the OS page cache first.
    pub fn reopened(self, drop_pages: bool) -> anyhow::Result<Self> {
        let opts = self.db.options();
        self.reopened_with(drop_pages, opts)
    }

    fn reopened_with(self, drop_pages: bool, opts: DbOptions) -> anyhow::Result<Self> {
        let dir = self.db.path().to_path_buf();
        let db = Arc::try_unwrap(self.db)
            .map_err(|_| anyhow::anyhow!("alexdb is still in use; cannot reopen it"))?;
        drop(db);
        if drop_pages {
            drop_os_cache(&dir)?;
        }
        Self::open(&dir, opts)
    }

    /// What alexdb holds with its value cache full: every key of `sorted_keys` read
    /// once, then [`alexdb_held`] (the value cache's real bytes, arena pages included).
    /// Its load does not fill the cache in the benchmarks, so the budget the peers get
    /// is measured here, the same whatever `--warm` then does.
    pub fn held_when_full(
        &self,
        sorted_keys: &[i64],
        opts: &DbOptions,
    ) -> anyhow::Result<BudgetParts> {
        let mut w = self.worker()?;
        std::hint::black_box(w.warm_all(sorted_keys)?);
        Ok(alexdb_held(&self.db, opts))
    }
}

impl Engine for AlexEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Alexdb
    }
    fn alex_db(&self) -> Option<&Db> {
        Some(&self.db)
    }
    fn memory_bytes(&self) -> anyhow::Result<u64> {
        Ok(alexdb_held(&self.db, &self.db.options()).total())
    }
    fn load(&self, rows: &mut dyn Iterator<Item = (i64, Vec<u8>)>) -> anyhow::Result<u64> {
        Ok(self.db.load(rows)?.rows)
    }
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>> {
        Ok(Box::new(DbWorker::new(&self.db)))
    }
    fn settings(&self) -> String {
        let o = self.db.options();
        format!(
            "block cache {}, value cache {} {} (cap {} entries), bloom {} bits/key, WAL {}, sync {}, load via {}",
            o.get("block_cache_size").unwrap_or_default(),
            o.get("value_cache_size").unwrap_or_default(),
            o.value_cache_policy,
            o.value_cache_entries,
            o.bloom_bits_per_key,
            o.get("wal").unwrap_or_default(),
            o.get("sync").unwrap_or_default(),
            o.bulk_load_method
        )
    }
}

/// Operations on a `Db` (also the shell's open database).
pub struct DbWorker<'a> {
    db: &'a Db,
    /// Value-cache hits and misses, block-cache data hits and misses at `mark_cache`.
    mark: [u64; 4],
}

impl<'a> DbWorker<'a> {
    pub fn new(db: &'a Db) -> Self {
        DbWorker { db, mark: [0; 4] }
    }

    fn counters(&self) -> [u64; 4] {
        let s = self.db.metrics_snapshot();
        let b = s.rocksdb.tickers.block_cache;
        [s.cache.hits, s.cache.misses, b.data_hit, b.data_miss]
    }
}

impl Worker for DbWorker<'_> {
    #[inline]
    fn get(&mut self, key: i64) -> anyhow::Result<Option<u64>> {
        Ok(self.db.get(key)?.map(|v| value_checksum(&v)))
    }
    fn put(&mut self, key: i64, value: &[u8]) -> anyhow::Result<()> {
        self.db.put(key, value)?;
        Ok(())
    }
    fn mark_cache(&mut self) -> anyhow::Result<()> {
        self.mark = self.counters();
        Ok(())
    }
    fn cache_use(&mut self) -> anyhow::Result<Option<CacheUse>> {
        let now = self.counters();
        let d = |i: usize| now[i].saturating_sub(self.mark[i]);
        Ok(Some(CacheUse {
            hits: d(0),
            misses: d(1),
            block_hits: d(2),
            block_misses: d(3),
            memory_used: self.db.held_bytes()?.total(),
            shared: true,
            partial: false,
        }))
    }
    fn scan(&mut self, start: i64, n: usize) -> anyhow::Result<(usize, u64)> {
        let rows = self.db.scan(start, i64::MAX, n)?;
        let sum = rows
            .iter()
            .fold(0u64, |s, (_, v)| s.wrapping_add(value_checksum(v)));
        Ok((rows.len(), sum))
    }
}

// ----- plain RocksDB -------------------------------------------------------------------

/// RocksDB with alexdb's RocksDB options; the block cache gets the whole memory budget.
pub struct RocksEngine {
    db: DB,
    dir: PathBuf,
    block_cache_bytes: usize,
    /// alexdb's read settings (`verify_checksums`), so reads cost the same.
    read_opts: DbOptions,
    _opts: Options,
}

impl RocksEngine {
    pub fn open(dir: &Path, opts: &DbOptions, budget_bytes: usize) -> anyhow::Result<Self> {
        let mut o = opts.clone();
        o.block_cache_bytes = budget_bytes;
        let (ropts, _cache) = rocksdb_options(&o);
        let db = DB::open(&ropts, dir).context("opening plain RocksDB")?;
        Ok(RocksEngine {
            db,
            dir: dir.to_path_buf(),
            block_cache_bytes: budget_bytes,
            read_opts: o,
            _opts: ropts,
        })
    }

    /// Closed, its files dropped from the OS page cache, and opened again
    /// (`--warm none`): a fresh handle with an empty block cache.
    pub fn reopened_cold(self) -> anyhow::Result<Self> {
        let (dir, opts, budget) = (
            self.dir.clone(),
            self.read_opts.clone(),
            self.block_cache_bytes,
        );
        drop(self);
        drop_os_cache(&dir)?;
        Self::open(&dir, &opts, budget)
    }

    /// Block-cache data-block hits and misses so far (0 without statistics).
    fn data_block_counters(&self) -> (u64, u64) {
        use rocksdb::statistics::Ticker;
        (
            self._opts.get_ticker_count(Ticker::BlockCacheDataHit),
            self._opts.get_ticker_count(Ticker::BlockCacheDataMiss),
        )
    }

    /// What it holds now: block cache usage, table readers and memtables.
    fn held_now(&self) -> anyhow::Result<u64> {
        let mut total = 0;
        for p in [
            "rocksdb.block-cache-usage",
            "rocksdb.estimate-table-readers-mem",
            "rocksdb.cur-size-all-mem-tables",
        ] {
            total += self.db.property_int_value(p)?.unwrap_or(0);
        }
        Ok(total)
    }
}

impl Engine for RocksEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Rocksdb
    }
    fn load(&self, rows: &mut dyn Iterator<Item = (i64, Vec<u8>)>) -> anyhow::Result<u64> {
        // Batches with the WAL off, then a flush: how a RocksDB user bulk-loads without
        // writing SST files by hand.
        let mut wo = WriteOptions::default();
        wo.disable_wal(true);
        let mut n = 0u64;
        let mut batch = WriteBatch::default();
        for (k, v) in rows {
            batch.put(encode_key(k), &v);
            n += 1;
            if batch.len() >= 10_000 {
                self.db.write_opt(std::mem::take(&mut batch), &wo)?;
            }
        }
        self.db.write_opt(batch, &wo)?;
        self.db.flush()?;
        // A full compaction moves the rows to the bottom level, as alexdb's ingested
        // files are: the same bottommost compression and one sorted run, so the peers
        // read blocks of the same kind.
        self.db.compact_range(None::<&[u8]>, None::<&[u8]>);
        Ok(n)
    }
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>> {
        Ok(Box::new(RocksWorker {
            db: &self.db,
            engine: self,
            ro: rocksdb_read_options(&self.read_opts),
            mark: (0, 0),
        }))
    }
    fn settings(&self) -> String {
        format!(
            "same RocksDB options as alexdb, block cache {} (the whole budget), no ALEX, no value cache, WAL on, no sync; loaded by batches, a flush and a full compaction",
            mib(self.block_cache_bytes)
        )
    }
    fn memory_bytes(&self) -> anyhow::Result<u64> {
        self.db
            .property_int_value("rocksdb.block-cache-capacity")?
            .context("RocksDB has no block-cache-capacity property")
    }
}

struct RocksWorker<'a> {
    db: &'a DB,
    engine: &'a RocksEngine,
    ro: ReadOptions,
    /// Data-block hits and misses at `mark_cache`.
    mark: (u64, u64),
}

impl Worker for RocksWorker<'_> {
    #[inline]
    fn get(&mut self, key: i64) -> anyhow::Result<Option<u64>> {
        Ok(self
            .db
            .get_pinned_opt(encode_key(key), &self.ro)?
            .map(|v| value_checksum(&v)))
    }
    fn put(&mut self, key: i64, value: &[u8]) -> anyhow::Result<()> {
        self.db.put(encode_key(key), value)?;
        Ok(())
    }
    fn scan(&mut self, start: i64, n: usize) -> anyhow::Result<(usize, u64)> {
        let mut it = self.db.raw_iterator();
        it.seek(encode_key(start));
        let (mut rows, mut sum) = (0usize, 0u64);
        while rows < n {
            let Some(v) = it.value() else { break };
            sum = sum.wrapping_add(value_checksum(v));
            rows += 1;
            it.next();
        }
        it.status()?;
        Ok((rows, sum))
    }
    fn mark_cache(&mut self) -> anyhow::Result<()> {
        self.mark = self.engine.data_block_counters();
        Ok(())
    }
    fn cache_use(&mut self) -> anyhow::Result<Option<CacheUse>> {
        if !self.engine.read_opts.rocksdb_statistics {
            return Ok(None);
        }
        let (h, m) = self.engine.data_block_counters();
        Ok(Some(CacheUse {
            hits: h.saturating_sub(self.mark.0),
            misses: m.saturating_sub(self.mark.1),
            memory_used: self.engine.held_now()?,
            shared: true,
            ..CacheUse::default()
        }))
    }
}

// ----- SQLite ------------------------------------------------------------------------

/// SQLite: `kv(key INTEGER PRIMARY KEY, value BLOB)`, WAL, synchronous=NORMAL, page
/// cache = the memory budget (split over the connections that run at once). The
/// sqlite-mmap peer also maps its database file (`PRAGMA mmap_size`, set after the load:
/// the file's size rounded up to a MiB, capped to the budget unless `whole_file`).
pub struct SqliteEngine {
    path: PathBuf,
    budget_bytes: usize,
    threads: usize,
    mmap: bool,
    /// sqlite-mmap maps the whole file, outside the budget (`--mmap-whole-file`).
    whole_file: bool,
    /// The `mmap_size` connections ask for (0 until the load has sized the file).
    mmap_size: AtomicU64,
}

impl SqliteEngine {
    pub fn create(dir: &Path, budget_bytes: usize, threads: usize) -> anyhow::Result<Self> {
        Self::create_with(dir, budget_bytes, threads, false)
    }

    /// The sqlite-mmap peer, its map capped to the budget.
    pub fn create_mmap(dir: &Path, budget_bytes: usize, threads: usize) -> anyhow::Result<Self> {
        Self::create_with(dir, budget_bytes, threads, true)
    }

    /// Maps the whole file however large (`--mmap-whole-file`, outside the budget);
    /// call it before the load or `adopt_file`.
    pub fn map_whole_file(mut self, yes: bool) -> Self {
        self.whole_file = yes;
        self
    }

    /// The mapped bytes count outside the budget (the whole file is mapped).
    pub fn mmap_outside_budget(&self) -> bool {
        self.mmap && self.whole_file
    }

    /// Drops its files from the OS page cache (`--warm none`); every worker opens its
    /// own connection, so the next one starts with an empty page cache.
    pub fn drop_cold(&self) -> anyhow::Result<()> {
        match self.path.parent() {
            Some(dir) => drop_os_cache(dir),
            None => Ok(()),
        }
    }

    fn create_with(
        dir: &Path,
        budget_bytes: usize,
        threads: usize,
        mmap: bool,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let e = SqliteEngine {
            path: dir.join("kv.sqlite"),
            budget_bytes,
            threads: threads.max(1),
            mmap,
            whole_file: false,
            mmap_size: AtomicU64::new(0),
        };
        let c = e.connect(e.budget_bytes)?;
        c.execute_batch(
            "CREATE TABLE IF NOT EXISTS kv (key INTEGER PRIMARY KEY, value BLOB NOT NULL);",
        )?;
        Ok(e)
    }

    fn connect(&self, cache_bytes: usize) -> anyhow::Result<Connection> {
        let c = Connection::open(&self.path).context("opening SQLite")?;
        c.busy_timeout(std::time::Duration::from_secs(30))?;
        // journal_mode returns a row, so it is read rather than executed.
        let _: String = c.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        // Rounded up to whole KiB, so the connections together get at least the budget.
        c.execute_batch(&format!(
            "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{};",
            cache_bytes.div_ceil(1024).max(1)
        ))?;
        let map = self.mmap_size.load(Ordering::Relaxed);
        if map > 0 {
            // mmap_size returns a row (the size in effect), so it is read.
            let _: i64 = c.query_row(&format!("PRAGMA mmap_size={map}"), [], |r| r.get(0))?;
        }
        Ok(c)
    }

    /// Takes a copy of `from`'s loaded database file instead of loading the same rows
    /// again (the sqlite-mmap peer: at 10M random keys a SQLite load takes minutes, and
    /// the two files would be the same). `from` must have no open connection.
    pub fn adopt_file(&self, from: &SqliteEngine) -> anyhow::Result<()> {
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", self.path.display()));
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
        std::fs::copy(&from.path, &self.path).context("copying the SQLite file")?;
        self.size_mmap()
    }

    /// Page-cache bytes per worker connection.
    fn per_connection(&self) -> usize {
        self.budget_bytes.div_ceil(self.threads)
    }

    /// Sizes the map (sqlite-mmap, after its load): the file's size rounded up to a
    /// MiB, capped to the memory budget unless the whole file is asked for.
    fn size_mmap(&self) -> anyhow::Result<()> {
        if self.mmap {
            let len = std::fs::metadata(&self.path)?.len();
            let whole = len.div_ceil(1 << 20).max(1) << 20;
            let map = if self.whole_file {
                whole
            } else {
                whole.min(self.budget_bytes as u64).max(1)
            };
            self.mmap_size.store(map, Ordering::Relaxed);
        }
        Ok(())
    }
}

impl Engine for SqliteEngine {
    fn kind(&self) -> EngineKind {
        if self.mmap {
            EngineKind::SqliteMmap
        } else {
            EngineKind::Sqlite
        }
    }
    fn load(&self, rows: &mut dyn Iterator<Item = (i64, Vec<u8>)>) -> anyhow::Result<u64> {
        let mut c = self.connect(self.budget_bytes)?;
        let mut n = 0u64;
        loop {
            let tx = c.transaction()?;
            let mut done = true;
            {
                let mut st =
                    tx.prepare_cached("INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)")?;
                for (k, v) in &mut *rows {
                    st.execute(params![k, v])?;
                    n += 1;
                    if n.is_multiple_of(100_000) {
                        done = false;
                        break;
                    }
                }
            }
            tx.commit()?;
            if done {
                break;
            }
        }
        // Checkpoint so the rows live in the main file, as after a real load.
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        self.size_mmap()?;
        Ok(n)
    }
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>> {
        Ok(Box::new(SqliteWorker {
            c: self.connect(self.per_connection())?,
            mapped: self.mmap.then(|| self.path.clone()),
        }))
    }
    fn settings(&self) -> String {
        let map = self.mmap_size.load(Ordering::Relaxed);
        format!(
            "WAL, synchronous=NORMAL, page cache {} per connection x {} ({} in all){}",
            mib(self.per_connection()),
            self.threads,
            mib(self.budget_bytes),
            if self.mmap_outside_budget() {
                format!(
                    ", mmap_size {} (the whole file, outside the budget)",
                    mib(map as usize)
                )
            } else if self.mmap {
                format!(", mmap_size {} (capped to the budget)", mib(map as usize))
            } else {
                String::new()
            }
        )
    }
    fn memory_bytes(&self) -> anyhow::Result<u64> {
        let c = self.connect(self.per_connection())?;
        let pages: i64 = c.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        // Negative: KiB; positive: pages.
        let per = if pages < 0 {
            pages.unsigned_abs() * 1024
        } else {
            let page: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            pages.unsigned_abs() * page.unsigned_abs()
        };
        Ok(per * self.threads as u64)
    }
    fn mmap_bytes(&self) -> anyhow::Result<Option<u64>> {
        if !self.mmap {
            return Ok(None);
        }
        let c = self.connect(self.per_connection())?;
        let map: i64 = c.query_row("PRAGMA mmap_size", [], |r| r.get(0))?;
        Ok(Some(map.unsigned_abs()))
    }
}

/// Resident bytes of this process's maps of `file` (`Rss` in /proc/self/smaps, summed
/// over every map of it: a page two connections touched counts twice); 0 where the file
/// cannot be read.
fn mapped_rss(file: &Path) -> u64 {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return 0;
    };
    // smaps names the file by its resolved path.
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    mapped_rss_in(&smaps, &file.to_string_lossy())
}

/// [`mapped_rss`] over the text of an smaps file.
fn mapped_rss_in(smaps: &str, file: &str) -> u64 {
    let mut in_file = false;
    let mut kib = 0u64;
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        // A map's header: `start-end perms offset dev inode [path]`.
        if first.split_once('-').is_some_and(|(a, b)| {
            u64::from_str_radix(a, 16).is_ok() && u64::from_str_radix(b, 16).is_ok()
        }) {
            in_file = words.skip(4).collect::<Vec<_>>().join(" ") == file;
        } else if in_file && first == "Rss:" {
            kib += words
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    kib * 1024
}

struct SqliteWorker {
    c: Connection,
    /// sqlite-mmap's database file: reads of its mapped pages bypass the page cache's
    /// counters, and the pages it maps are memory it holds beside its page cache.
    mapped: Option<std::path::PathBuf>,
}

impl SqliteWorker {
    /// `sqlite3_db_status(op)` of this connection: (current, reset afterwards when
    /// `reset`).
    fn status(&self, op: std::os::raw::c_int, reset: bool) -> anyhow::Result<u64> {
        use rusqlite::ffi;
        let (mut cur, mut high) = (0, 0);
        // SAFETY: the handle is this open connection's, used on its own thread; the
        // two out-pointers live for the call.
        let rc = unsafe {
            ffi::sqlite3_db_status(
                self.c.handle(),
                op,
                &mut cur,
                &mut high,
                std::os::raw::c_int::from(reset),
            )
        };
        anyhow::ensure!(rc == ffi::SQLITE_OK, "sqlite3_db_status({op}) failed: {rc}");
        Ok(u64::try_from(cur).unwrap_or(0))
    }
}

impl Worker for SqliteWorker {
    /// One pass over the table in key order on this connection: every leaf and interior
    /// page is read into its page cache (sqlite-mmap: every mapped page is touched).
    fn warm_all(&mut self, _keys: &[i64]) -> anyhow::Result<u64> {
        let mut st = self.c.prepare_cached("SELECT value FROM kv ORDER BY key")?;
        let mut rows = st.query([])?;
        let mut sum = 0u64;
        while let Some(r) = rows.next()? {
            sum = sum.wrapping_add(value_checksum(r.get_ref(0)?.as_blob()?));
        }
        Ok(sum)
    }
    fn mark_cache(&mut self) -> anyhow::Result<()> {
        use rusqlite::ffi;
        self.status(ffi::SQLITE_DBSTATUS_CACHE_HIT, true)?;
        self.status(ffi::SQLITE_DBSTATUS_CACHE_MISS, true)?;
        Ok(())
    }
    fn cache_use(&mut self) -> anyhow::Result<Option<CacheUse>> {
        use rusqlite::ffi;
        Ok(Some(CacheUse {
            hits: self.status(ffi::SQLITE_DBSTATUS_CACHE_HIT, false)?,
            misses: self.status(ffi::SQLITE_DBSTATUS_CACHE_MISS, false)?,
            memory_used: self.status(ffi::SQLITE_DBSTATUS_CACHE_USED, false)?
                + self.mapped.as_deref().map_or(0, mapped_rss),
            shared: false,
            partial: self.mapped.is_some(),
            ..CacheUse::default()
        }))
    }
    #[inline]
    fn get(&mut self, key: i64) -> anyhow::Result<Option<u64>> {
        let mut st = self
            .c
            .prepare_cached("SELECT value FROM kv WHERE key = ?1")?;
        Ok(st
            .query_row([key], |r| Ok(value_checksum(r.get_ref(0)?.as_blob()?)))
            .optional()?)
    }
    fn put(&mut self, key: i64, value: &[u8]) -> anyhow::Result<()> {
        let mut st = self
            .c
            .prepare_cached("INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)")?;
        st.execute(params![key, value])?;
        Ok(())
    }
    fn scan(&mut self, start: i64, n: usize) -> anyhow::Result<(usize, u64)> {
        let mut st = self
            .c
            .prepare_cached("SELECT value FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2")?;
        let mut rows = st.query(params![start, n as i64])?;
        let (mut count, mut sum) = (0usize, 0u64);
        while let Some(r) = rows.next()? {
            sum = sum.wrapping_add(value_checksum(r.get_ref(0)?.as_blob()?));
            count += 1;
        }
        Ok((count, sum))
    }
}

/// What alexdb holds in its own process memory for data, part by part: the memory
/// budget every peer gets (SQLite's page cache, plain RocksDB's block cache).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BudgetParts {
    /// ALEX's bytes (models, gapped arrays).
    pub alex: u64,
    /// The value cache when full: entries it may hold times the bytes each takes.
    pub value_cache: u64,
    /// The block cache's capacity (pinned index/filter blocks inside it included).
    pub block_cache: u64,
    /// Pinned index/filter blocks beyond the block cache's capacity (RocksDB lets pinned
    /// blocks push its usage past the capacity).
    pub pinned: u64,
    /// Table readers' memory: index and filter blocks held outside the block cache
    /// (counted when `cache_index_and_filter_blocks` is off).
    pub table_readers: u64,
    /// The value codec's dictionary (none yet: 0).
    pub dictionary: u64,
}

impl BudgetParts {
    /// The budget: the sum of the parts.
    pub fn total(&self) -> u64 {
        self.alex
            + self.value_cache
            + self.block_cache
            + self.pinned
            + self.table_readers
            + self.dictionary
    }

    /// `ALEX 1.2 MiB + value cache ... = total`, for report tables.
    pub fn describe(&self) -> String {
        format!(
            "ALEX {} + value cache {} + block cache {} + pinned {} + table readers {} + dictionary {} = {}",
            mib(self.alex as usize),
            mib(self.value_cache as usize),
            mib(self.block_cache as usize),
            mib(self.pinned as usize),
            mib(self.table_readers as usize),
            mib(self.dictionary as usize),
            mib(self.total() as usize)
        )
    }
}

/// What alexdb holds (`db`, opened with `opts`), read after its load: ALEX, the value
/// cache as it will be when full (its byte size, or less when every row fits in less),
/// the block cache's capacity, pinned blocks beyond that capacity, table readers when
/// index and filter blocks live outside the block cache, and the codec's dictionary.
pub fn alexdb_held(db: &Db, opts: &DbOptions) -> BudgetParts {
    let held = db.held_bytes().unwrap_or_default();
    let c = db.cache_counters();
    let per_entry = if c.entries > 0 {
        c.bytes.div_ceil(c.entries)
    } else {
        let sample = db.min_key().and_then(|k| db.scan(k, i64::MAX, 1).ok());
        let value = sample.and_then(|rows| rows.first().map(|(_, v)| v.len()));
        value.map_or(0, |n| (n + ENTRY_OVERHEAD_BYTES) as u64)
    };
    let rows = (db.len() as u64).min(opts.value_cache_entries as u64);
    let full = per_entry.saturating_mul(rows).min(c.capacity_bytes);
    BudgetParts {
        alex: held.alex,
        value_cache: c.bytes.max(full),
        block_cache: opts.block_cache_bytes as u64,
        pinned: held
            .block_cache_pinned
            .saturating_sub(opts.block_cache_bytes as u64),
        table_readers: if opts.cache_index_and_filter_blocks {
            0
        } else {
            held.table_readers
        },
        dictionary: c.dictionary_bytes,
    }
}

/// Bytes as `527.6 MiB`.
pub fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_rss_sums_the_maps_of_one_file() {
        let smaps = "\
55d0a0000000-55d0a0021000 r--p 00000000 08:01 1234 /usr/bin/x
Rss:                  64 kB
7f0000000000-7f0000100000 r--s 00000000 08:01 99 /tmp/a b/kv.sqlite
Size:               1024 kB
Rss:                 400 kB
VmFlags: rd sh mr mw me ms sd
7f0000200000-7f0000300000 r--s 00000000 08:01 99 /tmp/a b/kv.sqlite
Rss:                  20 kB
7f0000400000-7f0000500000 rw-p 00000000 00:00 0
Rss:                 999 kB
";
        assert_eq!(mapped_rss_in(smaps, "/tmp/a b/kv.sqlite"), 420 * 1024);
        assert_eq!(mapped_rss_in(smaps, "/tmp/other"), 0);
    }

    #[test]
    fn a_file_this_process_maps_has_its_touched_pages_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kv.sqlite");
        std::fs::write(&path, vec![7u8; 1 << 20]).expect("write");
        let f = std::fs::File::open(&path).expect("open");
        // SAFETY: a shared read-only map of a file this test owns, unmapped below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                1 << 20,
                libc::PROT_READ,
                libc::MAP_SHARED,
                std::os::fd::AsRawFd::as_raw_fd(&f),
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        // SAFETY: reads inside the 1 MiB just mapped.
        let sum: u64 = (0..256)
            .map(|i| u64::from(unsafe { *p.cast::<u8>().add(i * 4096) }))
            .sum();
        assert_eq!(sum, 7 * 256);
        assert!(mapped_rss(&path) >= 1 << 20);
        // SAFETY: the map made above, of that length.
        unsafe { libc::munmap(p, 1 << 20) };
        assert_eq!(mapped_rss(&path), 0);
    }
}
