//! Changing options on an open database: each option is applied the way RocksDB allows
//! (live setter, `SetOptions` for new files, or a reopen), every change is recorded as a
//! metrics event, and a failed reopen rolls back to the previous options with no data
//! lost. ALEX and the value cache stay in memory across a reopen: the keys did not change.
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde::Serialize;

use super::db::Db;
use super::error::DbError;
use super::options::{
    Applies, Apply, CompactionStyle, DbOptions, Opt, Setter, format_size, machine_memory,
};
use super::reopen::{Reopen, abandon, open_same, same_database};
use super::store::{Store, apply_perf_level, set_options_pairs};
use crate::metrics::NewEvent;

/// The level files go to when a database leaves universal compaction for level
/// compaction (RocksDB's default `num_levels` is 7).
const BOTTOM_LEVEL: i32 = 6;

/// What one option change did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionChange {
    pub name: &'static str,
    pub old: String,
    pub new: String,
    /// How it was applied (`Reopen` also when RocksDB refused a live change).
    pub applied: Applies,
    /// Seconds the change took (for a reopen: the whole reopen).
    pub secs: f64,
    /// Extra words for the user, e.g. why a live change became a reopen.
    pub note: Option<String>,
}

/// How a change to one option will be applied, decided before it is made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePlan {
    pub name: &'static str,
    pub old: String,
    pub new: String,
    /// How the engine will try to apply it.
    pub applies: Applies,
    /// True when the change reopens RocksDB, or may fall back to a reopen (RocksDB can
    /// refuse a new-files option live). Such a change can take a while: a front end
    /// should run it off its drawing thread.
    pub may_reopen: bool,
}

impl Db {
    /// Plans `.set name value` without doing it: the same checks as [`Db::set_option`]
    /// (a bad name or value is an error here) and the one answer to "will it reopen?".
    pub fn plan_option(&self, name: &str, value: &str) -> Result<ChangePlan, DbError> {
        let cur = self.options();
        let mut target = cur.clone();
        let opt = Opt::lookup(name)?;
        target.set(name, value)?;
        self.check_memory(&target)?;
        Ok(self.plan_one(opt, &cur, &target))
    }

    /// Plans moving every option to `target` (a profile, or the defaults): one plan per
    /// option that differs.
    pub fn plan_options(&self, target: &DbOptions) -> Result<Vec<ChangePlan>, DbError> {
        target.validate()?;
        self.check_memory(target)?;
        let cur = self.options();
        Ok(cur
            .diff(target)
            .into_iter()
            .map(|o| self.plan_one(o, &cur, target))
            .collect())
    }

    /// [`plan_one`], and a block cache made so much smaller that a reopen remakes it.
    fn plan_one(&self, opt: Opt, cur: &DbOptions, target: &DbOptions) -> ChangePlan {
        let mut plan = plan_one(opt, cur, target);
        if opt == Opt::BlockCacheSize {
            plan.may_reopen = self.store().is_ok_and(|s| {
                s.check_block_cache_capacity(target.block_cache_bytes)
                    .is_err()
            });
        }
        plan
    }

    /// Test hook: makes RocksDB's next live `SetOptions` fail as if it refused the
    /// change, so the fall-back to a reopen can be tested.
    #[doc(hidden)]
    #[cfg(feature = "test-hooks")]
    pub fn fail_next_live_set(&self) {
        self.fail_next_live_set.store(true, Ordering::Relaxed);
    }

    /// Sets one option (`block_cache_size`, `512MiB`) and applies it: live when RocksDB
    /// can change it, through `SetOptions` for new files, or with a reopen. Returns what
    /// was done; an unchanged value is reported with `applied = Live` and 0 s.
    pub fn set_option(&self, name: &str, value: &str) -> Result<OptionChange, DbError> {
        self.set_option_with(name, value, true)
    }

