//! What RocksDB's event listener hears of flushes, compactions and write stalls, turned
//! into RocksDB's own figures: per level, the bytes compactions read (all inputs and
//! those from the level above), wrote, their seconds and count, hence W-Amp (RocksDB's
//! "Compaction Stats" table); the stall timeline with seconds per cause; the compactions
//! under way; and one event per flush, compaction and stall change for the `Db`'s log.
//!
//! The listener (`listener/`) records into [`LsmLog`] on RocksDB's background threads:
//! a few field copies under one mutex, no call into RocksDB. The store reads it when it
//! samples its gauges (`Store::gauges`), together with the text properties only RocksDB
//! can give: the Compaction Stats table for each level's score and the write-stall
//! counters that name a stall's cause, and the block cache's use by block kind. The
//! `Db` then moves the events heard into its event log, stamped with the moment RocksDB
//! reported them.
pub mod parse;
pub(crate) mod stall;

use std::time::Instant;

use parking_lot::Mutex;

use crate::metrics::{BlockKindUse, LevelInfo, LsmEvent, NewEvent, RocksStats, RunningCompaction};

use parse::StallCounts;
use stall::{Change, Condition, Shape, Timeline};

/// Events heard and not yet taken are capped (a database nobody samples keeps
/// compacting); the oldest go first, as in the event log.
const KEEP: usize = 1024;

/// A flush the listener saw complete.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FlushDone {
    pub job: i32,
    /// RocksDB's `FlushReason`.
    pub reason: u32,
    /// The table file's size on disk (what RocksDB counts as L0's `Write(GB)`).
    pub bytes: u64,
    pub records: u64,
}

/// A compaction as the listener read it at its beginning or completion.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CompactionInfo {
    pub job: i32,
    /// RocksDB's `CompactionReason`.
    pub reason: u32,
    pub from_level: i32,
    pub to_level: i32,
    pub files_in: u64,
    pub files_out: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub records_in: u64,
    pub records_out: u64,
    /// RocksDB's `Comp(sec)` for it, in microseconds.
    pub micros: u64,
    /// Files moved to the output level without a rewrite: nothing read or written.
    pub trivial_move: bool,
    /// FIFO dropping whole files: nothing read or written either.
    pub deletion: bool,
    /// RocksDB reported a failure (its figures count nothing).
    pub failed: bool,
}

/// A compaction begun and not yet completed.
#[derive(Debug, Clone, Copy)]
struct Running {
    store: u64,
    info: CompactionInfo,
    /// Input bytes already at the output level (RocksDB's `Rnp1`), from the input files'
    /// sizes when it began; `None` when they could not be read.
    output_level_bytes: Option<u64>,
    began: Instant,
}

/// One level's totals since open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LevelTotals {
    pub read: u64,
    pub read_above: u64,
    pub write: u64,
    pub micros: u64,
    pub count: u64,
}

#[derive(Debug, Default)]
struct State {
    /// Flush and compaction events, with when they were heard.
    heard: Vec<(Instant, NewEvent)>,
    /// Stall changes waiting for their cause.
    changes: Vec<Change>,
    /// Events ready for the `Db`'s log, oldest first.
    ready: Vec<(Instant, NewEvent)>,
    levels: Vec<LevelTotals>,
    /// Bytes flushes wrote and bytes of table files ingested (a bulk load): L0's input,
    /// for its W-Amp and the Sum row's, as RocksDB counts them (`BYTES_FLUSHED` and
    /// `BYTES_INGESTED_ADD_FILE`).
    flushed: u64,
    ingested: u64,
    running: Vec<Running>,
    flushes_begun: Vec<(u64, i32, Instant)>,
    timeline: Timeline,
    /// RocksDB's stall counters at the last reading.
    counts: StallCounts,
    next_store: u64,
}

/// What the listeners of every store a `Db` opens heard, shared with the `Db` (so it
/// outlives a reopen, like the FIFO ranges).
#[derive(Debug, Default)]
pub(crate) struct LsmLog {
    state: Mutex<State>,
}

/// The text properties and shape a fill reads, sampled by the store.
#[derive(Debug, Default)]
pub(crate) struct Texts {
    /// `rocksdb.cfstats-no-file-histogram`: the Compaction Stats table and the
    /// write-stall counters.
    pub cfstats: Option<String>,
    /// `rocksdb.block-cache-entry-stats`.
    pub block_cache: Option<String>,
    pub live_data_bytes: u64,
}

