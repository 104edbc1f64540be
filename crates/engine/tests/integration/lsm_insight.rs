//! Issue 32: what the engine's RocksDB listener reports of flushes, compactions and write
//! stalls agrees with RocksDB's own Compaction Stats table and stall figures, and the
//! text readers read RocksDB's real texts.
use std::time::{Duration, Instant};

use engine::lsm::parse::{self, BlockKindEntry, CompactionStatsRow, StallCounts};
use engine::metrics::Snapshot;
use engine::{Db, DbOptions};

const GIB: usize = 1 << 30;

/// Small memtables and levels, so a few hundred thousand puts make many flushes and
/// compactions over several levels.
fn write_heavy() -> DbOptions {
    DbOptions {
        block_cache_bytes: 8 << 20,
        value_cache_entries: 0,
        write_buffer_size: 256 << 10,
        level0_file_num_compaction_trigger: 2,
        target_file_size_base: 256 << 10,
        max_bytes_for_level_base: 512 << 10,
        wal: false,
        ..DbOptions::default()
    }
}

/// Waits until RocksDB has no flush or compaction running or due.
fn wait_idle(db: &Db) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let prop = |name: &str| db.rocksdb_property(name).unwrap_or_default();
    while Instant::now() < deadline {
        let busy = [
            "rocksdb.num-running-compactions",
            "rocksdb.num-running-flushes",
            "rocksdb.compaction-pending",
            "rocksdb.mem-table-flush-pending",
        ]
        .iter()
        .any(|p| prop(p) != "0");
        if !busy {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("compactions still running after two minutes");
}

/// `n` puts of 256-byte values over `keys` keys (overwrites when `n > keys`); the
/// values hardly compress, so the tree holds about what was written.
fn overwrite(db: &Db, n: i64, keys: i64) {
    for i in 0..n {
        let k = (i * 7919) % keys;
        let v: String = (0..16u64)
            .map(|j| {
                let h = (i as u64 ^ (j << 40)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                format!("{:016x}", h ^ (h >> 29))
            })
            .collect();
        db.put(k, v.as_bytes()).expect("put");
    }
}

const GB: f64 = (1u64 << 30) as f64;

#[test]
fn per_level_figures_agree_with_rocksdbs_compaction_stats() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), write_heavy()).expect("open");
    // A bulk load ingests files: RocksDB counts them as L0's input beside the flushes.
    db.load((1_000_000..1_050_000).map(|k| (k, format!("{k:0>64}").into_bytes())))
        .expect("load");
    overwrite(&db, 300_000, 120_000);
    db.flush().expect("flush");
    wait_idle(&db);
    let s = db.metrics_snapshot();
    let stats = db.rocksdb_property("rocksdb.stats").expect("stats");
    let sum = s.rocksdb.level_sum();
    assert!(
        (sum.w_amp - sum_w_amp(&stats)).abs() <= 0.0501,
        "Sum W-Amp: ours {sum:?}\n{stats}"
    );
    assert!(s.rocksdb.amp.ingested_bytes > 0);
    let rows = parse::compaction_stats(&stats);
    let levels = &s.rocksdb.levels;
    assert!(
        rows.iter().filter(|r| r.comp_count > 0).count() >= 3,
        "flushes and compactions into at least three levels:\n{stats}"
    );
    for row in &rows {
        let ours = &levels[row.level as usize];
        let ctx = format!("L{}: ours {ours:?}\nRocksDB's {row:?}\n{stats}", row.level);
        // Exact: the same flushes and compactions counted.
        assert_eq!(ours.compactions, row.comp_count, "{ctx}");
        // RocksDB prints GB and W-Amp with one decimal: ours must round to its figure.
        let gb = |b: u64| b as f64 / GB;
        assert!(
            (gb(ours.write_bytes) - row.write_gb).abs() <= 0.0501,
            "{ctx}"
        );
        assert!((gb(ours.read_bytes) - row.read_gb).abs() <= 0.0501, "{ctx}");
        assert!(
            (gb(ours.read_above_bytes) - row.rn_gb).abs() <= 0.0501,
            "{ctx}"
        );
        assert!((ours.w_amp - row.w_amp).abs() <= 0.0501, "{ctx}");
        assert_eq!(ours.files, row.files, "{ctx}");
        assert!((ours.score - row.score).abs() < 1e-9, "{ctx}");
        if row.level > 0 {
            // Compactions: the seconds RocksDB measured, printed with two decimals
            // (a flush is timed by the listener from its beginning to its end instead).
            assert!(
                (ours.compaction_secs - row.comp_secs).abs() <= 0.0051,
                "{ctx}"
            );
        }
    }
    // Levels RocksDB leaves out of its table saw nothing.
    for l in levels
        .iter()
        .filter(|l| !rows.iter().any(|r| r.level == l.level))
    {
        assert_eq!((l.compactions, l.write_bytes, l.files), (0, 0, 0), "{l:?}");
    }
    // Flushed bytes, printed in GB with three decimals: L0's writes.
    let flushed = flush_gb(&stats);
    assert!(
        (levels[0].write_bytes as f64 / GB - flushed).abs() <= 0.000_51,
        "{flushed}\n{stats}"
    );
    // W-Amp of a level below L0 is what it wrote over what came from above, and
    // something was read from the level itself in at least one of them.
    assert!(levels.iter().any(|l| l.read_bytes > l.read_above_bytes));
    let amp = &s.rocksdb.amp;
    assert_eq!(
        amp.sst_written_bytes,
        levels.iter().map(|l| l.write_bytes).sum::<u64>()
    );
    assert!(amp.user_bytes >= 300_000 * 256, "{amp:?}");
    assert!(amp.write_amp > 1.0, "{amp:?}");
    assert!(amp.live_data_bytes > 0 && amp.space_amp >= 1.0, "{amp:?}");
    assert_eq!(
        amp.read_amp,
        levels[0].files + levels[1..].iter().filter(|l| l.files > 0).count() as u64
    );
    // The compaction debt's limits are the options in force.
    assert_eq!(s.rocksdb.soft_pending_limit, 64 << 30);
    assert_eq!(s.rocksdb.hard_pending_limit, 256 << 30);
    assert!(s.rocksdb.running.is_empty(), "{:?}", s.rocksdb.running);
}

