//! The recorder: striped atomic counters, sampled latency histograms.
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use hdrhistogram::Histogram;
use parking_lot::Mutex;
use serde::Serialize;

/// Number of counter stripes. Each thread picks one (round robin on first use) so that
/// threads rarely share a cache line; more threads than stripes still count correctly
/// (the increments are atomic), they just share.
const STRIPES: usize = 16;

/// Largest latency a histogram tracks, in clock ticks (2^46: over 6 hours of a 3 GHz
/// TSC); longer ones are clamped.
const MAX_TRACKABLE_TICKS: u64 = 1 << 46;
/// Two significant digits: 1% precision, ~40 KiB per histogram.
const SIGFIG: u8 = 2;

/// The clock behind every timing: the CPU's time-stamp counter on x86_64 (about 10 ns a
/// read here, against 24 ns for `Instant::now`, and a timed cache hit reads it twice),
/// nanoseconds since an epoch elsewhere. Ticks are converted to nanoseconds only when a
/// snapshot is taken, by comparing the ticks and the `Instant` time elapsed since the
/// first `Metrics` was created, so there is no calibration step.
pub mod clock {
    use std::sync::LazyLock;
    use std::time::{Duration, Instant};

    static CALIBRATION: LazyLock<(Instant, u64)> = LazyLock::new(|| (Instant::now(), raw()));

    #[inline]
    fn raw() -> u64 {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: RDTSC exists on every x86_64 CPU and has no preconditions.
            unsafe { core::arch::x86_64::_rdtsc() }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
            EPOCH.elapsed().as_nanos() as u64
        }
    }

    /// Current tick count.
    #[inline]
    pub fn now() -> u64 {
        raw()
    }

    /// Starts the calibration window (first call wins).
    pub fn init() {
        LazyLock::force(&CALIBRATION);
    }

    /// Nanoseconds per tick, measured over the time since [`init`].
    pub fn ns_per_tick() -> f64 {
        if !cfg!(target_arch = "x86_64") {
            return 1.0;
        }
        let (i0, t0) = *CALIBRATION;
        if i0.elapsed() < Duration::from_millis(2) {
            std::thread::sleep(Duration::from_millis(2));
        }
        let ns = i0.elapsed().as_nanos() as f64;
        let ticks = raw().saturating_sub(t0) as f64;
        if ticks > 0.0 { ns / ticks } else { 1.0 }
    }
}

/// The kinds of operation the engine times and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Get,
    Put,
    Delete,
    Scan,
    Count,
    Load,
}

impl OpKind {
    pub const ALL: [OpKind; 6] = [
        Self::Get,
        Self::Put,
        Self::Delete,
        Self::Scan,
        Self::Count,
        Self::Load,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Put => "put",
            Self::Delete => "delete",
            Self::Scan => "scan",
            Self::Count => "count",
            Self::Load => "load",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// Engine counters. Gets are counted by the value cache (hits + misses) when it is on,
/// and by `GetsUncached` when it is off, so a cache hit costs no extra atomic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Counter {
    Puts,
    Deletes,
    Scans,
    Counts,
    Loads,
    GetsUncached,
    AlexFound,
    AlexAbsent,
    /// Rows read from RocksDB (gets that missed the cache and found a value, scan rows).
    RowsReadStore,
    BytesReadStore,
    RowsWritten,
    BytesWritten,
    RowsDeleted,
    /// Timed gets and the clock ticks they spent in each layer.
    GetSampled,
    GetCacheTicks,
    GetAlexTicks,
    GetRocksTicks,
    GetRestTicks,
    GetTotalTicks,
    /// Timed gets that reached RocksDB with PerfContext timing on, and RocksDB's own
    /// split of them in nanoseconds (memtable, filter, index, all SST work, file reads).
    PerfGets,
    PerfMemtableNs,
    PerfFilterNs,
    PerfIndexNs,
    PerfSstNs,
    PerfBlockReadNs,
    PerfDecompressNs,
}

const N_COUNTERS: usize = Counter::PerfDecompressNs as usize + 1;

/// Plain sums of every counter over all stripes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawCounters([u64; N_COUNTERS]);

impl Default for RawCounters {
    fn default() -> Self {
        Self([0; N_COUNTERS])
    }
}

impl RawCounters {
    pub fn get(&self, c: Counter) -> u64 {
        self.0[c as usize]
    }
    /// `self - earlier`, saturating (counters only grow).
    pub fn since(&self, earlier: &RawCounters) -> RawCounters {
        let mut out = *self;
        for (o, e) in out.0.iter_mut().zip(earlier.0.iter()) {
            *o = o.saturating_sub(*e);
        }
        out
    }
}

/// One latency histogram per [`OpKind`], merged over all stripes.
#[derive(Debug, Clone)]
pub struct HistSet(Vec<Histogram<u64>>);

fn new_histogram() -> Histogram<u64> {
    // The bounds are constants known to be valid, so this cannot fail; fall back to an
    // auto-resizing histogram rather than panic if it ever did.
    Histogram::new_with_bounds(1, MAX_TRACKABLE_TICKS, SIGFIG)
        .or_else(|_| Histogram::new(SIGFIG))
        .unwrap_or_else(|_| unreachable!("hdrhistogram rejected constant bounds"))
}

impl Default for HistSet {
    fn default() -> Self {
        Self(OpKind::ALL.iter().map(|_| new_histogram()).collect())
    }
}

impl HistSet {
    pub fn get(&self, kind: OpKind) -> &Histogram<u64> {
        &self.0[kind.index()]
    }
    /// Latencies recorded after `earlier` was taken (both cumulative).
    pub fn since(&self, earlier: &HistSet) -> HistSet {
        let mut out = self.clone();
        for (o, e) in out.0.iter_mut().zip(earlier.0.iter()) {
            if o.subtract(e).is_err() {
                // Only possible if `earlier` was not taken from the same recorder.
                o.reset();
            }
        }
        out
    }
}

#[repr(align(128))]
struct Stripe {
    counters: [AtomicU64; N_COUNTERS],
    hists: Mutex<Vec<Option<Box<Histogram<u64>>>>>,
}

impl Stripe {
    fn new() -> Self {
        Self {
            counters: std::array::from_fn(|_| AtomicU64::new(0)),
            hists: Mutex::new(OpKind::ALL.iter().map(|_| None).collect()),
        }
    }
}

static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static STRIPE_INDEX: Cell<usize> = const { Cell::new(usize::MAX) };
    static COUNTDOWN: Cell<u32> = const { Cell::new(0) };
}

