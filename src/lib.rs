//! alexdb: an ALEX learned index over RocksDB with a value cache (CLOCK by default, or LRU).
//!
//! Layers (see docs/development.md): `engine` (index, store, cache; no terminal code), `metrics`
//! (lock-free recorders and plain snapshots), `workload` (datasets and key generators),
//! `bench` (benchmarks that return reports and never print), `plot` (SVG charts from plain
//! data), `command` (parser, executor, rendering), `shell` (line shell), `cli` (argument
//! parsing).
pub mod bench;
pub mod cli;
pub mod command;
pub mod engine;
pub mod metrics;
pub mod plot;
pub mod shell;
pub mod tui;
pub mod workload;