/// The W-Amp of the Compaction Stats table's Sum row.
fn sum_w_amp(stats: &str) -> f64 {
    let mut lines = stats
        .lines()
        .skip_while(|l| !l.contains("** Compaction Stats"));
    let header = lines.find(|l| l.trim_start().starts_with("Level")).unwrap();
    let col = header
        .split_whitespace()
        .position(|w| w == "W-Amp")
        .unwrap();
    let sum = lines.find(|l| l.trim_start().starts_with("Sum")).unwrap();
    // The Files column is one word (`62/0`) in the Sum row as in the level rows, the
    // Size column two (`14.9 MB`), as the header's `Size` is one: shift by one.
    sum.split_whitespace()
        .nth(col + 1)
        .unwrap()
        .parse()
        .unwrap()
}

/// RocksDB's "Flush(GB): cumulative 0.012, interval ..." figure.
fn flush_gb(stats: &str) -> f64 {
    stats
        .lines()
        .find_map(|l| l.strip_prefix("Flush(GB): cumulative "))
        .and_then(|r| r.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .expect("a Flush(GB) line")
}

/// Stall events, seconds per cause.
fn stalled(s: &Snapshot) -> (f64, f64) {
    let st = &s.rocksdb.stall;
    (
        st.by_cause.iter().map(|c| c.delayed_secs).sum(),
        st.by_cause.iter().map(|c| c.stopped_secs).sum(),
    )
}

#[test]
fn an_overwrite_burst_stalls_writes_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        write_buffer_size: 64 << 10,
        max_write_buffer_number: 2,
        level0_slowdown_writes_trigger: 3,
        level0_stop_writes_trigger: 5,
        max_background_jobs: 1,
        ..write_heavy()
    };
    let db = Db::open_with(dir.path().join("db"), o).expect("open");
    overwrite(&db, 150_000, 20_000);
    // Right after the burst: every stalled second so far had the writer waiting in it.
    let s = db.metrics_snapshot();
    let dbstats = db.rocksdb_property("rocksdb.dbstats").expect("dbstats");
    let waited = parse::cumulative_stall_secs(&dbstats).expect("a Cumulative stall line");
    let stalls: Vec<_> = s.events.iter().filter(|e| e.kind == "stall").collect();
    assert!(!stalls.is_empty(), "no stall in the burst:\n{dbstats}");
    for e in &stalls {
        let lsm = e.lsm.as_ref().expect("stall details");
        if lsm.stall_to != Some("normal") {
            assert!(
                ["l0 files", "memtables", "pending bytes"].contains(&lsm.reason.as_str()),
                "{e:?}"
            );
        }
    }
    assert!(
        stalls
            .iter()
            .any(|e| e.lsm.as_ref().unwrap().reason == "l0 files"),
        "with slowdown at 3 L0 files some stall is L0's: {:?}",
        stalls.iter().map(|e| &e.label).collect::<Vec<_>>()
    );
    // Every change is counted, even those the event log (1024 events) no longer holds.
    assert!(s.rocksdb.stall.changes >= stalls.len() as u64);
    // RocksDB counts the time writers waited: no more than the time writes were delayed
    // or stopped, and no less than the time they were stopped (the one writer never
    // stops writing during the burst).
    let (delayed, stopped) = stalled(&s);
    // In the order they happened, each change starts from where the one before ended
    // (RocksDB reports some late; the listener stamps them with when they happened).
    let mut sorted = stalls.clone();
    sorted.sort_by(|a, b| a.at_secs.total_cmp(&b.at_secs));
    let broken = sorted
        .windows(2)
        .filter(|w| w[0].lsm.as_ref().unwrap().stall_to != w[1].lsm.as_ref().unwrap().stall_from)
        .count();
    assert!(
        broken <= sorted.len() / 50,
        "{broken} of {} out of order",
        sorted.len()
    );
    let slack = 0.1 + 0.1 * (delayed + stopped);
    assert!(
        waited <= delayed + stopped + slack,
        "waited {waited}, delayed {delayed} stopped {stopped}"
    );
    assert!(
        stopped <= waited + slack,
        "waited {waited}, delayed {delayed} stopped {stopped}"
    );
    // Flushes and compactions came as events with their figures.
    let flushes: Vec<_> = s.events.iter().filter(|e| e.kind == "flush").collect();
    assert!(flushes.len() > 10, "{}", flushes.len());
    for f in &flushes {
        let lsm = f.lsm.as_ref().unwrap();
        assert_eq!((lsm.from_level, lsm.to_level), (-1, 0), "{f:?}");
        assert!(lsm.bytes_out > 0 && lsm.records_out > 0, "{f:?}");
        assert_eq!(lsm.reason, "write buffer full", "{f:?}");
    }
    let compactions: Vec<_> = s.events.iter().filter(|e| e.kind == "compaction").collect();
    assert!(!compactions.is_empty());
    for c in &compactions {
        let lsm = c.lsm.as_ref().unwrap();
        assert!(!lsm.reason.is_empty() && lsm.reason != "unknown", "{c:?}");
        assert!(
            lsm.to_level >= lsm.from_level && lsm.from_level >= 0,
            "{c:?}"
        );
        assert!(lsm.files_in > 0, "{c:?}");
        assert!(c.label.starts_with(&format!(
            "compaction L{}->L{} ",
            lsm.from_level, lsm.to_level
        )));
    }
    assert!(compactions.iter().any(|c| {
        let lsm = c.lsm.as_ref().unwrap();
        lsm.bytes_in > 0 && lsm.bytes_out > 0 && lsm.records_in >= lsm.records_out
    }));
    // The events are stamped with when they happened, within the database's life.
    assert!(s.events.iter().all(|e| e.at_secs <= s.uptime_secs));
    // A window after the burst has no old event again.
    let mut w = engine::metrics::MetricsWindow::new();
    let first = db.metrics_window(&mut w);
    let again = db.metrics_window(&mut w);
    assert!(
        again
            .events
            .iter()
            .all(|e| first.events.iter().all(|f| f.id != e.id))
    );
}

