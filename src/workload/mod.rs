//! Datasets and key generators (fixed seeds).
pub mod keys;
