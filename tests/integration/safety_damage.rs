//! Issue 17, damaged data blocks: a flipped byte in an SST data block no longer makes
//! the database unopenable. The open reports the unreadable key range and leaves its
//! keys out of ALEX, every other key reads its value, and `check` names the damage.
//! Damage to an index or footer block gives one clear error, never a panic.
use crate::support::alexdb_isolated;
use std::fs;
use std::path::{Path, PathBuf};

use engine::{Compression, DamagedRange, Db, DbError, DbOptions};

const ROWS: i64 = 200_000;

/// 4 KiB blocks without compression: the middle of the file is a data block.
fn opts() -> DbOptions {
    DbOptions {
        block_size: 4096,
        compression: Compression::None,
        bottommost_compression: Compression::None,
        block_cache_bytes: 4 << 20,
        ..DbOptions::default()
    }
}

use crate::support::sst_damage::{flip, value};

/// A closed database of `ROWS` rows in one SST file; returns that file.
fn build(dir: &Path) -> PathBuf {
    crate::support::sst_damage::build(dir, opts(), ROWS)
}

fn in_ranges(ranges: &[DamagedRange], k: i64) -> bool {
    ranges.iter().any(|d| d.first <= k && k <= d.last)
}

#[test]
fn a_damaged_data_block_leaves_the_rest_readable() {
    let dir = tempfile::tempdir().unwrap();
    let sst = build(dir.path());
    let len = fs::metadata(&sst).unwrap().len() as i64;
    flip(&sst, len / 2, 8);

    let db =
        Db::open_with(dir.path(), opts()).expect("a damaged data block must not stop the open");
    let ranges = db.damaged_ranges().to_vec();
    assert_eq!(ranges.len(), 1, "{ranges:?}");
    let d = &ranges[0];
    let lost = d.last - d.first + 1;
    assert!(lost > 0 && lost < ROWS / 100, "range too wide: {d:?}");
    assert!(d.first > 0 && d.last < ROWS - 1, "{d:?}");
    assert!(d.reason.contains("checksum"), "{}", d.reason);
    assert_eq!(db.len() as i64, ROWS - lost);

    for k in 0..ROWS {
        if in_ranges(&ranges, k) {
            assert!(!db.contains(k), "damaged key {k} in ALEX");
            let err = db.get(k).expect_err("a key in the damaged range");
            assert!(matches!(err, DbError::Damaged { .. }), "{err:?}");
            assert!(err.to_string().contains("damaged"), "{err}");
        } else {
            let v = db.get(k).unwrap().unwrap_or_else(|| panic!("key {k} lost"));
            assert_eq!(&v[..], value(k).as_bytes(), "key {k}");
        }
    }
    // A scan across the damaged block says so rather than returning a short result.
    let err = db.scan(d.first - 5, d.last + 5, 1_000).unwrap_err();
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
    // Outside the data set: still absent, not an error.
    assert!(db.get(ROWS + 5).unwrap().is_none());

    let c = db.check().unwrap();
    assert!(!c.ok, "{c:?}");
    assert_eq!(c.damaged, ranges);
    assert_eq!(c.rocksdb_keys, db.len() as u64);
    assert!(c.alex_valid.is_ok());
}

#[test]
fn damage_in_the_first_block_is_reported_from_the_first_key() {
    let dir = tempfile::tempdir().unwrap();
    let sst = build(dir.path());
    // Past the file's first bytes, inside the first data block.
    flip(&sst, 100, 8);

    let db = Db::open_with(dir.path(), opts()).expect("open");
    let ranges = db.damaged_ranges();
    assert_eq!(ranges.len(), 1, "{ranges:?}");
    assert_eq!(
        ranges[0].first, 0,
        "narrowed to the file's first key: {ranges:?}"
    );
    assert!(ranges[0].last < ROWS / 100, "{ranges:?}");
    let after = ranges[0].last + 1;
    assert_eq!(
        &db.get(after).unwrap().unwrap()[..],
        value(after).as_bytes()
    );
    assert!(!db.check().unwrap().ok);
}

#[test]
fn a_healthy_database_reports_no_damage() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let db = Db::open_with(dir.path(), opts()).unwrap();
    assert!(db.damaged_ranges().is_empty());
    assert_eq!(db.len() as i64, ROWS);
    let c = db.check().unwrap();
    assert!(c.ok && c.damaged.is_empty(), "{c:?}");
    assert!(db.get(ROWS + 5).unwrap().is_none());
}

/// Damage to the end of the file (footer, properties, index block: RocksDB reads them
/// when it opens the table) stops the open with one line naming the corruption and the
/// file; it never panics.
#[test]
fn a_damaged_footer_or_index_block_is_one_clear_error() {
    for back in [20i64, 200, 2_000, 20_000] {
        let dir = tempfile::tempdir().unwrap();
        let sst = build(dir.path());
        flip(&sst, -back, 8);
        let err = Db::open_with(dir.path(), opts()).expect_err("damaged table metadata");
        let msg = err.to_string();
        assert!(!msg.contains('\n'), "one line: {msg}");
        assert!(msg.contains("corrupt"), "{back}: {msg}");
        let name = sst.file_name().unwrap().to_string_lossy().into_owned();
        assert!(msg.contains(&name), "{back}: names the file: {msg}");
    }
}

