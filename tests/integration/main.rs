//! The application's tests, in one binary: the dashboard's state and snapshots, and the `alexdb` binary driven through pipes.
mod support;

mod baseline_compare;
mod bench_budget;
mod bench_cli;
mod check_sst;
mod cli;
mod engine_errors;
mod engine_words;
mod fuzz_input;
mod layers;
mod options_persist;
mod plot_svg;
mod profiles_builtin;
mod render_large_values;
mod safety_damage;
mod safety_open;
mod shell_cli;
mod tui_snapshots;
mod tui_state;
