//! `alexdb bench soak`: worker threads run puts, deletes, gets, scans, counts and
//! multi-gets over a key space with a hot and a cold part, while a controller changes
//! options of every kind, flushes, compacts, loads and reopens ([`control`]). Every read
//! is judged against a model of per-key versions ([`model`]); every 10 s and at the end
//! the workers pause for a full verification. Engine-level: no terminal, never prints.
pub mod control;
pub mod model;
mod verify;

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use engine::{Db, DbError, DbOptions};
use model::{Model, State, decode, encode, got_text, index_of, key_of};

/// Time between full verifications.
pub const VERIFY_EVERY: Duration = Duration::from_secs(10);
/// Controller actions remembered for an error report.
const HISTORY: usize = 10;
/// Errors listed in the report, as many again for the verifications (all are counted).
const MAX_LISTED: usize = 100;

/// What to run.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    pub duration: Duration,
    pub threads: usize,
    pub seed: u64,
    pub keys: usize,
    /// The database directory (must be new or empty); a temporary one when `None`.
    pub db: Option<PathBuf>,
    /// Test hook: writes one key behind the model's back after the first fill, so a
    /// test can see the checker fail.
    #[doc(hidden)]
    pub inject_fault: bool,
}

/// One wrong answer: the operation, the key, what the model allowed and what came back,
/// and the controller's last actions before it.
#[derive(Debug, Clone, Serialize)]
pub struct SoakError {
    pub secs: f64,
    pub op: String,
    pub key: Option<i64>,
    pub expected: String,
    pub got: String,
    pub history: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub threads: usize,
    pub seed: u64,
    pub keys: usize,
    pub duration_secs: f64,
    pub db: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OpCounts {
    pub put: u64,
    pub delete: u64,
    pub get: u64,
    pub scan: u64,
    pub count: u64,
    pub mget: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OptionCounts {
    pub live: u64,
    pub new_files: u64,
    pub reopen: u64,
    pub total: u64,
}

/// The outcome of a soak.
#[derive(Debug, Clone, Serialize)]
pub struct SoakReport {
    pub settings: Settings,
    pub elapsed_secs: f64,
    pub ops: OpCounts,
    pub option_changes: OptionCounts,
    pub compaction_style_switches: u64,
    /// Switches by `from->to`.
    pub style_switches: BTreeMap<String, u64>,
    pub reopens: u64,
    pub loads: u64,
    pub flushes: u64,
    pub compactions: u64,
    pub verifications: u64,
    /// Errors the engine documents as expected at that moment (a refused option change).
    pub expected_errors: u64,
    pub expected_error_samples: Vec<String>,
    pub errors_total: u64,
    pub errors: Vec<SoakError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injected_fault_key: Option<i64>,
}

/// Shared counters (relaxed: they are only totals).
#[derive(Debug, Default)]
pub struct Counts {
    pub put: AtomicU64,
    pub delete: AtomicU64,
    pub get: AtomicU64,
    pub scan: AtomicU64,
    pub count: AtomicU64,
    pub mget: AtomicU64,
    pub opt_live: AtomicU64,
    pub opt_new_files: AtomicU64,
    pub opt_reopen: AtomicU64,
    pub style_switches: AtomicU64,
    pub reopens: AtomicU64,
    pub loads: AtomicU64,
    pub flushes: AtomicU64,
    pub compactions: AtomicU64,
    pub verifications: AtomicU64,
    pub expected: AtomicU64,
    pub errors: AtomicU64,
}

/// What every soak thread shares.
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub model: Model,
    pub threads: usize,
    /// Model indexes below this are the hot part.
    pub hot: usize,
    pub counts: Counts,
    /// Workers and the controller hold it shared per operation; a verification holds it
    /// exclusively, so it sees a quiet database.
    pub pause: RwLock<()>,
    stop: AtomicBool,
    start: Instant,
    history: Mutex<VecDeque<String>>,
    errors: Mutex<Vec<SoakError>>,
    expected_samples: Mutex<Vec<String>>,
    styles: Mutex<BTreeMap<String, u64>>,
}

impl<'a> Ctx<'a> {
    fn new(db: &'a Db, cfg: &SoakConfig) -> Ctx<'a> {
        Ctx {
            db,
            model: Model::new(cfg.keys),
            threads: cfg.threads,
            hot: (cfg.keys / 10).max(1),
            counts: Counts::default(),
            pause: RwLock::new(()),
            stop: AtomicBool::new(false),
            start: Instant::now(),
            history: Mutex::new(VecDeque::new()),
            errors: Mutex::new(Vec::new()),
            expected_samples: Mutex::new(Vec::new()),
            styles: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Sleeps `ms` milliseconds, waking early when the run stops.
    pub fn sleep(&self, ms: u64) {
        let until = Instant::now() + Duration::from_millis(ms);
        while !self.stopping() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn bump(&self, c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    fn secs(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Who writes model index `i`: worker `i % (threads + 1)`, or the controller (the
    /// last share) through its loads.
    pub fn owner(&self, i: usize) -> usize {
        i % (self.threads + 1)
    }

    pub fn controller_owner(&self) -> usize {
        self.threads
    }

    /// Notes a controller action as it starts.
    pub fn history(&self, what: &str) {
        let mut h = self.history.lock();
        if h.len() == HISTORY {
            h.pop_front();
        }
        h.push_back(format!("{:.1}s {what}", self.secs()));
    }

    /// Adds the outcome to the action noted last.
    pub fn history_done(&self, outcome: &str) {
        if let Some(last) = self.history.lock().back_mut() {
            last.push_str(&format!(" -> {outcome}"));
        }
    }

    pub fn style_switch(&self, old: &str, new: &str) {
        *self
            .styles
            .lock()
            .entry(format!("{old}->{new}"))
            .or_default() += 1;
    }

    /// A controller action failed: expected (counted, a sample kept) or an ERROR.
    pub fn action_failed(&self, what: &str, e: &DbError) {
        if control::expected(e) {
            self.history_done(&format!("refused: {e}"));
            self.bump(&self.counts.expected);
            let mut s = self.expected_samples.lock();
            if s.len() < 20 {
                s.push(format!("{what}: {e}"));
            }
        } else {
            self.history_done(&format!("failed: {e}"));
            self.error(what, None, "success", &e.to_string());
        }
    }

    /// Records an ERROR.
    pub fn error(&self, op: &str, key: Option<i64>, expected: &str, got: &str) {
        self.bump(&self.counts.errors);
        let mut errors = self.errors.lock();
        // The final verification has room of its own: workers that hit a bad key many
        // times must not crowd out the check that names what is left at the end.
        let verify = op.starts_with("verify");
        let listed = errors
            .iter()
            .filter(|e| e.op.starts_with("verify") == verify)
            .count();
        if listed < MAX_LISTED {
            errors.push(SoakError {
                secs: (self.secs() * 10.0).round() / 10.0,
                op: op.to_string(),
                key,
                expected: expected.to_string(),
                got: got.to_string(),
                history: self.history.lock().iter().cloned().collect(),
            });
        }
    }

    pub fn error_count(&self) -> u64 {
        self.counts.errors.load(Ordering::Relaxed)
    }

    /// Judges one read of model index `i` that returned `value`.
    pub fn judge(&self, op: &str, i: usize, lo: State, value: Option<&[u8]>) {
        let key = key_of(i, self.model.len());
        let span = self.model.span(i, lo);
        let got = match value.map(|v| decode(key, v)).transpose() {
            Ok(g) => g,
            Err(what) => return self.error(op, Some(key), &span.expected(), &what),
        };
        if let Err(want) = span.judge(got) {
            self.error(op, Some(key), &want, &got_text(got));
        }
    }
}

/// Runs a soak; `progress` gets a line every 10 s. The database is removed afterwards
/// unless `cfg.db` names it.
pub fn run_soak(cfg: &SoakConfig, progress: &dyn Fn(&str)) -> anyhow::Result<SoakReport> {
    let min_keys = 10 * (cfg.threads + 1);
    anyhow::ensure!(cfg.threads >= 1, "--threads must be at least 1");
    anyhow::ensure!(
        cfg.keys >= min_keys,
        "--keys must be at least {min_keys} for {} threads (10 per writer)",
        cfg.threads
    );
    let (path, _temp) = db_path(cfg)?;
    // FIFO's limit starts (and stays) far above the data: see control::pick_value.
    let opts = DbOptions {
        fifo_max_size: 4 << 30,
        ..DbOptions::default()
    };
    let db = Db::open_with(&path, opts)?;
    let ctx = Ctx::new(&db, cfg);
    let fault = fill(&ctx, cfg)?;
    std::thread::scope(|s| {
        for w in 0..cfg.threads {
            let ctx = &ctx;
            s.spawn(move || worker(ctx, w, cfg.seed));
        }
        s.spawn(|| control::run(&ctx, cfg.seed));
        pace(&ctx, cfg.duration, progress);
        ctx.stop.store(true, Ordering::Relaxed);
    });
    verify::full(&ctx);
    progress(&progress_line(&ctx));
    let report = report(&ctx, cfg, fault);
    drop(ctx);
    db.close()?;
    Ok(report)
}

/// The database directory, and the temporary directory holding it (removed on drop).
fn db_path(cfg: &SoakConfig) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    if let Some(p) = &cfg.db {
        let used = std::fs::read_dir(p)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false);
        anyhow::ensure!(
            !used,
            "{} is not empty: the soak needs a new database (a missing or empty directory)",
            p.display()
        );
        return Ok((p.clone(), None));
    }
    let dir = tempfile::Builder::new().prefix("alexdb-soak-").tempdir()?;
    Ok((dir.path().join("db"), Some(dir)))
}

/// The first fill: about half the keys, at version 1, with one load into the empty
/// database. With the fault hook, then one key written behind the model's back.
fn fill(ctx: &Ctx, cfg: &SoakConfig) -> anyhow::Result<Option<i64>> {
    let n = ctx.model.len();
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut rows = Vec::new();
    for i in 0..n {
        if rng.random_bool(0.5) {
            let s = ctx.model.begin(i, true);
            ctx.model.ack(i, s);
            rows.push((key_of(i, n), encode(key_of(i, n), s.version())));
        }
    }
    ctx.db.load(rows)?;
    if !cfg.inject_fault {
        return Ok(None);
    }
    // A hot key only the controller owns, which its loads (cold keys only) never touch.
    let i = ctx.controller_owner();
    let key = key_of(i, n);
    let behind = ctx.model.acked(i).version() + 1000;
    ctx.db.put(key, &encode(key, behind))?;
    Ok(Some(key))
}

/// Waits out the run on the calling thread, pausing the workers for a full
/// verification every [`VERIFY_EVERY`].
fn pace(ctx: &Ctx, duration: Duration, progress: &dyn Fn(&str)) {
    let end = ctx.start + duration;
    let mut next = ctx.start + VERIFY_EVERY;
    loop {
        let wake = next.min(end);
        while Instant::now() < wake {
            std::thread::sleep(Duration::from_millis(20));
        }
        if Instant::now() >= end {
            return;
        }
        {
            let _quiet = ctx.pause.write();
            verify::full(ctx);
        }
        progress(&progress_line(ctx));
        // When verifications run late (a slow machine), the workers still get 2 s
        // between two of them.
        next = (next + VERIFY_EVERY).max(Instant::now() + VERIFY_EVERY / 5);
    }
}

fn progress_line(ctx: &Ctx) -> String {
    let c = &ctx.counts;
    let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let ops = l(&c.put) + l(&c.delete) + l(&c.get) + l(&c.scan) + l(&c.count) + l(&c.mget);
    let opts = l(&c.opt_live) + l(&c.opt_new_files) + l(&c.opt_reopen);
    format!(
        "soak: {:.0} s, {ops} ops, {opts} option changes, {} reopens, {} loads, {} verifications, {} errors",
        ctx.secs(),
        l(&c.reopens),
        l(&c.loads),
        l(&c.verifications),
        l(&c.errors)
    )
}

/// A worker: random operations, writes only to the keys it owns.
fn worker(ctx: &Ctx, w: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    while !ctx.stopping() {
        let _running = ctx.pause.read();
        let i = pick(ctx, &mut rng);
        match rng.random_range(0..100) {
            0..30 => write(ctx, own(ctx, i, w), true),
            30..40 => write(ctx, own(ctx, i, w), false),
            40..75 => get(ctx, i),
            75..85 => verify::range_read(ctx, i, &mut rng, false),
            85..93 => verify::count(ctx, i, &mut rng),
            _ => verify::range_read(ctx, i, &mut rng, true),
        }
    }
}

/// A model index: nine in ten from the hot part.
fn pick(ctx: &Ctx, rng: &mut StdRng) -> usize {
    let n = ctx.model.len();
    if rng.random_bool(0.9) {
        rng.random_range(0..ctx.hot)
    } else {
        rng.random_range(0..n)
    }
}

/// The index of worker `w`'s key nearest below (or above) `i`.
fn own(ctx: &Ctx, i: usize, w: usize) -> usize {
    let m = ctx.threads + 1;
    let j = i - i % m + w;
    if j < ctx.model.len() { j } else { j - m }
}

fn write(ctx: &Ctx, i: usize, put: bool) {
    let key = key_of(i, ctx.model.len());
    let s = ctx.model.begin(i, put);
    let (op, r) = if put {
        ctx.bump(&ctx.counts.put);
        ("put", ctx.db.put(key, &encode(key, s.version())))
    } else {
        ctx.bump(&ctx.counts.delete);
        ("delete", ctx.db.delete(key))
    };
    match r {
        Ok(_) => ctx.model.ack(i, s),
        Err(e) => ctx.error(op, Some(key), "success", &e.to_string()),
    }
}

fn get(ctx: &Ctx, i: usize) {
    ctx.bump(&ctx.counts.get);
    let key = key_of(i, ctx.model.len());
    let lo = ctx.model.acked(i);
    match ctx.db.get(key) {
        Ok(v) => ctx.judge("get", i, lo, v.as_deref()),
        Err(e) => ctx.error("get", Some(key), "a value or absent", &e.to_string()),
    }
}

fn report(ctx: &Ctx, cfg: &SoakConfig, fault: Option<i64>) -> SoakReport {
    let c = &ctx.counts;
    let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let mut ops = OpCounts {
        put: l(&c.put),
        delete: l(&c.delete),
        get: l(&c.get),
        scan: l(&c.scan),
        count: l(&c.count),
        mget: l(&c.mget),
        total: 0,
    };
    ops.total = ops.put + ops.delete + ops.get + ops.scan + ops.count + ops.mget;
    let mut options = OptionCounts {
        live: l(&c.opt_live),
        new_files: l(&c.opt_new_files),
        reopen: l(&c.opt_reopen),
        total: 0,
    };
    options.total = options.live + options.new_files + options.reopen;
    SoakReport {
        settings: Settings {
            threads: cfg.threads,
            seed: cfg.seed,
            keys: cfg.keys,
            duration_secs: cfg.duration.as_secs_f64(),
            db: cfg.db.clone(),
        },
        elapsed_secs: (ctx.secs() * 10.0).round() / 10.0,
        ops,
        option_changes: options,
        compaction_style_switches: l(&c.style_switches),
        style_switches: ctx.styles.lock().clone(),
        reopens: l(&c.reopens),
        loads: l(&c.loads),
        flushes: l(&c.flushes),
        compactions: l(&c.compactions),
        verifications: l(&c.verifications),
        expected_errors: l(&c.expected),
        expected_error_samples: ctx.expected_samples.lock().clone(),
        errors_total: l(&c.errors),
        errors: ctx.errors.lock().clone(),
        injected_fault_key: fault,
    }
}

impl SoakReport {
    /// The report as text.
    pub fn to_text(&self) -> String {
        let s = &self.settings;
        let o = &self.ops;
        let c = &self.option_changes;
        let mut t = format!(
            "soak: {} threads, seed {}, {} keys, {:.0} s (ran {:.1} s)\n\
             operations  {} (put {}, delete {}, get {}, scan {}, count {}, mget {})\n\
             options     {} changes (live {}, new files {}, reopen {}); compaction style switches {}\n\
             controller  {} reopens, {} loads, {} flushes, {} compactions\n\
             verified    {} full verifications passed\n\
             expected    {} refused option changes (documented refusals)\n\
             ERRORS      {}\n",
            s.threads,
            s.seed,
            s.keys,
            s.duration_secs,
            self.elapsed_secs,
            o.total,
            o.put,
            o.delete,
            o.get,
            o.scan,
            o.count,
            o.mget,
            c.total,
            c.live,
            c.new_files,
            c.reopen,
            self.compaction_style_switches,
            self.reopens,
            self.loads,
            self.flushes,
            self.compactions,
            self.verifications,
            self.expected_errors,
            self.errors_total,
        );
        for e in &self.errors {
            let key = e.key.map_or(String::new(), |k| format!(" key {k}"));
            t.push_str(&format!(
                "  {:.1}s {}{key}: expected {}, got {}\n",
                e.secs, e.op, e.expected, e.got
            ));
            for h in &e.history {
                t.push_str(&format!("      after: {h}\n"));
            }
        }
        t
    }
}

/// Used by `verify` to name a key that is not the soak's.
fn key_text(key: i64, n: usize) -> String {
    match index_of(key, n) {
        Some(_) => format!("key {key}"),
        None => format!("key {key} (not one of the soak's keys)"),
    }
}
