//! Readers and writers on several threads against one `Db`, checked at the end against
//! what was written; and `Db: Send + Sync` checked at compile time.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;

use engine::{Db, DbOptions};

const fn assert_send_sync<T: Send + Sync>() {}
const _: () = assert_send_sync::<Db>();

fn options() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        write_buffer_size: 1 << 20,
        // Small enough that fills and evictions race with writes all the time.
        value_cache_entries: 512,
        value_cache_shards: 8,
        metrics_sample_rate: 4,
        ..DbOptions::default()
    }
}

/// Values say which key and which write they belong to: `k:<key>:w<writer>:<seq>`.
fn value(key: i64, writer: u64, seq: u64) -> Vec<u8> {
    format!("k:{key}:w{writer}:{seq}").into_bytes()
}

fn parse(v: &[u8]) -> (i64, u64, u64) {
    let s = std::str::from_utf8(v).unwrap();
    let mut p = s.split(':');
    assert_eq!(p.next(), Some("k"));
    let key = p.next().unwrap().parse().unwrap();
    let w = p.next().unwrap().trim_start_matches('w').parse().unwrap();
    let seq = p.next().unwrap().parse().unwrap();
    (key, w, seq)
}

#[test]
fn readers_and_writers_agree_with_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open_with(dir.path(), options()).unwrap());
    const WRITERS: u64 = 3;
    const OPS: u64 = 20_000;
    const PRIVATE: i64 = 400; // keys per writer that only it touches
    const SHARED: i64 = 64; // keys every writer fights over
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));

    // Writers: private keys (exact final state known) and shared keys (last writer wins).
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let db = Arc::clone(&db);
            thread::spawn(move || {
                let mut mine: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
                let base = -1_000_000 + (w as i64) * 10_000;
                let mut x = w.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                for seq in 0..OPS {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let r = x % 100;
                    if r < 15 {
                        let k = 1_000_000 + (x >> 8) as i64 % SHARED;
                        db.put(k, &value(k, w, seq)).unwrap();
                    } else {
                        let k = base + (x >> 8) as i64 % PRIVATE;
                        if r < 30 {
                            let existed = db.delete(k).unwrap();
                            assert_eq!(existed, mine.remove(&k).is_some(), "delete({k})");
                        } else {
                            let v = value(k, w, seq);
                            let new = db.put(k, &v).unwrap();
                            assert_eq!(new, mine.insert(k, v).is_none(), "put({k})");
                        }
                    }
                }
                mine
            })
        })
        .collect();

    // Readers: every value read must belong to the key asked for, and per key a reader
    // never sees a writer's older write after a newer one.
    let readers: Vec<_> = (0..3u64)
        .map(|r| {
            let db = Arc::clone(&db);
            let stop = Arc::clone(&stop);
            let reads = Arc::clone(&reads);
            thread::spawn(move || {
                let mut seen: BTreeMap<(i64, u64), u64> = BTreeMap::new();
                let mut x = (r + 7).wrapping_mul(0xD1B5_4A32_D192_ED03) | 1;
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let k = if x.is_multiple_of(4) {
                        1_000_000 + (x >> 8) as i64 % SHARED
                    } else {
                        -1_000_000
                            + ((x >> 8) % WRITERS) as i64 * 10_000
                            + (x >> 20) as i64 % PRIVATE
                    };
                    if let Some(v) = db.get(k).unwrap() {
                        let (vk, w, seq) = parse(&v);
                        assert_eq!(vk, k, "get({k}) returned another key's value");
                        if k < 1_000_000 {
                            let last = seen.entry((k, w)).or_insert(0);
                            assert!(seq >= *last, "get({k}) went back in time: {seq} < {last}");
                            *last = seq;
                        }
                    }
                    if x.is_multiple_of(64) {
                        let a = -1_000_000 + ((x >> 8) % WRITERS) as i64 * 10_000;
                        for (k, v) in db.scan(a, a + PRIVATE, 50).unwrap() {
                            assert_eq!(parse(&v).0, k);
                        }
                        let _ = db.count_range(a, a + PRIVATE);
                    }
                    n += 1;
                }
                reads.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();

    let mut expected: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
    for w in writers {
        expected.extend(w.join().unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    assert!(reads.load(Ordering::Relaxed) > 0);

    // Private keys: exactly what each writer left.
    let private: Vec<(i64, Vec<u8>)> = db
        .scan(i64::MIN, 999_999, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, v.to_vec()))
        .collect();
    let want: Vec<(i64, Vec<u8>)> = expected.into_iter().collect();
    assert!(
        private == want,
        "private keys differ from what the writers left"
    );

    // Every key: the cache (get) agrees with RocksDB (scan reads RocksDB directly), so
    // no stale value was left in the cache by a racing reader.
    let all = db.scan(i64::MIN, i64::MAX, usize::MAX).unwrap();
    for (k, v) in &all {
        assert_eq!(
            db.get(*k).unwrap().as_deref(),
            Some(&v[..]),
            "cache disagrees at {k}"
        );
        assert_eq!(
            db.get(*k).unwrap().as_deref(),
            Some(&v[..]),
            "cache disagrees at {k}"
        );
    }
    assert_eq!(db.count(), all.len() as u64);
    let check = db.check().unwrap();
    assert!(check.ok, "{check:?}");
}

#[test]
fn gets_during_a_load_see_old_or_new_never_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Db::open_with(dir.path(), options()).unwrap());
    for k in 0..2000i64 {
        db.put(k, b"old").unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let db = Arc::clone(&db);
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for k in (0..2000i64).step_by(37) {
                    let v = db.get(k).unwrap().unwrap();
                    assert!(&v[..] == b"old" || &v[..] == b"new");
                }
            }
        })
    };
    db.load((0..4000i64).map(|k| (k, b"new".to_vec()))).unwrap();
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    for k in 0..4000i64 {
        assert_eq!(
            db.get(k).unwrap().as_deref(),
            Some(&b"new"[..]),
            "key {k} after load"
        );
    }
    assert_eq!(db.count(), 4000);
}