impl LsmLog {
    /// A number for a newly opened store's listener (job ids are per RocksDB instance).
    pub(crate) fn new_store(&self) -> u64 {
        let mut s = self.state.lock();
        s.next_store += 1;
        s.next_store
    }

    /// The store's RocksDB let its listener go: what it began will not complete.
    pub(crate) fn store_closed(&self, store: u64) {
        let mut s = self.state.lock();
        s.running.retain(|r| r.store != store);
        s.flushes_begun.retain(|f| f.0 != store);
    }

    /// Table files of `bytes` were ingested into `levels`, in `micros` (RocksDB's
    /// listener is not asked: the store knows what it ingests). As in RocksDB's table,
    /// each file counts as one compaction into its level, timed with the whole
    /// ingestion, its bytes moved, not written.
    pub(crate) fn ingested(&self, bytes: u64, levels: &[u32], micros: u64) {
        let mut s = self.state.lock();
        s.ingested += bytes;
        for &l in levels {
            let t = level_mut(&mut s.levels, l as usize);
            t.count += 1;
            t.micros += micros;
        }
    }

    pub(crate) fn flush_begun(&self, store: u64, job: i32, at: Instant) {
        self.state.lock().flushes_begun.push((store, job, at));
    }

    pub(crate) fn flush_completed(&self, store: u64, f: FlushDone, at: Instant) {
        let mut s = self.state.lock();
        let began = take_where(&mut s.flushes_begun, |b| b.0 == store && b.1 == f.job);
        let micros = began.map_or(0, |b| at.saturating_duration_since(b.2).as_micros() as u64);
        let l0 = level_mut(&mut s.levels, 0);
        l0.write += f.bytes;
        l0.micros += micros;
        l0.count += 1;
        s.flushed += f.bytes;
        let event = flush_event(&f, micros);
        push_capped(&mut s.heard, (at, event));
    }

    pub(crate) fn compaction_begun(
        &self,
        store: u64,
        info: CompactionInfo,
        output_level_bytes: Option<u64>,
        at: Instant,
    ) {
        self.state.lock().running.push(Running {
            store,
            info,
            output_level_bytes,
            began: at,
        });
    }

    pub(crate) fn compaction_completed(&self, store: u64, c: CompactionInfo, at: Instant) {
        let mut s = self.state.lock();
        let begun = take_where(&mut s.running, |r| r.store == store && r.info.job == c.job);
        if !(c.trivial_move || c.deletion || c.failed) && c.to_level >= 0 {
            // Without the input sizes of its beginning, all input counts as from above.
            let at_output = begun.and_then(|r| r.output_level_bytes).unwrap_or(0);
            let l = level_mut(&mut s.levels, c.to_level as usize);
            l.read += c.bytes_in;
            l.read_above += c.bytes_in.saturating_sub(at_output);
            l.write += c.bytes_out;
            l.micros += c.micros;
            l.count += 1;
        }
        push_capped(&mut s.heard, (at, compaction_event(&c)));
    }

    pub(crate) fn stall_changed(&self, from: Condition, to: Condition, at: Instant) {
        let mut s = self.state.lock();
        if s.changes.len() >= KEEP {
            // Nobody reads the counters: the oldest change goes to the timeline as is.
            let old = s.changes.remove(0);
            s.timeline.apply(&old, None);
        }
        s.changes.push(Change { at, from, to });
    }

