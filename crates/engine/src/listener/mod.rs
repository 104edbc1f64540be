//! RocksDB's event listener, reached through its C API (the `rocksdb` crate does not wrap
//! it), attached to every store. It records every flush, compaction and write-stall
//! change for the LSM figures and events (lsm.rs here, `crate::lsm` for the accounting;
//! issue 32), and in FIFO mode it tells the engine the key ranges of the table files FIFO
//! compaction deletes, so that ALEX and the value cache can follow (issue 27). It hears
//! of every deletion, also of files created and deleted between two commands, which a
//! comparison of file lists taken at two moments cannot see.
//!
//! RocksDB deletes FIFO files in a "deletion compaction" (db_impl_compaction_flush.cc,
//! `c->deletion_compaction()`): it calls `OnCompactionBegin` with its mutex released while
//! the input files are still in the current version, then removes them from the version
//! (`LogAndApply`), then calls `OnCompactionCompleted`. So at the beginning the listener
//! reads the input files' key ranges (`rocksdb_livefiles`), and only at the completion
//! hands them over as pending: a catch-up before that would still find the keys in
//! RocksDB. A compaction that began and never completed (a close interrupting it: RocksDB
//! skips the completion while shutting down) is handed over when RocksDB releases the
//! listener, which it does after its background work has stopped.
use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use rocksdb::{AsRawPtr, Options};

use super::keys::decode_key;
use super::lsm::LsmLog;

mod lsm;

use lsm::{FIFO_REASONS, file_number};

/// An inclusive key range.
pub(super) type KeyRange = (i64, i64);

// From RocksDB's C API (rocksdb/c.h), linked in through librocksdb-sys. Opaque RocksDB
// types are `c_void`; every pointer argument must be one RocksDB gave.
unsafe extern "C" {
    fn rocksdb_eventlistener_create(
        state: *mut c_void,
        destructor: unsafe extern "C" fn(*mut c_void),
        on_flush_begin: unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void),
        on_flush_completed: unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void),
        on_compaction_begin: unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void),
        on_compaction_completed: unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void),
        on_subcompaction_begin: unsafe extern "C" fn(*mut c_void, *const c_void),
        on_subcompaction_completed: unsafe extern "C" fn(*mut c_void, *const c_void),
        on_external_file_ingested: unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void),
        on_background_error: unsafe extern "C" fn(*mut c_void, u32, *mut c_void),
        on_stall_conditions_changed: unsafe extern "C" fn(*mut c_void, *const c_void),
        on_memtable_sealed: unsafe extern "C" fn(*mut c_void, *const c_void),
    ) -> *mut c_void;
    fn rocksdb_options_add_eventlistener(opts: *mut c_void, listener: *mut c_void);
    fn rocksdb_compactionjobinfo_compaction_reason(info: *const c_void) -> u32;
    fn rocksdb_compactionjobinfo_job_id(info: *const c_void) -> c_int;
    fn rocksdb_compactionjobinfo_input_files_count(info: *const c_void) -> usize;
    fn rocksdb_compactionjobinfo_input_file_info_at(
        info: *const c_void,
        pos: usize,
    ) -> *const c_void;
    fn rocksdb_compaction_file_info_file_number(file: *const c_void) -> u64;
    fn rocksdb_livefiles(db: *mut c_void) -> *const c_void;
    fn rocksdb_livefiles_count(files: *const c_void) -> c_int;
    fn rocksdb_livefiles_name(files: *const c_void, index: c_int) -> *const c_char;
    fn rocksdb_livefiles_smallestkey(
        files: *const c_void,
        index: c_int,
        size: *mut usize,
    ) -> *const c_char;
    fn rocksdb_livefiles_largestkey(
        files: *const c_void,
        index: c_int,
        size: *mut usize,
    ) -> *const c_char;
    fn rocksdb_livefiles_destroy(files: *const c_void);
}

/// What the listeners of every store a `Db` opens report: shared by the `Db` and the
/// listener of each of its RocksDB instances, so a deletion in a store closed by a
/// reopen is still followed in the next one, and the LSM figures count since the `Db`
/// opened.
#[derive(Debug, Default)]
pub(crate) struct FifoEvents {
    /// Flushes, compactions and stalls of every store (issue 32).
    pub(crate) lsm: LsmLog,
    state: Mutex<State>,
    /// Signalled when a deletion completes (or is handed over at a close).
    done: Condvar,
    /// Bumped each time ranges are handed over as pending.
    handed: AtomicU64,
    /// Deletion compactions begun and not yet handed over.
    in_flight: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    /// Key ranges of deleted files, not yet compared with ALEX.
    pending: Vec<KeyRange>,
}

