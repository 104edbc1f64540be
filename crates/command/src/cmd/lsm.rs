//! `.lsm [--json]`: the LSM tree as the dashboard's LSM pane shows it, in text: a table
//! like RocksDB's Compaction Stats (per level: files, size, score, bytes read and
//! written, W-Amp, compaction seconds and count), the whole tree's amplification, the
//! compaction debt against its limits, the stall state with seconds per cause, and the
//! compactions under way. `--json`: the same figures as JSON.
use std::fmt::Write as _;

use serde_json::json;

use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity, bad_arg};
use engine::metrics::{LevelInfo, RocksStats};
use engine::options::human_bytes;

pub const SPEC: CommandSpec = db(spec(
    ".lsm",
    ".lsm [--json]",
    "the LSM tree per level (RocksDB's compaction stats since open: size, score, read and written bytes, W-Amp, compaction time), amplification, compaction debt, write stalls by cause, running compactions",
    Family::Options,
));
pub const ENTRY: Entry = words(SPEC, ".lsm --json", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() <= 1, "0 or 1 argument", args.len())?;
    match args.first().map(|a| a.text().to_ascii_lowercase()) {
        None => Ok(Command::Options(OptionsCmd::Lsm { json: false })),
        Some(w) if w == "--json" => Ok(Command::Options(OptionsCmd::Lsm { json: true })),
        Some(other) => Err(bad_arg(&SPEC, format!("expected --json, got \"{other}\""))),
    }
}

pub fn execute(x: &Executor, json: bool) -> Result<Outcome, ExecError> {
    let s = x.db.metrics_snapshot();
    let r = &s.rocksdb;
    let value = lsm_json(r, s.uptime_secs);
    let text = if json {
        serde_json::to_string_pretty(&value).map_err(|e| ExecError::Refused(e.to_string()))?
    } else {
        lsm_text(r, s.uptime_secs)
    };
    Ok(Outcome::Report { text, json: value })
}

/// The figures as one JSON object (the engine's own field names).
pub fn lsm_json(r: &RocksStats, uptime_secs: f64) -> serde_json::Value {
    json!({
        "uptime_secs": uptime_secs,
        "sst_files": r.sst_files,
        "sst_bytes": r.sst_bytes,
        "levels": r.levels,
        "sum": r.level_sum(),
        "amp": r.amp,
        "pending_compaction_bytes": r.pending_compaction_bytes,
        "soft_pending_limit": r.soft_pending_limit,
        "hard_pending_limit": r.hard_pending_limit,
        "stall": r.stall,
        "write_stopped": r.write_stopped,
        "delayed_write_rate": r.delayed_write_rate,
        "running": r.running,
        "running_compactions": r.running_compactions,
        "running_flushes": r.running_flushes,
    })
}

const HEADER: &str = "Level  Files       Size  Score       Read         Rn      Write  W-Amp  Comp(s)  Comp(n)      Read/s     Write/s";

fn level_row(name: &str, l: &LevelInfo, score: bool) -> String {
    let rate = |v: f64| format!("{}/s", human_bytes(v.max(0.0) as u64));
    format!(
        "{name:<5}{:>7}{:>11}{:>7}{:>11}{:>11}{:>11}{:>7.1}{:>9.1}{:>9}{:>12}{:>12}",
        l.files,
        human_bytes(l.bytes),
        if score {
            format!("{:.2}", l.score)
        } else {
            String::new()
        },
        human_bytes(l.read_bytes),
        human_bytes(l.read_above_bytes),
        human_bytes(l.write_bytes),
        l.w_amp,
        l.compaction_secs,
        l.compactions,
        rate(l.read_per_sec),
        rate(l.write_per_sec),
    )
}

/// The text report.
pub fn lsm_text(r: &RocksStats, uptime_secs: f64) -> String {
    let mut out = format!(
        "LSM: {} files, {} (compaction stats since open, {uptime_secs:.1} s; per second: averages since open)\n{HEADER}\n",
        r.sst_files,
        human_bytes(r.sst_bytes),
    );
    for l in &r.levels {
        let _ = writeln!(out, "{}", level_row(&format!("L{}", l.level), l, true));
    }
    let _ = writeln!(out, "{}", level_row("Sum", &r.level_sum(), false));
    let a = &r.amp;
    let _ = writeln!(
        out,
        "amplification: write {:.2} ({} written by the user, {} written to SST files) · space {:.2} (live data {}) · read {} file{} per get",
        a.write_amp,
        human_bytes(a.user_bytes),
        human_bytes(a.sst_written_bytes),
        a.space_amp,
        human_bytes(a.live_data_bytes),
        a.read_amp,
        if a.read_amp == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "{}", debt_text(r));
    out.push_str(&stall_text(r));
    out.push_str(&running_text(r));
    out
}

/// `compaction debt: 4.0 MiB pending · soft limit 64.0 GiB (0.0%) · hard limit none`.
fn debt_text(r: &RocksStats) -> String {
    let debt = r.pending_compaction_bytes;
    let limit = |n: u64| {
        if n == 0 {
            "none".to_string()
        } else {
            format!(
                "{} ({:.1}%)",
                human_bytes(n),
                debt as f64 * 100.0 / n as f64
            )
        }
    };
    format!(
        "compaction debt: {} pending · soft limit {} · hard limit {}",
        human_bytes(debt),
        limit(r.soft_pending_limit),
        limit(r.hard_pending_limit)
    )
}

/// The condition now and, per cause, the seconds delayed and stopped since open.
fn stall_text(r: &RocksStats) -> String {
    let cond = match r.stall.condition {
        "" if r.write_stopped => "stopped",
        "" if r.write_stall => "delayed",
        "" => "normal",
        c => c,
    };
    let mut out = format!("write stall: {cond}");
    if let Some(c) = r.stall.cause {
        let _ = write!(out, " ({c})");
    }
    if cond == "delayed" && r.delayed_write_rate > 0 {
        let _ = write!(out, " at {}/s", human_bytes(r.delayed_write_rate));
    }
    let _ = writeln!(
        out,
        " · {} change{} since open",
        r.stall.changes,
        if r.stall.changes == 1 { "" } else { "s" }
    );
    for c in &r.stall.by_cause {
        let _ = writeln!(
            out,
            "  {}: {:.1} s delayed, {:.1} s stopped",
            c.cause, c.delayed_secs, c.stopped_secs
        );
    }
    out
}

fn running_text(r: &RocksStats) -> String {
    if r.running.is_empty() {
        return format!(
            "running: {} compactions, {} flushes\n",
            r.running_compactions, r.running_flushes
        );
    }
    let mut out = format!("running: {} flushes; compactions:\n", r.running_flushes);
    for c in &r.running {
        let _ = writeln!(
            out,
            "  job {} L{}->L{} ({}): {} input files, {:.1} s",
            c.job, c.from_level, c.to_level, c.reason, c.input_files, c.running_secs
        );
    }
    out
}