#[inline]
fn stripe_index() -> usize {
    STRIPE_INDEX.with(|c| {
        let v = c.get();
        if v != usize::MAX {
            v
        } else {
            let n = NEXT_STRIPE.fetch_add(1, Relaxed) % STRIPES;
            c.set(n);
            n
        }
    })
}

/// Below this many operations a second (summed over threads) every operation is timed,
/// whatever `metrics_sample_rate` says: a burst of manual commands then rests on every
/// get, not on one in a hundred. At and above it the configured rate applies again.
pub const FULL_TIMING_BELOW_OPS: u64 = 1000;

/// The engine's recorder. Cheap to update from many threads at once.
pub struct Metrics {
    stripes: Box<[Stripe]>,
    /// The configured `metrics_sample_rate`.
    sample_rate: AtomicU32,
    /// The rate [`Metrics::sample`] uses: `sample_rate`, or 1 while operations arrive
    /// slower than [`FULL_TIMING_BELOW_OPS`] a second (see [`Metrics::adapt`]).
    effective_rate: AtomicU32,
    /// When the last timed operation started, in nanoseconds since `opened` (0: none).
    last_timed_ns: AtomicU64,
    timing: AtomicBool,
    /// A session's override of `sample_rate` and `timing` (`.stats on` times every
    /// operation without changing the stored options); 0 when there is none.
    rate_override: AtomicU32,
    opened: Instant,
    events: super::events::EventLog,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("sample_rate", &self.sample_rate())
            .field("timing", &self.timing_enabled())
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// `timing` turns latency sampling on; `sample_rate` N times 1 in N operations.
    pub fn new(timing: bool, sample_rate: u32) -> Self {
        clock::init();
        Self {
            stripes: (0..STRIPES).map(|_| Stripe::new()).collect(),
            sample_rate: AtomicU32::new(sample_rate.max(1)),
            effective_rate: AtomicU32::new(1),
            last_timed_ns: AtomicU64::new(0),
            timing: AtomicBool::new(timing),
            rate_override: AtomicU32::new(0),
            opened: Instant::now(),
            events: super::events::EventLog::default(),
        }
    }

    pub fn opened(&self) -> Instant {
        self.opened
    }

    /// Records an event (option change, reopen, ...) and returns it as stored.
    pub fn event(&self, e: super::events::NewEvent) -> super::events::Event {
        self.events.push(self.opened, e)
    }

    /// Records an event that happened at `at` (RocksDB's listener heard it then).
    pub fn event_at(&self, at: Instant, e: super::events::NewEvent) -> super::events::Event {
        self.events.push_at(self.opened, at, e)
    }