    /// [`Db::set_option`], saved for the next open or not (`persist = false`: the
    /// options file keeps the value the option had before its first unsaved change,
    /// also when other options are saved meanwhile, until it is set back to that value
    /// or set with `persist`). For trial values that must not outlive the process.
    pub fn set_option_with(
        &self,
        name: &str,
        value: &str,
        persist: bool,
    ) -> Result<OptionChange, DbError> {
        let _one = self.options_lock.lock();
        let cur = self.options();
        let mut target = cur.clone();
        let opt = Opt::lookup(name)?;
        target.set(name, value)?;
        self.mark_unsaved(opt, &cur, &target, persist);
        if cur.value(opt) == target.value(opt) {
            let v = cur.text(opt);
            return Ok(OptionChange {
                name: opt.name(),
                old: v.clone(),
                new: v,
                applied: Applies::Live,
                secs: 0.0,
                note: Some("unchanged".to_string()),
            });
        }
        let mut changes = self.apply_locked(&cur, target)?;
        Ok(changes.remove(0))
    }

    /// Records whether `opt`'s change from `cur` to `target` is saved (see
    /// [`Db::set_option_with`]); called under the options lock.
    fn mark_unsaved(&self, opt: Opt, cur: &DbOptions, target: &DbOptions, persist: bool) {
        let mut unsaved = self.unsaved.lock();
        let at = unsaved.iter().position(|(o, _)| *o == opt);
        match at {
            Some(i) if persist || unsaved[i].1.value(opt) == target.value(opt) => {
                unsaved.remove(i);
            }
            None if !persist && cur.value(opt) != target.value(opt) => {
                unsaved.push((opt, cur.clone()));
            }
            _ => {}
        }
    }

    /// Moves every option to `target` (a profile, or the defaults): live changes one by
    /// one, then one reopen for all options that need it.
    pub fn apply_options(&self, target: DbOptions) -> Result<Vec<OptionChange>, DbError> {
        self.change_options(|o| *o = target)
    }

    /// Edits the options in force with `edit` and applies the result, under the options
    /// lock, like every other change (for the typed setters).
    pub(super) fn change_options(
        &self,
        edit: impl FnOnce(&mut DbOptions),
    ) -> Result<Vec<OptionChange>, DbError> {
        let _one = self.options_lock.lock();
        let cur = self.options();
        let mut target = cur.clone();
        edit(&mut target);
        for opt in cur.diff(&target) {
            self.mark_unsaved(opt, &cur, &target, true);
        }
        self.apply_locked(&cur, target)
    }

    /// Applies `target` and saves whatever part of it took effect (a change can fail
    /// halfway), so the next open finds the options in force.
    fn apply_locked(
        &self,
        cur: &DbOptions,
        target: DbOptions,
    ) -> Result<Vec<OptionChange>, DbError> {
        let result = self.apply_changes(cur, target);
        if self.options() == *cur {
            return result;
        }
        match (result, self.save_options()) {
            (Ok(mut changes), Err(e)) => {
                add_note(&mut changes, &format!("not saved for the next open: {e}"));
                Ok(changes)
            }
            (result, _) => result,
        }
    }

    fn apply_changes(
        &self,
        cur: &DbOptions,
        target: DbOptions,
    ) -> Result<Vec<OptionChange>, DbError> {
        target.validate()?;
        let warning = self.check_memory(&target)?;
        let opts = cur.diff(&target);
        if let Some(o) = opts.iter().find(|o| o.applies() == Applies::AtOpen) {
            return Err(DbError::OpenOnly {
                name: o.name().to_string(),
            });
        }
        self.check_fifo(cur, &target)?;
        let mut out = Vec::new();
        let mut reopen: Vec<(Opt, Option<String>)> = Vec::new();
        for opt in opts {
            let apply = opt.spec().apply;
            if apply == Apply::Reopen {
                reopen.push((opt, None));
                continue;
            }
            let t0 = Instant::now();
            match self.apply_live(opt, &target) {
                Ok(()) => {}
                // A block cache made much smaller: a reopen makes it with fewer shards.
                Err(DbError::Refused(why)) if opt == Opt::BlockCacheSize => {
                    reopen.push((opt, Some(why)));
                    continue;
                }
                // RocksDB would not take a table option live: a reopen applies it.
                Err(e) if apply.may_reopen() => {
                    reopen.push((opt, Some(format!("RocksDB refused it live ({e})"))));
                    continue;
                }
                Err(e) => return Err(e),
            }
            self.opts.write().copy_from(opt, &target);
            let change = OptionChange {
                name: opt.name(),
                old: cur.text(opt),
                new: target.text(opt),
                applied: apply.applies(),
                secs: t0.elapsed().as_secs_f64(),
                note: None,
            };
            self.option_event(&change);
            out.push(change);
        }
        if !reopen.is_empty() {
            let label = reopen
                .iter()
                .map(|(o, _)| format!("{}={}", o.name(), target.text(*o)))
                .collect::<Vec<_>>()
                .join(", ");
            let secs = self.reopen_with(target.clone(), &label)?;
            for (opt, note) in reopen {
                let change = OptionChange {
                    name: opt.name(),
                    old: cur.text(opt),
                    new: target.text(opt),
                    applied: Applies::Reopen,
                    secs,
                    note,
                };
                self.option_event(&change);
                out.push(change);
            }
        }
        if let Some(w) = warning {
            add_memory_warning(&mut out, &w);
        }
        Ok(out)
    }

