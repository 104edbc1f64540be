//! Independent lookups only, for counting what one lookup costs with `perf stat` (issue 16):
//! `cargo run --release --example index_lookups -- N DIST PASSES`. Bulk loads N keys of
//! DIST, then runs PASSES passes of `contains` over 10M fixed-seed probes of existing keys.
//! Run it with PASSES = 0 and PASSES = P and divide the difference by P * 10M: the
//! per-lookup cost without the build. Prints the hit count (so the loop is not removed).
use alexdb::engine::index::AlexIndex;
use alexdb::workload::keys::{KeyDist, generate_keys};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const PROBES: usize = 10_000_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [n, dist, passes] = args.as_slice() else {
        anyhow::bail!("usage: index_lookups N DIST PASSES");
    };
    let n: usize = n.parse()?;
    let dist: KeyDist = dist.parse()?;
    let passes: usize = passes.parse()?;
    let sorted = generate_keys(dist, n, 42);
    let mut rng = StdRng::seed_from_u64(44);
    let probes: Vec<i64> = (0..PROBES)
        .map(|_| sorted[rng.random_range(0..n)])
        .collect();
    let index = AlexIndex::bulk_load(&sorted)?;
    let probes = black_box(&probes[..]);
    let mut hits = 0u64;
    for _ in 0..passes {
        for &k in probes {
            hits += u64::from(index.contains(k));
        }
    }
    println!("{hits}");
    Ok(())
}
