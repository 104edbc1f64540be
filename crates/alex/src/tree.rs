//! The ALEX tree: model nodes route a key to a child with a linear model (children may
//! repeat: a child owns an aligned run of 2^dup slots), data nodes hold the keys.
//! Nodes live in an arena and refer to each other by `u32` ids; data nodes are also
//! linked in key order for range scans.

use super::cost::{self, INIT_DENSITY, MIN_DENSITY, NODE_LOOKUP_WEIGHT};
use super::data::{DataNode, Full, InsertOutcome, NIL};
use super::model::{LinearModel, Positions};
use super::params::{Counters, Params};

#[repr(C)]
pub(crate) struct ModelNode {
    pub model: LinearModel,
    pub children: Positions<u32>,
    pub dup: u8,
}

/// `repr(u8)` puts the tag first and `align(64)` starts every node on a cache line, so
/// the tag and the fields a lookup reads next (first in `ModelNode` and `DataNode`)
/// share one line.
#[repr(u8, align(64))]
pub(crate) enum Node {
    Model(ModelNode),
    Data(DataNode),
    Free,
}

/// ALEX's rule for growing the root: enough keys fell outside the key domain, either many
/// in absolute terms or many relative to how much the index grew since the last time.
const MIN_OUT_OF_DOMAIN: u64 = 5;
const MAX_OUT_OF_DOMAIN: u64 = 1000;
const OUT_OF_DOMAIN_TOLERANCE: f64 = 2.0;
/// Bound on nested region-derived models that do not split their keys (see build_subtree).
const MAX_REGION_LEVELS: usize = 64;
/// A split on the insert path costs its fanout search on at most this many sampled keys,
/// so one insert never pays for costing every key at every level (a bulk load does).
const SPLIT_SAMPLE: usize = 1 << 16;

pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub free: Vec<u32>,
    pub root: u32,
    pub len: usize,
    pub params: Params,
    pub counters: Counters,
    /// Slots numbered by `number_slots` (all data nodes' capacities summed).
    pub slot_count: u64,
    /// A leaf was added, removed or resized since the slots were last numbered.
    slots_stale: bool,
    above_domain: u64,
    below_domain: u64,
    keys_at_last_right_expand: usize,
    keys_at_last_left_expand: usize,
}

/// One bucket of one level of the fanout tree.
#[derive(Clone, Copy, Default)]
struct FtBucket {
    keys: f64,
    cost: f64,
    /// The cost is exact (the bucket fits a data node), so a child built over the
    /// bucket's keys can reuse it.
    exact: bool,
}

/// What a bulk load of some keys is part of: the number of keys in the whole index (model
/// nodes and extra data nodes are charged per key of it), how many keys a fanout search
/// may cost one by one before it samples, and how deep below the load's top node it is.
#[derive(Clone, Copy)]
struct Build {
    total_keys: usize,
    sample: usize,
    level: usize,
}

/// A bucket the fanout tree chose: its level, its index at that level, and its exact
/// cost as one data node if known.
type FtChoice = (usize, usize, Option<f64>);

impl Tree {
    pub fn new(params: Params) -> Tree {
        let mut t = Tree {
            nodes: Vec::new(),
            free: Vec::new(),
            root: 0,
            len: 0,
            params,
            counters: Counters::default(),
            slot_count: 0,
            slots_stale: true,
            above_domain: 0,
            below_domain: 0,
            keys_at_last_right_expand: 0,
            keys_at_last_left_expand: 0,
        };
        t.root = t.alloc(Node::Data(DataNode::build(
            &[],
            INIT_DENSITY,
            params.max_data_node_slots,
        )));
        t.number_slots();
        t
    }

    // ---- arena -------------------------------------------------------------------

