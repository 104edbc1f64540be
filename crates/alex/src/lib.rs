//! ALEX: an updatable adaptive learned index (Ding et al., SIGMOD 2020) over `i64` keys.
//!
//! The index holds a set of keys. Model nodes route a key down the tree with a linear
//! model; data nodes are gapped arrays searched from a model's prediction with an
//! exponential search. Bulk load and node splits are driven by ALEX's cost model; full
//! data nodes expand (keeping their model for append streams), retrain or split sideways
//! or down; keys beyond the key domain grow the root. See docs/engine.md for the design.
//!
//! The engine wraps this single-threaded structure in a lock; it holds no interior
//! mutability, so reads through `&self` never write.

mod cost;
mod data;
mod model;
mod params;
mod tree;
mod validate;

use std::ops::{Bound, RangeBounds};

use data::NIL;
pub use params::{Counters, Params};
use tree::{Node, Tree};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IndexError {
    #[error(
        "bulk load needs strictly increasing keys: key {key} at position {pos} is not above the key before it"
    )]
    NotSorted { pos: usize, key: i64 },
}

/// A snapshot of the index's shape, for stats displays and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IndexStats {
    pub num_keys: usize,
    pub model_nodes: usize,
    pub data_nodes: usize,
    /// Nodes on the longest root-to-leaf path (a lone data node is depth 1).
    pub depth: usize,
    /// Nodes on the path to a key, averaged over keys (what a lookup of a random key
    /// traverses; C++ ALEX's `num_node_lookups / num_lookups` plus one).
    pub mean_key_depth: f64,
    /// Structural events since the index was built (flattened into the JSON).
    #[serde(flatten)]
    pub counters: Counters,
    pub bytes_used: usize,
    /// Slots in all data nodes (keys plus gaps).
    pub data_slots: usize,
    pub root_fanout: usize,
    /// Search iterations per lookup the cost model expects, averaged over keys.
    pub expected_search_iters: f64,
}

/// The ALEX index.
pub struct AlexIndex {
    tree: Tree,
}

impl Default for AlexIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for AlexIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlexIndex")
            .field("stats", &self.stats())
            .finish()
    }
}

impl AlexIndex {
    pub fn new() -> Self {
        Self::with_params(Params::default())
    }

    pub fn with_params(params: Params) -> Self {
        AlexIndex {
            tree: Tree::new(params.sanitized()),
        }
    }

    /// Builds an index from strictly increasing keys.
    pub fn bulk_load(sorted: &[i64]) -> Result<Self, IndexError> {
        Self::bulk_load_with(sorted, Params::default())
    }

    pub fn bulk_load_with(sorted: &[i64], params: Params) -> Result<Self, IndexError> {
        if let Some(i) = sorted.windows(2).position(|w| w[1] <= w[0]) {
            return Err(IndexError::NotSorted {
                pos: i + 1,
                key: sorted[i + 1],
            });
        }
        let mut idx = Self::with_params(params);
        if !sorted.is_empty() {
            idx.tree.rebuild(sorted, None);
        }
        Ok(idx)
    }

    pub fn params(&self) -> Params {
        self.tree.params
    }

    /// Adds `key`; returns false (and changes nothing) if it was already there.
    pub fn insert(&mut self, key: i64) -> bool {
        self.tree.insert(key)
    }

    /// Removes `key`; returns whether it was there.
    pub fn remove(&mut self, key: i64) -> bool {
        self.tree.remove(key)
    }

    /// Removes every key in `range` in one pass over the leaves it covers; returns how
    /// many keys were removed.
    pub fn remove_range<R: RangeBounds<i64>>(&mut self, range: R) -> usize {
        let lo = match range.start_bound() {
            Bound::Unbounded => Some(i64::MIN),
            Bound::Included(&k) => Some(k),
            Bound::Excluded(&k) => k.checked_add(1),
        };
        let hi = match range.end_bound() {
            Bound::Unbounded => Some(i64::MAX),
            Bound::Included(&k) => Some(k),
            Bound::Excluded(&k) => k.checked_sub(1),
        };
        match (lo, hi) {
            (Some(a), Some(b)) if a <= b => self.tree.remove_range(a, b),
            _ => 0,
        }
    }

    /// Always inlined: a lookup is a few dozen instructions, and a call in a caller's
    /// loop costs the processor its run-ahead into the next lookups (issue 16).
    #[inline(always)]
    pub fn contains(&self, key: i64) -> bool {
        self.tree.leaf_ref(key).contains(key)
    }

    /// The key's global slot number: its data node's first number plus its slot there,
    /// found by the same path as `contains`. Numbers are distinct, below `slot_count`,
    /// and increase with the key; a key keeps its number until the index next changes
    /// (an insert may shift keys within their node). A cache can index a handle array by
    /// it (the "ALEX handle" cache directory that `engine_measure` compares).
    #[inline]
    pub fn slot_of(&self, key: i64) -> Option<u64> {
        let d = self.tree.leaf_ref(key);
        d.find(key).map(|pos| d.slot_base + pos as u64)
    }

    /// Slots in all data nodes (keys plus gaps): one more than the largest `slot_of`.
    pub fn slot_count(&self) -> u64 {
        self.tree.slot_count
    }

