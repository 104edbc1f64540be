//! Issue 32: the trace format (docs/trace.md) and recording through a real `Db`.
use std::path::Path;

use engine::trace::{
    HEADER_BYTES, RECORD_BYTES, TraceError, TraceOp, TraceReader, TraceRecord, TraceWriter,
    VERSION, read_trace, value_bytes,
};
use engine::{Db, DbOptions};

fn every_kind() -> Vec<TraceRecord> {
    let ops = [
        TraceOp::Get(-5),
        TraceOp::Put {
            key: i64::MAX,
            value_len: 1000,
        },
        TraceOp::Delete(i64::MIN),
        TraceOp::DeleteRange(10, 20),
        TraceOp::Scan {
            start: -100,
            end: 100,
            limit: 7,
        },
        TraceOp::Scan {
            start: 0,
            end: 1,
            limit: u64::MAX,
        },
    ];
    ops.iter()
        .enumerate()
        .map(|(i, &op)| TraceRecord {
            offset_us: i as u64 * 1500,
            op,
        })
        .collect()
}

fn write(path: &Path, records: &[TraceRecord]) {
    let mut w = TraceWriter::create(path, 1_700_000_000_000_000).unwrap();
    for r in records {
        w.push(r).unwrap();
    }
    assert_eq!(
        w.bytes() as usize,
        HEADER_BYTES + records.len() * RECORD_BYTES
    );
    w.finish().unwrap();
}

#[test]
fn trace_round_trip_of_every_op_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.trace");
    let records = every_kind();
    write(&path, &records);
    let len = std::fs::metadata(&path).unwrap().len() as usize;
    assert_eq!(len, HEADER_BYTES + records.len() * RECORD_BYTES);
    let (header, back) = read_trace(&path).unwrap();
    assert_eq!(header.version, VERSION);
    assert_eq!(header.start_unix_us, 1_700_000_000_000_000);
    assert_eq!(back, records);
}

#[test]
fn trace_writer_refuses_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.trace");
    std::fs::write(&path, b"keep me").unwrap();
    assert!(TraceWriter::create(&path, 0).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
}

#[test]
fn truncated_trace_keeps_the_complete_records_then_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.trace");
    let records = every_kind();
    write(&full, &records);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.trace");
    // Inside the header: no records, an error naming the header.
    for at in [9, HEADER_BYTES - 1] {
        std::fs::write(&cut, &bytes[..at]).unwrap();
        let Err(e) = TraceReader::open(&cut) else {
            panic!("a header cut at {at} opened");
        };
        assert!(
            matches!(e, TraceError::TruncatedHeader { got, .. } if got == at),
            "{e}"
        );
        assert!(e.to_string().contains("header"), "{e}");
    }
    // Mid-record: the records before the cut, then the error with its offset.
    for whole in [0, 1, 3] {
        for part in [1, RECORD_BYTES / 2, RECORD_BYTES - 1] {
            let at = HEADER_BYTES + whole * RECORD_BYTES + part;
            std::fs::write(&cut, &bytes[..at]).unwrap();
            let items: Vec<_> = TraceReader::open(&cut).unwrap().collect();
            assert_eq!(items.len(), whole + 1, "cut at {at}");
            for (got, want) in items[..whole].iter().zip(&records) {
                assert_eq!(got.as_ref().unwrap(), want);
            }
            let e = items.last().unwrap().as_ref().unwrap_err();
            let offset = (HEADER_BYTES + whole * RECORD_BYTES) as u64;
            assert!(
                matches!(e, TraceError::Truncated { records, offset: o, got, .. }
                    if *records == whole as u64 && *o == offset && *got == part),
                "{e}"
            );
            assert!(
                e.to_string().contains(&format!("byte offset {offset}")),
                "{e}"
            );
            assert!(read_trace(&cut).is_err(), "read_trace accepts a cut file");
        }
    }
    // Cut exactly after a record: a shorter, valid trace.
    std::fs::write(&cut, &bytes[..HEADER_BYTES + 2 * RECORD_BYTES]).unwrap();
    assert_eq!(read_trace(&cut).unwrap().1, records[..2]);
}

#[test]
fn wrong_version_and_wrong_magic_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.trace");
    write(&path, &every_kind());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let e = read_trace(&path).unwrap_err();
    assert!(matches!(e, TraceError::Version { found: 7, .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("version 7") && text.contains(&format!("version {VERSION}")),
        "{text}"
    );

    bytes[..8].copy_from_slice(b"SQLite f");
    std::fs::write(&path, &bytes).unwrap();
    let e = read_trace(&path).unwrap_err();
    assert!(matches!(e, TraceError::NotATrace { .. }), "{e}");

    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        read_trace(&path),
        Err(TraceError::NotATrace { .. })
    ));
    let missing = dir.path().join("none.trace");
    assert!(matches!(read_trace(&missing), Err(TraceError::Io { .. })));
}

