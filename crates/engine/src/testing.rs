//! Helpers for tests of this crate and of the crates above it (the `test-hooks` feature).
use crate::Db;

/// (rows, checksum over every key and value) read back through scan; panics if scan and
/// ALEX disagree on the row count.
pub fn fingerprint(db: &Db) -> (u64, u64) {
    let rows = db.scan(i64::MIN, i64::MAX, usize::MAX).expect("scan");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in &rows {
        for b in k.to_le_bytes().iter().chain(v.iter()) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    assert_eq!(rows.len() as u64, db.count(), "scan and ALEX agree");
    (rows.len() as u64, h)
}
