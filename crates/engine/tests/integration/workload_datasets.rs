//! Dataset loaders on good and bad files, through `Db::load_results` so "nothing was
//! loaded" is checked on a real database: quoted CSV, the whole row as value, missing
//! keys skipped and counted, non-integer keys with their line number, unknown columns,
//! missing files, SOSD files (good, truncated, keys above i64::MAX), generated datasets
//! (deterministic, compressible values) and cancellation keeping what was read.
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use engine::{Db, DbError, DbOptions};
use workload::dataset::{self, DatasetError, DatasetSpec, GenOptions, value_for};

fn db(dir: &Path) -> Db {
    Db::open_with(
        dir.join("db"),
        DbOptions {
            block_cache_bytes: 8 << 20,
            ..DbOptions::default()
        },
    )
    .expect("open")
}

fn load(db: &Db, spec: &DatasetSpec) -> Result<(u64, u64), String> {
    let src = dataset::open(
        spec,
        GenOptions::default(),
        Arc::new(AtomicBool::new(false)),
    )
    .map_err(|e| e.to_string())?;
    let stats = src.stats.clone();
    let rows = src
        .rows
        .map(|r| r.map_err(|e| DbError::Input(e.to_string())));
    let r = db.load_results(rows, |_| {}).map_err(|e| e.to_string())?;
    Ok((r.rows, stats.skipped.load(Ordering::Relaxed)))
}

fn csv(dir: &Path, text: &str) -> DatasetSpec {
    let p = dir.join("data.csv");
    std::fs::write(&p, text).expect("write");
    DatasetSpec::Csv {
        path: p,
        key: "id".into(),
        value: Some("name".into()),
    }
}

#[test]
fn quoted_csv_with_a_value_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    let spec = csv(
        dir.path(),
        "id,name,note\n1,\"Smith, John\",x\n-2,\"say \"\"hi\"\"\",y\n3,plain,\"multi\nline\"\n",
    );
    assert_eq!(load(&db, &spec), Ok((3, 0)));
    assert_eq!(db.get(1).unwrap().as_deref(), Some(&b"Smith, John"[..]));
    assert_eq!(db.get(-2).unwrap().as_deref(), Some(&b"say \"hi\""[..]));
    assert_eq!(db.get(3).unwrap().as_deref(), Some(&b"plain"[..]));
}

#[test]
fn the_whole_row_is_the_default_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    let p = dir.path().join("rows.csv");
    std::fs::write(&p, "name,id\n\"a,b\",10\nc,11\n").expect("write");
    let spec = DatasetSpec::Csv {
        path: p,
        key: "ID".into(),
        value: None,
    };
    assert_eq!(load(&db, &spec), Ok((2, 0)));
    assert_eq!(db.get(10).unwrap().as_deref(), Some(&b"\"a,b\",10"[..]));
    assert_eq!(db.get(11).unwrap().as_deref(), Some(&b"c,11"[..]));
}

#[test]
fn empty_and_na_keys_are_skipped_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    let spec = csv(dir.path(), "id,name\n1,a\n,b\nNA,c\n n/a ,d\n5,e\n");
    assert_eq!(load(&db, &spec), Ok((2, 3)));
    assert_eq!(db.count(), 2);
}

#[test]
fn a_non_integer_key_stops_with_its_line_and_loads_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    db.put(100, b"before").expect("put");
    let spec = csv(dir.path(), "id,name\n1,a\n2,b\n3.5,c\n4,d\n");
    let e = load(&db, &spec).expect_err("bad key");
    assert!(
        e.contains("line 4") && e.contains("\"3.5\" is not an integer"),
        "{e}"
    );
    assert!(e.contains("nothing was loaded"), "{e}");
    assert_eq!(db.count(), 1, "rows 1 and 2 must not have been loaded");
    assert!(db.get(1).unwrap().is_none());
}

#[test]
fn ragged_rows_and_unknown_columns_and_missing_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    let e = load(&db, &csv(dir.path(), "id,name\n1,a\n2,b,extra\n")).expect_err("ragged");
    assert!(
        e.contains("line 3") && e.contains("3 fields where the header has 2"),
        "{e}"
    );
    let p = dir.path().join("cols.csv");
    std::fs::write(&p, "key,val\n1,a\n").expect("write");
    let spec = DatasetSpec::Csv {
        path: p,
        key: "id".into(),
        value: None,
    };
    let e = load(&db, &spec).expect_err("no column");
    assert!(
        e.contains("no column named \"id\"") && e.contains("columns: key, val"),
        "{e}"
    );
    let spec = DatasetSpec::Csv {
        path: dir.path().join("missing.csv"),
        key: "id".into(),
        value: None,
    };
    assert!(
        load(&db, &spec)
            .expect_err("missing")
            .contains("no such file")
    );
    assert_eq!(db.count(), 0);
}

