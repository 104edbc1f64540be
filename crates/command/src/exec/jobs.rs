//! The table of jobs `.jobs` shows (and the dashboard's jobs pane), with each finished
//! job's headline figures.
use crate::jobs::{JobState, JobStatus};
use crate::outcome::{Cell, Outcome, Table};
use serde_json::Value;

/// `.jobs`: one row per job, with a finished job's headline figures.
pub fn jobs_table(jobs: &[JobStatus]) -> Table {
    let columns = ["job", "state", "progress", "elapsed", "command", "result"];
    let mut t = Table::new(&columns);
    for j in jobs {
        let state = match &j.state {
            JobState::Running => "running".to_string(),
            JobState::Done { cancelled: false } => "done".to_string(),
            JobState::Done { cancelled: true } => "cancelled".to_string(),
            JobState::Failed(e) => format!("failed: {e}"),
        };
        let progress = match (j.total, j.fraction()) {
            (Some(t), Some(f)) => format!("{}/{t} {} ({:.0}%)", j.done, j.unit, f * 100.0),
            // A job that counts nothing (a compaction) has no progress to show.
            _ if j.unit.is_empty() => "-".to_string(),
            _ => format!("{} {}", j.done, j.unit),
        };
        let phase = if j.phase.is_empty() {
            String::new()
        } else {
            format!(" [{}]", j.phase)
        };
        t.rows.push(vec![
            Cell::Int(j.id as i64),
            Cell::Text(state),
            Cell::Text(progress),
            Cell::Text(format!("{:.1} s", j.elapsed.as_secs_f64())),
            Cell::Text(format!("{}{phase}", j.label)),
            Cell::Text(j.result.as_ref().map_or_else(String::new, headline)),
        ]);
    }
    t
}

/// A finished job's figures in a few words: rows/s of a load, ops/s and p99 of a YCSB
/// run, the speed-ups of a benchmark, a message's first line.
pub fn headline(result: &Outcome) -> String {
    match result {
        Outcome::Report { json, .. } => report_headline(json),
        Outcome::Message(m) => m.lines().next().unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

fn report_headline(j: &Value) -> String {
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
    if let Some(r) = num(j, "rows_per_s") {
        return format!("{} rows/s", thousands(r));
    }
    if let Some(first) = j.get("results").and_then(|r| r.get(0)) {
        let ops = num(first, "ops_per_s").map_or("?".into(), thousands);
        let p99 = [
            "read_p99_ns",
            "update_p99_ns",
            "insert_p99_ns",
            "scan_p99_ns",
        ]
        .iter()
        .find_map(|k| num(first, k).filter(|&n| n > 0.0).map(|n| (k, n)));
        return match p99 {
            Some((k, n)) => format!(
                "{ops} ops/s, {} p99 {}",
                &k[..k.find('_').unwrap_or(0)],
                micros(n)
            ),
            None => format!("{ops} ops/s"),
        };
    }
    if let Some(q) = num(j, "speedup_query") {
        let ins = num(j, "speedup_insert").unwrap_or(0.0);
        return format!("vs SQLite: queries x{q:.1}, inserts x{ins:.1}");
    }
    if let Some(l) = num(j, "speedup_lookup") {
        return format!("lookups x{l:.1} vs BTreeMap");
    }
    if let (Some(rows), Some(stop)) = (num(j, "rows"), j.get("stop").and_then(Value::as_str)) {
        return format!(
            "{} rows cached ({})",
            thousands(rows),
            stop.replace('_', " ")
        );
    }
    if let Some(ns) = num(j, "total_ns") {
        return format!("get {} mean", micros(ns));
    }
    String::new()
}

/// `1234567.8` as `1,234,568`.
fn thousands(x: f64) -> String {
    bench::own_keys::thousands(x.max(0.0).round() as u64)
}

fn micros(ns: f64) -> String {
    format!("{:.1} µs", ns / 1000.0)
}
