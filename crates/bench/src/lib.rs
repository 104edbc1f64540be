//! Benchmarks: they return report structs (serde) and never print. `engines` puts
//! alexdb, plain RocksDB and SQLite (plain and mmap) behind one trait; `vs_sqlite`, `profile` and `ycsb`
//! are the original plan's benchmarks; `index` compares ALEX with `BTreeMap`.
pub mod engines;
pub mod fair;
pub mod index;
pub mod latency;
pub mod own_keys;
pub mod plot;
pub mod profile;
pub mod segments;
pub mod soak;
pub mod steady;
pub mod sweep;
pub mod vs_sqlite;
pub mod ycsb;

/// How a benchmark reports progress and learns it should stop. The shell's jobs and the
/// CLI implement it; `NoProgress` ignores everything.
pub trait Progress: Sync {
    /// A new phase begins (`loading alexdb`, `queries sqlite`), with its size if known.
    fn phase(&self, _name: &str, _total: Option<u64>) {}
    /// `n` more units of the current phase are done.
    fn advance(&self, _n: u64) {}
    /// True once the run should stop early.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {}

/// Returned (as an error) when a benchmark stopped because it was cancelled.
#[derive(Debug, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;