#[test]
fn the_block_cache_is_shown_by_block_kind() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), write_heavy()).expect("open");
    overwrite(&db, 20_000, 20_000);
    db.flush().expect("flush");
    wait_idle(&db);
    for k in 0..20_000 {
        db.get(k).expect("get");
    }
    let s = db.metrics_snapshot();
    let kinds = &s.rocksdb.block_cache_by_kind;
    let data = kinds
        .iter()
        .find(|k| k.kind == "data")
        .expect("data blocks");
    assert!(data.entries > 0 && data.bytes > 0, "{kinds:?}");
    let total: u64 = kinds.iter().map(|k| k.bytes).sum();
    // RocksDB prints sizes with two decimals of their unit.
    let usage = s.rocksdb.block_cache_usage;
    assert!(
        total <= usage + usage / 100 + 1024,
        "{total} > {usage}: {kinds:?}"
    );
    assert!(total >= usage / 2, "{total} of {usage}: {kinds:?}");
}

#[test]
fn stall_limits_are_options_with_rocksdbs_defaults_in_order() {
    let o = DbOptions::default();
    assert_eq!(
        (
            o.level0_slowdown_writes_trigger,
            o.level0_stop_writes_trigger
        ),
        (20, 36)
    );
    assert_eq!(
        (
            o.soft_pending_compaction_bytes_limit,
            o.hard_pending_compaction_bytes_limit
        ),
        (64 * GIB, 256 * GIB)
    );
    let mut o = DbOptions::default();
    let e = o
        .set("level0_stop_writes_trigger", "10")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "invalid option level0_stop_writes_trigger = 10: must be at least \
         level0_slowdown_writes_trigger (20)"
    );
    o.set("level0_slowdown_writes_trigger", "8")
        .expect("lower the slowdown first");
    o.set("level0_stop_writes_trigger", "10")
        .expect("then the stop");
    let e = o
        .set("hard_pending_compaction_bytes_limit", "1GiB")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("at least soft_pending_compaction_bytes_limit (64GiB)"),
        "{e}"
    );
    o.set("hard_pending_compaction_bytes_limit", "0")
        .expect("0 = no limit");
    o.set("soft_pending_compaction_bytes_limit", "0")
        .expect("0 = no limit");
    assert!(o.set("level0_slowdown_writes_trigger", "0").is_err());
    // Live: the store's figures follow a change.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), write_heavy()).expect("open");
    db.set_option("soft_pending_compaction_bytes_limit", "1GiB")
        .expect("set");
    let s = db.metrics_snapshot();
    assert_eq!(s.rocksdb.soft_pending_limit, 1 << 30);
}

