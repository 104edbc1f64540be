//! Datasets, key generators and workloads (fixed seeds): generated and file datasets for
//! `.load`, and the YCSB core workloads.
pub mod dataset;
pub mod keys;
pub mod ycsb;
