//! Long commands: `.load`, `.bench` and `.ycsb` start jobs on worker threads; the CLI's
//! `alexdb bench ...` runs the same benchmark code in the foreground.
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::bench_args::{BenchCommand, CommonArgs, LoadArgs, ShellBenchArgs, ShellYcsbArgs};
use super::jobs::{JobHandle, JobId, Jobs, QUIET_KIND};
use super::outcome::{ExecError, Outcome};
use bench::Progress;
use bench::engines::{AlexEngine, EngineKind, alexdb_held};
use bench::index::{IndexBenchConfig, run_index_bench};
use bench::own_keys::{OwnKeys, writes};
use bench::plot::Figure;
use bench::plot::bench as bench_plot;
use bench::profile::{ProfileConfig, profile_db, run_profile};
use bench::vs_sqlite::{VsSqliteConfig, run_vs_sqlite};
use bench::ycsb::{YcsbConfig, YcsbEngineResult, YcsbReport, run_measured, run_ycsb};
use engine::profiles::AppliedProfile;
use engine::{Db, DbError, DbOptions, WarmValueCache};
use workload::dataset::{self, DatasetSpec, Source};
use workload::ycsb::{KeySpace, Workload, record_key};

fn refused(e: impl std::fmt::Display) -> ExecError {
    ExecError::Refused(e.to_string())
}

/// A benchmark's `--profile` and `--set` options; a bad one reads as in the shell (with
/// its hint).
fn bench_options(c: &CommonArgs) -> anyhow::Result<(DbOptions, Option<AppliedProfile>)> {
    c.options_and_profile()
        .map_err(|e| anyhow::anyhow!("{}", ExecError::from(e)))
}

/// Runs a benchmark of the CLI (and of `.bench vs-sqlite|ycsb|index`): its table and its
/// JSON object.
pub fn run_bench(
    b: &BenchCommand,
    progress: &dyn Progress,
) -> anyhow::Result<(String, serde_json::Value)> {
    let plot = b.plot();
    if let Some(p) = plot {
        // Refused before the run, not after it.
        bench::plot::check_svg_path(p)?;
    }
    Ok(match b {
        BenchCommand::Index(a) => {
            let cfg = IndexBenchConfig {
                keys: a.keys,
                dist: a.dist.into(),
                seed: a.seed,
                probes: None,
            };
            let r = run_index_bench(&cfg, progress)?;
            with_plot(plot, || bench_plot::index_figure(&r), r.to_table(), &r)?
        }
        BenchCommand::VsSqlite(a) => {
            let (opts, profile) = bench_options(&a.common)?;
            let cfg = VsSqliteConfig {
                rows: a.rows as u64,
                keys: a.keys.into(),
                queries: a.queries,
                value_size: a.common.value_size,
                inserts_only: a.inserts_only,
                seed: a.common.seed,
                opts,
                dir: a.common.dir.clone(),
                profile,
                warm: a.common.warm_mode()?,
                values: a.common.values,
                mmap_whole_file: a.mmap_whole_file,
            };
            let r = run_vs_sqlite(&cfg, progress)?;
            with_plot(plot, || bench_plot::vs_sqlite_figure(&r), r.to_table(), &r)?
        }
        BenchCommand::Profile(a) => {
            let (opts, profile) = bench_options(&a.common)?;
            let cfg = ProfileConfig {
                rows: a.rows as u64,
                keys: a.keys.into(),
                queries: a.queries,
                value_size: a.common.value_size,
                seed: a.common.seed,
                opts,
                dir: a.common.dir.clone(),
                profile,
                warm: a.common.warm_mode()?,
                values: a.common.values,
            };
            let r = run_profile(&cfg, progress)?;
            with_plot(plot, || bench_plot::profile_figure(&r), r.to_table(), &r)?
        }
        BenchCommand::Ycsb(a) => {
            let (opts, profile) = bench_options(&a.common)?;
            let cfg = YcsbConfig {
                workload: a.workload,
                records: a.records as u64,
                ops: a.ops,
                threads: usize::from(a.threads),
                distribution: a.distribution,
                engines: a.engine.kinds(),
                value_size: a.common.value_size,
                seed: a.common.seed,
                opts,
                dir: a.common.dir.clone(),
                duration: None,
                profile,
                warm: Some(a.common.warm_mode()?),
                values: a.common.values,
                mmap_whole_file: a.mmap_whole_file,
            };
            let r = run_ycsb(&cfg, progress)?;
            with_plot(plot, || bench_plot::ycsb_figure(&r), r.to_table(), &r)?
        }
        // The CLI runs it itself (its exit status says whether it found errors).
        BenchCommand::Soak(_) => anyhow::bail!("bench soak runs from the command line only"),
    })
}

