//! The soak's reads of many keys (scans, multi-gets, counts), judged key by key against
//! the model, and the full verification run while the workers pause.

use rand::Rng;
use rand::rngs::StdRng;

use super::model::{Span, decode, index_of, key_of};
use super::{Ctx, key_text};
use engine::{Value, key_hash};

/// Longest range a worker reads, in model keys.
const MAX_RANGE: usize = 64;

/// A scan (or a range multi-get) from index `a`: every row returned must be a legal
/// version of its key, every key skipped inside the covered range must be allowed to be
/// absent, and nothing outside the soak's keys may appear.
pub fn range_read(ctx: &Ctx, a: usize, rng: &mut StdRng, multiget: bool) {
    let n = ctx.model.len();
    let b = (a + rng.random_range(0..MAX_RANGE)).min(n - 1);
    let len = b - a + 1;
    let limit = if rng.random_bool(0.5) {
        len
    } else {
        rng.random_range(1..=len)
    };
    let los: Vec<_> = (a..=b).map(|i| ctx.model.acked(i)).collect();
    let (op, rows) = if multiget {
        ctx.bump(&ctx.counts.mget);
        (
            "mget",
            ctx.db.scan_multiget(key_of(a, n), key_of(b, n), limit),
        )
    } else {
        ctx.bump(&ctx.counts.scan);
        ("scan", ctx.db.scan(key_of(a, n), key_of(b, n), limit))
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return ctx.error(op, Some(key_of(a, n)), "rows", &e.to_string()),
    };
    if rows.len() > limit {
        let got = format!("{} rows", rows.len());
        return ctx.error(
            op,
            Some(key_of(a, n)),
            &format!("at most {limit} rows"),
            &got,
        );
    }
    let mut next = a;
    for (k, v) in &rows {
        let Some(i) = index_of(*k, n).filter(|i| (next..=b).contains(i)) else {
            let want = format!("keys in {}..={} in order", key_of(next, n), key_of(b, n));
            return ctx.error(
                op,
                Some(*k),
                &want,
                &format!("{} (phantom or out of order)", key_text(*k, n)),
            );
        };
        for skipped in next..i {
            ctx.judge(op, skipped, los[skipped - a], None);
        }
        ctx.judge(op, i, los[i - a], Some(v));
        next = i + 1;
    }
    // The rest of the range was read and found empty when fewer rows than the limit
    // came back. A multi-get applies the limit to ALEX's keys before reading values (a
    // key deleted in between leaves a gap), so for it only a limit covering every key of
    // the range says that.
    let covered = if multiget {
        limit == len
    } else {
        rows.len() < limit
    };
    if covered {
        for i in next..=b {
            ctx.judge(op, i, los[i - a], None);
        }
    }
}

/// A count over a range: between the keys surely there throughout and the keys there
/// at some moment of the count.
pub fn count(ctx: &Ctx, a: usize, rng: &mut StdRng) {
    ctx.bump(&ctx.counts.count);
    let n = ctx.model.len();
    let b = (a + rng.random_range(0..MAX_RANGE * 4)).min(n - 1);
    let los: Vec<_> = (a..=b).map(|i| ctx.model.acked(i)).collect();
    let got = ctx.db.count_range(key_of(a, n), key_of(b, n));
    let spans: Vec<Span> = (a..=b).map(|i| ctx.model.span(i, los[i - a])).collect();
    let least = spans.iter().filter(|s| !s.may_be_absent()).count() as u64;
    let most = spans.iter().filter(|s| s.may_be_present()).count() as u64;
    if !(least..=most).contains(&got) {
        let op = format!("count {}..={}", key_of(a, n), key_of(b, n));
        ctx.error(
            &op,
            None,
            &format!("{least}..={most} keys"),
            &format!("{got} keys"),
        );
    }
}

/// Count and checksum of `(key, version)` pairs.
#[derive(Debug, Default, PartialEq)]
struct Digest {
    rows: u64,
    sum: u64,
}

impl Digest {
    fn add(&mut self, key: i64, version: u64) {
        self.rows += 1;
        self.sum = self
            .sum
            .wrapping_add(key_hash(key) ^ version.wrapping_mul(0x9E37_79B9));
    }
}

/// Full verification on a quiet database: every row against the model (a scan of
/// RocksDB and a get of every key through the cache), count and checksum, ALEX's count,
/// and `Db::check` (ALEX's key set against RocksDB's, SST checksums). Counts a pass when
/// it found no error.
pub fn full(ctx: &Ctx) {
    let before = ctx.error_count();
    let n = ctx.model.len();
    let mut want = Digest::default();
    for i in 0..n {
        let s = ctx.model.acked(i);
        if s.present() {
            want.add(key_of(i, n), s.version());
        }
    }
    let got = scan_all(ctx);
    if got != want {
        ctx.error(
            "verify: count and checksum of every row",
            None,
            &format!("{} rows, checksum {:016x}", want.rows, want.sum),
            &format!("{} rows, checksum {:016x}", got.rows, got.sum),
        );
    }
    for i in 0..n {
        let lo = ctx.model.acked(i);
        match ctx.db.get(key_of(i, n)) {
            Ok(v) => ctx.judge("verify: get", i, lo, v.as_deref()),
            Err(e) => ctx.error(
                "verify: get",
                Some(key_of(i, n)),
                "a value or absent",
                &e.to_string(),
            ),
        }
    }
    let alex = ctx.db.count();
    if alex != want.rows {
        ctx.error(
            "verify: ALEX count",
            None,
            &format!("{} keys", want.rows),
            &format!("{alex} keys"),
        );
    }
    check(ctx);
    if ctx.error_count() == before {
        ctx.bump(&ctx.counts.verifications);
    }
}

/// Scans every row: each must be a soak key holding its model version; returns the
/// digest of what was read.
fn scan_all(ctx: &Ctx) -> Digest {
    let n = ctx.model.len();
    let mut got = Digest::default();
    let rows: Vec<(i64, Value)> = match ctx.db.scan(i64::MIN, i64::MAX, usize::MAX) {
        Ok(r) => r,
        Err(e) => {
            ctx.error("verify: scan", None, "every row", &e.to_string());
            return got;
        }
    };
    for (k, v) in &rows {
        let version = decode(*k, v).unwrap_or(u64::MAX);
        got.add(*k, version);
        match index_of(*k, n) {
            Some(i) => ctx.judge("verify: scan", i, ctx.model.acked(i), Some(v)),
            None => ctx.error("verify: scan", Some(*k), "no such key", &key_text(*k, n)),
        }
    }
    // Keys the scan skipped.
    let mut seen = vec![false; n];
    for (k, _) in &rows {
        if let Some(i) = index_of(*k, n) {
            seen[i] = true;
        }
    }
    for (i, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        ctx.judge("verify: scan", i, ctx.model.acked(i), None);
    }
    got
}

/// `Db::check`: ALEX's keys against RocksDB's, and every SST file's checksums.
fn check(ctx: &Ctx) {
    match ctx.db.check() {
        Ok(r) if r.ok => {}
        Ok(r) => ctx.error(
            "verify: check",
            None,
            "ALEX and RocksDB agree, SST checksums pass",
            &format!(
                "ALEX {} keys, RocksDB {} keys, key checksums match: {}, damaged ranges {}, SST errors {}",
                r.alex_keys,
                r.rocksdb_keys,
                r.key_checksum_match,
                r.damaged.len(),
                r.sst_errors.len()
            ),
        ),
        Err(e) => ctx.error("verify: check", None, "a check report", &e.to_string()),
    }
}