    /// The memory check of `target` against this machine ([`DbOptions::check_memory`]).
    fn check_memory(&self, target: &DbOptions) -> Result<Option<String>, DbError> {
        let Some(machine) = machine_memory() else {
            return Ok(None);
        };
        target.check_memory(machine)
    }

    /// Applies one live or new-files option to the running engine, the way the table
    /// says.
    fn apply_live(&self, opt: Opt, t: &DbOptions) -> Result<(), DbError> {
        match opt.spec().apply {
            Apply::Setter(s) => return self.run_setter(s, t),
            Apply::WhenUsed => return Ok(()),
            _ => {}
        }
        let Some(pairs) = set_options_pairs(opt, t) else {
            return Err(DbError::Refused(format!(
                "{} has no live setter",
                opt.name()
            )));
        };
        if self.fail_next_live_set.swap(false, Ordering::Relaxed) {
            return Err(DbError::Refused(
                "injected refusal (test hook fail_next_live_set)".to_string(),
            ));
        }
        self.store()?.set_options(&pairs)
    }

    /// Runs one of the engine's live setters with the value in `t`.
    fn run_setter(&self, s: Setter, t: &DbOptions) -> Result<(), DbError> {
        match s {
            Setter::BlockCacheCapacity => {
                self.store()?
                    .check_block_cache_capacity(t.block_cache_bytes)?;
                self.relend(t.block_cache_bytes);
            }
            Setter::ValueCacheCapacity => {
                self.cache
                    .set_capacity(t.value_cache_size, t.value_cache_entries);
                self.relend(t.block_cache_bytes);
            }
            Setter::LendValueCache => self.set_lending(t.lend_value_cache, t.block_cache_bytes),
            Setter::ValueCachePolicy => self.cache.set_policy(t.value_cache_policy),
            Setter::ValueCacheCompression => self
                .cache
                .set_compression(t.value_cache_compression)
                .map_err(|reason| DbError::InvalidOption {
                    name: Opt::ValueCacheCompression.name().to_string(),
                    value: t.value_cache_compression.to_string(),
                    reason,
                })?,
            Setter::WriteMode => self.store()?.set_write_mode(t.wal, t.sync_writes),
            Setter::StatsLevel => self.store()?.set_stats_level(t.stats_level),
            Setter::PerfLevel => {
                self.perf_level.store(t.perf_level as u8, Ordering::Relaxed);
                apply_perf_level(t.perf_level);
            }
            Setter::Timing => self.metrics.set_timing(t.metrics),
            Setter::SampleRate => self.metrics.set_sample_rate(t.metrics_sample_rate),
            Setter::ReadMode => self.store()?.set_verify_checksums(t.verify_checksums),
            Setter::ValueCacheMrc => self.mrc.set_on(t.value_cache_mrc, self.gets_seen()),
        }
        Ok(())
    }

    /// FIFO compaction deletes the oldest files once the database passes its limit.
    /// Entering FIFO or lowering the limit would delete rows at once as a side effect of
    /// an option change: refuse that unless the limit is above the current size. Other
    /// changes while in FIFO go ahead (ALEX follows the files FIFO deletes, see fifo.rs).
    fn check_fifo(&self, cur: &DbOptions, t: &DbOptions) -> Result<(), DbError> {
        let entering = cur.compaction_style != CompactionStyle::Fifo;
        let lowering = t.fifo_max_size < cur.fifo_max_size;
        if t.compaction_style != CompactionStyle::Fifo || !(entering || lowering) {
            return Ok(());
        }
        let size = {
            let s = self.store()?;
            s.sst_bytes() + s.memtable_bytes()
        };
        if (t.fifo_max_size as u64) <= size {
            let verb = if cur.compaction_style == CompactionStyle::Fifo {
                "lowering fifo_max_size"
            } else {
                "fifo compaction"
            };
            return Err(DbError::Refused(format!(
                "{verb} refused: FIFO deletes the oldest files once the database passes fifo_max_size ({}), and the database already holds {}; set fifo_max_size above that first",
                format_size(t.fifo_max_size),
                format_size(size as usize)
            )));
        }
        Ok(())
    }