/// RocksDB 11.8's `rocksdb.stats` text, cut to the parts read.
const STATS: &str = "
** Compaction Stats [default] **
Level    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) WPreComp(GB) Wnew(GB) Moved(GB) W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop Rblob(GB) Wblob(GB)
------------------------------------------------------------------------------------------------------
  L0      3/1    1.23 MB   0.8      0.0     0.0      0.0       0.1       0.0      0.0       0.0   1.0      0.0      6.1      0.37              0.12       174    0.002    199K      0       0.0       0.0
  L6      2/0    312.00 KB   0.0      2.5     0.4      2.1       2.3       0.0      0.2       0.3   5.8     12.9     10.7      0.87              0.43        38    0.023   1682K   149K       0.0       0.0
 Sum      5/1    1.54 MB   0.0      2.5     0.4      2.1       2.4       0.0      0.2       0.3   5.2      9.1      9.3      1.24              0.55       212    0.006   1882K   149K       0.0       0.0
 Int      0/0      0.00 KB   0.0      0.0     0.0      0.0       0.0       0.0      0.0       0.0   5.2      9.1      9.3      1.24              0.55       212    0.006   1882K   149K       0.0       0.0

** Compaction Stats [default] **
Priority    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) WPreComp(GB) Wnew(GB) Moved(GB) W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop Rblob(GB) Wblob(GB)
 Low      0/0      0.00 KB   0.0      0.0     0.0      0.0       0.0       0.4      0.0       0.0   0.0     12.9     10.7      0.87              0.43        38    0.023   1682K   149K       0.0       0.0
