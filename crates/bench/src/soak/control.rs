//! The soak's controller: at random moments it changes an option (any the engine can
//! change while open, values picked from the options table), switches the compaction
//! style, flushes, compacts, loads a batch into the live database, or reopens.
use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use super::Ctx;
use super::model::{encode, key_of};
use engine::options::{OptSpec, Range, SPECS, Ty, Val};
use engine::{Applies, DbError, DbOptions, Opt};

const GIB: i128 = 1 << 30;

/// The options the controller changes: every one that can change on an open database.
pub fn changeable() -> Vec<&'static OptSpec> {
    SPECS
        .iter()
        .filter(|s| s.apply.applies() != Applies::AtOpen)
        .collect()
}

/// A value for `spec` as text, from its type and range. Numbers are bounded near the
/// default (so caches fit this machine), and FIFO's limit stays far above the data so
/// that FIFO never deletes rows the model holds.
pub fn pick_value(spec: &OptSpec, rng: &mut StdRng) -> String {
    let v = match spec.ty {
        Ty::Bool => Val::Bool(rng.random()),
        Ty::Enum(c) => Val::Choice(c.names.choose(rng).copied().unwrap_or_default()),
        Ty::Float { lo, hi, .. } => {
            let hi = hi.min(lo + 20.0);
            Val::Float((rng.random_range(lo..=hi) * 100.0).round() / 100.0)
        }
        Ty::Size(r) | Ty::Int(r) => match r.or {
            Some(x) if rng.random_bool(0.2) => Val::Int(x),
            _ => Val::Int(pick_int(spec.opt, r, rng)),
        },
    };
    spec.ty.format(v)
}

/// A whole number in the bounded range, spread evenly over its orders of magnitude.
fn pick_int(opt: Opt, r: Range, rng: &mut StdRng) -> i128 {
    let (lo, hi) = if opt == Opt::FifoMaxSize {
        (4 * GIB, 16 * GIB)
    } else {
        let def = match DbOptions::default().value(opt) {
            Val::Int(d) => d,
            _ => r.hi,
        };
        (r.lo, r.hi.min((def * 2).max(r.lo * 16).max(r.lo + 8)))
    };
    if lo <= 0 && rng.random_bool(0.1) {
        return lo.max(0);
    }
    let (a, b) = ((lo.max(1) as f64).ln(), (hi.max(1) as f64).ln());
    let x = rng.random_range(a..=b).exp().round() as i128;
    x.clamp(lo, hi)
}

/// Errors the engine documents for an option change it will not make at that moment:
/// a refusal (FIFO's size check, the memory check), a reopen rolled back with no data
/// lost (e.g. O_DIRECT where the filesystem has none), a value this cache refuses.
pub fn expected(e: &DbError) -> bool {
    matches!(
        e,
        DbError::Refused(_) | DbError::RolledBack { .. } | DbError::InvalidOption { .. }
    )
}

/// The controller thread's loop.
pub fn run(ctx: &Ctx, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xC0_47_80_11);
    let options = changeable();
    while !ctx.stopping() {
        ctx.sleep(rng.random_range(50..400));
        if ctx.stopping() {
            break;
        }
        let _running = ctx.pause.read();
        let roll = rng.random_range(0..100);
        match roll {
            0..15 => change_style(ctx, &mut rng),
            15..50 => change_option(ctx, &options, &mut rng),
            50..62 => maintenance(ctx, "flush", || ctx.db.flush_now(), &ctx.counts.flushes),
            62..75 => compact(ctx, &mut rng),
            75..88 => load(ctx, &mut rng),
            _ => maintenance(ctx, "reopen", || ctx.db.reopen(), &ctx.counts.reopens),
        }
    }
}

fn change_style(ctx: &Ctx, rng: &mut StdRng) {
    let Some(spec) = changeable()
        .into_iter()
        .find(|s| s.opt == Opt::CompactionStyle)
    else {
        return;
    };
    let cur = ctx.db.options().text(Opt::CompactionStyle);
    let others: Vec<&str> = spec
        .ty
        .choices()
        .into_iter()
        .filter(|c| *c != cur)
        .collect();
    if let Some(v) = others.choose(rng) {
        set(ctx, spec, v);
    }
}