    fn option_event(&self, c: &OptionChange) {
        let how = match c.note.as_deref() {
            Some(n) if c.applied == Applies::Reopen && n != "unchanged" => "reopen".to_string(),
            _ => c.applied.as_str().to_string(),
        };
        self.metrics.event(NewEvent {
            kind: "option",
            option: Some(c.name.to_string()),
            old: Some(c.old.clone()),
            new: Some(c.new.clone()),
            applied: Some(how.clone()),
            secs: c.secs,
            label: format!("{} {} -> {} ({how})", c.name, c.old, c.new),
            lsm: None,
        });
    }

    /// Closes and reopens RocksDB with the options in force (`.reopen`). Returns seconds.
    pub fn reopen(&self) -> Result<f64, DbError> {
        let _one = self.options_lock.lock();
        self.reopen_with(self.options(), "same options")
    }

    /// Closes the database when its directory was deleted or replaced while open, as a
    /// reopen would, and returns why; `None` while it is still there (or already closed).
    /// RocksDB keeps writing into the deleted files until a new file is needed, so a
    /// write that "worked" there is lost: front ends check after each command.
    pub fn close_if_gone(&self) -> Option<DbError> {
        let identity = self.store().ok()?.identity().to_string();
        if same_database(&self.path, &identity).is_ok() {
            return None;
        }
        let _load = self.load_lock.lock();
        let _writes = self.write_gate.write();
        let mut slot = self.store.write();
        let old = slot.take()?;
        match same_database(&self.path, old.identity()) {
            Err(Reopen::Gone(why)) => {
                abandon(old, &self.path);
                Some(self.close_for(why))
            }
            _ => {
                *slot = Some(old);
                None
            }
        }
    }

    /// The reopen: waits for running loads, writes and reads, flushes, prepares the LSM
    /// for a new compaction style, closes, and opens the same database (never a new one)
    /// with `next`. If that fails, opens with the previous options again and reports the
    /// failure as rolled back; if the directory no longer holds this database, stays
    /// closed and says so.
    fn reopen_with(&self, next: DbOptions, label: &str) -> Result<f64, DbError> {
        let t0 = Instant::now();
        let _load = self.load_lock.lock();
        let _writes = self.write_gate.write();
        let mut slot = self.store.write();
        let prev = self.options();
        let Some(old) = slot.take() else {
            let reason = self.closed_reason.lock().clone();
            return Err(DbError::Closed {
                reason: reason.unwrap_or_else(|| "a previous reopen failed".to_string()),
            });
        };
        let identity = old.identity().to_string();
        // Checked before the flush, which would write into whatever is there now.
        if let Err(Reopen::Gone(why)) = same_database(&self.path, &identity) {
            abandon(old, &self.path);
            let result = Err(self.close_for(why));
            self.reopen_event(label, &result, None, t0);
            return result;
        }
        let skipped_flush = match prepare_for(&old, &prev, &next) {
            Ok(skipped) => skipped,
            Err(e) => {
                *slot = Some(old);
                return Err(e);
            }
        };
        {
            let mut base = self.ticker_base.lock();
            *base = base.plus(&old.tickers());
        }
        drop(old); // closes RocksDB and releases its lock file
        let slow = self.slow_next_reopen_ms.swap(0, Ordering::Relaxed);
        if slow > 0 {
            std::thread::sleep(std::time::Duration::from_millis(slow));
        }
        // Files FIFO deletes in the reopened store are followed as in the closed one.
        let events = self.fifo.events();
        let attempt = if self.fail_next_reopen.swap(false, Ordering::Relaxed) {
            Err(Reopen::Failed(DbError::Refused(
                "injected failure (test hook fail_next_reopen)".to_string(),
            )))
        } else {
            open_same(&self.path, &next, &identity, events)
        };
        let result = match attempt {
            Ok(store) => {
                *slot = Some(store);
                self.took_options(next);
                Ok(t0.elapsed().as_secs_f64())
            }
            Err(Reopen::Gone(why)) => Err(self.close_for(why)),
            Err(Reopen::Failed(e)) => match open_same(&self.path, &prev, &identity, events) {
                Ok(store) => {
                    *slot = Some(store);
                    Err(DbError::RolledBack {
                        change: format!("reopen with {label}"),
                        reason: e.to_string(),
                    })
                }
                Err(Reopen::Gone(why)) => Err(self.close_for(why)),
                Err(Reopen::Failed(e2)) => Err(self.close_for(format!(
                    "reopen with {label} failed ({e}) and reopening with the previous options failed too ({e2})"
                ))),
            },
        };
        self.reopen_event(label, &result, skipped_flush.as_deref(), t0);
        // A new store starts at block_cache_size: lend to it again.
        drop(slot);
        self.relend(self.opts.read().block_cache_bytes);
        result
    }

