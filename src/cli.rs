//! Command-line front door: argument parsing (clap) and dispatch to the library.
//!
//! `main.rs` only calls [`parse_from`] and [`run`]; usage errors come back as
//! `clap::Error` (exit status 2), failures as `anyhow::Error` (exit status 1).
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use parking_lot::Mutex;

use crate::shell::{Printer, run_commands, run_interactive, run_script, run_script_file};
use bench::Progress;
use bench::index::{IndexBenchConfig, run_index_bench};
use bench::soak::{SoakConfig, run_soak};
pub use command::bench_args::{
    BenchCommand, DistArg, IndexArgs, ProfileArgs, SoakArgs, VsSqliteArgs, YcsbArgs,
    parse_key_count,
};
use command::history::{app_data_dir, default_history_path};
use command::{Executor, OptionsFormat, RunSummary};

/// alexdb: an ALEX learned index over RocksDB with a value cache (CLOCK by default), and a terminal shell with a live dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = "alexdb", version, about, long_about = None)]
pub struct Cli {
    /// Open (or create) the database at PATH
    #[arg(long, value_name = "PATH", conflicts_with = "temp")]
    pub db: Option<PathBuf>,

    /// Use a temporary database, deleted on exit
    #[arg(long)]
    pub temp: bool,

    /// Line shell even on a terminal (no full-screen dashboard)
    #[arg(long)]
    pub plain: bool,

    /// Run the commands in CMDS (separated by ';') and exit
    #[arg(short = 'c', value_name = "CMDS", conflicts_with = "script")]
    pub commands: Option<String>,

    /// Run the commands in FILE, one per line, and exit
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,

    /// Stop at the first command that fails (-c, --script, piped stdin)
    #[arg(long)]
    pub bail: bool,

    /// Print one JSON object per command or benchmark on stdout
    #[arg(long)]
    pub json: bool,

    /// Set an option at open, over the ones saved in the database (repeatable), e.g.
    /// --set compaction_style=universal
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,

    /// Play the demo script in the dashboard (on a temporary database unless --db)
    #[arg(long, conflicts_with_all = ["commands", "script", "plain"])]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Run a benchmark
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Check a database: SST checksums, unreadable keys, ALEX against RocksDB (exit 1 on
    /// damage)
    Check(CheckArgs),
    /// Write a database's saved options as RocksDB's OPTIONS file or a TiKV, MyRocks or
    /// Kvrocks configuration (docs/scale-out.md)
    Export(ExportArgs),
}

#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ExportArgs {
    /// The database whose saved options to export (it must exist)
    #[arg(value_name = "DB_PATH")]
    pub db: PathBuf,

    /// The file to write
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// rocksdb, tikv, myrocks or kvrocks
    #[arg(long, value_name = "FORMAT", default_value = "rocksdb", value_parser = parse_format)]
    pub format: OptionsFormat,
}

#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct CheckArgs {
    /// The database to check (it must exist)
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,

    /// Print the report as one JSON object
    #[arg(long)]
    pub json: bool,
}

/// The whole program for `args` (also used by the original plan's thin programs):
/// usage errors exit 2, failures print `error: ...` and exit 1.
pub fn main_with<I, T>(args: I) -> std::process::ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = parse_from(args).unwrap_or_else(|e| e.exit());
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    match run(&cli, &mut out, &mut err) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            let _ = out.flush();
            // Not eprintln!: with the terminal gone it would panic.
            let _ = writeln!(err, "error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Parse arguments. `Err` is a usage error (or `--help`/`--version`), to be shown with
/// `clap::Error::exit`, which exits 2 for errors and 0 for help and version.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(hint_db)?;
    if cli.command.is_some() {
        let shell_opts = [
            (cli.db.is_some(), "--db"),
            (cli.temp, "--temp"),
            (cli.plain, "--plain"),
            (cli.commands.is_some(), "-c"),
            (cli.script.is_some(), "--script"),
            (cli.demo, "--demo"),
            (!cli.set.is_empty(), "--set"),
        ];
        if let Some((_, flag)) = shell_opts.iter().find(|(set, _)| *set) {
            return Err(Cli::command().error(
                ErrorKind::ArgumentConflict,
                format!(
                    "{flag} is a shell option and cannot be used with a subcommand such as 'bench'"
                ),
            ));
        }
    }
    Ok(cli)
}

