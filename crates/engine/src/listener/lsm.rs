//! The listener's LSM side: every flush, compaction and write-stall change RocksDB
//! reports, read from its C API job infos into plain figures and recorded in the
//! `Db`'s [`LsmLog`]. Each callback only reads the info RocksDB passes and takes the
//! log's mutex for a few copies; the one call back into RocksDB (the live file list, for
//! the input files' sizes when a compaction begins) is made where RocksDB has released
//! its own mutex (`OnCompactionBegin`, see mod.rs).
use std::cell::Cell;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::time::Instant;

use crate::lsm::stall::Condition;
use crate::lsm::{CompactionInfo, FlushDone, LsmLog};

/// RocksDB's `CompactionReason` values (include/rocksdb/listener.h) of FIFO's own
/// compactions: `kFIFOMaxSize`, `kFIFOReduceNumFiles`, `kFIFOTtl`.
pub(super) const FIFO_REASONS: [u32; 3] = [6, 7, 8];

/// A table file's number from RocksDB's name for it (`/000123.sst` -> 123).
pub(super) fn file_number(name: &[u8]) -> Option<u64> {
    let name = std::str::from_utf8(name).ok()?;
    let base = name.rsplit('/').next()?;
    base.strip_suffix(".sst")?.parse().ok()
}

// From RocksDB's C API (rocksdb/c.h); opaque RocksDB types are `c_void`, and every
// pointer passed must be one RocksDB gave.
unsafe extern "C" {
    fn rocksdb_flushjobinfo_job_id(info: *const c_void) -> c_int;
    fn rocksdb_flushjobinfo_flush_reason(info: *const c_void) -> u32;
    fn rocksdb_flushjobinfo_file_path(info: *const c_void, size: *mut usize) -> *const c_char;
    fn rocksdb_flushjobinfo_table_properties(info: *const c_void) -> *const c_void;
    fn rocksdb_table_properties_num_entries(props: *const c_void) -> u64;
    fn rocksdb_table_properties_data_size(props: *const c_void) -> u64;
    fn rocksdb_table_properties_index_size(props: *const c_void) -> u64;
    fn rocksdb_table_properties_filter_size(props: *const c_void) -> u64;
    fn rocksdb_compactionjobinfo_status(info: *const c_void, errptr: *mut *mut c_char);
    fn rocksdb_compactionjobinfo_job_id(info: *const c_void) -> c_int;
    fn rocksdb_compactionjobinfo_compaction_reason(info: *const c_void) -> u32;
    fn rocksdb_compactionjobinfo_base_input_level(info: *const c_void) -> c_int;
    fn rocksdb_compactionjobinfo_output_level(info: *const c_void) -> c_int;
    fn rocksdb_compactionjobinfo_input_files_count(info: *const c_void) -> usize;
    fn rocksdb_compactionjobinfo_output_files_count(info: *const c_void) -> usize;
    fn rocksdb_compactionjobinfo_input_file_info_at(
        info: *const c_void,
        pos: usize,
    ) -> *const c_void;
    fn rocksdb_compactionjobinfo_total_input_bytes(info: *const c_void) -> u64;
    fn rocksdb_compactionjobinfo_total_output_bytes(info: *const c_void) -> u64;
    fn rocksdb_compactionjobinfo_input_records(info: *const c_void) -> u64;
    fn rocksdb_compactionjobinfo_output_records(info: *const c_void) -> u64;
    fn rocksdb_compactionjobinfo_elapsed_micros(info: *const c_void) -> u64;
    fn rocksdb_compactionjobinfo_stats(info: *const c_void) -> *const c_void;
    fn rocksdb_compaction_job_stats_num_input_files_trivially_moved(stats: *const c_void) -> usize;
    fn rocksdb_compaction_file_info_file_number(file: *const c_void) -> u64;
    fn rocksdb_writestallinfo_cur(info: *const c_void) -> *const c_void;
    fn rocksdb_writestallinfo_prev(info: *const c_void) -> *const c_void;
    fn rocksdb_livefiles(db: *mut c_void) -> *const c_void;
    fn rocksdb_livefiles_count(files: *const c_void) -> c_int;
    fn rocksdb_livefiles_name(files: *const c_void, index: c_int) -> *const c_char;
    fn rocksdb_livefiles_level(files: *const c_void, index: c_int) -> c_int;
    fn rocksdb_livefiles_size(files: *const c_void, index: c_int) -> usize;
    fn rocksdb_livefiles_destroy(files: *const c_void);
    fn rocksdb_free(ptr: *mut c_void);
}