    fn alloc(&mut self, node: Node) -> u32 {
        if let Some(id) = self.free.pop() {
            self.nodes[id as usize] = node;
            id
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    fn dealloc(&mut self, id: u32) {
        self.nodes[id as usize] = Node::Free;
        self.free.push(id);
    }

    #[inline(always)]
    pub fn data(&self, id: u32) -> &DataNode {
        match &self.nodes[id as usize] {
            Node::Data(d) => d,
            _ => unreachable!("node {id} is not a data node"),
        }
    }

    #[inline(always)]
    fn data_mut(&mut self, id: u32) -> &mut DataNode {
        match &mut self.nodes[id as usize] {
            Node::Data(d) => d,
            _ => unreachable!("node {id} is not a data node"),
        }
    }

    fn model_node(&self, id: u32) -> &ModelNode {
        match &self.nodes[id as usize] {
            Node::Model(m) => m,
            _ => unreachable!("node {id} is not a model node"),
        }
    }

    pub fn dup_of(&self, id: u32) -> u8 {
        match &self.nodes[id as usize] {
            Node::Model(m) => m.dup,
            Node::Data(d) => d.dup,
            Node::Free => unreachable!("free node {id} is referenced"),
        }
    }

    fn set_dup(&mut self, id: u32, dup: u8) {
        match &mut self.nodes[id as usize] {
            Node::Model(m) => m.dup = dup,
            Node::Data(d) => d.dup = dup,
            Node::Free => unreachable!("free node {id} is referenced"),
        }
    }

    fn link(&mut self, prev: u32, next: u32) {
        if prev != NIL {
            self.data_mut(prev).next = next;
        }
        if next != NIL {
            self.data_mut(next).prev = prev;
        }
    }

    // ---- lookups -----------------------------------------------------------------

    #[inline(always)]
    pub fn leaf_for(&self, key: i64) -> u32 {
        let mut id = self.root;
        loop {
            match &self.nodes[id as usize] {
                Node::Model(m) => id = m.children[m.model.predict_into(key, &m.children)],
                _ => return id,
            }
        }
    }

    #[inline(always)]
    pub fn leaf_ref(&self, key: i64) -> &DataNode {
        let mut id = self.root;
        loop {
            match &self.nodes[id as usize] {
                Node::Model(m) => id = m.children[m.model.predict_into(key, &m.children)],
                Node::Data(d) => return d,
                // No id in the message: formatting it would keep `id` in memory.
                Node::Free => unreachable!("a free node is referenced"),
            }
        }
    }

    /// Leaf for `key`, its parent (or NIL for a root leaf) and the slot in the parent.
    fn locate(&self, key: i64) -> (u32, u32, usize) {
        let mut parent = NIL;
        let mut slot = 0;
        let mut id = self.root;
        while let Node::Model(m) = &self.nodes[id as usize] {
            parent = id;
            slot = m.model.predict_into(key, &m.children);
            id = m.children[slot];
        }
        (id, parent, slot)
    }

    pub fn first_leaf(&self) -> u32 {
        let mut id = self.root;
        while let Node::Model(m) = &self.nodes[id as usize] {
            id = m.children[0];
        }
        id
    }

    pub fn last_leaf(&self) -> u32 {
        let mut id = self.root;
        while let Node::Model(m) = &self.nodes[id as usize] {
            id = m.children[m.children.len() - 1];
        }
        id
    }

    // ---- bulk load ---------------------------------------------------------------

    /// Replaces the whole tree by one bulk-loaded from sorted distinct `keys`. With a
    /// `domain`, the root model spans it instead of just the keys (room to grow into).
    pub fn rebuild(&mut self, keys: &[i64], domain: Option<(i64, i64)>) {
        self.nodes.clear();
        self.free.clear();
        let mut leaves = Vec::new();
        let root_model = match domain {
            Some((lo, hi)) => LinearModel::through(lo, 0.0, hi, 1.0 - 1e-9),
            None => LinearModel::fit_min_max(keys),
        };
        let build = Build {
            total_keys: keys.len(),
            sample: usize::MAX,
            level: 0,
        };
        self.root = self.build_subtree(keys, Some(root_model), None, false, build, &mut leaves);
        self.set_dup(self.root, 0);
        self.link_leaves(&leaves, NIL, NIL);
        self.len = keys.len();
        self.above_domain = 0;
        self.below_domain = 0;
        self.keys_at_last_left_expand = self.len;
        self.keys_at_last_right_expand = self.len;
        self.number_slots();
    }

    /// Numbers every slot of every data node in key order: a leaf owns the global slot
    /// numbers `slot_base..slot_base + capacity`. Walks the leaves, so it runs only after
    /// a leaf was added, removed or resized (rare next to inserts), never on a lookup.
    fn number_slots(&mut self) {
        let mut next = 0u64;
        let mut id = self.first_leaf();
        while id != NIL {
            let d = self.data_mut(id);
            d.slot_base = next;
            next += d.capacity() as u64;
            id = d.next;
        }
        self.slot_count = next;
        self.slots_stale = false;
    }

    fn number_slots_if_stale(&mut self) {
        if self.slots_stale {
            self.number_slots();
        }
    }

    fn link_leaves(&mut self, leaves: &[u32], before: u32, after: u32) {
        let mut prev = before;
        for &l in leaves {
            self.link(prev, l);
            prev = l;
        }
        self.link(prev, after);
    }

    fn new_data_node(&mut self, keys: &[i64], leaves: &mut Vec<u32>) -> u32 {
        let node = DataNode::build(keys, INIT_DENSITY, self.params.max_data_node_slots);
        let id = self.alloc(Node::Data(node));
        leaves.push(id);
        id
    }

    /// ALEX's recursive bulk load: a node becomes a data node when its expected cost is
    /// low or no fanout beats it; otherwise a model node whose fanout (and which children
    /// to merge) the fanout tree picks. `model01` maps the keys into [0, 1); `known_cost`
    /// is the keys' exact cost as one data node if the parent's fanout tree measured it.
    fn build_subtree(
        &mut self,
        keys: &[i64],
        model01: Option<LinearModel>,
        known_cost: Option<f64>,
        force_model: bool,
        build: Build,
        leaves: &mut Vec<u32>,
    ) -> u32 {
        let n = keys.len();
        let max_keys = (self.params.max_data_node_slots as f64 * INIT_DENSITY) as usize;
        if n < 2 || (n <= max_keys && !force_model && n <= 16) {
            return self.new_data_node(keys, leaves);
        }
        let must_split = force_model || n > max_keys;
        let data_cost = if must_split {
            f64::INFINITY
        } else {
            let frac = self.params.expected_insert_frac;
            known_cost.unwrap_or_else(|| cost::exact_cost(keys, INIT_DENSITY, frac).cost)
        };
        if data_cost < NODE_LOOKUP_WEIGHT {
            return self.new_data_node(keys, leaves);
        }
        let model01 = model01.unwrap_or_else(|| LinearModel::fit_model_node(keys));
        let (depth, used, level_cost) = self.fanout_tree(keys, &model01, build, max_keys);
        if !must_split && level_cost >= data_cost {
            return self.new_data_node(keys, leaves);
        }
        let fanout = 1usize << depth;
        let mut model = model01;
        model.scale(fanout as f64);
        let mut children = vec![NIL; fanout];
        let mut start_key = 0usize;
        for (ft_level, idx, bucket_cost) in used {
            let dup = depth - ft_level;
            let first = idx << dup;
            let end_slot = first + (1usize << dup);
            let end_key = if end_slot >= fanout {
                n
            } else {
                start_key
                    + keys[start_key..].partition_point(|&k| model.predict(k, fanout) < end_slot)
            };
            // A child spans its region of this node (ALEX's boundary-derived model), so
            // keys inserted later into the region spread over the child's own children.
            // Each level shrinks the region by the fanout, so even keys packed into a tiny
            // part of it separate within a few levels; past MAX_REGION_LEVELS the model is
            // fitted to the keys instead, which always separates them.
            let child_n = end_key - start_key;
            let child_model =
                (child_n < n || child_n <= max_keys || build.level < MAX_REGION_LEVELS)
                    .then(|| region_model(&model, first, 1 << dup));
            let child = self.build_subtree(
                &keys[start_key..end_key],
                child_model,
                bucket_cost,
                false,
                Build {
                    level: build.level + 1,
                    ..build
                },
                leaves,
            );
            self.set_dup(child, dup as u8);
            children[first..end_slot].fill(child);
            start_key = end_key;
        }
        self.alloc(Node::Model(ModelNode {
            model,
            children: children.into(),
            dup: 0,
        }))
    }

    /// Builds the fanout tree for a node: level d splits the keys into 2^d buckets with
    /// `model01`; levels are added while the cost keeps falling. Then sibling buckets are
    /// merged wherever one data node is cheaper than two. Returns the depth, the chosen
    /// (level, index, cost) buckets in key order, and the expected cost per key.
    fn fanout_tree(
        &self,
        keys: &[i64],
        model01: &LinearModel,
        build: Build,
        max_keys: usize,
    ) -> (usize, Vec<FtChoice>, f64) {
        let n = keys.len();
        let stride = n.div_ceil(build.sample).max(1);
        let sample: Vec<i64>;
        let sample_keys: &[i64] = if stride > 1 {
            sample = keys.iter().step_by(stride).copied().collect();
            &sample
        } else {
            keys
        };
        // Sampled costs need a few keys per bucket to mean anything.
        let max_buckets = if stride > 1 { sample_keys.len() / 8 } else { n };
        let mut levels: Vec<Vec<FtBucket>> = vec![vec![FtBucket {
            keys: n as f64,
            cost: f64::INFINITY,
            exact: false,
        }]];
        let mut costs = vec![f64::INFINITY];
        let min_depth = (n
            .div_ceil(max_keys.max(1))
            .next_power_of_two()
            .trailing_zeros() as usize)
            .max(1);
        let weight = n as f64 / sample_keys.len() as f64;
        let mut depth = 1;
        while (1usize << depth) <= self.params.max_fanout.min(max_buckets.max(2)) {
            let fanout = 1usize << depth;
            let (buckets, data_cost) =
                self.fanout_level(sample_keys, weight, model01, fanout, max_keys);
            let level_cost = data_cost + cost::traversal_cost(fanout, n, build.total_keys);
            // Keep going at least until the average bucket fits in a data node: before
            // that every level pays the oversize penalty and costs say little.
            if depth > min_depth && level_cost > costs[depth - 1] {
                break;
            }
            levels.push(buckets);
            costs.push(level_cost);
            depth += 1;
        }
        let best = (1..costs.len())
            .min_by(|&a, &b| costs[a].total_cmp(&costs[b]))
            .unwrap_or(1);
        if levels.len() <= 1 {
            // Not even one level fits (max_fanout < 2 cannot happen): use a single split.
            let halves = [(1, 0, None), (1, 1, None)];
            return (1, halves.to_vec(), f64::INFINITY);
        }
        let mut used = Vec::new();
        let charge = cost::data_node_charge(build.total_keys);
        let c0 = merge(&levels, best, charge, 1, 0, &mut used);
        let c1 = merge(&levels, best, charge, 1, 1, &mut used);
        let cost = (c0 + c1) / n as f64 + cost::traversal_cost(1 << best, n, build.total_keys);
        (best, used, cost)
    }

    /// One fanout-tree level: the buckets `model01` makes at `fanout` and their mean
    /// cost per key. `keys` is every `weight`-th key of the node. Without sampling
    /// (weight 1), every bucket that fits a data node is costed over all its keys, as in
    /// ALEX: a sampled estimate of a large bucket and an exact one of a small bucket do
    /// not compare, and the comparison decides how wide the node gets.
    fn fanout_level(
        &self,
        keys: &[i64],
        weight: f64,
        model01: &LinearModel,
        fanout: usize,
        max_keys: usize,
    ) -> (Vec<FtBucket>, f64) {
        let frac = self.params.expected_insert_frac;
        let mut buckets = vec![FtBucket::default(); fanout];
        let mut total = 0.0;
        let mut i = 0;
        while i < keys.len() {
            let b = bucket01(model01, keys[i], fanout);
            let j = i + keys[i..].partition_point(|&k| bucket01(model01, k, fanout) <= b);
            let slice = &keys[i..j];
            let nk = slice.len() as f64 * weight;
            let exact = weight <= 1.0 && nk <= max_keys as f64;
            let mut c = if exact {
                cost::exact_cost(slice, INIT_DENSITY, frac).cost
            } else {
                cost::sampled_cost(slice, weight, INIT_DENSITY, frac).cost
            };
            if nk > max_keys as f64 {
                // Must split anyway: charge the extra level.
                c += NODE_LOOKUP_WEIGHT;
            }
            buckets[b] = FtBucket {
                keys: nk,
                cost: c,
                exact,
            };
            total += c * nk;
            i = j;
        }
        (buckets, total / (keys.len() as f64 * weight))
    }

    // ---- inserts -----------------------------------------------------------------

    pub fn insert(&mut self, key: i64) -> bool {
        self.track_out_of_domain(key);
        let added = self.insert_inner(key);
        self.number_slots_if_stale();
        added
    }

    fn insert_inner(&mut self, key: i64) -> bool {
        loop {
            let (leaf, parent, slot) = self.locate(key);
            let d = self.data_mut(leaf);
            let resizes = d.num_resizes;
            match d.insert(key) {
                InsertOutcome::Inserted => {
                    if d.num_resizes != resizes {
                        self.counters.expansions += 1;
                        self.slots_stale = true;
                    }
                    self.len += 1;
                    return true;
                }
                InsertOutcome::Exists => return false,
                InsertOutcome::Full(why) => self.handle_full(leaf, parent, slot, why),
            }
        }
    }

    /// A data node refused an insert: expand and retrain it, or split it (sideways into
    /// its parent's slots, or downwards under a new model node), as the cost model says.
    fn handle_full(&mut self, leaf: u32, parent: u32, slot: usize, why: Full) {
        // Every way out below resizes or replaces leaves.
        self.slots_stale = true;
        let keys = self.data(leaf).collect_keys();
        // Keys beyond the root's key domain all land, clamped, in the first or last leaf.
        // Splitting that leaf cannot spread them; growing the domain does (ALEX would
        // soon grow it anyway), so do that first.
        if let (Node::Model(root), Some(&lo), Some(&hi)) =
            (&self.nodes[self.root as usize], keys.first(), keys.last())
        {
            let fanout = root.children.len() as f64;
            let d = self.data(leaf);
            if d.next == NIL && root.model.predict_f(hi) >= fanout {
                return self.expand_root_right(hi);
            }
            if d.prev == NIL && root.model.predict_f(lo) < 0.0 {
                return self.expand_root_left(lo);
            }
        }
        if keys.len() < 2 {
            // Nothing to split; just make room.
            self.data_mut(leaf).resize(MIN_DENSITY, true, false, false);
            return;
        }
        let (plan, cut) = self.split_plan(leaf, parent, slot, &keys);
        let split = match why {
            // A node too big to expand must split: a "retrain" could not add slots, so
            // its expansion threshold would sit one key above its size and every later
            // insert would retrain all of it again (issue 16: 1M ascending keys).
            Full::CostDeviation if self.data(leaf).at_max_size() => true,
            Full::CostDeviation => {
                let frac = self.params.expected_insert_frac;
                let expand = cost::data_node_cost(&keys, MIN_DENSITY, frac).cost;
                let (l, r) = keys.split_at(cut);
                let n = keys.len() as f64;
                let mut split_cost = (cost::data_node_cost(l, INIT_DENSITY, frac).cost
                    * l.len() as f64
                    + cost::data_node_cost(r, INIT_DENSITY, frac).cost * r.len() as f64)
                    / n;
                if matches!(plan, SplitPlan::Down) {
                    split_cost += cost::traversal_cost(2, keys.len(), self.len);
                }
                split_cost < expand
            }
            Full::Catastrophic | Full::MaxSize => true,
        };
        if !split {
            let frac = self.params.expected_insert_frac;
            let d = self.data_mut(leaf);
            let (keep_left, keep_right) = (d.append_mostly_right(), d.append_mostly_left());
            d.resize(MIN_DENSITY, true, keep_left, keep_right);
            d.expected = cost::data_node_cost(&keys, MIN_DENSITY, frac);
            d.reset_counters();
            self.counters.retrains += 1;
            return;
        }
        let appends = {
            let d = self.data(leaf);
            (d.append_mostly_right(), d.append_mostly_left())
        };
        match plan {
            SplitPlan::Sideways => self.split_sideways(leaf, parent, slot, &keys),
            SplitPlan::DoubleParent => {
                self.double_children(parent);
                self.split_sideways(leaf, parent, slot * 2, &keys);
            }
            SplitPlan::Down => self.split_down(leaf, parent, slot, &keys),
        }
        self.keep_append_room(&keys, appends);
    }

    /// After a split of a leaf that an append stream was growing, gives the new leaf at
    /// the stream's end room for it, as ALEX's split does. Built from a model fitted to
    /// its keys, that leaf would fill to its last slot, so every appended key would land
    /// clamped there and shift a run that grows with each append: quadratic work, then a
    /// "catastrophic" split of ever smaller leaves under ever deeper model nodes.
    fn keep_append_room(&mut self, keys: &[i64], (right, left): (bool, bool)) {
        let (Some(&lo), Some(&hi)) = (keys.first(), keys.last()) else {
            return;
        };
        if right {
            let id = self.leaf_for(hi);
            self.data_mut(id).resize(INIT_DENSITY, false, true, false);
        } else if left {
            let id = self.leaf_for(lo);
            self.data_mut(id).resize(INIT_DENSITY, false, false, true);
        }
    }

    /// How a full leaf would be split, and how many of its keys would go left.
    fn split_plan(&self, leaf: u32, parent: u32, slot: usize, keys: &[i64]) -> (SplitPlan, usize) {
        let down = || {
            let m = LinearModel::fit_model_node(keys);
            (
                SplitPlan::Down,
                keys.partition_point(|&k| bucket01(&m, k, 2) == 0),
            )
        };
        if parent == NIL {
            return down();
        }
        let pm = self.model_node(parent);
        let dup = self.data(leaf).dup;
        if dup > 0 {
            let run = 1usize << dup;
            let mid = (slot & !(run - 1)) + run / 2;
            let fanout = pm.children.len();
            let cut = keys.partition_point(|&k| pm.model.predict(k, fanout) < mid);
            return (SplitPlan::Sideways, cut);
        }
        let fanout = pm.children.len() * 2;
        if fanout <= self.params.max_fanout {
            // Only worth doubling the parent if the finer slots actually separate the keys.
            let mut doubled = pm.model;
            doubled.scale(2.0);
            let mid = slot * 2 + 1;
            let cut = keys.partition_point(|&k| doubled.predict(k, fanout) < mid);
            if cut > 0 && cut < keys.len() {
                return (SplitPlan::DoubleParent, cut);
            }
        }
        down()
    }

    /// Doubles a model node's child array: every child now owns twice the slots.
    fn double_children(&mut self, id: u32) {
        let old = match &mut self.nodes[id as usize] {
            Node::Model(m) => {
                m.model.scale(2.0);
                std::mem::take(&mut m.children)
            }
            _ => unreachable!("doubling a data node"),
        };
        let mut children = Vec::with_capacity(old.len() * 2);
        for &c in old.iter() {
            children.push(c);
            children.push(c);
        }
        let mut i = 0;
        while i < old.len() {
            let c = old[i];
            let dup = self.dup_of(c);
            self.set_dup(c, dup + 1);
            i += 1usize << dup;
        }
        if let Node::Model(m) = &mut self.nodes[id as usize] {
            m.children = children.into();
        }
        self.counters.model_node_expansions += 1;
    }

    /// Splits a leaf that owns 2^dup (dup >= 1) parent slots into two halves.
    fn split_sideways(&mut self, leaf: u32, parent: u32, slot: usize, keys: &[i64]) {
        let dup = self.data(leaf).dup;
        debug_assert!(dup > 0);
        let run = 1usize << dup;
        let start = slot & !(run - 1);
        let mid = start + run / 2;
        let pm = self.model_node(parent);
        let fanout = pm.children.len();
        let model = pm.model;
        let cut = keys.partition_point(|&k| model.predict(k, fanout) < mid);
        let (prev, next) = {
            let d = self.data(leaf);
            (d.prev, d.next)
        };
        let max_slots = self.params.max_data_node_slots;
        if cut == 0 || cut == keys.len() {
            // Every key sits in one half (typical of an append stream entering a wide
            // region): keep the node as it is for that half and give the other half a
            // new empty node, instead of rebuilding all the keys.
            let mut empty = DataNode::build(&[], INIT_DENSITY, max_slots);
            empty.dup = dup - 1;
            self.data_mut(leaf).dup = dup - 1;
            let empty_id = self.alloc(Node::Data(empty));
            let (empty_slots, order) = if cut == 0 {
                (start..mid, [prev, empty_id, leaf, next])
            } else {
                (mid..start + run, [prev, leaf, empty_id, next])
            };
            self.link(order[0], order[1]);
            self.link(order[1], order[2]);
            self.link(order[2], order[3]);
            if let Node::Model(m) = &mut self.nodes[parent as usize] {
                m.children[empty_slots].fill(empty_id);
            }
            self.counters.splits_sideways += 1;
            return;
        }
        let mut left = DataNode::build(&keys[..cut], INIT_DENSITY, max_slots);
        let mut right = DataNode::build(&keys[cut..], INIT_DENSITY, max_slots);
        left.dup = dup - 1;
        right.dup = dup - 1;
        self.nodes[leaf as usize] = Node::Data(left);
        let right_id = self.alloc(Node::Data(right));
        self.link(prev, leaf);
        self.link(leaf, right_id);
        self.link(right_id, next);
        if let Node::Model(m) = &mut self.nodes[parent as usize] {
            m.children[mid..start + run].fill(right_id);
        }
        self.counters.splits_sideways += 1;
    }

    /// Replaces a leaf by a bulk-loaded subtree whose root is a model node.
    fn split_down(&mut self, leaf: u32, parent: u32, slot: usize, keys: &[i64]) {
        let (prev, next, dup) = {
            let d = self.data(leaf);
            (d.prev, d.next, d.dup)
        };
        // Like ALEX, the new model node spans the leaf's whole region of the parent, so
        // later keys in that region (an append stream, say) spread over its children
        // instead of all landing in the last one.
        let model01 = if parent == NIL {
            LinearModel::fit_min_max(keys)
        } else {
            let run = 1usize << dup;
            region_model(&self.model_node(parent).model, slot & !(run - 1), run)
        };
        let mut leaves = Vec::new();
        let sub = self.build_subtree(
            keys,
            Some(model01),
            None,
            true,
            Build {
                total_keys: self.len.max(keys.len()),
                sample: SPLIT_SAMPLE,
                level: 0,
            },
            &mut leaves,
        );
        self.set_dup(sub, dup);
        self.link_leaves(&leaves, prev, next);
        if parent == NIL {
            // The root's key domain starts here: count out-of-domain keys from now (as
            // ALEX does), or an append stream would pile MAX_OUT_OF_DOMAIN keys into the
            // last leaf before the domain first grows.
            self.root = sub;
            self.keys_at_last_right_expand = self.len;
            self.keys_at_last_left_expand = self.len;
            self.above_domain = 0;
            self.below_domain = 0;
        } else {
            let run = 1usize << dup;
            let start = slot & !(run - 1);
            if let Node::Model(m) = &mut self.nodes[parent as usize] {
                m.children[start..start + run].fill(sub);
            }
        }
        self.dealloc(leaf);
        self.counters.splits_down += 1;
    }

    // ---- key domain --------------------------------------------------------------

    fn track_out_of_domain(&mut self, key: i64) {
        let Node::Model(root) = &self.nodes[self.root as usize] else {
            return;
        };
        let fanout = root.children.len() as f64;
        let p = root.model.predict_f(key);
        if p >= fanout {
            self.above_domain += 1;
            if self.should_expand(self.above_domain, self.keys_at_last_right_expand) {
                self.expand_root_right(key);
            }
        } else if p < 0.0 {
            self.below_domain += 1;
            if self.should_expand(self.below_domain, self.keys_at_last_left_expand) {
                self.expand_root_left(key);
            }
        }
    }

    fn should_expand(&self, count: u64, keys_at_last: usize) -> bool {
        let growth = self.len as f64 / keys_at_last.max(1) as f64 - 1.0;
        (count >= MIN_OUT_OF_DOMAIN && count as f64 >= OUT_OF_DOMAIN_TOLERANCE * growth)
            || count >= MAX_OUT_OF_DOMAIN
    }

    /// Grows the key domain to the right: widen the root's child array when it has room,
    /// else put a new root above it. Either way existing keys keep their predictions
    /// exactly (only power-of-two scaling), and the new slots get fresh empty data nodes.
    fn expand_root_right(&mut self, key: i64) {
        self.slots_stale = true;
        let last = self.last_leaf();
        let d = self.data(last);
        let leaf_max = d.prev_occupied(d.capacity() - 1).map(|p| d.keys[p]);
        let max_key = leaf_max.unwrap_or(key).max(key);
        let root = self.model_node(self.root);
        let fanout = root.children.len();
        let p = root.model.predict_f(max_key);
        let need = (p / fanout as f64).floor() + 1.0;
        if !need.is_finite() || need > self.params.max_fanout as f64 {
            return self.rebuild_around(key);
        }
        let mut factor = (need as usize).max(2).next_power_of_two();
        if fanout * factor > self.params.max_fanout {
            // A new root level: give it room for several more doublings of the domain so
            // that append streams do not add a level per doubling.
            factor = factor.max(self.params.max_fanout.min(16));
        }
        let mut new_leaves = Vec::new();
        if fanout * factor <= self.params.max_fanout {
            let root_id = self.root;
            let new_fanout = fanout * factor;
            let mut children = self.model_node(root_id).children.to_vec();
            children.resize(new_fanout, NIL);
            let mut s = fanout;
            while s < new_fanout {
                let id = self.new_data_node(&[], &mut new_leaves);
                self.set_dup(id, s.trailing_zeros() as u8);
                children[s..2 * s].fill(id);
                s *= 2;
            }
            if let Node::Model(m) = &mut self.nodes[root_id as usize] {
                m.children = children.into();
            }
            self.counters.model_node_expansions += 1;
        } else {
            let old_root = self.root;
            let mut model = self.model_node(old_root).model;
            model.scale(1.0 / fanout as f64);
            let mut children = vec![old_root; factor];
            let mut s = 1;
            while s < factor {
                let id = self.new_data_node(&[], &mut new_leaves);
                self.set_dup(id, s.trailing_zeros() as u8);
                children[s..2 * s].fill(id);
                s *= 2;
            }
            self.set_dup(old_root, 0);
            self.root = self.alloc(Node::Model(ModelNode {
                model,
                children: children.into(),
                dup: 0,
            }));
        }
        self.link_leaves(&new_leaves, last, NIL);
        self.counters.root_expansions += 1;
        self.above_domain = 0;
        self.keys_at_last_right_expand = self.len;
        self.migrate_misrouted(last);
    }

    /// Grows the key domain to the left. Shifting every child slot would move existing
    /// predictions by a non-power-of-two offset, which floating point cannot do exactly,
    /// so the index is rebuilt over a domain that doubles (at least) leftwards.
    fn expand_root_left(&mut self, key: i64) {
        let keys: Vec<i64> = self.collect_all();
        let (Some(&lo), Some(&hi)) = (keys.first(), keys.last()) else {
            return;
        };
        let lo = lo.min(key);
        let width = (hi as i128 - lo as i128).max(1);
        let new_lo = (hi as i128 - 2 * width).max(i64::MIN as i128) as i64;
        self.rebuild(&keys, Some((new_lo, hi)));
        self.counters.root_expansions += 1;
    }

    /// The key is so far out that widening would overflow any fanout: rebuild the index
    /// with a root spanning all keys and the new one.
    fn rebuild_around(&mut self, key: i64) {
        let keys = self.collect_all();
        let lo = keys.first().copied().unwrap_or(key).min(key);
        let hi = keys.last().copied().unwrap_or(key).max(key);
        self.rebuild(&keys, Some((lo, hi)));
        self.counters.root_expansions += 1;
    }

    /// After the domain grew, keys that sat clamped at the old edge may now route to a
    /// new leaf. They are the largest keys of the index (a suffix in key order), possibly
    /// spread over several leaves below the old last slot: walk leaves backwards from
    /// `leaf` and move every such key.
    fn migrate_misrouted(&mut self, leaf: u32) {
        let mut moved = Vec::new();
        let mut id = leaf;
        while id != NIL {
            let keys = self.data(id).collect_keys();
            let keep = keys.partition_point(|&k| self.leaf_for(k) == id);
            if keep < keys.len() {
                let d = self.data(id);
                let (prev, next, dup) = (d.prev, d.next, d.dup);
                let mut rebuilt =
                    DataNode::build(&keys[..keep], INIT_DENSITY, self.params.max_data_node_slots);
                rebuilt.prev = prev;
                rebuilt.next = next;
                rebuilt.dup = dup;
                self.nodes[id as usize] = Node::Data(rebuilt);
                moved.extend_from_slice(&keys[keep..]);
            }
            if keep > 0 {
                break;
            }
            id = self.data(id).prev;
        }
        self.len -= moved.len();
        for k in moved {
            self.insert_inner(k);
        }
    }

    pub fn collect_all(&self) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.len);
        let mut id = self.first_leaf();
        while id != NIL {
            let d = self.data(id);
            out.extend(d.collect_keys());
            id = d.next;
        }
        out
    }

