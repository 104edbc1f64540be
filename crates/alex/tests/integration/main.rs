//! The learned index's tests: one binary, no RocksDB linked.
mod index_10m;
mod index_ascending;
mod index_model;
mod index_regressions;
mod index_slots;
