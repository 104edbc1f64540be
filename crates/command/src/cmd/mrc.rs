//! `.mrc [reset]`: the value cache's miss-ratio curve as a table of sizes around the
//! current one, each with its predicted hit rate and what it would cost in memory.
use serde_json::json;

use super::{Entry, words};
use crate::ast::{Command, OptionsCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity, bad_arg};
use engine::Db;
use engine::metrics::{MIN_SAMPLED_GETS, MrcCurve};

pub const SPEC: CommandSpec = db(spec(
    ".mrc",
    ".mrc [reset]",
    "the value cache's miss-ratio curve: predicted hit rate and memory at other sizes (reset starts it afresh)",
    Family::Options,
));
pub const ENTRY: Entry = words(SPEC, ".mrc reset", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    arity(&SPEC, args.len() <= 1, "0 or 1 argument", args.len())?;
    match args.first().map(|a| a.text().to_ascii_lowercase()) {
        None => Ok(Command::Options(OptionsCmd::Mrc { reset: false })),
        Some(w) if w == "reset" => Ok(Command::Options(OptionsCmd::Mrc { reset: true })),
        Some(other) => Err(bad_arg(&SPEC, format!("expected reset, got \"{other}\""))),
    }
}

pub fn execute(x: &Executor, reset: bool) -> Result<Outcome, ExecError> {
    Ok(mrc_command(&x.db, reset))
}

/// Multiples of the current size shown.
const FACTORS: [f64; 6] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0];

const MIB: f64 = 1024.0 * 1024.0;

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MrcRow {
    pub bytes: u64,
    pub hit_rate: f64,
    /// The size in force now.
    pub current: bool,
    /// Big enough for every key in the database.
    pub all_keys: bool,
}

fn mrc_command(db: &Db, reset: bool) -> Outcome {
    if reset {
        db.reset_miss_ratio_curve();
        return Outcome::Message("miss-ratio curve started afresh".to_string());
    }
    if !db.options().value_cache_mrc {
        return Outcome::Message(
            "the miss-ratio curve is off (.set value_cache_mrc on starts it)".to_string(),
        );
    }
    match db.miss_ratio_curve() {
        None => Outcome::Message(
            "no miss-ratio curve yet: no sampled get of a stored value since it started"
                .to_string(),
        ),
        Some(c) if c.sampled_gets < MIN_SAMPLED_GETS => Outcome::Message(format!(
            "too few sampled gets for a miss-ratio curve: {} of the {MIN_SAMPLED_GETS} needed \
             ({} gets seen, 1 in {:.0} keys sampled); run more gets",
            c.sampled_gets,
            c.gets,
            1.0 / c.sample_rate
        )),
        Some(c) => report(&c, db.len() as u64),
    }
}

/// The sizes shown: 1/8x to 4x the current size (or of the size holding every key when
/// the cache is off) and the size that holds every key, ascending.
pub fn mrc_rows(c: &MrcCurve, keys: u64) -> Vec<MrcRow> {
    let all = (keys as f64 * c.bytes_per_value).ceil() as u64;
    let base = if c.current_bytes > 0 {
        c.current_bytes
    } else {
        all
    };
    let top = c.points.last().map_or(0.0, |p| p.hit_rate);
    // A cache holding every key hits every reuse: the curve's top, whatever the
    // sample's noise did to the largest distances.
    let row = |bytes: u64, current: bool, all_keys: bool| MrcRow {
        bytes,
        hit_rate: if bytes >= all {
            top
        } else {
            c.hit_rate_at(bytes).unwrap_or(0.0)
        },
        current,
        all_keys,
    };
    let mut rows: Vec<MrcRow> = FACTORS
        .iter()
        .map(|f| {
            row(
                (base as f64 * f) as u64,
                *f == 1.0 && c.current_bytes > 0,
                false,
            )
        })
        .collect();
    rows.push(row(all, all == c.current_bytes && all > 0, true));
    rows.sort_by_key(|r| r.bytes);
    rows.dedup_by(|b, a| {
        let same = a.bytes == b.bytes;
        if same {
            a.current |= b.current;
            a.all_keys |= b.all_keys;
        }
        same
    });
    rows.retain(|r| r.bytes > 0);
    rows
}

fn report(c: &MrcCurve, keys: u64) -> Outcome {
    let rows = mrc_rows(c, keys);
    let mut text = format!(
        "value cache miss-ratio curve: {} sampled gets of {} (1 in {:.0} keys sampled), \
         {:.0} B per cached value\n",
        c.sampled_gets,
        c.gets,
        1.0 / c.sample_rate,
        c.bytes_per_value
    );
    text.push_str("   size (MiB)  predicted hit %  memory vs now (MiB)\n");
    for r in &rows {
        let mark = match (r.current, r.all_keys) {
            (true, true) => "  <- now; holds every key",
            (true, false) => "  <- now",
            (false, true) => "  holds every key",
            _ => "",
        };
        let delta = (r.bytes as f64 - c.current_bytes as f64) / MIB;
        text.push_str(&format!(
            "{:>13.1}  {:>15.1}  {:>+19.1}{mark}\n",
            r.bytes as f64 / MIB,
            r.hit_rate * 100.0,
            delta
        ));
    }
    let json = json!({
        "points": c.points,
        "current_bytes": c.current_bytes,
        "sampled_gets": c.sampled_gets,
        "gets": c.gets,
        "sample_rate": c.sample_rate,
        "bytes_per_value": c.bytes_per_value,
        "sizes": rows.iter().map(|r| json!({
            "bytes": r.bytes,
            "hit_rate": r.hit_rate,
            "delta_bytes": r.bytes as i64 - c.current_bytes as i64,
            "current": r.current,
            "all_keys": r.all_keys,
        })).collect::<Vec<_>>(),
    });
    Outcome::Report { text, json }
}
