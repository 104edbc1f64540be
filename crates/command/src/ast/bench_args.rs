//! Arguments of the benchmark and dataset commands, shared by the CLI (`alexdb bench
//! ...`) and the shell (`.bench ...`, `.ycsb ...`, `.load ...`), parsed with clap in both.
use std::path::{Path, PathBuf};
use std::time::Duration;
pub use workload::parse_count;

use clap::{Args, Parser, Subcommand, ValueEnum};

use bench::engines::EngineKind;
use bench::fair::{ValueKind, WarmMode};
use bench::index::MAX_KEYS;
use bench::vs_sqlite::{BenchKeys, KeyOrder, QueryMix};
use engine::profiles::{self, AppliedProfile};
use engine::{DbError, DbOptions};
use workload::dataset::{DEFAULT_SEED, DEFAULT_VALUE_SIZE, DatasetSpec, GenOptions};
use workload::keys::KeyDist;
use workload::ycsb::{Distribution, Workload};

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum BenchCommand {
    /// ALEX learned index against std BTreeMap: bulk load, lookups, inserts, memory
    Index(IndexArgs),
    /// alexdb against SQLite: insert throughput and point-query latency, same memory
    VsSqlite(VsSqliteArgs),
    /// Where a point query's time goes: ALEX, cache, RocksDB (and RocksDB's own split)
    Profile(ProfileArgs),
    /// YCSB core workloads A-F on alexdb, plain RocksDB and SQLite
    Ycsb(YcsbArgs),
    /// Reliability soak: a concurrent workload checked against a model while options
    /// change, loads, flushes, compactions and reopens run; exit status 1 on any error
    Soak(SoakArgs),
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct SoakArgs {
    /// How long to run, e.g. 60s, 5m, 1h
    #[arg(long, value_parser = parse_duration)]
    pub duration: Duration,

    /// Worker threads
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,

    /// Seed for the workload and the controller's choices
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// Keys in the key space (the first tenth is the hot part)
    #[arg(long, value_name = "N", default_value = "100000", value_parser = parse_key_count)]
    pub keys: usize,

    /// Database directory (new or empty; kept afterwards); default: a temporary one
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Print one JSON object on stdout instead of the table
    #[arg(long)]
    pub json: bool,

    /// Test hook: write one key behind the model's back, so the checker must fail
    #[arg(long, hide = true)]
    pub inject_fault: bool,
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

    /// Also draw the results as an SVG chart in FILE.svg
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
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

/// Options every engine benchmark shares.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CommonArgs {
    /// Value size in bytes (values are derived from the key and compress about 2:1)
    #[arg(long, value_name = "B", default_value_t = DEFAULT_VALUE_SIZE, value_parser = parse_value_size)]
    pub value_size: usize,

    /// Seed for keys, values and operations
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
    pub seed: u64,

    /// Start from a built-in profile (e.g. original-plan) or a profile file; --set wins
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,

    /// Set an alexdb option for the run (repeatable), e.g. --set value_cache_entries=1000000
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,

    /// Directory for the temporary databases (default: the system temp directory)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Print one JSON object on stdout instead of the table
    #[arg(long)]
    pub json: bool,

    /// Also draw the results as an SVG chart in FILE.svg
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,

    /// How every engine is warmed before it is timed, through the handle it is timed
    /// on: full (every loaded row read once, then random probes), probes N (N random
    /// probes only), none (fresh handles, files dropped from the OS page cache)
    #[arg(long, num_args = 1..=2, value_names = ["MODE", "N"], default_value = "full", value_parser = parse_warm_word)]
    pub warm: Vec<String>,

    /// Values: text (letters whose second half repeats the first; LZ4 about 2:1 per
    /// block) or random (incompressible bytes from the seed)
    #[arg(long, value_name = "KIND", default_value = "text", value_parser = parse_values)]
    pub values: ValueKind,
}

impl CommonArgs {
    /// `--warm` as a mode.
    pub fn warm_mode(&self) -> Result<WarmMode, DbError> {
        WarmMode::parse_words(&self.warm).map_err(|e| {
            DbError::Refused(if e.starts_with("--warm") {
                e
            } else {
                format!("--warm: {e}")
            })
        })
    }

    /// The alexdb options with every `--set` applied.
    pub fn options(&self) -> Result<DbOptions, DbError> {
        self.options_and_profile().map(|(o, _)| o)
    }

    /// The defaults, then `--profile`, then every `--set` (so `--set` wins), and the
    /// profile that was applied.
    pub fn options_and_profile(&self) -> Result<(DbOptions, Option<AppliedProfile>), DbError> {
        let (mut o, applied) = match &self.profile {
            Some(p) => profiles::resolve(p, &DbOptions::default())
                .map(|(o, a)| (o, Some(a)))
                .map_err(|e| DbError::Refused(format!("{e}{}", crate::hints::profile_hint(&e))))?,
            None => (DbOptions::default(), None),
        };
        for s in &self.set {
            let (name, value) = s.split_once('=').ok_or_else(|| {
                DbError::Refused(format!(
                    "--set {s}: expected NAME=VALUE, e.g. block_cache_size=1GiB"
                ))
            })?;
            o.set(name, value)?;
        }
        Ok((o, applied))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeysArg {
    Sequential,
    Random,
}

impl From<KeysArg> for KeyOrder {
    fn from(k: KeysArg) -> Self {
        match k {
            KeysArg::Sequential => KeyOrder::Sequential,
            KeysArg::Random => KeyOrder::Random,
        }
    }
}

/// `bench vs-sqlite`'s keys: their order and which keys the queries ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct VsSqliteKeys {
    /// Key order: 0..N in order, or distinct random i64 keys in random order
    #[arg(long = "keys", value_enum, default_value = "sequential")]
    pub order: KeysArg,

    /// Which keys the timed queries ask for: hits (loaded keys, uniform), absent (keys
    /// between the loaded ones; sequential keys then load as 0, 2, 4, ...), zipf
    /// (loaded keys, zipfian 0.99, hot keys spread)
    #[arg(long, value_name = "MIX", default_value = "hits", value_parser = parse_mix)]
    pub mix: QueryMix,
}

impl From<VsSqliteKeys> for BenchKeys {
    fn from(k: VsSqliteKeys) -> Self {
        BenchKeys {
            order: k.order.into(),
            mix: k.mix,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct VsSqliteArgs {
    /// Rows to load into each engine (e.g. 1M)
    #[arg(long, value_name = "N", value_parser = parse_key_count)]
    pub rows: usize,

    #[command(flatten)]
    pub keys: VsSqliteKeys,

    /// Timed point queries (drawn as --mix says, after a warm-up)
    #[arg(long, value_name = "Q", default_value = "100000", value_parser = parse_count)]
    pub queries: u64,

    /// Only measure inserts
    #[arg(long)]
    pub inserts_only: bool,

    /// sqlite-mmap maps its whole file (outside the memory budget); by default its
    /// mmap_size is capped to the budget
    #[arg(long)]
    pub mmap_whole_file: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ProfileArgs {
    /// Rows to load (e.g. 10M)
    #[arg(long, value_name = "N", value_parser = parse_key_count)]
    pub rows: usize,

    #[arg(long, value_enum, default_value = "sequential")]
    pub keys: KeysArg,

    /// Timed point queries
    #[arg(long, value_name = "Q", default_value = "100000", value_parser = parse_count)]
    pub queries: u64,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Alexdb,
    Rocksdb,
    Sqlite,
    SqliteMmap,
    All,
}

impl EngineArg {
    pub fn kinds(self) -> Vec<EngineKind> {
        match self {
            EngineArg::Alexdb => vec![EngineKind::Alexdb],
            EngineArg::Rocksdb => vec![EngineKind::Rocksdb],
            EngineArg::Sqlite => vec![EngineKind::Sqlite],
            EngineArg::SqliteMmap => vec![EngineKind::SqliteMmap],
            EngineArg::All => EngineKind::ALL.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct YcsbArgs {
    /// Core workload: a (50/50 read/update), b (95/5), c (read only), d (read latest,
    /// 5% inserts), e (short scans, 5% inserts), f (read-modify-write)
    #[arg(long, value_parser = parse_workload)]
    pub workload: Workload,

    /// Records loaded before the run
    #[arg(long, value_name = "N", value_parser = parse_key_count)]
    pub records: usize,

    /// Operations in the timed run
    #[arg(long, value_name = "M", value_parser = parse_count)]
    pub ops: u64,

    /// Client threads
    #[arg(long, value_name = "T", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,

    /// Request distribution (default: zipfian, theta 0.99; latest for d)
    #[arg(long, value_parser = parse_distribution)]
    pub distribution: Option<Distribution>,

    /// Engines to run
    #[arg(long, value_enum, default_value = "all")]
    pub engine: EngineArg,

    /// sqlite-mmap maps its whole file (outside the memory budget); by default its
    /// mmap_size is capped to the budget
    #[arg(long)]
    pub mmap_whole_file: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// `.ycsb` in the shell: runs on the open database.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = ".ycsb", no_binary_name = true, disable_help_flag = true)]
pub struct ShellYcsbArgs {
    /// Core workload a-f
    #[arg(value_name = "WORKLOAD", value_parser = parse_workload)]
    pub workload_pos: Option<Workload>,

    #[arg(long, value_parser = parse_workload)]
    pub workload: Option<Workload>,

    /// Records to load first: into an empty database, or a write workload's own key
    /// range (a read-only workload and --on-my-data use the keys the database holds)
    #[arg(long, value_name = "N", default_value = "100000", value_parser = parse_key_count)]
    pub records: usize,

    /// Operations (default 100000, or unlimited with --duration)
    #[arg(long, value_name = "M", value_parser = parse_count)]
    pub ops: Option<u64>,

    /// Run for this long, e.g. 60s, 2m, 500ms
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,

    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,

    #[arg(long, value_parser = parse_distribution)]
    pub distribution: Option<Distribution>,

    #[arg(long, default_value_t = DEFAULT_VALUE_SIZE, value_parser = parse_value_size)]
    pub value_size: usize,

    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,

    /// text (LZ4 about 2:1) or random (incompressible) values for the records it loads
    #[arg(long, default_value = "text", value_parser = parse_values)]
    pub values: ValueKind,

    /// Run a write workload on the rows the database holds (it writes into them)
    #[arg(long)]
    pub on_my_data: bool,
}

/// `.bench` in the shell.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = ".bench", no_binary_name = true, disable_help_flag = true)]
pub enum ShellBenchArgs {
    /// Profile point queries on the open database
    Profile {
        #[arg(long, value_name = "Q", default_value = "100000", value_parser = parse_count)]
        queries: u64,
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Also draw the split as an SVG chart in FILE.svg
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// alexdb vs SQLite on fresh temporary databases
    VsSqlite(VsSqliteArgs),
    /// YCSB on fresh temporary databases
    Ycsb(YcsbArgs),
    /// ALEX vs BTreeMap
    Index(IndexArgs),
}

/// `.load` in the shell.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = ".load", no_binary_name = true, disable_help_flag = true)]
pub enum LoadArgs {
    /// N keys START, START+STEP, ...
    Sequential {
        #[arg(value_parser = parse_key_count)]
        n: usize,
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        start: i64,
        #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
        step: i64,
        #[command(flatten)]
        gen_args: GenArgs,
    },
    /// N uniform random i64 keys
    Random {
        #[arg(value_parser = parse_key_count)]
        n: usize,
        #[command(flatten)]
        gen_args: GenArgs,
    },
    /// N lognormal keys
    Lognormal {
        #[arg(value_parser = parse_key_count)]
        n: usize,
        #[command(flatten)]
        gen_args: GenArgs,
    },
    /// N increasing timestamps with jitter and gaps
    Timestamps {
        #[arg(value_parser = parse_key_count)]
        n: usize,
        #[command(flatten)]
        gen_args: GenArgs,
    },
    /// A CSV file with a header row
    Csv {
        file: PathBuf,
        #[arg(long)]
        key: String,
        #[arg(long)]
        value: Option<String>,
    },
    /// A SOSD binary key file
    Sosd {
        file: PathBuf,
        #[command(flatten)]
        gen_args: GenArgs,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct GenArgs {
    #[arg(long, default_value_t = DEFAULT_VALUE_SIZE, value_parser = parse_value_size)]
    pub value_size: usize,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// text (LZ4 about 2:1, like db_bench's default) or random (incompressible)
    #[arg(long, default_value = "text", value_parser = parse_values)]
    pub values: ValueKind,
}

impl BenchCommand {
    /// The `--plot FILE.svg` path, if given.
    pub fn plot(&self) -> Option<&Path> {
        match self {
            BenchCommand::Index(a) => a.plot.as_deref(),
            BenchCommand::VsSqlite(a) => a.common.plot.as_deref(),
            BenchCommand::Profile(a) => a.common.plot.as_deref(),
            BenchCommand::Ycsb(a) => a.common.plot.as_deref(),
            BenchCommand::Soak(_) => None,
        }
    }
}

impl ShellBenchArgs {
    /// The `--plot FILE.svg` path, if given.
    pub fn plot(&self) -> Option<&Path> {
        match self {
            ShellBenchArgs::Profile { plot, .. } => plot.as_deref(),
            ShellBenchArgs::VsSqlite(a) => a.common.plot.as_deref(),
            ShellBenchArgs::Ycsb(a) => a.common.plot.as_deref(),
            ShellBenchArgs::Index(a) => a.plot.as_deref(),
        }
    }
}

impl LoadArgs {
    pub fn spec(&self) -> (DatasetSpec, GenOptions) {
        let g = |a: &GenArgs| GenOptions {
            value_size: a.value_size,
            seed: a.seed,
            values: a.values,
        };
        match self {
            LoadArgs::Sequential {
                n,
                start,
                step,
                gen_args,
            } => (
                DatasetSpec::Sequential {
                    n: *n as u64,
                    start: *start,
                    step: *step,
                },
                g(gen_args),
            ),
            LoadArgs::Random { n, gen_args } => (DatasetSpec::Random { n: *n as u64 }, g(gen_args)),
            LoadArgs::Lognormal { n, gen_args } => {
                (DatasetSpec::Lognormal { n: *n as u64 }, g(gen_args))
            }
            LoadArgs::Timestamps { n, gen_args } => {
                (DatasetSpec::Timestamps { n: *n as u64 }, g(gen_args))
            }
            LoadArgs::Csv { file, key, value } => (
                DatasetSpec::Csv {
                    path: file.clone(),
                    key: key.clone(),
                    value: value.clone(),
                },
                GenOptions::default(),
            ),
            LoadArgs::Sosd { file, gen_args } => {
                (DatasetSpec::Sosd { path: file.clone() }, g(gen_args))
            }
        }
    }
}

/// Parse a key count: digits with optional `_` or `,` separators and an optional
/// `k`/`m` suffix (thousands / millions). Must be between 1 and [`MAX_KEYS`].
pub fn parse_key_count(s: &str) -> Result<usize, String> {
    let n = parse_count(s)?;
    if n == 0 {
        return Err("must be at least 1".to_string());
    }
    if n > MAX_KEYS as u64 {
        return Err(format!("too large; the most is {MAX_KEYS}"));
    }
    Ok(n as usize)
}

fn parse_value_size(s: &str) -> Result<usize, String> {
    let n = engine::options::parse_size(s)?;
    if n > engine::MAX_VALUE_BYTES {
        return Err("at most 16MiB".into());
    }
    Ok(n)
}

/// One word of `--warm`: a mode or a count.
fn parse_warm_word(s: &str) -> Result<String, String> {
    let w = s.trim().to_ascii_lowercase();
    let mode = w.split('=').next().unwrap_or_default();
    if matches!(mode, "full" | "none" | "cold" | "probes") || parse_count(&w).is_ok() {
        Ok(w)
    } else {
        Err("expected full, none or probes N (e.g. --warm probes 50000)".into())
    }
}

fn parse_values(s: &str) -> Result<ValueKind, String> {
    s.parse()
}

fn parse_mix(s: &str) -> Result<QueryMix, String> {
    s.parse()
}

fn parse_workload(s: &str) -> Result<Workload, String> {
    s.parse()
}

fn parse_distribution(s: &str) -> Result<Distribution, String> {
    s.parse()
}

/// `60s`, `2m`, `500ms`, `1h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (use e.g. 60s, 2m, 500ms)"))?;
    let secs = match unit {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("{s:?} is not a duration (use e.g. 60s, 2m, 500ms)")),
    };
    if !(0.001..=7.0 * 86400.0).contains(&secs) {
        return Err("must be between 1ms and 7 days".into());
    }
    Ok(Duration::from_secs_f64(secs))
}
