//! The engines benchmarks compare, behind one trait (in the manner of redb's harness):
//! alexdb as configured, plain RocksDB with the same RocksDB options (no ALEX, no value
//! cache), and SQLite (`rusqlite`, bundled) with one `kv` table. Same rows and the same
//! memory budget for each; reads return a checksum of the value so nothing is optimised
//! away and results can be compared across engines.
//!
//! The plain-RocksDB peer opens its own RocksDB handle here, on purpose: it is the
//! baseline without alexdb's layers. Everything else goes through `engine::store`.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rocksdb::{DB, Options, ReadOptions, WriteBatch, WriteOptions};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::engine::store::{encode_key, rocksdb_options};
use crate::engine::{Db, DbOptions};

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Alexdb,
    Rocksdb,
    Sqlite,
}

impl EngineKind {
    pub const ALL: [EngineKind; 3] = [EngineKind::Alexdb, EngineKind::Rocksdb, EngineKind::Sqlite];
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Alexdb => "alexdb",
            EngineKind::Rocksdb => "rocksdb",
            EngineKind::Sqlite => "sqlite",
        }
    }
}

impl std::str::FromStr for EngineKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| "expected alexdb, rocksdb or sqlite".to_string())
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
}

/// One thread's operations on an engine.
pub trait Worker {
    /// The value's checksum, or `None` when the key is absent.
    fn get(&mut self, key: i64) -> anyhow::Result<Option<u64>>;
    /// Insert or overwrite.
    fn put(&mut self, key: i64, value: &[u8]) -> anyhow::Result<()>;
    /// Up to `n` rows from `start` in key order: (rows, checksum).
    fn scan(&mut self, start: i64, n: usize) -> anyhow::Result<(usize, u64)>;
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
}

impl Engine for AlexEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Alexdb
    }
    fn alex_db(&self) -> Option<&Db> {
        Some(&self.db)
    }
    fn load(&self, rows: &mut dyn Iterator<Item = (i64, Vec<u8>)>) -> anyhow::Result<u64> {
        Ok(self.db.load(rows)?.rows)
    }
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>> {
        Ok(Box::new(DbWorker(&self.db)))
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
pub struct DbWorker<'a>(pub &'a Db);

impl Worker for DbWorker<'_> {
    #[inline]
    fn get(&mut self, key: i64) -> anyhow::Result<Option<u64>> {
        Ok(self.0.get(key)?.map(|v| value_checksum(&v)))
    }
    fn put(&mut self, key: i64, value: &[u8]) -> anyhow::Result<()> {
        self.0.put(key, value)?;
        Ok(())
    }
    fn scan(&mut self, start: i64, n: usize) -> anyhow::Result<(usize, u64)> {
        let rows = self.0.scan(start, i64::MAX, n)?;
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
    block_cache_bytes: usize,
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
            block_cache_bytes: budget_bytes,
            _opts: ropts,
        })
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
        Ok(n)
    }
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>> {
        Ok(Box::new(RocksWorker {
            db: &self.db,
            ro: ReadOptions::default(),
        }))
    }
    fn settings(&self) -> String {
        format!(
            "same RocksDB options as alexdb, block cache {} (the whole budget), no ALEX, no value cache, WAL on, no sync",
            mib(self.block_cache_bytes)
        )
    }
}

struct RocksWorker<'a> {
    db: &'a DB,
    ro: ReadOptions,
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
}

// ----- SQLite ------------------------------------------------------------------------

/// SQLite: `kv(key INTEGER PRIMARY KEY, value BLOB)`, WAL, synchronous=NORMAL, page
/// cache = the memory budget (split over the connections that run at once).
pub struct SqliteEngine {
    path: PathBuf,
    budget_bytes: usize,
    threads: usize,
}

impl SqliteEngine {
    pub fn create(dir: &Path, budget_bytes: usize, threads: usize) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let e = SqliteEngine {
            path: dir.join("kv.sqlite"),
            budget_bytes,
            threads: threads.max(1),
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
        c.execute_batch(&format!(
            "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-{};",
            (cache_bytes / 1024).max(1)
        ))?;
        Ok(c)
    }
}

impl Engine for SqliteEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Sqlite
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
        Ok(n)
    }
    fn worker(&self) -> anyhow::Result<Box<dyn Worker + '_>> {
        Ok(Box::new(SqliteWorker {
            c: self.connect(self.budget_bytes / self.threads)?,
        }))
    }
    fn settings(&self) -> String {
        format!(
            "WAL, synchronous=NORMAL, page cache {} per connection x {} ({} in all)",
            mib(self.budget_bytes / self.threads),
            self.threads,
            mib(self.budget_bytes)
        )
    }
}

struct SqliteWorker {
    c: Connection,
}

impl Worker for SqliteWorker {
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

/// The memory budget of alexdb with `opts` and values of `value_size` bytes: block cache
/// plus what the value cache holds when full (its byte size, or less when its entry cap
/// binds first at value bytes + about 64 bytes of entry overhead each). SQLite's page
/// cache and plain RocksDB's block cache get this much.
pub fn memory_budget(opts: &DbOptions, value_size: usize) -> usize {
    let by_entries = opts.value_cache_entries.saturating_mul(value_size + 64);
    opts.block_cache_bytes + (opts.value_cache_memory() as usize).min(by_entries)
}

/// Bytes as `527.6 MiB`.
pub fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}
