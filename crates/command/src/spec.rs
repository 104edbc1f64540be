//! Every command as data: one [`CommandSpec`] per command, in `.help` order. The
//! parser's name lists and usage lines, "did you mean", `.help`, completion, hints and
//! `.stats` (does it touch the database?) all read [`SPECS`]; [`spec_of`] maps each
//! parsed [`Command`] to its entry, so a new variant without one does not compile.
use std::sync::LazyLock;

use super::parse::Command;

/// Which part of the executor answers a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `get`, `put`, `scan`, ...
    Data,
    /// `SELECT`, `INSERT`, `DELETE`.
    Sql,
    /// Settings of this session and files: `.help`, `.mode`, `.read`, `.open`, `.quit`.
    Session,
    /// Engine options and maintenance: `.set`, `.reset`, `.reopen`, `.compact`, ...
    Options,
    /// Long work on worker threads: `.load`, `.bench`, `.ycsb`, `.jobs`, `.cancel`.
    Jobs,
    /// Handled by the dashboard itself (`.set refresh_ms`, `.export`).
    Dashboard,
}

/// Whether a command runs as a job (on a worker thread, so the dashboard keeps drawing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// On the caller's thread.
    Inline,
    /// Always a job.
    Job,
    /// A job when the engine plans that the change may reopen RocksDB.
    JobIfReopen,
}

/// One command.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// As typed (lower case); a name with a space is a form of another command
    /// (`.set refresh_ms`) and is not a name of its own.
    pub name: &'static str,
    /// Other names that parse to the same command (`.exit`).
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
    /// One line for `.help`.
    pub help: &'static str,
    /// Reads or writes the database (so `.stats on` has figures for it).
    pub touches_db: bool,
    pub runs: Runs,
    pub family: Family,
}

const fn spec(
    name: &'static str,
    usage: &'static str,
    help: &'static str,
    family: Family,
) -> CommandSpec {
    CommandSpec {
        name,
        aliases: &[],
        usage,
        help,
        touches_db: false,
        runs: Runs::Inline,
        family,
    }
}

const fn db(s: CommandSpec) -> CommandSpec {
    CommandSpec {
        touches_db: true,
        ..s
    }
}

const fn runs(s: CommandSpec, runs: Runs) -> CommandSpec {
    CommandSpec { runs, ..s }
}

use Family::{Dashboard, Data, Jobs, Options, Session, Sql};

