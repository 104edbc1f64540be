//! alexdb, the application: the command-line interface (`cli`), the line shell (`shell`)
//! and the full-screen dashboard (`tui`). Everything below them lives in the workspace's
//! crates (docs/development.md): `alex` (the learned index), `workload` (generators and
//! datasets), `engine` (store, caches, options, metrics), `bench` (benchmarks and plots)
//! and `command` (the command language and its executor), each using only those before it.
pub mod cli;
pub mod shell;
pub mod tui;
