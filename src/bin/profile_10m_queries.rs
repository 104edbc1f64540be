//! The original plan's `profile_10m_queries [N]`: a thin wrapper over `alexdb bench
//! profile --rows N` (default 10,000,000 rows; further flags pass through).
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rows, rest): (String, &[String]) = match args.first() {
        Some(a) if !a.starts_with("--") => (a.clone(), &args[1..]),
        _ => ("10000000".to_string(), &args[..]),
    };
    let mut argv = vec![
        "alexdb".to_string(),
        "bench".into(),
        "profile".into(),
        "--rows".into(),
        rows,
    ];
    argv.extend(rest.iter().cloned());
    alexdb::cli::main_with(argv)
}
