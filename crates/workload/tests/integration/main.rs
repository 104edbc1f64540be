//! The generators' and datasets' tests: one binary.
mod ycsb_keys;
