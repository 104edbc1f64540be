//! A workload split at option changes: while a run goes on, `.set` may change the
//! options under it. The run's figures are then kept per segment (one per period
//! between changes), so each result is reported with the options it ran under.
//!
//! The option changes are the database's `option` events. Worker threads ask
//! [`SegmentClock::current`] every few hundred operations which segment they are in;
//! the first to notice a new event opens the next segment (its start time and the cache
//! counters then), and each thread records its operations into its own per-segment
//! latencies. A thread notices a change within 256 operations of it.
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use parking_lot::Mutex;
use serde::Serialize;

use super::engines::Engine;
use super::latency::{Latencies, Summary};
use engine::Db;

/// Value-cache and block-cache hits and misses so far (cumulative).
#[derive(Debug, Clone, Copy, Default)]
struct Hits {
    value_hits: u64,
    value_misses: u64,
    block_hits: u64,
    block_misses: u64,
}

impl Hits {
    fn now(db: &Db) -> Hits {
        let s = db.metrics_snapshot();
        let b = s.rocksdb.tickers.block_cache;
        Hits {
            value_hits: s.cache.hits,
            value_misses: s.cache.misses,
            block_hits: b.data_hit + b.index_hit + b.filter_hit,
            block_misses: b.data_miss + b.index_miss + b.filter_miss,
        }
    }
}

/// Hits over lookups, or `None` when there were no lookups.
fn rate(hits: u64, misses: u64) -> Option<f64> {
    (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64)
}

/// Where a segment starts.
struct Boundary {
    at: Instant,
    /// The option changes that opened it (none for the first).
    changed: Vec<String>,
    settings: String,
    hits: Hits,
}

/// The segments of one timed run on an alexdb engine (a single segment on others).
pub(crate) struct SegmentClock<'a> {
    engine: &'a dyn Engine,
    db: Option<&'a Db>,
    /// The newest event id looked at; a thread takes the lock only when it moves.
    seen_event: AtomicU64,
    current: AtomicUsize,
    bounds: Mutex<Vec<Boundary>>,
}

impl<'a> SegmentClock<'a> {
    /// Starts the first segment now, with the engine's settings as they are.
    pub fn start(engine: &'a dyn Engine) -> Self {
        let db = engine.alex_db();
        let first = Boundary {
            at: Instant::now(),
            changed: Vec::new(),
            settings: engine.settings(),
            hits: db.map(Hits::now).unwrap_or_default(),
        };
        SegmentClock {
            engine,
            db,
            seen_event: AtomicU64::new(db.map_or(0, |d| d.metrics().last_event_id())),
            current: AtomicUsize::new(0),
            bounds: Mutex::new(vec![first]),
        }
    }

    /// The segment operations issued now belong to; opens a new one when an option
    /// changed since the last look.
    pub fn current(&self) -> usize {
        let Some(db) = self.db else { return 0 };
        let last = db.metrics().last_event_id();
        if last == self.seen_event.load(Ordering::Acquire) {
            return self.current.load(Ordering::Acquire);
        }
        let mut bounds = self.bounds.lock();
        // Another thread may have handled these events while this one waited.
        let seen = self.seen_event.load(Ordering::Acquire);
        let changed: Vec<String> = db
            .metrics()
            .events_since(seen)
            .into_iter()
            .filter(|e| e.kind == "option" && e.id <= last)
            .map(|e| e.label)
            .collect();
        if !changed.is_empty() {
            bounds.push(Boundary {
                at: Instant::now(),
                changed,
                settings: self.engine.settings(),
                hits: Hits::now(db),
            });
            self.current.store(bounds.len() - 1, Ordering::Release);
        }
        self.seen_event.fetch_max(last, Ordering::AcqRel);
        bounds.len() - 1
    }

    /// The segments' reports, given each segment's merged latencies (by index) and the
    /// run's end. Empty for engines other than alexdb.
    pub fn finish(self, lat: &[SegmentLatencies]) -> Vec<YcsbSegment> {
        let Some(db) = self.db else {
            return Vec::new();
        };
        let end = Boundary {
            at: Instant::now(),
            changed: Vec::new(),
            settings: String::new(),
            hits: Hits::now(db),
        };
        let mut bounds = self.bounds.into_inner();
        bounds.push(end);
        let empty = SegmentLatencies::default();
        bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| YcsbSegment::new(&w[0], &w[1], lat.get(i).unwrap_or(&empty)))
            .collect()
    }
}

