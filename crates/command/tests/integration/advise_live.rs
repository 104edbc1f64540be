//! The advisor on live figures (issue 14 items 4-5): `.advise` reads the metrics
//! history's last window, so figures from before an applied change do not count again;
//! and the cache-split rule on a real miss-ratio curve from real zipfian and uniform gets.
use crate::support::{payload, run_waited};
use std::path::Path;
use std::sync::Arc;

use command::{Executor, Outcome};
use engine::{Db, DbOptions};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Zipf};

fn open(dir: &Path, opts: DbOptions, n: i64) -> Executor {
    let db = Db::open_with(dir.join("db"), opts.clone()).expect("open");
    db.load((0..n).map(|k| (k, payload(k, 100)))).expect("load");
    Executor::with_db(Arc::new(db), opts)
}

/// `(rules proposing, rules quiet or lacking data with their JSON)` of `.advise` now.
fn advise(exec: &mut Executor) -> (Vec<String>, serde_json::Value) {
    let Ok(Outcome::Report { json, .. }) = run_waited(exec, ".advise").result else {
        panic!(".advise gives a report");
    };
    let rules = json["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .map(|p| p["rule"].as_str().unwrap_or_default().to_string())
        .collect();
    (rules, json)
}

/// Gets of keys `0..n` drawn by `draw`, each present.
fn gets(db: &Db, count: usize, mut draw: impl FnMut() -> i64) {
    for _ in 0..count {
        let k = draw();
        assert!(db.get(k).expect("get").is_some(), "key {k}");
    }
}

fn zipf_gets(db: &Db, n: i64, count: usize) {
    let mut rng = StdRng::seed_from_u64(14);
    let z = Zipf::new(n as f64, 0.99).expect("zipf");
    // Scatter the ranks over the key space so hot keys are not neighbours.
    gets(db, count, || {
        ((z.sample(&mut rng) as i64 - 1) * 7919).rem_euclid(n)
    });
}

#[test]
fn advise_reads_the_window_after_the_last_change() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        value_cache_size: 0,
        block_cache_bytes: 256 << 10,
        ..DbOptions::default()
    };
    let mut exec = open(dir.path(), opts, 20_000);
    let spread = |db: &Db| {
        gets(db, 5_000, {
            let mut i = 0i64;
            move || {
                i += 1;
                (i * 7919) % 20_000
            }
        })
    };
    spread(exec.db());
    let (rules, _) = advise(&mut exec);
    let n = rules
        .iter()
        .position(|r| r == "block-reads")
        .expect("block-reads proposes")
        + 1;
    run_waited(&mut exec, &format!(".advise apply {n}"))
        .result
        .expect("apply");
    // Nothing ran since the change: the figures from before it must not count again.
    let (rules, json) = advise(&mut exec);
    assert!(!rules.contains(&"block-reads".to_string()), "{json}");
    assert_eq!(json["window_secs"].as_f64(), Some(0.0), "{json}");
    // New gets after the change give the rule figures again.
    spread(exec.db());
    let (_, json) = advise(&mut exec);
    assert!(json["window_secs"].as_f64().unwrap_or(0.0) > 0.0, "{json}");
}

#[test]
fn cache_split_grows_a_small_value_cache_under_zipfian_gets() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let n = 50_000;
    let opts = DbOptions {
        value_cache_size: 256 << 10,
        block_cache_bytes: 2 << 20,
        ..DbOptions::default()
    };
    let mut exec = open(dir.path(), opts, n);
    zipf_gets(exec.db(), n, 200_000);
    let (rules, json) = advise(&mut exec);
    assert!(rules.contains(&"cache-split".to_string()), "{json}");
    let p = json["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["rule"] == "cache-split")
        .unwrap();
    assert!(
        p["commands"][0]
            .as_str()
            .unwrap()
            .starts_with(".set value_cache_size"),
        "{p}"
    );
}

#[test]
fn cache_split_is_quiet_when_the_value_cache_holds_every_key() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let n = 50_000;
    let opts = DbOptions {
        value_cache_size: 32 << 20,
        block_cache_bytes: 16 << 20,
        ..DbOptions::default()
    };
    let mut exec = open(dir.path(), opts, n);
    let mut rng = StdRng::seed_from_u64(7);
    gets(exec.db(), 200_000, || rng.random_range(0..n));
    assert!(
        exec.db().miss_ratio_curve().is_some(),
        "a curve from real gets"
    );
    let (rules, json) = advise(&mut exec);
    assert!(!rules.contains(&"cache-split".to_string()), "{json}");
    let quiet = json["quiet"].as_array().unwrap();
    assert!(
        quiet
            .iter()
            .any(|q| q["rule"] == "cache-split" && q.get("figures").is_some()),
        "the rule looked at the curve and found nothing: {json}"
    );
}