fn sosd(dir: &Path, count: u64, keys: &[u64]) -> DatasetSpec {
    let mut bytes = count.to_le_bytes().to_vec();
    for k in keys {
        bytes.extend_from_slice(&k.to_le_bytes());
    }
    let p = dir.join("keys.sosd");
    std::fs::write(&p, bytes).expect("write");
    DatasetSpec::Sosd { path: p }
}

#[test]
fn sosd_files_good_truncated_and_too_large() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    let keys: Vec<u64> = (0..5000).map(|i| i * 7 + 3).collect();
    assert_eq!(load(&db, &sosd(dir.path(), 5000, &keys)), Ok((5000, 0)));
    assert_eq!(db.count(), 5000);
    assert_eq!(
        db.get(10).unwrap().as_deref(),
        Some(value_for(10, 100, 42).as_slice()),
        "values derive from the key"
    );
    let e = load(&db, &sosd(dir.path(), 10, &keys[..7])).expect_err("truncated");
    assert!(e.contains("truncated") && e.contains("10 keys"), "{e}");
    let e = load(&db, &sosd(dir.path(), 3, &[1, u64::MAX, 2])).expect_err("too large");
    assert!(
        e.contains(&u64::MAX.to_string()) && e.contains("above"),
        "{e}"
    );
    assert_eq!(db.count(), 5000, "a refused file loads nothing");
    let p = dir.path().join("tiny.sosd");
    std::fs::write(&p, [1u8, 2, 3]).expect("write");
    assert!(load(&db, &DatasetSpec::Sosd { path: p }).is_err());
}

#[test]
fn generated_datasets_are_deterministic() {
    for spec in [
        DatasetSpec::Sequential {
            n: 1000,
            start: -5,
            step: 2,
        },
        DatasetSpec::Random { n: 1000 },
        DatasetSpec::Lognormal { n: 1000 },
        DatasetSpec::Timestamps { n: 1000 },
    ] {
        let a = dataset::generated_keys(&spec, 42).expect("keys");
        let b = dataset::generated_keys(&spec, 42).expect("keys");
        assert_eq!(a, b, "{spec:?}");
        assert_eq!(a.len(), 1000);
        let mut d = a.clone();
        d.sort_unstable();
        d.dedup();
        assert_eq!(d.len(), 1000, "distinct keys in {spec:?}");
        if !matches!(spec, DatasetSpec::Sequential { .. }) {
            assert_ne!(
                a,
                dataset::generated_keys(&spec, 43).expect("keys"),
                "{spec:?}"
            );
        }
    }
    let e = dataset::generated_keys(
        &DatasetSpec::Sequential {
            n: 10,
            start: i64::MAX - 3,
            step: 1,
        },
        1,
    )
    .expect_err("overflow");
    assert!(matches!(e, DatasetError::Invalid(_)));
}

#[test]
fn generated_values_compress_about_two_to_one() {
    // The fraction of distinct 4-byte windows is a cheap stand-in for compressibility:
    // a value of one repeated byte has almost none, random bytes have all, ours have half.
    let v = value_for(12345, 1000, 42);
    let windows: std::collections::HashSet<&[u8]> = v.windows(4).collect();
    let share = windows.len() as f64 / (v.len() - 3) as f64;
    assert!((0.4..0.6).contains(&share), "{share}");
}

#[test]
fn cancelling_keeps_what_was_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    let cancel = Arc::new(AtomicBool::new(false));
    let src = dataset::open(
        &DatasetSpec::Random { n: 100_000 },
        GenOptions::default(),
        cancel.clone(),
    )
    .expect("open");
    let mut seen = 0u64;
    let rows = src.rows.map(|r| {
        seen += 1;
        if seen == 30_000 {
            cancel.store(true, Ordering::Relaxed);
        }
        r.map_err(|e| DbError::Input(e.to_string()))
    });
    let r = db.load_results(rows, |_| {}).expect("load");
    assert_eq!(r.rows, 30_000);
    assert_eq!(db.count(), 30_000);
    assert!(db.check().expect("check").ok);
}