/// Every command, in `.help` order.
pub const SPECS: &[CommandSpec] = &[
    db(spec(
        "get",
        "get K",
        "value of key K (NULL if absent)",
        Data,
    )),
    db(spec(
        "put",
        "put K VALUE",
        "store VALUE under K (bare word, 'quoted', or x'hex')",
        Data,
    )),
    db(spec("del", "del K", "delete key K", Data)),
    db(spec(
        "scan",
        "scan A B [limit N]",
        "rows with A <= key <= B in key order",
        Data,
    )),
    db(spec(
        "count",
        "count [A B]",
        "number of keys (in A..=B if given)",
        Data,
    )),
    db(spec(
        "exists",
        "exists K",
        "1 if key K exists, else 0",
        Data,
    )),
    db(spec(
        "mget",
        "mget K1 K2 ...",
        "values of several keys",
        Data,
    )),
    db(spec(
        "select",
        "SELECT * | key | value | COUNT(*) FROM kv [WHERE key = K | key BETWEEN A AND B | key >= A AND key < B] [LIMIT N];",
        "SQL query on table kv(key INTEGER PRIMARY KEY, value BLOB)",
        Sql,
    )),
    db(spec(
        "insert",
        "INSERT [OR REPLACE] INTO kv VALUES (K, 'v'), ...;",
        "SQL insert; fails on an existing key unless OR REPLACE",
        Sql,
    )),
    db(spec(
        "delete",
        "DELETE FROM kv WHERE key = K | key BETWEEN A AND B | key >= A AND key < B;",
        "SQL delete by key, or a whole key range at once (one range delete)",
        Sql,
    )),
    spec(
        ".help",
        ".help [CMD|OPTION]",
        "this list; .help CMD: one command's usage; .help OPTION: an engine option explained",
        Session,
    ),
    spec(
        ".timer",
        ".timer on|off",
        "print the elapsed time after each command",
        Session,
    ),
    spec(
        ".width",
        ".width N|off",
        "table mode: show at most N characters of a cell (default 256); off: whole values",
        Session,
    ),
    spec(
        ".stats",
        ".stats on|off",
        "print cache hits, ALEX/RocksDB time and block reads per command",
        Session,
    ),
    spec(
        ".mode",
        ".mode table|csv|json|line",
        "output format of results",
        Session,
    ),
    spec(
        ".output",
        ".output FILE|stdout",
        "send results to FILE (or back to stdout)",
        Session,
    ),
    spec(".read", ".read FILE", "run the commands in FILE", Session),
    spec(
        ".open",
        ".open PATH",
        "close this database and open PATH",
        Session,
    ),
    spec(
        ".show",
        ".show [options]",
        "database path, rows and settings; `.show options` lists every option",
        Session,
    ),
    runs(
        spec(
            ".set",
            ".set NAME VALUE",
            "change an option while the database is live",
            Options,
        ),
        Runs::JobIfReopen,
    ),
    runs(
        spec(
            ".reset",
            ".reset NAME|all",
            "put an option (or all) back to its default",
            Options,
        ),
        Runs::JobIfReopen,
    ),
    spec(
        ".reopen",
        ".reopen",
        "close and reopen RocksDB (ALEX stays in memory)",
        Options,
    ),
    db(spec(
        ".flush",
        ".flush",
        "flush the memtables to SST files",
        Options,
    )),
    runs(
        db(spec(
            ".compact",
            ".compact [A B]",
            "compact everything (or keys A..=B) to the bottom level",
            Options,
        )),
        Runs::Job,
    ),
    db(spec(
        ".check",
        ".check",
        "verify every SST file's checksums, compare ALEX with RocksDB (key count and checksum), list key ranges RocksDB cannot read",
        Options,
    )),
    runs(
        spec(
            ".profile",
            ".profile list | save FILE | load NAME|FILE",
            "list the built-in profiles; save every option to a TOML file; load a built-in profile or a file",
            Options,
        ),
        Runs::JobIfReopen,
    ),
    spec(
        ".options",
        ".options export FILE [--format rocksdb|tikv]",
        "write RocksDB's own OPTIONS file for the current settings, or a TiKV config fragment",
        Options,
    ),
    runs(
        db(spec(
            ".load",
            ".load sequential|random|lognormal|timestamps N [--start S --step D] [--value-size B] [--seed S] [--values text|random] | csv FILE --key COL [--value COL] | sosd FILE [&]",
            "bulk-load generated keys or a CSV/SOSD file (a job; & runs it in the background)",
            Jobs,
        )),
        Runs::Job,
    ),
    runs(
        spec(
            ".bench",
            ".bench profile [--queries Q] [--plot F.svg] | vs-sqlite --rows N [...] | ycsb --workload W --records N --ops M [...] | index --keys N --dist D [&]",
            "run a benchmark as a job (& runs it in the background)",
            Jobs,
        ),
        Runs::Job,
    ),
    runs(
        spec(
            ".ycsb",
            ".ycsb a|b|c|d|e|f [--duration 60s] [--ops M] [--threads T] [--distribution zipfian|uniform|latest] [--records N] [--values text|random] [--on-my-data] [&]",
            "run a YCSB workload on this database as a job (a write workload uses a key range of its own and removes it, unless --on-my-data)",
            Jobs,
        ),
        Runs::Job,
    ),
    spec(
        ".jobs",
        ".jobs [JOB]",
        "list the jobs of this session with their results, or show one job's full report",
        Jobs,
    ),
    spec(
        ".cancel",
        ".cancel [JOB]",
        "ask a running job (default: the newest) to stop",
        Jobs,
    ),
    runs(
        spec(
            ".advise",
            ".advise | apply N | undo",
            "propose option changes from the live figures; apply proposal N; undo the last applied",
            Options,
        ),
        Runs::JobIfReopen,
    ),
    db(spec(
        ".mrc",
        ".mrc [reset]",
        "the value cache's miss-ratio curve: predicted hit rate and memory at other sizes (reset starts it afresh)",
        Options,
    )),
    runs(
        db(spec(
            ".sweep",
            ".sweep OPTION V1,V2,... [x OPTION2 V1,V2,...] [--workload a..f] [--duration 10s] [--distribution zipfian|uniform|latest] [--threads T] [--warmup 30s] [--repeat 2] [--no-rewrite] [--plot FILE.svg] [--on-my-data] [&]",
            "run a YCSB workload once per option value (a job), then put the option back; never saves a step's value, never sweeps wal or sync",
            Jobs,
        )),
        Runs::Job,
    ),
    spec(
        ".baseline",
        ".baseline save NAME [--window 30s] | list | drop NAME",
        "save the last window's figures and the options in force under NAME (kept in the database directory), list or drop them",
        Session,
    ),
    spec(
        ".compare",
        ".compare NAME [NAME2|now]",
        "compare baseline NAME with NAME2 or the last 30 s now: figures with delta, ratio and noise, differing options first",
        Session,
    ),
    spec(
        ".set refresh_ms",
        ".set refresh_ms N",
        "dashboard only: sampling interval in milliseconds (.reset refresh_ms: 250)",
        Dashboard,
    ),
    spec(
        ".export",
        ".export metrics FILE.csv|FILE.json|FILE.svg | screen FILE",
        "write the sampled metrics: .export metrics F.svg draws them as charts, F.csv/F.json as data with the option-change markers (outside the dashboard: the one-second history); screen: dashboard only",
        Dashboard,
    ),
    CommandSpec {
        aliases: &[".exit"],
        ..spec(".quit", ".quit", "leave (also .exit, Ctrl-D)", Session)
    },
];

