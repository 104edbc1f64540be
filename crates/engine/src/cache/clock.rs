//! The compact CLOCK value cache: values packed in a byte arena, ~16 B of bookkeeping
//! each, sized in bytes.
//!
//! Each shard keeps its records in an arena used as a log (appended at the head,
//! reclaimed at the tail) and finds them through an open-addressing table of `u32`
//! slots (`offset + 1`, 0 = empty; the top bit is the CLOCK reference bit), each with a
//! one-byte tag of its key's hash so a probe reads the arena only on a likely match. A record is
//! the key (8 B), the stored length and the raw length (varints), then the stored bytes.
//! Eviction is CLOCK as FIFO-with-reinsertion: the tail record is skipped when dead (its
//! slot points elsewhere), moved to the head when referenced (clearing the bit), evicted
//! otherwise. A hit takes the shard's read lock and sets the reference bit only when it
//! is clear, so hot keys cause no shared writes.
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};

use parking_lot::RwLock;

use super::tally::Tally;
use super::value::Value;
use crate::codec::{Codec, CodecKind};

/// The CLOCK reference bit of a table slot.
const REF: u32 = 1 << 31;
/// Largest arena of one shard: `offset + 1` must stay below the reference bit.
const MAX_ARENA: usize = (REF - 2) as usize;
/// Table load factor, in percent, at which the table grows or entries are evicted.
const MAX_LOAD_PCT: usize = 90;
/// Smallest table; a shard too small for it and some arena stores nothing.
const MIN_SLOTS: usize = 64;
/// Bytes a shard holds besides its arena and table (its struct and lock).
const FIXED_BYTES: usize = std::mem::size_of::<Shard>();

/// Largest encode buffer a shard keeps between inserts.
const SCRATCH_KEPT: usize = 64 * 1024;

const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn slot_off(s: u32) -> usize {
    ((s & !REF) - 1) as usize
}

fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

fn put_varint(buf: &mut [u8], mut at: usize, mut n: usize) -> usize {
    while n >= 0x80 {
        buf[at] = (n as u8) | 0x80;
        n >>= 7;
        at += 1;
    }
    buf[at] = n as u8;
    at + 1
}

