//! The `alexdb` binary: parse arguments, run, map errors to one line and an exit status.
fn main() -> std::process::ExitCode {
    alexdb::cli::main_with(std::env::args_os())
}
