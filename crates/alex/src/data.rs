//! ALEX data node: a gapped array of keys with a bitmap of occupied slots.
//!
//! The key array is non-decreasing: a gap holds a value no greater than the next occupied
//! key to its right (or `i64::MAX` after the last key). An insert writes the new key
//! into the gaps just before it that held more; a removal only clears the key's bit and
//! leaves its value behind, so removing keys in ascending order costs O(1) each instead
//! of rewriting the ever longer run of gaps to their left. A lookup is a model prediction
//! plus an exponential search for the first slot `>= key`; the first occupied slot from
//! there is the first real key `>= key`, and the bitmap tells whether it is the key.

use super::cost::{self, CONTRACT_DENSITY, INIT_DENSITY, MAX_DENSITY, MIN_DENSITY};
use super::model::{LinearModel, Positions};

pub(crate) const NIL: u32 = u32::MAX;
const FILL: i64 = i64::MAX;
const MIN_CAPACITY: usize = 8;
/// Expansions keep the model instead of retraining when more than this share of inserts
/// landed beyond one end of the node (append-mostly streams).
const APPEND_MOSTLY: f64 = 0.9;
/// Density of the existing keys after an append-mostly expansion (above MAX_DENSITY, so
/// the appended keys reach the expansion threshold before the end of the array).
const APPEND_PACK_DENSITY: f64 = 0.9;

/// Why a data node refused an insert; the tree then expands, retrains or splits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// Measured cost is far above what the cost model expected: consider a split.
    CostDeviation,
    /// Shifts per insert are out of control: split.
    Catastrophic,
    /// The node is at its maximum size: split.
    MaxSize,
}

pub(crate) enum InsertOutcome {
    Inserted,
    Exists,
    Full(Full),
}

/// `repr(C)`: the fields a lookup reads come first (see `Node`).
#[repr(C)]
pub(crate) struct DataNode {
    pub model: LinearModel,
    pub keys: Positions<i64>,
    /// Lookups of keys below this bound trust the key array alone: FILL while no key was
    /// removed since the array was last laid out (every gap then holds a copy of the next
    /// present key, or FILL, so only FILL itself is ambiguous), i64::MIN after a removal.
    /// One compare in `find` instead of a flag test and a FILL test.
    trusted_below: i64,
    /// log2 of the number of parent slots pointing at this node.
    pub dup: u8,
    pub bitmap: Box<[u64]>,
    pub num_keys: usize,
    pub expansion_threshold: usize,
    pub contraction_threshold: usize,
    pub max_slots: usize,
    pub prev: u32,
    pub next: u32,
    /// Global number of this node's slot 0 (see `Tree::number_slots`).
    pub slot_base: u64,
    /// Smallest and largest key ever held since the last rebuild (ALEX's bookkeeping for
    /// detecting append-mostly streams).
    pub min_key: i64,
    pub max_key: i64,
    /// Cost model expectations at build time.
    pub expected: cost::DataCost,
    // Counters for the empirical cost; they survive expansions, like ALEX's.
    pub num_inserts: u64,
    pub num_shifts: u64,
    pub num_search_iters: u64,
    pub num_right_appends: u64,
    pub num_left_appends: u64,
    pub num_resizes: u64,
    pub num_contractions: u64,
    /// Slots rewritten by inserts and removals outside rebuilds (tests count the work).
    #[cfg(test)]
    pub slot_writes: u64,
}