fn change_option(ctx: &Ctx, options: &[&'static OptSpec], rng: &mut StdRng) {
    let Some(spec) = options.choose(rng) else {
        return;
    };
    let cur = ctx.db.options().text(spec.opt);
    // A few tries for a value that differs (booleans: half the time the same).
    let value = (0..4)
        .map(|_| pick_value(spec, rng))
        .find(|v| *v != cur)
        .unwrap_or_else(|| pick_value(spec, rng));
    set(ctx, spec, &value);
}

/// Sets one option and counts it by how it was applied.
fn set(ctx: &Ctx, spec: &OptSpec, value: &str) {
    let what = format!("set {} {value}", spec.name);
    ctx.history(&what);
    let t0 = Instant::now();
    match ctx.db.set_option(spec.name, value) {
        Ok(c) if c.note.as_deref() == Some("unchanged") => ctx.history_done("unchanged"),
        Ok(c) => {
            let counter = match c.applied {
                Applies::Live => &ctx.counts.opt_live,
                Applies::NewFiles => &ctx.counts.opt_new_files,
                _ => &ctx.counts.opt_reopen,
            };
            ctx.bump(counter);
            if c.applied == Applies::Reopen {
                ctx.bump(&ctx.counts.reopens);
            }
            if spec.opt == Opt::CompactionStyle {
                ctx.bump(&ctx.counts.style_switches);
                ctx.style_switch(&c.old, &c.new);
            }
            ctx.history_done(&format!(
                "{}, {:.2} s",
                c.applied.as_str(),
                t0.elapsed().as_secs_f64()
            ));
        }
        Err(e) => ctx.action_failed(&what, &e),
    }
}

fn maintenance(
    ctx: &Ctx,
    what: &str,
    f: impl FnOnce() -> Result<f64, DbError>,
    counter: &std::sync::atomic::AtomicU64,
) {
    ctx.history(what);
    match f() {
        Ok(secs) => {
            ctx.bump(counter);
            ctx.history_done(&format!("{secs:.2} s"));
        }
        Err(e) => ctx.action_failed(what, &e),
    }
}

fn compact(ctx: &Ctx, rng: &mut StdRng) {
    let n = ctx.model.len();
    let range = rng.random_bool(0.5).then(|| {
        let a = rng.random_range(0..n);
        let b = (a + rng.random_range(0..n / 4 + 1)).min(n - 1);
        (key_of(a, n), key_of(b, n))
    });
    let what = match range {
        Some((a, b)) => format!("compact {a}..={b}"),
        None => "compact all".to_string(),
    };
    maintenance(
        ctx,
        &what,
        || ctx.db.compact_range(range),
        &ctx.counts.compactions,
    );
}

/// Loads a batch of the controller's own keys (in the cold part; some exist, some do
/// not), sorted or shuffled, while the workers run.
fn load(ctx: &Ctx, rng: &mut StdRng) {
    let n = ctx.model.len();
    let mine = ctx.controller_owner();
    let want = rng.random_range(200..=2000);
    let start = rng.random_range(ctx.hot..n);
    let idx: Vec<usize> = (start..n)
        .filter(|i| ctx.owner(*i) == mine)
        .take(want)
        .collect();
    if idx.is_empty() {
        return;
    }
    let states: Vec<_> = idx.iter().map(|&i| ctx.model.begin(i, true)).collect();
    let mut rows: Vec<(i64, Vec<u8>)> = idx
        .iter()
        .zip(&states)
        .map(|(&i, s)| (key_of(i, n), encode(key_of(i, n), s.version())))
        .collect();
    let order = if rng.random_bool(0.5) {
        rows.shuffle(rng);
        "shuffled"
    } else {
        "sorted"
    };
    let what = format!(
        "load {} rows ({order}) from key {}",
        rows.len(),
        key_of(start, n)
    );
    ctx.history(&what);
    match ctx.db.load(rows) {
        Ok(r) => {
            for (&i, &s) in idx.iter().zip(&states) {
                ctx.model.ack(i, s);
            }
            ctx.bump(&ctx.counts.loads);
            ctx.history_done(&format!("{} new keys, {:.2} s", r.new_keys, r.secs));
        }
        Err(e) => ctx.action_failed(&what, &e),
    }
}
