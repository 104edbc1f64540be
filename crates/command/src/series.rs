//! The recorded time series: a ring buffer of samples (one per sampler tick, each built
//! from a windowed metrics [`Snapshot`]) and the markers (option changes, reopens, write
//! stall changes) that time charts draw. Plain data: panes read it, only the runner feeds it.
use std::collections::VecDeque;
use std::fmt::Write as _;

use serde::Serialize;

use engine::metrics::sum::Combine;
use engine::metrics::{Event, GetSplit, LatencySummary, PerfSplit, RocksStats, Snapshot};
use engine::options::human_bytes;

/// Samples kept: 10 minutes at the default 250 ms refresh.
pub const DEFAULT_CAPACITY: usize = 2400;

/// One sampler tick.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sample {
    /// Seconds since the dashboard started.
    pub t: f64,
    /// Read operations (get, scan, count) in the window.
    pub reads: u64,
    /// Rows written (puts, loads) plus deletes in the window.
    pub writes: u64,
    /// The window's snapshot (its `events` moved to markers and the log).
    pub snapshot: Snapshot,
}

impl Sample {
    pub fn new(t: f64, mut snapshot: Snapshot) -> Self {
        snapshot.events.clear();
        let o = &snapshot.ops;
        let reads = o.get + o.scan + o.count;
        let writes = snapshot.rows.written + o.delete;
        Sample {
            t,
            reads,
            writes,
            snapshot,
        }
    }

    fn per_sec(&self, n: u64) -> f64 {
        if self.snapshot.window_secs > 0.0 {
            n as f64 / self.snapshot.window_secs
        } else {
            0.0
        }
    }

    pub fn reads_per_s(&self) -> f64 {
        self.per_sec(self.reads)
    }

    pub fn writes_per_s(&self) -> f64 {
        self.per_sec(self.writes)
    }

    /// Latency of one operation kind (see [`OP_KINDS`]).
    pub fn latency(&self, kind: usize) -> &LatencySummary {
        let l = &self.snapshot.latency;
        match kind {
            1 => &l.put,
            2 => &l.delete,
            3 => &l.scan,
            4 => &l.count,
            5 => &l.load,
            _ => &l.get,
        }
    }

    /// Value-cache hit rate of this window (`None` without lookups).
    pub fn value_cache_hit_rate(&self) -> Option<f64> {
        let c = &self.snapshot.cache;
        ratio(c.hits, c.hits + c.misses)
    }

    /// Block-cache hits and misses (data, index and filter blocks) in the window.
    pub fn block_cache_hits_misses(&self) -> (u64, u64) {
        let b = &self.snapshot.rocksdb.tickers.block_cache;
        (
            b.data_hit + b.index_hit + b.filter_hit,
            b.data_miss + b.index_miss + b.filter_miss,
        )
    }

    /// Block-cache hit rate of this window (`None` without lookups or with RocksDB
    /// statistics off).
    pub fn block_cache_hit_rate(&self) -> Option<f64> {
        let (h, m) = self.block_cache_hits_misses();
        ratio(h, h + m)
    }
}

/// Operation kinds the latency pane can show, in the order `[` / `]` cycle them.
pub const OP_KINDS: [&str; 6] = ["get", "put", "delete", "scan", "count", "load"];

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// A vertical mark on the time charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Marker {
    /// Dashboard time (seconds since it started).
    pub t: f64,
    /// `option`, `reopen` or `stall` (a change of the write-stall condition).
    pub kind: String,
    /// Short label drawn on the chart (`value_cache_entries=1000`).
    pub label: String,
    /// The engine's full text for the event.
    pub text: String,
}

/// An engine event placed on the dashboard's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedEvent {
    pub t: f64,
    pub event: Event,
}

/// Sums over the samples of a recent stretch of time (for steadier gauges than one
/// 250 ms window).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Recent {
    pub secs: f64,
    pub samples: usize,
    pub reads: u64,
    pub writes: u64,
    pub vc_hits: u64,
    pub vc_misses: u64,
    pub bc_hits: u64,
    pub bc_misses: u64,
    /// alexdb's get split (the timed gets and where their time went), summed.
    pub split: GetSplit,
    /// RocksDB's own split (PerfContext), summed; `enabled` is the newest sample's.
    pub perf: PerfSplit,
}

impl Recent {
    pub fn value_cache_hit_rate(&self) -> Option<f64> {
        ratio(self.vc_hits, self.vc_hits + self.vc_misses)
    }
    pub fn block_cache_hit_rate(&self) -> Option<f64> {
        ratio(self.bc_hits, self.bc_hits + self.bc_misses)
    }
    pub fn split_total_ns(&self) -> u64 {
        let g = &self.split;
        g.cache_ns + g.alex_ns + g.rocksdb_ns + g.rest_ns
    }
    /// Gets that were timed.
    pub fn timed_gets(&self) -> u64 {
        self.split.sampled_gets
    }
}