impl DataNode {
    /// Builds a node over sorted distinct `keys` at `density`, with a model trained on them.
    pub fn build(keys: &[i64], density: f64, max_slots: usize) -> DataNode {
        let n = keys.len();
        let capacity = Self::capacity_for(n, density, max_slots);
        let model = if n == 0 {
            LinearModel::ZERO
        } else {
            LinearModel::fit_ranks(keys, capacity as f64 / n as f64)
        };
        let mut node = DataNode {
            model,
            keys: Positions::default(),
            bitmap: Box::new([]),
            num_keys: 0,
            expansion_threshold: 0,
            contraction_threshold: 0,
            max_slots,
            dup: 0,
            prev: NIL,
            next: NIL,
            slot_base: 0,
            min_key: keys.first().copied().unwrap_or(i64::MAX),
            max_key: keys.last().copied().unwrap_or(i64::MIN),
            expected: cost::DataCost::default(),
            num_inserts: 0,
            num_shifts: 0,
            num_search_iters: 0,
            num_right_appends: 0,
            num_left_appends: 0,
            num_resizes: 0,
            num_contractions: 0,
            trusted_below: FILL,
            #[cfg(test)]
            slot_writes: 0,
        };
        node.place(keys, capacity);
        node.expected = cost::data_node_cost(keys, density, 1.0);
        node
    }

    fn capacity_for(n: usize, density: f64, max_slots: usize) -> usize {
        let want = ((n as f64 / density).ceil() as usize)
            .max(n + 1)
            .max(MIN_CAPACITY);
        want.min(max_slots.max(n + 1))
    }

    /// Lays `keys` out in a fresh array of `capacity` slots using the current model: each
    /// key at its predicted slot or just after the previous key, packing the tail when
    /// the remaining keys would not fit.
    fn place(&mut self, keys: &[i64], capacity: usize) {
        let n = keys.len();
        debug_assert!(capacity > n);
        let mut slots = alloc_slots(capacity);
        let mut bitmap = vec![0u64; capacity.div_ceil(64)].into_boxed_slice();
        let mut next_free = 0usize;
        for (i, &k) in keys.iter().enumerate() {
            let remaining = n - i;
            let mut pos = self.model.predict(k, capacity).max(next_free);
            if capacity - pos < remaining {
                pos = capacity - remaining;
            }
            slots[next_free..=pos].fill(k);
            bitmap[pos >> 6] |= 1u64 << (pos & 63);
            next_free = pos + 1;
        }
        self.keys = slots.into();
        self.bitmap = bitmap;
        self.num_keys = n;
        self.trusted_below = FILL;
        self.set_thresholds();
    }