/// A flush began.
///
/// # Safety
/// `info` must be a live `rocksdb_flushjobinfo_t`.
pub(super) unsafe fn flush_begun(log: &LsmLog, store: u64, info: *const c_void) {
    // SAFETY: the caller's contract.
    let job = unsafe { rocksdb_flushjobinfo_job_id(info) };
    log.flush_begun(store, job, Instant::now());
}

/// A flush completed: its table file is written and in the tree.
///
/// # Safety
/// `info` must be a live `rocksdb_flushjobinfo_t`.
pub(super) unsafe fn flush_completed(log: &LsmLog, store: u64, info: *const c_void) {
    let at = Instant::now();
    installed();
    // SAFETY: the caller's contract; the path and the properties belong to `info` and
    // are read before this returns.
    let f = unsafe {
        let props = rocksdb_flushjobinfo_table_properties(info);
        let (records, approx) = if props.is_null() {
            (0, 0)
        } else {
            (
                rocksdb_table_properties_num_entries(props),
                rocksdb_table_properties_data_size(props)
                    + rocksdb_table_properties_index_size(props)
                    + rocksdb_table_properties_filter_size(props),
            )
        };
        let mut len = 0usize;
        let path = rocksdb_flushjobinfo_file_path(info, &mut len);
        // RocksDB counts the table file's size; its parts are the fallback when the
        // file is already gone (compacted away in the meantime).
        let bytes = (!path.is_null())
            .then(|| std::slice::from_raw_parts(path.cast::<u8>(), len))
            .and_then(|p| std::str::from_utf8(p).ok())
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(approx, |m| m.len());
        FlushDone {
            job: rocksdb_flushjobinfo_job_id(info),
            reason: rocksdb_flushjobinfo_flush_reason(info),
            bytes,
            records,
        }
    };
    log.flush_completed(store, f, at);
}

/// What a compaction's info says of it (its figures are zero at the beginning).
///
/// # Safety
/// `info` must be a live `rocksdb_compactionjobinfo_t`.
unsafe fn compaction_info(info: *const c_void) -> CompactionInfo {
    // SAFETY: the caller's contract; the stats belong to `info`.
    unsafe {
        let reason = rocksdb_compactionjobinfo_compaction_reason(info);
        let files_out = rocksdb_compactionjobinfo_output_files_count(info) as u64;
        let stats = rocksdb_compactionjobinfo_stats(info);
        let moved = !stats.is_null()
            && rocksdb_compaction_job_stats_num_input_files_trivially_moved(stats) > 0;
        CompactionInfo {
            job: rocksdb_compactionjobinfo_job_id(info),
            reason,
            from_level: rocksdb_compactionjobinfo_base_input_level(info),
            to_level: rocksdb_compactionjobinfo_output_level(info),
            files_in: rocksdb_compactionjobinfo_input_files_count(info) as u64,
            files_out,
            bytes_in: rocksdb_compactionjobinfo_total_input_bytes(info),
            bytes_out: rocksdb_compactionjobinfo_total_output_bytes(info),
            records_in: rocksdb_compactionjobinfo_input_records(info),
            records_out: rocksdb_compactionjobinfo_output_records(info),
            micros: rocksdb_compactionjobinfo_elapsed_micros(info),
            trivial_move: moved,
            deletion: FIFO_REASONS.contains(&reason) && files_out == 0,
            failed: failed(info),
        }
    }
}

/// True when the compaction's status is an error.
///
/// # Safety
/// `info` must be a live `rocksdb_compactionjobinfo_t`.
unsafe fn failed(info: *const c_void) -> bool {
    let mut err: *mut c_char = std::ptr::null_mut();
    // SAFETY: the caller's contract; RocksDB allocates the message, freed here.
    unsafe {
        rocksdb_compactionjobinfo_status(info, &mut err);
        if err.is_null() {
            return false;
        }
        rocksdb_free(err.cast());
    }
    true
}

