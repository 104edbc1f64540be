//! `.replay`'s job: a trace's operations run again, on the live database when the trace
//! only reads, else on a checkpoint copy (the user's rows are never an experiment's),
//! measured the way the metrics history measures a window, so a replay saved as a
//! baseline compares with `.compare` like any other (docs/trace.md).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::ast::trace_args::{ReplayArgs, ReplaySpeed};
use super::baseline::{Baseline, BaselineFile, check_name, show_value, utc_text};
use super::jobs::{JobHandle, JobId, Jobs};
use super::outcome::{Cell, ExecError, Outcome, Table};
use super::render::render_table;
use super::sampler::history_sample;
use engine::metrics::history::KINDS;
use engine::metrics::{HistSet, HistorySample, MetricsWindow, WindowFigures};
use engine::trace::{OP_KINDS, TraceError, TraceOp, TraceReader, TraceRecord, value_bytes};
use engine::{Db, DbError};

/// A replay is cut into about this many samples (more when it runs longer than that many
/// seconds: a sample at least every second), so every figure has a spread for the noise
/// test of `.compare`.
const SEGMENTS: u64 = 20;
/// Operations between two looks at the cancel flag and the progress counter.
const CHECK_EVERY: u64 = 256;

fn refused(e: impl std::fmt::Display) -> ExecError {
    ExecError::Refused(e.to_string())
}