    fn set_thresholds(&mut self) {
        let cap = self.keys.len();
        self.expansion_threshold =
            ((cap as f64 * MAX_DENSITY) as usize).clamp(self.num_keys + 1, cap);
        self.contraction_threshold = (cap as f64 * CONTRACT_DENSITY) as usize;
    }

    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.keys.len()
    }

    #[inline(always)]
    pub fn is_occupied(&self, pos: usize) -> bool {
        self.bitmap[pos >> 6] & (1u64 << (pos & 63)) != 0
    }

    /// First occupied slot at or after `pos`.
    #[inline]
    pub fn next_occupied(&self, pos: usize) -> Option<usize> {
        self.next_occupied_upto(pos, self.keys.len())
    }

    /// First occupied slot in `[pos, limit)` (the scan stops at `limit`).
    #[inline]
    pub fn next_occupied_upto(&self, pos: usize, limit: usize) -> Option<usize> {
        self.scan_right(pos, limit, false)
    }

    /// Last occupied slot at or before `pos`.
    pub fn prev_occupied(&self, pos: usize) -> Option<usize> {
        self.scan_left(pos, false)
    }

    /// Bitmap word `w`, inverted when looking for gaps instead of keys.
    #[inline(always)]
    fn word(&self, w: usize, gaps: bool) -> u64 {
        if gaps {
            !self.bitmap[w]
        } else {
            self.bitmap[w]
        }
    }

    /// First slot in `[pos, limit)` that is occupied (or, with `gaps`, free).
    #[inline(always)]
    fn scan_right(&self, pos: usize, limit: usize, gaps: bool) -> Option<usize> {
        let cap = self.keys.len().min(limit);
        if pos >= cap {
            return None;
        }
        let mut w = pos >> 6;
        let mut word = self.word(w, gaps) & (!0u64 << (pos & 63));
        loop {
            if word != 0 {
                let p = (w << 6) + word.trailing_zeros() as usize;
                return (p < cap).then_some(p);
            }
            w += 1;
            if w >= self.bitmap.len() || (w << 6) >= cap {
                return None;
            }
            word = self.word(w, gaps);
        }
    }

    /// Last slot at or before `pos` that is occupied (or, with `gaps`, free).
    #[inline(always)]
    fn scan_left(&self, pos: usize, gaps: bool) -> Option<usize> {
        let mut w = pos >> 6;
        let shift = 63 - (pos & 63);
        let mut word = (self.word(w, gaps) << shift) >> shift;
        loop {
            if word != 0 {
                return Some((w << 6) + 63 - word.leading_zeros() as usize);
            }
            if w == 0 {
                return None;
            }
            w -= 1;
            word = self.word(w, gaps);
        }
    }

    /// First slot whose key is `>= key` (may be `capacity`), by exponential search from
    /// the model's prediction. Returns the slot and the number of search iterations.
    #[inline(always)]
    pub fn lower_bound_slot(&self, key: i64) -> (usize, u32) {
        let keys = &self.keys[..];
        let cap = keys.len();
        let pred = self.model.predict_into(key, &self.keys);
        let mut iters = 0u32;
        let (mut lo, mut hi);
        if keys[pred] >= key {
            // Answer is in [pred - bound, pred]: grow the bound leftwards.
            let mut bound = 1usize;
            while bound <= pred && keys[pred - bound] >= key {
                bound <<= 1;
                iters += 1;
            }
            lo = pred.saturating_sub(bound);
            hi = pred - (bound >> 1);
            if bound > pred {
                lo = 0;
            }
        } else {
            let mut bound = 1usize;
            while pred + bound < cap && keys[pred + bound] < key {
                bound <<= 1;
                iters += 1;
            }
            lo = pred + (bound >> 1) + 1;
            hi = (pred + bound).min(cap);
        }
        // Binary search for the first slot >= key in [lo, hi).
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if keys[mid] >= key {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        (lo, iters)
    }

    /// First slot whose key is `> key` (may be `capacity`), by exponential search from
    /// the model's prediction. Lookups use this bound rather than `lower_bound_slot`: a
    /// layout puts each key at or after its predicted slot, so the first test
    /// (`keys[pred] > key`) nearly always goes the same way and the processor can run
    /// ahead into the next lookup while this one waits for memory.
    #[inline(always)]
    fn upper_bound_slot(&self, key: i64) -> usize {
        let keys = &self.keys[..];
        let cap = keys.len();
        let pred = self.model.predict_into(key, &self.keys);
        let (mut lo, mut hi);
        if keys[pred] > key {
            let mut bound = 1usize;
            while bound <= pred && keys[pred - bound] > key {
                bound <<= 1;
            }
            // keys[pred - bound / 2] > key, and keys[pred - bound] <= key unless past 0.
            lo = if bound > pred { 0 } else { pred - bound + 1 };
            hi = pred - (bound >> 1);
        } else {
            // keys[pred + bound / 2] <= key throughout: the answer lies after it.
            let mut bound = 1usize;
            while pred + bound < cap && keys[pred + bound] <= key {
                bound <<= 1;
            }
            lo = pred + (bound >> 1) + 1;
            hi = (pred + bound).min(cap);
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if keys[mid] > key {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// A key was removed since the array was last laid out (so gaps may hold stale
    /// copies of removed keys).
    pub fn removed_since_build(&self) -> bool {
        self.trusted_below == i64::MIN
    }

    /// Gaps may now hold a removed key: lookups consult the bitmap until the next layout.
    fn mark_removed(&mut self) {
        self.trusted_below = i64::MIN;
    }

    /// Slot holding `key`, if present. The last slot holding `key`'s value is the key
    /// itself unless a removal left a stale copy behind (or `key` is FILL): then the
    /// bitmap decides, and a stale copy falls back to the lower-bound search.
    #[inline(always)]
    pub fn find(&self, key: i64) -> Option<usize> {
        // At ub == 0 the wrapped index is past the end, so one bounds test covers both.
        let p = self.upper_bound_slot(key).wrapping_sub(1);
        if self.keys.get(p) != Some(&key) {
            return None;
        }
        if key < self.trusted_below || self.is_occupied(p) {
            return Some(p);
        }
        self.find_by_lower_bound(key)
    }

    /// The smallest key `>= key` in this node, when the key array alone can tell (no
    /// removal since the layout, so every gap holds the next key): the key itself, or the
    /// value in the slot after its place. `None` means "ask the bitmap" (after a removal,
    /// or past the node's last key), not "no such key".
    #[inline(always)]
    pub fn lower_bound_key(&self, key: i64) -> Option<i64> {
        if self.removed_since_build() {
            return None;
        }
        let ub = self.upper_bound_slot(key);
        // Read the answer from its slot (not `key` itself on a match), so the result
        // depends on the data as it does on every other path.
        let at = ub - usize::from(ub > 0 && self.keys[ub - 1] == key);
        let v = *self.keys.get(at)?;
        (v != FILL).then_some(v)
    }

    /// Slot holding `key` by the lower-bound search and the bitmap (any state). `find`
    /// needs it only past a stale copy of a removed key: rare, so kept out of line.
    #[cold]
    #[inline(never)]
    fn find_by_lower_bound(&self, key: i64) -> Option<usize> {
        let (lb, _) = self.lower_bound_slot(key);
        self.key_at_or_after(lb, key)
    }

    /// Slot of `key` given `lb`, the first slot `>= key`. A gap there may hold `key`
    /// itself left behind by its removal, so the bitmap decides.
    #[inline(always)]
    fn key_at_or_after(&self, lb: usize, key: i64) -> Option<usize> {
        if lb >= self.keys.len() || self.keys[lb] != key {
            return None;
        }
        if self.is_occupied(lb) {
            return Some(lb);
        }
        let p = self.next_occupied(lb)?;
        (self.keys[p] == key).then_some(p)
    }

    #[inline(always)]
    pub fn contains(&self, key: i64) -> bool {
        self.find(key).is_some()
    }

    fn empirical_cost(&self) -> f64 {
        if self.num_inserts == 0 {
            return 0.0;
        }
        let n = self.num_inserts as f64;
        cost::SEARCH_ITER_WEIGHT * (self.num_search_iters as f64 / n)
            + cost::SHIFT_WEIGHT * (self.num_shifts as f64 / n)
    }

    fn catastrophic(&self) -> bool {
        let per_insert = if self.num_inserts == 0 {
            0.0
        } else {
            self.num_shifts as f64 / self.num_inserts as f64
        };
        per_insert > 100.0 || self.expected.shifts > 100.0
    }

    fn significant_cost_deviation(&self) -> bool {
        let emp = self.empirical_cost();
        emp > cost::NODE_LOOKUP_WEIGHT && emp > 1.5 * self.expected.cost
    }

    /// Too many keys to expand: at MIN_DENSITY they would need more than `max_slots`, so
    /// a resize could not lower the density and only a split makes room.
    pub fn at_max_size(&self) -> bool {
        self.num_keys as f64 > self.max_slots as f64 * MIN_DENSITY
    }

    pub fn append_mostly_right(&self) -> bool {
        self.num_inserts > 0
            && self.num_right_appends as f64 / self.num_inserts as f64 > APPEND_MOSTLY
    }

    pub fn append_mostly_left(&self) -> bool {
        self.num_inserts > 0
            && self.num_left_appends as f64 / self.num_inserts as f64 > APPEND_MOSTLY
    }

    /// Forgets the empirical-cost counters after the node was retrained.
    pub fn reset_counters(&mut self) {
        self.num_inserts = 0;
        self.num_shifts = 0;
        self.num_search_iters = 0;
        self.num_right_appends = 0;
        self.num_left_appends = 0;
    }

    /// Inserts `key`. When the node is full it either expands itself (the common case)
    /// or reports why it should be split or retrained by the tree.
    pub fn insert(&mut self, key: i64) -> InsertOutcome {
        if self.num_inserts.is_multiple_of(64) && self.num_inserts > 0 && self.catastrophic() {
            if self.contains(key) {
                return InsertOutcome::Exists;
            }
            return InsertOutcome::Full(Full::Catastrophic);
        }
        if self.num_keys >= self.expansion_threshold {
            if self.contains(key) {
                return InsertOutcome::Exists;
            }
            if self.significant_cost_deviation() {
                return InsertOutcome::Full(Full::CostDeviation);
            }
            if self.catastrophic() {
                return InsertOutcome::Full(Full::Catastrophic);
            }
            if self.at_max_size() {
                return InsertOutcome::Full(Full::MaxSize);
            }
            let keep_left = self.append_mostly_right();
            let keep_right = self.append_mostly_left();
            self.resize(MIN_DENSITY, false, keep_left, keep_right);
            self.num_resizes += 1;
        }
        let (lb, iters) = self.lower_bound_slot(key);
        self.num_search_iters += iters as u64;
        let cap = self.keys.len();
        if self.key_at_or_after(lb, key).is_some() {
            return InsertOutcome::Exists;
        }
        if lb < cap && !self.is_occupied(lb) {
            // `lb` opens a run of gaps: put the key at its predicted slot within the run
            // (only the stretch up to the prediction needs scanning for the run's end).
            let pred = self.model.predict_into(key, &self.keys);
            let pos = if pred <= lb {
                lb
            } else {
                match self.next_occupied_upto(lb, pred + 1) {
                    Some(o) => o - 1,
                    _ => pred,
                }
            };
            self.insert_at(key, pos);
        } else {
            self.insert_with_shift(key, lb);
        }
        self.num_keys += 1;
        self.num_inserts += 1;
        if key > self.max_key {
            self.max_key = key;
            self.num_right_appends += 1;
        }
        if key < self.min_key {
            self.min_key = key;
            self.num_left_appends += 1;
        }
        InsertOutcome::Inserted
    }

    /// Writes `key` into the gap `pos` and refreshes the gap copies to its left.
    fn insert_at(&mut self, key: i64, pos: usize) {
        self.keys[pos] = key;
        self.bitmap[pos >> 6] |= 1u64 << (pos & 63);
        self.fill_gaps_before(pos, key);
    }

    /// Sets slot `pos` to `value` and lowers the gaps just before it that held more (no
    /// gap may exceed the next key); the array is non-decreasing, so the first gap holding
    /// no more than `value` ends the walk.
    fn fill_gaps_before(&mut self, pos: usize, value: i64) {
        self.keys[pos] = value;
        let mut p = pos;
        while p > 0 && !self.is_occupied(p - 1) && self.keys[p - 1] > value {
            p -= 1;
            self.keys[p] = value;
        }
        #[cfg(test)]
        {
            self.slot_writes += (pos - p + 1) as u64;
        }
    }

    /// Inserts `key` before slot `pos` (an occupied slot, or `capacity`) by shifting keys
    /// towards the closest gap.
    fn insert_with_shift(&mut self, key: i64, pos: usize) {
        let gap = self.closest_gap(pos);
        if gap >= pos {
            self.keys.copy_within(pos..gap, pos + 1);
            self.bitmap[gap >> 6] |= 1u64 << (gap & 63);
            self.num_shifts += (gap - pos) as u64;
            self.insert_at(key, pos);
        } else {
            self.keys.copy_within(gap + 1..pos, gap);
            self.bitmap[gap >> 6] |= 1u64 << (gap & 63);
            self.num_shifts += (pos - gap - 1) as u64;
            self.insert_at(key, pos - 1);
        }
    }

    /// Closest gap to `pos` (`pos` itself is occupied or equals `capacity`). There is
    /// always one: a node is expanded before it fills up.
    fn closest_gap(&self, pos: usize) -> usize {
        let cap = self.keys.len();
        let right = self.scan_right(pos, cap, true);
        let left = if pos > 0 {
            self.scan_left(pos - 1, true)
        } else {
            None
        };
        match (left, right) {
            (Some(l), Some(r)) => {
                if pos - l <= r - pos {
                    l
                } else {
                    r
                }
            }
            (Some(l), None) => l,
            (None, Some(r)) => r,
            (None, None) => unreachable!("data node without a gap"),
        }
    }

    /// Removes `key`; returns whether it was present. Contracts a node that deletes have
    /// left too sparse.
    pub fn remove(&mut self, key: i64) -> bool {
        let Some(pos) = self.find(key) else {
            return false;
        };
        // The slot keeps the removed key as its value: no more than the next key, no less
        // than the gaps before it, so nothing else needs rewriting.
        self.bitmap[pos >> 6] &= !(1u64 << (pos & 63));
        self.mark_removed();
        self.num_keys -= 1;
        if self.num_keys > 0 && self.num_keys < self.contraction_threshold {
            self.resize(INIT_DENSITY, true, false, false);
            self.num_contractions += 1;
        }
        true
    }

    /// Removes the keys in slots `[lo, hi)` (clearing their bits: the slots keep their
    /// values, as in `remove`) and returns how many there were. Contracts the node if it
    /// is left too sparse, an emptied one included (a range delete may empty many).
    pub fn remove_slots(&mut self, lo: usize, hi: usize) -> usize {
        let hi = hi.min(self.keys.len());
        let mut removed = 0;
        let mut p = lo;
        while p < hi {
            let w = p >> 6;
            let end = ((w + 1) << 6).min(hi);
            let top = end - (w << 6);
            let below_top = if top == 64 { !0u64 } else { (1u64 << top) - 1 };
            let mask = below_top & (!0u64 << (p & 63));
            removed += (self.bitmap[w] & mask).count_ones() as usize;
            self.bitmap[w] &= !mask;
            p = end;
        }
        self.num_keys -= removed;
        if removed > 0 {
            self.mark_removed();
            if self.num_keys < self.contraction_threshold {
                self.resize(INIT_DENSITY, true, false, false);
                self.num_contractions += 1;
            }
        }
        removed
    }

    /// The node's keys in order.
    pub fn collect_keys(&self) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.num_keys);
        for (w, &word) in self.bitmap.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let p = (w << 6) + bits.trailing_zeros() as usize;
                out.push(self.keys[p]);
                bits &= bits - 1;
            }
        }
        out
    }

    /// Rebuilds the array at `density`. Retrains the model when asked, or when the node
    /// is small; otherwise scales it, or keeps it as is for append-mostly streams so that
    /// appended keys land in the new room at the end (or start).
    pub fn resize(&mut self, density: f64, retrain: bool, keep_left: bool, keep_right: bool) {
        let keys = self.collect_keys();
        let n = keys.len();
        let old_cap = self.keys.len();
        let new_cap = Self::capacity_for(n, density, self.max_slots);
        if n > 0 && (keep_left || keep_right) {
            // Append stream: pack the current keys at the front (or back) at a density
            // above the expansion threshold, so that keys arriving at the same rate get
            // their own predicted slots in the new room all the way to the next expansion
            // instead of piling up, clamped, at the edge.
            let step = 1.0 / APPEND_PACK_DENSITY;
            self.model = LinearModel::fit_ranks(&keys, step);
            if keep_right {
                self.model.b += new_cap as f64 - n as f64 * step;
            }
        } else if n > 0 && (retrain || n < 50) {
            self.model = LinearModel::fit_ranks(&keys, new_cap as f64 / n as f64);
        } else {
            self.model.scale(new_cap as f64 / old_cap as f64);
        }
        self.place(&keys, new_cap);
    }

    pub fn bytes(&self) -> usize {
        self.keys.len() * 8 + self.bitmap.len() * 8
    }
}