    /// Fills `r`'s LSM figures (levels, stall state, running compactions, block cache by
    /// kind, the tree's amplification but the user-bytes part) from what was heard and
    /// `texts`, and readies the events heard for [`LsmLog::take_ready`].
    pub(crate) fn fill(&self, r: &mut RocksStats, texts: &Texts, shape: &Shape, now: Instant) {
        let rows = texts
            .cfstats
            .as_deref()
            .map(parse::compaction_stats)
            .unwrap_or_default();
        let counts = texts.cfstats.as_deref().and_then(parse::stall_counts);
        let mut s = self.state.lock();
        s.resolve_stalls(counts, shape);
        let mut heard = std::mem::take(&mut s.heard);
        s.ready.append(&mut heard);
        s.ready.sort_by_key(|(at, _)| *at);
        let excess = s.ready.len().saturating_sub(KEEP);
        s.ready.drain(..excess);
        for l in r.levels.iter_mut() {
            let t = s.levels.get(l.level as usize).copied().unwrap_or_default();
            let input = if l.level == 0 {
                s.flushed + s.ingested
            } else {
                t.read_above
            };
            fill_level(l, &t, input);
            l.score = rows
                .iter()
                .find(|row| row.level == l.level)
                .map_or(0.0, |row| row.score);
        }
        r.stall = s.timeline.state(now);
        r.running = s.running.iter().map(|x| running(x, now)).collect();
        r.amp.sst_written_bytes = s.levels.iter().map(|l| l.write).sum();
        r.amp.flushed_bytes = s.flushed;
        r.amp.ingested_bytes = s.ingested;
        drop(s);
        r.amp.live_data_bytes = texts.live_data_bytes;
        r.amp.space_amp = ratio(r.sst_bytes, texts.live_data_bytes);
        r.amp.read_amp = r
            .levels
            .iter()
            .map(|l| {
                if l.level == 0 {
                    l.files
                } else {
                    u64::from(l.files > 0)
                }
            })
            .sum();
        r.block_cache_by_kind = texts
            .block_cache
            .as_deref()
            .map(parse::block_cache_entries)
            .unwrap_or_default()
            .into_iter()
            .map(|e| BlockKindUse {
                kind: e.kind,
                entries: e.entries,
                bytes: e.bytes,
            })
            .collect();
    }

    /// The events ready for the event log (flushes, compactions, stall changes), oldest
    /// first, each with when RocksDB reported it.
    pub(crate) fn take_ready(&self) -> Vec<(Instant, NewEvent)> {
        std::mem::take(&mut self.state.lock().ready)
    }

    /// Per-level totals since open (for tests inside the crate).
    #[cfg(test)]
    fn totals(&self) -> Vec<LevelTotals> {
        self.state.lock().levels.clone()
    }
}

impl State {
    /// Names the cause of each stall change heard since the last fill (the RocksDB
    /// counter for the new condition that grew, else the tree's shape against the
    /// limits), applies it to the timeline and readies its event.
    ///
    /// Why the counters: the listener's stall callback gives only the old and new
    /// condition, and may run while RocksDB holds its mutex, so nothing can be asked of
    /// RocksDB there. RocksDB adds one to the counter of a stall's cause each time it
    /// recomputes the condition, in the same step that reports the change, so by the time
    /// the change is read here its cause's counter has grown. The shape is only a
    /// fallback: by now the tree may have changed since the stall began.
    fn resolve_stalls(&mut self, counts: Option<StallCounts>, shape: &Shape) {
        let before = self.counts;
        if let Some(c) = counts {
            self.counts = c;
        }
        let mut changes = std::mem::take(&mut self.changes);
        changes.sort_by_key(|c| c.at);
        for c in changes {
            let cause = counts
                .and_then(|now| stall::cause_from_counts(c.to, &before, &now))
                .or_else(|| stall::cause_from_shape(c.to, shape));
            self.timeline.apply(&c, cause);
            let event = stall_event(&c, cause);
            self.ready.push((c.at, event));
        }
    }
}

fn fill_level(l: &mut LevelInfo, t: &LevelTotals, input: u64) {
    l.read_bytes = t.read;
    l.read_above_bytes = t.read_above;
    l.write_bytes = t.write;
    l.w_amp = ratio(t.write, input);
    l.compaction_secs = t.micros as f64 / 1e6;
    l.compactions = t.count;
}