/// Issue 27 item 5: a CSV file without line ends (300 MB of zeros, sparse) is refused
/// after reading one record's limit, naming the header or the row, and the database is
/// left as it was.
#[test]
fn a_record_without_end_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    db.put(7, b"before").expect("put");
    for (head, place) in [
        (&b""[..], "header (line 1)"),
        (b"id,name\n1,a\n", "row 2 (line 3)"),
        (b"id,name\n1,\"", "row 1 (line 2)"),
    ] {
        let p = dir.path().join("zeros.csv");
        std::fs::write(&p, head).expect("write");
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .expect("open");
        f.set_len(300 << 20).expect("a sparse 300 MB file");
        let spec = DatasetSpec::Csv {
            path: p,
            key: "id".into(),
            value: None,
        };
        let e = load(&db, &spec).expect_err("no line end");
        assert!(e.contains(place), "{e}");
        assert!(e.contains("the value limit is 16777216 bytes"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        assert_eq!(db.count(), 1, "{place}");
        assert_eq!(db.get(1).expect("get"), None, "{place}");
        assert_eq!(db.get(7).expect("get").as_deref(), Some(&b"before"[..]));
    }
}

/// A row in the middle with a field over the value limit is named by its row and
/// line, and nothing of the file is loaded; a field of exactly the limit loads, but
/// not as a whole-row value (the row is longer than its field).
#[test]
fn a_huge_field_in_a_middle_row_names_the_row_and_loads_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = db(dir.path());
    db.put(1, b"before").expect("put");
    let max = engine::MAX_VALUE_BYTES;
    let huge = "h".repeat(max + (1 << 20));
    let spec = csv(dir.path(), &format!("id,name\n1,a\n2,b\n3,{huge}\n4,d\n"));
    let e = load(&db, &spec).expect_err("too large");
    assert!(e.contains("row 3 (line 4)"), "{}", &e[..e.len().min(300)]);
    assert!(e.contains("nothing was loaded"), "{e}");
    assert_eq!(db.count(), 1);
    assert_eq!(db.get(1).expect("get").as_deref(), Some(&b"before"[..]));
    assert_eq!(db.get(2).expect("get"), None);

    let exact = "e".repeat(max);
    let spec = csv(dir.path(), &format!("id,name\n5,{exact}\n"));
    assert_eq!(load(&db, &spec), Ok((1, 0)));
    assert_eq!(db.get(5).expect("get").map(|v| v.len()), Some(max));
    let DatasetSpec::Csv { path, .. } = spec else {
        unreachable!()
    };
    let whole = DatasetSpec::Csv {
        path,
        key: "id".into(),
        value: None,
    };
    let e = load(&db, &whole).expect_err("the whole row is over the limit");
    assert!(
        e.contains("row 1 (line 2)") && e.contains(&format!("its value has {} bytes", max + 2)),
        "{e}"
    );
    assert_eq!(db.count(), 2);
}

/// With `bulk_load_method = wal-off-batches` (an empty database) the batches written
/// before a bad row stay: the message says how many, rather than "nothing was loaded".
#[test]
fn a_bad_row_after_written_batches_says_what_stays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open_with(
        dir.path().join("db"),
        DbOptions {
            block_cache_bytes: 8 << 20,
            bulk_load_method: engine::BulkLoadMethod::WalOffBatches,
            ..DbOptions::default()
        },
    )
    .expect("open");
    let mut text = String::from("id,name\n");
    for k in 0..15_000 {
        text.push_str(&format!("{k},v\n"));
    }
    text.push_str("x,bad\n");
    let e = load(&db, &csv(dir.path(), &text)).expect_err("bad key");
    assert!(e.contains("line 15002"), "{e}");
    assert!(
        e.contains("the first 10000 rows were loaded and stay"),
        "{e}"
    );
    assert_eq!(db.count(), 10_000);
    let e = load(&db, &csv(dir.path(), "id,name\n1,a\nx,b\n")).expect_err("bad key");
    assert!(e.contains("nothing was loaded"), "{e}");
}

/// The workload crate sits below the engine and keeps its own copy of the value limit
/// (a CSV row is refused past it): the two must agree.
#[test]
fn the_dataset_value_limit_is_the_engines() {
    assert_eq!(workload::dataset::MAX_VALUE_BYTES, engine::MAX_VALUE_BYTES);
}