/// Names people try for the database directory (`--dir X`), answered with a hint to `--db`.
const DB_FLAG_GUESSES: [&str; 6] = [
    "--dir",
    "--path",
    "--database",
    "--data-dir",
    "--datadir",
    "--db-path",
];

/// Adds "did you mean '--db'" to an unknown-argument error for a flag in
/// [`DB_FLAG_GUESSES`] (clap's own suggestions find only near spellings).
fn hint_db(mut e: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue};
    if e.kind() != ErrorKind::UnknownArgument || e.get(ContextKind::SuggestedArg).is_some() {
        return e;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return e;
    };
    let flag = arg.split('=').next().unwrap_or_default();
    if DB_FLAG_GUESSES.contains(&flag) {
        e.insert(
            ContextKind::SuggestedArg,
            ContextValue::String("--db".into()),
        );
    }
    e
}

/// Run what the arguments ask for. Results go to `out`, progress and notices to `err`.
/// `Ok(1)` means a shell command failed (its error is already printed).
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut (dyn Write + Send)) -> anyhow::Result<u8> {
    match &cli.command {
        Some(Command::Bench(BenchCommand::Index(args))) => {
            bench_index(args, cli.json || args.json, out, err)?;
            Ok(0)
        }
        Some(Command::Bench(BenchCommand::Soak(args))) => {
            bench_soak(args, cli.json || args.json, out, err)
        }
        Some(Command::Bench(b)) => {
            run_engine_bench(b, cli.json, out)?;
            Ok(0)
        }
        Some(Command::Check(args)) => check_db(args, cli.json || args.json, out, err),
        Some(Command::Export(args)) => export_options(args, out, err),
        None => run_shell(cli, out, err),
    }
}

/// `alexdb check`: checks the database read-only (`engine/inspect.rs`), so nothing in the
/// directory changes; the report is `.check`'s, with what an ordinary open would do as
/// findings. Exit status 1 when it finds damage, or data an open would drop.
fn check_db(
    args: &CheckArgs,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    if !args.db.is_dir() {
        bail!("no database at {}", args.db.display());
    }
    let t0 = std::time::Instant::now();
    let found = engine::inspect::check_dir(&args.db)?;
    for w in &found.warnings {
        writeln!(err, "warning: {w}")?;
    }
    let outcome = command::exec::check_outcome(&found.report);
    let summary = RunSummary {
        ran: 1,
        failed: usize::from(outcome.reports_failure()),
        ..RunSummary::default()
    };
    let report = command::Report {
        input: ".check".to_string(),
        result: Ok(outcome),
        elapsed: t0.elapsed(),
        stats: None,
    };
    let mut err_for_printer = std::io::stderr();
    let mut printer = Printer::new(out, &mut err_for_printer, json, false);
    printer.emit(&mut command::Session::default(), report);
    Ok(printer.exit_status(&summary))
}

/// `alexdb export`: the database's saved options (`alexdb-options.json`, as the next open
/// would use them) in another store's format, or a copy of RocksDB's newest OPTIONS file;
/// nothing in the directory changes. The summary goes to `out`, the warnings to `err`.
fn export_options(
    args: &ExportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let db = &args.db;
    if !db.join("CURRENT").is_file() {
        bail!("no database at {}", db.display());
    }
    let path = args.file.display().to_string();
    let Some(target) = command::cmd::options::target_of(args.format) else {
        let src = newest_options_file(db)
            .with_context(|| format!("no RocksDB OPTIONS file in {}", db.display()))?;
        std::fs::copy(&src, &args.file).with_context(|| format!("cannot write {path}"))?;
        writeln!(out, "wrote {path} (RocksDB's {})", src.display())?;
        return Ok(0);
    };
    let saved = engine::persist::load(db);
    let done = command::export::export(
        target,
        &saved.options,
        &db.display().to_string(),
        &command::export::today(),
    );
    std::fs::write(&args.file, &done.text).with_context(|| format!("cannot write {path}"))?;
    writeln!(out, "{}", done.summary(&path))?;
    for w in saved.warnings.iter().chain(&done.warnings) {
        writeln!(err, "warning: {w}")?;
    }
    Ok(0)
}

/// RocksDB's newest `OPTIONS-N` file in `dir`.
fn newest_options_file(dir: &std::path::Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix("OPTIONS-")?.parse::<u64>().ok()?;
            Some((n, e.path()))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, p)| p)
}

/// `--format WORD` for `alexdb export`.
fn parse_format(s: &str) -> Result<OptionsFormat, String> {
    command::cmd::options::format_named(s)
        .ok_or_else(|| format!("unknown format {s:?} (rocksdb, tikv, myrocks or kvrocks)"))
}