    /// Puts the options of a successful reopen in force.
    fn took_options(&self, next: DbOptions) {
        self.perf_level
            .store(next.perf_level as u8, Ordering::Relaxed);
        apply_perf_level(next.perf_level);
        self.metrics.set_timing(next.metrics);
        self.metrics.set_sample_rate(next.metrics_sample_rate);
        self.cache
            .set_capacity(next.value_cache_size, next.value_cache_entries);
        self.mrc.set_on(next.value_cache_mrc, self.gets_seen());
        *self.opts.write() = next;
    }

    /// Leaves the database closed (RocksDB is already closed) with `reason`. The value
    /// cache is emptied so that no read answers from it while closed.
    fn close_for(&self, reason: String) -> DbError {
        self.cache.clear();
        *self.closed_reason.lock() = Some(reason.clone());
        DbError::Closed { reason }
    }

    fn reopen_event(
        &self,
        label: &str,
        result: &Result<f64, DbError>,
        skipped_flush: Option<&str>,
        t0: Instant,
    ) {
        let secs = t0.elapsed().as_secs_f64();
        let note = skipped_flush.map_or(String::new(), |n| format!("; {n}"));
        self.metrics.event(NewEvent {
            kind: "reopen",
            applied: Some(
                if result.is_ok() {
                    "reopen"
                } else {
                    "rolled back"
                }
                .to_string(),
            ),
            secs,
            label: match result {
                Ok(_) => format!("reopen ({label}) {secs:.2} s{note}"),
                Err(DbError::Closed { .. }) => format!("reopen ({label}) failed, closed{note}"),
                Err(_) => format!("reopen ({label}) failed, rolled back{note}"),
            },
            ..NewEvent::default()
        });
    }

    /// Test hook: makes the next reopen fail as if RocksDB refused the new options.
    #[doc(hidden)]
    #[cfg(feature = "test-hooks")]
    pub fn fail_next_reopen(&self) {
        self.fail_next_reopen.store(true, Ordering::Relaxed);
    }

    /// Test hook: makes the next reopen take at least `ms` milliseconds longer (RocksDB
    /// closed meanwhile), so a test can watch a front end while a reopen runs.
    #[doc(hidden)]
    #[cfg(feature = "test-hooks")]
    pub fn slow_next_reopen(&self, ms: u64) {
        self.slow_next_reopen_ms.store(ms, Ordering::Relaxed);
    }

    /// Flushes memtables (`.flush`) and records it. Returns seconds.
    pub fn flush_now(&self) -> Result<f64, DbError> {
        let t0 = Instant::now();
        self.store()?.flush()?;
        let secs = t0.elapsed().as_secs_f64();
        self.settle_fifo_after_flush();
        self.metrics.event(NewEvent {
            kind: "flush",
            secs,
            label: format!("flush {secs:.2} s"),
            ..NewEvent::default()
        });
        Ok(secs)
    }

    /// Compacts `a..=b` (or everything) down to the bottom level, rewriting files with
    /// the current table options (`.compact`). Returns seconds.
    pub fn compact_range(&self, range: Option<(i64, i64)>) -> Result<f64, DbError> {
        let t0 = Instant::now();
        self.store()?.compact_range(range)?;
        let secs = t0.elapsed().as_secs_f64();
        let what = match range {
            Some((a, b)) => format!("{a}..={b}"),
            None => "all".to_string(),
        };
        self.metrics.event(NewEvent {
            kind: "compact",
            secs,
            label: format!("compact {what} {secs:.2} s"),
            ..NewEvent::default()
        });
        Ok(secs)
    }