/// Key arrays of several MiB are read at random by lookups; with 4 KiB pages nearly every
/// probe also misses the TLB. Ask the kernel for transparent huge pages on such arrays
/// (a hint: it is ignored where THP is off) before touching them.
fn alloc_slots(capacity: usize) -> Box<[i64]> {
    const HUGE: usize = 2 << 20;
    let mut v: Vec<i64> = Vec::with_capacity(capacity);
    let bytes = capacity * std::mem::size_of::<i64>();
    if bytes >= 2 * HUGE {
        let start = v.as_mut_ptr() as usize;
        let aligned = start.next_multiple_of(HUGE);
        let len = (start + bytes).saturating_sub(aligned) / HUGE * HUGE;
        if len > 0 {
            // SAFETY: the range lies inside the vector's own untouched allocation;
            // madvise only changes how the kernel backs it, never its contents.
            unsafe {
                libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
            }
        }
    }
    v.resize(capacity, FILL);
    v.into_boxed_slice()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find` answers from the key array alone until a removal; afterwards stale copies
    /// of removed keys sit in gaps, and every answer must still match the bitmap's.
    #[test]
    fn lookups_agree_with_the_bitmap_through_removals_and_reinserts() {
        let keys: Vec<i64> = (0..400).map(|i| i * 3).chain([FILL]).collect();
        let mut node = DataNode::build(&keys, 0.5, 1 << 20);
        fn check(node: &DataNode, present: &dyn Fn(i64) -> bool) {
            for k in (-3..1210).chain([FILL - 1, FILL]) {
                let got = node.find(k);
                assert_eq!(got, node.find_by_lower_bound(k), "key {k}");
                assert_eq!(got.is_some(), present(k), "key {k}");
                if let Some(p) = got {
                    assert!(node.is_occupied(p) && node.keys[p] == k, "key {k} at {p}");
                }
                let next = node.collect_keys().into_iter().find(|&x| x >= k);
                match node.lower_bound_key(k) {
                    Some(v) => assert_eq!(Some(v), next, "lower bound of {k}"),
                    // Only after a removal, or at FILL, may the array not tell.
                    None => assert!(node.removed_since_build() || next.is_none_or(|v| v == FILL)),
                }
            }
        }
        // Without FILL among the keys, the trailing gaps' FILL must not pass for it.
        let without = DataNode::build(&keys[..400], 0.5, 1 << 20);
        assert_eq!(without.keys.last(), Some(&FILL));
        check(&without, &|k| (0..1200).contains(&k) && k % 3 == 0);
        assert!(!node.removed_since_build());
        check(&node, &|k| {
            k == FILL || (0..1200).contains(&k) && k % 3 == 0
        });
        for k in (0..1200).step_by(6).chain([FILL]) {
            assert!(node.remove(k));
        }
        assert!(node.removed_since_build());
        check(&node, &|k| (0..1200).contains(&k) && k % 6 == 3);
        // Reinserted keys may land before their stale copies.
        for k in (0..1200).step_by(12).chain([FILL]) {
            assert!(matches!(node.insert(k), InsertOutcome::Inserted));
        }
        let present = |k: i64| k == FILL || (0..1200).contains(&k) && (k % 6 == 3 || k % 12 == 0);
        check(&node, &present);
        node.resize(INIT_DENSITY, true, false, false);
        assert!(
            !node.removed_since_build(),
            "a layout leaves no stale copies"
        );
        check(&node, &present);
        // A range removal leaves stale copies too.
        let (lo, hi) = (node.find(600).unwrap(), node.find(900).unwrap());
        node.remove_slots(lo, hi);
        check(&node, &|k| present(k) && !(600..900).contains(&k));
    }
}
