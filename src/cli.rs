//! Command-line front door: argument parsing (clap) and dispatch to the library.
//!
//! `main.rs` only calls [`parse_from`] and [`run`]; usage errors come back as
//! `clap::Error` (exit status 2), failures as `anyhow::Error` (exit status 1).
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::bench::index::{IndexBenchConfig, MAX_KEYS, run_index_bench};
use crate::command::history::{app_data_dir, default_history_path};
use crate::command::{Executor, RunSummary};
use crate::engine::DbOptions;
use crate::shell::{Printer, run_commands, run_interactive, run_script, run_script_file};
use crate::workload::keys::KeyDist;

/// alexdb: an ALEX learned index over RocksDB with an LRU value cache, and a shell around it.
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
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum BenchCommand {
    /// ALEX learned index against std BTreeMap: bulk load, lookups, inserts, memory
    Index(IndexArgs),
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct IndexArgs {
    /// Number of distinct keys (e.g. 1000000, 1_000_000, 500k, 10M)
    #[arg(long, value_name = "N", value_parser = parse_key_count)]
    pub keys: usize,

    /// Key distribution
    #[arg(long, value_enum)]
    pub dist: DistArg,

    /// Seed for keys, shuffles and probes
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Print one JSON object on stdout instead of the table
    #[arg(long)]
    pub json: bool,
}

/// Key distribution as spelled on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DistArg {
    /// 0, 1, 2, ..., N-1
    Seq,
    /// uniform over the whole i64 range
    Uniform,
    /// lognormal(0, 2) x 1e9, heavily skewed
    Lognormal,
}

impl From<DistArg> for KeyDist {
    fn from(d: DistArg) -> Self {
        match d {
            DistArg::Seq => KeyDist::Seq,
            DistArg::Uniform => KeyDist::Uniform,
            DistArg::Lognormal => KeyDist::Lognormal,
        }
    }
}

/// Parse a key count: digits with optional `_` or `,` separators and an optional
/// `k`/`m` suffix (thousands / millions). Must be between 1 and [`MAX_KEYS`].
pub fn parse_key_count(s: &str) -> Result<usize, String> {
    let hint = "expected a whole number of keys such as 1000000, 1_000_000, 500k or 10M";
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let (digits, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1_000usize),
        Some('m' | 'M') => (&t[..t.len() - 1], 1_000_000usize),
        _ => (&t[..], 1usize),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(hint.to_string());
    }
    let n = digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("too large; the most is {MAX_KEYS}"))?;
    if n == 0 {
        return Err("must be at least 1".to_string());
    }
    if n > MAX_KEYS {
        return Err(format!("too large; the most is {MAX_KEYS}"));
    }
    Ok(n)
}

/// Parse arguments. `Err` is a usage error (or `--help`/`--version`), to be shown with
/// `clap::Error::exit`, which exits 2 for errors and 0 for help and version.
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    if cli.command.is_some() {
        let shell_opts = [
            (cli.db.is_some(), "--db"),
            (cli.temp, "--temp"),
            (cli.plain, "--plain"),
            (cli.commands.is_some(), "-c"),
            (cli.script.is_some(), "--script"),
            (cli.demo, "--demo"),
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

/// Run what the arguments ask for. Results go to `out`, progress and notices to `err`.
/// `Ok(1)` means a shell command failed (its error is already printed).
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    match &cli.command {
        Some(Command::Bench(BenchCommand::Index(args))) => {
            bench_index(args, cli.json || args.json, out, err)?;
            Ok(0)
        }
        None => run_shell(cli, out, err),
    }
}

/// The line shell: `-c`, `--script`, piped stdin, or the interactive prompt.
fn run_shell(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    use std::io::IsTerminal;

    // The temporary directory is removed when `_temp` drops, after the database closed.
    let temp = cli.temp || (cli.demo && cli.db.is_none());
    let (path, _temp) = if temp {
        let dir = tempfile::Builder::new()
            .prefix("alexdb-")
            .tempdir()
            .context("creating a temporary database directory")?;
        (dir.path().join("db"), Some(dir))
    } else if let Some(p) = &cli.db {
        (p.clone(), None)
    } else {
        let Some(dir) = app_data_dir() else {
            bail!(
                "cannot find the user's data directory (set HOME or XDG_DATA_HOME), or use --db PATH or --temp"
            );
        };
        (dir.join("db"), None)
    };
    if !temp
        && cli.db.is_none()
        && let Some(parent) = path.parent()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut exec = Executor::open(&path, DbOptions::default())?;
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
    let summary = {
        let mut err_for_printer = std::io::stderr();
        let mut printer = Printer::new(out, &mut err_for_printer, cli.json, interactive);
        if let Some(cmds) = &cli.commands {
            run_commands(&mut exec, cmds, &mut printer)
        } else if let Some(script) = &cli.script {
            run_script_file(&mut exec, script, &mut printer)?
        } else if !interactive {
            let stdin = std::io::stdin();
            run_script(&mut exec, &mut stdin.lock(), &mut printer).context("reading stdin")?
        } else {
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
            )?;
            let history = default_history_path();
            run_interactive(&mut exec, history.as_deref(), &mut printer, err)?;
            // A person saw each error as it happened; like sqlite3, the session itself
            // succeeded.
            RunSummary::default()
        }
    };
    drop(exec);
    Ok(if summary.failed > 0 { 1 } else { 0 })
}

fn bench_index(
    args: &IndexArgs,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let cfg = IndexBenchConfig {
        keys: args.keys,
        dist: args.dist.into(),
        seed: args.seed,
        probes: None,
    };
    let report = run_index_bench(&cfg, |msg| {
        // Progress is best effort: a closed stderr must not stop the benchmark.
        let _ = writeln!(err, "bench index: {msg}");
    })?;
    if json {
        let text = serde_json::to_string(&report).context("encoding the report as JSON")?;
        writeln!(out, "{text}").context("writing the report")?;
    } else {
        write!(out, "{}", report.to_table()).context("writing the report")?;
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