    pub fn last_event_id(&self) -> u64 {
        self.events.last_id()
    }

    /// Events newer than `after` (an event id; 0 for all that are kept).
    pub fn events_since(&self, after: u64) -> Vec<super::events::Event> {
        self.events.since(after)
    }
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate.load(Relaxed)
    }
    pub fn set_sample_rate(&self, n: u32) {
        self.sample_rate.store(n.max(1), Relaxed);
        // Start fully timed; the next timed operations pick the rate that fits the load.
        self.effective_rate.store(1, Relaxed);
    }
    /// The rate in use now: 1 while the load is light, else [`Metrics::sample_rate`].
    pub fn effective_sample_rate(&self) -> u32 {
        self.effective_rate.load(Relaxed)
    }
    pub fn timing_enabled(&self) -> bool {
        self.timing.load(Relaxed)
    }
    pub fn set_timing(&self, on: bool) {
        self.timing.store(on, Relaxed);
    }
    /// `Some(n)`: time 1 in `n` operations, even with timing off, until `None`; the
    /// configured rate and timing switch are left as they are.
    pub fn set_rate_override(&self, n: Option<u32>) {
        self.rate_override.store(n.map_or(0, |n| n.max(1)), Relaxed);
    }
    pub fn rate_override(&self) -> Option<u32> {
        Some(self.rate_override.load(Relaxed)).filter(|n| *n > 0)
    }

    /// Whether the calling operation should be timed: true for 1 in `metrics_sample_rate`
    /// calls on each thread (a thread-local countdown), or for every call while fewer than
    /// [`FULL_TIMING_BELOW_OPS`] operations a second arrive. The untimed path costs the
    /// same two relaxed loads as a fixed rate; only timed calls check the load.
    #[inline]
    pub fn sample(&self) -> bool {
        let over = self.rate_override.load(Relaxed);
        if over == 0 && !self.timing.load(Relaxed) {
            return false;
        }
        // A session override (`.stats on`) wins over the configured and adapted rates.
        let rate = if over == 0 {
            self.effective_rate.load(Relaxed)
        } else {
            over
        };
        let timed = COUNTDOWN.with(|c| {
            let v = c.get();
            // `v >= rate`: the rate was just lowered (e.g. to 1 for `.stats`); start the
            // new countdown now instead of finishing the old, longer one.
            if v == 0 || v >= rate {
                c.set(rate.saturating_sub(1));
                true
            } else {
                c.set(v - 1);
                false
            }
        });
        if timed && over == 0 {
            self.adapt();
        }
        timed
    }

    /// On a timed call: estimates the operation rate from the time since the previous
    /// timed call (`effective_rate` operations passed in between, over all threads) and
    /// times everything while it is below [`FULL_TIMING_BELOW_OPS`].
    fn adapt(&self) {
        let configured = self.sample_rate.load(Relaxed);
        if configured <= 1 {
            // Everything is timed already: no clock read on this path.
            return;
        }
        let now = (self.opened.elapsed().as_nanos() as u64).max(1);
        let prev = self.last_timed_ns.swap(now, Relaxed);
        if prev == 0 {
            return;
        }
        let ops = u64::from(self.effective_rate.load(Relaxed));
        let gap = now.saturating_sub(prev).max(1);
        // ops / gap_seconds < threshold, in integers.
        let light =
            u128::from(ops) * 1_000_000_000 < u128::from(FULL_TIMING_BELOW_OPS) * u128::from(gap);
        self.effective_rate
            .store(if light { 1 } else { configured }, Relaxed);
    }

    #[inline]
    fn stripe(&self) -> &Stripe {
        &self.stripes[stripe_index()]
    }

    #[inline]
    pub fn add(&self, c: Counter, n: u64) {
        self.stripe().counters[c as usize].fetch_add(n, Relaxed);
    }

    #[inline]
    pub fn incr(&self, c: Counter) {
        self.add(c, 1);
    }

    /// Records one timed operation's latency, in clock ticks.
    pub fn record(&self, kind: OpKind, ticks: u64) {
        let mut h = self.stripe().hists.lock();
        h[kind.index()]
            .get_or_insert_with(|| Box::new(new_histogram()))
            .saturating_record(ticks.clamp(1, MAX_TRACKABLE_TICKS));
    }

    /// Starts timing an operation if it is sampled (see [`Metrics::sample`]).
    #[inline]
    pub fn start(&self) -> Option<Timer> {
        self.sample().then(|| Timer(clock::now()))
    }

    /// Records an operation timed with [`Metrics::start`].
    #[inline]
    pub fn finish(&self, kind: OpKind, timer: Option<Timer>) {
        if let Some(t) = timer {
            self.record(kind, clock::now().saturating_sub(t.0));
        }
    }

    /// Sums every counter over the stripes.
    pub fn counters(&self) -> RawCounters {
        let mut out = RawCounters::default();
        for s in self.stripes.iter() {
            for (o, c) in out.0.iter_mut().zip(s.counters.iter()) {
                *o += c.load(Relaxed);
            }
        }
        out
    }

    /// Merges the stripes' histograms (cumulative since open).
    pub fn histograms(&self) -> HistSet {
        let mut out = HistSet::default();
        for s in self.stripes.iter() {
            let h = s.hists.lock();
            for (o, src) in out.0.iter_mut().zip(h.iter()) {
                if let Some(src) = src {
                    // Same bounds everywhere, so adding cannot fail.
                    let _ = o.add(src.as_ref());
                }
            }
        }
        out
    }
}

