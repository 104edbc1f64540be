//! The engine's tests, in one binary: model, crash, options, caches and metrics.
mod support;

mod cache_clock;
mod cache_policy_switch;
mod engine_concurrency;
mod engine_crash;
mod engine_live_options;
mod engine_load;
mod engine_metrics;
mod engine_model;
mod engine_options;
mod engine_read_options;
mod engine_rocksdb_enums;
mod engine_tuning;
mod lsm_insight;
mod mrc_accuracy;
mod safety_fifo;
mod trace_format;
mod value_codec;
mod workload_datasets;