/// A report's table and JSON, and with `--plot` its figure written as SVG: the JSON
/// gains `"plot"` (the path) and the table a line saying where. A plot that cannot be
/// written at the end keeps the measured results and says why (`"plot_error"`).
pub fn with_plot(
    path: Option<&Path>,
    figure: impl FnOnce() -> Figure,
    text: String,
    report: &impl serde::Serialize,
) -> anyhow::Result<(String, serde_json::Value)> {
    let mut json = serde_json::to_value(report)?;
    let Some(path) = path else {
        return Ok((text, json));
    };
    let shown = path.display().to_string();
    let written =
        bench::plot::figure_svg(&figure()).and_then(|svg| bench::plot::save_svg(path, &svg));
    let (line, field, value) = match written {
        Ok(()) => (format!("plot written to {shown}"), "plot", shown),
        Err(e) => (
            format!("plot not written: {e}"),
            "plot_error",
            e.to_string(),
        ),
    };
    if let serde_json::Value::Object(m) = &mut json {
        m.insert(field.into(), value.into());
    }
    Ok((format!("{text}{line}\n"), json))
}

fn report(r: anyhow::Result<(String, serde_json::Value)>) -> Result<Outcome, ExecError> {
    match r {
        Ok((text, json)) => Ok(Outcome::Report { text, json }),
        Err(e) if e.is::<bench::Cancelled>() => Err(refused("cancelled; nothing to report")),
        Err(e) => Err(refused(format!("{e:#}"))),
    }
}

/// `.load KIND ...`: opens the dataset now (so a missing file or column is an error at
/// once) and loads it on a job. Cancelling keeps the rows read so far.
pub fn start_load(
    jobs: &Jobs,
    db: &Arc<Db>,
    args: &LoadArgs,
    label: &str,
) -> Result<JobId, ExecError> {
    let (spec, gen_opts) = args.spec();
    // A CSV file brings its own values.
    let values = (!matches!(spec, DatasetSpec::Csv { .. })).then_some(gen_opts.values);
    let src: Source =
        dataset::open(&spec, gen_opts, Arc::new(AtomicBool::new(false))).map_err(refused)?;
    let db = db.clone();
    let session_jobs = jobs.clone();
    Ok(jobs.spawn("load", label, "rows", move |h: &JobHandle| {
        let Source {
            label,
            total,
            stats,
            rows,
        } = src;
        h.set_phase("loading", total);
        let h2 = h.clone();
        let rows = rows
            .take_while(move |_| !h2.cancelled())
            .map(|r| r.map_err(|e| DbError::Input(e.to_string())));
        let r = db.load_results(rows, |n| h.set_done(n))?;
        h.set_done(r.rows);
        let skipped = stats.skipped.load(std::sync::atomic::Ordering::Relaxed);
        let mut text = format!(
            "loaded {} rows ({} new keys) in {:.2} s, {:.0} rows/s",
            r.rows, r.new_keys, r.secs, r.rows_per_sec
        );
        if skipped > 0 {
            text.push_str(&format!("; skipped {skipped} rows with an empty or NA key"));
        }
        let mut warm_job = None;
        if h.cancelled() {
            text = format!("cancelled: {text}; the rows loaded before the cancel are kept");
        } else if let Some(id) = start_warm(&session_jobs, &db) {
            text.push_str(&format!(
                "; warming the value cache in the background: job [{id}] (.jobs, .cancel {id})"
            ));
            warm_job = Some(id);
        }
        let json = serde_json::json!({
            "rows": r.rows, "new_keys": r.new_keys, "secs": r.secs,
            "rows_per_s": r.rows_per_sec, "skipped": skipped, "cancelled": h.cancelled(),
            "dataset": label, "warm_job": warm_job, "values": values,
        });
        Ok(Outcome::Report { text, json })
    }))
}

