//! YCSB request distributions over the records (issue 12, bug 2): the scrambled zipfian
//! reaches every record and keeps YCSB's popularity skew; `latest` and workloads D and E
//! still behave.
use std::collections::HashMap;

use workload::ycsb::{
    Distribution, KeySpace, MAX_SCAN_LENGTH, Op, OpGen, Workload, ZIPFIAN_ITEM_SPACE,
    ZIPFIAN_THETA, record_key,
};

/// How often each record number was read in `reads` operations of workload C.
fn read_counts(records: u64, dist: Distribution, reads: usize, seed: u64) -> Vec<u64> {
    let index: HashMap<i64, usize> = (0..records).map(|i| (record_key(i), i as usize)).collect();
    let mut g = OpGen::new(Workload::C, dist, KeySpace::generated(records), seed);
    let mut counts = vec![0u64; records as usize];
    for _ in 0..reads {
        match g.next_op() {
            Op::Read(k) => counts[index[&k]] += 1,
            other => panic!("workload C made {other:?}"),
        }
    }
    counts
}

/// The zipfian normaliser: the sum of k^-theta for k in 1..=n (exact up to a million,
/// then the integral, whose error there is far below the tolerances used here).
fn zeta(n: u64, theta: f64) -> f64 {
    let exact = 1_000_000.min(n);
    let head: f64 = (1..=exact).map(|k| (k as f64).powf(-theta)).sum();
    let (a, b) = (exact as f64 + 0.5, n as f64 + 0.5);
    head + (b.powf(1.0 - theta) - a.powf(1.0 - theta)) / (1.0 - theta)
}

/// The expected share of the `top` hottest ranks of YCSB's item space.
fn expected_top_share(top: u64) -> f64 {
    let head: f64 = (1..=top).map(|k| (k as f64).powf(-ZIPFIAN_THETA)).sum();
    head / zeta(ZIPFIAN_ITEM_SPACE, ZIPFIAN_THETA)
}

#[test]
fn a_long_zipfian_run_touches_essentially_every_record() {
    // Every record gets at least about 6e-5 of the draws (the item space's tail spread
    // over 10,000 records), so 200,000 reads miss a given record with odds near e^-12.
    let counts = read_counts(10_000, Distribution::Zipfian, 200_000, 11);
    let touched = counts.iter().filter(|&&c| c > 0).count();
    assert!(touched >= 9_900, "only {touched} of 10,000 records read");
}

#[test]
fn the_hottest_records_keep_their_zipfian_share() {
    let reads = 1_000_000;
    let mut counts = read_counts(10_000, Distribution::Zipfian, reads, 5);
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let share = |top: usize| counts[..top].iter().sum::<u64>() as f64 / reads as f64;
    for top in [1, 10] {
        let expected = expected_top_share(top as u64);
        let got = share(top);
        assert!(
            (got / expected - 1.0).abs() < 0.1,
            "top {top}: share {got:.4}, expected {expected:.4}"
        );
    }
    // And the skew is real: the hottest record is read hundreds of times its fair share.
    assert!(share(1) > 300.0 / 10_000.0, "{}", share(1));
}

#[test]
fn zipfian_runs_are_deterministic_in_their_seed() {
    let a = read_counts(1_000, Distribution::Zipfian, 10_000, 3);
    let b = read_counts(1_000, Distribution::Zipfian, 10_000, 3);
    let c = read_counts(1_000, Distribution::Zipfian, 10_000, 4);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn zipfian_on_a_database_key_space_reads_only_its_keys() {
    let keys: Vec<i64> = (0..5_000).map(|i| i * 7 - 10_000).collect();
    let mut g = OpGen::new(
        Workload::C,
        Distribution::Zipfian,
        KeySpace::existing(keys),
        9,
    );
    let mut seen = std::collections::HashSet::new();
    for _ in 0..100_000 {
        let Op::Read(k) = g.next_op() else {
            panic!("workload C made a non-read")
        };
        assert!(
            (k + 10_000) % 7 == 0 && (-10_000..25_000).contains(&k),
            "{k}"
        );
        seen.insert(k);
    }
    assert!(seen.len() >= 4_950, "{} of 5,000 keys read", seen.len());
}

#[test]
fn workload_e_scans_existing_records_and_inserts_new_ones() {
    let ks = KeySpace::generated(1_000);
    let known: HashMap<i64, u64> = (0..1_000).map(|i| (record_key(i), i)).collect();
    let mut g = OpGen::new(Workload::E, Distribution::Zipfian, ks.clone(), 2);
    let (mut scans, mut inserts) = (0, 0);
    for _ in 0..20_000 {
        match g.next_op() {
            Op::Scan(k, len) => {
                scans += 1;
                assert!(known.contains_key(&k), "scan from unknown key {k}");
                assert!((1..=MAX_SCAN_LENGTH).contains(&len), "{len}");
            }
            Op::Insert(k) => {
                inserts += 1;
                assert!(!known.contains_key(&k), "insert of an existing key {k}");
            }
            other => panic!("workload E made {other:?}"),
        }
    }
    assert!(
        scans > 18_000 && inserts > 500,
        "{scans} scans, {inserts} inserts"
    );
    assert_eq!(ks.current(), 1_000 + inserts);
}

#[test]
fn workload_d_reads_favour_its_own_inserts() {
    let ks = KeySpace::generated(10_000);
    let mut g = OpGen::new(Workload::D, Distribution::Latest, ks.clone(), 8);
    let (mut reads, mut inserted_read) = (0u64, 0u64);
    for _ in 0..50_000 {
        if let Op::Read(k) = g.next_op() {
            reads += 1;
            let newest = ks.current();
            if (10_000..newest).any(|i| record_key(i) == k) {
                inserted_read += 1;
            }
        }
    }
    // About 2,500 inserts among 12,500 records; latest sends most reads to them.
    assert!(inserted_read * 2 > reads, "{inserted_read} of {reads}");
}
