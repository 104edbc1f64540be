//! The `alexdb` binary: parse arguments, run, map errors to one line and an exit status.
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit 2; --help and --version exit 0.
    let cli = alexdb::cli::parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit());
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    match alexdb::cli::run(&cli, &mut out, &mut err) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