/// The label of the value cache's warm-up job in `.jobs` and the dashboard.
pub const WARM_LABEL: &str = "warm value cache";

/// Starts the value cache's warm-up as a quiet job when `warm_value_cache` is
/// `background` and the database has rows (after a `.load`, at open); its id, or `None`
/// when none was started. It runs beside reads and writes, stops when the cache is
/// full, and a cancel keeps what it cached.
pub fn start_warm(jobs: &Jobs, db: &Arc<Db>) -> Option<JobId> {
    if db.options().warm_mode() != WarmValueCache::Background || db.is_empty() {
        return None;
    }
    let db = db.clone();
    Some(
        jobs.spawn(QUIET_KIND, WARM_LABEL, "rows", move |h: &JobHandle| {
            h.set_phase("reading rows", None);
            let r = db.warm_value_cache(|p| {
                h.set_total(p.target);
                h.set_done(p.rows);
                !h.cancelled()
            })?;
            let text = format!(
                "value cache warmed with {} rows in {:.2} s ({}; it holds {} values)",
                r.rows,
                r.secs,
                r.stop.as_str(),
                r.cache_entries
            );
            Ok(Outcome::Report {
                text,
                json: serde_json::to_value(&r).map_err(refused)?,
            })
        }),
    )
}

/// `.bench ...`: `profile` on the open database, the others on temporary ones.
pub fn start_bench(
    jobs: &Jobs,
    db: &Arc<Db>,
    args: &ShellBenchArgs,
    label: &str,
) -> Result<JobId, ExecError> {
    if let Some(p) = args.plot() {
        // A bad path is refused at once, not when the job ends.
        bench::plot::check_svg_path(p).map_err(refused)?;
    }
    let db = db.clone();
    let args = args.clone();
    Ok(
        jobs.spawn("bench", label, "ops", move |h: &JobHandle| match args {
            ShellBenchArgs::Profile {
                queries,
                seed,
                plot,
            } => {
                let plot = plot.as_deref();
                h.set_phase("reading keys", None);
                let keys = db.keys(i64::MIN, i64::MAX, usize::MAX);
                report(
                    profile_db(&db, &keys, queries, seed, "loaded", h).and_then(|r| {
                        with_plot(plot, || bench_plot::profile_figure(&r), r.to_table(), &r)
                    }),
                )
            }
            ShellBenchArgs::VsSqlite(a) => report(run_bench(&BenchCommand::VsSqlite(a), h)),
            ShellBenchArgs::Ycsb(a) => report(run_bench(&BenchCommand::Ycsb(a), h)),
            ShellBenchArgs::Index(a) => report(run_bench(&BenchCommand::Index(a), h)),
        }),
    )
}

/// `.compact [A B]` on a worker thread. RocksDB's manual compaction cannot be stopped
/// through the crate, so a cancel only makes the job say it ran to the end.
pub fn start_compact(jobs: &Jobs, db: &Arc<Db>, range: Option<(i64, i64)>, label: &str) -> JobId {
    let db = db.clone();
    jobs.spawn("compact", label, "", move |h: &JobHandle| {
        h.set_phase("compacting", None);
        let secs = db.compact_range(range)?;
        let note = if h.cancelled() {
            " (a compaction cannot be cancelled; it ran to the end)"
        } else {
            ""
        };
        Ok(Outcome::Message(format!("compacted in {secs:.3} s{note}")))
    })
}

/// Fewest keys `.ycsb` runs on: fewer would measure a few cached rows, not a workload.
const MIN_YCSB_KEYS: usize = 1000;

