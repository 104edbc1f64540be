//! Helpers shared by the tests that damage SST files (`safety_damage.rs`, `check_sst.rs`).
use std::fs;
use std::path::{Path, PathBuf};

use engine::{Db, DbOptions};

pub fn value(k: i64) -> String {
    format!("value-{k:08}-padding-padding-padding")
}

/// A closed database of `rows` rows in one SST file (opened with `opts`); returns that file.
pub fn build(dir: &Path, opts: DbOptions, rows: i64) -> PathBuf {
    let db = Db::open_with(dir, opts).unwrap();
    db.load((0..rows).map(|k| (k, value(k)))).unwrap();
    db.flush().unwrap();
    db.compact().expect("compact");
    db.close().unwrap();
    let ssts: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sst"))
        .collect();
    assert_eq!(ssts.len(), 1, "one SST file expected: {ssts:?}");
    ssts.into_iter().next().unwrap()
}

/// Inverts `n` bytes of `file` starting at `at` (from the end when `at` is negative).
pub fn flip(file: &Path, at: i64, n: usize) {
    let mut bytes = fs::read(file).unwrap();
    let start = if at < 0 {
        bytes.len() - at.unsigned_abs() as usize
    } else {
        at as usize
    };
    for b in &mut bytes[start..start + n] {
        *b ^= 0xff;
    }
    fs::write(file, bytes).unwrap();
}
