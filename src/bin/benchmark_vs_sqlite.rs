//! The original plan's `benchmark_vs_sqlite N sequential|random [--inserts-only]`: a thin
//! wrapper over `alexdb bench vs-sqlite` (further flags pass through, e.g. --warm,
//! --values, --json).
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n_positional = args
        .iter()
        .take(2)
        .take_while(|a| !a.starts_with("--"))
        .count();
    let Some(rows) = args.first().filter(|_| n_positional >= 1) else {
        eprintln!(
            "usage: benchmark_vs_sqlite N sequential|random [--inserts-only] [--queries Q] [--warm full|probes N|none] [--values text|random] [--mmap-whole-file] [--profile NAME|FILE] [--json]"
        );
        return std::process::ExitCode::from(2);
    };
    let keys = if n_positional == 2 {
        args[1].clone()
    } else {
        "sequential".to_string()
    };
    let mut argv = vec![
        "alexdb".to_string(),
        "bench".into(),
        "vs-sqlite".into(),
        "--rows".into(),
        rows.clone(),
        "--keys".into(),
        keys,
    ];
    argv.extend(args[n_positional..].iter().cloned());
    alexdb::cli::main_with(argv)
}