/// A started timing (clock ticks).
#[derive(Debug, Clone, Copy)]
pub struct Timer(u64);

impl Timer {
    /// Starts a timing unconditionally (for rare operations such as loads).
    pub fn now() -> Timer {
        Timer(clock::now())
    }
}

/// Timing of one sampled get, split into the layers it passed through. Whatever is not
/// attributed to the cache, ALEX or RocksDB is "rest" (key encoding, copying the value,
/// locking), so the four parts always add up to the total. Each lap reads the clock
/// once; `finish` does not read it again, so call it right after the last lap.
pub struct GetTiming {
    start: u64,
    last: u64,
    cache: u64,
    alex: u64,
    rocks: u64,
}

impl GetTiming {
    #[inline]
    pub fn start() -> Self {
        let now = clock::now();
        Self {
            start: now,
            last: now,
            cache: 0,
            alex: 0,
            rocks: 0,
        }
    }
    #[inline]
    fn lap(&mut self) -> u64 {
        let now = clock::now();
        let d = now.saturating_sub(self.last);
        self.last = now;
        d
    }
    /// The time since the last lap was spent in the value cache.
    #[inline]
    pub fn cache(&mut self) {
        self.cache += self.lap();
    }
    #[inline]
    pub fn alex(&mut self) {
        self.alex += self.lap();
    }
    #[inline]
    pub fn rocksdb(&mut self) {
        self.rocks += self.lap();
    }
    /// The time since the last lap was overhead ("rest").
    #[inline]
    pub fn rest(&mut self) {
        self.lap();
    }
    /// Ends the timing at the last lap and records the get's latency and its split.
    pub fn finish(self, m: &Metrics) {
        let total = self.last.saturating_sub(self.start);
        let parts = self.cache + self.alex + self.rocks;
        let rest = total.saturating_sub(parts);
        let s = m.stripe();
        let c = &s.counters;
        let add = |k: Counter, v: u64| {
            // Skipping zeros saves three atomics on a cache hit (no ALEX/RocksDB time).
            if v != 0 {
                c[k as usize].fetch_add(v, Relaxed);
            }
        };
        add(Counter::GetSampled, 1);
        add(Counter::GetCacheTicks, self.cache);
        add(Counter::GetAlexTicks, self.alex);
        add(Counter::GetRocksTicks, self.rocks);
        add(Counter::GetRestTicks, rest);
        add(Counter::GetTotalTicks, parts + rest);
        m.record(OpKind::Get, parts + rest);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn light_load_times_every_operation_heavy_load_is_sampled() {
        let m = Metrics::new(true, 100);
        // 20 operations a second at most: interactive use, every one timed.
        let slow = (0..20)
            .filter(|_| {
                std::thread::sleep(Duration::from_millis(5));
                m.sample()
            })
            .count();
        assert_eq!(slow, 20);
        assert_eq!(m.effective_sample_rate(), 1);
        // A tight loop is far above the threshold: back to 1 in 100.
        let fast = (0..100_000).filter(|_| m.sample()).count();
        assert!((900..=1_100).contains(&fast), "{fast} of 100000 timed");
        assert_eq!(m.effective_sample_rate(), 100);
        // Slow again: full timing returns at the next timed operation (within about 100).
        let again: Vec<bool> = (0..200)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(2));
                m.sample()
            })
            .collect();
        assert!(again[110..].iter().all(|&t| t), "{again:?}");
    }

    #[test]
    fn sample_rate_one_and_timing_off_are_unchanged() {
        let m = Metrics::new(true, 1);
        assert_eq!((0..1000).filter(|_| m.sample()).count(), 1000);
        m.set_timing(false);
        assert_eq!((0..1000).filter(|_| m.sample()).count(), 0);
    }
}