    /// The newest OPTIONS file RocksDB wrote for the open database.
    pub fn rocksdb_options_file(&self) -> Result<PathBuf, DbError> {
        self.store()?
            .latest_options_file()
            .ok_or_else(|| DbError::Refused("RocksDB has written no OPTIONS file".to_string()))
    }

    /// Copies RocksDB's current OPTIONS file to `dest`.
    pub fn export_rocksdb_options(&self, dest: &Path) -> Result<PathBuf, DbError> {
        let src = self.rocksdb_options_file()?;
        std::fs::copy(&src, dest).map_err(DbError::io(dest))?;
        Ok(src)
    }
}

/// The plan for one option, from the table: the same `Apply` that `apply_locked` follows.
/// Puts the memory warning on the changes of the options that size a cache.
fn add_memory_warning(changes: &mut [OptionChange], warning: &str) {
    let sizes_memory = |name: &str| {
        [
            Opt::BlockCacheSize,
            Opt::ValueCacheEntries,
            Opt::ValueCacheSize,
            Opt::WriteBufferSize,
            Opt::MaxWriteBufferNumber,
        ]
        .iter()
        .any(|o| o.name() == name)
    };
    for c in changes.iter_mut().filter(|c| sizes_memory(c.name)) {
        c.note = Some(match c.note.take() {
            Some(n) => format!("{n}; {warning}"),
            None => warning.to_string(),
        });
    }
}

/// Adds `note` to the last change (the line a front end prints last).
fn add_note(changes: &mut [OptionChange], note: &str) {
    if let Some(c) = changes.last_mut() {
        c.note = Some(match c.note.take() {
            Some(n) => format!("{n}; {note}"),
            None => note.to_string(),
        });
    }
}

fn plan_one(opt: Opt, cur: &DbOptions, target: &DbOptions) -> ChangePlan {
    let apply = opt.spec().apply;
    ChangePlan {
        name: opt.name(),
        may_reopen: cur.value(opt) != target.value(opt) && apply.may_reopen(),
        old: cur.text(opt),
        new: target.text(opt),
        applies: apply.applies(),
    }
}

/// Before closing for `next`: flush, and lay the files out so RocksDB accepts the new
/// compaction style (level compaction needs non-overlapping files above L0, which
/// universal does not keep; FIFO needs every file in L0). A failed flush (a full disk)
/// does not stop a reopen that keeps the style when every write since the last flush is
/// in the write-ahead log: the open replays it. Returns a note when it did that.
fn prepare_for(old: &Store, prev: &DbOptions, next: &DbOptions) -> Result<Option<String>, DbError> {
    if let Err(e) = old.flush() {
        if prev.compaction_style != next.compaction_style || old.has_unlogged_writes() {
            return Err(e);
        }
        // The open writes the replayed memtable out: without room for it, it would fail
        // after the close. Stay open instead (reads still work).
        // Whole KiB, so the message shows a unit.
        let need = (old.memtable_bytes() + (1 << 20)).next_multiple_of(1024);
        if let Err(room) = old.has_room(need) {
            let need = format_size(need as usize);
            // A directory made read-only fails the probe too: "no room" would mislead.
            let why = if room.to_string().contains("No space left on device") {
                format!(
                    "the disk has no room for the {need} the reopen must write ({room}); free space"
                )
            } else {
                format!(
                    "the reopen cannot write the {need} it must write there ({room}); fix the cause"
                )
            };
            return Err(DbError::Refused(format!(
                "cannot reopen yet: {e}; and {why}, then retry"
            )));
        }
        return Ok(Some(format!(
            "the flush before closing failed ({e}); the write-ahead log holds those writes"
        )));
    }
    match (prev.compaction_style, next.compaction_style) {
        (a, b) if a == b => Ok(()),
        (_, CompactionStyle::Fifo) => old.compact_to_level(0),
        (CompactionStyle::Universal, CompactionStyle::Level) => old.compact_to_level(BOTTOM_LEVEL),
        _ => Ok(()),
    }
    .map(|()| None)
}
