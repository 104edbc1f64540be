//! What one command is, as data: [`CommandSpec`], with its [`Family`] and how it
//! [`Runs`]. A leaf: each command's module builds its spec from these.

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

pub const fn spec(
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

pub const fn db(s: CommandSpec) -> CommandSpec {
    CommandSpec {
        touches_db: true,
        ..s
    }
}

pub const fn runs(s: CommandSpec, runs: Runs) -> CommandSpec {
    CommandSpec { runs, ..s }
}

/// A command with another name (`.quit`'s `.exit`).
pub const fn aliased(aliases: &'static [&'static str], s: CommandSpec) -> CommandSpec {
    CommandSpec { aliases, ..s }
}

/// The spec in `table` named `name` or one of its aliases (case-insensitive; the leading
/// dot of a dot-command and the `.set` of `.set refresh_ms` may be left out, as `.help`
/// allows).
pub fn lookup_in(table: &'static [CommandSpec], name: &str) -> Option<&'static CommandSpec> {
    let n = name.to_ascii_lowercase();
    find_in(table, &n).or_else(|| {
        let bare = n.trim_start_matches('.');
        table.iter().find(|s| {
            std::iter::once(s.name)
                .chain(s.aliases.iter().copied())
                .any(|a| a.trim_start_matches('.') == bare || a.strip_prefix(".set ") == Some(bare))
        })
    })
}

/// The spec in `table` named exactly `name` (or with it as an alias).
pub fn find_in(table: &'static [CommandSpec], name: &str) -> Option<&'static CommandSpec> {
    table
        .iter()
        .find(|s| s.name == name || s.aliases.contains(&name))
}

/// Names of one word (and aliases) of the specs `pick` takes, in table order.
pub fn names_in(
    table: &'static [CommandSpec],
    pick: impl Fn(&CommandSpec) -> bool,
) -> Vec<&'static str> {
    table
        .iter()
        .filter(|s| pick(s) && !s.name.contains(' '))
        .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()))
        .collect()
}
