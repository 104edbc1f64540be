//! Benchmarks: each returns a plain report struct; front ends print it.
pub mod index;