/// The line shell: `-c`, `--script`, piped stdin, or the interactive prompt.
fn run_shell(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    use std::io::IsTerminal;

    // The temporary directory is removed when `_temp` drops, after the database closed.
    let (path, temp_dir) = database_path(cli)?;
    let temp = temp_dir.is_some();
    let mut exec = Executor::open_saved(&path, cli.set.clone())?;
    exec.bail = cli.bail;
    let interactive =
        cli.commands.is_none() && cli.script.is_none() && std::io::stdin().is_terminal();
    // With a terminal on both ends and no --plain, the dashboard; otherwise a line shell.
    if cli.demo || (interactive && !cli.plain && std::io::stdout().is_terminal()) {
        let cfg = crate::tui::TuiConfig {
            demo: cli.demo,
            history_path: default_history_path(),
        };
        let code = crate::tui::run(&mut exec, &cfg)?;
        drop(exec);
        return Ok(code);
    }
    // The dashboard shows these in its output pane; a line shell says them once here.
    for notice in exec.open_notices() {
        writeln!(err, "{notice}")?;
    }
    exec.set_waiter(Box::new(crate::shell::wait_with_progress));
    let code = {
        let mut err_for_printer = std::io::stderr();
        let mut printer = Printer::new(out, &mut err_for_printer, cli.json, interactive)
            .with_jobs(exec.jobs().clone());
        let mut summary = if let Some(cmds) = &cli.commands {
            run_commands(&mut exec, cmds, &mut printer)
        } else if let Some(script) = &cli.script {
            run_script_file(&mut exec, script, &mut printer)?
        } else if !interactive {
            let stdin = std::io::stdin();
            run_script(&mut exec, &mut stdin.lock(), &mut printer).context("reading stdin")?
        } else {
            banner(&exec, temp, err)?;
            let history = default_history_path();
            run_interactive(&mut exec, history.as_deref(), &mut printer, err)?;
            // A person saw each error as it happened; like sqlite3, the session itself
            // succeeded.
            RunSummary::default()
        };
        if interactive {
            printer.stop_jobs(exec.session_mut());
        } else {
            // The end of a script is not a cancel: its background jobs finish first.
            summary.failed += printer.wait_for_jobs(exec.session_mut());
        }
        printer.exit_status(&summary)
    };
    drop(exec);
    Ok(code)
}

/// Where the shell's database lives: a temporary directory (returned, removed when it
/// drops), `--db`, or the user's data directory (its parent created).
fn database_path(cli: &Cli) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    if cli.temp || (cli.demo && cli.db.is_none()) {
        let dir = tempfile::Builder::new()
            .prefix("alexdb-")
            .tempdir()
            .context("creating a temporary database directory")?;
        return Ok((dir.path().join("db"), Some(dir)));
    }
    if let Some(p) = &cli.db {
        return Ok((p.clone(), None));
    }
    let Some(dir) = app_data_dir() else {
        bail!(
            "cannot find the user's data directory (set HOME or XDG_DATA_HOME), or use --db PATH or --temp"
        );
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok((dir.join("db"), None))
}

/// The interactive prompt's first lines: the database and how to leave.
fn banner(exec: &Executor, temp: bool, err: &mut dyn Write) -> std::io::Result<()> {
    let db = exec.db();
    let what = if temp {
        "temporary database"
    } else {
        "database"
    };
    writeln!(
        err,
        "alexdb {} - {what} {} ({} keys, opened in {:.2} s){}\n\
         Type .help for commands, .quit or Ctrl-D to leave.",
        env!("CARGO_PKG_VERSION"),
        db.path().display(),
        db.len(),
        db.open_stats().total_secs,
        if temp { ", removed at exit" } else { "" },
    )
}

/// `--set NAME=VALUE` as a pair (the value is checked when the database opens).
fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "expected NAME=VALUE, e.g. compaction_style=universal (got '{s}')"
        )),
    }
}

