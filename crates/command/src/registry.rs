//! The command table: every command's [`Entry`] (its module's spec, example and parser),
//! in `.help` order. The parser's name lists and usage lines, "did you mean", `.help`,
//! completion, hints and `.stats` (does it touch the database?) all read it through
//! [`SPECS`] and [`lookup`]; [`spec_of`] maps each parsed [`Command`] to its entry.
use std::sync::LazyLock;

use crate::ast::{Command, DashboardCmd, DataCmd, JobsCmd, OptionsCmd, SessionCmd, SqlCmd};
use crate::cmd::{
    Entry, advise, baseline, bench, cancel, check, compact, compare, data, export, flush, help,
    jobs, load, mode, mrc, open, options, output, profile, quit, read, reopen, set, show, sql,
    stats, sweep, timer, width, ycsb,
};
use crate::cmd::{lsm, property};
use crate::cmd::{replay, trace};
use crate::spec::types::{CommandSpec, Family, find_in, lookup_in, names_in};

/// Every command, in `.help` order: a new command is one line here.
pub const ENTRIES: &[Entry] = &[
    data::GET,
    data::PUT,
    data::DEL,
    data::SCAN,
    data::COUNT,
    data::EXISTS,
    data::MGET,
    sql::SELECT,
    sql::INSERT,
    sql::DELETE,
    help::ENTRY,
    timer::ENTRY,
    width::ENTRY,
    stats::ENTRY,
    mode::ENTRY,
    output::ENTRY,
    read::ENTRY,
    open::ENTRY,
    show::ENTRY,
    set::ENTRY,
    set::RESET_ENTRY,
    reopen::ENTRY,
    flush::ENTRY,
    compact::ENTRY,
    check::ENTRY,
    profile::ENTRY,
    options::ENTRY,
    load::ENTRY,
    bench::ENTRY,
    ycsb::ENTRY,
    jobs::ENTRY,
    cancel::ENTRY,
    advise::ENTRY,
    mrc::ENTRY,
    lsm::ENTRY,
    property::ENTRY,
    sweep::ENTRY,
    baseline::ENTRY,
    compare::ENTRY,
    trace::ENTRY,
    replay::ENTRY,
    set::REFRESH_ENTRY,
    export::ENTRY,
    quit::ENTRY,
];

const SPEC_ARRAY: [CommandSpec; ENTRIES.len()] = specs(ENTRIES);

/// Every command's spec, in `.help` order (the table's specs).
pub const SPECS: &[CommandSpec] = &SPEC_ARRAY;

const fn specs<const N: usize>(entries: &[Entry]) -> [CommandSpec; N] {
    let mut out = [entries[0].spec; N];
    let mut i = 0;
    while i < N {
        out[i] = entries[i].spec;
        i += 1;
    }
    out
}

/// The entry whose name or alias is exactly `name` (lower case).
pub fn entry(name: &str) -> Option<&'static Entry> {
    ENTRIES
        .iter()
        .find(|e| e.spec.name == name || e.spec.aliases.contains(&name))
}

/// The spec named `name` or one of its aliases (case-insensitive; the leading dot of a
/// dot-command and the `.set` of `.set refresh_ms` may be left out, as `.help` allows).
pub fn lookup(name: &str) -> Option<&'static CommandSpec> {
    lookup_in(SPECS, name)
}

/// Usage line of a command or dot-command (`"get"`, `".mode"`, `"select"`; the dot may be
/// left out), from the command table.
pub fn usage(name: &str) -> Option<&'static str> {
    lookup(name).map(|s| s.usage)
}

/// The spec of a parsed command. Exhaustive on purpose: a new variant needs an arm.
pub fn spec_of(cmd: &Command) -> &'static CommandSpec {
    let spec = match cmd {
        Command::Data(c) => match c {
            DataCmd::Get(_) => data::GET_SPEC,
            DataCmd::Put { .. } => data::PUT_SPEC,
            DataCmd::Del(_) => data::DEL_SPEC,
            DataCmd::Scan { .. } => data::SCAN_SPEC,
            DataCmd::Count(_) => data::COUNT_SPEC,
            DataCmd::Exists(_) => data::EXISTS_SPEC,
            DataCmd::MGet(_) => data::MGET_SPEC,
        },
        Command::Sql(c) => match c {
            SqlCmd::Select { .. } => sql::SELECT_SPEC,
            SqlCmd::Insert { .. } => sql::INSERT_SPEC,
            SqlCmd::Delete { .. } => sql::DELETE_SPEC,
        },
        Command::Session(c) => match c {
            SessionCmd::Help(_) => help::SPEC,
            SessionCmd::Timer(_) => timer::SPEC,
            SessionCmd::Width(_) => width::SPEC,
            SessionCmd::Stats(_) => stats::SPEC,
            SessionCmd::Mode(_) => mode::SPEC,
            SessionCmd::Output(_) => output::SPEC,
            SessionCmd::Read(_) => read::SPEC,
            SessionCmd::Open(_) => open::SPEC,
            SessionCmd::Show | SessionCmd::ShowOptions => show::SPEC,
            SessionCmd::Baseline(_) => baseline::SPEC,
            SessionCmd::Compare { .. } => compare::SPEC,
            SessionCmd::Trace(_) => trace::SPEC,
            SessionCmd::Quit => quit::SPEC,
        },
        Command::Options(c) => match c {
            OptionsCmd::Set { .. } => set::SPEC,
            OptionsCmd::Reset(_) => set::RESET_SPEC,
            OptionsCmd::Reopen => reopen::SPEC,
            OptionsCmd::Flush => flush::SPEC,
            OptionsCmd::Compact(_) => compact::SPEC,
            OptionsCmd::Check => check::SPEC,
            OptionsCmd::Profile { .. } | OptionsCmd::ProfileList => profile::SPEC,
            OptionsCmd::OptionsExport(..) => options::SPEC,
            OptionsCmd::Advise(_) => advise::SPEC,
            OptionsCmd::Mrc { .. } => mrc::SPEC,
            OptionsCmd::Lsm { .. } => lsm::SPEC,
            OptionsCmd::Property(_) => property::SPEC,
        },
        Command::Jobs(c) => match c {
            JobsCmd::Load { .. } => load::SPEC,
            JobsCmd::Bench { .. } => bench::SPEC,
            JobsCmd::Ycsb { .. } => ycsb::SPEC,
            JobsCmd::Jobs(_) => jobs::SPEC,
            JobsCmd::Cancel(_) => cancel::SPEC,
            JobsCmd::Sweep { .. } => sweep::SPEC,
            JobsCmd::Replay { .. } => replay::SPEC,
        },
        Command::Dashboard(c) => match c {
            DashboardCmd::Refresh(_) => set::REFRESH_SPEC,
            DashboardCmd::Export { .. } => export::SPEC,
        },
    };
    // The table's own entry (the same spec), so callers may compare by address.
    find_in(SPECS, spec.name).unwrap_or(&SPECS[SPECS.len() - 1])
}

/// Data commands (`get`, `put`, ...).
pub static COMMAND_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| names_in(SPECS, |s| s.family == Family::Data));
/// Dot-commands, aliases included.
pub static DOT_COMMAND_NAMES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| names_in(SPECS, |s| s.name.starts_with('.')));
/// Every command name a line may start with (SQL keywords in lower case).
pub static ALL_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| names_in(SPECS, |_| true));