/// `.replay FILE ...`: checks the trace's header and the baseline name now, and replays
/// it on a job.
pub fn start_replay(
    jobs: &Jobs,
    db: &Arc<Db>,
    args: &ReplayArgs,
    label: &str,
) -> Result<JobId, ExecError> {
    if let Some(name) = &args.save {
        check_name(name)?;
        // An unreadable baselines file fails now, not after the replay.
        BaselineFile::load(db.path())?;
    }
    let path = PathBuf::from(&args.path);
    if db.trace_status().is_some_and(|s| same_file(&s.path, &path)) {
        return Err(refused(format!(
            "{} is still being recorded; .trace stop ends it",
            path.display()
        )));
    }
    TraceReader::open(&path).map_err(refused)?;
    let (db, args) = (db.clone(), args.clone());
    Ok(jobs.spawn("replay", label, "ops", move |h: &JobHandle| {
        replay_job(&db, &path, &args, h)
    }))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// What a first pass over the trace found.
struct Scan {
    records: u64,
    writes: bool,
    /// Why the trace ends early, when it does: the records before it are replayed.
    cut: Option<TraceError>,
}

fn scan_trace(path: &Path, h: &JobHandle) -> Result<Scan, ExecError> {
    h.set_phase("reading the trace", None);
    let mut s = Scan {
        records: 0,
        writes: false,
        cut: None,
    };
    for r in TraceReader::open(path).map_err(refused)? {
        match r {
            Ok(r) => {
                s.records += 1;
                s.writes |= r.op.writes();
            }
            Err(e) => s.cut = Some(e),
        }
        if s.records.is_multiple_of(CHECK_EVERY) {
            h.set_done(s.records);
        }
    }
    Ok(s)
}

fn replay_job(
    live: &Arc<Db>,
    path: &Path,
    args: &ReplayArgs,
    h: &JobHandle,
) -> Result<Outcome, ExecError> {
    let scan = scan_trace(path, h)?;
    if scan.records == 0 {
        let why = scan.cut.map(|e| format!(": {e}")).unwrap_or_default();
        return Err(refused(format!(
            "{} holds no records to replay{why}",
            path.display()
        )));
    }
    let on_copy = scan.writes && !args.on_my_data;
    let copy = if on_copy {
        h.set_phase("copying the database", None);
        Some(CopyDb::of(live)?)
    } else {
        None
    };
    let db = copy.as_ref().map_or(live, |c| &c.db);
    let run = run_records(db, path, args.speed, scan.records, h)?;
    if run.ops == 0 {
        return Err(refused(
            "cancelled before the first operation; nothing to report",
        ));
    }
    let window = WindowFigures::from_samples(&run.samples.iter().collect::<Vec<_>>());
    let options = options_of(db);
    drop(copy);
    if let Some(name) = &args.save {
        save_baseline(live, name, &window, options)?;
    }
    let where_ran = if on_copy { "copy" } else { "live" };
    let saved = args.save.as_deref();
    Ok(report(path, &run, &window, where_ran, saved, scan.cut))
}

/// A checkpoint of the live database in a directory beside it (hard links on the same
/// file system), opened under the options in force. Dropped, the copy closes first
/// (fields drop in order), then its directory goes.
struct CopyDb {
    db: Arc<Db>,
    _dir: RemoveOnDrop,
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        // Best effort: a leftover directory is named `.alexdb-replay-*` beside the database.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl CopyDb {
    fn of(live: &Db) -> Result<Self, ExecError> {
        let parent = live
            .path()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = parent.join(format!(".alexdb-replay-{}-{stamp}", std::process::id()));
        let shown = dir.display().to_string();
        std::fs::create_dir(&dir).map_err(|e| ExecError::file("create", &shown, e))?;
        let guard = RemoveOnDrop(dir.clone());
        let inner = dir.join("db");
        let db = live
            .checkpoint(&inner)
            .and_then(|()| Db::open_with(&inner, live.options()).map_err(DbError::from))
            .map_err(|e| refused(format!("cannot copy the database to replay on: {e}")))?;
        Ok(CopyDb {
            db: Arc::new(db),
            _dir: guard,
        })
    }
}

/// The replay's own windows of the database's metrics, one per segment, in the form the
/// metrics history keeps (so its figures are computed the same way).
struct Samples {
    window: MetricsWindow,
    prev: Option<HistSet>,
    taken: Vec<HistorySample>,
}

impl Samples {
    /// Starts measuring `db` now: the first window (everything before) is dropped.
    fn primed(db: &Db) -> Self {
        let mut s = Samples {
            window: MetricsWindow::new(),
            prev: None,
            taken: Vec::new(),
        };
        s.take(db);
        s
    }

    fn take(&mut self, db: &Db) {
        let snap = db.metrics_window(&mut self.window);
        if let Some(sample) = history_sample(snap, &self.window, &mut self.prev) {
            self.taken.push(sample);
        }
    }
}

/// What the replay did.
struct Run {
    ops: u64,
    total: u64,
    secs: f64,
    /// Operations replayed per kind, in [`OP_KINDS`] order.
    counts: [u64; 5],
    samples: Vec<HistorySample>,
    cancelled: bool,
}

fn run_records(
    db: &Db,
    path: &Path,
    speed: ReplaySpeed,
    total: u64,
    h: &JobHandle,
) -> Result<Run, ExecError> {
    h.set_phase("replaying", Some(total));
    let mut samples = Samples::primed(db);
    let per_segment = (total / SEGMENTS).max(1);
    let mut run = Run {
        ops: 0,
        total,
        secs: 0.0,
        counts: [0; 5],
        samples: Vec::new(),
        cancelled: false,
    };
    let (t0, mut segment_start, mut in_segment) = (Instant::now(), Instant::now(), 0u64);
    let mut first_offset = None;
    let records = TraceReader::open(path).map_err(refused)?;
    for r in records.map_while(Result::ok).take(total as usize) {
        if run.ops.is_multiple_of(CHECK_EVERY) {
            h.set_done(run.ops);
            run.cancelled = h.cancelled();
        }
        if let Some(f) = speed.factor() {
            let first = *first_offset.get_or_insert(r.offset_us);
            run.cancelled |= !pace(t0, r.offset_us.saturating_sub(first), f, h);
        }
        if run.cancelled {
            break;
        }
        apply(db, &r).map_err(|e| refused(format!("replay stopped at record {}: {e}", run.ops)))?;
        run.ops += 1;
        run.counts[r.op.kind()] += 1;
        in_segment += 1;
        if in_segment >= per_segment || segment_start.elapsed() >= Duration::from_secs(1) {
            samples.take(db);
            (segment_start, in_segment) = (Instant::now(), 0);
        }
    }
    run.secs = t0.elapsed().as_secs_f64();
    if in_segment > 0 {
        samples.take(db);
    }
    h.set_done(run.ops);
    run.samples = samples.taken;
    Ok(run)
}

/// Waits until `offset_us` (from the first record) divided by `factor` has passed since
/// `t0`; false when the job was cancelled meanwhile.
fn pace(t0: Instant, offset_us: u64, factor: f64, h: &JobHandle) -> bool {
    let due = Duration::from_secs_f64(offset_us as f64 / 1e6 / factor);
    loop {
        let now = t0.elapsed();
        if now >= due {
            return true;
        }
        if h.cancelled() {
            return false;
        }
        std::thread::sleep((due - now).min(Duration::from_millis(50)));
    }
}

/// Runs one record's operation; a put writes [`value_bytes`] of the recorded length.
fn apply(db: &Db, r: &TraceRecord) -> Result<(), DbError> {
    match r.op {
        TraceOp::Get(k) => db.get(k).map(drop),
        TraceOp::Put { key, value_len } => {
            db.put(key, &value_bytes(key, value_len as usize)).map(drop)
        }
        TraceOp::Delete(k) => db.delete(k).map(drop),
        TraceOp::DeleteRange(a, b) => db.delete_range(a, b).map(drop),
        TraceOp::Scan { start, end, limit } => db
            .scan(start, end, usize::try_from(limit).unwrap_or(usize::MAX))
            .map(drop),
    }
}

/// Every option in force: name -> value text (as `.baseline save` keeps them).
fn options_of(db: &Db) -> BTreeMap<String, String> {
    db.options()
        .describe()
        .into_iter()
        .map(|o| (o.name.to_string(), o.value))
        .collect()
}

/// Saves the replay's figures as baseline `name` in the live database's directory.
fn save_baseline(
    live: &Db,
    name: &str,
    window: &WindowFigures,
    options: BTreeMap<String, String>,
) -> Result<(), ExecError> {
    let mut file = BaselineFile::load(live.path())?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    file.put(Baseline {
        name: name.to_string(),
        taken_unix: now,
        taken_utc: utc_text(now),
        db_path: live.path().display().to_string(),
        window: window.clone(),
        options,
    });
    file.save(live.path())
}

/// The figures the report shows, by the names the metrics history gives them.
fn figure_rows(window: &WindowFigures) -> Vec<(String, String)> {
    let mut names: Vec<String> = KINDS[..4]
        .iter()
        .flat_map(|k| [format!("{k} p50"), format!("{k} p99")])
        .collect();
    names.push("value cache hit rate".into());
    names.push("block cache hit rate".into());
    names
        .into_iter()
        .filter_map(|n| {
            let f = window.get(&n)?;
            Some((n, show_value(f.value, &f.unit)))
        })
        .collect()
}

fn report(
    path: &Path,
    run: &Run,
    window: &WindowFigures,
    where_ran: &str,
    saved: Option<&str>,
    cut: Option<TraceError>,
) -> Outcome {
    let ops_per_s = run.ops as f64 / run.secs.max(1e-9);
    let place = if where_ran == "copy" {
        "on a copy of the database (the trace writes; the live rows are untouched)"
    } else {
        "on the live database"
    };
    let mut text = format!(
        "replayed {} of {} operations from {} in {:.2} s ({ops_per_s:.0} ops/s) {place}\n",
        run.ops,
        run.total,
        path.display(),
        run.secs
    );
    if run.cancelled {
        text = format!("cancelled; results up to the cancel:\n{text}");
    }
    let mut t = Table::new(&["figure", "value"]);
    let counts = OP_KINDS.iter().zip(run.counts).filter(|(_, n)| *n > 0);
    for (kind, n) in counts.clone() {
        t.rows.push(vec![
            Cell::Text(format!("{kind} ops")),
            Cell::Text(n.to_string()),
        ]);
    }
    for (name, value) in figure_rows(window) {
        t.rows.push(vec![Cell::Text(name), Cell::Text(value)]);
    }
    text.push_str(&render_table(&t, crate::OutputMode::Table));
    if let Some(name) = saved {
        text.push_str(&format!(
            "saved as baseline {name} (.compare {name} OTHER sets it beside another)\n"
        ));
    }
    if let Some(e) = &cut {
        text.push_str(&format!("note: {e}; the records before it were replayed\n"));
    }
    let counts: BTreeMap<&str, u64> = counts.map(|(k, n)| (*k, n)).collect();
    let json = json!({
        "trace": path.display().to_string(), "ops": run.ops, "records": run.total,
        "secs": run.secs, "ops_per_s": ops_per_s, "ran_on": where_ran,
        "cancelled": run.cancelled, "counts": counts, "saved": saved,
        "cut_short": cut.map(|e| e.to_string()), "window": window,
    });
    Outcome::Report { text, json }
}