/// One thread's (or, merged, all threads') latencies in one segment.
#[derive(Default)]
pub(crate) struct SegmentLatencies {
    pub read: Latencies,
    pub update: Latencies,
    pub insert: Latencies,
    pub scan: Latencies,
    pub rmw: Latencies,
}

impl SegmentLatencies {
    pub fn merge(&mut self, o: &SegmentLatencies) {
        self.read.merge(&o.read);
        self.update.merge(&o.update);
        self.insert.merge(&o.insert);
        self.scan.merge(&o.scan);
        self.rmw.merge(&o.rmw);
    }

    pub fn ops(&self) -> u64 {
        self.read.count()
            + self.update.count()
            + self.insert.count()
            + self.scan.count()
            + self.rmw.count()
    }

    /// Every kind of operation in one histogram.
    pub fn all_ops(&self) -> Latencies {
        let mut all = self.read.clone();
        for l in [&self.update, &self.insert, &self.scan, &self.rmw] {
            all.merge(l);
        }
        all
    }

    /// The writes of the mix: updates, else read-modify-writes, else inserts.
    pub fn write_summary(&self) -> Summary {
        if self.update.count() > 0 {
            self.update.summary()
        } else if self.rmw.count() > 0 {
            self.rmw.summary()
        } else {
            self.insert.summary()
        }
    }
}

/// A run's figures between two option changes.
#[derive(Debug, Clone, Serialize)]
pub struct YcsbSegment {
    /// The option changes that started this segment (empty for the first).
    pub changed: Vec<String>,
    /// The options in force during it.
    pub settings: String,
    pub secs: f64,
    pub ops: u64,
    pub ops_per_s: f64,
    pub read_p50_ns: u64,
    pub read_p99_ns: u64,
    pub write_p50_ns: u64,
    pub write_p99_ns: u64,
    pub value_cache_hit_rate: Option<f64>,
    pub block_cache_hit_rate: Option<f64>,
}

impl YcsbSegment {
    fn new(from: &Boundary, to: &Boundary, lat: &SegmentLatencies) -> YcsbSegment {
        let secs = to.at.duration_since(from.at).as_secs_f64();
        let ops = lat.ops();
        let (rd, wr) = (lat.read.summary(), lat.write_summary());
        let (a, b) = (&from.hits, &to.hits);
        YcsbSegment {
            changed: from.changed.clone(),
            settings: from.settings.clone(),
            secs,
            ops,
            ops_per_s: ops as f64 / secs.max(1e-9),
            read_p50_ns: rd.p50_ns,
            read_p99_ns: rd.p99_ns,
            write_p50_ns: wr.p50_ns,
            write_p99_ns: wr.p99_ns,
            value_cache_hit_rate: rate(
                b.value_hits.saturating_sub(a.value_hits),
                b.value_misses.saturating_sub(a.value_misses),
            ),
            block_cache_hit_rate: rate(
                b.block_hits.saturating_sub(a.block_hits),
                b.block_misses.saturating_sub(a.block_misses),
            ),
        }
    }

    /// One table row: `#  secs  ops/s  read p50/p99  write p50/p99  hit rates  options`.
    pub fn row(&self, n: usize) -> String {
        let pct = |r: Option<f64>| r.map_or("-".to_string(), |r| format!("{:.1}%", r * 100.0));
        let what = if self.changed.is_empty() {
            format!("as started: {}", self.settings)
        } else {
            self.changed.join("; ")
        };
        format!(
            "{:>3} {:>7.2} {:>11.0} {:>9}ns {:>9}ns {:>9}ns {:>9}ns {:>7} {:>7}  {}",
            n,
            self.secs,
            self.ops_per_s,
            self.read_p50_ns,
            self.read_p99_ns,
            self.write_p50_ns,
            self.write_p99_ns,
            pct(self.value_cache_hit_rate),
            pct(self.block_cache_hit_rate),
            what
        )
    }
}