Estimated pending compaction bytes: 0
Write Stall (count): cf-l0-file-count-limit-delays-with-ongoing-compaction: 2, cf-l0-file-count-limit-stops-with-ongoing-compaction: 0, l0-file-count-limit-delays: 2, l0-file-count-limit-stops: 1, memtable-limit-delays: 42, memtable-limit-stops: 3, pending-compaction-bytes-delays: 4, pending-compaction-bytes-stops: 5, total-delays: 48, total-stops: 9
interval: 44 total count
Block cache LRUCache@0x7f7e28003f10#8652 capacity: 8.00 MB seed: 1177849269 usage: 0.08 KB table_size: 256 occupancy: 1 collections: 1 last_copies: 1 last_secs: 3.6e-05 secs_since: 1
Block cache entry stats(count,size,portion): DataBlock(120,1.50 MB,18.75%) IndexBlock(7,12.25 KB,0.149536%) FilterMetaBlock(1,0.00 KB,0%) Misc(1,0.00 KB,0%)

** DB Stats **
Uptime(secs): 1.1 total, 1.1 interval
Cumulative stall: 00:01:2.159 H:M:S, 14.2 percent
Interval stall: 00:00:0.159 H:M:S, 14.3 percent
";

#[test]
fn the_compaction_stats_table_is_read_by_its_header() {
    let rows = parse::compaction_stats(STATS);
    assert_eq!(
        rows,
        [
            CompactionStatsRow {
                level: 0,
                files: 3,
                score: 0.8,
                read_gb: 0.0,
                rn_gb: 0.0,
                rnp1_gb: 0.0,
                write_gb: 0.1,
                moved_gb: 0.0,
                w_amp: 1.0,
                comp_secs: 0.37,
                comp_count: 174,
            },
            CompactionStatsRow {
                level: 6,
                files: 2,
                score: 0.0,
                read_gb: 2.5,
                rn_gb: 0.4,
                rnp1_gb: 2.1,
                write_gb: 2.3,
                moved_gb: 0.3,
                w_amp: 5.8,
                comp_secs: 0.87,
                comp_count: 38,
            },
        ]
    );
    assert_eq!(parse::compaction_stats("no table here"), []);
    // A damaged row is skipped, the rest read.
    let damaged = STATS.replace(
        "  L0      3/1    1.23 MB   0.8",
        "  L0      x/1    1.23 MB   0.8",
    );
    assert_eq!(parse::compaction_stats(&damaged).len(), 1);
}

#[test]
fn write_stall_counters_and_the_cumulative_stall_are_read() {
    assert_eq!(
        parse::stall_counts(STATS),
        Some(StallCounts {
            l0_delays: 2,
            l0_stops: 1,
            memtable_delays: 42,
            memtable_stops: 3,
            pending_delays: 4,
            pending_stops: 5,
        })
    );
    assert_eq!(parse::stall_counts("Uptime(secs): 1.1 total"), None);
    let secs = parse::cumulative_stall_secs(STATS).unwrap();
    assert!((secs - 62.159).abs() < 1e-9, "{secs}");
    assert_eq!(parse::cumulative_stall_secs("Cumulative stall: soon"), None);
}

#[test]
fn block_cache_entry_stats_are_read_by_kind() {
    let kinds = parse::block_cache_entries(STATS);
    let e = |kind: &str, entries, bytes| BlockKindEntry {
        kind: kind.to_string(),
        entries,
        bytes,
    };
    assert_eq!(
        kinds,
        [
            e("data", 120, 3 << 19),
            e("index", 7, 12_544),
            e("filter meta", 1, 0),
            e("misc", 1, 0),
        ]
    );
    assert_eq!(
        parse::block_cache_entries("Block cache entry stats(count,size,portion):"),
        []
    );
    assert_eq!(parse::block_cache_entries(""), []);
}