/// A compaction began: it is under way, and the sizes of its inputs already at the
/// output level are read now, while the files are live (RocksDB's `Rnp1`, to split
/// `Read(GB)`).
///
/// # Safety
/// `db` must be the live `rocksdb_t` of a callback RocksDB makes without its mutex held,
/// and `info` a live `rocksdb_compactionjobinfo_t`.
pub(super) unsafe fn compaction_begun(
    log: &LsmLog,
    store: u64,
    db: *mut c_void,
    info: *const c_void,
) {
    let at = Instant::now();
    // SAFETY: the caller's contract.
    let (c, at_output) = unsafe {
        let c = compaction_info(info);
        // The info's per-file "level" is the index among the compaction's input levels
        // (BuildCompactionJobInfo), not the level: the live file list says which.
        let inputs: Vec<u64> = (0..rocksdb_compactionjobinfo_input_files_count(info))
            .map(|i| {
                rocksdb_compaction_file_info_file_number(
                    rocksdb_compactionjobinfo_input_file_info_at(info, i),
                )
            })
            .collect();
        (c, bytes_at_level(db, &inputs, c.to_level))
    };
    log.compaction_begun(store, c, at_output, at);
}

/// A compaction completed (or failed, or was a move or a FIFO deletion).
///
/// # Safety
/// `info` must be a live `rocksdb_compactionjobinfo_t`.
pub(super) unsafe fn compaction_completed(log: &LsmLog, store: u64, info: *const c_void) {
    let at = Instant::now();
    installed();
    // SAFETY: the caller's contract.
    let c = unsafe { compaction_info(info) };
    log.compaction_completed(store, c, at);
}

thread_local! {
    /// When this thread last installed a new version of the tree (sealed a memtable,
    /// completed a flush or a compaction) and has not reported a stall change since.
    static INSTALLED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// This thread just installed a new version of the tree. RocksDB computes the stall
/// condition as it installs one, but reports a change only when the thread's job is
/// done: a writer when its write returns, after waiting out the stall it began (its
/// memtable switch filled the last memtable); a flush or compaction thread after its
/// clean-up (deleting obsolete files). The moment of the install is when it happened;
/// RocksDB reports the flush or compaction and the sealed memtable right after it.
pub(super) fn installed() {
    // A thread being torn down has no local left: nothing to remember then.
    let _ = INSTALLED.try_with(|s| s.set(Some(Instant::now())));
}

/// Forgets this thread's install, before a call that may change the stall condition
/// without one the listener hears of (an option change, a file ingestion).
pub(super) fn forget_install() {
    let _ = INSTALLED.try_with(|s| s.set(None));
}

/// The write-stall condition changed: at this thread's last install when it has one
/// (see [`installed`]), else now.
///
/// # Safety
/// `info` must be a live `rocksdb_writestallinfo_t`.
pub(super) unsafe fn stall_changed(log: &LsmLog, info: *const c_void) {
    let installed = INSTALLED.try_with(Cell::take).ok().flatten();
    let at = installed.unwrap_or_else(Instant::now);
    // SAFETY: the caller's contract; both point to a C++ `WriteStallCondition` (an
    // `enum class` with `int` storage) inside `info`.
    let (cur, prev) = unsafe {
        let read = |p: *const c_void| (!p.is_null()).then(|| *p.cast::<c_int>());
        (
            read(rocksdb_writestallinfo_cur(info)),
            read(rocksdb_writestallinfo_prev(info)),
        )
    };
    if let (Some(to), Some(from)) = (
        cur.and_then(Condition::from_raw),
        prev.and_then(Condition::from_raw),
    ) {
        log.stall_changed(from, to, at);
    }
}

/// The total size of the live table files numbered in `inputs` that are at `level`;
/// `None` when one of `inputs` is not live (then the split of what was read is unknown).
///
/// # Safety
/// `db` must be a live `rocksdb_t` whose mutex this thread does not hold.
unsafe fn bytes_at_level(db: *mut c_void, inputs: &[u64], level: c_int) -> Option<u64> {
    // SAFETY: the caller's contract; the list is destroyed below, and every index read is
    // below its count.
    unsafe {
        let files = rocksdb_livefiles(db);
        if files.is_null() {
            return None;
        }
        let (mut total, mut found) = (0u64, 0usize);
        for i in 0..rocksdb_livefiles_count(files) {
            let name = rocksdb_livefiles_name(files, i);
            let number = (!name.is_null())
                .then(|| file_number(CStr::from_ptr(name).to_bytes()))
                .flatten();
            if !number.is_some_and(|n| inputs.contains(&n)) {
                continue;
            }
            found += 1;
            if rocksdb_livefiles_level(files, i) == level {
                total += rocksdb_livefiles_size(files, i) as u64;
            }
        }
        rocksdb_livefiles_destroy(files);
        (found == inputs.len()).then_some(total)
    }
}