#[test]
fn unknown_op_code_ends_the_trace_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.trace");
    write(&path, &every_kind());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[HEADER_BYTES + 2 * RECORD_BYTES] = 99;
    std::fs::write(&path, &bytes).unwrap();
    let items: Vec<_> = TraceReader::open(&path).unwrap().collect();
    assert_eq!(items.len(), 3);
    let e = items[2].as_ref().unwrap_err();
    assert!(
        matches!(
            e,
            TraceError::BadRecord {
                record: 2,
                code: 99,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn recording_through_a_db_yields_its_operations_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), DbOptions::default()).unwrap();
    db.put(1, b"before").unwrap();
    let path = dir.path().join("ops.trace");
    db.start_trace(&path).unwrap();
    let again = db.start_trace(&dir.path().join("other.trace")).unwrap_err();
    assert!(again.to_string().contains("already"), "{again}");
    db.put(5, b"hello").unwrap();
    db.get(5).unwrap();
    db.get(6).unwrap();
    db.scan(0, 10, 3).unwrap();
    db.delete(5).unwrap();
    db.delete_range(100, 200).unwrap();
    assert_eq!(db.trace_status().unwrap().records, 6);
    let summary = db.stop_trace().unwrap();
    db.get(1).unwrap();
    assert_eq!(summary.records, 6);
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
    let (_, records) = read_trace(&path).unwrap();
    let ops: Vec<TraceOp> = records.iter().map(|r| r.op).collect();
    assert_eq!(
        ops,
        [
            TraceOp::Put {
                key: 5,
                value_len: 5
            },
            TraceOp::Get(5),
            TraceOp::Get(6),
            TraceOp::Scan {
                start: 0,
                end: 10,
                limit: 3
            },
            TraceOp::Delete(5),
            TraceOp::DeleteRange(100, 200),
        ]
    );
    assert!(records.windows(2).all(|w| w[0].offset_us <= w[1].offset_us));
    assert!(db.stop_trace().is_err(), "a second stop");
    assert!(db.trace_status().is_none());
}

#[test]
fn closing_the_db_stops_and_flushes_its_trace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.trace");
    {
        let db = Db::open_with(dir.path().join("db"), DbOptions::default()).unwrap();
        db.start_trace(&path).unwrap();
        for k in 0..100 {
            db.get(k).unwrap();
        }
        db.close().unwrap();
    }
    assert_eq!(read_trace(&path).unwrap().1.len(), 100);
    let path2 = dir.path().join("t2.trace");
    {
        let db = Db::open_with(dir.path().join("db"), DbOptions::default()).unwrap();
        db.start_trace(&path2).unwrap();
        db.get(1).unwrap();
    }
    assert_eq!(
        read_trace(&path2).unwrap().1.len(),
        1,
        "dropped, not closed"
    );
}

#[test]
fn start_trace_refuses_an_existing_file_and_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), DbOptions::default()).unwrap();
    let path = dir.path().join("exists.trace");
    std::fs::write(&path, b"x").unwrap();
    let e = db.start_trace(&path).unwrap_err();
    assert!(e.to_string().contains("exists"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), b"x");
    let e = db
        .start_trace(&dir.path().join("no/such/dir.trace"))
        .unwrap_err();
    assert!(e.to_string().contains("no/such"), "{e}");
    assert!(db.trace_status().is_none());
}

#[test]
fn replay_values_are_deterministic_and_of_the_recorded_length() {
    assert_eq!(value_bytes(42, 100), value_bytes(42, 100));
    assert_ne!(value_bytes(42, 100), value_bytes(43, 100));
    for len in [0, 1, 7, 8, 9, 4096] {
        assert_eq!(value_bytes(-1, len).len(), len);
    }
    assert_eq!(value_bytes(9, 20)[..], value_bytes(9, 30)[..20]);
}

#[test]
fn checkpoint_copy_opens_with_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), DbOptions::default()).unwrap();
    for k in 0..500 {
        db.put(k, format!("v{k}").as_bytes()).unwrap();
    }
    let copy_dir = dir.path().join("copy");
    db.checkpoint(&copy_dir).unwrap();
    let copy = Db::open_with(&copy_dir, db.options()).unwrap();
    assert_eq!(
        engine::testing::fingerprint(&copy),
        engine::testing::fingerprint(&db)
    );
    copy.put(1000, b"only in the copy").unwrap();
    assert!(db.get(1000).unwrap().is_none());
}
