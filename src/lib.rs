//! alexdb: an ALEX learned index over RocksDB with an LRU value cache.
//!
//! Layers (see README): `engine` (index, store, cache; no terminal code), `metrics`
//! (lock-free recorders and plain snapshots), `workload` (datasets and key generators),
//! `bench` (benchmarks that return reports and never print), `cli` (argument parsing).
pub mod bench;
pub mod cli;
pub mod command;
pub mod engine;
pub mod metrics;
pub mod workload;