    // ---- deletes -----------------------------------------------------------------

    pub fn remove(&mut self, key: i64) -> bool {
        let leaf = self.leaf_for(key);
        let d = self.data_mut(leaf);
        let before = d.num_contractions;
        if !d.remove(key) {
            return false;
        }
        if d.num_contractions != before {
            self.counters.contractions += 1;
            self.number_slots();
        }
        self.len -= 1;
        true
    }

    /// Removes every key in `[a, b]` (`a <= b`) leaf by leaf: in each leaf the keys in
    /// range sit between two lower-bound slots, so a removal is a run of bit clears plus,
    /// for a leaf left sparse, one rebuild. Returns how many keys were removed.
    pub fn remove_range(&mut self, a: i64, b: i64) -> usize {
        let mut removed = 0;
        let mut id = self.leaf_for(a);
        while id != NIL {
            let d = self.data_mut(id);
            let (lo, _) = d.lower_bound_slot(a);
            let hi = match b.checked_add(1) {
                Some(end) => d.lower_bound_slot(end).0,
                None => d.capacity(),
            };
            // A key above `b` in this leaf means every later leaf is above it too.
            let last = d.next_occupied(hi).is_some();
            let before = d.num_contractions;
            removed += d.remove_slots(lo, hi);
            let contracted = d.num_contractions != before;
            id = if last { NIL } else { d.next };
            if contracted {
                self.counters.contractions += 1;
                self.slots_stale = true;
            }
        }
        self.len -= removed;
        self.number_slots_if_stale();
        removed
    }
}