#[test]
fn the_figures_count_from_the_dbs_open_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_with(dir.path().join("db"), write_heavy()).expect("open");
    overwrite(&db, 500, 500);
    db.flush().expect("flush");
    let first = db.metrics_snapshot().rocksdb.levels[0];
    assert_eq!(first.compactions, 1, "{first:?}");
    db.reopen().expect("reopen");
    overwrite(&db, 500, 500);
    db.flush().expect("flush");
    // Two L0 files start a compaction: once it is done, nothing runs.
    wait_idle(&db);
    let s = db.metrics_snapshot();
    let l0 = s.rocksdb.levels[0];
    assert_eq!(l0.compactions, 2, "{l0:?}");
    assert!(l0.write_bytes > first.write_bytes, "{l0:?}");
    let flushes: Vec<_> = s
        .events
        .iter()
        .filter(|e| e.kind == "flush" && e.lsm.is_some())
        .collect();
    assert_eq!(flushes.len(), 2, "{flushes:?}");
    assert!(s.rocksdb.running.is_empty());
}

#[test]
fn fifo_deletions_are_events_that_count_no_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let o = DbOptions {
        compaction_style: engine::CompactionStyle::Fifo,
        fifo_max_size: 1 << 20,
        ..write_heavy()
    };
    let db = Db::open_with(dir.path().join("db"), o).expect("open");
    for round in 0..12 {
        overwrite(&db, 800, 100_000 + round);
        db.flush().expect("flush");
    }
    wait_idle(&db);
    let s = db.metrics_snapshot();
    let deleted: Vec<_> = s
        .events
        .iter()
        .filter(|e| e.kind == "compaction" && e.label.contains("deleted"))
        .collect();
    assert!(!deleted.is_empty(), "{:?}", s.events);
    for e in &deleted {
        let lsm = e.lsm.as_ref().unwrap();
        assert_eq!(lsm.reason, "fifo max size", "{e:?}");
        assert!(lsm.files_in > 0 && lsm.files_out == 0, "{e:?}");
    }
    // Only flushes wrote anything, all into L0.
    let l0 = s.rocksdb.levels[0];
    let flushes = s
        .events
        .iter()
        .filter(|e| e.kind == "flush" && e.lsm.is_some());
    assert_eq!(l0.compactions, flushes.count() as u64, "{l0:?}");
    assert_eq!(s.rocksdb.amp.sst_written_bytes, l0.write_bytes);
}

/// Records per listener-reported flush in `s`.
fn records_per_flush(s: &Snapshot) -> Vec<u64> {
    s.events
        .iter()
        .filter_map(|e| e.lsm.as_ref().filter(|_| e.kind == "flush"))
        .map(|l| l.records_out.max(l.records_in))
        .collect()
}

#[test]
fn a_write_buffer_made_smaller_live_still_fills_before_it_flushes() {
    // RocksDB sizes a memtable's arena blocks from the write buffer once, at open (an
    // eighth of it, at most 1 MiB). A buffer made smaller live kept 1 MiB blocks, so each
    // memtable was "full" at its first record and every put became its own flush.
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions {
        value_cache_entries: 0,
        wal: false,
        ..DbOptions::default()
    };
    let db = Db::open_with(dir.path().join("db"), opts).expect("open");
    db.set_option("write_buffer_size", "256KiB").expect("set");
    let mut window = engine::metrics::MetricsWindow::new();
    db.metrics_window(&mut window);
    overwrite(&db, 4_000, 4_000);
    db.flush().expect("flush");
    wait_idle(&db);
    let per_flush = records_per_flush(&db.metrics_window(&mut window));
    assert!(!per_flush.is_empty());
    // 256 KiB holds about 800 of these 290-byte entries; 4,000 puts make a few flushes.
    assert!(
        per_flush.len() <= 12,
        "{} flushes: {per_flush:?}",
        per_flush.len()
    );
    // The memtable in use when the buffer changed keeps its old blocks: it may flush
    // at once. The last flush is the one asked for.
    let full = &per_flush[1..per_flush.len() - 1];
    assert!(
        !full.is_empty() && full.iter().all(|&r| r >= 200),
        "{per_flush:?}"
    );
}
