//! Issue 14, item 4: the miss-ratio curve predicts what a real value cache does. For a
//! zipfian and a uniform get stream (fixed seed, 200k keys, 1M gets) the curve built
//! while the cache runs at one size predicts the hit rate at three sizes within 5 points
//! of the hit rate the engine's CLOCK cache measures on the same stream, started empty.
use engine::{Db, DbOptions};
use workload::dataset::value_for;
use workload::ycsb::{Distribution, KeySpace, Op, OpGen, Workload, record_key};

const KEYS: u64 = 200_000;
const GETS: usize = 1_000_000;
const MIB: u64 = 1 << 20;

fn stream(dist: Distribution) -> Vec<i64> {
    let mut g = OpGen::new(Workload::C, dist, KeySpace::generated(KEYS), 14);
    (0..GETS)
        .map(|_| match g.next_op() {
            Op::Read(k) => k,
            other => panic!("workload C only reads, got {other:?}"),
        })
        .collect()
}

fn loaded(dir: &std::path::Path) -> Db {
    let opts = DbOptions {
        warm_value_cache: engine::WarmValueCache::Off,
        ..DbOptions::default()
    };
    let db = Db::open_with(dir, opts).expect("open");
    let rows = (0..KEYS).map(|i| {
        let k = record_key(i);
        (k, value_for(k, 100, 1))
    });
    db.load(rows).expect("load");
    db
}

/// Runs `keys` through the database with an empty value cache of `bytes`; returns the
/// cache's hit rate over the run.
fn measured(db: &Db, bytes: u64, keys: &[i64]) -> f64 {
    db.set_option("value_cache_size", "0")
        .expect("empty the cache");
    db.set_option("value_cache_size", &bytes.to_string())
        .expect("size the cache");
    let before = db.cache_counters();
    for &k in keys {
        assert!(db.get(k).expect("get").is_some());
    }
    let after = db.cache_counters();
    let hits = (after.hits - before.hits) as f64;
    hits / (hits + (after.misses - before.misses) as f64)
}

fn check(dist: Distribution, sizes: [u64; 3]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = loaded(dir.path());
    let keys = stream(dist);
    // The curve is built while the cache runs at the middle size.
    db.reset_miss_ratio_curve();
    let mid = measured(&db, sizes[1], &keys);
    let curve = db.miss_ratio_curve().expect("a curve after 1M gets");
    assert_eq!(curve.gets, GETS as u64);
    assert!(curve.sampled_gets > 5_000, "{}", curve.sampled_gets);
    assert_eq!(curve.current_bytes, sizes[1]);
    for (i, &bytes) in sizes.iter().enumerate() {
        let real = if i == 1 {
            mid
        } else {
            measured(&db, bytes, &keys)
        };
        let predicted = curve.hit_rate_at(bytes).expect("points");
        eprintln!(
            "{} at {} MiB: predicted {:.3}, measured {real:.3}",
            dist.as_str(),
            bytes / MIB,
            predicted
        );
        assert!(
            (predicted - real).abs() <= 0.05,
            "{} at {bytes} bytes: predicted {predicted:.3}, measured {real:.3}",
            dist.as_str()
        );
    }
}

#[test]
fn zipfian_predictions_are_within_5_points_of_a_real_cache() {
    check(Distribution::Zipfian, [2 * MIB, 6 * MIB, 16 * MIB]);
}

#[test]
fn uniform_predictions_are_within_5_points_of_a_real_cache() {
    check(Distribution::Uniform, [4 * MIB, 10 * MIB, 18 * MIB]);
}
