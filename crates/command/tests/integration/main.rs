//! The shell core's tests, in one binary: parser tables, the executor over a real engine, jobs, sweeps and the advisor.
mod support;

mod advise_live;
mod advise_rules;
mod check_job;
mod command_complete;
mod command_exec;
mod command_parse;
mod command_spec;
mod export_history;
mod lsm_command;
mod mrc_command;
mod options_export;
mod options_tikv;
mod safety_range_delete;
mod sweep;
mod trace_replay;
mod ycsb_segments;