/// The ring buffer of samples and the chart markers.
#[derive(Debug, Clone)]
pub struct Series {
    samples: VecDeque<Sample>,
    markers: VecDeque<Marker>,
    capacity: usize,
    /// Totals since the dashboard started (samples dropped from the ring included).
    pub total_reads: u64,
    pub total_writes: u64,
    /// The last stall change's time and how many changes its marker holds.
    stall_burst: Option<(f64, u32)>,
}

impl Default for Series {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl Series {
    pub fn with_capacity(capacity: usize) -> Self {
        Series {
            samples: VecDeque::with_capacity(capacity.min(4096)),
            markers: VecDeque::new(),
            capacity: capacity.max(1),
            total_reads: 0,
            total_writes: 0,
            stall_burst: None,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Records a snapshot taken at dashboard time `t`. Its events become markers (option
    /// changes and reopens) and are returned on the dashboard's clock, for the log.
    pub fn push(&mut self, t: f64, snapshot: Snapshot) -> Vec<TimedEvent> {
        let events: Vec<TimedEvent> = snapshot
            .events
            .iter()
            .map(|e| TimedEvent {
                // The event happened `uptime - at_secs` seconds before the snapshot.
                t: (t - (snapshot.uptime_secs - e.at_secs).max(0.0)).max(0.0),
                event: e.clone(),
            })
            .collect();
        for e in &events {
            self.mark(e);
        }
        let s = Sample::new(t, snapshot);
        self.total_reads += s.reads;
        self.total_writes += s.writes;
        self.samples.push_back(s);
        while self.samples.len() > self.capacity {
            self.samples.pop_front();
        }
        // A marker goes when no sample's window covers its time any more.
        let oldest = self
            .samples
            .front()
            .map_or(0.0, |s| s.t - s.snapshot.window_secs);
        while self.markers.front().is_some_and(|m| m.t < oldest) {
            self.markers.pop_front();
        }
        events
    }

    /// Adds a marker for an option change, a reopen or a write-stall change (flushes and
    /// compactions only go to the log). An option applied by a reopen replaces the bare reopen marker the
    /// engine recorded just before it, so one change is one marker.
    pub fn mark(&mut self, e: &TimedEvent) {
        let ev = &e.event;
        let marker = match ev.kind {
            "option" => {
                let name = ev.option.as_deref().unwrap_or("option");
                let new = ev.new.as_deref().unwrap_or("?");
                Marker {
                    t: e.t,
                    kind: "option".into(),
                    label: format!("{name}={new}"),
                    text: ev.label.clone(),
                }
            }
            "reopen" => Marker {
                t: e.t,
                kind: "reopen".into(),
                label: format!("reopen {:.2}s", ev.secs),
                text: ev.label.clone(),
            },
            "stall" => {
                self.mark_stall(e);
                return;
            }
            _ => return,
        };
        if marker.kind == "option"
            && ev.applied.as_deref() == Some("reopen")
            && let Some(last) = self.markers.back()
            && last.kind == "reopen"
            && (marker.t - last.t).abs() < 2.0
        {
            let label = format!("{} ↻{:.2}s", marker.label, ev.secs.max(0.0));
            let t = last.t;
            self.markers.pop_back();
            self.markers.push_back(Marker { t, label, ..marker });
            return;
        }
        self.markers.push_back(marker);
    }

    /// A change of the write-stall condition: one marker (`stall delayed (l0 files)`,
    /// `stall over`). A change less than [`STALL_MERGE_SECS`] after the previous one
    /// joins its marker (the stall marker last drawn): a stall that flaps draws one line
    /// where the episode began, labelled with the latest state and how many changes it
    /// holds (`stall over ×57`), not a comb.
    fn mark_stall(&mut self, e: &TimedEvent) {
        let label = stall_label(&e.event);
        let text = event_text(&e.event);
        if let Some((last_t, n)) = self.stall_burst
            && (e.t - last_t).abs() < STALL_MERGE_SECS
            && let Some(m) = self.markers.iter_mut().rev().find(|m| m.kind == "stall")
        {
            m.label = format!("{label} ×{}", n + 1);
            m.text = text;
            self.stall_burst = Some((e.t, n + 1));
            return;
        }
        self.stall_burst = Some((e.t, 1));
        self.markers.push_back(Marker {
            t: e.t,
            kind: "stall".into(),
            label,
            text,
        });
    }

    /// The markers that stand for a change people made (option changes, reopens):
    /// charts other than throughput draw only these.
    pub fn change_markers(&self) -> impl Iterator<Item = &Marker> {
        self.markers.iter().filter(|m| m.kind != "stall")
    }

    pub fn samples(&self) -> &VecDeque<Sample> {
        &self.samples
    }

    pub fn markers(&self) -> &VecDeque<Marker> {
        &self.markers
    }

    pub fn latest(&self) -> Option<&Sample> {
        self.samples.back()
    }

    /// The newest sample at or before `t` (`None`: the newest of all).
    pub fn at(&self, t: Option<f64>) -> Option<&Sample> {
        match t {
            None => self.samples.back(),
            Some(t) => self.samples.iter().rev().find(|s| s.t <= t),
        }
    }

    /// Samples with `from <= t <= to`, oldest first.
    pub fn range(&self, from: f64, to: f64) -> impl Iterator<Item = &Sample> {
        let start = self.samples.partition_point(|s| s.t < from);
        self.samples.range(start..).take_while(move |s| s.t <= to)
    }

    /// Sums over the samples of the `secs` seconds up to `end` (`end - secs < t <= end`).
    pub fn recent(&self, end: f64, secs: f64) -> Recent {
        let mut r = Recent::default();
        for s in self.range(end - secs, end).filter(|s| s.t > end - secs) {
            let snap = &s.snapshot;
            r.secs += snap.window_secs;
            r.samples += 1;
            r.reads += s.reads;
            r.writes += s.writes;
            r.vc_hits += snap.cache.hits;
            r.vc_misses += snap.cache.misses;
            let (h, m) = s.block_cache_hits_misses();
            r.bc_hits += h;
            r.bc_misses += m;
            r.split = r.split.combine(&snap.get_split, u64::saturating_add);
            r.perf.add(&snap.rocksdb_perf);
        }
        r
    }

    /// The recorded series as CSV: a header and one row per sample. The last column,
    /// `markers`, holds the labels of the markers (option changes, reopens) in the
    /// sample's window, after the previous sample and up to this one, joined by `" | "`
    /// (quoted as CSV requires); a marker before the first sample goes to the first row,
    /// so every marker of [`Series::markers`] is in exactly one row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(CSV_HEADER);
        out.push('\n');
        let last = self.samples.len().saturating_sub(1);
        let mut markers = self.markers.iter().peekable();
        for (i, s) in self.samples.iter().enumerate() {
            let mut labels: Vec<&str> = Vec::new();
            while let Some(m) = markers.next_if(|m| m.t <= s.t || i == last) {
                labels.push(&m.label);
            }
            let labels = csv_field(&labels.join(" | "));
            let n = &s.snapshot;
            let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
            let l = &n.latency;
            let lv = |x: &LatencySummary| format!("{},{},{}", x.p50_ns, x.p99_ns, x.p999_ns);
            let g = &n.get_split;
            let r = &n.rocksdb;
            let m = &n.memory;
            let _ = writeln!(
                out,
                "{:.3},{:.3},{:.1},{:.1},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                s.t,
                n.window_secs,
                s.reads_per_s(),
                s.writes_per_s(),
                n.ops.get,
                n.ops.put,
                n.ops.delete,
                n.ops.scan,
                lv(&l.get),
                lv(&l.put),
                opt(s.value_cache_hit_rate()),
                opt(s.block_cache_hit_rate()),
                n.cache.entries,
                n.cache.capacity,
                r.block_cache_usage,
                r.block_cache_capacity,
                g.sampled_gets,
                g.cache_ns,
                g.alex_ns,
                g.rocksdb_ns,
                g.rest_ns,
                m.rss_bytes,
                m.alex_bytes,
                m.value_cache_bytes,
                m.block_cache_bytes,
                m.memtable_bytes,
                m.table_readers_bytes,
                r.sst_files,
                r.sst_bytes,
                r.pending_compaction_bytes,
                r.running_compactions,
                u8::from(r.write_stall),
                n.index.keys,
                n.rocksdb_perf.gets,
                n.rocksdb_perf.memtable_ns,
                n.rocksdb_perf.filter_ns,
                n.rocksdb_perf.index_ns,
                n.rocksdb_perf.data_block_ns,
                n.rocksdb_perf.block_read_ns,
                n.rocksdb_perf.decompress_ns,
                lsm_columns(r),
                labels,
            );
        }
        out
    }

    /// The recorded series as one JSON object: `samples` (each with its full snapshot)
    /// and `markers`.
    pub fn to_json(&self) -> serde_json::Value {
        let samples: Vec<serde_json::Value> = self
            .samples
            .iter()
            .map(|s| {
                serde_json::json!({
                    "t": s.t,
                    "reads_per_s": s.reads_per_s(),
                    "writes_per_s": s.writes_per_s(),
                    "value_cache_hit_rate": s.value_cache_hit_rate(),
                    "block_cache_hit_rate": s.block_cache_hit_rate(),
                    "snapshot": s.snapshot,
                })
            })
            .collect();
        serde_json::json!({
            "samples": samples,
            "markers": self.markers,
            "total_reads": self.total_reads,
            "total_writes": self.total_writes,
        })
    }
}

/// Columns of [`Series::to_csv`].
pub const CSV_HEADER: &str = "t_secs,window_secs,reads_per_s,writes_per_s,gets,puts,deletes,scans,\
get_p50_ns,get_p99_ns,get_p999_ns,put_p50_ns,put_p99_ns,put_p999_ns,\
value_cache_hit_rate,block_cache_hit_rate,value_cache_entries,value_cache_capacity,\
block_cache_usage,block_cache_capacity,timed_gets,get_cache_ns,get_alex_ns,get_rocksdb_ns,get_other_ns,\
rss_bytes,alex_bytes,value_cache_bytes,block_cache_bytes,memtable_bytes,table_readers_bytes,\
sst_files,sst_bytes,pending_compaction_bytes,running_compactions,write_stall,keys,\
perf_gets,perf_memtable_ns,perf_filter_ns,perf_index_ns,perf_data_block_ns,perf_block_read_ns,perf_decompress_ns,\
write_amp,space_amp,read_amp,soft_pending_limit,hard_pending_limit,stall_condition,stall_cause,\
l0_write_bytes,l0_w_amp,l1_write_bytes,l1_w_amp,l2_write_bytes,l2_w_amp,l3_write_bytes,l3_w_amp,\
l4_write_bytes,l4_w_amp,l5_write_bytes,l5_w_amp,l6_write_bytes,l6_w_amp,\
markers";

/// Levels with their own CSV columns (RocksDB's default `num_levels`).
pub const CSV_LEVELS: usize = 7;

/// The LSM columns of one CSV row: whole-tree amplification, the debt limits, the stall
/// condition and cause, then each level's bytes written and W-Amp since open (empty for
/// a level the snapshot does not have).
fn lsm_columns(r: &RocksStats) -> String {
    let a = &r.amp;
    let mut out = format!(
        "{:.3},{:.3},{},{},{},{},{}",
        a.write_amp,
        a.space_amp,
        a.read_amp,
        r.soft_pending_limit,
        r.hard_pending_limit,
        r.stall.condition,
        csv_field(r.stall.cause.unwrap_or("")),
    );
    for i in 0..CSV_LEVELS {
        match r.levels.get(i) {
            Some(l) => {
                let _ = write!(out, ",{},{:.3}", l.write_bytes, l.w_amp);
            }
            None => out.push_str(",,"),
        }
    }
    out
}

/// Seconds within which stall changes share one marker (and listener events of one
/// kind one line of the dashboard's log).
pub const STALL_MERGE_SECS: f64 = 1.0;

/// A stall marker's label: `stall delayed (l0 files)`, `stall stopped`, `stall over`.
fn stall_label(ev: &Event) -> String {
    let Some(l) = &ev.lsm else {
        return "stall".into();
    };
    match l.stall_to {
        Some("normal") | None => "stall over".into(),
        Some(to) if l.reason.is_empty() => format!("stall {to}"),
        Some(to) => format!("stall {to} ({})", l.reason),
    }
}

/// One line for the event log: a flush, compaction or stall change with what RocksDB
/// reported of it (reason, levels, bytes and records in and out, duration); any other
/// event's own label.
pub fn event_text(ev: &Event) -> String {
    let Some(l) = &ev.lsm else {
        return ev.label.clone();
    };
    let secs = if ev.secs > 0.0 {
        format!(", {:.2} s", ev.secs)
    } else {
        String::new()
    };
    let why = if l.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", l.reason)
    };
    match ev.kind {
        "stall" => format!(
            "write stall {} -> {}{why}",
            l.stall_from.unwrap_or("?"),
            l.stall_to.unwrap_or("?")
        ),
        "flush" => format!(
            "flush -> L{}{why}: {}, {}{secs}",
            l.to_level.max(0),
            human_bytes(l.bytes_out),
            counted(l.records_in.max(l.records_out), "record")
        ),
        _ => format!(
            "{} L{}->L{}{why}: {} {} -> {} {}, {} -> {}{secs}",
            if ev.kind == "compact" {
                "compact"
            } else {
                "compaction"
            },
            l.from_level,
            l.to_level,
            counted(l.files_in, "file"),
            human_bytes(l.bytes_in),
            counted(l.files_out, "file"),
            human_bytes(l.bytes_out),
            grouped(l.records_in),
            counted(l.records_out, "record")
        ),
    }
}

/// `1 record`, `3,421 records`.
fn counted(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", grouped(n))
}

/// `1,234,567`: full counts with thousands separators.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One CSV field: quoted (with `""` for `"`) when it holds a comma, a quote or a newline.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
