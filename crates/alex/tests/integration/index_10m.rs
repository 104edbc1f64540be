//! Scale test: bulk load 10M keys and probe every one of them (a minute at most; the
//! time itself is not asserted).

use alex::AlexIndex;

#[test]
fn ten_million_keys_bulk_load_and_probe_all() {
    let n = 10_000_000i64;
    // Uneven gaps so the models have something to learn.
    let keys: Vec<i64> = (0..n).map(|i| i * 16 + (i * 7919) % 13).collect();
    let idx = AlexIndex::bulk_load(&keys).unwrap();
    assert_eq!(idx.len(), keys.len());
    let found = keys.iter().filter(|&&k| idx.contains(k)).count();
    assert_eq!(found, keys.len());
    // Keys between stored ones are absent.
    let absent = keys
        .iter()
        .step_by(97)
        .filter(|&&k| idx.contains(k + 14))
        .count();
    assert_eq!(absent, 0);
    assert_eq!(idx.count_range(keys[1000]..=keys[2000]), 1001);
    let bytes_per_key = idx.bytes_used() as f64 / keys.len() as f64;
    assert!(bytes_per_key < 24.0, "{bytes_per_key} bytes per key");
}