fn running(r: &Running, now: Instant) -> RunningCompaction {
    RunningCompaction {
        job: r.info.job,
        reason: compaction_reason(r.info.reason),
        from_level: r.info.from_level,
        to_level: r.info.to_level,
        input_files: r.info.files_in,
        running_secs: now.saturating_duration_since(r.began).as_secs_f64(),
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn level_mut(levels: &mut Vec<LevelTotals>, level: usize) -> &mut LevelTotals {
    if levels.len() <= level {
        levels.resize(level + 1, LevelTotals::default());
    }
    &mut levels[level]
}

fn take_where<T>(v: &mut Vec<T>, f: impl Fn(&T) -> bool) -> Option<T> {
    let i = v.iter().position(f)?;
    Some(v.swap_remove(i))
}

fn push_capped<T>(v: &mut Vec<T>, x: T) {
    if v.len() >= KEEP {
        v.remove(0);
    }
    v.push(x);
}

/// RocksDB's `CompactionReason` (include/rocksdb/listener.h) as a short name.
pub(crate) fn compaction_reason(r: u32) -> &'static str {
    const NAMES: [&str; 21] = [
        "unknown",
        "l0 files",
        "level size",
        "size amp",
        "size ratio",
        "sorted runs",
        "fifo max size",
        "fifo file count",
        "fifo ttl",
        "manual",
        "marked files",
        "bottommost files",
        "ttl",
        "flush",
        "external file",
        "periodic",
        "temperature",
        "blob gc",
        "round robin ttl",
        "refit level",
        "read triggered",
    ];
    NAMES.get(r as usize).copied().unwrap_or("other")
}

/// RocksDB's `FlushReason` as a short name.
pub(crate) fn flush_reason(r: u32) -> &'static str {
    match r {
        0x01 => "live files",
        0x02 => "shutdown",
        0x03 => "external file",
        0x04 => "manual compaction",
        0x05 => "write buffer manager",
        0x06 => "write buffer full",
        0x07 => "test",
        0x08 => "delete files",
        0x09 => "auto compaction",
        0x0a => "manual",
        0x0b | 0x0c | 0x0e => "error recovery",
        0x0d => "wal full",
        0x0f => "range deletions",
        _ => "other",
    }
}

