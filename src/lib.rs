//! alexdb: an ALEX learned index over RocksDB with an LRU value cache.
pub mod engine;
