//! Lock-free metric recorders and the plain Snapshot that front ends render.
//!
//! The engine records into a [`Metrics`]: counters are atomics spread over per-thread
//! stripes (no shared cache line on the hot path), latencies go to `hdrhistogram`
//! histograms that live in the same stripes behind an uncontended lock, and only 1 in N
//! operations is timed (`metrics_sample_rate`). Front ends never see these recorders: they
//! call `Db::metrics_snapshot()` or `Db::metrics_window()` and get a [`Snapshot`], plain
//! data that serialises to JSON.
mod events;
pub mod history;
mod mrc;
mod recorder;
mod snapshot;
pub mod sum;

pub use events::{Event, LsmEvent, NewEvent};
pub use history::{Figure, History, HistorySample, LogHist, Reference, WindowFigures};
pub use mrc::{MIN_SAMPLED_GETS, MrcCurve, MrcPoint};
pub use recorder::{Counter, GetTiming, HistSet, Metrics, OpKind, RawCounters, Timer, clock};
pub use snapshot::{
    Amplification, BlockCacheTickers, BlockKindUse, ByteCounts, CacheStats, GetSplit,
    IndexCounters, LatencySummary, LevelInfo, MemoryStats, MetricsWindow, OpCounts, OpLatencies,
    PerfSplit, RocksStats, RocksTickers, RowCounts, RunningCompaction, Snapshot, StallSeconds,
    StallState,
};
pub(crate) use snapshot::{Gauges, RawState};