/// `3.9 MiB`, `512 B`.
fn mib(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn flush_event(f: &FlushDone, micros: u64) -> NewEvent {
    let reason = flush_reason(f.reason);
    let secs = micros as f64 / 1e6;
    NewEvent {
        kind: "flush",
        secs,
        label: format!(
            "flush -> L0 {reason} {} {} rows {secs:.2} s",
            mib(f.bytes),
            f.records
        ),
        lsm: Some(LsmEvent {
            reason: reason.to_string(),
            job: f.job,
            from_level: -1,
            to_level: 0,
            bytes_out: f.bytes,
            records_in: f.records,
            records_out: f.records,
            files_out: 1,
            ..LsmEvent::default()
        }),
        ..NewEvent::default()
    }
}

fn compaction_event(c: &CompactionInfo) -> NewEvent {
    let reason = compaction_reason(c.reason);
    let secs = c.micros as f64 / 1e6;
    let what = if c.failed {
        "failed".to_string()
    } else if c.trivial_move {
        format!("{} file(s) moved", c.files_in)
    } else if c.deletion {
        format!("{} file(s) deleted", c.files_in)
    } else {
        format!("{} -> {}", mib(c.bytes_in), mib(c.bytes_out))
    };
    NewEvent {
        kind: "compaction",
        secs,
        label: format!(
            "compaction L{}->L{} {reason} {what} {secs:.2} s",
            c.from_level, c.to_level
        ),
        lsm: Some(LsmEvent {
            reason: reason.to_string(),
            job: c.job,
            from_level: c.from_level,
            to_level: c.to_level,
            bytes_in: c.bytes_in,
            bytes_out: c.bytes_out,
            records_in: c.records_in,
            records_out: c.records_out,
            files_in: c.files_in,
            files_out: c.files_out,
            ..LsmEvent::default()
        }),
        ..NewEvent::default()
    }
}

fn stall_event(c: &Change, cause: Option<&'static str>) -> NewEvent {
    let why = match (c.to, cause) {
        (Condition::Normal, _) => String::new(),
        (_, cause) => format!(" ({})", cause.unwrap_or(stall::UNKNOWN)),
    };
    NewEvent {
        kind: "stall",
        label: format!("writes {} -> {}{why}", c.from.name(), c.to.name()),
        lsm: Some(LsmEvent {
            reason: cause.map(str::to_string).unwrap_or_default(),
            job: -1,
            from_level: -1,
            to_level: -1,
            stall_from: Some(c.from.name()),
            stall_to: Some(c.to.name()),
            ..LsmEvent::default()
        }),
        ..NewEvent::default()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn compaction(job: i32, from: i32, to: i32, bytes_in: u64, bytes_out: u64) -> CompactionInfo {
        CompactionInfo {
            job,
            reason: 1,
            from_level: from,
            to_level: to,
            bytes_in,
            bytes_out,
            micros: 2_000_000,
            files_in: 3,
            ..CompactionInfo::default()
        }
    }

    #[test]
    fn flushes_and_compactions_add_up_per_output_level() {
        let log = LsmLog::default();
        let t0 = Instant::now();
        let store = log.new_store();
        log.flush_begun(store, 1, t0);
        let f = FlushDone {
            job: 1,
            reason: 6,
            bytes: 100,
            records: 10,
        };
        log.flush_completed(store, f, t0 + Duration::from_millis(500));
        // L1 had 40 of the 140 input bytes: read from above is 100.
        log.compaction_begun(store, compaction(2, 0, 1, 140, 0), Some(40), t0);
        log.compaction_completed(store, compaction(2, 0, 1, 140, 130), t0);
        // A trivial move counts nothing.
        let moved = CompactionInfo {
            trivial_move: true,
            ..compaction(3, 1, 2, 130, 0)
        };
        log.compaction_completed(store, moved, t0);
        let t = log.totals();
        assert_eq!(
            t[0],
            LevelTotals {
                write: 100,
                micros: 500_000,
                count: 1,
                ..LevelTotals::default()
            }
        );
        assert_eq!(
            t[1],
            LevelTotals {
                read: 140,
                read_above: 100,
                write: 130,
                micros: 2_000_000,
                count: 1
            }
        );
        assert_eq!(
            t.get(2).copied().unwrap_or_default(),
            LevelTotals::default()
        );
        let mut r = RocksStats {
            levels: (0..3)
                .map(|level| LevelInfo {
                    level,
                    ..LevelInfo::default()
                })
                .collect(),
            ..RocksStats::default()
        };
        log.fill(&mut r, &Texts::default(), &Shape::default(), t0);
        assert_eq!(r.levels[0].w_amp, 1.0, "L0: written / flushed");
        assert_eq!(r.levels[1].w_amp, 1.3, "L1: written / read from above");
        assert_eq!(r.amp.sst_written_bytes, 230);
        let events = log.take_ready();
        let kinds: Vec<&str> = events.iter().map(|(_, e)| e.kind).collect();
        assert_eq!(
            kinds,
            ["compaction", "compaction", "flush"],
            "sorted by time"
        );
        assert!(log.take_ready().is_empty());
    }

    #[test]
    fn a_stall_gets_the_cause_whose_counter_grew() {
        let log = LsmLog::default();
        let t0 = Instant::now();
        log.stall_changed(Condition::Normal, Condition::Stopped, t0);
        let text = "Write Stall (count): l0-file-count-limit-stops: 2, memtable-limit-stops: 0";
        let texts = Texts {
            cfstats: Some(text.to_string()),
            ..Texts::default()
        };
        let mut r = RocksStats::default();
        log.fill(
            &mut r,
            &texts,
            &Shape::default(),
            t0 + Duration::from_secs(1),
        );
        assert_eq!(
            (r.stall.condition, r.stall.cause),
            ("stopped", Some(stall::L0))
        );
        assert_eq!(r.stall.by_cause[0].stopped_secs, 1.0);
        let events = log.take_ready();
        let lsm = events[0].1.lsm.clone().unwrap();
        assert_eq!(
            (lsm.reason.as_str(), lsm.stall_to),
            ("l0 files", Some("stopped"))
        );
        assert_eq!(events[0].1.label, "writes normal -> stopped (l0 files)");
    }

    #[test]
    fn a_closed_store_leaves_nothing_running() {
        let log = LsmLog::default();
        let (a, b) = (log.new_store(), log.new_store());
        let t0 = Instant::now();
        log.compaction_begun(a, compaction(7, 0, 1, 1, 0), None, t0);
        log.compaction_begun(b, compaction(7, 1, 2, 1, 0), None, t0);
        log.store_closed(a);
        let mut r = RocksStats::default();
        log.fill(&mut r, &Texts::default(), &Shape::default(), t0);
        assert_eq!(r.running.len(), 1);
        assert_eq!(
            (r.running[0].from_level, r.running[0].reason),
            (1, "l0 files")
        );
    }
}