/// `.ycsb ...` on the open database: on the keys it holds, or on `--records` YCSB
/// records loaded first when it is empty.
pub fn start_ycsb(
    jobs: &Jobs,
    db: &Arc<Db>,
    args: &ShellYcsbArgs,
    label: &str,
) -> Result<JobId, ExecError> {
    let workload: Workload = args
        .workload
        .or(args.workload_pos)
        .ok_or_else(|| refused(".ycsb needs a workload a-f (usage: .ycsb a|b|c|d|e|f [--duration 60s] [--ops M] [--threads T] [--distribution zipfian|uniform|latest] [--records N] [--on-my-data])"))?;
    let held = db.len();
    // A write workload on the user's rows works in a range of its own (its --records
    // records), unless told to write into them.
    let own = if held > 0 && writes(workload) && !args.on_my_data {
        let own = OwnKeys::reserve(db, args.records as u64)
            .map_err(|e| refused(format!(".ycsb: {e}")))?;
        Some(own)
    } else {
        None
    };
    if own.is_none() && held > 0 && held < MIN_YCSB_KEYS {
        return Err(refused(format!(
            ".ycsb needs at least {MIN_YCSB_KEYS} keys to draw from and the database holds \
             {held}: load more (.load random 100000), or .open an empty database and \
             .ycsb loads --records N first"
        )));
    }
    let cfg = YcsbConfig {
        workload,
        records: args.records as u64,
        ops: match (args.ops, args.duration) {
            (Some(n), _) => n,
            (None, Some(_)) => 0,
            (None, None) => 100_000,
        },
        threads: usize::from(args.threads),
        distribution: args.distribution,
        engines: vec![EngineKind::Alexdb],
        value_size: args.value_size,
        seed: args.seed,
        opts: db.options(),
        dir: None,
        duration: args.duration,
        profile: None,
        warm: None,
        values: args.values,
        mmap_whole_file: false,
    };
    let db = db.clone();
    Ok(jobs.spawn("ycsb", label, "ops", move |h: &JobHandle| {
        let mut own = own;
        let done = run_ycsb_job(&db, &cfg, own.as_ref(), h);
        let removal = own.take().map(OwnKeys::remove);
        match (done, removal) {
            (Ok(out), None) => Ok(out),
            (Ok(Outcome::Report { text, mut json }), Some(gone)) => {
                json["own_keys"] = serde_json::to_value(&gone).unwrap_or_default();
                Ok(Outcome::Report {
                    text: format!("{text}{}\n", gone.line()),
                    json,
                })
            }
            (Err(e), Some(gone)) => Err(refused(format!("{e}; {}", gone.line()))),
            (other, _) => other,
        }
    }))
}

/// The job of `.ycsb`: on `own`'s range when given, else on the keys `db` holds (or on
/// records loaded first into an empty `db`).
fn run_ycsb_job(
    db: &Arc<Db>,
    cfg: &YcsbConfig,
    own: Option<&OwnKeys>,
    h: &JobHandle,
) -> Result<Outcome, ExecError> {
    let keys = if let Some(own) = own {
        match own.load((cfg.values, cfg.value_size), cfg.seed, h) {
            Ok(()) => own.keys(),
            Err(e) if e.is::<bench::Cancelled>() => {
                return Err(refused("cancelled while loading; nothing to report"));
            }
            Err(e) => return Err(refused(format!("{e:#}"))),
        }
    } else if db.is_empty() {
        h.set_phase("loading ycsb records", Some(cfg.records));
        let (kind, v, seed) = (cfg.values, cfg.value_size, cfg.seed);
        let h2 = h.clone();
        let rows = (0..cfg.records)
            .take_while(move |_| !h2.cancelled())
            .map(|i| {
                let k = record_key(i);
                (k, dataset::make_value(kind, k, v, seed))
            });
        db.load_with_progress(rows, |n| h.set_done(n))?;
        KeySpace::generated(cfg.records)
    } else {
        h.set_phase("reading keys", None);
        KeySpace::existing(db.keys(i64::MIN, i64::MAX, usize::MAX))
    };
    let engine = AlexEngine { db: db.clone() };
    let r = match run_measured(&engine, &keys, cfg, h) {
        Ok(r) => r,
        Err(e) if e.is::<bench::Cancelled>() => {
            return Err(refused("cancelled during the warm-up; nothing to report"));
        }
        Err(e) => return Err(refused(format!("{e:#}"))),
    };
    let parts = alexdb_held(db, &db.options());
    let r = YcsbEngineResult {
        memory_bytes: parts.total(),
        ..r
    };
    let rep = YcsbReport::new(cfg, keys.initial(), r.ops, vec![r], parts);
    let mut text = rep.to_table();
    if h.cancelled() {
        text = format!("cancelled; results up to the cancel:\n{text}");
    }
    Ok(Outcome::Report {
        text,
        json: serde_json::to_value(&rep).map_err(refused)?,
    })
}
