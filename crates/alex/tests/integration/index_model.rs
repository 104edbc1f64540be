//! Model test: random operation sequences on ALEX and on std's BTreeSet must agree, and
//! `validate()` must pass after every step.

use std::collections::BTreeSet;

use alex::{AlexIndex, Params};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Insert(i64),
    Remove(i64),
    Contains(i64),
    Range(i64, i64),
    LowerBound(i64),
}

/// Keys from one of several shapes, chosen per test case.
fn key_strategy(kind: u8) -> BoxedStrategy<i64> {
    match kind {
        // sequential-ish: small dense range
        0 => (0i64..2_000).boxed(),
        // clustered: a few tight clusters far apart
        1 => (0usize..4, 0i64..300)
            .prop_map(|(c, o)| [-(1i64 << 50), -7, 1 << 40, 1 << 61][c] + o)
            .boxed(),
        // uniform over all of i64
        2 => any::<i64>().boxed(),
        // extremes: near i64::MIN, 0 and i64::MAX
        _ => prop_oneof![
            (0i64..50).prop_map(|o| i64::MIN + o),
            (0i64..50).prop_map(|o| i64::MAX - o),
            (-25i64..25),
        ]
        .boxed(),
    }
}

fn ops_strategy() -> impl Strategy<Value = (u8, Vec<i64>, Vec<Op>, bool)> {
    (0u8..4, any::<bool>()).prop_flat_map(|(kind, tiny)| {
        let k = key_strategy(kind);
        let op = prop_oneof![
            6 => k.clone().prop_map(Op::Insert),
            3 => k.clone().prop_map(Op::Remove),
            2 => k.clone().prop_map(Op::Contains),
            1 => (k.clone(), k.clone()).prop_map(|(a, b)| Op::Range(a.min(b), a.max(b))),
            1 => k.clone().prop_map(Op::LowerBound),
        ];
        (
            Just(kind),
            proptest::collection::vec(k, 0..300),
            proptest::collection::vec(op, 1..400),
            Just(tiny),
        )
    })
}

fn check_same(idx: &AlexIndex, model: &BTreeSet<i64>) -> Result<(), TestCaseError> {
    prop_assert_eq!(idx.len(), model.len());
    prop_assert_eq!(idx.min_key(), model.first().copied());
    prop_assert_eq!(idx.max_key(), model.last().copied());
    if let Err(e) = idx.validate() {
        return Err(TestCaseError::fail(format!("validate: {e}")));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn alex_matches_btreeset((_kind, initial, ops, tiny) in ops_strategy()) {
        let params = if tiny { Params::tiny() } else { Params::default() };
        let mut model: BTreeSet<i64> = initial.iter().copied().collect();
        let sorted: Vec<i64> = model.iter().copied().collect();
        let mut idx = AlexIndex::bulk_load_with(&sorted, params).unwrap();
        check_same(&idx, &model)?;
        for op in ops {
            match op {
                Op::Insert(k) => prop_assert_eq!(idx.insert(k), model.insert(k), "insert {}", k),
                Op::Remove(k) => prop_assert_eq!(idx.remove(k), model.remove(&k), "remove {}", k),
                Op::Contains(k) => prop_assert_eq!(idx.contains(k), model.contains(&k), "contains {}", k),
                Op::Range(a, b) => {
                    let got: Vec<i64> = idx.range(a..=b).collect();
                    let want: Vec<i64> = model.range(a..=b).copied().collect();
                    prop_assert_eq!(got, want, "range {}..={}", a, b);
                }
                Op::LowerBound(k) => {
                    prop_assert_eq!(idx.lower_bound(k), model.range(k..).next().copied(), "lower_bound {}", k)
                }
            }
            check_same(&idx, &model)?;
        }
        let all: Vec<i64> = idx.iter().collect();
        let want: Vec<i64> = model.iter().copied().collect();
        prop_assert_eq!(all, want);
    }
}

/// Longer random runs than proptest's cases, with tiny nodes so that every structural
/// path (sideways splits, downward splits, parent doubling, root growth) is taken.
#[test]
fn long_random_runs_with_tiny_nodes() {
    use rand::{Rng, SeedableRng, rngs::StdRng};
    for seed in 0..6u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut idx = AlexIndex::with_params(Params::tiny());
        let mut model = BTreeSet::new();
        let span: i64 = [1_000, 1_000_000, i64::MAX][seed as usize % 3];
        for step in 0..20_000 {
            let k = if span == i64::MAX {
                rng.random::<i64>()
            } else {
                rng.random_range(-span..span)
            };
            if rng.random_bool(0.7) {
                assert_eq!(idx.insert(k), model.insert(k), "seed {seed} step {step}");
            } else {
                assert_eq!(idx.remove(k), model.remove(&k), "seed {seed} step {step}");
            }
            if step % 2_000 == 0 {
                idx.validate()
                    .unwrap_or_else(|e| panic!("seed {seed} step {step}: {e}"));
            }
        }
        idx.validate().unwrap();
        assert!(idx.iter().eq(model.iter().copied()));
        let s = idx.stats();
        assert!(
            s.counters.splits_sideways + s.counters.splits_down > 0,
            "{s:?}"
        );
    }
}