impl FifoEvents {
    /// True when nothing was handed over since `seen` and no deletion is under way: the
    /// whole cost of following FIFO while nothing happens (two relaxed loads).
    #[inline]
    pub(super) fn quiet(&self, seen: u64) -> bool {
        self.in_flight.load(Ordering::Relaxed) == 0 && self.handed.load(Ordering::Relaxed) == seen
    }

    /// Waits, at most `limit`, until no deletion compaction is under way, so that an
    /// answer given now does not come from between RocksDB removing files and telling
    /// the listener. Returns false on a timeout.
    pub(super) fn wait_until_settled(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.state.lock();
        while self.in_flight.load(Ordering::Acquire) > 0 {
            if self.done.wait_until(&mut state, deadline).timed_out() {
                return self.in_flight.load(Ordering::Acquire) == 0;
            }
        }
        true
    }

    /// Takes the pending ranges, with the hand-over count they include.
    pub(super) fn take(&self) -> (Vec<KeyRange>, u64) {
        let mut state = self.state.lock();
        let handed = self.handed.load(Ordering::Acquire);
        (std::mem::take(&mut state.pending), handed)
    }

    /// Puts back ranges a catch-up could not finish, for the next one.
    pub(super) fn put_back(&self, ranges: Vec<KeyRange>) {
        if ranges.is_empty() {
            return;
        }
        let mut state = self.state.lock();
        state.pending.extend(ranges);
        self.handed.fetch_add(1, Ordering::Release);
    }

