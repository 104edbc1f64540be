//! Datasets and key generators (fixed seeds).