fn get_varint(buf: &[u8], at: &mut usize) -> usize {
    let (mut n, mut shift) = (0usize, 0);
    loop {
        let b = buf[*at];
        *at += 1;
        n |= usize::from(b & 0x7f) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// The arena as a log: live data is `[tail, head)`, or `[tail, wrap_at) + [0, head)`
/// once appends wrapped around to the start.
struct Ring {
    buf: Vec<u8>,
    head: usize,
    tail: usize,
    used: usize,
    wrap_at: Option<usize>,
    /// Highest offset ever written: the pages actually held (the buffer is zeroed
    /// memory the OS maps lazily).
    touched: usize,
}

/// Transparent huge page size (x86-64 and aarch64 with 4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// Asks the kernel to back `mem` with huge pages. A hit reads a table slot and an arena
/// record at random places in memory; with 4 KiB pages each is also a TLB miss, which
/// in a virtual machine walks two page tables (measured: ~800 ns per hit at 10M values
/// on this project's VM). Advice only: contents and correctness do not depend on it.
fn advise_huge_pages<T>(mem: &[T]) {
    let len = std::mem::size_of_val(mem);
    #[cfg(target_os = "linux")]
    if len >= HUGE_PAGE {
        let start = (mem.as_ptr() as usize).next_multiple_of(4096);
        let end = (mem.as_ptr() as usize + len) & !4095;
        if end > start {
            // SAFETY: start..end is page-aligned and lies inside `mem`, an allocation
            // this cache owns and keeps alive; MADV_HUGEPAGE neither reads nor changes
            // its contents, and a refusal (an error return) is harmless, so it is ignored.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = len;
}

impl Ring {
    fn new(cap: usize) -> Ring {
        let buf = vec![0; cap];
        advise_huge_pages(&buf);
        Ring {
            buf,
            head: 0,
            tail: 0,
            used: 0,
            wrap_at: None,
            touched: 0,
        }
    }

    fn reset(&mut self) {
        (self.head, self.tail, self.used, self.wrap_at) = (0, 0, 0, None);
    }

    /// Reserves `n` contiguous bytes at the head, or `None` when there is no room.
    fn place(&mut self, n: usize) -> Option<usize> {
        if self.used == 0 {
            self.reset();
        }
        let at = match self.wrap_at {
            None if self.buf.len() - self.head >= n => self.head,
            None if self.tail >= n => {
                self.wrap_at = Some(self.head);
                0
            }
            Some(_) if self.tail - self.head >= n => self.head,
            _ => return None,
        };
        self.head = at + n;
        self.used += n;
        self.touched = self.touched.max(self.head);
        Some(at)
    }

    /// Moves the tail record (`n` bytes) to the head and returns its new offset. Always
    /// possible, even in a full ring: the head is at or before the tail (after a wrap if
    /// needed), and the copy is a memmove when the two places overlap.
    fn move_tail_to_head(&mut self, n: usize) -> usize {
        let src = self.tail;
        let dst = match self.wrap_at {
            None if self.buf.len() - self.head >= n => self.head,
            None => {
                self.wrap_at = Some(self.head);
                0
            }
            Some(_) => self.head,
        };
        self.buf.copy_within(src..src + n, dst);
        self.head = dst + n;
        self.touched = self.touched.max(self.head);
        self.pass_tail(n);
        dst
    }

    /// Gives back the `n` bytes of the record at the tail.
    fn advance_tail(&mut self, n: usize) {
        self.used -= n;
        self.pass_tail(n);
    }

    fn pass_tail(&mut self, n: usize) {
        self.tail += n;
        if self.wrap_at == Some(self.tail) {
            self.tail = 0;
            self.wrap_at = None;
        }
        if self.used == 0 {
            self.reset();
        }
    }
}

/// One shard's records and table; every change happens under the shard's write lock.
struct ShardData {
    ring: Ring,
    table: Box<[AtomicU32]>,
    /// One byte of each entry's key hash beside its slot: a probe compares it first, so
    /// a probe run costs one arena read (the match), not one per entry it passes.
    tags: Box<[u8]>,
    /// Bits of the key hash used to pick the shard (skipped for the table position).
    shard_bits: u32,
    len: usize,
    stored: usize,
    raw: usize,
    /// This shard's share of the byte budget and of the entry cap.
    limit: usize,
    max_entries: usize,
    codec: Arc<Codec>,
    scratch: Vec<u8>,
}

/// A record's parts: key, stored length, raw length, where the stored bytes start.
struct Header {
    key: i64,
    stored: usize,
    raw: usize,
    data: usize,
}

impl Header {
    fn total(&self, off: usize) -> usize {
        self.data + self.stored - off
    }
}

/// Table bytes per slot: the `u32` slot and its tag byte.
const SLOT_BYTES: usize = 5;

/// The tag of `key`: hash bits independent of those that pick its home slot.
#[inline]
fn tag(key: i64) -> u8 {
    ((key as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 56) as u8
}

fn empty_table(slots: usize) -> Box<[AtomicU32]> {
    let mut table = Vec::with_capacity(slots);
    // Advised before the slots are written, so their first touch can map huge pages.
    advise_huge_pages(table.spare_capacity_mut());
    table.extend((0..slots).map(|_| AtomicU32::new(0)));
    table.into_boxed_slice()
}

/// Arena bytes left to a shard of `limit` bytes with a table of `slots`.
fn arena_cap(limit: usize, slots: usize) -> usize {
    limit
        .saturating_sub(slots * SLOT_BYTES + FIXED_BYTES)
        .min(MAX_ARENA)
}

impl ShardData {
    fn new(shard_bits: u32, codec: Arc<Codec>) -> ShardData {
        ShardData {
            ring: Ring::new(0),
            table: empty_table(0),
            tags: Box::new([]),
            shard_bits,
            len: 0,
            stored: 0,
            raw: 0,
            limit: 0,
            max_entries: 0,
            codec,
            scratch: Vec::new(),
        }
    }

    #[inline]
    fn home(&self, key: i64) -> usize {
        let h = ((key as u64).wrapping_mul(PHI) << self.shard_bits) >> 32;
        ((h * self.table.len() as u64) >> 32) as usize
    }

    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.table.len() { 0 } else { i + 1 }
    }

    #[inline]
    fn key_at(&self, off: usize) -> i64 {
        let mut k = [0u8; 8];
        k.copy_from_slice(&self.ring.buf[off..off + 8]);
        i64::from_le_bytes(k)
    }

    fn header(&self, off: usize) -> Header {
        let mut at = off + 8;
        let stored = get_varint(&self.ring.buf, &mut at);
        let raw = get_varint(&self.ring.buf, &mut at);
        Header {
            key: self.key_at(off),
            stored,
            raw,
            data: at,
        }
    }

    /// Entries the table may hold before it grows or evicts.
    fn max_len(&self) -> usize {
        (self.table.len() * MAX_LOAD_PCT / 100).min(self.max_entries)
    }

    /// The slot index and slot of `key`.
    #[inline]
    fn find(&self, key: i64) -> Option<(usize, u32)> {
        if self.table.is_empty() {
            return None;
        }
        let (mut i, t) = (self.home(key), tag(key));
        loop {
            // The load factor stays below 1, so an empty slot ends every probe.
            let s = self.table[i].load(Relaxed);
            if s == 0 {
                return None;
            }
            if self.tags[i] == t && self.key_at(slot_off(s)) == key {
                return Some((i, s));
            }
            i = self.next(i);
        }
    }

    /// The slot index pointing at the record at `off` (whose key is `key`): `None` when
    /// that record is dead.
    fn slot_of(&self, off: usize, key: i64) -> Option<usize> {
        let (i, s) = self.find(key)?;
        (slot_off(s) == off).then_some(i)
    }

    fn get(&self, key: i64) -> Option<Value> {
        let (i, s) = self.find(key)?;
        if s & REF == 0 {
            self.table[i].fetch_or(REF, Relaxed);
        }
        let h = self.header(slot_off(s));
        self.codec
            .decompress(&self.ring.buf[h.data..h.data + h.stored], h.raw)
    }

    /// Empties slot `i` by shifting later entries of its probe run back (no tombstones).
    fn delete_slot(&mut self, mut i: usize) {
        let n = self.table.len();
        let mut j = i;
        loop {
            j = self.next(j);
            let s = self.table[j].load(Relaxed);
            if s == 0 {
                break;
            }
            let home = self.home(self.key_at(slot_off(s)));
            // The entry may fill the hole when the hole lies between its home and it.
            if (j + n - home) % n >= (j + n - i) % n {
                self.table[i].store(s, Relaxed);
                self.tags[i] = self.tags[j];
                i = j;
            }
        }
        self.table[i].store(0, Relaxed);
    }

    /// Drops the entry in slot `i` (its record becomes dead); returns its reference bit.
    fn drop_entry(&mut self, i: usize) -> u32 {
        let s = self.table[i].load(Relaxed);
        let h = self.header(slot_off(s));
        self.delete_slot(i);
        self.len -= 1;
        self.stored -= h.stored;
        self.raw -= h.raw;
        s & REF
    }

    fn remove(&mut self, key: i64) -> Option<u32> {
        let (i, _) = self.find(key)?;
        Some(self.drop_entry(i))
    }

    /// Handles the record at the tail: skip it if dead, move it to the head if
    /// referenced (clearing the bit), else evict it.
    fn step_tail(&mut self) {
        let off = self.ring.tail;
        let h = self.header(off);
        let total = h.total(off);
        match self.slot_of(off, h.key) {
            Some(i) if self.table[i].load(Relaxed) & REF != 0 => {
                let dst = self.ring.move_tail_to_head(total);
                self.table[i].store((dst + 1) as u32, Relaxed);
                return;
            }
            Some(i) => {
                self.drop_entry(i);
            }
            None => {}
        }
        self.ring.advance_tail(total);
    }

    /// Grows the table when it, not the arena, is what is full: sized from how many
    /// records of the present average size the arena holds.
    fn try_grow(&mut self, need: usize) -> bool {
        let slots = self.table.len();
        let cap = self.ring.buf.len();
        if slots * MAX_LOAD_PCT / 100 >= self.max_entries || self.ring.used + need > cap {
            return false;
        }
        let projected = match self.ring.used {
            0 => self.len * 2,
            used => self.len * cap / used,
        };
        let want = projected
            .max(self.len + self.len / 4 + 16)
            .min(self.max_entries);
        // The table may take at most half of the shard.
        let new_slots = (want * 100 / MAX_LOAD_PCT + 1).min(self.limit / (2 * SLOT_BYTES));
        if new_slots <= slots {
            return false;
        }
        self.rebuild(new_slots);
        true
    }

    /// Stores `raw` as the value of `key` with reference bit `refbit`, evicting as
    /// needed. A value too large for the shard is not stored (and any older one goes).
    fn insert(&mut self, key: i64, raw: &[u8], refbit: u32) {
        if self.codec.kind() == CodecKind::None {
            return self.put_record(key, raw, raw.len(), refbit);
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        self.codec.compress(raw, &mut scratch);
        self.put_record(key, &scratch, raw.len(), refbit);
        // Keep a small encode buffer for the next value, not a large one.
        if scratch.capacity() <= SCRATCH_KEPT {
            self.scratch = scratch;
        }
    }

    fn put_record(&mut self, key: i64, stored: &[u8], raw_len: usize, refbit: u32) {
        let refbit = self.remove(key).map_or(refbit, |old| old | refbit);
        let total = 8 + varint_len(stored.len()) + varint_len(raw_len) + stored.len();
        if self.table.is_empty() || total > self.ring.buf.len() {
            return;
        }
        while self.len >= self.max_len() {
            if self.ring.used == 0 {
                return;
            }
            if !self.try_grow(total) {
                self.step_tail();
            }
        }
        let at = loop {
            if let Some(at) = self.ring.place(total) {
                break at;
            }
            if self.ring.used == 0 {
                return;
            }
            self.step_tail();
        };
        let buf = &mut self.ring.buf;
        buf[at..at + 8].copy_from_slice(&key.to_le_bytes());
        let p = put_varint(buf, at + 8, stored.len());
        let p = put_varint(buf, p, raw_len);
        buf[p..p + stored.len()].copy_from_slice(stored);
        self.add_slot(key, (at + 1) as u32 | refbit);
        self.len += 1;
        self.stored += stored.len();
        self.raw += raw_len;
    }

    /// Puts `slot` in the first free place of `key`'s probe run (the key is absent).
    fn add_slot(&mut self, key: i64, slot: u32) {
        let mut i = self.home(key);
        while self.table[i].load(Relaxed) != 0 {
            i = self.next(i);
        }
        self.table[i].store(slot, Relaxed);
        self.tags[i] = tag(key);
    }

    /// Live records oldest first: (offset, total length, reference bit).
    fn live_records(&self) -> Vec<(usize, usize, u32)> {
        let mut out = Vec::with_capacity(self.len);
        let first = (self.ring.tail, self.ring.wrap_at.unwrap_or(self.ring.head));
        let second = (
            0,
            if self.ring.wrap_at.is_some() {
                self.ring.head
            } else {
                0
            },
        );
        for (mut off, end) in [first, second] {
            while off < end && self.ring.used > 0 {
                let h = self.header(off);
                if let Some(i) = self.slot_of(off, h.key) {
                    out.push((off, h.total(off), self.table[i].load(Relaxed) & REF));
                }
                off += h.total(off);
            }
        }
        out
    }

    /// Rebuilds the shard with a table of `slots` in a fresh arena that fills the rest of
    /// `limit`: keeps the newest live records that fit (compacting away dead ones).
    fn rebuild(&mut self, slots: usize) {
        let slots = if slots < MIN_SLOTS { 0 } else { slots };
        let cap = if slots == 0 {
            0
        } else {
            arena_cap(self.limit, slots)
        };
        let max_len = (slots * MAX_LOAD_PCT / 100).min(self.max_entries);
        let live = self.live_records();
        let (mut keep, mut bytes) = (live.len(), 0);
        while keep > 0 && live.len() - keep < max_len && bytes + live[keep - 1].1 <= cap {
            keep -= 1;
            bytes += live[keep].1;
        }
        let old = std::mem::replace(&mut self.ring, Ring::new(cap));
        self.table = empty_table(slots);
        self.tags = vec![0; slots].into_boxed_slice();
        (self.len, self.stored, self.raw) = (0, 0, 0);
        for &(off, total, refbit) in &live[keep..] {
            let at = self.ring.place(total).unwrap_or(0);
            self.ring.buf[at..at + total].copy_from_slice(&old.buf[off..off + total]);
            let h = self.header(at);
            self.add_slot(h.key, (at + 1) as u32 | refbit);
            self.len += 1;
            self.stored += h.stored;
            self.raw += h.raw;
        }
    }

    fn clear(&mut self) {
        self.ring.reset();
        self.table.iter().for_each(|s| s.store(0, Relaxed));
        (self.len, self.stored, self.raw) = (0, 0, 0);
    }

    /// Memory held: the arena pages written, the table, the fixed part (and the
    /// small encode buffer, which the byte budget leaves out).
    fn bytes(&self) -> usize {
        if self.table.is_empty() {
            return 0;
        }
        // Written arena pages, rounded up to the huge page the kernel may have mapped.
        let arena = if self.ring.buf.len() >= HUGE_PAGE {
            self.ring
                .touched
                .next_multiple_of(HUGE_PAGE)
                .min(self.ring.buf.len())
        } else {
            self.ring.touched
        };
        arena + self.table.len() * SLOT_BYTES + FIXED_BYTES + self.scratch.capacity()
    }
}

#[repr(align(128))]
struct Shard {
    data: RwLock<ShardData>,
    /// Gauges published under the write lock, read without it.
    len: AtomicUsize,
    bytes: AtomicUsize,
    stored: AtomicUsize,
    raw: AtomicUsize,
}

impl Shard {
    fn publish(&self, d: &ShardData) {
        self.len.store(d.len, Relaxed);
        self.bytes.store(d.bytes(), Relaxed);
        self.stored.store(d.stored, Relaxed);
        self.raw.store(d.raw, Relaxed);
    }
}

/// Gauges of the whole CLOCK cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClockFigures {
    pub entries: u64,
    pub bytes: u64,
    pub stored: u64,
    pub raw: u64,
}

/// The sharded CLOCK cache.
pub struct ClockCache {
    shards: Box<[Shard]>,
    bits: u32,
    pub(super) tally: Tally,
}

impl ClockCache {
    /// An empty cache of `shards` (rounded up to a power of two) holding nothing until
    /// [`ClockCache::set_capacity`].
    pub fn new(shards: usize) -> ClockCache {
        let n = shards.clamp(1, 1024).next_power_of_two();
        let bits = n.trailing_zeros();
        let codec = Arc::new(Codec::none());
        ClockCache {
            shards: (0..n)
                .map(|_| Shard {
                    data: RwLock::new(ShardData::new(bits, codec.clone())),
                    len: AtomicUsize::new(0),
                    bytes: AtomicUsize::new(0),
                    stored: AtomicUsize::new(0),
                    raw: AtomicUsize::new(0),
                })
                .collect(),
            bits,
            tally: Tally::new(),
        }
    }

    #[inline]
    fn shard(&self, key: i64) -> &Shard {
        if self.bits == 0 {
            return &self.shards[0];
        }
        let h = (key as u64).wrapping_mul(PHI);
        &self.shards[(h >> (64 - self.bits)) as usize]
    }

    /// Sizes the cache to `bytes` in all and at most `entries` values, evicting the
    /// oldest values that no longer fit (0 bytes frees everything).
    pub fn set_capacity(&self, bytes: usize, entries: usize) {
        let n = self.shards.len();
        for (i, s) in self.shards.iter().enumerate() {
            let mut d = s.data.write();
            d.limit = bytes / n;
            // Spread the remainder so the shard caps add up to `entries` exactly.
            d.max_entries = entries / n + usize::from(i < entries % n);
            let fits = (d.len * 100 / MAX_LOAD_PCT + 1).max(MIN_SLOTS);
            let slots = d.table.len().max(fits).min(d.limit / (2 * SLOT_BYTES));
            d.rebuild(slots);
            s.publish(&d);
        }
    }

    /// The codec values are stored with.
    pub fn codec(&self) -> Arc<Codec> {
        self.shards[0].data.read().codec.clone()
    }

    /// Empties the cache and stores values with `codec` from now on (a value is only ever
    /// decoded by the codec that encoded it).
    pub fn set_codec(&self, codec: Arc<Codec>) {
        for s in self.shards.iter() {
            let mut d = s.data.write();
            d.clear();
            d.codec = codec.clone();
            s.publish(&d);
        }
    }

    #[inline]
    pub fn get(&self, key: i64) -> Option<Value> {
        let v = self.shard(key).data.read().get(key);
        match &v {
            Some(v) => self.tally.hit(v.len()),
            None => self.tally.miss(),
        }
        v
    }

    /// Inserts a value read from RocksDB unless `still_valid` (checked under the shard's
    /// write lock) says a write to the key raced the read.
    pub fn fill(&self, key: i64, value: &[u8], still_valid: impl FnOnce() -> bool) {
        let s = self.shard(key);
        let mut d = s.data.write();
        if d.table.is_empty() || !still_valid() {
            return;
        }
        d.insert(key, value, 0);
        s.publish(&d);
    }

    /// Replaces the value of a cached key (keeping its reference bit); leaves others.
    pub fn update_if_present(&self, key: i64, make: impl FnOnce() -> Value) {
        let s = self.shard(key);
        let mut d = s.data.write();
        if let Some((_, slot)) = d.find(key) {
            d.insert(key, &make(), slot & REF);
            s.publish(&d);
        }
    }

    pub fn remove(&self, key: i64) {
        let s = self.shard(key);
        let mut d = s.data.write();
        if d.remove(key).is_some() {
            s.publish(&d);
        }
    }

    /// Drops every cached key in `a..=b` (walks every slot).
    pub fn remove_range(&self, a: i64, b: i64) {
        for s in self.shards.iter() {
            let mut d = s.data.write();
            let doomed: Vec<i64> = d
                .table
                .iter()
                .map(|s| s.load(Relaxed))
                .filter(|&s| s != 0)
                .map(|s| d.key_at(slot_off(s)))
                .filter(|k| (a..=b).contains(k))
                .collect();
            for k in doomed {
                d.remove(k);
            }
            s.publish(&d);
        }
    }

    /// Empties the cache (memory and counters are kept).
    pub fn clear(&self) {
        for s in self.shards.iter() {
            let mut d = s.data.write();
            d.clear();
            s.publish(&d);
        }
    }

    /// Up to `n` cached raw values (for training a codec on the cache's contents).
    pub fn samples(&self, n: usize) -> Vec<Value> {
        let per = n.div_ceil(self.shards.len());
        let mut out = Vec::new();
        for s in self.shards.iter() {
            let d = s.data.read();
            let keys = d.live_records().into_iter().take(per);
            out.extend(keys.filter_map(|(off, _, _)| d.get(d.key_at(off))));
        }
        out
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len.load(Relaxed)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn figures(&self) -> ClockFigures {
        let mut f = ClockFigures::default();
        for s in self.shards.iter() {
            f.entries += s.len.load(Relaxed) as u64;
            f.bytes += s.bytes.load(Relaxed) as u64;
            f.stored += s.stored.load(Relaxed) as u64;
            f.raw += s.raw.load(Relaxed) as u64;
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(bytes: usize, entries: usize, shards: usize) -> ClockCache {
        let c = ClockCache::new(shards);
        c.set_capacity(bytes, entries);
        c
    }

    #[test]
    fn varints_round_trip() {
        let mut buf = [0u8; 8];
        for n in [0, 1, 127, 128, 300, 16 << 20] {
            let end = put_varint(&mut buf, 0, n);
            assert_eq!(end, varint_len(n));
            let mut at = 0;
            assert_eq!(get_varint(&buf, &mut at), n);
            assert_eq!(at, end);
        }
    }

    #[test]
    fn hits_updates_removes_and_stale_fills() {
        let c = filled(1 << 20, 1000, 4);
        assert!(c.get(1).is_none());
        c.fill(1, b"one", || true);
        c.fill(2, b"two", || false); // a write raced the read: not cached
        assert_eq!(c.get(1).as_deref(), Some(&b"one"[..]));
        assert!(c.get(2).is_none());
        c.update_if_present(2, || Arc::from(&b"x"[..]));
        assert!(c.get(2).is_none(), "update does not insert");
        c.update_if_present(1, || Arc::from(&b"uno"[..]));
        assert_eq!(c.get(1).as_deref(), Some(&b"uno"[..]));
        c.remove(1);
        assert!(c.get(1).is_none());
        assert_eq!(c.len(), 0);
        assert_eq!(c.figures().stored, 0);
    }

    #[test]
    fn wraps_around_and_evicts_oldest_unreferenced() {
        // One shard, room for a few dozen 100-byte records.
        let c = filled(FIXED_BYTES + MIN_SLOTS * SLOT_BYTES + 40 * 110, 1000, 1);
        for k in 0..1000 {
            c.fill(k, &[k as u8; 100], || true);
            let f = c.figures();
            assert!(f.bytes <= (FIXED_BYTES + MIN_SLOTS * SLOT_BYTES + 40 * 110) as u64);
        }
        assert!(c.get(999).is_some(), "the newest stays");
        assert!(c.get(0).is_none(), "the oldest went");
        for k in (0..1000).filter(|k| c.get(*k).is_some()) {
            assert_eq!(c.get(k).as_deref(), Some(&[k as u8; 100][..]));
        }
    }

    #[test]
    fn zero_bytes_stores_nothing() {
        let c = filled(0, 1000, 4);
        c.fill(1, b"x", || true);
        assert!(c.is_empty() && c.get(1).is_none());
        assert_eq!(c.figures().bytes, 0);
    }
}