    fn begin(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    /// Hands over `jobs` deletion compactions' ranges as pending.
    fn hand_over(&self, ranges: Vec<KeyRange>, jobs: u64) {
        if jobs == 0 {
            return;
        }
        let mut state = self.state.lock();
        state.pending.extend(ranges);
        self.handed.fetch_add(1, Ordering::Release);
        self.in_flight.fetch_sub(jobs, Ordering::AcqRel);
        drop(state);
        self.done.notify_all();
    }
}

/// The state one RocksDB instance's listener carries.
struct Listener {
    events: Arc<FifoEvents>,
    /// This store's number in the LSM log (job ids are per RocksDB instance).
    store: u64,
    /// Key ranges of the input files of each deletion compaction begun, by job id (unique
    /// within one RocksDB instance, which is why this map is per listener).
    begun: Mutex<HashMap<c_int, Vec<KeyRange>>>,
}

impl Drop for Listener {
    /// RocksDB let go of the listener (the store closed, its background work stopped):
    /// a deletion that began without a completion call may have removed its files.
    fn drop(&mut self) {
        let begun = std::mem::take(self.begun.get_mut());
        let jobs = begun.len() as u64;
        self.events
            .hand_over(begun.into_values().flatten().collect(), jobs);
        self.events.lsm.store_closed(self.store);
    }
}

/// Adds a listener reporting to `events` to `opts`, before RocksDB opens with them.
/// RocksDB owns it from then on (through every copy of `opts`) and drops its state when
/// the last copy and the database are gone.
pub(super) fn attach(opts: &Options, events: &Arc<FifoEvents>) {
    let state = Box::into_raw(Box::new(Listener {
        events: Arc::clone(events),
        store: events.lsm.new_store(),
        begun: Mutex::new(HashMap::new()),
    }));
    // SAFETY: `state` is a live Box pointer whose only owner from now on is the C++
    // listener, which passes it back to `drop_state` exactly once (its destructor) and to
    // the callbacks before that. Every callback is a non-null function with the signature
    // c.h gives it (the C++ wrapper calls each one without a null check). `opts` is a
    // live `rocksdb_options_t` while `opts` is borrowed; the options take ownership of
    // the listener object RocksDB created.
    unsafe {
        let listener = rocksdb_eventlistener_create(
            state.cast(),
            drop_state,
            on_flush_begin,
            on_flush_completed,
            on_compaction_begin,
            on_compaction_completed,
            ignore_event,
            ignore_event,
            ignore_db_event,
            ignore_background_error,
            on_stall_conditions_changed,
            on_memtable_sealed,
        );
        rocksdb_options_add_eventlistener(opts.as_raw_ptr().cast(), listener);
    }
}

/// The listener's destructor.
unsafe extern "C" fn drop_state(state: *mut c_void) {
    // SAFETY: `state` is the pointer `attach` made with `Box::into_raw`, and RocksDB calls
    // the destructor once, after the last callback.
    drop(unsafe { Box::from_raw(state.cast::<Listener>()) });
}

unsafe extern "C" fn ignore_db_event(_: *mut c_void, _: *mut c_void, _: *const c_void) {}

unsafe extern "C" fn ignore_event(_: *mut c_void, _: *const c_void) {}

unsafe extern "C" fn ignore_background_error(_: *mut c_void, _: u32, _: *mut c_void) {}

/// The listener behind RocksDB's `state` pointer.
///
/// # Safety
/// `state` must be the pointer `attach` gave RocksDB.
unsafe fn listener<'a>(state: *mut c_void) -> &'a Listener {
    // SAFETY: the caller's contract; the listener lives until its destructor, which RocksDB
    // calls after the last callback.
    unsafe { &*state.cast::<Listener>() }
}

/// The compaction's job id when it is one of FIFO's.
///
/// # Safety
/// `info` must be a live `rocksdb_compactionjobinfo_t`.
unsafe fn fifo_job(info: *const c_void) -> Option<c_int> {
    // SAFETY: the caller's contract.
    let (reason, job) = unsafe {
        (
            rocksdb_compactionjobinfo_compaction_reason(info),
            rocksdb_compactionjobinfo_job_id(info),
        )
    };
    FIFO_REASONS.contains(&reason).then_some(job)
}

unsafe extern "C" fn on_flush_begin(state: *mut c_void, _db: *mut c_void, info: *const c_void) {
    // SAFETY: RocksDB passes the state `attach` gave it and a live flush job info.
    unsafe {
        let l = listener(state);
        lsm::flush_begun(&l.events.lsm, l.store, info);
    }
}

unsafe extern "C" fn on_flush_completed(state: *mut c_void, _db: *mut c_void, info: *const c_void) {
    // SAFETY: RocksDB passes the state `attach` gave it and a live flush job info.
    unsafe {
        let l = listener(state);
        lsm::flush_completed(&l.events.lsm, l.store, info);
    }
}

unsafe extern "C" fn on_memtable_sealed(_state: *mut c_void, _info: *const c_void) {
    lsm::installed();
}

/// Call before an option change or a file ingestion on this thread: a stall change it
/// causes happens then, not at this thread's last install.
pub(super) fn forget_install() {
    lsm::forget_install();
}

unsafe extern "C" fn on_stall_conditions_changed(state: *mut c_void, info: *const c_void) {
    // SAFETY: RocksDB passes the state `attach` gave it and a live write-stall info.
    unsafe { lsm::stall_changed(&listener(state).events.lsm, info) }
}

/// A compaction begins. Called by RocksDB without its mutex held (NotifyOnCompactionBegin
/// releases it), so the live file list can be read.
unsafe extern "C" fn on_compaction_begin(state: *mut c_void, db: *mut c_void, info: *const c_void) {
    // SAFETY: RocksDB passes the state `attach` gave it, its live `rocksdb_t` and a live
    // job info, with its mutex released.
    unsafe {
        let l = listener(state);
        fifo_begin(l, db, info);
        lsm::compaction_begun(&l.events.lsm, l.store, db, info);
    }
}

/// A FIFO compaction begins: its input files are still live, so their key ranges can
/// be read.
///
/// # Safety
/// As for `on_compaction_begin`.
unsafe fn fifo_begin(listener: &Listener, db: *mut c_void, info: *const c_void) {
    // SAFETY: the caller's contract.
    let Some(job) = (unsafe { fifo_job(info) }) else {
        return;
    };
    // SAFETY: `info` is live for this call; positions are below the count it gives.
    let inputs: Vec<u64> = unsafe {
        (0..rocksdb_compactionjobinfo_input_files_count(info))
            .map(|i| {
                rocksdb_compaction_file_info_file_number(
                    rocksdb_compactionjobinfo_input_file_info_at(info, i),
                )
            })
            .collect()
    };
    // SAFETY: `db` is the live `rocksdb_t` of this callback; RocksDB's mutex is released
    // during it, so listing the live files (which takes the mutex) cannot deadlock.
    let ranges = unsafe { input_ranges(db, &inputs) };
    listener.events.begin();
    listener.begun.lock().insert(job, ranges);
}

/// A compaction completed: its input files are out of the current version.
unsafe extern "C" fn on_compaction_completed(
    state: *mut c_void,
    _db: *mut c_void,
    info: *const c_void,
) {
    // SAFETY: RocksDB passes the state `attach` gave it and a live job info.
    unsafe {
        let l = listener(state);
        lsm::compaction_completed(&l.events.lsm, l.store, info);
        fifo_completed(l, info);
    }
}

/// A FIFO compaction completed: its ranges are handed over.
///
/// # Safety
/// `info` must be a live `rocksdb_compactionjobinfo_t`.
unsafe fn fifo_completed(listener: &Listener, info: *const c_void) {
    // SAFETY: the caller's contract.
    let Some(job) = (unsafe { fifo_job(info) }) else {
        return;
    };
    if let Some(ranges) = listener.begun.lock().remove(&job) {
        listener.events.hand_over(ranges, 1);
    }
}

/// The key ranges of the live table files numbered in `inputs`. A file not found, or
/// whose keys are not alexdb's, counts as every key: ALEX is then compared with RocksDB
/// everywhere, which is slow but never wrong.
///
/// # Safety
/// `db` must be a live `rocksdb_t`.
unsafe fn input_ranges(db: *mut c_void, inputs: &[u64]) -> Vec<KeyRange> {
    const EVERY_KEY: KeyRange = (i64::MIN, i64::MAX);
    // SAFETY: `db` is live (the caller's contract); the list is destroyed below, and
    // every index read is below its count.
    unsafe {
        let files = rocksdb_livefiles(db);
        if files.is_null() {
            return vec![EVERY_KEY];
        }
        let mut found = Vec::with_capacity(inputs.len());
        let mut out = Vec::with_capacity(inputs.len());
        for i in 0..rocksdb_livefiles_count(files) {
            let name = rocksdb_livefiles_name(files, i);
            let number = (!name.is_null())
                .then(|| file_number(CStr::from_ptr(name).to_bytes()))
                .flatten();
            let Some(number) = number.filter(|n| inputs.contains(n)) else {
                continue;
            };
            found.push(number);
            let first = key_at(files, i, rocksdb_livefiles_smallestkey);
            let last = key_at(files, i, rocksdb_livefiles_largestkey);
            out.push(match (first, last) {
                (Some(a), Some(b)) => (a, a.max(b)),
                _ => EVERY_KEY,
            });
        }
        rocksdb_livefiles_destroy(files);
        if inputs.iter().any(|n| !found.contains(n)) {
            out.push(EVERY_KEY);
        }
        out
    }
}

type KeyGetter = unsafe extern "C" fn(*const c_void, c_int, *mut usize) -> *const c_char;

/// The key `get` gives for live file `i`, decoded.
///
/// # Safety
/// `files` must be a live `rocksdb_livefiles_t` and `i` below its count.
unsafe fn key_at(files: *const c_void, i: c_int, get: KeyGetter) -> Option<i64> {
    let mut len = 0usize;
    // SAFETY: the caller's contract; RocksDB returns a pointer to `len` bytes owned by the
    // list, read before the list is destroyed.
    unsafe {
        let p = get(files, i, &mut len);
        if p.is_null() {
            return None;
        }
        decode_key(std::slice::from_raw_parts(p.cast::<u8>(), len))
    }
}

/// What the `Db` knows of RocksDB's FIFO deletions.
#[derive(Debug)]
pub(crate) struct FifoWatch {
    /// Filled by the listener of every store this `Db` opens (see [`FifoWatch::events`]).
    pub(crate) events: Arc<FifoEvents>,
    /// The events' hand-over count ALEX agrees with.
    pub(crate) seen: AtomicU64,
    /// One thread catches up at a time; the others wait for its result.
    pub(crate) busy: Mutex<()>,
}

impl FifoWatch {
    pub(crate) fn new() -> FifoWatch {
        FifoWatch {
            events: Arc::default(),
            seen: AtomicU64::new(0),
            busy: Mutex::new(()),
        }
    }