/// The spec of a parsed command. Exhaustive on purpose: a new variant needs an entry.
pub fn spec_of(cmd: &Command) -> &'static CommandSpec {
    let name = match cmd {
        Command::Get(_) => "get",
        Command::Put { .. } => "put",
        Command::Del(_) => "del",
        Command::Scan { .. } => "scan",
        Command::Count(_) => "count",
        Command::Exists(_) => "exists",
        Command::MGet(_) => "mget",
        Command::Select { .. } => "select",
        Command::Insert { .. } => "insert",
        Command::Delete { .. } => "delete",
        Command::Help(_) => ".help",
        Command::Timer(_) => ".timer",
        Command::Width(_) => ".width",
        Command::Stats(_) => ".stats",
        Command::Mode(_) => ".mode",
        Command::Output(_) => ".output",
        Command::Read(_) => ".read",
        Command::Open(_) => ".open",
        Command::Show | Command::ShowOptions => ".show",
        Command::Set { .. } => ".set",
        Command::Reset(_) => ".reset",
        Command::Reopen => ".reopen",
        Command::Flush => ".flush",
        Command::Compact(_) => ".compact",
        Command::Profile { .. } | Command::ProfileList => ".profile",
        Command::OptionsExport(..) => ".options",
        Command::Load { .. } => ".load",
        Command::Bench { .. } => ".bench",
        Command::Ycsb { .. } => ".ycsb",
        Command::Jobs(_) => ".jobs",
        Command::Cancel(_) => ".cancel",
        Command::Refresh(_) => ".set refresh_ms",
        Command::Export { .. } => ".export",
        Command::Quit => ".quit",
        Command::Check => ".check",
        Command::Advise(_) => ".advise",
        Command::Mrc { .. } => ".mrc",
        Command::Sweep { .. } => ".sweep",
        Command::Baseline(_) => ".baseline",
        Command::Compare { .. } => ".compare",
    };
    // Every name above is in SPECS (the spec tests check each variant), so `find` cannot
    // miss; `.quit` is the harmless fallback rather than a panic.
    find(name).unwrap_or(&SPECS[SPECS.len() - 1])
}

/// The spec named `name` or one of its aliases (case-insensitive; the leading dot of a
/// dot-command and the `.set` of `.set refresh_ms` may be left out, as `.help` allows).
pub fn lookup(name: &str) -> Option<&'static CommandSpec> {
    let n = name.to_ascii_lowercase();
    find(&n).or_else(|| {
        let bare = n.trim_start_matches('.');
        SPECS.iter().find(|s| {
            std::iter::once(s.name)
                .chain(s.aliases.iter().copied())
                .any(|a| a.trim_start_matches('.') == bare || a.strip_prefix(".set ") == Some(bare))
        })
    })
}

fn find(name: &str) -> Option<&'static CommandSpec> {
    SPECS
        .iter()
        .find(|s| s.name == name || s.aliases.contains(&name))
}

/// Names of one word (and aliases) of the given families, in table order.
fn names_of(pick: impl Fn(&CommandSpec) -> bool) -> Vec<&'static str> {
    SPECS
        .iter()
        .filter(|s| pick(s) && !s.name.contains(' '))
        .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()))
        .collect()
}

/// Data commands (`get`, `put`, ...).
pub static COMMAND_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| names_of(|s| s.family == Data));
/// Dot-commands, aliases included.
pub static DOT_COMMAND_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| names_of(|s| s.name.starts_with('.')));
/// Every command name a line may start with (SQL keywords in lower case).
pub static ALL_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| names_of(|_| true));