/// Model mapping the slots `[first, first + run)` of a parent with model `parent` onto
/// [0, 1): the region of the key space that a child owns.
fn region_model(parent: &LinearModel, first: usize, run: usize) -> LinearModel {
    let mut m = *parent;
    m.scale(1.0 / run as f64);
    m.b -= first as f64 / run as f64;
    m
}

/// Bucket of `key` at a fanout-tree level: `model01` maps into [0, 1).
#[inline]
fn bucket01(model01: &LinearModel, key: i64, fanout: usize) -> usize {
    let p = model01.predict_f(key) * fanout as f64;
    let i = if p > 0.0 { p as usize } else { 0 };
    i.min(fanout - 1)
}

/// Chooses, below bucket (level, idx), between keeping it as one child and using its two
/// halves from the next level, whichever costs less once each extra data node pays
/// `charge` for its memory; returns the summed cost (cost per key times keys, plus
/// charges) and appends the chosen buckets in key order.
fn merge(
    levels: &[Vec<FtBucket>],
    best: usize,
    charge: f64,
    level: usize,
    idx: usize,
    used: &mut Vec<FtChoice>,
) -> f64 {
    let b = levels[level][idx];
    let own = if b.keys == 0.0 { 0.0 } else { b.cost * b.keys };
    let choice = (level, idx, b.exact.then_some(b.cost));
    if level == best {
        used.push(choice);
        return own;
    }
    let mark = used.len();
    let l = merge(levels, best, charge, level + 1, 2 * idx, used);
    let r = merge(levels, best, charge, level + 1, 2 * idx + 1, used);
    if own <= l + r + charge {
        used.truncate(mark);
        used.push(choice);
        own
    } else {
        l + r + charge
    }
}