    /// Smallest key `>= key`. Its leaf's key array answers alone in the common case;
    /// otherwise the bitmap walk of `range` does.
    #[inline(always)]
    pub fn lower_bound(&self, key: i64) -> Option<i64> {
        match self.tree.leaf_ref(key).lower_bound_key(key) {
            Some(k) => Some(k),
            None => self.lower_bound_by_range(key),
        }
    }

    #[cold]
    #[inline(never)]
    fn lower_bound_by_range(&self, key: i64) -> Option<i64> {
        self.range(key..).next()
    }

    /// Keys in `range`, in ascending order.
    pub fn range<R: RangeBounds<i64>>(&self, range: R) -> Range<'_> {
        let hi = range.end_bound().cloned();
        let (leaf, slot) = match range.start_bound() {
            Bound::Unbounded => (self.tree.first_leaf(), 0),
            Bound::Included(&k) => self.seek(k),
            Bound::Excluded(&k) => match k.checked_add(1) {
                Some(k) => self.seek(k),
                None => (NIL, 0),
            },
        };
        Range {
            tree: &self.tree,
            leaf,
            slot,
            hi,
        }
    }

    fn seek(&self, key: i64) -> (u32, usize) {
        let leaf = self.tree.leaf_for(key);
        let (slot, _) = self.tree.data(leaf).lower_bound_slot(key);
        (leaf, slot)
    }

    pub fn iter(&self) -> Range<'_> {
        self.range(..)
    }

    /// Number of keys in `range` (walks them).
    pub fn count_range<R: RangeBounds<i64>>(&self, range: R) -> usize {
        self.range(range).count()
    }

    pub fn len(&self) -> usize {
        self.tree.len
    }

    pub fn is_empty(&self) -> bool {
        self.tree.len == 0
    }

    pub fn min_key(&self) -> Option<i64> {
        self.iter().next()
    }

    pub fn max_key(&self) -> Option<i64> {
        let mut id = self.tree.last_leaf();
        while id != NIL {
            let d = self.tree.data(id);
            if d.num_keys > 0 {
                return d.prev_occupied(d.capacity() - 1).map(|p| d.keys[p]);
            }
            id = d.prev;
        }
        None
    }

    /// Every byte the index holds: node structs, key slots (gaps included), bitmaps and
    /// child arrays.
    pub fn bytes_used(&self) -> usize {
        let t = &self.tree;
        let mut bytes = std::mem::size_of::<Self>()
            + t.nodes.capacity() * std::mem::size_of::<Node>()
            + t.free.capacity() * std::mem::size_of::<u32>();
        for n in &t.nodes {
            match n {
                Node::Model(m) => bytes += m.children.len() * std::mem::size_of::<u32>(),
                Node::Data(d) => bytes += d.bytes(),
                Node::Free => {}
            }
        }
        bytes
    }

    pub fn counters(&self) -> Counters {
        self.tree.counters
    }

    pub fn stats(&self) -> IndexStats {
        let t = &self.tree;
        let mut s = IndexStats {
            num_keys: t.len,
            counters: t.counters,
            bytes_used: self.bytes_used(),
            ..Default::default()
        };
        if let Node::Model(m) = &t.nodes[t.root as usize] {
            s.root_fanout = m.children.len();
        }
        let mut stack = vec![(t.root, 1usize)];
        while let Some((id, depth)) = stack.pop() {
            s.depth = s.depth.max(depth);
            match &t.nodes[id as usize] {
                Node::Model(m) => {
                    s.model_nodes += 1;
                    let mut i = 0;
                    while i < m.children.len() {
                        let c = m.children[i];
                        stack.push((c, depth + 1));
                        i += 1usize << t.dup_of(c);
                    }
                }
                Node::Data(d) => {
                    s.data_nodes += 1;
                    s.data_slots += d.capacity();
                    s.expected_search_iters += d.expected.search_iters * d.num_keys as f64;
                    s.mean_key_depth += (depth * d.num_keys) as f64;
                }
                Node::Free => {}
            }
        }
        if t.len > 0 {
            s.expected_search_iters /= t.len as f64;
            s.mean_key_depth /= t.len as f64;
        }
        s
    }

    /// Checks every structural invariant; returns the first violation found.
    pub fn validate(&self) -> Result<(), String> {
        validate::validate(&self.tree)
    }
}

/// Ordered iterator over a key range.
pub struct Range<'a> {
    tree: &'a Tree,
    leaf: u32,
    slot: usize,
    hi: Bound<i64>,
}

impl Iterator for Range<'_> {
    type Item = i64;

    #[inline]
    fn next(&mut self) -> Option<i64> {
        while self.leaf != NIL {
            let d = self.tree.data(self.leaf);
            if let Some(p) = d.next_occupied(self.slot) {
                let k = d.keys[p];
                let past = match self.hi {
                    Bound::Included(h) => k > h,
                    Bound::Excluded(h) => k >= h,
                    Bound::Unbounded => false,
                };
                if past {
                    self.leaf = NIL;
                    return None;
                }
                self.slot = p + 1;
                return Some(k);
            }
            self.leaf = d.next;
            self.slot = 0;
        }
        None
    }
}
