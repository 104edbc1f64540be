//! The original plan's `ycsb_benchmark --workload a --size N`: a thin wrapper over
//! `alexdb bench ycsb --workload a --records N --ops M` (M defaults to min(N, 1M);
//! further flags such as --threads, --engine and --json pass through).
fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut size: Option<String> = None;
    if let Some(i) = args.iter().position(|a| a == "--size") {
        if i + 1 < args.len() {
            size = Some(args.remove(i + 1));
        }
        args.remove(i);
    }
    let size = size.unwrap_or_else(|| "1000000".to_string());
    let mut argv = vec![
        "alexdb".to_string(),
        "bench".into(),
        "ycsb".into(),
        "--records".into(),
        size.clone(),
    ];
    if !args.iter().any(|a| a == "--ops") {
        let ops = command::bench_args::parse_count(&size).map_or(1_000_000, |n| n.min(1_000_000));
        argv.push("--ops".into());
        argv.push(ops.to_string());
    }
    argv.extend(args);
    alexdb::cli::main_with(argv)
}