/// Over 1M keys the open reads two key ranges in parallel (on two or more cores), cut
/// at the middle key: damage across that cut is still one range, every other key reads.
#[test]
fn damage_at_the_parallel_scans_cut_is_one_range() {
    const BIG: i64 = 1_100_000;
    // split_points' cut for one file of keys 0..BIG read by two threads.
    const CUT: i64 = (BIG - 1) / 2;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path(), opts()).unwrap();
    db.load((0..BIG).map(|k| (k, k.to_le_bytes()))).unwrap();
    db.compact().expect("compact");
    db.close().unwrap();
    let sst = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "sst"))
        .unwrap();
    let len = fs::metadata(&sst).unwrap().len() as i64;

    // Where the cut's block lies: entries are all alike, so offsets grow linearly with
    // the key; one damaged block found the ratio (a second flip undoes the first).
    flip(&sst, len / 4, 8);
    let probe = Db::open_with(dir.path(), opts()).unwrap();
    let seen = probe.damaged_ranges()[0].first;
    drop(probe);
    flip(&sst, len / 4, 8);
    let at = CUT * (len / 4) / seen;
    // Several blocks on both sides of the estimate: adjacent damaged blocks make one range.
    for d in (-8_000..=8_000).step_by(1_000) {
        flip(&sst, at + d, 4);
    }

    let db = Db::open_with(dir.path(), opts()).unwrap();
    let ranges = db.damaged_ranges().to_vec();
    assert_eq!(ranges.len(), 1, "{ranges:?}");
    let r = &ranges[0];
    assert!(r.first <= CUT && CUT < r.last, "the cut is inside: {r:?}");
    let lost = r.last - r.first + 1;
    assert!(lost < 5_000, "{r:?}");
    assert_eq!(db.len() as i64, BIG - lost);
    for k in [0, r.first - 1, r.last + 1, BIG - 1] {
        assert_eq!(&db.get(k).unwrap().unwrap()[..], k.to_le_bytes(), "key {k}");
    }
    assert_eq!(db.check().unwrap().damaged, ranges);
}

/// The shell says at open what could not be read, `.check` lists it, a get inside it is
/// an error naming the damage; `.open` says it too.
#[test]
fn the_shell_reports_the_damage_at_open_and_in_check() {
    let dir = tempfile::tempdir().unwrap();
    let sst = build(dir.path());
    let len = fs::metadata(&sst).unwrap().len() as i64;
    flip(&sst, len / 2, 8);
    let range = {
        let db = Db::open_with(dir.path(), opts()).unwrap();
        db.damaged_ranges()[0].clone()
    };
    let span = format!("{}..={}", range.first, range.last);
    let db = dir.path().to_str().unwrap();

    let o = alexdb_isolated(&["--db", db, "-c", ".mode csv; count; .check"]);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    // `.check` finding damage is a failed command (issue 15).
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    // The line before it lists the options the database saved (its 4 KiB blocks, ...).
    let damage: Vec<&str> = err.lines().filter(|l| l.contains("damage")).collect();
    assert_eq!(
        damage,
        [format!(
            "opened with damage: 1 range of keys unreadable: {span} (a data block failed its checksum); those keys are left out; run .check"
        ).as_str()],
        "{err}"
    );
    assert!(
        err.lines()
            .next()
            .unwrap_or("")
            .starts_with("options differing"),
        "{err}"
    );
    let lost = range.last - range.first + 1;
    assert!(out.contains(&(ROWS - lost).to_string()), "{out}");
    // `.check` prints its report table whatever the mode.
    assert!(out.contains("| ok                 | no "), "{out}");
    assert!(
        out.contains(&format!(
            "| damaged range      | {span} unreadable: Corruption: block checksum mismatch"
        )),
        "{out}"
    );

    let inside = range.first.to_string();
    let o = alexdb_isolated(&["--db", db, "-c", &format!("get {inside}")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("key {inside} is in a damaged range ({span})")),
        "{err}"
    );

    let o = alexdb_isolated(&["--temp", "-c", &format!(".open {db}")]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(&format!(
            "\nopened with damage: 1 range of keys unreadable: {span} "
        )),
        "{out}"
    );
}

#[test]
fn check_on_a_healthy_database_lists_no_damage() {
    let dir = tempfile::tempdir().unwrap();
    let o = alexdb_isolated(&[
        "--db",
        dir.path().to_str().unwrap(),
        "-c",
        ".mode csv; put 1 a; .check",
    ]);
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("damage"), "{err}");
    assert!(
        out.contains("| ok                 | yes ") && out.contains("| alex keys          | 1 "),
        "{out}"
    );
    assert!(!out.contains("damaged range"), "{out}");
}