/// How a full data node would be split.
#[derive(Clone, Copy, Debug)]
enum SplitPlan {
    /// The leaf owns several parent slots: give each half of them a node.
    Sideways,
    /// Double the parent's slots, then split sideways.
    DoubleParent,
    /// Put a new model node in the leaf's place.
    Down,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_model_charges_the_real_node_size() {
        assert_eq!(std::mem::size_of::<Node>(), cost::NODE_BYTES);
    }

    /// Slots rewritten by inserts and removals in every leaf since the tree was built.
    fn slot_writes(t: &Tree) -> u64 {
        let mut sum = 0;
        let mut id = t.first_leaf();
        while id != NIL {
            sum += t.data(id).slot_writes;
            id = t.data(id).next;
        }
        sum
    }

    fn removal_writes(keys: &[i64], order: impl Iterator<Item = i64>) -> u64 {
        let mut t = Tree::new(Params::default());
        t.rebuild(keys, None);
        for k in order {
            assert!(t.remove(k), "key {k} was not found");
        }
        assert_eq!(t.len, 0);
        super::super::validate::validate(&t).unwrap();
        slot_writes(&t)
    }

    /// Removing keys in ascending order once rewrote every gap left of the removed key
    /// (quadratic in a node's size); a removal now writes a constant number of slots, in
    /// either order.
    #[test]
    fn removal_work_is_linear_in_either_order() {
        const N: i64 = 200_000;
        let keys: Vec<i64> = (0..N).map(|i| i * 3).collect();
        let up = removal_writes(&keys, keys.iter().copied());
        let down = removal_writes(&keys, keys.iter().rev().copied());
        eprintln!("slot writes removing {N} keys: ascending {up}, descending {down}");
        assert!(up <= 2 * N as u64, "ascending removal wrote {up} slots");
        assert!(
            down <= 2 * N as u64,
            "descending removal wrote {down} slots"
        );
    }
}