    /// What a store opened for this `Db` reports to (every store's listener): one for
    /// all the stores a reopen goes through, so deletions in a store a reopen closed are
    /// followed in the next, and the LSM figures count from the `Db`'s open.
    pub(crate) fn events(&self) -> &Arc<FifoEvents> {
        &self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_numbers_come_from_rocksdb_names() {
        assert_eq!(file_number(b"/000123.sst"), Some(123));
        assert_eq!(file_number(b"000007.sst"), Some(7));
        assert_eq!(file_number(b"/000123.blob"), None);
        assert_eq!(file_number(b"/MANIFEST-000005"), None);
    }

    #[test]
    fn ranges_are_pending_only_once_handed_over() {
        let ev = FifoEvents::default();
        assert!(ev.quiet(0));
        ev.begin();
        assert!(!ev.quiet(0), "a deletion under way is not quiet");
        assert!(!ev.wait_until_settled(Duration::from_millis(1)));
        assert_eq!(ev.take().0, vec![], "nothing pending before the completion");
        ev.hand_over(vec![(1, 5)], 1);
        assert!(ev.wait_until_settled(Duration::from_millis(1)));
        let (ranges, handed) = ev.take();
        assert_eq!((ranges, handed), (vec![(1, 5)], 1));
        assert!(ev.quiet(handed));
        ev.put_back(vec![(1, 5)]);
        assert!(!ev.quiet(handed));
    }

    #[test]
    fn a_dropped_listener_hands_over_what_began() {
        let events = Arc::new(FifoEvents::default());
        let listener = Listener {
            events: Arc::clone(&events),
            store: events.lsm.new_store(),
            begun: Mutex::new(HashMap::new()),
        };
        events.begin();
        listener.begun.lock().insert(3, vec![(10, 20)]);
        drop(listener);
        assert!(events.wait_until_settled(Duration::ZERO));
        assert_eq!(events.take().0, vec![(10, 20)]);
    }
}