/// `bench vs-sqlite|profile|ycsb`: progress bar on stderr, table or JSON on stdout.
fn run_engine_bench(b: &BenchCommand, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let progress = crate::shell::progress::BarProgress::new();
    let (text, value) = command::long::run_bench(b, &progress)?;
    progress.finish();
    let json = json
        || match b {
            BenchCommand::VsSqlite(a) => a.common.json,
            BenchCommand::Profile(a) => a.common.json,
            BenchCommand::Ycsb(a) => a.common.json,
            BenchCommand::Index(a) => a.json,
            BenchCommand::Soak(a) => a.json,
        };
    if json {
        writeln!(out, "{value}").context("writing the report")?;
    } else {
        write!(out, "{text}").context("writing the report")?;
    }
    out.flush().context("writing the report")?;
    Ok(())
}

/// `bench soak`: a progress line on stderr every 10 s, the report on stdout; exit
/// status 1 when the soak found an error.
fn bench_soak(
    args: &SoakArgs,
    json: bool,
    out: &mut dyn Write,
    err: &mut (dyn Write + Send),
) -> anyhow::Result<u8> {
    let cfg = SoakConfig {
        duration: args.duration,
        threads: usize::from(args.threads),
        seed: args.seed,
        keys: args.keys,
        db: args.db.clone(),
        inject_fault: args.inject_fault,
    };
    let err = Mutex::new(err);
    // Best effort: a closed stderr must not stop the soak.
    let progress = |line: &str| drop(writeln!(err.lock(), "{line}"));
    let report = run_soak(&cfg, &progress)?;
    if json {
        let value = serde_json::to_value(&report).context("writing the report")?;
        writeln!(out, "{value}").context("writing the report")?;
    } else {
        write!(out, "{}", report.to_text()).context("writing the report")?;
    }
    out.flush().context("writing the report")?;
    Ok(u8::from(report.errors_total > 0))
}

/// `bench index`'s progress: each phase as one line on stderr.
struct PhaseLines<'a>(Mutex<&'a mut (dyn Write + Send)>);

impl Progress for PhaseLines<'_> {
    fn phase(&self, name: &str, _total: Option<u64>) {
        // Best effort: a closed stderr must not stop the benchmark.
        let _ = writeln!(self.0.lock(), "bench index: {name}");
    }
}

fn bench_index(
    args: &IndexArgs,
    json: bool,
    out: &mut dyn Write,
    err: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let cfg = IndexBenchConfig {
        keys: args.keys,
        dist: args.dist.into(),
        seed: args.seed,
        probes: None,
    };
    let plot = args.plot.as_deref();
    if let Some(p) = plot {
        bench::plot::check_svg_path(p)?;
    }
    let report = run_index_bench(&cfg, &PhaseLines(Mutex::new(err)))?;
    let figure = || bench::plot::bench::index_figure(&report);
    let (text, value) = command::long::with_plot(plot, figure, report.to_table(), &report)?;
    if json {
        writeln!(out, "{value}").context("writing the report")?;
    } else {
        write!(out, "{text}").context("writing the report")?;
    }
    out.flush().context("writing the report")?;
    if !report.validation.ok {
        bail!(
            "the ALEX index failed its correctness checks: {}",
            report.validation.errors.join("; ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn key_counts() {
        assert_eq!(parse_key_count("20000"), Ok(20_000));
        assert_eq!(parse_key_count("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_key_count("10M"), Ok(10_000_000));
        assert_eq!(parse_key_count("500k"), Ok(500_000));
        assert!(parse_key_count("0").is_err());
        assert!(parse_key_count("-5").is_err());
        assert!(parse_key_count("abc").is_err());
        assert!(parse_key_count("").is_err());
        assert!(parse_key_count("k").is_err());
        assert!(parse_key_count("99999999999999999999").is_err());
        assert!(parse_key_count("2000M").is_err());
    }

    #[test]
    fn bench_index_args() {
        let cli = parse_from([
            "alexdb", "bench", "index", "--keys", "1000", "--dist", "seq", "--json",
        ])
        .expect("parses");
        let Some(Command::Bench(BenchCommand::Index(a))) = cli.command else {
            panic!("not bench index: {cli:?}");
        };
        assert_eq!(
            (a.keys, a.dist, a.seed, a.json),
            (1000, DistArg::Seq, 42, true)
        );
    }

    #[test]
    fn shell_options_do_not_mix_with_subcommands() {
        let e = parse_from([
            "alexdb", "--temp", "bench", "index", "--keys", "5", "--dist", "seq",
        ])
        .expect_err("conflict");
        assert_eq!(e.exit_code(), 2);
        assert!(parse_from(["alexdb", "--db", "x", "--temp"]).is_err());
        assert!(parse_from(["alexdb", "--db", "x", "--plain", "-c", "get 1"]).is_ok());
    }
}
